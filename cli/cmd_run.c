/* cli/cmd_run: `cgsim run SCENARIO.json`: load, run the world, write the trace, summarise.
 *
 * Order matters for the user: the scenario is loaded and validated before the trace file is
 * created, so a bad scenario never truncates an existing trace. SIGINT and SIGTERM (what
 * `timeout` and process managers send) set a flag the world polls; the world then ends the trace
 * with run_aborted and we exit 128 + the signal (130, 143), as shells do. A second signal kills
 * the process (SA_RESETHAND). Progress goes to stderr only when it is
 * a terminal, throttled by wall time, which is used for nothing else. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "models/limits.h"
#include "cli/scenario_cli.h"
#include "models/world/world.h"

#define RUN_DEFAULT_TRACE "trace.jsonl"   /* written in the current directory */
#define RUN_EXIT_SIGNAL_BASE 128          /* exit 128 + signal number, as shells report it */
#define RUN_PROGRESS_PERIOD_S 0.1         /* at most ~10 progress updates per wall second */

/* The only mutable file-scope state: a signal handler can reach nothing else. */
static volatile sig_atomic_t run_interrupted;
_Static_assert(_Generic((sig_atomic_t)0, int: 1, default: 0),
               "cg_run_opts_t.interrupt is a volatile int *");

typedef struct run_args {
    const char *scenario;             /* scenario file */
    bool has_seed;                    /* --seed given */
    uint64_t seed;                    /* --seed value */
    const char *trace_path;           /* --trace FILE, "-" = stdout */
    const char **sets;                /* --set key=value, pointers into argv */
    size_t n_sets;
    bool quiet;                       /* no summary */
    bool check;                       /* verify invariants during the run */
    bool no_run_ahead;                /* --no-run-ahead */
    cg_trace_level_t level;           /* --trace-level */
    uint64_t max_events;              /* 0 = no limit */
    uint64_t budget_bytes;            /* --memory-budget-mib, 0 = default */
} run_args_t;

typedef struct run_progress {
    bool show;                        /* stderr is a terminal and not --quiet */
    bool shown;                       /* a progress line is on screen */
    double last_wall_s;               /* wall time of the last update (display only) */
    int64_t now_ns;                   /* latest virtual time reported */
} run_progress_t;

static void run_usage(FILE *f)
{
    fprintf(f,
        "usage: cgsim run SCENARIO.json [--seed N] [--trace FILE|-] [--set key=value]...\n"
        "                 [--quiet] [--check|--no-check] [--trace-level normal|debug]\n"
        "                 [--max-events N] [--memory-budget-mib N] [--no-run-ahead]\n\n"
        "Simulates the scenario and writes its trace (JSON lines, design.md).\n\n"
        "  --seed N            master seed, an unsigned 64-bit integer (default: the scenario's)\n"
        "  --trace FILE|-      where the trace goes (default: " RUN_DEFAULT_TRACE " in the current\n"
        "                      directory; '-' = stdout). Created only after the scenario loads.\n"
        "  --set key=value     override one scenario value by JSON path before validation,\n"
        "                      e.g. --set groups[0].assignor=sticky (repeatable)\n"
        "  --quiet             no summary on stderr\n"
        "  --check, --no-check verify invariants during the run (default: --check): no\n"
        "                      partition owned twice in a group, committed offsets and\n"
        "                      generations never go back, every subscribed partition owned\n"
        "                      once a group is Stable with no fault pending; a violation\n"
        "                      stops the run (exit 1) naming time, group, partition, members\n"
        "  --trace-level L     normal (default) or debug (adds a poll record per fetch:\n"
        "                      records, partitions, returned_ms, processing_ms; and a\n"
        "                      lag_sample record per subscribed partition per lag sample)\n"
        "  --max-events N      stop after N engine events; the trace then ends with run_aborted\n"
        "  --no-run-ahead      run every poll as its own engine event: the same trace, slower\n"
        "                      (members that keep up otherwise run their next polls at once\n"
        "                      when nothing else can see them; for verifying that)\n"
        CLI_BUDGET_HELP "\n"
        "A summary goes to stderr: per group rebalances (count, mean and max latency), partitions\n"
        "moved, stalled and unowned partition-seconds, max lag at commits, duplicates, zombie\n"
        "records, the lag sampled every lag_sample_ms (committed and position lag) and the\n"
        "end-to-end latency of records (append to processed: p50, p99, max), the balance\n"
        "(time-weighted max - min partitions per member while settled); records\n"
        "produced and consumed; events; where the trace went. Progress is shown while stderr is\n"
        "a terminal. Ctrl-C (SIGINT) or SIGTERM stops the run cleanly (a second one kills it).\n\n"
        "Exit status: 0 completed; 130 (SIGINT) or 143 (SIGTERM) interrupted (the trace ends\n"
        "with run_aborted); 1 failure (invariant violation, event limit reached, trace I/O\n"
        "error); 2 bad input or usage (scenario problems are listed with file and JSON path;\n"
        "also an unwritable trace path).\n");
}

