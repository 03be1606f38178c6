/* analysis/an_state: applies checked trace records to per-group state. Every time integral is
 * advanced lazily: before a change at time t, the quantity that held since the last change is
 * multiplied by the elapsed time, so the cost is per record, never per unit of time. */
#include "analysis/an_state.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int an_counter_add(an_counter_t *c, const char *key, int64_t n)
{
    size_t i = an_map_intern(&c->keys, key, strlen(key), NULL);
    if (i == AN_MAP_NONE || an_grow((void **)&c->counts, &c->cap, i + 1, sizeof *c->counts))
        return -1;
    c->counts[i] = an_sat_add(c->counts[i], n);
    return 0;
}

static void an_counter_fini(an_counter_t *c)
{
    an_map_fini(&c->keys);
    free(c->counts);
}

void an_state_init(an_state_t *s, const an_observer_t *obs)
{
    memset(s, 0, sizeof *s);
    an_map_init(&s->group_ids);
    an_map_init(&s->topics);
    an_racks_init(&s->racks);
    s->obs = obs;
}

static void an_grp_fini(an_grp_t *g)
{
    an_series_fini(g);
    for (size_t i = 0; i < an_map_len(&g->member_ids); i++)
        free(g->mem[i].owned);
    free(g->mem);
    free(g->part);
    free(g->dur_ms);
    free(g->hist);
    free(g->occ);
    free(g->occ_words);
    free(g->topic_sub);
    free(g->add_made);
    an_map_fini(&g->member_ids);
    an_map_fini(&g->part_ids);
    an_counter_fini(&g->leave_reasons);
    an_counter_fini(&g->rebalance_reasons);
}

void an_state_fini(an_state_t *s)
{
    for (size_t i = 0; i < an_map_len(&s->group_ids); i++)
        an_grp_fini(&s->grp[i]);
    free(s->grp);
    free(s->scratch);
    free(s->key);
    free(s->adds);
    free(s->add_order);
    an_map_fini(&s->group_ids);
    an_map_fini(&s->topics);
    an_racks_fini(&s->racks);
    memset(s, 0, sizeof *s);
}

size_t an_state_group(an_state_t *s, const char *name)
{
    int added;
    size_t g = an_map_intern(&s->group_ids, name, strlen(name), &added);
    if (g == AN_MAP_NONE || an_grow((void **)&s->grp, &s->grp_cap, g + 1, sizeof *s->grp))
        return AN_MAP_NONE;
    if (added) {
        an_grp_t *gr = &s->grp[g];
        gr->lag_max = -1;
        an_series_init(gr);
    }
    return g;
}

size_t an_state_member(an_state_t *s, size_t g, const char *name)
{
    an_grp_t *gr = &s->grp[g];
    size_t m = an_map_intern(&gr->member_ids, name, strlen(name), NULL);
    if (m == AN_MAP_NONE || an_grow((void **)&gr->mem, &gr->mem_cap, m + 1, sizeof *gr->mem))
        return AN_MAP_NONE;
    return m;
}

/* The add_partitions record that created partition p of topic t, or AN_MAP_NONE. */
/* (topic, from, index) order of adds a and b. */
static bool an_add_before(const an_state_t *s, size_t a, size_t b)
{
    const an_add_t *x = &s->adds[a], *y = &s->adds[b];
    if (x->topic != y->topic)
        return x->topic < y->topic;
    return x->from != y->from ? x->from < y->from : a < b;
}

/* The last add in (topic, from) order with (topic, from) <= (t, p); it holds p when p < to
 * (the ranges of one topic do not overlap in a simulator's trace). O(log adds). */
