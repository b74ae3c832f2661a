"""Scores of one case: the answer's polygons burned back onto the truth's grid.

- mask truth: intersection and union over the pixels the truth does not ignore (IGNORED), and
  IoU = I / U (1 when both are empty, as diffris.metrics).
- point truth: a point is found when a polygon pixel lies within RADIUS_M of it (distance between
  pixel centres; the point is at the centre of its pixel); precision is per pixel: the share of
  polygon pixels within RADIUS_M of some point (the issue's definition; per predicted component
  would let one huge blob over a single tree count as fully right).
- absent truth: the share of the raster's valid pixels the answer covers (0 is right).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from osgeo import gdal, ogr

from ..metrics import iou_of  # noqa: F401  (the one IoU convention of the project)
from .cases import IGNORED

gdal.UseExceptions()
RADIUS_M = 3.0
EARTH_RADIUS = 6378137.0  # of web mercator's sphere


@dataclass(frozen=True)
class Grid:
    geotransform: tuple
    projection: str
    width: int
    height: int

    @staticmethod
    def of(path: Path) -> "Grid":
        ds = gdal.Open(str(path))
        return Grid(tuple(ds.GetGeoTransform()), ds.GetProjection(), ds.RasterXSize, ds.RasterYSize)

    def pixel_size_m(self) -> tuple:
        gt = self.geotransform
        if gt[2] != 0 or gt[4] != 0:
            raise ValueError("a north-up grid is needed to measure distances in pixels")
        return abs(gt[1]), abs(gt[5])

    def ground_scale(self) -> float:
        """Metres on the ground per map unit at the grid's centre: cos(latitude) for web
        mercator, 1 for other projections (their units taken as ground metres)."""
        if 'AUTHORITY["EPSG","3857"]' not in self.projection.replace(" ", ""):
            return 1.0
        return mercator_ground_scale(self.geotransform[3] + self.geotransform[5] * self.height / 2)


def mercator_ground_scale(y: float) -> float:
    """Ground metres per web mercator metre at northing y: cos(latitude)."""
    return math.cos(math.atan(math.sinh(y / EARTH_RADIUS)))


def burn(vector: Path, grid: Grid) -> np.ndarray:
    """[H, W] bool: pixels whose centre lies inside a polygon of the file's first layer (the
    product's polygons follow pixel edges, so this gives back its mask exactly)."""
    ds = gdal.GetDriverByName("MEM").Create("", grid.width, grid.height, 1, gdal.GDT_Byte)
    ds.SetGeoTransform(grid.geotransform)
    ds.SetProjection(grid.projection)
    src = ogr.Open(str(vector))
    if src is None:
        raise ValueError(f"{vector}: not a vector file GDAL can read")
    if src.GetLayerCount() > 0:
        gdal.RasterizeLayer(ds, [1], src.GetLayer(0), burn_values=[1])
    return ds.GetRasterBand(1).ReadAsArray() != 0


def valid_pixels(raster: Path) -> np.ndarray:
    """[H, W] bool: pixels that are not nodata (alpha 0 or the bands' nodata value)."""
    ds = gdal.Open(str(raster))
    valid = np.ones((ds.RasterYSize, ds.RasterXSize), bool)
    for i in range(1, ds.RasterCount + 1):
        b = ds.GetRasterBand(i)
        if b.GetColorInterpretation() == gdal.GCI_AlphaBand:
            valid &= b.ReadAsArray() != 0
        elif b.GetNoDataValue() is not None:
            valid &= b.ReadAsArray() != b.GetNoDataValue()
    return valid


def read_mask(path: Path) -> np.ndarray:
    ds = gdal.Open(str(path))  # held: a band outliving its dataset crashes GDAL's bindings
    return ds.GetRasterBand(1).ReadAsArray()


def read_points(path: Path) -> np.ndarray:
    """[N, 2] float (x = column, y = row) of a `x,y` CSV with a header line."""
    lines = [ln.strip() for ln in Path(path).read_text().splitlines() if ln.strip()]
    if not lines or lines[0].replace(" ", "") != "x,y":
        raise ValueError(f"{path}: the first line must be the header x,y")
    pts = []
    for n, ln in enumerate(lines[1:], start=2):
        try:
            x, y = (float(v) for v in ln.split(","))
        except ValueError:
            raise ValueError(f"{path} line {n}: {ln!r} is not two numbers x,y") from None
        pts.append((x, y))
    return np.array(pts, float).reshape(-1, 2)


def mask_counts(pred: np.ndarray, truth: np.ndarray) -> tuple:
    """(I, U) over the pixels the truth does not ignore."""
    if pred.shape != truth.shape:
        raise ValueError(f"answer grid {pred.shape} differs from the truth's {truth.shape}")
    keep = truth != IGNORED
    p, t = pred.astype(bool) & keep, (truth == 1) & keep
    return int(np.count_nonzero(p & t)), int(np.count_nonzero(p | t))


def near_points(points: np.ndarray, shape: tuple, pixel_size: tuple, radius_m=RADIUS_M) -> list:
    """Per point, the [H, W] bool of pixels whose centre is within radius_m of the point (taken
    at its pixel's centre)."""
    h, w = shape
    sx, sy = pixel_size
    cols = (np.arange(w) + 0.5) * sx
    rows = (np.arange(h) + 0.5) * sy
    out = []
    for x, y in points:
        px, py = (np.floor(x) + 0.5) * sx, (np.floor(y) + 0.5) * sy
        d2 = (rows[:, None] - py) ** 2 + (cols[None, :] - px) ** 2
        out.append(d2 <= radius_m ** 2 + 1e-9)
    return out


def point_counts(pred: np.ndarray, points: np.ndarray, pixel_size: tuple, radius_m=RADIUS_M) -> tuple:
    """(points found, points, answer pixels near a point, answer pixels)."""
    pred = pred.astype(bool)
    disks = near_points(points, pred.shape, pixel_size, radius_m)
    found = sum(1 for d in disks if (d & pred).any())
    near = np.zeros(pred.shape, bool)
    for d in disks:
        near |= d
    return found, len(disks), int(np.count_nonzero(pred & near)), int(np.count_nonzero(pred))


def coverage(pred: np.ndarray, valid: np.ndarray) -> tuple:
    """(covered valid pixels, valid pixels)."""
    return int(np.count_nonzero(pred.astype(bool) & valid)), int(np.count_nonzero(valid))
