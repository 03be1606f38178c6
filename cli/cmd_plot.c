/* cli/cmd_plot: `cgsim plot TRACE.jsonl --out DIR [--format png|svg|both] [--partial]` and
 * `cgsim plot --compare COMPARE.json --out DIR` and `cgsim plot --sweep SWEEPDIR --out DIR`.
 * analysis/an_plot writes data files and plot.gp into DIR; this file creates DIR and runs
 * gnuplot on the script (posix_spawnp, no shell). */
#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "analysis/an_plot.h"
#include "cli/cli.h"
#include "cli/progress.h"

#define PLOT_MAX_JSON_BYTES (64L * 1024 * 1024)

extern char **environ;

static const char PLOT_HELP[] =
    "usage: cgsim plot TRACE.jsonl|- --out DIR [--format png|svg|both] [--partial]\n"
    "       cgsim plot --compare COMPARE.json --out DIR [--format png|svg|both]\n"
    "       cgsim plot --sweep SWEEPDIR --out DIR [--figure NAME] [--format png|svg|both]\n"
    "\n"
    "Draws with gnuplot (Debian: apt-get install gnuplot-nox) into DIR (created if missing):\n"
    "  timeline.*       a labelled panel per group (the first 12): a group of at most 48\n"
    "                   partitions and 64 members has a row per partition and a bar per owner\n"
    "                   (each member its own colour, distinct across groups; black: owner\n"
    "                   stopped by a fault); a larger one a row per member (or run of members\n"
    "                   beyond 250) coloured by the fewest partitions it owned on a time grid;\n"
    "                   rebalances as orange bands, faults as red lines (ticks on the member's\n"
    "                   row) labelled in up to 3 lanes that never overlap\n"
    "  lag.*            lag per group over time (lag records: committed and position; else the\n"
    "                   committed lag at commit records)\n"
    "  rebalance_cdf.*  CDF of rebalance durations per group\n"
    "  compare.*        (--compare, the JSON of cgsim compare --json) bars with 95% error bars\n"
    "                   per assignor for key figures\n"
    "  sweep_line.*     (--sweep, the --out DIR of cgsim sweep; reads its summary.json only)\n"
    "                   the figure over the first axis, a line and 95% band per value of the\n"
    "                   second axis; further axes at the baseline point's values\n"
    "  sweep_heat.*     (--sweep, two axes or more) heat map of the figure's mean over the\n"
    "                   first two axes\n"
    "  --figure NAME    the figure of --sweep plots (default unavailable_partition_ms; any\n"
    "                   figure of summary.json, e.g. rebalances, duplicates, max_lag_records)\n"
    "DIR also gets the data files and plot.gp, so the pictures can be re-drawn by hand.\n"
    "--format defaults to png (pngcairo when gnuplot has it, else png).\n";

typedef struct plot_args {
    const char *input;                /* trace or compare JSON */
    bool compare;                     /* --compare */
    bool sweep;                       /* --sweep: input is a sweep's output directory */
    const char *figure;               /* --figure (sweep plots) */
    const char *out;                  /* --out DIR */
    int formats;                      /* AN_PLOT_PNG | AN_PLOT_SVG */
    bool partial;                     /* --partial */
} plot_args_t;

static int plot_format(const char *v, int *out)
{
    if (strcmp(v, "png") == 0)
        *out = AN_PLOT_PNG;
    else if (strcmp(v, "svg") == 0)
        *out = AN_PLOT_SVG;
    else if (strcmp(v, "both") == 0)
        *out = AN_PLOT_PNG | AN_PLOT_SVG;
    else
        return cli_usage_error("plot", "--format expects png, svg or both, got '%s'", v);
    return CLI_OK;
}

static int plot_parse(int argc, char **argv, plot_args_t *a)
{
    a->formats = AN_PLOT_PNG;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool has_value = strcmp(arg, "--out") == 0 || strcmp(arg, "--format") == 0 ||
                         strcmp(arg, "--compare") == 0 || strcmp(arg, "--sweep") == 0 ||
                         strcmp(arg, "--figure") == 0;
        if (has_value && i + 1 >= argc)
            return cli_usage_error("plot", "%s needs a value", arg);
        if (strcmp(arg, "--out") == 0) {
            a->out = argv[++i];
        } else if (strcmp(arg, "--format") == 0) {
            if (plot_format(argv[++i], &a->formats) != CLI_OK)
                return CLI_USAGE;
        } else if (strcmp(arg, "--compare") == 0 || strcmp(arg, "--sweep") == 0) {
            if (a->input)
                return cli_usage_error("plot", "one input only (a trace, --compare FILE or "
                                               "--sweep DIR)");
            a->compare = arg[2] == 'c';
            a->sweep = arg[2] == 's';
            a->input = argv[++i];
        } else if (strcmp(arg, "--figure") == 0) {
            a->figure = argv[++i];
        } else if (strcmp(arg, "--partial") == 0) {
            a->partial = true;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return cli_usage_error("plot", "unknown option '%s'", arg);
        } else if (a->input) {
            return cli_usage_error("plot", "one input only (a trace or --compare FILE)");
        } else {
            a->input = arg;
        }
    }
    if (!a->input)
        return cli_usage_error("plot", "missing TRACE.jsonl (or --compare COMPARE.json, or "
                                       "--sweep DIR)");
    if (a->figure && !a->sweep)
        return cli_usage_error("plot", "--figure applies to --sweep plots only");
    if (!a->out || !*a->out)
        return cli_usage_error("plot", "missing --out DIR");
    return CLI_OK;
}

