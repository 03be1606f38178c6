/* tests/test_assign_kip848: the KIP-848 coordinator state machine (models/kip848/machine).
 * Hand-checked scenarios (join, revocation hand-over, leave, session expiry, rebalance-timeout
 * fencing, static leave and takeover, epoch validation, commits) and a random-operations property
 * test over 300 seeds with simulated clients that lag in revoking and lose responses: after every
 * step no partition has two holders (coordinator) or two owning clients, clients only hold what
 * the coordinator attributes to them, epochs never go backwards; after the last change the group
 * converges to STABLE at the group epoch with every subscribed partition assigned. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/kip848/machine.h"
#include "sim/rng.h"

#define SESSION_NS (45000LL * 1000000)
#define HB_NS (5000LL * 1000000)
#define MPI_NS (300000LL * 1000000)

typedef struct fx {
    cg_topic_meta_t topics[2];        /* "a", "b" */
    int64_t base[3];                  /* topic_base */
    cg_k848_group_t *g;               /* the group under test */
} fx_t;

static void fx_init(fx_t *f, int32_t pa, int32_t pb, const cg_assignor_ops_t *ops)
{
    f->topics[0] = (cg_topic_meta_t){"a", pa};
    f->topics[1] = (cg_topic_meta_t){"b", pb};
    f->base[0] = 0;
    f->base[1] = pa;
    f->base[2] = pa + pb;
    f->g = cg_k848_group_new(f->topics, 2, f->base, ops, SESSION_NS, HB_NS);
    cr_assert_not_null(f->g);
}

static const int32_t TOPIC_A[] = {0};

static cg_k848_response_t call(fx_t *f, const cg_k848_request_t *req)
{
    cg_k848_response_t r;
    char err[256] = "";
    cr_assert_eq(cg_k848_heartbeat(f->g, req, &r, err, sizeof err), 0, "%s", err);
    return r;
}

static cg_k848_response_t join(fx_t *f, const char *id, const char *inst, int32_t tag)
{
    cg_k848_request_t q = {id, inst, 0, tag, true, TOPIC_A, 1, true, NULL, 0, MPI_NS, false};
    return call(f, &q);
}

/* A steady heartbeat: only epoch and owned partitions (what the Java client sends). */
static cg_k848_response_t beat(fx_t *f, const char *id, const char *inst, int32_t epoch,
                               const int32_t *owned, size_t n)
{
    cg_k848_request_t q = {id, inst, epoch, 0, false, NULL, 0, true, owned, n, -1, false};
    return call(f, &q);
}

static cg_k848_response_t leave(fx_t *f, const char *id, const char *inst, int32_t epoch)
{
    cg_k848_request_t q = {id, inst, epoch, 0, false, NULL, 0, false, NULL, 0, -1, false};
    return call(f, &q);
}

static void expect_list(const int32_t *v, size_t n, const int32_t *exp, size_t ne, const char *what)
{
    cr_assert_eq(n, ne, "%s: %zu partitions, expected %zu", what, n, ne);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(v[i], exp[i], "%s[%zu] = %d, expected %d", what, i, v[i], exp[i]);
}

static const int32_t ALL4[] = {0, 1, 2, 3}, LOW2[] = {0, 1}, HIGH2[] = {2, 3};

/* A alone, then B joins; returns with A UNREVOKED at epoch 1 and B UNRELEASED at epoch 2. */
static void two_members_mid_handover(fx_t *f)
{
    fx_init(f, 4, 0, &cg_assignor_uniform);
    cg_k848_response_t r = join(f, "A", NULL, 0);
    cr_assert_eq(r.error, CG_K848_NONE);
    r = join(f, "B", NULL, 1);
    cr_assert_eq(r.member_epoch, 2);
    r = beat(f, "A", NULL, 1, ALL4, 4);
    cr_assert_eq(r.state, CG_K848_UNREVOKED_PARTITIONS);
}

Test(kip848, first_member_gets_everything_at_epoch_1)
{
    fx_t f;
    fx_init(&f, 4, 0, &cg_assignor_uniform);
    cg_k848_response_t r = join(&f, "A", NULL, 7);
    cr_assert_eq(r.error, CG_K848_NONE);
    cr_assert_eq(r.member_epoch, 1);
    cr_assert(r.member_added);
    cr_assert_eq(r.bump, CG_K848_BUMP_MEMBER_JOIN);
    cr_assert(r.target_computed);
    cr_assert_eq(r.group_epoch, 1);
    cr_assert(r.has_assignment);
    expect_list(r.assignment, r.n_assignment, ALL4, 4, "A");
    cr_assert_eq(r.state, CG_K848_STABLE);
    cr_assert_eq(r.group_state, CG_K848_G_STABLE);
    cr_assert_eq(r.session_timer, CG_K848_TIMER_SET);
    cr_assert_eq(r.session_timeout_ns, SESSION_NS);
    cr_assert_eq(r.heartbeat_interval_ns, HB_NS);
    cg_k848_member_view_t v;
    cr_assert(cg_k848_member_get(f.g, "A", &v));
    cr_assert_eq(v.tag, 7);
    cr_assert_eq(v.rebalance_timeout_ns, MPI_NS);
    cr_assert_str_eq(cg_k848_partition_holder(f.g, 3), "A");
    /* A steady heartbeat changes nothing and sends no assignment. */
    r = beat(&f, "A", NULL, 1, ALL4, 4);
    cr_assert_eq(r.member_epoch, 1);
    cr_assert_not(r.has_assignment);
    cr_assert_eq(r.bump, CG_K848_BUMP_NONE);
    cr_assert_eq(r.rebalance_timer, CG_K848_TIMER_KEEP);
    cg_k848_group_free(f.g);
}

