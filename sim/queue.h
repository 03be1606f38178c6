/* sim/queue: the pending-event set of the engine.
 * Owns: an array-backed 4-ary min-heap of event slots and the slot pool; handles for cancel and
 *       reschedule. Does not own: the clock or what events mean (handlers are opaque).
 * Invariant: heap[i] is not later than its children under the order (time_ns, seq); seq is unique
 *            and assigned at push, so equal times pop in scheduling order. */
#ifndef SIM_QUEUE_H
#define SIM_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t sim_handle_t;        /* 0 is never a valid handle */
#define SIM_HANDLE_NONE ((sim_handle_t)0)

struct sim;
typedef void (*sim_handler_fn)(struct sim *sim, void *ctx, uint64_t arg);

typedef struct sim_event {
    int64_t time_ns;                  /* when the event fires */
    uint64_t seq;                     /* scheduling order, breaks ties */
    sim_handler_fn fn;                /* handler */
    void *ctx;                        /* handler context (entity) */
    uint64_t arg;                     /* small payload */
} sim_event_t;

typedef struct sim_queue_key {
    int64_t time_ns;                  /* copy of the event's time_ns */
    uint64_t seq;                     /* copy of the event's seq */
} sim_queue_key_t;

typedef struct sim_queue {
    uint32_t *heap;                   /* slot indexes in heap order */
    sim_queue_key_t *keys;            /* keys[i] = (time_ns, seq) of heap[i], sifted together */
    uint32_t *pos;                    /* pos[slot] = index in heap, UINT32_MAX when free */
    uint32_t *gen;                    /* gen[slot]: bumped on free, stale handles fail */
    sim_event_t *slots;               /* event storage, by slot */
    uint32_t *free_list;              /* free slot indexes (stack) */
    size_t n_free;                    /* entries in free_list */
    size_t len;                       /* events pending */
    size_t cap;                       /* slots allocated */
    uint64_t next_seq;                /* next sequence number */
} sim_queue_t;

int sim_queue_init(sim_queue_t *q, size_t initial_cap);   /* 0 or -1 (out of memory) */
void sim_queue_fini(sim_queue_t *q);
/* Push an event; returns its handle, or SIM_HANDLE_NONE when memory runs out. */
sim_handle_t sim_queue_push(sim_queue_t *q, int64_t time_ns, sim_handler_fn fn, void *ctx,
                            uint64_t arg);
/* Pop the earliest event into *out; false when empty. */
bool sim_queue_pop(sim_queue_t *q, sim_event_t *out);
/* Earliest pending event without removing it, or NULL. */
const sim_event_t *sim_queue_peek(const sim_queue_t *q);
/* Cancel a pending event; false if the handle is stale (already fired or cancelled). */
bool sim_queue_cancel(sim_queue_t *q, sim_handle_t h);
/* Move a pending event to a new time (it gets a new seq, as if scheduled now); false if stale. */
bool sim_queue_reschedule(sim_queue_t *q, sim_handle_t h, int64_t time_ns);
/* True while the handle refers to a pending event. */
bool sim_queue_pending(const sim_queue_t *q, sim_handle_t h);
size_t sim_queue_len(const sim_queue_t *q);

#endif
