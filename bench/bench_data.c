#define _POSIX_C_SOURCE 200809L
#include "bench_data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void *bench_alloc(size_t bytes) {
  size_t total = bytes + BENCH_BUFFER_SLACK;
  total = (total + 63) / 64 * 64;
  void *p = NULL;
  if (posix_memalign(&p, 64, total) != 0 || p == NULL) {
    fprintf(stderr, "simdconv-bench: out of memory allocating %zu bytes\n",
            bytes);
    exit(2);
  }
  memset(p, 0, total);
  return p;
}

float *bench_alloc_floats(size_t count) {
  return bench_alloc(count * sizeof(float));
}

void bench_free(void *p) { free(p); }

/* splitmix64: a tiny, well-mixed generator; quality is ample for data. */
static uint64_t mix(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

void bench_fill_uniform(float *p, size_t n, uint64_t *state) {
  for (size_t i = 0; i < n; i++) {
    /* 24 random bits -> [-1, 1), exactly representable */
    p[i] = (float)((int64_t)(mix(state) >> 40) - (1 << 23)) * 0x1p-23f;
  }
}

void bench_fill_bytes(void *p, size_t n, uint64_t *state) {
  uint8_t *b = p;
  for (size_t i = 0; i < n; i++)
    b[i] = (uint8_t)mix(state);
}

static uint64_t layer_seed(const bench_layer *l) {
  uint64_t h = 1469598103934665603u; /* FNV-1a */
  for (const char *c = l->name; *c; c++) h = (h ^ (uint8_t)*c) * 1099511628211u;
  const size_t dims[] = {l->N, l->C, l->H, l->W, l->K, l->R, l->S};
  for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++)
    h = (h ^ dims[i]) * 1099511628211u;
  return h;
}

void tensors_make(bench_tensors *t, const bench_layer *l) {
  t->layer = *l;
  size_t ni = layer_input_elems(l), nw = layer_weight_elems(l);
  t->input = bench_alloc_floats(ni);
  t->weights = bench_alloc_floats(nw);
  t->bias = bench_alloc_floats(l->K);
  uint64_t s = layer_seed(l);
  bench_fill_uniform(t->weights, nw, &s);
  bench_fill_uniform(t->bias, l->K, &s);
  bench_fill_uniform(t->input, ni, &s);
}

void tensors_free(bench_tensors *t) {
  bench_free(t->input);
  bench_free(t->weights);
  bench_free(t->bias);
  memset(t, 0, sizeof *t);
}

void bench_q8_tensors_make(bench_q8_tensors *d, const bench_layer *l,
                           bench_q8_quant qt) {
  uint64_t s = 0x71386461ull + l->C * 131 + l->K * 7 + l->H;
  const size_t nx = layer_input_elems(l), nw = layer_weight_elems(l);
  d->x = bench_alloc(nx);
  d->w = bench_alloc(nw);
  d->bias = bench_alloc(l->K * sizeof(int32_t));
  d->w_scales = bench_alloc_floats(l->K);
  bench_fill_bytes(d->x, nx, &s);
  bench_fill_bytes(d->w, nw, &s);
  const double taps = (double)((l->C / l->g) * l->R * l->S);
  const int32_t span = (int32_t)(sqrt(taps) * 255 * 128 / 8) + 1;
  for (size_t k = 0; k < l->K; k++) {
    d->bias[k] = (int32_t)(mix(&s) % (2 * (uint64_t)span + 1)) - span;
    d->w_scales[k] = (1.0f + (float)(mix(&s) % 1024) / 1024.0f) / 256.0f;
  }
  const float xs = 1.0f / 64;
  /* |x - zp| and |w| about 74 on average: the sums' scale. */
  const float ys = (float)(xs * 1.5 / 256 * sqrt(taps) * 74 * 74 / 50);
  const bool s8 = qt == BENCH_Q8_S8_CHANNEL;
  const simdconv_qtype t = s8 ? SIMDCONV_QTYPE_S8 : SIMDCONV_QTYPE_U8;
  /* simdconv_qparams_init's fields spelled out: simdconv-ab links no
   * simdconv (it loads two with dlopen). */
  d->q = (simdconv_qparams){
      .input_type = t,
      .input_scale = xs,
      .input_zero_point = s8 ? 0 : 128,
      .weight_scales = d->w_scales,
      .weight_scale_count = qt == BENCH_Q8_U8_TENSOR ? 1 : l->K,
      .output_type = t,
      .output_scale = ys,
      .output_zero_point = s8 ? 0 : 128,
  };
}

