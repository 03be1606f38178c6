/* models/scenario: the scenario format of design.md, parsed and validated with cJSON.
 * Owns: the in-memory scenario (every default filled, every time converted to ns once, topics
 *       sorted by name, consumers expanded from "count"), loading, validation, --set overrides.
 * Does not own: simulation state (models/world). Never prints: problems go to a sim_diag_t as
 *       "FILE: $.json.path: message" lines.
 * Invariant: a scenario returned by cg_scenario_load is valid: every reference resolves, every
 *            value is within models/limits.h and Kafka's own constraints hold. */
#ifndef CG_SCENARIO_H
#define CG_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/diag.h"
#include "sim/dist.h"
#include "models/assign/assignor.h"
#include "models/limits.h"

typedef enum cg_arrival { CG_ARRIVAL_CONSTANT = 0, CG_ARRIVAL_POISSON } cg_arrival_t;
typedef enum cg_key_dist { CG_KEYS_UNIFORM = 0, CG_KEYS_ZIPF } cg_key_dist_t;
typedef enum cg_offset_reset { CG_RESET_LATEST = 0, CG_RESET_EARLIEST, CG_RESET_NONE } cg_offset_reset_t;

typedef struct cg_topic_cfg {
    char *name;                       /* topic name, unique */
    int32_t partitions;               /* partition count at the start */
    int32_t max_partitions;           /* after every add_partitions fault (room reserved) */
    /* Replica racks (scenario_racks.c): "racks" (explicit, one list per partition, leader
     * first) or "rack_count" + "replication_factor" (Kafka's broker placement, one broker per
     * rack). Without either the topic has no rack information (both NULL). */
    int32_t rack_count;               /* "rack_count": racks rack-0..rack-(n-1); 0 = not given */
    int32_t replication_factor;       /* with rack_count: replicas per partition (default 1) */
    bool explicit_racks;              /* "racks" was given */
    uint64_t *replica_racks;          /* [max_partitions] bit r: a replica on rack_names[r] */
    int32_t *leader_rack;             /* [max_partitions] rack of the first replica (leader) */
} cg_topic_cfg_t;

typedef struct cg_producer_cfg {
    char *id;                         /* producer id, unique */
    int32_t topic;                    /* topic index */
    double rate_per_s;                /* records per second over all partitions */
    cg_arrival_t arrival;             /* "constant" or "poisson" (default "poisson") */
    int64_t keys;                     /* key-space size; keys are the strings "0".."keys-1" */
    cg_key_dist_t key_dist;           /* "uniform" (default) or "zipf" */
    double zipf_s;                    /* Zipf exponent (default 1.0) */
    int64_t start_ns;                 /* first record time (default 0) */
    int64_t stop_ns;                  /* no records after this (default: end of run) */
} cg_producer_cfg_t;

/* Client (consumer) configuration, Kafka names in comments; times in ns. */
#define CG_RACK_AWARE_SELECTOR "org.apache.kafka.common.replica.RackAwareReplicaSelector"
/* group.consumer.migration.policy (Kafka 4.0 ConsumerGroupMigrationPolicy): which online
 * conversions between a classic and a consumer group the coordinator makes. */
typedef enum cg_migration_policy {
    CG_MIGRATION_BIDIRECTIONAL = 0,   /* default in 4.0: upgrade and downgrade */
    CG_MIGRATION_UPGRADE,             /* classic -> consumer only */
    CG_MIGRATION_DOWNGRADE,           /* consumer -> classic only */
    CG_MIGRATION_DISABLED             /* neither (a non-empty group keeps its type) */
} cg_migration_policy_t;

typedef struct cg_client_cfg {
    int64_t session_timeout_ns;       /* session.timeout.ms, 45000 */
    int64_t heartbeat_interval_ns;    /* heartbeat.interval.ms, 3000 */
    int64_t max_poll_interval_ns;     /* max.poll.interval.ms, 300000 */
    int32_t max_poll_records;         /* max.poll.records, 500 */
    bool enable_auto_commit;          /* enable.auto.commit, true; false = commitSync per batch */
    int64_t auto_commit_interval_ns;  /* auto.commit.interval.ms, 5000 */
    cg_offset_reset_t auto_offset_reset; /* auto.offset.reset, latest */
    int64_t fetch_max_wait_ns;        /* fetch.max.wait.ms, 500 */
    int64_t request_timeout_ns;       /* request.timeout.ms, 30000 */
    int64_t retry_backoff_ns;         /* retry.backoff.ms, 100 */
    int64_t metadata_max_age_ns;      /* metadata.max.age.ms, 300000 */
    char *group_instance_id;          /* group.instance.id, NULL = dynamic member */
    char *client_rack;                /* client.rack, NULL */
    char *group_remote_assignor;      /* group.remote.assignor (consumer protocol), NULL */
} cg_client_cfg_t;