static int run_parse_value(run_args_t *r, const char *opt, const char *v)
{
    if (strcmp(opt, "--seed") == 0) {
        if (cli_parse_u64(v, &r->seed) != 0)
            return cli_usage_error("run", "--seed expects an unsigned 64-bit integer, got '%s'",
                                   v);
        r->has_seed = true;
    } else if (strcmp(opt, "--trace") == 0) {
        if (!*v)
            return cli_usage_error("run", "--trace expects a file name or '-'");
        r->trace_path = v;
    } else if (strcmp(opt, "--set") == 0) {
        if (!strchr(v, '=') || v[0] == '=')
            return cli_usage_error("run", "--set expects key=value, got '%s'", v);
        r->sets[r->n_sets++] = v;
    } else if (strcmp(opt, "--trace-level") == 0) {
        if (strcmp(v, "normal") != 0 && strcmp(v, "debug") != 0)
            return cli_usage_error("run", "--trace-level expects normal or debug, got '%s'", v);
        r->level = strcmp(v, "debug") == 0 ? CG_TRACE_DEBUG : CG_TRACE_NORMAL;
    } else if (strcmp(opt, "--memory-budget-mib") == 0) {
        if (cli_parse_budget(v, &r->budget_bytes) != 0)
            return cli_usage_error("run", "--memory-budget-mib expects 1..%llu, got '%s'",
                                   (unsigned long long)CG_MAX_MEMORY_BUDGET_MIB, v);
    } else {
        if (cli_parse_u64(v, &r->max_events) != 0 || r->max_events == 0)
            return cli_usage_error("run", "--max-events expects a positive integer, got '%s'", v);
    }
    return CLI_OK;
}

static int run_parse_args(int argc, char **argv, run_args_t *r)
{
    static const char *const with_value[] = {"--seed", "--trace", "--set", "--trace-level",
                                             "--max-events", "--memory-budget-mib"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool missing = false, matched = false;
        for (size_t k = 0; k < sizeof with_value / sizeof with_value[0] && !matched; k++) {
            const char *v = cli_opt_value(argc, argv, &i, with_value[k], &missing);
            if (missing)
                return cli_usage_error("run", "%s expects a value", with_value[k]);
            if (v) {
                matched = true;
                if (run_parse_value(r, with_value[k], v) != CLI_OK)
                    return CLI_USAGE;
            }
        }
        if (matched)
            continue;
        if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)
            r->quiet = true;
        else if (strcmp(a, "--check") == 0 || strcmp(a, "--no-check") == 0)
            r->check = strcmp(a, "--check") == 0;
        else if (strcmp(a, "--no-run-ahead") == 0)
            r->no_run_ahead = true;
        else if (a[0] == '-' && a[1] != '\0')
            return cli_usage_error("run", "unknown option '%s'", a);
        else if (r->scenario)
            return cli_usage_error("run", "one scenario file only ('%s' and '%s')", r->scenario, a);
        else
            r->scenario = a;
    }
    if (!r->scenario)
        return cli_usage_error("run", "missing SCENARIO.json");
    return CLI_OK;
}

static void run_on_signal(int sig)
{
    run_interrupted = sig;            /* non-zero: the world stops; the number sets the exit */
}

