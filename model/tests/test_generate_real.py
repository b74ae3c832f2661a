"""generate_real.py on a small synthetic fixture that has the three real sources' layouts (Dubai
tiles with colour masks, fAIr slippy chips with GeoJSON outlines, NAIP crops with tree points):
the files load, masks are the truth resampled to the grid the chip's georeference says, held-out
wordings only in val, absent ones capped and empty, no-data chips skipped, bad arguments refused
with nothing written, a stopped run leaves nothing, same arguments give the same bytes. One test
runs it on ../shared/real-imagery (a few chips per source) and skips when that folder is absent."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, osr

from diffris.corpus.real_expressions import HELD_OUT, check_no_held_out_words
from diffris.real import dubai
from diffris.real.corpus import MAX_IGNORED, Prepared, chips
from diffris.real.resample import Resampler, weights
from diffris.real.slippy import pixel_size, tile_bounds
from diffris.training.data import load_split

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "model" / "generate_real.py"
DATA = Path(os.environ.get("DIFFRIS_REAL_IMAGERY", REPO.parent / "shared" / "real-imagery"))
SIZE = 32
ARGS = ["--size", str(SIZE), "--gsd", "0.5", "--seed", "3", "--quiet"]

# Dubai tile 1 (1.1 m/px): a building square over source pixels [10, 20) x [12, 24), rows x cols.
SQUARE_ROWS, SQUARE_COLS = (10, 20), (12, 24)
# fAIr: chips of zoom 19 near the equator; set 1 has two, diagonal, so half its box is no-data.
FAIR_TILE = (300000, 262000, 19)
TREE_EPSG = 26911
TREE_POINT = (20, 30)        # x, y pixel of crop t_a (0.6 m)


def _write(path, bands, driver="GTiff", gt=None, epsg=None):
    bands = np.asarray(bands, np.uint8)
    bands = bands if bands.ndim == 3 else bands[None]
    mem = gdal.GetDriverByName("MEM").Create("", bands.shape[2], bands.shape[1], bands.shape[0], gdal.GDT_Byte)
    for i, b in enumerate(bands, start=1):
        mem.GetRasterBand(i).WriteArray(b)
    if gt is not None:
        mem.SetGeoTransform(gt)
        s = osr.SpatialReference()
        s.ImportFromEPSG(epsg)
        mem.SetProjection(s.ExportToWkt())
    gdal.GetDriverByName(driver).CreateCopy(str(path), mem)


def _dubai(root):
    rng = np.random.default_rng(0)
    colours = dubai.CLASS_COLOURS
    for tile in range(1, 8):
        side = 80 if tile == 7 else 40
        folder = root / "dubai" / f"tile{tile}"
        (folder / "images").mkdir(parents=True)
        (folder / "masks").mkdir()
        codes = np.full((side, side), 1, np.uint8)              # land
        codes[:, side // 2:] = 2                                 # road on the east half
        if tile == 1:
            codes[SQUARE_ROWS[0]:SQUARE_ROWS[1], SQUARE_COLS[0]:SQUARE_COLS[1]] = 0   # building
        if tile == 7:
            codes[5:15, 5:15] = 0
            codes[50:53, 10:13] = 0
            codes[60:80, 60:80] = 3                              # vegetation
        mask = np.zeros((3, side, side), np.uint8)
        names = list(colours)
        for k, name in enumerate(names):
            for c in range(3):
                mask[c][codes == k] = colours[name][c]
        _write(folder / "masks" / "image_part_001.png", mask, "PNG")
        _write(folder / "images" / "image_part_001.jpg", rng.integers(0, 255, (3, side, side)), "JPEG")


def _to_lonlat(x, y):
    merc, wgs = osr.SpatialReference(), osr.SpatialReference()
    merc.ImportFromEPSG(3857)
    wgs.ImportFromEPSG(4326)
    wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return osr.CoordinateTransformation(merc, wgs).TransformPoint(x, y)[:2]


def fair_buildings():
    """EPSG:3857 (min_x, min_y, max_x, max_y) of each set's buildings: one in the chip of
    FAIR_TILE, one in the chip below and right of it (set 1 only has that chip)."""
    min_x, _, _, max_y = tile_bounds(*FAIR_TILE)
    res = pixel_size(FAIR_TILE[2])
    return [(min_x + (40 + d) * res, max_y - (90 + d) * res, min_x + (80 + d) * res, max_y - (50 + d) * res)
            for d in (0, 300)]


def _fair(root):
    rng = np.random.default_rng(1)
    x, y, z = FAIR_TILE
    features = []
    for bx0, by0, bx1, by1 in fair_buildings():
        ring = [_to_lonlat(px, py) for px, py in ((bx0, by0), (bx1, by0), (bx1, by1), (bx0, by1), (bx0, by0))]
        features.append({"type": "Feature", "properties": {},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    geojson = {"type": "FeatureCollection", "features": features}
    for s in (1, 2, 3, 5):
        folder = root / "fair" / f"set{s}"
        folder.mkdir(parents=True)
        tiles = [(x, y), (x + 1, y + 1)] if s == 1 else [(x, y)]
        for tx, ty in tiles:
            _write(folder / f"OAM-{tx}-{ty}-{z}.png", rng.integers(1, 255, (3, 256, 256)), "PNG")
        (folder / "labels.geojson").write_text(json.dumps(geojson))


def _trees(root):
    rng = np.random.default_rng(2)
    folder = root / "urban-trees"
    (folder / "images").mkdir(parents=True)
    (folder / "points").mkdir()
    for name in ("t_a", "t_b", "t_c"):
        _write(folder / "images" / f"{name}.tif", rng.integers(0, 255, (3, 64, 64)),
               gt=(400000.0, 0.6, 0.0, 3700000.0, 0.0, -0.6), epsg=TREE_EPSG)
    (folder / "points" / "t_a.csv").write_text(f"x,y\n{TREE_POINT[0]},{TREE_POINT[1]}\n50,10\n")
    (folder / "points" / "t_c.csv").write_text("x,y\n5,5\n")           # t_b has no csv: no tree
    (folder / "train.txt").write_text("t_a\nt_b\n")
    (folder / "val.txt").write_text("t_c\n")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("real-imagery")
    _dubai(root)
    _fair(root)
    _trees(root)
    return root


def run(*args, env=None):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def corpus(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus") / "c"
    r = run("--data", str(data), "--out", str(out), *ARGS)
    assert r.returncode == 0, r.stderr
    return out


def rows(out, split):
    return [ln.split("\t") for ln in (out / f"expressions_{split}.tsv").read_text().splitlines()]


def sources(out, split):
    lines = (out / f"sources_{split}.tsv").read_text().splitlines()
    assert lines[0] == "id\tsource\tclass\traster\tchip_row\tchip_col"
    return {ln.split("\t")[0]: ln.split("\t") for ln in lines[1:]}


def read(path):
    ds = gdal.Open(str(path))
    return ds.ReadAsArray(), ds.GetGeoTransform(), osr.SpatialReference(wkt=ds.GetProjection())


def centres(gt, shape):
    """World x of each column's and y of each row's pixel centre."""
    h, w = shape
    return gt[0] + (np.arange(w) + 0.5) * gt[1], gt[3] + (np.arange(h) + 0.5) * gt[5]


def test_the_files_load_with_the_training_reader(corpus):
    for split in ("train", "val"):
        s = load_split(corpus, split, size=SIZE)
        tsv = rows(corpus, split)
        assert s.ids == [r[0] for r in tsv] and s.types == [r[1] for r in tsv]
        assert len(s) > 0 and s.images.shape == (len(s), 3, SIZE, SIZE)
        phrases = (corpus / f"output_phrase_{split}.txt").read_text().splitlines()
        assert phrases == [f"{r[0]} {r[2]}" for r in tsv]
        assert set(sources(corpus, split)) == set(s.ids)
    assert {r[1] for r in rows(corpus, "train")} >= {"category", "absent"}
    held = (corpus / "held_out.txt").read_text().splitlines()
    assert held == [f"{c}\t{w}" for c, ws in HELD_OUT.items() for w in ws]


def test_a_known_building_lands_where_its_georeference_says(corpus):
    # Dubai tile 1, image part 1: origin and 1.1 m pixel of dubai.geotransform; the square's
    # world extent; a chip pixel is building when its centre lies inside (at 2.2 model pixels
    # per raster pixel, the label of the raster pixel under the chip pixel's centre).
    gt = dubai.geotransform(1, 1)
    x0, x1 = gt[0] + SQUARE_COLS[0] * gt[1], gt[0] + SQUARE_COLS[1] * gt[1]
    y0, y1 = gt[3] + SQUARE_ROWS[0] * gt[5], gt[3] + SQUARE_ROWS[1] * gt[5]
    src = sources(corpus, "train")
    found = 0
    for ident, kind, text in rows(corpus, "train"):
        if src[ident][1:4] != ["dubai", "building", "dubai/tile1_part001"] or kind != "category":
            continue
        mask, cgt, srs = read(corpus / "masks" / f"{ident}.tif")
        image, igt, _ = read(corpus / "images" / f"{ident}.tif")
        assert srs.GetAuthorityCode(None) == "32640" and cgt == igt and image.shape == (3, SIZE, SIZE)
        assert cgt[1] == 0.5 and cgt[5] == -0.5
        xs, ys = centres(cgt, mask.shape)
        expected = ((ys[:, None] < y0) & (ys[:, None] > y1)) & ((xs[None, :] > x0) & (xs[None, :] < x1))
        assert np.array_equal(mask == 255, expected) and set(np.unique(mask)) <= {0, 255}
        found += int(expected.sum())
    # 10 x 12 source pixels of 1.1 m: 11 x 13.2 m from (11, 13.2) m, so 22 x 27 chip pixel
    # centres of 0.5 m, all of them in whole chips (the grid holds 88 x 88 of them)
    assert found == 22 * 27


def test_fair_buildings_are_the_outlines_burned_on_the_chip_grid(corpus):
    found = 0
    for split in ("train", "val"):
        src = sources(corpus, split)
        for ident, kind, text in rows(corpus, split):
            if src[ident][1] != "fair" or kind not in ("category", "absent"):
                continue
            mask, cgt, srs = read(corpus / "masks" / f"{ident}.tif")
            assert srs.GetAuthorityCode(None) == "3857"
            xs, ys = centres(cgt, mask.shape)
            expected = np.zeros(mask.shape, bool)
            for bx0, by0, bx1, by1 in fair_buildings():
                expected |= (ys[:, None] > by0) & (ys[:, None] < by1) & (xs[None, :] > bx0) & (xs[None, :] < bx1)
            assert np.array_equal(mask == 255, expected)
            found += int(expected.any())
    assert found >= 5      # sets 1 (both), 2, 3, 5


def test_tree_truth_is_a_disk_of_the_radius_around_the_point(corpus):
    src = sources(corpus, "train")
    x, y = TREE_POINT
    px, py = 400000.0 + (x + 0.5) * 0.6, 3700000.0 - (y + 0.5) * 0.6
    hits = 0
    for ident, kind, text in rows(corpus, "train"):
        if src[ident][1:4] != ["urban-trees", "tree", "urban-trees/t_a"] or kind != "category":
            continue
        mask, cgt, srs = read(corpus / "masks" / f"{ident}.tif")
        assert srs.GetAuthorityCode(None) == str(TREE_EPSG)
        xs, ys = centres(cgt, mask.shape)
        d = np.hypot(xs[None, :] - px, ys[:, None] - py)
        near = d <= 2.5 - 0.01
        hits += int(near.any())
        assert (mask[near] == 255).all()
        assert not (mask[(d > 2.5 + 0.01) & (d < 10)] == 255).any()   # the other point is farther
    assert hits > 0


def test_held_out_wordings_only_in_val_and_absent_capped_and_empty(corpus):
    train, val = rows(corpus, "train"), rows(corpus, "val")
    check_no_held_out_words(r[2] for r in train)
    assert not [r for r in train if r[1].endswith("-held-out")]
    assert {"category-held-out"} <= {r[1] for r in val}
    held_words = {w for ws in HELD_OUT.values() for w in ws}
    for r in val:
        assert (r[1] == "category-held-out") == (r[2] in held_words) or r[1] == "absent-held-out"
    for split, table in (("train", train), ("val", val)):
        src = sources(corpus, split)
        by_source = {}
        for ident, kind, _ in table:
            by_source.setdefault(src[ident][1], []).append(kind)
            mask, _, _ = read(corpus / "masks" / f"{ident}.tif")
            assert (mask.max() == 0) == kind.startswith("absent"), ident
        for source, kinds in by_source.items():
            absent = sum(k.startswith("absent") for k in kinds)
            assert absent <= 0.2 * len(kinds), (split, source)
    # fAIr chips without a building still give some absent queries (capped over the source)
    assert any(k.startswith("absent") for i, k, _ in train if sources(corpus, "train")[i][1] == "fair")


def test_chips_with_too_much_nodata_are_skipped(corpus):
    # Set 1's box is 2 x 2 zoom-19 chips with data in the top-left and bottom-right ones; the
    # boundary lies at 256 x 0.2986 m = 152.9 px of 0.5 m, inside chip 4 (128..160).
    src = sources(corpus, "train")
    seen = set()
    for ident, row in src.items():
        if row[3] == "fair/set1_z19":
            r, c = int(row[4]), int(row[5])
            seen.add((r, c))
            assert (r < 4 and c < 4) or (r >= 5 and c >= 5), (r, c)
    assert any(r < 4 for r, _ in seen) and any(r >= 5 for r, _ in seen)


def test_the_chip_cutter_skips_over_the_share_of_ignored_pixels():
    h = w = 64
    ignored = np.zeros((h, w), bool)
    assert MAX_IGNORED == 0.05                                 # 51.2 of a chip's 1024 pixels
    ignored[0, :32] = True
    ignored[1, :19] = True                                     # 51 pixels: kept
    ignored[0, 32:] = True
    ignored[1, 32:52] = True                                   # 52 pixels: skipped
    ignored[32:, :] = True
    land = ~ignored
    p = Prepared(np.zeros((3, h, w), np.uint8), ignored, {"land": land}, {}, (0, 1, 0, 0, 0, -1), "")
    got = [(c.row, c.col) for c in chips(p, 32)]
    assert got == [(0, 0)]


def test_a_train_stride_cuts_overlapping_chips_with_their_own_georeference():
    h, w = 64, 80
    ignored = np.zeros((h, w), bool)
    land = np.zeros((h, w), bool)
    land[20, 30] = True
    p = Prepared(np.zeros((3, h, w), np.uint8), ignored, {"land": land}, {},
                 (100.0, 0.5, 0, 200.0, 0, -0.5), "")
    got = list(chips(p, 32, 16))
    assert [(c.row, c.col) for c in got] == [(r, c) for r in range(3) for c in range(4)]
    for c in got:
        assert c.geotransform[0] == 100.0 + c.col * 16 * 0.5
        assert c.geotransform[3] == 200.0 - c.row * 16 * 0.5
        # the one land pixel is where its georeference puts it, in every chip that holds it
        y, x = 20 - c.row * 16, 30 - c.col * 16
        inside = 0 <= y < 32 and 0 <= x < 32
        assert c.masks["land"].sum() == inside and (not inside or c.masks["land"][y, x])
    assert [(c.row, c.col) for c in chips(p, 32)] == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_resampling_follows_the_products_rule():
    # bilinear from a factor of 0.5 up (at 0.5 the mean of each pair), area average below
    assert np.allclose(weights(4, 0.5).toarray(), [[0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5]])
    assert np.allclose(weights(2, 2).toarray(), [[1, 0], [0.75, 0.25], [0.25, 0.75], [0, 1]])
    area = weights(10, 0.3).toarray()
    assert np.allclose(area[0], [0.3, 0.3, 0.3, 0.1, 0, 0, 0, 0, 0, 0])
    for f in (0.2, 0.3, 0.6, 1.0, 1.7, 2.4):
        assert np.allclose(weights(37, f).toarray().sum(axis=1), 1.0)
    flat = Resampler(30, 20, 0.35, 2.2).image(np.full((3, 30, 20), 77, np.uint8))
    assert flat.shape == (3, 66, 7) and (flat == 77).all()


@pytest.mark.parametrize("args, message", [
    (["--sources", "dubai,moon"], "--sources 'dubai,moon': give a comma-separated list of"),
    (["--splits", "test"], "--splits 'test'"),
    (["--gsd", "0"], "--gsd 0 m/px is out of range"),
    (["--size", "8"], "--size 8 px is out of range"),
    (["--seed", "-1"], "--seed -1 must be a non-negative integer"),
    (["--limit", "0"], "--limit 0 must be at least 1"),
    (["--tree-radius-m", "0"], "--tree-radius-m 0 is out of range"),
    (["--gsd", "0.1"], "more than 4 times the --gsd 0.1"),
    (["--train-stride", "fair:0"], "--train-stride 'fair:0': give SOURCE:PIXELS"),
    (["--train-stride", "moon:16"], "--train-stride 'moon:16': give SOURCE:PIXELS"),
])
def test_bad_arguments_exit_2_with_one_line_and_nothing_written(data, tmp_path, args, message):
    out = tmp_path / "c"
    r = run("--data", str(data), "--out", str(out), *ARGS, *args)
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and r.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_an_out_inside_the_repository_or_existing_or_missing_data_is_refused(data, tmp_path):
    inside = REPO / "model" / "real-corpus-test"
    r = run("--data", str(data), "--out", str(inside), *ARGS)
    assert r.returncode == 2 and "lies inside the repository" in r.stderr and not inside.exists()
    (tmp_path / "c").mkdir()
    r = run("--data", str(data), "--out", str(tmp_path / "c"), *ARGS)
    assert r.returncode == 2 and "exists (--replace writes it anew)" in r.stderr
    assert list((tmp_path / "c").iterdir()) == []
    r = run("--data", str(tmp_path / "nothing"), "--out", str(tmp_path / "d"), *ARGS)
    assert r.returncode == 2 and "no such folder" in r.stderr and not (tmp_path / "d").exists()


def test_a_stopped_run_leaves_nothing(data, tmp_path):
    out = tmp_path / "c"
    r = run("--data", str(data), "--out", str(out), *ARGS, env={"DIFFRIS_STOP_AT": "chip:TERM"})
    assert r.returncode == 143 and "stopped by SIGTERM; nothing was written" in r.stderr, r.stderr
    assert list(tmp_path.iterdir()) == []


def test_same_arguments_give_byte_identical_files(data, corpus, tmp_path):
    out = tmp_path / "c"
    r = run("--data", str(data), "--out", str(out), *ARGS)
    assert r.returncode == 0, r.stderr

    def files(root):
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
                if p.is_file() and p.name != "README.txt"}      # README.txt names the --out

    a, b = files(corpus), files(out)
    assert a.keys() == b.keys() and len(a) > 20
    assert [k for k in a if a[k] != b[k]] == []


def test_on_the_real_data_a_few_chips_per_source(tmp_path):
    if not DATA.is_dir():
        pytest.skip(f"{DATA} is absent (the real imagery is not part of a clone)")
    out = tmp_path / "c"
    r = run("--data", str(DATA), "--out", str(out), "--limit", "3", "--quiet")
    assert r.returncode == 0, r.stderr
    for split in ("train", "val"):
        s = load_split(out, split, size=64)
        got = {row[1] for row in sources(out, split).values()}
        assert got == {"dubai", "fair", "urban-trees"} and len(s) > 0
        for ident in s.ids[:5]:
            image, gt, _ = read(out / "images" / f"{ident}.tif")
            assert image.shape == (3, 128, 128) and abs(gt[1]) == 0.5
    check_no_held_out_words(row[2] for row in rows(out, "train"))
    assert "train  all" in r.stdout and "val    all" in r.stdout
