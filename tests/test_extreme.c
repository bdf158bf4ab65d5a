/* Extreme legal geometry: statuses that depend only on the descriptor and
 * the sizes, and memory bounded by the work.
 *
 * extreme::geometry draws configurations with pads, strides and dilations
 * up to SIMDCONV_MAX_DIM (2^31 - 1) on inputs of 1 to 5 pixels a side, every
 * padding mode, explicit / 'same' / 'valid' padding, plain, grouped and
 * depthwise layers, plus the corners of issue 15 (1x1 input with every pad
 * and stride 2^31 - 1; pads and strides of 50000; kernels of 2^31 - 1
 * taps a side, whose weights overflow size_t). For each, in NCHW and in
 * NHWC (the same tensors), on every ISA and through simdconv_reference():
 * - create, workspace_size, run and the reference return the status that
 *   PyTorch's rules give (tu_expected_shape(), written independently), the
 *   same on every ISA and layout;
 * - on OK every ISA gives the same bits in both layouts (pool NULL or the
 *   2-thread pool, alternately), within the oracle's bound;
 * - the packed weights and the workspace are within the bounds the header
 *   documents, and so is every allocation the library makes (a recording
 *   allocator), with nothing left allocated after destroy.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "test_util.h"

#define M SIMDCONV_MAX_DIM

__extension__ typedef unsigned __int128 xg_u128;

/* The bounds of include/simdconv.h, in 128 bits (they cannot overflow). */
static xg_u128 xg_packed_bound(const simdconv_desc *d) {
  const xg_u128 cg = d->in_channels / d->groups;
  return (xg_u128)4 * (d->out_channels + (xg_u128)64 * d->groups) *
         (cg * d->kernel_h * d->kernel_w + 2);
}

/* The int8 bounds (simdconv_create_q8()). */
static xg_u128 xg_q8_packed_bound(const simdconv_desc *d) {
  const xg_u128 cg = d->in_channels / d->groups;
  return (xg_u128)2 * (d->out_channels + (xg_u128)64 * d->groups) *
         ((xg_u128)d->kernel_h * d->kernel_w * (cg + 3) + 4);
}

static xg_u128 xg_q8_workspace_bound(const simdconv_desc *d, size_t N,
                                     size_t H, size_t W, size_t OH,
                                     size_t OW, const size_t pads[4]) {
  const xg_u128 cg = d->in_channels / d->groups;
  xg_u128 b = (xg_u128)16 * N * d->in_channels * H * W +
              (xg_u128)d->out_channels * OH * OW +
              (xg_u128)24 * ((xg_u128)OH * OW + 16) * d->kernel_h *
                  d->kernel_w +
              4 * (cg * d->kernel_w + d->out_channels) + 1024;
  const bool merged = d->groups == 1 && d->dilation_w == 1 &&
                      d->kernel_w > 1 && cg % 4 != 0 && cg <= 16 &&
                      pads[0] <= 8 && pads[1] <= 8 && pads[2] <= 8 &&
                      pads[3] <= 8;
  if (merged)
    b += (xg_u128)2 * d->in_channels * (H + 16) * (W + 16);
  return b;
}

static xg_u128 xg_workspace_bound(const simdconv_desc *d, size_t N, size_t H,
                                  size_t W, size_t OH, size_t OW) {
  const xg_u128 cg = d->in_channels / d->groups;
  return (xg_u128)16 * N * d->in_channels * H * W +
         (xg_u128)24 * ((xg_u128)OH * OW + 16) * d->kernel_h * d->kernel_w +
         4 * cg * d->kernel_w + 1024;
}

/* ---- a recording allocator ------------------------------------------ */

typedef struct xg_alloc_log {
  size_t largest, live;
} xg_alloc_log;

static void *xg_alloc(void *ctx, size_t size, size_t alignment) {
  xg_alloc_log *log = ctx;
  if (size > log->largest)
    log->largest = size;
  void *p = NULL;
  if (posix_memalign(&p, alignment, size ? size : 1) != 0)
    return NULL;
  log->live++;
  return p;
}

static void xg_free(void *ctx, void *p) {
  xg_alloc_log *log = ctx;
  log->live--;
  free(p);
}

/* ---- configurations ------------------------------------------------- */

static const size_t xg_pads[] = {0, 1, 2, 3, 7, 50000, (size_t)1 << 30,
                                 M - 1, M};