static size_t an_add_of(const an_state_t *s, size_t t, int64_t p)
{
    size_t lo = 0, hi = s->n_adds;                  /* first entry after (t, p) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const an_add_t *a = &s->adds[s->add_order[mid]];
        if (a->topic < t || (a->topic == t && a->from <= p))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return AN_MAP_NONE;
    size_t k = s->add_order[lo - 1];
    return s->adds[k].topic == t && p < s->adds[k].to ? k : AN_MAP_NONE;
}

/* A new entry for a partition an add_partitions record created: unowned since then when the
 * group read its topic at that time. */
static void an_part_created(an_state_t *s, an_grp_t *gr, an_part_t *pt)
{
    size_t k = an_add_of(s, pt->topic, pt->partition);
    if (k == AN_MAP_NONE)
        return;
    pt->created_ns = s->adds[k].t_ns;
    if (k < gr->add_made_cap && gr->add_made[k] > 0) {
        pt->subscribed = true;
        pt->since_ns = s->adds[k].t_ns;
        gr->add_made[k]++;
    }
}

/* Partition index of (topic, p) in group g, created unsubscribed when new. */
static size_t an_state_part(an_state_t *s, an_grp_t *gr, const char *topic, int64_t p)
{
    size_t tlen = strlen(topic);
    if (an_grow((void **)&s->key, &s->key_cap, tlen + 24, 1))
        return AN_MAP_NONE;
    int len = snprintf(s->key, s->key_cap, "%s\x1f%lld", topic, (long long)p);
    if (len < 0 || (size_t)len >= s->key_cap)
        return AN_MAP_NONE;
    int added;
    size_t i = an_map_intern(&gr->part_ids, s->key, (size_t)len, &added);
    if (i == AN_MAP_NONE || an_grow((void **)&gr->part, &gr->part_cap, i + 1, sizeof *gr->part))
        return AN_MAP_NONE;
    if (added) {
        size_t t = an_map_intern(&s->topics, topic, strlen(topic), NULL);
        if (t == AN_MAP_NONE)
            return AN_MAP_NONE;
        an_part_t *pt = &gr->part[i];
        pt->partition = p;
        pt->topic = t;
        pt->owner = -1;
        pt->lag_records = -1;
        pt->committed = -1;
        if (s->n_adds)
            an_part_created(s, gr, pt);
    }
    return i;
}

int an_state_partitions_added(an_state_t *s, const char *topic, int64_t from, int64_t to,
                              int64_t t_ns)
{
    size_t t = an_map_intern(&s->topics, topic, strlen(topic), NULL);
    size_t k = s->n_adds;
    if (t == AN_MAP_NONE || an_grow((void **)&s->adds, &s->adds_cap, k + 1, sizeof *s->adds))
        return -1;
    if (an_grow((void **)&s->add_order, &s->add_order_cap, k + 1, sizeof *s->add_order))
        return -1;
    s->adds[s->n_adds++] = (an_add_t){t, from, to, t_ns};
    size_t i = k;                                   /* insertion: O(adds), adds are few */
    while (i > 0 && an_add_before(s, k, s->add_order[i - 1]))
        i--;
    memmove(&s->add_order[i + 1], &s->add_order[i], (k - i) * sizeof *s->add_order);
    s->add_order[i] = k;
    for (size_t g = 0; g < an_map_len(&s->group_ids); g++) {
        an_grp_t *gr = &s->grp[g];
        if (t >= gr->topic_sub_cap || !gr->topic_sub[t])
            continue;
        if (an_grow((void **)&gr->add_made, &gr->add_made_cap, k + 1, sizeof *gr->add_made))
            return -1;
        gr->add_made[k] = 1;
    }
    return 0;
}

/* ---- balance: histogram of partitions owned per member in the group ---- */

/* Integrate (max - min) over the settled time up to t_ns: from a rebalance_end to the next
 * rebalance_start (the run summary does the same: models/world/balance.c). */
static void an_bal_advance(an_grp_t *gr, int64_t t_ns)
{
    if (t_ns <= gr->bal_last_ns)
        return;
    if (gr->settled) {
        int64_t dt = t_ns - gr->bal_last_ns;
        gr->settled_ns = an_sat_add(gr->settled_ns, dt);
        if (gr->n_in > 0)
            gr->bal_integral += (double)(gr->bal_max - gr->bal_min) * (double)dt;
    }
    gr->bal_last_ns = t_ns;
}

/* Occupancy of the histogram as a two-level bitmap, so that the next non-empty count above or
 * below is found in O(range / 4096) word reads instead of a walk over every count: a member
 * owning nothing joining and leaving beside one owning a million partitions must not cost a
 * million steps per record. */
static int an_occ_grow(an_grp_t *gr, size_t k)
{
    size_t w = k / 64 + 1;
    return an_grow((void **)&gr->occ, &gr->occ_cap, w, sizeof *gr->occ) ||
           an_grow((void **)&gr->occ_words, &gr->occ_words_cap, w / 64 + 1,
                   sizeof *gr->occ_words);
}

static void an_occ_set(an_grp_t *gr, size_t k, bool on)
{
    size_t w = k / 64;
    if (on)
        gr->occ[w] |= UINT64_C(1) << (k % 64);
    else
        gr->occ[w] &= ~(UINT64_C(1) << (k % 64));
    if (gr->occ[w])
        gr->occ_words[w / 64] |= UINT64_C(1) << (w % 64);
    else
        gr->occ_words[w / 64] &= ~(UINT64_C(1) << (w % 64));
}

/* Smallest k' >= k with hist[k'] > 0; there is one (the caller knows a member is counted). */
static size_t an_occ_next(const an_grp_t *gr, size_t k)
{
    size_t w = k / 64;
    uint64_t bits = gr->occ[w] & (~UINT64_C(0) << (k % 64));
    if (!bits) {
        size_t ww = (w + 1) / 64;
        uint64_t wb = (w + 1) % 64 ? gr->occ_words[ww] & (~UINT64_C(0) << ((w + 1) % 64))
                                   : gr->occ_words[ww];
        while (!wb)
            wb = gr->occ_words[++ww];
        w = ww * 64 + (size_t)__builtin_ctzll(wb);
        bits = gr->occ[w];
    }
    return w * 64 + (size_t)__builtin_ctzll(bits);
}

/* Largest k' <= k with hist[k'] > 0; there is one. */
static size_t an_occ_prev(const an_grp_t *gr, size_t k)
{
    size_t w = k / 64;
    uint64_t bits = gr->occ[w] & (~UINT64_C(0) >> (63 - k % 64));
    if (!bits) {
        size_t ww = (w - 1) / 64;
        uint64_t wb = gr->occ_words[ww] & (~UINT64_C(0) >> (63 - (w - 1) % 64));
        while (!wb)
            wb = gr->occ_words[--ww];
        w = ww * 64 + 63 - (size_t)__builtin_clzll(wb);
        bits = gr->occ[w];
    }
    return w * 64 + 63 - (size_t)__builtin_clzll(bits);
}

static int an_bal_add(an_grp_t *gr, size_t k)
{
    if (an_grow((void **)&gr->hist, &gr->hist_cap, k + 1, sizeof *gr->hist) ||
        an_occ_grow(gr, k))
        return -1;
    if (gr->hist[k]++ == 0)
        an_occ_set(gr, k, true);
    if (gr->n_in++ == 0) {
        gr->bal_max = gr->bal_min = (int64_t)k;
        return 0;
    }
    if ((int64_t)k > gr->bal_max)
        gr->bal_max = (int64_t)k;
    if ((int64_t)k < gr->bal_min)
        gr->bal_min = (int64_t)k;
    return 0;
}

static void an_bal_remove(an_grp_t *gr, size_t k)
{
    if (--gr->hist[k] == 0)
        an_occ_set(gr, k, false);
    if (--gr->n_in == 0) {
        gr->bal_max = gr->bal_min = 0;
        return;
    }
    if (gr->hist[gr->bal_max] == 0)
        gr->bal_max = (int64_t)an_occ_prev(gr, (size_t)gr->bal_max);
    if (gr->hist[gr->bal_min] == 0)
        gr->bal_min = (int64_t)an_occ_next(gr, (size_t)gr->bal_min);
}

/* ---- ownership ---- */

/* Partition pi, owned by m since pt->since_ns, was stalled by m's stop up to t_ns. */
static void an_stop_close(an_state_t *s, size_t g, size_t pi, size_t m, int64_t t_ns)
{
    an_grp_t *gr = &s->grp[g];
    an_part_t *pt = &gr->part[pi];
    const an_mem_t *mb = &gr->mem[m];
    if (!mb->stop)
        return;
    int64_t from = pt->since_ns > mb->stop_since_ns ? pt->since_ns : mb->stop_since_ns;
    if (t_ns <= from)
        return;
    pt->stopped_ns = an_sat_add(pt->stopped_ns, t_ns - from);
    if (s->obs && s->obs->stalled)
        s->obs->stalled(s->obs->ctx, g, pi, m, from, t_ns);
}

/* Member m's stop bits become `stop` at t_ns: the stalls of what it owns end when none is left. */
static void an_set_stop(an_state_t *s, size_t g, size_t m, unsigned stop, int64_t t_ns)
{
    an_grp_t *gr = &s->grp[g];
    an_mem_t *mb = &gr->mem[m];
    if (!mb->stop && stop)
        mb->stop_since_ns = t_ns;
    if (mb->stop && !stop)
        for (size_t i = 0; i < mb->n_owned; i++)
            if (gr->part[mb->owned[i]].owner == (int64_t)m)
                an_stop_close(s, g, mb->owned[i], m, t_ns);
    mb->stop = stop;
}

void an_state_fault(an_state_t *s, size_t g, size_t m, const char *action, int64_t t_ns)
{
    an_grp_t *gr = &s->grp[g];
    unsigned stop = gr->mem[m].stop;
    if (!strcmp(action, "crash") || !strcmp(action, "leave"))
        stop |= AN_STOP_DOWN;
    else if (!strcmp(action, "pause") || !strcmp(action, "hang"))
        stop |= AN_STOP_PAUSED;
    else if (!strcmp(action, "resume"))
        stop &= ~(unsigned)AN_STOP_PAUSED;
    else if (!strcmp(action, "isolate"))
        stop |= AN_STOP_ISOLATED;
    else if (!strcmp(action, "heal"))
        stop &= ~(unsigned)AN_STOP_ISOLATED;
    an_set_stop(s, g, m, stop, t_ns);
}

static void an_release(an_state_t *s, size_t g, size_t pi, int64_t t_ns)
{
    an_grp_t *gr = &s->grp[g];
    an_part_t *pt = &gr->part[pi];
    size_t m = (size_t)pt->owner;
    an_stop_close(s, g, pi, m, t_ns);
    gr->mem[m].owned_ns = an_sat_add(gr->mem[m].owned_ns, t_ns - pt->since_ns);
    if (s->obs && s->obs->owned)
        s->obs->owned(s->obs->ctx, g, pi, m, pt->since_ns, t_ns);
    pt->owner = -1;
    pt->since_ns = t_ns;
}

/* Partition pi of group g was without an owner over [from_ns, t_ns). */
static void an_unowned(an_state_t *s, size_t g, size_t pi, int64_t from_ns, int64_t t_ns)
{
    an_part_t *pt = &s->grp[g].part[pi];
    pt->unavailable_ns = an_sat_add(pt->unavailable_ns, t_ns - from_ns);
    if (s->obs && s->obs->unowned)
        s->obs->unowned(s->obs->ctx, g, pi, 1, from_ns, t_ns);
}

static void an_acquire(an_state_t *s, size_t g, size_t pi, size_t m, int64_t t_ns)
{
    an_part_t *pt = &s->grp[g].part[pi];
    if (pt->since_ns < t_ns)
        an_unowned(s, g, pi, pt->since_ns, t_ns);
    pt->owner = (int64_t)m;
    pt->since_ns = t_ns;
}

/* Move member m (in the group) from `before` to `after` partitions in the histogram. Adding
 * before removing keeps the walk of bal_max/bal_min within |after - before| steps. */
static int an_bal_move(an_grp_t *gr, size_t m, size_t before, size_t after)
{
    if (!gr->mem[m].in_group)
        return 0;
    if (an_bal_add(gr, after))
        return -1;
    an_bal_remove(gr, before);
    return 0;
}

/* Set member m's owned list to `list` (n entries, all owned by m), updating the histogram. */
static int an_set_owned(an_grp_t *gr, size_t m, const size_t *list, size_t n)
{
    an_mem_t *mb = &gr->mem[m];
    size_t before = mb->n_live;
    if (an_grow((void **)&mb->owned, &mb->cap_owned, n, sizeof *mb->owned))
        return -1;
    if (n)
        memmove(mb->owned, list, n * sizeof *list);
    mb->n_owned = mb->n_live = n;
    return an_bal_move(gr, m, before, n);
}

/* Drop the stale entries of m's owned list (partitions another member took), keeping order. */
static void an_compact(an_grp_t *gr, size_t m)
{
    an_mem_t *mb = &gr->mem[m];
    size_t k = 0;
    for (size_t i = 0; i < mb->n_owned; i++)
        if (gr->part[mb->owned[i]].owner == (int64_t)m)
            mb->owned[k++] = mb->owned[i];
    mb->n_owned = k;
}

/* Partition pi goes to another member while its owner still lists it (an assignment without a
 * revoke). Its entry in the owner's list becomes stale and is skipped; the list is compacted
 * only when stale entries outnumber live ones, so each take costs O(1) amortised and analyze
 * stays linear whatever the ownership pattern. */
static int an_take_from_other(an_state_t *s, size_t g, size_t pi, int64_t t_ns)
{
    an_grp_t *gr = &s->grp[g];
    size_t o = (size_t)gr->part[pi].owner;
    an_mem_t *ob = &gr->mem[o];
    an_release(s, g, pi, t_ns);
    gr->conflicts++;
    ob->n_live--;
    if (an_bal_move(gr, o, ob->n_live + 1, ob->n_live))
        return -1;
    if (ob->n_owned > 2 * ob->n_live + 16)
        an_compact(gr, o);
    return 0;
}

static int an_enter(an_grp_t *gr, size_t m)
{
    if (gr->mem[m].in_group)
        return 0;
    gr->mem[m].in_group = true;
    return an_bal_add(gr, gr->mem[m].n_live);
}

int an_state_join(an_state_t *s, size_t g, size_t m, int64_t t_ns)
{
    an_grp_t *gr = &s->grp[g];
    an_bal_advance(gr, t_ns);
    gr->mem[m].joins++;
    return an_enter(gr, m);
}

int an_state_leave(an_state_t *s, size_t g, size_t m, const char *reason, int64_t t_ns)
{
    an_grp_t *gr = &s->grp[g];
    an_mem_t *mb = &gr->mem[m];
    an_bal_advance(gr, t_ns);
    mb->leaves++;
    for (size_t i = 0; i < mb->n_owned; i++)
        if (gr->part[mb->owned[i]].owner == (int64_t)m)
            an_release(s, g, mb->owned[i], t_ns);
    if (mb->in_group)
        an_bal_remove(gr, mb->n_live);
    mb->in_group = false;
    mb->n_owned = mb->n_live = 0;
    return an_counter_add(&gr->leave_reasons, reason, 1);
}


/* Partition indexes of tps into s->scratch, each once, stamped with a fresh stamp; returns the
 * count, or (size_t)-1 on OOM. `subscribe` marks them subscribed (assignments). */
static size_t an_collect(an_state_t *s, an_grp_t *gr, const an_tp_t *tps, size_t n, bool subscribe)
{
    if (an_grow((void **)&s->scratch, &s->scratch_cap, n + 1, sizeof *s->scratch))
        return AN_MAP_NONE;
    uint64_t stamp = ++gr->stamp;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t pi = an_state_part(s, gr, tps[i].topic, tps[i].partition);
        if (pi == AN_MAP_NONE)
            return AN_MAP_NONE;
        an_part_t *pt = &gr->part[pi];
        if (pt->stamp == stamp)
            continue;
        pt->stamp = stamp;
        if (subscribe && !pt->subscribed) {
            /* Unowned since the group's first assignment, or since the partition was added
             * when that is later: that is when it became unavailable. */
            pt->subscribed = true;
            pt->since_ns = gr->t0_ns > pt->created_ns ? gr->t0_ns : pt->created_ns;
        }
        if (subscribe) {
            if (an_grow((void **)&gr->topic_sub, &gr->topic_sub_cap, pt->topic + 1,
                        sizeof *gr->topic_sub))
                return AN_MAP_NONE;
            gr->topic_sub[pt->topic] = true;
        }
        s->scratch[k++] = pi;
    }
    return k;
}

