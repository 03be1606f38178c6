/* models/assignor_json: parse and write the JSON of `cgsim assign`.
 *
 * The parser reads the whole document with cJSON (after a depth pre-scan, so nesting beyond
 * CG_MAX_JSON_DEPTH is refused before any recursion), checks every field against models/limits.h,
 * and builds the assignor input in a few pooled arrays whose strings stay inside the cJSON tree.
 * Vector files of tests/vectors carry extra top-level keys (expected results, notes); those are
 * accepted and ignored so a vector can be fed to `cgsim assign` as it is. */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/assign/assignor_json.h"
#include "models/limits.h"
#include "sim/sorted.h"
#include "sim/utf8.h"

typedef struct aj {
    cg_assign_doc_t *doc;             /* the document being filled */
    const char *file;                 /* label for messages */
    char *err;                        /* caller's message buffer */
    size_t errlen;                    /* its size, bytes */
} aj_t;

static const char *const AJ_TOP_KEYS[] = {"topics", "members"};
/* Keys of the vector files (tests/vectors/README.md) that the assignor does not read. */
static const char *const AJ_IGNORED_KEYS[] = {
    "source", "assignor", "protocol", "check", "expected", "note", "note2", "kafka_result",
    "kafka_result_partial", "properties", "min_kept", "topic_ids", "topic_iteration_order",
    "derived", "partitions_transferring_ownership"};
static const char *const AJ_MEMBER_KEYS[] = {"id", "instance_id", "topics", "owned", "generation",
                                             "rack"};
#define AJ_N(a) (sizeof(a) / sizeof((a)[0]))

static int aj_fail(aj_t *a, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(a->err, a->errlen, "%s: %s: %s", a->file, path, msg);
    return -1;
}

/* Edit distance, for "did you mean" hints on unknown keys (keys are short: cap at 64 bytes). */
static size_t aj_distance(const char *s, const char *t)
{
    size_t n = strlen(s) < 64 ? strlen(s) : 64, m = strlen(t) < 64 ? strlen(t) : 64;
    size_t row[65];
    for (size_t j = 0; j <= m; j++)
        row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j], best = diag + (s[i - 1] != t[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[m];
}

static const char *aj_nearest(const char *key, const char *const *known, size_t n)
{
    const char *best = known[0];
    size_t best_d = aj_distance(key, known[0]);
    for (size_t i = 1; i < n; i++) {
        size_t d = aj_distance(key, known[i]);
        if (d < best_d) {
            best_d = d;
            best = known[i];
        }
    }
    return best;
}

static bool aj_in(const char *key, const char *const *known, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(key, known[i]) == 0)
            return true;
    return false;
}

/* Nesting depth outside strings; refuses deep input before cJSON recurses into it. */
static int aj_check_depth(aj_t *a, const char *text, size_t len)
{
    int depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '[' || c == '{') {
            if (++depth > CG_MAX_JSON_DEPTH)
                return aj_fail(a, "$", "nesting deeper than CG_MAX_JSON_DEPTH (%d levels)",
                               CG_MAX_JSON_DEPTH);
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return 0;
}

