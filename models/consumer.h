/* models/consumer: the classic consumer client (Java KafkaConsumer + ConsumerCoordinator,
 * simplified but faithful in timing): the application's poll loop, fetches from the lazy
 * partition logs, processing times, positions, auto-commit and commitSync, the heartbeat
 * "thread", max.poll.interval.ms, eager and cooperative rebalance callbacks, static membership.
 * Owns: one client per scenario consumer and its current process (incarnation), the client's
 *       view of its partitions and the revoke, assignment (through models/ownership), zombie,
 *       duplicate and error records. Does not own: the group state (models/coordinator).
 * Invariant: the app is in exactly one of: idle (not running, or paused), processing a batch
 *            (poll_ev pending), or blocked inside poll() waiting for `wait`. */
#ifndef CG_CONSUMER_H
#define CG_CONSUMER_H

#include "models/world_impl.h"

int cg_client_init(cg_client_t *c, struct cg_world *w, int32_t ci, char *err, size_t errlen);
void cg_client_fini(cg_client_t *c);
/* Engine handler: response message `arg` arrives at client `ctx`. */
void cg_client_on_msg(sim_t *sim, void *ctx, uint64_t arg);

/* Apply the accepted offsets of a successful commit response (m->ok per partition). */
void cg_client_commit_ok(cg_client_t *c, const cg_msg_t *m);

/* Fault operations; each returns false when it does not apply in the client's state. */
bool cg_client_start(cg_client_t *c);       /* a new process (join / restart) */
bool cg_client_crash(cg_client_t *c);       /* process dies: no commit, no LeaveGroup */
bool cg_client_close(cg_client_t *c);       /* clean close: commit, revoke, LeaveGroup */
bool cg_client_pause(cg_client_t *c);       /* stop calling poll() */
bool cg_client_hang(cg_client_t *c);        /* stop polling and heartbeating */
bool cg_client_resume(cg_client_t *c);      /* undo pause / hang */
bool cg_client_isolate(cg_client_t *c, bool on);  /* drop coordinator traffic both ways */

#endif
