/* Transposed convolution (ConvTranspose2d): every path of the phase
 * decomposition against the fp64 oracle within its bound and bit for bit
 * against the scalar kernel, on every ISA, with 1 and 2 threads, with and
 * without a workspace; integer data exact (and the oracle against a naive
 * scatter written here); special values; shapes, ONNX's padding rules and
 * every status a bad transposed descriptor gets.
 *
 * The table walks: strides 1 to 4 (and 8) on both axes, kernels not
 * divisible by the stride and smaller than it (phases without taps: bias
 * only), dilation with stride (gcd > 1: phases without taps; gcd 1),
 * output padding on each axis (also >= stride, < dilation), crops larger
 * than the kernel, 'same' and 'valid', groups, depthwise (multiplier 1 and
 * 2), batch > 1, every activation, tile edges (K around every NR, phases
 * whose pixel counts are off MR, NCHW rows over several segments). Each
 * entry runs in both layouts and all three weight layouts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "test_util.h"

#define SAME SIMDCONV_PADDING_SAME
#define VALID SIMDCONV_PADDING_VALID

/* Transposed entries: .transposed is set by tr_spec(). */
static const tu_tcfg tr_table[] = {
    {.name = "s1 3x3 pad 1", .C = 4, .K = 6, .H = 7, .W = 8, .R = 3, .S = 3,
     .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true},
    {.name = "s2 4x4 pad 1 (DCGAN)", .C = 5, .K = 7, .H = 5, .W = 6, .R = 4,
     .S = 4, .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
     .bias = true},
    {.name = "s2 3x3 pad 1 op 1 (LinkNet)", .C = 4, .K = 5, .H = 6, .W = 5,
     .R = 3, .S = 3, .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
     .oph = 1, .opw = 1},
    {.name = "s2 2x2 (U-Net)", .C = 8, .K = 6, .H = 5, .W = 7, .R = 2,
     .S = 2, .sh = 2, .sw = 2, .bias = true},
    {.name = "s3 5x5 pad 2 op 2,1", .C = 3, .K = 4, .H = 4, .W = 5, .R = 5,
     .S = 5, .sh = 3, .sw = 3, .pt = 2, .pb = 2, .pl = 2, .pr = 2, .oph = 2,
     .opw = 1, .bias = true},
    {.name = "s4 3x3 kernel < stride (bias-only phases)", .C = 3, .K = 5,
     .H = 4, .W = 4, .R = 3, .S = 3, .sh = 4, .sw = 4, .oph = 3, .opw = 2,
     .bias = true},
    {.name = "s4 4x4", .C = 2, .K = 3, .H = 3, .W = 5, .R = 4, .S = 4,
     .sh = 4, .sw = 4, .pt = 1, .pb = 2, .pl = 0, .pr = 3},
    {.name = "s3x1", .C = 3, .K = 4, .H = 5, .W = 6, .R = 4, .S = 3,
     .sh = 3, .sw = 1, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .oph = 1},
    {.name = "s1x4", .C = 2, .K = 5, .H = 4, .W = 5, .R = 2, .S = 5,
     .sh = 1, .sw = 4, .pl = 2, .pr = 1, .opw = 3, .bias = true},
    {.name = "s2x3 asymmetric", .C = 3, .K = 3, .H = 6, .W = 4, .R = 3,
     .S = 4, .sh = 2, .sw = 3, .pt = 2, .pb = 0, .pl = 0, .pr = 3},
    {.name = "s8 16x16 (FCN)", .C = 3, .K = 3, .H = 3, .W = 4, .R = 16,
     .S = 16, .sh = 8, .sw = 8, .pt = 4, .pb = 4, .pl = 4, .pr = 4},
    {.name = "s3 9x9 pad 4 op 2 K=1 (FSRCNN)", .C = 5, .K = 1, .H = 6,
     .W = 5, .R = 9, .S = 9, .sh = 3, .sw = 3, .pt = 4, .pb = 4, .pl = 4,
     .pr = 4, .oph = 2, .opw = 2, .bias = true},
    {.name = "s2 d2 (gcd 2: odd phases bias only)", .C = 3, .K = 4, .H = 5,
     .W = 6, .R = 3, .S = 3, .sh = 2, .sw = 2, .dh = 2, .dw = 2, .pt = 1,
     .pb = 0, .pl = 0, .pr = 1, .bias = true},
    {.name = "s2 d3 (gcd 1)", .C = 2, .K = 5, .H = 5, .W = 5, .R = 3, .S = 2,
     .sh = 2, .sw = 2, .dh = 3, .dw = 3, .pt = 2, .pb = 1, .pl = 1, .pr = 2},
    {.name = "s4 d2 5x5 op 3", .C = 3, .K = 3, .H = 4, .W = 4, .R = 5,
     .S = 5, .sh = 4, .sw = 4, .dh = 2, .dw = 2, .oph = 3, .opw = 3,
     .bias = true},
    {.name = "s2 d4 op 3 (op >= stride, < dilation)", .C = 2, .K = 3,
     .H = 4, .W = 5, .R = 2, .S = 3, .sh = 2, .sw = 2, .dh = 4, .dw = 4,
     .oph = 3, .opw = 2},
    {.name = "s3 d2 3x4 asymmetric op", .C = 4, .K = 4, .H = 5, .W = 4,
     .R = 3, .S = 4, .sh = 3, .sw = 2, .dh = 2, .dw = 3, .pt = 1, .pb = 3,
     .pl = 2, .pr = 0, .oph = 2, .opw = 0, .bias = true},
    {.name = "op on h only", .C = 3, .K = 4, .H = 5, .W = 5, .R = 3, .S = 3,
     .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .oph = 1},
    {.name = "op on w only", .C = 3, .K = 4, .H = 5, .W = 5, .R = 3, .S = 3,
     .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .opw = 1},
    {.name = "crops beyond the kernel", .C = 3, .K = 4, .H = 8, .W = 7,
     .R = 3, .S = 2, .sh = 2, .sw = 3, .pt = 5, .pb = 4, .pl = 4, .pr = 6},
    {.name = "crop past the full output (rows from op only)", .C = 2, .K = 3,
     .H = 1, .W = 3, .R = 1, .S = 2, .sh = 3, .sw = 2, .pt = 1, .oph = 2,
     .bias = true},
    {.name = "same (SAME_UPPER) 4x4 s2", .C = 3, .K = 4, .H = 5, .W = 6,
     .R = 4, .S = 4, .sh = 2, .sw = 2, .padding = SAME},
    {.name = "same 5x3 s2 op 1", .C = 2, .K = 3, .H = 4, .W = 5, .R = 5,
     .S = 3, .sh = 2, .sw = 2, .oph = 1, .opw = 1, .padding = SAME,
     .bias = true},
    {.name = "valid (pads ignored)", .C = 3, .K = 2, .H = 4, .W = 3, .R = 3,
     .S = 2, .sh = 2, .sw = 1, .padding = VALID, .pt = 2, .pr = 1},
    {.name = "1x1 s2 (gaps are bias)", .C = 4, .K = 5, .H = 3, .W = 4,
     .R = 1, .S = 1, .sh = 2, .sw = 2, .oph = 1, .opw = 1, .bias = true},
    {.name = "1x1 input", .C = 5, .K = 6, .H = 1, .W = 1, .R = 4, .S = 3,
     .sh = 2, .sw = 2, .bias = true},
    {.name = "groups 2", .C = 4, .K = 6, .H = 5, .W = 6, .R = 3, .S = 3,
     .sh = 2, .sw = 2, .groups = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
     .bias = true},
    {.name = "groups 3 K < C", .C = 9, .K = 3, .H = 4, .W = 5, .R = 4,
     .S = 2, .sh = 2, .sw = 1, .groups = 3, .pt = 1, .pb = 1},
    {.name = "groups 4 Cg 4 Kg 8 s2", .C = 16, .K = 32, .H = 3, .W = 5,
     .R = 4, .S = 4, .sh = 2, .sw = 2, .groups = 4, .pt = 1, .pb = 1,
     .pl = 1, .pr = 1},
    {.name = "depthwise 4x4 s2 (bilinear upsampler)", .C = 8, .K = 8, .H = 5,
     .W = 6, .R = 4, .S = 4, .sh = 2, .sw = 2, .groups = 8, .pt = 1,
     .pb = 1, .pl = 1, .pr = 1, .bias = true},
    {.name = "depthwise x2 3x3 s2 op 1", .C = 4, .K = 8, .H = 4, .W = 5,
     .R = 3, .S = 3, .sh = 2, .sw = 2, .groups = 4, .pt = 1, .pb = 1,
     .pl = 1, .pr = 1, .oph = 1, .opw = 1},
    {.name = "depthwise crops past the kernel (shifted rows)", .C = 5,
     .K = 10, .H = 6, .W = 9, .R = 3, .S = 3, .sh = 2, .sw = 2, .groups = 5,
     .pt = 4, .pb = 3, .pl = 5, .pr = 2, .bias = true},
    {.name = "depthwise s3 d2 (bias-only phases)", .N = 2, .C = 17, .K = 17,
     .H = 4, .W = 5, .R = 3, .S = 3, .sh = 3, .sw = 3, .dh = 2, .dw = 2,
     .groups = 17, .oph = 2, .opw = 1, .act = TU_ACT_GELU_ERF},
    {.name = "depthwise 7x7 s2 wide rows", .C = 20, .K = 20, .H = 3,
     .W = 40, .R = 7, .S = 7, .sh = 2, .sw = 2, .groups = 20, .pt = 3,
     .pb = 3, .pl = 3, .pr = 3, .oph = 1, .opw = 1, .bias = true},
    {.name = "depthwise NCHW rows past the stack buffer (OW*K > 8192)",
     .N = 2, .C = 24, .K = 24, .H = 2, .W = 200, .R = 3, .S = 3, .sh = 2,
     .sw = 2, .groups = 24, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .oph = 1,
     .opw = 1, .act = TU_ACT_SILU, .bias = true},
    /* NCHW rows on the octet tiles (stride_w 8, all column phases alike):
     * one tile per row; tiles inside the image and at both borders, with
     * padding, groups and a batch. */
    {.name = "NCHW octet tiles: FCN-8s upscore8 shape", .C = 3, .K = 10,
     .H = 3, .W = 33, .R = 16, .S = 16, .sh = 8, .sw = 8, .bias = true},
    {.name = "NCHW octet tiles: wide rows, crops, groups 2, silu", .N = 2,
     .C = 4, .K = 18, .H = 2, .W = 120, .R = 3, .S = 16, .sh = 1, .sw = 8,
     .groups = 2, .pt = 1, .pl = 8, .pr = 8, .oph = 0, .opw = 3,
     .act = TU_ACT_SILU, .bias = true},
    /* NCHW depthwise on the row micro-kernel: one phase, several phases
     * through the scratch row (two phases of stride 3 as well), row bands
     * of few planes starting inside a cycle of stride_h rows; and the
     * layers past it (taps, width) on the NHWC copies. */
    {.name = "depthwise NCHW stride 1 (one phase)", .C = 6, .K = 6, .H = 5,
     .W = 21, .R = 3, .S = 5, .sh = 1, .sw = 1, .groups = 6, .pt = 1,
     .pl = 2, .pr = 1, .act = TU_ACT_RELU6, .bias = true},
    {.name = "depthwise NCHW s3 d2, multiplier 2, bands of rows", .C = 3,
     .K = 6, .H = 5, .W = 23, .R = 4, .S = 5, .sh = 3, .sw = 3, .dh = 2,
     .dw = 2, .groups = 3, .pl = 2, .pr = 1, .oph = 1, .opw = 2,
     .act = TU_ACT_SILU, .bias = true},
    {.name = "depthwise NCHW two outputs of stride 3", .C = 4, .K = 4,
     .H = 3, .W = 1, .R = 3, .S = 2, .sh = 2, .sw = 3, .groups = 4,
     .bias = true},
    {.name = "depthwise NCHW 12x12 s1 (taps past the row kernel)", .C = 2,
     .K = 2, .H = 3, .W = 10, .R = 12, .S = 12, .sh = 1, .sw = 1,
     .groups = 2, .pt = 3, .pb = 2, .pl = 4, .pr = 1, .act = TU_ACT_TANH},
    {.name = "depthwise NCHW rows wider than the row kernel's buffer",
     .C = 2, .K = 2, .H = 2, .W = 8200, .R = 2, .S = 2, .sh = 1, .sw = 1,
     .groups = 2, .bias = true},
    {.name = "batch 3", .N = 3, .C = 3, .K = 4, .H = 4, .W = 5, .R = 4,
     .S = 4, .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
     .bias = true},
    /* Tile edges: K around the NRs (8, 16, 32, 64), phases whose pixel
     * counts are off the MRs (6, 7, 8), C over 32 */
    {.name = "K=15", .C = 6, .K = 15, .H = 4, .W = 9, .R = 3, .S = 3,
     .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true},
    {.name = "K=17 W=13", .C = 5, .K = 17, .H = 3, .W = 13, .R = 4, .S = 4,
     .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
    {.name = "K=33 C=35", .C = 35, .K = 33, .H = 3, .W = 8, .R = 3, .S = 3,
     .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true},
    {.name = "K=48 (6x64)", .C = 9, .K = 48, .H = 3, .W = 10, .R = 2,
     .S = 2, .sh = 2, .sw = 2, .bias = true},
    {.name = "K=64 W=11", .C = 16, .K = 64, .H = 4, .W = 11, .R = 4,
     .S = 4, .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
    {.name = "K=65", .C = 7, .K = 65, .H = 2, .W = 9, .R = 3, .S = 3,
     .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .oph = 1,
     .opw = 1, .bias = true},
    {.name = "weights > 64 KiB", .C = 40, .K = 40, .H = 5, .W = 6, .R = 4,
     .S = 4, .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
     .bias = true},
    {.name = "NCHW rows over several segments", .C = 3, .K = 33, .H = 2,
     .W = 260, .R = 3, .S = 3, .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1,
     .pr = 1, .opw = 1, .bias = true},
    /* NCHW rows on the pair micro-kernels (stride_w 2, phase rows of 2+
     * vectors, small C/g): channel quads with a partial last one, runs of
     * 3, 2 and 1 vectors, odd widths (phase 1 one pixel short), crops,
     * dilations, groups, epilogues. */
    {.name = "NCHW pair rows: 4x4 s2 wide, K=6", .C = 3, .K = 6, .H = 3,
     .W = 71, .R = 4, .S = 4, .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1,
     .pr = 1, .bias = true},
    {.name = "NCHW pair rows: s2 d3 crops, groups 2, gelu-tanh", .C = 4,
     .K = 6, .H = 3, .W = 50, .R = 3, .S = 2, .sh = 2, .sw = 2, .dh = 3,
     .dw = 3, .groups = 2, .pt = 2, .pb = 1, .pl = 3, .pr = 2, .opw = 1,
     .act = TU_ACT_GELU_TANH},
    {.name = "NCHW pair rows: s2 d2 (odd phases bias only), odd OW, relu6",
     .C = 2, .K = 9, .H = 4, .W = 45, .R = 3, .S = 3, .sh = 2, .sw = 2,
     .dh = 2, .dw = 2, .pl = 1, .oph = 1, .opw = 1, .act = TU_ACT_RELU6,
     .bias = true},
    {.name = "NCHW pair rows: 2x2 s2 (phases share loads), op 1, silu",
     .C = 6, .K = 10, .H = 3, .W = 40, .R = 2, .S = 2, .sh = 2, .sw = 2,
     .oph = 1, .opw = 1, .act = TU_ACT_SILU, .bias = true},
    {.name = "NCHW pair rows: 3x3 s2 op 1 (LinkNet), K=17", .C = 5, .K = 17,
     .H = 3, .W = 37, .R = 3, .S = 3, .sh = 2, .sw = 2, .pt = 1, .pb = 1,
     .pl = 1, .pr = 1, .oph = 1, .opw = 1, .bias = true},
    {.name = "relu", .C = 4, .K = 5, .H = 4, .W = 4, .R = 4, .S = 4,
     .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
     .act = TU_ACT_RELU, .bias = true},
    {.name = "relu6", .C = 3, .K = 6, .H = 3, .W = 5, .R = 3, .S = 3,
     .sh = 2, .sw = 2, .oph = 1, .act = TU_ACT_RELU6, .bias = true},
    {.name = "clamp", .C = 4, .K = 4, .H = 4, .W = 3, .R = 2, .S = 2,
     .sh = 2, .sw = 2, .act = TU_ACT_CLAMP},
    {.name = "sigmoid (gaps: sigmoid of the bias)", .C = 3, .K = 4, .H = 3,
     .W = 4, .R = 3, .S = 3, .sh = 4, .sw = 4, .act = TU_ACT_SIGMOID,
     .bias = true},
    {.name = "tanh", .C = 5, .K = 3, .H = 4, .W = 4, .R = 4, .S = 4,
     .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
     .act = TU_ACT_TANH},
    {.name = "silu", .C = 2, .K = 5, .H = 5, .W = 4, .R = 3, .S = 3,
     .sh = 2, .sw = 2, .dh = 2, .dw = 2, .act = TU_ACT_SILU, .bias = true},
    {.name = "gelu-erf", .C = 3, .K = 6, .H = 4, .W = 5, .R = 2, .S = 2,
     .sh = 2, .sw = 2, .act = TU_ACT_GELU_ERF, .bias = true},
    {.name = "gelu-tanh", .C = 4, .K = 4, .H = 3, .W = 6, .R = 3, .S = 3,
     .sh = 3, .sw = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
     .act = TU_ACT_GELU_TANH},
};
#define TR_TABLE_LEN (sizeof tr_table / sizeof tr_table[0])

/* Layout l of the 6: NCHW/NHWC x OIHW/OHWI/IOHW. */
#define TR_LAYOUTS 6

static void tr_spec(tu_spec *s, const tu_tcfg *t, unsigned l, uint64_t seed) {
  tu_tcfg tt = *t;
  tt.transposed = true;
  tu_spec_from_tcfg(s, &tt, (simdconv_layout)(l & 1),
                    (simdconv_weight_layout)(l >> 1), 0, seed);
}

/* The scalar kernel's output on a fresh object (1 thread, no workspace). */
static float *tr_scalar(const tu_case *c) {
  float *y = tu_alloc(c->ny * sizeof(float));
  simdconv_conv *conv = tu_create(c, SIMDCONV_ISA_SCALAR);
  tu_run(c, conv, SIMDCONV_ISA_SCALAR, &tu_variants[0], y);
  simdconv_destroy(conv);
  return y;
}

/* y equals the scalar kernel's output bit for bit (NaN equals NaN). */
static void tr_same_as(const tu_case *c, const float *y, const float *y0,
                       simdconv_isa isa, const char *what) {
  const size_t d = tu_first_diff(y0, y, c->ny);
  if (d == c->ny)
    return;
  char pos[128];
  tu_out_pos_str(c, d, pos, sizeof pos);
  cr_assert(false,
            "%s on %s differs from the scalar kernel: %s = %a (0x%08x), "
            "scalar %a (0x%08x); %s",
            what, tu_isa_str(isa), pos, (double)y[d], tu_bits(y[d]),
            (double)y0[d], tu_bits(y0[d]), tu_case_str(c));
}

/* The object's packed weights and its workspace for the case's shape stay
 * within the documented transposed bounds (include/simdconv.h, computed
 * here in double: the test sizes are small). */
static void tr_check_bounds(const tu_case *c, const simdconv_conv *conv,
                            const simdconv_conv_info *info) {
  const simdconv_desc *d = &c->spec.desc;
  const double C = (double)d->in_channels, K = (double)d->out_channels;
  const double g = (double)d->groups, RS = (double)(d->kernel_h * d->kernel_w);
  const double packed = 4.0 * (K + 64.0 * g) * (C / g * RS + 2.0 * RS + 2.0);
  cr_assert((double)info->packed_bytes <= packed,
            "%s packs %zu bytes, above the bound %.0f: %s", info->kernel,
            info->packed_bytes, packed, tu_case_str(c));
  size_t ws = 0;
  cr_assert(simdconv_workspace_size(conv, c->spec.N, c->spec.H, c->spec.W,
                                    &ws) == SIMDCONV_OK);
  const double pixels = (double)c->OH * (double)c->OW;
  const double bound =
      16.0 * (double)c->spec.N * C * (double)c->spec.H * (double)c->spec.W +
      4.0 * K * pixels + 64.0 * (pixels * RS + (double)c->OH + (double)c->OW) +
      4.0 * C / g + 1024.0;
  cr_assert((double)ws <= bound,
            "%s needs %zu bytes of workspace, above the bound %.0f: %s",
            info->kernel, ws, bound, tu_case_str(c));
}

/* The oracle (within bound), the run variants (workspace, 2 threads, bitwise
 * among themselves), the scalar kernel's bits and the size bounds. */
static void tr_check(tu_case *c, simdconv_isa isa) {
  float *y = tu_alloc(c->ny * sizeof(float));
  tu_check_variants(c, isa, y);
  if (isa != SIMDCONV_ISA_SCALAR) {
    float *y0 = tr_scalar(c);
    tr_same_as(c, y, y0, isa, "the run");
    /* and threaded, whatever tu_threads_for() chose */
    simdconv_conv *conv = tu_create(c, isa);
    simdconv_conv_info info;
    cr_assert(simdconv_get_info(conv, &info) == SIMDCONV_OK &&
                  strncmp(info.kernel, "f32_deconv_", 11) == 0,
              "%s runs %s, not the transposed driver: %s", tu_isa_str(isa),
              info.kernel, tu_case_str(c));
    tr_check_bounds(c, conv, &info);
    tu_run(c, conv, isa, &tu_variants[3], y);
    simdconv_destroy(conv);
    tr_same_as(c, y, y0, isa, "the 2-thread run");
    free(y0);
  }
  free(y);
}

TU_ISA_PART_PARAMS(transposed, table, 3)
ParameterizedTest(tu_isa_part *p, transposed, table, .timeout = 600) {
  size_t item = 0, done = 0;
  for (size_t t = 0; t < TR_TABLE_LEN; t++)
    for (unsigned l = 0; l < TR_LAYOUTS; l++, item++) {
      if (item % p->parts != p->part)
        continue;
      tu_spec s;
      tr_spec(&s, &tr_table[t], l, 0x7d00 + item);
      s.desc.flip_kernel = item % 7 == 3;
      tu_case c;
      tu_case_init(&c, &s);
      tr_check(&c, p->isa);
      tu_case_free(&c);
      done++;
    }
  char what[112];
  snprintf(what, sizeof what,
           "transposed::table on %s (part %u/%u), %zu cases", tu_isa_str(p->isa),
           p->part + 1, p->parts, done);
  tu_report(what);
}

/* Limits of the random transposed configurations. */
static const tu_limits tr_limits = {
    .max_groups = 3, .max_cg = 5, .max_kg = 5, .max_depthwise_c = 8,
    .max_n = 3, .max_hw = 9, .max_rs = 6, .max_stride = 3, .max_dil = 3,
    .max_pad = 5, .acts = TU_ACTS_ALL,
};

TU_ISA_PART_PARAMS(transposed, random, 2)
ParameterizedTest(tu_isa_part *p, transposed, random, .timeout = 600) {
  tu_rng r;
  tu_rng_seed(&r, tu_base_seed(0x7d0001));
  const size_t count = 240;
  for (size_t i = 0; i < count; i++) {
    tu_spec s;
    tu_random_transposed_spec(&r, &tr_limits, &s);
    if (i % p->parts != p->part)
      continue;
    tu_case c;
    tu_case_init(&c, &s);
    tr_check(&c, p->isa);
    tu_case_free(&c);
  }
  char what[112];
  snprintf(what, sizeof what, "transposed::random on %s (part %u/%u)",
           tu_isa_str(p->isa), p->part + 1, p->parts);
  tu_report(what);
}

/* ---- integer data: exact ------------------------------------------------ */

/* The integer result of every output by scattering each input pixel through
 * each kernel position (PyTorch's definition, written independently of the
 * oracle's per-output sum), then the clamp. */
static double *tr_naive(const tu_case *c) {
  const simdconv_desc *d = &c->spec.desc;
  size_t pads[4];
  tu_expected_shape(d, c->spec.H, c->spec.W, pads, NULL, NULL);
  const size_t Cg = d->in_channels / d->groups, Kg = d->out_channels / d->groups;
  double *y = tu_alloc(c->ny * sizeof(double));
  for (size_t i = 0; i < c->ny; i++) {
    size_t pos[4];
    tu_tpos(d->layout, d->out_channels, c->OH, c->OW, i, pos);
    y[i] = c->b != NULL ? (double)c->b[pos[1]] : 0.0;
  }
  for (size_t n = 0; n < c->spec.N; n++)
    for (size_t ci = 0; ci < d->in_channels; ci++)
      for (size_t ih = 0; ih < c->spec.H; ih++)
        for (size_t iw = 0; iw < c->spec.W; iw++)
          for (size_t r = 0; r < d->kernel_h; r++)
            for (size_t s = 0; s < d->kernel_w; s++) {
              const long oh = (long)(ih * d->stride_h + r * d->dilation_h) -
                              (long)pads[0];
              const long ow = (long)(iw * d->stride_w + s * d->dilation_w) -
                              (long)pads[2];
              if (oh < 0 || ow < 0 || oh >= (long)c->OH || ow >= (long)c->OW)
                continue;
              const double xv = c->x[tu_tidx(d->layout, d->in_channels,
                                             c->spec.H, c->spec.W, n, ci, ih,
                                             iw)];
              const size_t wr = d->flip_kernel ? d->kernel_h - 1 - r : r;
              const size_t ws = d->flip_kernel ? d->kernel_w - 1 - s : s;
              for (size_t kk = 0; kk < Kg; kk++) {
                const size_t k = (ci / Cg) * Kg + kk;
                y[tu_tidx(d->layout, d->out_channels, c->OH, c->OW, n, k,
                          (size_t)oh, (size_t)ow)] +=
                    xv * c->w[tu_widx(d, k, ci % Cg, wr, ws)];
              }
            }
  for (size_t i = 0; i < c->ny && d->activation == SIMDCONV_ACT_CLAMP; i++)
    y[i] = fmin(fmax(y[i], (double)d->act_min), (double)d->act_max);
  return y;
}

static void tr_check_exact(tu_case *c, simdconv_isa isa) {
  float *y = tu_alloc(c->ny * sizeof(float));
  tu_check_variants(c, isa, y);
  tu_case_oracle(c);
  double *want = tr_naive(c);
  for (size_t i = 0; i < c->ny; i++) {
    char pos[128];
    tu_out_pos_str(c, i, pos, sizeof pos);
    cr_assert(c->ref[i] == want[i],
              "oracle %.17g, naive scatter %.17g at %s; %s", c->ref[i],
              want[i], pos, tu_case_str(c));
    cr_assert((double)y[i] == want[i] && !signbit(y[i]) == !signbit(want[i]),
              "%s: %a, exact %.17g at %s; %s", tu_isa_str(isa), (double)y[i],
              want[i], pos, tu_case_str(c));
  }
  free(want);
  free(y);
}

TU_ISA_PART_PARAMS(transposed, exact, 2)
ParameterizedTest(tu_isa_part *p, transposed, exact, .timeout = 600) {
  size_t item = 0;
  for (size_t t = 0; t < TR_TABLE_LEN; t++)
    for (unsigned l = 0; l < TR_LAYOUTS; l += 2, item++) {
      if (item % p->parts != p->part)
        continue;
      tu_spec s;
      tr_spec(&s, &tr_table[t], l + (t & 1), 0x7e00 + item);
      s.xdata = s.wdata = s.bdata = TU_DATA_INT;
      /* clamps are exact; the other activations are not */
      if (s.desc.activation != SIMDCONV_ACT_CLAMP)
        tu_set_act(&s.desc, TU_ACT_NONE);
      tu_case c;
      tu_case_init(&c, &s);
      tr_check_exact(&c, p->isa);
      tu_case_free(&c);
    }
  tu_report("transposed::exact");
}

/* ---- special values ------------------------------------------------------- */

/* Wide, subnormal, signed-zero and huge data, and non-finite values: an
 * infinite weight at a tap that is a zero-padding tap of some outputs gives
 * NaN there (0 * Inf), a NaN input spreads to exactly its outputs; all
 * through the oracle and bit for bit against the scalar kernel. */
TU_ISA_PARAMS(transposed, special_values)
ParameterizedTest(simdconv_isa *isa, transposed, special_values,
                  .timeout = 600) {
  static const tu_data kinds[] = {TU_DATA_WIDE, TU_DATA_DENORMAL,
                                  TU_DATA_SIGNED_ZERO, TU_DATA_HUGE,
                                  TU_DATA_POSITIVE};
  size_t item = 0;
  for (size_t t = 0; t < TR_TABLE_LEN; t += 3)
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0] + 1; k++, item++) {
      tu_spec s;
      tr_spec(&s, &tr_table[t], (unsigned)(item % TR_LAYOUTS), 0x7f00 + item);
      if (k < sizeof kinds / sizeof kinds[0])
        s.xdata = s.wdata = s.bdata = kinds[k];
      tu_case c;
      tu_case_init(&c, &s);
      if (k == sizeof kinds / sizeof kinds[0]) {
        c.w[item % c.nw] = (item & 1) ? INFINITY : -INFINITY;
        c.x[(item * 7) % c.nx] = NAN;
        tu_case_touch(&c);
      }
      tr_check(&c, *isa);
      tu_case_free(&c);
    }
  tu_report("transposed::special_values");
}

