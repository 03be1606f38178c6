/* models/world: one run of one scenario: the engine, the partition logs, one classic coordinator
 * per group, one client per consumer, the scripted faults, and the message pool and network
 * between clients and coordinators.
 *
 * Network. A request is an engine event at the coordinator after one latency drawn from the
 * group's network_ms distribution on the member's own stream ("net/<group>/<consumer>"); the
 * response is an event at the client after another. Each direction of a member's connection is
 * FIFO, as a TCP connection is: a message never overtakes an earlier one. While a member is
 * isolated its coordinator traffic is dropped both ways.
 *
 * Messages live in a pool (an array with a free list) and travel as indexes, so a request costs
 * no allocation once the pool has grown to the run's peak.
 *
 * The run proceeds in slices of at most 1% of the virtual duration and 2^20 events, so progress
 * reports, the interrupt flag and the event limit are checked cheaply between slices without
 * changing the order of events. */
#include "models/world.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include "models/c848.h"
#include "models/consumer.h"
#include "models/coordinator.h"
#include "models/failure.h"
#include "models/faults.h"
#include "models/ownership.h"
#include "models/trace_rec.h"
#include "models/world_impl.h"

#define CG_SLICE_EVENTS (UINT64_C(1) << 20)   /* events per run slice */
#define CG_SLICES 100                          /* slices of virtual time (progress: 1%) */

const char *cg_reason_name(cg_reason_t r)
{
    static const char *const names[] = {
        "member_join", "member_leave", "session_timeout", "poll_timeout", "rebalance_timeout",
        "revocation", "leader_rejoin", "coordinator_failover", "metadata", "leave", "fenced"};
    return r < CG_RS_COUNT ? names[r] : "metadata";
}

const char *cg_err_name(cg_err_t e)
{
    static const char *const names[] = {
        "NONE", "MEMBER_ID_REQUIRED", "UNKNOWN_MEMBER_ID", "ILLEGAL_GENERATION",
        "REBALANCE_IN_PROGRESS", "FENCED_INSTANCE_ID", "NOT_COORDINATOR"};
    return e < CG_ERR_COUNT ? names[e] : "UNKNOWN_SERVER_ERROR";
}

void cg_world_fail(struct cg_world *w, const char *fmt, ...)
{
    if (!w->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->err, sizeof w->err, fmt, ap);
        va_end(ap);
        w->failed = true;
    }
    sim_stop(&w->sim);
}

/* ---- message pool ---- */

int32_t cg_world_msg_new(struct cg_world *w, cg_msg_kind_t kind, const cg_client_t *c)
{
    int32_t mi = w->msg_free;
    if (mi >= 0) {
        w->msg_free = w->msgs[mi].next_free;
    } else {
        if (w->n_msgs == w->cap_msgs) {
            uint32_t cap = w->cap_msgs ? 2 * w->cap_msgs : 64;
            cg_msg_t *p = realloc(w->msgs, cap * sizeof *p);
            if (!p)
                return -1;
            w->msgs = p;
            w->cap_msgs = cap;
        }
        mi = (int32_t)w->n_msgs++;
        memset(&w->msgs[mi], 0, sizeof w->msgs[mi]);
    }
    cg_msg_t *m = &w->msgs[mi];
    m->kind = (uint8_t)kind;
    m->err = CG_ERR_NONE;
    m->reason = CG_RS_COUNT;
    m->leader = m->meta_changed = m->sync_commit = false;
    m->client = c->ci;
    m->proc = c->proc;
    m->req = 0;
    m->slot = -1;
    m->serial = 0;
    m->generation = -1;
    m->owned_gen = -1;
    m->n = 0;
    m->next_free = -1;
    return mi;
}

void cg_world_msg_free(struct cg_world *w, int32_t mi)
{
    w->msgs[mi].next_free = w->msg_free;
    w->msg_free = mi;
}

int cg_world_msg_reserve(struct cg_world *w, int32_t mi, uint32_t n)
{
    cg_msg_t *m = &w->msgs[mi];
    if (n <= m->cap)
        return 0;
    uint32_t cap = m->cap ? m->cap : 8;
    while (cap < n)
        cap *= 2;
    int32_t *gp = realloc(m->gp, cap * sizeof *gp);
    if (gp)
        m->gp = gp;
    int64_t *off = realloc(m->off, cap * sizeof *off);
    if (off)
        m->off = off;
    uint8_t *ok = realloc(m->ok, cap * sizeof *ok);
    if (ok)
        m->ok = ok;
    if (!gp || !off || !ok)
        return -1;
    m->cap = cap;
    return 0;
}

/* ---- network ---- */

static int64_t ms_to_ns(double ms)
{
    double ns = ms * 1e6;
    return ns >= 9.2e18 ? INT64_MAX / 4 : (int64_t)llround(ns);
}

