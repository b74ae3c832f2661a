#!/usr/bin/env bash
# Records the observable outputs of one checkout of this repository, so that two checkouts (before
# and after a refactor) can be compared with compare.py.
#
#   dev/behaviour-snapshot/snapshot.sh TREE OUTDIR
#
# TREE: root of a checkout (any commit). OUTDIR: a folder that must not exist yet.
# Builds TREE inside its own Maven reactor (package, never install: ~/.m2 may hold SNAPSHOT jars
# of these modules built from another tree), then writes into OUTDIR:
#   tree.txt        TREE's commit, its `git status --short`, the org.diffris classpath entries
#   runs.tsv        every CLI run: name and arguments (<TREE>/<OUT> in place of the paths)
#   cli/NAME.*      each CLI run: stdout (.txt), stderr (.err), exit status (.rc), outputs
#   wps.tsv         diffris:Segment through GeoTools' process registry, one row per feature
#   wps-runs.tsv    one row per WPS run: inputs, status, feature type, EPSG code
#   wps.err         the process's own log lines (compared without timestamps and timings)
#   wps.log, work/  progress and timings, build log, classpath, compiled program (not compared)
# Exit status 0 when every run succeeded, 3 when the snapshot is complete but a run failed.
#
# Module names can be overridden when a refactor renames them:
#   SNAPSHOT_CLI_MODULE (default cli), SNAPSHOT_WPS_MODULE (default geoserver-wps-diffris).
set -euo pipefail