static const size_t xg_steps[] = {1, 2, 3, 50000, (size_t)1 << 30, M};
#define XG_PICK(r, a) ((a)[tu_rng_below((r), sizeof(a) / sizeof((a)[0]))])

/* Outputs per case at most (larger ones are redrawn): small runs. */
#define XG_MAX_OUTPUTS 512

typedef struct xg_case {
  simdconv_desc d; /* layout set per run */
  size_t N, H, W;
  simdconv_status want;
  size_t OH, OW;
} xg_case;

static void xg_draw_desc(tu_rng *r, simdconv_desc *d) {
  const bool depthwise = tu_rng_chance(r, 25);
  const size_t groups = depthwise ? tu_rng_range(r, 2, 4)
                                  : (tu_rng_chance(r, 20) ? 2 : 1);
  const size_t cg = depthwise ? 1 : tu_rng_range(r, 1, 3);
  simdconv_desc_init(d, groups * cg, groups * tu_rng_range(r, 1, 3),
                     tu_rng_range(r, 1, 3), tu_rng_range(r, 1, 3));
  d->groups = groups;
  d->stride_h = tu_rng_chance(r, 40) ? 1 : XG_PICK(r, xg_steps);
  d->stride_w = tu_rng_chance(r, 40) ? 1 : XG_PICK(r, xg_steps);
  d->dilation_h = tu_rng_chance(r, 50) ? 1 : XG_PICK(r, xg_steps);
  d->dilation_w = tu_rng_chance(r, 50) ? 1 : XG_PICK(r, xg_steps);
  const unsigned padding = (unsigned)tu_rng_below(r, 10);
  d->padding = padding == 0   ? SIMDCONV_PADDING_VALID
               : padding == 1 ? SIMDCONV_PADDING_SAME
                              : SIMDCONV_PADDING_EXPLICIT;
  if (d->padding == SIMDCONV_PADDING_SAME)
    d->stride_h = d->stride_w = 1;
  d->padding_mode = (simdconv_padding_mode)tu_rng_below(r, 4);
  /* Reflect and circular pads beyond the input are rejected: mostly small
   * ones there, so that most cases run. */
  const bool small = d->padding_mode != SIMDCONV_PAD_ZEROS &&
                     d->padding_mode != SIMDCONV_PAD_REPLICATE &&
                     tu_rng_chance(r, 80);
  size_t *pads[4] = {&d->pad_top, &d->pad_bottom, &d->pad_left,
                     &d->pad_right};
  for (size_t i = 0; i < 4; i++)
    *pads[i] = small ? tu_rng_below(r, 4) : XG_PICK(r, xg_pads);
  tu_set_act(d, (tu_act)tu_rng_below(r, TU_ACT_VARIANTS));
}

/* A random case whose output, if any, has at most XG_MAX_OUTPUTS elements. */
static void xg_draw(tu_rng *r, xg_case *c) {
  for (;;) {
    xg_draw_desc(r, &c->d);
    c->N = tu_rng_range(r, 1, 2);
    c->H = tu_rng_range(r, 1, 5);
    c->W = tu_rng_range(r, 1, 5);
    c->want = tu_expected_shape(&c->d, c->H, c->W, NULL, &c->OH, &c->OW);
    if (c->want != SIMDCONV_OK ||
        (c->OH <= XG_MAX_OUTPUTS && c->OW <= XG_MAX_OUTPUTS &&
         c->N * c->d.out_channels * c->OH * c->OW <= XG_MAX_OUTPUTS))
      return;
  }
}

/* The corners of issue 15; `huge` kernels overflow the weights' size. */
static size_t xg_corner(size_t i, xg_case *c) {
  static const struct {
    size_t C, K, R, S, pad, stride, H;
  } corners[] = {
      {1, 2, 3, 3, M, M, 1},   /* every pad and stride 2^31 - 1 */
      {40, 2, 3, 3, M, M, 1},  /* the same with C = 40 */
      {1, 2, 3, 3, 50000, 50000, 3},
      {3, 4, 3, 3, M - 1, M - 1, 1},
      {2, 2, M, M, M, M, 1},   /* weights overflow size_t */
  };
  const size_t n = sizeof corners / sizeof corners[0];
  if (i >= n)
    return n;
  simdconv_desc_init(&c->d, corners[i].C, corners[i].K, corners[i].R,
                     corners[i].S);
  c->d.pad_top = c->d.pad_bottom = c->d.pad_left = c->d.pad_right =
      corners[i].pad;
  c->d.stride_h = c->d.stride_w = corners[i].stride;
  c->N = 1;
  c->H = c->W = corners[i].H;
  c->want = tu_expected_shape(&c->d, c->H, c->W, NULL, &c->OH, &c->OW);
  if (corners[i].R == M)
    c->want = SIMDCONV_ERR_SIZE_OVERFLOW;
  return n;
}

