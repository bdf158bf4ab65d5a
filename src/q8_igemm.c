/*
 * The portable driver of the int8 igemm kernels (see src/q8_igemm.h):
 * packs the weights in blocks of NR output channels with the zero-point
 * compensation and the multipliers, builds the indirection buffer (and,
 * where the micro-kernels cannot read the caller's input, a padded NHWC
 * copy of each image) in the workspace, and runs an ISA's micro-kernel over
 * tiles of MR pixels x NR channels on the pool. Threads split images,
 * groups, channel blocks and pixel tiles, never the sum.
 *
 * Scalar twin: q8_conv_direct__scalar.
 */
#include <stdint.h>
#include <string.h>

#include "bounds.h"
#include "im2col.h"
#include "padding.h"
#include "problem.h"
#include "q8_igemm.h"
#include "tasks.h"

static const sc_q8_igemm_config *q8_cfg(const sc_conv_kernel *k) {
  return k->config;
}

/* ---- grouped kernels (src/q8_igemm.h) ----------------------------------- */

/* The input bytes of a pixel that the block of output channels [k0, k0 +
 * nc) reads: from base (4-aligned), len bytes. */
typedef struct q8_gspan {
  size_t base, len;
} q8_gspan;

static q8_gspan q8_gspan_get(const sc_problem *p, size_t k0, size_t nc) {
  const size_t g0 = k0 / p->Kg, g1 = (k0 + nc - 1) / p->Kg;
  const size_t base = g0 * p->Cg & ~(size_t)3;
  return (q8_gspan){base, (g1 + 1) * p->Cg - base};
}

/* 4-channel steps per lane and tap: the most dwords a group's Cg bytes
 * span, starting at byte g * Cg % 4 of a dword. */
static size_t q8_grouped_quads(const sc_problem *p) {
  size_t nq = 0;
  for (size_t g = 0; g < p->groups && g < 4; g++) {
    const size_t q = (g * p->Cg % 4 + p->Cg + 3) / 4;
    nq = q > nq ? q : nq;
  }
  return nq;
}

/* Whether a grouped kernel of NR lanes takes the layer: grouped, and no
 * block reads more than one load's bytes of a pixel. */
static bool q8_grouped_fits(const sc_q8_igemm_config *cfg,
                            const sc_problem *p) {
  if (p->groups < 2 || p->Kg > cfg->max_k)
    return false;
  for (size_t k0 = 0; k0 < p->K; k0 += cfg->nr) {
    const size_t nc = p->K - k0 < cfg->nr ? p->K - k0 : cfg->nr;
    if (q8_gspan_get(p, k0, nc).len > SC_Q8G_MAX_SPAN)
      return false;
  }
  return true;
}

bool sc_q8_igemm_fits(const sc_conv_kernel *k, const sc_problem *p) {
  const sc_q8_igemm_config *cfg = q8_cfg(k);
  if (p->dtype != SC_DTYPE_Q8 || p->transposed)
    return false;
  if (cfg->grouped)
    return q8_grouped_fits(cfg, p);
  return (cfg->max_k == 0 || p->Kg <= cfg->max_k) &&
         (cfg->pad_vs_nr == 0 || sc_round_up(p->Kg, cfg->nr) <=
                                     sc_round_up(p->Kg, cfg->pad_vs_nr));
}

void sc_q8_igemm_describe(const sc_conv_kernel *k, sc_kernel_desc *d) {
  const sc_q8_igemm_config *cfg = q8_cfg(k);
  *d = (sc_kernel_desc){
      .tile_m = cfg->mr,
      .tile_n = cfg->nr,
      .layouts = (1u << SIMDCONV_LAYOUT_NCHW) | (1u << SIMDCONV_LAYOUT_NHWC),
      .constraints = cfg->constraints,
  };
}

const char *sc_q8_igemm_check(const sc_conv_kernel *k) {
  const sc_q8_igemm_config *cfg = q8_cfg(k);
  if (cfg == NULL || cfg->ukernel[0] == NULL || cfg->ukernel[1] == NULL ||
      cfg->constraints == NULL)
    return "q8 igemm config without micro-kernels or constraints";
  if (cfg->mr < 1 || cfg->mr > SC_Q8_MAX_MR || cfg->nr < 4 ||
      cfg->nr > SC_Q8_MAX_NR || cfg->nr % 4 != 0)
    return "q8 igemm tile needs 1 <= MR <= 8 and NR a multiple of 4 <= 64";
  if (cfg->wbytes != 1 && cfg->wbytes != 2)
    return "q8 igemm weights are 1 or 2 bytes";
  if ((cfg->kr != 2 && cfg->kr != 4) || (cfg->xbytes != 1 && cfg->xbytes != 2))
    return "q8 igemm steps 2 or 4 channels over 1- or 2-byte inputs";
  if (cfg->pad_vs_nr != 0 && cfg->pad_vs_nr >= cfg->nr)
    return "q8 igemm pad_vs_nr must name a narrower tile";
  if (cfg->xbytes == 2 && (cfg->op_signed[0] || !cfg->op_signed[1]))
    return "q8 igemm on widened inputs multiplies the values themselves";
  if (cfg->grouped &&
      (cfg->kr != 4 || cfg->xbytes != 1 || cfg->wbytes != 1 ||
       cfg->max_k == 0 || cfg->vl == 0 || cfg->nr % cfg->vl != 0 ||
       (SC_Q8G_HEAD - 24) / sizeof(int32_t) < cfg->nr / cfg->vl))
    return "q8 grouped igemm steps 4 bytes of int8 weights, Kg bounded, "
           "vectors of vl lanes (their offsets in the head)";
  return NULL;
}

/* The reduction as the micro-kernels see it: taps of cg channels, each
 * padded to kc. "Merged" (one group, dilation_w 1, at most
 * SC_Q8_MERGED_MAX_CG channels, as 3-channel stems and SqueezeNet's 16, or
 * SC_Q8_MERGED_MAX_ODD_CG not a multiple of 4, as 37: 3 taps of 112):
 * the image is copied with its padding materialised, so the S taps of a
 * kernel row are S*Cg consecutive elements, one tap of kc = round_up(S*Cg,
 * 4) instead of S taps of round_up(Cg, 4) (a 7x7 stem: 7 taps of 24, not
 * 49 of 4; a 3x3 layer of 16 channels: 3 taps of 48, not 9 of 16, whose
 * pointers and loop cost a tenth of it); pads of at most
 * SC_Q8_MERGED_MAX_PAD keep that copy within the workspace bound. The canonical
 * weights w[K][R][S][Cg] are then w[K][R][S*Cg]: the same bytes.
 * Grouped kernels (q8_igemm.h): one GEMM of K channels, kc = 4 * quads
 * per tap, the groups' bytes unpadded (cg = Cg). */
typedef struct q8_red {
  bool merged, grouped, im2col;
  size_t taps, cg, kc;
  size_t gemms, kg; /* GEMMs of kg output channels: groups x Kg, 1 x K */
} q8_red;

