/* tests/test_cg_world: the classic-protocol world end to end: small scenarios run in memory, and
 * their traces are read back and checked against Kafka's timings (initial rebalance delay,
 * heartbeat-driven rejoin, session timeout, max.poll.interval.ms), fencing, determinism, static
 * membership, cooperative rebalancing, the run options (interrupt, max_events) and the summary. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/scenario/scenario.h"
#include "models/world/world.h"
#include "sim/trace.h"
#include "tests/support/cg_test_run.h"

#define BASE(extra_cfg, consumers, faults)                                                      \
    "{\"name\":\"w\",\"seed\":3,\"duration_ms\":120000,"                                        \
    "\"topics\":[{\"name\":\"orders\",\"partitions\":6}],"                                      \
    "\"producers\":[{\"id\":\"p\",\"topic\":\"orders\",\"rate_per_s\":300,\"keys\":1000}],"     \
    "\"groups\":[{\"id\":\"g\",\"assignor\":\"range\",\"config\":{" extra_cfg "},"              \
    "\"consumers\":[" consumers "]}],\"faults\":[" faults "]}"

#define C1 "{\"id\":\"c1\",\"topics\":[\"orders\"],\"join_at_ms\":0}"
#define C2 "{\"id\":\"c2\",\"topics\":[\"orders\"],\"join_at_ms\":20000}"

Test(world, one_consumer_gets_every_partition_after_the_initial_delay)
{
    cgt_run_t r;
    cgt_run(&r, BASE("", C1, ""));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long a = cgt_find(&r, 0, "assignment", "c1");
    cr_assert_geq(a, 0);
    cr_assert_eq(cgt_n_parts(r.rec[a]), 6);
    cr_assert_eq(cgt_num(r.rec[a], "generation"), 1);
    /* FindCoordinator + MEMBER_ID_REQUIRED round (5 one-way latencies of 1 ms), 3000 ms delay,
     * JoinGroup response, SyncGroup round trip. */
    cr_assert(cgt_t_of(&r, a) >= 3005 && cgt_t_of(&r, a) <= 3015, "assignment at %g",
              cgt_t_of(&r, a));
    long e = cgt_find(&r, 0, "rebalance_end", NULL);
    cr_assert(fabs(cgt_num(r.rec[e], "duration_ms") - 3002) < 3, "%g",
              cgt_num(r.rec[e], "duration_ms"));
    cr_assert(cgt_is(r.rec[r.n - 1], "run_end"));
    cgt_run_free(&r);
}

Test(world, a_second_member_takes_about_half_within_a_heartbeat)
{
    cgt_run_t r;
    cgt_run(&r, BASE("", C1 "," C2, ""));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long j = cgt_find(&r, 0, "member_join", "c2");
    long a1 = cgt_find(&r, (size_t)j, "assignment", "c1");
    long a2 = cgt_find(&r, (size_t)j, "assignment", "c2");
    cr_assert(a1 > 0 && a2 > 0);
    cr_assert_eq(cgt_n_parts(r.rec[a1]), 3);
    cr_assert_eq(cgt_n_parts(r.rec[a2]), 3);
    cr_assert_eq(cgt_num(r.rec[a2], "generation"), 2);
    /* c1 learns of the rebalance from its next heartbeat (3000 ms interval). */
    cr_assert_leq(cgt_t_of(&r, a2) - cgt_t_of(&r, j), 3000 + 20);
    long rv = cgt_find(&r, (size_t)j, "revoke", "c1");
    cr_assert(rv > j && rv < a1, "eager: c1 revokes everything before rejoining");
    cr_assert_eq(cgt_n_parts(r.rec[rv]), 6);
    cgt_run_free(&r);
}

Test(world, a_clean_leave_returns_partitions_within_a_heartbeat)
{
    cgt_run_t r;
    cgt_run(&r, BASE("", C1 "," C2, "{\"at_ms\":40000,\"action\":\"leave\",\"target\":\"g/c2\"}"));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long f = cgt_find(&r, 0, "fault", NULL);
    long rv = cgt_find(&r, (size_t)f, "revoke", "c2");
    long l = cgt_find(&r, (size_t)f, "member_leave", "c2");
    cr_assert(rv > f && l > rv);
    cr_assert_str_eq(cgt_str(r.rec[l], "reason"), "leave");
    cr_assert_leq(cgt_t_of(&r, l) - 40000, 2);
    long a = cgt_find(&r, (size_t)l, "assignment", "c1");
    cr_assert_eq(cgt_n_parts(r.rec[a]), 6);
    cr_assert_leq(cgt_t_of(&r, a) - 40000, 3000 + 20);
    cgt_run_free(&r);
}