typedef struct cg_consumer_cfg {
    char *id;                         /* consumer id, unique in its group ("c", or "c-3" from count) */
    int32_t group;                    /* group index */
    int32_t *topics;                  /* subscribed topic indexes, sorted, unique */
    size_t n_topics;
    bool starts;                      /* joins at join_at_ns; false when join_at_ms is null
                                         (the consumer exists only for a later "join" fault) */
    int64_t join_at_ns;               /* join_at_ms, default 0 */
    sim_dist_t processing;            /* processing_ms per record, default constant 1 ms */
    cg_client_cfg_t cfg;              /* group config merged with the consumer's own */
    const cg_assignor_ops_t *strategy[CG_MAX_STRATEGY]; /* classic: partition.assignment.strategy
                                         in preference order (its own, the group's, or the
                                         group's assignor alone) */
    uint32_t n_strategy;
    bool cooperative;                 /* classic: COOPERATIVE rebalance protocol: every assignor
                                         of its list supports it (or the group's "rebalance"
                                         when it has the group's list) */
    cg_protocol_t protocol;           /* group.protocol: the group's, or "consumer" in a classic
                                         group (an online upgrade, models/world/migration) */
} cg_consumer_cfg_t;

/* Broker-side settings of the group's coordinator (may be set in the group's "config"). */
typedef struct cg_broker_cfg {
    int64_t initial_rebalance_delay_ns;   /* group.initial.rebalance.delay.ms, 3000 */
    int64_t min_session_timeout_ns;       /* group.min.session.timeout.ms, 6000 */
    int64_t max_session_timeout_ns;       /* group.max.session.timeout.ms, 1800000 */
    int64_t new_member_join_timeout_ns;   /* classic new-member join timeout, 300000 (fixed) */
    int64_t consumer_session_timeout_ns;  /* group.consumer.session.timeout.ms, 45000 */
    int64_t consumer_heartbeat_interval_ns; /* group.consumer.heartbeat.interval.ms, 5000 */
    int64_t consumer_min_session_timeout_ns;   /* group.consumer.min.session.timeout.ms, 45000 */
    int64_t consumer_max_session_timeout_ns;   /* group.consumer.max.session.timeout.ms, 60000 */
    int64_t consumer_min_heartbeat_interval_ns;/* group.consumer.min.heartbeat.interval.ms, 5000 */
    int64_t consumer_max_heartbeat_interval_ns;/* group.consumer.max.heartbeat.interval.ms, 15000 */
    bool rack_aware_selector;         /* replica.selector.class is Kafka's
                                         RackAwareReplicaSelector (KIP-392: consumers with a
                                         client.rack fetch from a replica on their rack); default
                                         none: every fetch goes to the leader */
    cg_migration_policy_t migration_policy;   /* group.consumer.migration.policy, bidirectional */
} cg_broker_cfg_t;

typedef struct cg_group_cfg {
    char *id;                         /* group id, unique */
    cg_protocol_t protocol;           /* "classic" (default) or "consumer" (KIP-848) */
    bool cooperative;                 /* rebalance "cooperative"; implied by cooperative-sticky */
    const cg_assignor_ops_t *assignor;/* "assignor", default "range" (classic) / "uniform" */
    cg_broker_cfg_t broker;           /* coordinator settings */
    sim_dist_t network_ms;            /* one-way member<->coordinator latency, default constant 1 */
    sim_dist_t assignor_ms;           /* classic: the leader's assignment time between its JoinGroup
                                         response and its SyncGroup, default constant 0 */
    int64_t coordinator_failover_ns;  /* time to rediscover a moved coordinator, default 3000 ms */
    bool migrates;                    /* classic: a consumer or a fault uses group.protocol
                                         "consumer" (the group may become a consumer group) */
    bool strategies_vary;             /* classic: some member lists other assignors than the
                                         group's, or a fault changes a list: the coordinator's
                                         choice is written in rebalance_end */
    size_t first_consumer;            /* this group's consumers are consumers[first..first+n) */
    size_t n_consumers;
} cg_group_cfg_t;

