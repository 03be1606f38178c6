/* models/kip848/member: the consumer protocol's member side (member.h).
 *
 * Background thread: one ConsumerGroupHeartbeat at a time, every heartbeat interval (the
 * coordinator's group.consumer.heartbeat.interval.ms, returned in each response). The first is a
 * join (epoch 0, subscription, max.poll.interval.ms as rebalance timeout); later ones carry the
 * member epoch and the owned partitions. A heartbeat unanswered for request.timeout.ms (the
 * member is isolated) marks the coordinator unknown; it is rediscovered, retrying every
 * retry.backoff.ms.
 *
 * Reconciliation. Each assignment received is the member's target. Partitions to add and none to
 * give up: taken at once (assignment record, full set, generation = member epoch) and
 * acknowledged by an immediate heartbeat. Partitions to give up: revoked by the application
 * thread at its next poll(), as a ConsumerRebalanceListener's onPartitionsRevoked runs inside
 * poll(): with auto-commit the consumed positions are committed first (sync, as the Java client
 * does before revoking), then the revoke record, then what was added, then an immediate
 * heartbeat acknowledges. The poll loop never waits for the group: a member with nothing
 * assigned polls empty batches.
 *
 * Errors. FENCED_MEMBER_EPOCH / UNKNOWN_MEMBER_ID: the partitions are lost (no commit; any the
 * trace still gives it are given up) and the member rejoins at once with epoch 0 and the same
 * member id (KIP-1082 ids are the client's). UNRELEASED_INSTANCE_ID, FENCED_INSTANCE_ID and
 * INVALID_REQUEST are fatal for the Java client: an error record and the process stops.
 * NOT_COORDINATOR: rediscover and retry. Commits carry the member epoch; a sync commit answered
 * STALE_MEMBER_EPOCH is retried with the current epoch (CG_C848_COMMIT_RETRIES times).
 *
 * max.poll.interval.ms: when it expires the member leaves (epoch -1; -2 for a static member),
 * its partitions are lost, and it rejoins at its next poll() with its member id. A hung process
 * (GC pause) does nothing until it resumes; the expired poll timer is then noticed first. */
#include "models/kip848/member.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/kip848/machine.h"
#include "models/world/ownership.h"
#include "models/world/trace_rec.h"
#include "models/world/world_impl.h"
#include "sim/vec.h"

static void hb_send(cg_client_t *c);
static void on_hb_timer(sim_t *sim, void *ctx, uint64_t arg);

static cg_k848_member_t *X(const cg_client_t *c) { return cg_k848_member(c); }
static const cg_client_cfg_t *ccfg(const cg_client_t *c) { return &c->cfg->cfg; }

bool cg_k848_member_polling(const cg_client_t *c, const char *member_id)
{
    const cg_k848_member_t *x = X(c);
    return c->running && c->ops == &cg_k848_member_ops && x->member && strcmp(x->member_id, member_id) == 0 && !c->paused &&
           !c->hung && !cg_client_isolated(c) && c->coord_known && !x->revoke_pending &&
           !x->stale;
}

static void stamp(const cg_client_t *c, cg_msg_t *m)
{
    memcpy(m->member_id, X(c)->member_id, sizeof m->member_id);
    m->generation = X(c)->epoch;
    m->slot = X(c)->hint;
    m->instance = c->instance;
}

/* ---- reconciliation ---- */

static bool has_revocation(const cg_client_t *c)
{
    const cg_k848_member_t *x = X(c);
    for (uint32_t i = 0; i < c->n_owned; i++)
        if (!cg_own_in_sorted(x->target, x->n_target, c->owned[i].gp))
            return true;
    return false;
}

/* owned := target (both sorted). Writes the assignment record when the set grew (or it is the
 * first since the join). */