die() { echo "snapshot.sh: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: snapshot.sh TREE OUTDIR"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tree="$(cd "$1" && pwd)" || die "no such tree: $1"
[ -f "$tree/pom.xml" ] && [ -x "$tree/diffris" ] || die "$tree is not a checkout of this repository"
[ ! -e "$2" ] || die "$2 exists; give a new folder"
mkdir -p "$2"
out="$(cd "$2" && pwd)"
work="$out/work"
mkdir -p "$work" "$out/cli"
cli_module="${SNAPSHOT_CLI_MODULE:-cli}"
wps_module="${SNAPSHOT_WPS_MODULE:-geoserver-wps-diffris}"
started=$(date +%s)

# The runs must not depend on the caller's environment: every setting the CLI or the plugin reads
# from the environment is cleared, so both snapshots use their tree's embedded model on the CPU.
unset DIFFRIS_MODEL DIFFRIS_DEVICE DIFFRIS_MAX_PIXELS DIFFRIS_MAX_CONCURRENT DIFFRIS_THREADS \
  JAVA_OPTS JAVA_TOOL_OPTIONS _JAVA_OPTIONS
export DIFFRIS_CDS=off  # no class-data-sharing archive: nothing left over from earlier runs
export LC_ALL=C TZ=UTC

# c. Which tree this is (sed rather than head: head would end git early, an error under pipefail).
{
  echo "tree=$tree"
  echo "out=$out"
  echo "head=$(git -C "$tree" rev-parse HEAD)"
  git -C "$tree" status --short >"$work/git-status.txt"
  echo "status_lines=$(wc -l <"$work/git-status.txt")"
  echo "status (first 10 lines):"
  sed -n '1,10p' "$work/git-status.txt"
} >"$out/tree.txt"

# Build inside TREE's reactor. build-classpath in the same invocation sees the sibling modules as
# this build's own outputs; each module writes its list under its own target/.
echo "snapshot.sh: building $tree (log: $work/build.log)" >&2
if ! (cd "$tree" && mvn -q -B -ntp -DskipTests -pl "$cli_module,$wps_module" -am package \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile=target/behaviour-snapshot.classpath) >"$work/build.log" 2>&1; then
  tail -50 "$work/build.log" >&2
  die "build failed"
fi
[ -f "$tree/$cli_module/target/diffris-cli.jar" ] || die "the build made no $cli_module/target/diffris-cli.jar"

# The WPS classpath: third-party jars as Maven lists them, and every org.diffris entry replaced by
# TREE's own module target/classes, whether Maven named a reactor jar or a ~/.m2 SNAPSHOT jar.
# artifactId -> module folder, from TREE's poms (the <parent> block removed first).
: >"$work/modules.tsv"
while IFS= read -r pom; do
  # One awk reading the whole file (grep -m1 would end the pipe early: an error under pipefail).
  id="$(awk '/<parent>/ { p = 1 } /<\/parent>/ { p = 0; next }
    !p && !id && match($0, /<artifactId>[^<]*/) { id = substr($0, RSTART + 12, RLENGTH - 12) }
    END { print id }' "$pom")"
  printf '%s\t%s\n' "$id" "$(dirname "$pom")" >>"$work/modules.tsv"
done < <(find "$tree" -name pom.xml -not -path '*/target/*' -not -path '*/.git/*' | sort)
module_dir() { awk -F'\t' -v id="$1" '$1 == id { print $2; exit }' "$work/modules.tsv"; }

raw_cp="$tree/$wps_module/target/behaviour-snapshot.classpath"
[ -s "$raw_cp" ] || die "Maven wrote no classpath to $raw_cp"
cp "$raw_cp" "$work/classpath.maven.txt"
cp_final="$tree/$wps_module/target/classes"
: >"$work/classpath.diffris.txt"
IFS=':' read -r -a entries <"$raw_cp" || true  # the file has no final newline: read says 1
for e in "${entries[@]}"; do
  [ -n "$e" ] || continue
  mod=""
  case "$e" in
    "$tree"/*/target/*) mod="$(dirname "$(dirname "$e")")" ;;  # a module jar of this build
    */org/diffris/*)  # a ~/.m2 path: .../org/diffris/<artifactId>/<version>/<file>
      id="$(basename "$(dirname "$(dirname "$e")")")"
      mod="$(module_dir "$id")"
      [ -n "$mod" ] || die "classpath names $e, but no module of $tree has artifactId $id" ;;
  esac
  if [ -n "$mod" ]; then
    [ -d "$mod/target/classes" ] || die "$mod/target/classes is missing"
    e="$mod/target/classes"
    echo "$e" >>"$work/classpath.diffris.txt"
  fi
  cp_final="$cp_final:$e"
done
echo "$cp_final" >"$work/classpath.txt"
case ":$cp_final:" in
  *"/org/diffris/"*) die "a ~/.m2 jar of this project is still on the classpath: $work/classpath.txt" ;;
esac
{
  echo "wps classpath, org.diffris entries (the rest are third-party jars, see work/classpath.txt):"
  echo "  $tree/$wps_module/target/classes"
  sed 's/^/  /' "$work/classpath.diffris.txt"
} | tee -a "$out/tree.txt" >&2

# a. The CLI, with TREE's own launcher, from TREE (inputs relative to it, as in the README).
# Each run: NAME, then the arguments; @OUT@ stands for OUTDIR/cli.
: >"$out/runs.tsv"
failed=0
cli() {
  local name="$1" rc=0 a
  shift
  local args=()
  for a in "$@"; do args+=("${a//@OUT@/$out/cli}"); done
  { printf '%s' "$name"; for a in "$@"; do printf '\t%s' "${a//@OUT@/<OUT>/cli}"; done; echo; } >>"$out/runs.tsv"
  (cd "$tree" && ./diffris "${args[@]}") >"$out/cli/$name.txt" 2>"$out/cli/$name.err" || rc=$?
  echo "$rc" >"$out/cli/$name.rc"
  if [ "$rc" -ne 0 ]; then
    failed=$((failed + 1))
    echo "snapshot.sh: cli run $name failed (exit $rc): $(tail -1 "$out/cli/$name.err")" >&2
  fi
  echo "  cli $name: exit $rc, $(tail -1 "$out/cli/$name.txt")" >&2
}

scene=sample-data/scenes
tanks="white storage tanks"
echo "snapshot.sh: CLI runs" >&2
cli main segment --raster "$scene/port.tif" --query "$tanks" --out @OUT@/main.gpkg --preview @OUT@/main.png
cli port_ships_geojson segment --raster "$scene/port.tif" --query ships --out @OUT@/port_ships_geojson.geojson
cli port_tanks_probabilities segment --raster "$scene/port.tif" --query "$tanks" \
  --out @OUT@/port_tanks_probabilities.gpkg --probabilities @OUT@/port_tanks_probabilities.tif
cli port_tanks_simplify segment --raster "$scene/port.tif" --query "$tanks" --simplify 1 --min-area 20 \
  --out @OUT@/port_tanks_simplify.gpkg
cli port_tanks_threshold segment --raster "$scene/port.tif" --query "$tanks" --threshold 0.3 \
  --out @OUT@/port_tanks_threshold.gpkg
cli port_tanks_bands321 segment --raster "$scene/port.tif" --query "$tanks" --bands 3,2,1 \
  --out @OUT@/port_tanks_bands321.gpkg
cli airport_airplanes segment --raster "$scene/airport.tif" --query airplanes --out @OUT@/airport_airplanes.gpkg
cli town_pools segment --raster "$scene/town.tif" --query "swimming pools" --out @OUT@/town_pools.gpkg

# Every sample mask to both formats, and at 8-connectivity (each mask has two squares touching at a
# corner); the float probabilities also with --threshold (without it every non-zero pixel counts).
for mask in "$tree"/sample-data/masks/*.tif; do
  m="$(basename "$mask" .tif)"
  rel="sample-data/masks/$m.tif"
  cli "vec_${m}_gpkg" vectorize --mask "$rel" --out "@OUT@/vec_${m}_gpkg.gpkg"
  cli "vec_${m}_geojson" vectorize --mask "$rel" --out "@OUT@/vec_${m}_geojson.geojson"
  cli "vec_${m}_conn8" vectorize --mask "$rel" --connectivity 8 --out "@OUT@/vec_${m}_conn8.gpkg"
  case "$m" in
    probabilities*)
      cli "vec_${m}_t05_gpkg" vectorize --mask "$rel" --threshold 0.5 --out "@OUT@/vec_${m}_t05_gpkg.gpkg"
      cli "vec_${m}_t05_geojson" vectorize --mask "$rel" --threshold 0.5 --out "@OUT@/vec_${m}_t05_geojson.geojson"
      ;;
  esac
done
# The options that hold every polygon until the end (largest first).
cli vec_blobs_utm_simplify vectorize --mask sample-data/masks/blobs_utm.tif --simplify 2 --min-area 50 \
  --out @OUT@/vec_blobs_utm_simplify.gpkg
cli vec_blobs_utm_max5 vectorize --mask sample-data/masks/blobs_utm.tif --max-features 5 \
  --out @OUT@/vec_blobs_utm_max5.gpkg

# b. diffris:Segment through GeoTools' registry, by a program that names no org.diffris class.
echo "snapshot.sh: WPS runs (log: $out/wps.log)" >&2
javac -nowarn --release 17 -d "$work/classes" -cp "$cp_final" "$here/WpsSnapshot.java" 2>"$work/javac.log" \
  || { cat "$work/javac.log" >&2; die "WpsSnapshot.java does not compile against $tree"; }
wps_rc=0
# diffris.model: the tree's embedded bundle, named explicitly rather than found next to the jar.
java -Djava.awt.headless=true -Ddiffris.model="$tree/sample-data/models/diffris-tiny" \
  -cp "$work/classes:$cp_final" WpsSnapshot "$tree" "$out" >"$out/wps.log" 2>"$out/wps.err" || wps_rc=$?
sed 's/^/  wps /' "$out/wps.log" >&2
if [ "$wps_rc" -ne 0 ]; then
  failed=$((failed + 1))
  echo "snapshot.sh: the WPS program exited $wps_rc (stderr: $out/wps.err)" >&2
fi

echo "seconds=$(($(date +%s) - started))" >"$work/timing.txt"
echo "snapshot.sh: $out written in $(($(date +%s) - started)) s" >&2
if [ "$failed" -ne 0 ]; then
  echo "snapshot.sh: $failed run(s) failed; the snapshot records them (see above)" >&2
  exit 3
fi