/* "im2col": the whole reduction of a pixel, R*S*Cg bytes, as one tap,
 * padded to 4 once instead of per tap or kernel row; each task copies its
 * tiles' rows (records) from the image, or its NHWC copy, into a buffer on
 * its stack. A 3x3 RGB stem sums 28 bytes per pixel instead of 3 x 12
 * (merged), a 7x7 one 148 instead of 7 x 24, a 5x5 RGBA one 100 in one
 * tap instead of 25 taps of 4, whose pointers and loop cost as much as
 * their products. Taken for one group, dilation_w 1 (a kernel row's taps
 * are one span of S*Cg bytes), a kernel that reads bytes, at most
 * SC_Q8_IM2COL_MAX_KC weights per output channel, and channels that a
 * tap pads (not a multiple of 4, at most 16). The weights are the same
 * bytes again: w[K][1][R*S*Cg]. Kernels of SC_Q8_MERGED_MIN_TAPS taps or
 * more run merged where they can (a kernel row of S*Cg bytes wastes little
 * padded to 4, and its copy is one pass over the image, not R pieces per
 * output pixel: 7x7 stems of 1 and 3 channels 1.05-1.07x, 11x11 of 3 at
 * stride 4 1.17x, 5x5 of 3 the same); 3x3 stems of 1-3 channels, whose
 * merged rows would pad 9 bytes to 12, run 0.81-0.84x merged. 4 channels
 * (RGBA) run merged at every size: one tap of S*4 bytes a kernel row (a
 * 5x5 at stride 2 1.13x). */
#define SC_Q8_IM2COL_MAX_KC 512
#define SC_Q8_MERGED_MIN_TAPS 25

static bool q8_im2col(const sc_q8_igemm_config *cfg, const sc_problem *p) {
  return p->groups == 1 && p->dil_w == 1 && cfg->xbytes == 1 &&
         p->R * p->S > 1 && p->R * p->S * p->Cg <= SC_Q8_IM2COL_MAX_KC &&
         p->Cg % 4 != 0 && p->Cg <= 16 &&
         (p->R * p->S < SC_Q8_MERGED_MIN_TAPS || !sc_q8_merged_plan(p));
}

static q8_red q8_red_get(const sc_q8_igemm_config *cfg, const sc_problem *p) {
  if (cfg->grouped)
    return (q8_red){false, true, false, p->R * p->S, p->Cg,
                    4 * q8_grouped_quads(p), 1, p->K};
  /* The rule the workspace bound (src/bounds.c) accounts for. */
  _Static_assert(SC_Q8_KC_ALIGN == 4, "sc_q8_merged_plan pads to 4");
  const bool im2col = q8_im2col(cfg, p);
  const bool merged = !im2col && sc_q8_merged_plan(p);
  const size_t cg = im2col   ? p->R * p->S * p->Cg
                    : merged ? p->S * p->Cg
                             : p->Cg;
  return (q8_red){merged,
                  false,
                  im2col,
                  im2col ? 1 : merged ? p->R : p->R * p->S,
                  cg,
                  sc_round_up(cg, SC_Q8_KC_ALIGN),
                  p->groups,
                  p->Kg};
}

/* Bytes of one packed NR block; SIZE_MAX on overflow. */
static size_t q8_block_bytes(const sc_problem *p,
                             const sc_q8_igemm_config *cfg) {
  const q8_red red = q8_red_get(cfg, p);
  const size_t dims[] = {red.taps, red.kc, cfg->nr, cfg->wbytes};
  size_t w;
  /* Grouped: the load mask and a lane index per step (int32 each); the
   * others: each tap's corr (int32) after the weights. */
  const size_t head = cfg->nr * (sizeof(int32_t) + sizeof(float)) +
                      (red.grouped ? SC_Q8G_HEAD + red.kc * cfg->nr : 0);
  const size_t tail = red.grouped ? 0 : red.taps * cfg->nr * sizeof(int32_t);
  if (!sc_product_ok(dims, 4, &w) || w > SIZE_MAX - head - tail)
    return SIZE_MAX;
  return head + w + tail;
}

size_t sc_q8_igemm_packed_size(const sc_conv_kernel *k, const sc_problem *p) {
  const sc_q8_igemm_config *cfg = q8_cfg(k);
  const size_t block = q8_block_bytes(p, cfg);
  const q8_red red = q8_red_get(cfg, p);
  const size_t dims[] = {red.gemms, sc_div_up(red.kg, cfg->nr), block};
  size_t bytes;
  if (block == SIZE_MAX || !sc_product_ok(dims, 3, &bytes))
    return SIZE_MAX;
  return bytes;
}

/* A block's packed bias and multipliers (0 and 1 past nc); returns the
 * bytes after them. */
static uint8_t *q8_pack_head(const sc_q8_igemm_config *cfg, const q8_red *red,
                             const int8_t *w_krsc, const int32_t *bias,
                             const float *mult, int32_t zp_op, size_t k0,
                             size_t nc, uint8_t *out) {
  const size_t nr = cfg->nr, taps = red->taps, cg = red->cg;
  int32_t *b = (int32_t *)(void *)out;
  float *m = (float *)(b + nr);
  for (size_t j = 0; j < nr; j++) {
    b[j] = j < nc ? sc_q8_packed_bias(bias, k0 + j,
                                      w_krsc + (k0 + j) * taps * cg,
                                      taps * cg, zp_op)
                  : 0;
    m[j] = j < nc ? mult[k0 + j] : 1.0f;
  }
  return (uint8_t *)(m + nr);
}

/* A grouped kernel's block (q8_igemm.h): the load mask, each lane's dword
 * per step and the weights shifted to their bytes in it. */
static void q8_pack_grouped(const sc_q8_igemm_config *cfg, const q8_red *red,
                            const sc_problem *p, const int8_t *w_krsc,
                            size_t k0, size_t nc, uint8_t *out) {
  const size_t nr = cfg->nr, nq = red->kc / 4, taps = red->taps;
  const size_t cg = p->Cg, vl = cfg->vl;
  const q8_gspan sp = q8_gspan_get(p, k0, nc);
  /* Lane j's group starts lane_s(j) bytes into the load. */
#define lane_s(j) ((j) < nc ? (k0 + (j)) / p->Kg * cg - sp.base : 0)
  const uint64_t head[3] = {
      sp.len >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << sp.len) - 1,
      p->Kg % vl == 0 && cg % 4 == 0, sp.base};
  memset(out, 0, SC_Q8G_HEAD);
  memcpy(out, head, sizeof head);
  int32_t *voff = (int32_t *)(void *)(out + sizeof head);
  for (size_t v = 0; v < nr / vl; v++)
    voff[v] = (int32_t)lane_s(v * vl);
  int32_t *idx = (int32_t *)(void *)(out + SC_Q8G_HEAD);
  int8_t *w = (int8_t *)(idx + nq * nr);
  for (size_t j = 0; j < nr; j++) {
    const size_t s = lane_s(j);
    for (size_t q = 0; q < nq; q++)
      idx[q * nr + j] = (int32_t)(s / 4 + q < 16 ? s / 4 + q : 15);
    for (size_t t = 0; t < taps; t++)
      for (size_t q = 0; q < nq; q++)
        for (size_t i = 0; i < 4; i++) {
          /* Channel 4q + i - s % 4 of the group (0 outside it). */
          const size_t c = 4 * q + i - s % 4;
          w[((t * nq + q) * nr + j) * 4 + i] =
              j < nc && 4 * q + i >= s % 4 && c < cg
                  ? w_krsc[((k0 + j) * taps + t) * cg + c]
                  : 0;
        }
  }
