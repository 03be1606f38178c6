/* tests/test_cg_kip848_world: the KIP-848 consumer protocol in the simulated world (models/kip848).
 * Hand-built scenarios check join, leave, crash (session timeout), a slow revoker fenced by its
 * rebalance timeout, a poll timeout, a static member's temporary leave, a coordinator failover,
 * and that members not affected by a rebalance keep consuming. A property test runs small random
 * consumer-protocol scenarios (>= 100 seeds, every fault action) with the run's `check` option
 * and re-reads each trace with an independent checker: time never goes back; no partition has two
 * owners under the ownership rule of design.md; a revoke lists only owned partitions; per member
 * the epoch in its assignment records never decreases; the group epoch in rebalance_start only
 * grows; ok commits never lower a committed offset; and after the last change every partition of
 * a subscribed topic is owned by a live member. Same seed -> same bytes. CGSIM_KIP848_SEEDS=N runs
 * N random scenarios instead of KW_PROPERTY_SEEDS; CGSIM_TEST_SHARD=k/n only those seeds s with
 * (s - 1) % n == k. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/scenario/scenario.h"
#include "models/world/world.h"
#include "tests/support/cg_test_proc.h"

#define KW_PROPERTY_SEEDS 90          /* random scenarios in the property test (long: 500) */
#define KW_MAX_G 3                    /* checker bounds (the scenarios stay within them) */
#define KW_MAX_T 3
#define KW_MAX_P 16
#define KW_MAX_M 8
#define KW_NAME 48
#define KW_JSON_MAX 8192

/* ---- running a scenario in process ---- */

typedef struct run {
    int rc;                           /* cg_world_run's return */
    char *trace;                      /* the trace text (NUL-terminated) */
    size_t len;
    char err[256];
} run_t;

static run_t run_json(const char *json)
{
    run_t r = {0};
    cg_scenario_t *s = NULL;
    sim_diag_t d;
    sim_diag_init(&d);
    int rc = cg_scenario_parse("kip848.json", json, strlen(json), NULL, 0, &s, &d);
    if (rc != 0)
        sim_diag_print(&d, stderr);
    sim_diag_fini(&d);
    cr_assert_eq(rc, 0, "scenario refused: %s", json);
    FILE *f = open_memstream(&r.trace, &r.len);
    sim_trace_t tr;
    cr_assert_eq(sim_trace_open_file(&tr, f), 0);
    cg_run_opts_t o = {.seed = s->seed, .trace = &tr, .check = true};
    cg_world_t *w = NULL;
    cr_assert_eq(cg_world_new(s, &o, &w, r.err, sizeof r.err), 0, "%s", r.err);
    cg_run_result_t res;
    r.rc = cg_world_run(w, &res, r.err, sizeof r.err);
    cg_world_free(w);
    sim_trace_close(&tr);
    fclose(f);
    cg_scenario_free(s);
    return r;
}

/* ---- the independent trace checker ---- */

typedef struct chk {
    char groups[KW_MAX_G][KW_NAME];
    int ng;
    char topics[KW_MAX_T][KW_NAME];
    int nt;
    char members[KW_MAX_G][KW_MAX_M][KW_NAME];
    int nm[KW_MAX_G];
    int owner[KW_MAX_G][KW_MAX_T][KW_MAX_P];      /* member index, -1 none */
    int64_t epoch[KW_MAX_G][KW_MAX_M];            /* last assignment generation */
    bool alive[KW_MAX_G][KW_MAX_M];               /* process running (from faults) */
    int64_t last_start[KW_MAX_G];                 /* last rebalance_start generation */
    int64_t committed[KW_MAX_G][KW_MAX_T][KW_MAX_P];
    double last_t;
    int lines;
    bool ended;
    char err[512];
} chk_t;

static int name_idx(char (*tab)[KW_NAME], int *n, int max, const char *s)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(tab[i], s) == 0)
            return i;
    cr_assert_lt(*n, max, "checker bound exceeded by %s", s);
    snprintf(tab[*n], KW_NAME, "%s", s);
    return (*n)++;
}

static void chk_init(chk_t *k)
{
    memset(k, 0, sizeof *k);
    for (int g = 0; g < KW_MAX_G; g++) {
        k->last_start[g] = 0;
        for (int m = 0; m < KW_MAX_M; m++)
            k->epoch[g][m] = -1;
        for (int t = 0; t < KW_MAX_T; t++)
            for (int p = 0; p < KW_MAX_P; p++) {
                k->owner[g][t][p] = -1;
                k->committed[g][t][p] = -1;
            }
    }
}

