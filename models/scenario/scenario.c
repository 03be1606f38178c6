/* models/scenario: loading a scenario file: read with bounds, parse, apply --set overrides, then
 * build and validate the top level, topics and producers here; groups, consumers, faults and
 * failure models in scenario_group.c and scenario_fault.c. Problems are collected, not fatal, so
 * one run reports everything it can. */
#include "models/scenario/scenario.h"

#include <errno.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/limits.h"
#include "models/scenario/scenario_build.h"
#include "sim/sorted.h"

static const char *const ACTION_NAMES[CG_FAULT_ACTION_COUNT] = {
    "crash", "restart", "leave", "join", "pause", "resume", "hang", "slow", "isolate", "heal",
    "coordinator_failover", "rolling_restart", "scale", "subscribe", "add_partitions"};

const char *cg_fault_action_name(cg_fault_action_t a)
{
    return (unsigned)a < CG_FAULT_ACTION_COUNT ? ACTION_NAMES[a] : "unknown";
}

int cg_fault_action_from_name(const char *name)
{
    for (int i = 0; i < CG_FAULT_ACTION_COUNT; i++)
        if (strcmp(name, ACTION_NAMES[i]) == 0)
            return i;
    return -1;
}

/* ---- build helpers shared with scenario_group.c and scenario_fault.c ---- */

char *cg_build_strdup(cg_build_t *b, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (!d) {
        cg_jerr(&b->c, "out of memory");
        return NULL;
    }
    memcpy(d, s, n);
    return d;
}

const cJSON *cg_build_array(cg_build_t *b, const cJSON *obj, const char *key, size_t max,
                            const char *limit)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!a)
        return NULL;
    if (!cJSON_IsArray(a)) {
        cg_jerr_key(&b->c, key, "expected an array, got %s", cg_jtype(a));
        return NULL;
    }
    size_t n = (size_t)cJSON_GetArraySize(a);
    if (n > max) {
        cg_jerr_key(&b->c, key, "%zu elements exceed the limit of %zu (%s)", n, max, limit);
        return NULL;
    }
    return a;
}

const cJSON *cg_build_object(cg_build_t *b, const cJSON *item)
{
    if (cJSON_IsObject(item))
        return item;
    cg_jerr(&b->c, "expected an object, got %s", cg_jtype(item));
    return NULL;
}

static int name_ix_cmp(const void *pa, const void *pb)
{
    const cg_name_ix_t *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);
    if (c)
        return c;
    return (a->ix > b->ix) - (a->ix < b->ix);
}

size_t cg_build_dups(cg_build_t *b, cg_name_ix_t *v, size_t n,
                     void (*report)(cg_build_t *b, const cg_name_ix_t *dup,
                                    const cg_name_ix_t *first))
{
    size_t dups = 0, first = 0;
    qsort(v, n, sizeof *v, name_ix_cmp);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(v[i].name, v[first].name) != 0) {
            first = i;
            continue;
        }
        dups++;
        report(b, &v[i], &v[first]);
    }
    return dups;
}

void cg_build_names(char *buf, size_t len, const char *(*name_at)(const cg_build_t *, size_t),
                    const cg_build_t *b, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    if (n == 0) {
        snprintf(buf, len, "none");
        return;
    }
    for (size_t i = 0; i < n && used + 1 < len; i++) {
        int w = i == 10 ? snprintf(buf + used, len - used, ", ...")
                        : snprintf(buf + used, len - used, "%s%s", i ? ", " : "", name_at(b, i));
        if (w < 0 || (size_t)w >= len - used)
            break;
        used += (size_t)w;
        if (i == 10)
            break;
    }
}

int32_t cg_build_topic(const cg_build_t *b, const char *name)
{
    return (int32_t)sim_sorted_find_named(b->s->topics, b->s->n_topics, sizeof *b->s->topics,
                                          offsetof(cg_topic_cfg_t, name), name);
}

bool cg_build_topic_refused(const cg_build_t *b, const char *name)
{
    for (size_t i = 0; i < b->n_bad_topics; i++)
        if (strcmp(b->bad_topics[i], name) == 0)
            return true;
    return false;
}

/* ---- top level ---- */

