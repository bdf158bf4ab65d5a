#!/usr/bin/env bash
# Installs the Debian 12 packages simdconv needs, only those missing.
#   tools/install-deps.sh [test|bench|all]    (default: test)
# test:  build + Criterion tests + sanitizers/fuzzing toolchain + the Python
#        package's pytest suite (Debian's numpy, torch and pytest)
# bench: test + Google Benchmark, oneDNN, XNNPACK, gnuplot
# all:   bench + the aarch64 cross toolchain and QEMU
set -euo pipefail

profile=${1:-test}
pkgs=(meson ninja-build pkg-config gcc g++ libsleef-dev libcriterion-dev
      libpthreadpool-dev clang llvm libclang-rt-14-dev valgrind python3
      python3-numpy python3-torch python3-pytest)
case "$profile" in
  test) ;;
  bench|all) pkgs+=(libbenchmark-dev libdnnl-dev libxnnpack-dev gnuplot-nox) ;;&
  all) pkgs+=(gcc-aarch64-linux-gnu g++-aarch64-linux-gnu qemu-user
              qemu-user-binfmt binfmt-support dpkg-dev) ;;
  bench) ;;
  *) echo "install-deps.sh: unknown profile '$profile' (test|bench|all)" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -q
$sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
  install -y -q --no-install-recommends "${missing[@]}"
