/* models/client: the consumer application, shared by every membership protocol (client.h).
 *
 * poll() does, in order (world.md): finish the previous batch (duplicates and zombies are counted
 * when a batch is fully processed); commitSync of it when auto-commit is off; the membership
 * protocol's rebalance work (classic: onJoinPrepare and the join, during which poll blocks;
 * consumer: revocations the coordinator asked for); auto-commit when due; OffsetFetch (or
 * auto.offset.reset) for partitions without a position; then the fetch (models/client/fetch).
 * Positions advance when the batch is returned; if the process closes before the batch is
 * processed the unprocessed records are taken back, so commits only ever cover processed records.
 * The requests poll() sends and their responses are models/client/requests.c. */
#include "models/client/client.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include "models/client/client_int.h"
#include "models/client/fetch.h"
#include "models/client/runahead.h"
#include "models/world/ownership.h"
#include "models/scenario/scenario_instances.h"
#include "models/world/world_impl.h"

static void on_poll_ev(sim_t *sim, void *ctx, uint64_t arg);
static void on_poll_timer(sim_t *sim, void *ctx, uint64_t arg);

static const cg_client_cfg_t *ccfg(const cg_client_t *c) { return &c->cfg->cfg; }

/* A poll event is ranked by the consumer's index: at one instant the polls run after every
 * other event, in consumer order, however early each was scheduled, so that running polls
 * ahead (models/client/runahead.h) cannot reorder anything. */
static void schedule_poll(cg_client_t *c, int64_t at)
{
    sim_timer_set_ranked(&c->w->sim, &c->poll_ev, at, (uint64_t)c->ci, on_poll_ev, c, c->proc);
}
cg_net_t *cg_client_net(const cg_client_t *c) { return &c->w->net; }
int64_t cg_client_now(const cg_client_t *c) { return sim_now(&c->w->sim); }
sim_t *cg_client_sim(const cg_client_t *c) { return &c->w->sim; }
bool cg_client_isolated(const cg_client_t *c) { return cg_net_isolated(&c->w->net, c->ci); }
void cg_client_fail(cg_client_t *c, const char *what) { cg_world_fail(c->w, "%s", what); }

bool cg_client_other_classic_member(const cg_client_t *c, int32_t slot, uint64_t serial,
                                    int32_t *generation)
{
    cg_msg_t id;
    memset(&id, 0, sizeof id);
    c->ops->stamp(c, &id);
    *generation = id.generation;
    return c->running && id.serial != 0 && !(id.slot == slot && id.serial == serial);
}

/* ---- max.poll.interval.ms ---- */

static void arm_poll_timer(cg_client_t *c, int64_t at)
{
    if (c->poll_timer == SIM_HANDLE_NONE)
        c->poll_timer = sim_schedule(&c->w->sim, at, on_poll_timer, c, c->proc);
}

void cg_client_poll_check(cg_client_t *c)
{
    int64_t now = cg_client_now(c);
    int64_t max = ccfg(c)->max_poll_interval_ns;
    /* Inside a blocking poll (rebalance, offsets, commit) the timer does not count. */
    if (c->wait != CG_W_NONE || c->ops->poll_check_mode(c) == CG_PC_DEFER) {
        arm_poll_timer(c, now + max);
        return;
    }
    if (now < c->last_poll_ns + max) {
        arm_poll_timer(c, c->last_poll_ns + max);
        return;
    }
    c->ops->poll_timeout(c);
}

static void on_poll_timer(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_client_t *c = ctx;
    c->poll_timer = SIM_HANDLE_NONE;
    if (!c->running || arg != c->proc || c->ops->poll_check_mode(c) == CG_PC_IGNORE)
        return;
    cg_client_poll_check(c);
}

/* ---- the poll loop ---- */

void cg_client_drop_owned(cg_client_t *c)
{
    cg_own_revoke_except(c->g, c, NULL, 0);
    c->n_owned = 0;
    c->rr = 0;
    cg_fetch_owned_changed(c);
}

void cg_client_poll_step(cg_client_t *c)
{
    if (!c->running || c->wait != CG_W_NONE)
        return;
    if (!c->ops->poll_membership(c))
        return;
    int64_t now = cg_client_now(c);
    if (ccfg(c)->enable_auto_commit &&
        now - c->last_autocommit_ns >= ccfg(c)->auto_commit_interval_ns) {
        c->last_autocommit_ns = now;
        if (c->coord_known)
            cg_client_send_commit(c, false, false);
        else
            cg_client_commit_refused(c, false);
    }
    if (!c->positions_ok && !(c->positions_ok = !cg_fetch_need_positions(c))) {
        if (!c->coord_known) {
            c->wait = CG_W_COORD;
            cg_client_find_start(c, 0);
            return;
        }
        cg_client_send_offset_fetch(c);
        return;
    }
    assert(c->poll_ev == SIM_HANDLE_NONE);   /* one poll() at a time */
    int64_t end = cg_fetch_batch(c);
    if (cg_ahead_allows(c, end)) {
        c->ahead_next = end;
        return;
    }
    schedule_poll(c, end);
}

