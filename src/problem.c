/*
 * From a user descriptor to a validated sc_problem, and from a run's sizes to
 * an sc_shape. All of PyTorch's constraints are checked here, once; kernels
 * may assume them.
 */
#include <math.h>

#include "fpenv.h"
#include "problem.h"
#include "problem_transposed.h"

bool sc_product_ok(const size_t *factors, size_t n, size_t *out) {
  size_t acc = 1;
  for (size_t i = 0; i < n; i++)
    if (!sc_mul_ok(acc, factors[i], &acc))
      return false;
  *out = acc;
  return true;
}

static bool sc_dim_ok(size_t v) { return v >= 1 && v <= SIMDCONV_MAX_DIM; }

static simdconv_status sc_check_sizes(const simdconv_desc *d) {
  const size_t positive[] = {d->in_channels, d->out_channels, d->kernel_h,
                             d->kernel_w,    d->stride_h,     d->stride_w,
                             d->dilation_h,  d->dilation_w,   d->groups};
  for (size_t i = 0; i < sizeof positive / sizeof *positive; i++)
    if (!sc_dim_ok(positive[i]))
      return SIMDCONV_ERR_INVALID_SIZE;
  if (d->padding == SIMDCONV_PADDING_EXPLICIT) {
    const size_t pads[] = {d->pad_top, d->pad_bottom, d->pad_left,
                           d->pad_right};
    for (size_t i = 0; i < 4; i++)
      if (pads[i] > SIMDCONV_MAX_DIM)
        return SIMDCONV_ERR_INVALID_SIZE;
  }
  return SIMDCONV_OK;
}

static simdconv_status sc_check_enums(const simdconv_desc *d) {
  if ((unsigned)d->layout > SIMDCONV_LAYOUT_NHWC ||
      (unsigned)d->weight_layout >
          (d->transposed ? SIMDCONV_WEIGHTS_IOHW : SIMDCONV_WEIGHTS_OHWI) ||
      (unsigned)d->padding > SIMDCONV_PADDING_SAME ||
      (unsigned)d->padding_mode > SIMDCONV_PAD_CIRCULAR ||
      (unsigned)d->activation >= SIMDCONV_ACT_COUNT)
    return SIMDCONV_ERR_INVALID_ENUM;
  return SIMDCONV_OK;
}

/* Not inlined: sc_check_activation() guards it. */
static __attribute__((noinline)) simdconv_status
sc_check_clamp(const simdconv_desc *d) {
  if (d->activation != SIMDCONV_ACT_CLAMP)
    return SIMDCONV_OK;
  if (isnan(d->act_min) || isnan(d->act_max) || d->act_min > d->act_max)
    return SIMDCONV_ERR_INVALID_ACTIVATION;
  return SIMDCONV_OK;
}

/* Under the caller's DAZ a subnormal act_min compares as zero: the bounds
 * are compared in the canonical environment. */
static simdconv_status sc_check_activation(const simdconv_desc *d) {
  sc_fpenv env;
  sc_fpenv_enter(&env);
  const simdconv_status st = sc_check_clamp(d);
  sc_fpenv_leave(&env);
  return st;
}

/* 'same': total = dilation*(kernel-1), begin = total/2, the odd one at the
 * end (PyTorch's _conv_forward with padding='same'). */
static void sc_same_padding(size_t dilation, size_t kernel, size_t *begin,
                            size_t *end) {
  const size_t total = dilation * (kernel - 1);
  *begin = total / 2;
  *end = total - *begin;
}

static simdconv_status sc_resolve_padding(const simdconv_desc *d,
                                          sc_problem *p) {
  switch (d->padding) {
  case SIMDCONV_PADDING_EXPLICIT:
    p->pad_top = d->pad_top;
    p->pad_bottom = d->pad_bottom;
    p->pad_left = d->pad_left;
    p->pad_right = d->pad_right;
    return SIMDCONV_OK;
  case SIMDCONV_PADDING_VALID:
    p->pad_top = p->pad_bottom = p->pad_left = p->pad_right = 0;
    return SIMDCONV_OK;
  case SIMDCONV_PADDING_SAME:
    if (d->transposed)
      return sc_transposed_same_padding(d, p);
    if (d->stride_h != 1 || d->stride_w != 1)
      return SIMDCONV_ERR_SAME_PADDING_STRIDE;
    /* dilation and kernel are <= 2^31-1, so the product fits in size_t. */
    sc_same_padding(d->dilation_h, d->kernel_h, &p->pad_top, &p->pad_bottom);
    sc_same_padding(d->dilation_w, d->kernel_w, &p->pad_left, &p->pad_right);
    return SIMDCONV_OK;
  }
  return SIMDCONV_ERR_INVALID_ENUM;
}

