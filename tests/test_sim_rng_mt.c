/* tests/test_sim_rng_mt: sim/rng's own MT19937 generator type against GSL's gsl_rng_mt19937:
 * many stream keys, raw outputs over several full regenerations, doubles, the exponential draws
 * of sim/dist, and gsl_rng_set(0) (GSL's default seed 4357). */
#include <criterion/criterion.h>
#include <math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "sim/dist.h"
#include "sim/rng.h"

#define MT_DRAWS 3000   /* a little under five regenerations of 624 words */

static gsl_rng *ref_for(uint64_t master, const char *key)
{
    uint64_t m = sim_rng_mix(master, key);
    uint32_t seed = (uint32_t)(m >> 32) ^ (uint32_t)m;
    gsl_rng *ref = gsl_rng_alloc(gsl_rng_mt19937);
    cr_assert_not_null(ref);
    gsl_rng_set(ref, seed ? seed : 1);
    return ref;
}

Test(rng_mt, raw_outputs_match_gsl_for_many_keys)
{
    const char *keys[] = {"", "proc/g/c-1", "net/g/c-999", "member-id/x/y", "fault/0/g/c-7"};
    for (uint64_t master = 0; master < 4; master++)
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            sim_rng_t r;
            cr_assert_eq(sim_rng_init(&r, master * 977 + 1, keys[k]), 0);
            gsl_rng *ref = ref_for(master * 977 + 1, keys[k]);
            for (int i = 0; i < MT_DRAWS; i++)
                cr_assert_eq(gsl_rng_get(r.gen), gsl_rng_get(ref), "key %s draw %d", keys[k], i);
            gsl_rng_free(ref);
            sim_rng_fini(&r);
        }
}

Test(rng_mt, doubles_exponentials_and_their_sums_match_gsl)
{
    sim_rng_t r;
    cr_assert_eq(sim_rng_init(&r, 1, "proc/g/c-42"), 0);
    gsl_rng *ref = ref_for(1, "proc/g/c-42");
    sim_dist_t d = {0};
    d.kind = SIM_DIST_EXPONENTIAL;
    d.p1 = 0.5;
    for (int i = 0; i < MT_DRAWS; i++) {
        if (i % 3 == 0) {
            cr_assert_eq(sim_rng_uniform(&r), gsl_rng_uniform(ref), "draw %d", i);
        } else if (i % 3 == 1) {
            cr_assert_eq(sim_dist_sample(&d, &r), gsl_ran_exponential(ref, 0.5), "draw %d", i);
        } else {
            /* the sum of 3 exponentials is one gamma(3) draw */
            cr_assert_eq(sim_dist_sample_sum(&d, &r, 3), gsl_ran_gamma(ref, 3, 0.5), "draw %d", i);
        }
    }
    gsl_rng_free(ref);
    sim_rng_fini(&r);
}

/* The inlined uniform is gsl_ran_flat's formula; the lognormal is exp of a ziggurat normal. */
Test(rng_mt, uniform_and_lognormal_match_gsl)
{
    sim_rng_t r;
    cr_assert_eq(sim_rng_init(&r, 3, "proc/g/c-7"), 0);
    gsl_rng *ref = ref_for(3, "proc/g/c-7");
    sim_dist_t u = {SIM_DIST_UNIFORM, 0.25, 2.0};
    sim_dist_t ln = {SIM_DIST_LOGNORMAL, 0.5, 0.2};
    double sigma = sqrt(log1p(0.4 * 0.4)), mu = log(0.5) - sigma * sigma / 2;
    for (int i = 0; i < MT_DRAWS; i++) {
        double got = sim_dist_sample(&u, &r);   /* the assert macros evaluate twice */
        cr_assert_eq(got, gsl_ran_flat(ref, 0.25, 2.0), "draw %d", i);
        double want = exp(mu + sigma * gsl_ran_gaussian_ziggurat(ref, 1.0));
        got = sim_dist_sample(&ln, &r);
        cr_assert_float_eq(got, want, 1e-12 * want, "draw %d", i);
    }
    gsl_rng_free(ref);
    sim_rng_fini(&r);
}

Test(rng_mt, seed_zero_is_gsl_default)
{
    sim_rng_t r;
    cr_assert_eq(sim_rng_init(&r, 5, "k"), 0);
    gsl_rng_set(r.gen, 0);
    gsl_rng *ref = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(ref, 0);
    for (int i = 0; i < 700; i++)
        cr_assert_eq(gsl_rng_get(r.gen), gsl_rng_get(ref), "draw %d", i);
    gsl_rng_free(ref);
    sim_rng_fini(&r);
}
