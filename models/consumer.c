/* models/consumer: the client.
 *
 * The application loop is one engine event per poll() call ("poll_ev", at the end of the batch
 * being processed). poll() does, in order (world.md): finish the previous batch (duplicates and
 * zombies are counted when a batch is fully processed); commitSync of it when auto-commit is off;
 * rejoin if needed (onJoinPrepare: sync auto-commit, eager revokes everything, then JoinGroup;
 * poll blocks until SyncGroup completes); auto-commit when due; OffsetFetch (or
 * auto.offset.reset) for partitions without a position; then the fetch. The fetch is computed at
 * once: it reaches the broker after one latency, waits there until a record arrives or
 * fetch.max.wait.ms, and returns after another latency with up to max.poll.records records taken
 * round-robin over the owned partitions. Positions advance when the batch is returned; if the
 * process closes before the batch is processed the unprocessed records are taken back, so
 * commits only ever cover processed records.
 *
 * The log end of each owned partition is cached with the time of its next arrival, so a poll
 * costs O(owned partitions) and the partition logs are asked about once per arrival.
 *
 * Responses carry the incarnation ("proc") of the process that sent the request; responses for
 * an earlier process, or for a request the app no longer waits for, are dropped. */
#include "models/consumer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "models/coordinator.h"
#include "models/fetch.h"
#include "models/ownership.h"
#include "models/trace_rec.h"

/* A FindCoordinator retry takes at least as long as an empty poll (CG_FETCH_MIN_IDLE_NS), so
 * zero latencies cannot spin forever at one instant of virtual time. */
#define CG_MIN_IDLE_NS CG_FETCH_MIN_IDLE_NS

static void poll_step(cg_client_t *c);
static void drop_lost(cg_client_t *c);
static void poll_call(cg_client_t *c);
static void on_poll_ev(sim_t *sim, void *ctx, uint64_t arg);
static void on_hb_timer(sim_t *sim, void *ctx, uint64_t arg);
static void on_poll_timer(sim_t *sim, void *ctx, uint64_t arg);
static void on_req_timer(sim_t *sim, void *ctx, uint64_t arg);
static void on_find(sim_t *sim, void *ctx, uint64_t arg);

static int64_t now_ns(const cg_client_t *c) { return sim_now(&c->w->sim); }
static sim_t *csim(cg_client_t *c) { return &c->w->sim; }
static const cg_client_cfg_t *ccfg(const cg_client_t *c) { return &c->cfg->cfg; }

/* ---- owned partitions ---- */

/* Revoke (record) every owned partition and forget them. */
static void revoke_all(cg_client_t *c)
{
    cg_own_revoke_except(c->g, c, NULL, 0);
    c->n_owned = 0;
    c->rr = 0;
}

/* ---- network ---- */

static int32_t new_request(cg_client_t *c, cg_msg_kind_t kind)
{
    int32_t mi = cg_world_msg_new(c->w, kind, c);
    if (mi < 0) {
        cg_world_fail(c->w, "out of memory");
        return -1;
    }
    cg_msg_t *m = cg_world_msg(c->w, mi);
    m->slot = c->slot;
    m->serial = c->serial;
    m->generation = c->generation;
    m->req = ++c->req_seq;
    return mi;
}

static void block_on(cg_client_t *c, cg_wait_t what, int32_t mi, int64_t timeout_ns)
{
    c->wait = what;
    c->wait_req = cg_world_msg(c->w, mi)->req;
    sim_timer_set(csim(c), &c->req_timer, now_ns(c) + timeout_ns, on_req_timer, c,
                  (uint64_t)c->wait_req);
}

static void unblock(cg_client_t *c)
{
    c->wait = CG_W_NONE;
    sim_timer_clear(csim(c), &c->req_timer);
}

static void find_start(cg_client_t *c, int64_t delay_ns)
{
    if (c->finding || c->coord_known)
        return;
    c->finding = true;
    int64_t rtt = cg_world_net_delay_ns(c) + cg_world_net_delay_ns(c);
    sim_timer_set(csim(c), &c->find_ev, now_ns(c) + delay_ns + rtt, on_find, c, c->proc);
}

