/* Where a padded tap reads from, for every padding mode. */
#ifndef SIMDCONV_PADDING_H
#define SIMDCONV_PADDING_H

#include <stddef.h>

#include "simdconv.h"

/* Maps a coordinate i of the padded axis (may be negative or >= n) to the
 * input coordinate it reads, or -1 for a zero tap. Valid because validation
 * guarantees i >= -pad_before and i <= n - 1 + pad_after, with reflect pads
 * < n and circular pads <= n: one reflection or wrap always suffices. */
static inline ptrdiff_t sc_pad_map(ptrdiff_t i, ptrdiff_t n,
                                   simdconv_padding_mode mode) {
  if (i >= 0 && i < n)
    return i;
  switch (mode) {
  case SIMDCONV_PAD_REFLECT:
    return i < 0 ? -i : 2 * (n - 1) - i;
  case SIMDCONV_PAD_REPLICATE:
    return i < 0 ? 0 : n - 1;
  case SIMDCONV_PAD_CIRCULAR:
    return i < 0 ? i + n : i - n;
  case SIMDCONV_PAD_ZEROS:
    break;
  }
  return -1;
}

/* The outputs [lo, hi) of an axis of n inputs (OUT outputs, taps taps at
 * stride and dil, pad_before) whose taps all read real inputs: there every
 * padding mode reads o * stride + t * dil - pad_before itself. */
static inline void sc_pad_interior(size_t n, size_t out, size_t taps,
                                   size_t stride, size_t dil, size_t pad_before,
                                   size_t *lo, size_t *hi) {
  const size_t span = (taps - 1) * dil; /* validated: fits the padded axis */
  size_t l = (pad_before + stride - 1) / stride, h = 0;
  if (n - 1 + pad_before >= span)
    h = (n - 1 + pad_before - span) / stride + 1;
  if (h > out)
    h = out;
  if (l > out)
    l = out;
  if (h < l)
    h = l;
  *lo = l;
  *hi = h;
}

#endif
