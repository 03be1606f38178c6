/* tests/test_scenario_autoscale: the "autoscalers" section (models/scenario_autoscale.c): the
 * defaults KEDA and Kubernetes give, and every refused field with its exact
 * "FILE: $.path: message" line (one broken value of a good base each, through --set). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "models/scenario/scenario.h"

static const char BASE[] =
    "{\"name\": \"b\", \"duration_ms\": 600000,\n"
    " \"topics\": [{\"name\": \"orders\", \"partitions\": 6}, {\"name\": \"audit\", "
    "\"partitions\": 2}],\n"
    " \"producers\": [{\"id\": \"p\", \"topic\": \"orders\", \"rate_per_s\": 10}],\n"
    " \"groups\": [{\"id\": \"g\",\n"
    "   \"consumers\": [{\"id\": \"c\", \"count\": 2, \"topics\": [\"orders\"]},\n"
    "                   {\"id\": \"p\", \"count\": 4, \"topics\": [\"orders\"], "
    "\"join_at_ms\": null}]},\n"
    "  {\"id\": \"h\", \"consumers\": [{\"id\": \"c\", \"topics\": [\"orders\"]}]}],\n"
    " \"autoscalers\": [{\"group\": \"g\", \"trigger\": {\"topic\": \"orders\"}}]}\n";

static cg_scenario_t *load(const char *const *sets, size_t n, sim_diag_t *d)
{
    cg_scenario_t *s = NULL;
    sim_diag_init(d);
    cg_scenario_parse("s.json", BASE, strlen(BASE), sets, n, &s, d);
    return s;
}

/* The sets must be refused with exactly `line`. */
static void expect_sets(const char *const *sets, size_t n, const char *line)
{
    sim_diag_t d;
    cg_scenario_t *s = load(sets, n, &d);
    bool found = d.n == 1 && strcmp(d.lines[0], line) == 0;
    for (size_t i = 0; !found && i < d.n; i++)
        fprintf(stderr, "  got: %s\n", d.lines[i]);
    cr_assert_null(s);
    cr_assert(found, "expected only: %s", line);
    sim_diag_fini(&d);
}

static void expect_set(const char *set, const char *line)
{
    const char *sets[1] = {set};
    expect_sets(sets, 1, line);
}

Test(scenario_autoscale, defaults_are_kedas_and_kubernetes)
{
    sim_diag_t d;
    cg_scenario_t *s = load(NULL, 0, &d);
    cr_assert_not_null(s);
    cr_assert_eq(s->n_autoscalers, 1);
    const cg_autoscaler_cfg_t *a = &s->autoscalers[0];
    cr_assert_eq(a->group, 0);
    cr_assert_eq(a->polling_ns, 30000000000LL);
    cr_assert_eq(a->cooldown_ns, 300000000000LL);
    cr_assert_eq(a->initial_cooldown_ns, 0);
    cr_assert_eq(a->min_replicas, 0);
    cr_assert_eq(a->max_replicas, 6, "KEDA's 100, held to the group's 6 consumers");
    cr_assert_eq(a->lag_threshold, 10);
    cr_assert_eq(a->activation_lag_threshold, 0);
    cr_assert(!a->reset_earliest && !a->allow_idle && !a->limit_to_lagging &&
              !a->exclude_persistent && !a->zero_on_invalid && !a->even_distribution);
    cr_assert_eq(a->sync_ns, 15000000000LL);
    cr_assert_float_eq(a->tolerance, 0.1, 1e-12);
    cr_assert_eq(a->downscale_window_ns, 300000000000LL);
    cr_assert(!a->behavior);
    cr_assert_eq(a->up.window_ns, 0);
    cr_assert_eq(a->up.n_policies, 2);
    cr_assert_eq(a->up.policies[0].type, CG_HPA_PODS);
    cr_assert_eq(a->up.policies[0].value, 4);
    cr_assert_eq(a->up.policies[1].type, CG_HPA_PERCENT);
    cr_assert_eq(a->up.policies[1].value, 100);
    cr_assert_eq(a->down.window_ns, 300000000000LL);
    cr_assert_eq(a->down.n_policies, 1);
    cr_assert_eq(a->down.policies[0].period_ns, 15000000000LL);
    cg_scenario_free(s);
    sim_diag_fini(&d);
}

