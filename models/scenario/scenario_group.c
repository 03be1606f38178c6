/* models/scenario_group: groups and their consumers. Picks each group's assignor and rebalance
 * protocol the way Kafka does (partition.assignment.strategy's first name wins with identical
 * members; COOPERATIVE only when every listed assignor supports it), merges the group's config
 * into each consumer's, expands "count" and indexes consumers by (group, id) for fault targets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/limits.h"
#include "models/scenario/scenario_build.h"

/* ---- assignor and rebalance protocol ---- */

static const cg_assignor_ops_t *find_assignor(cg_build_t *b, cg_protocol_t protocol,
                                              const char *name)
{
    const cg_assignor_ops_t *a = cg_assignor_find(protocol, name);
    if (!a)
        cg_jerr(&b->c, "unknown assignor '%s' for protocol %s (known: %s)", cg_jshow(&b->c, name),
                protocol == CG_PROTOCOL_CLASSIC ? "classic" : "consumer",
                cg_assignor_names(protocol));
    return a;
}

static const cg_assignor_ops_t *named_assignor(cg_build_t *b, const cJSON *o,
                                               cg_protocol_t protocol, bool *given)
{
    const char *name = NULL;
    const cg_assignor_ops_t *a = NULL;
    *given = cJSON_GetObjectItemCaseSensitive(o, "assignor") != NULL;
    if (!cg_jget_str(&b->c, o, "assignor", false, CG_MAX_NAME_LEN, false, &name) || !name)
        return NULL;
    size_t old = cg_jpath_key(&b->c, "assignor");
    a = find_assignor(b, protocol, name);
    cg_jpath_pop(&b->c, old);
    return a;
}

/* The first assignor of `g` and its strategy list that cannot do COOPERATIVE, or NULL. */
static const cg_assignor_ops_t *eager_only(const cg_group_cfg_t *g, const cg_cfg_layer_t *l)
{
    if (g->assignor && !g->assignor->cooperative)
        return g->assignor;
    for (size_t i = 0; i < l->n_strategy; i++)
        if (!l->strategy[i]->cooperative)
            return l->strategy[i];
    return NULL;
}

static bool pick_classic(cg_build_t *b, const cJSON *o, cg_group_cfg_t *g,
                         const cg_cfg_layer_t *l, bool strategy_ok)
{
    static const char *const REBALANCES[] = {"eager", "cooperative", NULL};
    bool given = false, ok = true, listed = false;
    int rebalance = -1;
    g->assignor = named_assignor(b, o, CG_PROTOCOL_CLASSIC, &given);
    if (!given && l->n_strategy)
        g->assignor = l->strategy[0];   /* every member votes for its first choice */
    else if (!given && strategy_ok)
        g->assignor = cg_assignor_find(CG_PROTOCOL_CLASSIC, "range");
    ok = !given || g->assignor;
    for (size_t i = 0; i < l->n_strategy; i++)
        listed = listed || l->strategy[i] == g->assignor;
    if (g->assignor && l->n_strategy && !listed) {
        cg_jerr_key(&b->c, "assignor", "'%s' is not in the group's partition.assignment.strategy",
                    g->assignor->name);
        ok = false;
    }
    ok = cg_jget_enum(&b->c, o, "rebalance", REBALANCES, -1, &rebalance) && ok;
    const cg_assignor_ops_t *eager = eager_only(g, l);
    if (rebalance == 1 && eager) {
        cg_jerr_key(&b->c, "rebalance", "'cooperative' needs assignors that support it: '%s' "
                    "supports EAGER only (cooperative-sticky supports both)", eager->name);
        ok = false;
    }
    /* ConsumerCoordinator takes the highest protocol every assignor supports: with only
     * cooperative-capable assignors that is COOPERATIVE, and nothing selects eager. */
    if (rebalance == 0 && g->assignor && !eager) {
        cg_jerr_key(&b->c, "rebalance", "'eager' with '%s' only: Kafka picks COOPERATIVE when "
                    "every assignor of the group supports it (list an eager-only assignor too, "
                    "as in [\"cooperative-sticky\", \"range\"], for the eager protocol)",
                    g->assignor->name);
        ok = false;
    }
    g->cooperative = rebalance >= 0 ? rebalance == 1 : (g->assignor && !eager);
    return ok;
}

