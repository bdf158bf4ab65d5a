#!/usr/bin/env bash
# Builds simdconv and runs the whole test suite natively; installs missing
# Debian packages first. Prints Criterion's Synthesis lines and one summary.
#   tools/test.sh [build-dir]          (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/install-deps.sh test
build=${1:-build}
werror=false
[ "${CI:-}" = true ] && werror=true
if [ ! -d "$build" ]; then
  meson setup "$build" -Dbench=disabled -Dwerror=$werror
fi
ninja -C "$build"
status=0
meson test -C "$build" --print-errorlogs --num-processes 2 || status=$?
# Criterion prints its closing line on stderr, which meson keeps in the log.
grep -h 'Synthesis:' "$build/meson-logs/testlog.txt" || true
python3 tools/sum_synthesis.py "$build/meson-logs/testlog.txt" || status=1
exit $status
