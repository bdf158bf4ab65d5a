/*
 * The portable driver of the int8 depthwise kernels (see src/q8_dwconv.h):
 * fits, packing, workspace, and the run: the column table, the rows of each
 * output row mapped by the padding mode, the ISA's row function over the
 * pool (images x output rows x channel tiles), and for NCHW the NHWC
 * copies of each image and of its output. Threads never split a sum.
 */
#include <string.h>

#include "padding.h"
#include "problem.h"
#include "q8_dwconv.h"
#include "tasks.h"

static const sc_q8_dw_config *q8dw_cfg(const sc_conv_kernel *k) {
  return k->config;
}

bool sc_q8_dw_fits(const sc_conv_kernel *k, const sc_problem *p) {
  return p->dtype == SC_DTYPE_Q8 && !p->transposed && p->groups == p->C && p->Cg == 1 &&
         p->Kg == 1 && p->R <= SC_Q8_DW_MAX_R && p->K >= q8dw_cfg(k)->min_k;
}

void sc_q8_dw_describe(const sc_conv_kernel *k, sc_kernel_desc *d) {
  *d = (sc_kernel_desc){
      .tile_m = 1,
      .tile_n = q8dw_cfg(k)->vw,
      .layouts = (1u << SIMDCONV_LAYOUT_NCHW) | (1u << SIMDCONV_LAYOUT_NHWC),
      .constraints = q8dw_cfg(k)->min_k != 0
                         ? "int8 depthwise (groups == C == K > 16), kernel "
                           "height <= 64; NCHW through NHWC copies"
                         : "int8 depthwise (groups == C == K), kernel height "
                           "<= 64; NCHW through NHWC copies",
  };
}

const char *sc_q8_dw_check(const sc_conv_kernel *k) {
  const sc_q8_dw_config *cfg = q8dw_cfg(k);
  if (cfg == NULL || cfg->row[0] == NULL || cfg->row[1] == NULL)
    return "q8 depthwise config without row functions";
  if (cfg->min_k != 0 && cfg->min_k != 17)
    return "q8 depthwise min_k is 0 or 17 (what describe() says)";
  if (cfg->packing == SC_Q8_DW_PACK_QUADS)
    return cfg->vw == SC_Q8_DW_QBLOCK && cfg->wbytes == 1 &&
                   cfg->quad_channel != NULL
               ? NULL
               : "q8 depthwise quads: blocks of SC_Q8_DW_QBLOCK channels "
                 "of int8 weights in a given order";
  if (cfg->vw < 1 || SC_Q8_DW_KPAD % cfg->vw != 0)
    return "q8 depthwise vector width must divide SC_Q8_DW_KPAD";
  if (cfg->wbytes != 2 && cfg->wbytes != 4)
    return "q8 depthwise weights are 2 or 4 bytes";
  return NULL;
}

static bool q8dw_quads(const sc_conv_kernel *k) {
  return q8dw_cfg(k)->packing == SC_Q8_DW_PACK_QUADS;
}

/* The channels of the packed arrays: K rounded up to the packing's
 * block. */
static size_t q8dw_kp(const sc_conv_kernel *k, const sc_problem *p) {
  return sc_round_up(p->K, q8dw_quads(k) ? SC_Q8_DW_QBLOCK : SC_Q8_DW_KPAD);
}

/* Weights per channel: R*S taps, or ceil(R/4) quads of 4 rows x S. */
static size_t q8dw_taps(const sc_conv_kernel *k, const sc_problem *p) {
  return (q8dw_quads(k) ? sc_round_up(p->R, 4) : p->R) * p->S;
}

size_t sc_q8_dw_packed_size(const sc_conv_kernel *k, const sc_problem *p) {
  const size_t dims[] = {q8dw_taps(k, p), q8dw_kp(k, p), q8dw_cfg(k)->wbytes};
  size_t w;
  const size_t head = q8dw_kp(k, p) * (sizeof(int32_t) + sizeof(float));
  if (!sc_product_ok(dims, 3, &w) || w > SIZE_MAX - head)
    return SIZE_MAX;
  return head + w;
}

