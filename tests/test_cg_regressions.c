/* Regression replay: each directory tests/regressions/<case>/ holds a scenario (scenario.json, a
 * file or a symlink to a shipped one), optional extra `cgsim run` arguments (args: one per line,
 * e.g. "--seed" then "7"; '#' lines are comments), the expected trace (expected.jsonl; or, for a
 * trace over REG_MAX_BYTES, its first REG_HEAD_LINES lines plus expected.digest) and key assertions
 * (asserts.json, required with a digest). The test re-runs every case with --check and fails with
 * the first differing line, and separately with every assertion that does not hold, so a change
 * in behaviour shows what it broke. CGSIM_REGEN_REGRESSIONS=1 rewrites the expected traces on
 * purpose (assertions are still checked); CGSIM_REGRESSION_CASE=<case> limits the run to one case.
 * tests/regressions/README.md has the assertion format and the `add` script. */
#include <cjson/cJSON.h>
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

#define REG_MAX_BYTES (2 * 1024 * 1024)   /* larger traces are stored as head + digest */
#define REG_HEAD_LINES 200                /* lines kept of a large trace */
#define REG_MSG_LEN 4096                  /* room for a failure message with two lines */
#define REG_MAX_CASES 512                    /* bound on regression cases */
#define REG_MAX_ARGS 64                      /* bound on extra arguments of one case */
#define REG_PATH_LEN 1024

/* ---- assertions (asserts.json) ---- */

/* Keys of an assertion that are not record fields. */
static bool is_meta_key(const char *k)
{
    return strcmp(k, "count") == 0 || strcmp(k, "min_count") == 0 ||
           strcmp(k, "max_count") == 0 || strcmp(k, "note") == 0;
}

/* "<field>_min" / "<field>_max": the field's length, the bound's direction in *is_min. */
static bool bound_key(const char *k, size_t *field_len, bool *is_min)
{
    size_t l = strlen(k);
    if (l <= 4 || (strcmp(k + l - 4, "_min") != 0 && strcmp(k + l - 4, "_max") != 0))
        return false;
    *field_len = l - 4;
    *is_min = strcmp(k + l - 4, "_min") == 0;
    return true;
}

static bool assert_matches(const cJSON *a, const cJSON *rec)
{
    for (const cJSON *k = a->child; k; k = k->next) {
        size_t fl = 0;
        bool is_min = false;
        if (is_meta_key(k->string))
            continue;
        if (bound_key(k->string, &fl, &is_min)) {
            char field[256];
            snprintf(field, sizeof field, "%.*s", (int)fl, k->string);
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, field);
            if (!cJSON_IsNumber(v) || !cJSON_IsNumber(k))
                return false;
            if (is_min ? v->valuedouble < k->valuedouble : v->valuedouble > k->valuedouble)
                return false;
            continue;
        }
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, k->string);
        if (!v || !cJSON_Compare(v, k, true))
            return false;
    }
    return true;
}

static long long count_key(const cJSON *a, const char *key, long long def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, key);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : def;
}

/* Check every assertion of `asserts` against the parsed records; count (and log) failures. */
static int asserts_check(const char *name, const cJSON *asserts, cJSON *const *recs, size_t n,
                         bool log)
{
    int bad = 0, i = 0;
    for (const cJSON *a = asserts->child; a; a = a->next, i++) {
        long long exact = count_key(a, "count", -1), hits = 0;
        long long lo = exact >= 0 ? exact : count_key(a, "min_count",
                                                       cJSON_GetObjectItem(a, "max_count") ? 0 : 1);
        long long hi = exact >= 0 ? exact : count_key(a, "max_count", -1);
        for (size_t r = 0; r < n; r++)
            hits += recs[r] && assert_matches(a, recs[r]);
        if (hits >= lo && (hi < 0 || hits <= hi))
            continue;
        bad++;
        if (!log)
            continue;
        char *text = cJSON_PrintUnformatted(a), want[64];
        if (hi < 0)
            snprintf(want, sizeof want, "at least %lld", lo);
        else if (hi == lo)
            snprintf(want, sizeof want, "exactly %lld", lo);
        else
            snprintf(want, sizeof want, "between %lld and %lld", lo, hi);
        cr_log_error("regression %s: asserts.json[%d] %s: %lld matching records, expected %s",
                     name, i, text ? text : "?", hits, want);
        free(text);
    }
    return bad;
}

