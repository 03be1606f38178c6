/* tests/test_cg_coordinator: the classic coordinator's state machine (kafka.md (b)) driven through
 * small scenarios whose traces are read back: Empty -> PreparingRebalance (initial delay and its
 * extension) -> CompletingRebalance -> Stable; Stable -> PreparingRebalance on join, leave,
 * session timeout; a join during CompletingRebalance; a session expiry during
 * PreparingRebalance; removal at the rebalance timeout; PreparingRebalance -> Empty; static
 * members (no MEMBER_ID_REQUIRED); a failover losing a rebalance. (FENCED_INSTANCE_ID needs two
 * live processes with one instance id, which the scenario loader refuses.) */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/scenario.h"
#include "models/world.h"
#include "sim/trace.h"

#define MAX_GROUPS 4

typedef struct run {
    int rc;                           /* cg_world_run result */
    char err[512];
    char *text;                       /* the trace */
    size_t len;
    cJSON **rec;                      /* parsed records */
    size_t n;
    cg_run_result_t res;              /* groups copied below */
    cg_group_summary_t groups[MAX_GROUPS];
} run_t;

typedef struct run_cfg {
    uint64_t seed;                    /* 0 = the scenario's */
    bool check;
    uint64_t max_events;
    int interrupt;
} run_cfg_t;

static void run_cfg(run_t *r, const char *json, run_cfg_t cfg)
{
    memset(r, 0, sizeof *r);
    sim_diag_t diag;
    sim_diag_init(&diag);
    cg_scenario_t *s = NULL;
    int rc = cg_scenario_parse("test.json", json, strlen(json), NULL, 0, &s, &diag);
    if (rc != 0)
        sim_diag_print(&diag, stderr);
    cr_assert_eq(rc, 0, "scenario does not load");
    sim_diag_fini(&diag);
    FILE *f = open_memstream(&r->text, &r->len);
    cr_assert_not_null(f);
    sim_trace_t tr;
    cr_assert_eq(sim_trace_open_file(&tr, f), 0);
    volatile int intr = cfg.interrupt;
    cg_run_opts_t opts = {.seed = cfg.seed ? cfg.seed : s->seed, .trace = &tr,
                          .check = cfg.check, .max_events = cfg.max_events,
                          .interrupt = &intr};
    cg_world_t *w = NULL;
    char err[512] = "";
    rc = cg_world_new(s, &opts, &w, err, sizeof err);
    cr_assert_eq(rc, 0, "world: %s", err);
    r->rc = cg_world_run(w, &r->res, r->err, sizeof r->err);
    for (size_t i = 0; i < r->res.n_groups && i < MAX_GROUPS; i++)
        r->groups[i] = r->res.groups[i];
    cg_world_free(w);
    cg_scenario_free(s);
    sim_trace_close(&tr);
    fclose(f);
    size_t cap = 64;
    r->rec = malloc(cap * sizeof *r->rec);
    for (char *line = r->text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (r->n == cap)
            r->rec = realloc(r->rec, (cap *= 2) * sizeof *r->rec);
        r->rec[r->n] = cJSON_Parse(line);
        cr_assert_not_null(r->rec[r->n], "trace line is not JSON: %s", line);
        r->n++;
        line = nl ? nl + 1 : NULL;
    }
}

static void run(run_t *r, const char *json) { run_cfg(r, json, (run_cfg_t){0, true, 0, 0}); }

static void run_free(run_t *r)
{
    for (size_t i = 0; i < r->n; i++)
        cJSON_Delete(r->rec[i]);
    free(r->rec);
    free(r->text);
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static bool is(const cJSON *o, const char *type) { return strcmp(str(o, "type"), type) == 0; }

/* First record at index >= from of `type` whose `member` is `member` (NULL = any); -1. */
static long find(const run_t *r, size_t from, const char *type, const char *member)
{
    for (size_t i = from; i < r->n; i++)
        if (is(r->rec[i], type) && (!member || strcmp(str(r->rec[i], "member"), member) == 0))
            return (long)i;
    return -1;
}

static int n_parts(const cJSON *rec)
{
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rec, "partitions"));
}

static double t_of(const run_t *r, long i) { return num(r->rec[i], "t"); }


static long count(const run_t *r, const char *type)
{
    long n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += is(r->rec[i], type);
    return n;
}

/* Record `type` with generation `gen`, or -1. */
static long find_gen(const run_t *r, const char *type, int gen)
{
    for (size_t i = 0; i < r->n; i++)
        if (is(r->rec[i], type) && (int)num(r->rec[i], "generation") == gen)
            return (long)i;
    return -1;
}

#define SCN(net_ms, cfg, consumers, faults)                                                     \
    "{\"name\":\"c\",\"seed\":9,\"duration_ms\":100000,"                                        \
    "\"topics\":[{\"name\":\"t\",\"partitions\":4}],"                                           \
    "\"producers\":[{\"id\":\"p\",\"topic\":\"t\",\"rate_per_s\":100,\"keys\":100}],"           \
    "\"groups\":[{\"id\":\"g\",\"assignor\":\"range\","                                         \
    "\"network_ms\":{\"dist\":\"constant\",\"value\":" net_ms "},\"config\":{" cfg "},"         \
    "\"consumers\":[" consumers "]}],\"faults\":[" faults "]}"
