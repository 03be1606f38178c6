/* cli/sweep_exec: running a sweep. Run k is (point k / seeds, replicate k % seeds). Runs still to
 * do are taken in run order in batches of jobs x ranks x SWEEP_BATCH_PER_JOB; within a batch,
 * entry i goes to rank i % ranks, which runs its share on its thread pool and sends the lines to
 * rank 0; rank 0 appends the batch to runs.jsonl, so an interruption loses at most one batch. At
 * the end rank 0 rewrites runs.jsonl in run order and computes the summaries from the lines
 * (parsed back, the same path for resumed and new runs), so the files depend on nothing but the
 * specification. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "cli/cli.h"
#include "cli/runner.h"
#include "cli/scenario_cli.h"
#include "cli/sweep.h"
#include "sim/rng.h"

#define SWEEP_PATH_MAX 4096

typedef struct sweep_ctx {
    const sweep_spec_t *s;            /* the specification */
    const cli_mpi_t *m;               /* rank and size */
    an_sweep_desc_t desc;             /* for the summaries */
    size_t n_points;                  /* grid points */
    size_t n_runs;                    /* points x seeds */
    cg_scenario_t **scen;             /* loaded scenario of each point */
    uint64_t *seeds;                  /* master seed of each replicate */
    char **lines;                     /* rank 0: runs.jsonl line of run k (no '\n'), NULL = none */
    unsigned char *todo;              /* every rank: 1 when run k is still to do */
    size_t *mine;                     /* run indexes this rank runs in the current batch */
    char **mine_lines;                /* their lines */
    size_t n_mine;                    /* entries of mine in use */
    bool tty;                         /* rank 0 and stderr is a terminal: show progress */
    double t0_s;                      /* wall clock at the start (progress and rate only) */
    size_t resumed;                   /* runs found in runs.jsonl */
    size_t n_todo;                    /* runs to do at the start */
    size_t done_new;                  /* runs done since the start (all ranks, after batches) */
    FILE *append;                     /* rank 0: runs.jsonl, open for appending */
} sweep_ctx_t;

static int sweep_path(char *buf, const char *dir, const char *file)
{
    int n = snprintf(buf, SWEEP_PATH_MAX, "%s/%s", dir, file);
    return n > 0 && n < SWEEP_PATH_MAX ? 0 : -1;
}

/* ---- scenarios and seeds ---- */

static int sweep_load_point(sweep_ctx_t *cx, size_t p, const char **sets)
{
    const sweep_spec_t *s = cx->s;
    size_t idx[AN_SWEEP_MAX_AXES], n = s->n_sets;
    char *own[AN_SWEEP_MAX_AXES] = {0};
    an_sweep_point_decode(s->axes, s->n_axes, p, idx);
    int rc = CLI_OK;
    for (size_t a = 0; a < s->n_axes; a++) {
        size_t len = strlen(s->axes[a].path) + strlen(s->axes[a].values[idx[a]]) + 2;
        if (!(own[a] = malloc(len))) {
            rc = CLI_FAIL;
            break;
        }
        snprintf(own[a], len, "%s=%s", s->axes[a].path, s->axes[a].values[idx[a]]);
        sets[n++] = own[a];
    }
    if (rc == CLI_OK)
        rc = cli_scenario_load(s->scenario, sets, n, 0, &cx->scen[p]);   /* default budget */
    if (rc == CLI_USAGE) {
        fprintf(stderr, "cgsim sweep: point %zu (", p);
        for (size_t a = 0; a < s->n_axes; a++)
            fprintf(stderr, "%s%s", a ? ", " : "", own[a]);
        fprintf(stderr, "): the overrides above are refused\n");
    }
    for (size_t a = 0; a < s->n_axes; a++)
        free(own[a]);
    return rc;
}

