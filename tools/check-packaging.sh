#!/usr/bin/env bash
# Packaging checks: `meson install` + pkg-config consumer, meson subproject
# consumer, and that the shared library exports only the public API.
#   tools/check-packaging.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: check-packaging.sh BUILD_DIR}
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

consumer='#include <simdconv.h>
#include <stdio.h>
int main(void) {
  simdconv_desc d;
  simdconv_desc_init(&d, 1, 1, 1, 1);
  const float x = 2.0f, w = 3.0f;
  float y = 0.0f;
  simdconv_status st = simdconv_conv2d(&d, 1, 1, 1, &x, &w, NULL, &y, NULL);
  printf("simdconv %s: 2*3 = %g (%s)\n", simdconv_version_string(), y,
         simdconv_status_string(st));
  return st == SIMDCONV_OK && y == 6.0f ? 0 : 1;
}'

echo "-- exported symbols"
extra=$(nm -D --defined-only "$build/src/libsimdconv.so" | awk '{print $3}' | grep -v '^simdconv_' || true)
if [ -n "$extra" ]; then echo "non-API symbols exported: $extra" >&2; exit 1; fi
nm -D --defined-only "$build/src/libsimdconv.so" | grep -c ' simdconv_' | sed 's/^/public symbols: /'

echo "-- meson install + pkg-config"
meson install -C "$build" --destdir "$work/dest" >/dev/null
prefix=$(meson introspect "$build" --buildoptions | python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))')
pc_dir=$(dirname "$(find "$work/dest" -name simdconv.pc | head -1)")
printf '%s\n' "$consumer" > "$work/consumer.c"
export PKG_CONFIG_SYSROOT_DIR="$work/dest" PKG_CONFIG_PATH="$pc_dir"
# shellcheck disable=SC2046
cc -std=c11 "$work/consumer.c" $(pkg-config --cflags --libs simdconv) -o "$work/consumer"
LD_LIBRARY_PATH="$work/dest$prefix/lib/$(ls "$work/dest$prefix/lib" | grep -v '\.' | head -1):$work/dest$prefix/lib" "$work/consumer"
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH

echo "-- Python package from the install tree"
py_pkg=$(find "$work/dest" -path '*-packages/simdconv/__init__.py' | head -1)
if [ -z "$py_pkg" ]; then
  echo "no Python package installed (configured with -Dpython=disabled or without /usr/bin/python3)"
else
  # The installed package records the library's final path; under --destdir
  # it is not there yet, so point SIMDCONV_LIBRARY at the staged copy.
  PYTHONPATH=$(dirname "$(dirname "$py_pkg")") \
  SIMDCONV_LIBRARY=$(find "$work/dest" -name 'libsimdconv.so.0' | head -1) \
  /usr/bin/python3 - "$prefix" <<'PY'
import sys
import numpy as np
import simdconv
from simdconv import _config
assert _config.LIBRARY.startswith(sys.argv[1] + "/"), _config.LIBRARY
y = simdconv.conv2d(np.float32([[[[2]]]]), np.float32([[[[3]]]]))
print("simdconv %s (Python, records %s): 2*3 = %g" % (
    simdconv.__version__, _config.LIBRARY, y[0, 0, 0, 0]))
sys.exit(0 if y[0, 0, 0, 0] == 6 else 1)
PY
fi

echo "-- meson subproject"
mkdir -p "$work/sub/subprojects"
ln -s "$root" "$work/sub/subprojects/simdconv"
printf '%s\n' "$consumer" > "$work/sub/main.c"
cat > "$work/sub/meson.build" <<'MESON'
project('consumer', 'c', default_options : ['c_std=c11'])
simdconv = dependency('simdconv', fallback : ['simdconv', 'simdconv_dep'],
  default_options : ['tests=false', 'bench=disabled', 'default_library=static'])
test('consumer', executable('consumer', 'main.c', dependencies : simdconv))
MESON
# The subproject must not pick up an installed copy: force the fallback.
meson setup "$work/sub/build" "$work/sub" --force-fallback-for=simdconv >/dev/null
ninja -C "$work/sub/build" >/dev/null
"$work/sub/build/consumer"
echo "packaging checks passed"
