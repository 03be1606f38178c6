/* models/autoscale: the HPA's arithmetic (models/autoscale/hpa) and KEDA's metric
 * (models/autoscale/keda) on cases worked out by hand from kafka-operations.md section 1, and a
 * run whose `autoscale` records are checked against the rest of its trace: the lag each one
 * reports recomputed from the commit records and the debug `lag_sample` log ends, the replica
 * count carried from record to record, every deleted pod's `leave` and every created pod's
 * `join` after its start delay. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include "models/autoscale/hpa.h"
#include "models/autoscale/keda.h"
#include "tests/support/cg_test_run.h"

#define S_NS 1000000000LL

static cg_autoscaler_cfg_t cfg(int64_t threshold, int32_t max)
{
    cg_autoscaler_cfg_t a;
    memset(&a, 0, sizeof a);
    a.lag_threshold = threshold;
    a.max_replicas = max;
    a.tolerance = 0.1;
    a.downscale_window_ns = 300 * S_NS;
    a.up = (cg_hpa_rules_t){.window_ns = 0, .select = CG_HPA_SELECT_MAX, .tolerance = 0.1,
                            .n_policies = 2};
    a.up.policies[0] = (cg_hpa_policy_t){CG_HPA_PODS, 4, 15 * S_NS};
    a.up.policies[1] = (cg_hpa_policy_t){CG_HPA_PERCENT, 100, 15 * S_NS};
    a.down = (cg_hpa_rules_t){.window_ns = 300 * S_NS, .select = CG_HPA_SELECT_MAX,
                              .tolerance = 0.1, .n_policies = 1};
    a.down.policies[0] = (cg_hpa_policy_t){CG_HPA_PERCENT, 100, 15 * S_NS};
    return a;
}

static cg_hpa_decision_t once(const cg_autoscaler_cfg_t *a, int32_t current, int64_t metric)
{
    cg_hpa_t h;
    cg_hpa_decision_t d;
    cg_hpa_init(&h, a);
    cr_assert_eq(cg_hpa_reconcile(&h, 15 * S_NS, current, metric, &d), 0);
    cg_hpa_fini(&h);
    return d;
}

Test(autoscale_hpa, ceil_div_of_external_average_value)
{
    cr_assert_eq(cg_hpa_ceil_div(35, 10), 4);
    cr_assert_eq(cg_hpa_ceil_div(40, 10), 4);
    cr_assert_eq(cg_hpa_ceil_div(0, 10), 0);
    cr_assert_eq(cg_hpa_ceil_div(-5, 10), 0);
    cr_assert_eq(cg_hpa_ceil_div(-15, 10), -1);
}

Test(autoscale_hpa, nil_behavior_doubles_or_four)
{
    cg_autoscaler_cfg_t a = cfg(10, 100);
    cg_hpa_decision_t d = once(&a, 1, 100);
    cr_assert_eq(d.proposal, 10);
    cr_assert_eq(d.desired, 4, "max(2 x 1, 4)");
    cr_assert_str_eq(d.reason, "ScaleUpLimit");
    d = once(&a, 5, 1000);
    cr_assert_eq(d.desired, 10, "max(2 x 5, 4)");
    a.max_replicas = 8;
    d = once(&a, 5, 1000);
    cr_assert_eq(d.desired, 8);
    cr_assert_str_eq(d.reason, "TooManyReplicas");
}

Test(autoscale_hpa, default_behavior_allows_plus_four_per_period)
{
    cg_autoscaler_cfg_t a = cfg(10, 100);
    a.behavior = true;
    cg_hpa_decision_t d = once(&a, 1, 100);
    cr_assert_eq(d.desired, 5, "max(1 + 4, ceil(1 x 2)): the docs' defaults, not nil's 4");
    cr_assert_str_eq(d.reason, "ScaleUpLimit");
    d = once(&a, 6, 1000);
    cr_assert_eq(d.desired, 12, "max(6 + 4, 6 x 2)");
}

Test(autoscale_hpa, tolerance_and_gates)
{
    cg_autoscaler_cfg_t a = cfg(10, 20);
    cg_hpa_decision_t d = once(&a, 10, 110);
    cr_assert_eq(d.desired, 10, "ratio 1.1 is within");
    cr_assert_str_eq(d.reason, "WithinTolerance");
    d = once(&a, 10, 111);
    cr_assert_eq(d.desired, 12, "ceil(11.1)");
    d = once(&a, 10, 89);
    cr_assert_eq(d.proposal, 9);
    cr_assert_eq(d.desired, 9, "a first recommendation stabilizes against itself only");
    d = once(&a, 0, 500);
    cr_assert_eq(d.desired, 0);
    cr_assert_str_eq(d.reason, "ScalingDisabled");
    cr_assert_eq(d.proposal, CG_HPA_NO_PROPOSAL);
    d = once(&a, 25, 500);
    cr_assert_eq(d.desired, 20);
    cr_assert_str_eq(d.reason, "AboveMaxReplicas");
    a.min_replicas = 3;
    d = once(&a, 2, 0);
    cr_assert_eq(d.desired, 3);
    cr_assert_str_eq(d.reason, "BelowMinReplicas");
}

Test(autoscale_hpa, downscale_window_keeps_the_max_for_300s)
{
    cg_autoscaler_cfg_t a = cfg(10, 20);
    cg_hpa_t h;
    cg_hpa_decision_t d;
    cg_hpa_init(&h, &a);
    cr_assert_eq(cg_hpa_reconcile(&h, 0, 10, 100, &d), 0);
    cr_assert_eq(d.desired, 10);
    int32_t cur = 10;
    for (int64_t t = 15; t < 300; t += 15) {
        cr_assert_eq(cg_hpa_reconcile(&h, t * S_NS, cur, 20, &d), 0);
        cr_assert_eq(d.desired, 10, "t=%lld s: the 10 of t=0 is inside the window", t);
        cr_assert_str_eq(d.reason, "ScaleDownStabilized");
    }
    /* At 300 s the cutoff is 0: the record of t=0 is not after it (time.After). */
    cr_assert_eq(cg_hpa_reconcile(&h, 300 * S_NS, cur, 20, &d), 0);
    cr_assert_eq(d.desired, 2);
    cg_hpa_fini(&h);
}

