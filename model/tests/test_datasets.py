import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from diffris.datasets import LayoutError, check_layout, detect_layout, read_samples
from diffris.datasets.coco_mask import (
    counts_to_mask,
    counts_to_string,
    mask_to_counts,
    polygon_to_counts,
    segmentation_mask,
    string_to_counts,
)
from diffris.training.data import load_split

MODEL = Path(__file__).resolve().parents[1]


def test_uncompressed_rle_is_column_major_starting_with_zeros():
    # h=3, w=2; pixels in order (0,0) (1,0) (2,0) (0,1) (1,1) (2,1): off on on off on on
    mask = counts_to_mask([1, 2, 1, 2], 3, 2)
    assert mask.tolist() == [[False, False], [True, True], [True, True]]
    assert mask_to_counts(mask) == [1, 2, 1, 2]


def test_rle_must_cover_the_mask_exactly():
    with pytest.raises(ValueError, match="cover 5 pixels"):
        counts_to_mask([1, 2, 2], 3, 2)
    with pytest.raises(ValueError, match="more than"):
        counts_to_mask([1, 9], 3, 2)


def test_compressed_counts_by_hand():
    # 1, 2, 1 are single characters '1' '2' '1'; the 4th count is stored as 2 - counts[1] = 0.
    assert counts_to_string([1, 2, 1, 2]) == "1210"
    assert string_to_counts("1210") == [1, 2, 1, 2]
    # 2 - 5 = -3: low five bits 29 (sign bit 0x10 set, no continuation) -> chr(48 + 29) = 'M'
    assert counts_to_string([0, 5, 10, 2]) == "05:M"
    assert string_to_counts("05:M") == [0, 5, 10, 2]
    # 100 = 3 * 32 + 4: '4' with the continuation bit (4 + 32 + 48 = 'T'), then '3'
    assert counts_to_string([100]) == "T3"
    assert string_to_counts("T3") == [100]


def test_compressed_round_trip_on_random_masks():
    rng = np.random.default_rng(3)
    for _ in range(20):
        h, w = rng.integers(1, 40, size=2)
        mask = rng.random((h, w)) < rng.random()
        counts = mask_to_counts(mask)
        assert string_to_counts(counts_to_string(counts)) == counts
        assert (
            segmentation_mask({"size": [int(h), int(w)], "counts": counts_to_string(counts)}, h, w)
            == mask
        ).all()


def test_polygon_square_covers_the_pixels_whose_centres_are_inside():
    mask = counts_to_mask(polygon_to_counts([1, 1, 5, 1, 5, 4, 1, 4], 6, 7), 6, 7)
    assert mask.sum() == 4 * 3
    assert mask[1:4, 1:5].all()


def test_several_polygons_are_a_union_and_clipped_to_the_image():
    seg = [[0, 0, 3, 0, 3, 3, 0, 3], [2, 2, 10, 2, 10, 10, 2, 10]]
    mask = segmentation_mask(seg, 5, 5)
    assert mask.sum() == 9 + 9 - 1
    assert mask[4, 4] and not mask[0, 4]


def test_rle_size_must_match_the_image():
    with pytest.raises(ValueError, match="differs"):
        segmentation_mask({"size": [3, 2], "counts": [6]}, 2, 3)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("layouts")
    subprocess.run(
        [
            sys.executable,
            str(MODEL / "generate.py"),
            "--seed",
            "3",
            "--count",
            "6",
            "--split",
            "test",
            "--out",
            str(root / "refsegrs"),
            "--quiet",
        ],
        check=True,
    )
    for layout in ("rrsisd", "risbench"):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "diffris.datasets.fixtures",
                "--source",
                str(root / "refsegrs"),
                "--split",
                "test",
                "--layout",
                layout,
                "--out",
                str(root / layout),
            ],
            check=True,
            cwd=MODEL,
        )
    return root


