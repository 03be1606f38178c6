/* sim/queue: the pending-event set of the engine.
 * Owns: a radix heap of event slots (bucket lists keyed by the highest digit where an event's
 *       time differs from the base, and that digit's value) and the slot pool; handles
 *       for cancel and reschedule. Does not own: the clock or what events mean (handlers are
 *       opaque).
 * Invariant: bucket 0 holds the events at the base time, bucket d << SIM_QUEUE_DIGIT_BITS | v
 *            those whose time differs from it first at digit d, where it is v, all later; each bucket's list is in
 *            seq order. seq is unique and assigned at push, so equal times pop in scheduling
 *            order. */
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
    uint64_t rank;                    /* before seq at one time: 0 for a plain event */
    sim_handler_fn fn;                /* handler */
    void *ctx;                        /* handler context (entity) */
    uint64_t arg;                     /* small payload */
} sim_event_t;

#define SIM_QUEUE_DIGIT_BITS 6         /* keys are compared a digit of this many bits at a time */
#define SIM_QUEUE_DIGITS ((64 + SIM_QUEUE_DIGIT_BITS - 1) / SIM_QUEUE_DIGIT_BITS)
/* 0: the base key; digit << SIM_QUEUE_DIGIT_BITS | value for the others (a multiple of 64) */
#define SIM_QUEUE_BUCKETS (((SIM_QUEUE_DIGITS << SIM_QUEUE_DIGIT_BITS) + 63) / 64 * 64)

typedef struct sim_queue_node {
    uint64_t key;                     /* the event's time_ns in unsigned order (sign bit flipped) */
    uint32_t next, prev;              /* neighbours in the bucket's list, UINT32_MAX at the ends */
} sim_queue_node_t;

typedef struct sim_queue {
    sim_queue_node_t *nodes;          /* by slot: key and list links */
    uint32_t *pos;                    /* pos[slot] = its bucket, UINT32_MAX when free */
    uint32_t *gen;                    /* gen[slot]: bumped on free, stale handles fail */
    sim_event_t *slots;               /* event storage, by slot */
    uint32_t *free_list;              /* free slot indexes (stack) */
    uint32_t head[SIM_QUEUE_BUCKETS]; /* first slot of each bucket's list, in seq order */
    uint32_t tail[SIM_QUEUE_BUCKETS]; /* last slot of each list */
    uint64_t occupied[SIM_QUEUE_BUCKETS / 64];   /* bit b set when bucket b (> 0) holds events */
    uint64_t base;                    /* the radix base: the key of the latest minimum */
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
/* At its time after the plain events and the lower ranks, whenever it was pushed (rank >= 1). */
sim_handle_t sim_queue_push_ranked(sim_queue_t *q, int64_t time_ns, uint64_t rank,
                                   sim_handler_fn fn, void *ctx, uint64_t arg);
/* Pop the earliest event into *out; false when empty. */
bool sim_queue_pop(sim_queue_t *q, sim_event_t *out);
/* Earliest pending event without removing it, or NULL (it may reorganise the buckets). */
const sim_event_t *sim_queue_peek(sim_queue_t *q);
/* The earliest pending event when it is cheap to tell without reorganising the buckets (bucket 0,
 * or a lower bucket of a few events), else NULL: for prefetching; the buckets' base stays, so a
 * handler may still schedule before the event it returns. */
const sim_event_t *sim_queue_peek_hint(const sim_queue_t *q);
/* Cancel a pending event; false if the handle is stale (already fired or cancelled). */
bool sim_queue_cancel(sim_queue_t *q, sim_handle_t h);
/* Move a pending event to a new time (it gets a new seq, as if scheduled now); false if stale. */
bool sim_queue_reschedule(sim_queue_t *q, sim_handle_t h, int64_t time_ns);
/* True while the handle refers to a pending event. */
bool sim_queue_pending(const sim_queue_t *q, sim_handle_t h);
size_t sim_queue_len(const sim_queue_t *q);
int64_t sim_queue_time(const sim_queue_t *q, sim_handle_t h);   /* INT64_MAX: not pending */

#endif
