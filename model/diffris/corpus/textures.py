"""Noise textures and image filters, vectorized numpy (no per-pixel Python loops)."""
from __future__ import annotations

import numpy as np


def value_noise(rng: np.random.Generator, height: int, width: int, cell: float,
                octaves: int = 3, persistence: float = 0.5) -> np.ndarray:
    """Smooth random field in [0, 1]: random values on a grid of `cell` px, smoothly interpolated,
    summed over octaves of halving cell size."""
    out = np.zeros((height, width), dtype=np.float32)
    amp, total = 1.0, 0.0
    for o in range(octaves):
        c = max(1.0, cell / (2 ** o))
        gh, gw = int(height / c) + 2, int(width / c) + 2
        grid = rng.random((gh, gw), dtype=np.float32)
        fy, iy = np.modf(np.arange(height, dtype=np.float32) / c)
        fx, ix = np.modf(np.arange(width, dtype=np.float32) / c)
        iy, ix = iy.astype(np.int64), ix.astype(np.int64)
        fy = (fy * fy * (3 - 2 * fy))[:, None]                         # smoothstep
        fx = (fx * fx * (3 - 2 * fx))[None, :]
        top = grid[iy][:, ix] * (1 - fx) + grid[iy][:, ix + 1] * fx
        bottom = grid[iy + 1][:, ix] * (1 - fx) + grid[iy + 1][:, ix + 1] * fx
        out += amp * (top * (1 - fy) + bottom * fy)
        total += amp
        amp *= persistence
    return out / total


def blur(image: np.ndarray, passes: int = 1) -> np.ndarray:
    """Separable [1, 2, 1] / 4 binomial blur along the first two axes, edges replicated."""
    out = image.astype(np.float32, copy=True)
    for _ in range(passes):
        p = np.concatenate([out[:1], out, out[-1:]], axis=0)
        out = 0.25 * p[:-2] + 0.5 * p[1:-1] + 0.25 * p[2:]
        p = np.concatenate([out[:, :1], out, out[:, -1:]], axis=1)
        out = 0.25 * p[:, :-2] + 0.5 * p[:, 1:-1] + 0.25 * p[:, 2:]
    return out
