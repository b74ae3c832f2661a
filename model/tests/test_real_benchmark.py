"""The real-imagery benchmark's scorer and runner on a synthetic fixture made here: exact figures.

A stand-in for `./diffris segment` (a small script written by the test) answers each query with a
known rectangle as a GeoPackage, or refuses; everything after the command line (burning, scoring,
summing) is the benchmark's own code.
"""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, osr

from diffris.real.cases import IGNORED, Case, read_cases, write_cases
from diffris.real.raster import write_geotiff
from diffris.real import scoring

BENCH = Path(__file__).resolve().parents[1] / "bench" / "real_benchmark.py"
EPSG = 32633
GT = (500000.0, 1.0, 0.0, 4000000.0, 0.0, -1.0)  # 10 x 10 px of 1 m

# Answers of the stand-in, as (row0, row1, col0, col1) inclusive pixel rectangles.
ANSWERS = {"buildings": (0, 9, 0, 4), "trees": (0, 4, 0, 4), "water": (0, 1, 0, 9)}

FAKE_DIFFRIS = r'''
import sys
from osgeo import ogr, osr
with open(CALLS, "a") as calls:
    calls.write(" ".join(sys.argv[1:]) + "\n")
args = dict(zip(sys.argv[2::2], sys.argv[3::2]))
answers = ANSWERS
query = args["--query"]
if "--tile" in sys.argv and sys.argv[sys.argv.index("--tile") + 1] == "50":
    print("diffris segment: tile size 50 is not a multiple of 32", file=sys.stderr)
    sys.exit(2)
if query not in answers:
    print("diffris segment: refused for the test", file=sys.stderr)
    sys.exit(1)
r0, r1, c0, c1 = answers[query]
srs = osr.SpatialReference(); srs.ImportFromEPSG(EPSG)
ds = ogr.GetDriverByName("GPKG").CreateDataSource(args["--out"])
layer = ds.CreateLayer("answer", srs, ogr.wkbPolygon)
x0, y0 = GT[0] + c0, GT[3] - r0
x1, y1 = GT[0] + c1 + 1, GT[3] - r1 - 1
ring = f"POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))"
f = ogr.Feature(layer.GetLayerDefn()); f.SetGeometry(ogr.CreateGeometryFromWkt(ring)); layer.CreateFeature(f)
ds = None
print("polygons=1 tiles=1 total_ms=1")
'''


@pytest.fixture()
def fixture(tmp_path):
    """cases.tsv with one mask, one points, one absent and one refused case."""
    rgb = np.full((3, 10, 10), 100, np.uint8)
    write_geotiff(tmp_path / "image.tif", rgb, GT, EPSG, rgb=True)
    rgba = np.concatenate([rgb, np.full((1, 10, 10), 255, np.uint8)])
    rgba[3, :, 9] = 0  # the last column is nodata
    write_geotiff(tmp_path / "image_alpha.tif", rgba, GT, EPSG, rgb=True, alpha=True)
    truth = np.zeros((10, 10), np.uint8)
    truth[0:5, :] = 1
    truth[9, :] = IGNORED
    write_geotiff(tmp_path / "truth.tif", truth, GT, EPSG, nodata=IGNORED)
    (tmp_path / "points.csv").write_text("x,y\n1,1\n8,8\n")
    write_cases(tmp_path / "cases.tsv", [
        Case("image.tif", "buildings", "mask", "truth.tif", "val", "synthetic", "building"),
        Case("image.tif", "trees", "points", "points.csv", "val", "synthetic", "tree"),
        Case("image_alpha.tif", "water", "absent", "", "val", "synthetic", "water"),
        Case("image.tif", "ships", "absent", "", "val", "synthetic", "ship"),
        Case("image.tif", "roads", "absent", "", "train", "synthetic", "road"),
    ])
    fake = tmp_path / "fake_diffris"
    fake.write_text(f"#!{sys.executable}\nANSWERS = {ANSWERS!r}\nEPSG = {EPSG}\nGT = {GT!r}\n"
                    f"CALLS = {str(tmp_path / 'calls.txt')!r}\n" + FAKE_DIFFRIS)
    fake.chmod(0o755)
    return tmp_path


