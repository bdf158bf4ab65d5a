#!/usr/bin/env bash
# ThreadSanitizer check: builds the library with -fsanitize=thread (meson
# b_sanitize=thread, static) and tests/tsan_stress.c against it, then runs
# the stress program: one object (fp32 forward, transposed, int8) run
# concurrently from 4 threads (pool NULL
# and a shared 2-thread pthreadpool) on every ISA this machine can run,
# bitwise against a single-threaded run, and concurrent create/run/destroy.
# Exits non-zero on any ThreadSanitizer report (halt_on_error, exit code 66)
# or result mismatch; prints one summary line.
#
#   tools/tsan.sh [repeats]              (default 1: run the program once)
#
# Environment: SIMDCONV_BUILD_TSAN  build directory (default build-tsan).
# pthreadpool (Debian's binary) is not instrumented; tests/tsan_stress.c
# interposes its parallelize calls to tell TSan the ordering pthreadpool
# guarantees, so no suppression is needed (tests/tsan.supp explains).
set -euo pipefail
cd "$(dirname "$0")/.."

repeats=${1:-1}
build=${SIMDCONV_BUILD_TSAN:-build-tsan}
werror=false
[ "${CI:-}" = true ] && werror=true

bash tools/install-deps.sh test

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" -Db_sanitize=thread -Db_lundef=false \
    -Dbuildtype=debugoptimized -Ddefault_library=static -Dtests=false \
    -Dbench=disabled -Dfuzz=disabled -Dwerror=$werror >/dev/null
fi
ninja -C "$build" -j2 src/libsimdconv.a >/dev/null
cc -std=c11 -O1 -g -fsanitize=thread -Wall -Wextra -Wpedantic -Werror \
  -Iinclude tests/tsan_stress.c "$build/src/libsimdconv.a" \
  -lpthreadpool -lsleef -lm -lpthread -ldl -o "$build/tsan_stress"

export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp ${TSAN_OPTIONS:-}"
t0=$(date +%s)

# The annotations must not hide races: a deliberately racy pool job run
# through them has to be reported.
rc=0
TSAN_STRESS_SELFTEST=1 "$build/tsan_stress" >"$build/tsan_selftest.log" 2>&1 || rc=$?
if [ $rc -ne 66 ] || ! grep -q 'WARNING: ThreadSanitizer: data race' "$build/tsan_selftest.log"; then
  cat "$build/tsan_selftest.log" >&2
  echo "tsan: FAILED: the self-test race was not reported (exit $rc): the" \
    "pthreadpool annotations would hide races" >&2
  exit 1
fi

summary=""
for i in $(seq 1 "$repeats"); do
  log="$build/tsan_stress.$i.log"
  rc=0
  "$build/tsan_stress" >"$log" 2>&1 || rc=$?
  if [ $rc -ne 0 ] || grep -q 'ThreadSanitizer' "$log"; then
    cat "$log" >&2
    if [ $rc -eq 66 ] || grep -q 'WARNING: ThreadSanitizer' "$log"; then
      echo "tsan: FAILED: ThreadSanitizer report in run $i (log $log)" >&2
    else
      echo "tsan: FAILED: run $i exited $rc (log $log)" >&2
    fi
    exit 1
  fi
  summary=$(grep '^tsan_stress:' "$log" | tail -1)
done
echo "tsan: self-test race reported; $repeats run(s) clean, $(( $(date +%s) - t0 ))s; each run: ${summary#tsan_stress: }"