Test(autoscale_hpa, pods_policy_limits_scale_down_per_period)
{
    cg_autoscaler_cfg_t a = cfg(10, 20);
    a.behavior = true;
    a.down.window_ns = 0;
    a.down.policies[0] = (cg_hpa_policy_t){CG_HPA_PODS, 1, 60 * S_NS};
    cg_hpa_t h;
    cg_hpa_decision_t d;
    cg_hpa_init(&h, &a);
    cr_assert_eq(cg_hpa_reconcile(&h, 0, 5, 10, &d), 0);
    cr_assert_eq(d.desired, 4);
    cr_assert_str_eq(d.reason, "ScaleDownLimit");
    cr_assert_eq(cg_hpa_reconcile(&h, 15 * S_NS, 4, 10, &d), 0);
    cr_assert_eq(d.desired, 4, "periodStart 5 - 1: no further step within 60 s");
    cr_assert_eq(cg_hpa_reconcile(&h, 60 * S_NS, 4, 10, &d), 0);
    cr_assert_eq(d.desired, 3, "the step of t=0 is no longer after 60 - 60");
    cg_hpa_fini(&h);
}

Test(autoscale_hpa, percent_policy_arithmetic)
{
    cg_autoscaler_cfg_t a = cfg(10, 100);
    a.behavior = true;
    a.up.n_policies = 1;
    a.up.policies[0] = (cg_hpa_policy_t){CG_HPA_PERCENT, 10, 15 * S_NS};
    cg_hpa_decision_t d = once(&a, 3, 1000);
    cr_assert_eq(d.desired, 4, "ceil(3 x 1.1)");
    a.down.window_ns = 0;
    a.down.policies[0] = (cg_hpa_policy_t){CG_HPA_PERCENT, 50, 15 * S_NS};
    d = once(&a, 5, 10);
    cr_assert_eq(d.desired, 2, "int(5 x 0.5)");
}

