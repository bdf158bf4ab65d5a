/*
 * ThreadSanitizer stress program for simdconv (built and run by
 * tools/tsan.sh; not part of the Criterion suite).
 *
 *  1. concurrent runs: one simdconv_conv object per (ISA, configuration:
 *     forward fp32, transposed fp32 and int8) is
 *     run at once from THREADS pthreads, each into its own output (with its
 *     own workspace or none), first without a pool, then all sharing one
 *     pthreadpool_create(2) pool; every result must equal a single-threaded
 *     run bit for bit;
 *  2. concurrent create/destroy: THREADS pthreads create, run once and
 *     destroy objects of every configuration and ISA at once (a shared,
 *     mutex-protected counting allocator checks that every allocation is
 *     freed), and call the one-shot simdconv_conv2d().
 *
 * pthreadpool is Debian's uninstrumented binary: its workers are woken
 * through raw futex syscalls and atomics TSan cannot see, so without help
 * TSan sees no happens-before edge between a caller's stores (the task
 * context, the input) and the tasks run on the pool's worker, nor between
 * the tasks and the caller's loads after the call returns -- every parallel
 * run would be reported as a race. Instead of suppressing those reports
 * (which would also hide real races in simdconv's task functions) this
 * program interposes every pthreadpool_parallelize_* entry point: the
 * wrapper announces to TSan exactly the ordering pthreadpool guarantees --
 * everything before the call happens before every task, every task happens
 * before the call returns -- and nothing more: tasks of one call get no
 * edge between each other, so two tasks touching the same bytes are still
 * reported. TSAN_STRESS_NO_SHIM=1 disables the annotations (to see the
 * false positives they remove); TSAN_STRESS_SELFTEST=1 instead runs one
 * deliberately racy parallel job through them, which TSan must report
 * (tools/tsan.sh checks that it does).
 *
 * Exit status: 0 when all results match (TSan itself exits with its own
 * exitcode on a report), 1 on a mismatch or a failed call.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthreadpool.h>
#include <sanitizer/tsan_interface.h>

#include "simdconv.h"

#define THREADS 4
#define ITERS 2

/* ------------------------------------------------------------------------ */
/* pthreadpool interposition (see the header comment)                       */
/* ------------------------------------------------------------------------ */

typedef struct shim_job {
  void (*fn)(void); /* the caller's task function, cast back per arity */
  void *ctx;
  char start, end;  /* TSan sync addresses */
} shim_job;

static int shim_off;

static void shim_begin(shim_job *j) { __tsan_release(&j->start); }
static void shim_end(shim_job *j) { __tsan_acquire(&j->end); }
#define TASK_BEGIN(a) shim_job *j = (shim_job *)(a); __tsan_acquire(&j->start)
#define TASK_END() __tsan_release(&j->end)

