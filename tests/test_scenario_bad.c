/* tests/test_scenario_bad: every refused input gives its exact "FILE: $.path: message" line.
 * Most cases break one value of a good base scenario with --set (which also tests --set); the
 * rest are raw texts (parse errors, duplicates) or files (unreadable, too large). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "models/limits.h"
#include "models/scenario/scenario.h"

static const char BASE[] =
    "{\"name\": \"b\", \"duration_ms\": 60000,\n"
    " \"topics\": [{\"name\": \"orders\", \"partitions\": 6}],\n"
    " \"producers\": [{\"id\": \"p\", \"topic\": \"orders\", \"rate_per_s\": 10}],\n"
    " \"groups\": [{\"id\": \"g\", \"config\": {},\n"
    "   \"consumers\": [{\"id\": \"c1\", \"topics\": [\"orders\"]},\n"
    "                   {\"id\": \"c2\", \"topics\": [\"orders\"]}]}],\n"
    " \"faults\": [{\"at_ms\": 1000, \"action\": \"crash\", \"target\": \"g/c1\"}]}\n";

/* The cases of a section run in one Test: Criterion starts a process per Test (~15 ms here),
 * which made this file the slowest of the default suite at 84 Tests. A failure names its case:
 * the helpers' messages carry `current`, other assertions their line. */
static const char *current = "";
#define CASE(name) static void name(void)
#define RUN(name) (current = #name, name())

static void dump(const sim_diag_t *d)
{
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "  got: %s\n", d->lines[i]);
}

/* Load `json` with `sets`; the load must fail and `line` must be one of the diagnostics; when
 * `only` the diagnostics must be exactly that line. */
static void expect_text(const char *json, size_t len, const char *const *sets, size_t n_sets,
                        const char *line, bool only)
{
    sim_diag_t d;
    cg_scenario_t *s = NULL;
    bool found = false;
    sim_diag_init(&d);
    int rc = cg_scenario_parse("s.json", json, len, sets, n_sets, &s, &d);
    for (size_t i = 0; i < d.n; i++)
        found = found || strcmp(d.lines[i], line) == 0;
    if (!found || (only && sim_diag_count(&d) != 1))
        dump(&d);
    cr_assert_eq(rc, -1, "%s: the load did not fail", current);
    cr_assert_null(s);
    cr_assert(found, "%s: expected line: %s", current, line);
    if (only)
        cr_assert_eq(sim_diag_count(&d), 1, "%s: expected only: %s", current, line);
    sim_diag_fini(&d);
}

static void expect_set(const char *set, const char *line)
{
    const char *sets[1] = {set};
    expect_text(BASE, strlen(BASE), sets, 1, line, true);
}

static void expect_sets2(const char *a, const char *b, const char *line)
{
    const char *sets[2] = {a, b};
    expect_text(BASE, strlen(BASE), sets, 2, line, true);
}

static void expect_raw(const char *json, const char *line)
{
    expect_text(json, strlen(json), NULL, 0, line, true);
}

CASE(base_is_good)
{
    sim_diag_t d;
    cg_scenario_t *s = NULL;
    sim_diag_init(&d);
    cr_assert_eq(cg_scenario_parse("s.json", BASE, strlen(BASE), NULL, 0, &s, &d), 0);
    cg_scenario_free(s);
    sim_diag_fini(&d);
}

Test(scenario_bad, the_base_scenario)
{
    RUN(base_is_good);
}

/* ---- keys, types, ranges ---- */

CASE(unknown_top_key_suggests)
{
    expect_set("duraton_ms=5",
               "s.json: $: unknown key 'duraton_ms' (did you mean 'duration_ms'?)");
}

CASE(unknown_config_key_suggests)
{
    expect_set("groups[0].config.sesion.timeout.ms=10000",
               "s.json: $.groups[0].config: unknown key 'sesion.timeout.ms' "
               "(did you mean 'session.timeout.ms'?)");
}

CASE(topic_racks)
{
    expect_set("topics[0].rack_count=0",
               "s.json: $.topics[0].rack_count: 0 is out of range (expected 1..64, limit "
               "CG_MAX_RACKS)");
    expect_sets2("topics[0].rack_count=2", "topics[0].replication_factor=3",
                 "s.json: $.topics[0].replication_factor: 3 is out of range (expected 1..2)");
    expect_sets2("topics[0].rack_count=2", "topics[0].racks=[[\"a\"]]",
                 "s.json: $.topics[0].rack_count: cannot be given with 'racks' (racks lists "
                 "every replica)");
    expect_set("topics[0].racks=[[\"a\"]]",
               "s.json: $.topics[0].racks: expected 6 lists of replica racks (one per "
               "partition), got 1");
    expect_set("topics[0].racks=[[\"a\"],[],[\"a\"],[\"b\"],[\"a\"],[\"b\"]]",
               "s.json: $.topics[0].racks[1]: expected an array of 1 to 64 rack names (the racks "
               "of the partition's replicas, leader first), got an empty array");
}

