/*
 * libFuzzer target over descriptors, shapes and small tensors.
 *
 * Every input either gets a status from the library (and then the oracle,
 * which validates independently, must reject it too) or a result that
 * matches the fp64 oracle within the documented bound and is bitwise
 * identical across every ISA this CPU has and across thread counts. Anything
 * else aborts, which libFuzzer reports as a crash.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthreadpool.h>
#include <simdconv.h>

/* Reads the fuzz input front to back; past the end it yields zeros. */
typedef struct byte_reader {
  const uint8_t *p;
  size_t n;
} byte_reader;

static unsigned take(byte_reader *r) {
  if (r->n == 0)
    return 0;
  r->n--;
  return *r->p++;
}

static size_t take_range(byte_reader *r, size_t lo, size_t hi) {
  return lo + take(r) % (hi - lo + 1);
}

/* Values that stress the numerics: signed zeros, denormals, huge, Inf, NaN. */
static float take_value(byte_reader *r) {
  static const float special[] = {0.0f,     -0.0f,    1.0f,      -1.0f,
                                  0x1p-149f, -0x1p-140f, 0x1p-126f, 3.0e38f,
                                  -3.0e38f, INFINITY, -INFINITY, NAN,
                                  1.0e-30f, 1.0e30f,  0.5f,      -2.0f};
  const unsigned b = take(r);
  if (b < 16)
    return special[b];
  /* Otherwise a small value with a few significant bits, so sums vary. */
  return (float)((int)take(r) - 128) * ldexpf(1.0f, (int)(b % 24) - 16);
}

/* An occasionally invalid descriptor: the library must answer with a status. */
static void corrupt(simdconv_desc *d, unsigned how) {
  switch (how) {
  case 1: d->in_channels = 0; break;
  case 2: d->groups = d->in_channels + 1; break;
  case 3: d->kernel_h = (size_t)-1; break;
  case 4: d->layout = (simdconv_layout)7; break;
  case 5: d->padding_mode = (simdconv_padding_mode)9; break;
  case 6: d->activation = (simdconv_activation)42; break;
  case 7: d->act_min = NAN; d->activation = SIMDCONV_ACT_CLAMP; break;
  case 8: d->stride_w = 0; break;
  default: break;
  }
}

static void read_desc(byte_reader *r, simdconv_desc *d) {
  const size_t groups = take_range(r, 1, 4);
  simdconv_desc_init(d, groups * take_range(r, 1, 5), groups * take_range(r, 1, 5),
                     take_range(r, 1, 5), take_range(r, 1, 5));
  d->groups = groups;
  d->stride_h = take_range(r, 1, 3);
  d->stride_w = take_range(r, 1, 3);
  d->dilation_h = take_range(r, 1, 3);
  d->dilation_w = take_range(r, 1, 3);
  d->padding = (simdconv_padding)take_range(r, 0, 2);
  d->pad_top = take_range(r, 0, 4);
  d->pad_bottom = take_range(r, 0, 4);
  d->pad_left = take_range(r, 0, 4);
  d->pad_right = take_range(r, 0, 4);
  d->padding_mode = (simdconv_padding_mode)take_range(r, 0, 3);
  d->layout = (simdconv_layout)take_range(r, 0, 1);
  d->weight_layout = (simdconv_weight_layout)take_range(r, 0, 1);
  d->flip_kernel = (int)take_range(r, 0, 1);
  d->activation = (simdconv_activation)take_range(r, 0, SIMDCONV_ACT_COUNT - 1);
  d->act_min = (float)((int)take_range(r, 0, 8) - 4);
  d->act_max = d->act_min + (float)take_range(r, 0, 8);
  corrupt(d, take(r) % 32); /* invalid about one time in four */
}

static float *read_tensor(byte_reader *r, size_t n) {
  float *t = malloc((n ? n : 1) * sizeof(float));
  if (t == NULL)
    abort();
  for (size_t i = 0; i < n; i++)
    t[i] = take_value(r);
  return t;
}

static int same_bits(const float *a, const float *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!(isnan(a[i]) && isnan(b[i])) && memcmp(&a[i], &b[i], sizeof(float)))
      return 0;
  return 1;
}