static void apply_target(cg_client_t *c)
{
    cg_k848_member_t *x = X(c);
    bool grew = false;
    if (cg_client_set_owned(c, x->target, x->n_target, &grew) != 0) {
        cg_client_fail(c, "out of memory");
        return;
    }
    if (!grew && !x->first_assign)
        return;
    x->first_assign = false;
    if (!cg_group_member_current(c->g, c))
        return;                       /* removed meanwhile: it learns at its next heartbeat */
    if (c->w->opts.check && x->epoch < x->last_rec_epoch)
        cg_world_fail(c->w, "t=%lld ms: group %s: member %s epoch went back from %d to %d",
                      (long long)(cg_client_now(c) / SIM_NS_PER_MS), c->g->cfg->id, c->cfg->id,
                      x->last_rec_epoch, x->epoch);
    x->last_rec_epoch = x->epoch;
    cg_own_note_first_owner(c->g, c, x->target, x->n_target);
    cg_own_assign(c->g, c, x->epoch, x->target, x->n_target);
}

/* Revoke owned - target (revoke record), then take what was added, then acknowledge. */
static void do_revoke(cg_client_t *c)
{
    cg_k848_member_t *x = X(c);
    int32_t *gone = malloc((c->n_owned ? c->n_owned : 1) * sizeof *gone);
    if (!gone) {
        cg_client_fail(c, "out of memory");
        return;
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->n_owned; i++)
        if (!cg_own_in_sorted(x->target, x->n_target, c->owned[i].gp))
            gone[n++] = c->owned[i].gp;
    cg_own_revoke(c->g, c, gone, n);
    free(gone);
    x->revoke_pending = false;
    x->prerevoke_done = false;
    apply_target(c);
    hb_send(c);
}

/* A new target arrived: additions at once, revocations at the next poll(). */
static void reconcile(cg_client_t *c)
{
    cg_k848_member_t *x = X(c);
    if (has_revocation(c)) {
        x->revoke_pending = true;
        return;
    }
    x->revoke_pending = false;
    uint32_t before = c->n_owned;
    bool first = x->first_assign;
    apply_target(c);
    if (c->n_owned != before || first)
        hb_send(c);
}

static int set_target(cg_k848_member_t *x, const int32_t *gp, uint32_t n)
{
    return sim_vec_copy(&x->target, &x->n_target, &x->cap_target, gp, n, sizeof *gp);
}

/* ---- heartbeats ---- */

static void hb_arm(cg_client_t *c, int64_t at)
{
    sim_timer_set(cg_client_sim(c), &X(c)->hb_timer, at, on_hb_timer, c, c->proc);
}

static void hb_send(cg_client_t *c)
{
    cg_k848_member_t *x = X(c);
    cg_net_t *net = cg_client_net(c);
    if (!c->running || c->hung || (!x->joining && !x->member))
        return;
    if (x->hb_inflight) {
        x->hb_again = true;
        return;
    }
    int32_t mi = cg_client_coordinator_request(c, CG_MSG_CONSUMER_HEARTBEAT);
    if (mi < 0)
        return;
    uint32_t n = x->joining ? 0 : c->n_owned;
    if (cg_net_msg_reserve(net, mi, n) != 0) {
        cg_client_fail(c, "out of memory");
        return;
    }
    cg_msg_t *m = cg_net_msg(net, mi);
    m->generation = x->joining ? CG_K848_JOIN_EPOCH : x->epoch;
    m->full = x->joining || x->send_subscription;
    x->send_subscription = false;
    m->topics = c->topics;
    m->n_topics = (uint32_t)c->n_topics;
    m->rebalance_timeout_ns = ccfg(c)->max_poll_interval_ns;
    for (uint32_t i = 0; i < n; i++)
        m->gp[i] = c->owned[i].gp;
    m->n = n;
    x->hb_inflight = true;
    x->hb_again = false;
    x->hb_sent_ns = cg_client_now(c);
    cg_net_send(net, mi);
    hb_arm(c, cg_client_now(c) + x->interval_ns);
}

static void send_leave(cg_client_t *c, cg_reason_t why)
{
    int32_t mi = cg_client_request(c, CG_MSG_CONSUMER_HEARTBEAT);
    if (mi < 0)
        return;
    cg_msg_t *m = cg_net_msg(cg_client_net(c), mi);
    m->generation = c->instance >= 0 ? CG_K848_STATIC_LEAVE_EPOCH : CG_K848_LEAVE_EPOCH;
    m->reason = (uint8_t)why;
    cg_net_send(cg_client_net(c), mi);
}

