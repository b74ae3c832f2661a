"""CLIP-format byte-level BPE tokenizer: learning, files, encoding."""
from .bpe import ClipBpeTokenizer, read_merges
from .learn import learn_merges, write_tokenizer
from .text import BOS, EOS, normalize, pre_tokenize

__all__ = ["ClipBpeTokenizer", "read_merges", "learn_merges", "write_tokenizer", "BOS", "EOS",
           "normalize", "pre_tokenize"]