typedef enum cg_fault_action {
    CG_FAULT_CRASH = 0, CG_FAULT_RESTART, CG_FAULT_LEAVE, CG_FAULT_JOIN, CG_FAULT_PAUSE,
    CG_FAULT_RESUME, CG_FAULT_HANG, CG_FAULT_SLOW, CG_FAULT_ISOLATE, CG_FAULT_HEAL,
    CG_FAULT_COORDINATOR_FAILOVER, CG_FAULT_ROLLING_RESTART, CG_FAULT_SCALE,
    CG_FAULT_SUBSCRIBE,               /* a running consumer calls subscribe() with `topics` */
    CG_FAULT_ADD_PARTITIONS,          /* `count` partitions added to the target topic */
    CG_FAULT_ACTION_COUNT
} cg_fault_action_t;

typedef struct cg_fault_cfg {
    int64_t at_ns;                    /* at_ms */
    cg_fault_action_t action;         /* action */
    char *target;                     /* as written: "group/consumer" or "group" */
    int32_t group;                    /* target group index */
    int32_t consumer;                 /* target consumer index (global), -1 for group targets */
    int64_t duration_ns;              /* duration_ms: the inverse action follows; -1 = none */
    double factor;                    /* slow: processing-time multiplier (default 10) */
    int32_t count;                    /* scale: +N adds, -N removes (by consumer order);
                                         add_partitions: partitions added */
    int32_t topic;                    /* add_partitions: target topic index, else -1 */
    int64_t interval_ns;              /* rolling_restart: time between members (default 10 s);
                                         scale: time between members added/removed (default 0) */
    int64_t down_ns;                  /* rolling_restart: time each member stays down (5 s) */
    int32_t *topics;                  /* restart/join: the process's new subscription (sorted),
                                         NULL = unchanged */
    size_t n_topics;
    const cg_assignor_ops_t **strategy; /* restart/join/rolling_restart "config": the new
                                         processes' partition.assignment.strategy, NULL = same */
    uint32_t n_strategy;
    bool cooperative;                 /* their rebalance protocol (every listed assignor
                                         supports COOPERATIVE) */
    bool set_protocol;                /* restart/join/rolling_restart "config" gives group.protocol */
    cg_protocol_t protocol;           /* the new processes' group.protocol when set_protocol */
} cg_fault_cfg_t;

/* A stochastic failure model: each targeted member alternates up (time-to-failure) and down
 * (time-to-repair); the action at each failure is drawn by weight. */
typedef struct cg_failure_model_cfg {
    char *name;                       /* "stochastic" (registry name) */
    int32_t group;                    /* target group index, -1 = all groups */
    sim_dist_t ttf_ms;                /* time to failure */
    sim_dist_t ttr_ms;                /* time to repair (the inverse action) */
    double weights[CG_FAULT_ACTION_COUNT]; /* per action; only crash, hang, pause, slow, isolate, leave */
    double slow_factor;               /* factor for "slow" failures */
    int64_t start_ns;                 /* no failure before this */
} cg_failure_model_cfg_t;

/* Kubernetes HPA scaling rules of one direction (autoscaling/v2 HPAScalingRules). */
typedef enum cg_hpa_policy_type { CG_HPA_PODS = 0, CG_HPA_PERCENT } cg_hpa_policy_type_t;
typedef enum cg_hpa_select {
    CG_HPA_SELECT_MAX = 0, CG_HPA_SELECT_MIN, CG_HPA_SELECT_DISABLED
} cg_hpa_select_t;

typedef struct cg_hpa_policy {
    cg_hpa_policy_type_t type;        /* "Pods" or "Percent" */
    int32_t value;                    /* pods, or percent of the period's starting replicas */
    int64_t period_ns;                /* periodSeconds */
} cg_hpa_policy_t;

typedef struct cg_hpa_rules {
    int64_t window_ns;                /* stabilizationWindowSeconds */
    cg_hpa_select_t select;           /* selectPolicy: Max (default), Min, Disabled */
    cg_hpa_policy_t policies[CG_MAX_HPA_POLICIES];
    uint32_t n_policies;
    double tolerance;                 /* tolerance of this direction (1.33+), default the HPA's */
} cg_hpa_rules_t;

/* A KEDA ScaledObject with the Kafka scaler, feeding a Kubernetes HPA, for one group
 * (kafka-operations.md section 1; names as KEDA and Kubernetes spell them). */
