/* models/client/requests: the client's requests to its group coordinator, shared by every
 * membership protocol: sending and blocking on them (request.timeout.ms), FindCoordinator,
 * commits (sync, async, refused), OffsetFetch, and the dispatch of responses to the protocol's
 * member (client.h). The poll loop that issues them is client.c.
 *
 * Responses carry the incarnation ("proc") of the process that sent the request; responses for
 * an earlier process, or for a request the app no longer waits for, are dropped. */
#include "models/client/client.h"

#include <assert.h>
#include "models/client/client_int.h"
#include "models/client/fetch.h"
#include "models/partlog/partlog.h"
#include "models/world/trace_rec.h"
#include "models/world/world_impl.h"

static void on_req_timer(sim_t *sim, void *ctx, uint64_t arg);
static void request_timed_out(cg_client_t *c);
static void on_find(sim_t *sim, void *ctx, uint64_t arg);

static const cg_client_cfg_t *ccfg(const cg_client_t *c) { return &c->cfg->cfg; }

/* ---- requests ---- */

int32_t cg_client_request(cg_client_t *c, cg_msg_kind_t kind)
{
    int32_t mi = cg_net_msg_new(&c->w->net, (uint8_t)kind, c->ci, c->proc);
    if (mi < 0) {
        cg_world_fail(c->w, "out of memory");
        return -1;
    }
    cg_msg_t *m = cg_net_msg(&c->w->net, mi);
    c->ops->stamp(c, m);
    m->req = ++c->req_seq;
    return mi;
}

int32_t cg_client_coordinator_request(cg_client_t *c, cg_msg_kind_t kind)
{
    if (!c->coord_known) {
        cg_client_find_start(c, 0);
        return -1;
    }
    return cg_client_request(c, kind);
}

void cg_client_block_on(cg_client_t *c, cg_wait_t what, int32_t mi, int64_t timeout_ns)
{
    /* Blocks anew, or waits for a retry of the request it already waits for. */
    assert(c->running && what != CG_W_NONE && (c->wait == CG_W_NONE || c->wait == what));
    c->wait = what;
    c->wait_req = cg_net_msg(&c->w->net, mi)->req;
    /* request.timeout.ms may be 0 in Kafka; a timeout that fires at the instant it was armed
     * would retry forever without virtual time advancing, so it takes at least an idle step. */
    if (timeout_ns < CG_MIN_IDLE_NS)
        timeout_ns = CG_MIN_IDLE_NS;
    sim_timer_set(&c->w->sim, &c->req_timer, cg_client_now(c) + timeout_ns, on_req_timer, c,
                  (uint64_t)c->wait_req);
}

void cg_client_unblock(cg_client_t *c)
{
    c->wait = CG_W_NONE;
    sim_timer_clear(&c->w->sim, &c->req_timer);
}

/* ---- coordinator discovery ---- */

void cg_client_find_start(cg_client_t *c, int64_t delay_ns)
{
    if (c->finding || c->coord_known)
        return;
    c->finding = true;
    cg_net_t *n = &c->w->net;
    int64_t rtt = cg_net_delay_ns(n, c->ci) + cg_net_delay_ns(n, c->ci);
    sim_timer_set(&c->w->sim, &c->find_ev, cg_client_now(c) + delay_ns + rtt, on_find, c,
                  c->proc);
}

void cg_client_coord_lost(cg_client_t *c)
{
    c->coord_known = false;
    cg_client_find_start(c, 0);
}

static void on_find(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_client_t *c = ctx;
    c->find_ev = SIM_HANDLE_NONE;
    c->finding = false;
    if (!c->running || arg != c->proc)
        return;
    if (!cg_net_coord_reachable(&c->w->net, c->ci)) {
        int64_t backoff = ccfg(c)->retry_backoff_ns;
        cg_client_find_start(c, backoff > CG_MIN_IDLE_NS ? backoff : CG_MIN_IDLE_NS);
        return;
    }
    c->coord_known = true;
    c->ops->found(c);
    if (c->wait == CG_W_COORD) {
        c->wait = CG_W_NONE;
        cg_client_poll_step(c);
    }
}

/* ---- commits and offsets ---- */

static bool commit_wanted(const cg_owned_t *o, bool all)
{
    return o->pos >= 0 && (all || o->pos > o->committed);
}

/* Commit records of attempts that failed before or without the coordinator's answer (ok false):
 * every commit attempt is visible in the trace. */
static void record_failed(cg_client_t *c, const int32_t *gp, const int64_t *off, uint32_t n,
                          int32_t generation, cg_err_t err)
{
    int64_t now = cg_client_now(c);
    for (uint32_t i = 0; i < n; i++)
        cg_rec_commit(c->w, c->g, c->ci, gp[i], off[i], generation, false,
                      cg_partlog_end_offset(c->w->pl, gp[i], now), err);
}

/* The app wanted to commit its positions (all, or past its last commit) and cannot now. */
void cg_client_commit_refused(cg_client_t *c, bool all)
{
    cg_err_t err = c->ops->commit_refused(c, c->coord_known);
    if (err == CG_ERR_NONE)
        return;
    cg_msg_t id;
    c->ops->stamp(c, &id);
    for (uint32_t i = 0; i < c->n_owned; i++)
        if (commit_wanted(&c->owned[i], all))
            record_failed(c, &c->owned[i].gp, &c->owned[i].pos, 1, id.generation, err);
}

