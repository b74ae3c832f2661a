"""No output is the input, whatever names it: both algorithms refuse before any work, with the
command line's rule and message, and leave the input's bytes and its folder as they were."""

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import processing
import pytest
from qgis.core import QgsProcessingException, QgsProject, QgsRasterLayer

from features import read_features

LOCAL = "diffris:segment_local"
GEOSERVER = "diffris:segment_geoserver"
REFUSED = (
    r"OUTPUT .* is the input raster layer .*; write to another place \(inputs are never written\)"
)


def fingerprint(folder: Path) -> dict:
    """Every file under folder (links as links) with its bytes' digest."""
    found = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            found[name] = "-> " + os.readlink(path)
        elif path.is_file():
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[name] = "folder"
    return found


def gdal_tool(*command: str) -> str:
    """A GDAL command-line tool: the fixtures are made and read outside this QGIS process, so no
    handle of Python's GDAL bindings shares the process with QGIS's own (an open GeoPackage of
    theirs once left a later test's coordinate transforms doing nothing)."""
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def geopackage_with_layers(port_crop: Path, target: Path) -> Path:
    """A GeoPackage holding the raster (table 'scene') and a vector layer 'roads' with a feature."""
    gdal_tool("gdal_translate", "-q", "-of", "GPKG", "-co", "RASTER_TABLE=scene",
              "-co", "TILE_FORMAT=PNG", str(port_crop), str(target))
    srs = json.loads(gdal_tool("gdalinfo", "-json", str(port_crop)))["coordinateSystem"]["wkt"]
    line = target.parent / "roads.geojson"
    line.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},'
                    ' "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}}]}',
                    encoding="utf-8")
    gdal_tool("ogr2ogr", "-update", "-f", "GPKG", str(target), str(line), "-nln", "roads",
              "-a_srs", srs)
    line.unlink()
    return target


def raster_table(geopackage: Path) -> str:
    """The GeoPackage's raster table 'scene' as a project layer, as the Browser adds it: its id.

    The project owns the layer (a layer owned by Python and still referenced from a failed run's
    traceback would be deleted after QGIS exits, and crash it)."""
    layer = QgsRasterLayer(f"GPKG:{geopackage}:scene", "scene", "gdal")
    assert layer.isValid(), layer.error().summary()
    return QgsProject.instance().addMapLayer(layer).id()


@pytest.fixture(autouse=True)
def project_layers_removed():
    yield
    QgsProject.instance().clear()  # layers, CRS and transform context: nothing leaks to later tests


@pytest.fixture
def inputs(tmp_path, port_crop):
    """A folder with a GeoTIFF named .gpkg and a GeoPackage raster with another layer."""
    folder = tmp_path / "data"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(port_crop, folder / "disguised.gpkg")
    geopackage_with_layers(port_crop, folder / "scene.gpkg")
    return folder


def names_of_the_input(folder: Path, name: str) -> list:
    """Other paths of folder/name: the path itself, through '..', a symbolic link, a hard link."""
    file = folder / name
    (folder / f"link-{name}").symlink_to(file)
    os.link(file, folder / f"hard-{name}")
    return [
        str(file),
        str(folder / "sub" / ".." / name),
        str(folder / f"link-{name}"),
        str(folder / f"hard-{name}"),
    ]


@pytest.mark.parametrize("name", ["disguised.gpkg", "scene.gpkg"])
def test_the_local_algorithm_never_writes_its_input(local_setting, inputs, name):
    source = str(inputs / name) if name == "disguised.gpkg" else raster_table(inputs / name)
    for output in names_of_the_input(inputs, name):
        before = fingerprint(inputs)
        with pytest.raises(QgsProcessingException, match=REFUSED):
            processing.run(LOCAL, {"INPUT": source, "query": "ships", "OUTPUT": output})
        assert fingerprint(inputs) == before, f"OUTPUT {output} changed the input's folder"
    roads = gdal_tool("ogrinfo", "-so", "-ro", str(inputs / "scene.gpkg"), "roads")
    assert "Feature Count: 1" in roads.splitlines(), roads
    scene = json.loads(gdal_tool("gdalinfo", "-json", f"GPKG:{inputs / 'scene.gpkg'}:scene"))
    assert scene["size"][0] == 512


