/*
 * The int8 indirect-GEMM family: a portable driver (src/q8_igemm.c, no ISA
 * flags) and per-ISA micro-kernels it calls through an sc_q8_igemm_config
 * hung on sc_conv_kernel.config. Scalar twin: q8_conv_direct__scalar, whose
 * bytes every kernel reproduces (integer sums are exact and the
 * requantization is the one of src/q8.h).
 *
 * Output pixel p, output channel k of a group:
 *   acc = packed_bias[k] + sum over taps t and channels c of
 *         op(x[t][c]) * w[k][t][c]
 *   y   = requantize(acc, m[k])
 * where op() is the kernel's operand (the raw byte, its top bit flipped, or
 * widened by its type; src/q8.h, sc_q8_zp_operand) and the packed bias
 * carries bias - zp_op * sum w, so that the sum over op(x) equals the sum
 * over x - x_zp. A zero-padding tap reads the zero row: x_zp bytes.
 *
 * Packed weights, per group, per block of NR output channels (the last
 * block zero-padded):
 *   int32_t bias[NR];        packed bias (0 in padding lanes)
 *   float   mult[NR];        requantization multipliers (1 in padding lanes)
 *   w[taps][kc / KR][NR][KR] int8 (or int16 when config.wbytes is 2):
 *                            w[t][g][j][i] = weight(k0 + j, t, KR*g + i),
 *                            0 past the group's channels
 *   int32_t corr[taps][NR]; zp_op * sum over c of w[k0 + j][t][c]: what
 *                            tap t adds when it reads the zero row
 * with kc the group's channels rounded up to 4 (SC_Q8_KC_ALIGN) and KR
 * (config.kr, 2 or 4) the channels one product instruction sums per
 * output: a micro-kernel walks the block linearly, KR channels of NR
 * outputs per step. A tap that reads the zero row for every pixel of a
 * tile (zero padding) adds corr[t] to each of its sums: a micro-kernel
 * told so (params.skip_padding_taps) adds corr[t] to its bias instead of
 * computing the tap. Integer sums are exact, so the bytes are the same
 * (unlike fp32's, docs/numerics.md section 1, nothing to check after).
 *
 * Indirection buffer (workspace), per image, in tiles of MR output pixels:
 *   const uint8_t *a[tiles][taps][MR];
 * the row of kc input elements that pixel tile*MR+i reads for tap t: the
 * input pixel (group 0) or the zero row (kc elements equal to x_zp). The
 * micro-kernel adds a_offset (image and group, in bytes) to every pointer
 * but the zero row. The rows are the caller's NHWC input when the group's
 * channels are a multiple of 4 and the kernel reads bytes, else (and for
 * NCHW) a copy of the image in the workspace, NHWC with each group's
 * channels padded to kc, and widened to int16 by the input type for a
 * kernel that reads int16 elements (config.xbytes 2: no widening in the
 * micro-kernel; the packed bias compensates x_zp itself).
 *
 * Grouped kernels (config.grouped; src/ukernels/q8_igemm_grouped_ukernel.h)
 * take grouped layers with few channels per group and compute them as one
 * GEMM of K output channels: a block is NR consecutive output channels of
 * the layer, the output channels of several groups (a group may straddle
 * two blocks), and lane j reads its own group's Cg input bytes. Block b's
 * groups g0..g1 have their input bytes at [g0*Cg, (g1+1)*Cg) of a pixel
 * (NHWC, no padding between groups: the caller's input, or an NHWC copy of
 * an NCHW image); the micro-kernel loads them from base = g0*Cg & ~3 (the
 * driver's a_offset), len = (g1+1)*Cg - base <= 64 bytes (the layers a
 * grouped kernel takes), once per (pixel, tap). Lane j's group starts at
 * byte s_j = g*Cg - base of that load; 4-channel step q gives it dword
 * s_j/4 + q, whose byte i is channel 4q + i - s_j%4 of its group. Packed:
 *   int32_t bias[NR]; float mult[NR];   as above
 *   uint64_t load mask (len low bits)
 *   uint64_t broadcast mode (1 or 0)
 *   uint64_t base (the driver's a_offset for the block, past the image's)
 *   int32_t voff[NR / vl]                broadcast mode: vector v's s_j
 *   padding to SC_Q8G_HEAD bytes
 *   int32_t idx[quads][NR]               s_j/4 + q (at most 15)
 *   int8_t  w[taps][quads][NR][4]        channel 4q + i - s_j%4 of lane j's
 *                                        group, 0 outside 0..Cg-1
 * with quads the most any lane's Cg bytes span (kc = 4 * quads for the
 * micro-kernel) and the lanes past the layer's K zero (bias 0, mult 1).
 * Broadcast mode (Kg a multiple of the vector width vl, Cg of 4): each
 * vector's lanes belong to one group, whose dword q the micro-kernel
 * broadcasts from byte voff + 4q of the pixel's load base instead of
 * permuting the load (idx unused).
 */
