/* Tests of sim/queue (heap order, handles, reschedule) and sim/sim (the run loop, timers). */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <signal.h>
#include <stdlib.h>
#include "sim/rng.h"
#include "sim/sim.h"

#define REF_MAX 4096

typedef struct ref_ev {
    int64_t time_ns;                  /* due time */
    uint64_t seq;                     /* mirror of the queue's sequence numbers */
    uint64_t id;                      /* arg given at push */
    sim_handle_t h;                   /* handle returned by push */
} ref_ev_t;

typedef struct ref {
    ref_ev_t ev[REF_MAX];             /* pending events, unordered */
    size_t n;                         /* pending count */
    uint64_t next_seq;                /* next seq the queue will assign */
} ref_t;

static void dummy(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)ctx;
    (void)arg;
}

static size_t ref_min(const ref_t *r)
{
    size_t best = 0;
    for (size_t i = 1; i < r->n; i++)
        if (r->ev[i].time_ns < r->ev[best].time_ns ||
            (r->ev[i].time_ns == r->ev[best].time_ns && r->ev[i].seq < r->ev[best].seq))
            best = i;
    return best;
}

static void ref_remove(ref_t *r, size_t i)
{
    r->ev[i] = r->ev[--r->n];
}

/* The radix buckets (sim/queue.c): every pending slot in exactly one list, in the bucket its key
 * gives against the base (computed here from the definition: highest differing digit and the
 * key's value there), lists linked both ways and in seq order, `occupied` naming the
 * non-empty buckets, nodes mirroring the slots' times, and the pool invariant. */
static void check_heap(const sim_queue_t *q)
{
    cr_assert_eq(q->len + q->n_free, q->cap);
    size_t seen = 0;
    for (uint32_t b = 0; b < SIM_QUEUE_BUCKETS; b++) {
        uint32_t prev = UINT32_MAX;
        for (uint32_t s = q->head[b]; s != UINT32_MAX; prev = s, s = q->nodes[s].next) {
            uint64_t key = (uint64_t)q->slots[s].time_ns ^ (UINT64_C(1) << 63);
            cr_assert_eq(q->nodes[s].key, key, "slot %u: key stale", s);
            cr_assert_eq(q->pos[s], b, "slot %u: pos is not its bucket", s);
            cr_assert_eq(q->nodes[s].prev, prev, "slot %u: back link broken", s);
            cr_assert_geq(key, q->base, "slot %u: key below the base", s);
            const uint32_t bits = SIM_QUEUE_DIGIT_BITS;
            uint32_t d = key == q->base ? 0 : (63 - (uint32_t)__builtin_clzll(key ^ q->base)) / bits;
            uint32_t want = key == q->base ? 0
                                           : (d << bits) + (uint32_t)((key >> (bits * d)) & ((1u << bits) - 1));
            cr_assert_eq(b, want, "slot %u in bucket %u, belongs in %u", s, b, want);
            if (prev != UINT32_MAX)
                cr_assert_lt(q->slots[prev].seq, q->slots[s].seq, "bucket %u out of seq order", b);
            seen++;
        }
        cr_assert_eq(q->tail[b], prev, "bucket %u: tail is not the last", b);
        if (b > 0)
            cr_assert_eq((q->occupied[b / 64] >> (b % 64)) & 1, q->head[b] != UINT32_MAX,
                         "bucket %u: occupied bit wrong", b);
    }
    cr_assert_eq(seen, q->len, "pending events not all in the buckets");
}

static uint64_t next_rand(uint64_t *state)
{
    *state += 1;
    return sim_splitmix64(*state);
}

static void op_pop(sim_queue_t *q, ref_t *r)
{
    sim_event_t ev;
    if (r->n == 0) {
        cr_assert_not(sim_queue_pop(q, &ev));
        return;
    }
    size_t m = ref_min(r);
    cr_assert_eq(sim_queue_peek(q)->arg, r->ev[m].id);
    cr_assert(sim_queue_pop(q, &ev));
    cr_assert_eq(ev.arg, r->ev[m].id, "popped %llu, expected %llu",
                 (unsigned long long)ev.arg, (unsigned long long)r->ev[m].id);
    cr_assert_eq(ev.time_ns, r->ev[m].time_ns);
    cr_assert_eq(ev.seq, r->ev[m].seq);
    cr_assert_not(sim_queue_pending(q, r->ev[m].h));
    ref_remove(r, m);
}