/* Every point's scenario, and the replicates' seeds from the base scenario's seed. */
static int sweep_load(sweep_ctx_t *cx)
{
    const sweep_spec_t *s = cx->s;
    const char *sets[SWEEP_MAX_SETS + AN_SWEEP_MAX_AXES];
    for (size_t i = 0; i < s->n_sets; i++)
        sets[i] = s->sets[i];
    cg_scenario_t *base = NULL;
    int rc = cli_scenario_load(s->scenario, sets, s->n_sets, 0, &base);
    if (rc != CLI_OK)
        return rc;
    cx->desc.base_seed = base->seed;
    cg_scenario_free(base);
    for (size_t r = 0; r < s->seeds; r++)
        cx->seeds[r] = sim_splitmix64(cx->desc.base_seed + (uint64_t)r);
    for (size_t p = 0; rc == CLI_OK && p < cx->n_points; p++)
        rc = sweep_load_point(cx, p, sets);
    return rc;
}

/* ---- one run ---- */

/* {"run", "point", "replicate", "seed", "overrides"}: what identifies run k. */
static cJSON *sweep_line_head(const sweep_ctx_t *cx, size_t k)
{
    size_t p = k / cx->s->seeds, r = k % cx->s->seeds;
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)cx->seeds[r]);
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddNumberToObject(o, "run", (double)k) ||
        !cJSON_AddNumberToObject(o, "point", (double)p) ||
        !cJSON_AddNumberToObject(o, "replicate", (double)r) ||
        !cJSON_AddStringToObject(o, "seed", seed) ||
        !cJSON_AddItemToObject(o, "overrides",
                               an_sweep_overrides_json(cx->s->axes, cx->s->n_axes, p))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* A shell word: single-quoted unless made of safe characters only. */
static void sweep_shell_word(FILE *f, const char *w)
{
    if (*w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                       "_-./=:,+") == strlen(w)) {
        fputs(w, f);
        return;
    }
    fputc('\'', f);
    for (; *w; w++) {
        if (*w == '\'')
            fputs("'\\''", f);
        else
            fputc(*w, f);
    }
    fputc('\'', f);
}

