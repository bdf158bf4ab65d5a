#define _POSIX_C_SOURCE 200809L
#include "runner.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gbench_shim.h"
#include "instance.h"
#include "validate.h"

static const bench_config *g_cfg;

/* Outcome counts for the final summary: checks done (against the oracle,
 * and full-size cross-checks), checks failed, runs failed. */
static size_t g_checked, g_full_checked, g_check_failures, g_run_failures;

static void report_failure(const char *kind, const char *config,
                           const char *layer, const char *msg) {
  if (strcmp(kind, "VALIDATION") == 0)
    g_check_failures++;
  else
    g_run_failures++;
  fprintf(stderr, "%s FAILED: %s on %s: %s\n", kind, config, layer, msg);
  fflush(stderr);
}

/* ------------------------------------------------------------------------ */
/* The current layer: full-size tensors, the oracle on the reduced problem,
 * the verdicts of the simdconv group and the canonical full-size output. */

typedef struct layer_slot {
  size_t index; /* SIZE_MAX: empty */
  bench_tensors full;
  bool have_oracle;
  bench_oracle oracle;
  bool group_checked;
  bench_verdict *group; /* nsimdconv x nthreads */
  float *canon;         /* NCHW full-size output of the first simdconv run */
  char canon_name[192];
  float *scratch; /* NCHW full-size output being checked */
} layer_slot;

static layer_slot g_layer = {.index = SIZE_MAX};

static void layer_release(void) {
  if (g_layer.index == SIZE_MAX) return;
  tensors_free(&g_layer.full);
  if (g_layer.have_oracle) oracle_free(&g_layer.oracle);
  bench_free(g_layer.group);
  bench_free(g_layer.canon);
  bench_free(g_layer.scratch);
  memset(&g_layer, 0, sizeof g_layer);
  g_layer.index = SIZE_MAX;
}

static layer_slot *layer_acquire(size_t index) {
  if (g_layer.index == index) return &g_layer;
  layer_release();
  g_layer.index = index;
  const bench_layer *l = &g_cfg->layers[index];
  fprintf(stderr,
          "== layer %zu/%zu %s: N=%zu C=%zu HxW=%zux%zu K=%zu RxS=%zux%zu "
          "stride %zux%zu pad %zux%zu dilation %zux%zu groups %zu -> "
          "%zux%zu, %.1f MFLOP\n",
          index + 1, g_cfg->nlayers, l->name, l->N, l->C, l->H, l->W, l->K,
          l->R, l->S, l->sh, l->sw, l->ph, l->pw, l->dh, l->dw, l->g, l->OH,
          l->OW, layer_flops(l) / 1e6);
  fflush(stderr);
  tensors_make(&g_layer.full, l);
  return &g_layer;
}

static const bench_oracle *layer_oracle(layer_slot *ls, char *err) {
  if (!ls->have_oracle) {
    bench_layer r =
        layer_reduced(&g_cfg->layers[ls->index], g_cfg->validate_max_out);
    if (oracle_make(&ls->oracle, &r, err) != 0) return NULL;
    ls->have_oracle = true;
  }
  return &ls->oracle;
}

static size_t simdconv_index(const bench_variant *v) {
  for (size_t i = 0; i < g_cfg->nsimdconv; i++)
    if (g_cfg->simdconv_variants[i] == v) return i;
  return SIZE_MAX;
}

/* Validates every simdconv configuration of the layer (all ISAs, layouts
 * and thread counts, benchmarked or not) on the reduced problem. */
static void layer_check_group(layer_slot *ls, const bench_oracle *o) {
  const bench_layer *l = &g_cfg->layers[ls->index];
  size_t n = g_cfg->nsimdconv * g_cfg->nthreads;
  ls->group = bench_alloc(n * sizeof *ls->group);
  validate_bitwise_group(o, g_cfg->simdconv_variants, g_cfg->nsimdconv,
                         g_cfg->threads, g_cfg->nthreads, ls->group);
  ls->group_checked = true;
  double worst = 0.0;
  size_t failed = 0;
  for (size_t i = 0; i < n; i++) {
    const bench_verdict *v = &ls->group[i];
    char config[96];
    snprintf(config, sizeof config, "%s/t%zu",
             g_cfg->simdconv_variants[i / g_cfg->nthreads]->name,
             g_cfg->threads[i % g_cfg->nthreads].count);
    g_checked++;
    if (!v->ok) {
      failed++;
      report_failure("VALIDATION", config, l->name, v->msg);
    } else if (v->err_over_bound > worst) {
      worst = v->err_over_bound;
    }
  }
  const bench_layer *r = &o->t.layer;
  fprintf(stderr,
          "[validate] %s: reduced to N=%zu H=%zu W=%zu (OH=%zu OW=%zu): "
          "%zu simdconv configs %s (max err/bound %.3g)%s\n",
          l->name, r->N, r->H, r->W, r->OH, r->OW, n,
          failed ? "FAILED" : "match the fp64 oracle", worst,
          failed ? "" : ", bitwise identical across ISAs/layouts/threads");
  fflush(stderr);
}

