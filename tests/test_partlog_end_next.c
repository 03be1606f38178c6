/* tests/test_partlog_end_next: cg_partlog_end_next gives exactly what cg_partlog_end_offset
 * followed by cg_partlog_next_arrival_ns gives, at the same query times, on twin logs (same
 * scenario and seed): Poisson only (its fast path), Poisson with windows and sparse rates (long
 * empty stretches, the look-ahead), constant plus Poisson (the general path). Likewise
 * cg_partlog_append_whole gives, whenever it answers, the append time of the line that
 * cg_partlog_segment describes (as models/world/latency computes it), and the line of a whole
 * bucket (cg_partlog_end_next_line) answers as the log would inside its bucket. */
#include <criterion/criterion.h>
#include <string.h>
#include "models/partlog/partlog.h"

#define S_NS INT64_C(1000000000)
#define MS_NS INT64_C(1000000)
#define EN_QUERIES 20000

typedef struct en_fixture {
    cg_topic_cfg_t topics[1];
    cg_producer_cfg_t producers[3];
    cg_scenario_t s;
} en_fixture_t;

static void en_init(en_fixture_t *f, int32_t parts)
{
    memset(f, 0, sizeof *f);
    f->topics[0] = (cg_topic_cfg_t){.name = "a", .partitions = parts, .max_partitions = parts};
    f->s.name = "t";
    f->s.duration_ns = 3600 * S_NS;
    f->s.topics = f->topics;
    f->s.n_topics = 1;
    f->s.producers = f->producers;
}

static void en_producer(en_fixture_t *f, double rate, cg_arrival_t arr, int64_t start_ns,
                        int64_t stop_ns)
{
    f->producers[f->s.n_producers++] =
        (cg_producer_cfg_t){"p", 0, rate, arr, 1000, CG_KEYS_UNIFORM, 1.0, start_ns, stop_ns};
}

static cg_partlog_t *en_log(en_fixture_t *f)
{
    cg_partlog_t *pl = NULL;
    char err[256] = "";
    cr_assert_eq(cg_partlog_new(&f->s, 7, &pl, err, sizeof err), 0, "%s", err);
    return pl;
}

/* The next query of a run: a partition, whose time moves on by up to step_ns (an LCG in x). */
static int64_t en_pick(uint64_t *x, int64_t parts, int64_t step_ns, int64_t *t)
{
    *x = *x * UINT64_C(6364136223846793005) + 1442695040888963407u;
    int64_t gp = (int64_t)((*x >> 33) % (uint64_t)parts);
    t[gp] += (int64_t)((*x >> 40) % (uint64_t)step_ns);
    return gp;
}

/* Query both logs at the same times (increasing, with steps back inside the previous bucket);
 * returns how many answers had a later arrival (so a test can insist the path was exercised). */
static int64_t en_compare(en_fixture_t *f, int64_t step_ns)
{
    cg_partlog_t *a = en_log(f), *b = en_log(f);
    int64_t parts = cg_partlog_count(a), finite = 0;
    uint64_t x = 12345;
    int64_t t[8] = {0};
    for (int q = 0; q < EN_QUERIES; q++) {
        int64_t gp = en_pick(&x, parts, step_ns, t);
        int64_t back = (x >> 20) % 5 == 0 ? (int64_t)((x >> 8) % (uint64_t)(S_NS / 2)) : 0;
        int64_t at = t[gp] - back > 0 ? t[gp] - back : 0;
        int64_t next = -1;
        int64_t end = cg_partlog_end_next(a, gp, at, &next);
        int64_t end2 = cg_partlog_end_offset(b, gp, at);
        int64_t next2 = cg_partlog_next_arrival_ns(b, gp, at);
        cr_assert_eq(end, end2, "query %d gp %lld t %lld: end %lld vs %lld", q, (long long)gp,
                     (long long)at, (long long)end, (long long)end2);
        cr_assert_eq(next, next2, "query %d gp %lld t %lld: next %lld vs %lld", q,
                     (long long)gp, (long long)at, (long long)next, (long long)next2);
        finite += next != INT64_MAX;
    }
    cg_partlog_free(a);
    cg_partlog_free(b);
    return finite;
}

Test(partlog_end_next, poisson_only)
{
    en_fixture_t f;
    en_init(&f, 8);
    en_producer(&f, 16.0, CG_ARRIVAL_POISSON, 0, INT64_MAX);
    cr_assert_gt(en_compare(&f, 80 * MS_NS), EN_QUERIES / 2);
}

Test(partlog_end_next, sparse_windows)
{
    en_fixture_t f;
    en_init(&f, 4);
    en_producer(&f, 0.02, CG_ARRIVAL_POISSON, 30 * S_NS, 1800 * S_NS);
    en_producer(&f, 3.0, CG_ARRIVAL_POISSON, 2000 * S_NS + 300 * MS_NS, 2100 * S_NS);
    cr_assert_gt(en_compare(&f, 2 * S_NS), 0);
}

Test(partlog_end_next, constant_and_poisson)
{
    en_fixture_t f;
    en_init(&f, 4);
    en_producer(&f, 7.0, CG_ARRIVAL_CONSTANT, 5 * S_NS, 900 * S_NS);
    en_producer(&f, 2.0, CG_ARRIVAL_POISSON, 0, INT64_MAX);
    cr_assert_gt(en_compare(&f, 300 * MS_NS), EN_QUERIES / 2);
}