Test(kip848, second_member_waits_for_revocation)
{
    fx_t f;
    fx_init(&f, 4, 0, &cg_assignor_uniform);
    join(&f, "A", NULL, 0);
    cg_k848_response_t r = join(&f, "B", NULL, 1);
    cr_assert_eq(r.group_epoch, 2);
    cr_assert_eq(r.bump, CG_K848_BUMP_MEMBER_JOIN);
    cr_assert_eq(r.member_epoch, 2);
    cr_assert_eq(r.state, CG_K848_UNRELEASED_PARTITIONS);
    cr_assert(r.has_assignment);
    cr_assert_eq(r.n_assignment, 0);
    cr_assert_eq(r.group_state, CG_K848_G_RECONCILING);
    cg_k848_member_view_t v;
    cr_assert(cg_k848_member_get(f.g, "B", &v));
    expect_list(v.target, v.n_target, HIGH2, 2, "B target");
    /* B again before A revoked: still nothing. */
    r = beat(&f, "B", NULL, 2, NULL, 0);
    cr_assert_eq(r.state, CG_K848_UNRELEASED_PARTITIONS);
    cr_assert_not(r.has_assignment);
    /* A learns: keep the low half, revoke the high half, stay at epoch 1. */
    r = beat(&f, "A", NULL, 1, ALL4, 4);
    cr_assert_eq(r.member_epoch, 1);
    cr_assert_eq(r.state, CG_K848_UNREVOKED_PARTITIONS);
    cr_assert(r.has_assignment);
    expect_list(r.assignment, r.n_assignment, LOW2, 2, "A kept");
    cr_assert_eq(r.rebalance_timer, CG_K848_TIMER_SET);
    cr_assert_eq(r.rebalance_timer_epoch, 1);
    cr_assert_eq(r.rebalance_timeout_ns, MPI_NS);
    cr_assert_str_eq(cg_k848_partition_holder(f.g, 2), "A");     /* pending revocation */
    /* A has not revoked yet: nothing moves. */
    r = beat(&f, "A", NULL, 1, ALL4, 4);
    cr_assert_eq(r.state, CG_K848_UNREVOKED_PARTITIONS);
    cr_assert_eq(r.rebalance_timer, CG_K848_TIMER_KEEP);
    r = beat(&f, "B", NULL, 2, NULL, 0);
    cr_assert_eq(r.n_assignment, 0);
    cr_assert_not_null(cg_k848_partition_holder(f.g, 3));
    /* A acknowledges: epoch 2, STABLE, timer cancelled; its partition list did not change. */
    r = beat(&f, "A", NULL, 1, LOW2, 2);
    cr_assert_eq(r.member_epoch, 2);
    cr_assert_eq(r.state, CG_K848_STABLE);
    cr_assert_not(r.has_assignment);
    cr_assert_eq(r.rebalance_timer, CG_K848_TIMER_CANCEL);
    cr_assert_null(cg_k848_partition_holder(f.g, 2));
    cr_assert_eq(r.group_state, CG_K848_G_RECONCILING);
    /* B gets the released partitions. */
    r = beat(&f, "B", NULL, 2, NULL, 0);
    cr_assert_eq(r.state, CG_K848_STABLE);
    cr_assert(r.assignment_changed);
    expect_list(r.assignment, r.n_assignment, HIGH2, 2, "B");
    cr_assert_eq(r.group_state, CG_K848_G_STABLE);
    cr_assert_str_eq(cg_k848_partition_holder(f.g, 2), "B");
    cg_k848_group_free(f.g);
}

Test(kip848, leave_bumps_and_survivor_takes_all)
{
    fx_t f;
    two_members_mid_handover(&f);
    beat(&f, "A", NULL, 1, LOW2, 2);
    beat(&f, "B", NULL, 2, NULL, 0);
    cg_k848_response_t r = leave(&f, "B", NULL, CG_K848_LEAVE_EPOCH);
    cr_assert_eq(r.error, CG_K848_NONE);
    cr_assert_eq(r.member_epoch, -1);
    cr_assert(r.member_removed);
    cr_assert_eq(r.bump, CG_K848_BUMP_MEMBER_LEAVE);
    cr_assert_eq(r.group_epoch, 3);
    cr_assert_eq(r.session_timer, CG_K848_TIMER_CANCEL);
    cr_assert_eq(r.group_state, CG_K848_G_ASSIGNING);   /* target computed at the next heartbeat */
    cr_assert_eq(cg_k848_member_count(f.g), 1);
    cr_assert_null(cg_k848_partition_holder(f.g, 2));
    r = beat(&f, "A", NULL, 2, LOW2, 2);
    cr_assert(r.target_computed);
    cr_assert_eq(r.member_epoch, 3);
    expect_list(r.assignment, r.n_assignment, ALL4, 4, "A");
    cr_assert_eq(r.group_state, CG_K848_G_STABLE);
    r = leave(&f, "B", NULL, CG_K848_LEAVE_EPOCH);
    cr_assert_eq(r.error, CG_K848_UNKNOWN_MEMBER_ID);
    cg_k848_group_free(f.g);
}

