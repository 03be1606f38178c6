/* tests/test_scenario_load: good scenarios: every default (Kafka's, kafka.md (c)), count
 * expansion, topic sort, fault order, --set overrides that succeed, assignor selection. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/scenario/scenario.h"

#define MS(v) ((int64_t)(v) * 1000000LL)

static cg_scenario_t *load_text(const char *json, const char *const *sets, size_t n_sets)
{
    sim_diag_t d;
    cg_scenario_t *s = NULL;
    sim_diag_init(&d);
    int rc = cg_scenario_parse("s.json", json, strlen(json), sets, n_sets, &s, &d);
    if (rc != 0) {
        for (size_t i = 0; i < d.n; i++)
            fprintf(stderr, "%s\n", d.lines[i]);
    }
    cr_assert_eq(rc, 0, "scenario refused (%zu problems)", sim_diag_count(&d));
    cr_assert_eq(sim_diag_count(&d), 0);
    cr_assert_not_null(s);
    sim_diag_fini(&d);
    return s;
}

static const char MINIMAL[] =
    "{\"name\": \"m\", \"duration_ms\": 60000,"
    " \"topics\": [{\"name\": \"orders\", \"partitions\": 6}, {\"name\": \"audit\", \"partitions\": 2}],"
    " \"producers\": [{\"id\": \"p\", \"topic\": \"orders\", \"rate_per_s\": 12.5}],"
    " \"groups\": [{\"id\": \"g\", \"consumers\": [{\"id\": \"c\", \"topics\": [\"orders\", \"audit\"]}]}]}";

Test(scenario_load, defaults_are_kafkas)
{
    cg_scenario_t *s = load_text(MINIMAL, NULL, 0);
    cr_assert_str_eq(s->name, "m");
    cr_assert_str_eq(s->path, "s.json");
    cr_assert_eq(s->seed, 1);
    cr_assert_eq(s->duration_ns, MS(60000));
    const cg_producer_cfg_t *p = &s->producers[0];
    cr_assert_eq(s->n_producers, 1);
    cr_assert_eq(p->topic, 1);                 /* "orders" sorts after "audit" */
    cr_assert_float_eq(p->rate_per_s, 12.5, 1e-12);
    cr_assert_eq(p->keys, 1000);
    cr_assert_eq(p->arrival, CG_ARRIVAL_POISSON);
    cr_assert_eq(p->key_dist, CG_KEYS_UNIFORM);
    cr_assert_float_eq(p->zipf_s, 1.0, 1e-12);
    cr_assert_eq(p->start_ns, 0);
    cr_assert_eq(p->stop_ns, MS(60000));
    const cg_group_cfg_t *g = &s->groups[0];
    cr_assert_eq(g->protocol, CG_PROTOCOL_CLASSIC);
    cr_assert_str_eq(g->assignor->name, "range");
    cr_assert(!g->cooperative);
    cr_assert_eq(g->broker.initial_rebalance_delay_ns, MS(3000));
    cr_assert_eq(g->broker.min_session_timeout_ns, MS(6000));
    cr_assert_eq(g->broker.max_session_timeout_ns, MS(1800000));
    cr_assert_eq(g->broker.new_member_join_timeout_ns, MS(300000));
    cr_assert_eq(g->broker.consumer_session_timeout_ns, MS(45000));
    cr_assert_eq(g->broker.consumer_heartbeat_interval_ns, MS(5000));
    cr_assert_eq(g->broker.consumer_min_session_timeout_ns, MS(45000));
    cr_assert_eq(g->broker.consumer_max_session_timeout_ns, MS(60000));
    cr_assert_eq(g->broker.consumer_min_heartbeat_interval_ns, MS(5000));
    cr_assert_eq(g->broker.consumer_max_heartbeat_interval_ns, MS(15000));
    cr_assert_eq(g->network_ms.kind, SIM_DIST_CONSTANT);
    cr_assert_float_eq(g->network_ms.p1, 1.0, 1e-12);
    cr_assert_eq(g->coordinator_failover_ns, MS(3000));
    cr_assert_eq(g->first_consumer, 0);
    cr_assert_eq(g->n_consumers, 1);
    const cg_consumer_cfg_t *c = &s->consumers[0];
    cr_assert_str_eq(c->id, "c");
    cr_assert_eq(c->group, 0);
    cr_assert_eq(c->n_topics, 2);
    cr_assert_eq(c->topics[0], 0);
    cr_assert_eq(c->topics[1], 1);
    cr_assert(c->starts);
    cr_assert_eq(c->join_at_ns, 0);
    cr_assert_eq(c->processing.kind, SIM_DIST_CONSTANT);
    cr_assert_float_eq(c->processing.p1, 1.0, 1e-12);
    cr_assert_eq(c->cfg.session_timeout_ns, MS(45000));
    cr_assert_eq(c->cfg.heartbeat_interval_ns, MS(3000));
    cr_assert_eq(c->cfg.max_poll_interval_ns, MS(300000));
    cr_assert_eq(c->cfg.max_poll_records, 500);
    cr_assert(c->cfg.enable_auto_commit);
    cr_assert_eq(c->cfg.auto_commit_interval_ns, MS(5000));
    cr_assert_eq(c->cfg.auto_offset_reset, CG_RESET_LATEST);
    cr_assert_eq(c->cfg.fetch_max_wait_ns, MS(500));
    cr_assert_eq(c->cfg.request_timeout_ns, MS(30000));
    cr_assert_eq(c->cfg.retry_backoff_ns, MS(100));
    cr_assert_null(c->cfg.group_instance_id);
    cr_assert_null(c->cfg.client_rack);
    cr_assert_null(c->cfg.group_remote_assignor);
    cr_assert_eq(s->n_faults, 0);
    cr_assert_eq(s->n_failure_models, 0);
    cg_scenario_free(s);
}

