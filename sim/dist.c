/* sim/dist: parameters, validation, sampling and moments of the scenario distributions.
 *
 * Parameterisations (p1, p2):
 *   constant(v)           v
 *   uniform(min, max)     min * (1 - u) + max * u with u = gsl_rng_uniform, [min, max)
 *                         (gsl_ran_flat's formula, without its indirect calls)
 *   exponential(mean)     gsl_ran_exponential
 *   normal(mean, sd)      mean + gsl_ran_gaussian_ziggurat(sd), redrawn while negative (the law
 *                         truncated at 0); after SIM_DIST_TRUNC_TRIES negative draws it gives 0.
 *                         Validation asks mean >= 0, so a draw is accepted with probability >= 1/2.
 *   lognormal(m, s)       m and s are the mean and sd of the variable:
 *                         sigma^2 = ln(1 + s^2/m^2), mu = ln(m) - sigma^2/2,
 *                         exp(mu + sigma * gsl_ran_gaussian_ziggurat(1)).
 *   pareto(scale, shape)  gsl_ran_pareto(shape a, scale b): x >= b, mean a*b/(a-1) for a > 1.
 *   weibull(scale, shape) gsl_ran_weibull(scale, shape), mean scale * Gamma(1 + 1/shape).
 *
 * The normals come from GSL's ziggurat (Marsaglia and Tsang 2000): exact, and in ~99% of draws
 * one generator word and a table lookup, where the polar Box-Muller method costs two or more
 * words, a log and a sqrt. Samples are finite: a draw that overflows (pareto with a tiny shape)
 * is clamped to DBL_MAX.
 *
 * Sums of n draws (a batch's processing time) take one draw where the sum has a law of its own:
 * constant n*v; exponential gsl_ran_gamma(n, mean) (Marsaglia-Tsang, exact; n = 1 is the plain
 * exponential draw, cheaper). Otherwise n exact draws when n <= SIM_DIST_EXACT_SUM_MAX; beyond,
 * pareto with shape <= 2 (infinite variance, no CLT) sums exact draws up to
 * SIM_DIST_HEAVY_SUM_MAX and otherwise scales the sum of SIM_DIST_HEAVY_SUM_MAX draws by
 * n / SIM_DIST_HEAVY_SUM_MAX (the heavy tail is kept, its frequency is not); every other law a
 * normal with mean n*mu and sd sqrt(n)*sigma of the (truncated) law, truncated at 0 like the
 * normal kind. A sampler (sim_dist_sampler_t) holds what a sum needs computed once. */
#include "sim/dist.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#define SIM_DIST_TRUNC_TRIES 1000u       /* redraws of a truncated normal before giving 0 */
#define SIM_DIST_HEAVY_SUM_MAX 1024u     /* exact draws summed for an infinite-variance pareto */

static const char *const SIM_DIST_NAMES[SIM_DIST_KIND_COUNT] = {
    "constant", "uniform", "exponential", "normal", "lognormal", "pareto", "weibull",
};

const char *sim_dist_name(sim_dist_kind_t kind)
{
    if ((int)kind < 0 || kind >= SIM_DIST_KIND_COUNT)
        return "unknown";
    return SIM_DIST_NAMES[kind];
}

int sim_dist_from_name(const char *name)
{
    if (!name)
        return -1;
    for (int k = 0; k < SIM_DIST_KIND_COUNT; k++)
        if (strcmp(name, SIM_DIST_NAMES[k]) == 0)
            return k;
    return -1;
}

static int fail(char *msg, size_t msglen, const char *text)
{
    if (msg && msglen)
        snprintf(msg, msglen, "%s", text);
    return -1;
}