Test(kip848, session_expiry_removes_member)
{
    fx_t f;
    two_members_mid_handover(&f);
    cr_assert(cg_k848_session_expired(f.g, "B"));
    cr_assert_not(cg_k848_session_expired(f.g, "B"));
    cr_assert_eq(cg_k848_group_epoch(f.g), 3);
    cr_assert_eq(cg_k848_member_count(f.g), 1);
    /* A, still revoking for epoch 2, must finish revoking first (Kafka does not look at the new
     * target while the client owns partitions pending revocation); then it gets them back. */
    cg_k848_response_t r = beat(&f, "A", NULL, 1, ALL4, 4);
    cr_assert_eq(r.member_epoch, 1);
    cr_assert_eq(r.state, CG_K848_UNREVOKED_PARTITIONS);
    cr_assert(r.target_computed);
    r = beat(&f, "A", NULL, 1, LOW2, 2);
    cr_assert_eq(r.member_epoch, 3);
    cr_assert_eq(r.state, CG_K848_STABLE);
    expect_list(r.assignment, r.n_assignment, ALL4, 4, "A");
    cr_assert_eq(r.rebalance_timer, CG_K848_TIMER_CANCEL);
    r = beat(&f, "B", NULL, 2, NULL, 0);
    cr_assert_eq(r.error, CG_K848_UNKNOWN_MEMBER_ID);
    cg_k848_group_free(f.g);
}

Test(kip848, rebalance_timeout_fences_slow_revoker)
{
    fx_t f;
    two_members_mid_handover(&f);
    cr_assert_not(cg_k848_rebalance_timeout(f.g, "A", 0));       /* wrong epoch: ignored */
    cr_assert(cg_k848_rebalance_timeout(f.g, "A", 1));
    cr_assert_eq(cg_k848_group_epoch(f.g), 3);
    for (int32_t p = 0; p < 4; p++)
        cr_assert_null(cg_k848_partition_holder(f.g, p));
    cg_k848_response_t r = beat(&f, "B", NULL, 2, NULL, 0);
    cr_assert_eq(r.member_epoch, 3);
    expect_list(r.assignment, r.n_assignment, ALL4, 4, "B");
    r = beat(&f, "A", NULL, 1, ALL4, 4);
    cr_assert_eq(r.error, CG_K848_UNKNOWN_MEMBER_ID);
    cr_assert_eq(r.member_epoch, 1);
    /* A member that revoked in time is not fenced by a stale timer. */
    r = join(&f, "A", NULL, 0);
    cr_assert_eq(r.member_epoch, 4);
    r = beat(&f, "B", NULL, 3, ALL4, 4);
    cr_assert_eq(r.state, CG_K848_UNREVOKED_PARTITIONS);
    r = beat(&f, "B", NULL, 3, LOW2, 2);
    cr_assert_eq(r.member_epoch, 4);
    cr_assert_not(cg_k848_rebalance_timeout(f.g, "B", 3));
    cg_k848_group_free(f.g);
}

Test(kip848, static_leave_keeps_assignment_and_takeover_gets_it)
{
    fx_t f;
    fx_init(&f, 4, 0, &cg_assignor_uniform);
    join(&f, "s1-a", "i1", 0);
    join(&f, "d", NULL, 1);
    beat(&f, "s1-a", "i1", 1, ALL4, 4);
    cg_k848_response_t r = beat(&f, "s1-a", "i1", 1, LOW2, 2);
    cr_assert_eq(r.member_epoch, 2);
    r = beat(&f, "d", NULL, 2, NULL, 0);
    cr_assert_eq(r.group_state, CG_K848_G_STABLE);
    /* Temporary leave: no bump, member kept at -2 with its partitions. */
    r = leave(&f, "s1-a", "i1", CG_K848_STATIC_LEAVE_EPOCH);
    cr_assert_eq(r.error, CG_K848_NONE);
    cr_assert_eq(r.member_epoch, -2);
    cr_assert_eq(r.bump, CG_K848_BUMP_NONE);
    cr_assert_not(r.member_removed);
    cr_assert_eq(r.session_timer, CG_K848_TIMER_KEEP);
    cr_assert_eq(cg_k848_group_epoch(f.g), 2);
    cr_assert_eq(cg_k848_member_count(f.g), 2);
    cr_assert_str_eq(cg_k848_partition_holder(f.g, 0), "s1-a");
    cr_assert_eq(cg_k848_group_state(f.g), CG_K848_G_RECONCILING);
    /* The old incarnation can no longer heartbeat at its epoch. */
    r = beat(&f, "s1-a", "i1", 2, LOW2, 2);
    cr_assert_eq(r.error, CG_K848_FENCED_MEMBER_EPOCH);
    /* A new process with the same instance id takes over: same assignment, no rebalance. */
    r = join(&f, "s1-b", "i1", 5);
    cr_assert_eq(r.error, CG_K848_NONE);
    cr_assert(r.member_replaced);
    cr_assert_str_eq(r.replaced_member_id, "s1-a");
    cr_assert_eq(r.replaced_tag, 0);
    cr_assert_not(r.member_added);
    cr_assert_eq(r.bump, CG_K848_BUMP_NONE);
    cr_assert_eq(r.member_epoch, 2);
    expect_list(r.assignment, r.n_assignment, LOW2, 2, "s1-b");
    cr_assert_eq(r.group_state, CG_K848_G_STABLE);
    cr_assert_str_eq(cg_k848_partition_holder(f.g, 1), "s1-b");
    cr_assert_not(cg_k848_member_get(f.g, "s1-a", &(cg_k848_member_view_t){0}));
    /* The old process is fenced by the new one; a third one cannot take an active instance. */
    r = beat(&f, "s1-a", "i1", 2, LOW2, 2);
    cr_assert_eq(r.error, CG_K848_FENCED_INSTANCE_ID);
    r = join(&f, "s1-c", "i1", 6);
    cr_assert_eq(r.error, CG_K848_UNRELEASED_INSTANCE_ID);
    cr_assert_eq(cg_k848_member_count(f.g), 2);
    cg_k848_group_free(f.g);
}

