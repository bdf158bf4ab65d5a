/*
 * The epilogue of the GEMM-like micro-kernel templates (igemm_ukernel.h,
 * igemm_grouped_ukernel.h, gemm_nchw_ukernel.h): the fused residual add and
 * activation on a register tile of accumulators, then its stores. Written once, over the
 * vector API those templates document (SC_VEC, SC_VL, SC_VSTORE,
 * SC_VSTORE_N, SC_VCLAMP, SC_VACT, SC_VZERO, SC_VLOAD, SC_VLOAD_N,
 * SC_VFMA), as macros because the tile is the caller's local array
 * acc[MR][NV] kept in registers.
 *
 * Every operation is the scalar kernel's: the clamp is maxps/minps (NaN
 * propagates as in sc_activate_f32), the other activations run lane by lane
 * through SC_VACT, bitwise equal to sc_activate_f32().
 */
#ifndef SIMDCONV_UKERNELS_TILE_EPILOGUE_H
#define SIMDCONV_UKERNELS_TILE_EPILOGUE_H

/* Whether any accumulator of the tile is -0.0 (SC_VNEGZERO_ANY: any lane
 * with the bits of -0.0): after skipping zero-padding taps the one case
 * where the skipped fmas could have changed the result (docs/numerics.md,
 * section 1), so the tile is then computed again without skipping. */
#define SC_TILE_ANY_NEGZERO(acc, MR, NV)                                       \
  __extension__({                                                              \
    bool any_ = false;                                                         \
    _Pragma("GCC unroll 16") for (size_t i_ = 0; i_ < (MR); i_++)              \
        _Pragma("GCC unroll 16") for (size_t j_ = 0; j_ < (NV); j_++)          \
            any_ |= SC_VNEGZERO_ANY(acc[i_][j_]);                              \
    any_;                                                                      \
  })

/* The residual: acc[i][j] = fmaf(alpha, r, acc[i][j]) for the rows i < mr
 * and columns < nc the tile stores, r read at the offsets the tile is
 * stored to. Nothing is read for the other rows and columns, and every
 * element's residual is read before the stores, so the residual may be the
 * output itself. Rows: r + i * cm. */
#define SC_TILE_RESIDUAL_ROWS(acc, MR, NV, mr, nc, r, cm, alpha)               \
  do {                                                                         \
    const SC_VEC a_ = SC_VBCAST(&(alpha));                                     \
    _Pragma("GCC unroll 16") for (size_t i_ = 0; i_ < (MR); i_++) {            \
      if (i_ < (mr)) {                                                         \
        const float *ri_ = (r) + i_ * (cm);                                    \
        _Pragma("GCC unroll 16") for (size_t j_ = 0; j_ < (NV); j_++) {        \
          if ((nc) >= (j_ + 1) * SC_VL)                                        \
            acc[i_][j_] = SC_VFMA(a_, SC_VLOAD(ri_ + j_ * SC_VL), acc[i_][j_]);\
          else if ((nc) > j_ * SC_VL)                                          \
            acc[i_][j_] = SC_VFMA(                                             \
                a_, SC_VLOAD_N(ri_ + j_ * SC_VL, (nc) - j_ * SC_VL),           \
                acc[i_][j_]);                                                  \
        }                                                                      \
      }                                                                        \
    }                                                                          \
  } while (0)

/* Transposed (NCHW planes cn floats apart): row i, column j at
 * r + j * cn + i, gathered by sc_load_tile_transposed() (zeros elsewhere). */
#define SC_TILE_RESIDUAL_TRANSPOSED(acc, MR, NV, mr, nc, r, cn, alpha)         \
  do {                                                                         \
    _Static_assert((MR) <= 8 && ((NV) * SC_VL) % 8 == 0, "NCHW tile");         \
    const SC_VEC a_ = SC_VBCAST(&(alpha));                                     \
    float rt_[8 * (NV) * SC_VL] __attribute__((aligned(64)));                  \
    sc_load_tile_transposed(r, cn, mr, nc, rt_, (NV) * SC_VL);                 \
    _Pragma("GCC unroll 16") for (size_t i_ = 0; i_ < (MR); i_++)              \
        _Pragma("GCC unroll 16") for (size_t j_ = 0; j_ < (NV); j_++)          \
            acc[i_][j_] = SC_VFMA(                                             \
                a_, SC_VLOAD(rt_ + i_ * (NV) * SC_VL + j_ * SC_VL),            \
                acc[i_][j_]);                                                  \
  } while (0)

