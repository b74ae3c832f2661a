"""Referring expressions for a scene, each unambiguous by construction.

An expression refers to a set of objects; its ground truth is the union of their visible
footprints. A candidate is only produced when its words pick out exactly that set:

- ``category``       the only object of its category           "the airplane", "storage tank"
- ``plural``         all objects of a category (>= 2)           "all the cars", "tanks"
- ``colour``         the only object of that colour in its category       "the red car"
- ``colour_plural``  all (>= 2) objects of one colour in a category       "all the white tanks"
- ``size``           the largest/smallest of >= 2, at least 1.5x larger/smaller in area than the next,
                     none of them cut by the tile edge (a cut object's size is not seen)
- ``position``       the left/right/top/bottom-most of >= 2, its centre clearly apart from the next
                     (not roads: the centre of a road crossing the tile says little about it)
- ``relation``       the one object of a category close to the only object of another category,
                     every other object of its category clearly farther away

and, only where a split asks for them, expressions that refer to nothing in the image (empty mask):

- ``absent``         a category with no object in the image                 "all the ships"
                     or a colour no object of a present category has       "the red car"
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .categories import CATEGORIES
from . import geometry as geo
from .scene import THEMES, Scene

TYPES = ("category", "plural", "colour", "colour_plural", "size", "position", "relation")
ABSENT = "absent"         # the kind of an expression that refers to nothing in the image

SIZE_RATIO = 1.5          # area ratio between the extreme object and the runner-up
POSITION_GAP = 0.15       # centre gap between the extreme object and the runner-up, share of the side
NEAR_M = 6.0              # "next to": at most this far (metres, edge to edge) ...
FAR_FACTOR = 3.0          # ... and every other candidate at least FAR_FACTOR times as far (and > NEAR_M)

# Categories no default theme puts twice in a tile (roads): positive samples of a default split
# never say their plural, so absent samples do not either; otherwise a model learns that "roads"
# always means nothing. (The opt-in "streets" theme has several roads, and so says "roads".)
SINGLE_PER_TILE = frozenset(c for c in CATEGORIES
                            if max(t["counts"].get(c, (0, 0))[1] for t in THEMES.values()) <= 1)

POSITIONS = {   # key: (axis, extreme, phrasings)
    "left": (0, "min", ("the {s} on the left", "the leftmost {s}", "the {s} on the left side")),
    "right": (0, "max", ("the {s} on the right", "the rightmost {s}", "the {s} on the right side")),
    "top": (1, "min", ("the {s} at the top", "the topmost {s}", "the {s} at the top of the image")),
    "bottom": (1, "max", ("the {s} at the bottom", "the bottommost {s}", "the {s} at the bottom of the image")),
}
RELATIONS = ("the {s} next to the {a}", "the {s} near the {a}", "the {s} beside the {a}")


@dataclass(frozen=True)
class Expression:
    text: str
    kind: str                     # one of TYPES
    referents: tuple              # object indices, sorted
    category: str = ""            # category of the referents


def _pick(rng, words):
    return str(words[int(rng.integers(len(words)))])


def candidates(scene: Scene, rng: np.random.Generator) -> list:
    """Every valid expression kind for the scene, one randomly phrased candidate per referent set."""
    by_cat = {}
    for i, obj in enumerate(scene.objects):
        by_cat.setdefault(obj.category, []).append(i)
    out = []

    def add(text, kind, refs):
        out.append(Expression(text, kind, tuple(sorted(refs)), scene.objects[refs[0]].category))

    areas = [v.area for v in scene.visible]
    centres = [v.centroid() for v in scene.visible]
    for cat in sorted(by_cat):
        idx = by_cat[cat]
        info = CATEGORIES[cat]
        s, p = _pick(rng, info.singular), _pick(rng, info.plural)
        if len(idx) == 1:
            add(_pick(rng, (f"the {s}", s)), "category", idx)
        else:
            add(_pick(rng, (f"all the {p}", f"the {p}", p, f"all {p}")), "plural", idx)
        if info.has_colour_words:
            for colour in info.colours:
                same = [i for i in idx if scene.objects[i].colour == colour]
                if len(same) == 1:
                    add(f"the {colour} {s}", "colour", same)
                elif len(same) >= 2:
                    add(_pick(rng, (f"all the {colour} {p}", f"the {colour} {p}", f"{colour} {p}")),
                        "colour_plural", same)
        if len(idx) >= 2 and not any(scene.objects[i].cut for i in idx):
            order = sorted(idx, key=lambda i: areas[i])
            if areas[order[-1]] >= SIZE_RATIO * areas[order[-2]]:
                words = ("largest", "biggest") + (("large", "big") if len(idx) == 2 else ())
                add(f"the {_pick(rng, words)} {s}", "size", [order[-1]])
            if areas[order[1]] >= SIZE_RATIO * areas[order[0]]:
                words = ("smallest",) + (("small",) if len(idx) == 2 else ())
                add(f"the {_pick(rng, words)} {s}", "size", [order[0]])
        if len(idx) >= 2 and cat != "road":
            for key, (axis, extreme, phrasings) in POSITIONS.items():
                side = scene.width if axis == 0 else scene.height
                order = sorted(idx, key=lambda i: centres[i][axis])
                first, second = (order[0], order[1]) if extreme == "min" else (order[-1], order[-2])
                if abs(centres[first][axis] - centres[second][axis]) >= POSITION_GAP * side:
                    add(_pick(rng, phrasings).format(s=s), "position", [first])
    out.extend(_relations(scene, by_cat, rng))
    return out


def _relations(scene: Scene, by_cat: dict, rng) -> list:
    near = NEAR_M / scene.gsd
    found = []
    for anchor_cat in sorted(by_cat):
        if len(by_cat[anchor_cat]) != 1 or anchor_cat == "road":
            continue
        anchor = scene.objects[by_cat[anchor_cat][0]]
        for cat in sorted(by_cat):
            idx = by_cat[cat]
            if cat == anchor_cat or cat == "road" or len(idx) < 2:
                continue
            dist = sorted((geo.polygon_distance(scene.objects[i].polygons, anchor.polygons), i) for i in idx)
            if dist[0][0] <= near and dist[1][0] >= max(FAR_FACTOR * dist[0][0], near):
                s = _pick(rng, CATEGORIES[cat].singular)
                a = _pick(rng, CATEGORIES[anchor_cat].singular)
                found.append(Expression(_pick(rng, RELATIONS).format(s=s, a=a), "relation", (dist[0][1],), cat))
    return found


def choose(cands: list, k: int, rng: np.random.Generator) -> list:
    """Up to k expressions with distinct referent sets. The kind is drawn uniformly among the kinds
    available, then the category uniformly among those of that kind, so rare kinds (relations) and
    rare categories (courts) are favoured over frequent ones (cars)."""
    pool = list(cands)
    chosen, used = [], set()
    while pool and len(chosen) < k:
        kinds = sorted({c.kind for c in pool})
        kind = kinds[int(rng.integers(len(kinds)))]
        of_kind = [c for c in pool if c.kind == kind]
        cats = sorted({c.category for c in of_kind})
        cat = cats[int(rng.integers(len(cats)))]
        of_cat = [c for c in of_kind if c.category == cat]
        pick = of_cat[int(rng.integers(len(of_cat)))]
        chosen.append(pick)
        used.add(pick.referents)
        pool = [c for c in pool if c.referents not in used]
    return chosen


def absent(scene: Scene, rng: np.random.Generator):
    """An expression whose words pick out no object of the scene, or None if there is none to
    say. Half the time, where both exist, a missing category ("ships" on land); otherwise a
    missing colour of a present category ("the red car" among blue ones), the harder case. A
    model tiled over a large raster sees mostly tiles without what was asked for; these samples
    teach it to answer with nothing there."""
    present = {o.category for o in scene.objects}
    missing_category = [(k, None) for k in sorted(CATEGORIES) if k not in present]
    missing_colour = [(k, c) for k in sorted(present) if CATEGORIES[k].has_colour_words
                      for c in CATEGORIES[k].colours
                      if not any(o.category == k and o.colour == c for o in scene.objects)]
    forms = [options for options in (missing_category, missing_colour) if options]
    if not forms:
        return None
    options = forms[int(rng.integers(len(forms)))]
    key, colour = options[int(rng.integers(len(options)))]
    info = CATEGORIES[key]
    s, p = _pick(rng, info.singular), _pick(rng, info.plural)
    if colour is not None:
        text = _pick(rng, (f"the {colour} {s}", f"all the {colour} {p}", f"the {colour} {p}", f"{colour} {p}"))
    elif key in SINGLE_PER_TILE:
        text = _pick(rng, (f"the {s}", s))
    else:
        text = _pick(rng, (f"the {s}", s, f"all the {p}", f"the {p}", p))
    return Expression(text, ABSENT, (), key)
