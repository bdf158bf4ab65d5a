/* Shared test helpers for transposed convolutions; see test_util.h. Written
 * from PyTorch's documentation of ConvTranspose2d and ONNX's ConvTranspose,
 * independently of the library. */
#include <string.h>

#include "test_util.h"

/* (in-1)*stride + dil*(k-1) + op + 1 - pads, or 0 when below 1. */
static size_t tu_tr_out(size_t in, size_t stride, size_t dil, size_t k,
                        size_t op, size_t pa, size_t pb) {
  const size_t full = (in - 1) * stride + dil * (k - 1) + op + 1;
  return full > pa + pb ? full - pa - pb : 0;
}

/* ONNX SAME_UPPER: total = full - in*stride = dil*(k-1) + op + 1 - stride;
 * total/2 at the start, the rest at the end. */
static bool tu_tr_same(size_t stride, size_t dil, size_t k, size_t op,
                       size_t *a, size_t *b) {
  const long total = (long)(dil * (k - 1) + op + 1) - (long)stride;
  if (total < 0)
    return false;
  *a = (size_t)total / 2;
  *b = (size_t)total - *a;
  return true;
}

simdconv_status tu_expected_shape_transposed(const simdconv_desc *d, size_t H,
                                             size_t W, size_t pads[4],
                                             size_t *OH, size_t *OW) {
  size_t p[4] = {0, 0, 0, 0};
  if (d->padding == SIMDCONV_PADDING_EXPLICIT) {
    p[0] = d->pad_top;
    p[1] = d->pad_bottom;
    p[2] = d->pad_left;
    p[3] = d->pad_right;
  } else if (d->padding == SIMDCONV_PADDING_SAME &&
             (!tu_tr_same(d->stride_h, d->dilation_h, d->kernel_h,
                          d->output_padding_h, &p[0], &p[1]) ||
              !tu_tr_same(d->stride_w, d->dilation_w, d->kernel_w,
                          d->output_padding_w, &p[2], &p[3]))) {
    return SIMDCONV_ERR_OUTPUT_SHAPE;
  }
  if (pads != NULL)
    memcpy(pads, p, sizeof p);
  if (H == 0 || W == 0)
    return SIMDCONV_ERR_INVALID_SIZE;
  const size_t oh = tu_tr_out(H, d->stride_h, d->dilation_h, d->kernel_h,
                              d->output_padding_h, p[0], p[1]);
  const size_t ow = tu_tr_out(W, d->stride_w, d->dilation_w, d->kernel_w,
                              d->output_padding_w, p[2], p[3]);
  if (oh == 0 || ow == 0)
    return SIMDCONV_ERR_EMPTY_OUTPUT;
  if (OH != NULL)
    *OH = oh;
  if (OW != NULL)
    *OW = ow;
  return SIMDCONV_OK;
}

/* 1 half of the time, else uniform in [1, max]. */
static size_t tu_tr_small(tu_rng *r, size_t max) {
  return tu_rng_chance(r, 50) ? 1 : tu_rng_range(r, 1, max);
}

/* Channels and groups: depthwise (any multiplier) a fifth of the time. */
static void tu_tr_channels(tu_rng *r, const tu_limits *lim, size_t *C,
                           size_t *K, size_t *groups) {
  if (lim->max_depthwise_c > 0 && tu_rng_chance(r, 20)) {
    *groups = *C = tu_rng_range(r, 1, lim->max_depthwise_c);
    *K = *C * tu_rng_range(r, 1, 2);
    return;
  }
  *groups = tu_rng_range(r, 1, lim->max_groups);
  *C = *groups * tu_rng_range(r, 1, lim->max_cg);
  *K = *groups * tu_rng_range(r, 1, lim->max_kg);
}

/* Output padding below max(stride, dilation), often 0. */
static size_t tu_tr_out_pad(tu_rng *r, size_t stride, size_t dil) {
  const size_t lim = stride > dil ? stride : dil;
  return tu_rng_chance(r, 60) ? 0 : tu_rng_below(r, lim);
}

void tu_random_transposed_spec(tu_rng *r, const tu_limits *lim, tu_spec *s) {
  for (;;) {
    memset(s, 0, sizeof *s);
    simdconv_desc *d = &s->desc;
    size_t groups, C, K;
    tu_tr_channels(r, lim, &C, &K, &groups);
    simdconv_desc_init(d, C, K, tu_rng_range(r, 1, lim->max_rs),
                       tu_rng_range(r, 1, lim->max_rs));
    d->transposed = 1;
    d->groups = groups;
    d->stride_h = tu_rng_range(r, 1, lim->max_stride + 1);
    d->stride_w = tu_rng_chance(r, 70) ? d->stride_h
                                       : tu_rng_range(r, 1, lim->max_stride + 1);
    d->dilation_h = tu_tr_small(r, lim->max_dil);
    d->dilation_w = tu_tr_small(r, lim->max_dil);
    d->output_padding_h = tu_tr_out_pad(r, d->stride_h, d->dilation_h);
    d->output_padding_w = tu_tr_out_pad(r, d->stride_w, d->dilation_w);
    const size_t pick = tu_rng_below(r, 100);
    if (pick < 10) {
      d->padding = SIMDCONV_PADDING_VALID;
    } else if (pick < 20) {
      d->padding = SIMDCONV_PADDING_SAME;
    } else {
      d->pad_top = tu_rng_range(r, 0, lim->max_pad);
      d->pad_bottom = tu_rng_chance(r, 50) ? d->pad_top
                                           : tu_rng_range(r, 0, lim->max_pad);
      d->pad_left = tu_rng_range(r, 0, lim->max_pad);
      d->pad_right = tu_rng_chance(r, 50) ? d->pad_left
                                          : tu_rng_range(r, 0, lim->max_pad);
    }
    d->layout = (simdconv_layout)tu_rng_below(r, 2);
    d->weight_layout = (simdconv_weight_layout)tu_rng_below(r, 3);
    d->flip_kernel = tu_rng_chance(r, 15);
    if (tu_random_run_fields(r, lim, s))
      return;
  }
}
