/* models/kip848/member: the client side of the KIP-848 consumer protocol (Java AsyncKafkaConsumer
 * with group.protocol=consumer, simplified but faithful in timing): the ConsumerGroupHeartbeat
 * loop, reconciliation of the assignment, fencing, the leave heartbeats.
 * Owns: the consumer-protocol membership state of a client (c->ms): member id and epoch, the
 *       target assignment, the pending revocation, the heartbeat timer.
 * Does not own: the application loop, fetches and commits (models/client), the coordinator
 *       (models/kip848/coordinator, reached only through messages).
 * Invariant: a partition is added to the owned set only from a target received from the
 *            coordinator; partitions leave it only by a revocation inside poll(), or all at once
 *            when the membership is lost. */
#ifndef CG_KIP848_MEMBER_H
#define CG_KIP848_MEMBER_H

#include <stdbool.h>
#include <stdint.h>
#include "models/client/client.h"

#define CG_C848_COMMIT_RETRIES 3      /* retries of a sync commit (STALE_MEMBER_EPOCH, moved
                                         coordinator) */

typedef struct cg_k848_member {
    char member_id[CG_MEMBER_ID_MAX]; /* this process's member id (kept across rejoins) */
    sim_rng_t mid_rng;                /* member ids "member-id/<group>/<consumer>" */
    int32_t epoch;                    /* member epoch; 0 while joining */
    bool member;                      /* the coordinator accepted it (a successful response) */
    bool joining;                     /* the next heartbeat is a join (epoch 0) */
    bool stale;                       /* left after a poll timeout: rejoin at the next poll */
    bool first_assign;                /* no assignment record since the join */
    bool hb_inflight;                 /* a heartbeat awaits its response */
    bool hb_again;                    /* send another heartbeat as soon as the response comes */
    int64_t hb_sent_ns;               /* when the in-flight heartbeat was sent */
    int64_t interval_ns;              /* heartbeat interval from the coordinator */
    int32_t hint;                     /* member record index at the coordinator */
    int32_t *target;                  /* latest assignment received, sorted */
    uint32_t n_target, cap_target;
    bool revoke_pending;              /* target lacks owned partitions: revoke at next poll */
    bool prerevoke_done;              /* the commit before the revocation completed */
    bool leave_pending;               /* resend the poll-timeout leave once it is found */
    bool send_subscription;           /* the next heartbeat carries the (new) subscription */
    int32_t last_rec_epoch;           /* `check`: epoch of the last assignment record */
    sim_handle_t hb_timer;            /* heartbeat tick */
} cg_k848_member_t;

extern const cg_member_ops_t cg_k848_member_ops;

static inline cg_k848_member_t *cg_k848_member(const cg_client_t *c)
{
    return (cg_k848_member_t *)c->ms;
}

/* The process is member `member_id` of its group and polls normally (the `check` coverage). */
bool cg_k848_member_polling(const cg_client_t *c, const char *member_id);

#endif