/* The quads of channel c (position i of its block): w[g][s][i][t] is
 * weight (4g + t, s), 0 past R. */
static void q8dw_pack_quads(const sc_problem *p, const int8_t *wc, size_t i,
                            int8_t *blk) {
  const size_t nq = sc_div_up(p->R, 4), S = p->S;
  for (size_t g = 0; g < nq; g++)
    for (size_t s = 0; s < S; s++)
      for (size_t t = 0; t < 4; t++) {
        const size_t r = 4 * g + t;
        blk[((g * S + s) * SC_Q8_DW_QBLOCK + i) * 4 + t] =
            wc != NULL && r < p->R ? wc[r * S + s] : 0;
      }
}

void sc_q8_dw_pack(const sc_conv_kernel *k, const sc_problem *p,
                   const int8_t *w_krsc, const int32_t *bias,
                   const float *mult, void *packed) {
  const sc_q8_dw_config *cfg = q8dw_cfg(k);
  const size_t kp = q8dw_kp(k, p), taps = p->R * p->S;
  const bool quads = q8dw_quads(k);
  /* The operands are the input values (widened by their type), or for
   * quads unsigned bytes (int8 inputs flipped). */
  const int32_t zp_op = sc_q8_zp_operand(
      &p->q8, !quads && p->q8.in_type == SIMDCONV_QTYPE_S8);
  int32_t *b = packed;
  float *m = (float *)(b + kp);
  int16_t *w16 = (int16_t *)(m + kp);
  int32_t *w32 = (int32_t *)(m + kp);
  const size_t qblock = q8dw_taps(k, p) * SC_Q8_DW_QBLOCK;
  for (size_t i = 0; i < kp; i++) {
    /* Position i holds channel c. */
    const size_t blk = i / SC_Q8_DW_QBLOCK * SC_Q8_DW_QBLOCK;
    const size_t c = quads ? blk + cfg->quad_channel(i - blk) : i;
    b[i] = c < p->K ? sc_q8_packed_bias(bias, c, w_krsc + c * taps, taps, zp_op)
                    : 0;
    m[i] = c < p->K ? mult[c] : 1.0f;
    if (quads) {
      q8dw_pack_quads(p, c < p->K ? w_krsc + c * taps : NULL, i - blk,
                      (int8_t *)(m + kp) + i / SC_Q8_DW_QBLOCK * qblock);
      continue;
    }
    for (size_t t = 0; t < taps; t++) {
      const int16_t v = c < p->K ? w_krsc[c * taps + t] : 0; /* c == i */
      if (cfg->wbytes == 4)
        w32[t * kp + c] = (int32_t)(uint16_t)v; /* the (w, 0) int16 pair */
      else
        w16[t * kp + c] = v;
    }
  }
}

/* Byte offsets of the workspace's parts: the column table, the zero row
 * and, for NCHW, the NHWC copies of an image and of its output. */
typedef struct q8dw_layout {
  size_t coloff, zero, xin, yout, total;
} q8dw_layout;

static bool q8dw_layout_get(const sc_conv_kernel *k, const sc_problem *p,
                            const sc_shape *s, q8dw_layout *l) {
  const size_t cols[] = {s->OW, p->S, sizeof(ptrdiff_t)};
  const size_t in[] = {s->H, s->W, p->C};
  const size_t out[] = {s->OH, s->OW, p->K};
  size_t ncols, nin, nout;
  if (!sc_product_ok(cols, 3, &ncols) || !sc_product_ok(in, 3, &nin) ||
      !sc_product_ok(out, 3, &nout))
    return false;
  const bool nchw = p->layout == SIMDCONV_LAYOUT_NCHW;
  const size_t kp = q8dw_kp(k, p);
  const size_t zero = s->W * p->C > kp ? s->W * p->C : kp;
  const size_t parts[] = {ncols, zero, nchw ? nin : 0, nchw ? nout : 0};
  size_t *at[] = {&l->coloff, &l->zero, &l->xin, &l->yout};
  size_t total = 0;
  for (size_t i = 0; i < 4; i++) {
    *at[i] = total;
    if (__builtin_add_overflow(total, sc_round_up(parts[i], SC_ALIGNMENT),
                               &total) ||
        sc_round_up(parts[i], SC_ALIGNMENT) < parts[i])
      return false;
  }
  l->total = total;
  return true;
}