static const char FULL[] =
    "{\"name\": \"full\", \"seed\": \"18446744073709551615\", \"duration_ms\": 120000,\n"
    " \"topics\": [{\"name\": \"zeta\", \"partitions\": 3}, {\"name\": \"alpha\", \"partitions\": 4},\n"
    "            {\"name\": \"mid\", \"partitions\": 5}],\n"
    " \"producers\": [{\"id\": \"p1\", \"topic\": \"mid\", \"rate_per_s\": 2000, \"keys\": 100000,\n"
    "   \"arrival\": \"constant\", \"key_dist\": \"zipf\", \"zipf_s\": 1.2, \"start_ms\": 10,\n"
    "   \"stop_ms\": 90000}],\n"
    " \"groups\": [\n"
    "  {\"id\": \"billing\", \"protocol\": \"classic\", \"assignor\": \"cooperative-sticky\",\n"
    "   \"network_ms\": {\"dist\": \"uniform\", \"min\": 1, \"max\": 3},\n"
    "   \"coordinator_failover_ms\": 2500,\n"
    "   \"config\": {\"session.timeout.ms\": 10000, \"heartbeat.interval.ms\": 1000,\n"
    "     \"max.poll.interval.ms\": 60000, \"max.poll.records\": 100, \"enable.auto.commit\": false,\n"
    "     \"auto.commit.interval.ms\": 1000, \"auto.offset.reset\": \"earliest\",\n"
    "     \"fetch.max.wait.ms\": 100, \"request.timeout.ms\": 20000, \"retry.backoff.ms\": 50,\n"
    "     \"client.rack\": \"r1\", \"group.initial.rebalance.delay.ms\": 0,\n"
    "     \"group.min.session.timeout.ms\": 5000, \"group.max.session.timeout.ms\": 600000},\n"
    "   \"consumers\": [\n"
    "     {\"id\": \"a\", \"topics\": [\"zeta\", \"alpha\"], \"join_at_ms\": 500,\n"
    "      \"processing_ms\": {\"dist\": \"lognormal\", \"mean\": 2.0, \"sd\": 1.0}},\n"
    "     {\"id\": \"w\", \"count\": 3, \"topics\": [\"mid\"], \"processing_ms\": 4,\n"
    "      \"config\": {\"group.instance.id\": \"inst\", \"session.timeout.ms\": 20000}},\n"
    "     {\"id\": \"late\", \"topics\": [\"alpha\"], \"join_at_ms\": null}]},\n"
    "  {\"id\": \"kip848\", \"protocol\": \"consumer\",\n"
    "   \"config\": {\"group.remote.assignor\": \"range\", \"group.consumer.session.timeout.ms\": 50000,\n"
    "     \"group.consumer.heartbeat.interval.ms\": 6000},\n"
    "   \"consumers\": [{\"id\": \"k\", \"count\": 2, \"topics\": [\"alpha\"]}]}],\n"
    " \"faults\": [\n"
    "   {\"at_ms\": 80000, \"action\": \"crash\", \"target\": \"billing/w-2\", \"duration_ms\": 5000},\n"
    "   {\"at_ms\": 20000, \"action\": \"slow\", \"target\": \"billing/a\", \"factor\": 4},\n"
    "   {\"at_ms\": 20000, \"action\": \"join\", \"target\": \"billing/late\"},\n"
    "   {\"at_ms\": 30000, \"action\": \"rolling_restart\", \"target\": \"kip848\"},\n"
    "   {\"at_ms\": 40000, \"action\": \"scale\", \"target\": \"billing\", \"count\": -2,\n"
    "    \"interval_ms\": 100},\n"
    "   {\"at_ms\": 0, \"action\": \"coordinator_failover\", \"target\": \"billing\"}],\n"
    " \"failure_models\": [{\"model\": \"stochastic\", \"group\": \"kip848\",\n"
    "   \"ttf_ms\": {\"dist\": \"exponential\", \"mean\": 30000}, \"ttr_ms\": 2000,\n"
    "   \"actions\": {\"crash\": 1, \"hang\": 0.5}, \"slow_factor\": 3, \"start_ms\": 1000}]}\n";

