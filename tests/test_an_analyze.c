/* tests/test_an_analyze: the trace analyzer on hand-written traces (tests/traces/) whose figures
 * were computed by hand; malformed traces give the exact message and line; --partial. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "analysis/an_analyze.h"

#define TRACES CGSIM_SOURCE_DIR "/tests/traces/"

static int analyze(const char *file, bool partial, an_result_t *res, char *err, size_t errlen)
{
    char path[1024];
    snprintf(path, sizeof path, "%s%s", TRACES, file);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    an_opts_t opts = {.partial = partial};
    int rc = an_analyze_stream(f, file, &opts, NULL, res, err, errlen);
    fclose(f);
    return rc;
}

static void expect_error(const char *file, bool partial, const char *msg)
{
    an_result_t res;
    char err[512] = "";
    cr_assert_eq(analyze(file, partial, &res, err, sizeof err), -1, "%s should fail", file);
    cr_expect_str_eq(err, msg);
}

#define EPS 1e-6
#define expect_near(a, b) cr_expect(fabs((a) - (b)) < EPS, "%s = %.9f, expected %.9f", #a, \
                                    (double)(a), (double)(b))

Test(analyze, basic_group_figures)
{
    an_result_t res;
    char err[512] = "";
    cr_assert_eq(analyze("basic.jsonl", false, &res, err, sizeof err), 0, "%s", err);
    cr_assert_eq(res.n_groups, 1);
    const an_group_sum_t *g = &res.groups[0];
    cr_expect_str_eq(g->name, "g");
    cr_expect_eq(g->rebalances, 3);
    cr_expect_eq(g->rebalances_started, 3);
    /* durations 90, 100, 150: GSL quantile index f*(n-1) with linear interpolation */
    expect_near(g->rebalance_ms.p50, 100.0);
    expect_near(g->rebalance_ms.p90, 140.0);
    expect_near(g->rebalance_ms.p99, 149.0);
    expect_near(g->rebalance_ms.max, 150.0);
    expect_near(g->rebalance_ms.mean, 340.0 / 3.0);
    /* p0..p2 unowned 250->301 (3*51), p3 250->302 (52); p3 800->905 (105),
     * p0..p2 820->905 (3*85) */
    expect_near(g->unavailable_partition_ms, 153.0 + 52.0 + 105.0 + 255.0);
    /* and b, crashed at 700, still owned p3 until its member_leave at 800 */
    expect_near(g->stalled_partition_ms, 565.0 + 100.0);
    cr_expect_eq(g->moved_partitions, 8);
    cr_expect_eq(g->duplicates, 5);
    cr_expect_eq(g->zombie_records, 7);
    cr_expect_eq(g->commits_ok, 3);
    cr_expect_eq(g->commits_failed, 1);
    cr_expect_eq(g->max_lag_records, 50);
    cr_expect_eq(g->max_total_lag_records, 80);
    /* total lag 50 on [400,500), 80 on [500,950), 55 on [950,1000], from 400 to 1000 */
    expect_near(g->lag_mean_records, (50.0 * 100 + 80.0 * 450 + 55.0 * 50) / 600.0);
    /* settled: [100,200), [300,800), [900,1000]; max-min 3 on [301,302) (b has nothing yet)
     * and 2 on [302,800), 0 elsewhere (one member, or nobody owning anything) */
    expect_near(g->balance_mean, (3.0 * 1 + 2.0 * 498) / 700.0);
    expect_near(g->balance_settled_ms, 700.0);
    cr_expect_eq(g->partitions, 4);
    expect_near(g->first_assignment_ms, 101.0);
    cr_assert_eq(g->n_members, 2);
    cr_expect_str_eq(g->members[0].name, "a");
    /* a: 4*(250-101) + 3*(820-301) + 4*(1000-905); b: 1*(800-302) */
    expect_near(g->members[0].owned_partition_ms, 596.0 + 1557.0 + 380.0);
    expect_near(g->members[1].owned_partition_ms, 498.0);
    cr_expect_eq(g->members[1].leaves, 1);
    cr_expect_eq(g->ownership_conflicts, 0);
    cr_assert_eq(g->n_leave_reasons, 1);
    cr_expect_str_eq(g->leave_reasons[0].key, "session_timeout");
    cr_assert_eq(g->n_rebalance_reasons, 2);
    cr_expect_eq(g->rebalance_reasons[0].count, 2);
    cr_expect_not(res.partial);
    cr_expect(res.complete);
    expect_near(res.end_ms, 1000.0);
    cr_expect_eq(res.records, 26);
    cr_expect_eq(res.faults, 1);
    an_result_fini(&res);
}

