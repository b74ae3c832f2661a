"""Runs one Execute on a WPS: synchronously, or asynchronously with polling, progress and Dismiss."""

from __future__ import annotations

import time
from typing import Optional
from urllib.parse import quote, urlparse, urlunparse

from qgis.core import QgsProcessingFeedback

from .execute_response import FAILED, parse_status
from .http import Http
from .ows import ServerError, exception_text, parse

SERVICE_SUFFIXES = ("/wps", "/ows", "/wcs", "/wfs", "/wms")
UNREADABLE_STATUS_RETRIES = 3


class Cancelled(Exception):
    """The user cancelled; the message says what happened to the server job."""


def geoserver_base(url: str) -> str:
    """http://host/geoserver from what a user may paste: .../geoserver/, .../wps, .../ows?..."""
    parts = urlparse(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ServerError(
            f"'{url}' is not a GeoServer URL: give one like http://localhost:8080/geoserver"
        )
    path = parts.path.rstrip("/")
    for suffix in SERVICE_SUFFIXES:
        if path.lower().endswith(suffix):
            path = path[: -len(suffix)]
    return urlunparse((parts.scheme, parts.netloc, path, "", "", ""))


class WpsJob:
    def __init__(
        self, http: Http, wps_url: str, feedback: QgsProcessingFeedback, poll_seconds: float = 1.0
    ):
        self.http = http
        self.wps_url = wps_url
        self.feedback = feedback
        self.poll_seconds = poll_seconds
        self.execution_id: Optional[str] = None

    def run(self, body: bytes, asynchronous: bool, output: str) -> bytes:
        """The output's content; ServerError on a failure, Cancelled when the user cancelled."""
        try:
            answer = self.http.post_xml(self.wps_url, body)
        except ServerError:
            if not self.feedback.isCanceled():
                raise
            if asynchronous:
                raise Cancelled(
                    "Cancelled while sending the request, before the server named a job to dismiss"
                )
            raise Cancelled(
                "Cancelled: the synchronous request was aborted (the server may still finish it; "
                "asynchronous runs are dismissed on the server)"
            )
        if not asynchronous:
            return self._raw(answer)
        status = parse_status(answer)
        self.execution_id = status.execution_id
        self.feedback.pushInfo(
            f"Server job {self.execution_id} accepted; status at {status.status_location}"
        )
        unreadable = 0
        while not status.finished:
            self._wait_or_dismiss()
            try:
                status = parse_status(self.http.get(status.status_location))
            except ServerError:
                # A server that writes its status document to a file may be caught mid-write.
                unreadable += 1
                if unreadable > UNREADABLE_STATUS_RETRIES:
                    raise
                continue
            unreadable = 0
            if status.percent is not None:
                self.feedback.setProgress(status.percent)
            if status.message:
                self.feedback.setProgressText(status.message)
        if status.state == FAILED:
            raise ServerError(f"The server job {self.execution_id} failed: {status.error}")
        self.feedback.setProgress(100)
        if output in status.literals:
            return status.literals[output].encode("utf-8")
        if output in status.references:
            return self.http.get(status.references[output])
        raise ServerError(
            f"The server job {self.execution_id} succeeded but returned no '{output}' output"
        )

    def _raw(self, answer: bytes) -> bytes:
        head = answer[:1000].lstrip()
        if head.startswith(b"<") and b"ExceptionReport" in head:
            raise ServerError(
                f"The server reported an error: {exception_text(parse(answer, 'the answer'))}"
            )
        return answer

    def _wait_or_dismiss(self) -> None:
        deadline = time.monotonic() + self.poll_seconds
        while time.monotonic() < deadline:
            if self.feedback.isCanceled():
                self.dismiss()
                raise Cancelled(f"Cancelled: the server job {self.execution_id} was dismissed")
            time.sleep(0.05)

    def dismiss(self) -> None:
        """GeoServer's Dismiss: stops the job and forgets its results."""
        url = f"{self.wps_url}?service=WPS&version=1.0.0&request=Dismiss&executionId={quote(self.execution_id or '')}"
        try:
            # Without the cancelled feedback, which would abort this request too.
            Http(self.http.authcfg).get(url)
        except ServerError as e:
            self.feedback.reportError(f"Could not dismiss the server job {self.execution_id}: {e}")
