/* Tests generated from the kernel registry.
 *
 * kernels::edges runs once per registered kernel this CPU can execute
 * (simdconv_kernel_count / simdconv_kernel_get): the kernel is forced onto
 * each case (simdconv_options.kernel) and the output is checked against the
 * fp64 oracle and bitwise against the scalar direct kernel. The cases come
 * from the kernel's family and tile: for an MR x NR igemm tile, output pixel
 * counts 1, MR-1, MR, MR+1, 2MR-1, 2MR, 2MR+1, 3MR+2 times output channels
 * 1, NR-1, NR, NR+1, NR+NR/2 (the half tiles), 2NR+1, input channel
 * remainders with merged and unmerged 3x3 plans, stems of 1 to 4 channels
 * (3x3 to 7x7, stride 1 and 2; the im2col plans' edges), strides,
 * dilation, padding modes, batches, grouped layers; for the NCHW GEMM the
 * same over its channel x pixel tile; for the
 * depthwise kernels every specialised shape at narrow, medium and wide rows
 * with channel counts around the vector width and multipliers 1 and 2, and
 * rows of 3 to 17 pixels (every remainder of a sliding window); for
 * the transposed families (deconv_igemm, deconv_dwconv) strides 1 to 4
 * with output phases of 1, MR-1, MR, MR+1, 2MR+1 pixels (row widths for
 * depthwise) times the same channel edges, then bias-only phases, dilation
 * with stride, output padding, crops and groups; in
 * both layouts where the kernel computes both, with the epilogues, weight
 * layouts, kernel flip and run variants (workspace, threads, misaligned
 * buffers) rotating over the cases. A case the kernel's constraints exclude
 * is skipped (its creation must fail with SIMDCONV_ERR_KERNEL_UNSUITABLE);
 * each kernel must run every pixel-count edge, NR-1 and NR output channels
 * and every epilogue, so a registered kernel reached by no case fails.
 *
 * The int8 kernels (q8_ families) run the same generators, each case an
 * int8 one of the same geometry whose quantization is drawn from its seed,
 * every output byte equal to the exact oracle's (simdconv_reference_q8).
 *
 * The registry suite checks the registry itself: the load-time rules, the
 * metadata, the forced-kernel statuses and SIMDCONV_KERNEL (tests/meson.build
 * runs this binary again with SIMDCONV_KERNEL set).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "test_util.h"
#include "test_util_q8.h"

#define SCALAR_KERNEL "f32_conv_direct__scalar"
#define MAX_EDGES 8

/* A kernel under test and what its cases reached. */
typedef struct kctx {
  simdconv_kernel_info k;
  size_t cases, skipped;
  unsigned acts;              /* tu_act variants run */
  size_t pixels[MAX_EDGES];   /* edges of the pixel (or row) axis */
  size_t npixels;
  size_t pixel_runs[MAX_EDGES];
  size_t channels[MAX_EDGES]; /* edges of the channel axis */
  size_t nchannels;
  size_t channel_runs[MAX_EDGES];
} kctx;

/* Appends v (>= 1, not yet present) to an edge list. */
static void edge_add(size_t *list, size_t *n, size_t v) {
  if (v < 1 || *n == MAX_EDGES)
    return;
  for (size_t i = 0; i < *n; i++)
    if (list[i] == v)
      return;
  list[(*n)++] = v;
}

/* The pixel (or row) edges and the channel edges of a generator
 * (EDGES_ADD: from two arrays). */
static void edges_add(kctx *x, const size_t *pix, size_t np, const size_t *ch,
                      size_t nch) {
  for (size_t i = 0; i < np; i++)
    edge_add(x->pixels, &x->npixels, pix[i]);
  for (size_t i = 0; i < nch; i++)
    edge_add(x->channels, &x->nchannels, ch[i]);
}

#define EDGES_ADD(x, pix, ch)                                                  \
  edges_add(x, pix, sizeof(pix) / sizeof *(pix), ch, sizeof(ch) / sizeof *(ch))

static void edge_hit(const size_t *list, size_t n, size_t *runs, size_t v) {
  for (size_t i = 0; i < n; i++)
    if (list[i] == v)
      runs[i]++;
}

/* The case on the kernel's object against the oracle, and bitwise against
 * the scalar kernel's object ref. */
static void check_case(const kctx *x, tu_case *c, const simdconv_conv *conv,
                       const simdconv_conv *ref, const tu_run_opts *o) {
  float *y = tu_alloc(c->ny * sizeof(float));
  float *ys = tu_alloc(c->ny * sizeof(float));
  tu_check_oracle(c, conv, x->k.isa, o, y);
  tu_run(c, ref, SIMDCONV_ISA_SCALAR, &tu_variants[0], ys);
  const size_t d = tu_first_diff(y, ys, c->ny);
  if (d != c->ny) {
    char pos[128];
    tu_out_pos_str(c, d, pos, sizeof pos);
    cr_assert(false, "%s differs from %s at %s: %a vs %a; config: %s",
              x->k.name, SCALAR_KERNEL, pos, (double)y[d], (double)ys[d],
              c->name);
  }
  free(y);
  free(ys);
}

/* An fp32 case on the forced kernel: the oracle and the scalar kernel's
 * bits, again with a fused residual; false when the kernel refuses it. */
static bool run_f32(kctx *x, const tu_spec *s, size_t n,
                    const tu_run_opts *o) {
  tu_case c;
  tu_case_init(&c, s);
  simdconv_conv *conv = tu_create_kernel(&c, x->k.name);
  if (conv == NULL) {
    tu_case_free(&c);
    return false;
  }
  simdconv_conv *ref = tu_create_kernel(&c, SCALAR_KERNEL);
  cr_assert(ref != NULL, "the scalar kernel refused %s", c.name);
  check_case(x, &c, conv, ref, o);
  /* Again with a fused residual: alpha 1, 0.5, -1, in place or not. */
  static const float alphas[] = {1.0f, 0.5f, -1.0f};
  tu_case_set_residual(&c, alphas[n % 3], n % 4 < 2);
  check_case(x, &c, conv, ref, o);
  simdconv_destroy(conv);
  simdconv_destroy(ref);
  tu_case_free(&c);
  return true;
}

/* An int8 case (tests/test_util_q8.h) of the same geometry on the forced
 * kernel, quantization drawn from its seed (types, zero points 0/128/255,
 * scale kinds, clamps; activations other than clamp become none): every
 * output byte equal to the exact oracle's, hence to the scalar kernel's. */
static bool run_q8(kctx *x, const tu_spec *s, const tu_run_opts *o) {
  /* The int8 path is forward only (TRANSPOSED_INT8, tested in test_q8.c):
   * the transposed generators' cases are skips for the q8_ kernels. */
  if (s->desc.transposed)
    return false;
  tq_spec qs;
  memset(&qs, 0, sizeof qs);
  qs.geo = *s;
  tu_rng r;
  tu_rng_seed(&r, s->seed);
  tq_random_quant(&r, &qs);
  tq_case c;
  tq_case_init(&c, &qs);
  simdconv_conv *conv = tq_create_kernel(&c, x->k.name);
  if (conv != NULL)
    tq_check(&c, conv, x->k.name, o);
  simdconv_destroy(conv);
  tq_case_free(&c);
  return conv != NULL;
}

/* Runs one case on the forced kernel; false when its constraints exclude
 * it. pixels / channels: the edge values the case stands for (0: none). */
static bool run_case(kctx *x, tu_tcfg t, simdconv_layout layout,
                     size_t pixels, size_t channels) {
  const size_t n = x->cases + x->skipped;
  t.act = (tu_act)(x->cases % TU_ACT_VARIANTS);
  t.bias = n % 7 != 3;
  /* Transposed cases rotate over IOHW (PyTorch's) as well. */
  static const simdconv_weight_layout wl[] = {
      SIMDCONV_WEIGHTS_OIHW, SIMDCONV_WEIGHTS_OHWI, SIMDCONV_WEIGHTS_IOHW};
  tu_spec s;
  tu_spec_from_tcfg(&s, &t, layout, wl[n % (t.transposed ? 3 : 2)],
                    n % 5 == 4, tu_base_seed(0x6b65726e) + n * 7919);
  /* Threaded runs are rationed (see tu_variants); one case in six. */
  const tu_run_opts *o = &tu_variants[n % 6 == 5 ? 2 : n % 2];
  const bool ran = strncmp(x->k.name, "q8_", 3) == 0 ? run_q8(x, &s, o)
                                                      : run_f32(x, &s, n, o);
  if (!ran) {
    x->skipped++;
    return false;
  }
  x->cases++;
  x->acts |= 1u << t.act;
  edge_hit(x->pixels, x->npixels, x->pixel_runs, pixels);
  edge_hit(x->channels, x->nchannels, x->channel_runs, channels);
  return true;
}

