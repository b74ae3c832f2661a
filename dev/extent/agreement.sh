#!/usr/bin/env bash
# How much a crop's answer agrees with the whole raster's, for one source tree of this project:
# crops port.tif at several offsets with gdal_translate (as a user would), runs the tree's
# `diffris segment --probabilities` on the whole scene and on each crop, and prints per offset the
# IoU of the two answers (probability >= 0.5) and the pixels that differ, counted more than
# INSIDE pixels inside the crop's edge (default 64, as in issue 18), and more than the edge
# margin (135 pixels for diffris-tiny on 0.5 m imagery), and the largest probability difference
# there.
#
#   dev/extent/agreement.sh TREE WORKDIR [QUERY] [INSIDE]
set -euo pipefail
tree="$(cd "${1:?usage: agreement.sh TREE WORKDIR [QUERY] [INSIDE]}" && pwd)"
work="${2:?}"
query="${3:-white storage tanks}"
inside="${4:-64}"
mkdir -p "$work"
scene="$tree/sample-data/scenes/port.tif"
size=1300
run() { # raster probabilities
  "$tree/diffris" segment --raster "$1" --query "$query" --out "$work/out.gpkg" --overwrite \
    --probabilities "$2" > /dev/null
}
run "$scene" "$work/whole.tif"
for offset in "100 78" "256 256" "128 0" "101 77" "192 96"; do
  set -- $offset
  gdal_translate -q -srcwin "$1" "$2" "$size" "$size" "$scene" "$work/crop.tif"
  run "$work/crop.tif" "$work/crop-p.tif"
  /usr/bin/python3 - "$work/whole.tif" "$work/crop-p.tif" "$1" "$2" "$size" "$inside" <<'PY'
import sys
import numpy as np
from osgeo import gdal
whole = gdal.Open(sys.argv[1]).ReadAsArray()
crop = gdal.Open(sys.argv[2]).ReadAsArray()
x, y, n, inside = (int(v) for v in sys.argv[3:7])
whole = whole[y:y + n, x:x + n]
for label, m in (("inside %d px" % inside, inside), ("inside 135 px", 135)):
    a = whole[m:n - m, m:n - m]
    b = crop[m:n - m, m:n - m]
    pa, pb = a >= 0.5, b >= 0.5
    union = (pa | pb).sum()
    iou = (pa & pb).sum() / union if union else 1.0
    print("offset %4d,%4d %-14s agreement IoU %.4f  pixels differing %6d  max |dp| %.2e"
          % (x, y, label, iou, (pa != pb).sum(), np.nanmax(np.abs(a - b))))
PY
done
