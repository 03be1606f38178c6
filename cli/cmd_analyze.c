/* cli/cmd_analyze: `cgsim analyze TRACE.jsonl [--json] [--partial]`: metrics of one trace, read
 * as a stream by analysis/an_analyze (traces only, never simulator state). */
#include <errno.h>
#include <string.h>
#include "analysis/an_analyze.h"
#include "cli/cli.h"
#include "cli/progress.h"

static const char ANALYZE_HELP[] =
    "usage: cgsim analyze TRACE.jsonl|- [--json] [--partial]\n"
    "\n"
    "Reads a trace (design.md format; - = stdin) line by line and prints per-group metrics.\n"
    "  --json     print {\"groups\": {GROUP: {...}}, \"run\": {...}} instead of a table\n"
    "  --partial  accept a trace without run_end (aborted or cut short): figures then cover the\n"
    "             run up to its last complete line, and the output says partial\n"
    "\n"
    "Definitions (times in ms; figures without data are null / -):\n"
    "  ownership         a member owns a partition from an assignment listing it until a revoke\n"
    "                    listing it, a later assignment of that member without it, or its\n"
    "                    member_leave; open intervals end at the end of the run (run_end.t, or\n"
    "                    the last complete record of a partial trace)\n"
    "  rebalances        rebalance_end records; rebalance_ms = p50/p90/p99/max/mean of their\n"
    "                    duration_ms (GSL quantiles, linear interpolation)\n"
    "  unavailable_partition_ms  partition-ms without an owner, over the partitions that appear\n"
    "                    in any assignment of the group, from its first assignment to the end\n"
    "  stalled_partition_ms  unavailable_partition_ms plus partition-ms owned by a member whose\n"
    "                    process an applied fault record stopped: crash or leave until its next\n"
    "                    assignment, pause or hang until resume, isolate until heal (a crash\n"
    "                    stalls from the crash, not from the session timeout)\n"
    "  moved_partitions  sum of rebalance_end.moved\n"
    "  duplicates, zombie_records  sums of duplicate.records and zombie.records\n"
    "  lag               from commit records with ok=true and end_offset: lag = end_offset -\n"
    "                    offset. max_lag_records = max over partitions of end_offset minus the\n"
    "                    previous committed offset (lag peaks just before a commit moves it);\n"
    "                    lag_mean_records = time-weighted mean of the group's total lag (sum over\n"
    "                    partitions of their last committed lag, constant between commits) from\n"
    "                    the group's first such commit to the end; max_total_lag_records = the\n"
    "                    largest value of that total. Committed lag is held between commits: a\n"
    "                    partition nobody commits keeps its last committed lag\n"
    "  sampled_lag       from lag records (one per group per lag_sample_ms): committed_max =\n"
    "                    max over samples of committed_max (a partition's end - committed);\n"
    "                    committed_total_max / _mean = max / mean over samples of committed (the\n"
    "                    group's sum); position_max, position_total_max likewise of end -\n"
    "                    position; only samples with committed (position) partitions count\n"
    "  latency_ms        from latency records: their bucket counts summed per group; p50/p99\n"
    "                    = nearest-rank quantile (the bucket holding rank ceil(q x records),\n"
    "                    reported as its largest value, at most max); max = largest max_ms\n"
    "  commits_ok / commits_failed  commit records with ok true / false\n"
    "  balance           mean: time-weighted mean of (max - min) partitions owned per member,\n"
    "                    over members in the group (member_join or assignment..member_leave),\n"
    "                    over settled time only: from each rebalance_end to the next\n"
    "                    rebalance_start or the end (null without any); settled_ms: that time\n"
    "  members.*.owned_partition_ms  partition-ms owned by each member\n"
    "  ownership_conflicts  assignments of a partition that another member still owned (the\n"
    "                    trace breaks the one-owner rule; the earlier owner's interval ends)\n"
    "\n"
    "Errors (exit 2): TRACE:LINE: message for invalid JSON, a missing or mistyped required field,\n"
    "time going back, a truncated last line, or a trace without run_end (unless --partial).\n";

typedef struct analyze_args {
    const char *path;                 /* trace path or "-" */
    bool json;                        /* --json */
    bool partial;                     /* --partial */
} analyze_args_t;

static int analyze_parse(int argc, char **argv, analyze_args_t *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            a->json = true;
        else if (strcmp(argv[i], "--partial") == 0)
            a->partial = true;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage_error("analyze", "unknown option '%s'", argv[i]);
        else if (a->path)
            return cli_usage_error("analyze", "one trace only (got '%s' and '%s')", a->path,
                                   argv[i]);
        else
            a->path = argv[i];
    }
    if (!a->path)
        return cli_usage_error("analyze", "missing TRACE.jsonl (or - for stdin)");
    return CLI_OK;
}

static int analyze_output(const an_result_t *res, const char *name, bool json)
{
    if (!json) {
        an_result_print(res, name, stdout);
        return CLI_OK;
    }
    cJSON *j = an_result_json(res);
    char *text = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    if (!text) {
        fprintf(stderr, "cgsim analyze: out of memory\n");
        return CLI_FAIL;
    }
    puts(text);
    cJSON_free(text);
    return CLI_OK;
}

int cli_analyze(int argc, char **argv)
{
    analyze_args_t a;
    if (cli_wants_help(argc, argv)) {
        fputs(ANALYZE_HELP, stdout);
        return CLI_OK;
    }
    int rc = analyze_parse(argc, argv, &a);
    if (rc != CLI_OK)
        return rc;
    bool is_stdin = strcmp(a.path, "-") == 0;
    FILE *in = is_stdin ? stdin : fopen(a.path, "r");
    if (!in) {
        fprintf(stderr, "cgsim analyze: %s: cannot open: %s\n", a.path, strerror(errno));
        return CLI_USAGE;
    }
    const char *name = is_stdin ? "<stdin>" : a.path;
    char what[300];
    snprintf(what, sizeof what, "cgsim analyze: %.250s", name);
    cli_progress_t prog;
    cli_progress_init(&prog, what, "bytes", true, cli_progress_file_size(in));
    an_opts_t opts = {.partial = a.partial, .progress = cli_progress_bytes_cb,
                      .progress_ctx = &prog};
    an_result_t res;
    char err[1024];
    int arc = an_analyze_stream(in, name, &opts, NULL, &res, err, sizeof err);
    cli_progress_clear(&prog);
    if (!is_stdin)
        fclose(in);
    if (arc != 0) {
        fprintf(stderr, "cgsim analyze: %s\n", err);
        return arc == -2 ? CLI_FAIL : CLI_USAGE;
    }
    rc = analyze_output(&res, name, a.json);
    an_result_fini(&res);
    return rc;
}
