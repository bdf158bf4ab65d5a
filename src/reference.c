/*
 * simdconv_reference(): the fp64 oracle.
 *
 * Written straight from PyTorch's definition of F.conv2d and shares no code
 * with the core or the kernels: it does its own validation (the same rules
 * as simdconv_create() + simdconv_run(), written again from the
 * documentation), resolves the padding itself, reads each tap of the padded
 * input through the map torch.nn.functional.pad applies (without making the
 * padded copy, whose size would grow with the padding alone) and sums the
 * taps in double. It allocates nothing. Products of two floats are exact in
 * double; the sum's own error is far inside the slack of the fp32 bound
 * (docs/numerics.md, "The oracle").
 *
 * While summing, ref[] holds s (bias + sum of x*w) and bound[] holds the
 * scale (|b| + sum |x*w| over finite terms); a final pass turns each pair
 * into the activated reference and its bound.
 */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "fpenv.h"
#include "reference_transposed.h"
#include "simdconv.h"

/* Unit roundoff of fp32. */
#define REF_U 0x1p-24

/* Minima of the non-monotonic activations (roots of g'), computed in long
 * double by bisection on the analytic derivative. */
#define REF_SILU_XMIN (-1.2784645427610738)
#define REF_GELU_ERF_XMIN (-0.75179152469356446)
#define REF_GELU_TANH_XMIN (-0.75246142207101626)

/* Everything the oracle needs, resolved and checked. */
typedef struct ref_geom {
  size_t N, C, K, H, W, R, S, Cg, Kg;
  size_t sh, sw, dh, dw;
  size_t pt, pb, pl, pr;
  size_t OH, OW;
  size_t xs[4]; /* input strides of n, c, h and w in the layout */
  simdconv_padding_mode mode;
  simdconv_layout layout;
  simdconv_weight_layout wlayout;
  bool flip;
  simdconv_activation act;
  double lo, hi;
} ref_geom;

/* ---------------------------------------------------------------------- */
/* Validation                                                              */
/* ---------------------------------------------------------------------- */

/* The product of n factors times `scale`, plus `add`; false on overflow. */
static bool ref_bytes(size_t scale, const size_t *f, size_t n, size_t add,
                      size_t *out) {
  size_t v = scale;
  for (size_t i = 0; i < n; i++) {
    if (f[i] != 0 && v > SIZE_MAX / f[i])
      return false;
    v *= f[i];
  }
  if (add > SIZE_MAX - v)
    return false;
  *out = v + add;
  return true;
}

static bool ref_size_ok(size_t v) { return v != 0 && v <= SIMDCONV_MAX_DIM; }

static simdconv_status ref_check_sizes(const simdconv_desc *d) {
  const size_t v[9] = {d->in_channels, d->out_channels, d->kernel_h,
                       d->kernel_w,    d->stride_h,     d->stride_w,
                       d->dilation_h,  d->dilation_w,   d->groups};
  for (size_t i = 0; i < 9; i++)
    if (!ref_size_ok(v[i]))
      return SIMDCONV_ERR_INVALID_SIZE;
  if (d->padding == SIMDCONV_PADDING_EXPLICIT &&
      (d->pad_top > SIMDCONV_MAX_DIM || d->pad_bottom > SIMDCONV_MAX_DIM ||
       d->pad_left > SIMDCONV_MAX_DIM || d->pad_right > SIMDCONV_MAX_DIM))
    return SIMDCONV_ERR_INVALID_SIZE;
  return SIMDCONV_OK;
}

static simdconv_status ref_check_enums(const simdconv_desc *d) {
  if ((unsigned)d->layout > (unsigned)SIMDCONV_LAYOUT_NHWC ||
      (unsigned)d->weight_layout > (unsigned)SIMDCONV_WEIGHTS_OHWI ||
      (unsigned)d->padding > (unsigned)SIMDCONV_PADDING_SAME ||
      (unsigned)d->padding_mode > (unsigned)SIMDCONV_PAD_CIRCULAR ||
      (unsigned)d->activation >= (unsigned)SIMDCONV_ACT_COUNT)
    return SIMDCONV_ERR_INVALID_ENUM;
  return SIMDCONV_OK;
}

/* Everything that does not depend on the input size, in the order the
 * library's own validation reports the first problem. */
