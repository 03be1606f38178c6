/* models/scenario_racks: the replica racks of topics (KIP-881 inputs; the cross-rack figure).
 *
 * A topic may give "racks", one list per partition of the racks its replicas are on, leader
 * first (Kafka fetches from the leader by default), or "rack_count" (racks named rack-0 ..
 * rack-(n-1)) with "replication_factor" (default 1, Kafka's default.replication.factor), placed
 * as Kafka's broker does (server-common AdminUtils.assignReplicasToBrokersRackAware) with one
 * broker per rack and its random start index and replica shift both 0 (an assumption: the
 * broker draws them at random): partition p's leader is on rack p mod n and its j-th follower
 * on rack (p + 1 + (n x (p / n) + j) mod (n - 1)) mod n. Added partitions (add_partitions)
 * continue the same formula; a topic with explicit "racks" cannot grow (nothing would say
 * where the new replicas are). Rack names are shared across topics: one name, one rack. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/scenario/scenario_build.h"

/* Bit index of rack `name`, added on first sight; -1 (reported) beyond CG_MAX_RACKS. */
static int32_t rack_index(cg_build_t *b, const char *name)
{
    cg_scenario_t *s = b->s;
    for (size_t i = 0; i < s->n_racks; i++)
        if (strcmp(s->rack_names[i], name) == 0)
            return (int32_t)i;
    if (s->n_racks >= CG_MAX_RACKS) {
        cg_jerr(&b->c, "more than %d distinct racks (CG_MAX_RACKS)", CG_MAX_RACKS);
        return -1;
    }
    if (!s->rack_names)
        s->rack_names = calloc(CG_MAX_RACKS, sizeof *s->rack_names);
    if (!s->rack_names) {
        cg_jerr(&b->c, "out of memory");
        return -1;
    }
    char *copy = cg_build_strdup(b, name);   /* reports its own failure */
    if (!copy)
        return -1;
    s->rack_names[s->n_racks] = copy;
    return (int32_t)s->n_racks++;
}

static bool alloc_racks(cg_build_t *b, cg_topic_cfg_t *t, int32_t n)
{
    t->replica_racks = calloc((size_t)n + 1, sizeof *t->replica_racks);
    t->leader_rack = calloc((size_t)n + 1, sizeof *t->leader_rack);
    if (t->replica_racks && t->leader_rack)
        return true;
    cg_jerr(&b->c, "out of memory");
    return false;
}

/* One partition's list at the current path: 1..CG_MAX_REPLICAS rack names. */
static bool parse_replicas(cg_build_t *b, const cJSON *list, cg_topic_cfg_t *t, int32_t p)
{
    int n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : -1;
    if (n < 1 || n > CG_MAX_REPLICAS) {
        cg_jerr(&b->c, "expected an array of 1 to %d rack names (the racks of the partition's "
                "replicas, leader first), got %s", CG_MAX_REPLICAS,
                n < 0 ? cg_jtype(list) : n == 0 ? "an empty array" : "more (CG_MAX_REPLICAS)");
        return false;
    }
    bool ok = true;
    int k = 0;
    for (const cJSON *it = list->child; it; it = it->next, k++) {
        size_t old = cg_jpath_index(&b->c, (size_t)k);
        const char *name = NULL;
        int32_t r = -1;
        if (cg_jstr_value(&b->c, it, CG_MAX_NAME_LEN, false, &name))
            r = rack_index(b, name);
        cg_jpath_pop(&b->c, old);
        if (r < 0) {
            ok = false;
            continue;
        }
        t->replica_racks[p] |= (uint64_t)1 << r;
        if (k == 0)
            t->leader_rack[p] = r;
    }
    return ok;
}

