"""RISBench (Dong et al., CroBIM): `img_rgb/<name>`, `mask/<name>` and
`output_phrase_<split>.txt` with lines `<name> <expression>`.

The official repository (HIT-SIRS/CroBIM) publishes only a README and a download link; this
layout is the one public RISBench loaders read (file name with its extension first on the line,
the same file name in `img_rgb/` and `mask/`). A name without an extension is also accepted:
`.png`, `.jpg`, `.tif` are tried in that order.
"""
from . import LayoutError, Sample, file_mask, read_phrases, split_names

SUFFIXES = (".png", ".jpg", ".tif")


def resolve(folder, name):
    """The file `folder/name`, or `folder/name<suffix>` for the first suffix that exists."""
    direct = folder / name
    if direct.is_file():
        return direct
    for suffix in SUFFIXES:
        candidate = folder / (name + suffix)
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"file not found: {direct} (also tried {', '.join(SUFFIXES)})")


def read_samples(folder, split):
    phrases = folder / f"output_phrase_{split}.txt"
    if not phrases.is_file():
        present = split_names(folder, "output_phrase_*.txt")
        raise LayoutError(
            f"{folder}: no split '{split}' (no output_phrase_{split}.txt); splits "
            f"present: {', '.join(present) or 'none'}"
        )
    samples = []
    for name, text in read_phrases(phrases):
        image = resolve(folder / "img_rgb", name)
        mask = resolve(folder / "mask", name)
        ident = name.rsplit(".", 1)[0] if "." in name else name
        samples.append(Sample(ident, "unknown", text, image, file_mask(mask)))
    return samples