/* Runs gnuplot on the script; a missing gnuplot is bad setup (2), a failing one internal (1). */
static int plot_gnuplot(const char *script)
{
    char *argv[] = {"gnuplot", (char *)script, NULL};
    pid_t pid;
    int rc = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);
    if (rc == ENOENT) {
        fprintf(stderr, "cgsim plot: gnuplot not found: apt-get install gnuplot-nox (the data "
                        "and script are in place: gnuplot %s)\n", script);
        return CLI_USAGE;
    }
    if (rc != 0) {
        fprintf(stderr, "cgsim plot: cannot run gnuplot: %s\n", strerror(rc));
        return CLI_FAIL;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            fprintf(stderr, "cgsim plot: waiting for gnuplot: %s\n", strerror(errno));
            return CLI_FAIL;
        }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "cgsim plot: gnuplot failed on %s (see its messages above)\n", script);
        return CLI_FAIL;
    }
    return CLI_OK;
}

static cJSON *plot_read_json(const char *path, const char *what)
{
    size_t n = 0;
    char *buf = cli_read_small("plot", path, PLOT_MAX_JSON_BYTES, &n);
    cJSON *j = buf ? cJSON_ParseWithLength(buf, n) : NULL;
    if (buf && !j)
        fprintf(stderr, "cgsim plot: %s: not valid JSON (expected %s)\n", path, what);
    free(buf);
    return j;
}

static int plot_write(const plot_args_t *a, char *script)
{
    char err[1024];
    int rc;
    if (a->sweep) {
        char path[AN_PLOT_PATH_MAX];
        snprintf(path, sizeof path, "%s/summary.json", a->input);
        cJSON *j = plot_read_json(path, "the summary.json of cgsim sweep");
        if (!j)
            return CLI_USAGE;
        rc = an_plot_sweep(j, path, a->figure ? a->figure : "unavailable_partition_ms", a->out,
                           a->formats, script, err, sizeof err);
        cJSON_Delete(j);
    } else if (a->compare) {
        cJSON *j = plot_read_json(a->input, "the output of cgsim compare --json");
        if (!j)
            return CLI_USAGE;
        rc = an_plot_compare(j, a->input, a->out, a->formats, script, err, sizeof err);
        cJSON_Delete(j);
    } else {
        bool is_stdin = strcmp(a->input, "-") == 0;
        FILE *in = is_stdin ? stdin : fopen(a->input, "r");
        if (!in) {
            fprintf(stderr, "cgsim plot: %s: cannot open: %s\n", a->input, strerror(errno));
            return CLI_USAGE;
        }
        char what[300];
        snprintf(what, sizeof what, "cgsim plot: %.250s", a->input);
        cli_progress_t prog;
        cli_progress_init(&prog, what, "bytes", true, cli_progress_file_size(in));
        an_opts_t opts = {.partial = a->partial, .progress = cli_progress_bytes_cb,
                          .progress_ctx = &prog};
        rc = an_plot_trace_opts(in, is_stdin ? "<stdin>" : a->input, &opts, a->out, a->formats,
                                script, err, sizeof err);
        cli_progress_clear(&prog);
        if (!is_stdin)
            fclose(in);
    }
    if (rc != 0) {
        fprintf(stderr, "cgsim plot: %s\n", err);
        return CLI_USAGE;
    }
    return CLI_OK;
}

int cli_plot(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(PLOT_HELP, stdout);
        return CLI_OK;
    }
    plot_args_t a;
    memset(&a, 0, sizeof a);
    int rc = plot_parse(argc, argv, &a);
    if (rc == CLI_OK)
        rc = cli_mkdir("plot", a.out);
    char script[AN_PLOT_PATH_MAX];
    if (rc == CLI_OK)
        rc = plot_write(&a, script);
    if (rc == CLI_OK)
        rc = plot_gnuplot(script);
    if (rc == CLI_OK)
        printf("%s: %s written in %s\n", a.input,
               a.compare ? "compare" : a.sweep ? "sweep_line, sweep_heat"
                                               : "timeline, lag, rebalance_cdf", a.out);
    return rc;
}
