/*
 * The transposed-convolution driver (see src/deconv.h): phase classes, the
 * packing of each class's sub-kernel in the igemm layout, the indirection
 * buffer, and the run loop that hands tiles of one phase's output pixels to
 * an ISA's igemm micro-kernel. Compiled without ISA flags; the vector code is
 * reached through the config of the igemm kernel a deconv kernel wraps.
 *
 * Scalar twin: f32_conv_direct__scalar (direct_sum_transposed). Each
 * output is computed whole by one micro-kernel call, in canonical order, so
 * results are the same for any thread count, tiling and layout.
 *
 * Tiles. A tile is MR consecutive output pixels of one row and one column
 * phase (output columns sw apart), so the micro-kernel's NHWC store with a
 * row stride of stride_w * K writes them in place. NCHW outputs go through a
 * buffer on the stack: a segment of a row (every phase's tiles of it) is
 * computed NHWC there, then transposed into the output rows with the ISA's
 * transpose. NCHW inputs are transposed to NHWC in the workspace first, one
 * image at a time, as in the forward driver.
 */
#include <stdint.h>
#include <string.h>

#include "activation.h"
#include "bounds.h"
#include "deconv.h"
#include "deconv_phase.h"
#include "deconv_pix.h"
#include "igemm.h"
#include "problem.h"
#include "tasks.h"

/* ---- the wrapped igemm kernel ----------------------------------------------- */

static const sc_conv_kernel *dc_inner(const sc_conv_kernel *k) {
  const sc_deconv_config *c = k->config;
  return c->inner;
}

static const sc_igemm_config *dc_cfg(const sc_conv_kernel *k) {
  return dc_inner(k)->config;
}

/* The forward problem one group of one phase class computes: what the igemm
 * kernel's fits() judges (its K limits apply to the group's channels). */
static sc_problem dc_group_problem(const sc_problem *p, size_t th, size_t tw) {
  sc_problem q = *p;
  q.transposed = false;
  q.out_pad_h = q.out_pad_w = 0;
  q.layout = SIMDCONV_LAYOUT_NHWC;
  q.C = p->Cg;
  q.K = p->Kg;
  q.groups = 1;
  q.R = th;
  q.S = tw;
  q.stride_h = q.stride_w = 1;
  q.pad_top = q.pad_bottom = q.pad_left = q.pad_right = 0;
  return q;
}

bool sc_deconv_fits(const sc_conv_kernel *k, const sc_problem *p) {
  const sc_igemm_config *cfg = dc_cfg(k);
  const sc_problem q = dc_group_problem(p, 1, 1);
  if (p->dtype != SC_DTYPE_F32 || !p->transposed ||
      !dc_inner(k)->fits(dc_inner(k), &q))
    return false;
  /* NCHW: one row segment of MR pixels of every column phase, NR channels
   * wide, must fit the stack buffer. */
  return p->layout == SIMDCONV_LAYOUT_NHWC ||
         (p->stride_w <= DC_NCHW_BUF &&
          cfg->mr * cfg->nr * p->stride_w <= DC_NCHW_BUF);
}

/* ---- packed weights ----------------------------------------------------------- */

/* Packed: the dc_packed header (src/deconv_phase.h), the bias (bias + 0.0f,
 * K floats), then per class (ch, cw) and group, the class's sub-kernel in
 * the igemm layout (src/igemm.h): per block of NR output channels bias[NR]
 * then w[tap][Cg][NR], taps (jh, jw) in canonical order, i.e. kernel row
 * first(ch) - jh*step_h and column first(cw) - jw*step_w. */

/* Floats of one packed NR block of a class with `taps` taps. */
static size_t dc_block_floats(const sc_problem *p, size_t nr, size_t taps) {
  return (taps * p->Cg + 1) * nr;
}

/* Floats of one class's packed sub-kernel: per group, its NR blocks. */
static size_t dc_class_floats(const sc_conv_kernel *k, const sc_problem *p,
                              size_t taps) {
  const size_t nr = dc_cfg(k)->nr;
  const size_t dims[] = {taps * p->Cg + 1, nr, sc_div_up(p->Kg, nr),
                         p->groups};
  size_t f;
  return sc_product_ok(dims, 4, &f) ? f : SIZE_MAX;
}

/* Packs class (ch, cw) of group g at out; returns the end. */
static float *dc_pack_class(const sc_conv_kernel *k, const sc_problem *p,
                            const float *w_krsc, const float *bias, size_t ch,
                            size_t cw, size_t g, float *out) {
  const dc_axis ah = dc_axis_h(p), aw = dc_axis_w(p);
  const size_t nr = dc_cfg(k)->nr, th = dc_class_taps(&ah, ch),
               tw = dc_class_taps(&aw, cw);
  for (size_t b = 0; b < sc_div_up(p->Kg, nr); b++) {
    const size_t k0 = g * p->Kg + b * nr;
    const size_t nc = p->Kg - b * nr < nr ? p->Kg - b * nr : nr;
    for (size_t j = 0; j < nr; j++)
      *out++ = j < nc && bias != NULL ? bias[k0 + j] + 0.0f : 0.0f;
    for (size_t jh = 0; jh < th; jh++)
      for (size_t jw = 0; jw < tw; jw++) {
        const size_t r = dc_class_first(&ah, ch) - jh * ah.step;
        const size_t s = dc_class_first(&aw, cw) - jw * aw.step;
        for (size_t c = 0; c < p->Cg; c++, out += nr)
          for (size_t j = 0; j < nr; j++)
            out[j] = j < nc ? w_krsc[(((k0 + j) * p->R + r) * p->S + s) *
                                         p->Cg + c]
                            : 0.0f;
      }
  }
  return out;
}

