/*
 * The pair micro-kernels of one ISA (src/ukernels/deconv_pair_ukernel.h),
 * dq_4x1 .. dq_4x<SC_DQ_MAX_NV>, the octet ones dq_oct_1x1 ..
 * dq_oct_1x<SC_DQ_MAX_NV>, and their config
 * sc_f32_dpair__<isa> (src/deconv_pix.h), which the ISA's deconv_igemm
 * kernels name. Included once by the ISA's f32_deconv_pix_* source, after
 * its vec_<isa>.h, with SC_DQ_MAX_NV (1 .. 3: the widest tile whose
 * 2 * 4 * NV accumulators, NV input vectors and a broadcast or two fit the
 * ISA's registers).
 */
#define SC_DQ_NAME dq_4x1
#define SC_DQ_NV 1
#include "ukernels/deconv_pair_ukernel.h"
#if SC_DQ_MAX_NV >= 2
#define SC_DQ_NAME dq_4x2
#define SC_DQ_NV 2
#include "ukernels/deconv_pair_ukernel.h"
#define SC_DQ_UK2 dq_4x2
#else
#define SC_DQ_UK2 NULL
#endif
#if SC_DQ_MAX_NV >= 3
#define SC_DQ_NAME dq_4x3
#define SC_DQ_NV 3
#include "ukernels/deconv_pair_ukernel.h"
#define SC_DQ_UK3 dq_4x3
#else
#define SC_DQ_UK3 NULL
#endif

/* The octet tiles, the same widths (8 * NV accumulators of one channel). */
#define SC_DQ_NAME dq_oct_1x1
#define SC_DQ_NV 1
#define SC_DQ_NP 8
#include "ukernels/deconv_pair_ukernel.h"
#if SC_DQ_MAX_NV >= 2
#define SC_DQ_NAME dq_oct_1x2
#define SC_DQ_NV 2
#define SC_DQ_NP 8
#include "ukernels/deconv_pair_ukernel.h"
#define SC_DQ_OCT2 dq_oct_1x2
#else
#define SC_DQ_OCT2 NULL
#endif
#if SC_DQ_MAX_NV >= 3
#define SC_DQ_NAME dq_oct_1x3
#define SC_DQ_NV 3
#define SC_DQ_NP 8
#include "ukernels/deconv_pair_ukernel.h"
#define SC_DQ_OCT3 dq_oct_1x3
#else
#define SC_DQ_OCT3 NULL
#endif

const sc_dpair_config DW_ISA_NAME(sc_f32_dpair) = {
    .vl = DW_VW,
    .uk = {dq_4x1, SC_DQ_UK2, SC_DQ_UK3},
    .oct = {dq_oct_1x1, SC_DQ_OCT2, SC_DQ_OCT3}};

#undef SC_DQ_UK2
#undef SC_DQ_UK3
#undef SC_DQ_OCT2
#undef SC_DQ_OCT3
#undef SC_DQ_MAX_NV