/* The cgsim run command line that repeats run k (its trace shows what went wrong). */
static char *sweep_repro(const sweep_ctx_t *cx, size_t k)
{
    char *buf = NULL;
    size_t len = 0, idx[AN_SWEEP_MAX_AXES];
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fputs("cgsim run ", f);
    sweep_shell_word(f, cx->s->scenario);
    fprintf(f, " --seed %llu", (unsigned long long)cx->seeds[k % cx->s->seeds]);
    for (size_t i = 0; i < cx->s->n_sets; i++) {
        fputs(" --set ", f);
        sweep_shell_word(f, cx->s->sets[i]);
    }
    an_sweep_point_decode(cx->s->axes, cx->s->n_axes, k / cx->s->seeds, idx);
    for (size_t a = 0; a < cx->s->n_axes; a++) {
        fputs(" --set ", f);
        sweep_shell_word(f, cx->s->axes[a].path);
        fputc('=', f);   /* path and value quoted apart: the same word for the shell */
        sweep_shell_word(f, cx->s->axes[a].values[idx[a]]);
    }
    fputs(" --trace run.jsonl", f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static bool sweep_add_result(const sweep_ctx_t *cx, cJSON *o, size_t k, int st,
                             const double *figs, const char *err)
{
    if (st != CLI_OK) {
        char *repro = sweep_repro(cx, k);
        bool ok = repro && cJSON_AddStringToObject(o, "status", "failed") &&
                  cJSON_AddStringToObject(o, "error", err) &&
                  cJSON_AddStringToObject(o, "repro", repro);
        free(repro);
        return ok;
    }
    cJSON *fj = cJSON_CreateObject();
    for (int f = 0; fj && f < AN_FIG_COUNT; f++) {
        cJSON *v = isfinite(figs[f]) ? cJSON_CreateNumber(figs[f]) : cJSON_CreateNull();
        if (!v || !cJSON_AddItemToObject(fj, an_fig_name((an_fig_t)f), v)) {
            cJSON_Delete(v);
            cJSON_Delete(fj);
            return false;
        }
    }
    if (!fj)
        return false;
    if (!cJSON_AddStringToObject(o, "status", "ok") || !cJSON_AddItemToObject(o, "figures", fj)) {
        cJSON_Delete(fj);
        return false;
    }
    return true;
}

static int sweep_task(void *ctx, size_t i)
{
    sweep_ctx_t *cx = ctx;
    size_t k = cx->mine[i];
    double figs[AN_FIG_COUNT];
    char err[CLI_RUN_ERR_MAX] = "", label[64];
    snprintf(label, sizeof label, "<trace of sweep run %zu>", k);
    int st = cli_run_figures(cx->scen[k / cx->s->seeds], cx->seeds[k % cx->s->seeds], label,
                             figs, err, sizeof err);
    cJSON *o = sweep_line_head(cx, k);
    if (o && sweep_add_result(cx, o, k, st, figs, err))
        cx->mine_lines[i] = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return cx->mine_lines[i] ? CLI_OK : CLI_FAIL;
}

/* ---- progress (stderr, a terminal only; never in the files) ---- */

static void sweep_progress(const sweep_ctx_t *cx, size_t done_new)
{
    double el = cli_wall_seconds() - cx->t0_s;
    if (done_new > cx->n_todo)
        done_new = cx->n_todo;
    double rate = el > 0 ? (double)done_new / el : 0;
    fprintf(stderr, "\rcgsim sweep: %zu/%zu runs, %.1f runs/s", cx->resumed + done_new,
            cx->n_runs, rate);
    if (rate > 0)
        fprintf(stderr, ", ETA %.0f s  ", (double)(cx->n_todo - done_new) / rate);
}

static void sweep_done(void *ctx, size_t i, size_t done)
{
    sweep_ctx_t *cx = ctx;
    (void)i;
    if (cx->tty)   /* this rank's share; the others' arrive with the batch */
        sweep_progress(cx, cx->done_new + done * (size_t)cx->m->size);
}

/* ---- resuming: the lines already in runs.jsonl ---- */

/* Checks a line of runs.jsonl against this sweep; the run index, or -1 with a reason. */
static long sweep_check_line(const sweep_ctx_t *cx, const char *line, const char **why)
{
    cJSON *o = cJSON_Parse(line);
    const cJSON *run = cJSON_GetObjectItemCaseSensitive(o, "run");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "status");
    long k = -1;
    *why = "not a run record (expected a JSON object with run, point, replicate, seed, "
           "overrides, status)";
    if (cJSON_IsNumber(run) && run->valuedouble >= 0 && run->valuedouble < (double)cx->n_runs &&
        run->valuedouble == floor(run->valuedouble) && cJSON_IsString(st)) {
        cJSON *want = sweep_line_head(cx, (size_t)run->valuedouble);
        bool same = want != NULL;
        const char *keys[] = {"point", "replicate", "seed", "overrides"};
        for (size_t i = 0; same && i < sizeof keys / sizeof keys[0]; i++)
            same = cJSON_Compare(cJSON_GetObjectItemCaseSensitive(o, keys[i]),
                                 cJSON_GetObjectItemCaseSensitive(want, keys[i]), true);
        bool ok = strcmp(st->valuestring, "ok") == 0 &&
                  cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(o, "figures"));
        bool failed = strcmp(st->valuestring, "failed") == 0;
        if (!same)
            *why = "this run's point, seed or overrides differ from this sweep's (another "
                   "specification wrote this directory: use another --out)";
        else if (!ok && !failed)
            *why = "status must be \"ok\" with figures, or \"failed\"";
        else
            k = (long)run->valuedouble;
        cJSON_Delete(want);
    }
    cJSON_Delete(o);
    return k;
}

