/* Tests of sim/dist: sample moments against the parameters, truncation, sums, validation. All
 * streams have fixed seeds, so the outcomes are deterministic; tolerances are 5 standard errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include "sim/dist.h"

#define N_SAMPLES 200000
#define PI 3.14159265358979323846

typedef struct moments {
    double mean;                      /* sample mean */
    double sd;                        /* sample standard deviation */
    double min;                       /* smallest sample */
    double max;                       /* largest sample */
} moments_t;

static moments_t sample_moments(sim_dist_t d, const char *key, int n)
{
    sim_rng_t r;
    cr_assert_eq(sim_rng_init(&r, 2024, key), 0);
    double s = 0, s2 = 0;
    moments_t m = {0, 0, INFINITY, -INFINITY};
    for (int i = 0; i < n; i++) {
        double x = sim_dist_sample(&d, &r);
        cr_assert(isfinite(x) && x >= 0, "sample %g of %s", x, sim_dist_name(d.kind));
        s += x;
        s2 += x * x;
        m.min = fmin(m.min, x);
        m.max = fmax(m.max, x);
    }
    sim_rng_fini(&r);
    m.mean = s / n;
    m.sd = sqrt(fmax(s2 / n - m.mean * m.mean, 0));
    return m;
}

/* |got - want| within 5 standard errors of a mean of n draws with sd `sd`. */
static void assert_mean(double got, double want, double sd, int n, const char *what)
{
    double tol = 5 * sd / sqrt((double)n);
    cr_assert(fabs(got - want) <= tol, "%s: mean %.6f, expected %.6f +- %.6f", what, got, want,
              tol);
}

Test(dist, names_round_trip)
{
    const char *names[] = {"constant", "uniform", "exponential", "normal", "lognormal", "pareto",
                           "weibull"};
    for (int k = 0; k < SIM_DIST_KIND_COUNT; k++) {
        cr_assert_str_eq(sim_dist_name((sim_dist_kind_t)k), names[k]);
        cr_assert_eq(sim_dist_from_name(names[k]), k);
    }
    cr_assert_eq(sim_dist_from_name("gaussian"), -1);
    cr_assert_eq(sim_dist_from_name(NULL), -1);
}

Test(dist, constant_and_uniform)
{
    moments_t m = sample_moments(sim_dist_constant(2.5), "c", 100);
    cr_assert_eq(m.min, 2.5);
    cr_assert_eq(m.max, 2.5);
    sim_dist_t u = {SIM_DIST_UNIFORM, 2, 6};
    m = sample_moments(u, "u", N_SAMPLES);
    cr_assert(m.min >= 2 && m.max < 6);
    assert_mean(m.mean, 4, 4 / sqrt(12), N_SAMPLES, "uniform");
    cr_assert_float_eq(sim_dist_mean(&u), 4, 1e-12);
}

Test(dist, exponential)
{
    sim_dist_t d = {SIM_DIST_EXPONENTIAL, 3, 0};
    moments_t m = sample_moments(d, "e", N_SAMPLES);
    assert_mean(m.mean, 3, 3, N_SAMPLES, "exponential");
    cr_assert(fabs(m.sd - 3) < 0.05, "sd %f", m.sd);
    cr_assert_float_eq(sim_dist_mean(&d), 3, 1e-12);
}

Test(dist, normal_is_truncated_at_zero)
{
    /* Mean of N(mu, s) truncated below at 0: mu + s * phi(mu/s) / Phi(mu/s). */
    sim_dist_t d = {SIM_DIST_NORMAL, 5, 2};
    cr_assert_float_eq(sim_dist_mean(&d), 5.0352757, 1e-6);
    moments_t m = sample_moments(d, "n", N_SAMPLES);
    assert_mean(m.mean, sim_dist_mean(&d), 2, N_SAMPLES, "normal(5,2)");
    sim_dist_t z = {SIM_DIST_NORMAL, 0, 1};   /* half-normal: mean sqrt(2/pi) */
    cr_assert_float_eq(sim_dist_mean(&z), sqrt(2 / PI), 1e-9);
    m = sample_moments(z, "n0", N_SAMPLES);
    cr_assert(m.min >= 0);
    assert_mean(m.mean, sqrt(2 / PI), 1, N_SAMPLES, "normal(0,1)");
    sim_dist_t w = {SIM_DIST_NORMAL, 1, 3};
    m = sample_moments(w, "n1", N_SAMPLES);
    cr_assert(m.min >= 0);
    assert_mean(m.mean, sim_dist_mean(&w), 3, N_SAMPLES, "normal(1,3)");
    sim_dist_t flat = {SIM_DIST_NORMAL, 4, 0};
    cr_assert_eq(sample_moments(flat, "n2", 10).max, 4);
}

