"""Object outlines as polygons in pixel coordinates, and their rasterization.

Coordinates: x to the right, y down, pixel (col, row) covers [col, col+1) x [row, row+1).
A pixel belongs to a polygon when its centre (col + 0.5, row + 0.5) is inside (even-odd rule),
the same rule as GDAL's default rasterizer, so a polygon written to a vector file and burned with
``gdal.RasterizeLayer`` gives the same mask (the corpus tests rely on this).

Vertices are rounded to 1/1000 px when built, so the outlines written to JSON read back exactly.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

VERTEX_DECIMALS = 3


def _rounded(points) -> np.ndarray:
    return np.round(np.asarray(points, dtype=np.float64), VERTEX_DECIMALS)


def rotated(points, cx: float, cy: float, angle: float) -> np.ndarray:
    """Rotates points given in an object frame (u along the length, v across) and moves them to (cx, cy)."""
    p = np.asarray(points, dtype=np.float64)
    c, s = math.cos(angle), math.sin(angle)
    x = cx + p[:, 0] * c - p[:, 1] * s
    y = cy + p[:, 0] * s + p[:, 1] * c
    return _rounded(np.stack([x, y], axis=1))


def rectangle(cx, cy, length, width, angle) -> np.ndarray:
    hl, hw = length / 2.0, width / 2.0
    return rotated([(-hl, -hw), (hl, -hw), (hl, hw), (-hl, hw)], cx, cy, angle)


def disc(cx, cy, radius, vertices: int = 48) -> np.ndarray:
    t = np.linspace(0.0, 2.0 * math.pi, vertices, endpoint=False)
    return _rounded(np.stack([cx + radius * np.cos(t), cy + radius * np.sin(t)], axis=1))


def blob(cx, cy, radius, rng: np.random.Generator, vertices: int = 32) -> np.ndarray:
    """A round outline with a wobbly edge (tree crowns)."""
    t = np.linspace(0.0, 2.0 * math.pi, vertices, endpoint=False)
    r = np.full(vertices, float(radius))
    for k in (2, 3, 5):
        r += radius * rng.uniform(0.0, 0.08) * np.cos(k * t + rng.uniform(0, 2 * math.pi))
    return _rounded(np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], axis=1))


def airplane(cx, cy, length, span, angle) -> list[np.ndarray]:
    """Fuselage, swept wings and tail plane; the nose points along +u."""
    fw = 0.11 * length                      # fuselage width
    chord = 0.16 * length                   # wing chord at the root
    sweep = 0.12 * length                   # tip trails the root by this much
    wing_u = 0.08 * length                  # root leading edge, ahead of the centre
    tail_span = 0.38 * span
    fuselage = [(0.5 * length, 0.0), (0.42 * length, -fw / 2), (-0.5 * length, -fw / 2.5),
                (-0.5 * length, fw / 2.5), (0.42 * length, fw / 2)]
    wings = [(wing_u, -span / 2 * 0.05), (wing_u - sweep, -span / 2), (wing_u - sweep - 0.35 * chord, -span / 2),
             (wing_u - chord, -span / 2 * 0.05), (wing_u - chord, span / 2 * 0.05),
             (wing_u - sweep - 0.35 * chord, span / 2), (wing_u - sweep, span / 2), (wing_u, span / 2 * 0.05)]
    tu = -0.36 * length
    tail = [(tu, -fw / 3), (tu - 0.1 * length, -tail_span / 2), (tu - 0.15 * length, -tail_span / 2),
            (tu - 0.12 * length, -fw / 3), (tu - 0.12 * length, fw / 3), (tu - 0.15 * length, tail_span / 2),
            (tu - 0.1 * length, tail_span / 2), (tu, fw / 3)]
    return [rotated(p, cx, cy, angle) for p in (fuselage, wings, tail)]


def ship(cx, cy, length, beam, angle) -> np.ndarray:
    """A hull with a pointed bow along +u and a square stern."""
    hl, hb = length / 2.0, beam / 2.0
    return rotated([(hl, 0.0), (hl - 0.25 * length, -hb), (-hl, -hb * 0.9), (-hl, hb * 0.9),
                    (hl - 0.25 * length, hb)], cx, cy, angle)


@dataclass
class Footprint:
    """A boolean mask restricted to a window: rows y0..y0+h, columns x0..x0+w of a larger grid."""
    y0: int
    x0: int
    mask: np.ndarray

    @property
    def area(self) -> int:
        return int(self.mask.sum())

    def window(self):
        h, w = self.mask.shape
        return slice(self.y0, self.y0 + h), slice(self.x0, self.x0 + w)

    def paste(self, grid: np.ndarray, value=True) -> None:
        grid[self.window()][self.mask] = value

    def overlaps(self, grid: np.ndarray) -> bool:
        return bool((grid[self.window()] & self.mask).any())

    def full(self, height: int, width: int) -> np.ndarray:
        out = np.zeros((height, width), dtype=bool)
        self.paste(out)
        return out

    def centroid(self) -> tuple[float, float]:
        ys, xs = np.nonzero(self.mask)
        return float(xs.mean() + self.x0 + 0.5), float(ys.mean() + self.y0 + 0.5)

    def shifted(self, dx: int, dy: int) -> "Footprint":
        return Footprint(self.y0 + dy, self.x0 + dx, self.mask)

    def clipped(self, height: int, width: int) -> "Footprint":
        """The part of this footprint inside a height x width grid (possibly empty)."""
        h, w = self.mask.shape
        ya, xa = max(self.y0, 0), max(self.x0, 0)
        yb, xb = min(self.y0 + h, height), min(self.x0 + w, width)
        if ya >= yb or xa >= xb:
            return Footprint(0, 0, np.zeros((0, 0), dtype=bool))
        return Footprint(ya, xa, self.mask[ya - self.y0:yb - self.y0, xa - self.x0:xb - self.x0])


def bounds(polygons) -> tuple[float, float, float, float]:
    allp = np.concatenate(polygons, axis=0)
    return float(allp[:, 0].min()), float(allp[:, 1].min()), float(allp[:, 0].max()), float(allp[:, 1].max())


def area(polygons) -> float:
    """Sum of the polygons' areas in px^2 (shoelace; overlapping parts count twice)."""
    total = 0.0
    for p in polygons:
        x, y = p[:, 0], p[:, 1]
        total += abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))) / 2.0
    return total


