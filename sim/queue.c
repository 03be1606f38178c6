/* sim/queue: the pending-event set, an array-backed 4-ary min-heap of slot indexes.
 *
 * Events live in `slots`, a pool indexed by slot number; `heap` holds slot numbers in heap order
 * and `pos[slot]` is the slot's index in `heap`, so cancel and reschedule find an event in O(1)
 * and repair the heap in O(log n). Free slots sit on a stack (`free_list`); at all times
 * cap == len + n_free. Arrays grow by doubling, so push and pop do not allocate in steady state.
 *
 * A handle is (gen[slot] << 32) | (slot + 1). Freeing a slot bumps its generation, so a handle
 * kept after its event fired or was cancelled no longer matches and is refused. The slot part is
 * never 0, so 0 (SIM_HANDLE_NONE) is never a valid handle. Generations wrap after 2^32 reuses of
 * one slot; a handle that old could alias, which the engine's timer idiom never does.
 *
 * Sifting moves a hole instead of swapping (one store per level), and a 4-ary heap halves the depth
 * of a binary one. The order keys (time_ns, seq) are copied into `keys`, an array parallel to
 * `heap`, so a sift compares keys that sit next to each other instead of chasing slot indexes into
 * the 40-byte events (a cache miss per child on a large queue). `keys` starts SIM_QUEUE_KEY_PAD
 * entries into a 64-byte aligned block, so the four children 4i+1..4i+4 share one cache line.
 * The slot keeps its own copy of time_ns and seq for peek and pop. */
#include "sim/queue.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define SIM_QUEUE_MIN_CAP 64u                          /* first allocation, in slots */
#define SIM_QUEUE_MAX_CAP ((size_t)UINT32_MAX - 1u)    /* slot + 1 must fit in 32 bits */
#define SIM_QUEUE_POS_FREE UINT32_MAX                  /* pos[] of a free slot */
#define SIM_QUEUE_ARITY 4u
#define SIM_QUEUE_LINE_BYTES 64u                       /* cache line: alignment of `keys` */
#define SIM_QUEUE_KEY_PAD 3u                           /* keys[1] starts a cache line */

/* Strict order (time_ns, seq); seq is unique, so two distinct events never compare equal. */
static inline bool key_before(const sim_queue_key_t *a, const sim_queue_key_t *b)
{
    return a->time_ns < b->time_ns || (a->time_ns == b->time_ns && a->seq < b->seq);
}

/* key_before as 0 or 1 computed without a branch: the order (time_ns, seq) is the unsigned order
 * of the 128-bit number (time_ns with its sign bit flipped, seq), whose comparison compiles to
 * a subtract with borrow. Child comparisons in a sift are unpredictable, so this is cheaper than
 * the short-circuit form. */
static inline size_t key_before_sel(const sim_queue_key_t *a, const sim_queue_key_t *b)
{
    __extension__ typedef unsigned __int128 u128;
    const uint64_t flip = UINT64_C(1) << 63;
    u128 ka = ((u128)((uint64_t)a->time_ns ^ flip) << 64) | a->seq;
    u128 kb = ((u128)((uint64_t)b->time_ns ^ flip) << 64) | b->seq;
    return ka < kb;
}

/* A key array for new_cap entries, aligned as the file comment says, with the first `len`
 * entries of `old` copied; NULL when out of memory (old is left alone). */
static sim_queue_key_t *keys_alloc(const sim_queue_key_t *old, size_t len, size_t new_cap)
{
    size_t bytes = (new_cap + SIM_QUEUE_KEY_PAD) * sizeof(sim_queue_key_t);
    bytes = (bytes + SIM_QUEUE_LINE_BYTES - 1) / SIM_QUEUE_LINE_BYTES * SIM_QUEUE_LINE_BYTES;
    sim_queue_key_t *base = aligned_alloc(SIM_QUEUE_LINE_BYTES, bytes);
    if (!base)
        return NULL;
    sim_queue_key_t *keys = base + SIM_QUEUE_KEY_PAD;
    if (len)
        memcpy(keys, old, len * sizeof *keys);
    return keys;
}

static void keys_free(sim_queue_key_t *keys)
{
    if (keys)
        free(keys - SIM_QUEUE_KEY_PAD);
}

static int queue_grow(sim_queue_t *q, size_t new_cap)
{
    if (new_cap > SIM_QUEUE_MAX_CAP || new_cap <= q->cap)
        return -1;
    /* realloc each array; on failure the old (still valid) arrays stay in place. */
    uint32_t *heap = realloc(q->heap, new_cap * sizeof *heap);
    if (!heap)
        return -1;
    q->heap = heap;
    sim_queue_key_t *keys = keys_alloc(q->keys, q->len, new_cap);
    if (!keys)
        return -1;
    keys_free(q->keys);
    q->keys = keys;
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
    free(q->heap);
    keys_free(q->keys);
    free(q->pos);
    free(q->gen);
    free(q->slots);
    free(q->free_list);
    memset(q, 0, sizeof *q);
}

