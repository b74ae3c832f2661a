"""Reads a split in the RefSegRS layout into memory at the model's training resolution.

Layout: `DIR/images/<id>.tif` (RGB uint8), `DIR/masks/<id>.tif` (0 / non-zero),
`DIR/output_phrase_<split>.txt` (`<id> <expression>`), and optionally
`DIR/expressions_<split>.tsv` (`<id>\\t<type>\\t<expression>`) for the per-type breakdown.
Images are area-averaged to `size` x `size`; masks become the covered fraction per model pixel
(a soft target), and the native-resolution masks are kept for evaluation when asked.
"""
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F


@dataclass
class Split:
    ids: list
    texts: list
    types: list
    images: torch.Tensor              # uint8 [N,3,size,size]
    masks: torch.Tensor               # uint8 [N,1,size,size], covered fraction * 255
    native_masks: list = field(default_factory=list)  # bool arrays at file resolution, or empty

    def __len__(self):
        return len(self.ids)


def read_expressions(folder, split):
    """[(id, type, expression)] in file order; type is 'unknown' without the .tsv file."""
    folder = Path(folder)
    tsv = folder / f"expressions_{split}.tsv"
    phrases = folder / f"output_phrase_{split}.txt"
    rows = []
    if tsv.exists():
        for n, line in enumerate(tsv.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                raise ValueError(f"{tsv}:{n}: expected '<id>\\t<type>\\t<expression>'")
            rows.append(tuple(parts))
    elif phrases.exists():
        for n, line in enumerate(phrases.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            ident, _, text = line.partition(" ")
            if not text:
                raise ValueError(f"{phrases}:{n}: expected '<id> <expression>'")
            rows.append((ident, "unknown", text))
    else:
        raise FileNotFoundError(f"{folder}: neither expressions_{split}.tsv nor "
                                f"output_phrase_{split}.txt exists (RefSegRS layout expected)")
    return rows


def read_raster(path):
    from osgeo import gdal
    ds = gdal.Open(str(path))
    if ds is None:
        raise FileNotFoundError(f"{path}: cannot be opened as a raster")
    return ds.ReadAsArray()


def to_model_size(array, size):
    """[C,H,W] or [H,W] uint8/float -> float tensor [C,size,size] by area averaging."""
    t = torch.as_tensor(np.asarray(array, dtype=np.float32))
    if t.dim() == 2:
        t = t[None]
    if t.shape[-2:] != (size, size):
        t = F.interpolate(t[None], size=(size, size), mode="area")[0]
    return t


def load_split(folder, split, size=64, limit=None, keep_native=False):
    rows = read_expressions(folder, split)
    if limit:
        rows = rows[:limit]
    folder = Path(folder)
    images = torch.empty((len(rows), 3, size, size), dtype=torch.uint8)
    masks = torch.empty((len(rows), 1, size, size), dtype=torch.uint8)
    native = []
    for i, (ident, _, _) in enumerate(rows):
        image = read_raster(folder / "images" / f"{ident}.tif")
        if image.ndim != 3 or image.shape[0] < 3:
            raise ValueError(f"{ident}: image must have 3 bands (RGB), has shape {image.shape}")
        mask = read_raster(folder / "masks" / f"{ident}.tif")
        if mask.ndim == 3:
            mask = mask[0]
        binary = mask != 0
        images[i] = to_model_size(image[:3], size).round().clamp(0, 255).to(torch.uint8)
        masks[i] = (to_model_size(binary, size) * 255).round().to(torch.uint8)
        if keep_native:
            native.append(binary)
    return Split([r[0] for r in rows], [r[2] for r in rows], [r[1] for r in rows],
                 images, masks, native)


def concat_splits(splits):
    """One Split from several (e.g. the same split name in several corpus folders). With more
    than one, ids get the folder's position as a prefix ("1/train_000000_0"), since two
    folders written by generate.py use the same ids."""
    if len(splits) == 1:
        return splits[0]
    ids = [f"{k}/{ident}" for k, split in enumerate(splits) for ident in split.ids]
    return Split(ids, [t for split in splits for t in split.texts],
                 [t for split in splits for t in split.types],
                 torch.cat([split.images for split in splits]),
                 torch.cat([split.masks for split in splits]),
                 [m for split in splits for m in split.native_masks])


def channel_stats(images_uint8, chunk=4096):
    """Per-channel mean and standard deviation of uint8 [N,3,H,W] images scaled to [0, 1].

    Summed in chunks in float64: two float32 copies of the whole set (12 GB each for 248,000
    tiles at 64 px) ran a 24 GiB machine out of memory."""
    n = images_uint8.shape[0] * images_uint8.shape[2] * images_uint8.shape[3]
    total = torch.zeros(images_uint8.shape[1], dtype=torch.float64)
    squares = torch.zeros_like(total)
    for start in range(0, images_uint8.shape[0], chunk):
        x = images_uint8[start:start + chunk].to(torch.float64) / 255.0
        total += x.sum(dim=(0, 2, 3))
        squares += (x * x).sum(dim=(0, 2, 3))
    mean = total / n
    std = ((squares - n * mean * mean) / (n - 1)).sqrt()
    return mean.tolist(), std.tolist()


def normalise(images_uint8, mean, std):
    """uint8 [N,3,H,W] -> float (x/255 - mean) / std, the model's input."""
    mean = torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1)
    std = torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1)
    return (images_uint8.float() / 255.0 - mean) / std
