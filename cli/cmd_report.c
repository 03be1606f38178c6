/* cli/cmd_report: `cgsim report [TRACE.jsonl|-] [--compare C.json] [--sweep DIR] --out FILE`.
 * analysis/an_html writes the page; this file opens the inputs, names a bad one, and writes the
 * page to a temporary file renamed over FILE at the end, so a failed report leaves no half
 * page behind. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "analysis/an_html.h"
#include "cli/cli.h"
#include "cli/progress.h"

#define REPORT_MAX_JSON_BYTES (64L * 1024 * 1024)
#define REPORT_PATH_MAX 4096

static const char REPORT_HELP[] =
    "usage: cgsim report [TRACE.jsonl|-] [--compare COMPARE.json] [--sweep SWEEPDIR]\n"
    "                    --out REPORT.html [--partial]\n"
    "\n"
    "Writes one self-contained HTML page (inline SVG and a little JavaScript; no network, no\n"
    "other files) to attach to a ticket. At least one input:\n"
    "  TRACE            a cgsim trace (- reads standard input): the run's header (scenario,\n"
    "                   seed, version, duration), the summary per group, and per group an\n"
    "                   ownership timeline (a group of at most 48 partitions and 64 members:\n"
    "                   a row per member and a lane per partition, plus a row of the time\n"
    "                   without an owner; a larger one: partitions owned per member over\n"
    "                   time, consecutive members sharing a row beyond 250), rebalances as\n"
    "                   shaded bands, faults as markers (hover for details), stalled\n"
    "                   partitions and lag over time, the rebalance duration CDF and a member\n"
    "                   table. Wheel zooms the time axis, drag pans, double-click resets.\n"
    "  --compare FILE   the output of cgsim compare --json: bars with 95% intervals\n"
    "  --sweep DIR      the --out DIR of cgsim sweep (its summary.json): a figure over the\n"
    "                   first axis with 95% bands, one line per value of the second\n"
    "  --out FILE       the page (written whole at the end; - for standard output)\n"
    "  --partial        analyse a trace without run_end (as analyze --partial)\n"
    "Progress (trace bytes read, rate, ETA) is shown on stderr when it is a terminal.\n";

typedef struct report_args {
    const char *trace;                /* TRACE or NULL */
    const char *compare;              /* --compare FILE */
    const char *sweep;                /* --sweep DIR */
    const char *out;                  /* --out FILE */
    bool partial;                     /* --partial */
} report_args_t;

static int report_parse(int argc, char **argv, report_args_t *a)
{
    static const char *const opts[] = {"--compare", "--sweep", "--out"};
    for (int i = 1; i < argc; i++) {
        size_t which;
        bool missing = false;
        const char *v = cli_opt_match(argc, argv, &i, opts, 3, &which, &missing);
        if (missing)
            return cli_usage_error("report", "%s needs a value", argv[i]);
        if (v) {
            const char **slot = which == 0 ? &a->compare : which == 1 ? &a->sweep : &a->out;
            if (*slot)
                return cli_usage_error("report", "%s given twice", opts[which]);
            *slot = v;
        } else if (strcmp(argv[i], "--partial") == 0) {
            a->partial = true;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error("report", "unknown option '%s'", argv[i]);
        } else if (a->trace) {
            return cli_usage_error("report", "one trace only (got '%s' and '%s')", a->trace,
                                   argv[i]);
        } else {
            a->trace = argv[i];
        }
    }
    if (!a->trace && !a->compare && !a->sweep)
        return cli_usage_error("report", "missing input: a TRACE.jsonl, --compare C.json or "
                                         "--sweep DIR");
    if (!a->out || !*a->out)
        return cli_usage_error("report", "missing --out REPORT.html");
    return CLI_OK;
}

static cJSON *report_read_json(const char *path, const char *what)
{
    size_t n = 0;
    char *buf = cli_read_small("report", path, REPORT_MAX_JSON_BYTES, &n);
    const char *end = NULL;
    cJSON *j = buf ? cJSON_ParseWithLengthOpts(buf, n + 1, &end, 1) : NULL;
    if (buf && !j)
        fprintf(stderr, "cgsim report: %s: not valid JSON near byte %ld (expected %s)\n", path,
                end ? (long)(end - buf) : 0L, what);
    free(buf);
    return j;
}

