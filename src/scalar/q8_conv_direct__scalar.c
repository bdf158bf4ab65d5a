/*
 * q8_conv_direct__scalar: the complete, portable int8 kernel. It computes
 * every int8 problem the library accepts, straight from the definition
 * (src/q8.h):
 *   acc = bias[k] + sum over taps r, s and channels c of (x - x_zp) * w
 *   y   = sc_q8_requantize(acc, m[k])
 * A zero-padding tap reads x_zp, so it adds 0 and is skipped: integer sums
 * are exact, and every SIMD kernel's bytes equal these.
 * Packed form: int32 bias[K] (zeros without bias), float m[K], then the
 * canonical weights int8 w[K][R][S][Cg].
 */
#include <stdint.h>
#include <string.h>

#include "padding.h"
#include "problem.h"
#include "q8.h"

static bool q8_direct_fits(const sc_conv_kernel *k, const sc_problem *p) {
  (void)k;
  return p->dtype == SC_DTYPE_Q8 && !p->transposed; /* every int8 layer */
}

static size_t q8_direct_packed_size(const sc_conv_kernel *k,
                                    const sc_problem *p) {
  (void)k;
  const size_t dims[] = {p->K, p->R, p->S, p->Cg};
  size_t w, total;
  if (!sc_product_ok(dims, 4, &w) ||
      __builtin_add_overflow(w, p->K * (sizeof(int32_t) + sizeof(float)),
                             &total))
    return SIZE_MAX;
  return total;
}

static void q8_direct_pack(const sc_conv_kernel *k, const sc_problem *p,
                           const int8_t *w_krsc, const int32_t *bias,
                           const float *mult, void *packed) {
  (void)k;
  int32_t *b = packed;
  float *m = (float *)(b + p->K);
  for (size_t i = 0; i < p->K; i++) {
    b[i] = bias ? bias[i] : 0;
    m[i] = mult[i];
  }
  memcpy(m + p->K, w_krsc, p->K * p->R * p->S * p->Cg);
}

/* Element strides of a tensor in the problem's layout. */
typedef struct q8_strides {
  size_t n, c, h, w;
} q8_strides;

static q8_strides q8_layout_strides(simdconv_layout layout, size_t C,
                                    size_t H, size_t W) {
  if (layout == SIMDCONV_LAYOUT_NHWC)
    return (q8_strides){H * W * C, 1, W * C, C};
  return (q8_strides){C * H * W, H * W, W, 1};
}

typedef struct q8_direct_task {
  const sc_run_args *args;
  q8_strides in, out;
  sc_q8_out requant;
} q8_direct_task;

/* The exact sum of one output element (bias included). */
static int32_t q8_direct_sum(const q8_direct_task *t, size_t n, size_t k,
                             size_t oh, size_t ow) {
  const sc_problem *p = t->args->problem;
  const sc_shape *s = t->args->shape;
  const int32_t *bias = t->args->packed;
  const int8_t *wk = (const int8_t *)((const float *)(bias + p->K) + p->K) +
                     k * p->R * p->S * p->Cg;
  const uint8_t *x = t->args->q8_input + n * t->in.n +
                     (k / p->Kg) * p->Cg * t->in.c;
  const int32_t zp = p->q8.x_zp;
  int32_t acc = bias[k];
  for (size_t r = 0; r < p->R; r++) {
    const ptrdiff_t ih = sc_pad_map(
        (ptrdiff_t)(oh * p->stride_h + r * p->dil_h) - (ptrdiff_t)p->pad_top,
        (ptrdiff_t)s->H, p->padding_mode);
    for (size_t q = 0; q < p->S; q++, wk += p->Cg) {
      const ptrdiff_t iw = sc_pad_map(
          (ptrdiff_t)(ow * p->stride_w + q * p->dil_w) -
              (ptrdiff_t)p->pad_left,
          (ptrdiff_t)s->W, p->padding_mode);
      if (ih < 0 || iw < 0)
        continue; /* x_zp - x_zp == 0 */
      const uint8_t *xt = x + (size_t)ih * t->in.h + (size_t)iw * t->in.w;
      for (size_t c = 0; c < p->Cg; c++)
        acc += (sc_q8_value(xt[c * t->in.c], p->q8.in_type) - zp) * wk[c];
    }
  }
  return acc;
}

/* Task (row = n*OH + oh, k0 .. k0+nk): all output columns of those
 * channels. */
static void q8_direct_row(void *ctx, size_t row, size_t k0, size_t rows,
                          size_t nk) {
  (void)rows;
  const q8_direct_task *t = ctx;
  const sc_problem *p = t->args->problem;
  const sc_shape *s = t->args->shape;
  const float *mult = (const float *)((const int32_t *)t->args->packed + p->K);
  const size_t n = row / s->OH, oh = row % s->OH;
  uint8_t *y = t->args->q8_output + n * t->out.n + oh * t->out.h;
  for (size_t k = k0; k < k0 + nk; k++)
    for (size_t ow = 0; ow < s->OW; ow++)
      y[k * t->out.c + ow * t->out.w] = (uint8_t)sc_q8_requantize(
          q8_direct_sum(t, n, k, oh, ow), mult[k], &t->requant);
}

static void q8_direct_run(const sc_run_args *args) {
  const sc_problem *p = args->problem;
  const sc_shape *s = args->shape;
  q8_direct_task t = {
      .args = args,
      .in = q8_layout_strides(p->layout, p->C, s->H, s->W),
      .out = q8_layout_strides(p->layout, p->K, s->OH, s->OW),
      .requant = sc_q8_out_get(&p->q8),
  };
  sc_parallelize_2d_tile_2d(args->pool, q8_direct_row, &t,
                                     s->N * s->OH, p->K, 1, 16,
                                     args->pool_final);
}

static void q8_direct_describe(const sc_conv_kernel *k, sc_kernel_desc *d) {
  (void)k;
  *d = (sc_kernel_desc){
      .tile_m = 1,
      .tile_n = 1,
      .layouts = (1u << SIMDCONV_LAYOUT_NCHW) | (1u << SIMDCONV_LAYOUT_NHWC),
      .constraints = "every int8 layer (the definition)",
  };
}

const sc_conv_kernel sc_q8_conv_direct__scalar = {
    .name = "q8_conv_direct__scalar",
    .isa = SIMDCONV_ISA_SCALAR,
    .family = SC_FAMILY_Q8_DIRECT,
    .describe = q8_direct_describe,
    .fits = q8_direct_fits,
    .packed_size = q8_direct_packed_size,
    .pack_q8 = q8_direct_pack,
    .run = q8_direct_run,
};
