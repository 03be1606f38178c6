/* models/ownership: trace ownership and the accounting built on it.
 *
 * Each client keeps the list of partitions it owns per the trace ("tr_owned"); each group keeps
 * owner[gp] (consumer index within the group, -1 none) and last_owner[gp] (kept after the
 * ownership ends: `moved` compares a new assignment with it). A partition without an owner after
 * the group's first assignment accumulates unavailable time once it has appeared in an
 * assignment (from the first assignment, as analysis/ counts it from the trace alone: a topic
 * subscribed but never assigned does not count, for lack of a record saying it was wanted). With `check`, an assignment that
 * gives a partition owned by another member stops the run. */
#include "models/world/ownership.h"
#include "models/world/racks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/partlog/partlog.h"
#include "models/world/latency.h"
#include "models/world/trace_rec.h"
#include "sim/vec.h"
#include "sim/sorted.h"

static void tp_name(const struct cg_world *w, int32_t gp, char *buf, size_t len)
{
    int32_t t = w->gp_topic[gp];
    snprintf(buf, len, "%s-%lld", w->s->topics[t].name, (long long)(gp - w->topic_base[t]));
}

static void start_unavailable(cg_group_t *g)
{
    /* The first assignment of the group starts the clock; only the partitions it listed were
     * ever assigned, and they are owned now. */
    g->first_assignment_ns = sim_now(&g->w->sim);
}

static void add_unavailable(cg_group_t *g, int64_t ns)
{
    g->sum.unavailable_partition_ns += ns;
    g->sum.stalled_partition_ns += ns;
}

static cg_client_t *owner_client(cg_group_t *g, int32_t gp)
{
    return &g->w->clients[g->cfg->first_consumer + g->owner[gp]];
}

/* Partition gp of stopped client c was stalled from max(its ownership, the stop) to now. */
static void stop_close(cg_group_t *g, const cg_client_t *c, int32_t gp, int64_t now)
{
    if (!c->tr_stop)
        return;
    int64_t from = g->owned_since_ns[gp] > c->tr_stop_since_ns ? g->owned_since_ns[gp]
                                                                : c->tr_stop_since_ns;
    if (now > from)
        g->sum.stalled_partition_ns += now - from;
}

static void set_stop(cg_client_t *c, unsigned stop)
{
    cg_group_t *g = c->g;
    int64_t now = sim_now(&g->w->sim);
    if (!c->tr_stop && stop)
        c->tr_stop_since_ns = now;
    if (c->tr_stop && !stop)
        for (uint32_t i = 0; i < c->n_tr; i++)
            if (g->owner[c->tr_owned[i]] == c->local)
                stop_close(g, c, c->tr_owned[i], now);
    c->tr_stop = stop;
}

void cg_own_fault(cg_client_t *c, cg_fault_action_t a)
{
    unsigned stop = c->tr_stop;
    switch (a) {
    case CG_FAULT_CRASH: case CG_FAULT_LEAVE: stop |= CG_STOP_DOWN; break;
    case CG_FAULT_PAUSE: case CG_FAULT_HANG: stop |= CG_STOP_PAUSED; break;
    case CG_FAULT_RESUME: stop &= ~(unsigned)CG_STOP_PAUSED; break;
    case CG_FAULT_ISOLATE: stop |= CG_STOP_ISOLATED; break;
    case CG_FAULT_HEAL: stop &= ~(unsigned)CG_STOP_ISOLATED; break;
    default: break;
    }
    set_stop(c, stop);
}

static void release(cg_group_t *g, int32_t gp)
{
    stop_close(g, owner_client(g, gp), gp, sim_now(&g->w->sim));
    g->owner[gp] = -1;
    if (g->first_assignment_ns >= 0)
        g->unavail_since_ns[gp] = sim_now(&g->w->sim);
}

