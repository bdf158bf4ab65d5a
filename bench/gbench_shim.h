/*
 * A small C API over Google Benchmark, so that every benchmark body of the
 * suite is written in C. The implementation (gbench_shim.cc) also holds
 * main(): it initialises Google Benchmark, hands the remaining arguments to
 * bench_app_setup(), runs the registered benchmarks and returns
 * bench_app_finish().
 */
#ifndef SIMDCONV_BENCH_GBENCH_SHIM_H
#define SIMDCONV_BENCH_GBENCH_SHIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The state of one benchmark run (a benchmark::State). */
typedef struct gb_state gb_state;

/** A benchmark body. It runs its timed work in a loop
 *  `while (gb_keep_running(st)) { ... }`; everything before the first call
 *  of gb_keep_running() is not timed. */
typedef void (*gb_fn)(gb_state *st, void *ctx);

/** Counter flags, mirroring benchmark::Counter::Flags. */
enum {
  GB_COUNTER_DEFAULT = 0,
  /** The value is divided by the measured time: pass a per-run amount
   *  multiplied by the number of iterations to get a rate. */
  GB_COUNTER_RATE = 1,
};

/** Registers a benchmark, timed in wall-clock time (Google Benchmark's
 *  UseRealTime(), so rates are per second of real time: the work may run on
 *  a thread pool). Its reported name gets Google Benchmark's "/real_time"
 *  suffix. name is copied; ctx must outlive the run. */
void gb_register(const char *name, gb_fn fn, void *ctx);

/** Registers a manually timed benchmark: the body reports each
 *  iteration's time with gb_set_iteration_time() (untimed set-up work may
 *  then happen inside the loop). */
void gb_register_manual(const char *name, gb_fn fn, void *ctx);

/** Adds a key/value pair to the context printed in the output header and
 *  stored in the JSON output ("context" object). */
void gb_add_context(const char *key, const char *value);

/** True while more iterations must run; starts the timer on the first call
 *  and stops it when it returns false. */
int gb_keep_running(gb_state *st);
/** Iterations run so far (the final count once gb_keep_running() has
 *  returned false). */
uint64_t gb_iterations(const gb_state *st);

void gb_pause_timing(gb_state *st);
void gb_resume_timing(gb_state *st);
/** Reports the time of this iteration (for manually timed benchmarks). */
void gb_set_iteration_time(gb_state *st, double seconds);

/** Sets (or replaces) a counter of this run; see GB_COUNTER_*. */
void gb_set_counter(gb_state *st, const char *name, double value, int flags);
/** A short label printed next to the run. */
void gb_set_label(gb_state *st, const char *label);

/** Marks the run as failed with a message and skips its timed loop: call it
 *  before the loop (gb_keep_running() then returns false at once). */
void gb_skip_with_error(gb_state *st, const char *msg);

/* Implemented by the application (bench_main.c). */

/** Called by main() with the arguments Google Benchmark did not consume.
 *  Registers the benchmarks. Returns 0 to go on, or the process exit code
 *  (a positive number) to stop at once (after --help, on bad options). */
int bench_app_setup(int argc, char **argv);
/** Called after the benchmarks ran; returns the process exit code. */
int bench_app_finish(void);
/** Prints the application's own options (after Google Benchmark's, for
 *  --help). */
void bench_app_print_help(void);

#ifdef __cplusplus
}
#endif

#endif /* SIMDCONV_BENCH_GBENCH_SHIM_H */
