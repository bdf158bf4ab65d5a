/* Helpers of the int8 tests; see test_util_q8.h. */
#include "test_util_q8.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

static int32_t tq_type_min(simdconv_qtype t) {
  return t == SIMDCONV_QTYPE_S8 ? -128 : 0;
}

static int32_t tq_type_max(simdconv_qtype t) {
  return t == SIMDCONV_QTYPE_S8 ? 127 : 255;
}

int32_t tq_pick_zp(tu_rng *r, simdconv_qtype t) {
  const int32_t lo = tq_type_min(t);
  const int32_t fixed[3] = {lo, lo + 128, lo + 255};
  const size_t pick = tu_rng_below(r, 5);
  return pick < 3 ? fixed[pick] : lo + (int32_t)tu_rng_below(r, 256);
}

void tq_random_quant(tu_rng *r, tq_spec *s) {
  s->in_type = (simdconv_qtype)tu_rng_below(r, 2);
  s->out_type = (simdconv_qtype)tu_rng_below(r, 2);
  s->x_zp = tq_pick_zp(r, s->in_type);
  s->y_zp = tq_pick_zp(r, s->out_type);
  s->per_channel = tu_rng_chance(r, 60);
  s->scales = (tq_scales)tu_rng_below(r, TQ_SCALES_KINDS);
  s->xdata = tu_rng_chance(r, 70) ? TQ_DATA_UNIFORM
                                  : (tq_data)tu_rng_below(r, TQ_DATA_KINDS);
  s->wdata = tu_rng_chance(r, 70) ? TQ_DATA_UNIFORM
                                  : (tq_data)tu_rng_below(r, TQ_DATA_KINDS);
  s->clamp = tu_rng_chance(r, 15);
  if (s->clamp) {
    const int32_t lo = tq_type_min(s->out_type);
    const int32_t a = lo + (int32_t)tu_rng_below(r, 256);
    const int32_t b = lo + (int32_t)tu_rng_below(r, 256);
    s->out_min = a < b ? a : b;
    s->out_max = a < b ? b : a;
  }
  simdconv_desc *d = &s->geo.desc;
  if (d->activation != SIMDCONV_ACT_CLAMP) {
    d->activation = SIMDCONV_ACT_NONE;
    d->act_min = -INFINITY;
    d->act_max = INFINITY;
  }
}

void tq_random_spec(tu_rng *r, const tu_limits *lim, tq_spec *s) {
  memset(s, 0, sizeof *s);
  tu_random_spec(r, lim, &s->geo);
  tq_random_quant(r, s);
}

static const char *tq_type_str(simdconv_qtype t) {
  return t == SIMDCONV_QTYPE_S8 ? "s8" : "u8";
}

void tq_spec_str(const tq_spec *s, char *buf, size_t size) {
  static const char *const scales[] = {"spread", "wide", "ties"};
  static const char *const data[] = {"uniform", "extreme", "small"};
  char geo[512];
  tu_spec_str(&s->geo, geo, sizeof geo);
  /* The geometry's data kinds are the fp32 ones: cut them off. */
  char *cut = strstr(geo, " data=");
  if (cut != NULL)
    snprintf(cut, sizeof geo - (size_t)(cut - geo), " seed=0x%016" PRIx64,
             s->geo.seed);
  snprintf(buf, size,
           "%s | int8: %s(zp %d) -> %s(zp %d) scales=%s%s x:%s w:%s "
           "clamp=%s[%d,%d]",
           geo, tq_type_str(s->in_type), (int)s->x_zp,
           tq_type_str(s->out_type), (int)s->y_zp,
           scales[s->scales], s->per_channel ? "/channel" : "/tensor",
           data[s->xdata], data[s->wdata], s->clamp ? "on" : "off",
           (int)s->out_min, (int)s->out_max);
}

/* ------------------------------------------------------------------------ */
/* Cases                                                                    */
/* ------------------------------------------------------------------------ */

static int32_t tq_draw(tu_rng *r, tq_data kind, int32_t lo, int32_t hi,
                       int32_t center) {
  switch (kind) {
  case TQ_DATA_EXTREME:
    return tu_rng_chance(r, 50) ? lo : hi;
  case TQ_DATA_SMALL: {
    const int32_t v = center + (int32_t)tu_rng_below(r, 7) - 3;
    return v < lo ? lo : v > hi ? hi : v;
  }
  default:
    return lo + (int32_t)tu_rng_below(r, (size_t)(hi - lo + 1));
  }
}

