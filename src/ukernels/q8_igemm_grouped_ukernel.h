/*
 * The grouped int8 micro-kernel template, for grouped convolutions with few
 * channels per group (src/q8_igemm.h, "grouped kernels"): the NR lanes of a
 * tile hold NR consecutive output channels of the layer, i.e. the output
 * channels of several consecutive groups, and each lane gathers its own
 * group's input channels. Per (pixel, tap) the input bytes of the block's
 * groups (at most 64, from the block's 4-aligned first byte) are loaded
 * once; per 4-channel step q each weight vector's lanes get their dword of
 * that load through one permute (lane -> dword index: the block's table),
 * then VPDPBUSD against weights that are 0 wherever a dword byte is not one
 * of the lane's group's channels. So no lane idles on another group's
 * channels and no copy pads the groups to 4 channels. Where every vector
 * lies within one group (K/g a multiple of the vector width, C/g of 4:
 * "broadcast mode", the block's head says so) the lanes' dword is
 * broadcast from memory instead, as the ungrouped template does, with no
 * permute (they would double the port-0/5 work of VPDPBUSD there).
 *
 * Included by an ISA source after its vector header, once per tile and
 * input type:
 *
 *   SC_Q8_UK_NAME        the function's name
 *   SC_Q8_UK_MR          rows (output pixels), <= SC_Q8_MAX_MR
 *   SC_Q8_UK_NV          weight vectors per step; NR = NV * SC_Q8_WOUT
 *   SC_Q8_UK_S8          1: the input bytes are int8, 0: uint8
 *
 * and, besides the q8 igemm API (src/ukernels/q8_igemm_ukernel.h, with
 * SC_Q8_KR 4 on bytes, SC_Q8_AV 1, SC_Q8_BLOAD and SC_Q8_OUT_ROW):
 *
 *   SC_Q8G_MASK          a byte-lane mask of the input load
 *   SC_Q8G_MASK_GET(m)   the mask of the low bytes set in the uint64 m
 *   SC_Q8G_VIDX          a vector of dword indices (one per output lane)
 *   SC_Q8G_IDXLOAD(p)    SC_Q8_WOUT int32 indices at p (64-byte aligned)
 *   SC_Q8G_XLOAD(p, m, s8)  the bytes at p under mask m (others 0, never
 *                        read), as VPDPBUSD operands (s8: top bits flipped)
 *   SC_Q8G_PERM(idx, x)  out[l] = dword idx[l] of x
 *
 * Scalar twin: q8_conv_direct__scalar. Integer sums are exact in any
 * order; the bytes a lane multiplies by 0 (other groups' channels, masked
 * bytes) add 0; the requantization is the shared epilogue's.
 */
#define SC_Q8_UK_NR (SC_Q8_UK_NV * SC_Q8_WOUT)
#define SC_Q8G_ROWS(rows, a, zero, a_offset)                                  \
  _Pragma("GCC unroll 16") for (size_t i_ = 0; i_ < SC_Q8_UK_MR; i_++)       \
      rows[i_] = sc_q8_row(a[i_], zero, a_offset)

/* Permute mode: lanes of several groups per vector (q8_igemm.h). */
static inline __attribute__((always_inline)) void
SC_UK_CAT(SC_Q8_UK_NAME, _perm)(SC_Q8_VACC acc[SC_Q8_UK_MR][SC_Q8_UK_NV],
                                 const uint8_t *const *restrict a, size_t ks,
                                 size_t nq, const uint64_t *head,
                                 const int8_t *w, size_t a_offset,
                                 const uint8_t *zero) {
  const SC_Q8G_MASK lmask = SC_Q8G_MASK_GET(head[0]);
  const int32_t *const idx0 =
      (const int32_t *)(const void *)((const uint8_t *)head + SC_Q8G_HEAD);
  do {
    const uint8_t *rows[SC_Q8_UK_MR];
    SC_Q8G_ROWS(rows, a, zero, a_offset);
    a += SC_Q8_UK_MR;
    const int32_t *ix = idx0;
    for (size_t q = 0; q < nq; q++) {
      SC_Q8G_VIDX idx[SC_Q8_UK_NV];
#pragma GCC unroll 16
      for (size_t j = 0; j < SC_Q8_UK_NV; j++)
        idx[j] = SC_Q8G_IDXLOAD(ix + j * SC_Q8_WOUT);
      ix += SC_Q8_UK_NR;
#pragma GCC unroll 16
      for (size_t i = 0; i < SC_Q8_UK_MR; i++) {
        /* The weights stay memory operands of VPDPBUSD, the accumulators,
         * indices and one input vector take the registers: pointers the
         * compiler cannot see through per row and step, else it keeps the
         * weights and every row's input (hoisted out of the steps) in
         * registers and spills accumulators. */
        const int8_t *wi = w;
        const uint8_t *xi = rows[i];
        __asm__ volatile("" : "+r"(wi), "+r"(xi));
        const SC_Q8_VX x = SC_Q8G_XLOAD(xi, lmask, SC_Q8_UK_S8);
#pragma GCC unroll 16
        for (size_t j = 0; j < SC_Q8_UK_NV; j++)
          SC_Q8_DOT(&acc[i][j], SC_Q8G_PERM(idx[j], x),
                    SC_Q8_WLOAD(wi + j * SC_Q8_WOUT * 4));
      }
      w += SC_Q8_UK_NR * 4;
    }
  } while (--ks != 0);
}

