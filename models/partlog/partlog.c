/* models/partlog: the partition logs of all topics, with records generated lazily.
 *
 * Rates. A producer writes keys "0".."keys-1" (decimal strings); Kafka's default partitioner
 * (models/partitioner) sends key k to partition_for_key(str(k)). The share of the producer's
 * rate going to partition p is the probability mass of its keys there: count_p / keys for uniform
 * keys, sum of (k+1)^-s / H for zipf (summed in key order, so the double result is fixed). This
 * costs O(keys) murmur2 calls per producer at construction, once (the result is reused by the
 * next producer when topic, key space and distribution are the same).
 *
 * Partitions added while running (add_partitions faults) cut a producer's window into phases,
 * one per partition count of its topic: in [T_k, T_k+1) its keys are hashed over that phase's
 * count, so the new partitions get records from T_k on and keys move between the old ones (Kafka's
 * partitioner takes the count from the producer's metadata; the model's producers see the new
 * count at once). Each phase is an entry of its own with the clipped window; without added
 * partitions there is one phase and nothing changes. Every partition a run will have is laid
 * out at the start (topic_base uses the final counts); a partition gets no record before its
 * creation.
 *
 * Constant arrivals ("constant"): each (producer, partition) pair is its own deterministic
 * process: records(t) = floor(rate * (min(t, stop) - start)), computed from t alone (no drift)
 * with rate = num / den records per ns and 128-bit integer arithmetic. The rate is exact when
 * rate_per_s is an integer and keys are uniform (num = rate_per_s * count_p, den = keys * 1e9);
 * otherwise it is rounded to the nearest 2^-20 records per second (documented rounding). A
 * partition's end offset is the sum over its constant producers (each writes whole records).
 *
 * Poisson arrivals ("poisson"): all Poisson producers of a partition form one process. Time is
 * cut into buckets of PL_BUCKET_NS (1 s); bucket b holds N_b ~ Poisson(integral of the rate over
 * the bucket), drawn in bucket order from the partition's own stream, once per bucket, whatever
 * the query times (common random numbers across assignors). Within a bucket the N_b records arrive
 * evenly over the part of the bucket inside the hull [first start, last stop) of the partition's
 * Poisson windows: end(t) = C_b + floor(N_b * (t - lo) / (hi - lo)). Buckets with zero rate cost
 * nothing; every other bucket costs one draw even when nobody looks at it (partition-seconds of
 * work over a run). Only the current and the previous bucket are kept, plus one bucket drawn
 * ahead by cg_partlog_next_arrival_ns (buckets between the current one and it are empty).
 *
 * Streams. The partition stream is keyed "partlog/<topic>/<p>" with sim_rng_mix (the documented
 * key mixing of sim/rng). It is a splitmix64 sequence (8 bytes of state) driven through a small
 * GSL generator type, not an mt19937 (2.5 KB of state), because a run may hold up to
 * CG_MAX_PARTITIONS_TOTAL partitions. Means above PL_POISSON_NORMAL_MIN use the normal
 * approximation (GSL's Poisson returns an unsigned int). */
#include "models/partlog/partlog.h"

#include <assert.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/limits.h"
#include "models/partlog/partitioner.h"
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
};

/* ---- the splitmix64 GSL generator type ---- */

typedef struct pl_sm_state {
    uint64_t x;                       /* splitmix64 counter */
} pl_sm_state_t;

static inline uint64_t pl_sm_step(uint64_t *x)
{
    uint64_t out = sim_splitmix64(*x);
    *x += UINT64_C(0x9e3779b97f4a7c15);
    return out;
}

static uint64_t pl_sm_next(void *vstate) { return pl_sm_step(&((pl_sm_state_t *)vstate)->x); }

/* The generator's get_double, which gsl_rng_uniform returns: 53 bits in [0, 1). */
static inline double pl_sm_uniform(uint64_t *x) { return (double)(pl_sm_step(x) >> 11) * 0x1p-53; }

static void pl_sm_set(void *vstate, unsigned long seed) { ((pl_sm_state_t *)vstate)->x = seed; }
static unsigned long pl_sm_get(void *vstate) { return (unsigned long)(pl_sm_next(vstate) >> 32); }
static double pl_sm_get_double(void *vstate) { return pl_sm_uniform(&((pl_sm_state_t *)vstate)->x); }

static const gsl_rng_type PL_SM_TYPE = {
    "cgsim-splitmix64", 0xffffffffUL, 0, sizeof(pl_sm_state_t), &pl_sm_set, &pl_sm_get,
    &pl_sm_get_double,
};

/* ---- construction ---- */

typedef struct pl_entry {
    int64_t gp;                       /* global partition */
    bool poisson;                     /* which list it goes to */
    pl_const_t c;                     /* constant: exact rate */
    pl_pois_t p;                      /* Poisson: rate and window (also the window of c) */
} pl_entry_t;

