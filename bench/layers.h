/*
 * Convolution layers of the benchmark suite: the CSV format, shapes, work
 * counts and the reduced problem used for validation.
 */
#ifndef SIMDCONV_BENCH_LAYERS_H
#define SIMDCONV_BENCH_LAYERS_H

#include <stdbool.h>
#include <stddef.h>

#include "simdconv.h"

/* One layer: a row of layers.csv
 *   name,N,C,H,W,K,R,S,sh,sw,ph,pw,dh,dw,g
 * (symmetric zero padding ph/pw; '#' starts a comment line), or of a
 * transposed-convolution file (deconv_layers.csv), recognised by its header
 *   name,N,C,H,W,K,R,S,sh,sw,ph,pw,oph,opw,dh,dw,g
 * (ph/pw crop the output, oph/opw output padding), whose layers get the
 * name "deconv/network/layer". */
typedef struct bench_layer {
  char name[96]; /* "network/layer"; the network is the part before '/' */
  size_t N, C, H, W, K, R, S;
  size_t sh, sw, ph, pw, dh, dw, g;
  size_t OH, OW; /* derived */
  bool transposed;
  size_t oph, opw; /* output padding (transposed) */
} bench_layer;

/* Reads a layer file, or several separated by commas (their layers in
 * order). On success returns 0 and a malloc'ed array in *layers (free()
 * it). On error returns -1 with a message in err. */
int layers_load(const char *path, bench_layer **layers, size_t *count,
                char *err, size_t errlen);

/* A simdconv descriptor for the layer: PyTorch defaults, explicit symmetric
 * zero padding, OIHW weights, no activation, the given layout. A transposed
 * layer's OIHW weights are K x C/g x R x S (oneDNN's deconvolution
 * layout). */
simdconv_desc layer_desc(const bench_layer *l, simdconv_layout layout);

size_t layer_input_elems(const bench_layer *l);   /* N*C*H*W */
size_t layer_output_elems(const bench_layer *l);  /* N*K*OH*OW */
size_t layer_weight_elems(const bench_layer *l);  /* K*(C/g)*R*S */

/* Floating-point operations of one forward pass:
 * 2 * N * K * OH * OW * (C/g) * R * S (bias and activation not counted);
 * transposed, 2 * N * C * H * W * (K/g) * R * S (every input pixel through
 * every tap, oneDNN's count). */
double layer_flops(const bench_layer *l);

/* groups == C: one input channel per group (any channel multiplier). */
bool layer_is_depthwise(const bench_layer *l);

/* Minimum bytes one forward pass moves: input + output + weights + bias,
 * fp32. Reported as GB/s for depthwise layers, which are memory bound. */
double layer_min_bytes(const bench_layer *l);

/* The validation problem: the same C, K, R, S, strides, dilations, groups
 * and padding, with batch clipped to 2 and H, W shrunk by whole output
 * rows/columns so that OH, OW <= max_out (the remainder of the stride
 * division, hence the bottom/right edge handling, is kept). Transposed:
 * the largest input with OH, OW <= max_out, at least 2 rows and columns
 * where the layer has them (so every phase and both edges remain). */
bench_layer layer_reduced(const bench_layer *l, size_t max_out);

#endif /* SIMDCONV_BENCH_LAYERS_H */
