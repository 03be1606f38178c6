/* tests/test_cg_summary_agrees: one definition everywhere. For every shipped scenario and
 * incident, the run summary `cgsim run` prints and `cgsim analyze`'s figures of the same trace
 * agree group by group: rebalances, their mean and max, moved partitions, unavailable
 * partition-time, max lag, duplicates and zombie records. (The summary is computed while the run
 * goes, analyze from the trace alone, by separate code.) */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "analysis/an_analyze.h"
#include "tests/support/cg_test_proc.h"

#define SUM_MAX_FILES 64

typedef struct sum_group {
    char name[256], lag[32];
    long long rebalances, moved, max_lag, duplicates, zombies;
    double mean_ms, max_ms, stalled_s, unavailable_s;
} sum_group_t;

/* The summary's two lines per group; returns how many groups were parsed. */
static size_t parse_summary(const char *log, sum_group_t *g, size_t max)
{
    size_t n = 0;
    for (const char *p = strstr(log, "\n  group "); p && n < max; p = strstr(p + 1, "\n  group ")) {
        sum_group_t *s = &g[n];
        if (sscanf(p, "\n  group %255[^:]: %lld rebalances (mean %lf ms, max %lf ms), %lld "
                      "partitions moved,\n    stalled %lf partition-s (of which unowned %lf), max lag %31[^,], "
                      "%lld duplicates, %lld zombie records",
                   s->name, &s->rebalances, &s->mean_ms, &s->max_ms, &s->moved, &s->stalled_s,
                   &s->unavailable_s, s->lag, &s->duplicates, &s->zombies) == 10) {
            s->max_lag = strcmp(s->lag, "-") == 0 ? -1 : atoll(s->lag);
            n++;
        }
    }
    return n;
}

static void check_one(const char *scenario)
{
    char trace[] = "/tmp/cgsim-agree-XXXXXX", log[64];
    int fd = mkstemp(trace);
    cr_assert_geq(fd, 0);
    close(fd);
    snprintf(log, sizeof log, "%s.log", trace);
    char *argv[] = {(char *)CGSIM_BINARY, "run", (char *)scenario, "--trace", trace, NULL};
    cr_assert_eq(cgt_run_argv(argv, log, 120), 0, "%s did not run", scenario);
    cgt_text_t out;
    cr_assert(cgt_text_read(log, &out));
    sum_group_t sum[16];
    size_t ns = parse_summary(out.buf, sum, 16);
    FILE *f = fopen(trace, "r");
    an_result_t res;
    char err[256];
    cr_assert_eq(an_analyze_stream(f, trace, NULL, NULL, &res, err, sizeof err), 0, "%s", err);
    fclose(f);
    cr_assert_gt(ns, 0, "%s: no group in the summary", scenario);
    cr_assert_eq(ns, res.n_groups, "%s: %zu summary groups, %zu analyzed", scenario, ns,
                 res.n_groups);
    cr_log_info("%s: %zu groups agree", scenario, ns);
    for (size_t i = 0; i < ns; i++) {
        const an_group_sum_t *a = NULL;
        for (size_t k = 0; k < res.n_groups; k++)
            if (strcmp(res.groups[k].name, sum[i].name) == 0)
                a = &res.groups[k];
        cr_assert_not_null(a, "%s: group %s not analyzed", scenario, sum[i].name);
        const char *gn = sum[i].name;
        cr_expect_eq(sum[i].rebalances, a->rebalances, "%s %s rebalances", scenario, gn);
        if (a->rebalances > 0) {
            cr_expect(fabs(sum[i].mean_ms - a->rebalance_ms.mean) < 0.06, "%s %s mean %.1f/%.3f",
                      scenario, gn, sum[i].mean_ms, a->rebalance_ms.mean);
            cr_expect(fabs(sum[i].max_ms - a->rebalance_ms.max) < 0.06, "%s %s max", scenario, gn);
        }
        cr_expect_eq(sum[i].moved, a->moved_partitions, "%s %s moved", scenario, gn);
        cr_expect(fabs(sum[i].stalled_s - a->stalled_partition_ms / 1000.0) < 0.0006,
                  "%s %s stalled %.3f / %.6f", scenario, gn, sum[i].stalled_s,
                  a->stalled_partition_ms / 1000.0);
        cr_expect(fabs(sum[i].unavailable_s - a->unavailable_partition_ms / 1000.0) < 0.0006,
                  "%s %s unavailable %.3f / %.6f", scenario, gn, sum[i].unavailable_s,
                  a->unavailable_partition_ms / 1000.0);
        cr_expect_eq(sum[i].max_lag, a->max_lag_records, "%s %s max lag %s", scenario, gn,
                     sum[i].lag);
        cr_expect_eq(sum[i].duplicates, a->duplicates, "%s %s duplicates", scenario, gn);
        cr_expect_eq(sum[i].zombies, a->zombie_records, "%s %s zombies", scenario, gn);
    }
    an_result_fini(&res);
    free(out.buf);
    unlink(trace);
    unlink(log);
}

static void check_dir(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    char *names[SUM_MAX_FILES];
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) && n < SUM_MAX_FILES;) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    cr_assert_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        check_one(path);
        free(names[i]);
    }
}

Test(summary_agrees, with_analyze_for_every_shipped_scenario, .timeout = 300)
{
    check_dir(CGSIM_SOURCE_DIR "/scenarios");
    check_dir(CGSIM_SOURCE_DIR "/scenarios/incidents");
}

/* Stalled time of story.json's group with the override `set` (NULL: none). */
static double story_stalled(const char *set)
{
    char log[] = "/tmp/cgsim-stall-XXXXXX";
    int fd = mkstemp(log);
    cr_assert_geq(fd, 0);
    close(fd);
    char *argv[] = {(char *)CGSIM_BINARY, "run", CGSIM_SOURCE_DIR "/scenarios/story.json",
                    "--trace", "/dev/null", (char *)"--set", (char *)set, NULL};
    if (!set)
        argv[5] = NULL;
    cr_assert_eq(cgt_run_argv(argv, log, 120), 0);
    cgt_text_t out;
    cr_assert(cgt_text_read(log, &out));
    sum_group_t g[1];
    cr_assert_eq(parse_summary(out.buf, g, 1), 1);
    free(out.buf);
    unlink(log);
    return g[0].stalled_s;
}

/* The issue that introduced stalled time: detecting a crash sooner must shorten the outage (the
 * unowned figure alone said the opposite). story.json crashes c2 at 100 s and pauses c3 at 200 s. */
Test(summary_agrees, shorter_session_timeout_stalls_less, .timeout = 120)
{
    double at45 = story_stalled(NULL);
    double at10 = story_stalled("groups[0].config.session.timeout.ms=10000");
    cr_expect_lt(at10, at45, "stalled %.3f at 10 s, %.3f at 45 s", at10, at45);
    cr_expect_gt(at45 - at10, 3 * 30.0, "the crashed member's 3 partitions stall 35 s less");
}