CASE(replica_selector)
{
    expect_set("groups[0].config.replica.selector.class=RackAware",
               "s.json: $.groups[0].config.replica.selector.class: unknown value 'RackAware' "
               "(expected \"org.apache.kafka.common.replica.RackAwareReplicaSelector\" or \"\" "
               "for none, Kafka's default: fetch from the leader)");
}

CASE(unknown_key_lists_known_when_nothing_is_close)
{
    expect_set("topics[0].colour=1",
               "s.json: $.topics[0]: unknown key 'colour' (known: name, partitions, racks, "
               "rack_count, replication_factor)");
}

CASE(wrong_type)
{
    expect_set("duration_ms=\"long\"", "s.json: $.duration_ms: expected an integer, got string");
}

CASE(huge_number)
{
    expect_set("duration_ms=1e30", "s.json: $.duration_ms: 1e+30 is out of range "
                                   "(expected 1..31536000000, limit CG_MAX_DURATION_MS)");
}

CASE(zero_duration)
{
    expect_set("duration_ms=0", "s.json: $.duration_ms: 0 is out of range "
                                "(expected 1..31536000000, limit CG_MAX_DURATION_MS)");
}

CASE(negative_partitions)
{
    expect_set("topics[0].partitions=-3",
               "s.json: $.topics[0].partitions: -3 is out of range "
               "(expected 1..1000000, limit CG_MAX_PARTITIONS_PER_TOPIC)");
}

CASE(fractional_partitions)
{
    expect_set("topics[0].partitions=1.5",
               "s.json: $.topics[0].partitions: expected an integer, got 1.5");
}

CASE(negative_rate)
{
    expect_set("producers[0].rate_per_s=-1",
               "s.json: $.producers[0].rate_per_s: -1 is out of range (expected 0..1000000000)");
}

CASE(max_poll_records_zero)
{
    expect_set("groups[0].config.max.poll.records=0",
               "s.json: $.groups[0].config.max.poll.records: 0 is out of range "
               "(expected 1..1000000, limit CG_MAX_POLL_RECORDS)");
}

CASE(kafka_int_config_overflows_int32)
{
    expect_set("groups[0].config.max.poll.interval.ms=3000000000",
               "s.json: $.groups[0].config.max.poll.interval.ms: 3000000000 is out of range "
               "(expected 1..2147483647)");
}

CASE(bool_config_type)
{
    expect_set("groups[0].config.enable.auto.commit=\"yes\"",
               "s.json: $.groups[0].config.enable.auto.commit: expected true or false, got string");
}

CASE(offset_reset_value)
{
    expect_set("groups[0].config.auto.offset.reset=smallest",
               "s.json: $.groups[0].config.auto.offset.reset: unknown value 'smallest' "
               "(expected one of: latest, earliest, none)");
}

CASE(missing_required_name)
{
    expect_raw("{\"duration_ms\": 5}", "s.json: $: missing required key 'name'");
}

CASE(seed_too_large_for_a_number)
{
    expect_set("seed=1e19", "s.json: $.seed: 1e+19 is out of range (expected 0..9007199254740991: "
                            "from 2^53 on a JSON number may have lost digits; write larger seeds "
                            "as a string, e.g. \"18446744073709551615\")");
}

CASE(illegal_topic_name)
{
    /* References to the refused topic are not reported again. */
    expect_raw("{\"name\": \"x\", \"duration_ms\": 5, \"topics\": [{\"name\": \"a b\", "
               "\"partitions\": 1}], \"groups\": [{\"id\": \"g\", \"consumers\": [{\"id\": \"c\", "
               "\"topics\": [\"a b\"]}]}]}",
               "s.json: $.topics[0].name: topic name 'a b' has a character Kafka does not allow "
               "(legal: a-z A-Z 0-9 . _ -)");
}

CASE(count_zero)
{
    expect_set("groups[0].consumers[1].count=0",
               "s.json: $.groups[0].consumers[1].count: 0 is out of range "
               "(expected 1..100000, limit CG_MAX_CONSUMERS)");
}