def rasterize(polygons, height: int, width: int) -> Footprint:
    """Union of polygons (each even-odd filled), as a footprint clipped to a height x width grid.

    Cost: O(vertices x window pixels), the window being the clipped bounding box.
    """
    xmin, ymin, xmax, ymax = bounds(polygons)
    x0, y0 = max(0, int(math.floor(xmin))), max(0, int(math.floor(ymin)))
    x1, y1 = min(width, int(math.ceil(xmax)) + 1), min(height, int(math.ceil(ymax)) + 1)
    if x0 >= x1 or y0 >= y1:
        return Footprint(0, 0, np.zeros((0, 0), dtype=bool))
    xs = np.arange(x0, x1, dtype=np.float64)[None, :] + 0.5
    ys = np.arange(y0, y1, dtype=np.float64)[:, None] + 0.5
    out = np.zeros((y1 - y0, x1 - x0), dtype=bool)
    for poly in polygons:
        ax, ay = poly[:, 0], poly[:, 1]
        bx, by = np.roll(ax, -1), np.roll(ay, -1)
        keep = ay != by                                                   # horizontal edges never cross
        ax, ay, bx, by = ax[keep], ay[keep], bx[keep], by[keep]
        crosses = (ay[None, :] > ys) != (by[None, :] > ys)                # (rows, edges): edge spans the row centre
        with np.errstate(invalid="ignore", divide="ignore"):
            xcross = ax[None, :] + (ys - ay[None, :]) * ((bx - ax) / (by - ay))[None, :]
        xcross = np.where(crosses, xcross, -np.inf)                       # edges off the row never count
        if out.size * len(ax) <= 4_000_000:
            count = (xs[:, :, None] < xcross[:, None, :]).sum(axis=2)     # crossings right of each pixel
            out |= (count & 1).astype(bool)
        else:                                                             # big window: one edge at a time
            inside = np.zeros_like(out)
            for i in range(len(ax)):
                inside ^= xs < xcross[:, i:i + 1]
            out |= inside
    return Footprint(y0, x0, out)


def polygon_distance(a_polys, b_polys) -> float:
    """Smallest distance between two sets of polygon outlines (0 when edges cross).

    Exact for outlines that do not contain one another, which holds for the non-overlapping
    objects of a scene.
    """
    def vertex_to_edges(points, polys):
        best = np.inf
        for poly in polys:
            a = poly
            b = np.roll(poly, -1, axis=0)
            d = b - a                                                   # (m, 2)
            len2 = np.maximum((d ** 2).sum(1), 1e-12)
            rel = points[:, None, :] - a[None, :, :]                    # (n, m, 2)
            t = np.clip((rel * d[None]).sum(2) / len2[None], 0.0, 1.0)
            nearest = a[None] + t[..., None] * d[None]
            dist = np.sqrt(((points[:, None, :] - nearest) ** 2).sum(2))
            best = min(best, float(dist.min()))
        return best

    pa = np.concatenate(a_polys, axis=0)
    pb = np.concatenate(b_polys, axis=0)
    return min(vertex_to_edges(pa, b_polys), vertex_to_edges(pb, a_polys))