static void run_progress_cb(void *ctx, int64_t now_ns, int64_t end_ns, uint64_t events)
{
    run_progress_t *p = ctx;
    p->now_ns = now_ns;
    if (!p->show)
        return;
    double wall = cli_wall_seconds();
    if (p->shown && wall - p->last_wall_s < RUN_PROGRESS_PERIOD_S)
        return;
    p->last_wall_s = wall;
    p->shown = true;
    double pct = end_ns > 0 ? 100.0 * (double)now_ns / (double)end_ns : 100.0;
    fprintf(stderr, "\r  %5.1f%% of virtual time, %llu events ", pct,
            (unsigned long long)events);
    fflush(stderr);
}

static void run_progress_clear(run_progress_t *p)
{
    if (p->shown)
        fprintf(stderr, "\r%60s\r", "");
    p->shown = false;
}

/* An integer figure, or "-" for no data (-1), as analyze prints it. */
static const char *run_fig(char *buf, size_t len, int64_t v)
{
    if (v < 0)
        return "-";
    snprintf(buf, len, "%lld", (long long)v);
    return buf;
}

/* The sampled lag figures (models/lagsample), "-" where no sample had data. */
static void run_print_lag(const cg_group_summary_t *g)
{
    char cm[24], ct[24], cmean[32] = "-", pm[24], pt[24];
    if (g->lag_committed_total.n > 0)
        snprintf(cmean, sizeof cmean, "%.1f", sim_series_mean(&g->lag_committed_total));
    fprintf(stderr,
            "    sampled lag (records): committed max %s (group total max %s, mean %s), "
            "position max %s (group total max %s)\n",
            run_fig(cm, sizeof cm, g->lag_committed_max.max),
            run_fig(ct, sizeof ct, g->lag_committed_total.max), cmean,
            run_fig(pm, sizeof pm, g->lag_position_max.max),
            run_fig(pt, sizeof pt, g->lag_position_total.max));
}

/* End-to-end latency (models/latency) with sim/loghist's quantiles, as analyze computes them. */
static void run_print_latency(const cg_group_summary_t *g)
{
    if (g->latency_records == 0) {
        fprintf(stderr, "    latency (append to processed): p50 - ms, p99 - ms, max - ms\n");
        return;
    }
    uint64_t max_us = (uint64_t)g->latency_max_ns / 1000;
    fprintf(stderr, "    latency (append to processed): p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
            (double)sim_loghist_quantile(g->latency_counts, 0.5, max_us) / 1e3,
            (double)sim_loghist_quantile(g->latency_counts, 0.99, max_us) / 1e3,
            (double)g->latency_max_ns / 1e6);
}

/* Balance over settled time (models/balance), as analyze computes it from the trace. */
static void run_print_balance(const cg_group_summary_t *g)
{
    char mean[32] = "-";
    if (g->balance_settled_ns > 0)
        snprintf(mean, sizeof mean, "%.3f",
                 g->balance_integral / (double)g->balance_settled_ns);
    fprintf(stderr, "    balance (max - min partitions per member, settled): mean %s over "
            "%.3f s\n", mean, (double)g->balance_settled_ns / 1e9);
}

/* Records fetched across racks (models/world/racks), only for a group that fetched any with
 * known racks: the leader of the partition on another rack than the member's client.rack. */
static void run_print_racks(const cg_group_summary_t *g)
{
    if (g->rack_records == 0)
        return;
    fprintf(stderr, "    cross-rack fetch: %lld of %lld records (%.1f%%)\n",
            (long long)g->cross_rack_records, (long long)g->rack_records,
            100.0 * (double)g->cross_rack_records / (double)g->rack_records);
}

/* The autoscaler's decisions (models/autoscale), only for a group that had any. */
static void run_print_autoscale(const cg_group_summary_t *g)
{
    if (g->autoscale_decisions == 0)
        return;
    fprintf(stderr, "    autoscaler: %lld decisions, %lld scale-ups, %lld scale-downs, "
            "replicas at most %lld\n", (long long)g->autoscale_decisions,
            (long long)g->autoscale_ups, (long long)g->autoscale_downs,
            (long long)g->autoscale_max_replicas);
}