static void on_hb_timer(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_client_t *c = ctx;
    cg_k848_member_t *x = X(c);
    x->hb_timer = SIM_HANDLE_NONE;
    if (!c->running || arg != c->proc || c->hung)
        return;                       /* a hang re-arms at resume */
    int64_t now = cg_client_now(c);
    if (!x->hb_inflight) {
        hb_send(c);
        return;
    }
    if (now - x->hb_sent_ns >= ccfg(c)->request_timeout_ns) {
        /* No answer (isolated): the coordinator is unknown; rediscovery sends again. */
        x->hb_inflight = false;
        cg_client_coord_lost(c);
        return;
    }
    hb_arm(c, now + x->interval_ns);
}

/* The coordinator no longer knows this member at its epoch: lose everything, rejoin. */
/* The member (re)joins at epoch 0. In a group that migrates the group may have been deleted
 * and created anew meanwhile, its epochs starting again from 1: the check that a member's
 * recorded epoch never goes back starts over with the join. */
static void join_epoch(cg_client_t *c)
{
    X(c)->epoch = CG_K848_JOIN_EPOCH;
    if (c->g->cfg->migrates)
        X(c)->last_rec_epoch = -1;
}

static void fenced(cg_client_t *c)
{
    cg_k848_member_t *x = X(c);
    cg_client_drop_owned(c);
    x->n_target = 0;
    x->revoke_pending = x->prerevoke_done = false;
    x->member = false;
    join_epoch(c);
    if (x->stale)
        return;                       /* rejoins at its next poll */
    x->joining = true;
    x->first_assign = true;
    hb_send(c);
}

static void fatal(cg_client_t *c, const char *error)
{
    cg_rec_error(c->w, c->g, c->ci, error, -1);
    cg_client_drop_owned(c);          /* the process stops: nothing it held is owned */
    cg_client_stop(c);
}

static void on_hb_resp(cg_client_t *c, const cg_msg_t *m)
{
    cg_k848_member_t *x = X(c);
    if (m->generation < 0) {
        /* A leave's answer (leaves are not tracked); a poll-timeout leave that found no
         * coordinator is sent again after rediscovery. */
        if (m->err == CG_ERR_NOT_COORDINATOR && x->stale) {
            x->leave_pending = true;
            cg_client_coord_lost(c);
        }
        return;
    }
    x->hb_inflight = false;
    bool again = x->hb_again;
    x->hb_again = false;
    switch ((cg_err_t)m->err) {
    case CG_ERR_NONE:
        if (x->stale || (!x->joining && !x->member))
            return;                   /* sent before a poll timeout */
        x->joining = false;
        x->member = true;
        x->epoch = m->generation;
        x->hint = m->slot;
        x->interval_ns = m->interval_ns;
        c->last_hb_ok_ns = cg_client_now(c);
        if (m->has_assignment) {
            if (set_target(x, m->gp, m->n) != 0) {
                cg_client_fail(c, "out of memory");
                return;
            }
            reconcile(c);
        }
        if (again)
            hb_send(c);
        return;
    case CG_ERR_FENCED_MEMBER_EPOCH:
    case CG_ERR_UNKNOWN_MEMBER_ID:
        fenced(c);
        return;
    case CG_ERR_NOT_COORDINATOR:
        cg_client_coord_lost(c);
        return;
    default:
        fatal(c, cg_err_name((cg_err_t)m->err));
        return;
    }
}

static void on_response(cg_client_t *c, cg_msg_t *m, bool awaited)
{
    (void)awaited;
    if (m->kind == CG_MSG_CONSUMER_HEARTBEAT)
        on_hb_resp(c, m);
}

/* ---- commits ---- */

