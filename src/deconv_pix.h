/*
 * The pixel-lane transposed-convolution kernels (deconv_igemm family,
 * driver src/deconv_pix.c, micro-kernel template
 * src/ukernels/deconv_pix_ukernel.h): for layers with few output channels
 * per group (FSRCNN's K = 1, a GAN generator's RGB output), where the igemm
 * micro-kernels, whose lanes run over output channels, would leave most
 * lanes idle.
 *
 * Lanes run over consecutive output pixels of one phase: within a phase
 * (src/deconv.h), consecutive outputs of a row read consecutive input
 * columns, so with rows of each channel contiguous each (tap, channel) step
 * is one contiguous vector load per pixel vector times one broadcast weight
 * per output channel. A micro-kernel keeps KB (<= KBMAX) output channels x
 * MR phase rows x NV pixel vectors of accumulators in registers over the
 * whole reduction (taps in canonical order, channels inside: the scalar
 * kernel's fmaf sequence, one accumulator per output), then stores each
 * vector to the phase's strided output positions.
 *
 * Input: each image is first copied into the workspace in HCW order (per
 * input row, the channels' rows one after another): on CHW planes of a
 * power-of-two size (4 KiB for DCGAN's 32x32, 64 KiB for FSRCNN's 128x128)
 * the channels of one (tap, column) map to the same L1 set, and the tap's
 * reuse of the previous tap's input missed L1 (FSRCNN 21 GFLOP/s on
 * AVX-512 and on AVX2 alike). No zero-extended copy: a tap whose
 * vector reaches past the image (or past the phase's last pixel or row)
 * loads with a lane mask (zeros: fmaf(+0, w, acc), the zero-padding tap of
 * the canonical order); the other taps load unmasked.
 */
#ifndef SIMDCONV_DECONV_PIX_H
#define SIMDCONV_DECONV_PIX_H

#include <stddef.h>

#include "activation.h"
#include "conv_internal.h"

/* The largest output-channel block of any pixel-lane kernel. */
#define SC_DPIX_KBMAX 4

/* One tile: KB output channels x mr (<= MR) phase rows x npix (<= NV * VL)
 * phase pixels. */
typedef struct sc_dpix_tile {
  /* The image at the group's first input channel, H x W pixels: input
   * channel c, row ih, column iw at x[c * cstride + ih * rstride + iw]. */
  const float *x;
  size_t cstride, rstride, H, W;
  size_t kc;       /* input channels of the group */
  size_t th, tw;   /* taps of the phase per axis (>= 1) */
  size_t ddh, ddw; /* input rows / columns between consecutive taps */
  /* Input row and column that tile row 0, pixel 0 reads at tap (0, 0);
   * row i, pixel j reads ih0 + i + jh * ddh, iw0 + j + jw * ddw. */
  ptrdiff_t ih0, iw0;
  size_t mr, npix;
  /* Every load of the tile, all MR x NV vectors of every tap, lies in the
   * buffer (zero margins around the image): no masks. */
  bool inbounds;
  /* Packed weights: per tap (jh, jw) in canonical order, per input channel,
   * KBMAX floats (the block's output channels, zero padded). */
  const float *w;
  const float *bias; /* KB floats, bias + 0.0f */
  /* Output channel k, row i, pixel j at y + k*ys_k + i*ys_r + j*ys_p. */
  float *y;
  size_t ys_k, ys_r, ys_p;
} sc_dpix_tile;

/* What the tiles of a run share. */
typedef struct sc_dpix_params {
  sc_act_params act;
  /* The fused residual: element y[i] reads residual[y + i - output]; NULL
   * for none. Read before the element is written (it may be the output). */
  const float *residual;
  const float *output;
  float alpha;
} sc_dpix_params;

typedef void (*sc_dpix_ukernel_fn)(const sc_dpix_tile *t,
                                   const sc_dpix_params *params);

/* A micro-kernel with its tile: MR phase rows x NV vectors. */
typedef struct sc_dpix_ukernel {
  sc_dpix_ukernel_fn fn;
  size_t mr, nv;
} sc_dpix_ukernel;

/* The config of a pixel-lane kernel. */
typedef struct sc_dpix_config {
  size_t vl;    /* float lanes of a vector */
  size_t kbmax; /* output channels of a full block (<= SC_DPIX_KBMAX) */
  size_t max_kg; /* fits(): at most this many output channels per group */
  /* Zero margins around the HCW copy so that no load needs a mask (within
   * the workspace bound); false: border taps load under masks (AVX-512,
   * where the masked loads measured faster: simdconv-ab, DCGAN g5 1.6x,
   * FSRCNN 1.05x; AVX2 1.03-1.05x the other way). */
  bool margins;
  /* uk[kb - 1][s]: the micro-kernels of blocks of kb channels, shape s: 0
   * a wide one (one row, many vectors), 1 a tall one (several rows, few
   * vectors) for phases of short rows. */
  sc_dpix_ukernel uk[SC_DPIX_KBMAX][2];
  /* The ISA's transpose (a row of an NHWC image to HCW): dst = src^T. */
  void (*transpose)(size_t rows, size_t cols, const float *src,
                    size_t src_stride, float *dst, size_t dst_stride);
  const char *constraints;
} sc_dpix_config;