/* Root mean square of (x - zp) and of w under the data kinds, for the
 * output scale that spreads the outputs. */
static double tq_rms_x(const tq_spec *s) {
  const double lo = tq_type_min(s->in_type), hi = tq_type_max(s->in_type);
  const double zp = s->x_zp;
  switch (s->xdata) {
  case TQ_DATA_EXTREME:
    return sqrt(((lo - zp) * (lo - zp) + (hi - zp) * (hi - zp)) / 2);
  case TQ_DATA_SMALL:
    return 2.0;
  default:
    return sqrt((hi - lo) * (hi - lo) / 12 + ((hi + lo) / 2 - zp) *
                                                 ((hi + lo) / 2 - zp));
  }
}

static double tq_rms_w(const tq_spec *s) {
  return s->wdata == TQ_DATA_EXTREME ? 127.5
         : s->wdata == TQ_DATA_SMALL ? 2.0
                                     : 74.0;
}

/* x_scale, the weight scales and y_scale of the case's kind. */
static void tq_draw_scales(tq_case *c, tu_rng *r) {
  const tq_spec *s = &c->spec;
  const simdconv_desc *d = &s->geo.desc;
  const size_t K = d->out_channels, count = s->per_channel ? K : 1;
  const double taps = (double)(d->in_channels / d->groups) * d->kernel_h *
                      d->kernel_w;
  float xs, ys;
  c->w_scales = tu_alloc(count * sizeof(float));
  switch (s->scales) {
  case TQ_SCALES_WIDE:
    xs = 1.0f;
    ys = 1.0f;
    for (size_t k = 0; k < count; k++)
      c->w_scales[k] = ldexpf(tu_rng_float(r, 1.0f, 2.0f),
                              (int)tu_rng_below(r, 24) - 20);
    break;
  case TQ_SCALES_TIES:
    xs = ldexpf(1.0f, (int)tu_rng_below(r, 8) - 4);
    ys = ldexpf(1.0f, (int)tu_rng_below(r, 8) - 4);
    for (size_t k = 0; k < count; k++)
      c->w_scales[k] = ldexpf(1.0f, -(int)tu_rng_below(r, 10) -
                                        (int)(log2(taps + 1) / 2));
    break;
  default: {
    xs = ldexpf(tu_rng_float(r, 1.0f, 2.0f), (int)tu_rng_below(r, 8) - 8);
    for (size_t k = 0; k < count; k++)
      c->w_scales[k] = ldexpf(tu_rng_float(r, 1.0f, 2.0f),
                              (int)tu_rng_below(r, 4) - 10);
    /* Typical |acc| * x_scale * w_scale over ~60 output steps. */
    const double rms = sqrt(taps) * tq_rms_x(s) * tq_rms_w(s) + 1.0;
    ys = (float)(xs * ldexp(1.5, -9) * rms / 60.0 *
                 ldexp(1.0, (int)tu_rng_below(r, 3) - 1));
  }
  }
  simdconv_qparams_init(&c->q, s->in_type, xs, s->x_zp, c->w_scales, count,
                        s->out_type, ys, s->y_zp);
  c->q.clamp = s->clamp;
  c->q.output_min = s->out_min;
  c->q.output_max = s->out_max;
}

static void tq_draw_tensors(tq_case *c, tu_rng *r) {
  const tq_spec *s = &c->spec;
  const int32_t lo = tq_type_min(s->in_type), hi = tq_type_max(s->in_type);
  for (size_t i = 0; i < c->nx; i++)
    c->x[i] = (uint8_t)tq_draw(r, s->xdata, lo, hi, s->x_zp);
  for (size_t i = 0; i < c->nw; i++)
    c->w[i] = (int8_t)tq_draw(r, s->wdata, -128, 127, 0);
  /* A bias of the size of the sums, within the overflow rule. */
  const simdconv_desc *d = &s->geo.desc;
  const double taps = (double)(d->in_channels / d->groups) * d->kernel_h *
                      d->kernel_w;
  const int32_t span = (int32_t)(sqrt(taps) * 255 * 128 / 4) + 1;
  for (size_t k = 0; c->b != NULL && k < d->out_channels; k++)
    c->b[k] = (int32_t)tu_rng_below(r, 2 * (size_t)span + 1) - span;
}

