/* models/coordinator: the classic group coordinator of one group (kafka.md (b), pitfall 5).
 *
 * Requests arrive from the network (cg_coord_on_request) as pooled cg_msg_t; the coordinator
 * answers through cg_net_reply, which applies the return latency. JoinGroup and SyncGroup
 * requests are parked in the member slot until the join or sync phase completes.
 *
 * Timers, one heap event each, re-armed lazily: a member's session timer fires at its deadline
 * and re-arms itself when heartbeats moved the deadline, so a heartbeat costs no heap operation
 * (sim_deadline_t; a deadline that comes earlier, such as the session after the new-member join
 * timeout, moves the event).
 * The join timer is the initial delay (Empty group: group.initial.rebalance.delay.ms, extended by
 * up to that much per member that joins during it, capped by the rebalance timeout) or the
 * rebalance timeout (max.poll.interval.ms of the members). The sync timer removes members that
 * did not send SyncGroup within the rebalance timeout.
 *
 * The leader's assignor runs when the leader's SyncGroup arrives, on the members of the
 * generation (static members that did not rejoin keep their old subscription, as in Kafka).
 * With cooperative rebalancing a partition that moves from one member to another is withheld
 * (assigned to nobody), which is what CooperativeStickyAssignor does; doing it here also keeps
 * the one-owner invariant for any other assignor configured with "cooperative". */
#include "models/classic/coordinator.h"
#include "models/classic/coordinator_int.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/vec.h"

static void on_session(sim_t *sim, void *ctx, uint64_t arg);

const char *cg_coord_state_name(cg_gstate_t s)
{
    static const char *const names[] = {"Empty", "PreparingRebalance", "CompletingRebalance",
                                        "Stable", "Dead"};
    return names[s];
}

void cg_coord_i_fail(cg_coord_t *g, const char *message)
{
    g->env.fail(g->env.ctx, message);
}

cg_member_t *cg_coord_i_lookup(cg_coord_t *g, int32_t slot, uint64_t serial)
{
    if (slot < 0 || (uint32_t)slot >= g->n_slots || serial == 0)
        return NULL;
    cg_member_t *m = &g->members[slot];
    return m->serial == serial ? m : NULL;
}

bool cg_coord_member_live(const cg_coord_t *g, int32_t slot, uint64_t serial, int32_t gen)
{
    if (slot < 0 || (uint32_t)slot >= g->n_slots || serial == 0)
        return false;
    const cg_member_t *m = &g->members[slot];
    return m->serial == serial && !m->pending && gen == g->generation;
}

/* ---- slots ---- */

/* The count of member slots naming `consumer` (a global consumer index). */
uint32_t *cg_coord_i_slots_of(const cg_coord_t *g, int32_t consumer)
{
    return &g->consumer_slots[consumer - (int32_t)g->cfg->first_consumer];
}

void cg_coord_i_member_reset(cg_coord_t *g, cg_member_t *m, int32_t consumer, int32_t instance,
                         uint64_t serial, bool pending)
{
    assert(!m->serial && "a slot is reset free");
    m->serial = serial;
    m->consumer = consumer;
    (*cg_coord_i_slots_of(g, consumer))++;
    m->instance = instance;
    m->pending = pending;
    m->is_new = m->in_gen = m->synced = m->in_stable = false;
    m->join_msg = m->sync_msg = -1;
    m->session.h = SIM_HANDLE_NONE;
    m->n_owned = 0;
    m->owned_gen = m->meta_gen = -1;
    m->n_assign = 0;
    cg_coord_proto_in(g, m);
}

void cg_coord_i_slot_free(cg_coord_t *g, int32_t slot)
{
    cg_member_t *m = &g->members[slot];
    sim_timer_clear(g->sim, &m->session.h);
    cg_coord_proto_out(g, m);
    m->serial = 0;
    (*cg_coord_i_slots_of(g, m->consumer))--;
    g->free_slots[g->n_free++] = slot;
}

void cg_coord_i_arm_session(cg_coord_t *g, int32_t slot, int64_t deadline)
{
    sim_deadline_set(g->sim, &g->members[slot].session, deadline, on_session, g, (uint64_t)slot);
}

void cg_coord_i_touch(cg_coord_t *g, int32_t slot)
{
    cg_member_t *m = &g->members[slot];
    cg_coord_i_arm_session(g, slot, cg_coord_i_now(g) + m->session_ns);
}

