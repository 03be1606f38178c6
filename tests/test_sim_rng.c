/* Tests of sim/rng: the documented seed mixing and the independence of streams. The pinned values
 * were computed with an independent Python implementation of the formula in sim/rng.c and of
 * MT19937 (init_genrand seeding, as GSL's mt19937 does). */
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include "sim/rng.h"

Test(rng, splitmix64_known_values)
{
    /* Reference outputs of splitmix64 seeded with 0 (Vigna's splitmix64.c): x = 0, then +gamma. */
    cr_assert_eq(sim_splitmix64(0), UINT64_C(0xe220a8397b1dcdaf));
    cr_assert_eq(sim_splitmix64(UINT64_C(0x9e3779b97f4a7c15)), UINT64_C(0x6e789e6aa1b965f4));
}

Test(rng, mix_is_pinned)
{
    cr_assert_eq(sim_rng_mix(42, "member/c1"), UINT64_C(0x6809a91593a23ca8));
    cr_assert_eq(sim_rng_mix(0, ""), UINT64_C(0x21fa69a58f3d62f5));
    cr_assert_eq(sim_rng_mix(0, NULL), UINT64_C(0x21fa69a58f3d62f5), "NULL hashes like \"\"");
    cr_assert_eq(sim_rng_mix(1, "bench/engine"), UINT64_C(0x03d86e674772551f));
}

Test(rng, first_draws_are_pinned)
{
    /* seed32 = hi ^ lo of the mix = 4222326205; MT19937 outputs from that seed. */
    sim_rng_t r;
    cr_assert_eq(sim_rng_init(&r, 42, "member/c1"), 0);
    cr_assert_eq(gsl_rng_get(r.gen), 3422735433ul);
    cr_assert_eq(gsl_rng_get(r.gen), 3168896504ul);
    cr_assert_eq(gsl_rng_get(r.gen), 1331331198ul);
    sim_rng_fini(&r);
}

Test(rng, same_seed_and_key_same_sequence)
{
    sim_rng_t a, b;
    cr_assert_eq(sim_rng_init(&a, 7, "producer/p1"), 0);
    cr_assert_eq(sim_rng_init(&b, 7, "producer/p1"), 0);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(sim_rng_uniform(&a), sim_rng_uniform(&b));
    sim_rng_fini(&a);
    sim_rng_fini(&b);
}

static int count_equal(uint64_t seed_a, const char *key_a, uint64_t seed_b, const char *key_b)
{
    sim_rng_t a, b;
    cr_assert_eq(sim_rng_init(&a, seed_a, key_a), 0);
    cr_assert_eq(sim_rng_init(&b, seed_b, key_b), 0);
    int same = 0;
    for (int i = 0; i < 100; i++)
        same += gsl_rng_get(a.gen) == gsl_rng_get(b.gen);
    sim_rng_fini(&a);
    sim_rng_fini(&b);
    return same;
}

Test(rng, different_keys_or_seeds_differ)
{
    cr_assert_lt(count_equal(7, "producer/p1", 7, "producer/p2"), 2);
    cr_assert_lt(count_equal(7, "producer/p1", 8, "producer/p1"), 2);
    cr_assert_lt(count_equal(7, "a", 7, "b"), 2);
}

Test(rng, adding_a_stream_does_not_change_another)
{
    /* Run 1: one stream. Run 2: another stream created first and drawn from in between. */
    sim_rng_t a1, other, a2;
    double first[50];
    cr_assert_eq(sim_rng_init(&a1, 3, "member/x"), 0);
    for (int i = 0; i < 50; i++)
        first[i] = sim_rng_uniform(&a1);
    cr_assert_eq(sim_rng_init(&other, 3, "member/new"), 0);
    cr_assert_eq(sim_rng_init(&a2, 3, "member/x"), 0);
    for (int i = 0; i < 50; i++) {
        (void)sim_rng_uniform(&other);
        cr_assert_eq(sim_rng_uniform(&a2), first[i]);
    }
    sim_rng_fini(&a1);
    sim_rng_fini(&other);
    sim_rng_fini(&a2);
}

Test(rng, below_stays_in_range_and_covers_it)
{
    sim_rng_t r;
    int hits[7] = {0};
    cr_assert_eq(sim_rng_init(&r, 1, "below"), 0);
    cr_assert_eq(sim_rng_below(&r, 1), 0);
    for (int i = 0; i < 7000; i++) {
        uint64_t x = sim_rng_below(&r, 7);
        cr_assert_lt(x, 7);
        hits[x]++;
    }
    for (int k = 0; k < 7; k++)
        cr_assert(hits[k] > 850 && hits[k] < 1150, "value %d drawn %d times of 7000", k, hits[k]);
    uint64_t big = UINT64_C(3) << 40;   /* needs two 32-bit draws */
    int high = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = sim_rng_below(&r, big);
        cr_assert_lt(x, big);
        high += x >= big / 2;
    }
    cr_assert(high > 400 && high < 600, "upper half drawn %d times of 1000", high);
    for (int i = 0; i < 1000; i++) {
        double u = sim_rng_uniform_pos(&r);
        cr_assert(u > 0 && u < 1);
    }
    sim_rng_fini(&r);
}

/* The draw-ahead generator behind r.gen hands out exactly the sequence of a plain GSL mt19937
 * seeded with seed32, whatever mix of raw, uniform, integer and distribution draws is asked for
 * (the buffer refills many times over). */
Test(rng, draw_ahead_gives_plain_mt19937_sequence)
{
    sim_rng_t r;
    cr_assert_eq(sim_rng_init(&r, 42, "member/c1"), 0);
    gsl_rng *ref = gsl_rng_alloc(gsl_rng_mt19937);
    cr_assert_not_null(ref);
    gsl_rng_set(ref, 4222326205ul);   /* seed32 of (42, "member/c1"), as pinned above */
    cr_assert_eq(gsl_rng_max(r.gen), gsl_rng_max(ref));
    cr_assert_eq(gsl_rng_min(r.gen), gsl_rng_min(ref));
    for (int i = 0; i < 5000; i++) {
        switch (i % 6) {
        case 0:
            cr_assert_eq(gsl_rng_get(r.gen), gsl_rng_get(ref), "draw %d", i);
            break;
        case 1:
            cr_assert_eq(sim_rng_uniform(&r), gsl_rng_uniform(ref), "draw %d", i);
            break;
        case 2:
            cr_assert_eq(sim_rng_uniform_pos(&r), gsl_rng_uniform_pos(ref), "draw %d", i);
            break;
        case 3:
            cr_assert_eq(sim_rng_below(&r, 1000003), gsl_rng_uniform_int(ref, 1000003), "%d", i);
            break;
        case 4:
            cr_assert_eq(gsl_ran_exponential(r.gen, 0.5), gsl_ran_exponential(ref, 0.5), "%d", i);
            break;
        default:
            cr_assert_eq(gsl_ran_gaussian(r.gen, 2.0), gsl_ran_gaussian(ref, 2.0), "draw %d", i);
            break;
        }
    }
    gsl_rng_free(ref);
    sim_rng_fini(&r);
}