/* Reads DIR/runs.jsonl (when it exists) into cx->lines; a truncated last line is dropped. */
static int sweep_read_runs(sweep_ctx_t *cx, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? CLI_OK : (fprintf(stderr, "%s: cannot open: %s\n", path,
                                                   strerror(errno)), CLI_USAGE);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = CLI_OK;
    for (long no = 1; rc == CLI_OK && (n = getline(&line, &cap, f)) > 0; no++) {
        int next = fgetc(f);
        bool last = next == EOF;
        if (!last)
            ungetc(next, f);
        const char *why = "longer than the limit";
        long k = n > SWEEP_MAX_LINE_BYTES ? -1 : sweep_check_line(cx, line, &why);
        if (last && (line[n - 1] != '\n' || k < 0)) {
            fprintf(stderr, "cgsim sweep: %s:%ld: dropping the truncated last line (an "
                            "interrupted sweep); the run is done again\n", path, no);
            break;
        }
        if (k < 0) {
            fprintf(stderr, "%s:%ld: %s\n", path, no, why);
            rc = CLI_USAGE;
        } else if (!cx->lines[k]) {
            line[n - 1] = '\0';
            if (!(cx->lines[k] = strdup(line)))
                rc = CLI_FAIL;
            cx->resumed++;
        }
    }
    free(line);
    fclose(f);
    return rc;
}

/* Writes the known lines in run order to DIR/FILE.tmp and renames it over DIR/FILE. */
static int sweep_write_runs(const sweep_ctx_t *cx, const char *path)
{
    char tmp[SWEEP_PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "cgsim sweep: %s: cannot write: %s\n", tmp, strerror(errno));
        return CLI_FAIL;
    }
    for (size_t k = 0; k < cx->n_runs; k++)
        if (cx->lines[k])
            fprintf(f, "%s\n", cx->lines[k]);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "cgsim sweep: %s: write error: %s\n", path, strerror(errno));
        return CLI_FAIL;
    }
    return CLI_OK;
}

/* Rank 0: the output directory, the runs already done, runs.jsonl rewritten with exactly those
 * and open for appending. */
static int sweep_prepare(sweep_ctx_t *cx)
{
    char path[SWEEP_PATH_MAX];
    if (sweep_path(path, cx->s->out, "runs.jsonl") != 0) {
        fprintf(stderr, "cgsim sweep: --out %s: path too long\n", cx->s->out);
        return CLI_USAGE;
    }
    int rc = cli_mkdir("sweep", cx->s->out);
    if (rc == CLI_OK)
        rc = sweep_read_runs(cx, path);
    if (rc == CLI_OK)
        rc = sweep_write_runs(cx, path);
    if (rc == CLI_OK && !(cx->append = fopen(path, "a"))) {
        fprintf(stderr, "cgsim sweep: %s: cannot append: %s\n", path, strerror(errno));
        rc = CLI_FAIL;
    }
    return rc;
}

/* ---- batches ---- */

/* Rank 0: the lines rank r sent for batch entries r, r + size, ... */
static int sweep_take_lines(sweep_ctx_t *cx, const size_t *batch, size_t n, int r, char *buf,
                            size_t len)
{
    size_t size = (size_t)cx->m->size, i = (size_t)r;
    for (char *p = buf; p < buf + len && i < n; i += size) {
        char *nl = memchr(p, '\n', (size_t)(buf + len - p));
        if (!nl)
            break;
        *nl = '\0';
        if (!(cx->lines[batch[i]] = strdup(p)))
            return CLI_FAIL;
        p = nl + 1;
    }
    if (i < n) {
        fprintf(stderr, "cgsim sweep: rank %d sent fewer results than it was dealt\n", r);
        return CLI_FAIL;
    }
    return CLI_OK;
}

