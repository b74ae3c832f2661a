"""Renders a :class:`Scene` to an RGB image: textured ground, objects with category details,
shadows, then sensor effects (brightness, colour cast, blur, noise).

Everything is vectorized over pixel windows; the cost is O(pixels + sum of object windows).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .categories import COLOURS, SURFACE_RGB
from .scene import Scene, SceneObject
from .textures import blur, value_noise

# material: (RGB, texture amplitude, texture cell in metres)
GROUND = {
    "grass": ((0.33, 0.46, 0.22), 0.22, 6.0),
    "soil": ((0.55, 0.45, 0.33), 0.14, 8.0),
    "asphalt": ((0.27, 0.27, 0.29), 0.10, 3.0),
    "concrete": ((0.66, 0.65, 0.62), 0.08, 5.0),
    "water": ((0.08, 0.19, 0.27), 0.10, 12.0),
}


@dataclass(frozen=True)
class Sensor:
    """Acquisition effects; `noise` is the largest standard deviation of additive noise."""
    noise: float = 0.02
    blur_probability: float = 0.5
    brightness: float = 0.15


def _rgb(obj: SceneObject) -> np.ndarray:
    return np.array(SURFACE_RGB.get((obj.category, obj.colour), COLOURS[obj.colour]), dtype=np.float32)


def _frame(obj: SceneObject, fp):
    """Pixel-centre coordinates of the footprint window in the object's frame (u along, v across)."""
    h, w = fp.mask.shape
    x = np.arange(fp.x0, fp.x0 + w, dtype=np.float32)[None, :] + 0.5 - obj.cx
    y = np.arange(fp.y0, fp.y0 + h, dtype=np.float32)[:, None] + 0.5 - obj.cy
    c, s = math.cos(obj.angle), math.sin(obj.angle)
    return x * c + y * s, -x * s + y * c


