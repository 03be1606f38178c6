/* cli/cmd_compare: `cgsim compare SCENARIO.json --assignors a,b,c [--seeds N] [--jobs J]`.
 *
 * For each seed i in 0..N-1 (master seed sim_splitmix64(base + i), base = the scenario's seed or
 * --seed) and each assignor, the scenario is loaded with the user's --set overrides plus, for
 * every group, groups[k].assignor=NAME and, for classic groups, groups[k].rebalance = cooperative
 * for cooperative-sticky, eager otherwise. The run's trace goes to memory, which analysis/
 * reads back (cli/runner; the analysis sees traces only). Runs are independent and go to a pool
 * of pthreads; each stores its figures at (assignor, seed) in a table, and everything printed is
 * computed from that table afterwards, so the output is identical for any --jobs. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "analysis/an_compare.h"
#include "cli/cli.h"
#include "cli/progress.h"
#include "cli/runner.h"
#include "models/limits.h"
#include "cli/scenario_cli.h"
#include "sim/rng.h"

#define COMPARE_DEFAULT_SEEDS 10
#define COMPARE_MAX_SEEDS 100000
#define COMPARE_MAX_ASSIGNORS 64
#define COMPARE_MAX_JOBS 1024

static const char COMPARE_HELP[] =
    "usage: cgsim compare SCENARIO.json --assignors a,b,c [--seeds N] [--seed BASE] [--jobs J]\n"
    "                     [--json] [--set key=value]...\n"
    "\n"
    "Runs the scenario under each assignor with N seeds and compares the analyze figures.\n"
    "  --assignors LIST  comma-separated assignor names; the first is the reference\n"
    "                    (classic: range, roundrobin, sticky, cooperative-sticky; consumer\n"
    "                    protocol groups: uniform, range). Every group gets the assignor; classic\n"
    "                    groups get rebalance cooperative for cooperative-sticky, eager otherwise\n"
    "  --seeds N         runs per assignor (default 10); run i uses master seed\n"
    "                    sim_splitmix64(BASE + i), the same for every assignor (paired runs)\n"
    "  --seed BASE       base seed (default: the scenario's seed)\n"
    "  --jobs J          parallel runs (default: online CPUs); results do not depend on J\n"
    "  --json            {\"assignors\": {NAME: {FIGURE: {\"mean\", \"ci95\": [lo, hi], \"n\"}}},\n"
    "                    \"paired_vs_first\": {NAME: {...}}, \"first\", \"seeds\", ...}\n"
    "  --set key=value   scenario override, as for cgsim run (repeatable)\n"
    "  --memory-budget-mib N  as for cgsim run (default 1024)\n"
    "\n"
    "Figures are cgsim analyze's, totalled over the groups of a run (sums; max_lag_records\n"
    "and sampled_*_lag_max the largest; sampled_committed_lag_mean the sum of the groups'\n"
    "mean total committed lag; balance_mean the worst group; rebalance_ms_* over all\n"
    "rebalances; latency_ms_* over all groups' records; cross_rack_percent of the records\n"
    "fetched with known racks, over all groups, - without racks).\n"
    "ci95 = mean +- t(0.975, n-1) * sd / sqrt(n) (Student t, GSL), null when n < 2. The paired\n"
    "difference is figure(assignor) - figure(first) on the same seed, with its own interval.\n"
    "Exit status: 0 ok, 1 a run failed (invariant violation, I/O), 2 bad input or usage.\n";

typedef struct compare_args {
    const char *scenario;             /* scenario file */
    char **assignors;                 /* names (owned, split from --assignors) */
    size_t n_assignors;
    size_t seeds;                     /* runs per assignor */
    bool has_seed;                    /* --seed given */
    uint64_t base_seed;               /* --seed value */
    size_t jobs;                      /* worker threads */
    bool json;                        /* --json */
    const char **sets;                /* --set values (pointers into argv) */
    size_t n_sets;
    uint64_t budget_bytes;            /* --memory-budget-mib, 0 = default */
} compare_args_t;

