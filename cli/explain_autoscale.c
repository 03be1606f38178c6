/* cli/explain_autoscale: the "autoscalers" section of validate --explain, under KEDA's and
 * Kubernetes' names and units (seconds), every default filled in; "behavior" only when the
 * scenario gives one (without it the HPA runs KEDA's nil behavior, which has no rules). */
#include "cli/explain.h"

#include <stdbool.h>

static double seconds(int64_t ns)
{
    return (double)ns / 1e9;
}

static bool num(cJSON *o, const char *key, double v)
{
    return cJSON_AddNumberToObject(o, key, v) != NULL;
}

static cJSON *rules_json(const cg_hpa_rules_t *r)
{
    static const char *const SELECT[] = {"Max", "Min", "Disabled"};
    cJSON *o = cJSON_CreateObject();
    cJSON *pol = o ? cJSON_AddArrayToObject(o, "policies") : NULL;
    bool ok = pol && num(o, "stabilizationWindowSeconds", seconds(r->window_ns)) &&
              cJSON_AddStringToObject(o, "selectPolicy", SELECT[r->select]) &&
              num(o, "tolerance", r->tolerance);
    for (uint32_t i = 0; ok && i < r->n_policies; i++) {
        cJSON *p = cJSON_CreateObject();
        ok = p && cJSON_AddItemToArray(pol, p) &&
             cJSON_AddStringToObject(p, "type",
                                     r->policies[i].type == CG_HPA_PODS ? "Pods" : "Percent") &&
             num(p, "value", r->policies[i].value) &&
             num(p, "periodSeconds", seconds(r->policies[i].period_ns));
    }
    if (!ok)
        cJSON_Delete(o);
    return ok ? o : NULL;
}

static cJSON *trigger_json(const cg_scenario_t *s, const cg_autoscaler_cfg_t *a)
{
    cJSON *o = cJSON_CreateObject();
    bool ok = o && (a->topic >= 0 ? cJSON_AddStringToObject(o, "topic", s->topics[a->topic].name)
                                  : cJSON_AddNullToObject(o, "topic")) &&
              num(o, "lagThreshold", (double)a->lag_threshold) &&
              num(o, "activationLagThreshold", (double)a->activation_lag_threshold) &&
              cJSON_AddStringToObject(o, "offsetResetPolicy",
                                      a->reset_earliest ? "earliest" : "latest") &&
              cJSON_AddBoolToObject(o, "allowIdleConsumers", a->allow_idle) &&
              cJSON_AddBoolToObject(o, "limitToPartitionsWithLag", a->limit_to_lagging) &&
              cJSON_AddBoolToObject(o, "excludePersistentLag", a->exclude_persistent) &&
              cJSON_AddBoolToObject(o, "scaleToZeroOnInvalidOffset", a->zero_on_invalid) &&
              cJSON_AddBoolToObject(o, "ensureEvenDistributionOfPartitions",
                                    a->even_distribution);
    if (!ok)
        cJSON_Delete(o);
    return ok ? o : NULL;
}

static cJSON *autoscaler_json(const cg_scenario_t *s, const cg_autoscaler_cfg_t *a)
{
    cJSON *o = cJSON_CreateObject(), *hpa = NULL, *beh = NULL;
    bool ok = o && cJSON_AddStringToObject(o, "group", s->groups[a->group].id) &&
              cli_explain_add(o, "pod_start_ms", cg_dist_json(&a->pod_start_ms)) &&
              num(o, "pollingInterval", seconds(a->polling_ns)) &&
              num(o, "cooldownPeriod", seconds(a->cooldown_ns)) &&
              num(o, "initialCooldownPeriod", seconds(a->initial_cooldown_ns)) &&
              num(o, "minReplicaCount", a->min_replicas) &&
              num(o, "maxReplicaCount", a->max_replicas) &&
              cli_explain_add(o, "trigger", trigger_json(s, a)) &&
              (hpa = cJSON_AddObjectToObject(o, "hpa")) != NULL &&
              num(hpa, "syncPeriodSeconds", seconds(a->sync_ns)) &&
              num(hpa, "tolerance", a->tolerance) &&
              num(hpa, "downscaleStabilizationSeconds", seconds(a->downscale_window_ns)) &&
              (!a->behavior ||
               ((beh = cJSON_AddObjectToObject(o, "behavior")) != NULL &&
                cli_explain_add(beh, "scaleUp", rules_json(&a->up)) &&
                cli_explain_add(beh, "scaleDown", rules_json(&a->down))));
    if (!ok)
        cJSON_Delete(o);
    return ok ? o : NULL;
}

bool cli_explain_autoscalers(cJSON *root, const cg_scenario_t *s)
{
    if (s->n_autoscalers == 0)
        return true;
    cJSON *arr = cJSON_AddArrayToObject(root, "autoscalers");
    bool ok = arr != NULL;
    for (size_t i = 0; ok && i < s->n_autoscalers; i++)
        ok = cli_explain_add(arr, NULL, autoscaler_json(s, &s->autoscalers[i]));
    return ok;
}
