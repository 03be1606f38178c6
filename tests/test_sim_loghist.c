/* sim/loghist: bucket bounds hold every value, buckets are at most 25% wide, and the nearest-rank
 * quantile reports the bucket's largest value capped by the exact maximum. */
#include <criterion/criterion.h>
#include "sim/loghist.h"

Test(loghist, buckets_hold_their_values)
{
    uint64_t probes[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 15, 16, 1000, 1791, 1792, 3071,
                         3072, 123456789, UINT64_MAX / 3, UINT64_MAX - 1, UINT64_MAX};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        uint64_t v = probes[i];
        int b = sim_loghist_bucket(v);
        cr_assert(b >= 0 && b < SIM_LOGHIST_BUCKETS, "v=%llu b=%d", (unsigned long long)v, b);
        cr_assert_leq(sim_loghist_lo(b), v);
        if (b + 1 < SIM_LOGHIST_BUCKETS)
            cr_assert_gt(sim_loghist_lo(b + 1), v, "v=%llu b=%d", (unsigned long long)v, b);
    }
    cr_assert_eq(sim_loghist_bucket(9), 8);     /* [8, 10) */
    cr_assert_eq(sim_loghist_bucket(10), 9);    /* [10, 12) */
    cr_assert_eq(sim_loghist_bucket(3000), 41); /* [2560, 3072) */
    cr_assert_eq(sim_loghist_lo(41), 2560);
    for (int b = 4; b + 1 < SIM_LOGHIST_BUCKETS - 1; b++) {
        uint64_t lo = sim_loghist_lo(b), hi = sim_loghist_lo(b + 1);
        cr_assert(hi > lo && (hi - lo) * 4 <= lo, "bucket %d [%llu, %llu)", b,
                  (unsigned long long)lo, (unsigned long long)hi);
    }
}

Test(loghist, nearest_rank_quantiles)
{
    int64_t c[SIM_LOGHIST_BUCKETS] = {0};
    cr_assert_eq(sim_loghist_quantile(c, 0.5, 0), 0, "nothing counted");
    c[sim_loghist_bucket(100)] = 50;    /* [96, 112) */
    c[sim_loghist_bucket(3000)] = 49;   /* [2560, 3072) */
    c[sim_loghist_bucket(9000)] = 1;    /* [8192, 10240) */
    cr_assert_eq(sim_loghist_quantile(c, 0.5, 9000), 111, "rank 50 is in the first bucket");
    cr_assert_eq(sim_loghist_quantile(c, 0.51, 9000), 3071, "rank 51");
    cr_assert_eq(sim_loghist_quantile(c, 0.99, 9000), 3071, "rank 99");
    cr_assert_eq(sim_loghist_quantile(c, 1.0, 9000), 9000, "the exact maximum caps the bucket");
}
