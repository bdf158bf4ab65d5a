/*
 * Helpers of the int8 tests (tests/test_q8.c, tests/test_kernels_q8.c), on
 * top of test_util.h (PRNG, geometry generators, ISAs, the thread pool):
 *
 * - an int8 case: a geometry (tu_spec) plus the quantization (types, zero
 *   points, scales of a chosen kind) and random bytes of a chosen kind;
 * - the oracle (simdconv_reference_q8) computed once per case, with the
 *   exact sums, so a mismatch names the accumulator and the multiplier;
 * - tq_check(): THE int8 check: runs an object on a case (guards around
 *   the output and the workspace, the input unchanged) and requires every
 *   output byte to equal the oracle's.
 */
#ifndef SIMDCONV_TEST_UTIL_Q8_H
#define SIMDCONV_TEST_UTIL_Q8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "test_util.h"

/* How the scales are drawn. */
typedef enum tq_scales {
  /* Multipliers that spread most outputs over the output range, some
   * channels saturating (per-channel scales within a factor of 16). */
  TQ_SCALES_SPREAD = 0,
  /* Per-channel weight scales 2^-20 .. 2^4 (output scale 1): most channels
   * at the zero point or saturated, the rest anywhere. */
  TQ_SCALES_WIDE,
  /* Powers of two: (float)acc * m exact, so halves are ties (round half to
   * even decides). */
  TQ_SCALES_TIES,
  TQ_SCALES_KINDS
} tq_scales;

/* How the input and weight bytes are drawn. */
typedef enum tq_data {
  TQ_DATA_UNIFORM = 0, /* the whole type range */
  TQ_DATA_EXTREME,     /* the type's two ends only */
  TQ_DATA_SMALL,       /* within 3 of the zero point (weights: of 0) */
  TQ_DATA_KINDS
} tq_data;

typedef struct tq_spec {
  tu_spec geo; /* geometry, batch, input size, bias; its data kinds unused */
  simdconv_qtype in_type, out_type;
  int32_t x_zp, y_zp;
  bool per_channel;
  tq_scales scales;
  tq_data xdata, wdata;
  bool clamp; /* qparams clamp [out_min, out_max] */
  int32_t out_min, out_max;
} tq_spec;

/* The zero points the tests favour: 0, 128, 255 (u8), -128, 0, 127 (s8),
 * or a random value. */
int32_t tq_pick_zp(tu_rng *r, simdconv_qtype t);

/* Fills the quantization of s from r (types, zero points, scales, data,
 * sometimes a clamp); the geometry is left as it is. Turns a descriptor
 * activation other than clamp into none (int8 takes clamp only). */
void tq_random_quant(tu_rng *r, tq_spec *s);

/* A random valid int8 configuration within lim. */
void tq_random_spec(tu_rng *r, const tu_limits *lim, tq_spec *s);

void tq_spec_str(const tq_spec *s, char *buf, size_t size);

typedef struct tq_case {
  tq_spec spec;
  simdconv_qparams q;
  float *w_scales;
  size_t OH, OW;
  size_t nx, nw, ny;
  uint8_t *x;
  int8_t *w;
  int32_t *b;   /* NULL without bias */
  uint8_t *ref; /* the oracle's bytes */
  int64_t *acc; /* the oracle's exact sums */
  char name[768];
} tq_case;

/* Draws the tensors and scales, computes the oracle (asserting success). */
void tq_case_init(tq_case *c, const tq_spec *s);
void tq_case_free(tq_case *c);
/* After editing c->x, c->w or c->b: the oracle again. */
void tq_case_refresh(tq_case *c);

/* simdconv_create_q8 with temporary copies of the weights and bias
 * (poisoned and freed right after); asserts *conv is NULL exactly on
 * error. */
simdconv_status tq_try_create(const tq_case *c, const simdconv_options *opt,
                              simdconv_conv **conv);
/* Asserts success on isa (AUTO: the active one) and a q8_ kernel. */
simdconv_conv *tq_create(const tq_case *c, simdconv_isa isa);
/* Forced onto a kernel: NULL when KERNEL_UNSUITABLE, asserted otherwise. */
simdconv_conv *tq_create_kernel(const tq_case *c, const char *kernel);

/* Runs conv on the case under o (workspace, threads, misalignment in
 * bytes) into y (c->ny bytes); asserts success, the guards and the input
 * unchanged. */
void tq_run(const tq_case *c, const simdconv_conv *conv,
            const tu_run_opts *o, uint8_t *y);
/* Runs and requires every byte to equal the oracle's; `what` names the
 * object in messages (an ISA or kernel). */
void tq_check(const tq_case *c, const simdconv_conv *conv, const char *what,
              const tu_run_opts *o);

/* tq_check on a fresh object of the case on isa (AUTO: the active one). */
void tq_check_isa(const tq_case *c, simdconv_isa isa, const tu_run_opts *o);
/* The geometry of a fixed configuration, default quantization. */
void tq_spec_from_tcfg(tq_spec *s, const tu_tcfg *t, simdconv_layout layout,
                       uint64_t seed);

/* Number of tq_check() calls and output bytes compared in this process. */
size_t tq_checks(void);
void tq_report(const char *what);

#endif
