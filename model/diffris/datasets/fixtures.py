"""Writes a RefSegRS-layout split again in the RRSIS-D or RISBench layout, for tests.

    cd model && /usr/bin/python3 -m diffris.datasets.fixtures --source DIR --split test \\
        --layout rrsisd --out OUT

RRSIS-D: JPEG images, `rrsisd/refs(unc).p` written with pickle protocol 2 and
`rrsisd/instances.json`; the masks are stored in turn as a compressed RLE string, an
uncompressed RLE counts list, and polygons (the mask's bounding box split into two rectangles,
so that one annotation holds two polygons). Every third ref gets a second sentence, and refs are
spread over the splits `train`, `val` and `test` (the asked split keeps every sample). Because a
polygon is a box, not the mask, the written ground truth is whatever the decoders make of it:
the point is that Python and Java read the same files alike.
RISBench: PNG images and 0/255 PNG masks under `img_rgb/` and `mask/`, `output_phrase_<split>.txt`.
"""
import argparse
import json
import pickle
import sys
from pathlib import Path

import numpy as np

from . import read_image
from .coco_mask import counts_to_string, mask_to_counts
from .refsegrs import read_rows


def _rgb(path):
    array = read_image(path)
    return np.ascontiguousarray(np.transpose(array[:3], (1, 2, 0))).astype(np.uint8)


def _mask(path):
    array = read_image(path)
    return (array[0] if array.ndim == 3 else array) != 0


def write_rrsisd(source, split, out):
    from PIL import Image

    rows = read_rows(source, split)
    jpegs = out / "images" / "rrsisd" / "JPEGImages"
    jpegs.mkdir(parents=True, exist_ok=True)
    (out / "rrsisd").mkdir(parents=True, exist_ok=True)
    images, annotations, refs = [], [], []
    categories = {}
    for n, (ident, kind, text) in enumerate(rows):
        rgb = _rgb(source / "images" / f"{ident}.tif")
        mask = _mask(source / "masks" / f"{ident}.tif")
        h, w = mask.shape
        name = f"{n:05d}.jpg"
        Image.fromarray(rgb).save(jpegs / name, quality=95)
        images.append({"id": n + 1, "file_name": name, "width": w, "height": h})
        category = categories.setdefault(kind, len(categories) + 1)
        if n % 3 == 0:
            segmentation = {"size": [h, w], "counts": counts_to_string(mask_to_counts(mask))}
        elif n % 3 == 1:
            segmentation = {"size": [h, w], "counts": mask_to_counts(mask)}
        else:
            ys, xs = np.nonzero(mask)
            if len(xs):
                x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
            else:
                x0, x1, y0, y1 = 1, 4, 1, 4
            xm = (x0 + x1) / 2
            segmentation = [
                [float(v) for v in (x0, y0, xm, y0, xm, y1, x0, y1)],
                [float(v) for v in (xm, y0, x1, y0, x1, y1 - 0.4, xm, y1)],
            ]
        annotations.append(
            {
                "id": 100 + n,
                "image_id": n + 1,
                "category_id": category,
                "segmentation": segmentation,
                "iscrowd": 0,
                "area": int(mask.sum()),
                "bbox": [0, 0, w, h],
            }
        )
        sentences = [
            {
                "raw": text,
                "sent": text.lower(),
                "tokens": text.lower().split(),
                "sent_id": 1000 + 2 * n,
            }
        ]
        if n % 3 == 0:
            sentences.append(
                {
                    "raw": "the " + text,
                    "sent": "the " + text.lower(),
                    "tokens": ["the"] + text.lower().split(),
                    "sent_id": 1001 + 2 * n,
                }
            )
        refs.append(
            {
                "ref_id": 500 + n,
                "ann_id": 100 + n,
                "image_id": n + 1,
                "split": split,
                "category_id": category,
                "file_name": name,
                "sent_ids": [s["sent_id"] for s in sentences],
                "sentences": sentences,
            }
        )
    # Refs of other splits, which reading `split` must skip.
    for k, other in enumerate(("train", "val")):
        if other != split and rows:
            extra = dict(refs[0], ref_id=900 + k, split=other)
            refs.append(extra)
    with open(out / "rrsisd" / "refs(unc).p", "wb") as f:
        pickle.dump(refs, f, protocol=2)
    instances = {
        "images": images,
        "annotations": annotations,
        "categories": [{"id": i, "name": k} for k, i in categories.items()],
    }
    (out / "rrsisd" / "instances.json").write_text(json.dumps(instances), encoding="utf-8")


def write_risbench(source, split, out):
    from PIL import Image

    rows = read_rows(source, split)
    (out / "img_rgb").mkdir(parents=True, exist_ok=True)
    (out / "mask").mkdir(parents=True, exist_ok=True)
    lines = []
    for ident, _, text in rows:
        Image.fromarray(_rgb(source / "images" / f"{ident}.tif")).save(
            out / "img_rgb" / f"{ident}.png"
        )
        mask = _mask(source / "masks" / f"{ident}.tif")
        Image.fromarray(mask.astype(np.uint8) * 255).save(out / "mask" / f"{ident}.png")
        lines.append(f"{ident}.png {text}\n")
    (out / f"output_phrase_{split}.txt").write_text("".join(lines), encoding="utf-8")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--source", required=True, help="folder in the RefSegRS layout")
    p.add_argument("--split", required=True)
    p.add_argument("--layout", required=True, choices=["rrsisd", "risbench"])
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    writer = write_rrsisd if a.layout == "rrsisd" else write_risbench
    writer(Path(a.source), a.split, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
