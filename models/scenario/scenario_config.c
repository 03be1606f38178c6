/* models/scenario_config: a group's or consumer's "config" object: Kafka's property names,
 * Kafka's defaults (kafka.md (c)), Kafka's types (INT settings are int32) and Kafka's own
 * constraints between settings (heartbeat below session timeout; session timeout inside the
 * broker's bounds, else INVALID_SESSION_TIMEOUT). One table describes every key. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "models/limits.h"
#include "models/scenario/scenario_build.h"

#define CG_INT32_MAX 2147483647LL

typedef enum cfg_kind {
    CFG_MS = 0,                       /* integer milliseconds, stored as int64 ns */
    CFG_INT,                          /* int32 count */
    CFG_BOOL,                         /* true / false */
    CFG_RESET,                        /* auto.offset.reset */
    CFG_STR,                          /* string, borrowed */
    CFG_STRATEGY,                     /* partition.assignment.strategy */
    CFG_SELECTOR,                     /* replica.selector.class */
    CFG_PROTOCOL,                     /* group.protocol: the group's "protocol", or an upgrade */
    CFG_POLICY                        /* group.consumer.migration.policy */
} cfg_kind_t;

typedef enum cfg_where {
    WHERE_ANY = 0,                    /* client setting: group or consumer config */
    WHERE_MEMBER,                     /* must be unique per member: consumer config only */
    WHERE_GROUP                       /* coordinator or group-wide setting: group config only */
} cfg_where_t;

typedef struct cfg_key {
    const char *name;                 /* Kafka property name */
    cfg_kind_t kind;                  /* value type */
    int64_t lo;                       /* smallest value (CFG_MS, CFG_INT) */
    int64_t hi;                       /* largest value */
    const char *limit;                /* limits.h name of hi, or NULL (Kafka's int32) */
    cfg_where_t where;                /* which config objects may hold it */
    size_t off;                       /* offset of the value in cg_cfg_layer_t */
} cfg_key_t;

