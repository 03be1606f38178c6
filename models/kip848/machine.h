/* models/kip848/machine: the KIP-848 consumer-group coordinator ("protocol": "consumer") as a
 * pure state machine: no events, no clock, no randomness. The world turns network messages into
 * cg_k848_heartbeat calls and arms the timers the outputs ask for.
 * Owns: one group's epochs, its members (id, instance id, subscription, member epoch, state,
 *       assigned partitions, partitions pending revocation), the target assignment (computed by a
 *       server assignor through cg_assignor_ops_t), the per-partition holder (the member that holds
 *       it in the coordinator's view: assigned or pending revocation) and all of their memory.
 * Does not own: time (session and rebalance timers are the caller's, driven by the outputs), the
 *       network, the client, the topics metadata passed to cg_k848_group_new (copied).
 * Invariant: a partition has at most one holder, and a member is granted a partition only while
 *            nobody holds it (asserted), so a partition is never given to a new owner before its
 *            old owner released it (acknowledged the revocation, left, or was fenced); a member's
 *            epoch never decreases except to the static-leave marker -2.
 *
 * Kafka sources (apache/kafka group-coordinator): GroupMetadataManager.consumerGroupHeartbeat,
 * consumerGroupLeave, consumerGroupStaticMemberGroupLeave,
 * throwIfConsumerGroupMemberEpochIsInvalid, CurrentAssignmentBuilder,
 * ConsumerGroup.validateOffsetCommit, ConsumerGroupMember.Builder.
 * Choices:
 * - Member ids come from the request, also on a join (KIP-1082, Kafka 4.0: the client generates a
 *   UUID; earlier the coordinator did: either way a random id the world draws).
 * - A join (epoch 0) with the id of a known dynamic member rejoins it in place, keeping its
 *   assignment (KAFKA-19233, what a client does after FENCED_MEMBER_EPOCH). A static join while
 *   the instance's member is not at -2 is UNRELEASED_INSTANCE_ID, even with that member's own id
 *   (released Kafka: fatal for the Java client after a lost response; apache/kafka PR 23542
 *   proposes rejoining in place instead). A static member at -2 rejoining with its own id is
 *   reset to epoch 0 and reconciled; with a new id it is taken over (member_replaced).
 * - Like Kafka, the target assignment is recomputed lazily: a leave/fence bumps the group epoch and
 *   the next heartbeat of any member computes the target for it (group state ASSIGNING meanwhile).
 * - The rebalance timer is cancelled on a static leave (Kafka lets it fire and ignores it). */
#ifndef CG_KIP848_MACHINE_H
#define CG_KIP848_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "models/assign/assignor.h"
#include "models/assign/topic_hist.h"

#define CG_K848_JOIN_EPOCH 0            /* JOIN_GROUP_MEMBER_EPOCH */
#define CG_K848_LEAVE_EPOCH (-1)        /* LEAVE_GROUP_MEMBER_EPOCH */
#define CG_K848_STATIC_LEAVE_EPOCH (-2) /* LEAVE_GROUP_STATIC_MEMBER_EPOCH */

/* Errors the heartbeat and the commit check answer with (Kafka's Errors names). */
typedef enum cg_k848_err {
    CG_K848_NONE = 0, CG_K848_FENCED_MEMBER_EPOCH, CG_K848_UNKNOWN_MEMBER_ID,
    CG_K848_UNRELEASED_INSTANCE_ID, CG_K848_FENCED_INSTANCE_ID, CG_K848_INVALID_REQUEST,
    CG_K848_STALE_MEMBER_EPOCH, CG_K848_ERR_COUNT
} cg_k848_err_t;

/* MemberState. UNKNOWN is never produced (Kafka uses it only across downgrades). */
typedef enum cg_k848_mstate {
    CG_K848_STABLE = 0, CG_K848_UNREVOKED_PARTITIONS, CG_K848_UNRELEASED_PARTITIONS,
    CG_K848_UNKNOWN
} cg_k848_mstate_t;

/* ConsumerGroupState: EMPTY (no members), ASSIGNING (group epoch > target epoch), RECONCILING
 * (some member not STABLE at the target epoch, a static member at -2 included), STABLE. */
typedef enum cg_k848_gstate {
    CG_K848_G_EMPTY = 0, CG_K848_G_ASSIGNING, CG_K848_G_RECONCILING, CG_K848_G_STABLE
} cg_k848_gstate_t;

/* Why the group epoch was bumped (the trace's rebalance_start reason). */
typedef enum cg_k848_bump {
    CG_K848_BUMP_NONE = 0, CG_K848_BUMP_MEMBER_JOIN, CG_K848_BUMP_SUBSCRIPTION,
    CG_K848_BUMP_MEMBER_LEAVE, CG_K848_BUMP_SESSION_TIMEOUT, CG_K848_BUMP_REBALANCE_TIMEOUT,
    CG_K848_BUMP_METADATA             /* the partition count of a subscribed topic changed */
} cg_k848_bump_t;