/* The igemm tiles' residual: rows (cn == 0) or transposed. */
#define SC_TILE_RESIDUAL(acc, MR, NV, mr, nc, r, cm, cn, alpha)                \
  do {                                                                         \
    if ((cn) != 0)                                                             \
      SC_TILE_RESIDUAL_TRANSPOSED(acc, MR, NV, mr, nc, r, cn, alpha);          \
    else                                                                       \
      SC_TILE_RESIDUAL_ROWS(acc, MR, NV, mr, nc, r, cm, alpha);                \
  } while (0)

/* acc[i][j] = act(acc[i][j]) for i < MR, j < NV. The SLEEF activations run
 * out of line through memory: one copy of their (large) code per kernel. */
#define SC_TILE_ACTIVATE(acc, MR, NV, act)                                     \
  do {                                                                         \
    if ((act)->activation == SIMDCONV_ACT_CLAMP) {                             \
      _Pragma("GCC unroll 16") for (size_t i_ = 0; i_ < (MR); i_++)            \
          _Pragma("GCC unroll 16") for (size_t j_ = 0; j_ < (NV); j_++)        \
              acc[i_][j_] = SC_VCLAMP(acc[i_][j_], (act)->lo, (act)->hi);      \
    } else if ((act)->activation != SIMDCONV_ACT_NONE) {                       \
      SC_VEC t_[(MR) * (NV)];                                                  \
      _Pragma("GCC unroll 16") for (size_t i_ = 0; i_ < (MR); i_++)            \
          _Pragma("GCC unroll 16") for (size_t j_ = 0; j_ < (NV); j_++)        \
              t_[i_ * (NV) + j_] = acc[i_][j_];                                \
      _Pragma("GCC unroll 1") for (size_t q_ = 0; q_ < (MR) * (NV); q_++)      \
          t_[q_] = SC_VACT(act, t_[q_]);                                       \
      _Pragma("GCC unroll 16") for (size_t i_ = 0; i_ < (MR); i_++)            \
          _Pragma("GCC unroll 16") for (size_t j_ = 0; j_ < (NV); j_++)        \
              acc[i_][j_] = t_[i_ * (NV) + j_];                                \
    }                                                                          \
  } while (0)

/* Row i < mr of the tile to c + i * stride: nc (1 .. NV*SC_VL) floats. */
#define SC_TILE_STORE_ROWS(acc, MR, NV, mr, nc, c, stride)                     \
  do {                                                                         \
    if (__builtin_expect((nc) == (NV) * SC_VL, 1)) {                           \
      _Pragma("GCC unroll 16") for (size_t i_ = 0; i_ < (MR); i_++) {          \
        if (i_ < (mr)) {                                                       \
          _Pragma("GCC unroll 16") for (size_t j_ = 0; j_ < (NV); j_++)        \
              SC_VSTORE((c) + i_ * (stride) + j_ * SC_VL, acc[i_][j_]);        \
        }                                                                      \
      }                                                                        \
    } else {                                                                   \
      _Pragma("GCC unroll 16") for (size_t i_ = 0; i_ < (MR); i_++) {          \
        if (i_ < (mr)) {                                                       \
          float *ci_ = (c) + i_ * (stride);                                    \
          _Pragma("GCC unroll 16") for (size_t j_ = 0; j_ < (NV); j_++) {      \
            if ((nc) >= (j_ + 1) * SC_VL)                                      \
              SC_VSTORE(ci_ + j_ * SC_VL, acc[i_][j_]);                        \
            else if ((nc) > j_ * SC_VL)                                        \
              SC_VSTORE_N(ci_ + j_ * SC_VL, acc[i_][j_], (nc) - j_ * SC_VL);   \
          }                                                                    \
        }                                                                      \
      }                                                                        \
    }                                                                          \
  } while (0)

/* The tile transposed to NCHW: c[j * cn + i] = row i, column j, for i < mr
 * (<= 8), j < nc, through an 8-row buffer and sc_store_tile_transposed()
 * (the ISA's 8x8 transposes). */