static cg_keda_metric_t metric(const cg_autoscaler_cfg_t *a, const int64_t *committed,
                               const int64_t *latest, int64_t *prev, int n)
{
    cg_keda_metric_t m = {0};
    for (int i = 0; i < n; i++)
        cg_keda_add_partition(a, &m, committed[i], latest[i], &prev[i]);
    cg_keda_finish(a, &m);
    return m;
}

Test(autoscale_keda, cap_off_by_one_is_reproduced)
{
    cg_autoscaler_cfg_t a = cfg(10, 100);
    int64_t prev[3] = {-2, -2, -2};
    int64_t c[3] = {0, 0, 0}, l35[3] = {12, 12, 11}, l40[3] = {14, 13, 13};
    cg_keda_metric_t m = metric(&a, c, l35, prev, 3);
    cr_assert_eq(m.metric, 35, "35 / 10 = 3 is not above P = 3");
    cr_assert_eq(cg_hpa_ceil_div(m.metric, 10), 4, "one replica more than partitions");
    m = metric(&a, c, l40, prev, 3);
    cr_assert_eq(m.lag, 40);
    cr_assert_eq(m.metric, 30);
    a.allow_idle = true;
    m = metric(&a, c, l40, prev, 3);
    cr_assert_eq(m.metric, 40, "allowIdleConsumers alone: no cap");
}

Test(autoscale_keda, even_distribution_rounds_to_a_divisor)
{
    cg_autoscaler_cfg_t a = cfg(10, 100);
    a.even_distribution = true;
    int64_t prev[10], c[10], l[10];
    const int64_t lag[] = {0, 10, 11, 20, 21, 50, 51, 500};
    const int64_t want[] = {10, 10, 20, 20, 50, 50, 100, 100};
    for (size_t k = 0; k < sizeof lag / sizeof lag[0]; k++) {
        for (int i = 0; i < 10; i++) {
            prev[i] = -2;
            c[i] = 100;
            l[i] = 100 + (i == 0 ? lag[k] : 0);
        }
        cg_keda_metric_t m = metric(&a, c, l, prev, 10);
        cr_assert_eq(m.metric, want[k], "lag %lld", (long long)lag[k]);
    }
}

Test(autoscale_keda, missing_offsets_and_persistent_lag)
{
    cg_autoscaler_cfg_t a = cfg(10, 100);
    int64_t prev[2] = {-2, -2}, c[2] = {CG_KEDA_NO_OFFSET, 5}, l[2] = {70, 9};
    cg_keda_metric_t m = metric(&a, c, l, prev, 2);
    cr_assert_eq(m.lag, 1 + 4, "latest: a partition without an offset counts 1");
    a.reset_earliest = true;
    m = metric(&a, c, l, prev, 2);
    cr_assert_eq(m.lag, 70 + 4, "earliest: the whole log");
    a.zero_on_invalid = true;
    m = metric(&a, c, l, prev, 2);
    cr_assert_eq(m.lag, 4);
    a = cfg(10, 100);
    a.exclude_persistent = true;
    m = metric(&a, c, l, prev, 2);
    cr_assert_eq(m.lag, 5, "first sighting counts");
    m = metric(&a, c, l, prev, 2);
    cr_assert_eq(m.lag, 1, "committed offset 5 again: 0 for scaling");
    cr_assert_eq(m.lag_persistent, 5);
    cr_assert(m.active, "but it keeps the target active");
    a.activation_lag_threshold = 5;
    m = metric(&a, c, l, prev, 2);
    cr_assert(!m.active, "5 is not above 5");
}

/* ---- a run, checked against its own trace ---- */

