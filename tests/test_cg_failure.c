/* Failure models: the registry, and the stochastic model's reproducibility and common random
 * numbers (the same failures whatever the assignor). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/failure.h"
#include "models/scenario.h"
#include "models/world.h"

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
    cg_scenario_t *s = NULL;
    sim_diag_t d;
    sim_diag_init(&d);
    const char *sets[1] = {set};
    int rc = cg_scenario_parse("fm.json", SCENARIO, strlen(SCENARIO), sets, set ? 1 : 0, &s, &d);
    if (rc != 0)
        sim_diag_print(&d, stderr);
    cr_assert_eq(rc, 0);
    sim_diag_fini(&d);
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    sim_trace_t tr;
    cr_assert_eq(sim_trace_open_file(&tr, f), 0);
    cg_run_opts_t o = {.seed = s->seed, .trace = &tr, .check = true};
    cg_world_t *w = NULL;
    char err[256] = "";
    cr_assert_eq(cg_world_new(s, &o, &w, err, sizeof err), 0, "%s", err);
    cg_run_result_t res;
    cr_assert_eq(cg_world_run(w, &res, err, sizeof err), 0, "%s", err);
    cg_world_free(w);
    sim_trace_close(&tr);
    fclose(f);
    cg_scenario_free(s);
    *len = n;
    return buf;
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
