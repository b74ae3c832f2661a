"""model/bench/gsd_ceiling.py: the truth as a coarser grid can hold it, scored as an answer."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from diffris.real.cases import IGNORED, Case, write_cases
from diffris.real.raster import write_geotiff
from diffris.real import scoring

BENCH = Path(__file__).resolve().parents[1] / "bench" / "gsd_ceiling.py"
sys.path.insert(0, str(BENCH.parent))
import gsd_ceiling  # noqa: E402

EPSG = 32640  # UTM: map units are metres on the ground
GT = (500000.0, 0.5, 0.0, 2800000.0, 0.0, -0.5)  # 0.5 m pixels


def truth_file(tmp_path, truth, name="truth.tif"):
    write_geotiff(tmp_path / name, truth, GT, EPSG, nodata=IGNORED)
    return tmp_path / name


def test_blocks_on_the_coarse_grid_are_kept_exactly(tmp_path):
    truth = np.zeros((8, 8), np.uint8)
    truth[2:6, 0:4] = 1  # 2 x 2 m, on the 1 m grid's edges
    path = truth_file(tmp_path, truth)
    assert (gsd_ceiling.at_gsd(truth, scoring.Grid.of(path), 1.0) == (truth == 1)).all()


def test_a_coarse_pixel_is_the_class_when_at_least_half_of_it_is():
    # a one-pixel checkerboard at 0.5 m: every 1 m pixel is half the class, so all of it is
    # drawn and the ceiling is 1/2; at 0.5 m it is exact
    truth = (np.indices((8, 8)).sum(0) % 2).astype(np.uint8)
    grid = scoring.Grid(GT, _wkt(), 8, 8)
    coarse = gsd_ceiling.at_gsd(truth, grid, 1.0)
    assert coarse.all()
    assert scoring.mask_counts(coarse, truth) == (32, 64)
    assert (gsd_ceiling.at_gsd(truth, grid, 0.5) == (truth == 1)).all()


def test_ignored_pixels_do_not_count_in_the_share():
    # each 1 m pixel of the top rows: one class pixel, one background, two ignored -> share 1/2
    truth = np.zeros((4, 4), np.uint8)
    truth[0, :] = IGNORED
    truth[1, 0::2] = 1
    coarse = gsd_ceiling.at_gsd(truth, scoring.Grid(GT, _wkt(), 4, 4), 1.0)
    assert coarse[0:2, :].all() and not coarse[2:, :].any()


def test_the_table_and_bad_options(tmp_path):
    truth = np.zeros((8, 8), np.uint8)
    truth[0:4, 0:4] = 1
    truth_file(tmp_path, truth)
    write_cases(tmp_path / "cases.tsv", [
        Case("image.tif", "buildings", "mask", "truth.tif", "val", "dubai", "building"),
        Case("image.tif", "ships", "absent", "", "val", "dubai", "ship"),
        Case("image.tif", "roads", "mask", "missing.tif", "train", "dubai", "road"),
    ])
    run = [sys.executable, str(BENCH), "--cases", str(tmp_path / "cases.tsv")]
    out = subprocess.run(run + ["--gsd", "1", "--gsd", "8"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    rows = [line.split("\t") for line in out.stdout.splitlines()]
    assert rows[0][-2:] == ["IoU at 1 m", "IoU at 8 m"]
    # one val mask case: exact at 1 m; at 8 m the one coarse pixel is a quarter class -> nothing
    assert rows[1] == ["dubai", "building", "1", "0.500-0.500", "1.000", "0.000"]
    assert len(rows) == 2
    bad = subprocess.run(run + ["--gsd", "0"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--gsd must be a positive number" in bad.stderr
    none = subprocess.run(run + ["--gsd", "1", "--split", "train"], capture_output=True, text=True)
    assert none.returncode == 2 and "missing.tif" in none.stderr
    assert "Traceback" not in none.stderr


def _wkt():
    from osgeo import osr
    s = osr.SpatialReference()
    s.ImportFromEPSG(EPSG)
    return s.ExportToWkt()