static int aj_syntax_error(aj_t *a, const char *text, const char *at)
{
    long line = 1, col = 1;
    for (const char *p = text; p < at; p++) {
        if (*p == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    return aj_fail(a, "$", "not valid JSON (error near line %ld, column %ld)", line, col);
}

static bool aj_blank(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r')
            return false;
    return true;
}

/* Parse the text into doc->root, an object. */
static int aj_parse_root(aj_t *a, const char *text, size_t len)
{
    if (len > (size_t)CG_MAX_SCENARIO_BYTES)
        return aj_fail(a, "$", "input of %zu bytes exceeds CG_MAX_SCENARIO_BYTES (%d)", len,
                       CG_MAX_SCENARIO_BYTES);
    size_t bad = sim_utf8_check(text, len);
    if (bad < len)
        return aj_fail(a, "$", "%s byte 0x%02X at byte %zu (the input must be UTF-8 text)",
                       text[bad] ? "invalid UTF-8" : "NUL", (unsigned char)text[bad], bad + 1);
    if (aj_blank(text, len))
        return aj_fail(a, "$", "empty input, expected a JSON object {\"topics\":{...},"
                               "\"members\":[...]}");
    if (aj_check_depth(a, text, len) != 0)
        return -1;
    const char *end = NULL;
    a->doc->root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (a->doc->root == NULL)
        return aj_syntax_error(a, text, end != NULL ? end : text);
    if (!aj_blank(end, len - (size_t)(end - text)))
        return aj_syntax_error(a, text, end);
    if (!cJSON_IsObject(a->doc->root))
        return aj_fail(a, "$", "expected a JSON object {\"topics\":{...},\"members\":[...]}");
    return 0;
}

/* An integral JSON number in [lo, hi]. */
static int aj_int(aj_t *a, const cJSON *v, const char *path, double lo, double hi, int64_t *out)
{
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble))
        return aj_fail(a, path, "expected an integer");
    if (v->valuedouble < lo || v->valuedouble > hi)
        return aj_fail(a, path, "%.0f out of range, expected %.0f to %.0f", v->valuedouble, lo, hi);
    *out = (int64_t)v->valuedouble;
    return 0;
}

static int aj_name(aj_t *a, const char *s, const char *path, const char *what)
{
    size_t n = strlen(s);
    if (n == 0)
        return aj_fail(a, path, "empty %s", what);
    if (n > CG_MAX_NAME_LEN)
        return aj_fail(a, path, "%s of %zu bytes exceeds CG_MAX_NAME_LEN (%d)", what, n,
                       CG_MAX_NAME_LEN);
    return 0;
}

static int aj_cmp_topic(const void *x, const void *y)
{
    return strcmp(((const cg_topic_meta_t *)x)->name, ((const cg_topic_meta_t *)y)->name);
}

static int aj_check_top_keys(aj_t *a, const cJSON *root)
{
    const char *known[AJ_N(AJ_TOP_KEYS) + AJ_N(AJ_IGNORED_KEYS)];
    size_t n = 0;
    for (size_t i = 0; i < AJ_N(AJ_TOP_KEYS); i++)
        known[n++] = AJ_TOP_KEYS[i];
    for (size_t i = 0; i < AJ_N(AJ_IGNORED_KEYS); i++)
        known[n++] = AJ_IGNORED_KEYS[i];
    for (const cJSON *c = root->child; c != NULL; c = c->next) {
        if (!aj_in(c->string, known, n))
            return aj_fail(a, "$", "unknown key '%s' (did you mean '%s'? known: topics, members)",
                           c->string, aj_nearest(c->string, known, n));
        for (const cJSON *d = c->next; d != NULL; d = d->next)
            if (strcmp(c->string, d->string) == 0)
                return aj_fail(a, "$", "key '%s' appears twice", c->string);
    }
    return 0;
}

