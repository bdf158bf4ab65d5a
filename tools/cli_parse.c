/*
 * Strict parsers for the values of command-line flags, and the table-driven
 * flag parser. Every parser rejects anything that is not exactly what it
 * documents: no sign, no spaces, no trailing characters, no overflow.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void vreport(const char *fmt, va_list ap) {
  fputs(CLI_NAME ": ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

_Noreturn void cli_usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreport(fmt, ap);
  va_end(ap);
  exit(CLI_EXIT_USAGE);
}

_Noreturn void cli_fatal(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreport(fmt, ap);
  va_end(ap);
  exit(CLI_EXIT_FAILURE);
}

/* ------------------------------------------------------------------------ */
/* Integers                                                                 */
/* ------------------------------------------------------------------------ */

/* Parses up to max unsigned decimal integers separated by sep into out and
 * returns how many there were, or 0 when the text is malformed: an empty
 * item, a sign, a space, any other character, or a value above limit. */
static size_t parse_uint_list(const char *text, char sep, uint64_t limit,
                              uint64_t *out, size_t max) {
  size_t count = 0;
  const char *p = text;
  for (;;) {
    if (count == max || !isdigit((unsigned char)*p)) return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(p, &end, 10);
    if (errno == ERANGE || v > limit) return 0;
    out[count++] = (uint64_t)v;
    if (*end == '\0') return count;
    if (*end != sep) return 0;
    p = end + 1;
  }
}

/* Parses 1 or `max` positive integers separated by sep; one value is
 * repeated into all max slots. */
static void parse_positive_list(const char *flag, const char *text, char sep,
                                const char *expected, size_t *dst,
                                size_t max) {
  uint64_t v[4];
  size_t n = parse_uint_list(text, sep, SIZE_MAX, v, max);
  if (n != 1 && n != max)
    cli_usage_error("%s: expected %s, got '%s'", flag, expected, text);
  for (size_t i = 0; i < max; i++) {
    uint64_t x = n == 1 ? v[0] : v[i];
    if (x == 0)
      cli_usage_error("%s: expected %s, got '%s'", flag, expected, text);
    dst[i] = (size_t)x;
  }
}

void cli_parse_positive(const char *flag, const char *text, void *dst) {
  parse_positive_list(flag, text, '\0', "a positive integer", (size_t *)dst,
                      1);
}

void cli_parse_u64(const char *flag, const char *text, void *dst) {
  if (parse_uint_list(text, '\0', UINT64_MAX, (uint64_t *)dst, 1) != 1)
    cli_usage_error("%s: expected an unsigned 64-bit integer, got '%s'",
                    flag, text);
}

void cli_parse_pair(const char *flag, const char *text, void *dst) {
  parse_positive_list(flag, text, ',', "a positive integer or H,W",
                      (size_t *)dst, 2);
}

void cli_parse_pair0(const char *flag, const char *text, void *dst) {
  uint64_t v[2];
  const size_t n = parse_uint_list(text, ',', SIZE_MAX, v, 2);
  if (n == 0)
    cli_usage_error("%s: expected a non-negative integer or H,W, got '%s'",
                    flag, text);
  ((size_t *)dst)[0] = (size_t)v[0];
  ((size_t *)dst)[1] = (size_t)v[n - 1];
}

void cli_parse_dims(const char *flag, const char *text, void *dst) {
  parse_positive_list(flag, text, 'x', "a positive integer or HxW",
                      (size_t *)dst, 2);
}

void cli_parse_padding(const char *flag, const char *text, void *dst) {
  cli_padding *pad = dst;
  if (strcmp(text, "same") == 0 || strcmp(text, "valid") == 0) {
    pad->kind = text[0] == 's' ? SIMDCONV_PADDING_SAME : SIMDCONV_PADDING_VALID;
    memset(pad->pads, 0, sizeof pad->pads);
    return;
  }
  uint64_t v[4];
  size_t n = parse_uint_list(text, ',', SIZE_MAX, v, 4);
  /* P: every side; H,W: top = bottom = H, left = right = W; T,B,L,R. */
  static const size_t pick[5][4] = {
      {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 1, 1}, {0, 0, 0, 0}, {0, 1, 2, 3}};
  if (n != 1 && n != 2 && n != 4)
    cli_usage_error("%s: expected P, H,W, T,B,L,R (non-negative integers), "
                    "'same' or 'valid', got '%s'",
                    flag, text);
  pad->kind = SIMDCONV_PADDING_EXPLICIT;
  for (size_t i = 0; i < 4; i++) pad->pads[i] = (size_t)v[pick[n][i]];
}

/* ------------------------------------------------------------------------ */
/* Enumerations                                                             */
/* ------------------------------------------------------------------------ */

typedef struct choice {
  const char *name;
  int value;
} choice;

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static int parse_choice(const char *flag, const char *text,
                        const choice *table, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(text, table[i].name) == 0) return table[i].value;
  char expected[128] = "";
  for (size_t i = 0; i < n; i++) {
    strncat(expected, i ? "|" : "", sizeof expected - strlen(expected) - 1);
    strncat(expected, table[i].name, sizeof expected - strlen(expected) - 1);
  }
  cli_usage_error("%s: expected %s, got '%s'", flag, expected, text);
}

