"""Real labelled imagery as a training corpus in the RefSegRS layout (model/README.md).

Each source raster (a Dubai image part, a fAIr set's mosaic at one zoom, a NAIP crop) is
resampled to the model's GSD by the product's rule (`resample.py`) on a grid starting at its
top-left corner, and cut into chips of `size` x `size` (stride = size, whole chips only). A chip
with more than MAX_IGNORED of its pixels ignored (Dubai: unlabelled; fAIr: no drone chip there)
is skipped. Per chip:

- class masks: a chip pixel belongs to a class when the raster pixel under its centre does
  (resampling factors of 0.5 and more: enlarging, or reducing at most 2 times) or when the class
  covers half of it or more (smaller factors), and it is not ignored (ignored: the same rule);
  Dubai: building, road, vegetation, water, land; fAIr: building only (the only class its
  labels give); NAIP: tree only, disks of `tree_radius_m` around the tree points (points are
  centres, not crowns: the disk is an approximation).
- objects of the countable classes: Dubai buildings as 4-connected components of the chip's
  building mask; fAIr buildings as the OSM outlines burned one by one on the model grid; trees
  as `tree_objects` disks (the nearer centre wins where two overlap).
- expressions: `real_expressions.expressions`, with the held-out paraphrases on the val split
  only. Absent expressions are capped per split and source: one is kept only while absent ones
  stay at most ABSENT_SHARE of all kept so far (so a single-class source such as fAIr, whose
  chips without a building give nothing but an absent query, still gets a fifth absent ones, and
  never more).

Sizes are in the raster CRS's units, as the product measures them: fAIr's EPSG:3857 metres are
ground metres / cos(latitude) (under 1 % for sets 1, 2, 5; 11 % for set 3, Nepal), so its chips
hold what the product would show the model from that raster.
"""
from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from osgeo import gdal
from scipy import ndimage

from .. import stops
from ..corpus import geotiff  # noqa: F401  (switches GDAL's side-car .aux.xml files off)
from ..corpus.real_expressions import HELD_OUT, WORDINGS, check_no_held_out_words, expressions, \
    tree_objects
from . import dubai, fair
from .cases import IGNORED
from .raster import read_rgb, srs_wkt
from .resample import Resampler
from .scoring import read_points

gdal.UseExceptions()

SOURCES = ("dubai", "fair", "urban-trees")
SPLITS = ("train", "val")
MAX_IGNORED = 0.05
ABSENT_SHARE = 0.2
MAX_ENLARGING = 4.0      # the product enlarges a raster at most 4 times (docs/segment.md)
MASK_VALUE = 255
HELD_OUT_SUFFIX = "-held-out"


@dataclass(frozen=True)
class Options:
    gsd: float = 0.5
    size: int = 128
    seed: int = 0
    tree_radius_m: float = 2.5
    fair_zoom: int = 19
    limit: int | None = None          # chips per source and split, at most
    # source -> chip stride in pixels on the train split (overlapping chips for a small source);
    # the val split is always cut into whole, disjoint chips so no pixel is scored twice
    train_strides: tuple = ()


@dataclass(frozen=True)
class SourceRaster:
    """One raster of a source, not yet read."""
    source: str
    name: str          # for sources_<split>.tsv, e.g. dubai/tile7_part005
    split: str
    path: Path         # what `prepare` reads


@dataclass
class Prepared:
    """A source raster on the model grid."""
    image: np.ndarray              # [3, h, w] uint8
    ignored: np.ndarray            # [h, w] bool
    classes: dict                  # class -> [h, w] bool (ignored pixels cleared)
    objects: dict                  # class -> [h, w] int labels, or None: components per chip
    geotransform: tuple
    wkt: str


# ---------------------------------------------------------------- listing the source rasters

