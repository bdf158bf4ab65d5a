/*
 * The indirect-GEMM convolution family (XNNPACK/BLIS style): one portable
 * driver (src/igemm.c, no ISA flags) and per-ISA micro-kernels that it calls
 * through an sc_igemm_config hung on sc_conv_kernel.config.
 *
 * Output pixel p of an image and output channel k of a group:
 *   y[p][k] = act(bias[k] + 0.0f, then fmaf(x, w, acc) over taps t = (r, s)
 *             in row-major order and input channels c in order)
 * exactly as f32_conv_direct__scalar (the scalar twin) computes it.
 *
 * Packed weights, per group g, per block of NR output channels (the last
 * block zero-padded to NR):
 *   float bias[NR];                     bias[k] + 0.0f, 0 for padding lanes
 *   float w[R*S][Cg][NR];               w[t][c][j] = weight(k0 + j, t, c)
 * so a micro-kernel walks w linearly, NR floats per (tap, channel) step.
 *
 * Indirection buffer (workspace), per image, in tiles of MR output pixels:
 *   const float *a[tiles][taps][MR];
 * a[tile][t][i] points at the kc floats that output pixel tile*MR+i reads for
 * tap t: normally taps = R*S and kc = Cg, the pointer being the NHWC input
 * pixel (group 0) at the tap's position (padding modes resolved by
 * sc_pad_map), or the zero row for zero-padding taps. For few input channels
 * ("merged", one group, dilation_w 1) the image is first copied with its
 * padding materialised, so that the S taps of a kernel row are S*C
 * consecutive floats: taps = R, kc = S*Cg, same fma order. For fewer still
 * (2 <= C <= 4, R*S*C <= 64, "im2col", src/im2col.h) there is no indirection
 * buffer: each task copies its pixels' R*S*C floats into records on its
 * stack and passes their pointers, taps = 1, kc = R*S*Cg, a_offset 0.
 * Pixels past the end of the image in the last tile read the zero row. The
 * micro-kernel adds a_offset (image and group offset, in floats) to every
 * pointer except the zero row.
 *
 * NCHW: the input is transposed (or pad-copied) to NHWC in the workspace one
 * image at a time; the micro-kernels store their tiles transposed straight
 * into the NCHW output. NCHW 1x1 convolutions without padding use the second
 * family below (sc_gemm_nchw), a GEMM directly on the NCHW planes.
 */
#ifndef SIMDCONV_IGEMM_H
#define SIMDCONV_IGEMM_H

#include <stddef.h>

#include "activation.h"
#include "conv_internal.h"

/* What a micro-kernel needs besides the operands. */
typedef struct sc_igemm_params {
  /* The zero row (at least kc floats of +0.0f): never offset. */
  const float *zero;
  /* 0: NHWC output, c[i * cm_stride + j]. Otherwise NCHW output, the tile
   * stored transposed: c[j * cn_stride + i] (pixel i, channel j). */
  size_t cn_stride;
  /* Output channels per group (read by the grouped micro-kernels only). */
  size_t kg;
  /* Grouped micro-kernels (lanes interleaved over G = VL/kg groups): lane
   * q of the tile in channel order is lane (q % kg) * G + q / kg of an
   * accumulator (set once per run, not per tile: 16 divisions). */
  int32_t group_lanes[16];
  /* Prefetch the next tile's input rows while computing this tile (the
   * indirection buffer ends with one spare tile of zero rows for it). */
  bool prefetch_next_tile;
  /* Ask for the packed weights ahead of their loads (the ISA's
   * SC_VPREFETCH): sc_wprefetch(config's wprefetch_amd). */
  bool prefetch_weights;
  /* Skip the taps whose row pointers are all the zero row (zero-padding
   * taps of every pixel of the tile), redoing the tile without skipping
   * when an accumulator ends at -0.0: the same bits as computing them
   * (docs/numerics.md, section 1). Set when the weights are finite. */
  bool skip_padding_taps;
  /* A run of the layer's taps (the driver's tap chunks, for blocks whose
   * weights outgrow L2): continue_sum starts the accumulators from the
   * partial sums in the output tile instead of the bias; partial stores
   * the raw sums, leaving the residual and activation to the call of the
   * last taps. Both false: one call over all taps. The fmas and their
   * order are those of one call (docs/numerics.md, section 1). */
  bool continue_sum;
  bool partial;
  sc_act_params act;
  /* The fused residual (sc_run_args): the residual of output element
   * c[i] is residual[c + i - output]; NULL for none. */
  const float *residual;
  const float *output;
  float alpha;
} sc_igemm_params;