static const char *choice_name(const choice *table, size_t n, int value) {
  for (size_t i = 0; i < n; i++)
    if (table[i].value == value) return table[i].name;
  return "?";
}

static const choice padding_modes[] = {
    {"zeros", SIMDCONV_PAD_ZEROS},
    {"reflect", SIMDCONV_PAD_REFLECT},
    {"replicate", SIMDCONV_PAD_REPLICATE},
    {"circular", SIMDCONV_PAD_CIRCULAR},
};
static const choice layouts[] = {
    {"nchw", SIMDCONV_LAYOUT_NCHW},
    {"nhwc", SIMDCONV_LAYOUT_NHWC},
};
static const choice weight_layouts[] = {
    {"oihw", SIMDCONV_WEIGHTS_OIHW},
    {"ohwi", SIMDCONV_WEIGHTS_OHWI},
    {"iohw", SIMDCONV_WEIGHTS_IOHW},
};
static const choice data_kinds[] = {
    {"random", CLI_DATA_RANDOM},
    {"int", CLI_DATA_INT},
};

/* Defines the parser and the name function of one enumeration. */
#define CHOICE_FUNCTIONS(parser, namer, type, table)                        \
  void parser(const char *flag, const char *text, void *dst) {              \
    *(type *)dst = (type)parse_choice(flag, text, table, COUNT_OF(table));  \
  }                                                                         \
  const char *namer(type value) {                                           \
    return choice_name(table, COUNT_OF(table), (int)value);                 \
  }

CHOICE_FUNCTIONS(cli_parse_padding_mode, cli_padding_mode_name,
                 simdconv_padding_mode, padding_modes)
CHOICE_FUNCTIONS(cli_parse_layout, cli_layout_name, simdconv_layout, layouts)
CHOICE_FUNCTIONS(cli_parse_weight_layout, cli_weight_layout_name,
                 simdconv_weight_layout, weight_layouts)
CHOICE_FUNCTIONS(cli_parse_data_kind, cli_data_kind_name, cli_data_kind,
                 data_kinds)

static const choice qtypes[] = {
    {"u8", SIMDCONV_QTYPE_U8},
    {"s8", SIMDCONV_QTYPE_S8},
};
CHOICE_FUNCTIONS(cli_parse_qtype, cli_qtype_name, simdconv_qtype, qtypes)

/* ------------------------------------------------------------------------ */
/* Activations                                                              */
/* ------------------------------------------------------------------------ */

/* The clamp presets of PyTorch's ReLU family and PyTorch's name of the
 * erf GELU, besides the library's names (simdconv_activation_name). */
typedef struct named_activation {
  const char *name;
  cli_activation act;
} named_activation;

static const named_activation presets[] = {
    {"relu", {SIMDCONV_ACT_CLAMP, 0.0f, INFINITY}},
    {"relu6", {SIMDCONV_ACT_CLAMP, 0.0f, 6.0f}},
    {"gelu", {SIMDCONV_ACT_GELU_ERF, 0.0f, 0.0f}},
};

#define ACTIVATION_CHOICES                                                     \
  "none|relu|relu6|clamp:MIN:MAX|sigmoid|tanh|silu|gelu_erf (or gelu)|"        \
  "gelu_tanh"

#define CLAMP_PREFIX "clamp:"

/* Parses one float of "clamp:MIN:MAX", which runs up to `stop`. NaN is
 * accepted here so that the library's own check reports it. */
static bool parse_float_until(const char *p, char stop, float *out,
                              const char **next) {
  if (*p == '\0' || *p == stop || isspace((unsigned char)*p)) return false;
  char *end;
  errno = 0;
  float v = strtof(p, &end);
  if (end == p || *end != stop || (errno == ERANGE && isinf(v))) return false;
  *out = v;
  *next = end;
  return true;
}

void cli_parse_activation(const char *flag, const char *text, void *dst) {
  cli_activation *act = dst;
  for (size_t i = 0; i < COUNT_OF(presets); i++) {
    if (strcmp(text, presets[i].name) == 0) {
      *act = presets[i].act;
      return;
    }
  }
  simdconv_activation kind;
  if (simdconv_activation_from_name(text, &kind) == SIMDCONV_OK &&
      kind != SIMDCONV_ACT_CLAMP) {
    *act = (cli_activation){kind, 0.0f, 0.0f};
    return;
  }
  size_t plen = strlen(CLAMP_PREFIX);
  const char *p = text + plen;
  if (strncmp(text, CLAMP_PREFIX, plen) == 0 &&
      parse_float_until(p, ':', &act->min, &p) &&
      parse_float_until(p + 1, '\0', &act->max, &p)) {
    act->kind = SIMDCONV_ACT_CLAMP;
    return;
  }
  cli_usage_error("%s: expected " ACTIVATION_CHOICES ", got '%s'", flag,
                  text);
}