Test(world, a_crash_is_noticed_only_after_the_session_timeout)
{
    cgt_run_t r;
    cgt_run(&r, BASE("", C1 "," C2, "{\"at_ms\":40000,\"action\":\"crash\",\"target\":\"g/c2\"}"));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long l = cgt_find(&r, 0, "member_leave", "c2");
    cr_assert_geq(l, 0);
    cr_assert_str_eq(cgt_str(r.rec[l], "reason"), "session_timeout");
    /* Last heartbeat within (crash - 3000, crash]; the deadline is that + 45000. */
    double t = cgt_t_of(&r, l);
    cr_assert(t >= 40000 + 45000 - 3000 && t <= 40000 + 45000 + 2, "member_leave at %g", t);
    long a = cgt_find(&r, (size_t)l, "assignment", "c1");
    cr_assert_eq(cgt_n_parts(r.rec[a]), 6);
    cr_assert_leq(cgt_t_of(&r, a) - t, 3000 + 20);
    cr_assert_eq(cgt_find(&r, 0, "revoke", "c2"), -1, "a crash revokes nothing");
    cgt_run_free(&r);
}

Test(world, a_paused_member_leaves_after_max_poll_interval)
{
    cgt_run_t r;
    cgt_run(&r, BASE("\"max.poll.interval.ms\":30000", C1 "," C2,
                     "{\"at_ms\":40000,\"action\":\"pause\",\"target\":\"g/c2\"}"));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long l = cgt_find(&r, 0, "member_leave", "c2");
    cr_assert_str_eq(cgt_str(r.rec[l], "reason"), "poll_timeout");
    double t = cgt_t_of(&r, l);
    /* The last poll is at most one fetch wait (500 ms) plus a batch before the pause. */
    cr_assert(t >= 40000 + 30000 - 600 && t <= 40000 + 30000 + 2, "member_leave at %g", t);
    long s = cgt_find(&r, (size_t)l, "rebalance_start", NULL);
    cr_assert_str_eq(cgt_str(r.rec[s], "reason"), "poll_timeout");
    cgt_run_free(&r);
}

Test(world, commits_of_a_removed_member_are_fenced)
{
    cgt_run_t r;
    cgt_run(&r, BASE("", C1 "," C2, "{\"at_ms\":40000,\"action\":\"hang\",\"target\":\"g/c2\","
                                    "\"duration_ms\":60000}"));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long l = cgt_find(&r, 0, "member_leave", "c2");
    cr_assert_str_eq(cgt_str(r.rec[l], "reason"), "session_timeout");
    bool fenced = false;
    for (long i = l; i < (long)r.n && !fenced; i++)
        if (cgt_is(r.rec[i], "commit") && strcmp(cgt_str(r.rec[i], "member"), "c2") == 0 &&
            cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r.rec[i], "ok"))) {
            fenced = true;
            cr_assert_str_eq(cgt_str(r.rec[i], "error"), "UNKNOWN_MEMBER_ID");
            cr_assert_geq(cgt_t_of(&r, i), 100000);
        }
    cr_assert(fenced, "the resumed member's first auto-commit is rejected");
    /* ... and it then rejoins as a new member. */
    long j = cgt_find(&r, (size_t)l, "member_join", "c2");
    cr_assert_gt(j, l);
    cgt_run_free(&r);
}

#define STORY BASE("", C1 "," C2 ",{\"id\":\"c3\",\"topics\":[\"orders\"],\"join_at_ms\":30000," \
                   "\"processing_ms\":{\"dist\":\"lognormal\",\"mean\":2,\"sd\":1}}",              \
                   "{\"at_ms\":50000,\"action\":\"crash\",\"target\":\"g/c3\","               \
                   "\"duration_ms\":5000}")

