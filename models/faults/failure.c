/* models/failure: failure-model registry and the stochastic model.
 *
 * Stochastic: every targeted member (the group's consumers that start on their own, or all
 * groups' when no group is named) alternates between up and down. Up lasts a draw of `ttf_ms`
 * (first failure at max(start_ms, join_at_ms) + ttf); then one action is drawn by weight (crash, hang, pause,
 * slow, isolate, leave) and applied as a `fault` record with duration_ms = the drawn `ttr_ms`;
 * after that time the inverse is applied (restart, resume, slow factor 1, heal, join) and the
 * member is up again. A failure that does not apply (the member was stopped by a scripted fault)
 * is recorded with applied=false and the member stays up. Draw order per member is fixed:
 * ttf, then action and ttr together, so streams never depend on other entities. */
#include "models/faults/failure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/faults/faults.h"
#include "sim/time.h"
#include "models/world/world_impl.h"

typedef struct cg_fm_member {
    cg_failures_t *f;                 /* owner */
    const cg_failure_model_cfg_t *m;  /* the model */
    int32_t ci;                       /* consumer index (global) */
    sim_rng_t rng;                    /* "fault/<model>/<group>/<consumer>" */
    cg_fault_action_t active;         /* action in effect while down */
    bool down;                        /* a failure is in effect */
} cg_fm_member_t;

struct cg_failures {
    struct cg_world *w;               /* the run */
    cg_fm_member_t *mem;              /* members of all stochastic models */
    size_t n, cap;
};

static int64_t draw_ns(const sim_dist_t *d, sim_rng_t *r)
{
    return sim_ms_to_ns(sim_dist_sample(d, r));
}

/* Time to failure: at least 1 ns, so that every up/down cycle of a member advances virtual time
 * even when ttr_ms draws 0 (the loader also refuses a mean below CG_MIN_TTF_MS). A draw that
 * rounds to 0 ns is the only one this changes. */
static int64_t draw_ttf_ns(const sim_dist_t *d, sim_rng_t *r)
{
    int64_t ns = draw_ns(d, r);
    return ns > 0 ? ns : 1;
}

static cg_fault_action_t draw_action(cg_fm_member_t *fm)
{
    double total = 0, acc = 0;
    for (int a = 0; a < CG_FAULT_ACTION_COUNT; a++)
        total += fm->m->weights[a];
    double u = sim_rng_uniform(&fm->rng) * total;
    cg_fault_action_t last = CG_FAULT_CRASH;
    for (int a = 0; a < CG_FAULT_ACTION_COUNT; a++) {
        if (fm->m->weights[a] <= 0)
            continue;
        last = (cg_fault_action_t)a;
        acc += fm->m->weights[a];
        if (u < acc)
            return last;
    }
    return last;
}

static cg_fault_action_t inverse_of(cg_fault_action_t a)
{
    switch (a) {
    case CG_FAULT_CRASH: return CG_FAULT_RESTART;
    case CG_FAULT_LEAVE: return CG_FAULT_JOIN;
    case CG_FAULT_ISOLATE: return CG_FAULT_HEAL;
    case CG_FAULT_SLOW: return CG_FAULT_SLOW;
    default: return CG_FAULT_RESUME;          /* hang, pause */
    }
}

static void on_fm(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    cg_fm_member_t *fm = ctx;
    struct cg_world *w = fm->f->w;
    int64_t now = sim_now(sim);
    if (fm->down) {
        cg_fault_action_t inv = inverse_of(fm->active);
        cg_faults_member(w, fm->ci, inv, inv == CG_FAULT_SLOW ? 1.0 : -1, -1);
        fm->down = false;
        sim_schedule(sim, now + draw_ttf_ns(&fm->m->ttf_ms, &fm->rng), on_fm, fm, 0);
        return;
    }
    cg_fault_action_t a = draw_action(fm);
    int64_t ttr = draw_ns(&fm->m->ttr_ms, &fm->rng);
    double factor = a == CG_FAULT_SLOW ? fm->m->slow_factor : -1;
    if (cg_faults_member(w, fm->ci, a, factor, ttr)) {
        fm->down = true;
        fm->active = a;
        sim_schedule(sim, now + ttr, on_fm, fm, 0);
    } else {
        sim_schedule(sim, now + draw_ttf_ns(&fm->m->ttf_ms, &fm->rng), on_fm, fm, 0);
    }
}

