"""Segment by text (GeoServer) against a real WPS 1.0.0 server: PyWPS serving diffris:Segment
(wps_server/), which runs the project's command line. GeoServer itself cannot be run here."""

import base64
import xml.etree.ElementTree as ET

import processing
import pytest
from osgeo import ogr
from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsProcessingException

from conftest import SCENES, run_cli, wait_for
from features import read_features
from test_local import RecordingFeedback
from xml_shape import coverage_given_as, shape

ALGORITHM = "diffris:segment_geoserver"
WPS = "{http://www.opengis.net/wps/1.0.0}"
OWS = "{http://www.opengis.net/ows/1.1}"


def literal_inputs(body: bytes) -> dict:
    root = ET.fromstring(body)
    return {
        i.findtext(f"{OWS}Identifier"): i.findtext(f"{WPS}Data/{WPS}LiteralData")
        for i in root.findall(f"{WPS}DataInputs/{WPS}Input")
        if i.find(f"{WPS}Data/{WPS}LiteralData") is not None
    }


def test_the_form_is_built_from_describe_process(server):
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(ALGORITHM)
    threshold = algorithm.parameterDefinition("threshold")
    assert threshold.type() == "number" and threshold.dataType() == threshold.Double
    assert (threshold.minimum(), threshold.maximum(), threshold.defaultValue()) == (0.0, 1.0, None)
    assert threshold.flags() & threshold.FlagOptional
    min_area = algorithm.parameterDefinition("minArea")
    assert (min_area.minimum(), min_area.defaultValue()) == (0.0, 0.0)
    max_features = algorithm.parameterDefinition("maxFeatures")
    assert max_features.dataType() == max_features.Integer and max_features.minimum() == 1.0
    assert algorithm.parameterDefinition("scale").defaultValue() == "auto"
    assert algorithm.parameterDefinition("bands").type() == "string"
    assert algorithm.parameterDefinition("query").description() == "What to find, in English"
    assert algorithm.parameterDefinition("roi").type() == "geometry"  # the server takes it as WKT
    assert algorithm.parameterDefinition("SERVER").defaultValue() == server.geoserver
    coverage = algorithm.parameterDefinition("coverage")  # from the server's WCS capabilities
    assert coverage.type() == "enum" and coverage.options() == [
        "diffris:port",
        "diffris:town",
        "diffris:airport",
    ]


def test_a_published_coverage_is_sent_as_a_wcs_reference(server, tmp_path):
    # Its extent comes from WCS DescribeCoverage; only GeoServer resolves http://geoserver/wcs, so
    # this server fails the request, and the user reads why.
    with pytest.raises(QgsProcessingException, match="The server"):
        processing.run(
            ALGORITHM,
            {
                "coverage": "diffris:port",
                "query": "ships",
                "ASYNC": False,
                "OUTPUT": str(tmp_path / "o.gpkg"),
            },
        )
    sent = ET.fromstring(server.requests()[-1])
    reference = sent.find(f"{WPS}DataInputs/{WPS}Input/{WPS}Reference")
    assert reference.get("{http://www.w3.org/1999/xlink}href") == "http://geoserver/wcs"
    assert reference.get("mimeType") == "image/tiff" and reference.get("method") == "POST"
    get_coverage = reference.find(f"{WPS}Body/{{http://www.opengis.net/wcs/1.1.1}}GetCoverage")
    assert get_coverage.findtext(f"{OWS}Identifier") == "diffris:port"
    box = get_coverage.find(f".//{OWS}BoundingBox")
    assert box.get("crs") == "urn:ogc:def:crs:EPSG::32633"
    assert (box.findtext(f"{OWS}LowerCorner"), box.findtext(f"{OWS}UpperCorner")) == (
        "402000.0 5058104.0",
        "402896.0 5059000.0",
    )
    assert not (tmp_path / "o.gpkg").exists()


