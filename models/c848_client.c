/* models/c848_client: the consumer-protocol client (Java AsyncKafkaConsumer with
 * group.protocol=consumer, simplified but faithful in timing).
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
 * (GC pause) does nothing until it resumes; the expired poll timer is then noticed first.
 *
 * The poll loop, fetch and processing model are the classic client's (models/consumer.c, where
 * they are static); they are repeated here rather than shared so that neither client's changes
 * leak into the other. */
#include "models/c848_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/fetch.h"
#include "models/ownership.h"
#include "models/trace_rec.h"

/* A FindCoordinator retry takes at least as long as an empty poll, so zero latencies cannot
 * spin at one instant (as models/consumer.c). */
#define CG_C848_MIN_IDLE_NS CG_FETCH_MIN_IDLE_NS

static void poll_step(cg_client_t *c);
static void poll_call(cg_client_t *c);
static void hb_send(cg_client_t *c);
static void on_poll_ev(sim_t *sim, void *ctx, uint64_t arg);
static void on_hb_timer(sim_t *sim, void *ctx, uint64_t arg);
static void on_poll_timer(sim_t *sim, void *ctx, uint64_t arg);
static void on_req_timer(sim_t *sim, void *ctx, uint64_t arg);
static void on_find(sim_t *sim, void *ctx, uint64_t arg);
static void stop(cg_client_t *c);

static int64_t now_ns(const cg_client_t *c) { return sim_now(&c->w->sim); }
static sim_t *csim(cg_client_t *c) { return &c->w->sim; }
static const cg_client_cfg_t *ccfg(const cg_client_t *c) { return &c->cfg->cfg; }
static cg_c848_client_t *X(const cg_client_t *c) { return cg_c848_cli(c); }

/* ---- owned partitions ---- */

/* Partitions are lost (membership gone): no commit; those the trace still gives the member are
 * given up there. */
static void drop_lost(cg_client_t *c)
{
    cg_own_revoke_except(c->g, c, NULL, 0);
    c->n_owned = 0;
    c->rr = 0;
}

static bool has_revocation(const cg_client_t *c)
{
    const cg_c848_client_t *x = X(c);
    for (uint32_t i = 0; i < c->n_owned; i++)
        if (!cg_own_in_sorted(x->target, x->n_target, c->owned[i].gp))
            return true;
    return false;
}

/* During an open rebalance a partition that never had an owner counts its first owner as its
 * last owner, so a partition handed on within the same rebalance counts as moved. */
static void note_first_owner(cg_client_t *c)
{
    cg_c848_group_t *cg = cg_c848_grp(c->g);
    const cg_c848_client_t *x = X(c);
    if (!cg->reb_open)
        return;
    for (uint32_t j = 0; j < x->n_target; j++)
        if (cg->snap_owner[x->target[j]] < 0)
            cg->snap_owner[x->target[j]] = c->local;
}

/* owned := target (both sorted): kept partitions keep their positions, new ones start without.
 * Writes the assignment record when the set grew (or it is the first since the join). */
static void apply_target(cg_client_t *c)
{
    cg_c848_client_t *x = X(c);
    cg_owned_t *next = malloc((x->n_target ? x->n_target : 1) * sizeof *next);
    if (!next || cg_fetch_owned_reserve(c, x->n_target) != 0) {
        free(next);
        cg_world_fail(c->w, "out of memory");
        return;
    }
    bool grew = false;
    for (uint32_t j = 0; j < x->n_target; j++) {
        int32_t k = cg_fetch_owned_find(c, x->target[j]);
        if (k >= 0) {
            next[j] = c->owned[k];
        } else {
            cg_fetch_owned_init(&next[j], x->target[j]);
            grew = true;
        }
    }
    if (x->n_target)
        memcpy(c->owned, next, x->n_target * sizeof *next);
    c->n_owned = x->n_target;
    c->rr = 0;
    free(next);
    if (!grew && !x->first_assign)
        return;
    x->first_assign = false;
    if (!cg_c848_member_at_epoch(c->g, x->member_id, x->epoch))
        return;                       /* removed meanwhile: it learns at its next heartbeat */
    if (c->w->opts.check && x->epoch < x->last_rec_epoch)
        cg_world_fail(c->w, "t=%lld ms: group %s: member %s epoch went back from %d to %d",
                      (long long)(now_ns(c) / SIM_NS_PER_MS), c->g->cfg->id, c->cfg->id,
                      x->last_rec_epoch, x->epoch);
    x->last_rec_epoch = x->epoch;
    note_first_owner(c);
    cg_own_assign(c->g, c, x->epoch, x->target, x->n_target);
}