void bench_q8_tensors_free(bench_q8_tensors *d) {
  bench_free(d->x);
  bench_free(d->w);
  bench_free(d->bias);
  bench_free(d->w_scales);
  memset(d, 0, sizeof *d);
}

void nchw_to_nhwc(const float *src, float *dst, size_t N, size_t C, size_t H,
                  size_t W) {
  for (size_t n = 0; n < N; n++)
    for (size_t c = 0; c < C; c++)
      for (size_t hw = 0; hw < H * W; hw++)
        dst[(n * H * W + hw) * C + c] = src[(n * C + c) * H * W + hw];
}

void nhwc_to_nchw(const float *src, float *dst, size_t N, size_t C, size_t H,
                  size_t W) {
  for (size_t n = 0; n < N; n++)
    for (size_t hw = 0; hw < H * W; hw++)
      for (size_t c = 0; c < C; c++)
        dst[(n * C + c) * H * W + hw] = src[(n * H * W + hw) * C + c];
}

void oihw_to_ohwi(const float *src, float *dst, size_t K, size_t Cg, size_t R,
                  size_t S) {
  for (size_t k = 0; k < K; k++)
    for (size_t c = 0; c < Cg; c++)
      for (size_t rs = 0; rs < R * S; rs++)
        dst[(k * R * S + rs) * Cg + c] = src[(k * Cg + c) * R * S + rs];
}

size_t bitwise_diff(const float *a, const float *b, size_t n, size_t *first) {
  size_t count = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(a[i]) && isnan(b[i])) continue;
    if (memcmp(&a[i], &b[i], sizeof(float)) != 0) {
      if (count == 0 && first != NULL) *first = i;
      count++;
    }
  }
  return count;
}

size_t bytewise_diff(const void *a, const void *b, size_t n, size_t *first) {
  if (memcmp(a, b, n) == 0)
    return 0;
  const uint8_t *x = a, *y = b;
  size_t count = 0;
  for (size_t i = 0; i < n; i++)
    if (x[i] != y[i] && count++ == 0 && first != NULL)
      *first = i;
  return count;
}

static size_t parse_cache_size(const char *text) {
  char *end = NULL;
  unsigned long long v = strtoull(text, &end, 10);
  if (end == text) return 0;
  if (*end == 'K') v *= 1024;
  if (*end == 'M') v *= 1024 * 1024;
  return (size_t)v;
}

simdconv_pool_wait bench_pool_wait = SIMDCONV_POOL_SPIN;

bool bench_pool_wait_parse(const char *name, simdconv_pool_wait *out) {
  if (strcmp(name, "spin") == 0)
    *out = SIMDCONV_POOL_SPIN;
  else if (strcmp(name, "yield") == 0)
    *out = SIMDCONV_POOL_YIELD;
  else
    return false;
  return true;
}

size_t bench_llc_bytes(void) {
  size_t best = 0;
  for (int idx = 0; idx < 8; idx++) {
    char path[96], buf[64];
    snprintf(path, sizeof path,
             "/sys/devices/system/cpu/cpu0/cache/index%d/size", idx);
    FILE *f = fopen(path, "r");
    if (f == NULL) break;
    if (fgets(buf, sizeof buf, f) != NULL) {
      size_t v = parse_cache_size(buf);
      if (v > best) best = v;
    }
    fclose(f);
  }
#ifdef _SC_LEVEL3_CACHE_SIZE
  if (best == 0) {
    long v = sysconf(_SC_LEVEL3_CACHE_SIZE);
    if (v > 0) best = (size_t)v;
  }
#endif
  return best ? best : (size_t)32 << 20;
}

double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
