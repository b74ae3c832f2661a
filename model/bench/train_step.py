"""Times stage-2 training steps of the tiny DiffRIS on random tensors; prints ms per step.

Run it once per BLAS library to compare them, e.g. on Debian (torch links libblas.so.3):
  /usr/bin/python3 model/bench/train_step.py                       # the alternative installed
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/blas /usr/bin/python3 model/bench/train_step.py
                                                                   # forces the reference BLAS
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from diffris.nn import DiffRIS  # noqa: E402
from diffris.training.blas import loaded_blas  # noqa: E402
from diffris.training.segtrain import SegmentationTrainer  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--decoder-dim", type=int, default=64)
    p.add_argument("--no-refine", action="store_true")
    a = p.parse_args()
    torch.manual_seed(0)
    model = DiffRIS({"backbone_args": {"vocab_size": 677}, "decoder_dim": a.decoder_dim,
                     "decoder_refine": not a.no_refine})
    model.backbone.freeze()
    trainer = SegmentationTrainer(model)
    b = a.batch
    batch = (torch.randn(b, 8, 16, 16), torch.randn(b, 77, 64), torch.randn(b, 3, 64, 64),
             torch.rand(b, 1, 64, 64))
    print(f"blas={loaded_blas()} torch={torch.__version__} batch={b}")
    for threads in a.threads:
        torch.set_num_threads(threads)
        for _ in range(3):
            trainer.step(*batch, 0.5)
        start = time.perf_counter()
        for _ in range(a.steps):
            trainer.step(*batch, 0.5)
        ms = (time.perf_counter() - start) * 1000 / a.steps
        print(f"threads={threads} ms_per_step={ms:.1f} steps_per_s={1000 / ms:.2f}")


if __name__ == "__main__":
    main()