Test(scenario_bad, keys_types_ranges)
{
    RUN(unknown_top_key_suggests);
    RUN(unknown_config_key_suggests);
    RUN(topic_racks);
    RUN(replica_selector);
    RUN(unknown_key_lists_known_when_nothing_is_close);
    RUN(wrong_type);
    RUN(huge_number);
    RUN(zero_duration);
    RUN(negative_partitions);
    RUN(fractional_partitions);
    RUN(negative_rate);
    RUN(max_poll_records_zero);
    RUN(kafka_int_config_overflows_int32);
    RUN(bool_config_type);
    RUN(offset_reset_value);
    RUN(missing_required_name);
    RUN(seed_too_large_for_a_number);
    RUN(illegal_topic_name);
    RUN(count_zero);
}

/* ---- references and ids ---- */

CASE(unknown_topic_in_consumer)
{
    expect_set("groups[0].consumers[1].topics[0]=ordrs",
               "s.json: $.groups[0].consumers[1].topics[0]: unknown topic 'ordrs' (known: orders)");
}

CASE(unknown_topic_in_producer)
{
    expect_set("producers[0].topic=x",
               "s.json: $.producers[0].topic: unknown topic 'x' (known: orders)");
}

CASE(duplicate_consumer_id)
{
    expect_set("groups[0].consumers[1].id=c1",
               "s.json: $.groups[0].consumers[1]: duplicate consumer id 'c1' in group 'g' "
               "(also $.groups[0].consumers[0])");
}

CASE(duplicate_consumer_after_count_expansion)
{
    static const char *const SETS[] = {"groups[0].consumers[0].id=c",
                                       "groups[0].consumers[0].count=2",
                                       "groups[0].consumers[1].id=c-2", "faults[0].target=g/c-1"};
    expect_text(BASE, strlen(BASE), SETS, 4,
                "s.json: $.groups[0].consumers[1]: duplicate consumer id 'c-2' in group 'g' "
                "(also $.groups[0].consumers[0])", true);
}

CASE(fault_target_lists_expanded_ids)
{
    expect_sets2("groups[0].consumers[0].id=c", "groups[0].consumers[0].count=3",
                 "s.json: $.faults[0].target: unknown consumer 'c1' in group 'g' "
                 "(known: c-1, c-2, c-3, c2)");
}

CASE(duplicate_topic)
{
    expect_raw("{\"name\": \"x\", \"duration_ms\": 5, \"topics\": [{\"name\": \"t\", "
               "\"partitions\": 1}, {\"name\": \"u\", \"partitions\": 1}, {\"name\": \"t\", "
               "\"partitions\": 2}]}",
               "s.json: $.topics[2].name: duplicate topic 't' (also $.topics[0])");
}

CASE(duplicate_group)
{
    expect_raw("{\"name\": \"x\", \"duration_ms\": 5, \"groups\": [{\"id\": \"g\"}, "
               "{\"id\": \"g\"}]}",
               "s.json: $.groups[1].id: duplicate group id 'g' (also $.groups[0])");
}

CASE(duplicate_json_key)
{
    expect_raw("{\"name\": \"x\", \"name\": \"y\", \"duration_ms\": 5}",
               "s.json: $: duplicate key 'name'");
}

Test(scenario_bad, references_and_ids)
{
    RUN(unknown_topic_in_consumer);
    RUN(unknown_topic_in_producer);
    RUN(duplicate_consumer_id);
    RUN(duplicate_consumer_after_count_expansion);
    RUN(fault_target_lists_expanded_ids);
    RUN(duplicate_topic);
    RUN(duplicate_group);
    RUN(duplicate_json_key);
}

/* ---- Kafka's constraints ---- */

CASE(heartbeat_not_below_session)
{
    expect_set("groups[0].config.heartbeat.interval.ms=45000",
               "s.json: $.groups[0].config: heartbeat.interval.ms (45000) must be lower than "
               "session.timeout.ms (45000)");
}

CASE(session_below_broker_minimum)
{
    expect_sets2("groups[0].config.session.timeout.ms=5000",
                 "groups[0].config.heartbeat.interval.ms=1000",
                 "s.json: $.groups[0].config: session.timeout.ms 5000 is outside "
                 "[group.min.session.timeout.ms, group.max.session.timeout.ms] = [6000, 1800000] "
                 "(Kafka rejects the JoinGroup with INVALID_SESSION_TIMEOUT)");
}