static bool pick_consumer(cg_build_t *b, const cJSON *o, cg_group_cfg_t *g,
                          const cg_cfg_layer_t *l)
{
    bool given = false, ok = true;
    const char *remote = l->client.group_remote_assignor;
    if (cJSON_GetObjectItemCaseSensitive(o, "rebalance")) {
        cg_jerr_key(&b->c, "rebalance", "not allowed with protocol 'consumer' (KIP-848 "
                    "rebalances are incremental; choose the server assignor with \"assignor\")");
        ok = false;
    }
    g->cooperative = false;
    g->assignor = named_assignor(b, o, CG_PROTOCOL_CONSUMER, &given);
    if (given) {
        ok = g->assignor && ok;
        if (g->assignor && remote && strcmp(remote, g->assignor->name) != 0) {
            cg_jerr_key(&b->c, "assignor", "'%s' differs from the config's group.remote.assignor "
                        "'%s'", g->assignor->name, cg_jshow(&b->c, remote));
            ok = false;
        }
        return ok;
    }
    size_t old = cg_jpath_key(&b->c, "config");
    if (remote) {
        cg_jpath_key(&b->c, "group.remote.assignor");
        g->assignor = find_assignor(b, CG_PROTOCOL_CONSUMER, remote);
        ok = g->assignor && ok;
    } else {
        g->assignor = cg_assignor_find(CG_PROTOCOL_CONSUMER, "uniform");  /* broker default */
    }
    cg_jpath_pop(&b->c, old);
    return ok;
}

/* ---- consumers ---- */

static bool grow_consumers(cg_build_t *b, size_t need)
{
    cg_scenario_t *s = b->s;
    if (need <= b->cap_consumers)
        return true;
    size_t cap = b->cap_consumers ? b->cap_consumers : 16;
    while (cap < need)
        cap *= 2;
    cg_consumer_cfg_t *c = realloc(s->consumers, cap * sizeof *c);
    if (c)
        s->consumers = c;
    size_t *src = realloc(b->consumer_src, cap * sizeof *src);
    if (src)
        b->consumer_src = src;
    if (!c || !src) {
        cg_jerr(&b->c, "out of memory");
        return false;
    }
    memset(s->consumers + b->cap_consumers, 0, (cap - b->cap_consumers) * sizeof *c);
    b->cap_consumers = cap;
    return true;
}

static int int32_cmp(const void *pa, const void *pb)
{
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    return (a > b) - (a < b);
}

/* Subscribed topics: resolved, sorted, unique. */
bool cg_build_topics(cg_build_t *b, const cJSON *o, int32_t **out, size_t *n_out)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "topics");
    char known[512];
    bool ok = true;
    size_t n = 0, i = 0;
    if (!arr) {
        cg_jerr(&b->c, "missing required key 'topics'");
        return false;
    }
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0) {
        cg_jerr_key(&b->c, "topics", "expected a non-empty array of topic names, got %s%s",
                    cg_jtype(arr), cJSON_IsArray(arr) ? " (empty)" : "");
        return false;
    }
    if ((size_t)cJSON_GetArraySize(arr) > CG_MAX_TOPICS) {
        cg_jerr_key(&b->c, "topics", "more than %d topics (limit CG_MAX_TOPICS)", CG_MAX_TOPICS);
        return false;
    }
    int32_t *t = calloc((size_t)cJSON_GetArraySize(arr), sizeof *t);
    if (!t) {
        cg_jerr(&b->c, "out of memory");
        return false;
    }
    size_t old = cg_jpath_key(&b->c, "topics");
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        size_t o2 = cg_jpath_index(&b->c, i);
        const char *name = NULL;
        int32_t ix = -1;
        if (cg_jstr_value(&b->c, it, CG_MAX_NAME_LEN, false, &name))
            ix = cg_build_topic(b, name);
        if (name && ix < 0 && !cg_build_topic_refused(b, name)) {
            cg_build_topic_list(b, known, sizeof known);
            cg_jerr(&b->c, "unknown topic '%s' (known: %s)", cg_jshow(&b->c, name), known);
        }
        if (ix >= 0)
            t[n++] = ix;
        else
            ok = false;
        cg_jpath_pop(&b->c, o2);
    }
    qsort(t, n, sizeof *t, int32_cmp);
    size_t k = 0;
    int32_t last_dup = -1;
    for (size_t j = 0; j < n; j++) {
        if (k > 0 && t[k - 1] == t[j]) {
            if (t[j] != last_dup)
                cg_jerr(&b->c, "topic '%s' is listed more than once",
                        cg_jshow(&b->c, b->s->topics[t[j]].name));
            last_dup = t[j];
            ok = false;
            continue;
        }
        t[k++] = t[j];
    }
    n = k;
    cg_jpath_pop(&b->c, old);
    *out = t;
    *n_out = n;
    return ok;
}