/* Stalled time from fault records alone, computed by hand: a paused 200-300 with two partitions
 * (200), b isolated 400-500 (100), b crashed at 600 and given its partition again at 750 after a
 * restart (150), a hung from 900 to the end (200). A fault that was not applied, a fault on a
 * member that owns nothing (x, named by its fault alone) and a slow member stall nothing;
 * nothing was ever unowned. */
Test(analyze, stalled_from_fault_records)
{
    an_result_t res;
    char err[512] = "";
    cr_assert_eq(analyze("stall.jsonl", false, &res, err, sizeof err), 0, "%s", err);
    cr_assert_eq(res.n_groups, 1);
    const an_group_sum_t *g = &res.groups[0];
    expect_near(g->unavailable_partition_ms, 0.0);
    expect_near(g->stalled_partition_ms, 200.0 + 100.0 + 150.0 + 200.0);
    cr_assert_eq(g->n_parts, 3);
    expect_near(g->parts[0].stalled_ms, 100.0 + 100.0);
    expect_near(g->parts[2].stalled_ms, 100.0 + 150.0);
    cr_assert_eq(g->n_members, 3, "the fault on x names it");
    cr_expect_str_eq(g->members[2].name, "x");
    expect_near(g->members[2].owned_partition_ms, 0.0);
    an_result_fini(&res);
}

Test(analyze, json_shape_and_determinism)
{
    an_result_t res;
    char err[512] = "";
    cr_assert_eq(analyze("basic.jsonl", false, &res, err, sizeof err), 0, "%s", err);
    cJSON *j = an_result_json(&res);
    char *text = cJSON_PrintUnformatted(j);
    const char *head = "{\"groups\":{\"g\":{\"rebalances\":3,\"rebalance_ms\":{\"p50\":100,"
                       "\"p90\":140,\"p99\":149,\"max\":150,\"mean\":113.333333},"
                       "\"stalled_partition_ms\":665,\"unavailable_partition_ms\":565,\"moved_partitions\":8,\"duplicates\":5,"
                       "\"zombie_records\":7,\"max_lag_records\":50,";
    cr_expect(strncmp(text, head, strlen(head)) == 0, "got %s", text);
    cr_expect(strstr(text, "\"run\":{\"scenario\":\"basic\",\"seed\":7,\"version\":\"0.1.0\","
                           "\"events\":1234,\"records_produced\":500,\"records_consumed\":505,"
                           "\"duplicates\":5,\"end_ms\":1000,") != NULL, "got %s", text);
    cr_expect(strstr(text, "\"partial\":false") != NULL);
    an_result_t res2;
    cr_assert_eq(analyze("basic.jsonl", false, &res2, err, sizeof err), 0, "%s", err);
    cJSON *j2 = an_result_json(&res2);
    char *text2 = cJSON_PrintUnformatted(j2);
    cr_expect_str_eq(text, text2);
    cJSON_free(text);
    cJSON_free(text2);
    cJSON_Delete(j);
    cJSON_Delete(j2);
    an_result_fini(&res);
    an_result_fini(&res2);
}

