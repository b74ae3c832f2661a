"""Encodes texts with `ClipBpeTokenizer`, for cross-checks with other tokenizers.

    python3 -m diffris.tokenizer FOLDER TEXTS.jsonl OUT.txt

FOLDER holds `vocab.json` + `merges.txt`; TEXTS.jsonl has one JSON string a line. OUT gets two
lines per text: the whole id sequence (start token, text tokens, end token, no truncation), then
the 77 ids of `encode` (truncated, padded with the end token), each as `[id, id, ...]`.
"""
import json
import sys
import time

from .bpe import ClipBpeTokenizer


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    folder, texts_path, out_path = argv
    t0 = time.perf_counter()
    tok = ClipBpeTokenizer.load(folder)
    t1 = time.perf_counter()
    with open(texts_path, encoding="utf-8") as f:
        texts = [json.loads(line) for line in f if line.strip()]
    t2 = time.perf_counter()
    lines = []
    for text in texts:
        whole = [tok.bos_id] + [tok.vocab[t] for t in tok.tokenize(text)] + [tok.eos_id]
        lines.append("[" + ", ".join(map(str, whole)) + "]")
        lines.append("[" + ", ".join(map(str, tok.encode(text))) + "]")
    t3 = time.perf_counter()
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(
        f"{len(texts)} texts, {len(tok.vocab)} tokens loaded in {t1 - t0:.2f} s, "
        f"encoded in {t3 - t2:.2f} s ({len(texts) / (t3 - t2):.0f} texts/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
