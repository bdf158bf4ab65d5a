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

#endif
