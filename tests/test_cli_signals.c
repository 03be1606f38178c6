/* tests/test_cli_signals: `cgsim run` stopped by SIGINT or SIGTERM (what `timeout` and process
 * managers send) ends its trace with a complete run_aborted record and exits 128 + the signal. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SIG_WAIT_MS 400   /* after the first record: the run under way, far from its end */
#define SIG_START_MS 60000  /* bound on the wait for the first record (a loaded sanitizer build) */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Last line of the file (without its newline), or "" */
static void last_line(const char *path, char *out, size_t len)
{
    FILE *f = fopen(path, "rb");
    out[0] = '\0';
    if (!f)
        return;
    char buf[8192];
    while (fgets(buf, sizeof buf, f))
        if (buf[0] && buf[0] != '\n')
            snprintf(out, len, "%s", buf);
    fclose(f);
    size_t n = strlen(out);
    if (n && out[n - 1] == '\n')
        out[n - 1] = '\0';
}

static void stop_with(int sig, int expect_status)
{
    char trace[] = "/tmp/cgsim-sig-XXXXXX";
    int fd = mkstemp(trace);
    cr_assert_geq(fd, 0);
    close(fd);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        freopen("/dev/null", "w", stderr);
        execl(CGSIM_BINARY, CGSIM_BINARY, "run", CGSIM_SOURCE_DIR "/bench/rolling_1000.json",
              "--trace", trace, "--quiet", (char *)NULL);
        _exit(127);
    }
    /* Wait for run_start: before it the scenario may still be loading (slow under the
     * sanitizers on a busy machine), when a signal has nothing to abort. */
    for (long waited = 0; waited < SIG_START_MS; waited += 10) {
        FILE *f = fopen(trace, "rb");
        long size = 0;
        if (f && fseek(f, 0, SEEK_END) == 0)
            size = ftell(f);
        if (f)
            fclose(f);
        if (size > 0)
            break;
        sleep_ms(10);
    }
    sleep_ms(SIG_WAIT_MS);
    kill(pid, sig);
    int st = 0;
    waitpid(pid, &st, 0);
    cr_assert(WIFEXITED(st), "cgsim did not exit normally (signal %d)", WTERMSIG(st));
    cr_assert_eq(WEXITSTATUS(st), expect_status);
    char line[8192];
    last_line(trace, line, sizeof line);
    cr_assert(strstr(line, "\"type\":\"run_aborted\"") && strstr(line, "\"interrupted\"") &&
                  line[strlen(line) - 1] == '}',
              "last record: %s", line);
    unlink(trace);
}

Test(signals, sigterm_ends_the_trace_with_run_aborted_and_exits_143)
{
    stop_with(SIGTERM, 143);
}

Test(signals, sigint_ends_the_trace_with_run_aborted_and_exits_130)
{
    stop_with(SIGINT, 130);
}