/* Revoke owned - target (revoke record), then take what was added, then acknowledge. */
static void do_revoke(cg_client_t *c)
{
    cg_c848_client_t *x = X(c);
    int32_t *gone = malloc((c->n_owned ? c->n_owned : 1) * sizeof *gone);
    if (!gone) {
        cg_world_fail(c->w, "out of memory");
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
    cg_c848_client_t *x = X(c);
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

static int set_target(cg_client_t *c, const int32_t *gp, uint32_t n)
{
    cg_c848_client_t *x = X(c);
    if (n > x->cap_target) {
        int32_t *p = realloc(x->target, n * sizeof *p);
        if (!p)
            return -1;
        x->target = p;
        x->cap_target = n;
    }
    if (n)
        memcpy(x->target, gp, n * sizeof *gp);
    x->n_target = n;
    return 0;
}

/* ---- requests ---- */

static int32_t new_request(cg_client_t *c, cg_c848_kind_t kind)
{
    cg_c848_client_t *x = X(c);
    int32_t mi = cg_c848_msg_new(c->w, kind, c);
    if (mi < 0) {
        cg_world_fail(c->w, "out of memory");
        return -1;
    }
    cg_c848_msg_t *m = cg_c848_msg(c->w, mi);
    memcpy(m->member_id, x->member_id, sizeof m->member_id);
    m->epoch = x->epoch;
    m->hint = x->hint;
    m->req = ++c->req_seq;
    return mi;
}

static void block_on(cg_client_t *c, cg_c848_wait_t what, int32_t mi)
{
    X(c)->wait = what;
    c->wait_req = cg_c848_msg(c->w, mi)->req;
    sim_timer_set(csim(c), &c->req_timer, now_ns(c) + ccfg(c)->request_timeout_ns, on_req_timer,
                  c, (uint64_t)c->wait_req);
}

static void unblock(cg_client_t *c)
{
    X(c)->wait = CG_C848_W_NONE;
    sim_timer_clear(csim(c), &c->req_timer);
}

/* ---- coordinator discovery ---- */

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

static void send_leave(cg_client_t *c, cg_reason_t why);
static int32_t send_commit(cg_client_t *c, bool all, bool sync);
static void block_on(cg_client_t *c, cg_c848_wait_t what, int32_t mi);
static void commit_done(cg_client_t *c);

/* Requests answered NOT_COORDINATOR are sent again to the new coordinator: the poll-timeout
 * leave, and the commit the application waits for (commitSync retries retriable errors). */
static void retry_after_find(cg_client_t *c)
{
    cg_c848_client_t *x = X(c);
    if (x->leave_pending) {
        x->leave_pending = false;
        send_leave(c, CG_RS_POLL_TIMEOUT);
    }
    if (x->commit_resend && x->wait == CG_C848_W_COMMIT) {
        x->commit_resend = false;
        int32_t mi = send_commit(c, x->commit_prerevoke, true);
        if (mi >= 0)
            block_on(c, CG_C848_W_COMMIT, mi);
        else
            commit_done(c);
    }
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
        find_start(c, backoff > CG_C848_MIN_IDLE_NS ? backoff : CG_C848_MIN_IDLE_NS);
        return;
    }
    c->coord_known = true;
    retry_after_find(c);
    hb_send(c);
    if (X(c)->wait == CG_C848_W_COORD) {
        X(c)->wait = CG_C848_W_NONE;
        poll_step(c);
    }
}

/* ---- heartbeats ---- */

static void hb_arm(cg_client_t *c, int64_t at)
{
    sim_timer_set(csim(c), &X(c)->hb_timer, at, on_hb_timer, c, c->proc);
}

static void hb_send(cg_client_t *c)
{
    cg_c848_client_t *x = X(c);
    if (!c->running || c->hung || (!x->joining && !x->member))
        return;
    if (x->hb_inflight) {
        x->hb_again = true;
        return;
    }
    if (!c->coord_known) {
        find_start(c, 0);
        return;
    }
    int32_t mi = new_request(c, CG_C848_HB);
    if (mi < 0)
        return;
    uint32_t n = x->joining ? 0 : c->n_owned;
    if (cg_c848_msg_reserve(c->w, mi, n) != 0) {
        cg_world_fail(c->w, "out of memory");
        return;
    }
    cg_c848_msg_t *m = cg_c848_msg(c->w, mi);
    m->epoch = x->joining ? CG_K848_JOIN_EPOCH : x->epoch;
    m->full = x->joining;
    for (uint32_t i = 0; i < n; i++)
        m->gp[i] = c->owned[i].gp;
    m->n = n;
    x->hb_inflight = true;
    x->hb_again = false;
    x->hb_sent_ns = now_ns(c);
    cg_c848_send(c, mi);
    hb_arm(c, now_ns(c) + x->interval_ns);
}

static void send_leave(cg_client_t *c, cg_reason_t why)
{
    int32_t mi = new_request(c, CG_C848_HB);
    if (mi < 0)
        return;
    cg_c848_msg_t *m = cg_c848_msg(c->w, mi);
    m->epoch = c->instance >= 0 ? CG_K848_STATIC_LEAVE_EPOCH : CG_K848_LEAVE_EPOCH;
    m->reason = (uint8_t)why;
    cg_c848_send(c, mi);
}

static void on_hb_timer(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_client_t *c = ctx;
    cg_c848_client_t *x = X(c);
    x->hb_timer = SIM_HANDLE_NONE;
    if (!c->running || arg != c->proc || c->hung)
        return;                       /* a hang re-arms at resume */
    int64_t now = now_ns(c);
    if (!x->hb_inflight) {
        hb_send(c);
        return;
    }
    if (now - x->hb_sent_ns >= ccfg(c)->request_timeout_ns) {
        /* No answer (isolated): the coordinator is unknown; rediscovery sends again. */
        x->hb_inflight = false;
        coord_lost(c);
        return;
    }
    hb_arm(c, now + x->interval_ns);
}

/* The coordinator no longer knows this member at its epoch: lose everything, rejoin. */
static void fenced(cg_client_t *c)
{
    cg_c848_client_t *x = X(c);
    drop_lost(c);
    x->n_target = 0;
    x->revoke_pending = x->prerevoke_done = false;
    x->member = false;
    x->epoch = CG_K848_JOIN_EPOCH;
    if (x->stale)
        return;                       /* rejoins at its next poll */
    x->joining = true;
    x->first_assign = true;
    hb_send(c);
}

static void fatal(cg_client_t *c, const char *error)
{
    cg_rec_error(c->w, c->g, c->ci, error, -1);
    drop_lost(c);                     /* the process stops: nothing it held is owned */
    stop(c);
}

static void on_hb_resp(cg_client_t *c, int32_t mi)
{
    cg_c848_client_t *x = X(c);
    cg_c848_msg_t *m = cg_c848_msg(c->w, mi);
    if (m->epoch < 0) {
        /* A leave's answer (leaves are not tracked); a poll-timeout leave that found no
         * coordinator is sent again after rediscovery. */
        if (m->err == CG_C848_NOT_COORDINATOR && x->stale) {
            x->leave_pending = true;
            coord_lost(c);
        }
        return;
    }
    x->hb_inflight = false;
    bool again = x->hb_again;
    x->hb_again = false;
    switch (m->err) {
    case CG_K848_NONE:
        if (x->stale || (!x->joining && !x->member))
            return;                   /* sent before a poll timeout */
        x->joining = false;
        x->member = true;
        x->epoch = m->epoch;
        x->hint = m->hint;
        x->interval_ns = m->interval_ns;
        c->last_hb_ok_ns = now_ns(c);
        if (m->has_assignment) {
            if (set_target(c, m->gp, m->n) != 0) {
                cg_world_fail(c->w, "out of memory");
                return;
            }
            reconcile(c);
        }
        if (again)
            hb_send(c);
        return;
    case CG_K848_FENCED_MEMBER_EPOCH:
    case CG_K848_UNKNOWN_MEMBER_ID:
        fenced(c);
        return;
    case CG_C848_NOT_COORDINATOR:
        coord_lost(c);
        return;
    default:
        fatal(c, cg_k848_err_name((cg_k848_err_t)m->err));
        return;
    }
}

/* ---- commits and offsets ---- */

/* OffsetCommit of positions (all, or those past this member's last commit); -1 when there is
 * nothing to commit or the client is not a member. */
static int32_t send_commit(cg_client_t *c, bool all, bool sync)
{
    cg_c848_client_t *x = X(c);
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->n_owned; i++) {
        const cg_owned_t *o = &c->owned[i];
        if (o->pos >= 0 && (all || o->pos > o->committed))
            n++;
    }
    if (n == 0 || !x->member || x->epoch <= 0)
        return -1;
    int32_t mi = new_request(c, CG_C848_COMMIT);
    if (mi < 0 || cg_c848_msg_reserve(c->w, mi, n) != 0) {
        cg_world_fail(c->w, "out of memory");
        return -1;
    }
    cg_c848_msg_t *m = cg_c848_msg(c->w, mi);
    m->sync = sync;
    for (uint32_t i = 0; i < c->n_owned; i++) {
        const cg_owned_t *o = &c->owned[i];
        if (o->pos >= 0 && (all || o->pos > o->committed)) {
            m->gp[m->n] = o->gp;
            m->off[m->n] = o->pos;
            m->n++;
        }
    }
    cg_c848_send(c, mi);
    return mi;
}

