"""Against a live GeoServer with the DiffRIS extension: the WCS reference and the gs:Import chain,
which only GeoServer resolves. Skipped unless GEOSERVER_URL is set.

    GEOSERVER_URL=http://localhost:8080/geoserver GEOSERVER_USER=admin GEOSERVER_PASSWORD=geoserver \\
    GEOSERVER_COVERAGE=diffris:port GEOSERVER_STORE=diffris:results /usr/bin/python3 -m pytest qgis-plugin/tests/test_geoserver_live.py

The coverage is sample-data/scenes/port.tif published as in docs/geoserver.md; the store is an
existing PostGIS or GeoPackage store (workspace:store) the import may write to.
"""

import os
import uuid

import processing
import pytest
from qgis.core import QgsApplication, QgsProcessingUtils, QgsVectorLayer

from test_local import RecordingFeedback
from test_wps_server import auth_config

GEOSERVER_URL = os.environ.get("GEOSERVER_URL", "")
COVERAGE = os.environ.get("GEOSERVER_COVERAGE", "diffris:port")
STORE = os.environ.get("GEOSERVER_STORE", "diffris:results")
ALGORITHM = "diffris:segment_geoserver"

pytestmark = pytest.mark.skipif(
    not GEOSERVER_URL,
    reason="GEOSERVER_URL is not set: WCS references and the gs:Import chain need a live GeoServer with the DiffRIS extension",
)


@pytest.fixture
def live(installed_plugin):
    from processing.core.ProcessingConfig import ProcessingConfig

    authcfg = auth_config(
        os.environ.get("GEOSERVER_USER", "admin"), os.environ.get("GEOSERVER_PASSWORD", "geoserver")
    )
    ProcessingConfig.setSettingValue("DIFFRIS_GEOSERVER_URL", GEOSERVER_URL)
    ProcessingConfig.setSettingValue("DIFFRIS_GEOSERVER_AUTHCFG", authcfg)
    QgsApplication.processingRegistry().providerById("diffris").refreshAlgorithms()
    yield authcfg
    ProcessingConfig.setSettingValue("DIFFRIS_GEOSERVER_URL", "")
    ProcessingConfig.setSettingValue("DIFFRIS_GEOSERVER_AUTHCFG", "")
    QgsApplication.processingRegistry().providerById("diffris").refreshAlgorithms()


def test_coverages_come_from_wcs_capabilities(live):
    coverage = (
        QgsApplication.processingRegistry()
        .createAlgorithmById(ALGORITHM)
        .parameterDefinition("coverage")
    )
    assert coverage.type() == "enum", "no coverage list: WCS GetCapabilities failed"
    assert COVERAGE in coverage.options()


@pytest.mark.parametrize("asynchronous", [False, True])
def test_a_published_coverage_is_segmented_on_the_server(live, tmp_path, asynchronous):
    feedback = RecordingFeedback()
    result = processing.run(
        ALGORITHM,
        {
            "coverage": COVERAGE,
            "query": "storage tanks",
            "minArea": 20,
            "ASYNC": asynchronous,
            "OUTPUT": str(tmp_path / "tanks.gpkg"),
        },
        feedback=feedback,
    )
    layer = QgsVectorLayer(result["OUTPUT"], "tanks", "ogr")
    assert layer.isValid() and layer.featureCount() == result["FEATURES"] > 0
    assert layer.fields().indexOf("score") >= 0 and layer.crs().authid() == "EPSG:32633"
    if asynchronous:
        assert feedback.progress and feedback.progress[-1] == 100


def test_publish_as_a_wfs_layer(live, tmp_path):
    workspace, store = STORE.split(":", 1)
    name = f"qgis_test_{uuid.uuid4().hex[:8]}"
    result = processing.run(
        ALGORITHM,
        {
            "coverage": COVERAGE,
            "query": "storage tanks",
            "minArea": 20,
            "ASYNC": True,
            "PUBLISH": True,
            "WORKSPACE": workspace,
            "STORE": store,
            "LAYER_NAME": name,
        },
    )
    assert result["PUBLISHED_LAYER"].endswith(name)
    layer = result["WFS_LAYER"]
    if isinstance(layer, str):  # a layer id, when processing.run leaves it so
        from processing.tools import dataobjects

        layer = QgsProcessingUtils.mapLayerFromString(layer, dataobjects.createContext())
    assert layer.isValid() and layer.providerType() == "WFS" and layer.featureCount() > 0
