/* Guard pages: no kernel reads or writes a byte outside the buffers it is
 * given.
 *
 * Every buffer the library sees -- input, weights, bias, output, the
 * caller's workspace (exactly simdconv_workspace_size() bytes) and the
 * residual of simdconv_run_residual (read-only; and the output itself for
 * the in-place runs) -- lives in
 * its own mapping between two PROT_NONE pages, placed in a first pass flush
 * against the guard that FOLLOWS it (it ends where the guard begins: float
 * buffers then have only 4-byte alignment, the workspace any alignment) and
 * in a second pass flush against the guard that PRECEDES it (page-aligned).
 * Input, weights and bias are read-only while the library holds them, and
 * the caller's weights and bias are PROT_NONE once simdconv_create() has
 * returned. A touch of a guard page (or a write to a read-only buffer) is a
 * SIGSEGV, which Criterion reports as a crash of the test: that is the
 * assertion; a handler first names the buffer and the side touched.
 * Bytes of the mapping outside the buffer (on its other side) must keep their
 * fill pattern.
 *
 * Results: each case is checked once against the fp64 oracle with
 * tu_check_oracle() (same object, no workspace, no pool) and every guarded
 * run must reproduce that output bitwise (the library's reproducibility
 * promise), so every guarded result is checked against the oracle too.
 *
 * Shapes (see guard_shapes()): K in {1,3,7,8,15,16,17,31,32,33,48,65},
 * C in {1,2,3,4,5,8,13,16,17}, widths 1..19 (pixel counts off the MR tiles
 * 6, 7, 8, 16 and the NCHW GEMM's pixel tiles), 1x1 stride 1 and 2 (the NCHW
 * GEMM path, with and without its gather workspace), 3x3 with every padding
 * mode and 'same'/'valid'/asymmetric padding, dilation 2, groups 2 and 4
 * (per-group GEMMs and the grouped micro-kernel, C/g == 4), depthwise
 * (multiplier 1 and 2, 3x3 s1/s2, 5x5, 7x7), batch 1 and 2 -- each on every
 * ISA of tu_isas(), NCHW/NHWC, OIHW/OHWI, with pool NULL and the 2-thread
 * pool of tu_pool(); and transposed convolutions (transposed_shapes()).
 *
 * guard::global_state checks the other side of "touches nothing it was not
 * given": create/run/destroy (ok and error paths, every ISA, pool NULL and
 * 2 threads), in the default FP environment and in every caller mode of
 * fp_modes.h, leave the FP control state (x87 control word and MXCSR
 * control bits / FPCR), every signal disposition, the signal mask and the
 * environment as they were, write nothing to stdout or stderr, and give the
 * default environment's outputs bit for bit; and SIMDCONV_ISA set after
 * load changes nothing.
 */
#define _DEFAULT_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <criterion/parameterized.h>

#include "fp_modes.h"
#include "test_util.h"

/* ------------------------------------------------------------------------ */
/* Guarded buffers                                                          */
/* ------------------------------------------------------------------------ */

#define GB_FILL 0xa5

typedef struct gbuf {
  const char *label;
  unsigned char *map; /* guard page, data pages, guard page */
  size_t len;         /* of the whole mapping */
  size_t data;        /* bytes of the data pages */
  unsigned char *p;   /* the buffer: at the start or the end of the data */
  size_t bytes;
} gbuf;

static size_t page_size(void) {
  static size_t ps;
  if (ps == 0)
    ps = (size_t)sysconf(_SC_PAGESIZE);
  return ps;
}

/* The live guarded buffers and what is being run, for the SIGSEGV report. */
#define GB_MAX 8
static const gbuf *gb_live[GB_MAX];
static char gb_what[768];

static void gb_register(const gbuf *g) {
  for (size_t i = 0; i < GB_MAX; i++)
    if (gb_live[i] == NULL) {
      gb_live[i] = g;
      return;
    }
  cr_assert(false, "test bug: too many guarded buffers");
}

static void gb_unregister(const gbuf *g) {
  for (size_t i = 0; i < GB_MAX; i++)
    if (gb_live[i] == g)
      gb_live[i] = NULL;
}

/* bytes (may be 0) flush against the guard page after it (at_end) or the
 * one before it; the rest of the data pages holds GB_FILL. */