/* Every group of class (ch, cw). */
static void dc_pack_groups(const sc_conv_kernel *k, const sc_problem *p,
                           const float *w_krsc, const float *bias, size_t ch,
                           size_t cw, float *out) {
  for (size_t g = 0; g < p->groups; g++)
    out = dc_pack_class(k, p, w_krsc, bias, ch, cw, g, out);
}

/* Octet weights. NCHW layers that may run on the octet tiles
 * (dc_octet()) pack their weights a second time after the classes, for
 * those tiles' broadcasts: per group g, row class ch and output channel k
 * of the group, w[jh][jw][c][f], f the column phase (each phase its class),
 * one 32-byte run of the eight phases per (tap, channel). From the classes'
 * [tap][c][NR] blocks each broadcast read its own line: eight classes x
 * taps x channels of lines per call, which left FCN-8s's upscore8 at 0.75
 * of NHWC. */

/* Whether the octet tiles of k suit NCHW layer p: stride_w 8 with the
 * same taps at the same input columns in all eight column phases (kernel
 * width and left padding multiples of 8, no dilation: FCN-8s's upscore8). */
static bool dc_octet_phases(const sc_conv_kernel *k, const sc_problem *p) {
  const sc_deconv_config *dc = k->config;
  const dc_axis aw = dc_axis_w(p);
  if (dc->pair == NULL || dc->pair->oct[0] == NULL ||
      p->layout != SIMDCONV_LAYOUT_NCHW || aw.stride != SC_DOCT_NP)
    return false;
  const dc_taps t0 = dc_axis_taps(&aw, 0);
  for (size_t f = 1; f < SC_DOCT_NP; f++) {
    const dc_taps t = dc_axis_taps(&aw, f);
    if (t.count != t0.count || t.base != t0.base)
      return false;
  }
  return t0.count != 0;
}

/* Floats of the octet weights of one output channel (one row class, room
 * for the most row taps), SIZE_MAX on overflow. */
static size_t dc_octet_k_floats(const sc_problem *p) {
  const dc_axis ah = dc_axis_h(p), aw = dc_axis_w(p);
  const size_t dims[] = {dc_class_taps(&ah, 0), dc_class_taps(&aw, 0),
                         p->Cg, SC_DOCT_NP};
  size_t f;
  return sc_product_ok(dims, 4, &f) ? f : SIZE_MAX;
}

/* Whether layer p packs octet weights (and may run its NCHW rows on the
 * octet tiles; whether they are wide enough is the run's, dc_pair_plan()),
 * and where: their float offset in the packed buffer and their floats.
 * When the octet tiles suit it and both packings stay within the
 * documented bound of the packed weights (sc_packed_bound(); with many
 * output channels per group the second copy would not). */
static bool dc_octet(const sc_conv_kernel *k, const sc_problem *p,
                     size_t *offset, size_t *floats) {
  if (!dc_octet_phases(k, p))
    return false;
  const size_t base = dc_packed_size(k, p, dc_class_floats);
  const size_t dims[] = {p->groups, dc_axis_h(p).ncls, p->Kg,
                         dc_octet_k_floats(p)};
  size_t bound;
  if (base == SIZE_MAX || base > SIZE_MAX - SC_ALIGNMENT ||
      !sc_product_ok(dims, 4, floats) || !sc_packed_bound(p, &bound))
    return false;
  *offset = sc_round_up(base, SC_ALIGNMENT) / sizeof(float);
  return *offset <= bound / sizeof(float) &&
         *floats <= bound / sizeof(float) - *offset;
}

size_t sc_deconv_packed_size(const sc_conv_kernel *k, const sc_problem *p) {
  size_t offset, floats;
  return dc_octet(k, p, &offset, &floats)
             ? (offset + floats) * sizeof(float)
             : dc_packed_size(k, p, dc_class_floats);
}

/* The octet weights at out (dc_octet()). */
static void dc_pack_octet(const sc_problem *p, const float *w_krsc,
                          float *out) {
  const dc_axis ah = dc_axis_h(p), aw = dc_axis_w(p);
  const size_t per_k = dc_octet_k_floats(p), tw = dc_class_taps(&aw, 0);
  size_t cw[SC_DOCT_NP];
  for (size_t f = 0; f < SC_DOCT_NP; f++)
    cw[f] = dc_axis_taps(&aw, f).cls;
  for (size_t g = 0; g < p->groups; g++)
    for (size_t ch = 0; ch < ah.ncls; ch++)
      for (size_t k = 0; k < p->Kg; k++, out += per_k) {
        float *o = out;
        memset(o, 0, per_k * sizeof(float));
        for (size_t jh = 0; jh < dc_class_taps(&ah, ch); jh++)
          for (size_t jw = 0; jw < tw; jw++)
            for (size_t c = 0; c < p->Cg; c++)
              for (size_t f = 0; f < SC_DOCT_NP; f++) {
                const size_t r = dc_class_first(&ah, ch) - jh * ah.step;
                const size_t s = dc_class_first(&aw, cw[f]) - jw * aw.step;
                *o++ = w_krsc[(((g * p->Kg + k) * p->R + r) * p->S + s) *
                                  p->Cg + c];
              }
      }
}

void sc_deconv_pack(const sc_conv_kernel *k, const sc_problem *p,
                    const float *w_krsc, const float *bias, void *packed) {
  dc_pack_classes(k, p, w_krsc, bias, packed, dc_class_floats,
                  dc_pack_groups);
  size_t offset, floats;
  if (dc_octet(k, p, &offset, &floats))
    dc_pack_octet(p, w_krsc, (float *)packed + offset);
}

/* ---- plan and workspace ------------------------------------------------------- */

/* An output row: its taps and its first indirection entry. */
typedef struct dc_row {
  dc_taps t;
  size_t indir;
} dc_row;

/* A column phase: output columns ow0, ow0 + stride_w, ... (npix of them, in
 * ntiles tiles). Its taps are those of column ow0; the input column of tap j
 * of its pixel i is t.base + i + j * ddil. unit: the indirection entries of
 * the phases before it in a row, per tap of the row. */
