/* models/world: one run of one scenario: the engine, the partition logs, the network
 * (models/net), one coordinator per group and one client per consumer, each of the group's
 * membership protocol (models/protocol.c), the scripted faults and the failure models.
 *
 * The run proceeds in slices of at most 1% of the virtual duration and 2^20 events, so progress
 * reports, the interrupt flag and the event limit are checked cheaply between slices without
 * changing the order of events. */
#include "models/world/world.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/autoscale/autoscale.h"
#include "models/client/client.h"
#include "models/faults/failure.h"
#include "models/faults/faults.h"
#include "models/world/balance.h"
#include "models/world/lagsample.h"
#include "models/world/latency.h"
#include "models/world/ownership.h"
#include "models/world/racks.h"
#include "models/scenario/scenario_instances.h"
#include "models/world/trace_rec.h"
#include "models/world/world_impl.h"
#include "sim/vec.h"

#define CG_SLICE_EVENTS (UINT64_C(1) << 20)   /* events per run slice */
#define CG_SLICES 100                          /* slices of virtual time (progress: 1%) */

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

/* ---- construction ---- */

static void on_start(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    cg_client_start(ctx);
}

static int build_topics(struct cg_world *w, char *err, size_t errlen)
{
    const cg_scenario_t *s = w->s;
    w->topic_base = cg_partlog_topic_base(w->pl);
    w->n_parts = cg_partlog_count(w->pl);
    w->gp_topic = malloc((size_t)(w->n_parts ? w->n_parts : 1) * sizeof *w->gp_topic);
    w->topic_meta = calloc(s->n_topics ? s->n_topics : 1, sizeof *w->topic_meta);
    w->topic_initial = calloc(s->n_topics ? s->n_topics : 1, sizeof *w->topic_initial);
    w->created_ns = calloc((size_t)(w->n_parts ? w->n_parts : 1), sizeof *w->created_ns);
    if (!w->gp_topic || !w->topic_meta || !w->topic_initial || !w->created_ns) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t t = 0; t < s->n_topics; t++) {
        w->topic_meta[t].name = s->topics[t].name;
        w->topic_meta[t].partitions = s->topics[t].partitions;
        w->topic_initial[t] = w->topic_meta[t];
        for (int64_t gp = w->topic_base[t]; gp < w->topic_base[t + 1]; gp++)
            w->gp_topic[gp] = (int32_t)t;
    }
    w->hist.initial = w->topic_initial;
    w->hist.n_topics = s->n_topics;
    return 0;
}

static int group_init(struct cg_world *w, cg_group_t *g, int32_t gi, char *err, size_t errlen)
{
    const cg_scenario_t *s = w->s;
    g->w = w;
    g->gi = gi;
    g->cfg = &s->groups[gi];
    g->proto = cg_group_proto_find(g->cfg->protocol);
    size_t np = (size_t)w->n_parts ? (size_t)w->n_parts : 1;
    g->owner = malloc(np * sizeof *g->owner);
    g->last_owner = malloc(np * sizeof *g->last_owner);
    g->snap_owner = malloc(np * sizeof *g->snap_owner);
    g->max_processed = calloc(np, sizeof *g->max_processed);
    g->unavail_since_ns = malloc(np * sizeof *g->unavail_since_ns);
    g->owned_since_ns = calloc(np, sizeof *g->owned_since_ns);
    g->acked = malloc(np * sizeof *g->acked);
    g->assigned_ever = calloc(np, sizeof *g->assigned_ever);
    size_t ni = cg_scenario_group_instances(s, g->cfg, NULL);
    g->instance_ids = calloc(ni + 1, sizeof *g->instance_ids);
    g->instance_users = calloc(ni + 1, sizeof *g->instance_users);
    if (!g->proto || !g->owner || !g->last_owner || !g->snap_owner || !g->max_processed ||
        !g->unavail_since_ns || !g->owned_since_ns || !g->acked || !g->assigned_ever ||
        !g->instance_ids || !g->instance_users) {
        snprintf(err, errlen, "out of memory building group %s", g->cfg->id);
        return -1;
    }
    g->n_instances = (uint32_t)cg_scenario_group_instances(s, g->cfg, g->instance_ids);
    for (size_t i = 0; i < np; i++) {
        g->owner[i] = g->last_owner[i] = -1;
        g->unavail_since_ns[i] = -1;
        g->acked[i] = -1;
    }
    for (size_t i = 0; i < g->cfg->n_consumers; i++) {
        const cg_consumer_cfg_t *cc = &s->consumers[g->cfg->first_consumer + i];
        if (cc->cfg.heartbeat_interval_ns > g->max_hb_ns)
            g->max_hb_ns = cc->cfg.heartbeat_interval_ns;
        int32_t inst = cg_scenario_instance_index(g->instance_ids, g->n_instances,
                                                  cc->cfg.group_instance_id);
        if (inst >= 0)
            g->instance_users[inst]++;
    }
    g->sum.group = g->cfg->id;
    g->sum.max_lag_records = -1;
    sim_series_init(&g->sum.lag_committed_total);
    sim_series_init(&g->sum.lag_committed_max);
    sim_series_init(&g->sum.lag_position_total);
    sim_series_init(&g->sum.lag_position_max);
    g->sum.latency_max_ns = g->lat_int_max_ns = -1;
    g->first_assignment_ns = -1;   /* no accepted commit yet: no data, as analyze says */
    if (cg_bal_init(g) != 0) {
        snprintf(err, errlen, "out of memory building group %s", g->cfg->id);
        return -1;
    }
    /* A group that may migrate has both coordinators; the one it starts with is built last,
     * so it holds the network endpoint. */
    if (g->cfg->migrates) {
        cg_protocol_t other = g->cfg->protocol == CG_PROTOCOL_CLASSIC ? CG_PROTOCOL_CONSUMER
                                                                      : CG_PROTOCOL_CLASSIC;
        if (cg_group_proto_find(other)->group_init(g, err, errlen) != 0)
            return -1;
    }
    return g->proto->group_init(g, err, errlen);
}