Test(dist, lognormal_matches_mean_and_sd_of_the_variable)
{
    sim_dist_t d = {SIM_DIST_LOGNORMAL, 10, 4};
    moments_t m = sample_moments(d, "ln", N_SAMPLES);
    assert_mean(m.mean, 10, 4, N_SAMPLES, "lognormal");
    cr_assert(fabs(m.sd - 4) < 0.1, "lognormal sd %f, expected 4", m.sd);
    cr_assert_float_eq(sim_dist_mean(&d), 10, 1e-12);
}

Test(dist, pareto_scale_and_shape)
{
    sim_dist_t d = {SIM_DIST_PARETO, 2, 3};   /* scale 2, shape 3: mean 3, sd sqrt(3) */
    cr_assert_float_eq(sim_dist_mean(&d), 3, 1e-12);
    moments_t m = sample_moments(d, "p", N_SAMPLES);
    cr_assert(m.min >= 2);
    /* Third moment is infinite for shape 3: allow a wider margin on the sample mean. */
    assert_mean(m.mean, 3, 2 * sqrt(3), N_SAMPLES, "pareto");
    sim_dist_t heavy = {SIM_DIST_PARETO, 1, 0.8};
    cr_assert(isinf(sim_dist_mean(&heavy)));
}

Test(dist, weibull_scale_and_shape)
{
    sim_dist_t d = {SIM_DIST_WEIBULL, 2, 1.5};   /* mean 2 * Gamma(5/3) */
    cr_assert_float_eq(sim_dist_mean(&d), 1.8054905, 1e-6);
    moments_t m = sample_moments(d, "w", N_SAMPLES);
    assert_mean(m.mean, 1.8054905, 1.23, N_SAMPLES, "weibull");
    sim_dist_t e = {SIM_DIST_WEIBULL, 3, 1};     /* shape 1 is exponential(3) */
    cr_assert_float_eq(sim_dist_mean(&e), 3, 1e-9);
}

/* Mean of `reps` sums of n draws, against n * mean; sd of one draw given. */
static void check_sum(sim_dist_t d, uint32_t n, double sd, const char *key)
{
    enum { REPS = 4000 };
    sim_rng_t r;
    cr_assert_eq(sim_rng_init(&r, 99, key), 0);
    double s = 0;
    for (int i = 0; i < REPS; i++) {
        double x = sim_dist_sample_sum(&d, &r, n);
        cr_assert(isfinite(x) && x >= 0);
        s += x;
    }
    sim_rng_fini(&r);
    assert_mean(s / REPS, n * sim_dist_mean(&d), sd * sqrt((double)n), REPS, key);
}

Test(dist, sample_sum_mean_is_n_times_mean)
{
    sim_rng_t r;
    cr_assert_eq(sim_rng_init(&r, 1, "sum"), 0);
    sim_dist_t c = sim_dist_constant(1.5);
    cr_assert_eq(sim_dist_sample_sum(&c, &r, 1000), 1500);
    cr_assert_eq(sim_dist_sample_sum(&c, &r, 0), 0);
    sim_dist_t e = {SIM_DIST_EXPONENTIAL, 2, 0};
    cr_assert_eq(sim_dist_sample_sum(&e, &r, 0), 0);
    sim_rng_fini(&r);
    const uint32_t ns[] = {10, SIM_DIST_EXACT_SUM_MAX, SIM_DIST_EXACT_SUM_MAX + 1, 5000};
    for (int i = 0; i < 4; i++) {
        uint32_t n = ns[i];
        check_sum((sim_dist_t){SIM_DIST_UNIFORM, 1, 3}, n, 2 / sqrt(12), "sum-u");
        check_sum(e, n, 2, "sum-e");
        check_sum((sim_dist_t){SIM_DIST_NORMAL, 1, 2}, n, 2, "sum-n");
        check_sum((sim_dist_t){SIM_DIST_LOGNORMAL, 5, 3}, n, 3, "sum-ln");
        check_sum((sim_dist_t){SIM_DIST_PARETO, 1, 4}, n, 0.48, "sum-p");
        check_sum((sim_dist_t){SIM_DIST_WEIBULL, 2, 2}, n, 0.93, "sum-w");
    }
}

