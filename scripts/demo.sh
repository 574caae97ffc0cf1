#!/usr/bin/env bash
# Sets everything up, builds, and runs the demo: a consultant's day (and, with
# the store server, two tablets syncing) printed readably.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec build/bin/forecourt demo "$@"