def test_synchronous_run_returns_the_command_lines_features(server, cli_jar, tmp_path, port_crop):
    expected = tmp_path / "cli.geojson"
    run_cli(cli_jar, port_crop, "ships", expected, "--min-area", "20")
    result = processing.run(
        ALGORITHM,
        {
            "LOCAL_RASTER": str(port_crop),
            "query": "ships",
            "minArea": 20,
            "ASYNC": False,
            "OUTPUT": str(tmp_path / "wps.gpkg"),
        },
    )
    wanted = read_features(expected)
    assert len(wanted) > 0 and result["FEATURES"] == len(wanted)
    assert read_features(result["OUTPUT"]) == wanted
    # The provenance attributes reach the layer too: a source and one run id for the request.
    dataset = ogr.Open(result["OUTPUT"])
    provenance = [(f.GetField("source"), f.GetField("run_id")) for f in dataset.GetLayer(0)]
    assert all(source for source, _ in provenance)
    assert len({run for _, run in provenance}) == 1
    sent = server.requests()[-1]
    root = ET.fromstring(sent)
    assert root.findtext(f"{OWS}Identifier") == "diffris:Segment"
    assert literal_inputs(sent) == {"query": "ships", "minArea": "20"}  # unset inputs are not sent
    upload = root.find(f".//{WPS}ComplexData")
    assert base64.b64decode(upload.text) == port_crop.read_bytes()
    assert root.find(f"{WPS}ResponseForm/{WPS}RawDataOutput").get("mimeType") == "application/json"


def test_asynchronous_run_reports_progress_and_loads_a_styled_layer(server, tmp_path, town_crop):
    from qgis.core import QgsGraduatedSymbolRenderer, QgsProject

    feedback = RecordingFeedback()
    # As a user's script that wants the result in the map: a temporary layer, loaded and styled.
    processing.runAndLoadResults(
        ALGORITHM,
        {
            "LOCAL_RASTER": str(town_crop),
            "query": "cars",
            "maxFeatures": 5,
            "ASYNC": True,
            "OUTPUT": "TEMPORARY_OUTPUT",
        },
        feedback=feedback,
    )
    between = [p for p in feedback.progress if 0 < p < 100]
    assert between, f"no progress between 0 and 100: {feedback.progress}"
    assert feedback.progress == sorted(feedback.progress) and feedback.progress[-1] == 100
    assert any("tiles" in text for text in feedback.texts)
    layers = QgsProject.instance().mapLayersByName("DiffRIS: cars")
    assert len(layers) == 1
    renderer = layers[0].renderer()
    assert isinstance(renderer, QgsGraduatedSymbolRenderer) and renderer.classAttribute() == "score"
    areas = [feature["area"] for feature in layers[0].getFeatures()]
    assert len(areas) == 5 and areas == sorted(areas, reverse=True)
    QgsProject.instance().removeAllMapLayers()
    document = ET.fromstring(server.requests()[-1]).find(f"{WPS}ResponseForm/{WPS}ResponseDocument")
    assert (document.get("storeExecuteResponse"), document.get("status")) == ("true", "true")


def test_nothing_found_is_an_empty_layer_not_an_error(server, tmp_path, port_crop):
    # There are no storage tanks in this corner of the port: an empty FeatureCollection.
    result = processing.run(
        ALGORITHM,
        {
            "LOCAL_RASTER": str(port_crop),
            "query": "storage tanks",
            "ASYNC": False,
            "OUTPUT": str(tmp_path / "none.gpkg"),
        },
    )
    assert result["FEATURES"] == 0 and read_features(result["OUTPUT"]) == []


def test_cancel_dismisses_the_server_job(server, tmp_path):
    feedback = RecordingFeedback(cancel_at_progress=True)
    with pytest.raises(QgsProcessingException, match=r"Cancelled: the server job .* was dismissed"):
        processing.run(
            ALGORITHM,
            {
                "LOCAL_RASTER": str(SCENES / "port.tif"),
                "query": "ships",
                "ASYNC": True,
                "OUTPUT": str(tmp_path / "wps.gpkg"),
            },
            feedback=feedback,
        )
    assert not (tmp_path / "wps.gpkg").exists()
    flags = list((server.workdir / "dismissed").glob("*.dismissed"))
    assert len(flags) >= 1
    job = max(flags, key=lambda p: p.stat().st_mtime).name.split(".")[0]
    status = server.workdir / "outputs" / f"{job}.xml"
    # The server's handler kills the command line when it sees the flag, then reports the job failed.
    wait_for(
        lambda: status.is_file() and b"dismissed" in status.read_bytes(),
        20,
        "the job to stop as dismissed",
    )
    assert b"ProcessFailed" in status.read_bytes()


def test_cancel_aborts_a_synchronous_request(server, tmp_path, port_crop):
    import threading

    feedback = RecordingFeedback()
    # The command line alone takes longer than this to start; the crop keeps short the job the
    # server goes on with.
    threading.Timer(1.0, feedback.cancel).start()
    with pytest.raises(QgsProcessingException, match="the synchronous request was aborted"):
        processing.run(
            ALGORITHM,
            {
                "LOCAL_RASTER": str(port_crop),
                "query": "ships",
                "ASYNC": False,
                "OUTPUT": str(tmp_path / "wps.gpkg"),
            },
            feedback=feedback,
        )
    assert not (tmp_path / "wps.gpkg").exists()