static int64_t rebalance_timeout(const cg_coord_t *g)
{
    int64_t t = 0;
    for (uint32_t s = 0; s < g->n_slots; s++) {
        const cg_member_t *m = &g->members[s];
        if (m->serial && !m->pending && m->rebalance_timeout_ns > t)
            t = m->rebalance_timeout_ns;
    }
    return t;
}

static bool all_joined(const cg_coord_t *g)
{
    return g->n_awaiting_join == g->n_members && g->n_pending == 0;
}

void cg_coord_i_reply(cg_coord_t *g, int32_t mi, cg_err_t err)
{
    cg_net_reply(g->net, mi, (uint8_t)err);
}

void cg_coord_i_reply_join(cg_coord_t *g, int32_t slot, cg_err_t err)
{
    cg_member_t *m = &g->members[slot];
    int32_t mi = m->join_msg;
    if (mi < 0)
        return;
    m->join_msg = -1;
    g->n_awaiting_join--;
    cg_msg_t *msg = cg_net_msg(g->net, mi);
    msg->slot = slot;
    msg->serial = m->serial;
    msg->generation = g->generation;
    msg->leader = g->leader == slot;
    msg->n = 0;
    cg_coord_i_reply(g, mi, err);
}

void cg_coord_i_reply_sync(cg_coord_t *g, int32_t slot, cg_err_t err)
{
    cg_member_t *m = &g->members[slot];
    int32_t mi = m->sync_msg;
    if (mi < 0)
        return;
    m->sync_msg = -1;
    /* The member's session restarts when its parked SyncGroup is answered, with the assignment or
     * an error (GroupMetadataManager.propagateAssignment -> rescheduleClassicGroupMemberHeartbeat):
     * followers answered REBALANCE_IN_PROGRESS because the leader was lost keep a full session to
     * rejoin in. */
    if (err == CG_ERR_NONE || err == CG_ERR_REBALANCE_IN_PROGRESS)
        cg_coord_i_touch(g, slot);
    cg_msg_t *msg = cg_net_msg(g->net, mi);
    msg->n = 0;
    msg->n_topics = 0;
    if (err == CG_ERR_NONE) {
        uint32_t nt = slot == g->leader ? g->n_group_topics : 0;
        if (cg_net_msg_reserve(g->net, mi, m->n_assign + nt) != 0) {
            cg_coord_i_fail(g, "out of memory");
            cg_net_msg_free(g->net, mi);
            return;
        }
        msg = cg_net_msg(g->net, mi);
        if (m->n_assign)                    /* m->assign may be NULL when empty */
            memcpy(msg->gp, m->assign, m->n_assign * sizeof *m->assign);
        if (nt)                             /* the leader's view of the group subscription */
            memcpy(msg->gp + m->n_assign, g->group_topics, nt * sizeof *g->group_topics);
        msg->n = m->n_assign;
        msg->n_topics = nt;
        msg->topics = NULL;
        msg->generation = g->generation;
    }
    cg_coord_i_reply(g, mi, err);
}

int32_t cg_coord_i_first_member(const cg_coord_t *g, bool awaiting_only)
{
    for (uint32_t s = 0; s < g->n_slots; s++) {
        const cg_member_t *m = &g->members[s];
        if (m->serial && !m->pending && (!awaiting_only || m->join_msg >= 0))
            return (int32_t)s;
    }
    return -1;
}

/* Remove a member: member_leave, end of its trace ownership, parked requests answered. With
 * `trigger` the group reacts (rebalance or join completion). */
static void remove_member(cg_coord_t *g, int32_t slot, cg_reason_t reason, bool trigger)
{
    cg_member_t *m = &g->members[slot];
    if (m->pending) {
        g->n_pending--;
        cg_coord_i_slot_free(g, slot);
        /* removePendingMemberAndUpdateClassicGroup completes the join phase as soon as every
         * member has joined, the initial delay notwithstanding. */
        if (trigger && g->state == CG_GS_PREPARING && all_joined(g)) {
            sim_timer_clear(g->sim, &g->join_timer);
            cg_coord_complete_join(g);
        }
        return;
    }
    g->env.member_left(g->env.ctx, m->consumer, slot, m->serial, m->id, reason);
    cg_coord_i_reply_join(g, slot, CG_ERR_UNKNOWN_MEMBER_ID);
    cg_coord_i_reply_sync(g, slot, CG_ERR_UNKNOWN_MEMBER_ID);
    if (m->instance >= 0 && g->instance_slot[m->instance] == slot)
        g->instance_slot[m->instance] = -1;
    cg_coord_i_slot_free(g, slot);
    g->n_members--;
    if (g->leader == slot)
        g->leader = cg_coord_i_first_member(g, false);
    if (!trigger)
        return;
    if (g->state == CG_GS_STABLE || g->state == CG_GS_COMPLETING)
        cg_coord_i_prepare_rebalance(g, reason == CG_RS_LEAVE ? CG_RS_MEMBER_LEAVE : reason);
    else if (g->state == CG_GS_PREPARING)
        cg_coord_i_maybe_complete_join(g);
}

