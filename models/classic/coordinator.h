/* models/classic/coordinator: the classic group coordinator of one group (kafka.md (b)) as a
 * state machine with no access to the world: Empty, PreparingRebalance, CompletingRebalance,
 * Stable (Dead is never reached: groups are not deleted during a run).
 * In: requests (cg_coord_on_request, messages of models/net) and its own timer expiries (engine
 *     events on the sim_t it is given). Out: responses (cg_net_reply), and what the world
 *     records, through cg_coord_env_t: member joins and leaves, rebalance start and end, commits,
 *     internal failures.
 * Owns: the member registry (slots, member ids and their random streams, static instance
 *       mapping), generations, the join, sync and session timers, committed offsets, the
 *       leader's assignor call.
 * Does not own: the clients (it never reads them: what a broker cannot know it does not know),
 *       the network, trace ownership and accounting (the env's).
 * Invariant: n_members + n_pending equals the used slots; a member id is never reused; the
 *            generation announced by rebalance_start never goes back (asserted). */
#ifndef CG_CLASSIC_COORDINATOR_H
#define CG_CLASSIC_COORDINATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/rng.h"
#include "sim/sim.h"
#include "models/assign/assignor.h"
#include "models/assign/topic_hist.h"
#include "models/net/net.h"
#include "models/offsets/offsets.h"
#include "models/scenario/scenario.h"
#include "models/scenario/scenario_instances.h"

typedef enum cg_gstate {
    CG_GS_EMPTY = 0, CG_GS_PREPARING, CG_GS_COMPLETING, CG_GS_STABLE, CG_GS_DEAD
} cg_gstate_t;

/* A member as the coordinator knows it. */
typedef struct cg_member {
    uint64_t serial;                  /* identity (slot reuse safe), 0 = free slot */
    int32_t consumer;                 /* consumer index (global) of the process that joined */
    int32_t instance;                 /* static instance index in the group, -1 = dynamic */
    bool pending;                     /* MEMBER_ID_REQUIRED sent, not yet added */
    bool is_new;                      /* added during the current join phase */
    bool in_gen;                      /* member of the current generation */
    bool synced;                      /* sent SyncGroup for the current generation */
    bool in_stable;                   /* member of the last Stable (persisted) generation */
    bool rejoined;                    /* sent JoinGroup for the current generation */
    char id[CG_MEMBER_ID_MAX];        /* member id */
    int64_t session_ns;               /* session.timeout.ms of the member */
    int64_t rebalance_timeout_ns;     /* max.poll.interval.ms of the member */
    int64_t joined_ns;                /* when its current parked JoinGroup arrived */
    sim_deadline_t session;           /* session deadline and its expiry timer */
    int32_t join_msg;                 /* parked JoinGroup request, -1 none */
    int32_t sync_msg;                 /* parked SyncGroup request, -1 none */
    const int32_t *topics;            /* subscription from its last JoinGroup (sorted) */
    uint32_t n_topics;
    const char *rack;                 /* client.rack from its last JoinGroup, NULL none */
    const cg_assignor_ops_t *const *protocols; /* its last JoinGroup's protocols (assignors),
                                         in its order of preference */
    uint32_t n_protocols;
    cg_tp_t *owned;                   /* owned partitions from its last JoinGroup */
    uint32_t n_owned, cap_owned;
    int32_t owned_gen;                /* generation of owned, -1 unknown */
    bool owned_userdata;              /* owned is StickyAssignor userData (an eager member's
                                         last assignment): no other assignor sees it */
    int32_t meta_gen;                 /* the generationId in its last JoinGroup's metadata
                                         (ConsumerProtocolSubscription v2+, KIP-792) */
    int32_t *assign;                  /* partitions (global index) assigned, current generation */
    uint32_t n_assign, cap_assign;
} cg_member_t;