static bool on_commit_result(cg_client_t *c, const cg_msg_t *m, bool awaited)
{
    cg_k848_member_t *x = X(c);
    if (m->err == CG_ERR_NOT_COORDINATOR)
        cg_client_coord_lost(c);
    if (!awaited || c->wait != CG_W_COMMIT)
        return false;
    if (m->err == CG_ERR_NOT_COORDINATOR && c->commit_retries < CG_C848_COMMIT_RETRIES) {
        c->commit_retries++;
        c->commit_resend = true;      /* `found` sends it again */
        return false;
    }
    if (m->err == CG_ERR_STALE_MEMBER_EPOCH && c->commit_retries < CG_C848_COMMIT_RETRIES &&
        x->member && x->epoch != m->generation) {
        /* The member moved to a new epoch meanwhile: retry with it (CommitRequestManager). */
        c->commit_retries++;
        int32_t ri = cg_client_send_commit(c, c->commit_in_rebalance, true);
        if (ri >= 0) {
            cg_client_block_on(c, CG_W_COMMIT, ri, ccfg(c)->request_timeout_ns);
            return false;
        }
    }
    return true;
}

/* Requests answered NOT_COORDINATOR are sent again to the new coordinator: the poll-timeout
 * leave, and the commit the application waits for (commitSync retries retriable errors). */
static void found(cg_client_t *c)
{
    cg_k848_member_t *x = X(c);
    if (x->leave_pending) {
        x->leave_pending = false;
        send_leave(c, CG_RS_POLL_TIMEOUT);
    }
    if (c->commit_resend && c->wait == CG_W_COMMIT) {
        c->commit_resend = false;
        int32_t mi = cg_client_send_commit(c, c->commit_in_rebalance, true);
        if (mi >= 0)
            cg_client_block_on(c, CG_W_COMMIT, mi, ccfg(c)->request_timeout_ns);
        else
            cg_client_commit_done(c);
    }
    hb_send(c);
}

/* ---- the poll loop's membership part ---- */

/* onPartitionsRevoked inside poll(): commit first (auto-commit), then revoke. False while the
 * commit is in flight. */
static bool revoke_step(cg_client_t *c)
{
    cg_k848_member_t *x = X(c);
    if (!x->prerevoke_done && ccfg(c)->enable_auto_commit && c->coord_known) {
        int32_t mi = cg_client_send_commit(c, true, true);
        if (mi >= 0) {
            c->commit_in_rebalance = true;
            cg_client_block_on(c, CG_W_COMMIT, mi, ccfg(c)->request_timeout_ns);
            return false;
        }
    }
    do_revoke(c);
    return true;
}

static bool poll_membership(cg_client_t *c)
{
    cg_k848_member_t *x = X(c);
    if (x->stale) {
        x->stale = false;
        x->joining = true;
        x->first_assign = true;
        join_epoch(c);
        hb_send(c);
    }
    return !x->revoke_pending || revoke_step(c);
}

static void poll_timeout(cg_client_t *c)
{
    cg_k848_member_t *x = X(c);
    if (x->stale)
        return;
    if (x->member || x->joining)
        send_leave(c, CG_RS_POLL_TIMEOUT);
    cg_client_drop_owned(c);
    x->n_target = 0;
    x->revoke_pending = x->prerevoke_done = false;
    x->member = x->joining = false;
    x->stale = true;
}

static cg_poll_check_t poll_check_mode(const cg_client_t *c)
{
    return c->hung ? CG_PC_IGNORE : CG_PC_COUNT;   /* a hang re-checks at resume */
}

/* ---- the remaining hooks ---- */

static bool can_commit(const cg_client_t *c) { return X(c)->member && X(c)->epoch > 0; }
/* Commits the consumer-protocol client cannot send now are left out of the trace (the async
 * consumer queues them; not modelled). */
static cg_err_t commit_refused(const cg_client_t *c, bool coordinator_known)
{
    (void)c;
    (void)coordinator_known;
    return CG_ERR_NONE;
}
static bool batch_commit_ok(const cg_client_t *c) { return X(c)->member; }
static void rebalance_commit_done(cg_client_t *c) { X(c)->prerevoke_done = X(c)->revoke_pending; }
static void request_timeout(cg_client_t *c, cg_wait_t what)
{
    (void)what;
    cg_client_coord_lost(c);
}
static int64_t quiet_until(const cg_client_t *c)   /* run-ahead: the classic protocol's for now */
{
    (void)c;
    return INT64_MIN;
}