static void coord_lost(cg_client_t *c)
{
    c->coord_known = false;
    find_start(c, 0);
}

static void on_find(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_client_t *c = ctx;
    c->find_ev = SIM_HANDLE_NONE;
    c->finding = false;
    if (!c->running || arg != c->proc)
        return;
    if (c->isolated || c->g->down) {
        int64_t backoff = ccfg(c)->retry_backoff_ns;
        find_start(c, backoff > CG_MIN_IDLE_NS ? backoff : CG_MIN_IDLE_NS);
        return;
    }
    c->coord_known = true;
    c->last_hb_ok_ns = now_ns(c);
    if (c->wait == CG_W_COORD) {
        c->wait = CG_W_NONE;
        poll_step(c);
    }
}

/* ---- commits ---- */

/* Send an OffsetCommit of positions (all, or those past this member's last commit). Returns the
 * message index, or -1 when there is nothing to commit. */
static int32_t send_commit(cg_client_t *c, bool all, bool sync)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->n_owned; i++) {
        const cg_owned_t *o = &c->owned[i];
        if (o->pos >= 0 && (all || o->pos > o->committed))
            n++;
    }
    if (n == 0 || c->generation < 0 || c->slot < 0)
        return -1;
    int32_t mi = new_request(c, CG_MSG_COMMIT);
    if (mi < 0 || cg_world_msg_reserve(c->w, mi, n) != 0) {
        cg_world_fail(c->w, "out of memory");
        return -1;
    }
    cg_msg_t *m = cg_world_msg(c->w, mi);
    m->sync_commit = sync;
    for (uint32_t i = 0; i < c->n_owned; i++) {
        const cg_owned_t *o = &c->owned[i];
        if (o->pos >= 0 && (all || o->pos > o->committed)) {
            m->gp[m->n] = o->gp;
            m->off[m->n] = o->pos;
            m->n++;
        }
    }
    cg_world_send(c, mi);
    return mi;
}

/* The membership is gone: partitions are lost (no revoke, no commit) at the next poll. */
static void lose_membership(cg_client_t *c, bool reset_member_id)
{
    c->lost = true;
    c->need_rejoin = true;
    c->js = CG_JS_NONE;
    c->generation = -1;
    if (reset_member_id) {
        c->slot = -1;
        c->serial = 0;
    }
    sim_timer_clear(csim(c), &c->hb_timer);
}

static void fatal_fenced(cg_client_t *c)
{
    cg_rec_error(c->w, c->g, c->ci, "FENCED_INSTANCE_ID", -1);
    cg_client_crash(c);
}

void cg_client_commit_ok(cg_client_t *c, const cg_msg_t *m)
{
    for (uint32_t i = 0; i < m->n; i++) {
        if (!m->ok[i])
            continue;
        int32_t k = cg_fetch_owned_find(c, m->gp[i]);
        if (k >= 0 && m->off[i] > c->owned[k].committed)
            c->owned[k].committed = m->off[i];
    }
}

static void on_commit_resp(cg_client_t *c, cg_msg_t *m)
{
    cg_client_commit_ok(c, m);
    bool current = m->generation == c->generation && c->js == CG_JS_STABLE;
    switch ((cg_err_t)m->err) {
    case CG_ERR_REBALANCE_IN_PROGRESS:
        if (current)
            c->need_rejoin = true;
        break;
    case CG_ERR_UNKNOWN_MEMBER_ID:
    case CG_ERR_ILLEGAL_GENERATION:
        if (current)
            lose_membership(c, m->err == CG_ERR_UNKNOWN_MEMBER_ID);
        break;
    case CG_ERR_FENCED_INSTANCE_ID:
        fatal_fenced(c);
        return;
    case CG_ERR_NOT_COORDINATOR:
        coord_lost(c);
        break;
    default:
        break;
    }
}

/* ---- join ---- */