Test(scenario_load, full_scenario_values)
{
    cg_scenario_t *s = load_text(FULL, NULL, 0);
    cr_assert_eq(s->seed, UINT64_MAX);
    cr_assert_eq(s->n_topics, 3);
    cr_assert_str_eq(s->topics[0].name, "alpha");
    cr_assert_eq(s->topics[0].partitions, 4);
    cr_assert_str_eq(s->topics[1].name, "mid");
    cr_assert_str_eq(s->topics[2].name, "zeta");
    const cg_producer_cfg_t *p = &s->producers[0];
    cr_assert_eq(p->topic, 1);
    cr_assert_eq(p->arrival, CG_ARRIVAL_CONSTANT);
    cr_assert_eq(p->key_dist, CG_KEYS_ZIPF);
    cr_assert_float_eq(p->zipf_s, 1.2, 1e-12);
    cr_assert_eq(p->start_ns, MS(10));
    cr_assert_eq(p->stop_ns, MS(90000));
    const cg_group_cfg_t *g = &s->groups[0];
    cr_assert_str_eq(g->assignor->name, "cooperative-sticky");
    cr_assert(g->cooperative, "cooperative-sticky implies cooperative");
    cr_assert_eq(g->network_ms.kind, SIM_DIST_UNIFORM);
    cr_assert_eq(g->coordinator_failover_ns, MS(2500));
    cr_assert_eq(g->broker.initial_rebalance_delay_ns, 0);
    cr_assert_eq(g->broker.min_session_timeout_ns, MS(5000));
    cr_assert_eq(g->broker.max_session_timeout_ns, MS(600000));
    cr_assert_eq(g->n_consumers, 5);
    const cg_group_cfg_t *k = &s->groups[1];
    cr_assert_eq(k->protocol, CG_PROTOCOL_CONSUMER);
    cr_assert_str_eq(k->assignor->name, "range");
    cr_assert_eq(k->assignor->protocol, CG_PROTOCOL_CONSUMER);
    cr_assert_eq(k->broker.consumer_session_timeout_ns, MS(50000));
    cr_assert_eq(k->broker.consumer_heartbeat_interval_ns, MS(6000));
    cr_assert_eq(k->first_consumer, 5);
    cr_assert_eq(k->n_consumers, 2);
    cg_scenario_free(s);
}

