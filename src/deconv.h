/*
 * Transposed convolution (ConvTranspose2d) on the forward convolution's
 * micro-kernels: two portable drivers (src/deconv.c on the igemm
 * micro-kernels, src/deconv_dw.c on the depthwise NHWC row micro-kernels;
 * no ISA flags), each kernel of theirs wrapping one forward kernel of its
 * ISA, a third with micro-kernels of its own for few output channels
 * (src/deconv_pix.c, src/deconv_pix.h), and the scalar kernel
 * (f32_conv_direct__scalar) as the fallback.
 *
 * The wrappers are registry citizens (docs/kernels.md): each is a row of its
 * ISA's src/<isa>/kernels.def (f32_deconv_<igemm name without f32_>,
 * f32_deconv_dwconv__<isa>), defined in its own source file with
 * SC_DECONV_IGEMM_KERNEL or SC_DECONV_DW_KERNEL, so that the planner,
 * forcing by name, simdconv info --kernels and the generated tests see them
 * like any kernel. Forward kernels' fits() reject transposed problems and
 * the wrappers' reject forward ones.
 *
 * Canonical order (docs/numerics.md, "Transposed convolution"): output
 * (oh, ow) of channel k starts from bias[k] + 0.0f and takes one fmaf per
 * (tap, input channel). Its taps are the kernel positions (r, s) whose input
 * position ((oh + pad_top - r*dil_h) / stride_h, (ow + pad_left - s*dil_w) /
 * stride_w) is a point of the stride lattice (both divisions exact), taken
 * in ascending input row, then input column (r and s descending), the input
 * channels of the group inside. A lattice point outside the input is a
 * zero-padding tap: fmaf(+0, w, acc), as in the forward convolution. The
 * points between lattice points (the zeros a zero-insertion would add) are
 * not taps at all.
 *
 * Phases. On an axis with stride s and dilation d, g = gcd(s, d), the taps of
 * an output depend only on its phase o mod s (o = output index + pad): the
 * kernel indices r with r*d = o (mod s), that is c, c + s/g, c + 2s/g, ...
 * below the kernel size, whose smallest, c < min(k, s/g), names the phase's
 * class; none when g does not divide the phase. Consecutive taps are d/g
 * input rows apart. All outputs of one phase are therefore an ordinary
 * stride-1 forward convolution of the input with the class's sub-kernel
 * (flipped, dilation d/g, zero padding where the lattice leaves the input):
 * the igemm micro-kernels compute it in exactly the canonical order, one
 * accumulator per output, and only the placement of the outputs is strided.
 * No zero insertion, no scatter-add, no reduction split across threads.
 *
 * Few output channels per group (FSRCNN's K = 1, a generator's K = 3) left
 * the igemm tiles with K of NR lanes busy (0.13 and 0.4 of oneDNN).
 * Swapping the igemm micro-kernel's operands was exact but copy-bound (its
 * packed operand is streamed, so every (tap, channel) input run had to be
 * copied per tile: FSRCNN 4 -> 6.7 GFLOP/s). Those layers now go to the
 * pixel-lane kernels f32_deconv_pix_<VL>x4__<isa> (src/deconv_pix.h, same
 * family, listed before these wrappers, K/g <= 8): lanes over the pixels of
 * a phase, read straight from a CHW image.
 *
 * Known limits (measured on an AVX-512 Xeon, 2 shared cores, noisy):
 * - The pixel-lane kernels reach 16% (AVX-512) and 33% (AVX2) of the FMA
 *   peak on FSRCNN, about 0.7-0.8 of oneDNN's GEMM + col2im there (while
 *   1.1x on DCGAN g5): their loads sit at arbitrary column offsets (a
 *   64-byte zmm load at a
 *   tap's shift splits across two cache lines 15 times in 16), and a wide
 *   tile's three tap rows of 56 channels (88 KiB) do not stay in L1
 *   between the phases that share them. Sharing loaded input rows between
 *   the rows of a tall tile (skewing each row's taps so that all rows read
 *   one input row at a time, each accumulator still in canonical order)
 *   would cut both; not done.
 * - Zero-padding taps are evaluated (the canonical order): a 1x1 input
 *   through a 4x4 stride-1 kernel (DCGAN's first layer) computes 16 taps
 *   per real one.
 * - NCHW outputs take a second pass over the outputs (a transpose of each
 *   row segment, its output lines prefetched first): about 0.85-0.89 of
 *   NHWC on layers with few output channels (FCN-8s upscore2, K = 21),
 *   0.9-1.0 on heavier layers. Wide rows of stride-2 layers whose tile
 *   input fits in half of L1 skip it: the pair micro-kernels
 *   (src/deconv_pix.h) compute both column phases with lanes over pixels
 *   and store in column order (LinkNet dec2 NCHW 0.7 -> 0.9-0.95 of NHWC;
 *   U-Net up4, whose phases share each input load, 0.96); so do stride-8
 *   rows whose eight column phases have the same taps, on the octet tiles
 *   of the same template (FCN-8s upscore8 0.86 -> 0.90). Layers of 256+
 *   channels per group lose on them (their input is re-read from L2 for
 *   every channel quad) and keep the transposes. The transposed depthwise
 *   driver has an NCHW row micro-kernel of its own (bilinear 4x4 s2: 0.8
 *   of NHWC through transposes, 0.97-1.03 on it with cold buffers, 0.75
 *   warm).
 */