/* ---- checks ----------------------------------------------------------- */

typedef struct xg_tensors {
  float *x[2]; /* NCHW, NHWC: the same tensor */
  float *w, *b;
  size_t nx, ny;
} xg_tensors;

static void xg_tensors_init(xg_tensors *t, const xg_case *c, tu_rng *r) {
  const simdconv_desc *d = &c->d;
  const size_t nw = d->out_channels * (d->in_channels / d->groups) *
                    d->kernel_h * d->kernel_w;
  t->nx = c->N * d->in_channels * c->H * c->W;
  t->ny = c->want == SIMDCONV_OK ? c->N * d->out_channels * c->OH * c->OW : 0;
  t->x[0] = tu_alloc(t->nx * sizeof(float));
  t->x[1] = tu_alloc(t->nx * sizeof(float));
  /* Weights of a huge kernel are never read: creation fails first. */
  t->w = tu_alloc((c->want == SIMDCONV_ERR_SIZE_OVERFLOW ? 1 : nw) *
                  sizeof(float));
  t->b = tu_alloc(d->out_channels * sizeof(float));
  tu_fill(r, t->x[0], t->nx, TU_DATA_UNIFORM);
  tu_fill(r, t->w, c->want == SIMDCONV_ERR_SIZE_OVERFLOW ? 1 : nw,
          TU_DATA_UNIFORM);
  tu_fill(r, t->b, d->out_channels, TU_DATA_UNIFORM);
  for (size_t i = 0; i < t->nx; i++) {
    size_t pos[4];
    tu_tpos(SIMDCONV_LAYOUT_NCHW, d->in_channels, c->H, c->W, i, pos);
    t->x[1][tu_tidx(SIMDCONV_LAYOUT_NHWC, d->in_channels, c->H, c->W, pos[0],
                    pos[1], pos[2], pos[3])] = t->x[0][i];
  }
}

static void xg_tensors_free(xg_tensors *t) {
  free(t->x[0]);
  free(t->x[1]);
  free(t->w);
  free(t->b);
}

static void xg_str(const xg_case *c, simdconv_isa isa, char *buf,
                   size_t size) {
  const simdconv_desc *d = &c->d;
  snprintf(buf, size,
           "N=%zu C=%zu K=%zu H=%zu W=%zu kernel=%zux%zu stride=%zux%zu "
           "dilation=%zux%zu groups=%zu padding=%s pads=%zu,%zu,%zu,%zu "
           "mode=%s layout=%s act=%s on %s",
           c->N, d->in_channels, d->out_channels, c->H, c->W, d->kernel_h,
           d->kernel_w, d->stride_h, d->stride_w, d->dilation_h,
           d->dilation_w, d->groups, tu_padding_str(d->padding), d->pad_top,
           d->pad_bottom, d->pad_left, d->pad_right,
           tu_mode_str(d->padding_mode), tu_layout_str(d->layout),
           tu_activation_str(d->activation), tu_isa_str(isa));
}

#define XG_EXPECT(got, want, what, buf)                                      \
  cr_assert((got) == (want), "%s: got %d (%s), expected %d (%s): %s", what,  \
            (int)(got), simdconv_status_string(got), (int)(want),            \
            simdconv_status_string(want), buf)

/* Create, workspace_size and run on one ISA and layout: statuses, bounds,
 * and the output (into y) when OK. Returns the number of runs. */
