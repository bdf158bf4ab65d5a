/*
 * simdconv: inspect the library (info), run, time and check one convolution
 * on every available ISA (run), print the version (version).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

typedef struct command {
  const char *name;
  int (*fn)(int argc, char **argv);
  const char *summary;
} command;

static const command commands[] = {
    {"info", cli_cmd_info, "show CPU features, ISAs and registered kernels"},
    {"run", cli_cmd_run,
     "run one convolution on every available ISA, time it and check it "
     "against the oracle"},
    {"version", cmd_version, "print the library version"},
    {"help", cmd_help, "print this help"},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void print_usage(FILE *out) {
  fprintf(out, "usage: " CLI_NAME " <command> [options]\n\ncommands:\n");
  for (size_t i = 0; i < COMMAND_COUNT; i++)
    fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "\n'" CLI_NAME " <command> --help' describes a command's "
               "options.\nExit status: 0 success, 1 a check failed or a "
               "run-time error, 2 bad arguments.\n");
}

/* Accepts no arguments other than --help. Returns false when --help was
 * given. */
static bool no_arguments(int argc, char **argv) {
  return cli_parse_flags(NULL, 0, argc - 1, argv + 1, NULL);
}

static int cmd_version(int argc, char **argv) {
  if (!no_arguments(argc, argv)) {
    printf("usage: " CLI_NAME " version\n");
    return CLI_EXIT_OK;
  }
  printf(CLI_NAME " %s\n", simdconv_version_string());
  if (simdconv_version() != SIMDCONV_VERSION)
    printf("(built against header %d.%d.%d)\n", SIMDCONV_VERSION_MAJOR,
           SIMDCONV_VERSION_MINOR, SIMDCONV_VERSION_PATCH);
  return CLI_EXIT_OK;
}

static int cmd_help(int argc, char **argv) {
  (void)no_arguments(argc, argv);
  print_usage(stdout);
  return CLI_EXIT_OK;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    print_usage(stderr);
    return CLI_EXIT_USAGE;
  }
  const char *name = argv[1];
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) name = "help";
  if (strcmp(name, "--version") == 0) name = "version";
  for (size_t i = 0; i < COMMAND_COUNT; i++)
    if (strcmp(name, commands[i].name) == 0)
      return commands[i].fn(argc - 1, argv + 1);
  cli_usage_error("unknown command '%s' (try '" CLI_NAME " --help')",
                  argv[1]);
}