static void gb_alloc(gbuf *g, const char *label, size_t bytes, bool at_end) {
  const size_t ps = page_size();
  memset(g, 0, sizeof *g);
  g->label = label;
  g->bytes = bytes;
  g->data = (bytes + ps - 1) / ps * ps;
  g->len = g->data + 2 * ps;
  void *m = mmap(NULL, g->len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  cr_assert(m != MAP_FAILED, "mmap of %zu bytes failed", g->len);
  g->map = m;
  if (g->data > 0) {
    cr_assert(mprotect(g->map + ps, g->data, PROT_READ | PROT_WRITE) == 0,
              "mprotect failed");
    memset(g->map + ps, GB_FILL, g->data);
  }
  g->p = g->map + ps + (at_end ? g->data - bytes : 0);
  gb_register(g);
}

static void gb_protect(gbuf *g, int prot) {
  if (g->data > 0)
    cr_assert(mprotect(g->map + page_size(), g->data, prot) == 0,
              "mprotect failed");
}

/* Asserts that the bytes of the data pages outside the buffer still hold
 * GB_FILL. */
static void gb_check_fill(const gbuf *g) {
  const unsigned char *d = g->map + page_size();
  for (size_t i = 0; i < g->data; i++) {
    if (d + i >= g->p && d + i < g->p + g->bytes)
      continue;
    cr_assert(d[i] == GB_FILL,
              "%s: byte %td relative to the buffer's start (%zu bytes) was "
              "written; %s",
              g->label, (ptrdiff_t)(d + i - g->p), g->bytes, gb_what);
  }
}

static void gb_free(gbuf *g) {
  if (g->map == NULL)
    return;
  gb_unregister(g);
  cr_assert(munmap(g->map, g->len) == 0, "munmap failed");
  memset(g, 0, sizeof *g);
}

/* Names the buffer whose guard (or read-only data) was touched, then lets
 * the fault happen again with the default action, for Criterion to report
 * the crash. */
static void gb_segv(int sig, siginfo_t *si, void *uctx) {
  (void)uctx;
  const unsigned char *a = si->si_addr;
  const size_t ps = page_size();
  char msg[1024];
  int n = snprintf(msg, sizeof msg, "guard: SIGSEGV at %p", si->si_addr);
  for (size_t i = 0; i < GB_MAX; i++) {
    const gbuf *g = gb_live[i];
    if (g == NULL || a < g->map || a >= g->map + g->len)
      continue;
    const char *where = a < g->map + ps          ? "the guard page before"
                        : a >= g->map + ps + g->data ? "the guard page after"
                                                     : "read-only data of";
    n += snprintf(msg + n, sizeof msg - (size_t)n,
                  ": %s %s (%zu bytes), %td bytes from its start", where,
                  g->label, g->bytes, (ptrdiff_t)(a - g->p));
    break;
  }
  snprintf(msg + n, sizeof msg - (size_t)n, "; %s\n", gb_what);
  if (write(STDERR_FILENO, msg, strlen(msg)) < 0) {
    /* nothing to do */
  }
  signal(sig, SIG_DFL);
}

static void gb_install_handler(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = gb_segv;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
}

/* ------------------------------------------------------------------------ */
/* Shapes                                                                   */
/* ------------------------------------------------------------------------ */

#define ZEROS SIMDCONV_PAD_ZEROS
#define REFLECT SIMDCONV_PAD_REFLECT
#define REPLICATE SIMDCONV_PAD_REPLICATE
#define CIRCULAR SIMDCONV_PAD_CIRCULAR

static const size_t g_ks[] = {1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 48, 65};
static const size_t g_cs[] = {1, 2, 3, 4, 5, 8, 13, 16, 17};
#define NKS (sizeof g_ks / sizeof g_ks[0])
#define NCS (sizeof g_cs / sizeof g_cs[0])
static const simdconv_padding_mode g_modes[4] = {ZEROS, REFLECT, REPLICATE,
                                                 CIRCULAR};

#define MAX_SHAPES 128
static tu_tcfg g_shapes[MAX_SHAPES];
static size_t g_nshapes;

/* Appends t; a padding mode the shape cannot take (reflect needs pad <
 * size, circular pad <= size) falls back to zeros. */
static void add(tu_tcfg t) {
  tu_spec s;
  tu_spec_from_tcfg(&s, &t, SIMDCONV_LAYOUT_NCHW, SIMDCONV_WEIGHTS_OIHW, 0, 0);
  if (tu_expected_shape(&s.desc, s.H, s.W, NULL, NULL, NULL) ==
      SIMDCONV_ERR_PADDING_TOO_LARGE)
    t.mode = ZEROS;
  tu_spec_from_tcfg(&s, &t, SIMDCONV_LAYOUT_NCHW, SIMDCONV_WEIGHTS_OIHW, 0, 0);
  if (tu_expected_shape(&s.desc, s.H, s.W, NULL, NULL, NULL) != SIMDCONV_OK) {
    fprintf(stderr, "test bug: invalid guard shape %s\n", t.name);
    abort();
  }
  if (g_nshapes == MAX_SHAPES) {
    fprintf(stderr, "test bug: too many guard shapes\n");
    abort();
  }
  g_shapes[g_nshapes++] = t;
}

/* Transposed convolutions (src/deconv.c): every NR remainder, phases off
 * the MR tiles, NCHW rows over several stack segments, phases without taps
 * (bias only), output padding, crops, groups, depthwise, K = 1. */
static void transposed_shapes(void) {
  for (size_t i = 0; i < 8; i++)
    add((tu_tcfg){.name = "transposed 4x4 s2 K sweep", .N = 1 + i % 2,
                  .C = g_cs[(i * 3) % NCS], .K = g_ks[(i * 3 + 1) % NKS],
                  .H = 1 + i % 4, .W = 2 + (i * 5) % 11, .R = 4, .S = 4,
                  .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
                  .act = (tu_act)(i % TU_ACT_VARIANTS), .bias = i % 3 != 0,
                  .transposed = true});
  add((tu_tcfg){.name = "transposed 3x3 s2 op 1", .C = 16, .K = 33, .H = 5,
                .W = 7, .R = 3, .S = 3, .sh = 2, .sw = 2, .pt = 1, .pb = 1,
                .pl = 1, .pr = 1, .oph = 1, .opw = 1, .bias = true,
                .transposed = true});
  add((tu_tcfg){.name = "transposed 2x2 s2 wide (NCHW segments)", .C = 5,
                .K = 65, .H = 2, .W = 150, .R = 2, .S = 2, .sh = 2, .sw = 2,
                .transposed = true});
  add((tu_tcfg){.name = "transposed s2 d3 crops wide (NCHW pair rows)",
                .N = 2, .C = 3, .K = 7, .H = 3, .W = 41, .R = 3, .S = 2,
                .sh = 2, .sw = 2, .dh = 3, .dw = 3, .pt = 2, .pl = 3, .pr = 1,
                .opw = 1, .bias = true, .transposed = true});
  add((tu_tcfg){.name = "transposed 2x2 s2 op 1 wide (NCHW pair rows, "
                        "shared loads)",
                .C = 3, .K = 5, .H = 2, .W = 37, .R = 2, .S = 2, .sh = 2,
                .sw = 2, .opw = 1, .bias = true, .transposed = true});
  add((tu_tcfg){.name = "transposed s3 d2 op 2 (bias-only phases)", .N = 2,
                .C = 3, .K = 17, .H = 4, .W = 5, .R = 3, .S = 2, .sh = 3,
                .sw = 2, .dh = 2, .dw = 2, .pt = 2, .pb = 0, .pl = 0, .pr = 1,
                .oph = 2, .opw = 1, .bias = true, .transposed = true});
  add((tu_tcfg){.name = "transposed s4 kernel 3", .C = 4, .K = 8, .H = 3,
                .W = 3, .R = 3, .S = 3, .sh = 4, .sw = 4, .oph = 3, .opw = 3,
                .act = TU_ACT_SIGMOID, .bias = true, .transposed = true});
  add((tu_tcfg){.name = "transposed groups 2", .C = 8, .K = 6, .H = 4,
                .W = 6, .R = 4, .S = 4, .sh = 2, .sw = 2, .groups = 2,
                .pt = 1, .pb = 1, .pl = 1, .pr = 1, .transposed = true});
  add((tu_tcfg){.name = "transposed depthwise", .C = 13, .K = 13, .H = 5,
                .W = 7, .R = 4, .S = 4, .sh = 2, .sw = 2, .groups = 13,
                .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true,
                .transposed = true});
  add((tu_tcfg){.name = "transposed depthwise x2 crops", .N = 2, .C = 7,
                .K = 14, .H = 4, .W = 9, .R = 3, .S = 3, .sh = 2, .sw = 2,
                .groups = 7, .pt = 3, .pb = 1, .pl = 4, .pr = 0, .oph = 1,
                .act = TU_ACT_SILU, .transposed = true});
  add((tu_tcfg){.name = "transposed depthwise wide (NCHW rows past the "
                        "stack buffer)",
                .C = 24, .K = 24, .H = 2, .W = 200, .R = 3, .S = 3, .sh = 2,
                .sw = 2, .groups = 24, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
                .oph = 1, .opw = 1, .bias = true, .transposed = true});
  add((tu_tcfg){.name = "transposed depthwise s3 d2", .C = 33, .K = 33,
                .H = 3, .W = 6, .R = 3, .S = 2, .sh = 3, .sw = 3, .dh = 2,
                .dw = 2, .groups = 33, .oph = 2, .opw = 2, .bias = true,
                .transposed = true});
  add((tu_tcfg){.name = "transposed 9x9 s3 K=1", .C = 7, .K = 1, .H = 4,
                .W = 6, .R = 9, .S = 9, .sh = 3, .sw = 3, .pt = 4, .pb = 4,
                .pl = 4, .pr = 4, .oph = 2, .opw = 2, .bias = true,
                .transposed = true});
  add((tu_tcfg){.name = "transposed 1x1 input", .C = 17, .K = 31, .H = 1,
                .W = 1, .R = 4, .S = 4, .transposed = true});
}

/* Deterministic; called in every process that needs the list. */
static void guard_shapes(void) {
  if (g_nshapes != 0)
    return;
  /* igemm over the K sweep (NR remainders 32/16/8/12), 3x3 pad 1 in every
   * padding mode; with C < 32 this is the merged (padded-copy) plan. */
  for (size_t i = 0; i < NKS; i++)
    add((tu_tcfg){.name = "3x3 K sweep", .N = 1 + i % 2, .C = g_cs[i % NCS],
                  .K = g_ks[i], .H = 2 + i % 3, .W = 1 + (i * 3) % 19,
                  .R = 3, .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
                  .mode = g_modes[i % 4], .act = (tu_act)(i % TU_ACT_VARIANTS),
                  .bias = i % 3 != 0});
  /* Widths 1..19 with dilation 2: the unmerged plan, whose indirection
   * points straight into the (NHWC) input; stride 2 on every third. */
  for (size_t w = 1; w <= 19; w++)
    add((tu_tcfg){.name = "dilation 2 width sweep", .N = 1 + w % 2,
                  .C = g_cs[w % NCS], .K = g_ks[(w * 5) % NKS],
                  .H = 1 + w % 4, .W = w, .R = 3, .S = 3,
                  .sh = w % 3 == 0 ? 2 : 1, .sw = w % 3 == 0 ? 2 : 1,
                  .dh = 2, .dw = 2, .pt = 2, .pb = 2, .pl = 2, .pr = 2,
                  .mode = g_modes[w % 4], .bias = w % 2 == 0});
  /* 1x1: the NCHW GEMM (stride 1: no workspace; stride 2: the gather
   * workspace) and igemm in NHWC; pixel counts off the tiles. */
  for (size_t i = 0; i < 12; i++)
    add((tu_tcfg){.name = "1x1", .N = 1 + (i / 2) % 2, .C = g_cs[i % NCS],
                  .K = g_ks[(i * 7) % NKS], .H = 1 + i % 5,
                  .W = 1 + (i * 4) % 19, .R = 1, .S = 1, .sh = 1 + i % 2,
                  .sw = 1 + i % 2, .bias = i % 3 != 1,
                  .act = (tu_act)((i * 2) % TU_ACT_VARIANTS)});
  add((tu_tcfg){.name = "1x1 large", .N = 2, .C = 17, .K = 65, .H = 7,
                .W = 19, .R = 1, .S = 1, .bias = true});
  add((tu_tcfg){.name = "1x1 C > 64 (NCHW igemm)", .N = 2, .C = 67, .K = 33,
                .H = 3, .W = 11, .R = 1, .S = 1, .bias = true});
  add((tu_tcfg){.name = "prefetched next tile 3x3", .N = 2, .C = 40,
                .K = 12, .H = 4, .W = 3, .R = 3, .S = 3, .pt = 1, .pb = 1,
                .pl = 1, .pr = 1, .bias = true});
  add((tu_tcfg){.name = "K=64 7x7 tail 1 prefetched", .N = 2, .C = 40,
                .K = 64, .H = 7, .W = 7, .R = 1, .S = 1, .bias = true});
  add((tu_tcfg){.name = "1x1 large s2", .C = 13, .K = 33, .H = 9, .W = 19,
                .R = 1, .S = 1, .sh = 2, .sw = 2});
  add((tu_tcfg){.name = "1x1 padded", .C = 5, .K = 17, .H = 3, .W = 7,
                .R = 1, .S = 1, .pt = 1, .pb = 0, .pl = 1, .pr = 1,
                .mode = REPLICATE, .bias = true});
  add((tu_tcfg){.name = "1x1 padded s2", .N = 2, .C = 16, .K = 31, .H = 5,
                .W = 9, .R = 1, .S = 1, .sh = 2, .sw = 2, .pt = 1, .pb = 1,
                .pl = 1, .pr = 1});
  /* Every padding mode x asymmetric explicit / 'same' / 'valid'. */
  for (size_t j = 0; j < 12; j++) {
    tu_tcfg t = {.name = "padding", .N = 1 + j % 2, .C = g_cs[(j + 3) % NCS],
                 .K = g_ks[(j * 5 + 1) % NKS], .H = 3 + j % 4, .W = 3 + j,
                 .R = 3, .S = 3, .mode = g_modes[j % 4], .bias = j % 2 == 1};
    switch (j / 4) {
    case 0:
      t.pt = 1, t.pb = 2, t.pl = 2, t.pr = 0;
      break;
    case 1:
      t.padding = SIMDCONV_PADDING_SAME;
      break;
    default:
      t.padding = SIMDCONV_PADDING_VALID;
      break;
    }
    add(t);
  }
  add((tu_tcfg){.name = "same even 4x2", .C = 3, .K = 7, .H = 6, .W = 11,
                .R = 4, .S = 2, .padding = SIMDCONV_PADDING_SAME,
                .mode = CIRCULAR});
  add((tu_tcfg){.name = "Cg >= 32 (unmerged)", .N = 2, .C = 33, .K = 17,
                .H = 4, .W = 5, .R = 3, .S = 3, .pt = 1, .pb = 1, .pl = 1,
                .pr = 1, .mode = REFLECT, .bias = true});
  /* Groups: per-group GEMMs and the grouped micro-kernel (2 <= Cg <= Kg,
   * Kg dividing the vector width). */
  add((tu_tcfg){.name = "groups 2 Cg2 Kg3", .C = 4, .K = 6, .H = 4, .W = 11,
                .R = 3, .S = 3, .groups = 2, .pt = 1, .pb = 1, .pl = 1,
                .pr = 1, .bias = true});
  add((tu_tcfg){.name = "groups 2 Cg4 Kg4", .C = 8, .K = 8, .H = 5, .W = 13,
                .R = 3, .S = 3, .groups = 2, .pt = 1, .pb = 1, .pl = 1,
                .pr = 1, .mode = REFLECT});
  add((tu_tcfg){.name = "groups 4 Cg2 Kg4", .C = 8, .K = 16, .H = 3, .W = 7,
                .R = 3, .S = 3, .groups = 4, .padding = SIMDCONV_PADDING_SAME,
                .bias = true});
  add((tu_tcfg){.name = "groups 4 Cg4 Kg4", .N = 2, .C = 16, .K = 16,
                .H = 3, .W = 19, .R = 3, .S = 3, .groups = 4, .pt = 1,
                .pb = 1, .pl = 1, .pr = 1, .mode = CIRCULAR});
  add((tu_tcfg){.name = "groups 4 Cg4 Kg8", .C = 16, .K = 32, .H = 4, .W = 5,
                .R = 3, .S = 3, .groups = 4, .pt = 1, .pb = 1, .pl = 1,
                .pr = 1, .bias = true});
  add((tu_tcfg){.name = "groups 4 Cg4 Kg12", .C = 16, .K = 48, .H = 3,
                .W = 9, .R = 3, .S = 3, .groups = 4, .pt = 1, .pb = 1,
                .pl = 1, .pr = 1, .mode = REPLICATE});
  /* Blocks whose last vectors lie past the last group and partial spans
   * (the grouped copy's padding): K/g = the vector width (G = 1), 8 and 2
   * (G = 2 and 8 on AVX-512). */
  add((tu_tcfg){.name = "groups 3 Cg16 Kg16", .C = 48, .K = 48, .H = 3,
                .W = 7, .R = 3, .S = 3, .groups = 3, .pt = 1, .pb = 1,
                .pl = 1, .pr = 1, .bias = true});
  add((tu_tcfg){.name = "groups 5 Cg8 Kg8", .C = 40, .K = 40, .H = 3,
                .W = 6, .R = 3, .S = 3, .groups = 5, .pt = 1, .pb = 1,
                .pl = 1, .pr = 1});
  add((tu_tcfg){.name = "groups 9 Cg2 Kg2", .N = 2, .C = 18, .K = 18,
                .H = 4, .W = 5, .R = 3, .S = 3, .groups = 9, .pt = 1,
                .pb = 1, .pl = 1, .pr = 1, .mode = REFLECT});
  add((tu_tcfg){.name = "groups 2 Cg8 Kg8", .C = 16, .K = 16, .H = 2,
                .W = 17, .R = 3, .S = 3, .groups = 2, .pt = 1, .pb = 1,
                .pl = 1, .pr = 1});
  add((tu_tcfg){.name = "groups 4 1x1", .C = 8, .K = 12, .H = 3, .W = 15,
                .R = 1, .S = 1, .groups = 4, .bias = true});
  add((tu_tcfg){.name = "groups 2 Cg2 Kg2 s2", .N = 2, .C = 4, .K = 4,
                .H = 7, .W = 10, .R = 3, .S = 3, .sh = 2, .sw = 2,
                .groups = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
                .mode = REFLECT});
  add((tu_tcfg){.name = "groups 4 dilation 2", .C = 8, .K = 8, .H = 6,
                .W = 12, .R = 3, .S = 3, .dh = 2, .dw = 2, .groups = 4,
                .pt = 2, .pb = 2, .pl = 2, .pr = 2});
  /* Depthwise: multiplier 1 and 2; 3x3 s1, 3x3 s2, 5x5, 7x7. */
  for (size_t i = 0; i < 16; i++) {
    static const size_t ks[4] = {3, 3, 5, 7}, st[4] = {1, 2, 1, 2};
    const size_t C = g_cs[(i + 1) % NCS] + (i == 8 ? 16 : 0), r = ks[i % 4];
    add((tu_tcfg){.name = "depthwise", .N = 1 + (i / 4) % 2, .C = C,
                  .K = C * (1 + (i / 2) % 2), .H = 1 + (i * 5) % 9,
                  .W = 1 + (i * 7) % 19, .R = r, .S = r, .sh = st[i % 4],
                  .sw = st[i % 4], .groups = C, .pt = r / 2, .pb = r / 2,
                  .pl = r / 2, .pr = r / 2, .mode = g_modes[(i / 3) % 4],
                  .act = (tu_act)((i * 5) % TU_ACT_VARIANTS),
                  .bias = i % 3 != 2});
  }
  add((tu_tcfg){.name = "depthwise same", .C = 16, .K = 16, .H = 5, .W = 18,
                .R = 3, .S = 3, .groups = 16, .padding = SIMDCONV_PADDING_SAME,
                .bias = true});
  add((tu_tcfg){.name = "depthwise x2 valid", .N = 2, .C = 13, .K = 26,
                .H = 6, .W = 9, .R = 3, .S = 3, .groups = 13,
                .padding = SIMDCONV_PADDING_VALID});
  add((tu_tcfg){.name = "depthwise 5x5 s2 asym", .C = 17, .K = 17, .H = 8,
                .W = 11, .R = 5, .S = 5, .sh = 2, .sw = 2, .groups = 17,
                .pt = 2, .pb = 1, .pl = 0, .pr = 2, .mode = REFLECT});
  add((tu_tcfg){.name = "depthwise dilation 2", .C = 8, .K = 16, .H = 7,
                .W = 14, .R = 3, .S = 3, .dh = 2, .dw = 2, .groups = 8,
                .pt = 2, .pb = 2, .pl = 2, .pr = 2, .mode = CIRCULAR});
  transposed_shapes();
}

#undef ZEROS
#undef REFLECT
#undef REPLICATE
#undef CIRCULAR

/* ------------------------------------------------------------------------ */
/* The test                                                                 */
/* ------------------------------------------------------------------------ */

/* The kernels the guarded objects ran, for the report. */
#define MAX_KERNELS 16
static const char *g_kernels[MAX_KERNELS];
static size_t g_kernel_runs[MAX_KERNELS];

static void note_kernel(const simdconv_conv *conv, size_t runs) {
  simdconv_conv_info info;
  cr_assert(simdconv_get_info(conv, &info) == SIMDCONV_OK);
  for (size_t i = 0; i < MAX_KERNELS; i++)
    if (g_kernels[i] == NULL || strcmp(g_kernels[i], info.kernel) == 0) {
      g_kernels[i] = info.kernel;
      g_kernel_runs[i] += runs;
      return;
    }
}

#define PARTS 2
#define PLACEMENTS 2 /* flush against the guard after, then before */
#define POOLS 2      /* NULL, the 2-thread pool */
#define LAYOUTS 4    /* NCHW/NHWC x OIHW/OHWI */

/* Runs without a residual, with one in its own guarded buffer (read-only:
 * c->r, c->alpha) and with the output buffer holding it (in place). */
typedef enum residual_kind { NO_RESIDUAL, RESIDUAL, RESIDUAL_IN_PLACE } residual_kind;
#define RESIDUALS 3

/* One guarded run of conv, its output (and residual) guarded, compared
 * bitwise with y_ok. */
static void guarded_run(const tu_case *c, const simdconv_conv *conv,
                        simdconv_isa isa, const gbuf *gx, size_t ws,
                        pthreadpool_t pool, residual_kind rk, bool at_end,
                        const char *place, const float *y_ok) {
  const tu_spec *s = &c->spec;
  static const char *const kinds[RESIDUALS] = {
      "no residual", "residual (guarded)", "residual in place"};
  snprintf(gb_what, sizeof gb_what,
           "simdconv_run on %s, %s, workspace %zu bytes, pool %s, %s: %s",
           tu_isa_str(isa), place, ws, pool ? "2 threads" : "NULL",
           kinds[rk], c->name);
  gbuf gy, gws, gr;
  memset(&gr, 0, sizeof gr);
  gb_alloc(&gy, "output", c->ny * sizeof(float), at_end);
  gb_alloc(&gws, "workspace", ws, at_end);
  float *out = (float *)(void *)gy.p;
  const float *residual = NULL;
  if (rk == RESIDUAL) {
    gb_alloc(&gr, "residual", c->ny * sizeof(float), at_end);
    memcpy(gr.p, c->r, c->ny * sizeof(float));
    gb_protect(&gr, PROT_READ);
    residual = (const float *)(void *)gr.p;
  } else if (rk == RESIDUAL_IN_PLACE) {
    memcpy(out, c->r, c->ny * sizeof(float));
    residual = out;
  }
  const simdconv_status st = simdconv_run_residual(
      conv, s->N, s->H, s->W, (const float *)(void *)gx->p, residual,
      c->alpha, out, gws.p, ws, pool);
  cr_assert(st == SIMDCONV_OK, "simdconv_run failed: %d (%s); %s", (int)st,
            simdconv_status_string(st), gb_what);
  gb_check_fill(&gy);
  gb_check_fill(&gws);
  const size_t d = tu_first_diff(y_ok, out, c->ny);
  if (d != c->ny) {
    char pos[128];
    tu_out_pos_str(c, d, pos, sizeof pos);
    cr_assert(false,
              "guarded output differs from the oracle-checked one: %s = %a, "
              "expected %a; %s",
              pos, (double)out[d], (double)y_ok[d], gb_what);
  }
  gb_free(&gr);
  gb_free(&gws);
  gb_free(&gy);
}

/* The guarded runs of one case on one ISA: per placement, one object created
 * from guarded weights and bias, run with pool NULL and with the pool, each
 * without and with a residual (y_ok and y_res: the oracle-checked outputs;
 * c carries the residual). */
static size_t guarded_runs(tu_case *c, simdconv_isa isa, const float *y_ok,
                           const float *y_res) {
  const tu_spec *s = &c->spec;
  size_t runs = 0;
  for (int pl = 0; pl < PLACEMENTS; pl++) {
    const bool at_end = pl == 0;
    const char *place = at_end ? "buffers end at a guard page"
                               : "buffers start after a guard page";
    snprintf(gb_what, sizeof gb_what, "simdconv_create on %s, %s: %s",
             tu_isa_str(isa), place, c->name);
    gbuf gw, gbias, gx;
    gb_alloc(&gw, "weights", c->nw * sizeof(float), at_end);
    memcpy(gw.p, c->w, c->nw * sizeof(float));
    gb_protect(&gw, PROT_READ);
    memset(&gbias, 0, sizeof gbias);
    if (c->b != NULL) {
      gb_alloc(&gbias, "bias", c->nb * sizeof(float), at_end);
      memcpy(gbias.p, c->b, c->nb * sizeof(float));
      gb_protect(&gbias, PROT_READ);
    }
    const simdconv_options opt = {.isa = isa, .allocator = NULL};
    simdconv_conv *conv = NULL;
    simdconv_status st =
        simdconv_create(&s->desc, (const float *)(void *)gw.p,
                        c->b ? (const float *)(void *)gbias.p : NULL, &opt,
                        &conv);
    cr_assert(st == SIMDCONV_OK, "simdconv_create failed: %d (%s); %s",
              (int)st, simdconv_status_string(st), gb_what);
    /* The object owns a packed copy: the caller's weights are dead. */
    gb_protect(&gw, PROT_NONE);
    if (c->b != NULL)
      gb_protect(&gbias, PROT_NONE);

    size_t ws = 0;
    st = simdconv_workspace_size(conv, s->N, s->H, s->W, &ws);
    cr_assert(st == SIMDCONV_OK && ws < ((size_t)1 << 32),
              "simdconv_workspace_size: %d, %zu bytes; %s", (int)st, ws,
              gb_what);
    gb_alloc(&gx, "input", c->nx * sizeof(float), at_end);
    memcpy(gx.p, c->x, c->nx * sizeof(float));
    gb_protect(&gx, PROT_READ);

    for (int t = 0; t < POOLS; t++)
      for (int r = 0; r < RESIDUALS; r++) {
        guarded_run(c, conv, isa, &gx, ws, t ? tu_pool() : NULL,
                    (residual_kind)r, at_end, place, r ? y_res : y_ok);
        runs++;
      }
    note_kernel(conv, POOLS * RESIDUALS);
    simdconv_destroy(conv);
    gb_free(&gx);
    gb_free(&gbias);
    gb_free(&gw);
  }
  gb_what[0] = '\0';
  return runs;
}

/* Visits the cases of one ISA and part: runs them (run) or only counts the
 * guarded runs they make. */
static size_t guard_visit(simdconv_isa isa, unsigned part, unsigned parts,
                          bool run) {
  guard_shapes();
  size_t runs = 0, item = 0;
  for (size_t i = 0; i < g_nshapes; i++)
    for (unsigned l = 0; l < LAYOUTS; l++, item++) {
      if (item % parts != part)
        continue;
      if (!run) {
        runs += PLACEMENTS * POOLS * RESIDUALS;
        continue;
      }
      tu_spec s;
      tu_spec_from_tcfg(&s, &g_shapes[i], (simdconv_layout)(l & 1),
                        (simdconv_weight_layout)(l >> 1), (int)(item % 5 == 4),
                        0x6a00 + item);
      tu_case c;
      tu_case_init(&c, &s);
      float *y_ok = tu_alloc(c.ny * sizeof(float));
      float *y_res = tu_alloc(c.ny * sizeof(float));
      simdconv_conv *conv = tu_create(&c, isa);
      tu_check_oracle(&c, conv, isa, &tu_variants[0], y_ok);
      tu_case_set_residual(&c, item % 2 ? 0.5f : 1.0f, false);
      tu_check_oracle(&c, conv, isa, &tu_variants[0], y_res);
      simdconv_destroy(conv);
      runs += guarded_runs(&c, isa, y_ok, y_res);
      free(y_ok);
      free(y_res);
      tu_case_free(&c);
    }
  return runs;
}

TU_ISA_PART_PARAMS(guard, pages, PARTS)
ParameterizedTest(tu_isa_part *p, guard, pages, .timeout = 600) {
  gb_install_handler();
  const size_t planned = guard_visit(p->isa, p->part, p->parts, false);
  const size_t runs = guard_visit(p->isa, p->part, p->parts, true);
  cr_assert(runs == planned, "ran %zu guarded runs, planned %zu", runs,
            planned);
  char what[1024];
  int n = snprintf(what, sizeof what,
                   "guard::pages on %s (part %u/%u), %zu guarded runs (%zu "
                   "on the 2-thread pool, %zu with a residual); kernels:",
                   tu_isa_str(p->isa), p->part + 1, p->parts, runs,
                   runs / POOLS, runs / RESIDUALS * (RESIDUALS - 1));
  for (size_t i = 0; i < MAX_KERNELS && g_kernels[i] != NULL && n > 0 &&
                     (size_t)n < sizeof what;
       i++)
    n += snprintf(what + n, sizeof what - (size_t)n, " %s (%zu)",
                  g_kernels[i], g_kernel_runs[i]);
  tu_report(what);
}

/* The total over every ISA and part, printed once by the runner. */
ReportHook(POST_ALL)(struct criterion_global_stats *stats) {
  (void)stats;
  simdconv_isa isas[SIMDCONV_ISA_COUNT];
  const size_t nisa = tu_isas(isas);
  size_t total = 0;
  for (size_t i = 0; i < nisa; i++)
    for (unsigned part = 0; part < PARTS; part++)
      total += guard_visit(isas[i], part, PARTS, false);
  fprintf(stderr,
          "[simdconv-tests] guard-page configurations: %zu (%zu shapes x %d "
          "layouts x %zu ISAs x %d placements x %d pools x %d residual "
          "kinds; each guards input, weights, bias, output, workspace and "
          "the residual)\n",
          total, g_nshapes, LAYOUTS, nisa, PLACEMENTS, POOLS, RESIDUALS);
}

/* ------------------------------------------------------------------------ */
/* Global state                                                             */
/* ------------------------------------------------------------------------ */

extern char **environ;

#define NSIGS 65
typedef struct gstate {
  uint64_t fp;
  int sig_rc[NSIGS];
  void (*sig_handler[NSIGS])(int);
  int sig_flags[NSIGS];
  sigset_t mask;
  char **environ_ptr;
  char env[1 << 16];
} gstate;

static void gstate_get(gstate *g) {
  memset(g, 0, sizeof *g);
  g->fp = fpm_state();
  for (int sig = 1; sig < NSIGS; sig++) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    g->sig_rc[sig] = sigaction(sig, NULL, &sa);
    g->sig_handler[sig] = sa.sa_handler;
    g->sig_flags[sig] = sa.sa_flags;
  }
  pthread_sigmask(SIG_BLOCK, NULL, &g->mask);
  g->environ_ptr = environ;
  size_t n = 0;
  for (char **e = environ; e != NULL && *e != NULL; e++) {
    const size_t len = strlen(*e) + 1;
    if (n + len >= sizeof g->env)
      break;
    memcpy(g->env + n, *e, len);
    n += len;
  }
}

