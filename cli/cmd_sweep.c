/* cli/cmd_sweep: `cgsim sweep [SPEC.json | SCENARIO.json] [--grid PATH=v1,v2,...]... [--set ...]
 * [--seeds N] [--out DIR] [--jobs J] [--baseline PATH=V]...`: the specification of a sweep from a
 * spec file and the command line (options add axes and overrides, and replace seeds, out and
 * baseline), checked before anything runs. Execution is in sweep_exec.c. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "cli/cli.h"
#include "cli/sweep.h"

static const char SWEEP_HELP[] =
    "usage: cgsim sweep SPEC.json [options]\n"
    "       cgsim sweep SCENARIO.json --grid PATH=v1,v2,... [--grid ...] --out DIR [options]\n"
    "\n"
    "Runs the scenario at every point of a grid of overrides (the cross product of the --grid\n"
    "axes; PATH is any --set path of cgsim run, e.g. groups[0].config.session.timeout.ms) times\n"
    "N replicates, analyses each run's trace (in memory) into cgsim analyze's figures, and writes\n"
    "into DIR (created if missing):\n"
    "  runs.jsonl    one line per run in run order: run, point, replicate, seed, overrides,\n"
    "                status (ok: figures; failed: error and the cgsim run command that\n"
    "                repeats it)\n"
    "  summary.json  per point: mean and Student-t 95% interval of every figure, and the paired\n"
    "                difference point - baseline (same replicates) with its interval\n"
    "  summary.csv   the same, one row per (point, figure)\n"
    "Seeds: replicate r runs with master seed splitmix64(BASE + r), BASE = the scenario's seed\n"
    "(after --set), at every point (common random numbers: differences between points are\n"
    "paired). Replicate r is run r of cgsim compare with the same BASE.\n"
    "\n"
    "  --grid PATH=LIST  an axis: comma-separated values (repeatable, at most 8 axes)\n"
    "  --set key=value   an override for every point (repeatable)\n"
    "  --seeds N         replicates per point (default 10)\n"
    "  --out DIR         output directory\n"
    "  --jobs J          threads per process (default: online CPUs); output does not depend on J\n"
    "  --baseline PATH=V the baseline point's value on an axis (repeatable; axes not named take\n"
    "                    their first value; default: the first point)\n"
    "\n"
    "SPEC.json: {\"scenario\": FILE (relative to the spec), \"grid\": {PATH: [v, ...], ...},\n"
    "\"set\": [\"key=value\", ...], \"seeds\": N, \"baseline\": {PATH: v}, \"out\": DIR (relative\n"
    "to the current directory)}; only \"scenario\" and \"grid\" are required. Command-line\n"
    "options add axes and overrides and replace seeds, out and baseline.\n"
    "\n"
    "Resuming: started again with the same specification and DIR, a sweep keeps the runs already\n"
    "in DIR/runs.jsonl (a truncated last line is dropped) and runs only the others; the final\n"
    "files are the same as those of an uninterrupted sweep.\n"
    "MPI: under mpirun -n N (or srun) with a cgsim built with Open MPI, runs are dealt to the N\n"
    "processes (each with --jobs threads) and gathered on rank 0, which alone writes DIR; the\n"
    "output is the same for any N and J. Every process must be able to read the spec and\n"
    "scenario files.\n"
    "Progress (runs, rate, ETA) on stderr when it is a terminal; one summary line on stdout.\n"
    "Plots: cgsim plot --sweep DIR --out PLOTS.\n"
    "Exit status: 0 ok, 1 some run failed (recorded in runs.jsonl) or an internal failure,\n"
    "2 bad input or usage.\n";

/* ---- axes and overrides ---- */

static int sweep_err(const char *file, const char *path, const char *fmt, const char *what)
{
    fprintf(stderr, "%s: %s: ", file, path);
    fprintf(stderr, fmt, what);
    fputc('\n', stderr);
    return CLI_USAGE;
}

static int sweep_add_value(an_sweep_axis_t *ax, const char *v, size_t n)
{
    if (ax->n_values == SWEEP_MAX_VALUES)
        return CLI_USAGE;
    char *s = strndup(v, n);
    if (!s)
        return CLI_FAIL;
    ax->values[ax->n_values++] = s;
    return CLI_OK;
}