Test(world, same_seed_same_bytes_different_seed_different_bytes)
{
    cgt_run_t a, b, c;
    cgt_run_cfg(&a, STORY, (cgt_run_cfg_t){.seed = 5, .check = false});
    cgt_run_cfg(&b, STORY, (cgt_run_cfg_t){.seed = 5, .check = false});
    cgt_run_cfg(&c, STORY, (cgt_run_cfg_t){.seed = 6, .check = false});
    cr_assert_eq(a.len, b.len);
    cr_assert(memcmp(a.text, b.text, a.len) == 0, "same seed, different trace");
    cr_assert(a.len != c.len || memcmp(a.text, c.text, a.len) != 0, "seed has no effect");
    cgt_run_free(&a);
    cgt_run_free(&b);
    cgt_run_free(&c);
}

Test(world, the_summary_matches_the_trace)
{
    cgt_run_t r;
    cgt_run(&r, STORY);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(r.res.completed);
    int64_t rebalances = 0, moved = 0;
    for (size_t i = 0; i < r.n; i++)
        if (cgt_is(r.rec[i], "rebalance_end")) {
            rebalances++;
            moved += (int64_t)cgt_num(r.rec[i], "moved");
        }
    cr_assert_eq(r.groups[0].rebalances, rebalances);
    cr_assert_eq(r.groups[0].moved, moved);
    const cJSON *end = r.rec[r.n - 1];
    cr_assert(cgt_is(end, "run_end"));
    cr_assert_eq((int64_t)cgt_num(end, "records_consumed"), r.res.records_consumed);
    cr_assert_eq((int64_t)cgt_num(end, "records_produced"), r.res.records_produced);
    cr_assert_eq((int64_t)cgt_num(end, "duplicates"), r.res.duplicates);
    cr_assert_eq((uint64_t)cgt_num(end, "events"), r.res.events);
    /* 300 records/s for 120 s; latest reset and the final lag lose a little. */
    cr_assert(r.res.records_produced > 34000 && r.res.records_produced < 38000);
    cr_assert_gt(r.res.records_consumed, r.res.records_produced * 9 / 10);
    /* c3 crashed without committing its last 5 s: its successor reprocesses them. */
    cr_assert_gt(r.res.duplicates, 0);
    cr_assert_gt(r.groups[0].unavailable_partition_ns, 0);
    cgt_run_free(&r);
}

Test(world, interrupt_and_event_limit_end_with_run_aborted)
{
    cgt_run_t r;
    cgt_run_cfg(&r, STORY, (cgt_run_cfg_t){.check = false, .interrupt = 1});
    cr_assert_eq(r.rc, 1);
    cr_assert(cgt_is(r.rec[r.n - 1], "run_aborted"));
    cr_assert_str_eq(cgt_str(r.rec[r.n - 1], "reason"), "interrupted");
    cr_assert(!r.res.completed);
    cgt_run_free(&r);
    cgt_run_cfg(&r, STORY, (cgt_run_cfg_t){.check = false, .max_events = 1000});
    cr_assert_eq(r.rc, 1);
    cr_assert(cgt_is(r.rec[r.n - 1], "run_aborted"));
    cr_assert_eq(r.res.events, 1000);
    cgt_run_free(&r);
}

Test(world, a_static_member_restarting_within_the_session_timeout_causes_no_rebalance)
{
    cgt_run_t r;
    cgt_run(&r, BASE("", C1 ",{\"id\":\"c2\",\"topics\":[\"orders\"],\"join_at_ms\":20000,"
                     "\"config\":{\"group.instance.id\":\"i2\"}}",
                     "{\"at_ms\":40000,\"action\":\"crash\",\"target\":\"g/c2\","
                     "\"duration_ms\":10000}"));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long a = cgt_find(&r, 0, "assignment", "c2");
    long f = cgt_find(&r, 0, "fault", NULL);
    long j = cgt_find(&r, (size_t)f, "member_join", "c2");
    cr_assert_gt(j, f);
    cr_assert_str_neq(cgt_str(r.rec[j], "replaced"), "", "a static rejoin replaces the member id");
    long a2 = cgt_find(&r, (size_t)j, "assignment", "c2");
    cr_assert_eq(cgt_num(r.rec[a2], "generation"), cgt_num(r.rec[a], "generation"));
    char *p1 = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(r.rec[a], "partitions"));
    char *p2 = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(r.rec[a2], "partitions"));
    cr_assert_str_eq(p1, p2, "it gets its previous assignment back");
    free(p1);
    free(p2);
    cr_assert_eq(cgt_find(&r, (size_t)f, "rebalance_start", NULL), -1);
    cr_assert_eq(cgt_find(&r, 0, "member_leave", NULL), -1);
    cgt_run_free(&r);
}

