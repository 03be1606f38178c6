/* tests/test_an_cli: cgsim analyze / compare / plot as a user runs them: exit codes, messages
 * on stderr, --partial, stdin, and compare's output identical for any --jobs. Links the analysis
 * layer only and runs the built binary (CGSIM_BINARY); skipped when it has not been built. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "analysis/an_analyze.h"

#define TRACES CGSIM_SOURCE_DIR "/tests/traces/"
#define OUT_MAX (1 << 20)

/* A 30-second scenario: three consumers join one after another, one leaves. */
static const char SCENARIO[] =
    "{\"name\":\"cli-compare\",\"seed\":11,\"duration_ms\":30000,"
    "\"topics\":[{\"name\":\"t\",\"partitions\":6}],"
    "\"producers\":[{\"id\":\"p\",\"topic\":\"t\",\"rate_per_s\":200,\"keys\":1000}],"
    "\"groups\":[{\"id\":\"g\",\"config\":{\"group.initial.rebalance.delay.ms\":0},"
    "\"consumers\":[{\"id\":\"a\",\"topics\":[\"t\"],\"join_at_ms\":0},"
    "{\"id\":\"b\",\"topics\":[\"t\"],\"join_at_ms\":5000},"
    "{\"id\":\"c\",\"topics\":[\"t\"],\"join_at_ms\":10000}]}],"
    "\"faults\":[{\"at_ms\":20000,\"action\":\"leave\",\"target\":\"g/b\"}]}";

typedef struct run_out {
    int status;                       /* exit status, -1 if it did not exit */
    char *out;                        /* stdout */
    char *err;                        /* stderr */
} run_out_t;

static char tmpdir[64];

static void setup(void)
{
    if (access(CGSIM_BINARY, X_OK) != 0)
        cr_skip_test("%s not built", CGSIM_BINARY);
    strcpy(tmpdir, "/tmp/cgsim-test-cli-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[256];
    if (tmpdir[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        cr_expect_eq(system(cmd), 0);
    }
}

static char *slurp(const char *path)
{
    char *buf = calloc(1, OUT_MAX + 1);
    FILE *f = fopen(path, "r");
    if (f) {
        size_t n = fread(buf, 1, OUT_MAX, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

/* Runs `cgsim ARGS` through the shell (ARGS may redirect stdin); captures both outputs. */
static run_out_t cgsim(const char *args)
{
    char cmd[4096], o[128], e[128];
    snprintf(o, sizeof o, "%s/stdout", tmpdir);
    snprintf(e, sizeof e, "%s/stderr", tmpdir);
    snprintf(cmd, sizeof cmd, "'%s' %s >'%s' 2>'%s'", CGSIM_BINARY, args, o, e);
    int st = system(cmd);
    run_out_t r = {WIFEXITED(st) ? WEXITSTATUS(st) : -1, slurp(o), slurp(e)};
    return r;
}

static void run_free(run_out_t *r)
{
    free(r->out);
    free(r->err);
}

TestSuite(cli, .init = setup, .fini = teardown);

Test(cli, analyze_json_and_errors)
{
    run_out_t r = cgsim("analyze " TRACES "basic.jsonl --json");
    cr_expect_eq(r.status, 0, "%s", r.err);
    cJSON *j = cJSON_Parse(r.out);
    cr_assert_not_null(j, "not JSON: %s", r.out);
    cr_expect_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "groups"), "g"),
                                     "rebalances")->valuedouble, 3);
    cJSON_Delete(j);
    run_free(&r);
    r = cgsim("analyze " TRACES "time_back.jsonl");
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "time_back.jsonl:3: time goes back") != NULL, "%s", r.err);
    run_free(&r);
    r = cgsim("analyze " TRACES "aborted.jsonl");
    cr_expect_eq(r.status, 2);
    run_free(&r);
    r = cgsim("analyze --partial --json - < " TRACES "aborted.jsonl");
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "\"partial\":\ttrue") != NULL, "%s", r.out);
    run_free(&r);
    r = cgsim("analyze");
    cr_expect_eq(r.status, 2);
    run_free(&r);
}

