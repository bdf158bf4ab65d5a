/*
 * The int8 depthwise family (groups == C, one output channel per input
 * channel): a portable driver (src/q8_dwconv.c) and per-ISA row functions
 * made from src/ukernels/q8_dwconv_ukernel.h. Depthwise layers with a
 * channel multiplier above 1 go to the int8 igemm kernels.
 *
 * Vectorised across channels: a vector holds VW output channels of one
 * output pixel; each tap adds the VW input bytes, widened to int32 by the
 * input type (zero- or sign-extended), times the tap's weights. The packed
 * bias carries bias - x_zp * sum w (the operands are the values
 * themselves), and a zero-padding tap reads the zero row of x_zp bytes.
 * NCHW runs on NHWC copies of each image and its output in the workspace.
 *
 * Packed weights (Kp = K rounded up to the config's block, padding lanes 0):
 *   int32_t bias[Kp]; float mult[Kp];
 * then, packed per tap (SC_Q8_DW_PACK_TAPS, block SC_Q8_DW_KPAD):
 *   w[R * S][Kp]   int16, or int32 holding the int16 zero-extended (x86:
 *                  VPMADDWD of (x, x >> 16) pairs by (w, 0) pairs is x * w)
 * or in quads of kernel rows (SC_Q8_DW_PACK_QUADS, blocks of
 * SC_Q8_DW_QBLOCK channels; a product instruction sums 4 bytes per lane,
 * here the 4 kernel rows of one column, so a tap column of 4 rows is one
 * VPDPBUSD / SDOT per vector of channels):
 *   w[Kp / QBLOCK][ceil(R / 4)][S][QBLOCK][4]  int8: block b, quad g,
 *                  column s, position i: the weights of kernel rows
 *                  4g .. 4g+3 (0 past R) of channel b * QBLOCK +
 *                  quad_channel(i); bias and mult in the same order.
 *                  The operands are unsigned (int8 inputs get their top
 *                  bit flipped), so the packed bias compensates zp_u8.
 *
 * Scalar twin: q8_conv_direct__scalar (identical bytes).
 */
#ifndef SIMDCONV_Q8_DWCONV_H
#define SIMDCONV_Q8_DWCONV_H

#include <stddef.h>
#include <stdint.h>

#include "conv_internal.h"
#include "q8.h"

/* Channel padding of the per-tap packing: a multiple of every vector
 * width. */
#define SC_Q8_DW_KPAD 16
/* Channels per block of the quad packing. */
#define SC_Q8_DW_QBLOCK 64

typedef enum sc_q8_dw_packing {
  SC_Q8_DW_PACK_TAPS = 0, /* w[R*S][Kp], int16 or int32 */
  SC_Q8_DW_PACK_QUADS,    /* blocks of 64 channels x quads of kernel rows */
} sc_q8_dw_packing;

/* What a row function needs besides the rows. */
/* The most input rows a row function prefetches ahead (sc_q8_dw_params). */
#define SC_Q8_DW_NEXT_ROWS_MAX 4

typedef struct sc_q8_dw_params {
  size_t K, Kp, R, S, OW;
  /* [OW][S]: the byte offset of the tap's pixel in its row, -1 for a
   * zero-padding column. */
  const ptrdiff_t *coloff;
  /* Outputs [ow_lo, ow_hi) read only real columns (of rows that may be
   * the zero row): their taps need no check. */
  size_t ow_lo, ow_hi;
  size_t sw_bytes, dw_bytes; /* stride and dilation of a column, in bytes */
  /* Bytes between input rows, and the input rows the next output row adds
   * (stride_h, at most SC_Q8_DW_NEXT_ROWS_MAX): what a row function may
   * prefetch. */
  size_t row_bytes, next_rows;
  const uint8_t *zero; /* a row of x_zp: max(W*C, Kp) bytes */
  const int32_t *bias;
  const float *mult;
  const void *w;       /* [R*S][Kp], the config's weight width */
  sc_q8_out out;
} sc_q8_dw_params;

/* Output channels [k0, k0 + nk) of the OW pixels of one output row:
 * rows[r] is the input row of kernel row r (pixel 0, channel 0; the zero
 * row for a zero-padding row), out the output row (pixel 0, channel 0). */
typedef void (*sc_q8_dw_row_fn)(const sc_q8_dw_params *p,
                                const uint8_t *const *rows, uint8_t *out,
                                size_t k0, size_t nk);

typedef struct sc_q8_dw_config {
  /* channels per vector (TAPS: divides SC_Q8_DW_KPAD), or per block
   * (QUADS: SC_Q8_DW_QBLOCK); row functions get k0 a multiple of it */
  size_t vw;
  size_t wbytes;           /* TAPS: 2 (int16) or 4 (int16 zero-extended) */
  sc_q8_dw_row_fn row[2];  /* by input type: [SIMDCONV_QTYPE_U8], [_S8] */
  sc_q8_dw_packing packing;
  /* QUADS: the channel (within its block) of block position i, the order
   * the ISA's byte interleave leaves the channels in */
  size_t (*quad_channel)(size_t i);
  /* 0, or the fewest channels the kernel takes (fewer leave most of its
   * block idle: the next kernel of the list is faster there) */
  size_t min_k;
} sc_q8_dw_config;

/* The largest kernel height (row pointers live on the stack). */
#define SC_Q8_DW_MAX_R 64

bool sc_q8_dw_fits(const sc_conv_kernel *k, const sc_problem *p);
size_t sc_q8_dw_packed_size(const sc_conv_kernel *k, const sc_problem *p);
void sc_q8_dw_pack(const sc_conv_kernel *k, const sc_problem *p,
                   const int8_t *w_krsc, const int32_t *bias,
                   const float *mult, void *packed);
size_t sc_q8_dw_workspace_size(const sc_conv_kernel *k, const sc_problem *p,
                               const sc_shape *s);
void sc_q8_dw_run(const sc_run_args *args);
void sc_q8_dw_describe(const sc_conv_kernel *k, sc_kernel_desc *d);
const char *sc_q8_dw_check(const sc_conv_kernel *k);

#define SC_Q8_DW_KERNEL(kname, kisa, cfg, kcpu)                                \
  {                                                                            \
    .name = kname, .isa = kisa, .family = SC_FAMILY_Q8_DWCONV,                 \
    .config = &(cfg), .fits = sc_q8_dw_fits,                                   \
    .packed_size = sc_q8_dw_packed_size, .pack_q8 = sc_q8_dw_pack,             \
    .workspace_size = sc_q8_dw_workspace_size, .run = sc_q8_dw_run,            \
    .describe = sc_q8_dw_describe, .check = sc_q8_dw_check, .cpu = kcpu,       \
  }

#endif /* SIMDCONV_Q8_DWCONV_H */
