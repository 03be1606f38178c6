/* models/scenario_fault: scripted faults and stochastic failure models. Member actions target
 * "group/consumer" (after count expansion), group actions target "group"; each option is
 * accepted only by the actions it means something to, so a misplaced "factor" is an error rather
 * than silently ignored. Faults are sorted by time, stable (file order on ties). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/limits.h"
#include "models/scenario/scenario_build.h"

static bool is_group_action(cg_fault_action_t a)
{
    return a == CG_FAULT_COORDINATOR_FAILOVER || a == CG_FAULT_ROLLING_RESTART ||
           a == CG_FAULT_SCALE;
}

/* Actions with an inverse that "duration_ms" can schedule. */
static bool has_inverse(cg_fault_action_t a)
{
    switch (a) {
    case CG_FAULT_CRASH: case CG_FAULT_LEAVE: case CG_FAULT_JOIN: case CG_FAULT_PAUSE:
    case CG_FAULT_HANG: case CG_FAULT_SLOW: case CG_FAULT_ISOLATE: case CG_FAULT_SCALE:
        return true;
    default:
        return false;
    }
}

static const char *group_name_at(const cg_build_t *b, size_t i)
{
    return b->groups_by_id[i].name;
}

static int32_t target_group(cg_build_t *b, const char *name)
{
    char known[512];
    int32_t g = cg_build_group(b, name);
    if (g < 0) {
        cg_build_names(known, sizeof known, group_name_at, b, b->n_groups_by_id);
        cg_jerr_key(&b->c, "target", "unknown group '%s' (known: %s)", cg_jshow(&b->c, name),
                    known);
    }
    return g;
}

/* Ids of group g's consumers in id order, for "known: ..." (by_id is sorted by group). */
static void consumer_names(const cg_build_t *b, int32_t g, char *buf, size_t len)
{
    const cg_group_cfg_t *grp = &b->s->groups[g];
    size_t used = 0, shown = 0;
    buf[0] = '\0';
    if (grp->n_consumers == 0 || !b->by_id) {
        snprintf(buf, len, "none");
        return;
    }
    for (size_t i = 0; i < b->s->n_consumers && used + 1 < len; i++) {
        if (b->by_id[i].group != g)
            continue;
        int w = shown == 10 ? snprintf(buf + used, len - used, ", ...")
                            : snprintf(buf + used, len - used, "%s%s", shown ? ", " : "",
                                       b->by_id[i].id);
        if (w < 0 || (size_t)w >= len - used || shown++ == 10)
            break;
        used += (size_t)w;
    }
}

static bool member_target(cg_build_t *b, const char *t, cg_fault_cfg_t *f)
{
    char group[CG_MAX_NAME_LEN + 1], known[512];
    const char *slash = strchr(t, '/');
    size_t glen = slash ? (size_t)(slash - t) : 0;
    if (!slash || glen == 0 || glen > CG_MAX_NAME_LEN || !slash[1]) {
        cg_jerr_key(&b->c, "target", "action '%s' needs a member target 'group/consumer', got "
                    "'%s'", cg_fault_action_name(f->action), cg_jshow(&b->c, t));
        return false;
    }
    memcpy(group, t, glen);
    group[glen] = '\0';
    f->group = target_group(b, group);
    if (f->group < 0)
        return false;
    f->consumer = cg_build_consumer(b, f->group, slash + 1);
    if (f->consumer >= 0)
        return true;
    consumer_names(b, f->group, known, sizeof known);
    cg_jerr_key(&b->c, "target", "unknown consumer '%s' in group '%s' (known: %s)",
                cg_jshow(&b->c, slash + 1), cg_jshow(&b->c, group), known);
    return false;
}

/* add_partitions names a topic (Kafka's CreatePartitions works on topics, not groups). */
static bool topic_target(cg_build_t *b, const char *t, cg_fault_cfg_t *f)
{
    char known[512];
    f->topic = cg_build_topic(b, t);
    if (f->topic >= 0)
        return true;
    cg_build_topic_list(b, known, sizeof known);
    cg_jerr_key(&b->c, "target", "action 'add_partitions' needs a topic target, got unknown "
                "topic '%s' (known: %s)", cg_jshow(&b->c, t), known);
    return false;
}