typedef size_t z;
static void tramp1(void *a, z x1) {
  TASK_BEGIN(a);
  ((void (*)(void *, z))j->fn)(j->ctx, x1);
  TASK_END();
}
static void tramp2(void *a, z x1, z x2) {
  TASK_BEGIN(a);
  ((void (*)(void *, z, z))j->fn)(j->ctx, x1, x2);
  TASK_END();
}
static void tramp3(void *a, z x1, z x2, z x3) {
  TASK_BEGIN(a);
  ((void (*)(void *, z, z, z))j->fn)(j->ctx, x1, x2, x3);
  TASK_END();
}
static void tramp4(void *a, z x1, z x2, z x3, z x4) {
  TASK_BEGIN(a);
  ((void (*)(void *, z, z, z, z))j->fn)(j->ctx, x1, x2, x3, x4);
  TASK_END();
}
static void tramp5(void *a, z x1, z x2, z x3, z x4, z x5) {
  TASK_BEGIN(a);
  ((void (*)(void *, z, z, z, z, z))j->fn)(j->ctx, x1, x2, x3, x4, x5);
  TASK_END();
}
static void tramp6(void *a, z x1, z x2, z x3, z x4, z x5, z x6) {
  TASK_BEGIN(a);
  ((void (*)(void *, z, z, z, z, z, z))j->fn)(j->ctx, x1, x2, x3, x4, x5,
                                               x6);
  TASK_END();
}
static void tramp7(void *a, z x1, z x2, z x3, z x4, z x5, z x6, z x7) {
  TASK_BEGIN(a);
  ((void (*)(void *, z, z, z, z, z, z, z))j->fn)(j->ctx, x1, x2, x3, x4, x5,
                                                  x6, x7);
  TASK_END();
}
static void tramp8(void *a, z x1, z x2, z x3, z x4, z x5, z x6, z x7, z x8) {
  TASK_BEGIN(a);
  ((void (*)(void *, z, z, z, z, z, z, z, z))j->fn)(j->ctx, x1, x2, x3, x4,
                                                     x5, x6, x7, x8);
  TASK_END();
}
typedef uint32_t u;
static void trampu1(void *a, u id, z x1) {
  TASK_BEGIN(a);
  ((void (*)(void *, u, z))j->fn)(j->ctx, id, x1);
  TASK_END();
}
static void trampu4(void *a, u id, z x1, z x2, z x3, z x4) {
  TASK_BEGIN(a);
  ((void (*)(void *, u, z, z, z, z))j->fn)(j->ctx, id, x1, x2, x3, x4);
  TASK_END();
}
static void trampu5(void *a, u id, z x1, z x2, z x3, z x4, z x5) {
  TASK_BEGIN(a);
  ((void (*)(void *, u, z, z, z, z, z))j->fn)(j->ctx, id, x1, x2, x3, x4,
                                               x5);
  TASK_END();
}
static void trampu6(void *a, u id, z x1, z x2, z x3, z x4, z x5, z x6) {
  TASK_BEGIN(a);
  ((void (*)(void *, u, z, z, z, z, z, z))j->fn)(j->ctx, id, x1, x2, x3, x4,
                                                  x5, x6);
  TASK_END();
}

/* The real entry points, resolved once in main() before any thread. */
#define SHIM_LIST(X)                                                        \
  X(1d) X(1d_with_uarch) X(1d_tile_1d) X(2d) X(2d_tile_1d) X(2d_tile_2d)    \
  X(2d_tile_2d_with_uarch) X(3d) X(3d_tile_1d) X(3d_tile_2d)                \
  X(3d_tile_2d_with_uarch) X(4d) X(4d_tile_1d) X(4d_tile_2d)                \
  X(4d_tile_2d_with_uarch) X(5d) X(5d_tile_1d) X(5d_tile_2d) X(6d)          \
  X(6d_tile_1d) X(6d_tile_2d)