/* A new axis named `path` (refused when the path is already an axis). */
static an_sweep_axis_t *sweep_new_axis(sweep_spec_t *s, const char *path, size_t n,
                                       const char *where)
{
    if (s->n_axes == AN_SWEEP_MAX_AXES) {
        fprintf(stderr, "%s: at most %d axes\n", where, AN_SWEEP_MAX_AXES);
        return NULL;
    }
    for (size_t a = 0; a < s->n_axes; a++)
        if (strlen(s->axes[a].path) == n && strncmp(s->axes[a].path, path, n) == 0) {
            fprintf(stderr, "%s: axis '%.*s' given twice\n", where, (int)n, path);
            return NULL;
        }
    an_sweep_axis_t *ax = &s->axes[s->n_axes];
    ax->path = strndup(path, n);
    ax->values = calloc(SWEEP_MAX_VALUES, sizeof *ax->values);
    if (!ax->path || !ax->values) {
        free(ax->path);
        free(ax->values);
        fprintf(stderr, "%s: out of memory\n", where);
        return NULL;
    }
    s->n_axes++;
    return ax;
}

/* --grid PATH=v1,v2,... */
static int sweep_grid_option(sweep_spec_t *s, const char *v)
{
    const char *eq = strchr(v, '=');
    if (!eq || eq == v || !eq[1])
        return cli_usage_error("sweep", "--grid expects PATH=v1,v2,..., got '%s'", v);
    an_sweep_axis_t *ax = sweep_new_axis(s, v, (size_t)(eq - v), "cgsim sweep: --grid");
    if (!ax)
        return CLI_USAGE;
    for (const char *p = eq + 1;;) {
        size_t n = strcspn(p, ",");
        if (n == 0)
            return cli_usage_error("sweep", "--grid: empty value in '%s'", v);
        int rc = sweep_add_value(ax, p, n);
        if (rc != CLI_OK)
            return rc == CLI_USAGE ? cli_usage_error("sweep", "--grid: at most %d values",
                                                     SWEEP_MAX_VALUES) : rc;
        if (p[n] == '\0')
            return CLI_OK;
        p += n + 1;
    }
}

static int sweep_add_set(char **list, size_t *n, size_t max, const char *v, const char *what)
{
    if (!strchr(v, '=') || v[0] == '=')
        return cli_usage_error("sweep", "%s expects key=value, got '%s'", what, v);
    if (*n == max)
        return cli_usage_error("sweep", "%s: at most %zu", what, max);
    if (!(list[*n] = strdup(v)))
        return CLI_FAIL;
    (*n)++;
    return CLI_OK;
}

/* ---- SPEC.json ---- */

/* A grid value or baseline value as text: strings as they are, numbers as %.15g. */
static bool sweep_value_text(const cJSON *v, char *buf, size_t n)
{
    if (cJSON_IsString(v) && v->valuestring[0]) {
        snprintf(buf, n, "%s", v->valuestring);
        return strlen(v->valuestring) < n && !strchr(v->valuestring, ',');
    }
    if (cJSON_IsNumber(v)) {
        snprintf(buf, n, "%.15g", v->valuedouble);
        return true;
    }
    if (cJSON_IsBool(v)) {
        snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
        return true;
    }
    return false;
}

static int sweep_spec_grid(sweep_spec_t *s, const cJSON *grid, const char *file)
{
    if (!cJSON_IsObject(grid) || !grid->child)
        return sweep_err(file, "$.grid", "%sexpected an object {PATH: [v1, v2, ...], ...}", "");
    const cJSON *axis;
    cJSON_ArrayForEach(axis, grid) {
        char where[600], buf[512];
        snprintf(where, sizeof where, "%s: $.grid.%s", file, axis->string);
        if (!cJSON_IsArray(axis) || cJSON_GetArraySize(axis) < 1 ||
            cJSON_GetArraySize(axis) > SWEEP_MAX_VALUES) {
            fprintf(stderr, "%s: expected an array of 1 to %d strings or numbers\n", where,
                    SWEEP_MAX_VALUES);
            return CLI_USAGE;
        }
        an_sweep_axis_t *ax = sweep_new_axis(s, axis->string, strlen(axis->string), where);
        if (!ax)
            return CLI_USAGE;
        const cJSON *v;
        int i = 0;
        cJSON_ArrayForEach(v, axis) {
            if (!sweep_value_text(v, buf, sizeof buf)) {
                fprintf(stderr, "%s[%d]: expected a string (non-empty, no comma), a number or "
                                "a boolean\n", where, i);
                return CLI_USAGE;
            }
            if (sweep_add_value(ax, buf, strlen(buf)) != CLI_OK)
                return CLI_FAIL;
            i++;
        }
    }
    return CLI_OK;
}

