"""The tokenizer a checkpoint was trained with, kept in the checkpoint itself ("tokenizer"):
CLIP byte-level BPE ({"vocab", "merges"}) or BERT WordPiece ({"kind": "wordpiece", "tokens",
"max_length"}), so evaluation and export rebuild exactly the ids training saw."""
from .bpe import ClipBpeTokenizer
from .wordpiece import WordPieceTokenizer


def tokenizer_facts(tokenizer) -> dict:
    if isinstance(tokenizer, WordPieceTokenizer):
        return {"kind": "wordpiece", "tokens": list(tokenizer.tokens),
                "max_length": tokenizer.max_length}
    merges = sorted(tokenizer.ranks, key=tokenizer.ranks.get)
    return {"vocab": dict(tokenizer.vocab), "merges": [list(m) for m in merges]}


def tokenizer_from_facts(facts: dict):
    if facts.get("kind") == "wordpiece":
        return WordPieceTokenizer(facts["tokens"], facts["max_length"])
    return ClipBpeTokenizer(facts["vocab"], [tuple(m) for m in facts["merges"]])
