/* models/world/migration: Kafka 4.0's online conversions between a classic group and a consumer
 * (KIP-848) group, for groups whose members do not all use one group.protocol.
 *
 * Upgrade (GroupMetadataManager.getOrMaybeCreateConsumerGroup): a ConsumerGroupHeartbeat at a
 * classic group converts it when group.consumer.migration.policy allows upgrades
 * (validateOnlineUpgrade; the group's size is never above group.consumer.max.size here); an empty
 * classic group is replaced whatever the policy; only a joining heartbeat (member epoch 0) does
 * either (createIfNotExists). Otherwise the heartbeat fails with
 * GROUP_ID_NOT_FOUND, which the Java consumer raises from poll() (an `error` record, the process
 * stops). convertToConsumerGroup answers the classic group's parked JoinGroup and SyncGroup
 * requests with REBALANCE_IN_PROGRESS and builds the consumer group at epoch = generation, each
 * member STABLE with its last classic assignment as assigned and target partitions; the member
 * that converted it then joins (epoch bump, new target).
 * Downgrade (consumerGroupFenceMember): when the last consumer-protocol member leaves or is
 * fenced and classic members remain, with a policy that allows downgrades, the group becomes a
 * classic group at generation = the group epoch, the remaining members keep their ids, each with
 * its target assignment, and prepareRebalance follows. A JoinGroup at an empty consumer group
 * makes it a classic group (any policy). An empty group is deleted and created anew
 * (maybeDeleteEmptyClassicGroup, maybeDeleteEmptyConsumerGroup): its generation starts at 0.
 * Trace: a `group_converted` record; the members are carried over without member_leave or
 * member_join records. */
#include <stdlib.h>
#include "models/world/trace_rec.h"
#include "models/world/world_impl.h"

static bool policy_allows(const cg_group_t *g, cg_protocol_t to)
{
    cg_migration_policy_t p = g->cfg->broker.migration_policy;
    if (p == CG_MIGRATION_BIDIRECTIONAL)
        return true;
    return to == CG_PROTOCOL_CONSUMER ? p == CG_MIGRATION_UPGRADE : p == CG_MIGRATION_DOWNGRADE;
}

/* Hand the state from the coordinator in use to the other one; `why` >= 0: the new one
 * rebalances for that reason (a downgrade). */
static bool convert(cg_group_t *g, cg_protocol_t to, int why, cg_reason_t reason)
{
    const cg_group_proto_t *from = g->proto, *dest = cg_group_proto_find(to);
    cg_mig_state_t st;
    if (from->export_state(g, &st) != 0) {
        free(st.members);
        free(st.storage);
        cg_world_fail(g->w, "out of memory");
        return false;
    }
    if (st.n_members == 0)            /* an empty group is deleted and created anew */
        st.generation = 0;
    g->max_gen_start = g->max_gen_end = st.generation;
    cg_rec_group_converted(g->w, g, from->name, dest->name, st.generation, st.n_members, reason);
    g->proto = dest;
    int rc = dest->import_state(g, &st, why);
    from->deactivate(g);
    free(st.members);
    free(st.storage);
    if (rc != 0) {
        cg_world_fail(g->w, "out of memory converting group %s", g->cfg->id);
        return false;
    }
    return true;
}

void cg_mig_foreign(cg_group_t *g, int32_t mi)
{
    struct cg_world *w = g->w;
    cg_msg_t *m = cg_net_msg(&w->net, mi);
    cg_protocol_t to = m->kind == CG_MSG_CONSUMER_HEARTBEAT ? CG_PROTOCOL_CONSUMER
                                                            : CG_PROTOCOL_CLASSIC;
    bool empty = !g->proto->has_members(g);
    /* Only a joining heartbeat (epoch 0) may create or convert the group
     * (getOrMaybeCreateConsumerGroup's createIfNotExists); a member that still holds an epoch,
     * or leaves, finds no consumer group. */
    bool joins = to == CG_PROTOCOL_CLASSIC || m->generation == 0;
    if (!joins || (!empty && !(to == CG_PROTOCOL_CONSUMER && policy_allows(g, to)))) {
        cg_net_reply(&w->net, mi, CG_ERR_GROUP_ID_NOT_FOUND);
        return;
    }
    if (!convert(g, to, -1, CG_RS_MEMBER_JOIN)) {
        cg_net_msg_free(&w->net, mi);
        return;
    }
    const cg_coord_end_t *e = &w->net.coords[g->gi];
    e->on_request(e->ctx, mi);        /* the converted group serves the request */
}

/* A consumer group back to classic when the policy allows it; rebalance: why, or -1 none. */
static bool downgrade(cg_group_t *g, int rebalance, cg_reason_t reason)
{
    if (g->proto != cg_group_proto_find(CG_PROTOCOL_CONSUMER) ||
        !policy_allows(g, CG_PROTOCOL_CLASSIC))
        return false;
    return convert(g, CG_PROTOCOL_CLASSIC, rebalance, reason);
}

bool cg_mig_downgrade_replaced(cg_group_t *g, bool new_subscription)
{
    return downgrade(g, new_subscription ? (int)CG_RS_METADATA : -1, CG_RS_MEMBER_JOIN);
}

bool cg_mig_downgrade(cg_group_t *g, cg_reason_t why)
{
    return downgrade(g, (int)why, why);
}
