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
