/* models/faults: scripted faults.
 *
 * Each scenario fault is a step scheduled at its time (arg = step index). A step applies its
 * action to its target and writes a `fault` record {action, target, applied[, factor]
 * [, duration_ms]}; applied is false when the action does not apply in the target's state (crash
 * of a stopped member, resume of a running one...). An applied fault with duration_ms schedules
 * its inverse (crash->restart, pause/hang->resume, slow->slow factor 1, isolate->heal,
 * leave->join, join->leave), which writes its own record.
 *
 * Group helpers expand when they fire: rolling_restart closes each running member cleanly, in
 * consumer order, one every interval_ms, and starts it again down_ms later; scale +N starts the
 * next N never-started consumers of the group (the pool: join_at_ms null), -N closes the last N
 * running ones; both space members by interval_ms, and with duration_ms reverse each member that
 * long after its own step. Their per-member steps are written as
 * `leave` and `join` faults on the member.
 *
 * add_partitions grows a topic at once (CreatePartitions): producers use the new count from now
 * (models/partlog laid out its phases at the start), the record says how many and the new count,
 * the groups' accounting counts the new partitions from now, and each group's protocol is told
 * (the KIP-848 coordinator refreshes its subscription metadata at the next heartbeat; classic
 * members notice at their own metadata refresh). */
#include "models/faults/faults.h"

#include <stdio.h>
#include <stdlib.h>
#include "models/client/client.h"
#include "models/world/ownership.h"
#include "models/world/trace_rec.h"
#include "sim/vec.h"

static void on_step(sim_t *sim, void *ctx, uint64_t arg);
static bool member_step(struct cg_world *w, int32_t ci, cg_fault_action_t a, double factor,
                        int64_t dur_ns, const cg_fault_cfg_t *f);

static int push_step(struct cg_world *w, int64_t at, int32_t fault, int32_t consumer,
                     cg_fault_action_t action, bool inverse)
{
    if (sim_vec_reserve(&w->steps, &w->cap_steps, w->n_steps + 1, sizeof *w->steps, 16) != 0)
        return -1;
    if (cg_world_barrier_push(w, at) != 0)
        return -1;
    w->steps[w->n_steps] = (cg_fault_step_t){fault, consumer, (uint8_t)action, inverse};
    sim_schedule(&w->sim, at, on_step, w, w->n_steps);
    w->n_steps++;
    return 0;
}

int cg_faults_schedule(struct cg_world *w)
{
    for (size_t i = 0; i < w->s->n_faults; i++) {
        const cg_fault_cfg_t *f = &w->s->faults[i];
        if (push_step(w, f->at_ns, (int32_t)i, f->consumer, f->action, false) != 0)
            return -1;
    }
    return 0;
}

static int has_inverse(cg_fault_action_t a, cg_fault_action_t *inv)
{
    switch (a) {
    case CG_FAULT_CRASH: *inv = CG_FAULT_RESTART; return 1;
    case CG_FAULT_PAUSE: *inv = CG_FAULT_RESUME; return 1;
    case CG_FAULT_HANG: *inv = CG_FAULT_RESUME; return 1;
    case CG_FAULT_SLOW: *inv = CG_FAULT_SLOW; return 1;
    case CG_FAULT_ISOLATE: *inv = CG_FAULT_HEAL; return 1;
    case CG_FAULT_LEAVE: *inv = CG_FAULT_JOIN; return 1;
    case CG_FAULT_JOIN: *inv = CG_FAULT_LEAVE; return 1;
    default: return 0;
    }
}

bool cg_faults_member(struct cg_world *w, int32_t ci, cg_fault_action_t a, double factor,
                      int64_t dur_ns)
{
    return member_step(w, ci, a, factor, dur_ns, NULL);
}

/* A member action; a restart or join carrying `f`'s topics starts the new process with that
 * subscription (written in the fault record). */
static bool member_step(struct cg_world *w, int32_t ci, cg_fault_action_t a, double factor,
                        int64_t dur_ns, const cg_fault_cfg_t *f)
{
    cg_client_t *c = &w->clients[ci];
    char target[2 * CG_MAX_NAME_LEN + 8];
    snprintf(target, sizeof target, "%s/%s", c->g->cfg->id, w->s->consumers[ci].id);
    c->g->last_fault_ns = sim_now(&w->sim);
    bool applied = cg_client_fault_applies(c, a);
    const int32_t *topics = f ? f->topics : NULL;
    bool upgrade = a == CG_FAULT_RESTART || a == CG_FAULT_JOIN;
    cg_rec_fault(w, cg_fault_action_name(a), target, applied, factor, dur_ns, topics,
                 topics ? f->n_topics : 0, upgrade ? f : NULL);
    if (applied && topics)
        cg_client_subscribe(c, topics, f->n_topics);
    if (applied && f && f->strategy)
        cg_client_set_strategy(c, f->strategy, f->n_strategy, f->cooperative);
    if (applied && f && f->set_protocol)
        cg_client_set_protocol(c, cg_group_proto_find(f->protocol)->member);
    if (applied) {
        cg_own_fault(c, a);
        cg_client_apply(c, a, factor);
    }
    return applied;
}

/* One member's step of a scale fault; with duration_ms the same member is reversed that long
 * after its step (scale +N for a while starts N members, then closes those N). */
static void scale_member(struct cg_world *w, int32_t fi, const cg_fault_cfg_t *f, int32_t ci,
                         int64_t at, cg_fault_action_t a)
{
    cg_group_t *g = &w->groups[f->group];
    if (push_step(w, at, fi, ci, a, true) != 0)
        cg_world_fail(w, "out of memory");
    g->faults_pending++;
    if (f->duration_ns < 0)
        return;
    cg_fault_action_t back = a == CG_FAULT_JOIN ? CG_FAULT_LEAVE : CG_FAULT_JOIN;
    if (push_step(w, at + f->duration_ns, fi, ci, back, true) != 0)
        cg_world_fail(w, "out of memory");
    g->faults_pending++;
}