static simdconv_status ref_check_desc(const simdconv_desc *d) {
  simdconv_status st = ref_check_enums(d);
  if (st == SIMDCONV_OK)
    st = ref_check_sizes(d);
  if (st != SIMDCONV_OK)
    return st;
  if (d->activation == SIMDCONV_ACT_CLAMP &&
      (isnan(d->act_min) || isnan(d->act_max) || d->act_min > d->act_max))
    return SIMDCONV_ERR_INVALID_ACTIVATION;
  if (d->in_channels % d->groups != 0 || d->out_channels % d->groups != 0)
    return SIMDCONV_ERR_INVALID_GROUPS;
  if (d->output_padding_h != 0 || d->output_padding_w != 0)
    return SIMDCONV_ERR_OUTPUT_PADDING; /* transposed convolutions only */
  if (d->padding == SIMDCONV_PADDING_SAME &&
      (d->stride_h != 1 || d->stride_w != 1))
    return SIMDCONV_ERR_SAME_PADDING_STRIDE;
  return SIMDCONV_OK;
}

/* The padding before and after on one axis. */
static void ref_axis_pads(const simdconv_desc *d, size_t kernel,
                                     size_t dil, size_t explicit_a,
                                     size_t explicit_b, size_t *a, size_t *b) {
  if (d->padding == SIMDCONV_PADDING_EXPLICIT) {
    *a = explicit_a;
    *b = explicit_b;
  } else if (d->padding == SIMDCONV_PADDING_VALID) {
    *a = 0;
    *b = 0;
  } else {
    const size_t total = dil * (kernel - 1); /* both < 2^31: fits */
    *a = total / 2;
    *b = total - *a;
  }
}

/* PyTorch's F.pad: reflect needs pad < size, circular pad <= size. */
static bool ref_pads_fit(size_t size, size_t pa, size_t pb,
                         simdconv_padding_mode mode) {
  if (mode == SIMDCONV_PAD_REFLECT)
    return pa < size && pb < size;
  if (mode == SIMDCONV_PAD_CIRCULAR)
    return pa <= size && pb <= size;
  return true;
}

/* Output size of one axis. Every operand is at most 2^31 - 1, so the
 * padded size and the dilated extent fit in size_t. */
static simdconv_status ref_axis_size(size_t size, size_t pa, size_t pb,
                                     size_t kernel, size_t dil, size_t stride,
                                     size_t *out) {
  const size_t padded = size + pa + pb, extent = dil * (kernel - 1) + 1;
  if (extent > padded)
    return SIMDCONV_ERR_EMPTY_OUTPUT;
  *out = (padded - extent) / stride + 1;
  return SIMDCONV_OK;
}

static simdconv_status ref_shape(const simdconv_desc *d, ref_geom *g) {
  ref_axis_pads(d, d->kernel_h, d->dilation_h, d->pad_top, d->pad_bottom,
                &g->pt, &g->pb);
  ref_axis_pads(d, d->kernel_w, d->dilation_w, d->pad_left, d->pad_right,
                &g->pl, &g->pr);
  if (!ref_pads_fit(g->H, g->pt, g->pb, g->mode) ||
      !ref_pads_fit(g->W, g->pl, g->pr, g->mode))
    return SIMDCONV_ERR_PADDING_TOO_LARGE;
  simdconv_status st =
      ref_axis_size(g->H, g->pt, g->pb, g->R, g->dh, g->sh, &g->OH);
  if (st == SIMDCONV_OK)
    st = ref_axis_size(g->W, g->pl, g->pr, g->S, g->dw, g->sw, &g->OW);
  return st;
}

/* simdconv_create()'s size rule: the bound of the packed weights,
 * 4 (K + 64 groups) (C/groups R S + 2) bytes, fits in size_t. */
static bool ref_create_sizes_ok(const simdconv_desc *d) {
  const size_t cg = d->in_channels / d->groups;
  size_t channels, taps, bytes;
  const size_t g64[] = {d->groups}, kernel[] = {cg, d->kernel_h, d->kernel_w};
  if (!ref_bytes(64, g64, 1, d->out_channels, &channels) ||
      !ref_bytes(1, kernel, 3, 2, &taps))
    return false;
  const size_t packed[] = {channels, taps};
  return ref_bytes(4, packed, 2, 0, &bytes);
}