static const char RUN[] =
    "{\"name\": \"as\", \"seed\": 5, \"duration_ms\": 400000,\n"
    " \"topics\": [{\"name\": \"orders\", \"partitions\": 6}],\n"
    " \"producers\": [{\"id\": \"p\", \"topic\": \"orders\", \"rate_per_s\": 600}],\n"
    " \"groups\": [{\"id\": \"g\", \"assignor\": \"range\", \"rebalance\": \"eager\",\n"
    "   \"consumers\": [{\"id\": \"c\", \"count\": 1, \"topics\": [\"orders\"],\n"
    "                    \"processing_ms\": {\"dist\": \"exponential\", \"mean\": 4}},\n"
    "                   {\"id\": \"p\", \"count\": 5, \"topics\": [\"orders\"], "
    "\"join_at_ms\": null,\n"
    "                    \"processing_ms\": {\"dist\": \"exponential\", \"mean\": 4}}]}],\n"
    " \"autoscalers\": [{\"group\": \"g\", \"pod_start_ms\": {\"dist\": \"uniform\", "
    "\"min\": 5000, \"max\": 9000},\n"
    "   \"minReplicaCount\": 1, \"trigger\": {\"topic\": \"orders\", \"lagThreshold\": 300},\n"
    "   \"hpa\": {\"downscaleStabilizationSeconds\": 60}}]}\n";

#define AS_PARTS 6
#define AS_MEMBERS 6

typedef struct as_view {
    int64_t committed[AS_PARTS];      /* last ok commit per partition, -1 none */
    int64_t end[AS_PARTS];            /* log end at the decision's instant */
    bool pod[AS_MEMBERS];             /* "c-1", "p-1".."p-5" */
    double started_t[AS_MEMBERS];     /* when its pod was created, -1 none pending */
    int32_t replicas;
} as_view_t;

static int member_ix(const char *id)
{
    return strcmp(id, "c-1") == 0 ? 0 : id[0] == 'p' ? id[2] - '0' : -1;
}

/* The lag an `autoscale` record must report: latest - committed, 1 without an offset. */
static int64_t expected_lag(const as_view_t *v)
{
    int64_t lag = 0;
    for (int p = 0; p < AS_PARTS; p++)
        lag += v->committed[p] < 0 ? 1 : v->end[p] - v->committed[p];
    return lag;
}

/* The log ends at t from the debug lag_sample records of the same instant, which the lag
 * sampler writes after the decision (a log end depends on the time only). */
static void ends_at(as_view_t *v, const cgt_run_t *r, size_t i, double t)
{
    int found = 0;
    for (; i < r->n && cgt_num(r->rec[i], "t") == t; i++)
        if (cgt_is(r->rec[i], "lag_sample")) {
            v->end[(int)cgt_num(r->rec[i], "partition")] = (int64_t)cgt_num(r->rec[i], "end");
            found++;
        }
    cr_assert_eq(found, AS_PARTS, "t=%.0f: a lag sample at the decision's instant", t);
}

static void check_decision(as_view_t *v, const cgt_run_t *r, size_t i, int *scale_events)
{
    const cJSON *rec = r->rec[i];
    double t = cgt_num(rec, "t");
    ends_at(v, r, i, t);
    cr_assert_eq((int64_t)cgt_num(rec, "lag"), expected_lag(v), "t=%.0f", t);
    cr_assert_eq((int32_t)cgt_num(rec, "current"), v->replicas, "t=%.0f", t);
    int32_t desired = (int32_t)cgt_num(rec, "desired");
    const cJSON *add = cJSON_GetObjectItem(rec, "added");
    const cJSON *del = cJSON_GetObjectItem(rec, "removed");
    cr_assert_eq(desired - v->replicas, cJSON_GetArraySize(add) - cJSON_GetArraySize(del));
    *scale_events += desired != v->replicas;
    const cJSON *e;
    cJSON_ArrayForEach(e, add) {
        int k = member_ix(e->valuestring);
        cr_assert(k >= 0 && !v->pod[k]);
        v->pod[k] = true;
        v->started_t[k] = t;
    }
    cJSON_ArrayForEach(e, del) {
        int k = member_ix(e->valuestring);
        cr_assert(k >= 0 && v->pod[k]);
        v->pod[k] = false;
        if (v->started_t[k] >= 0)
            continue;                 /* deleted before its process started */
        bool left = false;
        for (size_t j = i + 1; j < r->n && cgt_num(r->rec[j], "t") == t && !left; j++)
            left = cgt_is(r->rec[j], "fault") &&
                   strcmp(cgt_str(r->rec[j], "action"), "leave") == 0 &&
                   strcmp(cgt_str(r->rec[j], "target") + 2, e->valuestring) == 0;
        cr_assert(left, "t=%.0f: %s leaves at once", t, e->valuestring);
    }
    v->replicas = desired;
}

