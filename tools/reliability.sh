#!/usr/bin/env bash
# Reliability checks (issue 6): the test suite under ASan+UBSan, the fuzz
# target for a bounded time, the CLI under valgrind memcheck.
#   tools/reliability.sh [fuzz-seconds]      (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds=${1:-60}
bash tools/install-deps.sh test

step() { printf '\n---- %s ----\n' "$*"; }

step "test suite under ASan + UBSan"
[ -d build-asan ] || meson setup build-asan -Db_sanitize=address,undefined \
  -Dc_args=-fno-sanitize-recover=all -Dbench=disabled -Dfuzz=disabled \
  -Db_lundef=false >/dev/null
ninja -C build-asan
ASAN_OPTIONS=detect_leaks=1 \
  LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0" \
  meson test -C build-asan --print-errorlogs --num-processes 2
grep -h 'Synthesis:' build-asan/meson-logs/testlog.txt || true

step "libFuzzer target under ASan + UBSan (${fuzz_seconds} s)"
[ -d build-fuzz ] || CC=clang meson setup build-fuzz -Db_sanitize=address,undefined \
  "-Dc_args=-fno-sanitize-recover=all -fsanitize=fuzzer-no-link" -Dtests=false \
  -Dbench=disabled -Ddefault_library=static -Db_lundef=false >/dev/null
ninja -C build-fuzz
# The structure-aware target (tests/fuzz/fuzz_conv.c): its inputs are about
# 40 bytes; the census says which statuses and kernels the run reached.
corpus=$(mktemp -d)
cp tests/fuzz/corpus/* "$corpus/"
set +o pipefail
SIMDCONV_FUZZ_CENSUS=1 build-fuzz/tests/fuzz/fuzz_conv \
  -max_total_time="$fuzz_seconds" -max_len=256 -timeout=60 \
  -dict=tests/fuzz/fuzz_conv.dict -print_final_stats=1 "$corpus" 2>&1 |
  grep -E 'stat::number_of_executed_units|DONE|ERROR|SUMMARY|fuzz_conv|simdconv_|kernel '
status=${PIPESTATUS[0]}
set -o pipefail
rm -rf "$corpus"
[ "$status" -eq 0 ] || { echo "fuzz target failed (exit $status)"; exit 1; }

step "CLI under valgrind memcheck"

[ -d build-valgrind ] || meson setup build-valgrind -Dbench=disabled -Dtests=false -Dfuzz=disabled >/dev/null
ninja -C build-valgrind
for args in "-C 5 -K 7 --kernel 3 --padding 1 -H 9 -W 11 --padding-mode reflect --activation gelu" \
            "-C 8 -K 8 --groups 8 --kernel 3 --stride 2 --padding 1 -H 13 -W 10 --layout nhwc --activation silu" \
            "-C 6 -K 4 --groups 2 --kernel 2x3 --dilation 2 --padding same -H 7 -W 8 --padding-mode circular --threads 2" \
            "-C 7 -K 9 --kernel 3 --padding 1 -H 9 -W 10 --int8 --input-type s8" \
            "-C 8 -K 8 --groups 8 --kernel 3 --padding 1 -H 9 -W 10 --layout nhwc --int8 --threads 2"; do
  # shellcheck disable=SC2086
  valgrind --error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite -q \
    build-valgrind/tools/simdconv run $args --repeat 1 >/dev/null
done
echo "valgrind: 0 errors"
