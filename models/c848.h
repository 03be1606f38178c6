/* models/c848: the KIP-848 consumer protocol ("protocol": "consumer") wired into the world: per
 * group a wrapper around the coordinator state machine of models/assignor_kip848 (network
 * delivery, session and rebalance timers, failover, trace records), and the client side (one
 * ConsumerGroupHeartbeat loop at the interval the coordinator returns, reconciliation, commits
 * fenced by member epoch, max.poll.interval.ms, the faults).
 * Owns: the consumer-protocol state of groups and clients (struct cg_c848_world hanging off the
 *       world), its message pool, and the records these write: member_join, member_leave,
 *       rebalance_start/_end, assignment, revoke, commit, error.
 * Does not own: the classic coordinator and client (models/coordinator, models/consumer), the
 *       shared client fields it reuses (cg_client_t: process, fault flags, owned partitions,
 *       RNG streams), trace ownership (models/ownership), the KIP-848 state machine itself.
 * Invariant: a partition is given to a member (assignment record) only after its previous owner
 *            revoked it, left, or was removed (the state machine grants only free partitions);
 *            the group epoch in rebalance_start only grows; per consumer the epoch in its
 *            assignment records never decreases (both checked with `check`). */
#ifndef CG_C848_H
#define CG_C848_H

#include "models/world_impl.h"

struct cg_c848_world;

/* After the classic init of groups and clients: build the consumer-protocol state of every
 * "consumer" group and its clients (w->k848; NULL when the scenario has none). 0 or -1. */
int cg_c848_init(struct cg_world *w, char *err, size_t errlen);
void cg_c848_free(struct cg_world *w);

/* True when the client's group uses the consumer protocol. */
static inline bool cg_c848_is(const cg_client_t *c)
{
    return c->g->cfg->protocol == CG_PROTOCOL_CONSUMER;
}

/* A scripted fault on a consumer-protocol client (same meaning and return as faults.c's
 * apply_member): start, crash, restart, close, pause, resume, hang, slow, isolate, heal. */
bool cg_c848_apply(cg_client_t *c, cg_fault_action_t a, double factor);
bool cg_c848_client_start(cg_client_t *c);
/* Coordinator failover of a consumer-protocol group: requests fail with NOT_COORDINATOR for
 * coordinator_failover_ms; the persisted state stays, timers are re-armed afresh. */
bool cg_c848_failover(cg_group_t *g);

#endif
