/* models/partlog/partlog_impl.h: the partition logs' private state, shared by their construction
 * (partlog_build.c) and their queries (partlog.c); no other module includes it. */
#ifndef CG_PARTLOG_IMPL_H
#define CG_PARTLOG_IMPL_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>
#include "models/partlog/partlog.h"
#include "sim/rng.h"

#define PL_BUCKET_NS CG_PARTLOG_BUCKET_NS     /* Poisson bucket length */
#define PL_NS_PER_S INT64_C(1000000000)
#define PL_FIXED_SCALE 1048576.0              /* 2^20: rate rounding for inexact rates */
#define PL_SEARCH_BUCKETS 60                  /* next_arrival looks this many buckets ahead */
#define PL_POISSON_NORMAL_MIN 1e9             /* bucket means at or above: normal approximation */
#define PL_POISSON_INLINE_MAX 10.0            /* bucket means up to this: pl_poisson_small */
#define PL_NONE INT64_MIN                     /* bucket index of an empty slot */
#define PL_PART_ALIGN 64u                     /* bytes: parts[] starts on a cache line */
#define PL_PART_BYTES 128u                    /* sizeof(pl_part_t), a whole number of lines */
#define PL_SMALL_COUNT (INT64_C(1) << 33)     /* count * span < 2^63 for spans <= 1 bucket */
#define PL_MAX_ENTRIES UINT32_MAX             /* (producer, partition) entries of one kind */

__extension__ typedef unsigned __int128 pl_u128;

typedef struct pl_const {
    uint64_t num;                     /* rate numerator: records per ns = num / den */
    uint64_t den;                     /* rate denominator */
    int64_t start_ns;                 /* window start */
    int64_t stop_ns;                  /* window end (exclusive of later records) */
} pl_const_t;

typedef struct pl_pois {
    double rate_per_s;                /* this producer's rate on the partition */
    int64_t start_ns;                 /* window start */
    int64_t stop_ns;                  /* window end */
} pl_pois_t;

typedef struct pl_bucket {
    int64_t index;                    /* bucket number, PL_NONE when empty */
    int64_t base;                     /* records before the bucket (C_b) */
    int64_t count;                    /* records in the bucket (N_b) */
} pl_bucket_t;

/* Field order matters: a query in the current bucket reads only the first 64 bytes (counts, hull,
 * cur, prev.index), which PL_PART_ALIGN puts in one cache line; the rest is read per bucket. */
typedef struct pl_part {
    uint32_t n_const;                 /* constant producers here */
    uint32_t n_pois;                  /* Poisson producers here */
    int64_t span_start_ns;            /* hull of the Poisson windows */
    int64_t span_stop_ns;
    pl_bucket_t cur;                  /* bucket of the latest query */
    pl_bucket_t prev;                 /* the bucket before cur */
    pl_bucket_t ahead;                /* drawn ahead (index > cur.index; buckets between: empty) */
    uint32_t first_const;             /* into pl->consts (PL_MAX_ENTRIES) */
    uint32_t first_pois;              /* into pl->pois */
    double rate_per_s;                /* sum of all producers' rates here */
    uint64_t rng_state;               /* splitmix64 position of the partition stream */
    double full_emu;                  /* exp(-mean) of a bucket whole inside every Poisson window
                                         when all windows are the hull and the mean is in
                                         (0, PL_POISSON_INLINE_MAX]; else 0 (pl_full_init) */
} pl_part_t;

struct cg_partlog {
    size_t n_topics;
    int64_t *topic_base;              /* n_topics + 1 global partition bases */
    int64_t n_parts;
    pl_part_t *parts;                 /* per global partition */
    pl_const_t *consts;               /* grouped by partition */
    pl_pois_t *pois;                  /* grouped by partition */
    gsl_rng *gen;                     /* shared generator; state swapped in per partition */
    const int64_t *clock;             /* the run's clock (cg_partlog_set_clock), or &pl_no_clock */
    struct pl_hist **hist;            /* per partition, allocated at the first bucket kept */
    pl_bucket_t scratch;              /* pl_hist_at's answer for an empty bucket not kept */
    bool oom;                         /* a bucket could not be kept (cg_partlog_failed) */
};

/* ---- buckets a query may still ask about (partlog_hist.c) ----
 *
 * A partition keeps the buckets of its latest query and the one before (cur, prev). A query
 * ahead of the run's clock (a fetch served a network delay and a fetch.max.wait.ms after the
 * event that computes it) may move them past buckets that later queries, made at later events
 * but earlier instants (a lag sample, another fetch), still ask about. With a clock, a bucket
 * dropped from cur or prev that such a query may still ask about (from the clock's bucket on) is
 * kept in the partition's history until the clock passes it. Queries are never
 * earlier than the clock (events run in time order; a run-ahead client's polls ask only about
 * partitions no one else reads before its next own event). */
typedef struct pl_hist {
    uint32_t n, cap;
    pl_bucket_t b[];                  /* by increasing index */
} pl_hist_t;

/* The clock when none is set: no bucket is ever kept. */
extern const int64_t pl_no_clock;
/* The first bucket index a query may still ask about: the clock's (INT64_MAX without one). */
static inline int64_t pl_keep_from(const cg_partlog_t *pl)
{
    return pl->clock == &pl_no_clock ? INT64_MAX : *pl->clock / PL_BUCKET_NS;
}
/* Whether a bucket before bucket b (0 <= b <= INT64_MAX / PL_BUCKET_NS) may still be asked
 * about: the cheap test of the commonest step (no division), false for nearly every step. */
static inline bool pl_may_keep_before(const cg_partlog_t *pl, int64_t b)
{
    return (b - 1) * PL_BUCKET_NS > *pl->clock;
}
/* Keep bk, about to be dropped from pp's cur or prev, if a query may still ask about it. */
__attribute__((cold)) void pl_hist_keep(cg_partlog_t *pl, const pl_part_t *pp,
                                        const pl_bucket_t *bk);
/* Bucket b of pp, older than pp->prev: the kept one, or an empty one (no records, the base of
 * the next kept bucket) between kept ones. */
__attribute__((cold)) const pl_bucket_t *pl_hist_at(cg_partlog_t *pl, const pl_part_t *pp,
                                                    int64_t b);
/* The first kept bucket after b and before pp->prev, or NULL. */
const pl_bucket_t *pl_hist_after(const cg_partlog_t *pl, const pl_part_t *pp, int64_t b);
void pl_hist_free(cg_partlog_t *pl);

/* The partition streams' splitmix64 sequence: the draws step it inline (partlog.c); GSL sees it
 * as a generator type (partlog_build.c) for its samplers of large means. */
typedef struct pl_sm_state {
    uint64_t x;                       /* splitmix64 counter */
} pl_sm_state_t;

static inline uint64_t pl_sm_step(uint64_t *x)
{
    uint64_t out = sim_splitmix64(*x);
    *x += UINT64_C(0x9e3779b97f4a7c15);
    return out;
}

/* The generator's get_double, which gsl_rng_uniform returns: 53 bits in [0, 1). */
static inline double pl_sm_uniform(uint64_t *x) { return (double)(pl_sm_step(x) >> 11) * 0x1p-53; }

/* The generator type of pl->gen (partlog_build.c). */
extern const gsl_rng_type cg_partlog_sm_type;

#endif
