/* Shared helpers of the simdconv test suite; see test_util.h. */
#include "test_util.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

/* ------------------------------------------------------------------------ */
/* PRNG                                                                     */
/* ------------------------------------------------------------------------ */

void tu_rng_seed(tu_rng *r, uint64_t seed) {
  /* splitmix64 of the seed: never zero, well mixed even for seeds 0, 1, 2. */
  uint64_t z = seed + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  r->s = z ? z : 0x853c49e6748fea9bull;
}

uint64_t tu_rng_u64(tu_rng *r) {
  uint64_t s = r->s;
  s ^= s >> 12;
  s ^= s << 25;
  s ^= s >> 27;
  r->s = s;
  return s * 0x2545f4914f6cdd1dull;
}

size_t tu_rng_below(tu_rng *r, size_t n) {
  return (size_t)((tu_rng_u64(r) >> 11) % (uint64_t)n);
}

size_t tu_rng_range(tu_rng *r, size_t lo, size_t hi) {
  return lo + tu_rng_below(r, hi - lo + 1);
}

float tu_rng_float(tu_rng *r, float lo, float hi) {
  const float u = (float)(tu_rng_u64(r) >> 40) * 0x1p-24f; /* [0, 1) */
  const float v = lo + (hi - lo) * u;
  return v < hi ? v : lo;
}

bool tu_rng_chance(tu_rng *r, unsigned percent) {
  return tu_rng_below(r, 100) < percent;
}

uint64_t tu_base_seed(uint64_t def) {
  const char *e = getenv("SIMDCONV_TEST_SEED");
  if (e == NULL || *e == '\0')
    return def;
  return (uint64_t)strtoull(e, NULL, 0);
}

/* ------------------------------------------------------------------------ */
/* Tensor contents                                                          */
/* ------------------------------------------------------------------------ */

const char *tu_data_name(tu_data kind) {
  static const char *const names[TU_DATA_KINDS] = {
      "uniform",  "int",  "positive", "wide",
      "signed-zero", "denormal", "huge", "underflow"};
  return (unsigned)kind < TU_DATA_KINDS ? names[kind] : "?";
}