Test(kip848, static_member_away_expires_and_partitions_move)
{
    fx_t f;
    fx_init(&f, 4, 0, &cg_assignor_uniform);
    join(&f, "s", "i1", 0);
    join(&f, "d", NULL, 1);
    beat(&f, "s", "i1", 1, ALL4, 4);
    beat(&f, "s", "i1", 1, LOW2, 2);
    beat(&f, "d", NULL, 2, NULL, 0);
    leave(&f, "s", "i1", CG_K848_STATIC_LEAVE_EPOCH);
    cg_k848_response_t r = beat(&f, "d", NULL, 2, HIGH2, 2);
    cr_assert_not(r.has_assignment);
    cr_assert_eq(r.member_epoch, 2);
    cr_assert(cg_k848_session_expired(f.g, "s"));
    cr_assert_eq(cg_k848_group_epoch(f.g), 3);
    r = beat(&f, "d", NULL, 2, HIGH2, 2);
    cr_assert_eq(r.member_epoch, 3);
    expect_list(r.assignment, r.n_assignment, ALL4, 4, "d");
    cr_assert_eq(r.group_state, CG_K848_G_STABLE);
    cg_k848_group_free(f.g);
}

Test(kip848, epoch_validation_and_lost_response_tolerance)
{
    fx_t f;
    two_members_mid_handover(&f);
    cg_k848_response_t r = beat(&f, "A", NULL, 1, LOW2, 2);      /* A: epoch 2, previous 1 */
    cr_assert_eq(r.member_epoch, 2);
    r = beat(&f, "A", NULL, 3, LOW2, 2);
    cr_assert_eq(r.error, CG_K848_FENCED_MEMBER_EPOCH);
    cr_assert_eq(r.session_timer, CG_K848_TIMER_KEEP);
    /* The response with epoch 2 was lost: epoch 1 with owned within the assignment is fine. */
    r = beat(&f, "A", NULL, 1, LOW2, 2);
    cr_assert_eq(r.error, CG_K848_NONE);
    cr_assert_eq(r.member_epoch, 2);
    r = beat(&f, "A", NULL, 1, ALL4, 4);                          /* not a subset */
    cr_assert_eq(r.error, CG_K848_FENCED_MEMBER_EPOCH);
    r = beat(&f, "A", NULL, 0 + 1, NULL, 0);
    cr_assert_eq(r.error, CG_K848_NONE);                          /* [] is a subset */
    /* After a fence the client rejoins with epoch 0 and the same id (KAFKA-19233). */
    r = join(&f, "A", NULL, 3);
    cr_assert_eq(r.error, CG_K848_NONE);
    cr_assert_not(r.member_added);
    cr_assert_eq(r.bump, CG_K848_BUMP_NONE);
    cr_assert_eq(r.member_epoch, 2);
    expect_list(r.assignment, r.n_assignment, LOW2, 2, "A rejoined");
    r = beat(&f, "nobody", NULL, 4, NULL, 0);
    cr_assert_eq(r.error, CG_K848_UNKNOWN_MEMBER_ID);
    cg_k848_group_free(f.g);
}

Test(kip848, invalid_requests)
{
    fx_t f;
    fx_init(&f, 4, 0, &cg_assignor_uniform);
    cg_k848_request_t q = {"A", NULL, 0, 0, false, NULL, 0, true, NULL, 0, MPI_NS, false};
    cr_assert_eq(call(&f, &q).error, CG_K848_INVALID_REQUEST);     /* join without topics */
    q = (cg_k848_request_t){"A", NULL, 0, 0, true, TOPIC_A, 1, true, LOW2, 2, MPI_NS, false};
    cr_assert_eq(call(&f, &q).error, CG_K848_INVALID_REQUEST);     /* join owning partitions */
    q = (cg_k848_request_t){"A", NULL, 0, 0, true, TOPIC_A, 1, true, NULL, 0, -1, false};
    cr_assert_eq(call(&f, &q).error, CG_K848_INVALID_REQUEST);     /* no rebalance timeout */
    q = (cg_k848_request_t){"", NULL, 0, 0, true, TOPIC_A, 1, true, NULL, 0, MPI_NS, false};
    cr_assert_eq(call(&f, &q).error, CG_K848_INVALID_REQUEST);     /* no member id */
    cr_assert_eq(leave(&f, "A", NULL, -2).error, CG_K848_INVALID_REQUEST);
    cr_assert_eq(cg_k848_group_epoch(f.g), 0);
    cr_assert_eq(cg_k848_group_state(f.g), CG_K848_G_EMPTY);
    cg_k848_group_free(f.g);
}

Test(kip848, commit_check_uses_member_epoch)
{
    fx_t f;
    fx_init(&f, 4, 0, &cg_assignor_uniform);
    cr_assert_eq(cg_k848_commit_check(f.g, "", -1), CG_K848_NONE);  /* empty group, admin */
    join(&f, "A", NULL, 0);
    cr_assert_eq(cg_k848_commit_check(f.g, "A", 1), CG_K848_NONE);
    cr_assert_eq(cg_k848_commit_check(f.g, "A", 0), CG_K848_STALE_MEMBER_EPOCH);
    cr_assert_eq(cg_k848_commit_check(f.g, "A", 2), CG_K848_STALE_MEMBER_EPOCH);
    cr_assert_eq(cg_k848_commit_check(f.g, "X", 1), CG_K848_UNKNOWN_MEMBER_ID);
    cr_assert_eq(cg_k848_commit_check(f.g, "", -1), CG_K848_UNKNOWN_MEMBER_ID);
    join(&f, "B", NULL, 1);
    /* A is still at epoch 1 until it reconciles, so its commits at 1 are accepted. */
    cr_assert_eq(cg_k848_commit_check(f.g, "A", 1), CG_K848_NONE);
    cr_assert_str_eq(cg_k848_err_name(CG_K848_STALE_MEMBER_EPOCH), "STALE_MEMBER_EPOCH");
    cg_k848_group_free(f.g);
}

