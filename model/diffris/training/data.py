"""Reads a split of a referring-segmentation dataset into memory at the model's training resolution.

The layouts (RefSegRS, RRSIS-D, RISBench) are read by `diffris.datasets`; `layout=None` detects
the folder's layout. Images are area-averaged to `size` x `size`; masks become the covered
fraction per model pixel (a soft target), and the native-resolution masks are kept for evaluation
when asked.
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
    images: torch.Tensor  # uint8 [N,3,size,size]
    masks: torch.Tensor  # uint8 [N,1,size,size], covered fraction * 255
    native_masks: list = field(default_factory=list)  # bool arrays at file resolution, or empty
    native_size: int = 0  # width in pixels of the first sample's mask as stored

    def __len__(self):
        return len(self.ids)


def read_expressions(folder, split):
    """[(id, type, expression)] of a RefSegRS-layout split, in file order."""
    from ..datasets.refsegrs import read_rows

    return read_rows(Path(folder), split)


def read_raster(path):
    """A raster file (TIFF, JPEG, PNG) as an array [bands, h, w] or [h, w]."""
    from ..datasets import read_image

    return read_image(path)


def to_model_size(array, size):
    """[C,H,W] or [H,W] uint8/float -> float tensor [C,size,size] by area averaging."""
    t = torch.as_tensor(np.asarray(array, dtype=np.float32))
    if t.dim() == 2:
        t = t[None]
    if t.shape[-2:] != (size, size):
        t = F.interpolate(t[None], size=(size, size), mode="area")[0]
    return t


def load_split(folder, split, size=64, limit=None, keep_native=False, layout=None):
    from ..datasets import read_samples

    samples = read_samples(folder, split, layout)
    if limit:
        samples = samples[:limit]
    images = torch.empty((len(samples), 3, size, size), dtype=torch.uint8)
    masks = torch.empty((len(samples), 1, size, size), dtype=torch.uint8)
    native = []
    native_size = 0
    for i, sample in enumerate(samples):
        image = read_raster(sample.image)
        if image.ndim != 3 or image.shape[0] < 3:
            raise ValueError(
                f"{sample.id}: image must have 3 bands (RGB), has shape "
                f"{image.shape}: {sample.image}"
            )
        binary = sample.mask()
        if i == 0:
            native_size = binary.shape[-1]
        images[i] = to_model_size(image[:3], size).round().clamp(0, 255).to(torch.uint8)
        masks[i] = (to_model_size(binary, size) * 255).round().to(torch.uint8)
        if keep_native:
            native.append(binary)
    return Split(
        [s.id for s in samples],
        [s.text for s in samples],
        [s.type for s in samples],
        images,
        masks,
        native,
        native_size,
    )


def concat_splits(splits):
    """One Split from several (e.g. the same split name in several corpus folders). With more
    than one, ids get the folder's position as a prefix ("1/train_000000_0"), since two
    folders written by generate.py use the same ids."""
    if len(splits) == 1:
        return splits[0]
    ids = [f"{k}/{ident}" for k, split in enumerate(splits) for ident in split.ids]
    return Split(
        ids,
        [t for split in splits for t in split.texts],
        [t for split in splits for t in split.types],
        torch.cat([split.images for split in splits]),
        torch.cat([split.masks for split in splits]),
        [m for split in splits for m in split.native_masks],
        splits[0].native_size,
    )


def channel_stats(images_uint8, chunk=4096):
    """Per-channel mean and standard deviation of uint8 [N,3,H,W] images scaled to [0, 1].

    Summed in chunks in float64: two float32 copies of the whole set (12 GB each for 248,000
    tiles at 64 px) ran a 24 GiB machine out of memory."""
    n = images_uint8.shape[0] * images_uint8.shape[2] * images_uint8.shape[3]
    total = torch.zeros(images_uint8.shape[1], dtype=torch.float64)
    squares = torch.zeros_like(total)
    for start in range(0, images_uint8.shape[0], chunk):
        x = images_uint8[start : start + chunk].to(torch.float64) / 255.0
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