/* simdconv_run()'s size rules: the input and the output bytes, and the
 * workspace bound 16 N C H W + 24 (OH OW + 16) R S + 4 C/groups S + 1024,
 * fit in size_t. */
static bool ref_run_sizes_ok(const ref_geom *g) {
  const size_t in[] = {g->N, g->C, g->H, g->W};
  const size_t out[] = {g->N, g->K, g->OH, g->OW};
  const size_t pixels[] = {g->OH, g->OW}, zero_row[] = {g->Cg, g->S};
  size_t b, px, row, tabs;
  if (!ref_bytes(4, in, 4, 0, &b) || !ref_bytes(4, out, 4, 0, &b) ||
      !ref_bytes(1, pixels, 2, 16, &px) || !ref_bytes(4, zero_row, 2, 1024, &row))
    return false;
  const size_t tables[] = {px, g->R, g->S};
  return ref_bytes(24, tables, 3, row, &tabs) && ref_bytes(16, in, 4, tabs, &b);
}

static void ref_fill_geom(const simdconv_desc *d, size_t batch, size_t in_h,
                          size_t in_w, ref_geom *g) {
  g->N = batch;
  g->H = in_h;
  g->W = in_w;
  g->C = d->in_channels;
  g->K = d->out_channels;
  g->R = d->kernel_h;
  g->S = d->kernel_w;
  g->Cg = d->in_channels / d->groups;
  g->Kg = d->out_channels / d->groups;
  g->sh = d->stride_h;
  g->sw = d->stride_w;
  g->dh = d->dilation_h;
  g->dw = d->dilation_w;
  g->mode = d->padding_mode;
  g->layout = d->layout;
  const bool nchw = d->layout == SIMDCONV_LAYOUT_NCHW;
  g->xs[0] = g->C * g->H * g->W;
  g->xs[1] = nchw ? g->H * g->W : 1;
  g->xs[2] = nchw ? g->W : g->W * g->C;
  g->xs[3] = nchw ? 1 : g->C;
  g->wlayout = d->weight_layout;
  g->flip = d->flip_kernel != 0;
  g->act = d->activation;
  g->lo = (double)d->act_min;
  g->hi = (double)d->act_max;
}

/* The checks of simdconv_conv2d() (create, then run), in its order. */
static simdconv_status ref_setup(const simdconv_desc *d, size_t batch,
                                 size_t in_h, size_t in_w, ref_geom *g) {
  simdconv_status st = ref_check_desc(d);
  if (st != SIMDCONV_OK)
    return st;
  if (!ref_create_sizes_ok(d))
    return SIMDCONV_ERR_SIZE_OVERFLOW;
  if (!ref_size_ok(batch) || !ref_size_ok(in_h) || !ref_size_ok(in_w))
    return SIMDCONV_ERR_INVALID_SIZE;
  ref_fill_geom(d, batch, in_h, in_w, g);
  st = ref_shape(d, g);
  if (st != SIMDCONV_OK)
    return st;
  return ref_run_sizes_ok(g) ? SIMDCONV_OK : SIMDCONV_ERR_SIZE_OVERFLOW;
}

/* ---------------------------------------------------------------------- */
/* The sum                                                                 */
/* ---------------------------------------------------------------------- */

/* The source index of padded position p on an axis of `size` with `before`
 * padding, as torch.nn.functional.pad maps it; SIZE_MAX reads zero. */
static size_t ref_src(size_t p, size_t before, size_t size,
                      simdconv_padding_mode mode) {
  if (p >= before && p - before < size)
    return p - before;
  const bool low = p < before;
  switch (mode) {
  case SIMDCONV_PAD_REFLECT: /* -i -> i, size-1+i -> size-1-i */
    return low ? before - p : 2 * (size - 1) - (p - before);
  case SIMDCONV_PAD_REPLICATE:
    return low ? 0 : size - 1;
  case SIMDCONV_PAD_CIRCULAR:
    return low ? size - (before - p) : p - before - size;
  case SIMDCONV_PAD_ZEROS:
  default:
    return SIZE_MAX;
  }
}

/* Weight of output channel k, group-local input channel ci, at tap (r, s)
 * of the kernel as applied (flipped when flip_kernel). */
