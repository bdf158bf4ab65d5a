/*
 * The int8 indirect-GEMM micro-kernel template (see src/q8_igemm.h for the
 * operands and the packed block). Included by an ISA source after its
 * vector header, once per tile and input type:
 *
 *   SC_Q8_UK_NAME        the function's name
 *   SC_Q8_UK_MR          rows (output pixels), <= SC_Q8_MAX_MR
 *   SC_Q8_UK_NV          weight vectors per 4-channel step; NR is
 *                        SC_Q8_UK_NV * SC_Q8_WOUT output channels
 *   SC_Q8_UK_S8          1: the input bytes are int8, 0: uint8
 *
 * and the ISA's int8 vector API (its vec_<isa>.h):
 *
 *   SC_Q8_XT             the input element the kernel reads (uint8_t, or
 *                        int16_t from the driver's widening copy)
 *   SC_Q8_KR             channels per output a product instruction sums
 *   SC_Q8_VACC           an int32 accumulator vector
 *   SC_Q8_AV             accumulators per weight vector (1, or 2 where a
 *                        product instruction sums pairs of channels)
 *   SC_Q8_WOUT           output channels per weight vector
 *   SC_Q8_WT             the packed weight element (int8_t or int16_t)
 *   SC_Q8_VW             a weight vector: KR channels of SC_Q8_WOUT outputs
 *   SC_Q8_VX             an input operand: KR elements broadcast
 *   SC_Q8_ZERO()         a zero accumulator
 *   SC_Q8_WLOAD(p)       the weight vector at p
 *   SC_Q8_XLOAD(p, s8)   the KR input elements at p as the ISA's operand
 *                        (s8: the input type is int8)
 *   SC_Q8_DOT(acc, x, w) acc[0 .. SC_Q8_AV-1] += the products of x and w
 *   SC_Q8_OUT(acc, bias, mult, out, dst)  reduces acc[0 .. SC_Q8_AV-1] to
 *                        SC_Q8_WOUT sums, adds the packed bias, requantizes
 *                        (sc_q8_requantize's operations) and stores the
 *                        SC_Q8_WOUT bytes at dst
 * or, with SC_Q8_AV 1, instead of SC_Q8_OUT:
 *   SC_Q8_BLOAD(p)       the packed bias at p: the sums start there
 *   SC_Q8_OUT_ROW(acc, nv, mult, out, dst)  requantizes a row's nv
 *                        accumulators (sums with the bias) and stores its
 *                        nv * SC_Q8_WOUT bytes at dst
 * and optionally:
 *   SC_Q8_WPREFETCH(p)   asks for the cache line of p (the packed weights
 *                        ahead, when params->prefetch_weights)
 *
 * Scalar twin: q8_conv_direct__scalar. Integer sums are exact, so any
 * order of the products gives its sums; the requantization is the same
 * operations on the same values.
 */
#define SC_Q8_UK_NR (SC_Q8_UK_NV * SC_Q8_WOUT)
#define SC_Q8_UK_BODY SC_UK_CAT(SC_Q8_UK_NAME, _body)
/* Weight prefetch (when the ISA defines SC_Q8_WPREFETCH and the driver
 * sets params->prefetch_weights): the block is read linearly, NR * KR
 * bytes a step; each step asks for its lines 2 KiB ahead (1 KiB: 0.98x,
 * 4 KiB: the same). The hardware prefetchers alone left the products
 * waiting on the weights of blocks beyond L1: old and new library in one
 * process, AVX-512, 1 thread: ResNet-50 res5_3x3 1.13x, res5_1x1_expand
 * 1.13x, MobileNetV2 pw960to320_7 1.11x, pw320to1280_7 1.12x, VGG-16
 * conv5_2 1.03x; AVX2 (one 64-byte line a step) res5_3x3 1.14x,
 * res5_1x1_in 1.12x, pw960to320_7 1.12x; blocks within L1 0.97-0.99x with
 * it, hence the flag. On AMD Zen 4 (2026-12-06) the AVX-512 tiles ran
 * faster without it (res5_3x3_s2 1.07x, res5_3x3 1.07x, 11 weight-heavy
 * layers 1.03x, both orders) and AVX2's slower (0.95x): the config's
 * wprefetch_amd (sc_wprefetch). NEON: not measured (no Arm host), not
 * defined. */
#define SC_Q8_UK_W_AHEAD_BYTES 2048
#define SC_Q8_UK_W_AHEAD (SC_Q8_UK_W_AHEAD_BYTES / sizeof(SC_Q8_WT))
#define SC_Q8_UK_W_STEP_BYTES (SC_Q8_UK_NR * SC_Q8_KR * sizeof(SC_Q8_WT))
#define SC_Q8_UK_W_LINES                                                      \
  (SC_Q8_UK_W_STEP_BYTES < 64 ? 1 : SC_Q8_UK_W_STEP_BYTES / 64)

/* One tap: kc elements of each row, NV weight vectors per KR of them; PF
 * (a constant) also asks for the block's lines SC_Q8_UK_W_AHEAD elements
 * ahead. A macro, so that acc stays in registers. */
#ifdef SC_Q8_WPREFETCH
#define SC_Q8_UK_PREFETCH_W(PF)                                                \
  do {                                                                         \
    if (PF)                                                                    \
      _Pragma("GCC unroll 16") for (size_t l = 0; l < SC_Q8_UK_W_LINES; l++)   \
          SC_Q8_WPREFETCH((const char *)(w + SC_Q8_UK_W_AHEAD) + 64 * l);      \
  } while (0)