static simdconv_status run_on(const simdconv_desc *d, simdconv_isa isa,
                              size_t N, size_t H, size_t W, const float *x,
                              const float *w, const float *b, float *y,
                              pthreadpool_t pool) {
  const simdconv_options opts = {.isa = isa};
  simdconv_conv *conv = NULL;
  simdconv_status st = simdconv_create(d, w, b, &opts, &conv);
  if (st == SIMDCONV_OK)
    st = simdconv_run(conv, N, H, W, x, y, NULL, 0, pool);
  simdconv_destroy(conv);
  return st;
}

static pthreadpool_t shared_pool(void) {
  static pthreadpool_t pool;
  if (pool == NULL)
    pool = pthreadpool_create(2);
  return pool;
}

/* Runs every ISA at 1 and 2 threads; all must agree with the oracle and
 * with each other. */
static void check_all_isas(const simdconv_desc *d, size_t N, size_t H,
                           size_t W, const float *x, const float *w,
                           const float *b, size_t out_n, const double *ref,
                           const double *bound) {
  float *first = NULL;
  float *y = malloc(out_n * sizeof(float));
  for (int isa = SIMDCONV_ISA_SCALAR; isa < SIMDCONV_ISA_COUNT; isa++) {
    if (simdconv_isa_check((simdconv_isa)isa) != SIMDCONV_OK)
      continue;
    for (int threads = 1; threads <= 2; threads++) {
      pthreadpool_t pool = threads == 1 ? NULL : shared_pool();
      if (run_on(d, (simdconv_isa)isa, N, H, W, x, w, b, y, pool) != SIMDCONV_OK)
        abort(); /* the oracle accepted it */
      simdconv_compare_stats st;
      simdconv_compare(y, ref, bound, out_n, &st);
      if (st.violations != 0) {
        fprintf(stderr, "oracle mismatch on %s at element %zu\n",
                simdconv_isa_name((simdconv_isa)isa), st.first_violation);
        abort();
      }
      if (first == NULL) {
        first = y;
        y = malloc(out_n * sizeof(float));
      } else if (!same_bits(first, y, out_n)) {
        fprintf(stderr, "%s at %d threads differs from the first ISA\n",
                simdconv_isa_name((simdconv_isa)isa), threads);
        abort();
      }
    }
  }
  free(first);
  free(y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  byte_reader r = {data, size};
  simdconv_desc d;
  read_desc(&r, &d);
  const size_t N = take_range(&r, 1, 2), H = take_range(&r, 1, 10),
               W = take_range(&r, 1, 10);
  const int with_bias = (int)take_range(&r, 0, 1);
  /* Sizes of a valid descriptor are small; an invalid one gets minimal
   * buffers, which are never read because every call must fail first. */
  const int valid = simdconv_desc_validate(&d) == SIMDCONV_OK;
  const size_t in_n = valid ? N * d.in_channels * H * W : 1;
  const size_t w_n = valid ? d.out_channels * (d.in_channels / d.groups) *
                                 d.kernel_h * d.kernel_w
                           : 1;
  const size_t k_n = valid ? d.out_channels : 1;
  float *x = read_tensor(&r, in_n), *w = read_tensor(&r, w_n),
        *b = read_tensor(&r, k_n);
  size_t oh = 0, ow = 0;
  const simdconv_status shape = simdconv_output_shape(&d, H, W, &oh, &ow);
  const size_t out_n = shape == SIMDCONV_OK ? N * d.out_channels * oh * ow : 1;
  double *ref = malloc(out_n * sizeof(double)), *bound = malloc(out_n * sizeof(double));
  const simdconv_status oracle = simdconv_reference(
      &d, N, H, W, x, w, with_bias ? b : NULL, ref, bound);
  if ((oracle == SIMDCONV_OK) != (shape == SIMDCONV_OK))
    abort(); /* the library and the oracle disagree on validity */
  if (oracle == SIMDCONV_OK) {
    check_all_isas(&d, N, H, W, x, w, with_bias ? b : NULL, out_n, ref, bound);
  } else {
    float y = 0.0f;
    if (run_on(&d, SIMDCONV_ISA_AUTO, N, H, W, x, w, b, &y, NULL) == SIMDCONV_OK)
      abort(); /* accepted what the oracle rejected */
  }
  free(x);
  free(w);
  free(b);
  free(ref);
  free(bound);
  return 0;
}