def test_layouts_are_detected(corpus):
    for layout in ("refsegrs", "rrsisd", "risbench"):
        assert detect_layout(corpus / layout) == layout
    assert detect_layout(corpus / "rrsisd" / "rrsisd") == "rrsisd"
    with pytest.raises(LayoutError, match="no known dataset layout"):
        detect_layout(corpus)
    with pytest.raises(LayoutError, match="not in the risbench layout"):
        check_layout(corpus / "rrsisd", "risbench")


def test_rrsisd_one_sample_per_sentence_with_the_decoded_masks(corpus):
    samples = read_samples(corpus / "rrsisd", "test")
    refsegrs = read_samples(corpus / "refsegrs", "test")
    # 6 refs; refs 0 and 3 have a second sentence
    assert len(samples) == 8
    assert [s.id for s in samples[:3]] == ["500_1000", "500_1001", "501_1002"]
    assert samples[1].text == "the " + samples[0].text
    assert samples[0].type == refsegrs[0].type
    # compressed and uncompressed RLE give back the stored masks exactly
    assert (samples[0].mask() == refsegrs[0].mask()).all()
    assert (samples[2].mask() == refsegrs[1].mask()).all()
    assert samples[0].image.name == "00000.jpg"


def test_rrsisd_unknown_split_lists_the_splits_present(corpus):
    with pytest.raises(LayoutError, match="splits present: test, train, val"):
        read_samples(corpus / "rrsisd", "testA")
    assert len(read_samples(corpus / "rrsisd", "train")) == 2  # ref 0 copied, two sentences


def test_rrsisd_pickle_naming_a_class_is_refused(tmp_path, corpus):
    import shutil

    shutil.copytree(corpus / "rrsisd", tmp_path / "d")
    with open(tmp_path / "d" / "rrsisd" / "refs(unc).p", "wb") as f:
        pickle.dump([{"split": Path("x")}], f, protocol=2)
    with pytest.raises(LayoutError, match="refers to pathlib"):
        read_samples(tmp_path / "d", "test")


def test_rrsisd_missing_annotation_is_named(tmp_path, corpus):
    import shutil

    shutil.copytree(corpus / "rrsisd", tmp_path / "d")
    path = tmp_path / "d" / "rrsisd" / "instances.json"
    instances = json.loads(path.read_text())
    instances["annotations"] = instances["annotations"][1:]
    path.write_text(json.dumps(instances))
    with pytest.raises(LayoutError, match="ref 500 names annotation 100"):
        read_samples(tmp_path / "d", "test")


def test_risbench_reads_names_with_extension(corpus):
    samples = read_samples(corpus / "risbench", "test")
    refsegrs = read_samples(corpus / "refsegrs", "test")
    assert [s.id for s in samples] == [s.id for s in refsegrs]
    assert [s.text for s in samples] == [s.text for s in refsegrs]
    assert all((a.mask() == b.mask()).all() for a, b in zip(samples, refsegrs))
    with pytest.raises(LayoutError, match="splits present: test"):
        read_samples(corpus / "risbench", "val")


def test_load_split_reads_every_layout_alike(corpus):
    base = load_split(corpus / "refsegrs", "test", size=32, keep_native=True)
    ris = load_split(corpus / "risbench", "test", size=32, keep_native=True)
    assert (base.images == ris.images).all() and (base.masks == ris.masks).all()
    rrsisd = load_split(corpus / "rrsisd", "test", size=32, keep_native=True, layout="rrsisd")
    assert len(rrsisd) == 8 and rrsisd.native_size == base.native_size
    # JPEG is lossy: close to the TIFF pixels, not equal
    assert (rrsisd.images[0].float() - base.images[0].float()).abs().mean() < 4


# Expressions with nothing to segment by: `diffris segment` refuses them as queries, so a split
# holding one is refused rather than scored (the rule: nothing left once Unicode white space,
# no-break spaces included, and format characters are removed). A tab cannot be tried: it
# separates the columns of the type table.
BLANK = [" ", "   ", "\u00a0\u00a0", "\u2007", "\u202f", "\u3000", "\u200b", "\ufeff",
         "\u2060", "\u200c\u200d", " \u00a0\u200b "]


