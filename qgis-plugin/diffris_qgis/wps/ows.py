"""XML namespaces of WPS 1.0.0 / OWS 1.1, and the OWS exception report as one readable line."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Optional

WPS = "http://www.opengis.net/wps/1.0.0"
OWS = "http://www.opengis.net/ows/1.1"
XLINK = "http://www.w3.org/1999/xlink"
WCS11 = "http://www.opengis.net/wcs/1.1.1"
NAMESPACES = {"wps": WPS, "ows": OWS, "xlink": XLINK, "wcs": WCS11}

for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)


def q(prefix: str, name: str) -> str:
    """ElementTree's {uri}name for prefix:name."""
    return f"{{{NAMESPACES[prefix]}}}{name}"


class ServerError(Exception):
    """A failure explained for a GIS user (server unreachable, refused, process error)."""


def parse(content: bytes, what: str) -> ET.Element:
    try:
        return ET.fromstring(content)
    except ET.ParseError as e:
        start = content[:200].decode("utf-8", "replace").strip()
        raise ServerError(f"{what}: the server's answer is not XML ({e}); it starts with: {start}")


def exception_text(element: ET.Element) -> Optional[str]:
    """The text of an ows:ExceptionReport (element or its descendant), None when there is none."""
    # Any namespace: PyWPS, for one, writes its report inside ProcessFailed as wps:ExceptionReport.
    report = (
        element
        if element.tag.endswith("ExceptionReport")
        else element.find(".//{*}ExceptionReport")
    )
    if report is None:
        return None
    parts = []
    for exception in report.iter():
        if not exception.tag.endswith("}Exception"):
            continue
        texts = [
            t.text.strip()
            for t in exception.findall("{*}ExceptionText")
            if t.text and t.text.strip()
        ]
        code = exception.get("exceptionCode", "")
        locator = exception.get("locator", "") if exception.get("locator") != "None" else ""
        detail = ", ".join(x for x in (code, f"locator {locator}" if locator else "") if x)
        parts.append(("; ".join(texts) or "no text") + (f" ({detail})" if detail else ""))
    return " | ".join(parts) or "an exception report without text"


def exception_code(element: ET.Element) -> str:
    found = element.find(".//" + q("ows", "Exception"))
    if found is None and element.tag == q("ows", "Exception"):
        found = element
    return found.get("exceptionCode", "") if found is not None else ""
