/* models/classic/member: the classic protocol's member side (member.h).
 *
 * A rejoin happens inside poll(): onJoinPrepare (a sync commit with auto-commit on; the eager
 * protocol then revokes everything), JoinGroup (MEMBER_ID_REQUIRED first for a dynamic member),
 * SyncGroup, onJoinComplete (eager: the assignment; cooperative: revoke owned - assigned, add
 * assigned - owned, and rejoin at once if anything was revoked). An eager member's poll() blocks
 * until SyncGroup completes (it owns nothing meanwhile). A cooperative member's does not (the Java
 * consumer's poll calls updateAssignmentMetadataIfNeeded with waitForJoinGroup false): it keeps
 * fetching and processing what it owns while JoinGroup and SyncGroup are in flight, the
 * SyncGroup response makes it a stable member at once (heartbeats resume), and onJoinComplete
 * runs at its next poll(), as in ConsumerCoordinator.joinGroupIfNeeded. The heartbeat thread sends a Heartbeat every heartbeat.interval.ms while the member
 * is stable; REBALANCE_IN_PROGRESS makes the next poll rejoin, UNKNOWN_MEMBER_ID and
 * ILLEGAL_GENERATION lose the membership (partitions dropped without revoke), FENCED_INSTANCE_ID
 * stops the process. A dynamic member whose max.poll.interval.ms expires sends LeaveGroup. */
#include "models/classic/member.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/assign/assignor.h"
#include "models/client/fetch.h"
#include "models/client/runahead.h"
#include "models/world/ownership.h"
#include "models/world/trace_rec.h"
#include "models/world/world_impl.h"
#include "sim/sorted.h"
#include "sim/time.h"
#include "sim/vec.h"

static void on_hb_timer(sim_t *sim, void *ctx, uint64_t arg);
static int revoke_unsubscribed(cg_client_t *c);
static void on_join_timeout(sim_t *sim, void *ctx, uint64_t arg);

static cg_classic_member_t *M(const cg_client_t *c) { return cg_classic_member(c); }
static const cg_client_cfg_t *ccfg(const cg_client_t *c) { return &c->cfg->cfg; }
static bool cooperative(const cg_client_t *c) { return c->cooperative; }

static bool lists(const cg_client_t *c, const cg_assignor_ops_t *a)
{
    for (uint32_t i = 0; i < c->n_strategy; i++)
        if (c->strategy[i] == a)
            return true;
    return false;
}

bool cg_classic_member_is(const cg_client_t *c, int32_t slot, uint64_t serial)
{
    return c->running && c->ops == &cg_classic_member_ops && M(c)->slot == slot &&
           M(c)->serial == serial;
}

bool cg_classic_member_live(const cg_client_t *c, int32_t slot, uint64_t serial)
{
    return cg_classic_member_is(c, slot, serial) && !c->paused && !c->hung &&
           !cg_client_isolated(c);
}

bool cg_classic_member_polling(const cg_client_t *c, int32_t slot, uint64_t serial,
                               int32_t generation)
{
    const cg_classic_member_t *x = M(c);
    return cg_classic_member_live(c, slot, serial) && x->js == CG_JS_STABLE &&
           !x->assign_pending && x->generation == generation && !x->need_rejoin && !x->lost &&
           c->coord_known;
}

/* Every classic request names the member (id = slot + serial), its generation and its
 * group.instance.id (the coordinator fences a replaced static member by it). */
static void stamp(const cg_client_t *c, cg_msg_t *m)
{
    m->slot = M(c)->slot;
    m->serial = M(c)->serial;
    m->generation = M(c)->generation;
    m->instance = c->instance;
}

/* Revoke (record) every owned partition and forget them. */
static void revoke_all(cg_client_t *c)
{
    cg_own_revoke_except(c->g, c, NULL, 0);
    c->n_owned = 0;
    c->rr = 0;
    cg_fetch_owned_changed(c);
}

/* The membership is gone: partitions are lost (no revoke, no commit) at the next poll. */
static void lose_membership(cg_client_t *c, bool reset_member_id)
{
    cg_classic_member_t *x = M(c);
    x->lost = true;
    x->need_rejoin = true;
    x->js = CG_JS_NONE;
    x->generation = -1;
    if (reset_member_id) {
        x->slot = -1;
        x->serial = 0;
    }
    sim_timer_clear(cg_client_sim(c), &x->hb_timer);
}