int32_t cg_client_send_commit(cg_client_t *c, bool all, bool sync)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->n_owned; i++)
        n += commit_wanted(&c->owned[i], all);
    if (n == 0)
        return -1;
    if (!c->ops->can_commit(c)) {
        cg_client_commit_refused(c, all);
        return -1;
    }
    int32_t mi = cg_client_request(c, CG_MSG_COMMIT);
    if (mi < 0 || cg_net_msg_reserve(&c->w->net, mi, n) != 0) {
        cg_world_fail(c->w, "out of memory");
        return -1;
    }
    cg_msg_t *m = cg_net_msg(&c->w->net, mi);
    m->sync = sync;
    for (uint32_t i = 0; i < c->n_owned; i++) {
        const cg_owned_t *o = &c->owned[i];
        if (commit_wanted(o, all)) {
            m->gp[m->n] = o->gp;
            m->off[m->n] = o->pos;
            m->n++;
        }
    }
    cg_net_send(&c->w->net, mi);
    return mi;
}

void cg_client_commit_ok(cg_client_t *c, const cg_msg_t *m)
{
    if (m->err != CG_ERR_NONE)
        return;                       /* a request-level error: nothing was committed */
    for (uint32_t i = 0; i < m->n; i++) {
        if (!m->ok[i])
            continue;
        int32_t k = cg_fetch_owned_find(c, m->gp[i]);
        if (k >= 0 && m->off[i] > c->owned[k].committed)
            c->owned[k].committed = m->off[i];
    }
}

/* The awaited commit is over: continue the rebalance callback or the poll loop. */
void cg_client_commit_done(cg_client_t *c)
{
    cg_client_unblock(c);
    c->commit_retries = 0;
    c->commit_resend = false;
    if (c->commit_in_rebalance) {
        c->ops->rebalance_commit_done(c);
        cg_client_poll_step(c);
    } else {
        c->n_chunks = 0;
        cg_client_poll_call(c);
    }
}

static void on_commit_resp(cg_client_t *c, const cg_msg_t *m, bool awaited)
{
    /* The coordinator records its own refusals; these the client alone knows of. */
    if (m->err == CG_ERR_NOT_COORDINATOR || m->err == CG_ERR_LOCAL_TIMEOUT)
        record_failed(c, m->gp, m->off, m->n, m->generation, (cg_err_t)m->err);
    if (m->err == CG_ERR_LOCAL_TIMEOUT) {
        if (awaited && c->wait == CG_W_COMMIT && m->req == c->wait_req)
            request_timed_out(c);
        return;
    }
    cg_client_commit_ok(c, m);
    if (!c->ops->on_commit_result(c, m, awaited))
        return;
    if (awaited && c->running && c->wait == CG_W_COMMIT && m->req == c->wait_req)
        cg_client_commit_done(c);
}

void cg_client_send_offset_fetch(cg_client_t *c)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->n_owned; i++)
        n += c->owned[i].pos < 0;
    int32_t mi = cg_client_request(c, CG_MSG_OFFSET_FETCH);
    if (mi < 0 || cg_net_msg_reserve(&c->w->net, mi, n) != 0) {
        cg_world_fail(c->w, "out of memory");
        return;
    }
    cg_msg_t *m = cg_net_msg(&c->w->net, mi);
    for (uint32_t i = 0; i < c->n_owned; i++)
        if (c->owned[i].pos < 0)
            m->gp[m->n++] = c->owned[i].gp;
    cg_client_block_on(c, CG_W_OFFSETS, mi, ccfg(c)->request_timeout_ns);
    cg_net_send(&c->w->net, mi);
}

static void on_offsets_resp(cg_client_t *c, const cg_msg_t *m)
{
    cg_client_unblock(c);
    if (m->err == CG_ERR_NOT_COORDINATOR) {
        cg_client_coord_lost(c);
        cg_client_poll_step(c);
        return;
    }
    if (!cg_fetch_set_positions(c, m->gp, m->off, m->n)) {
        cg_client_close(c);
        return;
    }
    cg_client_poll_step(c);
}

/* ---- the response dispatcher ---- */

void cg_client_on_msg(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_client_t *c = ctx;
    int32_t mi = (int32_t)arg;
    cg_msg_t *m = cg_net_msg(&c->w->net, mi);
    if (!c->running || m->proc != c->proc || (cg_client_isolated(c) && !m->local)) {
        cg_net_msg_free(&c->w->net, mi);
        return;
    }
    bool awaited = c->wait != CG_W_NONE && m->req == c->wait_req;
    switch ((cg_msg_kind_t)m->kind) {
    case CG_MSG_COMMIT:
        on_commit_resp(c, m, awaited);
        break;
    case CG_MSG_OFFSET_FETCH:
        if (awaited && c->wait == CG_W_OFFSETS)
            on_offsets_resp(c, m);
        break;
    default:
        c->ops->on_response(c, m, awaited);
        break;
    }
    cg_net_msg_free(&c->w->net, mi);
}

static void on_req_timer(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_client_t *c = ctx;
    c->req_timer = SIM_HANDLE_NONE;
    if (!c->running || c->wait == CG_W_NONE || (uint32_t)arg != c->wait_req)
        return;
    request_timed_out(c);
}

/* The request the app waits for got no answer within request.timeout.ms (coordinator
 * unreachable): rediscover, then carry on. */
static void request_timed_out(cg_client_t *c)
{
    sim_timer_clear(&c->w->sim, &c->req_timer);
    cg_wait_t what = c->wait;
    c->wait = CG_W_NONE;
    c->ops->request_timeout(c, what);
    if (what == CG_W_COMMIT && !c->commit_in_rebalance) {
        c->n_chunks = 0;
        cg_client_poll_call(c);
        return;
    }
    if (what == CG_W_COMMIT)
        c->ops->rebalance_commit_done(c);
    cg_client_poll_step(c);
}