Test(kip848, subscription_change_bumps_epoch)
{
    fx_t f;
    fx_init(&f, 2, 2, &cg_assignor_server_range);
    join(&f, "A", NULL, 0);
    static const int32_t both[] = {0, 1};
    const int32_t a2[] = {0, 1};
    cg_k848_request_t q = {"A", NULL, 1, 0, true, both, 2, true, a2, 2, -1, false};
    cg_k848_response_t r = call(&f, &q);
    cr_assert_eq(r.bump, CG_K848_BUMP_SUBSCRIPTION);
    cr_assert_eq(r.member_epoch, 2);
    expect_list(r.assignment, r.n_assignment, ALL4, 4, "A both topics");
    r = call(&f, &q);                                  /* same subscription: nothing */
    cr_assert_eq(r.bump, CG_K848_BUMP_NONE);
    cg_k848_group_free(f.g);
}

/* ---------------- random-operations property test ---------------- */

#define PA 7
#define PB 5
#define NP (PA + PB)
#define NCLIENTS 8

typedef struct client {
    char id[32];                      /* member id of the current incarnation */
    char inst[16];                    /* instance id, "" = dynamic */
    int incarnation;                  /* processes started so far */
    bool alive;                       /* process running */
    bool need_join;                   /* must send epoch 0 next */
    bool zombie;                      /* removed by the coordinator, does not know yet */
    bool full_next;                   /* send a full request next (after a lost response) */
    int32_t epoch;                    /* epoch known by the client */
    int32_t max_epoch;                /* highest coordinator epoch seen for this member id */
    int32_t topics[2];                /* subscription */
    size_t n_topics;
    bool held[NP];                    /* partitions the client owns */
    bool want[NP];                    /* last assignment received */
    bool timer_armed;                 /* coordinator side: rebalance timer of its member */
    int32_t timer_epoch;              /* epoch the timer was armed at */
} client_t;

/* How often the interesting paths ran over all seeds (the test asserts each happened). */
typedef struct stats {
    long unrevoked;                   /* responses in UNREVOKED_PARTITIONS */
    long unreleased;                  /* responses in UNRELEASED_PARTITIONS */
    long replaced;                    /* static takeovers */
    long tolerated;                   /* heartbeats at the previous epoch accepted */
    long fenced_epoch;                /* FENCED_MEMBER_EPOCH */
    long unreleased_instance;         /* UNRELEASED_INSTANCE_ID */
    long timer_fenced;                /* rebalance timers that fenced a member */
    long converged_members;           /* members checked after convergence */
} stats_t;

typedef struct world {
    fx_t f;
    sim_rng_t rng;
    client_t c[NCLIENTS];
    uint64_t seed;
    stats_t *st;
} world_t;

static bool coin(world_t *w, double p) { return sim_rng_uniform(&w->rng) < p; }
static const char *inst_of(const client_t *c) { return c->inst[0] ? c->inst : NULL; }

static size_t held_list(const client_t *c, int32_t *out)
{
    size_t n = 0;
    for (int32_t p = 0; p < NP; p++)
        if (c->held[p])
            out[n++] = p;
    return n;
}

static void client_drop_all(client_t *c) { memset(c->held, 0, sizeof c->held); }

static void client_start(world_t *w, client_t *c)
{
    c->incarnation++;
    snprintf(c->id, sizeof c->id, "c%d-%d", (int)(c - w->c), c->incarnation);
    c->alive = c->need_join = true;
    c->zombie = c->full_next = false;
    c->epoch = 0;
    c->max_epoch = 0;
    c->timer_armed = false;
    client_drop_all(c);
    memset(c->want, 0, sizeof c->want);
    uint64_t k = sim_rng_below(&w->rng, 3);            /* a, b or both */
    c->n_topics = 0;
    if (k != 1)
        c->topics[c->n_topics++] = 0;
    if (k != 0)
        c->topics[c->n_topics++] = 1;
}

/* Apply an assignment: new partitions are owned at once, revocations may lag. */
static void client_assign(world_t *w, client_t *c, const int32_t *a, size_t n, double lag)
{
    memset(c->want, 0, sizeof c->want);
    for (size_t i = 0; i < n; i++)
        c->want[a[i]] = true;
    bool revoke_now = !coin(w, lag);
    for (int32_t p = 0; p < NP; p++) {
        if (c->want[p])
            c->held[p] = true;
        else if (revoke_now)
            c->held[p] = false;
    }
}

/* What the world does with the response's timer outputs, lost or not. */
static void coordinator_timers(world_t *w, client_t *c, const cg_k848_response_t *r)
{
    if (r->rebalance_timer == CG_K848_TIMER_SET) {
        cr_assert_eq(r->state, CG_K848_UNREVOKED_PARTITIONS);
        c->timer_armed = true;
        c->timer_epoch = r->rebalance_timer_epoch;
    } else if (r->rebalance_timer == CG_K848_TIMER_CANCEL) {
        c->timer_armed = false;
    }
    w->st->unrevoked += r->state == CG_K848_UNREVOKED_PARTITIONS;
    w->st->unreleased += r->state == CG_K848_UNRELEASED_PARTITIONS;
    w->st->replaced += r->member_replaced;
    w->st->fenced_epoch += r->error == CG_K848_FENCED_MEMBER_EPOCH;
    w->st->unreleased_instance += r->error == CG_K848_UNRELEASED_INSTANCE_ID;
}

