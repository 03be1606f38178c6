/* models/balance: how evenly a group's partitions are spread while it is settled, as the run
 * summary reports it and analysis/ recomputes it from the trace (an_state.c, same records).
 * Owns: per group the members in the group per the trace, the settled flag and the integral of
 *       (max - min) partitions owned per member over settled time.
 * Does not own: ownership (models/ownership: a member's count is its trace-owned list).
 * Invariant: every hook runs when its record is written, before the state the record announces
 *            changes, so the value integrated up to that instant is the one held until then. */
#ifndef CG_BALANCE_H
#define CG_BALANCE_H

#include "models/world/world_impl.h"

typedef enum cg_bal_event {
    CG_BAL_JOIN = 0,                  /* member_join: the member is in the group */
    CG_BAL_ASSIGN,                    /* assignment: in the group, its partitions change */
    CG_BAL_REVOKE,                    /* revoke: its partitions change */
    CG_BAL_LEAVE,                     /* member_leave: out of the group, owns nothing */
    CG_BAL_REBALANCE_START,           /* not settled from now */
    CG_BAL_REBALANCE_END              /* settled from now */
} cg_bal_event_t;

int cg_bal_init(cg_group_t *g);       /* 0 or -1 (out of memory) */
void cg_bal_fini(cg_group_t *g);
/* A record of group g about consumer (global index, -1 for group records) is being written. */
void cg_bal_note(cg_group_t *g, cg_bal_event_t ev, int32_t consumer);
/* The end of the run closes the settled time. */
void cg_bal_finish(cg_group_t *g, int64_t end_ns);

#endif