static double ref_weight(const ref_geom *g, const float *wt, size_t k,
                         size_t ci, size_t r, size_t s) {
  if (g->flip) {
    r = g->R - 1 - r;
    s = g->S - 1 - s;
  }
  if (g->wlayout == SIMDCONV_WEIGHTS_OIHW)
    return (double)wt[((k * g->Cg + ci) * g->R + r) * g->S + s];
  return (double)wt[((k * g->R + r) * g->S + s) * g->Cg + ci];
}

static size_t ref_out_index(const ref_geom *g, size_t n, size_t k, size_t oh,
                            size_t ow) {
  if (g->layout == SIMDCONV_LAYOUT_NCHW)
    return ((n * g->K + k) * g->OH + oh) * g->OW + ow;
  return ((n * g->OH + oh) * g->OW + ow) * g->K + k;
}

/* s = bias + 0.0 and scale = |bias| (0 when the bias is not finite). */
static void ref_init_image(const ref_geom *g, const float *bias, size_t n,
                           double *sum, double *scale) {
  for (size_t k = 0; k < g->K; k++) {
    const double b = bias ? (double)bias[k] : 0.0;
    for (size_t oh = 0; oh < g->OH; oh++)
      for (size_t ow = 0; ow < g->OW; ow++) {
        const size_t i = ref_out_index(g, n, k, oh, ow);
        sum[i] = b + 0.0;
        if (scale)
          scale[i] = isfinite(b) ? fabs(b) : 0.0;
      }
  }
}

/* The first output o < n whose tap position o * stride + off is at least
 * pos (n if none). */
static size_t ref_first_from(size_t pos, size_t off, size_t stride, size_t n) {
  if (off >= pos)
    return 0;
  const size_t o = (pos - off - 1) / stride + 1;
  return o < n ? o : n;
}

/* Adds p to output i (the sum) and |p| to its scale when finite. */
static void ref_accumulate(double p, size_t i, double *sum, double *scale) {
  sum[i] += p;
  if (scale && isfinite(p))
    scale[i] += fabs(p);
}

/* Adds src[j * src_step] * wv (0.0 * wv when src is NULL: zero padding) to
 * outputs i + j * step, j < n. Products of two floats are exact in double. */
static void ref_add_run(const float *src, size_t src_step, size_t n,
                        double wv, size_t i, size_t step, double *sum,
                        double *scale) {
  for (size_t j = 0; j < n; j++)
    ref_accumulate((src ? (double)src[j * src_step] : 0.0) * wv, i + j * step,
                   sum, scale);
}

/* The padded columns ow in [ow0, ow1) of an input row (NULL: a padding row),
 * mapped one by one. */
static void ref_add_edge(const ref_geom *g, const float *row, size_t ow0,
                         size_t ow1, size_t off, double wv, size_t i0,
                         size_t step, double *sum, double *scale) {
  for (size_t ow = ow0; ow < ow1; ow++) {
    const size_t w = ref_src(ow * g->sw + off, g->pl, g->W, g->mode);
    const float *src = row && w != SIZE_MAX ? row + w * g->xs[3] : NULL;
    ref_add_run(src, 0, 1, wv, i0 + ow * step, step, sum, scale);
  }
}

/* Adds tap (r, s) of input channel c, weight wv, to output channel k:
 * output (oh, ow) reads position (oh sh + r dh, ow sw + s dw) of the padded
 * plane, which is the input element torch.nn.functional.pad puts there, or
 * 0.0 for zero padding. Columns [lo, hi) read the input row itself. */
static void ref_add_tap(const ref_geom *g, const float *x, size_t n, size_t c,
                        size_t k, size_t r, size_t s, double wv, double *sum,
                        double *scale) {
  const size_t step = g->layout == SIMDCONV_LAYOUT_NCHW ? 1 : g->K;
  const size_t off = s * g->dw;
  const size_t lo = ref_first_from(g->pl, off, g->sw, g->OW);
  const size_t hi = ref_first_from(g->pl + g->W, off, g->sw, g->OW);
  for (size_t oh = 0; oh < g->OH; oh++) {
    const size_t h = ref_src(oh * g->sh + r * g->dh, g->pt, g->H, g->mode);
    const float *row =
        h == SIZE_MAX ? NULL : x + n * g->xs[0] + c * g->xs[1] + h * g->xs[2];
    const size_t i0 = ref_out_index(g, n, k, oh, 0);
    ref_add_edge(g, row, 0, lo, off, wv, i0, step, sum, scale);
    if (hi > lo)
      ref_add_run(row ? row + (lo * g->sw + off - g->pl) * g->xs[3] : NULL,
                  g->sw * g->xs[3], hi - lo, wv, i0 + lo * step, step, sum,
                  scale);
    ref_add_edge(g, row, hi, g->OW, off, wv, i0, step, sum, scale);
  }
}

