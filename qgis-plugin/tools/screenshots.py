#!/usr/bin/env python3
"""Takes the pictures of docs/qgis.md from QGIS itself, under a virtual display:

    xvfb-run -a /usr/bin/python3 qgis-plugin/tools/screenshots.py

Writes docs/images/qgis-dialog-local.png, qgis-dialog-geoserver.png and qgis-result-port.png. The
plugin comes from its zip (package.py), as a user installs it; the GeoServer dialog is built from
the DescribeProcess of the tests' PyWPS server (tests/wps_server/), which stands in for GeoServer.
Needs the command line built (./diffris --help).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLUGIN_ROOT = HERE.parent
PROJECT = PLUGIN_ROOT.parent
IMAGES = PROJECT / "docs" / "images"
JAR = PROJECT / "cli" / "target" / "diffris-cli.jar"
SCENE = PROJECT / "sample-data" / "scenes" / "port.tif"
QUERY = "white storage tanks"

sys.path.append("/usr/share/qgis/python/plugins")
os.environ["GDAL_PAM_ENABLED"] = "NO"  # no .aux.xml statistics files beside the sample scenes


def qgis_interface(work: Path) -> None:
    """Processing's dialogs ask QGIS's interface for its main window and map canvas: give them
    real ones, and a stand-in for the rest of the interface."""
    from unittest import mock

    import qgis.utils
    from qgis.gui import QgsBrowserGuiModel, QgsMapCanvas
    from qgis.PyQt.QtWidgets import QMainWindow

    window = QMainWindow()
    canvas = QgsMapCanvas(window)
    iface = mock.Mock()
    iface.mainWindow.return_value = window
    iface.mapCanvas.return_value = canvas
    iface.browserModel.return_value = QgsBrowserGuiModel(window)
    iface.activeLayer.return_value = None
    qgis.utils.iface = iface
    qgis_interface.keep = (window, canvas)


def install_plugin(profile: Path) -> None:
    import importlib.util

    import qgis.utils

    spec = importlib.util.spec_from_file_location("package", PLUGIN_ROOT / "package.py")
    package = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(package)
    plugins = profile / "python" / "plugins"
    plugins.mkdir(parents=True)
    with zipfile.ZipFile(package.build(profile / "dist")) as archive:
        archive.extractall(plugins)
    sys.path.insert(0, str(plugins))
    qgis.utils.plugin_paths.insert(0, str(plugins))
    qgis.utils.updateAvailablePlugins()
    assert qgis.utils.loadPlugin("diffris_qgis") and qgis.utils.startProcessingPlugin(
        "diffris_qgis"
    )


def start_wps_server(workdir: Path) -> tuple:
    server = subprocess.Popen(
        [sys.executable, "-m", "wps_server.server", "--workdir", str(workdir), "--cli", str(JAR)],
        cwd=str(PLUGIN_ROOT / "tests"),
        stdout=subprocess.PIPE,
        text=True,
    )
    port = int(server.stdout.readline().split()[-1])
    return server, f"http://127.0.0.1:{port}/geoserver"


def grab_dialog(algorithm_id: str, parameters: dict, target: Path, app) -> None:
    import processing

    dialog = processing.createAlgorithmDialog(algorithm_id, parameters)
    dialog.resize(1000, 760)
    dialog.show()
    for _ in range(20):
        app.processEvents()
    dialog.grab().save(str(target))
    dialog.close()


def render_result(gpkg: Path, target: Path) -> None:
    from qgis.core import (
        QgsMapRendererParallelJob,
        QgsMapSettings,
        QgsRasterLayer,
        QgsRectangle,
        QgsVectorLayer,
    )
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    from diffris_qgis.score_style import apply_score_style

    raster = QgsRasterLayer(str(SCENE), "port")
    result = QgsVectorLayer(str(gpkg), f"DiffRIS: {QUERY}", "ogr")
    assert raster.isValid() and result.isValid() and result.featureCount() > 0
    apply_score_style(result)
    settings = QgsMapSettings()
    settings.setLayers([result, raster])
    settings.setDestinationCrs(raster.crs())
    extent = raster.extent()
    settings.setExtent(
        QgsRectangle(extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())
    )
    settings.setOutputSize(QSize(1000, 1000))
    settings.setBackgroundColor(QColor("white"))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(str(target))


def main() -> None:
    from qgis.core import QgsApplication

    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        QgsApplication.setPrefixPath("/usr", True)
        app = QgsApplication([], True, str(work / "profile"))
        app.initQgis()
        qgis_interface(work)
        from processing.core.Processing import Processing
        from processing.core.ProcessingConfig import ProcessingConfig

        Processing.initialize()
        install_plugin(work / "profile")
        server, url = start_wps_server(work / "wps")
        try:
            ProcessingConfig.setSettingValue("DIFFRIS_CLI", str(JAR))
            ProcessingConfig.setSettingValue("DIFFRIS_GEOSERVER_URL", url)
            QgsApplication.processingRegistry().providerById("diffris").refreshAlgorithms()
            from qgis.core import QgsProject, QgsRasterLayer

            # A project layer, as a user has it (and no path of this machine in the picture).
            scene = QgsRasterLayer(str(SCENE), "port")
            QgsProject.instance().addMapLayer(scene)
            grab_dialog(
                "diffris:segment_local",
                {"INPUT": scene.id(), "query": QUERY},
                IMAGES / "qgis-dialog-local.png",
                app,
            )
            grab_dialog(
                "diffris:segment_geoserver",
                {"coverage": "diffris:port", "query": QUERY, "minArea": 20},
                IMAGES / "qgis-dialog-geoserver.png",
                app,
            )
            import processing

            gpkg = work / "tanks.gpkg"
            processing.run(
                "diffris:segment_local", {"INPUT": str(SCENE), "query": QUERY, "OUTPUT": str(gpkg)}
            )
            render_result(gpkg, IMAGES / "qgis-result-port.png")
        finally:
            server.terminate()
            server.wait()
        app.exitQgis()
    for name in ("qgis-dialog-local.png", "qgis-dialog-geoserver.png", "qgis-result-port.png"):
        print(IMAGES / name)


if __name__ == "__main__":
    main()