static bool fail(chk_t *k, const char *what)
{
    snprintf(k->err, sizeof k->err, "line %d: %s", k->lines, what);
    return false;
}

static int gidx(chk_t *k, const cJSON *o)
{
    return name_idx(k->groups, &k->ng, KW_MAX_G, cJSON_GetObjectItem(o, "group")->valuestring);
}

static int midx(chk_t *k, int g, const char *m)
{
    return name_idx(k->members[g], &k->nm[g], KW_MAX_M, m);
}

static void release_all(chk_t *k, int g, int m)
{
    for (int t = 0; t < KW_MAX_T; t++)
        for (int p = 0; p < KW_MAX_P; p++)
            if (k->owner[g][t][p] == m)
                k->owner[g][t][p] = -1;
}

static bool on_assignment(chk_t *k, const cJSON *o, int g, int m)
{
    int64_t gen = (int64_t)cJSON_GetObjectItem(o, "generation")->valuedouble;
    if (gen < k->epoch[g][m])
        return fail(k, "a member's epoch went back");
    k->epoch[g][m] = gen;
    release_all(k, g, m);
    const cJSON *tp;
    cJSON_ArrayForEach(tp, cJSON_GetObjectItem(o, "partitions")) {
        int t = name_idx(k->topics, &k->nt, KW_MAX_T, cJSON_GetArrayItem(tp, 0)->valuestring);
        int p = cJSON_GetArrayItem(tp, 1)->valueint;
        cr_assert_lt(p, KW_MAX_P);
        if (k->owner[g][t][p] >= 0 && k->owner[g][t][p] != m)
            return fail(k, "a partition has two owners");
        k->owner[g][t][p] = m;
    }
    return true;
}

static bool on_revoke(chk_t *k, const cJSON *o, int g, int m)
{
    const cJSON *tp;
    cJSON_ArrayForEach(tp, cJSON_GetObjectItem(o, "partitions")) {
        int t = name_idx(k->topics, &k->nt, KW_MAX_T, cJSON_GetArrayItem(tp, 0)->valuestring);
        int p = cJSON_GetArrayItem(tp, 1)->valueint;
        if (k->owner[g][t][p] != m)
            return fail(k, "revoke of a partition the member does not own");
        k->owner[g][t][p] = -1;
    }
    return true;
}

static bool on_commit(chk_t *k, const cJSON *o, int g)
{
    const cJSON *err = cJSON_GetObjectItem(o, "error");
    if (!cJSON_IsTrue(cJSON_GetObjectItem(o, "ok"))) {
        /* fenced by the coordinator, or (recorded by the client) no coordinator or no answer */
        if (!err || (strcmp(err->valuestring, "STALE_MEMBER_EPOCH") != 0 &&
                     strcmp(err->valuestring, "UNKNOWN_MEMBER_ID") != 0 &&
                     strcmp(err->valuestring, "NOT_COORDINATOR") != 0 &&
                     strcmp(err->valuestring, "TimeoutException") != 0))
            return fail(k, "failed commit without a consumer-protocol error");
        return true;
    }
    int t = name_idx(k->topics, &k->nt, KW_MAX_T, cJSON_GetObjectItem(o, "topic")->valuestring);
    int p = cJSON_GetObjectItem(o, "partition")->valueint;
    int64_t off = (int64_t)cJSON_GetObjectItem(o, "offset")->valuedouble;
    if (off < k->committed[g][t][p])
        return fail(k, "committed offset went back");
    k->committed[g][t][p] = off;
    return true;
}

/* fault {action, target "g/c", applied}: keeps track of which processes run. */
static void on_fault(chk_t *k, const cJSON *o)
{
    const char *a = cJSON_GetObjectItem(o, "action")->valuestring;
    const char *target = cJSON_GetObjectItem(o, "target")->valuestring;
    const char *slash = strchr(target, '/');
    if (!slash || !cJSON_IsTrue(cJSON_GetObjectItem(o, "applied")))
        return;
    char gname[KW_NAME];
    snprintf(gname, sizeof gname, "%.*s", (int)(slash - target), target);
    int g = name_idx(k->groups, &k->ng, KW_MAX_G, gname);
    int m = midx(k, g, slash + 1);
    if (!strcmp(a, "crash") || !strcmp(a, "leave"))
        k->alive[g][m] = false;
    else if (!strcmp(a, "restart") || !strcmp(a, "join"))
        k->alive[g][m] = true;
}

