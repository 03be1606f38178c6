/* tests/test_partlog: partition logs: exact constant arrivals, Poisson buckets (moments, common
 * random numbers whatever the query pattern), windows, next_arrival_ns, key skew. */
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/partlog/partitioner.h"
#include "models/partlog/partlog.h"

#define S_NS INT64_C(1000000000)
#define MS_NS INT64_C(1000000)

typedef struct fixture {
    cg_topic_cfg_t topics[2];
    cg_producer_cfg_t producers[4];
    cg_scenario_t s;
} fixture_t;

static void fx_init(fixture_t *f, int32_t parts0, int32_t parts1)
{
    memset(f, 0, sizeof *f);
    f->topics[0] = (cg_topic_cfg_t){.name = "a", .partitions = parts0, .max_partitions = parts0};
    f->topics[1] = (cg_topic_cfg_t){.name = "b", .partitions = parts1, .max_partitions = parts1};
    f->s.name = "t";
    f->s.duration_ns = 3600 * S_NS;
    f->s.topics = f->topics;
    f->s.n_topics = parts1 > 0 ? 2 : 1;
    f->s.producers = f->producers;
}

static cg_producer_cfg_t *fx_producer(fixture_t *f, int32_t topic, double rate, cg_arrival_t arr,
                                      int64_t keys)
{
    cg_producer_cfg_t *p = &f->producers[f->s.n_producers++];
    *p = (cg_producer_cfg_t){"p", topic, rate, arr, keys, CG_KEYS_UNIFORM, 1.0, 0, INT64_MAX};
    return p;
}

static cg_partlog_t *fx_log(fixture_t *f, uint64_t seed)
{
    cg_partlog_t *pl = NULL;
    char err[256] = "";
    cr_assert_eq(cg_partlog_new(&f->s, seed, &pl, err, sizeof err), 0, "%s", err);
    return pl;
}

static int64_t keys_on(int64_t keys, int32_t parts, int32_t p)
{
    int64_t n = 0;
    char key[24];
    for (int64_t k = 0; k < keys; k++) {
        int len = snprintf(key, sizeof key, "%lld", (long long)k);
        n += cg_partition_for_key(key, (size_t)len, parts) == p;
    }
    return n;
}

Test(partlog, layout)
{
    fixture_t f;
    fx_init(&f, 12, 3);
    cg_partlog_t *pl = fx_log(&f, 1);
    cr_assert_eq(cg_partlog_count(pl), 15);
    const int64_t *base = cg_partlog_topic_base(pl);
    cr_expect_eq(base[0], 0);
    cr_expect_eq(base[1], 12);
    cr_expect_eq(base[2], 15);
    cr_expect_eq(cg_partlog_end_offset(pl, 3, 100 * S_NS), 0);
    cr_expect_eq(cg_partlog_next_arrival_ns(pl, 3, 0), INT64_MAX);
    cg_partlog_free(pl);
}

/* 1000/s over 12 partitions, 1000 uniform keys: partition p gets count_p records per second
 * exactly; at t the end offset is floor(count_p * t / 1 s). */
Test(partlog, constant_exact)
{
    fixture_t f;
    fx_init(&f, 12, 0);
    fx_producer(&f, 0, 1000, CG_ARRIVAL_CONSTANT, 1000);
    cg_partlog_t *pl = fx_log(&f, 7);
    static const int64_t times_ns[] = {0, 1, 999999, 1500 * MS_NS, 10 * S_NS, 3333333333,
                                       3599 * S_NS + 1};
    int64_t sum_counts = 0;
    for (int32_t p = 0; p < 12; p++) {
        int64_t c = keys_on(1000, 12, p);
        sum_counts += c;
        cr_expect_float_eq(cg_partlog_rate_per_s(pl, p), (double)c, 1e-9);
        for (size_t i = 0; i < sizeof times_ns / sizeof times_ns[0]; i++) {
            int64_t want = c * times_ns[i] / S_NS;
            cr_expect_eq(cg_partlog_end_offset(pl, p, times_ns[i]), want,
                         "p%d t=%lld: got %lld want %lld", p, (long long)times_ns[i],
                         (long long)cg_partlog_end_offset(pl, p, times_ns[i]), (long long)want);
        }
    }
    cr_expect_eq(sum_counts, 1000);
    cr_expect_eq(cg_partlog_produced_total(pl, 10 * S_NS), 10000);
    cg_partlog_free(pl);
}

