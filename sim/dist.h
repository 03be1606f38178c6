/* sim/dist: the distributions a scenario can name.
 * Owns: parameters and sampling of constant, uniform, exponential, normal (truncated at 0),
 *       lognormal (mean and sd of the variable itself), pareto and weibull.
 * Does not own: parsing (models/scenario) or the streams (sim/rng).
 * Invariant: every sample is finite and >= 0. */
#ifndef SIM_DIST_H
#define SIM_DIST_H

#include <stdint.h>
#include "sim/rng.h"

typedef enum sim_dist_kind {
    SIM_DIST_CONSTANT = 0,            /* p1 = value */
    SIM_DIST_UNIFORM,                 /* p1 = min, p2 = max */
    SIM_DIST_EXPONENTIAL,             /* p1 = mean */
    SIM_DIST_NORMAL,                  /* p1 = mean, p2 = sd; resampled until >= 0 (truncated) */
    SIM_DIST_LOGNORMAL,               /* p1 = mean, p2 = sd, of the variable (not of its log) */
    SIM_DIST_PARETO,                  /* p1 = scale (x_m > 0), p2 = shape (alpha > 0) */
    SIM_DIST_WEIBULL,                 /* p1 = scale (lambda > 0), p2 = shape (k > 0) */
    SIM_DIST_KIND_COUNT
} sim_dist_kind_t;

typedef struct sim_dist {
    sim_dist_kind_t kind;             /* which family */
    double p1;                        /* first parameter, see the kind */
    double p2;                        /* second parameter, see the kind (0 when unused) */
} sim_dist_t;

static inline sim_dist_t sim_dist_constant(double v) { sim_dist_t d = {SIM_DIST_CONSTANT, v, 0}; return d; }
const char *sim_dist_name(sim_dist_kind_t kind);     /* "constant", ... */
int sim_dist_from_name(const char *name);            /* kind, or -1 */
/* Check parameters; on error writes a message like "sd must be >= 0" and returns -1. */
int sim_dist_validate(const sim_dist_t *d, char *msg, size_t msglen);
double sim_dist_sample(const sim_dist_t *d, sim_rng_t *r);
double sim_dist_mean(const sim_dist_t *d);           /* expected value (of the truncated law) */
/* Sum of n independent samples: one draw of the sum's own law where it has one (constant: n*v,
 * exponential: gamma(n)), else n exact draws up to SIM_DIST_EXACT_SUM_MAX and a moment-matched
 * normal (CLT, truncated at 0) beyond. Same values as sim_dist_sampler_sum on a prepared d. */
#define SIM_DIST_EXACT_SUM_MAX 32u
double sim_dist_sample_sum(const sim_dist_t *d, sim_rng_t *r, uint32_t n);

/* A distribution prepared for repeated sums (a consumer's processing time): the derived
 * parameters (the lognormal's mu and sigma, the moments of the CLT sum) computed once, so a
 * draw costs no transcendental call beyond the sampler's own. */
typedef struct sim_dist_sampler {
    sim_dist_t d;                     /* the law */
    double mu;                        /* lognormal: mean of the log */
    double sigma;                     /* lognormal: sd of the log */
    double mean;                      /* sim_dist_mean(d) */
    double var;                       /* variance of d (INFINITY for a heavy pareto) */
} sim_dist_sampler_t;

void sim_dist_sampler_init(sim_dist_sampler_t *s, const sim_dist_t *d);
double sim_dist_sampler_sum(const sim_dist_sampler_t *s, sim_rng_t *r, uint32_t n);

#endif