/* ConsumerNetworkClient.poll returns when any response arrives, and ClassicKafkaConsumer.poll's
 * loop runs the coordinator (rejoin, onJoinComplete) before it waits for fetches again: a poll()
 * idle on an empty fetch does not sit out fetch.max.wait.ms. A poll() returning records, or the
 * app processing them, acts at its next poll() as before. */
void cg_client_wake_poll(cg_client_t *c)
{
    int64_t now = cg_client_now(c);
    if (!c->running || !c->processing || c->n_chunks != 0 || c->paused || c->hung ||
        c->batch_end_ns <= now || c->poll_ev == SIM_HANDLE_NONE)
        return;
    c->batch_ret_ns = c->batch_end_ns = now;
    schedule_poll(c, now);
}

void cg_client_poll_call(cg_client_t *c)
{
    int64_t now = cg_client_now(c);
    c->last_poll_ns = now;
    arm_poll_timer(c, now + ccfg(c)->max_poll_interval_ns);
    cg_client_poll_step(c);
}

static void poll_event(cg_client_t *c);

/* A poll event, then the polls that may run ahead (models/client/runahead.h), each at its time. */
static void on_poll_ev(sim_t *sim, void *ctx, uint64_t arg)
{
    cg_client_t *c = ctx;
    c->poll_ev = SIM_HANDLE_NONE;
    if (!c->running || arg != c->proc)
        return;
    int64_t now = sim_now(sim);
    c->ahead_from = now;
    c->ahead_bound = INT64_MIN;
    cg_fetch_prefetch(c);   /* a member cold since its last event; the polls run ahead are warm */
    poll_event(c);
    while (c->ahead_next != INT64_MIN && !c->w->failed) {
        sim_inline_event(sim, c->ahead_next);
        c->ahead_next = INT64_MIN;
        poll_event(c);
    }
    c->ahead_from = c->ahead_next = c->ahead_bound = INT64_MIN;
    sim_inline_end(sim, now);
}

/* A poll event: the batch ends, the next poll() starts. */
static void poll_event(cg_client_t *c)
{
    if (c->processing) {
        cg_fetch_settle(c);
        c->processing = false;
    }
    if (c->paused || c->hung)
        return;
    if (!ccfg(c)->enable_auto_commit && c->n_chunks > 0 && c->ops->batch_commit_ok(c) &&
        c->coord_known) {
        int32_t mi = cg_client_send_commit(c, false, true);
        if (mi >= 0) {
            c->commit_in_rebalance = false;
            cg_client_block_on(c, CG_W_COMMIT, mi, ccfg(c)->request_timeout_ns);
            return;
        }
    } else if (!ccfg(c)->enable_auto_commit && c->n_chunks > 0 && c->coord_known) {
        cg_client_commit_refused(c, false);   /* commitSync throws: the member rebalances */
    }
    c->n_chunks = 0;
    cg_client_poll_call(c);
}

int cg_client_set_owned(cg_client_t *c, const int32_t *gp, uint32_t n, bool *grew)
{
    cg_owned_t *next = malloc((n ? n : 1) * sizeof *next);
    if (!next || cg_fetch_owned_reserve(c, n) != 0) {
        free(next);
        return -1;
    }
    bool added = false;
    uint32_t i = 0;
    for (uint32_t j = 0; j < n; j++) {
        while (i < c->n_owned && c->owned[i].gp < gp[j])
            i++;
        if (i < c->n_owned && c->owned[i].gp == gp[j]) {
            next[j] = c->owned[i];
        } else {
            cg_fetch_owned_init(&next[j], gp[j]);
            added = true;
        }
    }
    if (n)
        memcpy(c->owned, next, n * sizeof *next);
    c->n_owned = n;
    c->rr = 0;
    c->positions_ok = c->positions_ok && !added;
    free(next);
    cg_ahead_hold_sync(c);
    if (grew)
        *grew = added;
    return 0;
}

/* ---- life cycle and faults ---- */

