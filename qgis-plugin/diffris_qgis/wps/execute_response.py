"""A WPS 1.0.0 ExecuteResponse (the status document of an asynchronous job) as plain values."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Dict, Optional
from urllib.parse import parse_qs, urlparse

from .ows import ServerError, exception_text, parse, q

ACCEPTED, STARTED, PAUSED, SUCCEEDED, FAILED = (
    "accepted",
    "started",
    "paused",
    "succeeded",
    "failed",
)
STATES = {
    "ProcessAccepted": ACCEPTED,
    "ProcessStarted": STARTED,
    "ProcessPaused": PAUSED,
    "ProcessSucceeded": SUCCEEDED,
    "ProcessFailed": FAILED,
}


@dataclass(frozen=True)
class JobStatus:
    state: str
    percent: Optional[float]
    message: str
    status_location: str
    references: Dict[str, str] = field(default_factory=dict)  # output id -> URL
    literals: Dict[str, str] = field(default_factory=dict)  # output id -> inline value
    error: Optional[str] = None

    @property
    def finished(self) -> bool:
        return self.state in (SUCCEEDED, FAILED)

    @property
    def execution_id(self) -> str:
        """GeoServer's executionId (a query parameter), else the status file's name (PyWPS)."""
        location = urlparse(self.status_location)
        found = parse_qs(location.query).get("executionId")
        if found:
            return found[0]
        return location.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def parse_status(content: bytes) -> JobStatus:
    root = parse(content, "the execution status")
    if root.tag == q("ows", "ExceptionReport"):
        raise ServerError(f"The server reported an error: {exception_text(root)}")
    if root.tag != q("wps", "ExecuteResponse"):
        raise ServerError(f"Expected a WPS ExecuteResponse, got <{root.tag}>")
    status = root.find(q("wps", "Status"))
    state_element: Optional[ET.Element] = None
    if status is not None:
        state_element = next(
            (child for child in status if child.tag.split("}")[-1] in STATES), None
        )
    if state_element is None:
        raise ServerError("The server's ExecuteResponse has no status")
    state = STATES[state_element.tag.split("}")[-1]]
    percent = state_element.get("percentCompleted")
    references: Dict[str, str] = {}
    literals: Dict[str, str] = {}
    for output in root.iter(q("wps", "Output")):
        identifier = (output.findtext(q("ows", "Identifier")) or "").strip()
        reference = output.find(q("wps", "Reference"))
        if reference is not None:
            references[identifier] = reference.get("href") or reference.get(q("xlink", "href"), "")
        data = output.find(f"{q('wps', 'Data')}/{q('wps', 'LiteralData')}")
        if data is not None:
            literals[identifier] = (data.text or "").strip()
    return JobStatus(
        state=state,
        percent=float(percent) if percent not in (None, "") else None,
        message=(state_element.text or "").strip(),
        status_location=root.get("statusLocation", ""),
        references=references,
        literals=literals,
        error=exception_text(state_element) if state == FAILED else None,
    )