typedef struct compare_ctx {
    const compare_args_t *args;       /* the command line */
    cg_scenario_t **scen;             /* one loaded scenario per assignor (read only in runs) */
    uint64_t base_seed;               /* the scenario's seed or --seed */
    uint64_t *seeds;                  /* master seed of run i */
    an_compare_t table;               /* figures by (assignor, seed) */
    char (*errs)[CLI_RUN_ERR_MAX];    /* error of task k, "" when none */
    int *status;                      /* exit status of task k */
    cli_progress_t progress;          /* runs done, rate, ETA (stderr, a terminal only) */
    size_t n_tasks;                   /* assignors * seeds */
} compare_ctx_t;

static int compare_split_assignors(compare_args_t *a, const char *list)
{
    for (const char *p = list;;) {
        size_t n = strcspn(p, ",");
        if (n == 0)
            return cli_usage_error("compare", "--assignors: empty name in '%s'", list);
        if (a->n_assignors == COMPARE_MAX_ASSIGNORS)
            return cli_usage_error("compare", "--assignors: at most %d names",
                                   COMPARE_MAX_ASSIGNORS);
        char *name = strndup(p, n);
        if (!name)
            return CLI_FAIL;
        for (size_t i = 0; i < a->n_assignors; i++)
            if (strcmp(a->assignors[i], name) == 0) {
                free(name);
                return cli_usage_error("compare", "--assignors: '%.*s' given twice", (int)n, p);
            }
        a->assignors[a->n_assignors++] = name;
        if (p[n] == '\0')
            return CLI_OK;
        p += n + 1;
    }
}

static int compare_option(compare_args_t *a, const char *opt, const char *v)
{
    if (strcmp(opt, "--assignors") == 0)
        return compare_split_assignors(a, v);
    if (strcmp(opt, "--seeds") == 0)
        return cli_parse_size("compare", opt, v, 1, COMPARE_MAX_SEEDS, &a->seeds);
    if (strcmp(opt, "--jobs") == 0)
        return cli_parse_size("compare", opt, v, 1, COMPARE_MAX_JOBS, &a->jobs);
    if (strcmp(opt, "--memory-budget-mib") == 0) {
        if (cli_parse_budget(v, &a->budget_bytes) != 0)
            return cli_usage_error("compare", "--memory-budget-mib expects 1..%llu, got '%s'",
                                   (unsigned long long)CG_MAX_MEMORY_BUDGET_MIB, v);
        return CLI_OK;
    }
    if (strcmp(opt, "--seed") == 0) {
        if (cli_parse_u64(v, &a->base_seed) != 0)
            return cli_usage_error("compare", "--seed expects an unsigned 64-bit integer, "
                                              "got '%s'", v);
        a->has_seed = true;
        return CLI_OK;
    }
    if (!strchr(v, '=') || v[0] == '=')   /* --set */
        return cli_usage_error("compare", "--set expects key=value, got '%s'", v);
    a->sets[a->n_sets++] = v;
    return CLI_OK;
}

static int compare_parse(int argc, char **argv, compare_args_t *a)
{
    static const char *const opts[] = {"--assignors", "--seeds", "--jobs", "--seed", "--set",
                                       "--memory-budget-mib"};
    for (int i = 1; i < argc; i++) {
        bool missing;
        size_t k = 0;
        const char *v = cli_opt_match(argc, argv, &i, opts, sizeof opts / sizeof opts[0], &k,
                                      &missing);
        if (missing)
            return cli_usage_error("compare", "%s needs a value", opts[k]);
        if (v) {
            int rc = compare_option(a, opts[k], v);
            if (rc != CLI_OK)
                return rc;
        } else if (strcmp(argv[i], "--json") == 0) {
            a->json = true;
        } else if (argv[i][0] == '-') {
            return cli_usage_error("compare", "unknown option '%s'", argv[i]);
        } else if (a->scenario) {
            return cli_usage_error("compare", "one scenario only (got '%s' and '%s')",
                                   a->scenario, argv[i]);
        } else {
            a->scenario = argv[i];
        }
    }
    if (!a->scenario)
        return cli_usage_error("compare", "missing SCENARIO.json");
    if (a->n_assignors == 0)
        return cli_usage_error("compare", "missing --assignors a,b,c");
    return CLI_OK;
}

/* ---- one scenario per assignor ---- */