/* The residual element under output pointer c (same shape and layout). */
static inline const float *sc_residual_at(const float *residual,
                                          const float *output,
                                          const float *c) {
  return residual + (c - output);
}

/* The input row an indirection entry names: the entry offset by a_offset
 * (image and group), or the zero row itself, which is never offset. */
static inline const float *sc_igemm_row(const float *entry, const float *zero,
                                        size_t a_offset) {
  return entry != zero ? entry + a_offset : zero;
}

/* The n rows of one tap (n a constant in the micro-kernels: unrolled). */
static inline __attribute__((always_inline)) void
sc_igemm_rows(const float **rows, const float *const *a, size_t n,
              const float *zero, size_t a_offset) {
#pragma GCC unroll 16
  for (size_t i = 0; i < n; i++)
    rows[i] = sc_igemm_row(a[i], zero, a_offset);
}

/* Whether the n rows of a tap are all the zero row: a zero-padding tap for
 * every pixel of the tile, which skip_padding_taps lets a micro-kernel
 * skip. */
static inline __attribute__((always_inline)) bool
sc_igemm_tap_padded(const float *const *a, size_t n, const float *zero) {
  bool padded = true;
#pragma GCC unroll 16
  for (size_t i = 0; i < n; i++)
    padded &= a[i] == zero;
  return padded;
}

/* The parameters of a template's tile body: the micro-kernel's, then skip
 * (a constant in each of the body's two inlined copies). The body skips
 * the taps that are padding for every pixel of the tile when skip is set,
 * and returns false, having stored nothing, when it skipped one and an
 * accumulator ended at -0.0 (docs/numerics.md, section 1). */
#define SC_IGEMM_BODY_PARAMS                                                   \
  size_t mr, size_t nc, size_t kc, size_t ks, const float *const *restrict a, \
      const float *restrict w, float *restrict c, size_t cm_stride,            \
      size_t a_offset, const sc_igemm_params *restrict params, const bool skip

/* Defines micro-kernel NAME (sc_igemm_ukernel_fn) on tile body BODY: with
 * params->skip_padding_taps the skipping copy, and when that gives up the
 * plain one, which is the whole kernel otherwise. */
#define SC_IGEMM_DEFINE_UKERNEL(NAME, BODY)                                    \
  static void NAME(size_t mr, size_t nc, size_t kc, size_t ks,                 \
                   const float *const *restrict a, const float *restrict w,   \
                   float *restrict c, size_t cm_stride, size_t a_offset,      \
                   const sc_igemm_params *restrict params) {                  \
    if (params->skip_padding_taps &&                                           \
        BODY(mr, nc, kc, ks, a, w, c, cm_stride, a_offset, params, true))     \
      return;                                                                  \
    (void)BODY(mr, nc, kc, ks, a, w, c, cm_stride, a_offset, params, false);  \
  }

/* Computes an mr x nc tile (mr <= MR, 1 <= nc <= NR) of the output:
 * c[i * cm_stride + j] (or c[j * params->cn_stride + i]) for i < mr, j < nc; kc = Cg input channels per tap,
 * ks = number of taps (>= 1); a: ks * MR row pointers (see above); w: one
 * packed NR block (bias then ks*kc*NR weights; for a run of taps after the
 * first, params->continue_sum, the block advanced by the earlier taps'
 * kc*NR floats each, its would-be bias unread). Reads each row pointer's
 * kc floats, the packed block and (continue_sum) the mr x nc tile only;
 * writes only the mr x nc tile. */
