"""Headless QGIS for the plugin's tests, with the plugin installed from its zip.

The session packages the plugin (package.py), unzips it into a fresh temporary QGIS profile and
loads it with qgis.utils, as "Install from ZIP" does; every test then runs the algorithms through
processing.run, as a user's script would. Run with Debian's /usr/bin/python3 (python3-qgis).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PLUGIN_ROOT = HERE.parent
PROJECT = PLUGIN_ROOT.parent
SCENES = PROJECT / "sample-data" / "scenes"
CLI_JAR = PROJECT / "cli" / "target" / "diffris-cli.jar"

# Only the tests' own helpers go on the path: the plugin is imported from the installed zip.
sys.path.insert(0, str(HERE))
sys.path.append("/usr/share/qgis/python/plugins")  # Processing, as QGIS itself finds it
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")
# The command line's tile-cost cache (what runs measured) goes to a folder of these tests' own.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="diffris-qgis-tests-cache-")
# GDAL would otherwise leave .aux.xml statistics files beside the sample scenes.
os.environ["GDAL_PAM_ENABLED"] = "NO"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: long-running test, run with DIFFRIS_SLOW=1 ./run-tests"
    )


def pytest_collection_modifyitems(config, items):
    if os.environ.get("DIFFRIS_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: run with DIFFRIS_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def profile(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("qgis-profile")


@pytest.fixture(scope="session")
def qgis_app(profile):
    from qgis.core import QgsApplication

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], True, str(profile))  # with GUI classes, as in QGIS (offscreen)
    app.initQgis()
    from processing.core.Processing import Processing

    Processing.initialize()
    yield app
    app.exitQgis()


@pytest.fixture(scope="session")
def plugin_zip(tmp_path_factory) -> Path:
    import importlib.util

    spec = importlib.util.spec_from_file_location("package", PLUGIN_ROOT / "package.py")
    package = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(package)
    return package.build(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="session")
def installed_plugin(qgis_app, profile, plugin_zip):
    """The plugin unzipped into the profile's plugin folder and started by qgis.utils."""
    import qgis.utils

    plugins = profile / "python" / "plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(plugin_zip) as archive:
        archive.extractall(plugins)
    sys.path.insert(0, str(plugins))
    qgis.utils.plugin_paths.insert(0, str(plugins))
    qgis.utils.updateAvailablePlugins()
    assert qgis.utils.loadPlugin("diffris_qgis"), "qgis.utils could not load the plugin"
    assert qgis.utils.startProcessingPlugin(
        "diffris_qgis"
    ), "the plugin's Processing provider did not start"
    yield plugins / "diffris_qgis"
    qgis.utils.unloadPlugin("diffris_qgis")


@pytest.fixture(scope="session")
def cli_jar() -> Path:
    if not CLI_JAR.is_file():
        pytest.skip(
            f"{CLI_JAR.relative_to(PROJECT)} is missing: build the command line first (./diffris --help)"
        )
    return CLI_JAR


@pytest.fixture
def local_setting(installed_plugin, cli_jar):
    """The provider's command line setting pointing at the built jar."""
    from processing.core.ProcessingConfig import ProcessingConfig

    ProcessingConfig.setSettingValue("DIFFRIS_CLI", str(cli_jar))
    yield cli_jar
    ProcessingConfig.setSettingValue("DIFFRIS_CLI", "")


@pytest.fixture(scope="session")
def wps_server(tmp_path_factory, cli_jar):
    """The PyWPS test server (wps_server/) on a free port; yields its base URL."""
    workdir = tmp_path_factory.mktemp("wps-server")
    server = subprocess.Popen(
        [
            "/usr/bin/python3",
            "-m",
            "wps_server.server",
            "--workdir",
            str(workdir),
            "--cli",
            str(cli_jar),
        ],
        cwd=str(HERE),
        stdout=subprocess.PIPE,
        stderr=open(workdir / "server.log", "w"),
        text=True,
    )
    line = server.stdout.readline()
    if not line.startswith("listening on "):
        server.kill()
        pytest.fail(
            f"the test WPS server did not start: {(workdir / 'server.log').read_text()[-2000:]}"
        )
    port = int(line.split()[-1])
    yield WpsServer(f"http://127.0.0.1:{port}", workdir)
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def server(installed_plugin, wps_server):
    """The provider set to the test server, so the form is built from its DescribeProcess."""
    from processing.core.ProcessingConfig import ProcessingConfig
    from qgis.core import QgsApplication

    import diffris_qgis.wps.segment_wps as segment_wps

    ProcessingConfig.setSettingValue("DIFFRIS_GEOSERVER_URL", wps_server.geoserver)
    QgsApplication.processingRegistry().providerById("diffris").refreshAlgorithms()
    segment_wps.SegmentWpsAlgorithm.poll_seconds = 0.2
    yield wps_server
    ProcessingConfig.setSettingValue("DIFFRIS_GEOSERVER_URL", "")
    QgsApplication.processingRegistry().providerById("diffris").refreshAlgorithms()


class WpsServer:
    def __init__(self, url: str, workdir: Path):
        self.url = url
        self.geoserver = f"{url}/geoserver"
        self.workdir = workdir

    def requests(self):
        """The XML bodies POSTed to the server so far, oldest first."""
        folder = self.workdir / "requests"
        return (
            [p.read_bytes() for p in sorted(folder.glob("*.xml"), key=lambda p: int(p.stem))]
            if folder.is_dir()
            else []
        )

    def status_documents(self):
        return sorted((self.workdir / "outputs").glob("*.xml"), key=lambda p: p.stat().st_mtime)


@pytest.fixture(scope="session")
def port_crop(tmp_path_factory) -> Path:
    """A 512 x 512 pixel corner of port.tif (the ready requests' WCS subset): quick to segment."""
    from osgeo import gdal

    target = tmp_path_factory.mktemp("rasters") / "port_crop.tif"
    gdal.Translate(str(target), str(SCENES / "port.tif"), srcWin=[0, 0, 512, 512])
    return target


@pytest.fixture(scope="session")
def port_crop_ships(tmp_path_factory, cli_jar, port_crop) -> Path:
    """The command line's answer to 'ships', minimum area 20 m², on port_crop (GeoPackage)."""
    out = tmp_path_factory.mktemp("reference") / "ships.gpkg"
    run_cli(cli_jar, port_crop, "ships", out, "--min-area", "20")
    return out


@pytest.fixture(scope="session")
def town_crop(tmp_path_factory) -> Path:
    """A 1024 x 1024 pixel corner of town.tif: long enough to report progress several times."""
    from osgeo import gdal

    target = tmp_path_factory.mktemp("rasters") / "town_crop.tif"
    gdal.Translate(str(target), str(SCENES / "town.tif"), srcWin=[0, 0, 1024, 1024])
    return target


def run_cli(cli_jar: Path, raster: Path, query: str, out: Path, *options: str) -> None:
    """The command line itself, as a user runs it: the reference the plugin is compared with."""
    java = shutil.which("java")
    command = [
        java,
        "-jar",
        str(cli_jar),
        "segment",
        "--raster",
        str(raster),
        "--query",
        query,
        "--out",
        str(out),
    ]
    subprocess.run(command + list(options), check=True, capture_output=True, cwd=str(PROJECT))


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
