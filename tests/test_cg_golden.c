/* Golden traces: every shipped scenario (every .json file in scenarios/) is run with its own seed and its trace
 * must equal tests/golden/<name>.jsonl byte for byte. A trace larger than GOLDEN_MAX_BYTES is
 * stored as its first GOLDEN_HEAD_LINES lines (<name>.jsonl) plus a digest of the whole trace
 * (<name>.digest: 64-bit FNV-1a, line count, byte count). A difference fails with the first
 * differing line number and both lines. Goldens change only on purpose: CGSIM_REGEN_GOLDEN=1
 * rewrites them (tests/golden/README.md), and the new files must then be reviewed in the diff. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define GOLDEN_MAX_BYTES (2 * 1024 * 1024)   /* larger traces are stored as head + digest */
#define GOLDEN_HEAD_LINES 200                /* lines kept of a large trace */
#define GOLDEN_MAX_SCENARIOS 256             /* bound on shipped scenarios */
#define GOLDEN_MSG_LEN 4096                  /* room for a failure message with two lines */
#define GOLDEN_SHOW_CHARS 600                /* longest line excerpt shown in a message */

typedef struct text {
    char *buf;                        /* file contents, NUL-terminated */
    size_t len;                       /* bytes, without the NUL */
} text_t;

typedef struct digest {
    uint64_t fnv;                     /* 64-bit FNV-1a of every byte */
    long long lines;                  /* '\n' count */
    long long bytes;                  /* size */
} digest_t;

/* ---- files and processes ---- */

static bool text_read(const char *path, text_t *t)
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