/* Both parameters must be finite numbers; checks the rule that names them. */
static int validate_params(const sim_dist_t *d, char *msg, size_t msglen)
{
    double a = d->p1, b = d->p2;
    switch (d->kind) {
    case SIM_DIST_CONSTANT:
        return a >= 0 ? 0 : fail(msg, msglen, "value must be >= 0");
    case SIM_DIST_UNIFORM:
        if (!(a >= 0))
            return fail(msg, msglen, "min must be >= 0");
        return b >= a ? 0 : fail(msg, msglen, "max must be >= min");
    case SIM_DIST_EXPONENTIAL:
        return a > 0 ? 0 : fail(msg, msglen, "mean must be > 0");
    case SIM_DIST_NORMAL:
        if (!(a >= 0))
            return fail(msg, msglen, "mean must be >= 0");
        return b >= 0 ? 0 : fail(msg, msglen, "sd must be >= 0");
    case SIM_DIST_LOGNORMAL:
        if (!(a > 0))
            return fail(msg, msglen, "mean must be > 0");
        return b >= 0 ? 0 : fail(msg, msglen, "sd must be >= 0");
    case SIM_DIST_PARETO:
    case SIM_DIST_WEIBULL:
        if (!(a > 0))
            return fail(msg, msglen, "scale must be > 0");
        return b > 0 ? 0 : fail(msg, msglen, "shape must be > 0");
    default:
        return fail(msg, msglen, "unknown distribution kind");
    }
}

int sim_dist_validate(const sim_dist_t *d, char *msg, size_t msglen)
{
    if ((int)d->kind < 0 || d->kind >= SIM_DIST_KIND_COUNT)
        return fail(msg, msglen, "unknown distribution kind");
    if (!isfinite(d->p1) || !isfinite(d->p2))
        return fail(msg, msglen, "parameters must be finite numbers");
    return validate_params(d, msg, msglen);
}

/* mean + N(0, sd) redrawn while negative; 0 after SIM_DIST_TRUNC_TRIES failures. */
static double trunc_normal(sim_rng_t *r, double mean, double sd)
{
    if (sd <= 0)
        return mean > 0 ? mean : 0;
    for (unsigned i = 0; i < SIM_DIST_TRUNC_TRIES; i++) {
        double x = mean + gsl_ran_gaussian_ziggurat(r->gen, sd);
        if (x >= 0)
            return x;
    }
    return 0;
}

/* Gamma(x) for x >= 1, INFINITY where gsl_sf_gamma would overflow (its error handler aborts). */
static double gamma_or_inf(double x)
{
    return x < GSL_SF_GAMMA_XMAX ? gsl_sf_gamma(x) : INFINITY;
}

static double finite_or_max(double x)
{
    return x < DBL_MAX ? x : DBL_MAX;   /* also maps +inf to DBL_MAX */
}

/* gsl_ran_exponential(r->gen, mean) computed here: GSL 2.x draws u = gsl_rng_uniform and returns
 * -mu * log1p(-u); sim_rng_uniform yields the same u, so the double is the same. */
static inline double exponential(const sim_dist_t *d, sim_rng_t *r)
{
    double u = sim_rng_uniform(r);
    return -d->p1 * log1p(-u);
}

/* The log's mean and sd of a lognormal with mean m > 0 and sd sd > 0. */
static void lognormal_params(double m, double sd, double *mu, double *sigma)
{
    double cv = sd / m;
    double sigma2 = log1p(cv * cv);
    *mu = log(m) - sigma2 / 2;
    *sigma = sqrt(sigma2);
}

/* One draw; mu and sigma are the lognormal's log parameters (unused by the other kinds). */
static inline double draw(const sim_dist_t *d, double mu, double sigma, sim_rng_t *r)
{
    switch (d->kind) {
    case SIM_DIST_CONSTANT:
        return d->p1;
    case SIM_DIST_UNIFORM: {
        double u = sim_rng_uniform(r);
        return d->p1 * (1 - u) + d->p2 * u;
    }
    case SIM_DIST_EXPONENTIAL:
        return exponential(d, r);
    case SIM_DIST_NORMAL:
        return trunc_normal(r, d->p1, d->p2);
    case SIM_DIST_LOGNORMAL:
        if (d->p2 <= 0)
            return d->p1;
        return finite_or_max(exp(mu + sigma * gsl_ran_gaussian_ziggurat(r->gen, 1.0)));
    case SIM_DIST_PARETO:
        return finite_or_max(gsl_ran_pareto(r->gen, d->p2, d->p1));
    case SIM_DIST_WEIBULL:
        return finite_or_max(gsl_ran_weibull(r->gen, d->p1, d->p2));
    default:
        return 0;
    }
}

double sim_dist_sample(const sim_dist_t *d, sim_rng_t *r)
{
    double mu = 0, sigma = 0;
    if (d->kind == SIM_DIST_LOGNORMAL && d->p2 > 0)
        lognormal_params(d->p1, d->p2, &mu, &sigma);
    return draw(d, mu, sigma, r);
}

