/*
 * Depthwise convolution (groups == C, one input channel per group, any
 * channel multiplier Kg = K / C): the portable driver (src/dwconv.c) and the
 * interface of the per-ISA row micro-kernels (src/ukernels/dwconv_nhwc_ukernel.h,
 * src/ukernels/dwconv_nchw_ukernel.h).
 *
 * Every output is computed in the canonical order: acc = bias[k] + 0.0f, then
 * acc = fmaf(x, w, acc) over the taps in (kernel row, kernel column) order,
 * then the activation. Every zero-padding tap takes part as fmaf(0, w, acc)
 * (docs/numerics.md).
 *
 * Packed weights (shared by all layouts and ISAs):
 *   float   bias[Kp]            (zeros without bias; zero padded)
 *   float   w[R * S][Kp]        tap-major, channel fastest, zero padded
 *   int32_t in_channel[Kp]      k / Kg, only when Kg > 1
 * with Kp = K rounded up to SC_DW_KPAD.
 */
#ifndef SIMDCONV_DWCONV_H
#define SIMDCONV_DWCONV_H

#include <stddef.h>
#include <stdint.h>

#include "activation.h"
#include "conv_internal.h"
#include "igemm.h"

/* Channel padding of the packed weights: a multiple of every vector width. */
#define SC_DW_KPAD 16
/* Largest kernel height handled (row-pointer arrays live on the stack). */
#define SC_DW_MAX_R 64
/* Largest number of output rows one NCHW micro-kernel call computes. */
#define SC_DW_MAX_MR 8

/* What an NHWC row micro-kernel needs besides the rows. */
typedef struct sc_dw_nhwc_params {
  size_t C, K, Kg, Kp;       /* channels; Kp: padded channel stride of w */
  size_t R, S;               /* kernel */
  size_t sw, dw;             /* horizontal stride and dilation */
  size_t pad_left;
  size_t W, OW;              /* input / output width */
  size_t ow_lo, ow_hi;       /* outputs whose taps all read real columns */
  int zeros_mode;            /* padding mode is zeros */
  const ptrdiff_t *colmap;   /* [OW][S]: input column of a tap, -1: zero */
  const float *bias;         /* [Kp] */
  const float *w;            /* [R*S][Kp] */
  const int32_t *in_channel; /* [Kp] (Kg > 1) or NULL */
  sc_act_params act;
  float lo, hi;              /* the fused clamp: act's bounds for CLAMP,
                                -inf / +inf (the identity) otherwise */
  /* The fused residual: the residual of output element out[i] is
   * sc_residual_at(residual, res_out, out + i), added as
   * fmaf(alpha, r, acc) before the clamp and activation; NULL: none. */
  const float *residual, *res_out;
  float alpha;
  /* Input rows of the next block that this block does not read: after the
   * block's rows (rows[nrows*R + i], NULL: none), their lines asked for
   * into L2 group by group while a full block runs (0: none; the NCHW
   * tiles' and transposed callers' rows are in cache). */
  size_t prefetch_rows;
  /* With prefetch_rows: the next block's output rows, rows[nrows*R +
   * prefetch_rows] (NULL: none, or not a full block), asked for to be
   * written, group by group while a full block runs. */
  bool prefetch_out;
} sc_dw_nhwc_params;

/* At most this many next-block rows per block (sc_dw_nhwc_params). */
#define SC_DW_PREFETCH_ROWS 8

/* Computes output channels [k0, k0 + nk) of all OW pixels of nrows (1 .. mr
 * of the chosen entry) consecutive output rows of one image. rows[m*R + r]
 * is the input row of output row m and kernel row r, mapped by the padding
 * mode (NULL: a zero row), pointing at pixel 0, channel 0, followed by
 * p->prefetch_rows rows of the next block and, with p->prefetch_out, the
 * next block's output (its row 0, pixel 0, channel 0); out points at
 * pixel 0, channel 0 of the first output row (rows are OW*K apart). */
typedef void (*sc_dw_nhwc_fn)(const sc_dw_nhwc_params *p,
                              const float *const *rows, size_t nrows,
                              float *out, size_t k0, size_t nk);

/* NCHW, prepared rows: each input row a band reads is copied once into a
 * ring on the stack, padded and split into its stride phases. */
#define SC_DW_ROWS_RING_FLOATS 6144
/* Output rows narrower than this many vectors go through tiles (measured on
 * Zen 4: AVX-512 tiles win at OW = 56, rows at 112; AVX2 tiles at 28, rows
 * at 56). */
