#!/usr/bin/env bash
# Measures ONNX Runtime's native memory for a model bundle on the CPU provider and prints the
# runtime_memory object for its model.json; with --write, puts it there.
#
#   dev/native-memory/measure.sh [--write] BUNDLE [TILE]
#
# One fresh JVM per measurement (a process's arenas only grow, so runs cannot share one), each with
# its heap committed before it (-Xms = -Xmx, AlwaysPreTouch) so that only native memory grows:
# batches of 1, 4 and 8 tiles of TILE pixels (default 256) give bytes_per_batch_item, the steepest
# growth per tile from batch 1 (ONNX Runtime's arena grows in steps, so the steepest slope bounds
# every batch measured; each figure is the larger of two runs); one tile of the bundle's own tile size gives base_bytes, what is left of
# its growth without that tile. The estimate is then at or above every growth measured.
# Needs the command line's jar (./diffris builds it) and Linux (/proc).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
write=no
if [ "${1:-}" = --write ]; then
  write=yes
  shift
fi
bundle="${1:?usage: measure.sh [--write] BUNDLE [TILE]}"
tile="${2:-256}"
jar="$root/cli/target/diffris-cli.jar"
[ -f "$jar" ] || "$root/diffris" --help >/dev/null
own="$(/usr/bin/python3 -c 'import json,sys; m=json.load(open(sys.argv[1]+"/model.json")); print(m.get("tiling",{}).get("size",m["image"]["size"]))' "$bundle")"
# The larger of two runs: the growth of one configuration varies from run to run.
growth() {
  local line most=0 bytes
  for _ in 1 2; do
    line="$(java -Xms256m -Xmx256m -XX:+AlwaysPreTouch -cp "$jar" \
      "$root/dev/native-memory/NativeMemoryProbe.java" "$bundle" "$1" "$2")"
    echo "$line" >&2
    bytes="${line##*growth_bytes=}"
    [ "$bytes" -gt "$most" ] && most="$bytes"
  done
  echo "$most"
}
g1="$(growth "$tile" 1)"
g4="$(growth "$tile" 4)"
g8="$(growth "$tile" 8)"
gown="$(growth "$own" 1)"
/usr/bin/python3 - "$bundle" "$tile" "$own" "$g1" "$g4" "$g8" "$gown" "$write" <<'PY'
import json, sys
from pathlib import Path
bundle, tile, own, g1, g4, g8, gown = sys.argv[1], *map(int, sys.argv[2:8])
write = sys.argv[8]
per_item = max(0, (g4 - g1) // 3, (g8 - g1) // 7)
base = max(0, gown - round(per_item * own * own / (tile * tile)))
memory = {"tile": tile, "base_bytes": base, "bytes_per_batch_item": per_item,
          "measured": "dev/native-memory/measure.sh on the CPU provider: peak RSS growth"}
def estimate(t, b):
    return base + b * per_item * t * t / (tile * tile)
for t, b, g in ((tile, 1, g1), (tile, 4, g4), (tile, 8, g8), (own, 1, gown)):
    print(f"tile {t} batch {b}: measured {g / 2**20:.0f} MiB, estimated {estimate(t, b) / 2**20:.0f} MiB"
          f" ({estimate(t, b) / g - 1:+.0%})")
print(json.dumps({"runtime_memory": memory}, indent=2))
if write == "yes":
    path = Path(bundle) / "model.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta["runtime_memory"] = memory
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    print(f"written into {path}")
PY