/* ---- join phase ---- */

static void on_join_timer(sim_t *sim, void *ctx, uint64_t arg);

static void schedule_join_timer(cg_coord_t *g, int64_t delay_ns)
{
    sim_timer_set(g->sim, &g->join_timer, cg_coord_i_now(g) + delay_ns, on_join_timer, g, 0);
}

void cg_coord_i_prepare_rebalance(cg_coord_t *g, cg_reason_t reason)
{
    if (g->state == CG_GS_COMPLETING) {
        for (uint32_t s = 0; s < g->n_slots; s++)
            if (g->members[s].serial)
                cg_coord_i_reply_sync(g, (int32_t)s, CG_ERR_REBALANCE_IN_PROGRESS);
        sim_timer_clear(g->sim, &g->sync_timer);
    }
    if (g->failover_pending) {
        reason = CG_RS_COORDINATOR_FAILOVER;
        g->failover_pending = false;
    }
    bool initial = g->state == CG_GS_EMPTY;
    g->state = CG_GS_PREPARING;
    g->rebalance_start_ns = cg_coord_i_now(g);
    /* A rebalance lost in a failover announced a generation that was never persisted; the
     * next one announces at least that number again, so generations never go back. */
    g->forming_gen = g->generation + 1 > g->max_gen_start ? g->generation + 1 : g->max_gen_start;
    assert(g->forming_gen > g->generation && g->forming_gen >= g->max_gen_start);
    g->max_gen_start = g->forming_gen;
    g->env.rebalance_start(g->env.ctx, g->forming_gen, reason);
    if (initial) {
        int64_t delay = g->cfg->broker.initial_rebalance_delay_ns;
        int64_t rest = rebalance_timeout(g) - delay;
        g->initial_delay = true;
        g->new_member_added = false;
        g->initial_cur_ns = delay;
        g->initial_remaining_ns = rest > 0 ? rest : 0;
        schedule_join_timer(g, delay);
        return;
    }
    g->initial_delay = false;
    if (all_joined(g)) {
        sim_timer_clear(g->sim, &g->join_timer);
        cg_coord_complete_join(g);
    } else {
        schedule_join_timer(g, rebalance_timeout(g));
    }
}

void cg_coord_i_rebalance_or_complete(cg_coord_t *g, cg_reason_t reason)
{
    if (g->state == CG_GS_PREPARING)
        cg_coord_i_maybe_complete_join(g);
    else
        cg_coord_i_prepare_rebalance(g, reason);
}

void cg_coord_i_maybe_complete_join(cg_coord_t *g)
{
    if (g->state == CG_GS_PREPARING && !g->initial_delay && all_joined(g)) {
        sim_timer_clear(g->sim, &g->join_timer);
        cg_coord_complete_join(g);
    }
}

static void on_sync_timer(sim_t *sim, void *ctx, uint64_t arg);

