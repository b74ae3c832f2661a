"""CLIP's text normalisation and pre-tokenisation, written for Python's `re` (no `\\p{..}` classes).

The character classes are built from `unicodedata` categories so they match the Unicode classes
`\\p{L}` (letters), `\\p{N}` (numbers) and `\\s` (the White_Space property) that CLIP's own `regex`
pattern and the HuggingFace tokenizers library use.
"""
import re
import sys
import unicodedata
from functools import lru_cache

# Unicode White_Space property (PropList.txt); Python's str.isspace() differs (it adds U+001C..1F).
_WHITE_SPACE = [(0x09, 0x0D), (0x20, 0x20), (0x85, 0x85), (0xA0, 0xA0), (0x1680, 0x1680),
                (0x2000, 0x200A), (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F),
                (0x3000, 0x3000)]

BOS = "<|startoftext|>"
EOS = "<|endoftext|>"

# CLIP's pattern, as the HuggingFace tokenizer.json stores it.
CLIP_SPLIT_PATTERN = (r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|"
                      r"[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+")


def _ranges_to_class(ranges):
    parts = []
    for lo, hi in ranges:
        parts.append(_escape(lo) if lo == hi else _escape(lo) + "-" + _escape(hi))
    return "".join(parts)


def _escape(cp):
    return "\\U%08x" % cp


def _category_ranges(prefix):
    ranges = []
    start = None
    for cp in range(sys.maxunicode + 1):
        hit = unicodedata.category(chr(cp)).startswith(prefix)
        if hit and start is None:
            start = cp
        elif not hit and start is not None:
            ranges.append((start, cp - 1))
            start = None
    if start is not None:
        ranges.append((start, sys.maxunicode))
    return ranges


@lru_cache(maxsize=1)
def _patterns():
    letters = _ranges_to_class(_category_ranges("L"))
    numbers = _ranges_to_class(_category_ranges("N"))
    space = _ranges_to_class(_WHITE_SPACE)
    split = re.compile(
        r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|"
        f"[{letters}]+|[{numbers}]|[^{space}{letters}{numbers}]+")
    whitespace = re.compile(f"[{space}]+")
    return split, whitespace


def normalize(text):
    """NFC, runs of white space to one space, lowercase (the order HuggingFace's CLIP uses).

    Lower-casing is code point by code point, as HuggingFace (Rust's `char::to_lowercase`) and the
    Java runtime do it: `str.lower()` alone would make a word-final capital sigma a final sigma.
    """
    _, whitespace = _patterns()
    text = unicodedata.normalize("NFC", text)
    text = whitespace.sub(" ", text)
    return "".join(c.lower() for c in text)


_SPECIAL = re.compile(r"<\|startoftext\|>|<\|endoftext\|>")


def pre_tokenize(text):
    """Splits normalised text into CLIP words (the regex matches; everything else is dropped).

    `<|startoftext|>` and `<|endoftext|>` are cut out first and kept as words, as HuggingFace
    matches added tokens before its pre-tokenizer: in `<<|endoftext|>>` the special token is found,
    where CLIP's regex alone would take `<<|` as one punctuation run.
    """
    split, _ = _patterns()
    words = []
    start = 0
    for special in _SPECIAL.finditer(text):
        words.extend(split.findall(text, start, special.start()))
        words.append(special.group())
        start = special.end()
    words.extend(split.findall(text, start))
    return words


@lru_cache(maxsize=1)
def bytes_to_unicode():
    """CLIP/GPT-2 byte -> printable unicode character map (256 entries, reversible)."""
    printable = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
                 + list(range(ord("®"), ord("ÿ") + 1)))
    chars = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return {b: chr(c) for b, c in zip(printable, chars)}


def word_to_symbols(word):
    """A pre-tokenised word as byte-level symbols, the last one carrying CLIP's `</w>` suffix."""
    table = bytes_to_unicode()
    chars = [table[b] for b in word.encode("utf-8")]
    return chars[:-1] + [chars[-1] + "</w>"]
