#!/bin/sh
# Conformance of simdconv with PyTorch (and scipy): builds the shared library
# and runs tests/conformance/conformance.py with Debian's python3-torch,
# python3-numpy and python3-scipy.
#
#   tests/conformance/run.sh [--quick | --long] [BUILD_DIR] [-- extra args]
#
# --quick (default) is the CI mode (~700 forward, 600 transposed and 1000
# int8 cases, a few minutes at most); --long the release mode (thousands of
# larger cases). BUILD_DIR defaults to
# build-conformance (relative to the source root); it is set up with meson
# if needed and rebuilt with ninja. The last line of the output is always
# "conformance: N passed, M failed"; the exit status is 0 only when M is 0.
set -u

mode=--quick
builddir=
while [ $# -gt 0 ]; do
  case "$1" in
    --quick|--long) mode=$1 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) builddir=$1 ;;
  esac
  shift
done

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
builddir=${builddir:-build-conformance}
case "$builddir" in /*) ;; *) builddir=$root/$builddir ;; esac
PY=/usr/bin/python3

fail() {
  echo "run.sh: $*" >&2
  echo "conformance: 0 passed, 1 failed"
  exit 1
}

# Debian's torch, numpy and scipy are packaged for /usr/bin/python3 only.
if ! "$PY" -c 'import torch, numpy, scipy.signal' >/dev/null 2>&1; then
  echo "run.sh: installing python3-torch python3-numpy python3-scipy" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi
  $sudo apt-get update || fail "apt-get update failed"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
    install -y --no-install-recommends \
    python3-torch python3-numpy python3-scipy ||
    fail "could not install python3-torch python3-numpy python3-scipy"
  "$PY" -c 'import torch, numpy, scipy.signal' ||
    fail "torch, numpy or scipy still not importable by $PY"
fi

if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" "$root" -Dtests=false -Dbench=disabled \
    -Dfuzz=disabled >&2 || fail "meson setup $builddir failed"
fi
ninja -C "$builddir" >&2 || fail "ninja -C $builddir failed"
lib=$builddir/src/libsimdconv.so
[ -f "$lib" ] || fail "$lib not found after the build"

# Keep the promised last line even if a harness itself dies. The forward
# cases (conformance.py), the transposed ones (conformance_transposed.py)
# and the int8 ones (conformance_q8.py) are summed into it; extra arguments
# go to the forward script only.
out=$(mktemp) || fail "mktemp failed"
trap 'rm -f "$out"' EXIT
"$PY" "$here/conformance.py" "$mode" --lib "$lib" "$@" | tee "$out"
fwd=$(tail -n 1 "$out")
"$PY" "$here/conformance_transposed.py" "$mode" --lib "$lib" | tee "$out"
tr=$(tail -n 1 "$out")
"$PY" "$here/conformance_q8.py" "$mode" --lib "$lib" | tee "$out"
q8=$(tail -n 1 "$out")
counts() { # "conformance...: N passed, M failed" -> "N M"
  echo "$1" | sed -n 's/^conformance[^:]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p'
}
set -- $(counts "$fwd") $(counts "$tr") $(counts "$q8")
if [ $# -ne 6 ]; then
  echo "run.sh: a conformance script did not finish" >&2
  echo "conformance: 0 passed, 1 failed"; exit 1
fi
echo "forward: $1 passed, $2 failed; transposed: $3 passed, $4 failed; int8: $5 passed, $6 failed"
echo "conformance: $(($1 + $3 + $5)) passed, $(($2 + $4 + $6)) failed"
[ $(($2 + $4 + $6)) -eq 0 ]