static bool parse_explicit(cg_build_t *b, const cJSON *arr, cg_topic_cfg_t *t)
{
    size_t old = cg_jpath_key(&b->c, "racks");
    int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : -1;
    bool ok = false;
    if (n != t->partitions) {
        if (n < 0)
            cg_jerr(&b->c, "expected an array with one list of replica racks per partition, "
                    "got %s", cg_jtype(arr));
        else
            cg_jerr(&b->c, "expected %d lists of replica racks (one per partition), got %d",
                    t->partitions, n);
    } else if (alloc_racks(b, t, t->partitions)) {
        ok = true;
        int32_t p = 0;
        for (const cJSON *it = arr->child; it; it = it->next, p++) {
            size_t o2 = cg_jpath_index(&b->c, (size_t)p);
            ok = parse_replicas(b, it, t, p) && ok;
            cg_jpath_pop(&b->c, o2);
        }
        t->explicit_racks = ok;
    }
    cg_jpath_pop(&b->c, old);
    return ok;
}

bool cg_build_topic_racks(cg_build_t *b, const cJSON *o, cg_topic_cfg_t *t)
{
    const cJSON *racks = cJSON_GetObjectItemCaseSensitive(o, "racks");
    bool has_count = cJSON_GetObjectItemCaseSensitive(o, "rack_count") != NULL;
    bool has_rf = cJSON_GetObjectItemCaseSensitive(o, "replication_factor") != NULL;
    if (racks && (has_count || has_rf)) {
        cg_jerr_key(&b->c, has_count ? "rack_count" : "replication_factor",
                    "cannot be given with 'racks' (racks lists every replica)");
        return false;
    }
    if (racks)
        return parse_explicit(b, racks, t);
    if (has_rf && !has_count) {
        cg_jerr_key(&b->c, "replication_factor", "applies only with 'rack_count'");
        return false;
    }
    if (!has_count)
        return true;
    int64_t n = 0, rf = 1;
    cg_jrange_t rc = {1, CG_MAX_RACKS, "CG_MAX_RACKS"};
    if (!cg_jget_int(&b->c, o, "rack_count", rc, 0, true, &n))
        return false;
    cg_jrange_t rr = {1, n, NULL};
    if (!cg_jget_int(&b->c, o, "replication_factor", rr, 1, false, &rf))
        return false;                 /* Kafka: "larger than available brokers" */
    t->rack_count = (int32_t)n;
    t->replication_factor = (int32_t)rf;
    return true;
}

/* Kafka's rack-aware placement with one broker per rack (see the file comment). */
static void place(cg_topic_cfg_t *t, const int32_t *bit)
{
    int32_t n = t->rack_count;
    for (int32_t p = 0; p < t->max_partitions; p++) {
        int32_t first = p % n, shift = p / n;
        t->leader_rack[p] = bit[first];
        t->replica_racks[p] = (uint64_t)1 << bit[first];
        for (int32_t j = 0; j < t->replication_factor - 1; j++) {
            int64_t idx = (first + 1 + ((int64_t)n * shift + j) % (n - 1)) % n;
            t->replica_racks[p] |= (uint64_t)1 << bit[idx];
        }
    }
}

void cg_build_racks_finish(cg_build_t *b)
{
    for (size_t i = 0; i < b->s->n_topics; i++) {
        cg_topic_cfg_t *t = &b->s->topics[i];
        if (t->rack_count == 0)
            continue;
        int32_t bit[CG_MAX_RACKS];
        size_t old = cg_jpath_key(&b->c, "topics");
        for (int32_t r = 0; r < t->rack_count; r++) {
            char name[32];
            snprintf(name, sizeof name, "rack-%d", (int)r);
            bit[r] = rack_index(b, name);
            if (bit[r] < 0) {
                cg_jpath_pop(&b->c, old);
                return;
            }
        }
        cg_jpath_pop(&b->c, old);
        if (!alloc_racks(b, t, t->max_partitions))
            return;
        place(t, bit);
    }
}

void cg_topic_racks_free(cg_topic_cfg_t *t)
{
    free(t->replica_racks);
    free(t->leader_rack);
    t->replica_racks = NULL;
    t->leader_rack = NULL;
}