/* phi(alpha) / Q(alpha) for the normal truncated below at 0, alpha = -mean/sd. */
static double trunc_hazard(double mean, double sd)
{
    double alpha = -mean / sd;
    return gsl_ran_ugaussian_pdf(alpha) / gsl_cdf_ugaussian_Q(alpha);
}

double sim_dist_mean(const sim_dist_t *d)
{
    double a = d->p1, b = d->p2;
    switch (d->kind) {
    case SIM_DIST_CONSTANT:
    case SIM_DIST_EXPONENTIAL:
    case SIM_DIST_LOGNORMAL:
        return a;
    case SIM_DIST_UNIFORM:
        return (a + b) / 2;
    case SIM_DIST_NORMAL:
        return b > 0 ? a + b * trunc_hazard(a, b) : (a > 0 ? a : 0);
    case SIM_DIST_PARETO:
        return b > 1 ? b * a / (b - 1) : INFINITY;
    case SIM_DIST_WEIBULL:
        return a * gamma_or_inf(1 + 1 / b);
    default:
        return 0;
    }
}

/* Variance of the (truncated) law; INFINITY for pareto with shape <= 2. */
static double dist_var(const sim_dist_t *d)
{
    double a = d->p1, b = d->p2;
    switch (d->kind) {
    case SIM_DIST_UNIFORM:
        return (b - a) * (b - a) / 12;
    case SIM_DIST_EXPONENTIAL:
        return a * a;
    case SIM_DIST_NORMAL: {
        if (b <= 0)
            return 0;
        double h = trunc_hazard(a, b), alpha = -a / b;
        double v = b * b * (1 + alpha * h - h * h);
        return v > 0 ? v : 0;
    }
    case SIM_DIST_LOGNORMAL:
        return b * b;
    case SIM_DIST_PARETO:
        return b > 2 ? a * a * b / ((b - 1) * (b - 1) * (b - 2)) : INFINITY;
    case SIM_DIST_WEIBULL: {
        double g1 = gamma_or_inf(1 + 1 / b), g2 = gamma_or_inf(1 + 2 / b);
        if (!isfinite(g2))
            return INFINITY;
        double v = a * a * (g2 - g1 * g1);
        return v > 0 ? v : 0;   /* rounding can make it slightly negative for a huge shape */
    }
    default:
        return 0;
    }
}

static double exact_sum(const sim_dist_sampler_t *s, sim_rng_t *r, uint32_t n)
{
    double sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += draw(&s->d, s->mu, s->sigma, r);
    return finite_or_max(sum);
}

void sim_dist_sampler_init(sim_dist_sampler_t *s, const sim_dist_t *d)
{
    s->d = *d;
    s->mu = s->sigma = 0;
    if (d->kind == SIM_DIST_LOGNORMAL && d->p2 > 0)
        lognormal_params(d->p1, d->p2, &s->mu, &s->sigma);
    s->mean = sim_dist_mean(d);
    s->var = dist_var(d);
}

double sim_dist_sampler_sum(const sim_dist_sampler_t *s, sim_rng_t *r, uint32_t n)
{
    const sim_dist_t *d = &s->d;
    if (d->kind == SIM_DIST_CONSTANT)
        return (double)n * d->p1;
    if (d->kind == SIM_DIST_EXPONENTIAL) {
        if (n <= 1)
            return n ? exponential(d, r) : 0;
        return finite_or_max(gsl_ran_gamma(r->gen, (double)n, d->p1));
    }
    if (n <= SIM_DIST_EXACT_SUM_MAX)
        return exact_sum(s, r, n);
    if (!isfinite(s->var) || !isfinite(s->mean)) {
        if (n <= SIM_DIST_HEAVY_SUM_MAX)
            return exact_sum(s, r, n);
        double sum = exact_sum(s, r, SIM_DIST_HEAVY_SUM_MAX);
        return finite_or_max(sum * ((double)n / SIM_DIST_HEAVY_SUM_MAX));
    }
    return finite_or_max(trunc_normal(r, (double)n * s->mean, sqrt((double)n * s->var)));
}

double sim_dist_sample_sum(const sim_dist_t *d, sim_rng_t *r, uint32_t n)
{
    sim_dist_sampler_t s;
    sim_dist_sampler_init(&s, d);
    return sim_dist_sampler_sum(&s, r, n);
}