Test(partlog, constant_fractional_and_sum_of_producers)
{
    fixture_t f;
    fx_init(&f, 1, 0);
    fx_producer(&f, 0, 0.5, CG_ARRIVAL_CONSTANT, 1);
    fx_producer(&f, 0, 3, CG_ARRIVAL_CONSTANT, 5);
    cg_partlog_t *pl = fx_log(&f, 7);
    /* each producer writes whole records: floor(0.5 t) + floor(3 t) */
    cr_expect_eq(cg_partlog_end_offset(pl, 0, 1 * S_NS), 0 + 3);
    cr_expect_eq(cg_partlog_end_offset(pl, 0, 2 * S_NS), 1 + 6);
    cr_expect_eq(cg_partlog_end_offset(pl, 0, 10 * S_NS), 5 + 30);
    /* 3/s: records at 1/3 s, 2/3 s, 1 s (ceil to the ns) */
    cr_expect_eq(cg_partlog_next_arrival_ns(pl, 0, 0), 333333334);
    cr_expect_eq(cg_partlog_next_arrival_ns(pl, 0, 333333334), 666666667);
    cr_expect_eq(cg_partlog_next_arrival_ns(pl, 0, 2 * S_NS - 1), 2 * S_NS);
    cr_expect_float_eq(cg_partlog_rate_per_s(pl, 0), 3.5, 1e-12);
    cg_partlog_free(pl);
}

Test(partlog, windows)
{
    fixture_t f;
    fx_init(&f, 1, 1);
    cg_producer_cfg_t *c = fx_producer(&f, 0, 100, CG_ARRIVAL_CONSTANT, 1);
    c->start_ns = 2 * S_NS;
    c->stop_ns = 5 * S_NS;
    cg_producer_cfg_t *p = fx_producer(&f, 1, 100, CG_ARRIVAL_POISSON, 1);
    p->start_ns = 2500 * MS_NS;
    p->stop_ns = 5 * S_NS;
    cg_partlog_t *pl = fx_log(&f, 3);
    cr_expect_eq(cg_partlog_end_offset(pl, 0, 1900 * MS_NS), 0);
    cr_expect_eq(cg_partlog_next_arrival_ns(pl, 0, 0), 2 * S_NS + 10 * MS_NS);
    cr_expect_eq(cg_partlog_end_offset(pl, 0, 2 * S_NS + 10 * MS_NS), 1);
    cr_expect_eq(cg_partlog_end_offset(pl, 0, 5 * S_NS), 300);
    cr_expect_eq(cg_partlog_end_offset(pl, 0, 100 * S_NS), 300);
    cr_expect_eq(cg_partlog_next_arrival_ns(pl, 0, 5 * S_NS), INT64_MAX);

    cr_expect_eq(cg_partlog_end_offset(pl, 1, 2500 * MS_NS), 0);
    int64_t first = cg_partlog_next_arrival_ns(pl, 1, 0);
    cr_expect_gt(first, 2500 * MS_NS);
    cr_expect_eq(cg_partlog_end_offset(pl, 1, first - 1), 0);
    cr_expect_gt(cg_partlog_end_offset(pl, 1, first), 0);
    int64_t at_stop = cg_partlog_end_offset(pl, 1, 5 * S_NS);
    cr_expect(at_stop > 150 && at_stop < 350, "250 expected, got %lld", (long long)at_stop);
    cr_expect_eq(cg_partlog_next_arrival_ns(pl, 1, 5 * S_NS), INT64_MAX);
    cr_expect_eq(cg_partlog_end_offset(pl, 1, 1000 * S_NS), at_stop);
    cg_partlog_free(pl);
}

/* Counts per 1 s bucket of a 50/s Poisson partition: mean and variance both 50. */
Test(partlog, poisson_moments)
{
    fixture_t f;
    fx_init(&f, 1, 0);
    fx_producer(&f, 0, 50, CG_ARRIVAL_POISSON, 10);
    cg_partlog_t *pl = fx_log(&f, 11);
    const int n = 3000;
    double sum = 0, sum2 = 0;
    int64_t prev = 0;
    for (int b = 1; b <= n; b++) {
        int64_t e = cg_partlog_end_offset(pl, 0, b * S_NS);
        double d = (double)(e - prev);
        sum += d;
        sum2 += d * d;
        prev = e;
    }
    double mean = sum / n, var = sum2 / n - mean * mean;
    cr_expect(fabs(mean - 50) < 0.6, "mean %f", mean);   /* sd of the mean 0.13 */
    cr_expect(fabs(var - 50) < 6, "variance %f", var);  /* sd of the variance 1.3 */
    cg_partlog_free(pl);
}

