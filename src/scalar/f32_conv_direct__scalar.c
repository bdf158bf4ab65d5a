/*
 * f32_conv_direct__scalar: the complete, portable kernel. It computes every
 * problem the library accepts and it defines the canonical accumulation order
 * that every SIMD kernel reproduces bit for bit (docs/numerics.md):
 *   acc = bias[k] + 0.0f;
 *   for r in R, for s in S, for c in C/groups: acc = fmaf(x, w[k][r][s][c], acc)
 *   acc = fmaf(alpha, residual, acc)       (simdconv_run_residual only)
 *   y = activation(acc)
 * Transposed problems take the taps on the stride lattice in ascending input
 * position instead (direct_sum_transposed), with the same epilogue.
 * Packed form: bias[K] (zeros without bias) followed by the canonical
 * weights w[K][R][S][Cg].
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "activation.h"
#include "padding.h"
#include "problem.h"

static bool direct_fits(const sc_conv_kernel *k, const sc_problem *p) {
  (void)k;
  return p->dtype == SC_DTYPE_F32; /* every fp32 layer */
}

static size_t direct_packed_size(const sc_conv_kernel *k, const sc_problem *p) {
  (void)k;
  const size_t dims[] = {p->K, p->R, p->S, p->Cg};
  size_t w, total;
  if (!sc_product_ok(dims, 4, &w) || __builtin_add_overflow(w, p->K, &total) ||
      !sc_mul_ok(total, sizeof(float), &total))
    return SIZE_MAX;
  return total;
}

static void direct_pack(const sc_conv_kernel *k, const sc_problem *p,
                        const float *w_krsc, const float *bias, void *packed) {
  (void)k;
  float *out = packed;
  for (size_t i = 0; i < p->K; i++)
    out[i] = bias ? bias[i] : 0.0f;
  memcpy(out + p->K, w_krsc, p->K * p->R * p->S * p->Cg * sizeof(float));
}

/* Element strides of the input for the problem's layout. */
typedef struct direct_strides {
  size_t n, c, h, w;
} direct_strides;

static direct_strides direct_layout_strides(simdconv_layout layout, size_t C,
                                            size_t H, size_t W) {
  if (layout == SIMDCONV_LAYOUT_NHWC)
    return (direct_strides){H * W * C, 1, W * C, C};
  return (direct_strides){C * H * W, H * W, W, 1};
}

typedef struct direct_task {
  const sc_run_args *args;
  direct_strides in, out;
  const sc_scalar_math *math;
} direct_task;

/* acc after the Cg fmas of one tap, in channel order; xt NULL is a
 * zero-padding tap. It still takes part: skipping it is not exact, because
 * an underflowing fma can leave acc at -0.0, which fmaf(0, w, acc) turns
 * into +0.0 (and 0 * Inf is NaN). */
static float direct_tap(float acc, const float *xt, size_t xc, const float *wk,
                        size_t cg) {
  for (size_t c = 0; c < cg; c++)
    acc = fmaf(xt != NULL ? xt[c * xc] : 0.0f, wk[c], acc);
  return acc;
}

/* Transposed: whether kernel index t of an axis reaches a point of the
 * stride lattice from the output's full coordinate o (output index + pad),
 * and which input index that point is (*in; outside [0, size) it is a
 * zero-padding tap). Off-lattice points are not taps at all. */
static bool direct_lattice(size_t o, size_t t, size_t dil, size_t stride,
                           ptrdiff_t *in) {
  const ptrdiff_t v = (ptrdiff_t)o - (ptrdiff_t)(t * dil);
  const ptrdiff_t st = (ptrdiff_t)stride;
  if ((v % st + st) % st != 0)
    return false;
  *in = v / st; /* exact */
  return true;
}

/* The sum of one output of a transposed convolution in its canonical order
 * (docs/numerics.md): taps in ascending input row, then input column (kernel
 * row and column descending), input channels inside. */
static float direct_sum_transposed(const direct_task *t, size_t n, size_t k,
                                   size_t oh, size_t ow) {
  const sc_problem *p = t->args->problem;
  const sc_shape *s = t->args->shape;
  const float *bias = t->args->packed;
  const float *wk = bias + p->K + k * p->R * p->S * p->Cg;
  const float *x = t->args->input + n * t->in.n + (k / p->Kg) * p->Cg * t->in.c;
  float acc = bias[k] + 0.0f;
  ptrdiff_t ih, iw;
  for (size_t r = p->R; r-- > 0;) {
    if (!direct_lattice(oh + p->pad_top, r, p->dil_h, p->stride_h, &ih))
      continue;
    for (size_t q = p->S; q-- > 0;) {
      if (!direct_lattice(ow + p->pad_left, q, p->dil_w, p->stride_w, &iw))
        continue;
      const bool real = ih >= 0 && ih < (ptrdiff_t)s->H && iw >= 0 &&
                        iw < (ptrdiff_t)s->W;
      acc = direct_tap(acc,
                       real ? x + (size_t)ih * t->in.h + (size_t)iw * t->in.w
                            : NULL,
                       t->in.c, wk + (r * p->S + q) * p->Cg, p->Cg);
    }
  }
  return acc;
}

