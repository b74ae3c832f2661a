"""RRSIS-D (Liu et al., "Rotated Multi-Scale Interaction Network for Referring Remote Sensing
Image Segmentation", CVPR 2024), in the RefCOCO-style layout of its repository (Lsan2401/RMSIN,
`refer/refer.py` with dataset 'rrsisd', splitBy 'unc'):

    DATA/rrsisd/refs(unc).p           pickle: list of refs {ref_id, ann_id, image_id, split,
                                      category_id, sentences: [{raw, sent, tokens, sent_id}]}
    DATA/rrsisd/instances.json        COCO: images [{id, file_name, width, height}],
                                      annotations [{id, image_id, segmentation, ...}], categories
    DATA/images/rrsisd/JPEGImages/    the images, by file_name

`--data` may name DATA or DATA/rrsisd. One sample per sentence, in file order (refs, then their
sentences); the expression is the sentence's `raw` text (what RMSIN feeds its tokenizer); the
type is the category name; the mask is the referred annotation's segmentation rasterised at the
image's size (the union of its polygons). Split names are those of refer.py: `train` and `val`
match exactly, `test` matches every split whose name contains 'test', and any other name present
in the refs matches exactly.
"""
import json
import pickle
from pathlib import Path

from . import LayoutError, Sample, check_expression
from .coco_mask import segmentation_mask

REFS = "refs(unc).p"


def annotation_folder(folder):
    """The folder holding refs(unc).p and instances.json: `folder/rrsisd` or `folder`."""
    folder = Path(folder)
    for candidate in (folder / "rrsisd", folder):
        if (candidate / REFS).is_file() and (candidate / "instances.json").is_file():
            return candidate
    return None


def image_folder(annotations):
    return annotations.parent / "images" / "rrsisd" / "JPEGImages"


class _PlainUnpickler(pickle.Unpickler):
    """Reads plain data only: a refs file that names a class or function is refused, since
    unpickling it would run code."""

    def find_class(self, module, name):
        raise LayoutError(
            f"{self.source}: refers to {module}.{name}; a refs file holds only "
            f"lists, dicts, strings and numbers"
        )


def read_refs(path):
    with open(path, "rb") as f:
        unpickler = _PlainUnpickler(f, encoding="utf-8")
        unpickler.source = path
        try:
            refs = unpickler.load()
        except (pickle.UnpicklingError, EOFError, ValueError) as e:
            if isinstance(e, LayoutError):
                raise
            raise LayoutError(f"{path}: not a readable pickle ({e})") from e
    if not isinstance(refs, list):
        raise LayoutError(f"{path}: expected a list of refs, found {type(refs).__name__}")
    return refs


def split_matches(asked, split):
    if asked == "test":
        return "test" in split
    return asked == split


def read_samples(folder, split):
    annotations = annotation_folder(folder)
    refs_path = annotations / REFS
    refs = read_refs(refs_path)
    instances_path = annotations / "instances.json"
    instances = json.loads(instances_path.read_text(encoding="utf-8"))
    for key in ("images", "annotations"):
        if key not in instances:
            raise LayoutError(f"{instances_path}: no '{key}' list")
    images = {im["id"]: im for im in instances["images"]}
    anns = {ann["id"]: ann for ann in instances["annotations"]}
    categories = {c["id"]: c["name"] for c in instances.get("categories", [])}
    present = sorted({str(ref.get("split")) for ref in refs})
    chosen = [ref for ref in refs if split_matches(split, str(ref.get("split")))]
    if not chosen:
        raise LayoutError(
            f"{refs_path}: no refs in split '{split}'; splits present: "
            f"{', '.join(present) or 'none'}"
        )
    jpegs = image_folder(annotations)
    samples = []
    for ref in chosen:
        ref_id = ref.get("ref_id")
        if ref.get("ann_id") not in anns:
            raise LayoutError(
                f"{refs_path}: ref {ref_id} names annotation {ref.get('ann_id')}, "
                f"which {instances_path} does not have"
            )
        if ref.get("image_id") not in images:
            raise LayoutError(
                f"{refs_path}: ref {ref_id} names image {ref.get('image_id')}, "
                f"which {instances_path} does not have"
            )
        ann = anns[ref["ann_id"]]
        image = images[ref["image_id"]]
        kind = categories.get(ref.get("category_id", ann.get("category_id")), "unknown")
        for sentence in ref.get("sentences", []):
            text = sentence.get("raw", sentence.get("sent"))
            if not isinstance(text, str):
                raise LayoutError(f"{refs_path}: ref {ref_id} has a sentence without text")
            check_expression(text, f"{refs_path}: ref {ref_id}",
                             f"{ref_id}_{sentence.get('sent_id')}")
            samples.append(
                Sample(
                    f"{ref_id}_{sentence.get('sent_id')}",
                    kind,
                    text.strip(),
                    jpegs / image["file_name"],
                    _mask(ann, image, instances_path),
                )
            )
    return samples


def _mask(ann, image, source):
    def read():
        try:
            return segmentation_mask(ann["segmentation"], int(image["height"]), int(image["width"]))
        except (KeyError, ValueError) as e:
            raise LayoutError(f"{source}: annotation {ann.get('id')}: {e}") from e

    return read
