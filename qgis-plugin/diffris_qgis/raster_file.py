"""A raster layer as a GeoTIFF file: its own file when it is one, else a copy written for the run.

Both algorithms need a GeoTIFF: the command line reads only GeoTIFF, and the WPS upload sends the
raster as image/tiff.
"""

from __future__ import annotations

from pathlib import Path

from osgeo import gdal
from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsRasterFileWriter,
    QgsRasterLayer,
    QgsRasterPipe,
)


def require_crs(layer: QgsRasterLayer) -> None:
    if not layer.crs().isValid():
        raise QgsProcessingException(
            f"The raster '{layer.name()}' has no CRS. DiffRIS returns polygons in the raster's CRS "
            "and needs one with an EPSG code: set it in Layer Properties > Source, or georeference "
            "the file."
        )


def own_geotiff(layer: QgsRasterLayer) -> Path | None:
    """The layer's file when it is a GeoTIFF that carries the layer's CRS, else None."""
    if layer.providerType() != "gdal":
        return None
    path = Path(layer.dataProvider().dataSourceUri().split("|")[0])
    if not path.is_file():
        return None
    dataset = gdal.OpenEx(str(path), gdal.OF_RASTER)
    if dataset is None or dataset.GetDriver().ShortName != "GTiff":
        return None
    # A file without a CRS whose layer got one in QGIS: the copy carries the layer's CRS.
    return path if dataset.GetSpatialRef() is not None else None


def source_name(layer: QgsRasterLayer) -> str:
    """The name the layer's polygons carry as their `source`: its file's name, else its name."""
    path = Path(layer.dataProvider().dataSourceUri().split("|")[0])
    return path.name if layer.providerType() == "gdal" and path.is_file() else layer.name()


def geotiff_for(
    layer: QgsRasterLayer,
    folder: Path,
    context: QgsProcessingContext,
    feedback: QgsProcessingFeedback,
) -> Path:
    """A GeoTIFF with the layer's pixels and CRS: its own file, or a copy written into folder."""
    require_crs(layer)
    own = own_geotiff(layer)
    if own is not None:
        return own
    target = folder / "raster.tif"
    feedback.pushInfo(f"Writing '{layer.name()}' to a GeoTIFF first (it is not a GeoTIFF file)")
    provider = layer.dataProvider()
    pipe = QgsRasterPipe()
    if not pipe.set(provider.clone()):
        raise QgsProcessingException(f"Cannot read the raster '{layer.name()}'")
    writer = QgsRasterFileWriter(str(target))
    writer.setOutputFormat("GTiff")
    error = writer.writeRaster(
        pipe,
        provider.xSize(),
        provider.ySize(),
        provider.extent(),
        layer.crs(),
        context.transformContext(),
    )
    if error != QgsRasterFileWriter.NoError:
        raise QgsProcessingException(
            f"Cannot write the raster '{layer.name()}' to a GeoTIFF (QgsRasterFileWriter error {error})"
        )
    return target