#ifndef SIMDCONV_DECONV_H
#define SIMDCONV_DECONV_H

#include "conv_internal.h"

#include "activation.h"

/* ---- NCHW depthwise rows (src/ukernels/deconv_dw_nchw_ukernel.h) -------- */

/* Column phases and taps (over all phases) of one row call. */
#define SC_DWT_MAX_PHASES 16
#define SC_DWT_MAX_TAPS 128
/* Outputs of a phase per block of the widest ISA (4 zmm): a row call reads
 * its taps' prepared input rows up to a multiple of it past their start. */
#define SC_DWT_BLOCK 64

/* One output row of one channel plane of a depthwise transposed
 * convolution. Column phase f < nph holds the outputs ow = f + sw*j; its
 * taps, in canonical order, are [tap0[f], tap0[f + 1]): output j of the
 * phase is bias + 0.0f, then fma(src[t][j], w[t], acc) for each tap t.
 * src[t][j] is readable (0.0 where the lattice leaves the input) for j below
 * the phase's outputs rounded up to SC_DWT_BLOCK. */
typedef struct sc_dwt_row {
  size_t OW, sw, nph; /* nph = min(sw, OW) */
  size_t tap0[SC_DWT_MAX_PHASES + 1];
  const float *src[SC_DWT_MAX_TAPS];
  float w[SC_DWT_MAX_TAPS];
  float bias; /* bias + 0.0f */
  /* The epilogue, when `epilogue`: alpha * residual[ow] added (NULL: none;
   * it may be the output row itself, then the sums go to `sums`, OW
   * floats), the clamp (lo, hi: -inf, +inf unless CLAMP), then the
   * activation when act_on. */
  bool epilogue, act_on;
  const float *residual;
  float *sums;
  float alpha, lo, hi;
  sc_act_params act;
  /* nph > 2: the phases' sums, phase f at scratch + f * jpad (jpad: a
   * multiple of SC_DWT_BLOCK at least the first phase's outputs). */
  float *scratch;
  size_t jpad;
} sc_dwt_row;

/* Computes output row y (OW floats) of t. */
typedef void (*sc_dwt_row_fn)(const sc_dwt_row *t, float *y);