static int compare_check_assignor(const cg_scenario_t *base, const char *name)
{
    for (size_t g = 0; g < base->n_groups; g++) {
        cg_protocol_t p = base->groups[g].protocol;
        if (!cg_assignor_find(p, name)) {
            fprintf(stderr, "cgsim compare: --assignors: unknown assignor '%s' for group '%s' "
                            "(protocol %s; known: %s)\n", name, base->groups[g].id,
                    p == CG_PROTOCOL_CLASSIC ? "classic" : "consumer", cg_assignor_names(p));
            return CLI_USAGE;
        }
    }
    return CLI_OK;
}

/* The user's --set list plus the assignor (and, for classic groups, rebalance) of every group. */
static int compare_load_for(const compare_args_t *a, const cg_scenario_t *base, const char *name,
                            cg_scenario_t **out)
{
    size_t n = a->n_sets + 2 * base->n_groups, k = 0;
    char **own = calloc(2 * base->n_groups + 1, sizeof *own);
    const char **sets = calloc(n + 1, sizeof *sets);
    int rc = own && sets ? CLI_OK : CLI_FAIL;
    for (size_t i = 0; rc == CLI_OK && i < a->n_sets; i++)
        sets[k++] = a->sets[i];
    const char *rebalance = strcmp(name, "cooperative-sticky") == 0 ? "cooperative" : "eager";
    size_t n_own = 0;
    for (size_t g = 0; rc == CLI_OK && g < base->n_groups; g++) {
        char buf[512];
        snprintf(buf, sizeof buf, "groups[%zu].assignor=%s", g, name);
        if (!(own[n_own] = strdup(buf)))
            rc = CLI_FAIL;
        else
            sets[k++] = own[n_own++];
        if (rc != CLI_OK || base->groups[g].protocol != CG_PROTOCOL_CLASSIC)
            continue;
        snprintf(buf, sizeof buf, "groups[%zu].rebalance=%s", g, rebalance);
        if (!(own[n_own] = strdup(buf)))
            rc = CLI_FAIL;
        else
            sets[k++] = own[n_own++];
    }
    if (rc == CLI_OK)
        rc = cli_scenario_load(a->scenario, sets, k, a->budget_bytes, out);
    else
        fprintf(stderr, "cgsim compare: out of memory\n");
    for (size_t i = 0; own && i < n_own; i++)
        free(own[i]);
    free(own);
    free(sets);
    return rc;
}

static int compare_load_all(compare_ctx_t *cx)
{
    const compare_args_t *a = cx->args;
    cg_scenario_t *base = NULL;
    int rc = cli_scenario_load(a->scenario, a->sets, a->n_sets, a->budget_bytes, &base);
    for (size_t i = 0; rc == CLI_OK && i < a->n_assignors; i++)
        rc = compare_check_assignor(base, a->assignors[i]);
    for (size_t i = 0; rc == CLI_OK && i < a->n_assignors; i++)
        rc = compare_load_for(a, base, a->assignors[i], &cx->scen[i]);
    cx->base_seed = a->has_seed ? a->base_seed : base ? base->seed : 0;
    for (size_t s = 0; rc == CLI_OK && s < a->seeds; s++)
        cx->seeds[s] = sim_splitmix64(cx->base_seed + (uint64_t)s);
    if (base)
        cg_scenario_free(base);
    return rc;
}

/* ---- runs ---- */

static int compare_task(void *ctx, size_t k)
{
    compare_ctx_t *cx = ctx;
    size_t a = k / cx->args->seeds, s = k % cx->args->seeds;
    char name[128];
    snprintf(name, sizeof name, "<trace of %s, seed %llu>", cx->args->assignors[a],
             (unsigned long long)cx->seeds[s]);
    cx->status[k] = cli_run_figures(cx->scen[a], cx->seeds[s], name,
                                    an_compare_row(&cx->table, a, s), cx->errs[k],
                                    CLI_RUN_ERR_MAX);
    return cx->status[k];
}

static void compare_done(void *ctx, size_t k, size_t done)
{
    compare_ctx_t *cx = ctx;
    (void)k;
    cli_progress_update(&cx->progress, (int64_t)done);
}

