#!/usr/bin/env python3
"""Scores the product's own `diffris segment` (or a trivial answer) on real-imagery cases.

    /usr/bin/python3 model/bench/real_benchmark.py --cases /tmp/real-cases/cases.tsv --split val
    /usr/bin/python3 model/bench/real_benchmark.py --cases ... --split val --trivial all

Each case runs `./diffris segment --raster R --query Q --out X.gpkg` of this repository (the
model's GSD tiling, threshold and vectorizing are the product's), its polygons are burned back
onto the truth's grid and scored (model/diffris/real/scoring.py). `--trivial all|none` scores the
answers "every pixel" and "nothing" instead, without running the model. A case the command line
refuses (exit status not 0 with its `diffris segment: reason` line) is reported as refused.
Prints a table per source/class/query, per truth kind and in total; writes the per-case rows and
the summary as JSON (--report) and the rows as TSV beside it.
"""
import argparse
import dataclasses
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "model"))

from diffris.corpus.real_expressions import HELD_OUT  # noqa: E402
from diffris.real import scoring  # noqa: E402
from diffris.real.cases import read_cases, resolve  # noqa: E402
from diffris.real.report import CASE_COLUMNS, summarise, table  # noqa: E402

def ground_area_km2(grid, valid_px: int) -> float:
    """Area of the valid pixels on the ground; web-mercator pixels are shrunk by cos(latitude)
    of the grid's centre (both axes)."""
    sx, sy = grid.pixel_size_m()
    return valid_px * sx * sy * grid.ground_scale() ** 2 / 1e6


def run_segment(diffris, raster, query, out, model, tile=None):
    cmd = [str(diffris), "segment", "--raster", str(raster), "--query", query, "--out", str(out),
           "--overwrite", "--progress", "none"]
    if model:
        cmd += ["--model", str(model)]
    if tile:
        cmd += ["--tile", str(tile)]
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - start
    summary = next((ln for ln in reversed(proc.stdout.splitlines()) if ln.startswith("polygons=")), None)
    return proc, wall, summary


def score_case(case, cases_path, args, work):
    raster = resolve(cases_path, case.raster)
    truth_path = resolve(cases_path, case.truth) if case.truth else None
    grid = scoring.Grid.of(truth_path if case.truth_kind == "mask" else raster)
    valid = scoring.valid_pixels(raster)
    r = dict.fromkeys(CASE_COLUMNS)
    r.update(source=case.source, **{"class": case.cls}, query=case.query, truth_kind=case.truth_kind,
             raster=case.raster, status="ok", message="")
    if args.trivial == "all":
        pred = valid.copy()
    elif args.trivial == "none":
        pred = np.zeros(valid.shape, bool)
    else:
        out = work / "answer.gpkg"
        proc, wall, summary = run_segment(args.diffris, raster.resolve(), case.query, out, args.model,
                                          args.tile)
        if proc.returncode != 0:
            reason = next((ln for ln in proc.stderr.splitlines() if ln.startswith("diffris segment:")), None)
            r["status"] = "refused" if reason else "failed"
            r["message"] = reason or (proc.stderr.strip().splitlines() or ["(no message)"])[-1]
            return r
        if summary is None:
            r.update(status="failed", message="no summary line on stdout")
            return r
        pred = scoring.burn(out, grid)
        r["wall_s"] = wall
        r["area_km2"] = ground_area_km2(grid, int(valid.sum()))
        m = re.search(r"\bpolygons=(\d+)", summary)
        r["polygons"] = int(m.group(1))
    if case.truth_kind == "mask":
        i, u = scoring.mask_counts(pred, scoring.read_mask(truth_path))
        r.update(intersection=i, union=u, iou=scoring.iou_of(i, u))
    elif case.truth_kind == "points":
        found, n, near, answer = scoring.point_counts(pred, scoring.read_points(truth_path),
                                                     grid.pixel_size_m())
        r.update(points_found=found, points=n, near_px=near, answer_px=answer)
    else:
        covered, valid_px = scoring.coverage(pred, valid)
        r.update(covered_px=covered, valid_px=valid_px)
    return r


def subsample(cases, rules):
    """Keeps the cases of every N-th raster (in order of first appearance in the list, from the
    first) of each source named in rules, so a raster keeps all its queries."""
    order, kept = {}, []
    for c in cases:
        per_source = order.setdefault(c.source, {})
        k = per_source.setdefault(c.raster, len(per_source))
        if k % rules.get(c.source, 1) == 0:
            kept.append(c)
    return kept