#define SC_TILE_STORE_TRANSPOSED(acc, MR, NV, mr, nc, c, cn)                   \
  do {                                                                         \
    _Static_assert((MR) <= 8 && ((NV) * SC_VL) % 8 == 0, "NCHW store tile");   \
    float t_[8 * (NV) * SC_VL] __attribute__((aligned(64)));                   \
    _Pragma("GCC unroll 16") for (size_t i_ = 0; i_ < 8; i_++)                 \
        _Pragma("GCC unroll 16") for (size_t j_ = 0; j_ < (NV); j_++)          \
            SC_VSTORE(t_ + i_ * (NV) * SC_VL + j_ * SC_VL,                     \
                      i_ < (MR) ? acc[i_ < (MR) ? i_ : 0][j_] : SC_VZERO());   \
    sc_store_tile_transposed(t_, (NV) * SC_VL, mr, nc, c, cn);                 \
  } while (0)

/* acc = the tile's partial sums stored by the call for the earlier taps
 * (sc_igemm_params.continue_sum): rows (cn == 0) at c + i * cm, or
 * transposed (NCHW planes cn floats apart); the rows i >= mr and columns
 * >= nc, which are never stored, start at +0.0f. */
#define SC_TILE_LOAD(acc, MR, NV, mr, nc, c, cm, cn)                           \
  do {                                                                         \
    if ((cn) != 0) {                                                           \
      _Static_assert((MR) <= 8 && ((NV) * SC_VL) % 8 == 0, "NCHW tile");       \
      float t_[8 * (NV) * SC_VL] __attribute__((aligned(64)));                 \
      sc_load_tile_transposed(c, cn, mr, nc, t_, (NV) * SC_VL);                \
      _Pragma("GCC unroll 16") for (size_t i_ = 0; i_ < (MR); i_++)            \
          _Pragma("GCC unroll 16") for (size_t j_ = 0; j_ < (NV); j_++)        \
              acc[i_][j_] = SC_VLOAD(t_ + i_ * (NV) * SC_VL + j_ * SC_VL);     \
    } else {                                                                   \
      _Pragma("GCC unroll 16") for (size_t i_ = 0; i_ < (MR); i_++) {          \
        const float *ci_ = (c) + i_ * (cm);                                    \
        _Pragma("GCC unroll 16") for (size_t j_ = 0; j_ < (NV); j_++) {        \
          if (i_ < (mr) && (nc) >= (j_ + 1) * SC_VL)                           \
            acc[i_][j_] = SC_VLOAD(ci_ + j_ * SC_VL);                          \
          else if (i_ < (mr) && (nc) > j_ * SC_VL)                             \
            acc[i_][j_] = SC_VLOAD_N(ci_ + j_ * SC_VL, (nc) - j_ * SC_VL);     \
          else                                                                 \
            acc[i_][j_] = SC_VZERO();                                          \
        }                                                                      \
      }                                                                        \
    }                                                                          \
  } while (0)

/* The accumulators' start: the packed block's bias row (w, NV vectors) in
 * every row, or for a run of taps after the first
 * (sc_igemm_params.continue_sum) the partial sums the previous run stored
 * in the output (SC_TILE_LOAD). */
#define SC_TILE_START(acc, MR, NV, w, mr, nc, c, cm, params)                   \
  do {                                                                         \
    if ((params)->continue_sum) {                                              \
      SC_TILE_LOAD(acc, MR, NV, mr, nc, c, cm, (params)->cn_stride);           \
    } else {                                                                   \
      _Pragma("GCC unroll 16") for (size_t j_ = 0; j_ < (NV); j_++)            \
          acc[0][j_] = SC_VLOAD((w) + j_ * SC_VL);                             \
      _Pragma("GCC unroll 16") for (size_t i_ = 1; i_ < (MR); i_++)            \
          _Pragma("GCC unroll 16") for (size_t j_ = 0; j_ < (NV); j_++)        \
              acc[i_][j_] = acc[0][j_];                                        \
    }                                                                          \
  } while (0)