/* Parse the trace's lines and check asserts.json; returns the number of failures. */
static int asserts_run(const char *name, const char *path, const cgt_text_t *trace)
{
    cgt_text_t at;
    if (!cgt_text_read(path, &at))
        return 0;
    cJSON *asserts = cJSON_Parse(at.buf);
    free(at.buf);
    if (!cJSON_IsArray(asserts)) {
        cr_log_error("regression %s: %s is not a JSON array of assertion objects", name, path);
        cJSON_Delete(asserts);
        return 1;
    }
    size_t n = 0, cap = 1024, pos = 0, len = 0;
    const char *line = NULL;
    cJSON **recs = malloc(cap * sizeof *recs);
    while (recs && cgt_next_line(trace, &pos, &line, &len)) {
        if (n == cap) {
            cJSON **r = realloc(recs, 2 * cap * sizeof *recs);
            if (!r)
                break;
            recs = r;
            cap *= 2;
        }
        recs[n++] = cJSON_ParseWithLength(line, len);
    }
    int bad = recs ? asserts_check(name, asserts, recs, n, true) : 1;
    for (size_t i = 0; recs && i < n; i++)
        cJSON_Delete(recs[i]);
    free(recs);
    cJSON_Delete(asserts);
    return bad;
}

/* ---- one case ---- */

typedef struct reg_case {
    char name[256];                   /* directory name */
    char dir[REG_PATH_LEN - 256];     /* tests/regressions/<name> */
    char trace[REG_PATH_LEN];         /* fresh trace */
    char log[REG_PATH_LEN];           /* cgsim's output */
} reg_case_t;

static void case_path(const reg_case_t *c, const char *file, char *out)
{
    snprintf(out, REG_PATH_LEN, "%s/%s", c->dir, file);
}

/* Extra arguments from <case>/args, one per line; pointers into `store`. */
static size_t case_args(const reg_case_t *c, cgt_text_t *store, char **argv, size_t max)
{
    char path[REG_PATH_LEN];
    size_t n = 0, pos = 0, len = 0;
    const char *line = NULL;
    case_path(c, "args", path);
    if (!cgt_text_read(path, store))
        return 0;
    while (n < max && cgt_next_line(store, &pos, &line, &len)) {
        ((char *)line)[len] = '\0';     /* the '\n' (or the final NUL) ends the argument */
        if (len > 0 && line[0] != '#')
            argv[n++] = (char *)line;
    }
    return n;
}

static int case_exec(const reg_case_t *c, char *msg, size_t msglen)
{
    char scenario[REG_PATH_LEN];
    char *argv[REG_MAX_ARGS + 8];
    cgt_text_t store = {NULL, 0};
    size_t k = 0;
    case_path(c, "scenario.json", scenario);
    argv[k++] = (char *)CGSIM_BINARY;
    argv[k++] = "run";
    argv[k++] = scenario;
    k += case_args(c, &store, argv + k, REG_MAX_ARGS);
    argv[k++] = "--trace";
    argv[k++] = (char *)c->trace;
    argv[k++] = "--quiet";
    argv[k++] = "--check";
    argv[k] = NULL;
    int rc = cgt_run_argv(argv, c->log, 0);
    free(store.buf);
    if (rc != 0)
        cgt_exit_message(scenario, rc, c->log, msg, msglen);
    return rc;
}

/* Run one case; returns the number of failures (each logged). */
static int case_check(const reg_case_t *c, bool regen)
{
    char jsonl[REG_PATH_LEN], digest[REG_PATH_LEN], asserts[REG_PATH_LEN], msg[REG_MSG_LEN];
    struct stat st;
    cgt_text_t got;
    case_path(c, "expected.jsonl", jsonl);
    case_path(c, "expected.digest", digest);
    case_path(c, "asserts.json", asserts);
    msg[0] = '\0';
    if (case_exec(c, msg, sizeof msg) != 0) {
        cr_log_error("regression %s: %s", c->name, msg);
        return 1;
    }
    if (!cgt_text_read(c->trace, &got)) {
        cr_log_error("regression %s: cannot read the trace %s", c->name, c->trace);
        return 1;
    }
    int bad = 0;
    bool ok = regen ? cgt_store_write(jsonl, digest, &got, REG_MAX_BYTES, REG_HEAD_LINES, msg,
                                      sizeof msg)
                    : cgt_store_compare(jsonl, digest, &got, REG_HEAD_LINES, "expected trace",
                                        "regenerate: tests/regressions/README.md", msg,
                                        sizeof msg);
    if (!ok) {
        cr_log_error("regression %s: %s", c->name, msg);
        bad++;
    }
    if (stat(digest, &st) == 0 && stat(asserts, &st) != 0) {
        cr_log_error("regression %s: a digest case needs asserts.json", c->name);
        bad++;
    }
    bad += asserts_run(c->name, asserts, &got);
    free(got.buf);
    return bad;
}

/* ---- discovery ---- */

