/*
 * Depthwise transposed convolutions (groups == C, one input channel per
 * group, any channel multiplier) on the depthwise NHWC row micro-kernels
 * (src/dwconv.h), in the canonical order of src/deconv.h.
 *
 * Each output phase is a stride-1 depthwise convolution of the input with
 * its class's flipped sub-kernel (dilation d/gcd), and the row micro-kernels
 * compute each output in (kernel row, kernel column) order from bias + 0.0f,
 * zero-padding taps as fma(0, w, acc): exactly the canonical order. They
 * address outputs as out + pixel * K + channel, K being only a stride, so a
 * phase row is written in place into an NHWC output with K = stride_w * K.
 *
 * NCHW layers run on the ISA's NCHW row micro-kernel
 * (src/ukernels/deconv_dw_nchw_ukernel.h): a task per channel plane (or
 * band of its rows), each output row computed phase by phase with lanes over
 * its pixels from input rows copied once into a small ring on the stack, and
 * stored in column order. Layers whose rows or taps do not fit it (rows
 * wider than 8192, more than 128 taps per output row) take the NHWC path:
 * the input transposed to NHWC in the workspace, each output row computed
 * there and transposed back, with the transpose of an igemm kernel of the
 * same ISA.
 *
 * Scalar twin: f32_conv_direct__scalar (direct_sum_transposed).
 */
#include <math.h>
#include <string.h>

#include "deconv_phase.h"
#include "dwconv.h"
#include "igemm.h"
#include "padding.h"

static const sc_dw_config *dcw_dw(const sc_conv_kernel *k) {
  const sc_deconv_config *c = k->config;
  return c->inner->config;
}

/* The igemm config whose transpose converts NCHW images, or NULL. */
static const sc_igemm_config *dcw_transpose(const sc_conv_kernel *k) {
  const sc_deconv_config *c = k->config;
  return c->transpose != NULL ? c->transpose->config : NULL;
}

/* Channels padded as the depthwise packing pads them. */
static size_t dcw_kp(const sc_problem *p) {
  return sc_round_up(p->K, SC_DW_KPAD);
}

bool sc_deconv_dw_fits(const sc_conv_kernel *k, const sc_problem *p) {
  const dc_axis ah = dc_axis_h(p);
  /* The row functions take at most SC_DW_MAX_R kernel rows, and int32
   * channel indices, strides and pads; NCHW needs a transpose. */
  return p->dtype == SC_DTYPE_F32 && p->transposed && sc_is_depthwise(p) &&
         (p->layout == SIMDCONV_LAYOUT_NHWC || dcw_transpose(k) != NULL) &&
         dc_class_taps(&ah, 0) <= SC_DW_MAX_R &&
         p->K <= (size_t)INT32_MAX - SC_DW_KPAD &&
         p->stride_w <= (size_t)INT32_MAX / (p->K + 1) &&
         (p->S - 1) * p->dil_w + p->pad_left <= (size_t)INT32_MAX;
}

/* Packed per class, the depthwise layout (src/dwconv.h): bias[Kp] (the
 * micro-kernels add +0.0f), w[taps][Kp], and in_channel[Kp] when Kg > 1. */
static size_t dcw_class_floats(const sc_conv_kernel *k, const sc_problem *p,
                               size_t taps) {
  (void)k;
  const size_t kp = dcw_kp(p);
  return ((taps + 1) + (p->Kg > 1 ? 1 : 0)) * kp;
}

size_t sc_deconv_dw_packed_size(const sc_conv_kernel *k,
                                const sc_problem *p) {
  return dc_packed_size(k, p, dcw_class_floats);
}