static bool chk_line(chk_t *k, const cJSON *o)
{
    double t = cJSON_GetObjectItem(o, "t")->valuedouble;
    const char *type = cJSON_GetObjectItem(o, "type")->valuestring;
    if (t < k->last_t)
        return fail(k, "time went back");
    k->last_t = t;
    if (k->ended)
        return fail(k, "record after run_end");
    if (!strcmp(type, "run_end")) {
        k->ended = true;
        return true;
    }
    if (!strcmp(type, "fault")) {
        on_fault(k, o);
        return true;
    }
    if (!cJSON_GetObjectItem(o, "group"))
        return true;
    int g = gidx(k, o);
    const cJSON *mem = cJSON_GetObjectItem(o, "member");
    int m = mem ? midx(k, g, mem->valuestring) : -1;
    if (!strcmp(type, "assignment"))
        return on_assignment(k, o, g, m);
    if (!strcmp(type, "revoke"))
        return on_revoke(k, o, g, m);
    if (!strcmp(type, "member_leave"))
        release_all(k, g, m);
    if (!strcmp(type, "member_join"))
        k->alive[g][m] = true;
    if (!strcmp(type, "error"))
        k->alive[g][m] = false;                   /* fatal for the client: process stops */
    if (!strcmp(type, "commit"))
        return on_commit(k, o, g);
    if (!strcmp(type, "rebalance_start")) {
        int64_t gen = (int64_t)cJSON_GetObjectItem(o, "generation")->valuedouble;
        if (gen <= k->last_start[g])
            return fail(k, "group epoch in rebalance_start did not grow");
        k->last_start[g] = gen;
    }
    return true;
}

/* Check a whole trace; false with k->err on the first violation. */
static bool chk_trace(chk_t *k, const char *trace)
{
    chk_init(k);
    for (const char *p = trace; *p;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        char *line = strndup(p, l);
        cJSON *o = cJSON_Parse(line);
        free(line);
        k->lines++;
        if (!o)
            return fail(k, "not JSON");
        bool ok = chk_line(k, o);
        cJSON_Delete(o);
        if (!ok)
            return false;
        p += l + (e ? 1 : 0);
    }
    if (!k->ended)
        return fail(k, "no run_end");
    return true;
}

static int owner_of(chk_t *k, const char *g, const char *t, int p)
{
    int gi = name_idx(k->groups, &k->ng, KW_MAX_G, g);
    int ti = name_idx(k->topics, &k->nt, KW_MAX_T, t);
    return k->owner[gi][ti][p];
}

static const char *member_name(chk_t *k, const char *g, int m)
{
    return m < 0 ? "(none)" : k->members[name_idx(k->groups, &k->ng, KW_MAX_G, g)][m];
}

/* ---- trace queries ---- */

/* Number of records with all `needles` in the line and t in [t0, t1]. */
static int count_lines(const char *trace, const char *const *needles, double t0, double t1,
                       double *first_t)
{
    int n = 0;
    for (const char *p = trace; *p;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        char *line = strndup(p, l);
        bool all = true;
        for (int i = 0; needles[i] && all; i++)
            all = strstr(line, needles[i]) != NULL;
        double t = strtod(line + 5, NULL);            /* {"t":<number>, */
        if (all && t >= t0 && t <= t1) {
            if (n == 0 && first_t)
                *first_t = t;
            n++;
        }
        free(line);
        p += l + (e ? 1 : 0);
    }
    return n;
}

#define TY(type) "\"type\":\"" type "\""
#define NEEDLES(...) ((const char *const[]){__VA_ARGS__, NULL})

static run_t run_checked(const char *json, chk_t *k)
{
    run_t r = run_json(json);
    cr_assert_eq(r.rc, 0, "run failed: %s", r.err);
    cr_assert(chk_trace(k, r.trace), "%s", k->err);
    return r;
}

