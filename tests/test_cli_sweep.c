/* tests/test_cli_sweep: `cgsim sweep` end to end on a small grid (quickstart, 2 x 2 points x 3
 * seeds): the same files for --jobs 1 and 2, for 2 MPI ranks (when built with MPI), after an
 * interrupted sweep is resumed; bad specifications refused with exit 2, the file, the JSON path
 * and what was expected; plot --sweep from the output alone. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tests/support/cg_test_proc.h"

#define SW_SCENARIO CGSIM_SOURCE_DIR "/scenarios/quickstart.json"
#define SW_MSG 4096
#define SW_TIMEOUT_S 120.0

static const char *const SW_FILES[] = {"runs.jsonl", "summary.json", "summary.csv"};

/* A fresh temporary directory (path in buf). */
static void sw_tmpdir(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/cgsim-sweep-test-XXXXXX");
    cr_assert_not_null(mkdtemp(buf), "mkdtemp failed");
}

/* cgsim sweep on the small grid into `out` with `jobs` threads; under `mpirun -n ranks` when
 * ranks > 0. Returns the exit status; the output is in `log`. */
static int sw_run(const char *out, const char *jobs, int ranks, const char *log)
{
    char *argv[32];
    int n = 0;
    char nbuf[16];
#ifdef CGSIM_MPIEXEC
    if (ranks > 0) {
        snprintf(nbuf, sizeof nbuf, "%d", ranks);
        argv[n++] = CGSIM_MPIEXEC;
        argv[n++] = "--allow-run-as-root";
        argv[n++] = "--oversubscribe";
        argv[n++] = "-n";
        argv[n++] = nbuf;
    }
#else
    (void)ranks;
    (void)nbuf;
#endif
    char *rest[] = {CGSIM_BINARY, "sweep", SW_SCENARIO,
                    "--grid", "groups[0].config.session.timeout.ms=10000,45000",
                    "--grid", "groups[0].assignor=range,roundrobin",
                    "--seeds", "3", "--baseline", "groups[0].assignor=roundrobin",
                    "--jobs", (char *)jobs, "--out", (char *)out, NULL};
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++)
        argv[n++] = rest[i];
    return cgt_run_argv(argv, log, SW_TIMEOUT_S);
}

static void sw_expect_ok(const char *out, const char *jobs, int ranks)
{
    char log[4200], msg[SW_MSG];
    snprintf(log, sizeof log, "%s.log", out);
    int rc = sw_run(out, jobs, ranks, log);
    cgt_exit_message("sweep", rc, log, msg, sizeof msg);
    cr_assert_eq(rc, 0, "%s", msg);
}