void cg_coord_complete_join(cg_coord_t *g)
{
    g->initial_delay = false;
    /* Dynamic members that did not rejoin are dropped; static ones stay (KIP-345). */
    for (uint32_t s = 0; s < g->n_slots; s++) {
        cg_member_t *m = &g->members[s];
        if (m->serial && !m->pending && m->join_msg < 0 && m->instance < 0)
            remove_member(g, (int32_t)s, CG_RS_REBALANCE_TIMEOUT, false);
    }
    if (g->leader < 0 || g->members[g->leader].join_msg < 0) {
        int32_t l = cg_coord_i_first_member(g, true);
        if (l >= 0)
            g->leader = l;
    }
    if (g->n_awaiting_join == 0) {
        if (g->n_members > 0) {
            schedule_join_timer(g, rebalance_timeout(g));
            return;
        }
        /* Everybody left during the join phase: Kafka still completes the generation
         * (initNextGeneration bumps it and the group goes Empty), so the rebalance ends; the
         * empty group's metadata record persists it (completeClassicGroupJoin), so a failover
         * comes back to it. */
        g->generation = g->stable_gen = g->forming_gen;
        g->state = CG_GS_EMPTY;
        g->leader = -1;
        g->env.rebalance_end(g->env.ctx, g->generation,
                             cg_coord_i_now(g) - g->rebalance_start_ns, false);
        return;
    }
    assert(g->forming_gen > g->generation);
    g->generation = g->forming_gen;
    g->state = CG_GS_COMPLETING;
    g->protocol = cg_coord_select_protocol(g);    /* initNextGeneration: selectProtocol */
    int64_t now = cg_coord_i_now(g);
    for (uint32_t s = 0; s < g->n_slots; s++) {
        cg_member_t *m = &g->members[s];
        if (!m->serial || m->pending)
            continue;
        m->in_gen = true;
        m->rejoined = m->join_msg >= 0;
        m->synced = false;
        m->is_new = false;
        cg_coord_i_arm_session(g, (int32_t)s, now + m->session_ns);
        cg_coord_i_reply_join(g, (int32_t)s, CG_ERR_NONE);
    }
    sim_timer_set(g->sim, &g->sync_timer, now + rebalance_timeout(g), on_sync_timer, g,
                  (uint64_t)g->generation);
}

static void on_join_timer(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    cg_coord_t *g = ctx;
    g->join_timer = SIM_HANDLE_NONE;
    if (g->down || g->state != CG_GS_PREPARING)
        return;
    if (g->initial_delay && g->new_member_added && g->initial_remaining_ns != 0) {
        int64_t base = g->cfg->broker.initial_rebalance_delay_ns;
        int64_t delay = base < g->initial_remaining_ns ? base : g->initial_remaining_ns;
        int64_t rest = g->initial_remaining_ns - g->initial_cur_ns;
        g->new_member_added = false;
        g->initial_cur_ns = delay;
        g->initial_remaining_ns = rest > 0 ? rest : 0;
        schedule_join_timer(g, delay);
        return;
    }
    cg_coord_complete_join(g);
}

/* ---- sync phase ---- */

static int run_assignor(cg_coord_t *g);

static void become_stable(cg_coord_t *g)
{
    g->state = CG_GS_STABLE;
    g->stable_gen = g->generation;
    g->stable_ns = cg_coord_i_now(g);
    g->env.rebalance_end(g->env.ctx, g->generation, cg_coord_i_now(g) - g->rebalance_start_ns,
                         true);
    for (uint32_t s = 0; s < g->n_slots; s++) {
        cg_member_t *m = &g->members[s];
        if (!m->serial || m->pending)
            continue;
        m->in_stable = m->in_gen;
        cg_coord_i_reply_sync(g, (int32_t)s, CG_ERR_NONE);
    }
    g->env.stable(g->env.ctx, g->generation);
}

static void on_sync(cg_coord_t *g, int32_t mi)
{
    cg_msg_t *msg = cg_net_msg(g->net, mi);
    int32_t slot = msg->slot;
    cg_member_t *m = &g->members[slot];
    if (msg->generation != g->generation) {
        cg_coord_i_reply(g, mi, CG_ERR_ILLEGAL_GENERATION);
        return;
    }
    if (g->state == CG_GS_PREPARING) {
        cg_coord_i_reply(g, mi, CG_ERR_REBALANCE_IN_PROGRESS);
        return;
    }
    cg_coord_i_touch(g, slot);
    if (m->sync_msg >= 0)
        cg_net_msg_free(g->net, m->sync_msg);
    m->sync_msg = mi;
    m->synced = true;
    if (g->state == CG_GS_STABLE) {
        cg_coord_i_reply_sync(g, slot, CG_ERR_NONE);
        return;
    }
    if (slot == g->leader) {
        /* The leader assigns the partitions its own metadata shows (performAssignment). */
        cg_topic_hist_fill(g->hist, msg->meta_version, g->assign_topics);
        if (run_assignor(g) != 0)
            return;
        become_stable(g);
    }
}

