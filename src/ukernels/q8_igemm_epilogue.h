/*
 * The int8 igemm micro-kernels' epilogue (src/ukernels/q8_igemm_ukernel.h,
 * q8_igemm_grouped_ukernel.h), included in a micro-kernel's body after its
 * reduction: acc[SC_Q8_UK_MR][SC_Q8_UK_NV * SC_Q8_AV] holds the tile's sums
 * (with the packed bias where the ISA has SC_Q8_OUT_ROW, else without it:
 * then bias is the block's packed bias), mult the block's multipliers;
 * requantizes the rows i < mr and stores their nc bytes at c (params'
 * layout), then returns. Full-width NHWC tiles (nearly all of them) store
 * each row's vectors straight to the output; the others requantize into a
 * buffer and store its mr x nc bytes (short reductions, as 3-channel stems
 * have, spend a good part of their time here).
 */
/* Requantizes row i of the tile into the NR bytes at dst. */
#ifdef SC_Q8_OUT_ROW
#define SC_Q8_UK_ROW(i, dst)                                                   \
  SC_Q8_OUT_ROW(acc[i], SC_Q8_UK_NV, mult, &params->out, dst)
#else
#define SC_Q8_UK_ROW(i, dst)                                                   \
  _Pragma("GCC unroll 16") for (size_t j_ = 0; j_ < SC_Q8_UK_NV; j_++)        \
      SC_Q8_OUT(&acc[i][j_ * SC_Q8_AV], bias + j_ * SC_Q8_WOUT,                \
                mult + j_ * SC_Q8_WOUT, &params->out,                          \
                (dst) + j_ * SC_Q8_WOUT)
#endif

  if (params->cn_stride == 0 && nc == SC_Q8_UK_NR) {
#pragma GCC unroll 16
    for (size_t i = 0; i < SC_Q8_UK_MR; i++)
      if (i < mr)
        SC_Q8_UK_ROW(i, c + i * cm_stride);
    return;
  }
  uint8_t tile[SC_Q8_UK_MR * SC_Q8_UK_NR] __attribute__((aligned(64)));
#pragma GCC unroll 16
  for (size_t i = 0; i < SC_Q8_UK_MR; i++)
    SC_Q8_UK_ROW(i, tile + i * SC_Q8_UK_NR);
  /* mr <= MR and nc <= NR, spelled out for the compiler's analysis of the
   * tile's reads. */
  sc_q8_store_tile(tile, SC_Q8_UK_NR, mr < SC_Q8_UK_MR ? mr : SC_Q8_UK_MR,
                   nc < SC_Q8_UK_NR ? nc : SC_Q8_UK_NR, c, cm_stride,
                   params->cn_stride);
  return;

#undef SC_Q8_UK_ROW
