/*
 * q8_igemm_grouped_vnni_6x64__avx512: grouped int8 convolutions with few
 * channels per group (ResNeXt's 4-32 channel groups, RegNet's), on the
 * int8 indirect GEMM (driver: src/q8_igemm.c) as one GEMM of K channels:
 * a 6-pixel x 64-channel tile whose lanes hold the output channels of
 * several consecutive groups (src/ukernels/q8_igemm_grouped_ukernel.h).
 * Per (pixel, tap) one masked load of the block's groups' input bytes, per
 * 4 channels of a group 4 VPERMD and 4 VPDPBUSD (weights from memory):
 * 24 zmm accumulators, 4 index vectors; with 16 channels per group
 * (broadcast mode) 4 VPBROADCASTD and 4 VPDPBUSD (weights in registers).
 * The per-group GEMMs it replaces ran a 16-lane tile on a 4-channel group
 * (12 lanes idle) and paid a tile epilogue per group: 0.48x oneDNN u8s8 on
 * ResNeXt-50's 56x56 layer, 2.0-2.9x with this kernel (1 thread, noisy
 * shared host).
 * Needs AVX-512 VNNI. Scalar twin: q8_conv_direct__scalar (identical bytes).
 */
#include "avx512/target_vnni.h"

#include "avx512/vec_avx512.h"
#include "q8_igemm.h"

#define SC_Q8_UK_NAME q8_igemm_grouped_ukernel_6x64_u8__avx512vnni
#define SC_Q8_UK_MR 6
#define SC_Q8_UK_NV 4
#define SC_Q8_UK_S8 0
#include "ukernels/q8_igemm_grouped_ukernel.h"

#define SC_Q8_UK_NAME q8_igemm_grouped_ukernel_6x64_s8__avx512vnni
#define SC_Q8_UK_MR 6
#define SC_Q8_UK_NV 4
#define SC_Q8_UK_S8 1
#include "ukernels/q8_igemm_grouped_ukernel.h"

static const sc_q8_igemm_config q8_igemm_grouped_vnni_6x64 = {
    .mr = 6,
    .nr = 64,
    .ukernel = {q8_igemm_grouped_ukernel_6x64_u8__avx512vnni,
                q8_igemm_grouped_ukernel_6x64_s8__avx512vnni},
    .op_signed = {false, false},
    .kr = 4,
    .wbytes = 1,
    .xbytes = 1,
    .max_k = 16,
    .grouped = true,
    .vl = 16,
    .constraints = "int8, grouped, K/g <= 16, every 64 output channels "
                   "reading at most 64 input bytes of a pixel (C/g <= K/g "
                   "for K/g dividing 64) (AVX-512 VNNI)",
};

const sc_conv_kernel sc_q8_igemm_grouped_vnni_6x64__avx512 =
    SC_Q8_IGEMM_KERNEL("q8_igemm_grouped_vnni_6x64__avx512",
                       SIMDCONV_ISA_AVX512, q8_igemm_grouped_vnni_6x64,
                       SC_CPU_AVX512VNNI);

SC_TARGET_VNNI_END
