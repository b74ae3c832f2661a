"""Urban tree points on NAIP crops (Ventura et al. 2024, CC BY 4.0; NAIP public domain).

The crops are already georeferenced GeoTIFFs: the cases refer to them where they lie, by absolute
path (nothing is copied), with their point files; a crop without a point file has no tree (an
empty point file is written for it in the case folder, so every case names its truth).
"""
from __future__ import annotations

from pathlib import Path

from .cases import Case

QUERY = "trees"


def _names(path: Path) -> list:
    return [line.strip() for line in Path(path).read_text().splitlines() if line.strip()]


def build(data: Path, out: Path, limit=None) -> list:
    data, out = Path(data) / "urban-trees", Path(out)
    (out / "urban-trees").mkdir(parents=True, exist_ok=True)
    cases = []
    for split, listing in (("train", "train.txt"), ("val", "val.txt")):
        names = _names(data / listing)
        for name in names[:limit] if limit else names:
            image = data / "images" / f"{name}.tif"
            if not image.is_file():
                raise ValueError(f"{image}: listed in {listing}, missing")
            points = data / "points" / f"{name}.csv"
            if points.is_file():
                truth = str(points.resolve())
            else:
                truth = f"urban-trees/{name}_none.csv"
                (out / truth).write_text("x,y\n")
            cases.append(Case(str(image.resolve()), QUERY, "points",
                              truth, split, "urban-trees", "tree"))
    return cases