#undef lane_s
}

/* One NR block: output channels [k0, k0 + nc) of the canonical weights. */
static void q8_pack_block(const sc_q8_igemm_config *cfg, const sc_problem *p,
                          const int8_t *w_krsc, const int32_t *bias,
                          const float *mult, int32_t zp_op, size_t k0,
                          size_t nc, uint8_t *out) {
  const q8_red red = q8_red_get(cfg, p);
  const size_t nr = cfg->nr, kr = cfg->kr, taps = red.taps, cg = red.cg;
  const size_t kc = red.kc;
  uint8_t *wp =
      q8_pack_head(cfg, &red, w_krsc, bias, mult, zp_op, k0, nc, out);
  if (red.grouped) {
    q8_pack_grouped(cfg, &red, p, w_krsc, k0, nc, wp);
    return;
  }
  int8_t *w8 = (int8_t *)wp;
  int16_t *w16 = (int16_t *)(void *)wp;
  size_t i = 0;
  for (size_t t = 0; t < taps; t++)
    for (size_t c0 = 0; c0 < kc; c0 += kr)
      for (size_t j = 0; j < nr; j++)
        for (size_t c = c0; c < c0 + kr; c++, i++) {
          const int8_t v =
              j < nc && c < cg ? w_krsc[((k0 + j) * taps + t) * cg + c] : 0;
          if (cfg->wbytes == 2)
            w16[i] = v;
          else
            w8[i] = v;
        }
  /* corr[t][j]: what tap t adds reading the zero row, zp_op * sum w. */
  int32_t *corr = (int32_t *)(void *)(wp + i * cfg->wbytes);
  for (size_t t = 0; t < taps; t++)
    for (size_t j = 0; j < nr; j++)
      corr[t * nr + j] =
          j < nc ? sc_q8_zp_term(w_krsc + ((k0 + j) * taps + t) * cg, cg, zp_op)
                 : 0;
}

void sc_q8_igemm_pack(const sc_conv_kernel *k, const sc_problem *p,
                      const int8_t *w_krsc, const int32_t *bias,
                      const float *mult, void *packed) {
  const sc_q8_igemm_config *cfg = q8_cfg(k);
  const q8_red red = q8_red_get(cfg, p);
  const size_t nr = cfg->nr, kg = red.kg, nblocks = sc_div_up(kg, nr);
  const size_t block = q8_block_bytes(p, cfg);
  const int32_t zp_op =
      sc_q8_zp_operand(&p->q8, cfg->op_signed[p->q8.in_type]);
  uint8_t *out = packed;
  for (size_t g = 0; g < red.gemms; g++)
    for (size_t b = 0; b < nblocks; b++, out += block) {
      const size_t left = kg - b * nr;
      q8_pack_block(cfg, p, w_krsc, bias, mult, zp_op, g * kg + b * nr,
                    left < nr ? left : nr, out);
    }
}

/* ---- plan and workspace ------------------------------------------------- */

/* Where the micro-kernels' rows come from. */
typedef struct q8_plan {
  bool copy;          /* a copy of each image in the workspace */
  bool merged;        /* that copy padded, a tap per kernel row (q8_red) */
  bool grouped;       /* a grouped kernel's (q8_red) */
  size_t kc;          /* elements per row (grouped: 4 * steps) */
  size_t ckc;         /* elements of a group in a pixel of the copy */
  size_t zero_bytes;  /* of the zero row */
  bool im2col;        /* one tap of R*S*Cg: rows copied per tile (q8_red) */
  size_t xbytes;      /* bytes per element: 1, or 2 (the copy widens) */
  size_t pix_stride;  /* bytes between pixels of the tensor the rows are in */
  size_t grp_stride;  /* bytes between the groups of a pixel there */
  size_t taps, tcols; /* taps per output, of which tcols per kernel row */
  size_t tiles;       /* per image */
  size_t Hp, Wp;      /* merged: the padded image */
  size_t slack;       /* elements of x_zp after the copy (q8_layout_get) */
  /* 1x1, stride 1, no padding: output pixel i reads row i of the rows'
   * tensor, pix_stride bytes apart; the tasks point at the rows of their
   * tiles themselves, with no indirection buffer (whose pointers, 8 bytes
   * a pixel, outweighed the input of the 16-32-channel 1x1 layers). */
  bool contiguous;
  /* Layers that run tile by tile (grouped kernels, a GEMM's weights
   * within SC_TILES_OUTER_BYTES): each tile's row pointers made once for
   * all its blocks, on the stack, instead of an indirection buffer (72
   * bytes a pixel at 3x3 written and read again: a fifth of the input
   * bytes of ResNeXt's 4-channel groups, more with 2; SqueezeNet's
   * fire2_expand3x3 spent a quarter of its time building it). Layers run
   * block by block keep the buffer: rows made per block and tile cost
   * their 3x3 layers of 256 channels 3%. */
  bool tile_rows;
} q8_plan;

/* Whether some tap pointers of the plan's tiles name the zero row (zero
 * padding read through a tap per kernel tap or row; the merged copy has
 * its padding in it, im2col's records are on the stack), so that the
 * micro-kernels may skip the taps padded for a whole tile. */
static bool q8_zero_taps(const sc_problem *p, const q8_plan *pl) {
  return !pl->grouped && !pl->merged && !pl->im2col && !pl->contiguous &&
         p->padding_mode == SIMDCONV_PAD_ZEROS &&
         (p->pad_top | p->pad_bottom | p->pad_left | p->pad_right) != 0;
}

/* The most row pointers of a tile made on the stack (q8_plan.tile_rows). */
#define SC_Q8_TILE_ROWS_MAX 512

/* Whether a task of kt blocks of `block` bytes runs tile by tile
 * (q8_compute): grouped kernels always; else NHWC output (a tile's pixels
 * written whole; in NCHW a tile would write a few bytes to each of K
 * planes at once, 0.6x on MobileNetV2's 1x1 layers) and the task's blocks
 * within SC_TILES_OUTER_BYTES. */
static bool q8_tiles_outer(const sc_q8_igemm_config *cfg, const sc_problem *p,
                           size_t kt, size_t block) {
  if (cfg->grouped)
    return true;
  const size_t dims[] = {kt, block};
  size_t bytes;
  return p->layout == SIMDCONV_LAYOUT_NHWC && sc_product_ok(dims, 2, &bytes) &&
         bytes <= SC_TILES_OUTER_BYTES;
}