@pytest.mark.parametrize("asynchronous", [False, True])
def test_a_server_exception_report_reaches_the_user(server, tmp_path, port_crop, asynchronous):
    # An option the command line refuses at once: the server reports it, the user reads it.
    with pytest.raises(
        QgsProcessingException, match=r"bits:40. not understood \(bits must be 1 to 32, got 40\)"
    ):
        processing.run(
            ALGORITHM,
            {
                "LOCAL_RASTER": str(port_crop),
                "query": "ships",
                "scale": "bits:40",
                "ASYNC": asynchronous,
                "OUTPUT": str(tmp_path / "wps.gpkg"),
            },
        )
    assert not (tmp_path / "wps.gpkg").exists()


def test_roi_is_sent_as_wkt_in_the_rasters_crs(server, tmp_path, port_crop):
    from qgis.core import (
        QgsCoordinateReferenceSystem,
        QgsCoordinateTransform,
        QgsGeometry,
        QgsProject,
    )

    drawn = "POLYGON((13.7450 45.6800, 13.7460 45.6800, 13.7460 45.6810, 13.7450 45.6810, 13.7450 45.6800))"
    # This server refuses roi (the command line has none); the refusal reaches the user.
    with pytest.raises(QgsProcessingException, match="this test server does not support roi"):
        processing.run(
            ALGORITHM,
            {
                "LOCAL_RASTER": str(port_crop),
                "query": "ships",
                "roi": f"CRS=EPSG:4326;{drawn}",
                "ASYNC": False,
                "OUTPUT": str(tmp_path / "o.gpkg"),
            },
        )
    sent = ET.fromstring(server.requests()[-1])
    roi = next(i for i in sent.iter(f"{WPS}Input") if i.findtext(f"{OWS}Identifier") == "roi")
    data = roi.find(f"{WPS}Data/{WPS}ComplexData")
    assert data.get("mimeType") == "application/wkt"
    expected = QgsGeometry.fromWkt(drawn)
    expected.transform(
        QgsCoordinateTransform(
            QgsCoordinateReferenceSystem("EPSG:4326"),
            QgsCoordinateReferenceSystem("EPSG:32633"),
            QgsProject.instance(),
        )
    )
    got = QgsGeometry.fromWkt(data.text)
    assert got.hausdorffDistance(expected) < 1e-6 and 400000 < got.boundingBox().xMinimum() < 500000


def test_unreachable_server(server, tmp_path, port_crop):
    with pytest.raises(
        QgsProcessingException,
        match=r"Cannot reach the server at http://127.0.0.1:9/geoserver/wps: Connection refused",
    ):
        processing.run(
            ALGORITHM,
            {
                "SERVER": "http://127.0.0.1:9/geoserver",
                "LOCAL_RASTER": str(port_crop),
                "query": "ships",
                "OUTPUT": str(tmp_path / "wps.gpkg"),
            },
        )


def test_a_silent_server_does_not_hold_the_toolbox(server):
    # The silent endpoint never answers, so the catalog comes back only through its own 1 s
    # timeout, which its message names; no wall time is measured (a slow machine must pass).
    from diffris_qgis.wps import server_catalog

    server_catalog.CATALOG_TIMEOUT_MS = 1000
    try:
        catalog = server_catalog.catalog(server.url + "/silent/geoserver", "")
    finally:
        server_catalog.CATALOG_TIMEOUT_MS = 5000
        server_catalog.forget()
    assert (
        catalog.description is None and "no answer within 1 s" in catalog.problem
    ), catalog.problem


def test_server_without_the_process(server, tmp_path, port_crop):
    with pytest.raises(
        QgsProcessingException,
        match=r"The process diffris:Segment is not installed on .*/empty/geoserver",
    ):
        processing.run(
            ALGORITHM,
            {
                "SERVER": server.url + "/empty/geoserver",
                "LOCAL_RASTER": str(port_crop),
                "query": "ships",
                "OUTPUT": str(tmp_path / "wps.gpkg"),
            },
        )


