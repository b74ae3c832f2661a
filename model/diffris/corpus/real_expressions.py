"""Referring expressions for real labelled imagery (``../shared/real-imagery``): land cover per
pixel (Dubai), building outlines (drone imagery, OpenStreetMap) and tree points (NAIP).

An image comes with one boolean mask per class it is labelled for, and, for the classes made of
countable objects (buildings, trees), a label image of those objects. The expressions, each with
its ground-truth mask:

- ``category``  every pixel of a class, in one of its wordings     "buildings", "the sea"
- ``size``      the largest object of a class, at least 1.5x the area of the next and not cut by
                the image edge (a cut object's size is not seen)       "the largest building"
- ``region``    the objects of a class whose centres lie in one compass part of the image (north
                is up), when that part holds some but not all of them  "trees in the south-east"
- ``absent``    a class the image is labelled for but does not hold: the empty mask    "water"

Wordings (``WORDINGS``): each class has trained words and one or more held-out paraphrases that
no training expression uses (``HELD_OUT``). Validation images get both, so the gap between the
two measures how the model's text side generalises beyond the words it was trained on.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# class -> (trained wordings, held-out wordings). Plural and singular forms of the same word count
# as the same wording ("building" / "buildings"); the held-out words never appear in training.
WORDINGS = {
    "building": (("buildings", "all buildings", "the buildings", "houses", "structures",
                  "every building", "homes", "dwellings", "built structures", "constructions",
                  "residential buildings", "building footprints", "villas", "apartment blocks",
                  "sheds", "man-made structures"),
                 ("rooftops", "all the rooftops")),
    "road": (("roads", "all roads", "the roads", "highways", "the road network", "paved roads",
              "asphalt roads", "lanes", "motorways", "avenues", "boulevards", "carriageways",
              "roadways", "tarmac", "traffic routes"),
             ("streets", "the streets")),
    "vegetation": (("vegetation", "grass", "green areas", "the vegetation", "plants", "lawns",
                    "shrubs", "bushes", "green spaces", "foliage", "planted areas", "gardens",
                    "parks", "verdure", "green cover"),
                   ("greenery",)),
    "tree": (("trees", "all trees", "the trees", "tree canopy", "every tree", "woodland",
              "the tree cover", "canopy", "forest", "treetops", "tree cover"),
             ("tree crowns",)),
    "water": (("water", "the sea", "lake", "water bodies", "the water", "the ocean", "rivers",
               "the river", "the creek", "canals", "lagoon", "the bay", "reservoirs",
               "open water", "waterways"),
              ("ponds",)),
    "land": (("bare land", "the bare land", "open ground", "bare ground", "barren land",
              "empty lots", "dirt", "desert", "bare soil", "vacant land", "unbuilt land",
              "earth", "wasteland"),
             ("sand",)),
}
# Framings of a trained wording, so the text side sees the class word in many sentences; the
# held-out paraphrases stay bare, as a user would type them.
FRAMES = ("{w}", "{w}", "{w}", "find {w}", "show me {w}", "segment {w}", "highlight {w}",
          "{w} in this image", "{w} seen from above", "locate {w}", "map {w}")
HELD_OUT = {cls: held for cls, (_, held) in WORDINGS.items()}

# The singular noun of each countable class, for size and region expressions.
SINGULAR = {"building": ("building", "house"), "tree": ("tree",)}
PLURAL = {"building": ("buildings", "houses"), "tree": ("trees",)}
SIZE_RATIO = 1.5
REGIONS = {  # compass part: which image centres belong to it (x, y in 0..1, y down = south)
    "north": lambda x, y: y < 0.5,
    "south": lambda x, y: y >= 0.5,
    "east": lambda x, y: x >= 0.5,
    "west": lambda x, y: x < 0.5,
    "north-east": lambda x, y: y < 0.5 and x >= 0.5,
    "north-west": lambda x, y: y < 0.5 and x < 0.5,
    "south-east": lambda x, y: y >= 0.5 and x >= 0.5,
    "south-west": lambda x, y: y >= 0.5 and x < 0.5,
}
REGION_PHRASES = ("{p} in the {r}", "the {p} in the {r} part", "{p} in the {r} of the image")
KINDS = ("category", "size", "region", "absent")


@dataclass(frozen=True)
class RealExpression:
    text: str
    kind: str                 # one of KINDS
    cls: str                  # the class referred to
    held_out: bool            # worded with a held-out paraphrase
    mask: np.ndarray = field(compare=False, repr=False)


def _pick(rng, options):
    return str(options[int(rng.integers(len(options)))])


def _frame(rng, wording):
    return _pick(rng, FRAMES).format(w=wording)


def _objects(labels: np.ndarray):
    """(label, area, centre x, centre y, touches the edge) of each object of a label image."""
    h, w = labels.shape
    out = []
    for label in np.unique(labels):
        if label == 0:
            continue
        ys, xs = np.nonzero(labels == label)
        edge = bool(ys.min() == 0 or xs.min() == 0 or ys.max() == h - 1 or xs.max() == w - 1)
        out.append((int(label), len(ys), (xs.mean() + 0.5) / w, (ys.mean() + 0.5) / h, edge))
    return out


def expressions(masks: dict, objects: dict | None = None, rng: np.random.Generator | None = None,
                held_out: bool = False, absent_share: float = 0.2) -> list:
    """The expressions of one image.

    masks       class -> bool [H, W], for every class the image is labelled for (an empty mask
                is an absent class: the labels say it is not there)
    objects     class -> int [H, W] label image (0 = background), for countable classes
    held_out    also word each category with its held-out paraphrases (validation only)
    absent_share  at most this share of the returned expressions are absent ones
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    objects = objects or {}
    present, absent = [], []
    for cls in sorted(masks):
        if cls not in WORDINGS:
            raise ValueError(f"no wordings for class {cls!r}; known: {', '.join(WORDINGS)}")
        mask = np.asarray(masks[cls], dtype=bool)
        trained, held = WORDINGS[cls]
        if not mask.any():
            absent.append(RealExpression(_pick(rng, trained), "absent", cls, False, mask))
            if held_out:
                absent.append(RealExpression(_pick(rng, held), "absent", cls, True, mask))
            continue
        present.append(RealExpression(_frame(rng, _pick(rng, trained)), "category", cls, False,
                                      mask))
        if held_out:
            for word in held:
                present.append(RealExpression(word, "category", cls, True, mask))
        if cls in objects:
            present.extend(_object_expressions(cls, np.asarray(objects[cls]), rng))
    # Absent expressions are at most absent_share of the whole: n_absent <= share * (present + n).
    room = int(np.floor(absent_share * len(present) / (1.0 - absent_share))) if absent_share < 1 else len(absent)
    if len(absent) > room:
        keep = sorted(rng.choice(len(absent), size=room, replace=False)) if room else []
        absent = [absent[i] for i in keep]
    return present + absent


