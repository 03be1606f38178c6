/* models/classic/coordinator_join: the classic coordinator's JoinGroup: who becomes a member
 * and how (classicGroupJoin). An unknown dynamic member gets a member id with
 * MEMBER_ID_REQUIRED and joins when it comes back with it; a static member (KIP-345) joins at
 * once and a new process of a known instance replaces the old member id, fencing it; a known
 * member's JoinGroup parks until the join phase completes, answers the current generation when
 * nothing changed, or starts a rebalance (coordinator.c runs the phases). */
#include "models/classic/coordinator.h"
#include "models/classic/coordinator_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/vec.h"

/* ---- member slots and ids ---- */

static int32_t slot_alloc(cg_coord_t *g)
{
    if (g->n_free > 0)
        return g->free_slots[--g->n_free];
    uint32_t cap = g->cap_slots;
    if (sim_vec_reserve(&g->free_slots, &cap, g->n_slots + 1, sizeof *g->free_slots, 8) != 0 ||
        sim_vec_reserve(&g->members, &g->cap_slots, g->n_slots + 1, sizeof *g->members, 8) != 0)
        return -1;
    cg_member_t *m = &g->members[g->n_slots];
    memset(m, 0, sizeof *m);
    return (int32_t)g->n_slots++;
}

static void make_member_id(cg_coord_t *g, cg_member_t *m, int32_t consumer, int32_t instance)
{
    /* "<client id or instance id>-" + 32 hex digits from the consumer's member-id stream, like
     * Kafka's clientId-UUID, so dynamic member order follows consumer ids. */
    const char *prefix = instance >= 0 ? g->instance_ids[instance] : g->s->consumers[consumer].id;
    sim_rng_t *r = &g->id_rng[consumer - (int32_t)g->cfg->first_consumer];
    uint32_t part[4];
    for (int i = 0; i < 4; i++)
        part[i] = (uint32_t)sim_rng_below(r, UINT64_C(1) << 32);
    snprintf(m->id, sizeof m->id, "%s-%08x%08x%08x%08x", prefix, part[0], part[1], part[2],
             part[3]);
}

/* Copy the subscription metadata of a JoinGroup into the member. */
static int take_subscription(cg_coord_t *g, cg_member_t *m, const cg_msg_t *msg)
{
    m->session_ns = msg->session_timeout_ns;
    m->rebalance_timeout_ns = msg->rebalance_timeout_ns;
    m->topics = msg->topics;
    m->n_topics = msg->n_topics;
    m->rack = msg->rack;
    if (m->protocols != msg->protocols || m->n_protocols != msg->n_protocols) {
        cg_coord_proto_out(g, m);
        m->protocols = msg->protocols;
        m->n_protocols = msg->n_protocols;
        cg_coord_proto_in(g, m);
    }
    if (msg->n > m->cap_owned) {
        cg_tp_t *p = realloc(m->owned, msg->n * sizeof *p);
        if (!p)
            return -1;
        m->owned = p;
        m->cap_owned = msg->n;
    }
    for (uint32_t i = 0; i < msg->n; i++) {
        int32_t t = g->gp_topic[msg->gp[i]];
        m->owned[i].topic = t;
        m->owned[i].partition = (int32_t)(msg->gp[i] - g->topic_base[t]);
    }
    m->n_owned = msg->n;
    m->owned_gen = msg->owned_gen;
    m->owned_userdata = msg->owned_userdata;
    m->meta_gen = msg->generation;
    return 0;
}

/* ---- JoinGroup ---- */

static void park_join(cg_coord_t *g, int32_t slot, int32_t mi)
{
    cg_member_t *m = &g->members[slot];
    if (m->join_msg >= 0)
        cg_net_msg_free(g->net, m->join_msg);
    else
        g->n_awaiting_join++;
    m->join_msg = mi;
    m->joined_ns = cg_coord_i_now(g);
    cg_coord_i_touch(g, slot);
}

/* A member was just added: it waits for the join phase. */
static void new_member_joins(cg_coord_t *g, int32_t slot, int32_t mi)
{
    cg_member_t *m = &g->members[slot];
    m->is_new = true;
    m->in_gen = false;
    if (g->leader < 0)
        g->leader = slot;
    if (g->state == CG_GS_PREPARING && g->initial_delay)
        g->new_member_added = true;
    park_join(g, slot, mi);
    /* A new member's heartbeat deadline is the new-member join timeout, exactly
     * (addMemberThenRebalanceOrCompleteJoin: classicGroupNewMemberJoinTimeoutMs). */
    cg_coord_i_arm_session(g, slot, m->joined_ns + g->cfg->broker.new_member_join_timeout_ns);
    cg_coord_i_rebalance_or_complete(g, CG_RS_MEMBER_JOIN);
}

