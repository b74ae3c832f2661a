"""Procedural top-down scenes: ground patches, water, and non-overlapping objects.

Guarantees of a composed :class:`Scene`:
- objects never overlap each other, except vehicles parked on roads (roads are drawn first);
- every object has a non-empty visible footprint; objects lie inside the grid, except that tiles
  made by :func:`random_scene` let some objects run over the tile edge (at least 40 % of their
  outline area inside), as objects do in tiles cut from a large image;
- ``scene.visible[i]`` is object i's footprint minus the footprints drawn after it, i.e. exactly
  the pixels that show object i, and is what the ground-truth masks are made of;
- ships lie entirely on water, every other object entirely on land;
- roads never overlap each other, except roads of a ``streets`` grid crossing at a right angle.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import geometry as geo
from .categories import CATEGORIES

MATERIALS = ("grass", "soil", "asphalt", "concrete")

# Themes give plausible co-occurrence. Counts are per 64 m x 64 m of ground (a 128 px tile at
# 0.5 m/px) and scale with the covered area.
THEMES = {
    "parking": {"ground": ("asphalt", "concrete"), "water": False,
                "counts": {"vehicle": (4, 14), "building": (0, 1), "tree": (0, 3), "road": (0, 1)}},
    "industrial": {"ground": ("concrete", "soil"), "water": False,
                   "counts": {"storage_tank": (2, 6), "vehicle": (0, 5), "building": (0, 2), "road": (0, 1)}},
    "airport": {"ground": ("concrete", "asphalt"), "water": False,
                "counts": {"airplane": (1, 3), "vehicle": (0, 5), "building": (0, 1), "storage_tank": (0, 1)}},
    "harbour": {"ground": ("concrete", "soil", "asphalt"), "water": True,
                "counts": {"ship": (1, 4), "storage_tank": (0, 3), "vehicle": (0, 4), "building": (0, 2)}},
    "residential": {"ground": ("grass",), "water": False,
                    "counts": {"building": (1, 5), "swimming_pool": (0, 3), "tree": (2, 8), "road": (0, 1),
                               "vehicle": (0, 4)}},
    "sports": {"ground": ("grass", "soil"), "water": False,
               "counts": {"tennis_court": (0, 2), "basketball_court": (0, 2), "tree": (0, 5),
                          "vehicle": (0, 4), "building": (0, 1), "swimming_pool": (0, 1)}},
}
# Themes a split only gets when it names them (generate.py --themes): tiles of open water with
# ships (a harbour basin away from the quay) and street grids with several, crossing roads. Kept
# apart from THEMES so that splits made without them stay byte-identical to earlier ones.
EXTRA_THEMES = {
    "open_water": {"ground": ("concrete",), "water": "open", "counts": {"ship": (1, 6)}},
    "streets": {"ground": ("asphalt", "concrete", "grass"), "water": False, "roads": "grid",
                "counts": {"road": (2, 3), "vehicle": (0, 6), "building": (0, 2), "tree": (0, 3)}},
}
ALL_THEMES = {**THEMES, **EXTRA_THEMES}
STREET_GAP_M = 20.0   # least clearance between parallel roads of a street grid
REFERENCE_AREA_M2 = 64.0 * 64.0
REFERENCE_PIXELS = 128 * 128
MAX_DENSITY = 1.5     # at coarse GSDs counts stop growing with ground area beyond 1.5x per 128 x 128 px
# Placement order: large and constrained things first, small things fill the gaps.
PLACEMENT_ORDER = ("road", "tennis_court", "basketball_court", "airplane", "ship", "building",
                   "storage_tank", "swimming_pool", "tree", "vehicle")


@dataclass
class SceneObject:
    """One object: category, colour word, outline polygons (pixel coordinates) and its frame."""
    category: str
    colour: str
    polygons: list
    cx: float
    cy: float
    angle: float                 # radians, direction of the length axis (u)
    length: float                # px along u
    width: float                 # px along v
    height_m: float
    style: int = 0               # category-specific variant (roof type, tank roof, ...)
    footprint: geo.Footprint = None
    cut: bool = False            # runs over the tile edge (roads always do): its size is not all seen

    def to_json(self) -> dict:
        return {"category": self.category, "colour": self.colour, "cut": self.cut,
                "polygons": [p.tolist() for p in self.polygons]}


@dataclass
class Scene:
    height: int
    width: int
    gsd: float                                   # metres per pixel
    origin: tuple                                # world (x, y) of the top-left corner
    epsg: int = 32633
    ground: list = field(default_factory=list)   # (material, (y0, y1, x0, x1)) in paint order
    water: np.ndarray = None                     # bool grid, or None
    objects: list = field(default_factory=list)  # in drawing order
    visible: list = field(default_factory=list)  # Footprint per object

    def geotransform(self) -> tuple:
        return (self.origin[0], self.gsd, 0.0, self.origin[1], 0.0, -self.gsd)

    def mask_of(self, indices) -> np.ndarray:
        """Union of the visible footprints of the given objects, as a full bool grid."""
        out = np.zeros((self.height, self.width), dtype=bool)
        for i in indices:
            self.visible[i].paste(out)
        return out

    def finish(self) -> None:
        """Sorts objects into drawing order and computes visible footprints."""
        self.objects.sort(key=lambda o: CATEGORIES[o.category].layer)   # stable: keeps placement order
        cover = np.zeros((self.height, self.width), dtype=bool)
        visible = [None] * len(self.objects)
        for i in range(len(self.objects) - 1, -1, -1):
            fp = self.objects[i].footprint
            visible[i] = geo.Footprint(fp.y0, fp.x0, fp.mask & ~cover[fp.window()])
            fp.paste(cover)
        self.visible = visible


def _dilate(mask: np.ndarray, r: int) -> np.ndarray:
    """Square dilation by r px; the result is r px larger on every side."""
    h, w = mask.shape
    out = np.zeros((h + 2 * r, w + 2 * r), dtype=bool)
    for dy in range(2 * r + 1):
        for dx in range(2 * r + 1):
            out[dy:dy + h, dx:dx + w] |= mask
    return out


def _clip_convex(poly: np.ndarray, x0, y0, x1, y1) -> np.ndarray:
    """Sutherland-Hodgman clip of a convex polygon to an axis-aligned box."""
    pts = [tuple(p) for p in poly]
    for axis, bound, keep_less in ((0, x0, False), (0, x1, True), (1, y0, False), (1, y1, True)):
        out = []
        for i, cur in enumerate(pts):
            prev = pts[i - 1]
            cin = cur[axis] <= bound if keep_less else cur[axis] >= bound
            pin = prev[axis] <= bound if keep_less else prev[axis] >= bound
            if cin != pin:
                t = (bound - prev[axis]) / (cur[axis] - prev[axis])
                out.append(tuple(prev[k] + t * (cur[k] - prev[k]) for k in range(2)))
            if cin:
                out.append(cur)
        pts = out
        if not pts:
            break
    return np.round(np.asarray(pts, dtype=np.float64), geo.VERTEX_DECIMALS)


class Composer:
    """Places objects of given themes into boxes of a scene. One instance per scene."""

    def __init__(self, scene: Scene, rng: np.random.Generator, edge_cut: float = 0.0):
        self.scene = scene
        self.rng = rng
        self.edge_cut = edge_cut        # probability that an object may run over the box edge
        self.occupied = np.zeros((scene.height, scene.width), dtype=bool)   # objects, with a margin
        self.roads = np.zeros((scene.height, scene.width), dtype=bool)
        self.streets = []               # (turns, cx, cy, width) of each street-grid road placed

    # -- public -----------------------------------------------------------------------------
    def fill(self, theme: str, box=None, count_scale: float = 1.0, angle: float = None, exclude=()) -> None:
        """Gives the box (y0, y1, x0, x1; default whole scene) a ground and the theme's objects.
        Most buildings, cars and courts align with `angle` (random when None) or a right angle to it."""
        s, rng = self.scene, self.rng
        box = box or (0, s.height, 0, s.width)
        spec = ALL_THEMES[theme]
        s.ground.append((str(rng.choice(spec["ground"])), box))
        if spec["water"] == "open":
            self._add_open_water(box)
        elif spec["water"]:
            self._add_water(box)
        pixels = (box[1] - box[0]) * (box[3] - box[2])
        scale = count_scale * min(pixels * s.gsd * s.gsd / REFERENCE_AREA_M2, MAX_DENSITY * pixels / REFERENCE_PIXELS)
        block_angle = rng.uniform(0, math.pi) if angle is None else angle
        counts = {c: int(round(rng.integers(lo, hi + 1) * scale)) for c, (lo, hi) in spec["counts"].items()}
        if theme == "sports" and counts.get("tennis_court", 0) + counts.get("basketball_court", 0) == 0:
            counts[str(rng.choice(["tennis_court", "basketball_court"]))] = 1
        grid = spec.get("roads") == "grid"       # roads parallel or crossing at right angles
        for cat in PLACEMENT_ORDER:
            for _ in range(0 if cat in exclude else counts.get(cat, 0)):
                if cat == "road" and grid:
                    self._place_street(box, block_angle)
                else:
                    self._place(cat, box, block_angle)

    # -- placement --------------------------------------------------------------------------
    def _add_water(self, box) -> None:
        s, rng = self.scene, self.rng
        y0, y1, x0, x1 = box
        h, w = y1 - y0, x1 - x0
        side = int(rng.integers(4))                      # which side of the box is water
        depth = rng.uniform(0.4, 0.6)
        amp, freq, phase = rng.uniform(0.01, 0.05), rng.uniform(1, 3), rng.uniform(0, 2 * math.pi)
        ys = (np.arange(h)[:, None] + 0.5) / h
        xs = (np.arange(w)[None, :] + 0.5) / w
        along, across = (xs, ys) if side in (0, 1) else (ys, xs)
        if side in (1, 3):
            across = 1 - across
        shore = depth + amp * np.sin(2 * math.pi * freq * along + phase)
        region = np.broadcast_to(across < shore, (h, w))
        if s.water is None:
            s.water = np.zeros((s.height, s.width), dtype=bool)
        s.water[y0:y1, x0:x1] |= region

    def _add_open_water(self, box) -> None:
        s = self.scene
        y0, y1, x0, x1 = box
        if s.water is None:
            s.water = np.zeros((s.height, s.width), dtype=bool)
        s.water[y0:y1, x0:x1] = True

    def _shape(self, cat: str, cx: float, cy: float, angle: float):
        """Samples a size and returns (polygons, length_px, width_px, style)."""
        rng, g = self.rng, self.scene.gsd
        lo, hi = CATEGORIES[cat].size_m
        size = rng.uniform(lo, hi) / g
        if cat == "vehicle":
            w = size * rng.uniform(0.38, 0.42)
            return [geo.rectangle(cx, cy, size, w, angle)], size, w, 0
        if cat == "storage_tank":
            return [geo.disc(cx, cy, size / 2)], size, size, int(rng.integers(3))
        if cat == "airplane":
            span = size * rng.uniform(0.85, 1.1)
            return geo.airplane(cx, cy, size, span, angle), size, span, 0
        if cat == "ship":
            beam = size * rng.uniform(0.18, 0.28)
            return [geo.ship(cx, cy, size, beam, angle)], size, beam, 0
        if cat == "building":
            w = max(6.0 / g, size * rng.uniform(0.4, 1.0))
            return [geo.rectangle(cx, cy, size, w, angle)], size, w, int(rng.integers(2))
        if cat in ("tennis_court", "basketball_court"):
            w = (rng.uniform(16.0, 18.0) if cat == "tennis_court" else rng.uniform(17.0, 19.0)) / g
            return [geo.rectangle(cx, cy, size, w, angle)], size, w, int(rng.integers(2))
        if cat == "swimming_pool":
            w = max(2.5 / g, size * rng.uniform(0.4, 0.7))
            return [geo.rectangle(cx, cy, size, w, angle)], size, w, 0
        if cat == "tree":
            return [geo.blob(cx, cy, size / 2, rng)], size, size, 0
        raise ValueError(f"unknown category {cat}")

    def _place(self, cat: str, box, block_angle: float, attempts: int = 25) -> bool:
        s, rng = self.scene, self.rng
        if cat == "road":
            return self._place_road(box)
        y0, y1, x0, x1 = box
        info = CATEGORIES[cat]
        margin = 0 if cat == "tree" else 1
        for _ in range(attempts):
            if cat in ("building", "vehicle", "tennis_court", "basketball_court", "swimming_pool") \
                    and rng.random() < 0.6:
                angle = block_angle + rng.integers(4) * math.pi / 2 + rng.normal(0, 0.03)
            else:
                angle = rng.uniform(0, 2 * math.pi)
            cx, cy = rng.uniform(x0, x1), rng.uniform(y0, y1)
            polys, length, width, style = self._shape(cat, cx, cy, angle)
            bx0, by0, bx1, by1 = geo.bounds(polys)
            clear = not (bx0 < x0 + 1 or by0 < y0 + 1 or bx1 > x1 - 1 or by1 > y1 - 1)
            if not clear and not (self.edge_cut > 0 and rng.random() < self.edge_cut):
                continue
            cut = bx0 < 0 or by0 < 0 or bx1 > s.width or by1 > s.height
            fp = geo.rasterize(polys, s.height, s.width)
            if fp.area < 4 or (cut and fp.area < 0.4 * geo.area(polys)):
                continue
            if fp.overlaps(self.occupied):
                continue
            if cat != "vehicle" and fp.overlaps(self.roads):
                continue
            if s.water is not None:
                on_water = s.water[fp.window()][fp.mask]
                if cat == "ship" and not on_water.all():
                    continue
                if cat != "ship" and on_water.any():
                    continue
            elif cat == "ship":
                return False
            colour = str(rng.choice(info.colours))
            height = rng.uniform(*info.height_m)
            obj = SceneObject(cat, colour, polys, cx, cy, angle, length, width, height, style, fp, cut)
            s.objects.append(obj)
            grown = geo.Footprint(fp.y0 - margin, fp.x0 - margin, _dilate(fp.mask, margin)).clipped(s.height, s.width)
            grown.paste(self.occupied)
            return True
        return False

    def _place_road(self, box, attempts: int = 10) -> bool:
        """A road band across the box at any angle, clear of other roads."""
        s, rng = self.scene, self.rng
        y0, y1, x0, x1 = box
        for _ in range(attempts):
            width = rng.uniform(*CATEGORIES["road"].size_m) / s.gsd
            angle = rng.uniform(0, math.pi)
            cx, cy = rng.uniform(x0 + 0.2 * (x1 - x0), x1 - 0.2 * (x1 - x0)), rng.uniform(y0 + 0.2 * (y1 - y0), y1 - 0.2 * (y1 - y0))
            if self._add_road(box, cx, cy, width, angle, may_cross=False):
                return True
        return False

    def _place_street(self, box, grid_angle: float, attempts: int = 10) -> bool:
        """A road of a street grid: parallel or at a right angle to `grid_angle`. It may cross
        the roads at a right angle to it; parallel ones keep a block (STREET_GAP_M) apart."""
        s, rng = self.scene, self.rng
        y0, y1, x0, x1 = box
        for _ in range(attempts):
            width = rng.uniform(*CATEGORIES["road"].size_m) / s.gsd
            turns = int(rng.integers(2))
            angle = grid_angle + turns * math.pi / 2
            cx, cy = rng.uniform(x0 + 0.15 * (x1 - x0), x1 - 0.15 * (x1 - x0)), rng.uniform(y0 + 0.15 * (y1 - y0), y1 - 0.15 * (y1 - y0))
            nx, ny = -math.sin(angle), math.cos(angle)           # normal to the road
            if any(t == turns and abs((cx - ox) * nx + (cy - oy) * ny) < (width + ow) / 2 + STREET_GAP_M / s.gsd
                   for t, ox, oy, ow in self.streets):
                continue
            if self._add_road(box, cx, cy, width, angle, may_cross=True):
                self.streets.append((turns, cx, cy, width))
                return True
        return False

    def _add_road(self, box, cx, cy, width, angle, may_cross: bool) -> bool:
        """Adds the band through (cx, cy) clipped to the box, unless it is empty, touches an
        object or water, or (unless `may_cross`) another road. Draws nothing from the rng."""
        s = self.scene
        y0, y1, x0, x1 = box
        length = 2.0 * math.hypot(x1 - x0, y1 - y0)
        poly = _clip_convex(geo.rectangle(cx, cy, length, width, angle), x0, y0, x1, y1)
        if len(poly) < 3:
            return False
        fp = geo.rasterize([poly], s.height, s.width)
        if fp.area < 4 or fp.overlaps(self.occupied) or (not may_cross and fp.overlaps(self.roads)):
            return False
        if s.water is not None and s.water[fp.window()][fp.mask].any():
            return False
        s.objects.append(SceneObject("road", "grey", [poly], cx, cy, angle, length, width, 0.0, 0, fp, True))
        fp.paste(self.roads)
        return True


def random_scene(rng: np.random.Generator, size: int, gsd: float, theme: str = None,
                 epsg: int = 32633, themes=()) -> Scene:
    """A size x size scene of one theme at the given metres per pixel. The theme is `theme`, or
    else drawn from `themes` (names in ALL_THEMES), or else from THEMES."""
    origin = (round(float(rng.uniform(300000, 700000)), 2), round(float(rng.uniform(4500000, 5500000)), 2))
    scene = Scene(size, size, gsd, origin, epsg)
    theme = theme or str(rng.choice(sorted(themes or THEMES)))
    Composer(scene, rng, edge_cut=0.3).fill(theme)
    scene.finish()
    return scene
