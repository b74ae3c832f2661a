"""GET and POST through QGIS's network stack, with the credentials of an authcfg id.

QgsBlockingNetworkRequest applies QGIS's proxy, SSL and authentication settings and can be
aborted by the Processing feedback's cancel. Every failure becomes a ServerError a user can act on.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Optional

from qgis.core import QgsBlockingNetworkRequest, QgsFeedback
from qgis.PyQt.QtCore import QByteArray, QUrl
from qgis.PyQt.QtNetwork import QNetworkReply, QNetworkRequest

from .ows import ServerError, exception_text


def report_in(content: bytes) -> Optional[str]:
    """The text of an OWS exception report in an error page, None for anything else (HTML...)."""
    try:
        return exception_text(ET.fromstring(content))
    except ET.ParseError:
        return None


class Http:
    def __init__(
        self, authcfg: str = "", feedback: Optional[QgsFeedback] = None, timeout_ms: int = 0
    ):
        """timeout_ms: give up on a server silent for that long (0: QGIS's network timeout)."""
        self.authcfg = authcfg
        self.feedback = feedback
        self.timeout_ms = timeout_ms

    def get(self, url: str) -> bytes:
        return self._send(url, None)

    def post_xml(self, url: str, body: bytes) -> bytes:
        return self._send(url, body)

    def _send(self, url: str, body: Optional[bytes]) -> bytes:
        request = QNetworkRequest(QUrl(url))
        if self.timeout_ms:
            request.setTransferTimeout(self.timeout_ms)
        blocking = QgsBlockingNetworkRequest()
        if self.authcfg:
            blocking.setAuthCfg(self.authcfg)
        if body is None:
            blocking.get(request, True, self.feedback)
        else:
            request.setHeader(QNetworkRequest.ContentTypeHeader, "text/xml")
            blocking.post(request, QByteArray(body), True, self.feedback)
        reply = blocking.reply()
        status = reply.attribute(QNetworkRequest.HttpStatusCodeAttribute)
        content = bytes(reply.content())
        if self.feedback is not None and self.feedback.isCanceled():
            raise ServerError("Cancelled")
        if status in (401, 403):
            raise ServerError(self._refused(url, int(status)))
        if not status:  # no HTTP answer at all
            raise ServerError(
                f"Cannot reach the server at {url.split('?')[0]}: {self._no_answer(blocking, reply)}. "
                "Check the GeoServer URL and that the server is running and reachable from this "
                "computer."
            )
        if int(status) >= 400:
            report = report_in(content)
            if report:
                raise ServerError(f"The server answered HTTP {status}: {report}")
            raise ServerError(
                f"The server answered HTTP {status} to {url}: {content[:300].decode('utf-8', 'replace')}"
            )
        return content

    def _no_answer(self, blocking: QgsBlockingNetworkRequest, reply) -> str:
        if self.timeout_ms and reply.error() == QNetworkReply.OperationCanceledError:
            return f"no answer within {self.timeout_ms / 1000:g} s"
        return blocking.errorMessage() or reply.errorString() or "no answer"

    def _refused(self, url: str, status: int) -> str:
        base = url.split("?")[0]
        if status == 401:
            if not self.authcfg:
                return (
                    f"{base} needs a login (HTTP 401): choose an authentication configuration "
                    "(a user allowed to run WPS processes) in the algorithm or the DiffRIS settings"
                )
            return (
                f"{base} refused the login of authentication configuration '{self.authcfg}' (HTTP 401): "
                "check its user name and password in Settings > Options > Authentication"
            )
        return (
            f"{base} forbids this request to this user (HTTP 403): GeoServer's WPS security (Security > "
            "WPS security) or service security may restrict diffris:Segment; ask the administrator"
        )