#define CL(f) offsetof(cg_cfg_layer_t, client.f)
#define BR(f) offsetof(cg_cfg_layer_t, broker.f)
static const cfg_key_t KEYS[] = {
    {"session.timeout.ms", CFG_MS, 1, CG_INT32_MAX, NULL, WHERE_ANY, CL(session_timeout_ns)},
    {"heartbeat.interval.ms", CFG_MS, 1, CG_INT32_MAX, NULL, WHERE_ANY, CL(heartbeat_interval_ns)},
    {"max.poll.interval.ms", CFG_MS, 1, CG_INT32_MAX, NULL, WHERE_ANY, CL(max_poll_interval_ns)},
    {"max.poll.records", CFG_INT, 1, CG_MAX_POLL_RECORDS, "CG_MAX_POLL_RECORDS", WHERE_ANY,
     CL(max_poll_records)},
    {"enable.auto.commit", CFG_BOOL, 0, 0, NULL, WHERE_ANY, CL(enable_auto_commit)},
    {"auto.commit.interval.ms", CFG_MS, 0, CG_INT32_MAX, NULL, WHERE_ANY,
     CL(auto_commit_interval_ns)},
    {"auto.offset.reset", CFG_RESET, 0, 0, NULL, WHERE_ANY, CL(auto_offset_reset)},
    {"fetch.max.wait.ms", CFG_MS, 0, CG_INT32_MAX, NULL, WHERE_ANY, CL(fetch_max_wait_ns)},
    {"request.timeout.ms", CFG_MS, 0, CG_INT32_MAX, NULL, WHERE_ANY, CL(request_timeout_ns)},
    {"retry.backoff.ms", CFG_MS, 0, CG_MAX_CONFIG_MS, "CG_MAX_CONFIG_MS", WHERE_ANY,
     CL(retry_backoff_ns)},
    {"metadata.max.age.ms", CFG_MS, 0, CG_INT32_MAX, NULL, WHERE_ANY, CL(metadata_max_age_ns)},
    {"group.instance.id", CFG_STR, 0, 0, NULL, WHERE_MEMBER, CL(group_instance_id)},
    {"client.rack", CFG_STR, 0, 0, NULL, WHERE_ANY, CL(client_rack)},
    {"group.remote.assignor", CFG_STR, 0, 0, NULL, WHERE_ANY, CL(group_remote_assignor)},
    {"partition.assignment.strategy", CFG_STRATEGY, 0, 0, NULL, WHERE_ANY, 0},
    {"group.protocol", CFG_PROTOCOL, 0, 0, NULL, WHERE_ANY, 0},
    {"group.initial.rebalance.delay.ms", CFG_MS, 0, CG_INT32_MAX, NULL, WHERE_GROUP,
     BR(initial_rebalance_delay_ns)},
    {"group.min.session.timeout.ms", CFG_MS, 1, CG_INT32_MAX, NULL, WHERE_GROUP,
     BR(min_session_timeout_ns)},
    {"group.max.session.timeout.ms", CFG_MS, 1, CG_INT32_MAX, NULL, WHERE_GROUP,
     BR(max_session_timeout_ns)},
    {"group.consumer.session.timeout.ms", CFG_MS, 1, CG_INT32_MAX, NULL, WHERE_GROUP,
     BR(consumer_session_timeout_ns)},
    {"group.consumer.heartbeat.interval.ms", CFG_MS, 1, CG_INT32_MAX, NULL, WHERE_GROUP,
     BR(consumer_heartbeat_interval_ns)},
    {"group.consumer.min.session.timeout.ms", CFG_MS, 1, CG_INT32_MAX, NULL, WHERE_GROUP,
     BR(consumer_min_session_timeout_ns)},
    {"group.consumer.max.session.timeout.ms", CFG_MS, 1, CG_INT32_MAX, NULL, WHERE_GROUP,
     BR(consumer_max_session_timeout_ns)},
    {"group.consumer.min.heartbeat.interval.ms", CFG_MS, 1, CG_INT32_MAX, NULL, WHERE_GROUP,
     BR(consumer_min_heartbeat_interval_ns)},
    {"group.consumer.max.heartbeat.interval.ms", CFG_MS, 1, CG_INT32_MAX, NULL, WHERE_GROUP,
     BR(consumer_max_heartbeat_interval_ns)},
    {"replica.selector.class", CFG_SELECTOR, 0, 0, NULL, WHERE_GROUP, BR(rack_aware_selector)},
    {"group.consumer.migration.policy", CFG_POLICY, 0, 0, NULL, WHERE_GROUP,
     BR(migration_policy)},
};
#undef CL
#undef BR
#define N_KEYS (sizeof KEYS / sizeof KEYS[0])

#define MS(v) ((int64_t)(v) * CG_NS_PER_MS)

void cg_cfg_defaults(cg_cfg_layer_t *l)
{
    memset(l, 0, sizeof *l);
    l->client.session_timeout_ns = MS(45000);
    l->client.heartbeat_interval_ns = MS(3000);
    l->client.max_poll_interval_ns = MS(300000);
    l->client.max_poll_records = 500;
    l->client.enable_auto_commit = true;
    l->client.auto_commit_interval_ns = MS(5000);
    l->client.auto_offset_reset = CG_RESET_LATEST;
    l->client.fetch_max_wait_ns = MS(500);
    l->client.request_timeout_ns = MS(30000);
    l->client.retry_backoff_ns = MS(100);
    l->client.metadata_max_age_ns = MS(300000);
    l->broker.initial_rebalance_delay_ns = MS(3000);
    l->broker.min_session_timeout_ns = MS(6000);
    l->broker.max_session_timeout_ns = MS(1800000);
    l->broker.new_member_join_timeout_ns = MS(300000);
    l->broker.consumer_session_timeout_ns = MS(45000);
    l->broker.consumer_heartbeat_interval_ns = MS(5000);
    l->broker.consumer_min_session_timeout_ns = MS(45000);
    l->broker.consumer_max_session_timeout_ns = MS(60000);
    l->broker.consumer_min_heartbeat_interval_ns = MS(5000);
    l->broker.consumer_max_heartbeat_interval_ns = MS(15000);
    l->broker.migration_policy = CG_MIGRATION_BIDIRECTIONAL;
    l->protocol = -1;
}

