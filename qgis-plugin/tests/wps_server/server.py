"""A WPS 1.0.0 server for the plugin's tests: PyWPS serving diffris:Segment under GeoServer's paths.

    /usr/bin/python3 -m wps_server.server --workdir DIR --cli PATH_TO_JAR [--port N]

prints `listening on PORT` when ready. Paths:
- /geoserver/wps: the WPS, plus GeoServer's Dismiss extension (request=Dismiss&executionId=ID),
  which PyWPS does not have: it flags the job, whose handler then kills the command line.
- /secured/geoserver/wps: the same behind HTTP Basic authentication (user diffris, password
  segment-me), to check that the plugin sends the credentials of an authcfg.
- /forbidden/geoserver/wps: answers 403, as GeoServer's WPS security does.
- /empty/geoserver/wps: a WPS without diffris:Segment (a GeoServer without the extension).
- /silent/geoserver/wps: accepts the connection and never answers (for as long as the server
  runs), so a client returns only through its own timeout.
- /geoserver/wcs: WCS 1.1.1 GetCapabilities and DescribeCoverage of the sample scenes, published
  as diffris:port, diffris:town and diffris:airport, so the plugin can list coverages and read
  their extents. This server cannot resolve GeoServer's internal WCS references
  (http://geoserver/wcs) in an Execute: only a live GeoServer runs a published coverage.
- /outputs/...: the stored status documents and results.
Every POSTed body is kept in DIR/requests/N.xml, for the tests to check what the plugin sent.
"""

from __future__ import annotations

import argparse
import base64
import io
import itertools
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs

from osgeo import gdal, osr
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

USER, PASSWORD = "diffris", "segment-me"
SCENES = Path(__file__).resolve().parents[3] / "sample-data" / "scenes"
COVERAGES = {f"diffris:{name}": SCENES / f"{name}.tif" for name in ("port", "town", "airport")}

WCS_CAPABILITIES = """<?xml version="1.0" encoding="UTF-8"?>
<wcs:Capabilities xmlns:wcs="http://www.opengis.net/wcs/1.1.1" xmlns:ows="http://www.opengis.net/ows/1.1" version="1.1.1">
<wcs:Contents>{summaries}</wcs:Contents></wcs:Capabilities>"""
WCS_SUMMARY = "<wcs:CoverageSummary><ows:Title>{title}</ows:Title><wcs:Identifier>{identifier}</wcs:Identifier></wcs:CoverageSummary>"
WCS_DESCRIPTION = """<?xml version="1.0" encoding="UTF-8"?>
<wcs:CoverageDescriptions xmlns:wcs="http://www.opengis.net/wcs/1.1.1" xmlns:ows="http://www.opengis.net/ows/1.1">
<wcs:CoverageDescription><wcs:Identifier>{identifier}</wcs:Identifier><wcs:Domain><wcs:SpatialDomain>
<ows:BoundingBox crs="urn:ogc:def:crs:OGC::imageCRS"><ows:LowerCorner>0 0</ows:LowerCorner><ows:UpperCorner>{columns} {rows}</ows:UpperCorner></ows:BoundingBox>
<ows:BoundingBox crs="urn:ogc:def:crs:EPSG::{epsg}"><ows:LowerCorner>{west} {south}</ows:LowerCorner><ows:UpperCorner>{east} {north}</ows:UpperCorner></ows:BoundingBox>
</wcs:SpatialDomain></wcs:Domain></wcs:CoverageDescription></wcs:CoverageDescriptions>"""


def wcs(query: dict) -> Response:
    operation = query.get("request", "").lower()
    if operation == "getcapabilities":
        summaries = "".join(
            WCS_SUMMARY.format(title=i.split(":")[1], identifier=i) for i in COVERAGES
        )
        return Response(WCS_CAPABILITIES.format(summaries=summaries), content_type="text/xml")
    path = COVERAGES.get(query.get("identifiers", ""))
    if operation != "describecoverage" or path is None:
        return Response("Not found", status=404)
    raster = gdal.Open(str(path))
    x0, dx, _, y0, _, dy = raster.GetGeoTransform()
    reference = osr.SpatialReference(raster.GetProjection())
    reference.AutoIdentifyEPSG()
    return Response(
        WCS_DESCRIPTION.format(
            identifier=query["identifiers"],
            columns=raster.RasterXSize - 1,
            rows=raster.RasterYSize - 1,
            epsg=reference.GetAuthorityCode(None),
            west=x0,
            north=y0,
            east=x0 + dx * raster.RasterXSize,
            south=y0 + dy * raster.RasterYSize,
        ),
        content_type="text/xml",
    )