/* Packs class (ch, cw) at out: taps (jh, jw) in canonical order. */
static void dcw_pack_class(const sc_conv_kernel *k, const sc_problem *p,
                           const float *w_krsc, const float *bias, size_t ch,
                           size_t cw, float *out) {
  (void)k;
  const dc_axis ah = dc_axis_h(p), aw = dc_axis_w(p);
  const size_t kp = dcw_kp(p), th = dc_class_taps(&ah, ch),
               tw = dc_class_taps(&aw, cw);
  memset(out, 0, (th * tw + 1) * kp * sizeof(float));
  for (size_t c = 0; c < p->K; c++)
    out[c] = bias != NULL ? bias[c] : 0.0f;
  float *w = out + kp;
  for (size_t jh = 0; jh < th; jh++)
    for (size_t jw = 0; jw < tw; jw++) {
      const size_t r = dc_class_first(&ah, ch) - jh * ah.step;
      const size_t s = dc_class_first(&aw, cw) - jw * aw.step;
      for (size_t c = 0; c < p->K; c++)
        w[(jh * tw + jw) * kp + c] = w_krsc[(c * p->R + r) * p->S + s];
    }
  if (p->Kg > 1) {
    int32_t *in_channel = (int32_t *)(w + th * tw * kp);
    for (size_t c = 0; c < kp; c++)
      in_channel[c] = (int32_t)((c < p->K ? c : p->K - 1) / p->Kg);
  }
}

void sc_deconv_dw_pack(const sc_conv_kernel *k, const sc_problem *p,
                       const float *w_krsc, const float *bias, void *packed) {
  dc_pack_classes(k, p, w_krsc, bias, packed, dcw_class_floats,
                  dcw_pack_class);
}

/* ---- NCHW rows on the ISA's row micro-kernel ------------------------------ */

/* An NCHW task reads each input row it needs from a slot of a ring on its
 * stack: the row's W floats between zeros that stand for the lattice points
 * outside the input, so that every tap of every output vector is a plain
 * load. Input row ih takes slot ih % nslots; the rows of one output row lie
 * within (taps - 1) * ddil_h + 1 < nslots rows, so they never share one. */
#define DCW_MAX_SLOTS 64

typedef struct dcw_rows_geom {
  size_t nph;                       /* column phases: min(stride_w, OW) */
  dc_taps tw[SC_DWT_MAX_PHASES];    /* their column taps */
  size_t pl;                        /* zeros before column 0 of a slot */
  size_t len;                       /* floats per slot */
  size_t nslots;
  size_t jpad; /* the first phase's outputs rounded up to SC_DWT_BLOCK */
  size_t scratch; /* floats of the phases' sums */
} dcw_rows_geom;

/* Whether NCHW layer p runs on the row micro-kernel of k, and its
 * geometry: every phase, tap and slot within the kernel's and the stack
 * buffer's bounds (else the NHWC copies and transposes take it). */
static bool dcw_rows_plan(const sc_conv_kernel *k, const sc_problem *p,
                          const sc_shape *s, dcw_rows_geom *g) {
  const sc_deconv_config *cfg = k->config;
  if (cfg->nchw_row == NULL || p->layout != SIMDCONV_LAYOUT_NCHW ||
      s->OW > DC_NCHW_BUF || s->W > DC_NCHW_BUF || s->OW == 0)
    return false;
  const dc_axis ah = dc_axis_h(p), aw = dc_axis_w(p);
  g->nph = p->stride_w < s->OW ? p->stride_w : s->OW;
  if (g->nph > SC_DWT_MAX_PHASES)
    return false;
  g->jpad = sc_round_up(sc_div_up(s->OW, p->stride_w), SC_DWT_BLOCK);
  /* Column taps of phase f read input columns [base, base + (count-1) *
   * ddil] shifted by the output index j < jpad. */
  ptrdiff_t lo = 0, hi = (ptrdiff_t)s->W;
  size_t col_taps = 0;
  for (size_t f = 0; f < g->nph; f++) {
    const dc_taps t = g->tw[f] = dc_axis_taps(&aw, f);
    if (t.count == 0)
      continue;
    col_taps += t.count;
    const ptrdiff_t end = t.base + (ptrdiff_t)((t.count - 1) * aw.ddil) +
                          (ptrdiff_t)g->jpad;
    lo = t.base < lo ? t.base : lo;
    hi = end > hi ? end : hi;
  }
  const size_t row_taps = dc_class_taps(&ah, 0); /* class 0 has the most */
  if (row_taps * col_taps > SC_DWT_MAX_TAPS ||
      (row_taps - 1) * ah.ddil + 2 > DCW_MAX_SLOTS / 2 ||
      hi - lo > (ptrdiff_t)DC_NCHW_BUF)
    return false;
  g->pl = (size_t)-lo;
  g->len = sc_round_up((size_t)(hi - lo), 16);
  g->nslots = 1; /* a power of two: slot = ih & (nslots - 1) */
  while (g->nslots < (row_taps - 1) * ah.ddil + 2)
    g->nslots *= 2;
  /* After the slots: the phases' sums (more than two phases) and the
   * row's sums (with a residual). */
  g->scratch = g->nph > 2 ? g->nph * g->jpad : 0;
  const size_t sums = sc_round_up(s->OW, 16);
  return (g->nslots + 1) * g->len + g->scratch + sums <= DC_NCHW_BUF;
}