void cli_activation_format(const cli_activation *act, char *buf,
                           size_t size) {
  for (size_t i = 0; i < COUNT_OF(presets); i++) {
    const cli_activation *a = &presets[i].act;
    if (a->kind == SIMDCONV_ACT_CLAMP && act->kind == SIMDCONV_ACT_CLAMP &&
        a->min == act->min && a->max == act->max) {
      snprintf(buf, size, "%s", presets[i].name);
      return;
    }
  }
  if (act->kind == SIMDCONV_ACT_CLAMP)
    snprintf(buf, size, CLAMP_PREFIX "%g:%g", (double)act->min,
             (double)act->max);
  else
    snprintf(buf, size, "%s", simdconv_activation_name(act->kind));
}

void cli_parse_optional_float(const char *flag, const char *text,
                              void *dst) {
  cli_optional_float *f = dst;
  const char *end;
  if (!parse_float_until(text, '\0', &f->value, &end) || !isfinite(f->value))
    cli_usage_error("%s: expected a finite number, got '%s'", flag, text);
  f->given = true;
}

void cli_parse_kernel_name(const char *flag, const char *text, void *dst) {
  size_t index;
  if (simdconv_kernel_find(text, &index) != SIMDCONV_OK)
    cli_usage_error("%s: '%s' is not a kernel of this build ('" CLI_NAME
                    " info --kernels' lists them)",
                    flag, text);
  *(const char **)dst = text;
}

/* ------------------------------------------------------------------------ */
/* ISAs                                                                     */
/* ------------------------------------------------------------------------ */

void cli_parse_isa_list(const char *flag, const char *text, void *dst) {
  uint32_t mask = 0;
  for (const char *p = text;; p++) {
    size_t len = strcspn(p, ",");
    char name[16];
    simdconv_isa isa = SIMDCONV_ISA_AUTO;
    if (len < sizeof name) {
      memcpy(name, p, len);
      name[len] = '\0';
    }
    if (len >= sizeof name || simdconv_isa_from_name(name, &isa) != SIMDCONV_OK)
      cli_usage_error("%s: expected a comma-separated list of "
                      "auto|scalar|avx2|avx512|neon, got '%s'",
                      flag, text);
    if (isa == SIMDCONV_ISA_AUTO) isa = simdconv_active_isa();
    mask |= 1u << isa;
    p += len;
    if (*p == '\0') break;
  }
  *(uint32_t *)dst = mask;
}

void cli_isa_mask_format(uint32_t mask, const char *sep, char *buf,
                         size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int isa = 1; isa < SIMDCONV_ISA_COUNT; isa++) {
    if (!(mask & (1u << isa)) || used >= size) continue;
    int n = snprintf(buf + used, size - used, "%s%s", used ? sep : "",
                     simdconv_isa_name((simdconv_isa)isa));
    if (n > 0) used += (size_t)n;
  }
  if (used == 0) snprintf(buf, size, "(none)");
}

/* ------------------------------------------------------------------------ */
/* The flag table                                                           */
/* ------------------------------------------------------------------------ */

static const cli_flag *find_flag(const cli_flag *flags, size_t nflags,
                                 const char *name, size_t len) {
  for (size_t i = 0; i < nflags; i++) {
    const char *alias = flags[i].alias;
    if ((strlen(flags[i].name) == len && !strncmp(flags[i].name, name, len)) ||
        (alias && strlen(alias) == len && !strncmp(alias, name, len)))
      return &flags[i];
  }
  return NULL;
}

bool cli_parse_flags(const cli_flag *flags, size_t nflags, int argc,
                     char **argv, void *opts) {
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) return false;
    if (arg[0] != '-' || arg[1] == '\0')
      cli_usage_error("unexpected argument '%s'", arg);
    /* "--name=value" carries its value; short aliases never do. */
    const char *eq = arg[1] == '-' ? strchr(arg, '=') : NULL;
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const cli_flag *f = find_flag(flags, nflags, arg, len);
    if (!f) cli_usage_error("unknown option '%.*s'", (int)len, arg);
    char *dst = (char *)opts + f->offset;
    if (!f->parse) {
      if (eq) cli_usage_error("%s: takes no value", f->name);
      *(bool *)dst = f->bool_value;
      continue;
    }
    const char *value = eq ? eq + 1 : NULL;
    if (!value) {
      if (i + 1 >= argc) cli_usage_error("%s: missing value", f->name);
      value = argv[++i];
    }
    f->parse(f->name, value, dst);
  }
  return true;
}

void cli_print_flags(const cli_flag *flags, size_t nflags) {
  for (size_t i = 0; i < nflags; i++) {
    char left[64];
    snprintf(left, sizeof left, "%s%s%s%s%s", flags[i].alias ? flags[i].alias : "",
             flags[i].alias ? ", " : "    ", flags[i].name,
             flags[i].metavar ? " " : "",
             flags[i].metavar ? flags[i].metavar : "");
    printf("  %-32s %s\n", left, flags[i].help);
  }
}