/* 2^53 - 1: the largest seed a JSON number is sure to carry exactly. From 2^53 on, a double
 * cannot tell neighbours apart (2^53 + 1 reads as 2^53), so such a seed is refused rather than
 * run as another one; larger seeds are written as strings. */
#define CG_SEED_MAX_EXACT 9007199254740991.0

static uint64_t parse_seed_string(cg_build_t *b, const char *s)
{
    uint64_t v = 0;
    size_t n = strlen(s);
    bool ok = n > 0 && n <= 20;
    for (size_t i = 0; ok && i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9 || v > (UINT64_MAX - d) / 10)
            ok = false;
        else
            v = v * 10 + d;
    }
    if (!ok) {
        cg_jerr(&b->c, "expected a decimal integer 0..18446744073709551615, got '%s'",
                cg_jshow(&b->c, s));
        return 1;
    }
    return v;
}

static void parse_seed(cg_build_t *b, const cJSON *root)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, "seed");
    cg_scenario_t *s = b->s;
    s->seed = 1;
    if (!it)
        return;
    size_t old = cg_jpath_key(&b->c, "seed");
    if (cJSON_IsString(it) && it->valuestring) {
        s->seed = parse_seed_string(b, it->valuestring);
    } else if (cJSON_IsNumber(it) && isfinite(it->valuedouble) &&
               it->valuedouble > CG_SEED_MAX_EXACT) {
        cg_jerr(&b->c, "%.17g is out of range (expected 0..9007199254740991: from 2^53 on a JSON "
                "number may have lost digits; write larger seeds as a string, e.g. "
                "\"18446744073709551615\")", it->valuedouble);
    } else {
        int64_t v = 1;
        cg_jrange_t r = {0, (int64_t)CG_SEED_MAX_EXACT, NULL};
        if (cg_jint_value(&b->c, it, r, &v))
            s->seed = (uint64_t)v;
    }
    cg_jpath_pop(&b->c, old);
}

/* "lag_sample_ms": the virtual-time grid of the lag and latency records (0 = none). */
static void parse_lag_sample(cg_build_t *b, const cJSON *root)
{
    int64_t v = CG_DEFAULT_LAG_SAMPLE_MS;
    cg_jrange_t r = {0, CG_MAX_DURATION_MS, "CG_MAX_DURATION_MS"};
    if (cg_jget_int(&b->c, root, "lag_sample_ms", r, CG_DEFAULT_LAG_SAMPLE_MS, false, &v) &&
        v > 0 && v < CG_MIN_LAG_SAMPLE_MS) {
        cg_jerr_key(&b->c, "lag_sample_ms", "%lld is below CG_MIN_LAG_SAMPLE_MS (%d; 0 turns "
                    "the samples off)", (long long)v, CG_MIN_LAG_SAMPLE_MS);
        v = CG_DEFAULT_LAG_SAMPLE_MS;
    }
    b->s->lag_sample_ns = v * CG_NS_PER_MS;
}

static void parse_top(cg_build_t *b, const cJSON *root)
{
    static const char *const KEYS[] = {"name", "seed", "duration_ms", "lag_sample_ms", "topics",
                                       "producers", "groups", "faults", "failure_models",
                                       "autoscalers", NULL};
    cg_scenario_t *s = b->s;
    const char *name = NULL;
    int64_t d = 0;
    cg_jcheck_keys(&b->c, root, KEYS);
    if (cg_jget_str(&b->c, root, "name", true, CG_MAX_NAME_LEN, false, &name) && name)
        s->name = cg_build_strdup(b, name);
    parse_seed(b, root);
    cg_jrange_t r = {1, CG_MAX_DURATION_MS, "CG_MAX_DURATION_MS"};
    if (cg_jget_int(&b->c, root, "duration_ms", r, 0, true, &d)) {
        b->duration_ms = d;
    } else {
        b->duration_ms = CG_MAX_DURATION_MS;  /* keeps checking the rest against the limit */
    }
    s->duration_ns = b->duration_ms * CG_NS_PER_MS;
    parse_lag_sample(b, root);
}

/* ---- topics ---- */

#define CG_KAFKA_MAX_TOPIC_LEN 249    /* Kafka's Topic.MAX_NAME_LENGTH */

