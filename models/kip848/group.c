/* models/kip848/group: the KIP-848 consumer protocol in the world: each "consumer" group's
 * coordinator (the state machine of models/kip848/machine) behind the network, with its timers,
 * its trace records and the `check` coverage, and the protocol's entry in the registry.
 *
 * A ConsumerGroupHeartbeat, OffsetCommit or OffsetFetch reaches the coordinator one network
 * latency after the client sent it (models/net: the same latency model, streams and
 * per-direction FIFO as the classic protocol); the response travels back after another.
 *
 * Timers follow the state machine's instructions. The session timer of a member is lazy (one
 * heap event re-armed at its deadline, so a heartbeat costs no heap operation); the rebalance
 * timer is armed at the epoch the member has to leave by revoking, and fences it when it fires
 * with the member still at that epoch.
 *
 * Trace. member_join when the state machine adds (or a static member takes over) a member;
 * member_leave when it removes one: "leave" / "poll_timeout" (epoch -1 heartbeat),
 * "session_timeout", "fenced" (rebalance timeout). A static member's epoch -2 leave removes
 * nothing and writes nothing. One rebalance is open at a time: rebalance_start at the first
 * group-epoch bump (generation = the new group epoch), rebalance_end when the group is STABLE
 * (every member reconciled to the target of the current group epoch), with generation = that
 * epoch, duration from the start, and moved = partitions whose holder at the end differs from
 * their last owner at the start. rebalance_start carries "protocol": "consumer" (an added field,
 * so that trace readers know generations are epochs). A group that empties drops its open
 * rebalance (no end), as a classic group does.
 *
 * A failover keeps the whole state (KIP-848 persists every change in __consumer_offsets): while
 * the coordinator is down every request is answered NOT_COORDINATOR; when it is back every
 * member gets a fresh session deadline and members still revoking a fresh rebalance timer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/kip848/group_impl.h"
#include "models/kip848/machine.h"
#include "models/kip848/member.h"
#include "models/offsets/offsets.h"
#include "models/world/ownership.h"
#include "models/world/trace_rec.h"
#include "models/world/world_impl.h"
#include "sim/vec.h"

static void on_session(sim_t *sim, void *ctx, uint64_t arg);
static void on_rebalance(sim_t *sim, void *ctx, uint64_t arg);

static cg_err_t kafka_err(cg_k848_err_t e)
{
    static const cg_err_t map[CG_K848_ERR_COUNT] = {
        CG_ERR_NONE, CG_ERR_FENCED_MEMBER_EPOCH, CG_ERR_UNKNOWN_MEMBER_ID,
        CG_ERR_UNRELEASED_INSTANCE_ID, CG_ERR_FENCED_INSTANCE_ID, CG_ERR_INVALID_REQUEST,
        CG_ERR_STALE_MEMBER_EPOCH};
    return (unsigned)e < CG_K848_ERR_COUNT ? map[e] : CG_ERR_INVALID_REQUEST;
}

void c848_reply(cg_c848_group_t *cg, int32_t mi, cg_err_t err)
{
    cg_net_reply(&cg->g->w->net, mi, (uint8_t)err);
}

/* ---- member records ---- */

int32_t c848_rec_find(const cg_c848_group_t *cg, const char *id, int32_t hint)
{
    if (hint >= 0 && (uint32_t)hint < cg->n_recs && cg->recs[hint].used &&
        strcmp(cg->recs[hint].id, id) == 0)
        return hint;
    for (uint32_t i = 0; i < cg->n_recs; i++)
        if (cg->recs[i].used && strcmp(cg->recs[i].id, id) == 0)
            return (int32_t)i;
    return -1;
}

int32_t c848_rec_add(cg_c848_group_t *cg, const char *id, int32_t consumer)
{
    uint32_t i = 0;
    while (i < cg->n_recs && cg->recs[i].used)
        i++;
    if (i == cg->n_recs) {
        if (sim_vec_reserve(&cg->recs, &cg->cap_recs, cg->n_recs + 1, sizeof *cg->recs, 8) != 0)
            return -1;
        cg->n_recs++;
    }
    cg_c848_mrec_t *r = &cg->recs[i];
    memset(r, 0, sizeof *r);
    r->used = true;
    snprintf(r->id, sizeof r->id, "%s", id);
    r->consumer = consumer;
    r->instance = -1;
    return (int32_t)i;
}

