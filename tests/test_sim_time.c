/* Tests of sim/time: sim_ms_to_ns rounds as llround does (to nearest, halves away from zero),
 * on its fast path for non-negative values and elsewhere, and saturates. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include "sim/time.h"

static int64_t reference(double ms)
{
    double ns = ms * 1e6;
    return ns >= (double)SIM_TIME_SAT_NS ? SIM_TIME_SAT_NS : (int64_t)llround(ns);
}

static void check(double ms)
{
    cr_assert_eq(sim_ms_to_ns(ms), reference(ms), "ms %.17g", ms);
}

Test(time, halves_and_their_neighbours_round_as_llround)
{
    for (int64_t n = 0; n < 4000; n++) {
        double ns = (double)n + 0.5;   /* n + 0.5 ns and the doubles either side of it */
        check(ns / 1e6);
        check(nextafter(ns, 0) / 1e6);
        check(nextafter(ns, INFINITY) / 1e6);
        check(-ns / 1e6);
    }
    /* Products near 0.5 ns (just below it, 0.5 + ns rounds up to 1 in a double), around the end
     * of the fast path and past it (where ns + 0.5 rounds to even). */
    static const double targets[] = {0.5, 0x1p51 + 0.5, 0x1p52, 0x1p53};
    for (size_t k = 0; k < sizeof targets / sizeof targets[0]; k++) {
        double ms = targets[k] / 1e6;
        for (int i = 0; i < 64; i++)
            ms = nextafter(ms, 0);
        for (int i = 0; i < 128; i++, ms = nextafter(ms, INFINITY))
            check(ms);
    }
    cr_assert_eq(sim_ms_to_ns(0.0000005), 1);     /* 0.5 ns rounds away from zero */
    cr_assert_eq(sim_ms_to_ns(-0.0000005), -1);
}

Test(time, the_whole_range_rounds_as_llround)
{
    uint64_t x = 88172645463325252u;   /* xorshift64: magnitudes from 1e-9 ms to 1e14 ms */
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double mant = (double)(x >> 11) * 0x1p-53;
        double ms = ldexp(mant, (int)(x % 80) - 30);
        check(ms);
        check(-ms);
        check(ldexp(floor(ldexp(ms, 20)) + 0.5, -20) / 1e6);   /* exact halves of a ns too */
    }
    check(0x1p52 / 1e6);                     /* around the end of the fast path */
    check(nextafter(0x1p52, 0) / 1e6);
    check(0x1p53 / 1e6);
    cr_assert_eq(sim_ms_to_ns(1e300), SIM_TIME_SAT_NS);
    cr_assert_eq(sim_ms_to_ns(INFINITY), SIM_TIME_SAT_NS);
    cr_assert_eq(sim_ms_to_ns(0), 0);
    cr_assert_eq(sim_ms_to_ns(-0.0), 0);
}