/* What the coordinator tells its world (all calls at the engine's current time). */
typedef struct cg_coord_env {
    void *ctx;
    void (*member_joined)(void *ctx, int32_t consumer, const char *member_id,
                          const char *replaced_id);
    void (*member_left)(void *ctx, int32_t consumer, int32_t slot, uint64_t serial,
                        const char *member_id, cg_reason_t why);
    /* A static member's instance moved from process `consumer` to another one. */
    void (*member_replaced)(void *ctx, int32_t consumer, const char *member_id);
    void (*rebalance_start)(void *ctx, int32_t generation, cg_reason_t why);
    /* The join phase ended: with `stable` the generation got its assignment (the coordinator's
     * members show it), else everybody left and the group is Empty. */
    void (*rebalance_end)(void *ctx, int32_t generation, int64_t duration_ns, bool stable);
    /* The generation is Stable and every parked SyncGroup was answered. */
    void (*stable)(void *ctx, int32_t generation);
    /* OffsetCommit of one partition, checked (err NONE = accepted). */
    void (*commit)(void *ctx, int32_t consumer, int32_t gp, int64_t offset, int32_t generation,
                   cg_err_t err);
    void (*fail)(void *ctx, const char *message);   /* internal failure: the run stops */
    /* A ConsumerGroupHeartbeat arrived (a consumer-protocol member): the world converts the
     * group or answers it; NULL: INVALID_REQUEST. */
    void (*foreign)(void *ctx, int32_t mi);
} cg_coord_env_t;

typedef struct cg_coord {
    sim_t *sim;                       /* engine: clock and timers (not owned) */
    cg_net_t *net;                    /* messages and responses (not owned) */
    int32_t gi;                       /* group index (its coordinator endpoint) */
    const cg_scenario_t *s;           /* scenario (read only) */
    const cg_group_cfg_t *cfg;        /* its group */
    const cg_topic_hist_t *hist;      /* topic metadata versions (partition counts) */
    const cg_assignor_ops_t *protocol;/* the assignor this generation selected (vote) */
    cg_topic_meta_t *assign_topics;   /* the topics as the last assignment saw them: the
                                         leader's metadata version, sent with its SyncGroup */
    int32_t *group_topics;            /* the last assignment's group subscription, sorted */
    uint32_t n_group_topics;
    const int64_t *topic_base;        /* global partition index of (t, 0), size n_topics + 1 */
    const int32_t *gp_topic;          /* topic of each global partition */
    int64_t n_parts;                  /* partitions of all topics */
    const uint64_t *replica_racks;    /* per global partition, for the assignor; NULL none */
    cg_coord_env_t env;
    cg_gstate_t state;                /* coordinator state */
    int32_t generation;               /* current generation id */
    int32_t stable_gen;               /* last persisted generation: reached Stable, or completed
                                         with nobody (Empty) */
    int32_t forming_gen;              /* generation the current join phase forms */
    int32_t max_gen_start;            /* highest generation announced by rebalance_start */
    int32_t leader;                   /* leader slot, -1 = none */
    cg_member_t *members;             /* slots */
    uint32_t n_slots, cap_slots;
    int32_t *free_slots;              /* stack of free slot indexes (lowest on top) */
    uint32_t n_free;
    uint32_t n_members;               /* added members (not pending) */
    uint32_t n_pending;               /* MEMBER_ID_REQUIRED members */
    uint32_t n_awaiting_join;         /* members with a parked JoinGroup */
    uint64_t next_serial;             /* next member serial */
    sim_handle_t join_timer;          /* initial delay or rebalance timeout */
    sim_handle_t sync_timer;          /* pending-sync timeout */
    sim_handle_t reload_timer;        /* coordinator failover end */
    bool initial_delay;               /* join phase is the delayed initial rebalance */
    bool new_member_added;            /* a member joined during the initial delay */
    int64_t initial_remaining_ns;     /* rebalance timeout left for further delays */
    int64_t initial_cur_ns;           /* length of the current initial delay */
    int64_t stable_ns;                /* when the group last became Stable */
    int64_t rebalance_start_ns;       /* when PreparingRebalance was entered */
    bool failover_pending;            /* next rebalance reason is coordinator_failover */
    bool down;                        /* coordinator unavailable (failover in progress) */
    /* How many members list each protocol, so that "every member supports it" costs O(1) per
     * name instead of a pass over the members (a JoinGroup from each of 1,000 members would
     * otherwise cost 10^6 steps per rebalance): kept by cg_coord_proto_out/in around each change
     * of a member, recounted when protocols_version moved (a change they could not follow). */
    uint64_t protocols_version;       /* bumped when a member's protocols or membership change */
    uint64_t protocols_counted;       /* the version proto_count was taken at */
    uint32_t n_proto;                 /* distinct protocols some member lists */
    uint32_t proto_members;           /* members counted */
    const cg_assignor_ops_t *proto[CG_MAX_STRATEGY];   /* those protocols */
    uint32_t proto_count[CG_MAX_STRATEGY];             /* members listing proto[k] */
    bool proto_overflow;              /* more distinct protocols than proto holds: no counts */
    int32_t *instance_slot;           /* per static instance index: member slot, -1 */
    const char **instance_ids;        /* distinct group.instance.id values, sorted */
    uint32_t n_instances;
    sim_rng_t *id_rng;                /* per consumer of the group: member-id stream */
    uint32_t *consumer_slots;         /* per consumer of the group: member slots naming it (more
                                         than one: an earlier process's member id lingers) */
    cg_offsets_t offsets;             /* committed offsets */
    int32_t *scratch_owner;           /* assignor output, size partitions */
    int32_t *scratch_claim;           /* cooperative: member claiming a partition, -1 */
} cg_coord_t;