void c848_rec_free(cg_c848_group_t *cg, int32_t ri)
{
    cg_c848_mrec_t *r = &cg->recs[ri];
    sim_timer_clear(c848_sim(cg), &r->session.h);
    sim_timer_clear(c848_sim(cg), &r->rebalance);
    sim_timer_clear(c848_sim(cg), &r->join_timer);
    sim_timer_clear(c848_sim(cg), &r->sync_timer);
    r->used = false;
}

void c848_arm_session(cg_c848_group_t *cg, int32_t ri, int64_t deadline)
{
    sim_deadline_set(c848_sim(cg), &cg->recs[ri].session, deadline, on_session, cg, (uint64_t)ri);
}

static void arm_rebalance(cg_c848_group_t *cg, int32_t ri, int64_t at, int32_t epoch)
{
    cg->recs[ri].reb_epoch = epoch;
    sim_timer_set(c848_sim(cg), &cg->recs[ri].rebalance, at, on_rebalance, cg, (uint64_t)ri);
}

/* ---- trace ownership on removal ---- */

/* Whether the client's current process is another member than record ri's, and its epoch or
 * generation. */
static bool other_process(const cg_c848_group_t *cg, const cg_client_t *c, int32_t ri,
                          int32_t *gen)
{
    const cg_c848_mrec_t *r = &cg->recs[ri];
    if (c->ops == &cg_k848_member_ops) {
        const cg_k848_member_t *x = cg_k848_member(c);
        *gen = x->epoch;
        return c->running && x->member && strcmp(x->member_id, r->id) != 0;
    }
    /* a classic process: its member id is a slot and serial (serial 0 is none) */
    return cg_client_other_classic_member(c, r->classic ? ri : -1, r->classic ? r->serial : 0, gen);
}

void c848_member_gone(cg_c848_group_t *cg, int32_t ri, cg_reason_t why)
{
    int32_t consumer = cg->recs[ri].consumer, gen;
    cg_client_t *c = &cg->g->w->clients[consumer];
    if (!cg->recs[ri].classic) {      /* a downgrade may follow (c848_settle) */
        cg->gone_consumer = true;
        cg->epoch_before_removal = cg_k848_group_epoch(cg->k) - 1;
    }
    bool other = other_process(cg, c, ri, &gen);
    cg_rec_member_leave(cg->g->w, cg->g, consumer, cg->recs[ri].id, why);
    c848_rec_free(cg, ri);
    cg_own_member_gone(cg->g, c, other, gen);
}

/* ---- rebalances ---- */

static void on_check(sim_t *sim, void *ctx, uint64_t arg);

static void reb_begin(cg_c848_group_t *cg, cg_reason_t why)
{
    cg_group_t *g = cg->g;
    struct cg_world *w = g->w;
    int32_t epoch = cg_k848_group_epoch(cg->k);
    if (w->opts.check && epoch <= g->max_gen_start)
        cg_world_fail(w, "t=%lld ms: group %s: group epoch went from %d to %d",
                      (long long)(c848_now(cg) / SIM_NS_PER_MS), g->cfg->id, g->max_gen_start,
                      epoch);
    g->max_gen_start = epoch;
    if (g->reb_open)
        return;
    cg_own_rebalance_begin(g);
    cg_rec_rebalance_start(w, g, epoch, why, "consumer");
}

static int64_t moved_since_start(const cg_c848_group_t *cg)
{
    int64_t moved = 0;
    cg_k848_member_view_t v;
    for (size_t i = 0; cg_k848_member_at(cg->k, i, &v); i++) {
        int32_t local = v.tag - (int32_t)cg->g->cfg->first_consumer;
        for (size_t j = 0; j < v.n_assigned; j++) {
            int32_t last = cg->g->snap_owner[v.assigned[j]];
            if (last >= 0 && last != local)
                moved++;
        }
    }
    return moved;
}