static int aj_topics(aj_t *a, const cJSON *topics)
{
    cg_assign_doc_t *doc = a->doc;
    char path[320];
    if (!cJSON_IsObject(topics))
        return aj_fail(a, "$.topics", "expected an object of topic name -> partition count, "
                                      "like {\"t1\": 3}");
    size_t n = (size_t)cJSON_GetArraySize(topics);
    if (n > CG_MAX_TOPICS)
        return aj_fail(a, "$.topics", "%zu topics exceed CG_MAX_TOPICS (%d)", n, CG_MAX_TOPICS);
    doc->topics = malloc((n ? n : 1) * sizeof *doc->topics);
    doc->topic_base = malloc((n + 1) * sizeof *doc->topic_base);
    if (doc->topics == NULL || doc->topic_base == NULL)
        return aj_fail(a, "$.topics", "out of memory");
    size_t i = 0;
    for (const cJSON *c = topics->child; c != NULL; c = c->next, i++) {
        int64_t parts = 0; /* set by aj_int on success; gcc -O3 cannot see it */
        snprintf(path, sizeof path, "$.topics.%.255s", c->string);
        if (aj_name(a, c->string, path, "topic name") != 0 ||
            aj_int(a, c, path, -1e18, 1e18, &parts) != 0)
            return -1;
        if (parts < 0)
            return aj_fail(a, path, "negative partition count %lld", (long long)parts);
        if (parts > CG_MAX_PARTITIONS_PER_TOPIC)
            return aj_fail(a, path, "%lld partitions exceed CG_MAX_PARTITIONS_PER_TOPIC (%d)",
                           (long long)parts, CG_MAX_PARTITIONS_PER_TOPIC);
        doc->topics[i] = (cg_topic_meta_t){c->string, (int32_t)parts};
    }
    qsort(doc->topics, n, sizeof *doc->topics, aj_cmp_topic);
    doc->topic_base[0] = 0;
    for (i = 0; i < n; i++) {
        if (i > 0 && strcmp(doc->topics[i - 1].name, doc->topics[i].name) == 0)
            return aj_fail(a, "$.topics", "topic '%s' appears twice", doc->topics[i].name);
        doc->topic_base[i + 1] = doc->topic_base[i] + doc->topics[i].partitions;
    }
    if (doc->topic_base[n] > CG_MAX_PARTITIONS_TOTAL)
        return aj_fail(a, "$.topics", "%lld partitions in all exceed CG_MAX_PARTITIONS_TOTAL (%d)",
                       (long long)doc->topic_base[n], CG_MAX_PARTITIONS_TOTAL);
    doc->in.topics = doc->topics;
    doc->in.n_topics = n;
    doc->in.topic_base = doc->topic_base;
    return 0;
}

/* Index of a topic by name, -1 when "topics" lacks it. */
static int32_t aj_topic_index(const cg_assign_doc_t *doc, const char *name)
{
    return (int32_t)sim_sorted_find_named(doc->topics, doc->in.n_topics, sizeof *doc->topics,
                                          offsetof(cg_topic_meta_t, name), name);
}

static void aj_note_skip(aj_t *a, const char *path, const char *topic)
{
    if (a->doc->n_skipped++ == 0)
        snprintf(a->doc->skipped_note, sizeof a->doc->skipped_note,
                 "%.200s: topic '%.64s' is not in $.topics, skipped (Kafka skips topics missing from "
                 "metadata)", path, topic);
}

static int aj_cmp_i32(const void *x, const void *y)
{
    int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
    return (a > b) - (a < b);
}

static int aj_cmp_tp(const void *x, const void *y)
{
    const cg_tp_t *a = x, *b = y;
    if (a->topic != b->topic)
        return (a->topic > b->topic) - (a->topic < b->topic);
    return (a->partition > b->partition) - (a->partition < b->partition);
}

static int aj_member_keys(aj_t *a, const cJSON *m, const char *mpath)
{
    for (const cJSON *c = m->child; c != NULL; c = c->next) {
        if (!aj_in(c->string, AJ_MEMBER_KEYS, AJ_N(AJ_MEMBER_KEYS)))
            return aj_fail(a, mpath, "unknown key '%s' (did you mean '%s'? known: id, "
                                     "instance_id, topics, owned, generation, rack)",
                           c->string, aj_nearest(c->string, AJ_MEMBER_KEYS, AJ_N(AJ_MEMBER_KEYS)));
        for (const cJSON *d = c->next; d != NULL; d = d->next)
            if (strcmp(c->string, d->string) == 0)
                return aj_fail(a, mpath, "key '%s' appears twice", c->string);
    }
    return 0;
}

/* An optional string-or-null field; *out stays NULL when absent or null. */
static int aj_opt_string(aj_t *a, const cJSON *m, const char *key, const char *mpath,
                         const char **out)
{
    char path[352];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
    *out = NULL;
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    snprintf(path, sizeof path, "%s.%s", mpath, key);
    if (!cJSON_IsString(v))
        return aj_fail(a, path, "expected a string or null");
    *out = v->valuestring;
    return aj_name(a, v->valuestring, path, key);
}

