#define _POSIX_C_SOURCE 200809L
#include "instance.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void quiesce_task(void *ctx, size_t i) {
  (void)ctx;
  (void)i;
}

void bench_threads_quiesce(const bench_threads *th) {
  /* A loop of one task per thread reaches every worker (a loop of one runs
   * on the caller alone); the flag sends them to sleep once it is done. */
  if (th->pool != NULL)
    pthreadpool_parallelize_1d(th->pool, quiesce_task, NULL, th->count,
                               PTHREADPOOL_FLAG_YIELD_WORKERS);
}

static void fill_nan(float *p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = NAN;
}

/* One set: input copy, NaN output, plan, binding (bound later). */
static int make_set(bench_instance *inst, size_t s, const bench_tensors *t,
                    char *err) {
  const bench_layer *l = &t->layer;
  size_t ni = layer_input_elems(l), no = layer_output_elems(l);
  inst->in[s] = bench_alloc_floats(ni);
  inst->out[s] = bench_alloc_floats(no);
  if (inst->variant->layout == SIMDCONV_LAYOUT_NHWC)
    nchw_to_nhwc(t->input, inst->in[s], l->N, l->C, l->H, l->W);
  else
    memcpy(inst->in[s], t->input, ni * sizeof(float));
  fill_nan(inst->out[s], no);
  inst->plans[s] = inst->variant->backend->plan_create(
      inst->variant, t, &inst->threads, false, err);
  inst->nsets = s + 1; /* so instance_destroy frees this set too */
  return inst->plans[s] ? 0 : -1;
}

int instance_create(bench_instance *inst, const bench_variant *v,
                    const bench_tensors *t, const bench_threads *th,
                    size_t rotate_bytes, char *err) {
  const bench_backend *b = v->backend;
  memset(inst, 0, sizeof *inst);
  inst->variant = v;
  inst->threads = *th;
  inst->layer = t->layer;
  if (make_set(inst, 0, t, err) != 0) goto fail;
  inst->packed_bytes = b->packed_bytes(inst->plans[0]);
  /* A backend that cannot tell its packed size (XNNPACK) is assumed to
   * hold at least the weights and bias. */
  size_t raw_weights =
      (layer_weight_elems(&t->layer) + t->layer.K) * sizeof(float);
  inst->set_bytes = (layer_input_elems(&t->layer) +
                     layer_output_elems(&t->layer)) * sizeof(float) +
                    (inst->packed_bytes > raw_weights ? inst->packed_bytes
                                                      : raw_weights);
  size_t want = rotate_bytes / (inst->set_bytes ? inst->set_bytes : 1) + 1;
  if (rotate_bytes == 0 || inst->set_bytes >= rotate_bytes) want = 1;
  if (want > BENCH_MAX_SETS) want = BENCH_MAX_SETS;
  for (size_t s = 1; s < want; s++)
    if (make_set(inst, s, t, err) != 0) goto fail;

  /* Never NULL, even when 0 bytes are needed: a NULL workspace would let
   * simdconv allocate its own. */
  inst->ws_bytes = b->workspace_bytes(inst->plans[0]);
  inst->ws = bench_alloc(inst->ws_bytes);
  for (size_t s = 0; s < inst->nsets; s++) {
    inst->binds[s] = b->bind(inst->plans[s], inst->in[s], inst->out[s],
                             inst->ws, inst->ws_bytes, &inst->threads, err);
    if (inst->binds[s] == NULL) goto fail;
  }
  return 0;
fail:
  instance_destroy(inst);
  return -1;
}

void instance_destroy(bench_instance *inst) {
  const bench_backend *b = inst->variant ? inst->variant->backend : NULL;
  for (size_t s = 0; s < inst->nsets; s++) {
    if (inst->binds[s]) b->unbind(inst->binds[s]);
    if (inst->plans[s]) b->plan_destroy(inst->plans[s]);
    bench_free(inst->in[s]);
    bench_free(inst->out[s]);
  }
  bench_free(inst->ws);
  memset(inst, 0, sizeof *inst);
}

int instance_run(bench_instance *inst, size_t set, char *err) {
  return inst->variant->backend->run(inst->binds[set], &inst->threads, err);
}

int instance_output_nchw(bench_instance *inst, size_t set, float *dst,
                         char *err) {
  const bench_backend *b = inst->variant->backend;
  if (b->fetch != NULL && b->fetch(inst->binds[set], err) != 0) return -1;
  const bench_layer *l = &inst->layer;
  if (inst->variant->layout == SIMDCONV_LAYOUT_NHWC)
    nhwc_to_nchw(inst->out[set], dst, l->N, l->K, l->OH, l->OW);
  else
    memcpy(dst, inst->out[set], layer_output_elems(l) * sizeof(float));
  return 0;
}

const char *instance_impl(const bench_instance *inst) {
  return inst->variant->backend->impl_name(inst->plans[0]);
}