typedef struct pl_shares {
    int32_t partitions;               /* key of the cached computation */
    int64_t keys;
    cg_key_dist_t dist;
    double zipf_s;
    int64_t *count;                   /* uniform: keys per partition */
    double *weight;                   /* zipf: probability per partition */
} pl_shares_t;

static size_t pl_u64_str(char *buf, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

static int pl_shares_compute(pl_shares_t *sh, const cg_producer_cfg_t *pr, int32_t partitions)
{
    if (sh->count && sh->partitions == partitions && sh->keys == pr->keys &&
        sh->dist == pr->key_dist && (pr->key_dist == CG_KEYS_UNIFORM || sh->zipf_s == pr->zipf_s))
        return 0;
    free(sh->count);
    free(sh->weight);
    sh->count = calloc((size_t)partitions, sizeof *sh->count);
    sh->weight = calloc((size_t)partitions, sizeof *sh->weight);
    if (!sh->count || !sh->weight)
        return -1;
    sh->partitions = partitions;
    sh->keys = pr->keys;
    sh->dist = pr->key_dist;
    sh->zipf_s = pr->zipf_s;
    double total = 0;
    char key[24];
    for (int64_t k = 0; k < pr->keys; k++) {
        size_t len = pl_u64_str(key, (uint64_t)k);
        int32_t p = cg_partition_for_key(key, len, partitions);
        sh->count[p]++;
        if (pr->key_dist == CG_KEYS_ZIPF) {
            double w = pow((double)(k + 1), -pr->zipf_s);
            sh->weight[p] += w;
            total += w;
        }
    }
    for (int32_t p = 0; p < partitions; p++)
        sh->weight[p] = pr->key_dist == CG_KEYS_ZIPF ? sh->weight[p] / total
                                                      : (double)sh->count[p] / (double)pr->keys;
    return 0;
}

static void pl_entry_rate(pl_entry_t *e, const cg_producer_cfg_t *pr, const pl_shares_t *sh,
                          int32_t p)
{
    double rate = pr->rate_per_s * sh->weight[p];
    e->p.rate_per_s = rate;
    if (pr->key_dist == CG_KEYS_UNIFORM && pr->rate_per_s == floor(pr->rate_per_s) &&
        pr->rate_per_s <= CG_MAX_RATE_PER_S) {
        e->c.num = (uint64_t)pr->rate_per_s * (uint64_t)sh->count[p];
        e->c.den = (uint64_t)pr->keys * (uint64_t)PL_NS_PER_S;
    } else {
        e->c.num = (uint64_t)llround(rate * PL_FIXED_SCALE);
        e->c.den = (uint64_t)((double)PL_NS_PER_S * PL_FIXED_SCALE);
    }
}

/* Phase k >= 1 of topic t: the k-th add_partitions fault on it (faults are sorted by time);
 * returns false when there is none. *at_ns is when it starts, *parts the count from then. */
static bool pl_phase(const cg_scenario_t *s, int32_t t, size_t k, int64_t *at_ns, int32_t *parts)
{
    size_t seen = 0;
    for (size_t i = 0; i < s->n_faults; i++) {
        const cg_fault_cfg_t *f = &s->faults[i];
        if (f->action != CG_FAULT_ADD_PARTITIONS || f->topic != t)
            continue;
        *parts += f->count;
        if (++seen == k) {
            *at_ns = f->at_ns;
            return true;
        }
    }
    return false;
}

static int pl_collect_phase(const cg_partlog_t *pl, const cg_producer_cfg_t *pr, pl_shares_t *sh,
                            int32_t parts, int64_t start, int64_t stop, pl_entry_t **ents,
                            size_t *n, size_t *cap);

/* Appends one entry per partition with a non-zero share of producer `pr`, per phase. */
static int pl_collect(const cg_partlog_t *pl, const cg_scenario_t *s, pl_entry_t **ents,
                      size_t *n, size_t *cap, char *err, size_t errlen)
{
    pl_shares_t sh = {0};
    int rc = 0;
    for (size_t i = 0; i < s->n_producers && rc == 0; i++) {
        const cg_producer_cfg_t *pr = &s->producers[i];
        if (pr->rate_per_s <= 0 || pr->keys <= 0)
            continue;
        int64_t stop = pr->stop_ns < 0 ? INT64_MAX : pr->stop_ns;
        int64_t start = pr->start_ns < 0 ? 0 : pr->start_ns;
        int32_t parts = s->topics[pr->topic].partitions, next_parts = parts;
        int64_t from = start, next_at = 0;
        for (size_t k = 1; rc == 0; k++) {
            next_parts = s->topics[pr->topic].partitions;
            bool more = pl_phase(s, pr->topic, k, &next_at, &next_parts);
            int64_t to = more && next_at < stop ? next_at : stop;
            if (to > from)
                rc = pl_collect_phase(pl, pr, &sh, parts, from, to, ents, n, cap);
            if (!more)
                break;
            if (next_at > from)
                from = next_at;
            parts = next_parts;
        }
    }
    free(sh.count);
    free(sh.weight);
    if (rc != 0)
        snprintf(err, errlen, "partition logs: out of memory computing key shares");
    return rc;
}

/* Producer `pr` writing over `parts` partitions in [start, stop). */
static int pl_collect_phase(const cg_partlog_t *pl, const cg_producer_cfg_t *pr, pl_shares_t *sh,
                            int32_t parts, int64_t start, int64_t stop, pl_entry_t **ents,
                            size_t *n, size_t *cap)
{
    int rc = 0;
    if (pl_shares_compute(sh, pr, parts) != 0)
        return -1;
    for (int32_t p = 0; p < parts && rc == 0; p++) {
        if (sh->weight[p] <= 0 || stop <= start)
            continue;
        if (*n == *cap) {
            size_t nc = *cap ? *cap * 2 : 64;
            pl_entry_t *ne = realloc(*ents, nc * sizeof *ne);
            if (!ne) {
                rc = -1;
                break;
            }
            *ents = ne;
            *cap = nc;
        }
        pl_entry_t *e = &(*ents)[(*n)++];
        memset(e, 0, sizeof *e);
        e->gp = pl->topic_base[pr->topic] + p;
        e->poisson = pr->arrival == CG_ARRIVAL_POISSON;
        pl_entry_rate(e, pr, sh, p);
        e->c.start_ns = e->p.start_ns = start;
        e->c.stop_ns = e->p.stop_ns = stop;
        if (!e->poisson && e->c.num == 0)
            (*n)--;   /* below the rate resolution: never writes a record */
    }
    return rc;
}

/* full_emu: the draw's exp(-mean) for every bucket that lies whole inside the hull, computed
 * once, when every Poisson window of the partition is the hull itself (then such a bucket is
 * inside all of them and its mean is the sum below, term for term the one pl_bucket_mean
 * computes, so the draws are the same). */
static void pl_full_init(const cg_partlog_t *pl, pl_part_t *pp)
{
    pp->full_emu = 0;
    double mean = 0;
    for (size_t i = 0; i < pp->n_pois; i++) {
        const pl_pois_t *w = &pl->pois[pp->first_pois + i];
        if (w->start_ns != pp->span_start_ns || w->stop_ns != pp->span_stop_ns ||
            w->stop_ns - w->start_ns < PL_BUCKET_NS)
            return;
        mean += w->rate_per_s * (double)PL_BUCKET_NS / (double)PL_NS_PER_S;
    }
    if (pp->n_pois > 0 && mean > 0 && mean <= PL_POISSON_INLINE_MAX)
        pp->full_emu = exp(-mean);
}

/* Counting sort of the entries into per-partition slices (stable: producer order kept). */
static int pl_distribute(cg_partlog_t *pl, const pl_entry_t *ents, size_t n)
{
    size_t n_const = 0, n_pois = 0;
    for (size_t i = 0; i < n; i++) {
        pl_part_t *pp = &pl->parts[ents[i].gp];
        if (ents[i].poisson) {
            pp->n_pois++;
            n_pois++;
        } else {
            pp->n_const++;
            n_const++;
        }
    }
    if (n_const > PL_MAX_ENTRIES || n_pois > PL_MAX_ENTRIES)
        return -1;
    pl->consts = calloc(n_const ? n_const : 1, sizeof *pl->consts);
    pl->pois = calloc(n_pois ? n_pois : 1, sizeof *pl->pois);
    if (!pl->consts || !pl->pois)
        return -1;
    size_t fc = 0, fp = 0;
    for (int64_t g = 0; g < pl->n_parts; g++) {
        pl->parts[g].first_const = (uint32_t)fc;
        pl->parts[g].first_pois = (uint32_t)fp;
        fc += pl->parts[g].n_const;
        fp += pl->parts[g].n_pois;
        pl->parts[g].n_const = pl->parts[g].n_pois = 0;
    }
    for (size_t i = 0; i < n; i++) {
        pl_part_t *pp = &pl->parts[ents[i].gp];
        pp->rate_per_s += ents[i].p.rate_per_s;
        if (ents[i].poisson) {
            pl->pois[pp->first_pois + pp->n_pois++] = ents[i].p;
            if (ents[i].p.start_ns < pp->span_start_ns)
                pp->span_start_ns = ents[i].p.start_ns;
            if (ents[i].p.stop_ns > pp->span_stop_ns)
                pp->span_stop_ns = ents[i].p.stop_ns;
        } else {
            pl->consts[pp->first_const + pp->n_const++] = ents[i].c;
        }
    }
    for (int64_t g = 0; g < pl->n_parts; g++)
        pl_full_init(pl, &pl->parts[g]);
    return 0;
}

_Static_assert(sizeof(pl_part_t) == PL_PART_BYTES, "pl_part_t is two cache lines");
_Static_assert(PL_BUCKET_NS < (INT64_C(1) << 30), "PL_SMALL_COUNT needs spans below 2^30");

static int pl_parts_init(cg_partlog_t *pl, const cg_scenario_t *s, uint64_t seed)
{
    size_t n = (size_t)(pl->n_parts ? pl->n_parts : 1);
    pl->parts = aligned_alloc(PL_PART_ALIGN, n * sizeof *pl->parts);   /* 128 | size */
    if (!pl->parts)
        return -1;
    memset(pl->parts, 0, n * sizeof *pl->parts);
    char key[CG_MAX_NAME_LEN + 64];
    for (size_t t = 0; t < s->n_topics; t++) {
        for (int32_t p = 0; p < s->topics[t].max_partitions; p++) {
            pl_part_t *pp = &pl->parts[pl->topic_base[t] + p];
            snprintf(key, sizeof key, "partlog/%s/%d", s->topics[t].name, (int)p);
            pp->rng_state = sim_rng_mix(seed, key);
            pp->span_start_ns = INT64_MAX;
            pp->span_stop_ns = INT64_MIN;
            pp->cur = (pl_bucket_t){-1, 0, 0};   /* "before bucket 0": C_0 = 0 */
            pp->prev = pp->ahead = (pl_bucket_t){PL_NONE, 0, 0};
        }
    }
    return 0;
}

int cg_partlog_new(const cg_scenario_t *s, uint64_t seed, cg_partlog_t **out, char *err,
                   size_t errlen)
{
    *out = NULL;
    cg_partlog_t *pl = calloc(1, sizeof *pl);
    if (!pl || !(pl->topic_base = calloc(s->n_topics + 1, sizeof *pl->topic_base)))
        goto oom;
    pl->n_topics = s->n_topics;
    for (size_t t = 0; t < s->n_topics; t++)
        pl->topic_base[t + 1] = pl->topic_base[t] + s->topics[t].max_partitions;
    pl->n_parts = pl->topic_base[s->n_topics];
    if (pl_parts_init(pl, s, seed) != 0 || !(pl->gen = gsl_rng_alloc(&PL_SM_TYPE)))
        goto oom;
    pl_entry_t *ents = NULL;
    size_t n = 0, cap = 0;
    if (pl_collect(pl, s, &ents, &n, &cap, err, errlen) != 0) {
        free(ents);
        cg_partlog_free(pl);
        return -1;
    }
    int rc = pl_distribute(pl, ents, n);
    free(ents);
    if (rc != 0)
        goto oom;
    *out = pl;
    return 0;
oom:
    snprintf(err, errlen, "partition logs: out of memory");
    cg_partlog_free(pl);
    return -1;
}

void cg_partlog_free(cg_partlog_t *pl)
{
    if (!pl)
        return;
    if (pl->gen)
        gsl_rng_free(pl->gen);
    free(pl->topic_base);
    free(pl->parts);
    free(pl->consts);
    free(pl->pois);
    free(pl);
}

const int64_t *cg_partlog_topic_base(const cg_partlog_t *pl) { return pl->topic_base; }
int64_t cg_partlog_count(const cg_partlog_t *pl) { return pl->n_parts; }

double cg_partlog_rate_per_s(const cg_partlog_t *pl, int64_t gp)
{
    assert(gp >= 0 && gp < pl->n_parts);
    return pl->parts[gp].rate_per_s;
}

/* ---- constant arrivals ---- */

static int64_t pl_const_records(const pl_const_t *c, int64_t t_ns)
{
    if (t_ns <= c->start_ns)
        return 0;
    int64_t end = t_ns < c->stop_ns ? t_ns : c->stop_ns;
    uint64_t prod;
    if (!__builtin_mul_overflow(c->num, (uint64_t)(end - c->start_ns), &prod))
        return (int64_t)(prod / c->den);   /* same quotient as the 128-bit division */
    return (int64_t)((pl_u128)c->num * (pl_u128)(uint64_t)(end - c->start_ns) / c->den);
}

/* Time of the first record after t_ns, INT64_MAX when the window has no more. */
static int64_t pl_const_next(const pl_const_t *c, int64_t t_ns)
{
    if (t_ns >= c->stop_ns)
        return INT64_MAX;
    int64_t n = pl_const_records(c, t_ns);
    /* record n+1 arrives when num * dt >= (n+1) * den */
    pl_u128 need = (pl_u128)(uint64_t)(n + 1) * c->den;
    pl_u128 dt = (need + c->num - 1) / c->num;
    if (dt > (pl_u128)(uint64_t)(c->stop_ns - c->start_ns))
        return INT64_MAX;
    return c->start_ns + (int64_t)dt;
}

/* ---- Poisson buckets ---- */

static int64_t pl_sat_mul_bucket(int64_t b)
{
    return b >= INT64_MAX / PL_BUCKET_NS ? INT64_MAX : b * PL_BUCKET_NS;
}

static double pl_bucket_mean(const cg_partlog_t *pl, const pl_part_t *pp, int64_t b)
{
    int64_t bs = pl_sat_mul_bucket(b), be = pl_sat_mul_bucket(b + 1);
    double mean = 0;
    for (size_t i = 0; i < pp->n_pois; i++) {
        const pl_pois_t *w = &pl->pois[pp->first_pois + i];
        int64_t lo = w->start_ns > bs ? w->start_ns : bs;
        int64_t hi = w->stop_ns < be ? w->stop_ns : be;
        if (hi > lo)
            mean += w->rate_per_s * (double)(hi - lo) / (double)PL_NS_PER_S;
    }
    return mean;
}

/* Smallest bucket >= b that overlaps a Poisson window, or INT64_MAX. */
static int64_t pl_next_active(const cg_partlog_t *pl, const pl_part_t *pp, int64_t b)
{
    int64_t best = INT64_MAX;
    for (size_t i = 0; i < pp->n_pois; i++) {
        const pl_pois_t *w = &pl->pois[pp->first_pois + i];
        int64_t first = w->start_ns / PL_BUCKET_NS, last = (w->stop_ns - 1) / PL_BUCKET_NS;
        int64_t cand = first > b ? first : b;
        if (cand <= last && cand < best)
            best = cand;
    }
    return best;
}

/* gsl_ran_poisson(gen, mean) for mean <= PL_POISSON_INLINE_MAX, computed here: GSL 2.x
 * multiplies uniforms until the product falls to exp(-mean) or below and returns the number of
 * factors minus one; the same uniforms in the same order give the same count (test_partlog
 * compares the two), without two indirect calls per uniform. */
static int64_t pl_poisson_small_emu(uint64_t *x, double emu)
{
    double prod = 1.0;
    int64_t k = 0;
    do {
        prod *= pl_sm_uniform(x);
        k++;
    } while (prod > emu);
    return k - 1;
}

static int64_t pl_poisson_small(uint64_t *x, double mean)
{
    return pl_poisson_small_emu(x, exp(-mean));
}

int64_t cg_partlog_poisson_small(uint64_t *state, double mean)
{
    return pl_poisson_small(state, mean);
}

/* Bucket b lies whole inside the hull of a partition whose windows are all the hull, so it is
 * active and full_emu gives its draw (pl_full_init). */
static inline bool pl_full_bucket(const pl_part_t *pp, int64_t b)
{
    return pp->full_emu > 0 && b >= 0 && b < INT64_MAX / PL_BUCKET_NS - 1 &&
           b * PL_BUCKET_NS >= pp->span_start_ns && (b + 1) * PL_BUCKET_NS <= pp->span_stop_ns;
}

static int64_t pl_draw(cg_partlog_t *pl, pl_part_t *pp, int64_t b)
{
    if (pl_full_bucket(pp, b))
        return pl_poisson_small_emu(&pp->rng_state, pp->full_emu);
    double mean = pl_bucket_mean(pl, pp, b);
    if (mean <= 0)
        return 0;
    if (mean <= PL_POISSON_INLINE_MAX)
        return pl_poisson_small(&pp->rng_state, mean);
    ((pl_sm_state_t *)pl->gen->state)->x = pp->rng_state;
    int64_t n;
    if (mean < PL_POISSON_NORMAL_MIN) {
        n = (int64_t)gsl_ran_poisson(pl->gen, mean);
    } else {
        double v = mean + sqrt(mean) * gsl_ran_gaussian(pl->gen, 1.0);
        n = v > 0 ? (int64_t)llround(v) : 0;
    }
    pp->rng_state = ((pl_sm_state_t *)pl->gen->state)->x;
    return n;
}

/* Make bucket `index` current; buckets jumped over are empty. */
static void pl_set_cur(pl_part_t *pp, int64_t index, int64_t count)
{
    int64_t base = pp->cur.base + pp->cur.count;
    if (index - 1 == pp->cur.index)
        pp->prev = pp->cur;
    else
        pp->prev = (pl_bucket_t){index - 1, base, 0};
    pp->cur = (pl_bucket_t){index, base, count};
}

static void pl_advance(cg_partlog_t *pl, pl_part_t *pp, int64_t b)
{
    while (pp->cur.index < b) {
        int64_t nb = pp->cur.index + 1;
        if (pp->ahead.index != PL_NONE) {
            assert(pp->ahead.index >= nb);
            if (b < pp->ahead.index) {
                pl_set_cur(pp, b, 0);
            } else {
                pl_set_cur(pp, pp->ahead.index, pp->ahead.count);
                pp->ahead.index = PL_NONE;
            }
            continue;
        }
        bool full = pl_full_bucket(pp, nb);
        int64_t act = full ? nb : pl_next_active(pl, pp, nb);
        if (act > nb)
            pl_set_cur(pp, act - 1 < b ? act - 1 : b, 0);
        else   /* pl_draw's answer, without its second look at `full` */
            pl_set_cur(pp, nb, full ? pl_poisson_small_emu(&pp->rng_state, pp->full_emu)
                                    : pl_draw(pl, pp, nb));
    }
}

/* Records of bucket `bk` arrive evenly over [lo, hi): the bucket cut by the Poisson hull. */
static void pl_bucket_span(const pl_part_t *pp, int64_t index, int64_t *lo, int64_t *hi)
{
    int64_t bs = pl_sat_mul_bucket(index), be = pl_sat_mul_bucket(index + 1);
    *lo = pp->span_start_ns > bs ? pp->span_start_ns : bs;
    *hi = pp->span_stop_ns < be ? pp->span_stop_ns : be;
}

static int64_t pl_bucket_records(const pl_part_t *pp, const pl_bucket_t *bk, int64_t t_ns)
{
    if (bk->count == 0)
        return 0;
    int64_t lo, hi;
    pl_bucket_span(pp, bk->index, &lo, &hi);
    assert(hi > lo);
    if (t_ns <= lo)
        return 0;
    if (t_ns >= hi)
        return bk->count;
    if (bk->count < PL_SMALL_COUNT)   /* the usual case: 64-bit division, same quotient */
        return (int64_t)((uint64_t)bk->count * (uint64_t)(t_ns - lo) / (uint64_t)(hi - lo));
    return (int64_t)((pl_u128)(uint64_t)bk->count * (pl_u128)(uint64_t)(t_ns - lo) /
                     (pl_u128)(uint64_t)(hi - lo));
}

static int64_t pl_bucket_next_from(const pl_part_t *pp, const pl_bucket_t *bk, int64_t t_ns,
                                   int64_t done);

/* Time after t_ns at which record (done + 1) of the bucket arrives, INT64_MAX if none left. */
static int64_t pl_bucket_next(const pl_part_t *pp, const pl_bucket_t *bk, int64_t t_ns)
{
    int64_t done = pl_bucket_records(pp, bk, t_ns);
    if (done >= bk->count)
        return INT64_MAX;
    return pl_bucket_next_from(pp, bk, t_ns, done);
}

/* pl_bucket_next with done = pl_bucket_records(pp, bk, t_ns) < bk->count already known. */
static int64_t pl_bucket_next_from(const pl_part_t *pp, const pl_bucket_t *bk, int64_t t_ns,
                                   int64_t done)
{
    int64_t lo, hi;
    pl_bucket_span(pp, bk->index, &lo, &hi);
    uint64_t cnt = (uint64_t)bk->count;
    int64_t at;
    if (bk->count < PL_SMALL_COUNT) {   /* (done + 1) <= count: the product stays below 2^63 */
        at = lo + (int64_t)(((uint64_t)(done + 1) * (uint64_t)(hi - lo) + cnt - 1) / cnt);
    } else {
        pl_u128 num = (pl_u128)(uint64_t)(done + 1) * (pl_u128)(uint64_t)(hi - lo);
        at = lo + (int64_t)((num + cnt - 1) / cnt);
    }
    return at > t_ns ? at : t_ns + 1;
}

/* The bucket holding t_ns, made current if it is ahead; asserts queries do not go back further
 * than the previous bucket. */
static const pl_bucket_t *pl_bucket_at(cg_partlog_t *pl, pl_part_t *pp, int64_t t_ns)
{
    int64_t b = t_ns / PL_BUCKET_NS;
    if (b == pp->prev.index)
        return &pp->prev;
    assert(b >= pp->cur.index && "partition log queried more than one bucket back in time");
    pl_advance(pl, pp, b);
    return &pp->cur;
}

static int64_t pl_pois_records(cg_partlog_t *pl, pl_part_t *pp, int64_t t_ns)
{
    if (pp->n_pois == 0 || t_ns <= pp->span_start_ns)
        return 0;
    const pl_bucket_t *bk = pl_bucket_at(pl, pp, t_ns);
    return bk->base + pl_bucket_records(pp, bk, t_ns);
}

/* First Poisson arrival after t_ns: in the bucket of t_ns, then in the buckets drawn ahead; a
 * lower bound (the start of the bucket after the search) when PL_SEARCH_BUCKETS are empty. */
static int64_t pl_pois_next(cg_partlog_t *pl, pl_part_t *pp, int64_t t_ns)
{
    if (pp->n_pois == 0 || t_ns >= pp->span_stop_ns)
        return INT64_MAX;
    if (t_ns < 0)
        t_ns = 0;
    const pl_bucket_t *bk = pl_bucket_at(pl, pp, t_ns);
    int64_t at = pl_bucket_next(pp, bk, t_ns);
    if (at != INT64_MAX)
        return at;
    if (bk == &pp->prev && (at = pl_bucket_next(pp, &pp->cur, t_ns)) != INT64_MAX)
        return at;
    for (int i = 0; i < PL_SEARCH_BUCKETS; i++) {
        if (pp->ahead.index != PL_NONE && pp->ahead.count > 0)
            return pl_bucket_next(pp, &pp->ahead, t_ns);
        int64_t from = (pp->ahead.index != PL_NONE ? pp->ahead.index : pp->cur.index) + 1;
        int64_t act = pl_full_bucket(pp, from) ? from : pl_next_active(pl, pp, from);
        if (act == INT64_MAX)
            return INT64_MAX;
        pp->ahead = (pl_bucket_t){act, 0, pl_draw(pl, pp, act)};
    }
    if (pp->ahead.count > 0)
        return pl_bucket_next(pp, &pp->ahead, t_ns);
    return pl_sat_mul_bucket(pp->ahead.index + 1);
}

/* ---- queries ---- */

/* The bucket starting at lo lies whole inside the hull of the Poisson windows, so its records
 * arrive over the constant bucket length. */
static inline bool pl_lo_whole(const pl_part_t *pp, int64_t lo)
{
    return lo >= pp->span_start_ns && pp->span_stop_ns - lo >= PL_BUCKET_NS;
}

/* The fast path of the log-end queries (Poisson only, 0 <= now_ns, past the hull's start): when
 * now_ns lies in a bucket whole inside the hull, the current one or a later one, that bucket is
 * made current (as pl_bucket_at does) and *done is its records by now_ns, the quotient
 * pl_bucket_records computes, here by the constant bucket length. False otherwise (the general
 * path answers). */
static inline bool pl_whole_cur(cg_partlog_t *pl, pl_part_t *pp, int64_t now_ns, int64_t *done)
{
    int64_t b = now_ns / PL_BUCKET_NS, lo = b * PL_BUCKET_NS;   /* no overflow: now_ns >= 0 */
    if (b < pp->cur.index || !pl_lo_whole(pp, lo))
        return false;   /* an earlier bucket, or one not whole inside the hull */
    if (b > pp->cur.index)
        pl_advance(pl, pp, b);
    uint64_t cnt = (uint64_t)pp->cur.count;
    if (cnt >= (uint64_t)PL_SMALL_COUNT)
        return false;
    *done = (int64_t)(cnt * (uint64_t)(now_ns - lo) / (uint64_t)PL_BUCKET_NS);
    return true;
}

int64_t cg_partlog_end_offset(cg_partlog_t *pl, int64_t gp, int64_t now_ns)
{
    assert(gp >= 0 && gp < pl->n_parts);
    pl_part_t *pp = &pl->parts[gp];
    int64_t done;
    if (pp->n_const == 0 && pp->n_pois > 0 && now_ns > pp->span_start_ns && now_ns >= 0 &&
        pl_whole_cur(pl, pp, now_ns, &done))
        return pp->cur.base + done;   /* the lag samples' read of every partition */
    int64_t total = pl_pois_records(pl, pp, now_ns);
    for (size_t i = 0; i < pp->n_const; i++)
        total += pl_const_records(&pl->consts[pp->first_const + i], now_ns);
    return total;
}

static bool pl_bucket_seg(const pl_part_t *pp, const pl_bucket_t *bk, int64_t o,
                          cg_partlog_seg_t *seg)
{
    if (bk->index == PL_NONE || bk->count <= 0 || o < bk->base || o >= bk->base + bk->count)
        return false;
    pl_bucket_span(pp, bk->index, &seg->t0, &seg->t1);
    seg->e0 = bk->base;
    seg->e1 = seg->last = bk->base + bk->count;
    return seg->t1 > seg->t0;
}

bool cg_partlog_segment(const cg_partlog_t *pl, int64_t gp, int64_t o, cg_partlog_seg_t *seg)
{
    const pl_part_t *pp = &pl->parts[gp];
    if (pp->n_const == 0 && pp->n_pois > 0)
        return pl_bucket_seg(pp, &pp->cur, o, seg) || pl_bucket_seg(pp, &pp->prev, o, seg);
    if (pp->n_const != 1 || pp->n_pois != 0)
        return false;
    /* records(t) = floor(num x (t - start) / den): o arrives at start + ceil((o + 1) den / num) */
    const pl_const_t *c = &pl->consts[pp->first_const];
    if (c->num == 0 || c->num > (uint64_t)INT64_MAX || c->den > (uint64_t)INT64_MAX ||
        c->start_ns > INT64_MAX - (int64_t)c->den)
        return false;
    *seg = (cg_partlog_seg_t){c->start_ns, 0, c->start_ns + (int64_t)c->den, (int64_t)c->num,
                              INT64_MAX};
    return o >= 0;
}

bool cg_partlog_append_whole(const cg_partlog_t *pl, int64_t gp, int64_t o, int64_t *at)
{
    const pl_part_t *pp = &pl->parts[gp];
    if (pp->n_const != 0 || pp->n_pois == 0)
        return false;
    const pl_bucket_t *bk = &pp->cur;   /* the buckets kept hold disjoint offset ranges */
    if (o < bk->base || o - bk->base >= bk->count) {
        bk = &pp->prev;
        if (o < bk->base || o - bk->base >= bk->count)
            return false;
    }
    /* count > 0 here, so the index is a bucket's, of a time: index x length cannot overflow */
    int64_t lo = bk->index * PL_BUCKET_NS;
    if (!pl_lo_whole(pp, lo) || bk->count >= PL_SMALL_COUNT)
        return false;
    *at = cg_partlog_line_append(&(cg_partlog_line_t){lo, bk->base, bk->count}, o);
    return true;
}

bool cg_partlog_append_ns(cg_partlog_t *pl, int64_t gp, int64_t o, int64_t now_ns, int64_t *at)
{
    int64_t hi = now_ns;
    if (cg_partlog_end_offset(pl, gp, hi) <= o)   /* first: it may move the buckets kept */
        return false;
    int64_t lo = cg_partlog_earliest_ns(pl, gp);
    if (lo >= hi || cg_partlog_end_offset(pl, gp, lo) > o)
        return false;
    while (hi - lo > 1) {   /* end(lo) <= o < end(hi) */
        int64_t mid = lo + (hi - lo) / 2;
        if (cg_partlog_end_offset(pl, gp, mid) > o)
            hi = mid;
        else
            lo = mid;
    }
    *at = hi;
    return true;
}

int64_t cg_partlog_earliest_ns(const cg_partlog_t *pl, int64_t gp)
{
    const pl_part_t *pp = &pl->parts[gp];
    /* prev is the bucket of the query before cur's, not always cur - 1: times between the two
     * cannot be asked about, so prev counts only when it is adjacent */
    int64_t b = pp->prev.index != PL_NONE && pp->prev.index == pp->cur.index - 1 ? pp->prev.index
                                                                                 : pp->cur.index;
    return b > 0 ? pl_sat_mul_bucket(b) : 0;
}

int64_t cg_partlog_next_arrival_ns(cg_partlog_t *pl, int64_t gp, int64_t now_ns)
{
    assert(gp >= 0 && gp < pl->n_parts);
    pl_part_t *pp = &pl->parts[gp];
    int64_t best = pl_pois_next(pl, pp, now_ns);
    for (size_t i = 0; i < pp->n_const; i++) {
        int64_t at = pl_const_next(&pl->consts[pp->first_const + i], now_ns);
        if (at < best)
            best = at;
    }
    return best;
}

int64_t cg_partlog_end_next_line(cg_partlog_t *pl, int64_t gp, int64_t now_ns, int64_t *next_ns,
                                 cg_partlog_line_t *line)
{
    assert(gp >= 0 && gp < pl->n_parts);
    pl_part_t *pp = &pl->parts[gp];
    line->count = 0;
    /* The usual case, Poisson only and inside the hull: the bucket is found and its records
     * counted once for both answers (the separate calls would do it twice, same results). */
    if (pp->n_const == 0 && pp->n_pois > 0 && now_ns > pp->span_start_ns &&
        now_ns < pp->span_stop_ns && now_ns >= 0) {
        int64_t done;
        if (pl_whole_cur(pl, pp, now_ns, &done) && done < pp->cur.count) {
            /* Commonest of all: the next record of a whole bucket, found as
             * pl_bucket_next_from does with the span a constant. */
            *line = (cg_partlog_line_t){pp->cur.index * PL_BUCKET_NS, pp->cur.base, pp->cur.count};
            *next_ns = cg_partlog_line_next(line, now_ns, done);
            return pp->cur.base + done;
        }
        const pl_bucket_t *bk = pl_bucket_at(pl, pp, now_ns);
        done = pl_bucket_records(pp, bk, now_ns);
        int64_t end = bk->base + done;
        *next_ns = done < bk->count ? pl_bucket_next_from(pp, bk, now_ns, done)
                                    : pl_pois_next(pl, pp, now_ns);
        return end;
    }
    int64_t end = cg_partlog_end_offset(pl, gp, now_ns);
    *next_ns = cg_partlog_next_arrival_ns(pl, gp, now_ns);
    return end;
}

int64_t cg_partlog_end_next(cg_partlog_t *pl, int64_t gp, int64_t now_ns, int64_t *next_ns)
{
    cg_partlog_line_t line;
    return cg_partlog_end_next_line(pl, gp, now_ns, next_ns, &line);
}

int64_t cg_partlog_produced_total(cg_partlog_t *pl, int64_t now_ns)
{
    int64_t total = 0;
    for (int64_t gp = 0; gp < pl->n_parts; gp++)
        total += cg_partlog_end_offset(pl, gp, now_ns);
    return total;
}