/* NCHW: whether an output row of all the channels fits the stack buffer
 * of a task (dcw_row()); else the NHWC output image is in the workspace. */
static bool dcw_row_on_stack(const sc_problem *p, const sc_shape *s) {
  return p->K <= DC_NCHW_BUF && s->OW <= DC_NCHW_BUF / p->K;
}

/* NCHW: one NHWC input image, and one NHWC output image unless its rows
 * are computed on the stack. */
size_t sc_deconv_dw_workspace_size(const sc_conv_kernel *k,
                                   const sc_problem *p, const sc_shape *s) {
  dcw_rows_geom g;
  if (p->layout == SIMDCONV_LAYOUT_NHWC || dcw_rows_plan(k, p, s, &g))
    return 0;
  const size_t in[] = {s->H, s->W, p->C, sizeof(float)};
  const size_t out[] = {s->OH, s->OW, p->K, sizeof(float)};
  size_t a, b;
  if (!sc_product_ok(in, 4, &a) || !sc_product_ok(out, 4, &b) ||
      a > SIZE_MAX - SC_ALIGNMENT - b)
    return SIZE_MAX;
  return dcw_row_on_stack(p, s) ? a : sc_round_up(a, SC_ALIGNMENT) + b;
}

/* ---- run ------------------------------------------------------------------ */

typedef struct dcw_ctx {
  const sc_dw_config *cfg;
  const sc_problem *p;
  const sc_shape *s;
  const float *packed;
  const dc_packed *hdr;
  dc_axis ah, aw;
  const float *x; /* NHWC input, image 0 */
  float *y;       /* NHWC output, image 0; NULL: rows on the stack */
  const sc_scalar_math *math;
  /* The residual of output element e is sc_residual_at(residual, res_out,
   * e); NULL: none. */
  const float *residual, *res_out;
  float alpha;
  /* NCHW: the ISA's transpose, the output image and its residual (NULL:
   * none), which each task transposes row by row out of (into) the NHWC
   * rows of y; NULL transpose: NHWC. */
  sc_transpose_fn transpose;
  float *y_nchw;
  const float *r_nchw;
} dcw_ctx;

/* Where a task writes its NHWC output row: pixel ow, channel k at row[ow *
 * K + k]; the residual of element e is sc_residual_at(residual, res_out,
 * e), NULL residual: none. */
typedef struct dcw_out {
  float *row;
  const float *residual, *res_out;
} dcw_out;

/* Outputs of column phase f of row oh without taps: the bias through the
 * epilogue. */
static void dcw_bias_only(const dcw_ctx *c, const dcw_out *o, size_t f,
                          size_t k0, size_t nk) {
  const sc_problem *p = c->p;
  const float *bias = c->packed + c->hdr->bias;
  for (size_t ow = f; ow < c->s->OW; ow += p->stride_w)
    for (size_t k = k0; k < k0 + nk; k++) {
      float *y = o->row + ow * p->K + k;
      *y = dc_bias_output(
          c->math, p, bias[k],
          o->residual != NULL ? sc_residual_at(o->residual, o->res_out, y)
                              : NULL,
          c->alpha);
    }
}