static void send_join(cg_client_t *c)
{
    int32_t mi = new_request(c, CG_MSG_JOIN);
    if (mi < 0)
        return;
    cg_msg_t *m = cg_world_msg(c->w, mi);
    m->reason = c->rejoin_reason;
    m->meta_changed = c->meta_changed;
    /* Owned partitions: cooperative clients report what they own (ConsumerProtocol v1+); the
     * eager StickyAssignor carries its last assignment in userData; other assignors under the
     * eager protocol see nothing (everything was revoked before JoinGroup). */
    const int32_t *src = NULL;
    uint32_t n = 0;
    m->owned_gen = -1;
    if (c->g->cfg->cooperative) {
        n = c->n_owned;
        m->owned_gen = c->generation;
    } else if (c->prev_gen >= 0 && c->g->cfg->assignor == &cg_assignor_sticky) {
        src = c->prev_assign;
        n = c->n_prev;
        m->owned_gen = c->prev_gen;
    }
    if (cg_world_msg_reserve(c->w, mi, n) != 0) {
        cg_world_fail(c->w, "out of memory");
        return;
    }
    m = cg_world_msg(c->w, mi);
    for (uint32_t i = 0; i < n; i++)
        m->gp[i] = src ? src[i] : c->owned[i].gp;
    m->n = n;
    c->js = CG_JS_JOINING;
    int64_t t = ccfg(c)->max_poll_interval_ns + CG_JOIN_TIMEOUT_LAPSE_NS;
    if (t < ccfg(c)->request_timeout_ns)
        t = ccfg(c)->request_timeout_ns;
    block_on(c, CG_W_JOIN, mi, t);
    cg_world_send(c, mi);
}

static void send_sync(cg_client_t *c)
{
    int32_t mi = new_request(c, CG_MSG_SYNC);
    if (mi < 0)
        return;
    c->js = CG_JS_SYNCING;
    block_on(c, CG_W_JOIN, mi, ccfg(c)->request_timeout_ns);
    cg_world_send(c, mi);
}

static int set_prev(cg_client_t *c, const int32_t *gp, uint32_t n, int32_t gen)
{
    if (n > c->cap_prev) {
        int32_t *p = realloc(c->prev_assign, n * sizeof *p);
        if (!p)
            return -1;
        c->prev_assign = p;
        c->cap_prev = n;
    }
    if (n)
        memcpy(c->prev_assign, gp, n * sizeof *gp);
    c->n_prev = n;
    c->prev_gen = gen;
    return 0;
}

/* Cooperative onJoinComplete: revoke owned - assigned, add assigned - owned. */
static int apply_cooperative(cg_client_t *c, const int32_t *gp, uint32_t n)
{
    int32_t *revoked = malloc((c->n_owned ? c->n_owned : 1) * sizeof *revoked);
    cg_owned_t *next = malloc((n ? n : 1) * sizeof *next);
    if (!revoked || !next) {
        free(revoked);
        free(next);
        return -1;
    }
    uint32_t nr = 0, i = 0, j = 0;
    while (i < c->n_owned || j < n) {
        if (j == n || (i < c->n_owned && c->owned[i].gp < gp[j])) {
            revoked[nr++] = c->owned[i++].gp;
        } else if (i == c->n_owned || gp[j] < c->owned[i].gp) {
            cg_fetch_owned_init(&next[j], gp[j]);
            j++;
        } else {
            next[j++] = c->owned[i++];
        }
    }
    cg_own_revoke_except(c->g, c, gp, n);
    if (nr > 0) {
        c->need_rejoin = true;
        c->rejoin_reason = CG_RS_REVOCATION;
        c->meta_changed = true;
    }
    free(revoked);
    if (cg_fetch_owned_reserve(c, n) != 0) {
        free(next);
        return -1;
    }
    if (n)
        memcpy(c->owned, next, n * sizeof *next);
    c->n_owned = n;
    free(next);
    return 0;
}