static bool topic_name_ok(cg_build_t *b, const char *n)
{
    size_t len = strlen(n);
    if (len > CG_KAFKA_MAX_TOPIC_LEN) {
        cg_jerr_key(&b->c, "name", "topic name longer than %d characters (Kafka's limit)",
                    CG_KAFKA_MAX_TOPIC_LEN);
        return false;
    }
    if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0) {
        cg_jerr_key(&b->c, "name", "topic name cannot be '.' or '..' (Kafka refuses them)");
        return false;
    }
    for (const char *p = n; *p; p++) {
        char ch = *p;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
        if (!ok) {
            cg_jerr_key(&b->c, "name", "topic name '%s' has a character Kafka does not allow "
                        "(legal: a-z A-Z 0-9 . _ -)", cg_jshow(&b->c, n));
            return false;
        }
    }
    return true;
}

static bool parse_topic(cg_build_t *b, const cJSON *item, cg_topic_cfg_t *t)
{
    static const char *const KEYS[] = {"name", "partitions", "racks", "rack_count",
                                       "replication_factor", NULL};
    const cJSON *o = cg_build_object(b, item);
    const char *name = NULL;
    int64_t parts = 1;
    if (!o)
        return false;
    cg_jcheck_keys(&b->c, o, KEYS);
    cg_jrange_t r = {1, CG_MAX_PARTITIONS_PER_TOPIC, "CG_MAX_PARTITIONS_PER_TOPIC"};
    cg_jget_int(&b->c, o, "partitions", r, 1, true, &parts);
    if (!cg_jget_str(&b->c, o, "name", true, CG_MAX_NAME_LEN, false, &name) || !name)
        return false;
    if (!topic_name_ok(b, name)) {
        b->bad_topics[b->n_bad_topics++] = name;
        return false;
    }
    t->partitions = t->max_partitions = (int32_t)parts;
    if (!cg_build_topic_racks(b, o, t)) {
        cg_topic_racks_free(t);
        b->bad_topics[b->n_bad_topics++] = name;   /* no second error where it is used */
        return false;
    }
    t->name = cg_build_strdup(b, name);
    if (!t->name)
        cg_topic_racks_free(t);
    return t->name != NULL;
}