static void run_print_group(const cg_group_summary_t *g)
{
    double mean_ms = g->rebalances > 0
                         ? (double)g->rebalance_ns_total / (double)g->rebalances / 1e6 : 0.0;
    char lag[32] = "-";   /* no accepted commit: no data, printed as analyze prints it */
    if (g->max_lag_records >= 0)
        snprintf(lag, sizeof lag, "%lld records", (long long)g->max_lag_records);
    fprintf(stderr,
            "  group %s: %lld rebalances (mean %.1f ms, max %.1f ms), %lld partitions moved,\n"
            "    stalled %.3f partition-s (of which unowned %.3f), max lag %s, "
            "%lld duplicates, %lld zombie records\n",
            g->group, (long long)g->rebalances, mean_ms, (double)g->rebalance_ns_max / 1e6,
            (long long)g->moved, (double)g->stalled_partition_ns / 1e9,
            (double)g->unavailable_partition_ns / 1e9,
            lag, (long long)g->duplicates,
            (long long)g->zombie_records);
    run_print_lag(g);
    run_print_latency(g);
    run_print_balance(g);
    run_print_autoscale(g);
    run_print_racks(g);
}

static void run_print_summary(const cg_scenario_t *s, const run_args_t *r, uint64_t seed,
                              const cg_run_result_t *res, const sim_trace_t *tr)
{
    fprintf(stderr, "cgsim run: scenario '%s', seed %llu: %s, %llu events\n", s->name,
            (unsigned long long)seed, res->completed ? "completed" : "NOT completed",
            (unsigned long long)res->events);
    long long added = cli_scenario_partitions_added(s);
    fprintf(stderr, "  %lld partitions%s", cli_scenario_partitions(s), added ? "" : ";");
    if (added)
        fprintf(stderr, " (+%lld added while running);", added);
    fprintf(stderr, " records produced %lld, consumed %lld, duplicates %lld\n",
            (long long)res->records_produced, (long long)res->records_consumed,
            (long long)res->duplicates);
    for (size_t g = 0; g < res->n_groups; g++)
        run_print_group(&res->groups[g]);
    fprintf(stderr, "  trace: %s (%llu records)\n",
            strcmp(r->trace_path, "-") == 0 ? "stdout" : r->trace_path,
            (unsigned long long)tr->records);
}

#define RUN_TAIL_LINES 12                 /* trace lines shown after an invariant violation */
#define RUN_TAIL_BYTES (256 * 1024)        /* how far back from the end they are looked for */

/* The last lines of the trace file before the failure (the run_aborted record last), so the
 * violation can be read in context without opening the trace. */
static void run_print_tail(const char *path)
{
    if (strcmp(path, "-") == 0)
        return;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char *ring[RUN_TAIL_LINES] = {0};
    size_t n = 0;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        long from = size > RUN_TAIL_BYTES ? size - RUN_TAIL_BYTES : 0;
        char *line = NULL;
        size_t cap = 0;
        if (fseek(f, from, SEEK_SET) == 0) {
            if (from > 0 && getline(&line, &cap, f) < 0)   /* skip a partial first line */
                n = 0;
            while (getline(&line, &cap, f) > 0) {
                free(ring[n % RUN_TAIL_LINES]);
                ring[n % RUN_TAIL_LINES] = strdup(line);
                n++;
            }
        }
        free(line);
    }
    fclose(f);
    size_t first = n > RUN_TAIL_LINES ? n - RUN_TAIL_LINES : 0;
    if (n > 0)
        fprintf(stderr, "cgsim run: the last %zu trace records:\n", n - first);
    for (size_t i = first; i < n; i++)
        fprintf(stderr, "  %s", ring[i % RUN_TAIL_LINES] ? ring[i % RUN_TAIL_LINES] : "\n");
    for (size_t i = 0; i < RUN_TAIL_LINES; i++)
        free(ring[i]);
}