const char *cg_migration_policy_name(cg_migration_policy_t p)
{
    static const char *const NAMES[] = {"bidirectional", "upgrade", "downgrade", "disabled"};
    return (unsigned)p < sizeof NAMES / sizeof *NAMES ? NAMES[p] : "?";
}

/* Kafka's validator compares the policy case-insensitively (ConsumerGroupMigrationPolicy). */
static bool parse_policy(cg_build_t *b, const cJSON *v, cg_migration_policy_t *out)
{
    for (int p = CG_MIGRATION_BIDIRECTIONAL; cJSON_IsString(v) && p <= CG_MIGRATION_DISABLED;
         p++) {
        const char *a = v->valuestring, *n = cg_migration_policy_name((cg_migration_policy_t)p);
        while (*a && *n && (*a | 0x20) == *n)
            a++, n++;
        if (!*a && !*n) {
            *out = (cg_migration_policy_t)p;
            return true;
        }
    }
    if (cJSON_IsString(v))
        cg_jerr(&b->c, "unknown value '%s' (expected one of: bidirectional, upgrade, downgrade, "
                "disabled)", cg_jshow(&b->c, v->valuestring));
    else
        cg_jerr(&b->c, "expected a string, got %s", cg_jtype(v));
    return false;
}

/* replica.selector.class, a broker setting: Kafka's rack-aware selector or none (""). */
static bool parse_selector(cg_build_t *b, const cJSON *v, bool *rack_aware)
{
    if (!cJSON_IsString(v)) {
        cg_jerr(&b->c, "expected a string, got %s", cg_jtype(v));
        return false;
    }
    *rack_aware = strcmp(v->valuestring, CG_RACK_AWARE_SELECTOR) == 0;
    if (*rack_aware || !v->valuestring[0])
        return true;
    cg_jerr(&b->c, "unknown value '%s' (expected \"%s\" or \"\" for none, Kafka's default: "
            "fetch from the leader)", cg_jshow(&b->c, v->valuestring), CG_RACK_AWARE_SELECTOR);
    return false;
}

static int key_index(const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(KEYS[i].name, name) == 0)
            return (int)i;
    return -1;
}

bool cg_cfg_is_set(const cg_cfg_layer_t *l, const char *key)
{
    int i = key_index(key);
    return i >= 0 && (l->set >> i) & 1u;
}

/* Kafka's class names and short names of the client assignors. */
static const char *strategy_short(const char *name)
{
    static const char *const MAP[][2] = {
        {"RangeAssignor", "range"}, {"RoundRobinAssignor", "roundrobin"},
        {"StickyAssignor", "sticky"}, {"CooperativeStickyAssignor", "cooperative-sticky"}};
    static const char PKG[] = "org.apache.kafka.clients.consumer.";
    if (strncmp(name, PKG, sizeof PKG - 1) == 0)
        name += sizeof PKG - 1;
    for (size_t i = 0; i < sizeof MAP / sizeof MAP[0]; i++)
        if (strcmp(name, MAP[i][0]) == 0)
            return MAP[i][1];
    return name;
}

static bool strategy_add(cg_build_t *b, cg_cfg_layer_t *l, const char *name, size_t len)
{
    char buf[CG_MAX_NAME_LEN + 1];
    while (len && (*name == ' ' || *name == '\t')) {   /* Kafka trims list items */
        name++;
        len--;
    }
    while (len && (name[len - 1] == ' ' || name[len - 1] == '\t'))
        len--;
    if (len == 0 || len > CG_MAX_NAME_LEN) {
        cg_jerr(&b->c, len ? "assignor name too long" : "empty assignor name");
        return false;
    }
    memcpy(buf, name, len);
    buf[len] = '\0';
    const cg_assignor_ops_t *a = cg_assignor_find(CG_PROTOCOL_CLASSIC, strategy_short(buf));
    if (!a) {
        cg_jerr(&b->c, "unknown assignor '%s' (known: %s)", cg_jshow(&b->c, buf),
                cg_assignor_names(CG_PROTOCOL_CLASSIC));
        return false;
    }
    if (l->n_strategy == CG_MAX_STRATEGY) {
        cg_jerr(&b->c, "more than %d assignors listed", CG_MAX_STRATEGY);
        return false;
    }
    l->strategy[l->n_strategy++] = a;
    return true;
}

