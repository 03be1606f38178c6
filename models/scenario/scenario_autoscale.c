/* models/scenario_autoscale: the "autoscalers" section: per group, a KEDA ScaledObject with the
 * Kafka scaler's trigger metadata feeding a Kubernetes HPA (kafka-operations.md section 1).
 * Keys are KEDA's and Kubernetes' own names and units (seconds where they count seconds);
 * every default is theirs. KEDA's own validation (kafka_scaler.go `Validate`) and Kubernetes'
 * (behavior policies and windows) are repeated here, so that what they refuse is refused with a
 * JSON path. The model's own rule: an autoscaler owns its group's replica count, so the group
 * takes no `scale` fault, and maxReplicaCount is at most the group's consumers (the processes
 * it can start). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/limits.h"
#include "models/scenario/scenario_build.h"

#define NS_PER_S (1000 * CG_NS_PER_MS)
#define KEDA_POLLING_S 30             /* pollingInterval (withtriggers_types.go) */
#define KEDA_COOLDOWN_S 300           /* cooldownPeriod (scale_executor.go) */
#define KEDA_MAX_REPLICAS 100         /* maxReplicaCount */
#define KEDA_LAG_THRESHOLD 10         /* lagThreshold (kafka_scaler.go) */
#define HPA_SYNC_S 15                 /* RecommendedDefaultHPAControllerConfiguration */
#define HPA_TOLERANCE 0.1             /* HorizontalPodAutoscalerTolerance */
#define HPA_DOWNSCALE_S 300           /* HorizontalPodAutoscalerDownscaleStabilizationWindow */

static int64_t seconds(cg_build_t *b, const cJSON *o, const char *key, int64_t lo, int64_t hi,
                       int64_t def)
{
    int64_t v = def;
    cg_jrange_t r = {lo, hi, NULL};
    cg_jget_int(&b->c, o, key, r, def, false, &v);
    return v * NS_PER_S;
}

/* An object member, or NULL when absent; "expected an object" otherwise. */
static const cJSON *sub_object(cg_build_t *b, const cJSON *o, const char *key, bool *ok)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (v && !cJSON_IsObject(v)) {
        cg_jerr_key(&b->c, key, "expected an object, got %s", cg_jtype(v));
        *ok = false;
        return NULL;
    }
    return v;
}

static bool trigger_topic(cg_build_t *b, const cJSON *t, cg_autoscaler_cfg_t *a)
{
    const char *name = NULL;
    char known[512];
    a->topic = -1;
    if (!cJSON_GetObjectItemCaseSensitive(t, "topic"))
        return true;
    if (!cg_jget_str(&b->c, t, "topic", true, CG_MAX_NAME_LEN, false, &name) || !name)
        return false;
    a->topic = cg_build_topic(b, name);
    if (a->topic >= 0 || cg_build_topic_refused(b, name))
        return a->topic >= 0;
    cg_build_topic_list(b, known, sizeof known);
    cg_jerr_key(&b->c, "topic", "unknown topic '%s' (known: %s)", cg_jshow(&b->c, name), known);
    return false;
}

/* KEDA's Validate: the combinations it refuses, with its reasons. */
static void trigger_combinations(cg_build_t *b, const cg_autoscaler_cfg_t *a)
{
    if (a->allow_idle && a->limit_to_lagging)
        cg_jerr(&b->c, "allowIdleConsumers and limitToPartitionsWithLag cannot both be true "
                "(KEDA refuses it)");
    if (a->limit_to_lagging && a->even_distribution)
        cg_jerr(&b->c, "limitToPartitionsWithLag and ensureEvenDistributionOfPartitions cannot "
                "both be true (KEDA refuses it)");
    if (a->topic < 0 && (a->limit_to_lagging || a->even_distribution))
        cg_jerr(&b->c, "%s needs a 'topic' (KEDA refuses it without one)",
                a->limit_to_lagging ? "limitToPartitionsWithLag"
                                    : "ensureEvenDistributionOfPartitions");
}