Test(dist, sample_sum_heavy_pareto_is_finite_and_bounded_below)
{
    sim_dist_t d = {SIM_DIST_PARETO, 1, 1.5};   /* infinite variance */
    sim_rng_t r;
    cr_assert_eq(sim_rng_init(&r, 5, "heavy"), 0);
    const uint32_t ns[] = {100, 1024, 100000, 4000000000u};
    for (int i = 0; i < 4; i++) {
        double x = sim_dist_sample_sum(&d, &r, ns[i]);
        cr_assert(isfinite(x) && x >= ns[i] * 1.0, "sum of %u draws = %g", ns[i], x);
    }
    sim_rng_fini(&r);
}

static void assert_invalid(sim_dist_t d, const char *want)
{
    char msg[128] = "";
    cr_assert_eq(sim_dist_validate(&d, msg, sizeof msg), -1, "%s accepted", want);
    cr_assert_str_eq(msg, want);
}

Test(dist, validate_messages)
{
    char msg[128];
    sim_dist_t ok[] = {
        sim_dist_constant(0), {SIM_DIST_UNIFORM, 1, 1}, {SIM_DIST_EXPONENTIAL, 0.5, 0},
        {SIM_DIST_NORMAL, 0, 0}, {SIM_DIST_LOGNORMAL, 1, 0}, {SIM_DIST_PARETO, 1, 0.5},
        {SIM_DIST_WEIBULL, 1, 0.5},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        cr_assert_eq(sim_dist_validate(&ok[i], msg, sizeof msg), 0, "%zu: %s", i, msg);
    assert_invalid(sim_dist_constant(-1), "value must be >= 0");
    assert_invalid((sim_dist_t){SIM_DIST_UNIFORM, -1, 2}, "min must be >= 0");
    assert_invalid((sim_dist_t){SIM_DIST_UNIFORM, 3, 2}, "max must be >= min");
    assert_invalid((sim_dist_t){SIM_DIST_EXPONENTIAL, 0, 0}, "mean must be > 0");
    assert_invalid((sim_dist_t){SIM_DIST_NORMAL, -1, 1}, "mean must be >= 0");
    assert_invalid((sim_dist_t){SIM_DIST_NORMAL, 1, -1}, "sd must be >= 0");
    assert_invalid((sim_dist_t){SIM_DIST_LOGNORMAL, 0, 1}, "mean must be > 0");
    assert_invalid((sim_dist_t){SIM_DIST_LOGNORMAL, 1, -2}, "sd must be >= 0");
    assert_invalid((sim_dist_t){SIM_DIST_PARETO, 0, 1}, "scale must be > 0");
    assert_invalid((sim_dist_t){SIM_DIST_PARETO, 1, 0}, "shape must be > 0");
    assert_invalid((sim_dist_t){SIM_DIST_WEIBULL, -1, 1}, "scale must be > 0");
    assert_invalid((sim_dist_t){SIM_DIST_WEIBULL, 1, -1}, "shape must be > 0");
    assert_invalid((sim_dist_t){SIM_DIST_EXPONENTIAL, NAN, 0}, "parameters must be finite numbers");
    assert_invalid((sim_dist_t){SIM_DIST_KIND_COUNT, 1, 1}, "unknown distribution kind");
}

Test(dist, same_seed_same_samples)
{
    sim_dist_t d = {SIM_DIST_LOGNORMAL, 3, 1};
    sim_rng_t a, b;
    cr_assert_eq(sim_rng_init(&a, 11, "k"), 0);
    cr_assert_eq(sim_rng_init(&b, 11, "k"), 0);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(sim_dist_sample(&d, &a), sim_dist_sample(&d, &b));
    sim_rng_fini(&a);
    sim_rng_fini(&b);
}

/* The one-draw sums have the law of the sum, not only its mean: mean and sd of `reps` sums of n
 * draws against n * mean and sqrt(n) * sd (a gamma with the wrong shape or scale fails). */
static void check_sum_sd(sim_dist_t d, uint32_t n, double sd, const char *key)
{
    enum { REPS = 40000 };
    sim_dist_sampler_t s;
    sim_dist_sampler_init(&s, &d);
    sim_rng_t r;
    cr_assert_eq(sim_rng_init(&r, 7, key), 0);
    double sum = 0, sum2 = 0;
    for (int i = 0; i < REPS; i++) {
        double x = sim_dist_sampler_sum(&s, &r, n);
        sum += x;
        sum2 += x * x;
    }
    sim_rng_fini(&r);
    double mean = sum / REPS, got_sd = sqrt(fmax(sum2 / REPS - mean * mean, 0));
    double want_sd = sd * sqrt((double)n);
    assert_mean(mean, n * sim_dist_mean(&d), want_sd, REPS, key);
    cr_assert(fabs(got_sd - want_sd) <= 0.03 * want_sd, "%s n=%u: sd %.5f, expected %.5f", key,
              n, got_sd, want_sd);
}

Test(dist, sums_have_the_sd_of_the_sum)
{
    const uint32_t ns[] = {1, 2, 3, 7, SIM_DIST_EXACT_SUM_MAX, SIM_DIST_EXACT_SUM_MAX + 1, 500};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        check_sum_sd((sim_dist_t){SIM_DIST_EXPONENTIAL, 0.5, 0}, ns[i], 0.5, "sd-e");
        check_sum_sd((sim_dist_t){SIM_DIST_LOGNORMAL, 0.5, 0.2}, ns[i], 0.2, "sd-ln");
        check_sum_sd((sim_dist_t){SIM_DIST_NORMAL, 2, 0.5}, ns[i], 0.5, "sd-n");
        check_sum_sd((sim_dist_t){SIM_DIST_UNIFORM, 1, 3}, ns[i], 2 / sqrt(12), "sd-u");
    }
}

