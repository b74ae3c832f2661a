#!/usr/bin/env bash
# The vectorize benchmark: builds the command line and the benchmark program, then runs
# org.diffris.cli.bench.VectorizeBenchmark, which writes seeded masks (8192², 16384² blobs,
# 4096² salt-and-pepper) as GeoTIFFs and compares `diffris vectorize` with gdal_polygonize.py
# (end to end) and with jt-vectorize (in-process). Results: stdout and WORK_DIR/results.md.
#
#   cli/bench/vectorize.sh [WORK_DIR] [quick]      (default WORK_DIR: a new folder under /tmp)
#
# Masks already in WORK_DIR are reused (they are seeded, so identical).
# Needs gdal-bin and GNU time (/usr/bin/time); installs Debian's `time` when missing (root).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:-$(mktemp -d /tmp/diffris-bench.XXXXXX)}"
mode="${2:-full}"

if [ ! -x /usr/bin/time ]; then
  echo "bench: installing GNU time" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends time >&2
fi
command -v gdal_polygonize.py >/dev/null || { echo "bench: gdal_polygonize.py not on PATH (apt-get install gdal-bin)" >&2; exit 1; }

cd "$root"
# One reactor run: packages the jar, compiles the benchmark (test classes), writes the classpath
# (each module writes the file; cli, built last, wins).
mvn -q -B -pl cli -am -DskipTests package dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/classpath.txt" >&2

classpath="cli/target/test-classes:cli/target/classes:$(cat "$work/classpath.txt")"
exec java -Xmx3g -cp "$classpath" org.diffris.cli.bench.VectorizeBenchmark \
  "$work" "$root/cli/target/diffris-cli.jar" "$mode"
