/*
 * simdconv run: one convolution, described with PyTorch's Conv2d arguments,
 * run on every usable ISA (or those asked for): creation and run timed, the
 * result checked against the fp64 oracle, and the ISAs compared bit for bit.
 */
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* ------------------------------------------------------------------------ */
/* Options                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct run_options {
  size_t in_channels, out_channels; /* 0: not given */
  size_t kernel[2];                 /* R, S; 0: not given */
  size_t stride[2], dilation[2];
  cli_padding padding;
  simdconv_padding_mode padding_mode;
  size_t groups;
  simdconv_layout layout;
  simdconv_weight_layout weight_layout;
  bool flip, no_bias;
  bool transposed;
  size_t output_padding[2];
  cli_activation activation;
  size_t batch;
  size_t input[2]; /* H, W */
  size_t threads, repeat;
  bool spin; /* options.pool_wait = SIMDCONV_POOL_SPIN */
  uint64_t seed;
  uint32_t isas; /* mask; 0: every usable ISA */
  const char *ukernel; /* also run this registered kernel, or NULL */
  cli_optional_float residual; /* fused residual add with this alpha */
  bool in_place;               /* the output buffer holds the residual */
  cli_data_kind data;
  bool check;
  /* --int8: simdconv_create_q8 / simdconv_run_q8 (cmd_run_q8.c). */
  bool int8, per_tensor;
  simdconv_qtype in_type, out_type;
} run_options;

#define OPT(field) offsetof(run_options, field)

