/*
 * The portable driver of the igemm kernels (see src/igemm.h): packs the
 * weights in panels of NR output channels, builds the indirection buffer in
 * the workspace and runs an ISA's micro-kernel over tiles of MR output
 * pixels x NR output channels (NHWC and NCHW). Compiled without ISA flags;
 * the ISA code is reached only through the config of the chosen kernel.
 *
 * Scalar twin: f32_conv_direct__scalar. The reduction of each output is
 * never split: one micro-kernel call computes it whole, in canonical order,
 * and results are the same for any thread count and tiling.
 */
#include <stdint.h>
#include <string.h>

#include "igemm.h"
#include "im2col.h"
#include "padding.h"
#include "problem.h"
#include "tasks.h"

static const sc_igemm_config *igemm_config(const sc_conv_kernel *k) {
  return k->config;
}

bool sc_igemm_fits(const sc_conv_kernel *k, const sc_problem *p) {
  const sc_igemm_config *cfg = igemm_config(k);
  /* int8 layers: the q8 families; transposed ones: the deconv_igemm
   * family wraps these micro-kernels. */
  if (p->dtype != SC_DTYPE_F32 || p->transposed)
    return false;
  if (cfg->max_k != 0 && (p->groups != 1 || p->K > cfg->max_k))
    return false;
  if (cfg->pad_vs_nr != 0 &&
      (p->groups != 1 ||
       sc_round_up(p->K, cfg->nr) > sc_round_up(p->K, cfg->pad_vs_nr)))
    return false;
  return !sc_is_depthwise(p);
}

void sc_igemm_describe(const sc_conv_kernel *k, sc_kernel_desc *d) {
  const sc_igemm_config *cfg = igemm_config(k);
  *d = (sc_kernel_desc){
      .tile_m = cfg->mr,
      .tile_n = cfg->nr,
      .layouts = (1u << SIMDCONV_LAYOUT_NCHW) | (1u << SIMDCONV_LAYOUT_NHWC),
      .constraints = cfg->constraints,
  };
}

const char *sc_igemm_check(const sc_conv_kernel *k) {
  const sc_igemm_config *cfg = igemm_config(k);
  if (cfg == NULL || cfg->ukernel == NULL || cfg->constraints == NULL)
    return "igemm config without micro-kernel or constraints";
  if (cfg->mr < 1 || cfg->mr > SC_IGEMM_MAX_MR || cfg->nr < 1 ||
      cfg->nr % 8 != 0)
    return "igemm tile needs 1 <= MR <= 8 and NR a multiple of 8";
  if (cfg->gukernel != NULL &&
      (cfg->greorder == NULL || cfg->gmr < 1 || cfg->gmr > SC_IGEMM_MAX_MR ||
       cfg->vl < 1 || cfg->nr % cfg->vl != 0 || cfg->vl > 16))
    return "grouped micro-kernel needs its input copy, 1 <= MR <= 8 and NR "
           "a multiple of its vector width (at most 16)";
  if (cfg->gsukernel != NULL &&
      (cfg->gukernel == NULL || cfg->gsmr < 1 || cfg->gsmr > SC_IGEMM_MAX_MR))
    return "grouped shuffle micro-kernel needs the grouped one beside it and "
           "1 <= MR <= 8";
  if (cfg->pad_vs_nr != 0 && cfg->pad_vs_nr >= cfg->nr)
    return "pad_vs_nr must name a narrower tile";
  if (cfg->half.ukernel == NULL &&
      (cfg->half.strided != NULL || cfg->half.strided_rows != NULL))
    return "a half tile's strided twins need the half tile";
  if (cfg->half.strided != NULL && cfg->strided == NULL)
    return "a strided half tile needs the strided full tile";
  return NULL;
}

/* Floats of one packed NR block: bias then R*S*Cg*NR weights; SIZE_MAX on
 * overflow. */
static size_t igemm_block_floats(const sc_problem *p, size_t nr) {
  const size_t dims[] = {p->R, p->S, p->Cg, nr};
  size_t w;
  if (!sc_product_ok(dims, 4, &w) || w > SIZE_MAX - nr)
    return SIZE_MAX;
  return w + nr;
}

/* Grouped convolutions with few channels per group (2 <= Cg <= Kg, Kg
 * dividing the vector width) use the ISA's grouped micro-kernel, whose NR
 * lanes span NR/Kg whole groups: the weights are then packed and the work
 * split as if it were one group of K channels, each NR block reading the
 * input channels of its own groups. Its vectors interleave G = VL/Kg
 * groups (src/ukernels/igemm_grouped_ukernel.h): the packed lanes follow
 * igemm_lane, and the input is read from a copy whose pixels hold each
 * span of G groups channel-major (cp floats apart: the last span completed
 * with +0 groups). Layers with Cg == Kg = 4 and whole vectors of groups
 * may instead run the shuffle tile (the same template with SC_UK_SHUFFLE;
 * sc_gshuffle: the host's choice), whose lanes are in channel order and
 * whose copy is the image as it is. Else each group is its own GEMM. */
typedef struct igemm_mode {
  bool grouped;
  size_t mr;       /* pixels per micro-kernel tile */
  size_t groups;   /* GEMMs: groups, or 1 (grouped) */
  size_t kg;       /* output channels per GEMM: Kg, or K (grouped) */
  sc_igemm_ukernel_fn ukernel;
  size_t G;        /* grouped: groups per vector; else 0 */
  size_t cp;       /* floats between pixels of the image the rows read */
  bool copy;       /* grouped: read the copy (G > 1 or NCHW) */
  bool shuffle;    /* grouped: the shuffle tiles, lanes in channel order */
} igemm_mode;

/* The shuffle tiles take the layer: Cg == Kg = 4, whole vectors of groups
 * (their copy, cp == C, is the image itself in NHWC order). They
 * read the copy rather than the caller's NHWC input in place: in place,
 * ResNeXt grouped3x3_56 ran at 33 to 89 GFLOP/s from one process to the
 * next (Zen 4, input in cache), through the copy at a steady 83. */
static bool igemm_gshuffle_fits(const sc_igemm_config *cfg,
                                const sc_problem *p, size_t G) {
  return cfg->gsukernel != NULL && p->Cg == 4 && p->Kg == 4 &&
         p->groups % G == 0 && sc_gshuffle();
}

static igemm_mode igemm_mode_get(const sc_igemm_config *cfg,
                                 const sc_problem *p) {
  /* At least G groups: the copy's pixels, padded to whole spans of G
   * groups, stay under twice the input's (the workspace bound). The
   * micro-kernel reads no vector past the last group's span, so the NHWC
   * input is read in place when it needs no reordering (G == 1). */
  if (cfg->gukernel != NULL && p->groups > 1 && p->Cg >= 2 &&
      p->Cg <= p->Kg && p->Kg < cfg->nr && cfg->vl % p->Kg == 0 &&
      p->groups >= cfg->vl / p->Kg) {
    const size_t G = cfg->vl / p->Kg;
    const bool shuffle = igemm_gshuffle_fits(cfg, p, G);
    return (igemm_mode){true,
                        shuffle ? cfg->gsmr : cfg->gmr,
                        1,
                        p->K,
                        shuffle ? cfg->gsukernel : cfg->gukernel,
                        G,
                        sc_div_up(p->groups, G) * G * p->Cg,
                        G > 1 || p->layout == SIMDCONV_LAYOUT_NCHW,
                        shuffle};
  }
  return (igemm_mode){false, cfg->mr, p->groups, p->Kg, cfg->ukernel,
                      0, p->C, false, false};
}

/* The output channel (from the block's first) of lane j of a packed NR
 * block: j, or when grouped, of vector j / VL, its group (j % VL) % G and
 * that group's channel (j % VL) / G (none when at or past the block's). */
static size_t igemm_lane(const sc_problem *p, const igemm_mode *m, size_t vl,
                         size_t j) {
  if (!m->grouped || m->shuffle)
    return j;
  const size_t l = j % vl;
  return j - l + l % m->G * p->Kg + l / m->G;
}