static void parse_trigger(cg_build_t *b, const cJSON *o, cg_autoscaler_cfg_t *a)
{
    static const char *const KEYS[] = {
        "topic", "lagThreshold", "activationLagThreshold", "offsetResetPolicy",
        "allowIdleConsumers", "limitToPartitionsWithLag", "excludePersistentLag",
        "scaleToZeroOnInvalidOffset", "ensureEvenDistributionOfPartitions", NULL};
    static const char *const RESET[] = {"latest", "earliest", NULL};
    bool ok = true;
    const cJSON *t = sub_object(b, o, "trigger", &ok);
    a->lag_threshold = KEDA_LAG_THRESHOLD;
    a->topic = -1;
    if (!t)
        return;
    size_t old = cg_jpath_key(&b->c, "trigger");
    cg_jcheck_keys(&b->c, t, KEYS);
    ok = trigger_topic(b, t, a);
    cg_jrange_t pos = {1, CG_MAX_LAG_THRESHOLD, "CG_MAX_LAG_THRESHOLD"};
    cg_jrange_t nonneg = {0, CG_MAX_LAG_THRESHOLD, "CG_MAX_LAG_THRESHOLD"};
    ok = cg_jget_int(&b->c, t, "lagThreshold", pos, KEDA_LAG_THRESHOLD, false,
                     &a->lag_threshold) && ok;
    ok = cg_jget_int(&b->c, t, "activationLagThreshold", nonneg, 0, false,
                     &a->activation_lag_threshold) && ok;
    int reset = 0;
    ok = cg_jget_enum(&b->c, t, "offsetResetPolicy", RESET, 0, &reset) && ok;
    a->reset_earliest = reset == 1;
    ok = cg_jget_bool(&b->c, t, "allowIdleConsumers", false, &a->allow_idle) && ok;
    ok = cg_jget_bool(&b->c, t, "limitToPartitionsWithLag", false, &a->limit_to_lagging) && ok;
    ok = cg_jget_bool(&b->c, t, "excludePersistentLag", false, &a->exclude_persistent) && ok;
    ok = cg_jget_bool(&b->c, t, "scaleToZeroOnInvalidOffset", false, &a->zero_on_invalid) && ok;
    ok = cg_jget_bool(&b->c, t, "ensureEvenDistributionOfPartitions", false,
                      &a->even_distribution) && ok;
    if (ok)
        trigger_combinations(b, a);
    cg_jpath_pop(&b->c, old);
}

static void parse_hpa(cg_build_t *b, const cJSON *o, cg_autoscaler_cfg_t *a)
{
    static const char *const KEYS[] = {"syncPeriodSeconds", "tolerance",
                                       "downscaleStabilizationSeconds", NULL};
    bool ok = true;
    const cJSON *h = sub_object(b, o, "hpa", &ok);
    a->sync_ns = (int64_t)HPA_SYNC_S * NS_PER_S;
    a->tolerance = HPA_TOLERANCE;
    a->downscale_window_ns = (int64_t)HPA_DOWNSCALE_S * NS_PER_S;
    if (!h)
        return;
    size_t old = cg_jpath_key(&b->c, "hpa");
    cg_jcheck_keys(&b->c, h, KEYS);
    a->sync_ns = seconds(b, h, "syncPeriodSeconds", 1, CG_MAX_AUTOSCALE_PERIOD_S, HPA_SYNC_S);
    cg_jget_num(&b->c, h, "tolerance", 0, false, 1e6, HPA_TOLERANCE, &a->tolerance);
    a->downscale_window_ns = seconds(b, h, "downscaleStabilizationSeconds", 0,
                                     CG_MAX_AUTOSCALE_PERIOD_S, HPA_DOWNSCALE_S);
    cg_jpath_pop(&b->c, old);
}

/* GenerateHPAScaleUpRules / GenerateHPAScaleDownRules: Kubernetes' defaults of a direction. */
static void rules_defaults(cg_hpa_rules_t *r, bool up, const cg_autoscaler_cfg_t *a)
{
    memset(r, 0, sizeof *r);
    r->select = CG_HPA_SELECT_MAX;
    r->tolerance = a->tolerance;
    if (up) {
        r->window_ns = 0;
        r->policies[0] = (cg_hpa_policy_t){CG_HPA_PODS, 4, 15 * NS_PER_S};
        r->policies[1] = (cg_hpa_policy_t){CG_HPA_PERCENT, 100, 15 * NS_PER_S};
        r->n_policies = 2;
    } else {
        r->window_ns = a->downscale_window_ns;   /* nil: the controller's window */
        r->policies[0] = (cg_hpa_policy_t){CG_HPA_PERCENT, 100, 15 * NS_PER_S};
        r->n_policies = 1;
    }
}