/* Expand a group helper into per-member steps; true when it has any. */
static bool expand_group(struct cg_world *w, int32_t fi, const cg_fault_cfg_t *f)
{
    const cg_group_cfg_t *gc = &w->s->groups[f->group];
    int64_t now = sim_now(&w->sim);
    int64_t k = 0;
    if (f->action == CG_FAULT_ROLLING_RESTART) {
        for (size_t i = 0; i < gc->n_consumers; i++) {
            int32_t ci = (int32_t)(gc->first_consumer + i);
            if (!w->clients[ci].running)
                continue;
            int64_t at = now + k * f->interval_ns;
            if (push_step(w, at, fi, ci, CG_FAULT_LEAVE, true) != 0 ||
                push_step(w, at + f->down_ns, fi, ci, CG_FAULT_JOIN, true) != 0)
                cg_world_fail(w, "out of memory");
            w->groups[f->group].faults_pending += 2;
            k++;
        }
        return k > 0;
    }
    if (f->count > 0) {
        for (size_t i = 0; i < gc->n_consumers && k < f->count; i++) {
            int32_t ci = (int32_t)(gc->first_consumer + i);
            if (w->clients[ci].started_ever || w->s->consumers[ci].starts)
                continue;             /* the pool: consumers without a join_at_ms */
            scale_member(w, fi, f, ci, now + k * f->interval_ns, CG_FAULT_JOIN);
            w->clients[ci].started_ever = true;   /* reserved: a later scale picks others */
            k++;
        }
        return k > 0;
    }
    for (size_t i = gc->n_consumers; i > 0 && k < -(int64_t)f->count; i--) {
        int32_t ci = (int32_t)(gc->first_consumer + i - 1);
        if (!w->clients[ci].running)
            continue;
        scale_member(w, fi, f, ci, now + k * f->interval_ns, CG_FAULT_LEAVE);
        k++;
    }
    return k > 0;
}

static void add_partitions(struct cg_world *w, const cg_fault_cfg_t *f)
{
    int32_t t = f->topic, from = w->topic_meta[t].partitions, to = from + f->count;
    int64_t now = sim_now(&w->sim);
    cg_rec_add_partitions(w, w->topic_meta[t].name, f->count, to);
    w->topic_meta[t].partitions = to;
    if (cg_topic_hist_push(&w->hist, now, t, to) != 0) {
        cg_world_fail(w, "out of memory");
        return;
    }
    for (int64_t gp = w->topic_base[t] + from; gp < w->topic_base[t] + to; gp++)
        w->created_ns[gp] = now;
    for (size_t i = 0; i < w->s->n_groups; i++) {
        cg_group_t *g = &w->groups[i];
        cg_own_partitions_added(g, t, from, to);
        if (g->proto->partitions_added)
            g->proto->partitions_added(g, t, to);
    }
}

static void on_step(sim_t *sim, void *ctx, uint64_t arg)
{
    struct cg_world *w = ctx;
    cg_world_barrier_pop(w);
    cg_fault_step_t st = w->steps[arg];
    const cg_fault_cfg_t *f = &w->s->faults[st.fault];
    cg_fault_action_t a = (cg_fault_action_t)st.action;
    if (a == CG_FAULT_ADD_PARTITIONS) {
        add_partitions(w, f);
        return;
    }
    cg_group_t *g = &w->groups[f->group];
    int64_t now = sim_now(sim);
    g->last_fault_ns = now;
    if (st.inverse && g->faults_pending > 0)
        g->faults_pending--;
    char target[2 * CG_MAX_NAME_LEN + 8];
    if (st.consumer >= 0)
        snprintf(target, sizeof target, "%s/%s", g->cfg->id, w->s->consumers[st.consumer].id);
    else
        snprintf(target, sizeof target, "%s", f->target);
    bool applied;
    double factor = a == CG_FAULT_SLOW ? (st.inverse ? 1.0 : f->factor) : -1;
    /* Only the scenario's own fault carries its duration; inverses and helper steps do not. */
    bool own = !st.inverse && (f->consumer == st.consumer || st.consumer < 0);
    int64_t dur = own ? f->duration_ns : -1;
    if (a == CG_FAULT_COORDINATOR_FAILOVER) {
        applied = !cg_net_coord_is_down(&w->net, g->gi);
        cg_rec_fault(w, cg_fault_action_name(a), target, applied, factor, dur, NULL, 0, NULL);
        if (applied)
            g->proto->failover(g);
    } else if (a == CG_FAULT_ROLLING_RESTART || a == CG_FAULT_SCALE) {
        applied = expand_group(w, st.fault, f);   /* steps only: no record before this one */
        cg_rec_fault(w, cg_fault_action_name(a), target, applied, factor, dur, NULL, 0, f);
    } else {
        /* A rolling restart's processes come back with its "config" too. */
        bool upgrade = f->action == CG_FAULT_ROLLING_RESTART && a == CG_FAULT_JOIN;
        applied = member_step(w, st.consumer, a, factor, dur, own || upgrade ? f : NULL);
    }
    cg_fault_action_t inv;
    if (applied && own && dur >= 0 && has_inverse(a, &inv)) {
        if (push_step(w, now + dur, st.fault, st.consumer, inv, true) != 0)
            cg_world_fail(w, "out of memory");
        g->faults_pending++;
    }
}
