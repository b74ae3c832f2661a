"""COCO instance segmentations as binary masks, without pycocotools.

Three encodings appear in an annotation's `segmentation` field:
- polygons: a list of flat `[x0, y0, x1, y1, ...]` lists in pixel coordinates;
- uncompressed RLE: `{"counts": [int, ...], "size": [h, w]}`;
- compressed RLE: `{"counts": "<string>", "size": [h, w]}`.

Run lengths are over the pixels in column-major order (down the first column, then the next),
starting with a run of zeros (possibly of length 0), as in COCO's `maskApi.c`. Polygons are
rasterised with the rule of `maskApi.c`'s `rleFrPoly` (boundary traced at 5x resolution, a pixel
is in when its centre is inside), so the masks are the ones pycocotools gives; a list of several
polygons is their union. Masks come back as bool arrays [h, w] in row-major order.
"""
import math

import numpy as np


def counts_to_mask(counts, height, width):
    """Uncompressed RLE counts -> bool [height, width]."""
    total = height * width
    flat = np.zeros(total, dtype=bool)
    position = 0
    for k, run in enumerate(counts):
        run = int(run)
        if run < 0:
            raise ValueError(f"RLE run {k} is negative ({run})")
        if position + run > total:
            raise ValueError(f"RLE runs cover more than {height}x{width} = {total} pixels")
        if k % 2 == 1:
            flat[position : position + run] = True
        position += run
    if position != total:
        raise ValueError(
            f"RLE runs cover {position} pixels, the mask has {height}x{width} = " f"{total}"
        )
    return flat.reshape(width, height).T


def mask_to_counts(mask):
    """bool [h, w] -> uncompressed RLE counts (column-major, starting with zeros)."""
    flat = np.asarray(mask, dtype=bool).T.reshape(-1)
    counts = []
    value, run = False, 0
    for bit in flat:
        if bit == value:
            run += 1
        else:
            counts.append(run)
            value, run = bit, 1
    counts.append(run)
    return counts


def string_to_counts(text):
    """COCO's compressed counts string (LEB128-like, 5 bits a character offset by 48, each
    count after the third stored as the difference to the count two before it) -> counts."""
    counts = []
    p = 0
    while p < len(text):
        x, k, more = 0, 0, True
        while more:
            if p >= len(text):
                raise ValueError(f"compressed RLE ends inside a number: {text!r}")
            c = ord(text[p]) - 48
            if c < 0 or c > 63:
                raise ValueError(f"compressed RLE has a character outside '0'..'o': {text[p]!r}")
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def counts_to_string(counts):
    """Inverse of string_to_counts (maskApi.c's rleToString)."""
    out = []
    for i, count in enumerate(counts):
        x = int(count) - (int(counts[i - 2]) if i > 2 else 0)
        more = True
        while more:
            c = x & 0x1F
            x >>= 5
            more = (x != -1) if (c & 0x10) else (x != 0)
            if more:
                c |= 0x20
            out.append(chr(c + 48))
    return "".join(out)


def polygon_to_counts(xy, height, width):
    """One polygon (flat [x0, y0, x1, y1, ...]) -> uncompressed RLE counts, as rleFrPoly."""
    if len(xy) < 6 or len(xy) % 2:
        raise ValueError(f"a polygon needs at least 3 x,y pairs, got {len(xy)} numbers")
    scale = 5.0
    k = len(xy) // 2
    x = [int(scale * float(xy[2 * j]) + 0.5) for j in range(k)] + [0]
    y = [int(scale * float(xy[2 * j + 1]) + 0.5) for j in range(k)] + [0]
    x[k], y[k] = x[0], y[0]
    u, v = [], []
    for j in range(k):
        xs, xe, ys, ye = x[j], x[j + 1], y[j], y[j + 1]
        dx, dy = abs(xe - xs), abs(ys - ye)
        flip = (dx >= dy and xs > xe) or (dx < dy and ys > ye)
        if flip:
            xs, xe, ys, ye = xe, xs, ye, ys
        if dx >= dy:
            s = (ye - ys) / dx if dx else 0.0
            for d in range(dx + 1):
                t = dx - d if flip else d
                u.append(t + xs)
                v.append(int(ys + s * t + 0.5))
        else:
            s = (xe - xs) / dy
            for d in range(dy + 1):
                t = dy - d if flip else d
                v.append(t + ys)
                u.append(int(xs + s * t + 0.5))
    # Points where the boundary crosses a column centre, moved back to pixel coordinates.
    starts = []
    for j in range(1, len(u)):
        if u[j] == u[j - 1]:
            continue
        xd = float(u[j] if u[j] < u[j - 1] else u[j] - 1)
        xd = (xd + 0.5) / scale - 0.5
        if math.floor(xd) != xd or xd < 0 or xd > width - 1:
            continue
        yd = float(v[j] if v[j] < v[j - 1] else v[j - 1])
        yd = (yd + 0.5) / scale - 0.5
        yd = min(max(yd, 0.0), float(height))
        yd = math.ceil(yd)
        starts.append(int(xd) * height + int(yd))
    starts.append(height * width)
    starts.sort()
    deltas, previous = [], 0
    for a in starts:
        deltas.append(a - previous)
        previous = a
    counts = [deltas[0]]
    j = 1
    while j < len(deltas):
        if deltas[j] > 0:
            counts.append(deltas[j])
            j += 1
        else:
            j += 1
            if j < len(deltas):
                counts[-1] += deltas[j]
                j += 1
    return counts


def segmentation_mask(segmentation, height, width):
    """An annotation's `segmentation` (any of the three encodings) -> bool [height, width]."""
    if isinstance(segmentation, dict):
        if "counts" not in segmentation or "size" not in segmentation:
            raise ValueError("an RLE segmentation needs 'counts' and 'size'")
        h, w = (int(s) for s in segmentation["size"])
        if (h, w) != (height, width):
            raise ValueError(f"RLE size {h}x{w} differs from the image's {height}x{width}")
        counts = segmentation["counts"]
        if isinstance(counts, bytes):
            counts = counts.decode("ascii")
        if isinstance(counts, str):
            counts = string_to_counts(counts)
        return counts_to_mask(counts, height, width)
    if isinstance(segmentation, list):
        if not segmentation:
            raise ValueError("empty polygon list")
        mask = np.zeros((height, width), dtype=bool)
        for polygon in segmentation:
            if not isinstance(polygon, (list, tuple)):
                raise ValueError("a polygon segmentation must be a list of coordinate lists")
            mask |= counts_to_mask(polygon_to_counts(polygon, height, width), height, width)
        return mask
    raise ValueError(f"unknown segmentation type {type(segmentation).__name__}")
