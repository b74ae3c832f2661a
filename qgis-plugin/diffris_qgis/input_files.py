"""The files a raster layer reads, and the command line's rule for them: no output is an input.

The rule is `diffris segment`'s (cli OutputOptions.checkFiles): an output is the input when both
name one file, whatever the path says (`..`, a symbolic or hard link, another case where the file
system folds case): the same file when both exist, else the same real folder and name. The local
algorithm also hands the command line the real input and output, so it checks them again; this
check is for what the command line cannot see (a layer that is not a GeoTIFF is copied to one
first) and for the GeoServer algorithm, which writes its output itself. Both check before any work.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional

from osgeo import gdal
from qgis.core import (
    QgsDataSourceUri,
    QgsProcessingException,
    QgsProviderRegistry,
    QgsRasterLayer,
)


def layer_files(layer: QgsRasterLayer) -> List[Path]:
    """Every file the layer's pixels come from: a GeoTIFF and its sidecars, a GeoPackage, a VRT
    and its sources. None for a layer that is not files (a WMS, a database)."""
    if layer.providerType() != "gdal":
        return []
    source = layer.source()
    files = []
    path = QgsProviderRegistry.instance().decodeUri("gdal", source).get("path")
    if path:
        files.append(Path(path))
    # GDAL knows the files behind a dataset (a VRT's sources, a GeoPackage raster's file).
    try:
        dataset = gdal.OpenEx(source.split("|")[0], gdal.OF_RASTER)
    except RuntimeError:  # with gdal.UseExceptions(), which another plugin may have set
        dataset = None
    if dataset is not None:
        files += [Path(name) for name in dataset.GetFileList() or []]
        dataset = None
    return [f for f in dict.fromkeys(files) if f.is_file()]


def destination_file(destination: str) -> Optional[Path]:
    """The file a Processing destination writes: a path, or the database of
    'ogr:dbname=... table=...'; None for a memory layer or a URL."""
    if not destination or destination.startswith("memory:"):
        return None
    if destination.startswith("ogr:"):
        database = QgsDataSourceUri(destination[len("ogr:") :]).database()
        return Path(database) if database else None
    if "://" in destination:
        return None  # a URL, not a file
    return Path(destination.split("|")[0])


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths are one file: the same inode when both exist, else the same real place."""
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return real_location(a) == real_location(b)


def real_location(file: Path) -> Path:
    """The real path of a file that may not exist yet: its folder's real path and its name."""
    if file.exists():
        return Path(os.path.realpath(file))
    absolute = Path(os.path.abspath(file))
    return Path(os.path.realpath(absolute.parent)) / absolute.name


def refuse_output_over_input(
    destination: str, layer: QgsRasterLayer, output_name: str, input_name: str
) -> None:
    """Raises the command line's message when the destination is one of the layer's files."""
    output = destination_file(destination)
    if output is None:
        return
    for file in layer_files(layer):
        if same_file(file, output):
            raise QgsProcessingException(
                f"{output_name} {output} is the input {input_name} '{layer.name()}' ({file}); "
                "write to another place (inputs are never written)"
            )
