/* tests/test_cli_report_browser: `cgsim report` pages loaded from a file by headless Chromium
 * (Debian's `chromium`), the rendered DOM read back (--dump-dom) and checked against the trace,
 * counted here independently from its lines: per group section, one timeline row per member
 * (members sharing rows beyond 250), one band per rebalance_end record, one marker per fault
 * record placed in the group it names (else the groups reading the topic it names, else every
 * group); the page's script must have finished (body data-rendered) and written no error into
 * #js-errors (window.onerror and console.error land there). Without chromium the test skips
 * saying so, unless CGSIM_REQUIRE_BROWSER=1 (CI), which makes that a failure.
 * CGSIM_BROWSER_ALL=1 (the _long variant) checks every shipped scenario and incident too, the
 * time view from the address and the compare and sweep page. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "tests/support/cg_test_proc.h"

#define MAX_GROUPS 16
#define MAX_MEMBERS 2048
#define HTML_MAX_ROWS 250             /* AN_HTML_MAX_ROWS */
#define BROWSER_TIMEOUT_S 120

typedef struct expect_group {
    char *name;                       /* group id */
    char *members[MAX_MEMBERS];       /* distinct member names */
    size_t n_members;
    char **topics;                    /* topics of its assignment records */
    size_t n_topics;
    long bands;                       /* rebalance_end records */
    long faults;                      /* fault records its section shows */
} expect_group_t;

typedef struct expect {
    expect_group_t g[MAX_GROUPS];
    size_t n;
} expect_t;

static char tmpdir[64];
static char browser[256];

static bool find_browser(void)
{
    static const char *const names[] = {"chromium", "chromium-browser", "google-chrome"};
    const char *env = getenv("CGSIM_CHROMIUM");
    if (env && *env) {
        snprintf(browser, sizeof browser, "%s", env);
        return access(browser, X_OK) == 0;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", names[i]);
        if (system(cmd) == 0) {
            snprintf(browser, sizeof browser, "%s", names[i]);
            return true;
        }
    }
    return false;
}

static void setup(void)
{
    if (access(CGSIM_BINARY, X_OK) != 0)
        cr_skip_test("%s not built", CGSIM_BINARY);
    if (!find_browser()) {
        if (cgt_env_set("CGSIM_REQUIRE_BROWSER"))
            cr_assert_fail("chromium not found and CGSIM_REQUIRE_BROWSER is set: "
                           "apt-get install chromium");
        cr_skip_test("chromium not found: the report pages are not checked in a browser "
                     "(apt-get install chromium; CGSIM_REQUIRE_BROWSER=1 makes this a failure)");
    }
    strcpy(tmpdir, "/tmp/cgsim-test-browser-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[128];
    if (tmpdir[0] && !cgt_env_set("CGSIM_KEEP_BROWSER_FILES")) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        cr_expect_eq(system(cmd), 0);
    }
}

TestSuite(browser, .init = setup, .fini = teardown, .timeout = 600);

/* ---- what the trace says ---- */

static size_t group_index(expect_t *e, const char *name)
{
    for (size_t i = 0; i < e->n; i++)
        if (strcmp(e->g[i].name, name) == 0)
            return i;
    cr_assert_lt(e->n, MAX_GROUPS);
    e->g[e->n].name = strdup(name);
    return e->n++;
}

static void add_name(char **list, size_t *n, size_t max, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(list[i], name) == 0)
            return;
    cr_assert_lt(*n, max);
    list[(*n)++] = strdup(name);
}

static void add_topics(expect_group_t *g, const cJSON *parts)
{
    const cJSON *tp;
    cJSON_ArrayForEach(tp, parts) {
        const char *t = cJSON_GetArrayItem(tp, 0)->valuestring;
        size_t n = g->n_topics;
        g->topics = realloc(g->topics, (n + 1) * sizeof *g->topics);
        add_name(g->topics, &g->n_topics, n + 1, t);
    }
}

/* The section a fault shows in: the group its target names (longest), else the groups that
 * read the topic it names, else all. */
static void place_fault(expect_t *e, const char *target)
{
    size_t best = e->n, best_len = 0;
    for (size_t i = 0; i < e->n; i++) {
        size_t n = strlen(e->g[i].name);
        if (strncmp(target, e->g[i].name, n) == 0 && (target[n] == '\0' || target[n] == '/') &&
            (best == e->n || n > best_len)) {
            best = i;
            best_len = n;
        }
    }
    if (best < e->n) {
        e->g[best].faults++;
        return;
    }
    bool any = false;
    for (size_t i = 0; i < e->n; i++)
        for (size_t k = 0; k < e->g[i].n_topics; k++)
            if (strcmp(e->g[i].topics[k], target) == 0) {
                e->g[i].faults++;
                any = true;
            }
    for (size_t i = 0; !any && i < e->n; i++)
        e->g[i].faults++;
}

