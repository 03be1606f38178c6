/* models/c848_coord: the coordinator side of the KIP-848 consumer protocol in the world.
 *
 * Each "consumer" group wraps one cg_k848_group_t (models/assignor_kip848, the state machine).
 * A ConsumerGroupHeartbeat, OffsetCommit or OffsetFetch is an engine event at the coordinator
 * one network latency after the client sent it (same latency model, streams and per-direction
 * FIFO as the classic protocol); the response travels back after another latency.
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
 * so that trace readers know generations are epochs). A group that empties drops its open rebalance (no end), as a
 * classic group does.
 *
 * A failover keeps the whole state (KIP-848 persists every change in __consumer_offsets): while
 * the coordinator is down every request is answered NOT_COORDINATOR; when it is back every
 * member gets a fresh session deadline and members still revoking a fresh rebalance timer. */
#include "models/c848_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/ownership.h"
#include "models/trace_rec.h"

static void on_session(sim_t *sim, void *ctx, uint64_t arg);
static void on_rebalance(sim_t *sim, void *ctx, uint64_t arg);

static int64_t now_ns(const cg_c848_group_t *cg) { return sim_now(&cg->g->w->sim); }

/* ---- message pool ---- */

int32_t cg_c848_msg_new(struct cg_world *w, cg_c848_kind_t kind, const cg_client_t *c)
{
    struct cg_c848_world *k = w->k848;
    int32_t mi = k->msg_free;
    if (mi >= 0) {
        k->msg_free = k->msgs[mi].next_free;
    } else {
        if (k->n_msgs == k->cap_msgs) {
            uint32_t cap = k->cap_msgs ? 2 * k->cap_msgs : 64;
            cg_c848_msg_t *p = realloc(k->msgs, cap * sizeof *p);
            if (!p)
                return -1;
            k->msgs = p;
            k->cap_msgs = cap;
        }
        mi = (int32_t)k->n_msgs++;
        memset(&k->msgs[mi], 0, sizeof k->msgs[mi]);
    }
    cg_c848_msg_t *m = &k->msgs[mi];
    m->kind = (uint8_t)kind;
    m->err = CG_K848_NONE;
    m->reason = CG_RS_COUNT;
    m->sync = m->full = m->has_assignment = false;
    m->client = c->ci;
    m->proc = c->proc;
    m->req = 0;
    m->hint = -1;
    m->epoch = -1;
    m->interval_ns = 0;
    m->member_id[0] = '\0';
    m->n = 0;
    m->next_free = -1;
    return mi;
}

void cg_c848_msg_free(struct cg_world *w, int32_t mi)
{
    w->k848->msgs[mi].next_free = w->k848->msg_free;
    w->k848->msg_free = mi;
}

