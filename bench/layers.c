#define _POSIX_C_SOURCE 200809L
#include "layers.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t out_size(size_t in, size_t pad, size_t dil, size_t k,
                       size_t stride) {
  size_t eff = dil * (k - 1) + 1;
  if (in + 2 * pad < eff) return 0;
  return (in + 2 * pad - eff) / stride + 1;
}

/* Transposed: (in-1)*stride + dil*(k-1) + 1 + op - 2*pad, 0 if below 1. */
static size_t out_size_transposed(size_t in, size_t pad, size_t dil, size_t k,
                                  size_t stride, size_t op) {
  size_t full = (in - 1) * stride + dil * (k - 1) + 1 + op;
  return full > 2 * pad ? full - 2 * pad : 0;
}

static void derive(bench_layer *l) {
  if (l->transposed) {
    l->OH = out_size_transposed(l->H, l->ph, l->dh, l->R, l->sh, l->oph);
    l->OW = out_size_transposed(l->W, l->pw, l->dw, l->S, l->sw, l->opw);
    return;
  }
  l->OH = out_size(l->H, l->ph, l->dh, l->R, l->sh);
  l->OW = out_size(l->W, l->pw, l->dw, l->S, l->sw);
}

#define DECONV_PREFIX "deconv/"
#define DECONV_HEADER "name,N,C,H,W,K,R,S,sh,sw,ph,pw,oph,opw,dh,dw,g"

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') s++;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' ||
                   s[n - 1] == '\t'))
    s[--n] = '\0';
  return s;
}

/* Parses one data line (of a transposed file when l->transposed); returns
 * NULL or an error message. */
static const char *parse_line(char *line, bench_layer *l) {
  size_t *fields[16] = {&l->N,  &l->C,  &l->H,  &l->W,  &l->K,  &l->R,
                        &l->S,  &l->sh, &l->sw, &l->ph, &l->pw, &l->dh,
                        &l->dw, &l->g,  NULL,   NULL};
  size_t *transposed_fields[16] = {
      &l->N,  &l->C,  &l->H,   &l->W,   &l->K,  &l->R,  &l->S,  &l->sh,
      &l->sw, &l->ph, &l->pw,  &l->oph, &l->opw, &l->dh, &l->dw, &l->g};
  const size_t nfields = l->transposed ? 16 : 14;
  const char *prefix = l->transposed ? DECONV_PREFIX : "";
  char *save = NULL;
  char *tok = strtok_r(line, ",", &save);
  if (tok == NULL) return "empty line";
  tok = trim(tok);
  if (strlen(tok) == 0 || strlen(prefix) + strlen(tok) >= sizeof l->name)
    return "bad name";
  snprintf(l->name, sizeof l->name, "%s%s", prefix, tok);
  for (size_t i = 0; i < nfields; i++) {
    tok = strtok_r(NULL, ",", &save);
    if (tok == NULL) return "expected 15 (transposed: 17) columns";
    tok = trim(tok);
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(tok, &end, 10);
    if (errno != 0 || end == tok || *end != '\0' || tok[0] == '-' ||
        v > 1000000)
      return "bad number";
    *(l->transposed ? transposed_fields : fields)[i] = (size_t)v;
  }
  if (strtok_r(NULL, ",", &save) != NULL)
    return "expected 15 (transposed: 17) columns";
  if (!l->N || !l->C || !l->H || !l->W || !l->K || !l->R || !l->S || !l->sh ||
      !l->sw || !l->dh || !l->dw || !l->g)
    return "a size, stride, dilation or group count is zero";
  if (l->C % l->g != 0 || l->K % l->g != 0)
    return "groups must divide C and K";
  if (l->oph >= (l->sh > l->dh ? l->sh : l->dh) ||
      l->opw >= (l->sw > l->dw ? l->sw : l->dw))
    return "output padding must be below max(stride, dilation)";
  derive(l);
  if (l->OH == 0 || l->OW == 0) return "empty output";
  return NULL;
}

/* Appends the layers of one file to *arr (n of cap). */
static int load_file(const char *path, bench_layer **arr_io, size_t *n_io,
                     size_t *cap_io, char *err, size_t errlen) {
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  bench_layer *arr = *arr_io;
  size_t n = *n_io, cap = *cap_io, lineno = 0;
  bool transposed = false;
  char buf[1024];
  int rc = 0;
  while (fgets(buf, sizeof buf, f) != NULL) {
    lineno++;
    char *line = trim(buf);
    if (line[0] == '\0' || line[0] == '#') continue;
    if (strncmp(line, "name,", 5) == 0) { /* the header row */
      transposed = strcmp(line, DECONV_HEADER) == 0;
      continue;
    }
    bench_layer l;
    memset(&l, 0, sizeof l);
    l.transposed = transposed;
    const char *msg = parse_line(line, &l);
    if (msg != NULL) {
      snprintf(err, errlen, "%s:%zu: %s", path, lineno, msg);
      rc = -1;
      break;
    }
    if (n == cap) {
      cap = cap ? 2 * cap : 64;
      bench_layer *grown = realloc(arr, cap * sizeof *arr);
      if (grown == NULL) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
        break;
      }
      arr = grown;
    }
    arr[n++] = l;
  }
  fclose(f);
  if (rc == 0 && n == *n_io) {
    snprintf(err, errlen, "%s: no layers", path);
    rc = -1;
  }
  *arr_io = arr;
  *n_io = n;
  *cap_io = cap;
  return rc;
}

