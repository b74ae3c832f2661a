"""The case builder's pure parts (slippy tiles, Dubai mask colours), and the builder itself on a
small subset of ../shared/real-imagery when that folder is present."""
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, osr

from diffris.real import dubai
from diffris.real.cases import IGNORED, read_cases
from diffris.real.slippy import ORIGIN_SHIFT, parse_chip_name, pixel_size, tile_bounds

REPO = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("DIFFRIS_REAL_IMAGERY", REPO.parent / "shared" / "real-imagery"))
BUILDER = REPO / "model" / "bench" / "real_cases.py"


def test_the_world_tile_and_its_quarters():
    o = ORIGIN_SHIFT
    assert tile_bounds(0, 0, 0) == (-o, -o, o, o)
    assert tile_bounds(1, 1, 1) == (0.0, -o, o, 0.0)
    assert tile_bounds(0, 0, 1) == (-o, 0.0, 0.0, o)
    assert math.isclose(pixel_size(19), 0.29858214173896974, rel_tol=1e-12)
    with pytest.raises(ValueError, match="does not exist at zoom 1"):
        tile_bounds(2, 0, 1)


def test_a_tile_corner_is_the_slippy_formula_in_lon_lat():
    # OSM's tile-name formula: lon = x / 2^z * 360 - 180, lat = atan(sinh(pi (1 - 2 y / 2^z)))
    x, y, z = 1277168, 1083840, 21  # a fAIr set 1 chip, Zanzibar
    n = 2 ** z
    lon = x / n * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    mercator, wgs84 = osr.SpatialReference(), osr.SpatialReference()
    mercator.ImportFromEPSG(3857)
    wgs84.ImportFromEPSG(4326)
    wgs84.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    min_x, _, _, max_y = tile_bounds(x, y, z)
    got = osr.CoordinateTransformation(mercator, wgs84).TransformPoint(min_x, max_y)
    assert abs(got[0] - lon) < 1e-9 and abs(got[1] - lat) < 1e-9
    assert (round(lon, 2), round(lat, 2)) == (39.24, -6.04)  # where its labels lie


def test_chip_names():
    assert parse_chip_name("OAM-1277168-1083840-21.png") == (1277168, 1083840, 21)
    with pytest.raises(ValueError, match="not a chip name"):
        parse_chip_name("OAM-12-34.png")


def test_mask_colours_to_classes():
    assert dubai.class_of_colour((60, 16, 152)) == "building"
    assert dubai.class_of_colour((110, 193, 228)) == "road"
    assert dubai.class_of_colour((254, 221, 58)) == "vegetation"
    assert dubai.class_of_colour((226, 169, 41)) == "water"
    assert dubai.class_of_colour((132, 41, 246)) == "land"
    assert dubai.class_of_colour((155, 155, 155)) is None
    assert dubai.class_of_colour((0, 0, 0)) is None
    with pytest.raises(ValueError, match=r"mask colour \(1, 1, 1\)"):
        dubai.class_of_colour((1, 1, 1))
    mask = np.array([[[60, 155], [226, 132]], [[16, 155], [169, 41]], [[152, 155], [41, 246]]], np.uint8)
    assert dubai.class_codes(mask).tolist() == [[0, IGNORED], [4, 1]]


def test_every_tile_has_a_pixel_size_and_the_validation_tile_is_7():
    assert sorted(dubai.TILE_GSD_M) == list(range(1, 8))
    assert all(0.3 <= g <= 2.5 for g in dubai.TILE_GSD_M.values())
    assert dubai.VAL_TILES == (7,)


needs_data = pytest.mark.skipif(not (DATA / "README.md").is_file(),
                                reason=f"real imagery absent ({DATA}); see its README")


@needs_data
def test_the_builder_on_a_small_subset(tmp_path):
    out = tmp_path / "cases"
    proc = subprocess.run([sys.executable, str(BUILDER), "--data", str(DATA), "--out", str(out),
                           "--dubai-tiles", "2", "--fair-sets", "2", "--fair-zooms", "19",
                           "--trees-limit", "2"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "cases.partial").exists()
    cases = read_cases(out / "cases.tsv")
    d = [c for c in cases if c.source == "dubai"]
    assert len(d) == 9 * 5 and {c.split for c in d} == {"train"}
    for c in d[:5]:  # one image: a case per class, a mask where the class is present
        assert c.truth_kind in ("mask", "absent")
    ds = gdal.Open(str(out / d[0].raster))
    assert ds.GetGeoTransform()[1] == dubai.TILE_GSD_M[2]
    assert osr.SpatialReference(wkt=ds.GetProjection()).GetAuthorityCode(None) == "32640"
    masks = [c for c in d if c.truth_kind == "mask"]
    assert masks and all(gdal.Open(str(out / c.truth)).ReadAsArray().max() == 1 for c in masks[:3])
    (f,) = [c for c in cases if c.source == "fair"]
    mosaic = gdal.Open(str(out / f.raster))
    chips = sorted(p.name for p in (DATA / "fair" / "set2").glob("OAM-*-19.png"))
    xs = [parse_chip_name(n)[0] for n in chips]
    ys = [parse_chip_name(n)[1] for n in chips]
    assert (mosaic.RasterXSize, mosaic.RasterYSize) == (256 * (max(xs) - min(xs) + 1), 256 * (max(ys) - min(ys) + 1))
    assert mosaic.GetGeoTransform()[0] == tile_bounds(min(xs), min(ys), 19)[0]
    alpha = mosaic.GetRasterBand(4).ReadAsArray()
    truth = gdal.Open(str(out / f.truth)).ReadAsArray()
    assert (alpha == 255).sum() == 256 * 256 * len(chips)
    assert ((truth == IGNORED) == (alpha == 0)).all() and (truth == 1).sum() > 1000
    t = [c for c in cases if c.source == "urban-trees"]
    assert [c.split for c in t] == ["train", "train", "val", "val"]
    assert all(Path(c.raster).is_absolute() and Path(c.raster).is_file() for c in t)
    assert all((out / c.truth).is_file() for c in t)


def test_the_builder_refuses_an_output_inside_the_repository(tmp_path):
    proc = subprocess.run([sys.executable, str(BUILDER), "--data", str(tmp_path),
                           "--out", str(REPO / "model" / "real-cases-here")], capture_output=True, text=True)
    assert proc.returncode == 2 and "inside the repository" in proc.stderr
    assert not (REPO / "model" / "real-cases-here").exists()


def test_a_mask_colour_no_class_has_stops_the_build_and_leaves_nothing(tmp_path):
    data = tmp_path / "data"
    for sub in ("images", "masks"):
        (data / "dubai" / "tile1" / sub).mkdir(parents=True)
    mem = gdal.GetDriverByName("MEM").Create("", 8, 8, 3, gdal.GDT_Byte)
    gdal.GetDriverByName("JPEG").CreateCopy(str(data / "dubai/tile1/images/image_part_001.jpg"), mem)
    for b, v in zip((1, 2, 3), (60, 16, 152)):
        mem.GetRasterBand(b).Fill(v)
    mem.GetRasterBand(1).WriteArray(np.full((1, 1), 7, np.uint8), 3, 3)  # (7,16,152): no class
    gdal.GetDriverByName("PNG").CreateCopy(str(data / "dubai/tile1/masks/image_part_001.png"), mem)
    out = tmp_path / "cases"
    proc = subprocess.run([sys.executable, str(BUILDER), "--data", str(data), "--out", str(out),
                           "--sources", "dubai", "--dubai-tiles", "1"], capture_output=True, text=True)
    assert proc.returncode == 2 and "mask colour (7, 16, 152)" in proc.stderr, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
