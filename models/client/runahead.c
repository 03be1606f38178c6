/* models/client/runahead: see runahead.h. */
#include "models/client/runahead.h"

#include "models/client/fetch.h"
#include "models/world/world_impl.h"
#include "sim/vec.h"

/* ---- which clients may fetch a partition ----
 *
 * w->holders[gp] counts the clients of every group whose fetch table lists gp, as of their last
 * sync. A client gaining partitions syncs at once (cg_client_set_owned, an eager assignment),
 * one losing them at its next fetch or stop: the count may run high for a while, never low when
 * it matters, so holders[gp] == 1 for every partition c fetches means no other client can settle
 * records of gp, nor query its partition log (whose buckets it keeps depend on the order of the
 * queries), before c's next own event. */
void cg_ahead_hold_sync(cg_client_t *c)
{
    struct cg_world *w = c->w;
    int32_t *holders = w->holders;
    for (uint32_t i = 0; i < c->n_held; i++)
        w->n_shared -= --holders[c->held[i]] == 1;
    c->n_held = 0;
    if (sim_vec_reserve(&c->held, &c->cap_held, c->n_owned, sizeof *c->held, 8) != 0) {
        cg_world_fail(w, "out of memory");
        return;
    }
    for (uint32_t i = 0; i < c->n_owned; i++) {
        c->held[i] = c->owned[i].gp;
        w->n_shared += ++holders[c->owned[i].gp] == 2;
    }
    c->n_held = c->n_owned;
    c->shares_version = w->topic_shared_version - 1;   /* shares_topic: computed when asked */
}

/* Whether a held partition's topic has readers in other groups, again when a subscription (a
 * fault, a barrier) made another topic shared since the last look. */
static bool shares_topic(cg_client_t *c)
{
    const struct cg_world *w = c->w;
    if (c->shares_version != w->topic_shared_version) {
        c->shares_topic = false;
        for (uint32_t i = 0; i < c->n_held; i++)
            c->shares_topic |= w->topic_group[w->gp_topic[c->held[i]]] == CG_TOPIC_GROUPS;
        c->shares_version = w->topic_shared_version;
    }
    return c->shares_topic;
}

/* No other client fetches a partition c fetches, nor can start to before c's next own event: at
 * once when no partition has two holders. A client of another group can be given a partition at
 * any time, so a topic more than one group subscribes to is never c's alone. */
static bool exclusive(cg_client_t *c)
{
    if (shares_topic(c))
        return false;
    if (c->w->n_shared == 0)
        return true;
    if (c->n_held > CG_FETCH_SCAN_OWNED)
        return false;                 /* not worth a pass per poll: the member polls in events */
    for (uint32_t i = 0; i < c->n_held; i++)
        if (c->w->holders[c->held[i]] != 1)
            return false;
    return true;
}

/* Settling the batch just fetched writes no record and touches no slot another client's does:
 * its partitions are c's per the trace and none of its records was processed before (no zombie
 * or duplicate record); with exclusive(), no other client settles them. */
static bool batch_private(const cg_client_t *c)
{
    const cg_group_t *g = c->g;
    for (uint32_t i = 0; i < c->n_chunks; i++) {
        int32_t gp = c->chunks[i].gp;
        if (g->owner[gp] != c->local || c->chunks[i].from < g->max_processed[gp])
            return false;
    }
    return true;
}

/* ---- the bound ----
 *
 * The poll at `end` may run at once when it comes before all of: the run's end, a barrier
 * (fault step), a lag sample, the member's next auto-commit and max.poll.interval.ms check, what
 * its protocol says (the heartbeat tick; the coordinator leaving Stable, the member's session or
 * rebalance timeout). Not at all while the member waits, sends or may send anything, or shares
 * a partition, nor (the protocol says) while another member id names its consumer or another
 * consumer shares its group.instance.id. Computed from the event's own time (ahead_from): other
 * events up to the polls' times have not run yet.
 *
 * The time bound is computed once per poll event (c->ahead_bound) and kept for the polls that
 * run ahead of it: none of its terms can move before the member's next event. Polls run ahead
 * send nothing and auto-commit nothing (the bound stops them before the next auto-commit), so
 * the heartbeat tick, the group's state, the session deadline, the barriers and the auto-commit
 * time stay; the max.poll.interval.ms timer stays pending once armed (only when it is not is
 * the bound computed again: the next poll arms it). */
static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

static int64_t time_bound(cg_client_t *c)
{
    struct cg_world *w = c->w;
    const cg_client_cfg_t *cc = &c->cfg->cfg;
    int64_t t0 = c->ahead_from, ls = w->s->lag_sample_ns;
    int64_t b = w->s->duration_ns + 1;
    if (ls > 0)
        b = min64(b, (t0 + ls - 1) / ls * ls);   /* a sample at t0 may be pending */
    b = min64(b, c->last_autocommit_ns + cc->auto_commit_interval_ns);
    b = min64(b, cg_world_barrier_next(w));
    b = min64(b, sim_pending_time(&w->sim, c->poll_timer));
    b = min64(b, c->ops->quiet_until(c));
    return min64(b, c->g->proto->quiet_until(c->g, c, t0));
}

/* Nothing the member does or waits for stops it: the cheap tests, on every poll. */
static bool idle_enough(const cg_client_t *c)
{
    const struct cg_world *w = c->w;
    return w->run_ahead && c->cfg->cfg.enable_auto_commit && c->positions_ok &&
           c->coord_known && !c->finding && !c->paused && !c->hung && c->wait == CG_W_NONE &&
           !cg_client_isolated(c) && w->net.links[c->ci].in_flight == 0;
}

bool cg_ahead_allows(cg_client_t *c, int64_t end)
{
    if (c->ahead_from == INT64_MIN || !idle_enough(c))
        return false;
    int64_t bound = c->ahead_bound;
    if (bound == INT64_MIN) {
        bound = time_bound(c);
        if (c->poll_timer != SIM_HANDLE_NONE)
            c->ahead_bound = bound;
    }
    return end < bound && exclusive(c) && batch_private(c);
}
