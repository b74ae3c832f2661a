#!/usr/bin/env python3
"""How close the decoder's hard assignment is to a tie on a bundle's parity tiles.

    /usr/bin/python3 model/bench/assignment_ties.py CHECKPOINT BUNDLE [--store-fp16]

For each parity case, the smallest gap between a pixel's two most probable tokens in each
decoder stage (softmax probabilities), and whether PyTorch still gives the stored logits. A gap
near float32 rounding (1e-6) means another runtime may assign that pixel to the other token.
"""
import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import diffris.nn.decoder as decoder  # noqa: E402
from diffris.export.bundle import read_parity, round_weights_to_fp16  # noqa: E402
from diffris.nn import load_checkpoint  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("checkpoint")
    p.add_argument("bundle")
    p.add_argument("--store-fp16", action="store_true", help="the bundle was exported so")
    a = p.parse_args(argv)
    model, _ = load_checkpoint(a.checkpoint)
    if a.store_fp16:
        round_weights_to_fp16(model)
    gaps = []
    assign = decoder.straight_through_assignment

    def watched(logits, dim, hard=True, gumbel=False):
        top = logits.softmax(dim=dim).topk(2, dim=dim).values
        gaps.append((top.select(dim, 0) - top.select(dim, 1)).min().item())
        return assign(logits, dim, hard, gumbel)

    decoder.straight_through_assignment = watched
    _, arrays = read_parity(Path(a.bundle) / "parity")
    cases = (("a", slice(0, 2)), ("b", slice(2, 3)))
    with torch.no_grad():
        for case, rows in cases:
            gaps.clear()
            image = torch.from_numpy(arrays[f"image_{case}"].copy())
            text = torch.from_numpy(arrays["text_features"][rows].copy())
            out = model(image, text).numpy()
            stored = abs(out - arrays[f"mask_logits_{case}"]).max()
            print(f"case {case}: smallest top-two gap per stage "
                  f"{', '.join(f'{g:.2e}' for g in gaps)}; |PyTorch - stored| {stored:.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