size_t sc_q8_dw_workspace_size(const sc_conv_kernel *k, const sc_problem *p,
                               const sc_shape *s) {
  q8dw_layout l;
  return q8dw_layout_get(k, p, s, &l) ? l.total : SIZE_MAX;
}

/* ---- the NHWC rows ---------------------------------------------------------- */

typedef struct q8dw_task {
  const sc_problem *p;
  const sc_shape *s;
  sc_q8_dw_row_fn row;
  const sc_q8_dw_params *params;
  const uint8_t *x; /* NHWC images */
  uint8_t *y;       /* NHWC outputs */
  size_t kblock;    /* channel tiles are multiples of it */
} q8dw_task;

/* Output row oh of image n, channels [k0, k0 + nk). */
static void q8dw_row_task(void *arg, size_t n, size_t oh, size_t k0,
                          size_t rows, size_t nk) {
  (void)rows;
  const q8dw_task *t = arg;
  const sc_problem *p = t->p;
  const sc_shape *s = t->s;
  const uint8_t *in[SC_Q8_DW_MAX_R];
  for (size_t r = 0; r < p->R; r++) {
    const ptrdiff_t ih = sc_pad_map(
        (ptrdiff_t)(oh * p->stride_h + r * p->dil_h) - (ptrdiff_t)p->pad_top,
        (ptrdiff_t)s->H, p->padding_mode);
    in[r] = ih < 0 ? t->params->zero
                   : t->x + ((n * s->H + (size_t)ih) * s->W) * p->C;
  }
  t->row(t->params, in, t->y + (n * s->OH + oh) * s->OW * p->K, k0, nk);
}

/* nimg NHWC images into NHWC outputs: whole rows per task unless there are
 * fewer than 8 rows per thread. */
static void q8dw_nhwc(q8dw_task *t, size_t nimg, pthreadpool_t pool,
                      uint32_t flags) {
  const size_t rows = nimg * t->s->OH, K = t->p->K;
  const size_t want = 8 * (pool ? pthreadpool_get_threads_count(pool) : 1);
  size_t tile_k = K;
  if (rows < want) {
    tile_k = sc_round_up(sc_div_up(K, sc_div_up(want, rows)), t->kblock);
    tile_k = tile_k > K ? K : tile_k;
  }
  sc_parallelize_3d_tile_2d(pool, q8dw_row_task, t, nimg, t->s->OH,
                                     K, 1, tile_k, flags);
}

/* ---- NCHW: byte transposes ------------------------------------------------- */

typedef struct q8dw_transpose {
  const uint8_t *src; /* rows x cols */
  uint8_t *dst;       /* cols x rows */
  size_t rows, cols;
} q8dw_transpose;

static void q8dw_transpose_task(void *arg, size_t i0, size_t j0, size_t ni,
                                size_t nj) {
  const q8dw_transpose *t = arg;
  for (size_t j = j0; j < j0 + nj; j++)
    for (size_t i = i0; i < i0 + ni; i++)
      t->dst[j * t->rows + i] = t->src[i * t->cols + j];
}

static void q8dw_transpose_run(const uint8_t *src, size_t rows, size_t cols,
                               uint8_t *dst, pthreadpool_t pool,
                               uint32_t flags) {
  q8dw_transpose t = {src, dst, rows, cols};
  sc_parallelize_2d_tile_2d(pool, q8dw_transpose_task, &t, rows,
                                     cols, 64, 64, flags);
}