static bool fault_target(cg_build_t *b, const cJSON *o, cg_fault_cfg_t *f, bool action_ok)
{
    const char *t = NULL;
    f->group = -1;
    f->consumer = -1;
    f->topic = -1;
    if (!cg_jget_str(&b->c, o, "target", true, 2 * CG_MAX_NAME_LEN + 1, false, &t) || !t)
        return false;
    f->target = cg_build_strdup(b, t);
    if (!action_ok)
        return false;
    if (f->action == CG_FAULT_ADD_PARTITIONS)
        return topic_target(b, t, f);
    if (!is_group_action(f->action))
        return member_target(b, t, f);
    if (strchr(t, '/')) {
        cg_jerr_key(&b->c, "target", "action '%s' needs a group target 'group', got '%s'",
                    cg_fault_action_name(f->action), cg_jshow(&b->c, t));
        return false;
    }
    f->group = target_group(b, t);
    if (f->group >= 0 && f->action == CG_FAULT_SCALE && b->s->groups[f->group].n_consumers == 0) {
        cg_jerr_key(&b->c, "target", "scale needs at least one consumer in group '%s' to copy",
                    cg_jshow(&b->c, t));
        return false;
    }
    return f->group >= 0;
}

static bool only_for(cg_build_t *b, const cJSON *o, const char *key, bool allowed,
                     const char *which)
{
    if (allowed || !cJSON_GetObjectItemCaseSensitive(o, key))
        return true;
    cg_jerr_key(&b->c, key, "applies to %s only", which);
    return false;
}

/* add_partitions: count > 0 partitions more; the topic's room grows (checked against the
 * per-topic and total limits, since every partition a run will have is allocated at the start). */
static bool partitions_count(cg_build_t *b, const cJSON *o, cg_fault_cfg_t *f)
{
    int64_t count = 0;
    cg_jrange_t r = {1, CG_MAX_PARTITIONS_PER_TOPIC, "CG_MAX_PARTITIONS_PER_TOPIC"};
    if (!cg_jget_int(&b->c, o, "count", r, 0, true, &count) || f->topic < 0)
        return false;
    cg_topic_cfg_t *t = &b->s->topics[f->topic];
    if (t->explicit_racks) {
        cg_jerr_key(&b->c, "target", "topic '%s' lists its replicas in 'racks', which would not "
                    "say where added partitions are (give it 'rack_count' instead)", t->name);
        return false;
    }
    if (t->max_partitions + count > CG_MAX_PARTITIONS_PER_TOPIC) {
        cg_jerr_key(&b->c, "count", "topic '%s' would have %lld partitions, beyond the limit of "
                    "%d (CG_MAX_PARTITIONS_PER_TOPIC)", t->name,
                    (long long)(t->max_partitions + count), CG_MAX_PARTITIONS_PER_TOPIC);
        return false;
    }
    int64_t total = count;
    for (size_t i = 0; i < b->s->n_topics; i++)
        total += b->s->topics[i].max_partitions;
    if (total > CG_MAX_PARTITIONS_TOTAL) {
        cg_jerr_key(&b->c, "count", "%lld partitions in total after this fault exceed the limit "
                    "of %lld (CG_MAX_PARTITIONS_TOTAL)", (long long)total,
                    (long long)CG_MAX_PARTITIONS_TOTAL);
        return false;
    }
    t->max_partitions += (int32_t)count;
    f->count = (int32_t)count;
    return true;
}

static bool fault_count(cg_build_t *b, const cJSON *o, cg_fault_cfg_t *f)
{
    int64_t count = 0;
    cg_jrange_t r = {-CG_MAX_CONSUMERS, CG_MAX_CONSUMERS, "CG_MAX_CONSUMERS"};
    if (!cg_jget_int(&b->c, o, "count", r, 0, true, &count))
        return false;
    if (count == 0) {
        cg_jerr_key(&b->c, "count", "must not be 0 (+N adds members, -N removes them)");
        return false;
    }
    f->count = (int32_t)count;
    return true;
}

/* A group helper's last step must stay within CG_MAX_FAULT_SPAN_MS (times in ns fit int64). */
static bool fault_span(cg_build_t *b, const cg_fault_cfg_t *f, int64_t interval_ms,
                       int64_t down_ms)
{
    if ((f->action != CG_FAULT_ROLLING_RESTART && f->action != CG_FAULT_SCALE) || f->group < 0)
        return true;
    int64_t members = (int64_t)b->s->groups[f->group].n_consumers;
    int64_t steps = f->action == CG_FAULT_SCALE && llabs(f->count) < members ? llabs(f->count)
                                                                              : members;
    /* each factor is at most CG_MAX_DURATION_MS or CG_MAX_CONSUMERS: no overflow in doubles */
    double span_ms = (double)f->at_ns / CG_NS_PER_MS +
                     (double)(steps > 0 ? steps - 1 : 0) * (double)interval_ms + (double)down_ms;
    if (span_ms <= (double)CG_MAX_FAULT_SPAN_MS)
        return true;
    cg_jerr_key(&b->c, "interval_ms", "%s over %lld members: at_ms + (members - 1) x interval_ms"
                "%s = %.6g ms, beyond CG_MAX_FAULT_SPAN_MS (%lld ms)",
                cg_fault_action_name(f->action), (long long)steps,
                down_ms ? " + down_ms" : "", span_ms, (long long)CG_MAX_FAULT_SPAN_MS);
    return false;
}

