#!/usr/bin/env bash
# Runs simdconv's tests where this machine cannot run them natively:
#   1. AArch64: cross-builds with gcc-aarch64-linux-gnu against an arm64
#      sysroot (tools/make-arm64-sysroot.sh) and runs the COMPLETE test suite
#      under qemu-aarch64 through binfmt_misc (Criterion re-executes itself),
#      plus the dispatch test with SIMDCONV_EXPECT_ISA (neon, and scalar under
#      SIMDCONV_ISA=scalar) and the int8 suites on a CPU without the dot
#      product (QEMU_CPU=cortex-a72; the complete suite runs on qemu's
#      default, max, which has it).
#   2. x86 dispatch: builds the dispatch test with the file suffix .qx86,
#      which a binfmt_misc extension entry hands to qemu-x86_64, and runs it
#      (and a reduced correctness run) under emulated CPUs chosen with
#      QEMU_CPU: Haswell (must choose avx2), Nehalem (must choose scalar: no
#      FMA, so the scalar epilogue uses SLEEF's cinz functions), Haswell with
#      SIMDCONV_ISA=scalar (must choose scalar), and the int8 suite under
#      Haswell and Nehalem; the CLI's checks (fp32 and --int8) under both;
#      then natively: no cap (must
#      choose avx512 on an AVX-512 machine) and SIMDCONV_ISA=avx2 (avx2).
# Installs what it needs with apt (as root, or through sudo), mounts
# binfmt_misc when needed and registers the two entries. Prints Criterion's
# Synthesis lines and one summary per part; exits non-zero on any failure.
#
#   tools/cross-test.sh [aarch64|x86|all]        (default: all)
#
# Environment:
#   SIMDCONV_SYSROOT_DIR   arm64 sysroot cache (default build-sysroot-arm64)
#   SIMDCONV_BUILD_AARCH64 cross build dir     (default build-aarch64)
#   SIMDCONV_BUILD_QEMU_X86 native build dir   (default build-qemu-x86)
#   SIMDCONV_QEMU_TIMEOUT  meson --timeout-multiplier under QEMU (default 10)
#   SIMDCONV_TEST_SCALE    passed through to the tests (shrinks random
#                          configuration counts where the suite supports it)
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-all}
case "$what" in
  aarch64|x86|all) ;;
  *) echo "usage: tools/cross-test.sh [aarch64|x86|all]" >&2; exit 2 ;;
esac

sysroot_dir=${SIMDCONV_SYSROOT_DIR:-build-sysroot-arm64}
build_a64=${SIMDCONV_BUILD_AARCH64:-build-aarch64}
build_x86=${SIMDCONV_BUILD_QEMU_X86:-build-qemu-x86}
timeout_mult=${SIMDCONV_QEMU_TIMEOUT:-10}
werror=false
[ "${CI:-}" = true ] && werror=true

# The binfmt_misc extension handled by qemu-x86_64 (tests/qemu/meson.build
# builds the dispatch test with this name_suffix).
qx86=qx86
haswell='Haswell-noTSX,-pcid,-x2apic,-tsc-deadline,-invpcid'

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
step() { printf '\n==== %s ====\n' "$*"; }
now() { date +%s; }
failures=()
logs=()   # every log with Criterion Synthesis lines, for the final summary
fail() { failures+=("$*"); echo "FAILED: $*" >&2; }

# ---- packages ---------------------------------------------------------------