static void on_join_complete(cg_client_t *c, const int32_t *gp, uint32_t n)
{
    cg_group_t *g = c->g;
    c->js = CG_JS_STABLE;
    c->need_rejoin = false;
    c->prejoin_done = false;
    c->rejoin_reason = CG_RS_COUNT;
    c->meta_changed = false;
    int rc;
    if (g->cfg->cooperative) {
        rc = apply_cooperative(c, gp, n);
    } else {
        rc = cg_fetch_owned_reserve(c, n);
        for (uint32_t i = 0; rc == 0 && i < n; i++)
            cg_fetch_owned_init(&c->owned[i], gp[i]);
        c->n_owned = rc == 0 ? n : 0;
    }
    if (rc != 0 || set_prev(c, gp, n, c->generation) != 0) {
        cg_world_fail(c->w, "out of memory");
        return;
    }
    c->rr = 0;
    c->positions_ok = false;
    if (cg_coord_member_live(g, c->slot, c->serial, c->generation))
        cg_own_assign(g, c, c->generation, gp, n);
    int64_t now = now_ns(c);
    c->last_hb_ok_ns = now;
    c->last_poll_ns = now;
    sim_timer_set(csim(c), &c->hb_timer, now + ccfg(c)->heartbeat_interval_ns, on_hb_timer, c,
                  c->proc);
}

/* The JoinGroup or SyncGroup says the membership is gone: whatever a cooperative client still
 * holds is lost (its positions may be stale: another member may have committed since), so the
 * next onJoinPrepare drops it instead of keeping it. */
static void lost_on_rejoin(cg_client_t *c)
{
    if (c->n_owned > 0) {
        c->lost = true;
        c->prejoin_done = false;
    }
}

static void rejoin_after_error(cg_client_t *c)
{
    c->js = CG_JS_NONE;
    c->need_rejoin = true;
    unblock(c);
    poll_step(c);
}

/* A JoinGroup or SyncGroup failed: reset what the error invalidates, then rejoin (or stop when
 * fenced as a duplicate static instance). */
static void join_error(cg_client_t *c, cg_err_t err)
{
    switch (err) {
    case CG_ERR_UNKNOWN_MEMBER_ID:
        c->slot = -1;
        c->serial = 0;
        c->generation = -1;
        lost_on_rejoin(c);
        break;
    case CG_ERR_ILLEGAL_GENERATION:
        c->generation = -1;
        lost_on_rejoin(c);
        break;
    case CG_ERR_FENCED_INSTANCE_ID:
        fatal_fenced(c);
        return;
    case CG_ERR_NOT_COORDINATOR:
        c->coord_known = false;
        break;
    default:
        break;
    }
    rejoin_after_error(c);
}

static void on_join_resp(cg_client_t *c, cg_msg_t *m)
{
    switch ((cg_err_t)m->err) {
    case CG_ERR_NONE:
        c->slot = m->slot;
        c->serial = m->serial;
        c->generation = m->generation;
        unblock(c);
        send_sync(c);
        return;
    case CG_ERR_MEMBER_ID_REQUIRED:
        c->slot = m->slot;
        c->serial = m->serial;
        unblock(c);
        send_join(c);
        return;
    default:
        join_error(c, (cg_err_t)m->err);
        return;
    }
}

static void on_sync_resp(cg_client_t *c, cg_msg_t *m)
{
    switch ((cg_err_t)m->err) {
    case CG_ERR_NONE:
        unblock(c);
        on_join_complete(c, m->gp, m->n);
        if (c->running)
            poll_step(c);
        return;
    default:
        join_error(c, (cg_err_t)m->err);
        return;
    }
}