int an_state_assign(an_state_t *s, size_t g, size_t m, int64_t gen, const an_tp_t *tps, size_t n,
                    int64_t t_ns)
{
    an_grp_t *gr = &s->grp[g];
    if (!gr->started) {
        gr->started = true;
        gr->t0_ns = t_ns;
    }
    an_bal_advance(gr, t_ns);
    if (!gr->mem[m].in_group && an_enter(gr, m))   /* lenient: assigned without member_join */
        return -1;
    /* A process that receives an assignment is up again (after a crash, restart and rejoin). */
    an_set_stop(s, g, m, gr->mem[m].stop & ~(unsigned)AN_STOP_DOWN, t_ns);
    size_t k = an_collect(s, gr, tps, n, true);
    if (k == AN_MAP_NONE)
        return -1;
    (void)gen;
    uint64_t stamp = gr->stamp;
    an_mem_t *mb = &gr->mem[m];
    for (size_t i = 0; i < mb->n_owned; i++) {
        const an_part_t *pt = &gr->part[mb->owned[i]];
        if (pt->owner == (int64_t)m && pt->stamp != stamp)
            an_release(s, g, mb->owned[i], t_ns);
    }
    for (size_t i = 0; i < k; i++) {
        an_part_t *pt = &gr->part[s->scratch[i]];
        if (pt->owner == (int64_t)m)
            continue;
        if (pt->owner >= 0 && an_take_from_other(s, g, s->scratch[i], t_ns))
            return -1;
        an_acquire(s, g, s->scratch[i], m, t_ns);
    }
    return an_set_owned(gr, m, s->scratch, k);
}