static bool consumer_join(cg_build_t *b, const cJSON *o, cg_consumer_cfg_t *c)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, "join_at_ms");
    int64_t v = 0;
    c->starts = true;
    c->join_at_ns = 0;
    if (cJSON_IsNull(j)) {
        c->starts = false;    /* exists only for a later "join" fault */
        return true;
    }
    cg_jrange_t r = {0, b->duration_ms, NULL};
    if (!cg_jget_int(&b->c, o, "join_at_ms", r, 0, false, &v))
        return false;
    c->join_at_ns = v * CG_NS_PER_MS;
    return true;
}

static char *suffixed(cg_build_t *b, const char *base, int64_t k, int64_t count)
{
    char buf[CG_MAX_NAME_LEN + 32];
    if (count <= 1 && k == 0)
        return cg_build_strdup(b, base);
    snprintf(buf, sizeof buf, "%s-%lld", base, (long long)k);
    return cg_build_strdup(b, buf);
}

static char *dup_opt(cg_build_t *b, const char *s)
{
    return s ? cg_build_strdup(b, s) : NULL;
}

/* Append `count` copies of `proto` (count 0 = one, unsuffixed). */
static void expand(cg_build_t *b, const cg_consumer_cfg_t *proto, const char *id,
                   const char *instance, int64_t count, size_t src)
{
    cg_scenario_t *s = b->s;
    int64_t n = count ? count : 1;
    for (int64_t k = 1; k <= n; k++) {
        if (s->n_consumers >= CG_MAX_CONSUMERS) {
            cg_jerr(&b->c, "more than %d consumers after count expansion (limit "
                    "CG_MAX_CONSUMERS)", CG_MAX_CONSUMERS);
            return;
        }
        if (!grow_consumers(b, s->n_consumers + 1))
            return;
        cg_consumer_cfg_t *c = &s->consumers[s->n_consumers];
        *c = *proto;
        c->id = suffixed(b, id, count ? k : 0, count);
        c->topics = malloc((proto->n_topics ? proto->n_topics : 1) * sizeof *c->topics);
        if (c->topics && proto->n_topics)
            memcpy(c->topics, proto->topics, proto->n_topics * sizeof *c->topics);
        c->cfg.group_instance_id = instance ? suffixed(b, instance, count ? k : 0, count) : NULL;
        c->cfg.client_rack = dup_opt(b, proto->cfg.client_rack);
        c->cfg.group_remote_assignor = dup_opt(b, proto->cfg.group_remote_assignor);
        b->consumer_src[s->n_consumers++] = src;
        if (!c->topics)
            cg_jerr(&b->c, "out of memory");
    }
}

static bool consumer_id(cg_build_t *b, const cJSON *o, int64_t count, const char **id)
{
    if (!cg_jget_str(&b->c, o, "id", true, CG_MAX_NAME_LEN, true, id) || !*id)
        return false;
    if (count > 0 && strlen(*id) + 1 + 6 > CG_MAX_NAME_LEN) {
        cg_jerr_key(&b->c, "id", "too long to take a '-N' count suffix (limit CG_MAX_NAME_LEN)");
        return false;
    }
    return true;
}

static bool all_cooperative(const cg_assignor_ops_t *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!v[i]->cooperative)
            return false;
    return n > 0;
}

