/*
 * Structure-aware libFuzzer target: a convolution, its sizes, the ISA to
 * probe, the caller's FP environment and a data seed are decoded from the
 * input; the tensors are generated from the seed.
 *
 * Every input must satisfy, else the target aborts (a libFuzzer crash):
 * - every status is one its function documents (tests/api_statuses.h), and
 *   depends only on the arguments: workspace_size and run give the same on
 *   every ISA, create too (OUT_OF_MEMORY aside: the fuzzer's allocator
 *   refuses large requests, whose sizes differ by kernel), and the oracle
 *   and (on small problems) the one-shot call give what create + run give;
 * - packed weights and workspace stay within the documented bounds;
 * - on OK: every ISA gives the same bits, within the oracle's bound; the
 *   probed ISA gives them again with a caller workspace, and on the 2-thread
 *   pool in the fuzzed caller FP mode (the pool worker in it too, or not),
 *   leaving the caller's and the worker's FP state as they were; the oracle
 *   gives the same bits in that mode;
 * - the same layer as an int8 convolution (quantization drawn from the
 *   seed): documented statuses, the same on every ISA and the oracle's, and
 *   on OK every ISA's bytes equal to simdconv_reference_q8()'s;
 * - probes (misaligned pointers, overlapping buffers, a workspace one byte
 *   short, NULL pointers, an incomplete allocator, unusable ISAs) give
 *   MISALIGNED, BUFFER_OVERLAP, WORKSPACE_TOO_SMALL, NULL_POINTER,
 *   INVALID_ALLOCATOR and simdconv_isa_check()'s answer.
 *
 * Input layout (little-endian; reading past the end yields zeros). A "dim"
 * is one byte b: b < 0xf0 gives lo + b % n, 0xf0..0xfe one of dim_special[],
 * 0xff the next four bytes as a raw 32-bit value:
 *   u8 shape      bits 0-1: 0/1 plain, 2 grouped (2-4 groups), 3 depthwise
 *                 (C = 1 + bits 2-6); a dim per channel count follows
 *   dim Cg, dim Kg (channel multiplier 1-3 when depthwise)
 *   dim R, S (1-7), dim stride h, w (1-3), dim dilation h, w (1-3)
 *   u8 padding (% 3), dim pad top, bottom, left, right (0-4)
 *   u8 flags      bits 0-1 padding mode, 2 NHWC, 3 OHWI, 4 flip, 5 bias
 *   u8 activation (% 7; 0xff: an invalid value), i8 act_min (/4), u8 span
 *   u8 corrupt    1-9: break one field (the library must say which status)
 *   u8 N (1-3), dim H, W (1-16, 0xf0+ for special sizes)
 *   u8 isa        the ISA probed with variants (index into the usable ones)
 *   u8 fp         caller FP mode (fp_modes.h; index into the usable ones),
 *                 bit 7: the pool worker in that mode too
 *   u64 seed, u8 kind of x, w, bias (see fill())
 *   u8 probes     bit 0 misaligned input, 1 overlap, 2 short workspace,
 *                 3 NULL pointers, 4 misaligned weights and oracle buffers,
 *                 5 an incomplete allocator and every ISA, usable or not
 *   u8 transposed bit 0 a transposed convolution (then bits 1-2, 3-4 its
 *                 output padding h, w; bit 5 IOHW weights; bit 6 keep a
 *                 padding mode other than zeros, which it rejects), else
 *                 bit 7 an output padding on the forward one (rejected).
 *                 Last, so that inputs without it (zeros) stay forward.
 *
 * SIMDCONV_FUZZ_CENSUS=1 prints at exit which statuses each function
 * returned, which kernels ran, and how many inputs ran every ISA.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthreadpool.h>
#include <simdconv.h>

#include "../api_statuses.h"
#include "../fp_modes.h"

/* ---- the census ---------------------------------------------------------- */

enum { F_VALIDATE, F_SHAPE, F_CREATE, F_WS, F_RUN, F_CONV2D, F_REF,
       F_COMPARE, F_VALIDATE_Q8, F_CREATE_Q8, F_RUN_Q8, F_REF_Q8, F_N };
static const char *const f_names[F_N] = {
    "desc_validate", "output_shape", "create", "workspace_size", "run",
    "conv2d", "reference", "compare", "desc_validate_q8", "create_q8",
    "run_q8", "reference_q8"};
static const uint64_t f_documented[F_N] = {
    ST_VALIDATE,    ST_OUTPUT_SHAPE, ST_CREATE,    ST_WORKSPACE_SIZE,
    ST_RUN,         ST_CONV2D,       ST_REFERENCE, ST_COMPARE,
    ST_VALIDATE_Q8, ST_CREATE_Q8,    ST_RUN_Q8,    ST_REFERENCE_Q8};

#define MAX_KERNELS 32
static struct {
  uint64_t statuses[F_N];
  const char *kernels[MAX_KERNELS];
  size_t kernel_runs[MAX_KERNELS];
  size_t computed, modes[FPM_COUNT];
} census;

static void fail(const char *what) {
  fprintf(stderr, "fuzz_conv: %s\n", what);
  abort();
}

/* Records st as returned by function f; aborts if it is not documented. */
static simdconv_status note(int f, simdconv_status st) {
  if (!st_in(f_documented[f], st)) {
    fprintf(stderr, "fuzz_conv: simdconv_%s returned %d (%s), which it does "
            "not document\n", f_names[f], (int)st,
            simdconv_status_string(st));
    abort();
  }
  census.statuses[f] |= UINT64_C(1) << (unsigned)st;
  return st;
}

