"""BERT's uncased WordPiece tokenizer, the Python twin of the runtime's ``WordPieceTokenizer``.

The pretrained sentence encoders a ``wordpiece`` bundle names (all-MiniLM-L6-v2, bge-small,
e5-small) read text this way; training tokenizes its expressions with it, and the bundle's
parity file proves the Java tokenizer gives the same ids (which in turn equal HuggingFace's,
``WordPieceTokenizerOracleTest``).

Rules, as HuggingFace's ``BertNormalizer(lowercase=True)`` + ``BertPreTokenizer`` + ``WordPiece``:
special tokens written in the text ([CLS], [SEP], [PAD], [UNK], [MASK]) are kept whole; the rest
loses NUL, U+FFFD and control characters (categories Cc, Cf, Co, Cs, Cn; tab, newline and carriage
return are white space), gets white space (the Unicode White_Space property) as plain spaces,
spaces around CJK ideographs, accents stripped (NFD, then no Mn marks) and is lower-cased one code
point at a time; words split at white space, each punctuation mark (ASCII punctuation or a P*
category) a word of its own; each word becomes the longest vocabulary pieces from its start
(``##`` before later pieces), or one [UNK].
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

CLS, SEP, PAD, UNK, MASK = "[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"
SPECIAL_TOKENS = (PAD, UNK, CLS, SEP, MASK)
CONTINUATION = "##"
MAX_CHARACTERS_PER_WORD = 100

_WHITE_SPACE = frozenset([*range(0x09, 0x0E), 0x20, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
                          0x2028, 0x2029, 0x202F, 0x205F, 0x3000])
_CJK = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
        (0x2B740, 0x2B81F), (0x2B920, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
_ASCII_PUNCTUATION = frozenset(chr(c) for c in [*range(33, 48), *range(58, 65), *range(91, 97),
                                                *range(123, 127)])


def _is_white_space(ch: str) -> bool:
    return ord(ch) in _WHITE_SPACE


def _is_control(ch: str) -> bool:
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Cn")


def _is_punctuation(ch: str) -> bool:
    return ch in _ASCII_PUNCTUATION or unicodedata.category(ch).startswith("P")


def _is_cjk(ch: str) -> bool:
    c = ord(ch)
    return any(lo <= c <= hi for lo, hi in _CJK)


def normalize(text: str) -> str:
    """BertNormalizer for an uncased model: clean, space CJK, strip accents, lower case."""
    cleaned = []
    for ch in text:
        if ch in ("\x00", "\ufffd") or _is_control(ch):
            continue
        if _is_white_space(ch):
            cleaned.append(" ")
        elif _is_cjk(ch):
            cleaned.append(f" {ch} ")
        else:
            cleaned.append(ch)
    decomposed = unicodedata.normalize("NFD", "".join(cleaned))
    return "".join(ch.lower() for ch in decomposed if unicodedata.category(ch) != "Mn")


def words(normalized: str) -> list:
    """BertPreTokenizer: words between white space, each punctuation mark a word of its own."""
    out, word = [], []
    for ch in normalized:
        if _is_white_space(ch) or _is_punctuation(ch):
            if word:
                out.append("".join(word))
                word = []
            if not _is_white_space(ch):
                out.append(ch)
        else:
            word.append(ch)
    if word:
        out.append("".join(word))
    return out


class WordPieceTokenizer:
    """``vocab.txt`` (one token a line, id = line number) in, fixed-length id sequences out."""

    def __init__(self, tokens: list, max_length: int = 77):
        if max_length < 2:
            raise ValueError(f"maximum length {max_length} is too small: it must hold [CLS] and [SEP]")
        self.tokens = list(tokens)
        self.ids = {}
        for i, token in enumerate(self.tokens):
            if not token:
                raise ValueError(f"vocabulary line {i + 1} is empty: every line is a token")
            if token in self.ids:
                raise ValueError(f"vocabulary line {i + 1} repeats {token!r} of line {self.ids[token] + 1}")
            self.ids[token] = i
        for token in (CLS, SEP, PAD, UNK):
            if token not in self.ids:
                raise ValueError(f"the vocabulary has no {token}: a BERT vocabulary needs [CLS], [SEP], [PAD], [UNK]")
        self.specials = [t for t in SPECIAL_TOKENS if t in self.ids]
        self.max_length = max_length
        self.cls_id, self.sep_id = self.ids[CLS], self.ids[SEP]
        self.pad_id, self.unk_id = self.ids[PAD], self.ids[UNK]

    @classmethod
    def load(cls, folder, max_length: int = 77):
        text = (Path(folder) / "vocab.txt").read_text(encoding="utf-8")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return cls([line[:-1] if line.endswith("\r") else line for line in lines], max_length)

    def save(self, folder):
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / "vocab.txt").write_text("\n".join(self.tokens) + "\n", encoding="utf-8")

    def _pieces(self, text: str):
        """(piece, is_special) in order: special tokens as written, words between them."""
        out, start, at = [], 0, 0
        while at < len(text):
            special = max((t for t in self.specials if text.startswith(t, at)), key=len, default=None)
            if special is None:
                at += 1
                continue
            out += [(w, False) for w in words(normalize(text[start:at]))]
            out.append((special, True))
            at += len(special)
            start = at
        out += [(w, False) for w in words(normalize(text[start:]))]
        return out

    def _word_ids(self, word: str) -> list:
        if len(word) > MAX_CHARACTERS_PER_WORD:
            return [self.unk_id]
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else CONTINUATION + word[start:end]
                if piece in self.ids:
                    ids.append(self.ids[piece])
                    break
                end -= 1
            else:
                return [self.unk_id]
            start = end
        return ids

    def token_ids(self, text: str) -> list:
        """The text's ids alone: no [CLS]/[SEP], no truncation, no padding."""
        ids = []
        for piece, special in self._pieces(text):
            ids += [self.ids[piece]] if special else self._word_ids(piece)
        return ids

    def tokens_of(self, text: str) -> list:
        return [self.tokens[i] for i in self.token_ids(text)]

    def encode(self, text: str) -> list:
        """Exactly ``max_length`` ids: [CLS], the first max_length - 2 text ids, [SEP], [PAD]..."""
        return self.encode_with_mask(text)[0]

    def encode_batch(self, texts) -> list:
        return [self.encode(t) for t in texts]

    def encode_with_mask(self, text: str):
        """(ids, attention mask): the mask is 1 for [CLS], the text ids and [SEP], 0 for padding."""
        body = self.token_ids(text)[: self.max_length - 2]
        ids = [self.cls_id, *body, self.sep_id]
        mask = [1] * len(ids) + [0] * (self.max_length - len(ids))
        return ids + [self.pad_id] * (self.max_length - len(ids)), mask
