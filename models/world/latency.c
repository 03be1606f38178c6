/* models/latency: end-to-end latency (record append to processing done).
 *
 * A record's latency is the end of the batch that first processed it (the poll() that follows,
 * when its offset counts as processed) minus the time it was appended to its partition. Append
 * times are not stored per record: the partition log knows how the records of its current and
 * previous Poisson bucket (or of a single constant producer) arrive, a line of e1 - e0 records
 * over t1 - t0 ns, so that offset o was appended at
 *   A(o) = t0 + ceil((o - e0 + 1) x (t1 - t0) / (e1 - e0))
 * exactly as the log counts it (cg_partlog_segment). A partition with a constant producer beside
 * others has no such line: the first and last records of a batch are found by bisection on the
 * log's end offset (cg_partlog_append_ns, exact) and those in between on the line joining them.
 * Older records (a backlog the log no longer keeps) use checkpoints: at every lag sample each
 * watched partition gets
 * (t, end(t)), and the same formula runs between two checkpoints, or from the last one to the log
 * now, as if records arrived evenly meanwhile (rates are constant over a producer's window, so
 * the error is the arrival noise; within one inter-arrival time from the last checkpoint). A
 * partition keeps CG_LAT_CHECKPOINTS: the first is (0, 0), the empty log, the second the log at
 * the sample time before a group was first assigned it; when they are full, the second and the
 * fourth are dropped, so the latest half stay and older ones thin out geometrically.
 *
 * Latencies are counted in microseconds in sim/loghist buckets. Over a range of offsets between
 * two checkpoints latency falls as the offset grows, so a batch costs one step per bucket it
 * spans, never one per record. */
#include "models/world/latency.h"

#include <assert.h>
#include <stdlib.h>
#include "models/partlog/partlog.h"
#include "models/world/trace_rec.h"
#include "sim/loghist.h"

__extension__ typedef unsigned __int128 lat_u128;

int cg_lat_init(struct cg_world *w)
{
    w->lat_rings = calloc((size_t)(w->n_parts ? w->n_parts : 1), sizeof *w->lat_rings);
    return w->lat_rings ? 0 : -1;
}

void cg_lat_fini(struct cg_world *w)
{
    free(w->lat_rings);
    w->lat_rings = NULL;
}

static void ring_push(cg_lat_ring_t *r, int64_t t, int64_t end)
{
    if (r->n == CG_LAT_CHECKPOINTS) {
        /* Drop entries 1 and 3: keep 0, 2, 4.. in order. */
        uint32_t k = 0;
        for (uint32_t i = 0; i < r->n; i++) {
            if (i == 1 || i == 3)
                continue;
            r->t_ns[k] = r->t_ns[i];
            r->end[k] = r->end[i];
            k++;
        }
        r->n = k;
    }
    r->t_ns[r->n] = t;
    r->end[r->n] = end;
    r->n++;
}

void cg_lat_watch(struct cg_world *w, int32_t gp)
{
    cg_lat_ring_t *r = w->lat_rings ? &w->lat_rings[gp] : NULL;
    if (r && r->n == 0) {
        /* The empty log, then the log at the sample time before now (the start of a Poisson
         * bucket when samples are on whole seconds, so that the next interval is exact), or as
         * far back as the log can still answer. */
        int64_t now = sim_now(&w->sim), step = w->s->lag_sample_ns;
        int64_t at = now / step * step, earliest = cg_partlog_earliest_ns(w->pl, gp);
        if (at < earliest)
            at = earliest < now ? earliest : now;
        r->t_ns[0] = r->end[0] = 0;
        r->n = 1;
        if (at > 0)
            ring_push(r, at, cg_partlog_end_offset(w->pl, gp, at));
    }
}