/* An error the Java client raises from poll() (not retriable): the application dies. */
static void fatal_error(cg_client_t *c, cg_err_t err)
{
    cg_rec_error(c->w, c->g, c->ci, cg_err_name(err), -1);
    if (c->running)
        cg_client_stop(c);
}

static void fatal_fenced(cg_client_t *c) { fatal_error(c, CG_ERR_FENCED_INSTANCE_ID); }

static void send_leave(cg_client_t *c, cg_reason_t why)
{
    int32_t mi = cg_client_request(c, CG_MSG_LEAVE);
    if (mi >= 0) {
        cg_net_msg(cg_client_net(c), mi)->reason = (uint8_t)why;
        cg_net_send(cg_client_net(c), mi);
    }
}

/* ---- join ---- */

/* The app waits for the JoinGroup/SyncGroup `mi` (eager), or only the member does (cooperative:
 * poll() goes on; the request has its own timeout). */
static void await_join(cg_client_t *c, int32_t mi, int64_t timeout_ns)
{
    cg_classic_member_t *x = M(c);
    if (!cooperative(c)) {
        cg_client_block_on(c, CG_W_JOIN, mi, timeout_ns);
        return;
    }
    x->join_req = cg_net_msg(cg_client_net(c), mi)->req;
    if (timeout_ns < CG_FETCH_MIN_IDLE_NS)     /* as the client's request timer (no spin) */
        timeout_ns = CG_FETCH_MIN_IDLE_NS;
    sim_timer_set(cg_client_sim(c), &x->join_timer, cg_client_now(c) + timeout_ns,
                  on_join_timeout, c, x->join_req);
}

/* The JoinGroup/SyncGroup awaited is answered (or failed). */
static void join_answered(cg_client_t *c)
{
    if (cooperative(c))
        sim_timer_clear(cg_client_sim(c), &M(c)->join_timer);
    else
        cg_client_unblock(c);
}

static void send_join(cg_client_t *c)
{
    cg_classic_member_t *x = M(c);
    cg_net_t *net = cg_client_net(c);
    int32_t mi = cg_client_request(c, CG_MSG_JOIN);
    if (mi < 0)
        return;
    cg_msg_t *m = cg_net_msg(net, mi);
    m->reason = x->rejoin_reason;
    m->meta_changed = x->meta_changed;
    m->session_timeout_ns = ccfg(c)->session_timeout_ns;
    m->rebalance_timeout_ns = ccfg(c)->max_poll_interval_ns;
    m->topics = c->topics;
    m->n_topics = (uint32_t)c->n_topics;
    m->rack = ccfg(c)->client_rack;
    m->protocols = c->strategy;
    m->n_protocols = c->n_strategy;
    /* Owned partitions: cooperative clients report what they own (ConsumerProtocol v1+); the
     * eager StickyAssignor carries its last assignment in userData; other assignors under the
     * eager protocol see nothing (everything was revoked before JoinGroup). */
    const int32_t *src = NULL;
    uint32_t n = 0;
    m->owned_gen = -1;
    if (cooperative(c)) {
        n = c->n_owned;
        m->owned_gen = x->generation;
    } else if (x->prev_gen >= 0 && lists(c, &cg_assignor_sticky)) {
        src = x->prev_assign;
        n = x->n_prev;
        m->owned_gen = x->prev_gen;
        m->owned_userdata = true;     /* only StickyAssignor reads it */
    }
    if (cg_net_msg_reserve(net, mi, n) != 0) {
        cg_client_fail(c, "out of memory");
        return;
    }
    m = cg_net_msg(net, mi);
    for (uint32_t i = 0; i < n; i++)
        m->gp[i] = src ? src[i] : c->owned[i].gp;
    m->n = n;
    x->js = CG_JS_JOINING;
    int64_t t = ccfg(c)->max_poll_interval_ns + CG_JOIN_TIMEOUT_LAPSE_NS;
    if (t < ccfg(c)->request_timeout_ns)
        t = ccfg(c)->request_timeout_ns;
    await_join(c, mi, t);
    cg_net_send(net, mi);
}

