/* sim/queue: the pending-event set, a radix heap of slot indexes.
 *
 * Events live in `slots`, a pool indexed by slot number. Times are compared as unsigned keys
 * (time_ns with its sign bit flipped), a digit of SIM_QUEUE_DIGIT_BITS (6) bits at a time.
 * `base` is the key of the latest minimum; an event with key k sits in bucket 0 when k == base,
 * else in bucket d << 6 | v, where d is the highest digit at which k differs from the base and v
 * is k's digit there (above the base's). Every pending key is >= base (the clock never goes
 * back), so bucket 0 holds the earliest events and the buckets' order is the keys' order.
 * Popping takes the head of bucket 0; when bucket 0 is empty, the lowest bucket that is not (a
 * bit scan of `occupied`) gives the new base, its minimum, and its events move to buckets of
 * lower digits (at most 11 moves per event over its life).
 *
 * Order among equal times: each bucket is a doubly linked list (links in `nodes`, so cancel and
 * reschedule remove an event in O(1)) kept in seq order: a push gets the largest seq so far and
 * goes to the tail; a bucket is emptied into lower buckets only when all of them are empty, in its
 * own order. Bucket 0, whose events share one time, is kept in (rank, seq) order: a plain event
 * (rank 0) goes to the tail as elsewhere, a ranked one (sim_queue_push_ranked) back past the
 * tail's later ranks, usually a step or none. So bucket 0's head is the earliest (time_ns, rank,
 * seq): the same order as a heap on that triple, event for event. A push before the base
 * rebuilds the buckets around it, in seq order: rare, since sim/sim clamps to now, moves the
 * base only to the event it runs next and peeks for prefetching without moving it; only a push
 * between two runs, after the first stopped at its end time, can land before the base.
 *
 * Why not the 4-ary heap that was here: a pop sifted the last leaf (usually a far timer) down
 * the whole depth, ~400 instructions per event on the first two minutes of bench/rolling_1000.json
 * (4,000 pending events). There an event moves 3.0 times with 6-bit digits (5.9 with 1-bit,
 * 3.75 with 4-bit; 8-bit digits cost more in bucket scans than they save in moves).
 *
 * A handle is (gen[slot] << 32) | (slot + 1). Freeing a slot bumps its generation, so a handle
 * kept after its event fired or was cancelled no longer matches and is refused. The slot part is
 * never 0, so 0 (SIM_HANDLE_NONE) is never a valid handle. Generations wrap after 2^32 reuses of
 * one slot; a handle that old could alias, which the engine's timer idiom never does. */
#include "sim/queue.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define SIM_QUEUE_MIN_CAP 64u                          /* first allocation, in slots */
#define SIM_QUEUE_MAX_CAP ((size_t)UINT32_MAX - 1u)    /* slot + 1 must fit in 32 bits */
#define SIM_QUEUE_POS_FREE UINT32_MAX                  /* pos[] of a free slot */
#define SIM_QUEUE_NIL UINT32_MAX                       /* end of a bucket list */
#define SIM_QUEUE_HINT_SCAN 8                          /* peek_hint looks at this many events */

static inline uint64_t key_of(int64_t time_ns)
{
    return (uint64_t)time_ns ^ (UINT64_C(1) << 63);
}

/* 0 for the base key, else (the highest digit where key differs from base) << DIGIT_BITS | key's
 * value there; that value is above base's, so a digit's buckets never use d << DIGIT_BITS | 0
 * and bucket 0 is free for the base. Bucket order is key order. */
static inline uint32_t bucket_of(uint64_t key, uint64_t base)
{
    if (key == base)
        return 0;
    uint32_t d = (63u - (uint32_t)__builtin_clzll(key ^ base)) / SIM_QUEUE_DIGIT_BITS;
    uint64_t mask = (UINT64_C(1) << SIM_QUEUE_DIGIT_BITS) - 1;
    return d << SIM_QUEUE_DIGIT_BITS | (uint32_t)(key >> (d * SIM_QUEUE_DIGIT_BITS) & mask);
}

static inline void occupied_set(sim_queue_t *q, uint32_t b)
{
    q->occupied[b / 64] |= UINT64_C(1) << (b % 64);
}

