/* tests/test_scenario_hostile: scenarios that `validate` used to accept and that then crashed,
 * livelocked or exhausted memory (issue 14), and the loader's memory budget: each is refused
 * with one line naming the fields or the product, before anything large is allocated. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/limits.h"
#include "models/scenario/scenario.h"

static const char BASE[] =
    "{\"name\": \"b\", \"duration_ms\": 60000,\n"
    " \"topics\": [{\"name\": \"t\", \"partitions\": 6}],\n"
    " \"groups\": [{\"id\": \"g\", \"consumers\": [{\"id\": \"c\", \"topics\": [\"t\"], "
    "\"count\": 294}]}]}\n";

/* Parse BASE with `sets` and `budget` (0 = default); returns rc, the diagnostics in *d. */
static int load(const char *const *sets, size_t n, uint64_t budget, sim_diag_t *d,
                cg_scenario_t **s)
{
    cg_load_opts_t opts = {.memory_budget_bytes = budget};
    sim_diag_init(d);
    return cg_scenario_parse_opts("s.json", BASE, strlen(BASE), sets, n, &opts, s, d);
}

static void expect_refused(const char *const *sets, size_t n, uint64_t budget, const char *msg)
{
    sim_diag_t d;
    cg_scenario_t *s = NULL;
    int rc = load(sets, n, budget, &d, &s);
    bool found = false;
    for (size_t i = 0; i < d.n; i++) {
        found = found || strstr(d.lines[i], msg) != NULL;
        if (!found)
            fprintf(stderr, "  got: %s\n", d.lines[i]);
    }
    cr_expect_eq(rc, -1);
    cr_expect_null(s);
    cr_expect(found, "expected a line with: %s", msg);
    cg_scenario_free(s);
    sim_diag_fini(&d);
}

static void expect_ok(const char *const *sets, size_t n, uint64_t budget)
{
    sim_diag_t d;
    cg_scenario_t *s = NULL;
    int rc = load(sets, n, budget, &d, &s);
    for (size_t i = 0; i < d.n; i++)
        fprintf(stderr, "  got: %s\n", d.lines[i]);
    cr_expect_eq(rc, 0);
    cg_scenario_free(s);
    sim_diag_fini(&d);
}

/* Item 1: a rolling restart over 294 members one year apart overflowed int64 in models/faults.c
 * and aborted (exit 134). */
Test(hostile, rolling_restart_span_beyond_int64_is_refused)
{
    const char *sets[] = {"duration_ms=31536000000",
                          "faults=[{\"at_ms\": 1000, \"action\": \"rolling_restart\", \"target\": "
                          "\"g\", \"interval_ms\": 31536000000}]"};
    expect_refused(sets, 2, 0, "s.json: $.faults[0].interval_ms: rolling_restart over 294 "
                   "members: at_ms + (members - 1) x interval_ms + down_ms = 9.24005e+12 ms, "
                   "beyond CG_MAX_FAULT_SPAN_MS");
    const char *scale[] = {"duration_ms=31536000000",
                           "faults=[{\"at_ms\": 0, \"action\": \"scale\", \"target\": \"g\", "
                           "\"count\": -294, \"interval_ms\": 31536000000}]"};
    expect_refused(scale, 2, 0, "$.faults[0].interval_ms: scale over 294 members");
    const char *fits[] = {"duration_ms=31536000000",
                          "faults=[{\"at_ms\": 0, \"action\": \"rolling_restart\", \"target\": "
                          "\"g\", \"interval_ms\": 3153600000}]"};
    expect_ok(fits, 2, 0);
}

/* Item 3: ttf_ms 1e-7 with ttr_ms 0 drew 0 ns for ever. */
Test(hostile, failure_model_below_min_ttf_is_refused)
{
    const char *sets[] = {"failure_models=[{\"model\": \"stochastic\", \"ttf_ms\": 1e-7, "
                          "\"ttr_ms\": 0}]"};
    expect_refused(sets, 1, 0, "s.json: $.failure_models[0].ttf_ms: the time to failure must "
                   "have a mean >= 1 ms (CG_MIN_TTF_MS), got 1e-07");
    const char *ok[] = {"failure_models=[{\"model\": \"stochastic\", \"ttf_ms\": 1, "
                        "\"ttr_ms\": 0}]"};
    expect_ok(ok, 1, 0);
}

/* Item 8: 2^53 + 1 read as a JSON number ran as 2^53. */
Test(hostile, seeds_from_two_to_the_53_are_refused_or_exact)
{
    const char *num[] = {"seed=9007199254740993"};
    expect_refused(num, 1, 0, "s.json: $.seed: 9007199254740992 is out of range (expected "
                   "0..9007199254740991: from 2^53 on a JSON number may have lost digits");
    const char *str[] = {"seed=\"9007199254740993\""};
    sim_diag_t d;
    cg_scenario_t *s = NULL;
    cr_assert_eq(load(str, 1, 0, &d, &s), 0);
    cr_expect_eq(s->seed, UINT64_C(9007199254740993));
    cg_scenario_free(s);
    sim_diag_fini(&d);
    const char *max[] = {"seed=9007199254740991"};
    expect_ok(max, 1, 0);
}

