"""RefSegRS: `images/<id>.tif`, `masks/<id>.tif`, `output_phrase_<split>.txt` (`<id> <text>`);
`expressions_<split>.tsv` (`<id>\\t<type>\\t<text>`) is read instead when present."""
from . import LayoutError, Sample, check_expression, file_mask, split_names


def read_rows(folder, split):
    """[(id, type, expression)] in file order; type is 'unknown' without the .tsv file."""
    tsv = folder / f"expressions_{split}.tsv"
    phrases = folder / f"output_phrase_{split}.txt"
    rows = []
    if tsv.exists():
        for n, line in enumerate(tsv.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                raise LayoutError(f"{tsv}:{n}: expected '<id>\\t<type>\\t<expression>'")
            check_expression(parts[2], f"{tsv}:{n}", parts[0])
            rows.append(tuple(parts))
    elif phrases.exists():
        for n, line in enumerate(phrases.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            ident, _, text = line.partition(" ")
            if not text:
                raise LayoutError(f"{phrases}:{n}: expected '<id> <expression>'")
            check_expression(text, f"{phrases}:{n}", ident)
            rows.append((ident, "unknown", text))
    else:
        present = sorted(
            set(split_names(folder, "output_phrase_*.txt"))
            | set(split_names(folder, "expressions_*.tsv"))
        )
        raise LayoutError(
            f"{folder}: no split '{split}' (neither expressions_{split}.tsv nor "
            f"output_phrase_{split}.txt); splits present: "
            f"{', '.join(present) or 'none'}"
        )
    return rows


def read_samples(folder, split):
    return [
        Sample(
            ident,
            kind,
            text,
            folder / "images" / f"{ident}.tif",
            file_mask(folder / "masks" / f"{ident}.tif"),
        )
        for ident, kind, text in read_rows(folder, split)
    ]