/* The awaited commit is over: continue the revocation or the poll loop. */
static void commit_done(cg_client_t *c)
{
    cg_c848_client_t *x = X(c);
    unblock(c);
    x->commit_retries = 0;
    x->commit_resend = false;
    if (x->commit_prerevoke) {
        x->prerevoke_done = x->revoke_pending;
        poll_step(c);
    } else {
        c->n_chunks = 0;
        poll_call(c);
    }
}

static void on_commit_resp(cg_client_t *c, int32_t mi, bool awaited)
{
    cg_c848_client_t *x = X(c);
    cg_c848_msg_t *m = cg_c848_msg(c->w, mi);
    for (uint32_t i = 0; i < m->n; i++) {
        int32_t k = m->ok[i] ? cg_fetch_owned_find(c, m->gp[i]) : -1;
        if (k >= 0 && m->off[i] > c->owned[k].committed)
            c->owned[k].committed = m->off[i];
    }
    int err = m->err, epoch = m->epoch;
    if (err == CG_C848_NOT_COORDINATOR)
        coord_lost(c);
    if (!awaited || x->wait != CG_C848_W_COMMIT)
        return;
    if (err == CG_C848_NOT_COORDINATOR && x->commit_retries < CG_C848_COMMIT_RETRIES) {
        x->commit_retries++;
        x->commit_resend = true;      /* retry_after_find sends it again */
        return;
    }
    if (err == CG_K848_STALE_MEMBER_EPOCH && x->commit_retries < CG_C848_COMMIT_RETRIES &&
        x->member && x->epoch != epoch) {
        /* The member moved to a new epoch meanwhile: retry with it (CommitRequestManager). */
        x->commit_retries++;
        int32_t ri = send_commit(c, x->commit_prerevoke, true);
        if (ri >= 0) {
            block_on(c, CG_C848_W_COMMIT, ri);
            return;
        }
    }
    commit_done(c);
}

