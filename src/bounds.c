/*
 * The packed-weight and workspace bounds (bounds.h). Why each term covers
 * every kernel (tiles as bounds.h says, any part of a workspace aligned to
 * SC_ALIGNMENT):
 *
 * packed: the direct kernel keeps K * (Cg*R*S + 1) floats; igemm and the
 * NCHW GEMM pad each group's Kg to a multiple of NR (or MR): at most
 * K + groups * 63 channels of (Cg*R*S + 1) floats; depthwise pads K to 16
 * and adds a channel index: (K + 15) * (R*S + 2).
 *
 * workspace: the largest image copy is the igemm merged plan's padded image,
 * which igemm uses only while it is at most 4 times the input image (so
 * 16 * C*H*W bytes), the NCHW GEMM's strided gather N*C*OH*OW floats (at
 * most the input); row and column tables (OH*R + OW*S entries), the
 * indirection buffer ((OH*OW + 2*MR) * R*S pointers) and the depthwise
 * masks (one bit per pixel and tap, in 16-bit words) and column maps are
 * 8 bytes or less per (output pixel + 16) and tap, 24 bytes in all; the zero row is at most max(S*Cg, NR) + 15 floats,
 * or for igemm's im2col plan (Cg <= 4, R*S*Cg <= 64, no indirection
 * buffer) max(R*S*Cg, NR) + 15 floats, within the tables' 24 bytes per tap of the 16 extra
 * pixels and the slack below; alignment of five parts and of the caller's
 * pointer adds under 1024.
 *
 * Transposed descriptors (src/deconv.h) have their own bounds. packed: per
 * output-phase class (at most R*S classes) each group's NR blocks carry
 * their own bias row, the depthwise classes a bias and a channel-index row:
 * at most (K + 63 groups) (Cg*R*S + R*S) floats (igemm), (K + 15) * 3 R*S
 * (depthwise), plus a header of 8 bytes per class; within 4 (K + 64
 * groups) (Cg*R*S + 2 R*S + 2) bytes. workspace: the NCHW input image
 * (4 C*H*W) and, depthwise, the NHWC output image (4 K*OH*OW); the
 * indirection buffer's tiles of MR pixels are padded per output row and
 * phase, at most MR pointers per output pixel and tap (64 OH*OW*R*S
 * bytes); the row and column tables at most 64 bytes per output row and
 * column; the zero row, five alignments and the caller's slack under
 * 4 Cg + 1024.
 */
#include "bounds.h"

#include "problem.h"

/* int8 (src/q8_igemm.c, src/q8_dwconv.c, the scalar q8 kernel), where the
 * elements are bytes but padded more:
 *
 * packed: igemm pads each group's Kg to NR (at most K + 63 groups
 * channels) and each tap's channels to 4, so a channel holds at most
 * R*S*(Cg + 3) weights of up to 2 bytes (AVX2's int16 copies; merged taps
 * round S*Cg up instead, less), 4 bytes a tap of padding-tap correction
 * (counted as 2 more weights of 2 bytes a tap: Cg + 5) and 8 bytes of
 * bias and multiplier;
 * depthwise pads K to 16 with up to 4 bytes a weight (Cg = 1: 4 R*S <=
 * 2 R*S*(1 + 3)), or to 64 (K + 63 <= K + 64 groups) with bytes in quads
 * of kernel rows ((R + 3) * S <= 8 R*S); the direct kernel
 * K * (Cg*R*S + 8).
 *
 * workspace: igemm's zero row (at most 2 (S*Cg + 3) bytes), row and column
 * tables and indirection buffer (8 bytes per output pixel + 8 and tap, 24
 * in all), one image copied per run with its channels padded to 4 and
 * widened to 2 bytes (at most 8 C*H*W), or for the merged plan (one group,
 * dilation_w 1, S > 1, Cg at most SC_Q8_MERGED_MAX_CG or, not a multiple
 * of 4, SC_Q8_MERGED_MAX_ODD_CG, every pad at most SC_Q8_MERGED_MAX_PAD:
 * sc_q8_merged_plan) the padded image,
 * 2 C*(H + 16)*(W + 16) bytes at most, and its zero-row slack; the im2col
 * plan (src/q8_igemm.c: at most 512 weights per output channel) no
 * indirection buffer, a zero row of at most 528 bytes (within the 24 bytes
 * per pixel and tap) and for NCHW an unpadded NHWC copy (C*H*W + 16 bytes,
 * the merged copy's share); depthwise the
 * column table, a zero row of max(W*C, K + 15) bytes and, NCHW, NHWC copies
 * of an input image (C*H*W) and an output image (K*OH*OW); alignments
 * under 1024. */
