/* tests/support/cg_test_proc: see cg_test_proc.h. */
#include "tests/support/cg_test_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* ---- files and processes ---- */

bool cgt_text_read(const char *path, cgt_text_t *t)
{
    FILE *f = fopen(path, "rb");
    t->buf = NULL;
    t->len = 0;
    if (!f)
        return false;
    size_t cap = 1 << 16;
    t->buf = malloc(cap + 1);
    for (size_t n; t->buf && (n = fread(t->buf + t->len, 1, cap - t->len, f)) > 0;) {
        t->len += n;
        if (t->len < cap)
            continue;
        char *b = realloc(t->buf, 2 * cap + 1);
        if (!b)
            free(t->buf);
        t->buf = b;
        cap *= 2;
    }
    bool ok = t->buf && !ferror(f);
    fclose(f);
    if (ok)
        t->buf[t->len] = '\0';
    return ok;
}

bool cgt_file_write(const char *path, const char *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(buf, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

double cgt_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool cgt_shard(const char *name, unsigned *k, unsigned *n)
{
    const char *v = getenv(name);
    *k = 0;
    *n = 1;
    if (!v)
        return true;
    char tail;
    return sscanf(v, "%u/%u%c", k, n, &tail) == 2 && *n > 0 && *k < *n;
}

bool cgt_env_u64(const char *name, uint64_t def, uint64_t *out)
{
    const char *v = getenv(name);
    *out = def;
    if (!v || !*v)
        return true;
    char *end = NULL;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno || !end || *end || v[0] == '-')
        return false;
    *out = (uint64_t)x;
    return true;
}

/* Poll until `pid` ends or the deadline passes (then kill it): the wait status, or -1 / -2. */
static int wait_until(pid_t pid, int *st, double timeout_s)
{
    double deadline = cgt_wall_s() + timeout_s;
    for (;;) {
        pid_t w = waitpid(pid, st, WNOHANG);
        if (w == pid)
            return 0;
        if (w < 0 && errno != EINTR)
            return -1;
        if (cgt_wall_s() > deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, st, 0) < 0 && errno == EINTR) {
            }
            return -2;
        }
        struct timespec nap = {0, 100000};   /* runs take milliseconds: poll finely */
        nanosleep(&nap, NULL);
    }
}