/* A time for a push or reschedule: `wide` false: one of 50 (many ties); true: after the latest
 * pop by up to 2^20, 2^31 or 2^40 ns, in one case in 16 before it (a push between two runs). */
static int64_t draw_time(uint64_t x, bool wide, int64_t last_pop)
{
    if (!wide)
        return (int64_t)((x >> 8) % 50);
    static const int bits[] = {20, 20, 31, 40};
    int64_t t = last_pop + (int64_t)((x >> 24) & ((UINT64_C(1) << bits[(x >> 8) & 3]) - 1));
    if (((x >> 12) & 15) == 0)
        t = (int64_t)((x >> 16) % (uint64_t)(last_pop + 1));
    return t;
}

/* 20,000 random pushes, pops, cancels, reschedules and stale-handle uses against a reference
 * that finds the minimum by a linear search. */
static void random_ops(uint64_t rs, bool wide)
{
    static ref_t r;
    sim_queue_t q;
    cr_assert_eq(sim_queue_init(&q, 1), 0);
    r.n = 0;
    r.next_seq = 1;
    uint64_t id = 0;
    int64_t last_pop = 0;
    sim_handle_t stale[64] = {0};
    size_t n_stale = 0;
    for (int step = 0; step < 20000; step++) {
        uint64_t x = next_rand(&rs);
        int op = (int)(x % 10);
        int64_t t = draw_time(x, wide, last_pop);
        if (op < 4 && r.n < REF_MAX) {
            sim_handle_t h = sim_queue_push(&q, t, dummy, NULL, id);
            cr_assert_neq(h, SIM_HANDLE_NONE);
            r.ev[r.n++] = (ref_ev_t){t, r.next_seq++, id++, h};
        } else if (op < 7) {
            if (r.n)
                last_pop = r.ev[ref_min(&r)].time_ns;
            op_pop(&q, &r);
        } else if (op == 7 && r.n) {
            size_t i = (size_t)((x >> 20) % r.n);
            cr_assert(sim_queue_cancel(&q, r.ev[i].h));
            cr_assert_not(sim_queue_cancel(&q, r.ev[i].h));
            stale[n_stale++ % 64] = r.ev[i].h;
            ref_remove(&r, i);
        } else if (op == 8 && r.n) {
            size_t i = (size_t)((x >> 20) % r.n);
            cr_assert(sim_queue_reschedule(&q, r.ev[i].h, t));
            r.ev[i].time_ns = t;
            r.ev[i].seq = r.next_seq++;
        } else if (n_stale) {
            sim_handle_t h = stale[(x >> 20) % (n_stale < 64 ? n_stale : 64)];
            cr_assert_not(sim_queue_pending(&q, h));
            cr_assert_not(sim_queue_reschedule(&q, h, t));
            cr_assert_not(sim_queue_cancel(&q, h));
        }
        cr_assert_eq(sim_queue_len(&q), r.n);
        if (step % 97 == 0)
            check_heap(&q);
    }
    while (r.n)
        op_pop(&q, &r);
    cr_assert_null(sim_queue_peek(&q));
    sim_queue_fini(&q);
}

Test(queue, random_ops_match_sorted_reference)
{
    random_ops(12345, false);
}

/* Times spread over 2^20 to 2^40 ns past the latest pop (every digit of the radix buckets), and
 * pushes before it (the buckets rebuilt around a new base). */
Test(queue, random_ops_over_wide_times_match_sorted_reference)
{
    for (uint64_t seed = 1; seed <= 8; seed++)
        random_ops(seed * 7777, true);
}

Test(queue, equal_times_pop_in_scheduling_order)
{
    sim_queue_t q;
    cr_assert_eq(sim_queue_init(&q, 4), 0);
    for (uint64_t i = 0; i < 1000; i++)
        sim_queue_push(&q, i % 2 ? 7 : 5, dummy, NULL, i);
    sim_event_t ev;
    for (uint64_t i = 0; i < 1000; i += 2) {
        cr_assert(sim_queue_pop(&q, &ev));
        cr_assert_eq(ev.time_ns, 5);
        cr_assert_eq(ev.arg, i);
    }
    for (uint64_t i = 1; i < 1000; i += 2) {
        cr_assert(sim_queue_pop(&q, &ev));
        cr_assert_eq(ev.time_ns, 7);
        cr_assert_eq(ev.arg, i);
    }
    cr_assert_not(sim_queue_pop(&q, &ev));
    sim_queue_fini(&q);
}

