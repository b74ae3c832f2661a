#!/usr/bin/python3
"""Draws a crop's answer over the whole raster's, for docs/segment.md.

    dev/extent/picture.py SCENE WHOLE.gpkg CROP.gpkg X Y SIZE MARGIN OUT.png

The scene at half resolution, darkened; the whole scene's polygons outlined in cyan; the crop's
polygons in yellow (at_edge false) or magenta (at_edge true); the crop's extent in white and its
edge margin dotted. Where the crop's yellow outline covers the cyan one, both answers are the
same polygon.
"""
import sys

import numpy as np
from osgeo import gdal, ogr

gdal.UseExceptions()
scene, whole_path, crop_path = sys.argv[1:4]
x0, y0, size, margin = (int(v) for v in sys.argv[4:8])
out = sys.argv[8]
SHRINK = 2

src = gdal.Open(scene)
gt = src.GetGeoTransform()
w, h = src.RasterXSize // SHRINK, src.RasterYSize // SHRINK
small = gdal.Translate("", src, format="MEM", width=w, height=h, resampleAlg="average")
rgb = small.ReadAsArray()[:3].astype(np.float32) * 0.6
half_gt = (gt[0], gt[1] * SHRINK, 0, gt[3], 0, gt[5] * SHRINK)


def outlines(path, where=None):
    """The polygons' boundaries, rasterized 1 px wide on the half-resolution grid."""
    target = gdal.GetDriverByName("MEM").Create("", w, h, 1, gdal.GDT_Byte)
    target.SetGeoTransform(half_gt)
    target.SetProjection(src.GetProjection())
    source = ogr.Open(path)
    layer = source.GetLayer(0)
    if where:
        layer.SetAttributeFilter(where)
    lines = ogr.GetDriverByName("Memory").CreateDataSource("")
    line_layer = lines.CreateLayer(
        "lines", srs=layer.GetSpatialRef(), geom_type=ogr.wkbMultiLineString
    )
    for feature in layer:
        f = ogr.Feature(line_layer.GetLayerDefn())
        f.SetGeometry(feature.GetGeometryRef().Boundary())
        line_layer.CreateFeature(f)
    gdal.RasterizeLayer(target, [1], line_layer, burn_values=[1], options=["ALL_TOUCHED=TRUE"])
    return target.ReadAsArray().astype(bool)


def paint(mask, colour):
    for band, value in enumerate(colour):
        rgb[band][mask] = value


def rectangle(left, top, right, bottom, dotted):
    mask = np.zeros((h, w), bool)
    mask[top, left:right] = mask[bottom - 1, left:right] = True
    mask[top:bottom, left] = mask[top:bottom, right - 1] = True
    if dotted:
        keep = np.add.outer(np.arange(h), np.arange(w)) % 6 < 3
        mask &= keep
    return mask


paint(outlines(whole_path), (0, 230, 255))
paint(outlines(crop_path, "at_edge = 0"), (255, 230, 0))
paint(outlines(crop_path, "at_edge = 1"), (255, 0, 255))
s = SHRINK
paint(rectangle(x0 // s, y0 // s, (x0 + size) // s, (y0 + size) // s, False), (255, 255, 255))
m = margin
paint(
    rectangle((x0 + m) // s, (y0 + m) // s, (x0 + size - m) // s, (y0 + size - m) // s, True),
    (255, 255, 255),
)
image = gdal.GetDriverByName("MEM").Create("", w, h, 3, gdal.GDT_Byte)
for band in range(3):
    image.GetRasterBand(band + 1).WriteArray(np.clip(rgb[band], 0, 255).astype(np.uint8))
gdal.GetDriverByName("PNG").CreateCopy(out, image)