Test(scenario_load, consumers_expanded_and_merged)
{
    cg_scenario_t *s = load_text(FULL, NULL, 0);
    static const char *const IDS[] = {"a", "w-1", "w-2", "w-3", "late", "k-1", "k-2"};
    cr_assert_eq(s->n_consumers, 7);
    for (size_t i = 0; i < 7; i++)
        cr_assert_str_eq(s->consumers[i].id, IDS[i]);
    const cg_consumer_cfg_t *a = &s->consumers[0];
    cr_assert_eq(a->n_topics, 2);
    cr_assert_eq(a->topics[0], 0);   /* alpha */
    cr_assert_eq(a->topics[1], 2);   /* zeta */
    cr_assert_eq(a->join_at_ns, MS(500));
    cr_assert_eq(a->processing.kind, SIM_DIST_LOGNORMAL);
    cr_assert_eq(a->cfg.session_timeout_ns, MS(10000));
    cr_assert_eq(a->cfg.heartbeat_interval_ns, MS(1000));
    cr_assert_eq(a->cfg.max_poll_interval_ns, MS(60000));
    cr_assert_eq(a->cfg.max_poll_records, 100);
    cr_assert(!a->cfg.enable_auto_commit);
    cr_assert_eq(a->cfg.auto_offset_reset, CG_RESET_EARLIEST);
    cr_assert_eq(a->cfg.fetch_max_wait_ns, MS(100));
    cr_assert_eq(a->cfg.request_timeout_ns, MS(20000));
    cr_assert_eq(a->cfg.retry_backoff_ns, MS(50));
    cr_assert_str_eq(a->cfg.client_rack, "r1");
    cr_assert_null(a->cfg.group_instance_id);
    for (size_t i = 1; i <= 3; i++) {
        const cg_consumer_cfg_t *w = &s->consumers[i];
        char inst[16];
        snprintf(inst, sizeof inst, "inst-%zu", i);
        cr_assert_str_eq(w->cfg.group_instance_id, inst);
        cr_assert_eq(w->cfg.session_timeout_ns, MS(20000), "consumer override");
        cr_assert_eq(w->cfg.heartbeat_interval_ns, MS(1000), "group value kept");
        cr_assert_str_eq(w->cfg.client_rack, "r1");
        cr_assert_eq(w->processing.kind, SIM_DIST_CONSTANT);
        cr_assert_float_eq(w->processing.p1, 4.0, 1e-12);
        cr_assert_eq(w->n_topics, 1);
        cr_assert_eq(w->topics[0], 1);
        if (i > 1)
            cr_assert(w->topics != s->consumers[i - 1].topics, "each copy owns its topics");
    }
    cr_assert(!s->consumers[4].starts, "join_at_ms null: starts stopped");
    cr_assert_str_eq(s->consumers[5].cfg.group_remote_assignor, "range");
    cr_assert_eq(s->consumers[6].group, 1);
    cg_scenario_free(s);
}

Test(scenario_load, faults_sorted_stable_and_resolved)
{
    cg_scenario_t *s = load_text(FULL, NULL, 0);
    cr_assert_eq(s->n_faults, 6);
    const cg_fault_cfg_t *f = s->faults;
    cr_assert_eq(f[0].action, CG_FAULT_COORDINATOR_FAILOVER);
    cr_assert_eq(f[0].group, 0);
    cr_assert_eq(f[0].consumer, -1);
    cr_assert_eq(f[1].action, CG_FAULT_SLOW, "tie at 20000 keeps file order");
    cr_assert_float_eq(f[1].factor, 4.0, 1e-12);
    cr_assert_eq(f[1].consumer, 0);
    cr_assert_eq(f[2].action, CG_FAULT_JOIN);
    cr_assert_eq(f[2].consumer, 4);
    cr_assert_eq(f[3].action, CG_FAULT_ROLLING_RESTART);
    cr_assert_eq(f[3].group, 1);
    cr_assert_eq(f[3].interval_ns, MS(10000));
    cr_assert_eq(f[3].down_ns, MS(5000));
    cr_assert_eq(f[3].duration_ns, -1);
    cr_assert_eq(f[4].action, CG_FAULT_SCALE);
    cr_assert_eq(f[4].count, -2);
    cr_assert_eq(f[4].interval_ns, MS(100));
    cr_assert_eq(f[5].action, CG_FAULT_CRASH);
    cr_assert_str_eq(f[5].target, "billing/w-2");
    cr_assert_eq(f[5].consumer, 2);
    cr_assert_eq(f[5].duration_ns, MS(5000));
    cr_assert_eq(f[5].at_ns, MS(80000));
    const cg_failure_model_cfg_t *m = &s->failure_models[0];
    cr_assert_str_eq(m->name, "stochastic");
    cr_assert_eq(m->group, 1);
    cr_assert_eq(m->ttf_ms.kind, SIM_DIST_EXPONENTIAL);
    cr_assert_float_eq(m->ttf_ms.p1, 30000.0, 1e-9);
    cr_assert_eq(m->ttr_ms.kind, SIM_DIST_CONSTANT);
    cr_assert_float_eq(m->weights[CG_FAULT_CRASH], 1.0, 1e-12);
    cr_assert_float_eq(m->weights[CG_FAULT_HANG], 0.5, 1e-12);
    cr_assert_float_eq(m->weights[CG_FAULT_SLOW], 0.0, 1e-12);
    cr_assert_float_eq(m->slow_factor, 3.0, 1e-12);
    cr_assert_eq(m->start_ns, MS(1000));
    cg_scenario_free(s);
}