/* Adds the contribution of input channel c of image n to all its outputs. */
static void ref_add_channel(const ref_geom *g, const float *x,
                            const float *wt, size_t n, size_t c, double *sum,
                            double *scale) {
  const size_t grp = c / g->Cg, ci = c % g->Cg;
  for (size_t k = grp * g->Kg; k < (grp + 1) * g->Kg; k++)
    for (size_t r = 0; r < g->R; r++)
      for (size_t s = 0; s < g->S; s++)
        ref_add_tap(g, x, n, c, k, r, s, ref_weight(g, wt, k, ci, r, s), sum,
                    scale);
}

static void ref_sum(const ref_geom *g, const float *x, const float *wt,
                    const float *bias, double *sum, double *scale) {
  for (size_t n = 0; n < g->N; n++) {
    ref_init_image(g, bias, n, sum, scale);
    for (size_t c = 0; c < g->C; c++)
      ref_add_channel(g, x, wt, n, c, sum, scale);
  }
}

/* ---------------------------------------------------------------------- */
/* Activations in double                                                   */
/* ---------------------------------------------------------------------- */

static double ref_sigmoid(double s) {
  if (s >= 0.0)
    return 1.0 / (1.0 + exp(-s));
  const double e = exp(s); /* NaN also lands here */
  return e / (1.0 + e);
}

static double ref_gelu_erf(double s) {
  return 0.5 * s * erfc(-s / sqrt(2.0));
}

static double ref_gelu_tanh(double s) {
  const double k = 2.0 * sqrt(2.0 / 3.14159265358979323846);
  return s * ref_sigmoid(k * (s + 0.044715 * s * s * s));
}

static double ref_act(simdconv_activation act, double lo, double hi,
                      double s) {
  switch (act) {
  case SIMDCONV_ACT_CLAMP: {
    const double t = lo > s ? lo : s; /* NaN in s propagates */
    return hi < t ? hi : t;
  }
  case SIMDCONV_ACT_SIGMOID:
    return ref_sigmoid(s);
  case SIMDCONV_ACT_TANH:
    return tanh(s);
  case SIMDCONV_ACT_SILU:
    return s * ref_sigmoid(s);
  case SIMDCONV_ACT_GELU_ERF:
    return ref_gelu_erf(s);
  case SIMDCONV_ACT_GELU_TANH:
    return ref_gelu_tanh(s);
  case SIMDCONV_ACT_NONE:
  default:
    return s;
  }
}

/* ---------------------------------------------------------------------- */
/* The bound                                                               */
/* ---------------------------------------------------------------------- */

/* One fp32 ULP at magnitude v: 2^(floor(log2 v) - 23), 2^-149 below 2^-126. */
static double ref_ulp32(double v) {
  if (!(v >= 0x1p-126))
    return 0x1p-149;
  if (isinf(v))
    return INFINITY;
  int e;
  (void)frexp(v, &e); /* v = m 2^e, m in [0.5, 1): floor(log2 v) = e - 1 */
  return ldexp(1.0, e - 24);
}

/* Argument perturbation rho (units of u), result error K (ULPs) and minimum
 * (NAN: monotonic) of each smooth activation; docs/numerics.md derives them. */
typedef struct ref_act_err {
  double rho, k, xmin;
  bool prefactor; /* s times an inner function that may be subnormal */
} ref_act_err;

static ref_act_err ref_act_err_of(simdconv_activation act) {
  switch (act) {
  case SIMDCONV_ACT_SIGMOID:
    return (ref_act_err){0.0, 6.0, NAN, false};
  case SIMDCONV_ACT_TANH:
    /* SLEEF's 1.0 ULP is exceeded: 1.00000006 ULP measured (numerics.md). */
    return (ref_act_err){0.0, 2.0, NAN, false};
  case SIMDCONV_ACT_SILU:
    return (ref_act_err){0.0, 7.0, REF_SILU_XMIN, true};
  case SIMDCONV_ACT_GELU_ERF:
    return (ref_act_err){3.0, 7.0, REF_GELU_ERF_XMIN, true};
  case SIMDCONV_ACT_GELU_TANH:
  default:
    return (ref_act_err){7.0, 13.0, REF_GELU_TANH_XMIN, true};
  }
}