bool sc_dpix_fits(const sc_conv_kernel *k, const sc_problem *p);
size_t sc_dpix_packed_size(const sc_conv_kernel *k, const sc_problem *p);
void sc_dpix_pack(const sc_conv_kernel *k, const sc_problem *p,
                  const float *w_krsc, const float *bias, void *packed);
size_t sc_dpix_workspace_size(const sc_conv_kernel *k, const sc_problem *p,
                              const sc_shape *s);
void sc_dpix_run(const sc_run_args *args);
void sc_dpix_describe(const sc_conv_kernel *k, sc_kernel_desc *d);
const char *sc_dpix_check(const sc_conv_kernel *k);

/* ---- pair tiles: NCHW rows of a stride-2 axis, for the igemm driver ----
 *
 * The igemm driver (src/deconv.c) computes wide NCHW rows of layers with
 * stride_w == 2 with these micro-kernels instead of its NHWC tiles and
 * transposes: lanes over consecutive pixels of each of the row's two column
 * phases, as above, and the two phases' accumulators zipped into the
 * output's column order (even columns phase 0, odd phase 1) before the
 * epilogue, so that every store is contiguous. Weights are read from the
 * igemm packing (src/deconv.c: per block of NR channels, w[tap][Cg][NR]).
 * The accumulation is the pixel-lane kernels' (above): bias + 0.0f, one fma
 * per (tap, channel), taps in canonical order, channels inside, border
 * lanes loading +0 under masks. */

/* Output channels of a pair tile. */
#define SC_DPAIR_KB 4

/* Octet tiles: the same for stride_w == 8 when all eight column phases
 * have the same taps at the same input columns (kernel width a multiple of
 * 8, left padding too, no dilation: FCN-8s's upscore8), one output channel
 * per tile (8 phases x NV accumulators), the phases zipped in three rounds
 * into column order. */
#define SC_DOCT_NP 8
#define SC_DOCT_KB 1

/* One pair (octet) tile: SC_DPAIR_KB (SC_DOCT_KB) output channels x one
 * output row x the sum of npix[f] consecutive output columns (pixel j of
 * phase f is column NP*j + f from y, NP the tile's phases: 2 or 8). */
typedef struct sc_dpair_tile {
  /* The image as in sc_dpix_tile (x at the group's first channel). */
  const float *x;
  size_t cstride, rstride, H, W;
  size_t kc;       /* input channels of the group */
  size_t th;       /* taps of the row (0: the bias only) */
  size_t ddh, ddw; /* input rows / columns between consecutive taps */
  ptrdiff_t ih0;   /* the input row of tap jh = 0 (tap jh: + jh * ddh) */
  /* Per column phase f: its taps per row (0: the bias only), the input
   * column of pixel 0 at tap jw = 0 (pixel j, tap jw: + j + jw * ddw), its
   * weights (tap (jh, jw), channel c, output channel k at
   * w[f][((jh * tw[f] + jw) * kc + c) * wstride + k]) and the tile's
   * pixels (npix[f] is npix[0] or one fewer). */
  size_t tw[SC_DOCT_NP];
  ptrdiff_t iw0[SC_DOCT_NP];
  const float *w[SC_DOCT_NP];
  size_t npix[SC_DOCT_NP];
  size_t wstride;
  const float *bias; /* the tile's KB floats, bias + 0.0f */
  size_t kb;         /* output channels to store (<= the tile's KB) */
  float *y;          /* channel k's columns at y + k * ys_k */
  size_t ys_k;
} sc_dpair_tile;

typedef void (*sc_dpair_ukernel_fn)(const sc_dpair_tile *t,
                                    const sc_dpix_params *params);

/* The pair micro-kernels of an ISA: uk[nv - 1] computes tiles of up to nv
 * pixel vectors (vl lanes each) per phase; oct[nv - 1] the octet tiles
 * (NULL: none of that width). */
typedef struct sc_dpair_config {
  size_t vl;
  sc_dpair_ukernel_fn uk[3];
  sc_dpair_ukernel_fn oct[3];
} sc_dpair_config;

/* An sc_conv_kernel of the deconv_igemm family on this driver. */
#define SC_DPIX_KERNEL(kname, kisa, cfg)                                       \
  {                                                                            \
    .name = kname, .isa = kisa, .family = SC_FAMILY_DECONV_IGEMM,              \
    .config = &(cfg), .fits = sc_dpix_fits,                                    \
    .packed_size = sc_dpix_packed_size, .pack = sc_dpix_pack,                  \
    .workspace_size = sc_dpix_workspace_size, .run = sc_dpix_run,              \
    .describe = sc_dpix_describe, .check = sc_dpix_check,                      \
  }

#endif /* SIMDCONV_DECONV_PIX_H */
