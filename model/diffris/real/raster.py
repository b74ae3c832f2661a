"""Small GeoTIFF writers for the case builders (GDAL)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()


def srs_wkt(epsg: int) -> str:
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    return s.ExportToWkt()


def write_geotiff(path: Path, bands: np.ndarray, geotransform, epsg: int, *, rgb=False,
                  alpha=False, nodata=None) -> None:
    """Writes uint8 bands [B, H, W] (or one [H, W]) north-up; RGB(A) colour interpretation when
    asked, so the product picks red/green/blue by itself. Written under a temporary name and
    renamed, so an interrupted build leaves no half-written raster under the final name."""
    bands = np.asarray(bands)
    if bands.ndim == 2:
        bands = bands[None]
    if bands.dtype != np.uint8:
        raise ValueError(f"{path}: uint8 bands expected, got {bands.dtype}")
    path = Path(path)
    tmp = path.with_name(path.name + ".partial.tif")
    options = ["COMPRESS=DEFLATE", "TILED=YES"]
    if rgb:
        options.append("PHOTOMETRIC=RGB")
    if alpha:
        options.append("ALPHA=YES")
    ds = gdal.GetDriverByName("GTiff").Create(str(tmp), bands.shape[2], bands.shape[1],
                                              bands.shape[0], gdal.GDT_Byte, options)
    ds.SetGeoTransform(tuple(geotransform))
    ds.SetProjection(srs_wkt(epsg))
    for i in range(bands.shape[0]):
        b = ds.GetRasterBand(i + 1)
        b.WriteArray(bands[i])
        if nodata is not None:
            b.SetNoDataValue(nodata)
    if rgb:
        interp = [gdal.GCI_RedBand, gdal.GCI_GreenBand, gdal.GCI_BlueBand, gdal.GCI_AlphaBand]
        for i in range(bands.shape[0]):
            ds.GetRasterBand(i + 1).SetColorInterpretation(interp[i])
    ds.FlushCache()
    ds = None
    tmp.replace(path)


def read_rgb(path: Path) -> np.ndarray:
    """[3, H, W] uint8 of a JPEG/PNG/TIFF, palettes expanded (some Dubai masks are paletted)."""
    ds = gdal.Open(str(path))
    b = ds.GetRasterBand(1)
    table = b.GetColorTable()
    if ds.RasterCount == 1 and table is not None:
        lut = np.zeros((256, 3), np.uint8)
        for i in range(min(256, table.GetCount())):
            lut[i] = table.GetColorEntry(i)[:3]
        return lut[b.ReadAsArray()].transpose(2, 0, 1)
    if ds.RasterCount < 3:
        raise ValueError(f"{path}: {ds.RasterCount} band(s), an RGB image or a palette expected")
    return ds.ReadAsArray(band_list=[1, 2, 3])