/* The verdict of a case on the reduced problem (computed once). */
static bench_verdict case_validate(bench_case *c, layer_slot *ls) {
  char err[BENCH_ERR_LEN] = "";
  bench_verdict bad = {false, 0.0, ""};
  const bench_oracle *o = layer_oracle(ls, err);
  if (o == NULL) {
    snprintf(bad.msg, sizeof bad.msg, "oracle: %s", err);
    return bad;
  }
  size_t si = simdconv_index(c->variant);
  if (si != SIZE_MAX) {
    if (!ls->group_checked) layer_check_group(ls, o);
    return ls->group[si * g_cfg->nthreads + c->thread_index];
  }
  float *y = bench_alloc_floats(o->n);
  bench_verdict v =
      validate_one(o, c->variant, &g_cfg->threads[c->thread_index], y);
  bench_free(y);
  g_checked++;
  if (!v.ok) {
    char config[96];
    snprintf(config, sizeof config, "%s/t%zu", c->variant->name,
             g_cfg->threads[c->thread_index].count);
    report_failure("VALIDATION", config, g_cfg->layers[c->layer_index].name,
                   v.msg);
  }
  return v;
}

/* ------------------------------------------------------------------------ */
/* The current case's instance. */

static bench_case *g_case;
static bench_instance g_inst;

static void case_release(void) {
  if (g_case != NULL) instance_destroy(&g_inst);
  g_case = NULL;
}

static void case_fail(bench_case *c, const char *what, const char *msg) {
  c->state = -1;
  snprintf(c->error, sizeof c->error, "%s: %s", what, msg);
}

/* Full-size check of set 0's output: bitwise equal to the first simdconv
 * configuration run on this layer (the layer's canonical output). */
static void case_check_full(bench_case *c, layer_slot *ls) {
  char err[BENCH_ERR_LEN] = "";
  const bench_layer *l = &g_cfg->layers[c->layer_index];
  size_t n = layer_output_elems(l);
  if (ls->scratch == NULL) ls->scratch = bench_alloc_floats(n);
  if (instance_output_nchw(&g_inst, 0, ls->scratch, err) != 0) {
    case_fail(c, "output", err);
    report_failure("RUN", c->name, l->name, c->error);
    return;
  }
  if (ls->canon == NULL) {
    ls->canon = ls->scratch;
    ls->scratch = NULL;
    snprintf(ls->canon_name, sizeof ls->canon_name, "%s", c->name);
    return;
  }
  bench_verdict v = {true, 0.0, ""};
  g_full_checked++;
  if (!bitwise_check(ls->scratch, ls->canon, n, ls->canon_name, &v)) {
    case_fail(c, "full-size cross-check", v.msg);
    report_failure("VALIDATION", c->name, "the full-size layer", v.msg);
  }
}

/* Makes c the current case: validates it (once), builds its instance and
 * runs set 0 once (warm-up and full-size check). Returns the instance, or
 * NULL with c->error set. */
static bench_instance *case_acquire(bench_case *c) {
  if (g_case == c) return &g_inst;
  case_release();
  if (c->state == -1) return NULL; /* failed before: do not retry */
  layer_slot *ls = layer_acquire(c->layer_index);
  if (c->state == 0) {
    bench_verdict v = case_validate(c, ls);
    if (!v.ok) {
      case_fail(c, "validation failed", v.msg);
      return NULL;
    }
    c->state = 1;
  }
  char err[BENCH_ERR_LEN] = "";
  const bench_threads *th = &g_cfg->threads[c->thread_index];
  if (instance_create(&g_inst, c->variant, &ls->full, th, g_cfg->rotate_bytes,
                      err) != 0) {
    case_fail(c, "setup", err);
    report_failure("RUN", c->name, "the full-size layer", c->error);
    return NULL;
  }
  g_inst.next_set = g_inst.nsets > 1 ? 1 : 0; /* set 0 is about to be warm */
  if (instance_run(&g_inst, 0, err) != 0) {
    case_fail(c, "run", err);
    report_failure("RUN", c->name, "the full-size layer", c->error);
  } else if (c->variant->bitwise) {
    case_check_full(c, ls);
  }
  if (c->state == -1) {
    instance_destroy(&g_inst);
    return NULL;
  }
  g_case = c;
  return &g_inst;
}

/* ------------------------------------------------------------------------ */
/* Bodies */

