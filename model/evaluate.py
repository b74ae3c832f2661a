#!/usr/bin/env python3
"""Evaluates a DiffRIS checkpoint on a split with the RRSIS metrics (overall and per type).

    /usr/bin/python3 model/evaluate.py --data DIR --split test --checkpoint model/runs/tiny/model.pt

DIR is in the RefSegRS, RRSIS-D or RISBench layout (detected, or named with --layout; see
model/README.md, "Datasets").

The model runs at its training resolution (model.json `image.size`); its logits are resized
bilinearly to each ground-truth mask's own resolution and thresholded at 0 (probability 0.5),
so the scores are measured against the masks as stored, not against downsampled copies.
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))

from diffris.datasets import LAYOUTS, LayoutError  # noqa: E402
from diffris.metrics import RrsisMetrics  # noqa: E402
from diffris.nn import load_checkpoint  # noqa: E402
from diffris.tokenizer import tokenizer_from_facts  # noqa: E402
from diffris.training.data import load_split, normalise  # noqa: E402


def predict(model, ckpt, split, batch=64, device="cpu"):
    """Logits [N,1,size,size] at the model's resolution, from images and expressions."""
    tokenizer = tokenizer_from_facts(ckpt["tokenizer"])
    # Each distinct expression is encoded once: a split repeats a few hundred of them, and a
    # pretrained encoder costs more than the segmenter.
    distinct = sorted(set(split.texts))
    row = {text: i for i, text in enumerate(distinct)}
    index = torch.tensor([row[t] for t in split.texts], dtype=torch.long)
    ids = torch.tensor(tokenizer.encode_batch(distinct), dtype=torch.long)
    image = ckpt["image"]
    out = []
    with torch.no_grad():
        features = torch.cat([model.encode_text(ids[s : s + batch].to(device))
                              for s in range(0, len(distinct), batch)])
        for s in range(0, len(split), batch):
            x = normalise(split.images[s : s + batch], image["mean"], image["std"]).to(device)
            out.append(model(x, features[index[s : s + batch]]).cpu())
    return torch.cat(out)


def score(logits, split):
    metrics = RrsisMetrics()
    for i, truth in enumerate(split.native_masks):
        up = F.interpolate(
            logits[i : i + 1], size=truth.shape, mode="bilinear", align_corners=False
        )
        metrics.add(up[0, 0].numpy() > 0, truth, split.types[i])
    return metrics


def main(argv=None):
    p = argparse.ArgumentParser(description="RRSIS metrics of a DiffRIS model on a corpus split.")
    p.add_argument(
        "--data", required=True, help="dataset folder in the RefSegRS, RRSIS-D or RISBench layout"
    )
    p.add_argument("--split", required=True, help="split name (e.g. train, val, test)")
    p.add_argument(
        "--layout",
        choices=LAYOUTS,
        help="the folder's layout (default: detected from the files it holds)",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--checkpoint", help="model.pt written by model/train.py")
    src.add_argument("--bundle", help="exported bundle folder (needs the onnxruntime package)")
    p.add_argument("--limit", type=int, help="evaluate the first N samples only")
    p.add_argument("--json", help="also write the scores to this JSON file")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch", type=int, default=64, help="samples per model call (default 64)")
    p.add_argument("--device", default="cpu", help="cpu, or cuda / cuda:N")
    p.add_argument(
        "--weights",
        help="sd15: the SD 1.5 weights, when not where the checkpoint was trained with them",
    )
    p.add_argument(
        "--inference-ablation",
        choices=["soft-assignment", "no-adapter"],
        help="switch a part off at inference only (no retraining): soft instead of "
        "hard assignment, or the adapter bypassed (refined text = text)",
    )
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    if a.bundle:
        try:
            import onnxruntime  # noqa: F401
        except ImportError:
            print(
                "evaluate.py: --bundle needs the Python onnxruntime package, which is not "
                "installed; use --checkpoint, or evaluate the bundle with the Java command "
                "line (diffris eval)",
                file=sys.stderr,
            )
            return 2
        print(
            "evaluate.py: --bundle evaluation is not implemented in Python; use --checkpoint",
            file=sys.stderr,
        )
        return 2
    if not Path(a.checkpoint).is_file():
        print(f"evaluate.py: checkpoint {a.checkpoint} does not exist", file=sys.stderr)
        return 2
    try:
        model, ckpt = load_checkpoint(a.checkpoint, weights=a.weights)
    except (ValueError, OSError) as e:  # the weights or the checkpoint: said with their file
        print(f"evaluate.py: {e}", file=sys.stderr)
        return 2
    model.to(a.device)
    if a.inference_ablation == "soft-assignment":
        for stage in model.decoder.stages:
            stage.hard = False
    elif a.inference_ablation == "no-adapter":
        model.adapter = None
    start = time.time()
    try:
        split = load_split(
            a.data, a.split, ckpt["image"]["size"], limit=a.limit, keep_native=True, layout=a.layout
        )
    except (LayoutError, FileNotFoundError) as e:
        print(f"evaluate.py: {e}", file=sys.stderr)
        return 1
    logits = predict(model, ckpt, split, a.batch, a.device)
    metrics = score(logits, split)
    s = metrics.overall()
    print(
        f"{len(split)} samples of {a.data} split {a.split}, model {a.checkpoint}"
        + (f", inference ablation {a.inference_ablation}" if a.inference_ablation else "")
        + f" ({time.time() - start:.0f} s)"
    )
    print(
        f"mIoU={s.miou:.4f} oIoU={s.oiou:.4f} "
        + " ".join(f"Pr@{t:.1f}={v:.4f}" for t, v in s.precision.items())
    )
    print(metrics.report())
    if a.json:
        result = {
            "overall": s.to_dict(),
            "by_type": {k: v.to_dict() for k, v in metrics.by_type().items()},
            "split": a.split,
            "samples": len(split),
        }
        Path(a.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
