/* models/net/msg: the one message type every membership protocol sends, with Kafka's error codes
 * and the reasons the trace gives for rebalances and leaves.
 * Owns: the layout of a request and (reused) its response; error and reason names.
 * Does not own: which fields a protocol uses (classic: JoinGroup, SyncGroup, Heartbeat,
 *       LeaveGroup; consumer: ConsumerGroupHeartbeat; both: OffsetCommit, OffsetFetch).
 * Invariant: gp/off/ok hold `n` entries, n <= cap; a response travels in its request's slot. */
#ifndef CG_NET_MSG_H
#define CG_NET_MSG_H

#include <stdbool.h>
#include <stdint.h>
#include "models/limits.h"

#define CG_MSG_IN_USE (-2)                        /* next_free of an allocated message */
#define CG_MEMBER_ID_MAX (CG_MAX_NAME_LEN + 34)   /* "<id>-" + 32 hex digits + NUL */

/* Kafka error codes (org.apache.kafka.common.protocol.Errors) the coordinators answer with. */
typedef enum cg_err {
    CG_ERR_NONE = 0, CG_ERR_MEMBER_ID_REQUIRED, CG_ERR_UNKNOWN_MEMBER_ID, CG_ERR_ILLEGAL_GENERATION,
    CG_ERR_REBALANCE_IN_PROGRESS, CG_ERR_FENCED_INSTANCE_ID, CG_ERR_NOT_COORDINATOR,
    CG_ERR_FENCED_MEMBER_EPOCH, CG_ERR_UNRELEASED_INSTANCE_ID, CG_ERR_INVALID_REQUEST,
    CG_ERR_STALE_MEMBER_EPOCH, CG_ERR_COORDINATOR_NOT_AVAILABLE,
    CG_ERR_INCONSISTENT_GROUP_PROTOCOL, /* JoinGroup: no protocol every member supports */
    CG_ERR_GROUP_ID_NOT_FOUND,        /* ConsumerGroupHeartbeat: the group is a classic group
                                         the migration policy does not convert */
    /* Failures the client raises itself, named after the Java exceptions: */
    CG_ERR_LOCAL_REBALANCE,           /* RebalanceInProgressException: rejoining */
    CG_ERR_LOCAL_COMMIT_FAILED,       /* CommitFailedException: not in an active group */
    CG_ERR_LOCAL_TIMEOUT,             /* TimeoutException: no response in request.timeout.ms */
    CG_ERR_COUNT
} cg_err_t;

/* Why a rebalance starts or a member leaves: the trace's reason strings. */
typedef enum cg_reason {
    CG_RS_MEMBER_JOIN = 0, CG_RS_MEMBER_LEAVE, CG_RS_SESSION_TIMEOUT, CG_RS_POLL_TIMEOUT,
    CG_RS_REBALANCE_TIMEOUT, CG_RS_REVOCATION, CG_RS_LEADER_REJOIN, CG_RS_COORDINATOR_FAILOVER,
    CG_RS_METADATA, CG_RS_LEAVE, CG_RS_FENCED, CG_RS_COUNT
} cg_reason_t;

typedef enum cg_msg_kind {
    CG_MSG_JOIN = 0, CG_MSG_SYNC, CG_MSG_HEARTBEAT, CG_MSG_LEAVE,   /* classic */
    CG_MSG_CONSUMER_HEARTBEAT,                                      /* consumer (KIP-848) */
    CG_MSG_COMMIT, CG_MSG_OFFSET_FETCH                              /* both */
} cg_msg_kind_t;

typedef struct cg_msg {
    uint8_t kind;                     /* cg_msg_kind_t */
    uint8_t err;                      /* cg_err_t of the response */
    uint8_t reason;                   /* join: rebalance reason if it starts one; leave: why */
    bool leader;                      /* join response: the member leads this generation */
    bool meta_changed;                /* join: subscription metadata differs from the last join */
    bool sync;                        /* commit: the app waits for this response */
    bool full;                        /* consumer heartbeat: subscription and timeout sent */
    bool has_assignment;              /* consumer heartbeat response: assignment in gp[0..n) */
    bool local;                       /* a local failure returned to its sender (no network) */
    bool owned_userdata;              /* join: gp are the eager StickyAssignor's userData (its
                                         last assignment), not ownedPartitions */
    int32_t client;                   /* consumer index (global) of the sender: its link */
    uint32_t proc;                    /* incarnation of the sending process */
    uint32_t req;                     /* request id of the sender (matches the response) */
    int64_t sent_ns;                  /* when the request was sent */
    int32_t slot;                     /* member slot (classic) or record hint (consumer), -1 */
    uint64_t serial;                  /* classic: member serial of that slot, 0 = none */
    int32_t generation;               /* classic generation or member epoch of the request or of
                                         the response */
    int32_t owned_gen;                /* join: generation of the owned partitions, -1 unknown */
    int32_t instance;                 /* join: static instance index in the group, -1 dynamic */
    int64_t session_timeout_ns;       /* join: session.timeout.ms */
    int64_t rebalance_timeout_ns;     /* join: max.poll.interval.ms */
    int64_t interval_ns;              /* consumer heartbeat response: heartbeat interval */
    const int32_t *topics;            /* join: subscribed topics, sorted (scenario storage) */
    uint32_t n_topics;                /* join: topics; sync response to the leader: the group
                                         subscription, in gp[n .. n + n_topics) (Kafka's
                                         JoinGroup response gives the leader every member's) */
    uint32_t meta_version;            /* sync from the leader: its topic metadata version */
    const char *rack;                 /* join: client.rack, NULL none (scenario storage) */
    const struct cg_assignor_ops *const *protocols; /* join: partition.assignment.strategy, in
                                         preference order (scenario storage) */
    uint32_t n_protocols;
    int32_t *gp;                      /* partitions: owned (join, heartbeat), assignment
                                         (responses), commit or offset-fetch partitions */
    int64_t *off;                     /* offsets parallel to gp (commit, offset-fetch response) */
    uint8_t *ok;                      /* commit response: per partition accepted */
    uint32_t n;                       /* entries in gp/off */
    uint32_t cap;                     /* capacity of gp/off/ok */
    int32_t next_free;                /* free-list link, -1 at the end; CG_MSG_IN_USE when
                                         allocated */
    /* Last: a large field only the consumer protocol reads, after the fields every message
     * touches (they share the first cache lines). */
    char member_id[CG_MEMBER_ID_MAX]; /* consumer: member id of the sender */
} cg_msg_t;

/* What a classic member's JoinGroup says of it, kept by whichever coordinator serves it (the
 * consumer coordinator after an online upgrade, the classic one after a downgrade). */
typedef struct cg_join_meta {
    int64_t session_ns;               /* session.timeout.ms */
    int64_t rebalance_timeout_ns;     /* max.poll.interval.ms */
    const int32_t *topics;            /* subscription, sorted (scenario storage) */
    uint32_t n_topics;
    const char *rack;                 /* client.rack, NULL none */
    const struct cg_assignor_ops *const *protocols; /* its assignors, in preference order */
    uint32_t n_protocols;
} cg_join_meta_t;

static inline cg_join_meta_t cg_join_meta_of(const cg_msg_t *m)
{
    return (cg_join_meta_t){m->session_timeout_ns, m->rebalance_timeout_ns, m->topics, m->n_topics,
                            m->rack, m->protocols, m->n_protocols};
}

const char *cg_err_name(cg_err_t e);          /* "UNKNOWN_MEMBER_ID", ... */
const char *cg_reason_name(cg_reason_t r);    /* "member_join", ... */

#endif