static void gstate_check(const gstate *a, const gstate *b, const char *when) {
  cr_assert(a->fp == b->fp, "%s: the FP control state changed: 0x%llx -> "
            "0x%llx", when, (unsigned long long)a->fp,
            (unsigned long long)b->fp);
  for (int sig = 1; sig < NSIGS; sig++)
    cr_assert(a->sig_rc[sig] == b->sig_rc[sig] &&
                  a->sig_handler[sig] == b->sig_handler[sig] &&
                  a->sig_flags[sig] == b->sig_flags[sig],
              "%s: the disposition of signal %d changed", when, sig);
  for (int sig = 1; sig < NSIGS; sig++)
    cr_assert(sigismember(&a->mask, sig) == sigismember(&b->mask, sig),
              "%s: the signal mask changed (signal %d)", when, sig);
  cr_assert(a->environ_ptr == b->environ_ptr &&
                memcmp(a->env, b->env, sizeof a->env) == 0,
            "%s: the environment changed", when);
}

/* The outputs of the runs of one pass, as hashes, to compare the passes. */
#define MAX_OUTPUTS 1024
typedef struct outputs {
  uint64_t hash[MAX_OUTPUTS];
  size_t n;
} outputs;

/* FNV-1a over n bytes. */
static uint64_t fnv1a(const void *p, size_t n, uint64_t h) {
  for (size_t i = 0; i < n; i++)
    h = (h ^ ((const unsigned char *)p)[i]) * 0x100000001b3u;
  return h;
}