/* A classic consumer's partition.assignment.strategy: its own list, else the group's, else the
 * group's assignor alone. Its rebalance protocol: the group's with the group's list; with a list
 * of its own, COOPERATIVE when every assignor supports it (ConsumerCoordinator takes the
 * highest protocol all of them support). */
static void consumer_strategy(cg_build_t *b, cg_consumer_cfg_t *c, const cg_cfg_layer_t *l,
                              const cg_cfg_layer_t *group_layer, int32_t gi)
{
    cg_group_cfg_t *g = &b->s->groups[gi];
    bool own = l->n_strategy != group_layer->n_strategy ||
               memcmp(l->strategy, group_layer->strategy,
                      l->n_strategy * sizeof *l->strategy) != 0;
    uint32_t n = 0;
    if (!own && g->assignor)          /* the group's "assignor" is its members' first choice */
        c->strategy[n++] = g->assignor;
    for (size_t i = 0; i < l->n_strategy; i++)
        if (own || l->strategy[i] != g->assignor)
            c->strategy[n++] = l->strategy[i];
    c->n_strategy = n;
    c->cooperative = own ? all_cooperative(c->strategy, c->n_strategy) : g->cooperative;
    if (own)
        g->strategies_vary = true;
}

static void parse_consumer(cg_build_t *b, const cJSON *item, int32_t gi, size_t ci,
                           const cg_cfg_layer_t *group_layer)
{
    static const char *const KEYS[] = {"id", "topics", "join_at_ms", "processing_ms", "config",
                                       "count", NULL};
    const cJSON *o = cg_build_object(b, item);
    cg_consumer_cfg_t c;
    cg_cfg_layer_t l = *group_layer;
    const char *id = NULL;
    int64_t count = 0;
    cg_protocol_t protocol = b->s->groups[gi].protocol;
    if (!o)
        return;
    memset(&c, 0, sizeof c);
    c.group = gi;
    cg_jcheck_keys(&b->c, o, KEYS);
    cg_jrange_t cr = {1, CG_MAX_CONSUMERS, "CG_MAX_CONSUMERS"};
    cg_jget_int(&b->c, o, "count", cr, 0, false, &count);
    bool id_ok = consumer_id(b, o, count, &id);
    cg_build_topics(b, o, &c.topics, &c.n_topics);
    consumer_join(b, o, &c);
    cg_jget_dist(&b->c, o, "processing_ms", sim_dist_constant(1.0), false, &c.processing);
    if (cg_cfg_parse(b, o, CG_CFG_CONSUMER, protocol, &l))
        cg_cfg_check(b, &l, CG_CFG_CONSUMER, protocol);
    if (l.client.group_remote_assignor && protocol == CG_PROTOCOL_CONSUMER &&
        !cg_assignor_find(CG_PROTOCOL_CONSUMER, l.client.group_remote_assignor)) {
        size_t old = cg_jpath_key(&b->c, "config");
        cg_jpath_key(&b->c, "group.remote.assignor");
        find_assignor(b, CG_PROTOCOL_CONSUMER, l.client.group_remote_assignor);
        cg_jpath_pop(&b->c, old);
    }
    c.cfg = l.client;
    c.protocol = l.protocol >= 0 ? (cg_protocol_t)l.protocol : protocol;
    if (c.protocol != protocol)
        b->s->groups[gi].migrates = true;
    if (protocol == CG_PROTOCOL_CLASSIC)
        consumer_strategy(b, &c, &l, group_layer, gi);
    /* Copies borrow nothing: expand() duplicates every string it stores. */
    if (id_ok && cg_budget_consumers(b, count, c.n_topics))
        expand(b, &c, id, l.client.group_instance_id, count, ci);
    free(c.topics);
}