static bool is_member(const cg_client_t *c) { return X(c)->member && !X(c)->stale; }

static void leave(cg_client_t *c, bool member)
{
    cg_k848_member_t *x = X(c);
    if (member)
        cg_own_revoke_except(c->g, c, NULL, 0);
    if ((member || (x->joining && x->hb_inflight)) && !cg_client_isolated(c))
        send_leave(c, CG_RS_LEAVE);
}

/* subscribe() with new topics: the next regular heartbeat carries SubscribedTopicNames (it is
 * sent when it changed), and the coordinator bumps the group epoch. Nothing is sent at once: a
 * member already in the group only marks the change (AbstractMembershipManager
 * .onSubscriptionUpdated; shouldHeartbeatNow is true only when joining, acknowledging or
 * leaving), so the rebalance starts up to group.consumer.heartbeat.interval.ms later. */
static void subscribed(cg_client_t *c)
{
    X(c)->send_subscription = true;
}

static void woke(cg_client_t *c)
{
    /* The background thread wakes: the poll timer first, then the heartbeats. */
    sim_timer_clear(cg_client_sim(c), &c->poll_timer);
    cg_client_poll_check(c);
    hb_arm(c, cg_client_now(c));
}

static void new_member_id(cg_client_t *c)
{
    /* KIP-1082: the client makes its member id (a UUID); "<consumer or instance id>-" + 32 hex
     * digits from the member-id stream, like the classic ids, so member order follows ids. */
    cg_k848_member_t *x = X(c);
    const char *prefix = ccfg(c)->group_instance_id ? ccfg(c)->group_instance_id : c->cfg->id;
    uint32_t part[4];
    for (int i = 0; i < 4; i++)
        part[i] = (uint32_t)sim_rng_below(&x->mid_rng, UINT64_C(1) << 32);
    snprintf(x->member_id, sizeof x->member_id, "%s-%08x%08x%08x%08x", prefix, part[0], part[1],
             part[2], part[3]);
}

static void clear(cg_k848_member_t *x)
{
    x->send_subscription = false;
    x->member = x->joining = x->stale = x->hb_inflight = x->hb_again = false;
    x->revoke_pending = x->prerevoke_done = x->leave_pending = false;
    x->n_target = 0;
}

static void start(cg_client_t *c)
{
    cg_k848_member_t *x = X(c);
    new_member_id(c);
    clear(x);
    join_epoch(c);
    x->joining = x->first_assign = true;
    x->interval_ns = c->g->cfg->broker.consumer_heartbeat_interval_ns;
    x->hint = -1;
    cg_client_find_start(c, 0);
}

static void stop(cg_client_t *c)
{
    sim_timer_clear(cg_client_sim(c), &X(c)->hb_timer);
    clear(X(c));
    X(c)->epoch = -1;
}

static int init(cg_client_t *c)
{
    cg_k848_member_t *x = X(c);
    x->epoch = -1;
    x->hint = -1;
    x->last_rec_epoch = -1;
    char key[3 * CG_MAX_NAME_LEN + 32];
    /* In a group that migrates, each switch of the process to this protocol has its own
     * stream: its ids never repeat a classic member's or an earlier switch's. */
    if (c->g->cfg->migrates)
        snprintf(key, sizeof key, "member-id/%s/%s/consumer-%u", c->g->cfg->id, c->cfg->id,
                 c->ops_switches);
    else
        snprintf(key, sizeof key, "member-id/%s/%s", c->g->cfg->id, c->cfg->id);
    return sim_rng_init(&x->mid_rng, c->w->opts.seed, key);
}

static void fini(cg_client_t *c)
{
    free(X(c)->target);
    sim_rng_fini(&X(c)->mid_rng);
}

const cg_member_ops_t cg_k848_member_ops = CG_MEMBER_OPS("consumer", cg_k848_member_t, NULL);
