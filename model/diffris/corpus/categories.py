"""The referable object categories: words, colours, sizes in metres, heights, drawing order.

The vocabulary is deliberately small (a tiny model learns its BPE tokenizer on this corpus) but
has synonyms, so a model cannot rely on one word per category.
"""
from __future__ import annotations

from dataclasses import dataclass

# Display colours, RGB in [0, 1]. Names are what expressions say.
COLOURS = {
    "white": (0.90, 0.90, 0.88),
    "grey": (0.52, 0.53, 0.55),
    "black": (0.09, 0.09, 0.11),
    "red": (0.72, 0.12, 0.10),
    "blue": (0.12, 0.24, 0.66),
    "yellow": (0.88, 0.76, 0.14),
    "brown": (0.46, 0.30, 0.18),
    "green": (0.20, 0.52, 0.24),
}

# Surface colours of categories that show a colour other than their name suggests.
SURFACE_RGB = {
    ("tennis_court", "red"): (0.70, 0.32, 0.20),        # clay
    ("basketball_court", "red"): (0.66, 0.22, 0.18),
    ("tennis_court", "blue"): (0.16, 0.36, 0.62),
    ("basketball_court", "blue"): (0.18, 0.34, 0.64),
    ("swimming_pool", "blue"): (0.20, 0.60, 0.82),
    ("tree", "green"): (0.11, 0.27, 0.10),
    ("road", "grey"): (0.30, 0.30, 0.31),
    ("storage_tank", "grey"): (0.62, 0.63, 0.64),
    ("storage_tank", "white"): (0.93, 0.93, 0.92),
}


@dataclass(frozen=True)
class Category:
    key: str
    singular: tuple[str, ...]        # first is the canonical name
    plural: tuple[str, ...]
    colours: tuple[str, ...]         # colours it comes in; one colour means colour is never said
    size_m: tuple[float, float]      # range of the main dimension (length or diameter), metres
    height_m: tuple[float, float]    # casts a shadow when > 0
    layer: int                       # drawing order: lower first; only roads are drawn under others

    @property
    def has_colour_words(self) -> bool:
        return len(self.colours) > 1


CATEGORIES = {c.key: c for c in (
    Category("road", ("road",), ("roads",), ("grey",), (6.0, 12.0), (0.0, 0.0), 0),
    Category("tennis_court", ("tennis court",), ("tennis courts",), ("green", "blue", "red"),
             (30.0, 34.0), (0.0, 0.0), 1),
    Category("basketball_court", ("basketball court",), ("basketball courts",), ("green", "blue", "red"),
             (30.0, 32.0), (0.0, 0.0), 1),
    Category("swimming_pool", ("swimming pool", "pool"), ("swimming pools", "pools"), ("blue",),
             (5.0, 16.0), (0.0, 0.0), 1),
    Category("building", ("building",), ("buildings",), ("red", "grey", "white", "brown"),
             (8.0, 30.0), (4.0, 15.0), 2),
    Category("storage_tank", ("storage tank", "tank", "oil tank"), ("storage tanks", "tanks", "oil tanks"),
             ("white", "grey"), (6.0, 26.0), (5.0, 15.0), 2),
    Category("tree", ("tree",), ("trees",), ("green",), (3.5, 9.0), (5.0, 12.0), 3),
    Category("ship", ("ship", "boat"), ("ships", "boats"), ("white", "grey", "red"), (10.0, 40.0),
             (2.0, 5.0), 3),
    Category("airplane", ("airplane", "plane"), ("airplanes", "planes"), ("white", "grey"), (12.0, 38.0),
             (3.0, 5.0), 3),
    Category("vehicle", ("car", "vehicle"), ("cars", "vehicles"),
             ("white", "black", "red", "blue", "grey", "yellow"), (4.0, 5.4), (1.5, 1.8), 4),
)}