/* The metadata version the client holds now: fetched at its start and refreshed every
 * metadata.max.age.ms (Metadata.timeToNextUpdate; the refresh runs on the network thread, so it
 * does not wait for poll()). */
static uint32_t meta_version(const cg_client_t *c)
{
    const cg_classic_member_t *x = M(c);
    const cg_topic_hist_t *h = &c->w->hist;
    int64_t now = cg_client_now(c), age = ccfg(c)->metadata_max_age_ns, at = now;
    if (h->n_changes == 0)
        return 0;
    if (age > 0 && now > x->meta_start_ns)
        at = x->meta_start_ns + (now - x->meta_start_ns) / age * age;
    return cg_topic_hist_version_at(h, at);
}

/* The leader's check in poll() (ConsumerCoordinator.rejoinNeededOrPending): its assignment
 * snapshot no longer matches its metadata snapshot of the group's topics (a partition count
 * changed), so it rejoins; only the leader watches (onJoinComplete drops a follower's snapshot). */
static void leader_metadata_check(cg_client_t *c)
{
    cg_classic_member_t *x = M(c);
    const cg_topic_hist_t *h = &c->w->hist;
    if (!x->leads || x->js != CG_JS_STABLE || x->need_rejoin || h->n_changes <= x->assign_version)
        return;
    uint32_t v = meta_version(c);
    for (uint32_t i = 0; i < x->n_group_topics && v != x->assign_version; i++) {
        int32_t t = x->group_topics[i];
        if (cg_topic_hist_count(h, v, t) != cg_topic_hist_count(h, x->assign_version, t)) {
            x->need_rejoin = true;
            x->meta_changed = true;
            x->rejoin_reason = CG_RS_METADATA;
            return;
        }
    }
    x->assign_version = v;            /* the change was to topics the group does not read */
}

static void send_sync(cg_client_t *c)
{
    int32_t mi = cg_client_request(c, CG_MSG_SYNC);
    if (mi < 0)
        return;
    if (M(c)->leads) {                /* performAssignment: assignmentSnapshot = metadataSnapshot */
        M(c)->assign_version = meta_version(c);
        cg_net_msg(cg_client_net(c), mi)->meta_version = M(c)->assign_version;
    }
    M(c)->js = CG_JS_SYNCING;
    await_join(c, mi, ccfg(c)->request_timeout_ns);
    cg_net_send(cg_client_net(c), mi);
}

static int set_prev(cg_classic_member_t *x, const int32_t *gp, uint32_t n, int32_t gen)
{
    if (sim_vec_copy(&x->prev_assign, &x->n_prev, &x->cap_prev, gp, n, sizeof *gp) != 0)
        return -1;
    x->prev_gen = gen;
    return 0;
}

/* Cooperative onJoinComplete: revoke owned - assigned, add assigned - owned. */
static int apply_cooperative(cg_client_t *c, const int32_t *gp, uint32_t n)
{
    cg_classic_member_t *x = M(c);
    bool revoked = false;
    for (uint32_t i = 0; i < c->n_owned && !revoked; i++)
        revoked = !cg_own_in_sorted(gp, n, c->owned[i].gp);
    cg_own_revoke_except(c->g, c, gp, n);
    if (revoked) {
        x->need_rejoin = true;
        x->rejoin_reason = CG_RS_REVOCATION;
        x->meta_changed = true;
    }
    return cg_client_set_owned(c, gp, n, NULL);
}

/* SyncGroup succeeded: a member of the generation; the heartbeat thread resumes. */
static void join_completed(cg_client_t *c)
{
    cg_classic_member_t *x = M(c);
    x->js = CG_JS_STABLE;
    x->need_rejoin = false;
    x->prejoin_done = false;
    x->rejoin_reason = CG_RS_COUNT;
    x->meta_changed = false;
    int64_t now = cg_client_now(c);
    c->last_hb_ok_ns = now;
    sim_timer_set(cg_client_sim(c), &x->hb_timer, now + ccfg(c)->heartbeat_interval_ns,
                  on_hb_timer, c, c->proc);
}

