"""Resampling a raster to the model's ground sampling distance, by the product's rule
(docs/segment.md, "North-up at the model's GSD"): each axis apart, by the factor
f = raster pixel size / model pixel size (model pixels per raster pixel):

- f >= 0.5 (a model pixel covers two raster pixels or fewer, enlarging included): bilinear
  interpolation at the model pixel's centre (at f = 0.5, the mean of each 2 x 2);
- f < 0.5: the area average of every raster pixel the model pixel covers.

The model grid starts at the raster's top-left corner and holds only whole model pixels inside
the raster. Both rules are linear, so each axis is one sparse weight matrix and a band is
W_rows @ band @ W_cols.T.

Masks (labels) follow the same split: from f >= 0.5 a model pixel takes the label of the raster
pixel under its centre (nearest: thresholding a bilinear indicator would round off every corner),
below it the share of the model pixel a label covers (the area average of its 0/1 indicator).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import sparse

BILINEAR_FROM = 0.5


def out_length(n_in: int, factor: float) -> int:
    """Whole model pixels inside n_in raster pixels (a tolerance for factors like 0.6 / 0.5)."""
    return int(math.floor(n_in * factor + 1e-9))


def weights(n_in: int, factor: float, labels: bool = False) -> sparse.csr_matrix:
    """[out_length, n_in] weights of one axis; each row sums to 1. `labels`: nearest instead of
    bilinear from a factor of 0.5 up."""
    if not factor > 0:
        raise ValueError(f"resampling factor {factor} must be positive")
    n_out = out_length(n_in, factor)
    rows, cols, vals = [], [], []
    j = np.arange(n_out)
    if factor >= BILINEAR_FROM and labels:
        rows.append(j)
        cols.append(np.clip(np.floor((j + 0.5) / factor).astype(np.int64), 0, n_in - 1))
        vals.append(np.ones(n_out))
    elif factor >= BILINEAR_FROM:
        u = (j + 0.5) / factor - 0.5            # the model pixel's centre in raster pixel units
        i0 = np.floor(u).astype(np.int64)
        t = u - i0
        for idx, w in ((i0, 1.0 - t), (i0 + 1, t)):
            rows.append(j)
            cols.append(np.clip(idx, 0, n_in - 1))   # the edge pixel stands for what lies beyond
            vals.append(w)
    else:
        span = 1.0 / factor                       # raster pixels per model pixel
        for jj in j:
            a, b = jj * span, (jj + 1) * span
            first, last = int(math.floor(a)), min(int(math.ceil(b)), n_in)
            for i in range(first, last):
                overlap = min(b, i + 1) - max(a, i)
                if overlap > 0:
                    rows.append([jj])
                    cols.append([i])
                    vals.append([overlap / span])
    m = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(n_out, n_in), dtype=np.float64)
    m.sum_duplicates()
    return m


class Resampler:
    """Resamples [H, W] bands of one raster to the model grid."""

    def __init__(self, height: int, width: int, factor_x: float, factor_y: float):
        self.rows = weights(height, factor_y)
        self.cols_t = weights(width, factor_x).T.tocsr()
        self.label_rows = weights(height, factor_y, labels=True)
        self.label_cols_t = weights(width, factor_x, labels=True).T.tocsr()
        self.shape = (self.rows.shape[0], self.cols_t.shape[1])

    def band(self, band: np.ndarray, labels: bool = False) -> np.ndarray:
        """[H, W] any numbers -> [h, w] float64."""
        b = np.asarray(band, dtype=np.float64)
        rows, cols_t = (self.label_rows, self.label_cols_t) if labels else (self.rows, self.cols_t)
        return np.asarray(rows @ np.asarray(b @ cols_t))

    def image(self, bands: np.ndarray) -> np.ndarray:
        """[B, H, W] uint8 -> [B, h, w] uint8 (rounded)."""
        return np.stack([np.clip(np.rint(self.band(b)), 0, 255).astype(np.uint8) for b in bands])

    def covers(self, indicator: np.ndarray) -> np.ndarray:
        """[H, W] bool -> [h, w] bool: the model pixels the indicator holds (nearest from a
        factor of 0.5 up, half of the pixel or more below it)."""
        return self.band(np.asarray(indicator, dtype=np.float64), labels=True) >= 0.5 - 1e-9