/* After any change: open a rebalance on a bump, close it when STABLE, drop it when EMPTY. */
void c848_reb_update(cg_c848_group_t *cg, bool bumped, cg_reason_t why)
{
    cg_group_t *g = cg->g;
    struct cg_world *w = g->w;
    if (bumped)
        reb_begin(cg, why);
    cg_k848_gstate_t st = cg_k848_group_state(cg->k);
    if (st == CG_K848_G_EMPTY) {
        g->reb_open = false;
    } else if (st == CG_K848_G_STABLE && g->reb_open) {
        g->reb_open = false;
        cg_own_rebalance_end(g, cg_k848_group_epoch(cg->k), c848_now(cg) - g->reb_start_ns,
                             (int64_t)cg_k848_member_count(cg->k), moved_since_start(cg), false);
        cg->stable_ns = c848_now(cg);
        if (w->opts.check)
            cg_own_check_arm(g, c848_now(cg) + 2 * g->cfg->broker.consumer_heartbeat_interval_ns +
                                    SIM_NS_PER_MS,
                             on_check, cg, (uint64_t)cg_k848_group_epoch(cg->k));
    }
}

/* The group's members all speak the classic protocol (at least one is left). */
static bool only_classic_left(const cg_c848_group_t *cg)
{
    if (cg_k848_member_count(cg->k) == 0)
        return false;
    for (uint32_t i = 0; i < cg->n_recs; i++)
        if (cg->recs[i].used && !cg->recs[i].pending && !cg->recs[i].classic)
            return false;
    return true;
}

bool c848_downgrade_replaced(cg_c848_group_t *cg, bool new_subscription)
{
    if (!cg->g->cfg->migrates || !only_classic_left(cg))
        return false;
    cg->epoch_before_removal = cg_k848_group_epoch(cg->k);
    return cg_mig_downgrade_replaced(cg->g, new_subscription);
}

void c848_settle(cg_c848_group_t *cg, bool bumped, cg_reason_t why)
{
    bool gone = cg->gone_consumer;
    cg->gone_consumer = false;
    if (gone && cg->g->cfg->migrates && only_classic_left(cg) && cg_mig_downgrade(cg->g, why))
        return;
    c848_reb_update(cg, bumped, why);
}

cg_reason_t c848_bump_reason(cg_k848_bump_t b, uint8_t leave_reason)
{
    switch (b) {
    case CG_K848_BUMP_MEMBER_JOIN: return CG_RS_MEMBER_JOIN;
    case CG_K848_BUMP_SUBSCRIPTION: return CG_RS_METADATA;
    case CG_K848_BUMP_MEMBER_LEAVE:
        return leave_reason == CG_RS_POLL_TIMEOUT ? CG_RS_POLL_TIMEOUT : CG_RS_MEMBER_LEAVE;
    case CG_K848_BUMP_SESSION_TIMEOUT: return CG_RS_SESSION_TIMEOUT;
    case CG_K848_BUMP_REBALANCE_TIMEOUT: return CG_RS_REBALANCE_TIMEOUT;
    case CG_K848_BUMP_METADATA: return CG_RS_METADATA;
    default: return CG_RS_METADATA;
    }
}

/* ---- timers ---- */

static void on_session(sim_t *sim, void *ctx, uint64_t arg)
{
    cg_c848_group_t *cg = ctx;
    int32_t ri = (int32_t)arg;
    cg_c848_mrec_t *r = &cg->recs[ri];
    r->session.h = SIM_HANDLE_NONE;
    if (!r->used || cg->down)
        return;
    if (sim_now(sim) < r->session.at_ns) {
        c848_arm_session(cg, ri, r->session.at_ns);
        return;
    }
    if (!cg_k848_session_expired(cg->k, r->id))
        return;
    c848_member_gone(cg, ri, CG_RS_SESSION_TIMEOUT);
    c848_settle(cg, true, CG_RS_SESSION_TIMEOUT);
}

static void on_rebalance(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_c848_group_t *cg = ctx;
    int32_t ri = (int32_t)arg;
    cg_c848_mrec_t *r = &cg->recs[ri];
    r->rebalance = SIM_HANDLE_NONE;
    if (!r->used || cg->down || !cg_k848_rebalance_timeout(cg->k, r->id, r->reb_epoch))
        return;
    c848_member_gone(cg, ri, CG_RS_FENCED);
    c848_settle(cg, true, CG_RS_REBALANCE_TIMEOUT);
}