/* A consumer-protocol group "g" on topic "t" (6 partitions, 300 records/s). */
static char *scenario(char *buf, size_t len, int duration_ms, const char *group_cfg,
                      const char *consumers, const char *faults)
{
    snprintf(buf, len,
             "{\"name\":\"k\",\"seed\":3,\"duration_ms\":%d,"
             "\"topics\":[{\"name\":\"t\",\"partitions\":6}],"
             "\"producers\":[{\"id\":\"p\",\"topic\":\"t\",\"rate_per_s\":300,"
             "\"arrival\":\"constant\",\"keys\":1000}],"
             "\"groups\":[{\"id\":\"g\",\"protocol\":\"consumer\",\"config\":{%s},"
             "\"consumers\":[%s]}],\"faults\":[%s]}",
             duration_ms, group_cfg, consumers, faults);
    return buf;
}

/* ---- hand-built scenarios ---- */

Test(kip848_world, members_join_one_at_a_time)
{
    char js[KW_JSON_MAX];
    chk_t k;
    run_t r = run_checked(scenario(js, sizeof js, 60000, "",
                                   "{\"id\":\"c1\",\"topics\":[\"t\"]},"
                                   "{\"id\":\"c2\",\"topics\":[\"t\"],\"join_at_ms\":10000},"
                                   "{\"id\":\"c3\",\"topics\":[\"t\"],\"join_at_ms\":20000}",
                                   ""), &k);
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("member_join")), 0, 1e9, NULL), 3);
    /* One rebalance per join: epochs 1, 2, 3, each ending within two heartbeat intervals. */
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("rebalance_end")), 0, 1e9, NULL), 3);
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("rebalance_end"), "\"generation\":3"), 20000,
                             30010, NULL), 1);
    /* Uniform: two partitions each at the end. */
    int per[3] = {0, 0, 0};
    for (int p = 0; p < 6; p++) {
        int o = owner_of(&k, "g", "t", p);
        cr_assert_geq(o, 0, "partition %d unowned", p);
        per[o]++;
    }
    cr_assert(per[0] == 2 && per[1] == 2 && per[2] == 2, "%d %d %d", per[0], per[1], per[2]);
    free(r.trace);
}

Test(kip848_world, unaffected_members_keep_consuming_during_a_rebalance)
{
    /* c3 joins at 20 s. c1 keeps some partitions: its commits on them advance while the
     * rebalance is open (no group-wide barrier). */
    char js[KW_JSON_MAX];
    chk_t k;
    run_t r = run_checked(scenario(js, sizeof js, 60000, "\"auto.commit.interval.ms\":1000",
                                   "{\"id\":\"c1\",\"topics\":[\"t\"]},"
                                   "{\"id\":\"c2\",\"topics\":[\"t\"]},"
                                   "{\"id\":\"c3\",\"topics\":[\"t\"],\"join_at_ms\":20000}",
                                   ""), &k);
    double t_start = 0, t_end = 0;
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("rebalance_start"), "\"reason\":\"member_join\""),
                             20000, 21000, &t_start), 1);
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("rebalance_end")), t_start, 40000, &t_end), 1);
    cr_assert_gt(t_end - t_start, 1000, "the hand-over waits for a heartbeat");
    int kept = owner_of(&k, "g", "t", 0) == 0 ? 0 : owner_of(&k, "g", "t", 1) == 0 ? 1 : -1;
    cr_assert_geq(kept, 0, "c1 keeps partition 0 or 1 (uniform keeps what it can)");
    char part[32];
    snprintf(part, sizeof part, "\"partition\":%d,", kept);
    cr_assert_geq(count_lines(r.trace, NEEDLES(TY("commit"), "\"member\":\"c1\"", part,
                                               "\"ok\":true"),
                              t_start + 1, t_end - 1, NULL), 2,
                  "c1 commits progress on a kept partition during the rebalance");
    free(r.trace);
}

Test(kip848_world, leave_hands_partitions_over)
{
    char js[KW_JSON_MAX];
    chk_t k;
    run_t r = run_checked(scenario(js, sizeof js, 60000, "",
                                   "{\"id\":\"c1\",\"topics\":[\"t\"]},"
                                   "{\"id\":\"c2\",\"topics\":[\"t\"]}",
                                   "{\"at_ms\":30000,\"action\":\"leave\",\"target\":\"g/c2\"}"),
                          &k);
    double t_rev = 0, t_leave = 0;
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("revoke"), "\"member\":\"c2\""), 30000, 30000,
                             &t_rev), 1);
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("member_leave"), "\"member\":\"c2\"",
                                              "\"reason\":\"leave\""), 30000, 30100, &t_leave), 1);
    cr_assert_leq(t_rev, t_leave);
    for (int p = 0; p < 6; p++)
        cr_assert_eq(owner_of(&k, "g", "t", p), 0, "partition %d owned by %s", p,
                     member_name(&k, "g", owner_of(&k, "g", "t", p)));
    free(r.trace);
}