#define CONS(id, at) "{\"id\":\"" id "\",\"topics\":[\"t\"],\"join_at_ms\":" at "}"
#define STATIC(id, at, inst)                                                                    \
    "{\"id\":\"" id "\",\"topics\":[\"t\"],\"join_at_ms\":" at ","                              \
    "\"config\":{\"group.instance.id\":\"" inst "\"}}"

Test(coordinator, empty_preparing_completing_stable_with_the_initial_delay)
{
    run_t r;
    run(&r, SCN("1", "", CONS("c1", "0"), ""));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long j = find(&r, 0, "member_join", "c1");
    long s = find(&r, 0, "rebalance_start", NULL);
    long e = find(&r, 0, "rebalance_end", NULL);
    cr_assert(j >= 0 && s == j + 1 && e > s);
    /* FindCoordinator (2 ms), JoinGroup -> MEMBER_ID_REQUIRED (2 ms), JoinGroup arrives (1 ms). */
    cr_assert_eq(t_of(&r, j), 5);
    cr_assert_eq(num(r.rec[s], "generation"), 1);
    cr_assert_str_eq(str(r.rec[s], "reason"), "member_join");
    /* Delay 3000 ms, JoinGroup response and SyncGroup request: Stable at 5 + 3000 + 2. */
    cr_assert_eq(t_of(&r, e), 3007);
    cr_assert_eq(num(r.rec[e], "members"), 1);
    cr_assert_eq(count(&r, "rebalance_start"), 1);
    run_free(&r);
}

Test(coordinator, a_member_joining_during_the_delay_extends_it_by_the_delay)
{
    run_t r;
    run(&r, SCN("1", "", CONS("c1", "0") "," CONS("c2", "2000"), ""));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_eq(count(&r, "rebalance_start"), 1);
    long e = find(&r, 0, "rebalance_end", NULL);
    /* First delay ends at 3005 with a new member added: one more delay of 3000 ms. */
    cr_assert_eq(t_of(&r, e), 6007);
    cr_assert_eq(num(r.rec[e], "members"), 2);
    run_free(&r);
}

Test(coordinator, a_static_member_skips_member_id_required)
{
    run_t r;
    run(&r, SCN("1", "", STATIC("c1", "0", "i1"), ""));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long j = find(&r, 0, "member_join", "c1");
    cr_assert_eq(t_of(&r, j), 3);
    cr_assert(strncmp(str(r.rec[j], "member_id"), "i1-", 3) == 0, "static ids start with the "
              "instance id: %s", str(r.rec[j], "member_id"));
    run_free(&r);
}

Test(coordinator, stable_to_preparing_on_join_leave_and_session_timeout)
{
    run_t r;
    run(&r, SCN("1", "", CONS("c1", "0") "," CONS("c2", "10000") "," CONS("c3", "20000"),
                "{\"at_ms\":40000,\"action\":\"leave\",\"target\":\"g/c3\"},"
                "{\"at_ms\":50000,\"action\":\"crash\",\"target\":\"g/c2\"}"));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    const char *want[] = {"member_join", "member_join", "member_join", "member_leave",
                          "session_timeout"};
    for (int gen = 1; gen <= 5; gen++) {
        long s = find_gen(&r, "rebalance_start", gen);
        cr_assert_geq(s, 0, "generation %d", gen);
        cr_assert_str_eq(str(r.rec[s], "reason"), want[gen - 1], "generation %d", gen);
        long e = find_gen(&r, "rebalance_end", gen);
        cr_assert_gt(e, s, "generation %d completes", gen);
    }
    long e5 = find_gen(&r, "rebalance_end", 5);
    cr_assert_eq(num(r.rec[e5], "members"), 1);
    run_free(&r);
}

Test(coordinator, a_join_during_completing_rebalance_starts_a_new_rebalance)
{
    /* 500 ms one way: c1's first JoinGroup completes at 2500, the delay ends at 5500 and the
     * leader's SyncGroup arrives at 6500. c2 (started at 3500) is added at 6000, while the group
     * is CompletingRebalance. */
    run_t r;
    run(&r, SCN("500", "", CONS("c1", "0") "," CONS("c2", "3500"), ""));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long s1 = find_gen(&r, "rebalance_start", 1);
    cr_assert_eq(t_of(&r, s1), 2500);
    long j2 = find(&r, 0, "member_join", "c2");
    cr_assert_eq(t_of(&r, j2), 6000);
    long s2 = find_gen(&r, "rebalance_start", 2);
    cr_assert_eq(s2, j2 + 1);
    cr_assert_str_eq(str(r.rec[s2], "reason"), "member_join");
    cr_assert_eq(find_gen(&r, "rebalance_end", 1), -1, "generation 1 never became Stable");
    cr_assert_eq(find_gen(&r, "assignment", 1), -1, "the leader's SyncGroup was refused");
    long e2 = find_gen(&r, "rebalance_end", 2);
    cr_assert_gt(e2, s2);
    cr_assert_eq(num(r.rec[e2], "members"), 2);
    run_free(&r);
}