typedef struct dc_col {
  dc_taps t;
  size_t ow0, npix, ntiles, unit;
} dc_col;

/* Byte offsets of the workspace's parts, each SC_ALIGNMENT aligned. */
typedef struct dc_layout {
  size_t zero;  /* the zero row */
  size_t rows;  /* OH dc_row */
  size_t cols;  /* ncols dc_col */
  size_t indir; /* the indirection: per row, phase, tile: taps x MR */
  size_t xin;   /* NCHW: dc_nchw_chunk() NHWC (or HCW) images */
  size_t total;
  size_t ncols, entries, zero_floats;
} dc_layout;

/* The indirection entries of the output phases f < nphases (nphases <=
 * stride) that have taps: per phase taps x (its outputs rounded up to
 * tiles of `tile`) x per_entry; SIZE_MAX on overflow. A loop over the
 * axis's classes, not its phases: see dc_class_phase(). */
static size_t dc_phase_entries(const dc_axis *a, size_t out, size_t nphases,
                               size_t tile, size_t per_entry) {
  size_t sum = 0;
  for (size_t c = 0; c < a->ncls; c++) {
    const size_t f = dc_class_phase(a, c);
    if (f >= nphases)
      continue;
    const size_t dims[] = {dc_class_taps(a, c),
                           sc_div_up(sc_div_up(out - f, a->stride), tile),
                           tile, per_entry};
    size_t add;
    if (!sc_product_ok(dims, 4, &add) ||
        __builtin_add_overflow(sum, add, &sum))
      return SIZE_MAX;
  }
  return sum;
}

/* Fills the column phases (when cols is not NULL); returns the indirection
 * entries of one row per row tap, or SIZE_MAX on overflow. */
static size_t dc_cols_build(const sc_problem *p, const sc_shape *s, size_t mr,
                            dc_col *cols) {
  const dc_axis aw = dc_axis_w(p);
  const size_t ncols = p->stride_w < s->OW ? p->stride_w : s->OW;
  if (cols == NULL) /* the size alone */
    return dc_phase_entries(&aw, s->OW, ncols, mr, 1);
  size_t unit = 0;
  for (size_t f = 0; f < ncols; f++) {
    dc_col c = {.t = dc_axis_taps(&aw, f), .ow0 = f, .unit = unit};
    c.npix = sc_div_up(s->OW - f, p->stride_w);
    c.ntiles = sc_div_up(c.npix, mr);
    const size_t dims[] = {c.t.count, c.ntiles, mr};
    size_t add;
    if (!sc_product_ok(dims, 3, &add) ||
        __builtin_add_overflow(unit, add, &unit))
      return SIZE_MAX;
    if (cols != NULL)
      cols[f] = c;
  }
  return unit;
}

/* Fills the rows, each with its first indirection entry (the sizes were
 * checked by dc_entries). */
static void dc_rows_build(const sc_problem *p, const sc_shape *s, size_t unit,
                          dc_row *rows) {
  const dc_axis ah = dc_axis_h(p);
  size_t entries = 0;
  for (size_t oh = 0; oh < s->OH; oh++) {
    rows[oh] = (dc_row){dc_axis_taps(&ah, oh), entries};
    entries += rows[oh].t.count * unit;
  }
}

/* The indirection entries of an image, phase by phase (rows of one phase
 * have the same taps), without walking the rows: the workspace size of an
 * absurd input size is then a quick SIZE_MAX, not a loop over ~2^62 rows.
 * SIZE_MAX on overflow. */
static size_t dc_entries(const sc_problem *p, const sc_shape *s, size_t unit) {
  if (unit == SIZE_MAX)
    return SIZE_MAX;
  const dc_axis ah = dc_axis_h(p);
  return dc_phase_entries(&ah, s->OH, p->stride_h < s->OH ? p->stride_h : s->OH,
                          1, unit);
}

/* NCHW images are copied (transposed to NHWC, or to HCW for the pair
 * tiles) and computed this many at a time: enough for a few MiB of input,
 * so that a batch of small images runs as one parallel computation instead
 * of one per image (DCGAN g3 x16 at 2 threads: NCHW 0.70 of NHWC), and
 * never more than the batch (the copy stays within the workspace bound). */
#define DC_NCHW_CHUNK_BYTES ((size_t)4 << 20)

static size_t dc_nchw_chunk(const sc_problem *p, const sc_shape *s) {
  const double image = (double)s->H * (double)s->W * (double)p->C * 4.0;
  const double fit = (double)DC_NCHW_CHUNK_BYTES / image;
  if (fit < 2.0)
    return 1;
  return fit < (double)s->N ? (size_t)fit : s->N;
}

static bool dc_layout_get(const sc_conv_kernel *k, const sc_problem *p,
                          const sc_shape *s, dc_layout *l) {
  const sc_igemm_config *cfg = dc_cfg(k);
  l->ncols = p->stride_w < s->OW ? p->stride_w : s->OW;
  l->entries = dc_entries(p, s, dc_cols_build(p, s, cfg->mr, NULL));
  l->zero_floats = sc_round_up(p->Cg > cfg->nr ? p->Cg : cfg->nr, 16);
  size_t parts[5] = {l->zero_floats * sizeof(float), 0,
                     l->ncols * sizeof(dc_col), 0, 0};
  if (l->entries == SIZE_MAX ||
      !sc_mul_ok(s->OH, sizeof(dc_row), &parts[1]) ||
      !sc_mul_ok(l->entries, sizeof(float *), &parts[3]))
    return false;
  if (p->layout == SIMDCONV_LAYOUT_NCHW) {
    const size_t xin[] = {s->H, s->W, p->C, sizeof(float)};
    if (!sc_product_ok(xin, 4, &parts[4]))
      return false;
    parts[4] *= dc_nchw_chunk(p, s); /* > 1 only for images <= 2 MiB */
  }
  size_t *offs[5] = {&l->zero, &l->rows, &l->cols, &l->indir, &l->xin};
  size_t at = 0;
  for (size_t i = 0; i < 5; i++) {
    *offs[i] = at;
    if (parts[i] > SIZE_MAX - SC_ALIGNMENT - at)
      return false;
    at += sc_round_up(parts[i], SC_ALIGNMENT);
  }
  l->total = at;
  return true;
}