void cg_lat_checkpoint(struct cg_world *w, int64_t now)
{
    if (!w->lat_rings)
        return;
    for (int64_t gp = 0; gp < w->n_parts; gp++) {
        cg_lat_ring_t *r = &w->lat_rings[gp];
        if (r->n > 0 && r->t_ns[r->n - 1] < now)
            ring_push(r, now, cg_partlog_end_offset(w->pl, gp, now));
    }
}

int64_t cg_lat_last_end(const struct cg_world *w, int32_t gp)
{
    const cg_lat_ring_t *r = &w->lat_rings[gp];
    assert(r->n > 0 && "a subscribed partition is watched");
    return r->end[r->n - 1];
}

/* floor(a x b / c) for a, b >= 0 and c > 0; 64-bit when the product fits (the usual case:
 * a few records times a second), else 128-bit. */
static int64_t mul_div(int64_t a, int64_t b, int64_t c)
{
    int64_t p;
    if (!__builtin_mul_overflow(a, b, &p))
        return p / c;
    return (int64_t)((lat_u128)a * (lat_u128)b / (lat_u128)c);
}

/* ceil(a x b / c) for a, b, c >= 1: floor((a x b - 1) / c) + 1. */
static int64_t ceil_mul_div(int64_t a, int64_t b, int64_t c)
{
    int64_t p;
    if (!__builtin_mul_overflow(a, b, &p))
        return (p - 1) / c + 1;
    return (int64_t)(((lat_u128)a * (lat_u128)b - 1) / (lat_u128)c) + 1;
}

static int64_t append_ns(const cg_partlog_seg_t *s, int64_t o)
{
    return s->t0 + ceil_mul_div(o - s->e0 + 1, s->t1 - s->t0, s->e1 - s->e0);
}

static void count(cg_group_t *g, int bucket, int64_t n)
{
    g->lat_int[bucket] += n;
    g->lat_int_n += n;
}

/* Records [a, b) of segment s processed at done: one step per latency bucket. Returns the
 * latency of record a, the largest. */
static int64_t seg_count(cg_group_t *g, const cg_partlog_seg_t *s, int64_t a, int64_t b, int64_t done)
{
    int64_t o = a, first = done - append_ns(s, a), lat = first;
    while (o < b) {
        if (o > a)
            lat = done - append_ns(s, o);
        if (lat <= 0) {
            count(g, 0, b - o);
            return first;
        }
        int bucket = sim_loghist_bucket((uint64_t)lat / 1000);
        if (b - o == 1) {   /* the common batch of one record from a partition */
            count(g, bucket, 1);
            return first;
        }
        int64_t lo_ns = (int64_t)sim_loghist_lo(bucket) * 1000;
        /* The last offset with latency >= lo_ns: A(o') <= done - lo_ns. */
        int64_t room = done - lo_ns - s->t0;
        int64_t last = s->e0 - 1 + mul_div(room, s->e1 - s->e0, s->t1 - s->t0);
        if (last >= b)
            last = b - 1;
        if (last < o)
            last = o;   /* rounding guard: o itself is in the bucket */
        count(g, bucket, last - o + 1);
        o = last + 1;
    }
    return first;
}

/* The checkpoints' segment holding offset o (the log no longer keeps its bucket): between two
 * checkpoints, or after the last one up to the log now. False when o is not in the log yet. */
static bool ring_seg(struct cg_world *w, int32_t gp, int64_t o, cg_partlog_seg_t *s)
{
    const cg_lat_ring_t *r = &w->lat_rings[gp];
    uint32_t k = r->n - 1;
    while (k > 0 && r->end[k] > o)
        k--;
    if (k + 1 < r->n) {
        *s = (cg_partlog_seg_t){r->t_ns[k], r->end[k], r->t_ns[k + 1], r->end[k + 1],
                                r->end[k + 1]};
    } else {
        int64_t now = sim_now(&w->sim);
        *s = (cg_partlog_seg_t){r->t_ns[k], r->end[k], now,
                                cg_partlog_end_offset(w->pl, gp, now), 0};
        s->last = s->e1;
    }
    return s->last > o && s->e1 > s->e0 && s->t1 > s->t0;
}