Test(analyze, groups_in_order_of_first_appearance_and_conflicts)
{
    an_result_t res;
    char err[512] = "";
    cr_assert_eq(analyze("two_groups.jsonl", false, &res, err, sizeof err), 0, "%s", err);
    cr_assert_eq(res.n_groups, 2);
    cr_expect_str_eq(res.groups[0].name, "zeta");
    cr_expect_str_eq(res.groups[1].name, "alpha");
    expect_near(res.groups[0].members[0].owned_partition_ms, 10.0);
    /* c2's assignment takes u-0 from c1 at t=7: c1 1 ms, c2 3 ms, one conflict */
    const an_group_sum_t *a = &res.groups[1];
    cr_expect_eq(a->ownership_conflicts, 1);
    expect_near(a->members[0].owned_partition_ms, 1.0);
    expect_near(a->members[1].owned_partition_ms, 3.0);
    expect_near(a->unavailable_partition_ms, 0.0);
    cr_expect(isnan(a->rebalance_ms.p50));
    cr_expect_eq(a->max_lag_records, -1);
    an_group_sum_t tot;
    cr_assert_eq(an_result_total(&res, &tot), 0);
    cr_expect_eq(tot.partitions, 3);
    cr_expect_eq(tot.ownership_conflicts, 1);
    an_group_sum_fini(&tot);
    an_result_fini(&res);
}

Test(analyze, malformed_traces_name_file_and_line)
{
    expect_error("bad_json.jsonl", false,
                 "bad_json.jsonl:3: not valid JSON (expected one JSON object per line)");
    expect_error("bad_json.jsonl", true,
                 "bad_json.jsonl:3: not valid JSON (expected one JSON object per line)");
    expect_error("missing_field.jsonl", false,
                 "missing_field.jsonl:2: commit: missing field \"offset\" (expected an integer)");
    expect_error("wrong_type.jsonl", false,
                 "wrong_type.jsonl:3: rebalance_end: field \"duration_ms\" is a string "
                 "(expected a number)");
    expect_error("time_back.jsonl", false,
                 "time_back.jsonl:3: time goes back: t=5.000000 after t=10.000000");
    expect_error("time_back_skipped.jsonl", false,
                 "time_back_skipped.jsonl:3: time goes back: t=7.500000 after t=10.000000");
}

Test(analyze, partial_traces)
{
    expect_error("aborted.jsonl", false,
                 "aborted.jsonl:4: no run_end record: the run did not complete (run_aborted: "
                 "interrupted); use --partial to analyze it up to its last complete line");
    expect_error("truncated.jsonl", false,
                 "truncated.jsonl:4: truncated last line (no newline at the end and not a "
                 "complete JSON object); use --partial to analyze up to the line before");
    an_result_t res;
    char err[512] = "";
    cr_assert_eq(analyze("aborted.jsonl", true, &res, err, sizeof err), 0, "%s", err);
    cr_expect(res.partial);
    expect_near(res.end_ms, 70.0);
    expect_near(res.groups[0].members[0].owned_partition_ms, 100.0);
    cJSON *ab = cJSON_GetObjectItem(res.run, "aborted");
    cr_expect_str_eq(cJSON_GetObjectItem(ab, "reason")->valuestring, "interrupted");
    an_result_fini(&res);
    cr_assert_eq(analyze("truncated.jsonl", true, &res, err, sizeof err), 0, "%s", err);
    cr_expect(res.partial);
    cr_expect_eq(res.records, 3);
    expect_near(res.end_ms, 20.0);
    an_result_fini(&res);
}

Test(analyze, empty_trace_is_refused)
{
    an_result_t res;
    char err[256];
    FILE *f = fmemopen((void *)"", 0, "r");
    cr_assert_not_null(f);
    cr_expect_eq(an_analyze_stream(f, "E", NULL, NULL, &res, err, sizeof err), -1);
    cr_expect_str_eq(err, "E: empty trace (no records)");
    fclose(f);
}

