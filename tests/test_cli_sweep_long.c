/* tests/test_cli_sweep_long (ctest -L long): the shipped example sweep
 * (scenarios/sweeps/session_timeout_x_assignor.json, 450 runs) run whole, then killed with
 * SIGKILL part way and resumed (under 2 MPI ranks when built with MPI, else with --jobs 1): the
 * resumed files are byte-identical to the uninterrupted ones. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tests/support/cg_test_proc.h"

#define SWL_SPEC CGSIM_SOURCE_DIR "/scenarios/sweeps/session_timeout_x_assignor.json"
#define SWL_MSG 4096

extern char **environ;

static const char *const SWL_FILES[] = {"runs.jsonl", "summary.json", "summary.csv"};

static long swl_lines(const char *path)
{
    cgt_text_t t;
    if (!cgt_text_read(path, &t))
        return 0;
    long n = 0;
    for (size_t i = 0; i < t.len; i++)
        n += t.buf[i] == '\n';
    free(t.buf);
    return n;
}

/* Starts a sweep into `out`, kills it (SIGKILL) once runs.jsonl has `lines` lines or more. */
static void swl_start_and_kill(const char *out, long lines)
{
    char *argv[] = {CGSIM_BINARY, "sweep", SWL_SPEC, "--jobs", "2", "--out", (char *)out, NULL};
    char runs[256];
    snprintf(runs, sizeof runs, "%s/runs.jsonl", out);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    cr_assert_eq(posix_spawn(&pid, argv[0], &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    int st = 0;
    double t0 = cgt_wall_s();
    while (swl_lines(runs) < lines && cgt_wall_s() - t0 < 120) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            cr_assert_fail("the sweep ended before it could be interrupted");
        nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    cr_assert(WIFSIGNALED(st), "the sweep was not killed");
}

Test(sweep_long, killed_and_resumed_sweep_gives_the_same_files, .timeout = 600)
{
    char dir[] = "/tmp/cgsim-sweep-long-XXXXXX", a[128], b[128], log[160], msg[SWL_MSG];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(a, sizeof a, "%s/whole", dir);
    snprintf(b, sizeof b, "%s/killed", dir);
    snprintf(log, sizeof log, "%s/log", dir);
    char *whole[] = {CGSIM_BINARY, "sweep", SWL_SPEC, "--jobs", "2", "--out", a, NULL};
    int rc = cgt_run_argv(whole, log, 600);
    cgt_exit_message("sweep", rc, log, msg, sizeof msg);
    cr_assert_eq(rc, 0, "%s", msg);
    swl_start_and_kill(b, 100);
#ifdef CGSIM_MPIEXEC
    bool mpi = !cgt_env_set("CGSIM_SANITIZED");
#else
    bool mpi = false;
#endif
    char *local[] = {CGSIM_BINARY, "sweep", SWL_SPEC, "--jobs", "1", "--out", b, NULL};
#ifdef CGSIM_MPIEXEC
    char *ranks[] = {CGSIM_MPIEXEC, "--allow-run-as-root", "--oversubscribe", "-n", "2",
                     CGSIM_BINARY, "sweep", SWL_SPEC, "--jobs", "1", "--out", b, NULL};
    rc = cgt_run_argv(mpi ? ranks : local, log, 600);
#else
    rc = cgt_run_argv(local, log, 600);
#endif
    cgt_exit_message(mpi ? "mpirun -n 2 sweep (resume)" : "sweep (resume)", rc, log, msg,
                     sizeof msg);
    cr_assert_eq(rc, 0, "%s", msg);
    for (size_t i = 0; i < sizeof SWL_FILES / sizeof SWL_FILES[0]; i++) {
        char pa[200], pb[200];
        snprintf(pa, sizeof pa, "%s/%s", a, SWL_FILES[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, SWL_FILES[i]);
        cgt_text_t ta, tb;
        cr_assert(cgt_text_read(pa, &ta) && cgt_text_read(pb, &tb));
        bool same = cgt_lines_equal(&ta, &tb, 0, msg, sizeof msg);
        cr_assert(same && ta.len == tb.len, "%s differs from %s: %s", pb, pa, msg);
        free(ta.buf);
        free(tb.buf);
    }
}
