/* models/client/fetch: the fetch half of the poll loop, shared by both clients (see fetch.h).
 *
 * A fetch is served at the broker one network delay after poll(): if no owned partition has
 * records, the broker holds the request until one arrives (looked ahead with the partition logs'
 * next arrival) or fetch.max.wait.ms passes. The response carries up to max.poll.records records,
 * taken round-robin from the partition after the last one served, and returns one delay later;
 * the batch's processing time is one draw of the sum of its records' processing times. */
#include "models/client/fetch.h"
#include "models/client/runahead.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include "models/world/ownership.h"
#include "models/partlog/partlog.h"
#include "models/world/trace_rec.h"
#include "models/world/world_impl.h"
#include "sim/time.h"
#include "sim/vec.h"

/* ---- the owned-partition table (sorted by global partition) ---- */

int32_t cg_fetch_owned_find(const cg_client_t *c, int32_t gp)
{
    uint32_t lo = 0, hi = c->n_owned;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (c->owned[mid].gp == gp)
            return (int32_t)mid;
        if (c->owned[mid].gp < gp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

int cg_fetch_owned_reserve(cg_client_t *c, uint32_t n)
{
    c->wake_stale = true;   /* the caller is about to change the table */
    if (sim_vec_reserve(&c->wake, &c->cap_wake, n, sizeof *c->wake, 8) != 0 ||
        sim_vec_reserve(&c->ready, &c->cap_ready, n, sizeof *c->ready, 8) != 0)
        return -1;
    return sim_vec_reserve(&c->owned, &c->cap_owned, n, sizeof *c->owned, 8);
}

void cg_fetch_owned_changed(cg_client_t *c)
{
    c->wake_stale = true;
}

void cg_fetch_owned_init(cg_owned_t *o, int32_t gp)
{
    o->gp = gp;
    o->pos = -1;
    o->committed = -1;
    o->end_cache = 0;
    o->cache_ns = -1;
    o->next_arr_ns = -1;
    o->line_count = 0;
}

/* Positions from an OffsetFetch response: the committed offset, or auto.offset.reset when the
 * group has none (earliest = 0, latest = log end now). Returns false when a partition has no
 * committed offset and the reset policy is none (the caller surfaces the error and closes). */
bool cg_fetch_set_positions(cg_client_t *c, const int32_t *gp, const int64_t *off, uint32_t n)
{
    c->wake_stale = true;
    for (uint32_t i = 0; i < n; i++) {
        int32_t k = cg_fetch_owned_find(c, gp[i]);
        if (k < 0 || c->owned[k].pos >= 0)
            continue;
        cg_owned_t *o = &c->owned[k];
        if (off[i] >= 0) {
            o->pos = off[i];
            continue;
        }
        switch (c->cfg->cfg.auto_offset_reset) {
        case CG_RESET_EARLIEST:
            o->pos = 0;
            break;
        case CG_RESET_LATEST:
            o->pos = cg_partlog_end_offset(c->w->pl, o->gp, sim_now(&c->w->sim));
            break;
        case CG_RESET_NONE:
            cg_rec_error(c->w, c->g, c->ci, "NoOffsetForPartitionException", o->gp);
            return false;
        }
    }
    return true;
}

/* ---- serving a fetch ---- */

/* The log end and next arrival at t from the partition log, with the line of t's bucket when
 * the log answered from a whole one. */
static void end_refresh(cg_client_t *c, cg_owned_t *o, int64_t t)
{
    cg_partlog_line_t line;
    o->end_cache = cg_partlog_end_next_line(c->w->pl, o->gp, t, &o->next_arr_ns, &line);
    o->cache_ns = t;
    o->line_count = line.count <= INT32_MAX ? (int32_t)line.count : 0;
}

/* The log end and next arrival at t from the kept line, when t is in its bucket before the
 * bucket's last record: the log's own answer (cg_partlog_end_next_line), without asking it. */
static bool end_from_line(cg_owned_t *o, int64_t t)
{
    cg_partlog_line_t l = {o->cache_ns / CG_PARTLOG_BUCKET_NS * CG_PARTLOG_BUCKET_NS, 0,
                           o->line_count};
    if (t < l.lo || t - l.lo >= CG_PARTLOG_BUCKET_NS)
        return false;
    int64_t done = cg_partlog_line_done(&l, t);
    if (done >= l.count)
        return false;
    l.base = o->end_cache - cg_partlog_line_done(&l, o->cache_ns);
    o->end_cache = l.base + done;
    o->next_arr_ns = cg_partlog_line_next(&l, t, done);
    o->cache_ns = t;
    return true;
}

/* Log end of an owned partition at t: from the cache while it holds (the usual case, inlined
 * into the fetch loops), else from the line of its bucket, else asked of the partition log. */
static inline int64_t end_at(cg_client_t *c, cg_owned_t *o, int64_t t)
{
    if ((t < o->cache_ns || t >= o->next_arr_ns) && !(o->line_count > 0 && end_from_line(o, t)))
        end_refresh(c, o, t);
    return o->end_cache;
}

/* ---- the wake heap: owned partitions by the time they may next have records ----
 *
 * A fetch visits only the partitions that have records, never the idle ones, so its cost does
 * not grow with the partitions a member owns. Invariant: a partition in the heap has no record
 * past its position before its key ns: either ns = INT64_MIN (it has, or may have,
 * records: look now) or ns = next_arr_ns with pos >= end_cache (the log end cannot pass pos
 * before the next arrival, and it never decreases). Positions change only in take_batch, which
 * re-keys what it took; any other change of the owned table or of a position marks the heap
 * stale (cg_fetch_owned_changed), and the next fetch rebuilds it with every key INT64_MIN.
 *
 * A member with at most CG_FETCH_SCAN_OWNED partitions (the usual member) keeps the same keys
 * by owned index instead (wake[i] for owned[i], INT64_MAX without a position) and scans them:
 * a pass over a few adjacent keys costs less than the pops and pushes of the heap. Both forms
 * find the same partitions with records at the same times, in owned order, so the batches are
 * the same. The scanned form also keeps the least key (wake_min), updated by every pass and
 * re-key: a member that keeps up finds nothing at its fetch's arrival (all its keys are later),
 * and then goes straight to the earliest next arrival instead of scanning twice to learn it. */

static inline bool wake_before(cg_wake_t a, cg_wake_t b)
{
    return a.ns < b.ns || (a.ns == b.ns && a.i < b.i);
}

static void wake_sift_up(cg_client_t *c, uint32_t k)
{
    cg_wake_t v = c->wake[k];
    while (k > 0) {
        uint32_t parent = (k - 1) / 2;
        if (!wake_before(v, c->wake[parent]))
            break;
        c->wake[k] = c->wake[parent];
        k = parent;
    }
    c->wake[k] = v;
}

static void wake_sift_down(cg_client_t *c, uint32_t k)
{
    cg_wake_t v = c->wake[k];
    uint32_t n = c->n_wake;
    for (;;) {
        uint32_t child = 2 * k + 1;
        if (child >= n)
            break;
        if (child + 1 < n && wake_before(c->wake[child + 1], c->wake[child]))
            child++;
        if (!wake_before(c->wake[child], v))
            break;
        c->wake[k] = c->wake[child];
        k = child;
    }
    c->wake[k] = v;
}

static void wake_push(cg_client_t *c, uint32_t i, int64_t ns)
{
    c->wake[c->n_wake] = (cg_wake_t){ns, i};
    wake_sift_up(c, c->n_wake++);
}

static uint32_t wake_pop(cg_client_t *c)
{
    uint32_t top = c->wake[0].i;
    c->wake[0] = c->wake[--c->n_wake];
    if (c->n_wake > 0)
        wake_sift_down(c, 0);
    assert(top < c->n_owned && "wake heap not rebuilt after the owned table changed");
    return top;
}

/* Every owned partition with a position, keyed INT64_MIN in index order (a valid heap; by
 * index in the scanned form, where those without a position wait forever). */
static void wake_rebuild(cg_client_t *c)
{
    c->n_wake = 0;
    c->wake_scan = c->n_owned <= CG_FETCH_SCAN_OWNED;
    c->wake_min = INT64_MAX;
    for (uint32_t i = 0; i < c->n_owned; i++)
        if (c->owned[i].pos >= 0 || c->wake_scan) {
            int64_t ns = c->owned[i].pos >= 0 ? INT64_MIN : INT64_MAX;
            c->wake[c->n_wake++] = (cg_wake_t){ns, i};
            c->wake_min = ns < c->wake_min ? ns : c->wake_min;
        }
    c->wake_stale = false;
    cg_ahead_hold_sync(c);
}

/* collect() in the scanned form; wake_min becomes the least key of the partitions left out of
 * c->ready (take_batch adds the re-keyed ones). */
static uint32_t collect_scan(cg_client_t *c, int64_t t)
{
    uint32_t k = 0;
    int64_t min = INT64_MAX;
    for (uint32_t i = 0; i < c->n_wake; i++) {
        int64_t ns = c->wake[i].ns;
        if (ns <= t) {
            cg_owned_t *o = &c->owned[i];
            if (end_at(c, o, t) > o->pos) {
                c->ready[k++] = i;
                continue;
            }
            c->wake[i].ns = ns = o->next_arr_ns;
        }
        min = ns < min ? ns : min;
    }
    c->wake_min = min;
    return k;
}

/* The partitions with records at broker time t leave the heap for c->ready, in owned order;
 * returns how many. Those found idle go back keyed by their next arrival (> t). */
static uint32_t collect(cg_client_t *c, int64_t t)
{
    if (c->wake_scan)
        return collect_scan(c, t);
    uint32_t k = 0;
    while (c->n_wake > 0 && c->wake[0].ns <= t) {
        uint32_t i = wake_pop(c);
        cg_owned_t *o = &c->owned[i];
        if (end_at(c, o, t) > o->pos) {
            uint32_t j = k++;
            for (; j > 0 && c->ready[j - 1] > i; j--)   /* insertion: k is small */
                c->ready[j] = c->ready[j - 1];
            c->ready[j] = i;
        } else {
            wake_push(c, i, o->next_arr_ns);
        }
    }
    return k;
}

/* Earliest time an idle partition may have records, INT64_MAX when none will. */
static int64_t wake_next(const cg_client_t *c)
{
    if (!c->wake_scan)
        return c->n_wake > 0 ? c->wake[0].ns : INT64_MAX;
    return c->wake_min;
}

static int chunk_push(cg_client_t *c, int32_t gp, int64_t from, int64_t n)
{
    if (c->n_chunks == c->cap_chunks &&
        sim_vec_reserve(&c->chunks, &c->cap_chunks, c->n_chunks + 1, sizeof *c->chunks, 8) != 0)
        return -1;
    c->chunks[c->n_chunks++] = (cg_chunk_t){gp, from, n};
    return 0;
}

/* Take up to max.poll.records records at broker time t from the k partitions collect() found
 * with records, round-robin from c->rr over the owned table (as a scan of every owned partition
 * from c->rr would, skipping the idle ones); they all go back into the heap. */
static int64_t take_batch(cg_client_t *c, int64_t t, uint32_t k)
{
    int64_t want = c->cfg->cfg.max_poll_records, got = 0;
    uint32_t n = c->n_owned, last = c->rr, start = c->rr < n ? c->rr : c->rr % n, first = 0;
    c->n_chunks = 0;
    while (first < k && c->ready[first] < start)
        first++;
    for (uint32_t j = 0, r = first < k ? first : 0; j < k && got < want;
         j++, r = r + 1 == k ? 0 : r + 1) {
        uint32_t i = c->ready[r];   /* ready[(first + j) % k] */
        cg_owned_t *o = &c->owned[i];
        int64_t e = end_at(c, o, t);
        int64_t take = e - o->pos < want - got ? e - o->pos : want - got;
        if (chunk_push(c, o->gp, o->pos, take) != 0) {
            cg_world_fail(c->w, "out of memory");
            break;
        }
        o->pos += take;
        got += take;
        last = i + 1 == n ? 0 : i + 1;
    }
    c->rr = last;
    for (uint32_t j = 0; j < k; j++) {
        const cg_owned_t *o = &c->owned[c->ready[j]];
        int64_t ns = o->pos < o->end_cache ? INT64_MIN : o->next_arr_ns;
        if (c->wake_scan) {
            c->wake[c->ready[j]].ns = ns;
            c->wake_min = ns < c->wake_min ? ns : c->wake_min;
        } else
            wake_push(c, c->ready[j], ns);
    }
    return got;
}

int64_t cg_fetch_batch(cg_client_t *c)
{
    int64_t now = sim_now(&c->w->sim);
    int64_t at = now + cg_net_delay_ns(&c->w->net, c->ci);       /* request reaches the broker */
    int64_t deadline = at + c->cfg->cfg.fetch_max_wait_ns;
    if (c->wake_stale)
        wake_rebuild(c);
    /* No key at or before the arrival: a pass would find nothing and change nothing. */
    uint32_t k = c->wake_scan && c->wake_min > at ? 0 : collect(c, at);
    int64_t when = at;
    for (int scan = 0; k == 0 && scan < CG_FETCH_SCAN_MAX; scan++) {
        int64_t next = wake_next(c);   /* may be a lower bound: collect re-checks */
        if (next >= deadline)
            break;
        when = next;
        k = collect(c, when);
    }
    __builtin_prefetch(c->proc_rng.gen->state);   /* the batch draws come last: start loading */
    if (k == 0)
        when = deadline;
    int64_t ret = when + cg_net_delay_ns(&c->w->net, c->ci);     /* response reaches the client */
    if (k == 0 && ret < now + CG_FETCH_MIN_IDLE_NS)
        ret = now + CG_FETCH_MIN_IDLE_NS;
    c->n_chunks = 0;
    int64_t got = k > 0 ? take_batch(c, when, k) : 0;
    /* One draw for the whole batch, of the law of the sum of its per-record times (sim/dist:
     * exponential -> gamma, constant -> n * v). Exact here because nothing in the model sees an
     * instant between two records of a batch: positions advance when the fetch returns (as
     * KafkaConsumer's do when poll() returns them), commits and rebalance callbacks run inside
     * poll(), that is between batches, a slow fault takes effect from the next batch, and a close
     * or crash before batch_end_ns gives back or loses the batch as a whole (give_back_batch,
     * cg_client_stop); its records count as processed only at batch_end_ns (cg_fetch_settle).
     * Anything that would act between two records needs per-record times again. */
    double proc_ms = got > 0 ? sim_dist_sampler_sum(&c->proc_dist, &c->proc_rng, (uint32_t)got) : 0;
    c->batch_ret_ns = ret;
    c->batch_end_ns = ret + sim_ms_to_ns(proc_ms * c->slow);
    c->processing = true;
    if (c->w->opts.trace_level == CG_TRACE_DEBUG)
        cg_rec_poll(c->w, c);
    return c->batch_end_ns;
}

bool cg_fetch_need_positions(const cg_client_t *c)
{
    for (uint32_t i = 0; i < c->n_owned; i++)
        if (c->owned[i].pos < 0)
            return true;
    return false;
}

void cg_fetch_settle(cg_client_t *c)
{
    for (uint32_t i = 0; i < c->n_chunks; i++)
        cg_own_processed(c->g, c, c->chunks[i].gp, c->chunks[i].from, c->chunks[i].n);
}

/* Start loading what this poll will touch, scattered over memory (thousands of entities): the
 * wake heap and owned table (fetch), the processing stream (batch draws) and the group's per-partition
 * ownership slots of the batch (settle). The loads overlap instead of stalling one by one. */
void cg_fetch_prefetch(const cg_client_t *c)
{
    __builtin_prefetch(c->wake);
    __builtin_prefetch(c->owned, 1);
    __builtin_prefetch(c->proc_rng.gen);
    if (!c->processing)
        return;
    for (uint32_t i = 0; i < c->n_chunks; i++) {
        __builtin_prefetch(&c->g->max_processed[c->chunks[i].gp], 1);
        __builtin_prefetch(&c->g->owner[c->chunks[i].gp]);
    }
}