static q8_plan q8_plan_get(const sc_conv_kernel *k, const sc_problem *p,
                           const sc_shape *s) {
  const q8_red red = q8_red_get(q8_cfg(k), p);
  const size_t kc = red.kc, xb = q8_cfg(k)->xbytes;
  /* Grouped kernels read any Cg unpadded: NCHW alone needs the copy;
   * im2col reads the NHWC image, or an unpadded NHWC copy. */
  const size_t ckc = red.grouped ? p->Cg : kc;
  const bool nchw = p->layout == SIMDCONV_LAYOUT_NCHW;
  const bool copy = red.im2col ? nchw
                               : red.merged || nchw || ckc != p->Cg || xb != 1;
  const bool contiguous = p->R == 1 && p->S == 1 && p->stride_h == 1 &&
                          p->stride_w == 1 && p->pad_top == 0 &&
                          p->pad_bottom == 0 && p->pad_left == 0 &&
                          p->pad_right == 0;
  return (q8_plan){
      .copy = copy,
      .merged = red.merged,
      .grouped = red.grouped,
      .im2col = red.im2col,
      .kc = kc,
      .ckc = ckc,
      /* im2col's 16-byte pieces of a padding row read up to 15 more. */
      .zero_bytes = red.grouped  ? SC_Q8G_MAX_SPAN
                    : red.im2col ? (kc + SC_IM2COL_SLACK) * xb
                                 : kc * xb,
      .xbytes = xb,
      .pix_stride = red.merged || red.im2col ? p->C * xb
                    : copy                   ? p->groups * ckc * xb
                                             : p->C,
      .grp_stride = copy && !red.im2col ? ckc * xb : p->Cg,
      .taps = red.taps,
      .tcols = red.merged ? 1 : p->S,
      .tiles = sc_div_up(s->OH * s->OW, q8_cfg(k)->mr),
      .Hp = s->H + p->pad_top + p->pad_bottom,
      .Wp = s->W + p->pad_left + p->pad_right,
      .slack = red.im2col ? SC_IM2COL_SLACK : kc,
      .contiguous = contiguous,
      .tile_rows =
          !red.im2col && !contiguous &&
          red.taps * q8_cfg(k)->mr <= SC_Q8_TILE_ROWS_MAX &&
          q8_tiles_outer(q8_cfg(k), p, sc_div_up(red.kg, q8_cfg(k)->nr),
                         q8_block_bytes(p, q8_cfg(k)))};
}

/* Byte offsets of the workspace's parts. */
typedef struct q8_layout {
  size_t zero, rowtab, coltab, indir, xcopy, total;
} q8_layout;

static bool q8_add(size_t *at, size_t bytes) {
  const size_t aligned = sc_round_up(*at, SC_ALIGNMENT);
  return aligned >= *at && !__builtin_add_overflow(aligned, bytes, at);
}

static bool q8_layout_get(const sc_conv_kernel *k, const sc_problem *p,
                          const sc_shape *s, q8_layout *l) {
  const q8_plan pl = q8_plan_get(k, p, s);
  const size_t mr = q8_cfg(k)->mr;
  const size_t rows[] = {s->OH, p->R, sizeof(ptrdiff_t)};
  const size_t cols[] = {s->OW, pl.tcols, sizeof(ptrdiff_t)};
  /* No indirection for the tile_rows and im2col plans (the tiles' rows
   * are made on the tasks' stacks). */
  const size_t ind[] = {pl.tile_rows || pl.im2col ? 0 : pl.tiles, pl.taps,
                        mr, sizeof(const uint8_t *)};
  /* The merged copy: the padded image and its slack, which the last rows'
   * kc - S*Cg extra elements read (their weights are 0), or im2col's
   * 16-byte pieces. */
  const size_t cp[] = {pl.merged ? pl.Hp : s->H, pl.merged ? pl.Wp : s->W,
                       pl.pix_stride};
  size_t nrows, ncols, nind, ncopy, at = 0;
  if (!sc_product_ok(rows, 3, &nrows) || !sc_product_ok(cols, 3, &ncols) ||
      !sc_product_ok(ind, 4, &nind) || !sc_product_ok(cp, 3, &ncopy) ||
      __builtin_add_overflow(ncopy, pl.slack * pl.xbytes, &ncopy))
    return false;
  l->zero = at;
  if (!q8_add(&at, pl.zero_bytes))
    return false;
  l->rowtab = sc_round_up(at, SC_ALIGNMENT);
  if (!q8_add(&at, nrows))
    return false;
  l->coltab = sc_round_up(at, SC_ALIGNMENT);
  if (!q8_add(&at, ncols))
    return false;
  l->indir = sc_round_up(at, SC_ALIGNMENT);
  if (!q8_add(&at, nind))
    return false;
  l->xcopy = sc_round_up(at, SC_ALIGNMENT);
  if (pl.copy && !q8_add(&at, ncopy))
    return false;
  l->total = at;
  return true;
}

size_t sc_q8_igemm_workspace_size(const sc_conv_kernel *k,
                                  const sc_problem *p, const sc_shape *s) {
  q8_layout l;
  return q8_layout_get(k, p, s, &l) ? l.total : SIZE_MAX;
}

/* ---- indirection ---------------------------------------------------------- */

typedef struct q8_indir_ctx {
  const sc_problem *p;
  const sc_shape *s;
  size_t mr, taps, tcols, pixels;
  const ptrdiff_t *rowtab, *coltab; /* byte offsets, -1: zero padding */
  const uint8_t *base, *zero;
  const uint8_t **indir;
  /* The output rows [oh_lo, oh_hi) and columns [ow_lo, ow_hi) whose taps
   * all read the image itself (q8_interior), where a tap's pointer steps
   * by step bytes from one output pixel to the next. */
  size_t oh_lo, oh_hi, ow_lo, ow_hi, step;
} q8_indir_ctx;

/* The interior of q8_indir_ctx: the merged copy is padded, all of it. */
static void q8_interior(const sc_problem *p, const sc_shape *s,
                        const q8_plan *pl, q8_indir_ctx *c) {
  c->step = p->stride_w * pl->pix_stride;
  c->oh_lo = c->ow_lo = 0;
  c->oh_hi = s->OH;
  c->ow_hi = s->OW;
  if (pl->merged)
    return;
  sc_pad_interior(s->H, s->OH, p->R, p->stride_h, p->dil_h, p->pad_top,
                  &c->oh_lo, &c->oh_hi);
  sc_pad_interior(s->W, s->OW, p->S, p->stride_w, p->dil_w, p->pad_left,
                  &c->ow_lo, &c->ow_hi);
}

/* The row pointers of a tile of MR pixels from (oh, ow) in one interior
 * output row: per tap, its first pixel's pointer and then steps, a loop
 * the compiler vectorises (the per-pixel tables cost 0.15 of a 3x3 layer
 * of 32 channels, built per tile or into a buffer). */
static void q8_tile_linear(const q8_indir_ctx *c, size_t oh, size_t ow,
                           const uint8_t **a) {
  const size_t R = c->p->R, S = c->tcols, mr = c->mr, step = c->step;
  const ptrdiff_t *rt = c->rowtab + oh * R, *ct = c->coltab + ow * S;
  const uint8_t *const base = c->base;
  for (size_t r = 0; r < R; r++)
    for (size_t q = 0; q < S; q++) {
      const uint8_t *const first = base + rt[r] + ct[q];
      const uint8_t **at = a + (r * S + q) * mr;
      for (size_t i = 0; i < mr; i++)
        at[i] = first + i * step;
    }
}

