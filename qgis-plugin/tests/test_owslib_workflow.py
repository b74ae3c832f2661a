"""diffris:Segment from a script, the way an automated workflow drives a WPS: OWSLib (the OGC client
library of Python, pinned in model/requirements-test.txt) against the PyWPS stand-in for GeoServer
(wps_server/). The script is the one of docs/geoserver.md, "Scripted OGC workflows"."""

import base64
import json
import sys
import time
import urllib.request

from conftest import PROJECT, run_cli
from features import read_features

sys.path.append(str(PROJECT / "model" / "tests"))
from oracles import require  # noqa: E402  (fails under ./run-tests, skips elsewhere)

wps_module = require("owslib.wps")

DEADLINE_S = 300  # a hung server fails the test instead of holding the run


def segment(geoserver: str, raster, query: str, **options):
    """The documented script: DescribeProcess, asynchronous Execute with the raster uploaded,
    status polling, the GeoJSON result. Returns (process description, statuses seen, GeoJSON)."""
    service = wps_module.WebProcessingService(f"{geoserver}/wps", version="1.0.0")
    description = service.describeprocess("diffris:Segment")
    coverage = wps_module.ComplexDataInput(
        base64.b64encode(raster.read_bytes()).decode("ascii"),
        mimeType="image/tiff",
        encoding="base64",
    )
    inputs = [("coverage", coverage), ("query", query)]
    inputs += [
        (name, value if isinstance(value, wps_module.ComplexDataInput) else str(value))
        for name, value in options.items()
    ]
    execution = service.execute(
        "diffris:Segment", inputs, output=[("result", True)], mode=wps_module.ASYNC
    )
    statuses = [(execution.status, execution.percentCompleted)]
    deadline = time.monotonic() + DEADLINE_S
    while not execution.isComplete():
        assert time.monotonic() < deadline, f"still {execution.status} after {DEADLINE_S} s"
        execution.checkStatus(sleepSecs=0.2)  # the server's state decides when this ends
        statuses.append((execution.status, execution.percentCompleted))
    if not execution.isSucceded():
        raise RuntimeError("; ".join(e.text for e in execution.errors))
    with urllib.request.urlopen(execution.processOutputs[0].reference) as answer:
        return description, statuses, json.load(answer)


def test_a_script_runs_segment_asynchronously_and_gets_the_command_lines_geojson(
    wps_server, cli_jar, port_crop, tmp_path
):
    description, statuses, collection = segment(
        wps_server.geoserver, port_crop, "ships", minArea=20
    )

    inputs = {i.identifier: i for i in description.dataInputs}
    assert inputs["query"].minOccurs == 1 and inputs["coverage"].minOccurs == 1
    assert inputs["minArea"].minOccurs == 0 and inputs["minArea"].dataType.endswith("float")
    assert description.statusSupported and description.storeSupported
    assert [o.identifier for o in description.processOutputs] == ["result"]

    assert statuses[0][0] in ("ProcessAccepted", "ProcessStarted")  # answered before the work
    assert statuses[-1][0] == "ProcessSucceeded"
    percents = [p for _, p in statuses if p is not None]
    assert percents == sorted(percents)

    assert collection["type"] == "FeatureCollection"
    result = tmp_path / "wps.geojson"
    result.write_text(json.dumps(collection))
    expected = tmp_path / "cli.geojson"
    run_cli(cli_jar, port_crop, "ships", expected, "--min-area", "20")
    wanted = read_features(expected)
    assert len(wanted) > 0 and read_features(result) == wanted
    posted = wps_server.requests()[-1]
    assert b'encoding="base64"' in posted and b"diffris:Segment" in posted


def test_a_refused_request_reaches_the_script_as_the_servers_message(wps_server, port_crop):
    try:
        roi = wps_module.ComplexDataInput("POLYGON((0 0,1 0,1 1,0 0))", mimeType="application/wkt")
        segment(wps_server.geoserver, port_crop, "ships", roi=roi)
    except RuntimeError as e:
        assert "does not support roi" in str(e)
    else:
        raise AssertionError("the stand-in refuses roi; the script did not say so")