/* A large mean uses the normal approximation path: still centred. */
Test(partlog, poisson_large_rate)
{
    fixture_t f;
    fx_init(&f, 1, 0);
    fx_producer(&f, 0, 2e9 / 2, CG_ARRIVAL_POISSON, 1);
    fx_producer(&f, 0, 2e9 / 2, CG_ARRIVAL_POISSON, 1);
    cg_partlog_t *pl = fx_log(&f, 11);
    int64_t e = cg_partlog_end_offset(pl, 0, 10 * S_NS);
    cr_expect(llabs(e - INT64_C(20000000000)) < 2000000, "got %lld", (long long)e);
    cg_partlog_free(pl);
}

static void fx_mixed(fixture_t *f)
{
    fx_init(f, 6, 0);
    fx_producer(f, 0, 37, CG_ARRIVAL_POISSON, 100);
    cg_producer_cfg_t *late = fx_producer(f, 0, 3, CG_ARRIVAL_POISSON, 100);
    late->start_ns = 40 * S_NS + 123;
    late->stop_ns = 90 * S_NS;
    fx_producer(f, 0, 7.25, CG_ARRIVAL_CONSTANT, 100);
}

/* The same (seed, scenario) gives the same values at the same times however the log was queried
 * before (dense, sparse, with next_arrival look-ahead). */
Test(partlog, query_pattern_independence)
{
    fixture_t f;
    fx_mixed(&f);
    cg_partlog_t *dense = fx_log(&f, 99), *sparse = fx_log(&f, 99), *peek = fx_log(&f, 99);
    for (int64_t gp = 0; gp < 6; gp++) {
        for (int64_t t = 0; t <= 120 * S_NS; t += 7 * MS_NS) {
            int64_t d = cg_partlog_end_offset(dense, gp, t);
            (void)cg_partlog_next_arrival_ns(peek, gp, t);
            int64_t pk = cg_partlog_end_offset(peek, gp, t);
            cr_assert_eq(pk, d, "gp %lld t %lld", (long long)gp, (long long)t);
            if (t % (13 * S_NS + 7 * MS_NS) == 0) {
                cr_assert_eq(cg_partlog_end_offset(sparse, gp, t), d);
            }
        }
        cr_expect_eq(cg_partlog_end_offset(sparse, gp, 120 * S_NS),
                     cg_partlog_end_offset(dense, gp, 120 * S_NS));
    }
    cr_expect_eq(cg_partlog_produced_total(sparse, 120 * S_NS),
                 cg_partlog_produced_total(dense, 120 * S_NS));
    cg_partlog_free(dense);
    cg_partlog_free(sparse);
    cg_partlog_free(peek);
}

/* A query far ahead of the run's clock (a fetch served seconds after the event computing it),
 * then queries between the clock and it (a lag sample, another fetch): with the clock set, the
 * log answers them, with the values a log queried in time order gives (the reference: the same
 * queries sorted by time, on a log without a clock). */
typedef struct pl_query {
    int64_t t, gp, at, seq;
} pl_query_t;