/* The hash of y, every NaN hashed alike, or of `bytes` bytes at raw. */
static void note_output(outputs *o, const float *y, size_t n,
                        const void *raw, size_t bytes) {
  uint64_t h = fnv1a(raw, bytes, 0xcbf29ce484222325u);
  for (size_t i = 0; i < n; i++) {
    const uint32_t b = y[i] != y[i] ? 0x7fc00000u : tu_bits(y[i]);
    h = fnv1a(&b, sizeof b, h);
  }
  if (o->n < MAX_OUTPUTS)
    o->hash[o->n++] = h;
}

/* The oracle and its comparison with y: their bits, as outputs. */
static size_t exercise_oracle(const tu_case *c, const float *y,
                              outputs *out) {
  const tu_spec *s = &c->spec;
  double *ref = tu_alloc(c->ny * sizeof(double));
  double *bound = tu_alloc(c->ny * sizeof(double));
  simdconv_compare_stats st;
  memset(&st, 0, sizeof st);
  const size_t bad =
      (simdconv_reference(&s->desc, s->N, s->H, s->W, c->x, c->w, c->b, ref,
                          bound) != SIMDCONV_OK) +
      (simdconv_compare(y, ref, bound, c->ny, &st) != SIMDCONV_OK);
  note_output(out, NULL, 0, ref, c->ny * sizeof(double));
  note_output(out, NULL, 0, bound, c->ny * sizeof(double));
  note_output(out, NULL, 0, &st, sizeof st);
  free(ref);
  free(bound);
  return bad;
}