static size_t xg_run_isa(const xg_case *c, const xg_tensors *t,
                         simdconv_isa isa, bool pooled, float *y) {
  const simdconv_desc *d = &c->d;
  char what[512];
  xg_str(c, isa, what, sizeof what);
  xg_alloc_log log = {0, 0};
  const simdconv_allocator a = {xg_alloc, xg_free, &log};
  const simdconv_options o = {.isa = isa, .allocator = &a};
  simdconv_conv *conv = NULL;
  simdconv_status st = simdconv_create(d, t->w, t->b, &o, &conv);
  const bool huge = c->want == SIMDCONV_ERR_SIZE_OVERFLOW;
  XG_EXPECT(st, huge ? SIMDCONV_ERR_SIZE_OVERFLOW : SIMDCONV_OK, "create",
            what);
  if (huge)
    return 0;
  simdconv_conv_info info;
  cr_assert(simdconv_get_info(conv, &info) == SIMDCONV_OK);
  cr_assert((xg_u128)info.packed_bytes <= xg_packed_bound(d),
            "%s packs %zu bytes, above the documented bound: %s", info.kernel,
            info.packed_bytes, what);
  size_t ws = 0;
  st = simdconv_workspace_size(conv, c->N, c->H, c->W, &ws);
  XG_EXPECT(st, c->want, "workspace_size", what);
  if (st == SIMDCONV_OK)
    cr_assert((xg_u128)ws <= xg_workspace_bound(d, c->N, c->H, c->W, c->OH,
                                                c->OW),
              "%s needs a %zu-byte workspace, above the documented bound: %s",
              info.kernel, ws, what);
  st = simdconv_run(conv, c->N, c->H, c->W, t->x[d->layout], y, NULL, 0,
                    pooled ? tu_pool() : NULL);
  XG_EXPECT(st, c->want, "run", what);
  cr_assert((xg_u128)log.largest <= xg_packed_bound(d) ||
                (xg_u128)log.largest <= xg_workspace_bound(d, c->N, c->H, c->W,
                                                           c->OH, c->OW),
            "%s allocated %zu bytes, above both bounds: %s", info.kernel,
            log.largest, what);
  simdconv_destroy(conv);
  cr_assert(log.live == 0, "%zu allocations left after destroy: %s",
            log.live, what);
  return 1;
}

/* The reference in layout l: its status, and every ISA's output (y_isa, in
 * layout l) within its bound. */
static void xg_reference(const xg_case *c, const xg_tensors *t,
                         const float *y, const char *what) {
  double *ref = tu_alloc((t->ny ? t->ny : 1) * sizeof(double));
  double *bound = tu_alloc((t->ny ? t->ny : 1) * sizeof(double));
  const simdconv_status st = simdconv_reference(
      &c->d, c->N, c->H, c->W, t->x[c->d.layout], t->w, t->b, ref, bound);
  XG_EXPECT(st, c->want, "reference", what);
  if (st == SIMDCONV_OK) {
    simdconv_compare_stats cs;
    cr_assert(simdconv_compare(y, ref, bound, t->ny, &cs) == SIMDCONV_OK);
    cr_assert(cs.violations == 0,
              "%zu outputs outside the oracle's bound, first %zu: %s",
              cs.violations, cs.first_violation, what);
  }
  free(ref);
  free(bound);
}

/* Output element i of layout l at its index in the other layout. */
static size_t xg_other(const xg_case *c, simdconv_layout l, size_t i) {
  size_t pos[4];
  tu_tpos(l, c->d.out_channels, c->OH, c->OW, i, pos);
  return tu_tidx((simdconv_layout)!l, c->d.out_channels, c->OH, c->OW,
                 pos[0], pos[1], pos[2], pos[3]);
}

/* Every ISA and layout on one case; returns the number of runs. */
static size_t xg_check(const xg_case *c0, tu_rng *r, size_t index) {
  xg_tensors t;
  xg_tensors_init(&t, c0, r);
  simdconv_isa isas[SIMDCONV_ISA_COUNT];
  const size_t nisa = tu_isas(isas);
  float *first = tu_alloc((t.ny ? t.ny : 1) * 2 * sizeof(float));
  float *y = tu_alloc((t.ny ? t.ny : 1) * sizeof(float));
  size_t runs = 0;
  for (int l = 0; l < 2; l++) {
    xg_case c = *c0;
    c.d.layout = (simdconv_layout)l;
    for (size_t i = 0; i < nisa; i++) {
      runs += xg_run_isa(&c, &t, isas[i], (index + i) % 2 == 1, y);
      if (c.want != SIMDCONV_OK)
        continue;
      char what[512];
      xg_str(&c, isas[i], what, sizeof what);
      for (size_t j = 0; j < t.ny; j++) {
        /* first[] holds scalar NCHW; compare both layouts with it. */
        const size_t at = l == 0 ? j : xg_other(&c, SIMDCONV_LAYOUT_NHWC, j);
        if (l == 0 && i == 0)
          first[j] = y[j];
        cr_assert(tu_same(first[at], y[j]),
                  "output %zu is %a, scalar NCHW gives %a: %s", j,
                  (double)y[j], (double)first[at], what);
      }
      if (i == 0)
        xg_reference(&c, &t, y, what);
    }
    if (c.want != SIMDCONV_OK) {
      char what[512];
      xg_str(&c, SIMDCONV_ISA_AUTO, what, sizeof what);
      xg_reference(&c, &t, y, what);
    }
  }
  free(first);
  free(y);
  xg_tensors_free(&t);
  return runs;
}