/* Broadcast mode: every vector within one group (q8_igemm.h), its lanes'
 * dword broadcast from memory at the vector's offset: no permutes. */
static inline __attribute__((always_inline)) void
SC_UK_CAT(SC_Q8_UK_NAME, _bcast)(SC_Q8_VACC acc[SC_Q8_UK_MR][SC_Q8_UK_NV],
                                  const uint8_t *const *restrict a, size_t ks,
                                  size_t nq, const uint64_t *head,
                                  const int8_t *w, size_t a_offset,
                                  const uint8_t *zero) {
  const int32_t *voff = (const int32_t *)(const void *)(head + 3);
  size_t off[SC_Q8_UK_NV];
#pragma GCC unroll 16
  for (size_t j = 0; j < SC_Q8_UK_NV; j++)
    off[j] = (size_t)voff[j];
  do {
    const uint8_t *rows[SC_Q8_UK_MR];
    SC_Q8G_ROWS(rows, a, zero, a_offset);
    a += SC_Q8_UK_MR;
    for (size_t q = 0; q < 4 * nq; q += 4) {
      SC_Q8_VW wv[SC_Q8_UK_NV];
#pragma GCC unroll 16
      for (size_t j = 0; j < SC_Q8_UK_NV; j++)
        wv[j] = SC_Q8_WLOAD(w + j * SC_Q8_WOUT * 4);
      w += SC_Q8_UK_NR * 4;
#pragma GCC unroll 16
      for (size_t i = 0; i < SC_Q8_UK_MR; i++) {
        /* Opaque, else the compiler keeps MR x NV row + offset pointers
         * and spills them. */
        const uint8_t *xi = rows[i] + q;
        __asm__ volatile("" : "+r"(xi));
#pragma GCC unroll 16
        for (size_t j = 0; j < SC_Q8_UK_NV; j++)
          SC_Q8_DOT(&acc[i][j], SC_Q8_XLOAD(xi + off[j], SC_Q8_UK_S8), wv[j]);
      }
    }
  } while (--ks != 0);
}

static void SC_Q8_UK_NAME(size_t mr, size_t nc, size_t kc, size_t ks,
                          const uint8_t *const *restrict a,
                          const void *restrict packed, uint8_t *restrict c,
                          size_t cm_stride, size_t a_offset,
                          const sc_q8_igemm_params *restrict params) {
  _Static_assert(SC_Q8_UK_MR <= SC_Q8_MAX_MR && SC_Q8_UK_NR <= SC_Q8_MAX_NR &&
                     SC_Q8_KR == 4 && SC_Q8_AV == 1,
                 "q8 grouped igemm tile");
  /* The block (src/q8_igemm.h): bias, multipliers, the head (load mask,
   * mode, vector offsets), idx[q][lane], w[tap][q][lane][4]; kc = 4 *
   * steps. */
  const int32_t *bias = packed;
  const float *mult = (const float *)(bias + SC_Q8_UK_NR);
  const uint64_t *head = (const uint64_t *)(const void *)(mult + SC_Q8_UK_NR);
  const size_t nq = kc / 4;
  const int8_t *w =
      (const int8_t *)((const uint8_t *)head + SC_Q8G_HEAD) + kc * SC_Q8_UK_NR;
  SC_Q8_VACC acc[SC_Q8_UK_MR][SC_Q8_UK_NV];
#pragma GCC unroll 16
  for (size_t i = 0; i < SC_Q8_UK_MR; i++)
#pragma GCC unroll 16
    for (size_t j = 0; j < SC_Q8_UK_NV; j++)
      acc[i][j] = SC_Q8_BLOAD(bias + j * SC_Q8_WOUT);
  if (head[1] != 0)
    SC_UK_CAT(SC_Q8_UK_NAME, _bcast)(acc, a, ks, nq, head, w, a_offset,
                                      params->zero);
  else
    SC_UK_CAT(SC_Q8_UK_NAME, _perm)(acc, a, ks, nq, head, w, a_offset,
                                     params->zero);

#include "ukernels/q8_igemm_epilogue.h"
}

#undef SC_Q8_UK_NR
#undef SC_Q8G_ROWS
#undef SC_Q8_UK_NAME
#undef SC_Q8_UK_MR
#undef SC_Q8_UK_NV
#undef SC_Q8_UK_S8