/* The row pointers of tiles [t0, t0 + nt) to a (tile t0's first). */
static void q8_indir_rows(const q8_indir_ctx *c, size_t t0, size_t nt,
                          const uint8_t **a0) {
  /* Locals: the pointer stores below may alias c's pointer fields, which
   * the loops would otherwise read again after every store. */
  const size_t R = c->p->R, S = c->tcols, mr = c->mr, OW = c->s->OW;
  const size_t taps = c->taps, pixels = c->pixels;
  const uint8_t *const zero = c->zero, *const base = c->base;
  const ptrdiff_t *const rowtab = c->rowtab, *const coltab = c->coltab;
  /* The output row and column of the first pixel, then stepped: a division
   * per pixel was a fifth of ResNeXt's 56x56 grouped layer. */
  size_t oh = t0 * mr / OW, ow = t0 * mr % OW;
  for (size_t tile = t0; tile < t0 + nt; tile++) {
    if (oh >= c->oh_lo && oh < c->oh_hi && ow >= c->ow_lo &&
        ow + mr <= c->ow_hi) {
      q8_tile_linear(c, oh, ow, a0 + (tile - t0) * taps * mr);
      if ((ow += mr) == OW) {
        ow = 0;
        oh++;
      }
      continue;
    }
    for (size_t i = 0; i < mr; i++) {
      const uint8_t **a = a0 + (tile - t0) * taps * mr + i;
      if (tile * mr + i >= pixels) {
        for (size_t t = 0; t < taps; t++)
          a[t * mr] = zero;
        continue;
      }
      const ptrdiff_t *rt = rowtab + oh * R;
      const ptrdiff_t *ct = coltab + ow * S;
      for (size_t r = 0; r < R; r++)
        for (size_t q = 0; q < S; q++)
          a[(r * S + q) * mr] =
              rt[r] < 0 || ct[q] < 0 ? zero : base + rt[r] + ct[q];
      if (++ow == OW) {
        ow = 0;
        oh++;
      }
    }
  }
}

/* The indirection buffer's tiles [t0, t0 + nt). */
static void q8_indir_task(void *arg, size_t t0, size_t nt) {
  const q8_indir_ctx *c = arg;
  q8_indir_rows(c, t0, nt, c->indir + t0 * c->taps * c->mr);
}

/* Byte offsets of the padded rows and columns in the rows' tensor (the
 * merged copy is padded already: a tap per kernel row, at its first
 * column). */
static void q8_tables(const sc_problem *p, const sc_shape *s,
                      const q8_plan *pl, ptrdiff_t *rowtab,
                      ptrdiff_t *coltab) {
  if (pl->merged) {
    for (size_t oh = 0; oh < s->OH; oh++)
      for (size_t r = 0; r < p->R; r++)
        rowtab[oh * p->R + r] = (ptrdiff_t)((oh * p->stride_h + r * p->dil_h) *
                                            pl->Wp * pl->pix_stride);
    for (size_t ow = 0; ow < s->OW; ow++)
      coltab[ow] = (ptrdiff_t)(ow * p->stride_w * pl->pix_stride);
    return;
  }
  for (size_t oh = 0; oh < s->OH; oh++)
    for (size_t r = 0; r < p->R; r++) {
      const ptrdiff_t ih = sc_pad_map(
          (ptrdiff_t)(oh * p->stride_h + r * p->dil_h) - (ptrdiff_t)p->pad_top,
          (ptrdiff_t)s->H, p->padding_mode);
      rowtab[oh * p->R + r] =
          ih < 0 ? -1 : ih * (ptrdiff_t)(s->W * pl->pix_stride);
    }
  for (size_t ow = 0; ow < s->OW; ow++)
    for (size_t q = 0; q < p->S; q++) {
      const ptrdiff_t iw = sc_pad_map(
          (ptrdiff_t)(ow * p->stride_w + q * p->dil_w) -
              (ptrdiff_t)p->pad_left,
          (ptrdiff_t)s->W, p->padding_mode);
      coltab[ow * p->S + q] = iw < 0 ? -1 : iw * (ptrdiff_t)pl->pix_stride;
    }
}

/* ---- the padded copy ------------------------------------------------------ */

typedef struct q8_copy_ctx {
  const sc_problem *p;
  size_t HW, kc;
  const uint8_t *x; /* the image, NHWC or NCHW */
  void *dst;        /* HW pixels of groups x kc elements (merged: Hp x Wp
                       pixels of C, then kc elements of slack) */
  bool wide;        /* int16 elements: the values, widened by their type */
  const sc_shape *s;
  const q8_plan *pl;
} q8_copy_ctx;

/* A rows x n block: element (r, i) at d (element index di + r * d_row +
 * i * d_step) from the byte at s + r * s_row + i; the bytes themselves, or
 * their values as int16 (the unit-stride loops vectorise). */
typedef struct q8_block {
  size_t di, d_row, d_step;
  const uint8_t *s;
  size_t s_row;
  size_t rows, n;
} q8_block;

static void q8_copy_run(const q8_copy_ctx *t, const q8_block *b) {
  for (size_t r = 0; r < b->rows; r++) {
    const uint8_t *s = b->s + r * b->s_row;
    const size_t o = b->di + r * b->d_row;
    if (!t->wide && b->d_step == 1) {
      memcpy((uint8_t *)t->dst + o, s, b->n); /* NHWC rows */
    } else if (!t->wide) {
      uint8_t *d = (uint8_t *)t->dst + o;
      for (size_t i = 0; i < b->n; i++)
        d[i * b->d_step] = s[i];
    } else if (t->p->q8.in_type == SIMDCONV_QTYPE_S8) {
      int16_t *d = (int16_t *)t->dst + o;
      for (size_t i = 0; i < b->n; i++)
        d[i * b->d_step] = (int8_t)s[i];
    } else {
      int16_t *d = (int16_t *)t->dst + o;
      for (size_t i = 0; i < b->n; i++)
        d[i * b->d_step] = s[i];
    }
  }
}

/* kc - Cg zero elements of every group of pixels [p0, p0 + np): their
 * packed weights are 0. */
static void q8_copy_pad(const q8_copy_ctx *t, size_t p0, size_t np) {
  const sc_problem *p = t->p;
  const size_t kc = t->kc, stride = p->groups * kc, xb = t->wide ? 2 : 1;
  for (size_t i = 0; kc != p->Cg && i < np; i++)
    for (size_t g = 0; g < p->groups; g++)
      memset((uint8_t *)t->dst + ((p0 + i) * stride + g * kc + p->Cg) * xb,
             0, (kc - p->Cg) * xb);
}

/* n elements of x_zp from element index i. */
static void q8_fill_zp(const q8_copy_ctx *t, size_t i, size_t n) {
  if (t->wide)
    for (size_t j = 0; j < n; j++)
      ((int16_t *)t->dst)[i + j] = (int16_t)t->p->q8.x_zp;
  else
    memset((uint8_t *)t->dst + i, (uint8_t)t->p->q8.x_zp, n);
}

/* Merged: padded row ihp of the copy, Wp pixels of C elements: the input
 * row (or x_zp for a zero-padding row), then each padding column from the
 * column it maps to (x_zp for zeros); after the last row, the slack. */
