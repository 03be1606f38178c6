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
 * Draw-ahead. `gen` is not the mt19937 generator itself but a thin GSL generator type that hands
 * out the mt19937 outputs in order from a small buffer refilled SIM_RNG_AHEAD at a time. Callers
 * see exactly mt19937's sequence (get returns the next output; get_double divides it by 2^32 as
 * GSL's mt19937 does; same min and max, so gsl_rng_uniform_int and every gsl_ran_* draw the same
 * values). The point is memory: a stream's mt19937 state is 5 KB, its position (`mti`) at the
 * far end of it, so with a thousand consumers each draw cost two cache misses; the buffer sits
 * next to the small generator record and is refilled once per SIM_RNG_AHEAD draws. */
#include "sim/rng.h"

#include <assert.h>

#define SIM_FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define SIM_FNV_PRIME UINT64_C(0x100000001b3)
#define SIM_RNG_AHEAD 12u                     /* mt19937 outputs drawn per refill */
#define SIM_RNG_TWO32 4294967296.0            /* 2^32: mt19937's get_double divisor */

typedef struct rng_ahead {
    gsl_rng *mt;                      /* the mt19937 stream, owned */
    uint32_t next;                    /* index of the next unused out[]; AHEAD = empty */
    uint32_t out[SIM_RNG_AHEAD];      /* mt19937 outputs not handed out yet, in order */
} rng_ahead_t;

static unsigned long rng_ahead_get(void *vstate)
{
    rng_ahead_t *a = vstate;
    if (a->next == SIM_RNG_AHEAD) {
        /* gsl_rng_get(a->mt) is exactly this call; fetched once, not per output */
        unsigned long (*get)(void *) = a->mt->type->get;
        void *st = a->mt->state;
        for (uint32_t i = 0; i < SIM_RNG_AHEAD; i++)
            a->out[i] = (uint32_t)get(st);
        a->next = 0;
    }
    return a->out[a->next++];
}

static double rng_ahead_get_double(void *vstate)
{
    return (double)rng_ahead_get(vstate) / SIM_RNG_TWO32;
}

/* Empties the buffer only: gsl_rng_alloc calls this before `mt` is attached (its state may not be
 * zeroed), so the mt19937 stream is seeded by sim_rng_init itself. */
static void rng_ahead_set(void *vstate, unsigned long seed)
{
    (void)seed;
    ((rng_ahead_t *)vstate)->next = SIM_RNG_AHEAD;
}

static const gsl_rng_type RNG_AHEAD_TYPE = {
    "cgsim-mt19937-ahead", 0xffffffffUL, 0, sizeof(rng_ahead_t), &rng_ahead_set, &rng_ahead_get,
    &rng_ahead_get_double,
};

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
    gsl_rng *mt = gsl_rng_alloc(gsl_rng_mt19937);
    r->gen = mt ? gsl_rng_alloc(&RNG_AHEAD_TYPE) : NULL;
    if (!r->gen) {
        if (mt)
            gsl_rng_free(mt);
        return -1;
    }
    assert(gsl_rng_max(mt) == RNG_AHEAD_TYPE.max && gsl_rng_min(mt) == RNG_AHEAD_TYPE.min);
    gsl_rng_set(mt, seed);
    rng_ahead_t *a = r->gen->state;
    a->mt = mt;
    a->next = SIM_RNG_AHEAD;
    return 0;
}

void sim_rng_fini(sim_rng_t *r)
{
    if (r->gen) {
        gsl_rng_free(((rng_ahead_t *)r->gen->state)->mt);
        gsl_rng_free(r->gen);
    }
    r->gen = NULL;
}

/* gsl_rng_uniform(r->gen) without GSL's two indirect calls when the generator is ours (always,
 * unless a caller built r->gen itself): the same output divided by 2^32, so the same double. */
double sim_rng_uniform(sim_rng_t *r)
{
    if (r->gen->type != &RNG_AHEAD_TYPE)
        return gsl_rng_uniform(r->gen);
    return rng_ahead_get_double(r->gen->state);
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
