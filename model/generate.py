#!/usr/bin/env python3
"""Writes a synthetic referring-aerial split in the RefSegRS layout.

    /usr/bin/python3 model/generate.py --seed 1 --count 4000 --split train --out data/synth

--count is the number of samples (ids, lines of output_phrase_<split>.txt); each rendered scene
gives up to --per-image samples with distinct masks. Same arguments, byte-identical files.
A folder may hold several splits; one it already holds is replaced only with --replace.
See model/README.md, section Corpus.
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from diffris.corpus.dataset import CorpusSpec, write_split  # noqa: E402
from diffris.stops import StopSignals  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Generate a synthetic referring-aerial split (RefSegRS layout).")
    p.add_argument("--seed", type=int, required=True, help="random seed (non-negative integer)")
    p.add_argument("--count", type=int, required=True, help="number of samples (ids) to write")
    p.add_argument("--split", required=True, help="split name, e.g. train, val, test")
    p.add_argument("--out", required=True,
                   help="output folder (created when missing; may hold other splits)")
    p.add_argument("--replace", action="store_true",
                   help="replace the split when the folder already holds it (its old images and masks "
                        "are removed); without it, an existing split is refused")
    p.add_argument("--size", type=int, default=128, help="image side in pixels (default 128)")
    p.add_argument("--gsd", type=float, default=0.5, help="mean ground sampling distance, m/px (default 0.5)")
    p.add_argument("--gsd-jitter", type=float, default=0.2,
                   help="per-image GSD is drawn in gsd*[1-j, 1+j] (default 0.2, i.e. 0.4-0.6 m at 0.5)")
    p.add_argument("--per-image", type=int, default=2, help="samples drawn per rendered scene, at most (default 2)")
    p.add_argument("--absent", type=float, default=0.0,
                   help="share of samples whose expression names something not in the image, with an "
                        "empty mask (default 0; 0.2 means about one in five)")
    p.add_argument("--themes", default="",
                   help="comma-separated scene themes to draw from, e.g. open_water,streets (default: the "
                        "six base themes; see model/README.md)")
    p.add_argument("--kinds", default="",
                   help="comma-separated expression kinds to keep, e.g. relation,size,position (default: all)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    a = p.parse_args(argv)
    spec = CorpusSpec(seed=a.seed, split=a.split, size=a.size, gsd=a.gsd, gsd_jitter=a.gsd_jitter,
                      per_image=a.per_image, absent=a.absent,
                      themes=tuple(t.strip() for t in a.themes.split(",") if t.strip()),
                      kinds=tuple(k.strip() for k in a.kinds.split(",") if k.strip()))
    try:
        spec.validate()
        if a.count < 1:
            raise ValueError(f"count {a.count} must be at least 1")
    except ValueError as e:
        print(f"generate.py: {e}", file=sys.stderr)
        return 2
    start = time.perf_counter()

    def progress(done, total):
        if not a.quiet and (done == total or done % 500 < a.per_image):
            print(f"\r{done}/{total} samples", end="", file=sys.stderr, flush=True)

    # Ctrl-C and SIGTERM end with one line and 130 or 143, the folder as it was.
    with StopSignals() as stop:
        try:
            kinds = write_split(a.out, spec, a.count, progress, replace=a.replace)
        except BaseException as e:
            if stop.received is not None:
                print(("\n" if not a.quiet else "") + f"generate.py: stopped by {stop.name()}; "
                      f"split {a.split} of '{a.out}' was not written, the folder is as it was",
                      file=sys.stderr)
                return stop.exit_status()
            if isinstance(e, ValueError):
                print(f"generate.py: {e}", file=sys.stderr)
                return 2
            if isinstance(e, OSError):
                print(f"generate.py: cannot write to '{a.out}': {e.strerror or e}", file=sys.stderr)
                return 1
            raise
    secs = time.perf_counter() - start
    if not a.quiet:
        print(file=sys.stderr)
        summary = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
        print(f"wrote {a.count} samples to {a.out} in {secs:.1f} s ({a.count / secs * 60:.0f}/min): {summary}",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