static void note_kernel(const char *name) {
  for (size_t i = 0; i < MAX_KERNELS; i++)
    if (census.kernels[i] == NULL || strcmp(census.kernels[i], name) == 0) {
      census.kernels[i] = name;
      census.kernel_runs[i]++;
      return;
    }
}

static void print_census(void) {
  fprintf(stderr, "fuzz_conv census: %zu inputs computed on every ISA\n",
          census.computed);
  for (int f = 0; f < F_N; f++) {
    fprintf(stderr, "  simdconv_%-15s", f_names[f]);
    for (unsigned s = 0; s < 64; s++)
      if (f_documented[f] >> s & 1u)
        fprintf(stderr, " %u%s", s,
                census.statuses[f] >> s & 1u ? "" : "(never)");
    fputc('\n', stderr);
  }
  for (size_t i = 0; i < MAX_KERNELS && census.kernels[i]; i++)
    fprintf(stderr, "  kernel %-28s %zu runs\n", census.kernels[i],
            census.kernel_runs[i]);
  for (int m = 0; m < FPM_COUNT; m++)
    fprintf(stderr, "  FP mode %-60s %zu inputs\n", fpm_name((fpm_mode)m),
            census.modes[m]);
}

/* ---- decoding ------------------------------------------------------------ */

typedef struct reader {
  const uint8_t *p;
  size_t n;
} reader;

static unsigned u8(reader *r) {
  if (r->n == 0)
    return 0;
  r->n--;
  return *r->p++;
}

static uint64_t le(reader *r, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; i++)
    v |= (uint64_t)u8(r) << (8 * i);
  return v;
}

static const size_t dim_special[15] = {
    0, 1, 2, 3, 7, 8, 16, 17, 33, 64, 65, 50000, (size_t)1 << 30,
    SIMDCONV_MAX_DIM - 1, SIMDCONV_MAX_DIM};

static size_t dim(reader *r, size_t lo, size_t n) {
  const unsigned b = u8(r);
  if (b < 0xf0)
    return lo + b % n;
  if (b < 0xff)
    return dim_special[b - 0xf0];
  return (size_t)le(r, 4);
}

/* An occasionally invalid descriptor: the library must name the problem. */
static void corrupt(simdconv_desc *d, unsigned how) {
  switch (how) {
  case 1: d->in_channels = 0; break;
  case 2: d->groups = d->in_channels + 1; break;
  case 3: d->kernel_h = (size_t)-1; break;
  case 4: d->layout = (simdconv_layout)7; break;
  case 5: d->padding_mode = (simdconv_padding_mode)9; break;
  case 6: d->weight_layout = (simdconv_weight_layout)5; break;
  case 7: d->act_min = NAN; d->activation = SIMDCONV_ACT_CLAMP; break;
  case 8: d->stride_w = 0; break;
  case 9: d->padding = SIMDCONV_PADDING_SAME; d->stride_h = 2; break;
  default: break;
  }
}

static void read_channels(reader *r, simdconv_desc *d) {
  const unsigned shape = u8(r);
  size_t groups = 1, cg, kg;
  if (shape % 4 == 3) { /* depthwise */
    groups = 1 + (shape >> 2) % 24;
    cg = 1;
    (void)dim(r, 1, 1);
    kg = dim(r, 1, 3);
  } else {
    groups = shape % 4 == 2 ? 2 + (shape >> 2) % 3 : 1;
    cg = dim(r, 1, 8);
    kg = dim(r, 1, 64);
  }
  d->groups = groups;
  d->in_channels = groups * cg;  /* may wrap for raw values: then invalid */
  d->out_channels = groups * kg;
}

static void read_desc(reader *r, simdconv_desc *d, int *bias) {
  simdconv_desc_init(d, 1, 1, 1, 1);
  read_channels(r, d);
  d->kernel_h = dim(r, 1, 7);
  d->kernel_w = dim(r, 1, 7);
  d->stride_h = dim(r, 1, 3);
  d->stride_w = dim(r, 1, 3);
  d->dilation_h = dim(r, 1, 3);
  d->dilation_w = dim(r, 1, 3);
  d->padding = (simdconv_padding)(u8(r) % 3);
  d->pad_top = dim(r, 0, 5);
  d->pad_bottom = dim(r, 0, 5);
  d->pad_left = dim(r, 0, 5);
  d->pad_right = dim(r, 0, 5);
  const unsigned flags = u8(r);
  d->padding_mode = (simdconv_padding_mode)(flags & 3);
  d->layout = (simdconv_layout)(flags >> 2 & 1);
  d->weight_layout = (simdconv_weight_layout)(flags >> 3 & 1);
  d->flip_kernel = flags >> 4 & 1;
  *bias = flags >> 5 & 1;
  const unsigned act = u8(r);
  d->activation = (simdconv_activation)(act == 0xff ? 42 : act % 7);
  d->act_min = (float)(int8_t)u8(r) / 4.0f;
  d->act_max = d->act_min + (float)u8(r) / 8.0f;
  corrupt(d, u8(r));
}

typedef struct job {
  simdconv_desc d;
  int bias;
  size_t N, H, W;
  unsigned isa_pick, fp_pick, kinds[3], probes;
  uint64_t seed;
} job;

/* The transposed byte (see the layout above). Valid enums only are changed,
 * so that corrupt()'s breakage stays what it was. */