Test(kip848_world, crashed_member_removed_after_session_timeout)
{
    char js[KW_JSON_MAX];
    chk_t k;
    run_t r = run_checked(scenario(js, sizeof js, 120000, "",
                                   "{\"id\":\"c1\",\"topics\":[\"t\"]},"
                                   "{\"id\":\"c2\",\"topics\":[\"t\"]}",
                                   "{\"at_ms\":30000,\"action\":\"crash\",\"target\":\"g/c2\"}"),
                          &k);
    /* group.consumer.session.timeout.ms 45 s after its last heartbeat (5 s interval). */
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("member_leave"), "\"member\":\"c2\"",
                                              "\"reason\":\"session_timeout\""),
                             30000 + 45000 - 5000 - 1, 30000 + 45000 + 1, NULL), 1);
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("revoke"), "\"member\":\"c2\""), 0, 1e9, NULL),
                 0, "a crash revokes nothing");
    for (int p = 0; p < 6; p++)
        cr_assert_eq(owner_of(&k, "g", "t", p), 0);
    free(r.trace);
}

Test(kip848_world, slow_revoker_is_fenced_by_its_rebalance_timeout)
{
    /* c1 processes 500-record batches of 15 s; c2 joins at 10 s and c1 learns it must revoke,
     * then hangs (GC pause) at 16 s before its next poll: its rebalance timer (max.poll.interval
     * 20 s) fires long before the 45 s session timeout. */
    char js[KW_JSON_MAX];
    chk_t k;
    run_t r = run_checked(
        scenario(js, sizeof js, 120000,
                 "\"max.poll.interval.ms\":20000,\"auto.offset.reset\":\"earliest\"",
                 "{\"id\":\"c1\",\"topics\":[\"t\"],\"processing_ms\":{\"dist\":\"constant\","
                 "\"value\":30}},{\"id\":\"c2\",\"topics\":[\"t\"],\"join_at_ms\":10000}",
                 "{\"at_ms\":16000,\"action\":\"hang\",\"target\":\"g/c1\","
                 "\"duration_ms\":30000}"),
        &k);
    double t_fence = 0;
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("member_leave"), "\"member\":\"c1\"",
                                              "\"reason\":\"fenced\""), 30000, 31000, &t_fence),
                 1);
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("member_leave"), "\"member\":\"c1\"",
                                              "session_timeout"), 0, 1e9, NULL), 0);
    /* c2 gets all six within a heartbeat of the fence; c1 rejoins after it resumes. */
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("assignment"), "\"member\":\"c2\"",
                                              "[\"t\",0],[\"t\",1],[\"t\",2],[\"t\",3],[\"t\",4],"
                                              "[\"t\",5]"), t_fence, t_fence + 5100, NULL), 1);
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("member_join"), "\"member\":\"c1\""), 46000,
                             47000, NULL), 1);
    free(r.trace);
}

Test(kip848_world, poll_timeout_leaves_and_rejoins_at_next_poll)
{
    char js[KW_JSON_MAX];
    chk_t k;
    run_t r = run_checked(scenario(js, sizeof js, 90000, "\"max.poll.interval.ms\":10000",
                                   "{\"id\":\"c1\",\"topics\":[\"t\"]},"
                                   "{\"id\":\"c2\",\"topics\":[\"t\"]}",
                                   "{\"at_ms\":20000,\"action\":\"pause\",\"target\":\"g/c2\","
                                   "\"duration_ms\":30000}"),
                          &k);
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("member_leave"), "\"member\":\"c2\"",
                                              "\"reason\":\"poll_timeout\""), 29000, 30100, NULL),
                 1);
    cr_assert_eq(count_lines(r.trace,
                             NEEDLES(TY("rebalance_start"), "\"reason\":\"poll_timeout\""),
                             29000, 30100, NULL), 1);
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("member_join"), "\"member\":\"c2\""), 50000,
                             51000, NULL), 1);
    int c2 = 0;
    for (int p = 0; p < 6; p++)
        c2 += owner_of(&k, "g", "t", p) == 1;
    cr_assert_eq(c2, 3, "c2 back with half the partitions");
    free(r.trace);
}

