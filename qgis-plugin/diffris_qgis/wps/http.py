"""GET and POST through QGIS's network stack, with the credentials of an authcfg id.

QgsBlockingNetworkRequest applies QGIS's proxy, SSL and authentication settings and can be
aborted by the Processing feedback's cancel. Every failure becomes a ServerError a user can act on.
"""

from __future__ import annotations

from typing import Optional

from qgis.core import QgsBlockingNetworkRequest, QgsFeedback
from qgis.PyQt.QtCore import QByteArray, QUrl
from qgis.PyQt.QtNetwork import QNetworkRequest

from .ows import ServerError, exception_text, parse


class Http:
    def __init__(self, authcfg: str = "", feedback: Optional[QgsFeedback] = None):
        self.authcfg = authcfg
        self.feedback = feedback

    def get(self, url: str) -> bytes:
        return self._send(url, None)

    def post_xml(self, url: str, body: bytes) -> bytes:
        return self._send(url, body)

    def _send(self, url: str, body: Optional[bytes]) -> bytes:
        request = QNetworkRequest(QUrl(url))
        blocking = QgsBlockingNetworkRequest()
        if self.authcfg:
            blocking.setAuthCfg(self.authcfg)
        if body is None:
            error = blocking.get(request, True, self.feedback)
        else:
            request.setHeader(QNetworkRequest.ContentTypeHeader, "text/xml")
            error = blocking.post(request, QByteArray(body), True, self.feedback)
        reply = blocking.reply()
        status = reply.attribute(QNetworkRequest.HttpStatusCodeAttribute)
        content = bytes(reply.content())
        if self.feedback is not None and self.feedback.isCanceled():
            raise ServerError("Cancelled")
        if status in (401, 403):
            raise ServerError(self._refused(url, int(status)))
        if error != QgsBlockingNetworkRequest.NoError and not status:
            raise ServerError(
                f"Cannot reach the server at {url.split('?')[0]}: {blocking.errorMessage()}. Check the GeoServer URL "
                "and that the server is running and reachable from this computer."
            )
        if status and int(status) >= 400:
            report = (
                exception_text(parse(content, url)) if content.lstrip().startswith(b"<") else None
            )
            if report:
                raise ServerError(f"The server answered HTTP {status}: {report}")
            raise ServerError(
                f"The server answered HTTP {status} to {url}: {content[:300].decode('utf-8', 'replace')}"
            )
        return content

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