Test(analyze, uint64_seed_is_repeated_exactly)
{
    an_result_t res;
    char err[512] = "";
    cr_assert_eq(analyze("big_seed.jsonl", false, &res, err, sizeof err), 0, "%s", err);
    cr_expect_eq(res.n_groups, 0);
    cJSON *j = an_result_json(&res);
    char *text = cJSON_PrintUnformatted(j);
    cr_expect(strstr(text, "\"seed\":18446744073709551615,") != NULL, "%s", text);
    cJSON_free(text);
    cJSON_Delete(j);
    an_result_fini(&res);
}

Test(analyze, fast_paths_keep_the_checks)
{
    expect_error("commit_bad_offset.jsonl", false,
                 "commit_bad_offset.jsonl:2: commit: field \"offset\" is a string (expected an "
                 "integer)");
    expect_error("after_end.jsonl", false, "after_end.jsonl:3: poll record after run_end");
    expect_error("hex_time.jsonl", false,
                 "hex_time.jsonl:2: not valid JSON (expected one JSON object per line)");
}

/* Commit records are read without cJSON when they look like the writer's output; a trace whose
 * lines start with a space takes the cJSON path everywhere and must give the same figures. */
Test(analyze, fast_and_checked_paths_agree)
{
    FILE *f = fopen(CGSIM_SOURCE_DIR "/tests/traces/basic.jsonl", "r");
    cr_assert_not_null(f);
    static char text[8192], spaced[9000];
    size_t n = fread(text, 1, sizeof text - 1, f), k = 0;
    fclose(f);
    for (size_t i = 0; i < n; i++) {
        spaced[k++] = text[i];
        if (text[i] == '{' && (i == 0 || text[i - 1] == '\n'))
            spaced[k++] = ' ';
    }
    char *out[2];
    const char *src[2] = {text, spaced};
    size_t len[2] = {n, k};
    for (int v = 0; v < 2; v++) {
        FILE *m = fmemopen((void *)src[v], len[v], "r");
        an_result_t res;
        char err[256];
        cr_assert_eq(an_analyze_stream(m, "m", NULL, NULL, &res, err, sizeof err), 0, "%s", err);
        fclose(m);
        cJSON *j = an_result_json(&res);
        out[v] = cJSON_PrintUnformatted(j);
        cJSON_Delete(j);
        an_result_fini(&res);
    }
    cr_expect_str_eq(out[0], out[1]);
    cJSON_free(out[0]);
    cJSON_free(out[1]);
}

/* Cooperative hand-over: kept partitions are never unavailable, withheld ones are until the
 * follow-up assignment; a clean leave (revoke, then member_leave). */
Test(analyze, cooperative_handover)
{
    an_result_t res;
    char err[512] = "";
    cr_assert_eq(analyze("cooperative.jsonl", false, &res, err, sizeof err), 0, "%s", err);
    const an_group_sum_t *g = &res.groups[0];
    /* t-2, t-3 unowned 21->32 and 59->66 */
    expect_near(g->unavailable_partition_ms, 2 * 11.0 + 2 * 7.0);
    expect_near(g->parts[0].unavailable_ms, 0.0);
    expect_near(g->parts[3].unavailable_ms, 18.0);
    /* x: t-0/t-1 2->100 unbroken, t-2/t-3 2->21 and 66->100; y: t-2/t-3 32->59 */
    expect_near(g->members[0].owned_partition_ms, 196.0 + 38.0 + 68.0);
    expect_near(g->members[1].owned_partition_ms, 54.0);
    /* durations 5, 6, 10 */
    expect_near(g->rebalance_ms.p50, 6.0);
    expect_near(g->rebalance_ms.p90, 9.2);
    expect_near(g->rebalance_ms.p99, 9.92);
    expect_near(g->rebalance_ms.mean, 7.0);
    cr_expect_eq(g->moved_partitions, 4);
    /* settled (no rebalance_end for the first assignment): [20,24), [30,60), [65,100]; max-min
     * 4 on [20,21), 2 on [21,24) (y holds nothing between the cooperative rounds), 2 on
     * [30,32) and [59,60), 0 elsewhere */
    expect_near(g->balance_mean, (4.0 + 2.0 * 3 + 2.0 * 2 + 2.0) / 69.0);
    expect_near(g->balance_settled_ms, 69.0);
    cr_expect_eq(g->n_rebalance_reasons, 3);
    cr_expect_str_eq(g->rebalance_reasons[1].key, "revocation");
    cr_expect_str_eq(g->leave_reasons[0].key, "leave");
    cr_expect_eq(g->max_lag_records, -1);
    cr_expect(isnan(g->lag_mean_records));
    an_result_fini(&res);
}