/* Sorted names of the case directories (those holding a scenario.json). */
static size_t list_cases(const char *dir, char **names, size_t max)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d)) != NULL && n < max;) {
        char p[REG_PATH_LEN];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s/scenario.json", dir, e->d_name);
        if (e->d_name[0] != '.' && stat(p, &st) == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cgt_name_cmp);
    return n;
}

Test(regressions, every_case_replays_to_its_expected_trace, .timeout = 600)
{
    char *names[REG_MAX_CASES], tmp[] = "/tmp/cgsim-reg-XXXXXX";
    const char *only = getenv("CGSIM_REGRESSION_CASE");
    bool regen = cgt_env_set("CGSIM_REGEN_REGRESSIONS");
    size_t n = list_cases(CGSIM_SOURCE_DIR "/tests/regressions", names, REG_MAX_CASES);
    cr_assert_gt(n, 0, "no case directories under tests/regressions");
    cr_assert_not_null(mkdtemp(tmp), "mkdtemp: %s", strerror(errno));
    int failed = 0, ran = 0;
    for (size_t i = 0; i < n; i++) {
        reg_case_t c;
        if (only && *only && strcmp(only, names[i]) != 0) {
            free(names[i]);
            continue;
        }
        snprintf(c.name, sizeof c.name, "%s", names[i]);
        snprintf(c.dir, sizeof c.dir, "%s/tests/regressions/%s", CGSIM_SOURCE_DIR, names[i]);
        snprintf(c.trace, sizeof c.trace, "%s/trace.jsonl", tmp);
        snprintf(c.log, sizeof c.log, "%s/cgsim.log", tmp);
        int bad = case_check(&c, regen);
        failed += bad > 0;
        ran++;
        if (regen && bad == 0)
            cr_log_warn("regression %s regenerated: review `git diff tests/regressions`", c.name);
        unlink(c.trace);
        unlink(c.log);
        free(names[i]);
    }
    rmdir(tmp);
    cr_assert_gt(ran, 0, "CGSIM_REGRESSION_CASE=%s names no case", only ? only : "");
    cr_assert_eq(failed, 0, "%d of %d regression case(s) failed (messages above)", failed, ran);
}

/* The assertion matcher: equal fields, numeric bounds, counts. */
Test(regressions, assertions_match_fields_bounds_and_counts)
{
    const char *lines[] = {
        "{\"t\":100,\"type\":\"member_leave\",\"group\":\"g\",\"member\":\"c2\","
        "\"reason\":\"session_timeout\"}",
        "{\"t\":200,\"type\":\"member_leave\",\"group\":\"g\",\"member\":\"c1\","
        "\"reason\":\"leave\"}",
        "{\"t\":300,\"type\":\"assignment\",\"group\":\"g\",\"generation\":2,\"member\":\"c1\","
        "\"partitions\":[[\"t\",0],[\"t\",1]]}"};
    cJSON *recs[3];
    for (int i = 0; i < 3; i++)
        recs[i] = cJSON_Parse(lines[i]);
    cJSON *a = cJSON_Parse(
        "[{\"type\":\"member_leave\",\"member\":\"c2\",\"reason\":\"session_timeout\","
        "\"t_min\":50,\"t_max\":150},"
        "{\"type\":\"member_leave\",\"count\":2},"
        "{\"type\":\"assignment\",\"partitions\":[[\"t\",0],[\"t\",1]],\"generation_min\":2},"
        "{\"type\":\"rebalance_start\",\"count\":0}]");
    cr_assert_eq(asserts_check("self-test", a, recs, 3, true), 0);
    cJSON *b = cJSON_Parse(
        "[{\"type\":\"member_leave\",\"member\":\"c2\",\"t_min\":150},"
        "{\"type\":\"member_leave\",\"max_count\":1},"
        "{\"type\":\"assignment\",\"partitions\":[[\"t\",0]]}]");
    cr_assert_eq(asserts_check("self-test", b, recs, 3, false), 3);
    cJSON_Delete(a);
    cJSON_Delete(b);
    for (int i = 0; i < 3; i++)
        cJSON_Delete(recs[i]);
}

Test(regressions, comparator_reports_the_first_differing_line)
{
    char a[] = "{\"t\":0}\n{\"t\":1}\n", b[] = "{\"t\":0}\n{\"t\":2}\n", msg[REG_MSG_LEN];
    cgt_text_t ta = {a, strlen(a)}, tb = {b, strlen(b)};
    cr_assert_not(cgt_lines_equal(&ta, &tb, 0, msg, sizeof msg));
    cr_assert_not_null(strstr(msg, "line 2"), "%s", msg);
}