size_t sc_igemm_packed_size(const sc_conv_kernel *k, const sc_problem *p) {
  const sc_igemm_config *cfg = igemm_config(k);
  const igemm_mode m = igemm_mode_get(cfg, p);
  const size_t block = igemm_block_floats(p, cfg->nr);
  const size_t dims[] = {m.groups, sc_div_up(m.kg, cfg->nr), block,
                         sizeof(float)};
  size_t bytes;
  if (block == SIZE_MAX || !sc_product_ok(dims, 4, &bytes))
    return SIZE_MAX;
  return bytes;
}

void sc_igemm_pack(const sc_conv_kernel *k, const sc_problem *p,
                   const float *w_krsc, const float *bias, void *packed) {
  const sc_igemm_config *cfg = igemm_config(k);
  const igemm_mode m = igemm_mode_get(cfg, p);
  const size_t nr = cfg->nr, taps = p->R * p->S, cg = p->Cg;
  const size_t nblocks = sc_div_up(m.kg, nr);
  float *out = packed;
  for (size_t g = 0; g < m.groups; g++) {
    for (size_t b = 0; b < nblocks; b++) {
      const size_t k0 = g * m.kg + b * nr;
      const size_t nc = m.kg - b * nr < nr ? m.kg - b * nr : nr;
      for (size_t j = 0; j < nr; j++) {
        /* The canonical start value bias[k] + 0.0f (turns -0 into +0). */
        const size_t kj = igemm_lane(p, &m, cfg->vl, j);
        *out++ = kj < nc && bias != NULL ? bias[k0 + kj] + 0.0f : 0.0f;
      }
      for (size_t t = 0; t < taps; t++)
        for (size_t c = 0; c < cg; c++) {
          for (size_t j = 0; j < nr; j++) {
            const size_t kj = igemm_lane(p, &m, cfg->vl, j);
            out[j] = kj < nc ? w_krsc[((k0 + kj) * taps + t) * cg + c] : 0.0f;
          }
          out += nr;
        }
    }
  }
}

/* ---- plan and workspace --------------------------------------------------- */

/* How the input rows are read. Normally one row pointer per (pixel, tap) of
 * Cg floats, straight from the (NHWC) input, padding resolved by pointing at
 * the zero row or at the mapped input pixel. With few input channels the
 * per-tap overhead dominates: then ("merged") the image is first copied with
 * its padding materialised, so that the S taps of a kernel row are S*C
 * consecutive floats (dilation_w 1, one group, a padded image at most
 * IGEMM_MAX_PAD_GROWTH times the input) and a row pointer per (pixel, kernel
 * row) suffices. With fewer still ("im2col", src/im2col.h) each task
 * copies the R*S*C floats of each of its pixels into a record on its stack
 * and the micro-kernel runs them as one tap: no indirection buffer, no
 * padded copy. The packed weights are (r, s, c)-ordered in every plan, so
 * the order of the fmas, and the result, is the same. */
typedef struct igemm_plan {
  bool merged, im2col;
  bool strided; /* merged, on the config's strided micro-kernel: no
                   indirection buffer (sc_igemm_strided_fn) */
  size_t taps;  /* row pointers per pixel: R*S, R when merged, 1 (im2col) */
  size_t kc;    /* floats per row: Cg, S*Cg when merged, R*S*Cg (im2col) */
  size_t tcols; /* column entries per output column: S, or 1 when merged */
  size_t Hp, Wp; /* the padded image (merged) */
} igemm_plan;

/* Floats of a pixel's reduction up to which im2col copies it (a tile's
 * records, MR of them with up to 15 bytes of slack each, fit the tasks'
 * stack buffer up to 1024). Measured, 1 thread, A/B in one process:
 * 3x3 RGB stems (27 floats) 1.26-1.32x in NHWC, 1.0-1.07x in NCHW; the
 * 5x5 RGBA stem (100) 0.86-1.04x and ResNet-50's 7x7 conv1 (147)
 * 0.94-1.03x, whose 6 pieces per kernel row cost about what the merged
 * plan's 7 taps of 21 floats save. */
#define IGEMM_IM2COL_MAX_KC 64

/* The im2col plan: one group and dilation_w 1 (a kernel row's taps are one
 * span of S*C floats), more than one tap, and channels too few to pay for
 * a tap each. Not one channel: the 3x3 gray stem (unet, K = 64) is bound
 * by its output stores, and the copy measured 0.96-0.98x in NHWC. */
static bool igemm_im2col(const sc_igemm_config *cfg, const sc_problem *p) {
  return !cfg->prefer_merged && p->groups == 1 && p->dil_w == 1 &&
         p->R * p->S > 1 && p->Cg >= 2 && p->Cg <= 4 &&
         p->R * p->S * p->Cg <= IGEMM_IM2COL_MAX_KC;
}

/* Padded images up to this many times the input image may be copied: the
 * workspace stays within the bound of bounds.h, however large the padding.
 * (The suite's merged layers pad their images by 2-6%.) */
#define IGEMM_MAX_PAD_GROWTH 4

/* Whether the merged plan's padded image stays within the growth limit. */
static bool igemm_pad_copy_ok(const sc_problem *p, const sc_shape *s) {
  const size_t hp = s->H + p->pad_top + p->pad_bottom;
  const size_t wp = s->W + p->pad_left + p->pad_right;
  size_t padded;
  return sc_mul_ok(hp, wp, &padded) &&
         padded / IGEMM_MAX_PAD_GROWTH <= s->H * s->W;
}

/* Whether the merged plan runs on the strided micro-kernel, against the
 * indirection build it saves (a pointer per pixel and kernel row, about
 * 1 ns): rows a multiple of MR, or at least 16 MR wide: the stems, 112
 * wide, 1.05-1.21x (simdconv-ab, AVX-512). Rows of 19 and 55 pixels on
 * 6-pixel tiles ran 0.83x and 0.94x when a tile across a row's end took a
 * call per row; in one call (strided_rows) 0.97-1.00x (Zen 4): still
 * not a gain, so these keep the indirection. */
static bool igemm_strided(const sc_igemm_config *cfg, const sc_shape *s) {
  return cfg->strided != NULL &&
         (s->OW % cfg->mr == 0 || cfg->mr * 16 <= s->OW);
}

/* Whether an unpadded stride-1 1x1 NHWC layer runs the strided
 * micro-kernel on the input as it is, a tile's rows C floats apart: no
 * indirection to build (6% of MobileNetV2's 32->16 at 112x112). Only for
 * the one-vector tiles of K <= 16, whose 8 rows of 32 channels are short
 * enough work per tile for the indirection to show: pw32to16_112 1.18-1.28x
 * (Zen 4, cold, old and new library in one process); the wider tiles
 * measured 0.87-0.93x on 16->96, 24->144 and 7x7 layers. */
static bool igemm_pointwise_strided(const sc_igemm_config *cfg,
                                    const sc_problem *p, const sc_shape *s) {
  return p->R == 1 && p->S == 1 && p->stride_h == 1 && p->stride_w == 1 &&
         p->groups == 1 && p->layout == SIMDCONV_LAYOUT_NHWC &&
         !(p->pad_top | p->pad_bottom | p->pad_left | p->pad_right) &&
         cfg->max_k != 0 && cfg->max_k <= 16 && igemm_strided(cfg, s);
}

static igemm_plan igemm_plan_get(const sc_igemm_config *cfg,
                                 const sc_problem *p, const sc_shape *s) {
  igemm_plan pl = {.taps = p->R * p->S, .kc = p->Cg, .tcols = p->S};
  if (igemm_im2col(cfg, p)) {
    pl.im2col = true;
    pl.taps = 1;
    pl.kc = p->R * p->S * p->Cg;
  } else if (p->groups == 1 && p->dil_w == 1 && p->S > 1 && p->Cg < 32 &&
      igemm_pad_copy_ok(p, s)) {
    pl.merged = true;
    pl.taps = p->R;
    pl.kc = p->S * p->Cg;
    pl.tcols = 1;
    pl.Hp = s->H + p->pad_top + p->pad_bottom;
    pl.Wp = s->W + p->pad_left + p->pad_right;
    pl.strided = igemm_strided(cfg, s);
  } else if (igemm_pointwise_strided(cfg, p, s)) {
    pl.Hp = s->H;
    pl.Wp = s->W;
    pl.strided = true;
  }
  return pl;
}