static const cli_flag run_flags[] = {
    {"--in-channels", "-C", cli_parse_positive, OPT(in_channels), false, "C",
     "input channels (required)"},
    {"--out-channels", "-K", cli_parse_positive, OPT(out_channels), false,
     "K", "output channels (required)"},
    {"--kernel", NULL, cli_parse_dims, OPT(kernel), false, "R[xS]",
     "kernel size (required)"},
    {"--stride", NULL, cli_parse_pair, OPT(stride), false, "H[,W]",
     "stride (default 1)"},
    {"--padding", NULL, cli_parse_padding, OPT(padding), false, "PAD",
     "P, H,W, T,B,L,R, same or valid (default 0)"},
    {"--padding-mode", NULL, cli_parse_padding_mode, OPT(padding_mode), false,
     "MODE", "zeros|reflect|replicate|circular (default zeros)"},
    {"--dilation", NULL, cli_parse_pair, OPT(dilation), false, "H[,W]",
     "dilation (default 1)"},
    {"--groups", NULL, cli_parse_positive, OPT(groups), false, "G",
     "groups (default 1; G = C is depthwise)"},
    {"--layout", NULL, cli_parse_layout, OPT(layout), false, "nchw|nhwc",
     "input and output layout (default nchw)"},
    {"--weights", NULL, cli_parse_weight_layout, OPT(weight_layout), false,
     "oihw|ohwi|iohw",
     "weight layout (default oihw; iohw is ConvTranspose2d's, transposed "
     "only)"},
    {"--transposed", NULL, NULL, OPT(transposed), true, NULL,
     "transposed convolution (F.conv_transpose2d): --padding crops the "
     "output"},
    {"--output-padding", NULL, cli_parse_pair0, OPT(output_padding), false,
     "H[,W]", "transposed: rows/columns added at the bottom/right (default "
     "0)"},
    {"--flip", NULL, NULL, OPT(flip), true, NULL,
     "flip the kernel: true convolution (scipy.signal.convolve2d)"},
    {"--no-bias", NULL, NULL, OPT(no_bias), true, NULL, "no bias"},
    {"--activation", NULL, cli_parse_activation, OPT(activation), false,
     "ACT",
     "none|relu|relu6|clamp:MIN:MAX|sigmoid|tanh|silu|gelu_erf (or gelu)|"
     "gelu_tanh (default none)"},
    {"--batch", "-N", cli_parse_positive, OPT(batch), false, "N",
     "batch size (default 1)"},
    {"--height", "-H", cli_parse_positive, OPT(input), false, "H",
     "input height (default 32)"},
    {"--width", "-W", cli_parse_positive, OPT(input) + sizeof(size_t), false,
     "W", "input width (default 32)"},
    {"--input", NULL, cli_parse_dims, OPT(input), false, "H[xW]",
     "input height and width"},
    {"--threads", NULL, cli_parse_positive, OPT(threads), false, "T",
     "pthreadpool threads (default 1: no pool)"},
    {"--spin", NULL, NULL, OPT(spin), true, NULL,
     "with --threads: the pool's workers spin between runs instead of "
     "sleeping (options.pool_wait SPIN)"},
    {"--isa", NULL, cli_parse_isa_list, OPT(isas), false, "ISA[,ISA]",
     "auto|scalar|avx2|avx512|neon (default: every usable ISA)"},
    {"--ukernel", NULL, cli_parse_kernel_name, OPT(ukernel), false, "NAME",
     "also run this kernel alone ('" CLI_NAME " info --kernels' lists them)"},
    {"--residual", NULL, cli_parse_optional_float, OPT(residual), false,
     "ALPHA",
     "add ALPHA times a random residual of the output's shape before the "
     "activation (simdconv_run_residual)"},
    {"--in-place", NULL, NULL, OPT(in_place), true, NULL,
     "with --residual: the output buffer holds the residual (accumulate)"},
    {"--repeat", NULL, cli_parse_positive, OPT(repeat), false, "N",
     "timed runs, the median is reported (default 5)"},
    {"--seed", NULL, cli_parse_u64, OPT(seed), false, "S",
     "seed of the data (default: from the clock)"},
    {"--data", NULL, cli_parse_data_kind, OPT(data), false, "random|int",
     "uniform in [-1,1), or integers in [-4,4] (exact sums)"},
    {"--check", NULL, NULL, OPT(check), true, NULL,
     "compare with the fp64 oracle (default)"},
    {"--no-check", NULL, NULL, OPT(check), false, NULL,
     "do not compare with the oracle"},
    {"--int8", NULL, NULL, OPT(int8), true, NULL,
     "quantized int8 convolution (QLinearConv): random bytes, per-channel "
     "scales, checked byte for byte against the exact oracle"},
    {"--input-type", NULL, cli_parse_qtype, OPT(in_type), false, "u8|s8",
     "--int8: input type (default u8)"},
    {"--output-type", NULL, cli_parse_qtype, OPT(out_type), false, "u8|s8",
     "--int8: output type (default u8)"},
    {"--per-tensor", NULL, NULL, OPT(per_tensor), true, NULL,
     "--int8: one weight scale (default: one per output channel)"},
};

#define RUN_FLAG_COUNT (sizeof run_flags / sizeof run_flags[0])

static void print_run_usage(void) {
  printf("usage: " CLI_NAME " run -C C -K K --kernel R[xS] [options]\n\n"
         "Runs F.conv2d (F.conv_transpose2d with --transposed) on random data "
         "on every\nusable ISA (or those given with --isa), times it, checks "
         "it against the fp64\noracle and checks that all ISAs agree bit for "
         "bit. Exit status: 0 all good, 1 "
         "a check failed, 2 bad arguments.\n\noptions:\n");
  cli_print_flags(run_flags, RUN_FLAG_COUNT);
}

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

uint64_t splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

static void fill(float *x, size_t n, cli_data_kind kind, uint64_t *state) {
  for (size_t i = 0; i < n; i++) {
    uint64_t r = splitmix64(state);
    x[i] = kind == CLI_DATA_INT
               ? (float)((int)((r >> 32) % 9) - 4)
               : (float)((double)(r >> 40) * 0x1p-23 - 1.0); /* exact */
  }
}

size_t mul(size_t a, size_t b) {
  if (b != 0 && a > SIZE_MAX / b)
    cli_fatal("tensor sizes overflow size_t");
  return a * b;
}