static int sweep_spec_sets(sweep_spec_t *s, const cJSON *set, const char *file)
{
    if (!cJSON_IsArray(set))
        return sweep_err(file, "$.set", "%sexpected an array of \"key=value\" strings", "");
    const cJSON *v;
    int i = 0;
    cJSON_ArrayForEach(v, set) {
        if (!cJSON_IsString(v) || !strchr(v->valuestring, '=') || v->valuestring[0] == '=') {
            fprintf(stderr, "%s: $.set[%d]: expected a \"key=value\" string\n", file, i);
            return CLI_USAGE;
        }
        if (sweep_add_set(s->sets, &s->n_sets, SWEEP_MAX_SETS, v->valuestring, "set") != CLI_OK)
            return CLI_USAGE;
        i++;
    }
    return CLI_OK;
}

static int sweep_spec_baseline(sweep_spec_t *s, const cJSON *b, const char *file)
{
    if (!cJSON_IsObject(b))
        return sweep_err(file, "$.baseline", "%sexpected an object {PATH: value}", "");
    const cJSON *v;
    cJSON_ArrayForEach(v, b) {
        char buf[512], kv[1100];
        if (!sweep_value_text(v, buf, sizeof buf)) {
            fprintf(stderr, "%s: $.baseline.%s: expected a string or a number\n", file,
                    v->string);
            return CLI_USAGE;
        }
        snprintf(kv, sizeof kv, "%s=%s", v->string, buf);
        if (sweep_add_set(s->baseline, &s->n_baseline, AN_SWEEP_MAX_AXES, kv, "baseline"))
            return CLI_USAGE;
    }
    return CLI_OK;
}

/* The scenario named in a spec, relative to the spec's directory unless absolute. */
static int sweep_spec_scenario(sweep_spec_t *s, const cJSON *v, const char *file)
{
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return sweep_err(file, "$.scenario", "%sexpected the scenario file (a string, relative "
                                             "to the spec)", "");
    const char *slash = strrchr(file, '/');
    size_t dir = v->valuestring[0] == '/' || !slash ? 0 : (size_t)(slash - file) + 1;
    size_t n = dir + strlen(v->valuestring) + 1;
    if (!(s->scenario = malloc(n)))
        return CLI_FAIL;
    snprintf(s->scenario, n, "%.*s%s", (int)dir, file, v->valuestring);
    return CLI_OK;
}

static int sweep_spec_seeds(sweep_spec_t *s, const cJSON *v, const char *file)
{
    if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > SWEEP_MAX_SEEDS ||
        v->valuedouble != (double)(long)v->valuedouble) {
        fprintf(stderr, "%s: $.seeds: expected an integer in [1, %d]\n", file, SWEEP_MAX_SEEDS);
        return CLI_USAGE;
    }
    s->seeds = (size_t)v->valuedouble;
    return CLI_OK;
}

