/* models/classic/member: the client side of the classic group protocol (Java ConsumerCoordinator
 * with the eager or cooperative rebalance protocol and static membership): JoinGroup and
 * SyncGroup, the heartbeat thread, LeaveGroup, onJoinPrepare / onJoinComplete, the errors that
 * lose the membership.
 * Owns: the classic membership state of a client (c->ms): join state, member slot and serial,
 *       generation, the last assignment (sticky userData), the heartbeat timer.
 * Does not own: the application loop, fetches and commits (models/client), the coordinator
 *       (models/classic/coordinator, reached only through messages).
 * Invariant: js == CG_JS_STABLE exactly when the member holds the assignment of `generation`
 *            (applied, or pending until the next poll() for a cooperative member). */
#ifndef CG_CLASSIC_MEMBER_H
#define CG_CLASSIC_MEMBER_H

#include <stdbool.h>
#include <stdint.h>
#include "models/client/client.h"

#define CG_JOIN_TIMEOUT_LAPSE_NS (5000 * SIM_NS_PER_MS) /* Java JOIN_GROUP_TIMEOUT_LAPSE */

typedef enum cg_jstate {
    CG_JS_NONE = 0,                   /* no membership: must join */
    CG_JS_JOINING,                    /* JoinGroup in flight */
    CG_JS_SYNCING,                    /* SyncGroup in flight */
    CG_JS_STABLE                      /* member of a generation */
} cg_jstate_t;

typedef struct cg_classic_member {
    cg_jstate_t js;                   /* membership state */
    bool assign_pending;              /* cooperative: SyncGroup answered, onJoinComplete due at
                                         the next poll() */
    bool need_rejoin;                 /* rejoin at the next poll */
    bool lost;                        /* membership lost: drop partitions without revoke */
    bool prejoin_done;                /* onJoinPrepare done for the pending rejoin */
    bool hb_inflight;                 /* a heartbeat awaits its response */
    uint8_t rejoin_reason;            /* cg_reason_t for the next JoinGroup */
    bool meta_changed;                /* owned set changed since the last JoinGroup */
    int32_t slot;                     /* member slot at the coordinator, -1 */
    uint64_t serial;                  /* member serial, 0 none */
    int32_t generation;               /* generation, -1 none */
    sim_handle_t hb_timer;            /* heartbeat thread tick */
    sim_handle_t assign_timer;        /* leader: the assignor runs until then, then SyncGroup */
    sim_rng_t assign_rng;             /* leader's assignment times "assignor/<group>/<consumer>" */
    uint32_t join_req;                /* cooperative: the JoinGroup/SyncGroup in flight */
    sim_handle_t join_timer;          /* cooperative: its timeout (poll does not wait for it) */
    int32_t *pend;                    /* that assignment, sorted */
    uint32_t n_pend, cap_pend;
    int32_t *prev_assign;             /* last assignment (sticky userData), sorted */
    uint32_t n_prev, cap_prev;
    int32_t prev_gen;                 /* its generation */
    bool leads;                       /* led the generation it joined last (Kafka: isLeader) */
    uint32_t assign_version;          /* leader: metadata version of its assignment snapshot */
    int64_t meta_start_ns;            /* process start: its first metadata fetch */
    int32_t *group_topics;            /* leader: the group subscription, sorted */
    uint32_t n_group_topics, cap_group_topics;
} cg_classic_member_t;

extern const cg_member_ops_t cg_classic_member_ops;

static inline cg_classic_member_t *cg_classic_member(const cg_client_t *c)
{
    return (cg_classic_member_t *)c->ms;
}

/* The member polls as a full member of `generation` with slot/serial (the `check` coverage). */
bool cg_classic_member_polling(const cg_client_t *c, int32_t slot, uint64_t serial,
                               int32_t generation);
/* The process is the member (slot, serial) and running (the coordinator's SyncGroup reaches it). */
bool cg_classic_member_is(const cg_client_t *c, int32_t slot, uint64_t serial);
/* ... and can make progress: not paused, hung or isolated from the coordinator. */
bool cg_classic_member_live(const cg_client_t *c, int32_t slot, uint64_t serial);

#endif
