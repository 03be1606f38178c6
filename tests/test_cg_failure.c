/* Failure models: the registry, and the stochastic model's reproducibility and common random
 * numbers (the same failures whatever the assignor). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/faults/failure.h"
#include "models/world/world.h"
#include "tests/support/cg_test_run.h"

static const char *SCENARIO =
    "{\"name\":\"fm\",\"seed\":5,\"duration_ms\":300000,"
    "\"topics\":[{\"name\":\"t\",\"partitions\":6}],"
    "\"producers\":[{\"id\":\"p\",\"topic\":\"t\",\"rate_per_s\":100}],"
    "\"groups\":[{\"id\":\"g\",\"assignor\":\"range\",\"config\":{\"max.poll.interval.ms\":20000},"
    "\"consumers\":[{\"id\":\"c\",\"count\":4,\"topics\":[\"t\"]}]}],"
    "\"failure_models\":[{\"model\":\"stochastic\",\"ttf_ms\":{\"dist\":\"exponential\","
    "\"mean\":60000},\"ttr_ms\":{\"dist\":\"weibull\",\"scale\":10000,\"shape\":1.5},"
    "\"actions\":{\"crash\":1,\"hang\":1,\"pause\":1,\"slow\":1,\"isolate\":1,\"leave\":1}}]}";

/* Run with an optional --set and return the trace text (caller frees). */
static char *run_trace(const char *set, size_t *len)
{
    cgt_run_t r;
    cgt_run_cfg(&r, SCENARIO, (cgt_run_cfg_t){.check = true, .set = set});
    cr_assert_eq(r.rc, 0, "%s", r.err);
    char *text = r.text;
    *len = r.len;
    r.text = NULL;                    /* handed to the caller */
    cgt_run_free(&r);
    return text;
}

/* The fault lines of a trace, concatenated. */
static char *fault_lines(const char *trace)
{
    size_t cap = strlen(trace) + 1, n = 0;
    char *out = calloc(1, cap);
    for (const char *p = trace; *p;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p + 1) : strlen(p);
        if (strstr(p, "\"type\":\"fault\"") && strstr(p, "\"type\":\"fault\"") < p + l) {
            memcpy(out + n, p, l);
            n += l;
        }
        p += l;
    }
    return out;
}

Test(failure, registry_finds_by_name)
{
    cr_assert_not_null(cg_failure_model_find("stochastic"));
    cr_assert_not_null(cg_failure_model_find("scripted"));
    cr_assert_null(cg_failure_model_find("chaos"));
    cr_assert_str_eq(cg_failure_model_names(), "scripted, stochastic");
}

Test(failure, stochastic_is_reproducible_and_fires)
{
    size_t n1, n2;
    char *a = run_trace(NULL, &n1), *b = run_trace(NULL, &n2);
    cr_assert_eq(n1, n2);
    cr_assert(memcmp(a, b, n1) == 0, "same seed, different traces");
    char *fa = fault_lines(a);
    cr_assert(strstr(fa, "\"applied\":true") != NULL, "no failure applied in 300 s:\n%s", fa);
    free(fa);
    free(a);
    free(b);
}

Test(failure, same_failures_under_every_assignor)
{
    size_t n1, n2;
    char *a = run_trace(NULL, &n1);
    char *b = run_trace("groups[0].assignor=roundrobin", &n2);
    char *fa = fault_lines(a), *fb = fault_lines(b);
    /* Draws are per member, so the failure times and actions do not depend on the assignor;
     * only whether one applies could (it never does here: members are never stopped). */
    cr_assert_str_eq(fa, fb);
    free(fa);
    free(fb);
    free(a);
    free(b);
}

Test(failure, seed_changes_failures)
{
    size_t n1, n2;
    char *a = run_trace(NULL, &n1), *b = run_trace("seed=6", &n2);
    char *fa = fault_lines(a), *fb = fault_lines(b);
    cr_assert(strcmp(fa, fb) != 0);
    free(fa);
    free(fb);
    free(a);
    free(b);
}

/* A scale fault with duration_ms is reversed member by member: +2 for 5 s starts two pool
 * consumers (one every interval_ms) and closes each 5 s after its own start. */
Test(failure, scale_with_duration_is_reversed)
{
    cgt_run_t r;
    cgt_run(&r, "{\"name\":\"sc\",\"seed\":5,\"duration_ms\":30000,"
                "\"topics\":[{\"name\":\"t\",\"partitions\":6}],"
                "\"producers\":[{\"id\":\"p\",\"topic\":\"t\",\"rate_per_s\":100}],"
                "\"groups\":[{\"id\":\"g\",\"assignor\":\"range\",\"consumers\":["
                "{\"id\":\"a\",\"topics\":[\"t\"],\"join_at_ms\":0},"
                "{\"id\":\"p\",\"count\":2,\"topics\":[\"t\"],\"join_at_ms\":null}]}],"
                "\"faults\":[{\"at_ms\":10000,\"action\":\"scale\",\"target\":\"g\",\"count\":2,"
                "\"interval_ms\":1000,\"duration_ms\":5000}]}");
    cr_assert_eq(r.rc, 0, "%s", r.err);
    const char *joins[2] = {"g/p-1", "g/p-2"};
    for (int i = 0; i < 2; i++) {
        int n_join = 0, n_leave = 0;
        for (size_t k = 0; k < r.n; k++) {
            if (!cgt_is(r.rec[k], "fault") || strcmp(cgt_str(r.rec[k], "target"), joins[i]))
                continue;
            int64_t t = cgt_t_of(&r, (long)k);
            if (strcmp(cgt_str(r.rec[k], "action"), "join") == 0) {
                cr_assert_eq(t, 10000 + 1000 * i);
                n_join++;
            } else if (strcmp(cgt_str(r.rec[k], "action"), "leave") == 0) {
                cr_assert_eq(t, 15000 + 1000 * i, "reversed 5 s after its own start");
                n_leave++;
            }
        }
        cr_assert_eq(n_join, 1, "%s joins once", joins[i]);
        cr_assert_eq(n_leave, 1, "%s leaves once", joins[i]);
    }
    cgt_run_free(&r);
}