/* Maps the world's result and the trace's close status to an exit status, with messages. */
static int run_status(int rc, const char *err, int close_err, const run_args_t *r)
{
    if (rc < 0) {
        fprintf(stderr, "cgsim run: run failed: %s\n", err[0] ? err : "unknown error");
        if (!close_err)
            run_print_tail(r->trace_path);
    }
    if (close_err)
        fprintf(stderr, "cgsim run: writing trace '%s': %s\n", r->trace_path,
                strerror(close_err));
    if (rc < 0 || close_err)
        return CLI_FAIL;
    if (rc == 1 && run_interrupted) {
        fprintf(stderr, "cgsim run: interrupted (%s); the trace ends with run_aborted\n",
                run_interrupted == SIGTERM ? "SIGTERM" : "SIGINT");
        return RUN_EXIT_SIGNAL_BASE + run_interrupted;
    }
    if (rc == 1) {
        fprintf(stderr, "cgsim run: stopped at the event limit (--max-events %llu); the trace "
                        "ends with run_aborted\n", (unsigned long long)r->max_events);
        return CLI_FAIL;
    }
    return CLI_OK;
}

/* Builds and runs the world on an open trace; returns the world's status (0, 1, -1). The
 * handlers go in first: a signal while a large world is built stops the run at its start. */
static int run_world(const cg_scenario_t *s, const cg_run_opts_t *opts, cg_run_result_t *res,
                     char *err, size_t errlen, cg_world_t **w)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    struct sigaction old_term;
    sa.sa_handler = run_on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    run_interrupted = 0;
    sigaction(SIGINT, &sa, &old);
    sigaction(SIGTERM, &sa, &old_term);
    int rc = cg_world_new(s, opts, w, err, errlen) != 0 ? -1 : cg_world_run(*w, res, err, errlen);
    sigaction(SIGINT, &old, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    return rc;
}

int cli_run(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        run_usage(stdout);
        return CLI_OK;
    }
    run_args_t r = {.trace_path = RUN_DEFAULT_TRACE, .check = true, .level = CG_TRACE_NORMAL};
    r.sets = calloc((size_t)(argc > 0 ? argc : 1), sizeof *r.sets);
    if (!r.sets) {
        fprintf(stderr, "cgsim run: out of memory\n");
        return CLI_FAIL;
    }
    int status = run_parse_args(argc, argv, &r);
    cg_scenario_t *s = NULL;
    if (status == CLI_OK)
        status = cli_scenario_load(r.scenario, r.sets, r.n_sets, r.budget_bytes, &s);
    sim_trace_t tr;
    if (status == CLI_OK && sim_trace_open(&tr, r.trace_path) != 0) {
        fprintf(stderr, "cgsim run: cannot create trace '%s': %s\n", r.trace_path,
                strerror(errno));
        status = CLI_USAGE;
    }
    if (status != CLI_OK) {
        if (s)
            cg_scenario_free(s);
        free(r.sets);
        return status;
    }
    /* no progress line in the middle of a trace printed on the same terminal */
    bool trace_on_tty = strcmp(r.trace_path, "-") == 0 && isatty(STDOUT_FILENO);
    run_progress_t prog = {.show = !r.quiet && isatty(STDERR_FILENO) && !trace_on_tty};
    cg_run_opts_t opts = {
        .seed = r.has_seed ? r.seed : s->seed, .trace = &tr, .trace_level = r.level,
        .check = r.check, .max_events = r.max_events, .no_run_ahead = r.no_run_ahead,
        .interrupt = &run_interrupted,
        .progress = run_progress_cb, .progress_ctx = &prog,
    };
    cg_run_result_t res;
    memset(&res, 0, sizeof res);
    char err[512] = "";
    cg_world_t *w = NULL;
    int rc = run_world(s, &opts, &res, err, sizeof err, &w);
    run_progress_clear(&prog);
    int close_err = sim_trace_close(&tr);
    if (rc >= 0 && !r.quiet)
        run_print_summary(s, &r, opts.seed, &res, &tr);
    status = run_status(rc, err, close_err, &r);
    if (w)
        cg_world_free(w);
    cg_scenario_free(s);
    free(r.sets);
    return status;
}