static void on_hb_resp(cg_client_t *c, cg_msg_t *m)
{
    c->hb_inflight = false;
    if (c->js != CG_JS_STABLE || m->generation != c->generation || m->serial != c->serial)
        return;
    switch ((cg_err_t)m->err) {
    case CG_ERR_NONE:
        c->last_hb_ok_ns = now_ns(c);
        break;
    case CG_ERR_REBALANCE_IN_PROGRESS:
        c->last_hb_ok_ns = now_ns(c);
        c->need_rejoin = true;
        break;
    case CG_ERR_UNKNOWN_MEMBER_ID:
        lose_membership(c, true);
        break;
    case CG_ERR_ILLEGAL_GENERATION:
        lose_membership(c, false);
        break;
    case CG_ERR_FENCED_INSTANCE_ID:
        fatal_fenced(c);
        break;
    case CG_ERR_NOT_COORDINATOR:
        coord_lost(c);
        break;
    default:
        break;
    }
}

/* ---- offsets ---- */

static void send_offset_fetch(cg_client_t *c)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->n_owned; i++)
        n += c->owned[i].pos < 0;
    int32_t mi = new_request(c, CG_MSG_OFFSET_FETCH);
    if (mi < 0 || cg_world_msg_reserve(c->w, mi, n) != 0) {
        cg_world_fail(c->w, "out of memory");
        return;
    }
    cg_msg_t *m = cg_world_msg(c->w, mi);
    for (uint32_t i = 0; i < c->n_owned; i++)
        if (c->owned[i].pos < 0)
            m->gp[m->n++] = c->owned[i].gp;
    block_on(c, CG_W_OFFSETS, mi, ccfg(c)->request_timeout_ns);
    cg_world_send(c, mi);
}

static void on_offsets_resp(cg_client_t *c, cg_msg_t *m)
{
    unblock(c);
    if (m->err == CG_ERR_NOT_COORDINATOR) {
        coord_lost(c);
        poll_step(c);
        return;
    }
    if (!cg_fetch_set_positions(c, m->gp, m->off, m->n)) {
        cg_client_close(c);
        return;
    }
    poll_step(c);
}

/* ---- the response dispatcher ---- */

void cg_client_on_msg(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_client_t *c = ctx;
    int32_t mi = (int32_t)arg;
    cg_msg_t *m = cg_world_msg(c->w, mi);
    if (!c->running || m->proc != c->proc || c->isolated) {
        cg_world_msg_free(c->w, mi);
        return;
    }
    bool awaited = c->wait != CG_W_NONE && m->req == c->wait_req;
    switch ((cg_msg_kind_t)m->kind) {
    case CG_MSG_JOIN:
        if (awaited && c->js == CG_JS_JOINING)
            on_join_resp(c, m);
        break;
    case CG_MSG_SYNC:
        if (awaited && c->js == CG_JS_SYNCING)
            on_sync_resp(c, m);
        break;
    case CG_MSG_HEARTBEAT:
        on_hb_resp(c, m);
        break;
    case CG_MSG_COMMIT:
        on_commit_resp(c, m);
        if (awaited && c->running && c->wait == CG_W_COMMIT && m->req == c->wait_req) {
            unblock(c);
            if (c->commit_prejoin) {
                c->prejoin_done = true;
                poll_step(c);
            } else {
                c->n_chunks = 0;
                poll_call(c);
            }
        }
        break;
    case CG_MSG_OFFSET_FETCH:
        if (awaited && c->wait == CG_W_OFFSETS)
            on_offsets_resp(c, m);
        break;
    case CG_MSG_LEAVE:
        break;
    }
    cg_world_msg_free(c->w, mi);
}

static void on_req_timer(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_client_t *c = ctx;
    c->req_timer = SIM_HANDLE_NONE;
    if (!c->running || c->wait == CG_W_NONE || (uint32_t)arg != c->wait_req)
        return;
    /* Request timed out (coordinator unreachable): rediscover, then retry the step. */
    cg_wait_t what = c->wait;
    c->wait = CG_W_NONE;
    c->coord_known = false;
    if (what == CG_W_JOIN)
        c->js = CG_JS_NONE;
    if (what == CG_W_COMMIT && !c->commit_prejoin) {
        c->n_chunks = 0;
        poll_call(c);
        return;
    }
    if (what == CG_W_COMMIT)
        c->prejoin_done = true;
    poll_step(c);
}

