/* sim/loghist: a histogram of non-negative integers in fixed log-spaced buckets, four per power
 * of two (HdrHistogram's scheme with two sub-bucket bits), and its nearest-rank quantiles.
 * Owns: the bucket of a value, a bucket's bounds and the quantile rule, in integer arithmetic, so
 *       that a run's summary (models/) and the analysis of its trace (analysis/) get the same
 *       figures from the same counts.
 * Does not own: the unit of the values (callers say; cgsim counts microseconds).
 * Invariant: bucket b holds [sim_loghist_lo(b), sim_loghist_lo(b + 1)); values 0..3 have a bucket
 *            each, and above that a bucket is at most 25% wider than its lower bound. */
#ifndef SIM_LOGHIST_H
#define SIM_LOGHIST_H

#include <stdint.h>

#define SIM_LOGHIST_BUCKETS 252       /* covers every uint64 value: 4 + 4 x 62 */

/* The bucket of value v: v itself below 4, else 4 x (e - 1) + the two bits after the leading
 * one, where e = floor(log2 v). */
static inline int sim_loghist_bucket(uint64_t v)
{
    if (v < 4)
        return (int)v;
    int e = 63 - __builtin_clzll(v);
    return 4 * (e - 1) + (int)((v >> (e - 2)) & 3);
}

/* Smallest value of bucket b (b <= SIM_LOGHIST_BUCKETS; the last bound saturates). */
static inline uint64_t sim_loghist_lo(int b)
{
    if (b < 4)
        return (uint64_t)b;
    int e = b / 4 + 1;
    if (e > 63)
        return UINT64_MAX;
    return (uint64_t)(4 + b % 4) << (e - 2);
}

/* Nearest-rank quantile q (0 < q <= 1) of the counts: the bucket holding the value of rank
 * ceil(q x total), reported as its largest value (sim_loghist_lo(b + 1) - 1), at most `max` (the
 * exact largest value). Returns 0 with nothing counted (callers print "-" then). */
static inline uint64_t sim_loghist_quantile(const int64_t *counts, double q, uint64_t max)
{
    int64_t total = 0;
    for (int b = 0; b < SIM_LOGHIST_BUCKETS; b++)
        total += counts[b];
    if (total <= 0)
        return 0;
    double r = q * (double)total;
    int64_t rank = (int64_t)r < r ? (int64_t)r + 1 : (int64_t)r;
    if (rank < 1)
        rank = 1;
    int64_t seen = 0;
    for (int b = 0; b < SIM_LOGHIST_BUCKETS; b++) {
        seen += counts[b];
        if (seen >= rank) {
            uint64_t hi = sim_loghist_lo(b + 1) - 1;
            return hi < max ? hi : max;
        }
    }
    return max;
}

#endif
