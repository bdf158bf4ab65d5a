#!/usr/bin/env bash
# Line and branch coverage of src/ by the fuzz corpus (clang source-based
# coverage), and the fuzz target's census: which statuses each function
# returned and which kernels ran. Not part of CI (tools/reliability.sh runs
# the short fuzz campaign); run it after changing the target or the corpus.
#   tools/fuzz-coverage.sh [corpus-dir...]     (default tests/fuzz/corpus)
# Builds build-cov (clang, no sanitizers); the HTML report goes to
# build-cov/coverage/index.html.
set -euo pipefail
cd "$(dirname "$0")/.."
corpora=("$@")
[ ${#corpora[@]} -eq 0 ] && corpora=(tests/fuzz/corpus)
build=build-cov
cov="-fprofile-instr-generate -fcoverage-mapping"
# meson's compiler checks run instrumented programs: their profiles go
# nowhere (not to default.profraw in the source tree).
export LLVM_PROFILE_FILE=/dev/null
if [ ! -d "$build" ]; then
  CC=clang meson setup "$build" -Dtests=false -Dbench=disabled \
    -Ddefault_library=static "-Dc_args=$cov" "-Dc_link_args=$cov" >/dev/null
fi
ninja -C "$build" tests/fuzz/fuzz_conv >/dev/null
fuzz="$build/tests/fuzz/fuzz_conv"
rm -rf "$build/profiles"
mkdir -p "$build/profiles"
# Once natively, once under the scalar cap (ISA_DISABLED is reachable only
# there); every input of every corpus runs once (-runs=0).
for cap in "" scalar; do
  LLVM_PROFILE_FILE="$build/profiles/${cap:-native}-%p.profraw" \
  SIMDCONV_ISA=$cap SIMDCONV_FUZZ_CENSUS=1 \
    "$fuzz" -runs=0 "${corpora[@]}" 2>"$build/profiles/${cap:-native}.log" ||
    { tail -30 "$build/profiles/${cap:-native}.log"; exit 1; }
done
sed -n '/census/,$p' "$build/profiles/native.log"
echo "under SIMDCONV_ISA=scalar:"
sed -n '/simdconv_create/p' "$build/profiles/scalar.log"
llvm-profdata-14 merge -sparse "$build"/profiles/*.profraw -o "$build/fuzz.profdata"
args=(-instr-profile="$build/fuzz.profdata" "$fuzz" -ignore-filename-regex='tests/')
echo
llvm-cov-14 report "${args[@]}" src/
echo
echo "functions of src/ never entered:"
# A static inline function has one instance per including file: it counts
# as entered when any instance is.
llvm-cov-14 export "${args[@]}" -skip-expansions src/ | python3 -c '
import collections, json, sys
count = collections.Counter()
for f in json.load(sys.stdin)["data"][0]["functions"]:
    where = f["filenames"][0].split("/src/")[-1]
    if "/tests/" not in f["filenames"][0]:
        count[(f["name"].split(":")[-1], where)] += f["count"]
for (name, where), n in sorted(count.items(), key=lambda k: k[0][::-1]):
    if n == 0:
        print("  %s (src/%s)" % (name, where))
'
llvm-cov-14 show "${args[@]}" -format=html -output-dir="$build/coverage" src/ >/dev/null
echo "HTML report: $build/coverage/index.html"