#define XG_RANDOM_CASES 2500

Test(extreme, geometry, .timeout = 600) {
  tu_rng r;
  tu_rng_seed(&r, tu_base_seed(0x15e0));
  size_t runs = 0, cases = 0, by_status[SIMDCONV_ERR_SIZE_OVERFLOW + 1] = {0};
  xg_case c;
  const size_t corners = xg_corner(SIZE_MAX, &c);
  for (size_t i = 0; i < corners + XG_RANDOM_CASES; i++, cases++) {
    if (i < corners)
      xg_corner(i, &c);
    else
      xg_draw(&r, &c);
    by_status[c.want]++;
    runs += xg_check(&c, &r, i);
  }
  fprintf(stderr,
          "[simdconv-tests] extreme::geometry: %zu cases (%zu OK, %zu "
          "PADDING_TOO_LARGE, %zu EMPTY_OUTPUT, %zu SIZE_OVERFLOW) x 2 "
          "layouts x every ISA: %zu runs, same status and bits everywhere, "
          "the reference agreeing; packed weights, workspace and every "
          "allocation within the documented bounds\n",
          cases, by_status[SIMDCONV_OK],
          by_status[SIMDCONV_ERR_PADDING_TOO_LARGE],
          by_status[SIMDCONV_ERR_EMPTY_OUTPUT],
          by_status[SIMDCONV_ERR_SIZE_OVERFLOW], runs);
}

/* ---- int8 ------------------------------------------------------------ */

/* The same case as an int8 convolution: create_q8, workspace_size and
 * run_q8 on one ISA and layout, statuses and bounds as above, the output
 * bytes into y. The fp32 activations other than clamp become none. */
static size_t xg_q8_run_isa(const xg_case *c, const simdconv_qparams *q,
                            const uint8_t *x, const int8_t *w,
                            const int32_t *b, simdconv_isa isa, bool pooled,
                            uint8_t *y) {
  const simdconv_desc *d = &c->d;
  char what[512];
  xg_str(c, isa, what, sizeof what);
  xg_alloc_log log = {0, 0};
  const simdconv_allocator a = {xg_alloc, xg_free, &log};
  const simdconv_options o = {.isa = isa, .allocator = &a};
  simdconv_conv *conv = NULL;
  simdconv_status st = simdconv_create_q8(d, q, w, b, &o, &conv);
  const bool huge = c->want == SIMDCONV_ERR_SIZE_OVERFLOW &&
                    d->kernel_h == M; /* the reduction length */
  XG_EXPECT(st, huge ? SIMDCONV_ERR_ACCUMULATOR_OVERFLOW : SIMDCONV_OK,
            "create_q8", what);
  if (huge)
    return 0;
  simdconv_conv_info info;
  cr_assert(simdconv_get_info(conv, &info) == SIMDCONV_OK);
  cr_assert((xg_u128)info.packed_bytes <= xg_q8_packed_bound(d),
            "%s packs %zu bytes, above the documented int8 bound: %s",
            info.kernel, info.packed_bytes, what);
  size_t pads[4] = {0, 0, 0, 0}, ws = 0;
  cr_assert(simdconv_resolved_padding(d, pads) == SIMDCONV_OK);
  const xg_u128 wb =
      xg_q8_workspace_bound(d, c->N, c->H, c->W, c->OH, c->OW, pads);
  st = simdconv_workspace_size(conv, c->N, c->H, c->W, &ws);
  XG_EXPECT(st, c->want, "workspace_size (int8)", what);
  if (st == SIMDCONV_OK)
    cr_assert((xg_u128)ws <= wb,
              "%s needs a %zu-byte workspace, above the documented int8 "
              "bound: %s", info.kernel, ws, what);
  st = simdconv_run_q8(conv, c->N, c->H, c->W, x, y, NULL, 0,
                       pooled ? tu_pool() : NULL);
  XG_EXPECT(st, c->want, "run_q8", what);
  cr_assert((xg_u128)log.largest <= xg_q8_packed_bound(d) ||
                (c->want == SIMDCONV_OK && (xg_u128)log.largest <= wb),
            "%s allocated %zu bytes, above both int8 bounds: %s",
            info.kernel, log.largest, what);
  simdconv_destroy(conv);
  cr_assert(log.live == 0, "%zu allocations left after destroy: %s",
            log.live, what);
  return 1;
}

