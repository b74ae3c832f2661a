"""Reading result layers for comparisons: every feature's attributes and geometry."""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

from osgeo import ogr

ATTRIBUTES = ("query", "score", "area", "pixels", "model", "at_edge")


def read_features(path) -> List[Tuple[tuple, bytes]]:
    """(attributes, ISO WKB) of each feature of the first layer of a vector file, in file order."""
    dataset = ogr.Open(str(path))
    assert dataset is not None, f"cannot open {path}"
    layer = dataset.GetLayer(0)
    found = []
    for feature in layer:
        attributes = tuple(
            feature.GetField(name) for name in ATTRIBUTES if feature.GetFieldIndex(name) >= 0
        )
        found.append((attributes, feature.GetGeometryRef().ExportToIsoWkb()))
    return found


def layer_features(layer) -> List[Tuple[tuple, bytes]]:
    """The same for a QgsVectorLayer."""
    names = [name for name in ATTRIBUTES if layer.fields().indexOf(name) >= 0]
    found = []
    for feature in layer.getFeatures():
        attributes = tuple(_plain(feature[name]) for name in names)
        found.append((attributes, bytes(feature.geometry().asWkb())))
    return found


def _plain(value):
    # QVariant NULLs and Qt booleans as Python values, to compare with OGR's.
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return None
    return value


def crs_code(path: Path) -> str:
    dataset = ogr.Open(str(path))
    reference = dataset.GetLayer(0).GetSpatialRef()
    return f"{reference.GetAuthorityName(None)}:{reference.GetAuthorityCode(None)}"
