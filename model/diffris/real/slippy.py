"""Slippy-map (web-mercator XYZ) tile names to EPSG:3857 bounds."""
from __future__ import annotations

import math
import re

# Half the extent of the web-mercator square: pi times the WGS84 semi-major axis.
ORIGIN_SHIFT = math.pi * 6378137.0
TILE_PX = 256
_CHIP = re.compile(r"^OAM-(\d+)-(\d+)-(\d+)\.png$")


def tile_bounds(x: int, y: int, z: int) -> tuple:
    """(min_x, min_y, max_x, max_y) in EPSG:3857 metres of tile x, y at zoom z (origin top left)."""
    n = 1 << z
    if not (0 <= x < n and 0 <= y < n):
        raise ValueError(f"tile {x},{y} does not exist at zoom {z} (0..{n - 1})")
    size = 2 * ORIGIN_SHIFT / n
    min_x = -ORIGIN_SHIFT + x * size
    max_y = ORIGIN_SHIFT - y * size
    return (min_x, max_y - size, min_x + size, max_y)


def pixel_size(z: int) -> float:
    """Metres of EPSG:3857 per pixel of a 256 px tile at zoom z (ground size shrinks by cos(lat))."""
    return 2 * ORIGIN_SHIFT / (1 << z) / TILE_PX


def parse_chip_name(name: str) -> tuple:
    """`OAM-X-Y-Z.png` -> (x, y, z)."""
    m = _CHIP.match(name)
    if not m:
        raise ValueError(f"{name!r} is not a chip name OAM-X-Y-Z.png")
    return tuple(int(g) for g in m.groups())
