"""WPS 1.0.0 Execute documents for diffris:Segment, alone or chained into gs:Import.

They follow the project's ready requests (sample-data/requests/): a published coverage is a
reference to GeoServer's internal WCS (http://geoserver/wcs, resolved inside the server, so the
raster never travels through the client), a local raster is inline base64 GeoTIFF, and the import
takes the segmentation as a nested Execute referencing http://geoserver/wps.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import List, Tuple, Union

from .ows import q

SEGMENT = "diffris:Segment"
IMPORT = "gs:Import"
INTERNAL_WCS = "http://geoserver/wcs"
INTERNAL_WPS = "http://geoserver/wps"
GEOJSON = "application/json"
WFS_COLLECTION = "text/xml; subtype=wfs-collection/1.0"


@dataclass(frozen=True)
class PublishedCoverage:
    """A coverage of the same GeoServer, read through its WCS 1.1.1 with this bounding box."""

    identifier: str
    crs: str
    lower_corner: str
    upper_corner: str


@dataclass(frozen=True)
class UploadedRaster:
    """A GeoTIFF of this computer, sent inside the request."""

    path: Path


Coverage = Union[PublishedCoverage, UploadedRaster]


def _sub(parent: ET.Element, prefix: str, name: str, text: str = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, q(prefix, name), {k: v for k, v in attributes.items()})
    if text is not None:
        element.text = text
    return element


def _execute(identifier: str) -> Tuple[ET.Element, ET.Element]:
    root = ET.Element(q("wps", "Execute"), {"version": "1.0.0", "service": "WPS"})
    _sub(root, "ows", "Identifier", identifier)
    return root, _sub(root, "wps", "DataInputs")


def _literal(inputs: ET.Element, identifier: str, value: str) -> None:
    element = _sub(inputs, "wps", "Input")
    _sub(element, "ows", "Identifier", identifier)
    _sub(_sub(element, "wps", "Data"), "wps", "LiteralData", value)


def _complex(inputs: ET.Element, identifier: str, mime_type: str, text: str) -> None:
    element = _sub(inputs, "wps", "Input")
    _sub(element, "ows", "Identifier", identifier)
    _sub(_sub(element, "wps", "Data"), "wps", "ComplexData", text, mimeType=mime_type)


def _coverage(inputs: ET.Element, coverage: Coverage) -> None:
    element = _sub(inputs, "wps", "Input")
    _sub(element, "ows", "Identifier", "coverage")
    if isinstance(coverage, UploadedRaster):
        data = _sub(
            _sub(element, "wps", "Data"),
            "wps",
            "ComplexData",
            mimeType="image/tiff",
            encoding="base64",
        )
        data.text = base64.b64encode(coverage.path.read_bytes()).decode("ascii")
        return
    reference = _sub(element, "wps", "Reference", mimeType="image/tiff", method="POST")
    reference.set(q("xlink", "href"), INTERNAL_WCS)
    get_coverage = _sub(
        _sub(reference, "wps", "Body"), "wcs", "GetCoverage", service="WCS", version="1.1.1"
    )
    _sub(get_coverage, "ows", "Identifier", coverage.identifier)
    box = _sub(_sub(get_coverage, "wcs", "DomainSubset"), "ows", "BoundingBox", crs=coverage.crs)
    _sub(box, "ows", "LowerCorner", coverage.lower_corner)
    _sub(box, "ows", "UpperCorner", coverage.upper_corner)
    _sub(get_coverage, "wcs", "Output", format="image/tiff")


def _raw_output(root: ET.Element, identifier: str, mime_type: str = None) -> None:
    form = _sub(root, "wps", "ResponseForm")
    raw = _sub(form, "wps", "RawDataOutput", **({"mimeType": mime_type} if mime_type else {}))
    _sub(raw, "ows", "Identifier", identifier)


def _stored_output(
    root: ET.Element, identifier: str, mime_type: str = None, as_reference: bool = True
) -> None:
    """Asynchronous: the answer is a status document to poll (statusLocation)."""
    form = _sub(root, "wps", "ResponseForm")
    document = _sub(form, "wps", "ResponseDocument", storeExecuteResponse="true", status="true")
    attributes = {"asReference": "true"} if as_reference else {}
    if mime_type:
        attributes["mimeType"] = mime_type
    output = _sub(document, "wps", "Output", **attributes)
    _sub(output, "ows", "Identifier", identifier)


def segment_request(
    coverage: Coverage,
    literals: List[Tuple[str, str]],
    asynchronous: bool,
    mime_type: str = GEOJSON,
    complexes: List[Tuple[str, str, str]] = (),
) -> ET.Element:
    """diffris:Segment with the coverage, then query and the optional literal inputs in the given
    order, then the complex ones (identifier, mime type, text: the roi as WKT)."""
    root, inputs = _execute(SEGMENT)
    _coverage(inputs, coverage)
    for identifier, value in literals:
        _literal(inputs, identifier, value)
    for identifier, complex_type, text in complexes:
        _complex(inputs, identifier, complex_type, text)
    if asynchronous:
        _stored_output(root, "result", mime_type)
    else:
        _raw_output(root, "result", mime_type)
    return root


def import_request(
    coverage: Coverage,
    literals: List[Tuple[str, str]],
    workspace: str,
    store: str,
    layer_name: str,
    asynchronous: bool,
    complexes: List[Tuple[str, str, str]] = (),
) -> ET.Element:
    """gs:Import of diffris:Segment's result into an existing store: the layer workspace:name."""
    root, inputs = _execute(IMPORT)
    features = _sub(inputs, "wps", "Input")
    _sub(features, "ows", "Identifier", "features")
    reference = _sub(features, "wps", "Reference", mimeType=WFS_COLLECTION, method="POST")
    reference.set(q("xlink", "href"), INTERNAL_WPS)
    body = _sub(reference, "wps", "Body")
    body.append(segment_request(coverage, literals, False, WFS_COLLECTION, complexes))
    for identifier, value in (("workspace", workspace), ("store", store), ("name", layer_name)):
        if value:
            _literal(inputs, identifier, value)
    if asynchronous:
        _stored_output(root, "layerName", as_reference=False)
    else:
        _raw_output(root, "layerName")
    return root


def to_bytes(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)