/* Library calls on one ISA (status failures are counted, not asserted, as
 * stdout and stderr are redirected); the outputs go to out. */
static size_t exercise(simdconv_isa isa, size_t *calls, outputs *out) {
  size_t bad = 0;
  guard_shapes();
  for (size_t i = 0; i < g_nshapes; i += 6) {
    for (unsigned l = 0; l < 2; l++) {
      tu_spec s;
      tu_spec_from_tcfg(&s, &g_shapes[i], (simdconv_layout)l,
                        (simdconv_weight_layout)l, 0, 0x7b00 + i);
      tu_case c;
      tu_case_init(&c, &s);
      const simdconv_options opt = {.isa = isa, .allocator = NULL};
      simdconv_conv *conv = NULL;
      bad += simdconv_create(&s.desc, c.w, c.b, &opt, &conv) != SIMDCONV_OK;
      size_t ws = 0;
      bad += simdconv_workspace_size(conv, s.N, s.H, s.W, &ws) != SIMDCONV_OK;
      float *y = tu_alloc(c.ny * sizeof(float));
      unsigned char *wsb = tu_alloc(ws + 1);
      bad += simdconv_run(conv, s.N, s.H, s.W, c.x, y, wsb, ws, NULL) !=
             SIMDCONV_OK;
      note_output(out, y, c.ny, NULL, 0);
      bad += exercise_oracle(&c, y, out);
      bad += simdconv_run(conv, s.N, s.H, s.W, c.x, y, NULL, 0, tu_pool()) !=
             SIMDCONV_OK;
      note_output(out, y, c.ny, NULL, 0);
      /* error paths */
      bad += simdconv_run(conv, 0, s.H, s.W, c.x, y, NULL, 0, NULL) !=
             SIMDCONV_ERR_INVALID_SIZE;
      bad += simdconv_run(conv, s.N, s.H, s.W, c.x, c.x, NULL, 0, NULL) !=
             SIMDCONV_ERR_BUFFER_OVERLAP;
      if (ws > 1)
        bad += simdconv_run(conv, s.N, s.H, s.W, c.x, y, wsb, ws - 1, NULL) !=
               SIMDCONV_ERR_WORKSPACE_TOO_SMALL;
      simdconv_desc d = s.desc;
      d.groups = 0;
      simdconv_conv *none = NULL;
      bad += simdconv_create(&d, c.w, c.b, &opt, &none) !=
             SIMDCONV_ERR_INVALID_SIZE;
      bad += simdconv_conv2d(&s.desc, s.N, s.H, s.W, c.x, c.w, c.b, y,
                             tu_pool()) != SIMDCONV_OK;
      note_output(out, y, c.ny, NULL, 0);
      simdconv_destroy(conv);
      *calls += 10;
      free(wsb);
      free(y);
      tu_case_free(&c);
    }
  }
  return bad;
}

