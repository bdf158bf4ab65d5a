/*
 * The simdconv command-line tool: declarations shared by its source files.
 *
 * Exit codes: 0 success, 1 a check failed or a run-time error (out of memory,
 * a library call failing on valid arguments), 2 bad arguments.
 */
#ifndef SIMDCONV_CLI_H
#define SIMDCONV_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simdconv.h"

#define CLI_NAME "simdconv"

enum { CLI_EXIT_OK = 0, CLI_EXIT_FAILURE = 1, CLI_EXIT_USAGE = 2 };

/* Prints "simdconv: <message>" on stderr and exits with CLI_EXIT_USAGE. */
_Noreturn void cli_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* Prints "simdconv: <message>" on stderr and exits with CLI_EXIT_FAILURE. */
_Noreturn void cli_fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* ------------------------------------------------------------------------ */
/* Value parsers (cli_parse.c)                                              */
/* ------------------------------------------------------------------------ */

/* Every parser takes the flag name (for messages), the text and where to
 * store the result; on malformed text it reports a usage error and exits.
 * The storage type of each is given beside it. */
typedef void (*cli_value_parser)(const char *flag, const char *text,
                                 void *dst);

/* size_t: an integer >= 1 ("expected a positive integer"). */
void cli_parse_positive(const char *flag, const char *text, void *dst);
/* uint64_t: any unsigned 64-bit integer. */
void cli_parse_u64(const char *flag, const char *text, void *dst);
/* size_t[2]: "A" (both A) or "A,B" (h,w), each positive. */
void cli_parse_pair(const char *flag, const char *text, void *dst);
/* size_t[2]: "A" (both A) or "A,B" (h,w), each non-negative. */
void cli_parse_pair0(const char *flag, const char *text, void *dst);
/* size_t[2]: "A" (both A) or "AxB", each positive. */
void cli_parse_dims(const char *flag, const char *text, void *dst);
/* cli_padding: "P", "H,W", "T,B,L,R", "same" or "valid". */
void cli_parse_padding(const char *flag, const char *text, void *dst);
/* simdconv_padding_mode: zeros|reflect|replicate|circular. */
void cli_parse_padding_mode(const char *flag, const char *text, void *dst);
/* simdconv_layout: nchw|nhwc. */
void cli_parse_layout(const char *flag, const char *text, void *dst);
/* simdconv_weight_layout: oihw|ohwi|iohw. */
void cli_parse_weight_layout(const char *flag, const char *text, void *dst);
/* cli_activation: none|relu|relu6|clamp:MIN:MAX|sigmoid|tanh|silu|gelu_erf
 * (or gelu)|gelu_tanh: the library's names and PyTorch's presets. */
void cli_parse_activation(const char *flag, const char *text, void *dst);
/* cli_optional_float: a finite decimal number ("0.5", "-1", "1e-3"). */
void cli_parse_optional_float(const char *flag, const char *text, void *dst);
/* const char *: the name of a registered kernel (simdconv_kernel_find). */
void cli_parse_kernel_name(const char *flag, const char *text, void *dst);
/* uint32_t ISA mask (bit 1u << isa): a comma-separated list of ISA names;
 * "auto" stands for the active ISA. */
void cli_parse_isa_list(const char *flag, const char *text, void *dst);
/* cli_data_kind: random|int. */
void cli_parse_data_kind(const char *flag, const char *text, void *dst);
/* simdconv_qtype: u8|s8. */
void cli_parse_qtype(const char *flag, const char *text, void *dst);

typedef struct cli_padding {
  simdconv_padding kind; /* EXPLICIT, VALID or SAME */
  size_t pads[4];        /* top, bottom, left, right (EXPLICIT only) */
} cli_padding;

typedef struct cli_activation {
  simdconv_activation kind;
  float min, max; /* SIMDCONV_ACT_CLAMP only */
} cli_activation;

/* A float flag that may be absent. */
typedef struct cli_optional_float {
  bool given;
  float value;
} cli_optional_float;

typedef enum cli_data_kind { CLI_DATA_RANDOM = 0, CLI_DATA_INT = 1 } cli_data_kind;

/* Names for printing what was parsed. */
const char *cli_padding_mode_name(simdconv_padding_mode mode);
const char *cli_layout_name(simdconv_layout layout);
const char *cli_weight_layout_name(simdconv_weight_layout layout);
const char *cli_data_kind_name(cli_data_kind kind);
const char *cli_qtype_name(simdconv_qtype type);
/* Writes "relu", "clamp:-1:1", ... into buf. */
void cli_activation_format(const cli_activation *act, char *buf, size_t size);
/* Writes the names of the ISAs in mask, separated by sep, into buf. */
void cli_isa_mask_format(uint32_t mask, const char *sep, char *buf,
                         size_t size);