/* Floats of the zero row: a row of kc (the grouped micro-kernel reads up to
 * NR floats; im2col's pieces of a zero-padding kernel row, S*C floats, up
 * to 15 bytes more, within the rounding to 16 since kc >= S*C). */
static size_t igemm_zero_floats(const sc_igemm_config *cfg,
                                const igemm_plan *pl) {
  return sc_round_up(pl->kc > cfg->nr ? pl->kc : cfg->nr, 16);
}

/* Byte offsets of the workspace's parts, each SC_ALIGNMENT aligned. */
typedef struct igemm_layout {
  size_t zero;   /* the zero row: igemm_zero_floats() */
  size_t rowtab; /* OH*R row offsets (ptrdiff_t, -1: zero padding) */
  size_t coltab; /* OW*tcols column offsets */
  size_t indir;  /* (tiles + 1) * taps * MR pointers for one image: the
                    micro-kernels prefetch the next tile's rows, so a spare
                    tile of zero rows follows the last (none for im2col) */
  size_t tskip;  /* tiles + 1 bytes: 1 where a tap of the tile is zero
                    padding for all its pixels (the micro-kernel may skip
                    it, docs/numerics.md section 1; none for im2col) */
  size_t xpad;   /* merged: one padded NHWC image, Hp*Wp*C floats */
  size_t xin;    /* NCHW, not merged, or the grouped copy: one NHWC image,
                    H*W*cp floats (igemm_mode) */
  size_t total;
} igemm_layout;

/* Appends `bytes` at the aligned end of *total; false on overflow. */
static bool layout_add(size_t *total, size_t bytes, size_t *offset) {
  const size_t start = sc_round_up(*total, SC_ALIGNMENT);
  if (start < *total || bytes > SIZE_MAX - start - SC_ALIGNMENT)
    return false;
  *offset = start;
  *total = start + bytes;
  return true;
}

/* Appends a product of factors (bytes); false on overflow. */
static bool layout_add_dims(size_t *total, const size_t *dims, size_t n,
                            size_t *offset) {
  size_t bytes;
  return sc_product_ok(dims, n, &bytes) && layout_add(total, bytes, offset);
}

static bool igemm_layout_get(const sc_igemm_config *cfg, const sc_problem *p,
                             const sc_shape *s, igemm_layout *l) {
  const igemm_plan pl = igemm_plan_get(cfg, p, s);
  const igemm_mode m = igemm_mode_get(cfg, p);
  const size_t mr = m.mr;
  size_t pixels;
  *l = (igemm_layout){0};
  if (!sc_mul_ok(s->OH, s->OW, &pixels))
    return false;
  const size_t zero[] = {igemm_zero_floats(cfg, &pl), sizeof(float)};
  const size_t rowtab[] = {s->OH, p->R, sizeof(ptrdiff_t)};
  const size_t coltab[] = {s->OW, pl.tcols, sizeof(ptrdiff_t)};
  /* im2col: records on the tasks' stacks, no tap to skip; strided: rows
   * addressed in the padded copy, no tap to skip either. */
  const size_t tiles =
      pl.im2col || pl.strided ? 0 : sc_div_up(pixels, mr) + 1;
  const size_t indir[] = {tiles, mr, pl.taps, sizeof(const float *)};
  const size_t tskip[] = {tiles, 1};
  if (!layout_add_dims(&l->total, zero, 2, &l->zero) ||
      !layout_add_dims(&l->total, rowtab, 3, &l->rowtab) ||
      !layout_add_dims(&l->total, coltab, 3, &l->coltab) ||
      !layout_add_dims(&l->total, indir, 4, &l->indir) ||
      !layout_add_dims(&l->total, tskip, 2, &l->tskip))
    return false;
  if (pl.merged) {
    const size_t xpad[] = {pl.Hp, pl.Wp, p->C, sizeof(float)};
    if (!layout_add_dims(&l->total, xpad, 4, &l->xpad))
      return false;
  } else if (p->layout == SIMDCONV_LAYOUT_NCHW || m.copy) {
    const size_t xin[] = {s->H, s->W, m.cp, sizeof(float)};
    if (!layout_add_dims(&l->total, xin, 4, &l->xin))
      return false;
  }
  return true;
}

size_t sc_igemm_workspace_size(const sc_conv_kernel *k, const sc_problem *p,
                               const sc_shape *s) {
  igemm_layout l;
  return igemm_layout_get(igemm_config(k), p, s, &l) ? l.total : SIZE_MAX;
}

/* ---- indirection ---------------------------------------------------------- */

/* Whether row y of the merged plan's padded copy is a row of zero padding
 * (the zero row can stand for it, so the micro-kernels may skip it). */
static bool igemm_zero_pad_row(const sc_problem *p, const sc_shape *s,
                               size_t y) {
  return p->padding_mode == SIMDCONV_PAD_ZEROS &&
         (y < p->pad_top || y >= p->pad_top + s->H);
}

/* Row and column offsets (floats, from the image's start) of every (output
 * row, kernel row) and (output column, kernel column); -1 for zero padding.
 * Pixels are cp floats apart (igemm_mode). */
static void igemm_build_tables(const sc_problem *p, const sc_shape *s,
                               const igemm_plan *pl, size_t cp,
                               ptrdiff_t *rowtab, ptrdiff_t *coltab) {
  for (size_t oh = 0; oh < s->OH; oh++)
    for (size_t r = 0; r < p->R; r++) {
      const size_t y = oh * p->stride_h + r * p->dil_h;
      ptrdiff_t ih;
      if (pl->merged && !igemm_zero_pad_row(p, s, y))
        rowtab[oh * p->R + r] = (ptrdiff_t)(y * pl->Wp * cp);
      else if (pl->merged) /* all zeros in the copy: the zero row */
        rowtab[oh * p->R + r] = -1;
      else if ((ih = sc_pad_map((ptrdiff_t)y - (ptrdiff_t)p->pad_top,
                                (ptrdiff_t)s->H, p->padding_mode)) < 0)
        rowtab[oh * p->R + r] = -1;
      else
        rowtab[oh * p->R + r] = ih * (ptrdiff_t)(s->W * cp);
    }
  for (size_t ow = 0; ow < s->OW; ow++)
    for (size_t q = 0; q < pl->tcols; q++) {
      const size_t x = ow * p->stride_w + q * p->dil_w;
      ptrdiff_t iw;
      if (pl->merged)
        coltab[ow] = (ptrdiff_t)(x * cp);
      else if ((iw = sc_pad_map((ptrdiff_t)x - (ptrdiff_t)p->pad_left,
                                (ptrdiff_t)s->W, p->padding_mode)) < 0)
        coltab[ow * pl->tcols + q] = -1;
      else
        coltab[ow * pl->tcols + q] = iw * (ptrdiff_t)cp;
    }
}

typedef struct indir_ctx {
  const sc_problem *p;
  size_t mr, taps, tcols, pixels, OW;
  const ptrdiff_t *rowtab, *coltab;
  const float *base, *zero;
  const float **indir;
  uint8_t *tskip; /* NULL: no skipping (weights not all finite) */
  /* Padded pixels of a tap from which the micro-kernel leaves out fmas:
   * 1 (igemm_ukernel.h, from SC_IGEMM_ROWSKIP_MIN_KC channels on), 2
   * (runs of rows), or MR (the grouped and NEON ld128 tiles skip whole
   * taps only). */
  size_t skip_min;
} indir_ctx;

static size_t indir_skip_min(const sc_igemm_config *cfg,
                             const igemm_mode *m, size_t kc) {
  if (m->grouped || cfg->skips_whole_taps)
    return m->mr;
  return kc >= SC_IGEMM_ROWSKIP_MIN_KC ? 1 : 2;
}

/* Whether a tap of the tile that reads the zero row for `padded` of its
 * pixels lets the micro-kernel leave out fmas (skip_min: indir_ctx). */
static bool indir_padded_skips(size_t padded, size_t skip_min) {
  return padded >= skip_min;
}

/* The same from the tap's mr pointers. */
static bool indir_tap_skips(const float *const *a, size_t mr,
                            const float *zero, size_t skip_min) {
  size_t padded = 0;
  for (size_t i = 0; i < mr; i++)
    padded += a[i] == zero;
  return indir_padded_skips(padded, skip_min);
}

