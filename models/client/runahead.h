/* models/client/runahead: when a member may run its next polls at once (client.c, on_poll_ev).
 *
 * A member that keeps up polls every few records, and each poll was an engine event. Between
 * its own events (heartbeat tick, messages, timers) and the events that may touch any client
 * (fault steps, lag samples, the run's end), nothing else reads or writes what its polls do:
 * its fetch table, positions and processing stream, the group's slots of partitions only it
 * fetches, and those partitions' logs. So on_poll_ev runs the next polls at once, each at its
 * own time on the clock, while cg_ahead_allows them, and schedules the first it does not: the
 * same polls at the same times with the same draws, in another order only relative to events
 * they cannot affect or observe; polls are ranked events (sim.h), so an instant's order does not
 * depend on when its polls were scheduled. --no-run-ahead turns it
 * off; the swarm test compares the two traces byte for byte (tests/test_cg_swarm.c). */
#ifndef CG_RUNAHEAD_H
#define CG_RUNAHEAD_H

#include <stdbool.h>
#include <stdint.h>
#include "models/client/client.h"

/* Inside c's poll event (c->ahead_from its time), with a batch just fetched: whether the poll
 * at `end`, when the batch is processed, may run at once. */
bool cg_ahead_allows(cg_client_t *c, int64_t end);
/* Count c's fetch table in the world's holders again (after it changed). */
void cg_ahead_hold_sync(cg_client_t *c);

#endif