static void on_sync_timer(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_coord_t *g = ctx;
    g->sync_timer = SIM_HANDLE_NONE;
    if (g->down || (int32_t)arg != g->generation)
        return;
    if (g->state != CG_GS_COMPLETING && g->state != CG_GS_STABLE)
        return;
    bool removed = false;
    for (uint32_t s = 0; s < g->n_slots; s++) {
        cg_member_t *m = &g->members[s];
        /* Static members too (expirePendingSync removes every member of the generation that
         * has not sent SyncGroup). */
        if (m->serial && !m->pending && m->in_gen && !m->synced) {
            remove_member(g, (int32_t)s, CG_RS_REBALANCE_TIMEOUT, false);
            removed = true;
        }
    }
    if (removed)
        cg_coord_i_prepare_rebalance(g, CG_RS_REBALANCE_TIMEOUT);
}

/* ---- assignor ---- */

/* Cooperative: withhold partitions moving between members (KIP-429 first round). */
static void withhold_moving(cg_coord_t *g, const cg_assign_member_t *in, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < in[i].n_owned; j++) {
            int64_t gp = g->topic_base[in[i].owned[j].topic] + in[i].owned[j].partition;
            g->scratch_claim[gp] = g->scratch_claim[gp] == -1 ? (int32_t)i : -2;
        }
    for (int64_t gp = 0; gp < g->n_parts; gp++) {
        int32_t cl = g->scratch_claim[gp];
        if (cl != -1 && g->scratch_owner[gp] >= 0 && cl != g->scratch_owner[gp])
            g->scratch_owner[gp] = -1;
        g->scratch_claim[gp] = -1;
    }
}

/* Copy the assignor's output (scratch_owner) into each member's assignment list. */
static int distribute(cg_coord_t *g, const int32_t *slot_of, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        g->members[slot_of[i]].n_assign = 0;
    for (int64_t gp = 0; gp < g->n_parts; gp++) {
        int32_t o = g->scratch_owner[gp];
        if (o < 0)
            continue;
        cg_member_t *m = &g->members[slot_of[o]];
        if (sim_vec_reserve(&m->assign, &m->cap_assign, m->n_assign + 1, sizeof *m->assign,
                            8) != 0) {
            cg_coord_i_fail(g, "out of memory");
            return -1;
        }
        m->assign[m->n_assign++] = (int32_t)gp;
    }
    return 0;
}

/* The union of the members' subscriptions, sorted (the leader watches these topics). */
static void group_subscription(cg_coord_t *g, const cg_assign_member_t *in, uint32_t n)
{
    uint32_t k = 0;
    for (size_t t = 0; t < g->s->n_topics; t++) {
        bool any = false;
        for (uint32_t i = 0; i < n && !any; i++)
            any = cg_assign_subscribed(&in[i], (int32_t)t);
        if (any)
            g->group_topics[k++] = (int32_t)t;
    }
    g->n_group_topics = k;
}

static int run_assignor(cg_coord_t *g)
{
    uint32_t n = 0;
    for (uint32_t s = 0; s < g->n_slots; s++)
        if (g->members[s].serial && !g->members[s].pending && g->members[s].in_gen)
            n++;
    cg_assign_member_t *in = calloc(n ? n : 1, sizeof *in);
    int32_t *slot_of = calloc(n ? n : 1, sizeof *slot_of);
    if (!in || !slot_of) {
        free(in);
        free(slot_of);
        cg_coord_i_fail(g, "out of memory");
        return -1;
    }
    uint32_t k = 0;
    for (uint32_t s = 0; s < g->n_slots; s++) {
        cg_member_t *m = &g->members[s];
        if (!m->serial || m->pending || !m->in_gen)
            continue;
        bool seen = !m->owned_userdata || g->protocol == &cg_assignor_sticky;
        in[k] = (cg_assign_member_t){m->id, m->instance >= 0 ? g->instance_ids[m->instance] : NULL,
                                     m->rack, m->topics, m->n_topics, m->owned,
                                     seen ? m->n_owned : 0, m->owned_gen};
        slot_of[k++] = (int32_t)s;
    }
    group_subscription(g, in, n);
    cg_assign_input_t input = {g->assign_topics, g->s->n_topics, g->topic_base, in, n,
                               g->replica_racks, (const char *const *)g->s->rack_names,
                               g->s->n_racks};
    cg_assign_output_t out = {g->scratch_owner};
    for (int64_t gp = 0; gp < g->n_parts; gp++)
        g->scratch_owner[gp] = -1;
    char err[256] = "";
    int rc = cg_assign_run(g->protocol, &input, &out, err, sizeof err);
    if (rc != 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "group %s: assignor %s failed: %s", g->cfg->id,
                 g->protocol->name, err);
        cg_coord_i_fail(g, msg);
    } else {
        /* CooperativeStickyAssignor withholds moving partitions whatever its members'
         * rebalance protocol (eager ones report nothing owned, so nothing of theirs moves). */
        if (g->protocol->cooperative)
            withhold_moving(g, in, n);
        rc = distribute(g, slot_of, n);
    }
    free(in);
    free(slot_of);
    return rc;
}