/* Every layout the kernel computes. */
static void run_layouts(kctx *x, tu_tcfg t, size_t pixels, size_t channels) {
  for (int l = SIMDCONV_LAYOUT_NCHW; l <= SIMDCONV_LAYOUT_NHWC; l++)
    if (x->k.layouts & (1u << l))
      run_case(x, t, (simdconv_layout)l, pixels, channels);
}

/* A case of P output pixels: one row, or P/2 rows of 2 when P is even. */
static tu_tcfg pixels_cfg(size_t P, size_t C, size_t K, size_t i) {
  const bool two_rows = P % 2 == 0 && i % 2 == 1;
  return (tu_tcfg){.name = "edge", .C = C, .K = K, .H = two_rows ? P / 2 : 1,
                   .W = two_rows ? 2 : P, .R = 1, .S = 1};
}

/* ---- skipped zero-padding taps -------------------------------------------- */

/* Layers whose tiles lie whole in padded rows (rows of 2*MR pixels), with
 * underflowing data (TU_DATA_UNDERFLOW): accumulators pass through -0.0,
 * so a kernel that skips zero-padding taps must redo those tiles to keep
 * the scalar kernel's bits; merged (C < 32) and unmerged plans, grouped,
 * dilated with wide padding. */
static void padding_skip_cases(kctx *x, size_t MR, size_t NR) {
  const tu_tcfg geo[] = {
      {.name = "underflow 3x3", .C = 3, .K = NR, .H = 4, .W = 2 * MR, .R = 3,
       .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
      {.name = "underflow 3x3", .C = 33, .K = NR + 1, .H = 3, .W = 2 * MR,
       .R = 3, .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
      {.name = "underflow 5x5 d2 pad 4", .C = 8, .K = NR - 1, .H = 4,
       .W = 2 * MR, .R = 5, .S = 5, .dh = 2, .dw = 2, .pt = 4, .pb = 4,
       .pl = 4, .pr = 4},
      {.name = "underflow grouped", .C = 8, .K = 8, .H = 3, .W = 2 * MR,
       .R = 3, .S = 3, .groups = 4, .pt = 2, .pb = 2, .pl = 1, .pr = 1},
  };
  for (size_t j = 0; j < sizeof geo / sizeof *geo; j++) {
    tu_tcfg t = geo[j];
    t.data = TU_DATA_UNDERFLOW;
    run_layouts(x, t, 0, 0);
  }
}

/* ---- igemm: MR output pixels x NR output channels ------------------------ */

static void igemm_cases(kctx *x) {
  const size_t MR = x->k.tile_m, NR = x->k.tile_n;
  const size_t pix[] = {1, MR - 1, MR, MR + 1, 2 * MR - 1, 2 * MR, 2 * MR + 1,
                        3 * MR + 2};
  /* NR + NR/2: a last block of exactly half, the half tile's whole
   * vectors (K = 1 and NR + 1 give it one channel). */
  const size_t kout[] = {1, NR - 1, NR, NR + 1, NR + NR / 2, 2 * NR + 1};
  EDGES_ADD(x, pix, kout);
  /* 1x1 tiles: every pixel edge x every channel edge. */
  static const size_t cin[] = {1, 5, 16, 33};
  size_t i = 0;
  for (size_t p = 0; p < x->npixels; p++)
    for (size_t k = 0; k < x->nchannels; k++, i++)
      run_layouts(x, pixels_cfg(x->pixels[p], cin[i % 4], x->channels[k], i),
                  x->pixels[p], x->channels[k]);
  /* Input-channel remainders through 3x3 plans: merged (C < 32, the S taps
   * of a row read as one span) and unmerged, padded by each mode. */
  static const size_t c3[] = {1, 2, 3, 7, 8, 9, 31, 32, 33, 40};
  for (size_t j = 0; j < sizeof c3 / sizeof *c3; j++) {
    tu_tcfg t = {.name = "3x3", .C = c3[j], .K = NR, .H = 3, .W = MR + 1,
                 .R = 3, .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
                 .mode = (simdconv_padding_mode)(j % 4)};
    run_layouts(x, t, 0, NR);
  }
  /* Tap chunks: blocks whose weights outgrow half the L2 budget (here
   * 9 x 2048 x NR floats, over 1.1 MiB for NR >= 16: chunked on hosts of
   * up to 2.5 MiB of L2) run their taps in runs, the partial sums kept in
   * the output; first, middle and last runs, tail tiles and blocks, both
   * layouts, zero-padding taps skipped inside a run and underflowing data
   * (an accumulator at -0.0 across a run's end), the residual in place
   * (not chunked) and not. */
  const tu_tcfg chunks[] = {
      {.name = "tap chunks 3x3", .C = 2048, .K = NR + 3, .H = 3,
       .W = MR + 2, .R = 3, .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
      {.name = "tap chunks 3x3 underflow", .C = 2048, .K = NR - 1, .H = 3,
       .W = MR + 1, .R = 3, .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
       .data = TU_DATA_UNDERFLOW},
      {.name = "tap chunks 5x5 d2", .N = 2, .C = 640, .K = NR, .H = 4,
       .W = MR - 1, .R = 5, .S = 5, .dh = 2, .dw = 2, .pt = 4, .pb = 4,
       .pl = 4, .pr = 4},
  };
  for (size_t j = 0; j < sizeof chunks / sizeof *chunks; j++)
    for (size_t rep = 0; rep < 2; rep++)
      run_layouts(x, chunks[j], 0, 0);
  /* Stems (one tap per pixel on the im2col plans of AVX2, NEON and int8;
   * a tap per kernel row on AVX-512's merged plan): 1 to 4 channels,
   * 3x3, 5x5 and 7x7, stride 1 and 2, padded by each mode or unpadded
   * (the last rows' pieces then end at the image's end), rows of 1 to 3
   * tiles; K = NR or NR - 1. */
  for (size_t c = 1; c <= 4; c++)
    for (size_t r = 3; r <= 7; r += 2)
      for (size_t st = 1; st <= 2; st++) {
        const size_t pad = (c + r + st) % 3 == 0 ? 0 : r / 2;
        tu_tcfg t = {.name = "stem", .N = 1 + c % 2, .C = c,
                     .K = NR - (c + st) % 2, .H = r + 2 + st,
                     .W = (st * MR + r) * (1 + c % 3), .R = r, .S = r,
                     .sh = st, .sw = st, .pt = pad, .pb = pad, .pl = pad,
                     .pr = pad, .mode = (simdconv_padding_mode)((c + r) % 4)};
        run_layouts(x, t, 0, t.K);
      }
  /* Rows wide enough for AVX-512's strided plan (OW >= 16 MR) and not a
   * multiple of MR: its tiles cross output rows' ends, one call each
   * (sc_igemm_strided_rows) at every split position; the 1x1 (pointwise
   * plan of K <= 16, two images as one) crosses images' ends too. */
  const tu_tcfg across[] = {
      {.name = "stem rows across tiles", .N = 2, .C = 3, .K = NR, .H = 4,
       .W = 16 * MR + 1, .R = 3, .S = 3, .pt = 1, .pb = 1, .pl = 1,
       .pr = 1},
      {.name = "7x7 s2 stem rows across tiles", .C = 3, .K = NR - 1, .H = 9,
       .W = 2 * (16 * MR + 3), .R = 7, .S = 7, .sh = 2, .sw = 2, .pt = 3,
       .pb = 3, .pl = 3, .pr = 3, .mode = SIMDCONV_PAD_REPLICATE},
      {.name = "1x1 rows across tiles", .N = 2, .C = 5, .K = NR, .H = 3,
       .W = 16 * MR + 3, .R = 1, .S = 1},
      {.name = "stem rows across tiles, half block", .C = 3,
       .K = NR + NR / 2, .H = 3, .W = 16 * MR + 2, .R = 3, .S = 3, .pt = 1,
       .pb = 1, .pl = 1, .pr = 1, .mode = SIMDCONV_PAD_REFLECT},
  };
  for (size_t j = 0; j < sizeof across / sizeof *across; j++)
    run_layouts(x, across[j], 0, 0);
  /* Stem edges (the fp32 and int8 im2col plans' record copies): tiles
   * across output rows (OW < MR), padding wider than the kernel's half,
   * dilation_h with dilation_w 1, kernels of one row or one column, a
   * patchifying stride whose last pieces end at the image's end. */
  const tu_tcfg stem[] = {
      {.name = "stem narrow", .N = 2, .C = 3, .K = NR, .H = 5, .W = 3,
       .R = 3, .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
       .mode = SIMDCONV_PAD_REFLECT},
      {.name = "stem wide pad", .C = 2, .K = NR - 1, .H = 6, .W = MR + 3,
       .R = 3, .S = 3, .pt = 0, .pb = 2, .pl = 3, .pr = 1},
      {.name = "stem dh2", .C = 2, .K = NR, .H = 9, .W = 2 * MR + 1, .R = 5,
       .S = 3, .dh = 2, .pt = 4, .pb = 4, .pl = 1, .pr = 1,
       .mode = SIMDCONV_PAD_CIRCULAR},
      {.name = "stem 1x5", .C = 4, .K = NR + 1, .H = 3, .W = 2 * MR + 4,
       .R = 1, .S = 5, .pl = 2, .pr = 2, .mode = SIMDCONV_PAD_REPLICATE},
      {.name = "stem 5x1", .N = 2, .C = 3, .K = NR, .H = 7, .W = MR + 1,
       .R = 5, .S = 1, .pt = 2, .pb = 2},
      {.name = "stem 4x4 s4", .N = 3, .C = 3, .K = NR - 1, .H = 8,
       .W = 4 * MR + 4, .R = 4, .S = 4, .sh = 4, .sw = 4},
      {.name = "stem 5x5 s2 half block", .C = 3, .K = NR + NR / 2, .H = 9,
       .W = 2 * MR + 5, .R = 5, .S = 5, .sh = 2, .sw = 2, .pt = 2, .pb = 2,
       .pl = 2, .pr = 2},
  };
  for (size_t j = 0; j < sizeof stem / sizeof *stem; j++)
    run_layouts(x, stem[j], 0, stem[j].K);
  /* Strides, dilation, asymmetric padding, batches; K = NR - 1, NR + 1. */
  const tu_tcfg geo[] = {
      {.name = "s2", .C = 6, .K = NR + 1, .H = 7, .W = 9, .R = 3, .S = 3,
       .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
      {.name = "d2", .C = 12, .K = NR - 1, .H = 6, .W = 8, .R = 3, .S = 3,
       .dh = 2, .dw = 2, .pt = 2, .pb = 2, .pl = 2, .pr = 2,
       .mode = SIMDCONV_PAD_REFLECT},
      {.name = "2x3 asym", .N = 2, .C = 5, .K = NR, .H = 5, .W = MR + 2,
       .R = 2, .S = 3, .pt = 0, .pb = 1, .pl = 2, .pr = 0},
      {.name = "5x1 s1x2", .N = 3, .C = 40, .K = NR + 1, .H = 9, .W = 2 * MR,
       .R = 5, .S = 1, .sw = 2, .pt = 2, .pb = 2,
       .mode = SIMDCONV_PAD_CIRCULAR},
  };
  for (size_t j = 0; j < sizeof geo / sizeof *geo; j++)
    run_layouts(x, geo[j], 0, geo[j].K);
  /* Grouped: few channels per group (the lane-permuting micro-kernel where
   * the ISA has one) and per-group GEMMs. */
  static const size_t grp[][3] = {{2, 2, 2}, {4, 4, 4}, {3, 2, 8},
                                  {2, 3, 5}, {2, 8, 0}};
  for (size_t j = 0; j < sizeof grp / sizeof *grp; j++) {
    const size_t g = grp[j][0], kg = grp[j][2] ? grp[j][2] : NR + 1;
    tu_tcfg t = {.name = "grouped", .C = g * grp[j][1], .K = g * kg, .H = 4,
                 .W = MR + 1, .R = 3, .S = 3, .groups = g, .pt = 1, .pb = 1,
                 .pl = 1, .pr = 1};
    run_layouts(x, t, 0, 0);
  }
  padding_skip_cases(x, MR, NR);
}

/* ---- grouped igemm: NR lanes over several groups' output channels ------ */

/* A grouped case: groups of cg input and kg output channels, k output
 * channels in all (a multiple of kg). */
static tu_tcfg grouped_cfg(tu_tcfg t, size_t cg, size_t kg, size_t k) {
  t.groups = k / kg;
  t.C = t.groups * cg;
  t.K = k;
  return t;
}

/* Kernels that take grouped layers only (q8_igemm_grouped_*: lanes over the
 * output channels of consecutive groups, each lane gathering its group's
 * input bytes). Their edges are those of igemm_cases in grouped layers
 * (pixels; output channels 4, NR - 4, NR, NR + 4, 2NR + 4 with K/g 2 or
 * 4), then the shapes that exercise the lane tables: C/g = K/g of 2 to 16,
 * K/g not dividing 16 (groups straddling two blocks), C/g below and above
 * K/g (groups not starting on a 4-byte boundary), K/g 16 with C/g a
 * multiple of 4 (the broadcast mode) and not, C/g == K/g with whole
 * vectors of groups (the fp32 channel-order tiles), 3x3 plans with
 * every padding mode, strides, dilation, batches; layers whose blocks read
 * more than the kernel loads are skips. */
static void grouped_cases(kctx *x) {
  const size_t MR = x->k.tile_m, NR = x->k.tile_n;
  const size_t pix[] = {1, MR - 1, MR, MR + 1, 2 * MR - 1, 2 * MR, 2 * MR + 1,
                        3 * MR + 2};
  const size_t kout[] = {4, NR - 4, NR, NR + 4, 2 * NR + 4};
  EDGES_ADD(x, pix, kout);
  /* (C/g, K/g) pairs whose K/g divides every channel edge. */
  static const size_t cgkg[][2] = {{2, 2}, {4, 4}, {1, 2}, {3, 4}, {1, 4}};
  size_t i = 0;
  for (size_t p = 0; p < x->npixels; p++)
    for (size_t k = 0; k < x->nchannels; k++, i++) {
      /* Every (C/g, K/g) pair on every channel edge, over the pixels. */
      const size_t *g = cgkg[(p + k) % 5];
      run_layouts(x,
                  grouped_cfg(pixels_cfg(x->pixels[p], 1, 1, i), g[0], g[1],
                              x->channels[k]),
                  x->pixels[p], x->channels[k]);
    }
  /* 3x3, C/g and K/g (groups: NR/kg + 1, a partial last block). */
  static const size_t shapes[][2] = {
      {2, 2}, {4, 4}, {8, 8}, {16, 16}, {3, 3}, {5, 5}, {6, 6}, {12, 12},
      {7, 8}, {5, 8}, {3, 8}, {2, 8},   {1, 8}, {8, 4}, {4, 8}, {6, 16},
      {13, 16}, {4, 16}, {8, 16}, {12, 16}, {2, 3}, {1, 3}, {4, 6},
      {8, 12}, {9, 12}};
  for (size_t j = 0; j < sizeof shapes / sizeof *shapes; j++) {
    const size_t cg = shapes[j][0], kg = shapes[j][1];
    tu_tcfg t = {.name = "grouped 3x3", .H = 4, .W = MR + 1, .R = 3, .S = 3,
                 .pt = 1, .pb = 1, .pl = 1, .pr = 1,
                 .mode = (simdconv_padding_mode)(j % 4)};
    run_layouts(x, grouped_cfg(t, cg, kg, (NR / kg + 1) * kg), 0, 0);
  }
  /* C/g == K/g with whole vectors of groups (the channel-order tiles'
   * layers: groups a multiple of 16/(K/g)), one and two NR blocks and a
   * half block, each padding mode, stride 1 and 2. */
  static const size_t whole[][2] = {{4, 2}, {4, 3}, {4, 4}, {2, 2}, {8, 3}};
  for (size_t j = 0; j < sizeof whole / sizeof *whole; j++) {
    const size_t g = whole[j][0], s = 1 + j % 2;
    tu_tcfg t = {.name = "grouped whole vectors", .H = 5, .W = MR + 1 + j,
                 .R = 3, .S = 3, .sh = s, .sw = s, .pt = 1, .pb = 1,
                 .pl = 1, .pr = 1, .mode = (simdconv_padding_mode)(j % 4)};
    run_layouts(x, grouped_cfg(t, g, g, whole[j][1] * NR / 2), 0, 0);
  }
  /* Strides, dilation, asymmetric padding, batches. */
  const tu_tcfg geo[] = {
      {.name = "grouped s2", .H = 7, .W = 9, .R = 3, .S = 3, .sh = 2,
       .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
      {.name = "grouped d2", .H = 6, .W = 8, .R = 3, .S = 3, .dh = 2, .dw = 2,
       .pt = 2, .pb = 2, .pl = 2, .pr = 2, .mode = SIMDCONV_PAD_REFLECT},
      {.name = "grouped 2x3 asym", .N = 2, .H = 5, .W = MR + 2, .R = 2,
       .S = 3, .pt = 0, .pb = 1, .pl = 2, .pr = 0},
      {.name = "grouped 1x1 s2", .N = 3, .H = 5, .W = 2 * MR + 1, .R = 1,
       .S = 1, .sh = 2, .sw = 2},
  };
  static const size_t geo_g[][3] = {
      {8, 8, 2}, {4, 4, 1}, {2, 2, 3}, {3, 4, 2}};
  for (size_t j = 0; j < sizeof geo / sizeof *geo; j++) {
    const size_t *g = geo_g[j];
    run_layouts(x, grouped_cfg(geo[j], g[0], g[1], g[2] * NR + g[1]), 0, 0);
  }
}

/* ---- NCHW GEMM: MR output channels x NR pixels --------------------------- */

static void gemm_nchw_cases(kctx *x) {
  const size_t MR = x->k.tile_m, NR = x->k.tile_n;
  const size_t pix[] = {1, NR - 1, NR, NR + 1, 2 * NR + 1};
  const size_t kout[] = {1, MR - 1, MR, MR + 1, 2 * MR + 1};
  EDGES_ADD(x, pix, kout);
  static const size_t cin[] = {1, 5, 17, 64};
  size_t i = 0;
  for (size_t p = 0; p < x->npixels; p++)
    for (size_t k = 0; k < x->nchannels; k++, i++)
      run_layouts(x, pixels_cfg(x->pixels[p], cin[i % 4], x->channels[k], i),
                  x->pixels[p], x->channels[k]);
  /* Strided (the gathered pixels), batches, groups. */
  const tu_tcfg more[] = {
      {.name = "s2", .N = 2, .C = 9, .K = MR + 1, .H = 5, .W = 2 * NR + 1,
       .R = 1, .S = 1, .sh = 2, .sw = 2},
      {.name = "s3x1", .C = 70, .K = MR, .H = 7, .W = NR + 3, .R = 1, .S = 1,
       .sh = 3},
      {.name = "grouped", .N = 2, .C = 6, .K = 2 * (MR + 1), .H = 3,
       .W = NR - 1, .R = 1, .S = 1, .groups = 2},
  };
  for (size_t j = 0; j < sizeof more / sizeof *more; j++)
    run_layouts(x, more[j], 0, 0);
}

/* ---- depthwise: vector of VW channels ------------------------------------ */

typedef struct dw_shape {
  size_t R, S, sh, sw, dh, dw;
} dw_shape;

/* Every shape a depthwise list specialises, and generic ones. */
static const dw_shape dw_shapes[] = {
    {3, 3, 1, 1, 1, 1}, {3, 3, 2, 2, 1, 1}, {5, 5, 1, 1, 1, 1},
    {5, 5, 2, 2, 1, 1}, {7, 7, 1, 1, 1, 1}, {3, 3, 1, 1, 2, 2},
    {2, 4, 1, 2, 1, 1}, {1, 1, 1, 1, 1, 1}, {3, 3, 1, 2, 1, 1},
    {7, 7, 2, 2, 1, 1},
};

static tu_tcfg dw_cfg(const dw_shape *sh, size_t C, size_t kg, size_t W,
                      simdconv_padding_mode mode) {
  const size_t ph = sh->dh * (sh->R - 1) / 2, pw = sh->dw * (sh->S - 1) / 2;
  return (tu_tcfg){.name = "depthwise", .C = C, .K = C * kg, .H = 7, .W = W,
                   .R = sh->R, .S = sh->S, .sh = sh->sh, .sw = sh->sw,
                   .dh = sh->dh, .dw = sh->dw, .groups = C, .pt = ph,
                   .pb = sh->dh * (sh->R - 1) - ph, .pl = pw,
                   .pr = sh->dw * (sh->S - 1) - pw, .mode = mode};
}

static void dwconv_cases(kctx *x) {
  const size_t VW = x->k.tile_n;
  /* Row widths: narrow (flat planes, tiles), medium, wide (row kernels). */
  const size_t widths[] = {5, 2 * VW + 3, 6 * VW + 5};
  const size_t chans[] = {1, VW - 1, VW, VW + 1, 2 * VW + 1};
  EDGES_ADD(x, widths, chans);
  size_t i = 0;
  for (size_t s = 0; s < sizeof dw_shapes / sizeof *dw_shapes; s++)
    for (size_t w = 0; w < x->npixels; w++)
      for (int m = 0; m < 2; m++, i++) {
        const size_t C = x->channels[i % x->nchannels], kg = 1 + i / 5 % 2;
        run_layouts(x,
                    dw_cfg(&dw_shapes[s], C, kg, x->pixels[w],
                           m ? SIMDCONV_PAD_REFLECT : SIMDCONV_PAD_ZEROS),
                    x->pixels[w], C);
      }
  /* Output rows of 3 to 17 pixels on the square shapes of dilation 1:
   * every remainder of the sliding windows of up to 8 pixels, and rows
   * narrower than a window. */
  static const size_t ows[] = {3, 4, 5, 7, 8, 9, 16, 17};
  for (size_t s = 0; s < sizeof dw_shapes / sizeof *dw_shapes; s++) {
    const dw_shape *sh = &dw_shapes[s];
    if (sh->R != sh->S || sh->R < 3 || sh->dw != 1 || sh->sh != sh->sw)
      continue;
    for (size_t o = 0; o < sizeof ows / sizeof *ows; o++, i++)
      run_layouts(x,
                  dw_cfg(sh, x->channels[i % x->nchannels], 1,
                         (ows[o] - 1) * sh->sw + 1, SIMDCONV_PAD_ZEROS),
                  0, x->channels[i % x->nchannels]);
  }
  /* Every channel edge with both multipliers on the commonest shape. */
  for (size_t c = 0; c < x->nchannels; c++)
    for (size_t kg = 1; kg <= 2; kg++)
      for (size_t w = 0; w < x->npixels; w += 2)
        run_layouts(x,
                    dw_cfg(&dw_shapes[0], x->channels[c], kg, x->pixels[w],
                           SIMDCONV_PAD_ZEROS),
                    x->pixels[w], x->channels[c]);
  /* Images of 4 MB, beyond any host's L2 budget: the NHWC row kernels ask
   * for the next block's rows as they go (sc_dw_nhwc_params.prefetch_rows),
   * up to the image's last row, and with 5x5 and 7x7 kernels for the next
   * block's output (prefetch_out); 3x3 at stride 1 and 2, 5x5 at stride 2
   * and 7x7, zeros and reflect. */
  for (size_t s = 0; s < 5; s++) {
    if (s == 2)
      continue;
    tu_tcfg c = dw_cfg(&dw_shapes[s], 2 * VW + 1, 1, 6 * VW + 5,
                       s % 2 ? SIMDCONV_PAD_REFLECT : SIMDCONV_PAD_ZEROS);
    c.name = "depthwise, large image";
    c.H = ((size_t)4 << 20) / (c.C * c.W * sizeof(float)) + 1;
    run_layouts(x, c, 0, 0);
  }
}

/* ---- transposed: output phases on igemm and depthwise tiles ------------- */

/* A transposed case with stride st and a kernel of st taps on each axis,
 * no crop: every output phase has exactly P pixels per row (OW = W * st)
 * and one tap per axis. */
static tu_tcfg phase_cfg(size_t P, size_t C, size_t K, size_t st, size_t i) {
  return (tu_tcfg){.name = "phases", .C = C, .K = K, .H = 1 + i % 2, .W = P,
                   .R = st, .S = st, .sh = st, .sw = st, .transposed = true};
}

/* Geometry that every transposed kernel meets: kernels not divisible by
 * the stride and smaller than it (bias-only phases), dilation with stride
 * (gcd 1 and 2), output padding on each axis, crops past the kernel,
 * asymmetric strides, batches; K per group = kg. */
static void deconv_geometry(kctx *x, size_t C, size_t kg, size_t groups) {
  const tu_tcfg geo[] = {
      {.name = "s2 4x4 pad 1", .C = C, .K = kg, .H = 3, .W = 5, .R = 4,
       .S = 4, .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
      {.name = "s3 5x5 op 2,1", .N = 2, .C = C, .K = kg, .H = 3, .W = 4,
       .R = 5, .S = 5, .sh = 3, .sw = 3, .pt = 2, .pb = 2, .pl = 2,
       .pr = 2, .oph = 2, .opw = 1},
      {.name = "s4 3x3 (bias-only phases)", .C = C, .K = kg, .H = 2, .W = 3,
       .R = 3, .S = 3, .sh = 4, .sw = 4, .oph = 3, .opw = 2},
      {.name = "s2 d2 (gcd 2)", .C = C, .K = kg, .H = 3, .W = 4, .R = 3,
       .S = 3, .sh = 2, .sw = 2, .dh = 2, .dw = 2, .pt = 1, .pr = 1},
      {.name = "s2x3 d3x2 asymmetric crop", .C = C, .K = kg, .H = 4, .W = 3,
       .R = 3, .S = 4, .sh = 2, .sw = 3, .dh = 3, .dw = 2, .pt = 3, .pb = 1,
       .pl = 0, .pr = 4, .opw = 1},
      {.name = "s1 3x3 pad 1", .C = C, .K = kg, .H = 3, .W = 4, .R = 3,
       .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
  };
  for (size_t j = 0; j < sizeof geo / sizeof *geo; j++) {
    tu_tcfg t = geo[j];
    t.C *= groups;
    t.K *= groups;
    t.groups = groups;
    t.transposed = true;
    run_layouts(x, t, 0, groups == 1 ? kg : 0);
  }
}

static void deconv_igemm_cases(kctx *x) {
  const size_t MR = x->k.tile_m, NR = x->k.tile_n;
  const size_t pix[] = {1, MR - 1, MR, MR + 1, 2 * MR + 1};
  /* NR + NR/2: the inner family's half tile over whole vectors. */
  const size_t kout[] = {1, NR - 1, NR, NR + 1, NR + NR / 2, 2 * NR + 1};
  EDGES_ADD(x, pix, kout);
  /* Pixels per phase x output channels, strides 1 to 4 in turn. */
  static const size_t cin[] = {1, 3, 8, 17};
  size_t i = 0;
  for (size_t p = 0; p < x->npixels; p++)
    for (size_t k = 0; k < x->nchannels; k++, i++)
      run_layouts(x,
                  phase_cfg(x->pixels[p], cin[i % 4], x->channels[k],
                            1 + i % 4, i),
                  x->pixels[p], x->channels[k]);
  deconv_geometry(x, 5, NR - 1, 1);
  deconv_geometry(x, 3, NR + 1, 1);
  deconv_geometry(x, 2, 3, 2); /* groups: one sub-GEMM per group */
  /* Zero-padding taps skipped on underflowing data: DCGAN's first layer
   * (1x1 input, 4x4 kernel, 15 of 16 taps padding) and stride 2. */
  const tu_tcfg skip[] = {
      {.name = "underflow 1x1 in 4x4", .N = 2, .C = 9, .K = NR + 1, .H = 1,
       .W = 1, .R = 4, .S = 4},
      {.name = "underflow s2 4x4 pad 1", .C = 6, .K = NR, .H = 3,
       .W = MR + 1, .R = 4, .S = 4, .sh = 2, .sw = 2, .pt = 1, .pb = 1,
       .pl = 1, .pr = 1},
  };
  for (size_t j = 0; j < sizeof skip / sizeof *skip; j++) {
    tu_tcfg t = skip[j];
    t.data = TU_DATA_UNDERFLOW;
    t.transposed = true;
    run_layouts(x, t, 0, 0);
  }
}

static void deconv_dwconv_cases(kctx *x) {
  const size_t VW = x->k.tile_n;
  const size_t pix[] = {1, 2, 2 * VW + 3};
  const size_t chans[] = {1, VW - 1, VW, VW + 1, 2 * VW + 1};
  EDGES_ADD(x, pix, chans);
  size_t i = 0;
  for (size_t p = 0; p < x->npixels; p++)
    for (size_t c = 0; c < x->nchannels; c++, i++) {
      const size_t C = x->channels[c], kg = 1 + i % 2;
      tu_tcfg t = phase_cfg(x->pixels[p], C, C * kg, 1 + i % 4, i);
      t.groups = C;
      run_layouts(x, t, x->pixels[p], C);
    }
  for (size_t kg = 1; kg <= 2; kg++)
    for (size_t c = 1; c < 3; c++)
      deconv_geometry(x, 1, kg, x->channels[c]);
}

/* ---- direct: random layers ----------------------------------------------- */

/* The table form of a random spec. */
static tu_tcfg random_cfg(const tu_spec *s) {
  const simdconv_desc *d = &s->desc;
  return (tu_tcfg){
      .name = "random", .N = s->N, .C = d->in_channels,
      .K = d->out_channels, .H = s->H, .W = s->W, .R = d->kernel_h,
      .S = d->kernel_w, .sh = d->stride_h, .sw = d->stride_w,
      .dh = d->dilation_h, .dw = d->dilation_w, .groups = d->groups,
      .padding = d->padding, .pt = d->pad_top, .pb = d->pad_bottom,
      .pl = d->pad_left, .pr = d->pad_right, .mode = d->padding_mode,
      .transposed = d->transposed != 0, .oph = d->output_padding_h,
      .opw = d->output_padding_w};
}

/* 40 forward and 20 transposed random layers. */
static void direct_cases(kctx *x) {
  tu_rng r;
  tu_rng_seed(&r, tu_base_seed(0x64697265));
  for (size_t i = 0; i < 60; i++) {
    tu_spec s;
    if (i < 40)
      tu_random_spec(&r, &tu_small_limits, &s);
    else
      tu_random_transposed_spec(&r, &tu_small_limits, &s);
    run_case(x, random_cfg(&s), s.desc.layout, 0, 0);
  }
}

/* ---- the generated test -------------------------------------------------- */

static void kernel_name_list(char *buf, size_t size, const size_t *v,
                             const size_t *runs, size_t n) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < n && used < size; i++)
    used += (size_t)snprintf(buf + used, size - used, "%s%zu:%zu",
                             i ? " " : "", v[i], runs[i]);
}

/* The kernel's line in the test log: cases run and excluded, and how often
 * each edge ran (what: "" or the part of the kernel, "grouped "). */
static void kctx_report(const kctx *x, const char *what) {
  char pix[256], ch[256];
  kernel_name_list(pix, sizeof pix, x->pixels, x->pixel_runs, x->npixels);
  kernel_name_list(ch, sizeof ch, x->channels, x->channel_runs,
                   x->nchannels);
  fprintf(stderr,
          "[simdconv-tests] kernel %-30s %s%zux%zu: %zu cases run, %zu "
          "outside its constraints; pixels/width edge:runs {%s} channel "
          "edge:runs {%s}\n",
          x->k.name, what, x->k.tile_m, x->k.tile_n, x->cases, x->skipped,
          pix, ch);
}

/* The kernels this CPU can run (their ISA usable, the CPU features they
 * need present). */
static size_t usable_kernels(size_t *out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < simdconv_kernel_count() && n < cap; i++) {
    simdconv_kernel_info k;
    if (simdconv_kernel_get(i, &k) == SIMDCONV_OK && k.usable)
      out[n++] = i;
  }
  return n;
}

/* The rows of an fp32 igemm family's grouped micro-kernel of the given
 * kind, which its constraints name ("... in MRxNR group-interleaved tiles",
 * "... MRxNR channel-order tiles"); 0: none. */
static size_t grouped_tile_rows(const simdconv_kernel_info *k,
                                const char *kind) {
  const char *s = strstr(k->constraints, kind);
  size_t mr = 0, nr = 0;
  while (s != NULL && s > k->constraints && s[-1] != ' ')
    s--;
  if (s == NULL || sscanf(s, "%zux%zu", &mr, &nr) != 2 || nr != k->tile_n)
    return 0;
  return mr;
}

/* The grouped generator with edges at MR = gmr, reported on a line of its
 * own. */
static void grouped_cases_at(kctx *x, size_t gmr) {
  kctx g;
  memset(&g, 0, sizeof g);
  g.k = x->k;
  g.k.tile_m = gmr;
  grouped_cases(&g);
  kctx_report(&g, "grouped ");
  /* Excluded: only C/g = 1 (depthwise with a multiplier, not igemm's). */
  cr_assert(g.cases > 0, "kernel %s ran no grouped case", g.k.name);
  for (size_t i = 0; i < g.nchannels; i++)
    cr_assert(g.channel_runs[i] > 0,
              "kernel %s never ran the grouped %zu-channel edge", g.k.name,
              g.channels[i]);
  for (size_t i = 0; i < g.npixels; i++)
    cr_assert(g.pixel_runs[i] > 0, "kernel %s never ran the grouped %zu-pixel edge",
              g.k.name, g.pixels[i]);
  x->acts |= g.acts;
}

/* igemm_cases, then for a family with grouped micro-kernels the grouped
 * generator on each one's tile (edges at its MR, lanes over groups: K/g =
 * 2, 4, 8 and the vector width, partial spans of groups). Which of the two
 * a layer runs is the host's choice (SIMDCONV_GSHUFFLE: tests/meson.build
 * runs this test with each), so both sets of edges run either way. */
static void igemm_cases_with_grouped(kctx *x) {
  igemm_cases(x);
  const size_t gmr = grouped_tile_rows(&x->k, " group-interleaved tiles");
  const size_t gsmr = grouped_tile_rows(&x->k, " channel-order tiles");
  if (gmr != 0)
    grouped_cases_at(x, gmr);
  if (gsmr != 0 && gsmr != gmr)
    grouped_cases_at(x, gsmr);
}

ParameterizedTestParameters(kernels, edges) {
  static size_t idx[64];
  const size_t n = usable_kernels(idx, 64);
  return cr_make_param_array(size_t, idx, n);
}

ParameterizedTest(size_t *index, kernels, edges, .timeout = 600) {
  kctx x;
  memset(&x, 0, sizeof x);
  cr_assert(simdconv_kernel_get(*index, &x.k) == SIMDCONV_OK);
  /* The int8 families share the fp32 ones' generators (run_case runs a
   * case of the kernel's data type). */
  const char *family = strncmp(x.k.family, "q8_", 3) == 0 ? x.k.family + 3
                                                            : x.k.family;
  if (strcmp(family, "igemm") == 0 && strstr(x.k.name, "_grouped_"))
    grouped_cases(&x);
  else if (strcmp(family, "igemm") == 0)
    igemm_cases_with_grouped(&x);
  else if (strcmp(family, "gemm_nchw") == 0)
    gemm_nchw_cases(&x);
  else if (strcmp(family, "dwconv") == 0)
    dwconv_cases(&x);
  else if (strcmp(family, "deconv_igemm") == 0)
    deconv_igemm_cases(&x);
  else if (strcmp(family, "deconv_dwconv") == 0)
    deconv_dwconv_cases(&x);
  else if (strcmp(family, "direct") == 0)
    direct_cases(&x);
  else
    cr_assert(false, "kernel %s of unknown family %s: no generator", x.k.name,
              x.k.family);

  kctx_report(&x, "");
  cr_assert(x.cases > 0, "registered kernel %s reached by no case",
            x.k.name);
  cr_assert(x.cases < TU_ACT_VARIANTS ||
                x.acts == (1u << TU_ACT_VARIANTS) - 1u,
            "kernel %s did not run every epilogue (0x%x)", x.k.name, x.acts);
  for (size_t i = 0; i < x.npixels; i++)
    cr_assert(x.pixel_runs[i] > 0, "kernel %s never ran the %zu-pixel edge",
              x.k.name, x.pixels[i]);
  /* NR - 1 and NR output channels (vector width - 1 and width for
   * depthwise) fit every kernel's constraints. */
  if (strcmp(family, "direct") != 0)
    for (size_t i = 1; i < 3 && i < x.nchannels; i++)
      cr_assert(x.channel_runs[i] > 0,
                "kernel %s never ran the %zu-channel edge", x.k.name,
                x.channels[i]);
}

/* ---- the -0.0 rule of skipped padding taps ------------------------------- */

/* A layer whose scalar outputs pass through -0.0 just before a zero-padding
 * tap turns them into +0.0: channel C-1 of input rows x_row to H-1 is
 * -2^-100, the weight of tap (tiny_r, tiny_s) of that channel 2^-50 (their
 * product underflows to -0.0: tiny_s a tap of the kernel row not padded
 * for the pixels of the point), kernel row ones_r's weights +1 but for
 * channel C-1, every other weight +0 and every other input +0 (-0.0 with
 * neg_input); pos_zero: the outputs that must be +0.0. */
typedef struct negzero_geo {
  const char *name;
  size_t R, S, pad; /* pad: the padding of the padded sides */
  bool sides;       /* padding left and right (else top and bottom) */
  size_t H;         /* input rows */
  size_t x_row, tiny_r, tiny_s, ones_r;
  bool neg_input;
  bool (*pos_zero)(size_t oh, size_t ow, size_t W);
} negzero_geo;

static void negzero_fill(tu_case *c, const negzero_geo *g, size_t C,
                         size_t K, size_t W) {
  const simdconv_desc *d = &c->spec.desc;
  for (size_t i = 0; i < c->nx; i++)
    c->x[i] = g->neg_input ? -0.0f : 0.0f;
  memset(c->w, 0, c->nw * sizeof(float));
  for (size_t ih = g->x_row; ih < g->H; ih++)
    for (size_t iw = 0; iw < W; iw++)
      c->x[tu_tidx(d->layout, C, g->H, W, 0, C - 1, ih, iw)] = -0x1p-100f;
  for (size_t ko = 0; ko < K; ko++) {
    c->w[tu_widx(d, ko, C - 1, g->tiny_r, g->tiny_s)] = 0x1p-50f;
    for (size_t ch = 0; ch + 1 < C; ch++)
      for (size_t q = 0; q < g->S; q++)
        c->w[tu_widx(d, ko, ch, g->ones_r, q)] = 1.0f;
  }
}

/* 3x3, pad 1, two output rows: in the last, the padded kernel row 2. */
static bool negzero_bottom_row(size_t oh, size_t ow, size_t W) {
  (void)ow, (void)W;
  return oh == 1;
}

/* 2x5, pad 2 left and right, one output row: kernel row 1 keeps the
 * accumulators at -0.0 (inputs -0.0) but for the two pixels at either
 * edge, where its padded first (last) taps turn them into +0.0. */
static bool negzero_side_pixels(size_t oh, size_t ow, size_t W) {
  (void)oh;
  return ow < 2 || ow + 2 >= W;
}

/* 2x3, pad 1 left and right, two output rows: the tiny tap is the middle
 * one, and the padded first (last) taps of kernel row 1 alone turn the
 * first (last) pixel of each row to +0.0; in rows of MR+4 pixels the
 * second row's first pixel is inside a tile (its one padded row). */
static bool negzero_edge_pixel(size_t oh, size_t ow, size_t W) {
  (void)oh;
  return ow == 0 || ow + 1 == W;
}

/* One kernel, layout, channel count, geometry and width: bitwise equal to
 * the scalar kernel, whose outputs must show the case's point. */
static void negzero_check(const simdconv_kernel_info *k, simdconv_layout l,
                          size_t C, const negzero_geo *g, size_t W) {
  const size_t H = g->H, p = g->pad;
  const tu_tcfg t = {.name = g->name, .C = C, .K = k->tile_n, .H = H,
                     .W = W, .R = g->R, .S = g->S,
                     .pt = g->sides ? 0 : p, .pb = g->sides ? 0 : p,
                     .pl = g->sides ? p : 1, .pr = g->sides ? p : 1};
  tu_spec sp;
  tu_spec_from_tcfg(&sp, &t, l, SIMDCONV_WEIGHTS_OIHW, 0, 0x6e7a + C + W);
  tu_case c;
  tu_case_init(&c, &sp);
  negzero_fill(&c, g, C, t.K, W);
  tu_case_touch(&c);
  simdconv_conv *conv = tu_create_kernel(&c, k->name);
  simdconv_conv *ref = tu_create_kernel(&c, SCALAR_KERNEL);
  cr_assert(conv != NULL && ref != NULL, "%s refused %s", k->name, c.name);
  float *y = tu_alloc(c.ny * sizeof(float));
  float *ys = tu_alloc(c.ny * sizeof(float));
  tu_run(&c, conv, k->isa, &tu_variants[0], y);
  tu_run(&c, ref, SIMDCONV_ISA_SCALAR, &tu_variants[0], ys);
  const size_t OH = H + t.pt + t.pb - g->R + 1;
  const size_t OW = W + t.pl + t.pr - g->S + 1;
  for (size_t i = 0; i < c.ny; i++) {
    size_t pos[4]; /* n, k, oh, ow */
    tu_tpos(l, t.K, OH, OW, i, pos);
    cr_assert(tu_bits(y[i]) == tu_bits(ys[i]),
              "%s, %s, C %zu, W %zu, %s: output (k %zu, %zu, %zu) = %a, "
              "scalar %a", k->name, g->name, C, W, l ? "nhwc" : "nchw",
              pos[1], pos[2], pos[3], (double)y[i], (double)ys[i]);
    if (g->pos_zero(pos[2], pos[3], OW))
      cr_assert(tu_bits(ys[i]) == 0u,
                "%s lost its point: scalar output (k %zu, %zu, %zu) = %a, "
                "not +0.0", g->name, pos[1], pos[2], pos[3], (double)ys[i]);
  }
  free(y);
  free(ys);
  simdconv_destroy(conv);
  simdconv_destroy(ref);
  tu_case_free(&c);
}

/* Skipped padding taps against accumulators at -0.0 (docs/numerics.md,
 * section 1): a kernel that skips a padded tap for some pixels of a tile
 * ends those at -0.0 and must compute the tile again without skipping.
 * Rows of 2*MR pixels put the padding in whole tiles (bottom rows) or at a
 * tile's first and last one or two rows (sides); rows of MR+2 to MR+4
 * pixels put it in a tile across two output rows, at its end (bottom) or
 * where the image's rows fall (one padded row inside the tile). Every
 * usable fp32 igemm kernel, im2col (C = 4), merged (C = 5) and unmerged
 * (C = 32) plans, both layouts; bitwise against the scalar kernel. */
Test(kernels, padding_skip_negative_zero, .timeout = 600) {
  static const negzero_geo geos[] = {
      {"-0.0 before bottom padding", 3, 3, 1, false, 2, 1, 1, 2, 2, false,
       negzero_bottom_row},
      {"-0.0 before side padding", 2, 5, 2, true, 2, 0, 0, 4, 1, true,
       negzero_side_pixels},
      {"-0.0 before one padded pixel", 2, 3, 1, true, 3, 0, 0, 1, 1, true,
       negzero_edge_pixel},
  };
  size_t idx[64], checked = 0;
  const size_t n = usable_kernels(idx, 64);
  for (size_t ki = 0; ki < n; ki++) {
    simdconv_kernel_info k;
    cr_assert(simdconv_kernel_get(idx[ki], &k) == SIMDCONV_OK);
    if (strcmp(k.family, "igemm") != 0)
      continue;
    for (int l = SIMDCONV_LAYOUT_NCHW; l <= SIMDCONV_LAYOUT_NHWC; l++)
      for (size_t ci = 0; ci < 3; ci++)
        for (size_t gi = 0; gi < sizeof geos / sizeof *geos; gi++)
          for (size_t wi = 0; wi < 2; wi++) {
            const size_t C = (size_t[]){4, 5, 32}[ci];
            const size_t W = wi == 0 ? 2 * k.tile_m : k.tile_m + 2 + gi;
            negzero_check(&k, (simdconv_layout)l, C, &geos[gi], W);
            checked++;
          }
  }
  cr_assert(checked > 0, "no fp32 igemm kernel on this CPU");
}

/* ---- the registry itself ------------------------------------------------- */

Test(registry, tables_keep_their_rules) {
  const char *v = simdconv_registry_check();
  cr_assert(v == NULL, "registry check: %s", v);
  cr_assert(simdconv_kernel_count() >= 1);
}

/* The tile in the name (f32_<op>_<M>x<N>__isa) is the one described. */
static void check_name_tile(const simdconv_kernel_info *k) {
  char head[128];
  snprintf(head, sizeof head, "%s", k->name);
  char *us = strstr(head, "__");
  cr_assert(us != NULL, "kernel %s has no __<isa> suffix", k->name);
  *us = '\0';
  const char *tile = strrchr(head, '_');
  size_t m = 0, n = 0;
  char end;
  cr_assert(tile != NULL && sscanf(tile + 1, "%zux%zu%c", &m, &n, &end) == 2,
            "kernel %s of family %s has no <M>x<N> tile in its name",
            k->name, k->family);
  cr_assert(m == k->tile_m && n == k->tile_n,
            "kernel %s describes a %zux%zu tile", k->name, k->tile_m,
            k->tile_n);
}

Test(registry, metadata) {
  const size_t n = simdconv_kernel_count();
  simdconv_isa prev = SIMDCONV_ISA_AUTO;
  size_t rank = 0;
  for (size_t i = 0; i < n; i++) {
    simdconv_kernel_info k;
    cr_assert(simdconv_kernel_get(i, &k) == SIMDCONV_OK);
    cr_assert(k.name && k.family && k.constraints && k.layouts != 0 &&
                  k.layouts < 4u && k.tile_m >= 1 && k.tile_n >= 1 &&
                  k.cpu_features != NULL,
              "kernel %zu incompletely described", i);
    /* The name's data type is the family's: q8_ for the q8_ families. */
    const bool q8 = strncmp(k.family, "q8_", 3) == 0;
    cr_assert(strncmp(k.name, q8 ? "q8_" : "f32_", q8 ? 3 : 4) == 0,
              "kernel %s of family %s", k.name, k.family);
    cr_assert(!k.usable || simdconv_isa_check(k.isa) == SIMDCONV_OK,
              "kernel %s usable on an unusable ISA", k.name);
    rank = k.isa == prev ? rank + 1 : 0;
    prev = k.isa;
    cr_assert(k.rank == rank, "kernel %s: rank %zu, expected %zu", k.name,
              k.rank, rank);
    size_t found;
    cr_assert(simdconv_kernel_find(k.name, &found) == SIMDCONV_OK &&
              found == i);
    if (strcmp(k.family, "igemm") == 0 ||
        strcmp(k.family, "gemm_nchw") == 0 ||
        strcmp(k.family, "deconv_igemm") == 0 ||
        strcmp(k.family, "q8_igemm") == 0)
      check_name_tile(&k);
    fprintf(stderr, "[simdconv-tests] %-30s %-6s %-9s %zux%zu layouts 0x%x "
            "rank %zu cpu '%s' usable %d: %s\n", k.name, tu_isa_str(k.isa),
            k.family, k.tile_m, k.tile_n, k.layouts, k.rank, k.cpu_features,
            k.usable, k.constraints);
  }
  simdconv_kernel_info k;
  size_t idx;
  cr_assert(simdconv_kernel_get(n, &k) == SIMDCONV_ERR_UNKNOWN_KERNEL);
  cr_assert(simdconv_kernel_get(0, NULL) == SIMDCONV_ERR_NULL_POINTER);
  cr_assert(simdconv_kernel_find("f32_no_such__kernel", &idx) ==
            SIMDCONV_ERR_UNKNOWN_KERNEL);
  cr_assert(simdconv_kernel_find(NULL, &idx) == SIMDCONV_ERR_NULL_POINTER);
  cr_assert(simdconv_kernel_find(SCALAR_KERNEL, NULL) ==
            SIMDCONV_ERR_NULL_POINTER);
}

/* A small case for the status tests; transposed: stride 2. */
static void small_case_of(tu_case *c, size_t C, size_t K, size_t groups,
                          simdconv_layout layout, bool transposed) {
  const tu_tcfg t = {.name = "status", .C = C, .K = K, .H = 5, .W = 6,
                     .R = 3, .S = 3, .sh = transposed ? 2 : 1,
                     .sw = transposed ? 2 : 1, .groups = groups, .pt = 1,
                     .pb = 1, .pl = 1, .pr = 1, .bias = true,
                     .transposed = transposed};
  tu_spec s;
  tu_spec_from_tcfg(&s, &t, layout, SIMDCONV_WEIGHTS_OIHW, 0, 42);
  tu_case_init(c, &s);
}

static void small_case(tu_case *c, size_t C, size_t K, size_t groups,
                       simdconv_layout layout) {
  small_case_of(c, C, K, groups, layout, false);
}

Test(registry, forced_kernel_statuses) {
  tu_case c;
  small_case(&c, 4, 8, 1, SIMDCONV_LAYOUT_NHWC);
  simdconv_conv *conv;
  simdconv_options o = {.kernel = "f32_no_such__kernel"};
  cr_assert(tu_try_create(&c, &o, &conv) == SIMDCONV_ERR_UNKNOWN_KERNEL);
  /* A kernel of an ISA not in this build is unknown here too. */
  const char *foreign = simdconv_isas_built() & (1u << SIMDCONV_ISA_NEON)
                            ? "f32_igemm_7x32__avx512"
                            : "f32_igemm_8x8__neon";
  o.kernel = foreign;
  cr_assert(tu_try_create(&c, &o, &conv) == SIMDCONV_ERR_UNKNOWN_KERNEL);
  /* The scalar kernel, asked for another ISA: unsuitable. */
  o.kernel = SCALAR_KERNEL;
  simdconv_isa isas[SIMDCONV_ISA_COUNT];
  const size_t n = tu_isas(isas);
  for (size_t i = 0; i < n; i++) {
    o.isa = isas[i];
    const simdconv_status want = isas[i] == SIMDCONV_ISA_SCALAR
                                     ? SIMDCONV_OK
                                     : SIMDCONV_ERR_KERNEL_UNSUITABLE;
    cr_assert(tu_try_create(&c, &o, &conv) == want, "scalar kernel, isa %s",
              tu_isa_str(isas[i]));
    simdconv_destroy(conv);
  }
  /* Every usable kernel on a dense NHWC layer, a depthwise NCHW one and a
   * transposed NHWC one: depthwise kernels take only depthwise layers of
   * their layout, the NCHW GEMM no NHWC layer, igemm kernels no depthwise
   * layer (and dense ones within their K range), forward families no
   * transposed layer and the deconv families no forward one, the direct
   * kernel everything. */
  tu_case dw;
  small_case(&dw, 8, 8, 8, SIMDCONV_LAYOUT_NCHW);
  tu_case tr;
  small_case_of(&tr, 4, 8, 1, SIMDCONV_LAYOUT_NHWC, true);
  size_t idx[64];
  const size_t nk = usable_kernels(idx, 64);
  for (size_t i = 0; i < nk; i++) {
    simdconv_kernel_info k;
    simdconv_kernel_get(idx[i], &k);
    o = (simdconv_options){.kernel = k.name};
    const bool is_dw = strcmp(k.family, "dwconv") == 0;
    const bool direct = strcmp(k.family, "direct") == 0;
    const bool igemm = strcmp(k.family, "igemm") == 0;
    const simdconv_status dense = tu_try_create(&c, &o, &conv);
    simdconv_destroy(conv);
    cr_assert(direct   ? dense == SIMDCONV_OK
              : igemm  ? dense == SIMDCONV_OK ||
                            dense == SIMDCONV_ERR_KERNEL_UNSUITABLE
                       : dense == SIMDCONV_ERR_KERNEL_UNSUITABLE,
              "kernel %s on a dense NHWC 3x3 layer: %d", k.name, (int)dense);
    const simdconv_status depthwise = tu_try_create(&dw, &o, &conv);
    simdconv_destroy(conv);
    const bool takes = direct || (is_dw && (k.layouts & (1u << SIMDCONV_LAYOUT_NCHW)));
    cr_assert(depthwise == (takes ? SIMDCONV_OK
                                  : SIMDCONV_ERR_KERNEL_UNSUITABLE),
              "kernel %s on a depthwise NCHW layer: %d", k.name,
              (int)depthwise);
    /* A transposed dense layer: never a forward family's. */
    const simdconv_status transposed = tu_try_create(&tr, &o, &conv);
    simdconv_destroy(conv);
    cr_assert(direct ? transposed == SIMDCONV_OK
              : strcmp(k.family, "deconv_igemm") == 0
                  ? transposed == SIMDCONV_OK ||
                        transposed == SIMDCONV_ERR_KERNEL_UNSUITABLE
                  : transposed == SIMDCONV_ERR_KERNEL_UNSUITABLE,
              "kernel %s on a transposed NHWC layer: %d", k.name,
              (int)transposed);
  }
  tu_case_free(&tr);
  tu_case_free(&dw);
  tu_case_free(&c);
}

/* With SIMDCONV_KERNEL set (tests/meson.build: kernels_env), objects whose
 * options name no kernel run it where it fits, whatever they ask for, and
 * choose as usual where it does not. */
Test(registry, environment_kernel) {
  const char *env = getenv("SIMDCONV_KERNEL");
  tu_case c;
  small_case(&c, 4, 8, 1, SIMDCONV_LAYOUT_NHWC);
  tu_case dw;
  small_case(&dw, 8, 8, 8, SIMDCONV_LAYOUT_NHWC);
  simdconv_conv *conv;
  const simdconv_options o = {.isa = SIMDCONV_ISA_AUTO};
  cr_assert(tu_try_create(&c, &o, &conv) == SIMDCONV_OK);
  simdconv_conv_info info;
  simdconv_get_info(conv, &info);
  size_t idx;
  simdconv_kernel_info k;
  const bool known = env != NULL &&
                     simdconv_kernel_find(env, &idx) == SIMDCONV_OK &&
                     simdconv_kernel_get(idx, &k) == SIMDCONV_OK &&
                     simdconv_isa_check(k.isa) == SIMDCONV_OK;
  if (known && strcmp(k.family, "dwconv") != 0) {
    cr_assert(strcmp(info.kernel, env) == 0 && info.isa == k.isa,
              "SIMDCONV_KERNEL=%s but the object runs %s", env, info.kernel);
  } else {
    cr_assert(env == NULL || strcmp(info.kernel, env) != 0);
  }
  simdconv_destroy(conv);
  /* A depthwise layer: a dense kernel does not fit, the planner chooses. */
  cr_assert(tu_try_create(&dw, &o, &conv) == SIMDCONV_OK);
  simdconv_get_info(conv, &info);
  if (known && strcmp(k.family, "dwconv") != 0 &&
      strcmp(k.family, "direct") != 0)
    cr_assert(strcmp(info.kernel, env) != 0);
  simdconv_destroy(conv);
  fprintf(stderr, "[simdconv-tests] SIMDCONV_KERNEL=%s: dense layer ran as "
          "expected\n", env ? env : "(unset)");
  tu_case_free(&dw);
  tu_case_free(&c);
}