#define SHIM_REAL(v)                                                        \
  static __typeof__(&pthreadpool_parallelize_##v) real_##v;
SHIM_LIST(SHIM_REAL)

static void shim_init(void) {
  const char *e = getenv("TSAN_STRESS_NO_SHIM");
  shim_off = e != NULL && *e != '\0' && *e != '0';
#define SHIM_RESOLVE(v)                                                     \
  *(void **)(&real_##v) = dlsym(RTLD_NEXT, "pthreadpool_parallelize_" #v);  \
  if (real_##v == NULL) {                                                   \
    fprintf(stderr, "tsan_stress: cannot resolve pthreadpool_parallelize_"  \
                    #v "\n");                                               \
    exit(1);                                                                \
  }
  SHIM_LIST(SHIM_RESOLVE)
}

/* One wrapper: v the variant, tr the trampoline, P the parameters after
 * context (up to flags), A the same as arguments. */
#define SHIM(v, task_t, tr, P, A)                                           \
  void pthreadpool_parallelize_##v(pthreadpool_t pool, task_t fn, void *ctx, \
                                   P, uint32_t flags) {                     \
    if (shim_off) {                                                         \
      real_##v(pool, fn, ctx, A, flags);                                    \
      return;                                                               \
    }                                                                       \
    shim_job job = {(void (*)(void))fn, ctx, 0, 0};                         \
    shim_begin(&job);                                                       \
    real_##v(pool, tr, &job, A, flags);                                     \
    shim_end(&job);                                                         \
  }
#define L(...) __VA_ARGS__

SHIM(1d, pthreadpool_task_1d_t, tramp1, L(z r), L(r))
SHIM(1d_with_uarch, pthreadpool_task_1d_with_id_t, trampu1,
     L(u d, u m, z r), L(d, m, r))
SHIM(1d_tile_1d, pthreadpool_task_1d_tile_1d_t, tramp2, L(z r, z t), L(r, t))
SHIM(2d, pthreadpool_task_2d_t, tramp2, L(z i, z j), L(i, j))
SHIM(2d_tile_1d, pthreadpool_task_2d_tile_1d_t, tramp3, L(z i, z j, z tj),
     L(i, j, tj))
SHIM(2d_tile_2d, pthreadpool_task_2d_tile_2d_t, tramp4,
     L(z i, z j, z ti, z tj), L(i, j, ti, tj))
SHIM(2d_tile_2d_with_uarch, pthreadpool_task_2d_tile_2d_with_id_t, trampu4,
     L(u d, u m, z i, z j, z ti, z tj), L(d, m, i, j, ti, tj))
SHIM(3d, pthreadpool_task_3d_t, tramp3, L(z i, z j, z k), L(i, j, k))
SHIM(3d_tile_1d, pthreadpool_task_3d_tile_1d_t, tramp4,
     L(z i, z j, z k, z tk), L(i, j, k, tk))
SHIM(3d_tile_2d, pthreadpool_task_3d_tile_2d_t, tramp5,
     L(z i, z j, z k, z tj, z tk), L(i, j, k, tj, tk))
SHIM(3d_tile_2d_with_uarch, pthreadpool_task_3d_tile_2d_with_id_t, trampu5,
     L(u d, u m, z i, z j, z k, z tj, z tk), L(d, m, i, j, k, tj, tk))
SHIM(4d, pthreadpool_task_4d_t, tramp4, L(z i, z j, z k, z l),
     L(i, j, k, l))
SHIM(4d_tile_1d, pthreadpool_task_4d_tile_1d_t, tramp5,
     L(z i, z j, z k, z l, z tl), L(i, j, k, l, tl))
SHIM(4d_tile_2d, pthreadpool_task_4d_tile_2d_t, tramp6,
     L(z i, z j, z k, z l, z tk, z tl), L(i, j, k, l, tk, tl))
SHIM(4d_tile_2d_with_uarch, pthreadpool_task_4d_tile_2d_with_id_t, trampu6,
     L(u d, u m, z i, z j, z k, z l, z tk, z tl), L(d, m, i, j, k, l, tk, tl))
SHIM(5d, pthreadpool_task_5d_t, tramp5, L(z i, z j, z k, z l, z m),
     L(i, j, k, l, m))
SHIM(5d_tile_1d, pthreadpool_task_5d_tile_1d_t, tramp6,
     L(z i, z j, z k, z l, z m, z tm), L(i, j, k, l, m, tm))
SHIM(5d_tile_2d, pthreadpool_task_5d_tile_2d_t, tramp7,
     L(z i, z j, z k, z l, z m, z tl, z tm), L(i, j, k, l, m, tl, tm))
SHIM(6d, pthreadpool_task_6d_t, tramp6, L(z i, z j, z k, z l, z m, z n),
     L(i, j, k, l, m, n))
SHIM(6d_tile_1d, pthreadpool_task_6d_tile_1d_t, tramp7,
     L(z i, z j, z k, z l, z m, z n, z tn), L(i, j, k, l, m, n, tn))
SHIM(6d_tile_2d, pthreadpool_task_6d_tile_2d_t, tramp8,
     L(z i, z j, z k, z l, z m, z n, z tm, z tn), L(i, j, k, l, m, n, tm, tn))

/* ------------------------------------------------------------------------ */
/* Configurations                                                           */
/* ------------------------------------------------------------------------ */

/* What a configuration computes. */
typedef enum cfg_kind {
  FWD,        /* fp32 forward */
  TRANSPOSED, /* fp32 transposed, output padding 1 where the stride allows */
  Q8,         /* int8 forward: uint8 input, int8 output, per-channel scales */
} cfg_kind;

typedef struct cfg {
  const char *name;
  size_t N, C, K, H, W, R, S, stride, dil, groups, pad;
  simdconv_layout layout;
  simdconv_padding_mode mode;
  simdconv_activation act;
  cfg_kind kind;
} cfg;

#define NCHW SIMDCONV_LAYOUT_NCHW
#define NHWC SIMDCONV_LAYOUT_NHWC

/* One of each kernel family and workspace part: the igemm merged plan
 * (padded copy), the im2col plan (records on the tasks' stacks), the
 * unmerged plan (NHWC straight, NCHW transposed), the
 * grouped micro-kernel, the NCHW 1x1 GEMM with and without its gather, and
 * depthwise in both layouts. Large enough for the pool to split them. */
static const cfg g_cfgs[] = {
    {"3x3 merged NCHW", 1, 16, 40, 14, 13, 3, 3, 1, 1, 1, 1, NCHW,
     SIMDCONV_PAD_REFLECT, SIMDCONV_ACT_SILU, FWD},
    {"3x3 s2 C=3 im2col NHWC batch2", 2, 3, 24, 17, 16, 3, 3, 2, 1, 1, 1,
     NHWC, SIMDCONV_PAD_ZEROS, SIMDCONV_ACT_CLAMP, FWD},
    {"3x3 dil2 NHWC batch2", 2, 12, 24, 11, 12, 3, 3, 1, 2, 1, 2, NHWC,
     SIMDCONV_PAD_ZEROS, SIMDCONV_ACT_CLAMP, FWD},
    {"3x3 C=40 NCHW (transposed)", 1, 40, 20, 9, 10, 3, 3, 1, 1, 1, 1, NCHW,
     SIMDCONV_PAD_ZEROS, SIMDCONV_ACT_NONE, FWD},
    {"3x3 groups 4 grouped NHWC", 2, 16, 16, 10, 11, 3, 3, 1, 1, 4, 1, NHWC,
     SIMDCONV_PAD_CIRCULAR, SIMDCONV_ACT_GELU_ERF, FWD},
    {"1x1 NCHW gemm", 2, 16, 33, 12, 13, 1, 1, 1, 1, 1, 0, NCHW,
     SIMDCONV_PAD_ZEROS, SIMDCONV_ACT_TANH, FWD},
    {"1x1 s2 NCHW gemm gather", 2, 13, 17, 15, 14, 1, 1, 2, 1, 1, 0, NCHW,
     SIMDCONV_PAD_ZEROS, SIMDCONV_ACT_NONE, FWD},
    {"depthwise x2 3x3 NCHW", 2, 16, 32, 13, 17, 3, 3, 1, 1, 16, 1, NCHW,
     SIMDCONV_PAD_REPLICATE, SIMDCONV_ACT_SIGMOID, FWD},
    {"depthwise 5x5 s2 NHWC", 1, 24, 24, 16, 15, 5, 5, 2, 1, 24, 2, NHWC,
     SIMDCONV_PAD_ZEROS, SIMDCONV_ACT_GELU_TANH, FWD},
    /* Transposed: phases on the igemm micro-kernels (both layouts), the
     * pixel-lane kernels (K/groups <= 8), depthwise. */
    {"transposed 4x4 s2 NHWC batch2", 2, 24, 40, 7, 8, 4, 4, 2, 1, 1, 1, NHWC,
     SIMDCONV_PAD_ZEROS, SIMDCONV_ACT_SIGMOID, TRANSPOSED},
    {"transposed 3x3 s2 NCHW", 1, 16, 24, 9, 6, 3, 3, 2, 1, 1, 1, NCHW,
     SIMDCONV_PAD_ZEROS, SIMDCONV_ACT_NONE, TRANSPOSED},
    {"transposed 5x5 s3 K=3 NHWC", 1, 20, 3, 11, 10, 5, 5, 3, 1, 1, 2, NHWC,
     SIMDCONV_PAD_ZEROS, SIMDCONV_ACT_NONE, TRANSPOSED},
    {"transposed depthwise 4x4 s2 NCHW", 2, 16, 16, 9, 10, 4, 4, 2, 1, 16, 1,
     NCHW, SIMDCONV_PAD_ZEROS, SIMDCONV_ACT_NONE, TRANSPOSED},
    /* int8: igemm (NHWC bytes straight, NCHW copied), grouped, depthwise. */
    {"int8 3x3 NHWC", 2, 32, 40, 12, 11, 3, 3, 1, 1, 1, 1, NHWC,
     SIMDCONV_PAD_ZEROS, SIMDCONV_ACT_NONE, Q8},
    {"int8 1x1 s2 NCHW", 1, 20, 24, 15, 14, 1, 1, 2, 1, 1, 0, NCHW,
     SIMDCONV_PAD_ZEROS, SIMDCONV_ACT_NONE, Q8},
    {"int8 3x3 groups 4 NHWC", 1, 16, 32, 12, 13, 3, 3, 1, 1, 4, 1, NHWC,
     SIMDCONV_PAD_REFLECT, SIMDCONV_ACT_NONE, Q8},
    {"int8 depthwise 3x3 s2 NHWC", 2, 48, 48, 13, 15, 3, 3, 2, 1, 48, 1,
     NHWC, SIMDCONV_PAD_ZEROS, SIMDCONV_ACT_NONE, Q8},
};
#define NCFG (sizeof g_cfgs / sizeof g_cfgs[0])

static void make_desc(const cfg *c, simdconv_desc *d) {
  simdconv_desc_init(d, c->C, c->K, c->R, c->S);
  d->stride_h = d->stride_w = c->stride;
  d->dilation_h = d->dilation_w = c->dil;
  d->groups = c->groups;
  d->pad_top = d->pad_bottom = d->pad_left = d->pad_right = c->pad;
  d->padding_mode = c->mode;
  d->layout = c->layout;
  d->activation = c->act;
  if (c->kind == TRANSPOSED) {
    d->transposed = 1;
    d->output_padding_h = d->output_padding_w = c->stride > 1 ? 1 : 0;
  }
  if (c->act == SIMDCONV_ACT_CLAMP) {
    d->act_min = 0.0f;
    d->act_max = 6.0f;
  }
}

static uint64_t g_rng = 0x9e3779b97f4a7c15ull;
static float rnd(void) {
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 7;
  g_rng ^= g_rng << 17;
  return (float)(g_rng >> 40) * 0x1p-23f - 1.0f;
}

static float *rnd_array(size_t n) {
  float *p = malloc(n * sizeof *p);
  if (p == NULL) {
    fprintf(stderr, "tsan_stress: out of memory\n");
    exit(1);
  }
  for (size_t i = 0; i < n; i++)
    p[i] = rnd();
  return p;
}

/* Tensors of one configuration, shared read-only by every thread: fp32,
 * or (int8) bytes, int32 bias and the quantization. */
typedef struct data {
  const cfg *c;
  simdconv_desc d;
  size_t nx, nw, ny, OH, OW;
  size_t elem; /* bytes of an input / output element */
  float *x, *w, *b;
  uint8_t *xq;
  int8_t *wq;
  int32_t *bq;
  float *wscale;
  simdconv_qparams q;
} data;

static data g_data[NCFG];

/* The int8 tensors of a configuration from its random floats: bytes
 * spanning the types, per-channel scales, a quantized bias. */
static void make_q8(data *dt) {
  const size_t K = dt->c->K;
  dt->xq = malloc(dt->nx);
  dt->wq = malloc(dt->nw);
  dt->bq = malloc(K * sizeof *dt->bq);
  dt->wscale = malloc(K * sizeof *dt->wscale);
  if (!dt->xq || !dt->wq || !dt->bq || !dt->wscale) {
    fprintf(stderr, "tsan_stress: out of memory\n");
    exit(1);
  }
  for (size_t i = 0; i < dt->nx; i++)
    dt->xq[i] = (uint8_t)(127.5f + 127.5f * dt->x[i]);
  for (size_t i = 0; i < dt->nw; i++)
    dt->wq[i] = (int8_t)(127.0f * dt->w[i]);
  for (size_t k = 0; k < K; k++) {
    dt->wscale[k] = 0x1p-8f * (1.5f + dt->b[k]);
    dt->bq[k] = (int32_t)(2000.0f * dt->b[k]);
  }
  simdconv_qparams_init(&dt->q, SIMDCONV_QTYPE_U8, 0.02f, 128, dt->wscale, K,
                        SIMDCONV_QTYPE_S8, 0.05f, -3);
}

static int fail(const char *what, simdconv_status st) {
  fprintf(stderr, "tsan_stress: %s: %s\n", what, simdconv_status_string(st));
  return 1;
}

/* The object of a configuration. */
static simdconv_status create(const data *dt, const simdconv_options *opt,
                              simdconv_conv **conv) {
  if (dt->c->kind == Q8)
    return simdconv_create_q8(&dt->d, &dt->q, dt->wq, dt->bq, opt, conv);
  return simdconv_create(&dt->d, dt->w, dt->b, opt, conv);
}

/* One run of a configuration's object into y (ny elements of dt->elem). */
static simdconv_status run(const simdconv_conv *conv, const data *dt,
                           void *y, void *ws, size_t ws_bytes,
                           pthreadpool_t pool) {
  const cfg *c = dt->c;
  if (c->kind == Q8)
    return simdconv_run_q8(conv, c->N, c->H, c->W, dt->xq, y, ws, ws_bytes,
                           pool);
  return simdconv_run(conv, c->N, c->H, c->W, dt->x, y, ws, ws_bytes, pool);
}

/* ------------------------------------------------------------------------ */
/* 1. concurrent runs of one object                                         */
/* ------------------------------------------------------------------------ */

typedef struct run_job {
  const simdconv_conv *conv;
  const data *dt;
  const unsigned char *y_ref;
  pthreadpool_t pool;
  size_t ws_bytes;
  int id;
  int errors;
  size_t runs;
} run_job;

static void *run_thread(void *arg) {
  run_job *j = arg;
  const data *dt = j->dt;
  const size_t bytes = dt->ny * dt->elem;
  unsigned char *y = malloc(bytes);
  unsigned char *ws = malloc(j->ws_bytes + 1);
  for (int it = 0; it < ITERS; it++) {
    /* odd threads bring a workspace (at an odd address), even ones not */
    const bool own_ws = ((j->id + it) & 1) != 0;
    memset(y, 0xff, bytes);
    const simdconv_status st =
        run(j->conv, dt, y, own_ws ? ws + 1 : NULL, own_ws ? j->ws_bytes : 0,
            j->pool);
    j->runs++;
    if (st != SIMDCONV_OK) {
      j->errors += fail("simdconv_run", st);
      continue;
    }
    if (memcmp(y, j->y_ref, bytes) != 0) {
      size_t i = 0;
      while (y[i] == j->y_ref[i])
        i++;
      fprintf(stderr,
              "tsan_stress: %s, thread %d, pool %s: output byte %zu is "
              "0x%02x, single-threaded 0x%02x\n",
              dt->c->name, j->id, j->pool ? "shared" : "NULL", i, y[i],
              j->y_ref[i]);
      j->errors++;
    }
  }
  free(ws);
  free(y);
  return NULL;
}

static int concurrent_runs(simdconv_isa isa, const data *dt,
                           pthreadpool_t pool, size_t *runs) {
  const simdconv_options opt = {.isa = isa, .allocator = NULL};
  simdconv_conv *conv = NULL;
  simdconv_status st = create(dt, &opt, &conv);
  if (st != SIMDCONV_OK)
    return fail("simdconv_create", st);
  size_t ws = 0;
  st = simdconv_workspace_size(conv, dt->c->N, dt->c->H, dt->c->W, &ws);
  if (st != SIMDCONV_OK)
    return fail("simdconv_workspace_size", st);
  unsigned char *y_ref = malloc(dt->ny * dt->elem);
  st = run(conv, dt, y_ref, NULL, 0, NULL);
  if (st != SIMDCONV_OK)
    return fail("simdconv_run (reference)", st);
  int errors = 0;
  for (int with_pool = 0; with_pool < 2; with_pool++) {
    pthread_t th[THREADS];
    run_job jobs[THREADS];
    for (int t = 0; t < THREADS; t++) {
      jobs[t] = (run_job){conv, dt, y_ref, with_pool ? pool : NULL, ws, t, 0,
                          0};
      if (pthread_create(&th[t], NULL, run_thread, &jobs[t]) != 0) {
        fprintf(stderr, "tsan_stress: pthread_create failed\n");
        exit(1);
      }
    }
    for (int t = 0; t < THREADS; t++) {
      pthread_join(th[t], NULL);
      errors += jobs[t].errors;
      *runs += jobs[t].runs;
    }
  }
  free(y_ref);
  simdconv_destroy(conv);
  return errors;
}

/* ------------------------------------------------------------------------ */
/* 2. concurrent create / destroy                                           */
/* ------------------------------------------------------------------------ */

static pthread_mutex_t g_alloc_mu = PTHREAD_MUTEX_INITIALIZER;
static long g_live_allocs;
static size_t g_total_allocs;

static void *count_alloc(void *ctx, size_t size, size_t alignment) {
  (void)ctx;
  void *p = NULL;
  if (posix_memalign(&p, alignment < sizeof(void *) ? sizeof(void *)
                                                     : alignment,
                     size ? size : 1) != 0)
    return NULL;
  pthread_mutex_lock(&g_alloc_mu);
  g_live_allocs++;
  g_total_allocs++;
  pthread_mutex_unlock(&g_alloc_mu);
  return p;
}

static void count_free(void *ctx, void *p) {
  (void)ctx;
  pthread_mutex_lock(&g_alloc_mu);
  g_live_allocs--;
  pthread_mutex_unlock(&g_alloc_mu);
  free(p);
}

static const simdconv_allocator g_counting = {count_alloc, count_free, NULL};

typedef struct life_job {
  const simdconv_isa *isas;
  size_t nisa;
  pthreadpool_t pool;
  int id;
  int errors;
  size_t creates;
} life_job;

static void *life_thread(void *arg) {
  life_job *j = arg;
  for (size_t k = 0; k < NCFG * j->nisa; k++) {
    /* every thread walks the same list from a different start */
    const size_t idx = (k + (size_t)j->id * 3) % (NCFG * j->nisa);
    const data *dt = &g_data[idx % NCFG];
    const simdconv_options opt = {.isa = j->isas[idx / NCFG],
                                  .allocator = &g_counting};
    simdconv_conv *conv = NULL;
    simdconv_status st = create(dt, &opt, &conv);
    j->creates++;
    if (st != SIMDCONV_OK) {
      j->errors += fail("simdconv_create (concurrent)", st);
      continue;
    }
    simdconv_conv_info info;
    st = simdconv_get_info(conv, &info);
    if (st != SIMDCONV_OK)
      j->errors += fail("simdconv_get_info", st);
    unsigned char *y = malloc(dt->ny * dt->elem);
    /* NULL workspace: the run allocates through the counting allocator */
    st = run(conv, dt, y, NULL, 0, (k & 1) ? j->pool : NULL);
    if (st != SIMDCONV_OK)
      j->errors += fail("simdconv_run (concurrent create)", st);
    simdconv_destroy(conv);
    if (k % NCFG == (size_t)j->id && dt->c->kind != Q8) {
      st = simdconv_conv2d(&dt->d, dt->c->N, dt->c->H, dt->c->W, dt->x, dt->w,
                           dt->b, (float *)y, (k & 2) ? j->pool : NULL);
      if (st != SIMDCONV_OK)
        j->errors += fail("simdconv_conv2d", st);
    }
    free(y);
  }
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Self-test of the annotations                                             */
/* ------------------------------------------------------------------------ */

static size_t g_racy;

/* Every task adds to g_racy without synchronisation: a real race between
 * the tasks of one call, which the annotations must leave visible. */
static void racy_task(void *ctx, size_t i) {
  (void)ctx;
  volatile double s = 0.0;
  for (int k = 0; k < 200000; k++)
    s = s + (double)k;
  g_racy += i;
}

static int selftest(void) {
  pthreadpool_t pool = pthreadpool_create(2);
  if (pool == NULL)
    return 1;
  pthreadpool_parallelize_1d(pool, racy_task, NULL, 64, 0);
  pthreadpool_destroy(pool);
  printf("tsan_stress: self-test finished without a report (sum %zu)\n",
         g_racy);
  return 0;
}

/* ------------------------------------------------------------------------ */

int main(void) {
  shim_init();
  const char *st_env = getenv("TSAN_STRESS_SELFTEST");
  if (st_env != NULL && *st_env != '\0' && *st_env != '0')
    return selftest();
  for (size_t i = 0; i < NCFG; i++) {
    data *dt = &g_data[i];
    dt->c = &g_cfgs[i];
    make_desc(dt->c, &dt->d);
    const simdconv_status st = simdconv_output_shape(
        &dt->d, dt->c->H, dt->c->W, &dt->OH, &dt->OW);
    if (st != SIMDCONV_OK)
      return fail(dt->c->name, st);
    dt->nx = dt->c->N * dt->c->C * dt->c->H * dt->c->W;
    dt->nw = dt->c->K * (dt->c->C / dt->c->groups) * dt->c->R * dt->c->S;
    dt->ny = dt->c->N * dt->c->K * dt->OH * dt->OW;
    dt->elem = dt->c->kind == Q8 ? 1 : sizeof(float);
    dt->x = rnd_array(dt->nx);
    dt->w = rnd_array(dt->nw);
    dt->b = rnd_array(dt->c->K);
    if (dt->c->kind == Q8)
      make_q8(dt);
  }

  simdconv_isa isas[SIMDCONV_ISA_COUNT];
  size_t nisa = 0;
  char isa_names[64] = "";
  for (int i = SIMDCONV_ISA_SCALAR; i < SIMDCONV_ISA_COUNT; i++)
    if (simdconv_isa_check((simdconv_isa)i) == SIMDCONV_OK) {
      isas[nisa++] = (simdconv_isa)i;
      strcat(isa_names, nisa > 1 ? "," : "");
      strcat(isa_names, simdconv_isa_name((simdconv_isa)i));
    }

  pthreadpool_t pool = pthreadpool_create(2);
  if (pool == NULL) {
    fprintf(stderr, "tsan_stress: pthreadpool_create(2) failed\n");
    return 1;
  }
  int errors = 0;
  size_t runs = 0;
  for (size_t i = 0; i < nisa; i++)
    for (size_t c = 0; c < NCFG; c++)
      errors += concurrent_runs(isas[i], &g_data[c], pool, &runs);

  pthread_t th[THREADS];
  life_job jobs[THREADS];
  for (int t = 0; t < THREADS; t++) {
    jobs[t] = (life_job){isas, nisa, pool, t, 0, 0};
    if (pthread_create(&th[t], NULL, life_thread, &jobs[t]) != 0) {
      fprintf(stderr, "tsan_stress: pthread_create failed\n");
      return 1;
    }
  }
  size_t creates = 0;
  for (int t = 0; t < THREADS; t++) {
    pthread_join(th[t], NULL);
    errors += jobs[t].errors;
    creates += jobs[t].creates;
  }
  pthreadpool_destroy(pool);
  if (g_live_allocs != 0) {
    fprintf(stderr, "tsan_stress: %ld allocations never freed\n",
            g_live_allocs);
    errors++;
  }
  for (size_t i = 0; i < NCFG; i++) {
    free(g_data[i].x);
    free(g_data[i].w);
    free(g_data[i].b);
    free(g_data[i].xq);
    free(g_data[i].wq);
    free(g_data[i].bq);
    free(g_data[i].wscale);
  }
  printf("tsan_stress: ISAs %s; %zu configurations; %zu concurrent runs "
         "(%d threads x %d each, pool NULL and a shared 2-thread pool) "
         "bitwise equal to single-threaded: %s; %zu concurrent "
         "create/run/destroy (%zu allocations, all freed)%s\n",
         isa_names, NCFG, runs, THREADS, ITERS, errors ? "NO" : "yes",
         creates, g_total_allocs, shim_off ? " [pthreadpool annotations off]" : "");
  return errors ? 1 : 0;
}
