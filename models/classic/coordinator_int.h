/* models/classic/coordinator_int: the classic coordinator's internals that coordinator.c and
 * coordinator_convert.c share. Not part of its surface (coordinator.h is). */
#ifndef CG_CLASSIC_COORDINATOR_INT_H
#define CG_CLASSIC_COORDINATOR_INT_H

#include "models/classic/coordinator.h"

/* A free slot's member becomes (consumer, instance, serial), pending or not, every other flag
 * and list cleared; it counts in the protocol counts with the protocols the slot lists. */
void cg_coord_i_member_reset(cg_coord_t *g, cg_member_t *m, int32_t consumer, int32_t instance,
                             uint64_t serial, bool pending);
void cg_coord_i_slot_free(cg_coord_t *g, int32_t slot);
/* The member's session deadline restarts now. */
void cg_coord_i_touch(cg_coord_t *g, int32_t slot);
/* Answer the member's parked JoinGroup / SyncGroup (if any) with err. */
void cg_coord_i_reply_join(cg_coord_t *g, int32_t slot, cg_err_t err);
void cg_coord_i_reply_sync(cg_coord_t *g, int32_t slot, cg_err_t err);
/* The lowest slot with a member (with a parked JoinGroup when awaiting_only), -1. */
int32_t cg_coord_i_first_member(const cg_coord_t *g, bool awaiting_only);
void cg_coord_i_prepare_rebalance(cg_coord_t *g, cg_reason_t reason);

#endif