void *xmalloc(size_t count, size_t size, const char *what) {
  size_t bytes = mul(count, size);
  void *p = malloc(bytes ? bytes : 1);
  if (!p) cli_fatal("out of memory allocating %s (%zu bytes)", what, bytes);
  return p;
}

void check_config(simdconv_status st) {
  if (st != SIMDCONV_OK)
    cli_usage_error("invalid configuration: %s", simdconv_status_string(st));
}

void check_call(simdconv_status st, const char *call,
                simdconv_isa isa) {
  if (st != SIMDCONV_OK)
    cli_fatal("%s failed%s%s: %s", call, isa ? " on " : "",
              isa ? simdconv_isa_name(isa) : "", simdconv_status_string(st));
}

static int compare_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double median(double *t, size_t n) {
  qsort(t, n, sizeof *t, compare_double);
  return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

void format_seconds(double s, char *buf, size_t size) {
  if (s < 1e-3)
    snprintf(buf, size, "%.2f us", s * 1e6);
  else if (s < 1.0)
    snprintf(buf, size, "%.3f ms", s * 1e3);
  else
    snprintf(buf, size, "%.3f s", s);
}

static uint32_t float_bits(float x) {
  uint32_t u;
  memcpy(&u, &x, sizeof u);
  return u;
}

/* Counts the elements where a and b differ bitwise; any two NaNs are
 * equal. *first receives the first such index. */
static size_t count_differences(const float *a, const float *b, size_t n,
                                size_t *first) {
  size_t count = 0;
  for (size_t i = 0; i < n; i++) {
    if (float_bits(a[i]) == float_bits(b[i]) || (isnan(a[i]) && isnan(b[i])))
      continue;
    if (count++ == 0) *first = i;
  }
  return count;
}

/* ------------------------------------------------------------------------ */
/* The problem                                                              */
/* ------------------------------------------------------------------------ */

/* Everything derived from the options. */
typedef struct problem {
  simdconv_desc desc;
  size_t N, H, W, OH, OW;
  size_t in_elems, w_elems, out_elems;
  double flops;
  pthreadpool_t pool;
  uint32_t isas;
} problem;

static void build_desc(const run_options *o, simdconv_desc *d) {
  simdconv_desc_init(d, o->in_channels, o->out_channels, o->kernel[0],
                     o->kernel[1]);
  d->stride_h = o->stride[0];
  d->stride_w = o->stride[1];
  d->dilation_h = o->dilation[0];
  d->dilation_w = o->dilation[1];
  d->groups = o->groups;
  d->padding = o->padding.kind;
  d->pad_top = o->padding.pads[0];
  d->pad_bottom = o->padding.pads[1];
  d->pad_left = o->padding.pads[2];
  d->pad_right = o->padding.pads[3];
  d->padding_mode = o->padding_mode;
  d->layout = o->layout;
  d->weight_layout = o->weight_layout;
  d->flip_kernel = o->flip;
  d->transposed = o->transposed;
  d->output_padding_h = o->output_padding[0];
  d->output_padding_w = o->output_padding[1];
  d->activation = o->activation.kind;
  if (o->activation.kind == SIMDCONV_ACT_CLAMP) {
    d->act_min = o->activation.min;
    d->act_max = o->activation.max;
  }
}

/* The ISAs to run: those asked for, each of which must be usable, or every
 * usable one. */
static uint32_t select_isas(uint32_t requested) {
  uint32_t mask = 0;
  for (int i = 1; i < SIMDCONV_ISA_COUNT; i++) {
    simdconv_isa isa = (simdconv_isa)i;
    simdconv_status st = simdconv_isa_check(isa);
    if (requested & (1u << i)) {
      if (st != SIMDCONV_OK)
        cli_usage_error("--isa %s: %s", simdconv_isa_name(isa),
                        simdconv_status_string(st));
      mask |= 1u << i;
    } else if (!requested && st == SIMDCONV_OK) {
      mask |= 1u << i;
    }
  }
  if (!mask) cli_fatal("no usable ISA");
  return mask;
}

/* Validates the options through the library (exit 2 on any problem) and
 * derives the problem. */
static void setup_problem(const run_options *o, problem *p) {
  if (!o->in_channels) cli_usage_error("--in-channels (-C) is required");
  if (!o->out_channels) cli_usage_error("--out-channels (-K) is required");
  if (!o->kernel[0]) cli_usage_error("--kernel is required");
  if (o->in_place && !o->residual.given)
    cli_usage_error("--in-place needs --residual");
  /* The int8 path is forward only and has no residual add (the library
   * answers TRANSPOSED_INT8 and DTYPE_MISMATCH). */
  if (o->int8 && o->residual.given)
    cli_usage_error("--residual is an fp32 option, not for --int8");
  if (o->int8 && o->transposed)
    cli_usage_error("--int8 convolutions are forward only (no --transposed)");
  build_desc(o, &p->desc);
  check_config(simdconv_desc_validate(&p->desc));
  p->N = o->batch;
  p->H = o->input[0];
  p->W = o->input[1];
  check_config(simdconv_output_shape(&p->desc, p->H, p->W, &p->OH, &p->OW));
  if (p->N > SIMDCONV_MAX_DIM) check_config(SIMDCONV_ERR_INVALID_SIZE);
  p->isas = select_isas(o->isas);

  const simdconv_desc *d = &p->desc;
  size_t Cg = d->in_channels / d->groups;
  size_t taps = mul(mul(Cg, d->kernel_h), d->kernel_w);
  p->in_elems = mul(mul(p->N, d->in_channels), mul(p->H, p->W));
  p->w_elems = mul(d->out_channels, taps);
  p->out_elems = mul(mul(p->N, d->out_channels), mul(p->OH, p->OW));
  p->flops = 2.0 * (double)p->out_elems * (double)taps;
  if (d->transposed) /* every input pixel through every tap: oneDNN's count */
    p->flops = 2.0 * (double)p->in_elems * (double)(d->out_channels /
               d->groups) * (double)d->kernel_h * (double)d->kernel_w;

  p->pool = NULL;
  if (o->threads > 1) {
    p->pool = pthreadpool_create(o->threads);
    if (!p->pool) cli_fatal("pthreadpool_create(%zu) failed", o->threads);
  }
}

/* Prints the shapes and settings: enough to repeat the run. */
static void print_problem(const run_options *o, const problem *p) {
  const simdconv_desc *d = &p->desc;
  bool nhwc = d->layout == SIMDCONV_LAYOUT_NHWC;
  bool ohwi = d->weight_layout == SIMDCONV_WEIGHTS_OHWI;
  size_t pads[4] = {0, 0, 0, 0};
  char act[64], isas[64];
  check_config(simdconv_resolved_padding(d, pads));
  cli_activation_format(&o->activation, act, sizeof act);
  cli_isa_mask_format(p->isas, ", ", isas, sizeof isas);

#define SHAPE4(a, b, c, e, swap)                                            \
  (size_t)(a), (size_t)((swap) ? (c) : (b)), (size_t)((swap) ? (e) : (c)),  \
      (size_t)((swap) ? (b) : (e))
  printf("input:   %zu x %zu x %zu x %zu (%s)\n",
         SHAPE4(p->N, d->in_channels, p->H, p->W, nhwc),
         cli_layout_name(d->layout));
  const bool iohw = d->weight_layout == SIMDCONV_WEIGHTS_IOHW;
  printf("weights: %zu x %zu x %zu x %zu (%s)%s%s\n",
         SHAPE4(iohw ? d->in_channels : d->out_channels,
                (iohw ? d->out_channels : d->in_channels) / d->groups,
                d->kernel_h, d->kernel_w, ohwi),
         cli_weight_layout_name(d->weight_layout),
         d->flip_kernel ? ", flipped" : "", o->no_bias ? ", no bias" : ", bias");
  printf("output:  %zu x %zu x %zu x %zu (%s)\n",
         SHAPE4(p->N, d->out_channels, p->OH, p->OW, nhwc),
         cli_layout_name(d->layout));
#undef SHAPE4
  printf("conv:    stride %zu,%zu  dilation %zu,%zu  groups %zu  padding "
         "%s%zu,%zu,%zu,%zu (t,b,l,r) %s  activation %s\n",
         d->stride_h, d->stride_w, d->dilation_h, d->dilation_w, d->groups,
         d->padding == SIMDCONV_PADDING_SAME    ? "same = "
         : d->padding == SIMDCONV_PADDING_VALID ? "valid = "
                                                : "",
         pads[0], pads[1], pads[2], pads[3],
         cli_padding_mode_name(d->padding_mode), act);
  if (d->transposed)
    printf("         transposed (the padding crops the output), output "
           "padding %zu,%zu\n",
           d->output_padding_h, d->output_padding_w);
  printf("run:     data %s, seed %llu, threads %zu, repeat %zu, %.4g GFLOP "
         "per run, ISAs %s\n",
         cli_data_kind_name(o->data), (unsigned long long)o->seed,
         p->pool ? pthreadpool_get_threads_count(p->pool) : 1, o->repeat,
         p->flops * 1e-9, isas);
  if (o->residual.given)
    printf("residual: y = act(conv + %.9g r), r random of the output's "
           "shape, %s\n",
           (double)o->residual.value,
           o->in_place ? "in place (the output buffer holds r)"
                       : "in its own buffer");
}

/* ------------------------------------------------------------------------ */
/* Running one ISA                                                          */
/* ------------------------------------------------------------------------ */

typedef struct tensors {
  float *input, *weights, *bias; /* bias NULL with --no-bias */
  float *residual;               /* NULL without --residual */
  double *ref, *bound;           /* NULL without --check */
  float *warm, *out;             /* warm-up and last timed output */
} tensors;

/* What an fp32 run reads besides the object: the options and tensors. */
typedef struct f32_job {
  const run_options *o;
  const problem *p;
  const tensors *t;
} f32_job;

/* With --in-place, out first receives the residual (before the clock
 * starts) and the run reads it from there. */
static void f32_prepare(const cli_runner *r, void *out) {
  const f32_job *j = r->ctx;
  if (j->o->in_place)
    memcpy(out, j->t->residual, j->p->out_elems * sizeof(float));
}

/* simdconv_run_residual: a NULL residual without --residual. */
static simdconv_status f32_run(const cli_runner *r, void *out, void *ws,
                               size_t ws_bytes) {
  const f32_job *j = r->ctx;
  const float *res = j->o->in_place ? out : j->t->residual;
  return simdconv_run_residual(r->conv, r->N, r->H, r->W, r->input, res,
                               j->o->residual.value, out, ws, ws_bytes,
                               r->pool);
}

/* Runs, times and checks one ISA, or one kernel forced onto isa (its ISA)
 * when kernel is not NULL; leaves its output in t->out. Returns false when
 * a check failed. */
static bool run_isa(const run_options *o, const problem *p, simdconv_isa isa,
                    const char *kernel, tensors *t) {
  const char *name = kernel ? kernel : simdconv_isa_name(isa);
  simdconv_options opts = {
      .isa = isa,
      .kernel = kernel,
      .pool_wait = o->spin ? SIMDCONV_POOL_SPIN : SIMDCONV_POOL_YIELD};
  simdconv_conv *conv = NULL;
  double t0 = now_seconds();
  simdconv_status st =
      simdconv_create(&p->desc, t->weights, t->bias, &opts, &conv);
  double create_s = now_seconds() - t0;
  if (st != SIMDCONV_OK && st != SIMDCONV_ERR_OUT_OF_MEMORY)
    check_config(st);
  check_call(st, "simdconv_create", isa);

  const f32_job job = {o, p, t};
  const cli_runner runner = {.run = f32_run,
                             .call = "simdconv_run_residual",
                             .conv = conv,
                             .N = p->N,
                             .H = p->H,
                             .W = p->W,
                             .input = t->input,
                             .pool = p->pool,
                             .prepare = f32_prepare,
                             .ctx = &job};
  /* A NaN in every output first: what a kernel leaves unwritten must not
   * pass for the previous ISA's result. */
  for (size_t i = 0; i < p->out_elems; i++)
    t->warm[i] = t->out[i] = NAN;
  const cli_timing tm = cli_time_runs(&runner, isa, o->repeat, t->warm,
                                      t->out);
  const simdconv_conv_info info = tm.info;
  cli_print_timing(name, &tm, create_s, o->repeat, p->flops, "GFLOP");
  simdconv_destroy(conv);

  bool ok = info.isa == isa;
  if (!ok)
    printf("[%s] FAIL: the object runs on %s\n", name,
           simdconv_isa_name(info.isa));
  size_t first = 0;
  size_t diff = count_differences(t->warm, t->out, p->out_elems, &first);
  if (diff) {
    ok = false;
    printf("[%s] FAIL: the timed runs differ from the warm-up run in %zu "
           "elements (first at %zu: %.9g [%08" PRIx32 "] vs %.9g [%08" PRIx32
           "])\n",
           name, diff, first, (double)t->out[first], float_bits(t->out[first]),
           (double)t->warm[first], float_bits(t->warm[first]));
  }
  if (t->ref) {
    simdconv_compare_stats s;
    check_call(simdconv_compare(t->out, t->ref, t->bound, p->out_elems, &s),
               "simdconv_compare", isa);
    printf("[%s] oracle: max ULP %.3g, max err/bound %.3g, max |err| %.3g, "
           "violations %zu of %zu: %s\n",
           name, s.max_ulp, s.max_err_over_bound, s.max_abs_err, s.violations,
           s.count, s.violations ? "FAIL" : "ok");
    if (s.violations) {
      size_t i = s.first_violation;
      ok = false;
      printf("[%s] first violation at %zu: got %.9g, oracle %.17g, bound "
             "%.3g\n",
             name, i, (double)t->out[i], t->ref[i], t->bound[i]);
    }
  }
  return ok;
}

/* ------------------------------------------------------------------------ */
/* The command                                                              */
/* ------------------------------------------------------------------------ */

/* The outputs of the runs, compared bit for bit with the first one. */
typedef struct agreement {
  float *first_out;     /* the first run's output */
  char first_name[128]; /* its ISA or kernel; empty before the first run */
  char verdict[512];    /* the first difference, or empty */
} agreement;

static void compare_outputs(const problem *p, const char *name,
                            const tensors *t, agreement *a) {
  size_t first = 0, diff;
  if (a->first_name[0] == '\0') {
    snprintf(a->first_name, sizeof a->first_name, "%s", name);
    memcpy(a->first_out, t->out, p->out_elems * sizeof(float));
  } else if (!a->verdict[0] &&
             (diff = count_differences(a->first_out, t->out, p->out_elems,
                                       &first)) != 0) {
    snprintf(a->verdict, sizeof a->verdict,
             "no (%s differs from %s in %zu of %zu elements, first at "
             "%zu: %.9g [%08" PRIx32 "] vs %.9g [%08" PRIx32 "])",
             name, a->first_name, diff, p->out_elems, first,
             (double)t->out[first], float_bits(t->out[first]),
             (double)a->first_out[first], float_bits(a->first_out[first]));
  }
}

/* --int8: the job for cmd_run_q8.c. */
static int run_int8(const run_options *o, const problem *p) {
  const cli_q8_job job = {
      .desc = &p->desc, .N = p->N, .H = p->H, .W = p->W, .OH = p->OH,
      .OW = p->OW, .in_elems = p->in_elems, .w_elems = p->w_elems,
      .out_elems = p->out_elems, .ops = p->flops, .pool = p->pool,
      .isas = p->isas, .ukernel = o->ukernel, .repeat = o->repeat,
      .pool_wait = o->spin ? SIMDCONV_POOL_SPIN : SIMDCONV_POOL_YIELD,
      .seed = o->seed, .in_type = o->in_type, .out_type = o->out_type,
      .per_tensor = o->per_tensor, .no_bias = o->no_bias, .check = o->check};
  const int rc = cli_run_q8(&job);
  if (p->pool) pthreadpool_destroy(p->pool);
  return rc;
}

static uint64_t clock_seed(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t s = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  return splitmix64(&s) >> 16; /* short enough to retype */
}

int cli_cmd_run(int argc, char **argv) {
  run_options o = {
      .stride = {1, 1},
      .dilation = {1, 1},
      .padding = {SIMDCONV_PADDING_EXPLICIT, {0, 0, 0, 0}},
      .groups = 1,
      .activation = {SIMDCONV_ACT_NONE, 0.0f, 0.0f},
      .batch = 1,
      .input = {32, 32},
      .threads = 1,
      .repeat = 5,
      .seed = clock_seed(),
      .check = true,
  };
  if (!cli_parse_flags(run_flags, RUN_FLAG_COUNT, argc - 1, argv + 1, &o)) {
    print_run_usage();
    return CLI_EXIT_OK;
  }
  problem p;
  setup_problem(&o, &p);
  print_problem(&o, &p);
  if (o.int8)
    return run_int8(&o, &p);

  tensors t = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
  uint64_t rng = o.seed;
  t.input = xmalloc(p.in_elems, sizeof(float), "the input");
  t.weights = xmalloc(p.w_elems, sizeof(float), "the weights");
  fill(t.input, p.in_elems, o.data, &rng);
  fill(t.weights, p.w_elems, o.data, &rng);
  if (!o.no_bias) {
    t.bias = xmalloc(p.desc.out_channels, sizeof(float), "the bias");
    fill(t.bias, p.desc.out_channels, o.data, &rng);
  }
  if (o.residual.given) {
    t.residual = xmalloc(p.out_elems, sizeof(float), "the residual");
    fill(t.residual, p.out_elems, o.data, &rng);
  }
  t.warm = xmalloc(p.out_elems, sizeof(float), "the output");
  t.out = xmalloc(p.out_elems, sizeof(float), "the output");
  agreement agree = {.first_out = xmalloc(p.out_elems, sizeof(float),
                                          "the output")};
  if (o.check) {
    t.ref = xmalloc(p.out_elems, sizeof(double), "the oracle's output");
    t.bound = xmalloc(p.out_elems, sizeof(double), "the oracle's bounds");
    check_call(simdconv_reference_residual(&p.desc, p.N, p.H, p.W, t.input,
                                           t.weights, t.bias, t.residual,
                                           o.residual.value, t.ref, t.bound),
               "simdconv_reference_residual", SIMDCONV_ISA_AUTO);
  }

  bool ok = true;
  for (int i = 1; i < SIMDCONV_ISA_COUNT; i++) {
    simdconv_isa isa = (simdconv_isa)i;
    if (!(p.isas & (1u << i))) continue;
    ok &= run_isa(&o, &p, isa, NULL, &t);
    compare_outputs(&p, simdconv_isa_name(isa), &t, &agree);
  }
  if (o.ukernel != NULL) {
    size_t index;
    simdconv_kernel_info k;
    simdconv_kernel_find(o.ukernel, &index);
    simdconv_kernel_get(index, &k);
    ok &= run_isa(&o, &p, k.isa, o.ukernel, &t);
    compare_outputs(&p, o.ukernel, &t, &agree);
  }
  if (!agree.verdict[0]) {
    char isas[64];
    cli_isa_mask_format(p.isas, ", ", isas, sizeof isas);
    snprintf(agree.verdict, sizeof agree.verdict, "yes (%s%s%s)", isas,
             o.ukernel ? ", " : "", o.ukernel ? o.ukernel : "");
  } else {
    ok = false;
  }
  printf("all ISAs agree bit for bit: %s\n", agree.verdict);

  if (p.pool) pthreadpool_destroy(p.pool);
  free(t.input);
  free(t.weights);
  free(t.bias);
  free(t.residual);
  free(t.warm);
  free(t.out);
  free(agree.first_out);
  free(t.ref);
  free(t.bound);
  return ok ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