int an_state_revoke(an_state_t *s, size_t g, size_t m, const an_tp_t *tps, size_t n, int64_t t_ns)
{
    an_grp_t *gr = &s->grp[g];
    an_bal_advance(gr, t_ns);
    an_mem_t *mb = &gr->mem[m];
    if (an_collect(s, gr, tps, n, false) == AN_MAP_NONE ||
        an_grow((void **)&s->scratch, &s->scratch_cap, mb->n_owned + 1, sizeof *s->scratch))
        return -1;
    uint64_t stamp = gr->stamp;
    size_t k = 0;
    for (size_t i = 0; i < mb->n_owned; i++) {
        const an_part_t *pt = &gr->part[mb->owned[i]];
        if (pt->owner != (int64_t)m)
            continue;   /* stale: another member took it */
        if (pt->stamp == stamp)
            an_release(s, g, mb->owned[i], t_ns);
        else
            s->scratch[k++] = mb->owned[i];
    }
    return an_set_owned(gr, m, s->scratch, k);
}

const char *const an_commit_error_names[AN_COMMIT_ERRORS] = {
    "ILLEGAL_GENERATION", "REBALANCE_IN_PROGRESS", "UNKNOWN_MEMBER_ID", "FENCED_INSTANCE_ID",
    "STALE_MEMBER_EPOCH", "NOT_COORDINATOR", "COORDINATOR_NOT_AVAILABLE",
    "RebalanceInProgressException", "CommitFailedException", "TimeoutException",
    "FENCED_MEMBER_EPOCH", "other"};

