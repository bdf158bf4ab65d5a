/*
 * simdconv_reference() for transposed convolutions: the fp64 oracle of
 * torch.nn.functional.conv_transpose2d.
 *
 * Written from the definition (include/simdconv.h, docs/numerics.md) and
 * sharing nothing with the kernels or the driver's phase decomposition: it
 * validates the descriptor itself, resolves the padding itself, and for
 * every output sums x * w in double over the kernel positions (r, s) whose
 * input position (oh + pad_top - r*dil_h) / stride_h, (ow + pad_left -
 * s*dil_w) / stride_w is integral; a position outside the input reads 0.0
 * (so an infinite weight there gives NaN, as 0 * Inf does in the kernels).
 * The count of such positions times C/groups is the n of the output's bound,
 * which the forward oracle computes (src/reference.c).
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "reference_transposed.h"

typedef struct tr_geom {
  size_t N, C, K, H, W, R, S, Cg, Kg;
  size_t sh, sw, dh, dw, pt, pb, pl, pr, oph, opw;
  size_t OH, OW;
  simdconv_layout layout;
  simdconv_weight_layout wlayout;
  bool flip;
  simdconv_activation act;
  double lo, hi;
} tr_geom;

/* ---------------------------------------------------------------------- */
/* Validation, in the order the library reports the first problem          */
/* ---------------------------------------------------------------------- */

static bool tr_size_ok(size_t v) { return v != 0 && v <= SIMDCONV_MAX_DIM; }

static simdconv_status tr_check_fields(const simdconv_desc *d) {
  if ((unsigned)d->layout > (unsigned)SIMDCONV_LAYOUT_NHWC ||
      (unsigned)d->weight_layout > (unsigned)SIMDCONV_WEIGHTS_IOHW ||
      (unsigned)d->padding > (unsigned)SIMDCONV_PADDING_SAME ||
      (unsigned)d->padding_mode > (unsigned)SIMDCONV_PAD_CIRCULAR ||
      (unsigned)d->activation >= (unsigned)SIMDCONV_ACT_COUNT)
    return SIMDCONV_ERR_INVALID_ENUM;
  const size_t v[9] = {d->in_channels, d->out_channels, d->kernel_h,
                       d->kernel_w,    d->stride_h,     d->stride_w,
                       d->dilation_h,  d->dilation_w,   d->groups};
  for (size_t i = 0; i < 9; i++)
    if (!tr_size_ok(v[i]))
      return SIMDCONV_ERR_INVALID_SIZE;
  if (d->padding == SIMDCONV_PADDING_EXPLICIT &&
      (d->pad_top > SIMDCONV_MAX_DIM || d->pad_bottom > SIMDCONV_MAX_DIM ||
       d->pad_left > SIMDCONV_MAX_DIM || d->pad_right > SIMDCONV_MAX_DIM))
    return SIMDCONV_ERR_INVALID_SIZE;
  if (d->activation == SIMDCONV_ACT_CLAMP &&
      (isnan(d->act_min) || isnan(d->act_max) || d->act_min > d->act_max))
    return SIMDCONV_ERR_INVALID_ACTIVATION;
  if (d->in_channels % d->groups != 0 || d->out_channels % d->groups != 0)
    return SIMDCONV_ERR_INVALID_GROUPS;
  /* PyTorch: output padding smaller than either stride or dilation. */
  if (d->output_padding_h >= (d->stride_h > d->dilation_h ? d->stride_h
                                                           : d->dilation_h) ||
      d->output_padding_w >= (d->stride_w > d->dilation_w ? d->stride_w
                                                           : d->dilation_w))
    return SIMDCONV_ERR_OUTPUT_PADDING;
  if (d->padding_mode != SIMDCONV_PAD_ZEROS)
    return SIMDCONV_ERR_PADDING_MODE;
  return SIMDCONV_OK;
}

/* The span of one axis before cropping: (k-1)*d + 1 + output padding;
 * below 2^63 for sizes up to 2^31-1. */
static size_t tr_span(size_t k, size_t dil, size_t op) {
  return (k - 1) * dil + 1 + op;
}

/* Pads of one axis. 'same' is ONNX's SAME_UPPER: total = span - stride (the
 * output is input * stride), total/2 before, the rest after. */
static simdconv_status tr_axis_pads(const simdconv_desc *d, size_t k,
                                    size_t dil, size_t stride, size_t op,
                                    size_t ea, size_t eb, size_t *a,
                                    size_t *b) {
  *a = *b = 0;
  if (d->padding == SIMDCONV_PADDING_EXPLICIT) {
    *a = ea;
    *b = eb;
  } else if (d->padding == SIMDCONV_PADDING_SAME) {
    const size_t span = tr_span(k, dil, op);
    if (span < stride)
      return SIMDCONV_ERR_OUTPUT_SHAPE;
    *a = (span - stride) / 2;
    *b = span - stride - *a;
  }
  return SIMDCONV_OK;
}

