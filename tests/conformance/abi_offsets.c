/* Prints the size and every field offset of each public struct, one per
 * line as "struct field offset" ("struct sizeof size"), so that the ctypes
 * mirrors of the Python package (python/simdconv/_lib.py) can be checked
 * against the compiler (tests/conformance/harness.py abi_check). A field
 * added to a struct in the header belongs here too. */
#include <stddef.h>
#include <stdio.h>

#include "simdconv.h"

#define SIZE(s) printf(#s " sizeof %zu\n", sizeof(s))
#define F(s, f) printf(#s " " #f " %zu\n", offsetof(s, f))

int main(void) {
  SIZE(simdconv_desc);
  F(simdconv_desc, in_channels); F(simdconv_desc, out_channels);
  F(simdconv_desc, kernel_h); F(simdconv_desc, kernel_w);
  F(simdconv_desc, stride_h); F(simdconv_desc, stride_w);
  F(simdconv_desc, dilation_h); F(simdconv_desc, dilation_w);
  F(simdconv_desc, groups); F(simdconv_desc, padding);
  F(simdconv_desc, pad_top); F(simdconv_desc, pad_bottom);
  F(simdconv_desc, pad_left); F(simdconv_desc, pad_right);
  F(simdconv_desc, padding_mode); F(simdconv_desc, layout);
  F(simdconv_desc, weight_layout); F(simdconv_desc, flip_kernel);
  F(simdconv_desc, activation); F(simdconv_desc, act_min);
  F(simdconv_desc, act_max); F(simdconv_desc, transposed);
  F(simdconv_desc, output_padding_h); F(simdconv_desc, output_padding_w);
  SIZE(simdconv_allocator);
  F(simdconv_allocator, alloc); F(simdconv_allocator, free);
  F(simdconv_allocator, ctx);
  SIZE(simdconv_options);
  F(simdconv_options, isa); F(simdconv_options, allocator);
  F(simdconv_options, kernel); F(simdconv_options, pool_wait);
  SIZE(simdconv_conv_info);
  F(simdconv_conv_info, isa); F(simdconv_conv_info, kernel);
  F(simdconv_conv_info, packed_bytes); F(simdconv_conv_info, pool_wait);
  SIZE(simdconv_kernel_info);
  F(simdconv_kernel_info, name); F(simdconv_kernel_info, isa);
  F(simdconv_kernel_info, family); F(simdconv_kernel_info, tile_m);
  F(simdconv_kernel_info, tile_n); F(simdconv_kernel_info, layouts);
  F(simdconv_kernel_info, constraints); F(simdconv_kernel_info, rank);
  F(simdconv_kernel_info, cpu_features); F(simdconv_kernel_info, usable);
  SIZE(simdconv_compare_stats);
  F(simdconv_compare_stats, count); F(simdconv_compare_stats, violations);
  F(simdconv_compare_stats, first_violation);
  F(simdconv_compare_stats, max_err_over_bound);
  F(simdconv_compare_stats, max_ulp); F(simdconv_compare_stats, max_abs_err);
  SIZE(simdconv_qparams);
  F(simdconv_qparams, input_type); F(simdconv_qparams, input_scale);
  F(simdconv_qparams, input_zero_point); F(simdconv_qparams, weight_scales);
  F(simdconv_qparams, weight_scale_count); F(simdconv_qparams, output_type);
  F(simdconv_qparams, output_scale); F(simdconv_qparams, output_zero_point);
  F(simdconv_qparams, clamp); F(simdconv_qparams, output_min);
  F(simdconv_qparams, output_max);
  return 0;
}