Test(kip848_world, static_member_leaves_with_minus_2_and_comes_back)
{
    /* A static member's close sends epoch -2: no member_leave, no rebalance; the new process
     * (new member id, same instance) takes its assignment over. */
    char js[KW_JSON_MAX];
    chk_t k;
    run_t r = run_checked(scenario(js, sizeof js, 60000, "",
                                   "{\"id\":\"c1\",\"topics\":[\"t\"]},"
                                   "{\"id\":\"c2\",\"topics\":[\"t\"],"
                                   "\"config\":{\"group.instance.id\":\"i2\"}}",
                                   "{\"at_ms\":20000,\"action\":\"leave\",\"target\":\"g/c2\","
                                   "\"duration_ms\":10000}"),
                          &k);
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("member_leave")), 0, 1e9, NULL), 0);
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("rebalance_start")), 15000, 1e9, NULL), 0);
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("member_join"), "\"member\":\"c2\"",
                                              "\"replaced\""), 30000, 30100, NULL), 1);
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("revoke"), "\"member\":\"c2\""), 20000, 20000,
                             NULL), 1);
    int c2 = 0;
    for (int p = 0; p < 6; p++)
        c2 += owner_of(&k, "g", "t", p) == 1;
    cr_assert_eq(c2, 3);
    free(r.trace);
}

Test(kip848_world, coordinator_failover_keeps_the_group)
{
    char js[KW_JSON_MAX];
    chk_t k;
    run_t r = run_checked(scenario(js, sizeof js, 60000, "",
                                   "{\"id\":\"c1\",\"topics\":[\"t\"]},"
                                   "{\"id\":\"c2\",\"topics\":[\"t\"]}",
                                   "{\"at_ms\":20000,\"action\":\"coordinator_failover\","
                                   "\"target\":\"g\"}"),
                          &k);
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("member_leave")), 0, 1e9, NULL), 0);
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("rebalance_start")), 15000, 1e9, NULL), 0);
    cr_assert_eq(count_lines(r.trace, NEEDLES(TY("revoke")), 15000, 1e9, NULL), 0);
    for (int p = 0; p < 6; p++)
        cr_assert_geq(owner_of(&k, "g", "t", p), 0);
    free(r.trace);
}

/* ---- random scenarios ---- */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int below(uint64_t *s, int n) { return (int)(splitmix(s) % (uint64_t)n); }

#define APPEND(...) (n += snprintf(buf + n, len - (size_t)n, __VA_ARGS__))

static const char *const ACTIONS[] = {"crash", "restart", "leave", "pause", "hang", "slow",
                                      "isolate", "coordinator_failover"};

static void random_faults(uint64_t *rs, char *buf, size_t len, int *np, int g, int nc)
{
    int n = *np;
    int nf = below(rs, 5);
    for (int f = 0; f < nf; f++) {
        const char *a = ACTIONS[below(rs, 8)];
        int at = 1000 + below(rs, 60000);
        APPEND("%s{\"at_ms\":%d,\"action\":\"%s\",\"target\":\"g%d", n && buf[n - 1] != '[' ?
               "," : "", at, a, g);
        if (strcmp(a, "coordinator_failover") != 0)
            APPEND("/c%d", below(rs, nc));
        APPEND("\"");
        if (strcmp(a, "restart") != 0 && strcmp(a, "coordinator_failover") != 0)
            APPEND(",\"duration_ms\":%d", 1000 + below(rs, 40000));
        if (!strcmp(a, "slow"))
            APPEND(",\"factor\":%d", 2 + below(rs, 9));
        APPEND("}");
    }
    *np = n;
}

/* Small random consumer-protocol scenario: 1-2 topics of 1-8 partitions, 1-2 groups of 1-5
 * consumers (some static), random join times, network and processing, uniform or range, faults
 * of every action with their inverse; nothing changes after ~100 s, the run lasts 260 s. */
