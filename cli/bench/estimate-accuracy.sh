#!/usr/bin/env bash
# The estimate before a run against the run: for each raster, `diffris segment --dry-run --json`
# (the estimate) and then the real run (its inference_ms, the time the estimate predicts: reading,
# the model, blending, vectorizing; not the JVM's start or the model's loading), and their ratio.
# The rasters: the three sample scenes, then the port scene tiled 8 x 8 (14336², a tiled DEFLATE
# GeoTIFF cut from cli/bench/mosaic_vrt.py's mosaic, as segment-scaling.sh cuts it).
#
# The tile-cost cache starts empty (WORKDIR/cache), so the first estimate is a calibration on
# blank tiles and every later one is the mean of the runs before it, as a user's would be.
#
#   cli/bench/estimate-accuracy.sh WORKDIR [RASTERS...]   (default: the scenes and the 8 x 8)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:?usage: estimate-accuracy.sh WORKDIR [RASTERS...]}"
shift
query="${QUERY:-white storage tanks}"
export JAVA_OPTS="${JAVA_OPTS:--Xmx512m}"
export XDG_CACHE_HOME="$work/cache"
mkdir -p "$work"
rm -rf "$work/cache"
rasters=("$@")
if [ ${#rasters[@]} -eq 0 ]; then
  scenes="$root/sample-data/scenes"
  mosaic="$work/port_8x8.tif"
  if [ ! -f "$mosaic" ]; then
    /usr/bin/python3 "$root/cli/bench/mosaic_vrt.py" "$scenes/port.tif" 8 "$work/mosaic.vrt"
    gdal_translate -q -co TILED=YES -co COMPRESS=DEFLATE "$work/mosaic.vrt" "$mosaic"
  fi
  rasters=("$scenes/port.tif" "$scenes/town.tif" "$scenes/airport.tif" "$mosaic")
fi

echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg), JAVA_OPTS=$JAVA_OPTS"
printf '| raster | tiles | estimate s | basis | real s (inference_ms) | estimate / real |\n'
printf '|---|---:|---:|---|---:|---:|\n'
for raster in "${rasters[@]}"; do
  estimate="$("$root/diffris" segment --raster "$raster" --query "$query" \
    --out "$work/out.gpkg" --overwrite --dry-run --json 2>/dev/null | tail -n 1)"
  line="$("$root/diffris" segment --raster "$raster" --query "$query" \
    --out "$work/out.gpkg" --overwrite --progress none 2>/dev/null | tail -n 1)"
  /usr/bin/python3 - "$(basename "$raster")" "$estimate" "$line" <<'PY'
import json, sys
name, estimate, line = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
summary = dict(part.split("=", 1) for part in line.split() if "=" in part)
real = float(summary["inference_ms"]) / 1000
assert str(estimate["tiles"]) == summary["tiles"], (estimate["tiles"], summary["tiles"])
basis = estimate["basis"].split(", ", 1)[1]
print(f"| {name} | {estimate['tiles']} | {estimate['seconds']:.2f} | {basis} | {real:.2f} |"
      f" **{estimate['seconds'] / real:.2f}** |")
PY
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
