"""Segment by text (local): the same features as `diffris segment`, progress, cancel, clear errors."""

import csv
import json
import os
import re
import uuid

import processing
import pytest
from osgeo import gdal, ogr, osr
from qgis.core import (
    QgsApplication,
    QgsGraduatedSymbolRenderer,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
)

from conftest import SCENES, run_cli
from features import crs_code, read_features

ALGORITHM = "diffris:segment_local"


def first_query(scene: str) -> str:
    with open(SCENES / "queries.tsv", newline="") as rows:
        return next(row[1] for row in csv.reader(rows, delimiter="\t") if row[0] == scene)


@pytest.mark.parametrize("scene", ["port.tif", "town.tif", "airport.tif"])
def test_same_features_as_the_command_line(local_setting, tmp_path, scene):
    query = first_query(scene)
    expected = tmp_path / "cli.gpkg"
    run_cli(local_setting, SCENES / scene, query, expected)
    result = processing.run(
        ALGORITHM,
        {"INPUT": str(SCENES / scene), "query": query, "OUTPUT": str(tmp_path / "plugin.gpkg")},
    )
    assert result["OUTPUT"] == str(tmp_path / "plugin.gpkg")
    wanted = read_features(expected)
    got = read_features(result["OUTPUT"])
    assert len(wanted) > 0, f"the command line found nothing for '{query}' on {scene}"
    assert result["POLYGONS"] == len(wanted)
    assert [a for a, _ in got] == [
        a for a, _ in wanted
    ]  # query, score, area, pixels, model, at_edge
    assert [g for _, g in got] == [g for _, g in wanted]  # geometries, byte for byte
    assert crs_code(result["OUTPUT"]) == crs_code(expected)


def test_a_layer_that_is_not_a_geotiff_is_written_to_one_first(
    local_setting, tmp_path, port_crop, port_crop_ships
):
    vrt = tmp_path / "crop.vrt"
    gdal.Translate(str(vrt), str(port_crop), format="VRT")
    feedback = RecordingFeedback()
    result = processing.run(
        ALGORITHM,
        {
            "INPUT": str(vrt),
            "query": "ships",
            "minArea": 20,
            "OUTPUT": str(tmp_path / "plugin.gpkg"),
        },
        feedback=feedback,
    )
    assert any("Writing 'crop' to a GeoTIFF first" in line for line in feedback.infos)
    assert len(read_features(port_crop_ships)) > 0
    assert read_features(result["OUTPUT"]) == read_features(port_crop_ships)
    # The polygons name the layer's own file, not the copy the command line read.
    assert field_values(result["OUTPUT"], "source") == {"crop.vrt"}


def field_values(path, name: str) -> set:
    dataset = ogr.Open(str(path))
    return {feature.GetField(name) for feature in dataset.GetLayer(0)}


def test_the_polygons_say_their_source_and_run_and_the_manifest_lies_beside_them(
    local_setting, tmp_path, port_crop
):
    feedback = RecordingFeedback()
    out = tmp_path / "ships.gpkg"
    result = processing.run(
        ALGORITHM,
        {"INPUT": str(port_crop), "query": "ships", "OUTPUT": str(out)},
        feedback=feedback,
    )
    assert result["POLYGONS"] > 0
    dataset = ogr.Open(str(out))  # kept: its layers live only as long as it does
    definition = dataset.GetLayer(0).GetLayerDefn()
    names = [definition.GetFieldDefn(i).GetName() for i in range(definition.GetFieldCount())]
    assert names == ["query", "score", "area", "pixels", "model", "at_edge", "source", "run_id"]
    assert field_values(out, "source") == {"port_crop.tif"}
    (run_id,) = field_values(out, "run_id")
    assert uuid.UUID(run_id).version == 4
    manifest = json.loads((tmp_path / "ships.run.json").read_text())
    assert manifest["run_id"] == run_id
    assert manifest["counts"]["polygons"] == result["POLYGONS"]
    assert manifest["inputs"][0]["path"] == str(port_crop)
    assert f"Run {run_id}: its manifest is {tmp_path / 'ships.run.json'}" in feedback.infos