/* The stride-1 depthwise problem of a phase with th x tw taps, as the row
 * micro-kernels are chosen for it. */
static sc_problem dcw_phase_problem(const dcw_ctx *c, size_t th, size_t tw) {
  sc_problem q = *c->p;
  q.transposed = false;
  q.R = th;
  q.S = tw;
  q.stride_h = q.stride_w = 1;
  q.dil_h = c->ah.ddil;
  q.dil_w = c->aw.ddil;
  return q;
}

/* Column phase f of output row oh (row taps th), channels [k0, k0 + nk):
 * one call of the row micro-kernel on the phase's pixels, written in place
 * (pixel stride stride_w * K). rows[j] is the input row of row tap j. */
static void dcw_phase(const dcw_ctx *c, const dc_taps *th,
                      const float *const *rows, const dcw_out *o,
                      size_t f, size_t k0, size_t nk) {
  const sc_problem *p = c->p;
  const sc_shape *s = c->s;
  const dc_taps tw = dc_axis_taps(&c->aw, f);
  if (th->count == 0 || tw.count == 0) {
    dcw_bias_only(c, o, f, k0, nk);
    return;
  }
  /* The phase's first pixel reads input column tw.base: a negative base is
   * left padding; a positive one shifts the rows (a window past the row's
   * end reads only zero-padding taps, like a NULL row). */
  const size_t shift = tw.base > 0 ? (size_t)tw.base : 0;
  const float *shifted[SC_DW_MAX_R];
  for (size_t j = 0; j < th->count; j++)
    shifted[j] = rows[j] != NULL && shift < s->W ? rows[j] + shift * p->C
                                                 : NULL;
  const size_t W = shift < s->W ? s->W - shift : s->W;
  const size_t kp = dcw_kp(p);
  const float *cls =
      c->packed + c->hdr->cls[th->cls * c->hdr->ncls_w + tw.cls];
  const sc_problem q = dcw_phase_problem(c, th->count, tw.count);
  const sc_dw_nhwc_entry *e = sc_dw_find_nhwc(c->cfg, &q, p->Kg == 1);
  sc_dw_nhwc_params params = {
      .C = p->C, .K = p->stride_w * p->K, .Kg = p->Kg, .Kp = kp,
      .R = th->count, .S = tw.count, .sw = 1, .dw = c->aw.ddil,
      .pad_left = tw.base < 0 ? (size_t)-tw.base : 0, .W = W,
      .OW = sc_div_up(s->OW - f, p->stride_w), .zeros_mode = 1,
      .bias = cls, .w = cls + kp,
      .in_channel = p->Kg > 1
                        ? (const int32_t *)(cls + (th->count * tw.count + 1) * kp)
                        : NULL,
      .act = sc_act_params_from_problem(p),
      .lo = p->activation == SIMDCONV_ACT_CLAMP ? p->act_min : -INFINITY,
      .hi = p->activation == SIMDCONV_ACT_CLAMP ? p->act_max : INFINITY,
      .residual = o->residual,
      .res_out = o->res_out,
      .alpha = c->alpha,
  };
  sc_pad_interior(params.W, params.OW, params.S, 1, params.dw,
                  params.pad_left, &params.ow_lo, &params.ow_hi);
  e->fn(&params, shifted, 1, o->row + f * p->K, k0, nk);
}

/* Task: image n, output row oh, channels [k0, k0 + nk), every column
 * phase. */
