#!/usr/bin/env bash
# Configures and builds Forecourt. Usage: scripts/build.sh [--sanitize] [--fuzz]
#   (default)   build/       release build with warnings as errors
#   --sanitize  build-asan/  AddressSanitizer + UndefinedBehaviorSanitizer (no benchmarks:
#                            their smoke runs are the release build's)
#   --fuzz      build-fuzz/  libFuzzer targets and the libraries they link (clang)
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build
args=(-DFC_WERROR=ON)
case "${1:-}" in
  --sanitize) dir=build-asan; args+=(-DFC_SANITIZE=ON -DFC_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
                    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1") ;;
  --fuzz) dir=build-fuzz; args+=(-DFC_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
                    -DCMAKE_BUILD_TYPE=RelWithDebInfo
                    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1") ;;
  "") ;;
  *) echo "usage: scripts/build.sh [--sanitize|--fuzz]" >&2; exit 2 ;;
esac

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$dir" -G Ninja "${args[@]}" >/dev/null
cmake --build "$dir" -j "$jobs"