size_t sc_deconv_workspace_size(const sc_conv_kernel *k, const sc_problem *p,
                                const sc_shape *s) {
  dc_layout l;
  return dc_layout_get(k, p, s, &l) ? l.total : SIZE_MAX;
}

/* ---- indirection -------------------------------------------------------------- */

typedef struct dc_indir_ctx {
  const sc_problem *p;
  const sc_shape *s;
  size_t mr, ddil_h, ddil_w, ncols;
  const dc_row *rows;
  const dc_col *cols;
  const float *base; /* the NHWC image the pointers address (group 0) */
  const float *zero;
  const float **indir;
} dc_indir_ctx;

/* The entries of output row oh: per column phase and tile, per tap (jh, jw),
 * MR pointers; zero-padding taps and pixels past the phase's end read the
 * zero row. */
static void dc_indir_row(void *arg, size_t oh) {
  const dc_indir_ctx *c = arg;
  const dc_row *row = &c->rows[oh];
  const ptrdiff_t H = (ptrdiff_t)c->s->H, W = (ptrdiff_t)c->s->W;
  const size_t C = c->p->C, mr = c->mr;
  for (size_t f = 0; f < c->ncols && row->t.count != 0; f++) {
    const dc_col *col = &c->cols[f];
    const float **a = c->indir + row->indir + row->t.count * col->unit;
    for (size_t t = 0; t < col->ntiles && col->t.count != 0; t++)
      for (size_t jh = 0; jh < row->t.count; jh++) {
        const ptrdiff_t ih = row->t.base + (ptrdiff_t)(jh * c->ddil_h);
        const bool row_in = ih >= 0 && ih < H;
        for (size_t jw = 0; jw < col->t.count; jw++, a += mr) {
          /* Pixel pix reads input column b + pix: real for pix in [lo,
           * hi), a range, so the pointers are one strided run. */
          const ptrdiff_t b = col->t.base + (ptrdiff_t)(jw * c->ddil_w);
          const ptrdiff_t p0 = (ptrdiff_t)(t * mr);
          ptrdiff_t lo = b < 0 ? -b : 0, hi = W - b;
          if (hi > (ptrdiff_t)col->npix)
            hi = (ptrdiff_t)col->npix;
          if (!row_in)
            lo = hi = 0;
          const float *x = row_in ? c->base + ((size_t)ih * (size_t)W) * C
                                  : c->zero;
          for (size_t i = 0; i < mr; i++) {
            const ptrdiff_t pix = p0 + (ptrdiff_t)i;
            a[i] = pix >= lo && pix < hi ? x + (size_t)(b + pix) * C
                                         : c->zero;
          }
        }
      }
  }
}

/* ---- compute ------------------------------------------------------------------ */

typedef struct dc_ctx {
  const sc_igemm_config *cfg;
  const sc_problem *p;
  const sc_shape *s;
  const float *packed;
  const dc_packed *hdr;
  const dc_row *rows;
  const dc_col *cols;
  size_t ncols;
  const float *const *indir;
  float *y;          /* the whole output */
  const float *residual; /* the whole residual (as the output), or NULL */
  size_t image_in;   /* floats between input images (NCHW: of the copy) */
  size_t image0;     /* the image of task index 0 (NCHW: the chunk's) */
  size_t nblocks;    /* NR blocks per group */
  bool tiles_outer;  /* per row all blocks, or per block all rows */
  bool skip_ok;      /* weights finite: padding taps may be skipped */
  size_t ddil_h;     /* input rows between a row's consecutive taps */
  size_t ddil_w;     /* input columns between a column's taps */
  const sc_scalar_math *math;
  sc_igemm_params params;
  /* NCHW rows on the pair or octet micro-kernels (dc_pair_plan()), or
   * NULL. */
  const sc_dpair_config *pair;
  size_t pair_nv;    /* pair: the widest tile (pixel vectors per phase) */
  size_t pair_np;    /* pair: its column phases, 2 (pair) or 8 (octet) */
  const float *octet; /* octet: the octet weights (dc_pack_octet()) */
  size_t octet_k;     /* octet: their floats per output channel */
  const float *xhcw; /* pair: the HCW copy of the chunk's images */
  /* Non-NULL: the indirection is not built yet; each task builds its rows'
   * entries just before their first tiles (dc_compute()). */
  const dc_indir_ctx *indir_late;
  sc_dpix_params pair_params;
} dc_ctx;

/* Where a row's pixels go: pixel ow at base + (ow - c0) * ps, channel j of
 * the block at + j; params: the micro-kernels', whose residual, when there
 * is one, lies at the same offsets from params->output as the pixels. */
typedef struct dc_dst {
  float *base;
  size_t ps, c0;
  const sc_igemm_params *params;
} dc_dst;

/* The packed block of output channels [k, k + NR) of group g, class
 * (ch, cw). */
static const float *dc_weights(const dc_ctx *c, const dc_taps *th,
                               const dc_taps *tw, size_t g, size_t k) {
  const size_t block =
      dc_block_floats(c->p, c->cfg->nr, th->count * tw->count);
  return c->packed + c->hdr->cls[th->cls * c->hdr->ncls_w + tw->cls] +
         (g * c->nblocks + k / c->cfg->nr) * block;
}

/* Outputs without taps (their phase reaches no kernel index): bias + 0.0f
 * through the epilogue (residual, activation), as every kernel gives them. */