#ifndef SIMDCONV_Q8_IGEMM_H
#define SIMDCONV_Q8_IGEMM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "conv_internal.h"
#include "q8.h"

/* Every group's channels are padded to a multiple of this (so any KR,
 * and the 4-byte loads of the byte kernels, divide the row). */
#define SC_Q8_KC_ALIGN 4
/* The tile buffer of the epilogue holds at most this many rows x NR. */
#define SC_Q8_MAX_MR 8
#define SC_Q8_MAX_NR 64
/* Grouped kernels: the head after the multipliers (the load mask) and the
 * bytes of a pixel's groups one block reads at most (one 64-byte load). */
#define SC_Q8G_HEAD 64
#define SC_Q8G_MAX_SPAN 64

typedef struct sc_q8_igemm_params {
  /* The zero row (at least kc bytes of x_zp): never offset. */
  const uint8_t *zero;
  /* 0: NHWC output, c[i * cm_stride + j]. Otherwise NCHW output, the tile
   * stored transposed: c[j * cn_stride + i] (pixel i, channel j). */
  size_t cn_stride;
  sc_q8_out out;
  /* Some taps of some tiles read the zero row for all their pixels: the
   * micro-kernel skips those taps, adding their corr (packed block). Not
   * for grouped kernels, whose blocks have no corr. */
  bool skip_padding_taps;
  /* The packed block outgrows L1 (src/q8_igemm.c): kernels that can ask
   * for its lines ahead of their loads (SC_Q8_WPREFETCH) do. */
  bool prefetch_weights;
} sc_q8_igemm_params;

/* Computes an mr x nc tile (mr <= MR, 1 <= nc <= NR): kc (a multiple of 4)
 * input elements per row pointer, ks taps (>= 1), a: ks * MR row
 * pointers, w: one packed NR block. Reads each row's kc elements and the
 * block only; writes only the mr x nc tile. */
typedef void (*sc_q8_igemm_ukernel_fn)(size_t mr, size_t nc, size_t kc,
                                       size_t ks, const uint8_t *const *a,
                                       const void *w, uint8_t *c,
                                       size_t cm_stride, size_t a_offset,
                                       const sc_q8_igemm_params *params);

typedef struct sc_q8_igemm_config {
  size_t mr, nr;
  /* The micro-kernel for each input type ([SIMDCONV_QTYPE_U8], [_S8]) and
   * whether its operands are signed (the packed bias's compensation). */
  sc_q8_igemm_ukernel_fn ukernel[2];
  bool op_signed[2];
  /* Channels per output a product instruction sums (2 or 4). */
  size_t kr;
  /* Bytes per packed weight: 1 (int8) or 2 (int16, widened at packing). */
  size_t wbytes;
  /* Bytes per input element the micro-kernel reads: 1 (the raw bytes) or
   * 2 (int16, widened by the driver's copy). */
  size_t xbytes;
  /* 0: any layer; otherwise only layers whose group has at most max_k
   * output channels (a narrow tile) */
  size_t max_k;
  /* A grouped kernel (see the top): only grouped layers whose blocks of
   * NR output channels read at most SC_Q8G_MAX_SPAN bytes of a pixel; its
   * micro-kernels are q8_igemm_grouped_ukernel.h's (kr 4, bytes). */
  bool grouped;
  /* Grouped: output channels per weight vector (its broadcast mode). */
  size_t vl;
  /* 0: any layer; otherwise only layers whose group's output channels this
   * tile pads to no more lanes than a tile of NR = pad_vs_nr would (a wide
   * tile that would idle on the remainder block). */
  size_t pad_vs_nr;
  const char *constraints;
  /* The micro-kernels ask for the weights ahead on AMD hosts too
   * (sc_wprefetch; on the others they do, for blocks beyond half of L1). */
  bool wprefetch_amd;
} sc_q8_igemm_config;

