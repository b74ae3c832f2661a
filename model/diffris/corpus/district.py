"""Large scenes: a street grid of themed blocks, optionally a harbour basin along the west side.

Built from the same pieces as the training tiles (:class:`scene.Composer` fills each block with a
theme, :func:`render.render` paints it), so a model trained on tiles meets the same objects.
The street grid is one ``road`` object made of several rectangles.
"""
from __future__ import annotations

import numpy as np

from . import geometry as geo
from .scene import Composer, Scene, SceneObject


def district_scene(rng: np.random.Generator, size: int, gsd: float, themes, origin,
                   block_m: float = 110.0, street_m: float = 10.0, water_fraction: float = 0.0,
                   ships: int = 0, count_scale: float = 0.6, epsg: int = 32633) -> Scene:
    """A size x size scene at `gsd` m/px whose blocks get themes drawn from `themes`."""
    scene = Scene(size, size, gsd, origin, epsg)
    comp = Composer(scene, rng)
    scene.ground.append(("asphalt", (0, size, 0, size)))
    land_x0 = int(round(size * water_fraction))
    if land_x0 > 0:
        scene.water = np.zeros((size, size), dtype=bool)
        scene.water[:, :land_x0] = True
        for _ in range(ships):
            comp._place("ship", (0, size, 0, land_x0 - 4), rng.uniform(0, np.pi))

    block, street = int(round(block_m / gsd)), int(round(street_m / gsd))
    pitch = block + street
    starts_x = list(range(land_x0 + street, size - block // 2, pitch))
    starts_y = list(range(street, size - block // 2, pitch))
    streets = [geo.rectangle(land_x0 + (size - land_x0) / 2, y - street / 2, size - land_x0, street, 0.0)
               for y in starts_y] + \
              [geo.rectangle(x - street / 2, size / 2, street, size, 0.0) for x in starts_x]
    fp = geo.rasterize(streets, size, size)
    scene.objects.append(SceneObject("road", "grey", streets, size / 2, size / 2, 0.0, float(size),
                                     float(street), 0.0, 0, fp, True))
    fp.paste(comp.roads)
    for y0 in starts_y:
        for x0 in starts_x:
            box = (y0, min(size, y0 + block), x0, min(size, x0 + block))
            if box[1] - box[0] < block // 2 or box[3] - box[2] < block // 2:
                continue
            comp.fill(str(rng.choice(themes)), box, count_scale, angle=0.0, exclude=("road",))
    scene.finish()
    return scene