static bool file_write(const char *path, const char *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(buf, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

/* Run argv (argv[0] = program path) with stdout and stderr into `log_path`; the exit status, or
 * 128 + signal, or -1 when it could not start. */
static int run_argv(char *const argv[], const char *log_path)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int st = 0;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- comparison ---- */

static digest_t digest_of(const char *buf, size_t len)
{
    digest_t d = {14695981039346656037ULL, 0, (long long)len};
    for (size_t i = 0; i < len; i++) {
        d.fnv = (d.fnv ^ (unsigned char)buf[i]) * 1099511628211ULL;
        d.lines += buf[i] == '\n';
    }
    return d;
}

/* Line `*pos` of `t` (without its '\n'), advancing *pos; false at the end. */
static bool next_line(const text_t *t, size_t *pos, const char **line, size_t *len)
{
    if (*pos >= t->len)
        return false;
    const char *s = t->buf + *pos, *nl = memchr(s, '\n', t->len - *pos);
    *line = s;
    *len = nl ? (size_t)(nl - s) : t->len - *pos;
    *pos += *len + (nl ? 1 : 0);
    return true;
}

static int show_len(size_t n)
{
    return (int)(n < GOLDEN_SHOW_CHARS ? n : GOLDEN_SHOW_CHARS);
}

/* Compare the first `max_lines` lines (0 = all, and then the ends must agree too). Returns true
 * when equal; otherwise `msg` names the first differing line and shows both. */
static bool lines_equal(const text_t *want, const text_t *got, long long max_lines, char *msg,
                        size_t msglen)
{
    size_t pw = 0, pg = 0, lw = 0, lg = 0;
    const char *w = NULL, *g = NULL;
    for (long long n = 1; max_lines == 0 || n <= max_lines; n++) {
        bool hw = next_line(want, &pw, &w, &lw), hg = next_line(got, &pg, &g, &lg);
        if (!hw && !hg)
            return true;
        if (hw && hg && lw == lg && memcmp(w, g, lw) == 0)
            continue;
        snprintf(msg, msglen, "first difference at line %lld:\n  expected: %.*s%s\n  actual:   "
                 "%.*s%s", n, hw ? show_len(lw) : 0, hw ? w : "", hw ? "" : "(end of trace)",
                 hg ? show_len(lg) : 0, hg ? g : "", hg ? "" : "(end of trace)");
        return false;
    }
    return true;
}

static bool parse_digest(const char *s, digest_t *d)
{
    unsigned long long f = 0;
    if (sscanf(s, "fnv1a64 %16llx lines %lld bytes %lld", &f, &d->lines, &d->bytes) != 3)
        return false;
    d->fnv = f;
    return true;
}

static void format_digest(const digest_t *d, char *buf, size_t len)
{
    snprintf(buf, len, "fnv1a64 %016llx lines %lld bytes %lld\n", (unsigned long long)d->fnv,
             d->lines, d->bytes);
}

/* ---- one golden ---- */

typedef struct golden {
    char scenario[1024];              /* scenarios/<name>.json */
    char jsonl[1024];                 /* tests/golden/<name>.jsonl (all, or the head) */
    char digest[1024];                /* tests/golden/<name>.digest (large traces only) */
    char trace[1024];                 /* the fresh trace */
    char log[1024];                   /* cgsim's stdout + stderr */
} golden_t;

/* Store the fresh trace as the golden: whole, or head + digest when large. */
static bool golden_write(const golden_t *gd, const text_t *got, char *msg, size_t msglen)
{
    if (got->len <= GOLDEN_MAX_BYTES) {
        unlink(gd->digest);
        if (file_write(gd->jsonl, got->buf, got->len))
            return true;
    } else {
        size_t pos = 0, len = 0;
        const char *line = NULL;
        for (int n = 0; n < GOLDEN_HEAD_LINES && next_line(got, &pos, &line, &len); n++) {
        }
        char d[128];
        digest_t dg = digest_of(got->buf, got->len);
        format_digest(&dg, d, sizeof d);
        if (file_write(gd->jsonl, got->buf, pos) && file_write(gd->digest, d, strlen(d)))
            return true;
    }
    snprintf(msg, msglen, "cannot write %s: %s", gd->jsonl, strerror(errno));
    return false;
}

static bool golden_compare(const golden_t *gd, const text_t *got, char *msg, size_t msglen)
{
    text_t want, dtext;
    digest_t wd, gdg = digest_of(got->buf, got->len);
    if (!text_read(gd->jsonl, &want)) {
        snprintf(msg, msglen, "no golden %s (new scenario? see tests/golden/README.md)", gd->jsonl);
        return false;
    }
    bool large = text_read(gd->digest, &dtext), ok;
    if (!large) {
        ok = lines_equal(&want, got, 0, msg, msglen);
    } else if (!parse_digest(dtext.buf, &wd)) {
        snprintf(msg, msglen, "%s: not 'fnv1a64 HEX lines N bytes N'", gd->digest);
        ok = false;
    } else {
        ok = lines_equal(&want, got, GOLDEN_HEAD_LINES, msg, msglen);
        if (ok && (wd.fnv != gdg.fnv || wd.lines != gdg.lines || wd.bytes != gdg.bytes)) {
            snprintf(msg, msglen, "the first %d lines agree but the whole trace differs: expected "
                     "fnv1a64 %016llx, %lld lines, %lld bytes; got %016llx, %lld lines, %lld "
                     "bytes", GOLDEN_HEAD_LINES, (unsigned long long)wd.fnv, wd.lines, wd.bytes,
                     (unsigned long long)gdg.fnv, gdg.lines, gdg.bytes);
            ok = false;
        }
    }
    free(want.buf);
    free(dtext.buf);
    return ok;
}

static bool golden_run(const golden_t *gd, bool regen, char *msg, size_t msglen)
{
    char *argv[] = {(char *)CGSIM_BINARY, "run", (char *)gd->scenario, "--trace",
                    (char *)gd->trace, "--quiet", NULL};
    int rc = run_argv(argv, gd->log);
    if (rc != 0) {
        text_t log;
        bool have = text_read(gd->log, &log);
        snprintf(msg, msglen, "cgsim run %s exited %d:\n%.*s", gd->scenario, rc,
                 have ? show_len(log.len) : 0, have ? log.buf : "");
        free(log.buf);
        return false;
    }
    text_t got;
    if (!text_read(gd->trace, &got)) {
        snprintf(msg, msglen, "cannot read the trace %s", gd->trace);
        return false;
    }
    bool ok = regen ? golden_write(gd, &got, msg, msglen) : golden_compare(gd, &got, msg, msglen);
    free(got.buf);
    return ok;
}

/* ---- discovery ---- */

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names (without `ext`) of the regular files in `dir` ending in `ext`. */
static size_t list_names(const char *dir, const char *ext, char **names, size_t max)
{
    DIR *d = opendir(dir);
    size_t n = 0, el = strlen(ext);
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d)) != NULL && n < max;) {
        size_t l = strlen(e->d_name);
        if (l > el && strcmp(e->d_name + l - el, ext) == 0 && e->d_name[0] != '.')
            names[n++] = strndup(e->d_name, l - el);
    }
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    return n;
}

static bool env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0") != 0;
}

