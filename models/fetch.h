/* models/fetch: the fetch half of a consumer's poll loop, shared by the classic client
 * (models/consumer) and the KIP-848 client (models/c848_client).
 * Owns: reading the partition logs for the owned partitions (with the per-partition log-end
 *       cache), the broker-side wait for data (fetch.max.wait.ms), taking up to
 *       max.poll.records round-robin, the batch's processing time, settling processed records.
 * Does not own: membership, commits or the scheduling of the client's next poll.
 * Invariant: a fetch advances positions only over records that exist at the broker time it is
 *            served, and draws processing times only from the client's own stream. */
#ifndef CG_FETCH_H
#define CG_FETCH_H

#include <stdbool.h>
#include <stdint.h>
#include "models/world_impl.h"

#define CG_FETCH_SCAN_MAX 16               /* next-arrival re-checks within one fetch wait */
/* A poll() that returns nothing takes at least this long (the client's own work), so zero
 * latencies and a zero fetch.max.wait.ms cannot spin forever at one instant of virtual time. */
#define CG_FETCH_MIN_IDLE_NS INT64_C(1000000)

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