static void q8_merged_row(void *arg, size_t ihp) {
  const q8_copy_ctx *t = arg;
  const sc_problem *p = t->p;
  const size_t C = p->C, W = t->s->W, Wp = t->pl->Wp, xb = t->wide ? 2 : 1;
  const size_t row = ihp * Wp * C;
  if (ihp + 1 == t->pl->Hp)
    q8_fill_zp(t, row + Wp * C, t->pl->slack);
  const ptrdiff_t ih = sc_pad_map((ptrdiff_t)ihp - (ptrdiff_t)p->pad_top,
                                  (ptrdiff_t)t->s->H, p->padding_mode);
  if (ih < 0) {
    q8_fill_zp(t, row, Wp * C);
    return;
  }
  const size_t inner = row + p->pad_left * C;
  const q8_block b =
      p->layout == SIMDCONV_LAYOUT_NHWC
          ? (q8_block){inner, 0, 1, t->x + (size_t)ih * W * C, 0, 1, W * C}
          : (q8_block){inner, 1, C, t->x + (size_t)ih * W, t->HW, C, W};
  q8_copy_run(t, &b);
  for (size_t iwp = 0; iwp < Wp; iwp++) {
    if (iwp == p->pad_left) {
      iwp += W - 1;
      continue;
    }
    const ptrdiff_t iw = sc_pad_map((ptrdiff_t)iwp - (ptrdiff_t)p->pad_left,
                                    (ptrdiff_t)W, p->padding_mode);
    uint8_t *d = (uint8_t *)t->dst + (row + iwp * C) * xb;
    if (iw < 0)
      q8_fill_zp(t, row + iwp * C, C);
    else
      memcpy(d, (uint8_t *)t->dst + (inner + (size_t)iw * C) * xb, C * xb);
  }
}

/* Pixels [p0, p0 + np): each group's channels, then its zeros. NHWC is
 * read pixel by pixel, NCHW plane by plane (a line of pixels at a time). */
static void q8_copy_task(void *arg, size_t p0, size_t np) {
  const q8_copy_ctx *t = arg;
  const sc_problem *p = t->p;
  const size_t kc = t->kc, stride = p->groups * kc;
  q8_copy_pad(t, p0, np);
  const bool nhwc = p->layout == SIMDCONV_LAYOUT_NHWC;
  for (size_t g = 0; g < p->groups; g++) {
    /* NHWC: a row per pixel; NCHW: a row per channel (plane). */
    const q8_block b =
        nhwc ? (q8_block){p0 * stride + g * kc, stride, 1,
                          t->x + p0 * p->C + g * p->Cg, p->C, np, p->Cg}
             : (q8_block){p0 * stride + g * kc, 1, stride,
                          t->x + g * p->Cg * t->HW + p0, t->HW, p->Cg, np};
    q8_copy_run(t, &b);
  }
}

/* ---- compute -------------------------------------------------------------- */

typedef struct q8_ctx {
  const sc_q8_igemm_config *cfg;
  const sc_problem *p;
  sc_q8_igemm_ukernel_fn ukernel;
  const uint8_t *packed;
  const uint8_t *const *indir;
  const q8_indir_ctx *tile_rows; /* tile_rows plan: the tables (else NULL) */
  const uint8_t *rows; /* contiguous plan: row 0 (else NULL) */
  size_t row_stride;   /* contiguous plan: bytes between rows */
  uint8_t *y;          /* output of image 0 */
  size_t pix_stride;   /* bytes between output pixels: K (NHWC) or 1 */
  size_t ch_stride;    /* bytes between output channels: 1 or OH*OW */
  size_t kc, taps;
  size_t row_bytes;    /* input bytes a pixel's row pointer gives a block */
  size_t image_in;     /* a_offset per image: H*W*C, or 0 (a copy) */
  size_t grp_in;       /* a_offset per group */
  size_t image_out;    /* bytes between output images */
  size_t gemms, kg;    /* q8_red */
  size_t pixels, block, nblocks;
  bool tiles_outer;    /* q8_task's loop order */
  bool prefetch;       /* tiles_outer: the next tile's input pixels */
  /* im2col plan: */
  const uint8_t *im2col;    /* the NHWC image(s) or copy (else NULL) */
  sc_im2col records;        /* how its records are copied */
  sc_q8_igemm_params params;
} q8_ctx;

/* The row pointers of the tile at pixel pix (rows of them real): the
 * indirection buffer's, or (contiguous plan) made in a. */
static const uint8_t *const *q8_tile_rows(const q8_ctx *c, size_t pix,
                                          size_t rows, const uint8_t **a) {
  const size_t mr = c->cfg->mr;
  if (c->rows == NULL)
    return c->indir + (pix / mr) * c->taps * mr;
  const uint8_t *row = c->rows + pix * c->row_stride;
  size_t i = 0;
  for (; i < rows; i++, row += c->row_stride)
    a[i] = row;
  for (; i < mr; i++)
    a[i] = c->params.zero;
  return a;
}

/* An im2col task's operands: image n's output, channels [k0, k0 + nk). */
typedef struct q8_im2col_task {
  const q8_ctx *c;
  uint8_t *y;
  size_t k0, nk;
} q8_im2col_task;

/* The tile at pixel pix (rows of it real), records rec: every block of
 * the task, one tap of kc bytes. */
static void q8_im2col_run(void *arg, size_t pix, size_t rows,
                          const unsigned char *rec) {
  const q8_im2col_task *t = arg;
  const q8_ctx *c = t->c;
  const size_t mr = c->cfg->mr, nr = c->cfg->nr, end = t->k0 + t->nk;
  const uint8_t *a[SC_Q8_MAX_MR];
  sc_im2col_prefetch_out(t->y, 1, pix, mr, c->pix_stride, c->ch_stride,
                         t->k0, t->nk);
  for (size_t i = 0; i < mr; i++)
    a[i] = i < rows ? rec + i * c->records.stride : c->params.zero;
  for (size_t k = t->k0; k < end; k += nr)
    c->ukernel(rows, end - k < nr ? end - k : nr, c->kc, 1, a,
               c->packed + k / nr * c->block,
               t->y + k * c->ch_stride + pix * c->pix_stride, c->pix_stride,
               0, &c->params);
}

/* im2col (one image, one group): the tiles of [p0, p0 + np), each with
 * every block of [k0, k0 + nk), their records copied in chunks
 * (sc_im2col_tiles). */
static void q8_task_im2col(const q8_ctx *c, size_t n, size_t k0, size_t p0,
                           size_t nk, size_t np) {
  q8_im2col_task t = {c, c->y + n * c->image_out, k0, nk};
  sc_im2col_tiles(&c->records, c->im2col + n * c->image_in, p0, np,
                  c->cfg->mr, q8_im2col_run, &t);
}

/* A block's operands for the micro-kernel: output channels [k, k + nc) of
 * GEMM g (block kb) of image n. Made once per block of a task, not per
 * tile: the 1x1 layers of few channels spend as long per tile call in
 * these as in the micro-kernel (a division per call: MobileNetV2's
 * pw32to16 7% slower). */
typedef struct q8_blk {
  const uint8_t *w;
  size_t a_offset, nc;
  uint8_t *y; /* its pixel 0 */
} q8_blk;