Test(golden, every_shipped_scenario_matches_its_golden_trace, .timeout = 300)
{
    char *names[GOLDEN_MAX_SCENARIOS], *goldens[GOLDEN_MAX_SCENARIOS];
    char tmp[] = "/tmp/cgsim-golden-XXXXXX", msg[GOLDEN_MSG_LEN];
    bool regen = env_set("CGSIM_REGEN_GOLDEN");
    size_t n = list_names(CGSIM_SOURCE_DIR "/scenarios", ".json", names, GOLDEN_MAX_SCENARIOS);
    size_t ng = list_names(CGSIM_SOURCE_DIR "/tests/golden", ".jsonl", goldens,
                           GOLDEN_MAX_SCENARIOS);
    cr_assert_gt(n, 0, "no scenarios/*.json found under %s", CGSIM_SOURCE_DIR);
    cr_assert_not_null(mkdtemp(tmp), "mkdtemp: %s", strerror(errno));
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        golden_t gd;
        snprintf(gd.scenario, sizeof gd.scenario, "%s/scenarios/%s.json", CGSIM_SOURCE_DIR,
                 names[i]);
        snprintf(gd.jsonl, sizeof gd.jsonl, "%s/tests/golden/%s.jsonl", CGSIM_SOURCE_DIR,
                 names[i]);
        snprintf(gd.digest, sizeof gd.digest, "%s/tests/golden/%s.digest", CGSIM_SOURCE_DIR,
                 names[i]);
        snprintf(gd.trace, sizeof gd.trace, "%s/%s.jsonl", tmp, names[i]);
        snprintf(gd.log, sizeof gd.log, "%s/%s.log", tmp, names[i]);
        msg[0] = '\0';
        if (!golden_run(&gd, regen, msg, sizeof msg)) {
            cr_log_error("golden %s: %s", names[i], msg);
            failed++;
        } else if (regen) {
            cr_log_warn("golden %s regenerated: review `git diff tests/golden`", names[i]);
        }
        unlink(gd.trace);
        unlink(gd.log);
    }
    for (size_t i = 0; i < ng; i++) {
        char **hit = bsearch(&goldens[i], names, n, sizeof *names, name_cmp);
        if (!hit) {
            cr_log_error("stale golden tests/golden/%s.jsonl: no scenarios/%s.json", goldens[i],
                         goldens[i]);
            failed++;
        }
        free(goldens[i]);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    rmdir(tmp);
    cr_assert_eq(failed, 0, "%d golden trace(s) failed (messages above); if a change is "
                 "intended, regenerate on purpose: see tests/golden/README.md", failed);
}

/* The comparator itself must catch a difference and say where. */
Test(golden, comparator_reports_the_first_differing_line)
{
    char a[] = "{\"t\":0}\n{\"t\":1}\n{\"t\":2}\n", b[] = "{\"t\":0}\n{\"t\":1}\n{\"t\":3}\n";
    char c[] = "{\"t\":0}\n{\"t\":1}\n", msg[GOLDEN_MSG_LEN];
    text_t ta = {a, strlen(a)}, tb = {b, strlen(b)}, tc = {c, strlen(c)};
    cr_assert(lines_equal(&ta, &ta, 0, msg, sizeof msg));
    cr_assert_not(lines_equal(&ta, &tb, 0, msg, sizeof msg));
    cr_assert_not_null(strstr(msg, "line 3"), "%s", msg);
    cr_assert_not_null(strstr(msg, "{\"t\":2}"), "%s", msg);
    cr_assert_not_null(strstr(msg, "{\"t\":3}"), "%s", msg);
    cr_assert_not(lines_equal(&ta, &tc, 0, msg, sizeof msg));
    cr_assert_not_null(strstr(msg, "end of trace"), "%s", msg);
    cr_assert(lines_equal(&ta, &tb, 2, msg, sizeof msg), "only the head is compared");
}

Test(golden, digest_is_fnv1a_64)
{
    /* FNV-1a 64 reference values: "" -> offset basis, "a" -> af63dc4c8601ec8c. */
    digest_t e = digest_of("", 0), a = digest_of("a", 1), l = digest_of("x\ny\n", 4);
    cr_assert_eq(e.fnv, 0xcbf29ce484222325ULL);
    cr_assert_eq(a.fnv, 0xaf63dc4c8601ec8cULL);
    cr_assert_eq(l.lines, 2);
    cr_assert_eq(l.bytes, 4);
    char buf[128];
    digest_t back;
    format_digest(&a, buf, sizeof buf);
    cr_assert(parse_digest(buf, &back));
    cr_assert_eq(back.fnv, a.fnv);
    cr_assert_eq(back.lines, a.lines);
}