CASE(consumer_session_above_broker_maximum)
{
    expect_set("groups[0].consumers[0].config.session.timeout.ms=2000000",
               "s.json: $.groups[0].consumers[0].config: session.timeout.ms 2000000 is outside "
               "[group.min.session.timeout.ms, group.max.session.timeout.ms] = [6000, 1800000] "
               "(Kafka rejects the JoinGroup with INVALID_SESSION_TIMEOUT)");
}

CASE(consumer_protocol_session_bounds)
{
    expect_sets2("groups[0].protocol=consumer",
                 "groups[0].config.group.consumer.session.timeout.ms=30000",
                 "s.json: $.groups[0].config: group.consumer.session.timeout.ms 30000 is outside "
                 "[group.consumer.min.session.timeout.ms, group.consumer.max.session.timeout.ms] "
                 "= [45000, 60000]");
}

CASE(instance_id_at_group_level)
{
    expect_set("groups[0].config.group.instance.id=x",
               "s.json: $.groups[0].config.group.instance.id: group.instance.id must be unique per "
               "member: set it in a consumer's config");
}

CASE(broker_key_in_consumer_config)
{
    expect_set("groups[0].consumers[0].config.group.min.session.timeout.ms=1",
               "s.json: $.groups[0].consumers[0].config.group.min.session.timeout.ms: "
               "group.min.session.timeout.ms is a group coordinator (broker) setting: set it in "
               "the group's config");
}

Test(scenario_bad, kafkas_constraints)
{
    RUN(heartbeat_not_below_session);
    RUN(session_below_broker_minimum);
    RUN(consumer_session_above_broker_maximum);
    RUN(consumer_protocol_session_bounds);
    RUN(instance_id_at_group_level);
    RUN(broker_key_in_consumer_config);
}

/* ---- assignors and protocols ---- */

CASE(unknown_assignor)
{
    expect_set("groups[0].assignor=stiky",
               "s.json: $.groups[0].assignor: unknown assignor 'stiky' for protocol classic "
               "(known: range, roundrobin, sticky, cooperative-sticky)");
}

CASE(cooperative_with_eager_only_assignor)
{
    expect_set("groups[0].rebalance=cooperative",
               "s.json: $.groups[0].rebalance: 'cooperative' needs assignors that support it: "
               "'range' supports EAGER only (cooperative-sticky supports both)");
}

CASE(eager_with_only_cooperative_assignors)
{
    expect_sets2("groups[0].assignor=cooperative-sticky", "groups[0].rebalance=eager",
                 "s.json: $.groups[0].rebalance: 'eager' with 'cooperative-sticky' only: Kafka "
                 "picks COOPERATIVE when every assignor of the group supports it (list an "
                 "eager-only assignor too, as in [\"cooperative-sticky\", \"range\"], for the "
                 "eager protocol)");
}

CASE(classic_session_settings_with_consumer_protocol)
{
    expect_sets2("groups[0].protocol=consumer", "groups[0].config.session.timeout.ms=10000",
                 "s.json: $.groups[0].config.session.timeout.ms: session.timeout.ms is not used "
                 "by protocol 'consumer' (the Java client refuses it): set the broker's "
                 "group.consumer.session.timeout.ms in the group's config");
    expect_sets2("groups[0].protocol=consumer", "groups[0].config.heartbeat.interval.ms=1000",
                 "s.json: $.groups[0].config.heartbeat.interval.ms: heartbeat.interval.ms is not "
                 "used by protocol 'consumer' (the Java client refuses it): set the broker's "
                 "group.consumer.heartbeat.interval.ms in the group's config");
}

CASE(assignor_time_with_consumer_protocol)
{
    expect_sets2("groups[0].protocol=consumer", "groups[0].assignor_ms=100",
                 "s.json: $.groups[0].assignor_ms: applies to protocol 'classic' only (the "
                 "leader's client-side assignment; KIP-848 assigns on the coordinator)");
}

CASE(fault_topics_only_for_restart_and_join)
{
    expect_set("faults[0].topics=[\"orders\"]",
               "s.json: $.faults[0].topics: applies to actions 'subscribe', 'restart' and 'join' "
               "(the new subscription) only");
}

CASE(rebalance_with_consumer_protocol)
{
    expect_sets2("groups[0].protocol=consumer", "groups[0].rebalance=eager",
                 "s.json: $.groups[0].rebalance: not allowed with protocol 'consumer' (KIP-848 "
                 "rebalances are incremental; choose the server assignor with \"assignor\")");
}

