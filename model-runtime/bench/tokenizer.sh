#!/usr/bin/env bash
# The tokenizer benchmark: compiles model-runtime's tests, then runs
# org.diffris.runtime.text.ClipTokenizerBenchmark, which learns a vocabulary of CLIP's size
# (49,408 tokens) from the Python sources on the machine (or takes the vocab.json + merges.txt
# of TOKENIZER_DIR, such as CLIP's own) and compares ClipTokenizer with the HuggingFace
# tokenizers library (DJL) in one JVM: loading time and strings/s. Results: stdout and
# WORK_DIR/results.md.
#
#   model-runtime/bench/tokenizer.sh [WORK_DIR] [TOKENIZER_DIR]   (default WORK_DIR: a new folder under /tmp)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:-$(mktemp -d /tmp/diffris-tokenizer-bench.XXXXXX)}"
mkdir -p "$work"
cd "$root"
mvn -q -B -pl model-runtime -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$work/classpath.txt" >&2
classpath="model-runtime/target/test-classes:model-runtime/target/classes:$(cat "$work/classpath.txt")"
exec java -Xmx4g -DDJL_CACHE_DIR="$root/model-runtime/target/djl-cache" -Dai.djl.offline=true \
  -cp "$classpath" org.diffris.runtime.text.ClipTokenizerBenchmark "$work" ${2:+"$2"}
