"""Dubai land cover (Humans in the Loop / MBRSC, CC0) as georeferenced cases.

The tiles come without georeference or pixel size. Each tile gets the pixel size estimated from
objects measured on full-resolution crops (README.md beside this file: which objects, how many
pixels) and a nominal position in UTM 40N (EPSG:32640): only the pixel size matters to the model,
the position is a placeholder inside the zone, one per image so no two overlap.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .cases import IGNORED, Case
from .raster import read_rgb, write_geotiff

EPSG = 32640

# Measured mask colours (the dataset's classes.json hex values do not match its pixels).
CLASS_COLOURS = {
    "building": (60, 16, 152),
    "land": (132, 41, 246),
    "road": (110, 193, 228),
    "vegetation": (254, 221, 58),
    "water": (226, 169, 41),
}
IGNORED_COLOURS = ((155, 155, 155), (0, 0, 0))  # unlabeled, a few edge pixels
CLASSES = tuple(CLASS_COLOURS)
QUERIES = {"building": "buildings", "road": "roads", "vegetation": "vegetation",
           "water": "water", "land": "bare land"}

# Metres per pixel per tile, estimated from measured objects (README.md, "Pixel size per tile").
TILE_GSD_M = {1: 1.1, 2: 1.1, 3: 1.2, 4: 1.0, 5: 0.75, 6: 1.0, 7: 0.7}
VAL_TILES = (7,)


def class_of_colour(rgb) -> str | None:
    """The class of a mask colour; None for the ignored colours; ValueError for any other."""
    rgb = tuple(int(v) for v in rgb)
    for name, colour in CLASS_COLOURS.items():
        if colour == rgb:
            return name
    if rgb in IGNORED_COLOURS:
        return None
    raise ValueError(f"mask colour {rgb} is none of the measured class colours "
                     f"{CLASS_COLOURS} nor the ignored {IGNORED_COLOURS}")


def class_codes(mask_rgb: np.ndarray) -> np.ndarray:
    """[3, H, W] mask colours -> [H, W] uint8: index of CLASSES, or IGNORED."""
    packed = (mask_rgb[0].astype(np.uint32) << 16) | (mask_rgb[1].astype(np.uint32) << 8) | mask_rgb[2]
    codes = np.full(packed.shape, IGNORED, np.uint8)
    colours, inverse = np.unique(packed, return_inverse=True)
    for i, p in enumerate(colours):
        name = class_of_colour(((p >> 16) & 255, (p >> 8) & 255, p & 255))
        if name is not None:
            codes[inverse.reshape(packed.shape) == i] = CLASSES.index(name)
    return codes


def geotransform(tile: int, part: int) -> tuple:
    gsd = TILE_GSD_M[tile]
    return (300000.0 + 10000.0 * (tile - 1), gsd, 0.0, 2800000.0 - 5000.0 * (part - 1), 0.0, -gsd)


def build(data: Path, out: Path, tiles=None) -> list:
    """Writes dubai/tileN_partK.tif and one mask per class present; returns the cases."""
    data, out = Path(data) / "dubai", Path(out)
    (out / "dubai").mkdir(parents=True, exist_ok=True)
    cases = []
    for tile in sorted(tiles or TILE_GSD_M):
        images = sorted((data / f"tile{tile}" / "images").glob("image_part_*.jpg"))
        if not images:
            raise ValueError(f"{data / f'tile{tile}' / 'images'}: no image_part_*.jpg")
        for image in images:
            part = int(image.stem.rsplit("_", 1)[1])
            mask_path = data / f"tile{tile}" / "masks" / (image.stem + ".png")
            rgb, mask = read_rgb(image), read_rgb(mask_path)
            if rgb.shape != mask.shape:
                raise ValueError(f"{mask_path}: {mask.shape[1:]} px, its image {rgb.shape[1:]}")
            codes = class_codes(mask)
            gt = geotransform(tile, part)
            name = f"tile{tile}_part{part:03d}"
            raster = f"dubai/{name}.tif"
            write_geotiff(out / raster, rgb, gt, EPSG, rgb=True)
            split = "val" if tile in VAL_TILES else "train"
            for k, cls in enumerate(CLASSES):
                present = codes == k
                if present.any():
                    truth = f"dubai/{name}_{cls}.tif"
                    write_geotiff(out / truth, np.where(codes == IGNORED, IGNORED, present).astype(np.uint8),
                                  gt, EPSG, nodata=IGNORED)
                    cases.append(Case(raster, QUERIES[cls], "mask", truth, split, "dubai", cls))
                else:
                    cases.append(Case(raster, QUERIES[cls], "absent", "", split, "dubai", cls))
    return cases