void tq_case_refresh(tq_case *c) {
  const tu_spec *g = &c->spec.geo;
  const simdconv_status st =
      simdconv_reference_q8(&g->desc, &c->q, g->N, g->H, g->W, c->x, c->w,
                            c->b, c->ref, c->acc);
  cr_assert(st == SIMDCONV_OK, "simdconv_reference_q8 failed: %d (%s) for %s",
            (int)st, simdconv_status_string(st), c->name);
}

void tq_case_init(tq_case *c, const tq_spec *s) {
  memset(c, 0, sizeof *c);
  c->spec = *s;
  const tu_spec *g = &s->geo;
  const simdconv_desc *d = &g->desc;
  tq_spec_str(s, c->name, sizeof c->name);
  size_t OH = 0, OW = 0;
  cr_assert(tu_expected_shape(d, g->H, g->W, NULL, &OH, &OW) == SIMDCONV_OK,
            "test bug: invalid configuration: %s", c->name);
  c->OH = OH;
  c->OW = OW;
  c->nx = g->N * d->in_channels * g->H * g->W;
  c->ny = g->N * d->out_channels * OH * OW;
  c->nw = d->out_channels * (d->in_channels / d->groups) * d->kernel_h *
          d->kernel_w;
  tu_rng r;
  tu_rng_seed(&r, g->seed);
  c->x = tu_alloc(c->nx);
  c->w = tu_alloc(c->nw);
  c->b = g->bias ? tu_alloc(d->out_channels * sizeof(int32_t)) : NULL;
  c->ref = tu_alloc(c->ny);
  c->acc = tu_alloc(c->ny * sizeof(int64_t));
  tq_draw_scales(c, &r);
  if (c->q.clamp && simdconv_desc_validate_q8(d, &c->q) ==
                        SIMDCONV_ERR_INVALID_QPARAMS) {
    /* The clamp misses the descriptor's: keep the descriptor's alone. */
    c->spec.clamp = false;
    c->q.clamp = 0;
    tq_spec_str(&c->spec, c->name, sizeof c->name);
  }
  tq_draw_tensors(c, &r);
  tq_case_refresh(c);
}

void tq_case_free(tq_case *c) {
  free(c->w_scales);
  free(c->x);
  free(c->w);
  free(c->b);
  free(c->ref);
  free(c->acc);
  memset(c, 0, sizeof *c);
}

/* ------------------------------------------------------------------------ */
/* Objects and runs                                                         */
/* ------------------------------------------------------------------------ */

simdconv_status tq_try_create(const tq_case *c, const simdconv_options *opt,
                              simdconv_conv **conv) {
  const simdconv_desc *d = &c->spec.geo.desc;
  const size_t nb = c->b != NULL ? d->out_channels * sizeof(int32_t) : 0;
  int8_t *w = tu_dup(c->w, c->nw);
  int32_t *b = tu_dup(c->b, nb);
  *conv = (simdconv_conv *)conv; /* must be overwritten */
  const simdconv_status st = simdconv_create_q8(d, &c->q, w, b, opt, conv);
  tu_scrub_free(w, c->nw);
  tu_scrub_free(b, nb);
  tu_check_created(st, *conv, c->name);
  return st;
}

static simdconv_status tq_try_create_any(const void *c,
                                         const simdconv_options *opt,
                                         simdconv_conv **conv) {
  return tq_try_create(c, opt, conv);
}

static tu_creator tq_creator_of(const tq_case *c) {
  return (tu_creator){tq_try_create_any, c, c->name, "q8_"};
}

simdconv_conv *tq_create(const tq_case *c, simdconv_isa isa) {
  const tu_creator cr = tq_creator_of(c);
  return tu_create_with(&cr, isa);
}

simdconv_conv *tq_create_kernel(const tq_case *c, const char *kernel) {
  const tu_creator cr = tq_creator_of(c);
  return tu_create_kernel_with(&cr, kernel);
}

#define TQ_GUARD 64     /* bytes after the output and the workspace */
#define TQ_SENTINEL 0xa5