static void client_heartbeat(world_t *w, client_t *c, double lag, double loss)
{
    int32_t owned[NP];
    size_t n_owned = held_list(c, owned);
    bool full = c->need_join || c->full_next || coin(w, 0.1);
    cg_k848_request_t q = {c->id, inst_of(c), c->need_join ? 0 : c->epoch, (int32_t)(c - w->c),
                           full, c->topics, c->n_topics, true, owned, c->need_join ? 0 : n_owned,
                           full ? MPI_NS : -1, false};
    if (c->need_join)
        client_drop_all(c);
    cg_k848_member_view_t before;
    bool known = cg_k848_member_get(w->f.g, c->id, &before);
    cg_k848_response_t r = call(&w->f, &q);
    coordinator_timers(w, c, &r);
    if (r.error == CG_K848_NONE && known && q.member_epoch > 0 && q.member_epoch < before.epoch)
        w->st->tolerated++;
    cr_assert_neq(r.error, CG_K848_INVALID_REQUEST, "seed %llu: %s rejected",
                  (unsigned long long)w->seed, c->id);
    if (r.error == CG_K848_NONE && coin(w, loss)) {
        c->full_next = true;                           /* the client retries with everything */
        return;
    }
    c->full_next = false;
    switch (r.error) {
    case CG_K848_NONE:
        cr_assert_geq(r.member_epoch, c->need_join ? 0 : c->epoch, "seed %llu: %s epoch back",
                      (unsigned long long)w->seed, c->id);
        c->need_join = c->zombie = false;
        c->epoch = r.member_epoch;
        if (r.has_assignment)
            client_assign(w, c, r.assignment, r.n_assignment, lag);
        else if (!coin(w, lag))                        /* a lagging revocation completes */
            for (int32_t p = 0; p < NP; p++)
                c->held[p] = c->held[p] && c->want[p];
        break;
    case CG_K848_FENCED_MEMBER_EPOCH:
    case CG_K848_UNKNOWN_MEMBER_ID:                    /* partitions lost, rejoin */
        client_drop_all(c);
        c->need_join = true;
        c->zombie = false;
        break;
    default:                                           /* fatal for the client */
        client_drop_all(c);
        c->alive = false;
        c->zombie = false;
        break;
    }
}

/* The client of a member id "c<index>-<incarnation>"; *current: it is the running incarnation
 * (an older one is a dead process whose member has not expired yet). */
static client_t *client_of(world_t *w, const char *member_id, bool *current)
{
    int idx = -1, inc = -1;
    cr_assert_eq(sscanf(member_id, "c%d-%d", &idx, &inc), 2, "member id %s", member_id);
    cr_assert(idx >= 0 && idx < NCLIENTS);
    client_t *c = &w->c[idx];
    *current = inc == c->incarnation;
    return c;
}

/* Coordinator-side invariants plus the clients' view. */
static void check_invariants(world_t *w)
{
    cg_k848_group_t *g = w->f.g;
    const char *holder[NP];
    const char *target_of[NP];
    memset(target_of, 0, sizeof target_of);
    size_t held_total = 0;
    for (int32_t p = 0; p < NP; p++)
        holder[p] = cg_k848_partition_holder(g, p);
    cg_k848_member_view_t v;
    size_t n_stable_at_target = 0;
    for (size_t i = 0; cg_k848_member_at(g, i, &v); i++) {
        for (size_t k = 0; k < v.n_assigned; k++)
            cr_assert(holder[v.assigned[k]] && !strcmp(holder[v.assigned[k]], v.member_id));
        for (size_t k = 0; k < v.n_pending; k++)
            cr_assert(holder[v.pending[k]] && !strcmp(holder[v.pending[k]], v.member_id));
        held_total += v.n_assigned + v.n_pending;
        for (size_t k = 0; k < v.n_target; k++) {
            cr_assert_null(target_of[v.target[k]], "seed %llu: two targets",
                           (unsigned long long)w->seed);
            target_of[v.target[k]] = v.member_id;
        }
        cr_assert(v.epoch == -2 || v.epoch <= cg_k848_target_epoch(g));
        n_stable_at_target += v.state == CG_K848_STABLE && v.epoch == cg_k848_target_epoch(g);
        bool current;
        client_t *c = client_of(w, v.member_id, &current);
        if (!current)
            continue;
        if (v.state == CG_K848_UNREVOKED_PARTITIONS && v.epoch >= 0)
            cr_assert(c->timer_armed && c->timer_epoch == v.epoch,
                      "seed %llu: %s revoking without a rebalance timer",
                      (unsigned long long)w->seed, v.member_id);
        if (v.epoch >= 1) {
            cr_assert_geq(v.epoch, c->max_epoch, "seed %llu: %s epoch %d < %d",
                          (unsigned long long)w->seed, v.member_id, v.epoch, c->max_epoch);
            c->max_epoch = v.epoch;
        }
        /* A live client holds only what the coordinator attributes to its member. */
        if (c->alive && !c->zombie)
            for (int32_t p = 0; p < NP; p++)
                cr_assert(!c->held[p] || (holder[p] && !strcmp(holder[p], v.member_id)),
                          "seed %llu: %s holds %d, coordinator says %s",
                          (unsigned long long)w->seed, v.member_id, p,
                          holder[p] ? holder[p] : "nobody");
    }
    size_t n_holders = 0;
    for (int32_t p = 0; p < NP; p++)
        n_holders += holder[p] != NULL;
    cr_assert_eq(n_holders, held_total, "seed %llu: partition listed twice",
                 (unsigned long long)w->seed);
    /* Never two owning clients. */
    for (int32_t p = 0; p < NP; p++) {
        int owners = 0;
        for (int i = 0; i < NCLIENTS; i++)
            owners += w->c[i].alive && !w->c[i].zombie && w->c[i].held[p];
        cr_assert_leq(owners, 1, "seed %llu: partition %d has %d owners",
                      (unsigned long long)w->seed, p, owners);
    }
    if (cg_k848_group_state(g) == CG_K848_G_STABLE)
        cr_assert_eq(n_stable_at_target, cg_k848_member_count(g));
}

