/* models/kip848/classic_members: classic members inside a consumer group, after an online
 * upgrade (models/world/migration), as Kafka 4.0's GroupMetadataManager serves them:
 *
 * - JoinGroup (classicGroupJoinToConsumerGroup): an unknown dynamic member gets
 *   MEMBER_ID_REQUIRED; then the same steps as a ConsumerGroupHeartbeat with the member's
 *   subscription and the ownedPartitions of its JoinGroup (update, maybe bump the group epoch,
 *   target assignment, reconcile). The response comes at once: generation = the member epoch, no
 *   leader, no member list. Session = the member's session.timeout.ms; a SyncGroup must follow
 *   within its rebalance timeout or it is fenced.
 * - SyncGroup (classicGroupSyncToConsumerGroup): the generation must be the member epoch
 *   (ILLEGAL_GENERATION); REBALANCE_IN_PROGRESS when the group epoch moved on and the member is not
 *   revoking; else its assigned partitions (partitions still held by others are not in them).
 * - Heartbeat (classicGroupHeartbeatToConsumerGroup): REBALANCE_IN_PROGRESS, so the member
 *   rejoins, when its epoch is below the group epoch, when it must revoke partitions, or when the
 *   partitions it waits for were released; each such answer arms a join timeout of its rebalance
 *   timeout (fenced if it does not rejoin), unless one is armed.
 * - LeaveGroup removes the member; OffsetCommit checks the generation against the member epoch.
 * Member ids: Kafka draws a UUID; here "<consumer or instance>-" + 32 hex digits from the stream
 * "member-id-848/<group>/<consumer>". A classic member's identity on the wire is its record
 * index (slot) and a serial, as with the classic coordinator, whose identities it keeps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/kip848/group_impl.h"
#include "models/world/ownership.h"
#include "models/world/trace_rec.h"
#include "sim/sorted.h"

int c848_classic_init(cg_c848_group_t *cg)
{
    const cg_group_cfg_t *gc = cg->g->cfg;
    const cg_scenario_t *s = cg->g->w->s;
    cg->id_rng = calloc(gc->n_consumers ? gc->n_consumers : 1, sizeof *cg->id_rng);
    if (!cg->id_rng)
        return -1;
    for (size_t i = 0; i < gc->n_consumers; i++) {
        char key[3 * CG_MAX_NAME_LEN + 32];
        snprintf(key, sizeof key, "member-id-848/%s/%s", gc->id,
                 s->consumers[gc->first_consumer + i].id);
        if (sim_rng_init(&cg->id_rng[i], cg->g->w->opts.seed, key) != 0)
            return -1;
    }
    return 0;
}

void c848_classic_fini(cg_c848_group_t *cg)
{
    for (size_t i = 0; cg->id_rng && i < cg->g->cfg->n_consumers; i++)
        sim_rng_fini(&cg->id_rng[i]);
    free(cg->id_rng);
    cg->id_rng = NULL;
}

int32_t c848_classic_rec(const cg_c848_group_t *cg, int32_t slot, uint64_t serial)
{
    if (slot < 0 || (uint32_t)slot >= cg->n_recs || serial == 0)
        return -1;
    const cg_c848_mrec_t *r = &cg->recs[slot];
    return r->used && r->classic && r->serial == serial ? slot : -1;
}

/* A new classic member record with a fresh member id; -1 (run failed) when out of memory. */
static int32_t rec_new(cg_c848_group_t *cg, int32_t consumer, int32_t instance, bool pending)
{
    char id[CG_MEMBER_ID_MAX];
    sim_rng_t *r = &cg->id_rng[consumer - (int32_t)cg->g->cfg->first_consumer];
    uint32_t part[4];
    for (int i = 0; i < 4; i++)
        part[i] = (uint32_t)sim_rng_below(r, UINT64_C(1) << 32);
    const char *prefix = instance >= 0 ? cg->g->instance_ids[instance]
                                       : cg->g->w->s->consumers[consumer].id;
    snprintf(id, sizeof id, "%s-%08x%08x%08x%08x", prefix, part[0], part[1], part[2], part[3]);
    int32_t ri = c848_rec_add(cg, id, consumer);
    if (ri < 0) {
        cg_world_fail(cg->g->w, "out of memory");
        return -1;
    }
    cg->recs[ri].classic = true;
    cg->recs[ri].pending = pending;
    cg->recs[ri].serial = cg->next_serial++;
    return ri;
}

static void on_join_timeout(sim_t *sim, void *ctx, uint64_t arg);

/* consumerGroupFenceMemberOperation: the member did not rejoin or sync in time. */
static void fence(cg_c848_group_t *cg, int32_t ri)
{
    if (!cg_k848_session_expired(cg->k, cg->recs[ri].id))
        return;
    c848_member_gone(cg, ri, CG_RS_REBALANCE_TIMEOUT);
    c848_settle(cg, true, CG_RS_REBALANCE_TIMEOUT);
}

