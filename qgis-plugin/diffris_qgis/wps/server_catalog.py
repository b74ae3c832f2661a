"""What a GeoServer offers the algorithm: diffris:Segment's description and the published coverages.

The algorithm's form is built from the server named in the provider settings, so the optional
inputs carry the names, defaults and ranges that server's DescribeProcess reports. Answers are
cached per server until the provider is refreshed, so opening the toolbox does not query the
server every time; a run always describes the server again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple
from urllib.parse import quote

from .coverages import list_coverages
from .execute_request import SEGMENT
from .http import Http
from .job import geoserver_base
from .ows import ServerError
from .process_description import ProcessDescription, parse_description


@dataclass(frozen=True)
class ServerCatalog:
    base: str
    description: Optional[ProcessDescription]
    coverages: List[Tuple[str, str]] = field(default_factory=list)
    problem: str = ""


_catalogs: Dict[Tuple[str, str], ServerCatalog] = {}
# Read when the toolbox loads (QGIS start-up included): a silent server must not hold QGIS long.
CATALOG_TIMEOUT_MS = 5000


def describe(http: Http, base: str) -> ProcessDescription:
    url = (
        f"{base}/wps?service=WPS&version=1.0.0&request=DescribeProcess&identifier={quote(SEGMENT)}"
    )
    try:
        content = http.get(url)
    except ServerError as e:
        if "HTTP 400" in str(e) and (
            "InvalidParameterValue" in str(e) or "NoSuchProcess" in str(e)
        ):
            raise ServerError(
                f"The process {SEGMENT} is not installed on {base} ({e}). Install the DiffRIS GeoServer "
                "extension there, or choose another server."
            )
        raise
    description = parse_description(content, SEGMENT, base)
    missing = [name for name in ("coverage", "query") if description.input(name) is None]
    if missing:
        raise ServerError(
            f"{SEGMENT} on {base} has no input {', '.join(missing)}: it is not the DiffRIS process this plugin knows"
        )
    return description


def catalog(url: str, authcfg: str) -> ServerCatalog:
    key = (url, authcfg)
    if key not in _catalogs:
        _catalogs[key] = _load(url, authcfg)
    return _catalogs[key]


def forget() -> None:
    _catalogs.clear()


def _load(url: str, authcfg: str) -> ServerCatalog:
    try:
        base = geoserver_base(url)
        http = Http(authcfg, timeout_ms=CATALOG_TIMEOUT_MS)
        description = describe(http, base)
    except ServerError as e:
        return ServerCatalog(base=url, description=None, problem=str(e))
    try:
        coverages = list_coverages(http, base)
    except ServerError as e:
        return ServerCatalog(base, description, problem=f"No coverage list: {e}")
    return ServerCatalog(base, description, coverages)