def with_held_out_wordings(cases):
    """Each case, then the same case asked with each held-out paraphrase of its class."""
    out = []
    for c in cases:
        out.append(c)
        out += [dataclasses.replace(c, query=w) for w in HELD_OUT.get(c.cls, ())]
    return out


def _rule(text):
    source, _, n = text.partition(":")
    if not source or not n.isdigit() or int(n) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: SOURCE:N expected, N a whole number from 1")
    return source, int(n)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", required=True, help="cases.tsv written by real_cases.py")
    p.add_argument("--split", default="val", choices=("train", "val"))
    p.add_argument("--model", help="model bundle (default: the command line's, the embedded diffris-tiny)")
    p.add_argument("--trivial", choices=("all", "none"), help="score 'every pixel' or 'nothing' instead of the model")
    p.add_argument("--subsample", type=_rule, action="append", default=[], metavar="SOURCE:N",
                   help="keep the cases of every N-th raster of SOURCE, in list order (repeatable)")
    p.add_argument("--sources", help="only these sources, comma-separated")
    p.add_argument("--held-out-wordings", action="store_true",
                   help="also run each case with its class's held-out paraphrases (held_out.txt of "
                        "the real corpus: words no training expression uses), reported per query")
    p.add_argument("--report", help="JSON report (default: beside the cases, report-SPLIT-MODE.json); TSV beside it")
    p.add_argument("--tile", type=int, metavar="PX",
                   help="tile side in model pixels, passed to `diffris segment --tile` (default: "
                        "the bundle's tiling): how the answer depends on the context it sees")
    p.add_argument("--diffris", default=str(REPO / "diffris"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.tile is not None and args.trivial:
        p.error("--tile is for the model's answers; --trivial ones have no tiles")
    if args.tile is not None and args.tile < 1:
        p.error(f"--tile {args.tile} must be a positive number of model pixels")

    cases_path = Path(args.cases)
    try:
        cases = [c for c in read_cases(cases_path) if c.split == args.split]
    except (OSError, ValueError) as e:
        print(f"real_benchmark: {e}", file=sys.stderr)
        return 2
    if args.sources:
        wanted = set(args.sources.split(","))
        cases = [c for c in cases if c.source in wanted]
    cases = subsample(cases, dict(args.subsample))
    if args.held_out_wordings:
        cases = with_held_out_wordings(cases)
    if not cases:
        print(f"real_benchmark: {cases_path} has no {args.split} case", file=sys.stderr)
        return 2
    mode = f"trivial-{args.trivial}" if args.trivial else "model"
    report = Path(args.report) if args.report else cases_path.parent / f"report-{args.split}-{mode}.json"

    results, started = [], time.time()
    load_start = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="real-benchmark-"))
    try:
        for n, case in enumerate(cases, 1):
            r = score_case(case, cases_path, args, work)
            results.append(r)
            print(f"[{n}/{len(cases)}] {r['source']} {case.raster} {case.query!r}: {r['status']}"
                  + (f" iou={r['iou']:.3f}" if r["iou"] is not None else "")
                  + (f" wall={r['wall_s']:.1f}s" if r["wall_s"] is not None else "")
                  + (f" ({r['message']})" if r["message"] else ""), file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary = summarise(results)
    meta = {"cases_file": str(cases_path), "split": args.split, "mode": mode,
            "model": args.model or "embedded default",
            "tile": args.tile or "the bundle's", "subsample": dict(args.subsample),
            "elapsed_s": time.time() - started, "load_avg_start": load_start,
            "load_avg_end": os.getloadavg(), "cpus": os.cpu_count(), "machine": platform.node()}
    report.write_text(json.dumps({"meta": meta, "summary": summary, "cases": results}, indent=1))
    with open(report.with_suffix(".tsv"), "w") as f:
        f.write("\t".join(CASE_COLUMNS) + "\n")
        for r in results:
            f.write("\t".join("" if r[k] is None else str(r[k]) for k in CASE_COLUMNS) + "\n")
    print(table(summary))
    print(f"mode={mode} split={args.split} cases={len(results)} elapsed_s={meta['elapsed_s']:.0f} "
          f"load_avg={load_start[0]:.1f}->{meta['load_avg_end'][0]:.1f} report={report}")
    # A refusal of every case is the run's options, not the cases (a tile or bundle the product
    # does not accept): a report of nothing scored must not pass for a result.
    if all(r["status"] == "refused" for r in results):
        print(f"real_benchmark: every case was refused, nothing was scored: {results[0]['message']}",
              file=sys.stderr)
        return 2
    return 1 if summary["total"]["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