/* Every ISA and layout on one case as int8: the same status everywhere,
 * every output byte equal to simdconv_reference_q8()'s. */
static size_t xg_q8_check(const xg_case *c0, tu_rng *r, size_t index) {
  xg_case c = *c0;
  if (c.d.activation != SIMDCONV_ACT_CLAMP)
    c.d.activation = SIMDCONV_ACT_NONE;
  const simdconv_desc *d = &c.d;
  const bool huge = d->kernel_h == M;
  const size_t nx = c.N * d->in_channels * c.H * c.W;
  const size_t nw = huge ? 1 : d->out_channels *
                                   (d->in_channels / d->groups) *
                                   d->kernel_h * d->kernel_w;
  const size_t ny = c.want == SIMDCONV_OK
                        ? c.N * d->out_channels * c.OH * c.OW : 0;
  uint8_t *x = tu_alloc(nx);
  int8_t *w = tu_alloc(nw);
  int32_t *b = tu_alloc(d->out_channels * sizeof(int32_t));
  uint8_t *y = tu_alloc(ny ? ny : 1), *ref = tu_alloc(ny ? ny : 1);
  for (size_t i = 0; i < nx; i++)
    x[i] = (uint8_t)tu_rng_below(r, 256);
  for (size_t i = 0; i < nw; i++)
    w[i] = (int8_t)((int)tu_rng_below(r, 15) - 7);
  for (size_t k = 0; k < d->out_channels; k++)
    b[k] = (int32_t)tu_rng_below(r, 2001) - 1000;
  const float ws = 0.02f;
  simdconv_qparams q;
  simdconv_qparams_init(&q, SIMDCONV_QTYPE_U8, 0.5f, 120, &ws, 1,
                        SIMDCONV_QTYPE_U8, 0.25f, 130);
  simdconv_isa isas[SIMDCONV_ISA_COUNT];
  const size_t nisa = tu_isas(isas);
  size_t runs = 0;
  for (int l = 0; l < 2; l++) {
    c.d.layout = (simdconv_layout)l; /* the same bytes, another layout */
    char what[512];
    xg_str(&c, SIMDCONV_ISA_AUTO, what, sizeof what);
    const simdconv_status rs = simdconv_reference_q8(
        d, &q, c.N, c.H, c.W, x, w, b, ref, NULL);
    XG_EXPECT(rs, huge ? SIMDCONV_ERR_ACCUMULATOR_OVERFLOW : c.want,
              "reference_q8", what);
    for (size_t i = 0; i < nisa; i++) {
      runs += xg_q8_run_isa(&c, &q, x, w, b, isas[i], (index + i) % 2 == 1,
                            y);
      if (c.want == SIMDCONV_OK)
        cr_assert(memcmp(y, ref, ny) == 0,
                  "int8 bytes differ from the oracle's on %s: %s",
                  tu_isa_str(isas[i]), what);
    }
  }
  free(x);
  free(w);
  free(b);
  free(y);
  free(ref);
  return runs;
}

/* extreme::geometry's cases (the same draws) as int8 convolutions. */
Test(extreme, geometry_q8, .timeout = 600) {
  tu_rng r;
  tu_rng_seed(&r, tu_base_seed(0x15e0));
  size_t runs = 0, cases = 0;
  xg_case c;
  const size_t corners = xg_corner(SIZE_MAX, &c);
  for (size_t i = 0; i < corners + XG_RANDOM_CASES; i++, cases++) {
    if (i < corners)
      xg_corner(i, &c);
    else
      xg_draw(&r, &c);
    runs += xg_q8_check(&c, &r, i);
  }
  fprintf(stderr,
          "[simdconv-tests] extreme::geometry_q8: %zu cases x 2 layouts x "
          "every ISA as int8: %zu runs, same status everywhere, every byte "
          "the oracle's; packed weights, workspace and every allocation "
          "within the documented int8 bounds\n",
          cases, runs);
}