class Renderer:
    def __init__(self, scene: Scene, rng: np.random.Generator, sensor: Sensor = Sensor()):
        self.scene, self.rng, self.sensor = scene, rng, sensor
        self.image = np.zeros((scene.height, scene.width, 3), dtype=np.float32)
        self.sun = rng.uniform(0, 2 * math.pi)
        self.shadow_factor = rng.uniform(0.35, 1.0)      # shadow length / object height
        self.shadow_darkness = rng.uniform(0.45, 0.65)

    def render(self) -> np.ndarray:
        """The image as uint8 HxWx3."""
        self._ground()
        for obj, fp in zip(self.scene.objects, (o.footprint for o in self.scene.objects)):
            if obj.height_m > 0:
                self._shadow(obj, fp)
            self._paint(obj, fp)
        return self._sensor()

    # -- ground -----------------------------------------------------------------------------
    def _texture(self, material: str, h: int, w: int) -> np.ndarray:
        rgb, amp, cell_m = GROUND[material]
        rng = self.rng
        base = np.array(rgb, dtype=np.float32) * rng.uniform(0.9, 1.1, 3).astype(np.float32)
        n = value_noise(rng, h, w, cell_m / self.scene.gsd, octaves=3)
        fine = value_noise(rng, h, w, 1.5, octaves=1)
        t = 1.0 + amp * (2.0 * n - 1.0) + 0.4 * amp * (2.0 * fine - 1.0)
        return base[None, None, :] * t[..., None]

    def _ground(self) -> None:
        s = self.scene
        for material, (y0, y1, x0, x1) in s.ground:
            self.image[y0:y1, x0:x1] = self._texture(material, y1 - y0, x1 - x0)
        if s.water is not None and s.water.any():
            ys, xs = np.nonzero(s.water.any(axis=1))[0], np.nonzero(s.water.any(axis=0))[0]
            y0, y1, x0, x1 = ys[0], ys[-1] + 1, xs[0], xs[-1] + 1
            tex = self._texture("water", y1 - y0, x1 - x0)
            win = self.image[y0:y1, x0:x1]
            m = s.water[y0:y1, x0:x1]
            win[m] = tex[m]

    # -- shadows ----------------------------------------------------------------------------
    def _shadow(self, obj: SceneObject, fp) -> None:
        s = self.scene
        length = obj.height_m / s.gsd * self.shadow_factor
        dx, dy = math.cos(self.sun) * length, math.sin(self.sun) * length
        steps = max(1, int(math.ceil(length / 2.0)))
        h, w = fp.mask.shape
        pad = int(math.ceil(length)) + 1
        shade = np.zeros((h + 2 * pad, w + 2 * pad), dtype=bool)
        for k in range(1, steps + 1):
            ox, oy = int(round(dx * k / steps)), int(round(dy * k / steps))
            shade[pad + oy:pad + oy + h, pad + ox:pad + ox + w] |= fp.mask
        shade[pad:pad + h, pad:pad + w] &= ~fp.mask
        y0, x0 = fp.y0 - pad, fp.x0 - pad
        ya, xa = max(0, y0), max(0, x0)
        yb, xb = min(s.height, y0 + shade.shape[0]), min(s.width, x0 + shade.shape[1])
        sub = shade[ya - y0:yb - y0, xa - x0:xb - x0]
        self.image[ya:yb, xa:xb][sub] *= self.shadow_darkness

    # -- objects ----------------------------------------------------------------------------
    def _paint(self, obj: SceneObject, fp) -> None:
        rng, g = self.rng, self.scene.gsd
        h, w = fp.mask.shape
        if h == 0:
            return
        u, v = _frame(obj, fp)
        rgb = _rgb(obj) * rng.uniform(0.93, 1.07)
        colour = np.broadcast_to(rgb, (h, w, 3)).copy()
        shade = np.ones((h, w), dtype=np.float32)
        L, W = obj.length, obj.width
        line = np.zeros((h, w), dtype=bool)            # white markings
        cat = obj.category
        if cat == "vehicle":
            windows = ((u > 0.12 * L) & (u < 0.30 * L)) | ((u > -0.38 * L) & (u < -0.26 * L))
            colour[windows] = colour[windows] * 0.25 + 0.04
            shade *= 1.0 + 0.08 * (1 - np.abs(v) / (W / 2 + 1e-6))
        elif cat == "storage_tank":
            r = np.sqrt(u * u + v * v) / (L / 2)
            sun_side = (u * math.cos(self.sun - obj.angle) + v * math.sin(self.sun - obj.angle)) / (L / 2)
            shade *= 1.0 - 0.10 * r * r - 0.08 * sun_side
            shade[r > 0.88] *= 0.78
            if obj.style == 1:
                shade[(r > 0.62) & (r < 0.70)] *= 0.8       # floating-roof seal ring
            shade[r < 0.07] *= 0.8
        elif cat == "airplane":
            shade[np.abs(v) > 0.08 * L] *= 0.94
        elif cat == "ship":
            deck = (u > -0.42 * L) & (u < -0.05 * L) & (np.abs(v) < 0.3 * W)
            colour[deck] = colour[deck] * 0.75 + 0.12
            shade[np.abs(v) > 0.4 * W] *= 0.85
        elif cat == "building":
            if obj.style == 0:
                shade[v > 0] *= 0.78                           # gable roof: one slope in shade
            else:
                edge = (np.abs(u) > L / 2 - 0.6 / g) | (np.abs(v) > W / 2 - 0.6 / g)
                shade[edge] *= 0.8
        elif cat == "tennis_court":
            line = self._tennis_lines(u, v, g)
            outer = (np.abs(u) > 11.9 / g) | (np.abs(v) > 5.5 / g)
            shade[outer] *= 0.82
        elif cat == "basketball_court":
            line = self._basketball_lines(u, v, g)
        elif cat == "swimming_pool":
            rim = (np.abs(u) > L / 2 - max(0.5 / g, 0.9)) | (np.abs(v) > W / 2 - max(0.5 / g, 0.9))
            depth = 1.0 - 0.15 * (1 - np.abs(u) / (L / 2))
            shade *= depth
            colour[rim] = (0.85, 0.85, 0.82)
        elif cat == "tree":
            n = value_noise(rng, h, w, max(1.0, 1.0 / g), octaves=2)
            r = np.sqrt(u * u + v * v) / (L / 2)
            shade *= (0.75 + 0.5 * n) * (1.1 - 0.3 * r)
        elif cat == "road":
            dash = (np.abs(v) < max(0.08 / g, 0.5)) & (np.mod(u, 9.0 / g) < 3.0 / g)
            colour[dash] = (0.8, 0.8, 0.75)
            n = value_noise(rng, h, w, 2.0 / g, octaves=1)
            shade *= 0.95 + 0.1 * n
        out = colour * shade[..., None]
        out[line] = (0.92, 0.92, 0.9)
        win = self.image[fp.window()]
        win[fp.mask] = out[fp.mask]

    @staticmethod
    def _near(a, value, half):
        return np.abs(a - value) < half

    def _tennis_lines(self, u, v, g):
        half = max(0.05 / g, 0.5)
        au, av = np.abs(u), np.abs(v)
        inside_u, inside_v = au < 11.885 / g + half, av < 5.485 / g + half
        lines = (self._near(au, 11.885 / g, half) & inside_v) | (self._near(av, 5.485 / g, half) & inside_u)
        lines |= self._near(av, 4.115 / g, half) & inside_u
        lines |= self._near(au, 6.40 / g, half) & (av < 4.115 / g)
        lines |= self._near(v, 0.0, half) & (au < 6.40 / g)
        lines |= self._near(u, 0.0, half) & inside_v                  # net
        return lines

    def _basketball_lines(self, u, v, g):
        half = max(0.05 / g, 0.5)
        au, av = np.abs(u), np.abs(v)
        hl, hw = 14.0 / g, 7.5 / g
        inside_u, inside_v = au < hl + half, av < hw + half
        lines = (self._near(au, hl, half) & inside_v) | (self._near(av, hw, half) & inside_u)
        lines |= self._near(u, 0.0, half) & inside_v
        lines |= self._near(np.sqrt(u * u + v * v), 1.8 / g, half)
        hoop = hl - 1.575 / g
        arc = np.sqrt((au - hoop) ** 2 + v * v)
        lines |= self._near(arc, 6.75 / g, half) & (au < hoop) & inside_v
        key = (au > hl - 5.8 / g) & inside_u
        lines |= (self._near(av, 2.45 / g, half) & key) | (self._near(au, hl - 5.8 / g, half) & (av < 2.45 / g))
        return lines

    # -- sensor -----------------------------------------------------------------------------
    def _sensor(self) -> np.ndarray:
        rng, sen = self.rng, self.sensor
        img = self.image
        gain = rng.uniform(1 - sen.brightness, 1 + sen.brightness) * rng.uniform(0.96, 1.04, 3)
        mean = img.mean(axis=(0, 1), keepdims=True)
        img = (img - mean) * rng.uniform(0.9, 1.1) + mean
        img = img * gain.astype(np.float32)
        if rng.random() < sen.blur_probability:
            img = blur(img, 1)
        sigma = rng.uniform(0.25, 1.0) * sen.noise
        img = img + rng.standard_normal(img.shape, dtype=np.float32) * np.float32(sigma)
        return np.clip(np.rint(img * 255.0), 0, 255).astype(np.uint8)


def render(scene: Scene, rng: np.random.Generator, sensor: Sensor = Sensor()) -> np.ndarray:
    return Renderer(scene, rng, sensor).render()
