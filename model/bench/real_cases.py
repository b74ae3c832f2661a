#!/usr/bin/env python3
"""Turns ../shared/real-imagery into benchmark cases: georeferenced rasters, truths, cases.tsv.

    /usr/bin/python3 model/bench/real_cases.py --data ../shared/real-imagery --out /tmp/real-cases

Writes into OUT (outside the repository; that data is never committed): dubai/ (tiles as UTM 40N
GeoTIFFs at their estimated pixel size, one mask per class), fair/ (one EPSG:3857 mosaic per set
and zoom, buildings burned), urban-trees/ (empty point files for crops without trees; the crops
themselves are referred to where they lie) and cases.tsv (model/diffris/real/cases.py).
The folder is built under a temporary name and renamed when complete.
"""
import argparse
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "model"))

from diffris.real import dubai, fair, trees  # noqa: E402
from diffris.real.cases import write_cases  # noqa: E402

SOURCES = ("dubai", "fair", "urban-trees")


def _ints(text):
    return tuple(int(v) for v in text.split(","))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(REPO.parent / "shared" / "real-imagery"),
                   help="the real-imagery folder (default ../shared/real-imagery beside the repository)")
    p.add_argument("--out", required=True, help="case folder to create (outside the repository)")
    p.add_argument("--sources", default=",".join(SOURCES), help=f"comma-separated, of {', '.join(SOURCES)}")
    p.add_argument("--dubai-tiles", type=_ints, help="only these tiles (e.g. 7)")
    p.add_argument("--fair-sets", type=_ints, default=fair.SETS, help="only these sets (e.g. 5)")
    p.add_argument("--fair-zooms", type=_ints, default=fair.ZOOMS, help="only these zooms (e.g. 19)")
    p.add_argument("--trees-limit", type=int, help="only the first N names of train.txt and val.txt")
    p.add_argument("--overwrite", action="store_true", help="replace an existing OUT")
    a = p.parse_args(argv)

    data, out = Path(a.data).resolve(), Path(a.out).resolve()
    sources = [s for s in a.sources.split(",") if s]
    bad = [s for s in sources if s not in SOURCES]
    if bad:
        p.error(f"--sources {','.join(bad)}: accepted {', '.join(SOURCES)}")
    if not data.is_dir():
        p.error(f"--data {data}: no such folder (the real-imagery folder, see its README)")
    if out == REPO or REPO in out.parents:
        p.error(f"--out {out} lies inside the repository; that data must never be committed: "
                "give a folder outside it")
    if data == out or data in out.parents or out in data.parents:
        p.error(f"--out {out} overlaps --data {data}")
    if out.exists() and not a.overwrite:
        p.error(f"--out {out} exists (--overwrite replaces it)")

    work = out.with_name(out.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        cases = []
        if "dubai" in sources:
            cases += dubai.build(data, work, a.dubai_tiles)
        if "fair" in sources:
            cases += fair.build(data, work, a.fair_sets, a.fair_zooms)
        if "urban-trees" in sources:
            cases += trees.build(data, work, a.trees_limit)
        write_cases(work / "cases.tsv", cases)
    except (ValueError, OSError) as e:
        shutil.rmtree(work, ignore_errors=True)
        print(f"real_cases: {e}", file=sys.stderr)
        return 2
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if out.exists():
        shutil.rmtree(out)
    work.rename(out)
    counts = {}
    for c in cases:
        key = (c.source, c.split, c.truth_kind)
        counts[key] = counts.get(key, 0) + 1
    for (source, split, kind), n in sorted(counts.items()):
        print(f"{source}\t{split}\t{kind}\t{n}")
    print(f"cases={len(cases)} out={out / 'cases.tsv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
