#!/usr/bin/env bash
# Round 9: 0.6.0's weights (its stage 1 here as stage1.pt; its stage 2 as --init-model) with the
# pretrained text encoder, round 8's recipe on round 8's data.
cd "$(dirname "$0")/../../.."
D=model/runs/data
SYN="$D/synth $D/synth-1003 $D/synth-absent-1006 $D/synth-relation-2001 $D/synth-size-2002 $D/synth-themes-2003 $D/synth-position-3002"
exec /usr/bin/python3 model/train.py --data /tmp/real-corpus2 /tmp/real-corpus2 $SYN --out model/runs/real9 \
    --text-encoder all-minilm-l6-v2 --text-length 32 --threads 2 \
    --stage1-steps 6000 --stage1-minutes 45 --stage2-steps 100000 --stage2-minutes 85 --resume \
    --lr 3e-4 --joint --joint-image-encoder --augment --init-model model/checkpoints/diffris-tiny/model.pt