static int aj_member_topics(aj_t *a, const cJSON *m, const char *mpath, cg_assign_member_t *out,
                            int32_t *pool)
{
    char path[352];
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(m, "topics");
    snprintf(path, sizeof path, "%s.topics", mpath);
    if (ts == NULL)
        return aj_fail(a, mpath, "missing key 'topics' (array of subscribed topic names)");
    if (!cJSON_IsArray(ts))
        return aj_fail(a, path, "expected an array of topic names");
    size_t n = 0, k = 0;
    for (const cJSON *c = ts->child; c != NULL; c = c->next, k++) {
        snprintf(path, sizeof path, "%s.topics[%zu]", mpath, k);
        if (!cJSON_IsString(c))
            return aj_fail(a, path, "expected a topic name (string)");
        if (aj_name(a, c->valuestring, path, "topic name") != 0)
            return -1;
        int32_t t = aj_topic_index(a->doc, c->valuestring);
        if (t < 0)
            aj_note_skip(a, path, c->valuestring);
        else
            pool[n++] = t;
    }
    qsort(pool, n, sizeof *pool, aj_cmp_i32);
    size_t u = 0;                     /* a subscription is a set: repeats collapse */
    for (size_t i = 0; i < n; i++)
        if (u == 0 || pool[u - 1] != pool[i])
            pool[u++] = pool[i];
    out->topics = pool;
    out->n_topics = u;
    return 0;
}

static int aj_owned_one(aj_t *a, const cJSON *c, const char *path, cg_tp_t *tp)
{
    int64_t p = 0; /* set by aj_int on success; gcc -O3 cannot see it */
    if (!cJSON_IsArray(c) || cJSON_GetArraySize(c) != 2 || !cJSON_IsString(c->child))
        return aj_fail(a, path, "expected a pair [\"topic\", partition]");
    const char *name = c->child->valuestring;
    if (aj_int(a, c->child->next, path, -1e18, 1e18, &p) != 0)
        return -1;
    if (p < 0)
        return aj_fail(a, path, "negative partition %lld", (long long)p);
    tp->topic = aj_topic_index(a->doc, name);
    if (tp->topic < 0) {
        aj_note_skip(a, path, name);
        return 0;
    }
    int32_t n = a->doc->topics[tp->topic].partitions;
    if (p >= n)
        return aj_fail(a, path, "partition %lld out of range: topic '%s' has %d partition%s "
                                "(0..%d)", (long long)p, name, n, n == 1 ? "" : "s", n - 1);
    tp->partition = (int32_t)p;
    return 0;
}

static int aj_member_owned(aj_t *a, const cJSON *m, const char *mpath, cg_assign_member_t *out,
                           cg_tp_t *pool)
{
    char path[352];
    const cJSON *os = cJSON_GetObjectItemCaseSensitive(m, "owned");
    out->owned = pool;
    out->n_owned = 0;
    if (os == NULL || cJSON_IsNull(os))
        return 0;
    snprintf(path, sizeof path, "%s.owned", mpath);
    if (!cJSON_IsArray(os))
        return aj_fail(a, path, "expected an array of [\"topic\", partition] pairs");
    size_t n = 0, k = 0;
    for (const cJSON *c = os->child; c != NULL; c = c->next, k++) {
        snprintf(path, sizeof path, "%s.owned[%zu]", mpath, k);
        if (aj_owned_one(a, c, path, &pool[n]) != 0)
            return -1;
        if (pool[n].topic >= 0)
            n++;
    }
    qsort(pool, n, sizeof *pool, aj_cmp_tp);
    for (size_t i = 1; i < n; i++)
        if (aj_cmp_tp(&pool[i - 1], &pool[i]) == 0)
            return aj_fail(a, mpath, "owned partition ['%s', %d] listed twice",
                           a->doc->topics[pool[i].topic].name, pool[i].partition);
    out->n_owned = n;
    return 0;
}