/* Whenever cg_partlog_end_next_line gives a line, times anywhere in its bucket before its last
 * record get from the line what a twin log answers there (log end and next arrival), and the log
 * that was not asked at those times answers every later query as the twin that was. */
Test(partlog_end_next, line_answers_are_the_logs)
{
    en_fixture_t f;
    en_init(&f, 8);
    en_producer(&f, 16.0, CG_ARRIVAL_POISSON, 0, INT64_MAX);
    cg_partlog_t *a = en_log(&f), *b = en_log(&f);
    uint64_t x = 777;
    int64_t t[8] = {0}, checked = 0;
    for (int q = 0; q < EN_QUERIES; q++) {
        int64_t gp = en_pick(&x, 8, 80 * MS_NS, t), next, next_b;
        cg_partlog_line_t l;
        int64_t end = cg_partlog_end_next_line(a, gp, t[gp], &next, &l);
        cr_assert_eq(end, cg_partlog_end_next(b, gp, t[gp], &next_b), "query %d", q);
        cr_assert_eq(next, next_b, "query %d", q);
        if (l.count == 0)
            continue;
        cr_assert_eq(l.lo, t[gp] / S_NS * S_NS, "query %d: the line is of the query's bucket", q);
        cr_assert_eq(end, l.base + cg_partlog_line_done(&l, t[gp]), "query %d", q);
        for (int k = 0; k < 4; k++) {
            x = x * UINT64_C(6364136223846793005) + 1442695040888963407u;
            int64_t u = l.lo + (int64_t)((x >> 20) % (uint64_t)S_NS);
            int64_t done = cg_partlog_line_done(&l, u), n2;
            if (done >= l.count)
                continue;
            int64_t e2 = cg_partlog_end_next(b, gp, u, &n2);
            cr_assert_eq(l.base + done, e2, "query %d at %lld: end %lld vs %lld", q,
                         (long long)u, (long long)(l.base + done), (long long)e2);
            cr_assert_eq(cg_partlog_line_next(&l, u, done), n2, "query %d at %lld: next", q,
                         (long long)u);
            checked++;
        }
    }
    cr_assert_gt(checked, EN_QUERIES, "lines answered %lld times", (long long)checked);
    cg_partlog_free(a);
    cg_partlog_free(b);
}

/* The append time on a segment's line: t0 + ceil((o - e0 + 1) x (t1 - t0) / (e1 - e0)). */
static int64_t seg_append(const cg_partlog_seg_t *s, int64_t o)
{
    __extension__ typedef __int128 i128;
    i128 num = (i128)(o - s->e0 + 1) * (s->t1 - s->t0);
    return s->t0 + (int64_t)((num + (s->e1 - s->e0) - 1) / (s->e1 - s->e0));
}

/* Offsets around the log end after each query (increasing times per partition); returns how
 * often the fast path answered, and counts in *declined the answers it left to the segment. */
static int64_t aw_compare(en_fixture_t *f, int64_t step_ns, int64_t *declined)
{
    cg_partlog_t *pl = en_log(f);
    int64_t parts = cg_partlog_count(pl), fast = 0;
    uint64_t x = 777;
    int64_t t[8] = {0};
    *declined = 0;
    for (int q = 0; q < EN_QUERIES; q++) {
        int64_t gp = en_pick(&x, parts, step_ns, t);
        int64_t end = cg_partlog_end_offset(pl, gp, t[gp]);
        for (int64_t o = end - 6; o < end + 2; o++) {
            int64_t at = -1;
            cg_partlog_seg_t s;
            bool seg = o >= 0 && cg_partlog_segment(pl, gp, o, &s) && o < s.last;
            if (o < 0 || !cg_partlog_append_whole(pl, gp, o, &at)) {
                *declined += seg;
                continue;
            }
            cr_assert(seg, "gp %lld o %lld: an answer where the log keeps no segment",
                      (long long)gp, (long long)o);
            cr_assert_eq(at, seg_append(&s, o), "gp %lld o %lld t %lld", (long long)gp,
                         (long long)o, (long long)t[gp]);
            cr_assert(o < end ? at <= t[gp] : at > t[gp],
                      "offset %lld, end %lld: appended at %lld, now %lld", (long long)o,
                      (long long)end, (long long)at, (long long)t[gp]);
            fast++;
        }
    }
    cg_partlog_free(pl);
    return fast;
}

Test(partlog_end_next, append_whole_is_the_segment_line)
{
    en_fixture_t f;
    int64_t declined;
    en_init(&f, 8);
    en_producer(&f, 16.0, CG_ARRIVAL_POISSON, 0, INT64_MAX);
    cr_assert_gt(aw_compare(&f, 80 * MS_NS, &declined), EN_QUERIES);
    en_init(&f, 4);   /* windows that start and stop inside a bucket: not whole, declined */
    en_producer(&f, 400.0, CG_ARRIVAL_POISSON, 3 * S_NS + 250 * MS_NS, 200 * S_NS + 700 * MS_NS);
    cr_assert_gt(aw_compare(&f, 30 * MS_NS, &declined), EN_QUERIES);
    cr_assert_gt(declined, 0, "the partial buckets at the window's ends were left to the segment");
    en_init(&f, 4);   /* a constant producer beside: no line of one bucket, never answered */
    en_producer(&f, 7.0, CG_ARRIVAL_CONSTANT, 5 * S_NS, 900 * S_NS);
    en_producer(&f, 2.0, CG_ARRIVAL_POISSON, 0, INT64_MAX);
    cr_assert_eq(aw_compare(&f, 300 * MS_NS, &declined), 0);
}