/* onJoinComplete: the generation's assignment takes effect (inside poll()). */
static void assignment_apply(cg_client_t *c, const int32_t *gp, uint32_t n)
{
    cg_classic_member_t *x = M(c);
    int rc;
    if (cooperative(c)) {
        rc = apply_cooperative(c, gp, n);
    } else {
        rc = cg_fetch_owned_reserve(c, n);
        for (uint32_t i = 0; rc == 0 && i < n; i++)
            cg_fetch_owned_init(&c->owned[i], gp[i]);
        c->n_owned = rc == 0 ? n : 0;
        cg_ahead_hold_sync(c);
    }
    if (rc != 0 || set_prev(x, gp, n, x->generation) != 0) {
        cg_client_fail(c, "out of memory");
        return;
    }
    c->rr = 0;
    c->positions_ok = false;
    cg_own_assign_current(c->g, c, x->generation, gp, n);
    int64_t now = cg_client_now(c);
    c->last_poll_ns = now;
    /* The auto-commit timer restarts with the new assignment (ConsumerCoordinator.onJoinComplete:
     * nextAutoCommitTimer.updateAndReset(autoCommitIntervalMs)). */
    c->last_autocommit_ns = now;
}

/* A cooperative member applies the assignment its SyncGroup brought at its next poll(). */
static void apply_pending(cg_client_t *c)
{
    cg_classic_member_t *x = M(c);
    x->assign_pending = false;
    assignment_apply(c, x->pend, x->n_pend);
}

/* The JoinGroup or SyncGroup says the membership is gone: whatever a cooperative client still
 * holds is lost (its positions may be stale: another member may have committed since), so the
 * next onJoinPrepare drops it instead of keeping it. */
static void lost_on_rejoin(cg_client_t *c)
{
    if (c->n_owned > 0) {
        M(c)->lost = true;
        M(c)->prejoin_done = false;
    }
}

/* A JoinGroup or SyncGroup failed: reset what the error invalidates, then rejoin (or stop when
 * fenced as a duplicate static instance). */
static void join_error(cg_client_t *c, cg_err_t err)
{
    cg_classic_member_t *x = M(c);
    switch (err) {
    case CG_ERR_UNKNOWN_MEMBER_ID:
        x->slot = -1;
        x->serial = 0;
        x->generation = -1;
        lost_on_rejoin(c);
        break;
    case CG_ERR_ILLEGAL_GENERATION:
        x->generation = -1;
        lost_on_rejoin(c);
        break;
    case CG_ERR_FENCED_INSTANCE_ID:
        fatal_fenced(c);
        return;
    case CG_ERR_INCONSISTENT_GROUP_PROTOCOL:
        /* AbstractCoordinator's JoinGroupResponseHandler raises it to poll(): fatal. */
        fatal_error(c, err);
        return;
    case CG_ERR_NOT_COORDINATOR:
        c->coord_known = false;
        break;
    default:
        break;
    }
    x->js = CG_JS_NONE;
    x->need_rejoin = true;
    join_answered(c);
    if (!cooperative(c))
        cg_client_poll_step(c);       /* a cooperative member's poll() rejoins next time */
    else
        cg_client_wake_poll(c);
}

static void on_assigned(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_client_t *c = ctx;
    cg_classic_member_t *x = M(c);
    x->assign_timer = SIM_HANDLE_NONE;
    if (c->running && arg == c->proc && x->js == CG_JS_SYNCING)
        send_sync(c);
}

/* The leader runs the assignor between its JoinGroup response and its SyncGroup: a draw of the
 * group's assignor_ms (none when it is the constant 0). True when SyncGroup waits for it. */
static bool assign_timed(const cg_client_t *c)
{
    const sim_dist_t *d = &c->g->cfg->assignor_ms;
    return !(d->kind == SIM_DIST_CONSTANT && d->p1 <= 0);
}

static bool assign_time(cg_client_t *c)
{
    if (!assign_timed(c))
        return false;
    cg_classic_member_t *x = M(c);
    int64_t t = sim_ms_to_ns(sim_dist_sample(&c->g->cfg->assignor_ms, &x->assign_rng));
    x->js = CG_JS_SYNCING;            /* poll() waits as for the SyncGroup (eager) */
    x->join_req = 0;
    sim_timer_set(cg_client_sim(c), &x->assign_timer, cg_client_now(c) + t, on_assigned, c,
                  c->proc);
    return true;
}