static int aj_member(aj_t *a, const cJSON *m, size_t i, cg_assign_member_t *out, int32_t *tpool,
                     cg_tp_t *opool)
{
    char mpath[64], path[96];
    int64_t gen = -1;
    snprintf(mpath, sizeof mpath, "$.members[%zu]", i);
    if (!cJSON_IsObject(m))
        return aj_fail(a, mpath, "expected an object {\"id\": ..., \"topics\": [...]}");
    if (aj_member_keys(a, m, mpath) != 0)
        return -1;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
    snprintf(path, sizeof path, "%s.id", mpath);
    if (id == NULL)
        return aj_fail(a, mpath, "missing key 'id' (the member id, a string)");
    if (!cJSON_IsString(id))
        return aj_fail(a, path, "expected the member id (string)");
    if (aj_name(a, id->valuestring, path, "member id") != 0)
        return -1;
    out->id = id->valuestring;
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(m, "generation");
    snprintf(path, sizeof path, "%s.generation", mpath);
    if (g != NULL && !cJSON_IsNull(g) && aj_int(a, g, path, -1, INT32_MAX, &gen) != 0)
        return -1;
    out->generation = (int32_t)gen;
    if (aj_opt_string(a, m, "instance_id", mpath, &out->instance_id) != 0 ||
        aj_opt_string(a, m, "rack", mpath, &out->rack) != 0 ||
        aj_member_topics(a, m, mpath, out, tpool) != 0 ||
        aj_member_owned(a, m, mpath, out, opool) != 0)
        return -1;
    return 0;
}

/* Member ids must be unique, and so must instance ids (Kafka fences a second static member). */
static int aj_unique_members(aj_t *a)
{
    const cg_assign_input_t *in = &a->doc->in;
    char path[64];
    for (int by_id = 1; by_id >= 0; by_id--) {
        int32_t *order = cg_assign_member_order(in, by_id != 0);
        if (order == NULL)
            return aj_fail(a, "$.members", "out of memory");
        for (size_t r = 1; r < in->n_members; r++) {
            const cg_assign_member_t *x = &in->members[order[r - 1]], *y = &in->members[order[r]];
            const char *kx = by_id ? x->id : x->instance_id, *ky = by_id ? y->id : y->instance_id;
            if (kx != NULL && ky != NULL && strcmp(kx, ky) == 0) {
                int32_t first = order[r - 1], second = order[r];
                free(order);
                snprintf(path, sizeof path, "$.members[%d].%s", (int)second,
                         by_id ? "id" : "instance_id");
                return aj_fail(a, path, "duplicate %s '%s' (also in $.members[%d])",
                               by_id ? "member id" : "instance_id", ky, (int)first);
            }
        }
        free(order);
    }
    return 0;
}

static size_t aj_array_size(const cJSON *m, const char *key)
{
    const cJSON *v = cJSON_IsObject(m) ? cJSON_GetObjectItemCaseSensitive(m, key) : NULL;
    return cJSON_IsArray(v) ? (size_t)cJSON_GetArraySize(v) : 0;
}

static int aj_members(aj_t *a, const cJSON *members)
{
    cg_assign_doc_t *doc = a->doc;
    if (!cJSON_IsArray(members))
        return aj_fail(a, "$.members", "expected an array of member objects");
    size_t n = (size_t)cJSON_GetArraySize(members), n_topics = 0, n_owned = 0;
    if (n > CG_MAX_CONSUMERS)
        return aj_fail(a, "$.members", "%zu members exceed CG_MAX_CONSUMERS (%d)", n,
                       CG_MAX_CONSUMERS);
    for (const cJSON *m = members->child; m != NULL; m = m->next) {
        n_topics += aj_array_size(m, "topics");
        n_owned += aj_array_size(m, "owned");
    }
    doc->members = calloc(n ? n : 1, sizeof *doc->members);
    doc->topic_pool = malloc((n_topics ? n_topics : 1) * sizeof *doc->topic_pool);
    doc->owned_pool = malloc((n_owned ? n_owned : 1) * sizeof *doc->owned_pool);
    if (doc->members == NULL || doc->topic_pool == NULL || doc->owned_pool == NULL)
        return aj_fail(a, "$.members", "out of memory");
    size_t i = 0, tcur = 0, ocur = 0;
    for (const cJSON *m = members->child; m != NULL; m = m->next, i++) {
        if (aj_member(a, m, i, &doc->members[i], doc->topic_pool + tcur,
                      doc->owned_pool + ocur) != 0)
            return -1;
        tcur += aj_array_size(m, "topics");
        ocur += aj_array_size(m, "owned");
    }
    doc->in.members = doc->members;
    doc->in.n_members = n;
    return aj_unique_members(a);
}