static void dcw_row(void *arg, size_t n, size_t oh, size_t k0, size_t noh,
                    size_t nk) {
  (void)noh;
  const dcw_ctx *c = arg;
  const sc_problem *p = c->p;
  const sc_shape *s = c->s;
  const dc_taps th = dc_axis_taps(&c->ah, oh);
  const float *x = c->x + n * s->H * s->W * p->C;
  const float *rows[SC_DW_MAX_R];
  for (size_t j = 0; j < th.count; j++) {
    const ptrdiff_t ih = th.base + (ptrdiff_t)(j * c->ah.ddil);
    rows[j] = ih >= 0 && ih < (ptrdiff_t)s->H ? x + (size_t)ih * s->W * p->C
                                              : NULL;
  }
  /* NCHW: the row in a stack buffer that stays in L1, unless it is too
   * wide (then in the NHWC image of the workspace, whose dirty rows go
   * back to L3: bilinear dw4x4 NCHW measured 1.06x with the stack buffer
   * at 1 thread, 1.10x at 2, 1.15x with a residual). */
  float buf[DC_NCHW_BUF];
  dcw_out o = {.residual = c->residual, .res_out = c->res_out};
  o.row = c->y != NULL ? c->y + (n * s->OH + oh) * s->OW * p->K : buf;
  if (c->r_nchw != NULL) /* NCHW: in place, transposed into the row */
    o.residual = o.res_out = o.row;
  const size_t ncols = p->stride_w < s->OW ? p->stride_w : s->OW;
  const size_t plane = s->OH * s->OW;
  const size_t at = k0 * plane + oh * s->OW; /* the row in the planes */
  /* NCHW: the row's residual into its NHWC row first (read before the
   * output row is written: it may be the output itself). */
  if (c->r_nchw != NULL)
    dc_planes_to_pixels(c->transpose, c->r_nchw + at, plane, nk, s->OW,
                        o.row + k0, p->K);
  if (c->transpose != NULL)
    dc_prefetch_planes(c->y_nchw + at, plane, nk, s->OW);
  for (size_t f = 0; f < ncols; f++)
    dcw_phase(c, &th, rows, &o, f, k0, nk);
  /* NCHW: the row out while it is in cache. */
  if (c->transpose != NULL)
    dc_pixels_to_planes(c->transpose, o.row + k0, p->K, nk, s->OW,
                        c->y_nchw + at, plane);
}

/* Images [0, nimg) from c->x into c->y: a task per output row, all the
 * channels, unless there are too few rows to share out. */
static void dcw_compute(const dcw_ctx *c, size_t nimg, pthreadpool_t pool,
                        uint32_t flags) {
  const size_t threads = pthreadpool_get_threads_count(pool);
  const size_t rows = nimg * c->s->OH, want = 8 * threads;
  size_t tile_k = c->p->K;
  if (threads > 1 && rows < want)
    tile_k = sc_round_up(sc_div_up(c->p->K, sc_div_up(want, rows)), 16);
  sc_parallelize_3d_tile_2d(pool, dcw_row, (void *)c, nimg,
                                     c->s->OH, c->p->K, 1, tile_k, flags);
}

/* An NCHW layer on the row micro-kernel. */
typedef struct dcw_nchw {
  const sc_problem *p;
  const sc_shape *s;
  dcw_rows_geom g;
  dc_axis ah, aw;
  const float *packed;
  const dc_packed *hdr;
  sc_dwt_row_fn row;
  const float *x;
  float *y;
  const float *residual; /* NCHW, as y; NULL: none */
  sc_dwt_row epilogue;   /* the fields every row shares */
} dcw_nchw;

/* The taps of output row th, every column phase, of channel k into r: rows[j]
 * is column 0 of row tap j's prepared row. */
static void dcw_nchw_taps(const dcw_nchw *c, const dc_taps *th,
                          const float *const *rows, size_t k, sc_dwt_row *r) {
  const size_t kp = dcw_kp(c->p);
  size_t i = 0;
  for (size_t f = 0; f < c->g.nph; f++) {
    const dc_taps *tw = &c->g.tw[f];
    r->tap0[f] = i;
    if (th->count == 0 || tw->count == 0)
      continue;
    const float *w = c->packed +
                     c->hdr->cls[th->cls * c->hdr->ncls_w + tw->cls] + kp + k;
    for (size_t jh = 0; jh < th->count; jh++)
      for (size_t jw = 0; jw < tw->count; jw++, i++) {
        r->src[i] = rows[jh] + tw->base + (ptrdiff_t)(jw * c->aw.ddil);
        r->w[i] = w[(jh * tw->count + jw) * kp];
      }
  }
  r->tap0[c->g.nph] = i;
}