def run_bench(folder, *extra):
    report = folder / "report.json"
    proc = subprocess.run([sys.executable, str(BENCH), "--cases", str(folder / "cases.tsv"),
                           "--split", "val", "--report", str(report),
                           "--diffris", str(folder / "fake_diffris"), *extra],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return json.loads(report.read_text()), proc.stdout


def by_query(data):
    return {c["query"]: c for c in data["cases"]}


def test_the_answers_are_scored_exactly(fixture):
    data, out = run_bench(fixture)
    cases = by_query(data)
    assert set(cases) == {"buildings", "trees", "water", "ships"}  # the train case is left out
    b = cases["buildings"]
    # truth: rows 0-4 (50 px), row 9 ignored; answer: cols 0-4 of rows 0-9 (45 px counted)
    assert (b["intersection"], b["union"]) == (25, 70) and b["iou"] == 25 / 70
    t = cases["trees"]
    # point (1,1) lies in the answer, (8,8) is 5.7 m from its nearest answer pixel (4,4);
    # 18 of the 25 answer pixels lie within 3 m of (1,1) (rows -1..3 relative: 4+5+4+4+1)
    assert (t["points_found"], t["points"], t["near_px"], t["answer_px"]) == (1, 2, 18, 25)
    w = cases["water"]
    assert (w["covered_px"], w["valid_px"]) == (18, 90)  # rows 0-1 less the nodata column
    assert cases["ships"]["status"] == "refused"
    assert cases["ships"]["message"] == "diffris segment: refused for the test"
    total = data["summary"]["total"]
    assert (total["cases"], total["scored"], total["refused"], total["failed"]) == (4, 3, 1, 0)
    assert total["mIoU"] == total["oIoU"] == 25 / 70
    assert total["point_recall"] == 0.5 and total["point_precision"] == 18 / 25
    assert total["absent_coverage"] == 0.2
    assert "TOTAL" in out and (fixture / "report.tsv").read_text().count("\n") == 5


def test_a_tile_side_reaches_every_segment_call_and_the_report(fixture):
    data, _ = run_bench(fixture, "--tile", "256")
    calls = (fixture / "calls.txt").read_text().splitlines()
    assert len(calls) == 4 and all(c.endswith("--tile 256") for c in calls)
    assert data["meta"]["tile"] == 256
    # The same answers are scored the same whatever the tile (the stand-in ignores it).
    assert by_query(data)["buildings"]["iou"] == 25 / 70
    default, _ = run_bench(fixture)
    assert default["meta"]["tile"] == "the bundle's"
    assert not any("--tile" in c for c in (fixture / "calls.txt").read_text().splitlines()[4:])


@pytest.mark.parametrize("extra,message", [
    (["--tile", "0"], "--tile 0 must be a positive number of model pixels"),
    (["--tile", "64", "--trivial", "all"], "--tile is for the model's answers"),
])
def test_a_tile_the_benchmark_cannot_use_is_refused_before_any_case(fixture, extra, message):
    proc = subprocess.run([sys.executable, str(BENCH), "--cases", str(fixture / "cases.tsv"),
                           "--diffris", str(fixture / "fake_diffris"), *extra],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and message in proc.stderr
    assert not (fixture / "calls.txt").exists()


def test_a_run_whose_every_case_is_refused_exits_2_with_the_reason(fixture):
    proc = subprocess.run([sys.executable, str(BENCH), "--cases", str(fixture / "cases.tsv"),
                           "--report", str(fixture / "report.json"), "--tile", "50",
                           "--diffris", str(fixture / "fake_diffris")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert ("every case was refused, nothing was scored: diffris segment: tile size 50 is not a "
            "multiple of 32") in proc.stderr
    data = json.loads((fixture / "report.json").read_text())
    assert {c["status"] for c in data["cases"]} == {"refused"}


def test_the_trivial_answers(fixture):
    every, _ = run_bench(fixture, "--trivial", "all")
    cases = by_query(every)
    assert (cases["buildings"]["intersection"], cases["buildings"]["union"]) == (50, 90)
    # both points found; 18 pixels lie within 3 m of each, 36 of the 100
    t = cases["trees"]
    assert (t["points_found"], t["points"], t["near_px"], t["answer_px"]) == (2, 2, 36, 100)
    assert every["summary"]["total"]["absent_coverage"] == 1.0
    assert every["summary"]["total"]["refused"] == 0 and cases["buildings"]["wall_s"] is None
    nothing, _ = run_bench(fixture, "--trivial", "none")
    s = nothing["summary"]["total"]
    assert (s["mIoU"], s["point_recall"], s["point_precision"], s["absent_coverage"]) == (0, 0, None, 0)


def test_the_subsample_keeps_every_nth_raster_of_a_source_with_all_its_queries(fixture):
    data, _ = run_bench(fixture, "--trivial", "none", "--subsample", "synthetic:2")
    assert [c["query"] for c in data["cases"]] == ["buildings", "trees", "ships"]


def test_held_out_wordings_ask_each_case_again_with_its_classs_paraphrases(fixture):
    data, _ = run_bench(fixture, "--held-out-wordings")
    queries = [c["query"] for c in data["cases"]]
    # building: rooftops, all the rooftops; tree: tree crowns; water: ponds; ship: none
    assert queries == ["buildings", "rooftops", "all the rooftops", "trees", "tree crowns",
                       "water", "ponds", "ships"]
    cases = by_query(data)
    # the stand-in knows none of the paraphrases: each is refused and reported under its own query
    assert all(cases[q]["status"] == "refused" for q in ("rooftops", "tree crowns", "ponds"))
    assert cases["rooftops"]["class"] == "building" and cases["ponds"]["truth_kind"] == "absent"


def test_burn_gives_back_pixel_edged_polygons(tmp_path):
    from osgeo import ogr
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(EPSG)
    path = tmp_path / "p.gpkg"
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = ds.CreateLayer("p", srs, ogr.wkbPolygon)
    f = ogr.Feature(layer.GetLayerDefn())
    # pixels rows 2-3, cols 1-3, with a hole at row 3, col 2
    f.SetGeometry(ogr.CreateGeometryFromWkt(
        "POLYGON((500001 3999998,500004 3999998,500004 3999996,500001 3999996,500001 3999998),"
        "(500002 3999997,500003 3999997,500003 3999996,500002 3999996,500002 3999997))"))
    layer.CreateFeature(f)
    ds = None
    grid = scoring.Grid(GT, _wkt(), 10, 10)
    mask = scoring.burn(path, grid)
    expected = np.zeros((10, 10), bool)
    expected[2:4, 1:4] = True
    expected[3, 2] = False
    assert (mask == expected).all()


def _wkt():
    s = osr.SpatialReference()
    s.ImportFromEPSG(EPSG)
    return s.ExportToWkt()


def test_points_are_read_and_bad_lines_named(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("x,y\n3,4\n")
    assert scoring.read_points(p).tolist() == [[3.0, 4.0]]
    p.write_text("x,y\n3;4\n")
    with pytest.raises(ValueError, match="line 2"):
        scoring.read_points(p)
    p.write_text("x,y\n")
    assert scoring.read_points(p).shape == (0, 2)


def test_the_case_list_round_trips_and_refuses_bad_rows(tmp_path):
    cases = [Case("a.tif", "bare land", "mask", "a_land.tif", "train", "dubai", "land"),
             Case("a.tif", "water", "absent", "", "val", "dubai", "water")]
    write_cases(tmp_path / "c.tsv", cases)
    assert read_cases(tmp_path / "c.tsv") == cases
    with pytest.raises(ValueError, match="absent truth has no file"):
        Case("a.tif", "water", "absent", "x.tif", "val", "dubai", "water")
    with pytest.raises(ValueError, match="split 'test'"):
        Case("a.tif", "water", "mask", "x.tif", "test", "dubai", "water")
    (tmp_path / "bad.tsv").write_text("raster\tquery\n")
    with pytest.raises(ValueError, match="header"):
        read_cases(tmp_path / "bad.tsv")


def test_web_mercator_ground_scale_is_cos_latitude_at_the_centre():
    from osgeo import osr
    merc = osr.SpatialReference()
    merc.ImportFromEPSG(3857)
    y60 = scoring.EARTH_RADIUS * np.arcsinh(np.tan(np.radians(60.0)))
    grid = scoring.Grid((0.0, 0.5, 0.0, y60 + 5.0, 0.0, -0.5), merc.ExportToWkt(), 20, 20)
    assert grid.ground_scale() == pytest.approx(0.5, abs=1e-12)
    assert scoring.Grid(GT, _wkt(), 10, 10).ground_scale() == 1.0


def test_the_targets_are_the_dubai_classes_own_words_and_the_paraphrase_gaps():
    from diffris.real.report import summarise, table

    def row(source, cls, query, iou, kind="mask", status="ok"):
        r = dict.fromkeys(("intersection", "union", "points_found", "points", "near_px",
                           "answer_px", "covered_px", "valid_px", "wall_s", "area_km2"), None)
        r.update(source=source, **{"class": cls}, query=query, truth_kind=kind, iou=iou,
                 status=status, intersection=1, union=1)
        if kind == "absent":
            r.update(covered_px=0, valid_px=10)
        return r

    results = [row("dubai", "building", "buildings", 0.4), row("dubai", "building", "buildings", 0.6),
               row("dubai", "building", "rooftops", 0.3), row("dubai", "building", "rooftops", 0.5),
               row("dubai", "road", "roads", 0.2), row("dubai", "land", "bare land", 0.9),
               row("dubai", "water", "water", None, kind="absent"),
               row("dubai", "water", "water", None, status="refused"),
               row("fair", "building", "buildings", 0.1)]
    t = summarise(results)["targets"]
    # buildings 0.4, 0.6 and roads 0.2; bare land is not a target class, fair not Dubai
    assert t["dubai_classes"]["cases"] == 3
    assert t["dubai_classes"]["mIoU"] == pytest.approx(0.4)
    assert t["paraphrase_gaps"] == [{"source": "dubai", "class": "building",
                                     "wording": "rooftops", "gap": pytest.approx(0.5 - 0.4)}]
    text = table(summarise(results))
    assert "mIoU 0.400 over 3 cases" in text and "dubai rooftops +0.100" in text