static inline void occupied_clear(sim_queue_t *q, uint32_t b)
{
    q->occupied[b / 64] &= ~(UINT64_C(1) << (b % 64));
}

/* The lowest non-empty bucket above 0, or 0 when there is none. */
static inline uint32_t lowest_occupied(const sim_queue_t *q)
{
    for (uint32_t w = 0; w < SIM_QUEUE_BUCKETS / 64; w++)
        if (q->occupied[w])
            return w * 64 + (uint32_t)__builtin_ctzll(q->occupied[w]);
    return 0;
}

static int queue_grow(sim_queue_t *q, size_t new_cap)
{
    if (new_cap > SIM_QUEUE_MAX_CAP || new_cap <= q->cap)
        return -1;
    /* realloc each array; on failure the old (still valid) arrays stay in place. */
    sim_queue_node_t *nodes = realloc(q->nodes, new_cap * sizeof *nodes);
    if (!nodes)
        return -1;
    q->nodes = nodes;
    uint32_t *pos = realloc(q->pos, new_cap * sizeof *pos);
    if (!pos)
        return -1;
    q->pos = pos;
    uint32_t *gen = realloc(q->gen, new_cap * sizeof *gen);
    if (!gen)
        return -1;
    q->gen = gen;
    sim_event_t *slots = realloc(q->slots, new_cap * sizeof *slots);
    if (!slots)
        return -1;
    q->slots = slots;
    uint32_t *free_list = realloc(q->free_list, new_cap * sizeof *free_list);
    if (!free_list)
        return -1;
    q->free_list = free_list;
    memset(q->slots + q->cap, 0, (new_cap - q->cap) * sizeof *slots);
    memset(q->nodes + q->cap, 0, (new_cap - q->cap) * sizeof *nodes);
    /* New slots go on the stack highest first so the lowest index is reused first. */
    for (size_t s = new_cap; s-- > q->cap;) {
        q->pos[s] = SIM_QUEUE_POS_FREE;
        q->gen[s] = 1;
        q->free_list[q->n_free++] = (uint32_t)s;
    }
    q->cap = new_cap;
    return 0;
}

int sim_queue_init(sim_queue_t *q, size_t initial_cap)
{
    memset(q, 0, sizeof *q);
    q->next_seq = 1;
    for (uint32_t b = 0; b < SIM_QUEUE_BUCKETS; b++)
        q->head[b] = q->tail[b] = SIM_QUEUE_NIL;
    if (initial_cap < SIM_QUEUE_MIN_CAP)
        initial_cap = SIM_QUEUE_MIN_CAP;
    if (queue_grow(q, initial_cap) != 0) {
        sim_queue_fini(q);
        return -1;
    }
    return 0;
}

void sim_queue_fini(sim_queue_t *q)
{
    free(q->nodes);
    free(q->pos);
    free(q->gen);
    free(q->slots);
    free(q->free_list);
    memset(q, 0, sizeof *q);
}

/* ---- bucket lists ---- */

/* Event of slot a goes before slot b's at the same time. */
static inline bool ahead_of(const sim_queue_t *q, uint32_t a, uint32_t b)
{
    const sim_event_t *x = &q->slots[a], *y = &q->slots[b];
    return x->rank < y->rank || (x->rank == y->rank && x->seq < y->seq);
}

/* Into bucket 0 behind the last event it does not go ahead of. */
static void insert0(sim_queue_t *q, uint32_t s)
{
    uint32_t after = q->tail[0];
    while (after != SIM_QUEUE_NIL && ahead_of(q, s, after))
        after = q->nodes[after].prev;
    sim_queue_node_t *n = &q->nodes[s];
    n->prev = after;
    n->next = after == SIM_QUEUE_NIL ? q->head[0] : q->nodes[after].next;
    if (after == SIM_QUEUE_NIL)
        q->head[0] = s;
    else
        q->nodes[after].next = s;
    if (n->next == SIM_QUEUE_NIL)
        q->tail[0] = s;
    else
        q->nodes[n->next].prev = s;
    q->pos[s] = 0;
}

