/* End-to-end latency (models/world/latency) against what the model must give: a consumer that
 * waits in fetch for each record of a slow partition processes it exactly network delay plus
 * processing time after its append, so every latency is 3.000 ms to the nanosecond (an append
 * time interpolated off by a fraction of the 50 ms between records would spread them);
 * every record first processed is counted once (records consumed minus duplicates). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/world/world.h"
#include "sim/loghist.h"
#include "tests/support/cg_test_run.h"

static const char *SLOW =
    "{\"name\":\"lat\",\"seed\":5,\"duration_ms\":60000,"
    "\"topics\":[{\"name\":\"t\",\"partitions\":1}],"
    "\"producers\":[{\"id\":\"p\",\"topic\":\"t\",\"rate_per_s\":20}],"
    "\"groups\":[{\"id\":\"g\",\"network_ms\":{\"dist\":\"constant\",\"value\":1},"
    "\"consumers\":[{\"id\":\"c\",\"topics\":[\"t\"],\"processing_ms\":2}]}]}";

Test(latency, a_waiting_consumer_sees_network_plus_processing)
{
    cgt_run_t r;
    cgt_run_cfg(&r, SLOW, (cgt_run_cfg_t){.check = true});
    cr_assert_eq(r.rc, 0, "%s", r.err);
    const cg_group_summary_t *g = &r.groups[0];
    int exact = sim_loghist_bucket(3000);   /* [2.560, 3.072) ms */
    cr_assert_gt(g->latency_records, 1000);
    for (int b = 0; b < exact; b++)
        cr_assert_eq(g->latency_counts[b], 0, "bucket %d below 3 ms: %lld", b,
                     (long long)g->latency_counts[b]);
    cr_assert_eq(g->latency_counts[exact], g->latency_records, "%lld of %lld records at 3 ms",
                 (long long)g->latency_counts[exact], (long long)g->latency_records);
    cr_assert_eq(g->latency_max_ns, 3000000, "the oldest record of every batch: exactly 3 ms");
    cr_assert_eq(sim_loghist_quantile(g->latency_counts, 0.99, 3000), 3000,
                 "the bucket's largest value (3071 us) capped by the maximum");
    cgt_run_free(&r);
}

/* A Poisson and a constant producer on one partition: the log cannot give a line of arrivals, so
 * append times come from bisection. Every record still waits at least network plus processing
 * (3 ms); interpolating from the last sample instead put most of them at 0. */
Test(latency, mixed_producers_by_bisection)
{
    static const char *MIXED =
        "{\"name\":\"mixed\",\"seed\":5,\"duration_ms\":60000,"
        "\"topics\":[{\"name\":\"t\",\"partitions\":1}],"
        "\"producers\":[{\"id\":\"p\",\"topic\":\"t\",\"rate_per_s\":20},"
        "{\"id\":\"q\",\"topic\":\"t\",\"rate_per_s\":10,\"arrival\":\"constant\"}],"
        "\"groups\":[{\"id\":\"g\",\"network_ms\":{\"dist\":\"constant\",\"value\":1},"
        "\"consumers\":[{\"id\":\"c\",\"topics\":[\"t\"],\"processing_ms\":2}]}]}";
    cgt_run_t r;
    cgt_run_cfg(&r, MIXED, (cgt_run_cfg_t){.check = true});
    cr_assert_eq(r.rc, 0, "%s", r.err);
    const cg_group_summary_t *g = &r.groups[0];
    int exact = sim_loghist_bucket(3000);
    cr_assert_gt(g->latency_records, 1500);
    for (int b = 0; b < exact; b++)
        cr_assert_eq(g->latency_counts[b], 0, "bucket %d below 3 ms: %lld", b,
                     (long long)g->latency_counts[b]);
    cr_assert_geq(g->latency_counts[exact] * 2, g->latency_records, "most at 3 ms");
    cgt_run_free(&r);
}

Test(latency, every_first_processing_counts_once)
{
    FILE *f = fopen(CGSIM_SOURCE_DIR "/scenarios/story.json", "rb");
    cr_assert(f != NULL);
    char *json = calloc(1, 1 << 16);
    cr_assert(fread(json, 1, (1 << 16) - 1, f) > 0);
    fclose(f);
    cgt_run_t r;
    cgt_run_cfg(&r, json, (cgt_run_cfg_t){.check = true});
    cr_assert_eq(r.rc, 0, "%s", r.err);
    int64_t in_records = 0;
    for (size_t i = 0; i < r.n; i++)
        if (cgt_is(r.rec[i], "latency"))
            in_records += (int64_t)cgt_num(r.rec[i], "records");
    cr_assert_gt(r.res.duplicates, 0, "story.json processes some records twice");
    cr_assert_eq(in_records, r.res.records_consumed - r.res.duplicates);
    cr_assert_eq(r.groups[0].latency_records, in_records);
    cgt_run_free(&r);
    free(json);
}