def list_rasters(data: Path, source: str, split: str, opts: Options) -> list:
    data = Path(data)
    if source == "dubai":
        out = []
        for tile in sorted(dubai.TILE_GSD_M):
            if ("val" if tile in dubai.VAL_TILES else "train") != split:
                continue
            folder = data / "dubai" / f"tile{tile}" / "images"
            images = sorted(folder.glob("image_part_*.jpg"))
            if not images:
                raise ValueError(f"{folder}: no image_part_*.jpg (the Dubai tiles, see the data's README)")
            for image in images:
                part = int(image.stem.rsplit("_", 1)[1])
                out.append(SourceRaster(source, f"dubai/tile{tile}_part{part:03d}", split, image))
        return out
    if source == "fair":
        out = []
        for s in fair.SETS:
            if ("val" if s in fair.VAL_SETS else "train") != split:
                continue
            folder = data / "fair" / f"set{s}"
            if not (folder / "labels.geojson").is_file():
                raise ValueError(f"{folder}: no labels.geojson (the fAIr sets, see the data's README)")
            out.append(SourceRaster(source, f"fair/set{s}_z{opts.fair_zoom}", split, folder))
        return out
    if source == "urban-trees":
        listing = data / "urban-trees" / f"{split}.txt"
        if not listing.is_file():
            raise ValueError(f"{listing}: missing (the urban-trees split lists, see the data's README)")
        names = [ln.strip() for ln in listing.read_text().splitlines() if ln.strip()]
        return [SourceRaster(source, f"urban-trees/{n}", split, data / "urban-trees" / "images" / f"{n}.tif")
                for n in names]
    raise ValueError(f"source {source!r}: accepted {', '.join(SOURCES)}")


# ---------------------------------------------------------------- reading one onto the model grid

def _resampler(gt, width: int, height: int, gsd: float, what: str) -> Resampler:
    if gt[2] != 0 or gt[4] != 0:
        raise ValueError(f"{what}: a turned grid; north-up rasters only")
    fx, fy = abs(gt[1]) / gsd, abs(gt[5]) / gsd
    if max(fx, fy) > MAX_ENLARGING + 1e-9:
        raise ValueError(f"{what}: pixels of {abs(gt[1]):g} x {abs(gt[5]):g} are more than "
                         f"{MAX_ENLARGING:g} times the --gsd {gsd:g}; the product refuses to enlarge "
                         f"that far: use a --gsd of at least {max(abs(gt[1]), abs(gt[5])) / MAX_ENLARGING:g}")
    return Resampler(height, width, fx, fy)


def _model_gt(gt, gsd: float) -> tuple:
    return (gt[0], gsd, 0.0, gt[3], 0.0, -gsd)


def _classes(resampler: Resampler, indicators: dict, ignored: np.ndarray) -> dict:
    return {cls: resampler.covers(ind) & ~ignored for cls, ind in indicators.items()}


def prepare(r: SourceRaster, opts: Options) -> Prepared:
    if r.source == "dubai":
        return _prepare_dubai(r, opts)
    if r.source == "fair":
        return _prepare_fair(r, opts)
    return _prepare_trees(r, opts)


def _prepare_dubai(r: SourceRaster, opts: Options) -> Prepared:
    tile = int(r.name.split("tile")[1].split("_")[0])
    part = int(r.path.stem.rsplit("_", 1)[1])
    mask_path = r.path.parent.parent / "masks" / (r.path.stem + ".png")
    rgb, mask = read_rgb(r.path), read_rgb(mask_path)
    if rgb.shape != mask.shape:
        raise ValueError(f"{mask_path}: {mask.shape[1:]} px, its image {rgb.shape[1:]}")
    codes = dubai.class_codes(mask)
    gt = dubai.geotransform(tile, part)
    res = _resampler(gt, rgb.shape[2], rgb.shape[1], opts.gsd, r.name)
    ignored = res.covers(codes == IGNORED)
    classes = _classes(res, {cls: codes == k for k, cls in enumerate(dubai.CLASSES)}, ignored)
    return Prepared(res.image(rgb), ignored, classes, {"building": None},
                    _model_gt(gt, opts.gsd), srs_wkt(dubai.EPSG))