/* ---- requests ---- */

void c848_apply_timers(cg_c848_group_t *cg, int32_t ri, const cg_k848_response_t *r)
{
    int64_t now = c848_now(cg);
    if (r->session_timer == CG_K848_TIMER_SET)
        c848_arm_session(cg, ri, now + r->session_timeout_ns);
    else if (r->session_timer == CG_K848_TIMER_CANCEL)
        sim_timer_clear(c848_sim(cg), &cg->recs[ri].session.h);
    if (r->rebalance_timer == CG_K848_TIMER_SET)
        arm_rebalance(cg, ri, now + r->rebalance_timeout_ns, r->rebalance_timer_epoch);
    else if (r->rebalance_timer == CG_K848_TIMER_CANCEL)
        sim_timer_clear(c848_sim(cg), &cg->recs[ri].rebalance);
}

/* Member records after a successful call: added, taken over, or removed. Returns the record
 * of the request's member, -1 when it is gone (or out of memory: the run then fails). */
static int32_t track_members(cg_c848_group_t *cg, const cg_msg_t *m, const cg_k848_response_t *r)
{
    struct cg_world *w = cg->g->w;
    int32_t ri;
    if (r->member_replaced) {
        ri = c848_rec_find(cg, r->replaced_member_id, -1);
        if (ri < 0) {
            cg_world_fail(w, "group %s: replaced member %s has no record", cg->g->cfg->id,
                          r->replaced_member_id);
            return -1;
        }
        int32_t old = cg->recs[ri].consumer;
        if (old != m->client) {       /* another process took the instance: the old one left */
            cg_rec_member_leave(w, cg->g, old, r->replaced_member_id, CG_RS_FENCED);
            cg_own_end_all(cg->g, &w->clients[old]);
        }
        cg_rec_member_join(w, cg->g, m->client, m->member_id, r->replaced_member_id);
        snprintf(cg->recs[ri].id, sizeof cg->recs[ri].id, "%s", m->member_id);
        cg->recs[ri].consumer = m->client;
        cg->recs[ri].classic = false; /* a consumer-protocol process took a classic member's */
    } else if (r->member_added) {
        ri = c848_rec_add(cg, m->member_id, m->client);
        if (ri < 0) {
            cg_world_fail(w, "out of memory");
            return -1;
        }
        cg_rec_member_join(w, cg->g, m->client, m->member_id, NULL);
    } else {
        ri = c848_rec_find(cg, m->member_id, m->slot);
    }
    if (ri >= 0 && m->generation == CG_K848_JOIN_EPOCH)
        cg->recs[ri].consumer = m->client;
    if (ri >= 0 && r->member_removed) {
        c848_member_gone(cg, ri, m->reason == CG_RS_POLL_TIMEOUT ? CG_RS_POLL_TIMEOUT : CG_RS_LEAVE);
        return -1;
    }
    return ri;
}

static void fill_request(const cg_c848_group_t *cg, const cg_msg_t *m, cg_k848_request_t *q)
{
    memset(q, 0, sizeof *q);
    q->member_id = m->member_id;
    q->instance_id = m->instance >= 0 ? cg->g->instance_ids[m->instance] : NULL;
    q->member_epoch = m->generation;
    q->tag = m->client;
    q->has_subscription = m->full;
    q->topics = m->topics;
    q->n_topics = m->n_topics;
    q->has_owned = m->generation >= 0;
    q->owned = m->gp;
    q->n_owned = m->generation >= 0 ? m->n : 0;
    q->rebalance_timeout_ns = m->full ? m->rebalance_timeout_ns : -1;
}