/* One tap of a tile whose MR pixels lie in one output row: a[i] = row +
 * ct[i * tcols], or the zero row for a padding column or a NULL (padding)
 * row; true when the micro-kernel can leave out fmas of the tap. */
static bool indir_tap_in_row(const float **a, size_t mr, const ptrdiff_t *ct,
                             size_t tcols, const float *row,
                             const float *zero, size_t skip_min) {
  if (row == NULL) {
    for (size_t i = 0; i < mr; i++)
      a[i] = zero;
    return true;
  }
  size_t padded = 0; /* counted as the pointers are written: a second
                        pass cost 5-10% of layers of 2 channels per group */
  for (size_t i = 0; i < mr; i++) {
    const ptrdiff_t co = ct[i * tcols];
    a[i] = co < 0 ? zero : row + co;
    padded += co < 0;
  }
  return indir_padded_skips(padded, skip_min);
}

/* a[tile][t][i] for tiles [t0, t0+nt): the pointer output pixel tile*MR+i
 * reads for tap t, or the zero row (zero padding, pixels past the end).
 * The pixel's (oh, ow) advance by one per pixel: one division per task, not
 * per pixel (it was a quarter of a 1x1 layer's run). */
static void indir_task(void *arg, size_t t0, size_t nt) {
  const indir_ctx *c = arg;
  const size_t mr = c->mr, R = c->p->R, tcols = c->tcols, taps = c->taps;
  size_t pix = t0 * mr, oh = pix / c->OW, ow = pix - oh * c->OW;
  if (taps == 1) {
    /* 1x1 (and merged 1-tap plans): one pointer per pixel, consecutive,
     * an output row's run at a time with one row offset (the
     * pixel-by-pixel loop, two table reads and a row-end test per pixel,
     * cost 11% of MobileNetV2's 32->16 112x112; this one 6%). */
    const float *const zero = c->zero, *const base = c->base;
    const ptrdiff_t *const restrict coltab = c->coltab;
    const float **restrict a = c->indir + pix;
    const size_t end = (t0 + nt) * mr;
    const size_t last = end < c->pixels ? end : c->pixels;
    while (pix < last) {
      const size_t n = c->OW - ow < last - pix ? c->OW - ow : last - pix;
      const ptrdiff_t rt = c->rowtab[oh];
      const ptrdiff_t *const restrict ct = coltab + ow;
      if (rt < 0) {
        for (size_t i = 0; i < n; i++)
          a[i] = zero;
      } else {
        const float *const row = base + rt;
        for (size_t i = 0; i < n; i++)
          a[i] = ct[i] < 0 ? zero : row + ct[i];
      }
      a += n;
      pix += n;
      ow += n;
      if (ow == c->OW) {
        ow = 0;
        oh++;
      }
    }
    for (; pix < end; pix++, a++)
      *a = zero;
    /* Without padding only the image's last tile can read the zero row. */
    const sc_problem *p = c->p;
    const bool padded = p->pad_top | p->pad_bottom | p->pad_left |
                        p->pad_right;
    for (size_t tile = t0; c->tskip && tile < t0 + nt; tile++)
      c->tskip[tile] = (padded || (tile + 1) * mr > c->pixels) &&
                       indir_tap_skips(c->indir + tile * mr, mr, zero,
                                       c->skip_min);
    return;
  }
  /* Tap by tap, each tap's MR pointers written in order, and the tile's
   * skip flag found on the way rather than by a second pass over them.
   * Locals, not c's fields: the pointer stores could alias those, which
   * kept the compiler from vectorizing the loops. */
  const float *const zero = c->zero, *const base = c->base;
  const size_t skip_min = c->skip_min;
  for (size_t tile = t0; tile < t0 + nt; tile++, pix += mr) {
    const float **a = c->indir + tile * taps * mr;
    if (ow + mr <= c->OW && pix + mr <= c->pixels) {
      /* The tile within output row oh: one row offset per kernel row, and
       * a tap whose row is zero padding is padding for the whole tile. */
      const ptrdiff_t *rt = c->rowtab + oh * R, *ct = c->coltab + ow * tcols;
      bool skip = false;
      for (size_t r = 0; r < R; r++)
        for (size_t q = 0; q < tcols; q++, a += mr)
          skip |= indir_tap_in_row(a, mr, ct + q, tcols,
                                   rt[r] < 0 ? NULL : base + rt[r], zero,
                                   skip_min);
      if (c->tskip != NULL)
        c->tskip[tile] = skip;
      ow += mr;
      if (ow == c->OW) {
        ow = 0;
        oh++;
      }
      continue;
    }
    const ptrdiff_t *rt[SC_IGEMM_MAX_MR], *ct[SC_IGEMM_MAX_MR];
    size_t n = 0;
    for (; n < mr && pix + n < c->pixels; n++) {
      rt[n] = c->rowtab + oh * R;
      ct[n] = c->coltab + ow * tcols;
      if (++ow == c->OW) {
        ow = 0;
        oh++;
      }
    }
    bool skip = false;
    for (size_t r = 0; r < R; r++)
      for (size_t q = 0; q < tcols; q++, a += mr) {
        size_t padded = mr - n;
        for (size_t i = 0; i < n; i++) {
          const ptrdiff_t ro = rt[i][r], co = ct[i][q];
          a[i] = ro < 0 || co < 0 ? zero : base + ro + co;
          padded += ro < 0 || co < 0;
        }
        for (size_t i = n; i < mr; i++)
          a[i] = zero;
        skip |= indir_padded_skips(padded, skip_min);
      }
    if (c->tskip != NULL)
      c->tskip[tile] = skip;
  }
}

/* ---- compute -------------------------------------------------------------- */

typedef struct igemm_ctx {
  const sc_igemm_config *cfg;
  const sc_problem *p;
  igemm_mode mode;
  const float *packed;
  const float *const *indir;
  float *y;           /* output of image 0 */
  size_t pix_stride;  /* floats between output pixels: K (NHWC) or 1 */
  size_t ch_stride;   /* floats between output channels: 1 or OH*OW */
  size_t taps, kc;    /* of the plan */
  size_t image_in;    /* floats between input images (H*W*C), or 0 */
  size_t image_out;   /* floats between output images (OH*OW*K) */
  size_t pixels;      /* OH*OW */
  size_t block;       /* floats per packed NR block */
  size_t nblocks;     /* NR blocks per GEMM */
  bool tiles_outer;   /* igemm_task's loop order */
  const uint8_t *tskip; /* per tile: params_skip (1) or params (0) */
  /* im2col plan: the NHWC image(s) or copy (else NULL), its records. */
  const float *im2col;
  sc_im2col records;
  /* strided plan: the padded copy (else NULL); floats between its output
   * rows' first pixels, between a row's pixels and between kernel rows. */
  const float *strided;
  size_t row_stride, lda, tap_stride, OW;
  sc_igemm_params params;
  sc_igemm_params params_skip; /* params with skip_padding_taps */
  /* Taps per call: all of them, or a run that keeps a block's weights for
   * it within L2 (igemm_chunk_taps); then chunk[skip][first/middle/last]
   * are the params of the runs. */
  size_t chunk_taps;
  sc_igemm_params chunk[2][3];
} igemm_ctx;

/* The params of a call over taps [t0, t0 + nt) of a tile. */
static const sc_igemm_params *igemm_tile_params(const igemm_ctx *ctx,
                                                bool skip, size_t t0,
                                                size_t nt) {
  if (nt == ctx->taps)
    return skip ? &ctx->params_skip : &ctx->params;
  return &ctx->chunk[skip][t0 == 0 ? 0 : t0 + nt < ctx->taps ? 1 : 2];
}

/* The strided plan's calls for the tile at pixel pix (rows of it), taps
 * [t0, t0 + nt), in the padded copy (the pointwise plan: the input, all
 * images as one): one call, across an output row's end with the config's
 * strided_rows, else one per output row it spans (each computing MR rows:
 * 3% of ResNet-50's 7x7 stem, rows of 112 pixels on 6-pixel tiles). Not
 * inlined: igemm_tile then stays small enough to be inlined in igemm_task,
 * whose calls per tile the grouped layers' short tiles notice (ResNeXt
 * grouped3x3_56 0.93x with it inlined). */
