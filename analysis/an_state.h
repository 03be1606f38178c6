/* analysis/an_state: the per-group state machine behind an_analyze (internal header).
 * Owns: ownership of partitions by members, unavailability, balance histogram, committed lag,
 *       counters, and turning all that into an_group_sum_t at the end of the run.
 * Does not own: reading or validating the trace (an_analyze.c hands it checked records).
 * Invariant: at most one owner per partition per group (a second owner ends the first one's
 *            interval and counts an ownership conflict); hist[k] = members in the group owning k
 *            partitions, and bal_min/bal_max are the smallest/largest k with hist[k] > 0. */
#ifndef AN_STATE_H
#define AN_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include "analysis/an_analyze.h"
#include "analysis/an_map.h"
#include "analysis/an_racks.h"

typedef struct an_counter {
    an_map_t keys;                    /* reason -> index */
    int64_t *counts;                  /* by index */
    size_t cap;                       /* capacity of counts */
} an_counter_t;

typedef struct an_part {
    int64_t partition;                /* partition number */
    size_t topic;                     /* index in an_state_t.topics */
    int64_t owner;                    /* member index, -1 = none */
    int64_t since_ns;                 /* last owner change (or subscription start) */
    int64_t unavailable_ns;           /* time without owner, subscribed only */
    int64_t stopped_ns;               /* time owned by a member while it was stopped */
    int64_t lag_records;              /* last committed lag, -1 = none yet */
    int64_t committed;                /* last ok committed offset, -1 = none yet */
    uint64_t stamp;                   /* scratch mark for set operations */
    int64_t created_ns;               /* added by an add_partitions record then, else 0 */
    bool subscribed;                  /* appeared in an assignment (or added to a topic the
                                         group had in an assignment) */
} an_part_t;

/* An add_partitions fault record: partitions [from, to) of a topic exist from t_ns on. */
typedef struct an_add {
    size_t topic;                     /* index in an_state_t.topics */
    int64_t from, to;                 /* the new partitions */
    int64_t t_ns;                     /* when */
} an_add_t;

/* Why a member's process is not processing (from applied fault records). */
enum { AN_STOP_DOWN = 1, AN_STOP_PAUSED = 2, AN_STOP_ISOLATED = 4 };

typedef struct an_mem {
    size_t *owned;                    /* partition indexes owned now, plus stale entries of
                                         partitions another member took (their owner is not
                                         this member); order of assignment kept */
    size_t n_owned;                   /* entries in owned, stale included */
    size_t n_live;                    /* entries whose partition this member owns */
    size_t cap_owned;                 /* capacity of owned */
    int64_t owned_ns;                 /* partition-ns owned, closed intervals */
    int64_t joins;                    /* member_join records */
    int64_t leaves;                   /* member_leave records */
    bool in_group;                    /* between member_join (or assignment) and member_leave */
    unsigned stop;                    /* AN_STOP_* bits: why its process is not processing */
    int64_t stop_since_ns;            /* when stop last became non-zero */
    size_t rack;                      /* client.rack of its last member_join (an_racks), 0 none */
} an_mem_t;

typedef struct an_grp {
    an_map_t member_ids;              /* member name -> index */
    an_mem_t *mem;                    /* by member index */
    size_t mem_cap;                   /* capacity of mem */
    an_map_t part_ids;                /* "topic\x1fpartition" -> index */
    an_part_t *part;                  /* by partition index */
    size_t part_cap;                  /* capacity of part */
    bool started;                     /* first assignment seen */
    int64_t t0_ns;                    /* first assignment time */
    double *dur_ms;                   /* rebalance durations */
    size_t n_dur, dur_cap;
    int64_t rebalances_started, moved, duplicates, zombie_records;
    int64_t commits_ok, commits_failed, errors, conflicts;
    int64_t failed_by[AN_COMMIT_ERRORS]; /* failed commits by error */
    int64_t *hist;                    /* members in group by partitions owned */
    size_t hist_cap;                  /* capacity of hist */
    uint64_t *occ;                    /* bit k set iff hist[k] > 0 */
    size_t occ_cap;                   /* words of occ */
    uint64_t *occ_words;              /* bit w set iff occ[w] != 0 */
    size_t occ_words_cap;             /* words of occ_words */
    int64_t n_in;                     /* members in group */
    int64_t bal_max, bal_min;         /* largest/smallest k with hist[k] > 0 */
    int64_t bal_last_ns;              /* integrated up to here */
    double bal_integral;              /* integral of (max - min) dt over settled time */
    bool settled;                     /* between a rebalance_end and the next rebalance_start */
    int64_t settled_ns;               /* settled time integrated so far */
    bool lag_started;                 /* first ok commit with end_offset seen */
    int64_t lag_first_ns, lag_last_ns;/* first such commit; integrated up to here */
    int64_t lag_total;                /* sum of partitions' last lag */
    int64_t lag_max;                  /* max lag of any commit */
    int64_t lag_total_max;            /* max of lag_total over time */
    double lag_integral;              /* integral of lag_total dt, record-ns */
    int64_t lag_samples;              /* `lag` records */
    int64_t as_decisions, as_ups, as_downs; /* `autoscale` records: all, action up, down */
    int64_t as_max;                   /* largest current or desired of them, -1 none */
    int64_t rack_records;             /* `fetch` records: fetched with known racks (an_racks) */
    int64_t cross_rack_records;       /* of those, from a leader on another rack */
    sim_series_t slag[4];             /* sampled lag: AN_SLAG_* (an_series.c) */
    int64_t lat_records;              /* latency: sum of records */
    int64_t lat_max_ns;               /* largest max_ms, -1 none */
    int64_t *lat_counts;              /* SIM_LOGHIST_BUCKETS summed counts, NULL before any */
    uint64_t stamp;                   /* last stamp used */
    bool *topic_sub;                  /* per topic index: some partition appeared in an
                                         assignment (the group reads the topic) */
    size_t topic_sub_cap;
    int64_t *add_made;                /* per add: 0 the group did not read the topic then;
                                         else 1 + its partitions that have an entry */
    size_t add_made_cap;
    int64_t unnamed_parts;            /* added partitions it reads that no record named */
    int64_t unnamed_unowned_ns;       /* their unowned time, from their add to the end */
    an_counter_t leave_reasons;       /* member_leave reasons */
    an_counter_t rebalance_reasons;   /* rebalance_start reasons */
} an_grp_t;