void tq_run(const tq_case *c, const simdconv_conv *conv,
            const tu_run_opts *o, uint8_t *y) {
  const tu_spec *g = &c->spec.geo;
  char ostr[128];
  tu_opts_str(o, ostr, sizeof ostr);
  size_t ws = 0;
  simdconv_status st = simdconv_workspace_size(conv, g->N, g->H, g->W, &ws);
  cr_assert(st == SIMDCONV_OK && ws < ((size_t)1 << 40),
            "simdconv_workspace_size: %d, %zu bytes, for %s", (int)st, ws,
            c->name);
  const size_t mis = o->misalign;
  uint8_t *xb = tu_alloc(mis + c->nx);
  memcpy(xb + mis, c->x, c->nx);
  uint8_t *yb = tu_alloc(mis + c->ny + TQ_GUARD);
  memset(yb, TQ_SENTINEL, mis + c->ny + TQ_GUARD);
  uint8_t *wsb = NULL;
  if (o->workspace) {
    wsb = tu_alloc(1 + ws + TQ_GUARD);
    memset(wsb, TQ_SENTINEL, 1 + ws + TQ_GUARD);
  }
  st = simdconv_run_q8(conv, g->N, g->H, g->W, xb + mis, yb + mis,
                       wsb ? wsb + 1 : NULL, wsb ? ws : 0,
                       o->threads ? tu_pool() : NULL);
  cr_assert(st == SIMDCONV_OK, "simdconv_run_q8 failed: %d (%s) for %s; %s",
            (int)st, simdconv_status_string(st), c->name, ostr);
  for (size_t i = 0; i < mis + c->ny + TQ_GUARD; i++)
    cr_assert(
        (i >= mis && i < mis + c->ny) || yb[i] == TQ_SENTINEL,
        "simdconv_run_q8 wrote outside the output (byte %td of %zu) for %s; "
        "%s",
        (ptrdiff_t)i - (ptrdiff_t)mis, c->ny, c->name, ostr);
  for (size_t i = 0; wsb != NULL && i < TQ_GUARD; i++)
    cr_assert(wsb[0] == TQ_SENTINEL && wsb[1 + ws + i] == TQ_SENTINEL,
              "simdconv_run_q8 wrote outside its %zu-byte workspace for %s",
              ws, c->name);
  cr_assert(memcmp(xb + mis, c->x, c->nx) == 0,
            "simdconv_run_q8 modified its input for %s", c->name);
  memcpy(y, yb + mis, c->ny);
  free(xb);
  free(yb);
  free(wsb);
}

static size_t tq_checks_, tq_bytes_;

void tq_check(const tq_case *c, const simdconv_conv *conv, const char *what,
              const tu_run_opts *o) {
  uint8_t *y = tu_alloc(c->ny);
  tq_run(c, conv, o, y);
  size_t bad = 0, first = c->ny;
  for (size_t i = 0; i < c->ny; i++)
    if (y[i] != c->ref[i] && bad++ == 0)
      first = i;
  if (bad != 0) {
    const simdconv_desc *d = &c->spec.geo.desc;
    size_t pos[4];
    tu_tpos(d->layout, d->out_channels, c->OH, c->OW, first, pos);
    const size_t k = pos[1];
    const float ws = c->q.weight_scales[c->q.weight_scale_count == 1 ? 0 : k];
    char ostr[128];
    tu_opts_str(o, ostr, sizeof ostr);
    cr_assert(false,
              "%s: %zu of %zu output bytes differ from the oracle; first at "
              "%zu (n=%zu k=%zu oh=%zu ow=%zu): got %u, want %u (acc %" PRId64
              ", multiplier %a); config: %s; %s",
              what, bad, c->ny, first, pos[0], k, pos[2], pos[3], y[first],
              c->ref[first], c->acc[first],
              (double)(float)((double)c->q.input_scale * ws /
                              (double)c->q.output_scale),
              c->name, ostr);
  }
  tq_checks_++;
  tq_bytes_ += c->ny;
  free(y);
}

void tq_check_isa(const tq_case *c, simdconv_isa isa, const tu_run_opts *o) {
  simdconv_conv *conv = tq_create(c, isa);
  tq_check(c, conv, tu_isa_str(isa), o);
  simdconv_destroy(conv);
}

void tq_spec_from_tcfg(tq_spec *s, const tu_tcfg *t, simdconv_layout layout,
                       uint64_t seed) {
  memset(s, 0, sizeof *s);
  tu_spec_from_tcfg(&s->geo, t, layout, SIMDCONV_WEIGHTS_OIHW, 0, seed);
}

size_t tq_checks(void) { return tq_checks_; }

void tq_report(const char *what) {
  fprintf(stderr,
          "[simdconv-tests] %s: %zu int8 runs equal to the oracle, %zu "
          "output bytes compared\n",
          what, tq_checks_, tq_bytes_);
}