/* This rank's lines of the batch, each ending in '\n', into one buffer (malloc'd). */
static char *sweep_pack(const sweep_ctx_t *cx, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    for (size_t i = 0; i < cx->n_mine; i++)
        fprintf(f, "%s\n", cx->mine_lines[i]);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Rank 0: every line of the batch in cx->lines, appended to runs.jsonl in run order. */
static int sweep_collect(sweep_ctx_t *cx, const size_t *batch, size_t n, char **got,
                         size_t *got_len)
{
    int rc = CLI_OK;
    for (size_t i = 0; i < cx->n_mine; i++) {
        cx->lines[cx->mine[i]] = cx->mine_lines[i];
        cx->mine_lines[i] = NULL;
    }
    for (int r = 1; rc == CLI_OK && r < cx->m->size; r++)
        rc = sweep_take_lines(cx, batch, n, r, got[r], got_len[r]);
    for (size_t i = 0; rc == CLI_OK && i < n; i++)
        fprintf(cx->append, "%s\n", cx->lines[batch[i]]);
    if (rc == CLI_OK && fflush(cx->append) != 0) {
        fprintf(stderr, "cgsim sweep: %s/runs.jsonl: write error: %s\n", cx->s->out,
                strerror(errno));
        rc = CLI_FAIL;
    }
    return rc;
}

/* One batch on every rank; every rank returns the same status (rank 0's, broadcast). */
static int sweep_batch(sweep_ctx_t *cx, const size_t *batch, size_t n)
{
    size_t size = (size_t)cx->m->size;
    cx->n_mine = 0;
    for (size_t i = (size_t)cx->m->rank; i < n; i += size)
        cx->mine[cx->n_mine++] = batch[i];
    int rc = cli_pool_run(cx->n_mine, cx->s->jobs, sweep_task, sweep_done, cx);
    for (size_t i = 0; rc == CLI_OK && i < cx->n_mine; i++)
        if (!cx->mine_lines[i])
            rc = CLI_FAIL;
    size_t len = 0;
    char *buf = rc == CLI_OK ? sweep_pack(cx, &len) : NULL;
    char **got = calloc(size, sizeof *got);
    size_t *got_len = calloc(size, sizeof *got_len);
    if (!buf || !got || !got_len)
        rc = CLI_FAIL;
    /* A rank that failed still takes part in the gather (with nothing), so no one waits. */
    if (cli_mpi_gather(cx->m, buf ? buf : "", buf ? len : 0, got, got_len) != CLI_OK)
        rc = CLI_FAIL;
    if (rc == CLI_OK && cx->m->rank == 0)
        rc = sweep_collect(cx, batch, n, got, got_len);
    for (size_t r = 0; got && r < size; r++)
        free(got[r]);
    for (size_t i = 0; i < cx->n_mine; i++) {
        free(cx->mine_lines[i]);
        cx->mine_lines[i] = NULL;
    }
    free(got);
    free(got_len);
    free(buf);
    int st = rc;
    if (cli_mpi_bcast(cx->m, &st, sizeof st) != CLI_OK)
        return CLI_FAIL;
    return st;
}

static int sweep_run_todo(sweep_ctx_t *cx)
{
    size_t per = cx->s->jobs * (size_t)cx->m->size * SWEEP_BATCH_PER_JOB;
    size_t *batch = calloc(per, sizeof *batch);
    cx->mine = calloc(per, sizeof *cx->mine);
    cx->mine_lines = calloc(per, sizeof *cx->mine_lines);
    int rc = batch && cx->mine && cx->mine_lines ? CLI_OK : CLI_FAIL;
    for (size_t k = 0; rc == CLI_OK && k < cx->n_runs;) {
        size_t n = 0;
        for (; k < cx->n_runs && n < per; k++)
            if (cx->todo[k])
                batch[n++] = k;
        if (n == 0)
            break;
        rc = sweep_batch(cx, batch, n);
        cx->done_new += n;
        if (cx->tty)
            sweep_progress(cx, cx->done_new);
    }
    if (cx->tty)
        fputc('\n', stderr);
    free(batch);
    return rc;
}

/* ---- the summaries (rank 0), from the lines alone ---- */

/* Figures of every ok run into the table (point = row, replicate = column); failures counted. */
static int sweep_fill(const sweep_ctx_t *cx, an_compare_t *t, size_t *failed)
{
    for (size_t k = 0; k < cx->n_runs; k++) {
        size_t p = k / cx->s->seeds, r = k % cx->s->seeds;
        cJSON *o = cJSON_Parse(cx->lines[k]);
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "status");
        const cJSON *figs = cJSON_GetObjectItemCaseSensitive(o, "figures");
        if (!cJSON_IsString(st)) {
            cJSON_Delete(o);
            return CLI_FAIL;
        }
        if (strcmp(st->valuestring, "ok") != 0)
            failed[p]++;
        double *row = an_compare_row(t, p, r);
        for (int f = 0; figs && f < AN_FIG_COUNT; f++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(figs, an_fig_name((an_fig_t)f));
            row[f] = cJSON_IsNumber(v) ? v->valuedouble : NAN;
        }
        cJSON_Delete(o);
    }
    return CLI_OK;
}

