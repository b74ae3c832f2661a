"""HOT fAIr drone chips (OpenAerialMap, CC BY 4.0) with OpenStreetMap building outlines (ODbL).

Each set's chips of one zoom are placed by their slippy-tile names into one EPSG:3857 raster
(RGB + alpha; alpha 0 where no chip lies, which the product reads as nodata), and the set's
outlines are reprojected to EPSG:3857 and burned on the same grid (1 building, 0 not, 255 where
no chip lies).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from osgeo import gdal, ogr, osr

from .cases import IGNORED, Case
from .raster import srs_wkt, write_geotiff
from .slippy import TILE_PX, parse_chip_name, pixel_size, tile_bounds

gdal.UseExceptions()
EPSG = 3857
SETS = (1, 2, 3, 5)
ZOOMS = (19, 20, 21)
VAL_SETS = (5,)


def chips_by_zoom(folder: Path) -> dict:
    """{zoom: {(x, y): path}} of a set's chips."""
    found = {}
    for p in sorted(Path(folder).glob("OAM-*.png")):
        x, y, z = parse_chip_name(p.name)
        found.setdefault(z, {})[(x, y)] = p
    return found


def mosaic_grid(tiles) -> tuple:
    """(geotransform, width, height, min_x_tile, min_y_tile) of the tiles' bounding box."""
    xs, ys = [t[0] for t in tiles], [t[1] for t in tiles]
    z = tiles[0][2]
    min_x, _, _, max_y = tile_bounds(min(xs), min(ys), z)
    res = pixel_size(z)
    width, height = (max(xs) - min(xs) + 1) * TILE_PX, (max(ys) - min(ys) + 1) * TILE_PX
    return (min_x, res, 0.0, max_y, 0.0, -res), width, height, min(xs), min(ys)


def mosaic(chips: dict, z: int) -> tuple:
    """([4, H, W] uint8 RGBA, geotransform) of one zoom's chips."""
    gt, width, height, x0, y0 = mosaic_grid([(x, y, z) for x, y in chips])
    rgba = np.zeros((4, height, width), np.uint8)
    for (x, y), path in chips.items():
        ds = gdal.Open(str(path))
        if (ds.RasterXSize, ds.RasterYSize) != (TILE_PX, TILE_PX) or ds.RasterCount < 3:
            raise ValueError(f"{path}: {ds.RasterXSize}x{ds.RasterYSize}x{ds.RasterCount}, "
                             f"a {TILE_PX}x{TILE_PX} RGB chip expected")
        r, c = (y - y0) * TILE_PX, (x - x0) * TILE_PX
        rgba[:3, r:r + TILE_PX, c:c + TILE_PX] = ds.ReadAsArray(band_list=[1, 2, 3])
        rgba[3, r:r + TILE_PX, c:c + TILE_PX] = 255
    return rgba, gt


def burn_outlines(labels: Path, gt, width: int, height: int, shift_m=(0.0, 0.0),
                  ids=False) -> np.ndarray:
    """[H, W] uint8, 1 inside a building outline (pixel centre inside), 0 elsewhere; with `ids`,
    int32 with each outline's number in the file (from 1; a later outline wins where two overlap)."""
    target = osr.SpatialReference()
    target.ImportFromEPSG(EPSG)
    target.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    src = ogr.Open(str(labels))
    if src is None:
        raise ValueError(f"{labels}: not a vector file GDAL can read")
    layer = src.GetLayer(0)
    source = layer.GetSpatialRef()
    source.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    to_target = osr.CoordinateTransformation(source, target)
    mem = ogr.GetDriverByName("Memory").CreateDataSource("")
    out = mem.CreateLayer("b", target, ogr.wkbUnknown)
    out.CreateField(ogr.FieldDefn("id", ogr.OFTInteger))
    for number, feature in enumerate(layer, start=1):
        g = feature.GetGeometryRef().Clone()
        g.Transform(to_target)
        if shift_m != (0.0, 0.0):
            g = _shifted(g, *shift_m)
        f = ogr.Feature(out.GetLayerDefn())
        f.SetGeometry(g)
        f.SetField("id", number)
        out.CreateFeature(f)
    ds = gdal.GetDriverByName("MEM").Create("", width, height, 1, gdal.GDT_Int32 if ids else gdal.GDT_Byte)
    ds.SetGeoTransform(tuple(gt))
    ds.SetProjection(srs_wkt(EPSG))
    if ids:
        gdal.RasterizeLayer(ds, [1], out, options=["ATTRIBUTE=id"])
    else:
        gdal.RasterizeLayer(ds, [1], out, burn_values=[1])
    return ds.GetRasterBand(1).ReadAsArray()


def _shifted(g, dx, dy):
    wkb = g.ExportToWkb()
    g2 = ogr.CreateGeometryFromWkb(wkb)
    for i in range(g2.GetGeometryCount()):
        ring = g2.GetGeometryRef(i)
        for j in range(ring.GetPointCount()):
            x, y = ring.GetX(j), ring.GetY(j)
            ring.SetPoint_2D(j, x + dx, y + dy)
    return g2


def build(data: Path, out: Path, sets=SETS, zooms=ZOOMS) -> list:
    data, out = Path(data) / "fair", Path(out)
    (out / "fair").mkdir(parents=True, exist_ok=True)
    cases = []
    for s in sets:
        folder = data / f"set{s}"
        by_zoom = chips_by_zoom(folder)
        for z in zooms:
            if z not in by_zoom:
                raise ValueError(f"{folder}: no chips of zoom {z}")
            rgba, gt = mosaic(by_zoom[z], z)
            truth = burn_outlines(folder / "labels.geojson", gt, rgba.shape[2], rgba.shape[1])
            truth[rgba[3] == 0] = IGNORED
            name = f"fair/set{s}_z{z}"
            write_geotiff(out / f"{name}.tif", rgba, gt, EPSG, rgb=True, alpha=True)
            write_geotiff(out / f"{name}_building.tif", truth, gt, EPSG, nodata=IGNORED)
            split = "val" if s in VAL_SETS else "train"
            cases.append(Case(f"{name}.tif", "buildings", "mask", f"{name}_building.tif",
                              split, "fair", "building"))
    return cases