def test_a_vrt_layers_sources_are_its_input(local_setting, inputs):
    vrt = inputs / "view.vrt"
    gdal_tool("gdal_translate", "-q", "-of", "VRT", str(inputs / "disguised.gpkg"), str(vrt))
    before = fingerprint(inputs)
    with pytest.raises(QgsProcessingException, match=REFUSED):
        processing.run(
            LOCAL, {"INPUT": str(vrt), "query": "ships", "OUTPUT": str(inputs / "disguised.gpkg")}
        )
    assert fingerprint(inputs) == before


def test_the_command_line_checks_the_real_input_and_output(
    local_setting, inputs, monkeypatch
):
    """The local algorithm hands the command line the layer's own GeoTIFF and the final output, so
    its own check refuses too, and its message is the Processing error."""
    import diffris_qgis.local.segment_local as segment_local

    monkeypatch.setattr(segment_local, "refuse_output_over_input", lambda *args: None)
    outputs = names_of_the_input(inputs, "disguised.gpkg")
    before = fingerprint(inputs)
    for output in outputs:
        with pytest.raises(
            QgsProcessingException,
            match=r"^diffris segment: --out .* is the input --raster.*; write to another place",
        ):
            processing.run(
                LOCAL,
                {"INPUT": str(inputs / "disguised.gpkg"), "query": "ships", "OUTPUT": output},
            )
    assert fingerprint(inputs) == before


def test_another_file_beside_the_input_is_written(local_setting, inputs, port_crop_ships):
    before = fingerprint(inputs)
    result = processing.run(
        LOCAL,
        {
            "INPUT": raster_table(inputs / "scene.gpkg"),
            "query": "ships",
            "minArea": 20,
            "OUTPUT": str(inputs / "sub" / "ships.gpkg"),
        },
    )
    assert read_features(result["OUTPUT"]) == read_features(port_crop_ships)
    after = fingerprint(inputs)
    # The two outputs, the layer and the run's manifest beside it, are all that was written.
    written = ("sub/ships.gpkg", "sub/ships.run.json")
    assert all(name in after for name in written)
    assert {k: v for k, v in after.items() if k not in written} == before


def test_the_geoserver_algorithm_never_writes_its_local_raster(installed_plugin, inputs):
    """Refused before the server is asked anything (port 9 would refuse the connection)."""
    geopackage = inputs / "scene.gpkg"
    outputs = names_of_the_input(inputs, "scene.gpkg") + [
        f"ogr:dbname='{geopackage}' table=\"objects\" (geom)"
    ]
    for output in outputs:
        before = fingerprint(inputs)
        with pytest.raises(QgsProcessingException, match=REFUSED):
            processing.run(
                GEOSERVER,
                {
                    "SERVER": "http://127.0.0.1:9/geoserver",
                    "LOCAL_RASTER": raster_table(geopackage),
                    "query": "ships",
                    "OUTPUT": output,
                },
            )
        assert fingerprint(inputs) == before, f"OUTPUT {output} changed the input's folder"


def test_a_query_of_invisible_characters_is_the_command_lines_error(
    local_setting, tmp_path, port_crop
):
    with pytest.raises(
        QgsProcessingException,
        match=r"--query holds no visible character \(only U\+200B, U\+FEFF\)",
    ):
        processing.run(
            LOCAL,
            {"INPUT": str(port_crop), "query": "\u200b\ufeff", "OUTPUT": str(tmp_path / "o.gpkg")},
        )
    assert list(tmp_path.iterdir()) == []
