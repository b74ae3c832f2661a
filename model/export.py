#!/usr/bin/env python3
"""Exports a trained checkpoint to a model bundle (model.json, ONNX graphs, tokenizer, parity).

    /usr/bin/python3 model/export.py --checkpoint model/runs/tiny/model.pt \
        --out sample-data/models/diffris-tiny
    /usr/bin/python3 model/export.py --checkpoint model/runs/sd15/model.pt \
        --name diffris-sd15 --out bundles/diffris-sd15

An sd15 checkpoint holds the trained parts only and reads the backbone from the weights it was
trained with (`--weights` when they moved); its segmenter's 3.6 GB of weights go to
segmenter.onnx.data beside the graph.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from diffris.stops import StopSignals  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description="Export a DiffRIS checkpoint to a model bundle.")
    p.add_argument("--checkpoint", required=True, help="model.pt written by model/train.py")
    p.add_argument("--out", required=True, help="bundle folder (replaced as a whole on success)")
    p.add_argument("--name", default="diffris-tiny")
    p.add_argument("--version", default="0.1.0")
    p.add_argument("--store-fp16", action="store_true",
                   help="store the weights in half precision (half the bundle's size; computed "
                        "in fp32, so any runtime runs it)")
    p.add_argument("--weights", help="sd15: the SD 1.5 weights (single file or diffusers folder), "
                                     "when not where the checkpoint was trained with them")
    p.add_argument("--runtime-memory", metavar="JSON",
                   help="ONNX Runtime's measured native memory for model.json's runtime_memory, "
                        "as dev/native-memory/measure.sh prints it (the object or "
                        "{\"runtime_memory\": ...}); without it the bundle has none, and "
                        "measure.sh --write adds it to the exported bundle")
    a = p.parse_args(argv)
    # Ctrl-C and SIGTERM, wherever they land (loading, inside the ONNX tracer, saving, the move
    # into place), end with one line and 130 or 143, and leave nothing: the handler records the
    # signal, so a stop that surfaces wrapped in another exception is still known as one.
    with StopSignals() as stop:
        try:
            return export(a)
        except BaseException as e:
            if stop.received is not None:
                print(f"export.py: stopped by {stop.name()}; {a.out} was not written and nothing "
                      "of it is left", file=sys.stderr)
                return stop.exit_status()
            if isinstance(e, (ValueError, OSError)):  # the weights, the checkpoint or an option
                print(f"export.py: {e}", file=sys.stderr)
                return 2
            raise


def export(a):
    from diffris.export.bundle import check_metadata, export_bundle

    check_metadata(name=a.name, version=a.version)
    if not Path(a.checkpoint).is_file():
        raise ValueError(f"checkpoint {a.checkpoint} does not exist (train with model/train.py)")
    if a.weights and not Path(a.weights).exists():
        raise ValueError(f"--weights {a.weights} does not exist")
    memory = None
    if a.runtime_memory:
        import json

        from diffris.export.bundle import check_runtime_memory
        try:
            memory = json.loads(a.runtime_memory)
        except ValueError as e:
            raise ValueError(f"--runtime-memory is not JSON: {e}")
        memory = check_runtime_memory(memory.get("runtime_memory", memory)
                                      if isinstance(memory, dict) else memory)
    out = export_bundle(a.checkpoint, a.out, name=a.name, version=a.version,
                        weights=a.weights, store_fp16=a.store_fp16, runtime_memory=memory)
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"wrote {out} ({size / 2**20:.2f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