static void random_removal(world_t *w)
{
    size_t n = cg_k848_member_count(w->f.g);
    if (n == 0)
        return;
    cg_k848_member_view_t v;
    cr_assert(cg_k848_member_at(w->f.g, sim_rng_below(&w->rng, n), &v));
    bool current;
    client_t *c = client_of(w, v.member_id, &current);
    bool removed;
    removed = cg_k848_session_expired(w->f.g, v.member_id);
    cr_assert(removed);
    if (current) {
        c->timer_armed = false;                       /* removal cancels its timers */
        c->zombie = c->alive;
    }
}

/* The rebalance timer of a client's member fires. The outputs cancel it whenever the member
 * leaves that epoch, so an armed timer always finds the member still revoking: fenced. */
static void timer_fires(world_t *w, client_t *c)
{
    if (!c->timer_armed)
        return;
    cg_k848_member_view_t v;
    bool expect = cg_k848_member_get(w->f.g, c->id, &v) && v.epoch == c->timer_epoch;
    bool fenced = cg_k848_rebalance_timeout(w->f.g, c->id, c->timer_epoch);
    cr_assert(expect && v.state == CG_K848_UNREVOKED_PARTITIONS, "seed %llu: stale timer",
              (unsigned long long)w->seed);
    cr_assert(fenced);
    cr_assert_not(cg_k848_member_get(w->f.g, c->id, &v));
    c->timer_armed = false;
    w->st->timer_fenced++;
    c->zombie = c->alive;
}

static void client_close(world_t *w, client_t *c)
{
    client_drop_all(c);                               /* revoked on close */
    c->alive = false;
    if (c->need_join)
        return;
    int32_t e = c->inst[0] && coin(w, 0.8) ? CG_K848_STATIC_LEAVE_EPOCH : CG_K848_LEAVE_EPOCH;
    cg_k848_response_t r = leave(&w->f, c->id, inst_of(c), e);
    if (r.error == CG_K848_NONE)
        c->timer_armed = false;
    cr_assert(r.error == CG_K848_NONE || r.error == CG_K848_UNKNOWN_MEMBER_ID ||
              r.error == CG_K848_FENCED_INSTANCE_ID);
}

static void random_step(world_t *w)
{
    client_t *c = &w->c[sim_rng_below(&w->rng, NCLIENTS)];
    double x = sim_rng_uniform(&w->rng);
    if (c->timer_armed && coin(w, 0.05)) {
        timer_fires(w, c);
    } else if (!c->alive) {
        if (x < 0.3)
            client_start(w, c);
    } else if (x < 0.75) {
        client_heartbeat(w, c, 0.4, 0.1);
    } else if (x < 0.80) {
        client_close(w, c);
    } else if (x < 0.84) {
        client_drop_all(c);                           /* crash: the session expires later */
        c->alive = false;
    } else if (x < 0.88) {
        random_removal(w);
    } else if (x < 0.92 && !c->need_join) {
        uint64_t k = sim_rng_below(&w->rng, 3);
        c->n_topics = 0;
        if (k != 1)
            c->topics[c->n_topics++] = 0;
        if (k != 0)
            c->topics[c->n_topics++] = 1;
        c->full_next = true;
    } else {
        client_heartbeat(w, c, 0.4, 0.1);
    }
}

/* No more changes: members of dead processes expire, live clients heartbeat promptly. A client
 * fenced because of an earlier lost response may die now (a static one gets
 * UNRELEASED_INSTANCE_ID on its rejoin), so expire and heartbeat again. */
static void converge(world_t *w)
{
    for (int phase = 0; phase < 3; phase++) {
        cg_k848_member_view_t v;
        for (size_t i = 0; cg_k848_member_at(w->f.g, i, &v);) {
            bool current;
            client_t *c = client_of(w, v.member_id, &current);
            if (!current || !c->alive || c->zombie || v.epoch == CG_K848_STATIC_LEAVE_EPOCH) {
                cr_assert(cg_k848_session_expired(w->f.g, v.member_id));
                if (current)
                    c->timer_armed = false;
            } else
                i++;
        }
        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < NCLIENTS; i++)
                if (w->c[i].alive)
                    client_heartbeat(w, &w->c[i], 0.0, 0.0);
            check_invariants(w);
        }
    }
}

static void check_converged(world_t *w)
{
    cg_k848_group_t *g = w->f.g;
    if (cg_k848_member_count(g) == 0) {
        cr_assert_eq(cg_k848_group_state(g), CG_K848_G_EMPTY);
        return;
    }
    if (cg_k848_group_state(g) != CG_K848_G_STABLE) {
        cg_k848_member_view_t d;
        for (size_t i = 0; cg_k848_member_at(g, i, &d); i++)
            fprintf(stderr, "%s epoch %d state %s assigned %zu pending %zu target %zu\n",
                    d.member_id, d.epoch, cg_k848_mstate_name(d.state), d.n_assigned,
                    d.n_pending, d.n_target);
    }
    cr_assert_eq(cg_k848_group_state(g), CG_K848_G_STABLE, "seed %llu: %s",
                 (unsigned long long)w->seed, cg_k848_gstate_name(cg_k848_group_state(g)));
    bool subscribed[2] = {false, false};
    cg_k848_member_view_t v;
    for (size_t i = 0; cg_k848_member_at(g, i, &v); i++) {
        cr_assert_eq(v.epoch, cg_k848_group_epoch(g));
        cr_assert_eq(v.state, CG_K848_STABLE);
        expect_list(v.assigned, v.n_assigned, v.target, v.n_target, "assigned vs target");
        bool current;
        client_t *c = client_of(w, v.member_id, &current);
        cr_assert(current && c->alive);
        w->st->converged_members++;
        int32_t held[NP];
        size_t n = held_list(c, held);
        expect_list(held, n, v.assigned, v.n_assigned, "client vs coordinator");
        for (size_t k = 0; k < v.n_topics; k++)
            subscribed[v.topics[k]] = true;
    }
    for (int32_t p = 0; p < NP; p++)
        cr_assert_eq(cg_k848_partition_holder(g, p) != NULL, subscribed[p < PA ? 0 : 1],
                     "seed %llu: partition %d", (unsigned long long)w->seed, p);
}

