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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tests/support/cg_test_proc.h"

#define GOLDEN_MAX_BYTES (2 * 1024 * 1024)   /* larger traces are stored as head + digest */
#define GOLDEN_HEAD_LINES 200                /* lines kept of a large trace */
#define GOLDEN_MAX_SCENARIOS 256             /* bound on shipped scenarios */
#define GOLDEN_MSG_LEN 4096                  /* room for a failure message with two lines */

/* ---- one golden ---- */

typedef struct golden {
    char scenario[1024];              /* scenarios/<name>.json */
    char jsonl[1024];                 /* tests/golden/<name>.jsonl (all, or the head) */
    char digest[1024];                /* tests/golden/<name>.digest (large traces only) */
    char trace[1024];                 /* the fresh trace */
    char log[1024];                   /* cgsim's stdout + stderr */
    bool plain;                       /* --no-check --no-run-ahead: compares, never
                                         regenerates */
} golden_t;

static bool golden_run(const golden_t *gd, bool regen, char *msg, size_t msglen)
{
    char *argv[] = {(char *)CGSIM_BINARY, "run", (char *)gd->scenario, "--trace",
                    (char *)gd->trace, "--quiet", "--no-check", "--no-run-ahead", NULL};
    if (!gd->plain)
        argv[6] = NULL;
    int rc = cgt_run_argv(argv, gd->log, 0);
    if (rc != 0) {
        cgt_exit_message(gd->scenario, rc, gd->log, msg, msglen);
        return false;
    }
    cgt_text_t got;
    if (!cgt_text_read(gd->trace, &got)) {
        snprintf(msg, msglen, "cannot read the trace %s", gd->trace);
        return false;
    }
    bool ok = regen && !gd->plain ? cgt_store_write(gd->jsonl, gd->digest, &got, GOLDEN_MAX_BYTES,
                                      GOLDEN_HEAD_LINES, msg, msglen)
                    : cgt_store_compare(gd->jsonl, gd->digest, &got, GOLDEN_HEAD_LINES, "golden",
                                        "new scenario? see tests/golden/README.md", msg, msglen);
    free(got.buf);
    return ok;
}

/* ---- discovery ---- */

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
    qsort(names, n, sizeof *names, cgt_name_cmp);
    return n;
}

/* Every shipped scenario against its golden trace; `plain`, with --no-check (what is checked
 * never changes what is simulated) and --no-run-ahead (run-ahead changes nothing but speed), the
 * run must give the same bytes (one run for both: each is cheap to tell apart when it fails). */
static void golden_all(bool plain)
{
    char *names[GOLDEN_MAX_SCENARIOS], *goldens[GOLDEN_MAX_SCENARIOS];
    char tmp[] = "/tmp/cgsim-golden-XXXXXX", msg[GOLDEN_MSG_LEN];
    bool regen = cgt_env_set("CGSIM_REGEN_GOLDEN");
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
        gd.plain = plain;
        msg[0] = '\0';
        if (!golden_run(&gd, regen, msg, sizeof msg)) {
            cr_log_error("golden %s%s: %s", names[i], plain ? " (--no-check --no-run-ahead)" : "",
                         msg);
            failed++;
        } else if (regen && !plain) {
            cr_log_warn("golden %s regenerated: review `git diff tests/golden`", names[i]);
        }
        unlink(gd.trace);
        unlink(gd.log);
    }
    for (size_t i = 0; i < ng; i++) {
        char **hit = bsearch(&goldens[i], names, n, sizeof *names, cgt_name_cmp);
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

Test(golden, every_shipped_scenario_matches_its_golden_trace, .timeout = 300)
{
    golden_all(false);
}

Test(golden, no_check_and_no_run_ahead_give_the_same_trace_bytes, .timeout = 300)
{
    golden_all(true);
}

/* The comparator itself must catch a difference and say where. */
Test(golden, comparator_reports_the_first_differing_line)
{
    char a[] = "{\"t\":0}\n{\"t\":1}\n{\"t\":2}\n", b[] = "{\"t\":0}\n{\"t\":1}\n{\"t\":3}\n";
    char c[] = "{\"t\":0}\n{\"t\":1}\n", msg[GOLDEN_MSG_LEN];
    cgt_text_t ta = {a, strlen(a)}, tb = {b, strlen(b)}, tc = {c, strlen(c)};
    cr_assert(cgt_lines_equal(&ta, &ta, 0, msg, sizeof msg));
    cr_assert_not(cgt_lines_equal(&ta, &tb, 0, msg, sizeof msg));
    cr_assert_not_null(strstr(msg, "line 3"), "%s", msg);
    cr_assert_not_null(strstr(msg, "{\"t\":2}"), "%s", msg);
    cr_assert_not_null(strstr(msg, "{\"t\":3}"), "%s", msg);
    cr_assert_not(cgt_lines_equal(&ta, &tc, 0, msg, sizeof msg));
    cr_assert_not_null(strstr(msg, "end of trace"), "%s", msg);
    cr_assert(cgt_lines_equal(&ta, &tb, 2, msg, sizeof msg), "only the head is compared");
}

Test(golden, digest_is_fnv1a_64)
{
    /* FNV-1a 64 reference values: "" -> offset basis, "a" -> af63dc4c8601ec8c. */
    cgt_digest_t e = cgt_digest_of("", 0), a = cgt_digest_of("a", 1);
    cgt_digest_t l = cgt_digest_of("x\ny\n", 4);
    cr_assert_eq(e.fnv, 0xcbf29ce484222325ULL);
    cr_assert_eq(a.fnv, 0xaf63dc4c8601ec8cULL);
    cr_assert_eq(l.lines, 2);
    cr_assert_eq(l.bytes, 4);
    char buf[128];
    cgt_digest_t back;
    cgt_format_digest(&a, buf, sizeof buf);
    cr_assert(cgt_parse_digest(buf, &back));
    cr_assert_eq(back.fnv, a.fnv);
    cr_assert_eq(back.lines, a.lines);
}