/* Move the event in slot `s` with key `k` up from heap index `i` (a hole) to its place. */
static void sift_up(sim_queue_t *q, size_t i, uint32_t s, sim_queue_key_t k)
{
    uint32_t *heap = q->heap;
    sim_queue_key_t *keys = q->keys;
    while (i > 0) {
        size_t parent = (i - 1) / SIM_QUEUE_ARITY;
        if (!key_before(&k, &keys[parent]))
            break;
        uint32_t ps = heap[parent];
        heap[i] = ps;
        keys[i] = keys[parent];
        q->pos[ps] = (uint32_t)i;
        i = parent;
    }
    heap[i] = s;
    keys[i] = k;
    q->pos[s] = (uint32_t)i;
}

/* Move the event in slot `s` with key `k` down from heap index `i` (a hole) to its place. */
static void sift_down(sim_queue_t *q, size_t i, uint32_t s, sim_queue_key_t k)
{
    uint32_t *heap = q->heap;
    sim_queue_key_t *keys = q->keys;
    size_t n = q->len;
    for (;;) {
        size_t first = i * SIM_QUEUE_ARITY + 1;
        if (first >= n)
            break;
        size_t best;
        if (first + SIM_QUEUE_ARITY <= n) {   /* four children: a branch-free tournament */
            size_t b01 = first + key_before_sel(&keys[first + 1], &keys[first]);
            size_t b23 = first + 2 + key_before_sel(&keys[first + 3], &keys[first + 2]);
            best = key_before_sel(&keys[b23], &keys[b01]) ? b23 : b01;
        } else {
            best = first;
            for (size_t c = first + 1; c < n; c++)
                if (key_before(&keys[c], &keys[best]))
                    best = c;
        }
        if (!key_before(&keys[best], &k))
            break;
        uint32_t bs = heap[best];
        heap[i] = bs;
        keys[i] = keys[best];
        q->pos[bs] = (uint32_t)i;
        i = best;
    }
    heap[i] = s;
    keys[i] = k;
    q->pos[s] = (uint32_t)i;
}

/* Put slot `s` with key `k`, whose key changed or which was placed at index `i`, where it
 * belongs. */
static void heap_fix(sim_queue_t *q, size_t i, uint32_t s, sim_queue_key_t k)
{
    if (i > 0 && key_before(&k, &q->keys[(i - 1) / SIM_QUEUE_ARITY]))
        sift_up(q, i, s, k);
    else
        sift_down(q, i, s, k);
}

static void slot_release(sim_queue_t *q, uint32_t s)
{
    q->pos[s] = SIM_QUEUE_POS_FREE;
    q->gen[s]++;
    q->free_list[q->n_free++] = s;
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
    if (q->n_free == 0 && queue_grow(q, q->cap ? q->cap * 2 : SIM_QUEUE_MIN_CAP) != 0)
        return SIM_HANDLE_NONE;
    assert(q->len + q->n_free == q->cap);
    uint32_t s = q->free_list[--q->n_free];
    sim_event_t *ev = &q->slots[s];
    ev->time_ns = time_ns;
    ev->seq = q->next_seq++;
    ev->fn = fn;
    ev->ctx = ctx;
    ev->arg = arg;
    size_t i = q->len++;
    sift_up(q, i, s, (sim_queue_key_t){time_ns, ev->seq});
    return ((uint64_t)q->gen[s] << 32) | ((uint64_t)s + 1);
}

bool sim_queue_pop(sim_queue_t *q, sim_event_t *out)
{
    if (q->len == 0)
        return false;
    uint32_t s = q->heap[0];
    *out = q->slots[s];
    slot_release(q, s);
    size_t last = --q->len;
    if (last > 0)
        sift_down(q, 0, q->heap[last], q->keys[last]);
    return true;
}

const sim_event_t *sim_queue_peek(const sim_queue_t *q)
{
    return q->len ? &q->slots[q->heap[0]] : NULL;
}

bool sim_queue_cancel(sim_queue_t *q, sim_handle_t h)
{
    uint32_t s = handle_slot(q, h);
    if (s == UINT32_MAX)
        return false;
    size_t i = q->pos[s];
    slot_release(q, s);
    size_t last = --q->len;
    if (i != last)
        heap_fix(q, i, q->heap[last], q->keys[last]);
    return true;
}

bool sim_queue_reschedule(sim_queue_t *q, sim_handle_t h, int64_t time_ns)
{
    uint32_t s = handle_slot(q, h);
    if (s == UINT32_MAX)
        return false;
    sim_queue_key_t k = {time_ns, q->next_seq++};
    q->slots[s].time_ns = k.time_ns;
    q->slots[s].seq = k.seq;
    heap_fix(q, q->pos[s], s, k);
    return true;
}

bool sim_queue_pending(const sim_queue_t *q, sim_handle_t h)
{
    return handle_slot(q, h) != UINT32_MAX;
}

size_t sim_queue_len(const sim_queue_t *q)
{
    return q->len;
}