void cg_client_stop(cg_client_t *c)
{
    sim_t *sim = &c->w->sim;
    c->running = false;
    c->proc++;
    cg_net_close(&c->w->net, c->ci);
    sim_timer_clear(sim, &c->poll_ev);
    c->ops->stop(c);
    sim_timer_clear(sim, &c->poll_timer);
    sim_timer_clear(sim, &c->req_timer);
    sim_timer_clear(sim, &c->find_ev);
    c->n_owned = 0;
    c->n_chunks = 0;
    cg_fetch_owned_changed(c);
    cg_ahead_hold_sync(c);
    c->wait = CG_W_NONE;
    c->processing = false;
    c->finding = false;
    c->coord_known = false;
    c->commit_resend = false;
}

/* The membership state of another protocol replaces the current one (no process runs). */
static bool switch_protocol(cg_client_t *c)
{
    const cg_member_ops_t *ops = c->next_ops;
    c->next_ops = NULL;
    if (!ops || ops == c->ops)
        return true;
    c->ops->fini(c);
    if (c->ms != (void *)c->ms_inline)
        free(c->ms);
    c->ops = ops;
    c->ops_switches++;
    c->ms = ops->state_size <= sizeof c->ms_inline ? (void *)c->ms_inline
                                                    : calloc(1, ops->state_size);
    if (c->ms == (void *)c->ms_inline)
        memset(c->ms_inline, 0, sizeof c->ms_inline);
    if (!c->ms || ops->init(c) != 0) {
        c->ms = NULL;
        cg_client_fail(c, "out of memory");
        return false;
    }
    cg_net_set_client(&c->w->net, c->ci, cg_client_on_msg, ops->fast, c,
                      c->cfg->cfg.request_timeout_ns);
    return true;
}

bool cg_client_start(cg_client_t *c)
{
    if (c->running || !switch_protocol(c))
        return false;
    int64_t now = cg_client_now(c);
    c->running = true;
    c->started_ever = true;
    c->proc++;
    cg_net_open(&c->w->net, c->ci, c->proc);
    c->paused = c->hung = false;
    c->coord_known = c->finding = false;
    c->wait = CG_W_NONE;
    c->processing = c->positions_ok = false;
    c->commit_retries = 0;
    c->commit_resend = false;
    c->n_owned = c->n_chunks = 0;
    c->rr = 0;
    cg_fetch_owned_changed(c);
    c->last_poll_ns = c->last_hb_ok_ns = c->last_autocommit_ns = now;
    schedule_poll(c, now);
    c->ops->start(c);
    return true;
}

void cg_client_set_strategy(cg_client_t *c, const cg_assignor_ops_t *const *strategy, uint32_t n,
                            bool cooperative)
{
    c->strategy = strategy;
    c->n_strategy = n;
    c->cooperative = cooperative;
}

void cg_client_set_protocol(cg_client_t *c, const cg_member_ops_t *ops)
{
    c->next_ops = ops;
}

void cg_client_subscribe(cg_client_t *c, const int32_t *topics, size_t n)
{
    c->topics = topics;
    c->n_topics = n;
    cg_world_subscribed(c->w, c->g->gi, topics, n);
}

/* The batch in progress at a close: records not yet processed are given back. */
static void give_back_batch(cg_client_t *c)
{
    if (c->processing && cg_client_now(c) < c->batch_end_ns) {
        for (uint32_t i = 0; i < c->n_chunks; i++) {
            int32_t k = cg_fetch_owned_find(c, c->chunks[i].gp);
            if (k >= 0)
                c->owned[k].pos = c->chunks[i].from;
        }
        cg_fetch_owned_changed(c);
        c->n_chunks = 0;
    } else if (c->processing) {
        cg_fetch_settle(c);
        c->n_chunks = 0;
    }
}

bool cg_client_close(cg_client_t *c)
{
    if (!c->running)
        return false;
    give_back_batch(c);
    bool member = c->ops->is_member(c);
    if (member && ccfg(c)->enable_auto_commit && c->coord_known && !cg_client_isolated(c))
        cg_client_send_commit(c, true, false);
    c->ops->leave(c, member);          /* onLeavePrepare (or onPartitionsLost), LeaveGroup */
    cg_client_stop(c);
    return true;
}

static bool resume(cg_client_t *c)
{
    if (!c->running || (!c->paused && !c->hung))
        return false;
    bool was_hung = c->hung;
    c->paused = c->hung = false;
    if (was_hung)
        c->ops->woke(c);
    if (!c->processing && c->wait == CG_W_NONE && c->poll_ev == SIM_HANDLE_NONE)
        schedule_poll(c, cg_client_now(c));
    return true;
}

