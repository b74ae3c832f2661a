#!/usr/bin/env python3
"""Exports a trained checkpoint to a model bundle (model.json, ONNX graphs, tokenizer, parity).

    /usr/bin/python3 model/export.py --checkpoint model/runs/tiny/model.pt \
        --out sample-data/models/diffris-tiny
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from diffris.export import export_bundle  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description="Export a DiffRIS checkpoint to a model bundle.")
    p.add_argument("--checkpoint", required=True, help="model.pt written by model/train.py")
    p.add_argument("--out", required=True, help="bundle folder (replaced as a whole on success)")
    p.add_argument("--name", default="diffris-tiny")
    p.add_argument("--version", default="0.1.0")
    a = p.parse_args(argv)
    if not Path(a.checkpoint).is_file():
        print(f"export.py: checkpoint {a.checkpoint} does not exist (train with model/train.py)",
              file=sys.stderr)
        return 2
    out = export_bundle(a.checkpoint, a.out, name=a.name, version=a.version)
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"wrote {out} ({size / 2**20:.2f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
