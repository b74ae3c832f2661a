#!/usr/bin/env python3
"""How far a fAIr set's OpenStreetMap outlines sit from the buildings in its imagery.

    /usr/bin/python3 model/bench/fair_alignment.py --data ../shared/real-imagery --set 3 --zoom 20

Burns the outlines on the set's mosaic, shifts the burned mask by whole pixels over +-RANGE m
and scores each shift by the mean image gradient along the mask's boundary (an outline that lies
on a roof edge sits on strong gradients). Prints the best shift in ground metres (web-mercator
metres times cos(latitude)), east and north positive, with the score at no shift beside it.
"""
import argparse
import math
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "model"))

from diffris.real.fair import burn_outlines, chips_by_zoom, mosaic  # noqa: E402
from diffris.real.scoring import mercator_ground_scale  # noqa: E402


def boundary(mask):
    """(rows, cols) of mask pixels with a 4-neighbour outside the mask."""
    inner = mask.copy()
    inner[1:, :] &= mask[:-1, :]
    inner[:-1, :] &= mask[1:, :]
    inner[:, 1:] &= mask[:, :-1]
    inner[:, :-1] &= mask[:, 1:]
    return np.nonzero(mask & ~inner)


def boundary_score(grad, edge, dy, dx):
    """Mean gradient under the boundary moved by (dy, dx) px (a moved mask's boundary is the
    boundary moved); pixels moved off the image are left out."""
    ys, xs = edge[0] + dy, edge[1] + dx
    keep = (ys >= 0) & (ys < grad.shape[0]) & (xs >= 0) & (xs < grad.shape[1])
    return float(grad[ys[keep], xs[keep]].mean()) if keep.any() else 0.0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(REPO.parent / "shared" / "real-imagery"),
                   help="the real-imagery folder (default ../shared/real-imagery)")
    p.add_argument("--set", type=int, required=True, help="the fAIr set number (fair/setN)")
    p.add_argument("--zoom", type=int, default=20, help="the chips' zoom (default 20)")
    p.add_argument("--range-m", type=float, default=6.0,
                   help="largest shift tried, ground metres (default 6)")
    a = p.parse_args(argv)
    if not a.range_m > 0:
        p.error(f"--range-m {a.range_m} must be a positive number of metres")
    folder = Path(a.data) / "fair" / f"set{a.set}"
    zooms = chips_by_zoom(folder)
    if a.zoom not in zooms:
        sets = sorted(d.name for d in (Path(a.data) / "fair").glob("set*") if d.is_dir())
        p.error(f"{folder} has no chips at zoom {a.zoom}"
                + (f" (zooms there: {', '.join(map(str, sorted(zooms)))})" if zooms
                   else f"; sets in {Path(a.data) / 'fair'}: {', '.join(sets) or 'none'}"))
    rgba, gt = mosaic(zooms[a.zoom], a.zoom)
    mask = burn_outlines(folder / "labels.geojson", gt, rgba.shape[2], rgba.shape[1]) == 1
    grey = rgba[:3].astype(np.float32).mean(0)
    gy, gx = np.gradient(grey)
    grad = np.hypot(gx, gy)
    grad[rgba[3] == 0] = np.nan
    # ground metres per pixel of the chips' web mercator grid, at its centre
    ground = gt[1] * mercator_ground_scale(gt[3] + gt[5] * rgba.shape[1] / 2)
    reach = int(round(a.range_m / ground))
    grad = np.nan_to_num(grad, nan=0.0)
    edge = boundary(mask)
    scores = {(dy, dx): boundary_score(grad, edge, dy, dx)
              for dy in range(-reach, reach + 1) for dx in range(-reach, reach + 1)}
    (dy, dx), best = max(scores.items(), key=lambda kv: kv[1])
    east, north = dx * ground, -dy * ground
    print(f"set {a.set} zoom {a.zoom}: {ground:.3f} m/px on the ground; best shift east {east:+.2f} m, "
          f"north {north:+.2f} m ({math.hypot(east, north):.2f} m), boundary gradient {best:.2f} "
          f"against {scores[(0, 0)]:.2f} unshifted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