static __attribute__((noinline)) void
igemm_tile_strided(const igemm_ctx *ctx, const float *w, float *y, size_t nc,
                   size_t pix, size_t rows, size_t t0, size_t nt) {
  const sc_igemm_config *cfg = ctx->cfg;
  const sc_igemm_params *params = igemm_tile_params(ctx, false, t0, nt);
  const size_t lda = ctx->lda, OW = ctx->OW;
  const bool half =
      sc_igemm_half_block(cfg, nc) && cfg->half.strided != NULL;
  const sc_igemm_strided_fn strided = half ? cfg->half.strided : cfg->strided;
  const sc_igemm_strided_rows_fn strided_rows =
      half ? cfg->half.strided_rows : cfg->strided_rows;
  while (rows != 0) {
    const size_t oh = pix / OW, ow = pix - oh * OW;
    const size_t m = OW - ow < rows ? OW - ow : rows;
    const float *a =
        ctx->strided + oh * ctx->row_stride + ow * lda + t0 * ctx->tap_stride;
    float *const c = y + pix * ctx->pix_stride;
    if (m < rows && rows - m <= OW && strided_rows != NULL) {
      /* Rows m on: the next output row's first pixels. */
      const sc_igemm_strided_rows geom = {
          lda, m, ctx->row_stride - (ow + m) * lda};
      strided_rows(rows, nc, ctx->kc, nt, a, &geom, ctx->tap_stride, w, c,
                   ctx->pix_stride, params);
      return;
    }
    strided(m, nc, ctx->kc, nt, a, lda, ctx->tap_stride, w, c,
            ctx->pix_stride, params);
    pix += m;
    rows -= m;
  }
}

/* One micro-kernel call: image n, GEMM g, output channels [k, k+nc) with
 * nc = min(NR, nk_left), output pixels [pix, pix+rows), rows = min(MR,
 * np_left), taps [t0, t0 + nt). */
static void igemm_tile(const igemm_ctx *ctx, size_t n, size_t g, size_t k,
                       size_t nk_left, size_t pix, size_t np_left, size_t t0,
                       size_t nt) {
  const sc_problem *p = ctx->p;
  const igemm_mode *m = &ctx->mode;
  const size_t mr = m->mr, nr = ctx->cfg->nr, taps = ctx->taps;
  const size_t nc = nk_left < nr ? nk_left : nr;
  const size_t rows = np_left < mr ? np_left : mr;
  /* A later run of taps: the block advanced by the earlier taps' weights
   * (the kernel skips the NR floats where the bias would be). */
  const float *w = ctx->packed + (g * ctx->nblocks + k / nr) * ctx->block +
                   t0 * ctx->kc * nr;
  float *const y =
      ctx->y + n * ctx->image_out + (g * m->kg + k) * ctx->ch_stride;
  if (ctx->strided != NULL) {
    igemm_tile_strided(ctx, w, y, nc, pix, rows, t0, nt);
    return;
  }
  /* The input channels of the block's first group. */
  const size_t a_offset =
      n * ctx->image_in + (m->grouped ? k / p->Kg : g) * p->Cg;
  const sc_igemm_ukernel_fn uk =
      m->grouped ? m->ukernel : sc_igemm_tile_fn(ctx->cfg, rows, nc);
  uk(rows, nc, ctx->kc, nt, ctx->indir + ((pix / mr) * taps + t0) * mr, w,
     y + pix * ctx->pix_stride, ctx->pix_stride, a_offset,
     igemm_tile_params(ctx, ctx->tskip[pix / mr] != 0, t0, nt));
}

/* An im2col task's operands: image n's output, channels [k0, k0 + nk). */
typedef struct igemm_im2col_task {
  const igemm_ctx *ctx;
  float *y;
  size_t k0, nk;
} igemm_im2col_task;

/* The tile at pixel pix (rows of it real), records rec: every block of
 * the task, one tap of R*S*C floats. No tap is zero padding for a whole
 * tile: params, never params_skip. */
static void igemm_im2col_run(void *arg, size_t pix, size_t rows,
                             const unsigned char *rec) {
  const igemm_im2col_task *t = arg;
  const igemm_ctx *ctx = t->ctx;
  const sc_igemm_config *cfg = ctx->cfg;
  const size_t mr = ctx->mode.mr, nr = cfg->nr, end = t->k0 + t->nk;
  const size_t ps = ctx->pix_stride;
  sc_im2col_prefetch_out(t->y, sizeof(float), pix, mr, ps, ctx->ch_stride,
                         t->k0, t->nk);
  const float *a[SC_IGEMM_MAX_MR];
  for (size_t i = 0; i < mr; i++)
    a[i] = i < rows ? (const float *)(const void *)(rec +
                                                    i * ctx->records.stride)
                    : ctx->params.zero;
  for (size_t k = t->k0; k < end; k += nr) {
    const size_t nc = end - k < nr ? end - k : nr;
    sc_igemm_tile_fn(cfg, rows, nc)(rows, nc, ctx->kc, 1, a,
                                    ctx->packed + k / nr * ctx->block,
                                    t->y + pix * ps + k * ctx->ch_stride, ps,
                                    0, &ctx->params);
  }
}

/* im2col (one group): the tiles of [p0, p0 + np), each with every block
 * of [k0, k0 + nk), their records copied in chunks (sc_im2col_tiles). */
static void igemm_task_im2col(const igemm_ctx *ctx, size_t n, size_t k0,
                              size_t p0, size_t nk, size_t np) {
  igemm_im2col_task t = {ctx, ctx->y + n * ctx->image_out, k0, nk};
  sc_im2col_tiles(&ctx->records, ctx->im2col + n * ctx->image_in, p0, np,
                  ctx->mode.mr, igemm_im2col_run, &t);
}

/* Image n, GEMM g, output channels [k0, k0+nk) of the GEMM (k0 a multiple of
 * NR), output pixels [p0, p0+np) (p0 a multiple of MR): block by block, each
 * block's weights read once for all the tiles (in runs of chunk_taps taps,
 * the partial sums kept in the output between runs), or tile by tile when
 * the task's weights are small enough to stay in cache (each tile's output
 * pixels then written whole, not in NR-channel strips far apart in time). */
static void igemm_task(void *arg, size_t n, size_t g, size_t k0, size_t p0,
                       size_t nk, size_t np) {
  const igemm_ctx *ctx = arg;
  const size_t mr = ctx->mode.mr, nr = ctx->cfg->nr;
  if (ctx->im2col != NULL) {
    igemm_task_im2col(ctx, n, k0, p0, nk, np);
    return;
  }
  const size_t taps = ctx->taps, ct = ctx->chunk_taps;
  if (ctx->tiles_outer) {
    for (size_t pix = p0; pix < p0 + np; pix += mr)
      for (size_t k = k0; k < k0 + nk; k += nr)
        igemm_tile(ctx, n, g, k, k0 + nk - k, pix, p0 + np - pix, 0, taps);
  } else {
    for (size_t t0 = 0; t0 < taps; t0 += ct)
      for (size_t k = k0; k < k0 + nk; k += nr)
        for (size_t pix = p0; pix < p0 + np; pix += mr)
          igemm_tile(ctx, n, g, k, k0 + nk - k, pix, p0 + np - pix, t0,
                     taps - t0 < ct ? taps - t0 : ct);
  }
}

/* Taps per micro-kernel call: all of them, unless a block's weights
 * outgrow half the L2 budget (3x3 layers of 512 channels with NR = 64:
 * 1.2 MiB); then runs of equal length whose weights fit it, each tile's
 * partial sums stored in the output, in fp32, and reloaded by the next run:
 * the same fmas in the same order. Not for grouped tiles, which have their
 * own micro-kernel, nor for a residual that is the output itself (the
 * partial sums would overwrite it). */