CASE(remote_assignor_with_classic)
{
    expect_set("groups[0].config.group.remote.assignor=uniform",
               "s.json: $.groups[0].config.group.remote.assignor: group.remote.assignor applies "
               "to protocol 'consumer' only (Kafka refuses it with group.protocol=classic)");
}

CASE(unknown_strategy_entry)
{
    expect_set("groups[0].config.partition.assignment.strategy=[\"range\",\"fair\"]",
               "s.json: $.groups[0].config.partition.assignment.strategy[1]: unknown assignor "
               "'fair' (known: range, roundrobin, sticky, cooperative-sticky)");
}

Test(scenario_bad, assignors_and_protocols)
{
    RUN(unknown_assignor);
    RUN(cooperative_with_eager_only_assignor);
    RUN(eager_with_only_cooperative_assignors);
    RUN(classic_session_settings_with_consumer_protocol);
    RUN(assignor_time_with_consumer_protocol);
    RUN(fault_topics_only_for_restart_and_join);
    RUN(rebalance_with_consumer_protocol);
    RUN(remote_assignor_with_classic);
    RUN(unknown_strategy_entry);
}

/* ---- faults and failure models ---- */

CASE(fault_unknown_consumer)
{
    expect_set("faults[0].target=g/c9",
               "s.json: $.faults[0].target: unknown consumer 'c9' in group 'g' (known: c1, c2)");
}

CASE(fault_member_action_needs_member)
{
    expect_set("faults[0].target=g", "s.json: $.faults[0].target: action 'crash' needs a member "
                                     "target 'group/consumer', got 'g'");
}

CASE(fault_unknown_group)
{
    expect_set("faults[0].target=h/c1",
               "s.json: $.faults[0].target: unknown group 'h' (known: g)");
}

CASE(fault_after_end)
{
    expect_set("faults[0].at_ms=70000",
               "s.json: $.faults[0].at_ms: 70000 is out of range (expected 0..60000)");
}

CASE(fault_option_for_other_action)
{
    expect_set("faults[0].factor=2", "s.json: $.faults[0].factor: applies to action 'slow' only");
}

CASE(fault_duration_without_inverse)
{
    expect_sets2("faults[0].action=heal", "faults[0].duration_ms=10",
                 "s.json: $.faults[0].duration_ms: does not apply to action 'heal' (it has no "
                 "inverse action)");
}

CASE(scale_needs_count)
{
    expect_sets2("faults[0].action=scale", "faults[0].target=g",
                 "s.json: $.faults[0]: missing required key 'count'");
}

CASE(failure_model_weights)
{
    expect_set("failure_models=[{\"model\": \"stochastic\", \"ttf_ms\": 1000, \"ttr_ms\": 10, "
               "\"actions\": {\"crash\": 0}}]",
               "s.json: $.failure_models[0].actions: at least one weight must be > 0");
}

CASE(failure_model_action_not_allowed)
{
    expect_set("failure_models=[{\"model\": \"stochastic\", \"ttf_ms\": 1000, \"ttr_ms\": 10, "
               "\"actions\": {\"restart\": 1}}]",
               "s.json: $.failure_models[0].actions: unknown key 'restart' "
               "(known: crash, hang, pause, slow, isolate, leave)");
}

Test(scenario_bad, faults_and_failure_models)
{
    RUN(fault_unknown_consumer);
    RUN(fault_member_action_needs_member);
    RUN(fault_unknown_group);
    RUN(fault_after_end);
    RUN(fault_option_for_other_action);
    RUN(fault_duration_without_inverse);
    RUN(scale_needs_count);
    RUN(failure_model_weights);
    RUN(failure_model_action_not_allowed);
}

/* ---- distributions ---- */

CASE(dist_negative_sd)
{
    expect_set("groups[0].consumers[0].processing_ms={\"dist\":\"normal\",\"mean\":2,\"sd\":-1}",
               "s.json: $.groups[0].consumers[0].processing_ms.sd: -1 is out of range "
               "(expected 0..1000000000000)");
}

CASE(dist_unknown_family)
{
    expect_set("groups[0].network_ms={\"dist\":\"gamma\",\"mean\":2}",
               "s.json: $.groups[0].network_ms.dist: unknown value 'gamma' (expected one of: "
               "constant, uniform, exponential, normal, lognormal, pareto, weibull)");
}

CASE(dist_missing_parameter)
{
    expect_set("groups[0].network_ms={\"dist\":\"pareto\",\"scale\":2}",
               "s.json: $.groups[0].network_ms: missing required key 'shape'");
}

