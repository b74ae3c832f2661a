"""GeoTIFF writing through GDAL, deterministic (no timestamps, no side-car files)."""
from __future__ import annotations

import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()
gdal.SetConfigOption("GDAL_PAM_ENABLED", "NO")      # never write .aux.xml next to our files

_WKT_CACHE = {}


def srs_wkt(epsg: int) -> str:
    if epsg not in _WKT_CACHE:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        _WKT_CACHE[epsg] = srs.ExportToWkt()
    return _WKT_CACHE[epsg]


def write(path: str, array: np.ndarray, geotransform, epsg: int, options=("COMPRESS=DEFLATE",)) -> None:
    """Writes an HxW or HxWx3 uint8 array as a GeoTIFF with the given transform and EPSG CRS."""
    bands = 1 if array.ndim == 2 else array.shape[2]
    h, w = array.shape[:2]
    opts = list(options)
    if bands == 3:
        opts.append("PHOTOMETRIC=RGB")
    ds = gdal.GetDriverByName("GTiff").Create(path, w, h, bands, gdal.GDT_Byte, options=opts)
    try:
        ds.SetGeoTransform(tuple(float(v) for v in geotransform))
        ds.SetProjection(srs_wkt(epsg))
        if bands == 1:
            ds.GetRasterBand(1).WriteArray(array)
        else:
            ds.WriteArray(np.ascontiguousarray(array.transpose(2, 0, 1)))
    finally:
        ds = None


def read(path: str) -> np.ndarray:
    """HxW for one band, HxWx3 for three."""
    ds = gdal.Open(path)
    a = ds.ReadAsArray()
    return a if a.ndim == 2 else a.transpose(1, 2, 0)