size_t an_commit_error_index(const char *err, size_t len)
{
    for (size_t i = 0; err && i + 1 < AN_COMMIT_ERRORS; i++)
        if (strlen(an_commit_error_names[i]) == len &&
            memcmp(an_commit_error_names[i], err, len) == 0)
            return i;
    return AN_COMMIT_ERRORS - 1;
}

int an_state_commit(an_state_t *s, size_t g, const char *topic, int64_t p, bool ok,
                    const char *error, size_t err_len,
                    bool has_end, int64_t offset, int64_t end_offset, int64_t t_ns)
{
    an_grp_t *gr = &s->grp[g];
    if (!ok) {
        gr->commits_failed = an_sat_add(gr->commits_failed, 1);
        size_t k = an_commit_error_index(error, err_len);
        gr->failed_by[k] = an_sat_add(gr->failed_by[k], 1);
        return 0;
    }
    gr->commits_ok++;
    if (!has_end)
        return 0;
    size_t pi = an_state_part(s, gr, topic, p);
    if (pi == AN_MAP_NONE)
        return -1;
    int64_t lag = an_sat_sub(end_offset, offset);
    if (lag < 0)
        lag = 0;   /* a writer's bug; counted as caught up rather than negative */
    if (gr->lag_started)
        gr->lag_integral += (double)gr->lag_total * (double)(t_ns - gr->lag_last_ns);
    else
        gr->lag_first_ns = t_ns;
    gr->lag_started = true;
    gr->lag_last_ns = t_ns;
    an_part_t *pt = &gr->part[pi];
    /* lag_total is the sum of the partitions' last lags; once it saturates it stays an upper
     * bound (never a wrapped negative figure). */
    int64_t prev = pt->lag_records < 0 ? 0 : pt->lag_records;
    gr->lag_total = an_sat_add(an_sat_sub(gr->lag_total, prev), lag);
    if (gr->lag_total < 0)
        gr->lag_total = 0;
    pt->lag_records = lag;
    /* Lag only grows between commits: its peak is just before this commit moved the
     * committed offset, i.e. end_offset minus the previous committed offset. */
    int64_t peak = an_sat_sub(end_offset, pt->committed >= 0 ? pt->committed : offset);
    pt->committed = offset;
    if (peak > gr->lag_max)
        gr->lag_max = peak;
    if (lag > gr->lag_max)
        gr->lag_max = lag;
    if (gr->lag_total > gr->lag_total_max)
        gr->lag_total_max = gr->lag_total;
    if (s->obs && s->obs->lag)
        s->obs->lag(s->obs->ctx, g, t_ns, gr->lag_total);
    return 0;
}

