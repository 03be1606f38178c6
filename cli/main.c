/* cgsim: the command-line entry point. Dispatches to a subcommand; the only place that exits. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"

typedef struct cli_cmd {
    const char *name;                 /* subcommand */
    int (*fn)(int argc, char **argv); /* handler, gets argv from the subcommand on */
    const char *summary;              /* one line for --help */
} cli_cmd_t;

static const cli_cmd_t CLI_CMDS[] = {
    {"run", cli_run, "simulate a scenario and write its trace"},
    {"validate", cli_validate, "check scenario files without running them"},
    {"assign", cli_assign, "run one assignor once on a JSON input"},
    {"analyze", cli_analyze, "metrics of a trace: rebalances, unavailability, lag, duplicates"},
    {"compare", cli_compare, "run a scenario under several assignors and seeds, compare metrics"},
    {"sweep", cli_sweep, "run a grid of overrides x seeds on all cores (and MPI ranks)"},
    {"plot", cli_plot, "draw a trace: assignment timeline, lag, rebalance latency (gnuplot)"},
    {"report", cli_report, "one self-contained HTML page of a trace (and compare/sweep output)"},
    {"bench", cli_bench, "benchmarks: engine, assignor, run"},
};
#define CLI_N_CMDS (sizeof CLI_CMDS / sizeof CLI_CMDS[0])

static void usage(FILE *f)
{
    fprintf(f, "cgsim %s: deterministic discrete-event simulator of Kafka consumer groups\n\n"
               "usage: cgsim COMMAND [ARGS]   (cgsim COMMAND --help for its options)\n\n",
            CGSIM_VERSION);
    for (size_t i = 0; i < CLI_N_CMDS; i++)
        fprintf(f, "  %-9s %s\n", CLI_CMDS[i].name, CLI_CMDS[i].summary);
    fprintf(f, "\n  --help     this text\n  --version  print the version\n\n"
               "Exit status: 0 success, 1 internal failure, 2 bad input or usage.\n");
}

/* A command's output that could not be written (a full disk, /dev/full, a closed pipe) is a
 * failure even when the command itself succeeded: exit 1 with the reason. */
static int finish(int rc)
{
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "cgsim: cannot write standard output: %s\n",
                errno ? strerror(errno) : "write error");
        return rc == CLI_OK ? CLI_FAIL : rc;
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return finish(CLI_OK);
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("cgsim %s\n", CGSIM_VERSION);
        return finish(CLI_OK);
    }
    for (size_t i = 0; i < CLI_N_CMDS; i++)
        if (strcmp(argv[1], CLI_CMDS[i].name) == 0)
            return finish(CLI_CMDS[i].fn(argc - 1, argv + 1));
    fprintf(stderr, "cgsim: unknown command '%s' (known: run, validate, assign, analyze, compare, "
                    "sweep, plot, report, bench); see cgsim --help\n", argv[1]);
    return CLI_USAGE;
}