static void on_join_resp(cg_client_t *c, cg_msg_t *m)
{
    cg_classic_member_t *x = M(c);
    switch ((cg_err_t)m->err) {
    case CG_ERR_NONE:
        x->slot = m->slot;
        x->serial = m->serial;
        x->generation = m->generation;
        x->leads = m->leader;
        join_answered(c);
        if (m->leader && assign_time(c))
            return;                   /* SyncGroup once the leader's assignor is done */
        send_sync(c);
        return;
    case CG_ERR_MEMBER_ID_REQUIRED:
        x->slot = m->slot;
        x->serial = m->serial;
        join_answered(c);
        send_join(c);
        return;
    default:
        join_error(c, (cg_err_t)m->err);
        return;
    }
}

static void on_sync_resp(cg_client_t *c, cg_msg_t *m)
{
    if (m->err != CG_ERR_NONE) {
        join_error(c, (cg_err_t)m->err);
        return;
    }
    join_answered(c);
    join_completed(c);
    if (M(c)->leads && sim_vec_copy(&M(c)->group_topics, &M(c)->n_group_topics,
                                    &M(c)->cap_group_topics, m->gp + m->n, m->n_topics,
                                    sizeof *m->gp) != 0) {
        cg_client_fail(c, "out of memory");
        return;
    }
    if (cooperative(c)) {
        cg_classic_member_t *x = M(c);
        if (sim_vec_copy(&x->pend, &x->n_pend, &x->cap_pend, m->gp, m->n, sizeof *m->gp) != 0) {
            cg_client_fail(c, "out of memory");
            return;
        }
        x->assign_pending = true;     /* onJoinComplete at the next poll() */
        cg_client_wake_poll(c);
        return;
    }
    assignment_apply(c, m->gp, m->n);
    if (c->running)
        cg_client_poll_step(c);
}

static void on_join_timeout(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_client_t *c = ctx;
    cg_classic_member_t *x = M(c);
    x->join_timer = SIM_HANDLE_NONE;
    if (!c->running || (uint32_t)arg != x->join_req ||
        (x->js != CG_JS_JOINING && x->js != CG_JS_SYNCING))
        return;
    /* No answer within the request's timeout (coordinator unreachable): rediscover, rejoin. */
    c->coord_known = false;
    x->js = CG_JS_NONE;
}

static void on_hb_resp(cg_client_t *c, cg_msg_t *m)
{
    cg_classic_member_t *x = M(c);
    x->hb_inflight = false;
    if (x->js != CG_JS_STABLE || m->generation != x->generation || m->serial != x->serial)
        return;
    switch ((cg_err_t)m->err) {
    case CG_ERR_NONE:
        c->last_hb_ok_ns = cg_client_now(c);
        break;
    case CG_ERR_REBALANCE_IN_PROGRESS:
        c->last_hb_ok_ns = cg_client_now(c);
        x->need_rejoin = true;
        cg_client_wake_poll(c);
        break;
    case CG_ERR_UNKNOWN_MEMBER_ID:
        lose_membership(c, true);
        cg_client_wake_poll(c);
        break;
    case CG_ERR_ILLEGAL_GENERATION:
        lose_membership(c, false);
        cg_client_wake_poll(c);
        break;
    case CG_ERR_FENCED_INSTANCE_ID:
        fatal_fenced(c);
        break;
    case CG_ERR_NOT_COORDINATOR:
        cg_client_coord_lost(c);
        break;
    default:
        break;
    }
}

static void on_response(cg_client_t *c, cg_msg_t *m, bool awaited)
{
    if (cooperative(c))
        awaited = m->req == M(c)->join_req;   /* poll() does not wait: the member does */
    switch ((cg_msg_kind_t)m->kind) {
    case CG_MSG_JOIN:
        if (awaited && M(c)->js == CG_JS_JOINING)
            on_join_resp(c, m);
        break;
    case CG_MSG_SYNC:
        if (awaited && M(c)->js == CG_JS_SYNCING)
            on_sync_resp(c, m);
        break;
    case CG_MSG_HEARTBEAT:
        on_hb_resp(c, m);
        break;
    default:
        break;
    }
}

