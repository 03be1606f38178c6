/* tests/test_an_hostile: analyze on hostile traces (issue 14): a line beyond AN_MAX_LINE_BYTES,
 * text after a record, NUL bytes, a huge "t", negative counts and totals that would overflow
 * int64, long topic names, a directory, and ownership patterns that used to take quadratic
 * time. Every bad input is refused with a message naming the line (an_analyze_stream -1, which
 * cgsim maps to exit 2); no total is ever negative. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "analysis/an_analyze.h"

#define HEAD "{\"t\":0,\"type\":\"run_start\",\"scenario\":\"x\",\"seed\":1,\"version\":\"0\"}\n"
#define TAIL(t) "{\"t\":" #t ",\"type\":\"run_end\",\"events\":1,\"records_produced\":0," \
                "\"records_consumed\":0,\"duplicates\":0}\n"

static int analyze_buf(const char *text, size_t len, an_result_t *res, char *err, size_t errlen)
{
    FILE *f = fmemopen((void *)text, len, "r");
    cr_assert_not_null(f);
    an_opts_t opts = {.partial = false};
    int rc = an_analyze_stream(f, "T", &opts, NULL, res, err, errlen);
    fclose(f);
    return rc;
}

static void expect_refused(const char *text, const char *msg)
{
    an_result_t res;
    char err[512] = "";
    cr_assert_eq(analyze_buf(text, strlen(text), &res, err, sizeof err), -1, "accepted: %s",
                 text);
    cr_expect(strstr(err, msg) != NULL, "message '%s' lacks '%s'", err, msg);
}

Test(hostile, line_too_long_is_refused_without_reading_it_all)
{
    size_t n = (size_t)AN_MAX_LINE_BYTES + 1024;
    char *text = malloc(n);
    cr_assert_not_null(text);
    memset(text, 'a', n);
    an_result_t res;
    char err[512] = "";
    cr_assert_eq(analyze_buf(text, n, &res, err, sizeof err), -1);
    cr_expect_str_eq(err, "T:1: line longer than AN_MAX_LINE_BYTES (16777216 bytes)");
    free(text);
}

Test(hostile, text_after_a_record_is_refused)
{
    expect_refused(HEAD "{\"t\":1,\"type\":\"member_join\",\"group\":\"g\",\"member\":\"a\"} x\n"
                   TAIL(2), "T:2: text after the JSON object at column 54");
    /* the fast paths (poll skipped by prefix, commit read without cJSON) check it too */
    expect_refused(HEAD "{\"t\":1,\"type\":\"poll\",\"group\":\"g\",\"member\":\"a\"}}\n" TAIL(2),
                   "T:2: text after the JSON object");
    expect_refused(HEAD "{\"t\":1,\"type\":\"commit\",\"group\":\"g\",\"member\":\"a\",\"topic\":"
                   "\"t\",\"partition\":0,\"offset\":1,\"generation\":1,\"ok\":true}1\n" TAIL(2),
                   "T:2: text after the JSON object");
    expect_refused(HEAD "{\"t\":1,\"type\":\"poll\",\"records\":1-2}\n" TAIL(2),
                   "T:2: not valid JSON");
}

Test(hostile, nul_byte_is_refused)
{
    static const char text[] = HEAD "{\"t\":1,\"type\":\"poll\"}\0{}\n" TAIL(2);
    an_result_t res;
    char err[512] = "";
    cr_assert_eq(analyze_buf(text, sizeof text - 1, &res, err, sizeof err), -1);
    cr_expect(strstr(err, "T:2: NUL byte") != NULL, "%s", err);
}

Test(hostile, huge_time_is_refused_as_such)
{
    expect_refused(HEAD "{\"t\":1e300,\"type\":\"member_join\",\"group\":\"g\",\"member\":\"a\"}\n"
                   TAIL(2), "T:2: field \"t\" is 1.0000000000000001e+300, beyond the largest "
                   "time AN_MAX_T_MS");
    expect_refused(HEAD "{\"t\":9300000000000,\"type\":\"poll\"}\n" TAIL(2), "AN_MAX_T_MS");
}