static bool sc_q8_packed_bound(const sc_problem *p, size_t *bytes) {
  size_t channels, cgw, taps;
  const size_t kernel[] = {p->R, p->S};
  if (!sc_mul_ok(p->groups, SC_BOUND_MAX_NR, &channels) ||
      __builtin_add_overflow(channels, p->K, &channels) ||
      __builtin_add_overflow(p->Cg, 5, &cgw) ||
      !sc_product_ok(kernel, 2, &taps) || !sc_mul_ok(taps, cgw, &taps) ||
      __builtin_add_overflow(taps, 4, &taps))
    return false;
  const size_t dims[] = {2, channels, taps};
  return sc_product_ok(dims, 3, bytes);
}

/* Whether the merged copy pays where the image could be read in place
 * (NHWC, channels a multiple of 4): it moves stride_h * stride_w * Cg
 * bytes per output pixel and saves R * (S - 1) taps of it. Up to 16 bytes
 * a saved tap it did (3x3: 16-32 channels at stride 1 1.03-1.25x, 24 at
 * stride 2 1.16x, a 5x5 of 24 at stride 3 1.12x); 32 channels at stride 2
 * (21 bytes a tap), 0.92x on 208x208 and 416x416 images. */
static bool sc_q8_merged_pays(const sc_problem *p) {
  if (p->Cg % 4 != 0 || p->layout == SIMDCONV_LAYOUT_NCHW)
    return true; /* the image is copied anyway */
  const size_t moved = p->stride_h * p->stride_w * p->Cg;
  return moved <= 16 * p->R * (p->S - 1);
}

bool sc_q8_merged_plan(const sc_problem *p) {
  const size_t max_cg =
      p->Cg % 4 != 0 ? SC_Q8_MERGED_MAX_ODD_CG : SC_Q8_MERGED_MAX_CG;
  return p->groups == 1 && p->dil_w == 1 && p->S > 1 && p->Cg <= max_cg &&
         p->pad_top <= SC_Q8_MERGED_MAX_PAD &&
         p->pad_bottom <= SC_Q8_MERGED_MAX_PAD &&
         p->pad_left <= SC_Q8_MERGED_MAX_PAD &&
         p->pad_right <= SC_Q8_MERGED_MAX_PAD && sc_q8_merged_pays(p);
}

static bool sc_q8_workspace_bound(const sc_problem *p, const sc_shape *s,
                                  size_t *bytes) {
  const size_t input[] = {16, s->N, p->C, s->H, s->W};
  const size_t output[] = {p->K, s->OH, s->OW};
  const size_t rows[] = {4, p->Cg, p->S};
  size_t total, part, pixels;
  if (!sc_product_ok(input, 5, &total) || !sc_product_ok(output, 3, &part) ||
      __builtin_add_overflow(total, part, &total) ||
      !sc_mul_ok(s->OH, s->OW, &pixels) ||
      __builtin_add_overflow(pixels, 2 * SC_BOUND_MAX_MR, &pixels))
    return false;
  const size_t tables[] = {24, pixels, p->R, p->S};
  if (!sc_product_ok(tables, 4, &part) ||
      __builtin_add_overflow(total, part, &total) ||
      !sc_product_ok(rows, 3, &part) ||
      __builtin_add_overflow(total, part, &total) ||
      !sc_mul_ok(4, p->K, &part) ||
      __builtin_add_overflow(total, part, &total) ||
      __builtin_add_overflow(total, 1024, &total))
    return false;
  if (sc_q8_merged_plan(p)) {
    /* H, W <= 2^31 - 1: no overflow in the sums. */
    const size_t padded[] = {2, p->C, s->H + 2 * SC_Q8_MERGED_MAX_PAD,
                             s->W + 2 * SC_Q8_MERGED_MAX_PAD};
    if (!sc_product_ok(padded, 4, &part) ||
        __builtin_add_overflow(total, part, &total))
      return false;
  }
  *bytes = total;
  return true;
}