static void on_heartbeat(cg_c848_group_t *cg, int32_t mi)
{
    struct cg_world *w = cg->g->w;
    cg_msg_t *m = cg_net_msg(&w->net, mi);
    cg_k848_request_t q;
    cg_k848_response_t r;
    char err[256] = "";
    fill_request(cg, m, &q);
    if (cg_k848_heartbeat(cg->k, &q, &r, err, sizeof err) != 0) {
        cg_world_fail(w, "group %s: heartbeat: %s", cg->g->cfg->id, err);
        cg_net_msg_free(&w->net, mi);
        return;
    }
    if (r.error != CG_K848_NONE) {
        c848_reply(cg, mi, kafka_err(r.error));
        return;
    }
    int32_t ri = track_members(cg, m, &r);
    if (ri >= 0)
        c848_apply_timers(cg, ri, &r);
    m->slot = ri;
    m->generation = r.member_epoch;
    m->interval_ns = r.heartbeat_interval_ns;
    m->has_assignment = r.has_assignment;
    m->n = 0;
    if (r.has_assignment) {
        if (cg_net_msg_reserve(&w->net, mi, (uint32_t)r.n_assignment) != 0) {
            cg_world_fail(w, "out of memory");
            cg_net_msg_free(&w->net, mi);
            return;
        }
        m = cg_net_msg(&w->net, mi);
        if (r.n_assignment)
            memcpy(m->gp, r.assignment, r.n_assignment * sizeof *m->gp);
        m->n = (uint32_t)r.n_assignment;
    }
    uint8_t leave_reason = m->reason;
    c848_reply(cg, mi, CG_ERR_NONE);
    c848_settle(cg, r.bump != CG_K848_BUMP_NONE, c848_bump_reason(r.bump, leave_reason));
}

static void on_commit(cg_c848_group_t *cg, int32_t mi)
{
    cg_msg_t *m = cg_net_msg(&cg->g->w->net, mi);
    cg_err_t e = cg->g->w->clients[m->client].ops == &cg_k848_member_ops
                     ? kafka_err(cg_k848_commit_check(cg->k, m->member_id, m->generation))
                     : c848_classic_commit_check(cg, m);
    cg_offsets_commit(&cg->offsets, m, e, cg_own_commit, cg->g);
    c848_reply(cg, mi, e);
}

static void on_offsets(cg_c848_group_t *cg, int32_t mi)
{
    cg_offsets_fetch(&cg->offsets, cg_net_msg(&cg->g->w->net, mi));
    c848_reply(cg, mi, CG_ERR_NONE);
}

void c848_on_request(void *ctx, int32_t mi)
{
    cg_c848_group_t *cg = ctx;
    const cg_msg_t *m = cg_net_msg(&cg->g->w->net, mi);
    if (cg->down) {
        c848_reply(cg, mi, CG_ERR_NOT_COORDINATOR);
        return;
    }
    switch ((cg_msg_kind_t)m->kind) {
    case CG_MSG_CONSUMER_HEARTBEAT: on_heartbeat(cg, mi); break;
    case CG_MSG_COMMIT: on_commit(cg, mi); break;
    case CG_MSG_OFFSET_FETCH: on_offsets(cg, mi); break;
    case CG_MSG_JOIN:
        /* A JoinGroup at an empty consumer group makes it a classic group (any policy). */
        if (cg->g->cfg->migrates && cg_k848_member_count(cg->k) == 0) {
            cg_mig_foreign(cg->g, mi);
            break;
        }
        /* fall through */
    case CG_MSG_SYNC:
    case CG_MSG_HEARTBEAT:
    case CG_MSG_LEAVE:
        if (cg->g->cfg->migrates)
            c848_classic_request(cg, mi);
        else
            c848_reply(cg, mi, CG_ERR_INVALID_REQUEST);
        break;
    }
}

/* ---- failover ---- */

static void on_reload(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    cg_c848_group_t *cg = ctx;
    cg->reload_timer = SIM_HANDLE_NONE;
    cg->down = false;
    cg_net_coord_down(&cg->g->w->net, cg->g->gi, false);
    int64_t now = sim_now(sim);
    for (uint32_t i = 0; i < cg->n_recs; i++) {
        cg_c848_mrec_t *r = &cg->recs[i];
        cg_k848_member_view_t v;
        if (!r->used)
            continue;
        if (r->pending) {
            c848_rec_free(cg, (int32_t)i);
            continue;
        }
        c848_arm_session(cg, (int32_t)i, now + (r->classic ? r->meta.session_ns
                                                  : cg->g->cfg->broker.consumer_session_timeout_ns));
        if (cg_k848_member_get(cg->k, r->id, &v) && v.state == CG_K848_UNREVOKED_PARTITIONS &&
            v.epoch >= 0)
            arm_rebalance(cg, (int32_t)i, now + v.rebalance_timeout_ns, v.epoch);
    }
}