static void count_max(cg_group_t *g, int64_t lat, int64_t n)
{
    count(g, lat > 0 ? sim_loghist_bucket((uint64_t)lat / 1000) : 0, n);
    if (lat > g->lat_int_max_ns)
        g->lat_int_max_ns = lat;
}

/* A partition the log cannot describe as a line (a constant producer beside others): the exact
 * append times of the batch's first and last records, by bisection, and a line between them for
 * those in between. False when the log no longer knows them. */
static bool bisect_count(cg_group_t *g, int32_t gp, int64_t lo, int64_t hi, int64_t done)
{
    struct cg_world *w = g->w;
    int64_t now = sim_now(&w->sim), a, b;
    if (!cg_partlog_append_ns(w->pl, gp, lo, now, &a))
        return false;
    if (hi - lo == 1 || !cg_partlog_append_ns(w->pl, gp, hi - 1, now, &b) || b <= a) {
        count_max(g, done - a, hi - lo);   /* one record, or all appended at one instant */
        return true;
    }
    /* A(o) = t0 + ceil((o - lo + 1) x d / n): A(lo) = a and A(hi - 1) = b, to a nanosecond */
    int64_t n = hi - 1 - lo, d = b - a, step = (d + n - 1) / n;
    cg_partlog_seg_t s = {a - step, lo, a - step + d, lo + n, hi};
    int64_t lat = seg_count(g, &s, lo, hi, done);
    if (lat > g->lat_int_max_ns)
        g->lat_int_max_ns = lat;
    return true;
}

void cg_lat_processed(cg_group_t *g, int32_t gp, int64_t lo, int64_t hi, int64_t done_ns)
{
    struct cg_world *w = g->w;
    cg_partlog_seg_t s1;
    int64_t at;
    if (hi - lo == 1 && cg_partlog_append_whole(w->pl, gp, lo, &at)) {
        count_max(g, done_ns - at, 1);   /* the commonest of all, as below */
        return;
    }
    if (hi - lo == 1 && cg_partlog_segment(w->pl, gp, lo, &s1)) {
        /* The common batch of one record from a partition, as the loop below counts it. */
        count_max(g, done_ns - append_ns(&s1, lo), 1);
        return;
    }
    if (!cg_partlog_segment(w->pl, gp, lo, &s1) && bisect_count(g, gp, lo, hi, done_ns))
        return;
    bool first = true;
    while (lo < hi) {
        cg_partlog_seg_t s;
        /* The log first: the checkpoints (another cache line) only for what it forgot. */
        if (!cg_partlog_segment(w->pl, gp, lo, &s) &&
            (w->lat_rings[gp].n == 0 || !ring_seg(w, gp, lo, &s))) {
            count(g, 0, hi - lo);   /* cannot happen: processed records are in the log */
            return;
        }
        int64_t b = hi < s.last ? hi : s.last;
        int64_t lat = seg_count(g, &s, lo, b, done_ns);
        if (first && lat > g->lat_int_max_ns)
            g->lat_int_max_ns = lat;
        first = false;
        lo = b;
    }
}

void cg_lat_flush(cg_group_t *g)
{
    if (g->lat_int_n == 0)
        return;
    cg_group_summary_t *s = &g->sum;
    int64_t max_ns = g->lat_int_max_ns > 0 ? g->lat_int_max_ns : 0;
    cg_rec_latency(g->w, g, g->lat_int_n, max_ns, g->lat_int);
    s->latency_records += g->lat_int_n;
    if (max_ns > s->latency_max_ns)
        s->latency_max_ns = max_ns;
    for (int b = 0; b < SIM_LOGHIST_BUCKETS; b++) {
        s->latency_counts[b] += g->lat_int[b];
        g->lat_int[b] = 0;
    }
    g->lat_int_n = 0;
    g->lat_int_max_ns = -1;
}
