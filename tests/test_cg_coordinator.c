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
#include "models/scenario/scenario.h"
#include "models/world/world.h"
#include "sim/trace.h"
#include "tests/support/cg_test_run.h"

/* Record `type` with generation `gen`, or -1. */
static long find_gen(const cgt_run_t *r, const char *type, int gen)
{
    for (size_t i = 0; i < r->n; i++)
        if (cgt_is(r->rec[i], type) && (int)cgt_num(r->rec[i], "generation") == gen)
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
    cgt_run_t r;
    cgt_run(&r, SCN("1", "", CONS("c1", "0"), ""));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long j = cgt_find(&r, 0, "member_join", "c1");
    long s = cgt_find(&r, 0, "rebalance_start", NULL);
    long e = cgt_find(&r, 0, "rebalance_end", NULL);
    cr_assert(j >= 0 && s == j + 1 && e > s);
    /* FindCoordinator (2 ms), JoinGroup -> MEMBER_ID_REQUIRED (2 ms), JoinGroup arrives (1 ms). */
    cr_assert_eq(cgt_t_of(&r, j), 5);
    cr_assert_eq(cgt_num(r.rec[s], "generation"), 1);
    cr_assert_str_eq(cgt_str(r.rec[s], "reason"), "member_join");
    /* Delay 3000 ms, JoinGroup response and SyncGroup request: Stable at 5 + 3000 + 2. */
    cr_assert_eq(cgt_t_of(&r, e), 3007);
    cr_assert_eq(cgt_num(r.rec[e], "members"), 1);
    cr_assert_eq(cgt_count(&r, "rebalance_start"), 1);
    cgt_run_free(&r);
}

Test(coordinator, a_member_joining_during_the_delay_extends_it_by_the_delay)
{
    cgt_run_t r;
    cgt_run(&r, SCN("1", "", CONS("c1", "0") "," CONS("c2", "2000"), ""));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_eq(cgt_count(&r, "rebalance_start"), 1);
    long e = cgt_find(&r, 0, "rebalance_end", NULL);
    /* First delay ends at 3005 with a new member added: one more delay of 3000 ms. */
    cr_assert_eq(cgt_t_of(&r, e), 6007);
    cr_assert_eq(cgt_num(r.rec[e], "members"), 2);
    cgt_run_free(&r);
}

Test(coordinator, a_static_member_skips_member_id_required)
{
    cgt_run_t r;
    cgt_run(&r, SCN("1", "", STATIC("c1", "0", "i1"), ""));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long j = cgt_find(&r, 0, "member_join", "c1");
    cr_assert_eq(cgt_t_of(&r, j), 3);
    cr_assert(strncmp(cgt_str(r.rec[j], "member_id"), "i1-", 3) == 0, "static ids start with the "
              "instance id: %s", cgt_str(r.rec[j], "member_id"));
    cgt_run_free(&r);
}

Test(coordinator, stable_to_preparing_on_join_leave_and_session_timeout)
{
    cgt_run_t r;
    cgt_run(&r, SCN("1", "", CONS("c1", "0") "," CONS("c2", "10000") "," CONS("c3", "20000"),
                    "{\"at_ms\":40000,\"action\":\"leave\",\"target\":\"g/c3\"},"
                    "{\"at_ms\":50000,\"action\":\"crash\",\"target\":\"g/c2\"}"));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    const char *want[] = {"member_join", "member_join", "member_join", "member_leave",
                          "session_timeout"};
    for (int gen = 1; gen <= 5; gen++) {
        long s = find_gen(&r, "rebalance_start", gen);
        cr_assert_geq(s, 0, "generation %d", gen);
        cr_assert_str_eq(cgt_str(r.rec[s], "reason"), want[gen - 1], "generation %d", gen);
        long e = find_gen(&r, "rebalance_end", gen);
        cr_assert_gt(e, s, "generation %d completes", gen);
    }
    long e5 = find_gen(&r, "rebalance_end", 5);
    cr_assert_eq(cgt_num(r.rec[e5], "members"), 1);
    cgt_run_free(&r);
}

Test(coordinator, a_join_during_completing_rebalance_starts_a_new_rebalance)
{
    /* 500 ms one way: c1's first JoinGroup completes at 2500, the delay ends at 5500 and the
     * leader's SyncGroup arrives at 6500. c2 (started at 3500) is added at 6000, while the group
     * is CompletingRebalance. */
    cgt_run_t r;
    cgt_run(&r, SCN("500", "", CONS("c1", "0") "," CONS("c2", "3500"), ""));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long s1 = find_gen(&r, "rebalance_start", 1);
    cr_assert_eq(cgt_t_of(&r, s1), 2500);
    long j2 = cgt_find(&r, 0, "member_join", "c2");
    cr_assert_eq(cgt_t_of(&r, j2), 6000);
    long s2 = find_gen(&r, "rebalance_start", 2);
    cr_assert_eq(s2, j2 + 1);
    cr_assert_str_eq(cgt_str(r.rec[s2], "reason"), "member_join");
    cr_assert_eq(find_gen(&r, "rebalance_end", 1), -1, "generation 1 never became Stable");
    cr_assert_eq(find_gen(&r, "assignment", 1), -1, "the leader's SyncGroup was refused");
    long e2 = find_gen(&r, "rebalance_end", 2);
    cr_assert_gt(e2, s2);
    cr_assert_eq(cgt_num(r.rec[e2], "members"), 2);
    cgt_run_free(&r);
}

