/* models/coordinator: the classic group coordinator (one per group), the state machine of
 * kafka.md (b): Empty, PreparingRebalance, CompletingRebalance, Stable (Dead is never reached:
 * groups are not deleted during a run).
 * Owns: the member registry (slots, member ids, static instance mapping), generations, the join,
 *       sync and session timers, committed offsets, the leader's assignor call and the
 *       member_join, member_leave, rebalance_start, rebalance_end and commit records.
 * Does not own: the clients (models/consumer), the network (models/world), trace ownership
 *       (models/ownership).
 * Invariant: n_members + n_pending equals the used slots; a member id is never reused; the
 *            generation only grows except when a failover drops an unfinished rebalance. */
#ifndef CG_COORDINATOR_H
#define CG_COORDINATOR_H

#include "models/world_impl.h"

int cg_coord_init(cg_group_t *g, struct cg_world *w, int32_t gi, char *err, size_t errlen);
void cg_coord_fini(cg_group_t *g);
/* Engine handler: request message `arg` arrives at the coordinator `ctx`. */
void cg_coord_on_msg(sim_t *sim, void *ctx, uint64_t arg);
/* Start a coordinator failover; false when one is already in progress. */
bool cg_coord_failover(cg_group_t *g);
/* True while (slot, serial) is a member of the group in generation `gen`. */
bool cg_coord_member_live(const cg_group_t *g, int32_t slot, uint64_t serial, int32_t gen);
const char *cg_coord_state_name(cg_gstate_t s);
/* End the join phase now (timer or all members joined); exposed for the timer and tests. */
void cg_coord_complete_join(cg_group_t *g);
/* Index of a group.instance.id among the group's distinct instance ids, -1 for NULL/unknown. */
int32_t cg_coord_instance_index(const cg_group_t *g, const char *instance_id);

#endif