static float tu_from_bits(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

uint32_t tu_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

void tu_fill(tu_rng *r, float *p, size_t n, tu_data kind) {
  for (size_t i = 0; i < n; i++) {
    float v = 0.0f;
    switch (kind) {
    case TU_DATA_UNIFORM:
      v = tu_rng_float(r, -1.0f, 1.0f);
      break;
    case TU_DATA_INT:
      v = (float)((int)tu_rng_below(r, 17) - 8);
      break;
    case TU_DATA_POSITIVE:
      v = tu_rng_float(r, 0.5f, 1.5f);
      break;
    case TU_DATA_WIDE: {
      const int e = (int)tu_rng_below(r, 61) - 30;
      v = ldexpf(tu_rng_float(r, 1.0f, 2.0f), e);
      if (tu_rng_chance(r, 50))
        v = -v;
      break;
    }
    case TU_DATA_SIGNED_ZERO:
      v = tu_rng_chance(r, 50) ? -0.0f : 0.0f;
      break;
    case TU_DATA_DENORMAL: {
      const uint32_t mant = (uint32_t)tu_rng_range(r, 1, 0x7fffff);
      v = tu_from_bits((tu_rng_chance(r, 50) ? 0x80000000u : 0u) | mant);
      break;
    }
    case TU_DATA_HUGE:
      v = tu_rng_float(r, 0.5f, 1.0f) * FLT_MAX;
      if (tu_rng_chance(r, 50))
        v = -v;
      break;
    case TU_DATA_UNDERFLOW:
      v = tu_rng_chance(r, 50) ? 0.0f
                               : ldexpf((float)tu_rng_range(r, 1, 3), -75);
      if (tu_rng_chance(r, 50))
        v = -v;
      break;
    case TU_DATA_KINDS:
      break;
    }
    p[i] = v;
  }
}

/* ------------------------------------------------------------------------ */
/* Activations                                                              */
/* ------------------------------------------------------------------------ */

void tu_set_act(simdconv_desc *d, tu_act a) {
  d->act_min = -INFINITY;
  d->act_max = INFINITY;
  switch (a) {
  case TU_ACT_NONE:
    d->activation = SIMDCONV_ACT_NONE;
    break;
  case TU_ACT_RELU:
    d->activation = SIMDCONV_ACT_CLAMP;
    d->act_min = 0.0f;
    break;
  case TU_ACT_RELU6:
    d->activation = SIMDCONV_ACT_CLAMP;
    d->act_min = 0.0f;
    d->act_max = 6.0f;
    break;
  case TU_ACT_CLAMP:
    d->activation = SIMDCONV_ACT_CLAMP;
    d->act_min = -0.25f;
    d->act_max = 0.5f;
    break;
  case TU_ACT_SIGMOID:
    d->activation = SIMDCONV_ACT_SIGMOID;
    break;
  case TU_ACT_TANH:
    d->activation = SIMDCONV_ACT_TANH;
    break;
  case TU_ACT_SILU:
    d->activation = SIMDCONV_ACT_SILU;
    break;
  case TU_ACT_GELU_ERF:
    d->activation = SIMDCONV_ACT_GELU_ERF;
    break;
  case TU_ACT_GELU_TANH:
    d->activation = SIMDCONV_ACT_GELU_TANH;
    break;
  case TU_ACT_VARIANTS:
    break;
  }
}

const char *tu_act_name(tu_act a) {
  static const char *const names[TU_ACT_VARIANTS] = {
      "none", "relu", "relu6", "clamp", "sigmoid",
      "tanh", "silu", "gelu_erf", "gelu_tanh"};
  return (unsigned)a < TU_ACT_VARIANTS ? names[a] : "?";
}

/* ------------------------------------------------------------------------ */
/* Names                                                                    */
/* ------------------------------------------------------------------------ */

const char *tu_isa_str(simdconv_isa isa) {
  const char *name = simdconv_isa_name(isa);
  return name != NULL ? name : "?";
}

const char *tu_layout_str(simdconv_layout l) {
  return l == SIMDCONV_LAYOUT_NCHW   ? "NCHW"
         : l == SIMDCONV_LAYOUT_NHWC ? "NHWC"
                                     : "?";
}

const char *tu_wlayout_str(simdconv_weight_layout l) {
  return l == SIMDCONV_WEIGHTS_OIHW   ? "OIHW"
         : l == SIMDCONV_WEIGHTS_OHWI ? "OHWI"
         : l == SIMDCONV_WEIGHTS_IOHW ? "IOHW"
                                      : "?";
}

const char *tu_padding_str(simdconv_padding p) {
  return p == SIMDCONV_PADDING_EXPLICIT ? "explicit"
         : p == SIMDCONV_PADDING_VALID  ? "valid"
         : p == SIMDCONV_PADDING_SAME   ? "same"
                                        : "?";
}

const char *tu_mode_str(simdconv_padding_mode m) {
  switch (m) {
  case SIMDCONV_PAD_ZEROS:
    return "zeros";
  case SIMDCONV_PAD_REFLECT:
    return "reflect";
  case SIMDCONV_PAD_REPLICATE:
    return "replicate";
  case SIMDCONV_PAD_CIRCULAR:
    return "circular";
  }
  return "?";
}

const char *tu_activation_str(simdconv_activation a) {
  const char *name = simdconv_activation_name(a);
  return name != NULL ? name : "?";
}

/* ------------------------------------------------------------------------ */
/* Shapes and indexing                                                      */
/* ------------------------------------------------------------------------ */

simdconv_status tu_expected_shape(const simdconv_desc *d, size_t H, size_t W,
                                  size_t pads[4], size_t *OH, size_t *OW) {
  if (d->transposed)
    return tu_expected_shape_transposed(d, H, W, pads, OH, OW);
  size_t p[4] = {0, 0, 0, 0};
  if (d->padding == SIMDCONV_PADDING_EXPLICIT) {
    p[0] = d->pad_top;
    p[1] = d->pad_bottom;
    p[2] = d->pad_left;
    p[3] = d->pad_right;
  } else if (d->padding == SIMDCONV_PADDING_SAME) {
    const size_t th = d->dilation_h * (d->kernel_h - 1);
    const size_t tw = d->dilation_w * (d->kernel_w - 1);
    p[0] = th / 2;
    p[1] = th - th / 2;
    p[2] = tw / 2;
    p[3] = tw - tw / 2;
  }
  if (pads != NULL)
    memcpy(pads, p, sizeof p);
  if (H == 0 || W == 0)
    return SIMDCONV_ERR_INVALID_SIZE;
  if (d->padding_mode == SIMDCONV_PAD_REFLECT &&
      (p[0] >= H || p[1] >= H || p[2] >= W || p[3] >= W))
    return SIMDCONV_ERR_PADDING_TOO_LARGE;
  if (d->padding_mode == SIMDCONV_PAD_CIRCULAR &&
      (p[0] > H || p[1] > H || p[2] > W || p[3] > W))
    return SIMDCONV_ERR_PADDING_TOO_LARGE;
  const size_t ph = H + p[0] + p[1], pw = W + p[2] + p[3];
  const size_t eh = d->dilation_h * (d->kernel_h - 1) + 1;
  const size_t ew = d->dilation_w * (d->kernel_w - 1) + 1;
  if (ph < eh || pw < ew)
    return SIMDCONV_ERR_EMPTY_OUTPUT;
  if (OH != NULL)
    *OH = (ph - eh) / d->stride_h + 1;
  if (OW != NULL)
    *OW = (pw - ew) / d->stride_w + 1;
  return SIMDCONV_OK;
}

size_t tu_widx(const simdconv_desc *d, size_t k, size_t c, size_t r,
               size_t s) {
  const size_t Cg = d->in_channels / d->groups;
  if (d->weight_layout == SIMDCONV_WEIGHTS_OHWI)
    return ((k * d->kernel_h + r) * d->kernel_w + s) * Cg + c;
  if (d->weight_layout == SIMDCONV_WEIGHTS_IOHW) { /* C x K/g x R x S */
    const size_t Kg = d->out_channels / d->groups;
    return (((k / Kg) * Cg + c) * Kg + k % Kg) * d->kernel_h * d->kernel_w +
           r * d->kernel_w + s;
  }
  return ((k * Cg + c) * d->kernel_h + r) * d->kernel_w + s;
}

size_t tu_tidx(simdconv_layout l, size_t C, size_t H, size_t W, size_t n,
               size_t c, size_t h, size_t w) {
  if (l == SIMDCONV_LAYOUT_NHWC)
    return ((n * H + h) * W + w) * C + c;
  return ((n * C + c) * H + h) * W + w;
}

void tu_tpos(simdconv_layout l, size_t C, size_t H, size_t W, size_t idx,
             size_t pos[4]) {
  if (l == SIMDCONV_LAYOUT_NHWC) {
    pos[1] = idx % C;
    idx /= C;
    pos[3] = idx % W;
    idx /= W;
    pos[2] = idx % H;
    pos[0] = idx / H;
  } else {
    pos[3] = idx % W;
    idx /= W;
    pos[2] = idx % H;
    idx /= H;
    pos[1] = idx % C;
    pos[0] = idx / C;
  }
}

long tu_map_coord(simdconv_padding_mode m, long i, long size) {
  if (i >= 0 && i < size)
    return i;
  switch (m) {
  case SIMDCONV_PAD_ZEROS:
    return -1;
  case SIMDCONV_PAD_REFLECT:
    return i < 0 ? -i : 2 * (size - 1) - i;
  case SIMDCONV_PAD_REPLICATE:
    return i < 0 ? 0 : size - 1;
  case SIMDCONV_PAD_CIRCULAR:
    return ((i % size) + size) % size;
  }
  return -1;
}

/* ------------------------------------------------------------------------ */
/* The configuration table                                                  */
/* ------------------------------------------------------------------------ */

#define ZEROS SIMDCONV_PAD_ZEROS
#define REFLECT SIMDCONV_PAD_REFLECT
#define REPLICATE SIMDCONV_PAD_REPLICATE
#define CIRCULAR SIMDCONV_PAD_CIRCULAR
#define SAME SIMDCONV_PADDING_SAME
#define VALID SIMDCONV_PADDING_VALID

const tu_tcfg tu_table[] = {
    {.name = "1x1", .C = 3, .K = 5, .H = 4, .W = 6, .R = 1, .S = 1},
    {.name = "1x1 stride 2", .C = 8, .K = 16, .H = 7, .W = 9, .R = 1, .S = 1,
     .sh = 2, .sw = 2, .bias = true},
    {.name = "3x3 pad 1", .C = 4, .K = 6, .H = 8, .W = 8, .R = 3, .S = 3,
     .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true},
    {.name = "3x3 no pad", .C = 5, .K = 3, .H = 7, .W = 10, .R = 3, .S = 3},
    {.name = "stride 2", .C = 3, .K = 8, .H = 9, .W = 11, .R = 3, .S = 3,
     .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
    {.name = "stride 3x1", .C = 2, .K = 4, .H = 13, .W = 6, .R = 2, .S = 3,
     .sh = 3, .sw = 1, .bias = true},
    {.name = "stride 1x3", .C = 3, .K = 5, .H = 5, .W = 17, .R = 3, .S = 2,
     .sh = 1, .sw = 3, .pl = 1},
    {.name = "stride 3 padded", .C = 2, .K = 3, .H = 10, .W = 11, .R = 3,
     .S = 3, .sh = 3, .sw = 3, .pt = 2, .pb = 1, .pl = 1, .pr = 2,
     .bias = true},
    {.name = "asymmetric pad", .C = 3, .K = 4, .H = 6, .W = 7, .R = 3, .S = 3,
     .pt = 2, .pb = 0, .pl = 0, .pr = 3},
    {.name = "asymmetric pad 2", .C = 2, .K = 3, .H = 5, .W = 5, .R = 2,
     .S = 4, .pt = 0, .pb = 3, .pl = 4, .pr = 1, .bias = true},
    {.name = "same odd", .C = 4, .K = 4, .H = 9, .W = 7, .R = 3, .S = 5,
     .padding = SAME},
    {.name = "same even", .C = 3, .K = 5, .H = 6, .W = 8, .R = 4, .S = 2,
     .padding = SAME, .bias = true},
    {.name = "same even dilated", .C = 2, .K = 3, .H = 11, .W = 9, .R = 4,
     .S = 2, .dh = 3, .dw = 2, .padding = SAME},
    {.name = "valid (pads ignored)", .C = 3, .K = 4, .H = 7, .W = 6, .R = 3,
     .S = 2, .padding = VALID, .pt = 2, .pr = 1},
    {.name = "dilation 2", .C = 3, .K = 4, .H = 10, .W = 10, .R = 3, .S = 3,
     .dh = 2, .dw = 2, .pt = 2, .pb = 2, .pl = 2, .pr = 2},
    {.name = "dilation 3x1", .C = 2, .K = 3, .H = 12, .W = 8, .R = 3, .S = 3,
     .dh = 3, .dw = 1, .pt = 1, .pl = 1},
    {.name = "dilation 2x3 stride 2", .C = 4, .K = 4, .H = 13, .W = 11,
     .R = 3, .S = 2, .sh = 2, .sw = 2, .dh = 2, .dw = 3, .pt = 1, .pb = 2,
     .pl = 3, .pr = 0, .bias = true},
    {.name = "reflect pad 1", .C = 3, .K = 4, .H = 6, .W = 7, .R = 3, .S = 3,
     .pt = 1, .pb = 1, .pl = 1, .pr = 1, .mode = REFLECT, .bias = true},
    {.name = "reflect pad size-1", .C = 2, .K = 3, .H = 5, .W = 4, .R = 3,
     .S = 3, .pt = 4, .pb = 4, .pl = 3, .pr = 3, .mode = REFLECT},
    {.name = "reflect asym stride 2", .C = 3, .K = 2, .H = 8, .W = 9, .R = 3,
     .S = 4, .sh = 2, .sw = 2, .pt = 2, .pb = 0, .pl = 1, .pr = 3,
     .mode = REFLECT},
    {.name = "replicate pad 1", .C = 3, .K = 5, .H = 7, .W = 6, .R = 3,
     .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .mode = REPLICATE},
    {.name = "replicate pad > size", .C = 2, .K = 3, .H = 3, .W = 2, .R = 3,
     .S = 3, .pt = 5, .pb = 4, .pl = 6, .pr = 3, .mode = REPLICATE,
     .bias = true},
    {.name = "circular pad 1", .C = 3, .K = 4, .H = 6, .W = 8, .R = 3,
     .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .mode = CIRCULAR},
    {.name = "circular pad = size", .C = 2, .K = 3, .H = 4, .W = 3, .R = 3,
     .S = 3, .pt = 4, .pb = 4, .pl = 3, .pr = 3, .mode = CIRCULAR},
    {.name = "circular dilated", .C = 3, .K = 3, .H = 6, .W = 5, .R = 3,
     .S = 3, .dh = 2, .dw = 2, .pt = 2, .pb = 2, .pl = 2, .pr = 2,
     .mode = CIRCULAR, .bias = true},
    {.name = "same reflect", .C = 3, .K = 4, .H = 6, .W = 5, .R = 5, .S = 3,
     .padding = SAME, .mode = REFLECT},
    {.name = "same circular even", .C = 2, .K = 2, .H = 5, .W = 6, .R = 4,
     .S = 4, .padding = SAME, .mode = CIRCULAR},
    {.name = "same replicate dilated", .C = 2, .K = 3, .H = 7, .W = 7,
     .R = 3, .S = 2, .dh = 2, .dw = 3, .padding = SAME, .mode = REPLICATE},
    {.name = "groups 2", .C = 4, .K = 6, .H = 7, .W = 8, .R = 3, .S = 3,
     .groups = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true},
    {.name = "groups 4", .C = 8, .K = 8, .H = 6, .W = 9, .R = 3, .S = 2,
     .groups = 4, .pl = 1},
    {.name = "groups 4 K=3C", .C = 4, .K = 12, .H = 5, .W = 5, .R = 2, .S = 2,
     .groups = 4, .bias = true},
    {.name = "groups 2 K<C reflect s2", .C = 6, .K = 4, .H = 9, .W = 8,
     .R = 3, .S = 3, .sh = 2, .sw = 2, .groups = 2, .pt = 1, .pb = 1,
     .pl = 1, .pr = 1, .mode = REFLECT},
    {.name = "depthwise", .C = 8, .K = 8, .H = 9, .W = 10, .R = 3, .S = 3,
     .groups = 8, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true},
    {.name = "depthwise x2", .C = 6, .K = 12, .H = 7, .W = 8, .R = 3, .S = 3,
     .groups = 6, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
    {.name = "depthwise 5x5 s2 circular", .C = 5, .K = 5, .H = 11, .W = 9,
     .R = 5, .S = 5, .sh = 2, .sw = 2, .groups = 5, .pt = 2, .pb = 2,
     .pl = 2, .pr = 2, .mode = CIRCULAR, .bias = true},
    {.name = "depthwise x2 dilated same replicate", .C = 3, .K = 6, .H = 8,
     .W = 8, .R = 3, .S = 3, .dh = 2, .dw = 2, .groups = 3, .padding = SAME,
     .mode = REPLICATE},
    {.name = "depthwise reflect", .C = 4, .K = 4, .H = 5, .W = 6, .R = 3,
     .S = 5, .groups = 4, .pt = 2, .pb = 1, .pl = 2, .pr = 4,
     .mode = REFLECT, .bias = true},
    {.name = "batch 3", .N = 3, .C = 3, .K = 4, .H = 5, .W = 6, .R = 3,
     .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true},
    {.name = "batch 2 depthwise", .N = 2, .C = 4, .K = 4, .H = 6, .W = 5,
     .R = 3, .S = 3, .groups = 4, .padding = SAME},
    {.name = "kernel = padded input", .C = 3, .K = 2, .H = 5, .W = 7, .R = 7,
     .S = 9, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
    {.name = "kernel = input", .C = 2, .K = 3, .H = 4, .W = 6, .R = 4, .S = 6,
     .bias = true},
    {.name = "dilated kernel = padded input reflect", .C = 2, .K = 2, .H = 5,
     .W = 4, .R = 3, .S = 2, .dh = 3, .dw = 4, .pt = 1, .pb = 1, .pl = 1,
     .mode = REFLECT},
    {.name = "1xW input", .C = 2, .K = 3, .H = 1, .W = 20, .R = 1, .S = 3,
     .pl = 1, .pr = 1},
    {.name = "Hx1 input", .C = 3, .K = 2, .H = 19, .W = 1, .R = 4, .S = 1,
     .pt = 2, .pb = 1},
    {.name = "1x1 input", .C = 5, .K = 7, .H = 1, .W = 1, .R = 1, .S = 1,
     .bias = true},
    {.name = "1x1 input padded", .C = 2, .K = 3, .H = 1, .W = 1, .R = 3,
     .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
    {.name = "1x1 input circular", .C = 2, .K = 3, .H = 1, .W = 1, .R = 3,
     .S = 2, .pt = 1, .pb = 1, .pl = 1, .mode = CIRCULAR},
    {.name = "odd sizes", .C = 7, .K = 9, .H = 13, .W = 17, .R = 3, .S = 5,
     .pt = 1, .pb = 1, .pl = 2, .pr = 2, .bias = true},
    {.name = "non-square everything", .N = 2, .C = 3, .K = 5, .H = 7,
     .W = 12, .R = 2, .S = 5, .sh = 1, .sw = 2, .dh = 2, .dw = 1, .pt = 1,
     .pb = 0, .pl = 2, .pr = 1, .mode = REFLECT, .bias = true},
    {.name = "tile remainders A", .C = 17, .K = 33, .H = 11, .W = 19, .R = 3,
     .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true},
    {.name = "tile remainders B", .C = 32, .K = 31, .H = 5, .W = 20, .R = 1,
     .S = 3, .pl = 1, .pr = 1},
    {.name = "tile remainders C", .C = 9, .K = 24, .H = 20, .W = 18, .R = 3,
     .S = 3, .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
     .bias = true},
    /* More than 64 KiB of packed weights: igemm runs its tasks block by
     * block (smaller weights run tile by tile), and with threads splits the
     * output channels first (the weights outweigh the input). */
    {.name = "weights > 64 KiB", .C = 48, .K = 40, .H = 6, .W = 7, .R = 3,
     .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true},
    /* NCHW 1x1 stride 1 runs the GEMM up to 64 input channels per group
     * and the igemm family above. */
    {.name = "1x1 C=64", .C = 64, .K = 17, .H = 4, .W = 9, .R = 1, .S = 1},
    {.name = "1x1 C=65", .C = 65, .K = 19, .H = 5, .W = 9, .R = 1, .S = 1,
     .bias = true},
    /* NHWC igemm with at least 32 channels and K x taps <= 128: the
     * micro-kernels prefetch the next tile's rows (zero rows included, the
     * last tile reading the indirection's spare tile). */
    {.name = "prefetched next tile 3x3", .N = 2, .C = 40, .K = 12, .H = 5,
     .W = 9, .R = 3, .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
     .bias = true},
    /* 32 < K <= 64 (AVX-512 6x64): full tiles and tails of 1-5 rows. */
    {.name = "K=64 full tiles", .C = 16, .K = 64, .H = 6, .W = 6, .R = 3,
     .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true},
    {.name = "K=64 7x7 tail 1 prefetched", .C = 40, .K = 64, .H = 7, .W = 7,
     .R = 1, .S = 1},
    {.name = "K=48 tail 2 merged reflect", .C = 9, .K = 48, .H = 4, .W = 5,
     .R = 3, .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .mode = REFLECT},
    {.name = "K=40 tail 3 silu", .C = 35, .K = 40, .H = 3, .W = 5, .R = 3,
     .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .act = TU_ACT_SILU,
     .bias = true},
    {.name = "K=57 tail 4 relu", .N = 2, .C = 33, .K = 57, .H = 2, .W = 5,
     .R = 1, .S = 3, .pl = 1, .pr = 1, .act = TU_ACT_RELU, .bias = true},
    {.name = "7x7 stride 2", .C = 3, .K = 8, .H = 20, .W = 20, .R = 7,
     .S = 7, .sh = 2, .sw = 2, .pt = 3, .pb = 3, .pl = 3, .pr = 3,
     .bias = true},
    {.name = "depthwise tile remainders", .C = 33, .K = 33, .H = 10,
     .W = 19, .R = 3, .S = 3, .groups = 33, .pt = 1, .pb = 1, .pl = 1,
     .pr = 1},
    /* NCHW depthwise on narrow planes (< 2 vectors), stride 1, zero
     * padding, OW == W:
     * flat planes (masked loads spanning rows), 3x3, 5x5 and any kernel;
     * rows cut off at the top and bottom; few planes with many vectors
     * (the threads split the vectors); masks over the workspace bound
     * (tiles then). */
    {.name = "depthwise flat 5x5", .C = 20, .K = 20, .H = 9, .W = 11,
     .R = 5, .S = 5, .groups = 20, .pt = 2, .pb = 2, .pl = 2, .pr = 2,
     .bias = true},
    {.name = "depthwise flat x2 3x5 dilated same", .C = 5, .K = 10, .H = 8,
     .W = 6, .R = 3, .S = 5, .dh = 2, .groups = 5, .padding = SAME,
     .act = TU_ACT_SILU},
    {.name = "depthwise flat rows cut", .C = 6, .K = 6, .H = 7, .W = 9,
     .R = 3, .S = 3, .groups = 6, .pt = 0, .pb = 2, .pl = 1, .pr = 1,
     .bias = true},
    {.name = "depthwise flat few planes", .C = 2, .K = 2, .H = 90, .W = 13,
     .R = 3, .S = 3, .groups = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
    {.name = "depthwise 7x7 tall narrow", .C = 3, .K = 3, .H = 900,
     .W = 13, .R = 7, .S = 7, .groups = 3, .pt = 3, .pb = 3, .pl = 3,
     .pr = 3, .bias = true},
    {.name = "relu", .C = 4, .K = 5, .H = 6, .W = 7, .R = 3, .S = 3,
     .pt = 1, .pb = 1, .pl = 1, .pr = 1, .act = TU_ACT_RELU, .bias = true},
    {.name = "relu6 depthwise", .C = 6, .K = 6, .H = 7, .W = 5, .R = 3,
     .S = 3, .groups = 6, .padding = SAME, .act = TU_ACT_RELU6,
     .bias = true},
    {.name = "clamp groups reflect", .C = 4, .K = 6, .H = 5, .W = 6, .R = 3,
     .S = 2, .groups = 2, .pt = 1, .pb = 1, .pl = 1, .mode = REFLECT,
     .act = TU_ACT_CLAMP},
    {.name = "sigmoid", .C = 3, .K = 4, .H = 6, .W = 6, .R = 3, .S = 3,
     .pt = 1, .pb = 1, .pl = 1, .pr = 1, .act = TU_ACT_SIGMOID, .bias = true},
    {.name = "tanh stride 2", .C = 5, .K = 3, .H = 9, .W = 7, .R = 3, .S = 3,
     .sh = 2, .sw = 2, .act = TU_ACT_TANH},
    {.name = "silu circular", .C = 2, .K = 5, .H = 5, .W = 9, .R = 3, .S = 3,
     .pt = 1, .pb = 2, .pl = 2, .pr = 1, .mode = CIRCULAR,
     .act = TU_ACT_SILU, .bias = true},
    {.name = "gelu-erf depthwise x2", .C = 3, .K = 6, .H = 6, .W = 8, .R = 3,
     .S = 3, .groups = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
     .act = TU_ACT_GELU_ERF},
    {.name = "gelu-tanh dilated", .C = 4, .K = 4, .H = 10, .W = 9, .R = 3,
     .S = 2, .dh = 2, .dw = 3, .padding = SAME, .act = TU_ACT_GELU_TANH,
     .bias = true},
};
const size_t tu_table_len = sizeof tu_table / sizeof tu_table[0];

#undef ZEROS
#undef REFLECT
#undef REPLICATE
#undef CIRCULAR
#undef SAME
#undef VALID

static size_t tu_one(size_t v) { return v ? v : 1; }

void tu_spec_from_tcfg(tu_spec *s, const tu_tcfg *t, simdconv_layout layout,
                       simdconv_weight_layout wlayout, int flip,
                       uint64_t seed) {
  memset(s, 0, sizeof *s);
  simdconv_desc *d = &s->desc;
  simdconv_desc_init(d, t->C, t->K, t->R, t->S);
  d->stride_h = tu_one(t->sh);
  d->stride_w = tu_one(t->sw);
  d->dilation_h = tu_one(t->dh);
  d->dilation_w = tu_one(t->dw);
  d->groups = tu_one(t->groups);
  d->padding = t->padding;
  d->pad_top = t->pt;
  d->pad_bottom = t->pb;
  d->pad_left = t->pl;
  d->pad_right = t->pr;
  d->padding_mode = t->mode;
  d->layout = layout;
  d->weight_layout = wlayout;
  d->flip_kernel = flip;
  tu_set_act(d, t->act);
  d->transposed = t->transposed;
  d->output_padding_h = t->oph;
  d->output_padding_w = t->opw;
  s->N = tu_one(t->N);
  s->H = t->H;
  s->W = t->W;
  s->bias = t->bias;
  s->xdata = s->wdata = t->data;
  s->bdata = t->data == TU_DATA_UNDERFLOW ? TU_DATA_SIGNED_ZERO
                                          : TU_DATA_UNIFORM;
  s->seed = seed;
}

/* ------------------------------------------------------------------------ */
/* Random configurations                                                    */
/* ------------------------------------------------------------------------ */

const tu_limits tu_small_limits = {
    .max_groups = 3,
    .max_cg = 4,
    .max_kg = 4,
    .max_depthwise_c = 8,
    .max_n = 3,
    .max_hw = 12,
    .max_rs = 5,
    .max_stride = 3,
    .max_dil = 3,
    .max_pad = 4,
    .acts = TU_ACTS_ALL,
};

static size_t tu_small(tu_rng *r, size_t max) {
  /* 1 half of the time, else uniform in [1, max]. */
  return tu_rng_chance(r, 50) ? 1 : tu_rng_range(r, 1, max);
}

void tu_random_spec(tu_rng *r, const tu_limits *lim, tu_spec *s) {
  for (;;) {
    memset(s, 0, sizeof *s);
    simdconv_desc *d = &s->desc;
    size_t groups, C, K;
    if (lim->max_depthwise_c > 0 && tu_rng_chance(r, 20)) {
      groups = C = tu_rng_range(r, 1, lim->max_depthwise_c);
      K = C * tu_rng_range(r, 1, 2);
    } else {
      groups = tu_rng_range(r, 1, lim->max_groups);
      C = groups * tu_rng_range(r, 1, lim->max_cg);
      K = groups * tu_rng_range(r, 1, lim->max_kg);
    }
    simdconv_desc_init(d, C, K, tu_rng_range(r, 1, lim->max_rs),
                       tu_rng_range(r, 1, lim->max_rs));
    d->groups = groups;
    d->stride_h = tu_small(r, lim->max_stride);
    d->stride_w = tu_small(r, lim->max_stride);
    d->dilation_h = tu_small(r, lim->max_dil);
    d->dilation_w = tu_small(r, lim->max_dil);
    const size_t pick = tu_rng_below(r, 100);
    if (pick < 15) {
      d->padding = SIMDCONV_PADDING_VALID;
    } else if (pick < 35) {
      d->padding = SIMDCONV_PADDING_SAME;
      d->stride_h = d->stride_w = 1;
    } else {
      d->padding = SIMDCONV_PADDING_EXPLICIT;
      d->pad_top = tu_rng_range(r, 0, lim->max_pad);
      if (tu_rng_chance(r, 40)) {
        d->pad_bottom = d->pad_left = d->pad_right = d->pad_top;
      } else {
        d->pad_bottom = tu_rng_range(r, 0, lim->max_pad);
        d->pad_left = tu_rng_range(r, 0, lim->max_pad);
        d->pad_right = tu_rng_range(r, 0, lim->max_pad);
      }
    }
    d->padding_mode = (simdconv_padding_mode)tu_rng_below(r, 4);
    d->layout = (simdconv_layout)tu_rng_below(r, 2);
    d->weight_layout = (simdconv_weight_layout)tu_rng_below(r, 2);
    d->flip_kernel = tu_rng_chance(r, 30);
    if (tu_random_run_fields(r, lim, s))
      return;
  }
}

bool tu_random_run_fields(tu_rng *r, const tu_limits *lim, tu_spec *s) {
  simdconv_desc *d = &s->desc;
  tu_act act;
  do {
    act = (tu_act)tu_rng_below(r, TU_ACT_VARIANTS);
  } while (!(lim->acts & (1u << act)));
  tu_set_act(d, act);
  s->N = tu_rng_range(r, 1, lim->max_n);
  s->H = tu_rng_range(r, 1, lim->max_hw);
  s->W = tu_rng_range(r, 1, lim->max_hw);
  s->bias = tu_rng_chance(r, 60);
  s->xdata = s->wdata = s->bdata = TU_DATA_UNIFORM;
  s->seed = tu_rng_u64(r);
  return tu_expected_shape(d, s->H, s->W, NULL, NULL, NULL) == SIMDCONV_OK;
}

void tu_spec_str(const tu_spec *s, char *buf, size_t size) {
  const simdconv_desc *d = &s->desc;
  snprintf(buf, size,
           "N=%zu C=%zu K=%zu H=%zu W=%zu kernel=%zux%zu stride=%zux%zu "
           "dilation=%zux%zu groups=%zu padding=%s(t%zu b%zu l%zu r%zu) "
           "mode=%s layout=%s weights=%s flip=%d act=%s[%g,%g] bias=%d "
           "data=x:%s,w:%s,b:%s seed=0x%016" PRIx64,
           s->N, d->in_channels, d->out_channels, s->H, s->W, d->kernel_h,
           d->kernel_w, d->stride_h, d->stride_w, d->dilation_h,
           d->dilation_w, d->groups, tu_padding_str(d->padding), d->pad_top,
           d->pad_bottom, d->pad_left, d->pad_right,
           tu_mode_str(d->padding_mode), tu_layout_str(d->layout),
           tu_wlayout_str(d->weight_layout), d->flip_kernel,
           tu_activation_str(d->activation), (double)d->act_min,
           (double)d->act_max, (int)s->bias, tu_data_name(s->xdata),
           tu_data_name(s->wdata), tu_data_name(s->bdata), s->seed);
  const size_t len = strlen(buf);
  if (d->transposed && len < size)
    snprintf(buf + len, size - len, " transposed output_padding=%zux%zu",
             d->output_padding_h, d->output_padding_w);
}

/* ------------------------------------------------------------------------ */
/* Cases                                                                    */
/* ------------------------------------------------------------------------ */

void *tu_alloc(size_t bytes) {
  const size_t rounded = (bytes + 63) / 64 * 64;
  void *p = aligned_alloc(64, rounded ? rounded : 64);
  cr_assert(p != NULL, "test allocation of %zu bytes failed", bytes);
  return p;
}

static void tu_case_shape(tu_case *c) {
  tu_spec *s = &c->spec;
  size_t OH = 0, OW = 0, lOH = 0, lOW = 0;
  tu_spec_str(s, c->name, sizeof c->name);
  const simdconv_status es =
      tu_expected_shape(&s->desc, s->H, s->W, NULL, &OH, &OW);
  cr_assert(es == SIMDCONV_OK, "test bug: invalid configuration: %s",
            c->name);
  const simdconv_status ls =
      simdconv_output_shape(&s->desc, s->H, s->W, &lOH, &lOW);
  cr_assert(ls == SIMDCONV_OK && lOH == OH && lOW == OW,
            "simdconv_output_shape: status %d (%s), %zux%zu, expected "
            "%zux%zu, for %s",
            (int)ls, simdconv_status_string(ls), lOH, lOW, OH, OW, c->name);
  c->OH = OH;
  c->OW = OW;
  c->nx = s->N * s->desc.in_channels * s->H * s->W;
  c->ny = s->N * s->desc.out_channels * OH * OW;
}

static void tu_case_drop_oracle(tu_case *c) {
  free(c->ref);
  free(c->bound);
  c->ref = c->bound = NULL;
}

void tu_case_init(tu_case *c, const tu_spec *s) {
  memset(c, 0, sizeof *c);
  c->spec = *s;
  const simdconv_desc *d = &s->desc;
  tu_case_shape(c);
  c->nw = d->out_channels * (d->in_channels / d->groups) * d->kernel_h *
          d->kernel_w;
  c->nb = s->bias ? d->out_channels : 0;
  tu_rng_seed(&c->rng, s->seed);
  c->w = tu_alloc(c->nw * sizeof(float));
  tu_fill(&c->rng, c->w, c->nw, s->wdata);
  if (s->bias) {
    c->b = tu_alloc(c->nb * sizeof(float));
    tu_fill(&c->rng, c->b, c->nb, s->bdata);
  }
  c->x = tu_alloc(c->nx * sizeof(float));
  tu_fill(&c->rng, c->x, c->nx, s->xdata);
}

void tu_case_reshape(tu_case *c, size_t N, size_t H, size_t W) {
  c->spec.N = N;
  c->spec.H = H;
  c->spec.W = W;
  tu_case_shape(c);
  free(c->x);
  c->x = tu_alloc(c->nx * sizeof(float));
  tu_fill(&c->rng, c->x, c->nx, c->spec.xdata);
  if (c->r != NULL)
    tu_case_set_residual(c, c->alpha, c->in_place);
  tu_case_drop_oracle(c);
}

void tu_case_set_residual(tu_case *c, float alpha, bool in_place) {
  free(c->r);
  c->r = tu_alloc(c->ny * sizeof(float));
  tu_fill(&c->rng, c->r, c->ny, TU_DATA_UNIFORM);
  c->alpha = alpha;
  c->in_place = in_place;
  char *prev = strstr(c->name, " residual(");
  if (prev != NULL)
    *prev = '\0';
  const size_t len = strlen(c->name);
  snprintf(c->name + len, sizeof c->name - len, " residual(alpha=%g%s)",
           (double)alpha, in_place ? ", in place" : "");
  tu_case_drop_oracle(c);
}

void tu_case_touch(tu_case *c) { tu_case_drop_oracle(c); }

void tu_case_oracle(tu_case *c) {
  if (c->ref != NULL)
    return;
  const tu_spec *s = &c->spec;
  c->ref = tu_alloc(c->ny * sizeof(double));
  c->bound = tu_alloc(c->ny * sizeof(double));
  const simdconv_status st = simdconv_reference_residual(
      &s->desc, s->N, s->H, s->W, c->x, c->w, c->b, c->r, c->alpha, c->ref,
      c->bound);
  cr_assert(st == SIMDCONV_OK, "simdconv_reference failed: %d (%s) for %s",
            (int)st, simdconv_status_string(st), c->name);
}

long tu_tap_input(const tu_case *c, size_t n, size_t k, size_t ch, size_t oh,
                  size_t ow, size_t r, size_t s) {
  const simdconv_desc *d = &c->spec.desc;
  size_t pads[4];
  tu_expected_shape(d, c->spec.H, c->spec.W, pads, NULL, NULL);
  const size_t Cg = d->in_channels / d->groups;
  const size_t Kg = d->out_channels / d->groups;
  const size_t g = k / Kg;
  const long ih = (long)(oh * d->stride_h + r * d->dilation_h) - (long)pads[0];
  const long iw = (long)(ow * d->stride_w + s * d->dilation_w) - (long)pads[2];
  const long mh = tu_map_coord(d->padding_mode, ih, (long)c->spec.H);
  const long mw = tu_map_coord(d->padding_mode, iw, (long)c->spec.W);
  if (mh < 0 || mw < 0)
    return -1;
  return (long)tu_tidx(d->layout, d->in_channels, c->spec.H, c->spec.W, n,
                       g * Cg + ch, (size_t)mh, (size_t)mw);
}

void tu_case_free(tu_case *c) {
  free(c->r);
  free(c->x);
  free(c->w);
  free(c->b);
  tu_case_drop_oracle(c);
  memset(c, 0, sizeof *c);
}

const char *tu_case_str(const tu_case *c) { return c->name; }

/* ------------------------------------------------------------------------ */
/* Running                                                                  */
/* ------------------------------------------------------------------------ */

size_t tu_isas(simdconv_isa out[SIMDCONV_ISA_COUNT]) {
  const uint32_t avail = simdconv_isas_built() & simdconv_isas_supported();
  size_t n = 0;
  for (int i = SIMDCONV_ISA_SCALAR; i < SIMDCONV_ISA_COUNT; i++) {
    const simdconv_isa isa = (simdconv_isa)i;
    if ((avail & (1u << i)) && simdconv_isa_check(isa) == SIMDCONV_OK)
      out[n++] = isa;
  }
  return n;
}

size_t tu_isa_parts(tu_isa_part *out, unsigned parts) {
  simdconv_isa isas[SIMDCONV_ISA_COUNT];
  const size_t n = tu_isas(isas);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    for (unsigned p = 0; p < parts; p++) {
      out[k].isa = isas[i];
      out[k].part = p;
      out[k].parts = parts;
      k++;
    }
  return k;
}

const tu_run_opts tu_variants[TU_VARIANTS] = {
    {.workspace = false, .threads = false, .misalign = 0},
    {.workspace = true, .threads = false, .misalign = 1},
    {.workspace = true, .threads = true, .misalign = 3},
    {.workspace = false, .threads = true, .misalign = 0},
};

static pthreadpool_t tu_pool_;

pthreadpool_t tu_pool(void) {
  if (tu_pool_ == NULL) {
    tu_pool_ = pthreadpool_create(2);
    cr_assert(tu_pool_ != NULL, "pthreadpool_create(2) failed");
  }
  return tu_pool_;
}

void tu_opts_str(const tu_run_opts *o, char *buf, size_t size) {
  snprintf(buf, size, "workspace=%s pool=%s misalign=%zu floats",
           o->workspace ? "caller(exact size, odd address)" : "NULL",
           o->threads ? "2 threads" : "NULL", o->misalign);
}

void *tu_dup(const void *src, size_t bytes) {
  if (src == NULL)
    return NULL;
  void *p = tu_alloc(bytes);
  memcpy(p, src, bytes);
  return p;
}

void tu_scrub_free(void *p, size_t bytes) {
  if (p != NULL)
    memset(p, 0xff, bytes);
  free(p);
}

simdconv_status tu_try_create(const tu_case *c, const simdconv_options *opt,
                              simdconv_conv **conv) {
  float *w = tu_dup(c->w, c->nw * sizeof(float));
  float *b = tu_dup(c->b, c->nb * sizeof(float));
  *conv = (simdconv_conv *)conv; /* must be overwritten */
  const simdconv_status st = simdconv_create(&c->spec.desc, w, b, opt, conv);
  /* The caller may free the weights as soon as creation returns. */
  tu_scrub_free(w, c->nw * sizeof(float));
  tu_scrub_free(b, c->nb * sizeof(float));
  tu_check_created(st, *conv, c->name);
  return st;
}

void tu_check_created(simdconv_status st, const simdconv_conv *conv,
                      const char *name) {
  cr_assert(st == SIMDCONV_OK ? conv != NULL : conv == NULL,
            "creation returned %d with conv %p for %s", (int)st,
            (const void *)conv, name);
}

/* Asserts that conv reports the ISA `want` and a kernel named
 * <prefix>*__<isa> (its own ISA's or a fallback's); returns the name. */
static const char *tu_check_info(const simdconv_conv *conv, simdconv_isa want,
                                 const char *prefix, const char *name) {
  simdconv_conv_info info;
  memset(&info, 0, sizeof info);
  const simdconv_status is = simdconv_get_info(conv, &info);
  cr_assert(is == SIMDCONV_OK && info.isa == want && info.kernel != NULL &&
                strncmp(info.kernel, prefix, strlen(prefix)) == 0 &&
                strstr(info.kernel, "__") != NULL,
            "simdconv_get_info: status %d, isa %s (want %s), kernel %s, "
            "for %s",
            (int)is, tu_isa_str(info.isa), tu_isa_str(want),
            info.kernel ? info.kernel : "(null)", name);
  return info.kernel;
}

simdconv_conv *tu_create_with(const tu_creator *cr, simdconv_isa isa) {
  const simdconv_options opt = {.isa = isa};
  simdconv_conv *conv;
  const simdconv_status st = cr->try_create(cr->c, &opt, &conv);
  cr_assert(st == SIMDCONV_OK, "creation on %s failed: %d (%s) for %s",
            tu_isa_str(isa), (int)st, simdconv_status_string(st), cr->name);
  tu_check_info(conv, isa == SIMDCONV_ISA_AUTO ? simdconv_active_isa() : isa,
                cr->prefix, cr->name);
  return conv;
}

simdconv_conv *tu_create_kernel_with(const tu_creator *cr,
                                     const char *kernel) {
  size_t index;
  simdconv_kernel_info k;
  cr_assert(simdconv_kernel_find(kernel, &index) == SIMDCONV_OK &&
                simdconv_kernel_get(index, &k) == SIMDCONV_OK,
            "kernel %s is not registered", kernel);
  const simdconv_options opt = {.kernel = kernel};
  simdconv_conv *conv;
  const simdconv_status st = cr->try_create(cr->c, &opt, &conv);
  if (st == SIMDCONV_ERR_KERNEL_UNSUITABLE)
    return NULL;
  cr_assert(st == SIMDCONV_OK, "creation with kernel %s failed: %d (%s) "
            "for %s", kernel, (int)st, simdconv_status_string(st), cr->name);
  const char *ran = tu_check_info(conv, k.isa, cr->prefix, cr->name);
  cr_assert(strcmp(ran, kernel) == 0, "forced kernel %s, object runs %s",
            kernel, ran);
  return conv;
}

static simdconv_status tu_try_create_any(const void *c,
                                         const simdconv_options *opt,
                                         simdconv_conv **conv) {
  return tu_try_create(c, opt, conv);
}

static tu_creator tu_creator_of(const tu_case *c) {
  return (tu_creator){tu_try_create_any, c, c->name, "f32_"};
}

simdconv_conv *tu_create(const tu_case *c, simdconv_isa isa) {
  const tu_creator cr = tu_creator_of(c);
  return tu_create_with(&cr, isa);
}

simdconv_conv *tu_create_kernel(const tu_case *c, const char *kernel) {
  const tu_creator cr = tu_creator_of(c);
  return tu_create_kernel_with(&cr, kernel);
}

#define TU_GUARD 16          /* floats after the output */
#define TU_WS_GUARD 64       /* bytes after the workspace */
#define TU_SENTINEL 0x7fa5a5a5u /* a NaN no computation produces */

static size_t tu_runs_[2]; /* single-threaded, threaded */

void tu_run(const tu_case *c, const simdconv_conv *conv, simdconv_isa isa,
            const tu_run_opts *o, float *y) {
  const tu_spec *s = &c->spec;
  char ostr[128];
  tu_opts_str(o, ostr, sizeof ostr);
  size_t ws = 0;
  simdconv_status st = simdconv_workspace_size(conv, s->N, s->H, s->W, &ws);
  cr_assert(st == SIMDCONV_OK,
            "simdconv_workspace_size on %s failed: %d (%s) for %s",
            tu_isa_str(isa), (int)st, simdconv_status_string(st), c->name);
  cr_assert(ws < ((size_t)1 << 40), "absurd workspace size %zu for %s", ws,
            c->name);

  const size_t mis = o->misalign;
  float *xb = tu_alloc((mis + c->nx) * sizeof(float));
  memcpy(xb + mis, c->x, c->nx * sizeof(float));
  const size_t ytot = mis + c->ny + TU_GUARD;
  float *yb = tu_alloc(ytot * sizeof(float));
  const float sentinel = tu_from_bits(TU_SENTINEL);
  for (size_t i = 0; i < ytot; i++)
    yb[i] = sentinel;
  /* The residual: the output buffer itself (in place) or its own buffer,
   * misaligned like the others and checked unchanged afterwards. */
  float *rb = NULL;
  const float *residual = NULL;
  if (c->r != NULL && c->in_place) {
    memcpy(yb + mis, c->r, c->ny * sizeof(float));
    residual = yb + mis;
  } else if (c->r != NULL) {
    rb = tu_alloc((mis + c->ny) * sizeof(float));
    memcpy(rb + mis, c->r, c->ny * sizeof(float));
    residual = rb + mis;
  }
  unsigned char *wsb = NULL;
  void *wsp = NULL;
  size_t wsz = 0;
  if (o->workspace) {
    wsb = tu_alloc(1 + ws + TU_WS_GUARD);
    memset(wsb, 0xa5, 1 + ws + TU_WS_GUARD);
    wsp = wsb + 1;
    wsz = ws;
  }

  tu_runs_[o->threads]++;
  st = residual != NULL
           ? simdconv_run_residual(conv, s->N, s->H, s->W, xb + mis,
                                   residual, c->alpha, yb + mis, wsp, wsz,
                                   o->threads ? tu_pool() : NULL)
           : simdconv_run(conv, s->N, s->H, s->W, xb + mis, yb + mis, wsp,
                          wsz, o->threads ? tu_pool() : NULL);
  cr_assert(st == SIMDCONV_OK, "simdconv_run on %s failed: %d (%s) for %s; %s",
            tu_isa_str(isa), (int)st, simdconv_status_string(st), c->name,
            ostr);

  for (size_t i = 0; i < ytot; i++) {
    if (i >= mis && i < mis + c->ny)
      continue;
    cr_assert(tu_bits(yb[i]) == TU_SENTINEL,
              "simdconv_run on %s wrote outside the output (float %td "
              "relative to its start, %zu outputs) for %s; %s",
              tu_isa_str(isa), (ptrdiff_t)i - (ptrdiff_t)mis, c->ny, c->name,
              ostr);
  }
  if (wsb != NULL) {
    cr_assert(wsb[0] == 0xa5, "simdconv_run on %s wrote before the workspace "
              "for %s", tu_isa_str(isa), c->name);
    for (size_t i = 0; i < TU_WS_GUARD; i++)
      cr_assert(wsb[1 + ws + i] == 0xa5,
                "simdconv_run on %s wrote past the %zu-byte workspace (byte "
                "%zu) for %s",
                tu_isa_str(isa), ws, ws + i, c->name);
  }
  cr_assert(memcmp(xb + mis, c->x, c->nx * sizeof(float)) == 0,
            "simdconv_run on %s modified its input for %s", tu_isa_str(isa),
            c->name);
  cr_assert(rb == NULL || memcmp(rb + mis, c->r, c->ny * sizeof(float)) == 0,
            "simdconv_run_residual on %s modified its residual for %s",
            tu_isa_str(isa), c->name);
  free(rb);
  memcpy(y, yb + mis, c->ny * sizeof(float));
  free(xb);
  free(yb);
  free(wsb);
}

/* ------------------------------------------------------------------------ */
/* Oracle check                                                             */
/* ------------------------------------------------------------------------ */

static double tu_max_ratio_;
static double tu_max_ulp_;
static size_t tu_checks_;
static char tu_max_where_[768];

double tu_max_ratio(void) { return tu_max_ratio_; }
size_t tu_checks(void) { return tu_checks_; }

void tu_out_pos_str(const tu_case *c, size_t idx, char *buf, size_t size) {
  size_t pos[4];
  tu_tpos(c->spec.desc.layout, c->spec.desc.out_channels, c->OH, c->OW, idx,
          pos);
  snprintf(buf, size, "output %zu = (n=%zu k=%zu oh=%zu ow=%zu)", idx,
           pos[0], pos[1], pos[2], pos[3]);
}

/* The test's own verdict on one element, independent of simdconv_compare,
 * in the order docs/numerics.md section 5 gives: an infinite bound (fp32
 * overflow possible) accepts anything, a NaN reference needs a NaN, an
 * infinite one the same infinity, a finite one |y - ref| <= bound (which a
 * NaN or infinite y fails). */
static bool tu_within(float y, double ref, double bound) {
  if (isinf(bound) && bound > 0)
    return true;
  if (isnan(ref))
    return isnan(y);
  if (isinf(ref))
    return (double)y == ref;
  return fabs((double)y - ref) <= bound;
}

simdconv_compare_stats tu_check_oracle(tu_case *c, const simdconv_conv *conv,
                                       simdconv_isa isa,
                                       const tu_run_opts *o, float *y_out) {
  simdconv_conv *own = NULL;
  if (conv == NULL)
    conv = own = tu_create(c, isa);
  tu_case_oracle(c);
  float *y = y_out != NULL ? y_out : tu_alloc(c->ny * sizeof(float));
  tu_run(c, conv, isa, o, y);

  char ostr[128];
  tu_opts_str(o, ostr, sizeof ostr);
  simdconv_compare_stats st;
  memset(&st, 0, sizeof st);
  const simdconv_status cs =
      simdconv_compare(y, c->ref, c->bound, c->ny, &st);
  cr_assert(cs == SIMDCONV_OK && st.count == c->ny,
            "simdconv_compare: status %d, count %zu of %zu", (int)cs,
            st.count, c->ny);
  cr_assert(st.violations != 0 || st.first_violation == st.count,
            "simdconv_compare: no violation but first_violation %zu != "
            "count %zu", st.first_violation, st.count);

  size_t mine = 0, first = c->ny;
  for (size_t i = 0; i < c->ny; i++) {
    if (!tu_within(y[i], c->ref[i], c->bound[i])) {
      if (mine++ == 0)
        first = i;
    }
  }
  if (st.violations != 0 || mine != 0) {
    const size_t v = st.violations != 0 ? st.first_violation : first;
    char pos[128];
    tu_out_pos_str(c, v, pos, sizeof pos);
    cr_assert(false,
              "%zu of %zu outputs outside the oracle's bound on %s "
              "(simdconv_compare says %zu); first: %s: got %a (%.9g), "
              "ref %.17g, bound %.3g; config: %s; %s",
              mine, c->ny, tu_isa_str(isa), st.violations, pos,
              (double)y[v], (double)y[v], c->ref[v], c->bound[v], c->name,
              ostr);
  }
  if (st.max_err_over_bound > tu_max_ratio_) {
    tu_max_ratio_ = st.max_err_over_bound;
    snprintf(tu_max_where_, sizeof tu_max_where_, "%s on %s {%s}", c->name,
             tu_isa_str(isa), ostr);
  }
  if (st.max_ulp > tu_max_ulp_)
    tu_max_ulp_ = st.max_ulp;
  tu_checks_++;

  if (y_out == NULL)
    free(y);
  simdconv_destroy(own);
  return st;
}

bool tu_threads_for(const tu_case *c) {
  static unsigned counter;
  static int all = -1;
  if (all < 0) {
    const char *e = getenv("SIMDCONV_TEST_THREADS");
    all = e != NULL && strcmp(e, "all") == 0;
  }
  const simdconv_desc *d = &c->spec.desc;
  const size_t work = c->ny * (d->in_channels / d->groups) * d->kernel_h *
                      d->kernel_w;
  return all || work >= 500000 || counter++ % 12 == 0;
}

void tu_check_variants(tu_case *c, simdconv_isa isa, float *y_out) {
  simdconv_conv *conv = tu_create(c, isa);
  float *y0 = tu_alloc(c->ny * sizeof(float));
  float *y = tu_alloc(c->ny * sizeof(float));
  const size_t nv = tu_threads_for(c) ? TU_ORACLE_VARIANTS
                                      : TU_ORACLE_VARIANTS - 1;
  for (size_t v = 0; v < nv; v++) {
    tu_check_oracle(c, conv, isa, &tu_variants[v], v == 0 ? y0 : y);
    if (v == 0)
      continue;
    const size_t d = tu_first_diff(y0, y, c->ny);
    if (d != c->ny) {
      char o0[128], o1[128], pos[128];
      tu_opts_str(&tu_variants[0], o0, sizeof o0);
      tu_opts_str(&tu_variants[v], o1, sizeof o1);
      tu_out_pos_str(c, d, pos, sizeof pos);
      cr_assert(false,
                "not bitwise reproducible on %s: %s: %a with {%s} but %a "
                "with {%s}; config: %s",
                tu_isa_str(isa), pos, (double)y0[d], o0, (double)y[d], o1,
                c->name);
    }
  }
  if (y_out != NULL)
    memcpy(y_out, y0, c->ny * sizeof(float));
  free(y0);
  free(y);
  simdconv_destroy(conv);
}

/* ------------------------------------------------------------------------ */
/* Comparison and reporting                                                 */
/* ------------------------------------------------------------------------ */

bool tu_same(float a, float b) {
  if (isnan(a) && isnan(b))
    return true;
  return tu_bits(a) == tu_bits(b);
}

size_t tu_first_diff(const float *a, const float *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!tu_same(a[i], b[i]))
      return i;
  return n;
}

void tu_report(const char *what) {
  fprintf(stderr,
          "[simdconv-tests] %s: %zu oracle checks, max err/bound %.6g, "
          "max ulp %.6g; runs: %zu single-threaded, %zu on 2 threads\n",
          what, tu_checks_, tu_max_ratio_, tu_max_ulp_, tu_runs_[0],
          tu_runs_[1]);
  if (tu_max_ratio_ > 0.5)
    fprintf(stderr, "[simdconv-tests]   max err/bound %.6g at %s\n",
            tu_max_ratio_, tu_max_where_);
}
