// The C++ side of gbench_shim.h: Google Benchmark's main() and registration,
// exposed to the C benchmark bodies. Keep this file free of benchmark logic.
#include "gbench_shim.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

struct gb_state {
  benchmark::State *s;
};

namespace {

void PrintHelp() {
  benchmark::PrintDefaultHelp();
  bench_app_print_help();
}

}  // namespace

extern "C" {

void gb_register(const char *name, gb_fn fn, void *ctx) {
  benchmark::internal::Benchmark *b = benchmark::RegisterBenchmark(
      name, [fn, ctx](benchmark::State &s) {
        gb_state st{&s};
        fn(&st, ctx);
      });
  b->UseRealTime();
}

void gb_register_manual(const char *name, gb_fn fn, void *ctx) {
  benchmark::internal::Benchmark *b = benchmark::RegisterBenchmark(
      name, [fn, ctx](benchmark::State &s) {
        gb_state st{&s};
        fn(&st, ctx);
      });
  b->UseManualTime();
}

void gb_add_context(const char *key, const char *value) {
  benchmark::AddCustomContext(key, value);
}

int gb_keep_running(gb_state *st) { return st->s->KeepRunning() ? 1 : 0; }

uint64_t gb_iterations(const gb_state *st) {
  return static_cast<uint64_t>(st->s->iterations());
}

void gb_pause_timing(gb_state *st) { st->s->PauseTiming(); }
void gb_resume_timing(gb_state *st) { st->s->ResumeTiming(); }

void gb_set_iteration_time(gb_state *st, double seconds) {
  st->s->SetIterationTime(seconds);
}

void gb_set_counter(gb_state *st, const char *name, double value, int flags) {
  benchmark::Counter::Flags f = (flags & GB_COUNTER_RATE)
                                    ? benchmark::Counter::kIsRate
                                    : benchmark::Counter::kDefaults;
  st->s->counters[name] = benchmark::Counter(value, f);
}

void gb_set_label(gb_state *st, const char *label) { st->s->SetLabel(label); }

void gb_skip_with_error(gb_state *st, const char *msg) {
  st->s->SkipWithError(msg);
}

}  // extern "C"

int main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv, PrintHelp);
  int rc = bench_app_setup(argc, argv);
  if (rc != 0) return rc;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return bench_app_finish();
}
