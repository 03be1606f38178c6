/* sim/rng: one GSL mt19937 stream per entity, seeded from (master seed, entity key).
 *
 * The seed of a stream, reproducible with any language that has 64-bit unsigned arithmetic:
 *
 *   fnv1a64(key):  h = 0xcbf29ce484222325;
 *                  for each byte b of key (without the NUL): h = (h ^ b) * 0x100000001b3;
 *   splitmix64(x): z = x + 0x9e3779b97f4a7c15;
 *                  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
 *                  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
 *                  return z ^ (z >> 31);
 *   mix(master, key) = splitmix64(master ^ splitmix64(fnv1a64(key)));
 *   seed32 = (uint32)(mix >> 32) ^ (uint32)mix, and 1 if that is 0;
 *   gsl_rng_set(gsl_rng_alloc(gsl_rng_mt19937), seed32).
 *
 * (all arithmetic mod 2^64). A NULL key hashes like "". Because a stream's seed depends on its own
 * key only, adding or removing entities never shifts another entity's draws. */
#include "sim/rng.h"

#include <assert.h>

#define SIM_FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define SIM_FNV_PRIME UINT64_C(0x100000001b3)

uint64_t sim_splitmix64(uint64_t x)
{
    uint64_t z = x + UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t fnv1a64(const char *key)
{
    uint64_t h = SIM_FNV_OFFSET;
    for (const unsigned char *p = (const unsigned char *)(key ? key : ""); *p; p++)
        h = (h ^ *p) * SIM_FNV_PRIME;
    return h;
}

uint64_t sim_rng_mix(uint64_t master_seed, const char *key)
{
    return sim_splitmix64(master_seed ^ sim_splitmix64(fnv1a64(key)));
}

int sim_rng_init(sim_rng_t *r, uint64_t master_seed, const char *key)
{
    uint64_t m = sim_rng_mix(master_seed, key);
    uint32_t seed = (uint32_t)(m >> 32) ^ (uint32_t)m;
    if (seed == 0)
        seed = 1;   /* GSL's mt19937 treats 0 as "use the default seed" */
    r->gen = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r->gen)
        return -1;
    gsl_rng_set(r->gen, seed);
    return 0;
}

void sim_rng_fini(sim_rng_t *r)
{
    if (r->gen)
        gsl_rng_free(r->gen);
    r->gen = NULL;
}

double sim_rng_uniform(sim_rng_t *r)
{
    return gsl_rng_uniform(r->gen);
}

double sim_rng_uniform_pos(sim_rng_t *r)
{
    return gsl_rng_uniform_pos(r->gen);
}

uint64_t sim_rng_below(sim_rng_t *r, uint64_t n)
{
    assert(n >= 1);
    if (n <= 1)
        return 0;
    /* gsl_rng_uniform_int refuses n beyond max - min of the generator (2^32 - 1 for mt19937). */
    if (n <= UINT64_C(0xffffffff))
        return gsl_rng_uniform_int(r->gen, (unsigned long)n);
    /* Wider than one 32-bit draw: two draws, rejection above the largest multiple of n. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    for (;;) {
        uint64_t hi = gsl_rng_get(r->gen);   /* two statements: C leaves argument order open */
        uint64_t x = (hi << 32) | (uint64_t)gsl_rng_get(r->gen);
        if (x < limit)
            return x % n;
    }
}
