#!/usr/bin/env python3
"""Writes the sample scenes: large GeoTIFFs at exactly 0.5 m/px (EPSG:32633), ground-truth masks
on the same grid, and queries.tsv (scene<TAB>query<TAB>mask, paths relative to the folder).

    /usr/bin/python3 model/make_scenes.py --out sample-data/scenes

Scene-level queries only name categories and colours (plurals), never positions. A query is
written only when at least one object answers it. Same seed, byte-identical files.
"""
import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from diffris.corpus import geotiff  # noqa: E402
from diffris.corpus.district import district_scene  # noqa: E402
from diffris.corpus.render import Sensor, render  # noqa: E402

GSD = 0.5
# name, side px, block themes, west water share, ships, origin (EPSG:32633), queries
SCENES = (
    ("port", 1792, ("industrial", "industrial", "parking", "residential"), 0.28, 24, (402000.0, 5059000.0), (
        ("ships", "ship", None), ("white ships", "ship", "white"), ("storage tanks", "storage_tank", None),
        ("white storage tanks", "storage_tank", "white"), ("grey oil tanks", "storage_tank", "grey"),
        ("all the red cars", "vehicle", "red"), ("buildings", "building", None))),
    ("airport", 1792, ("airport", "airport", "airport", "parking", "industrial"), 0.0, 0, (411000.0, 5052000.0), (
        ("airplanes", "airplane", None), ("white planes", "airplane", "white"), ("vehicles", "vehicle", None),
        ("all the white cars", "vehicle", "white"), ("storage tanks", "storage_tank", None),
        ("roads", "road", None))),
    ("town", 1792, ("residential", "residential", "sports", "parking"), 0.0, 0, (395000.0, 5047000.0), (
        ("swimming pools", "swimming_pool", None), ("tennis courts", "tennis_court", None),
        ("basketball courts", "basketball_court", None), ("red buildings", "building", "red"),
        ("trees", "tree", None), ("all the blue cars", "vehicle", "blue"), ("cars", "vehicle", None))),
)
COMPRESSION = ("COMPRESS=DEFLATE", "PREDICTOR=2", "ZLEVEL=9", "TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256")
SENSOR = Sensor(noise=0.006, blur_probability=1.0, brightness=0.05)   # low noise keeps the files small


def slug(text: str) -> str:
    return "_".join(w for w in text.lower().split() if w not in ("all", "the"))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Write the sample GeoTIFF scenes with ground truth.")
    p.add_argument("--out", default="sample-data/scenes", help="output folder (default sample-data/scenes)")
    p.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    a = p.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for k, (name, size, themes, water, ships, origin, queries) in enumerate(SCENES):
        rng = np.random.default_rng([a.seed, k])
        scene = district_scene(rng, size, GSD, themes, origin, water_fraction=water, ships=ships)
        image = render(scene, np.random.default_rng([a.seed, k, 1]), SENSOR)
        gt = scene.geotransform()
        geotiff.write(str(out / f"{name}.tif"), image, gt, scene.epsg, COMPRESSION)
        for text, category, colour in queries:
            refs = [i for i, o in enumerate(scene.objects)
                    if o.category == category and (colour is None or o.colour == colour)]
            if not refs:
                print(f"make_scenes.py: no object answers '{text}' in {name}; query left out", file=sys.stderr)
                continue
            mask_name = f"{name}_{slug(text)}.tif"
            mask = scene.mask_of(refs).astype(np.uint8) * 255
            geotiff.write(str(out / mask_name), mask, gt, scene.epsg, COMPRESSION)
            rows.append(f"{name}.tif\t{text}\t{mask_name}\n")
            print(f"{name}: {text}: {len(refs)} objects, {int((mask > 0).sum())} px", file=sys.stderr)
    (out / "queries.tsv").write_text("".join(rows), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