Test(coordinator, a_session_expiry_during_preparing_rebalance_completes_the_join)
{
    cgt_run_t r;
    cgt_run(&r, SCN("1", "", CONS("c1", "0") "," CONS("c2", "0") "," CONS("c3", "21000"),
                    "{\"at_ms\":20000,\"action\":\"crash\",\"target\":\"g/c2\"}"));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long s = find_gen(&r, "rebalance_start", 2);
    cr_assert_str_eq(cgt_str(r.rec[s], "reason"), "member_join");
    long l = cgt_find(&r, 0, "member_leave", "c2");
    cr_assert_gt(l, s);
    cr_assert_str_eq(cgt_str(r.rec[l], "reason"), "session_timeout");
    double tl = cgt_t_of(&r, l);
    cr_assert(tl > 20000 + 45000 - 3000 && tl <= 20000 + 45000 + 2, "expiry at %g", tl);
    cr_assert_eq(find_gen(&r, "rebalance_start", 3), -1, "still the same rebalance");
    long e = find_gen(&r, "rebalance_end", 2);
    cr_assert_gt(e, l);
    cr_assert_leq(cgt_t_of(&r, e) - tl, 3, "the join completes as soon as the member is gone");
    cr_assert_eq(cgt_num(r.rec[e], "members"), 2);
    cr_assert_eq(cgt_n_parts(r.rec[cgt_find(&r, (size_t)e, "assignment", "c1")]), 2);
    cr_assert_eq(cgt_n_parts(r.rec[cgt_find(&r, (size_t)e, "assignment", "c3")]), 2);
    cgt_run_free(&r);
}

Test(coordinator, a_member_not_rejoining_is_removed_at_the_rebalance_timeout)
{
    cgt_run_t r;
    cgt_run(&r, SCN("1", "\"session.timeout.ms\":60000,\"max.poll.interval.ms\":10000",
                    CONS("c1", "0") "," CONS("c2", "0") "," CONS("c3", "21000"),
                    "{\"at_ms\":20000,\"action\":\"hang\",\"target\":\"g/c2\"}"));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long s = find_gen(&r, "rebalance_start", 2);
    long l = cgt_find(&r, 0, "member_leave", "c2");
    cr_assert_str_eq(cgt_str(r.rec[l], "reason"), "rebalance_timeout");
    cr_assert_eq(cgt_t_of(&r, l) - cgt_t_of(&r, s), 10000);
    long e = find_gen(&r, "rebalance_end", 2);
    cr_assert_eq(cgt_num(r.rec[e], "members"), 2);
    cgt_run_free(&r);
}

Test(coordinator, the_last_member_leaving_empties_the_group_and_the_delay_applies_again)
{
    cgt_run_t r;
    cgt_run(&r, SCN("1", "", CONS("c1", "0") "," CONS("c2", "30000"),
                    "{\"at_ms\":20000,\"action\":\"leave\",\"target\":\"g/c1\"}"));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long s2 = find_gen(&r, "rebalance_start", 2);
    cr_assert_str_eq(cgt_str(r.rec[s2], "reason"), "member_leave");
    /* Kafka completes the generation with no members and the group goes Empty. */
    long e2 = find_gen(&r, "rebalance_end", 2);
    cr_assert(e2 > s2, "generation 2 completes (empty)");
    cr_assert_eq(cgt_num(r.rec[e2], "members"), 0, "the group went Empty, not Stable");
    long s3 = find_gen(&r, "rebalance_start", 3);
    long e3 = find_gen(&r, "rebalance_end", 3);
    cr_assert(s3 > s2 && e3 > s3);
    cr_assert_eq(cgt_t_of(&r, e3) - cgt_t_of(&r, s3), 3002, "initial delay after Empty");
    cgt_run_free(&r);
}

Test(coordinator, a_failover_during_a_rebalance_loses_it_and_the_members_rejoin)
{
    cgt_run_t r;
    cgt_run(&r, SCN("1", "", CONS("c1", "0") "," CONS("c2", "0") "," CONS("c3", "20000"),
                    "{\"at_ms\":20010,\"action\":\"coordinator_failover\",\"target\":\"g\"}"));
    cr_assert_eq(r.rc, 0, "%s", r.err);
    long s2 = find_gen(&r, "rebalance_start", 2);
    long f = cgt_find(&r, 0, "fault", NULL);
    cr_assert(s2 >= 0 && f > s2, "the failover hits the rebalance started at %g",
              cgt_t_of(&r, s2));
    long again = -1;
    for (size_t i = (size_t)f; i < r.n && again < 0; i++)
        if (cgt_is(r.rec[i], "rebalance_start"))
            again = (long)i;
    cr_assert_gt(again, f);
    cr_assert_str_eq(cgt_str(r.rec[again], "reason"), "coordinator_failover");
    cr_assert_eq(cgt_num(r.rec[again], "generation"), 2, "generations never go back");
    cr_assert_geq(cgt_t_of(&r, again) - 20010, 3000, "after coordinator_failover_ms");
    long e = find_gen(&r, "rebalance_end", 2);
    cr_assert_gt(e, again);
    cr_assert_eq(cgt_num(r.rec[e], "members"), 3);
    cgt_run_free(&r);
}
