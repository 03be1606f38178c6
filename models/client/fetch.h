/* models/client/fetch: the fetch half of a consumer's poll loop (models/client).
 * Owns: reading the partition logs for the owned partitions (with the per-partition log-end
 *       cache and a heap of the times idle partitions may next have records), the broker-side
 *       wait for data (fetch.max.wait.ms), taking up to max.poll.records round-robin, the
 *       batch's processing time, settling processed records.
 * Does not own: membership, commits or the scheduling of the client's next poll.
 * Invariant: a fetch advances positions only over records that exist at the broker time it is
 *            served, and draws processing times only from the client's own stream. */
#ifndef CG_FETCH_H
#define CG_FETCH_H

#include <stdbool.h>
#include <stdint.h>
#include "models/client/client.h"

#define CG_FETCH_SCAN_MAX 16               /* next-arrival re-checks within one fetch wait */
#define CG_FETCH_SCAN_OWNED 32u            /* up to this many owned: wake keys scanned, no heap */
/* A poll() that returns nothing takes at least this long (the client's own work), so zero
 * latencies and a zero fetch.max.wait.ms cannot spin forever at one instant of virtual time. */
#define CG_FETCH_MIN_IDLE_NS INT64_C(1000000)

/* Index of partition gp in the client's sorted owned table, or -1. */
int32_t cg_fetch_owned_find(const cg_client_t *c, int32_t gp);
/* Room for n owned partitions (and their wake heap); 0 or -1 (out of memory). */
int cg_fetch_owned_reserve(cg_client_t *c, uint32_t n);
/* The owned table or a position changed outside a fetch (or is about to: reserve implies it):
 * the next fetch rebuilds its wake heap. */
void cg_fetch_owned_changed(cg_client_t *c);
/* A newly owned partition: position unknown until OffsetFetch, empty log-end cache. */
void cg_fetch_owned_init(cg_owned_t *o, int32_t gp);
/* Positions from an OffsetFetch response (committed offset or auto.offset.reset); false when the
 * reset policy is none and a partition has no committed offset (error record written). */
bool cg_fetch_set_positions(cg_client_t *c, const int32_t *gp, const int64_t *off, uint32_t n);

/* Serve one fetch issued now: fills c->chunks, advances positions, sets c->batch_ret_ns,
 * c->batch_end_ns (response time + processing time) and c->processing. Returns batch_end_ns,
 * when the client's next poll() happens. */
int64_t cg_fetch_batch(cg_client_t *c);
/* Some owned partition has no position yet (needs OffsetFetch or auto.offset.reset). */
bool cg_fetch_need_positions(const cg_client_t *c);
/* Account the processed batch (duplicates, zombies, consumed counts). */
void cg_fetch_settle(cg_client_t *c);
/* Start loading what a poll will touch (owned partitions, processing stream, batch slots). */
void cg_fetch_prefetch(const cg_client_t *c);

#endif