static void dc_bias_only(const dc_ctx *c, size_t k, size_t nc,
                         const dc_col *col, size_t t0, size_t t1,
                         const dc_dst *d) {
  const sc_problem *p = c->p;
  const sc_igemm_params *ip = d->params;
  const float *bias = c->packed + c->hdr->bias + k;
  const size_t end = t1 * c->cfg->mr < col->npix ? t1 * c->cfg->mr : col->npix;
  for (size_t i = t0 * c->cfg->mr; i < end; i++) {
    float *px = d->base + (col->ow0 + i * p->stride_w - d->c0) * d->ps;
    for (size_t j = 0; j < nc; j++)
      px[j] = dc_bias_output(
          c->math, p, bias[j],
          ip->residual != NULL
              ? sc_residual_at(ip->residual, ip->output, px + j)
              : NULL,
          ip->alpha);
  }
}

/* Whether a tap of output row oh reads an input row outside the image:
 * then every pixel's taps of that kernel row are zero padding, and the
 * micro-kernels may skip them (docs/numerics.md, section 1). */
static bool dc_row_padded(const dc_ctx *c, const dc_row *row) {
  if (row->t.count == 0)
    return false;
  const ptrdiff_t last =
      row->t.base + (ptrdiff_t)((row->t.count - 1) * c->ddil_h);
  return row->t.base < 0 || last >= (ptrdiff_t)c->s->H;
}

/* Output channels [k, k + nc) (nc <= NR, k a multiple of NR within group
 * g) of the tiles [t0, t1) of every column phase of output row oh of image
 * n, into d. */
static void dc_row_tiles(const dc_ctx *c, size_t n, size_t g, size_t oh,
                         size_t k, size_t nc, size_t t0, size_t t1,
                         const dc_dst *d) {
  const sc_problem *p = c->p;
  const dc_row *row = &c->rows[oh];
  const size_t mr = c->cfg->mr, sw = p->stride_w;
  const size_t a_offset = (n - c->image0) * c->image_in + g * p->Cg;
  sc_igemm_params skip_params;
  const sc_igemm_params *params = d->params;
  if (c->skip_ok && dc_row_padded(c, row)) {
    skip_params = *params;
    skip_params.skip_padding_taps = true;
    params = &skip_params;
  }
  for (size_t f = 0; f < c->ncols; f++) {
    const dc_col *col = &c->cols[f];
    const size_t te = t1 < col->ntiles ? t1 : col->ntiles;
    if (t0 >= te)
      continue;
    if (row->t.count == 0 || col->t.count == 0) {
      dc_bias_only(c, g * p->Kg + k, nc, col, t0, te, d);
      continue;
    }
    const size_t ks = row->t.count * col->t.count;
    const float *w = dc_weights(c, &row->t, &col->t, g, k);
    const float *const *a =
        c->indir + row->indir + row->t.count * col->unit + t0 * ks * mr;
    for (size_t t = t0; t < te; t++, a += ks * mr) {
      const size_t pix = t * mr;
      const size_t rows = col->npix - pix < mr ? col->npix - pix : mr;
      const sc_igemm_ukernel_fn uk = sc_igemm_tile_fn(c->cfg, rows, nc);
      uk(rows, nc, p->Cg, ks, a, w,
         d->base + (col->ow0 + pix * sw - d->c0) * d->ps, sw * d->ps,
         a_offset, params);
    }
  }
}

/* NHWC: channels [k, k + nc) of output row oh, straight into the output. */
static void dc_row_nhwc(const dc_ctx *c, size_t n, size_t g, size_t oh,
                        size_t k) {
  const sc_problem *p = c->p;
  const size_t nc = p->Kg - k < c->cfg->nr ? p->Kg - k : c->cfg->nr;
  const dc_dst d = {
      c->y + ((n * c->s->OH + oh) * c->s->OW) * p->K + g * p->Kg + k, p->K, 0,
      &c->params};
  dc_row_tiles(c, n, g, oh, k, nc, 0, SIZE_MAX, &d);
}

/* NCHW: channels [k, k + nc) of output row oh, segment by segment through a
 * stack buffer: each segment holds whole tiles of every column phase (m
 * tiles: m * MR * stride_w columns), computed NHWC and then transposed into
 * the nc output rows. */
static void dc_row_nchw(const dc_ctx *c, size_t n, size_t g, size_t oh,
                        size_t k) {
  const sc_problem *p = c->p;
  const sc_shape *s = c->s;
  const size_t nr = c->cfg->nr, mr = c->cfg->mr, sw = p->stride_w;
  const size_t nc = p->Kg - k < nr ? p->Kg - k : nr;
  const size_t m = DC_NCHW_BUF / (mr * sw * nr), span = m * mr * sw;
  const size_t row = ((n * p->K + g * p->Kg + k) * s->OH + oh) * s->OW;
  const size_t plane = s->OH * s->OW;
  float buf[DC_NCHW_BUF];
  /* With a residual, the micro-kernels read it from buf (in place). */
  sc_igemm_params params = c->params;
  if (c->residual != NULL)
    params.residual = params.output = buf;
  for (size_t c0 = 0, t0 = 0; c0 < s->OW; c0 += span, t0 += m) {
    const size_t c1 = s->OW - c0 < span ? s->OW : c0 + span;
    /* With a residual, the segment's residual into buf, where the
     * micro-kernels add it in place before the activation. It is read
     * before the output segment is written, so it may be the output. */
    if (c->residual != NULL)
      dc_planes_to_pixels(c->cfg->transpose, c->residual + row + c0, plane,
                          nc, c1 - c0, buf, nc);
    const dc_dst d = {buf, nc, c0, &params};
    dc_prefetch_planes(c->y + row + c0, plane, nc, c1 - c0);
    dc_row_tiles(c, n, g, oh, k, nc, t0, t0 + m, &d);
    /* This second pass over the outputs costs about as much as the fmas
     * of layers with few taps x channels per output (U-Net up4, 128: 0.6
     * of NHWC before the prefetch; the pair tiles take that layer now);
     * storing the micro-kernels' transposed tiles phase-planar and
     * interleaving the phases instead measured no better. */
    dc_pixels_to_planes(c->cfg->transpose, buf, nc, nc, c1 - c0,
                        c->y + row + c0, plane);
  }
}

