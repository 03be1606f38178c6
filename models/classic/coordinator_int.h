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

/* Used by the JoinGroup (coordinator_join.c) and defined in coordinator.c: */
static inline int64_t cg_coord_i_now(const cg_coord_t *g) { return sim_now(g->sim); }
/* The run cannot go on (out of memory): the world fails with the message. */
void cg_coord_i_fail(cg_coord_t *g, const char *message);
/* The member in slot with that serial, NULL when the slot holds another one or none. */
cg_member_t *cg_coord_i_lookup(cg_coord_t *g, int32_t slot, uint64_t serial);
/* The count of member slots naming `consumer` (a global consumer index). */
uint32_t *cg_coord_i_slots_of(const cg_coord_t *g, int32_t consumer);
void cg_coord_i_arm_session(cg_coord_t *g, int32_t slot, int64_t deadline);
void cg_coord_i_reply(cg_coord_t *g, int32_t mi, cg_err_t err);
/* A member joined: a rebalance starts (or the open join phase may complete). */
void cg_coord_i_rebalance_or_complete(cg_coord_t *g, cg_reason_t reason);
void cg_coord_i_maybe_complete_join(cg_coord_t *g);
/* UNKNOWN_MEMBER_ID or FENCED_INSTANCE_ID for the member of a request, else NONE. */
cg_err_t cg_coord_i_validate(cg_coord_t *g, const cg_msg_t *msg);

/* Defined in coordinator_join.c: a JoinGroup request. */
void cg_coord_i_on_join(cg_coord_t *g, int32_t mi);

#endif