/* ------------------------------------------------------------------------ */
/* Flag tables (cli_parse.c)                                                */
/* ------------------------------------------------------------------------ */

/* One command-line flag. A flag with a parser takes a value ("--f V",
 * "--f=V", or "-x V" for its short alias); one without stores bool_value
 * into the bool at offset. */
typedef struct cli_flag {
  const char *name;  /* "--stride" */
  const char *alias; /* "-C", or NULL */
  cli_value_parser parse;
  size_t offset; /* of the destination in the options struct */
  bool bool_value;
  const char *metavar; /* NULL for boolean flags */
  const char *help;
} cli_flag;

/* Parses argv[0..argc-1] against the table into opts. Returns false when
 * --help / -h was seen (the caller prints usage). Positional arguments and
 * unknown flags are usage errors. */
bool cli_parse_flags(const cli_flag *flags, size_t nflags, int argc,
                     char **argv, void *opts);
/* Prints one line per flag. */
void cli_print_flags(const cli_flag *flags, size_t nflags);

/* ------------------------------------------------------------------------ */
/* Subcommands                                                              */
/* ------------------------------------------------------------------------ */

/* argv[0] is the subcommand name. Each returns the exit code. */
int cli_cmd_info(int argc, char **argv);
int cli_cmd_run(int argc, char **argv);

/* ------------------------------------------------------------------------ */
/* simdconv run: helpers of cmd_run.c shared with cmd_run_q8.c              */
/* ------------------------------------------------------------------------ */

double now_seconds(void);
/* Sorts t[0..n-1] and returns its median. */
double median(double *t, size_t n);
void format_seconds(double s, char *buf, size_t size);
uint64_t splitmix64(uint64_t *state);
/* a * b, exiting on size_t overflow. */
size_t mul(size_t a, size_t b);
void *xmalloc(size_t count, size_t size, const char *what);
/* A status from validation: a usage error unless OK. */
void check_config(simdconv_status st);
/* A status from a call on valid arguments: fatal unless OK. */
void check_call(simdconv_status st, const char *call, simdconv_isa isa);

/* One run of an object on a fixed input (cli_timing.c): run calls
 * simdconv_run_residual or simdconv_run_q8 (named call) into out; prepare,
 * if not NULL, readies out before each run, outside the clock (--in-place
 * copies the residual there). ctx: the runner's own data. */
typedef struct cli_runner {
  simdconv_status (*run)(const struct cli_runner *r, void *out, void *ws,
                         size_t ws_bytes);
  const char *call;
  const simdconv_conv *conv;
  size_t N, H, W;
  const void *input;
  pthreadpool_t pool;
  void (*prepare)(const struct cli_runner *r, void *out);
  const void *ctx;
} cli_runner;

/* The object's info and workspace size and its run times in seconds. */
typedef struct cli_timing {
  simdconv_conv_info info;
  size_t ws_bytes;
  double median, min;
} cli_timing;

/* Runs once into warm, then repeat timed runs into out; exits on error. */
cli_timing cli_time_runs(const cli_runner *r, simdconv_isa isa,
                         size_t repeat, void *warm, void *out);
/* Prints the kernel, sizes, creation time and run times; ops per run in
 * `unit`s (GFLOP, GOP) give the rate. */
void cli_print_timing(const char *name, const cli_timing *t, double create_s,
                      size_t repeat, double ops, const char *unit);

/* `simdconv run --int8`: what cmd_run.c parsed and derived. */
typedef struct cli_q8_job {
  const simdconv_desc *desc;
  size_t N, H, W, OH, OW, in_elems, w_elems, out_elems;
  double ops;         /* 2 * multiply-adds per run */
  pthreadpool_t pool; /* NULL: one thread */
  uint32_t isas;      /* ISAs to run */
  const char *ukernel;
  size_t repeat;
  simdconv_pool_wait pool_wait;
  uint64_t seed;
  simdconv_qtype in_type, out_type;
  bool per_tensor, no_bias, check;
} cli_q8_job;

/* Runs the int8 convolution on every ISA of the job (and the kernel),
 * times it, checks each output byte against simdconv_reference_q8 and
 * every ISA against the first; returns the exit code (cmd_run_q8.c). */
int cli_run_q8(const cli_q8_job *job);

#endif /* SIMDCONV_CLI_H */
