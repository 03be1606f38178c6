/* analysis/an_stats: the statistics the analysis reports: quantiles of a sample and the mean with
 * a Student-t 95% confidence interval (also used on paired differences).
 * Owns: the formulas (GSL underneath). Does not own: the samples (caller's arrays).
 * Invariant: pure functions of their inputs; missing values are NaN and are skipped, never
 *            turned into zeros. */
#ifndef AN_STATS_H
#define AN_STATS_H

#include <stddef.h>

typedef struct an_quantiles {
    double p50;                       /* median (GSL linear interpolation between order stats) */
    double p90;                       /* 90th percentile */
    double p99;                       /* 99th percentile */
    double max;                       /* largest value */
    double mean;                      /* arithmetic mean */
} an_quantiles_t;

typedef struct an_ci {
    size_t n;                         /* samples used (NaN skipped) */
    double mean;                      /* sample mean, NaN when n == 0 */
    double sd;                        /* sample standard deviation (n-1), NaN when n < 2 */
    double lo;                        /* mean - t(0.975, n-1) * sd / sqrt(n), NaN when n < 2 */
    double hi;                        /* mean + t(0.975, n-1) * sd / sqrt(n), NaN when n < 2 */
} an_ci_t;

/* Quantiles of `sorted` (ascending, n values); all NaN when n == 0. */
an_quantiles_t an_stats_quantiles(const double *sorted, size_t n);
/* Sort ascending (total order: no NaN allowed in x). */
void an_stats_sort(double *x, size_t n);
/* Mean and 95% Student-t interval of the non-NaN values of x. */
an_ci_t an_stats_ci95(const double *x, size_t n);
/* The same on the paired differences b[i] - a[i] over the i where both are non-NaN. `tmp` is
 * scratch space for n doubles. */
an_ci_t an_stats_paired_ci95(const double *a, const double *b, size_t n, double *tmp);
/* Round to 6 decimals (ns when the unit is ms) so printed figures stay short and stable. */
double an_stats_round6(double x);

#endif