/* The three output files of a and b are byte-identical. */
static void sw_expect_same(const char *a, const char *b)
{
    for (size_t i = 0; i < sizeof SW_FILES / sizeof SW_FILES[0]; i++) {
        char pa[4200], pb[4200], msg[SW_MSG];
        snprintf(pa, sizeof pa, "%s/%s", a, SW_FILES[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, SW_FILES[i]);
        cgt_text_t ta, tb;
        cr_assert(cgt_text_read(pa, &ta), "cannot read %s", pa);
        cr_assert(cgt_text_read(pb, &tb), "cannot read %s", pb);
        bool same = cgt_lines_equal(&ta, &tb, 0, msg, sizeof msg);
        cr_assert(same && ta.len == tb.len, "%s differs from %s: %s", pb, pa, msg);
        free(ta.buf);
        free(tb.buf);
    }
}

Test(sweep, jobs_1_and_2_give_the_same_files, .timeout = 120)
{
    char dir[64], a[128], b[128];
    sw_tmpdir(dir, sizeof dir);
    snprintf(a, sizeof a, "%s/j1", dir);
    snprintf(b, sizeof b, "%s/j2", dir);
    sw_expect_ok(a, "1", 0);
    sw_expect_ok(b, "2", 0);
    sw_expect_same(a, b);
    char runs[200];
    snprintf(runs, sizeof runs, "%s/runs.jsonl", a);
    cgt_text_t t;
    cr_assert(cgt_text_read(runs, &t));
    size_t lines = 0;
    for (size_t i = 0; i < t.len; i++)
        lines += t.buf[i] == '\n';
    cr_expect_eq(lines, 12, "runs.jsonl: %zu lines, expected 4 points x 3 seeds", lines);
    cr_expect(strstr(t.buf, "\"status\":\"ok\",\"figures\":{\"rebalances\":") != NULL);
    free(t.buf);
}

/* An interrupted sweep: runs.jsonl holds some runs, out of order, and half a line. */
Test(sweep, resumed_sweep_gives_the_same_files, .timeout = 120)
{
    char dir[64], a[128], b[128], pa[200], pb[200];
    sw_tmpdir(dir, sizeof dir);
    snprintf(a, sizeof a, "%s/full", dir);
    snprintf(b, sizeof b, "%s/resumed", dir);
    sw_expect_ok(a, "2", 0);
    snprintf(pa, sizeof pa, "%s/runs.jsonl", a);
    snprintf(pb, sizeof pb, "%s/runs.jsonl", b);
    cgt_text_t t;
    cr_assert(cgt_text_read(pa, &t));
    const char *l[13] = {t.buf};
    for (size_t i = 1; i < 13; i++)
        l[i] = strchr(l[i - 1], '\n') + 1;
    cr_assert_eq(mkdir(b, 0777), 0);
    FILE *f = fopen(pb, "w");
    cr_assert_not_null(f);
    fwrite(l[7], 1, (size_t)(l[9] - l[7]), f);   /* runs 7 and 8 */
    fwrite(l[0], 1, (size_t)(l[3] - l[0]), f);   /* runs 0 to 2 */
    fwrite(l[3], 1, (size_t)(l[4] - l[3]) / 2, f);   /* run 3, cut */
    fclose(f);
    free(t.buf);
    sw_expect_ok(b, "1", 0);
    sw_expect_same(a, b);
    char log[200];
    snprintf(log, sizeof log, "%s.log", b);
    cr_assert(cgt_text_read(log, &t));
    cr_expect(strstr(t.buf, "dropping the truncated last line") != NULL, "log: %s", t.buf);
    cr_expect(strstr(t.buf, "7 run now, 5 resumed") != NULL, "log: %s", t.buf);
    free(t.buf);
}

Test(sweep, two_mpi_ranks_give_the_same_files, .timeout = 120)
{
#ifndef CGSIM_MPIEXEC
    cr_skip_test("cgsim was built without MPI (apt-get install -y libopenmpi-dev openmpi-bin, "
                 "then configure again)");
#else
    if (cgt_env_set("CGSIM_SANITIZED"))
        cr_skip_test("MPI test skipped under the sanitizers (Open MPI's own allocations are "
                     "reported as leaks); the plain build runs it");
    char dir[64], a[128], b[128], c[128];
    sw_tmpdir(dir, sizeof dir);
    snprintf(a, sizeof a, "%s/local", dir);
    snprintf(b, sizeof b, "%s/mpi", dir);
    snprintf(c, sizeof c, "%s/mpi2", dir);
    sw_expect_ok(a, "1", 0);
    sw_expect_ok(b, "1", 2);
    sw_expect_ok(c, "2", 2);
    sw_expect_same(a, b);
    sw_expect_same(a, c);
#endif
}

/* Writes `spec` to DIR/spec.json, runs cgsim sweep on it, expects exit 2 and `want` in the log. */
static void sw_bad_spec(const char *spec, const char *want)
{
    char dir[64], path[128], log[128], out[128];
    sw_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/spec.json", dir);
    snprintf(log, sizeof log, "%s/log", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    cr_assert(cgt_file_write(path, spec, strlen(spec)));
    char *argv[] = {CGSIM_BINARY, "sweep", path, "--out", out, NULL};
    int rc = cgt_run_argv(argv, log, SW_TIMEOUT_S);
    cgt_text_t t;
    cr_assert(cgt_text_read(log, &t));
    cr_expect_eq(rc, 2, "exit %d for %s: %s", rc, spec, t.buf);
    char full[512];
    snprintf(full, sizeof full, "%s: %s", path, want);
    cr_expect(strstr(t.buf, full) != NULL, "expected '%s' in: %s", full, t.buf);
    free(t.buf);
}

Test(sweep, bad_specs_are_refused_with_file_path_and_expectation, .timeout = 60)
{
    sw_bad_spec("{\"scenario\": \"" SW_SCENARIO "\", \"grid\": {\"x\": 3}}",
                "$.grid.x: expected an array of 1 to 1024 strings or numbers");
    sw_bad_spec("{\"scenario\": \"" SW_SCENARIO "\", \"grid\": {\"x\": [1, null]}}",
                "$.grid.x[1]: expected a string");
    sw_bad_spec("{\"scenario\": \"" SW_SCENARIO "\", \"grid\": {\"x\": [1]}, \"seed\": 3}",
                "$.seed: unknown key (known: scenario, grid, set, seeds, baseline, out)");
    sw_bad_spec("{\"scenario\": \"" SW_SCENARIO "\", \"grid\": {\"x\": [1]}, \"seeds\": 0}",
                "$.seeds: expected an integer in [1, 100000]");
    sw_bad_spec("{\"scenario\": 5, \"grid\": {\"x\": [1]}}", "$.scenario: expected the scenario");
    sw_bad_spec("{\"scenario\": \"" SW_SCENARIO "\", \"set\": [\"x\"], \"grid\": {\"x\": [1]}}",
                "$.set[0]: expected a \"key=value\" string");
    /* A grid value the scenario loader refuses: its own message, then the point. */
    char dir[64], log[128];
    sw_tmpdir(dir, sizeof dir);
    snprintf(log, sizeof log, "%s/log", dir);
    char *argv[] = {CGSIM_BINARY, "sweep", SW_SCENARIO, "--grid",
                    "groups[0].config.session.timeout.ms=10000,-5", "--out", dir, NULL};
    int rc = cgt_run_argv(argv, log, SW_TIMEOUT_S);
    cgt_text_t t;
    cr_assert(cgt_text_read(log, &t));
    cr_expect_eq(rc, 2, "exit %d: %s", rc, t.buf);
    cr_expect(strstr(t.buf, "quickstart.json: $.groups[0].config.session.timeout.ms") != NULL &&
              strstr(t.buf, "point 1 (groups[0].config.session.timeout.ms=-5)") != NULL,
              "log: %s", t.buf);
    free(t.buf);
}

Test(sweep, plot_from_the_output_alone, .timeout = 120)
{
    char dir[64], a[128], p[128], log[160], png[200], msg[SW_MSG];
    sw_tmpdir(dir, sizeof dir);
    snprintf(a, sizeof a, "%s/out", dir);
    snprintf(p, sizeof p, "%s/plots", dir);
    snprintf(log, sizeof log, "%s/plot.log", dir);
    sw_expect_ok(a, "2", 0);
    char *argv[] = {CGSIM_BINARY, "plot", "--sweep", a, "--out", p, "--figure", "rebalances",
                    NULL};
    int rc = cgt_run_argv(argv, log, SW_TIMEOUT_S);
    cgt_exit_message("plot --sweep", rc, log, msg, sizeof msg);
    cr_assert_eq(rc, 0, "%s", msg);
    const char *imgs[] = {"sweep_line.png", "sweep_heat.png"};
    for (size_t i = 0; i < 2; i++) {
        struct stat st;
        snprintf(png, sizeof png, "%s/%s", p, imgs[i]);
        cr_expect(stat(png, &st) == 0 && st.st_size > 0, "%s missing or empty", png);
    }
}