typedef void (*sc_igemm_ukernel_fn)(size_t mr, size_t nc, size_t kc,
                                    size_t ks, const float *const *a,
                                    const float *w, float *c,
                                    size_t cm_stride, size_t a_offset,
                                    const sc_igemm_params *params);

/* The same tile with its rows addressed directly instead of through row
 * pointers: pixel i of tap t reads the kc floats at a + t * tap_stride +
 * i * lda (i < mr; the rows from mr to MR are computed from row mr - 1 and
 * never stored), so that the merged plan's tiles, whose pixels lie in one
 * output row of the padded copy, need no indirection buffer. No tap is
 * skipped (the copy's padding rows are real zeros). Reads those floats,
 * the packed block and (continue_sum) the tile only; writes only the tile. */
typedef void (*sc_igemm_strided_fn)(size_t mr, size_t nc, size_t kc,
                                    size_t ks, const float *a, size_t lda,
                                    size_t tap_stride, const float *w,
                                    float *c, size_t cm_stride,
                                    const sc_igemm_params *params);

/* The strided tile across an output row's end: rows r >= split (r < mr)
 * of a tap read rows->jump floats further than r * rows->lda, on the next
 * output row; otherwise as sc_igemm_strided_fn. */
typedef struct sc_igemm_strided_rows {
  size_t lda, split, jump;
} sc_igemm_strided_rows;
typedef void (*sc_igemm_strided_rows_fn)(size_t mr, size_t nc, size_t kc,
                                         size_t ks, const float *a,
                                         const sc_igemm_strided_rows *rows,
                                         size_t tap_stride, const float *w,
                                         float *c, size_t cm_stride,
                                         const sc_igemm_params *params);

/* Transposes a rows x cols matrix of floats: dst[j * dst_stride + i] =
 * src[i * src_stride + j]. Used for the NCHW <-> NHWC conversions. */
typedef void (*sc_transpose_fn)(size_t rows, size_t cols, const float *src,
                                size_t src_stride, float *dst,
                                size_t dst_stride);

/* The grouped micro-kernel's input copy: for each of `pixels` pixels, each
 * span of `span` floats becomes dst[s + q] = src[s + perm[q]] (+0 where
 * that lies at or past the source pixel's C floats), filling the cp floats
 * of the destination pixel; src == dst allowed (igemm_grouped_ukernel.h). */
typedef void (*sc_igemm_reorder_fn)(size_t pixels, const float *src,
                                    size_t src_stride, float *dst,
                                    size_t dst_stride, size_t C, size_t cp,
                                    size_t span, const int32_t *perm);

