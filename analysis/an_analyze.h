/* analysis/an_analyze: metrics of one trace (design.md trace format), read as a stream.
 * Owns: the trace reader (one line at a time, getline + cJSON per line), the per-group state
 *       machine (ownership, unavailability, balance, lag) and the summary it leaves in an_result_t.
 * Does not own: the input stream, printing policy or exit codes (cli/), simulator internals (it
 *       reads traces only, so it works on traces from any tool that writes the format).
 * Invariant: memory is O(groups + members + partitions + rebalances), never O(trace lines); the
 *            same trace gives the same result bytes; groups, members and partitions are kept in
 *            order of first appearance in the trace.
 *
 * Definitions (also in `cgsim analyze --help`):
 * - ownership: a member owns a partition from an `assignment` listing it until a `revoke` listing
 *   it, a later `assignment` of that member without it, or its `member_leave`; open intervals end
 *   at the end of the run.
 * - end of the run: `t` of run_end, or of the last complete record of a partial trace.
 * - subscribed partitions of a group: those that appear in at least one of its assignments.
 * - unavailable_partition_ms: sum over subscribed partitions of the time without an owner, from
 *   the group's first `assignment` record to the end of the run.
 * - stalled_partition_ms: unavailable_partition_ms plus the time a subscribed partition was owned
 *   by a member whose process was not processing: from an applied `fault` record on that member
 *   (target "group/member") with action crash or leave (until the member's next `assignment`),
 *   pause or hang (until resume), isolate (until heal), to the end of its ownership. It is the
 *   time nobody in the group was working on the partition, whatever the cause; the stall of a
 *   crash begins at the crash, not at the session timeout that ends the ownership.
 * - balance.mean: time-weighted mean of (max - min) partitions owned per member, over the members
 *   currently in the group (member_join or assignment .. member_leave), over the settled time:
 *   from each rebalance_end to the next rebalance_start (the end of the run closes it), so that
 *   the states a rebalance passes through do not count. balance.settled_ms: that time.
 * - lag: from commit records with ok=true that carry end_offset: lag = end_offset - offset of
 *   that partition at that time. max_lag_records: max over partitions and commits.
 *   lag_mean_records: the group's total lag (sum over partitions of their last committed lag,
 *   piecewise constant between commits) averaged over time from the group's first such commit to
 *   the end of the run. max_total_lag_records: the largest value of that total.
 *   Between commits the committed lag is held constant: a partition whose consumer died keeps
 *   its last committed lag until a commit for it is accepted again.
 * - sampled lag: from `lag` records (one per group per lag_sample_ms of virtual time). Each
 *   carries, over the group's subscribed partitions at that instant, the total and the largest
 *   end - committed (partitions with a committed offset) and end - position (partitions with a
 *   position: the owner's, else the committed offset). lag_committed_max.max is the largest
 *   committed lag of any partition at any sample; lag_committed_total.max and .mean are the
 *   largest and the mean (over samples) of the group's total; position likewise. A sample with
 *   no committed (position) partition adds nothing to that figure.
 * - latency: from `latency` records, whose bucket counts are summed per group; p50 and p99 are
 *   sim_loghist_quantile of the sums (nearest rank, the bucket's largest value, at most the
 *   largest max_ms), max the largest max_ms.
 * - autoscale: from `autoscale` records (models/autoscale): decisions counts them, scale_ups
 *   and scale_downs those whose action is up / down (the scale events), max_replicas is the
 *   largest current or desired replica count in them.
 * - owned_partition_ms (per member): sum of its ownership intervals. */
#ifndef AN_ANALYZE_H
#define AN_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>
#include "analysis/an_stats.h"
#include "sim/loghist.h"
#include "sim/series.h"

#define AN_NO_GROUP ((size_t)-1)      /* observer mark that belongs to no group (faults) */
/* Bounds on trace input; a trace beyond one is refused (exit 2), never truncated. A line of
 * 16 MiB holds an assignment of about a million partitions; cJSON needs at most ~32 bytes of
 * tree per input byte, so one line stays far below a gigabyte. */
#define AN_MAX_LINE_BYTES (16 * 1024 * 1024)
#define AN_MAX_T_MS 9.2e12            /* "t" in ms: 292 years, so that t in ns fits in int64 */
/* add_partitions fault records: at most this many per trace, each to at most this many
 * partitions (the simulator's own CG_MAX_PARTITIONS_PER_TOPIC), so that the partitions they
 * create cost analysis time only when records name them. */
