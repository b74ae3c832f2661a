"""Referring-segmentation datasets in their published layouts, read into one list of samples.

Layouts (see model/README.md, "Datasets"):
- `refsegrs`: RefSegRS (Yuan et al.): `images/<id>.tif`, `masks/<id>.tif`,
  `output_phrase_<split>.txt` (`<id> <expression>`), optional `expressions_<split>.tsv`.
- `rrsisd`: RRSIS-D (Liu et al., RMSIN), RefCOCO-style: `rrsisd/refs(unc).p` (a pickle),
  `rrsisd/instances.json` (COCO), `images/rrsisd/JPEGImages/<file_name>`.
- `risbench`: RISBench (Dong et al., CroBIM): `img_rgb/<name>`, `mask/<name>`,
  `output_phrase_<split>.txt` (`<name> <expression>`).

`read_samples` returns `Sample`s: an id, a type (for the per-type table), the expression, the
image file and a function giving the ground-truth mask (bool [h, w]) at the image's resolution.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..text_rules import is_blank

LAYOUTS = ("refsegrs", "rrsisd", "risbench")


class LayoutError(ValueError):
    """The folder does not hold the layout asked for, or no known layout at all."""


@dataclass
class Sample:
    id: str
    type: str
    text: str
    image: Path
    mask: Callable  # () -> bool ndarray [h, w]


def detect_layout(folder):
    """The layout of `folder`, from the files it holds; LayoutError when none or several fit."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"data folder not found: {folder}")
    found = [
        name
        for name, test in (
            ("refsegrs", _is_refsegrs),
            ("rrsisd", _is_rrsisd),
            ("risbench", _is_risbench),
        )
        if test(folder)
    ]
    if len(found) == 1:
        return found[0]
    if not found:
        raise LayoutError(
            f"{folder}: no known dataset layout (refsegrs: images/ and masks/; rrsisd: "
            f"rrsisd/refs(unc).p and rrsisd/instances.json; risbench: img_rgb/ and mask/)"
        )
    raise LayoutError(
        f"{folder}: matches several layouts ({', '.join(found)}); " f"choose one with --layout"
    )


def check_layout(folder, layout):
    """LayoutError naming what is missing when `folder` is not in `layout`."""
    folder = Path(folder)
    if layout not in LAYOUTS:
        raise LayoutError(f"unknown layout '{layout}'; known: {', '.join(LAYOUTS)}")
    if not folder.is_dir():
        raise FileNotFoundError(f"data folder not found: {folder}")
    test = {"refsegrs": _is_refsegrs, "rrsisd": _is_rrsisd, "risbench": _is_risbench}[layout]
    if not test(folder):
        expected = {
            "refsegrs": "images/ and masks/",
            "rrsisd": "rrsisd/refs(unc).p and rrsisd/instances.json (or refs(unc).p and "
            "instances.json in the folder itself)",
            "risbench": "img_rgb/, mask/ and output_phrase_<split>.txt",
        }[layout]
        raise LayoutError(f"{folder} is not in the {layout} layout: expected {expected}")


def read_samples(folder, split, layout=None):
    """The samples of `split` in `folder`, in file order; the layout is detected when None."""
    layout = layout or detect_layout(folder)
    check_layout(folder, layout)
    if layout == "refsegrs":
        from .refsegrs import read_samples as read
    elif layout == "rrsisd":
        from .rrsisd import read_samples as read
    else:
        from .risbench import read_samples as read
    samples = read(Path(folder), split)
    if not samples:
        raise LayoutError(f"split {split} of {folder} has no samples")
    return samples


def _is_refsegrs(folder):
    # The folders decide; a missing split file is reported when the split is read, with the
    # splits that are present.
    return (folder / "images").is_dir() and (folder / "masks").is_dir()


def _is_rrsisd(folder):
    from .rrsisd import annotation_folder

    return annotation_folder(folder) is not None


def _is_risbench(folder):
    return (folder / "img_rgb").is_dir() and (folder / "mask").is_dir()


def split_names(folder, pattern):
    """The `<split>` parts of the files matching `pattern` (one '*'), sorted."""
    prefix, suffix = pattern.split("*")
    return sorted(
        p.name[len(prefix) : len(p.name) - len(suffix)] for p in Path(folder).glob(pattern)
    )


def read_phrases(path):
    """[(first word, rest)] of a `<name> <expression>` file, blank lines skipped."""
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        name, _, text = line.partition(" ")
        if not name or not text:
            raise LayoutError(f"{path}:{n}: expected '<name> <expression>'")
        check_expression(text, f"{path}:{n}", name)
        rows.append((name, text))
    return rows


def check_expression(text, where, sample):
    """LayoutError when a sample's expression is blank: only white space (no-break spaces
    included) or invisible format characters, the queries `diffris segment` refuses. Scoring
    such a sample would score the model on a query no user can run."""
    if is_blank(text):
        raise LayoutError(
            f"{where}: sample {sample}: the expression {text!r} is blank (only white space or "
            f"invisible characters); give the words that name the object, or remove the sample"
        )


def read_image(path):
    """An image file as an array [bands, h, w] (GDAL reads TIFF, JPEG and PNG)."""
    from osgeo import gdal

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"file not found: {path}")
    ds = gdal.Open(str(path))
    if ds is None:
        raise FileNotFoundError(f"{path}: cannot be opened as a raster")
    return ds.ReadAsArray()


def file_mask(path):
    """The first band of a mask file, non-zero = object."""

    def read():
        array = read_image(path)
        return (array[0] if array.ndim == 3 else array) != 0

    return read