static bool failover(cg_group_t *g)
{
    cg_c848_group_t *cg = c848_of(g);
    sim_t *sim = c848_sim(cg);
    if (cg->down)
        return false;
    cg->down = true;
    cg_net_coord_down(&g->w->net, g->gi, true);
    for (uint32_t i = 0; i < cg->n_recs; i++) {
        sim_timer_clear(sim, &cg->recs[i].session.h);
        sim_timer_clear(sim, &cg->recs[i].rebalance);
        sim_timer_clear(sim, &cg->recs[i].join_timer);
        sim_timer_clear(sim, &cg->recs[i].sync_timer);
    }
    sim_timer_clear(sim, &g->check_timer);
    sim_timer_set(sim, &cg->reload_timer, sim_now(sim) + g->cfg->coordinator_failover_ns,
                  on_reload, cg, 0);
    return true;
}

/* ---- `check`: every subscribed partition owned once STABLE with everyone polling ---- */

/* Whether to check: not now, once the members behind caught up, or now. */
typedef enum check_ready { CHECK_NO, CHECK_LATER, CHECK_NOW } check_ready_t;

/* The client owns what the coordinator assigned it: it has applied its last assignment. */
static bool caught_up(const cg_client_t *c, const cg_k848_member_view_t *v)
{
    if (c->n_owned != v->n_assigned)
        return false;
    for (uint32_t i = 0; i < c->n_owned; i++)
        if (c->owned[i].gp != v->assigned[i])
            return false;
    return true;
}

static check_ready_t all_polling(const cg_c848_group_t *cg, bool *sub)
{
    struct cg_world *w = cg->g->w;
    cg_k848_member_view_t v;
    bool behind = false;
    for (size_t i = 0; cg_k848_member_at(cg->k, i, &v); i++) {
        const cg_client_t *c = &w->clients[v.tag];
        /* (no coverage check while classic members are in the group: a migration) */
        if (c->ops != &cg_k848_member_ops || !cg_k848_member_polling(c, v.member_id))
            return CHECK_NO;
        behind = behind || !caught_up(c, &v);
        for (size_t t = 0; t < v.n_topics; t++)
            sub[v.topics[t]] = true;
    }
    for (size_t i = 0; i < cg->g->cfg->n_consumers; i++) {
        const cg_client_t *c = &w->clients[cg->g->cfg->first_consumer + i];
        if (c->running && (c->ops != &cg_k848_member_ops || !cg_k848_member(c)->member))
            return CHECK_NO;          /* a process is still on its way into the group */
    }
    return behind ? CHECK_LATER : CHECK_NOW;
}

static void on_check(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_c848_group_t *cg = ctx;
    cg_group_t *g = cg->g;
    struct cg_world *w = g->w;
    g->check_timer = SIM_HANDLE_NONE;
    w->check_events++;
    if (cg->down || cg_k848_group_state(cg->k) != CG_K848_G_STABLE ||
        (int32_t)arg != cg_k848_group_epoch(cg->k) || g->last_fault_ns >= cg->stable_ns ||
        g->faults_pending > 0)
        return;
    /* The target is still the classic group's last assignment (fromClassicGroup), which need
     * not cover the subscription: after a conversion by a static replacement nothing bumps the
     * epoch, and Kafka keeps that stale target too (KAFKA-21582, ../shared/kafka-operations.md
     * 4.2): a classic group converted before its first assignment leaves partitions unowned. */
    if (cg_k848_target_epoch(cg->k) == cg->import_epoch)
        return;
    bool *sub = calloc(w->s->n_topics + 1, sizeof *sub);
    if (!sub)
        return;
    check_ready_t ready = all_polling(cg, sub);
    if (ready == CHECK_NOW ||
        (ready == CHECK_LATER &&
         !cg_own_check_defer(g, g->cfg->broker.consumer_heartbeat_interval_ns, on_check, cg, arg)))
        cg_own_check_coverage(g, sub, cg_k848_topics(cg->k), cg_k848_group_epoch(cg->k));
    free(sub);
}