/* Equal times pushed far apart in the run (the first before an earlier event popped, the others
 * after it) pop in scheduling order. */
Test(queue, equal_times_pushed_across_pops_pop_in_scheduling_order)
{
    sim_queue_t q;
    sim_event_t ev;
    const int64_t far = 2 * SIM_NS_PER_S, mid = 3 * SIM_NS_PER_S / 2;
    cr_assert_eq(sim_queue_init(&q, 4), 0);
    sim_queue_push(&q, far, dummy, NULL, 'a');
    sim_queue_push(&q, mid, dummy, NULL, 'b');
    cr_assert(sim_queue_pop(&q, &ev));
    cr_assert_eq(ev.arg, 'b');
    sim_queue_push(&q, far, dummy, NULL, 'c');
    sim_queue_push(&q, far, dummy, NULL, 'd');
    check_heap(&q);
    for (const char *want = "acd"; *want; want++) {
        cr_assert(sim_queue_pop(&q, &ev));
        cr_assert_eq(ev.arg, (uint64_t)*want);
        cr_assert_eq(ev.time_ns, far);
    }
    sim_queue_fini(&q);
}

Test(queue, stale_handles_are_rejected)
{
    sim_queue_t q;
    sim_event_t ev;
    cr_assert_eq(sim_queue_init(&q, 1), 0);
    cr_assert_not(sim_queue_pending(&q, SIM_HANDLE_NONE));
    cr_assert_not(sim_queue_cancel(&q, SIM_HANDLE_NONE));
    cr_assert_not(sim_queue_cancel(&q, UINT64_C(0xffffffff)));   /* slot out of range */
    sim_handle_t a = sim_queue_push(&q, 1, dummy, NULL, 1);
    cr_assert(sim_queue_pending(&q, a));
    cr_assert(sim_queue_pop(&q, &ev));
    cr_assert_not(sim_queue_pending(&q, a));
    /* The slot is reused at once; the old handle must not reach the new event. */
    sim_handle_t b = sim_queue_push(&q, 2, dummy, NULL, 2);
    cr_assert_neq(a, b);
    cr_assert_eq(a & 0xffffffffu, b & 0xffffffffu, "expected the same slot to be reused");
    cr_assert_not(sim_queue_cancel(&q, a));
    cr_assert_not(sim_queue_reschedule(&q, a, 9));
    cr_assert_eq(sim_queue_peek(&q)->time_ns, 2);
    cr_assert(sim_queue_cancel(&q, b));
    cr_assert_not(sim_queue_pending(&q, b));
    cr_assert_eq(sim_queue_len(&q), 0);
    sim_queue_fini(&q);
}

Test(queue, reschedule_takes_a_new_sequence_number)
{
    sim_queue_t q;
    sim_event_t ev;
    cr_assert_eq(sim_queue_init(&q, 0), 0);
    sim_handle_t a = sim_queue_push(&q, 10, dummy, NULL, 'a');
    sim_queue_push(&q, 10, dummy, NULL, 'b');
    sim_handle_t c = sim_queue_push(&q, 30, dummy, NULL, 'c');
    /* Same time: 'a' now counts as scheduled after 'b'. */
    cr_assert(sim_queue_reschedule(&q, a, 10));
    cr_assert(sim_queue_reschedule(&q, c, 5));   /* earlier */
    cr_assert(sim_queue_pending(&q, a));
    const char want[] = "cba";
    const int64_t want_t[] = {5, 10, 10};
    for (int i = 0; i < 3; i++) {
        cr_assert(sim_queue_pop(&q, &ev));
        cr_assert_eq(ev.arg, (uint64_t)want[i]);
        cr_assert_eq(ev.time_ns, want_t[i]);
    }
    sim_queue_fini(&q);
}

Test(queue, grows_from_tiny_capacity_and_sorts)
{
    sim_queue_t q;
    sim_event_t ev;
    cr_assert_eq(sim_queue_init(&q, 1), 0);
    uint64_t rs = 99;
    for (int i = 0; i < 50000; i++)
        cr_assert_neq(sim_queue_push(&q, (int64_t)(next_rand(&rs) % 1000000), dummy, NULL, 0),
                      SIM_HANDLE_NONE);
    check_heap(&q);
    int64_t last = -1;
    uint64_t last_seq = 0;
    while (sim_queue_pop(&q, &ev)) {
        cr_assert(ev.time_ns > last || (ev.time_ns == last && ev.seq > last_seq));
        last = ev.time_ns;
        last_seq = ev.seq;
    }
    sim_queue_fini(&q);
}

