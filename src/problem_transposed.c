/*
 * The transposed convolution's part of descriptor validation: PyTorch's
 * output_padding rule, zeros padding only, ONNX's 'same' (SAME_UPPER) and
 * output_shape rules, and the output size. All operands are at most
 * SIMDCONV_MAX_DIM = 2^31-1, so (in-1)*stride + dil*(k-1) + 1 + out_pad stays
 * below 2^63 and no sum here overflows a 64-bit size_t.
 */
#include "problem_transposed.h"

/* PyTorch: "output padding must be smaller than either stride or
 * dilation". */
static bool tr_out_pad_ok(size_t out_pad, size_t stride, size_t dil) {
  return out_pad < (stride > dil ? stride : dil);
}

simdconv_status sc_transposed_check(const simdconv_desc *d) {
  if (!d->transposed)
    return d->output_padding_h == 0 && d->output_padding_w == 0
               ? SIMDCONV_OK
               : SIMDCONV_ERR_OUTPUT_PADDING;
  if (!tr_out_pad_ok(d->output_padding_h, d->stride_h, d->dilation_h) ||
      !tr_out_pad_ok(d->output_padding_w, d->stride_w, d->dilation_w))
    return SIMDCONV_ERR_OUTPUT_PADDING;
  if (d->padding_mode != SIMDCONV_PAD_ZEROS)
    return SIMDCONV_ERR_PADDING_MODE;
  return SIMDCONV_OK;
}

/* The full output of one axis (nothing cropped): (in-1)*stride +
 * dil*(k-1) + 1 + out_pad. */
static size_t tr_full_size(size_t in, size_t dil, size_t k, size_t stride,
                           size_t out_pad) {
  return (in - 1) * stride + dil * (k - 1) + 1 + out_pad;
}

size_t sc_transposed_out_size(size_t in, size_t before, size_t after,
                              size_t dil, size_t k, size_t stride,
                              size_t out_pad) {
  const size_t full = tr_full_size(in, dil, k, stride, out_pad);
  return full > before + after ? full - before - after : 0;
}

/* ONNX: total = full - out; SAME_UPPER puts total/2 first, SAME_LOWER
 * total - total/2. False when total < 0. */
static bool tr_split(size_t full, size_t out, simdconv_auto_pad split,
                     size_t *before, size_t *after) {
  if (out > full)
    return false;
  const size_t total = full - out, half = total / 2;
  *before = split == SIMDCONV_AUTO_PAD_SAME_UPPER ? half : total - half;
  *after = total - *before;
  return true;
}

simdconv_status sc_transposed_same_padding(const simdconv_desc *d,
                                           sc_problem *p) {
  /* (in-1)*s + span - out with out = in*s: the input size cancels, so the
   * 'same' padding is a property of the descriptor, as in the forward case;
   * in = 1 gives it. */
  const bool ok =
      tr_split(tr_full_size(1, d->dilation_h, d->kernel_h, d->stride_h,
                            d->output_padding_h),
               d->stride_h, SIMDCONV_AUTO_PAD_SAME_UPPER, &p->pad_top,
               &p->pad_bottom) &&
      tr_split(tr_full_size(1, d->dilation_w, d->kernel_w, d->stride_w,
                            d->output_padding_w),
               d->stride_w, SIMDCONV_AUTO_PAD_SAME_UPPER, &p->pad_left,
               &p->pad_right);
  return ok ? SIMDCONV_OK : SIMDCONV_ERR_OUTPUT_SHAPE;
}

static bool tr_dim_ok(size_t v) { return v >= 1 && v <= SIMDCONV_MAX_DIM; }

simdconv_status simdconv_transposed_padding(const simdconv_desc *desc,
                                            size_t in_h, size_t in_w,
                                            size_t out_h, size_t out_w,
                                            simdconv_auto_pad split,
                                            size_t pads[4]) {
  if (desc == NULL || pads == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  if (!desc->transposed || (unsigned)split > SIMDCONV_AUTO_PAD_SAME_LOWER)
    return SIMDCONV_ERR_INVALID_ENUM;
  /* Validate the rest of the descriptor with explicit zero pads, so that its
   * own padding fields cannot fail the check. */
  simdconv_desc d = *desc;
  d.padding = SIMDCONV_PADDING_EXPLICIT;
  d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = 0;
  const simdconv_status st = simdconv_desc_validate(&d);
  if (st != SIMDCONV_OK)
    return st;
  if (!tr_dim_ok(in_h) || !tr_dim_ok(in_w) || !tr_dim_ok(out_h) ||
      !tr_dim_ok(out_w))
    return SIMDCONV_ERR_INVALID_SIZE;
  size_t p[4];
  if (!tr_split(tr_full_size(in_h, d.dilation_h, d.kernel_h, d.stride_h,
                             d.output_padding_h),
                out_h, split, &p[0], &p[1]) ||
      !tr_split(tr_full_size(in_w, d.dilation_w, d.kernel_w, d.stride_w,
                             d.output_padding_w),
                out_w, split, &p[2], &p[3]))
    return SIMDCONV_ERR_OUTPUT_SHAPE;
  for (size_t i = 0; i < 4; i++)
    if (p[i] > SIMDCONV_MAX_DIM) /* a descriptor could not take it */
      return SIMDCONV_ERR_INVALID_SIZE;
  for (size_t i = 0; i < 4; i++)
    pads[i] = p[i];
  return SIMDCONV_OK;
}