static void on_join_timeout(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_c848_group_t *cg = ctx;
    cg_c848_mrec_t *r = &cg->recs[arg];
    r->join_timer = SIM_HANDLE_NONE;
    if (r->used && !cg->down)
        fence(cg, (int32_t)arg);
}

static void on_sync_timeout(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_c848_group_t *cg = ctx;
    cg_c848_mrec_t *r = &cg->recs[arg];
    r->sync_timer = SIM_HANDLE_NONE;
    if (r->used && !cg->down)
        fence(cg, (int32_t)arg);
}

/* scheduleConsumerGroupJoinTimeoutIfAbsent */
static void join_timeout_if_absent(cg_c848_group_t *cg, int32_t ri, int64_t timeout_ns)
{
    cg_c848_mrec_t *r = &cg->recs[ri];
    if (r->join_timer == SIM_HANDLE_NONE)
        sim_timer_set(c848_sim(cg), &r->join_timer, c848_now(cg) + timeout_ns, on_join_timeout, cg,
                      (uint64_t)ri);
}

static void touch(cg_c848_group_t *cg, int32_t ri)
{
    c848_arm_session(cg, ri, c848_now(cg) + cg->recs[ri].meta.session_ns);
}

/* ---- JoinGroup ---- */

static void remember(cg_c848_mrec_t *r, const cg_msg_t *m)
{
    r->consumer = m->client;
    r->meta = cg_join_meta_of(m);
}

/* The heartbeat the JoinGroup stands for: the member's own epoch (never a fencing error), its
 * subscription, and what it owns (nothing for an eager member: it revoked before joining). */
static void join_request(const cg_c848_group_t *cg, const cg_c848_mrec_t *r, const cg_msg_t *m,
                         cg_k848_request_t *q)
{
    cg_k848_member_view_t v;
    bool known = cg_k848_member_get(cg->k, r->id, &v);
    bool owned = known && !m->owned_userdata;
    *q = (cg_k848_request_t){.member_id = r->id,
                             .instance_id = m->instance >= 0 ? cg->g->instance_ids[m->instance]
                                                             : NULL,
                             .member_epoch = known ? v.epoch : 0, .classic = true,
                             .tag = m->client, .has_subscription = true, .topics = m->topics,
                             .n_topics = m->n_topics, .has_owned = true,
                             .owned = owned ? m->gp : NULL, .n_owned = owned ? m->n : 0,
                             .rebalance_timeout_ns = m->rebalance_timeout_ns};
}

/* A static member's JoinGroup without a known member id: it replaces the instance's member
 * (getOrMaybeSubscribeStaticConsumerGroupMember), whose record it takes over with a new member
 * id and serial; the old process, if another one, is no longer a member. Returns the record,
 * or a new one when the instance has no member; -1 (run failed) when out of memory. */
static int32_t static_takeover(cg_c848_group_t *cg, const cg_msg_t *m, char *replaced,
                               bool *replaced_consumer, bool *new_subscription)
{
    const char *old = cg_k848_static_member(cg->k, cg->g->instance_ids[m->instance]);
    int32_t ri = old ? c848_rec_find(cg, old, -1) : -1;
    if (ri < 0)
        return rec_new(cg, m->client, m->instance, false);
    cg_c848_mrec_t *r = &cg->recs[ri];
    struct cg_world *w = cg->g->w;
    snprintf(replaced, CG_MEMBER_ID_MAX, "%s", r->id);
    *replaced_consumer = !r->classic;
    cg_k848_member_view_t v;
    *new_subscription = !cg_k848_member_get(cg->k, r->id, &v) || v.n_topics != m->n_topics ||
                        (m->n_topics &&
                         memcmp(v.topics, m->topics, m->n_topics * sizeof *m->topics) != 0);
    if (r->consumer != m->client) {   /* another process held the instance */
        cg_rec_member_leave(w, cg->g, r->consumer, r->id, CG_RS_FENCED);
        cg_own_end_all(cg->g, &w->clients[r->consumer]);
    }
    int32_t fresh = rec_new(cg, m->client, m->instance, false);   /* draws the new id and serial */
    if (fresh < 0)
        return -1;
    r = &cg->recs[ri];                /* rec_new may have moved the records */
    cg_c848_mrec_t *f = &cg->recs[fresh];
    memcpy(r->id, f->id, sizeof r->id);
    r->serial = f->serial;
    r->classic = true;
    r->consumer = m->client;
    c848_rec_free(cg, fresh);
    return ri;
}