static void read_transposed(reader *r, simdconv_desc *d) {
  const unsigned t = u8(r);
  if (t & 1) {
    d->transposed = 1;
    d->output_padding_h = t >> 1 & 3;
    d->output_padding_w = t >> 3 & 3;
    if ((t >> 5 & 1) && d->weight_layout <= SIMDCONV_WEIGHTS_OHWI)
      d->weight_layout = SIMDCONV_WEIGHTS_IOHW;
    if (!(t >> 6 & 1) && d->padding_mode <= SIMDCONV_PAD_CIRCULAR)
      d->padding_mode = SIMDCONV_PAD_ZEROS;
  } else if (t >> 7 & 1) {
    d->output_padding_w = 1;
  }
}

static void read_job(reader *r, job *j) {
  read_desc(r, &j->d, &j->bias);
  j->N = 1 + u8(r) % 3;
  j->H = dim(r, 1, 16);
  j->W = dim(r, 1, 16);
  j->isa_pick = u8(r);
  j->fp_pick = u8(r);
  j->seed = le(r, 8);
  for (int i = 0; i < 3; i++)
    j->kinds[i] = u8(r);
  j->probes = u8(r);
  read_transposed(r, &j->d);
}

/* ---- tensors ------------------------------------------------------------- */

static uint64_t next(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

static float uniform(uint64_t *s) {
  return (float)((double)(next(s) >> 40) * 0x1p-23 - 1.0); /* [-1, 1) */
}

static float special(uint64_t *s) {
  static const float v[] = {NAN,       INFINITY, -INFINITY,  0.0f,
                            -0.0f,     0x1p-149f, -0x1p-140f, 0x1p-127f,
                            3.4e38f,   -3.4e38f,  1.0f,       -1.0f};
  return v[next(s) % (sizeof v / sizeof v[0])];
}

/* Kinds: 0 uniform, 1 integers -8..8, 2 wide range (2^-60 .. 2^60),
 * 3 uniform with 1 in 8 special (NaN, Inf, denormal, signed zero, huge),
 * 4 denormals, 5 near FLT_MAX, 6 signed zeros. */
static float value(uint64_t *s, unsigned kind) {
  switch (kind % 7) {
  case 1: return (float)((int)(next(s) % 17) - 8);
  case 2: return ldexpf(uniform(s), (int)(next(s) % 121) - 60);
  case 3: return next(s) % 8 == 0 ? special(s) : uniform(s);
  case 4: return ldexpf(uniform(s), -127 - (int)(next(s) % 22));
  case 5: return uniform(s) * 3.4e38f;
  case 6: return next(s) % 2 ? 0.0f : -0.0f;
  default: return uniform(s);
  }
}

static float *tensor(uint64_t *s, size_t n, unsigned kind) {
  float *t = malloc((n ? n : 1) * sizeof(float));
  if (t == NULL)
    fail("out of memory for a tensor");
  for (size_t i = 0; i < n; i++)
    t[i] = value(s, kind);
  return t;
}

/* ---- sizes and bounds ---------------------------------------------------- */

__extension__ typedef unsigned __int128 u128;

/* Element counts of input, weights, output, and the multiply-adds. */
typedef struct sizes {
  u128 in, w, out, macs;
  size_t OH, OW;
} sizes;

static sizes sizes_of(const job *j, size_t OH, size_t OW) {
  const simdconv_desc *d = &j->d;
  const u128 cg = d->in_channels / d->groups;
  const u128 taps = cg * d->kernel_h * d->kernel_w;
  const u128 out = (u128)j->N * d->out_channels * OH * OW;
  return (sizes){.in = (u128)j->N * d->in_channels * j->H * j->W,
                 .w = d->out_channels * taps, .out = out, .macs = out * taps,
                 .OH = OH, .OW = OW};
}

/* Small enough to compute here, quickly (the oracle, the scalar kernel
 * and every run cost about a microsecond per thousand multiply-adds). */
static int small(const sizes *z) {
  return z->in <= 1u << 14 && z->w <= 1u << 14 && z->out <= 1u << 14 &&
         z->macs <= 1u << 17;
}

static void check_bounds(const job *j, const sizes *z, size_t packed,
                         size_t ws) {
  const simdconv_desc *d = &j->d;
  const u128 cg = d->in_channels / d->groups;
  const u128 rs = (u128)d->kernel_h * d->kernel_w, ohw = (u128)z->OH * z->OW;
  /* The bounds of simdconv_create() and simdconv_workspace_size(). */
  const u128 pb = (u128)4 * (d->out_channels + (u128)64 * d->groups) *
                  (cg * rs + (d->transposed ? 2 * rs : 0) + 2);
  const u128 wb =
      d->transposed
          ? (u128)16 * z->in + (u128)4 * d->out_channels * ohw +
                (u128)64 * (ohw * rs + z->OH + z->OW) + 4 * cg + 1024
          : (u128)16 * z->in + (u128)24 * (ohw + 16) * rs +
                4 * cg * d->kernel_w + 1024;
  if (packed > pb)
    fail("packed weights above the documented bound");
  if (ws > wb)
    fail("workspace above the documented bound");
}

/* ---- the library, every ISA ---------------------------------------------- */

/* Refuses requests over 256 MiB, so that a fuzzed size cannot exhaust the
 * machine (OUT_OF_MEMORY is then the expected answer), and every request
 * while `refuse` is set. */
static int refuse;

static void *capped_alloc(void *ctx, size_t size, size_t alignment) {
  (void)ctx;
  void *p = NULL;
  if (refuse || size > (size_t)256 << 20 ||
      posix_memalign(&p, alignment, size ? size : 1) != 0)
    return NULL;
  return p;
}

static void plain_free(void *ctx, void *p) {
  (void)ctx;
  free(p);
}

static const simdconv_allocator capped = {capped_alloc, plain_free, NULL};

static pthreadpool_t pool2(void) {
  static pthreadpool_t pool;
  if (pool == NULL && (pool = pthreadpool_create(2)) == NULL)
    fail("pthreadpool_create(2) failed");
  return pool;
}

static size_t usable_isas(simdconv_isa out[SIMDCONV_ISA_COUNT]) {
  size_t n = 0;
  for (int i = SIMDCONV_ISA_SCALAR; i < SIMDCONV_ISA_COUNT; i++)
    if (simdconv_isa_check((simdconv_isa)i) == SIMDCONV_OK)
      out[n++] = (simdconv_isa)i;
  return n;
}

typedef struct tensors {
  float *x, *w, *b, *y, *y0;
  double *ref, *bound;
} tensors;

/* create + workspace_size on one ISA: statuses noted, bounds checked. */
static simdconv_conv *create_on(const job *j, const sizes *z, simdconv_isa isa,
                                const tensors *t, simdconv_status *cst,
                                simdconv_status *wst, size_t *ws) {
  const simdconv_options o = {.isa = isa, .allocator = &capped};
  simdconv_conv *conv = NULL;
  *cst = note(F_CREATE, simdconv_create(&j->d, t->w, j->bias ? t->b : NULL,
                                        &o, &conv));
  *wst = SIMDCONV_OK;
  *ws = 0;
  if (*cst != SIMDCONV_OK)
    return NULL;
  simdconv_conv_info info;
  if (simdconv_get_info(conv, &info) != SIMDCONV_OK)
    fail("get_info failed on a valid object");
  *wst = note(F_WS, simdconv_workspace_size(conv, j->N, j->H, j->W, ws));
  check_bounds(j, z, info.packed_bytes, *wst == SIMDCONV_OK ? *ws : 0);
  note_kernel(info.kernel);
  return conv;
}

static int same_bits(const float *a, const float *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!(isnan(a[i]) && isnan(b[i])) && memcmp(&a[i], &b[i], sizeof(float)))
      return 0;
  return 1;
}