/* ---- heartbeat thread and poll timer ---- */

static void on_hb_timer(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_client_t *c = ctx;
    c->hb_timer = SIM_HANDLE_NONE;
    if (!c->running || arg != c->proc || c->js != CG_JS_STABLE)
        return;
    int64_t now = now_ns(c);
    sim_timer_set(csim(c), &c->hb_timer, now + ccfg(c)->heartbeat_interval_ns, on_hb_timer, c,
                  c->proc);
    if (c->hung)
        return;
    if (c->coord_known && now - c->last_hb_ok_ns >= ccfg(c)->session_timeout_ns)
        c->coord_known = false;
    if (!c->coord_known) {
        find_start(c, 0);
        return;
    }
    int32_t mi = new_request(c, CG_MSG_HEARTBEAT);
    if (mi < 0)
        return;
    c->hb_inflight = true;
    cg_world_send(c, mi);
}

static void arm_poll_timer(cg_client_t *c, int64_t at)
{
    if (c->poll_timer == SIM_HANDLE_NONE)
        c->poll_timer = sim_schedule(csim(c), at, on_poll_timer, c, c->proc);
}

static void on_poll_timer(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_client_t *c = ctx;
    c->poll_timer = SIM_HANDLE_NONE;
    if (!c->running || arg != c->proc)
        return;
    int64_t now = now_ns(c);
    int64_t max = ccfg(c)->max_poll_interval_ns;
    /* Inside a blocking poll (rebalance, offsets) the heartbeat thread does not check; a hung
     * process (GC pause, deadlock) checks nothing at all. */
    if (c->wait != CG_W_NONE || c->js != CG_JS_STABLE || c->hung) {
        arm_poll_timer(c, now + max);
        return;
    }
    if (now < c->last_poll_ns + max) {
        arm_poll_timer(c, c->last_poll_ns + max);
        return;
    }
    /* Poll timeout: dynamic members leave (kafka.md (a)); static ones just reset. */
    if (c->instance < 0 && c->slot >= 0) {
        int32_t mi = new_request(c, CG_MSG_LEAVE);
        if (mi >= 0) {
            cg_world_msg(c->w, mi)->reason = CG_RS_POLL_TIMEOUT;
            cg_world_send(c, mi);
        }
    }
    lose_membership(c, true);
}

/* ---- the poll loop ---- */

/* onJoinPrepare: commit (sync, auto-commit on), then eager revokes everything. Returns false
 * while the commit is in flight. */
static bool prejoin(cg_client_t *c)
{
    if (c->prejoin_done)
        return true;
    if (c->lost) {
        drop_lost(c);
    } else if (ccfg(c)->enable_auto_commit && c->js == CG_JS_STABLE && c->coord_known) {
        int32_t mi = send_commit(c, true, true);
        if (mi >= 0) {
            c->commit_prejoin = true;
            block_on(c, CG_W_COMMIT, mi, ccfg(c)->request_timeout_ns);
            return false;
        }
    }
    c->prejoin_done = true;
    return true;
}

/* onPartitionsLost: no commit, no callback revoke. A member whose removal was recorded
 * (member_leave) owns nothing per the trace any more; one still registered (static member after
 * a poll timeout, or a stale generation) gives its partitions up in the trace here. */
static void drop_lost(cg_client_t *c)
{
    cg_own_revoke_except(c->g, c, NULL, 0);
    c->n_owned = 0;
    c->rr = 0;
    c->lost = false;
}