static int sweep_write_summaries(const sweep_ctx_t *cx, const an_compare_t *t,
                                 const size_t *failed)
{
    char pj[SWEEP_PATH_MAX], pc[SWEEP_PATH_MAX];
    sweep_path(pj, cx->s->out, "summary.json");
    sweep_path(pc, cx->s->out, "summary.csv");
    cJSON *j = an_sweep_summary_json(&cx->desc, t, failed);
    char *text = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    FILE *fj = text ? fopen(pj, "w") : NULL;
    FILE *fc = fj ? fopen(pc, "w") : NULL;
    int rc = fj && fc ? CLI_OK : CLI_FAIL;
    if (rc == CLI_OK) {
        fprintf(fj, "%s\n", text);
        if (an_sweep_summary_csv(&cx->desc, t, fc) != 0)
            rc = CLI_FAIL;
    }
    if (fj && fclose(fj) != 0)
        rc = CLI_FAIL;
    if (fc && fclose(fc) != 0)
        rc = CLI_FAIL;
    cJSON_free(text);
    if (rc != CLI_OK)
        fprintf(stderr, "cgsim sweep: writing %s and %s failed: %s\n", pj, pc, strerror(errno));
    return rc;
}

/* runs.jsonl in run order, summary.json, summary.csv; CLI_FAIL when a run failed. */
static int sweep_finish(sweep_ctx_t *cx, size_t *n_failed)
{
    char path[SWEEP_PATH_MAX];
    sweep_path(path, cx->s->out, "runs.jsonl");
    fclose(cx->append);
    cx->append = NULL;
    int rc = sweep_write_runs(cx, path);
    an_compare_t t;
    char (*names)[24] = calloc(cx->n_points, sizeof *names);   /* rows named by point index */
    const char **labels = calloc(cx->n_points, sizeof *labels);
    size_t *failed = calloc(cx->n_points, sizeof *failed);
    for (size_t p = 0; names && labels && p < cx->n_points; p++) {
        snprintf(names[p], sizeof names[p], "%zu", p);
        labels[p] = names[p];
    }
    if (!names || !labels || !failed ||
        an_compare_init(&t, labels, cx->n_points, cx->s->seeds) != 0) {
        rc = CLI_FAIL;
    } else {
        if (rc == CLI_OK)
            rc = sweep_fill(cx, &t, failed);
        if (rc == CLI_OK)
            rc = sweep_write_summaries(cx, &t, failed);
        an_compare_fini(&t);
    }
    *n_failed = 0;
    for (size_t p = 0; failed && p < cx->n_points; p++)
        *n_failed += failed[p];
    free(names);
    free(labels);
    free(failed);
    return rc;
}

/* ---- entry ---- */