Test(world, a_static_member_sends_no_leave_group_and_expires_by_session)
{
    cgt_run_t r;
    cgt_run(&r, BASE("", C1 ",{\"id\":\"c2\",\"topics\":[\"orders\"],\"join_at_ms\":20000,"
                     "\"config\":{\"group.instance.id\":\"i2\"}}",
                     "{\"at_ms\":40000,\"action\":\"leave\",\"target\":\"g/c2\"}"));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long l = cgt_find(&r, 0, "member_leave", "c2");
    cr_assert_str_eq(cgt_str(r.rec[l], "reason"), "session_timeout");
    cr_assert(cgt_t_of(&r, l) >= 40000 + 45000 - 3000 && cgt_t_of(&r, l) <= 40000 + 45000 + 2);
    cgt_run_free(&r);
}

Test(world, cooperative_keeps_partitions_and_rebalances_twice)
{
    cgt_run_t r;
    cgt_run(&r, "{\"name\":\"w\",\"seed\":3,\"duration_ms\":60000,"
                "\"topics\":[{\"name\":\"orders\",\"partitions\":6}],"
                "\"producers\":[{\"id\":\"p\",\"topic\":\"orders\",\"rate_per_s\":300}],"
                "\"groups\":[{\"id\":\"g\",\"assignor\":\"cooperative-sticky\","
                "\"rebalance\":\"cooperative\",\"consumers\":[" C1 "," C2 "]}]}");
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long j = cgt_find(&r, 0, "member_join", "c2");
    long rv = cgt_find(&r, (size_t)j, "revoke", "c1");
    cr_assert_gt(rv, j);
    cr_assert_eq(cgt_n_parts(r.rec[rv]), 3, "only the partitions that move are revoked");
    long s2 = cgt_find(&r, (size_t)rv, "rebalance_start", NULL);
    cr_assert_str_eq(cgt_str(r.rec[s2], "reason"), "revocation");
    /* c2 may apply its empty generation-2 assignment after the revocation round started: a
     * cooperative member's onJoinComplete runs at its next poll(). */
    long a = cgt_find(&r, (size_t)s2, "assignment", "c2");
    while (a >= 0 && cgt_num(r.rec[a], "generation") < 3)
        a = cgt_find(&r, (size_t)a + 1, "assignment", "c2");
    cr_assert_geq(a, 0);
    cr_assert_eq(cgt_n_parts(r.rec[a]), 3);
    cr_assert_eq(cgt_num(r.rec[a], "generation"), 3);
    /* moved counts the hand-over once, in the second rebalance. */
    int64_t moved = 0;
    for (size_t i = 0; i < r.n; i++)
        if (cgt_is(r.rec[i], "rebalance_end"))
            moved += (int64_t)cgt_num(r.rec[i], "moved");
    cr_assert_eq(moved, 3);
    cgt_run_free(&r);
}

Test(world, auto_offset_reset_none_fails_the_consumer)
{
    cgt_run_t r;
    cgt_run(&r, BASE("\"auto.offset.reset\":\"none\"", C1, ""));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long e = cgt_find(&r, 0, "error", "c1");
    cr_assert_geq(e, 0);
    cr_assert_str_eq(cgt_str(r.rec[e], "error"), "NoOffsetForPartitionException");
    cr_assert_str_eq(cgt_str(r.rec[e], "topic"), "orders");
    long l = cgt_find(&r, (size_t)e, "member_leave", "c1");
    cr_assert_str_eq(cgt_str(r.rec[l], "reason"), "leave");
    cgt_run_free(&r);
}

Test(world, commit_sync_commits_after_every_batch)
{
    cgt_run_t r;
    cgt_run(&r, BASE("\"enable.auto.commit\":false", C1, ""));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    size_t commits = 0;
    int64_t last_end = 0;
    for (size_t i = 0; i < r.n; i++)
        if (cgt_is(r.rec[i], "commit")) {
            commits++;
            cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.rec[i], "ok")));
            last_end = (int64_t)cgt_num(r.rec[i], "end_offset") -
                       (int64_t)cgt_num(r.rec[i], "offset");
        }
    /* ~300 records/s over ~117 s, a few per batch: far more commits than auto-commit's 6 per
     * 5 s would give, and lag stays small. */
    cr_assert_gt(commits, 3000);
    cr_assert_leq(last_end, 50);
    cgt_run_free(&r);
}