static void send_offset_fetch(cg_client_t *c)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->n_owned; i++)
        n += c->owned[i].pos < 0;
    int32_t mi = new_request(c, CG_C848_OFFSETS);
    if (mi < 0 || cg_c848_msg_reserve(c->w, mi, n) != 0) {
        cg_world_fail(c->w, "out of memory");
        return;
    }
    cg_c848_msg_t *m = cg_c848_msg(c->w, mi);
    for (uint32_t i = 0; i < c->n_owned; i++)
        if (c->owned[i].pos < 0)
            m->gp[m->n++] = c->owned[i].gp;
    block_on(c, CG_C848_W_OFFSETS, mi);
    cg_c848_send(c, mi);
}

static bool close_client(cg_client_t *c);

static void on_offsets_resp(cg_client_t *c, int32_t mi)
{
    cg_c848_msg_t *m = cg_c848_msg(c->w, mi);
    unblock(c);
    if (m->err == CG_C848_NOT_COORDINATOR) {
        coord_lost(c);
        poll_step(c);
        return;
    }
    if (!cg_fetch_set_positions(c, m->gp, m->off, m->n)) {
        close_client(c);
        return;
    }
    poll_step(c);
}

void cg_c848_client_on_msg(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_client_t *c = ctx;
    cg_c848_client_t *x = X(c);
    int32_t mi = (int32_t)arg;
    cg_c848_msg_t *m = cg_c848_msg(c->w, mi);
    if (!c->running || m->proc != c->proc || c->isolated) {
        cg_c848_msg_free(c->w, mi);
        return;
    }
    bool awaited = x->wait != CG_C848_W_NONE && m->req == c->wait_req;
    switch ((cg_c848_kind_t)m->kind) {
    case CG_C848_HB:
        on_hb_resp(c, mi);
        break;
    case CG_C848_COMMIT:
        on_commit_resp(c, mi, awaited);
        break;
    case CG_C848_OFFSETS:
        if (awaited && x->wait == CG_C848_W_OFFSETS)
            on_offsets_resp(c, mi);
        break;
    }
    cg_c848_msg_free(c->w, mi);
}

