/* tests/test_cg_summary_agrees: one definition everywhere. For every shipped scenario and
 * incident, the run summary `cgsim run` prints and `cgsim analyze`'s figures of the same trace
 * agree group by group (tests/support/cg_test_summary: rebalances, their mean and max, moved
 * partitions, stalled and unowned partition-time, max lag, duplicates and zombie records). The
 * swarm applies the same check to random scenarios. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/support/cg_test_proc.h"
#include "tests/support/cg_test_summary.h"

#define SUM_MAX_FILES 64

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
    char msg[2048];
    size_t n = 0;
    cr_expect(cgt_summary_agrees(out.buf, trace, msg, sizeof msg, &n), "%s:\n%s", scenario, msg);
    cr_expect_gt(n, 0, "%s: no group in the summary", scenario);
    cr_log_info("%s: %zu groups agree", scenario, n);
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
    cgt_sum_group_t g[1];
    cr_assert_eq(cgt_summary_parse(out.buf, g, 1), 1);
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
