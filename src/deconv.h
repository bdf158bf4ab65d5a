/*
 * Transposed convolution (ConvTranspose2d) on the forward convolution's
 * micro-kernels: a portable driver (src/deconv.c, no ISA flags) that reaches
 * each ISA's igemm micro-kernels through the config of that ISA's igemm
 * kernels, and the scalar kernel (f32_conv_direct__scalar) as the fallback.
 *
 * Canonical order (docs/numerics.md, "Transposed convolution"): output
 * (oh, ow) of channel k starts from bias[k] + 0.0f and takes one fmaf per
 * (tap, input channel). Its taps are the kernel positions (r, s) whose input
 * position ((oh + pad_top - r*dil_h) / stride_h, (ow + pad_left - s*dil_w) /
 * stride_w) is a point of the stride lattice (both divisions exact), taken
 * in ascending input row, then input column (r and s descending), the input
 * channels of the group inside. A lattice point outside the input is a
 * zero-padding tap: fmaf(+0, w, acc), as in the forward convolution. The
 * points between lattice points (the zeros a zero-insertion would add) are
 * not taps at all.
 *
 * Phases. On an axis with stride s and dilation d, g = gcd(s, d), the taps of
 * an output depend only on its phase o mod s (o = output index + pad): the
 * kernel indices r with r*d = o (mod s), that is c, c + s/g, c + 2s/g, ...
 * below the kernel size, whose smallest, c < min(k, s/g), names the phase's
 * class; none when g does not divide the phase. Consecutive taps are d/g
 * input rows apart. All outputs of one phase are therefore an ordinary
 * stride-1 forward convolution of the input with the class's sub-kernel
 * (flipped, dilation d/g, zero padding where the lattice leaves the input):
 * the igemm micro-kernels compute it in exactly the canonical order, one
 * accumulator per output, and only the placement of the outputs is strided.
 * No zero insertion, no scatter-add, no reduction split across threads.
 */
#ifndef SIMDCONV_DECONV_H
#define SIMDCONV_DECONV_H

#include "conv_internal.h"

/* The transposed-convolution kernels of an ISA, best first, in the shape of
 * the ISA tables (the planner walks the same fallback chain): one kernel per
 * igemm kernel of that ISA's table, named f32_deconv_<tile>__<isa>, and for
 * the scalar ISA the direct kernel. NULL when the ISA is not built. Built
 * once, on first use, from the ISA tables, so new igemm kernels serve
 * transposed convolutions without being listed here. */
const sc_isa_table *sc_deconv_table_get(simdconv_isa isa);

#endif /* SIMDCONV_DECONV_H */
