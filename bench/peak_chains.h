/*
 * The body shared by every peak probe, expanded in each ISA's own
 * translation unit (compiled with that ISA's flags) with:
 *   VEC        the vector type        LANES  floats per vector
 *   SPLAT(x)   broadcast a float      FMA(a, b, c)  a * b + c, fused
 *   REDUCE(v)  lane 0 of v (every lane runs the same chain)
 * 12 independent accumulators cover the FMA latency (4-5 cycles) times the
 * FMA ports (2) with room to spare and, with the two constants, still fit
 * the 16 registers of AVX2 (16 accumulators spill there and halve the
 * measured peak). The multiplier and addend make each chain converge to
 * 1.0, so no value overflows or becomes subnormal.
 */
#define PEAK_STEP(i) acc##i = FMA(acc##i, m, a)
#define PEAK_ALL(X)                                                         \
  X(0); X(1); X(2); X(3); X(4); X(5); X(6); X(7); X(8); X(9); X(10); X(11)

#define PEAK_PROBE_BODY                                                     \
  VEC m = SPLAT(1.0f - 0x1p-20f), a = SPLAT(0x1p-20f);                     \
  VEC acc0 = SPLAT(seed), acc1 = SPLAT(seed + 0.01f),                       \
      acc2 = SPLAT(seed + 0.02f), acc3 = SPLAT(seed + 0.03f),               \
      acc4 = SPLAT(seed + 0.04f), acc5 = SPLAT(seed + 0.05f),               \
      acc6 = SPLAT(seed + 0.06f), acc7 = SPLAT(seed + 0.07f),               \
      acc8 = SPLAT(seed + 0.08f), acc9 = SPLAT(seed + 0.09f),               \
      acc10 = SPLAT(seed + 0.10f), acc11 = SPLAT(seed + 0.11f);             \
  for (uint64_t it = 0; it < iters; it++) {                                 \
    PEAK_ALL(PEAK_STEP);                                                    \
  }                                                                         \
  *sink = REDUCE(acc0) + REDUCE(acc1) + REDUCE(acc2) + REDUCE(acc3) +       \
          REDUCE(acc4) + REDUCE(acc5) + REDUCE(acc6) + REDUCE(acc7) +       \
          REDUCE(acc8) + REDUCE(acc9) + REDUCE(acc10) + REDUCE(acc11);      \
  return 2.0 * 12.0 * LANES * (double)iters