/* Runs every task on `jobs` threads (the calling thread included). */
static int compare_run_all(compare_ctx_t *cx, size_t jobs)
{
    if (cli_pool_run(cx->n_tasks, jobs, compare_task, compare_done, cx) != CLI_OK) {
        fprintf(stderr, "cgsim compare: cannot start workers\n");
        return CLI_FAIL;
    }
    cli_progress_clear(&cx->progress);
    for (size_t k = 0; k < cx->n_tasks; k++)   /* first failure in task order: deterministic */
        if (cx->status[k] != CLI_OK) {
            fprintf(stderr, "cgsim compare: run of %s with seed %llu failed: %s\n",
                    cx->args->assignors[k / cx->args->seeds],
                    (unsigned long long)cx->seeds[k % cx->args->seeds], cx->errs[k]);
            return cx->status[k];
        }
    return CLI_OK;
}

/* ---- output and entry point ---- */

static int compare_output(const compare_ctx_t *cx)
{
    const compare_args_t *a = cx->args;
    if (!a->json) {
        printf("compare %s: %zu assignors x %zu seeds (master seed of run i = "
               "splitmix64(base + i), base %llu)\n", a->scenario, a->n_assignors, a->seeds,
               (unsigned long long)cx->base_seed);
        an_compare_print(&cx->table, stdout);
        return CLI_OK;
    }
    cJSON *j = an_compare_json(&cx->table);
    cJSON *seeds = cJSON_CreateArray();
    for (size_t s = 0; j && seeds && s < a->seeds; s++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)cx->seeds[s]);
        cJSON_AddItemToArray(seeds, cJSON_CreateString(buf));   /* strings: uint64 exact */
    }
    if (!j || !seeds || !cJSON_AddItemToObject(j, "run_seeds", seeds) ||
        !cJSON_AddNumberToObject(j, "base_seed", (double)cx->base_seed) ||
        !cJSON_AddStringToObject(j, "scenario", a->scenario)) {
        cJSON_Delete(j);
        fprintf(stderr, "cgsim compare: out of memory\n");
        return CLI_FAIL;
    }
    char *text = cJSON_Print(j);
    cJSON_Delete(j);
    if (!text)
        return CLI_FAIL;
    puts(text);
    cJSON_free(text);
    return CLI_OK;
}

static int compare_ctx_init(compare_ctx_t *cx, const compare_args_t *a)
{
    memset(cx, 0, sizeof *cx);
    cx->args = a;
    cx->n_tasks = a->n_assignors * a->seeds;
    cli_progress_init(&cx->progress, "cgsim compare", "runs", false, (int64_t)cx->n_tasks);
    cx->scen = calloc(a->n_assignors, sizeof *cx->scen);
    cx->seeds = calloc(a->seeds, sizeof *cx->seeds);
    cx->errs = calloc(cx->n_tasks, sizeof *cx->errs);
    cx->status = calloc(cx->n_tasks, sizeof *cx->status);
    if (!cx->scen || !cx->seeds || !cx->errs || !cx->status ||
        an_compare_init(&cx->table, (const char *const *)a->assignors, a->n_assignors, a->seeds))
        return CLI_FAIL;
    return CLI_OK;
}

static void compare_ctx_fini(compare_ctx_t *cx)
{
    for (size_t i = 0; cx->scen && i < cx->args->n_assignors; i++)
        if (cx->scen[i])
            cg_scenario_free(cx->scen[i]);
    free(cx->scen);
    free(cx->seeds);
    free(cx->errs);
    free(cx->status);
    an_compare_fini(&cx->table);
}

int cli_compare(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(COMPARE_HELP, stdout);
        return CLI_OK;
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    compare_args_t a = {.seeds = COMPARE_DEFAULT_SEEDS, .jobs = cpus > 0 ? (size_t)cpus : 1};
    a.sets = calloc((size_t)argc + 1, sizeof *a.sets);
    a.assignors = calloc(COMPARE_MAX_ASSIGNORS, sizeof *a.assignors);
    int rc = a.sets && a.assignors ? compare_parse(argc, argv, &a) : CLI_FAIL;
    compare_ctx_t cx;
    if (rc == CLI_OK) {
        rc = compare_ctx_init(&cx, &a);
        if (rc == CLI_OK)
            rc = compare_load_all(&cx);
        if (rc == CLI_OK)
            rc = compare_run_all(&cx, a.jobs);
        if (rc == CLI_OK)
            rc = compare_output(&cx);
        compare_ctx_fini(&cx);
    }
    for (size_t i = 0; a.assignors && i < a.n_assignors; i++)
        free(a.assignors[i]);
    free(a.assignors);
    free(a.sets);
    return rc;
}
