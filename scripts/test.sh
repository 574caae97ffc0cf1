#!/usr/bin/env bash
# Sets everything up, builds, and runs the whole test suite with ctest.
# Usage: scripts/test.sh [--sanitize]   (--sanitize: under ASan + UBSan, in build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh "$@"
dir=build
[ "${1:-}" = "--sanitize" ] && dir=build-asan
jobs=$(nproc 2>/dev/null || echo 2)
ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 900