int cgt_run_argv(char *const argv[], const char *log_path, double timeout_s)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int st = 0;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);   /* PATH: valgrind */
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    if (timeout_s > 0) {
        int w = wait_until(pid, &st, timeout_s);
        if (w != 0)
            return w;
    } else {
        while (waitpid(pid, &st, 0) < 0)
            if (errno != EINTR)
                return -1;
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- comparison ---- */

cgt_digest_t cgt_digest_of(const char *buf, size_t len)
{
    cgt_digest_t d = {14695981039346656037ULL, 0, (long long)len};
    for (size_t i = 0; i < len; i++) {
        d.fnv = (d.fnv ^ (unsigned char)buf[i]) * 1099511628211ULL;
        d.lines += buf[i] == '\n';
    }
    return d;
}

bool cgt_next_line(const cgt_text_t *t, size_t *pos, const char **line, size_t *len)
{
    if (*pos >= t->len)
        return false;
    const char *s = t->buf + *pos, *nl = memchr(s, '\n', t->len - *pos);
    *line = s;
    *len = nl ? (size_t)(nl - s) : t->len - *pos;
    *pos += *len + (nl ? 1 : 0);
    return true;
}

int cgt_show_len(size_t n)
{
    return (int)(n < CGT_SHOW_CHARS ? n : CGT_SHOW_CHARS);
}

bool cgt_lines_equal(const cgt_text_t *want, const cgt_text_t *got, long long max_lines,
                     char *msg, size_t msglen)
{
    size_t pw = 0, pg = 0, lw = 0, lg = 0;
    const char *w = NULL, *g = NULL;
    for (long long n = 1; max_lines == 0 || n <= max_lines; n++) {
        bool hw = cgt_next_line(want, &pw, &w, &lw), hg = cgt_next_line(got, &pg, &g, &lg);
        if (!hw && !hg)
            return true;
        if (hw && hg && lw == lg && memcmp(w, g, lw) == 0)
            continue;
        snprintf(msg, msglen, "first difference at line %lld:\n  expected: %.*s%s\n  actual:   "
                 "%.*s%s", n, hw ? cgt_show_len(lw) : 0, hw ? w : "", hw ? "" : "(end of trace)",
                 hg ? cgt_show_len(lg) : 0, hg ? g : "", hg ? "" : "(end of trace)");
        return false;
    }
    return true;
}

bool cgt_parse_digest(const char *s, cgt_digest_t *d)
{
    unsigned long long f = 0;
    if (sscanf(s, "fnv1a64 %16llx lines %lld bytes %lld", &f, &d->lines, &d->bytes) != 3)
        return false;
    d->fnv = f;
    return true;
}

void cgt_format_digest(const cgt_digest_t *d, char *buf, size_t len)
{
    snprintf(buf, len, "fnv1a64 %016llx lines %lld bytes %lld\n", (unsigned long long)d->fnv,
             d->lines, d->bytes);
}

/* ---- expected traces: whole, or head + digest ---- */

bool cgt_store_write(const char *jsonl, const char *digest, const cgt_text_t *got,
                     size_t max_bytes, int head_lines, char *msg, size_t msglen)
{
    if (got->len <= max_bytes) {
        unlink(digest);
        if (cgt_file_write(jsonl, got->buf, got->len))
            return true;
    } else {
        size_t pos = 0, len = 0;
        const char *line = NULL;
        for (int n = 0; n < head_lines && cgt_next_line(got, &pos, &line, &len); n++) {
        }
        char d[128];
        cgt_digest_t dg = cgt_digest_of(got->buf, got->len);
        cgt_format_digest(&dg, d, sizeof d);
        if (cgt_file_write(jsonl, got->buf, pos) && cgt_file_write(digest, d, strlen(d)))
            return true;
    }
    snprintf(msg, msglen, "cannot write %s: %s", jsonl, strerror(errno));
    return false;
}

bool cgt_store_compare(const char *jsonl, const char *digest, const cgt_text_t *got,
                       int head_lines, const char *what, const char *hint, char *msg,
                       size_t msglen)
{
    cgt_text_t want, dtext;
    cgt_digest_t wd, gdg = cgt_digest_of(got->buf, got->len);
    if (!cgt_text_read(jsonl, &want)) {
        snprintf(msg, msglen, "no %s %s (%s)", what, jsonl, hint);
        return false;
    }
    bool large = cgt_text_read(digest, &dtext), ok;
    if (!large) {
        ok = cgt_lines_equal(&want, got, 0, msg, msglen);
    } else if (!cgt_parse_digest(dtext.buf, &wd)) {
        snprintf(msg, msglen, "%s: not 'fnv1a64 HEX lines N bytes N'", digest);
        ok = false;
    } else {
        ok = cgt_lines_equal(&want, got, head_lines, msg, msglen);
        if (ok && (wd.fnv != gdg.fnv || wd.lines != gdg.lines || wd.bytes != gdg.bytes)) {
            snprintf(msg, msglen, "the first %d lines agree but the whole trace differs: expected "
                     "fnv1a64 %016llx, %lld lines, %lld bytes; got %016llx, %lld lines, %lld "
                     "bytes", head_lines, (unsigned long long)wd.fnv, wd.lines, wd.bytes,
                     (unsigned long long)gdg.fnv, gdg.lines, gdg.bytes);
            ok = false;
        }
    }
    free(want.buf);
    free(dtext.buf);
    return ok;
}

/* ---- misc ---- */

int cgt_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

bool cgt_env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0") != 0;
}

void cgt_exit_message(const char *scenario, int rc, const char *log_path, char *msg,
                      size_t msglen)
{
    cgt_text_t log;
    bool have = cgt_text_read(log_path, &log);
    snprintf(msg, msglen, "cgsim run %s exited %d:\n%.*s", scenario, rc,
             have ? cgt_show_len(log.len) : 0, have ? log.buf : "");
    free(log.buf);
}