static double case_peak_gflops(const bench_case *c) {
  return g_cfg->peak_gflops[c->variant->peak_isa] *
         (double)g_cfg->threads[c->thread_index].count;
}

static void run_body(gb_state *st, void *ctx) {
  bench_case *c = ctx;
  bench_instance *inst = case_acquire(c);
  if (inst == NULL) {
    gb_skip_with_error(st, c->error);
    return;
  }
  char err[BENCH_ERR_LEN] = "";
  int rc = 0;
  size_t set = inst->next_set, nsets = inst->nsets;
  const bench_backend *b = inst->variant->backend;
  void *const *binds = inst->binds;
  const bench_threads *th = &inst->threads;
  double t0 = bench_now();
  while (gb_keep_running(st)) {
    rc |= b->run(binds[set], th, err);
    if (++set == nsets) set = 0;
  }
  double elapsed = bench_now() - t0;
  bench_threads_quiesce(th);
  inst->next_set = set;
  if (rc != 0) {
    case_fail(c, "run", err);
    case_release();
    report_failure("RUN", c->name, "the full-size layer", c->error);
    gb_skip_with_error(st, c->error);
    return;
  }
  const bench_layer *l = &inst->layer;
  double iters = (double)gb_iterations(st);
  double flops = layer_flops(l);
  gb_set_counter(st, "FLOP", flops * iters, GB_COUNTER_RATE);
  double peak = case_peak_gflops(c);
  if (peak > 0 && elapsed > 0)
    gb_set_counter(st, "pct_peak", 100.0 * flops * iters / elapsed / 1e9 / peak,
                   GB_COUNTER_DEFAULT);
  if (layer_is_depthwise(l))
    gb_set_counter(st, "bytes", layer_min_bytes(l) * iters, GB_COUNTER_RATE);
  gb_set_counter(st, "ws_bytes", (double)inst->ws_bytes, GB_COUNTER_DEFAULT);
  gb_set_counter(st, "packed_bytes", (double)inst->packed_bytes,
                 GB_COUNTER_DEFAULT);
  gb_set_counter(st, "sets", (double)nsets, GB_COUNTER_DEFAULT);
  gb_set_label(st, instance_impl(inst));
}

static void create_body(gb_state *st, void *ctx) {
  bench_case *c = ctx;
  case_release();
  if (c->state == -1) {
    gb_skip_with_error(st, c->error);
    return;
  }
  layer_slot *ls = layer_acquire(c->layer_index);
  const bench_backend *b = c->variant->backend;
  const bench_threads *th = &g_cfg->threads[c->thread_index];
  char err[BENCH_ERR_LEN] = "";
  /* One untimed creation: checks it works and gives sizes and names. */
  void *plan = b->plan_create(c->variant, &ls->full, th, true, err);
  if (plan == NULL) {
    case_fail(c, "create", err);
    report_failure("RUN", c->name, "the full-size layer", c->error);
    gb_skip_with_error(st, c->error);
    return;
  }
  double packed = (double)b->packed_bytes(plan);
  char label[160];
  snprintf(label, sizeof label, "%s", b->impl_name(plan));
  b->plan_destroy(plan);
  int failed = 0;
  while (gb_keep_running(st)) {
    plan = b->plan_create(c->variant, &ls->full, th, true, err);
    gb_pause_timing(st);
    if (plan == NULL) failed = 1;
    b->plan_destroy(plan);
    gb_resume_timing(st);
  }
  if (failed) {
    case_fail(c, "create", err);
    report_failure("RUN", c->name, "the full-size layer", c->error);
    gb_skip_with_error(st, c->error);
    return;
  }
  gb_set_counter(st, "packed_bytes", packed, GB_COUNTER_DEFAULT);
  gb_set_label(st, label);
}

/* ------------------------------------------------------------------------ */

void runner_init(const bench_config *cfg) { g_cfg = cfg; }

void runner_register(bench_case *c) {
  gb_register(c->name, c->kind == BENCH_CASE_RUN ? run_body : create_body, c);
}

size_t runner_finish(void) {
  case_release();
  layer_release();
  size_t failures = g_check_failures + g_run_failures;
  fprintf(stderr,
          "validation: %zu configurations checked against the fp64 oracle "
          "on reduced problems, %zu full-size bitwise cross-checks\n",
          g_checked, g_full_checked);
  if (failures > 0)
    fprintf(stderr,
            "VALIDATION FAILED: %zu check(s) and %zu run(s) failed (see the "
            "FAILED lines above)\n",
            g_check_failures, g_run_failures);
  fprintf(stderr, "validation: %zu passed, %zu failed\n",
          g_checked + g_full_checked - g_check_failures, failures);
  fflush(stderr);
  return failures;
}