/* Bound of a smooth activation applied to an fp32 sum within d0 of s. */
static double ref_act_bound(simdconv_activation act, double s, double d0) {
  const ref_act_err e = ref_act_err_of(act);
  const double delta = d0 + e.rho * REF_U * (fabs(s) + d0);
  const double a = s - delta, b = s + delta;
  const double ga = ref_act(act, 0.0, 0.0, a), gb = ref_act(act, 0.0, 0.0, b);
  double glo = fmin(ga, gb);
  const double ghi = fmax(ga, gb);
  if (!isnan(e.xmin) && a <= e.xmin && e.xmin <= b)
    glo = fmin(glo, ref_act(act, 0.0, 0.0, e.xmin));
  const double gs = ref_act(act, 0.0, 0.0, s);
  const double gmax = fmax(fabs(glo), fabs(ghi));
  double bound = fmax(ghi - gs, gs - glo) + e.k * ref_ulp32(gmax) + 0x1p-148;
  /* The oracle's own double rounding in g: far below one fp32 ULP. */
  bound += 0x1p-40 * gmax;
  /* s * inner(s) with inner subnormal (s < 0): the inner function's absolute
   * error, up to 4 * 2^-149, is scaled by |s|. For s < -128 the inner value
   * is below 2^-150 and SLEEF returns exactly 0. */
  if (e.prefactor && a < 0.0)
    bound += 0x1p-147 * fmin(fabs(a), 128.0);
  return bound;
}

/* The bound of an fp32 sum following the canonical order: within d0 of
 * the exact s, where scale = |b| + sum |x*w| over the finite terms;
 * INFINITY where fp32 overflow is possible, 0 where s is not finite (an
 * exact match). */
static double ref_sum_bound(const ref_geom *g, double s, double scale) {
  if (isnan(s))
    return 0.0;
  const double nd = (double)g->Cg * (double)g->R * (double)g->S;
  if (nd * REF_U >= 1.0) /* gamma_n undefined: no bound */
    return INFINITY;
  const double gamma = nd * REF_U / (1.0 - nd * REF_U);
  const double d0 = gamma * scale + nd * 0x1p-150;
  /* Partial sums of the finite terms stay below scale * (1 + gamma). */
  const bool overflow = scale * (1.0 + gamma) + d0 > (double)FLT_MAX;
  if (isinf(s)) /* exact match, unless a finite part could overflow */
    return overflow ? INFINITY : 0.0;
  return overflow ? INFINITY : d0;
}

/* The residual add fmaf(alpha, r, acc) with acc within d0 of s: one more
 * rounding, relative u or absolute 2^-150 below the normal range. Updates
 * s to s + alpha * r (exact in double: a product of two floats) and returns
 * its bound. */
static double ref_residual_bound(double *s, double d0, double ar) {
  const double s0 = *s;
  *s = s0 + ar;
  if (isinf(d0) || isnan(*s))
    return isnan(*s) ? 0.0 : d0;
  if (isinf(*s)) /* exact, unless the finite sum could reach overflow */
    return isinf(s0) || fabs(s0) + d0 <= (double)FLT_MAX ? 0.0 : INFINITY;
  const double d = d0 + REF_U * (fabs(*s) + d0) + 0x1p-150;
  return fabs(*s) + d > (double)FLT_MAX ? INFINITY : d;
}

/* The bound of act(v) where the fp32 value v (before the activation) is
 * within d0 of s. d0 == 0 with a finite s still takes the activation's own
 * rounding: a transposed output without taps is bias + 0.0f, exact. */
static double ref_bound(const ref_geom *g, double s, double d0) {
  if (isinf(d0) || !isfinite(s))
    return d0;
  if (g->act == SIMDCONV_ACT_NONE || g->act == SIMDCONV_ACT_CLAMP)
    return d0; /* clamp is exact and 1-Lipschitz */
  return ref_act_bound(g->act, s, d0);
}

/* One output: g(s + alpha * r) from its exact sum s; *bound (NULL: none)
 * goes from the sum's scale to the output's bound; r NULL: no residual. */
