/*
 * Validation before timing. Every configuration is run on a reduced problem
 * (layer_reduced(): same channels, kernel, stride, dilation, groups and
 * padding, small batch and spatial size) and compared with simdconv's fp64
 * oracle (simdconv_reference + simdconv_compare: no element outside its
 * error bound). simdconv configurations must in addition agree bitwise
 * (NaN == NaN) across ISAs, layouts and thread counts, as the library
 * promises.
 */
#ifndef SIMDCONV_BENCH_VALIDATE_H
#define SIMDCONV_BENCH_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"

typedef struct bench_oracle {
  bench_tensors t; /* the reduced problem's tensors */
  double *ref;     /* NCHW, exact-as-double */
  double *bound;   /* per-element error bound */
  size_t n;        /* output elements */
} bench_oracle;

/* Runs the oracle on layer l (already reduced). Returns 0 or -1 (err). */
int oracle_make(bench_oracle *o, const bench_layer *l, char *err);
void oracle_free(bench_oracle *o);

typedef struct bench_verdict {
  bool ok;
  double err_over_bound; /* max |y - ref| / bound */
  char msg[320];         /* why it failed; empty when ok */
} bench_verdict;

/* Checks one configuration on the oracle's problem. y (o->n floats)
 * receives its NCHW output. */
bench_verdict validate_one(const bench_oracle *o, const bench_variant *v,
                           const bench_threads *th, float *y);

/* Checks configurations that must agree bitwise: every (variants[i],
 * threads[j]) against the oracle and against the first one that passed.
 * out[i * nthreads + j] receives the verdicts. */
void validate_bitwise_group(const bench_oracle *o,
                            const bench_variant *const *variants,
                            size_t nvariants, const bench_threads *threads,
                            size_t nthreads, bench_verdict *out);

/* Compares y with a reference output bitwise; fills v on a mismatch.
 * what names the reference in the message. */
bool bitwise_check(const float *y, const float *ref, size_t n,
                   const char *what, bench_verdict *v);

#endif /* SIMDCONV_BENCH_VALIDATE_H */