/* Validate the member of a request: UNKNOWN_MEMBER_ID or FENCED_INSTANCE_ID, else NONE. */
cg_err_t cg_coord_i_validate(cg_coord_t *g, const cg_msg_t *msg)
{
    if (msg->instance >= 0) {
        int32_t s = g->instance_slot[msg->instance];
        if (s < 0)
            return CG_ERR_UNKNOWN_MEMBER_ID;
        if (s != msg->slot || g->members[s].serial != msg->serial)
            return CG_ERR_FENCED_INSTANCE_ID;
    }
    cg_member_t *m = cg_coord_i_lookup(g, msg->slot, msg->serial);
    if (!m || m->pending)
        return CG_ERR_UNKNOWN_MEMBER_ID;
    return CG_ERR_NONE;
}

/* ---- other requests ---- */

static void on_heartbeat(cg_coord_t *g, int32_t mi)
{
    cg_msg_t *msg = cg_net_msg(g->net, mi);
    cg_err_t e = cg_coord_i_validate(g, msg);
    if (e == CG_ERR_NONE && g->state == CG_GS_EMPTY)
        e = CG_ERR_UNKNOWN_MEMBER_ID;
    if (e == CG_ERR_NONE && msg->generation != g->generation)
        e = CG_ERR_ILLEGAL_GENERATION;
    if (e == CG_ERR_NONE) {
        /* CompletingRebalance answers like Stable (classicGroupHeartbeatToClassicGroup: members
         * may heartbeat after their JoinGroup response). */
        cg_coord_i_touch(g, msg->slot);
        if (g->state == CG_GS_PREPARING)
            e = CG_ERR_REBALANCE_IN_PROGRESS;
    }
    cg_coord_i_reply(g, mi, e);
}

static void on_leave(cg_coord_t *g, int32_t mi)
{
    cg_msg_t *msg = cg_net_msg(g->net, mi);
    cg_err_t e = cg_coord_i_validate(g, msg);
    int32_t slot = msg->slot;
    cg_reason_t why = msg->reason == CG_RS_POLL_TIMEOUT ? CG_RS_POLL_TIMEOUT : CG_RS_LEAVE;
    cg_net_msg_free(g->net, mi);
    if (e == CG_ERR_NONE)
        remove_member(g, slot, why, true);
}

static void on_commit(cg_coord_t *g, int32_t mi)
{
    cg_msg_t *msg = cg_net_msg(g->net, mi);
    cg_err_t e = cg_coord_i_validate(g, msg);
    if (e == CG_ERR_NONE && msg->generation != g->generation)
        e = CG_ERR_ILLEGAL_GENERATION;
    if (e == CG_ERR_NONE && g->state == CG_GS_COMPLETING)
        e = CG_ERR_REBALANCE_IN_PROGRESS;
    cg_offsets_commit(&g->offsets, msg, e, g->env.commit, g->env.ctx);
    cg_coord_i_reply(g, mi, e);
}

static void on_offset_fetch(cg_coord_t *g, int32_t mi)
{
    cg_offsets_fetch(&g->offsets, cg_net_msg(g->net, mi));
    cg_coord_i_reply(g, mi, CG_ERR_NONE);
}

