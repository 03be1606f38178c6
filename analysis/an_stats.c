/* analysis/an_stats: thin, documented wrappers over GSL so every figure in analyze and compare is
 * computed one way. */
#include "analysis/an_stats.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

an_quantiles_t an_stats_quantiles(const double *sorted, size_t n)
{
    an_quantiles_t q;
    if (n == 0) {
        q.p50 = q.p90 = q.p99 = q.max = q.mean = NAN;
        return q;
    }
    q.p50 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.50);
    q.p90 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.90);
    q.p99 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.99);
    q.max = sorted[n - 1];
    q.mean = gsl_stats_mean(sorted, 1, n);
    return q;
}

static int an_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void an_stats_sort(double *x, size_t n)
{
    if (n > 1)
        qsort(x, n, sizeof *x, an_cmp_double);
}

/* Compacts the non-NaN values to the front of x (in place) and returns their count. */
static size_t an_compact(double *x, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            x[k++] = x[i];
    return k;
}

static an_ci_t an_ci_of(const double *x, size_t n)
{
    an_ci_t c = {n, NAN, NAN, NAN, NAN};
    if (n == 0)
        return c;
    c.mean = gsl_stats_mean(x, 1, n);
    if (n < 2)
        return c;
    c.sd = gsl_stats_sd_m(x, 1, n, c.mean);
    double half = gsl_cdf_tdist_Qinv(0.025, (double)(n - 1)) * c.sd / sqrt((double)n);
    c.lo = c.mean - half;
    c.hi = c.mean + half;
    return c;
}

an_ci_t an_stats_ci95(const double *x, size_t n)
{
    double *tmp = malloc((n ? n : 1) * sizeof *tmp);
    an_ci_t c = {0, NAN, NAN, NAN, NAN};
    if (!tmp)
        return c;
    for (size_t i = 0; i < n; i++)
        tmp[i] = x[i];
    c = an_ci_of(tmp, an_compact(tmp, n));
    free(tmp);
    return c;
}

an_ci_t an_stats_paired_ci95(const double *a, const double *b, size_t n, double *tmp)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(a[i]) && !isnan(b[i]))
            tmp[k++] = b[i] - a[i];
    return an_ci_of(tmp, k);
}

double an_stats_round6(double x)
{
    if (!isfinite(x) || fabs(x) > 1e9)   /* beyond 1e9 the 6th decimal is below double precision */
        return x;
    double r = round(x * 1e6) / 1e6;
    return r == 0 ? 0.0 : r;   /* no "-0" in output */
}