/* Item 8: --set bypassed the UTF-8 check and wrote invalid bytes into the trace. */
Test(hostile, set_with_invalid_utf8_is_refused)
{
    const char *sets[] = {"name=\xff\xfe"};
    expect_refused(sets, 1, 0, "s.json: --set 'name=?\?': invalid UTF-8 byte 0xFF at byte 6");
    const char *path[] = {"groups[0].id\xc3=x"};
    expect_refused(path, 1, 0, "invalid UTF-8 byte 0xC3 at byte 13");
    const char *good[] = {"name=caf\xc3\xa9"};
    expect_ok(good, 1, 0);
}

/* Item 6: products of limits. Each case is refused in well under a second and a few MB. */
Test(hostile, consumers_times_topics_refused_before_expansion)
{
    /* 100,000 consumers x 10,000 topics made validate use 3.9 GB */
    size_t cap = 10000 * 48 + 4096, n = 0;
    char *topics = malloc(cap), *subs = malloc(cap);
    cr_assert(topics && subs);
    n += (size_t)snprintf(topics, cap, "topics=[");
    size_t m = (size_t)snprintf(subs, cap, "groups=[{\"id\": \"g\", \"consumers\": [{\"id\": "
                                "\"c\", \"count\": 100000, \"topics\": [");
    for (int i = 0; i < 10000; i++) {
        n += (size_t)snprintf(topics + n, cap - n, "%s{\"name\": \"t%d\", \"partitions\": 1}",
                              i ? "," : "", i);
        m += (size_t)snprintf(subs + m, cap - m, "%s\"t%d\"", i ? "," : "", i);
    }
    snprintf(topics + n, cap - n, "]");
    snprintf(subs + m, cap - m, "]}]}]");
    const char *sets[] = {topics, subs};
    expect_refused(sets, 2, 0, "s.json: $.groups[0].consumers[0].count: consumers x subscribed "
                   "topics: 100000 consumers x 10000 topics bring the consumers to ~15454 "
                   "MiB");
    free(topics);
    free(subs);
}

Test(hostile, producers_times_partitions_refused_and_budget_raises_it)
{
    char prods[4096];
    size_t n = (size_t)snprintf(prods, sizeof prods, "producers=[");
    for (int i = 0; i < 20; i++)
        n += (size_t)snprintf(prods + n, sizeof prods - n, "%s{\"id\": \"p%d\", \"topic\": \"t\", "
                              "\"rate_per_s\": 10, \"keys\": 1000000}", i ? "," : "", i);
    snprintf(prods + n, sizeof prods - n, "]");
    const char *sets[] = {"topics[0].partitions=1000000", prods};
    expect_refused(sets, 2, 0, "s.json: needs ~3396 MiB, beyond the memory budget of 1024 MiB "
                   "(raise it with --memory-budget-mib); the largest part is producers x "
                   "partitions: 20 x 1000000 ~ 3052 MiB");
    expect_ok(sets, 2, 4096ULL << 20);
}

Test(hostile, groups_times_partitions_refused)
{
    char groups[65536];
    size_t n = (size_t)snprintf(groups, sizeof groups, "groups=[");
    for (int i = 0; i < 1000; i++)
        n += (size_t)snprintf(groups + n, sizeof groups - n, "%s{\"id\": \"g%d\", \"consumers\": "
                              "[{\"id\": \"c\", \"topics\": [\"t\"]}]}", i ? "," : "", i);
    snprintf(groups + n, sizeof groups - n, "]");
    const char *sets[] = {"topics[0].partitions=1000000", groups};
    expect_refused(sets, 2, 0, "the largest part is groups x partitions: 1000 x 1000000");
}

Test(hostile, producers_with_changing_keys_refused_by_hash_count)
{
    /* 10,000 producers with alternating key counts spent ~40 min hashing keys before the first
     * event */
    size_t cap = 10000 * 96, n = 0;
    char *prods = malloc(cap);
    cr_assert_not_null(prods);
    n += (size_t)snprintf(prods, cap, "producers=[");
    for (int i = 0; i < 10000; i++)
        n += (size_t)snprintf(prods + n, cap - n, "%s{\"id\": \"p%d\", \"topic\": \"t\", "
                              "\"rate_per_s\": 1, \"keys\": %d}", i ? "," : "", i,
                              10000000 - i % 2);
    snprintf(prods + n, cap - n, "]");
    const char *sets[] = {prods};
    expect_refused(sets, 1, 0, "s.json: producers x keys: the key shares hash 99999995000 keys "
                   "in all, beyond CG_MAX_KEY_HASHES");
    free(prods);
}
