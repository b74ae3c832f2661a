#!/usr/bin/env bash
# Mean IoU of every query of sample-data/scenes/queries.tsv on float reflectance copies of the
# sample scenes (8-bit colours as 0-10000 at a third of the brightness: gdal_translate -ot Float32
# -scale 0 255 0 3333.3333), fed with --scale range:0,HIGH where HIGH is given per scene: which
# white point a float rule should pick. The polygons are burned back onto each ground-truth mask
# with GDAL (a pixel is in when its centre is inside, as SegmentSampleScenesTest does).
#
#   dev/encoding/white-point.sh WORKDIR LABEL PORT_HIGH AIRPORT_HIGH TOWN_HIGH
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:?usage: white-point.sh WORKDIR LABEL PORT_HIGH AIRPORT_HIGH TOWN_HIGH}"
label="${2:?}"
declare -A high=([port.tif]="${3:?}" [airport.tif]="${4:?}" [town.tif]="${5:?}")
mkdir -p "$work/$label"
for scene in port airport town; do
  [ -f "$work/refl-$scene.tif" ] || gdal_translate -q -ot Float32 -scale 0 255 0 3333.3333 \
    "$root/sample-data/scenes/$scene.tif" "$work/refl-$scene.tif"
done
sum=0
n=0
while IFS=$'\t' read -r scene query mask; do
  [ -z "$scene" ] && continue
  out="$work/$label/q$n.gpkg"
  "$root/diffris" segment --raster "$work/refl-${scene%.tif}.tif" --query "$query" --out "$out" \
    --overwrite --scale "range:0,${high[$scene]}" > /dev/null
  iou=$(/usr/bin/python3 - "$out" "$root/sample-data/scenes/$mask" <<'PY'
import sys
from osgeo import gdal
gdal.UseExceptions()
mask = gdal.Open(sys.argv[2])
truth = mask.ReadAsArray() != 0
burned = gdal.GetDriverByName("MEM").Create("", mask.RasterXSize, mask.RasterYSize, 1, gdal.GDT_Byte)
burned.SetGeoTransform(mask.GetGeoTransform())
burned.SetProjection(mask.GetProjection())
gdal.Rasterize(burned, sys.argv[1], burnValues=[1])
found = burned.ReadAsArray() != 0
union = (found | truth).sum()
print((found & truth).sum() / union if union else 1.0)
PY
)
  sum=$(/usr/bin/python3 -c "print($sum + $iou)")
  n=$((n + 1))
done < "$root/sample-data/scenes/queries.tsv"
/usr/bin/python3 -c "print('$label: mean IoU %.3f over $n queries' % ($sum / $n))"
