/*
 * The tile transposes of the NCHW depthwise template's tile path
 * (DW_NCHW_BAND in src/ukernels/dwconv_nchw_ukernel.h), shared by the AVX2
 * and AVX-512 depthwise headers: NCHW planes <-> NHWC tiles of DW_VW
 * channels, in 8 x 8 blocks of ymm registers on every x86 ISA (on Zen 4
 * over twice as fast as 16 x 16 zmm transposes). Pure data movement.
 * Include after the ISA's depthwise vector API (DW_VW, dw8_loadn,
 * dw8_storen), from sources compiled with AVX2 or AVX-512 flags.
 */
#ifndef SIMDCONV_DWCONV_TILES_X86_H
#define SIMDCONV_DWCONV_TILES_X86_H

#include "avx2/x86_transpose.h"

#define DW_HAVE_TILE_TRANSPOSES 1

/* Transposes tile columns [t, t + cnt) (cnt <= DW_VW, all real input columns
 * col ..) of input row offset `off` of the nk planes in[] into dst (pixel i
 * at dst + i*DW_VW); channels >= nk read 0. */
static inline __attribute__((always_inline)) void
dw_tile_in_chunk(const float *const *in, size_t nk, size_t off, ptrdiff_t col,
                 size_t cnt, float *dst) {
  for (size_t pb = 0; pb < cnt; pb += 8) {
    const size_t pc = cnt - pb < 8 ? cnt - pb : 8;
    for (size_t cb = 0; cb < DW_VW; cb += 8) {
      __m256 r[8];
      for (size_t j = 0; j < 8; j++) {
        if (cb + j >= nk) {
          r[j] = _mm256_setzero_ps();
          continue;
        }
        const float *src = in[cb + j] + off + (size_t)col + pb;
        r[j] = pc == 8 ? _mm256_loadu_ps(src) : dw8_loadn(src, pc);
      }
      sc_transpose_8x8_regs(r);
      for (size_t i = 0; i < pc; i++)
        _mm256_storeu_ps(dst + (pb + i) * DW_VW + cb, r[i]);
    }
  }
}

/* Pixels [0, npx) of a tile (DW_VW channels each) back into the nk planes
 * out[] at offsets out[j] + base + i (the pixels are contiguous there). */
static inline void dw_tile_out(const float *tile, size_t npx, float *const *out,
                               size_t nk, size_t base) {
  for (size_t x0 = 0; x0 < npx; x0 += 8) {
    const size_t pc = npx - x0 < 8 ? npx - x0 : 8;
    for (size_t cb = 0; cb < nk; cb += 8) {
      __m256 r[8];
      for (size_t i = 0; i < 8; i++)
        r[i] = i < pc ? _mm256_loadu_ps(tile + (x0 + i) * DW_VW + cb)
                      : _mm256_setzero_ps();
      sc_transpose_8x8_regs(r);
      for (size_t j = 0; j < 8 && cb + j < nk; j++) {
        float *o = out[cb + j] + base + x0;
        if (pc == 8)
          _mm256_storeu_ps(o, r[j]);
        else
          dw8_storen(o, r[j], pc);
      }
    }
  }
}

#endif