static size_t igemm_chunk_taps(const igemm_ctx *ctx) {
  const size_t taps = ctx->taps, half = sc_l2_budget() / 2;
  const size_t tap_dims[] = {ctx->kc, ctx->cfg->nr, sizeof(float)};
  size_t tap_bytes, block_bytes;
  if (taps == 1 || ctx->mode.grouped || ctx->im2col != NULL ||
      (ctx->params.residual != NULL &&
       ctx->params.residual == ctx->params.output) ||
      !sc_product_ok(tap_dims, 3, &tap_bytes) ||
      !sc_mul_ok(tap_bytes, taps, &block_bytes) || block_bytes <= half)
    return taps;
  const size_t runs = sc_div_up(block_bytes, half);
  return sc_div_up(taps, runs > taps ? taps : runs);
}

/* Tiles per task: enough that each weight block, read once per task, feeds
 * many tiles from L2 (one tile per task made 3x3 layers with 512 input
 * channels stream 9 MiB of weights from L3 per tile, at 40% of peak), few
 * enough that the tiles' input rows stay in L2 beside the block. */
static size_t igemm_tiles_per_task(const igemm_ctx *ctx, size_t tiles) {
  const sc_problem *p = ctx->p;
  const size_t mr = ctx->mode.mr, nr = ctx->cfg->nr;
  size_t pt = 1, work, block;
  /* At least ~2^19 FMAs per task: the pool's per-task cost is negligible. */
  const size_t dims[] = {mr, nr, ctx->kc, ctx->taps, ctx->nblocks};
  if (sc_product_ok(dims, 5, &work) && work < ((size_t)1 << 19))
    pt = ((size_t)1 << 19) / work;
  /* Input bytes per tile: MR pixels' channels, times the input pixels per
   * output pixel (stride), times 2 for the kernel's halo rows. */
  const size_t in_dims[] = {mr, p->Cg, p->stride_h, p->stride_w,
                            2 * sizeof(float)};
  const size_t blk_dims[] = {ctx->chunk_taps, ctx->kc, nr, sizeof(float)};
  size_t tile_in;
  if (sc_product_ok(in_dims, 5, &tile_in) &&
      sc_product_ok(blk_dims, 4, &block)) {
    const size_t budget = sc_l2_budget();
    if (block > budget / 2)
      block = budget / 2;
    const size_t fit = (budget - block) / tile_in;
    if (fit > pt)
      pt = fit;
  }
  return pt > tiles ? tiles : pt;
}

/* Output channels x taps of a GEMM (FMAs per input float at stride 1) up to
 * which the micro-kernels prefetch the next tile's input rows, when they
 * read the caller's NHWC input (the copies of merged and NCHW plans were
 * just written and are in cache). Such layers read each input row in one
 * pass or few, straight from memory. The suite's layers on an Intel
 * Sapphire Rapids host (2 MiB L2), AVX-512, cold caches, old and new
 * library alternating in one process: 144->32 28x28 1.51x, 96->24 56x56
 * 1.36x, 384->64 1.29x, 256->64 1.28x, 32->16 112x112 1.27x, 256->128
 * 1.08-1.15x; AVX2 alike (1.04-1.38x). With more channels (1024->256,
 * 2048->512, 3x3 512->512) the input is re-read from L2 by every block and
 * the prefetches cost 5-10% there. On AMD Zen 4 (1 MiB L2) the layers up
 * to 512 gain as well (both orders, 11-15 rounds each, cold): ResNet-50
 * res2_1x1_expand 1.04x (AVX2 1.06x), res3_1x1_expand 1.02-1.03x (AVX2
 * 1.035x), res3_downsample_s2 1.01x (AVX2 1.04x), res4_1x1_in, res5_1x1_in,
 * MobileNetV2 pw960to320 0.99-1.02x; from cache 0.99-1.01x, 2 threads
 * 1.00-1.03x. So AMD hosts (sc_host_amd) take 512, and 1152 (3x3 layers
 * of up to 128 output channels, 1x1 of up to 1024) for tiles of 32
 * channels or more (AVX-512's), where a tile's rows serve more fmas per
 * prefetch: Zen 4, both orders, 11 rounds each, cold: YOLOv3
 * conv3x3_s2_416 1.07-1.09x, ResNet-50 res3_3x3_s2 1.04x, res4_1x1_expand
 * 1.02-1.03x, res3_3x3 1.00-1.01x, six more layers 0.99-1.01x; 2 threads
 * 1.00-1.09x. AVX2's 6x16 tiles measured 0.93-1.11x there (one order),
 * and above 1152 AVX-512 lost up to 6% (pw320to1280, res5_3x3). */
static size_t igemm_prefetch_max_ktaps(const sc_igemm_config *cfg) {
  if (!sc_host_amd())
    return 128;
  return cfg->nr >= 32 ? 1152 : 512;
}

static bool igemm_prefetch_next_tile(const sc_igemm_config *cfg,
                                     const sc_problem *p, const igemm_plan *pl,
                                     const igemm_mode *m) {
  if (pl->merged || pl->im2col || p->layout != SIMDCONV_LAYOUT_NHWC)
    return false;
  /* The grouped tiles where they read the caller's input in place (G == 1;
   * a reordered copy was just written and is in cache): one span per row
   * and vector, far apart. Zen 4, old and new library in one process, cold
   * caches, 31 rounds: ResNeXt grouped3x3_14 1.36x, RegNetX g8 1.41x; AVX2
   * (G == 1 at 8 channels per group) ResNeXt grouped3x3_28 1.25x,
   * grouped3x3_s2_56 2.2x. */
  if (m->grouped)
    return !m->copy;
  /* Rows of fewer than 32 channels are a line or two that the hardware
   * prefetchers follow (16->96 112x112: 0.9-0.97x with the prefetch). */
  return pl->kc >= 32 && m->kg * pl->taps <= igemm_prefetch_max_ktaps(cfg);
}

/* Runs images [0, n) (their indirection built) into output ctx->y. */
static void igemm_compute(igemm_ctx *ctx, size_t n, pthreadpool_t pool,
                          uint32_t flags) {
  const size_t mr = ctx->mode.mr, nr = ctx->cfg->nr;
  /* A task is kt NR blocks x pt MR tiles, computed block by block (the
   * block's weights stay in L2 across its pt tiles; the tiles' input rows
   * stay in L2 across the blocks). Start from all the blocks of a group,
   * then split while there are too few tasks for the threads: first the
   * operand whose copies cost less, since every task re-reads its blocks'
   * weights and its tiles' input. Splitting the tiles of a layer whose
   * weights outweigh its input (res5, vgg16/conv5) made each thread stream
   * all the weights once per tile group. */
  const size_t tiles = sc_div_up(ctx->pixels, mr);
  ctx->chunk_taps = igemm_chunk_taps(ctx);
  size_t kt = ctx->nblocks, pt = igemm_tiles_per_task(ctx, tiles);
  const size_t threads = pthreadpool_get_threads_count(pool);
  if (threads > 1) {
    const size_t outer = n * ctx->mode.groups;
    const sc_problem *p = ctx->p;
    /* Floats of weights (per group) and of input the tiles read (approx.). */
    const double weights = (double)ctx->nblocks * (double)ctx->block;
    const double input = (double)ctx->pixels * (double)p->Cg *
                         (double)p->stride_h * (double)p->stride_w;
    if (weights >= input)
      sc_split_tasks(threads, outer, ctx->nblocks, &kt, tiles, &pt);
    else
      sc_split_tasks(threads, outer, tiles, &pt, ctx->nblocks, &kt);
  }
  size_t task_weights;
  const size_t wdims[] = {kt, ctx->block, sizeof(float)};
  ctx->tiles_outer = sc_product_ok(wdims, 3, &task_weights) &&
                     task_weights <= SC_TILES_OUTER_BYTES;
  sc_parallelize_4d_tile_2d(pool, igemm_task, ctx, n,
                            ctx->mode.groups, ctx->mode.kg,
                            ctx->pixels, kt * nr, pt * mr,
                            flags);
}

/* ---- layout transposes and padded copies ---------------------------------- */

static void transpose_portable(size_t rows, size_t cols, const float *src,
                               size_t src_stride, float *dst,
                               size_t dst_stride) {
  for (size_t i0 = 0; i0 < rows; i0 += 16)
    for (size_t j0 = 0; j0 < cols; j0 += 16) {
      const size_t i1 = i0 + 16 < rows ? i0 + 16 : rows;
      const size_t j1 = j0 + 16 < cols ? j0 + 16 : cols;
      for (size_t j = j0; j < j1; j++)
        for (size_t i = i0; i < i1; i++)
          dst[j * dst_stride + i] = src[i * src_stride + j];
    }
}