static void check_join(as_view_t *v, const cJSON *rec)
{
    const char *target = cgt_str(rec, "target");
    int k = member_ix(target + 2);
    cr_assert(k >= 0 && v->pod[k] && v->started_t[k] >= 0, "%s joins as a pod", target);
    double delay = cgt_num(rec, "t") - v->started_t[k];
    cr_assert(delay >= 5000 && delay <= 9000, "%s started %.0f ms after its pod", target, delay);
    v->started_t[k] = -1;
}

Test(autoscale_world, records_agree_with_the_trace)
{
    cgt_run_t r;
    cgt_run_cfg(&r, RUN, (cgt_run_cfg_t){.check = true, .trace_level = CG_TRACE_DEBUG});
    cr_assert_eq(r.rc, 0, "%s", r.err);
    as_view_t v = {.replicas = 1, .pod = {true}};
    for (int k = 0; k < AS_MEMBERS; k++)
        v.started_t[k] = -1;
    for (int p = 0; p < AS_PARTS; p++)
        v.committed[p] = -1;
    int decisions = 0, scale_events = 0;
    for (size_t i = 0; i < r.n; i++) {
        const cJSON *rec = r.rec[i];
        if (cgt_is(rec, "commit") && cJSON_IsTrue(cJSON_GetObjectItem(rec, "ok"))) {
            v.committed[(int)cgt_num(rec, "partition")] = (int64_t)cgt_num(rec, "offset");
        } else if (cgt_is(rec, "autoscale")) {
            check_decision(&v, &r, i, &scale_events);
            decisions++;
        } else if (cgt_is(rec, "fault") && strcmp(cgt_str(rec, "action"), "join") == 0) {
            check_join(&v, rec);
        }
    }
    /* KEDA every 30 s and the HPA every 15 s over 400 s. */
    cr_assert_eq(decisions, 13 + 26);
    cr_assert_eq(r.groups[0].autoscale_decisions, decisions);
    cr_assert_eq(r.groups[0].autoscale_ups + r.groups[0].autoscale_downs, scale_events);
    cr_assert(r.groups[0].autoscale_ups >= 1 && r.groups[0].autoscale_downs >= 1,
              "the run scales both ways (%lld up, %lld down)",
              (long long)r.groups[0].autoscale_ups, (long long)r.groups[0].autoscale_downs);
    cgt_run_free(&r);
}

Test(autoscale_world, same_seed_same_bytes)
{
    cgt_run_t a, b;
    cgt_run(&a, RUN);
    cgt_run(&b, RUN);
    cr_assert_eq(a.len, b.len);
    cr_assert(memcmp(a.text, b.text, a.len) == 0);
    cgt_run_free(&a);
    cgt_run_free(&b);
}

Test(autoscale_hpa, last_replica_at_the_cap_is_never_added)
{
    /* KEDA issue 2908: P = 12 partitions, lag capped at 12 x T; at 11 replicas the ratio
     * 12 / 11 = 1.09 is within the tolerance, so the 12th replica never comes. */
    cg_autoscaler_cfg_t a = cfg(10, 100);
    cg_hpa_decision_t d = once(&a, 11, 120);
    cr_assert_eq(d.desired, 11);
    cr_assert_str_eq(d.reason, "WithinTolerance");
    d = once(&a, 10, 120);
    cr_assert_eq(d.desired, 12, "at 10 the ratio 1.2 is not");
}