/* A list (["range", "cooperative-sticky"]) or Kafka's comma-separated string form. */
static bool parse_strategy(cg_build_t *b, const cJSON *v, cg_cfg_layer_t *l)
{
    bool ok = true;
    l->n_strategy = 0;
    if (cJSON_IsString(v) && v->valuestring) {
        const char *p = v->valuestring;
        for (;;) {
            size_t n = strcspn(p, ",");
            ok = strategy_add(b, l, p, n) && ok;
            if (!p[n])
                break;
            p += n + 1;
        }
        return ok;
    }
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0) {
        cg_jerr(&b->c, "expected a non-empty list of assignor names, got %s%s", cg_jtype(v),
                cJSON_IsArray(v) ? " (empty)" : "");
        return false;
    }
    size_t i = 0;
    for (const cJSON *it = v->child; it; it = it->next, i++) {
        size_t old = cg_jpath_index(&b->c, i);
        if (!cJSON_IsString(it) || !it->valuestring) {
            cg_jerr(&b->c, "expected an assignor name, got %s", cg_jtype(it));
            ok = false;
        } else {
            ok = strategy_add(b, l, it->valuestring, strlen(it->valuestring)) && ok;
        }
        cg_jpath_pop(&b->c, old);
    }
    return ok;
}

static bool parse_value(cg_build_t *b, const cfg_key_t *k, const cJSON *v, cg_cfg_layer_t *l)
{
    static const char *const RESETS[] = {"latest", "earliest", "none", NULL};
    char *at = (char *)l + k->off;
    int64_t x = 0;
    const char *str = NULL;
    cg_jrange_t r = {k->lo, k->hi, k->limit};
    switch (k->kind) {
    case CFG_MS:
        if (!cg_jint_value(&b->c, v, r, &x))
            return false;
        *(int64_t *)(void *)at = x * CG_NS_PER_MS;
        return true;
    case CFG_INT:
        if (!cg_jint_value(&b->c, v, r, &x))
            return false;
        *(int32_t *)(void *)at = (int32_t)x;
        return true;
    case CFG_BOOL:
        if (!cJSON_IsBool(v)) {
            cg_jerr(&b->c, "expected true or false, got %s", cg_jtype(v));
            return false;
        }
        *(bool *)(void *)at = cJSON_IsTrue(v);
        return true;
    case CFG_RESET:
        for (int i = 0; RESETS[i]; i++)
            if (cJSON_IsString(v) && strcmp(v->valuestring, RESETS[i]) == 0) {
                *(cg_offset_reset_t *)(void *)at = (cg_offset_reset_t)i;
                return true;
            }
        if (cJSON_IsString(v))
            cg_jerr(&b->c, "unknown value '%s' (expected one of: latest, earliest, none)",
                    cg_jshow(&b->c, v->valuestring));
        else
            cg_jerr(&b->c, "expected a string, got %s", cg_jtype(v));
        return false;
    case CFG_STR:
        if (!cg_jstr_value(&b->c, v, CG_MAX_NAME_LEN, false, &str))
            return false;
        *(const char **)(void *)at = str;
        return true;
    case CFG_SELECTOR:
        return parse_selector(b, v, (bool *)(void *)at);
    case CFG_STRATEGY:
        return parse_strategy(b, v, l);
    case CFG_PROTOCOL:
        return false;                 /* group_protocol() */
    case CFG_POLICY:
        return parse_policy(b, v, (cg_migration_policy_t *)(void *)at);
    }
    return false;
}