/* Runs into t->y; on OK compares with the first result (t->y0) or makes
 * it the first. */
static simdconv_status run_into(const simdconv_conv *conv, const job *j,
                                const sizes *z, tensors *t, void *ws,
                                size_t ws_size, pthreadpool_t pool,
                                int *have_first) {
  const simdconv_status st = note(F_RUN, simdconv_run(
      conv, j->N, j->H, j->W, t->x, t->y, ws, ws_size, pool));
  if (st != SIMDCONV_OK)
    return st;
  if (!*have_first) {
    memcpy(t->y0, t->y, (size_t)z->out * sizeof(float));
    *have_first = 1;
  } else if (!same_bits(t->y0, t->y, (size_t)z->out)) {
    fail("results differ between ISAs, thread counts or workspaces");
  }
  return st;
}

/* The probed ISA again: a caller workspace one byte past alignment, the
 * fuzzed FP mode, and the probes. */
static void variants(const simdconv_conv *conv, const job *j, const sizes *z,
                     tensors *t, size_t ws, int *have_first);

/* Every usable ISA: the statuses must agree; the results too. Returns the
 * common statuses of create (OOM aside), workspace_size and run. */
static void every_isa(const job *j, const sizes *z, tensors *t, int compute,
                      simdconv_status st[3]) {
  simdconv_isa isas[SIMDCONV_ISA_COUNT];
  const size_t n = usable_isas(isas);
  int have_first = 0, first = 1;
  for (size_t i = 0; i < n; i++) {
    simdconv_status s[3] = {SIMDCONV_OK, SIMDCONV_OK, SIMDCONV_OK};
    size_t ws;
    simdconv_conv *conv = create_on(j, z, isas[i], t, &s[0], &s[1], &ws);
    if (conv != NULL && compute) {
      s[2] = run_into(conv, j, z, t, NULL, 0, NULL, &have_first);
      if (j->isa_pick % n == i) /* threads too: one ISA per input, since a */
        variants(conv, j, z, t, ws, &have_first); /* pool hand-off is slow */
    } else if (conv != NULL && s[1] != SIMDCONV_OK) {
      /* The sizes fail before any memory is touched. */
      s[2] = note(F_RUN, simdconv_run(conv, j->N, j->H, j->W, t->x, t->y,
                                      NULL, 0, NULL));
    }
    simdconv_destroy(conv);
    if (s[0] == SIMDCONV_ERR_OUT_OF_MEMORY)
      continue; /* the capped allocator: sizes differ by kernel */
    if (!first && (s[0] != st[0] || s[1] != st[1] || s[2] != st[2]))
      fail("a status depends on the ISA");
    memcpy(st, s, sizeof s);
    first = 0;
  }
}

/* ---- variants of the probed ISA ----------------------------------------- */

static size_t usable_modes(fpm_mode out[FPM_COUNT]) { return fpm_modes(out); }

/* The run and the oracle in the caller's (and maybe the worker's) FP mode:
 * the same bits, every thread's state as it was. */