/* OH = (H-1)*stride + span - pads; 0 when that is below 1. */
static size_t tr_out(size_t in, size_t stride, size_t span, size_t pa,
                     size_t pb) {
  const size_t full = (in - 1) * stride + span;
  return full > pa + pb ? full - pa - pb : 0;
}

/* simdconv_create()'s size rule for a transposed descriptor: the bound of
 * the packed weights, 4 (K + 64 groups) (C/groups R S + 2 R S + 2) bytes,
 * fits in size_t. */
static bool tr_create_sizes_ok(const simdconv_desc *d) {
  const size_t cg = d->in_channels / d->groups;
  const size_t g64[] = {d->groups}, kernel[] = {d->kernel_h, d->kernel_w};
  size_t channels, rs, taps, bytes;
  if (!sc_ref_bytes(64, g64, 1, d->out_channels, &channels) ||
      !sc_ref_bytes(1, kernel, 2, 0, &rs) ||
      !sc_ref_bytes(cg + 2, &rs, 1, 2, &taps))
    return false;
  const size_t packed[] = {channels, taps};
  return sc_ref_bytes(4, packed, 2, 0, &bytes);
}

/* simdconv_run()'s size rules: the input and output bytes, and the
 * transposed workspace bound 16 N C H W + 4 K OH OW + 64 (OH OW R S + OH +
 * OW) + 4 C/groups + 1024, fit in size_t. */
static bool tr_run_sizes_ok(const tr_geom *g) {
  const size_t in[] = {g->N, g->C, g->H, g->W};
  const size_t out[] = {g->N, g->K, g->OH, g->OW};
  const size_t image[] = {g->K, g->OH, g->OW};
  const size_t taps[] = {g->OH, g->OW, g->R, g->S};
  const size_t lines[] = {g->OH, g->OW};
  size_t b, ws, part;
  if (!sc_ref_bytes(4, in, 4, 0, &b) || !sc_ref_bytes(4, out, 4, 0, &b) ||
      !sc_ref_bytes(4, &g->Cg, 1, 1024, &ws) ||
      !sc_ref_bytes(64, lines, 1, ws, &ws) ||
      !sc_ref_bytes(64, lines + 1, 1, ws, &ws))
    return false;
  return sc_ref_bytes(64, taps, 4, ws, &ws) &&
         sc_ref_bytes(4, image, 3, ws, &part) &&
         sc_ref_bytes(16, in, 4, part, &ws);
}

static simdconv_status tr_setup(const simdconv_desc *d, size_t batch,
                                size_t in_h, size_t in_w, tr_geom *g) {
  simdconv_status st = tr_check_fields(d);
  if (st != SIMDCONV_OK)
    return st;
  *g = (tr_geom){
      .N = batch, .C = d->in_channels, .K = d->out_channels, .H = in_h,
      .W = in_w, .R = d->kernel_h, .S = d->kernel_w,
      .Cg = d->in_channels / d->groups, .Kg = d->out_channels / d->groups,
      .sh = d->stride_h, .sw = d->stride_w, .dh = d->dilation_h,
      .dw = d->dilation_w, .oph = d->output_padding_h,
      .opw = d->output_padding_w, .layout = d->layout,
      .wlayout = d->weight_layout, .flip = d->flip_kernel != 0,
      .act = d->activation, .lo = (double)d->act_min,
      .hi = (double)d->act_max};
  st = tr_axis_pads(d, g->R, g->dh, g->sh, g->oph, d->pad_top, d->pad_bottom,
                    &g->pt, &g->pb);
  if (st == SIMDCONV_OK)
    st = tr_axis_pads(d, g->S, g->dw, g->sw, g->opw, d->pad_left,
                      d->pad_right, &g->pl, &g->pr);
  if (st != SIMDCONV_OK)
    return st;
  if (!tr_create_sizes_ok(d))
    return SIMDCONV_ERR_SIZE_OVERFLOW;
  if (!tr_size_ok(batch) || !tr_size_ok(in_h) || !tr_size_ok(in_w))
    return SIMDCONV_ERR_INVALID_SIZE;
  g->OH = tr_out(in_h, g->sh, tr_span(g->R, g->dh, g->oph), g->pt, g->pb);
  g->OW = tr_out(in_w, g->sw, tr_span(g->S, g->dw, g->opw), g->pl, g->pr);
  if (g->OH == 0 || g->OW == 0)
    return SIMDCONV_ERR_EMPTY_OUTPUT;
  return tr_run_sizes_ok(g) ? SIMDCONV_OK : SIMDCONV_ERR_SIZE_OVERFLOW;
}

