/*
 * The timed part of `simdconv run`, shared by the fp32 runs (cmd_run.c)
 * and the int8 ones (cmd_run_q8.c): the object's info and workspace, a
 * warm-up run, the timed runs, and the two lines that report them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

cli_timing cli_time_runs(const cli_runner *r, simdconv_isa isa,
                         size_t repeat, void *warm, void *out) {
  cli_timing t = {.ws_bytes = 0};
  check_call(simdconv_get_info(r->conv, &t.info), "simdconv_get_info", isa);
  check_call(simdconv_workspace_size(r->conv, r->N, r->H, r->W, &t.ws_bytes),
             "simdconv_workspace_size", isa);
  void *ws = t.ws_bytes ? xmalloc(t.ws_bytes, 1, "the workspace") : NULL;
  if (r->prepare != NULL)
    r->prepare(r, warm);
  check_call(r->run(r, warm, ws, t.ws_bytes), r->call, isa);
  double *times = xmalloc(repeat, sizeof *times, "timings");
  for (size_t i = 0; i < repeat; i++) {
    if (r->prepare != NULL)
      r->prepare(r, out);
    const double t0 = now_seconds();
    const simdconv_status st = r->run(r, out, ws, t.ws_bytes);
    times[i] = now_seconds() - t0;
    check_call(st, r->call, isa);
  }
  t.median = median(times, repeat); /* sorts: times[0] is the minimum */
  t.min = times[0];
  free(times);
  free(ws);
  return t;
}

void cli_print_timing(const char *name, const cli_timing *t, double create_s,
                      size_t repeat, double ops, const char *unit) {
  char create_str[32], med_str[32], min_str[32];
  format_seconds(create_s, create_str, sizeof create_str);
  format_seconds(t->median, med_str, sizeof med_str);
  format_seconds(t->min, min_str, sizeof min_str);
  printf("[%s] kernel %s (isa %s), packed %zu B, workspace %zu B\n", name,
         t->info.kernel, simdconv_isa_name(t->info.isa), t->info.packed_bytes,
         t->ws_bytes);
  printf("[%s] create %s, run median %s (min %s, %zu runs), %.2f %s/s\n",
         name, create_str, med_str, min_str, repeat,
         t->median > 0 ? ops / t->median * 1e-9 : INFINITY, unit);
}
