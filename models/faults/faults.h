/* models/faults: the scripted faults of a scenario (crash, restart, leave, join, pause, resume,
 * hang, slow, isolate, heal, coordinator_failover, and the group helpers rolling_restart and
 * scale), each applied at its time with a `fault` record, and the inverse of any fault with a
 * duration_ms.
 * Owns: the fault steps (scenario faults and the per-member steps of group helpers).
 * Does not own: what a fault does to a client or coordinator (models/client, each protocol's
 *       failover). Stochastic failure models are not handled here.
 * Invariant: steps are scheduled once each, in scenario order on equal times. */
#ifndef CG_FAULTS_H
#define CG_FAULTS_H

#include "models/world/world_impl.h"

/* Schedule every scenario fault. 0, or -1 (out of memory). */
int cg_faults_schedule(struct cg_world *w);
/* Apply one member action now with its `fault` record (factor < 0: none; dur_ns < 0: none);
 * returns whether it applied. Used by scripted steps and by the stochastic failure models. */
bool cg_faults_member(struct cg_world *w, int32_t ci, cg_fault_action_t a, double factor,
                      int64_t dur_ns);

#endif