Test(kip848, random_operations_property)
{
    stats_t st = {0};
    for (uint64_t seed = 1; seed <= 300; seed++) {
        world_t *w = calloc(1, sizeof *w);
        cr_assert_not_null(w);
        w->seed = seed;
        w->st = &st;
        fx_init(&w->f, PA, PB, seed % 2 ? &cg_assignor_uniform : &cg_assignor_server_range);
        cr_assert_eq(sim_rng_init(&w->rng, seed, "test/kip848"), 0);
        for (int i = 0; i < NCLIENTS; i++)
            if (i % 3 == 0)
                snprintf(w->c[i].inst, sizeof w->c[i].inst, "i%d", i);
        for (int step = 0; step < 400; step++) {
            random_step(w);
            check_invariants(w);
        }
        converge(w);
        check_converged(w);
        sim_rng_fini(&w->rng);
        cg_k848_group_free(w->f.g);
        free(w);
    }
    cr_log_info("unrevoked %ld unreleased %ld replaced %ld tolerated %ld fenced %ld "
                "unreleased_instance %ld timer_fenced %ld converged %ld",
                st.unrevoked, st.unreleased, st.replaced, st.tolerated, st.fenced_epoch,
                st.unreleased_instance, st.timer_fenced, st.converged_members);
    cr_assert(st.unrevoked > 0 && st.unreleased > 0 && st.replaced > 0 && st.tolerated > 0 &&
              st.fenced_epoch > 0 && st.unreleased_instance > 0 && st.timer_fenced > 0 &&
              st.converged_members > 300);
}

/* ConsumerGroup.fromClassicGroup: classic members imported STABLE at epoch = the generation,
 * their last assignment as assigned and target; a joining member bumps the epoch and waits
 * (waitingOnUnreleasedPartition) until the imported members released what it is given. */
Test(kip848, online_upgrade_imports_classic_members)
{
    fx_t f;
    fx_init(&f, 4, 0, &cg_assignor_uniform);
    cg_k848_group_set_epoch(f.g, 5);
    cg_k848_import_t a = {"A", NULL, 0, 5, TOPIC_A, 1, LOW2, 2, MPI_NS};
    cg_k848_import_t b = {"B", NULL, 1, 5, TOPIC_A, 1, HIGH2, 2, MPI_NS};
    cr_assert_eq(cg_k848_import_member(f.g, &a), 0);
    cr_assert_eq(cg_k848_import_member(f.g, &b), 0);
    cg_k848_import_t dup = {"D", NULL, 3, 5, TOPIC_A, 1, HIGH2, 1, MPI_NS};
    cr_assert_eq(cg_k848_import_member(f.g, &dup), -1, "partition 2 is B's");
    cr_assert_eq(cg_k848_group_epoch(f.g), 5);
    cr_assert_eq(cg_k848_target_epoch(f.g), 5);
    cr_assert_eq(cg_k848_group_state(f.g), CG_K848_G_STABLE);
    cr_assert_str_eq(cg_k848_partition_holder(f.g, 1), "A");
    cr_assert_str_eq(cg_k848_partition_holder(f.g, 3), "B");
    cg_k848_member_view_t v;
    cr_assert(cg_k848_member_get(f.g, "B", &v));
    cr_assert_eq(v.epoch, 5);
    expect_list(v.target, v.n_target, HIGH2, 2, "B target");
    /* A steady heartbeat at the imported epoch is accepted as is. */
    cg_k848_response_t r = beat(&f, "A", NULL, 5, LOW2, 2);
    cr_assert_eq(r.error, CG_K848_NONE);
    cr_assert_eq(r.member_epoch, 5);
    /* C joins: epoch 6, a new target; what it is given is still held by A or B. */
    r = join(&f, "C", NULL, 2);
    cr_assert_eq(r.group_epoch, 6);
    cr_assert_eq(r.bump, CG_K848_BUMP_MEMBER_JOIN);
    cr_assert(cg_k848_member_get(f.g, "C", &v));
    cr_assert_gt(v.n_target, 0);
    cr_assert_eq(r.state, CG_K848_UNRELEASED_PARTITIONS);
    cr_assert(cg_k848_member_waiting(f.g, "C"));
    cr_assert_not(cg_k848_member_waiting(f.g, "A"));
    /* A and B learn, revoke and acknowledge: C no longer waits. */
    for (int round = 0; round < 2; round++) {
        const char *ids[2] = {"A", "B"};
        for (int k = 0; k < 2; k++) {
            cr_assert(cg_k848_member_get(f.g, ids[k], &v));
            int32_t owned[4];
            size_t n = v.n_assigned;
            for (size_t j = 0; j < v.n_assigned; j++)
                owned[j] = v.assigned[j];
            for (size_t j = 0; round == 0 && j < v.n_pending; j++)
                owned[n++] = v.pending[j];  /* still owns what it is revoking */
            beat(&f, ids[k], NULL, v.epoch, owned, n);
        }
    }
    cr_assert_not(cg_k848_member_waiting(f.g, "C"));
    cr_assert_not(cg_k848_member_waiting(f.g, "nobody"));
    cg_k848_group_free(f.g);
}