/* Sort by name, drop duplicates (reported), keep file order on ties so the first one stays. */
static void sort_topics(cg_build_t *b, const size_t *src)
{
    cg_scenario_t *s = b->s;
    size_t n = s->n_topics, k = 0;
    cg_name_ix_t *v = calloc(n ? n : 1, sizeof *v);
    cg_topic_cfg_t *sorted = calloc(n ? n : 1, sizeof *sorted);
    size_t *first_src = calloc(n ? n : 1, sizeof *first_src);
    if (!v || !sorted || !first_src) {
        free(v);
        free(sorted);
        free(first_src);
        cg_jerr(&b->c, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = (cg_name_ix_t){s->topics[i].name, i};
    qsort(v, n, sizeof *v, name_ix_cmp);
    for (size_t i = 0; i < n; i++) {
        cg_topic_cfg_t *t = &s->topics[v[i].ix];
        if (k > 0 && strcmp(sorted[k - 1].name, t->name) == 0) {
            cg_jerr_file(&b->c, "$.topics[%zu].name: duplicate topic '%s' (also $.topics[%zu])",
                         src[v[i].ix], cg_jshow(&b->c, t->name), first_src[k - 1]);
            free(t->name);
            cg_topic_racks_free(t);
            continue;
        }
        first_src[k] = src[v[i].ix];
        sorted[k++] = *t;
    }
    free(s->topics);
    free(v);
    free(first_src);
    s->topics = sorted;
    s->n_topics = k;
}

static void parse_topics(cg_build_t *b, const cJSON *root)
{
    cg_scenario_t *s = b->s;
    const cJSON *arr = cg_build_array(b, root, "topics", CG_MAX_TOPICS, "CG_MAX_TOPICS");
    size_t n = arr ? (size_t)cJSON_GetArraySize(arr) : 0, i = 0;
    int64_t total = 0;
    size_t *src = calloc(n ? n : 1, sizeof *src);
    s->topics = calloc(n ? n : 1, sizeof *s->topics);
    b->bad_topics = calloc(n ? n : 1, sizeof *b->bad_topics);
    if (!src || !s->topics || !b->bad_topics) {
        free(src);
        cg_jerr(&b->c, "out of memory");
        return;
    }
    size_t old = cg_jpath_key(&b->c, "topics");
    for (const cJSON *it = arr ? arr->child : NULL; it; it = it->next, i++) {
        size_t o2 = cg_jpath_index(&b->c, i);
        if (parse_topic(b, it, &s->topics[s->n_topics])) {
            total += s->topics[s->n_topics].partitions;
            src[s->n_topics++] = i;
        }
        cg_jpath_pop(&b->c, o2);
    }
    if (total > CG_MAX_PARTITIONS_TOTAL)
        cg_jerr(&b->c, "%lld partitions in total exceed the limit of %lld "
                "(CG_MAX_PARTITIONS_TOTAL)", (long long)total, (long long)CG_MAX_PARTITIONS_TOTAL);
    cg_jpath_pop(&b->c, old);
    sort_topics(b, src);
    free(src);
}

/* ---- producers ---- */

static const char *topic_name_at(const cg_build_t *b, size_t i)
{
    return b->s->topics[i].name;
}

void cg_build_topic_list(const cg_build_t *b, char *buf, size_t len)
{
    cg_build_names(buf, len, topic_name_at, b, b->s->n_topics);
}

static bool producer_topic(cg_build_t *b, const cJSON *o, cg_producer_cfg_t *p)
{
    const char *topic = NULL;
    char known[512];
    if (!cg_jget_str(&b->c, o, "topic", true, CG_MAX_NAME_LEN, false, &topic) || !topic)
        return false;
    p->topic = cg_build_topic(b, topic);
    if (p->topic >= 0)
        return true;
    if (cg_build_topic_refused(b, topic))
        return false;
    cg_build_topic_list(b, known, sizeof known);
    cg_jerr_key(&b->c, "topic", "unknown topic '%s' (known: %s)", cg_jshow(&b->c, topic), known);
    return false;
}

static bool parse_producer(cg_build_t *b, const cJSON *item, cg_producer_cfg_t *p)
{
    static const char *const KEYS[] = {"id", "topic", "rate_per_s", "keys", "arrival",
                                       "key_dist", "zipf_s", "start_ms", "stop_ms", NULL};
    static const char *const ARRIVALS[] = {"constant", "poisson", NULL};
    static const char *const KEY_DISTS[] = {"uniform", "zipf", NULL};
    const cJSON *o = cg_build_object(b, item);
    const char *id = NULL;
    int arrival = CG_ARRIVAL_POISSON, key_dist = CG_KEYS_UNIFORM;
    int64_t start = 0, stop = b->duration_ms;
    bool ok;
    if (!o)
        return false;
    ok = cg_jcheck_keys(&b->c, o, KEYS) == 0;
    ok = cg_jget_str(&b->c, o, "id", true, CG_MAX_NAME_LEN, false, &id) && ok;
    p->id = id ? cg_build_strdup(b, id) : NULL;
    ok = producer_topic(b, o, p) && ok;
    if (!cJSON_GetObjectItemCaseSensitive(o, "rate_per_s")) {
        cg_jerr(&b->c, "missing required key 'rate_per_s'");
        ok = false;
    }
    ok = cg_jget_num(&b->c, o, "rate_per_s", 0, false, CG_MAX_RATE_PER_S, 0, &p->rate_per_s) && ok;
    cg_jrange_t kr = {1, CG_MAX_KEYS, "CG_MAX_KEYS"};
    ok = cg_jget_int(&b->c, o, "keys", kr, 1000, false, &p->keys) && ok;
    ok = cg_jget_enum(&b->c, o, "arrival", ARRIVALS, CG_ARRIVAL_POISSON, &arrival) && ok;
    ok = cg_jget_enum(&b->c, o, "key_dist", KEY_DISTS, CG_KEYS_UNIFORM, &key_dist) && ok;
    p->arrival = (cg_arrival_t)arrival;
    p->key_dist = (cg_key_dist_t)key_dist;
    ok = cg_jget_num(&b->c, o, "zipf_s", 0, true, CG_MAX_DIST_PARAM, 1.0, &p->zipf_s) && ok;
    cg_jrange_t tr = {0, CG_MAX_DURATION_MS, "CG_MAX_DURATION_MS"};
    ok = cg_jget_int(&b->c, o, "start_ms", tr, 0, false, &start) && ok;
    ok = cg_jget_int(&b->c, o, "stop_ms", tr, b->duration_ms, false, &stop) && ok;
    if (ok && stop < start) {
        cg_jerr_key(&b->c, "stop_ms", "stop_ms (%lld) is before start_ms (%lld)",
                    (long long)stop, (long long)start);
        ok = false;
    }
    p->start_ns = start * CG_NS_PER_MS;
    p->stop_ns = stop * CG_NS_PER_MS;
    return ok;
}

static void report_dup_producer(cg_build_t *b, const cg_name_ix_t *dup, const cg_name_ix_t *first)
{
    cg_jerr_file(&b->c, "$.producers[%zu].id: duplicate producer id '%s' (also $.producers[%zu])",
                 dup->ix, cg_jshow(&b->c, dup->name), first->ix);
}

static void parse_producers(cg_build_t *b, const cJSON *root)
{
    cg_scenario_t *s = b->s;
    const cJSON *arr = cg_build_array(b, root, "producers", CG_MAX_PRODUCERS, "CG_MAX_PRODUCERS");
    size_t n = arr ? (size_t)cJSON_GetArraySize(arr) : 0, i = 0;
    s->producers = calloc(n ? n : 1, sizeof *s->producers);
    cg_name_ix_t *ids = calloc(n ? n : 1, sizeof *ids);
    size_t n_ids = 0;
    if (!s->producers || !ids) {
        free(ids);
        cg_jerr(&b->c, "out of memory");
        return;
    }
    size_t old = cg_jpath_key(&b->c, "producers");
    for (const cJSON *it = arr ? arr->child : NULL; it; it = it->next, i++) {
        size_t o2 = cg_jpath_index(&b->c, i);
        cg_producer_cfg_t *p = &s->producers[s->n_producers++];
        parse_producer(b, it, p);
        if (p->id)
            ids[n_ids++] = (cg_name_ix_t){p->id, i};
        cg_jpath_pop(&b->c, o2);
    }
    cg_jpath_pop(&b->c, old);
    cg_build_dups(b, ids, n_ids, report_dup_producer);
    free(ids);
}

/* ---- entry points ---- */

static void build(cg_build_t *b, const cJSON *root)
{
    parse_top(b, root);
    parse_topics(b, root);
    parse_producers(b, root);
    cg_build_groups(b, root);
    cg_build_faults(b, root);
    cg_build_failure_models(b, root);
    cg_build_autoscalers(b, root);
    cg_build_racks_finish(b);
}

static void build_fini(cg_build_t *b)
{
    free(b->consumer_src);
    free(b->by_id);
    free(b->groups_by_id);
    free(b->bad_topics);
}

static cJSON *parse_with_sets(cg_build_t *b, const char *text, size_t len,
                              const char *const *sets, size_t n_sets)
{
    cJSON *root = cg_jparse(&b->c, "", text, len);
    if (!root)
        return NULL;
    if (!cJSON_IsObject(root)) {
        cg_jerr(&b->c, "expected an object at the top level, got %s", cg_jtype(root));
        cJSON_Delete(root);
        return NULL;
    }
    size_t bad = 0;
    for (size_t i = 0; i < n_sets; i++)
        bad += cg_jset_apply(&b->c, root, sets[i]) != 0;
    if (bad) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

int cg_scenario_parse(const char *fname, const char *text, size_t len,
                      const char *const *sets, size_t n_sets, cg_scenario_t **out,
                      sim_diag_t *diag)
{
    return cg_scenario_parse_opts(fname, text, len, sets, n_sets, NULL, out, diag);
}

int cg_scenario_parse_opts(const char *fname, const char *text, size_t len,
                           const char *const *sets, size_t n_sets, const cg_load_opts_t *opts,
                           cg_scenario_t **out, sim_diag_t *diag)
{
    cg_build_t b;
    memset(&b, 0, sizeof b);
    cg_jctx_init(&b.c, fname, diag);
    b.budget_bytes = opts ? opts->memory_budget_bytes : 0;
    *out = NULL;
    if (len > CG_MAX_SCENARIO_BYTES) {
        cg_jerr_file(&b.c, "%zu bytes exceed the limit of %d (CG_MAX_SCENARIO_BYTES)", len,
                     CG_MAX_SCENARIO_BYTES);
        return -1;
    }
    cJSON *root = parse_with_sets(&b, text, len, sets, n_sets);
    if (!root)
        return -1;
    b.s = calloc(1, sizeof *b.s);
    if (!b.s) {
        cJSON_Delete(root);
        cg_jerr_file(&b.c, "out of memory");
        return -1;
    }
    b.s->path = cg_build_strdup(&b, fname);
    build(&b, root);
    cJSON_Delete(root);
    build_fini(&b);
    if (!b.c.n_errors)
        cg_budget_check(&b);
    if (b.c.n_errors) {
        cg_scenario_free(b.s);
        return -1;
    }
    *out = b.s;
    return 0;
}

static char *read_file(cg_jctx_t *c, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 65536, n = 0;
    char *buf = NULL;
    if (!f) {
        cg_jerr_file(c, "cannot open: %s", strerror(errno));
        return NULL;
    }
    for (;;) {
        if (n == cap || !buf) {
            if (buf)
                cap *= 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                cg_jerr_file(c, "out of memory reading the file");
                break;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n > CG_MAX_SCENARIO_BYTES) {
            cg_jerr_file(c, "file is larger than the limit of %d bytes (CG_MAX_SCENARIO_BYTES)",
                         CG_MAX_SCENARIO_BYTES);
            break;
        }
        if (got == 0) {
            if (ferror(f)) {
                cg_jerr_file(c, "cannot read: %s", strerror(errno));
                break;
            }
            fclose(f);
            buf[n] = '\0';
            *len = n;
            return buf;
        }
    }
    fclose(f);
    free(buf);
    return NULL;
}

int cg_scenario_load(const char *path, const char *const *sets, size_t n_sets,
                     cg_scenario_t **out, sim_diag_t *diag)
{
    return cg_scenario_load_opts(path, sets, n_sets, NULL, out, diag);
}

int cg_scenario_load_opts(const char *path, const char *const *sets, size_t n_sets,
                          const cg_load_opts_t *opts, cg_scenario_t **out, sim_diag_t *diag)
{
    cg_jctx_t c;
    size_t len = 0;
    cg_jctx_init(&c, path, diag);
    *out = NULL;
    char *text = read_file(&c, path, &len);
    if (!text)
        return -1;
    int rc = cg_scenario_parse_opts(path, text, len, sets, n_sets, opts, out, diag);
    free(text);
    return rc;
}

static void free_client(cg_client_cfg_t *cfg)
{
    free(cfg->group_instance_id);
    free(cfg->client_rack);
    free(cfg->group_remote_assignor);
}

void cg_scenario_free(cg_scenario_t *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_topics; i++) {
        free(s->topics[i].name);
        cg_topic_racks_free(&s->topics[i]);
    }
    for (size_t i = 0; i < s->n_racks; i++)
        free(s->rack_names[i]);
    free(s->rack_names);
    for (size_t i = 0; i < s->n_producers; i++)
        free(s->producers[i].id);
    for (size_t i = 0; i < s->n_groups; i++)
        free(s->groups[i].id);
    for (size_t i = 0; i < s->n_consumers; i++) {
        free(s->consumers[i].id);
        free(s->consumers[i].topics);
        free_client(&s->consumers[i].cfg);
    }
    for (size_t i = 0; i < s->n_faults; i++) {
        free(s->faults[i].target);
        free(s->faults[i].topics);
        free(s->faults[i].strategy);
    }
    for (size_t i = 0; i < s->n_failure_models; i++)
        free(s->failure_models[i].name);
    free(s->topics);
    free(s->producers);
    free(s->groups);
    free(s->consumers);
    free(s->faults);
    free(s->failure_models);
    free(s->autoscalers);
    free(s->name);
    free(s->path);
    free(s);
}
