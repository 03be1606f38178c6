/* cli/bench_run: `cgsim bench run SCENARIO.json`: how fast the whole simulator runs a scenario.
 *
 * The run is a normal `cgsim run` (same loader, world and seed rules) with the trace discarded
 * (records are still counted) or written to --trace FILE, invariant checks off (as
 * `run --no-check`) and a progress line only on a terminal. Only cg_world_run is timed for events_per_s; building
 * the world is reported separately as setup_s. Wall time is measured here only and never reaches
 * a trace. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "cli/cli.h"
#include "cli/progress.h"
#include "models/limits.h"
#include "cli/scenario_cli.h"
#include "models/world/world.h"

typedef struct bench_run_args {
    const char *scenario;             /* scenario file */
    bool has_seed;                    /* --seed given */
    uint64_t seed;                    /* --seed value */
    const char *trace_path;           /* --trace FILE, NULL = discard */
    const char **sets;                /* --set key=value, pointers into argv */
    size_t n_sets;
    bool json;                        /* one JSON object on stdout */
    uint64_t budget_bytes;            /* --memory-budget-mib, 0 = default */
} bench_run_args_t;

typedef struct bench_run_result {
    uint64_t events;                  /* engine events executed */
    double virtual_s;                 /* scenario duration simulated */
    double setup_s;                   /* wall seconds building the world */
    double wall_s;                    /* wall seconds in cg_world_run */
    uint64_t trace_records;           /* records written (or counted when discarded) */
    int64_t records_consumed;         /* partition records processed by consumers */
    long peak_rss_kib;                /* getrusage high-water mark */
} bench_run_result_t;

static void bench_run_usage(FILE *f)
{
    fprintf(f,
        "usage: cgsim bench run SCENARIO.json [--seed N] [--set key=value]... [--trace FILE]\n"
        "                       [--json] [--memory-budget-mib N]\n\n"
        "Runs the scenario like `cgsim run --no-check --quiet` with the trace discarded (or\n"
        "written to FILE) and prints: events, virtual_s, setup_s (building the world), wall_s\n"
        "(the run only), events_per_s (events / wall_s), peak_rss_kib, trace_records,\n"
        "ns_per_event (wall_s / events), records (consumed by the consumers) and\n"
        "records_per_s (records / wall_s).\n"
        "--json prints one JSON object instead. Exit status: 0 ok, 1 run failure or trace I/O\n"
        "error, 2 bad input or usage.\n");
}

static int bench_run_option(bench_run_args_t *b, const char *opt, const char *v)
{
    if (strcmp(opt, "--seed") == 0) {
        if (cli_parse_u64(v, &b->seed) != 0)
            return cli_usage_error("bench run",
                                   "--seed expects an unsigned 64-bit integer, got '%s'", v);
        b->has_seed = true;
    } else if (strcmp(opt, "--set") == 0) {
        if (!strchr(v, '=') || v[0] == '=')
            return cli_usage_error("bench run", "--set expects key=value, got '%s'", v);
        b->sets[b->n_sets++] = v;
    } else if (strcmp(opt, "--memory-budget-mib") == 0) {
        if (cli_parse_budget(v, &b->budget_bytes) != 0)
            return cli_usage_error("bench run", "--memory-budget-mib expects 1..%llu, got '%s'",
                                   (unsigned long long)CG_MAX_MEMORY_BUDGET_MIB, v);
    } else {
        if (!*v || strcmp(v, "-") == 0)   /* stdout holds the benchmark's own output */
            return cli_usage_error("bench run", "--trace expects a file name (not '-')");
        b->trace_path = v;
    }
    return CLI_OK;
}

static int bench_run_parse(int argc, char **argv, bench_run_args_t *b)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) {
            b->json = true;
        } else if (strcmp(a, "--seed") == 0 || strcmp(a, "--set") == 0 ||
                   strcmp(a, "--trace") == 0 || strcmp(a, "--memory-budget-mib") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("bench run", "%s expects a value", a);
            if (bench_run_option(b, a, argv[++i]) != CLI_OK)
                return CLI_USAGE;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("bench run", "unknown option '%s'", a);
        } else if (b->scenario) {
            return cli_usage_error("bench run", "one scenario file only");
        } else {
            b->scenario = a;
        }
    }
    if (!b->scenario)
        return cli_usage_error("bench run", "missing SCENARIO.json");
    return CLI_OK;
}

static void bench_run_progress(void *ctx, int64_t now_ns, int64_t end_ns, uint64_t events)
{
    (void)end_ns;
    (void)events;
    cli_progress_update(ctx, now_ns / 1000000000);
}

