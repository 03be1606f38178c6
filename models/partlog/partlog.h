/* models/partlog: the partition logs of all topics, with records generated lazily.
 * Owns: per-partition arrival processes (rates from the producers and the Kafka default
 *       partitioner applied to each producer's key space), high watermarks as a function of time.
 * Does not own: consumer positions or committed offsets (models/consumer, models/coordinator).
 * Invariant: cg_partlog_end_offset is non-decreasing in time for each partition, costs O(1)
 *            amortised (no per-record work), and its values depend only on (seed, scenario),
 *            never on when or how often it is asked (common random numbers across assignors). */
#ifndef CG_PARTLOG_H
#define CG_PARTLOG_H

#include <stdbool.h>
#include <stdint.h>
#include "models/scenario/scenario.h"

typedef struct cg_partlog cg_partlog_t;

/* Global partition index: topic_base[t] + p, topics in scenario (name-sorted) order. */
int cg_partlog_new(const cg_scenario_t *s, uint64_t seed, cg_partlog_t **out, char *err,
                   size_t errlen);
void cg_partlog_free(cg_partlog_t *pl);
/* The run's clock: no query is ever earlier than *now_ns (events run in time order), while one
 * may be later (a fetch served a network delay after its poll). With it, the log answers a query
 * up to a bucket before the clock however far ahead of it earlier queries went (without it, up
 * to the bucket before the latest query's). */
void cg_partlog_set_clock(cg_partlog_t *pl, const int64_t *now_ns);
/* Memory ran out keeping a bucket for such a query: the run cannot go on. */
bool cg_partlog_failed(const cg_partlog_t *pl);
const int64_t *cg_partlog_topic_base(const cg_partlog_t *pl);   /* size n_topics + 1 */
int64_t cg_partlog_count(const cg_partlog_t *pl);               /* total partitions */
/* Log end offset (high watermark) of a partition at now_ns: records produced in [0, now_ns].
 * The log start offset is always 0 (no retention in the model). */
int64_t cg_partlog_end_offset(cg_partlog_t *pl, int64_t gp, int64_t now_ns);
/* Earliest time > now_ns at which end_offset increases, or INT64_MAX when no producer will write
 * to the partition again; may return a lower bound (callers re-check). */
int64_t cg_partlog_next_arrival_ns(cg_partlog_t *pl, int64_t gp, int64_t now_ns);
/* cg_partlog_end_offset(now_ns), and *next_ns = cg_partlog_next_arrival_ns(now_ns), in one call
 * (the same values as the two calls in that order). */
int64_t cg_partlog_end_next(cg_partlog_t *pl, int64_t gp, int64_t now_ns, int64_t *next_ns);

#define CG_PARTLOG_BUCKET_NS INT64_C(1000000000)   /* Poisson bucket length */

/* The arrival line of a whole Poisson bucket starting at lo: its `count` records, from offset
 * base on, arrive evenly, done(t) = count x (t - lo) / bucket of them by t (lo <= t < lo +
 * bucket); count 0: no line. */
typedef struct cg_partlog_line {
    int64_t lo, base, count;
} cg_partlog_line_t;

static inline int64_t cg_partlog_line_done(const cg_partlog_line_t *l, int64_t t)
{
    return (int64_t)((uint64_t)l->count * (uint64_t)(t - l->lo) / (uint64_t)CG_PARTLOG_BUCKET_NS);
}

/* The instant offset o (base <= o < base + count) is appended:
 * lo + ceil((o - base + 1) x bucket / count). */
static inline int64_t cg_partlog_line_append(const cg_partlog_line_t *l, int64_t o)
{
    uint64_t cnt = (uint64_t)l->count;
    return l->lo + (int64_t)(((uint64_t)(o - l->base + 1) * (uint64_t)CG_PARTLOG_BUCKET_NS +
                              cnt - 1) / cnt);
}

/* The next arrival after t when done = cg_partlog_line_done(l, t) < count. */
static inline int64_t cg_partlog_line_next(const cg_partlog_line_t *l, int64_t t, int64_t done)
{
    int64_t at = cg_partlog_line_append(l, l->base + done);
    return at > t ? at : t + 1;
}

/* cg_partlog_end_next, and *line the line of now_ns's bucket when the log answered from it, a
 * whole bucket with records after now_ns (count 0 otherwise). Until its last record, every
 * query inside that bucket has the answer line_done and line_next give, and asking the log
 * instead would change nothing in it: a caller may keep the line and not ask. */
int64_t cg_partlog_end_next_line(cg_partlog_t *pl, int64_t gp, int64_t now_ns, int64_t *next_ns,
                                 cg_partlog_line_t *line);
/* A Poisson count of the given mean <= 10 from a partition stream's splitmix64 state (advanced):
 * the value gsl_ran_poisson gives on that stream (exposed for tests/test_partlog.c). */
int64_t cg_partlog_poisson_small(uint64_t *state, double mean);
/* Records [e0, last) of a partition arrive as the log counts them: the record at offset o is
 * appended at t0 + ceil((o - e0 + 1) x (t1 - t0) / (e1 - e0)). */
typedef struct cg_partlog_seg {
    int64_t t0, e0, t1, e1;           /* the line of arrivals: e1 - e0 records in t1 - t0 ns */
    int64_t last;                     /* offsets below this follow it */
} cg_partlog_seg_t;
/* The arrival segment holding offset o (already appended), from what the log keeps: the Poisson
 * bucket (current or previous) of a partition with Poisson producers only, or the whole window of
 * a partition with a single constant producer. False when the log cannot tell (an older bucket,
 * or several producers of which one is constant). Reads only; draws nothing. */
bool cg_partlog_segment(const cg_partlog_t *pl, int64_t gp, int64_t o, cg_partlog_seg_t *seg);
/* The usual case of the above, answered directly: when o's Poisson bucket is kept and lies whole
 * inside the hull, *at = t0 + ceil((o - e0 + 1) x (t1 - t0) / (e1 - e0)) of its segment, the
 * instant o was appended, and true. False otherwise (ask cg_partlog_segment). */
bool cg_partlog_append_whole(const cg_partlog_t *pl, int64_t gp, int64_t o, int64_t *at);
/* The append time of offset o (the first instant end_offset exceeds o), by bisection between the
 * earliest time the log can still be asked about and now_ns (about 30 end_offset reads: for the
 * partitions cg_partlog_segment cannot describe). False when o was appended before that
 * earliest time or not yet. Draws only what a query at now_ns would. */
bool cg_partlog_append_ns(cg_partlog_t *pl, int64_t gp, int64_t o, int64_t now_ns, int64_t *at);
/* The earliest time from which on the partition can still be asked about at any time: the start
 * of the bucket of the latest query, or of the one before it when that was kept (0 before any
 * query). */
int64_t cg_partlog_earliest_ns(const cg_partlog_t *pl, int64_t gp);
/* Records produced over all partitions by now_ns (O(partitions): for run_end). */
int64_t cg_partlog_produced_total(cg_partlog_t *pl, int64_t now_ns);
/* Mean arrival rate of a partition, records per second (for reports; summed over the phases
 * of a topic whose partitions were added while running). */
double cg_partlog_rate_per_s(const cg_partlog_t *pl, int64_t gp);

#endif