def test_a_geopackage_written_before_provenance_still_loads_styled(installed_plugin, tmp_path):
    # The columns before source and run_id: query, score, area, pixels, model, at_edge.
    from qgis.core import QgsVectorLayer

    from diffris_qgis.score_style import apply_score_style

    path = tmp_path / "old.gpkg"
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    reference = osr.SpatialReference()
    reference.ImportFromEPSG(32633)
    layer = dataset.CreateLayer("old", reference, ogr.wkbPolygon)
    columns = [
        ("query", ogr.OFTString, "tanks"),
        ("score", ogr.OFTReal, 0.8),
        ("area", ogr.OFTReal, 1.0),
        ("pixels", ogr.OFTInteger64, 4),
        ("model", ogr.OFTString, "diffris-tiny 0.6.0"),
        ("at_edge", ogr.OFTInteger, 0),
    ]
    for name, kind, _ in columns:
        layer.CreateField(ogr.FieldDefn(name, kind))
    feature = ogr.Feature(layer.GetLayerDefn())
    feature.SetGeometry(ogr.CreateGeometryFromWkt("POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))"))
    for name, _, value in columns:
        feature.SetField(name, value)
    layer.CreateFeature(feature)
    dataset = None
    loaded = QgsVectorLayer(str(path), "old", "ogr")
    assert loaded.isValid() and loaded.featureCount() == 1
    apply_score_style(loaded)
    assert isinstance(loaded.renderer(), QgsGraduatedSymbolRenderer)
    assert loaded.renderer().classAttribute() == "score"