/* The trace gives gp to c, but no member of c holds it in the group any more. */
static bool released(const cg_c848_group_t *cg, const cg_client_t *c, int32_t gp)
{
    const char *id = cg_k848_partition_holder(cg->k, gp);
    int32_t ri = id ? c848_rec_find(cg, id, -1) : -1;
    return cg->g->owner[gp] == c->local && (ri < 0 || cg->recs[ri].consumer != c->ci);
}

/* What the trace still gives the consumer that no member of it holds any more ends now: a
 * static replacement inherits what a crashed process owned, and the new process's JoinGroup,
 * owning none of it, releases what its target no longer has (maybeReconcile with the owned
 * partitions it reports), which nobody revokes on the client. */
static void drop_released(cg_c848_group_t *cg, cg_client_t *c)
{
    int32_t *gone = malloc((c->n_tr ? c->n_tr : 1) * sizeof *gone);
    if (!gone) {
        cg_world_fail(cg->g->w, "out of memory");
        return;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < c->n_tr; i++) {
        if (!released(cg, c, c->tr_owned[i]))
            continue;
        size_t at = sim_sorted_lower_i32(gone, k, c->tr_owned[i]);   /* the record is sorted */
        memmove(gone + at + 1, gone + at, (k++ - at) * sizeof *gone);
        gone[at] = c->tr_owned[i];
    }
    if (k > 0)
        cg_own_revoke(cg->g, c, gone, k);
    free(gone);
}

static void on_join(cg_c848_group_t *cg, int32_t mi)
{
    struct cg_world *w = cg->g->w;
    cg_msg_t *m = cg_net_msg(c848_net(cg), mi);
    int32_t ri = c848_classic_rec(cg, m->slot, m->serial);
    char replaced[CG_MEMBER_ID_MAX] = "";
    bool replaced_consumer = false, new_subscription = false;
    if (ri < 0 && m->instance >= 0) {  /* static: no MEMBER_ID_REQUIRED round */
        if ((ri = static_takeover(cg, m, replaced, &replaced_consumer, &new_subscription)) < 0)
            return;
    } else if (ri < 0 && m->slot < 0) {  /* unknown dynamic member: MEMBER_ID_REQUIRED */
        if ((ri = rec_new(cg, m->client, -1, true)) < 0)
            return;
        m->slot = ri;
        m->serial = cg->recs[ri].serial;
        m->generation = -1;
        c848_reply(cg, mi, CG_ERR_MEMBER_ID_REQUIRED);
        return;
    }
    if (ri < 0 && (ri = rec_new(cg, m->client, m->instance, false)) < 0)   /* its id is created anew */
        return;
    cg_c848_mrec_t *r = &cg->recs[ri];
    cg_k848_request_t q;
    cg_k848_response_t resp;
    char err[256] = "";
    join_request(cg, r, m, &q);
    if (cg_k848_heartbeat(cg->k, &q, &resp, err, sizeof err) != 0) {
        cg_world_fail(w, "group %s: classic join: %s", cg->g->cfg->id, err);
        cg_net_msg_free(c848_net(cg), mi);
        return;
    }
    if (resp.error != CG_K848_NONE) {
        c848_reply(cg, mi, resp.error == CG_K848_FENCED_INSTANCE_ID ? CG_ERR_FENCED_INSTANCE_ID
                                                                    : CG_ERR_UNKNOWN_MEMBER_ID);
        return;
    }
    if (resp.member_added || resp.member_replaced || r->pending)
        cg_rec_member_join(w, cg->g, m->client, r->id, resp.member_replaced ? replaced : NULL);
    if (resp.member_replaced)
        drop_released(cg, &w->clients[m->client]);
    r->pending = false;
    r->instance = m->instance;
    remember(r, m);
    c848_apply_timers(cg, ri, &resp);
    touch(cg, ri);
    sim_timer_clear(c848_sim(cg), &r->join_timer);
    sim_timer_set(c848_sim(cg), &r->sync_timer, c848_now(cg) + m->rebalance_timeout_ns,
                  on_sync_timeout, cg, (uint64_t)ri);
    m->slot = ri;
    m->serial = r->serial;
    m->generation = resp.member_epoch;
    m->leader = false;
    m->n = 0;
    c848_reply(cg, mi, CG_ERR_NONE);
    if (replaced_consumer && c848_downgrade_replaced(cg, new_subscription))
        return;
    c848_settle(cg, resp.bump != CG_K848_BUMP_NONE, c848_bump_reason(resp.bump, 0));
}

/* ---- SyncGroup, Heartbeat, LeaveGroup ---- */