/* The column table (padding modes applied) and the outputs [*lo, *hi)
 * whose taps all read real columns unmapped (a contiguous range). */
static void q8dw_columns(const sc_problem *p, const sc_shape *s,
                         ptrdiff_t *coloff, size_t *lo, size_t *hi) {
  *lo = *hi = 0;
  for (size_t ow = 0; ow < s->OW; ow++) {
    bool inside = true;
    for (size_t q = 0; q < p->S; q++) {
      const ptrdiff_t at = (ptrdiff_t)(ow * p->stride_w + q * p->dil_w) -
                           (ptrdiff_t)p->pad_left;
      const ptrdiff_t iw = sc_pad_map(at, (ptrdiff_t)s->W, p->padding_mode);
      coloff[ow * p->S + q] = iw < 0 ? -1 : iw * (ptrdiff_t)p->C;
      inside &= at >= 0 && at < (ptrdiff_t)s->W;
    }
    if (inside && *hi == *lo)
      *lo = *hi = ow; /* the first interior output */
    if (inside)
      *hi = ow + 1;
  }
}

void sc_q8_dw_run(const sc_run_args *args) {
  const sc_problem *p = args->problem;
  const sc_shape *s = args->shape;
  const sc_q8_dw_config *cfg = q8dw_cfg(args->kernel);
  q8dw_layout l = {0};
  (void)q8dw_layout_get(args->kernel, p, s, &l); /* checked by workspace_size */
  uint8_t *ws = args->workspace;
  ptrdiff_t *coloff = (ptrdiff_t *)(void *)(ws + l.coloff);
  size_t ow_lo, ow_hi;
  q8dw_columns(p, s, coloff, &ow_lo, &ow_hi);
  const size_t kp = q8dw_kp(args->kernel, p);
  memset(ws + l.zero, (uint8_t)p->q8.x_zp,
         s->W * p->C > kp ? s->W * p->C : kp);
  const int32_t *bias = args->packed;
  const sc_q8_dw_params params = {
      .K = p->K, .Kp = kp, .R = p->R, .S = p->S, .OW = s->OW,
      .coloff = coloff, .ow_lo = ow_lo, .ow_hi = ow_hi,
      .sw_bytes = p->stride_w * p->C, .dw_bytes = p->dil_w * p->C,
      .row_bytes = s->W * p->C,
      /* A stride of 2^30 rows would make 2^30 prefetches a column. */
      .next_rows = p->stride_h < SC_Q8_DW_NEXT_ROWS_MAX
                       ? p->stride_h
                       : SC_Q8_DW_NEXT_ROWS_MAX,
      .zero = ws + l.zero, .bias = bias,
      .mult = (const float *)(bias + kp),
      .w = (const float *)(bias + kp) + kp,
      .out = sc_q8_out_get(&p->q8),
  };
  q8dw_task t = {p,
                 s,
                 cfg->row[p->q8.in_type],
                 &params,
                 args->q8_input,
                 args->q8_output,
                 q8dw_quads(args->kernel) ? SC_Q8_DW_QBLOCK : SC_Q8_DW_KPAD};
  if (p->layout == SIMDCONV_LAYOUT_NHWC) {
    q8dw_nhwc(&t, s->N, args->pool, args->pool_final);
    return;
  }
  /* NCHW: per image, its NHWC copy, the NHWC output, transposed back. */
  const size_t HW = s->H * s->W, OHW = s->OH * s->OW;
  t.x = ws + l.xin;
  t.y = ws + l.yout;
  for (size_t n = 0; n < s->N; n++) {
    q8dw_transpose_run(args->q8_input + n * p->C * HW, p->C, HW, ws + l.xin,
                       args->pool, SC_POOL_PHASE);
    q8dw_nhwc(&t, 1, args->pool, SC_POOL_PHASE);
    q8dw_transpose_run(ws + l.yout, OHW, p->K,
                       args->q8_output + n * p->K * OHW, args->pool,
                       sc_pool_flags(args, n + 1 == s->N));
  }
}