/* The canonical sum of one output element, before the epilogue. */
static float direct_sum(const direct_task *t, size_t n, size_t k, size_t oh,
                        size_t ow) {
  const sc_problem *p = t->args->problem;
  if (p->transposed)
    return direct_sum_transposed(t, n, k, oh, ow);
  const sc_shape *s = t->args->shape;
  const float *bias = t->args->packed;
  const float *wk = bias + p->K + k * p->R * p->S * p->Cg;
  const float *x = t->args->input + n * t->in.n + (k / p->Kg) * p->Cg * t->in.c;
  float acc = bias[k] + 0.0f;
  for (size_t r = 0; r < p->R; r++) {
    const ptrdiff_t ih = sc_pad_map((ptrdiff_t)(oh * p->stride_h + r * p->dil_h) -
                                        (ptrdiff_t)p->pad_top,
                                    (ptrdiff_t)s->H, p->padding_mode);
    for (size_t q = 0; q < p->S; q++, wk += p->Cg) {
      const ptrdiff_t iw = sc_pad_map((ptrdiff_t)(ow * p->stride_w + q * p->dil_w) -
                                          (ptrdiff_t)p->pad_left,
                                      (ptrdiff_t)s->W, p->padding_mode);
      acc = direct_tap(acc,
                       ih < 0 || iw < 0
                           ? NULL
                           : x + (size_t)ih * t->in.h + (size_t)iw * t->in.w,
                       t->in.c, wk, p->Cg);
    }
  }
  return acc;
}

/* The epilogue: the residual fmaf(alpha, r, acc) (read before *y is
 * written, so r may be y), then the activation. */
static void direct_store(const direct_task *t, float acc, float *y) {
  const sc_run_args *a = t->args;
  const sc_problem *p = a->problem;
  if (a->residual != NULL)
    acc = fmaf(a->alpha, a->residual[y - a->output], acc);
  *y = sc_activate_f32(t->math, p->activation, p->act_min, p->act_max, acc);
}

/* Task (row = n*OH + oh, k0 .. k0+nk): all output columns of those channels. */
static void direct_row(void *ctx, size_t row, size_t k0, size_t rows,
                       size_t nk) {
  (void)rows;
  const direct_task *t = ctx;
  const sc_shape *s = t->args->shape;
  const size_t n = row / s->OH, oh = row % s->OH;
  float *y = t->args->output + n * t->out.n + oh * t->out.h;
  for (size_t k = k0; k < k0 + nk; k++)
    for (size_t ow = 0; ow < s->OW; ow++)
      direct_store(t, direct_sum(t, n, k, oh, ow),
                   y + k * t->out.c + ow * t->out.w);
}

static void direct_run(const sc_run_args *args) {
  const sc_problem *p = args->problem;
  const sc_shape *s = args->shape;
  direct_task t = {
      .args = args,
      .in = direct_layout_strides(p->layout, p->C, s->H, s->W),
      .out = direct_layout_strides(p->layout, p->K, s->OH, s->OW),
      .math = sc_scalar_math_get(),
  };
  sc_parallelize_2d_tile_2d(args->pool, direct_row, &t, s->N * s->OH,
                            p->K, 1, 16, args->pool_final);
}

static void direct_describe(const sc_conv_kernel *k, sc_kernel_desc *d) {
  (void)k;
  *d = (sc_kernel_desc){
      .tile_m = 1,
      .tile_n = 1,
      .layouts = (1u << SIMDCONV_LAYOUT_NCHW) | (1u << SIMDCONV_LAYOUT_NHWC),
      .constraints = "every layer (the canonical order, by definition)",
  };
}

const sc_conv_kernel sc_f32_conv_direct__scalar = {
    .name = "f32_conv_direct__scalar",
    .isa = SIMDCONV_ISA_SCALAR,
    .family = SC_FAMILY_DIRECT,
    .describe = direct_describe,
    .fits = direct_fits,
    .packed_size = direct_packed_size,
    .pack = direct_pack,
    .run = direct_run,
};
