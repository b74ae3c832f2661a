#!/usr/bin/env python3
"""Writes a `model/train.py` checkpoint with its weights in half precision, to be committed.

    /usr/bin/python3 model/store_checkpoint.py --checkpoint model/runs/real9/model.pt \
        --out model/checkpoints/diffris-tiny-real/model.pt

A training round starts from the weights the round before ended with (`--init-model`), and the run
folders under `model/runs/` are not kept: the repository is where the next round finds them. Half
precision halves the bytes; a round that starts from them loads them into float32 as any
checkpoint (the rounding, at most 2^-11 of each weight, is printed). The optimizer state is left
out: the stored file starts a new round, it does not resume the old one (`last.pt` does that).
The file is written beside its destination and renamed, so a stop (Ctrl-C, a write error)
leaves nothing half-written, nor a folder it made.
"""
import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from diffris.nn import load_checkpoint, load_state  # noqa: E402

HALF_MAX = torch.finfo(torch.float16).max


def halved(state: dict) -> dict:
    """The state with every float32 tensor in half precision; refuses one that would overflow."""
    out = {}
    for k, v in state.items():
        if torch.is_floating_point(v) and v.dtype == torch.float32:
            peak = v.abs().max().item() if v.numel() else 0.0
            if not peak <= HALF_MAX:  # also catches NaN
                raise ValueError(f"{k} holds {peak:g}, beyond half precision's {HALF_MAX:g}: "
                                 "store this checkpoint as it is")
            v = v.half()
        out[k] = v
    return out


def store(source: Path, out: Path) -> float:
    """Writes `source` to `out` in half precision; returns the largest change of a weight."""
    model, ckpt = load_checkpoint(source)  # refuses what is not a train.py checkpoint
    ckpt = {k: v for k, v in ckpt.items() if k != "optimizer"}
    full = ckpt["model"]
    ckpt["model"] = halved(full)
    ckpt["stored_in_half_precision"] = True
    made = [d for d in (out.parent, *out.parent.parents) if not d.exists()]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    try:
        torch.save(ckpt, tmp)
        # Read back as a round started from it reads it: into the float32 model, by name.
        load_state(model, torch.load(tmp)["model"], tmp)
        state = model.state_dict()
        change = max((float((state[k].float() - v.float()).abs().max()) for k, v in full.items()
                      if torch.is_floating_point(v) and v.numel()), default=0.0)
        tmp.replace(out)
    except BaseException:  # a refusal, a write error or Ctrl-C: nothing of this run stays
        tmp.unlink(missing_ok=True)
        for d in made:  # innermost first; only the folders this run made, and only if empty
            if d.is_dir() and not any(d.iterdir()):
                d.rmdir()
        raise
    return change


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoint", required=True, help="a model.pt written by model/train.py")
    p.add_argument("--out", required=True, help="the file to write (replaced if it exists)")
    a = p.parse_args(argv)
    source, out = Path(a.checkpoint), Path(a.out)
    if not source.is_file():
        p.error(f"--checkpoint {source} is not a file")
    if out.resolve() == source.resolve():
        p.error(f"--out {out} is the checkpoint itself: write the stored copy elsewhere")
    try:
        change = store(source, out)
    except ValueError as e:
        print(f"store_checkpoint: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"store_checkpoint: stopped; nothing written to {out}", file=sys.stderr)
        return 130
    except OSError as e:  # a folder that cannot be made, a full disk, no permission
        print(f"store_checkpoint: cannot write {out}: {e.strerror or e}; nothing written",
              file=sys.stderr)
        return 2
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB, from {source.stat().st_size / 1e6:.1f} MB); "
          f"largest change of a weight {change:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