static inline void list_append(sim_queue_t *q, uint32_t b, uint32_t s)
{
    if (b == 0 && q->tail[0] != SIM_QUEUE_NIL && ahead_of(q, s, q->tail[0])) {
        insert0(q, s);
        return;
    }
    sim_queue_node_t *n = &q->nodes[s];
    n->next = SIM_QUEUE_NIL;
    n->prev = q->tail[b];
    if (q->tail[b] == SIM_QUEUE_NIL)
        q->head[b] = s;
    else
        q->nodes[q->tail[b]].next = s;
    q->tail[b] = s;
    q->pos[s] = b;
    if (b > 0)
        occupied_set(q, b);
}

static inline void list_remove(sim_queue_t *q, uint32_t s)
{
    uint32_t b = q->pos[s];
    const sim_queue_node_t *n = &q->nodes[s];
    if (n->prev == SIM_QUEUE_NIL)
        q->head[b] = n->next;
    else
        q->nodes[n->prev].next = n->next;
    if (n->next == SIM_QUEUE_NIL)
        q->tail[b] = n->prev;
    else
        q->nodes[n->next].prev = n->prev;
    if (b > 0 && q->head[b] == SIM_QUEUE_NIL)
        occupied_clear(q, b);
}

/* Bucket 0 empty: make the lowest non-empty bucket's minimum the base and spread that bucket
 * over the buckets below it, in its own (seq) order. No-op when bucket 0 has events or none are
 * pending. */
static void settle(sim_queue_t *q)
{
    if (q->head[0] != SIM_QUEUE_NIL)
        return;
    uint32_t b = lowest_occupied(q);
    if (b == 0)
        return;
    uint64_t min = UINT64_MAX;
    for (uint32_t s = q->head[b]; s != SIM_QUEUE_NIL; s = q->nodes[s].next)
        min = q->nodes[s].key < min ? q->nodes[s].key : min;
    q->base = min;
    uint32_t s = q->head[b];
    q->head[b] = q->tail[b] = SIM_QUEUE_NIL;
    occupied_clear(q, b);
    while (s != SIM_QUEUE_NIL) {
        uint32_t next = q->nodes[s].next;
        list_append(q, bucket_of(q->nodes[s].key, min), s);
        s = next;
    }
}

typedef struct seq_slot {
    uint64_t seq;
    uint32_t slot;
} seq_slot_t;

static int cmp_seq(const void *a, const void *b)
{
    uint64_t x = ((const seq_slot_t *)a)->seq, y = ((const seq_slot_t *)b)->seq;
    return (x > y) - (x < y);
}

/* A key below the base (a push between two runs: see the file comment): every pending event is
 * bucketed again around `key`, in seq order. -1 when out of memory (nothing changed). */
static int rebase(sim_queue_t *q, uint64_t key)
{
    seq_slot_t *all = malloc((q->len ? q->len : 1) * sizeof *all);
    if (!all)
        return -1;
    size_t n = 0;
    for (uint32_t b = 0; b < SIM_QUEUE_BUCKETS; b++) {
        for (uint32_t s = q->head[b]; s != SIM_QUEUE_NIL; s = q->nodes[s].next)
            all[n++] = (seq_slot_t){q->slots[s].seq, s};
        q->head[b] = q->tail[b] = SIM_QUEUE_NIL;
    }
    qsort(all, n, sizeof *all, cmp_seq);   /* seqs are unique: a total order */
    memset(q->occupied, 0, sizeof q->occupied);
    q->base = key;
    for (size_t i = 0; i < n; i++)
        list_append(q, bucket_of(q->nodes[all[i].slot].key, key), all[i].slot);
    free(all);
    return 0;
}

/* Room for `key` below the base (rare: see the file comment); -1 when out of memory. */
static inline int admit(sim_queue_t *q, uint64_t key)
{
    return key < q->base ? rebase(q, key) : 0;
}

/* Take pending slot s out of its bucket and back to the pool (pop and cancel). */
static void slot_drop(sim_queue_t *q, uint32_t s)
{
    list_remove(q, s);
    q->pos[s] = SIM_QUEUE_POS_FREE;
    q->gen[s]++;
    q->free_list[q->n_free++] = s;
    q->len--;
}

