/* tests/test_cli_hostile: issue 14 end to end through the cgsim binary: exit statuses for output
 * that cannot be written (/dev/full), assign's UTF-8 check and memory budget, and the
 * --memory-budget-mib flag of run/validate/compare/assign. Every case ends in well under a
 * second; the inputs are a few hundred bytes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];

static void setup(void)
{
    if (access(CGSIM_BINARY, X_OK) != 0)
        cr_skip_test("%s not built", CGSIM_BINARY);
    strcpy(dir, "/tmp/cgsim-test-hostile-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

static void put(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* Exit status of `cd DIR && cgsim ARGS` (ARGS pasted into a shell line); stderr into *err. */
static int cgsim(const char *args, char *err, size_t errlen)
{
    char cmd[2048], path[128];
    snprintf(path, sizeof path, "%s/stderr", dir);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s 2>stderr", dir, CGSIM_BINARY, args);
    int st = system(cmd);
    cr_assert(WIFEXITED(st), "did not exit: %s", cmd);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    size_t n = fread(err, 1, errlen - 1, f);
    err[n] = '\0';
    fclose(f);
    return WEXITSTATUS(st);
}

static const char GOOD[] =
    "{\"name\": \"g\", \"duration_ms\": 1000, \"topics\": [{\"name\": \"t\", \"partitions\": 2}],"
    " \"groups\": [{\"id\": \"g\", \"consumers\": [{\"id\": \"c\", \"topics\": [\"t\"]}]}]}";

static const char BIG[] =
    "{\"name\": \"big\", \"duration_ms\": 1000,"
    " \"topics\": [{\"name\": \"t\", \"partitions\": 1000000}],"
    " \"groups\": [{\"id\": \"g\", \"consumers\": [{\"id\": \"c\", \"topics\": [\"t\"]}]},"
    "             {\"id\": \"h\", \"consumers\": [{\"id\": \"c\", \"topics\": [\"t\"]}]}]}";

Test(cli_hostile, output_to_dev_full_exits_1, .init = setup, .fini = teardown)
{
    char err[4096];
    put("good.json", GOOD);
    cr_expect_eq(cgsim("validate good.json >/dev/full", err, sizeof err), 1, "%s", err);
    cr_expect(strstr(err, "cgsim: cannot write standard output: No space left on device"), "%s",
              err);
    cr_expect_eq(cgsim("analyze " CGSIM_SOURCE_DIR "/tests/traces/basic.jsonl >/dev/full", err,
                       sizeof err), 1, "%s", err);
    cr_expect_eq(cgsim("assign --assignor range good.json >/dev/full", err, sizeof err), 2,
                 "bad input still wins: %s", err);
    cr_expect_eq(cgsim("run good.json --quiet --trace - >/dev/full", err, sizeof err), 1, "%s",
                 err);
}

Test(cli_hostile, assign_refuses_invalid_utf8, .init = setup, .fini = teardown)
{
    char err[4096];
    put("in.json", "{\"topics\":{\"t\":2},\"members\":[{\"id\":\"\xff\",\"topics\":[\"t\"]}]}");
    cr_expect_eq(cgsim("assign --assignor range in.json", err, sizeof err), 2);
    cr_expect(strstr(err, "cgsim assign: in.json: $: invalid UTF-8 byte 0xFF at byte 37"), "%s",
              err);
}

Test(cli_hostile, assign_budget_is_decided_before_allocation, .init = setup, .fini = teardown)
{
    char err[4096];
    /* 236 bytes asking for 10M partitions used 2.8 GB */
    put("in.json", "{\"topics\":{\"a\":1000000,\"b\":1000000,\"c\":1000000,\"d\":1000000,"
                   "\"e\":1000000,\"f\":1000000,\"g\":1000000,\"h\":1000000,\"i\":1000000,"
                   "\"j\":1000000},\"members\":[{\"id\":\"m\",\"topics\":[\"a\"]}]}");
    cr_expect_eq(cgsim("assign --assignor range in.json", err, sizeof err), 2);
    cr_expect(strstr(err, "$.topics: 10000000 partitions x 320 bytes"), "%s", err);
    cr_expect(strstr(err, "beyond the memory budget of 1024 MiB (raise it with "
                          "--memory-budget-mib)"), "%s", err);
    cr_expect_eq(cgsim("assign --assignor range --memory-budget-mib 0 in.json", err, sizeof err),
                 2);
    cr_expect(strstr(err, "--memory-budget-mib expects 1..1048576, got '0'"), "%s", err);
}

Test(cli_hostile, scenario_budget_flag, .init = setup, .fini = teardown)
{
    char err[4096];
    put("big.json", BIG);
    put("good.json", GOOD);
    cr_expect_eq(cgsim("validate big.json --memory-budget-mib 100", err, sizeof err), 2);
    cr_expect(strstr(err, "big.json: needs ~404 MiB, beyond the memory budget of 100 MiB"), "%s",
              err);
    cr_expect_eq(cgsim("validate big.json >/dev/null", err, sizeof err), 0, "%s", err);
    cr_expect_eq(cgsim("run big.json --quiet --memory-budget-mib 100 --trace t.jsonl", err,
                       sizeof err), 2);
    char trace[128];
    snprintf(trace, sizeof trace, "%s/t.jsonl", dir);
    cr_expect(access(trace, F_OK) != 0, "no trace for a refused scenario");
    cr_expect_eq(cgsim("compare good.json --assignors range --seeds 1 --memory-budget-mib 1 "
                       ">/dev/null", err, sizeof err), 0, "%s", err);
    cr_expect_eq(cgsim("run good.json --memory-budget-mib x", err, sizeof err), 2);
}
