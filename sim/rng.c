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
 * key only, adding or removing entities never shifts another entity's draws.
 *
 * The generator. `gen` is a GSL generator of our own type implementing MT19937 exactly as GSL's
 * mt19937 does (init_genrand seeding, 0 meaning 4357; N words regenerated at once; the same
 * tempering), so callers see GSL's mt19937 sequence: get returns the next output, get_double
 * divides it by 2^32, min and max are the same, so gsl_rng_uniform_int and every gsl_ran_* draw
 * the same values (tests/test_sim_rng*.c compare with GSL's own generator). Why not GSL's: its
 * state is 5 KB of unsigned long with the position (`mti`) at the far end, so with thousands of
 * streams each draw cost two cache misses plus two indirect calls; here the words are 32-bit
 * (2.5 KB) and `mti` sits at the start, by the first words, not 5 KB away from them. */
#include "sim/rng.h"

#include <assert.h>

#define SIM_FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define SIM_FNV_PRIME UINT64_C(0x100000001b3)
#define SIM_RNG_TWO32 4294967296.0            /* 2^32: mt19937's get_double divisor */
#define SIM_MT_N 624u
#define SIM_MT_M 397u
#define SIM_MT_UPPER UINT32_C(0x80000000)
#define SIM_MT_LOWER UINT32_C(0x7fffffff)
#define SIM_MT_MATRIX UINT32_C(0x9908b0df)
#define SIM_MT_DEFAULT_SEED 4357u             /* GSL's seed for 0 */

typedef struct rng_mt {
    uint32_t mti;                     /* next word to temper; N = regenerate first */
    uint32_t mt[SIM_MT_N];            /* the MT19937 state words */
} rng_mt_t;

static inline uint32_t mt_twist(uint32_t a, uint32_t b, uint32_t far)
{
    uint32_t y = (a & SIM_MT_UPPER) | (b & SIM_MT_LOWER);
    return far ^ (y >> 1) ^ (SIM_MT_MATRIX & (0u - (y & 1u)));   /* branch-free MAGIC(y) */
}

static void mt_regenerate(rng_mt_t *s)
{
    uint32_t *mt = s->mt;
    uint32_t kk = 0;
    for (; kk < SIM_MT_N - SIM_MT_M; kk++)
        mt[kk] = mt_twist(mt[kk], mt[kk + 1], mt[kk + SIM_MT_M]);
    for (; kk < SIM_MT_N - 1; kk++)
        mt[kk] = mt_twist(mt[kk], mt[kk + 1], mt[kk + SIM_MT_M - SIM_MT_N]);
    mt[SIM_MT_N - 1] = mt_twist(mt[SIM_MT_N - 1], mt[0], mt[SIM_MT_M - 1]);
    s->mti = 0;
}

static inline uint32_t mt_next(rng_mt_t *s)
{
    if (s->mti >= SIM_MT_N)
        mt_regenerate(s);
    uint32_t k = s->mt[s->mti++];
    k ^= k >> 11;
    k ^= (k << 7) & UINT32_C(0x9d2c5680);
    k ^= (k << 15) & UINT32_C(0xefc60000);
    k ^= k >> 18;
    return k;
}

static unsigned long rng_mt_get(void *vstate)
{
    return mt_next(vstate);
}

static double rng_mt_get_double(void *vstate)
{
    return (double)mt_next(vstate) / SIM_RNG_TWO32;
}

static void rng_mt_set(void *vstate, unsigned long seed)
{
    rng_mt_t *s = vstate;
    uint32_t x = seed ? (uint32_t)seed : SIM_MT_DEFAULT_SEED;
    s->mt[0] = x;
    for (uint32_t i = 1; i < SIM_MT_N; i++) {
        x = UINT32_C(1812433253) * (x ^ (x >> 30)) + i;
        s->mt[i] = x;
    }
    s->mti = SIM_MT_N;
}

static const gsl_rng_type RNG_MT_TYPE = {
    "cgsim-mt19937", 0xffffffffUL, 0, sizeof(rng_mt_t), &rng_mt_set, &rng_mt_get,
    &rng_mt_get_double,
};

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
    r->gen = gsl_rng_alloc(&RNG_MT_TYPE);
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

/* gsl_rng_uniform(r->gen) without GSL's two indirect calls when the generator is ours (always,
 * unless a caller built r->gen itself): the same output divided by 2^32, so the same double. */
double sim_rng_uniform(sim_rng_t *r)
{
    if (r->gen->type != &RNG_MT_TYPE)
        return gsl_rng_uniform(r->gen);
    return rng_mt_get_double(r->gen->state);
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