/* The member behind a SyncGroup or Heartbeat at its generation, or the error. */
static cg_err_t check_member(const cg_c848_group_t *cg, const cg_msg_t *m, int32_t *ri,
                             cg_k848_member_view_t *v)
{
    *ri = c848_classic_rec(cg, m->slot, m->serial);
    if (*ri < 0 || cg->recs[*ri].pending || !cg_k848_member_get(cg->k, cg->recs[*ri].id, v))
        /* validateConsumerGroupMember: the instance now belongs to another member */
        return m->instance >= 0 &&
                       cg_k848_static_member(cg->k, cg->g->instance_ids[m->instance])
                   ? CG_ERR_FENCED_INSTANCE_ID
                   : CG_ERR_UNKNOWN_MEMBER_ID;
    return m->generation == v->epoch ? CG_ERR_NONE : CG_ERR_ILLEGAL_GENERATION;
}

static void on_sync(cg_c848_group_t *cg, int32_t mi)
{
    cg_msg_t *m = cg_net_msg(c848_net(cg), mi);
    int32_t ri;
    cg_k848_member_view_t v;
    cg_err_t e = check_member(cg, m, &ri, &v);
    if (e == CG_ERR_NONE && cg_k848_group_epoch(cg->k) > v.epoch &&
        v.state != CG_K848_UNREVOKED_PARTITIONS) {
        join_timeout_if_absent(cg, ri, v.rebalance_timeout_ns);
        e = CG_ERR_REBALANCE_IN_PROGRESS;
    }
    if (e != CG_ERR_NONE) {
        c848_reply(cg, mi, e);
        return;
    }
    sim_timer_clear(c848_sim(cg), &cg->recs[ri].sync_timer);
    touch(cg, ri);
    if (cg_net_msg_reserve(c848_net(cg), mi, (uint32_t)v.n_assigned) != 0) {
        cg_world_fail(cg->g->w, "out of memory");
        cg_net_msg_free(c848_net(cg), mi);
        return;
    }
    m = cg_net_msg(c848_net(cg), mi);
    if (v.n_assigned)
        memcpy(m->gp, v.assigned, v.n_assigned * sizeof *m->gp);
    m->n = (uint32_t)v.n_assigned;
    m->n_topics = 0;
    m->topics = NULL;
    m->generation = v.epoch;
    c848_reply(cg, mi, CG_ERR_NONE);
}

static void on_heartbeat(cg_c848_group_t *cg, int32_t mi)
{
    const cg_msg_t *m = cg_net_msg(c848_net(cg), mi);
    int32_t ri;
    cg_k848_member_view_t v;
    cg_err_t e = check_member(cg, m, &ri, &v);
    if (e == CG_ERR_NONE) {
        touch(cg, ri);
        if (v.epoch < cg_k848_group_epoch(cg->k) || v.state == CG_K848_UNREVOKED_PARTITIONS ||
            (v.state == CG_K848_UNRELEASED_PARTITIONS &&
             !cg_k848_member_waiting(cg->k, v.member_id))) {
            join_timeout_if_absent(cg, ri, v.rebalance_timeout_ns);
            e = CG_ERR_REBALANCE_IN_PROGRESS;
        }
    }
    c848_reply(cg, mi, e);
}

static void on_leave(cg_c848_group_t *cg, int32_t mi)
{
    cg_msg_t *m = cg_net_msg(c848_net(cg), mi);
    int32_t ri = c848_classic_rec(cg, m->slot, m->serial);
    cg_reason_t why = m->reason == CG_RS_POLL_TIMEOUT ? CG_RS_POLL_TIMEOUT : CG_RS_LEAVE;
    cg_net_msg_free(c848_net(cg), mi);
    if (ri < 0)
        return;
    if (cg->recs[ri].pending || !cg_k848_session_expired(cg->k, cg->recs[ri].id)) {
        c848_rec_free(cg, ri);
        return;
    }
    c848_member_gone(cg, ri, why);
    c848_settle(cg, true, why == CG_RS_POLL_TIMEOUT ? CG_RS_POLL_TIMEOUT : CG_RS_MEMBER_LEAVE);
}

void c848_classic_request(cg_c848_group_t *cg, int32_t mi)
{
    switch ((cg_msg_kind_t)cg_net_msg(c848_net(cg), mi)->kind) {
    case CG_MSG_JOIN: on_join(cg, mi); break;
    case CG_MSG_SYNC: on_sync(cg, mi); break;
    case CG_MSG_HEARTBEAT: on_heartbeat(cg, mi); break;
    case CG_MSG_LEAVE: on_leave(cg, mi); break;
    default: c848_reply(cg, mi, CG_ERR_INVALID_REQUEST); break;
    }
}

cg_err_t c848_classic_commit_check(const cg_c848_group_t *cg, const cg_msg_t *m)
{
    if (m->generation < 0 && cg_k848_member_count(cg->k) == 0)
        return CG_ERR_NONE;
    int32_t ri;
    cg_k848_member_view_t v;
    return check_member(cg, m, &ri, &v);
}