def replace_line(path, n, line):
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[n - 1] = line
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("blank", BLANK, ids=[ascii(b) for b in BLANK])
def test_a_blank_expression_is_refused_naming_its_file_line_and_sample(tmp_path, corpus, blank):
    import shutil

    for layout in ("refsegrs", "risbench", "rrsisd"):
        shutil.copytree(corpus / layout, tmp_path / layout)
    ident = read_samples(corpus / "refsegrs", "test")[1].id
    # RefSegRS with its type table, and with the phrases file alone
    tsv = tmp_path / "refsegrs" / "expressions_test.tsv"
    kind = tsv.read_text(encoding="utf-8").splitlines()[1].split("\t")[1]
    replace_line(tsv, 2, f"{ident}\t{kind}\t{blank}")
    with pytest.raises(LayoutError, match=rf"expressions_test\.tsv:2: sample {ident}: .* is blank"):
        read_samples(tmp_path / "refsegrs", "test")
    tsv.unlink()
    replace_line(tmp_path / "refsegrs" / "output_phrase_test.txt", 2, f"{ident} {blank}")
    with pytest.raises(LayoutError, match=rf"output_phrase_test\.txt:2: sample {ident}: .* blank"):
        read_samples(tmp_path / "refsegrs", "test")
    # RISBench names a sample by its image file
    phrases = tmp_path / "risbench" / "output_phrase_test.txt"
    name = phrases.read_text(encoding="utf-8").splitlines()[1].split(" ")[0]
    replace_line(phrases, 2, f"{name} {blank}")
    with pytest.raises(LayoutError, match=rf"output_phrase_test\.txt:2: sample {name}: .* blank"):
        read_samples(tmp_path / "risbench", "test")
    # RRSIS-D: a sentence's raw text in the refs pickle
    refs_path = tmp_path / "rrsisd" / "rrsisd" / "refs(unc).p"
    refs = pickle.loads(refs_path.read_bytes())
    refs[1]["sentences"][0]["raw"] = blank
    refs_path.write_bytes(pickle.dumps(refs, protocol=2))
    sample = f"{refs[1]['ref_id']}_{refs[1]['sentences'][0]['sent_id']}"
    with pytest.raises(LayoutError, match=rf"ref {refs[1]['ref_id']}: sample {sample}: .* blank"):
        read_samples(tmp_path / "rrsisd", "test")


def test_an_expression_with_words_and_invisible_characters_is_kept(tmp_path, corpus):
    import shutil

    shutil.copytree(corpus / "refsegrs", tmp_path / "d")
    (tmp_path / "d" / "expressions_test.tsv").unlink()
    phrases = tmp_path / "d" / "output_phrase_test.txt"
    ident = phrases.read_text(encoding="utf-8").splitlines()[0].split(" ")[0]
    replace_line(phrases, 1, f"{ident} \u00a0the\u200b tanks ")
    assert read_samples(tmp_path / "d", "test")[0].text == "\u00a0the\u200b tanks "


def test_evaluate_refuses_a_split_with_a_blank_expression(tmp_path, corpus):
    import shutil

    from test_export import make_checkpoint

    shutil.copytree(corpus / "refsegrs", tmp_path / "d")
    tsv = tmp_path / "d" / "expressions_test.tsv"
    ident, kind, _ = tsv.read_text(encoding="utf-8").splitlines()[2].split("\t")
    replace_line(tsv, 3, f"{ident}\t{kind}\t\u00a0\u200b")
    ckpt = make_checkpoint(tmp_path)
    r = subprocess.run(
        ["/usr/bin/python3", str(MODEL / "evaluate.py"), "--data", str(tmp_path / "d"),
         "--split", "test", "--checkpoint", str(ckpt), "--json", str(tmp_path / "scores.json")],
        capture_output=True, text=True,
    )
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stderr.splitlines() == [
        f"evaluate.py: {tsv}:3: sample {ident}: the expression '\\xa0\\u200b' is blank (only "
        "white space or invisible characters); give the words that name the object, or remove "
        "the sample"], r.stderr
    assert r.stdout == "" and not (tmp_path / "scores.json").exists()