def _prepare_fair(r: SourceRaster, opts: Options) -> Prepared:
    by_zoom = fair.chips_by_zoom(r.path)
    if opts.fair_zoom not in by_zoom:
        raise ValueError(f"{r.path}: no chips of zoom {opts.fair_zoom} (has {sorted(by_zoom)})")
    rgba, gt = fair.mosaic(by_zoom[opts.fair_zoom], opts.fair_zoom)
    res = _resampler(gt, rgba.shape[2], rgba.shape[1], opts.gsd, r.name)
    ignored = res.covers(rgba[3] == 0)
    mgt = _model_gt(gt, opts.gsd)
    h, w = res.shape
    # The outlines burned on the model grid itself (pixel centres inside), one number each.
    ids = fair.burn_outlines(r.path / "labels.geojson", mgt, w, h, ids=True)
    ids[ignored] = 0
    return Prepared(res.image(rgba[:3]), ignored, {"building": ids > 0}, {"building": ids},
                    mgt, srs_wkt(fair.EPSG))


def _prepare_trees(r: SourceRaster, opts: Options) -> Prepared:
    if not r.path.is_file():
        raise ValueError(f"{r.path}: listed in {r.split}.txt, missing")
    ds = gdal.Open(str(r.path))
    if ds.RasterCount < 3:
        raise ValueError(f"{r.path}: {ds.RasterCount} band(s), RGB expected")
    rgb = ds.ReadAsArray(band_list=[1, 2, 3])
    gt, wkt = ds.GetGeoTransform(), ds.GetProjection()
    res = _resampler(gt, ds.RasterXSize, ds.RasterYSize, opts.gsd, r.name)
    ds = None
    points_csv = r.path.parent.parent / "points" / (r.path.stem + ".csv")
    pts = read_points(points_csv) if points_csv.is_file() else np.zeros((0, 2))
    # A point marks its pixel (as the benchmark reads it); its centre on the model grid:
    fx, fy = abs(gt[1]) / opts.gsd, abs(gt[5]) / opts.gsd
    centres = np.stack([(np.floor(pts[:, 0]) + 0.5) * fx, (np.floor(pts[:, 1]) + 0.5) * fy], axis=1)
    labels = tree_objects(centres, res.shape, opts.tree_radius_m / opts.gsd)
    ignored = np.zeros(res.shape, bool)
    return Prepared(res.image(rgb), ignored, {"tree": labels > 0}, {"tree": labels},
                    _model_gt(gt, opts.gsd), wkt)


# ---------------------------------------------------------------- chips and their expressions

@dataclass
class Chip:
    row: int
    col: int
    image: np.ndarray
    geotransform: tuple
    masks: dict
    objects: dict