int an_state_rebalance_start(an_state_t *s, size_t g, const char *reason, int64_t t_ns)
{
    an_grp_t *gr = &s->grp[g];
    an_bal_advance(gr, t_ns);
    gr->settled = false;
    gr->rebalances_started++;
    return an_counter_add(&gr->rebalance_reasons, reason, 1);
}

int an_state_rebalance_end(an_state_t *s, size_t g, double duration_ms, int64_t moved,
                           int64_t t_ns)
{
    an_grp_t *gr = &s->grp[g];
    an_bal_advance(gr, t_ns);
    gr->settled = true;
    if (an_grow((void **)&gr->dur_ms, &gr->dur_cap, gr->n_dur + 1, sizeof *gr->dur_ms))
        return -1;
    gr->dur_ms[gr->n_dur++] = duration_ms;
    gr->moved = an_sat_add(gr->moved, moved);
    return 0;
}

/* ---- end of run ---- */

static int an_copy_counts(const an_counter_t *c, an_count_t **out, size_t *n)
{
    *n = an_map_len(&c->keys);
    *out = calloc(*n ? *n : 1, sizeof **out);
    if (!*out)
        return -1;
    for (size_t i = 0; i < *n; i++) {
        (*out)[i].key = strdup(an_map_key(&c->keys, i));
        if (!(*out)[i].key)
            return -1;
        (*out)[i].count = c->counts[i];
    }
    return 0;
}