/* A fault on "g/m" (one slash) names member m of group g, as analyze reads it. */
static void fault_member(expect_t *e, const char *target)
{
    const char *slash = strchr(target, '/');
    if (!slash || slash == target || !slash[1] || strchr(slash + 1, '/'))
        return;
    char group[512];
    snprintf(group, sizeof group, "%.*s", (int)(slash - target), target);
    expect_group_t *g = &e->g[group_index(e, group)];
    add_name(g->members, &g->n_members, MAX_MEMBERS, slash + 1);
}

static void expect_from_trace(const char *path, expect_t *e)
{
    cgt_text_t t;
    cr_assert(cgt_text_read(path, &t), "cannot read %s", path);
    memset(e, 0, sizeof *e);
    const char *line;
    size_t pos = 0, len;
    cJSON **faults = NULL;
    size_t n_faults = 0;
    while (cgt_next_line(&t, &pos, &line, &len)) {
        cJSON *r = cJSON_ParseWithLength(line, len);
        cr_assert_not_null(r, "%s: a line is not JSON", path);
        const char *type = cJSON_GetObjectItem(r, "type")->valuestring;
        const cJSON *grp = cJSON_GetObjectItem(r, "group");
        const cJSON *mem = cJSON_GetObjectItem(r, "member");
        if (strcmp(type, "fault") == 0) {
            faults = realloc(faults, (n_faults + 1) * sizeof *faults);
            faults[n_faults++] = r;
            if (cJSON_IsTrue(cJSON_GetObjectItem(r, "applied")) &&
                strcmp(cJSON_GetObjectItem(r, "action")->valuestring, "add_partitions") != 0)
                fault_member(e, cJSON_GetObjectItem(r, "target")->valuestring);
            continue;
        }
        if (cJSON_IsString(grp)) {
            expect_group_t *g = &e->g[group_index(e, grp->valuestring)];
            if (cJSON_IsString(mem))
                add_name(g->members, &g->n_members, MAX_MEMBERS, mem->valuestring);
            if (strcmp(type, "rebalance_end") == 0)
                g->bands++;
            if (strcmp(type, "group_converted") == 0)
                g->faults++;          /* an online migration shows as a marker on its group */
            if (strcmp(type, "assignment") == 0)
                add_topics(g, cJSON_GetObjectItem(r, "partitions"));
        }
        cJSON_Delete(r);
    }
    for (size_t i = 0; i < n_faults; i++) {   /* after all groups and topics are known */
        place_fault(e, cJSON_GetObjectItem(faults[i], "target")->valuestring);
        cJSON_Delete(faults[i]);
    }
    free(faults);
    free(t.buf);
}

static void expect_free(expect_t *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free(e->g[i].name);
        for (size_t m = 0; m < e->g[i].n_members; m++)
            free(e->g[i].members[m]);
        for (size_t k = 0; k < e->g[i].n_topics; k++)
            free(e->g[i].topics[k]);
        free(e->g[i].topics);
    }
}

/* ---- what the browser drew ---- */

