/* tests/test_an_compare: the statistics of cgsim compare on fixed numbers (Student-t intervals
 * from textbook t quantiles), paired differences, missing values, and the JSON it prints. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include "analysis/an_compare.h"
#include "analysis/an_stats.h"

#define near(a, b) cr_expect(fabs((a) - (b)) < 1e-9, "%s = %.12f, expected %.12f", #a, \
                             (double)(a), (double)(b))

Test(stats, ci95_student_t)
{
    const double x[] = {1, 2, 3, 4, 5};
    an_ci_t c = an_stats_ci95(x, 5);
    cr_expect_eq(c.n, 5);
    near(c.mean, 3.0);
    near(c.sd, sqrt(2.5));
    /* t(0.975, 4) = 2.7764451051977987; half = t * sd / sqrt(5) */
    near(c.lo, 3.0 - 1.9632431614775607);
    near(c.hi, 3.0 + 1.9632431614775607);
}

Test(stats, ci95_skips_nan_and_needs_two_values)
{
    const double x[] = {NAN, 4, NAN, 6};
    an_ci_t c = an_stats_ci95(x, 4);
    cr_expect_eq(c.n, 2);
    near(c.mean, 5.0);
    /* t(0.975, 1) = 12.706204736174705, sd = sqrt(2), half = t * sqrt(2)/sqrt(2) */
    near(c.hi - c.mean, 12.706204736174705);
    const double one[] = {7};
    c = an_stats_ci95(one, 1);
    near(c.mean, 7.0);
    cr_expect(isnan(c.lo) && isnan(c.hi));
    c = an_stats_ci95(one, 0);
    cr_expect(isnan(c.mean));
}

Test(stats, paired_difference)
{
    const double a[] = {10, 20, 30, NAN};
    const double b[] = {12, 21, 35, 99};
    double tmp[4];
    an_ci_t c = an_stats_paired_ci95(a, b, 4, tmp);
    cr_expect_eq(c.n, 3);
    near(c.mean, 8.0 / 3.0);
    near(c.sd, 2.081665999466133);
    near(c.hi - c.mean, 5.171145012542266);   /* t(0.975, 2) = 4.302652729749464 */
}

Test(stats, quantiles_gsl_interpolation)
{
    const double s[] = {10, 20, 30, 40};
    an_quantiles_t q = an_stats_quantiles(s, 4);
    near(q.p50, 25.0);      /* index 1.5 */
    near(q.p90, 37.0);      /* index 2.7 */
    near(q.p99, 39.7);      /* index 2.97 */
    near(q.max, 40.0);
    near(q.mean, 25.0);
    q = an_stats_quantiles(s, 0);
    cr_expect(isnan(q.p50) && isnan(q.mean));
}

static void fill(an_compare_t *c)
{
    /* unavailable_partition_ms: range 100, 200, 300; sticky 90, 150, 240 */
    const double r[] = {100, 200, 300}, st[] = {90, 150, 240};
    for (size_t s = 0; s < 3; s++) {
        an_compare_row(c, 0, s)[AN_FIG_UNAVAILABLE_PARTITION_MS] = r[s];
        an_compare_row(c, 1, s)[AN_FIG_UNAVAILABLE_PARTITION_MS] = st[s];
    }
}

Test(compare, json_is_a_function_of_the_table)
{
    const char *names[] = {"range", "sticky"};
    an_compare_t c;
    cr_assert_eq(an_compare_init(&c, names, 2, 3), 0);
    fill(&c);
    an_ci_t d = an_compare_paired(&c, 1, AN_FIG_UNAVAILABLE_PARTITION_MS);
    near(d.mean, -40.0);    /* differences -10, -50, -60 */
    cJSON *j = an_compare_json(&c);
    cr_assert_not_null(j);
    cJSON *u = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "assignors"),
                                                       "range"), "unavailable_partition_ms");
    near(cJSON_GetObjectItem(u, "mean")->valuedouble, 200.0);
    /* sd 100, t(0.975,2) 4.302652729749464, half = 248.41377118 */
    near(cJSON_GetArrayItem(cJSON_GetObjectItem(u, "ci95"), 1)->valuedouble, 448.413771);
    cJSON *p = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "paired_vs_first"), "sticky");
    near(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "unavailable_partition_ms"), "mean")
             ->valuedouble, -40.0);
    cr_expect_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "paired_vs_first"), "range"));
    cr_expect(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(j, "assignors"), "range"), "duplicates"),
        "mean")));
    cr_expect_eq(cJSON_GetObjectItem(j, "seeds")->valuedouble, 3);
    char *t1 = cJSON_PrintUnformatted(j);
    /* filling in another order gives the same bytes */
    an_compare_t c2;
    cr_assert_eq(an_compare_init(&c2, names, 2, 3), 0);
    for (size_t s = 3; s-- > 0;)
        for (size_t a = 2; a-- > 0;)
            memcpy(an_compare_row(&c2, a, s), an_compare_row(&c, a, s),
                   AN_FIG_COUNT * sizeof(double));
    cJSON *j2 = an_compare_json(&c2);
    char *t2 = cJSON_PrintUnformatted(j2);
    cr_expect_str_eq(t1, t2);
    cJSON_free(t1);
    cJSON_free(t2);
    cJSON_Delete(j);
    cJSON_Delete(j2);
    an_compare_fini(&c);
    an_compare_fini(&c2);
}

/* Ranked on stalled time, lowest mean first; an assignor without data goes last and equal means
 * keep the order of --assignors. */
Test(compare, ranks_on_stalled_time)
{
    const char *names[] = {"range", "nodata", "sticky", "roundrobin"};
    const double v[4][2] = {{300, 500}, {NAN, NAN}, {100, 200}, {500, 300}};
    an_compare_t c;
    cr_assert_eq(an_compare_init(&c, names, 4, 2), 0);
    for (size_t a = 0; a < 4; a++)
        for (size_t s = 0; s < 2; s++)
            an_compare_row(&c, a, s)[AN_FIG_STALLED_PARTITION_MS] = v[a][s];
    cJSON *j = an_compare_json(&c);
    cr_assert_not_null(j);
    char *r = cJSON_PrintUnformatted(cJSON_GetObjectItem(j, "ranked_by_stalled"));
    cr_expect_str_eq(r, "[\"sticky\",\"range\",\"roundrobin\",\"nodata\"]");
    cJSON_free(r);
    cJSON_Delete(j);
    an_compare_fini(&c);
}

Test(compare, figures_of_an_analysed_trace)
{
    FILE *f = fopen(CGSIM_SOURCE_DIR "/tests/traces/basic.jsonl", "r");
    cr_assert_not_null(f);
    an_result_t res;
    char err[256];
    cr_assert_eq(an_analyze_stream(f, "basic", NULL, NULL, &res, err, sizeof err), 0, "%s", err);
    fclose(f);
    double v[AN_FIG_COUNT];
    cr_assert_eq(an_figures_of(&res, v), 0);
    near(v[AN_FIG_REBALANCES], 3);
    near(v[AN_FIG_REBALANCE_MS_P99], 149);
    near(v[AN_FIG_UNAVAILABLE_PARTITION_MS], 565);
    near(v[AN_FIG_RECORDS_CONSUMED], 505);
    near(v[AN_FIG_BALANCE_MEAN], 999.0 / 700.0);
    an_result_fini(&res);
}