/* Close open intervals at end_ns and integrate every time-weighted figure up to it. */
static void an_grp_close(an_state_t *s, size_t g, int64_t end_ns)
{
    an_grp_t *gr = &s->grp[g];
    an_bal_advance(gr, end_ns);
    for (size_t pi = 0; pi < an_map_len(&gr->part_ids); pi++) {
        an_part_t *pt = &gr->part[pi];
        if (pt->owner >= 0)
            an_release(s, g, pi, end_ns);
        else if (pt->subscribed && pt->since_ns < end_ns)
            an_unowned(s, g, pi, pt->since_ns, end_ns);
        pt->since_ns = end_ns;
    }
    /* Added partitions the group reads that no record ever named: unowned from their add. */
    for (size_t k = 0; k < gr->add_made_cap && k < s->n_adds; k++) {
        if (gr->add_made[k] <= 0)
            continue;
        int64_t n = an_sat_sub(s->adds[k].to - s->adds[k].from, gr->add_made[k] - 1);
        if (n <= 0 || end_ns <= s->adds[k].t_ns)
            continue;
        int64_t ns = end_ns - s->adds[k].t_ns;
        gr->unnamed_parts = an_sat_add(gr->unnamed_parts, n);
        gr->unnamed_unowned_ns = an_sat_add(gr->unnamed_unowned_ns,
                                            n > INT64_MAX / ns ? INT64_MAX : n * ns);
        if (s->obs && s->obs->unowned)
            s->obs->unowned(s->obs->ctx, g, AN_NO_GROUP, n, s->adds[k].t_ns, end_ns);
    }
    gr->add_made_cap = 0;             /* closed: a second close adds nothing */
    if (gr->lag_started && end_ns > gr->lag_last_ns) {
        gr->lag_integral += (double)gr->lag_total * (double)(end_ns - gr->lag_last_ns);
        gr->lag_last_ns = end_ns;
    }
}

static int an_grp_members(const an_grp_t *gr, an_group_sum_t *o)
{
    o->n_members = an_map_len(&gr->member_ids);
    o->members = calloc(o->n_members ? o->n_members : 1, sizeof *o->members);
    if (!o->members)
        return -1;
    for (size_t m = 0; m < o->n_members; m++) {
        an_member_sum_t *ms = &o->members[m];
        ms->name = strdup(an_map_key(&gr->member_ids, m));
        if (!ms->name)
            return -1;
        ms->owned_partition_ms = (double)gr->mem[m].owned_ns / 1e6;
        ms->joins = gr->mem[m].joins;
        ms->leaves = gr->mem[m].leaves;
    }
    return 0;
}