/* restart, join, rolling_restart: "config" with the new processes' partition.assignment.strategy
 * and group.protocol (rolling upgrades). */
static bool fault_config(cg_build_t *b, const cJSON *o, cg_fault_cfg_t *f)
{
    cg_fault_action_t a = f->action;
    bool allowed = a == CG_FAULT_RESTART || a == CG_FAULT_JOIN || a == CG_FAULT_ROLLING_RESTART;
    if (!only_for(b, o, "config", allowed, "actions 'restart', 'join' and 'rolling_restart' (the "
                  "new processes' partition.assignment.strategy)"))
        return false;
    if (!cJSON_GetObjectItemCaseSensitive(o, "config") || f->group < 0)
        return true;
    cg_group_cfg_t *g = &b->s->groups[f->group];
    cg_cfg_layer_t l;
    if (!cg_cfg_parse_restart(b, o, g->protocol, &l))
        return false;
    if (l.protocol >= 0) {
        f->set_protocol = true;
        f->protocol = (cg_protocol_t)l.protocol;
        if (f->protocol != g->protocol)
            g->migrates = true;
    }
    if (l.n_strategy == 0)
        return true;
    f->strategy = malloc(l.n_strategy * sizeof *f->strategy);
    if (!f->strategy) {
        cg_jerr(&b->c, "out of memory");
        return false;
    }
    memcpy(f->strategy, l.strategy, l.n_strategy * sizeof *l.strategy);
    f->n_strategy = (uint32_t)l.n_strategy;
    f->cooperative = true;
    for (uint32_t i = 0; i < f->n_strategy; i++)
        f->cooperative = f->cooperative && f->strategy[i]->cooperative;
    g->strategies_vary = true;
    return true;
}

static bool fault_options(cg_build_t *b, const cJSON *o, cg_fault_cfg_t *f)
{
    cg_fault_action_t a = f->action;
    bool ok = true, scale = a == CG_FAULT_SCALE, rolling = a == CG_FAULT_ROLLING_RESTART;
    bool adds = a == CG_FAULT_ADD_PARTITIONS;
    int64_t dur = -1, interval = 0, down = 5000;
    cg_jrange_t dr = {1, CG_MAX_DURATION_MS, "CG_MAX_DURATION_MS"};
    cg_jrange_t tr = {0, CG_MAX_DURATION_MS, "CG_MAX_DURATION_MS"};
    if (!has_inverse(a) && cJSON_GetObjectItemCaseSensitive(o, "duration_ms")) {
        cg_jerr_key(&b->c, "duration_ms", "does not apply to action '%s' (it has no inverse "
                    "action)", cg_fault_action_name(a));
        ok = false;
    } else {
        ok = cg_jget_int(&b->c, o, "duration_ms", dr, -1, false, &dur) && ok;
    }
    f->duration_ns = dur < 0 ? -1 : dur * CG_NS_PER_MS;
    f->factor = 10;
    if (only_for(b, o, "factor", a == CG_FAULT_SLOW, "action 'slow'"))
        ok = cg_jget_num(&b->c, o, "factor", 0, true, CG_MAX_SLOW_FACTOR, 10, &f->factor) && ok;
    else
        ok = false;
    if (only_for(b, o, "count", scale || adds, "actions 'scale' and 'add_partitions'"))
        ok = (scale ? fault_count(b, o, f) : !adds || partitions_count(b, o, f)) && ok;
    else
        ok = false;
    if (only_for(b, o, "interval_ms", scale || rolling, "actions 'rolling_restart' and 'scale'"))
        ok = cg_jget_int(&b->c, o, "interval_ms", tr, rolling ? 10000 : 0, false, &interval) && ok;
    else
        ok = false;
    if (only_for(b, o, "down_ms", rolling, "action 'rolling_restart'"))
        ok = cg_jget_int(&b->c, o, "down_ms", tr, 5000, false, &down) && ok;
    else
        ok = false;
    f->interval_ns = interval * CG_NS_PER_MS;
    f->down_ns = rolling ? down * CG_NS_PER_MS : 0;
    bool restarts = a == CG_FAULT_RESTART || a == CG_FAULT_JOIN, sub = a == CG_FAULT_SUBSCRIBE;
    if (only_for(b, o, "topics", restarts || sub, "actions 'subscribe', 'restart' and 'join' "
                 "(the new subscription)")) {
        if (sub || (restarts && cJSON_GetObjectItemCaseSensitive(o, "topics")))
            ok = cg_build_topics(b, o, &f->topics, &f->n_topics) && ok;
    } else {
        ok = false;
    }
    ok = fault_config(b, o, f) && ok;
    return ok && fault_span(b, f, interval, rolling ? down : 0);
}

