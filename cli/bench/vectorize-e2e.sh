#!/usr/bin/env bash
# End to end, best of N: `./diffris vectorize` (the launcher, JVM start and class-data-sharing
# archive included) against gdal_polygonize.py on the same masks, GeoPackage output.
#
#   cli/bench/vectorize-e2e.sh MASK.tif [MASK.tif ...]      (TRIES=3 by default)
#
# The masks come from cli/bench/vectorize.sh (it writes them into its work folder). Prints one
# line per try and a best-of-N table; the load average is printed before and after.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tries="${TRIES:-3}"
out="$(mktemp -d /tmp/diffris-e2e.XXXXXX)"
trap 'rm -rf "$out"' EXIT
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# Builds the jar if needed; the first run after a build writes the class-data-sharing archive.
"$root/diffris" vectorize --mask "$1" --out "$out/warm.gpkg" >/dev/null
printf '| mask | tool | best wall s | peak RSS MiB of that try |\n|---|---|---:|---:|\n' > "$out/table"
for mask in "$@"; do
  for tool in diffris gdal; do
    best=""
    for _ in $(seq "$tries"); do
      rm -f "$out/o.gpkg"
      if [ "$tool" = diffris ]; then
        /usr/bin/time -f "%e %M" -o "$out/t" "$root/diffris" vectorize --mask "$mask" \
          --out "$out/o.gpkg" >/dev/null
      else
        /usr/bin/time -f "%e %M" -o "$out/t" gdal_polygonize.py -q "$mask" -mask "$mask" \
          -f GPKG "$out/o.gpkg" out DN >/dev/null
      fi
      read -r wall rss < "$out/t"
      echo "$(basename "$mask") $tool wall=${wall}s rss=$((rss / 1024))MiB"
      if [ -z "$best" ] || awk "BEGIN {exit !($wall < ${best%% *})}"; then
        best="$wall $((rss / 1024))"
      fi
    done
    echo "| $(basename "$mask") | $tool | ${best%% *} | ${best##* } |" >> "$out/table"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$out/table"
