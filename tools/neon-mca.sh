#!/usr/bin/env bash
# Static throughput analysis of the NEON micro-kernels' hot loops with
# llvm-mca: cross-compiles src/neon/*.c as the release build does
# (aarch64-linux-gnu-gcc -O3 -std=c11 -ffp-contract=off), finds in each
# micro-kernel the innermost loop with the most FMLAs, and reports for
# Neoverse N1 and Cortex-A72 the steady-state cycles per iteration and the
# FMA issue rate as a fraction of the core's FMA throughput (the model's own
# peak: llvm-mca on a block of independent FMLAs; 2 Q-form FMLAs per cycle on
# N1, 1 on A72, whose two FP pipes are 64 bits wide).
#
#   tools/neon-mca.sh [--clang] [--min PERCENT] [function-regex]
#
# --clang     compile with clang --target=aarch64-linux-gnu instead (for
#             comparison; the library is built with gcc)
# --min P     exit 1 when a GEMM/igemm micro-kernel is below P% on a core
#             (default 90)
# Prefers llvm-mca-19 (has a Neoverse N1 model; LLVM 14 models N1 as A57)
# and installs llvm-19 with apt when no llvm-mca has one.
set -euo pipefail
cd "$(dirname "$0")/.."

compiler=gcc
min=90
filter='ukernel'
while [ $# -gt 0 ]; do
  case "$1" in
    --clang) compiler=clang ;;
    --min) min=$2; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) filter=$1 ;;
  esac
  shift
done

mca=""
for m in llvm-mca-19 llvm-mca-18 llvm-mca-17 llvm-mca-16 llvm-mca; do
  if command -v "$m" >/dev/null && printf 'nop\n' |
     "$m" -mtriple=aarch64-linux-gnu -mcpu=neoverse-n1 -iterations=1 2>/dev/null |
       grep -q 'N1Unit'; then
    mca=$m; break
  fi
done
if [ -z "$mca" ]; then
  echo "neon-mca: installing llvm-19 (llvm-mca with a Neoverse N1 model)" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
    install -y -q --no-install-recommends llvm-19 >/dev/null
  mca=llvm-mca-19
fi
objdump=aarch64-linux-gnu-objdump
command -v $objdump >/dev/null || objdump=llvm-objdump-19
command -v $objdump >/dev/null || objdump=llvm-objdump

sysroot=$(bash tools/make-arm64-sysroot.sh build-sysroot-arm64 2>/dev/null | tail -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cflags=(-O3 -std=c11 -ffp-contract=off -fno-math-errno -fvisibility=hidden
        -fPIC -Iinclude -Isrc -DSIMDCONV_HAVE_NEON=1)
if [ $compiler = gcc ]; then
  cc=(aarch64-linux-gnu-gcc --sysroot="$sysroot")
else
  cc=(clang --target=aarch64-linux-gnu --sysroot="$sysroot"
      -isystem "$sysroot/usr/include/aarch64-linux-gnu")
fi

# The model's peak: cycles per Q-form FMLA with no dependency limits.
{
  for i in $(seq 0 23); do echo "fmla v$i.4s, v24.4s, v25.s[0]"; done
} >"$work/peak.s"
peak() { # cpu -> cycles per FMLA at peak
  "$mca" -mtriple=aarch64-linux-gnu -mcpu="$1" -iterations=1000 "$work/peak.s" |
    awk '/Total Cycles/ {printf "%.4f", $3 / 24000}'
}
declare -A peak_cpf
cpus=(neoverse-n1 cortex-a72)
for cpu in "${cpus[@]}"; do peak_cpf[$cpu]=$(peak "$cpu"); done

# Extracts the innermost loop (a backward branch with no other inside) with
# the most FMLAs of function $2 from objdump output $1, without its branch.
cat >"$work/extract.py" <<'EOF'
import re, sys
lines = open(sys.argv[1]).read().split('\n')
fn = sys.argv[2]
body, inside = [], False
for l in lines:
    if re.match(r'^[0-9a-f]+ <%s>:' % re.escape(fn), l):
        inside = True
        continue
    if inside:
        if not l.strip():
            break
        m = re.match(r'\s*([0-9a-f]+):\s+(.*)', l)
        if m:
            body.append((int(m.group(1), 16), m.group(2).split('//')[0].strip()))
index = {a: i for i, (a, _) in enumerate(body)}
loops = []
for i, (a, ins) in enumerate(body):
    m = re.match(r'(b(\.\w+)?|cbn?z\s+\w+,|tbn?z\s+\w+,\s*#\w+,)\s*([0-9a-f]+)\b', ins)
    if m and not ins.startswith(('bl', 'br')):
        t = int(m.group(3), 16)
        if t <= a and t in index:
            loops.append((index[t], i))
best = None
for s, e in loops:
    if any(s <= s2 and e2 <= e and (s2, e2) != (s, e) for s2, e2 in loops):
        continue
    n = sum(1 for _, ins in body[s:e + 1] if ins.startswith('fmla'))
    if best is None or n > best[0]:
        best = (n, s, e)
if best is None or best[0] == 0:
    sys.exit(1)
for _, ins in body[best[1]:best[2]]:
    print(re.sub(r'\s+', ' ', ins))
EOF

status=0
printf '%-36s %-12s %6s %6s %6s %10s %8s\n' kernel cpu insns fmla mov cyc/iter fma-rate
for src in src/neon/*.c; do
  obj="$work/$(basename "$src" .c).o"
  "${cc[@]}" "${cflags[@]}" -c "$src" -o "$obj"
  $objdump -d --no-show-raw-insn "$obj" >"$obj.txt"
  for fn in $(grep -oE '^[0-9a-f]+ <[^>]+>:' "$obj.txt" | sed 's/.*<\(.*\)>:/\1/' |
              grep -E "$filter" || true); do
    loop="$work/$fn.s"
    python3 "$work/extract.py" "$obj.txt" "$fn" >"$loop" || continue
    nf=$(grep -c '^fmla' "$loop" || true)
    nm=$(grep -c '^mov v' "$loop" || true)
    ni=$(wc -l <"$loop")
    for cpu in "${cpus[@]}"; do
      cyc=$("$mca" -mtriple=aarch64-linux-gnu -mcpu="$cpu" -iterations=1000 "$loop" |
            awk '/Total Cycles/ {printf "%.2f", $3 / 1000}')
      rate=$(awk -v n="$nf" -v p="${peak_cpf[$cpu]}" -v c="$cyc" \
             'BEGIN {printf "%.1f", 100 * n * p / c}')
      printf '%-36s %-12s %6s %6s %6s %10s %7s%%\n' "$fn" "$cpu" "$ni" "$nf" "$nm" "$cyc" "$rate"
      if [[ $fn == *gemm* ]] && awk -v r="$rate" -v m="$min" 'BEGIN {exit !(r < m)}'; then
        echo "  below ${min}% of peak" >&2
        status=1
      fi
    done
  done
done
echo "($mca; peak cycles per Q-form FMLA: neoverse-n1 ${peak_cpf[neoverse-n1]}, cortex-a72 ${peak_cpf[cortex-a72]}; compiler $compiler)"
exit $status