/* ---- the engine ---- */

typedef struct log {
    int64_t t[64];                    /* sim_now() at each call */
    uint64_t arg[64];                 /* arg of each call */
    int n;                            /* calls */
    int stop_at;                      /* call sim_stop() on this arg (or -1) */
} log_t;

static void logger(sim_t *sim, void *ctx, uint64_t arg)
{
    log_t *l = ctx;
    cr_assert_lt(l->n, 64);
    l->t[l->n] = sim_now(sim);
    l->arg[l->n++] = arg;
    if ((int)arg == l->stop_at)
        sim_stop(sim);
}

Test(sim, run_stops_at_end_time_and_sets_clock)
{
    sim_t sim;
    log_t l = {.stop_at = -1};
    cr_assert_eq(sim_init(&sim), 0);
    sim_schedule(&sim, 100, logger, &l, 1);
    sim_schedule(&sim, 200, logger, &l, 2);
    sim_schedule(&sim, 300, logger, &l, 3);
    cr_assert_eq(sim_run(&sim, 200, 0), SIM_STOP_END_TIME);   /* time <= end runs */
    cr_assert_eq(l.n, 2);
    cr_assert_eq(l.t[0], 100);
    cr_assert_eq(l.t[1], 200);
    cr_assert_eq(sim_now(&sim), 200);
    cr_assert_eq(sim_run(&sim, 250, 0), SIM_STOP_END_TIME);
    cr_assert_eq(sim_now(&sim), 250);
    cr_assert_eq(sim_run(&sim, SIM_TIME_MAX, 0), SIM_STOP_EMPTY);
    cr_assert_eq(l.n, 3);
    cr_assert_eq(sim_now(&sim), 300);
    cr_assert_eq(sim.events, 3);
    sim_fini(&sim);
}

Test(sim, run_event_limit_and_stop_request)
{
    sim_t sim;
    log_t l = {.stop_at = 4};
    cr_assert_eq(sim_init(&sim), 0);
    for (uint64_t i = 0; i < 10; i++)
        sim_schedule(&sim, (int64_t)i * 10, logger, &l, i);
    cr_assert_eq(sim_run(&sim, SIM_TIME_MAX, 3), SIM_STOP_EVENT_LIMIT);
    cr_assert_eq(l.n, 3);
    cr_assert_eq(sim_now(&sim), 20);
    cr_assert_eq(sim_run(&sim, SIM_TIME_MAX, 0), SIM_STOP_REQUESTED);   /* handler of arg 4 */
    cr_assert_eq(l.n, 5);
    cr_assert_eq(l.arg[4], 4);
    cr_assert_eq(sim.stop_requested, 0, "the request is cleared when sim_run returns");
    cr_assert_eq(sim_run(&sim, SIM_TIME_MAX, 0), SIM_STOP_EMPTY);
    cr_assert_eq(l.n, 10);
    cr_assert_eq(sim.events, 10);
    sim_fini(&sim);
}

static void chain(sim_t *sim, void *ctx, uint64_t arg)
{
    logger(sim, ctx, arg);
    if (arg < 5)
        sim_schedule_in(sim, 7, chain, ctx, arg + 1);
}

Test(sim, handlers_schedule_relative_to_now)
{
    sim_t sim;
    log_t l = {.stop_at = -1};
    cr_assert_eq(sim_init(&sim), 0);
    sim_schedule(&sim, 3, chain, &l, 0);
    cr_assert_eq(sim_run(&sim, SIM_TIME_MAX, 0), SIM_STOP_EMPTY);
    cr_assert_eq(l.n, 6);
    for (int i = 0; i < 6; i++)
        cr_assert_eq(l.t[i], 3 + 7 * i);
    /* Saturation instead of overflow. */
    sim_handle_t h = sim_schedule_in(&sim, INT64_MAX, logger, &l, 9);
    cr_assert(sim_queue_pending(&sim.queue, h));
    cr_assert_eq(sim_queue_peek(&sim.queue)->time_ns, SIM_TIME_MAX);
    sim_fini(&sim);
}