def _object_expressions(cls: str, labels: np.ndarray, rng) -> list:
    found = _objects(labels)
    out = []
    if len(found) >= 2:
        by_area = sorted(found, key=lambda o: o[1])
        largest, runner_up = by_area[-1], by_area[-2]
        if not largest[4] and largest[1] >= SIZE_RATIO * runner_up[1]:
            text = f"the {_pick(rng, ('largest', 'biggest'))} {_pick(rng, SINGULAR[cls])}"
            out.append(RealExpression(text, "size", cls, False, labels == largest[0]))
    for region, inside in REGIONS.items():
        chosen = [o[0] for o in found if inside(o[2], o[3])]
        if 0 < len(chosen) < len(found):
            text = _pick(rng, REGION_PHRASES).format(p=_pick(rng, PLURAL[cls]), r=region)
            out.append(RealExpression(text, "region", cls, False, np.isin(labels, chosen)))
    if out:
        out = [out[int(rng.integers(len(out)))]] if len(out) > 2 else out
    return out


def tree_objects(points_xy, shape, radius_px: float) -> np.ndarray:
    """A label image of trees from their centre points: a disk of ``radius_px`` around each point
    (a tree's crown is not in the labels; the radius is an approximation the caller names);
    where disks overlap, the nearer centre wins."""
    h, w = shape
    labels = np.zeros((h, w), dtype=np.int32)
    if len(points_xy) == 0:
        return labels
    pts = np.asarray(points_xy, dtype=np.float64)
    ys, xs = np.mgrid[0:h, 0:w]
    best = np.full((h, w), np.inf)
    for i, (px, py) in enumerate(pts, start=1):
        d2 = (xs + 0.5 - px) ** 2 + (ys + 0.5 - py) ** 2
        take = (d2 <= radius_px ** 2) & (d2 < best)
        labels[take] = i
        best[take] = d2[take]
    return labels


def check_no_held_out_words(texts) -> None:
    """Raises ValueError when a (training) expression uses a held-out paraphrase."""
    words = {w for held in HELD_OUT.values() for w in held}
    bare = {w.replace("all the ", "").replace("the ", "") for w in words}
    for text in texts:
        t = text.lower()
        for w in sorted(bare):
            if f" {w} " in f" {t} ":
                raise ValueError(f"training expression {text!r} uses the held-out paraphrase {w!r}")
