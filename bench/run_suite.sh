#!/usr/bin/env bash
# Runs the simdconv layer benchmark suite and prints the report.
#
#   bench/run_suite.sh            full suite: every layer of bench/layers.csv,
#                                 1 thread and all cores, 5 repetitions
#                                 (median), 0.2 s minimum per repetition;
#                                 about half an hour on 2 cores
#   bench/run_suite.sh --quick    CI smoke test: 6 small layers and 2 small
#                                 transposed ones, 1 repetition, short
#                                 minimum time; validation still on; about
#                                 a minute
#   bench/run_suite.sh --kernels  every registered kernel alone (forced) on
#                                 GEMM-like shapes in L1 and L2, one thread,
#                                 3 repetitions; writes kernels.txt; about a
#                                 minute
#   bench/run_suite.sh --residual the fused residual add on the residual
#                                 layers of ResNet-50 and MobileNetV2: plain,
#                                 fused, in place, unfused, oneDNN sum
#                                 post-op; 5 repetitions; writes residual.txt
#   bench/run_suite.sh --int8     the int8 convolution on bench/layers.csv and
#                                 extra_layers.csv: simdconv (every ISA, NHWC
#                                 and NCHW), its own fp32 run, oneDNN u8s8,
#                                 XNNPACK qu8 / qc8; 3
#                                 repetitions; writes int8.txt (--filter to
#                                 narrow it: a full run is about an hour)
#
# The full and quick modes run both layer suites: bench/layers.csv
# (convolutions) and bench/deconv_layers.csv (transposed convolutions,
# named .../deconv/...).
#
# Options:
#   --quick              the smoke-test mode above
#   --kernels            the per-kernel mode above
#   --residual           the residual mode above
#   --int8               the int8 mode above
#   --suite all|conv|deconv
#                        the layer suites of the full and quick modes
#                        (default all; deconv: the transposed convolutions
#                        only)
#   --build-dir DIR      meson build directory (default: build-bench); set up
#                        (release, benchmarks enabled) and built if needed
#   --no-build           use the existing binary as is
#   --out DIR            results directory (default:
#                        bench/results/YYYYmmdd-HHMMSS-MODE)
#   --repetitions N      repetitions per benchmark (median reported)
#   --min-time SECONDS   minimum time per repetition
#   --filter REGEX       only benchmarks whose name matches (see
#                        simdconv-bench --help)
#   --no-plot            skip the PNG plot
#   -- ARGS...           passed to simdconv-bench (e.g. --scalar,
#                        --peak=avx512:117, --layers=FILE)
#
# Writes to the results directory: results.json (Google Benchmark JSON),
# console.txt (everything the benchmark printed), report.txt, summary.csv and
# pct_peak_t*.png (medians), and with repetitions report_best.txt and
# summary_best.csv (each benchmark's fastest repetition). Exits non-zero when the benchmark failed, in particular
# when a configuration did not pass validation (a "VALIDATION FAILED" line).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

mode=full
build_dir="$root/build-bench"
do_build=1
out=""
reps=""
min_time=""
filter=""
plot=1
suite=all
extra=()

# The quick mode's layers: dense 3x3, 1x1, depthwise (stride 1 and 2),
# an asymmetric kernel and a grouped convolution, all small; a transposed
# 4x4 stride 2 and a transposed depthwise upsampler.
quick_filter='/(resnet50/res5_3x3|mobilenetv2/pw384to64_14|mobilenetv2/dw576_14|mobilenetv2/dw144_s2_56|inceptionv3/1x7_17|resnext50_32x4d/grouped3x3_56|deconv/dcgan/g3_256to128_s2|deconv/bilinear_upsample/dw4x4_s2_64)$'

die() { echo "run_suite.sh: $*" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) mode=quick ;;
    --suite) suite="${2:?}"; shift ;;
    --suite=*) suite="${1#*=}" ;;
    --kernels) mode=kernels ;;
    --residual) mode=residual ;;
    --int8) mode=int8 ;;
    --build-dir) build_dir="${2:?}"; shift ;;
    --build-dir=*) build_dir="${1#*=}" ;;
    --no-build) do_build=0 ;;
    --out) out="${2:?}"; shift ;;
    --out=*) out="${1#*=}" ;;
    --repetitions) reps="${2:?}"; shift ;;
    --repetitions=*) reps="${1#*=}" ;;
    --min-time) min_time="${2:?}"; shift ;;
    --min-time=*) min_time="${1#*=}" ;;
    --filter) filter="${2:?}"; shift ;;
    --filter=*) filter="${1#*=}" ;;
    --no-plot) plot=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) die "unknown option '$1' (--help)" ;;
  esac
  shift