/* One micro-kernel family for the shared driver. */
typedef struct sc_igemm_config {
  size_t mr, nr;
  sc_igemm_ukernel_fn ukernel;
  /* NULL: the driver's portable cache-blocked transpose. */
  sc_transpose_fn transpose;
  /* Optional (NULL): the grouped micro-kernel (src/ukernels/igemm_grouped_ukernel.h)
   * with its input copy, its rows per tile (same NR) and the vector width
   * in floats. */
  sc_igemm_ukernel_fn gukernel;
  sc_igemm_reorder_fn greorder;
  size_t gmr, vl;
  /* Optional (NULL): the grouped micro-kernel with lanes in channel order
   * (src/ukernels/igemm_grouped_ukernel.h with SC_UK_SHUFFLE: C/g == K/g
   * = 4) and its rows per tile, used where sc_gshuffle() says. */
  sc_igemm_ukernel_fn gsukernel;
  size_t gsmr;
  /* 0: any layer; otherwise only ungrouped layers with K <= max_k (a
   * narrow tile that a wider family would leave half idle, or a wide one
   * that pays only where it covers K in one block). */
  size_t max_k;
  /* 0: any layer; otherwise only ungrouped layers whose K this family pads
   * to no more lanes than the family of NR = pad_vs_nr would (a wide tile
   * that would idle on the remainder block). */
  size_t pad_vs_nr;
  /* Optional (NULL): the strided micro-kernel of the same tile, which the
   * merged plan then runs without an indirection buffer. */
  sc_igemm_strided_fn strided;
  /* Optional (NULL: a call per output row): the strided tile across an
   * output row's end in one call. */
  sc_igemm_strided_rows_fn strided_rows;
  /* Few-channel layers (stems) on the merged plan rather than the im2col
   * plan: set where the micro-kernels' cost per tap is below the record
   * copy's (AVX-512: 3x3 RGB stems 1.04-1.15x, 2 threads 1.03-1.13x;
   * AVX2's 6x16 tiles measured 0.94-1.04x, so it keeps im2col). */
  bool prefer_merged;
  /* Optional: tails[r] computes tiles of r < mr rows (same NR, same
   * indirection stride), so the last tile of an image costs r/mr of a full
   * one; NULL entries run the full-width kernel. */
  const sc_igemm_ukernel_fn *tails;
  /* Optional (NULL): the tile of MR rows over the first NR/2 channels of
   * a packed block (the igemm_ukernel.h template with SC_UK_WSTRIDE = NR),
   * with its strided twins, for a layer's last block when K leaves at most
   * half of it: MobileNetV2's K = 144 ran its last 16 channels at the cost
   * of 32 (7x32 tiles). */
  struct {
    sc_igemm_ukernel_fn ukernel;
    sc_igemm_strided_fn strided;
    sc_igemm_strided_rows_fn strided_rows;
  } half;
  /* The layers fits() accepts, in words (the registry's description). */
  const char *constraints;
  /* The micro-kernel skips only taps that are padding for the whole tile
   * (igemm_ukernel.h's tiles also leave out a tap's padded rows). */
  bool skips_whole_taps;
  /* The micro-kernels ask for the weights ahead on AMD hosts too
   * (sc_wprefetch; they always do on the others). */
  bool wprefetch_amd;
} sc_igemm_config;

/* The epilogue of the NCHW 1x1 GEMM micro-kernels: the activation and
 * the fused residual (see sc_igemm_params). */
typedef struct sc_gemm_nchw_params {
  sc_act_params act;
  const float *residual; /* NULL: none */
  const float *output;
  float alpha;
} sc_gemm_nchw_params;

/* The NCHW 1x1 GEMM family (src/ukernels/gemm_nchw_ukernel.h): computes an
 * mr x nc tile (mr <= MR output channels, 1 <= nc <= NR output pixels):
 * c[i * c_stride + j] = act(fmaf(alpha, r, w_bias[i] + sum_k w[k][i] *
 * x[k * x_stride + j])) with kc input channels (r: the residual under c,
 * when there is one); w is one packed block: bias[MR] then w[kc][MR].
 * Reads x[k * x_stride + j] for j < nc only. */
typedef void (*sc_gemm_nchw_ukernel_fn)(size_t mr, size_t nc, size_t kc,
                                        const float *w, const float *x,
                                        size_t x_stride, float *c,
                                        size_t c_stride,
                                        const sc_gemm_nchw_params *params);

typedef struct sc_gemm_nchw_config {
  size_t mr, nr;
  sc_gemm_nchw_ukernel_fn ukernel;
} sc_gemm_nchw_config;

/* The NCHW store of a tile goes through an 8-row buffer transposed in 8x8
 * blocks: at most 8 rows (output pixels) per tile. */
#define SC_IGEMM_MAX_MR 8

/* Input channels per tap from which igemm_ukernel.h's tiles leave out
 * every padded row of a tap; below it only a run of two or more at the
 * tile's start or end (sc_igemm_end_run): for a single row the per-tap
 * choice costs more than the row's fmas (a grayscale stem, one channel:
 * 0.97-0.99x). */
#define SC_IGEMM_ROWSKIP_MIN_KC 8

/* Whether the rows set in mask (not all mr) are one run of two or more
 * that starts at row 0 or ends at row mr - 1. */
static inline bool sc_igemm_end_run(unsigned mask, size_t mr) {
  if (mask == 0 || (mask & (mask - 1)) == 0)
    return false;
  const unsigned run = mask >> __builtin_ctz(mask);
  return (run & (run + 1)) == 0 && ((mask & 1u) || (mask >> (mr - 1)) & 1u);
}