/* ---------------------------------------------------------------------- */
/* The sum                                                                 */
/* ---------------------------------------------------------------------- */

/* The input index that output index o reaches through kernel index t, when
 * that position is integral; else false. */
static bool tr_source(size_t o, size_t pad, size_t t, size_t dil,
                      size_t stride, long long *in) {
  const long long v = (long long)o + (long long)pad - (long long)(t * dil);
  const long long st = (long long)stride;
  if (((v % st) + st) % st != 0)
    return false;
  *in = v / st;
  return true;
}

/* Weight from group-local input channel ci to output channel k at kernel
 * position (r, s) as applied (flipped when flip_kernel). */
static double tr_weight(const tr_geom *g, const float *wt, size_t k,
                        size_t ci, size_t r, size_t s) {
  if (g->flip) {
    r = g->R - 1 - r;
    s = g->S - 1 - s;
  }
  switch (g->wlayout) {
  case SIMDCONV_WEIGHTS_IOHW:
    return (double)wt[(((k / g->Kg) * g->Cg + ci) * g->Kg + k % g->Kg) *
                          g->R * g->S +
                      r * g->S + s];
  case SIMDCONV_WEIGHTS_OHWI:
    return (double)wt[((k * g->R + r) * g->S + s) * g->Cg + ci];
  case SIMDCONV_WEIGHTS_OIHW:
  default:
    return (double)wt[((k * g->Cg + ci) * g->R + r) * g->S + s];
  }
}

static size_t tr_index(const tr_geom *g, size_t C, size_t H, size_t W,
                       size_t n, size_t c, size_t h, size_t w) {
  if (g->layout == SIMDCONV_LAYOUT_NCHW)
    return ((n * C + c) * H + h) * W + w;
  return ((n * H + h) * W + w) * C + c;
}

/* Output (n, k, oh, ow): the exact sum, its scale and its tap count. */
static void tr_output(const tr_geom *g, const float *x, const float *wt,
                      const float *bias, size_t n, size_t k, size_t oh,
                      size_t ow, double *sum, double *scale, double *taps) {
  const double b = bias ? (double)bias[k] : 0.0;
  double s0 = b + 0.0, sc = isfinite(b) ? fabs(b) : 0.0, count = 0.0;
  const size_t c0 = (k / g->Kg) * g->Cg;
  long long ih, iw;
  for (size_t r = 0; r < g->R; r++) {
    if (!tr_source(oh, g->pt, r, g->dh, g->sh, &ih))
      continue;
    for (size_t s = 0; s < g->S; s++) {
      if (!tr_source(ow, g->pl, s, g->dw, g->sw, &iw))
        continue;
      const bool inside =
          ih >= 0 && ih < (long long)g->H && iw >= 0 && iw < (long long)g->W;
      for (size_t ci = 0; ci < g->Cg; ci++) {
        const double xv =
            inside ? (double)x[tr_index(g, g->C, g->H, g->W, n, c0 + ci,
                                        (size_t)ih, (size_t)iw)]
                   : 0.0;
        const double p = xv * tr_weight(g, wt, k, ci, r, s); /* exact */
        s0 += p;
        if (isfinite(p))
          sc += fabs(p);
      }
      count += (double)g->Cg;
    }
  }
  *sum = s0;
  *scale = sc;
  *taps = count;
}

simdconv_status sc_reference_transposed(const simdconv_desc *desc,
                                        size_t batch, size_t in_h, size_t in_w,
                                        const float *input,
                                        const float *weights,
                                        const float *bias,
                                        const float *residual, float alpha,
                                        double *ref, double *bound) {
  tr_geom g;
  const simdconv_status st = tr_setup(desc, batch, in_h, in_w, &g);
  if (st != SIMDCONV_OK)
    return st;
  for (size_t n = 0; n < g.N; n++)
    for (size_t k = 0; k < g.K; k++)
      for (size_t oh = 0; oh < g.OH; oh++)
        for (size_t ow = 0; ow < g.OW; ow++) {
          double s, scale, taps;
          tr_output(&g, input, weights, bias, n, k, oh, ow, &s, &scale,
                    &taps);
          const size_t i = tr_index(&g, g.K, g.OH, g.OW, n, k, oh, ow);
          if (bound)
            bound[i] = scale;
          ref[i] = sc_ref_output(g.act, g.lo, g.hi, taps, s,
                                 bound ? &bound[i] : NULL,
                                 residual ? &residual[i] : NULL, alpha);
        }
  return SIMDCONV_OK;
}