static void parse_policy(cg_build_t *b, const cJSON *item, cg_hpa_policy_t *p)
{
    static const char *const KEYS[] = {"type", "value", "periodSeconds", NULL};
    static const char *const TYPES[] = {"Pods", "Percent", NULL};
    const cJSON *o = cg_build_object(b, item);
    int type = 0;
    int64_t v = 1;
    if (!o)
        return;
    cg_jcheck_keys(&b->c, o, KEYS);
    if (!cJSON_GetObjectItemCaseSensitive(o, "type"))
        cg_jerr(&b->c, "missing required key 'type'");
    else if (cg_jget_enum(&b->c, o, "type", TYPES, 0, &type))
        p->type = (cg_hpa_policy_type_t)type;
    cg_jrange_t r = {1, INT32_MAX, NULL};
    if (cg_jget_int(&b->c, o, "value", r, 1, true, &v))
        p->value = (int32_t)v;
    cg_jrange_t pr = {1, CG_MAX_HPA_PERIOD_S, "CG_MAX_HPA_PERIOD_S"};
    if (cg_jget_int(&b->c, o, "periodSeconds", pr, 15, true, &v))
        p->period_ns = v * NS_PER_S;
}

static void parse_policies(cg_build_t *b, const cJSON *o, cg_hpa_rules_t *r)
{
    const cJSON *arr = cg_build_array(b, o, "policies", CG_MAX_HPA_POLICIES,
                                      "CG_MAX_HPA_POLICIES");
    if (!arr)
        return;
    size_t old = cg_jpath_key(&b->c, "policies"), i = 0;
    if (!arr->child)
        cg_jerr(&b->c, "at least one policy is required (Kubernetes refuses an empty list)");
    else
        r->n_policies = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        size_t o2 = cg_jpath_index(&b->c, i);
        parse_policy(b, it, &r->policies[r->n_policies++]);
        cg_jpath_pop(&b->c, o2);
    }
    cg_jpath_pop(&b->c, old);
}

static void parse_rules(cg_build_t *b, const cJSON *beh, const char *key, cg_hpa_rules_t *r)
{
    static const char *const KEYS[] = {"stabilizationWindowSeconds", "selectPolicy", "policies",
                                       "tolerance", NULL};
    static const char *const SELECT[] = {"Max", "Min", "Disabled", NULL};
    bool ok = true;
    const cJSON *o = sub_object(b, beh, key, &ok);
    if (!o)
        return;
    size_t old = cg_jpath_key(&b->c, key);
    cg_jcheck_keys(&b->c, o, KEYS);
    r->window_ns = seconds(b, o, "stabilizationWindowSeconds", 0, CG_MAX_HPA_WINDOW_S,
                           r->window_ns / NS_PER_S);
    int sel = (int)r->select;
    if (cg_jget_enum(&b->c, o, "selectPolicy", SELECT, sel, &sel))
        r->select = (cg_hpa_select_t)sel;
    parse_policies(b, o, r);
    cg_jget_num(&b->c, o, "tolerance", 0, false, 1e6, r->tolerance, &r->tolerance);
    cg_jpath_pop(&b->c, old);
}

static void parse_behavior(cg_build_t *b, const cJSON *o, cg_autoscaler_cfg_t *a)
{
    static const char *const KEYS[] = {"scaleUp", "scaleDown", NULL};
    bool ok = true;
    const cJSON *beh = sub_object(b, o, "behavior", &ok);
    rules_defaults(&a->up, true, a);
    rules_defaults(&a->down, false, a);
    a->behavior = beh != NULL;
    if (!beh)
        return;
    size_t old = cg_jpath_key(&b->c, "behavior");
    cg_jcheck_keys(&b->c, beh, KEYS);
    parse_rules(b, beh, "scaleUp", &a->up);
    parse_rules(b, beh, "scaleDown", &a->down);
    cg_jpath_pop(&b->c, old);
}

/* The group's consumers bound maxReplicaCount (KEDA's default 100 becomes that count). */
static void parse_replicas(cg_build_t *b, const cJSON *o, cg_autoscaler_cfg_t *a)
{
    int64_t mn = 0, mx = KEDA_MAX_REPLICAS;
    int64_t pool = a->group >= 0 ? (int64_t)b->s->groups[a->group].n_consumers : INT32_MAX;
    cg_jrange_t r = {0, INT32_MAX, NULL};
    bool ok = cg_jget_int(&b->c, o, "minReplicaCount", r, 0, false, &mn);
    bool given = cJSON_GetObjectItemCaseSensitive(o, "maxReplicaCount") != NULL;
    cg_jrange_t rmax = {1, INT32_MAX, NULL};
    ok = cg_jget_int(&b->c, o, "maxReplicaCount", rmax, KEDA_MAX_REPLICAS, false, &mx) && ok;
    if (!given && mx > pool)
        mx = pool;
    if (ok && given && mx > pool)
        cg_jerr_key(&b->c, "maxReplicaCount", "%lld exceeds the group's %lld consumers (the "
                    "processes an autoscaler can start: add consumers with join_at_ms null)",
                    (long long)mx, (long long)pool);
    else if (ok && mn > mx)
        cg_jerr_key(&b->c, "minReplicaCount", "%lld is above maxReplicaCount %lld (KEDA "
                    "refuses it)", (long long)mn, (long long)mx);
    a->min_replicas = (int32_t)mn;
    a->max_replicas = (int32_t)mx;
}

