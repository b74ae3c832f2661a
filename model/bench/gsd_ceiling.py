#!/usr/bin/env python3
"""The best IoU a model's output grid allows: each mask truth at a coarser ground sample distance.

    /usr/bin/python3 model/bench/gsd_ceiling.py --cases /tmp/real-cases/cases.tsv --split val \
        --gsd 0.5 --gsd 1 --gsd 2

The model answers on a grid of its own GSD (`model.json` `image.gsd_m`, output stride 1), and the
product's polygons follow that grid's pixel edges. So even a perfect model at 1 m cannot draw a
3 m wide street or a small house exactly. For each mask case, the truth is averaged onto a grid
of the given GSD (the share of each coarse pixel that is the class, ignored pixels left out), a
coarse pixel is the class when that share is at least one half, and the result is brought back
to the truth's grid (nearest) and scored as the benchmark scores an answer. It runs no model:
the figures bound what any model at that GSD can reach, and separate the cost of the grid from
the cost of the model.

Ground distances of a web-mercator raster are its map units times cos(latitude) at its centre,
as the benchmark measures them (`scoring.Grid.ground_scale`).
"""
import argparse
import math
import sys
from pathlib import Path

import numpy as np
from osgeo import gdal

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "model"))

from diffris.metrics import iou_of  # noqa: E402
from diffris.real import scoring  # noqa: E402
from diffris.real.cases import IGNORED, read_cases, resolve  # noqa: E402

gdal.UseExceptions()


def at_gsd(truth: np.ndarray, grid: scoring.Grid, gsd_m: float) -> np.ndarray:
    """[H, W] bool on the truth's grid: the truth as a grid of gsd_m metres can hold it."""
    mem = gdal.GetDriverByName("MEM")
    share = mem.Create("", grid.width, grid.height, 1, gdal.GDT_Float32)
    share.SetGeoTransform(grid.geotransform)
    share.SetProjection(grid.projection)
    band = share.GetRasterBand(1)
    values = (truth == 1).astype(np.float32)
    values[truth == IGNORED] = -1.0
    band.WriteArray(values)
    band.SetNoDataValue(-1.0)
    step = gsd_m / grid.ground_scale()
    coarse = gdal.Warp("", share, format="MEM", xRes=step, yRes=step, resampleAlg="average",
                       srcNodata=-1.0, dstNodata=-1.0)
    cb = coarse.GetRasterBand(1)
    cb.WriteArray((cb.ReadAsArray() >= 0.5).astype(np.float32))
    back = gdal.Warp("", coarse, format="MEM", width=grid.width, height=grid.height,
                     outputBounds=_bounds(grid), resampleAlg="near", dstNodata=-1.0)
    return back.GetRasterBand(1).ReadAsArray() == 1.0


def _bounds(grid: scoring.Grid) -> tuple:
    gt = grid.geotransform
    x0, y0 = gt[0], gt[3]
    x1, y1 = x0 + gt[1] * grid.width, y0 + gt[5] * grid.height
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", required=True, type=Path, help="the case list (real_cases.py)")
    p.add_argument("--split", choices=("train", "val"), default="val")
    p.add_argument("--gsd", type=float, action="append", required=True, metavar="METRES",
                   help="a ground sample distance to score (repeat for several)")
    a = p.parse_args(argv)
    if any(g <= 0 or not math.isfinite(g) for g in a.gsd):
        p.error("--gsd must be a positive number of metres")
    try:
        cases = [c for c in read_cases(a.cases) if c.split == a.split and c.truth_kind == "mask"]
    except (OSError, ValueError) as e:
        print(f"gsd_ceiling.py: {e}", file=sys.stderr)
        return 2
    if not cases:
        print(f"gsd_ceiling.py: {a.cases} has no {a.split} mask cases", file=sys.stderr)
        return 2
    # per (source, class): the per-case IoU at each GSD, and the native pixel sizes seen
    scores, native = {}, {}
    for c in cases:
        path = resolve(a.cases, c.truth)
        try:
            grid = scoring.Grid.of(path)
            truth = scoring.read_mask(path)
        except RuntimeError as e:  # GDAL's errors, with the file's name
            print(f"gsd_ceiling.py: truth of {c.raster} / {c.query!r}: {e}", file=sys.stderr)
            return 2
        key = (c.source, c.cls)
        px = grid.pixel_size_m()[0] * grid.ground_scale()
        native.setdefault(key, []).append(px)
        for g in a.gsd:
            i, u = scoring.mask_counts(at_gsd(truth, grid, g), truth)
            scores.setdefault(key, {}).setdefault(g, []).append(iou_of(i, u))
    head = ["source", "class", "cases", "native m/px"] + [f"IoU at {g:g} m" for g in a.gsd]
    print("\t".join(head))
    for key in sorted(scores):
        px = native[key]
        row = [key[0], key[1], str(len(px)), f"{min(px):.3f}-{max(px):.3f}"]
        # the mean of per-case IoU, as the benchmark's mIoU
        row += [f"{np.mean(scores[key][g]):.3f}" for g in a.gsd]
        print("\t".join(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