def auth_config(user: str, password: str) -> str:
    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        assert manager.setMasterPassword("test-master-password", True)
    config = QgsAuthMethodConfig("Basic")
    config.setName(f"wps test {user}:{password}")
    config.setConfig("username", user)
    config.setConfig("password", password)
    assert manager.storeAuthenticationConfig(config)[0]
    return config.id()


def test_credentials_come_from_an_authcfg(server, tmp_path, port_crop):
    from wps_server.server import PASSWORD, USER

    secured = server.url + "/secured/geoserver"
    parameters = {
        "SERVER": secured,
        "LOCAL_RASTER": str(port_crop),
        "query": "ships",
        "ASYNC": False,
    }
    with pytest.raises(
        QgsProcessingException,
        match=r"needs a login \(HTTP 401\): choose an authentication configuration",
    ):
        processing.run(ALGORITHM, {**parameters, "OUTPUT": str(tmp_path / "a.gpkg")})
    wrong = auth_config(USER, "not-the-password")
    with pytest.raises(
        QgsProcessingException,
        match=rf"refused the login of authentication configuration '{wrong}' \(HTTP 401\)",
    ):
        processing.run(
            ALGORITHM, {**parameters, "AUTHCFG": wrong, "OUTPUT": str(tmp_path / "b.gpkg")}
        )
    right = auth_config(USER, PASSWORD)
    result = processing.run(
        ALGORITHM, {**parameters, "AUTHCFG": right, "OUTPUT": str(tmp_path / "c.gpkg")}
    )
    assert result["FEATURES"] > 0


def test_forbidden(server, tmp_path, port_crop):
    with pytest.raises(
        QgsProcessingException, match=r"forbids this request to this user \(HTTP 403\)"
    ):
        processing.run(
            ALGORITHM,
            {
                "SERVER": server.url + "/forbidden/geoserver",
                "LOCAL_RASTER": str(port_crop),
                "query": "ships",
                "OUTPUT": str(tmp_path / "wps.gpkg"),
            },
        )


def test_publish_sends_the_ready_import_chain(server, tmp_path, port_crop):
    from conftest import PROJECT

    # PyWPS has no gs:Import: the server refuses, and its exception text reaches the user.
    with pytest.raises(QgsProcessingException, match="gs:Import"):
        processing.run(
            ALGORITHM,
            {
                "LOCAL_RASTER": str(port_crop),
                "query": "storage tanks",
                "minArea": 20,
                "ASYNC": False,
                "PUBLISH": True,
                "WORKSPACE": "diffris",
                "STORE": "results",
                "LAYER_NAME": "port_storage_tanks",
            },
        )
    sent = ET.fromstring(server.requests()[-1])
    ready = ET.parse(PROJECT / "sample-data" / "requests" / "segment-import-layer.xml").getroot()
    # Same elements, identifiers, input names and values; the raster is an upload here, a WCS reference there.
    assert shape(sent, summarise_coverage=True) == shape(ready, summarise_coverage=True)
    assert coverage_given_as(sent) == ["inline GeoTIFF"] and coverage_given_as(ready) == [
        "reference"
    ]


def test_publish_needs_workspace_store_and_name(server, tmp_path, port_crop):
    with pytest.raises(QgsProcessingException, match="needs a workspace, an existing store"):
        processing.run(
            ALGORITHM,
            {
                "LOCAL_RASTER": str(port_crop),
                "query": "ships",
                "PUBLISH": True,
                "WORKSPACE": "diffris",
            },
        )


def test_raster_without_crs_is_refused_before_upload(server, tmp_path):
    from osgeo import gdal

    plain = tmp_path / "no_crs.tif"
    gdal.GetDriverByName("GTiff").Create(str(plain), 64, 64, 3, gdal.GDT_Byte)
    count = len(server.requests())
    with pytest.raises(QgsProcessingException, match="has no CRS"):
        processing.run(
            ALGORITHM,
            {"LOCAL_RASTER": str(plain), "query": "ships", "OUTPUT": str(tmp_path / "o.gpkg")},
        )
    assert len(server.requests()) == count


def test_exactly_one_raster(server, tmp_path, port_crop):
    with pytest.raises(QgsProcessingException, match="exactly one"):
        processing.run(ALGORITHM, {"query": "ships", "OUTPUT": str(tmp_path / "o.gpkg")})
    with pytest.raises(QgsProcessingException, match="exactly one"):
        processing.run(
            ALGORITHM,
            {
                "coverage": "diffris:port",
                "LOCAL_RASTER": str(port_crop),
                "query": "ships",
                "OUTPUT": str(tmp_path / "o.gpkg"),
            },
        )