static void parse_group(cg_build_t *b, const cJSON *o, cg_autoscaler_cfg_t *a)
{
    const char *g = NULL;
    a->group = -1;
    if (!cJSON_GetObjectItemCaseSensitive(o, "group")) {
        cg_jerr(&b->c, "missing required key 'group'");
        return;
    }
    if (!cg_jget_str(&b->c, o, "group", true, CG_MAX_NAME_LEN, true, &g) || !g)
        return;
    a->group = cg_build_group(b, g);
    if (a->group < 0) {
        cg_jerr_key(&b->c, "group", "unknown group '%s'", cg_jshow(&b->c, g));
        return;
    }
    for (size_t i = 0; i < b->s->n_autoscalers; i++)
        if (b->s->autoscalers[i].group == a->group)
            cg_jerr_key(&b->c, "group", "group '%s' already has an autoscaler ($.autoscalers[%zu])",
                        cg_jshow(&b->c, g), i);
    for (size_t i = 0; i < b->s->n_faults; i++)
        if (b->s->faults[i].action == CG_FAULT_SCALE && b->s->faults[i].group == a->group) {
            cg_jerr_key(&b->c, "group", "group '%s' also has a 'scale' fault: its autoscaler "
                        "owns its replica count", cg_jshow(&b->c, g));
            break;
        }
}

static void parse_autoscaler(cg_build_t *b, const cJSON *item, cg_autoscaler_cfg_t *a)
{
    static const char *const KEYS[] = {
        "group", "pod_start_ms", "pollingInterval", "cooldownPeriod", "initialCooldownPeriod",
        "minReplicaCount", "maxReplicaCount", "trigger", "hpa", "behavior", NULL};
    const cJSON *o = cg_build_object(b, item);
    a->group = -1;
    if (!o)
        return;
    cg_jcheck_keys(&b->c, o, KEYS);
    parse_group(b, o, a);
    cg_jget_dist(&b->c, o, "pod_start_ms", sim_dist_constant(0), false, &a->pod_start_ms);
    a->polling_ns = seconds(b, o, "pollingInterval", 1, CG_MAX_AUTOSCALE_PERIOD_S,
                            KEDA_POLLING_S);
    a->cooldown_ns = seconds(b, o, "cooldownPeriod", 0, CG_MAX_AUTOSCALE_PERIOD_S,
                             KEDA_COOLDOWN_S);
    a->initial_cooldown_ns = seconds(b, o, "initialCooldownPeriod", 0,
                                     CG_MAX_AUTOSCALE_PERIOD_S, 0);
    parse_replicas(b, o, a);
    parse_trigger(b, o, a);
    parse_hpa(b, o, a);
    parse_behavior(b, o, a);
}

int cg_build_autoscalers(cg_build_t *b, const cJSON *root)
{
    cg_scenario_t *s = b->s;
    const cJSON *arr = cg_build_array(b, root, "autoscalers", CG_MAX_GROUPS, "CG_MAX_GROUPS");
    size_t n = arr ? (size_t)cJSON_GetArraySize(arr) : 0, i = 0;
    s->autoscalers = calloc(n ? n : 1, sizeof *s->autoscalers);
    if (!s->autoscalers) {
        cg_jerr(&b->c, "out of memory");
        return -1;
    }
    size_t old = cg_jpath_key(&b->c, "autoscalers");
    for (const cJSON *it = arr ? arr->child : NULL; it; it = it->next, i++) {
        size_t o2 = cg_jpath_index(&b->c, i);
        cg_autoscaler_cfg_t a;
        memset(&a, 0, sizeof a);
        parse_autoscaler(b, it, &a);
        s->autoscalers[s->n_autoscalers++] = a;
        cg_jpath_pop(&b->c, o2);
    }
    cg_jpath_pop(&b->c, old);
    return 0;
}
