/*
 * The documented bounds of the packed weights and of a run's workspace
 * (include/simdconv.h, simdconv_create() and simdconv_workspace_size()).
 *
 * Every kernel's packed_size() and workspace_size() stay within them; they
 * grow with the work (weights, input read, output pixels x taps), never with
 * padding, stride or dilation alone. The core checks them for size_t
 * overflow before asking any kernel, so SIZE_OVERFLOW depends only on the
 * descriptor and the sizes, never on the ISA or the kernel chosen (a
 * kernel's own size then cannot overflow either).
 */
#ifndef SIMDCONV_BOUNDS_H
#define SIMDCONV_BOUNDS_H

#include <stdbool.h>
#include <stddef.h>

#include "conv_internal.h"

/* What the bounds assume of every kernel: output-channel tiles (igemm NR,
 * NCHW GEMM MR) of at most 64 channels, igemm pixel tiles (MR, grouped
 * GMR) and depthwise vectors of at most 8 and 16 pixels. */
#define SC_BOUND_MAX_NR 64
#define SC_BOUND_MAX_MR 8

/* 4 * (K + 64 * groups) * (Cg*R*S + 2) bytes, transposed 4 * (K + 64 *
 * groups) * (Cg*R*S + 2*R*S + 2); false on overflow. */
bool sc_packed_bound(const sc_problem *p, size_t *bytes);

/* 16 * N*C*H*W + 24 * (OH*OW + 16) * R*S + 4 * Cg*S + 1024 bytes,
 * transposed 16 * N*C*H*W + 4 * K*OH*OW + 64 * (OH*OW*R*S + OH + OW) +
 * 4 * Cg + 1024; the caller's alignment slack included; false on
 * overflow. */
bool sc_workspace_bound(const sc_problem *p, const sc_shape *s,
                        size_t *bytes);

/* int8 objects (p->dtype SC_DTYPE_Q8) have their own bounds, taken by the
 * two functions above: packed 2 * (K + 64 * groups) * (R*S*(Cg + 3) + 4)
 * bytes; workspace 16 * N*C*H*W + K*OH*OW + 24 * (OH*OW + 16) * R*S +
 * 4 * (Cg*S + K) + 1024, plus 2 * C * (H + 16) * (W + 16) when
 * sc_q8_merged_plan(). */

/* The int8 igemm copies the padded image (its "merged" plan, one tap per
 * kernel row) only while no pad exceeds this: the copy then stays within
 * a constant times the input image, whatever the padding. */
#define SC_Q8_MERGED_MAX_PAD 8

/* ... and for at most this many channels (a group's), whose taps it merges
 * into one per kernel row (a 3x3 layer of 16 channels sums 48 bytes per
 * tap instead of 16; 32 channels: 1.06-1.13x, 64-128 within 2%, and at
 * 256-512 channels on 7x7-14x14 images 0.86x, the padded taps no longer
 * skipped). */
#define SC_Q8_MERGED_MAX_CG 32

/* ... or this many channels when they are not a multiple of 4: the image
 * is copied with its channels padded to 4 anyway, and merged a kernel row
 * of S*Cg bytes pads once, not per tap (3x3 of 37 channels: 336 bytes a
 * pixel instead of 360, 3 taps instead of 9). Against that copy, NHWC:
 * 3x3 of 37-99 channels 1.08-1.44x, 127 1.01-1.02x, a 7x7 of 37 at
 * stride 2 1.26x; 37 channels in NCHW 1.13-1.17x. */
#define SC_Q8_MERGED_MAX_ODD_CG 128

/* Whether the int8 igemm uses its merged plan (src/q8_igemm.c uses this
 * very rule; it depends on the descriptor alone, as the packing does). */
bool sc_q8_merged_plan(const sc_problem *p);

#endif
