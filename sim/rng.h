/* sim/rng: random-number streams, one per entity.
 * Owns: the mapping (master seed, stable entity key) -> GSL generator seed, and the generators.
 * Does not own: distributions (sim/dist). Never uses rand() or the wall clock.
 * Invariant: a stream's draws depend only on (master seed, key), so adding an entity never changes
 *            another entity's draws (common random numbers across runs and assignors). */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

typedef struct sim_rng {
    gsl_rng *gen;                     /* owned; yields the stream's mt19937 sequence (sim/rng.c) */
} sim_rng_t;

/* The documented mixing function: seed = splitmix64(master ^ splitmix64(fnv1a64(key))).
 * The 64-bit result is folded to 32 bits (hi ^ lo) for mt19937, with 0 mapped to 1. */
uint64_t sim_rng_mix(uint64_t master_seed, const char *key);
int sim_rng_init(sim_rng_t *r, uint64_t master_seed, const char *key);   /* 0 or -1 (OOM) */
void sim_rng_fini(sim_rng_t *r);
double sim_rng_uniform(sim_rng_t *r);                /* [0, 1) */
double sim_rng_uniform_pos(sim_rng_t *r);            /* (0, 1) */
uint64_t sim_rng_below(sim_rng_t *r, uint64_t n);    /* uniform integer in [0, n), n >= 1 */
/* splitmix64's output function (Steele, Lea, Flood 2014); inline: the partition logs call it
 * for every uniform of their Poisson draws. */
static inline uint64_t sim_splitmix64(uint64_t x)
{
    uint64_t z = x + UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

#endif
