#define _POSIX_C_SOURCE 200809L
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instance.h"

int oracle_make(bench_oracle *o, const bench_layer *l, char *err) {
  memset(o, 0, sizeof *o);
  tensors_make(&o->t, l);
  o->n = layer_output_elems(l);
  o->ref = bench_alloc(o->n * sizeof(double));
  o->bound = bench_alloc(o->n * sizeof(double));
  simdconv_desc d = layer_desc(l, SIMDCONV_LAYOUT_NCHW);
  simdconv_status s =
      simdconv_reference(&d, l->N, l->H, l->W, o->t.input, o->t.weights,
                         o->t.bias, o->ref, o->bound);
  if (s != SIMDCONV_OK) {
    snprintf(err, BENCH_ERR_LEN, "simdconv_reference: %s",
             simdconv_status_string(s));
    oracle_free(o);
    return -1;
  }
  return 0;
}

void oracle_free(bench_oracle *o) {
  tensors_free(&o->t);
  bench_free(o->ref);
  bench_free(o->bound);
  memset(o, 0, sizeof *o);
}

static bench_verdict fail(const char *fmt_prefix, const char *detail) {
  bench_verdict v = {false, 0.0, ""};
  snprintf(v.msg, sizeof v.msg, "%s%s", fmt_prefix, detail);
  return v;
}

bench_verdict validate_one(const bench_oracle *o, const bench_variant *v,
                           const bench_threads *th, float *y) {
  char err[BENCH_ERR_LEN] = "";
  bench_instance inst;
  if (instance_create(&inst, v, &o->t, th, 0, err) != 0)
    return fail("setup failed: ", err);
  int rc = instance_run(&inst, 0, err);
  if (rc == 0) rc = instance_output_nchw(&inst, 0, y, err);
  instance_destroy(&inst);
  if (rc != 0) return fail("run failed: ", err);

  simdconv_compare_stats st;
  simdconv_compare(y, o->ref, o->bound, o->n, &st);
  bench_verdict r = {true, st.max_err_over_bound, ""};
  if (st.violations > 0 || !(st.max_err_over_bound <= 1.0)) {
    size_t i = st.first_violation;
    r.ok = false;
    snprintf(r.msg, sizeof r.msg,
             "%zu of %zu outputs outside the oracle's bound (max err/bound "
             "%.3g, max ulp %.3g); first at NCHW index %zu: got %.9g, "
             "oracle %.17g, bound %.3g",
             st.violations, st.count, st.max_err_over_bound, st.max_ulp, i,
             i < o->n ? (double)y[i] : 0.0, i < o->n ? o->ref[i] : 0.0,
             i < o->n ? o->bound[i] : 0.0);
  }
  return r;
}

bool bitwise_check(const float *y, const float *ref, size_t n,
                   const char *what, bench_verdict *v) {
  size_t first = 0;
  size_t diff = bitwise_diff(y, ref, n, &first);
  if (diff == 0) return true;
  v->ok = false;
  snprintf(v->msg, sizeof v->msg,
           "%zu of %zu outputs differ bitwise from %s; first at NCHW index "
           "%zu: %.9g vs %.9g",
           diff, n, what, first, (double)y[first], (double)ref[first]);
  return false;
}

void validate_bitwise_group(const bench_oracle *o,
                            const bench_variant *const *variants,
                            size_t nvariants, const bench_threads *threads,
                            size_t nthreads, bench_verdict *out) {
  float *y = bench_alloc_floats(o->n);
  float *canon = bench_alloc_floats(o->n);
  char canon_name[80] = "";
  for (size_t i = 0; i < nvariants; i++) {
    for (size_t j = 0; j < nthreads; j++) {
      bench_verdict *v = &out[i * nthreads + j];
      *v = validate_one(o, variants[i], &threads[j], y);
      if (!v->ok) continue;
      if (canon_name[0] == '\0') {
        memcpy(canon, y, o->n * sizeof(float));
        snprintf(canon_name, sizeof canon_name, "%s/t%zu", variants[i]->name,
                 threads[j].count);
      } else {
        bitwise_check(y, canon, o->n, canon_name, v);
      }
    }
  }
  bench_free(y);
  bench_free(canon);
}