/* ---- few output channels: the pixel-lane kernels ------------------------- */

/* Layers for the f32_deconv_pix_* kernels (lanes over the pixels of a
 * phase, blocks of up to 4 output channels): K per group 1 to 8 (one block,
 * a block and a remainder), phase rows of 1 pixel to several wide tiles
 * with remainders, phase row counts around the tall tiles' 2 to 4 rows,
 * strides 1 to 3, crops, output padding, dilation, groups, FSRCNN's and
 * DCGAN's geometry; W and H make the phases' rows and lengths. */
static const tu_tcfg tr_pix_table[] = {
    {.name = "fsrcnn 9x9 s3 p4 op2, K 1", .C = 5, .K = 1, .H = 7, .W = 45,
     .R = 9, .S = 9, .sh = 3, .sw = 3, .pt = 4, .pb = 4, .pl = 4, .pr = 4,
     .oph = 2, .opw = 2},
    {.name = "dcgan 4x4 s2 p1, K 3", .C = 6, .K = 3, .H = 5, .W = 33,
     .R = 4, .S = 4, .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
    {.name = "s1 3x3 pad 1, K 2, long rows", .C = 3, .K = 2, .H = 3,
     .W = 131, .R = 3, .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
    {.name = "s2 3x3 op 1, K 4", .C = 4, .K = 4, .H = 6, .W = 17, .R = 3,
     .S = 3, .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
     .oph = 1, .opw = 1},
    {.name = "s3x2 5x4 d2, K 5", .C = 2, .K = 5, .H = 4, .W = 23, .R = 5,
     .S = 4, .sh = 3, .sw = 2, .dh = 2, .dw = 2, .pt = 2, .pb = 1, .pl = 3,
     .pr = 0, .oph = 1},
    {.name = "s2 4x4 groups 3, K/g 2", .C = 6, .K = 6, .H = 3, .W = 9,
     .R = 4, .S = 4, .sh = 2, .sw = 2, .groups = 3, .pt = 1, .pb = 1,
     .pl = 1, .pr = 1},
    {.name = "s3 3x3 (one tap per phase), K 8", .C = 3, .K = 8, .H = 2,
     .W = 40, .R = 3, .S = 3, .sh = 3, .sw = 3},
    {.name = "s2 5x5 crops past the kernel, K 7", .C = 2, .K = 7, .H = 5,
     .W = 6, .R = 5, .S = 5, .sh = 2, .sw = 2, .pt = 5, .pb = 4, .pl = 6,
     .pr = 5},
    {.name = "s4 3x3 (bias-only phases), K 1", .C = 3, .K = 1, .H = 3,
     .W = 20, .R = 3, .S = 3, .sh = 4, .sw = 4, .oph = 3, .opw = 2},
    {.name = "1x1 input 4x4 s1, K 3", .C = 7, .K = 3, .H = 1, .W = 1,
     .R = 4, .S = 4},
    {.name = "s1 5x5 d3 narrow image, K 2", .C = 2, .K = 2, .H = 2, .W = 3,
     .R = 5, .S = 5, .dh = 3, .dw = 3, .pt = 2, .pb = 2, .pl = 2, .pr = 2},
    /* Many channels on a tiny image: the zero margins would exceed the
     * workspace bound, so border taps load under masks. */
    {.name = "masked: 1x1 on a 1x1 image, C 300, K 2", .C = 300, .K = 2,
     .H = 1, .W = 1, .R = 1, .S = 1},
    {.name = "masked: s1 3x3 pad 1, C 40, K 3", .C = 40, .K = 3, .H = 2,
     .W = 3, .R = 3, .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
    {.name = "masked: s2 4x4 pad 1 op 1, C 64, K 5", .C = 64, .K = 5,
     .H = 3, .W = 2, .R = 4, .S = 4, .sh = 2, .sw = 2, .pt = 1, .pb = 1,
     .pl = 1, .pr = 1, .oph = 1, .opw = 1},
};
#define TR_PIX_LEN (sizeof tr_pix_table / sizeof tr_pix_table[0])

/* Every pixel-lane kernel this CPU runs, forced onto each entry in both
 * layouts, all weight layouts and activations in turn, with and without a
 * residual (in place or not), 1 and 2 threads, and batches of 2: the
 * oracle's bound and the scalar kernel's bits. */
Test(transposed, small_k, .timeout = 600) {
  size_t kernels = 0, cases = 0;
  for (size_t i = 0; i < simdconv_kernel_count(); i++) {
    simdconv_kernel_info k;
    cr_assert(simdconv_kernel_get(i, &k) == SIMDCONV_OK);
    if (strncmp(k.name, "f32_deconv_pix_", 15) != 0 ||
        simdconv_isa_check(k.isa) != SIMDCONV_OK)
      continue;
    kernels++;
    for (size_t t = 0; t < TR_PIX_LEN; t++)
      for (unsigned l = 0; l < TR_LAYOUTS; l++) {
        const size_t item = t * TR_LAYOUTS + l;
        tu_tcfg tc = tr_pix_table[t];
        tc.act = (tu_act)(item % TU_ACT_VARIANTS);
        tc.bias = item % 5 != 2;
        tc.N = item % 4 == 3 ? 2 : tc.N;
        tu_spec s;
        tr_spec(&s, &tc, l, 0x7e00 + item);
        s.desc.flip_kernel = item % 7 == 3;
        tu_case c;
        tu_case_init(&c, &s);
        simdconv_conv *conv = tu_create_kernel(&c, k.name);
        cr_assert(conv != NULL, "%s refused %s", k.name, tu_case_str(&c));
        float *y0 = tr_scalar(&c);
        float *y = tu_alloc(c.ny * sizeof(float));
        for (size_t v = 0; v < 2; v++) {
          if (v == 1) {
            static const float alphas[] = {1.0f, 0.5f, -1.0f};
            tu_case_set_residual(&c, alphas[item % 3], item % 2 == 0);
            free(y0);
            y0 = tr_scalar(&c);
          }
          tu_check_oracle(&c, conv, k.isa, &tu_variants[item % 2], y);
          tr_same_as(&c, y, y0, k.isa, k.name);
          tu_run(&c, conv, k.isa, &tu_variants[3], y);
          tr_same_as(&c, y, y0, k.isa, k.name);
        }
        free(y);
        free(y0);
        simdconv_destroy(conv);
        tu_case_free(&c);
        cases++;
      }
  }
  char what[112];
  snprintf(what, sizeof what, "transposed::small_k, %zu kernels, %zu cases",
           kernels, cases);
  tu_report(what);
}

/* ---- shapes and padding rules ---------------------------------------------- */

static simdconv_desc tr_desc(size_t C, size_t K, size_t R, size_t S,
                             size_t stride, size_t dil) {
  simdconv_desc d;
  simdconv_desc_init(&d, C, K, R, S);
  d.transposed = 1;
  d.stride_h = d.stride_w = stride;
  d.dilation_h = d.dilation_w = dil;
  return d;
}

/* simdconv_output_shape() and simdconv_resolved_padding() agree with the
 * formula written in the tests over a sweep, and with numbers from
 * PyTorch's and ONNX's documentation. */
Test(transposed, shapes) {
  size_t checked = 0;
  for (size_t H = 1; H <= 6; H++)
    for (size_t R = 1; R <= 5; R++)
      for (size_t st = 1; st <= 4; st++)
        for (size_t dil = 1; dil <= 3; dil++)
          for (size_t pad = 0; pad <= 4; pad++)
            for (size_t op = 0; op < (st > dil ? st : dil); op++)
              for (int mode = 0; mode < 3; mode++) {
                simdconv_desc d = tr_desc(2, 3, R, R + 1, st, dil);
                d.padding = (simdconv_padding)mode;
                d.pad_top = d.pad_left = pad;
                d.pad_bottom = d.pad_right = pad / 2;
                d.output_padding_h = op;
                d.output_padding_w = op ? op - 1 : 0;
                size_t OH = 0, OW = 0, eOH = 0, eOW = 0, pads[4], epads[4];
                const simdconv_status e =
                    tu_expected_shape(&d, H, H + 1, epads, &eOH, &eOW);
                const simdconv_status g =
                    simdconv_output_shape(&d, H, H + 1, &OH, &OW);
                cr_assert(g == e && (e != SIMDCONV_OK ||
                                     (OH == eOH && OW == eOW)),
                          "H=%zu R=%zu stride %zu dil %zu pad %zu op %zu "
                          "padding %d: %d %zux%zu, expected %d %zux%zu",
                          H, R, st, dil, pad, op, mode, (int)g, OH, OW,
                          (int)e, eOH, eOW);
                if (e == SIMDCONV_OK) {
                  cr_assert(simdconv_resolved_padding(&d, pads) ==
                                SIMDCONV_OK &&
                            memcmp(pads, epads, sizeof pads) == 0);
                  if (mode == SAME)
                    cr_assert(OH == H * st && OW == (H + 1) * st);
                }
                checked++;
              }
  /* nn.ConvTranspose2d(16, 33, 3, stride=2) on 50 x 100: 101 x 201; with
   * padding=(4, 2), output_padding=(1, 0): 94 x 197 (dilation 1);
   * F.conv_transpose2d docs: (H-1)*s - 2p + d(k-1) + op + 1. */
  simdconv_desc d = tr_desc(16, 33, 3, 3, 2, 1);
  size_t OH, OW;
  cr_assert(simdconv_output_shape(&d, 50, 100, &OH, &OW) == SIMDCONV_OK &&
            OH == 101 && OW == 201);
  d.pad_top = d.pad_bottom = 4;
  d.pad_left = d.pad_right = 2;
  d.output_padding_h = 1;
  cr_assert(simdconv_output_shape(&d, 50, 100, &OH, &OW) == SIMDCONV_OK &&
            OH == 94 && OW == 197, "%zux%zu", OH, OW);
  fprintf(stderr, "[simdconv-tests] transposed::shapes: %zu shapes\n",
          checked);
}

/* ONNX ConvTranspose's output_shape rule: total = s*(in-1) + op + d*(k-1) +
 * 1 - out; SAME_UPPER total/2 first, SAME_LOWER the rest first; a padded
 * descriptor from the result gives exactly the requested output. */
Test(transposed, onnx_padding) {
  simdconv_desc d = tr_desc(1, 2, 3, 3, 3, 1);
  d.stride_w = 2;
  size_t pads[4], OH, OW;
  /* ONNX's convtranspose_pads example: 3x3 input, strides (3, 2),
   * output_shape (10, 8): total -1 on both axes, so output_padding 1, 1. */
  cr_assert(simdconv_transposed_padding(&d, 3, 3, 10, 8,
                                        SIMDCONV_AUTO_PAD_SAME_UPPER,
                                        pads) == SIMDCONV_ERR_OUTPUT_SHAPE);
  d.output_padding_h = d.output_padding_w = 1;
  cr_assert(simdconv_transposed_padding(&d, 3, 3, 10, 8,
                                        SIMDCONV_AUTO_PAD_SAME_UPPER,
                                        pads) == SIMDCONV_OK);
  cr_assert(pads[0] == 0 && pads[1] == 0 && pads[2] == 0 && pads[3] == 0);
  /* auto_pad SAME_UPPER / SAME_LOWER: out = in * stride */
  for (int split = 0; split < 2; split++)
    for (size_t k = 1; k <= 6; k++)
      for (size_t st = 1; st <= 4; st++)
        for (size_t op = 0; op < st; op++) {
          simdconv_desc e = tr_desc(2, 2, k, k, st, 1);
          e.output_padding_h = e.output_padding_w = op;
          const size_t total = k + op >= st ? k + op - st : 0;
          const simdconv_status s = simdconv_transposed_padding(
              &e, 5, 7, 5 * st, 7 * st, (simdconv_auto_pad)split, pads);
          if (k + op < st) {
            cr_assert(s == SIMDCONV_ERR_OUTPUT_SHAPE);
            continue;
          }
          const size_t first = split == 0 ? total / 2 : total - total / 2;
          cr_assert(s == SIMDCONV_OK && pads[0] == first &&
                        pads[1] == total - first && pads[2] == first,
                    "k %zu stride %zu op %zu split %d: %d %zu,%zu", k, st,
                    op, split, (int)s, pads[0], pads[1]);
          e.pad_top = pads[0];
          e.pad_bottom = pads[1];
          e.pad_left = pads[2];
          e.pad_right = pads[3];
          cr_assert(simdconv_output_shape(&e, 5, 7, &OH, &OW) ==
                        SIMDCONV_OK &&
                    OH == 5 * st && OW == 7 * st);
          /* 'same' in the descriptor is SAME_UPPER */
          if (split == 0) {
            size_t rp[4];
            e.padding = SIMDCONV_PADDING_SAME;
            cr_assert(simdconv_resolved_padding(&e, rp) == SIMDCONV_OK &&
                      memcmp(rp, pads, sizeof rp) == 0);
          }
        }
}

/* ---- bad inputs ------------------------------------------------------------ */

/* want: the status of the 3x3 input's shape checks (output_shape, the
 * oracle); create and validate give it too unless it depends on the input
 * size (EMPTY_OUTPUT). */
static void tr_expect(const simdconv_desc *d, simdconv_status want,
                      const char *what) {
  static const float w[4096], b[64], x[4096];
  double ref[8192];
  const simdconv_status at_create =
      want == SIMDCONV_ERR_EMPTY_OUTPUT ? SIMDCONV_OK : want;
  simdconv_conv *conv = (simdconv_conv *)&conv;
  const simdconv_status got = simdconv_create(d, w, b, NULL, &conv);
  size_t OH, OW;
  cr_assert(got == at_create && (got != SIMDCONV_OK || conv != NULL) &&
                (got == SIMDCONV_OK || conv == NULL),
            "%s: simdconv_create gave %d (%s), want %d (%s)", what, (int)got,
            simdconv_status_string(got), (int)at_create,
            simdconv_status_string(at_create));
  simdconv_destroy(conv);
  cr_assert(simdconv_desc_validate(d) == at_create, "%s: desc_validate",
            what);
  cr_assert(simdconv_output_shape(d, 3, 3, &OH, &OW) == want,
            "%s: output_shape", what);
  cr_assert(simdconv_reference(d, 1, 3, 3, x, w, b, ref, NULL) == want,
            "%s: the oracle gives another status", what);
}

/* Every status a transposed descriptor can get, with the same answer from
 * create, validate, output_shape and the oracle; their strings are not the
 * generic one. */
Test(transposed, errors) {
  simdconv_desc d = tr_desc(2, 3, 3, 3, 2, 1);
  tr_expect(&d, SIMDCONV_OK, "good");
  d.output_padding_h = 2;
  tr_expect(&d, SIMDCONV_ERR_OUTPUT_PADDING, "output padding = stride");
  d = tr_desc(2, 3, 3, 3, 2, 3);
  d.output_padding_w = 2;
  tr_expect(&d, SIMDCONV_OK, "output padding >= stride, < dilation");
  d.output_padding_w = 3;
  tr_expect(&d, SIMDCONV_ERR_OUTPUT_PADDING, "output padding = dilation");
  d = tr_desc(2, 3, 3, 3, 1, 1);
  d.transposed = 0;
  d.output_padding_h = 1;
  tr_expect(&d, SIMDCONV_ERR_OUTPUT_PADDING, "forward with output padding");
  d = tr_desc(2, 3, 3, 3, 2, 1);
  for (int m = 1; m <= 3; m++) {
    d.padding_mode = (simdconv_padding_mode)m;
    tr_expect(&d, SIMDCONV_ERR_PADDING_MODE, "reflect/replicate/circular");
  }
  d = tr_desc(2, 3, 1, 1, 2, 1);
  d.padding = SIMDCONV_PADDING_SAME;
  tr_expect(&d, SIMDCONV_ERR_OUTPUT_SHAPE, "'same' with kernel 1 stride 2");
  d.output_padding_h = d.output_padding_w = 1;
  tr_expect(&d, SIMDCONV_OK, "'same' with kernel 1 stride 2 op 1");
  d = tr_desc(2, 3, 3, 3, 2, 1);
  d.pad_top = 4;
  d.pad_bottom = 3; /* full 7 rows, all cropped */
  tr_expect(&d, SIMDCONV_ERR_EMPTY_OUTPUT, "padding takes the whole output");
  d.pad_bottom = 2;
  tr_expect(&d, SIMDCONV_OK, "one row left");
  d = tr_desc(2, 3, 3, 3, 2, 1);
  d.weight_layout = (simdconv_weight_layout)3;
  tr_expect(&d, SIMDCONV_ERR_INVALID_ENUM, "weight layout 3");
  d.weight_layout = SIMDCONV_WEIGHTS_IOHW;
  tr_expect(&d, SIMDCONV_OK, "IOHW transposed");
  d.transposed = 0;
  tr_expect(&d, SIMDCONV_ERR_INVALID_ENUM, "IOHW forward");
  d = tr_desc(2, 3, 3, 3, 2, 1);
  d.stride_w = 0;
  tr_expect(&d, SIMDCONV_ERR_INVALID_SIZE, "stride 0");
  d = tr_desc(4, 6, 3, 3, 2, 1);
  d.groups = 4;
  tr_expect(&d, SIMDCONV_ERR_INVALID_GROUPS, "groups 4 with K 6");
  /* the helper */
  size_t pads[4];
  d = tr_desc(2, 3, 3, 3, 2, 1);
  cr_assert(simdconv_transposed_padding(&d, 3, 3, 6, 6, (simdconv_auto_pad)2,
                                        pads) == SIMDCONV_ERR_INVALID_ENUM);
  cr_assert(simdconv_transposed_padding(&d, 0, 3, 6, 6,
                                        SIMDCONV_AUTO_PAD_SAME_UPPER,
                                        pads) == SIMDCONV_ERR_INVALID_SIZE);
  cr_assert(simdconv_transposed_padding(&d, 3, 3, 6, 6,
                                        SIMDCONV_AUTO_PAD_SAME_UPPER,
                                        NULL) == SIMDCONV_ERR_NULL_POINTER);
  d.output_padding_h = 5;
  cr_assert(simdconv_transposed_padding(&d, 3, 3, 6, 6,
                                        SIMDCONV_AUTO_PAD_SAME_UPPER,
                                        pads) == SIMDCONV_ERR_OUTPUT_PADDING);
  d.output_padding_h = 0;
  d.transposed = 0;
  cr_assert(simdconv_transposed_padding(&d, 3, 3, 6, 6,
                                        SIMDCONV_AUTO_PAD_SAME_UPPER,
                                        pads) == SIMDCONV_ERR_INVALID_ENUM);
  const simdconv_status mine[] = {SIMDCONV_ERR_OUTPUT_PADDING,
                                  SIMDCONV_ERR_PADDING_MODE,
                                  SIMDCONV_ERR_OUTPUT_SHAPE};
  for (size_t i = 0; i < 3; i++)
    cr_assert(strstr(simdconv_status_string(mine[i]), "UNKNOWN") == NULL);
}

/* A stride of 2^31 - 1 on a 2-pixel row (then column): 2^31 + 2 outputs on
 * that axis, most of them phases without taps. Every transposed kernel
 * (forced by name) sizes its workspace from its classes and closed forms,
 * not by walking 2^31 phases (which took minutes under the sanitizers,
 * found by the fuzz target), and the size stays within the documented
 * bound. */
Test(transposed, huge_stride_sizes, .timeout = 60) {
  const float w[18] = {0}, b[3] = {0};
  size_t checked = 0;
  for (int axis = 0; axis < 2; axis++) {
    simdconv_desc d = axis ? tr_desc(2, 3, 3, 1, 1, 1)
                           : tr_desc(2, 3, 1, 3, 1, 1);
    *(axis ? &d.stride_h : &d.stride_w) = SIMDCONV_MAX_DIM;
    const size_t H = axis ? 2 : 1, W = axis ? 1 : 2;
    for (size_t i = 0; i < simdconv_kernel_count(); i++) {
      simdconv_kernel_info k;
      cr_assert(simdconv_kernel_get(i, &k) == SIMDCONV_OK);
      if (simdconv_isa_check(k.isa) != SIMDCONV_OK)
        continue;
      for (int l = 0; l < 2; l++) {
        d.layout = (simdconv_layout)l;
        const simdconv_options o = {.kernel = k.name};
        simdconv_conv *conv = NULL;
        if (simdconv_create(&d, w, b, &o, &conv) != SIMDCONV_OK)
          continue; /* not a transposed kernel, or not this layer's */
        size_t bytes = 0, OH = 0, OW = 0;
        cr_assert(simdconv_output_shape(&d, H, W, &OH, &OW) == SIMDCONV_OK);
        cr_assert((axis ? OH : OW) == (size_t)SIMDCONV_MAX_DIM + 3);
        cr_assert(simdconv_workspace_size(conv, 1, H, W, &bytes) ==
                      SIMDCONV_OK,
                  "%s", k.name);
        /* 16 NCHW + 4 K OH OW + 64 (OH OW R S + OH + OW) + 4 C/g + 1024 */
        const double ohw = (double)OH * (double)OW;
        const double bound = 16.0 * 2 * 2 + 4.0 * 3 * ohw +
                             64.0 * (ohw * 3 + (double)OH + (double)OW) + 8 +
                             1024;
        cr_assert((double)bytes <= bound, "%s: %zu bytes", k.name, bytes);
        simdconv_destroy(conv);
        checked++;
      }
    }
  }
  fprintf(stderr, "[simdconv-tests] transposed::huge_stride_sizes: %zu "
          "(kernel, layout, axis) sized at once\n", checked);
  cr_assert(checked >= 4, "no transposed kernel took the layers");
}