static void poll_step(cg_client_t *c)
{
    if (!c->running || c->wait != CG_W_NONE)
        return;
    if (c->lost && !c->prejoin_done) {
        drop_lost(c);
        c->prejoin_done = true;
        c->need_rejoin = true;
    }
    if (c->need_rejoin || c->js != CG_JS_STABLE) {
        if (c->js == CG_JS_JOINING || c->js == CG_JS_SYNCING) {
            c->wait = CG_W_JOIN;
            return;
        }
        if (!prejoin(c))
            return;
        if (!c->g->cfg->cooperative)
            revoke_all(c);
        if (!c->coord_known) {
            c->wait = CG_W_COORD;
            find_start(c, 0);
            return;
        }
        c->need_rejoin = false;
        c->js = CG_JS_NONE;
        send_join(c);
        return;
    }
    int64_t now = now_ns(c);
    if (ccfg(c)->enable_auto_commit &&
        now - c->last_autocommit_ns >= ccfg(c)->auto_commit_interval_ns) {
        c->last_autocommit_ns = now;
        if (c->coord_known)
            send_commit(c, false, false);
    }
    if (!c->positions_ok && !(c->positions_ok = !cg_fetch_need_positions(c))) {
        if (!c->coord_known) {
            c->wait = CG_W_COORD;
            find_start(c, 0);
            return;
        }
        send_offset_fetch(c);
        return;
    }
    sim_timer_set(csim(c), &c->poll_ev, cg_fetch_batch(c), on_poll_ev, c, c->proc);
}

static void poll_call(cg_client_t *c)
{
    int64_t now = now_ns(c);
    c->last_poll_ns = now;
    arm_poll_timer(c, now + ccfg(c)->max_poll_interval_ns);
    poll_step(c);
}

static void on_poll_ev(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_client_t *c = ctx;
    c->poll_ev = SIM_HANDLE_NONE;
    if (!c->running || arg != c->proc)
        return;
    cg_fetch_prefetch(c);
    if (c->processing) {
        cg_fetch_settle(c);
        c->processing = false;
    }
    if (c->paused || c->hung)
        return;
    if (!ccfg(c)->enable_auto_commit && c->n_chunks > 0 && c->js == CG_JS_STABLE &&
        !c->need_rejoin && c->coord_known) {
        int32_t mi = send_commit(c, false, true);
        if (mi >= 0) {
            c->commit_prejoin = false;
            block_on(c, CG_W_COMMIT, mi, ccfg(c)->request_timeout_ns);
            return;
        }
    }
    c->n_chunks = 0;
    poll_call(c);
}

/* ---- life cycle and faults ---- */

static void stop(cg_client_t *c)
{
    sim_t *sim = csim(c);
    c->running = false;
    c->proc++;
    sim_timer_clear(sim, &c->poll_ev);
    sim_timer_clear(sim, &c->hb_timer);
    sim_timer_clear(sim, &c->poll_timer);
    sim_timer_clear(sim, &c->req_timer);
    sim_timer_clear(sim, &c->find_ev);
    c->n_owned = 0;
    c->n_chunks = 0;
    c->js = CG_JS_NONE;
    c->wait = CG_W_NONE;
    c->processing = false;
    c->finding = false;
    c->coord_known = false;
    c->slot = -1;
    c->serial = 0;
    c->generation = -1;
}

bool cg_client_start(cg_client_t *c)
{
    if (c->running)
        return false;
    int64_t now = now_ns(c);
    c->running = true;
    c->started_ever = true;
    c->proc++;
    c->paused = c->hung = false;
    c->coord_known = c->finding = false;
    c->js = CG_JS_NONE;
    c->need_rejoin = c->lost = c->prejoin_done = c->meta_changed = false;
    c->rejoin_reason = CG_RS_COUNT;
    c->slot = -1;
    c->serial = 0;
    c->generation = -1;
    c->wait = CG_W_NONE;
    c->processing = c->hb_inflight = c->positions_ok = false;
    c->n_owned = c->n_chunks = c->n_prev = 0;
    c->prev_gen = -1;
    c->rr = 0;
    c->last_poll_ns = c->last_hb_ok_ns = c->last_autocommit_ns = now;
    c->poll_ev = sim_schedule(csim(c), now, on_poll_ev, c, c->proc);
    return true;
}

bool cg_client_crash(cg_client_t *c)
{
    if (!c->running)
        return false;
    stop(c);
    return true;
}