static void on_req_timer(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_client_t *c = ctx;
    cg_c848_client_t *x = X(c);
    c->req_timer = SIM_HANDLE_NONE;
    if (!c->running || x->wait == CG_C848_W_NONE || (uint32_t)arg != c->wait_req)
        return;
    /* Request timed out (coordinator unreachable): rediscover, then carry on. */
    cg_c848_wait_t what = x->wait;
    x->wait = CG_C848_W_NONE;
    coord_lost(c);
    if (what == CG_C848_W_COMMIT && !x->commit_prerevoke) {
        c->n_chunks = 0;
        poll_call(c);
        return;
    }
    if (what == CG_C848_W_COMMIT)
        x->prerevoke_done = x->revoke_pending;
    poll_step(c);
}

/* ---- max.poll.interval.ms ---- */

static void arm_poll_timer(cg_client_t *c, int64_t at)
{
    if (c->poll_timer == SIM_HANDLE_NONE)
        c->poll_timer = sim_schedule(csim(c), at, on_poll_timer, c, c->proc);
}

static void poll_timeout(cg_client_t *c)
{
    cg_c848_client_t *x = X(c);
    if ((x->member || x->joining) && !x->stale)
        send_leave(c, CG_RS_POLL_TIMEOUT);
    drop_lost(c);
    x->n_target = 0;
    x->revoke_pending = x->prerevoke_done = false;
    x->member = x->joining = false;
    x->stale = true;
}

static void poll_check(cg_client_t *c)
{
    int64_t now = now_ns(c);
    int64_t max = ccfg(c)->max_poll_interval_ns;
    /* Inside a blocking poll (commit, offsets) the timer does not count. */
    if (X(c)->wait != CG_C848_W_NONE) {
        arm_poll_timer(c, now + max);
        return;
    }
    if (now < c->last_poll_ns + max) {
        arm_poll_timer(c, c->last_poll_ns + max);
        return;
    }
    if (!X(c)->stale)
        poll_timeout(c);
}