/* The pair (np 2) or octet (np 8) micro-kernel for a tile of up to nv
 * pixel vectors per phase: the widest of the ISA's up to that width. */
static sc_dpair_ukernel_fn dc_pair_uk(const sc_dpair_config *pair,
                                      size_t np, size_t *nv) {
  const sc_dpair_ukernel_fn *uk = np == 2 ? pair->uk : pair->oct;
  while (uk[*nv - 1] == NULL)
    --*nv;
  return uk[*nv - 1];
}

/* NCHW on the pair (octet) micro-kernels: channels [k, k + nc) of output
 * row oh, all np column phases, straight into the output rows: per run of
 * pixel vectors all the channel quads (single channels) (the run's input
 * stays in L1). */
static void dc_row_pair(const dc_ctx *c, size_t n, size_t g, size_t oh,
                        size_t k) {
  const sc_problem *p = c->p;
  const sc_shape *s = c->s;
  const size_t nr = c->cfg->nr, vl = c->pair->vl, np = c->pair_np;
  const size_t kq = np == 2 ? SC_DPAIR_KB : SC_DOCT_KB;
  const size_t nc = p->Kg - k < nr ? p->Kg - k : nr;
  const dc_row *row = &c->rows[oh];
  const dc_col *col = c->cols;
  const float *bias = c->packed + c->hdr->bias + g * p->Kg + k;
  sc_dpair_tile t = {
      .x = c->xhcw + (n - c->image0) * c->image_in + g * p->Cg * s->W,
      .cstride = s->W,
      .rstride = p->C * s->W,
      .H = s->H,
      .W = s->W,
      .kc = p->Cg,
      .th = row->t.count,
      .ddh = c->ddil_h,
      .ddw = c->ddil_w,
      .ih0 = row->t.base,
      .wstride = nr,
      .ys_k = s->OH * s->OW,
  };
  /* Output channel k + q of phase f at wblock[f] + q * qstep. */
  const float *wblock[SC_DOCT_NP] = {NULL};
  size_t qstep = 1;
  if (np == 2) {
    for (size_t f = 0; f < np; f++) {
      t.tw[f] = col[f].t.count;
      if (t.th != 0 && t.tw[f] != 0) /* past the block's bias row */
        wblock[f] = dc_weights(c, &row->t, &col[f].t, g, k) + nr;
    }
  } else { /* the octet weights: the row class's, 8 phases a tap */
    qstep = c->octet_k;
    const float *w = c->octet + ((g * c->hdr->ncls_h + row->t.cls) * p->Kg +
                                 k) * qstep;
    t.wstride = SC_DOCT_NP;
    for (size_t f = 0; f < np; f++) {
      t.tw[f] = col[f].t.count;
      wblock[f] = t.th != 0 ? w + f : NULL;
    }
  }
  float *y = c->y + ((n * p->K + g * p->Kg + k) * s->OH + oh) * s->OW;
  for (size_t j0 = 0; j0 < col[0].npix;) {
    size_t nv = sc_div_up(col[0].npix - j0, vl);
    nv = nv < c->pair_nv ? nv : c->pair_nv;
    const sc_dpair_ukernel_fn uk = dc_pair_uk(c->pair, np, &nv);
    for (size_t f = 0; f < np; f++) {
      t.iw0[f] = col[f].t.base + (ptrdiff_t)j0;
      const size_t left = col[f].npix > j0 ? col[f].npix - j0 : 0;
      t.npix[f] = left < nv * vl ? left : nv * vl;
    }
    for (size_t q = 0; q < nc; q += kq) {
      float b[SC_DPAIR_KB] = {0};
      t.kb = nc - q < kq ? nc - q : kq;
      memcpy(b, bias + q, t.kb * sizeof(float));
      t.bias = b;
      for (size_t f = 0; f < np; f++)
        t.w[f] = wblock[f] != NULL ? wblock[f] + q * qstep : NULL;
      t.y = y + q * t.ys_k + np * j0;
      uk(&t, &c->pair_params);
    }
    j0 += nv * vl;
  }
}

static void dc_row_run(const dc_ctx *c, size_t n, size_t g, size_t oh,
                       size_t k) {
  if (c->p->layout == SIMDCONV_LAYOUT_NHWC)
    dc_row_nhwc(c, n, g, oh, k);
  else if (c->pair != NULL)
    dc_row_pair(c, n, g, oh, k);
  else
    dc_row_nchw(c, n, g, oh, k);
}

/* Image n, group g, output rows [oh0, oh0 + noh), output channels [k0, k0 +
 * nk) of the group. Rows of one phase (stride_h apart) run together, so
 * that one class's weights serve them all; per row all the blocks
 * (tiles_outer: the task's weights stay in cache), or per block all the
 * rows. */
static void dc_task(void *arg, size_t n, size_t g, size_t oh0, size_t k0,
                    size_t noh, size_t nk) {
  const dc_ctx *c = arg;
  const size_t nr = c->cfg->nr, sh = c->p->stride_h;
  const size_t phases = sh < noh ? sh : noh;
  n += c->image0;
  if (c->tiles_outer) {
    for (size_t f = 0; f < phases; f++)
      for (size_t oh = oh0 + f; oh < oh0 + noh; oh += sh) {
        if (c->indir_late != NULL)
          dc_indir_row((void *)c->indir_late, oh);
        for (size_t k = k0; k < k0 + nk; k += nr)
          dc_row_run(c, n, g, oh, k);
      }
    return;
  }
  for (size_t k = k0; k < k0 + nk; k += nr)
    for (size_t f = 0; f < phases; f++)
      for (size_t oh = oh0 + f; oh < oh0 + noh; oh += sh) {
        if (c->indir_late != NULL && k == k0)
          dc_indir_row((void *)c->indir_late, oh);
        dc_row_run(c, n, g, oh, k);
      }
}