void cg_coord_on_request(void *ctx, int32_t mi)
{
    cg_coord_t *g = ctx;
    cg_msg_t *msg = cg_net_msg(g->net, mi);
    if (g->down) {
        if (msg->kind == CG_MSG_LEAVE)
            cg_net_msg_free(g->net, mi);
        else
            cg_coord_i_reply(g, mi, CG_ERR_NOT_COORDINATOR);
        return;
    }
    switch ((cg_msg_kind_t)msg->kind) {
    case CG_MSG_JOIN: cg_coord_i_on_join(g, mi); break;
    case CG_MSG_SYNC: {
        cg_err_t e = cg_coord_i_validate(g, msg);
        if (e != CG_ERR_NONE)
            cg_coord_i_reply(g, mi, e);
        else
            on_sync(g, mi);
        break;
    }
    case CG_MSG_HEARTBEAT: on_heartbeat(g, mi); break;
    case CG_MSG_LEAVE: on_leave(g, mi); break;
    case CG_MSG_COMMIT: on_commit(g, mi); break;
    case CG_MSG_OFFSET_FETCH: on_offset_fetch(g, mi); break;
    case CG_MSG_CONSUMER_HEARTBEAT:
        if (g->env.foreign)           /* a consumer-protocol member: the world may convert */
            g->env.foreign(g->env.ctx, mi);
        else
            cg_coord_i_reply(g, mi, CG_ERR_INVALID_REQUEST);
        break;
    }
}

/* ---- session expiry ---- */

static void on_session(sim_t *sim, void *ctx, uint64_t arg)
{
    cg_coord_t *g = ctx;
    int32_t slot = (int32_t)arg;
    cg_member_t *m = &g->members[slot];
    m->session.h = SIM_HANDLE_NONE;
    int64_t now = sim_now(sim);
    if (g->down)
        return;                       /* the reload gives every member a fresh deadline */
    if (now < m->session.at_ns) {
        cg_coord_i_arm_session(g, slot, m->session.at_ns);
        return;
    }
    /* Members with a parked JoinGroup (new ones only up to the new-member join timeout) or
     * SyncGroup are kept alive. */
    bool keep = m->sync_msg >= 0 ||
                (m->join_msg >= 0 &&
                 (!m->is_new || now < m->joined_ns + g->cfg->broker.new_member_join_timeout_ns));
    if (keep) {
        cg_coord_i_arm_session(g, slot, now + m->session_ns);
        return;
    }
    remove_member(g, slot, CG_RS_SESSION_TIMEOUT, true);
}

/* ---- failover ---- */

static void on_reload(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    cg_coord_t *g = ctx;
    g->reload_timer = SIM_HANDLE_NONE;
    g->down = false;
    cg_net_coord_down(g->net, g->gi, false);
    int64_t now = sim_now(sim);
    if (g->state == CG_GS_PREPARING || g->state == CG_GS_COMPLETING) {
        /* The unfinished rebalance was never persisted: back to the last persisted generation. */
        g->generation = g->stable_gen;
        g->failover_pending = true;
        for (uint32_t s = 0; s < g->n_slots; s++)
            g->members[s].in_gen = g->members[s].serial && g->members[s].in_stable;
        /* Members added during the lost rebalance were never persisted: the new coordinator
         * does not know them, so their next request gets UNKNOWN_MEMBER_ID and they join
         * again from scratch (MEMBER_ID_REQUIRED, a new member id). */
        for (uint32_t s = 0; s < g->n_slots; s++) {
            cg_member_t *m = &g->members[s];
            if (m->serial && !m->pending && !m->in_stable)
                remove_member(g, (int32_t)s, CG_RS_COORDINATOR_FAILOVER, false);
        }
        g->state = g->n_members > 0 ? CG_GS_STABLE : CG_GS_EMPTY;
    }
    for (uint32_t s = 0; s < g->n_slots; s++) {
        cg_member_t *m = &g->members[s];
        if (!m->serial)
            continue;
        if (m->pending) {
            remove_member(g, (int32_t)s, CG_RS_SESSION_TIMEOUT, false);
            continue;
        }
        m->synced = true;
        cg_coord_i_arm_session(g, (int32_t)s, now + m->session_ns);
    }
    if (g->leader < 0)
        g->leader = cg_coord_i_first_member(g, false);
}

bool cg_coord_failover(cg_coord_t *g)
{
    if (g->down)
        return false;
    g->down = true;
    cg_net_coord_down(g->net, g->gi, true);
    for (uint32_t s = 0; s < g->n_slots; s++) {
        if (!g->members[s].serial)
            continue;
        cg_coord_i_reply_join(g, (int32_t)s, CG_ERR_NOT_COORDINATOR);
        cg_coord_i_reply_sync(g, (int32_t)s, CG_ERR_NOT_COORDINATOR);
    }
    sim_timer_clear(g->sim, &g->join_timer);
    sim_timer_clear(g->sim, &g->sync_timer);
    g->initial_delay = false;
    sim_timer_set(g->sim, &g->reload_timer, cg_coord_i_now(g) + g->cfg->coordinator_failover_ns,
                  on_reload, g, 0);
    return true;
}