/* Every family's draws and sums, bit for bit: a hash of the doubles of fixed-seed draws. CI runs
 * this test in the -O2 build and in the -O0 sanitizer build, so both must give these bits; a
 * sampler change updates the constant on purpose (the failure prints the new value). */
Test(dist, draws_are_the_same_bits_at_every_optimisation_level)
{
    const sim_dist_t ds[] = {
        sim_dist_constant(1.5),           {SIM_DIST_UNIFORM, 0.5, 2},
        {SIM_DIST_EXPONENTIAL, 0.5, 0},   {SIM_DIST_NORMAL, 0.5, 0.4},
        {SIM_DIST_LOGNORMAL, 0.5, 0.2},   {SIM_DIST_PARETO, 0.2, 1.5},
        {SIM_DIST_PARETO, 0.2, 3},        {SIM_DIST_WEIBULL, 0.5, 1.5},
    };
    const uint32_t ns[] = {1, 2, 5, SIM_DIST_EXACT_SUM_MAX, SIM_DIST_EXACT_SUM_MAX + 1, 2000};
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t k = 0; k < sizeof ds / sizeof ds[0]; k++) {
        sim_rng_t r;
        cr_assert_eq(sim_rng_init(&r, 42, sim_dist_name(ds[k].kind)), 0);
        sim_dist_sampler_t s;
        sim_dist_sampler_init(&s, &ds[k]);
        for (int i = 0; i < 300; i++) {
            double x = i % 7 == 0 ? sim_dist_sample(&ds[k], &r)
                                  : sim_dist_sampler_sum(&s, &r, ns[i % 6]);
            uint64_t bits;
            memcpy(&bits, &x, sizeof bits);
            for (int b = 0; b < 8; b++)
                h = (h ^ ((bits >> (8 * b)) & 0xff)) * UINT64_C(0x100000001b3);
        }
        sim_rng_fini(&r);
    }
    cr_assert_eq(h, UINT64_C(0x753b4de3bd3ec41e), "draws hash to 0x%016llx", (unsigned long long)h);
}
