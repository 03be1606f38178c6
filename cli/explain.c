/* cli/explain: a loaded scenario as it will run, every default filled in (`cgsim validate
 * --explain`): per group its protocol, assignor, rebalance and coordinator settings, per
 * consumer its subscription, start and every Kafka client setting the protocol reads. */
#include "cli/explain.h"

#include <stdint.h>
#include <stdio.h>
#include "models/assign/assignor.h"
#include "sim/sim.h"

/* ns -> ms as JSON numbers (every duration the format takes is in ms). */
static double ms(int64_t ns)
{
    return (double)ns / (double)SIM_NS_PER_MS;
}

static const char *const RESET_NAMES[] = {"latest", "earliest", "none"};

static bool add_ms(cJSON *o, const char *key, int64_t ns)
{
    return cJSON_AddNumberToObject(o, key, ms(ns)) != NULL;
}

static bool add_str_or_null(cJSON *o, const char *key, const char *v)
{
    return (v ? cJSON_AddStringToObject(o, key, v) : cJSON_AddNullToObject(o, key)) != NULL;
}

static cJSON *client_config(const cg_client_cfg_t *c, cg_protocol_t proto)
{
    cJSON *o = cJSON_CreateObject();
    bool ok = o != NULL;
    if (ok && proto == CG_PROTOCOL_CLASSIC)
        ok = add_ms(o, "session.timeout.ms", c->session_timeout_ns) &&
             add_ms(o, "heartbeat.interval.ms", c->heartbeat_interval_ns);
    ok = ok && add_ms(o, "max.poll.interval.ms", c->max_poll_interval_ns) &&
         cJSON_AddNumberToObject(o, "max.poll.records", c->max_poll_records) &&
         cJSON_AddBoolToObject(o, "enable.auto.commit", c->enable_auto_commit) &&
         add_ms(o, "auto.commit.interval.ms", c->auto_commit_interval_ns) &&
         cJSON_AddStringToObject(o, "auto.offset.reset", RESET_NAMES[c->auto_offset_reset]) &&
         add_ms(o, "fetch.max.wait.ms", c->fetch_max_wait_ns) &&
         add_ms(o, "request.timeout.ms", c->request_timeout_ns) &&
         add_ms(o, "retry.backoff.ms", c->retry_backoff_ns) &&
         add_ms(o, "metadata.max.age.ms", c->metadata_max_age_ns) &&
         add_str_or_null(o, "group.instance.id", c->group_instance_id) &&
         add_str_or_null(o, "client.rack", c->client_rack);
    if (ok && proto == CG_PROTOCOL_CONSUMER)
        ok = add_str_or_null(o, "group.remote.assignor", c->group_remote_assignor);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *broker_config(const cg_broker_cfg_t *b, cg_protocol_t proto)
{
    cJSON *o = cJSON_CreateObject();
    bool ok = o != NULL;
    if (ok && proto == CG_PROTOCOL_CLASSIC)
        ok = add_ms(o, "group.initial.rebalance.delay.ms", b->initial_rebalance_delay_ns) &&
             add_ms(o, "group.min.session.timeout.ms", b->min_session_timeout_ns) &&
             add_ms(o, "group.max.session.timeout.ms", b->max_session_timeout_ns);
    else if (ok)
        ok = add_ms(o, "group.consumer.session.timeout.ms", b->consumer_session_timeout_ns) &&
             add_ms(o, "group.consumer.heartbeat.interval.ms",
                    b->consumer_heartbeat_interval_ns) &&
             add_ms(o, "group.consumer.min.session.timeout.ms",
                    b->consumer_min_session_timeout_ns) &&
             add_ms(o, "group.consumer.max.session.timeout.ms",
                    b->consumer_max_session_timeout_ns) &&
             add_ms(o, "group.consumer.min.heartbeat.interval.ms",
                    b->consumer_min_heartbeat_interval_ns) &&
             add_ms(o, "group.consumer.max.heartbeat.interval.ms",
                    b->consumer_max_heartbeat_interval_ns);
    if (ok)
        ok = add_str_or_null(o, "replica.selector.class",
                             b->rack_aware_selector ? CG_RACK_AWARE_SELECTOR : NULL);
    ok = ok && cJSON_AddStringToObject(o, "group.consumer.migration.policy",
                                       cg_migration_policy_name(b->migration_policy));
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* Its partition.assignment.strategy (in its config) and the rebalance protocol that list gives
 * it (beside: not a Kafka setting). */
static bool add_strategy(cJSON *o, cJSON *cfg, const cg_consumer_cfg_t *c)
{
    cJSON *a = cJSON_AddArrayToObject(cfg, "partition.assignment.strategy");
    bool ok = a != NULL;
    for (uint32_t i = 0; ok && i < c->n_strategy; i++) {
        cJSON *n = cJSON_CreateString(c->strategy[i]->name);
        ok = n && cJSON_AddItemToArray(a, n);
        if (!ok)
            cJSON_Delete(n);
    }
    return ok && cJSON_AddStringToObject(o, "rebalance", c->cooperative ? "cooperative"
                                                                        : "eager");
}

static cJSON *consumer_json(const cg_scenario_t *s, const cg_consumer_cfg_t *c,
                            cg_protocol_t proto)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *topics = o && cJSON_AddStringToObject(o, "id", c->id)
                        ? cJSON_AddArrayToObject(o, "topics") : NULL;
    bool ok = topics != NULL;
    for (size_t t = 0; ok && t < c->n_topics; t++) {
        cJSON *n = cJSON_CreateString(s->topics[c->topics[t]].name);
        ok = n && cJSON_AddItemToArray(topics, n);
        if (!ok)
            cJSON_Delete(n);
    }
    ok = ok && (c->starts ? cJSON_AddNumberToObject(o, "join_at_ms", ms(c->join_at_ns))
                          : cJSON_AddNullToObject(o, "join_at_ms"));
    cJSON *proc = ok ? cg_dist_json(&c->processing) : NULL;
    ok = proc && cJSON_AddItemToObject(o, "processing_ms", proc);
    if (!ok)
        cJSON_Delete(proc);
    cJSON *cfg = ok ? client_config(&c->cfg, proto) : NULL;
    ok = cfg && cJSON_AddItemToObject(o, "config", cfg);
    if (!ok)
        cJSON_Delete(cfg);
    if (ok && proto == CG_PROTOCOL_CLASSIC)
        ok = add_strategy(o, cfg, c);
    if (ok && c->protocol != proto)   /* an online upgrade: this member's own protocol */
        ok = cJSON_AddStringToObject(cfg, "group.protocol", "consumer") != NULL;
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* Adds item to o under key, or frees it; false when either is NULL or adding fails. */
bool cli_explain_add(cJSON *o, const char *key, cJSON *item)
{
    if (item && (key ? cJSON_AddItemToObject(o, key, item) : cJSON_AddItemToArray(o, item)))
        return true;
    cJSON_Delete(item);
    return false;
}

static cJSON *group_json(const cg_scenario_t *s, const cg_group_cfg_t *g)
{
    cJSON *o = cJSON_CreateObject();
    bool classic = g->protocol == CG_PROTOCOL_CLASSIC;
    bool ok = o && cJSON_AddStringToObject(o, "id", g->id) &&
              cJSON_AddStringToObject(o, "protocol", classic ? "classic" : "consumer") &&
              cJSON_AddStringToObject(o, "assignor", g->assignor->name) &&
              (!classic ||
               cJSON_AddStringToObject(o, "rebalance", g->cooperative ? "cooperative" : "eager")) &&
              cli_explain_add(o, "network_ms", cg_dist_json(&g->network_ms)) &&
              (!classic || cli_explain_add(o, "assignor_ms", cg_dist_json(&g->assignor_ms))) &&
              add_ms(o, "coordinator_failover_ms", g->coordinator_failover_ns) &&
              cli_explain_add(o, "broker", broker_config(&g->broker, g->protocol));
    cJSON *cons = ok ? cJSON_AddArrayToObject(o, "consumers") : NULL;
    ok = cons != NULL;
    for (size_t i = 0; ok && i < g->n_consumers; i++) {
        cJSON *c = consumer_json(s, &s->consumers[g->first_consumer + i], g->protocol);
        ok = c && cJSON_AddItemToArray(cons, c);
        if (!ok)
            cJSON_Delete(c);
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

cJSON *cli_scenario_explain(const cg_scenario_t *s)
{
    cJSON *o = cJSON_CreateObject();
    /* A seed above 2^53 is written as a string, as the scenario format takes it. */
    char seed[24];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)s->seed);
    bool ok = o && cJSON_AddStringToObject(o, "name", s->name) &&
              (s->seed < (UINT64_C(1) << 53) ? cJSON_AddNumberToObject(o, "seed", (double)s->seed)
                                             : cJSON_AddStringToObject(o, "seed", seed)) &&
              add_ms(o, "duration_ms", s->duration_ns) &&
              add_ms(o, "lag_sample_ms", s->lag_sample_ns);
    cJSON *topics = ok ? cJSON_AddArrayToObject(o, "topics") : NULL;
    ok = topics != NULL;
    for (size_t t = 0; ok && t < s->n_topics; t++) {
        cJSON *tj = cJSON_CreateObject();
        ok = tj && cJSON_AddStringToObject(tj, "name", s->topics[t].name) &&
             cJSON_AddNumberToObject(tj, "partitions", s->topics[t].partitions) &&
             cJSON_AddItemToArray(topics, tj);
        if (!ok)
            cJSON_Delete(tj);
    }
    cJSON *groups = ok ? cJSON_AddArrayToObject(o, "groups") : NULL;
    ok = groups != NULL;
    for (size_t g = 0; ok && g < s->n_groups; g++) {
        cJSON *gj = group_json(s, &s->groups[g]);
        ok = gj && cJSON_AddItemToArray(groups, gj);
        if (!ok)
            cJSON_Delete(gj);
    }
    ok = ok && cli_explain_autoscalers(o, s);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