int cg_c848_msg_reserve(struct cg_world *w, int32_t mi, uint32_t n)
{
    cg_c848_msg_t *m = &w->k848->msgs[mi];
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

void cg_c848_send(cg_client_t *c, int32_t mi)
{
    struct cg_world *w = c->w;
    if (c->isolated) {
        cg_c848_msg_free(w, mi);
        return;
    }
    int64_t at = sim_now(&w->sim) + cg_world_net_delay_ns(c);
    if (at < c->up_last_ns)
        at = c->up_last_ns;
    c->up_last_ns = at;
    sim_schedule(&w->sim, at, cg_c848_coord_on_msg, c->g, (uint64_t)mi);
}

static void reply(cg_c848_group_t *cg, int32_t mi, int err)
{
    struct cg_world *w = cg->g->w;
    cg_c848_msg_t *m = cg_c848_msg(w, mi);
    cg_client_t *c = &w->clients[m->client];
    m->err = (uint8_t)err;
    if (c->isolated || !c->running || c->proc != m->proc) {
        cg_c848_msg_free(w, mi);
        return;
    }
    int64_t at = sim_now(&w->sim) + cg_world_net_delay_ns(c);
    if (at < c->down_last_ns)
        at = c->down_last_ns;
    c->down_last_ns = at;
    sim_schedule(&w->sim, at, cg_c848_client_on_msg, c, (uint64_t)mi);
}

/* ---- records ---- */

void cg_c848_rec_commit(struct cg_world *w, const cg_group_t *g, int32_t consumer, int32_t gp,
                        int64_t offset, int32_t epoch, bool ok, int64_t end_offset,
                        const char *error)
{
    /* Same fields and order as the classic commit record (trace_rec.c); the error names are
     * the consumer protocol's (STALE_MEMBER_EPOCH, UNKNOWN_MEMBER_ID). */
    sim_trace_t *tr = w->tr;
    int32_t t = w->gp_topic[gp];
    if (w->opts.check && sim_now(&w->sim) < w->last_rec_ns)
        cg_world_fail(w, "commit record written before the previous record");
    w->last_rec_ns = sim_now(&w->sim);
    sim_trace_begin(tr, sim_now(&w->sim), "commit");
    sim_trace_str(tr, "group", g->cfg->id);
    sim_trace_str(tr, "member", w->s->consumers[consumer].id);
    sim_trace_str(tr, "topic", w->s->topics[t].name);
    sim_trace_int(tr, "partition", gp - w->topic_base[t]);
    sim_trace_int(tr, "offset", offset);
    sim_trace_int(tr, "generation", epoch);
    sim_trace_bool(tr, "ok", ok);
    sim_trace_int(tr, "end_offset", end_offset);
    if (!ok)
        sim_trace_str(tr, "error", error);
    sim_trace_end(tr);
}

/* rebalance_start as trace_rec.c writes it, plus "protocol": "consumer": a trace reader can tell
 * that generations are epochs here (assignments carry member epochs before the rebalance_end,
 * whose generation is the group epoch when the group became STABLE). */
static void rec_rebalance_start(struct cg_world *w, const cg_group_t *g, int32_t epoch,
                                cg_reason_t why)
{
    sim_trace_t *tr = w->tr;
    w->last_rec_ns = sim_now(&w->sim);
    sim_trace_begin(tr, sim_now(&w->sim), "rebalance_start");
    sim_trace_str(tr, "group", g->cfg->id);
    sim_trace_int(tr, "generation", epoch);
    sim_trace_str(tr, "reason", cg_reason_name(why));
    sim_trace_str(tr, "protocol", "consumer");
    sim_trace_end(tr);
}

/* ---- member records ---- */

static int32_t rec_find(const cg_c848_group_t *cg, const char *id, int32_t hint)
{
    if (hint >= 0 && (uint32_t)hint < cg->n_recs && cg->recs[hint].used &&
        strcmp(cg->recs[hint].id, id) == 0)
        return hint;
    for (uint32_t i = 0; i < cg->n_recs; i++)
        if (cg->recs[i].used && strcmp(cg->recs[i].id, id) == 0)
            return (int32_t)i;
    return -1;
}

static int32_t rec_add(cg_c848_group_t *cg, const char *id, int32_t consumer)
{
    uint32_t i = 0;
    while (i < cg->n_recs && cg->recs[i].used)
        i++;
    if (i == cg->n_recs) {
        if (cg->n_recs == cg->cap_recs) {
            uint32_t cap = cg->cap_recs ? 2 * cg->cap_recs : 8;
            cg_c848_mrec_t *p = realloc(cg->recs, cap * sizeof *p);
            if (!p)
                return -1;
            cg->recs = p;
            cg->cap_recs = cap;
        }
        cg->n_recs++;
    }
    cg_c848_mrec_t *r = &cg->recs[i];
    memset(r, 0, sizeof *r);
    r->used = true;
    snprintf(r->id, sizeof r->id, "%s", id);
    r->consumer = consumer;
    return (int32_t)i;
}

static void rec_free(cg_c848_group_t *cg, int32_t ri)
{
    sim_t *sim = &cg->g->w->sim;
    cg_c848_mrec_t *r = &cg->recs[ri];
    sim_timer_clear(sim, &r->session);
    sim_timer_clear(sim, &r->rebalance);
    r->used = false;
}

static void arm_session(cg_c848_group_t *cg, int32_t ri, int64_t deadline)
{
    cg_c848_mrec_t *r = &cg->recs[ri];
    r->deadline_ns = deadline;
    if (r->session == SIM_HANDLE_NONE)
        r->session = sim_schedule(&cg->g->w->sim, deadline, on_session, cg, (uint64_t)ri);
}

static void arm_rebalance(cg_c848_group_t *cg, int32_t ri, int64_t at, int32_t epoch)
{
    cg->recs[ri].reb_epoch = epoch;
    sim_timer_set(&cg->g->w->sim, &cg->recs[ri].rebalance, at, on_rebalance, cg, (uint64_t)ri);
}

/* ---- trace ownership on removal ---- */

/* The member `id` of consumer `consumer` was removed (member_leave written). Its ownership ends
 * in the trace. The record names the consumer, not the member id, so when the consumer's current
 * process is another member (a dynamic member restarted while its old member waited for its
 * session to expire), that member's partitions are re-stated right away with an assignment. */
static void ownership_gone(cg_c848_group_t *cg, int32_t consumer, const char *id)
{
    struct cg_world *w = cg->g->w;
    cg_client_t *c = &w->clients[consumer];
    cg_c848_client_t *x = cg_c848_cli(c);
    bool other = c->running && x->member && strcmp(x->member_id, id) != 0;
    if (!other || c->n_tr == 0) {
        cg_own_end_all(cg->g, c);
        return;
    }
    int32_t *list = malloc((c->n_owned ? c->n_owned : 1) * sizeof *list);
    if (!list) {
        cg_world_fail(w, "out of memory");
        return;
    }
    for (uint32_t i = 0; i < c->n_owned; i++)
        list[i] = c->owned[i].gp;
    cg_own_end_all(cg->g, c);
    if (c->n_owned > 0)
        cg_own_assign(cg->g, c, x->epoch, list, c->n_owned);
    free(list);
}

static void member_gone(cg_c848_group_t *cg, int32_t ri, cg_reason_t why)
{
    char id[CG_MEMBER_ID_MAX];
    int32_t consumer = cg->recs[ri].consumer;
    memcpy(id, cg->recs[ri].id, sizeof id);
    rec_free(cg, ri);
    cg_rec_member_leave(cg->g->w, cg->g, consumer, why);
    ownership_gone(cg, consumer, id);
}

/* ---- rebalances ---- */

static void on_check(sim_t *sim, void *ctx, uint64_t arg);

static void reb_begin(cg_c848_group_t *cg, cg_reason_t why)
{
    struct cg_world *w = cg->g->w;
    int32_t epoch = cg_k848_group_epoch(cg->k);
    if (w->opts.check && epoch <= cg->max_epoch_start)
        cg_world_fail(w, "t=%lld ms: group %s: group epoch went from %d to %d",
                      (long long)(now_ns(cg) / SIM_NS_PER_MS), cg->g->cfg->id,
                      cg->max_epoch_start, epoch);
    cg->max_epoch_start = epoch;
    if (cg->reb_open)
        return;
    cg->reb_open = true;
    cg->reb_start_ns = now_ns(cg);
    memcpy(cg->snap_owner, cg->g->last_owner, (size_t)w->n_parts * sizeof *cg->snap_owner);
    rec_rebalance_start(w, cg->g, epoch, why);
}

static int64_t moved_since_start(const cg_c848_group_t *cg)
{
    int64_t moved = 0;
    cg_k848_member_view_t v;
    for (size_t i = 0; cg_k848_member_at(cg->k, i, &v); i++) {
        int32_t local = v.tag - (int32_t)cg->g->cfg->first_consumer;
        for (size_t j = 0; j < v.n_assigned; j++) {
            int32_t last = cg->snap_owner[v.assigned[j]];
            if (last >= 0 && last != local)
                moved++;
        }
    }
    return moved;
}

static void reb_end(cg_c848_group_t *cg)
{
    struct cg_world *w = cg->g->w;
    cg_group_summary_t *s = &cg->g->sum;
    int64_t dur = now_ns(cg) - cg->reb_start_ns;
    int64_t moved = moved_since_start(cg);
    cg->reb_open = false;
    s->rebalances++;
    s->rebalance_ns_total += dur;
    if (dur > s->rebalance_ns_max)
        s->rebalance_ns_max = dur;
    s->moved += moved;
    cg_rec_rebalance_end(w, cg->g, cg_k848_group_epoch(cg->k), dur,
                         (int64_t)cg_k848_member_count(cg->k), moved);
}

/* After any change: open a rebalance on a bump, close it when STABLE, drop it when EMPTY. */
static void reb_update(cg_c848_group_t *cg, bool bumped, cg_reason_t why)
{
    struct cg_world *w = cg->g->w;
    if (bumped)
        reb_begin(cg, why);
    cg_k848_gstate_t st = cg_k848_group_state(cg->k);
    if (st == CG_K848_G_EMPTY) {
        cg->reb_open = false;
    } else if (st == CG_K848_G_STABLE && cg->reb_open) {
        reb_end(cg);
        cg->stable_ns = now_ns(cg);
        if (w->opts.check)
            sim_timer_set(&w->sim, &cg->check_timer,
                          now_ns(cg) + 2 * cg->g->cfg->broker.consumer_heartbeat_interval_ns +
                              SIM_NS_PER_MS,
                          on_check, cg, (uint64_t)cg_k848_group_epoch(cg->k));
    }
}

static cg_reason_t bump_reason(cg_k848_bump_t b, uint8_t leave_reason)
{
    switch (b) {
    case CG_K848_BUMP_MEMBER_JOIN: return CG_RS_MEMBER_JOIN;
    case CG_K848_BUMP_SUBSCRIPTION: return CG_RS_METADATA;
    case CG_K848_BUMP_MEMBER_LEAVE:
        return leave_reason == CG_RS_POLL_TIMEOUT ? CG_RS_POLL_TIMEOUT : CG_RS_MEMBER_LEAVE;
    case CG_K848_BUMP_SESSION_TIMEOUT: return CG_RS_SESSION_TIMEOUT;
    case CG_K848_BUMP_REBALANCE_TIMEOUT: return CG_RS_REBALANCE_TIMEOUT;
    default: return CG_RS_METADATA;
    }
}

/* ---- timers ---- */

static void on_session(sim_t *sim, void *ctx, uint64_t arg)
{
    cg_c848_group_t *cg = ctx;
    int32_t ri = (int32_t)arg;
    cg_c848_mrec_t *r = &cg->recs[ri];
    r->session = SIM_HANDLE_NONE;
    if (!r->used || cg->g->down)
        return;
    if (sim_now(sim) < r->deadline_ns) {
        arm_session(cg, ri, r->deadline_ns);
        return;
    }
    if (!cg_k848_session_expired(cg->k, r->id))
        return;
    member_gone(cg, ri, CG_RS_SESSION_TIMEOUT);
    reb_update(cg, true, CG_RS_SESSION_TIMEOUT);
}

static void on_rebalance(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_c848_group_t *cg = ctx;
    int32_t ri = (int32_t)arg;
    cg_c848_mrec_t *r = &cg->recs[ri];
    r->rebalance = SIM_HANDLE_NONE;
    if (!r->used || cg->g->down || !cg_k848_rebalance_timeout(cg->k, r->id, r->reb_epoch))
        return;
    member_gone(cg, ri, CG_RS_FENCED);
    reb_update(cg, true, CG_RS_REBALANCE_TIMEOUT);
}

/* ---- requests ---- */

static void apply_timers(cg_c848_group_t *cg, int32_t ri, const cg_k848_response_t *r)
{
    int64_t now = now_ns(cg);
    if (r->session_timer == CG_K848_TIMER_SET)
        arm_session(cg, ri, now + r->session_timeout_ns);
    else if (r->session_timer == CG_K848_TIMER_CANCEL)
        sim_timer_clear(&cg->g->w->sim, &cg->recs[ri].session);
    if (r->rebalance_timer == CG_K848_TIMER_SET)
        arm_rebalance(cg, ri, now + r->rebalance_timeout_ns, r->rebalance_timer_epoch);
    else if (r->rebalance_timer == CG_K848_TIMER_CANCEL)
        sim_timer_clear(&cg->g->w->sim, &cg->recs[ri].rebalance);
}

/* Member records after a successful call: added, taken over, or removed. Returns the record
 * of the request's member, -1 when it is gone (or out of memory: the run then fails). */
static int32_t track_members(cg_c848_group_t *cg, const cg_c848_msg_t *m,
                             const cg_k848_response_t *r)
{
    struct cg_world *w = cg->g->w;
    int32_t ri;
    if (r->member_replaced) {
        ri = rec_find(cg, r->replaced_member_id, -1);
        if (ri < 0) {
            cg_world_fail(w, "group %s: replaced member %s has no record", cg->g->cfg->id,
                          r->replaced_member_id);
            return -1;
        }
        int32_t old = cg->recs[ri].consumer;
        cg_rec_member_join(w, cg->g, m->client, m->member_id, r->replaced_member_id);
        snprintf(cg->recs[ri].id, sizeof cg->recs[ri].id, "%s", m->member_id);
        cg->recs[ri].consumer = m->client;
        if (old != m->client)
            cg_own_end_all(cg->g, &w->clients[old]);
    } else if (r->member_added) {
        ri = rec_add(cg, m->member_id, m->client);
        if (ri < 0) {
            cg_world_fail(w, "out of memory");
            return -1;
        }
        cg_rec_member_join(w, cg->g, m->client, m->member_id, NULL);
    } else {
        ri = rec_find(cg, m->member_id, m->hint);
    }
    if (ri >= 0 && m->epoch == CG_K848_JOIN_EPOCH)
        cg->recs[ri].consumer = m->client;
    if (ri >= 0 && r->member_removed) {
        member_gone(cg, ri, m->reason == CG_RS_POLL_TIMEOUT ? CG_RS_POLL_TIMEOUT : CG_RS_LEAVE);
        return -1;
    }
    return ri;
}

static void fill_request(const cg_c848_group_t *cg, const cg_c848_msg_t *m, cg_k848_request_t *q)
{
    const cg_consumer_cfg_t *cc = &cg->g->w->s->consumers[m->client];
    memset(q, 0, sizeof *q);
    q->member_id = m->member_id;
    q->instance_id = cc->cfg.group_instance_id;
    q->member_epoch = m->epoch;
    q->tag = m->client;
    q->has_subscription = m->full;
    q->topics = cc->topics;
    q->n_topics = cc->n_topics;
    q->has_owned = m->epoch >= 0;
    q->owned = m->gp;
    q->n_owned = m->epoch >= 0 ? m->n : 0;
    q->rebalance_timeout_ns = m->full ? cc->cfg.max_poll_interval_ns : -1;
}

static void on_heartbeat(cg_c848_group_t *cg, int32_t mi)
{
    struct cg_world *w = cg->g->w;
    cg_c848_msg_t *m = cg_c848_msg(w, mi);
    cg_k848_request_t q;
    cg_k848_response_t r;
    char err[256] = "";
    fill_request(cg, m, &q);
    if (cg_k848_heartbeat(cg->k, &q, &r, err, sizeof err) != 0) {
        cg_world_fail(w, "group %s: heartbeat: %s", cg->g->cfg->id, err);
        cg_c848_msg_free(w, mi);
        return;
    }
    if (r.error != CG_K848_NONE) {
        reply(cg, mi, r.error);
        return;
    }
    int32_t ri = track_members(cg, m, &r);
    if (ri >= 0)
        apply_timers(cg, ri, &r);
    m->hint = ri;
    m->epoch = r.member_epoch;
    m->interval_ns = r.heartbeat_interval_ns;
    m->has_assignment = r.has_assignment;
    m->n = 0;
    if (r.has_assignment) {
        if (cg_c848_msg_reserve(w, mi, (uint32_t)r.n_assignment) != 0) {
            cg_world_fail(w, "out of memory");
            cg_c848_msg_free(w, mi);
            return;
        }
        m = cg_c848_msg(w, mi);
        if (r.n_assignment)
            memcpy(m->gp, r.assignment, r.n_assignment * sizeof *m->gp);
        m->n = (uint32_t)r.n_assignment;
    }
    uint8_t leave_reason = m->reason;
    reply(cg, mi, CG_K848_NONE);
    reb_update(cg, r.bump != CG_K848_BUMP_NONE, bump_reason(r.bump, leave_reason));
}

static void on_commit(cg_c848_group_t *cg, int32_t mi)
{
    struct cg_world *w = cg->g->w;
    cg_group_t *g = cg->g;
    cg_c848_msg_t *m = cg_c848_msg(w, mi);
    cg_k848_err_t e = cg_k848_commit_check(cg->k, m->member_id, m->epoch);
    int64_t now = now_ns(cg);
    for (uint32_t i = 0; i < m->n; i++) {
        int32_t gp = m->gp[i];
        int64_t off = m->off[i];
        int64_t end = cg_partlog_end_offset(w->pl, gp, now);
        cg_c848_rec_commit(w, g, m->client, gp, off, m->epoch, e == CG_K848_NONE, end,
                           cg_k848_err_name(e));
        m->ok[i] = e == CG_K848_NONE;
        if (e != CG_K848_NONE)
            continue;
        if (w->opts.check && off < g->committed[gp])
            cg_world_fail(w, "t=%lld ms: group %s: committed offset of partition %d went back "
                          "from %lld to %lld (member %s)", (long long)(now / SIM_NS_PER_MS),
                          g->cfg->id, gp, (long long)g->committed[gp], (long long)off,
                          w->s->consumers[m->client].id);
        g->committed[gp] = off;
        if (end - off > g->sum.max_lag_records)
            g->sum.max_lag_records = end - off;
    }
    reply(cg, mi, e);
}

static void on_offsets(cg_c848_group_t *cg, int32_t mi)
{
    cg_c848_msg_t *m = cg_c848_msg(cg->g->w, mi);
    for (uint32_t i = 0; i < m->n; i++)
        m->off[i] = cg->g->committed[m->gp[i]];
    reply(cg, mi, CG_K848_NONE);
}

void cg_c848_coord_on_msg(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_group_t *g = ctx;
    cg_c848_group_t *cg = cg_c848_grp(g);
    int32_t mi = (int32_t)arg;
    cg_c848_msg_t *m = cg_c848_msg(g->w, mi);
    if (g->w->clients[m->client].isolated) {
        cg_c848_msg_free(g->w, mi);
        return;
    }
    if (g->down) {
        reply(cg, mi, CG_C848_NOT_COORDINATOR);
        return;
    }
    switch ((cg_c848_kind_t)m->kind) {
    case CG_C848_HB: on_heartbeat(cg, mi); break;
    case CG_C848_COMMIT: on_commit(cg, mi); break;
    case CG_C848_OFFSETS: on_offsets(cg, mi); break;
    }
}

bool cg_c848_member_at_epoch(const cg_group_t *g, const char *member_id, int32_t epoch)
{
    cg_k848_member_view_t v;
    return cg_k848_member_get(cg_c848_grp(g)->k, member_id, &v) && v.epoch == epoch;
}

/* ---- failover ---- */

static void on_reload(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    cg_c848_group_t *cg = ctx;
    cg->reload_timer = SIM_HANDLE_NONE;
    cg->g->down = false;
    int64_t now = sim_now(sim);
    for (uint32_t i = 0; i < cg->n_recs; i++) {
        cg_c848_mrec_t *r = &cg->recs[i];
        cg_k848_member_view_t v;
        if (!r->used)
            continue;
        arm_session(cg, (int32_t)i, now + cg->g->cfg->broker.consumer_session_timeout_ns);
        if (cg_k848_member_get(cg->k, r->id, &v) && v.state == CG_K848_UNREVOKED_PARTITIONS &&
            v.epoch >= 0)
            arm_rebalance(cg, (int32_t)i, now + v.rebalance_timeout_ns, v.epoch);
    }
}

bool cg_c848_failover(cg_group_t *g)
{
    cg_c848_group_t *cg = cg_c848_grp(g);
    sim_t *sim = &g->w->sim;
    if (g->down)
        return false;
    g->down = true;
    for (uint32_t i = 0; i < cg->n_recs; i++) {
        sim_timer_clear(sim, &cg->recs[i].session);
        sim_timer_clear(sim, &cg->recs[i].rebalance);
    }
    sim_timer_clear(sim, &cg->check_timer);
    sim_timer_set(sim, &cg->reload_timer, sim_now(sim) + g->cfg->coordinator_failover_ns,
                  on_reload, cg, 0);
    return true;
}

/* ---- `check`: every subscribed partition owned once STABLE with everyone polling ---- */

static bool all_polling(const cg_c848_group_t *cg, bool *sub)
{
    struct cg_world *w = cg->g->w;
    cg_k848_member_view_t v;
    for (size_t i = 0; cg_k848_member_at(cg->k, i, &v); i++) {
        const cg_client_t *c = &w->clients[v.tag];
        const cg_c848_client_t *x = cg_c848_cli(c);
        if (!c->running || !x->member || strcmp(x->member_id, v.member_id) != 0 || c->paused ||
            c->hung || c->isolated || !c->coord_known || x->revoke_pending || x->stale)
            return false;
        for (size_t t = 0; t < c->cfg->n_topics; t++)
            sub[c->cfg->topics[t]] = true;
    }
    for (size_t i = 0; i < cg->g->cfg->n_consumers; i++) {
        const cg_client_t *c = &w->clients[cg->g->cfg->first_consumer + i];
        if (c->running && !cg_c848_cli(c)->member)
            return false;             /* a process is still on its way into the group */
    }
    return true;
}

static void on_check(sim_t *sim, void *ctx, uint64_t arg)
{
    cg_c848_group_t *cg = ctx;
    cg_group_t *g = cg->g;
    struct cg_world *w = g->w;
    cg->check_timer = SIM_HANDLE_NONE;
    if (g->down || cg_k848_group_state(cg->k) != CG_K848_G_STABLE ||
        (int32_t)arg != cg_k848_group_epoch(cg->k) || g->last_fault_ns >= cg->stable_ns ||
        g->faults_pending > 0)
        return;
    bool *sub = calloc(w->s->n_topics + 1, sizeof *sub);
    if (!sub)
        return;
    if (all_polling(cg, sub))
        for (int64_t gp = 0; gp < w->n_parts; gp++) {
            if (!sub[w->gp_topic[gp]] || g->owner[gp] >= 0)
                continue;
            int32_t t = w->gp_topic[gp];
            cg_world_fail(w, "t=%lld ms: group %s: partition %s-%lld has no owner although the "
                          "group is STABLE (group epoch %d) with every member polling",
                          (long long)(sim_now(sim) / SIM_NS_PER_MS), g->cfg->id,
                          w->s->topics[t].name, (long long)(gp - w->topic_base[t]),
                          cg_k848_group_epoch(cg->k));
            break;
        }
    free(sub);
}

/* ---- life cycle ---- */

static int group_init(struct cg_world *w, cg_c848_group_t *cg, cg_group_t *g)
{
    const cg_broker_cfg_t *b = &g->cfg->broker;
    cg->g = g;
    cg->k = cg_k848_group_new(w->topic_meta, w->s->n_topics, w->topic_base, g->cfg->assignor,
                              b->consumer_session_timeout_ns, b->consumer_heartbeat_interval_ns);
    cg->snap_owner = malloc((size_t)(w->n_parts ? w->n_parts : 1) * sizeof *cg->snap_owner);
    return cg->k && cg->snap_owner ? 0 : -1;
}

int cg_c848_init(struct cg_world *w, char *err, size_t errlen)
{
    const cg_scenario_t *s = w->s;
    bool any = false;
    for (size_t i = 0; i < s->n_groups; i++)
        any |= s->groups[i].protocol == CG_PROTOCOL_CONSUMER;
    if (!any)
        return 0;
    w->k848 = calloc(1, sizeof *w->k848);
    if (w->k848) {
        w->k848->msg_free = -1;
        w->k848->groups = calloc(s->n_groups, sizeof *w->k848->groups);
        w->k848->clients = calloc(s->n_consumers ? s->n_consumers : 1,
                                  sizeof *w->k848->clients);
    }
    if (!w->k848 || !w->k848->groups || !w->k848->clients) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < s->n_groups; i++)
        if (s->groups[i].protocol == CG_PROTOCOL_CONSUMER &&
            group_init(w, &w->k848->groups[i], &w->groups[i]) != 0) {
            snprintf(err, errlen, "out of memory building group %s", s->groups[i].id);
            return -1;
        }
    for (size_t i = 0; i < s->n_consumers; i++)
        if (cg_c848_is(&w->clients[i]) && cg_c848_client_init(&w->clients[i]) != 0) {
            snprintf(err, errlen, "out of memory creating consumer %s", s->consumers[i].id);
            return -1;
        }
    return 0;
}

void cg_c848_free(struct cg_world *w)
{
    struct cg_c848_world *k = w->k848;
    if (!k)
        return;
    if (k->groups)
        for (size_t i = 0; i < w->s->n_groups; i++) {
            cg_k848_group_free(k->groups[i].k);
            free(k->groups[i].recs);
            free(k->groups[i].snap_owner);
        }
    if (k->clients)
        for (size_t i = 0; i < w->s->n_consumers; i++)
            if (w->clients && cg_c848_is(&w->clients[i]))
                cg_c848_client_fini(&w->clients[i]);
    for (uint32_t i = 0; i < k->n_msgs; i++) {
        free(k->msgs[i].gp);
        free(k->msgs[i].off);
        free(k->msgs[i].ok);
    }
    free(k->msgs);
    free(k->groups);
    free(k->clients);
    free(k);
    w->k848 = NULL;
}