/* ---- views ---- */

const cg_member_t *cg_coord_member(const cg_coord_t *g, int32_t slot)
{
    if (slot < 0 || (uint32_t)slot >= g->n_slots || !g->members[slot].serial)
        return NULL;
    return &g->members[slot];
}

uint32_t cg_coord_consumer_slots(const cg_coord_t *g, int32_t consumer)
{
    return *cg_coord_i_slots_of(g, consumer);
}

/* ---- life cycle ---- */

static int init_instances(cg_coord_t *g)
{
    size_t n = cg_scenario_group_instances(g->s, g->cfg, NULL);
    g->instance_ids = calloc(n + 1, sizeof *g->instance_ids);
    g->instance_slot = malloc((n ? n : 1) * sizeof *g->instance_slot);
    if (!g->instance_ids || !g->instance_slot)
        return -1;
    g->n_instances = (uint32_t)cg_scenario_group_instances(g->s, g->cfg, g->instance_ids);
    for (size_t i = 0; i < n; i++)
        g->instance_slot[i] = -1;
    return 0;
}

static int init_id_streams(cg_coord_t *g, uint64_t seed)
{
    size_t n = g->cfg->n_consumers;
    g->id_rng = calloc(n ? n : 1, sizeof *g->id_rng);
    g->consumer_slots = calloc(n ? n : 1, sizeof *g->consumer_slots);
    if (!g->id_rng || !g->consumer_slots)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char key[3 * CG_MAX_NAME_LEN + 32];
        snprintf(key, sizeof key, "member-id/%s/%s", g->cfg->id,
                 g->s->consumers[g->cfg->first_consumer + i].id);
        if (sim_rng_init(&g->id_rng[i], seed, key) != 0)
            return -1;
    }
    return 0;
}

cg_coord_t *cg_coord_new(const cg_coord_params_t *p, char *err, size_t errlen)
{
    cg_coord_t *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    g->sim = p->sim;
    g->net = p->net;
    g->gi = p->gi;
    g->s = p->s;
    g->cfg = &p->s->groups[p->gi];
    g->hist = p->hist;
    g->topic_base = p->topic_base;
    g->gp_topic = p->gp_topic;
    g->n_parts = p->n_parts;
    g->replica_racks = p->replica_racks;
    g->env = p->env;
    g->leader = -1;
    g->next_serial = 1;
    g->protocol = g->cfg->assignor;
    size_t np = (size_t)g->n_parts ? (size_t)g->n_parts : 1;
    g->scratch_owner = malloc(np * sizeof *g->scratch_owner);
    g->scratch_claim = malloc(np * sizeof *g->scratch_claim);
    size_t nt = p->s->n_topics ? p->s->n_topics : 1;
    g->assign_topics = calloc(nt, sizeof *g->assign_topics);
    g->group_topics = calloc(nt, sizeof *g->group_topics);
    if (g->assign_topics)
        cg_topic_hist_fill(g->hist, 0, g->assign_topics);
    if (cg_offsets_init(&g->offsets, g->n_parts) != 0 || !g->scratch_owner ||
        !g->scratch_claim || !g->assign_topics || !g->group_topics || init_instances(g) != 0 ||
        init_id_streams(g, p->seed) != 0) {
        snprintf(err, errlen, "out of memory building group %s", g->cfg->id);
        cg_coord_free(g);
        return NULL;
    }
    for (size_t i = 0; i < np; i++)
        g->scratch_claim[i] = -1;
    cg_net_set_coordinator(g->net, g->gi, cg_coord_on_request, g);
    return g;
}

void cg_coord_free(cg_coord_t *g)
{
    if (!g)
        return;
    for (uint32_t s = 0; s < g->n_slots; s++) {
        free(g->members[s].owned);
        free(g->members[s].assign);
    }
    for (size_t i = 0; g->id_rng && i < g->cfg->n_consumers; i++)
        sim_rng_fini(&g->id_rng[i]);
    free(g->id_rng);
    free(g->consumer_slots);
    free(g->members);
    free(g->free_slots);
    free(g->instance_ids);
    free(g->instance_slot);
    cg_offsets_fini(&g->offsets);
    free(g->scratch_owner);
    free(g->scratch_claim);
    free(g->assign_topics);
    free(g->group_topics);
    free(g);
}