static void in_fp_mode(const simdconv_conv *conv, const job *j,
                       const sizes *z, tensors *t, int *have_first) {
  fpm_mode modes[FPM_COUNT];
  const fpm_mode m = modes[j->fp_pick % 0x80 % usable_modes(modes)];
  const int worker_too = j->fp_pick >> 7;
  census.modes[m]++;
  /* The pool made first, in the default mode: a worker thread created
   * while the caller is in mode m would start in m (threads inherit their
   * creator's FP control state). */
  (void)pool2();
  fpm_set(FPM_DEFAULT);
  const uint64_t dfl = fpm_state();
  if (worker_too)
    fpm_pool_exchange(pool2(), m, NULL, 0);
  fpm_set(m);
  const uint64_t caller = fpm_state();
  (void)run_into(conv, j, z, t, NULL, 0, pool2(), have_first);
  double *ref = malloc((size_t)z->out * sizeof(double));
  double *bound = malloc((size_t)z->out * sizeof(double));
  if (ref == NULL || bound == NULL)
    fail("out of memory for the oracle");
  const simdconv_status rs = simdconv_reference(
      &j->d, j->N, j->H, j->W, t->x, t->w, j->bias ? t->b : NULL, ref, bound);
  const uint64_t caller_after = fpm_state();
  fpm_set(FPM_DEFAULT);
  uint64_t after[2] = {0, 0};
  fpm_pool_exchange(pool2(), FPM_DEFAULT, after, 2);
  if (caller_after != caller || after[1] != (worker_too ? caller : dfl)) {
    const simdconv_desc *d = &j->d;
    fprintf(stderr,
            "mode %d: caller 0x%llx -> 0x%llx, worker 0x%llx (want 0x%llx); "
            "N=%zu C=%zu K=%zu H=%zu W=%zu %zux%zu s%zux%zu d%zux%zu g=%zu "
            "layout=%d transposed=%d isa_pick=%u\n",
            (int)m, (unsigned long long)caller,
            (unsigned long long)caller_after, (unsigned long long)after[1],
            (unsigned long long)(worker_too ? caller : dfl), j->N,
            d->in_channels, d->out_channels, j->H, j->W, d->kernel_h,
            d->kernel_w, d->stride_h, d->stride_w, d->dilation_h,
            d->dilation_w, d->groups, (int)d->layout, d->transposed,
            j->isa_pick);
    fail("a call changed the caller's or a pool worker's FP state");
  }
  if (rs != SIMDCONV_OK ||
      memcmp(ref, t->ref, (size_t)z->out * sizeof(double)) != 0 ||
      memcmp(bound, t->bound, (size_t)z->out * sizeof(double)) != 0)
    fail("the oracle's bits depend on the caller's FP mode");
  free(ref);
  free(bound);
}

/* Misaligned pointers, overlapping buffers, a workspace one byte short: the
 * status that says so, and nothing written. */
static void probes(const simdconv_conv *conv, const job *j, const sizes *z,
                   tensors *t, size_t ws) {
  const size_t in_bytes = (size_t)z->in * sizeof(float);
  if (j->probes & 1) {
    const float *odd = (const float *)(const void *)((const char *)t->x + 1);
    if (note(F_RUN, simdconv_run(conv, j->N, j->H, j->W, odd, t->y, NULL, 0,
                                 NULL)) != SIMDCONV_ERR_MISALIGNED)
      fail("a misaligned input was not MISALIGNED");
  }
  if (j->probes & 2) {
    float *copy = malloc(in_bytes ? in_bytes : 1);
    memcpy(copy, t->x, in_bytes);
    if (note(F_RUN, simdconv_run(conv, j->N, j->H, j->W, t->x, t->x, NULL, 0,
                                 NULL)) != SIMDCONV_ERR_BUFFER_OVERLAP ||
        memcmp(copy, t->x, in_bytes) != 0)
      fail("output over the input was not BUFFER_OVERLAP, or was written");
    free(copy);
  }
  if ((j->probes & 4) && ws > 0) {
    char *short_ws = malloc(ws);
    if (note(F_RUN, simdconv_run(conv, j->N, j->H, j->W, t->x, t->y,
                                 short_ws, ws - 1, NULL)) !=
        SIMDCONV_ERR_WORKSPACE_TOO_SMALL)
      fail("a workspace one byte short was not WORKSPACE_TOO_SMALL");
    free(short_ws);
    refuse = 1; /* the run's own workspace cannot be allocated */
    const simdconv_status st = note(F_RUN, simdconv_run(
        conv, j->N, j->H, j->W, t->x, t->y, NULL, 0, NULL));
    refuse = 0;
    if (st != SIMDCONV_ERR_OUT_OF_MEMORY)
      fail("a run whose workspace allocation failed was not OUT_OF_MEMORY");
  }
}

/* Expects `want` from a probe call. */
static void expect(int f, simdconv_status got, simdconv_status want,
                   const char *what) {
  if (note(f, got) != want) {
    fprintf(stderr, "fuzz_conv: %s: got %d (%s), expected %d (%s)\n", what,
            (int)got, simdconv_status_string(got), (int)want,
            simdconv_status_string(want));
    abort();
  }
}