DISMISSED = """<?xml version="1.0" encoding="UTF-8"?>
<wps:ExecuteResponse xmlns:wps="http://www.opengis.net/wps/1.0.0" xmlns:ows="http://www.opengis.net/ows/1.1"
    service="WPS" version="1.0.0"><wps:Status><wps:ProcessFailed><ows:ExceptionReport version="1.1.0">
<ows:Exception exceptionCode="NoApplicableCode"><ows:ExceptionText>The process {id} has been dismissed</ows:ExceptionText>
</ows:Exception></ows:ExceptionReport></wps:ProcessFailed></wps:Status></wps:ExecuteResponse>"""


def config_file(workdir: Path, port: int) -> Path:
    outputs = workdir / "outputs"
    temp = workdir / "tmp"
    outputs.mkdir(parents=True, exist_ok=True)
    temp.mkdir(parents=True, exist_ok=True)
    path = workdir / "pywps.cfg"
    path.write_text(
        f"""[server]
url = http://127.0.0.1:{port}/geoserver/wps
outputurl = http://127.0.0.1:{port}/outputs/
outputpath = {outputs}
workdir = {temp}
maxsingleinputsize = 200mb
maxrequestsize = 300mb
parallelprocesses = 2
cleantempdir = true

[processing]
mode = default

[logging]
level = INFO
file = {workdir / 'pywps.log'}
database = sqlite:///{workdir / 'pywps.sqlite'}
"""
    )
    return path


class TestServer:
    def __init__(self, workdir: Path, cli_prefix):
        self.workdir = workdir
        self.cli_prefix = cli_prefix
        self.wps = None
        self.posts = itertools.count(1)

    def start(self, port: int) -> None:
        from pywps import Service

        from .segment_process import SegmentProcess

        dismissed = self.workdir / "dismissed"
        dismissed.mkdir(parents=True, exist_ok=True)
        self.dismissed = dismissed
        config = [str(config_file(self.workdir, port))]
        self.wps = Service([SegmentProcess(self.cli_prefix, dismissed)], config)
        self.empty_wps = Service([], config)

    def __call__(self, environ, start_response):
        request = Request(environ)
        path = request.path.rstrip("/")
        if path.startswith("/outputs/"):
            return self._file(path[len("/outputs/") :])(environ, start_response)
        if path == "/silent/geoserver/wps":
            # Silent for the server's whole life (the tests end it): a client that returns has
            # given up by itself; no test has to time how long that took.
            while True:
                time.sleep(3600)
        if path == "/empty/geoserver/wps":
            return self.empty_wps(environ, start_response)
        if path == "/forbidden/geoserver/wps":
            return Response("Access denied", status=403)(environ, start_response)
        if path == "/secured/geoserver/wps":
            if not self._authorised(request):
                answer = Response(
                    "Login needed",
                    status=401,
                    headers={"WWW-Authenticate": 'Basic realm="GeoServer"'},
                )
                return answer(environ, start_response)
            path = "/geoserver/wps"
        query = {k.lower(): v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if path == "/geoserver/wcs":
            return wcs(query)(environ, start_response)
        if path != "/geoserver/wps":
            return Response("Not found", status=404)(environ, start_response)
        if query.get("request", "").lower() == "dismiss":
            job = query.get("executionid", "")
            (self.dismissed / f"{Path(job).name}.dismissed").touch()
            return Response(DISMISSED.format(id=job), content_type="text/xml")(
                environ, start_response
            )
        if request.method == "POST":
            self._record(environ)
        return self.wps(environ, start_response)

    def _record(self, environ) -> None:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)  # PyWPS reads it again
        folder = self.workdir / "requests"
        folder.mkdir(exist_ok=True)
        (folder / f"{next(self.posts)}.xml").write_bytes(body)

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        return header == expected

    def _file(self, name: str) -> Response:
        path = (self.workdir / "outputs" / name).resolve()
        if not path.is_file() or (self.workdir / "outputs").resolve() not in path.parents:
            return Response("Not found", status=404)
        content_type = "text/xml" if path.suffix == ".xml" else "application/json"
        return Response(path.read_bytes(), content_type=content_type)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", required=True, type=Path)
    parser.add_argument("--cli", required=True, help="diffris-cli.jar")
    parser.add_argument("--port", type=int, default=0)
    options = parser.parse_args()
    app = TestServer(options.workdir, ["java", "-jar", options.cli])
    server = make_server("127.0.0.1", options.port, app, threaded=True)
    app.start(server.port)
    print(f"listening on {server.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