/* Successful heartbeat and asynchronous commit responses change nothing the client could
 * observe before they arrive except two timestamps/offsets it reads later, so they are applied
 * at once, stamped with their arrival time, instead of costing an engine event each (they are
 * most of a large group's coordinator traffic). */
static bool apply_fast(void *ctx, const cg_msg_t *m, int64_t arrival_ns)
{
    cg_client_t *c = ctx;
    cg_classic_member_t *x = M(c);
    if (m->err != CG_ERR_NONE)
        return false;
    if (m->kind == CG_MSG_HEARTBEAT) {
        if (x->js == CG_JS_STABLE && m->generation == x->generation && m->serial == x->serial &&
            arrival_ns > c->last_hb_ok_ns)
            c->last_hb_ok_ns = arrival_ns;
        return true;
    }
    if (m->kind == CG_MSG_COMMIT && !m->sync) {
        cg_client_commit_ok(c, m);
        return true;
    }
    return false;
}

static bool on_commit_result(cg_client_t *c, const cg_msg_t *m, bool awaited)
{
    (void)awaited;
    cg_classic_member_t *x = M(c);
    bool current = m->generation == x->generation && x->js == CG_JS_STABLE;
    switch ((cg_err_t)m->err) {
    case CG_ERR_REBALANCE_IN_PROGRESS:
        if (current)
            x->need_rejoin = true;
        break;
    case CG_ERR_UNKNOWN_MEMBER_ID:
    case CG_ERR_ILLEGAL_GENERATION:
        if (current)
            lose_membership(c, m->err == CG_ERR_UNKNOWN_MEMBER_ID);
        break;
    case CG_ERR_FENCED_INSTANCE_ID:
        fatal_fenced(c);
        return false;
    case CG_ERR_NOT_COORDINATOR:
        cg_client_coord_lost(c);
        break;
    default:
        break;
    }
    return true;
}

/* ---- heartbeat thread ---- */

static void on_hb_timer(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_client_t *c = ctx;
    cg_classic_member_t *x = M(c);
    x->hb_timer = SIM_HANDLE_NONE;
    if (!c->running || arg != c->proc || x->js != CG_JS_STABLE)
        return;
    int64_t now = cg_client_now(c);
    sim_timer_set(cg_client_sim(c), &x->hb_timer, now + ccfg(c)->heartbeat_interval_ns,
                  on_hb_timer, c, c->proc);
    if (c->hung)
        return;
    if (c->coord_known && now - c->last_hb_ok_ns >= ccfg(c)->session_timeout_ns)
        c->coord_known = false;
    int32_t mi = cg_client_coordinator_request(c, CG_MSG_HEARTBEAT);
    if (mi < 0)
        return;
    x->hb_inflight = true;
    cg_net_send(cg_client_net(c), mi);
}

/* ---- the poll loop's membership part ---- */

/* onJoinPrepare: commit (sync, auto-commit on), then eager revokes everything. Returns false
 * while the commit is in flight. */
static bool prejoin(cg_client_t *c)
{
    cg_classic_member_t *x = M(c);
    if (x->prejoin_done)
        return true;
    if (x->lost) {
        /* onJoinPrepare still tries the auto-commit, which fails: the membership is gone
         * (CommitFailedException, the storm's signature). */
        if (ccfg(c)->enable_auto_commit)
            cg_client_commit_refused(c, true);
        cg_client_drop_owned(c);
        x->lost = false;
    } else if (ccfg(c)->enable_auto_commit && x->js == CG_JS_STABLE && c->coord_known) {
        int32_t mi = cg_client_send_commit(c, true, true);
        if (mi >= 0) {
            c->commit_in_rebalance = true;
            cg_client_block_on(c, CG_W_COMMIT, mi, ccfg(c)->request_timeout_ns);
            return false;
        }
    }
    x->prejoin_done = true;
    return true;
}