static void random_scenario(uint64_t seed, char *buf, size_t len)
{
    uint64_t rs = seed;
    int n = 0, nt = 1 + below(&rs, 2), ng = 1 + below(&rs, 2);
    APPEND("{\"name\":\"r%llu\",\"seed\":%llu,\"duration_ms\":260000,\"topics\":[",
           (unsigned long long)seed, (unsigned long long)seed);
    for (int t = 0; t < nt; t++)
        APPEND("%s{\"name\":\"t%d\",\"partitions\":%d}", t ? "," : "", t, 1 + below(&rs, 8));
    APPEND("],\"producers\":[");
    for (int t = 0; t < nt; t++)
        APPEND("%s{\"id\":\"p%d\",\"topic\":\"t%d\",\"rate_per_s\":%d,\"keys\":100}",
               t ? "," : "", t, t, 20 + below(&rs, 400));
    APPEND("],\"groups\":[");
    int nc[2];
    for (int g = 0; g < ng; g++) {
        nc[g] = 1 + below(&rs, 5);
        APPEND("%s{\"id\":\"g%d\",\"protocol\":\"consumer\",\"assignor\":\"%s\","
               "\"network_ms\":{\"dist\":\"exponential\",\"mean\":%d},"
               "\"config\":{\"max.poll.interval.ms\":%d,\"enable.auto.commit\":%s},"
               "\"consumers\":[", g ? "," : "", g, below(&rs, 2) ? "uniform" : "range",
               1 + below(&rs, 20), 30000 + 30000 * below(&rs, 3),
               below(&rs, 4) ? "true" : "false");
        for (int c = 0; c < nc[g]; c++) {
            int sub = nt == 1 ? 1 : 1 + below(&rs, 3);          /* bit mask of topics */
            APPEND("%s{\"id\":\"c%d\",\"join_at_ms\":%d,\"topics\":[%s%s%s],"
                   "\"processing_ms\":{\"dist\":\"exponential\",\"mean\":%.1f}",
                   c ? "," : "", c, below(&rs, 2) ? 0 : below(&rs, 30000),
                   sub & 1 ? "\"t0\"" : "", sub == 3 ? "," : "", sub & 2 ? "\"t1\"" : "",
                   0.2 + below(&rs, 20) / 10.0);
            if (below(&rs, 4) == 0)
                APPEND(",\"config\":{\"group.instance.id\":\"i%d\"}", c);
            APPEND("}");
        }
        APPEND("]}");
    }
    APPEND("],\"faults\":[");
    for (int g = 0; g < ng; g++)
        random_faults(&rs, buf, len, &n, g, nc[g]);
    APPEND("]}");
    cr_assert_lt((size_t)n, len);
}

/* After the last change every partition of a topic some live member subscribes to is owned by
 * a live member (the scenario's subscriptions are read back from its JSON). */
static void check_converged(chk_t *k, const char *json)
{
    cJSON *sc = cJSON_Parse(json);
    const cJSON *grp, *topic;
    cJSON_ArrayForEach(grp, cJSON_GetObjectItem(sc, "groups")) {
        const char *gname = cJSON_GetObjectItem(grp, "id")->valuestring;
        int g = name_idx(k->groups, &k->ng, KW_MAX_G, gname);
        cJSON_ArrayForEach(topic, cJSON_GetObjectItem(sc, "topics")) {
            const char *tname = cJSON_GetObjectItem(topic, "name")->valuestring;
            bool wanted = false;
            const cJSON *c, *ts;
            cJSON_ArrayForEach(c, cJSON_GetObjectItem(grp, "consumers")) {
                int m = midx(k, g, cJSON_GetObjectItem(c, "id")->valuestring);
                cJSON_ArrayForEach(ts, cJSON_GetObjectItem(c, "topics"))
                    wanted |= k->alive[g][m] && !strcmp(ts->valuestring, tname);
            }
            int t = name_idx(k->topics, &k->nt, KW_MAX_T, tname);
            for (int p = 0; wanted && p < cJSON_GetObjectItem(topic, "partitions")->valueint;
                 p++) {
                int o = k->owner[g][t][p];
                cr_assert(o >= 0 && k->alive[g][o], "%s: %s-%d not owned by a live member "
                          "at the end (owner %s)\n%s", gname, tname, p, member_name(k, gname, o),
                          json);
            }
        }
    }
    cJSON_Delete(sc);
}