/* The page into `out`; CLI_OK, or the status with the message printed. */
static int report_write(const report_args_t *a, FILE *out, cJSON *cmp, cJSON *sweep,
                        const char *sweep_path)
{
    an_html_in_t in = {0};
    FILE *trace = NULL;
    bool is_stdin = a->trace && strcmp(a->trace, "-") == 0;
    if (a->trace) {
        trace = is_stdin ? stdin : fopen(a->trace, "r");
        if (!trace) {
            fprintf(stderr, "cgsim report: %s: cannot open: %s\n", a->trace, strerror(errno));
            return CLI_USAGE;
        }
    }
    char what[REPORT_PATH_MAX + 16];
    snprintf(what, sizeof what, "cgsim report: %s", a->trace ? a->trace : "");
    cli_progress_t prog;
    cli_progress_init(&prog, what, "bytes", true, cli_progress_file_size(trace));
    in.trace = trace;
    in.trace_name = is_stdin ? "<stdin>" : a->trace;
    in.partial = a->partial;
    in.compare = cmp;
    in.compare_name = a->compare;
    in.sweep = sweep;
    in.sweep_name = sweep_path;
    in.progress = cli_progress_bytes_cb;
    in.progress_ctx = &prog;
    char err[1024];
    int rc = an_html_write(&in, out, err, sizeof err);
    cli_progress_clear(&prog);
    if (trace && !is_stdin)
        fclose(trace);
    if (rc != 0)
        fprintf(stderr, "cgsim report: %s\n", err);
    return rc == 0 ? CLI_OK : rc == -1 ? CLI_USAGE : CLI_FAIL;
}

/* Writes to OUT.tmp.PID and renames it over OUT once complete. */
static int report_to_file(const report_args_t *a, cJSON *cmp, cJSON *sweep, const char *sp)
{
    if (strcmp(a->out, "-") == 0)
        return report_write(a, stdout, cmp, sweep, sp);
    char tmp[REPORT_PATH_MAX];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", a->out, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp)
        return cli_usage_error("report", "--out path too long");
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "cgsim report: %s: cannot write: %s\n", a->out, strerror(errno));
        return CLI_USAGE;
    }
    int rc = report_write(a, f, cmp, sweep, sp);
    if (fclose(f) != 0 && rc == CLI_OK) {
        fprintf(stderr, "cgsim report: %s: write error: %s\n", a->out, strerror(errno));
        rc = CLI_FAIL;
    }
    if (rc == CLI_OK && rename(tmp, a->out) != 0) {
        fprintf(stderr, "cgsim report: %s: cannot write: %s\n", a->out, strerror(errno));
        rc = CLI_USAGE;
    }
    if (rc != CLI_OK)
        remove(tmp);
    return rc;
}

int cli_report(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(REPORT_HELP, stdout);
        return CLI_OK;
    }
    report_args_t a = {0};
    int rc = report_parse(argc, argv, &a);
    if (rc != CLI_OK)
        return rc;
    cJSON *cmp = NULL, *sweep = NULL;
    char sweep_path[REPORT_PATH_MAX];
    if (a.compare && !(cmp = report_read_json(a.compare, "the output of cgsim compare --json")))
        return CLI_USAGE;
    if (a.sweep) {
        snprintf(sweep_path, sizeof sweep_path, "%s/summary.json", a.sweep);
        if (!(sweep = report_read_json(sweep_path, "the summary.json of cgsim sweep"))) {
            cJSON_Delete(cmp);
            return CLI_USAGE;
        }
    }
    rc = report_to_file(&a, cmp, sweep, a.sweep ? sweep_path : NULL);
    cJSON_Delete(cmp);
    cJSON_Delete(sweep);
    if (rc == CLI_OK && strcmp(a.out, "-") != 0)
        printf("%s written\n", a.out);
    return rc;
}