static int an_grp_parts(const an_state_t *s, const an_grp_t *gr, an_group_sum_t *o)
{
    int64_t unavailable_ns = 0, stalled_ns = 0;
    o->n_parts = an_map_len(&gr->part_ids);
    o->parts = calloc(o->n_parts ? o->n_parts : 1, sizeof *o->parts);
    if (!o->parts)
        return -1;
    for (size_t i = 0; i < o->n_parts; i++) {
        const an_part_t *pt = &gr->part[i];
        o->parts[i].topic = strdup(an_map_key(&s->topics, pt->topic));
        if (!o->parts[i].topic)
            return -1;
        o->parts[i].partition = pt->partition;
        o->parts[i].subscribed = pt->subscribed;
        o->parts[i].unavailable_ms = (double)pt->unavailable_ns / 1e6;
        int64_t stalled = an_sat_add(pt->unavailable_ns, pt->stopped_ns);
        o->parts[i].stalled_ms = (double)stalled / 1e6;
        if (pt->subscribed) {
            o->partitions++;
            unavailable_ns = an_sat_add(unavailable_ns, pt->unavailable_ns);
            stalled_ns = an_sat_add(stalled_ns, stalled);
        }
    }
    o->partitions += gr->unnamed_parts;
    unavailable_ns = an_sat_add(unavailable_ns, gr->unnamed_unowned_ns);
    stalled_ns = an_sat_add(stalled_ns, gr->unnamed_unowned_ns);
    o->unavailable_partition_ms = (double)unavailable_ns / 1e6;
    o->stalled_partition_ms = (double)stalled_ns / 1e6;
    return 0;
}

static int an_grp_summary(const an_state_t *s, const an_grp_t *gr, const char *name,
                          int64_t end_ns, an_group_sum_t *o)
{
    o->name = strdup(name);
    o->rebalance_durations_ms = malloc((gr->n_dur ? gr->n_dur : 1) * sizeof(double));
    if (!o->name || !o->rebalance_durations_ms)
        return -1;
    if (gr->n_dur)
        memcpy(o->rebalance_durations_ms, gr->dur_ms, gr->n_dur * sizeof(double));
    an_stats_sort(o->rebalance_durations_ms, gr->n_dur);
    o->rebalances = (int64_t)gr->n_dur;
    o->rebalances_started = gr->rebalances_started;
    o->rebalance_ms = an_stats_quantiles(o->rebalance_durations_ms, gr->n_dur);
    o->moved_partitions = gr->moved;
    o->duplicates = gr->duplicates;
    o->zombie_records = gr->zombie_records;
    o->commits_ok = gr->commits_ok;
    o->commits_failed = gr->commits_failed;
    for (size_t k = 0; k < AN_COMMIT_ERRORS; k++)
        o->commits_failed_by[k] = gr->failed_by[k];
    o->errors = gr->errors;
    o->autoscale_decisions = gr->as_decisions;
    o->autoscale_ups = gr->as_ups;
    o->autoscale_downs = gr->as_downs;
    o->autoscale_max_replicas = gr->as_decisions > 0 ? gr->as_max : -1;
    o->rack_records = gr->rack_records;
    o->cross_rack_records = gr->cross_rack_records;
    o->ownership_conflicts = gr->conflicts;
    o->max_lag_records = gr->lag_started ? gr->lag_max : -1;
    o->max_total_lag_records = gr->lag_started ? gr->lag_total_max : -1;
    o->lag_mean_records = !gr->lag_started ? NAN
        : end_ns > gr->lag_first_ns ? gr->lag_integral / (double)(end_ns - gr->lag_first_ns)
        : (double)gr->lag_total;
    an_series_summary(gr, o);
    o->first_assignment_ms = gr->started ? (double)gr->t0_ns / 1e6 : NAN;
    o->balance_settled_ms = (double)gr->settled_ns / 1e6;
    o->balance_mean = gr->settled_ns > 0 ? gr->bal_integral / (double)gr->settled_ns : NAN;
    if (an_grp_members(gr, o) || an_grp_parts(s, gr, o))
        return -1;
    if (an_copy_counts(&gr->leave_reasons, &o->leave_reasons, &o->n_leave_reasons) ||
        an_copy_counts(&gr->rebalance_reasons, &o->rebalance_reasons, &o->n_rebalance_reasons))
        return -1;
    return 0;
}

int an_state_finish(an_state_t *s, int64_t end_ns, an_result_t *res)
{
    size_t n = an_map_len(&s->group_ids);
    res->groups = calloc(n ? n : 1, sizeof *res->groups);
    if (!res->groups)
        return -1;
    res->n_groups = n;
    for (size_t g = 0; g < n; g++) {
        an_grp_close(s, g, end_ns);
        if (an_grp_summary(s, &s->grp[g], an_map_key(&s->group_ids, g), end_ns, &res->groups[g]))
            return -1;
    }
    return 0;
}