#else
#define SC_Q8_UK_PREFETCH_W(PF) (void)0
#endif
#define SC_Q8_UK_TAP(PF)                                                       \
  for (size_t k = 0; k < kc; k += SC_Q8_KR) {                                  \
    SC_Q8_VW wv[SC_Q8_UK_NV];                                                  \
    _Pragma("GCC unroll 16") for (size_t j = 0; j < SC_Q8_UK_NV; j++)          \
        wv[j] = SC_Q8_WLOAD(w + j * SC_Q8_WOUT * SC_Q8_KR);                    \
    SC_Q8_UK_PREFETCH_W(PF);                                                   \
    w += SC_Q8_UK_NR * SC_Q8_KR;                                               \
    _Pragma("GCC unroll 16") for (size_t i = 0; i < SC_Q8_UK_MR; i++) {        \
      const SC_Q8_VX x = SC_Q8_XLOAD(rows[i] + k, SC_Q8_UK_S8);                \
      _Pragma("GCC unroll 16") for (size_t j = 0; j < SC_Q8_UK_NV; j++)        \
          SC_Q8_DOT(&acc[i][j * SC_Q8_AV], x, wv[j]);                          \
    }                                                                          \
  }

static inline __attribute__((always_inline)) void
SC_Q8_UK_BODY(size_t mr, size_t nc, size_t kc, size_t ks,
              const uint8_t *const *restrict a, const void *restrict packed,
              uint8_t *restrict c, size_t cm_stride, size_t a_offset,
              const sc_q8_igemm_params *restrict params, const bool pf) {
  _Static_assert(SC_Q8_UK_MR <= SC_Q8_MAX_MR && SC_Q8_UK_NR <= SC_Q8_MAX_NR,
                 "q8 igemm tile");
  const int32_t *bias = packed;
  const float *mult = (const float *)(bias + SC_Q8_UK_NR);
  const SC_Q8_WT *w = (const SC_Q8_WT *)(mult + SC_Q8_UK_NR);
  const uint8_t *const zero = params->zero;
  /* Taps that read the zero row for the whole tile: their corr (after the
   * weights) goes into the bias, and the loop below passes them. */
  const bool skip = params->skip_padding_taps;
  int32_t skip_bias[SC_Q8_UK_NR];
  if (skip)
    bias = sc_q8_skip_bias(
        a, ks, SC_Q8_UK_MR, zero, bias,
        (const int32_t *)(const void *)(w + ks * kc * SC_Q8_UK_NR),
        SC_Q8_UK_NR, skip_bias);
  SC_Q8_VACC acc[SC_Q8_UK_MR][SC_Q8_UK_NV * SC_Q8_AV];
#pragma GCC unroll 16
  for (size_t i = 0; i < SC_Q8_UK_MR; i++)
#pragma GCC unroll 16
    for (size_t j = 0; j < SC_Q8_UK_NV * SC_Q8_AV; j++)
#ifdef SC_Q8_OUT_ROW
      acc[i][j] = SC_Q8_BLOAD(bias + j * SC_Q8_WOUT);
#else
      acc[i][j] = SC_Q8_ZERO();
#endif
  do {
    if (skip && sc_q8_tap_padded(a, SC_Q8_UK_MR, zero)) {
      a += SC_Q8_UK_MR;
      w += SC_Q8_UK_NR * kc;
      continue;
    }
    const SC_Q8_XT *rows[SC_Q8_UK_MR];
#pragma GCC unroll 16
    for (size_t i = 0; i < SC_Q8_UK_MR; i++)
      rows[i] = (const SC_Q8_XT *)(const void *)sc_q8_row(a[i], zero, a_offset);
    a += SC_Q8_UK_MR;
    SC_Q8_UK_TAP(pf)
  } while (--ks != 0);

#include "ukernels/q8_igemm_epilogue.h"
}

/* Two copies of the body, with and without the weight prefetch (one loop
 * testing the flag per tap: ResNet-50 conv1 and res2_1x1_reduce, whose
 * blocks stay in L1, 0.97x at 31 rounds; two copies 0.99x, within the
 * noise). */
static void SC_Q8_UK_NAME(size_t mr, size_t nc, size_t kc, size_t ks,
                          const uint8_t *const *restrict a,
                          const void *restrict packed, uint8_t *restrict c,
                          size_t cm_stride, size_t a_offset,
                          const sc_q8_igemm_params *restrict params) {
#ifdef SC_Q8_WPREFETCH
  if (params->prefetch_weights) {
    SC_Q8_UK_BODY(mr, nc, kc, ks, a, packed, c, cm_stride, a_offset, params,
                  true);
    return;
  }
#endif
  SC_Q8_UK_BODY(mr, nc, kc, ks, a, packed, c, cm_stride, a_offset, params,
                false);
}

#undef SC_Q8_UK_NR
#undef SC_Q8_UK_W_AHEAD_BYTES
#undef SC_Q8_UK_W_AHEAD
#undef SC_Q8_UK_W_STEP_BYTES
#undef SC_Q8_UK_W_LINES
#undef SC_Q8_UK_PREFETCH_W
#undef SC_Q8_UK_TAP
#undef SC_Q8_UK_BODY
#undef SC_Q8_UK_NAME
#undef SC_Q8_UK_MR
#undef SC_Q8_UK_NV
#undef SC_Q8_UK_S8
