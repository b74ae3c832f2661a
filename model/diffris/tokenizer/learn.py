"""Learns a small CLIP-format byte-level BPE vocabulary and writes it in three formats.

Files written (the layout CLIP and HuggingFace use for `openai/clip-vit-*`):
- `vocab.json`: the 256 byte symbols, the same 256 with `</w>`, one entry per merge, then
  `<|startoftext|>` and `<|endoftext|>` (so eos has the highest id, as in CLIP).
- `merges.txt`: `#version: 0.2`, then one `left right` pair per line, in rank order.
- `tokenizer.json`: the HuggingFace tokenizers equivalent (NFC + white-space collapse +
  lowercase; CLIP split regex + ByteLevel; BPE with `</w>`; bos/eos post-processor; truncation
  to max_length keeping eos; padding with eos to max_length).
"""
import json
from collections import Counter
from pathlib import Path

from .text import BOS, CLIP_SPLIT_PATTERN, EOS, bytes_to_unicode, normalize, pre_tokenize, \
    word_to_symbols


def learn_merges(texts, num_merges=400, min_frequency=2):
    """Greedy BPE: repeatedly merge the most frequent adjacent pair (ties: lexicographic)."""
    words = Counter()
    for text in texts:
        for word in pre_tokenize(normalize(text)):
            if word not in (BOS, EOS):
                words[tuple(word_to_symbols(word))] += 1
    merges = []
    while len(merges) < num_merges:
        pairs = Counter()
        for symbols, count in words.items():
            for pair in zip(symbols[:-1], symbols[1:]):
                pairs[pair] += count
        if not pairs:
            break
        best, freq = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        if freq < min_frequency:
            break
        merges.append(best)
        words = Counter({_merge(symbols, best): c for symbols, c in words.items()})
    return merges


def _merge(symbols, pair):
    out = []
    i = 0
    while i < len(symbols):
        if i < len(symbols) - 1 and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return tuple(out)


def build_vocab(merges):
    base = list(bytes_to_unicode().values())
    tokens = base + [b + "</w>" for b in base] + ["".join(m) for m in merges] + [BOS, EOS]
    vocab = {}
    for token in tokens:
        if token not in vocab:  # a merge can recreate a base symbol only in theory; keep first id
            vocab[token] = len(vocab)
    return vocab


def write_tokenizer(folder, merges, max_length=77):
    """Writes vocab.json, merges.txt and tokenizer.json; returns the vocab."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vocab = build_vocab(merges)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    lines = ["#version: 0.2"] + [f"{a} {b}" for a, b in merges]
    (folder / "merges.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "tokenizer.json").write_text(
        json.dumps(huggingface_json(vocab, merges, max_length), ensure_ascii=False, indent=1),
        encoding="utf-8")
    return vocab


def huggingface_json(vocab, merges, max_length=77):
    bos_id, eos_id = vocab[BOS], vocab[EOS]

    def special(token, ident):
        return {"id": ident, "content": token, "single_word": False, "lstrip": False,
                "rstrip": False, "normalized": True, "special": True}

    return {
        "version": "1.0",
        "truncation": {"direction": "Right", "max_length": max_length,
                       "strategy": "LongestFirst", "stride": 0},
        "padding": {"strategy": {"Fixed": max_length}, "direction": "Right",
                    "pad_to_multiple_of": None, "pad_id": eos_id, "pad_type_id": 0,
                    "pad_token": EOS},
        "added_tokens": [special(BOS, bos_id), special(EOS, eos_id)],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "NFC"},
            {"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "},
            {"type": "Lowercase"}]},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": CLIP_SPLIT_PATTERN},
             "behavior": "Removed", "invert": True},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
             "use_regex": False}]},
        "post_processor": {"type": "RobertaProcessing", "sep": [EOS, eos_id],
                           "cls": [BOS, bos_id], "trim_offsets": False,
                           "add_prefix_space": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                    "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": EOS,
                  "continuing_subword_prefix": "", "end_of_word_suffix": "</w>",
                  "fuse_unk": False, "byte_fallback": False, "vocab": vocab,
                  "merges": [f"{a} {b}" for a, b in merges]},
    }