/* Runs images [image0, image0 + nimg) over the pool. A task is rt output
 * rows x kt NR blocks; with threads, the operand whose copies cost less is
 * split first (every task re-reads its blocks' weights and its rows'
 * input), as in the forward driver. */
static void dc_compute(dc_ctx *c, size_t nimg, pthreadpool_t pool,
                       const dc_indir_ctx *indir, uint32_t flags) {
  const sc_problem *p = c->p;
  const sc_shape *s = c->s;
  const size_t nr = c->cfg->nr;
  /* Floats of one NR block over all classes: every tap of the kernel. */
  const double block =
      (double)dc_block_floats(p, nr, p->R * p->S);
  size_t rt = s->OH, kt = c->nblocks;
  const size_t threads = pthreadpool_get_threads_count(pool);
  if (threads > 1) {
    const size_t outer = nimg * p->groups;
    const double weights = (double)c->nblocks * block;
    const double input = (double)s->H * (double)s->W * (double)p->Cg;
    if (weights >= input)
      sc_split_tasks(threads, outer, c->nblocks, &kt, s->OH, &rt);
    else
      sc_split_tasks(threads, outer, s->OH, &rt, c->nblocks, &kt);
  }
  c->tiles_outer = (double)kt * block * sizeof(float) <=
                   (double)SC_TILES_OUTER_BYTES;
  /* The indirection (when it is this call's to build): by each task for
   * its rows when one task owns every block of them (one image, one group),
   * written just before it is read instead of 2.5 MB of entries (FCN-8s
   * upscore8) streamed out and back in by a pass of its own, and one
   * hand-off between the threads fewer (upscore2 at 2 threads 1.13x); else
   * that pass. */
  c->indir_late = NULL;
  if (indir != NULL && nimg == 1 && p->groups == 1 && kt == c->nblocks)
    c->indir_late = indir;
  else if (indir != NULL)
    sc_parallelize_1d(pool, dc_indir_row, (void *)indir, s->OH,
                      SC_POOL_PHASE);
  sc_parallelize_4d_tile_2d(pool, dc_task, c, nimg, p->groups, s->OH,
                                     p->Kg, rt, kt * nr, flags);
}

/* ---- run ---------------------------------------------------------------------- */

/* The pair micro-kernels of an NCHW run, or NULL, and in *max_nv the
 * widest tile to use (pixel vectors per phase), in *np its phases (octet:
 * *octet_at the float offset of the octet weights). They
 * need stride_w 2 (pair tiles) or 8 with all eight column phases alike
 * (octet tiles, dc_octet()), phase rows of at least
 * DC_PAIR_MIN_VECTORS vectors and a tile of at least two vectors
 * (one-vector tiles issue more loads than fmas: DCGAN g4, 16-pixel phase
 * rows, 0.53x; the NHWC tiles fill their lanes with channels), whose input
 * (its row taps x C/g channels x its vectors and the taps' overhang) fits
 * in half of L1: every channel quad of a run re-reads it. Measured against
 * NHWC tiles and transposes (simdconv-ab, 1 thread, AVX-512 Xeon, 48 KiB
 * L1): LinkNet dec2, 32 channels, 1.30x; U-Net up4, 128 channels, 2x2 (both
 * phases share each input load) 1.15x; 256 channels and more, over the
 * budget, 0.58-0.84x. */
#define DC_PAIR_MIN_VECTORS 2

static const sc_dpair_config *dc_pair_plan(const sc_conv_kernel *k,
                                           const sc_problem *p,
                                           const sc_shape *s,
                                           size_t *max_nv, size_t *np,
                                           size_t *octet_at) {
  const sc_deconv_config *dc = k->config;
  const sc_dpair_config *pair = dc->pair;
  const dc_axis ah = dc_axis_h(p), aw = dc_axis_w(p);
  if (pair == NULL || p->layout != SIMDCONV_LAYOUT_NCHW)
    return NULL;
  size_t octet_floats;
  if (p->stride_w == 2)
    *np = 2;
  else if (dc_octet(k, p, octet_at, &octet_floats))
    *np = SC_DOCT_NP;
  else
    return NULL;
  if (s->OW / *np < DC_PAIR_MIN_VECTORS * pair->vl)
    return NULL;
  const size_t rows = sc_div_up(s->OW / *np, pair->vl);
  for (size_t nv = rows < 3 ? rows : 3; nv >= 2; nv--) {
    /* Floats of a tile's input; small operands (R, S, dil, Cg <= 2^31). */
    const double floats = (double)dc_class_taps(&ah, 0) * (double)p->Cg *
                          (double)(nv * pair->vl +
                                   (dc_class_taps(&aw, 0) - 1) * aw.ddil);
    if (floats * sizeof(float) <= (double)(sc_l1d_bytes() / 2)) {
      *max_nv = nv;
      return pair;
    }
  }
  return NULL;
}

typedef struct dc_hcw_ctx {
  const float *x; /* one NCHW image */
  float *dst;     /* its HCW copy: row ih, channel c at (ih * C + c) * W */
  size_t C, H, W;
} dc_hcw_ctx;

/* Input row ih of the HCW copy. */
static void dc_hcw_row(void *arg, size_t ih) {
  const dc_hcw_ctx *t = arg;
  dc_hcw_row_copy(t->x, t->C, t->H, t->W, ih, t->dst + ih * t->C * t->W,
                  t->W);
}

