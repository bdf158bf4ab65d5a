/* Prints sizeof(simdconv_desc) and the offset of each field, one per line,
 * so that conformance.py can check its ctypes mirror of the struct. */
#include <stddef.h>
#include <stdio.h>

#include "simdconv.h"

#define F(name) printf(#name " %zu\n", offsetof(simdconv_desc, name))

int main(void) {
  printf("sizeof %zu\n", sizeof(simdconv_desc));
  F(in_channels); F(out_channels); F(kernel_h); F(kernel_w);
  F(stride_h); F(stride_w); F(dilation_h); F(dilation_w); F(groups);
  F(padding); F(pad_top); F(pad_bottom); F(pad_left); F(pad_right);
  F(padding_mode); F(layout); F(weight_layout); F(flip_kernel);
  F(activation); F(act_min); F(act_max);
  F(transposed); F(output_padding_h); F(output_padding_w);
  printf("stats_sizeof %zu\n", sizeof(simdconv_compare_stats));
  printf("options_sizeof %zu\n", sizeof(simdconv_options));
  return 0;
}
