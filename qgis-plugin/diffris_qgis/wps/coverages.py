"""The coverages a GeoServer publishes (WCS 1.1.1 GetCapabilities) and their native extents."""

from __future__ import annotations

from typing import List, Tuple
from urllib.parse import quote

from .execute_request import PublishedCoverage
from .http import Http
from .ows import ServerError, exception_text, parse, q


def capabilities_url(base: str) -> str:
    return f"{base}/wcs?service=WCS&version=1.1.1&request=GetCapabilities"


def describe_url(base: str, identifier: str) -> str:
    return f"{base}/wcs?service=WCS&version=1.1.1&request=DescribeCoverage&identifiers={quote(identifier)}"


def parse_coverage_list(content: bytes) -> List[Tuple[str, str]]:
    """(identifier, title) of every coverage in a WCS 1.1.1 capabilities document."""
    root = parse(content, "WCS GetCapabilities")
    if root.tag.endswith("ExceptionReport"):
        raise ServerError(f"WCS GetCapabilities failed: {exception_text(root)}")
    found = []
    for summary in root.iter(q("wcs", "CoverageSummary")):
        identifier = (summary.findtext(q("wcs", "Identifier")) or "").strip()
        if identifier:
            found.append((identifier, (summary.findtext(q("ows", "Title")) or identifier).strip()))
    return found


def parse_coverage_extent(content: bytes, identifier: str) -> PublishedCoverage:
    """The coverage's bounding box in its native EPSG CRS, as WCS 1.1.1 DescribeCoverage gives it."""
    root = parse(content, f"WCS DescribeCoverage {identifier}")
    if root.tag.endswith("ExceptionReport"):
        raise ServerError(f"The coverage {identifier} cannot be described: {exception_text(root)}")
    for box in root.iter(q("ows", "BoundingBox")):
        crs = box.get("crs", "")
        if "EPSG" in crs.upper():
            return PublishedCoverage(
                identifier=identifier,
                crs=crs,
                lower_corner=(box.findtext(q("ows", "LowerCorner")) or "").strip(),
                upper_corner=(box.findtext(q("ows", "UpperCorner")) or "").strip(),
            )
    raise ServerError(
        f"The coverage {identifier} has no bounding box in an EPSG CRS; DiffRIS needs a CRS with an EPSG code"
    )


def list_coverages(http: Http, base: str) -> List[Tuple[str, str]]:
    return parse_coverage_list(http.get(capabilities_url(base)))


def coverage_extent(http: Http, base: str, identifier: str) -> PublishedCoverage:
    return parse_coverage_extent(http.get(describe_url(base, identifier)), identifier)