/* NULL pointers and misaligned buffers of the oracle and compare. */
static void pointer_probes(const simdconv_conv *conv, const job *j,
                           const sizes *z, tensors *t) {
  const float *b = j->bias ? t->b : NULL;
  double *odd_d = (double *)(void *)((char *)t->ref + 4);
  simdconv_compare_stats cs;
  if (j->probes & 8) {
    size_t bytes, ow;
    expect(F_VALIDATE, simdconv_desc_validate(NULL),
           SIMDCONV_ERR_NULL_POINTER, "desc_validate(NULL)");
    expect(F_SHAPE, simdconv_output_shape(&j->d, j->H, j->W, NULL, &ow),
           SIMDCONV_ERR_NULL_POINTER, "output_shape(NULL)");
    expect(F_WS, simdconv_workspace_size(NULL, j->N, j->H, j->W, &bytes),
           SIMDCONV_ERR_NULL_POINTER, "workspace_size(NULL)");
    expect(F_RUN, simdconv_run(conv, j->N, j->H, j->W, NULL, t->y, NULL, 0,
                               NULL), SIMDCONV_ERR_NULL_POINTER, "run(NULL)");
    expect(F_REF, simdconv_reference(&j->d, j->N, j->H, j->W, t->x, t->w, b,
                                     NULL, NULL),
           SIMDCONV_ERR_NULL_POINTER, "reference(NULL)");
    expect(F_COMPARE, simdconv_compare(t->y, t->ref, t->bound,
                                       (size_t)z->out, NULL),
           SIMDCONV_ERR_NULL_POINTER, "compare(NULL)");
  }
  if (j->probes & 16) {
    expect(F_REF, simdconv_reference(&j->d, j->N, j->H, j->W, t->x, t->w, b,
                                     odd_d, t->bound),
           SIMDCONV_ERR_MISALIGNED, "reference(misaligned ref)");
    expect(F_COMPARE, simdconv_compare(t->y, t->ref, odd_d, (size_t)z->out,
                                       &cs),
           SIMDCONV_ERR_MISALIGNED, "compare(misaligned bound)");
  }
}

/* Creation with misaligned weights, an incomplete allocator, every ISA. */
static void create_probes(const job *j, const tensors *t) {
  const simdconv_allocator incomplete = {capped_alloc, NULL, NULL};
  simdconv_conv *conv = NULL;
  if (j->probes & 8)
    expect(F_CREATE, simdconv_create(NULL, t->w, NULL, NULL, &conv),
           SIMDCONV_ERR_NULL_POINTER, "create(NULL)");
  if (j->probes & 16) {
    const float *odd = (const float *)(const void *)((char *)t->w + 2);
    expect(F_CREATE, simdconv_create(&j->d, odd, NULL, NULL, &conv),
           SIMDCONV_ERR_MISALIGNED, "create(misaligned weights)");
  }
  if (!(j->probes & 32))
    return;
  simdconv_options o = {.isa = SIMDCONV_ISA_AUTO, .allocator = &incomplete};
  expect(F_CREATE, simdconv_create(&j->d, t->w, NULL, &o, &conv),
         SIMDCONV_ERR_INVALID_ALLOCATOR, "create(incomplete allocator)");
  o.allocator = &capped;
  for (int i = 0; i <= SIMDCONV_ISA_COUNT; i++) {
    o.isa = i < SIMDCONV_ISA_COUNT ? (simdconv_isa)i : (simdconv_isa)77;
    const simdconv_status want = simdconv_isa_check(o.isa);
    if (want == SIMDCONV_OK)
      continue;
    expect(F_CREATE, simdconv_create(&j->d, t->w, NULL, &o, &conv), want,
           "create on an unusable ISA");
  }
}

static void variants(const simdconv_conv *conv, const job *j, const sizes *z,
                     tensors *t, size_t ws, int *have_first) {
  char *buf = malloc(ws + 1);
  if (buf == NULL)
    fail("out of memory for a workspace");
  (void)run_into(conv, j, z, t, buf + 1, ws, NULL, have_first);
  free(buf);
  in_fp_mode(conv, j, z, t, have_first);
  probes(conv, j, z, t, ws);
  pointer_probes(conv, j, z, t);
}

/* ---- the oracle ---------------------------------------------------------- */

/* The status simdconv_conv2d() would give: create's (unless the capped
 * allocator refused it everywhere), then workspace_size's, then run's. */
static simdconv_status expected(const simdconv_status st[3]) {
  for (int i = 0; i < 3; i++)
    if (st[i] != SIMDCONV_OK)
      return st[i];
  return SIMDCONV_OK;
}

/* The oracle into t->ref and t->bound; its status must be want. */
static void oracle_status(const job *j, tensors *t, simdconv_status want) {
  const simdconv_status rs = note(F_REF, simdconv_reference(
      &j->d, j->N, j->H, j->W, t->x, t->w, j->bias ? t->b : NULL, t->ref,
      t->bound));
  if (rs != want)
    fail("the oracle's status differs from create + run's");
}

/* The one-shot call (default options and allocator): the same status as
 * create + run, and on OK the same bits. */
static void oneshot(const job *j, const sizes *z, tensors *t,
                    simdconv_status want) {
  const simdconv_status st = note(F_CONV2D, simdconv_conv2d(
      &j->d, j->N, j->H, j->W, t->x, t->w, j->bias ? t->b : NULL, t->y,
      NULL));
  if (st != want)
    fail("the one-shot call's status differs from create + run's");
  if (st == SIMDCONV_OK && !same_bits(t->y0, t->y, (size_t)z->out))
    fail("the one-shot call's result differs from create + run's");
}

/* The first result within the oracle's bound. */
static void oracle_compare(const sizes *z, const tensors *t) {
  simdconv_compare_stats cs;
  note(F_COMPARE, simdconv_compare(t->y0, t->ref, t->bound, (size_t)z->out,
                                   &cs));
  if (cs.violations != 0) {
    fprintf(stderr, "fuzz_conv: %zu outputs outside the bound, first %zu\n",
            cs.violations, cs.first_violation);
    abort();
  }
}

/* ---- one input ----------------------------------------------------------- */

