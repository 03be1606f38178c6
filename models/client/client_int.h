/* models/client/client_int.h: what the poll loop (client.c) and the requests (requests.c) of the
 * client share; no other module includes it. */
#ifndef CG_CLIENT_INT_H
#define CG_CLIENT_INT_H

#include "models/client/client.h"
#include "models/client/fetch.h"

/* A FindCoordinator retry or a request timeout takes at least as long as an empty poll
 * (CG_FETCH_MIN_IDLE_NS), so zero latencies cannot spin forever at one instant of virtual time. */
#define CG_MIN_IDLE_NS CG_FETCH_MIN_IDLE_NS

/* The app calls poll(): max.poll.interval.ms starts again, then the poll step. */
void cg_client_poll_call(cg_client_t *c);
/* OffsetFetch for the owned partitions without a position; the app blocks on it. */
void cg_client_send_offset_fetch(cg_client_t *c);
/* The network's handler of the client's responses. */
void cg_client_on_msg(sim_t *sim, void *ctx, uint64_t arg);

#endif
