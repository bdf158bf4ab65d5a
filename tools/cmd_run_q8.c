/*
 * simdconv run --int8: the quantized convolution (simdconv_create_q8 /
 * simdconv_run_q8) on random bytes, on every usable ISA (or those asked
 * for) and optionally one forced kernel: creation and runs timed, every
 * output byte compared with the exact oracle (simdconv_reference_q8), the
 * ISAs compared byte for byte.
 *
 * The data: uniform input bytes and weights, a bias the size of the sums,
 * a random input zero point, per-channel (or one) weight scales within a
 * factor of 2, and an output scale that spreads the outputs over the
 * output type (a few saturate).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct q8_tensors {
  uint8_t *x;
  int8_t *w;
  int32_t *bias; /* NULL with --no-bias */
  float *w_scales;
  simdconv_qparams q;
  uint8_t *ref;  /* NULL with --no-check */
  int64_t *acc;  /* the oracle's exact sums */
  uint8_t *warm, *out, *first;
  char first_name[128];
  char verdict[512];
} q8_tensors;

static size_t q8_below(uint64_t *rng, size_t n) {
  return (size_t)(splitmix64(rng) % n);
}

static void q8_fill(const cli_q8_job *j, q8_tensors *t) {
  uint64_t rng = j->seed;
  const size_t K = j->desc->out_channels;
  const size_t taps = (j->desc->in_channels / j->desc->groups) *
                      j->desc->kernel_h * j->desc->kernel_w;
  for (size_t i = 0; i < j->in_elems; i++)
    t->x[i] = (uint8_t)splitmix64(&rng);
  for (size_t i = 0; i < j->w_elems; i++)
    t->w[i] = (int8_t)(uint8_t)splitmix64(&rng);
  const size_t span = (size_t)(sqrt((double)taps) * 255 * 128 / 4) + 1;
  for (size_t k = 0; t->bias != NULL && k < K; k++)
    t->bias[k] = (int32_t)q8_below(&rng, 2 * span + 1) - (int32_t)span;
  const size_t count = j->per_tensor ? 1 : K;
  for (size_t k = 0; k < count; k++)
    t->w_scales[k] = (1.0f + (float)q8_below(&rng, 1024) / 1024.0f) / 256.0f;
  const int32_t x_lo = j->in_type == SIMDCONV_QTYPE_S8 ? -128 : 0;
  const int32_t y_lo = j->out_type == SIMDCONV_QTYPE_S8 ? -128 : 0;
  const float xs = 1.0f / 64;
  /* Uniform bytes and weights: |x - zp| and |w| about 74 on average. */
  const float ys = (float)(xs * 1.5 / 256 * sqrt((double)taps) * 74 * 74 / 50);
  simdconv_qparams_init(&t->q, j->in_type, xs,
                        x_lo + (int32_t)q8_below(&rng, 256), t->w_scales,
                        count, j->out_type, ys, y_lo + 128);
}

/* Bytes where a and b differ; *first receives the first. */
static size_t q8_differences(const uint8_t *a, const uint8_t *b, size_t n,
                             size_t *first) {
  size_t count = 0;
  for (size_t i = 0; i < n; i++)
    if (a[i] != b[i] && count++ == 0)
      *first = i;
  return count;
}

static simdconv_status q8_run(const cli_runner *r, void *out, void *ws,
                              size_t ws_bytes) {
  return simdconv_run_q8(r->conv, r->N, r->H, r->W, r->input, out, ws,
                         ws_bytes, r->pool);
}

/* Creates, runs and times one ISA (or the forced kernel); false when a
 * check failed. */
static bool q8_run_isa(const cli_q8_job *j, simdconv_isa isa,
                       const char *kernel, q8_tensors *t) {
  const char *name = kernel ? kernel : simdconv_isa_name(isa);
  const simdconv_options opts = {
      .isa = isa, .kernel = kernel, .pool_wait = j->pool_wait};
  simdconv_conv *conv = NULL;
  double t0 = now_seconds();
  simdconv_status st =
      simdconv_create_q8(j->desc, &t->q, t->w, t->bias, &opts, &conv);
  const double create_s = now_seconds() - t0;
  if (st != SIMDCONV_OK && st != SIMDCONV_ERR_OUT_OF_MEMORY)
    check_config(st);
  check_call(st, "simdconv_create_q8", isa);
  const cli_runner runner = {.run = q8_run,
                             .call = "simdconv_run_q8",
                             .conv = conv,
                             .N = j->N,
                             .H = j->H,
                             .W = j->W,
                             .input = t->x,
                             .pool = j->pool};
  /* Different bytes in the two outputs first: what a kernel leaves
   * unwritten shows as a difference between the runs, and cannot pass for
   * the previous ISA's result. */
  memset(t->warm, 0x5a, j->out_elems);
  memset(t->out, 0xa5, j->out_elems);
  const cli_timing tm = cli_time_runs(&runner, isa, j->repeat, t->warm,
                                      t->out);
  const simdconv_conv_info info = tm.info;
  simdconv_destroy(conv);
  cli_print_timing(name, &tm, create_s, j->repeat, j->ops, "GOP");
  size_t first = 0, diff;
  bool ok = info.isa == isa;
  if (!ok)
    printf("[%s] FAIL: the object runs on %s\n", name,
           simdconv_isa_name(info.isa));
  if ((diff = q8_differences(t->warm, t->out, j->out_elems, &first)) != 0) {
    ok = false;
    printf("[%s] FAIL: the timed runs differ from the warm-up run in %zu "
           "bytes (first at %zu)\n", name, diff, first);
  }
  if (t->ref != NULL) {
    diff = q8_differences(t->out, t->ref, j->out_elems, &first);
    printf("[%s] oracle: %zu of %zu bytes equal to simdconv_reference_q8: "
           "%s\n", name, j->out_elems - diff, j->out_elems,
           diff ? "FAIL" : "ok");
    if (diff) {
      ok = false;
      printf("[%s] first difference at %zu: got %u, oracle %u (exact sum %"
             PRId64 ")\n", name, first, t->out[first], t->ref[first],
             t->acc[first]);
    }
  }
  return ok;
}