/* The JoinGroup's subscription equals the member's last one (both sorted). */
static bool same_subscription(const cg_member_t *m, const cg_msg_t *msg)
{
    return m->n_topics == msg->n_topics &&
           (m->n_topics == 0 ||
            memcmp(m->topics, msg->topics, m->n_topics * sizeof *m->topics) == 0);
}

static bool same_rack(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The JoinGroup's protocol metadata equals the member's last JoinGroup's, as
 * ClassicGroupMember.matches compares the serialized subscriptions: topics, client.rack,
 * protocols, what it reports owning (ownedPartitions, or the eager StickyAssignor's userData)
 * with its generation, and the generationId every subscription carries (KIP-792). So a member
 * that lost its generation or its partitions since rejoins with changed metadata, whatever it
 * thinks of it itself. */
static bool same_metadata(const cg_coord_t *g, const cg_member_t *m, const cg_msg_t *msg)
{
    if (!same_subscription(m, msg) || !same_rack(m->rack, msg->rack) ||
        m->protocols != msg->protocols || m->n_protocols != msg->n_protocols ||
        m->meta_gen != msg->generation || m->owned_gen != msg->owned_gen ||
        m->owned_userdata != msg->owned_userdata || m->n_owned != msg->n)
        return false;
    for (uint32_t i = 0; i < msg->n; i++) {
        int32_t t = g->gp_topic[msg->gp[i]];
        if (m->owned[i].topic != t || m->owned[i].partition != msg->gp[i] - g->topic_base[t])
            return false;
    }
    return true;
}

static void respond_current(cg_coord_t *g, int32_t slot, int32_t mi)
{
    /* Stable group, known member with unchanged metadata: current generation, no rebalance. */
    cg_member_t *m = &g->members[slot];
    g->n_awaiting_join++;
    m->join_msg = mi;
    cg_coord_i_touch(g, slot);
    cg_coord_i_reply_join(g, slot, CG_ERR_NONE);
    cg_net_msg(g->net, mi)->leader = false;
}

static void existing_member_joins(cg_coord_t *g, int32_t slot, int32_t mi)
{
    cg_msg_t *msg = cg_net_msg(g->net, mi);
    cg_member_t *m = &g->members[slot];
    cg_reason_t why = msg->reason < CG_RS_COUNT ? (cg_reason_t)msg->reason : CG_RS_METADATA;
    bool changed = msg->meta_changed || !same_metadata(g, m, msg);
    if (take_subscription(g, m, msg) != 0) {
        cg_coord_i_fail(g, "out of memory");
        return;
    }
    switch (g->state) {
    case CG_GS_PREPARING:
        park_join(g, slot, mi);
        cg_coord_i_maybe_complete_join(g);
        return;
    case CG_GS_COMPLETING:
        if (!changed) {
            /* Same metadata (its JoinGroup response may have been lost): the current
             * generation's answer again, no rebalance (classicGroupJoinExistingMember). */
            g->n_awaiting_join++;
            m->join_msg = mi;
            cg_coord_i_touch(g, slot);
            cg_coord_i_reply_join(g, slot, CG_ERR_NONE);
            return;
        }
        park_join(g, slot, mi);
        cg_coord_i_prepare_rebalance(g, why);
        return;
    case CG_GS_STABLE:
        if (slot == g->leader || changed || !m->in_gen) {
            if (slot == g->leader && msg->reason >= CG_RS_COUNT)
                why = CG_RS_LEADER_REJOIN;
            if (!m->in_gen)
                why = CG_RS_MEMBER_JOIN;
            park_join(g, slot, mi);
            cg_coord_i_prepare_rebalance(g, why);
        } else {
            respond_current(g, slot, mi);
        }
        return;
    default:
        cg_coord_i_reply(g, mi, CG_ERR_UNKNOWN_MEMBER_ID);
        return;
    }
}

static int32_t add_member(cg_coord_t *g, const cg_msg_t *msg, bool pending)
{
    int32_t slot = slot_alloc(g);
    if (slot < 0) {
        cg_coord_i_fail(g, "out of memory");
        return -1;
    }
    cg_member_t *m = &g->members[slot];
    cg_coord_i_member_reset(g, m, msg->client, msg->instance, g->next_serial++, pending);
    m->session_ns = msg->session_timeout_ns;
    m->rebalance_timeout_ns = msg->rebalance_timeout_ns;
    make_member_id(g, m, msg->client, msg->instance);
    if (pending)
        g->n_pending++;
    else
        g->n_members++;
    cg_coord_i_touch(g, slot);
    return slot;
}


static void static_join(cg_coord_t *g, int32_t mi)
{
    cg_msg_t *msg = cg_net_msg(g->net, mi);
    int32_t consumer = msg->client, instance = msg->instance;
    int32_t slot = g->instance_slot[instance];
    if (slot < 0) {
        slot = add_member(g, msg, false);
        if (slot < 0)
            return;
        g->instance_slot[instance] = slot;
        cg_member_t *m = &g->members[slot];
        if (take_subscription(g, m, msg) != 0) {
            cg_coord_i_fail(g, "out of memory");
            return;
        }
        g->env.member_joined(g->env.ctx, consumer, m->id, NULL);
        new_member_joins(g, slot, mi);
        return;
    }
    /* Known instance: the new process replaces the old member id (KIP-345). */
    cg_member_t *m = &g->members[slot];
    char old_id[CG_MEMBER_ID_MAX];
    memcpy(old_id, m->id, sizeof old_id);
    cg_coord_i_reply_join(g, slot, CG_ERR_FENCED_INSTANCE_ID);
    cg_coord_i_reply_sync(g, slot, CG_ERR_FENCED_INSTANCE_ID);
    if (m->consumer != consumer)
        g->env.member_replaced(g->env.ctx, m->consumer, old_id);
    bool same = same_subscription(m, msg);
    bool same_protocols = m->protocols == msg->protocols && m->n_protocols == msg->n_protocols;
    m->serial = g->next_serial++;
    (*cg_coord_i_slots_of(g, m->consumer))--;
    m->consumer = consumer;
    (*cg_coord_i_slots_of(g, consumer))++;
    make_member_id(g, m, consumer, instance);
    if (take_subscription(g, m, msg) != 0) {
        cg_coord_i_fail(g, "out of memory");
        return;
    }
    g->env.member_joined(g->env.ctx, consumer, m->id, old_id);
    /* A replacement whose protocols would change the selected one rebalances
     * (updateStaticMemberThenRebalanceOrCompleteJoin: "joined with change of protocol"). */
    bool protocol_kept = same_protocols || cg_coord_select_protocol(g) == g->protocol;
    if (g->state == CG_GS_STABLE && m->in_gen && same && protocol_kept) {
        respond_current(g, slot, mi);
    } else if (g->state == CG_GS_STABLE && m->in_gen) {
        /* A new subscription: Kafka rebalances instead of replacing silently
         * (updateStaticMemberThenRebalanceOrCompleteJoin). */
        park_join(g, slot, mi);
        cg_coord_i_prepare_rebalance(g, CG_RS_METADATA);
    } else if (g->state == CG_GS_PREPARING) {
        park_join(g, slot, mi);
        cg_coord_i_maybe_complete_join(g);
    } else {
        park_join(g, slot, mi);
        cg_coord_i_prepare_rebalance(g, CG_RS_MEMBER_JOIN);
    }
}

void cg_coord_i_on_join(cg_coord_t *g, int32_t mi)
{
    cg_msg_t *msg = cg_net_msg(g->net, mi);
    if (!cg_coord_supports_protocols(g, msg)) {
        cg_coord_i_reply(g, mi, CG_ERR_INCONSISTENT_GROUP_PROTOCOL);
        return;
    }
    if (msg->slot < 0) {
        if (msg->instance >= 0) {
            static_join(g, mi);
            return;
        }
        int32_t slot = add_member(g, msg, true);
        if (slot < 0)
            return;
        msg = cg_net_msg(g->net, mi);
        msg->slot = slot;
        msg->serial = g->members[slot].serial;
        msg->generation = -1;
        cg_coord_i_reply(g, mi, CG_ERR_MEMBER_ID_REQUIRED);
        return;
    }
    cg_member_t *m = cg_coord_i_lookup(g, msg->slot, msg->serial);
    if (m && m->pending) {
        int32_t slot = msg->slot;
        cg_coord_proto_out(g, m);
        m->pending = false;
        cg_coord_proto_in(g, m);
        g->n_pending--;
        g->n_members++;
        if (take_subscription(g, m, msg) != 0) {
            cg_coord_i_fail(g, "out of memory");
            return;
        }
        g->env.member_joined(g->env.ctx, msg->client, m->id, NULL);
        new_member_joins(g, slot, mi);
        return;
    }
    cg_err_t e = cg_coord_i_validate(g, msg);
    if (e != CG_ERR_NONE) {
        cg_coord_i_reply(g, mi, e);
        return;
    }
    existing_member_joins(g, msg->slot, mi);
}