static q8_blk q8_blk_get(const q8_ctx *c, size_t n, size_t g, size_t kb) {
  const size_t nr = c->cfg->nr, k = kb * nr;
  const uint8_t *w = c->packed + (g * c->nblocks + kb) * c->block;
  size_t a_offset = n * c->image_in + g * c->grp_in;
  if (c->cfg->grouped) {
    /* A grouped block reads its groups' bytes from their 4-aligned start,
     * in its head (q8_igemm.h). */
    uint64_t base;
    memcpy(&base, w + nr * 8 + 16, sizeof base);
    a_offset = n * c->image_in + (size_t)base;
  }
  return (q8_blk){w, a_offset, c->kg - k < nr ? c->kg - k : nr,
                  c->y + n * c->image_out + (g * c->kg + k) * c->ch_stride};
}

/* One micro-kernel call: block b, the tile at pixel pix (of [pix, pix +
 * np_left)), whose row pointers are a. */
static void q8_tile(const q8_ctx *c, const q8_blk *b, size_t pix,
                    size_t np_left, const uint8_t *const *a) {
  const size_t mr = c->cfg->mr;
  c->ukernel(np_left < mr ? np_left : mr, b->nc, c->kc, c->taps, a, b->w,
             b->y + pix * c->pix_stride, c->pix_stride, b->a_offset,
             &c->params);
}

/* q8_tile_rows, or (tile_rows plan) the tile's taps x MR pointers made in
 * a: kept apart, so that q8_tile_rows stays small enough to inline into
 * the per-tile loop of the 1x1 layers. */
static const uint8_t *const *q8_tile_rows_any(const q8_ctx *c, size_t pix,
                                              size_t rows, const uint8_t **a) {
  if (c->tile_rows == NULL)
    return q8_tile_rows(c, pix, rows, a);
  q8_indir_rows(c->tile_rows, pix / c->cfg->mr, 1, a);
  return a;
}

/* Prefetches the input pixels (every channel) that the tile at pixel pix
 * of image n reads: for grouped kernels at strides above 1, whose tiles
 * read input pixels the previous tiles did not (ResNeXt's stride-2 layer,
 * 800 KB of input from memory: 1.15-1.2x; at stride 1 the previous output
 * row has read most of them, measured no faster). */
static void q8_prefetch_tile(const q8_ctx *c, size_t n, size_t pix) {
  const size_t mr = c->cfg->mr;
  if (pix >= c->pixels)
    return;
  const size_t rows = c->pixels - pix < mr ? c->pixels - pix : mr;
  const uint8_t *buf[SC_Q8_TILE_ROWS_MAX];
  const uint8_t *const *a = q8_tile_rows_any(c, pix, rows, buf);
  const size_t taps = c->rows == NULL ? c->taps : 1;
  for (size_t t = 0; t < taps * mr; t++)
    if (a[t] != c->params.zero)
      for (size_t o = 0; o < c->row_stride; o += 64)
        __builtin_prefetch(a[t] + n * c->image_in + o);
}

/* Image n, GEMM g, output channels [k0, k0 + nk) of it (k0 a multiple of
 * NR), pixels [p0, p0 + np) (p0 a multiple of MR): block by block, each
 * block's weights read once for the task's tiles; grouped kernels tile by
 * tile (c->tiles_outer: their weights stay in cache), so that the blocks
 * read a tile's input pixels whole, one after the other, and write its
 * output pixels whole (block by block, ResNeXt's stride-2 layer read each
 * 256-byte input pixel a 64-byte line at a time, four sweeps over 800 KB:
 * 1.6x slower than its stride-1 twin of the same work). */
/* q8_task's tile-by-tile order: each tile's row pointers once for all
 * its blocks (up to SC_Q8_TILE_ROWS_MAX on the stack; a function of its
 * own, so that the other order's frame stays as small as it was). */
static void q8_task_tiles(const q8_ctx *c, size_t n, size_t g, size_t kb0,
                          size_t kb1, size_t p0, size_t np) {
  const size_t mr = c->cfg->mr;
  const uint8_t *buf[SC_Q8_TILE_ROWS_MAX];
  for (size_t pix = p0; pix < p0 + np; pix += mr) {
    const size_t rows = p0 + np - pix < mr ? p0 + np - pix : mr;
    const uint8_t *const *a = q8_tile_rows_any(c, pix, rows, buf);
    if (c->prefetch)
      q8_prefetch_tile(c, n, pix + mr);
    for (size_t kb = kb0; kb < kb1; kb++) {
      const q8_blk b = q8_blk_get(c, n, g, kb);
      q8_tile(c, &b, pix, p0 + np - pix, a);
    }
  }
}

static void q8_task(void *arg, size_t n, size_t g, size_t k0, size_t p0,
                    size_t nk, size_t np) {
  const q8_ctx *c = arg;
  if (c->im2col != NULL) {
    q8_task_im2col(c, n, k0, p0, nk, np);
    return;
  }
  const size_t mr = c->cfg->mr, nr = c->cfg->nr;
  const size_t kb0 = k0 / nr, kb1 = kb0 + sc_div_up(nk, nr);
  /* A single block runs in the loop below either way, its q8_blk made
   * once (per tile: pw32to16 4% slower). */
  if (c->tile_rows != NULL || (c->tiles_outer && kb1 - kb0 > 1)) {
    q8_task_tiles(c, n, g, kb0, kb1, p0, np);
    return;
  }
  const uint8_t *a[SC_Q8_MAX_MR];
  for (size_t kb = kb0; kb < kb1; kb++) {
    const q8_blk b = q8_blk_get(c, n, g, kb);
    for (size_t pix = p0; pix < p0 + np; pix += mr) {
      const size_t rows = p0 + np - pix < mr ? p0 + np - pix : mr;
      q8_tile(c, &b, pix, p0 + np - pix, q8_tile_rows(c, pix, rows, a));
    }
  }
}

/* Tiles per task, as the fp32 driver sizes them (src/igemm.c,
 * igemm_tiles_per_task): at least ~2^20 multiply-adds, and as many as let
 * a block's weights, read once per task, stay in L2 beside the tiles'
 * input rows. One tile per task made the 3x3 layers with 512 channels
 * stream all their weights per tile: 0.4-0.5x oneDNN. */
static size_t q8_tiles_per_task(const q8_ctx *c, size_t tiles) {
  const sc_problem *p = c->p;
  const size_t mr = c->cfg->mr, nr = c->cfg->nr;
  size_t pt = 1, work, block, tile_in;
  const size_t dims[] = {mr, nr, c->kc, c->taps, c->nblocks};
  if (sc_product_ok(dims, 5, &work) && work < ((size_t)1 << 20))
    pt = ((size_t)1 << 20) / work;
  /* Input bytes per tile: MR pixels' elements, times the input pixels per
   * output pixel (stride), times 2 for the kernel's halo rows. */
  const size_t in_dims[] = {mr, c->row_bytes, p->stride_h, p->stride_w, 2};
  const size_t blk_dims[] = {c->taps, c->kc, nr, c->cfg->wbytes};
  if (sc_product_ok(in_dims, 5, &tile_in) &&
      sc_product_ok(blk_dims, 4, &block)) {
    const size_t budget = sc_l2_budget();
    block = block > budget / 2 ? budget / 2 : block;
    const size_t fit = (budget - block) / tile_in;
    pt = fit > pt ? fit : pt;
  }
  return pt > tiles ? tiles : pt;
}

