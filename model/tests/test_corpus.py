"""The synthetic corpus: determinism, layout, masks against independently rasterized objects,
unambiguous expressions, georeference, and error handling of generate.py."""
import hashlib
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, ogr, osr

from diffris.corpus import geotiff
from diffris.corpus.categories import CATEGORIES, COLOURS
from diffris.corpus.dataset import CorpusSpec, build_scene, write_split
from diffris.corpus.expressions import ABSENT, SINGLE_PER_TILE, TYPES
from diffris.corpus.geometry import area, bounds, polygon_distance

gdal.UseExceptions()
GENERATE = Path(__file__).resolve().parents[1] / "generate.py"


def digest(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    write_split(str(out), CorpusSpec(seed=7, split="train"), 40)
    return out


def read_samples(folder: Path, split: str):
    phrases = [l.rstrip("\n").split(" ", 1) for l in (folder / f"output_phrase_{split}.txt").open()]
    table = [l.rstrip("\n").split("\t") for l in (folder / f"expressions_{split}.tsv").open()]
    return phrases, table


def test_same_seed_gives_identical_files_and_other_seeds_differ(tmp_path, corpus):
    again = tmp_path / "again"
    write_split(str(again), CorpusSpec(seed=7, split="train"), 40)
    assert digest(again) == digest(corpus)
    other = tmp_path / "other"
    write_split(str(other), CorpusSpec(seed=8, split="train"), 40)
    a, b = digest(corpus), digest(other)
    assert a.keys() & b.keys()
    assert all(a[k] != b[k] for k in a.keys() & b.keys() if k.startswith("images/"))
    assert a["output_phrase_train.txt"] != b["output_phrase_train.txt"]


def test_same_seed_other_split_gives_other_scenes(tmp_path):
    write_split(str(tmp_path), CorpusSpec(seed=7, split="val"), 4)
    write_split(str(tmp_path), CorpusSpec(seed=7, split="test"), 4)
    val = (tmp_path / "images" / "val_000000_0.tif").read_bytes()
    test = (tmp_path / "images" / "test_000000_0.tif").read_bytes()
    assert val != test


def test_layout_files_parse_and_agree(corpus):
    phrases, table = read_samples(corpus, "train")
    assert len(phrases) == len(table) == 40
    for (pid, text), (tid, kind, ttext) in zip(phrases, table):
        assert pid == tid and text == ttext
        assert re.fullmatch(r"train_\d{6}_\d", pid)
        assert kind in TYPES
        assert text and "\t" not in text
        assert (corpus / "images" / f"{pid}.tif").is_file()
        assert (corpus / "masks" / f"{pid}.tif").is_file()
    assert len({pid for pid, _ in phrases}) == 40
    assert len({kind for _, kind, _ in table}) >= 4


def test_images_and_masks_are_georeferenced_rasters_on_one_grid(corpus):
    phrases, _ = read_samples(corpus, "train")
    gsds = set()
    for sid, _ in phrases:
        img = gdal.Open(str(corpus / "images" / f"{sid}.tif"))
        msk = gdal.Open(str(corpus / "masks" / f"{sid}.tif"))
        assert (img.RasterCount, img.RasterXSize, img.RasterYSize) == (3, 128, 128)
        assert img.GetRasterBand(1).DataType == gdal.GDT_Byte
        assert (msk.RasterCount, msk.RasterXSize, msk.RasterYSize) == (1, 128, 128)
        assert img.GetGeoTransform() == msk.GetGeoTransform()
        gt = img.GetGeoTransform()
        assert gt[1] == -gt[5] and gt[2] == gt[4] == 0
        gsds.add(gt[1])
        srs = osr.SpatialReference(wkt=img.GetProjection())
        srs.AutoIdentifyEPSG()
        assert srs.GetAuthorityCode(None) == "32633"
    assert all(0.4 <= g <= 0.6 for g in gsds)
    assert len(gsds) > 5                      # the GSD is jittered per scene


def burn(polygons_px, gt, height, width) -> np.ndarray:
    """Rasterizes pixel-coordinate outlines with GDAL, in world coordinates: an independent check
    of both the mask rasterization and the georeference."""
    drv = ogr.GetDriverByName("Memory")
    src = drv.CreateDataSource("objects")
    layer = src.CreateLayer("o", geom_type=ogr.wkbPolygon)
    for poly in polygons_px:
        ring = ogr.Geometry(ogr.wkbLinearRing)
        for x, y in list(poly) + [poly[0]]:
            ring.AddPoint_2D(gt[0] + x * gt[1], gt[3] + y * gt[5])
        geom = ogr.Geometry(ogr.wkbPolygon)
        geom.AddGeometry(ring)
        feat = ogr.Feature(layer.GetLayerDefn())
        feat.SetGeometry(geom)
        layer.CreateFeature(feat)
    ras = gdal.GetDriverByName("MEM").Create("", width, height, 1, gdal.GDT_Byte)
    ras.SetGeoTransform(gt)
    gdal.RasterizeLayer(ras, [1], layer, burn_values=[1])
    return ras.ReadAsArray().astype(bool)


def test_every_mask_is_non_empty_and_the_union_of_the_referred_objects(corpus):
    assert masks_checked_against_outlines(corpus) == 40


def masks_checked_against_outlines(corpus: Path) -> int:
    """Checks every mask of the folder's train split against its objects' outlines burnt by GDAL;
    returns how many it checked."""
    scenes = [json.loads(l) for l in (corpus / "scenes_train.jsonl").open()]
    checked = 0
    for sc in scenes:
        h, w, gt = sc["height"], sc["width"], tuple(sc["geotransform"])
        footprints = [burn([np.array(p) for p in o["polygons"]], gt, h, w) for o in sc["objects"]]
        visible = []
        for i, fp in enumerate(footprints):        # later objects are drawn over earlier ones
            later = np.zeros_like(fp)
            for f in footprints[i + 1:]:
                later |= f
            visible.append(fp & ~later)
        assert all(v.any() for v in visible)
        for s in sc["samples"]:
            mask = geotiff.read(str(corpus / "masks" / f"{s['id']}.tif"))
            assert set(np.unique(mask)) == {0, 255}
            expected = np.zeros((h, w), dtype=bool)
            for i in s["objects"]:
                expected |= visible[i]
            assert np.array_equal(mask == 255, expected), s["id"]
            checked += 1
    return checked


def test_build_scene_exposes_the_objects_behind_each_file(corpus):
    spec = CorpusSpec(seed=7, split="train")
    scene, exprs = build_scene(spec, 0)
    table = {l.split("\t")[0]: l.rstrip("\n").split("\t") for l in (corpus / "expressions_train.tsv").open()}
    for k, e in enumerate(exprs):
        sid = f"train_000000_{k}"
        assert table[sid][1:] == [e.kind, e.text]
        mask = geotiff.read(str(corpus / "masks" / f"{sid}.tif"))
        assert np.array_equal(mask == 255, scene.mask_of(e.referents))


def words_in(text, words):
    return [w for w in sorted(words, key=len, reverse=True) if re.search(rf"\b{w}\b", text)]


def category_of(text) -> str:
    """The category a phrase names, by its words (longest synonym first, e.g. 'tennis court')."""
    for key, cat in CATEGORIES.items():
        for w in cat.singular + cat.plural:
            if re.search(rf"\b{w}\b", text) and not any(
                    w != other and w in other and re.search(rf"\b{other}\b", text)
                    for c in CATEGORIES.values() for other in c.singular + c.plural):
                return key
    raise AssertionError(f"no category word in '{text}'")


def test_expressions_pick_out_exactly_their_referents():
    """Re-reads each phrase with a literal interpreter and checks it selects the referents."""
    spec = CorpusSpec(seed=3, split="check", per_image=10)
    seen = set()
    for index in range(150):
        scene, exprs = build_scene(spec, index)
        objs = scene.objects
        for e in exprs:
            seen.add(e.kind)
            refs = set(e.referents)
            first = e.text.split(" next to ")[0].split(" near ")[0].split(" beside ")[0]
            cat = category_of(first)
            assert {objs[i].category for i in refs} == {cat}, e
            of_cat = {i for i, o in enumerate(objs) if o.category == cat}
            colours = words_in(first, COLOURS)
            if e.kind in ("category", "plural"):
                assert refs == of_cat, e
                assert (len(refs) == 1) == (e.kind == "category")
            elif e.kind in ("colour", "colour_plural"):
                assert len(colours) == 1, e
                assert refs == {i for i in of_cat if objs[i].colour == colours[0]}, e
            else:
                assert len(refs) == 1 and len(of_cat) >= 2, e
            if e.kind == "size":
                assert not any(objs[i].cut for i in of_cat), e
                areas = {i: scene.visible[i].area for i in of_cat}
                (r,) = refs
                others = [areas[i] for i in of_cat if i != r]
                if re.search(r"\b(largest|biggest|large|big)\b", e.text):
                    assert areas[r] >= 1.5 * max(others), e
                else:
                    assert areas[r] * 1.5 <= min(others), e
            if e.kind == "position":
                (r,) = refs
                axis = 0 if re.search(r"\b(left|leftmost|right|rightmost)\b", e.text) else 1
                low = re.search(r"\b(left|leftmost|top|topmost)\b", e.text) is not None
                pos = {i: scene.visible[i].centroid()[axis] for i in of_cat}
                others = [pos[i] for i in of_cat if i != r]
                assert (pos[r] < min(others)) if low else (pos[r] > max(others)), e
            if e.kind == "relation":
                (r,) = refs
                anchor_cat = category_of(re.split(r" next to | near | beside ", e.text)[1])
                (anchor,) = [i for i, o in enumerate(objs) if o.category == anchor_cat]
                near = {i: polygon_distance(objs[i].polygons, objs[anchor].polygons) * scene.gsd for i in of_cat}
                assert near[r] <= 6.0 and all(near[i] > 6.0 for i in of_cat if i != r), e
    assert seen == set(TYPES)


def test_absent_samples_name_nothing_in_their_image_and_leave_the_other_samples_unchanged(tmp_path, corpus):
    out = tmp_path / "absent"
    kinds = write_split(str(out), CorpusSpec(seed=7, split="train", absent=0.4), 40)
    assert 8 <= kinds[ABSENT] <= 24, kinds                       # about 0.4 of 40
    plain = {sid: kind for sid, kind, _ in read_samples(corpus, "train")[1]}
    scenes = {s["scene"]: s for s in map(json.loads, (out / "scenes_train.jsonl").open())}
    checked = 0
    for sid, kind, text in read_samples(out, "train")[1]:
        mask = gdal.Open(str(out / "masks" / f"{sid}.tif")).ReadAsArray()
        objects = scenes[sid.rsplit("_", 1)[0]]["objects"]
        if kind == ABSENT:
            assert not mask.any(), sid
            cat = category_of(text)
            colour = next((c for c in COLOURS if re.search(rf"\b{c}\b", text)), None)
            assert not [o for o in objects if o["category"] == cat and colour in (None, o["colour"])], (sid, text)
            if cat in SINGLE_PER_TILE:                         # no plural, which positives never say
                assert not any(re.search(rf"\b{w}\b", text) for w in CATEGORIES[cat].plural), text
            checked += 1
        elif sid in plain:                                     # same scene, same draw: same files
            assert mask.any() and kind == plain[sid]
            assert (out / "masks" / f"{sid}.tif").read_bytes() == (corpus / "masks" / f"{sid}.tif").read_bytes()
        if sid in plain:
            assert (out / "images" / f"{sid}.tif").read_bytes() == (corpus / "images" / f"{sid}.tif").read_bytes()
    assert checked == kinds[ABSENT]


def test_a_split_without_the_later_options_is_the_one_earlier_versions_wrote(tmp_path):
    """Digests of a split written before --themes and --kinds existed: options a split does not
    use must not change its draws, so the training sets on disk stay reproducible."""
    write_split(str(tmp_path), CorpusSpec(seed=7, split="train", absent=0.3), 40)
    digests = digest(tmp_path)
    assert digests["expressions_train.tsv"] == "34e6329f2aa27605fd3c5f3bb103bea57a761d122cf4e389c30ee3d33ca1c4e9"
    assert digests["scenes_train.jsonl"] == "36b453f82ff866983c6e990db2060cd3cbd82dccebb96417f590b42105196922"


@pytest.mark.parametrize("themes", [(), ("open_water", "streets")])
def test_objects_do_not_overlap_except_on_roads_and_ships_alone_are_on_water_and_cuts_are_marked(themes):
    spec = CorpusSpec(seed=5, split="overlap", themes=themes)
    ships = cut = crossings = 0
    for index in range(60):
        scene, _ = build_scene(spec, index)
        grid = np.zeros((scene.height, scene.width), dtype=np.int32)
        water = scene.water if scene.water is not None else np.zeros_like(grid, dtype=bool)
        for o in scene.objects:
            if o.category != "road":
                grid[o.footprint.window()] += o.footprint.mask
                x0, y0, x1, y1 = bounds(o.polygons)
                inside = x0 >= 0 and y0 >= 0 and x1 <= scene.width and y1 <= scene.height
                assert inside != o.cut
                cut += o.cut
                assert o.footprint.area >= (0.4 * area(o.polygons) if o.cut else 4)
            on_water = water[o.footprint.window()][o.footprint.mask]
            if o.category == "ship":
                ships += 1
                assert on_water.all()
            else:
                assert not on_water.any(), o.category
        assert grid.max() <= 1
        roads = [o for o in scene.objects if o.category == "road"]
        for i, a in enumerate(roads):             # roads only cross at a right angle
            for b in roads[i + 1:]:
                if a.footprint.overlaps(b.footprint.full(scene.height, scene.width)):
                    assert abs(math.cos(a.angle - b.angle)) < 1e-9, (index, a.angle, b.angle)
                    crossings += 1
    assert ships > 0 and cut > 0
    assert (crossings > 0) == ("streets" in themes)


def test_object_sizes_are_metres_converted_with_the_tile_gsd():
    for gsd in (0.3, 0.5, 1.0):
        spec = CorpusSpec(seed=9, split="sizes", gsd=gsd, gsd_jitter=0.0)
        cars = 0
        for index in range(30):
            scene, _ = build_scene(spec, index)
            assert scene.gsd == gsd
            for o in scene.objects:
                if o.category == "vehicle":
                    corners = o.polygons[0]
                    length_m = np.hypot(*(corners[1] - corners[0])) * gsd
                    width_m = np.hypot(*(corners[2] - corners[1])) * gsd
                    assert 4.0 - 1e-6 <= length_m <= 5.4 + 1e-6 and 1.5 <= width_m <= 2.3
                    cars += 1
                if o.category == "storage_tank":
                    diameter_m = (o.polygons[0][:, 0].max() - o.polygons[0][:, 0].min()) * gsd
                    assert 6.0 - 0.01 <= diameter_m <= 26.0 + 0.01
        assert cars > 10


def run_generate(*args):
    return subprocess.run([sys.executable, str(GENERATE), *args], capture_output=True, text=True)


@pytest.mark.parametrize("args, message", [
    (["--size", "8"], "size 8 px is out of range"),
    (["--gsd", "0"], "gsd 0.0 m/px is out of range"),
    (["--count", "0"], "count 0 must be at least 1"),
    (["--split", "tr ain"], "split name 'tr ain' must be"),
    (["--absent", "1.5"], "absent share 1.5 is out of range"),
    (["--themes", "harbour,beach"], "unknown theme 'beach': use airport, harbour, industrial, open_water"),
    (["--kinds", "colour,shape"], "unknown expression kind 'shape': use category, plural"),
    (["--themes", "open_water", "--kinds", "relation"], "none of the first 200 tiles has a sample of kinds relation"),
])
def test_bad_arguments_give_one_line_and_write_nothing(tmp_path, args, message):
    out = tmp_path / "out"
    base = {"--seed": "1", "--count": "3", "--split": "train", "--out": str(out)}
    for k, v in zip(args[::2], args[1::2]):
        base[k] = v
    r = run_generate(*[x for kv in base.items() for x in kv])
    assert r.returncode == 2
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_command_line_writes_the_requested_count(tmp_path):
    r = run_generate("--seed", "2", "--count", "5", "--split", "val", "--out", str(tmp_path), "--size", "96",
                     "--gsd", "1.0", "--gsd-jitter", "0", "--per-image", "3", "--quiet")
    assert r.returncode == 0, r.stderr
    lines = (tmp_path / "output_phrase_val.txt").read_text().splitlines()
    assert len(lines) == 5
    ds = gdal.Open(str(tmp_path / "images" / (lines[0].split(" ")[0] + ".tif")))
    assert ds.RasterXSize == 96 and ds.GetGeoTransform()[1] == 1.0
    assert os.listdir(tmp_path / "masks") and len(os.listdir(tmp_path / "masks")) == 5


def test_extra_themes_say_roads_and_show_open_water_and_their_masks_match_the_outlines(tmp_path):
    kinds = write_split(str(tmp_path), CorpusSpec(seed=3, split="train", themes=("open_water", "streets")), 60)
    assert masks_checked_against_outlines(tmp_path) == 60
    table = read_samples(tmp_path, "train")[1]
    scenes = {s["scene"]: s for s in map(json.loads, (tmp_path / "scenes_train.jsonl").open())}
    roads = [(sid, text) for sid, kind, text in table if kind == "plural" and re.search(r"\broads\b", text)]
    assert roads, kinds
    for sid, text in roads:                                # "roads" means every road of the tile
        sc = scenes[sid.rsplit("_", 1)[0]]
        refs = next(s["objects"] for s in sc["samples"] if s["id"] == sid)
        assert sorted(refs) == [i for i, o in enumerate(sc["objects"]) if o["category"] == "road"]
        assert len(refs) >= 2
    open_water = 0
    for sc in scenes.values():
        categories = {o["category"] for o in sc["objects"]}
        assert categories <= {"ship"} or "road" in categories, categories    # only the two themes
        open_water += categories == {"ship"}
    assert open_water > 0


def test_kinds_keeps_only_the_asked_kinds_of_the_same_scenes(tmp_path, corpus):
    kinds = write_split(str(tmp_path), CorpusSpec(seed=7, split="train", kinds=("relation", "size")), 30)
    assert set(kinds) <= {"relation", "size"} and kinds.get("relation", 0) > 0, kinds
    assert masks_checked_against_outlines(tmp_path) == 30
    plain = {sid for sid, _, _ in read_samples(corpus, "train")[1]}
    shared = [sid for sid, _, _ in read_samples(tmp_path, "train")[1] if sid in plain]
    assert shared
    for sid in shared:                 # the filter comes after the scene draws: same scenes
        assert (tmp_path / "images" / f"{sid}.tif").read_bytes() == (corpus / "images" / f"{sid}.tif").read_bytes()


def split_ids(folder: Path, split: str) -> list:
    return [line.split(" ", 1)[0] for line in
            (folder / f"output_phrase_{split}.txt").read_text(encoding="utf-8").splitlines()]


def test_an_existing_split_is_refused_unless_replace_is_asked_and_replacing_leaves_no_orphan(tmp_path):
    out = tmp_path / "corpus"
    write_split(str(out), CorpusSpec(seed=4, split="train"), 6)
    write_split(str(out), CorpusSpec(seed=4, split="val"), 2)
    before = digest(out)
    r = run_generate("--seed", "5", "--count", "3", "--split", "train", "--out", str(out), "--quiet")
    assert r.returncode == 2 and r.stderr.splitlines() == [
        f"generate.py: '{out}' already holds split 'train' (6 samples): --replace writes it anew and "
        "removes its old images and masks; another --split or --out keeps it (the same --seed with "
        "a larger --count gives the same first samples and more)"], r.stderr
    assert digest(out) == before
    r = run_generate("--seed", "5", "--count", "3", "--split", "train", "--out", str(out), "--quiet",
                     "--replace")
    assert r.returncode == 0, r.stderr
    ids = split_ids(out, "train")
    assert len(ids) == 3 and len((out / "expressions_train.tsv").read_text().splitlines()) == 3
    for sub in ("images", "masks"):
        assert sorted(p.stem for p in (out / sub).iterdir() if p.name.startswith("train_")) == sorted(ids)
    after = digest(out)
    assert {k: v for k, v in after.items() if "val" in k} == {k: v for k, v in before.items() if "val" in k}
    assert sorted(p.name for p in out.iterdir()) == [
        "expressions_train.tsv", "expressions_val.tsv", "images", "masks", "output_phrase_train.txt",
        "output_phrase_val.txt", "scenes_train.jsonl", "scenes_val.jsonl"]
    # What a user sees is what a fresh folder would hold.
    write_split(str(tmp_path / "fresh"), CorpusSpec(seed=5, split="train"), 3)
    assert {k: v for k, v in after.items() if "train" in k} == digest(tmp_path / "fresh")


def test_images_of_a_split_without_its_index_count_as_the_split(tmp_path):
    write_split(str(tmp_path), CorpusSpec(seed=4, split="train"), 2)
    for name in ("output_phrase_train.txt", "expressions_train.tsv", "scenes_train.jsonl"):
        (tmp_path / name).unlink()
    with pytest.raises(ValueError, match="holds split 'train' .images or masks, without its index"):
        write_split(str(tmp_path), CorpusSpec(seed=4, split="train"), 2)
    write_split(str(tmp_path), CorpusSpec(seed=4, split="train-b"), 2)  # another split's names differ


@pytest.mark.parametrize("sig, status", [("TERM", 143), ("INT", 130)])
@pytest.mark.parametrize("existing", [True, False], ids=["replacing", "new-folder"])
def test_a_stopped_generate_leaves_the_folder_as_it_was(tmp_path, sig, status, existing):
    out = tmp_path / "new" / "corpus"
    if existing:
        write_split(str(out), CorpusSpec(seed=4, split="train"), 6)
    before = digest(out) if existing else None
    # The run sends itself the signal once its first scene is written (DIFFRIS_STOP_AT): the
    # same point on any machine.
    r = subprocess.run([sys.executable, str(GENERATE), "--seed", "5", "--count", "8", "--split", "train",
                        "--out", str(out), "--quiet", "--replace"], capture_output=True, text=True,
                       env={**os.environ, "DIFFRIS_STOP_AT": f"generate:{sig}"})
    assert r.returncode == status, r.stderr
    assert r.stderr.splitlines() == [
        f"generate.py: stopped by {'SIGTERM' if sig == 'TERM' else 'Ctrl-C'}; split train of '{out}' "
        "was not written, the folder is as it was"]
    if existing:
        assert digest(out) == before and len(list(out.iterdir())) == 5
    else:
        assert list(tmp_path.iterdir()) == []  # the folders it made are gone too


def test_a_stop_during_the_final_moves_lets_them_finish(tmp_path):
    out = tmp_path / "corpus"
    write_split(str(out), CorpusSpec(seed=4, split="train"), 6)
    r = subprocess.run([sys.executable, str(GENERATE), "--seed", "5", "--count", "3", "--split", "train",
                        "--out", str(out), "--quiet", "--replace"], capture_output=True, text=True,
                       env={**os.environ, "DIFFRIS_STOP_AT": "commit:TERM"})
    assert r.returncode == 0 and r.stderr == "", r.stderr
    write_split(str(tmp_path / "fresh"), CorpusSpec(seed=5, split="train"), 3)
    assert digest(out) == digest(tmp_path / "fresh") and len(list(out.iterdir())) == 5


def test_what_a_killed_generate_left_goes_with_the_next_run_of_its_split(tmp_path):
    out = tmp_path / "corpus"
    r = subprocess.run([sys.executable, str(GENERATE), "--seed", "5", "--count", "8", "--split", "train",
                        "--out", str(out), "--quiet"], capture_output=True, text=True,
                       env={**os.environ, "DIFFRIS_STOP_AT": "generate:KILL"})
    assert r.returncode == -9
    left = [p.name for p in out.iterdir()]
    assert len(left) == 1 and left[0].startswith(".train.") and left[0].endswith(".partial")
    write_split(str(out), CorpusSpec(seed=5, split="train"), 3)
    assert not (out / left[0]).exists() and len(split_ids(out, "train")) == 3