static void parse_consumers(cg_build_t *b, const cJSON *o, int32_t gi, const cg_cfg_layer_t *l)
{
    cg_group_cfg_t *g = &b->s->groups[gi];
    const cJSON *arr = cg_build_array(b, o, "consumers", CG_MAX_CONSUMERS, "CG_MAX_CONSUMERS");
    size_t i = 0;
    g->first_consumer = b->s->n_consumers;
    size_t old = cg_jpath_key(&b->c, "consumers");
    for (const cJSON *it = arr ? arr->child : NULL; it; it = it->next, i++) {
        size_t o2 = cg_jpath_index(&b->c, i);
        parse_consumer(b, it, gi, i, l);
        cg_jpath_pop(&b->c, o2);
    }
    g->n_consumers = b->s->n_consumers - g->first_consumer;
    cg_jpath_pop(&b->c, old);
}

/* ---- groups ---- */

static bool parse_group(cg_build_t *b, const cJSON *o, int32_t gi)
{
    static const char *const KEYS[] = {"id", "protocol", "rebalance", "assignor", "config",
                                       "network_ms", "coordinator_failover_ms", "assignor_ms",
                                       "consumers", NULL};
    static const char *const PROTOCOLS[] = {"classic", "consumer", NULL};
    cg_group_cfg_t *g = &b->s->groups[gi];
    const char *id = NULL;
    int protocol = CG_PROTOCOL_CLASSIC;
    cg_cfg_layer_t l;
    bool ok = cg_jcheck_keys(&b->c, o, KEYS) == 0;
    if (cg_jget_str(&b->c, o, "id", true, CG_MAX_NAME_LEN, true, &id) && id)
        g->id = cg_build_strdup(b, id);
    ok = g->id && ok;
    ok = cg_jget_enum(&b->c, o, "protocol", PROTOCOLS, CG_PROTOCOL_CLASSIC, &protocol) && ok;
    g->protocol = (cg_protocol_t)protocol;
    cg_cfg_defaults(&l);
    bool cfg_ok = cg_cfg_parse(b, o, CG_CFG_GROUP, g->protocol, &l);
    if (cfg_ok)
        cfg_ok = cg_cfg_check(b, &l, CG_CFG_GROUP, g->protocol);
    ok = cfg_ok && ok;
    if (g->protocol == CG_PROTOCOL_CLASSIC)
        ok = pick_classic(b, o, g, &l, cfg_ok) && ok;
    else
        ok = pick_consumer(b, o, g, &l) && ok;
    g->broker = l.broker;
    ok = cg_jget_dist(&b->c, o, "network_ms", sim_dist_constant(1.0), false, &g->network_ms) && ok;
    ok = cg_jget_dist(&b->c, o, "assignor_ms", sim_dist_constant(0.0), false, &g->assignor_ms) && ok;
    if (g->protocol == CG_PROTOCOL_CONSUMER && cJSON_GetObjectItemCaseSensitive(o, "assignor_ms")) {
        cg_jerr_key(&b->c, "assignor_ms", "applies to protocol 'classic' only (the leader's "
                    "client-side assignment; KIP-848 assigns on the coordinator)");
        ok = false;
    }
    cg_jrange_t fr = {0, CG_MAX_CONFIG_MS, "CG_MAX_CONFIG_MS"};
    int64_t failover = 3000;
    ok = cg_jget_int(&b->c, o, "coordinator_failover_ms", fr, 3000, false, &failover) && ok;
    g->coordinator_failover_ns = failover * CG_NS_PER_MS;
    parse_consumers(b, o, gi, &l);
    return ok;
}

static void report_dup_group(cg_build_t *b, const cg_name_ix_t *dup, const cg_name_ix_t *first)
{
    cg_jerr_file(&b->c, "$.groups[%zu].id: duplicate group id '%s' (also $.groups[%zu])", dup->ix,
                 cg_jshow(&b->c, dup->name), first->ix);
}

static int key_cmp(const void *pa, const void *pb)
{
    const cg_consumer_key_t *a = pa, *b = pb;
    if (a->group != b->group)
        return (a->group > b->group) - (a->group < b->group);
    int c = strcmp(a->id, b->id);
    if (c)
        return c;
    return (a->ix > b->ix) - (a->ix < b->ix);
}