/* Runs images [0, n) into c->y: tasks of all of a group's blocks and
 * q8_tiles_per_task() tiles, split while there are fewer than 4 per thread
 * (first the operand whose copies cost less). */
static void q8_compute(q8_ctx *c, size_t n, pthreadpool_t pool,
                       uint32_t flags) {
  const size_t mr = c->cfg->mr, nr = c->cfg->nr;
  const size_t tiles = sc_div_up(c->pixels, mr);
  size_t kt = c->nblocks, pt = q8_tiles_per_task(c, tiles);
  const size_t threads = pthreadpool_get_threads_count(pool);
  if (threads > 1) {
    const size_t outer = n * c->gemms;
    const double weights = (double)c->nblocks * (double)c->block;
    const double input = (double)c->pixels * (double)c->row_bytes *
                         (double)c->p->stride_h * (double)c->p->stride_w;
    if (weights >= input)
      sc_split_tasks(threads, outer, c->nblocks, &kt, tiles, &pt);
    else
      sc_split_tasks(threads, outer, tiles, &pt, c->nblocks, &kt);
  }
  /* Tile by tile when the task's blocks are small: MobileNetV2's 1x1
   * layers of 16-24 input channels (3-5 blocks of 0.5-0.8 KB) wrote each
   * output pixel a third to a fifth at a time, in as many sweeps over 0.4-
   * 1.2 MB of output (cold, 1.4x the time of warm buffers). */
  c->tiles_outer = q8_tiles_outer(c->cfg, c->p, kt, c->block);
  sc_parallelize_4d_tile_2d(pool, q8_task, c, n, c->gemms, c->kg,
                                     c->pixels, kt * nr, pt * mr,
                                     flags);
}

/* Whether the micro-kernels ask for the weights ahead of their loads: a
 * block of more bytes than half of L1, which the tiles then stream from L2
 * (or memory) rather than find in L1 (src/ukernels/q8_igemm_ukernel.h),
 * on a host where the config's tiles gain from it (sc_wprefetch). */
static bool q8_prefetch_weights(const sc_q8_igemm_config *cfg, size_t block) {
  return block > sc_l1d_bytes() / 2 && sc_wprefetch(cfg->wprefetch_amd);
}

void sc_q8_igemm_run(const sc_run_args *args) {
  const sc_conv_kernel *k = args->kernel;
  const sc_q8_igemm_config *cfg = q8_cfg(k);
  const sc_problem *p = args->problem;
  const sc_shape *s = args->shape;
  const q8_plan pl = q8_plan_get(k, p, s);
  q8_layout l = {0};
  (void)q8_layout_get(k, p, s, &l); /* checked by workspace_size */
  uint8_t *ws = args->workspace;
  uint8_t *zero = ws + l.zero, *xcopy = ws + l.xcopy;
  ptrdiff_t *rowtab = (ptrdiff_t *)(void *)(ws + l.rowtab);
  ptrdiff_t *coltab = (ptrdiff_t *)(void *)(ws + l.coltab);
  const uint8_t **indir = (const uint8_t **)(void *)(ws + l.indir);
  const bool nchw = p->layout == SIMDCONV_LAYOUT_NCHW;
  const size_t pixels = s->OH * s->OW;
  /* The zero row: x_zp elements. (A byte store may alias the plan: a loop
   * bound read from it is re-read, and divided, every element.) */
  const size_t nzero = pl.zero_bytes / pl.xbytes;
  if (pl.xbytes == 2)
    for (size_t i = 0; i < nzero; i++)
      ((int16_t *)(void *)zero)[i] = (int16_t)p->q8.x_zp;
  else
    memset(zero, (uint8_t)p->q8.x_zp, nzero);
  const uint8_t *base = pl.copy ? xcopy : args->q8_input;
  if (!pl.contiguous)
    q8_tables(p, s, &pl, rowtab, coltab);
  q8_indir_ctx ic = {.p = p,
                     .s = s,
                     .mr = cfg->mr,
                     .taps = pl.taps,
                     .tcols = pl.tcols,
                     .pixels = pixels,
                     .rowtab = rowtab,
                     .coltab = coltab,
                     .base = base,
                     .zero = zero,
                     .indir = indir};
  q8_interior(p, s, &pl, &ic);
  if (!pl.contiguous && !pl.tile_rows && !pl.im2col)
    sc_build_indirection(args->pool, q8_indir_task, &ic, pl.tiles,
                         pl.tiles * cfg->mr * pl.taps);
  const q8_red red = q8_red_get(cfg, p);
  const size_t block = q8_block_bytes(p, cfg);
  q8_ctx c = {
      .cfg = cfg,
      .p = p,
      .ukernel = cfg->ukernel[p->q8.in_type],
      .packed = args->packed,
      .indir = indir,
      .tile_rows = pl.tile_rows ? &ic : NULL,
      .rows = pl.contiguous ? base : NULL,
      .row_stride = pl.pix_stride,
      .y = args->q8_output,
      .pix_stride = nchw ? 1 : p->K,
      .ch_stride = nchw ? pixels : 1,
      .kc = pl.kc,
      .taps = pl.taps,
      .row_bytes = pl.grouped ? sc_div_up(cfg->nr, p->Kg) * p->Cg
                              : pl.kc * pl.xbytes,
      .image_in = pl.copy ? 0 : s->H * s->W * p->C,
      .grp_in = pl.grp_stride,
      .image_out = pixels * p->K,
      .gemms = red.gemms,
      .kg = red.kg,
      .pixels = pixels,
      .block = block,
      .nblocks = sc_div_up(red.kg, cfg->nr),
      .prefetch = red.grouped && p->stride_h * p->stride_w > 1,
      .im2col = pl.im2col ? base : NULL,
      .params = {.zero = zero,
                 .cn_stride = nchw ? pixels : 0,
                 .out = sc_q8_out_get(&p->q8),
                 .skip_padding_taps = q8_zero_taps(p, &pl),
                 .prefetch_weights = q8_prefetch_weights(cfg, block)},
  };
  /* im2col's tables are byte (element) offsets: pix_stride = C. */
  if (pl.im2col)
    sc_im2col_init(&c.records, p, s, 1, rowtab, coltab, zero, pl.kc);
  if (!pl.copy) {
    q8_compute(&c, s->N, args->pool, args->pool_final);
    return;
  }
  /* One image at a time through the copy (im2col's: NHWC, unpadded). */
  const size_t HW = s->H * s->W;
  for (size_t n = 0; n < s->N; n++) {
    q8_copy_ctx cc = {p,     HW,  pl.im2col ? p->Cg : pl.ckc,
                      args->q8_input + n * HW * p->C,
                      xcopy, pl.xbytes == 2, s, &pl};
    if (pl.merged)
      sc_parallelize_1d(args->pool, q8_merged_row, &cc, pl.Hp,
                                 SC_POOL_PHASE);
    else
      sc_parallelize_1d_tile_1d(args->pool, q8_copy_task, &cc, HW,
                                         256, SC_POOL_PHASE);
    c.y = args->q8_output + n * c.image_out;
    q8_compute(&c, 1, args->pool,
               sc_pool_flags(args, n + 1 == s->N));
  }
}