/* Builds and runs the world, timing both phases. Returns the world's status (0, 1, -1). */
static int bench_run_world(const cg_scenario_t *s, const bench_run_args_t *b, sim_trace_t *tr,
                           bench_run_result_t *out, char *err, size_t errlen)
{
    int never = 0;   /* no SIGINT handling here: Ctrl-C ends the benchmark */
    cli_progress_t prog;   /* a terminal only; called once per 1% slice, nothing per event */
    cli_progress_init(&prog, "cgsim bench run", "virtual s", false, s->duration_ns / 1000000000);
    cg_run_opts_t opts = {.seed = b->has_seed ? b->seed : s->seed, .trace = tr,
                          .trace_level = CG_TRACE_NORMAL, .check = false, .interrupt = &never,
                          .progress = bench_run_progress, .progress_ctx = &prog};
    cg_world_t *w = NULL;
    double t0 = cli_wall_seconds();
    if (cg_world_new(s, &opts, &w, err, errlen) != 0)
        return -1;
    double t1 = cli_wall_seconds();
    cg_run_result_t res;
    memset(&res, 0, sizeof res);
    int rc = cg_world_run(w, &res, err, errlen);
    double t2 = cli_wall_seconds();
    cli_progress_clear(&prog);
    out->events = res.events;
    out->records_consumed = res.records_consumed;
    out->virtual_s = (double)s->duration_ns / 1e9;
    out->setup_s = t1 - t0;
    out->wall_s = t2 - t1;
    cg_world_free(w);
    return rc;
}

static int bench_run_print(const bench_run_result_t *r, bool json)
{
    double rate = r->wall_s > 0 ? (double)r->events / r->wall_s : 0;
    double ns_per_event = r->events > 0 ? r->wall_s * 1e9 / (double)r->events : 0;
    double rec_rate = r->wall_s > 0 ? (double)r->records_consumed / r->wall_s : 0;
    if (!json) {
        printf("events         %llu\nvirtual_s      %.3f\nsetup_s        %.3f\n"
               "wall_s         %.3f\nevents_per_s   %.0f\npeak_rss_kib   %ld\n"
               "trace_records  %llu\nns_per_event   %.1f\nrecords        %lld\n"
               "records_per_s  %.0f\n",
               (unsigned long long)r->events, r->virtual_s, r->setup_s, r->wall_s, rate,
               r->peak_rss_kib, (unsigned long long)r->trace_records, ns_per_event,
               (long long)r->records_consumed, rec_rate);
        return CLI_OK;
    }
    cJSON *j = cJSON_CreateObject();
    if (!j || !cJSON_AddNumberToObject(j, "events", (double)r->events) ||
        !cJSON_AddNumberToObject(j, "virtual_s", r->virtual_s) ||
        !cJSON_AddNumberToObject(j, "setup_s", r->setup_s) ||
        !cJSON_AddNumberToObject(j, "wall_s", r->wall_s) ||
        !cJSON_AddNumberToObject(j, "events_per_s", rate) ||
        !cJSON_AddNumberToObject(j, "peak_rss_kib", (double)r->peak_rss_kib) ||
        !cJSON_AddNumberToObject(j, "trace_records", (double)r->trace_records) ||
        !cJSON_AddNumberToObject(j, "ns_per_event", ns_per_event) ||
        !cJSON_AddNumberToObject(j, "records", (double)r->records_consumed) ||
        !cJSON_AddNumberToObject(j, "records_per_s", rec_rate)) {
        cJSON_Delete(j);
        fprintf(stderr, "cgsim bench run: out of memory\n");
        return CLI_FAIL;
    }
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!s) {
        fprintf(stderr, "cgsim bench run: out of memory\n");
        return CLI_FAIL;
    }
    printf("%s\n", s);
    cJSON_free(s);
    return CLI_OK;
}

static int bench_run_status(int rc, const char *err, int close_err, const bench_run_args_t *b)
{
    if (rc < 0)
        fprintf(stderr, "cgsim bench run: run failed: %s\n", err[0] ? err : "unknown error");
    else if (rc == 1)
        fprintf(stderr, "cgsim bench run: the run did not complete\n");
    if (close_err)
        fprintf(stderr, "cgsim bench run: writing trace '%s': %s\n", b->trace_path,
                strerror(close_err));
    return rc != 0 || close_err ? CLI_FAIL : CLI_OK;
}

int cli_bench_run(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        bench_run_usage(stdout);
        return CLI_OK;
    }
    bench_run_args_t b = {0};
    b.sets = calloc((size_t)(argc > 0 ? argc : 1), sizeof *b.sets);
    if (!b.sets) {
        fprintf(stderr, "cgsim bench run: out of memory\n");
        return CLI_FAIL;
    }
    cg_scenario_t *s = NULL;
    int status = bench_run_parse(argc, argv, &b);
    if (status == CLI_OK)
        status = cli_scenario_load(b.scenario, b.sets, b.n_sets, b.budget_bytes, &s);
    sim_trace_t tr;
    if (status == CLI_OK && sim_trace_open(&tr, b.trace_path) != 0) {
        fprintf(stderr, "cgsim bench run: cannot create trace '%s': %s\n", b.trace_path,
                strerror(errno));
        status = CLI_USAGE;
    }
    if (status == CLI_OK) {
        bench_run_result_t r;
        memset(&r, 0, sizeof r);
        char err[512] = "";
        int rc = bench_run_world(s, &b, &tr, &r, err, sizeof err);
        int close_err = sim_trace_close(&tr);
        r.trace_records = tr.records;
        r.peak_rss_kib = cli_peak_rss_kib();
        status = bench_run_status(rc, err, close_err, &b);
        if (status == CLI_OK)
            status = bench_run_print(&r, b.json);
    }
    if (s)
        cg_scenario_free(s);
    free(b.sets);
    return status;
}