static void parse_fault(cg_build_t *b, const cJSON *item, cg_fault_cfg_t *f)
{
    static const char *const KEYS[] = {"at_ms", "action", "target", "duration_ms", "factor",
                                       "count", "interval_ms", "down_ms", "topics", "config",
                                       NULL};
    const char *actions[CG_FAULT_ACTION_COUNT + 1];
    const cJSON *o = cg_build_object(b, item);
    int action = -1;
    int64_t at = 0;
    f->group = -1;
    f->consumer = -1;
    f->topic = -1;
    f->duration_ns = -1;
    if (!o)
        return;
    for (int i = 0; i < CG_FAULT_ACTION_COUNT; i++)
        actions[i] = cg_fault_action_name((cg_fault_action_t)i);
    actions[CG_FAULT_ACTION_COUNT] = NULL;
    cg_jcheck_keys(&b->c, o, KEYS);
    cg_jrange_t r = {0, b->duration_ms, NULL};
    cg_jget_int(&b->c, o, "at_ms", r, 0, true, &at);
    f->at_ns = at * CG_NS_PER_MS;
    bool action_ok = cJSON_GetObjectItemCaseSensitive(o, "action") != NULL;
    if (!action_ok)
        cg_jerr(&b->c, "missing required key 'action'");
    action_ok = cg_jget_enum(&b->c, o, "action", actions, -1, &action) && action_ok;
    f->action = action_ok ? (cg_fault_action_t)action : CG_FAULT_CRASH;
    fault_target(b, o, f, action_ok);
    if (action_ok)
        fault_options(b, o, f);
}

typedef struct fault_ord {
    cg_fault_cfg_t f;                 /* the fault */
    size_t ord;                       /* file position, breaks ties in time */
} fault_ord_t;

static int fault_cmp(const void *pa, const void *pb)
{
    const fault_ord_t *a = pa, *b = pb;
    if (a->f.at_ns != b->f.at_ns)
        return (a->f.at_ns > b->f.at_ns) - (a->f.at_ns < b->f.at_ns);
    return (a->ord > b->ord) - (a->ord < b->ord);
}

int cg_build_faults(cg_build_t *b, const cJSON *root)
{
    cg_scenario_t *s = b->s;
    const cJSON *arr = cg_build_array(b, root, "faults", CG_MAX_FAULTS, "CG_MAX_FAULTS");
    size_t n = arr ? (size_t)cJSON_GetArraySize(arr) : 0, i = 0;
    fault_ord_t *v = calloc(n ? n : 1, sizeof *v);
    s->faults = calloc(n ? n : 1, sizeof *s->faults);
    if (!v || !s->faults) {
        free(v);
        cg_jerr(&b->c, "out of memory");
        return -1;
    }
    size_t old = cg_jpath_key(&b->c, "faults");
    for (const cJSON *it = arr ? arr->child : NULL; it; it = it->next, i++) {
        size_t o2 = cg_jpath_index(&b->c, i);
        v[i].ord = i;
        parse_fault(b, it, &v[i].f);
        cg_jpath_pop(&b->c, o2);
    }
    cg_jpath_pop(&b->c, old);
    qsort(v, n, sizeof *v, fault_cmp);
    for (i = 0; i < n; i++)
        s->faults[i] = v[i].f;
    s->n_faults = n;
    free(v);
    return 0;
}

/* ---- failure models ---- */