int layers_load(const char *paths, bench_layer **layers, size_t *count,
                char *err, size_t errlen) {
  *layers = NULL;
  *count = 0;
  bench_layer *arr = NULL;
  size_t n = 0, cap = 0;
  char list[1024];
  snprintf(list, sizeof list, "%s", paths);
  char *save = NULL;
  for (char *p = strtok_r(list, ",", &save); p != NULL;
       p = strtok_r(NULL, ",", &save)) {
    if (load_file(p, &arr, &n, &cap, err, errlen) != 0) {
      free(arr);
      return -1;
    }
  }
  if (n == 0) {
    snprintf(err, errlen, "%s: no layers", paths);
    free(arr);
    return -1;
  }
  *layers = arr;
  *count = n;
  return 0;
}

simdconv_desc layer_desc(const bench_layer *l, simdconv_layout layout) {
  /* Every field spelled out (simdconv_desc_init's defaults where the layer
   * says nothing) rather than through the library: simdconv-ab builds
   * descriptors for libraries it loads with dlopen. */
  return (simdconv_desc){
      .in_channels = l->C, .out_channels = l->K,
      .kernel_h = l->R, .kernel_w = l->S,
      .stride_h = l->sh, .stride_w = l->sw,
      .dilation_h = l->dh, .dilation_w = l->dw,
      .groups = l->g,
      .padding = SIMDCONV_PADDING_EXPLICIT,
      .pad_top = l->ph, .pad_bottom = l->ph,
      .pad_left = l->pw, .pad_right = l->pw,
      .padding_mode = SIMDCONV_PAD_ZEROS,
      .layout = layout,
      .weight_layout = SIMDCONV_WEIGHTS_OIHW,
      .flip_kernel = 0,
      .activation = SIMDCONV_ACT_NONE,
      .act_min = -INFINITY, .act_max = INFINITY,
      .transposed = l->transposed,
      .output_padding_h = l->oph, .output_padding_w = l->opw,
  };
}

size_t layer_input_elems(const bench_layer *l) {
  return l->N * l->C * l->H * l->W;
}

size_t layer_output_elems(const bench_layer *l) {
  return l->N * l->K * l->OH * l->OW;
}

size_t layer_weight_elems(const bench_layer *l) {
  return l->K * (l->C / l->g) * l->R * l->S;
}

double layer_flops(const bench_layer *l) {
  if (l->transposed)
    return 2.0 * (double)l->N * (double)l->C * (double)l->H * (double)l->W *
           (double)(l->K / l->g) * (double)l->R * (double)l->S;
  return 2.0 * (double)l->N * (double)l->K * (double)l->OH * (double)l->OW *
         (double)(l->C / l->g) * (double)l->R * (double)l->S;
}

bool layer_is_depthwise(const bench_layer *l) {
  return l->g == l->C && l->g > 1;
}

double layer_min_bytes(const bench_layer *l) {
  return 4.0 * ((double)layer_input_elems(l) + (double)layer_output_elems(l) +
                (double)layer_weight_elems(l) + (double)l->K);
}

/* The input size that gives `out` outputs while keeping the remainder of
 * the stride division of the original size. */
static size_t shrink(size_t in, size_t out_full, size_t out, size_t stride) {
  for (; out < out_full; out++) {
    size_t drop = stride * (out_full - out);
    if (drop < in) return in - drop;
  }
  return in;
}

/* Transposed: the largest input size up to `in` whose output is at most
 * max_out (at least 2 when the layer has 2, whatever the output). */
static size_t shrink_transposed(const bench_layer *l, size_t in, bool rows,
                                size_t max_out) {
  size_t best = in < 2 ? in : 2;
  for (size_t v = best + 1; v <= in; v++) {
    bench_layer t = *l;
    *(rows ? &t.H : &t.W) = v;
    derive(&t);
    if ((rows ? t.OH : t.OW) > max_out) break;
    best = v;
  }
  return best;
}

bench_layer layer_reduced(const bench_layer *l, size_t max_out) {
  bench_layer r = *l;
  if (r.N > 2) r.N = 2;
  if (l->transposed) {
    r.H = shrink_transposed(l, l->H, true, max_out);
    r.W = shrink_transposed(l, l->W, false, max_out);
    derive(&r);
    return r;
  }
  if (l->OH > max_out) r.H = shrink(l->H, l->OH, max_out, l->sh);
  if (l->OW > max_out) r.W = shrink(l->W, l->OW, max_out, l->sw);
  derive(&r);
  return r;
}