/* What the caller does with a member's timer after a call. */
typedef enum cg_k848_timer {
    CG_K848_TIMER_KEEP = 0,           /* leave it as it is */
    CG_K848_TIMER_SET,                /* (re)arm it at now + the given timeout */
    CG_K848_TIMER_CANCEL              /* cancel it */
} cg_k848_timer_t;

typedef struct cg_k848_request {
    const char *member_id;            /* required, also on a join (see Choices) */
    const char *instance_id;          /* group.instance.id, NULL = dynamic member */
    int32_t member_epoch;             /* 0 join, -1 leave, -2 static leave, else current epoch */
    int32_t tag;                      /* caller's handle for the process (consumer index), kept */
    bool has_subscription;            /* false = unchanged (Kafka: null) */
    const int32_t *topics;            /* subscribed topic indexes, sorted ascending, unique */
    size_t n_topics;
    bool has_owned;                   /* false = not sent (Kafka: null; counts as still owning) */
    const int32_t *owned;             /* partitions the client holds now (global indexes) */
    size_t n_owned;
    int64_t rebalance_timeout_ns;     /* max.poll.interval.ms; -1 = not sent (required on join) */
    bool classic;                     /* a classic member's JoinGroup (online migration): a
                                         static join replaces the instance's member whatever its
                                         epoch, as does a join of either protocol when that
                                         member is classic */
} cg_k848_request_t;

typedef struct cg_k848_response {
    cg_k848_err_t error;              /* NONE or the error; on error nothing else changed */
    int32_t member_epoch;             /* the member's epoch now (the request's on a leave) */
    int64_t heartbeat_interval_ns;    /* group.consumer.heartbeat.interval.ms */
    bool has_assignment;              /* assignment sent: join, full request, or it changed */
    const int32_t *assignment;        /* the partitions the member holds now, sorted global
                                         indexes; module storage valid until the next call */
    size_t n_assignment;
    bool assignment_changed;          /* the member's assigned partitions changed in this call */
    cg_k848_mstate_t state;           /* the member's state now */
    bool member_added;                /* a new member was created (trace: member_join) */
    bool member_replaced;             /* a static member at -2 was taken over by this one */
    const char *replaced_member_id;   /* its old member id (module storage, until next call) */
    int32_t replaced_tag;             /* its old tag: cancel that process's timers */
    bool member_removed;              /* the member left with -1 (trace: member_leave "leave") */
    cg_k848_bump_t bump;              /* group epoch bumped and why, NONE if not */
    int32_t group_epoch;              /* group epoch after the call */
    bool target_computed;             /* a new target assignment was computed in this call */
    int32_t target_epoch;             /* target assignment epoch after the call */
    cg_k848_timer_t session_timer;    /* SET on every accepted heartbeat, CANCEL on removal */
    int64_t session_timeout_ns;       /* group.consumer.session.timeout.ms */
    cg_k848_timer_t rebalance_timer;  /* SET when the member must revoke, CANCEL when no longer */
    int32_t rebalance_timer_epoch;    /* pass back to cg_k848_rebalance_timeout when it fires */
    int64_t rebalance_timeout_ns;     /* the member's rebalance timeout */
    cg_k848_gstate_t group_state;     /* group state after the call (STABLE = all reconciled) */
} cg_k848_response_t;

/* A read-only view of a member; pointers valid until the next mutating call. */
typedef struct cg_k848_member_view {
    const char *member_id;            /* member id */
    const char *instance_id;          /* NULL for a dynamic member */
    int32_t tag;                      /* caller's handle from the last join or takeover */
    int32_t epoch;                    /* member epoch (-2 after a static leave) */
    int32_t previous_epoch;           /* previous member epoch */
    cg_k848_mstate_t state;           /* reconciliation state */
    int64_t rebalance_timeout_ns;     /* rebalance timeout */
    const int32_t *topics;            /* subscription, sorted */
    size_t n_topics;
    const int32_t *assigned;          /* assigned partitions, sorted global indexes */
    size_t n_assigned;
    const int32_t *pending;           /* partitions pending revocation, sorted */
    size_t n_pending;
    const int32_t *target;            /* target assignment, sorted */
    size_t n_target;
} cg_k848_member_view_t;

typedef struct cg_k848_group cg_k848_group_t;

/* topics sorted by name with topic_base[t] = global index of (t, 0), size n_topics + 1 (both
 * copied); `assignor` a CG_PROTOCOL_CONSUMER assignor; session and heartbeat from the group's
 * cg_broker_cfg_t (already validated within their bounds). NULL when out of memory. */
