#!/usr/bin/env bash
# `diffris segment` over raster sizes from 1024² to 16384²: wall time, time inside ONNX Runtime,
# peak RSS, and cost per megapixel (it must stay flat: cost linear in area). The rasters are
# mosaics of a sample scene (GDAL VRT, written as tiled DEFLATE GeoTIFFs); every run uses the same
# JAVA_OPTS (default -Xmx512m) and the embedded model.
#
#   cli/bench/segment-scaling.sh WORKDIR [SIZES...]      (default sizes: 1024 2048 4096 8192 16384)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:?usage: segment-scaling.sh WORKDIR [SIZES...]}"
shift
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1024 2048 4096 8192 16384)
scene="$root/sample-data/scenes/port.tif"
query="${QUERY:-white storage tanks}"
export JAVA_OPTS="${JAVA_OPTS:--Xmx512m}"
mkdir -p "$work"

# A 10 x 10 mosaic of the scene, large enough for 16384² crops.
/usr/bin/python3 "$root/cli/bench/mosaic_vrt.py" "$scene" 10 "$work/mosaic.vrt"

echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg), JAVA_OPTS=$JAVA_OPTS"
printf '| size | tiles | polygons | wall s | model_ms | total_ms | total/model | ms per Mpx | peak RSS MiB |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for s in "${sizes[@]}"; do
  raster="$work/scene_$s.tif"
  [ -f "$raster" ] || gdal_translate -q -srcwin 0 0 "$s" "$s" -co TILED=YES -co COMPRESS=DEFLATE \
    "$work/mosaic.vrt" "$raster"
  rm -f "$work/out.gpkg"
  /usr/bin/time -f "%e %M" -o "$work/time" "$root/diffris" segment --raster "$raster" \
    --query "$query" --out "$work/out.gpkg" > "$work/summary" 2>/dev/null
  read -r wall rss < "$work/time"
  line="$(tail -n 1 "$work/summary")"
  value() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<< "$line"; }
  awk -v s="$s" -v t="$(value tiles)" -v p="$(value polygons)" -v w="$wall" \
    -v m="$(value model_ms)" -v tot="$(value total_ms)" -v r="$rss" 'BEGIN {
      printf "| %d² | %d | %d | %.2f | %d | %d | %.3f | %.1f | %d |\n",
        s, t, p, w, m, tot, tot / m, tot / (s * s / 1e6), r / 1024 }'
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
