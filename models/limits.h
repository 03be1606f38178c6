/* models/limits: every bound on scenario input, named once. Input beyond a bound is refused with
 * a message that names the bound; nothing is truncated. */
#ifndef CG_LIMITS_H
#define CG_LIMITS_H

#define CG_MAX_SCENARIO_BYTES (64 * 1024 * 1024)   /* scenario file size */
#define CG_MAX_JSON_DEPTH 64                       /* nesting depth of any JSON input */
#define CG_MAX_NAME_LEN 255                        /* ids and topic names, bytes */
#define CG_MAX_TOPICS 10000
#define CG_MAX_PARTITIONS_PER_TOPIC 1000000
#define CG_MAX_PARTITIONS_TOTAL 10000000
#define CG_MAX_PRODUCERS 10000
#define CG_MAX_GROUPS 1000
#define CG_MAX_CONSUMERS 100000                    /* over all groups, after "count" expansion */
#define CG_MAX_FAULTS 1000000
#define CG_MAX_KEYS 10000000                       /* key space of one producer */
#define CG_MAX_RATE_PER_S 1e9                      /* records per second of one producer */
#define CG_MAX_DURATION_MS (1000LL * 86400 * 365)  /* one year of virtual time */
/* "lag_sample_ms": every sample walks the subscribed partitions of each group (one log-end read
 * each), so finer grids are refused; 0 turns the lag and latency records off. */
#define CG_DEFAULT_LAG_SAMPLE_MS 1000
#define CG_MIN_LAG_SAMPLE_MS 100
#define CG_MAX_CONFIG_MS (1000LL * 86400 * 365)    /* any *.ms setting */
#define CG_MAX_POLL_RECORDS 1000000
#define CG_MAX_STRATEGY 16                         /* names in partition.assignment.strategy */
/* Replica racks: a partition's racks are a 64-bit mask (models/assign/rack.h), so a scenario (or
 * an `assign` input) names at most 64 distinct racks; a partition lists at most
 * CG_MAX_REPLICAS replicas (Kafka has no hard limit; real clusters use 3 to 5). */
#define CG_MAX_RACKS 64
#define CG_MAX_REPLICAS 64
#define CG_MAX_DIST_PARAM 1e12                     /* any distribution parameter */
#define CG_MAX_SLOW_FACTOR 1e6
#define CG_MAX_SEED 18446744073709551615.0         /* seeds are uint64 */
/* Group helpers (rolling_restart, scale) space their members by interval_ms: the last step,
 * at_ms + (members - 1) x interval_ms + down_ms, must stay within this span so that times in ns
 * fit in int64 (a year's interval over 294 members did not). */
#define CG_MAX_FAULT_SPAN_MS (100LL * CG_MAX_DURATION_MS)
/* Smallest mean time to failure of a stochastic failure model: below it members fail faster
 * than virtual time can usefully advance (1e-7 ms drew 0 ns for ever). */
#define CG_MIN_TTF_MS 1.0

/* Autoscalers (kafka-operations.md section 1): Kubernetes' own validation bounds HPA policies'
 * periodSeconds by 1800 and stabilizationWindowSeconds by 3600; KEDA's and the HPA's periods
 * are whole seconds, at least one. */
#define CG_MAX_HPA_POLICIES 16                     /* policies of one scaling direction */
#define CG_MAX_HPA_PERIOD_S 1800                   /* policies' periodSeconds (Kubernetes) */
#define CG_MAX_HPA_WINDOW_S 3600                   /* stabilizationWindowSeconds (Kubernetes) */
#define CG_MAX_AUTOSCALE_PERIOD_S 86400            /* pollingInterval, sync period, cooldowns */
#define CG_MAX_LAG_THRESHOLD 1000000000000LL       /* lagThreshold, activationLagThreshold */

/* Memory budget: before building anything large the loader (and `cgsim assign`) estimates what
 * the input will need and refuses what cannot run within the budget, naming the product that
 * exceeds it. The default is 1 GiB; --memory-budget-mib raises it. The estimates are per
 * element, measured on this build and rounded up (see models/scenario_budget.c). */
#define CG_DEFAULT_MEMORY_BUDGET_BYTES (1024ULL * 1024 * 1024)
#define CG_MAX_MEMORY_BUDGET_MIB (1024ULL * 1024)           /* 1 TiB: the flag's upper bound */
#define CG_BYTES_PER_PARTITION 296         /* partition log (128) + latency checkpoints (136) +
                                              world tables */
#define CG_BYTES_PER_GROUP_PARTITION 64    /* coordinator state of one group, every partition */
#define CG_BYTES_PER_PRODUCER_PARTITION 160 /* one producer's rate entry (built, then copied) */
#define CG_BYTES_PER_CONSUMER 2048         /* configuration, client, member, streams */
#define CG_BYTES_PER_SUBSCRIPTION 16       /* one consumer x one subscribed topic */
#define CG_BYTES_PER_ASSIGN_PARTITION 320  /* `assign`: owner, assignor state, result JSON */
/* Key shares are computed by hashing every key of a producer (cached while consecutive
 * producers have the same keys and partition count): a time bound, not a memory one. */
#define CG_MAX_KEY_HASHES 250000000LL

#endif