static sc_transpose_fn transpose_fn(const sc_igemm_config *cfg) {
  return cfg->transpose ? cfg->transpose : transpose_portable;
}

typedef struct transpose_ctx {
  sc_transpose_fn fn;
  const float *src;
  float *dst;
  size_t src_stride, dst_stride;
} transpose_ctx;

static void transpose_task(void *arg, size_t i0, size_t j0, size_t ni,
                           size_t nj) {
  const transpose_ctx *t = arg;
  t->fn(ni, nj, t->src + i0 * t->src_stride + j0, t->src_stride,
        t->dst + j0 * t->dst_stride + i0, t->dst_stride);
}

/* dst (cols x rows, rows dst_stride >= rows floats apart) = transpose of
 * src (rows x cols, dense). */
static void transpose(const sc_igemm_config *cfg, size_t rows, size_t cols,
                      const float *src, float *dst, size_t dst_stride,
                      pthreadpool_t pool) {
  transpose_ctx t = {transpose_fn(cfg), src, dst, cols, dst_stride};
  sc_parallelize_2d_tile_2d(pool, transpose_task, &t, rows, cols, 64,
                            64, SC_POOL_PHASE);
}

typedef struct pad_ctx {
  const sc_problem *p;
  const sc_shape *s;
  const igemm_plan *pl;
  sc_transpose_fn transpose;
  const float *x; /* the image: NHWC, or NCHW (C planes of H*W) */
  float *xpad;
} pad_ctx;

/* Padded row ihp of the merged plan's copy: the mapped input row (NHWC
 * copy or NCHW transpose) with its padding columns. */
static void pad_task(void *arg, size_t ihp) {
  const pad_ctx *t = arg;
  const sc_problem *p = t->p;
  const size_t C = p->C, W = t->s->W, Wp = t->pl->Wp;
  float *dst = t->xpad + ihp * Wp * C;
  const ptrdiff_t ih = sc_pad_map((ptrdiff_t)ihp - (ptrdiff_t)p->pad_top,
                                  (ptrdiff_t)t->s->H, p->padding_mode);
  if (ih < 0) {
    memset(dst, 0, Wp * C * sizeof(float));
    return;
  }
  float *inner = dst + p->pad_left * C;
  if (p->layout == SIMDCONV_LAYOUT_NHWC)
    memcpy(inner, t->x + (size_t)ih * W * C, W * C * sizeof(float));
  else
    t->transpose(C, W, t->x + (size_t)ih * W, t->s->H * W, inner, C);
  for (size_t iwp = 0; iwp < Wp; iwp++) {
    if (iwp == p->pad_left) {
      iwp += W - 1;
      continue;
    }
    const ptrdiff_t iw = sc_pad_map((ptrdiff_t)iwp - (ptrdiff_t)p->pad_left,
                                    (ptrdiff_t)W, p->padding_mode);
    if (iw < 0)
      memset(dst + iwp * C, 0, C * sizeof(float));
    else
      memcpy(dst + iwp * C, inner + (size_t)iw * C, C * sizeof(float));
  }
}

typedef struct reorder_ctx {
  sc_igemm_reorder_fn fn;
  const float *src;
  float *dst;
  size_t src_stride, C, cp, span;
  int32_t perm[16];
} reorder_ctx;

static void reorder_task(void *arg, size_t p0, size_t np) {
  const reorder_ctx *t = arg;
  t->fn(np, t->src + p0 * t->src_stride, t->src_stride, t->dst + p0 * t->cp,
        t->cp, t->C, t->cp, t->span, t->perm);
}

/* The reorder of the grouped micro-kernel's copy (igemm_mode): the NHWC
 * image src (rows src_stride floats apart) into xin with each span of G
 * groups channel-major: position c * G + g of a span takes channel
 * g * Cg + c (the shuffle tiles: position q takes channel q). */
static reorder_ctx grouped_reorder(const sc_igemm_config *cfg,
                                   const sc_problem *p, const igemm_mode *m,
                                   const float *src, size_t src_stride,
                                   float *xin) {
  reorder_ctx t = {.fn = cfg->greorder, .src = src, .dst = xin,
                   .src_stride = src_stride, .C = p->C, .cp = m->cp,
                   .span = m->G * p->Cg};
  for (size_t q = 0; q < t.span; q++)
    t.perm[q] = m->shuffle ? (int32_t)q /* the image as it is */
                           : (int32_t)(q % m->G * p->Cg + q / m->G);
  return t;
}

/* Pixels per task of the grouped copy: two even tasks per thread (256-pixel
 * tasks left 512 of ResNeXt's 784 pixels to one thread of two). */
static size_t grouped_copy_chunk(size_t pixels, pthreadpool_t pool) {
  return sc_div_up(pixels, 2 * pthreadpool_get_threads_count(pool));
}

/* The grouped micro-kernel's copy of one image: the NHWC image x, or the
 * NCHW one transposed first, reordered into xin, whole, before the tiles.
 * From cold caches it is a third of ResNeXt's grouped3x3_s2_56 (3.2 MB of
 * input), and the ways around it measured worse (Zen 4, old and new
 * library in one process): the tiles copying the rows as they reach them,
 * in bands, prefetching the next rows meanwhile, 0.93-1.12x (the
 * prefetches stalled the tiles: 20% of their samples); at 2 threads one
 * band per thread, 1.05-1.08x there but 0.91-0.95x on 2-channel groups;
 * the G > 1 tiles reading the input in place, each tap's spans reordered
 * into a scratch first, 1.09-1.37x on grouped3x3_s2_56 from memory
 * (1.00x from cache) but 0.73-0.85x on grouped3x3_28 and 0.48-0.68x on
 * 2-channel groups (51-74 GFLOP/s with the input in cache against 99
 * through the copy, where the same loop ran at 95 in a microbenchmark
 * whose image stayed in L2). Pixels in the lanes instead (2 vectors of 16
 * pixels x 8 output channels, each weight broadcast, 112 GFLOP/s on one
 * L1-resident tile): a prototype reading channel-planar padded planes and
 * storing planar, before any copy or transpose to NHWC, ran
 * grouped3x3_28 at 95 GFLOP/s from cache and 78 cold: no better. A planar
 * copy (each span of G groups a plane of its own, pixels 64 bytes apart,
 * as oneDNN's blocked nChw16c): its tiles took 14% fewer samples on
 * grouped3x3_s2_56 from memory and ran 1.02-1.05x from cache, but the
 * copy writing 16 planes at once took 41% more, 0.87-0.95x overall cold;
 * the copy made plane by plane (strided reads), in chunks of 8-32 pixels,
 * or through an L1 staging buffer: 0.57-0.90x on grouped3x3_28 and
 * grouped3x3_s2_56. Pixels padded by 64 or 128 bytes against L1 set
 * conflicts: 0.96-1.04x, noise. */
static void grouped_copy(const sc_igemm_config *cfg, const sc_problem *p,
                         const sc_shape *s, const igemm_mode *m,
                         const float *x, float *xin, pthreadpool_t pool) {
  const size_t pixels = s->H * s->W;
  reorder_ctx t = grouped_reorder(cfg, p, m, x, p->C, xin);
  if (p->layout == SIMDCONV_LAYOUT_NCHW) {
    transpose(cfg, p->C, pixels, x, xin, m->cp, pool);
    if (m->G == 1 || m->shuffle)
      return; /* already in the kernel's order */
    t.src = xin; /* reordered in place */
    t.src_stride = m->cp;
  }
  sc_parallelize_1d_tile_1d(pool, reorder_task, &t, pixels,
                            grouped_copy_chunk(pixels, pool), SC_POOL_PHASE);
}

/* The indirection and the first image's grouped copy (NHWC) in one
 * parallel phase: one hand-off and barrier less. Task 2j builds the
 * indirection's chunk j, task 2j+1 copies the image's chunk j, so that
 * each thread's share of the tasks holds both kinds. */