static bool poll_membership(cg_client_t *c)
{
    cg_classic_member_t *x = M(c);
    if (x->assign_pending && x->js == CG_JS_STABLE && x->generation >= 0) {
        apply_pending(c);
    } else if (x->assign_pending) {
        /* The generation was reset after the SyncGroup (poll timeout, heartbeat error): the
         * join completes without onJoinComplete ("the generation/state was modified by
         * heartbeat thread", AbstractCoordinator.joinGroupIfNeeded), and what the member
         * still owns is lost below. */
        x->assign_pending = false;
    }
    if (x->lost && !x->prejoin_done) {
        /* onJoinPrepare: the auto-commit fails (no generation), then onPartitionsLost. */
        if (ccfg(c)->enable_auto_commit)
            cg_client_commit_refused(c, true);
        cg_client_drop_owned(c);
        x->lost = false;
        x->prejoin_done = true;
        x->need_rejoin = true;
    }
    leader_metadata_check(c);
    if (!x->need_rejoin && x->js == CG_JS_STABLE)
        return true;
    bool coop = cooperative(c);       /* a cooperative member's poll() goes on fetching */
    if (x->js == CG_JS_JOINING || x->js == CG_JS_SYNCING) {
        if (!coop)
            c->wait = CG_W_JOIN;
        return coop;
    }
    if (!prejoin(c))
        return false;
    if (!coop)
        revoke_all(c);
    else if (revoke_unsubscribed(c) != 0)
        cg_client_fail(c, "out of memory");
    if (!c->coord_known) {
        cg_client_find_start(c, 0);
        if (!coop)
            c->wait = CG_W_COORD;
        return coop;
    }
    x->need_rejoin = false;
    x->js = CG_JS_NONE;
    send_join(c);
    return coop && c->running;
}

/* ---- the remaining hooks ---- */

/* The Java client fails a commit locally when it is not a stable member of a generation
 * (ConsumerCoordinator.sendOffsetCommitRequest: generationIfStable() == null). */
static bool can_commit(const cg_client_t *c)
{
    return M(c)->js == CG_JS_STABLE && M(c)->generation >= 0 && M(c)->slot >= 0;
}

/* commitSync after a batch: sent while the member is stable in a generation, even when a
 * rejoin is due (the Java client sends it with generationIfStable(); the coordinator accepts it
 * in PreparingRebalance). */
static bool batch_commit_ok(const cg_client_t *c)
{
    return M(c)->js == CG_JS_STABLE;
}

static cg_err_t commit_refused(const cg_client_t *c, bool coordinator_known)
{
    /* ConsumerCoordinator.sendOffsetCommitRequest: no stable generation -> RebalanceInProgress
     * while joining, else CommitFailed; an unknown coordinator fails it as not available. */
    const cg_classic_member_t *x = M(c);
    if (!can_commit(c))
        return x->js == CG_JS_JOINING || x->js == CG_JS_SYNCING ? CG_ERR_LOCAL_REBALANCE
                                                                : CG_ERR_LOCAL_COMMIT_FAILED;
    return coordinator_known ? CG_ERR_NONE : CG_ERR_COORDINATOR_NOT_AVAILABLE;
}

static void rebalance_commit_done(cg_client_t *c) { M(c)->prejoin_done = true; }

static void found(cg_client_t *c) { c->last_hb_ok_ns = cg_client_now(c); }

static void request_timeout(cg_client_t *c, cg_wait_t what)
{
    c->coord_known = false;
    if (what == CG_W_JOIN)
        M(c)->js = CG_JS_NONE;
}

static cg_poll_check_t poll_check_mode(const cg_client_t *c)
{
    /* Inside a rebalance the heartbeat thread does not check; a hung process (GC pause,
     * deadlock) checks nothing at all. */
    return M(c)->js != CG_JS_STABLE || c->hung ? CG_PC_DEFER : CG_PC_COUNT;
}

static void poll_timeout(cg_client_t *c)
{
    /* Dynamic members leave (kafka.md (a)); static ones just reset. */
    if (c->instance < 0 && M(c)->slot >= 0)
        send_leave(c, CG_RS_POLL_TIMEOUT);
    lose_membership(c, true);
}

/* A stable member with nothing to do at poll(): no rejoin, no pending assignment, no timer of
 * its own but the heartbeat thread's (whose tick is the answer), and as a leader no metadata
 * change it has not yet compared (leader_metadata_check would act on it). */
static int64_t quiet_until(const cg_client_t *c)
{
    const cg_classic_member_t *x = M(c);
    if (x->js != CG_JS_STABLE || x->need_rejoin || x->lost || x->assign_pending ||
        x->hb_timer == SIM_HANDLE_NONE || x->join_timer != SIM_HANDLE_NONE ||
        x->assign_timer != SIM_HANDLE_NONE ||
        (x->leads && c->w->hist.n_changes > x->assign_version))
        return INT64_MIN;
    return sim_pending_time(cg_client_sim(c), x->hb_timer);
}