Test(scenario_load, set_overrides)
{
    static const char *const SETS[] = {
        "groups[0].config.session.timeout.ms=9000",     /* dotted Kafka key, existing */
        "groups[0].config.max.poll.records=7",          /* dotted Kafka key, created */
        "duration_ms=100000",
        "seed=7",
        "groups[0].consumers[2].join_at_ms=1500",
        "groups[0].consumers[0].join_at_ms=null",
        "groups[0].assignor=sticky",
        "groups[1].consumers[0].count=4",
        "name=\"quoted\"",
        "producers[0].arrival=poisson",
    };
    cg_scenario_t *s = load_text(FULL, SETS, sizeof SETS / sizeof SETS[0]);
    cr_assert_eq(s->duration_ns, MS(100000));
    cr_assert_eq(s->seed, 7);
    cr_assert_str_eq(s->name, "quoted");
    cr_assert_eq(s->consumers[0].cfg.session_timeout_ns, MS(9000));
    cr_assert_eq(s->consumers[0].cfg.max_poll_records, 7);
    cr_assert(!s->consumers[0].starts);
    cr_assert(s->consumers[4].starts);
    cr_assert_eq(s->consumers[4].join_at_ns, MS(1500));
    cr_assert_str_eq(s->groups[0].assignor->name, "sticky");
    cr_assert(!s->groups[0].cooperative, "sticky is EAGER");
    cr_assert_eq(s->groups[1].n_consumers, 4);
    cr_assert_eq(s->producers[0].arrival, CG_ARRIVAL_POISSON);
    cg_scenario_free(s);
}

Test(scenario_load, strategy_list_picks_first_and_protocol)
{
    static const char *const S1[] = {
        "groups[0].config.partition.assignment.strategy=[\"range\",\"cooperative-sticky\"]"};
    cg_scenario_t *s = load_text(MINIMAL, S1, 1);
    cr_assert_str_eq(s->groups[0].assignor->name, "range");
    cr_assert(!s->groups[0].cooperative, "Kafka: common protocol of range+coop-sticky is EAGER");
    cg_scenario_free(s);
    static const char *const S2[] = {
        "groups[0].config.partition.assignment.strategy="
        "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"};
    s = load_text(MINIMAL, S2, 1);
    cr_assert_str_eq(s->groups[0].assignor->name, "cooperative-sticky");
    cr_assert(s->groups[0].cooperative);
    cg_scenario_free(s);
    static const char *const S3[] = {"groups[0].config.partition.assignment.strategy="
                                     "cooperative-sticky,range",
                                     "groups[0].rebalance=eager"};
    s = load_text(MINIMAL, S3, 2);
    cr_assert(!s->groups[0].cooperative, "eager while an eager-only assignor is listed");
    cg_scenario_free(s);
    static const char *const S4[] = {"groups[0].protocol=consumer"};
    s = load_text(MINIMAL, S4, 1);
    cr_assert_str_eq(s->groups[0].assignor->name, "uniform");
    cr_assert_eq(s->groups[0].assignor->protocol, CG_PROTOCOL_CONSUMER);
    cg_scenario_free(s);
}

Test(scenario_load, from_file_and_byte_order_mark)
{
    char path[] = "/tmp/cgsim_scenario_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "wb");
    fputs("\xEF\xBB\xBF", f);
    fputs(MINIMAL, f);
    fclose(f);
    sim_diag_t d;
    cg_scenario_t *s = NULL;
    sim_diag_init(&d);
    cr_assert_eq(cg_scenario_load(path, NULL, 0, &s, &d), 0);
    cr_assert_str_eq(s->path, path);
    cr_assert_eq(s->n_topics, 2);
    cg_scenario_free(s);
    sim_diag_fini(&d);
    remove(path);
}

Test(scenario_load, action_names_round_trip)
{
    for (int a = 0; a < CG_FAULT_ACTION_COUNT; a++)
        cr_assert_eq(cg_fault_action_from_name(cg_fault_action_name((cg_fault_action_t)a)), a);
    cr_assert_eq(cg_fault_action_from_name("explode"), -1);
    cr_assert_str_eq(cg_fault_action_name(CG_FAULT_COORDINATOR_FAILOVER), "coordinator_failover");
}

Test(scenario_load, same_input_same_scenario)
{
    cg_scenario_t *a = load_text(FULL, NULL, 0), *b = load_text(FULL, NULL, 0);
    cr_assert_eq(a->n_consumers, b->n_consumers);
    for (size_t i = 0; i < a->n_consumers; i++) {
        cr_assert_str_eq(a->consumers[i].id, b->consumers[i].id);
        cr_assert_eq(memcmp(&a->consumers[i].processing, &b->consumers[i].processing,
                            sizeof a->consumers[i].processing), 0);
    }
    for (size_t i = 0; i < a->n_faults; i++)
        cr_assert_eq(a->faults[i].at_ns, b->faults[i].at_ns);
    cg_scenario_free(a);
    cg_scenario_free(b);
}
