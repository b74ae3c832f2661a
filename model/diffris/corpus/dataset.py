"""Writes a synthetic split in the RefSegRS layout.

    DIR/images/<id>.tif            RGB uint8 GeoTIFF (UTM, EPSG:32633), one file per id (hard links
                                   when several ids share a scene)
    DIR/masks/<id>.tif             uint8 GeoTIFF on the same grid, 255 = referred object, 0 = rest
    DIR/output_phrase_<split>.txt  "<id> <expression>" per line
    DIR/expressions_<split>.tsv    "<id>\\t<type>\\t<expression>" per line (types: expressions.TYPES,
                                   and expressions.ABSENT where the split asks for absent samples)
    DIR/scenes_<split>.jsonl       per scene: grid, georeference, object outlines (pixel coordinates),
                                   and for each id the indices of the objects it refers to

Ids are ``<split>_<scene:06d>_<k>``, so several splits can share one folder, as in RefSegRS.
Everything is a pure function of the CorpusSpec and the scene index: the same arguments give
byte-identical files. Options added later leave splits made without them unchanged: absent
samples draw from a stream of their own, `themes` replaces the list the theme is drawn from
(one draw either way), and `kinds` filters the candidates after they are drawn.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import stops
from ..partial import PartialFolder, partial_path
from . import geotiff
from .expressions import ABSENT, TYPES, absent, candidates, choose
from .render import Sensor, render
from .scene import ALL_THEMES, random_scene

SPLIT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
MASK_VALUE = 255
PROBE_TILES = 200        # tiles tried before writing anything, to refuse a split no tile can fill


@dataclass(frozen=True)
class CorpusSpec:
    seed: int
    split: str
    size: int = 128
    gsd: float = 0.5
    gsd_jitter: float = 0.2        # per-image GSD drawn uniformly in gsd * [1 - j, 1 + j]
    per_image: int = 2             # expressions (ids) drawn per rendered scene, at most
    absent: float = 0.0            # chance that a sample's expression names nothing in the image
    themes: tuple = ()             # scene themes to draw from (names in scene.ALL_THEMES); () = scene.THEMES
    kinds: tuple = ()              # expression kinds to keep (names in expressions.TYPES); () = all

    def validate(self) -> None:
        if not SPLIT_NAME.match(self.split):
            raise ValueError(f"split name '{self.split}' must be letters, digits, '_' or '-' (e.g. train)")
        if not 32 <= self.size <= 4096:
            raise ValueError(f"size {self.size} px is out of range: use 32 to 4096")
        if not 0.05 <= self.gsd <= 10.0:
            raise ValueError(f"gsd {self.gsd} m/px is out of range: use 0.05 to 10")
        if not 0.0 <= self.gsd_jitter < 0.5:
            raise ValueError(f"gsd jitter {self.gsd_jitter} is out of range: use 0 to 0.5 (exclusive)")
        if self.per_image < 1:
            raise ValueError(f"per-image {self.per_image} must be at least 1")
        if not 0.0 <= self.absent <= 1.0:
            raise ValueError(f"absent share {self.absent} is out of range: use 0 to 1")
        unknown = [t for t in self.themes if t not in ALL_THEMES]
        if unknown:
            raise ValueError(f"unknown theme '{unknown[0]}': use {', '.join(sorted(ALL_THEMES))}")
        unknown = [k for k in self.kinds if k not in TYPES]
        if unknown:
            raise ValueError(f"unknown expression kind '{unknown[0]}': use {', '.join(TYPES)}")
        if self.seed < 0:
            raise ValueError(f"seed {self.seed} must be a non-negative integer")


def _rngs(spec: CorpusSpec, index: int):
    """Independent streams for composing, wording, rendering and absent samples of scene `index`."""
    base = [spec.seed, zlib.crc32(spec.split.encode("utf-8")), index]
    return tuple(np.random.default_rng(base + [k]) for k in range(4))


def build_scene(spec: CorpusSpec, index: int):
    """Scene `index` of a split and its chosen expressions, without rendering (cheap)."""
    scene_rng, words_rng, _, absent_rng = _rngs(spec, index)
    gsd = round(spec.gsd * float(scene_rng.uniform(1 - spec.gsd_jitter, 1 + spec.gsd_jitter)), 4)
    scene = random_scene(scene_rng, spec.size, gsd, themes=spec.themes)
    cands = candidates(scene, words_rng)
    if spec.kinds:
        cands = [c for c in cands if c.kind in spec.kinds]
    exprs = choose(cands, spec.per_image, words_rng)
    if spec.absent > 0:
        exprs = [(absent(scene, absent_rng) or e) if absent_rng.random() < spec.absent else e for e in exprs]
    return scene, exprs


def render_scene(spec: CorpusSpec, index: int, scene) -> np.ndarray:
    return render(scene, _rngs(spec, index)[2], Sensor())


def _link_or_copy(src: str, dst: str) -> None:
    if os.path.lexists(dst):
        os.remove(dst)
    try:
        os.link(src, dst)
    except OSError:
        with open(src, "rb") as f, open(dst, "wb") as g:
            g.write(f.read())


class SplitExistsError(ValueError):
    """The folder already holds the split, and replacing it was not asked for."""


def index_files(split: str) -> tuple:
    return f"output_phrase_{split}.txt", f"expressions_{split}.tsv", f"scenes_{split}.jsonl"


def split_files(out_dir, split: str) -> list:
    """The files of `split` in a corpus folder: its index files, and the images and masks whose
    names are its ids (listed or not: a split cut short by an older version left some unlisted).
    Ids are `<split>_<6 digits>_<k>`, so no other split's file matches."""
    out = Path(out_dir)
    found = [out / name for name in index_files(split) if (out / name).exists()]
    ids = re.compile(re.escape(split) + r"_\d{6}_\d+\.tif")
    for sub in ("images", "masks"):
        if (out / sub).is_dir():
            found += sorted(p for p in (out / sub).iterdir() if ids.fullmatch(p.name))
    return found