typedef struct cg_autoscaler_cfg {
    int32_t group;                    /* group index */
    sim_dist_t pod_start_ms;          /* pod created -> its consumer process starts */
    int64_t polling_ns;               /* pollingInterval, 30 s */
    int64_t cooldown_ns;              /* cooldownPeriod, 300 s (to zero replicas only) */
    int64_t initial_cooldown_ns;      /* initialCooldownPeriod, 0 */
    int32_t min_replicas;             /* minReplicaCount, 0 */
    int32_t max_replicas;             /* maxReplicaCount, 100 (at most the group's consumers) */
    int32_t topic;                    /* trigger topic index, -1: the topics with offsets */
    int64_t lag_threshold;            /* lagThreshold, 10 */
    int64_t activation_lag_threshold; /* activationLagThreshold, 0 */
    bool reset_earliest;              /* offsetResetPolicy "earliest" (default "latest") */
    bool allow_idle;                  /* allowIdleConsumers */
    bool limit_to_lagging;            /* limitToPartitionsWithLag */
    bool exclude_persistent;          /* excludePersistentLag */
    bool zero_on_invalid;             /* scaleToZeroOnInvalidOffset */
    bool even_distribution;           /* ensureEvenDistributionOfPartitions */
    int64_t sync_ns;                  /* HPA sync period, 15 s */
    double tolerance;                 /* HPA tolerance, 0.1 */
    int64_t downscale_window_ns;      /* HPA downscale stabilization, 300 s */
    bool behavior;                    /* "behavior" given (else KEDA's nil behavior) */
    cg_hpa_rules_t up, down;          /* behavior.scaleUp / scaleDown, defaults filled */
} cg_autoscaler_cfg_t;

typedef struct cg_scenario {
    char *path;                       /* file it came from (for messages) */
    char *name;                       /* "name" */
    uint64_t seed;                    /* "seed", default 1 */
    int64_t duration_ns;              /* "duration_ms" */
    int64_t lag_sample_ns;            /* "lag_sample_ms": grid of lag/latency records, 0 none */
    cg_topic_cfg_t *topics;           /* sorted by name */
    char **rack_names;                /* every rack a topic names, in order of appearance */
    size_t n_racks;                   /* at most CG_MAX_RACKS */
    size_t n_topics;
    cg_producer_cfg_t *producers;
    size_t n_producers;
    cg_group_cfg_t *groups;
    size_t n_groups;
    cg_consumer_cfg_t *consumers;     /* all groups, grouped by group in group order */
    size_t n_consumers;
    cg_fault_cfg_t *faults;           /* sorted by at_ns, stable (file order on ties) */
    size_t n_faults;
    cg_failure_model_cfg_t *failure_models;
    size_t n_failure_models;
    cg_autoscaler_cfg_t *autoscalers; /* at most one per group, in file order */
    size_t n_autoscalers;
} cg_scenario_t;

/* Options of a load; a zeroed struct means the defaults. */
typedef struct cg_load_opts {
    uint64_t memory_budget_bytes;     /* 0 = CG_DEFAULT_MEMORY_BUDGET_BYTES (models/limits.h) */
} cg_load_opts_t;

/* Load and validate a file; `sets` are "path=value" overrides applied to the JSON before
 * validation. Returns 0, or -1 with every problem found in `diag` (as many as can be found in
 * one pass, each "FILE: $.path: message"). */
int cg_scenario_load(const char *path, const char *const *sets, size_t n_sets,
                     cg_scenario_t **out, sim_diag_t *diag);
/* The same from text in memory; `fname` is used in messages. */
int cg_scenario_parse(const char *fname, const char *text, size_t len,
                      const char *const *sets, size_t n_sets, cg_scenario_t **out,
                      sim_diag_t *diag);
/* The same with options (NULL = defaults): a scenario whose estimated memory exceeds the
 * budget is refused with the product named (models/scenario_budget.c). */
int cg_scenario_load_opts(const char *path, const char *const *sets, size_t n_sets,
                          const cg_load_opts_t *opts, cg_scenario_t **out, sim_diag_t *diag);
int cg_scenario_parse_opts(const char *fname, const char *text, size_t len,
                           const char *const *sets, size_t n_sets, const cg_load_opts_t *opts,
                           cg_scenario_t **out, sim_diag_t *diag);
void cg_scenario_free(cg_scenario_t *s);
/* A distribution as the scenario format writes it ({"dist": ..., parameters}); NULL on OOM. */
struct cJSON *cg_dist_json(const sim_dist_t *d);
const char *cg_fault_action_name(cg_fault_action_t a);
/* "bidirectional", "upgrade", "downgrade", "disabled" (Kafka's lower-case names). */
const char *cg_migration_policy_name(cg_migration_policy_t p);
int cg_fault_action_from_name(const char *name);   /* action or -1 */

#endif