int cg_assign_doc_budget(const cg_assign_doc_t *doc, uint64_t budget_bytes, char *err,
                         size_t errlen)
{
    double parts = (double)cg_assign_total_partitions(&doc->in), subs = 0;
    uint64_t budget = budget_bytes ? budget_bytes : CG_DEFAULT_MEMORY_BUDGET_BYTES;
    for (size_t m = 0; m < doc->in.n_members; m++)
        subs += (double)doc->in.members[m].n_topics;
    double need = parts * CG_BYTES_PER_ASSIGN_PARTITION +
                  (double)doc->in.n_members * CG_BYTES_PER_CONSUMER +
                  subs * CG_BYTES_PER_SUBSCRIPTION;
    if (need <= (double)budget)
        return 0;
    snprintf(err, errlen, "$.topics: %.0f partitions x %d bytes (owner, assignor state, result) "
             "with %zu members need ~%.0f MiB, beyond the memory budget of %.0f MiB (raise it "
             "with --memory-budget-mib)", parts, CG_BYTES_PER_ASSIGN_PARTITION, doc->in.n_members,
             need / (1024.0 * 1024.0), (double)budget / (1024.0 * 1024.0));
    return -1;
}

void cg_assign_doc_fini(cg_assign_doc_t *doc)
{
    cJSON_Delete(doc->root);
    free(doc->topics);
    free(doc->topic_base);
    free(doc->members);
    free(doc->topic_pool);
    free(doc->owned_pool);
    memset(doc, 0, sizeof *doc);
}

int cg_assign_doc_parse(cg_assign_doc_t *doc, const char *text, size_t len, const char *file,
                        char *err, size_t errlen)
{
    memset(doc, 0, sizeof *doc);
    aj_t a = {doc, file, err, errlen};
    const cJSON *topics, *members;
    if (aj_parse_root(&a, text, len) != 0 || aj_check_top_keys(&a, doc->root) != 0)
        goto fail;
    topics = cJSON_GetObjectItemCaseSensitive(doc->root, "topics");
    members = cJSON_GetObjectItemCaseSensitive(doc->root, "members");
    if (topics == NULL) {
        aj_fail(&a, "$", "missing key 'topics' (object of topic name -> partition count)");
        goto fail;
    }
    if (members == NULL) {
        aj_fail(&a, "$", "missing key 'members' (array of member objects)");
        goto fail;
    }
    if (aj_topics(&a, topics) != 0 || aj_members(&a, members) != 0)
        goto fail;
    return 0;
fail:
    cg_assign_doc_fini(doc);
    return -1;
}

/* [[topic, partition], ...] of every member, by one counting sort over the global index, which is
 * already in (topic name, partition) order. */
cJSON *cg_assign_result_json(const cg_assign_input_t *in, const int32_t *owner)
{
    int64_t total = cg_assign_total_partitions(in);
    cJSON *root = cJSON_CreateObject();
    cJSON **lists = calloc(in->n_members ? in->n_members : 1, sizeof *lists);
    bool ok = root != NULL && lists != NULL;
    for (size_t m = 0; ok && m < in->n_members; m++) {
        lists[m] = cJSON_CreateArray();
        ok = lists[m] != NULL && cJSON_AddItemToObject(root, in->members[m].id, lists[m]);
    }
    size_t t = 0;
    for (int64_t g = 0; ok && g < total; g++) {
        while (in->topic_base[t + 1] <= g)
            t++;
        if (owner[g] < 0)
            continue;
        cJSON *pair = cJSON_CreateArray();
        ok = pair != NULL && cJSON_AddItemToArray(lists[owner[g]], pair) &&
             cJSON_AddItemToArray(pair, cJSON_CreateString(in->topics[t].name)) &&
             cJSON_AddItemToArray(pair, cJSON_CreateNumber((double)(g - in->topic_base[t])));
    }
    free(lists);
    if (!ok) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}