static void on_poll_timer(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_client_t *c = ctx;
    c->poll_timer = SIM_HANDLE_NONE;
    if (!c->running || arg != c->proc || c->hung)
        return;                       /* a hang re-checks at resume */
    poll_check(c);
}

/* ---- the poll loop (the fetch itself is models/fetch, shared with models/consumer) ---- */

/* onPartitionsRevoked inside poll(): commit first (auto-commit), then revoke. False while the
 * commit is in flight. */
static bool revoke_step(cg_client_t *c)
{
    cg_c848_client_t *x = X(c);
    if (!x->prerevoke_done && ccfg(c)->enable_auto_commit && c->coord_known) {
        int32_t mi = send_commit(c, true, true);
        if (mi >= 0) {
            x->commit_prerevoke = true;
            block_on(c, CG_C848_W_COMMIT, mi);
            return false;
        }
    }
    do_revoke(c);
    return true;
}

static void poll_step(cg_client_t *c)
{
    cg_c848_client_t *x = X(c);
    if (!c->running || x->wait != CG_C848_W_NONE)
        return;
    if (x->stale) {
        x->stale = false;
        x->joining = true;
        x->first_assign = true;
        x->epoch = CG_K848_JOIN_EPOCH;
        hb_send(c);
    }
    if (x->revoke_pending && !revoke_step(c))
        return;
    int64_t now = now_ns(c);
    if (ccfg(c)->enable_auto_commit &&
        now - c->last_autocommit_ns >= ccfg(c)->auto_commit_interval_ns) {
        c->last_autocommit_ns = now;
        if (c->coord_known)
            send_commit(c, false, false);
    }
    if (cg_fetch_need_positions(c)) {
        if (!c->coord_known) {
            x->wait = CG_C848_W_COORD;
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
    c->last_poll_ns = now_ns(c);
    arm_poll_timer(c, c->last_poll_ns + ccfg(c)->max_poll_interval_ns);
    poll_step(c);
}

static void on_poll_ev(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_client_t *c = ctx;
    cg_c848_client_t *x = X(c);
    c->poll_ev = SIM_HANDLE_NONE;
    if (!c->running || arg != c->proc)
        return;
    if (c->processing) {
        cg_fetch_settle(c);
        c->processing = false;
    }
    if (c->paused || c->hung)
        return;
    if (!ccfg(c)->enable_auto_commit && c->n_chunks > 0 && x->member && c->coord_known) {
        int32_t mi = send_commit(c, false, true);
        if (mi >= 0) {
            x->commit_prerevoke = false;
            block_on(c, CG_C848_W_COMMIT, mi);
            return;
        }
    }
    c->n_chunks = 0;
    poll_call(c);
}

/* ---- life cycle and faults ---- */

static void stop(cg_client_t *c)
{
    cg_c848_client_t *x = X(c);
    sim_t *sim = csim(c);
    c->running = false;
    c->proc++;
    sim_timer_clear(sim, &c->poll_ev);
    sim_timer_clear(sim, &x->hb_timer);
    sim_timer_clear(sim, &c->poll_timer);
    sim_timer_clear(sim, &c->req_timer);
    sim_timer_clear(sim, &c->find_ev);
    c->n_owned = 0;
    c->n_chunks = 0;
    c->processing = c->finding = c->coord_known = false;
    x->wait = CG_C848_W_NONE;
    x->member = x->joining = x->stale = x->hb_inflight = x->hb_again = false;
    x->revoke_pending = x->prerevoke_done = false;
    x->commit_resend = x->leave_pending = false;
    x->n_target = 0;
    x->epoch = -1;
}

static void new_member_id(cg_client_t *c)
{
    /* KIP-1082: the client makes its member id (a UUID); "<consumer or instance id>-" + 32 hex
     * digits from the member-id stream, like the classic ids, so member order follows ids. */
    const char *prefix = c->cfg->cfg.group_instance_id ? c->cfg->cfg.group_instance_id
                                                      : c->cfg->id;
    uint32_t part[4];
    for (int i = 0; i < 4; i++)
        part[i] = (uint32_t)sim_rng_below(&c->mid_rng, UINT64_C(1) << 32);
    snprintf(X(c)->member_id, sizeof X(c)->member_id, "%s-%08x%08x%08x%08x", prefix, part[0],
             part[1], part[2], part[3]);
}

bool cg_c848_client_start(cg_client_t *c)
{
    cg_c848_client_t *x = X(c);
    if (c->running)
        return false;
    int64_t now = now_ns(c);
    c->running = true;
    c->started_ever = true;
    c->proc++;
    c->paused = c->hung = false;
    c->coord_known = c->finding = c->processing = false;
    c->n_owned = c->n_chunks = 0;
    c->rr = 0;
    c->last_poll_ns = c->last_hb_ok_ns = c->last_autocommit_ns = now;
    new_member_id(c);
    x->epoch = CG_K848_JOIN_EPOCH;
    x->joining = x->first_assign = true;
    x->member = x->stale = x->hb_inflight = x->hb_again = false;
    x->revoke_pending = x->prerevoke_done = false;
    x->interval_ns = c->g->cfg->broker.consumer_heartbeat_interval_ns;
    x->hint = -1;
    x->n_target = 0;
    x->wait = CG_C848_W_NONE;
    x->commit_retries = 0;
    x->commit_resend = x->leave_pending = false;
    c->poll_ev = sim_schedule(csim(c), now, on_poll_ev, c, c->proc);
    find_start(c, 0);
    return true;
}

static bool close_client(cg_client_t *c)
{
    cg_c848_client_t *x = X(c);
    if (!c->running)
        return false;
    if (c->processing && now_ns(c) < c->batch_end_ns) {
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
    bool member = x->member && !x->stale;
    if (member && ccfg(c)->enable_auto_commit && c->coord_known && !c->isolated)
        send_commit(c, true, false);
    if (member)
        cg_own_revoke_except(c->g, c, NULL, 0);
    if ((member || (x->joining && x->hb_inflight)) && !c->isolated)
        send_leave(c, CG_RS_LEAVE);
    stop(c);
    return true;
}

static bool resume(cg_client_t *c)
{
    if (!c->running || (!c->paused && !c->hung))
        return false;
    bool was_hung = c->hung;
    c->paused = c->hung = false;
    if (was_hung) {
        /* The background thread wakes: the poll timer first, then the heartbeats. */
        sim_timer_clear(csim(c), &c->poll_timer);
        poll_check(c);
        hb_arm(c, now_ns(c));
    }
    if (!c->processing && X(c)->wait == CG_C848_W_NONE && c->poll_ev == SIM_HANDLE_NONE)
        c->poll_ev = sim_schedule(csim(c), now_ns(c), on_poll_ev, c, c->proc);
    return true;
}

bool cg_c848_apply(cg_client_t *c, cg_fault_action_t a, double factor)
{
    switch (a) {
    case CG_FAULT_CRASH:
        if (!c->running)
            return false;
        stop(c);
        return true;
    case CG_FAULT_RESTART:
        if (c->running)
            stop(c);
        return cg_c848_client_start(c);
    case CG_FAULT_LEAVE: return close_client(c);
    case CG_FAULT_JOIN: return cg_c848_client_start(c);
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
    case CG_FAULT_ISOLATE:
    case CG_FAULT_HEAL: {
        bool on = a == CG_FAULT_ISOLATE;
        if (c->isolated == on)
            return false;
        c->isolated = on;
        return true;
    }
    default: return false;
    }
}

int cg_c848_client_init(cg_client_t *c)
{
    cg_c848_client_t *x = X(c);
    memset(x, 0, sizeof *x);
    x->epoch = -1;
    x->hint = -1;
    x->last_rec_epoch = -1;
    return 0;
}

void cg_c848_client_fini(cg_client_t *c)
{
    free(X(c)->target);
}