Test(hostile, negative_record_counts_are_refused)
{
    expect_refused(HEAD "{\"t\":1,\"type\":\"duplicate\",\"group\":\"g\",\"member\":\"a\","
                   "\"topic\":\"t\",\"partition\":0,\"records\":-450000000000000000}\n" TAIL(2),
                   "T:2: duplicate: field \"records\" is -450000000000000000 (expected an "
                   "integer >= 0)");
}

Test(hostile, totals_saturate_instead_of_wrapping)
{
    static const char dup[] = "{\"t\":1,\"type\":\"duplicate\",\"group\":\"g\",\"member\":\"a\","
                              "\"topic\":\"t\",\"partition\":0,\"records\":9000000000000000000}\n";
    static const char zom[] = "{\"t\":1,\"type\":\"zombie\",\"group\":\"g\",\"member\":\"a\","
                              "\"topic\":\"t\",\"partition\":0,\"records\":9000000000000000000}\n";
    static const char mov[] = "{\"t\":1,\"type\":\"rebalance_end\",\"group\":\"g\","
                              "\"generation\":1,\"duration_ms\":1,\"members\":1,"
                              "\"moved\":9000000000000000000}\n";
    char text[8192];
    size_t n = (size_t)snprintf(text, sizeof text, "%s", HEAD);
    for (int i = 0; i < 3; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s%s%s", dup, zom, mov);
    for (int p = 0; p < 3; p++)
        n += (size_t)snprintf(text + n, sizeof text - n,
                              "{\"t\":1,\"type\":\"commit\",\"group\":\"g\",\"member\":\"a\","
                              "\"topic\":\"t\",\"partition\":%d,\"offset\":0,\"generation\":1,"
                              "\"ok\":true,\"end_offset\":9000000000000000000}\n", p);
    n += (size_t)snprintf(text + n, sizeof text - n, "%s", TAIL(2));
    an_result_t res;
    char err[512] = "";
    cr_assert_eq(analyze_buf(text, n, &res, err, sizeof err), 0, "%s", err);
    const an_group_sum_t *g = &res.groups[0];
    cr_expect_eq(g->duplicates, INT64_MAX);
    cr_expect_eq(g->zombie_records, INT64_MAX);
    cr_expect_eq(g->moved_partitions, INT64_MAX);
    cr_expect_eq(g->max_total_lag_records, INT64_MAX);
    cr_expect(g->lag_mean_records > 0);
    an_group_sum_t total;
    cr_assert_eq(an_result_total(&res, &total), 0);
    cr_expect_eq(total.duplicates, INT64_MAX);
    an_group_sum_fini(&total);
    an_result_fini(&res);
}

Test(hostile, long_topic_names_are_analysed)
{
    char text[4096], topic[1001];
    memset(topic, 'x', 1000);
    topic[1000] = '\0';
    size_t n = (size_t)snprintf(text, sizeof text, HEAD "{\"t\":1,\"type\":\"assignment\","
                                "\"group\":\"g\",\"generation\":1,\"member\":\"a\",\"partitions\":"
                                "[[\"%s\",0]]}\n" TAIL(2), topic);
    an_result_t res;
    char err[512] = "";
    cr_assert_eq(analyze_buf(text, n, &res, err, sizeof err), 0, "%s", err);
    cr_expect_eq(strlen(res.groups[0].parts[0].topic), 1000);
    an_result_fini(&res);
}

Test(hostile, directory_names_the_reason)
{
    FILE *f = fopen(CGSIM_SOURCE_DIR "/tests", "r");
    cr_assert_not_null(f);
    an_result_t res;
    char err[512] = "";
    cr_expect_eq(an_analyze_stream(f, "tests", NULL, NULL, &res, err, sizeof err), -1);
    cr_expect(strstr(err, "read error: Is a directory") != NULL, "%s", err);
    fclose(f);
}

/* 80,000 partitions owned by one member, then taken without a revoke: all at once, and one at
 * a time by seven other members. Both used to be quadratic (24 s); linear they take well
 * under a second even under sanitizers. */
static char *take_trace(size_t parts, bool one_by_one, size_t *len)
{
    size_t cap = parts * 160 + 4096, n = 0;
    char *t = malloc(cap);
    cr_assert_not_null(t);
    n += (size_t)snprintf(t + n, cap - n, HEAD);
    for (int gen = 1; gen <= (one_by_one ? 1 : 2); gen++) {
        n += (size_t)snprintf(t + n, cap - n, "{\"t\":%d,\"type\":\"assignment\",\"group\":\"g\","
                              "\"generation\":%d,\"member\":\"m%d\",\"partitions\":[", gen, gen,
                              gen);
        for (size_t p = 0; p < parts; p++)
            n += (size_t)snprintf(t + n, cap - n, "%s[\"t\",%zu]", p ? "," : "", p);
        n += (size_t)snprintf(t + n, cap - n, "]}\n");
    }
    for (size_t p = 0; one_by_one && p < parts; p++)
        n += (size_t)snprintf(t + n, cap - n, "{\"t\":2,\"type\":\"assignment\",\"group\":\"g\","
                              "\"generation\":2,\"member\":\"o%zu\",\"partitions\":[[\"t\",%zu]]}"
                              "\n", p % 7, p);
    n += (size_t)snprintf(t + n, cap - n, TAIL(3));
    *len = n;
    return t;
}

Test(hostile, ownership_changes_without_revoke_take_linear_time, .timeout = 60)
{
    for (int one = 0; one <= 1; one++) {
        size_t len;
        char *text = take_trace(80000, one, &len);
        an_result_t res;
        char err[512] = "";
        clock_t t0 = clock();
        cr_assert_eq(analyze_buf(text, len, &res, err, sizeof err), 0, "%s", err);
        double s = (double)(clock() - t0) / CLOCKS_PER_SEC;
        cr_expect(s < 5.0, "took %.1f s", s);
        cr_expect_eq(res.groups[0].ownership_conflicts, 80000);
        cr_expect_eq(res.groups[0].partitions, 80000);
        an_result_fini(&res);
        free(text);
    }
}

/* A member owning nothing joins and leaves 80,000 times beside one owning 80,000 partitions:
 * the balance histogram walked every count between them on each leave (6.4e9 steps, 3.8 s;
 * quadratic in general); the occupancy bitmap finds the next count in a few word reads. */
Test(hostile, balance_histogram_is_not_walked_count_by_count, .timeout = 60)
{
    const size_t parts = 80000, pairs = 80000;
    size_t cap = parts * 16 + pairs * 160 + 4096, n = 0;
    char *t = malloc(cap);
    cr_assert_not_null(t);
    n += (size_t)snprintf(t + n, cap - n, HEAD "{\"t\":1,\"type\":\"assignment\",\"group\":\"g\","
                          "\"generation\":1,\"member\":\"a\",\"partitions\":[");
    for (size_t p = 0; p < parts; p++)
        n += (size_t)snprintf(t + n, cap - n, "%s[\"t\",%zu]", p ? "," : "", p);
    n += (size_t)snprintf(t + n, cap - n, "]}\n");
    for (size_t i = 0; i < pairs; i++)
        n += (size_t)snprintf(t + n, cap - n, "{\"t\":2,\"type\":\"member_join\",\"group\":\"g\","
                              "\"member\":\"x\"}\n{\"t\":2,\"type\":\"member_leave\",\"group\":"
                              "\"g\",\"member\":\"x\",\"reason\":\"r\"}\n");
    n += (size_t)snprintf(t + n, cap - n, TAIL(3));
    an_result_t res;
    char err[512] = "";
    clock_t t0 = clock();
    cr_assert_eq(analyze_buf(t, n, &res, err, sizeof err), 0, "%s", err);
    double s = (double)(clock() - t0) / CLOCKS_PER_SEC;
    cr_expect(s < 2.0, "took %.1f s", s);
    cr_expect(isnan(res.groups[0].balance_mean), "no rebalance_end: never settled");
    an_result_fini(&res);
    free(t);
}