/* Sort (group, name) keys and report names given twice in one group. */
static void dup_in_group(cg_build_t *b, cg_consumer_key_t *k, size_t n, const char *what,
                         const char *suffix)
{
    qsort(k, n, sizeof *k, key_cmp);
    for (size_t i = 1, first = 0; i < n; i++) {
        if (k[i].group != k[first].group || strcmp(k[i].id, k[first].id) != 0) {
            first = i;
            continue;
        }
        size_t g = (size_t)k[i].group;
        const char *gid = b->s->groups[g].id ? b->s->groups[g].id : "?";
        cg_jerr_file(&b->c, "$.groups[%zu].consumers[%zu]%s: duplicate %s '%s' in group '%s' "
                     "(also $.groups[%zu].consumers[%zu])", g, b->consumer_src[k[i].ix], suffix,
                     what, cg_jshow(&b->c, k[i].id), cg_jshow(&b->c, gid), g,
                     b->consumer_src[k[first].ix]);
    }
}

static void index_consumers(cg_build_t *b)
{
    cg_scenario_t *s = b->s;
    size_t n = s->n_consumers, m = 0;
    cg_consumer_key_t *inst = calloc(n ? n : 1, sizeof *inst);
    b->by_id = calloc(n ? n : 1, sizeof *b->by_id);
    if (!b->by_id || !inst) {
        free(inst);
        cg_jerr(&b->c, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const cg_consumer_cfg_t *c = &s->consumers[i];
        b->by_id[i] = (cg_consumer_key_t){c->group, c->id ? c->id : "", i};
        if (c->cfg.group_instance_id)
            inst[m++] = (cg_consumer_key_t){c->group, c->cfg.group_instance_id, i};
    }
    dup_in_group(b, b->by_id, n, "consumer id", "");
    /* Two consumers may share a group.instance.id: a misconfiguration Kafka answers with
     * FENCED_INSTANCE_ID (classic) or UNRELEASED_INSTANCE_ID (consumer) for one of them. */
    (void)inst;
    (void)m;
    free(inst);
}

int cg_build_groups(cg_build_t *b, const cJSON *root)
{
    cg_scenario_t *s = b->s;
    const cJSON *arr = cg_build_array(b, root, "groups", CG_MAX_GROUPS, "CG_MAX_GROUPS");
    size_t n = arr ? (size_t)cJSON_GetArraySize(arr) : 0, i = 0;
    s->groups = calloc(n ? n : 1, sizeof *s->groups);
    b->groups_by_id = calloc(n ? n : 1, sizeof *b->groups_by_id);
    if (!s->groups || !b->groups_by_id) {
        cg_jerr(&b->c, "out of memory");
        return -1;
    }
    size_t old = cg_jpath_key(&b->c, "groups");
    for (const cJSON *it = arr ? arr->child : NULL; it; it = it->next, i++) {
        size_t o2 = cg_jpath_index(&b->c, i);
        int32_t gi = (int32_t)s->n_groups++;
        s->groups[gi].first_consumer = s->n_consumers;
        if (cg_build_object(b, it))
            parse_group(b, it, gi);
        if (s->groups[gi].id)
            b->groups_by_id[b->n_groups_by_id++] = (cg_name_ix_t){s->groups[gi].id, (size_t)gi};
        cg_jpath_pop(&b->c, o2);
    }
    cg_jpath_pop(&b->c, old);
    cg_build_dups(b, b->groups_by_id, b->n_groups_by_id, report_dup_group);
    index_consumers(b);
    return 0;
}

int32_t cg_build_group(const cg_build_t *b, const char *id)
{
    size_t lo = 0, hi = b->n_groups_by_id;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(b->groups_by_id[mid].name, id);
        if (c == 0) {
            /* The first of equal ids (file order) is the one faults refer to. */
            while (mid > 0 && strcmp(b->groups_by_id[mid - 1].name, id) == 0)
                mid--;
            return (int32_t)b->groups_by_id[mid].ix;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

int32_t cg_build_consumer(const cg_build_t *b, int32_t group, const char *id)
{
    size_t lo = 0, hi = b->by_id ? b->s->n_consumers : 0;
    cg_consumer_key_t key = {group, id, 0};
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(&b->by_id[mid], &key);
        if (c == 0 || (b->by_id[mid].group == group && strcmp(b->by_id[mid].id, id) == 0))
            return (int32_t)b->by_id[mid].ix;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}
