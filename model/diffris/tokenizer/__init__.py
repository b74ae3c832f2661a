"""Tokenizers: CLIP-format byte-level BPE (learning, files, encoding) and BERT WordPiece."""
from .bpe import ClipBpeTokenizer, read_merges
from .facts import tokenizer_facts, tokenizer_from_facts
from .learn import learn_merges, write_tokenizer
from .text import BOS, EOS, normalize, pre_tokenize
from .wordpiece import WordPieceTokenizer

__all__ = ["ClipBpeTokenizer", "read_merges", "learn_merges", "write_tokenizer", "BOS", "EOS",
           "normalize", "pre_tokenize", "WordPieceTokenizer", "tokenizer_facts",
           "tokenizer_from_facts"]
