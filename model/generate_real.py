#!/usr/bin/env python3
"""Writes the real labelled imagery (../shared/real-imagery) as referring-expression splits in the
RefSegRS layout, for `model/train.py --data OUT`.

    nice /usr/bin/python3 model/generate_real.py --out /tmp/real-corpus --gsd 0.5 --size 128

OUT must lie outside the repository (that data and crops of it are never committed); it is built
under a temporary name beside it and moved into place when complete, so a failed or stopped run
leaves nothing. Same arguments, byte-identical files. See model/README.md, "Real corpus".
"""
import argparse
import shlex
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "model"))

from diffris.partial import PartialFolder  # noqa: E402
from diffris.real.corpus import SOURCES, SPLITS, Options, count_table, held_out_lines, \
    write_split  # noqa: E402
from diffris.stops import StopSignals  # noqa: E402

NAME = "generate_real.py"


def _list(text, accepted, option):
    items = [t.strip() for t in text.split(",") if t.strip()]
    bad = [t for t in items if t not in accepted]
    if bad or not items:
        raise ValueError(f"{option} {text!r}: give a comma-separated list of {', '.join(accepted)}")
    return [a for a in accepted if a in items]


def _check(a):
    """The arguments as (data, out, splits, sources, Options); ValueError names the bad one."""
    splits = _list(a.splits, SPLITS, "--splits")
    sources = _list(a.sources, SOURCES, "--sources")
    if not 0.05 <= a.gsd <= 10:
        raise ValueError(f"--gsd {a.gsd:g} m/px is out of range: use 0.05 to 10")
    if not 32 <= a.size <= 4096:
        raise ValueError(f"--size {a.size} px is out of range: use 32 to 4096")
    if a.seed < 0:
        raise ValueError(f"--seed {a.seed} must be a non-negative integer")
    if a.limit is not None and a.limit < 1:
        raise ValueError(f"--limit {a.limit} must be at least 1 (chips per source and split)")
    if not 0.1 <= a.tree_radius_m <= 20:
        raise ValueError(f"--tree-radius-m {a.tree_radius_m:g} is out of range: use 0.1 to 20 m")
    if a.fair_zoom not in (19, 20, 21):
        raise ValueError(f"--fair-zoom {a.fair_zoom}: the sets hold zooms 19, 20 and 21")
    data, out = Path(a.data).resolve(), Path(a.out).resolve()
    if not data.is_dir():
        raise ValueError(f"--data {data}: no such folder (the real-imagery folder, see its README)")
    if out == REPO or REPO in out.parents:
        raise ValueError(f"--out {out} lies inside the repository; that data must never be committed: "
                         "give a folder outside it")
    if data == out or data in out.parents or out in data.parents:
        raise ValueError(f"--out {out} overlaps --data {data}")
    if out.exists() and not a.replace:
        raise ValueError(f"--out {out} exists (--replace writes it anew)")
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} exists and is not a folder")
    strides = {}
    for rule in a.train_stride:
        source, _, pixels = rule.partition(":")
        if source not in SOURCES or not pixels.isdigit() or not 1 <= int(pixels) <= a.size:
            raise ValueError(f"--train-stride {rule!r}: give SOURCE:PIXELS with SOURCE one of "
                             f"{', '.join(SOURCES)} and PIXELS from 1 to --size ({a.size})")
        strides[source] = int(pixels)
    opts = Options(gsd=a.gsd, size=a.size, seed=a.seed, tree_radius_m=a.tree_radius_m,
                   fair_zoom=a.fair_zoom, limit=a.limit, train_strides=tuple(sorted(strides.items())))
    return data, out, splits, sources, opts


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    p = argparse.ArgumentParser(prog=NAME, description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(REPO.parent / "shared" / "real-imagery"),
                   help="the real-imagery folder (default ../shared/real-imagery beside the repository)")
    p.add_argument("--out", required=True, help="corpus folder to create, outside the repository")
    p.add_argument("--replace", action="store_true", help="replace an existing OUT")
    p.add_argument("--gsd", type=float, default=0.5,
                   help="the model's ground sampling distance the chips are resampled to, m/px (default 0.5)")
    p.add_argument("--size", type=int, default=128, help="chip side in pixels at that GSD (default 128)")
    p.add_argument("--seed", type=int, default=0, help="seed of the wording draws (default 0)")
    p.add_argument("--splits", default="train,val", help="comma-separated, of train, val (default both)")
    p.add_argument("--sources", default=",".join(SOURCES), help=f"comma-separated, of {', '.join(SOURCES)}")
    p.add_argument("--limit", type=int, help="at most N chips per source and split (quick tests)")
    p.add_argument("--tree-radius-m", type=float, default=2.5,
                   help="tree truth: a disk of this radius around each tree point, metres (default 2.5)")
    p.add_argument("--fair-zoom", type=int, default=19,
                   help="the fAIr zoom mosaicked and resampled (19, 20, 21; default 19, about 0.3 m)")
    p.add_argument("--train-stride", action="append", default=[], metavar="SOURCE:PIXELS",
                   help="cut this source's train split every PIXELS (overlapping chips for a small "
                        "source, e.g. fair:32); val chips never overlap")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    a = p.parse_args(argv)
    try:
        data, out, splits, sources, opts = _check(a)
    except ValueError as e:
        print(f"{NAME}: {e}", file=sys.stderr)
        return 2

    def progress(split, source, n):
        if not a.quiet:
            print(f"\r{split} {source}: {n} chips ", end="", file=sys.stderr, flush=True)

    start = time.perf_counter()
    counts = {}

    def build():
        staging = PartialFolder(out)
        try:
            tmp = staging.create()
            for split in splits:
                for (source, kind), n in write_split(data, tmp, split, sources, opts, progress).items():
                    counts[(split, source, kind)] = n
                if not a.quiet:
                    print(file=sys.stderr)
            (tmp / "held_out.txt").write_text("".join(held_out_lines()), encoding="utf-8")
            (tmp / "README.txt").write_text(
                "Written by model/generate_real.py from ../shared/real-imagery (read its README: "
                "licences and attribution; never commit this folder or crops of it).\n\n"
                f"{NAME} {' '.join(shlex.quote(x) for x in argv)}\n\n{count_table(counts)}\n",
                encoding="utf-8")
            staging.commit()
        except BaseException:
            staging.discard()     # a stop recorded meanwhile is raised again from here
            raise

    with StopSignals() as stop:
        try:
            build()
        except BaseException as e:
            if stop.received is not None:
                print(f"\n{NAME}: stopped by {stop.name()}; nothing was written to {out}", file=sys.stderr)
                return stop.exit_status()
            if isinstance(e, ValueError):
                print(f"{NAME}: {e}", file=sys.stderr)
                return 2
            if isinstance(e, OSError):
                print(f"{NAME}: cannot write {out}: {e}", file=sys.stderr)
                return 1
            raise
    print(count_table(counts))
    print(f"wrote {sum(counts.values())} expressions to {out} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
