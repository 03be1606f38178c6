/* models/partlog: construction of the partition logs (the queries are partlog.c).
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
 * creation. */
#include "models/partlog/partlog_impl.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/limits.h"
#include "models/partlog/partitioner.h"

/* ---- the splitmix64 GSL generator type ---- */

static uint64_t pl_sm_next(void *vstate) { return pl_sm_step(&((pl_sm_state_t *)vstate)->x); }
static void pl_sm_set(void *vstate, unsigned long seed) { ((pl_sm_state_t *)vstate)->x = seed; }
static unsigned long pl_sm_get(void *vstate) { return (unsigned long)(pl_sm_next(vstate) >> 32); }
static double pl_sm_get_double(void *vstate) { return pl_sm_uniform(&((pl_sm_state_t *)vstate)->x); }

const gsl_rng_type cg_partlog_sm_type = {
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
    if (pl)
        pl->clock = &pl_no_clock;
    if (!pl || !(pl->topic_base = calloc(s->n_topics + 1, sizeof *pl->topic_base)))
        goto oom;
    pl->n_topics = s->n_topics;
    for (size_t t = 0; t < s->n_topics; t++)
        pl->topic_base[t + 1] = pl->topic_base[t] + s->topics[t].max_partitions;
    pl->n_parts = pl->topic_base[s->n_topics];
    if (pl_parts_init(pl, s, seed) != 0 || !(pl->gen = gsl_rng_alloc(&cg_partlog_sm_type)))
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
    pl_hist_free(pl);
    free(pl->topic_base);
    free(pl->parts);
    free(pl->consts);
    free(pl->pois);
    free(pl);
}

const int64_t pl_no_clock = INT64_MAX;
void cg_partlog_set_clock(cg_partlog_t *pl, const int64_t *now_ns)
{
    pl->clock = now_ns ? now_ns : &pl_no_clock;
}
bool cg_partlog_failed(const cg_partlog_t *pl) { return pl->oom; }
const int64_t *cg_partlog_topic_base(const cg_partlog_t *pl) { return pl->topic_base; }
int64_t cg_partlog_count(const cg_partlog_t *pl) { return pl->n_parts; }

double cg_partlog_rate_per_s(const cg_partlog_t *pl, int64_t gp)
{
    assert(gp >= 0 && gp < pl->n_parts);
    return pl->parts[gp].rate_per_s;
}