static void group_fini(cg_group_t *g)
{
    cg_bal_fini(g);
    for (int k = CG_PROTOCOL_CLASSIC; k <= CG_PROTOCOL_CONSUMER; k++)
        if (g->coords[k])
            cg_group_proto_find((cg_protocol_t)k)->group_fini(g);
    free(g->owner);
    free(g->last_owner);
    free(g->snap_owner);
    free(g->max_processed);
    free(g->unavail_since_ns);
    free(g->owned_since_ns);
    free(g->acked);
    free(g->assigned_ever);
    free(g->instance_ids);
    free(g->instance_users);
}

static int build_groups(struct cg_world *w, char *err, size_t errlen)
{
    const cg_scenario_t *s = w->s;
    w->groups = calloc(s->n_groups ? s->n_groups : 1, sizeof *w->groups);
    w->clients = calloc(s->n_consumers ? s->n_consumers : 1, sizeof *w->clients);
    if (!w->groups || !w->clients ||
        cg_net_init(&w->net, &w->sim, s->n_consumers, s->n_groups) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < s->n_groups; i++)
        if (group_init(w, &w->groups[i], (int32_t)i, err, errlen) != 0)
            return -1;
    for (size_t i = 0; i < s->n_consumers; i++) {
        const cg_member_ops_t *ops = cg_group_proto_find(s->consumers[i].protocol)->member;
        if (cg_client_init(&w->clients[i], w, (int32_t)i, ops, err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* Run-ahead needs every event that may touch a running client's polls to be either the
 * client's own (its timers, its messages) or a barrier. Failure models and autoscalers act at
 * drawn or computed times and are not barriers, group conversions change the coordinator under
 * the members, and a debug trace records every poll in order: those runs poll event by event. */
static bool run_ahead_possible(const struct cg_world *w)
{
    const cg_scenario_t *s = w->s;
    if (w->opts.no_run_ahead || w->opts.max_events || w->opts.trace_level == CG_TRACE_DEBUG ||
        s->n_failure_models || s->n_autoscalers)
        return false;
    for (size_t i = 0; i < s->n_groups; i++)
        if (s->groups[i].migrates)
            return false;
    return true;
}

void cg_world_subscribed(struct cg_world *w, int32_t g, const int32_t *topics, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int32_t *tg = &w->topic_group[topics[i]];
        if (*tg != -1 && *tg != g && *tg != CG_TOPIC_GROUPS)
            w->topic_shared_version++;
        *tg = *tg == -1 || *tg == g ? g : CG_TOPIC_GROUPS;
    }
}

int cg_world_barrier_push(struct cg_world *w, int64_t at)
{
    if (sim_vec_reserve(&w->barriers, &w->cap_barriers, w->n_barriers + 1, sizeof *w->barriers,
                        16) != 0)
        return -1;
    uint32_t k = w->n_barriers++;
    for (; k > 0 && w->barriers[(k - 1) / 2] > at; k = (k - 1) / 2)
        w->barriers[k] = w->barriers[(k - 1) / 2];
    w->barriers[k] = at;
    return 0;
}

void cg_world_barrier_pop(struct cg_world *w)
{
    if (w->n_barriers == 0)
        return;
    int64_t v = w->barriers[--w->n_barriers];
    uint32_t n = w->n_barriers, k = 0;
    for (;;) {
        uint32_t c = 2 * k + 1;
        if (c >= n)
            break;
        if (c + 1 < n && w->barriers[c + 1] < w->barriers[c])
            c++;
        if (w->barriers[c] >= v)
            break;
        w->barriers[k] = w->barriers[c];
        k = c;
    }
    if (n > 0)
        w->barriers[k] = v;
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
    *out = w;
    if (cg_partlog_new(s, opts->seed, &w->pl, err, errlen) != 0)
        return -1;
    cg_partlog_set_clock(w->pl, &w->sim.now_ns);
    if (build_topics(w, err, errlen) != 0 || cg_racks_init(w) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    w->holders = calloc((size_t)w->n_parts ? (size_t)w->n_parts : 1, sizeof *w->holders);
    w->topic_group = malloc((s->n_topics ? s->n_topics : 1) * sizeof *w->topic_group);
    if (!w->holders || !w->topic_group) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t t = 0; t < s->n_topics; t++)
        w->topic_group[t] = -1;
    for (size_t i = 0; i < s->n_consumers; i++)
        cg_world_subscribed(w, s->consumers[i].group, s->consumers[i].topics,
                            s->consumers[i].n_topics);
    if (build_groups(w, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < s->n_consumers; i++)
        if (s->consumers[i].starts)
            sim_schedule(&w->sim, s->consumers[i].join_at_ns, on_start, &w->clients[i], 0);
    if (cg_failures_start(w, &w->failures, err, errlen) != 0)
        return -1;
    if (cg_autoscale_start(w, &w->autoscalers, err, errlen) != 0)
        return -1;
    if (cg_lag_start(w) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    w->run_ahead = run_ahead_possible(w);
    w->progress_step_ns = s->duration_ns / CG_SLICES;
    if (w->progress_step_ns <= 0)
        w->progress_step_ns = 1;
    return 0;
}

void cg_world_free(cg_world_t *w)
{
    if (!w)
        return;
    if (w->clients)
        for (size_t i = 0; i < w->s->n_consumers; i++)
            cg_client_fini(&w->clients[i]);
    if (w->groups)
        for (size_t i = 0; i < w->s->n_groups; i++)
            group_fini(&w->groups[i]);
    cg_net_fini(&w->net);
    free(w->steps);
    free(w->barriers);
    free(w->holders);
    free(w->topic_group);
    free(w->clients);
    free(w->groups);
    free(w->gp_topic);
    free(w->topic_meta);
    free(w->topic_initial);
    free(w->created_ns);
    cg_topic_hist_fini(&w->hist);
    free(w->summaries);
    cg_failures_free(w->failures);
    cg_autoscale_free(w->autoscalers);
    cg_lag_fini(w);
    cg_lat_fini(w);
    cg_racks_fini(w);
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
    res->events = cg_world_events(w);
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
    cg_racks_topics(w);
    for (;;) {
        if (w->opts.interrupt && *w->opts.interrupt)
            return abort_run(w, res, "interrupted", "interrupted", 1, err, errlen);
        uint64_t slice = CG_SLICE_EVENTS;
        if (w->opts.max_events) {
            uint64_t done = cg_world_events(w);
            if (done >= w->opts.max_events)
                return abort_run(w, res, "max_events", "event limit reached", 1, err, errlen);
            if (w->opts.max_events - done < slice)
                slice = w->opts.max_events - done;
        }
        int64_t now = sim_now(&w->sim);
        int64_t stop = end - now > w->progress_step_ns ? now + w->progress_step_ns : end;
        sim_stop_reason_t why = sim_run(&w->sim, stop, slice);
        if (w->failed)
            return abort_run(w, res, "invariant", w->err, -1, err, errlen);
        if (why == SIM_STOP_ERROR || cg_partlog_failed(w->pl))
            return abort_run(w, res, "error", "out of memory", -1, err, errlen);
        if (w->opts.progress)
            w->opts.progress(w->opts.progress_ctx, sim_now(&w->sim), end, cg_world_events(w));
        if (why == SIM_STOP_EMPTY || (why == SIM_STOP_END_TIME && stop >= end))
            break;
    }
    sim_advance_to(&w->sim, end);    /* queue ran dry early: the run still ends at its end */
    for (size_t i = 0; i < w->s->n_groups; i++)
        cg_own_finish(&w->groups[i], end);
    for (size_t i = 0; i < w->s->n_groups; i++)
        cg_bal_finish(&w->groups[i], end);
    cg_lag_finish(w);
    cg_racks_flush(w);
    fill_result(w, res, true, end);
    cg_rec_run_end(w, res->records_produced);
    return 0;
}