static void acquire(cg_group_t *g, cg_client_t *c, int32_t gp)
{
    int64_t now = sim_now(&g->w->sim);
    if (!g->assigned_ever[gp]) {
        /* First time assigned: it was unavailable since the group's first assignment, or since
         * it was created when that is later. */
        g->assigned_ever[gp] = true;
        cg_lat_watch(g->w, gp);
        int64_t from = g->first_assignment_ns > g->w->created_ns[gp] ? g->first_assignment_ns
                                                                     : g->w->created_ns[gp];
        if (g->first_assignment_ns >= 0 && now > from)
            add_unavailable(g, now - from);
    } else if (g->unavail_since_ns[gp] >= 0) {
        add_unavailable(g, now - g->unavail_since_ns[gp]);
        g->unavail_since_ns[gp] = -1;
    }
    g->owner[gp] = c->local;
    g->last_owner[gp] = c->local;
    g->owned_since_ns[gp] = sim_now(&g->w->sim);
}

static int tr_push(cg_client_t *c, int32_t gp)
{
    if (sim_vec_reserve(&c->tr_owned, &c->cap_tr, c->n_tr + 1, sizeof *c->tr_owned, 16) != 0)
        return -1;
    c->tr_owned[c->n_tr++] = gp;
    return 0;
}

static void conflict(cg_group_t *g, cg_client_t *c, int32_t gp)
{
    struct cg_world *w = g->w;
    char tp[CG_MAX_NAME_LEN + 32];
    tp_name(w, gp, tp, sizeof tp);
    const cg_consumer_cfg_t *other = &w->s->consumers[g->cfg->first_consumer + g->owner[gp]];
    cg_world_fail(w, "t=%lld ms: group %s: partition %s owned by two members: %s and %s",
                  (long long)(sim_now(&w->sim) / SIM_NS_PER_MS), g->cfg->id, tp, other->id,
                  c->cfg->id);
}

void cg_own_assign(cg_group_t *g, cg_client_t *c, int32_t generation, const int32_t *gp,
                   uint32_t n)
{
    struct cg_world *w = g->w;
    cg_rec_assignment(w, g, generation, c->ci, gp, n);
    set_stop(c, c->tr_stop & ~(unsigned)CG_STOP_DOWN);   /* up again: it was given partitions */
    for (uint32_t i = 0; i < c->n_tr; i++)
        if (g->owner[c->tr_owned[i]] == c->local)
            release(g, c->tr_owned[i]);
    c->n_tr = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (g->owner[gp[i]] >= 0 && g->owner[gp[i]] != c->local) {
            /* Two owners is a simulator bug, never repaired: the run stops (with or without
             * `check`, the test costs nothing) and the trace ends with run_aborted. */
            conflict(g, c, gp[i]);
            return;
        }
        acquire(g, c, gp[i]);
        if (tr_push(c, gp[i]) != 0) {
            cg_world_fail(w, "out of memory");
            return;
        }
    }
    if (g->first_assignment_ns < 0)   /* even an empty one, as analysis/ counts from the first record */
        start_unavailable(g);
}