bool cg_client_fault_applies(const cg_client_t *c, cg_fault_action_t a)
{
    switch (a) {
    case CG_FAULT_CRASH: return c->running;
    case CG_FAULT_RESTART: return true;
    case CG_FAULT_LEAVE: return c->running;
    case CG_FAULT_JOIN: return !c->running;
    case CG_FAULT_PAUSE: return c->running && !c->paused && !c->hung;
    case CG_FAULT_RESUME: return c->running && (c->paused || c->hung);
    case CG_FAULT_HANG: return c->running && !c->hung;
    case CG_FAULT_SLOW: return c->running;
    case CG_FAULT_SUBSCRIBE: return c->running;
    case CG_FAULT_ISOLATE: return !cg_client_isolated(c);
    case CG_FAULT_HEAL: return cg_client_isolated(c);
    default: return false;
    }
}

bool cg_client_apply(cg_client_t *c, cg_fault_action_t a, double factor)
{
    switch (a) {
    case CG_FAULT_CRASH:
        if (!c->running)
            return false;
        cg_client_stop(c);
        return true;
    case CG_FAULT_RESTART:
        /* A running process is killed and started again; a stopped one just starts. */
        if (c->running)
            cg_client_stop(c);
        return cg_client_start(c);
    case CG_FAULT_LEAVE: return cg_client_close(c);
    case CG_FAULT_JOIN: return cg_client_start(c);
    case CG_FAULT_PAUSE:
        if (!c->running || c->paused || c->hung)
            return false;
        c->paused = true;
        return true;
    case CG_FAULT_HANG:
        if (!c->running || c->hung)
            return false;
        c->hung = true;
        return true;
    case CG_FAULT_RESUME: return resume(c);
    case CG_FAULT_SLOW:
        c->slow = factor;
        return c->running;
    case CG_FAULT_SUBSCRIBE:
        if (!c->running)
            return false;
        c->ops->subscribed(c);        /* the faults set c->topics */
        return true;
    case CG_FAULT_ISOLATE: return cg_net_isolate(&c->w->net, c->ci, true);
    case CG_FAULT_HEAL: return cg_net_isolate(&c->w->net, c->ci, false);
    default: return false;
    }
}

/* ---- init ---- */

int cg_client_init(cg_client_t *c, struct cg_world *w, int32_t ci, const cg_member_ops_t *ops,
                   char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->w = w;
    c->ci = ci;
    c->ahead_from = c->ahead_next = c->ahead_bound = INT64_MIN;
    c->cfg = &w->s->consumers[ci];
    sim_dist_sampler_init(&c->proc_dist, &c->cfg->processing);
    c->g = &w->groups[c->cfg->group];
    c->local = ci - (int32_t)c->g->cfg->first_consumer;
    c->instance = cg_scenario_instance_index(c->g->instance_ids, c->g->n_instances,
                                             c->cfg->cfg.group_instance_id);
    c->ops = ops;
    c->topics = c->cfg->topics;
    c->n_topics = c->cfg->n_topics;
    c->strategy = c->cfg->strategy;
    c->n_strategy = c->cfg->n_strategy;
    c->cooperative = c->cfg->cooperative;
    c->slow = 1.0;
    char key[3 * CG_MAX_NAME_LEN + 32];
    const char *gid = c->g->cfg->id, *cid = c->cfg->id;
    snprintf(key, sizeof key, "net/%s/%s", gid, cid);
    int rc = cg_net_link_init(&w->net, ci, c->cfg->group, &c->g->cfg->network_ms, w->opts.seed,
                              key);
    snprintf(key, sizeof key, "proc/%s/%s", gid, cid);
    rc |= sim_rng_init(&c->proc_rng, w->opts.seed, key);
    c->ms = ops->state_size <= sizeof c->ms_inline ? (void *)c->ms_inline
                                                    : calloc(1, ops->state_size);
    if (rc != 0 || !c->ms || ops->init(c) != 0) {
        snprintf(err, errlen, "out of memory creating consumer %s", cid);
        return -1;
    }
    cg_net_set_client(&w->net, ci, cg_client_on_msg, ops->fast, c, c->cfg->cfg.request_timeout_ns);
    return 0;
}

void cg_client_fini(cg_client_t *c)
{
    if (c->ops && c->ms)
        c->ops->fini(c);
    if (c->ms != (void *)c->ms_inline)
        free(c->ms);
    sim_rng_fini(&c->proc_rng);
    free(c->owned);
    free(c->wake);
    free(c->ready);
    free(c->chunks);
    free(c->tr_owned);
    free(c->held);
}