/* Runs fn(arg) with stdout and stderr going to a temporary file; returns
 * the number of bytes written to them. */
static long silenced(void (*fn)(void *), void *arg) {
  fflush(stdout);
  fflush(stderr);
  FILE *tmp = tmpfile();
  cr_assert(tmp != NULL, "tmpfile failed");
  const int out = dup(STDOUT_FILENO), err = dup(STDERR_FILENO);
  cr_assert(out >= 0 && err >= 0);
  dup2(fileno(tmp), STDOUT_FILENO);
  dup2(fileno(tmp), STDERR_FILENO);
  fn(arg);
  fflush(stdout);
  fflush(stderr);
  dup2(out, STDOUT_FILENO);
  dup2(err, STDERR_FILENO);
  close(out);
  close(err);
  struct stat st;
  const long printed = fstat(fileno(tmp), &st) == 0 ? (long)st.st_size : -1;
  fclose(tmp);
  return printed;
}

typedef struct pass {
  fpm_mode mode;
  size_t bad, calls;
  outputs out;
  gstate before, after;
} pass;

/* One pass: every ISA in the caller's mode p->mode. */
static void run_pass(void *arg) {
  pass *p = arg;
  simdconv_isa isas[SIMDCONV_ISA_COUNT];
  const size_t nisa = tu_isas(isas);
  fpm_set(p->mode);
  gstate_get(&p->before);
  for (size_t i = 0; i < nisa; i++)
    p->bad += exercise(isas[i], &p->calls, &p->out);
  gstate_get(&p->after);
  fpm_set(FPM_DEFAULT);
}