static int sweep_spec_member(sweep_spec_t *s, const cJSON *m, const char *file)
{
    if (strcmp(m->string, "scenario") == 0)
        return sweep_spec_scenario(s, m, file);
    if (strcmp(m->string, "grid") == 0)
        return sweep_spec_grid(s, m, file);
    if (strcmp(m->string, "set") == 0)
        return sweep_spec_sets(s, m, file);
    if (strcmp(m->string, "seeds") == 0)
        return sweep_spec_seeds(s, m, file);
    if (strcmp(m->string, "baseline") == 0)
        return sweep_spec_baseline(s, m, file);
    if (strcmp(m->string, "out") == 0) {
        if (!cJSON_IsString(m) || !m->valuestring[0])
            return sweep_err(file, "$.out", "%sexpected a directory (a string)", "");
        return (s->out = strdup(m->valuestring)) ? CLI_OK : CLI_FAIL;
    }
    fprintf(stderr, "%s: $.%s: unknown key (known: scenario, grid, set, seeds, baseline, out)\n",
            file, m->string);
    return CLI_USAGE;
}

/* Reads `file`: a spec (an object with "scenario") into s, or else takes it as the scenario. */
static int sweep_spec_file(sweep_spec_t *s, const char *file)
{
    size_t n = 0;
    char *buf = cli_read_small("sweep", file, SWEEP_MAX_SPEC_BYTES, &n);
    if (!buf)
        return CLI_USAGE;
    cJSON *j = cJSON_ParseWithLength(buf, n);
    free(buf);
    int rc = CLI_OK;
    if (!cJSON_IsObject(j) || !cJSON_GetObjectItemCaseSensitive(j, "scenario")) {
        rc = (s->scenario = strdup(file)) ? CLI_OK : CLI_FAIL;   /* a scenario: loaded later */
    } else {
        const cJSON *m;
        cJSON_ArrayForEach(m, j) {
            if ((rc = sweep_spec_member(s, m, file)) != CLI_OK)
                break;
        }
        if (rc == CLI_OK && s->n_axes == 0 && !cJSON_GetObjectItemCaseSensitive(j, "grid"))
            rc = sweep_err(file, "$.grid", "%smissing (expected {PATH: [v1, v2, ...], ...})", "");
    }
    cJSON_Delete(j);
    return rc;
}

/* ---- command line ---- */

static int sweep_option(sweep_spec_t *s, const char *opt, const char *v, char **out)
{
    if (strcmp(opt, "--grid") == 0)
        return sweep_grid_option(s, v);
    if (strcmp(opt, "--set") == 0)
        return sweep_add_set(s->sets, &s->n_sets, SWEEP_MAX_SETS, v, "--set");
    if (strcmp(opt, "--seeds") == 0)
        return cli_parse_size("sweep", opt, v, 1, SWEEP_MAX_SEEDS, &s->seeds);
    if (strcmp(opt, "--jobs") == 0)
        return cli_parse_size("sweep", opt, v, 1, SWEEP_MAX_JOBS, &s->jobs);
    if (strcmp(opt, "--out") == 0) {
        *out = (char *)v;
        return *v ? CLI_OK : cli_usage_error("sweep", "--out expects a directory");
    }
    return sweep_add_set(s->baseline, &s->n_baseline, AN_SWEEP_MAX_AXES, v, "--baseline");
}

/* The spec file first (so that options can add to it), then the options. */
static int sweep_parse_args(int argc, char **argv, sweep_spec_t *s)
{
    static const char *const opts[] = {"--grid", "--set", "--seeds", "--jobs", "--out",
                                       "--baseline"};
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        bool value = false;
        for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++)
            value = value || strcmp(argv[i], opts[k]) == 0;
        if (value) {
            i++;
        } else if (argv[i][0] != '-') {
            if (file)
                return cli_usage_error("sweep", "one SPEC.json or SCENARIO.json only (got '%s' "
                                                "and '%s')", file, argv[i]);
            file = argv[i];
        }
    }
    if (!file)
        return cli_usage_error("sweep", "missing SPEC.json or SCENARIO.json");
    int rc = sweep_spec_file(s, file);
    size_t spec_baseline = s->n_baseline;
    char *out = NULL;
    for (int i = 1; rc == CLI_OK && i < argc; i++) {
        bool missing;
        size_t k = 0;
        const char *v = cli_opt_match(argc, argv, &i, opts, sizeof opts / sizeof opts[0], &k,
                                      &missing);
        if (missing)
            return cli_usage_error("sweep", "%s needs a value", opts[k]);
        if (v && strcmp(opts[k], "--baseline") == 0 && spec_baseline) {
            for (size_t b = 0; b < s->n_baseline; b++)
                free(s->baseline[b]);
            s->n_baseline = spec_baseline = 0;
        }
        if (v)
            rc = sweep_option(s, opts[k], v, &out);
        else if (argv[i][0] == '-')
            return cli_usage_error("sweep", "unknown option '%s'", argv[i]);
    }
    if (rc == CLI_OK && out) {
        free(s->out);
        rc = (s->out = strdup(out)) ? CLI_OK : CLI_FAIL;
    }
    return rc;
}

