#!/usr/bin/env python3
"""Chooses the pretrained text encoder by measurement: one short stage-2 run per candidate on the
same frozen backbone, data, steps and seed, then, on the validation split, the model's mIoU over
all expressions, per expression type (class queries in trained words and in held-out paraphrases:
their difference is the paraphrase gap), per class, and what each encoder costs (parameters, jar
size, milliseconds per query on one CPU thread).

    nice /usr/bin/python3 model/bench/text_encoders.py --data /tmp/real-corpus \\
        --backbone /tmp/enc/backbone/stage1.pt --out /tmp/enc/runs --steps 1500

Candidates: the three encoders of `diffris.nn.bert_text.ENCODERS` and `own` (the backbone's own
text encoder with its BPE tokenizer, from the tokenizer/ folder beside --backbone; skipped
without one). A run whose model.pt exists is not trained again, so the program resumes. Each
run's log is OUT/<candidate>/train.log. Scores are at the model's resolution against the masks as
stored (as model/evaluate.py scores); every figure is from the validation split.
"""
import argparse
import dataclasses
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from diffris.nn import load_checkpoint  # noqa: E402
from diffris.nn.bert_text import ENCODERS, maven_jar  # noqa: E402
from diffris.tokenizer import tokenizer_from_facts  # noqa: E402
from diffris.training.data import load_split  # noqa: E402
from evaluate import predict, score  # noqa: E402

OWN = "own"
HELD_OUT = "-held-out"


def train(candidate, a, run):
    if (run / "model.pt").exists():
        return
    cmd = [sys.executable, str(ROOT / "train.py"), "--data", a.data, "--out", str(run),
           "--init-backbone", a.backbone, "--stage2-steps", str(a.steps),
           "--stage2-minutes", "0", "--batch", str(a.batch), "--size", str(a.size),
           "--seed", str(a.seed), "--val-count", "500"]
    if candidate != OWN:
        cmd += ["--text-encoder", candidate, "--text-length", str(a.text_length)]
    print(f"{candidate}: training ({run / 'train.log'})", flush=True)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def ms_per_query(model, tokenizer, repeats=30):
    ids = torch.tensor([tokenizer.encode("the trees in the south-east")], dtype=torch.long)
    times = []
    with torch.no_grad():
        for _ in range(repeats):
            t0 = time.perf_counter()
            model.encode_text(ids)
            times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def classes_of(folder, split):
    """id -> class, from the real corpus's sources file when it has one."""
    path = Path(folder) / f"sources_{split}.tsv"
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) >= 3:
            out[parts[0]] = parts[2]
    return out


def evaluate(candidate, a, run, splits):
    """`splits`: the validation split by training size, read once for every candidate."""
    model, ckpt = load_checkpoint(run / "model.pt")
    size = ckpt["image"]["size"]
    if size not in splits:
        splits[size] = load_split(a.data, a.val_split, size, keep_native=True)
    split = splits[size]
    logits = predict(model, ckpt, split)
    metrics = score(logits, split)
    by_type = {k: v.miou for k, v in metrics.by_type().items()}
    # The paraphrase gap: the same class asked in trained words and in held-out ones.
    gap = (by_type["category"] - by_type["category" + HELD_OUT]
           if {"category", "category" + HELD_OUT} <= set(by_type) else None)
    classes = classes_of(a.data, a.val_split)
    per_class = {}
    if classes:
        # score() groups by the split's types; the same logits grouped by class instead.
        by_class = dataclasses.replace(split, types=[classes.get(i, "?") for i in split.ids])
        per_class = {k: v.miou for k, v in score(logits, by_class).by_type().items()}
    tokenizer = tokenizer_from_facts(ckpt["tokenizer"])
    if candidate == OWN:
        params = sum(p.numel() for p in model.backbone.text_encoder.parameters())
        jar_mb = 0.0
    else:
        params = sum(p.numel() for p in model.text_encoder.parameters())
        jar_mb = maven_jar(ENCODERS[candidate].artifact).stat().st_size / 1e6
    return {"candidate": candidate, "miou": metrics.overall().miou, "by_type": by_type,
            "gap": gap, "per_class": per_class, "params_m": params / 1e6, "jar_mb": jar_mb,
            "ms_per_query": ms_per_query(model, tokenizer), "samples": len(split),
            "steps": ckpt["training"]["stage2_steps"]}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, help="corpus folder (model/generate_real.py's)")
    p.add_argument("--backbone", required=True, help="stage1.pt every candidate starts from")
    p.add_argument("--out", required=True, help="folder of the runs (one per candidate)")
    p.add_argument("--candidates", default=",".join([*ENCODERS, OWN]))
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--text-length", type=int, default=32)
    p.add_argument("--val-split", default="val")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", help="also write the figures here")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    candidates = [c for c in a.candidates.split(",") if c]
    bad = [c for c in candidates if c != OWN and c not in ENCODERS]
    if bad:
        p.error(f"--candidates {','.join(bad)}: known {', '.join([*ENCODERS, OWN])}")
    if OWN in candidates and not (Path(a.backbone).parent / "tokenizer" / "merges.txt").exists():
        print(f"{OWN}: skipped, no tokenizer/ beside {a.backbone}", file=sys.stderr)
        candidates.remove(OWN)
    results, splits = [], {}
    for candidate in candidates:
        run = Path(a.out) / candidate
        train(candidate, a, run)
        results.append(evaluate(candidate, a, run, splits))
    types = sorted({t for r in results for t in r["by_type"]})
    classes = sorted({c for r in results for c in r["per_class"]})
    head = ["candidate", "params M", "jar MB", "ms/query", "val mIoU", "gap"] + types + classes
    print("\t".join(head))
    for r in results:
        row = [r["candidate"], f"{r['params_m']:.1f}", f"{r['jar_mb']:.1f}",
               f"{r['ms_per_query']:.1f}", f"{r['miou']:.4f}",
               "-" if r["gap"] is None else f"{r['gap']:+.4f}"]
        row += [f"{r['by_type'].get(t, float('nan')):.4f}" for t in types]
        row += [f"{r['per_class'].get(c, float('nan')):.4f}" for c in classes]
        print("\t".join(row))
    print(f"{results[0]['samples'] if results else 0} validation samples, {a.steps} steps of "
          f"batch {a.batch} at {a.size} px from {a.backbone}")
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
