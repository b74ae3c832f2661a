#!/usr/bin/env bash
# Performance of two source trees of this project, measured one right after the other on the same
# machine (alternating runs, so a change of load hits both alike): the README's main job
# (total_ms, model_ms), `diffris vectorize` on an 8192² blob mask (wall time, JVM start included),
# and the 8 x 8 scene check of docs/benchmarks.md (a 14336² mosaic of port.tif, -Xmx512m).
#
#   dev/compare-perf.sh BASE_TREE NEW_TREE WORKDIR [RUNS] [MOSAIC_RUNS]    (defaults 5 and 2)
#
# Each tree's ./diffris launcher builds its own jar. Prints every run, then a table of the median
# per tree and NEW/BASE.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="$(cd "${1:?usage: compare-perf.sh BASE_TREE NEW_TREE WORKDIR [RUNS] [MOSAIC_RUNS]}" && pwd)"
new="$(cd "${2:?}" && pwd)"
work="${3:?}"
runs="${4:-5}"
mosaic_runs="${5:-2}"
mkdir -p "$work"
scene="$new/sample-data/scenes/port.tif"

# An 8192² byte mask of seeded ellipses and rectangles (one per 10,000 pixels), 512² DEFLATE tiles,
# EPSG:32633 at 0.5 m: the shape of cli/bench/vectorize.sh's blobs, written without building it.
[ -f "$work/blobs_8192.tif" ] || /usr/bin/python3 - "$work/blobs_8192.tif" <<'PY'
import sys
import numpy as np
from osgeo import gdal, osr
n = 8192
rng = np.random.default_rng(42)
mask = np.zeros((n, n), np.uint8)
for _ in range(n * n // 10000):
    cy, cx = rng.integers(0, n, 2)
    ry, rx = rng.integers(3, 40, 2)
    y0, y1, x0, x1 = max(cy - ry, 0), min(cy + ry + 1, n), max(cx - rx, 0), min(cx + rx + 1, n)
    if rng.random() < 0.5:
        mask[y0:y1, x0:x1] = 1
    else:
        yy, xx = np.ogrid[y0:y1, x0:x1]
        mask[y0:y1, x0:x1][((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1] = 1
ds = gdal.GetDriverByName("GTiff").Create(sys.argv[1], n, n, 1, gdal.GDT_Byte,
    ["TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512", "COMPRESS=DEFLATE"])
ds.SetGeoTransform((400000, 0.5, 0, 5060000, 0, -0.5))
srs = osr.SpatialReference()
srs.ImportFromEPSG(32633)
ds.SetProjection(srs.ExportToWkt())
ds.GetRasterBand(1).WriteArray(mask)
ds = None
PY

# The 8 x 8 mosaic of the scene (14336²), as docs/benchmarks.md's large-raster check.
if [ ! -f "$work/mosaic_8x8.tif" ]; then
  /usr/bin/python3 "$root/cli/bench/mosaic_vrt.py" "$scene" 8 "$work/mosaic.vrt"
  gdal_translate -q -co TILED=YES -co COMPRESS=DEFLATE "$work/mosaic.vrt" "$work/mosaic_8x8.tif"
fi

value() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<< "$2"; }
log="$work/runs.tsv"
printf 'tree\tjob\trun\twall_s\trss_mib\ttotal_ms\tmodel_ms\tpolygons\thost_ms\ttiles\tmodel_ms_per_tile\n' > "$log"
measure() { # tree job run command...
  local tree="$1" job="$2" run="$3"
  shift 3
  rm -f "$work/out.gpkg"
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/stdout" 2>/dev/null
  local wall rss line
  read -r wall rss < "$work/time"
  line="$(tail -n 1 "$work/stdout")"
  local total model tiles host="" per_tile=""
  total="$(value total_ms "$line")"
  model="$(value model_ms "$line")"
  tiles="$(value tiles "$line")"
  # Everything but ONNX Runtime: JVM start, reading, blending, vectorizing, writing.
  [ -n "$total" ] && host=$((total - model))
  [ -n "$tiles" ] && per_tile="$(awk -v m="$model" -v t="$tiles" 'BEGIN { printf "%.3f", m / t }')"
  printf '%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tree" "$job" "$run" "$wall" \
    $((rss / 1024)) "$total" "$model" "$(value polygons "$line")" "$host" "$tiles" "$per_tile" \
    | tee -a "$log"
}
# The three jobs, each set as the array cmd: /usr/bin/time runs programs, not shell functions.
main_job() { cmd=("$1/diffris" segment --raster "$scene" --query "white storage tanks" --out "$work/out.gpkg" --overwrite); }
vectorize() { cmd=("$1/diffris" vectorize --mask "$work/blobs_8192.tif" --out "$work/out.gpkg"); }
mosaic() { cmd=(env JAVA_OPTS=-Xmx512m "$1/diffris" segment --raster "$work/mosaic_8x8.tif" --query "white storage tanks" --out "$work/out.gpkg" --overwrite); }

echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# Build, and have each tree's class-data-sharing archive written by the same job (the main job):
# an archive written by another command would hold other classes and slow only that tree.
for tree in "$base" "$new"; do
  rm -f "$tree/cli/target/diffris-cli.jsa"
  main_job "$tree"
  "${cmd[@]}" > /dev/null 2>&1
  rm -f "$work/out.gpkg"
  vectorize "$tree"
  "${cmd[@]}" > /dev/null 2>&1
done
# Odd runs start with BASE, even runs with NEW: neither tree always runs on a machine the other
# has just warmed (page cache, CPU frequency).
order() { if [ $(($1 % 2)) = 1 ]; then echo "$base $new"; else echo "$new $base"; fi; }
for i in $(seq "$runs"); do
  for tree in $(order "$i"); do
    name=$([ "$tree" = "$base" ] && echo base || echo new)
    main_job "$tree"
    measure "$name" main "$i" "${cmd[@]}"
    vectorize "$tree"
    measure "$name" vectorize "$i" "${cmd[@]}"
  done
done
for i in $(seq "$mosaic_runs"); do
  for tree in $(order "$i"); do
    name=$([ "$tree" = "$base" ] && echo base || echo new)
    mosaic "$tree"
    measure "$name" mosaic_8x8 "$i" "${cmd[@]}"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$log" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
print("| job | figure | base (median) | new (median) | new / base |")
print("|---|---|---:|---:|---:|")
for job, figures in (("main", ("total_ms", "model_ms", "host_ms", "model_ms_per_tile")),
                     ("vectorize", ("wall_s", "rss_mib")),
                     ("mosaic_8x8", ("total_ms", "model_ms", "host_ms", "rss_mib",
                                     "model_ms_per_tile"))):
    for fig in figures:
        med = {}
        for tree in ("base", "new"):
            vals = [float(r[fig]) for r in rows if r["job"] == job and r["tree"] == tree and r[fig]]
            med[tree] = statistics.median(vals) if vals else float("nan")
        print(f"| {job} | {fig} | {med['base']:.2f} | {med['new']:.2f} | {med['new'] / med['base']:.3f} |")
    for count in ("polygons", "tiles"):
        seen = {r["tree"]: r[count] for r in rows if r["job"] == job and r[count]}
        if seen:
            print(f"| {job} | {count} | {seen.get('base')} | {seen.get('new')} | |")
PY