def chips(p: Prepared, size: int, stride: int | None = None):
    """Chips of `size` pixels every `stride` pixels (default `size`), whole chips only; `r`, `c`
    count strides."""
    stride = stride or size
    h, w = p.ignored.shape
    gt = p.geotransform
    for r in range((h - size) // stride + 1 if h >= size else 0):
        for c in range((w - size) // stride + 1 if w >= size else 0):
            y, x = r * stride, c * stride
            win = (slice(y, y + size), slice(x, x + size))
            if np.count_nonzero(p.ignored[win]) > MAX_IGNORED * size * size:
                continue
            masks = {cls: m[win] for cls, m in p.classes.items()}
            objects = {}
            for cls, labels in p.objects.items():
                if labels is None:        # connected components of the chip's own mask
                    objects[cls] = ndimage.label(masks[cls])[0]
                else:
                    objects[cls] = np.where(masks[cls], labels[win], 0)
            cgt = (gt[0] + x * gt[1], gt[1], 0.0, gt[3] + y * gt[5], 0.0, gt[5])
            yield Chip(r, c, p.image[(slice(None),) + win], cgt, masks, objects)


def expression_type(e) -> str:
    return e.kind + (HELD_OUT_SUFFIX if e.held_out else "")


class AbsentCap:
    """Keeps an absent expression only while absent ones stay at most `share` of all kept."""

    def __init__(self, share=ABSENT_SHARE):
        self.share, self.present, self.absent = share, 0, 0

    def keep(self, exprs) -> list:
        out = []
        for e in exprs:
            if e.kind != "absent":
                self.present += 1
                out.append(e)
        for e in exprs:
            if e.kind == "absent" and self.absent + 1 <= self.share * (self.present + self.absent + 1) + 1e-9:
                self.absent += 1
                out.append(e)
        return out


def chip_rng(seed: int, split: str, source: str, n: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(split.encode()), zlib.crc32(source.encode()), n])


# ---------------------------------------------------------------- writing

def _write_tif(path: Path, bands: np.ndarray, gt, wkt: str, rgb: bool) -> None:
    bands = bands if bands.ndim == 3 else bands[None]
    opts = ["COMPRESS=DEFLATE"] + (["PREDICTOR=2", "PHOTOMETRIC=RGB"] if rgb else [])
    ds = gdal.GetDriverByName("GTiff").Create(str(path), bands.shape[2], bands.shape[1], bands.shape[0],
                                              gdal.GDT_Byte, options=opts)
    try:
        ds.SetGeoTransform(tuple(float(v) for v in gt))
        ds.SetProjection(wkt)
        ds.WriteArray(np.ascontiguousarray(bands))
    finally:
        ds = None


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        dst.write_bytes(src.read_bytes())


def write_split(data: Path, out: Path, split: str, sources, opts: Options, progress=None) -> dict:
    """Writes one split into `out` (a folder being built); returns {(source, type): count}."""
    (out / "images").mkdir(exist_ok=True)
    (out / "masks").mkdir(exist_ok=True)
    phrases, table, origins, counts = [], [], [], {}
    for source in SOURCES:
        if source not in sources:
            continue
        cap, n = AbsentCap(), 0
        for raster in list_rasters(data, source, split, opts):
            if opts.limit is not None and n >= opts.limit:
                break
            prepared = prepare(raster, opts)
            stride = dict(opts.train_strides).get(source) if split == "train" else None
            for chip in chips(prepared, opts.size, stride):
                if opts.limit is not None and n >= opts.limit:
                    break
                rng = chip_rng(opts.seed, split, source, n)
                exprs = cap.keep(expressions(chip.masks, chip.objects, rng, held_out=(split == "val"),
                                             absent_share=1.0))
                if not exprs:
                    continue
                first = None
                for k, e in enumerate(exprs):
                    sid = f"{split}_{source}_{n:06d}_{k}"
                    if e.mask.any() == (e.kind == "absent"):   # never written: a bug, not the data
                        raise AssertionError(f"{sid}: {e.kind} expression with "
                                             f"{'a non-empty' if e.mask.any() else 'an empty'} mask")
                    image = out / "images" / f"{sid}.tif"
                    if first is None:
                        _write_tif(image, chip.image, chip.geotransform, prepared.wkt, rgb=True)
                        first = image
                    else:
                        _link_or_copy(first, image)
                    _write_tif(out / "masks" / f"{sid}.tif", e.mask.astype(np.uint8) * MASK_VALUE,
                               chip.geotransform, prepared.wkt, rgb=False)
                    kind = expression_type(e)
                    phrases.append(f"{sid} {e.text}\n")
                    table.append(f"{sid}\t{kind}\t{e.text}\n")
                    origins.append(f"{sid}\t{source}\t{e.cls}\t{raster.name}\t{chip.row}\t{chip.col}\n")
                    counts[(source, kind)] = counts.get((source, kind), 0) + 1
                n += 1
                stops.reached("chip")
            if progress:
                progress(split, source, n)
    if split == "train":
        check_no_held_out_words(line.split("\t")[2].rstrip("\n") for line in table)
    for name, lines in ((f"output_phrase_{split}.txt", phrases), (f"expressions_{split}.tsv", table),
                        (f"sources_{split}.tsv", ["id\tsource\tclass\traster\tchip_row\tchip_col\n"] + origins)):
        with open(out / name, "w", encoding="utf-8", newline="\n") as f:
            f.writelines(lines)
    return counts


def held_out_lines() -> list:
    return [f"{cls}\t{w}\n" for cls in WORDINGS for w in HELD_OUT[cls]]


def count_table(counts: dict) -> str:
    """counts: {(split, source, type): n} -> an aligned table with totals per split/source."""
    rows = [("split", "source", "type", "expressions")]
    for split in SPLITS:
        for source in SOURCES:
            keys = sorted(k for k in counts if k[0] == split and k[1] == source)
            for k in keys:
                rows.append((split, source, k[2], str(counts[k])))
            if keys:
                rows.append((split, source, "all", str(sum(counts[k] for k in keys))))
        total = sum(v for k, v in counts.items() if k[0] == split)
        if total:
            rows.append((split, "all", "all", str(total)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)
