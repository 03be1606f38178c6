/* sim/sim: the engine loop. Pops the earliest event, advances the clock to it and calls its
 * handler, until the queue is empty, the next event lies past the end time, an event limit is hit
 * or a stop is requested. Handlers schedule further events through the same `sim_t`.
 *
 * Stop requests are checked before every event, so a handler that calls sim_stop() ends the run
 * right after it returns. Like libuv's uv_run(), sim_run() clears the request when it returns, so a
 * later sim_run() continues where the stopped one left off.
 *
 * Scheduling before now_ns is a programmer error (the clock never goes back): asserted, and
 * clamped to now_ns should asserts ever be compiled out. */
#include "sim/sim.h"

#include <assert.h>
#include <string.h>

#define SIM_INITIAL_EVENTS 1024u      /* queue slots allocated at init */
#define SIM_PREFETCH_LINES 6          /* cache lines of the next event context prefetched */

int sim_init(sim_t *sim)
{
    memset(sim, 0, sizeof *sim);
    return sim_queue_init(&sim->queue, SIM_INITIAL_EVENTS);
}

void sim_fini(sim_t *sim)
{
    sim_queue_fini(&sim->queue);
    sim->events = 0;
    sim->now_ns = 0;
}

/* Push at time_ns (clamped to now) with the queue's rank: 0 plain, rank + 1 ranked. */
static inline sim_handle_t push(sim_t *sim, int64_t time_ns, uint64_t queue_rank,
                                sim_handler_fn fn, void *ctx, uint64_t arg)
{
    assert(fn != NULL);
    assert(time_ns >= sim->now_ns);
    if (time_ns < sim->now_ns)
        time_ns = sim->now_ns;
    sim_handle_t h = sim_queue_push_ranked(&sim->queue, time_ns, queue_rank, fn, ctx, arg);
    if (h == SIM_HANDLE_NONE)
        sim->oom = 1;
    return h;
}

sim_handle_t sim_schedule(sim_t *sim, int64_t time_ns, sim_handler_fn fn, void *ctx, uint64_t arg)
{
    return push(sim, time_ns, 0, fn, ctx, arg);
}

sim_handle_t sim_schedule_in(sim_t *sim, int64_t delay_ns, sim_handler_fn fn, void *ctx,
                             uint64_t arg)
{
    assert(delay_ns >= 0);
    if (delay_ns < 0)
        delay_ns = 0;
    /* Saturate instead of overflowing: "never" is SIM_TIME_MAX. */
    int64_t t = delay_ns > SIM_TIME_MAX - sim->now_ns ? SIM_TIME_MAX : sim->now_ns + delay_ns;
    return sim_schedule(sim, t, fn, ctx, arg);
}

bool sim_cancel(sim_t *sim, sim_handle_t h)
{
    return sim_queue_cancel(&sim->queue, h);
}

sim_handle_t sim_schedule_ranked(sim_t *sim, int64_t time_ns, uint64_t rank, sim_handler_fn fn,
                                 void *ctx, uint64_t arg)
{
    assert(rank < UINT64_MAX);
    return push(sim, time_ns, rank + 1, fn, ctx, arg);
}

void sim_timer_set_ranked(sim_t *sim, sim_handle_t *h, int64_t time_ns, uint64_t rank,
                          sim_handler_fn fn, void *ctx, uint64_t arg)
{
    sim_timer_clear(sim, h);
    *h = sim_schedule_ranked(sim, time_ns, rank, fn, ctx, arg);
}

bool sim_reschedule(sim_t *sim, sim_handle_t h, int64_t time_ns)
{
    assert(!sim_queue_pending(&sim->queue, h) || time_ns >= sim->now_ns);
    if (time_ns < sim->now_ns)
        time_ns = sim->now_ns;
    return sim_queue_reschedule(&sim->queue, h, time_ns);
}

void sim_timer_clear(sim_t *sim, sim_handle_t *h)
{
    if (*h != SIM_HANDLE_NONE)
        sim_cancel(sim, *h);
    *h = SIM_HANDLE_NONE;
}

void sim_timer_set(sim_t *sim, sim_handle_t *h, int64_t time_ns, sim_handler_fn fn, void *ctx,
                   uint64_t arg)
{
    /* A pending timer is cancelled and pushed anew rather than rescheduled so that fn, ctx and
     * arg always take the new values; the order is the same (a fresh seq either way). */
    sim_timer_clear(sim, h);
    *h = sim_schedule(sim, time_ns, fn, ctx, arg);
}

void sim_deadline_set(sim_t *sim, sim_deadline_t *d, int64_t at_ns, sim_handler_fn fn, void *ctx,
                      uint64_t arg)
{
    d->at_ns = at_ns;
    if (d->h != SIM_HANDLE_NONE && at_ns >= d->timer_ns)
        return;
    sim_timer_set(sim, &d->h, at_ns, fn, ctx, arg);
    d->timer_ns = at_ns < sim->now_ns ? sim->now_ns : at_ns;
}

/* Start loading the first lines of the next event's context (usually the entity it belongs
 * to) while the current event runs: with thousands of entities each one is a cache miss. */
static inline void prefetch_next(const sim_t *sim)
{
    const sim_event_t *nx = sim_queue_peek_hint(&sim->queue);
    if (nx && nx->ctx) {
        const char *p = nx->ctx;
        for (int i = 0; i < SIM_PREFETCH_LINES; i++)
            __builtin_prefetch(p + 64 * i);
    }
}

sim_stop_reason_t sim_run(sim_t *sim, int64_t end_ns, uint64_t max_events)
{
    uint64_t done = 0;
    sim_stop_reason_t why;
    sim_event_t ev;
    for (;;) {
        if (sim->oom) {
            why = SIM_STOP_ERROR;
            break;
        }
        if (sim->stop_requested) {
            why = SIM_STOP_REQUESTED;
            break;
        }
        const sim_event_t *next = sim_queue_peek(&sim->queue);
        if (!next) {
            why = SIM_STOP_EMPTY;
            break;
        }
        if (next->time_ns > end_ns) {
            if (end_ns > sim->now_ns)
                sim->now_ns = end_ns;
            why = SIM_STOP_END_TIME;
            break;
        }
        if (max_events && done >= max_events) {
            why = SIM_STOP_EVENT_LIMIT;
            break;
        }
        sim_queue_pop(&sim->queue, &ev);
        prefetch_next(sim);
        assert(ev.time_ns >= sim->now_ns);
        sim->now_ns = ev.time_ns;
        sim->events++;
        done++;
        ev.fn(sim, ev.ctx, ev.arg);
    }
    sim->stop_requested = 0;
    return why;
}

void sim_stop(sim_t *sim)
{
    sim->stop_requested = 1;
}

int64_t sim_pending_time(const sim_t *sim, sim_handle_t h)
{
    return sim_queue_time(&sim->queue, h);
}

void sim_advance_to(sim_t *sim, int64_t t_ns)
{
    if (t_ns > sim->now_ns)
        sim->now_ns = t_ns;
}