/* Task: output rows [oh0, oh0 + noh) of plane n*K + k. */
static void dcw_nchw_band(void *arg, size_t plane, size_t oh0, size_t noh) {
  const dcw_nchw *c = arg;
  const sc_problem *p = c->p;
  const sc_shape *s = c->s;
  const dcw_rows_geom *g = &c->g;
  const size_t n = plane / p->K, k = plane % p->K;
  const float *x = c->x + (n * p->C + k / p->Kg) * s->H * s->W;
  float buf[DC_NCHW_BUF];
  float *zero = buf, *slots = buf + g->len;
  memset(buf, 0, (g->nslots + 1) * g->len * sizeof(float));
  ptrdiff_t held[DCW_MAX_SLOTS]; /* the input row in each slot */
  for (size_t i = 0; i < g->nslots; i++)
    held[i] = -1;
  sc_dwt_row r = c->epilogue;
  r.bias = c->packed[c->hdr->bias + k];
  r.scratch = slots + g->nslots * g->len;
  r.sums = r.scratch + g->scratch;
  /* The row taps of oh: those of oh - stride_h, one input row further
   * (dc_axis_taps() divides; a row's own work is a few hundred cycles). */
  dc_taps cycle[SC_DWT_MAX_PHASES];
  const size_t sh = p->stride_h;
  const bool cached = sh <= SC_DWT_MAX_PHASES;
  size_t at_cycle = 0; /* oh's place in the cycle of sh rows */
  for (size_t oh = oh0; oh < oh0 + noh; oh++) {
    dc_taps th;
    if (!cached || oh - oh0 < sh) {
      th = dc_axis_taps(&c->ah, oh);
      if (cached)
        cycle[at_cycle] = th;
    } else {
      cycle[at_cycle].base++;
      th = cycle[at_cycle];
    }
    if (cached && ++at_cycle == sh)
      at_cycle = 0;
    const float *rows[SC_DW_MAX_R];
    for (size_t j = 0; j < th.count; j++) {
      const ptrdiff_t ih = th.base + (ptrdiff_t)(j * c->ah.ddil);
      if (ih < 0 || ih >= (ptrdiff_t)s->H) {
        rows[j] = zero + g->pl;
        continue;
      }
      const size_t slot = (size_t)ih & (g->nslots - 1);
      float *row = slots + slot * g->len + g->pl;
      if (held[slot] != ih) {
        memcpy(row, x + (size_t)ih * s->W, s->W * sizeof(float));
        held[slot] = ih;
      }
      rows[j] = row;
    }
    dcw_nchw_taps(c, &th, rows, k, &r);
    const size_t at = (plane * s->OH + oh) * s->OW;
    r.residual = c->residual != NULL ? c->residual + at : NULL;
    c->row(&r, c->y + at);
  }
}

/* NCHW on the row micro-kernel: a task per plane, or per band of rows when
 * the planes are too few to share out. */
static void dcw_nchw_run(const sc_run_args *args, const dcw_rows_geom *g) {
  const sc_problem *p = args->problem;
  const sc_shape *s = args->shape;
  const sc_deconv_config *cfg = args->kernel->config;
  const bool clamp = p->activation == SIMDCONV_ACT_CLAMP;
  dcw_nchw c = {
      .p = p, .s = s, .g = *g, .ah = dc_axis_h(p), .aw = dc_axis_w(p),
      .packed = args->packed, .hdr = args->packed, .row = cfg->nchw_row,
      .x = args->input, .y = args->output, .residual = args->residual,
      .epilogue = {.OW = s->OW, .sw = p->stride_w, .nph = g->nph,
                   .alpha = args->alpha,
                   .lo = clamp ? p->act_min : -INFINITY,
                   .hi = clamp ? p->act_max : INFINITY,
                   .act = sc_act_params_from_problem(p),
                   .act_on = !clamp && p->activation != SIMDCONV_ACT_NONE,
                   .epilogue = p->activation != SIMDCONV_ACT_NONE ||
                               args->residual != NULL,
                   .jpad = g->jpad}};
  const size_t planes = s->N * p->K,
               threads = pthreadpool_get_threads_count(args->pool);
  size_t tile = s->OH;
  if (threads > 1 && planes < 8 * threads)
    tile = sc_div_up(s->OH, sc_div_up(8 * threads, planes));
  sc_parallelize_2d_tile_1d(args->pool, dcw_nchw_band, &c, planes, s->OH,
                            tile, args->pool_final);
}