int64_t cg_world_net_delay_ns(cg_client_t *c)
{
    if (c->g->net_const_ns >= 0)
        return c->g->net_const_ns;
    return ms_to_ns(sim_dist_sample(&c->g->cfg->network_ms, &c->net_rng));
}

/* Successful heartbeat and asynchronous commit responses change nothing the client could
 * observe before they arrive except two timestamps/offsets it reads later, so they are applied
 * at once, stamped with their arrival time, instead of costing an engine event each (they are
 * most of a large group's coordinator traffic). */
static bool apply_fast(cg_client_t *c, cg_msg_t *m, int64_t arrival_ns)
{
    if (m->err != CG_ERR_NONE)
        return false;
    if (m->kind == CG_MSG_HEARTBEAT) {
        if (c->js == CG_JS_STABLE && m->generation == c->generation && m->serial == c->serial &&
            arrival_ns > c->last_hb_ok_ns)
            c->last_hb_ok_ns = arrival_ns;
        return true;
    }
    if (m->kind == CG_MSG_COMMIT && !m->sync_commit) {
        cg_client_commit_ok(c, m);
        return true;
    }
    return false;
}

void cg_world_send(cg_client_t *c, int32_t mi)
{
    struct cg_world *w = c->w;
    if (c->isolated) {
        cg_world_msg_free(w, mi);
        return;
    }
    int64_t at = sim_now(&w->sim) + cg_world_net_delay_ns(c);
    if (at < c->up_last_ns)
        at = c->up_last_ns;
    c->up_last_ns = at;
    sim_schedule(&w->sim, at, cg_coord_on_msg, c->g, (uint64_t)mi);
}

void cg_world_reply(cg_group_t *g, int32_t mi, cg_err_t err)
{
    struct cg_world *w = g->w;
    cg_msg_t *m = &w->msgs[mi];
    cg_client_t *c = &w->clients[m->client];
    m->err = (uint8_t)err;
    if (m->kind == CG_MSG_LEAVE || c->isolated || !c->running || c->proc != m->proc) {
        cg_world_msg_free(w, mi);
        return;
    }
    int64_t at = sim_now(&w->sim) + cg_world_net_delay_ns(c);
    if (at < c->down_last_ns)
        at = c->down_last_ns;
    c->down_last_ns = at;
    if (apply_fast(c, m, at)) {
        cg_world_msg_free(w, mi);
        return;
    }
    sim_schedule(&w->sim, at, cg_client_on_msg, c, (uint64_t)mi);
}

/* ---- construction ---- */

static void on_start(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    if (cg_c848_is(ctx))
        cg_c848_client_start(ctx);
    else
        cg_client_start(ctx);
}

static int build_topics(struct cg_world *w, char *err, size_t errlen)
{
    const cg_scenario_t *s = w->s;
    w->topic_base = cg_partlog_topic_base(w->pl);
    w->n_parts = cg_partlog_count(w->pl);
    w->gp_topic = malloc((size_t)(w->n_parts ? w->n_parts : 1) * sizeof *w->gp_topic);
    w->topic_meta = calloc(s->n_topics ? s->n_topics : 1, sizeof *w->topic_meta);
    if (!w->gp_topic || !w->topic_meta) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t t = 0; t < s->n_topics; t++) {
        w->topic_meta[t].name = s->topics[t].name;
        w->topic_meta[t].partitions = s->topics[t].partitions;
        for (int64_t gp = w->topic_base[t]; gp < w->topic_base[t + 1]; gp++)
            w->gp_topic[gp] = (int32_t)t;
    }
    return 0;
}

static int build_groups(struct cg_world *w, char *err, size_t errlen)
{
    const cg_scenario_t *s = w->s;
    w->groups = calloc(s->n_groups ? s->n_groups : 1, sizeof *w->groups);
    w->clients = calloc(s->n_consumers ? s->n_consumers : 1, sizeof *w->clients);
    if (!w->groups || !w->clients) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < s->n_groups; i++) {
        if (cg_coord_init(&w->groups[i], w, (int32_t)i, err, errlen) != 0)
            return -1;
        const sim_dist_t *d = &s->groups[i].network_ms;
        w->groups[i].net_const_ns = d->kind == SIM_DIST_CONSTANT ? ms_to_ns(d->p1) : -1;
    }
    for (size_t i = 0; i < s->n_consumers; i++)
        if (cg_client_init(&w->clients[i], w, (int32_t)i, err, errlen) != 0)
            return -1;
    return cg_c848_init(w, err, errlen);      /* "protocol": "consumer" groups (KIP-848) */
}