Test(kip848_world, random_scenarios_keep_every_invariant, .timeout = 600)
{
    static char js[KW_JSON_MAX];
    int stale = 0;
    uint64_t seeds;   /* more seeds on demand */
    cr_assert(cgt_env_u64("CGSIM_KIP848_SEEDS", KW_PROPERTY_SEEDS, &seeds) && seeds > 0,
              "CGSIM_KIP848_SEEDS: expected a positive integer");
    unsigned shard, shards;   /* ctest runs the seeds as parallel shards (CMakeLists.txt) */
    cr_assert(cgt_shard("CGSIM_TEST_SHARD", &shard, &shards), "CGSIM_TEST_SHARD: expected k/n");
    for (uint64_t seed = 1 + shard; seed <= seeds; seed += shards) {
        random_scenario(seed * 7919, js, sizeof js);
        chk_t k;
        run_t r = run_json(js);
        cr_assert_eq(r.rc, 0, "seed %llu: %s\n%s", (unsigned long long)seed, r.err, js);
        cr_assert(chk_trace(&k, r.trace), "seed %llu: %s\n%s", (unsigned long long)seed, k.err,
                  js);
        check_converged(&k, js);
        stale += count_lines(r.trace, NEEDLES("STALE_MEMBER_EPOCH"), 0, 1e9, NULL);
        free(r.trace);
    }
    cr_assert_gt(stale, 0, "commits racing an epoch change are fenced somewhere");
}

Test(kip848_world, same_seed_same_bytes)
{
    static char js[KW_JSON_MAX], js2[KW_JSON_MAX];
    random_scenario(4242, js, sizeof js);
    run_t a = run_json(js), b = run_json(js);
    cr_assert_eq(a.rc, 0);
    cr_assert_eq(a.len, b.len);
    cr_assert_eq(memcmp(a.trace, b.trace, a.len), 0);
    /* A different master seed changes the run (member ids, latencies). */
    snprintf(js2, sizeof js2, "%s", js);
    char *s = strstr(js2, "\"seed\":4242");
    cr_assert_not_null(s);
    memcpy(s, "\"seed\":4243", 11);
    run_t c = run_json(js2);
    cr_assert(c.len != a.len || memcmp(a.trace, c.trace, a.len) != 0);
    free(a.trace);
    free(b.trace);
    free(c.trace);
}

Test(kip848_world, checker_catches_violations)
{
    /* The checker itself must fail on a trace that breaks a rule. */
    static const char *const bad[] = {
        "{\"t\":1,\"type\":\"assignment\",\"group\":\"g\",\"generation\":1,\"member\":\"a\","
        "\"partitions\":[[\"t\",0]]}\n{\"t\":2,\"type\":\"assignment\",\"group\":\"g\","
        "\"generation\":2,\"member\":\"b\",\"partitions\":[[\"t\",0]]}\n"
        "{\"t\":3,\"type\":\"run_end\"}\n",
        "{\"t\":1,\"type\":\"assignment\",\"group\":\"g\",\"generation\":3,\"member\":\"a\","
        "\"partitions\":[]}\n{\"t\":2,\"type\":\"assignment\",\"group\":\"g\",\"generation\":2,"
        "\"member\":\"a\",\"partitions\":[]}\n{\"t\":3,\"type\":\"run_end\"}\n",
        "{\"t\":1,\"type\":\"revoke\",\"group\":\"g\",\"member\":\"a\","
        "\"partitions\":[[\"t\",0]]}\n"
        "{\"t\":3,\"type\":\"run_end\"}\n",
        "{\"t\":5,\"type\":\"rebalance_start\",\"group\":\"g\",\"generation\":2,"
        "\"reason\":\"x\"}\n{\"t\":6,\"type\":\"rebalance_start\",\"group\":\"g\","
        "\"generation\":2,\"reason\":\"x\"}\n"
        "{\"t\":7,\"type\":\"run_end\"}\n",
        "{\"t\":5,\"type\":\"fault\",\"action\":\"crash\",\"target\":\"g/a\",\"applied\":true}\n"
        "{\"t\":4,\"type\":\"run_end\"}\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        chk_t k;
        cr_assert_not(chk_trace(&k, bad[i]), "bad trace %zu accepted", i);
    }
    chk_t k;
    cr_assert(chk_trace(&k, "{\"t\":1,\"type\":\"assignment\",\"group\":\"g\",\"generation\":1,"
                            "\"member\":\"a\",\"partitions\":[[\"t\",0]]}\n{\"t\":2,\"type\":"
                            "\"member_leave\",\"group\":\"g\",\"member\":\"a\",\"reason\":\"x\"}\n"
                            "{\"t\":2,\"type\":\"assignment\",\"group\":\"g\",\"generation\":2,"
                            "\"member\":\"b\",\"partitions\":[[\"t\",0]]}\n{\"t\":3,\"type\":"
                            "\"run_end\"}\n"), "%s", k.err);
}
