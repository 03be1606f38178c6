/* models/world_impl: the internal state of a run shared by the world's own files (world.c,
 * ownership.c, faults.c, failure.c, trace_rec.c, check.c) and the protocols' world bindings.
 * Not part of the public surface (models/world.h is).
 * Owns: the layouts of the world and of its groups (configuration, membership protocol, trace
 *       ownership and the accounting built on it).
 * Does not own: the scenario (read only), the partition logs (models/partlog), the clients
 *       (models/client), the network (models/net), the coordinators (each protocol's).
 * Invariant: arrays are allocated once in cg_world_new and never move during a run (handlers
 *            keep pointers to clients and groups); every iteration is in index order. */
#ifndef CG_WORLD_IMPL_H
#define CG_WORLD_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/sim.h"
#include "sim/rng.h"
#include "sim/loghist.h"
#include "sim/trace.h"
#include "models/assign/assignor.h"
#include "models/assign/topic_hist.h"
#include "models/client/client.h"
#include "models/limits.h"
#include "models/net/net.h"
#include "models/partlog/partlog.h"
#include "models/scenario/scenario.h"
#include "models/world/world.h"

#define CG_ERR_MSG_MAX 512

struct cg_group;

/* One member as a group conversion hands it from one protocol's coordinator to the other's
 * (models/world/migration.c). Pointers are the source coordinator's or the scenario's storage,
 * valid until the source is deactivated. */
typedef struct cg_mig_member {
    const char *id;                   /* member id (kept across the conversion, as Kafka does) */
    int32_t consumer;                 /* consumer index (global) of the process behind it */
    int32_t slot;                     /* classic identity of a classic member: slot and serial */
    uint64_t serial;
    int32_t instance;                 /* static instance index in the group, -1 dynamic */
    bool classic;                     /* it speaks the classic protocol */
    cg_join_meta_t meta;              /* what its last JoinGroup said */
    const int32_t *assigned;          /* upgrade: its last classic assignment; downgrade: its
                                         target assignment (sorted global partitions) */
    uint32_t n_assigned;
} cg_mig_member_t;

/* A group's state at a conversion (ConsumerGroup.fromClassicGroup /
 * ClassicGroup.fromConsumerGroup). */
typedef struct cg_mig_state {
    int32_t generation;               /* classic generation = group epoch */
    bool rebalancing;                 /* classic: a rebalance_start awaits its end */
    int64_t rebalance_start_ns;       /* classic: when that rebalance started */
    uint64_t next_serial;             /* classic identities handed out so far */
    const int64_t *committed;         /* committed offsets, per global partition */
    cg_mig_member_t *members;
    uint32_t n_members;
    int32_t *storage;                 /* what the members' lists point into, when built (freed
                                         with members) */
} cg_mig_state_t;

/* A membership protocol as the world sees it: its coordinator (one per group) and its member
 * side (one per client). Found by the scenario's protocol kind (models/protocol.c). */
typedef struct cg_group_proto {
    const char *name;                 /* "classic", "consumer" */
    const cg_member_ops_t *member;    /* the client side */
    /* Build the group's coordinator (g->coord) and register it on the network. 0 or -1. */
    int (*group_init)(struct cg_group *g, char *err, size_t errlen);
    void (*group_fini)(struct cg_group *g);
    bool (*failover)(struct cg_group *g);   /* false when one is already in progress */
    /* The coordinator still has the client's process as a member at the generation (epoch) the
     * client holds: an assignment it records now is the coordinator's current one. */
    bool (*member_current)(const struct cg_group *g, const cg_client_t *c);
    /* Topic t now has `partitions` partitions (w->hist holds the change); NULL: nothing to do
     * at once (classic: the members notice at their metadata refresh). */
    void (*partitions_added)(struct cg_group *g, int32_t t, int32_t partitions);
    /* Run-ahead (models/client/runahead.c): until when the coordinator can change nothing the
     * client's polls read or write (its state Stable, the client a current member; the
     * member's session deadline), INT64_MIN when it cannot tell. */
    int64_t (*quiet_until)(const struct cg_group *g, const cg_client_t *c, int64_t now);
    /* Group conversions (models/world/migration.c): the coordinator's state, whether it has
     * members, building it from the other protocol's state (with `why` a rebalance follows),
     * and dropping every member, request and timer without a record. */
    int (*export_state)(struct cg_group *g, cg_mig_state_t *out);
    bool (*has_members)(const struct cg_group *g);
    int (*import_state)(struct cg_group *g, const cg_mig_state_t *in, int why);
    void (*deactivate)(struct cg_group *g);
} cg_group_proto_t;

