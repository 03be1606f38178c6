/* cli/runner: one run into its figures, and the worker pool (see runner.h). The trace is written
 * to an open_memstream buffer and read back through fmemopen, so analysis/ still sees nothing but
 * a trace, and no temporary file touches the disk. */
#include "cli/runner.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/an_analyze.h"
#include "cli/cli.h"
#include "models/world/world.h"

typedef struct cli_pool {
    size_t n;                         /* tasks */
    cli_task_fn task;                 /* runs task k */
    cli_done_fn done;                 /* after each task, or NULL */
    void *ctx;                        /* passed to both */
    pthread_mutex_t lock;             /* guards next and finished */
    size_t next;                      /* next task to take */
    size_t finished;                  /* tasks finished */
} cli_pool_t;

static void *cli_pool_worker(void *arg)
{
    cli_pool_t *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        size_t k = p->next < p->n ? p->next++ : p->n;
        pthread_mutex_unlock(&p->lock);
        if (k == p->n)
            return NULL;
        p->task(p->ctx, k);
        pthread_mutex_lock(&p->lock);
        p->finished++;
        if (p->done)
            p->done(p->ctx, k, p->finished);
        pthread_mutex_unlock(&p->lock);
    }
}

int cli_pool_run(size_t n, size_t jobs, cli_task_fn task, cli_done_fn done, void *ctx)
{
    if (n == 0)
        return CLI_OK;
    if (jobs > n)
        jobs = n;
    if (jobs == 0)
        jobs = 1;
    cli_pool_t p = {.n = n, .task = task, .done = done, .ctx = ctx};
    pthread_t *th = calloc(jobs, sizeof *th);
    if (!th || pthread_mutex_init(&p.lock, NULL) != 0) {
        free(th);
        return CLI_FAIL;
    }
    size_t started = 0;
    for (size_t j = 1; j < jobs; j++, started++)
        if (pthread_create(&th[j], NULL, cli_pool_worker, &p) != 0)
            break;
    cli_pool_worker(&p);
    for (size_t j = 1; j <= started; j++)
        pthread_join(th[j], NULL);
    pthread_mutex_destroy(&p.lock);
    free(th);
    return CLI_OK;
}

/* Simulates into a memory buffer: CLI_OK with the bytes in buf and len (caller frees), or
 * CLI_FAIL. */
static int cli_simulate(const cg_scenario_t *s, uint64_t seed, char **buf, size_t *len,
                        char *err, size_t errlen)
{
    FILE *f = open_memstream(buf, len);
    if (!f) {
        snprintf(err, errlen, "cannot open an in-memory trace: %s", strerror(errno));
        return CLI_FAIL;
    }
    sim_trace_t tr;
    sim_trace_open_file(&tr, f);
    cg_run_opts_t opts;
    memset(&opts, 0, sizeof opts);
    opts.seed = seed;
    opts.trace = &tr;
    opts.check = true;
    cg_world_t *w = NULL;
    cg_run_result_t rr;
    int rc = cg_world_new(s, &opts, &w, err, errlen);
    if (rc == 0)
        rc = cg_world_run(w, &rr, err, errlen);
    if (w)
        cg_world_free(w);
    int io = sim_trace_close(&tr);
    int cl = fclose(f);
    if (rc == 0 && io == 0 && cl == 0)
        return CLI_OK;
    if (rc == 0)
        snprintf(err, errlen, "writing the in-memory trace: %s", strerror(io ? io : errno));
    else if (rc == 1)
        snprintf(err, errlen, "the run stopped before its end");
    free(*buf);
    *buf = NULL;
    return CLI_FAIL;
}

int cli_run_figures(const cg_scenario_t *s, uint64_t seed, const char *label,
                    double figs[AN_FIG_COUNT], char *err, size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    if (cli_simulate(s, seed, &buf, &len, err, errlen) != CLI_OK)
        return CLI_FAIL;
    FILE *in = len ? fmemopen(buf, len, "r") : NULL;
    if (!in) {
        snprintf(err, errlen, "cannot read back the in-memory trace: %s",
                 len ? strerror(errno) : "empty");
        free(buf);
        return CLI_FAIL;
    }
    an_result_t res;
    int rc = an_analyze_stream(in, label, NULL, NULL, &res, err, errlen);
    fclose(in);
    free(buf);
    if (rc != 0)
        return CLI_FAIL;   /* our own trace does not analyse: an internal failure */
    rc = an_figures_of(&res, figs);
    an_result_fini(&res);
    if (rc != 0) {
        snprintf(err, errlen, "out of memory");
        return CLI_FAIL;
    }
    return CLI_OK;
}
