/* simdconv_run_residual: what the fused residual add is, beyond the oracle
 * comparisons of kernels::edges (every kernel and tile edge with a residual)
 * and guard::pages (the residual buffer guarded, and in place).
 *
 * residual::definition    on every kernel this CPU runs: with no activation,
 *                         the output is fmaf(alpha, r, y0) of the plain
 *                         run's y0, bit for bit (alpha 1, -1, 0.5, 3), and
 *                         with alpha 1 exactly y0 + r; with an activation,
 *                         act() of that; in place gives the same bits
 * residual::special_values  a NaN in r reaches exactly its output, an
 *                         infinity gives that infinity
 * residual::overlaps      the statuses: the residual may be the output, any
 *                         other overlap with the output or the input is
 *                         SIMDCONV_ERR_BUFFER_OVERLAP (output untouched); a
 *                         NULL residual is simdconv_run
 */
#include <math.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "test_util.h"

/* A small layer of the kernel's family: dense 3x3, or depthwise for the
 * depthwise kernels, transposed 4x4 stride 2 (DCGAN's) for the deconv
 * families; in layout l. */
static void kernel_case(tu_case *c, const simdconv_kernel_info *k,
                        simdconv_layout l, tu_act act, uint64_t seed) {
  const bool tr = strncmp(k->family, "deconv_", 7) == 0;
  const bool dw = strcmp(k->family + (tr ? 7 : 0), "dwconv") == 0;
  const bool nchw_1x1 = strcmp(k->family, "gemm_nchw") == 0;
  const size_t R = nchw_1x1 ? 1 : tr ? 4 : 3;
  const tu_tcfg t = {.name = "residual", .N = 2, .C = dw ? 20 : 12,
                     .K = dw ? 20 : k->tile_n > 1 ? k->tile_n - 1 : 5,
                     .H = 5, .W = 9, .R = R, .S = R, .sh = tr ? 2 : 1,
                     .sw = tr ? 2 : 1, .groups = dw ? 20 : 1,
                     .pt = !nchw_1x1, .pb = !nchw_1x1, .pl = !nchw_1x1,
                     .pr = !nchw_1x1, .act = act, .bias = true,
                     .transposed = tr};
  tu_spec s;
  tu_spec_from_tcfg(&s, &t, l, SIMDCONV_WEIGHTS_OIHW, 0, seed);
  tu_case_init(c, &s);
}

/* The fp32 kernels this CPU runs (int8 objects have no residual). */
ParameterizedTestParameters(residual, definition) {
  static size_t idx[64];
  size_t n = 0;
  for (size_t i = 0; i < simdconv_kernel_count() && n < 64; i++) {
    simdconv_kernel_info k;
    if (simdconv_kernel_get(i, &k) == SIMDCONV_OK && k.usable &&
        strncmp(k.name, "f32_", 4) == 0)
      idx[n++] = i;
  }
  return cr_make_param_array(size_t, idx, n);
}

/* The residual of kernel k in layout l with activation a: in place and
 * out of place alike, fmaf(alpha, r, sum) without an activation, within
 * the oracle's bound with one; returns the outputs compared exactly. */
static size_t residual_case(const simdconv_kernel_info *k, simdconv_layout l,
                            int a) {
  static const float alphas[] = {1.0f, -1.0f, 0.5f, 3.0f};
  size_t checked = 0;
  tu_case c;
  kernel_case(&c, k, l, (tu_act)a,
              0x72657369 + (uint64_t)a);
  simdconv_conv *conv = tu_create_kernel(&c, k->name);
  cr_assert(conv != NULL, "%s refused %s", k->name, c.name);
  /* y0: the sum before the activation (a twin object without one). */
  tu_case raw;
  tu_spec rs = c.spec;
  tu_set_act(&rs.desc, TU_ACT_NONE);
  tu_case_init(&raw, &rs);
  simdconv_conv *conv0 = tu_create_kernel(&raw, k->name);
  float *y0 = tu_alloc(c.ny * sizeof(float));
  tu_run(&raw, conv0, k->isa, &tu_variants[0], y0);
  float *y = tu_alloc(c.ny * sizeof(float));
  float *yp = tu_alloc(c.ny * sizeof(float));
  for (size_t ai = 0; ai < sizeof alphas / sizeof *alphas; ai++) {
    tu_case_set_residual(&c, alphas[ai], false);
    tu_run(&c, conv, k->isa, &tu_variants[0], y);
    c.in_place = true; /* the same residual, in the output buffer */
    tu_run(&c, conv, k->isa, &tu_variants[1], yp);
    cr_assert(tu_first_diff(y, yp, c.ny) == c.ny,
              "%s: in place differs from out of place for %s", k->name,
              c.name);
    if (a != TU_ACT_NONE)
      continue;
    for (size_t i = 0; i < c.ny; i++) {
      const float want = alphas[ai] == 1.0f
                             ? y0[i] + c.r[i]
                             : fmaf(alphas[ai], c.r[i], y0[i]);
      cr_assert(tu_same(y[i], want),
                "%s: output %zu is %a, fmaf(%g, r, y0) is %a; %s", k->name,
                i, (double)y[i], (double)alphas[ai], (double)want, c.name);
    }
    checked += c.ny;
  }
  /* With an activation, the oracle decides (the bound of act()). */
  tu_check_oracle(&c, conv, k->isa, &tu_variants[0], NULL);
  free(y0);
  free(y);
  free(yp);
  simdconv_destroy(conv);
  simdconv_destroy(conv0);
  tu_case_free(&raw);
  tu_case_free(&c);
  return checked;
}

