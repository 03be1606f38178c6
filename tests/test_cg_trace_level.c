/* --trace-level debug adds a `poll` record per fetch; the normal level has none, and the other
 * records are the same bytes at both levels (debug only adds lines). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/scenario.h"
#include "models/world.h"

static const char *SCENARIO =
    "{\"name\":\"tl\",\"seed\":3,\"duration_ms\":20000,"
    "\"topics\":[{\"name\":\"t\",\"partitions\":4}],"
    "\"producers\":[{\"id\":\"p\",\"topic\":\"t\",\"rate_per_s\":50}],"
    "\"groups\":[{\"id\":\"g\",\"consumers\":[{\"id\":\"c\",\"count\":2,\"topics\":[\"t\"]}]}]}";

static char *run_at(cg_trace_level_t level)
{
    cg_scenario_t *s = NULL;
    sim_diag_t d;
    sim_diag_init(&d);
    cr_assert_eq(cg_scenario_parse("tl.json", SCENARIO, strlen(SCENARIO), NULL, 0, &s, &d), 0);
    sim_diag_fini(&d);
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    sim_trace_t tr;
    cr_assert_eq(sim_trace_open_file(&tr, f), 0);
    cg_run_opts_t o = {.seed = s->seed, .trace = &tr, .trace_level = level, .check = true};
    cg_world_t *w = NULL;
    char err[256] = "";
    cr_assert_eq(cg_world_new(s, &o, &w, err, sizeof err), 0, "%s", err);
    cg_run_result_t res;
    cr_assert_eq(cg_world_run(w, &res, err, sizeof err), 0, "%s", err);
    cg_world_free(w);
    sim_trace_close(&tr);
    fclose(f);
    cg_scenario_free(s);
    return buf;
}

/* The trace without its poll lines and without run_end (whose event count may differ). */
static char *without_polls(const char *t, size_t *polls)
{
    char *out = calloc(1, strlen(t) + 1);
    size_t n = 0;
    *polls = 0;
    for (const char *p = t; *p;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p + 1) : strlen(p);
        if (strncmp(p + strcspn(p, ","), ",\"type\":\"poll\"", 14) == 0)
            (*polls)++;
        else if (strncmp(p + strcspn(p, ","), ",\"type\":\"run_end\"", 17) != 0) {
            memcpy(out + n, p, l);
            n += l;
        }
        p += l;
    }
    return out;
}

Test(trace_level, debug_adds_poll_records_only)
{
    char *normal = run_at(CG_TRACE_NORMAL), *debug = run_at(CG_TRACE_DEBUG);
    size_t pn, pd;
    char *a = without_polls(normal, &pn), *b = without_polls(debug, &pd);
    cr_assert_eq(pn, 0, "normal level writes no poll records");
    cr_assert_gt(pd, 100, "debug level writes a poll record per fetch (%zu)", pd);
    cr_assert_str_eq(a, b, "debug must only add poll lines");
    cr_assert(strstr(debug, "\"type\":\"poll\",\"group\":\"g\",\"member\":\"c-") != NULL);
    free(a);
    free(b);
    free(normal);
    free(debug);
}