def test_cancel_stops_the_command_and_leaves_no_file(local_setting, tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    feedback = RecordingFeedback(cancel_at_progress=True)
    with pytest.raises(QgsProcessingException, match="Cancelled"):
        processing.run(
            ALGORITHM,
            {
                "INPUT": str(SCENES / "port.tif"),
                "query": "ships",
                "OUTPUT": str(out_dir / "o.gpkg"),
            },
            feedback=feedback,
        )
    assert feedback.progress and feedback.progress[0] < 100, "cancelled after the run had finished"
    assert list(out_dir.iterdir()) == []
    assert not processes_mentioning(str(out_dir)), "the command line still runs after cancel"


def processes_mentioning(text: str) -> list:
    """Process ids whose command line contains text (Linux /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                if text.encode() in cmdline.read():
                    found.append(entry)
        except (OSError, ValueError):
            continue
    return found


def test_progress_and_the_result_loaded_styled_by_score(local_setting, tmp_path, port_crop):
    from processing.gui.Postprocessing import handleAlgorithmResults

    project = QgsProject.instance()
    context = QgsProcessingContext()
    context.setProject(project)
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(ALGORITHM)
    parameters = {
        "INPUT": str(port_crop),
        "query": "storage tanks",
        "OUTPUT": str(tmp_path / "styled.gpkg"),
    }
    context.addLayerToLoadOnCompletion(
        str(tmp_path / "styled.gpkg"),
        QgsProcessingContext.LayerDetails("Objects found", project, "OUTPUT"),
    )
    feedback = RecordingFeedback()
    results, ok = algorithm.run(parameters, context, feedback)
    assert ok, results
    assert feedback.progress, "no progress reported"
    assert feedback.progress == sorted(feedback.progress) and feedback.progress[-1] == 100.0
    assert any(text.endswith(" tiles") and " of " in text for text in feedback.texts)
    assert handleAlgorithmResults(
        algorithm, context, feedback, showResults=False, parameters=parameters
    )
    layers = project.mapLayersByName("DiffRIS: storage tanks")
    assert len(layers) == 1
    renderer = layers[0].renderer()
    assert isinstance(renderer, QgsGraduatedSymbolRenderer) and renderer.classAttribute() == "score"
    project.removeAllMapLayers()


def test_raster_without_crs_is_refused_clearly(local_setting, tmp_path):
    plain = tmp_path / "no_crs.tif"
    gdal.GetDriverByName("GTiff").Create(str(plain), 64, 64, 3, gdal.GDT_Byte)  # closed at once
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(QgsProcessingException, match="has no CRS"):
        processing.run(
            ALGORITHM, {"INPUT": str(plain), "query": "ships", "OUTPUT": str(out_dir / "o.gpkg")}
        )
    assert list(out_dir.iterdir()) == []


def test_a_command_line_error_is_shown_as_its_message(local_setting, tmp_path, port_crop):
    with pytest.raises(
        QgsProcessingException, match=r"--scale .bits:40. not understood \(bits must be 1 to 32"
    ):
        processing.run(
            ALGORITHM,
            {
                "INPUT": str(port_crop),
                "query": "ships",
                "scale": "bits:40",
                "OUTPUT": str(tmp_path / "o.gpkg"),
            },
        )
    assert not (tmp_path / "o.gpkg").exists()


def test_missing_java_is_named(local_setting, tmp_path, port_crop, monkeypatch):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-java"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(
        QgsProcessingException,
        match="Java was not found .*JAVA_HOME is '.*no-java' but has no bin/java",
    ):
        processing.run(
            ALGORITHM,
            {"INPUT": str(port_crop), "query": "ships", "OUTPUT": str(tmp_path / "o.gpkg")},
        )


def test_missing_command_line_says_where_to_set_it(installed_plugin, tmp_path, port_crop):
    with pytest.raises(
        QgsProcessingException,
        match="the diffris command line is not set: set 'diffris command line' in Settings",
    ):
        processing.run(
            ALGORITHM,
            {"INPUT": str(port_crop), "query": "ships", "OUTPUT": str(tmp_path / "o.gpkg")},
        )
    with pytest.raises(QgsProcessingException, match="does not exist"):
        processing.run(
            ALGORITHM,
            {
                "INPUT": str(port_crop),
                "query": "ships",
                "CLI": str(tmp_path / "nothing.jar"),
                "OUTPUT": str(tmp_path / "o.gpkg"),
            },
        )


def test_the_launcher_works_as_the_jar(local_setting, tmp_path, port_crop, port_crop_ships):
    from conftest import PROJECT

    launcher = tmp_path / "launcher.gpkg"
    processing.run(
        ALGORITHM,
        {
            "INPUT": str(port_crop),
            "query": "ships",
            "minArea": 20,
            "CLI": str(PROJECT / "diffris"),
            "OUTPUT": str(launcher),
        },
    )
    assert read_features(launcher) == read_features(port_crop_ships)


def test_a_project_folder_means_its_jar(installed_plugin, cli_jar):
    from diffris_qgis.local.command_line import locate

    from conftest import PROJECT

    assert locate(str(PROJECT)) == cli_jar
    assert locate(str(cli_jar)) == cli_jar


class RecordingFeedback(QgsProcessingFeedback):
    """Keeps what the algorithm reports; optionally cancels at the first progress."""

    def __init__(self, cancel_at_progress=False):
        super().__init__()
        self.progress, self.texts, self.infos = [], [], []
        self.cancel_at_progress = cancel_at_progress
        self.progressChanged.connect(self._on_progress)

    def _on_progress(self, value):
        self.progress.append(value)
        if self.cancel_at_progress and 0 < value < 100:
            self.cancel()

    def setProgressText(self, text):  # noqa: N802
        self.texts.append(text)
        super().setProgressText(text)

    def pushInfo(self, info):  # noqa: N802
        self.infos.append(info)
        super().pushInfo(info)


def test_the_estimate_is_logged_before_the_run_and_counts_its_tiles(
    local_setting, tmp_path, port_crop
):
    feedback = RecordingFeedback()
    result = processing.run(
        ALGORITHM,
        {"INPUT": str(port_crop), "query": "ships", "OUTPUT": str(tmp_path / "o.gpkg")},
        feedback=feedback,
    )
    estimates = [i for i, line in enumerate(feedback.infos) if line.startswith("Estimate: ")]
    running = [i for i, line in enumerate(feedback.infos) if line.startswith("Running diffris ")]
    found = [line for line in feedback.infos if line.startswith("Found ")]
    assert len(estimates) == 1 and len(running) == 1 and estimates[0] < running[0], feedback.infos
    estimate = feedback.infos[estimates[0]]
    # The embedded bundle's model.json has its measured runtime_memory.
    assert "Java heap " in estimate and re.search(r"native memory \d+ MiB", estimate), estimate
    assert " model grid " in estimate and "time about " in estimate, estimate
    # The tiles the dry run counted are the tiles the run sent.
    tiles = estimate.split(" tiles of ")[0][len("Estimate: ") :]
    assert f" on {tiles} tiles," in found[0], (estimate, found)
    assert result["POLYGONS"] >= 0


def crop_half_in_lon_lat(raster) -> tuple:
    """The western half of a raster as WKT in its own CRS and, the same polygon, in EPSG:4326."""
    from qgis.core import (
        QgsCoordinateReferenceSystem,
        QgsCoordinateTransform,
        QgsGeometry,
        QgsProject,
    )

    dataset = gdal.Open(str(raster))
    x0, dx, _, y0, _, dy = dataset.GetGeoTransform()
    east = x0 + dx * dataset.RasterXSize / 2  # on a pixel edge: no pixel centre on the boundary
    south = y0 + dy * dataset.RasterYSize
    native = f"POLYGON(({x0} {south}, {east} {south}, {east} {y0}, {x0} {y0}, {x0} {south}))"
    drawn = QgsGeometry.fromWkt(native)
    drawn.transform(
        QgsCoordinateTransform(
            QgsCoordinateReferenceSystem("EPSG:32633"),
            QgsCoordinateReferenceSystem("EPSG:4326"),
            QgsProject.instance(),
        )
    )
    return native, drawn.asWkt(12)


def test_an_area_of_interest_drawn_in_lon_lat_gives_the_command_lines_answer_for_it(
    local_setting, tmp_path, port_crop
):
    native, lon_lat = crop_half_in_lon_lat(port_crop)
    expected = tmp_path / "cli.gpkg"
    run_cli(local_setting, port_crop, "ships", expected, "--roi", native, "--roi-crs", "EPSG:32633")
    whole = tmp_path / "whole.gpkg"
    run_cli(local_setting, port_crop, "ships", whole)
    feedback = RecordingFeedback()
    result = processing.run(
        ALGORITHM,
        {
            "INPUT": str(port_crop),
            "query": "ships",
            "roi": f"CRS=EPSG:4326;{lon_lat}",
            "OUTPUT": str(tmp_path / "plugin.gpkg"),
        },
        feedback=feedback,
    )
    wanted = read_features(expected)
    assert 0 < len(wanted) < len(read_features(whole)), "the half should hold some ships, not all"
    # The same objects, attributes (at_edge against the area's boundary included) and geometry.
    assert read_features(result["OUTPUT"]) == wanted
    running = next(line for line in feedback.infos if line.startswith("Running diffris "))
    assert "--roi-crs EPSG:32633" in running, running


def test_an_area_of_interest_that_is_not_a_polygon_is_refused(local_setting, tmp_path, port_crop):
    # QGIS checks the geometry type against the parameter before the algorithm runs.
    with pytest.raises(QgsProcessingException, match="Incorrect parameter value for roi"):
        processing.run(
            ALGORITHM,
            {
                "INPUT": str(port_crop),
                "query": "ships",
                "roi": "CRS=EPSG:4326;POINT(13.745 45.68)",
                "OUTPUT": str(tmp_path / "plugin.gpkg"),
            },
        )
    assert not (tmp_path / "plugin.gpkg").exists()