def write_split(out_dir: str, spec: CorpusSpec, count: int, progress=None, replace=False) -> dict:
    """Writes `count` samples (ids) of a split; returns counts per expression type.

    A split the folder already holds is refused (SplitExistsError) unless `replace`: then it is
    replaced as a whole, its old images and masks removed. The split is written into a partial
    folder inside `out_dir` and moved into place at the end, so a failed or stopped run leaves
    the folder as it was (see `diffris.partial` for what a killed one leaves)."""
    spec.validate()
    if count < 1:
        raise ValueError(f"count {count} must be at least 1")
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise ValueError(f"output '{out_dir}' exists and is not a folder")
    out = Path(out_dir)
    if split_files(out, spec.split) and not replace:
        phrases = out / index_files(spec.split)[0]
        held = (f"{sum(1 for line in phrases.open(encoding='utf-8') if line.strip())} samples"
                if phrases.is_file() else "images or masks, without its index")
        raise SplitExistsError(
            f"'{out_dir}' already holds split '{spec.split}' ({held}): --replace writes it anew "
            f"and removes its old images and masks; another --split or --out keeps it (the same "
            f"--seed with a larger --count gives the same first samples and more)")
    if not any(build_scene(spec, i)[1] for i in range(PROBE_TILES)):   # stops at the first that has one
        raise ValueError(f"none of the first {PROBE_TILES} tiles has a sample of kinds "
                         f"{', '.join(spec.kinds) or 'any'} with themes {', '.join(spec.themes) or 'base'}: "
                         f"choose kinds those themes allow")
    staging = PartialFolder(out / spec.split)
    try:
        tmp = staging.create()
        kinds = _write_samples(str(tmp), spec, count, progress)
        _move_split_into_place(tmp, out, spec.split)
        staging.done()  # empty folders by now
    except BaseException:
        staging.discard()
        raise
    return kinds


def _move_split_into_place(tmp: Path, out: Path, split: str) -> None:
    """Replaces the split's files in `out` by those in `tmp`, index files last. Renames only,
    with stops held off: a stop landing here is too late, the run ends as it would have."""
    with stops.deferred():
        stops.check()
        stops.reached("commit")
        old = partial_path(out / split)
        old.mkdir()
        for path in split_files(out, split):
            path.rename(old / path.name)
        for sub in ("images", "masks"):
            (out / sub).mkdir(exist_ok=True)
            for path in sorted((tmp / sub).iterdir()):
                path.rename(out / sub / path.name)
        for name in index_files(split):
            (tmp / name).rename(out / name)
        stops.past_the_point_of_no_return()
    shutil.rmtree(old, ignore_errors=True)


def _write_samples(out_dir: str, spec: CorpusSpec, count: int, progress=None) -> dict:
    images, masks = os.path.join(out_dir, "images"), os.path.join(out_dir, "masks")
    os.makedirs(images, exist_ok=True)
    os.makedirs(masks, exist_ok=True)
    phrases, table, scenes, kinds = [], [], [], {}
    index, written = 0, 0
    while written < count:
        scene, exprs = build_scene(spec, index)
        if exprs:
            image = render_scene(spec, index, scene)
            gt, epsg = scene.geotransform(), scene.epsg
            samples, first = [], None
            for k, e in enumerate(exprs[:count - written]):
                sid = f"{spec.split}_{index:06d}_{k}"
                mask = scene.mask_of(e.referents)
                if mask.any() == (e.kind == ABSENT):     # cannot happen (scene guarantee); never write it
                    raise AssertionError(f"{'non-' if mask.any() else ''}empty mask for {e.kind} sample {sid}")
                img_path = os.path.join(images, sid + ".tif")
                if first is None:
                    geotiff.write(img_path, image, gt, epsg, ("COMPRESS=DEFLATE", "PREDICTOR=2"))
                    first = img_path
                else:
                    _link_or_copy(first, img_path)
                geotiff.write(os.path.join(masks, sid + ".tif"), mask.astype(np.uint8) * MASK_VALUE, gt, epsg)
                phrases.append(f"{sid} {e.text}\n")
                table.append(f"{sid}\t{e.kind}\t{e.text}\n")
                samples.append({"id": sid, "type": e.kind, "expression": e.text, "objects": list(e.referents)})
                kinds[e.kind] = kinds.get(e.kind, 0) + 1
                written += 1
            scenes.append(json.dumps({
                "scene": f"{spec.split}_{index:06d}", "height": scene.height, "width": scene.width,
                "gsd": scene.gsd, "epsg": epsg, "geotransform": list(gt),
                "objects": [o.to_json() for o in scene.objects], "samples": samples,
            }, sort_keys=True, separators=(",", ":")) + "\n")
            if progress:
                progress(written, count)
            stops.reached("generate")
        index += 1
        if index > 100 * count + 1000:
            raise RuntimeError("no expressions could be generated; check size and gsd")
    for name, lines in ((f"output_phrase_{spec.split}.txt", phrases), (f"expressions_{spec.split}.tsv", table),
                        (f"scenes_{spec.split}.jsonl", scenes)):
        with open(os.path.join(out_dir, name), "w", encoding="utf-8", newline="\n") as f:
            f.writelines(lines)
    return kinds