/* Asks for the tile's lines before its reduction starts: the residual's
 * for reading, so that the epilogue's loads find them in L1 (read only
 * there, a residual that comes from memory, cold or out of place, stalled
 * every tile on its lines for a memory latency), or else the output's for
 * writing (prefetchw where the ISA has it): an output larger than L2 is not
 * in cache, and each tile's stores waited for its lines' reads for
 * ownership, a memory latency per tile that the reduction now covers. Zen 4,
 * AVX-512, old and new library in one process, cold caches: MobileNetV2
 * pw16to96_112 and pw24to144_56 1.46-1.48x, ResNet-50 res2/res3/res4
 * 1x1_expand 1.13 / 1.11 / 1.06x, a 256x256 grayscale stem 1.15x, 3x3
 * layers whose tiles are long within noise (0.997-1.017x).
 * Rows: mr rows of nc floats, cm apart; transposed: nc planes of mr floats,
 * cn apart (the output's lines then not: a plane per channel is too many
 * lines per tile). A prefetch never faults and changes no result. */
#define SC_TILE_PREFETCH_LINES(p, rw, mr, nc, cm, cn)                          \
  do {                                                                         \
    if ((cn) != 0) {                                                           \
      for (size_t j_ = 0; j_ < (nc); j_++) {                                   \
        __builtin_prefetch((p) + j_ * (cn), rw, 3);                            \
        __builtin_prefetch((p) + j_ * (cn) + (mr) - 1, rw, 3);                 \
      }                                                                        \
    } else {                                                                   \
      for (size_t i_ = 0; i_ < (mr); i_++) {                                   \
        for (size_t l_ = 0; l_ < (nc); l_ += 16)                               \
          __builtin_prefetch((p) + i_ * (cm) + l_, rw, 3);                     \
        __builtin_prefetch((p) + i_ * (cm) + (nc) - 1, rw, 3);                 \
      }                                                                        \
    }                                                                          \
  } while (0)
/* The residual's lines only, for tiles that measured slower with the
 * output's prefetched as well: the NCHW GEMM tiles (16 channels x 16
 * pixels, each row in its own plane, 384 fmas per tile in MobileNetV2's
 * 24->144: 0.91-0.97x) and AVX2's grouped 6x16 tiles (ResNeXt
 * grouped3x3_28 0.86x at 31 rounds, where AVX-512's gained 1.10x). */
#define SC_TILE_PREFETCH_RESIDUAL(mr, nc, c, cm, cn, params)                   \
  do {                                                                         \
    if ((params)->residual != NULL)                                            \
      SC_TILE_PREFETCH_LINES(                                                  \
          sc_residual_at((params)->residual, (params)->output, c), 0, mr, nc,  \
          cm, cn);                                                             \
  } while (0)
/* The residual's lines, or else the output's rows for writing. */
#define SC_TILE_PREFETCH_OUTPUT(mr, nc, c, cm, cn, params)                     \
  do {                                                                         \
    SC_TILE_PREFETCH_RESIDUAL(mr, nc, c, cm, cn, params);                      \
    if ((params)->residual == NULL && (cn) == 0)                               \
      SC_TILE_PREFETCH_LINES((c), 1, mr, nc, cm, 0);                           \
  } while (0)

/* The igemm tiles' residual and activation (params: sc_igemm_params). */
#define SC_TILE_FINISH(acc, MR, NV, mr, nc, c, cm, params)                     \
  do {                                                                         \
    if ((params)->residual != NULL)                                            \
      SC_TILE_RESIDUAL(acc, MR, NV, mr, nc,                                    \
                       sc_residual_at((params)->residual, (params)->output,    \
                                      c),                                      \
                       cm, (params)->cn_stride, (params)->alpha);              \
    SC_TILE_ACTIVATE(acc, MR, NV, &(params)->act);                             \
  } while (0)

/* The igemm tiles' store: NHWC rows (cn == 0: row i at c + i * cm) or
 * transposed into NCHW planes cn floats apart. */
#define SC_TILE_STORE(acc, MR, NV, mr, nc, c, cm, cn)                          \
  do {                                                                         \
    if ((cn) != 0)                                                             \
      SC_TILE_STORE_TRANSPOSED(acc, MR, NV, mr, nc, c, cn);                    \
    else                                                                       \
      SC_TILE_STORE_ROWS(acc, MR, NV, mr, nc, c, cm);                          \
  } while (0)

#endif