#define AN_MAX_PARTITION_ADDS 10000
#define AN_MAX_TOPIC_PARTITIONS 1000000

#define AN_PROGRESS_LINES 65536        /* lines between two progress calls */

typedef struct an_opts {
    bool partial;                     /* accept a trace without run_end and a truncated last line */
    void (*progress)(void *ctx, int64_t bytes); /* bytes read so far, every AN_PROGRESS_LINES
                                         lines (a terminal's progress line), or NULL */
    void *progress_ctx;               /* passed back to progress */
} an_opts_t;

typedef enum an_mark_kind {
    AN_MARK_REBALANCE_START = 0,      /* rebalance_start record */
    AN_MARK_REBALANCE_END,            /* rebalance_end record */
    AN_MARK_FAULT                     /* fault record (applied or not) */
} an_mark_kind_t;

/* Optional callbacks for consumers of the stream such as plots; any member may be NULL. Indexes
 * are those of the result (group order, member and partition order within the group). */
typedef struct an_observer {
    void *ctx;                        /* passed back to every callback */
    void (*owned)(void *ctx, size_t group, size_t part, size_t member, int64_t start_ns,
                  int64_t end_ns);    /* one closed ownership interval */
    void (*mark)(void *ctx, int64_t t_ns, an_mark_kind_t kind, size_t group, const char *label);
    void (*lag)(void *ctx, size_t group, int64_t t_ns, int64_t total_lag_records);
    void (*stalled)(void *ctx, size_t group, size_t part, size_t member, int64_t start_ns,
                    int64_t end_ns);      /* owned by a member a fault stopped (may be NULL) */
    void (*lag_sample)(void *ctx, size_t group, int64_t t_ns, int64_t committed_total,
                       int64_t position_total); /* a `lag` record; -1: no such partition */
    /* n_parts subscribed partitions without an owner over [start_ns, end_ns): part is the
     * partition index with n_parts 1, or AN_NO_GROUP for added partitions no record named
     * (then n_parts of them, from their add to the end). The intervals add up, with those of
     * `stalled`, to the group's stalled_partition_ms. */
    void (*unowned)(void *ctx, size_t group, size_t part, int64_t n_parts, int64_t start_ns,
                    int64_t end_ns);
    void (*rebalance)(void *ctx, size_t group, int64_t t_ns, double duration_ms,
                      int64_t generation, int64_t members, int64_t moved); /* rebalance_end */
    void (*fault)(void *ctx, int64_t t_ns, const char *action, const char *target,
                  bool applied);      /* every fault record, add_partitions included */
} an_observer_t;

typedef struct an_count {
    char *key;                        /* reason name */
    int64_t count;                    /* occurrences */
} an_count_t;

typedef struct an_member_sum {
    char *name;                       /* consumer id as in the trace's "member" */
    double owned_partition_ms;        /* partition-milliseconds owned */
    int64_t joins;                    /* member_join records */
    int64_t leaves;                   /* member_leave records */
} an_member_sum_t;

typedef struct an_part_sum {
    char *topic;                      /* topic name */
    int64_t partition;                /* partition number */
    bool subscribed;                  /* appeared in an assignment of the group */
    double unavailable_ms;            /* time without owner (subscribed partitions only) */
    double stalled_ms;                /* unavailable_ms + owned by a stopped member */
} an_part_sum_t;

/* The commit.error names a trace can carry (design.md), then "other" for any name not listed:
 * failed commits are counted by them. */
#define AN_COMMIT_ERRORS 12
extern const char *const an_commit_error_names[AN_COMMIT_ERRORS];
/* Index of the error name err[0..len) in an_commit_error_names ("other" when unknown). */
size_t an_commit_error_index(const char *err, size_t len);