static void tensors_init(tensors *t, const job *j, const sizes *z,
                         int compute) {
  uint64_t s = j->seed | 1;
  const size_t nw = z->w <= 1u << 16 ? (size_t)z->w : 1;
  const size_t nb = j->d.out_channels <= 1u << 16 ? j->d.out_channels : 1;
  const size_t nx = compute ? (size_t)z->in : 1;
  const size_t ny = compute ? (size_t)z->out : 1;
  t->x = tensor(&s, nx, j->kinds[0]);
  t->w = tensor(&s, nw, j->kinds[1]);
  t->b = tensor(&s, nb, j->kinds[2]);
  t->y = malloc(ny * sizeof(float));
  t->y0 = malloc(ny * sizeof(float));
  t->ref = malloc(ny * sizeof(double));
  t->bound = malloc(ny * sizeof(double));
  if (!t->y || !t->y0 || !t->ref || !t->bound)
    fail("out of memory for the tensors");
}

static void tensors_free(tensors *t) {
  free(t->x);
  free(t->w);
  free(t->b);
  free(t->y);
  free(t->y0);
  free(t->ref);
  free(t->bound);
}

/* ---- the int8 path --------------------------------------------------------- */

/* Breaks one quantization parameter (which: v): a scale zero, negative,
 * NaN or infinite, a zero point outside its type, an inverted clamp, a
 * scale count neither 1 nor K. */
static void q8_break_qparams(simdconv_qparams *q, float *wscale, unsigned v) {
  switch (v % 8) {
  case 0: q->input_scale = 0.0f; break;
  case 1: q->output_scale = -q->output_scale; break;
  case 2: wscale[0] = NAN; break;
  case 3: wscale[0] = INFINITY; break;
  case 4: q->input_zero_point = q->input_type == SIMDCONV_QTYPE_U8 ? 256 : -129; break;
  case 5: q->output_zero_point = q->output_type == SIMDCONV_QTYPE_U8 ? -1 : 128; break;
  case 6:
    q->clamp = 1;
    q->output_min = 10;
    q->output_max = 9;
    break;
  default: q->weight_scale_count = 2 + (q->weight_scale_count == 1); break;
  }
}

/* The run-time misuse of an int8 object: output over the input, a
 * workspace one byte short, a failing workspace allocation: the status
 * that says so, the input untouched. */
static void q8_probes(const simdconv_conv *conv, const job *j, uint8_t *x,
                      size_t nx, uint8_t *y) {
  if (j->probes & 2) {
    uint8_t *copy = malloc(nx ? nx : 1);
    memcpy(copy, x, nx);
    if (note(F_RUN_Q8, simdconv_run_q8(conv, j->N, j->H, j->W, x, x, NULL, 0,
                                       NULL)) != SIMDCONV_ERR_BUFFER_OVERLAP ||
        memcmp(copy, x, nx) != 0)
      fail("an int8 output over the input was not BUFFER_OVERLAP, or was "
           "written");
    free(copy);
  }
  size_t ws = 0;
  if ((j->probes & 4) &&
      simdconv_workspace_size(conv, j->N, j->H, j->W, &ws) == SIMDCONV_OK &&
      ws > 0) {
    char *short_ws = malloc(ws);
    if (note(F_RUN_Q8, simdconv_run_q8(conv, j->N, j->H, j->W, x, y, short_ws,
                                       ws - 1, NULL)) !=
        SIMDCONV_ERR_WORKSPACE_TOO_SMALL)
      fail("an int8 workspace one byte short was not WORKSPACE_TOO_SMALL");
    free(short_ws);
    refuse = 1;
    const simdconv_status st = note(
        F_RUN_Q8, simdconv_run_q8(conv, j->N, j->H, j->W, x, y, NULL, 0, NULL));
    refuse = 0;
    if (st != SIMDCONV_ERR_OUT_OF_MEMORY)
      fail("an int8 run whose workspace allocation failed was not "
           "OUT_OF_MEMORY");
  }
}

/* The same layer as an int8 convolution, quantization from the seed: every
 * status documented and the same on every ISA (OUT_OF_MEMORY of the
 * capped allocator aside), create's status that of desc_validate_q8 when
 * that fails (one case in four has a broken parameter), the oracle's
 * status that of create + run, and on OK every ISA's bytes equal to the
 * oracle's; then the run-time misuse probes (q8_probes). */