static bool misplaced(cg_build_t *b, const cfg_key_t *k, cg_cfg_level_t level)
{
    if (k->where == WHERE_MEMBER && level == CG_CFG_GROUP) {
        cg_jerr(&b->c, "%s must be unique per member: set it in a consumer's config", k->name);
        return true;
    }
    if (k->where == WHERE_GROUP && level == CG_CFG_CONSUMER) {
        cg_jerr(&b->c, "%s is a group coordinator (broker) setting: set it in the group's "
                "config", k->name);
        return true;
    }
    return false;
}

static void unknown_key(cg_build_t *b, const char *name)
{
    const char *names[N_KEYS + 1];
    for (size_t i = 0; i < N_KEYS; i++)
        names[i] = KEYS[i].name;
    names[N_KEYS] = NULL;
    const char *near = cg_jnearest(name, names);
    if (strcmp(name, "group.protocol") == 0)
        cg_jerr(&b->c, "unknown key 'group.protocol' (use the group's \"protocol\")");
    else if (strcmp(name, "group.id") == 0)
        cg_jerr(&b->c, "unknown key 'group.id' (use the group's \"id\")");
    else if (near)
        cg_jerr(&b->c, "unknown key '%s' (did you mean '%s'?)", cg_jshow(&b->c, name), near);
    else
        cg_jerr(&b->c, "unknown key '%s' (not a consumer or group coordinator setting that "
                "cgsim models)", cg_jshow(&b->c, name));
}

static bool protocol_allows(cg_build_t *b, const cfg_key_t *k, cg_protocol_t protocol)
{
    if (protocol == CG_PROTOCOL_CLASSIC && strcmp(k->name, "group.remote.assignor") == 0) {
        cg_jerr(&b->c, "group.remote.assignor applies to protocol 'consumer' only (Kafka refuses "
                "it with group.protocol=classic)");
        return false;
    }
    if (protocol == CG_PROTOCOL_CONSUMER && k->kind == CFG_STRATEGY) {
        cg_jerr(&b->c, "partition.assignment.strategy is not used by protocol 'consumer' "
                "(the coordinator assigns: use \"assignor\" or group.remote.assignor)");
        return false;
    }
    /* The Java client refuses these with group.protocol=consumer (ConsumerConfig
     * CLASSIC_PROTOCOL_ONLY_CONFIGS): the broker decides both. */
    if (protocol == CG_PROTOCOL_CONSUMER && (strcmp(k->name, "session.timeout.ms") == 0 ||
                                             strcmp(k->name, "heartbeat.interval.ms") == 0)) {
        cg_jerr(&b->c, "%s is not used by protocol 'consumer' (the Java client refuses it): "
                "set the broker's group.consumer.%s in the group's config", k->name, k->name);
        return false;
    }
    return true;
}

/* group.protocol, Kafka's client setting: the group's "protocol", or "consumer" for a member of
 * a classic group (or a restarted process): Kafka 4.0's online migration, which converts the
 * group when that member's first ConsumerGroupHeartbeat arrives, and back when the last such
 * member goes (models/world/migration). A group that starts as a consumer group has no classic
 * member: refused. */
static bool group_protocol(cg_build_t *b, const cJSON *v, cg_cfg_level_t level,
                           cg_protocol_t protocol, cg_cfg_layer_t *l)
{
    static const char *const NAMES[] = {"classic", "consumer"};
    int p = -1;
    for (int i = 0; i < 2; i++)
        if (cJSON_IsString(v) && strcmp(v->valuestring, NAMES[i]) == 0)
            p = i;
    if (p < 0) {
        if (cJSON_IsString(v))
            cg_jerr(&b->c, "unknown value '%s' (expected one of: classic, consumer)",
                    cg_jshow(&b->c, v->valuestring));
        else
            cg_jerr(&b->c, "expected a string, got %s", cg_jtype(v));
        return false;
    }
    if ((cg_protocol_t)p == protocol || (level == CG_CFG_CONSUMER && p == CG_PROTOCOL_CONSUMER)) {
        l->protocol = p;
        return true;
    }
    if (level == CG_CFG_GROUP)
        cg_jerr(&b->c, "'%s' differs from the group's \"protocol\" ('%s'; a member's or a "
                "restart's config may say 'consumer' in a classic group: an online upgrade)",
                NAMES[p], NAMES[protocol]);
    else
        cg_jerr(&b->c, "'classic' in a consumer group: cgsim models migrating groups that start "
                "classic (\"protocol\": \"classic\", with group.protocol 'consumer' for the "
                "members or restarts that upgrade; the group then converts both ways as Kafka "
                "4.0 does)");
    return false;
}

