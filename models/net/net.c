/* models/net: see net.h.
 *
 * A request is an engine event at the coordinator after one latency drawn from the group's
 * network_ms distribution on the link's own stream; the response is an event at the client after
 * another. Each direction of a link is FIFO, as a TCP connection is: a message never overtakes an
 * earlier one. While a link is isolated its traffic is dropped both ways. A response for a process
 * whose connection closed (it crashed or restarted) is dropped: the broker cannot deliver it.
 *
 * Messages live in a pool (an array with a free list) and travel as indexes, so a request costs
 * no allocation once the pool has grown to the run's peak. */
#include "models/net/net.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include "sim/time.h"
#include "sim/vec.h"

const char *cg_err_name(cg_err_t e)
{
    static const char *const names[CG_ERR_COUNT] = {
        "NONE", "MEMBER_ID_REQUIRED", "UNKNOWN_MEMBER_ID", "ILLEGAL_GENERATION",
        "REBALANCE_IN_PROGRESS", "FENCED_INSTANCE_ID", "NOT_COORDINATOR", "FENCED_MEMBER_EPOCH",
        "UNRELEASED_INSTANCE_ID", "INVALID_REQUEST", "STALE_MEMBER_EPOCH",
        "COORDINATOR_NOT_AVAILABLE", "INCONSISTENT_GROUP_PROTOCOL", "GROUP_ID_NOT_FOUND",
        "RebalanceInProgressException", "CommitFailedException",
        "TimeoutException"};
    return (unsigned)e < CG_ERR_COUNT ? names[e] : "UNKNOWN_SERVER_ERROR";
}

const char *cg_reason_name(cg_reason_t r)
{
    static const char *const names[CG_RS_COUNT] = {
        "member_join", "member_leave", "session_timeout", "poll_timeout", "rebalance_timeout",
        "revocation", "leader_rejoin", "coordinator_failover", "metadata", "leave", "fenced"};
    return (unsigned)r < CG_RS_COUNT ? names[r] : "metadata";
}

int cg_net_init(cg_net_t *n, sim_t *sim, size_t n_links, size_t n_groups)
{
    memset(n, 0, sizeof *n);
    n->sim = sim;
    n->msg_free = -1;
    n->links = calloc(n_links ? n_links : 1, sizeof *n->links);
    n->coords = calloc(n_groups ? n_groups : 1, sizeof *n->coords);
    n->n_links = n_links;
    n->n_groups = n_groups;
    return n->links && n->coords ? 0 : -1;
}

void cg_net_fini(cg_net_t *n)
{
    for (size_t i = 0; n->links && i < n->n_links; i++)
        sim_rng_fini(&n->links[i].rng);
    for (uint32_t i = 0; i < n->n_msgs; i++) {
        free(n->msgs[i].gp);
        free(n->msgs[i].off);
        free(n->msgs[i].ok);
    }
    free(n->msgs);
    free(n->links);
    free(n->coords);
    memset(n, 0, sizeof *n);
}

int cg_net_link_init(cg_net_t *n, int32_t li, int32_t group, const sim_dist_t *latency_ms,
                     uint64_t seed, const char *key)
{
    cg_link_t *l = &n->links[li];
    l->group = group;
    l->latency_ms = latency_ms;
    l->const_ns = latency_ms->kind == SIM_DIST_CONSTANT ? sim_ms_to_ns(latency_ms->p1) : -1;
    return sim_rng_init(&l->rng, seed, key);
}

void cg_net_set_client(cg_net_t *n, int32_t li, sim_handler_fn on_response, cg_net_fast_fn fast,
                       void *ctx, int64_t request_timeout_ns)
{
    n->links[li].on_response = on_response;
    n->links[li].fast = fast;
    n->links[li].client = ctx;
    n->links[li].request_timeout_ns = request_timeout_ns;
}

/* The network lost message mi (isolation). A commit, or a commit's response, becomes a local
 * timeout for its sender if that process is still connected; anything else is freed (its
 * sender's own timers notice). */
static void lose(cg_net_t *n, int32_t mi)
{
    cg_msg_t *m = &n->msgs[mi];
    cg_link_t *l = &n->links[m->client];
    if (m->kind != CG_MSG_COMMIT || !l->open || l->proc != m->proc) {
        cg_net_msg_free(n, mi);
        return;
    }
    m->err = CG_ERR_LOCAL_TIMEOUT;
    m->local = true;
    int64_t at = m->sent_ns + l->request_timeout_ns;
    if (at < sim_now(n->sim))
        at = sim_now(n->sim);
    sim_schedule(n->sim, at, l->on_response, l->client, (uint64_t)mi);
}

void cg_net_set_coordinator(cg_net_t *n, int32_t group, cg_net_request_fn on_request, void *ctx)
{
    n->coords[group].on_request = on_request;
    n->coords[group].ctx = ctx;
}

/* ---- message pool ---- */