/* ---- the protocol's entry ---- */

/* Run-ahead is the classic protocol's for now (models/client/runahead.c). */
static int64_t quiet_until(const cg_group_t *g, const cg_client_t *c, int64_t now)
{
    (void)g;
    (void)c;
    (void)now;
    return INT64_MIN;
}

static bool member_current(const cg_group_t *g, const cg_client_t *c)
{
    cg_k848_member_view_t v;
    if (c->ops != &cg_k848_member_ops) {     /* a classic member: its slot, serial, generation */
        cg_msg_t id;
        memset(&id, 0, sizeof id);
        c->ops->stamp(c, &id);
        int32_t ri = c848_classic_rec(c848_of(g), id.slot, id.serial);
        return ri >= 0 && cg_k848_member_get(c848_of(g)->k, c848_of(g)->recs[ri].id, &v) &&
               v.epoch == id.generation;
    }
    const cg_k848_member_t *x = cg_k848_member(c);
    return cg_k848_member_get(c848_of(g)->k, x->member_id, &v) && v.epoch == x->epoch;
}

static void group_fini(cg_group_t *g)
{
    cg_c848_group_t *cg = c848_of(g);
    if (!cg)
        return;
    cg_k848_group_free(cg->k);
    c848_classic_fini(cg);
    free(cg->recs);
    cg_offsets_fini(&cg->offsets);
    free(cg);
    g->coords[CG_PROTOCOL_CONSUMER] = NULL;
}

/* The server assignor: the group's, or for a classic group that may be upgraded Kafka's default
 * group.consumer.assignors, whose first is "uniform". */
static const cg_assignor_ops_t *server_assignor(const cg_group_t *g)
{
    if (g->cfg->protocol == CG_PROTOCOL_CONSUMER)
        return g->cfg->assignor;
    return cg_assignor_find(CG_PROTOCOL_CONSUMER, "uniform");
}

cg_k848_group_t *c848_machine_new(const cg_group_t *g)
{
    const struct cg_world *w = g->w;
    const cg_broker_cfg_t *b = &g->cfg->broker;
    return cg_k848_group_new(w->topic_meta, w->s->n_topics, w->topic_base, server_assignor(g),
                             b->consumer_session_timeout_ns, b->consumer_heartbeat_interval_ns);
}

static int group_init(cg_group_t *g, char *err, size_t errlen)
{
    struct cg_world *w = g->w;
    cg_c848_group_t *cg = calloc(1, sizeof *cg);
    g->coords[CG_PROTOCOL_CONSUMER] = cg;
    if (cg) {
        cg->g = g;
        cg->next_serial = 1;
        cg->import_epoch = -1;
        cg->k = c848_machine_new(g);
    }
    if (!cg || !cg->k || cg_offsets_init(&cg->offsets, w->n_parts) != 0 ||
        (g->cfg->migrates && c848_classic_init(cg) != 0)) {
        snprintf(err, errlen, "out of memory building group %s", g->cfg->id);
        return -1;
    }
    cg_net_set_coordinator(&w->net, g->gi, c848_on_request, cg);
    return 0;
}

/* The broker's metadata image changed: the coordinator learns of it at once, and acts on it at
 * the next heartbeat (cg_k848_group_set_partitions). */
static void partitions_added(cg_group_t *g, int32_t t, int32_t partitions)
{
    cg_k848_group_set_partitions(c848_of(g)->k, t, partitions);
}

const cg_group_proto_t cg_consumer_proto = {
    .name = "consumer", .member = &cg_k848_member_ops, .group_init = group_init,
    .group_fini = group_fini, .failover = failover, .member_current = member_current,
    .quiet_until = quiet_until,
    .partitions_added = partitions_added, .export_state = c848_export_state,
    .has_members = c848_has_members, .import_state = c848_import_state,
    .deactivate = c848_deactivate};