CASE(dist_wrong_parameter_name)
{
    expect_set("groups[0].network_ms={\"dist\":\"exponential\",\"mean\":2,\"rate\":1}",
               "s.json: $.groups[0].network_ms: unknown key 'rate' (known: dist, mean)");
}

CASE(dist_rejected_by_sim_dist_validate)
{
    expect_set("groups[0].network_ms={\"dist\":\"uniform\",\"min\":5,\"max\":1}",
               "s.json: $.groups[0].network_ms: bad uniform distribution: max must be >= min");
}

Test(scenario_bad, distributions)
{
    RUN(dist_negative_sd);
    RUN(dist_unknown_family);
    RUN(dist_missing_parameter);
    RUN(dist_wrong_parameter_name);
    RUN(dist_rejected_by_sim_dist_validate);
}

/* ---- --set itself ---- */

CASE(set_index_out_of_range)
{
    expect_set("groups[3].assignor=sticky",
               "s.json: --set 'groups[3].assignor=sticky': $.groups[3]: no such element "
               "(groups has 1)");
}

CASE(set_without_value)
{
    expect_set("seed", "s.json: --set 'seed': expected PATH=VALUE, e.g. groups[0].assignor=sticky");
}

CASE(set_inside_a_number)
{
    expect_set("duration_ms.x=2",
               "s.json: --set 'duration_ms.x=2': $.duration_ms: cannot set a key inside a number");
}

CASE(set_index_on_object)
{
    expect_set("groups[0].config[0]=1",
               "s.json: --set 'groups[0].config[0]=1': $.groups[0].config: not an array "
               "(it is an object)");
}

Test(scenario_bad, set_itself)
{
    RUN(set_index_out_of_range);
    RUN(set_without_value);
    RUN(set_inside_a_number);
    RUN(set_index_on_object);
}

/* ---- texts that are not scenarios ---- */

CASE(empty_file)
{
    expect_raw("", "s.json: empty input (expected a JSON object)");
    expect_raw(" \n\t", "s.json: empty input (expected a JSON object)");
}

CASE(truncated_json)
{
    expect_raw("{\"name\": \"x\",\n \"duration_ms\": 1",
               "s.json: line 2, column 18: unexpected end of input (truncated JSON?)");
    expect_raw("{\"name\": \"x", "s.json: line 1, column 12: unexpected end of input "
                                  "(truncated JSON?)");
}

CASE(syntax_error_position)
{
    expect_raw("{\"name\": \"x\",\n \"duration_ms\": NaN}",
               "s.json: line 2, column 17: JSON syntax error near 'NaN}'");
}

CASE(trailing_text)
{
    expect_raw("{\"name\": \"x\", \"duration_ms\": 5} {}",
               "s.json: line 1, column 33: unexpected text after the end of the JSON value");
}

CASE(garbage_bytes)
{
    static const char G[] = "\xff\xfe\x01\x02garbage";
    expect_text(G, sizeof G - 1, NULL, 0,
                "s.json: line 1, column 1: invalid UTF-8 byte 0xFF (JSON text must be UTF-8)",
                true);
}

CASE(nul_byte)
{
    static const char G[] = "{\"name\": \0}";
    expect_text(G, sizeof G - 1, NULL, 0, "s.json: line 1, column 10: NUL byte (not a JSON text "
                                          "file)", true);
}

CASE(deep_nesting)
{
    size_t n = 100000;
    char *deep = malloc(n + 1);
    cr_assert_not_null(deep);
    memset(deep, '[', n);
    deep[n] = '\0';
    expect_text(deep, n, NULL, 0, "s.json: line 1, column 65: nesting deeper than 64 levels "
                                  "(limit CG_MAX_JSON_DEPTH)", true);
    free(deep);
}

CASE(brackets_inside_strings_do_not_count)
{
    char json[512];
    char deep[201];
    memset(deep, '[', 200);
    deep[200] = '\0';
    snprintf(json, sizeof json, "{\"name\": \"%s\", \"duration_ms\": 0}", deep);
    expect_raw(json, "s.json: $.duration_ms: 0 is out of range (expected 1..31536000000, "
                     "limit CG_MAX_DURATION_MS)");
}

CASE(root_not_object)
{
    expect_raw("[1, 2]", "s.json: $: expected an object at the top level, got array");
}

