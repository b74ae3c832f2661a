"""XML documents reduced to what a WPS server reads: element names (with namespaces), attributes and
text, without comments, whitespace, prefixes or xsi:schemaLocation."""

from __future__ import annotations

import xml.etree.ElementTree as ET

SCHEMA_LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"
OWS_IDENTIFIER = "{http://www.opengis.net/ows/1.1}Identifier"


def shape(element: ET.Element, summarise_coverage: bool = False):
    """A nested tuple; with summarise_coverage, a coverage input is reduced to its name, since an
    upload (inline GeoTIFF) and a published coverage (WCS reference) differ there."""
    if (
        summarise_coverage
        and element.tag.endswith("}Input")
        and element.findtext(OWS_IDENTIFIER) == "coverage"
    ):
        return ("coverage input",)
    attributes = tuple(sorted((k, v) for k, v in element.attrib.items() if k != SCHEMA_LOCATION))
    text = (element.text or "").strip() or None
    return (element.tag, attributes, text, tuple(shape(c, summarise_coverage) for c in element))


def without_input(root: ET.Element, identifier: str) -> ET.Element:
    for parent in root.iter():
        for child in list(parent):
            if child.tag.endswith("}Input") and child.findtext(OWS_IDENTIFIER) == identifier:
                parent.remove(child)
    return root


def coverage_given_as(root: ET.Element) -> list:
    """How each coverage input of the document (nested ones included) gives the raster."""
    found = []
    for element in root.iter():
        if element.tag.endswith("}Input") and element.findtext(OWS_IDENTIFIER) == "coverage":
            found.append(
                "inline GeoTIFF" if element.find(".//{*}ComplexData") is not None else "reference"
            )
    return found