int32_t cg_net_msg_new(cg_net_t *n, uint8_t kind, int32_t li, uint32_t proc)
{
    int32_t mi = n->msg_free;
    if (mi >= 0) {
        n->msg_free = n->msgs[mi].next_free;
    } else {
        if (sim_vec_reserve(&n->msgs, &n->cap_msgs, n->n_msgs + 1, sizeof *n->msgs, 64) != 0)
            return -1;
        mi = (int32_t)n->n_msgs++;
        memset(&n->msgs[mi], 0, sizeof n->msgs[mi]);
    }
    cg_msg_t *m = &n->msgs[mi];
    m->kind = kind;
    m->err = CG_ERR_NONE;
    m->reason = CG_RS_COUNT;
    m->leader = m->meta_changed = m->sync = m->full = m->has_assignment = m->local = false;
    m->owned_userdata = false;
    m->protocols = NULL;
    m->n_protocols = 0;
    m->meta_version = 0;
    m->sent_ns = 0;
    m->client = li;
    m->proc = proc;
    m->req = 0;
    m->slot = -1;
    m->serial = 0;
    m->generation = -1;
    m->owned_gen = -1;
    m->instance = -1;
    m->session_timeout_ns = m->rebalance_timeout_ns = m->interval_ns = 0;
    m->topics = NULL;
    m->n_topics = 0;
    m->rack = NULL;
    m->member_id[0] = '\0';
    m->n = 0;
    m->next_free = CG_MSG_IN_USE;
    n->links[li].in_flight++;
    return mi;
}

void cg_net_msg_free(cg_net_t *n, int32_t mi)
{
    assert(mi >= 0 && (uint32_t)mi < n->n_msgs);
    assert(n->msgs[mi].next_free == CG_MSG_IN_USE);   /* freed once */
    n->links[n->msgs[mi].client].in_flight--;
    n->msgs[mi].next_free = n->msg_free;
    n->msg_free = mi;
}

int cg_net_msg_reserve(cg_net_t *n, int32_t mi, uint32_t entries)
{
    cg_msg_t *m = &n->msgs[mi];
    uint32_t old = m->cap, c1 = m->cap, c2 = m->cap;
    if (sim_vec_reserve(&m->gp, &c1, entries, sizeof *m->gp, 8) != 0 ||
        sim_vec_reserve(&m->off, &c2, entries, sizeof *m->off, 8) != 0 ||
        sim_vec_reserve(&m->ok, &m->cap, entries, sizeof *m->ok, 8) != 0)
        return -1;
    if (m->cap > old)
        memset(m->ok + old, 0, m->cap - old);   /* never read before written; zero anyway */
    return 0;
}

/* ---- traffic ---- */

int64_t cg_net_delay_draw_ns(cg_net_t *n, int32_t li)
{
    cg_link_t *l = &n->links[li];
    return sim_ms_to_ns(sim_dist_sample(l->latency_ms, &l->rng));
}

/* Delivery time of a message sent now: after one latency, never before the previous message
 * in the same direction (FIFO, as a TCP connection delivers). */
static int64_t fifo_at(cg_net_t *n, int32_t li, int64_t *last_ns)
{
    int64_t at = sim_now(n->sim) + cg_net_delay_ns(n, li);
    if (at < *last_ns)
        at = *last_ns;
    *last_ns = at;
    return at;
}

static void on_request(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_net_t *n = ctx;
    int32_t mi = (int32_t)arg;
    assert(mi >= 0 && (uint32_t)mi < n->n_msgs && n->msgs[mi].next_free == CG_MSG_IN_USE);
    cg_link_t *l = &n->links[n->msgs[mi].client];
    if (l->isolated) {
        lose(n, mi);
        return;
    }
    cg_coord_end_t *e = &n->coords[l->group];
    e->on_request(e->ctx, mi);
}

void cg_net_send(cg_net_t *n, int32_t mi)
{
    int32_t li = n->msgs[mi].client;
    cg_link_t *l = &n->links[li];
    n->msgs[mi].sent_ns = sim_now(n->sim);
    if (l->isolated) {
        lose(n, mi);
        return;
    }
    sim_schedule(n->sim, fifo_at(n, li, &l->up_last_ns), on_request, n, (uint64_t)mi);
}

void cg_net_reply(cg_net_t *n, int32_t mi, uint8_t err)
{
    assert(mi >= 0 && (uint32_t)mi < n->n_msgs && n->msgs[mi].next_free == CG_MSG_IN_USE);
    cg_msg_t *m = &n->msgs[mi];
    int32_t li = m->client;
    assert(li >= 0 && (size_t)li < n->n_links);
    cg_link_t *l = &n->links[li];
    m->err = err;
    if (l->isolated) {
        lose(n, mi);
        return;
    }
    if (m->kind == CG_MSG_LEAVE || !l->open || l->proc != m->proc) {
        cg_net_msg_free(n, mi);
        return;
    }
    int64_t at = fifo_at(n, li, &l->down_last_ns);
    if (l->fast && l->fast(l->client, m, at)) {
        cg_net_msg_free(n, mi);
        return;
    }
    sim_schedule(n->sim, at, l->on_response, l->client, (uint64_t)mi);
}

/* ---- state ---- */

void cg_net_open(cg_net_t *n, int32_t li, uint32_t proc)
{
    n->links[li].open = true;
    n->links[li].proc = proc;
}

void cg_net_close(cg_net_t *n, int32_t li)
{
    n->links[li].open = false;
}

bool cg_net_isolate(cg_net_t *n, int32_t li, bool on)
{
    if (n->links[li].isolated == on)
        return false;
    n->links[li].isolated = on;
    return true;
}

void cg_net_coord_down(cg_net_t *n, int32_t group, bool down)
{
    n->coords[group].down = down;
}