install_packages() {
  bash tools/install-deps.sh test
  local pkgs=(qemu-user qemu-user-binfmt)
  [ "$what" != x86 ] && pkgs+=(gcc-aarch64-linux-gnu g++-aarch64-linux-gnu)
  local update=false missing=()
  if [ "$what" != x86 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
    update=true
  fi
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$p")
  done
  # The arm64 package lists (for the sysroot) need an update after adding
  # the architecture, or when they were never fetched.
  if [ "$what" != x86 ] &&
     ! apt-cache policy libsleef-dev:arm64 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    update=true
  fi
  if [ ${#missing[@]} -gt 0 ] || $update; then
    $sudo apt-get update -q
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "cross-test: installing ${missing[*]}"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
      install -y -q --no-install-recommends "${missing[@]}"
  fi
}

# ---- binfmt_misc ------------------------------------------------------------

binfmt=/proc/sys/fs/binfmt_misc

binfmt_setup() {
  if [ ! -e "$binfmt/register" ]; then
    $sudo mount -t binfmt_misc binfmt_misc "$binfmt"
  fi
  $sudo sh -c "echo 1 > $binfmt/status"
  if [ "$what" != x86 ] && [ ! -e "$binfmt/qemu-aarch64" ]; then
    grep -v '^#' /usr/lib/binfmt.d/qemu-aarch64.conf | $sudo tee "$binfmt/register" >/dev/null
  fi
  if [ "$what" != aarch64 ] && [ ! -e "$binfmt/qemu-x86_64-$qx86" ]; then
    echo ":qemu-x86_64-$qx86:E::$qx86::/usr/bin/qemu-x86_64:" |
      $sudo tee "$binfmt/register" >/dev/null
  fi
  for e in qemu-aarch64 "qemu-x86_64-$qx86"; do
    [ -e "$binfmt/$e" ] && ! head -1 "$binfmt/$e" | grep -q enabled &&
      $sudo sh -c "echo 1 > $binfmt/$e"
  done
  return 0
}

# ---- helpers ----------------------------------------------------------------

# Runs a Criterion binary with the given environment; keeps its output in
# $log_dir/<label>.log, prints its Synthesis line, records a failure.
# usage: run_criterion LABEL BINARY [VAR=VALUE...] [-- criterion args]
run_criterion() {
  local label=$1 bin=$2; shift 2
  local envs=() args=()
  while [ $# -gt 0 ]; do
    if [ "$1" = -- ]; then shift; args=("$@"); break; fi
    envs+=("$1"); shift
  done
  local log="$log_dir/$label.log" t0 rc=0
  t0=$(now)
  env "${envs[@]}" "$bin" "${args[@]}" >"$log" 2>&1 || rc=$?
  local synth
  synth=$(grep -h 'Synthesis:' "$log" | tail -1 || true)
  printf '%-40s %3ss  %s\n' "$label" "$(( $(now) - t0 ))" "${synth:-(no Synthesis line)}"
  if [ $rc -ne 0 ] || [ -z "$synth" ]; then
    fail "$label (exit $rc, log $log)"
    tail -30 "$log" >&2
  fi
}

# Runs a command, records a failure; output kept in $log_dir/<label>.log.
run_cmd() {
  local label=$1; shift
  local log="$log_dir/$label.log" t0 rc=0
  t0=$(now)
  "$@" >"$log" 2>&1 || rc=$?
  printf '%-40s %3ss  %s\n' "$label" "$(( $(now) - t0 ))" \
    "$([ $rc -eq 0 ] && echo ok || echo "FAILED (exit $rc)")"
  if [ $rc -ne 0 ]; then
    fail "$label (exit $rc, log $log)"
    tail -30 "$log" >&2
  fi
}

# Configurations for the CLI's correctness check (oracle + all usable ISAs
# agree bit for bit): small, so they stay quick under emulation, and covering
# the kernel families (igemm, depthwise, direct) and every activation.
cli_configs=(
  "-C 13 -K 21 --kernel 3 --padding 1 --activation gelu"
  "-C 8 -K 40 --kernel 3x5 --padding same --layout nhwc --activation silu"
  "-C 5 -K 3 --kernel 1 --stride 2 -N 2 --activation sigmoid"
  "-C 16 -K 24 --kernel 3 --padding 2 --dilation 2 --groups 4 --padding-mode reflect --activation tanh"
  "-C 7 -K 9 --kernel 2x3 --padding 1,2 --padding-mode circular --layout nhwc --flip --no-bias --activation gelu_tanh"
  "-C 4 -K 17 --kernel 5 --padding 2 --padding-mode replicate --data int --activation relu6"
  "-C 12 -K 12 --kernel 3 --padding 1 --groups 12 --activation clamp:-0.5:0.25"
  "-C 6 -K 12 --kernel 3x3 --stride 2 --padding 1 --groups 6 --layout nhwc --activation relu"
  "-C 32 -K 33 --kernel 3 --padding 1 --threads 2"
  "-C 13 -K 21 --kernel 3 --padding 1 --int8"
  "-C 16 -K 40 --kernel 3x5 --padding same --layout nhwc --int8 --input-type s8 --activation relu"
  "-C 12 -K 12 --kernel 3 --stride 2 --padding 1 --groups 12 --int8 --output-type s8 --per-tensor"
  "-C 8 -K 8 --kernel 3 --padding 1 --groups 8 --layout nhwc --padding-mode reflect --int8 --threads 2"
  "--transposed -C 9 -K 17 --kernel 4 --stride 2 --padding 1 --activation relu"
  "--transposed -C 6 -K 12 --groups 6 --kernel 3 --stride 2 --padding 1 --output-padding 1 --layout nhwc --weights iohw"
  "--transposed -C 5 -K 3 --kernel 3 --stride 3 --dilation 2 --output-padding 2 --threads 2 --activation silu"
)

# usage: run_cli LABEL PREFIX... : runs every configuration through PREFIX
# (e.g. qemu-x86_64 -cpu X) and the CLI binary $cli.
run_cli() {
  local label=$1; shift
  local log="$log_dir/$label.log" t0 rc=0 n=0 bad=0
  t0=$(now)
  : >"$log"
  for cfg in "${cli_configs[@]}"; do
    n=$((n + 1))
    # shellcheck disable=SC2086
    if ! "$@" "$cli" run $cfg -H 10 -W 11 --repeat 1 --seed $((1234 + n)) >>"$log" 2>&1 ||
       ! tail -1 "$log" | grep -q 'agree bit for bit: yes'; then
      bad=$((bad + 1))
      echo "^^^ FAILED: $cfg" >>"$log"
    fi
  done
  printf '%-40s %3ss  %s\n' "$label" "$(( $(now) - t0 ))" \
    "$([ $bad -eq 0 ] && echo "ok ($n configurations)" || echo "FAILED ($bad of $n)")"
  if [ $bad -ne 0 ]; then
    fail "$label ($bad of $n configurations, log $log)"
    grep -B8 '^^^^ FAILED' "$log" | tail -40 >&2
  fi
}

# ---- AArch64 ----------------------------------------------------------------

run_aarch64() {
  step "AArch64: arm64 sysroot"
  local sysroot
  sysroot=$(bash tools/make-arm64-sysroot.sh "$sysroot_dir" | tail -1)
  # QEMU_LD_PREFIX is inherited by Criterion's re-executed children (the
  # cross file's exe_wrapper sets it for meson test too); not exported, so
  # the x86 runs below do not see it.
  local qlp=QEMU_LD_PREFIX=$sysroot

  step "AArch64: cross build ($build_a64)"
  if [ ! -f "$build_a64/build.ninja" ]; then
    meson setup "$build_a64" -Dbench=disabled -Dwerror=$werror \
      --cross-file "$sysroot/sysroot.ini" --cross-file cross/aarch64-linux-gnu.ini
  fi
  ninja -C "$build_a64" -j2

  step "AArch64: complete test suite under qemu-aarch64"
  local t0 rc=0
  t0=$(now)
  env "$qlp" meson test -C "$build_a64" --print-errorlogs --num-processes 2 \
    --timeout-multiplier "$timeout_mult" || rc=$?
  echo "test suite under qemu-aarch64: $(( $(now) - t0 ))s"
  grep -h 'Synthesis:' "$build_a64/meson-logs/testlog.txt" || true
  python3 tools/sum_synthesis.py "$build_a64/meson-logs/testlog.txt" || rc=1
  [ $rc -eq 0 ] || fail "AArch64 test suite (log $build_a64/meson-logs/testlog.txt)"

  step "AArch64: dispatch and CLI cross-ISA check under qemu-aarch64"
  log_dir="$build_a64/meson-logs/cross-test"
  mkdir -p "$log_dir"
  # The suite above ran on qemu's default CPU (max: with the dot product);
  # the int8 suites again on a CPU without it (the baseline int8 kernel,
  # the forced dot-product kernel answering KERNEL_NOT_SUPPORTED).
  run_criterion aarch64-q8-nodotprod "$build_a64/tests/test_q8" "$qlp" \
    QEMU_CPU=cortex-a72 -- -j2
  run_criterion aarch64-kernels-nodotprod "$build_a64/tests/test_kernels" \
    "$qlp" QEMU_CPU=cortex-a72 -- -j2 --filter 'kernels/*'
  # src/meson.build builds the NEON kernels when src/neon/meson.build exists.
  local expect=scalar
  [ -f src/neon/meson.build ] && expect=neon
  local disp="$build_a64/tests/qemu/test_dispatch_qemu"
  if [ -x "$disp" ]; then
    run_criterion aarch64-dispatch "$disp" "$qlp" SIMDCONV_EXPECT_ISA=$expect
    run_criterion aarch64-dispatch-cap-scalar "$disp" "$qlp" SIMDCONV_ISA=scalar \
      SIMDCONV_EXPECT_ISA=scalar
  else
    fail "AArch64 dispatch test not built ($disp)"
  fi
  cli="$build_a64/tools/simdconv"
  run_cli aarch64-cli-check env "$qlp"
  logs+=("$build_a64/meson-logs/testlog.txt" "$log_dir"/*.log)
}

# ---- x86 dispatch under QEMU --------------------------------------------------

run_x86() {
  step "x86: native build of the dispatch tests ($build_x86)"
  if [ ! -f "$build_x86/build.ninja" ]; then
    meson setup "$build_x86" -Dbench=disabled -Dwerror=$werror
  fi
  ninja -C "$build_x86" -j2
  log_dir="$build_x86/meson-logs/cross-test"
  mkdir -p "$log_dir"
  local emu="$build_x86/tests/qemu/test_dispatch_qemu.$qx86"
  local ident="$build_x86/tests/qemu/test_identity_qemu.$qx86"
  local errs="$build_x86/tests/qemu/test_errors_qemu.$qx86"
  local q8="$build_x86/tests/qemu/test_q8_qemu.$qx86"
  local api="$build_x86/tests/qemu/test_api_qemu.$qx86"
  local nat="$build_x86/tests/test_dispatch"
  cli="$build_x86/tools/simdconv"
  if [ ! -x "$emu" ] || [ ! -x "$ident" ] || [ ! -x "$errs" ] || [ ! -x "$q8" ] ||
     [ ! -x "$api" ] || [ ! -x "$nat" ]; then
    fail "x86 dispatch tests not built ($emu, $ident, $errs, $q8, $api, $nat)"
    return 0
  fi

  step "x86: dispatch under emulated CPUs (binfmt .$qx86 -> qemu-x86_64)"
  run_criterion x86-qemu-haswell "$emu" QEMU_CPU="$haswell" SIMDCONV_EXPECT_ISA=avx2
  run_criterion x86-qemu-haswell-cap-scalar "$emu" QEMU_CPU="$haswell" \
    SIMDCONV_ISA=scalar SIMDCONV_EXPECT_ISA=scalar
  run_criterion x86-qemu-nehalem "$emu" QEMU_CPU=Nehalem SIMDCONV_EXPECT_ISA=scalar

  step "x86: reduced correctness run under emulated CPUs"
  # The cross-ISA bitwise identity suite (every usable ISA against scalar)
  # and the CLI's oracle + bitwise check over a few configurations.
  run_criterion x86-qemu-haswell-identity "$ident" QEMU_CPU="$haswell" -- -j2
  run_criterion x86-qemu-nehalem-identity "$ident" QEMU_CPU=Nehalem -- -j2
  # Statuses where the CPU lacks AVX-512 (Haswell) or AVX2 too (Nehalem):
  # asking for them must answer ISA_NOT_SUPPORTED.
  run_criterion x86-qemu-haswell-errors "$errs" QEMU_CPU="$haswell" -- -j2
  # int8 where AVX2 is the best level (its igemm and depthwise kernels) and
  # where only scalar is.
  run_criterion x86-qemu-haswell-q8 "$q8" QEMU_CPU="$haswell" -- -j2
  run_criterion x86-qemu-nehalem-q8 "$q8" QEMU_CPU=Nehalem -- -j2
  run_criterion x86-qemu-nehalem-errors "$errs" QEMU_CPU=Nehalem -- -j2
  run_criterion x86-qemu-haswell-api "$api" QEMU_CPU="$haswell" -- -j2
  run_criterion x86-qemu-nehalem-api "$api" QEMU_CPU=Nehalem -- -j2
  run_cli x86-qemu-haswell-cli qemu-x86_64 -cpu "$haswell"
  run_cli x86-qemu-nehalem-cli qemu-x86_64 -cpu Nehalem

  step "x86: dispatch natively"
  local best=scalar
  if grep -q avx512bw /proc/cpuinfo && grep -q avx512vl /proc/cpuinfo &&
     grep -q avx512dq /proc/cpuinfo; then best=avx512
  elif grep -q avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then best=avx2; fi
  run_criterion x86-native "$nat" SIMDCONV_EXPECT_ISA=$best
  [ $best = avx512 ] &&
    run_criterion x86-native-cap-avx2 "$nat" SIMDCONV_ISA=avx2 SIMDCONV_EXPECT_ISA=avx2
  run_criterion x86-native-cap-scalar "$nat" SIMDCONV_ISA=scalar SIMDCONV_EXPECT_ISA=scalar
  logs+=("$log_dir"/*.log)
  return 0
}

# ---- main -------------------------------------------------------------------

start=$(now)
step "packages and binfmt_misc"
install_packages
binfmt_setup
[ "$what" != x86 ] && [ "$(uname -m)" = x86_64 ] && run_aarch64
[ "$what" != aarch64 ] && [ "$(uname -m)" = x86_64 ] && run_x86

step "cross-test summary ($(( $(now) - start ))s)"
status=0
if [ ${#failures[@]} -ne 0 ]; then
  printf 'FAILED: %s\n' "${failures[@]}"
  status=1
fi
# The closing line, in tools/sum_synthesis.py's format, over every run.
all=$(mktemp)
cat "${logs[@]}" >"$all" 2>/dev/null || true
python3 tools/sum_synthesis.py "$all" || status=1
rm -f "$all"
exit $status