typedef struct cg_coord_params {
    sim_t *sim;
    cg_net_t *net;
    const cg_scenario_t *s;
    int32_t gi;                       /* group index in s */
    const cg_topic_hist_t *hist;      /* topic metadata versions, read at each assignment */
    const int64_t *topic_base;
    const int32_t *gp_topic;
    int64_t n_parts;
    const uint64_t *replica_racks;    /* replica racks per global partition, NULL: none */
    uint64_t seed;                    /* master seed: member-id streams */
    cg_coord_env_t env;
} cg_coord_params_t;

/* A coordinator registered on the network as group gi's endpoint. NULL with a message when out
 * of memory. */
cg_coord_t *cg_coord_new(const cg_coord_params_t *p, char *err, size_t errlen);
void cg_coord_free(cg_coord_t *g);
/* Request mi arrives (the network's endpoint callback; ctx is the coordinator). */
void cg_coord_on_request(void *ctx, int32_t mi);
/* Start a coordinator failover; false when one is already in progress. */
bool cg_coord_failover(cg_coord_t *g);
/* True while (slot, serial) is a member of the group in generation `gen`. */
bool cg_coord_member_live(const cg_coord_t *g, int32_t slot, uint64_t serial, int32_t gen);
/* The member at slot, NULL for a free slot or out of range. */
const cg_member_t *cg_coord_member(const cg_coord_t *g, int32_t slot);
/* How many members (slots) name the consumer (its global index): more than one after a restart
 * while the earlier process's member id has not expired yet. */
uint32_t cg_coord_consumer_slots(const cg_coord_t *g, int32_t consumer);
const char *cg_coord_state_name(cg_gstate_t s);
/* End the join phase now (timer or all members joined); exposed for the timer and tests. */
void cg_coord_complete_join(cg_coord_t *g);
/* ---- group conversions (KIP-848 online migration) ---- */
/* A member handed over by a consumer group being converted back (downgrade). */
typedef struct cg_coord_import {
    int32_t slot;                     /* its classic identity, kept: slot and serial */
    uint64_t serial;
    int32_t consumer;
    int32_t instance;                 /* static instance index, -1 dynamic */
    const char *id;
    cg_join_meta_t meta;              /* what its last JoinGroup said */
    const int32_t *assigned;          /* its target assignment (copied) */
    uint32_t n_assigned;
} cg_coord_import_t;

/* The group became a consumer group: every parked JoinGroup and SyncGroup is answered
 * REBALANCE_IN_PROGRESS (convertToConsumerGroup), members, timers and pending members are
 * dropped without a record; the generation and member serials are kept. */
void cg_coord_deactivate(cg_coord_t *g);
/* Add one member of a downgrade (0, or -1 out of memory), then finish with import_done: the
 * group is Stable at `generation`, takes the network endpoint, and with why >= 0 prepares a
 * rebalance (cg_reason_t). */
int cg_coord_import_member(cg_coord_t *g, const cg_coord_import_t *in);
void cg_coord_import_done(cg_coord_t *g, int32_t generation, uint64_t next_serial, int why);

/* models/classic/protocol_select.c: a JoinGroup lists a protocol every member supports (or the
 * group is Empty); else INCONSISTENT_GROUP_PROTOCOL. */
bool cg_coord_supports_protocols(cg_coord_t *g, const cg_msg_t *msg);
/* The assignor the members' votes select for the generation being completed. */
const cg_assignor_ops_t *cg_coord_select_protocol(cg_coord_t *g);
/* A member was added or removed, became a full member, or sent new protocols. */
void cg_coord_protocols_changed(cg_coord_t *g);
/* Around a change of a member's serial, pending flag or protocols: out before, in after, so
 * the protocol counts follow it without a recount. */
void cg_coord_proto_out(cg_coord_t *g, const cg_member_t *m);
void cg_coord_proto_in(cg_coord_t *g, const cg_member_t *m);

#endif