static bool model_weights(cg_build_t *b, const cJSON *o, cg_failure_model_cfg_t *m)
{
    static const cg_fault_action_t ALLOWED[] = {CG_FAULT_CRASH, CG_FAULT_HANG, CG_FAULT_PAUSE,
                                                CG_FAULT_SLOW, CG_FAULT_ISOLATE, CG_FAULT_LEAVE};
    const char *keys[sizeof ALLOWED / sizeof ALLOWED[0] + 1];
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(o, "actions");
    double total = 0;
    bool ok = true;
    if (!w) {
        m->weights[CG_FAULT_CRASH] = 1;   /* default: crashes only */
        return true;
    }
    size_t old = cg_jpath_key(&b->c, "actions");
    if (!cJSON_IsObject(w)) {
        cg_jerr(&b->c, "expected an object of action weights, got %s", cg_jtype(w));
        cg_jpath_pop(&b->c, old);
        return false;
    }
    for (size_t i = 0; i < sizeof ALLOWED / sizeof ALLOWED[0]; i++)
        keys[i] = cg_fault_action_name(ALLOWED[i]);
    keys[sizeof ALLOWED / sizeof ALLOWED[0]] = NULL;
    ok = cg_jcheck_keys(&b->c, w, keys) == 0;
    for (size_t i = 0; i < sizeof ALLOWED / sizeof ALLOWED[0]; i++) {
        double *x = &m->weights[ALLOWED[i]];
        ok = cg_jget_num(&b->c, w, keys[i], 0, false, CG_MAX_DIST_PARAM, 0, x) && ok;
        total += *x;
    }
    if (ok && total <= 0) {
        cg_jerr(&b->c, "at least one weight must be > 0");
        ok = false;
    }
    cg_jpath_pop(&b->c, old);
    return ok;
}

static void parse_model(cg_build_t *b, const cJSON *item, cg_failure_model_cfg_t *m)
{
    static const char *const KEYS[] = {"model", "group", "ttf_ms", "ttr_ms", "actions",
                                       "slow_factor", "start_ms", NULL};
    static const char *const MODELS[] = {"stochastic", NULL};
    const cJSON *o = cg_build_object(b, item);
    const char *group = NULL;
    int model = -1;
    int64_t start = 0;
    m->group = -1;
    if (!o)
        return;
    cg_jcheck_keys(&b->c, o, KEYS);
    if (!cJSON_GetObjectItemCaseSensitive(o, "model"))
        cg_jerr(&b->c, "missing required key 'model'");
    else if (cg_jget_enum(&b->c, o, "model", MODELS, -1, &model))
        m->name = cg_build_strdup(b, MODELS[model]);
    if (cg_jget_str(&b->c, o, "group", false, CG_MAX_NAME_LEN, true, &group) && group) {
        m->group = cg_build_group(b, group);
        if (m->group < 0)
            cg_jerr_key(&b->c, "group", "unknown group '%s'", cg_jshow(&b->c, group));
    }
    if (cg_jget_dist(&b->c, o, "ttf_ms", sim_dist_constant(0), true, &m->ttf_ms) &&
        !(sim_dist_mean(&m->ttf_ms) >= CG_MIN_TTF_MS))
        cg_jerr_key(&b->c, "ttf_ms", "the time to failure must have a mean >= %g ms "
                    "(CG_MIN_TTF_MS), got %.6g: with ttr_ms a member would fail and recover "
                    "without virtual time advancing", CG_MIN_TTF_MS, sim_dist_mean(&m->ttf_ms));
    cg_jget_dist(&b->c, o, "ttr_ms", sim_dist_constant(0), true, &m->ttr_ms);
    model_weights(b, o, m);
    cg_jget_num(&b->c, o, "slow_factor", 0, true, CG_MAX_SLOW_FACTOR, 10, &m->slow_factor);
    cg_jrange_t r = {0, b->duration_ms, NULL};
    cg_jget_int(&b->c, o, "start_ms", r, 0, false, &start);
    m->start_ns = start * CG_NS_PER_MS;
}

int cg_build_failure_models(cg_build_t *b, const cJSON *root)
{
    cg_scenario_t *s = b->s;
    const cJSON *arr = cg_build_array(b, root, "failure_models", CG_MAX_GROUPS, "CG_MAX_GROUPS");
    size_t n = arr ? (size_t)cJSON_GetArraySize(arr) : 0, i = 0;
    s->failure_models = calloc(n ? n : 1, sizeof *s->failure_models);
    if (!s->failure_models) {
        cg_jerr(&b->c, "out of memory");
        return -1;
    }
    size_t old = cg_jpath_key(&b->c, "failure_models");
    for (const cJSON *it = arr ? arr->child : NULL; it; it = it->next, i++) {
        size_t o2 = cg_jpath_index(&b->c, i);
        parse_model(b, it, &s->failure_models[s->n_failure_models++]);
        cg_jpath_pop(&b->c, o2);
    }
    cg_jpath_pop(&b->c, old);
    return 0;
}