/* The point whose value on each axis is the one named in --baseline (first value otherwise). */
static int sweep_resolve_baseline(sweep_spec_t *s)
{
    size_t idx[AN_SWEEP_MAX_AXES] = {0};
    for (size_t b = 0; b < s->n_baseline; b++) {
        const char *kv = s->baseline[b], *eq = strchr(kv, '=');
        size_t a = 0;
        while (a < s->n_axes && (strlen(s->axes[a].path) != (size_t)(eq - kv) ||
                                 strncmp(s->axes[a].path, kv, (size_t)(eq - kv)) != 0))
            a++;
        if (a == s->n_axes)
            return cli_usage_error("sweep", "baseline '%s': '%.*s' is not an axis of the grid",
                                   kv, (int)(eq - kv), kv);
        size_t v = 0;
        while (v < s->axes[a].n_values && strcmp(s->axes[a].values[v], eq + 1) != 0)
            v++;
        if (v == s->axes[a].n_values)
            return cli_usage_error("sweep", "baseline '%s': '%s' is not a value of that axis",
                                   kv, eq + 1);
        idx[a] = v;
    }
    s->baseline_point = 0;
    for (size_t a = 0; a < s->n_axes; a++)
        s->baseline_point = s->baseline_point * s->axes[a].n_values + idx[a];
    return CLI_OK;
}

int sweep_spec_parse(int argc, char **argv, sweep_spec_t *s)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    memset(s, 0, sizeof *s);
    s->seeds = SWEEP_DEFAULT_SEEDS;
    s->jobs = cpus > 0 ? (size_t)cpus : 1;
    int rc = sweep_parse_args(argc, argv, s);
    if (rc != CLI_OK)
        return rc;
    if (s->n_axes == 0)
        return cli_usage_error("sweep", "no axis: give --grid PATH=v1,v2,... (or a spec's grid)");
    if (!s->out)
        return cli_usage_error("sweep", "missing --out DIR (or the spec's \"out\")");
    size_t points = 1;
    for (size_t a = 0; a < s->n_axes; a++) {
        points *= s->axes[a].n_values;
        if (points > SWEEP_MAX_POINTS)
            return cli_usage_error("sweep", "the grid has more than %d points",
                                   SWEEP_MAX_POINTS);
    }
    if (points * s->seeds > SWEEP_MAX_RUNS)
        return cli_usage_error("sweep", "%zu points x %zu seeds is more than %d runs", points,
                               s->seeds, SWEEP_MAX_RUNS);
    return sweep_resolve_baseline(s);
}

void sweep_spec_fini(sweep_spec_t *s)
{
    for (size_t a = 0; a < s->n_axes; a++) {
        for (size_t v = 0; v < s->axes[a].n_values; v++)
            free(s->axes[a].values[v]);
        free(s->axes[a].values);
        free(s->axes[a].path);
    }
    for (size_t i = 0; i < s->n_sets; i++)
        free(s->sets[i]);
    for (size_t i = 0; i < s->n_baseline; i++)
        free(s->baseline[i]);
    free(s->scenario);
    free(s->out);
    memset(s, 0, sizeof *s);
}

int cli_sweep(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(SWEEP_HELP, stdout);
        return CLI_OK;
    }
    cli_mpi_t m;
    int rc = cli_mpi_start(&m, &argc, &argv);
    if (rc != CLI_OK)
        return rc;
    sweep_spec_t s;
    rc = sweep_spec_parse(argc, argv, &s);
    if (rc == CLI_OK)
        rc = sweep_exec(&s, &m);
    sweep_spec_fini(&s);
    cli_mpi_stop(&m);
    return rc;
}
