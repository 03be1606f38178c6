/* models/world: the Kafka world wired to the engine: producers, partition logs, consumers,
 * coordinators, failure models; one run of one scenario.
 * Owns: all simulation state of a run and the trace records it emits (design.md).
 * Does not own: the scenario (read only), the trace destination (caller's), printing.
 * Invariant: within a group no partition is owned by two members at once (asserted, and checked
 *            with the run's `check` option); the trace is complete only when run_end is written. */
#ifndef CG_WORLD_H
#define CG_WORLD_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/loghist.h"
#include "sim/series.h"
#include "sim/trace.h"
#include "models/scenario/scenario.h"

typedef struct cg_world cg_world_t;

typedef enum cg_trace_level { CG_TRACE_NORMAL = 0, CG_TRACE_DEBUG = 1 } cg_trace_level_t;

typedef struct cg_run_opts {
    uint64_t seed;                    /* master seed (the scenario's, or --seed) */
    sim_trace_t *trace;               /* where records go (may discard) */
    cg_trace_level_t trace_level;     /* debug adds a `poll` record per fetch */
    bool check;                       /* verify invariants during the run (--check) */
    uint64_t max_events;              /* 0 = no limit */
    volatile int *interrupt;          /* set non-zero (SIGINT) to stop; the trace then ends
                                         with run_aborted */
    void (*progress)(void *ctx, int64_t now_ns, int64_t end_ns, uint64_t events); /* or NULL */
    void *progress_ctx;
    bool no_run_ahead;                /* every poll an engine event (--no-run-ahead: the same
                                         trace, slower; for verification) */
} cg_run_opts_t;

typedef struct cg_group_summary {
    const char *group;                /* group id */
    int64_t rebalances;               /* completed rebalances (rebalance_end records) */
    int64_t rebalance_ns_total;       /* sum of rebalance durations */
    int64_t rebalance_ns_max;         /* longest rebalance */
    int64_t moved;                    /* partitions that changed owner, summed */
    int64_t max_lag_records;          /* max over time of produced - committed, over partitions;
                                         -1 before any accepted commit */
    int64_t duplicates;               /* records processed twice */
    int64_t zombie_records;           /* records processed by members that no longer owned them */
    int64_t unavailable_partition_ns; /* partition-time with no owner after the first assignment */
    int64_t stalled_partition_ns;     /* unavailable + owned by a member stopped by a fault */
    /* Sampled lag (models/lagsample): one sample per `lag` record that had partitions with the
     * figure (committed: with a committed offset; position: with a position). */
    int64_t lag_samples;              /* `lag` records of the group */
    sim_series_t lag_committed_total; /* per sample: sum over partitions of end - committed */
    sim_series_t lag_committed_max;   /* per sample: max over partitions of end - committed */
    sim_series_t lag_position_total;  /* per sample: sum over partitions of end - position */
    sim_series_t lag_position_max;    /* per sample: max over partitions of end - position */
    /* End-to-end latency (models/latency): records first processed, from append to the end of
     * their batch, as written in the `latency` records. */
    int64_t balance_settled_ns;       /* time from rebalance_end to the next rebalance_start */
    double balance_integral;          /* integral over it of max - min partitions per member
                                         (models/balance); mean = integral / settled time */
    /* Autoscaler (models/autoscale): its `autoscale` records. */
    int64_t autoscale_decisions;      /* `autoscale` records of the group */
    int64_t autoscale_ups;            /* of those, with action up (desired > current) */
    int64_t autoscale_downs;          /* of those, with action down */
    int64_t autoscale_max_replicas;   /* largest current or desired of those records */
    int64_t latency_records;          /* records counted */
    int64_t latency_max_ns;           /* largest latency, -1 none */
    int64_t latency_counts[SIM_LOGHIST_BUCKETS]; /* by sim/loghist bucket of microseconds */
    /* Cross-rack fetches (models/world/racks), when topics have replica racks. */
    int64_t rack_records;             /* records fetched by members with a client.rack from
                                         partitions with replica racks */
    int64_t cross_rack_records;       /* of those, from a leader on another rack */
} cg_group_summary_t;

typedef struct cg_run_result {
    bool completed;                   /* run_end written */
    uint64_t events;                  /* engine events executed */
    int64_t records_produced;
    int64_t records_consumed;
    int64_t duplicates;
    size_t n_groups;
    cg_group_summary_t *groups;       /* owned by the world; valid until cg_world_free */
} cg_run_result_t;

/* Build the world for a validated scenario. Returns 0, or -1 with a message. */
int cg_world_new(const cg_scenario_t *s, const cg_run_opts_t *opts, cg_world_t **out,
                 char *err, size_t errlen);
/* Run to the scenario's end. Returns 0 (completed), 1 (interrupted; trace ends with
 * run_aborted), or -1 (failure such as an invariant violation, message in err; trace ends with
 * run_aborted). */
int cg_world_run(cg_world_t *w, cg_run_result_t *res, char *err, size_t errlen);
void cg_world_free(cg_world_t *w);

#endif
