/* sim/series: running figures of a sampled series of non-negative integers (count, sum, max).
 * Owns: the one place where a sampled figure's max and mean are formed, so that a run's summary
 *       (models/) and the analysis of its trace (analysis/) compute them with the same code.
 * Does not own: what is sampled or when.
 * Invariant: max is -1 exactly when n is 0 ("no data"); sum is added in sample order, so the
 *            same samples give the same double bytes wherever they are summed. */
#ifndef SIM_SERIES_H
#define SIM_SERIES_H

#include <math.h>
#include <stdint.h>

typedef struct sim_series {
    int64_t n;                        /* samples */
    double sum;                       /* sum of the samples, in sample order */
    int64_t max;                      /* largest sample, -1 when n is 0 */
} sim_series_t;

static inline void sim_series_init(sim_series_t *s)
{
    s->n = 0;
    s->sum = 0.0;
    s->max = -1;
}

static inline void sim_series_add(sim_series_t *s, int64_t v)
{
    s->n++;
    s->sum += (double)v;
    if (v > s->max)
        s->max = v;
}

/* Mean of the samples, NaN when there are none. */
static inline double sim_series_mean(const sim_series_t *s)
{
    return s->n > 0 ? s->sum / (double)s->n : NAN;
}

#endif
