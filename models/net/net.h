/* models/net: the network between consumer processes and their group coordinators, for every
 * membership protocol: the message pool, one link per consumer (latency stream, per-direction
 * FIFO, isolation, the open connection of the current process), request delivery to the
 * coordinator of the link's group, responses back, and which coordinators are down.
 * Owns: messages (pooled, addressed by index), links, endpoint registrations.
 * Does not own: what a message means (the protocols), the clients, the coordinators.
 * Invariant: a message is in exactly one place: free, held by its sender, in flight (one engine
 *            event), or parked at a coordinator; each direction of a link delivers in send order. */
#ifndef CG_NET_H
#define CG_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/dist.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "models/net/msg.h"

/* The coordinator of a group receives request `mi` (the network already checked the link). */
typedef void (*cg_net_request_fn)(void *ctx, int32_t mi);
/* A response the client applies at once on arrival instead of an engine event; true when it
 * was consumed (the network frees it). NULL: every response is an event. */
typedef bool (*cg_net_fast_fn)(void *ctx, const cg_msg_t *m, int64_t arrival_ns);

/* One consumer's connection to its group's coordinator. */
typedef struct cg_link {
    int32_t group;                    /* group index: whose coordinator it reaches */
    sim_rng_t rng;                    /* latency stream "net/<group>/<consumer>" */
    const sim_dist_t *latency_ms;     /* one-way latency (the group's network_ms) */
    int64_t const_ns;                 /* latency when constant, else -1 */
    int64_t up_last_ns;               /* last delivery time towards the coordinator (FIFO) */
    int64_t down_last_ns;             /* last delivery time towards the client (FIFO) */
    uint32_t proc;                    /* incarnation whose connection is open */
    bool open;                        /* a process is connected */
    bool isolated;                    /* traffic dropped both ways */
    sim_handler_fn on_response;       /* client endpoint: engine handler, arg = message index */
    cg_net_fast_fn fast;              /* client endpoint: optional immediate application */
    void *client;                     /* client endpoint context */
    int64_t request_timeout_ns;       /* the client's request.timeout.ms */
    uint32_t in_flight;               /* messages of this link not yet freed */
} cg_link_t;

typedef struct cg_coord_end {
    cg_net_request_fn on_request;     /* coordinator endpoint */
    void *ctx;
    bool down;                        /* failover in progress: FindCoordinator fails */
} cg_coord_end_t;

typedef struct cg_net {
    sim_t *sim;                       /* engine (not owned) */
    cg_msg_t *msgs;                   /* pool */
    uint32_t n_msgs, cap_msgs;
    int32_t msg_free;                 /* free list head, -1 */
    cg_link_t *links;                 /* per consumer */
    size_t n_links;
    cg_coord_end_t *coords;           /* per group */
    size_t n_groups;
} cg_net_t;

int cg_net_init(cg_net_t *n, sim_t *sim, size_t n_links, size_t n_groups);   /* 0 or -1 */
void cg_net_fini(cg_net_t *n);
/* Link li to group `group`, latency from `latency_ms` on stream (seed, key). 0 or -1. */
int cg_net_link_init(cg_net_t *n, int32_t li, int32_t group, const sim_dist_t *latency_ms,
                     uint64_t seed, const char *key);
void cg_net_set_client(cg_net_t *n, int32_t li, sim_handler_fn on_response, cg_net_fast_fn fast,
                       void *ctx, int64_t request_timeout_ns);
void cg_net_set_coordinator(cg_net_t *n, int32_t group, cg_net_request_fn on_request, void *ctx);

/* ---- messages ---- */
/* A new request of `kind` from the process `proc` on link li; -1 when out of memory. */
int32_t cg_net_msg_new(cg_net_t *n, uint8_t kind, int32_t li, uint32_t proc);
void cg_net_msg_free(cg_net_t *n, int32_t mi);
int cg_net_msg_reserve(cg_net_t *n, int32_t mi, uint32_t entries);          /* 0 or -1 */
static inline cg_msg_t *cg_net_msg(cg_net_t *n, int32_t mi)
{
    return &n->msgs[mi];
}

/* ---- traffic ---- */
int64_t cg_net_delay_draw_ns(cg_net_t *n, int32_t li);  /* a draw from the link's stream */
/* One one-way latency (constant latencies cost no call). */
static inline int64_t cg_net_delay_ns(cg_net_t *n, int32_t li)
{
    const cg_link_t *l = &n->links[li];
    return l->const_ns >= 0 ? l->const_ns : cg_net_delay_draw_ns(n, li);
}
/* Client -> coordinator after one latency; dropped while the link is isolated (at send and at
 * arrival). A dropped OffsetCommit (or its dropped response) comes back to its sender as a
 * local CG_ERR_LOCAL_TIMEOUT request.timeout.ms after it was sent, so that every commit attempt
 * has an outcome. */
void cg_net_send(cg_net_t *n, int32_t mi);
/* Coordinator -> client: the response to request mi with `err`, after one latency; dropped when
 * the link is isolated or the sending process's connection is closed. */
void cg_net_reply(cg_net_t *n, int32_t mi, uint8_t err);

/* ---- state ---- */
void cg_net_open(cg_net_t *n, int32_t li, uint32_t proc);   /* the process `proc` connects */
void cg_net_close(cg_net_t *n, int32_t li);                 /* the process is gone */
bool cg_net_isolate(cg_net_t *n, int32_t li, bool on);      /* false when already so */
static inline bool cg_net_isolated(const cg_net_t *n, int32_t li)
{
    return n->links[li].isolated;
}
void cg_net_coord_down(cg_net_t *n, int32_t group, bool down);
static inline bool cg_net_coord_is_down(const cg_net_t *n, int32_t group)
{
    return n->coords[group].down;
}
/* FindCoordinator succeeds: the link is not isolated and its coordinator is up. */
static inline bool cg_net_coord_reachable(const cg_net_t *n, int32_t li)
{
    return !n->links[li].isolated && !n->coords[n->links[li].group].down;
}

#endif
