"""CLIP BPE tokenizer: text rules, BPE merging, fixed-length encoding, the three file formats."""
import json

import pytest

from diffris.tokenizer import BOS, EOS, ClipBpeTokenizer, learn_merges, normalize, \
    pre_tokenize, read_merges, write_tokenizer
from diffris.tokenizer.text import bytes_to_unicode

TEXTS = ["the red car on the left", "two white storage tanks", "the ship next to the pier",
         "the biggest building", "all trees", "the white storage tank near the road"] * 4


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("tok")
    write_tokenizer(out, learn_merges(TEXTS, 200))
    return out


@pytest.fixture(scope="module")
def tok(folder):
    return ClipBpeTokenizer.load(folder)


def test_normalize_collapses_white_space_and_lowercases():
    assert normalize("The  RED\tcar\n") == "the red car "
    assert normalize("Cafe\u0301") == "caf\u00e9"  # NFC composes the accent


def test_pre_tokenize_follows_clip_regex():
    assert pre_tokenize("the ship's 12 tanks, ok?!") == \
        ["the", "ship", "'s", "1", "2", "tanks", ",", "ok", "?!"]
    # \p{N} includes numbers outside Nd; letters include accented ones
    assert pre_tokenize("x\u00b2 \u00e9t\u00e9") == ["x", "\u00b2", "\u00e9t\u00e9"]
    assert pre_tokenize("a<|endoftext|>b") == ["a", "<|endoftext|>", "b"]


def test_byte_alphabet_is_a_bijection_of_256_printable_chars():
    table = bytes_to_unicode()
    assert len(set(table.values())) == 256
    assert table[ord("a")] == "a" and table[ord(" ")] == "\u0120"


def test_bpe_applies_merges_by_rank_with_end_of_word_suffix():
    vocab_merges = [("t", "h"), ("th", "e</w>"), ("e", "e</w>")]
    from diffris.tokenizer.learn import build_vocab
    tok = ClipBpeTokenizer(build_vocab(vocab_merges), vocab_merges)
    assert tok.tokenize("the thee") == ["the</w>", "th", "ee</w>"]
    assert tok.tokenize("a") == ["a</w>"]


def test_encode_adds_bos_eos_and_pads_with_eos(tok):
    ids = tok.encode("the red car")
    assert len(ids) == 77
    assert ids[0] == tok.bos_id
    n = len(tok.tokenize("the red car"))
    assert ids[n + 1] == tok.eos_id
    assert all(i == tok.pad_id for i in ids[n + 2:])
    assert tok.pad_id == tok.eos_id  # CLIP / SD pad with eos


def test_truncation_keeps_eos(tok):
    ids = tok.encode(" ".join(["tanks"] * 200))
    assert len(ids) == 77
    assert ids[0] == tok.bos_id and ids[-1] == tok.eos_id
    assert tok.eos_id not in ids[1:-1]


def test_special_ids_come_last_as_in_clip(folder, tok):
    vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    assert vocab[BOS] == len(vocab) - 2 and vocab[EOS] == len(vocab) - 1
    values = list(bytes_to_unicode().values())
    assert [vocab[v] for v in values] == list(range(256))
    assert [vocab[v + "</w>"] for v in values] == list(range(256, 512))


def test_merges_file_format(folder):
    lines = (folder / "merges.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#version: 0.2"
    assert all(len(line.split(" ")) == 2 for line in lines[1:])
    merges = read_merges(folder / "merges.txt")
    vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    assert all(a + b in vocab for a, b in merges)


def test_learned_merges_make_frequent_words_single_tokens(tok):
    assert tok.tokenize("the storage tanks") == ["the</w>", "storage</w>", "tanks</w>"]
    # unseen words still encode, as bytes
    assert "".join(tok.tokenize("zebra")) == "zebra</w>"


def test_huggingface_json_mirrors_the_files(folder):
    hf = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    merges = read_merges(folder / "merges.txt")
    assert hf["model"]["type"] == "BPE"
    assert hf["model"]["end_of_word_suffix"] == "</w>"
    assert hf["model"]["vocab"] == vocab
    assert hf["model"]["merges"] == [f"{a} {b}" for a, b in merges]
    assert [n["type"] for n in hf["normalizer"]["normalizers"]] == ["NFC", "Replace", "Lowercase"]
    split, byte_level = hf["pre_tokenizer"]["pretokenizers"]
    assert split["type"] == "Split" and split["invert"] and split["behavior"] == "Removed"
    assert byte_level == {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                          "use_regex": False}
    assert hf["post_processor"]["cls"] == [BOS, vocab[BOS]]
    assert hf["post_processor"]["sep"] == [EOS, vocab[EOS]]
    assert hf["padding"]["pad_id"] == vocab[EOS] and hf["truncation"]["max_length"] == 77


def test_missing_special_token_is_a_clear_error():
    with pytest.raises(ValueError, match="special token"):
        ClipBpeTokenizer({"a": 0}, [])


def test_bad_merges_file_is_rejected(tmp_path):
    (tmp_path / "merges.txt").write_text("a b\n", encoding="utf-8")
    with pytest.raises(ValueError, match="#version"):
        read_merges(tmp_path / "merges.txt")


def test_lowercase_is_per_code_point_as_huggingface_and_java():
    # str.lower() would end "ΣΑΣ" with a final sigma; HuggingFace and the runtime never do.
    assert normalize("ΣΑΣ ΌΣΟΣ") == "σασ όσοσ"
    assert normalize("\u0130") == "i\u0307"  # full mapping, as Rust's char::to_lowercase


def test_special_tokens_are_cut_out_before_the_split_pattern():
    # CLIP's regex alone would read "<<|" as one punctuation run and miss the token.
    assert pre_tokenize("<<|endoftext|>>") == ["<", "<|endoftext|>", ">"]
    assert pre_tokenize(normalize("<|EndOfText|>x")) == ["<|endoftext|>", "x"]
    assert pre_tokenize("<|endoftext") == ["<|", "endoftext"]


def test_module_entry_point_writes_whole_and_77_id_rows(folder, tok, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    texts = ["the red car", "tanks " * 100, "<<|endoftext|>>"]
    (tmp_path / "in.jsonl").write_text("\n".join(json.dumps(t) for t in texts), encoding="utf-8")
    model = Path(__file__).resolve().parents[1]
    run = subprocess.run([sys.executable, "-m", "diffris.tokenizer", str(folder),
                          str(tmp_path / "in.jsonl"), str(tmp_path / "out.txt")],
                         cwd=model, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in
            (tmp_path / "out.txt").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 2 * len(texts)
    for text, whole, fixed in zip(texts, rows[0::2], rows[1::2]):
        assert whole == [tok.bos_id] + [tok.vocab[t] for t in tok.tokenize(text)] + [tok.eos_id]
        assert fixed == tok.encode(text)
    assert len(rows[2]) == 102 and len(rows[3]) == 77