static void write_scenario(char *path, size_t n)
{
    snprintf(path, n, "%s/scenario.json", tmpdir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(SCENARIO, f);
    fclose(f);
}

Test(cli, compare_is_independent_of_jobs, .timeout = 120)
{
    char path[128], args[512];
    write_scenario(path, sizeof path);
    snprintf(args, sizeof args, "compare '%s' --assignors range,cooperative-sticky --seeds 3 "
                                "--json --jobs 1", path);
    run_out_t one = cgsim(args);
    cr_assert_eq(one.status, 0, "%s", one.err);
    snprintf(args, sizeof args, "compare '%s' --assignors range,cooperative-sticky --seeds 3 "
                                "--json --jobs 4", path);
    run_out_t four = cgsim(args);
    cr_assert_eq(four.status, 0, "%s", four.err);
    cr_expect_str_eq(one.out, four.out);
    cJSON *j = cJSON_Parse(one.out);
    cr_assert_not_null(j);
    cJSON *coop = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "assignors"), "cooperative-sticky");
    cJSON *reb = cJSON_GetObjectItem(coop, "rebalances");
    cr_expect_eq(cJSON_GetObjectItem(reb, "n")->valuedouble, 3);
    cr_expect_gt(cJSON_GetObjectItem(reb, "mean")->valuedouble, 0);
    cr_expect_not_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "paired_vs_first"),
                                           "cooperative-sticky"));
    cJSON_Delete(j);
    run_free(&one);
    run_free(&four);
    snprintf(args, sizeof args, "compare '%s' --assignors range,nosuch", path);
    run_out_t bad = cgsim(args);
    cr_expect_eq(bad.status, 2);
    cr_expect(strstr(bad.err, "unknown assignor 'nosuch'") != NULL, "%s", bad.err);
    run_free(&bad);
}

Test(cli, plot_writes_pictures)
{
    char args[512], png[160];
    snprintf(args, sizeof args, "plot " TRACES "basic.jsonl --out '%s/p' --format both", tmpdir);
    run_out_t r = cgsim(args);
    if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
        cr_expect_eq(r.status, 2);
        cr_expect(strstr(r.err, "apt-get install gnuplot-nox") != NULL, "%s", r.err);
        run_free(&r);
        return;
    }
    cr_expect_eq(r.status, 0, "%s", r.err);
    static const char *const files[] = {"timeline.png", "timeline.svg", "lag.png",
                                        "rebalance_cdf.svg"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct stat st;
        snprintf(png, sizeof png, "%s/p/%s", tmpdir, files[i]);
        cr_expect(stat(png, &st) == 0 && st.st_size > 1000, "%s missing or empty", png);
    }
    run_free(&r);
}

/* `cgsim report`: a page from a trace, a compare output and a sweep; each bad input named with
 * exit 2, and no half-written page left behind. */
Test(cli, report_page_and_errors)
{
    char args[768], page[160];
    snprintf(page, sizeof page, "%s/r.html", tmpdir);
    snprintf(args, sizeof args, "report " TRACES "basic.jsonl --out '%s'", page);
    run_out_t r = cgsim(args);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "r.html written") != NULL, "%s", r.out);
    char *html = slurp(page);
    cr_expect(strncmp(html, "<!DOCTYPE html>", 15) == 0, "%.80s", html);
    free(html);
    run_free(&r);
    static const struct { const char *args; const char *msg; } bad[] = {
        {"report " TRACES "missing.jsonl --out %s", "missing.jsonl: cannot open"},
        {"report --out %s", "missing input"},
        {"report " TRACES "basic.jsonl", "missing --out"},
        {"report " TRACES "time_back.jsonl --out %s", "time_back.jsonl:3: time goes back"},
        {"report --compare " TRACES "basic.jsonl --out %s", "basic.jsonl: not valid JSON"},
        {"report --sweep " TRACES "nodir --out %s", "nodir/summary.json: cannot open"},
        {"report " TRACES "basic.jsonl --bogus --out %s", "unknown option '--bogus'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(page, sizeof page, "%s/bad%zu.html", tmpdir, i);
        snprintf(args, sizeof args, bad[i].args, page);
        r = cgsim(args);
        cr_expect_eq(r.status, 2, "%s: %d %s", args, r.status, r.err);
        cr_expect(strstr(r.err, bad[i].msg) != NULL, "%s: %s", args, r.err);
        cr_expect(access(page, F_OK) != 0, "%s: a page was left behind", args);
        run_free(&r);
    }
}