int cg_world_new(const cg_scenario_t *s, const cg_run_opts_t *opts, cg_world_t **out,
                 char *err, size_t errlen)
{
    *out = NULL;
    struct cg_world *w = calloc(1, sizeof *w);
    if (!w || sim_init(&w->sim) != 0) {
        free(w);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    w->s = s;
    w->opts = *opts;
    w->tr = opts->trace;
    w->msg_free = -1;
    *out = w;
    if (cg_partlog_new(s, opts->seed, &w->pl, err, errlen) != 0)
        return -1;
    if (build_topics(w, err, errlen) != 0 || build_groups(w, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < s->n_consumers; i++)
        if (s->consumers[i].starts)
            sim_schedule(&w->sim, s->consumers[i].join_at_ns, on_start, &w->clients[i], 0);
    if (cg_failures_start(w, &w->failures, err, errlen) != 0)
        return -1;
    w->progress_step_ns = s->duration_ns / CG_SLICES;
    if (w->progress_step_ns <= 0)
        w->progress_step_ns = 1;
    return 0;
}

void cg_world_free(cg_world_t *w)
{
    if (!w)
        return;
    cg_c848_free(w);
    if (w->clients)
        for (size_t i = 0; i < w->s->n_consumers; i++)
            cg_client_fini(&w->clients[i]);
    if (w->groups)
        for (size_t i = 0; i < w->s->n_groups; i++)
            cg_coord_fini(&w->groups[i]);
    for (uint32_t i = 0; i < w->n_msgs; i++) {
        free(w->msgs[i].gp);
        free(w->msgs[i].off);
        free(w->msgs[i].ok);
    }
    free(w->msgs);
    free(w->steps);
    free(w->clients);
    free(w->groups);
    free(w->gp_topic);
    free(w->topic_meta);
    free(w->summaries);
    cg_failures_free(w->failures);
    cg_partlog_free(w->pl);
    sim_fini(&w->sim);
    free(w);
}

/* ---- running ---- */

static void fill_result(struct cg_world *w, cg_run_result_t *res, bool completed,
                        int64_t end_ns)
{
    memset(res, 0, sizeof *res);
    res->completed = completed;
    res->events = w->sim.events;
    res->records_produced = cg_partlog_produced_total(w->pl, end_ns);
    res->records_consumed = w->records_consumed;
    res->duplicates = w->duplicates;
    res->n_groups = w->s->n_groups;
    res->groups = w->summaries;
    for (size_t i = 0; i < w->s->n_groups; i++)
        w->summaries[i] = w->groups[i].sum;
}

static int abort_run(struct cg_world *w, cg_run_result_t *res, const char *reason,
                     const char *message, int rc, char *err, size_t errlen)
{
    cg_rec_run_aborted(w, reason, message);
    int64_t now = sim_now(&w->sim);
    for (size_t i = 0; i < w->s->n_groups; i++)
        cg_own_finish(&w->groups[i], now);
    fill_result(w, res, false, now);
    snprintf(err, errlen, "%s", message);
    return rc;
}

int cg_world_run(cg_world_t *w, cg_run_result_t *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    if (w->ran) {
        snprintf(err, errlen, "cg_world_run called twice on one world");
        return -1;
    }
    w->ran = true;
    w->summaries = calloc(w->s->n_groups ? w->s->n_groups : 1, sizeof *w->summaries);
    if (!w->summaries) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    const int64_t end = w->s->duration_ns;
    cg_rec_run_start(w);
    for (;;) {
        if (w->opts.interrupt && *w->opts.interrupt)
            return abort_run(w, res, "interrupted", "interrupted", 1, err, errlen);
        uint64_t slice = CG_SLICE_EVENTS;
        if (w->opts.max_events) {
            if (w->sim.events >= w->opts.max_events)
                return abort_run(w, res, "max_events", "event limit reached", 1, err, errlen);
            if (w->opts.max_events - w->sim.events < slice)
                slice = w->opts.max_events - w->sim.events;
        }
        int64_t now = sim_now(&w->sim);
        int64_t stop = end - now > w->progress_step_ns ? now + w->progress_step_ns : end;
        sim_stop_reason_t why = sim_run(&w->sim, stop, slice);
        if (w->failed)
            return abort_run(w, res, "invariant", w->err, -1, err, errlen);
        if (why == SIM_STOP_ERROR)
            return abort_run(w, res, "error", "out of memory", -1, err, errlen);
        if (w->opts.progress)
            w->opts.progress(w->opts.progress_ctx, sim_now(&w->sim), end, w->sim.events);
        if (why == SIM_STOP_EMPTY || (why == SIM_STOP_END_TIME && stop >= end))
            break;
    }
    if (w->sim.now_ns < end)
        w->sim.now_ns = end;         /* queue ran dry early: the run still ends at its end */
    for (size_t i = 0; i < w->s->n_groups; i++)
        cg_own_finish(&w->groups[i], end);
    fill_result(w, res, true, end);
    cg_rec_run_end(w, res->records_produced);
    return 0;
}