static int stochastic_start(cg_failures_t *f, const cg_failure_model_cfg_t *m, size_t index)
{
    const cg_scenario_t *s = f->w->s;
    for (size_t ci = 0; ci < s->n_consumers; ci++) {
        const cg_consumer_cfg_t *cc = &s->consumers[ci];
        if (!cc->starts || (m->group >= 0 && cc->group != m->group))
            continue;
        if (f->n == f->cap)
            return -1;                          /* sized in cg_failures_start */
        cg_fm_member_t *fm = &f->mem[f->n];
        char key[3 * CG_MAX_NAME_LEN + 32];
        snprintf(key, sizeof key, "fault/%zu/%s/%s", index, s->groups[cc->group].id, cc->id);
        memset(fm, 0, sizeof *fm);
        fm->f = f;
        fm->m = m;
        fm->ci = (int32_t)ci;
        if (sim_rng_init(&fm->rng, f->w->opts.seed, key) != 0)
            return -1;
        f->n++;
        /* A member cannot fail before its process first starts. */
        int64_t from = m->start_ns > cc->join_at_ns ? m->start_ns : cc->join_at_ns;
        int64_t first = from + draw_ttf_ns(&m->ttf_ms, &fm->rng);
        if (first <= s->duration_ns)
            sim_schedule(&f->w->sim, first, on_fm, fm, 0);
    }
    return 0;
}

static int scripted_start(cg_failures_t *f, const cg_failure_model_cfg_t *m, size_t index)
{
    (void)m;
    (void)index;
    return cg_faults_schedule(f->w);
}

static const cg_failure_model_ops_t CG_FM_SCRIPTED = {"scripted", scripted_start};
static const cg_failure_model_ops_t CG_FM_STOCHASTIC = {"stochastic", stochastic_start};
static const cg_failure_model_ops_t *const CG_FM_REGISTRY[] = {&CG_FM_SCRIPTED,
                                                               &CG_FM_STOCHASTIC};
#define CG_FM_COUNT (sizeof CG_FM_REGISTRY / sizeof CG_FM_REGISTRY[0])

const cg_failure_model_ops_t *cg_failure_model_find(const char *name)
{
    for (size_t i = 0; name && i < CG_FM_COUNT; i++)
        if (strcmp(CG_FM_REGISTRY[i]->name, name) == 0)
            return CG_FM_REGISTRY[i];
    return NULL;
}

const char *cg_failure_model_names(void)
{
    return "scripted, stochastic";
}

int cg_failures_start(struct cg_world *w, cg_failures_t **out, char *err, size_t errlen)
{
    const cg_scenario_t *s = w->s;
    cg_failures_t *f = calloc(1, sizeof *f);
    *out = f;
    if (!f)
        goto oom;
    f->w = w;
    f->cap = s->n_failure_models * s->n_consumers;
    f->mem = calloc(f->cap ? f->cap : 1, sizeof *f->mem);
    if (!f->mem || CG_FM_SCRIPTED.start(f, NULL, 0) != 0)
        goto oom;
    for (size_t i = 0; i < s->n_failure_models; i++) {
        const cg_failure_model_ops_t *ops = cg_failure_model_find(s->failure_models[i].name);
        if (!ops) {
            snprintf(err, errlen, "failure model '%s' is unknown (known: %s)",
                     s->failure_models[i].name ? s->failure_models[i].name : "",
                     cg_failure_model_names());
            return -1;
        }
        if (ops->start(f, &s->failure_models[i], i) != 0)
            goto oom;
    }
    return 0;
oom:
    snprintf(err, errlen, "out of memory");
    return -1;
}

void cg_failures_free(cg_failures_t *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        sim_rng_fini(&f->mem[i].rng);
    free(f->mem);
    free(f);
}