#define SC_DW_ROWS_MIN_VECTORS 6
#define SC_DW_ROWS_MAX_SLOTS 64

typedef struct sc_dw_nchw_params {
  const sc_problem *problem;
  const sc_shape *shape;
  const float *input;
  float *output;
  const float *bias, *w;     /* packed: bias[Kp], w[R*S][Kp] */
  size_t Kp;
  size_t mr;                 /* output rows per block (the entry's) */
  size_t ws;                 /* outputs per column strip */
  size_t jn;                 /* input rows per block: (mr-1)*sh + (R-1)*dh + 1 */
  size_t lp;                 /* floats per prepared row phase */
  size_t nslots;             /* rows in the ring */
  int keyed;                 /* slot = input row % nslots, else one slot per
                                (m, r) */
  const uint16_t *masks;     /* flat planes: [vector][tap] lane bits */
  const ptrdiff_t *off;      /* flat planes: [tap] input offset */
  sc_act_params act;
  float lo, hi;              /* the fused clamp: act's bounds for CLAMP,
                                -inf / +inf (the identity) otherwise */
  /* The fused residual, laid out as the output; NULL: none. */
  const float *residual;
  float alpha;
} sc_dw_nchw_params;

/* Computes output rows [oh0, oh0 + nrows) of output plane `plane`
 * (n*K + k). */
typedef void (*sc_dw_nchw_fn)(const sc_dw_nchw_params *t, size_t plane,
                              size_t oh0, size_t nrows);

/* NCHW, stride 1, zero padding, OW == W, through flat planes
 * (DW_NCHW_FLAT): a vector holds consecutive outputs of the flattened plane
 * and loads its taps masked, straight from the input. The masks (uint16_t
 * per flat vector and tap) live in the workspace. */
#define SC_DW_FLAT_MAX_MV 8
/* Flat planes for rows narrower than this many vectors (measured on the
 * Xeon host, AVX-512 and AVX2: 2x the tiles' speed on 7- and 14-wide planes
 * read from memory, on par from cache; 28 wide: +30% from memory, -23% from
 * cache, so tiles keep those). */
#define SC_DW_FLAT_MAX_VECTORS 2
#define SC_DW_FLAT_MAX_TAPS 64
#define SC_DW_FLAT_MAX_MASK_BYTES (64 * 1024)

/* Computes the flat vectors [v0, v0 + nv) of the output planes [plane0,
 * plane0 + nplanes) (plane n*K + k): outputs [v0*vw, (v0 + nv)*vw) of each
 * flattened plane, the last vector cut at OH*OW. */
typedef void (*sc_dw_flat_fn)(const sc_dw_nchw_params *t, size_t plane0,
                              size_t nplanes, size_t v0, size_t nv);

typedef struct sc_dw_flat_entry {
  size_t R, S; /* 0: any (up to SC_DW_FLAT_MAX_TAPS taps) */
  sc_dw_flat_fn fn;
} sc_dw_flat_entry;

/* NCHW through channel-blocked tiles: a band function transposes the input
 * rows of DW_VW channels (one vector) into an NHWC tile on its stack, runs an
 * NHWC row function on it and transposes the result back. */
#define SC_DW_TILE_RING_FLOATS 5120 /* transposed input rows */
#define SC_DW_TILE_OUT_FLOATS 2048  /* output rows of one call */
#define SC_DW_TILE_MAX_JN 64        /* input rows per call */

typedef struct sc_dw_nchw_tile_params {
  const sc_problem *problem;
  const sc_shape *shape;
  const float *input;
  float *output;
  sc_dw_nhwc_fn fn; /* the NHWC row function run on the tiles */
  size_t mr;        /* its output rows per call */
  size_t ws;        /* outputs per row strip */
  size_t jn;        /* input rows per call: (mr-1)*sh + (R-1)*dh + 1 */
  /* Zero padding and the whole plane fits the ring: it is transposed
   * unpadded and `tile` carries the real width and padding. */
  int flat;
  /* The tile's NHWC parameters (C = K = DW_VW, Kg = 1, no padding); bias and
   * w point at channel 0 (the band adds its first channel), W, OW, ow_hi
   * are set per strip. */
  sc_dw_nhwc_params tile;
  /* The fused residual (NCHW, as the output), NULL: none. The band gathers
   * each tile's residual into an NHWC tile beside the output tile, which
   * the row function reads as tile.residual. */
  const float *residual;
} sc_dw_nchw_tile_params;