Test(scenario_autoscale, behavior_fills_what_it_omits)
{
    const char *sets[] = {"autoscalers[0].behavior={\"scaleDown\": {\"policies\": "
                          "[{\"type\": \"Pods\", \"value\": 1, \"periodSeconds\": 60}]}}",
                          "autoscalers[0].hpa={\"downscaleStabilizationSeconds\": 120}"};
    sim_diag_t d;
    cg_scenario_t *s = load(sets, 2, &d);
    cr_assert_not_null(s);
    const cg_autoscaler_cfg_t *a = &s->autoscalers[0];
    cr_assert(a->behavior);
    cr_assert_eq(a->down.window_ns, 120000000000LL, "nil window: the controller's");
    cr_assert_eq(a->down.n_policies, 1);
    cr_assert_eq(a->down.policies[0].type, CG_HPA_PODS);
    cr_assert_eq(a->down.policies[0].period_ns, 60000000000LL);
    cr_assert_eq(a->up.n_policies, 2);
    cg_scenario_free(s);
    sim_diag_fini(&d);
}

Test(scenario_autoscale, group_errors)
{
    expect_set("autoscalers[0].group=\"x\"", "s.json: $.autoscalers[0].group: unknown group 'x'");
    expect_set("autoscalers=[{\"group\": \"g\"}, {\"group\": \"g\"}]",
               "s.json: $.autoscalers[1].group: group 'g' already has an autoscaler "
               "($.autoscalers[0])");
    expect_set("autoscalers[0]={}", "s.json: $.autoscalers[0]: missing required key 'group'");
    expect_set("faults=[{\"at_ms\": 1000, \"action\": \"scale\", \"target\": \"g\", "
               "\"count\": 1}]",
               "s.json: $.autoscalers[0].group: group 'g' also has a 'scale' fault: its "
               "autoscaler owns its replica count");
    expect_set("autoscalers[0].grup=1", "s.json: $.autoscalers[0]: unknown key 'grup' (did you "
               "mean 'group'?)");
}

Test(scenario_autoscale, replica_errors)
{
    expect_set("autoscalers[0].maxReplicaCount=7",
               "s.json: $.autoscalers[0].maxReplicaCount: 7 exceeds the group's 6 consumers "
               "(the processes an autoscaler can start: add consumers with join_at_ms null)");
    expect_set("autoscalers[0].maxReplicaCount=0",
               "s.json: $.autoscalers[0].maxReplicaCount: 0 is out of range (expected "
               "1..2147483647)");
    expect_set("autoscalers[0].minReplicaCount=7",
               "s.json: $.autoscalers[0].minReplicaCount: 7 is above maxReplicaCount 6 (KEDA "
               "refuses it)");
    expect_set("autoscalers[0].pollingInterval=0",
               "s.json: $.autoscalers[0].pollingInterval: 0 is out of range (expected "
               "1..86400)");
    expect_set("autoscalers[0].cooldownPeriod=-1",
               "s.json: $.autoscalers[0].cooldownPeriod: -1 is out of range (expected 0..86400)");
    expect_set("autoscalers[0].pod_start_ms={\"dist\": \"uniform\", \"min\": 5, \"max\": 1}",
               "s.json: $.autoscalers[0].pod_start_ms: bad uniform distribution: max must be >= min");
}

Test(scenario_autoscale, trigger_errors)
{
    expect_set("autoscalers[0].trigger.lagThreshold=0",
               "s.json: $.autoscalers[0].trigger.lagThreshold: 0 is out of range (expected "
               "1..1000000000000, limit CG_MAX_LAG_THRESHOLD)");
    expect_set("autoscalers[0].trigger.activationLagThreshold=-1",
               "s.json: $.autoscalers[0].trigger.activationLagThreshold: -1 is out of range "
               "(expected 0..1000000000000, limit CG_MAX_LAG_THRESHOLD)");
    expect_set("autoscalers[0].trigger.offsetResetPolicy=\"none\"",
               "s.json: $.autoscalers[0].trigger.offsetResetPolicy: unknown value 'none' "
               "(expected one of: latest, earliest)");
    expect_set("autoscalers[0].trigger.topic=\"ordrs\"",
               "s.json: $.autoscalers[0].trigger.topic: unknown topic 'ordrs' (known: audit, "
               "orders)");
    expect_set("autoscalers[0].trigger.allowIdleConsumers=\"yes\"",
               "s.json: $.autoscalers[0].trigger.allowIdleConsumers: expected true or false, "
               "got string");
    expect_set("autoscalers[0].trigger.lagTreshold=5",
               "s.json: $.autoscalers[0].trigger: unknown key 'lagTreshold' (did you mean "
               "'lagThreshold'?)");
    expect_set("autoscalers[0].trigger=3",
               "s.json: $.autoscalers[0].trigger: expected an object, got number");
}