/* The registry entry of a protocol whose group hooks are named after the fields. */
#define CG_GROUP_PROTO(name_, member_ops)                                                       \
    {.name = (name_), .member = (member_ops), .group_init = group_init,                         \
     .group_fini = group_fini, .failover = failover, .member_current = member_current,          \
     .quiet_until = quiet_until,                                                                \
     .export_state = export_state, .has_members = has_members, .import_state = import_state,   \
     .deactivate = deactivate}

/* One consumer group: configuration, protocol, and the world's per-partition accounting. */
typedef struct cg_group {
    struct cg_world *w;               /* back pointer */
    int32_t gi;                       /* group index */
    const cg_group_cfg_t *cfg;        /* scenario group */
    const cg_group_proto_t *proto;    /* membership protocol of its coordinator now */
    void *coords[2];                  /* coordinator per cg_protocol_t: proto's, and in a
                                         migrating group the other one, idle until converted */
    const char **instance_ids;        /* distinct group.instance.id values, sorted */
    uint32_t n_instances;
    uint32_t *instance_users;         /* per instance id: consumers configured with it (more than
                                         one: each can fence the other at any time) */
    sim_handle_t check_timer;         /* `check`: coverage check once stable */
    int32_t check_defers;             /* times it waited for a member still catching up */
    int32_t replaced_gen;             /* classic: the generation a static member was last
                                         replaced in without a rebalance, -1 never (check) */
    int64_t max_hb_ns;                /* largest heartbeat.interval.ms of its consumers */
    int32_t *owner;                   /* trace owner: consumer index within group, -1 */
    int32_t *last_owner;              /* last trace owner, -1 never */
    int32_t *snap_owner;              /* last owners when the open rebalance started */
    bool reb_open;                    /* a rebalance_start awaits its rebalance_end (consumer) */
    const char *reb_assignor;         /* classic: the assignor the ending rebalance selected,
                                         written in rebalance_end when the group's members
                                         may list different ones; NULL otherwise */
    int64_t reb_start_ns;             /* when it started */
    int64_t *max_processed;           /* highest processed offset + 1 per partition */
    int64_t *unavail_since_ns;        /* unowned since (after first assignment), -1 */
    int64_t *owned_since_ns;          /* the current owner's ownership began */
    int64_t *acked;                   /* last committed offset per partition per the trace, -1 */
    bool *assigned_ever;              /* per partition: listed in an assignment (counts then) */
    int64_t first_assignment_ns;      /* the group's first assignment record, -1 before it */
    int32_t max_gen_start;            /* `check`: last rebalance_start generation */
    int32_t max_gen_end;              /* `check`: last rebalance_end generation */
    int64_t last_fault_ns;            /* last fault touching the group (check) */
    uint32_t faults_pending;          /* inverse faults scheduled, not yet applied */
    bool *bal_in;                     /* balance: consumer (local) in the group per the trace */
    bool bal_settled;                 /* balance: between rebalance_end and rebalance_start */
    bool bal_dirty;                   /* balance: bal_value must be recomputed */
    int64_t bal_value;                /* balance: max - min owned per member, when not dirty */
    int64_t bal_last_ns;              /* balance: integrated up to here */
    int64_t lat_int_n;                /* latency: records counted since the last sample */
    int64_t lat_int_max_ns;           /* their largest latency, -1 none */
    int64_t lat_int[SIM_LOGHIST_BUCKETS]; /* their counts by sim/loghist bucket (microseconds) */
    cg_group_summary_t sum;           /* summary counters */
} cg_group_t;

/* Pending fault work item (group helpers expand into per-member steps). */
typedef struct cg_fault_step {
    int32_t fault;                    /* scenario fault index */
    int32_t consumer;                 /* consumer (global), -1 group target */
    uint8_t action;                   /* cg_fault_action_t to apply */
    bool inverse;                     /* this is the scheduled inverse of a duration fault */
} cg_fault_step_t;