/* Slot of a pending event's handle, or UINT32_MAX when the handle is stale or invalid. */
static uint32_t handle_slot(const sim_queue_t *q, sim_handle_t h)
{
    uint64_t lo = h & UINT64_C(0xffffffff);
    if (lo == 0 || lo > q->cap)
        return UINT32_MAX;
    uint32_t s = (uint32_t)(lo - 1);
    if (q->gen[s] != (uint32_t)(h >> 32) || q->pos[s] == SIM_QUEUE_POS_FREE)
        return UINT32_MAX;
    return s;
}

sim_handle_t sim_queue_push(sim_queue_t *q, int64_t time_ns, sim_handler_fn fn, void *ctx,
                            uint64_t arg)
{
    return sim_queue_push_ranked(q, time_ns, 0, fn, ctx, arg);
}

sim_handle_t sim_queue_push_ranked(sim_queue_t *q, int64_t time_ns, uint64_t rank,
                                   sim_handler_fn fn, void *ctx, uint64_t arg)
{
    if (q->n_free == 0 && queue_grow(q, q->cap ? q->cap * 2 : SIM_QUEUE_MIN_CAP) != 0)
        return SIM_HANDLE_NONE;
    assert(q->len + q->n_free == q->cap);
    uint64_t key = key_of(time_ns);
    if (admit(q, key) != 0)
        return SIM_HANDLE_NONE;
    uint32_t s = q->free_list[--q->n_free];
    sim_event_t *ev = &q->slots[s];
    ev->time_ns = time_ns;
    ev->seq = q->next_seq++;
    ev->rank = rank;
    ev->fn = fn;
    ev->ctx = ctx;
    ev->arg = arg;
    q->nodes[s].key = key;
    list_append(q, bucket_of(key, q->base), s);   /* the largest seq: the tail keeps the order */
    q->len++;
    return ((uint64_t)q->gen[s] << 32) | ((uint64_t)s + 1);
}

bool sim_queue_pop(sim_queue_t *q, sim_event_t *out)
{
    if (q->len == 0)
        return false;
    settle(q);
    uint32_t s = q->head[0];
    *out = q->slots[s];
    slot_drop(q, s);
    return true;
}

const sim_event_t *sim_queue_peek(sim_queue_t *q)
{
    if (q->len == 0)
        return NULL;
    settle(q);
    return &q->slots[q->head[0]];
}

const sim_event_t *sim_queue_peek_hint(const sim_queue_t *q)
{
    if (q->head[0] != SIM_QUEUE_NIL)
        return &q->slots[q->head[0]];
    uint32_t b = lowest_occupied(q);
    if (b == 0)
        return NULL;
    uint32_t best = q->head[b], s = best;
    for (int i = 0; i < SIM_QUEUE_HINT_SCAN && s != SIM_QUEUE_NIL; i++, s = q->nodes[s].next)
        best = q->nodes[s].key < q->nodes[best].key ? s : best;
    return s == SIM_QUEUE_NIL ? &q->slots[best] : NULL;
}

bool sim_queue_cancel(sim_queue_t *q, sim_handle_t h)
{
    uint32_t s = handle_slot(q, h);
    if (s == UINT32_MAX)
        return false;
    slot_drop(q, s);
    return true;
}

bool sim_queue_reschedule(sim_queue_t *q, sim_handle_t h, int64_t time_ns)
{
    uint32_t s = handle_slot(q, h);
    if (s == UINT32_MAX)
        return false;
    uint64_t key = key_of(time_ns);
    if (admit(q, key) != 0)
        return false;   /* out of memory: the event stays as it was */
    list_remove(q, s);
    q->nodes[s].key = key;
    q->slots[s].time_ns = time_ns;
    q->slots[s].seq = q->next_seq++;
    list_append(q, bucket_of(key, q->base), s);   /* a new seq, the largest */
    return true;
}

bool sim_queue_pending(const sim_queue_t *q, sim_handle_t h)
{
    return handle_slot(q, h) != UINT32_MAX;
}

int64_t sim_queue_time(const sim_queue_t *q, sim_handle_t h)
{
    uint32_t s = handle_slot(q, h);
    return s == UINT32_MAX ? INT64_MAX : q->slots[s].time_ns;
}

size_t sim_queue_len(const sim_queue_t *q)
{
    return q->len;
}