typedef struct an_state {
    an_map_t group_ids;               /* group name -> index */
    an_grp_t *grp;                    /* by group index */
    size_t grp_cap;                   /* capacity of grp */
    an_map_t topics;                  /* topic names */
    an_racks_t racks;                 /* `topic` records' leader racks, rack names */
    const an_observer_t *obs;         /* callbacks or NULL */
    size_t *scratch;                  /* partition indexes of the record being applied */
    size_t scratch_cap;
    char *key;                        /* "topic\x1fpartition" being looked up */
    size_t key_cap;                   /* capacity of key */
    an_add_t *adds;                   /* add_partitions records, in trace order */
    size_t n_adds, adds_cap;
    size_t *add_order;                /* indexes into adds sorted by (topic, from, index): a
                                         partition's add is found by binary search */
    size_t add_order_cap;
} an_state_t;

/* One [topic, partition] of a record's "partitions" list. */
typedef struct an_tp {
    const char *topic;
    int64_t partition;
} an_tp_t;

/* Saturating arithmetic for every running total: a hostile trace can make any of them exceed
 * int64, and a total that wrapped would print as a negative figure. */
static inline int64_t an_sat_add(int64_t a, int64_t b)
{
    int64_t r;
    return __builtin_add_overflow(a, b, &r) ? (b > 0 ? INT64_MAX : INT64_MIN) : r;
}

static inline int64_t an_sat_sub(int64_t a, int64_t b)
{
    int64_t r;
    return __builtin_sub_overflow(a, b, &r) ? (b < 0 ? INT64_MAX : INT64_MIN) : r;
}

void an_state_init(an_state_t *s, const an_observer_t *obs);
void an_state_fini(an_state_t *s);
/* Each returns 0 or -1 on out of memory. g/m are indexes from the intern functions. */
size_t an_state_group(an_state_t *s, const char *name);
size_t an_state_member(an_state_t *s, size_t g, const char *name);
int an_state_join(an_state_t *s, size_t g, size_t m, int64_t t_ns);
int an_state_leave(an_state_t *s, size_t g, size_t m, const char *reason, int64_t t_ns);
int an_state_assign(an_state_t *s, size_t g, size_t m, int64_t gen, const an_tp_t *tps, size_t n,
                    int64_t t_ns);
int an_state_revoke(an_state_t *s, size_t g, size_t m, const an_tp_t *tps, size_t n, int64_t t_ns);
/* error: the record's error name (err_len bytes, NULL when none), counted when !ok. */
int an_state_commit(an_state_t *s, size_t g, const char *topic, int64_t p, bool ok,
                    const char *error, size_t err_len,
                    bool has_end, int64_t offset, int64_t end_offset, int64_t t_ns);
/* An applied fault with `action` on member m: a stop begins or ends (other actions: nothing). */
void an_state_fault(an_state_t *s, size_t g, size_t m, const char *action, int64_t t_ns);
/* An applied add_partitions record: partitions [from, to) of `topic` exist from t_ns. Each
 * group that had a partition of the topic in an assignment counts them unowned from then (the
 * simulator's run summary uses the same rule); any other group counts them, once an assignment
 * lists them, from the later of t_ns and its first assignment. 0, or -1 on out of memory. */
int an_state_partitions_added(an_state_t *s, const char *topic, int64_t from, int64_t to,
                              int64_t t_ns);
int an_state_rebalance_start(an_state_t *s, size_t g, const char *reason, int64_t t_ns);
int an_state_rebalance_end(an_state_t *s, size_t g, double duration_ms, int64_t moved,
                           int64_t t_ns);
/* Close every interval at end_ns and fill res->groups. */
int an_state_finish(an_state_t *s, int64_t end_ns, an_result_t *res);

/* ---- sampled figures (an_series.c) ---- */
enum { AN_SLAG_COMMITTED_TOTAL = 0, AN_SLAG_COMMITTED_MAX, AN_SLAG_POSITION_TOTAL,
       AN_SLAG_POSITION_MAX, AN_SLAG_COUNT };
/* The fields of one `lag` record. */
typedef struct an_lag_rec {
    int64_t partitions, committed_n, committed, committed_max;
    int64_t position_n, position, position_max;
} an_lag_rec_t;
void an_series_init(an_grp_t *gr);
void an_series_fini(an_grp_t *gr);
/* One `latency` record: counts[SIM_LOGHIST_BUCKETS] already checked. 0 or -1 (out of memory). */
int an_state_latency(an_state_t *s, size_t g, int64_t records, int64_t max_ns,
                     const int64_t *counts);
void an_state_lag(an_state_t *s, size_t g, int64_t t_ns, const an_lag_rec_t *l);
/* p50/p99 of o->latency_counts (also for totals over groups). */
void an_latency_quantiles(an_group_sum_t *o);
/* Copy the sampled figures into the group's summary. */
void an_series_summary(const an_grp_t *gr, an_group_sum_t *o);
int an_counter_add(an_counter_t *c, const char *key, int64_t n);

#endif
