/* --trace-level debug adds a `poll` record per fetch and a `lag_sample` record per subscribed
 * partition per lag sample; the normal level has none, and the other records are the same bytes
 * at both levels (debug only adds lines). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/world/world.h"
#include "tests/support/cg_test_run.h"

static const char *SCENARIO =
    "{\"name\":\"tl\",\"seed\":3,\"duration_ms\":20000,"
    "\"topics\":[{\"name\":\"t\",\"partitions\":4}],"
    "\"producers\":[{\"id\":\"p\",\"topic\":\"t\",\"rate_per_s\":50}],"
    "\"groups\":[{\"id\":\"g\",\"consumers\":[{\"id\":\"c\",\"count\":2,\"topics\":[\"t\"]}]}]}";

static char *run_at(cg_trace_level_t level)
{
    cgt_run_t r;
    cgt_run_cfg(&r, SCENARIO, (cgt_run_cfg_t){.check = true, .trace_level = level});
    cr_assert_eq(r.rc, 0, "%s", r.err);
    char *text = r.text;
    r.text = NULL;                    /* handed to the caller */
    cgt_run_free(&r);
    return text;
}

/* The trace without its poll and lag_sample lines and without run_end (whose event count may
 * differ). */
static char *without_polls(const char *t, size_t *polls, size_t *samples)
{
    char *out = calloc(1, strlen(t) + 1);
    size_t n = 0;
    *polls = *samples = 0;
    for (const char *p = t; *p;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p + 1) : strlen(p);
        if (strncmp(p + strcspn(p, ","), ",\"type\":\"poll\"", 14) == 0)
            (*polls)++;
        else if (strncmp(p + strcspn(p, ","), ",\"type\":\"lag_sample\"", 20) == 0)
            (*samples)++;
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
    size_t pn, pd, sn, sd;
    char *a = without_polls(normal, &pn, &sn), *b = without_polls(debug, &pd, &sd);
    cr_assert_eq(pn, 0, "normal level writes no poll records");
    cr_assert_eq(sn, 0, "normal level writes no lag_sample records");
    cr_assert_eq(sd % 4, 0, "four partitions per sample (%zu)", sd);
    cr_assert_gt(sd, 4 * 10, "debug level writes lag_sample records (%zu)", sd);
    cr_assert_gt(pd, 100, "debug level writes a poll record per fetch (%zu)", pd);
    cr_assert_str_eq(a, b, "debug must only add poll and lag_sample lines");
    cr_assert(strstr(debug, "\"type\":\"poll\",\"group\":\"g\",\"member\":\"c-") != NULL);
    free(a);
    free(b);
    free(normal);
    free(debug);
}