simdconv_status sc_problem_init(const simdconv_desc *d, sc_problem *p) {
  if (d == NULL || p == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  simdconv_status st;
  if ((st = sc_check_enums(d)) != SIMDCONV_OK ||
      (st = sc_check_sizes(d)) != SIMDCONV_OK ||
      (st = sc_check_activation(d)) != SIMDCONV_OK)
    return st;
  if (d->in_channels % d->groups != 0 || d->out_channels % d->groups != 0)
    return SIMDCONV_ERR_INVALID_GROUPS;
  if ((st = sc_transposed_check(d)) != SIMDCONV_OK)
    return st;
  *p = (sc_problem){
      .layout = d->layout,
      .C = d->in_channels,
      .K = d->out_channels,
      .R = d->kernel_h,
      .S = d->kernel_w,
      .groups = d->groups,
      .Cg = d->in_channels / d->groups,
      .Kg = d->out_channels / d->groups,
      .stride_h = d->stride_h,
      .stride_w = d->stride_w,
      .dil_h = d->dilation_h,
      .dil_w = d->dilation_w,
      .padding_mode = d->padding_mode,
      .activation = d->activation,
      .act_min = d->activation == SIMDCONV_ACT_CLAMP ? d->act_min : -INFINITY,
      .act_max = d->activation == SIMDCONV_ACT_CLAMP ? d->act_max : INFINITY,
      .transposed = d->transposed != 0,
      .out_pad_h = d->output_padding_h,
      .out_pad_w = d->output_padding_w,
  };
  return sc_resolve_padding(d, p);
}

/* PyTorch: reflect needs pad < size, circular pad <= size (on each side). */
static bool sc_pads_fit(simdconv_padding_mode mode, size_t before, size_t after,
                        size_t size) {
  switch (mode) {
  case SIMDCONV_PAD_REFLECT:
    return before < size && after < size;
  case SIMDCONV_PAD_CIRCULAR:
    return before <= size && after <= size;
  default:
    return true;
  }
}

/* floor((in + pads - dil*(k-1) - 1) / stride) + 1, or 0 when empty. All
 * operands are <= 2^31-1, so the sums cannot overflow a 64-bit size_t. */
static size_t sc_out_size(size_t in, size_t before, size_t after, size_t dil,
                          size_t k, size_t stride) {
  const size_t padded = in + before + after;
  const size_t span = dil * (k - 1) + 1;
  return padded < span ? 0 : (padded - span) / stride + 1;
}

simdconv_status sc_shape_init(const sc_problem *p, size_t batch, size_t in_h,
                              size_t in_w, sc_shape *s) {
  if (!sc_dim_ok(batch) || !sc_dim_ok(in_h) || !sc_dim_ok(in_w))
    return SIMDCONV_ERR_INVALID_SIZE;
  if (!sc_pads_fit(p->padding_mode, p->pad_top, p->pad_bottom, in_h) ||
      !sc_pads_fit(p->padding_mode, p->pad_left, p->pad_right, in_w))
    return SIMDCONV_ERR_PADDING_TOO_LARGE;
  *s = (sc_shape){
      .N = batch,
      .H = in_h,
      .W = in_w,
      .OH = sc_out_size(in_h, p->pad_top, p->pad_bottom, p->dil_h, p->R,
                        p->stride_h),
      .OW = sc_out_size(in_w, p->pad_left, p->pad_right, p->dil_w, p->S,
                        p->stride_w),
  };
  if (p->transposed) {
    s->OH = sc_transposed_out_size(in_h, p->pad_top, p->pad_bottom, p->dil_h,
                                   p->R, p->stride_h, p->out_pad_h);
    s->OW = sc_transposed_out_size(in_w, p->pad_left, p->pad_right, p->dil_w,
                                   p->S, p->stride_w, p->out_pad_w);
  }
  if (s->OH == 0 || s->OW == 0)
    return SIMDCONV_ERR_EMPTY_OUTPUT;
  size_t in_elems, out_elems;
  if (!sc_shape_elements(p, s, &in_elems, &out_elems))
    return SIMDCONV_ERR_SIZE_OVERFLOW;
  return SIMDCONV_OK;
}

bool sc_shape_elements(const sc_problem *p, const sc_shape *s,
                       size_t *in_elems, size_t *out_elems) {
  const size_t in[] = {s->N, p->C, s->H, s->W, sizeof(float)};
  const size_t out[] = {s->N, p->K, s->OH, s->OW, sizeof(float)};
  size_t in_bytes, out_bytes;
  if (!sc_product_ok(in, 5, &in_bytes) || !sc_product_ok(out, 5, &out_bytes))
    return false;
  *in_elems = in_bytes / sizeof(float);
  *out_elems = out_bytes / sizeof(float);
  return true;
}

simdconv_status simdconv_desc_validate(const simdconv_desc *desc) {
  sc_problem p;
  return sc_problem_init(desc, &p);
}

simdconv_status simdconv_resolved_padding(const simdconv_desc *desc,
                                          size_t pads[4]) {
  if (pads == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  sc_problem p;
  const simdconv_status st = sc_problem_init(desc, &p);
  if (st != SIMDCONV_OK)
    return st;
  pads[0] = p.pad_top;
  pads[1] = p.pad_bottom;
  pads[2] = p.pad_left;
  pads[3] = p.pad_right;
  return SIMDCONV_OK;
}

simdconv_status simdconv_output_shape(const simdconv_desc *desc, size_t in_h,
                                      size_t in_w, size_t *out_h,
                                      size_t *out_w) {
  if (out_h == NULL || out_w == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  sc_problem p;
  sc_shape s;
  simdconv_status st = sc_problem_init(desc, &p);
  if (st == SIMDCONV_OK)
    st = sc_shape_init(&p, 1, in_h, in_w, &s);
  if (st != SIMDCONV_OK)
    return st;
  *out_h = s.OH;
  *out_w = s.OW;
  return SIMDCONV_OK;
}