done

if [[ $mode == quick ]]; then
  : "${reps:=1}" "${min_time:=0.02}" "${filter:=$quick_filter}"
elif [[ $mode == kernels ]]; then
  : "${reps:=3}" "${min_time:=0.1}"
  extra=(--kernels "${extra[@]}")
elif [[ $mode == residual ]]; then
  : "${reps:=5}" "${min_time:=0.2}"
  extra=(--residual "${extra[@]}")
elif [[ $mode == int8 ]]; then
  : "${reps:=3}" "${min_time:=0.1}"
  extra=(--int8 --layers="$here/layers.csv,$here/extra_layers.csv" "${extra[@]}")
else
  : "${reps:=5}" "${min_time:=0.2}"
fi
[[ -n $out ]] || out="$here/results/$(date +%Y%m%d-%H%M%S)-$mode"
bin="$build_dir/bench/simdconv-bench"

if [[ $do_build == 1 ]]; then
  # The README's main command works on a fresh machine: install what is missing.
  bash "$root/tools/install-deps.sh" bench
  if [[ ! -f $build_dir/build.ninja ]]; then
    echo "== configuring $build_dir (release, benchmarks enabled)"
    meson setup "$build_dir" "$root" --buildtype=release -Dbench=enabled \
      -Dtests=false
  fi
  echo "== building simdconv-bench in $build_dir"
  ninja -C "$build_dir" bench/simdconv-bench
fi
[[ -x $bin ]] || die "$bin not found (is Google Benchmark installed? " \
  "apt-get install libbenchmark-dev; or drop --no-build)"

mkdir -p "$out"
args=(
  --benchmark_out="$out/results.json"
  --benchmark_out_format=json
  --benchmark_repetitions="$reps"
  --benchmark_min_time="$min_time"
)
if [[ $reps -gt 1 ]]; then
  # The console shows the aggregates; the JSON keeps every repetition too
  # (report.py --stat best reads them). Repetitions run interleaved in a
  # random order, so that a slow spell of a shared machine (seconds long)
  # does not fall on every repetition of the same configuration.
  args+=(--benchmark_display_aggregates_only=true
         --benchmark_enable_random_interleaving=true)
fi
[[ -n $filter ]] && args+=(--filter="$filter")
[[ $suite == all || $mode == full || $mode == quick ]] ||
  die "--suite applies to the full and quick modes only"
case "$suite" in
  all) ;;
  conv) args+=(--layers="$here/layers.csv") ;;
  deconv) args+=(--layers="$here/deconv_layers.csv") ;;
  *) die "--suite: expected all, conv or deconv, got '$suite'" ;;
esac
args+=("${extra[@]}")

echo "== running $bin ($mode: repetitions $reps, min time ${min_time}s)"
echo "   results in $out"
if [[ -r /proc/loadavg ]] &&
   awk '{ exit !($1 > 0.5) }' /proc/loadavg; then
  echo "   note: load average $(cut -d' ' -f1-3 /proc/loadavg): other" \
    "processes are running, figures will be noisy"
fi
# Everything goes to console.txt; the terminal shows it too, without the
# mean/stddev/cv aggregate lines (the report uses the medians).
set +e
"$bin" "${args[@]}" 2>&1 | tee "$out/console.txt" |
  grep --line-buffered -v -E '_(mean|stddev|cv) +[0-9]'
status=${PIPESTATUS[0]}
set -e

echo
echo "== report"
report_args=(--out-dir "$out")
[[ $plot == 1 ]] || report_args+=(--no-plot)
if [[ -s $out/results.json ]]; then
  python3 "$here/report.py" "${report_args[@]}" "$out/results.json" ||
    echo "run_suite.sh: report.py failed" >&2
  if [[ $reps -gt 1 ]]; then
    python3 "$here/report.py" --stat best --out-dir "$out" --no-plot \
      "$out/results.json" >/dev/null ||
      echo "run_suite.sh: report.py --stat best failed" >&2
  fi
else
  echo "run_suite.sh: no results written" >&2
fi

echo
echo "== results in $out"
if [[ $status -ne 0 ]]; then
  grep -E 'FAILED' "$out/console.txt" >&2 || true
  echo "run_suite.sh: simdconv-bench exited with status $status" >&2
fi
# The benchmark's closing lines: "validation: N passed, N failed" (the
# layer suites) and, in the residual and int8 modes, "residual validation:
# ..." and "int8 validation: ...".
grep -E '^((residual|int8) )?validation: [0-9]+ passed, [0-9]+ failed$' \
  "$out/console.txt" | grep -v '^validation: 0 passed, 0 failed$' || true
exit "$status"
