#!/usr/bin/env bash
# Spark against one `diffris segment` process per file, on the same rasters and the same cores.
#   spark-diffris/benchmark.sh [COPIES]     (default 64: copies of the three sample scenes)
# Prints seconds, model tiles per second per core, and Spark's time over the command line's
# (one core: both pinned to CPU 0; two cores: two command lines at a time against local[2]).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
copies="${1:-64}"
query="white storage tanks"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mkdir "$work/rasters"
scenes=(port town airport)
for i in $(seq 1 "$copies"); do
  s="${scenes[$(( (i - 1) % 3 ))]}"
  ln -s "$root/sample-data/scenes/$s.tif" "$work/rasters/$(printf '%03d' "$i")_$s.tif"
done
./diffris info >/dev/null          # builds the command line's jar when needed
spark-diffris/spark-submit-local --version >/dev/null 2>&1 || true   # and the job's

now() { date +%s.%N; }
cli_one() {  # one process per file; prints the file's tiles
  local out="$work/cli/$(basename "$1" .tif).gpkg"
  ./diffris segment --raster "$1" --query "$query" --device cpu --out "$out" 2>/dev/null \
    | tail -1 | tr ' ' '\n' | sed -n 's/^tiles=//p'
}
export -f cli_one; export work query

run_cli() {  # $1 = cpu list, $2 = processes at a time
  rm -rf "$work/cli"; mkdir "$work/cli"
  local t0; t0=$(now)
  local tiles
  tiles=$(ls "$work"/rasters/*.tif | taskset -c "$1" xargs -P "$2" -I{} bash -c 'cli_one "$@"' _ {} \
    | awk '{s += $1} END {print s}')
  echo "$(echo "$(now) - $t0" | bc) $tiles"
}
run_spark() {  # $1 = cpu list, $2 = local[N]
  rm -rf "$work/spark" "$work/spark-failures"
  local t0; t0=$(now)
  local line
  line=$(taskset -c "$1" spark-diffris/spark-submit-local --master "local[$2]" \
    --conf spark.ui.enabled=false --driver-memory 4g -- \
    --rasters "$work/rasters" --query "$query" --device cpu --out "$work/spark" 2>/dev/null \
    | grep '^rasters=')
  echo "$(echo "$(now) - $t0" | bc) $(echo "$line" | tr ' ' '\n' | sed -n 's/^tiles=//p') $line"
}

echo "copies=$copies rasters of 1792 x 1792 px (0.5 m), query \"$query\", $(nproc) cores"
read -r cli1 cli1_tiles < <(run_cli 0 1)
read -r sp1 sp1_tiles sp1_line < <(run_spark 0 1)
read -r cli2 cli2_tiles < <(run_cli 0,1 2)
read -r sp2 sp2_tiles sp2_line < <(run_spark 0,1 2)
echo "spark local[1] summary: $sp1_line"
echo "spark local[2] summary: $sp2_line"
awk -v c1="$cli1" -v s1="$sp1" -v c2="$cli2" -v s2="$sp2" -v t="$cli1_tiles" -v ts="$sp1_tiles" 'BEGIN {
  printf "%-34s %9s %16s\n", "run", "seconds", "tiles/s per core"
  printf "%-34s %9.1f %16.1f\n", "diffris segment x1 process, 1 core", c1, t / c1
  printf "%-34s %9.1f %16.1f\n", "spark local[1], 1 core", s1, ts / s1
  printf "%-34s %9.1f %16.1f\n", "diffris segment x2 processes, 2 cores", c2, t / c2 / 2
  printf "%-34s %9.1f %16.1f\n", "spark local[2], 2 cores", s2, ts / s2 / 2
  printf "spark / command line, 1 core: %.2f   2 cores: %.2f   spark local[2] / local[1]: %.2f\n", s1 / c1, s2 / c2, s2 / s1
}'
