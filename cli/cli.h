/* cli/cli: the subcommands of the `cgsim` executable, the composition root.
 * Owns: argument parsing, wiring scenario -> world -> trace, printing, exit codes.
 * Does not own: simulation or analysis logic (models/, analysis/).
 * Invariant: only these functions decide exit status: 0 ok, 1 internal failure, 2 bad input. */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

/* Each takes the arguments after the subcommand name (argv[0] is the subcommand). */
int cli_run(int argc, char **argv);
int cli_validate(int argc, char **argv);
int cli_assign(int argc, char **argv);
int cli_analyze(int argc, char **argv);
int cli_compare(int argc, char **argv);
int cli_sweep(int argc, char **argv);
int cli_plot(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_bench(int argc, char **argv);
int cli_bench_engine(int argc, char **argv);
int cli_bench_assignor(int argc, char **argv);
int cli_bench_run(int argc, char **argv);

/* True when argv holds -h or --help. */
int cli_wants_help(int argc, char **argv);
/* Print "cgsim <cmd>: <msg>" and a hint to use --help; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...);
/* Peak resident set size in KiB (from getrusage), for benchmarks. */
long cli_peak_rss_kib(void);
/* Monotonic wall seconds, for benchmarks only (never reaches a trace). */
double cli_wall_seconds(void);
/* "--memory-budget-mib N": N MiB, 1..CG_MAX_MEMORY_BUDGET_MIB, into *bytes: 0, or -1. */
int cli_parse_budget(const char *s, uint64_t *bytes);
#define CLI_BUDGET_HELP \
    "  --memory-budget-mib N  memory the input may need, estimated before anything is built\n" \
    "                    (default 1024); beyond it the input is refused naming the product\n"
/* A decimal uint64, digits only (no sign, no spaces, no overflow) into *out: 0, or -1. */
int cli_parse_u64(const char *s, uint64_t *out);
/* "--opt VALUE" or "--opt=VALUE" at argv[*i]: the value (advancing *i past a separate value), or
 * NULL when argv[*i] is another option, or when the value is absent (then *missing = true). */
const char *cli_opt_value(int argc, char **argv, int *i, const char *opt, bool *missing);
/* The first of `opts` that argv[*i] is (its index in *which), as cli_opt_value: its value, or
 * NULL (then *missing says whether the value was absent). */
const char *cli_opt_match(int argc, char **argv, int *i, const char *const *opts, size_t n_opts,
                          size_t *which, bool *missing);
/* Creates the output directory `dir` (fine when it exists): CLI_OK, or CLI_USAGE, printed. */
int cli_mkdir(const char *cmd, const char *dir);
/* A whole file of at most max_bytes, NUL-terminated (caller frees), or NULL with the reason
 * printed ("cgsim CMD: PATH: ..."). */
char *cli_read_small(const char *cmd, const char *path, long max_bytes, size_t *len);
/* An integer option value in [lo, hi] into *out: CLI_OK, or CLI_USAGE with the message printed. */
int cli_parse_size(const char *cmd, const char *opt, const char *v, size_t lo, size_t hi,
                   size_t *out);

#endif
