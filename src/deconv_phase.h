/*
 * The phase decomposition shared by the transposed-convolution drivers
 * (src/deconv.c on the igemm micro-kernels, src/deconv_dw.c on the
 * depthwise ones); see src/deconv.h for the canonical order it serves.
 */
#ifndef SIMDCONV_DECONV_PHASE_H
#define SIMDCONV_DECONV_PHASE_H

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "activation.h"
#include "conv_internal.h"
#include "deconv.h"
#include "igemm.h"
#include "problem.h"
#include "tasks.h"

/* Floats of the stack buffer of an NCHW output row (segment) computed NHWC
 * before it is transposed into the planes (32 KiB: it stays in L1). */
#define DC_NCHW_BUF 8192

/* One axis of a transposed convolution. */
typedef struct dc_axis {
  size_t k, stride, dil, pad; /* kernel size, stride, dilation, pad before */
  size_t step; /* kernel index step between a phase's taps: stride / gcd */
  size_t ddil; /* input index step between them: dilation / gcd */
  size_t ncls; /* phase classes: min(k, step) */
} dc_axis;

static inline size_t dc_gcd(size_t a, size_t b) {
  while (b != 0) {
    const size_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

static inline dc_axis dc_axis_make(size_t k, size_t stride, size_t dil,
                                   size_t pad) {
  const size_t g = dc_gcd(stride, dil), step = stride / g;
  return (dc_axis){k, stride, dil, pad, step, dil / g, k < step ? k : step};
}

static inline dc_axis dc_axis_h(const sc_problem *p) {
  return dc_axis_make(p->R, p->stride_h, p->dil_h, p->pad_top);
}

static inline dc_axis dc_axis_w(const sc_problem *p) {
  return dc_axis_make(p->S, p->stride_w, p->dil_w, p->pad_left);
}

/* Taps of class c: kernel indices c, c + step, ... below k. */
static inline size_t dc_class_taps(const dc_axis *a, size_t c) {
  return (a->k - 1 - c) / a->step + 1;
}

/* The largest kernel index of class c: the first tap in canonical order. */
static inline size_t dc_class_first(const dc_axis *a, size_t c) {
  return c + (dc_class_taps(a, c) - 1) * a->step;
}

/* The taps of one output index: its class, their count (0: none, the output
 * is the bias) and the input index of the first; tap j reads input index
 * base + j * ddil. */
typedef struct dc_taps {
  size_t cls, count;
  ptrdiff_t base;
} dc_taps;

static inline dc_taps dc_axis_taps(const dc_axis *a, size_t out) {
  const size_t o = out + a->pad, phase = o % a->stride;
  dc_taps t = {0, 0, 0};
  /* The class is the smallest kernel index r with r*d = o (mod s); any
   * solution minus a multiple of step is one, so it lies below min(k, step). */
  for (size_t c = 0; c < a->ncls; c++)
    if (c * a->dil % a->stride == phase) {
      t.cls = c;
      t.count = dc_class_taps(a, c);
      t.base = ((ptrdiff_t)o - (ptrdiff_t)(dc_class_first(a, c) * a->dil)) /
               (ptrdiff_t)a->stride; /* exact */
      return t;
    }
  return t;
}

/* The one output index below stride that has class c: o = out + pad with
 * o = c * dil (mod stride). Classes have distinct residues (c < step), so a
 * loop over the classes visits each phase with taps once: size queries
 * iterate the ncls <= k classes instead of the up to stride phases (a
 * stride of 2^31 - 1 would otherwise cost 2^31 iterations). */
static inline size_t dc_class_phase(const dc_axis *a, size_t c) {
  /* c < 2^31 and dil < 2^31: the product fits. */
  const size_t r = c * a->dil % a->stride, pad = a->pad % a->stride;
  return r >= pad ? r - pad : r + a->stride - pad;
}

/* The packed weights of a transposed kernel start with this header and the
 * bias (bias + 0.0f, K floats, at float offset `bias`); the classes' packed
 * sub-kernels follow at float offsets cls[ch * ncls_w + cw], each in the
 * layout of the micro-kernel family. */
typedef struct dc_packed {
  size_t ncls_h, ncls_w;
  size_t bias;
  size_t cls[];
} dc_packed;

/* Bytes of the header and the bias, SC_ALIGNMENT aligned; false on
 * overflow. */
static inline bool dc_packed_head(const sc_problem *p, size_t ncls,
                                  size_t *bytes) {
  size_t hdr;
  if (!sc_mul_ok(ncls, sizeof(size_t), &hdr) ||
      __builtin_add_overflow(hdr, sizeof(dc_packed), &hdr))
    return false;
  *bytes = sc_round_up(hdr, SC_ALIGNMENT) +
           sc_round_up(p->K * sizeof(float), SC_ALIGNMENT);
  return true;
}

/* Fills the header's counts and the bias (the classes' offsets are the
 * caller's). */
static inline void dc_packed_init(const sc_problem *p, const float *bias,
                                  void *packed) {
  dc_packed *hdr = packed;
  const dc_axis ah = dc_axis_h(p), aw = dc_axis_w(p);
  hdr->ncls_h = ah.ncls;
  hdr->ncls_w = aw.ncls;
  hdr->bias = sc_round_up(sizeof(dc_packed) + ah.ncls * aw.ncls *
                              sizeof(size_t), SC_ALIGNMENT) / sizeof(float);
  float *f = packed;
  for (size_t i = 0; i < p->K; i++)
    f[hdr->bias + i] = bias != NULL ? bias[i] + 0.0f : 0.0f;
}

/* Floats of one class's packed sub-kernel with `taps` taps (SIZE_MAX on
 * overflow), for the driver whose kernel is k. */
typedef size_t (*dc_class_floats_fn)(const sc_conv_kernel *k,
                                     const sc_problem *p, size_t taps);

/* Total bytes of a transposed kernel's packed weights: the head, then each
 * class (ch, cw), SC_ALIGNMENT aligned; cls_off (may be NULL) receives
 * their float offsets. False on overflow. */
static inline bool dc_packed_layout(const sc_conv_kernel *k,
                                    const sc_problem *p,
                                    dc_class_floats_fn class_floats,
                                    size_t *cls_off, size_t *total) {
  const dc_axis ah = dc_axis_h(p), aw = dc_axis_w(p);
  size_t ncls, bytes;
  if (!sc_mul_ok(ah.ncls, aw.ncls, &ncls) || !dc_packed_head(p, ncls, &bytes))
    return false;
  for (size_t ch = 0; ch < ah.ncls; ch++)
    for (size_t cw = 0; cw < aw.ncls; cw++) {
      const size_t f = class_floats(
          k, p, dc_class_taps(&ah, ch) * dc_class_taps(&aw, cw));
      if (cls_off != NULL)
        cls_off[ch * aw.ncls + cw] = bytes / sizeof(float);
      if (f == SIZE_MAX || f > (SIZE_MAX - SC_ALIGNMENT - bytes) / sizeof(float))
        return false;
      bytes += sc_round_up(f * sizeof(float), SC_ALIGNMENT);
    }
  *total = bytes;
  return true;
}

/* A driver's packed size: dc_packed_layout()'s total, SIZE_MAX on
 * overflow. */
static inline size_t dc_packed_size(const sc_conv_kernel *k,
                                    const sc_problem *p,
                                    dc_class_floats_fn class_floats) {
  size_t total;
  return dc_packed_layout(k, p, class_floats, NULL, &total) ? total
                                                            : SIZE_MAX;
}

/* Packs one class (ch, cw) of a transposed kernel at out, in its driver's
 * layout. */
typedef void (*dc_pack_class_fn)(const sc_conv_kernel *k, const sc_problem *p,
                                 const float *w_krsc, const float *bias,
                                 size_t ch, size_t cw, float *out);

/* Packs a transposed kernel: the head and the bias, then every class at
 * its offset (the layout checked by the packed size). */
static inline void dc_pack_classes(const sc_conv_kernel *k,
                                   const sc_problem *p, const float *w_krsc,
                                   const float *bias, void *packed,
                                   dc_class_floats_fn class_floats,
                                   dc_pack_class_fn pack_class) {
  dc_packed *hdr = packed;
  const dc_axis ah = dc_axis_h(p), aw = dc_axis_w(p);
  size_t total;
  dc_packed_init(p, bias, packed);
  (void)dc_packed_layout(k, p, class_floats, hdr->cls, &total);
  for (size_t ch = 0; ch < ah.ncls; ch++)
    for (size_t cw = 0; cw < aw.ncls; cw++)
      pack_class(k, p, w_krsc, bias, ch, cw,
                 (float *)packed + hdr->cls[ch * aw.ncls + cw]);
}

/* Asks for the output lines of an NCHW row segment (nc planes `plane`
 * floats apart, `width` floats of each from y) before it is written: the
 * transpose of a segment computed NHWC then stores into lines already
 * owned, instead of waiting on a burst of one line miss per plane and 64
 * bytes (simdconv-ab, 1 thread, igemm driver: U-Net up4 NCHW 1.18x, up3
 * 1.13x, LinkNet dec2 1.10x, every layer of the suite's NCHW runs
 * 0.99-1.18x). Spread over the segment's micro-kernel calls they measured
 * 0.85-1.0x of this. */
static inline void dc_prefetch_planes(const float *y, size_t plane,
                                      size_t nc, size_t width) {
  for (size_t j = 0; j < nc; j++)
    for (size_t x = 0; x < width; x += 16)
      __builtin_prefetch(y + j * plane + x, 1);
}

/* NCHW rows between the planes and a pixel-major buffer, 8 planes per
 * transpose: each plane's row is then read or written in consecutive 8x8
 * blocks rather than 32 bytes from every one of nc planes in turn (LinkNet
 * dec2 NCHW: 0.66 -> 0.79 of NHWC). The planes: nc rows of `width` floats,
 * `plane` floats apart from `planes`; the buffer: `width` pixels of nc
 * channels, `ps` floats apart from `px`. */
static inline void dc_planes_to_pixels(sc_transpose_fn transpose,
                                       const float *planes, size_t plane,
                                       size_t nc, size_t width, float *px,
                                       size_t ps) {
  for (size_t j = 0; j < nc; j += 8)
    transpose(nc - j < 8 ? nc - j : 8, width, planes + j * plane, plane,
              px + j, ps);
}

static inline void dc_pixels_to_planes(sc_transpose_fn transpose,
                                       const float *px, size_t ps, size_t nc,
                                       size_t width, float *planes,
                                       size_t plane) {
  for (size_t j = 0; j < nc; j += 8)
    transpose(width, nc - j < 8 ? nc - j : 8, px + j, ps, planes + j * plane,
              plane);
}

/* Input row ih of an NCHW image x (C planes of H x W) in HCW order: its C
 * channel rows one after another, Wp floats apart from dst. On CHW planes
 * of a power-of-two size the channels of one tap share an L1 set; in HCW
 * they do not (src/deconv_pix.h). */
static inline void dc_hcw_row_copy(const float *x, size_t C, size_t H,
                                   size_t W, size_t ih, float *dst,
                                   size_t Wp) {
  for (size_t c = 0; c < C; c++)
    memcpy(dst + c * Wp, x + (c * H + ih) * W, W * sizeof(float));
}

/* The value of an output without taps, b being its packed bias + 0.0f:
 * act(fmaf(alpha, *r, b)), or act(b) when r is NULL (no residual), as
 * every kernel computes it (fmaf and the scalar activation are bitwise
 * the vector epilogues'). */
static inline float dc_bias_output(const sc_scalar_math *m,
                                   const sc_problem *p, float b,
                                   const float *r, float alpha) {
  if (r != NULL)
    b = fmaf(alpha, *r, b);
  return sc_activate_f32(m, p->activation, p->act_min, p->act_max, b);
}

#endif