bool cg_cfg_parse(cg_build_t *b, const cJSON *obj, cg_cfg_level_t level, cg_protocol_t protocol,
                  cg_cfg_layer_t *l)
{
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(obj, "config");
    bool ok = true;
    l->set = 0;
    if (!cfg)
        return true;
    size_t old = cg_jpath_key(&b->c, "config");
    if (!cJSON_IsObject(cfg)) {
        cg_jerr(&b->c, "expected an object of Kafka settings, got %s", cg_jtype(cfg));
        cg_jpath_pop(&b->c, old);
        return false;
    }
    ok = cg_jcheck_dups(&b->c, cfg) == 0;
    for (const cJSON *it = cfg->child; it; it = it->next) {
        const char *name = it->string ? it->string : "";
        int i = key_index(name);
        if (i < 0) {
            unknown_key(b, name);
            ok = false;
            continue;
        }
        size_t o2 = cg_jpath_key(&b->c, name);
        if (misplaced(b, &KEYS[i], level) || !protocol_allows(b, &KEYS[i], protocol) ||
            !(KEYS[i].kind == CFG_PROTOCOL ? group_protocol(b, it, level, protocol, l)
                                           : parse_value(b, &KEYS[i], it, l)))
            ok = false;
        else
            l->set |= 1u << i;
        cg_jpath_pop(&b->c, o2);
    }
    cg_jpath_pop(&b->c, old);
    return ok;
}

bool cg_cfg_parse_restart(cg_build_t *b, const cJSON *obj, cg_protocol_t protocol,
                          cg_cfg_layer_t *l)
{
    static const char STRATEGY[] = "partition.assignment.strategy";
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(obj, "config");
    bool ok = true;
    cg_cfg_defaults(l);
    if (cfg && cJSON_IsObject(cfg)) {
        size_t old = cg_jpath_key(&b->c, "config");
        for (const cJSON *it = cfg->child; it; it = it->next) {
            if (it->string && (strcmp(it->string, STRATEGY) == 0 ||
                               strcmp(it->string, "group.protocol") == 0))
                continue;             /* group.protocol: cg_cfg_parse checks it */
            size_t o2 = cg_jpath_key(&b->c, it->string ? it->string : "");
            cg_jerr(&b->c, "a restart may change only %s and group.protocol (cgsim does not "
                    "model other settings changing while a group runs)", STRATEGY);
            cg_jpath_pop(&b->c, o2);
            ok = false;
        }
        cg_jpath_pop(&b->c, old);
    }
    return cg_cfg_parse(b, obj, CG_CFG_CONSUMER, protocol, l) && ok;
}

static long long ms_of(int64_t ns)
{
    return (long long)(ns / CG_NS_PER_MS);
}

/* lo <= v <= hi, with names for the message; lo > hi was reported by the caller. */
static bool within(cg_build_t *b, const char *what, int64_t v, const char *lo_name, int64_t lo,
                   const char *hi_name, int64_t hi, const char *consequence)
{
    if (v >= lo && v <= hi)
        return true;
    cg_jerr(&b->c, "%s %lld is outside [%s, %s] = [%lld, %lld]%s", what, ms_of(v), lo_name,
            hi_name, ms_of(lo), ms_of(hi), consequence);
    return false;
}