/* Failed commits are counted per error, the same on the fast path and through cJSON (the second
 * round of lines starts "{ ", which the fast path leaves to cJSON). */
Test(analyze, failed_commits_by_error)
{
    static const char *const errors[] = {"\"CommitFailedException\"", "\"NOT_COORDINATOR\"",
                                         "\"SOMETHING_NEW\"", NULL};
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "{\"t\":0,\"type\":\"run_start\",\"scenario\":"
                                "\"f\",\"seed\":1,\"version\":\"0\"}\n");
    int t = 1;
    for (int spaced = 0; spaced < 2; spaced++)
        for (int i = 0; i < 4; i++, t++)
            n += (size_t)snprintf(text + n, sizeof text - n,
                                  "{%s\"t\":%d,\"type\":\"commit\",\"group\":\"g\",\"member\":\"c\","
                                  "\"topic\":\"t\",\"partition\":0,\"offset\":5,\"generation\":1,"
                                  "\"ok\":%s,\"end_offset\":9%s%s}\n", spaced ? " " : "", t,
                                  errors[i] ? "false" : "true", errors[i] ? ",\"error\":" : "",
                                  errors[i] ? errors[i] : "");
    snprintf(text + n, sizeof text - n, "{\"t\":%d,\"type\":\"run_end\",\"events\":1,"
             "\"records_produced\":9,\"records_consumed\":5,\"duplicates\":0}\n", t);
    FILE *m = fmemopen(text, strlen(text), "r");
    an_result_t res;
    char err[256];
    cr_assert_eq(an_analyze_stream(m, "m", NULL, NULL, &res, err, sizeof err), 0, "%s", err);
    fclose(m);
    cr_assert_eq(res.n_groups, 1);
    const an_group_sum_t *g = &res.groups[0];
    cr_expect_eq(g->commits_failed, 6);
    cr_expect_eq(g->commits_ok, 2);
    cr_expect_eq(g->commits_failed_by[an_commit_error_index("CommitFailedException", 21)], 2);
    cr_expect_eq(g->commits_failed_by[an_commit_error_index("NOT_COORDINATOR", 15)], 2);
    cr_expect_eq(g->commits_failed_by[AN_COMMIT_ERRORS - 1], 2, "unknown names count as other");
    cJSON *j = an_result_json(&res);
    char *s = cJSON_PrintUnformatted(j);
    cr_expect(strstr(s, "\"commits_failed_by_error\":{\"NOT_COORDINATOR\":2,"
                        "\"CommitFailedException\":2,\"other\":2}") != NULL, "%s", s);
    cJSON_free(s);
    cJSON_Delete(j);
    an_result_fini(&res);
}

/* Sampled lag from `lag` records (lag_sample records are skipped): samples without committed
 * (position) partitions add nothing to those figures, so group h has none ("no data"). */