static double ref_finish_one(const ref_geom *g, double s, double *bound,
                             const float *r, float alpha) {
  double d0 = bound ? ref_sum_bound(g, s, *bound) : 0.0;
  if (r)
    d0 = ref_residual_bound(&s, d0, (double)alpha * (double)*r);
  if (bound)
    *bound = ref_bound(g, s, d0);
  return ref_act(g->act, g->lo, g->hi, s);
}

/* Turns (s, scale) into (g(s + alpha * r), bound) in place; residual may
 * be NULL (no residual). */
static void ref_finish(const ref_geom *g, const float *residual, float alpha,
                       double *ref, double *bound) {
  size_t total = g->N * g->K * g->OH * g->OW;
  for (size_t i = 0; i < total; i++)
    ref[i] = ref_finish_one(g, ref[i], bound ? &bound[i] : NULL,
                            residual ? &residual[i] : NULL, alpha);
}

/* Pointers must be aligned for their type (NULL is). */
static bool ref_aligned(const void *p, size_t alignment) {
  return (uintptr_t)p % alignment == 0;
}

/* Not inlined: the FP environment guard must surround opaque code. */
static __attribute__((noinline)) simdconv_status
ref_compute(const simdconv_desc *desc, size_t batch, size_t in_h, size_t in_w,
            const float *input, const float *weights, const float *bias,
            const float *residual, float alpha, double *ref, double *bound) {
  if (desc->transposed) /* its own definition: src/reference_transposed.c */
    return sc_reference_transposed(desc, batch, in_h, in_w, input, weights,
                                   bias, residual, alpha, ref, bound);
  ref_geom g;
  simdconv_status st = ref_setup(desc, batch, in_h, in_w, &g);
  if (st != SIMDCONV_OK)
    return st;
  ref_sum(&g, input, weights, bias, ref, bound);
  ref_finish(&g, residual, alpha, ref, bound);
  return SIMDCONV_OK;
}

SIMDCONV_API simdconv_status simdconv_reference_residual(
    const simdconv_desc *desc, size_t batch, size_t in_h, size_t in_w,
    const float *input, const float *weights, const float *bias,
    const float *residual, float alpha, double *ref, double *bound) {
  if (!desc || !input || !weights || !ref)
    return SIMDCONV_ERR_NULL_POINTER;
  if (!ref_aligned(input, _Alignof(float)) ||
      !ref_aligned(weights, _Alignof(float)) ||
      !ref_aligned(bias, _Alignof(float)) ||
      !ref_aligned(residual, _Alignof(float)) ||
      !ref_aligned(ref, _Alignof(double)) ||
      !ref_aligned(bound, _Alignof(double)))
    return SIMDCONV_ERR_MISALIGNED;
  /* A directed rounding mode changes double results as much as float ones
   * (and DAZ would drop subnormal inputs): the oracle computes in the
   * canonical environment too. */
  sc_fpenv env;
  sc_fpenv_enter(&env);
  const simdconv_status st = ref_compute(desc, batch, in_h, in_w, input,
                                         weights, bias, residual, alpha, ref,
                                         bound);
  sc_fpenv_leave(&env);
  return st;
}

SIMDCONV_API simdconv_status simdconv_reference(
    const simdconv_desc *desc, size_t batch, size_t in_h, size_t in_w,
    const float *input, const float *weights, const float *bias, double *ref,
    double *bound) {
  return simdconv_reference_residual(desc, batch, in_h, in_w, input, weights,
                                     bias, NULL, 1.0f, ref, bound);
}

/* ---------------------------------------------------------------------- */
/* Shared with the transposed oracle (reference_transposed.c)              */
/* ---------------------------------------------------------------------- */

double sc_ref_output(simdconv_activation act, double lo, double hi,
                     double taps, double s, double *bound, const float *r,
                     float alpha) {
  /* ref_sum_bound reads the tap count as Cg * R * S. */
  const ref_geom g = {.Cg = (size_t)taps, .R = 1, .S = 1, .act = act,
                      .lo = lo, .hi = hi};
  return ref_finish_one(&g, s, bound, r, alpha);
}

bool sc_ref_bytes(size_t scale, const size_t *f, size_t n, size_t add,
                  size_t *out) {
  return ref_bytes(scale, f, n, add, out);
}