static void q8_pass(const job *j, const sizes *z, int compute) {
  uint64_t s = j->seed ^ UINT64_C(0x7138);
  const unsigned bits = (unsigned)next(&s);
  float wscale[64];
  const size_t nscales =
      bits & 1 && j->d.out_channels <= 64 ? j->d.out_channels : 1;
  for (size_t k = 0; k < 64; k++) /* all: a broken count may read more */
    wscale[k] = ldexpf(1.5f + 0.5f * uniform(&s), (int)(next(&s) % 24) - 20);
  simdconv_qparams q;
  simdconv_qparams_init(
      &q, (simdconv_qtype)(bits >> 1 & 1), ldexpf(1.0f, -(int)(bits >> 2 & 7)),
      bits & 16 ? (bits >> 1 & 1 ? -128 : 255) : (bits >> 1 & 1 ? 0 : 128),
      wscale, nscales, (simdconv_qtype)(bits >> 5 & 1),
      ldexpf(1.0f, (int)(bits >> 6 & 3)), bits >> 5 & 1 ? 3 : 131);
  if (bits & 256) {
    q.clamp = 1;
    q.output_min = bits >> 5 & 1 ? -100 : 20;
    q.output_max = bits >> 5 & 1 ? 90 : 240;
  }
  /* One case in four breaks one parameter: INVALID_QPARAMS everywhere. */
  if ((bits >> 9 & 3) == 0)
    q8_break_qparams(&q, wscale, bits >> 11);
  const simdconv_status vst =
      note(F_VALIDATE_Q8, simdconv_desc_validate_q8(&j->d, &q));
  if (!compute)
    return;
  const size_t nx = (size_t)z->in, nw = (size_t)z->w, ny = (size_t)z->out;
  uint8_t *x = malloc(nx ? nx : 1), *y = malloc(ny ? ny : 1);
  uint8_t *ref = malloc(ny ? ny : 1);
  int8_t *w = malloc(nw ? nw : 1);
  int32_t *b = malloc(j->d.out_channels * sizeof *b);
  if (!x || !y || !ref || !w || !b)
    fail("out of memory for the int8 tensors");
  for (size_t i = 0; i < nx; i++)
    x[i] = (uint8_t)next(&s);
  for (size_t i = 0; i < nw; i++)
    w[i] = (int8_t)next(&s);
  for (size_t k = 0; k < j->d.out_channels; k++)
    b[k] = (int32_t)(next(&s) % 200001) - 100000;
  const int32_t *bias = j->bias ? b : NULL;
  const simdconv_status rst = note(F_REF_Q8, simdconv_reference_q8(
      &j->d, &q, j->N, j->H, j->W, x, w, bias, ref, NULL));
  simdconv_isa isas[SIMDCONV_ISA_COUNT];
  const size_t n = usable_isas(isas);
  simdconv_status first[2];
  int have = 0;
  for (size_t i = 0; i < n; i++) {
    const simdconv_options o = {.isa = isas[i], .allocator = &capped};
    simdconv_conv *conv = NULL;
    simdconv_status st[2] = {
        note(F_CREATE_Q8, simdconv_create_q8(&j->d, &q, w, bias, &o, &conv)),
        SIMDCONV_OK};
    if (conv != NULL) {
      memset(y, 0xa5, ny ? ny : 1);
      st[1] = note(F_RUN_Q8, simdconv_run_q8(
          conv, j->N, j->H, j->W, x, y, NULL, 0,
          j->isa_pick % n == i ? pool2() : NULL));
      if (st[1] == SIMDCONV_OK && memcmp(y, ref, ny) != 0)
        fail("int8 bytes differ from the oracle's");
      /* The last ISA, the best: the scalar kernel needs no workspace. */
      if (st[1] == SIMDCONV_OK && i == n - 1)
        q8_probes(conv, j, x, nx, y);
    }
    simdconv_destroy(conv);
    if (st[0] == SIMDCONV_ERR_OUT_OF_MEMORY ||
        st[1] == SIMDCONV_ERR_OUT_OF_MEMORY)
      continue;
    if (have && (st[0] != first[0] || st[1] != first[1]))
      fail("an int8 status depends on the ISA");
    if (vst != SIMDCONV_OK && st[0] != vst)
      fail("create_q8's status differs from desc_validate_q8's");
    if (!have && rst != (st[0] != SIMDCONV_OK ? st[0] : st[1]))
      fail("the int8 oracle's status differs from create + run's");
    memcpy(first, st, sizeof st);
    have = 1;
  }
  free(x);
  free(y);
  free(ref);
  free(w);
  free(b);
}

/* Whether create could read weights or bias larger than the buffers made
 * here: more than 2^16 of them, yet few enough (under 256 MiB) that the
 * capped allocator lets create copy them. Such inputs are skipped. */
static int unreadable(const job *j, const sizes *z) {
  const int large = z->w > 1u << 16 || j->d.out_channels > 1u << 16;
  return large && z->w * 4 <= (u128)256 << 20;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  const char *e = getenv("SIMDCONV_FUZZ_CENSUS");
  if (e != NULL && e[0] == '1')
    atexit(print_census);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  reader r = {data, size};
  job j;
  read_job(&r, &j);
  const simdconv_status vst = note(F_VALIDATE, simdconv_desc_validate(&j.d));
  size_t OH = 0, OW = 0;
  const simdconv_status sst =
      note(F_SHAPE, simdconv_output_shape(&j.d, j.H, j.W, &OH, &OW));
  const sizes z = vst != SIMDCONV_OK ? (sizes){0}
                  : sizes_of(&j, sst == SIMDCONV_OK ? OH : 0,
                             sst == SIMDCONV_OK ? OW : 0);
  if (vst == SIMDCONV_OK && unreadable(&j, &z))
    return 0;
  const int compute = vst == SIMDCONV_OK && sst == SIMDCONV_OK && small(&z);
  tensors t;
  tensors_init(&t, &j, &z, compute);
  simdconv_status st[3] = {SIMDCONV_ERR_OUT_OF_MEMORY, SIMDCONV_OK,
                           SIMDCONV_OK};
  if (compute) /* the oracle first: the FP-mode variant compares with it */
    oracle_status(&j, &t, SIMDCONV_OK);
  every_isa(&j, &z, &t, compute, st);
  if (compute)
    create_probes(&j, &t);
  const simdconv_status want = expected(st);
  if (compute)
    oracle_compare(&z, &t);
  else if (st[0] != SIMDCONV_ERR_OUT_OF_MEMORY && want != SIMDCONV_OK)
    oracle_status(&j, &t, want);
  /* The default allocator is not capped: only where create copies weights
   * that are all here, or fails before reading them. */
  const int whole = z.w <= 1u << 16 && j.d.out_channels <= 1u << 16;
  if (st[0] != SIMDCONV_ERR_OUT_OF_MEMORY &&
      (compute || (want != SIMDCONV_OK && (vst != SIMDCONV_OK || whole))))
    oneshot(&j, &z, &t, want);
  q8_pass(&j, &z, compute);
  census.computed += compute;
  tensors_free(&t);
  return 0;
}