static bool is_member(const cg_client_t *c)
{
    return M(c)->js == CG_JS_STABLE && !M(c)->lost;
}

static void leave(cg_client_t *c, bool member)
{
    (void)member;
    cg_classic_member_t *x = M(c);
    revoke_all(c);
    if (c->instance < 0 && x->slot >= 0 && x->serial != 0 && !cg_client_isolated(c))
        send_leave(c, CG_RS_LEAVE);
}

/* subscribe() with new topics: the next poll() rejoins with the new subscription
 * (ConsumerCoordinator: a changed subscription requests a rejoin); a cooperative member first
 * gives up the partitions of topics it no longer subscribes to (onJoinPrepare). */
static void subscribed(cg_client_t *c)
{
    cg_classic_member_t *x = M(c);
    x->need_rejoin = true;
    x->meta_changed = true;
    x->rejoin_reason = CG_RS_METADATA;
}

/* Cooperative onJoinPrepare: partitions of topics no longer subscribed are revoked. */
static int revoke_unsubscribed(cg_client_t *c)
{
    const int32_t *topic_of = c->w->gp_topic;
    int32_t *keep = malloc((c->n_owned ? c->n_owned : 1) * sizeof *keep);
    if (!keep)
        return -1;
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->n_owned; i++)
        if (sim_sorted_has_i32(c->topics, c->n_topics, topic_of[c->owned[i].gp]))
            keep[n++] = c->owned[i].gp;
    int rc = 0;
    if (n < c->n_owned) {
        cg_own_revoke_except(c->g, c, keep, n);
        rc = cg_client_set_owned(c, keep, n, NULL);
    }
    free(keep);
    return rc;
}

static void woke(cg_client_t *c)
{
    cg_classic_member_t *x = M(c);
    if (x->js == CG_JS_STABLE && x->hb_timer == SIM_HANDLE_NONE)
        sim_timer_set(cg_client_sim(c), &x->hb_timer, cg_client_now(c), on_hb_timer, c,
                      c->proc);
}

static void reset(cg_classic_member_t *x)
{
    x->leads = false;
    x->js = CG_JS_NONE;
    x->slot = -1;
    x->serial = 0;
    x->generation = -1;
}

static void start(cg_client_t *c)
{
    cg_classic_member_t *x = M(c);
    reset(x);
    x->assign_pending = false;
    x->join_req = 0;
    x->need_rejoin = x->lost = x->prejoin_done = x->meta_changed = false;
    x->rejoin_reason = CG_RS_COUNT;
    x->hb_inflight = false;
    x->n_prev = 0;
    x->prev_gen = -1;
    x->leads = false;
    x->assign_version = 0;
    x->n_group_topics = 0;
    x->meta_start_ns = cg_client_now(c);
}

static void stop(cg_client_t *c)
{
    sim_timer_clear(cg_client_sim(c), &M(c)->hb_timer);
    sim_timer_clear(cg_client_sim(c), &M(c)->assign_timer);
    sim_timer_clear(cg_client_sim(c), &M(c)->join_timer);
    M(c)->assign_pending = false;
    reset(M(c));
}

static int init(cg_client_t *c)
{
    cg_classic_member_t *x = M(c);
    reset(x);
    x->prev_gen = -1;
    x->rejoin_reason = CG_RS_COUNT;
    if (!assign_timed(c))
        return 0;                     /* no stream (and no memory) for an instant assignor */
    char key[3 * CG_MAX_NAME_LEN + 32];
    snprintf(key, sizeof key, "assignor/%s/%s", c->g->cfg->id, c->cfg->id);
    return sim_rng_init(&x->assign_rng, c->w->opts.seed, key);
}

static void fini(cg_client_t *c)
{
    sim_rng_fini(&M(c)->assign_rng);
    free(M(c)->prev_assign);
    free(M(c)->pend);
    free(M(c)->group_topics);
}

const cg_member_ops_t cg_classic_member_ops = CG_MEMBER_OPS("classic", cg_classic_member_t, apply_fast);
