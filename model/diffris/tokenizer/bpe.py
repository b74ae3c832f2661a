"""CLIP byte-level BPE tokenizer over a `vocab.json` + `merges.txt` pair.

Guarantees: `encode` returns exactly `max_length` ids, starting with `<|startoftext|>`, with
`<|endoftext|>` right after the last kept token (also when the text is truncated), then the pad id.
Words are merged by merge rank, lowest first, like CLIP's `SimpleTokenizer` and HuggingFace's BPE.
"""
import json
from pathlib import Path

from .text import BOS, EOS, normalize, pre_tokenize, word_to_symbols


class ClipBpeTokenizer:
    """Encodes queries into the fixed-length id rows the text encoder takes."""

    def __init__(self, vocab, merges, max_length=77, pad_token=EOS):
        self.vocab = dict(vocab)
        self.ranks = {tuple(pair): i for i, pair in enumerate(merges)}
        self.max_length = max_length
        for token in (BOS, EOS, pad_token):
            if token not in self.vocab:
                raise ValueError(f"vocabulary lacks the special token {token!r}")
        self.bos_id = self.vocab[BOS]
        self.eos_id = self.vocab[EOS]
        self.pad_id = self.vocab[pad_token]
        self._cache = {}

    @classmethod
    def load(cls, folder, max_length=77):
        folder = Path(folder)
        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        return cls(vocab, read_merges(folder / "merges.txt"), max_length=max_length)

    def bpe(self, word):
        """Byte-level BPE of one pre-tokenised word: the list of its sub-word tokens."""
        if word in self._cache:
            return self._cache[word]
        symbols = word_to_symbols(word)
        while len(symbols) > 1:
            pairs = [(self.ranks.get((a, b)), i) for i, (a, b) in
                     enumerate(zip(symbols[:-1], symbols[1:]))]
            ranked = [(r, i) for r, i in pairs if r is not None]
            if not ranked:
                break
            best = min(ranked)[0]
            first, second = next((symbols[i], symbols[i + 1]) for r, i in ranked if r == best)
            merged = []
            i = 0
            # Merge every occurrence of the best pair left to right, as CLIP does.
            while i < len(symbols):
                if i < len(symbols) - 1 and symbols[i] == first and symbols[i + 1] == second:
                    merged.append(first + second)
                    i += 2
                else:
                    merged.append(symbols[i])
                    i += 1
            symbols = merged
        self._cache[word] = symbols
        return symbols

    def tokenize(self, text):
        """Sub-word tokens of a text, without special tokens or padding."""
        tokens = []
        for word in pre_tokenize(normalize(text)):
            if word in (BOS, EOS):
                tokens.append(word)
            else:
                tokens.extend(self.bpe(word))
        return tokens

    def encode(self, text):
        """bos + ids + eos, truncated to max_length keeping eos, padded with the pad id."""
        ids = [self.vocab[t] for t in self.tokenize(text)]
        ids = [self.bos_id] + ids[: self.max_length - 2] + [self.eos_id]
        return ids + [self.pad_id] * (self.max_length - len(ids))

    def encode_batch(self, texts):
        return [self.encode(t) for t in texts]


def read_merges(path):
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0].startswith("#version"):
        raise ValueError(f"{path}: the first line must be '#version: 0.2'")
    merges = []
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        parts = line.split(" ")
        if len(parts) != 2:
            raise ValueError(f"{path}:{n}: expected two space-separated symbols, got {line!r}")
        merges.append(tuple(parts))
    return merges