Test(sim, timers_set_and_clear)
{
    sim_t sim;
    log_t l = {.stop_at = -1};
    sim_handle_t timer = SIM_HANDLE_NONE;
    cr_assert_eq(sim_init(&sim), 0);
    sim_timer_set(&sim, &timer, 50, logger, &l, 1);
    cr_assert(sim_queue_pending(&sim.queue, timer));
    sim_timer_set(&sim, &timer, 80, logger, &l, 2);   /* moves it, new arg */
    cr_assert_eq(sim_queue_len(&sim.queue), 1);
    sim_run(&sim, SIM_TIME_MAX, 0);
    cr_assert_eq(l.n, 1);
    cr_assert_eq(l.t[0], 80);
    cr_assert_eq(l.arg[0], 2);
    sim_timer_set(&sim, &timer, 90, logger, &l, 3);   /* fired handle is stale: new event */
    sim_timer_clear(&sim, &timer);
    cr_assert_eq(timer, SIM_HANDLE_NONE);
    sim_timer_clear(&sim, &timer);                    /* clearing twice is harmless */
    cr_assert_eq(sim_run(&sim, SIM_TIME_MAX, 0), SIM_STOP_EMPTY);
    cr_assert_eq(l.n, 1);
    sim_fini(&sim);
}

/* A session-like deadline: the handler logs when it expires, re-arms when it fired early. */
typedef struct dl_ctx {
    sim_deadline_t d;
    int64_t expired_at;
    int fires;
} dl_ctx_t;

static void on_deadline(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    dl_ctx_t *c = ctx;
    c->d.h = SIM_HANDLE_NONE;
    c->fires++;
    if (sim_now(sim) < c->d.at_ns)
        sim_deadline_set(sim, &c->d, c->d.at_ns, on_deadline, c, 0);
    else
        c->expired_at = sim_now(sim);
}

Test(sim, deadlines_move_later_lazily_and_earlier_at_once)
{
    sim_t sim;
    dl_ctx_t c = {.d = {.h = SIM_HANDLE_NONE}, .expired_at = -1};
    cr_assert_eq(sim_init(&sim), 0);
    sim_deadline_set(&sim, &c.d, 100, on_deadline, &c, 0);
    sim_deadline_set(&sim, &c.d, 150, on_deadline, &c, 0);   /* later: no queue operation */
    cr_assert_eq(sim_queue_peek(&sim.queue)->time_ns, 100);
    cr_assert_eq(sim_run(&sim, 120, 0), SIM_STOP_END_TIME);  /* fired at 100, re-armed at 150 */
    cr_assert_eq(c.fires, 1);
    sim_deadline_set(&sim, &c.d, 10000, on_deadline, &c, 0); /* a long join timeout */
    sim_run(&sim, 200, 0);                                   /* fires at 150, re-arms at 10000 */
    sim_deadline_set(&sim, &c.d, 260, on_deadline, &c, 0);   /* earlier: the event moves */
    cr_assert_eq(sim_queue_len(&sim.queue), 1);
    cr_assert_eq(sim_run(&sim, SIM_TIME_MAX, 0), SIM_STOP_EMPTY);
    cr_assert_eq(c.expired_at, 260, "expired at %lld", (long long)c.expired_at);
    cr_assert_eq(c.fires, 3);
    sim_fini(&sim);
}

Test(sim, reschedule_and_cancel_through_engine)
{
    sim_t sim;
    log_t l = {.stop_at = -1};
    cr_assert_eq(sim_init(&sim), 0);
    sim_handle_t a = sim_schedule(&sim, 10, logger, &l, 1);
    sim_handle_t b = sim_schedule(&sim, 20, logger, &l, 2);
    cr_assert(sim_reschedule(&sim, a, 30));
    cr_assert(sim_cancel(&sim, b));
    cr_assert_not(sim_reschedule(&sim, b, 5));   /* stale: nothing happens */
    sim_run(&sim, SIM_TIME_MAX, 0);
    cr_assert_eq(l.n, 1);
    cr_assert_eq(l.t[0], 30);
    sim_fini(&sim);
}

Test(sim, scheduling_in_the_past_asserts, .signal = SIGABRT, .init = cr_redirect_stderr)
{
    sim_t sim;
    cr_assert_eq(sim_init(&sim), 0);
    sim_schedule(&sim, 100, dummy, NULL, 0);
    sim_run(&sim, SIM_TIME_MAX, 0);
    sim_schedule(&sim, 99, dummy, NULL, 0);
}

/* ---- ranked events ---- */

typedef struct order_log {
    uint64_t seen[64];
    size_t n;
} order_log_t;

static void note_arg(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    order_log_t *o = ctx;
    o->seen[o->n++] = arg;
}