CASE(many_problems_in_one_pass)
{
    static const char *const SETS[] = {"duration_ms=-1", "topics[0].partitions=\"six\"",
                                       "groups[0].consumers[0].join_at_ms=true",
                                       "faults[0].action=explode"};
    sim_diag_t d;
    cg_scenario_t *s = NULL;
    sim_diag_init(&d);
    cr_assert_eq(cg_scenario_parse("s.json", BASE, strlen(BASE), SETS, 4, &s, &d), -1);
    static const char *const WANT[] = {
        "s.json: $.duration_ms: -1 is out of range (expected 1..31536000000, limit "
        "CG_MAX_DURATION_MS)",
        "s.json: $.topics[0].partitions: expected an integer, got string",
        "s.json: $.groups[0].consumers[0].join_at_ms: expected an integer, got boolean",
        "s.json: $.faults[0].action: unknown value 'explode' (expected one of: crash, restart, "
        "leave, join, pause, resume, hang, slow, isolate, heal, coordinator_failover, "
        "rolling_restart, scale, subscribe, add_partitions)"};
    if (d.n != 4)
        dump(&d);
    cr_assert_eq(d.n, 4);
    for (size_t i = 0; i < 4; i++)
        cr_assert_str_eq(d.lines[i], WANT[i]);
    sim_diag_fini(&d);
}

Test(scenario_bad, texts_that_are_not_scenarios)
{
    RUN(empty_file);
    RUN(truncated_json);
    RUN(syntax_error_position);
    RUN(trailing_text);
    RUN(garbage_bytes);
    RUN(nul_byte);
    RUN(deep_nesting);
    RUN(brackets_inside_strings_do_not_count);
    RUN(root_not_object);
    RUN(many_problems_in_one_pass);
}

/* ---- files ---- */

CASE(unreadable_file)
{
    sim_diag_t d;
    cg_scenario_t *s = NULL;
    sim_diag_init(&d);
    cr_assert_eq(cg_scenario_load("/nonexistent/x.json", NULL, 0, &s, &d), -1);
    cr_assert_eq(d.n, 1);
    cr_assert_str_eq(d.lines[0], "/nonexistent/x.json: cannot open: No such file or directory");
    sim_diag_fini(&d);
}

CASE(directory_is_not_a_file)
{
    sim_diag_t d;
    cg_scenario_t *s = NULL;
    sim_diag_init(&d);
    cr_assert_eq(cg_scenario_load("/tmp", NULL, 0, &s, &d), -1);
    cr_assert_eq(d.n, 1);
    cr_assert_str_eq(d.lines[0], "/tmp: cannot read: Is a directory");
    sim_diag_fini(&d);
}

CASE(file_over_size_limit)
{
    char path[] = "/tmp/cgsim_big_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    /* A sparse file: no disk use, but read() returns every byte. */
    cr_assert_eq(ftruncate(fd, (off_t)CG_MAX_SCENARIO_BYTES + 1), 0);
    close(fd);
    sim_diag_t d;
    cg_scenario_t *s = NULL;
    sim_diag_init(&d);
    cr_assert_eq(cg_scenario_load(path, NULL, 0, &s, &d), -1);
    remove(path);
    cr_assert_eq(d.n, 1);
    char want[256];
    snprintf(want, sizeof want, "%s: file is larger than the limit of 67108864 bytes "
             "(CG_MAX_SCENARIO_BYTES)", path);
    cr_assert_str_eq(d.lines[0], want);
    sim_diag_fini(&d);
}

Test(scenario_bad, files)
{
    RUN(unreadable_file);
    RUN(directory_is_not_a_file);
    RUN(file_over_size_limit);
}

/* ---- operations: add_partitions, migrations, restarts ---- */

/* add_partitions: a topic target, a positive count within the partition limits, nothing else. */
CASE(add_partitions_unknown_topic)
{
    expect_sets2("faults[0].action=add_partitions", "faults[0].count=2",
                 "s.json: $.faults[0].target: action 'add_partitions' needs a topic target, got "
                 "unknown topic 'g/c1' (known: orders)");
}

CASE(add_partitions_needs_count)
{
    expect_sets2("faults[0].action=add_partitions", "faults[0].target=orders",
                 "s.json: $.faults[0]: missing required key 'count'");
}

CASE(add_partitions_count_positive)
{
    const char *sets[3] = {"faults[0].action=add_partitions", "faults[0].target=orders",
                           "faults[0].count=0"};
    expect_text(BASE, strlen(BASE), sets, 3,
                "s.json: $.faults[0].count: 0 is out of range (expected 1..1000000, limit "
                "CG_MAX_PARTITIONS_PER_TOPIC)", true);
}