Test(scenario_autoscale, trigger_combinations_keda_refuses)
{
    const char *idle[] = {"autoscalers[0].trigger.allowIdleConsumers=true",
                          "autoscalers[0].trigger.limitToPartitionsWithLag=true"};
    expect_sets(idle, 2, "s.json: $.autoscalers[0].trigger: allowIdleConsumers and "
                "limitToPartitionsWithLag cannot both be true (KEDA refuses it)");
    const char *even[] = {"autoscalers[0].trigger.ensureEvenDistributionOfPartitions=true",
                          "autoscalers[0].trigger.limitToPartitionsWithLag=true"};
    expect_sets(even, 2, "s.json: $.autoscalers[0].trigger: limitToPartitionsWithLag and "
                "ensureEvenDistributionOfPartitions cannot both be true (KEDA refuses it)");
    expect_set("autoscalers[0].trigger={\"ensureEvenDistributionOfPartitions\": true}",
               "s.json: $.autoscalers[0].trigger: ensureEvenDistributionOfPartitions needs a "
               "'topic' (KEDA refuses it without one)");
}

Test(scenario_autoscale, hpa_and_behavior_errors)
{
    expect_set("autoscalers[0].hpa.syncPeriodSeconds=0",
               "s.json: $.autoscalers[0].hpa.syncPeriodSeconds: 0 is out of range (expected "
               "1..86400)");
    expect_set("autoscalers[0].hpa.tolerance=-0.5",
               "s.json: $.autoscalers[0].hpa.tolerance: -0.5 is out of range (expected "
               "0..1000000)");
    expect_set("autoscalers[0].behavior={\"scaleUp\": {\"policies\": []}}",
               "s.json: $.autoscalers[0].behavior.scaleUp.policies: at least one policy is "
               "required (Kubernetes refuses an empty list)");
    expect_set("autoscalers[0].behavior={\"scaleUp\": {\"policies\": [{\"type\": \"Pod\", "
               "\"value\": 1, \"periodSeconds\": 15}]}}",
               "s.json: $.autoscalers[0].behavior.scaleUp.policies[0].type: unknown value "
               "'Pod' (expected one of: Pods, Percent)");
    expect_set("autoscalers[0].behavior={\"scaleDown\": {\"policies\": [{\"type\": \"Pods\", "
               "\"value\": 1, \"periodSeconds\": 1801}]}}",
               "s.json: $.autoscalers[0].behavior.scaleDown.policies[0].periodSeconds: 1801 "
               "is out of range (expected 1..1800, limit CG_MAX_HPA_PERIOD_S)");
    expect_set("autoscalers[0].behavior={\"scaleDown\": {\"stabilizationWindowSeconds\": 3601}}",
               "s.json: $.autoscalers[0].behavior.scaleDown.stabilizationWindowSeconds: 3601 "
               "is out of range (expected 0..3600)");
    expect_set("autoscalers[0].behavior={\"scaleUp\": {\"selectPolicy\": \"Largest\"}}",
               "s.json: $.autoscalers[0].behavior.scaleUp.selectPolicy: unknown value "
               "'Largest' (expected one of: Max, Min, Disabled)");
    expect_set("autoscalers[0].behavior={\"scaleUp\": {\"policies\": [{\"type\": \"Pods\", "
               "\"periodSeconds\": 15}]}}",
               "s.json: $.autoscalers[0].behavior.scaleUp.policies[0]: missing required key "
               "'value'");
}