static bool ordered(cg_build_t *b, const char *lo_name, int64_t lo, const char *hi_name,
                    int64_t hi, bool strict)
{
    if (strict ? lo < hi : lo <= hi)
        return true;
    cg_jerr(&b->c, "%s (%lld) must %s %s (%lld)", lo_name, ms_of(lo),
            strict ? "be lower than" : "not exceed", hi_name, ms_of(hi));
    return false;
}

static bool check_classic(cg_build_t *b, const cg_cfg_layer_t *l, cg_cfg_level_t level)
{
    const cg_client_cfg_t *c = &l->client;
    const cg_broker_cfg_t *br = &l->broker;
    bool ok = true, bounds_ok = true;
    if (level == CG_CFG_CONSUMER && !cg_cfg_is_set(l, "session.timeout.ms") &&
        !cg_cfg_is_set(l, "heartbeat.interval.ms"))
        return true;      /* same values as the group's, checked there */
    ok = ordered(b, "heartbeat.interval.ms", c->heartbeat_interval_ns, "session.timeout.ms",
                 c->session_timeout_ns, true);
    if (level == CG_CFG_GROUP)
        bounds_ok = ordered(b, "group.min.session.timeout.ms", br->min_session_timeout_ns,
                            "group.max.session.timeout.ms", br->max_session_timeout_ns, false);
    else
        bounds_ok = br->min_session_timeout_ns <= br->max_session_timeout_ns;
    if (bounds_ok)
        ok = within(b, "session.timeout.ms", c->session_timeout_ns, "group.min.session.timeout.ms",
                    br->min_session_timeout_ns, "group.max.session.timeout.ms",
                    br->max_session_timeout_ns,
                    " (Kafka rejects the JoinGroup with INVALID_SESSION_TIMEOUT)") && ok;
    return ok && bounds_ok;
}

/* The coordinator's KIP-848 settings, as GroupCoordinatorConfig checks them at broker start. */
static bool check_consumer_broker(cg_build_t *b, const cg_broker_cfg_t *br)
{
    bool ok = true;
    if (ordered(b, "group.consumer.min.session.timeout.ms", br->consumer_min_session_timeout_ns,
                "group.consumer.max.session.timeout.ms", br->consumer_max_session_timeout_ns,
                false))
        ok = within(b, "group.consumer.session.timeout.ms", br->consumer_session_timeout_ns,
                    "group.consumer.min.session.timeout.ms", br->consumer_min_session_timeout_ns,
                    "group.consumer.max.session.timeout.ms", br->consumer_max_session_timeout_ns,
                    "") && ok;
    else
        ok = false;
    if (ordered(b, "group.consumer.min.heartbeat.interval.ms",
                br->consumer_min_heartbeat_interval_ns, "group.consumer.max.heartbeat.interval.ms",
                br->consumer_max_heartbeat_interval_ns, false))
        ok = within(b, "group.consumer.heartbeat.interval.ms", br->consumer_heartbeat_interval_ns,
                    "group.consumer.min.heartbeat.interval.ms",
                    br->consumer_min_heartbeat_interval_ns,
                    "group.consumer.max.heartbeat.interval.ms",
                    br->consumer_max_heartbeat_interval_ns, "") && ok;
    else
        ok = false;
    return ordered(b, "group.consumer.heartbeat.interval.ms", br->consumer_heartbeat_interval_ns,
                   "group.consumer.session.timeout.ms", br->consumer_session_timeout_ns, true) &&
           ok;
}

bool cg_cfg_check(cg_build_t *b, const cg_cfg_layer_t *l, cg_cfg_level_t level,
                  cg_protocol_t protocol)
{
    bool ok = true;
    size_t old = cg_jpath_key(&b->c, "config");
    /* The consumer protocol ignores the client's session and heartbeat settings (kafka.md). */
    if (protocol == CG_PROTOCOL_CLASSIC)
        ok = check_classic(b, l, level);
    if (level == CG_CFG_GROUP)
        ok = check_consumer_broker(b, &l->broker) && ok;
    cg_jpath_pop(&b->c, old);
    return ok;
}