CASE(add_partitions_beyond_topic_limit)
{
    const char *sets[3] = {"faults[0].action=add_partitions", "faults[0].target=orders",
                           "faults[0].count=999999"};
    expect_text(BASE, strlen(BASE), sets, 3,
                "s.json: $.faults[0].count: topic 'orders' would have 1000005 partitions, beyond "
                "the limit of 1000000 (CG_MAX_PARTITIONS_PER_TOPIC)", true);
}

CASE(add_partitions_has_no_inverse)
{
    const char *sets[4] = {"faults[0].action=add_partitions", "faults[0].target=orders",
                           "faults[0].count=2", "faults[0].duration_ms=100"};
    expect_text(BASE, strlen(BASE), sets, 4,
                "s.json: $.faults[0].duration_ms: does not apply to action 'add_partitions' (it "
                "has no inverse action)", true);
}

CASE(add_partitions_takes_no_topics)
{
    const char *sets[4] = {"faults[0].action=add_partitions", "faults[0].target=orders",
                           "faults[0].count=2", "faults[0].topics=[\"orders\"]"};
    expect_text(BASE, strlen(BASE), sets, 4,
                "s.json: $.faults[0].topics: applies to actions 'subscribe', 'restart' and 'join' "
                "(the new subscription) only", true);
}

CASE(count_only_for_scale_and_add_partitions)
{
    expect_set("faults[0].count=2",
               "s.json: $.faults[0].count: applies to actions 'scale' and 'add_partitions' only");
}

CASE(metadata_max_age_negative)
{
    expect_set("groups[0].config.metadata.max.age.ms=-1",
               "s.json: $.groups[0].config.metadata.max.age.ms: -1 is out of range "
               "(expected 0..2147483647)");
}

/* group.protocol: Kafka's client setting is accepted when it names the group's protocol; the
 * other one is the KIP-848 online migration, refused as not modelled. */
CASE(group_protocol_other_than_the_group_is_a_migration)
{
    /* A consumer-protocol member of a classic group is an online upgrade: accepted, and the
     * group then keeps both coordinators (migrates). */
    const char *sets[2] = {"groups[0].consumers[0].config.group.protocol=consumer",
                           "groups[0].config.group.consumer.migration.policy=UPGRADE"};
    sim_diag_t d;
    cg_scenario_t *s = NULL;
    sim_diag_init(&d);
    cr_assert_eq(cg_scenario_parse("s.json", BASE, strlen(BASE), sets, 2, &s, &d), 0);
    cr_assert(s->groups[0].migrates);
    cr_assert_eq(s->consumers[0].protocol, CG_PROTOCOL_CONSUMER);
    cr_assert_eq(s->groups[0].broker.migration_policy, CG_MIGRATION_UPGRADE);
    cg_scenario_free(s);
    sim_diag_fini(&d);
    expect_set("groups[0].config.group.protocol=consumer",
               "s.json: $.groups[0].config.group.protocol: 'consumer' differs from the group's "
               "\"protocol\" ('classic'; a member's or a restart's config may say 'consumer' in a "
               "classic group: an online upgrade)");
    expect_set("groups[0].config.group.protocol=kip848",
               "s.json: $.groups[0].config.group.protocol: unknown value 'kip848' (expected one "
               "of: classic, consumer)");
    expect_set("groups[0].config.group.consumer.migration.policy=7",
               "s.json: $.groups[0].config.group.consumer.migration.policy: expected a string, "
               "got number");
}

CASE(restart_config_other_than_the_strategy)
{
    const char *sets[2] = {"faults[0].action=restart",
                           "faults[0].config={\"max.poll.records\": 10}"};
    expect_text(BASE, strlen(BASE), sets, 2,
                "s.json: $.faults[0].config.max.poll.records: a restart may change only "
                "partition.assignment.strategy and group.protocol (cgsim does not model other "
                "settings changing while a group runs)", true);
}

Test(scenario_bad, operations_add_partitions_migrations_restarts)
{
    RUN(add_partitions_unknown_topic);
    RUN(add_partitions_needs_count);
    RUN(add_partitions_count_positive);
    RUN(add_partitions_beyond_topic_limit);
    RUN(add_partitions_has_no_inverse);
    RUN(add_partitions_takes_no_topics);
    RUN(count_only_for_scale_and_add_partitions);
    RUN(metadata_max_age_negative);
    RUN(group_protocol_other_than_the_group_is_a_migration);
    RUN(restart_config_other_than_the_strategy);
}