/* The config of a deconv kernel. */
typedef struct sc_deconv_config {
  /* The forward kernel of the same ISA whose micro-kernels it runs: an
   * igemm kernel (deconv_igemm) or an NHWC depthwise one (deconv_dwconv). */
  const sc_conv_kernel *inner;
  /* deconv_dwconv: an igemm kernel of the same ISA whose transpose
   * converts NCHW images, or NULL (NHWC only); deconv_igemm: NULL (the
   * inner kernel's own). */
  const sc_conv_kernel *transpose;
  /* deconv_igemm: the ISA's pair micro-kernels for wide NCHW rows of
   * stride-2 layers (src/deconv_pix.h), or NULL (every NCHW row through
   * NHWC tiles and transposes). */
  const struct sc_dpair_config *pair;
  /* deconv_dwconv: the ISA's NCHW row micro-kernel (NCHW layers whose
   * prepared rows fit the stack), or NULL (NCHW through NHWC copies and
   * transposes). */
  sc_dwt_row_fn nchw_row;
  /* The layers fits() accepts, in words (the registry's description). */
  const char *constraints;
} sc_deconv_config;

/* The phase-decomposed igemm driver (src/deconv.c). */
bool sc_deconv_fits(const sc_conv_kernel *k, const sc_problem *p);
size_t sc_deconv_packed_size(const sc_conv_kernel *k, const sc_problem *p);
void sc_deconv_pack(const sc_conv_kernel *k, const sc_problem *p,
                    const float *w_krsc, const float *bias, void *packed);
size_t sc_deconv_workspace_size(const sc_conv_kernel *k, const sc_problem *p,
                                const sc_shape *s);
void sc_deconv_run(const sc_run_args *args);
void sc_deconv_describe(const sc_conv_kernel *k, sc_kernel_desc *d);
const char *sc_deconv_check(const sc_conv_kernel *k);

/* The depthwise driver (src/deconv_dw.c). */
bool sc_deconv_dw_fits(const sc_conv_kernel *k, const sc_problem *p);
size_t sc_deconv_dw_packed_size(const sc_conv_kernel *k, const sc_problem *p);
void sc_deconv_dw_pack(const sc_conv_kernel *k, const sc_problem *p,
                       const float *w_krsc, const float *bias, void *packed);
size_t sc_deconv_dw_workspace_size(const sc_conv_kernel *k,
                                   const sc_problem *p, const sc_shape *s);
void sc_deconv_dw_run(const sc_run_args *args);
void sc_deconv_dw_describe(const sc_conv_kernel *k, sc_kernel_desc *d);
const char *sc_deconv_dw_check(const sc_conv_kernel *k);

/* sc_conv_kernel initialisers for the two families, config cfg an
 * sc_deconv_config. */
#define SC_DECONV_IGEMM_KERNEL(kname, kisa, cfg)                               \
  {                                                                            \
    .name = kname, .isa = kisa, .family = SC_FAMILY_DECONV_IGEMM,              \
    .config = &(cfg), .fits = sc_deconv_fits,                                  \
    .packed_size = sc_deconv_packed_size, .pack = sc_deconv_pack,              \
    .workspace_size = sc_deconv_workspace_size, .run = sc_deconv_run,          \
    .describe = sc_deconv_describe, .check = sc_deconv_check,                  \
  }

#define SC_DECONV_DW_KERNEL(kname, kisa, cfg)                                  \
  {                                                                            \
    .name = kname, .isa = kisa, .family = SC_FAMILY_DECONV_DWCONV,             \
    .config = &(cfg), .fits = sc_deconv_dw_fits,                               \
    .packed_size = sc_deconv_dw_packed_size, .pack = sc_deconv_dw_pack,        \
    .workspace_size = sc_deconv_dw_workspace_size, .run = sc_deconv_dw_run,    \
    .describe = sc_deconv_dw_describe, .check = sc_deconv_dw_check,            \
  }

/* NULL when a deconv kernel's config is complete and names an inner kernel
 * of the given family and of the wrapper's ISA, else what is wrong. */
const char *sc_deconv_check_inner(const sc_conv_kernel *k, sc_family family);

#endif /* SIMDCONV_DECONV_H */