void sc_deconv_dw_run(const sc_run_args *args) {
  const sc_igemm_config *tcfg = dcw_transpose(args->kernel);
  const sc_problem *p = args->problem;
  const sc_shape *s = args->shape;
  dcw_ctx c = {.cfg = dcw_dw(args->kernel),
               .p = p,
               .s = s,
               .packed = args->packed,
               .hdr = args->packed,
               .ah = dc_axis_h(p),
               .aw = dc_axis_w(p),
               .x = args->input,
               .y = args->output,
               .math = sc_scalar_math_get(),
               .residual = args->residual,
               .res_out = args->output,
               .alpha = args->alpha};
  if (p->layout == SIMDCONV_LAYOUT_NHWC) {
    dcw_compute(&c, s->N, args->pool, args->pool_final);
    return;
  }
  dcw_rows_geom g;
  if (dcw_rows_plan(args->kernel, p, s, &g)) {
    dcw_nchw_run(args, &g);
    return;
  }
  /* NCHW: one image at a time through NHWC copies: the input whole, the
   * output row by row (dcw_row()). The residual is transposed into the
   * NHWC output row first and added there in place, before the
   * activation. */
  const size_t in = s->H * s->W * p->C, out = s->OH * s->OW * p->K;
  float *xin = args->workspace;
  float *yout = dcw_row_on_stack(p, s)
                    ? NULL
                    : (float *)((char *)args->workspace +
                                sc_round_up(in * sizeof(float), SC_ALIGNMENT));
  c.x = xin;
  c.y = yout;
  c.transpose = tcfg->transpose;
  c.residual = c.res_out = NULL; /* NCHW: r_nchw */
  for (size_t n = 0; n < s->N; n++) {
    sc_igemm_transpose(tcfg, p->C, s->H * s->W, args->input + n * in, xin,
                       args->pool);
    c.y_nchw = args->output + n * out;
    c.r_nchw = args->residual != NULL ? args->residual + n * out : NULL;
    dcw_compute(&c, 1, args->pool,
                sc_pool_flags(args, n + 1 == s->N));
  }
}

/* ---- the registry's view ------------------------------------------------ */

void sc_deconv_dw_describe(const sc_conv_kernel *k, sc_kernel_desc *d) {
  const sc_deconv_config *c = k->config;
  *d = (sc_kernel_desc){
      .tile_m = 1,
      .tile_n = dcw_dw(k)->vw,
      .layouts = (1u << SIMDCONV_LAYOUT_NHWC) |
                 (dcw_transpose(k) != NULL ? 1u << SIMDCONV_LAYOUT_NCHW : 0),
      .constraints = c->constraints,
  };
}

const char *sc_deconv_dw_check(const sc_conv_kernel *k) {
  const char *why = sc_deconv_check_inner(k, SC_FAMILY_DWCONV);
  if (why != NULL)
    return why;
  const sc_deconv_config *c = k->config;
  sc_kernel_desc inner;
  c->inner->describe(c->inner, &inner);
  if (inner.layouts != 1u << SIMDCONV_LAYOUT_NHWC)
    return "deconv depthwise must wrap an NHWC depthwise kernel";
  if (c->transpose != NULL &&
      (c->transpose->family != SC_FAMILY_IGEMM || c->transpose->isa != k->isa ||
       ((const sc_igemm_config *)c->transpose->config)->transpose == NULL))
    return "deconv depthwise transposes with an igemm kernel of its ISA "
           "that has the ISA's transpose";
  return NULL;
}