void cg_own_revoke(cg_group_t *g, cg_client_t *c, const int32_t *gp, uint32_t n)
{
    /* Only partitions still owned per the trace are listed: a member that was removed without
     * knowing it (member_leave already ended its ownership) has nothing to give up. */
    int32_t *list = malloc((n ? n : 1) * sizeof *list);
    if (!list) {
        cg_world_fail(g->w, "out of memory");
        return;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++)
        if (g->owner[gp[i]] == c->local)
            list[k++] = gp[i];
    if (k > 0) {
        cg_rec_revoke(g->w, g, c->ci, list, k);
        for (uint32_t i = 0; i < k; i++)
            release(g, list[i]);
        uint32_t m = 0;
        for (uint32_t i = 0; i < c->n_tr; i++)
            if (g->owner[c->tr_owned[i]] == c->local)
                c->tr_owned[m++] = c->tr_owned[i];
        c->n_tr = m;
    }
    free(list);
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

bool cg_own_in_sorted(const int32_t *v, uint32_t n, int32_t x)
{
    return sim_sorted_has_i32(v, n, x);
}

void cg_own_revoke_except(cg_group_t *g, cg_client_t *c, const int32_t *keep, uint32_t n_keep)
{
    if (c->n_tr == 0)
        return;
    int32_t *gone = malloc(c->n_tr * sizeof *gone);
    if (!gone) {
        cg_world_fail(g->w, "out of memory");
        return;
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->n_tr; i++)
        if (!cg_own_in_sorted(keep, n_keep, c->tr_owned[i]))
            gone[n++] = c->tr_owned[i];
    qsort(gone, n, sizeof *gone, cmp_i32);
    cg_own_revoke(g, c, gone, n);
    free(gone);
}

void cg_own_end_all(cg_group_t *g, cg_client_t *c)
{
    for (uint32_t i = 0; i < c->n_tr; i++)
        if (g->owner[c->tr_owned[i]] == c->local)
            release(g, c->tr_owned[i]);
    c->n_tr = 0;
}

void cg_own_member_gone(cg_group_t *g, cg_client_t *c, bool other, int32_t gen)
{
    if (!other || c->n_tr == 0) {
        cg_own_end_all(g, c);
        return;
    }
    int32_t *list = malloc((c->n_owned ? c->n_owned : 1) * sizeof *list);
    if (!list) {
        cg_world_fail(g->w, "out of memory");
        return;
    }
    for (uint32_t i = 0; i < c->n_owned; i++)
        list[i] = c->owned[i].gp;
    cg_own_end_all(g, c);
    if (c->n_owned > 0)
        cg_own_assign(g, c, gen, list, c->n_owned);
    free(list);
}

void cg_own_processed(cg_group_t *g, cg_client_t *c, int32_t gp, int64_t from, int64_t n)
{
    struct cg_world *w = g->w;
    if (n <= 0)
        return;
    w->records_consumed += n;
    int64_t maxp = g->max_processed[gp];
    if (from < maxp) {
        int64_t dup = (from + n < maxp ? from + n : maxp) - from;
        g->sum.duplicates += dup;
        w->duplicates += dup;
        cg_rec_duplicate(w, g, c->ci, gp, dup, from);
    }
    if (from + n > maxp) {
        g->max_processed[gp] = from + n;
        if (w->lat_rings)   /* first processings only: duplicates were counted before */
            cg_lat_processed(g, gp, from > maxp ? from : maxp, from + n, c->batch_end_ns);
    }
    if (g->owner[gp] != c->local) {
        g->sum.zombie_records += n;
        cg_rec_zombie(w, g, c->ci, gp, n);
    }
    if (w->racks)
        cg_racks_fetched(g, c->ci, gp, n);
}

void cg_own_partitions_added(cg_group_t *g, int32_t t, int32_t from, int32_t to)
{
    const int64_t base = g->w->topic_base[t];
    bool wanted = false;
    for (int32_t p = 0; p < from && !wanted; p++)
        wanted = g->assigned_ever[base + p];
    if (!wanted)
        return;
    int64_t now = sim_now(&g->w->sim);
    for (int32_t p = from; p < to; p++) {
        g->assigned_ever[base + p] = true;
        g->unavail_since_ns[base + p] = now;
        cg_lat_watch(g->w, (int32_t)(base + p));
    }
}

void cg_own_finish(cg_group_t *g, int64_t end_ns)
{
    for (int64_t gp = 0; gp < g->w->n_parts; gp++) {
        if (g->owner[gp] >= 0) {
            stop_close(g, owner_client(g, (int32_t)gp), (int32_t)gp, end_ns);
            g->owned_since_ns[gp] = end_ns;   /* closed: a second finish adds nothing */
        }
        if (g->unavail_since_ns[gp] >= 0) {
            add_unavailable(g, end_ns - g->unavail_since_ns[gp]);
            g->unavail_since_ns[gp] = end_ns;
        }
    }
}

#define CG_CHECK_DEFERS_MAX 20

void cg_own_check_arm(cg_group_t *g, int64_t at, sim_handler_fn fn, void *ctx, uint64_t arg)
{
    g->check_defers = 0;
    sim_timer_set(&g->w->sim, &g->check_timer, at, fn, ctx, arg);
}

bool cg_own_check_defer(cg_group_t *g, int64_t interval_ns, sim_handler_fn fn, void *ctx,
                        uint64_t arg)
{
    if (g->check_defers >= CG_CHECK_DEFERS_MAX)
        return false;
    g->check_defers++;
    sim_timer_set(&g->w->sim, &g->check_timer, sim_now(&g->w->sim) + interval_ns, fn, ctx, arg);
    return true;
}

void cg_own_check_coverage(cg_group_t *g, const bool *topic_sub, const cg_topic_meta_t *known,
                           int32_t generation)
{
    struct cg_world *w = g->w;
    for (int64_t gp = 0; gp < w->n_parts; gp++) {
        int32_t t = w->gp_topic[gp];
        if (!topic_sub[t] || g->owner[gp] >= 0 || gp - w->topic_base[t] >= known[t].partitions)
            continue;
        char tp[CG_MAX_NAME_LEN + 32];
        tp_name(w, (int32_t)gp, tp, sizeof tp);
        cg_world_fail(w, "t=%lld ms: group %s: partition %s has no owner although the group is "
                      "stable (generation %d) with every member polling",
                      (long long)(sim_now(&w->sim) / SIM_NS_PER_MS), g->cfg->id, tp, generation);
        return;
    }
}

void cg_own_assign_current(cg_group_t *g, cg_client_t *c, int32_t generation, const int32_t *gp,
                           uint32_t n)
{
    if (cg_group_member_current(g, c))
        cg_own_assign(g, c, generation, gp, n);
}

/* ---- rebalances ---- */

void cg_own_rebalance_begin(cg_group_t *g)
{
    struct cg_world *w = g->w;
    g->reb_open = true;
    g->reb_start_ns = sim_now(&w->sim);
    memcpy(g->snap_owner, g->last_owner, (size_t)w->n_parts * sizeof *g->snap_owner);
}

void cg_own_note_first_owner(cg_group_t *g, const cg_client_t *c, const int32_t *gp, uint32_t n)
{
    if (!g->reb_open)
        return;
    for (uint32_t j = 0; j < n; j++)
        if (g->snap_owner[gp[j]] < 0)
            g->snap_owner[gp[j]] = c->local;
}

void cg_own_rebalance_end(cg_group_t *g, int32_t generation, int64_t duration_ns,
                          int64_t members, int64_t moved, bool check_generation)
{
    struct cg_world *w = g->w;
    cg_group_summary_t *s = &g->sum;
    s->rebalances++;
    s->rebalance_ns_total += duration_ns;
    if (duration_ns > s->rebalance_ns_max)
        s->rebalance_ns_max = duration_ns;
    s->moved += moved;
    if (check_generation && w->opts.check && generation < g->max_gen_end)
        cg_world_fail(w, "t=%lld ms: group %s: rebalance_end generation went back to %d",
                      (long long)(sim_now(&w->sim) / SIM_NS_PER_MS), g->cfg->id, generation);
    if (generation > g->max_gen_end)
        g->max_gen_end = generation;
    cg_rec_rebalance_end(w, g, generation, duration_ns, members, moved);
}

/* ---- commits ---- */

void cg_own_commit(void *group, int32_t consumer, int32_t gp, int64_t offset,
                   int32_t generation, cg_err_t err)
{
    cg_group_t *g = group;
    struct cg_world *w = g->w;
    int64_t now = sim_now(&w->sim);
    int64_t end = cg_partlog_end_offset(w->pl, gp, now);
    cg_rec_commit(w, g, consumer, gp, offset, generation, err == CG_ERR_NONE, end, err);
    if (err != CG_ERR_NONE)
        return;
    int64_t prev = g->acked[gp];
    if (w->opts.check && offset < prev) {
        char tp[CG_MAX_NAME_LEN + 32];
        tp_name(w, gp, tp, sizeof tp);
        cg_world_fail(w, "t=%lld ms: group %s: committed offset of %s went back from %lld to "
                      "%lld (member %s)", (long long)(now / SIM_NS_PER_MS), g->cfg->id, tp,
                      (long long)prev, (long long)offset, w->s->consumers[consumer].id);
    }
    /* The definition of analysis/an_state.c: lag (log end - committed) only grows between
     * commits, so its peak is just before a commit moves the committed offset (end minus the
     * previous committed offset), and right after it is end - offset. */
    int64_t peak = end - (prev >= 0 ? prev : offset);
    int64_t lag = end - offset > 0 ? end - offset : 0;
    if (peak > g->sum.max_lag_records)
        g->sum.max_lag_records = peak;
    if (lag > g->sum.max_lag_records)
        g->sum.max_lag_records = lag;
    g->acked[gp] = offset;
}