typedef struct prep_ctx {
  indir_ctx *ic;
  reorder_ctx *rc;
  size_t itiles, ichunk, pixels, pchunk;
} prep_ctx;

static void prep_task(void *arg, size_t i) {
  const prep_ctx *c = arg;
  const size_t j = i / 2;
  if (i % 2 == 0 && j * c->ichunk < c->itiles) {
    const size_t t0 = j * c->ichunk, left = c->itiles - t0;
    indir_task(c->ic, t0, left < c->ichunk ? left : c->ichunk);
  } else if (i % 2 == 1 && j * c->pchunk < c->pixels) {
    const size_t p0 = j * c->pchunk, left = c->pixels - p0;
    reorder_task(c->rc, p0, left < c->pchunk ? left : c->pchunk);
  }
}

static void indirection_with_copy(pthreadpool_t pool, indir_ctx *ic,
                                  size_t itiles, reorder_ctx *rc,
                                  size_t pixels) {
  const size_t threads = pthreadpool_get_threads_count(pool);
  prep_ctx c = {ic, rc, itiles, sc_div_up(itiles, 2 * threads), pixels,
                grouped_copy_chunk(pixels, pool)};
  sc_parallelize_1d(pool, prep_task, &c, 4 * threads, SC_POOL_PHASE);
}

/* ---- run ------------------------------------------------------------------ */

void sc_igemm_run(const sc_run_args *args) {
  const sc_igemm_config *cfg = igemm_config(args->kernel);
  const sc_problem *p = args->problem;
  const sc_shape *s = args->shape;
  const igemm_plan pl = igemm_plan_get(cfg, p, s);
  const igemm_mode mode = igemm_mode_get(cfg, p);
  igemm_layout l;
  (void)igemm_layout_get(cfg, p, s, &l); /* checked by workspace_size */
  char *ws = args->workspace;
  float *zero = (float *)(ws + l.zero);
  ptrdiff_t *rowtab = (ptrdiff_t *)(ws + l.rowtab);
  ptrdiff_t *coltab = (ptrdiff_t *)(ws + l.coltab);
  const float **indir = (const float **)(ws + l.indir);
  const bool nchw = p->layout == SIMDCONV_LAYOUT_NCHW;
  const size_t pixels = s->OH * s->OW;
  memset(zero, 0, igemm_zero_floats(cfg, &pl) * sizeof(float));

  /* The images read through the indirection: the padded copy (merged), the
   * transposed image (NCHW), or the input itself (NHWC, all images at once
   * through a_offset). NCHW outputs are stored transposed by the
   * micro-kernels, straight into the output. */
  const float *base = pl.merged          ? (const float *)(ws + l.xpad)
                      : nchw || mode.copy ? (const float *)(ws + l.xin)
                                          : args->input;
  igemm_build_tables(p, s, &pl, mode.cp, rowtab, coltab);
  uint8_t *tskip = (uint8_t *)(ws + l.tskip);
  bool first_copied = false; /* image 0's grouped copy made with the
                                indirection */
  if (!pl.im2col && !pl.strided) {
    /* One tile more than the image has: the spare tile of zero rows whose
     * rows the last tile prefetches (its pixels are all past the end). */
    const size_t itiles = sc_div_up(pixels, mode.mr) + 1;
    memset(tskip, 0, itiles);
    indir_ctx ic = {p,      mode.mr, pl.taps, pl.tcols, pixels, s->OW,
                    rowtab, coltab,  base,    zero,     indir,
                    p->weights_finite ? tskip : NULL,
                    indir_skip_min(cfg, &mode, pl.kc)};
    const size_t entries = itiles * mode.mr * pl.taps;
    if (mode.copy && !nchw && entries > SC_SERIAL_INDIR_ENTRIES) {
      reorder_ctx rc = grouped_reorder(cfg, p, &mode, args->input, p->C,
                                       (float *)(ws + l.xin));
      indirection_with_copy(args->pool, &ic, itiles, &rc, s->H * s->W);
      first_copied = true;
    } else {
      sc_build_indirection(args->pool, indir_task, &ic, itiles, entries);
    }
  }

  igemm_ctx ctx = {
      .cfg = cfg,
      .p = p,
      .mode = mode,
      .packed = args->packed,
      .indir = indir,
      .y = args->output,
      .pix_stride = nchw ? 1 : p->K,
      .ch_stride = nchw ? pixels : 1,
      .taps = pl.taps,
      .kc = pl.kc,
      .image_in = s->H * s->W * p->C,
      .image_out = pixels * p->K,
      .pixels = pixels,
      .block = igemm_block_floats(p, cfg->nr),
      .nblocks = sc_div_up(mode.kg, cfg->nr),
      .tskip = tskip,
      .im2col = pl.im2col ? base : NULL,
      .strided = pl.strided ? base : NULL,
      .row_stride = p->stride_h * pl.Wp * p->C,
      .lda = p->stride_w * p->C,
      .tap_stride = p->dil_h * pl.Wp * p->C,
      .OW = s->OW,
      .params = {.zero = zero,
                 .kg = p->Kg,
                 .cn_stride = nchw ? pixels : 0,
                 .prefetch_next_tile =
                     igemm_prefetch_next_tile(cfg, p, &pl, &mode),
                 .prefetch_weights = sc_wprefetch(cfg->wprefetch_amd),
                 .act = sc_act_params_from_problem(p),
                 .residual = args->residual,
                 .output = args->output,
                 .alpha = args->alpha},
  };
  for (size_t q = 0; mode.grouped && q < cfg->vl; q++)
    ctx.params.group_lanes[q] = (int32_t)(q % p->Kg * mode.G + q / p->Kg);
  ctx.params_skip = ctx.params;
  ctx.params_skip.skip_padding_taps = true;
  for (size_t skip = 0; skip < 2; skip++)
    for (size_t run = 0; run < 3; run++) {
      sc_igemm_params *c = &ctx.chunk[skip][run];
      *c = skip ? ctx.params_skip : ctx.params;
      c->continue_sum = run > 0;
      c->partial = run < 2;
      /* The next tile's rows lie a whole tile of taps further on. */
      c->prefetch_next_tile = false;
    }
  if (pl.im2col)
    sc_im2col_init(&ctx.records, p, s, sizeof(float), rowtab, coltab, zero,
                   pl.kc * sizeof(float));
  if (pl.strided && !pl.merged) {
    /* Pointwise on the input as it is: its images' pixels, and the
     * output's, follow each other C and K floats apart, one image of N*H
     * rows (the strided call then needs no image index: 3.5% of YOLOv3's
     * conv0, whose tiles are short). */
    ctx.pixels *= s->N;
    igemm_compute(&ctx, 1, args->pool, args->pool_final);
    return;
  }
  if (!pl.merged && !nchw && !mode.copy) {
    igemm_compute(&ctx, s->N, args->pool, args->pool_final);
    return;
  }

  /* One image at a time through the workspace copies. */
  const size_t image_in = ctx.image_in;
  ctx.image_in = 0;
  for (size_t n = 0; n < s->N; n++) {
    const float *x = args->input + n * image_in;
    if (pl.merged) {
      pad_ctx pc = {p, s, &pl, transpose_fn(cfg), x, (float *)(ws + l.xpad)};
      sc_parallelize_1d(args->pool, pad_task, &pc, pl.Hp,
                        SC_POOL_PHASE);
    } else if (mode.grouped) {
      if (n > 0 || !first_copied)
        grouped_copy(cfg, p, s, &mode, x, (float *)(ws + l.xin),
                     args->pool);
    } else {
      transpose(cfg, p->C, s->H * s->W, x, (float *)(ws + l.xin), p->C,
                args->pool);
    }
    ctx.y = args->output + n * ctx.image_out;
    igemm_compute(&ctx, 1, args->pool,
                  sc_pool_flags(args, n + 1 == s->N));
  }
}

/* For the transposed-convolution driver (src/deconv.c), which converts its
 * NCHW input the same way. */
void sc_igemm_transpose(const sc_igemm_config *cfg, size_t rows, size_t cols,
                        const float *src, float *dst, pthreadpool_t pool) {
  transpose(cfg, rows, cols, src, dst, rows, pool);
}
