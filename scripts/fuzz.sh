#!/usr/bin/env bash
# Builds the libFuzzer targets (scripts/build.sh --fuzz, build-fuzz/) and runs
# each one for a number of seconds (default 60) on a scratch copy of its seed
# corpus in tests/fuzz/corpus/. Fails on the first crash, sanitizer report or
# 5xx answer; the input that caused it is kept in build-fuzz/artifacts/.
# Usage: scripts/fuzz.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
targets=(codec store_service)  # build-fuzz/bin/fuzz_<name>, tests/fuzz/corpus/<name>/

build_start=$(date +%s)
bash scripts/build.sh --fuzz
echo "fuzz build: $(( $(date +%s) - build_start )) s"

artifacts=build-fuzz/artifacts
mkdir -p "$artifacts"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

for name in "${targets[@]}"; do
  mkdir -p "$scratch/$name/corpus" "$scratch/$name/tmp"
  cp tests/fuzz/corpus/"$name"/* "$scratch/$name/corpus/"
  log="$scratch/$name/log"
  echo "fuzz_$name: ${seconds} s"
  # TMPDIR: the store the handler's target creates lives in the scratch directory.
  if ! TMPDIR="$scratch/$name/tmp" build-fuzz/bin/fuzz_"$name" \
         -max_total_time="$seconds" -print_final_stats=1 \
         -artifact_prefix="$artifacts/${name}-" "$scratch/$name/corpus" >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "fuzz_$name FAILED; the input is in $artifacts/ (replay: build-fuzz/bin/fuzz_$name <file>)" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  echo "fuzz_$name: ok, $runs inputs, $rate per second"
done