Test(sim, at_one_instant_ranked_events_run_after_the_others_by_rank)
{
    sim_t sim;
    cr_assert_eq(sim_init(&sim), 0);
    order_log_t o = {{0}, 0};
    sim_schedule_ranked(&sim, 10, 3, note_arg, &o, 103);    /* scheduled first, ranked last */
    sim_schedule_ranked(&sim, 10, 1, note_arg, &o, 101);
    sim_schedule(&sim, 10, note_arg, &o, 1);                 /* the queue's, scheduled later */
    sim_schedule_ranked(&sim, 5, 9, note_arg, &o, 109);      /* earlier time wins over rank */
    sim_schedule_ranked(&sim, 10, 1, note_arg, &o, 111);     /* same rank: scheduling order */
    sim_handle_t gone = sim_schedule_ranked(&sim, 10, 2, note_arg, &o, 102);
    cr_assert_eq(sim_pending_time(&sim, gone), 10);
    cr_assert(sim_cancel(&sim, gone));
    cr_assert_not(sim_cancel(&sim, gone), "a stale ranked handle is refused");
    cr_assert_eq(sim_pending_time(&sim, gone), INT64_MAX);
    cr_assert_eq(sim_run(&sim, SIM_TIME_MAX, 0), SIM_STOP_EMPTY);
    uint64_t want[] = {109, 1, 101, 111, 103};
    cr_assert_eq(o.n, 5);
    for (size_t i = 0; i < 5; i++)
        cr_assert_eq(o.seen[i], want[i], "event %zu: %llu, expected %llu", i,
                     (unsigned long long)o.seen[i], (unsigned long long)want[i]);
    cr_assert_eq(sim.events, 5);
    sim_fini(&sim);
}

typedef struct rank_ref {
    int64_t t;
    uint64_t rank, seq;
    sim_handle_t h;
    bool live;
} rank_ref_t;

/* Random plain and ranked pushes, cancels and pops against a reference sorted on (time, rank,
 * seq): bucket 0's ordered insertion through settles, cancels in the middle and pushes at the
 * base (times from a narrow range, so that many events share one). */
Test(queue, ranked_random_ops_pop_in_time_rank_seq_order)
{
    sim_queue_t q;
    cr_assert_eq(sim_queue_init(&q, 4), 0);
    rank_ref_t ref[512];
    size_t n = 0;
    uint64_t seq = 1, x = 88172645463325252ULL;
    int64_t now = 0;
    for (int step = 0; step < 20000; step++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        if (n < 512 && x % 3 != 0) {
            int64_t t = now + (int64_t)((x >> 20) % 40);
            uint64_t rank = (x >> 40) % 3 == 0 ? 0 : 1 + (x >> 44) % 5;
            sim_handle_t h = rank ? sim_queue_push_ranked(&q, t, rank, dummy, NULL, 0)
                                  : sim_queue_push(&q, t, dummy, NULL, 0);
            cr_assert_neq(h, SIM_HANDLE_NONE);
            ref[n++] = (rank_ref_t){t, rank, seq++, h, true};
        } else if (n > 0 && x % 2 == 0) {
            size_t i = (x >> 33) % n;
            cr_assert_eq(sim_queue_cancel(&q, ref[i].h), ref[i].live);
            ref[i].live = false;
        } else if (sim_queue_len(&q) > 0) {
            size_t best = SIZE_MAX;
            for (size_t i = 0; i < n; i++)
                if (ref[i].live &&
                    (best == SIZE_MAX || ref[i].t < ref[best].t ||
                     (ref[i].t == ref[best].t &&
                      (ref[i].rank < ref[best].rank ||
                       (ref[i].rank == ref[best].rank && ref[i].seq < ref[best].seq)))))
                    best = i;
            sim_event_t ev;
            cr_assert(sim_queue_pop(&q, &ev));
            cr_assert_eq(ev.time_ns, ref[best].t, "step %d", step);
            cr_assert_eq(ev.seq, ref[best].seq, "step %d: seq %llu, expected %llu", step,
                         (unsigned long long)ev.seq, (unsigned long long)ref[best].seq);
            ref[best].live = false;
            now = ev.time_ns;
        }
        if (n == 512) {   /* compact the reference */
            size_t m = 0;
            for (size_t i = 0; i < n; i++)
                if (ref[i].live)
                    ref[m++] = ref[i];
            n = m;
        }
    }
    sim_queue_fini(&q);
}