static int sweep_ctx_init(sweep_ctx_t *cx, const sweep_spec_t *s, const cli_mpi_t *m)
{
    memset(cx, 0, sizeof *cx);
    cx->s = s;
    cx->m = m;
    cx->n_points = an_sweep_points(s->axes, s->n_axes);
    cx->n_runs = cx->n_points * s->seeds;
    cx->desc = (an_sweep_desc_t){.scenario = s->scenario, .seeds = s->seeds, .axes = s->axes,
                                 .n_axes = s->n_axes, .baseline = s->baseline_point};
    cx->scen = calloc(cx->n_points, sizeof *cx->scen);
    cx->seeds = calloc(s->seeds, sizeof *cx->seeds);
    cx->lines = calloc(cx->n_runs, sizeof *cx->lines);
    cx->todo = calloc(cx->n_runs, 1);
    cx->tty = m->rank == 0 && isatty(STDERR_FILENO);
    cx->t0_s = cli_wall_seconds();
    return cx->scen && cx->seeds && cx->lines && cx->todo ? CLI_OK : CLI_FAIL;
}

static void sweep_ctx_fini(sweep_ctx_t *cx)
{
    for (size_t p = 0; cx->scen && p < cx->n_points; p++)
        if (cx->scen[p])
            cg_scenario_free(cx->scen[p]);
    for (size_t k = 0; cx->lines && k < cx->n_runs; k++)
        free(cx->lines[k]);
    if (cx->append)
        fclose(cx->append);
    free(cx->scen);
    free(cx->seeds);
    free(cx->lines);
    free(cx->todo);
    free(cx->mine);
    free(cx->mine_lines);
}

/* Rank 0 reads what is done; every rank learns the status and the runs to do. */
static int sweep_start(sweep_ctx_t *cx)
{
    int rc = cx->m->rank == 0 ? sweep_prepare(cx) : CLI_OK;
    if (cli_mpi_bcast(cx->m, &rc, sizeof rc) != CLI_OK)
        return CLI_FAIL;
    if (rc != CLI_OK)
        return rc;
    for (size_t k = 0; cx->m->rank == 0 && k < cx->n_runs; k++)
        cx->todo[k] = cx->lines[k] == NULL;
    if (cli_mpi_bcast(cx->m, cx->todo, cx->n_runs) != CLI_OK)
        return CLI_FAIL;
    for (size_t k = 0; k < cx->n_runs; k++)
        cx->n_todo += cx->todo[k];
    cx->resumed = cx->n_runs - cx->n_todo;
    return CLI_OK;
}

int sweep_exec(const sweep_spec_t *s, const cli_mpi_t *m)
{
    sweep_ctx_t cx;
    int rc = sweep_ctx_init(&cx, s, m);
    if (rc == CLI_OK)
        rc = sweep_load(&cx);
    if (rc == CLI_OK)
        rc = sweep_start(&cx);
    if (rc == CLI_OK)
        rc = sweep_run_todo(&cx);
    size_t failed = 0;
    if (rc == CLI_OK && m->rank == 0)
        rc = sweep_finish(&cx, &failed);
    if (cli_mpi_bcast(m, &rc, sizeof rc) != CLI_OK)
        rc = CLI_FAIL;
    if (rc == CLI_OK && m->rank == 0) {
        double el = cli_wall_seconds() - cx.t0_s;
        printf("sweep %s: %zu runs (%zu points x %zu seeds): %zu run now, %zu resumed, %zu "
               "failed; %.2f s, %.1f runs/s on %d process%s x %zu jobs\n", s->out, cx.n_runs,
               cx.n_points, s->seeds, cx.n_todo, cx.resumed, failed, el,
               el > 0 ? (double)cx.n_todo / el : 0.0, m->size, m->size == 1 ? "" : "es",
               s->jobs);
        if (failed)
            fprintf(stderr, "cgsim sweep: %zu runs failed (status \"failed\" in %s/runs.jsonl, "
                            "each with the command that repeats it)\n", failed, s->out);
    }
    if (rc == CLI_OK && failed)
        rc = CLI_FAIL;
    sweep_ctx_fini(&cx);
    return rc;
}