Test(guard, global_state, .timeout = 600) {
  simdconv_isa isas[SIMDCONV_ISA_COUNT];
  const size_t nisa = tu_isas(isas);
  (void)tu_pool(); /* created outside the checked section */
  fpm_mode modes[FPM_COUNT];
  const size_t nmodes = fpm_modes(modes);
  static pass passes[FPM_COUNT];
  size_t calls = 0;
  for (size_t m = 0; m < nmodes; m++) {
    pass *p = &passes[m];
    p->mode = modes[m];
    const long printed = silenced(run_pass, p);
    char when[128];
    snprintf(when, sizeof when, "in the caller's FP mode '%s'",
             fpm_name(p->mode));
    cr_assert(p->bad == 0, "%s: %zu library calls returned an unexpected "
              "status", when, p->bad);
    cr_assert(printed == 0, "%s: the library wrote %ld bytes to stdout or "
              "stderr", when, printed);
    gstate_check(&p->before, &p->after, when);
    cr_assert(p->out.n == passes[0].out.n &&
                  memcmp(p->out.hash, passes[0].out.hash,
                         p->out.n * sizeof *p->out.hash) == 0,
              "%s: the outputs differ from the default mode's", when);
    calls += p->calls;
  }

/* SIMDCONV_ISA is read once, at load time. */
  const simdconv_isa cap = simdconv_isa_cap(), active = simdconv_active_isa();
  const char *old = getenv("SIMDCONV_ISA");
  char *saved = old ? strdup(old) : NULL;
  setenv("SIMDCONV_ISA", active == SIMDCONV_ISA_SCALAR ? "avx2" : "scalar", 1);
  cr_assert(simdconv_isa_cap() == cap && simdconv_active_isa() == active,
            "SIMDCONV_ISA set after load changed the cap or the active ISA");
  for (size_t i = 0; i < nisa; i++)
    cr_assert(simdconv_isa_check(isas[i]) == SIMDCONV_OK,
              "SIMDCONV_ISA set after load disabled %s",
              tu_isa_str(isas[i]));
  if (saved != NULL)
    setenv("SIMDCONV_ISA", saved, 1);
  else
    unsetenv("SIMDCONV_ISA");
  free(saved);
  fprintf(stderr,
          "[simdconv-tests] guard::global_state: %zu library calls on %zu "
          "ISAs in %zu caller FP modes: FP control, signal dispositions and "
          "mask, environment unchanged, nothing printed, %zu outputs equal "
          "to the default mode's\n",
          calls, nisa, nmodes, passes[0].out.n);
}