Test(analyze, sampled_lag_from_lag_records)
{
    an_result_t res;
    char err[512] = "";
    cr_assert_eq(analyze("lag.jsonl", false, &res, err, sizeof err), 0, "%s", err);
    cr_assert_eq(res.n_groups, 2);
    const an_group_sum_t *g = &res.groups[0], *h = &res.groups[1];
    cr_expect_eq(g->lag_samples, 3);
    cr_expect_eq(g->lag_committed_total.n, 2);
    cr_expect_eq(g->lag_committed_total.max, 90);
    expect_near(sim_series_mean(&g->lag_committed_total), 60.0);
    cr_expect_eq(g->lag_committed_max.max, 50);
    cr_expect_eq(g->lag_position_total.max, 5);
    cr_expect_eq(g->lag_position_max.max, 3);
    expect_near(sim_series_mean(&g->lag_position_total), 3.0);
    cr_expect_eq(h->lag_samples, 1);
    cr_expect_eq(h->lag_committed_max.max, -1);
    cr_expect_eq(h->lag_position_total.max, -1);
    cr_expect(isnan(sim_series_mean(&h->lag_committed_total)));
    an_result_fini(&res);
    expect_error("lag_negative.jsonl", false,
                 "lag_negative.jsonl:2: lag: field \"committed_max\" is -1 (expected an integer "
                 ">= 0)");
}

/* add_partitions: group a read topic t before the add, so its two new partitions are unowned
 * from the add (1000 ms): t-2 until its assignment at 1500 (500 ms), t-3, never assigned in a, to
 * the end (2000 ms). Group b did not read t then: t-3 counts from its first listing's view, the
 * later of b's first assignment (100) and the partition's creation (1000), to 2000: 1000 ms.
 * A second add at 2500 (t-4): both groups read t by then, 500 ms each to the end. */
Test(analyze, partitions_added_count_from_their_creation)
{
    an_result_t res;
    char err[512] = "";
    cr_assert_eq(analyze("add_partitions.jsonl", false, &res, err, sizeof err), 0, "%s", err);
    cr_assert_eq(res.n_groups, 2);
    expect_near(res.groups[0].unavailable_partition_ms, 500.0 + 2000.0 + 500.0);
    expect_near(res.groups[0].stalled_partition_ms, 500.0 + 2000.0 + 500.0);
    cr_expect_eq(res.groups[0].partitions, 5);
    expect_near(res.groups[1].unavailable_partition_ms, 1000.0 + 500.0);
    cr_expect_eq(res.groups[1].partitions, 3);
    an_result_fini(&res);
    expect_error("add_partitions_bad.jsonl", false,
                 "add_partitions_bad.jsonl:2: fault add_partitions: count 5 of partitions 4 "
                 "(expected 1 <= count <= partitions <= 1000000)");
}

/* Latency from `latency` records: bucket counts summed per group, nearest-rank quantiles reported
 * as the bucket's largest value (sim/loghist) and capped by the largest max_ms; totals over groups
 * merge the histograms (compare). Buckets must add up to records. */
Test(analyze, latency_from_latency_records)
{
    an_result_t res;
    char err[512] = "";
    cr_assert_eq(analyze("latency.jsonl", false, &res, err, sizeof err), 0, "%s", err);
    const an_group_sum_t *g = &res.groups[0], *h = &res.groups[1];
    cr_expect_eq(g->latency_records, 100);
    cr_expect_eq(g->latency_max_ns, 11000000);
    expect_near(g->latency_p50_ms, 0.191);    /* rank 50: bucket 25, [160, 192) us */
    expect_near(g->latency_p99_ms, 11.0);     /* rank 99: bucket 49 [10240, 12288) us, capped */
    expect_near(h->latency_p50_ms, 2.5);
    an_group_sum_t t;
    cr_assert_eq(an_result_total(&res, &t), 0);
    cr_expect_eq(t.latency_records, 101);
    expect_near(t.latency_p50_ms, 0.191);
    expect_near(t.latency_p99_ms, 11.0);
    an_group_sum_fini(&t);
    an_result_fini(&res);
    expect_error("latency_bad.jsonl", false,
                 "latency_bad.jsonl:2: latency: buckets add up to 50, records is 60");
}