static int sh(const char *cmd)
{
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Loads `html` (with `hash`, "" for none) in headless Chromium; the DOM after its scripts ran,
 * NUL-terminated. */
static char *dump_dom_at(const char *html, const char *hash, const char *tag)
{
    char cmd[2048], out[160];
    snprintf(out, sizeof out, "%s/%s.dom", tmpdir, tag);
    /* --no-sandbox: CI runs as root; --disable-dev-shm-usage: containers have a small /dev/shm */
    snprintf(cmd, sizeof cmd, "timeout %d '%s' --headless --no-sandbox --disable-gpu "
             "--disable-dev-shm-usage --no-first-run --user-data-dir='%s/profile-%s' "
             "--virtual-time-budget=5000 --dump-dom 'file://%s%s' >'%s' 2>'%s/%s.log'",
             BROWSER_TIMEOUT_S, browser, tmpdir, tag, html, hash, out, tmpdir, tag);
    int rc = sh(cmd);
    cr_assert_eq(rc, 0, "%s failed (exit %d), see %s/%s.log", browser, rc, tmpdir, tag);
    cgt_text_t t;
    cr_assert(cgt_text_read(out, &t) && t.len > 0, "%s: no DOM dumped", html);
    return t.buf;
}

static char *dump_dom(const char *html, const char *tag)
{
    return dump_dom_at(html, "", tag);
}

static long count(const char *from, const char *to, const char *needle)
{
    long n = 0;
    for (const char *s = from; (s = strstr(s, needle)) != NULL && (!to || s < to); s++)
        n++;
    return n;
}

/* Checks the dumped DOM of a report against the trace's expectations. */
static void check_dom(const char *dom, const expect_t *e, const char *what)
{
    cr_expect_not_null(strstr(dom, "data-rendered=\""), "%s: the page script did not finish",
                       what);
    const char *errs = strstr(dom, "<pre id=\"js-errors\"");
    cr_assert_not_null(errs, "%s: no error box", what);
    cr_expect(strncmp(errs, "<pre id=\"js-errors\"></pre>", 26) == 0,
              "%s: script errors: %.400s", what, errs);
    for (size_t i = 0; i < e->n; i++) {
        char open[64];
        snprintf(open, sizeof open, "<section class=\"group\" id=\"group-%zu\"", i);
        const char *sec = strstr(dom, open);
        cr_assert_not_null(sec, "%s: no section for group %s", what, e->g[i].name);
        const char *end = strstr(sec + 1, "<section");
        const expect_group_t *g = &e->g[i];
        size_t m = g->n_members, per = m > HTML_MAX_ROWS ? (m + HTML_MAX_ROWS - 1) /
                                                           HTML_MAX_ROWS : 1;
        long rows = (long)((m + per - 1) / per);
        cr_expect_eq(count(sec, end, "class=\"mrow\""), rows, "%s %s: %ld rows, want %ld", what,
                     g->name, count(sec, end, "class=\"mrow\""), rows);
        cr_expect_eq(count(sec, end, "class=\"band\""), g->bands, "%s %s: %ld bands, want %ld",
                     what, g->name, count(sec, end, "class=\"band\""), g->bands);
        cr_expect_eq(count(sec, end, "class=\"fault\""), g->faults,
                     "%s %s: %ld fault markers, want %ld", what, g->name,
                     count(sec, end, "class=\"fault\""), g->faults);
    }
    cr_expect_eq(count(dom, NULL, "<section class=\"group\""), (long)e->n, "%s: sections",
                 what);
}

/* Runs the scenario, reports its trace, loads the page and checks it. */
static void check_scenario(const char *scenario, const char *tag, const char *sets)
{
    char cmd[2048], trace[160], html[160];
    snprintf(trace, sizeof trace, "%s/%s.jsonl", tmpdir, tag);
    snprintf(html, sizeof html, "%s/%s.html", tmpdir, tag);
    snprintf(cmd, sizeof cmd, "'%s' run '%s' %s --quiet --trace '%s' && '%s' report '%s' --out "
             "'%s' >/dev/null", CGSIM_BINARY, scenario, sets, trace, CGSIM_BINARY, trace, html);
    cr_assert_eq(sh(cmd), 0, "%s", cmd);
    expect_t e;
    expect_from_trace(trace, &e);
    char *dom = dump_dom(html, tag);
    check_dom(dom, &e, scenario);
    free(dom);
    expect_free(&e);
}

Test(browser, story_and_kip848_900)
{
    check_scenario(CGSIM_SOURCE_DIR "/scenarios/story.json", "story", "");
    check_scenario(CGSIM_SOURCE_DIR "/scenarios/kip848_900.json", "kip848", "");
}

/* The time view: "#t=100-150" opens story.json's charts on 100-150 s (zoom and pan move the same
 * view): the timeline's axis then counts in 5 s steps from 100 to 150, and only the bands that
 * overlap those 50 s are drawn (the rebalance at 160 s is not; the failed member's one is). */
Test(browser, time_view_from_the_address)
{
    if (!cgt_env_set("CGSIM_BROWSER_ALL"))
        cr_skip_test("CGSIM_BROWSER_ALL not set (the _long variant runs it)");
    char cmd[1024], trace[160], html[160];
    snprintf(trace, sizeof trace, "%s/story.jsonl", tmpdir);
    snprintf(html, sizeof html, "%s/story.html", tmpdir);
    snprintf(cmd, sizeof cmd, "'%s' run '%s/scenarios/story.json' --quiet --trace '%s' && '%s' "
             "report '%s' --out '%s' >/dev/null", CGSIM_BINARY, CGSIM_SOURCE_DIR, trace,
             CGSIM_BINARY, trace, html);
    cr_assert_eq(sh(cmd), 0, "%s", cmd);
    char *dom = dump_dom_at(html, "#t=100-150", "zoom");
    const char *tl = strstr(dom, "class=\"timeline\"");
    cr_assert_not_null(tl);
    const char *end = strstr(tl, "</svg>");
    cr_expect_gt(count(tl, end, ">125</text>"), 0, "no 125 s tick in the zoomed timeline");
    cr_expect_eq(count(tl, end, ">200</text>"), 0, "a 200 s tick outside the view");
    expect_t e;
    expect_from_trace(trace, &e);
    long bands = count(tl, end, "class=\"band\"");
    cr_expect(bands > 0 && bands < e.g[0].bands, "%ld bands drawn of %ld", bands, e.g[0].bands);
    cr_expect_not_null(strstr(dom, "<pre id=\"js-errors\"></pre>"));
    expect_free(&e);
    free(dom);
}

/* 300 members (rows shared by two), a rolling restart of the group and a crash: a marker per
 * restart step on the group and one on c-7's row. */
static const char SHARED_ROWS[] =
    "{\"name\":\"shared-rows\",\"seed\":3,\"duration_ms\":60000,"
    "\"topics\":[{\"name\":\"t\",\"partitions\":900}],"
    "\"producers\":[{\"id\":\"p\",\"topic\":\"t\",\"rate_per_s\":300}],"
    "\"groups\":[{\"id\":\"g\",\"protocol\":\"consumer\",\"consumers\":"
    "[{\"id\":\"c\",\"count\":300,\"topics\":[\"t\"]}]}],"
    "\"faults\":[{\"at_ms\":20000,\"action\":\"rolling_restart\",\"target\":\"g\","
    "\"interval_ms\":1000,\"down_ms\":500},"
    "{\"at_ms\":30000,\"action\":\"crash\",\"target\":\"g/c-7\"}]}";

Test(browser, shared_rows)
{
    if (!cgt_env_set("CGSIM_BROWSER_ALL"))
        cr_skip_test("CGSIM_BROWSER_ALL not set (the _long variant runs it)");
    char path[128];
    snprintf(path, sizeof path, "%s/shared.json", tmpdir);
    cr_assert(cgt_file_write(path, SHARED_ROWS, strlen(SHARED_ROWS)));
    check_scenario(path, "shared", "");
}

Test(browser, compare_and_sweep)
{
    if (!cgt_env_set("CGSIM_BROWSER_ALL"))
        cr_skip_test("CGSIM_BROWSER_ALL not set (the _long variant runs it)");
    char cmd[2048], html[160];
    snprintf(html, sizeof html, "%s/cs.html", tmpdir);
    snprintf(cmd, sizeof cmd, "'%s' compare '%s/scenarios/quickstart.json' --assignors "
             "range,sticky --seeds 3 --json >'%s/c.json' && '%s' sweep '%s/scenarios/sweeps/"
             "session_timeout_x_assignor.json' --seeds 2 --out '%s/sw' >/dev/null 2>&1 && '%s' "
             "report --compare '%s/c.json' --sweep '%s/sw' --out '%s' >/dev/null",
             CGSIM_BINARY, CGSIM_SOURCE_DIR, tmpdir, CGSIM_BINARY, CGSIM_SOURCE_DIR, tmpdir,
             CGSIM_BINARY, tmpdir, tmpdir, html);
    cr_assert_eq(sh(cmd), 0, "%s", cmd);
    char *dom = dump_dom(html, "cs");
    expect_t none = {0};
    check_dom(dom, &none, "compare and sweep");
    /* 2 assignors x the 8 figures compare reports; the sweep: one line per assignor */
    cr_expect_eq(count(dom, NULL, "class=\"bar\""), 16);
    cr_expect_eq(count(dom, NULL, "class=\"sweepline\""), 3);
    free(dom);
}

Test(browser, every_shipped_scenario, .timeout = 1800)
{
    if (!cgt_env_set("CGSIM_BROWSER_ALL"))
        cr_skip_test("CGSIM_BROWSER_ALL not set (the _long variant runs it)");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls %s/scenarios/*.json %s/scenarios/incidents/*.json >'%s/list'",
             CGSIM_SOURCE_DIR, CGSIM_SOURCE_DIR, tmpdir);
    cr_assert_eq(sh(cmd), 0);
    char list[128], path[1024];
    snprintf(list, sizeof list, "%s/list", tmpdir);
    FILE *f = fopen(list, "r");
    cr_assert_not_null(f);
    for (int i = 0; fgets(path, sizeof path, f); i++) {
        path[strcspn(path, "\n")] = '\0';
        char tag[32];
        snprintf(tag, sizeof tag, "s%d", i);
        check_scenario(path, tag, "");
    }
    fclose(f);
}