/* Output channels [k0, k0 + min(DW_VW, K - k0)) of output rows
 * [oh0, oh0 + nrows) of image n. */
typedef void (*sc_dw_nchw_band_fn)(const sc_dw_nchw_tile_params *t, size_t n,
                                   size_t k0, size_t oh0, size_t nrows);

/* A specialised micro-kernel: used when R, S, stride and dilation match
 * (0 matches anything). */
typedef struct sc_dw_nhwc_entry {
  size_t R, S, sh, sw, dh, dw;
  int kg1_only; /* only for Kg == 1 */
  size_t mr;    /* output rows per call */
  sc_dw_nhwc_fn fn;
} sc_dw_nhwc_entry;

typedef struct sc_dw_nchw_entry {
  size_t R, S, sh, sw, dh, dw;
  size_t mr; /* output rows per call */
  sc_dw_nchw_fn fn;
  int zeros_only; /* only for zero padding (reads the input directly) */
} sc_dw_nchw_entry;

/* The micro-kernel lists of an ISA, each searched in order; the last entry
 * of each matches every shape (sc_dw_check verifies it at load). The
 * template headers make them from one shape list each (DW_NHWC_LIST,
 * DW_NCHW_LIST, DW_FLAT_LIST). */
typedef struct sc_dw_nhwc_list {
  const sc_dw_nhwc_entry *entries;
  size_t count;
} sc_dw_nhwc_list;

typedef struct sc_dw_nchw_list {
  const sc_dw_nchw_entry *entries;
  size_t count;
} sc_dw_nchw_list;

typedef struct sc_dw_flat_list {
  const sc_dw_flat_entry *entries;
  size_t count;
} sc_dw_flat_list;

/* The `config` of a depthwise kernel: its ISA's micro-kernels. */
typedef struct sc_dw_config {
  size_t vw; /* floats per vector */
  /* The NHWC row functions (the NHWC kernel's, and the NCHW tiles'). */
  const sc_dw_nhwc_list *nhwc;
  const sc_dw_nchw_list *nchw;  /* NCHW kernels only */
  sc_dw_nchw_band_fn nchw_band; /* NCHW through NHWC tiles, or NULL */
  const sc_dw_flat_list *flat;  /* NCHW flat planes, or NULL */
} sc_dw_config;

/* The shared driver, used by every depthwise kernel. */
bool sc_dw_fits_nhwc(const sc_conv_kernel *k, const sc_problem *p);
bool sc_dw_fits_nchw(const sc_conv_kernel *k, const sc_problem *p);
size_t sc_dw_packed_size(const sc_conv_kernel *k, const sc_problem *p);
void sc_dw_pack(const sc_conv_kernel *k, const sc_problem *p,
                const float *w_krsc, const float *bias, void *packed);
size_t sc_dw_workspace_size(const sc_conv_kernel *k, const sc_problem *p,
                            const sc_shape *s);
void sc_dw_run(const sc_run_args *args);
void sc_dw_describe_nhwc(const sc_conv_kernel *k, sc_kernel_desc *d);
void sc_dw_describe_nchw(const sc_conv_kernel *k, sc_kernel_desc *d);
const char *sc_dw_check(const sc_conv_kernel *k);

/* The first NHWC row function of cfg that fits p (kg1: as if Kg were 1),
 * for the transposed-convolution driver (src/deconv_dw.c). */
const sc_dw_nhwc_entry *sc_dw_find_nhwc(const sc_dw_config *cfg,
                                        const sc_problem *p, bool kg1);

/* An sc_conv_kernel initialiser for a depthwise kernel with config cfg for
 * layout NHWC or NCHW. */
#define SC_DW_KERNEL(kname, kisa, cfg, LAYOUT)                                 \
  {                                                                            \
    .name = kname, .isa = kisa, .family = SC_FAMILY_DWCONV, .config = &(cfg),  \
    .fits = sc_dw_fits_##LAYOUT, .packed_size = sc_dw_packed_size,             \
    .pack = sc_dw_pack, .workspace_size = sc_dw_workspace_size,                \
    .run = sc_dw_run, .describe = sc_dw_describe_##LAYOUT,                     \
    .check = sc_dw_check,                                                      \
  }


#endif