static int by_time(const void *a, const void *b)
{
    const pl_query_t *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void check_behind_clock(fixture_t *f, int64_t n_parts, int64_t step_ns, uint64_t seed)
{
    enum { N = 6000 };
    static pl_query_t q[N], sorted[N];
    cg_partlog_t *pl = fx_log(f, seed), *ref = fx_log(f, seed);
    int64_t clock = 0;
    cg_partlog_set_clock(pl, &clock);
    uint64_t x = seed;
    int n = 0;
    for (int64_t now = 0; n + 3 <= N; now += step_ns) {
        clock = now;
        for (int k = 0; k < 3; k++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            int64_t ahead = (int64_t)(x >> 33) % (k == 0 ? 6 * S_NS : 2 * S_NS);
            q[n] = (pl_query_t){now + ahead, (int64_t)(x >> 20) % n_parts, 0, n};
            int64_t next;
            q[n].at = k == 0 ? cg_partlog_end_next(pl, q[n].gp, q[n].t, &next)
                             : cg_partlog_end_offset(pl, q[n].gp, q[n].t);
            n++;
        }
    }
    cr_assert_eq(cg_partlog_failed(pl), false);
    memcpy(sorted, q, sizeof q);
    qsort(sorted, N, sizeof sorted[0], by_time);
    for (int i = 0; i < N; i++) {
        int64_t want = cg_partlog_end_offset(ref, sorted[i].gp, sorted[i].t);
        cr_assert_eq(sorted[i].at, want, "query %lld: gp %lld t %lld", (long long)sorted[i].seq,
                     (long long)sorted[i].gp, (long long)sorted[i].t);
    }
    cg_partlog_free(pl);
    cg_partlog_free(ref);
}

Test(partlog, queries_behind_a_look_ahead)
{
    fixture_t f;
    fx_mixed(&f);
    check_behind_clock(&f, 6, 250 * MS_NS, 31);
    fx_init(&f, 3, 0);
    fx_producer(&f, 0, 0.7, CG_ARRIVAL_POISSON, 10);   /* mostly empty buckets */
    check_behind_clock(&f, 3, 400 * MS_NS, 32);
    fx_init(&f, 2, 0);
    fx_producer(&f, 0, 5000, CG_ARRIVAL_POISSON, 10);  /* large means: GSL's sampler */
    check_behind_clock(&f, 2, 90 * MS_NS, 33);
}

/* Walking from arrival to arrival: the offset is flat before each returned time and has grown at
 * it; offsets never decrease. */
Test(partlog, next_arrival_walk)
{
    fixture_t f;
    fx_mixed(&f);
    cg_partlog_t *pl = fx_log(&f, 5);
    for (int64_t gp = 0; gp < 6; gp++) {
        int64_t t = 0, last = 0, steps = 0;
        while (t < 100 * S_NS) {
            int64_t e = cg_partlog_end_offset(pl, gp, t);
            cr_assert_geq(e, last);
            last = e;
            int64_t nx = cg_partlog_next_arrival_ns(pl, gp, t);
            cr_assert_gt(nx, t);
            if (nx == INT64_MAX)
                break;
            cr_assert_eq(cg_partlog_end_offset(pl, gp, nx - 1), e, "gp %lld t %lld nx %lld",
                         (long long)gp, (long long)t, (long long)nx);
            cr_assert_gt(cg_partlog_end_offset(pl, gp, nx), e);
            t = nx;
            steps++;
        }
        cr_expect_gt(steps, 100);
    }
    cg_partlog_free(pl);
}

/* A sparse partition: empty buckets are skipped by the look-ahead, and the returned time is a
 * lower bound at worst (no record before it). */
Test(partlog, next_arrival_sparse)
{
    fixture_t f;
    fx_init(&f, 1, 0);
    fx_producer(&f, 0, 0.02, CG_ARRIVAL_POISSON, 1);
    cg_partlog_t *pl = fx_log(&f, 8);
    int64_t t = 0, arrivals = 0;
    while (t < 5000 * S_NS) {
        int64_t e = cg_partlog_end_offset(pl, 0, t);
        int64_t nx = cg_partlog_next_arrival_ns(pl, 0, t);
        cr_assert_gt(nx, t);
        cr_assert_eq(cg_partlog_end_offset(pl, 0, nx - 1), e);
        arrivals += cg_partlog_end_offset(pl, 0, nx) > e;
        t = nx;
    }
    cr_expect(arrivals > 60 && arrivals < 140, "100 expected, got %lld", (long long)arrivals);
    cg_partlog_free(pl);
}

Test(partlog, determinism_by_seed)
{
    fixture_t f;
    fx_mixed(&f);
    cg_partlog_t *a = fx_log(&f, 1), *b = fx_log(&f, 1), *c = fx_log(&f, 2);
    int differ = 0;
    for (int64_t gp = 0; gp < 6; gp++) {
        for (int64_t s = 1; s <= 60; s++) {
            int64_t va = cg_partlog_end_offset(a, gp, s * S_NS);
            cr_assert_eq(va, cg_partlog_end_offset(b, gp, s * S_NS));
            differ += va != cg_partlog_end_offset(c, gp, s * S_NS);
        }
    }
    cr_expect_gt(differ, 100);
    cg_partlog_free(a);
    cg_partlog_free(b);
    cg_partlog_free(c);
}

/* Zipf(s = 1) over 1000 keys: key "0" alone carries 1/H_1000 = 13.4% of the rate. */
Test(partlog, zipf_skew)
{
    fixture_t f;
    fx_init(&f, 12, 0);
    cg_producer_cfg_t *p = fx_producer(&f, 0, 1200, CG_ARRIVAL_CONSTANT, 1000);
    p->key_dist = CG_KEYS_ZIPF;
    p->zipf_s = 1.0;
    cg_partlog_t *pl = fx_log(&f, 1);
    double want[12] = {0}, h = 0, total = 0;
    char key[24];
    for (int k = 0; k < 1000; k++) {
        int len = snprintf(key, sizeof key, "%d", k);
        want[cg_partition_for_key(key, (size_t)len, 12)] += 1.0 / (k + 1);
        h += 1.0 / (k + 1);
    }
    for (int32_t q = 0; q < 12; q++) {
        cr_expect(fabs(cg_partlog_rate_per_s(pl, q) - 1200 * want[q] / h) < 1e-6);
        total += cg_partlog_rate_per_s(pl, q);
    }
    cr_expect(fabs(total - 1200) < 1e-6);
    int32_t hot = cg_partition_for_key("0", 1, 12);
    cr_expect_gt(cg_partlog_rate_per_s(pl, hot), 1200 / 12.0 + 1200 / h * 0.9);
    /* constant arrivals at the rounded rate: within one record of rate * t */
    int64_t e = cg_partlog_end_offset(pl, hot, 100 * S_NS);
    cr_expect(llabs(e - (int64_t)floor(cg_partlog_rate_per_s(pl, hot) * 100)) <= 1);
    cg_partlog_free(pl);
}

/* Within a bucket the end offset is C_b + floor(N_b * (t - lo) / (hi - lo)) and the next arrival
 * lo + ceil((done + 1) * (hi - lo) / N_b), on both sides of the 2^33-record bucket size where the
 * code switches from 64-bit to 128-bit arithmetic; checked here with 128-bit arithmetic. */
static void check_bucket_formulas(int n_producers, double rate_each)
{
    __extension__ typedef unsigned __int128 u128;
    fixture_t f;
    cg_producer_cfg_t prods[10];                 /* more than the fixture holds */
    fx_init(&f, 1, 0);
    cr_assert_leq(n_producers, 10);
    for (int i = 0; i < n_producers; i++)
        prods[i] = (cg_producer_cfg_t){"p", 0, rate_each, CG_ARRIVAL_POISSON, 1, CG_KEYS_UNIFORM,
                                       1.0, 0, INT64_MAX};
    f.s.producers = prods;
    f.s.n_producers = (size_t)n_producers;
    cg_partlog_t *pl = fx_log(&f, 5);
    int64_t lo = 10 * S_NS, t = lo + 300 * MS_NS + 7;
    int64_t c10 = cg_partlog_end_offset(pl, 0, lo);
    int64_t got = cg_partlog_end_offset(pl, 0, t);
    int64_t next = cg_partlog_next_arrival_ns(pl, 0, t);
    int64_t n = cg_partlog_end_offset(pl, 0, lo + S_NS) - c10;
    cr_assert_gt(n, 0);
    int64_t done = (int64_t)((u128)n * (u128)(t - lo) / (u128)S_NS);
    int64_t want_next = lo + (int64_t)(((u128)(done + 1) * (u128)S_NS + (u128)n - 1) / (u128)n);
    cr_expect_eq(got, c10 + done, "n=%lld: got %lld want %lld", (long long)n, (long long)got,
                 (long long)(c10 + done));
    cr_expect_eq(next, want_next, "n=%lld: next %lld want %lld", (long long)n, (long long)next,
                 (long long)want_next);
    cg_partlog_free(pl);
}

Test(partlog, bucket_formulas_small_and_huge_counts)
{
    check_bucket_formulas(1, 1234.5);            /* N ~ 1.2e3: 64-bit path */
    check_bucket_formulas(2, 1e9);               /* N ~ 2e9 < 2^33: 64-bit path */
    check_bucket_formulas(10, 1e9);              /* N ~ 1e10 >= 2^33: 128-bit path */
}

/* Constant arrivals: num * dt below and beyond 2^64 (1e9 records/s over most of a year). */
Test(partlog, constant_products_beyond_64_bits)
{
    fixture_t f;
    fx_init(&f, 1, 0);
    f.s.duration_ns = 365 * 86400 * S_NS;
    fx_producer(&f, 0, 1e9, CG_ARRIVAL_CONSTANT, 1);   /* one record per ns */
    cg_partlog_t *pl = fx_log(&f, 1);
    static const int64_t times_ns[] = {1, S_NS + 3, 300 * 86400 * S_NS + 11};
    for (size_t i = 0; i < sizeof times_ns / sizeof times_ns[0]; i++) {
        cr_expect_eq(cg_partlog_end_offset(pl, 0, times_ns[i]), times_ns[i]);
        cr_expect_eq(cg_partlog_next_arrival_ns(pl, 0, times_ns[i]), times_ns[i] + 1);
    }
    cg_partlog_free(pl);
}

/* add_partitions: 4 partitions, 4 more at 10 s. The layout reserves all 8 from the start; the new
 * ones get nothing before 10 s; from 10 s every key is hashed over 8 (keys move), so at 20 s a
 * partition holds 10 s at its 4-partition share plus 10 s at its 8-partition share (constant
 * rates, exact). */
Test(partlog, partitions_added_while_running)
{
    fixture_t f;
    cg_fault_cfg_t add = {.at_ns = 10 * S_NS, .action = CG_FAULT_ADD_PARTITIONS, .count = 4,
                          .topic = 0, .group = -1, .consumer = -1, .duration_ns = -1};
    fx_init(&f, 4, 0);
    f.topics[0].max_partitions = 8;
    f.s.faults = &add;
    f.s.n_faults = 1;
    fx_producer(&f, 0, 1000, CG_ARRIVAL_CONSTANT, 1000);
    cg_partlog_t *pl = fx_log(&f, 3);
    cr_assert_eq(cg_partlog_count(pl), 8);
    for (int32_t p = 4; p < 8; p++) {
        cr_expect_eq(cg_partlog_end_offset(pl, p, 10 * S_NS), 0, "partition %d", p);
        cr_expect_eq(cg_partlog_end_offset(pl, p, 20 * S_NS), 10 * keys_on(1000, 8, p),
                     "partition %d", p);
    }
    int64_t total = 0;
    for (int32_t p = 0; p < 8; p++) {
        int64_t want = (p < 4 ? 10 * keys_on(1000, 4, p) : 0) + 10 * keys_on(1000, 8, p);
        cr_expect_eq(cg_partlog_end_offset(pl, p, 20 * S_NS), want, "partition %d", p);
        total += cg_partlog_end_offset(pl, p, 20 * S_NS);
    }
    cr_expect_eq(total, 20000);   /* the producer's rate is unchanged, only spread wider */
    cg_partlog_free(pl);
}

/* The partition streams' splitmix64 sequence as a GSL generator, to draw with GSL itself. */
typedef struct ref_sm {
    uint64_t x;                       /* splitmix64 counter */
} ref_sm_t;

static uint64_t ref_sm_next(ref_sm_t *s)
{
    uint64_t z = s->x + UINT64_C(0x9e3779b97f4a7c15);
    s->x = z;
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static void ref_sm_set(void *v, unsigned long seed) { ((ref_sm_t *)v)->x = seed; }
static unsigned long ref_sm_get(void *v) { return (unsigned long)(ref_sm_next(v) >> 32); }
static double ref_sm_get_double(void *v) { return (double)(ref_sm_next(v) >> 11) * 0x1p-53; }

static const gsl_rng_type REF_SM = {"ref-splitmix64", 0xffffffffUL, 0, sizeof(ref_sm_t),
                                    &ref_sm_set, &ref_sm_get, &ref_sm_get_double};

/* The inlined small-mean Poisson draw gives gsl_ran_poisson's count from the same stream, and
 * leaves the stream where GSL leaves it, for means from tiny to the inline bound of 10. */
Test(partlog, small_poisson_matches_gsl)
{
    gsl_rng *ref = gsl_rng_alloc(&REF_SM);
    cr_assert_not_null(ref);
    const double means[] = {1e-9, 0.001, 0.3, 1, 2, 2.5, 7.25, 9.999, 10};
    for (size_t m = 0; m < sizeof means / sizeof means[0]; m++) {
        uint64_t x = UINT64_C(0x1234567) * (m + 1);
        gsl_rng_set(ref, (unsigned long)x);
        for (int i = 0; i < 20000; i++) {
            int64_t got = cg_partlog_poisson_small(&x, means[m]);
            int64_t want = (int64_t)gsl_ran_poisson(ref, means[m]);
            cr_assert_eq(got, want, "mean %g draw %d: %lld, GSL %lld", means[m], i,
                         (long long)got, (long long)want);
            cr_assert_eq(x, ((ref_sm_t *)ref->state)->x, "mean %g draw %d: stream", means[m], i);
        }
    }
    gsl_rng_free(ref);
}
