"""The case list: one row per (raster, query) with its truth, as a tab-separated file.

Columns: raster, query, truth_kind (mask | points | absent), truth (path; empty for absent),
split (train | val), source (dubai | fair | urban-trees), class. Files the builder wrote are named
relative to the list's folder (the folder can be moved as a whole); files it refers to where they
lie (the NAIP crops and their points) by absolute path.

Mask truths are uint8 GeoTIFFs on the raster's grid: 1 = the class, 0 = not, 255 = ignored
(unlabelled or outside the imagery). Point truths are CSV files `x,y` of pixel columns and rows
of the raster (the point lies at the centre of that pixel).
"""
from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, fields
from pathlib import Path

TRUTH_KINDS = ("mask", "points", "absent")
SPLITS = ("train", "val")
IGNORED = 255


@dataclass(frozen=True)
class Case:
    raster: str
    query: str
    truth_kind: str
    truth: str
    split: str
    source: str
    cls: str

    def __post_init__(self):
        if self.truth_kind not in TRUTH_KINDS:
            raise ValueError(f"truth kind {self.truth_kind!r}: accepted {', '.join(TRUTH_KINDS)}")
        if self.split not in SPLITS:
            raise ValueError(f"split {self.split!r}: accepted {', '.join(SPLITS)}")
        if (self.truth_kind == "absent") != (self.truth == ""):
            raise ValueError(f"{self.raster} / {self.query!r}: an absent truth has no file, "
                             f"a {self.truth_kind} truth needs one")
        for name in ("raster", "query", "truth", "source", "cls"):
            if any(c in getattr(self, name) for c in "\t\n"):
                raise ValueError(f"{name} {getattr(self, name)!r} holds a tab or a line break")


COLUMNS = ("raster", "query", "truth_kind", "truth", "split", "source", "class")


def write_cases(path: Path, cases) -> None:
    """Writes the list through a temporary file, so a reader never sees half a list."""
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        f.write("\t".join(COLUMNS) + "\n")
        for c in cases:
            row = asdict(c)
            f.write("\t".join(str(row[k]) for k in [fl.name for fl in fields(Case)]) + "\n")
    tmp.replace(path)


def read_cases(path: Path) -> list:
    path = Path(path)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or tuple(rows[0]) != COLUMNS:
        raise ValueError(f"{path}: the first line must be the header {' '.join(COLUMNS)}")
    cases = []
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(COLUMNS):
            raise ValueError(f"{path} line {n}: {len(row)} columns, expected {len(COLUMNS)}")
        cases.append(Case(*row))
    return cases


def resolve(list_path: Path, relative: str) -> Path:
    return Path(list_path).parent / relative