void sc_deconv_run(const sc_run_args *args) {
  const sc_igemm_config *cfg = dc_cfg(args->kernel);
  const sc_problem *p = args->problem;
  const sc_shape *s = args->shape;
  dc_layout l;
  (void)dc_layout_get(args->kernel, p, s, &l); /* checked by workspace_size */
  char *ws = args->workspace;
  float *zero = (float *)(ws + l.zero);
  dc_row *rows = (dc_row *)(ws + l.rows);
  dc_col *cols = (dc_col *)(ws + l.cols);
  const float **indir = (const float **)(ws + l.indir);
  const bool nchw = p->layout == SIMDCONV_LAYOUT_NCHW;
  memset(zero, 0, l.zero_floats * sizeof(float));
  dc_rows_build(p, s, dc_cols_build(p, s, cfg->mr, cols), rows);

  /* The images the pointers address: the input itself (NHWC, every image
   * through a_offset) or the NHWC copy of the current image (NCHW). */
  float *xin = (float *)(ws + l.xin);
  const dc_axis ah = dc_axis_h(p), aw = dc_axis_w(p);
  size_t pair_nv = 0, pair_np = 2, octet_at = 0;
  const sc_dpair_config *pair =
      dc_pair_plan(args->kernel, p, s, &pair_nv, &pair_np, &octet_at);
  dc_indir_ctx ic = {p,    s,    cfg->mr, ah.ddil, aw.ddil, l.ncols,
                     rows, cols, nchw ? xin : args->input, zero, indir};
  /* The indirection is dc_compute()'s to build: NCHW, on the first chunk
   * of images, for all of them (the copy of each chunk lies at the same
   * place); none for the pair micro-kernels, which address the image
   * directly. */

  dc_ctx c = {
      .cfg = cfg,
      .p = p,
      .s = s,
      .packed = args->packed,
      .hdr = args->packed,
      .rows = rows,
      .cols = cols,
      .ncols = l.ncols,
      .indir = indir,
      .y = args->output,
      .residual = args->residual,
      .image_in = s->H * s->W * p->C,
      .nblocks = sc_div_up(p->Kg, cfg->nr),
      .skip_ok = p->weights_finite,
      .ddil_h = ah.ddil,
      .ddil_w = aw.ddil,
      .math = sc_scalar_math_get(),
      .pair = pair,
      .pair_nv = pair_nv,
      .pair_np = pair_np,
      .octet = (const float *)args->packed + octet_at,
      .octet_k = dc_octet_k_floats(p),
      .xhcw = xin,
      .pair_params = {.act = sc_act_params_from_problem(p),
                      .residual = args->residual,
                      .output = args->output,
                      .alpha = args->alpha},
      .params = {.zero = zero,
                 .kg = p->Kg,
                 .prefetch_weights = sc_wprefetch(cfg->wprefetch_amd),
                 .act = sc_act_params_from_problem(p),
                 /* NHWC tiles are stored in place (pixel stride
                  * stride_w * K): the residual lies at the output's
                  * offsets. NCHW segments set their own (dc_row_nchw). */
                 .residual = args->residual,
                 .output = args->output,
                 .alpha = args->alpha},
  };
  if (!nchw) {
    dc_compute(&c, s->N, args->pool, &ic, args->pool_final);
    return;
  }
  const size_t chunk = dc_nchw_chunk(p, s), image = p->C * s->H * s->W;
  for (size_t n0 = 0; n0 < s->N; n0 += chunk) {
    const size_t nimg = s->N - n0 < chunk ? s->N - n0 : chunk;
    for (size_t i = 0; i < nimg; i++) {
      const float *x = args->input + (n0 + i) * image;
      float *dst = xin + i * image;
      dc_hcw_ctx hc = {x, dst, p->C, s->H, s->W};
      if (pair != NULL)
        sc_parallelize_1d(args->pool, dc_hcw_row, &hc, s->H, SC_POOL_PHASE);
      else
        sc_igemm_transpose(cfg, p->C, s->H * s->W, x, dst, args->pool);
    }
    c.image0 = n0;
    dc_compute(&c, nimg, args->pool, n0 == 0 && pair == NULL ? &ic : NULL,
               sc_pool_flags(args, n0 + nimg == s->N));
  }
}

/* ---- the registry's view ------------------------------------------------ */

void sc_deconv_describe(const sc_conv_kernel *k, sc_kernel_desc *d) {
  const sc_deconv_config *c = k->config;
  *d = (sc_kernel_desc){
      .tile_m = dc_cfg(k)->mr,
      .tile_n = dc_cfg(k)->nr,
      .layouts = (1u << SIMDCONV_LAYOUT_NCHW) | (1u << SIMDCONV_LAYOUT_NHWC),
      .constraints = c->constraints,
  };
}

const char *sc_deconv_check_inner(const sc_conv_kernel *k, sc_family family) {
  const sc_deconv_config *c = k->config;
  if (c == NULL || c->inner == NULL || c->constraints == NULL)
    return "deconv config without inner kernel or constraints";
  if (c->inner->family != family || c->inner->isa != k->isa)
    return "deconv kernel wraps a kernel of another family or ISA";
  return NULL;
}

const char *sc_deconv_check(const sc_conv_kernel *k) {
  const char *why = sc_deconv_check_inner(k, SC_FAMILY_IGEMM);
  if (why != NULL)
    return why;
  const char *inner = dc_inner(k)->name;
  if (strncmp(k->name, "f32_deconv_", 11) != 0 ||
      strncmp(inner, "f32_", 4) != 0 || strcmp(k->name + 11, inner + 4) != 0)
    return "deconv igemm kernel not named f32_deconv_<its igemm kernel's "
           "name without f32_>";
  const sc_igemm_config *cfg = dc_cfg(k);
  /* The NCHW row segment needs room for one MR x NR tile per phase. */
  if (cfg->mr * cfg->nr > DC_NCHW_BUF || cfg->transpose == NULL)
    return "deconv igemm needs MR x NR <= 8192 and the ISA's transpose";
  return NULL;
}