/* Whether a block of nc <= NR channels runs on the config's half tile. */
static inline bool sc_igemm_half_block(const sc_igemm_config *cfg,
                                       size_t nc) {
  return nc <= cfg->nr / 2 && cfg->half.ukernel != NULL;
}

/* The ungrouped tile for rows <= MR pixels x nc <= NR channels: the
 * config's tail of as many rows, else its half tile when nc fits it, else
 * the full tile. */
static inline sc_igemm_ukernel_fn sc_igemm_tile_fn(const sc_igemm_config *cfg,
                                                   size_t rows, size_t nc) {
  if (rows < cfg->mr && cfg->tails != NULL && cfg->tails[rows] != NULL)
    return cfg->tails[rows];
  return sc_igemm_half_block(cfg, nc) ? cfg->half.ukernel : cfg->ukernel;
}

/* The driver's sc_conv_kernel functions (src/igemm.c). */
bool sc_igemm_fits(const sc_conv_kernel *k, const sc_problem *p);
size_t sc_igemm_packed_size(const sc_conv_kernel *k, const sc_problem *p);
void sc_igemm_pack(const sc_conv_kernel *k, const sc_problem *p,
                   const float *w_krsc, const float *bias, void *packed);
size_t sc_igemm_workspace_size(const sc_conv_kernel *k, const sc_problem *p,
                               const sc_shape *s);
void sc_igemm_run(const sc_run_args *args);
void sc_igemm_describe(const sc_conv_kernel *k, sc_kernel_desc *d);
const char *sc_igemm_check(const sc_conv_kernel *k);

/* An sc_conv_kernel initialiser for an igemm kernel with config cfg. */
#define SC_IGEMM_KERNEL(kname, kisa, cfg)                                      \
  {                                                                            \
    .name = kname, .isa = kisa, .family = SC_FAMILY_IGEMM, .config = &(cfg),   \
    .fits = sc_igemm_fits, .packed_size = sc_igemm_packed_size,                \
    .pack = sc_igemm_pack, .workspace_size = sc_igemm_workspace_size,          \
    .run = sc_igemm_run, .describe = sc_igemm_describe,                        \
    .check = sc_igemm_check,                                                   \
  }

/* dst (cols x rows) = transpose of src (rows x cols), dense, with the
 * config's transpose over the pool (the NCHW <-> NHWC conversions). */
void sc_igemm_transpose(const sc_igemm_config *cfg, size_t rows, size_t cols,
                        const float *src, float *dst, pthreadpool_t pool);

/* The NCHW 1x1 GEMM driver (src/igemm.c): layout NCHW, 1x1 kernel, no
 * padding, any stride (stride > 1 first gathers the used pixels). */
bool sc_gemm_nchw_fits(const sc_conv_kernel *k, const sc_problem *p);
size_t sc_gemm_nchw_packed_size(const sc_conv_kernel *k, const sc_problem *p);
void sc_gemm_nchw_pack(const sc_conv_kernel *k, const sc_problem *p,
                       const float *w_krsc, const float *bias, void *packed);
size_t sc_gemm_nchw_workspace_size(const sc_conv_kernel *k,
                                   const sc_problem *p, const sc_shape *s);
void sc_gemm_nchw_run(const sc_run_args *args);
void sc_gemm_nchw_describe(const sc_conv_kernel *k, sc_kernel_desc *d);
const char *sc_gemm_nchw_check(const sc_conv_kernel *k);

#define SC_GEMM_NCHW_KERNEL(kname, kisa, cfg)                                  \
  {                                                                            \
    .name = kname, .isa = kisa, .family = SC_FAMILY_GEMM_NCHW,                 \
    .config = &(cfg), .fits = sc_gemm_nchw_fits,                               \
    .packed_size = sc_gemm_nchw_packed_size, .pack = sc_gemm_nchw_pack,        \
    .workspace_size = sc_gemm_nchw_workspace_size, .run = sc_gemm_nchw_run,    \
    .describe = sc_gemm_nchw_describe, .check = sc_gemm_nchw_check,            \
  }

#endif /* SIMDCONV_IGEMM_H */