bool cg_client_close(cg_client_t *c)
{
    if (!c->running)
        return false;
    int64_t now = now_ns(c);
    if (c->processing && now < c->batch_end_ns) {
        /* The batch in progress is not processed: give its records back. */
        for (uint32_t i = 0; i < c->n_chunks; i++) {
            int32_t k = cg_fetch_owned_find(c, c->chunks[i].gp);
            if (k >= 0)
                c->owned[k].pos = c->chunks[i].from;
        }
        c->n_chunks = 0;
    } else if (c->processing) {
        cg_fetch_settle(c);
        c->n_chunks = 0;
    }
    bool member = c->js == CG_JS_STABLE && !c->lost;
    if (member && ccfg(c)->enable_auto_commit && c->coord_known && !c->isolated)
        send_commit(c, true, false);
    revoke_all(c);                     /* onLeavePrepare (or onPartitionsLost) */
    if (c->instance < 0 && c->slot >= 0 && c->serial != 0 && !c->isolated) {
        int32_t mi = new_request(c, CG_MSG_LEAVE);
        if (mi >= 0) {
            cg_world_msg(c->w, mi)->reason = CG_RS_LEAVE;
            cg_world_send(c, mi);
        }
    }
    stop(c);
    return true;
}

bool cg_client_pause(cg_client_t *c)
{
    if (!c->running || c->paused || c->hung)
        return false;
    c->paused = true;
    return true;
}

bool cg_client_hang(cg_client_t *c)
{
    if (!c->running || c->hung)
        return false;
    c->hung = true;
    return true;
}

bool cg_client_resume(cg_client_t *c)
{
    if (!c->running || (!c->paused && !c->hung))
        return false;
    bool was_hung = c->hung;
    c->paused = c->hung = false;
    if (was_hung && c->js == CG_JS_STABLE && c->hb_timer == SIM_HANDLE_NONE)
        sim_timer_set(csim(c), &c->hb_timer, now_ns(c), on_hb_timer, c, c->proc);
    if (!c->processing && c->wait == CG_W_NONE && c->poll_ev == SIM_HANDLE_NONE)
        c->poll_ev = sim_schedule(csim(c), now_ns(c), on_poll_ev, c, c->proc);
    return true;
}

bool cg_client_isolate(cg_client_t *c, bool on)
{
    if (c->isolated == on)
        return false;
    c->isolated = on;
    return true;
}

/* ---- init ---- */

int cg_client_init(cg_client_t *c, struct cg_world *w, int32_t ci, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->w = w;
    c->ci = ci;
    c->cfg = &w->s->consumers[ci];
    c->g = &w->groups[c->cfg->group];
    c->local = ci - (int32_t)c->g->cfg->first_consumer;
    c->instance = cg_coord_instance_index(c->g, c->cfg->cfg.group_instance_id);
    c->slow = 1.0;
    c->slot = -1;
    c->generation = -1;
    c->prev_gen = -1;
    c->rejoin_reason = CG_RS_COUNT;
    char key[3 * CG_MAX_NAME_LEN + 32];
    const char *gid = c->g->cfg->id, *cid = c->cfg->id;
    int rc = 0;
    snprintf(key, sizeof key, "net/%s/%s", gid, cid);
    rc |= sim_rng_init(&c->net_rng, w->opts.seed, key);
    snprintf(key, sizeof key, "proc/%s/%s", gid, cid);
    rc |= sim_rng_init(&c->proc_rng, w->opts.seed, key);
    snprintf(key, sizeof key, "member-id/%s/%s", gid, cid);
    rc |= sim_rng_init(&c->mid_rng, w->opts.seed, key);
    if (rc != 0) {
        snprintf(err, errlen, "out of memory creating consumer %s", cid);
        return -1;
    }
    return 0;
}

void cg_client_fini(cg_client_t *c)
{
    sim_rng_fini(&c->net_rng);
    sim_rng_fini(&c->proc_rng);
    sim_rng_fini(&c->mid_rng);
    free(c->owned);
    free(c->prev_assign);
    free(c->chunks);
    free(c->tr_owned);
}
