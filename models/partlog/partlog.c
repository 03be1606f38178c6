/* models/partlog: the partition logs of all topics, with records generated lazily.
 *
 * How the producers' rates become per-partition arrival entries (keys, the default partitioner,
 * partitions added while running) is partlog_build.c; this file answers the queries.
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
#include "models/partlog/partlog_impl.h"

#include <assert.h>
#include <gsl/gsl_randist.h>
#include <math.h>

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

/* Make bucket `index` current; buckets jumped over are empty. What leaves cur and prev is kept
 * while a query may still ask about it (partlog_impl.h). */
static void pl_set_cur(cg_partlog_t *pl, pl_part_t *pp, int64_t index, int64_t count)
{
    int64_t base = pp->cur.base + pp->cur.count;
    bool keep = pl_may_keep_before(pl, index);   /* pl_hist_keep tells which */
    if (keep)
        pl_hist_keep(pl, pp, &pp->prev);
    if (index - 1 == pp->cur.index) {
        pp->prev = pp->cur;
    } else {
        if (keep)
            pl_hist_keep(pl, pp, &pp->cur);
        pp->prev = (pl_bucket_t){index - 1, base, 0};
    }
    pp->cur = (pl_bucket_t){index, base, count};
}

static void pl_advance(cg_partlog_t *pl, pl_part_t *pp, int64_t b)
{
    if (b == pp->cur.index + 1 && pp->ahead.index == PL_NONE && pl_full_bucket(pp, b)) {
        /* The commonest step, as the loop below takes it: the next bucket, whole and drawn
         * (pl_set_cur's adjacent case, inline without its test: 0.25% of the benchmark). */
        if (__builtin_expect(pl_may_keep_before(pl, b), 0))
            pl_hist_keep(pl, pp, &pp->prev);
        pp->prev = pp->cur;
        pp->cur = (pl_bucket_t){b, pp->prev.base + pp->prev.count,
                                pl_poisson_small_emu(&pp->rng_state, pp->full_emu)};
        return;
    }
    while (pp->cur.index < b) {
        int64_t nb = pp->cur.index + 1;
        if (pp->ahead.index != PL_NONE) {
            assert(pp->ahead.index >= nb);
            if (b < pp->ahead.index) {
                pl_set_cur(pl, pp, b, 0);
            } else {
                pl_set_cur(pl, pp, pp->ahead.index, pp->ahead.count);
                pp->ahead.index = PL_NONE;
            }
            continue;
        }
        bool full = pl_full_bucket(pp, nb);
        int64_t act = full ? nb : pl_next_active(pl, pp, nb);
        if (act > nb)
            pl_set_cur(pl, pp, act - 1 < b ? act - 1 : b, 0);
        else   /* pl_draw's answer, without its second look at `full` */
            pl_set_cur(pl, pp, nb, full ? pl_poisson_small_emu(&pp->rng_state, pp->full_emu)
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

/* The bucket holding t_ns, made current if it is ahead; an older one than prev from the
 * buckets kept. */
static const pl_bucket_t *pl_bucket_at(cg_partlog_t *pl, pl_part_t *pp, int64_t t_ns)
{
    int64_t b = t_ns / PL_BUCKET_NS;
    if (b == pp->prev.index)
        return &pp->prev;
    if (__builtin_expect(b < pp->cur.index, 0))
        return pl_hist_at(pl, pp, b);
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

/* First arrival after t_ns in the buckets kept after bucket b (older than prev), prev included:
 * INT64_MAX when none has one. */
static int64_t pl_kept_next(const cg_partlog_t *pl, const pl_part_t *pp, int64_t b, int64_t t_ns)
{
    int64_t at;
    for (const pl_bucket_t *k = pl_hist_after(pl, pp, b); k; k = pl_hist_after(pl, pp, k->index))
        if ((at = pl_bucket_next(pp, k, t_ns)) != INT64_MAX)
            return at;
    return pl_bucket_next(pp, &pp->prev, t_ns);
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
    if (bk != &pp->cur) {
        if (bk != &pp->prev && (at = pl_kept_next(pl, pp, bk->index, t_ns)) != INT64_MAX)
            return at;
        if ((at = pl_bucket_next(pp, &pp->cur, t_ns)) != INT64_MAX)
            return at;
    }
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

/* The current bucket, starting at lo, whole inside the hull: *done is its records by now_ns
 * (lo <= now_ns < lo + bucket), by the constant bucket length; false for a count too large for
 * the 64-bit product. */
static inline bool pl_cur_done(const pl_part_t *pp, int64_t now_ns, int64_t lo, int64_t *done)
{
    uint64_t cnt = (uint64_t)pp->cur.count;
    if (cnt >= (uint64_t)PL_SMALL_COUNT)
        return false;
    *done = (int64_t)(cnt * (uint64_t)(now_ns - lo) / (uint64_t)PL_BUCKET_NS);
    return true;
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
    return pl_cur_done(pp, now_ns, lo, done);
}

int64_t cg_partlog_end_offset(cg_partlog_t *pl, int64_t gp, int64_t now_ns)
{
    assert(gp >= 0 && gp < pl->n_parts);
    pl_part_t *pp = &pl->parts[gp];
    int64_t done;
    if (now_ns >= 0) {
        /* The lag samples' read of every partition: in the current bucket, whole inside the
         * hull (pl_whole_cur's answer without its advance). */
        int64_t b = now_ns / PL_BUCKET_NS, lo = b * PL_BUCKET_NS;
        if (b == pp->cur.index && pp->n_const == 0 && now_ns > pp->span_start_ns &&
            pl_lo_whole(pp, lo) && pl_cur_done(pp, now_ns, lo, &done))
            return pp->cur.base + done;
    }
    if (pp->n_const == 0 && pp->n_pois > 0 && now_ns > pp->span_start_ns && now_ns >= 0 &&
        pl_whole_cur(pl, pp, now_ns, &done))
        return pp->cur.base + done;
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