cg_k848_group_t *cg_k848_group_new(const cg_topic_meta_t *topics, size_t n_topics,
                                   const int64_t *topic_base, const cg_assignor_ops_t *assignor,
                                   int64_t session_timeout_ns, int64_t heartbeat_interval_ns);
void cg_k848_group_free(cg_k848_group_t *g);

/* One ConsumerGroupHeartbeat. Returns 0 (resp filled, Kafka errors in resp->error) or -1 on an
 * internal failure (out of memory, assignor error) with a message in err; the group is then
 * unusable. */
int cg_k848_heartbeat(cg_k848_group_t *g, const cg_k848_request_t *req, cg_k848_response_t *resp,
                      char *err, size_t errlen);

/* The member's session expired: it is removed and the group epoch bumped (reason
 * SESSION_TIMEOUT). Returns false (nothing done) when the member is unknown. */
bool cg_k848_session_expired(cg_k848_group_t *g, const char *member_id);
/* The member's rebalance timer armed at `epoch` fired: fenced (removed, group epoch bumped, reason
 * REBALANCE_TIMEOUT) if it is still at that epoch. Returns whether it was fenced. */
bool cg_k848_rebalance_timeout(cg_k848_group_t *g, const char *member_id, int32_t epoch);

/* OffsetCommit validation (ConsumerGroup.validateOffsetCommit): epoch < 0 with no members ->
 * NONE; unknown member -> UNKNOWN_MEMBER_ID; epoch != the member's epoch -> STALE_MEMBER_EPOCH. */
cg_k848_err_t cg_k848_commit_check(const cg_k848_group_t *g, const char *member_id, int32_t epoch);

int32_t cg_k848_group_epoch(const cg_k848_group_t *g);
int32_t cg_k848_target_epoch(const cg_k848_group_t *g);
cg_k848_gstate_t cg_k848_group_state(const cg_k848_group_t *g);
size_t cg_k848_member_count(const cg_k848_group_t *g);        /* members, -2 ones included */
/* The i-th member in member-id order (i < member_count); false when out of range. */
bool cg_k848_member_at(const cg_k848_group_t *g, size_t i, cg_k848_member_view_t *out);
bool cg_k848_member_get(const cg_k848_group_t *g, const char *member_id,
                        cg_k848_member_view_t *out);
/* Member id holding partition gp (assigned or pending revocation), NULL when free. */
const char *cg_k848_partition_holder(const cg_k848_group_t *g, int32_t gp);
int32_t cg_k848_partition_count(const cg_k848_group_t *g);
/* A new metadata image: topic t has `partitions` partitions (only more, within topic_base). As
 * GroupMetadataManager.onNewMetadataImage, the group's subscription metadata is marked expired;
 * the next heartbeat of any member recomputes it and bumps the group epoch when a subscribed
 * topic's count changed. */
void cg_k848_group_set_partitions(cg_k848_group_t *g, int32_t t, int32_t partitions);
/* The topics as the group's subscription metadata has them (n_topics entries). */
const cg_topic_meta_t *cg_k848_topics(const cg_k848_group_t *g);

/* ---- online upgrade from a classic group (ConsumerGroup.fromClassicGroup) ---- */
typedef struct cg_k848_import {
    const char *member_id;            /* the classic member id */
    const char *instance_id;          /* group.instance.id, NULL dynamic */
    int32_t tag;                      /* caller's handle */
    int32_t epoch;                    /* the classic generation */
    const int32_t *topics;            /* subscription, sorted ascending, unique */
    size_t n_topics;
    const int32_t *assigned;          /* its last classic assignment, sorted global indexes */
    size_t n_assigned;
    int64_t rebalance_timeout_ns;     /* its max.poll.interval.ms */
} cg_k848_import_t;

/* An empty group takes group epoch = target epoch = epoch (before importing members). */
void cg_k848_group_set_epoch(cg_k848_group_t *g, int32_t epoch);
/* Add a member STABLE at in->epoch with assigned = target = in->assigned. 0, -1 out of memory
 * or when a partition is held already (the classic group had two owners: a caller bug). */
int cg_k848_import_member(cg_k848_group_t *g, const cg_k848_import_t *in);
/* ConsumerGroup.waitingOnUnreleasedPartition: some partition of the member's target that it is
 * not assigned yet is still held by another member. */
bool cg_k848_member_waiting(const cg_k848_group_t *g, const char *member_id);
/* The member id of the instance's static member, NULL when none. */
const char *cg_k848_static_member(const cg_k848_group_t *g, const char *instance_id);

const char *cg_k848_err_name(cg_k848_err_t e);                /* "FENCED_MEMBER_EPOCH", ... */
const char *cg_k848_mstate_name(cg_k848_mstate_t s);          /* "STABLE", ... */
const char *cg_k848_gstate_name(cg_k848_gstate_t s);          /* "EMPTY", ... */

#endif
