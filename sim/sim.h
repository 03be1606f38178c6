/* sim/sim: the engine. One `sim_t` holds the virtual clock and the event queue.
 * Owns: the clock (int64 ns, never goes back), the run loop, event counting, stop requests.
 * Does not own: any model state; knows nothing of Kafka. No globals: every call takes `sim`.
 * Invariant: now_ns only increases; an event is never scheduled before now_ns. */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include "sim/queue.h"

#define SIM_NS_PER_MS INT64_C(1000000)
#define SIM_NS_PER_S INT64_C(1000000000)
#define SIM_TIME_MAX INT64_MAX

typedef enum sim_stop_reason {
    SIM_STOP_EMPTY = 0,               /* no event left */
    SIM_STOP_END_TIME,                /* next event is past the end time */
    SIM_STOP_EVENT_LIMIT,             /* max_events executed */
    SIM_STOP_REQUESTED,               /* sim_stop() was called (by a handler or a signal flag) */
    SIM_STOP_ERROR                    /* out of memory while scheduling */
} sim_stop_reason_t;

typedef struct sim {
    sim_queue_t queue;                /* pending events */
    int64_t now_ns;                   /* virtual clock */
    uint64_t events;                  /* events executed so far */
    volatile int stop_requested;      /* set by sim_stop; may be set from a signal handler */
    int oom;                          /* a schedule failed for lack of memory */
} sim_t;

int sim_init(sim_t *sim);             /* 0 or -1 */
void sim_fini(sim_t *sim);
static inline int64_t sim_now(const sim_t *sim) { return sim->now_ns; }
/* Schedule fn(sim, ctx, arg) at time_ns (>= now; earlier is clamped to now and asserted in debug). */
sim_handle_t sim_schedule(sim_t *sim, int64_t time_ns, sim_handler_fn fn, void *ctx, uint64_t arg);
sim_handle_t sim_schedule_in(sim_t *sim, int64_t delay_ns, sim_handler_fn fn, void *ctx,
                             uint64_t arg);
bool sim_cancel(sim_t *sim, sim_handle_t h);
/* Reschedule a pending event; if the handle is stale nothing happens and false is returned. */
bool sim_reschedule(sim_t *sim, sim_handle_t h, int64_t time_ns);
/* Cancel *h if pending and set it to SIM_HANDLE_NONE (the common timer idiom). */
void sim_timer_clear(sim_t *sim, sim_handle_t *h);
/* Set timer *h to fire at time_ns: reschedule if pending, else schedule anew. */
void sim_timer_set(sim_t *sim, sim_handle_t *h, int64_t time_ns, sim_handler_fn fn, void *ctx,
                   uint64_t arg);
/* A deadline that moves often (a session pushed back by every heartbeat) costs one pending event:
 * later deadlines only update at_ns and the handler re-arms itself when it fires early (it clears
 * h first, then calls sim_deadline_set with at_ns if now < at_ns); an earlier deadline moves the
 * event, or it would fire late. */
typedef struct sim_deadline {
    int64_t at_ns;                    /* the deadline */
    int64_t timer_ns;                 /* when the pending event fires */
    sim_handle_t h;                   /* the pending event, SIM_HANDLE_NONE none */
} sim_deadline_t;
void sim_deadline_set(sim_t *sim, sim_deadline_t *d, int64_t at_ns, sim_handler_fn fn, void *ctx,
                      uint64_t arg);
/* Run events with time <= end_ns, at most max_events of them (0 = no limit). The clock ends at
 * end_ns when the queue runs past it. */
sim_stop_reason_t sim_run(sim_t *sim, int64_t end_ns, uint64_t max_events);
/* Move the clock forward to t_ns (a run that ran out of events still ends at its end); never
 * back. */
void sim_advance_to(sim_t *sim, int64_t t_ns);
/* Ranked events: at one instant they run after the plain events of that instant, in order of
 * rank (then scheduling order), wherever and whenever they were scheduled. An entity whose
 * events carry its own rank keeps one place among them even when it schedules them early (the
 * run-ahead of models/client). rank < UINT64_MAX. */
sim_handle_t sim_schedule_ranked(sim_t *sim, int64_t time_ns, uint64_t rank, sim_handler_fn fn,
                                 void *ctx, uint64_t arg);
void sim_timer_set_ranked(sim_t *sim, sim_handle_t *h, int64_t time_ns, uint64_t rank,
                          sim_handler_fn fn, void *ctx, uint64_t arg);
/* When the pending event h fires, INT64_MAX when h is not pending. */
int64_t sim_pending_time(const sim_t *sim, sim_handle_t h);
/* Run-ahead: a handler that can tell nothing else touches or observes its entity before time t
 * executes the entity's next event itself, in place of scheduling it: the clock reads t while it
 * does (and counts the event as executed), then goes back to the handler's own time. The caller
 * answers for the equivalence (models/client/runahead.c). */
static inline void sim_inline_event(sim_t *sim, int64_t t_ns)
{
    sim->now_ns = t_ns;
    sim->events++;
}
static inline void sim_inline_end(sim_t *sim, int64_t now_ns) { sim->now_ns = now_ns; }
void sim_stop(sim_t *sim);

#endif