Test(coordinator, a_session_expiry_during_preparing_rebalance_completes_the_join)
{
    run_t r;
    run(&r, SCN("1", "", CONS("c1", "0") "," CONS("c2", "0") "," CONS("c3", "21000"),
                "{\"at_ms\":20000,\"action\":\"crash\",\"target\":\"g/c2\"}"));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long s = find_gen(&r, "rebalance_start", 2);
    cr_assert_str_eq(str(r.rec[s], "reason"), "member_join");
    long l = find(&r, 0, "member_leave", "c2");
    cr_assert_gt(l, s);
    cr_assert_str_eq(str(r.rec[l], "reason"), "session_timeout");
    double tl = t_of(&r, l);
    cr_assert(tl > 20000 + 45000 - 3000 && tl <= 20000 + 45000 + 2, "expiry at %g", tl);
    cr_assert_eq(find_gen(&r, "rebalance_start", 3), -1, "still the same rebalance");
    long e = find_gen(&r, "rebalance_end", 2);
    cr_assert_gt(e, l);
    cr_assert_leq(t_of(&r, e) - tl, 3, "the join completes as soon as the member is gone");
    cr_assert_eq(num(r.rec[e], "members"), 2);
    cr_assert_eq(n_parts(r.rec[find(&r, (size_t)e, "assignment", "c1")]), 2);
    cr_assert_eq(n_parts(r.rec[find(&r, (size_t)e, "assignment", "c3")]), 2);
    run_free(&r);
}

Test(coordinator, a_member_not_rejoining_is_removed_at_the_rebalance_timeout)
{
    run_t r;
    run(&r, SCN("1", "\"session.timeout.ms\":60000,\"max.poll.interval.ms\":10000",
                CONS("c1", "0") "," CONS("c2", "0") "," CONS("c3", "21000"),
                "{\"at_ms\":20000,\"action\":\"hang\",\"target\":\"g/c2\"}"));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long s = find_gen(&r, "rebalance_start", 2);
    long l = find(&r, 0, "member_leave", "c2");
    cr_assert_str_eq(str(r.rec[l], "reason"), "rebalance_timeout");
    cr_assert_eq(t_of(&r, l) - t_of(&r, s), 10000);
    long e = find_gen(&r, "rebalance_end", 2);
    cr_assert_eq(num(r.rec[e], "members"), 2);
    run_free(&r);
}

Test(coordinator, the_last_member_leaving_empties_the_group_and_the_delay_applies_again)
{
    run_t r;
    run(&r, SCN("1", "", CONS("c1", "0") "," CONS("c2", "30000"),
                "{\"at_ms\":20000,\"action\":\"leave\",\"target\":\"g/c1\"}"));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long s2 = find_gen(&r, "rebalance_start", 2);
    cr_assert_str_eq(str(r.rec[s2], "reason"), "member_leave");
    cr_assert_eq(find_gen(&r, "rebalance_end", 2), -1, "the group went Empty, not Stable");
    long s3 = find_gen(&r, "rebalance_start", 3);
    long e3 = find_gen(&r, "rebalance_end", 3);
    cr_assert(s3 > s2 && e3 > s3);
    cr_assert_eq(t_of(&r, e3) - t_of(&r, s3), 3002, "initial delay after Empty");
    run_free(&r);
}

Test(coordinator, a_failover_during_a_rebalance_loses_it_and_the_members_rejoin)
{
    run_t r;
    run(&r, SCN("1", "", CONS("c1", "0") "," CONS("c2", "0") "," CONS("c3", "20000"),
                "{\"at_ms\":20010,\"action\":\"coordinator_failover\",\"target\":\"g\"}"));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long s2 = find_gen(&r, "rebalance_start", 2);
    long f = find(&r, 0, "fault", NULL);
    cr_assert(s2 >= 0 && f > s2, "the failover hits the rebalance started at %g",
              t_of(&r, s2));
    long again = -1;
    for (size_t i = (size_t)f; i < r.n && again < 0; i++)
        if (is(r.rec[i], "rebalance_start"))
            again = (long)i;
    cr_assert_gt(again, f);
    cr_assert_str_eq(str(r.rec[again], "reason"), "coordinator_failover");
    cr_assert_eq(num(r.rec[again], "generation"), 2, "generations never go back");
    cr_assert_geq(t_of(&r, again) - 20010, 3000, "after coordinator_failover_ms");
    long e = find_gen(&r, "rebalance_end", 2);
    cr_assert_gt(e, again);
    cr_assert_eq(num(r.rec[e], "members"), 3);
    run_free(&r);
}
