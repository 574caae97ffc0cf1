#!/usr/bin/env bash
# Sets everything up, builds, and runs the whole test suite with ctest.
# Usage: scripts/test.sh [--sanitize]   (--sanitize: under ASan + UBSan, in build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh "$@"
dir=build
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  # The release run covers the merge engine's 1,000 seeds; under the
  # sanitizers, a quarter of them looks for memory errors at a fifth the speed.
  export FORECOURT_PROPERTY_SEEDS=${FORECOURT_PROPERTY_SEEDS:-250}
fi
jobs=$(nproc 2>/dev/null || echo 2)
ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 900