/* The micro-kernels' epilogue store: rows i < mr of the MR x NR byte tile
 * t (row stride NR) to c, nc bytes each; NHWC (cn == 0: row i at c + i*cm)
 * or transposed into NCHW planes cn bytes apart. */
static inline void sc_q8_store_tile(const uint8_t *t, size_t nr, size_t mr,
                                    size_t nc, uint8_t *c, size_t cm,
                                    size_t cn) {
  if (cn == 0) {
    for (size_t i = 0; i < mr; i++)
      memcpy(c + i * cm, t + i * nr, nc);
    return;
  }
  for (size_t j = 0; j < nc; j++)
    for (size_t i = 0; i < mr; i++)
      c[j * cn + i] = t[i * nr + j];
}

/* The row a pointer of the indirection names: offset, or the zero row. */
static inline const uint8_t *sc_q8_row(const uint8_t *entry,
                                       const uint8_t *zero, size_t a_offset) {
  return entry != zero ? entry + a_offset : zero;
}

/* Whether tap row pointers a[0..n) all name the zero row. */
static inline bool sc_q8_tap_padded(const uint8_t *const *a, size_t n,
                                    const uint8_t *zero) {
  bool padded = true;
#pragma GCC unroll 16
  for (size_t i = 0; i < n; i++)
    padded &= a[i] == zero;
  return padded;
}

/* The bias of a tile that skips its padded taps: bias[0..nr) plus the
 * corr of each of the ks taps (a: ks * mr pointers) that reads the zero row
 * for all mr pixels, into sum; bias itself when no tap does. Wrapping, as
 * the sums do. */
static inline const int32_t *
sc_q8_skip_bias(const uint8_t *const *a, size_t ks, size_t mr,
                const uint8_t *zero, const int32_t *bias,
                const int32_t *corr, size_t nr, int32_t *sum) {
  const int32_t *out = bias;
  for (size_t t = 0; t < ks; t++, a += mr, corr += nr) {
    if (!sc_q8_tap_padded(a, mr, zero))
      continue;
    if (out == bias)
      memcpy(sum, bias, nr * sizeof *sum);
    out = sum;
    for (size_t j = 0; j < nr; j++)
      sum[j] = (int32_t)((uint32_t)sum[j] + (uint32_t)corr[j]);
  }
  return out;
}

bool sc_q8_igemm_fits(const sc_conv_kernel *k, const sc_problem *p);
size_t sc_q8_igemm_packed_size(const sc_conv_kernel *k, const sc_problem *p);
void sc_q8_igemm_pack(const sc_conv_kernel *k, const sc_problem *p,
                      const int8_t *w_krsc, const int32_t *bias,
                      const float *mult, void *packed);
size_t sc_q8_igemm_workspace_size(const sc_conv_kernel *k,
                                  const sc_problem *p, const sc_shape *s);
void sc_q8_igemm_run(const sc_run_args *args);
void sc_q8_igemm_describe(const sc_conv_kernel *k, sc_kernel_desc *d);
const char *sc_q8_igemm_check(const sc_conv_kernel *k);

/* An sc_conv_kernel initialiser: name, ISA, config, extra CPU features. */
#define SC_Q8_IGEMM_KERNEL(kname, kisa, cfg, kcpu)                             \
  {                                                                            \
    .name = kname, .isa = kisa, .family = SC_FAMILY_Q8_IGEMM,                  \
    .config = &(cfg), .fits = sc_q8_igemm_fits,                                \
    .packed_size = sc_q8_igemm_packed_size, .pack_q8 = sc_q8_igemm_pack,       \
    .workspace_size = sc_q8_igemm_workspace_size, .run = sc_q8_igemm_run,      \
    .describe = sc_q8_igemm_describe, .check = sc_q8_igemm_check,              \
    .cpu = kcpu,                                                               \
  }

#endif /* SIMDCONV_Q8_IGEMM_H */