ParameterizedTest(size_t *index, residual, definition) {
  simdconv_kernel_info k;
  cr_assert(simdconv_kernel_get(*index, &k) == SIMDCONV_OK);
  size_t checked = 0;
  for (int l = 0; l < 2; l++) /* every layout the kernel runs */
    for (int a = 0; a < TU_ACT_VARIANTS && (k.layouts & (1u << l)); a++)
      checked += residual_case(&k, (simdconv_layout)l, a);
  cr_assert(checked > 0);
}

/* A NaN or an infinity in the residual reaches exactly its own output, on
 * every ISA, layout and both layer families. */
Test(residual, special_values) {
  simdconv_isa isas[SIMDCONV_ISA_COUNT];
  const size_t nisa = tu_isas(isas);
  for (size_t i = 0; i < nisa; i++)
    for (int l = 0; l < 2; l++)
      for (int dw = 0; dw < 2; dw++) {
        const tu_tcfg t = {.name = "special", .N = 1, .C = 8,
                           .K = dw ? 8 : 19, .H = 6, .W = 7, .R = 3, .S = 3,
                           .groups = dw ? 8 : 1, .pt = 1, .pb = 1, .pl = 1,
                           .pr = 1, .act = TU_ACT_RELU, .bias = true};
        tu_spec s;
        tu_spec_from_tcfg(&s, &t, (simdconv_layout)l, SIMDCONV_WEIGHTS_OIHW,
                          0, 99 + i);
        tu_case c;
        tu_case_init(&c, &s);
        tu_case_set_residual(&c, 1.0f, l == 1);
        const size_t nan_at = c.ny / 3, inf_at = c.ny / 2;
        c.r[nan_at] = NAN;
        c.r[inf_at] = -INFINITY;
        float *y = tu_alloc(c.ny * sizeof(float));
        simdconv_conv *conv = tu_create(&c, isas[i]);
        tu_run(&c, conv, isas[i], &tu_variants[0], y);
        for (size_t j = 0; j < c.ny; j++) {
          if (j == nan_at)
            cr_assert(isnan(y[j]), "NaN residual gave %a", (double)y[j]);
          else if (j == inf_at) /* relu(-inf) = 0 */
            cr_assert(y[j] == 0.0f, "-inf residual gave %a", (double)y[j]);
          else
            cr_assert(isfinite(y[j]), "output %zu is %a", j, (double)y[j]);
        }
        simdconv_destroy(conv);
        free(y);
        tu_case_free(&c);
      }
}

/* The overlap rules, on every ISA. */
Test(residual, overlaps) {
  simdconv_isa isas[SIMDCONV_ISA_COUNT];
  const size_t nisa = tu_isas(isas);
  const tu_tcfg t = {.name = "overlap", .C = 4, .K = 4, .H = 6, .W = 6,
                     .R = 1, .S = 1, .bias = true};
  tu_spec s;
  tu_spec_from_tcfg(&s, &t, SIMDCONV_LAYOUT_NCHW, SIMDCONV_WEIGHTS_OIHW, 0,
                    7);
  tu_case c;
  tu_case_init(&c, &s);
  /* One buffer holding input, output and residual regions at chosen
   * offsets (in floats); nx == ny here. */
  const size_t n = c.ny;
  float *buf = tu_alloc(4 * n * sizeof(float));
  for (size_t i = 0; i < nisa; i++) {
    simdconv_conv *conv = tu_create(&c, isas[i]);
    float *x = buf, *y = buf + 2 * n;
    memcpy(x, c.x, n * sizeof(float));
    const struct {
      const float *r;
      simdconv_status want;
    } cases[] = {
        {y, SIMDCONV_OK},                           /* in place */
        {NULL, SIMDCONV_OK},                        /* no residual */
        {buf + 3 * n, SIMDCONV_OK},                 /* its own buffer */
        {y + 1, SIMDCONV_ERR_BUFFER_OVERLAP},       /* partly the output */
        {y - 1, SIMDCONV_ERR_BUFFER_OVERLAP},
        {x, SIMDCONV_ERR_BUFFER_OVERLAP},           /* the input */
        {buf + n / 2, SIMDCONV_ERR_BUFFER_OVERLAP}, /* partly the input */
    };
    for (size_t j = 0; j < sizeof cases / sizeof *cases; j++) {
      for (size_t q = 0; q < n; q++)
        y[q] = 1.5f;
      const simdconv_status st = simdconv_run_residual(
          conv, 1, 6, 6, x, cases[j].r, 1.0f, y, NULL, 0, NULL);
      cr_assert(st == cases[j].want, "case %zu on %s: status %d, want %d", j,
                tu_isa_str(isas[i]), (int)st, (int)cases[j].want);
      if (st != SIMDCONV_OK)
        for (size_t q = 0; q < n; q++)
          cr_assert(y[q] == 1.5f, "output written on error (case %zu)", j);
    }
    /* A NULL residual is simdconv_run, bit for bit. */
    float *a = tu_alloc(n * sizeof(float)), *b = tu_alloc(n * sizeof(float));
    cr_assert(simdconv_run(conv, 1, 6, 6, x, a, NULL, 0, NULL) ==
              SIMDCONV_OK);
    cr_assert(simdconv_run_residual(conv, 1, 6, 6, x, NULL, 2.0f, b, NULL, 0,
                                    NULL) == SIMDCONV_OK);
    cr_assert(tu_first_diff(a, b, n) == n);
    free(a);
    free(b);
    simdconv_destroy(conv);
  }
  free(buf);
  tu_case_free(&c);
}