/* Records the first output, then compares each next one with it. */
static void q8_agree(const cli_q8_job *j, const char *name, q8_tensors *t) {
  size_t first = 0, diff;
  if (t->first_name[0] == '\0') {
    snprintf(t->first_name, sizeof t->first_name, "%s", name);
    memcpy(t->first, t->out, j->out_elems);
  } else if (!t->verdict[0] &&
             (diff = q8_differences(t->first, t->out, j->out_elems,
                                    &first)) != 0) {
    snprintf(t->verdict, sizeof t->verdict,
             "no (%s differs from %s in %zu of %zu bytes, first at %zu: %u "
             "vs %u)",
             name, t->first_name, diff, j->out_elems, first, t->out[first],
             t->first[first]);
  }
}

static void q8_print_params(const cli_q8_job *j, const q8_tensors *t) {
  printf("int8:    input %s zero point %d scale %g, output %s zero point %d "
         "scale %g, weight scales %s (first %g)\n",
         cli_qtype_name(t->q.input_type), (int)t->q.input_zero_point,
         (double)t->q.input_scale, cli_qtype_name(t->q.output_type),
         (int)t->q.output_zero_point, (double)t->q.output_scale,
         j->per_tensor ? "per tensor" : "per output channel",
         (double)t->w_scales[0]);
}

int cli_run_q8(const cli_q8_job *j) {
  q8_tensors t;
  memset(&t, 0, sizeof t);
  const size_t K = j->desc->out_channels;
  t.x = xmalloc(j->in_elems, 1, "the input");
  t.w = xmalloc(j->w_elems, 1, "the weights");
  t.bias = j->no_bias ? NULL : xmalloc(K, sizeof(int32_t), "the bias");
  t.w_scales = xmalloc(K, sizeof(float), "the weight scales");
  t.warm = xmalloc(j->out_elems, 1, "the output");
  t.out = xmalloc(j->out_elems, 1, "the output");
  t.first = xmalloc(j->out_elems, 1, "the output");
  q8_fill(j, &t);
  q8_print_params(j, &t);
  check_config(simdconv_desc_validate_q8(j->desc, &t.q));
  if (j->check) {
    t.ref = xmalloc(j->out_elems, 1, "the oracle's output");
    t.acc = xmalloc(j->out_elems, sizeof(int64_t), "the oracle's sums");
    const simdconv_status st = simdconv_reference_q8(
        j->desc, &t.q, j->N, j->H, j->W, t.x, t.w, t.bias, t.ref, t.acc);
    if (st == SIMDCONV_ERR_ACCUMULATOR_OVERFLOW)
      check_config(st);
    check_call(st, "simdconv_reference_q8", SIMDCONV_ISA_AUTO);
  }
  bool ok = true;
  for (int i = 1; i < SIMDCONV_ISA_COUNT; i++) {
    if (!(j->isas & (1u << i)))
      continue;
    ok &= q8_run_isa(j, (simdconv_isa)i, NULL, &t);
    q8_agree(j, simdconv_isa_name((simdconv_isa)i), &t);
  }
  if (j->ukernel != NULL) {
    size_t index;
    simdconv_kernel_info k;
    simdconv_kernel_find(j->ukernel, &index);
    simdconv_kernel_get(index, &k);
    ok &= q8_run_isa(j, k.isa, j->ukernel, &t);
    q8_agree(j, j->ukernel, &t);
  }
  if (!t.verdict[0]) {
    char isas[64];
    cli_isa_mask_format(j->isas, ", ", isas, sizeof isas);
    snprintf(t.verdict, sizeof t.verdict, "yes (%s%s%s)", isas,
             j->ukernel ? ", " : "", j->ukernel ? j->ukernel : "");
  } else {
    ok = false;
  }
  printf("all ISAs agree bit for bit: %s\n", t.verdict);
  free(t.x);
  free(t.w);
  free(t.bias);
  free(t.w_scales);
  free(t.warm);
  free(t.out);
  free(t.first);
  free(t.ref);
  free(t.acc);
  return ok ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
