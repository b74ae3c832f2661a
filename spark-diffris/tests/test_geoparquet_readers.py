"""The Spark job's GeoParquet as its users read it: pyarrow (the footer's GeoParquet metadata and
the column types), GeoPandas (the layer and its CRS) and shapely (every geometry valid, and equal
to the command line's longitude/latitude GeoJSON of the same scene).

The layer is the one SegmentJobTest (the Maven step of ./run-tests) writes and checks with Sedona:
the job on the three sample scenes in windows of 600 pixels, so objects cut by windows are merged;
beside it the command line's GeoJSON of each scene. The readers are the pinned test-only packages
of model/requirements-test.txt. DuckDB is not here: its spatial extension is downloaded when first
loaded (docs/spark.md, "Reading the output")."""

import json
import os
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
sys.path.append(str(PROJECT / "model" / "tests"))
from oracles import require  # noqa: E402  (fails under ./run-tests, skips elsewhere)

# Debian's pyproj looks for its data under the interpreter's prefix, which a virtual environment moves.
os.environ.setdefault("PROJ_DATA", "/usr/share/proj")

pq = require("pyarrow.parquet")
pa = require("pyarrow")
shapely = require("shapely")
geopandas = require("geopandas")
np = require("numpy")

SCENES = ("port", "town", "airport")
QUERY = "white storage tanks"
# Left by SegmentJobTest: the layer it checked and the command line's GeoJSON of each scene.
EXPORT = PROJECT / "spark-diffris" / "target" / "geoparquet-readers"
# The GeoJSON's coordinates have 9 decimals (GeoJsonWriter); the GeoParquet's are whole doubles,
# so each coordinate is within half a unit of the 9th decimal of the GeoJSON's (plus the doubles'
# own rounding).
GEOJSON_ROUNDING = 0.5e-9 + 1e-13
# docs/output-schema.md, with docs/spark.md's columns; Arrow's types for them.
COLUMNS = {
    "query": pa.string(),
    "score": pa.float64(),
    "area": pa.float64(),
    "pixels": pa.int64(),
    "model": pa.string(),
    "at_edge": pa.bool_(),
    "geometry": pa.binary(),
    "native_geometry_wkb": pa.binary(),
    "source": pa.string(),
    "run_id": pa.string(),
    "source_path": pa.string(),
    "crs": pa.string(),
}


@pytest.fixture(scope="module")
def outputs():
    layer = EXPORT / "answers.parquet"
    geojson = {scene: EXPORT / f"{scene}.geojson" for scene in SCENES}
    missing = [p for p in [layer, *geojson.values()] if not p.exists()]
    if missing:
        message = (
            f"no {missing[0]}: run `mvn -pl spark-diffris -am test -Dtest=SegmentJobTest "
            "-Dsurefire.failIfNoSpecifiedTests=false` (./run-tests does) first"
        )
        if os.environ.get("DIFFRIS_ORACLES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return layer, geojson


def parts(out: Path):
    assert (out / "_SUCCESS").is_file(), "Spark did not mark the write complete"
    files = sorted(out.glob("*.parquet"))
    assert files
    return files


def test_the_footers_carry_geoparquet_metadata_with_crs84_by_omission(outputs):
    out, _ = outputs
    for part in parts(out):
        metadata = pq.read_schema(part).metadata
        geo = json.loads(metadata[b"geo"])
        assert geo["version"] in ("1.0.0", "1.1.0"), geo["version"]
        assert geo["primary_column"] == "geometry"
        assert set(geo["columns"]) == {"geometry"}, "native_geometry_wkb is plain binary"
        column = geo["columns"]["geometry"]
        assert column["encoding"] == "WKB"
        assert "crs" not in column, "absent means OGC:CRS84, as docs/spark.md says"
        assert set(column["geometry_types"]) <= {"Polygon", "MultiPolygon"}
        if "bbox" in column:  # Sedona writes it: the file's geometries' bounds, exactly
            geometries = shapely.from_wkb(pq.read_table(part, columns=["geometry"])["geometry"])
            assert column["bbox"] == list(shapely.total_bounds(geometries))


def test_the_columns_have_the_output_schemas_types(outputs):
    out, _ = outputs
    for part in parts(out):
        schema = pq.read_schema(part)
        assert {f.name: f.type for f in schema} == COLUMNS


def test_geopandas_reads_the_layer_in_crs84_with_every_geometry_valid(outputs):
    out, geojson = outputs
    layer = geopandas.read_parquet(out)
    assert layer.geometry.name == "geometry"
    assert layer.crs.to_string() == "OGC:CRS84"
    assert len(layer) > 0 and layer.geometry.is_valid.all()
    assert set(layer.geom_type) <= {"Polygon", "MultiPolygon"}
    assert (layer["query"] == QUERY).all()
    scenes = layer["source"].map(lambda s: Path(s).stem)
    assert set(scenes) == set(SCENES)
    # source is the file name, source_path the raster as listed; one run id for the whole job.
    assert (layer["source"] == layer["source_path"].map(lambda s: Path(s.split(":", 1)[-1]).name)).all()
    assert layer["run_id"].nunique() == 1


def test_every_geometry_and_attribute_equals_the_command_lines_geojson(outputs):
    out, geojson = outputs
    layer = geopandas.read_parquet(out)
    scenes = layer["source"].map(lambda s: Path(s).stem)
    for scene in SCENES:
        ours = layer[scenes == scene]
        cli = geopandas.read_file(geojson[scene])
        assert len(cli) > 0 and len(ours) == len(cli), f"{scene}: {len(ours)} vs {len(cli)}"
        cli_coordinates = [shapely.get_coordinates(shapely.normalize(g)) for g in cli.geometry]
        unmatched = set(range(len(cli)))
        for row in ours.itertuples():
            assert row.geometry.geom_type == "Polygon"  # no sample scene crosses 180 degrees
            g = shapely.get_coordinates(shapely.normalize(row.geometry))
            match = next(
                (
                    i
                    for i in unmatched
                    if cli.iloc[i]["pixels"] == row.pixels
                    and cli_coordinates[i].shape == g.shape
                    and np.abs(cli_coordinates[i] - g).max() <= GEOJSON_ROUNDING
                ),
                None,
            )
            assert match is not None, f"{scene}: no command line polygon equals {row.geometry.wkt[:200]}"
            unmatched.remove(match)
            expected = cli.iloc[match]
            assert expected["area"] == pytest.approx(row.area, rel=1e-12)
            assert expected["score"] == pytest.approx(row.score, abs=1e-6)
            assert (expected["model"], bool(expected["at_edge"])) == (row.model, row.at_edge)
            assert expected["source"] == row.source
