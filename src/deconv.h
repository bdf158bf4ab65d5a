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
 *
 * Known limits (measured on an AVX-512 Xeon, 2 shared cores, noisy):
 * - Few output channels per group (FSRCNN's K = 1, a generator's K = 3) use
 *   K of NR vector lanes (0.13 and 0.4 of oneDNN). Swapping the igemm
 *   micro-kernel's operands (lanes over output pixels, the bias as a
 *   leading pseudo-tap fmaf(bias, 1, +0)) is exact but copy-bound: the
 *   micro-kernel streams its operand linearly, so every (tap, channel) run
 *   of input must be copied per tile, one float per lane-fma (FSRCNN 4 ->
 *   6.7 GFLOP/s only, K = 3 slower). It needs a micro-kernel that reads
 *   input rows through a pointer per (tap, channel).
 * - Zero-padding taps are evaluated (the canonical order): a 1x1 input
 *   through a 4x4 stride-1 kernel (DCGAN's first layer) computes 16 taps
 *   per real one.
 * - NCHW outputs take a second pass over the outputs (a transpose of each
 *   row segment): about 0.6-0.75 of NHWC where an output has only ~128
 *   taps x channels (U-Net up4), 0.9-1.0 on heavier layers.
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
