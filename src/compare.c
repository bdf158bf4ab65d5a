/*
 * simdconv_compare(): checks fp32 results against the fp64 oracle.
 *
 * Per element, in this order:
 *   bound +inf      anything goes (fp32 overflow was possible);
 *   ref NaN         y must be NaN (any payload);
 *   ref +-inf       y must equal it;
 *   otherwise       |y - ref| <= bound; a NaN or infinite y is a violation.
 * Error statistics cover the elements of the last case only.
 */
#include <math.h>
#include <stdint.h>

#include "fpenv.h"
#include "simdconv.h"

/* One fp32 ULP at magnitude v: 2^(floor(log2 v) - 23), 2^-149 below 2^-126
 * (the same definition as the oracle's bound). */
static double cmp_ulp32(double v) {
  if (!(v >= 0x1p-126))
    return 0x1p-149;
  if (isinf(v))
    return INFINITY;
  int e;
  (void)frexp(v, &e);
  return ldexp(1.0, e - 24);
}

/* The ULP of fp32(ref); past FLT_MAX the definition continues in double. */
static double cmp_ulp_of_ref(double ref) {
  const double f = fabs((double)(float)ref);
  return cmp_ulp32(isinf(f) ? fabs(ref) : f);
}

/* Checks one element with a finite reference and a finite bound and
 * updates the error statistics. Returns whether it is within the bound. */
static int cmp_finite(double y, double ref, double bound,
                      simdconv_compare_stats *st) {
  const double err = isnan(y) ? INFINITY : fabs(y - ref);
  double ratio;
  if (bound > 0.0)
    ratio = err / bound;
  else
    ratio = err > 0.0 ? INFINITY : 0.0;
  if (ratio > st->max_err_over_bound)
    st->max_err_over_bound = ratio;
  const double ulps = err / cmp_ulp_of_ref(ref);
  if (ulps > st->max_ulp)
    st->max_ulp = ulps;
  if (err > st->max_abs_err)
    st->max_abs_err = err;
  return err <= bound;
}

static int cmp_one(double y, double ref, double bound,
                   simdconv_compare_stats *st) {
  if (bound == INFINITY)
    return 1;
  if (isnan(ref))
    return isnan(y);
  if (isinf(ref))
    return y == ref;
  return cmp_finite(y, ref, bound, st);
}

/* Not inlined: the FP environment guard must surround opaque code. */
static __attribute__((noinline)) void
cmp_all(const float *y, const double *ref, const double *bound, size_t n,
        simdconv_compare_stats *stats) {
  *stats = (simdconv_compare_stats){0};
  stats->count = n;
  stats->first_violation = n;
  for (size_t i = 0; i < n; i++) {
    if (cmp_one((double)y[i], ref[i], bound[i], stats))
      continue;
    if (stats->violations++ == 0)
      stats->first_violation = i;
  }
}

SIMDCONV_API simdconv_status simdconv_compare(const float *y,
                                              const double *ref,
                                              const double *bound, size_t n,
                                              simdconv_compare_stats *stats) {
  if (!stats || (n != 0 && (!y || !ref || !bound)))
    return SIMDCONV_ERR_NULL_POINTER;
  if ((uintptr_t)y % _Alignof(float) || (uintptr_t)ref % _Alignof(double) ||
      (uintptr_t)bound % _Alignof(double))
    return SIMDCONV_ERR_MISALIGNED;
  /* The statistics are computed in double: in the canonical environment,
   * like everything else, so the verdict does not depend on the caller's. */
  sc_fpenv env;
  sc_fpenv_enter(&env);
  cmp_all(y, ref, bound, n, stats);
  sc_fpenv_leave(&env);
  return SIMDCONV_OK;
}
