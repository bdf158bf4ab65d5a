/*
 * act_sweep: measures each activation's error over fp32 inputs, through the
 * public API, against the fp64 oracle and its documented bound.
 *
 * A 1x1 convolution with one channel, weight 1 and no bias computes exactly
 * act(x): the accumulator is fmaf(x, 1, +0.0) = x (x = -0.0 gives +0.0). So
 * sweeping x over bit patterns tests the activation formulas, their SLEEF
 * functions and the bound of docs/numerics.md end to end.
 *
 *   act_sweep [--stride N] [--isa NAME]    (stride 1 = all 2^32 patterns)
 * Exit status 1 when any output leaves its bound.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <simdconv.h>

#define CHUNK ((size_t)1 << 22)

typedef struct sweep_result {
  double max_ulp, max_ratio;
  uint64_t violations, count;
} sweep_result;

static void sweep_chunk(const simdconv_conv *conv, const simdconv_desc *d,
                        const float *x, size_t n, float *y, double *ref,
                        double *bound, sweep_result *res) {
  const float one = 1.0f;
  simdconv_compare_stats st;
  if (simdconv_run(conv, 1, 1, n, x, y, NULL, 0, NULL) != SIMDCONV_OK ||
      simdconv_reference(d, 1, 1, n, x, &one, NULL, ref, bound) != SIMDCONV_OK) {
    fprintf(stderr, "act_sweep: run failed\n");
    exit(2);
  }
  simdconv_compare(y, ref, bound, n, &st);
  if (st.violations && res->violations == 0)
    fprintf(stderr, "  first violation at x = %a: y = %a, ref = %a, bound = %g\n",
            (double)x[st.first_violation], (double)y[st.first_violation],
            ref[st.first_violation], bound[st.first_violation]);
  res->violations += st.violations;
  res->count += n;
  if (st.max_ulp > res->max_ulp)
    res->max_ulp = st.max_ulp;
  if (st.max_err_over_bound > res->max_ratio)
    res->max_ratio = st.max_err_over_bound;
}

static sweep_result sweep(simdconv_activation act, uint64_t stride,
                          simdconv_isa isa) {
  simdconv_desc d;
  simdconv_desc_init(&d, 1, 1, 1, 1);
  d.activation = act;
  if (act == SIMDCONV_ACT_CLAMP) {
    d.act_min = -1.0f;
    d.act_max = 6.0f;
  }
  const float one = 1.0f;
  const simdconv_options opts = {.isa = isa};
  simdconv_conv *conv;
  if (simdconv_create(&d, &one, NULL, &opts, &conv) != SIMDCONV_OK) {
    fprintf(stderr, "act_sweep: create failed\n");
    exit(2);
  }
  float *x = malloc(CHUNK * sizeof *x), *y = malloc(CHUNK * sizeof *y);
  double *ref = malloc(CHUNK * sizeof *ref), *bound = malloc(CHUNK * sizeof *bound);
  sweep_result res = {0};
  size_t n = 0;
  for (uint64_t u = 0; u <= UINT32_MAX; u += stride) {
    const uint32_t bits = (uint32_t)u;
    memcpy(&x[n++], &bits, sizeof bits);
    if (n == CHUNK || u + stride > UINT32_MAX) {
      sweep_chunk(conv, &d, x, n, y, ref, bound, &res);
      n = 0;
    }
  }
  simdconv_destroy(conv);
  free(x);
  free(y);
  free(ref);
  free(bound);
  return res;
}

int main(int argc, char **argv) {
  uint64_t stride = 4099;
  simdconv_isa isa = SIMDCONV_ISA_AUTO;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--stride") == 0)
      stride = strtoull(argv[i + 1], NULL, 10);
    else if (strcmp(argv[i], "--isa") != 0 ||
             simdconv_isa_from_name(argv[i + 1], &isa) != SIMDCONV_OK) {
      fprintf(stderr, "usage: act_sweep [--stride N] [--isa NAME]\n");
      return 2;
    }
  }
  if (stride == 0)
    stride = 1;
  static const char *const names[SIMDCONV_ACT_COUNT] = {
      "none", "clamp", "sigmoid", "tanh", "silu", "gelu_erf", "gelu_tanh"};
  int failed = 0;
  printf("%-10s %14s %12s %14s %s\n", "activation", "inputs", "max ULP",
         "max err/bound", "violations");
  for (int a = 0; a < SIMDCONV_ACT_COUNT; a++) {
    const sweep_result r = sweep((simdconv_activation)a, stride, isa);
    printf("%-10s %14" PRIu64 " %12.4f %14.4f %" PRIu64 "\n", names[a], r.count,
           r.max_ulp, r.max_ratio, r.violations);
    fflush(stdout);
    failed |= r.violations != 0;
  }
  return failed;
}