typedef struct an_group_sum {
    char *name;                       /* group id */
    int64_t rebalances;               /* rebalance_end records */
    int64_t rebalances_started;       /* rebalance_start records */
    an_quantiles_t rebalance_ms;      /* of rebalance_end.duration_ms; NaN when none */
    double *rebalance_durations_ms;   /* sorted ascending, `rebalances` values */
    double unavailable_partition_ms;  /* see the definitions above */
    double stalled_partition_ms;      /* see the definitions above */
    int64_t moved_partitions;         /* sum of rebalance_end.moved */
    int64_t duplicates;               /* sum of duplicate.records */
    int64_t zombie_records;           /* sum of zombie.records */
    int64_t max_lag_records;          /* -1 when no ok commit carried end_offset */
    double lag_mean_records;          /* NaN when no ok commit carried end_offset */
    int64_t max_total_lag_records;    /* max over time of the group's total lag; -1 as above */
    /* Sampled lag, from `lag` records (an_series.c; sim/series as the run summary): one sample
     * per record with committed (position) partitions; max -1 and mean NaN without any. */
    int64_t lag_samples;              /* `lag` records */
    sim_series_t lag_committed_total; /* committed: the group's total end - committed */
    sim_series_t lag_committed_max;   /* committed_max: the largest partition's */
    sim_series_t lag_position_total;  /* position: the group's total end - position */
    sim_series_t lag_position_max;    /* position_max */
    /* End-to-end latency, from `latency` records (an_series.c; sim/loghist as the summary). */
    int64_t latency_records;          /* sum of their records */
    int64_t latency_max_ns;           /* largest max_ms, -1 without any record */
    double latency_p50_ms, latency_p99_ms; /* sim_loghist_quantile; NaN without records */
    int64_t latency_counts[SIM_LOGHIST_BUCKETS]; /* summed buckets (microseconds) */
    int64_t autoscale_decisions;      /* `autoscale` records (one per KEDA poll, HPA sync) */
    int64_t autoscale_ups;            /* of those, action "up": scale events adding pods */
    int64_t autoscale_downs;          /* action "down": scale events removing pods */
    int64_t autoscale_max_replicas;   /* largest current or desired of them, -1 without any */
    int64_t rack_records;             /* records fetched by members with a rack from partitions
                                         with replica racks (`fetch`, `topic`, member_join.rack) */
    int64_t cross_rack_records;       /* of those, from a leader on another rack */
    int64_t commits_ok;               /* commit records with ok=true */
    int64_t commits_failed;           /* commit records with ok=false */
    int64_t commits_failed_by[AN_COMMIT_ERRORS]; /* of those, by error (an_commit_error_names) */
    double balance_mean;              /* NaN without settled time */
    double balance_settled_ms;        /* time from rebalance_end to the next rebalance_start */
    int64_t errors;                   /* error records */
    int64_t ownership_conflicts;      /* assignments of a partition another member still owned */
    double first_assignment_ms;       /* NaN when none */
    int64_t partitions;               /* subscribed partitions */
    an_member_sum_t *members;         /* order of first appearance */
    size_t n_members;
    an_part_sum_t *parts;             /* order of first appearance */
    size_t n_parts;
    an_count_t *leave_reasons;        /* member_leave reasons, order of first appearance */
    size_t n_leave_reasons;
    an_count_t *rebalance_reasons;    /* rebalance_start reasons, order of first appearance */
    size_t n_rebalance_reasons;
} an_group_sum_t;

typedef struct an_result {
    an_group_sum_t *groups;           /* order of first appearance */
    size_t n_groups;
    bool partial;                     /* no run_end (aborted or truncated run) */
    bool complete;                    /* run_end seen */
    double end_ms;                    /* end of the run, see above */
    int64_t records;                  /* records read (skipped high-volume ones included) */
    cJSON *run;                       /* run_start fields (scenario, seed, version) and run_end
                                         fields, plus end_ms/faults/partial/aborted */
    int64_t faults;                   /* fault records */
    int64_t faults_applied;           /* fault records with applied=true */
} an_result_t;

/* Read a whole trace. `name` names the input in messages ("TRACE:LINE: message"). Returns 0, or -1
 * with the message in err (the result is then empty). -2 means out of memory. */
int an_analyze_stream(FILE *in, const char *name, const an_opts_t *opts,
                      const an_observer_t *obs, an_result_t *res, char *err, size_t errlen);
void an_result_fini(an_result_t *res);
/* {"groups": {...}, "run": {...}} as cgsim analyze --json prints it. NULL on OOM. */
cJSON *an_result_json(const an_result_t *res);
/* The aligned human table. */
void an_result_print(const an_result_t *res, const char *name, FILE *out);
/* Totals over all groups (sums; maxima of maxima; rebalance quantiles over all durations;
 * balance of the worst group), for compare. Fills a summary without members/parts. */
int an_result_total(const an_result_t *res, an_group_sum_t *total);
void an_group_sum_fini(an_group_sum_t *g);

/* cross_rack_records / rack_records, NaN when no record was fetched with known racks. */
double an_cross_rack_share(const an_group_sum_t *g);

#endif