bool sc_packed_bound(const sc_problem *p, size_t *bytes) {
  if (p->dtype == SC_DTYPE_Q8)
    return sc_q8_packed_bound(p, bytes);
  size_t channels, taps, classes = 0;
  const size_t weights[] = {p->Cg, p->R, p->S}, kernel[] = {2, p->R, p->S};
  if (!sc_mul_ok(p->groups, SC_BOUND_MAX_NR, &channels) ||
      __builtin_add_overflow(channels, p->K, &channels) ||
      !sc_product_ok(weights, 3, &taps) ||
      (p->transposed && !sc_product_ok(kernel, 3, &classes)) ||
      __builtin_add_overflow(taps, classes, &taps) ||
      __builtin_add_overflow(taps, 2, &taps))
    return false;
  const size_t dims[] = {4, channels, taps};
  return sc_product_ok(dims, 3, bytes);
}

/* Transposed: 16 N*C*H*W + 4 K*OH*OW + 64 (OH*OW*R*S + OH + OW) +
 * 4 Cg + 1024 bytes. */
static bool sc_workspace_bound_transposed(const sc_problem *p,
                                          const sc_shape *s, size_t *bytes) {
  const size_t input[] = {16, s->N, p->C, s->H, s->W};
  const size_t output[] = {4, p->K, s->OH, s->OW};
  const size_t taps[] = {64, s->OH, s->OW, p->R, p->S};
  const size_t lines[] = {s->OH, s->OW, 4 * p->Cg, 1024};
  size_t total, part;
  if (!sc_product_ok(input, 5, &total) || !sc_product_ok(output, 4, &part) ||
      __builtin_add_overflow(total, part, &total) ||
      !sc_product_ok(taps, 5, &part) ||
      __builtin_add_overflow(total, part, &total) ||
      !sc_mul_ok(64, lines[0], &part) ||
      __builtin_add_overflow(total, part, &total) ||
      !sc_mul_ok(64, lines[1], &part) ||
      __builtin_add_overflow(total, part, &total))
    return false;
  for (size_t i = 2; i < 4; i++)
    if (__builtin_add_overflow(total, lines[i], &total))
      return false;
  *bytes = total;
  return true;
}

bool sc_workspace_bound(const sc_problem *p, const sc_shape *s,
                        size_t *bytes) {
  if (p->dtype == SC_DTYPE_Q8)
    return sc_q8_workspace_bound(p, s, bytes);
  if (p->transposed)
    return sc_workspace_bound_transposed(p, s, bytes);
  const size_t input[] = {16, s->N, p->C, s->H, s->W};
  const size_t zero_row[] = {4, p->Cg, p->S};
  size_t in_bytes, pixels, tab_bytes, zero_bytes, total;
  if (!sc_product_ok(input, 5, &in_bytes) ||
      !sc_mul_ok(s->OH, s->OW, &pixels) ||
      __builtin_add_overflow(pixels, 2 * SC_BOUND_MAX_MR, &pixels))
    return false;
  const size_t tables[] = {24, pixels, p->R, p->S};
  return sc_product_ok(tables, 4, &tab_bytes) &&
         sc_product_ok(zero_row, 3, &zero_bytes) &&
         !__builtin_add_overflow(in_bytes, tab_bytes, &total) &&
         !__builtin_add_overflow(total, zero_bytes, &total) &&
         !__builtin_add_overflow(total, 1024, bytes);
}