struct cg_world {
    sim_t sim;                        /* engine */
    const cg_scenario_t *s;           /* scenario */
    cg_run_opts_t opts;               /* options (copied) */
    sim_trace_t *tr;                  /* trace */
    cg_partlog_t *pl;                 /* partition logs */
    cg_net_t net;                     /* network: messages, links, coordinator endpoints */
    const int64_t *topic_base;        /* global partition index of (t, 0); each topic's range
                                         holds the partitions it will ever have */
    int64_t n_parts;                  /* total partitions, added ones included */
    int32_t *gp_topic;                /* topic of each global partition */
    cg_topic_meta_t *topic_meta;      /* the topics now (partition counts grow) */
    cg_topic_meta_t *topic_initial;   /* the topics at the start */
    cg_topic_hist_t hist;             /* count changes (add_partitions), metadata versions */
    int64_t *created_ns;              /* per partition: when it was added, 0 for the first */
    cg_group_t *groups;
    cg_client_t *clients;
    struct cg_failures *failures;     /* failure models (models/failure) */
    struct cg_autoscalers *autoscalers; /* KEDA + HPA per autoscaled group (models/autoscale) */
    cg_fault_step_t *steps;           /* fault steps, scheduled by index */
    uint32_t n_steps, cap_steps;
    bool run_ahead;                   /* clients may run their polls ahead (models/client) */
    int32_t *holders;                 /* per partition: clients of any group whose fetch table
                                         lists it (models/client/fetch.c) */
    int64_t n_shared;                 /* partitions with more than one holder */
    int32_t *topic_group;             /* per topic: the one group subscribing to it, -1 none,
                                         CG_TOPIC_GROUPS more than one (ever, in this run) */
    uint32_t topic_shared_version;    /* bumped when a topic becomes CG_TOPIC_GROUPS */
    int64_t *barriers;                /* min-heap: times of pending events that may touch any
                                         client (fault steps); run-ahead stops before them */
    uint32_t n_barriers, cap_barriers;
    uint64_t check_events;            /* engine events of `check` timers (not model events) */
    uint64_t sample_events;           /* engine events of the lag sampler (not model events) */
    int64_t *sample_pos;              /* per partition: a sample's owner positions (scratch of
                                         models/lagsample), NULL when lag samples are off */
    struct cg_lat_ring *lat_rings;    /* per partition: latency checkpoints (models/latency),
                                         NULL when lag samples are off */
    struct cg_racks *racks;           /* replica racks and fetch counts (models/world/racks),
                                         NULL when no topic has racks */
    int64_t records_consumed;
    int64_t duplicates;
    bool failed;                      /* invariant violation or internal error */
    bool ran;                         /* cg_world_run was called */
    char err[CG_ERR_MSG_MAX];         /* message when failed */
    int64_t last_rec_ns;              /* `check`: time of the last record */
    int64_t progress_step_ns;         /* virtual time between progress calls */
    cg_group_summary_t *summaries;    /* the result's per-group summaries */
};

/* ---- world.c ---- */
/* Stop the run with an invariant violation or internal error; first message wins. */
void cg_world_fail(struct cg_world *w, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Engine events of the model: `check` timers and lag samples are left out, so a run's trace
 * (run_end.events) and --max-events are the same with and without --check, and whatever
 * lag_sample_ms is. */
static inline uint64_t cg_world_events(const struct cg_world *w)
{
    return w->sim.events - w->check_events - w->sample_events;
}
#define CG_TOPIC_GROUPS (-2)
/* Group g subscribes to topics[0..n) (a consumer's scenario subscription or a fault's). */
void cg_world_subscribed(struct cg_world *w, int32_t g, const int32_t *topics, size_t n);
/* Barriers: an event that may touch or observe any client at `at` pushes its time when it is
 * scheduled and pops it when it runs (the least first, as the engine runs them). 0 or -1. */
int cg_world_barrier_push(struct cg_world *w, int64_t at);
void cg_world_barrier_pop(struct cg_world *w);
static inline int64_t cg_world_barrier_next(const struct cg_world *w)
{
    return w->n_barriers > 0 ? w->barriers[0] : INT64_MAX;
}
/* The group's protocol still counts the client as the member it believes it is. */
static inline bool cg_group_member_current(const cg_group_t *g, const cg_client_t *c)
{
    return g->proto->member_current(g, c);
}

/* ---- protocol.c ---- */
const cg_group_proto_t *cg_group_proto_find(cg_protocol_t kind);

/* ---- migration.c: online conversions between a classic and a consumer group ---- */
/* A request of the other protocol reached the group's coordinator (a ConsumerGroupHeartbeat at
 * a classic group, a JoinGroup at an empty consumer group): convert the group and deliver it, or
 * answer GROUP_ID_NOT_FOUND as Kafka does when the policy forbids the upgrade. */
void cg_mig_foreign(cg_group_t *g, int32_t mi);
/* The consumer group's last consumer-protocol member is gone and classic members remain: convert
 * it back to a classic group that rebalances, when group.consumer.migration.policy allows it.
 * Returns whether it did. */
bool cg_mig_downgrade(cg_group_t *g, cg_reason_t why);
/* A classic static member replaced the last consumer-protocol member: convert it back, when the
 * policy allows it (validateOnlineDowngradeWithReplacedMemberId), with a rebalance only when
 * the replacement's subscription differs (KAFKA-19546). */
bool cg_mig_downgrade_replaced(cg_group_t *g, bool new_subscription);
/* The group's coordinator of protocol kind (it exists in this run). */
static inline void *cg_group_coord(const cg_group_t *g, cg_protocol_t kind)
{
    return g->coords[kind];
}

#endif
