/* tests/test_assign_sticky: the sticky and cooperative-sticky assignors.
 * - Kafka's fresh equal-subscription example (round-robin-like), Java String.hashCode and
 *   HashMap iteration order, the maxQuota tie-break that order decides;
 * - every sticky / cooperative-sticky vector of tests/vectors for its listed properties, and the
 *   equal-subscription ones for Kafka's exact result;
 * - 1,500 random inputs (equal and unequal subscriptions, random owned partitions, conflicting
 *   claims, random generations): exclusive, subscribed, complete, balanced (equal subscriptions:
 *   counts within one; otherwise no single move narrows a gap of two), sticky (equal
 *   subscriptions: a member owning at most minQuota keeps all; any: feeding the result back
 *   changes nothing), deterministic; cooperative: nothing moves between members in one round, the
 *   follow-up rounds (owned := previous output) complete within 3 rounds with the same sorted
 *   partition counts as sticky's result. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/assign/assignor.h"
#include "models/assign/assignor_sticky.h"
#include "tests/support/assign_test_util.h"

#define ST_TOPICS 8
#define ST_PARTS 32                   /* per topic */
#define ST_MEMBERS 12
#define ST_OWNED (ST_TOPICS * ST_PARTS)
#define ST_TOTAL (ST_TOPICS * ST_PARTS)
#define ST_CASES 1500

typedef struct st_in {
    cg_topic_meta_t topics[ST_TOPICS];
    char tnames[ST_TOPICS][32];
    int64_t base[ST_TOPICS + 1];
    cg_assign_member_t members[ST_MEMBERS];
    char ids[ST_MEMBERS][32];
    int32_t subs[ST_MEMBERS][ST_TOPICS];
    cg_tp_t owned[ST_MEMBERS][ST_OWNED];
    cg_assign_input_t in;
} st_in_t;

static void st_init(st_in_t *s, size_t nt, size_t nm)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < nm; i++) {
        s->members[i].id = s->ids[i];
        s->members[i].topics = s->subs[i];
        s->members[i].owned = s->owned[i];
        s->members[i].generation = -1;
    }
    s->in = (cg_assign_input_t){s->topics, nt, s->base, s->members, nm, NULL, NULL, 0};
}

static void st_topic(st_in_t *s, size_t t, const char *name, int32_t n)
{
    snprintf(s->tnames[t], sizeof s->tnames[t], "%s", name);
    s->topics[t] = (cg_topic_meta_t){s->tnames[t], n};
    s->base[t + 1] = s->base[t] + n;
}

static void st_run(const cg_assignor_ops_t *ops, const cg_assign_input_t *in, int32_t *owner)
{
    cr_assert_eq(at_run(ops, in, owner), 0, "%s failed: not implemented", ops->name);
}

/* ---- fixed examples ---------------------------------------------------------------------- */

Test(sticky, fresh_two_consumers_two_topics_round_robin_like)
{
    static st_in_t s;
    int32_t owner[6];
    st_init(&s, 2, 2);
    st_topic(&s, 0, "t1", 3);
    st_topic(&s, 1, "t2", 3);
    snprintf(s.ids[0], 32, "c2");                   /* input order must not matter */
    snprintf(s.ids[1], 32, "c1");
    for (int m = 0; m < 2; m++) {
        s.subs[m][0] = 0;
        s.subs[m][1] = 1;
        s.members[m].n_topics = 2;
    }
    const int32_t want[6] = {1, 0, 1, 0, 1, 0};     /* c1: t1-0 t1-2 t2-1; c2: t1-1 t2-0 t2-2 */
    st_run(&cg_assignor_sticky, &s.in, owner);
    for (int g = 0; g < 6; g++)
        cr_assert_eq(owner[g], want[g], "partition %d: owner %d, want %d", g, owner[g], want[g]);
    st_run(&cg_assignor_cooperative_sticky, &s.in, owner);
    for (int g = 0; g < 6; g++)
        cr_assert_eq(owner[g], want[g], "cooperative, partition %d", g);
}

Test(sticky, java_string_hash)
{
    cr_assert_eq(cg_sticky_java_hash(""), 0);
    cr_assert_eq(cg_sticky_java_hash("abc"), 96354);
    cr_assert_eq(cg_sticky_java_hash("hello"), 99162322);
    cr_assert_eq(cg_sticky_java_hash("consumer1"), -421004549);
    /* U+00E9 is one UTF-16 unit (233); U+1F600 is the pair D83D DE00. */
    cr_assert_eq(cg_sticky_java_hash("\xc3\xa9"), 233);
    cr_assert_eq(cg_sticky_java_hash("\xf0\x9f\x98\x80"), 0xD83D * 31 + 0xDE00);
}

Test(sticky, java_hashmap_order_of_consumer_ids)
{
    static st_in_t s;
    int32_t order[3];
    st_init(&s, 0, 3);
    for (int m = 0; m < 3; m++)
        snprintf(s.ids[m], 32, "consumer%d", m + 1);
    cr_assert_eq(cg_sticky_java_map_order(&s.in, order), 0);
    cr_assert_eq(order[0], 2);                      /* consumer3, consumer2, consumer1 */
    cr_assert_eq(order[1], 1);
    cr_assert_eq(order[2], 0);
}

/* Kafka's testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers: consumer1 and consumer2 own
 * two of 4 partitions each, consumer3 none; one maxQuota slot. HashMap order visits consumer3,
 * consumer2, consumer1, so consumer2 keeps both and consumer1 keeps its first by (partition,
 * topic). */
Test(sticky, max_quota_slot_goes_to_first_in_hashmap_order)
{
    static st_in_t s;
    int32_t owner[4];
    st_init(&s, 2, 3);
    st_topic(&s, 0, "topic1", 2);
    st_topic(&s, 1, "topic2", 2);
    for (int m = 0; m < 3; m++) {
        snprintf(s.ids[m], 32, "consumer%d", m + 1);
        s.subs[m][0] = 0;
        s.subs[m][1] = 1;
        s.members[m].n_topics = 2;
        s.members[m].generation = 1;
    }
    s.owned[0][0] = (cg_tp_t){0, 0};                /* consumer1: topic1-0, topic2-0 */
    s.owned[0][1] = (cg_tp_t){1, 0};
    s.members[0].n_owned = 2;
    s.owned[1][0] = (cg_tp_t){0, 1};                /* consumer2: topic1-1, topic2-1 */
    s.owned[1][1] = (cg_tp_t){1, 1};
    s.members[1].n_owned = 2;
    st_run(&cg_assignor_sticky, &s.in, owner);
    /* 4 partitions, 3 members: one keeps 2. HashMap order: consumer3, consumer2, consumer1. */
    cr_assert_eq(owner[1], 1);                      /* topic1-1 */
    cr_assert_eq(owner[3], 1);                      /* topic2-1 */
    cr_assert_eq(owner[0], 0);                      /* consumer1 keeps topic1-0 (partition 0 */
    cr_assert_eq(owner[2], 2);                      /* first), topic2-0 goes to consumer3 */
    st_run(&cg_assignor_cooperative_sticky, &s.in, owner);
    cr_assert_eq(owner[2], -1, "topic2-0 moves from consumer1: withheld this round");
    cr_assert_eq(owner[0], 0);
}

/* ---- reference checks -------------------------------------------------------------------- */

/* Independent statement of the validation rule: the unique highest-generation claimant, if it
 * subscribes to the topic; -1 otherwise. */
static int32_t st_valid_owner(const cg_assign_input_t *in, int64_t g)
{
    int32_t t = at_topic_of(in, g), p = (int32_t)(g - in->topic_base[t]), best = -1;
    int32_t best_gen = INT32_MIN;
    bool tie = false;
    if (!at_topic_used(in, t))
        return -1;
    for (size_t i = 0; i < in->n_members; i++) {
        if (!at_lists(&in->members[i], t, p))
            continue;
        if (in->members[i].generation > best_gen) {
            best_gen = in->members[i].generation;
            best = (int32_t)i;
            tie = false;
        } else if (in->members[i].generation == best_gen) {
            tie = true;
        }
    }
    if (best < 0 || tie || !cg_assign_subscribed(&in->members[best], t))
        return -1;
    return best;
}

/* exclusive (owner in range), subscribed, complete; a cooperative round may leave unassigned
 * only partitions some member still lists, and gives nobody a partition another member lists
 * unless it is that partition's validated owner. */
static void st_check_valid(const char *what, const cg_assign_input_t *in, const int32_t *owner,
                           bool cooperative)
{
    for (int64_t g = 0; g < cg_assign_total_partitions(in); g++) {
        int32_t t = at_topic_of(in, g), p = (int32_t)(g - in->topic_base[t]), o = owner[g];
        cr_assert(o >= -1 && o < (int32_t)in->n_members, "%s: owner %d of %s-%d", what, o,
                  in->topics[t].name, p);
        bool listed_by_other = false;
        for (size_t i = 0; i < in->n_members; i++)
            listed_by_other |= (int32_t)i != o && at_lists(&in->members[i], t, p);
        if (o < 0) {
            cr_assert(!at_topic_used(in, t) || (cooperative && listed_by_other),
                      "%s: %s-%d unassigned", what, in->topics[t].name, p);
            continue;
        }
        cr_assert(cg_assign_subscribed(&in->members[o], t), "%s: %s-%d to unsubscribed %s", what,
                  in->topics[t].name, p, in->members[o].id);
        if (cooperative && listed_by_other)
            cr_assert_eq(st_valid_owner(in, g), o, "%s: %s-%d moves to %s in one round", what,
                         in->topics[t].name, p, in->members[o].id);
    }
}

/* Equal subscriptions: a member validly owning at most minQuota keeps all; any member keeps at
 * least min(owned, minQuota). */
static void st_check_sticky_equal(const char *what, const cg_assign_input_t *in,
                                  const int32_t *owner)
{
    int64_t total = 0, valid[ST_MEMBERS] = {0}, kept[ST_MEMBERS] = {0};
    for (size_t t = 0; t < in->n_topics; t++)
        if (at_topic_used(in, (int32_t)t))
            total += in->topics[t].partitions;
    int64_t min_quota = total / (int64_t)in->n_members;
    for (int64_t g = 0; g < cg_assign_total_partitions(in); g++) {
        int32_t v = st_valid_owner(in, g);
        if (v < 0)
            continue;
        valid[v]++;
        kept[v] += owner[g] == v;
    }
    for (size_t i = 0; i < in->n_members; i++) {
        int64_t floor_kept = valid[i] < min_quota ? valid[i] : min_quota;
        cr_assert(kept[i] >= floor_kept, "%s: %s kept %lld of %lld owned (minQuota %lld)", what,
                  in->members[i].id, (long long)kept[i], (long long)valid[i],
                  (long long)min_quota);
        cr_assert(valid[i] > min_quota || kept[i] == valid[i], "%s: %s lost an owned partition",
                  what, in->members[i].id);
    }
}

/* Unequal subscriptions, a chain: A (t2 only) owns t2-0..2, B (t1, t2) owns t1-0, t1-1, C (t1
 * only) owns t1-2. No single move narrows a gap of two (A cannot give to C), so Kafka's
 * isBalanced holds and it keeps 3/2/1: every owned partition stays where it is. */
Test(sticky, general_builder_keeps_kafka_balance_with_chains)
{
    static st_in_t s;
    int32_t owner[6];
    st_init(&s, 2, 3);
    st_topic(&s, 0, "t1", 3);
    st_topic(&s, 1, "t2", 3);
    const char *ids[3] = {"A", "B", "C"};
    for (int m = 0; m < 3; m++) {
        snprintf(s.ids[m], 32, "%s", ids[m]);
        s.members[m].generation = 1;
    }
    s.subs[0][0] = 1;
    s.members[0].n_topics = 1;
    s.subs[1][0] = 0;
    s.subs[1][1] = 1;
    s.members[1].n_topics = 2;
    s.subs[2][0] = 0;
    s.members[2].n_topics = 1;
    for (int p = 0; p < 3; p++)
        s.owned[0][p] = (cg_tp_t){1, p};
    s.members[0].n_owned = 3;
    s.owned[1][0] = (cg_tp_t){0, 0};
    s.owned[1][1] = (cg_tp_t){0, 1};
    s.members[1].n_owned = 2;
    s.owned[2][0] = (cg_tp_t){0, 2};
    s.members[2].n_owned = 1;
    st_run(&cg_assignor_sticky, &s.in, owner);
    int64_t count[ST_MEMBERS];
    at_counts(&s.in, owner, 0, cg_assign_total_partitions(&s.in), count);
    cr_assert(count[0] == 3 && count[1] == 2 && count[2] == 1, "counts %lld %lld %lld",
              (long long)count[0], (long long)count[1], (long long)count[2]);
    cr_assert_eq(owner[0], 1, "B keeps t1-0");
    cr_assert_eq(owner[1], 1, "B keeps t1-1");
    cr_assert_eq(owner[2], 2, "C keeps t1-2");
    for (int p = 3; p < 6; p++)
        cr_assert_eq(owner[p], 0, "A keeps t2-%d", p - 3);
}

/* ---- vectors ----------------------------------------------------------------------------- */

static cJSON *st_read_json(const char *path)
{
    char *buf = at_read_file(path, NULL);
    cJSON *root = cJSON_Parse(buf);
    free(buf);
    cr_assert_not_null(root, "%s: not JSON", path);
    return root;
}

static int st_name_cmp(const void *a, const void *b)
{
    return strcmp(((const cg_topic_meta_t *)a)->name, ((const cg_topic_meta_t *)b)->name);
}

static int32_t st_topic_index(const st_in_t *s, const char *name)
{
    for (size_t t = 0; t < s->in.n_topics; t++)
        if (strcmp(s->topics[t].name, name) == 0)
            return (int32_t)t;
    return -1;                                      /* e.g. owned partitions of a deleted topic */
}

static int st_int_cmp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static void st_load_member(st_in_t *s, size_t i, const cJSON *jm)
{
    cg_assign_member_t *m = &s->members[i];
    snprintf(s->ids[i], sizeof s->ids[i], "%s", cJSON_GetObjectItem(jm, "id")->valuestring);
    const cJSON *it, *gen = cJSON_GetObjectItem(jm, "generation");
    m->generation = cJSON_IsNumber(gen) ? (int32_t)gen->valueint : -1;
    m->n_topics = 0;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(jm, "topics"))
        if (st_topic_index(s, it->valuestring) >= 0)
            s->subs[i][m->n_topics++] = st_topic_index(s, it->valuestring);
    qsort(s->subs[i], m->n_topics, sizeof(int32_t), st_int_cmp);
    m->n_owned = 0;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(jm, "owned")) {
        int32_t t = st_topic_index(s, cJSON_GetArrayItem(it, 0)->valuestring);
        if (t >= 0)
            s->owned[i][m->n_owned++] = (cg_tp_t){t, cJSON_GetArrayItem(it, 1)->valueint};
    }
}

static void st_load_vector(st_in_t *s, const cJSON *root)
{
    const cJSON *it, *topics = cJSON_GetObjectItem(root, "topics");
    const cJSON *members = cJSON_GetObjectItem(root, "members");
    size_t nt = (size_t)cJSON_GetArraySize(topics), nm = (size_t)cJSON_GetArraySize(members);
    cr_assert(nt <= ST_TOPICS && nm <= ST_MEMBERS, "vector too large for the test");
    st_init(s, nt, nm);
    cg_topic_meta_t sorted[ST_TOPICS];              /* names borrowed from the cJSON tree */
    size_t t = 0;
    cJSON_ArrayForEach(it, topics)
        sorted[t++] = (cg_topic_meta_t){it->string, it->valueint};
    qsort(sorted, nt, sizeof sorted[0], st_name_cmp);
    for (t = 0; t < nt; t++)
        st_topic(s, t, sorted[t].name, sorted[t].partitions);
    size_t i = 0;
    cJSON_ArrayForEach(it, members)
        st_load_member(s, i++, it);
}

static bool st_has(const cJSON *list, const char *what)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, list)
        if (strcmp(it->valuestring, what) == 0)
            return true;
    return false;
}

static void st_check_vector_properties(const char *file, const cJSON *root, const st_in_t *s,
                                       const int32_t *owner)
{
    const cJSON *props = cJSON_GetObjectItem(root, "properties");
    const cg_assign_input_t *in = &s->in;
    bool coop = st_has(props, "cooperative");
    st_check_valid(file, in, owner, coop);
    if (st_has(props, "balanced"))
        cr_assert(at_spread(in, owner, 0, cg_assign_total_partitions(in), NULL, NULL) <= 1,
                  "%s: not balanced", file);
    if (st_has(props, "sticky")) {
        int64_t kept = 0;
        for (int64_t g = 0; g < cg_assign_total_partitions(in); g++) {
            int32_t t = at_topic_of(in, g);
            kept += owner[g] >= 0 &&
                    at_lists(&in->members[owner[g]], t, (int32_t)(g - in->topic_base[t]));
        }
        int min_kept = cJSON_GetObjectItem(root, "min_kept")->valueint;
        cr_assert(kept >= min_kept, "%s: kept %lld owned partitions, want >= %d", file,
                  (long long)kept, min_kept);
    }
}

/* Kafka's result when it does not depend on HashMap order beyond what is emulated. */
static int st_check_vector_exact(const cJSON *root, const st_in_t *s, const int32_t *owner)
{
    const cJSON *res = cJSON_GetObjectItem(root, "kafka_result"), *it;
    if (!res || cJSON_GetObjectItem(root, "kafka_result_partial") ||
        !at_equal_subscriptions(&s->in))
        return 0;
    int64_t matched = 0, assigned = 0;
    for (int64_t g = 0; g < cg_assign_total_partitions(&s->in); g++)
        assigned += owner[g] >= 0;
    for (size_t i = 0; i < s->in.n_members; i++)
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(res, s->ids[i])) {
            int32_t t = st_topic_index(s, cJSON_GetArrayItem(it, 0)->valuestring);
            int64_t g = s->base[t] + cJSON_GetArrayItem(it, 1)->valueint;
            cr_assert_eq(owner[g], (int32_t)i, "%s-%d: owner %d, Kafka gives it to %s",
                         s->topics[t].name, cJSON_GetArrayItem(it, 1)->valueint, owner[g],
                         s->ids[i]);
            matched++;
        }
    cr_assert_eq(matched, assigned, "Kafka assigns %lld partitions, cgsim %lld",
                 (long long)matched, (long long)assigned);
    return 1;
}

Test(sticky, vectors)
{
    static st_in_t s;
    int32_t owner[ST_TOTAL];
    char path[512];
    const char *dir = CGSIM_SOURCE_DIR "/tests/vectors";
    static const char *const prefixes[] = {"sticky_", "coop_", "rdk_sticky_"};
    int n_files = 0, n_exact = 0;
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "cannot open %s", dir);
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        bool mine = false;
        for (size_t k = 0; k < 3; k++)
            mine |= strncmp(name, prefixes[k], strlen(prefixes[k])) == 0;
        if (!mine)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, name);
        cJSON *root = st_read_json(path);
        const char *an = cJSON_GetObjectItem(root, "assignor")->valuestring;
        const cg_assignor_ops_t *ops = &cg_assignor_cooperative_sticky;
        if (strcmp(an, "sticky") == 0)
            ops = &cg_assignor_sticky;
        cr_assert(strcmp(an, ops->name) == 0, "%s: assignor %s", name, an);
        st_load_vector(&s, root);
        st_run(ops, &s.in, owner);
        st_check_vector_properties(name, root, &s, owner);
        n_exact += st_check_vector_exact(root, &s, owner);
        n_files++;
        cJSON_Delete(root);
    }
    closedir(d);
    cr_assert_geq(n_files, 27, "only %d sticky vectors found in %s", n_files, dir);
    cr_assert_geq(n_exact, 15, "only %d vectors compared exactly", n_exact);
}

/* ---- random inputs ----------------------------------------------------------------------- */

static void st_random_owned(st_in_t *s, uint64_t *r)
{
    size_t nm = s->in.n_members;
    for (size_t t = 0; t < s->in.n_topics; t++)
        for (int32_t p = 0; p < s->topics[t].partitions; p++) {
            uint32_t roll = at_below(r, 20);
            int copies = roll < 12 ? 1 : roll < 15 ? 2 : 0;   /* some claimed twice, some free */
            for (int c = 0; c < copies; c++) {
                size_t i = at_below(r, (uint32_t)nm);
                if (!at_lists(&s->members[i], (int32_t)t, p))
                    s->owned[i][s->members[i].n_owned++] = (cg_tp_t){(int32_t)t, p};
            }
        }
}

static void st_random(st_in_t *s, uint64_t *r)
{
    size_t nt = 1 + at_below(r, 4), nm = 1 + at_below(r, 7);
    bool equal = at_below(r, 2) == 0;
    st_init(s, nt, nm);
    for (size_t t = 0; t < nt; t++) {
        char name[16];
        snprintf(name, sizeof name, "t%zu", t);
        st_topic(s, t, name, (int32_t)at_below(r, 11));
    }
    uint32_t common = 1 + at_below(r, (1u << nt) - 1);
    bool same_gen = at_below(r, 3) == 0;
    for (size_t i = 0; i < nm; i++) {
        cg_assign_member_t *m = &s->members[i];
        snprintf(s->ids[i], sizeof s->ids[i], "c%02u-%zu", at_below(r, 100), i);
        uint32_t mask = equal ? common : at_below(r, 1u << nt);
        for (size_t t = 0; t < nt; t++)
            if (mask & (1u << t))
                s->subs[i][m->n_topics++] = (int32_t)t;
        m->generation = same_gen ? 3 : (int32_t)at_below(r, 4) - 1;
    }
    st_random_owned(s, r);
}

/* After a struct copy: point the input into this copy's own storage. */
static void st_repoint(st_in_t *s)
{
    s->in.topics = s->topics;
    s->in.topic_base = s->base;
    s->in.members = s->members;
    for (size_t t = 0; t < s->in.n_topics; t++)
        s->topics[t].name = s->tnames[t];
    for (size_t i = 0; i < s->in.n_members; i++) {
        s->members[i].id = s->ids[i];
        s->members[i].topics = s->subs[i];
        s->members[i].owned = s->owned[i];
    }
}

/* The same input with owned := owner (one generation for everybody). */
static void st_feed_back(st_in_t *dst, const st_in_t *src, const int32_t *owner, int32_t gen)
{
    *dst = *src;
    st_repoint(dst);
    for (size_t i = 0; i < dst->in.n_members; i++) {
        dst->members[i].n_owned = 0;
        dst->members[i].generation = gen;
    }
    for (int64_t g = 0; g < cg_assign_total_partitions(&src->in); g++) {
        if (owner[g] < 0)
            continue;
        int32_t t = at_topic_of(&src->in, g);
        cg_assign_member_t *m = &dst->members[owner[g]];
        dst->owned[owner[g]][m->n_owned++] = (cg_tp_t){t, (int32_t)(g - src->base[t])};
    }
}

static void st_check_sticky_case(const st_in_t *s, int c, int32_t *owner)
{
    static st_in_t again;
    int32_t owner2[ST_TOTAL];
    char what[64];
    const cg_assign_input_t *in = &s->in;
    int64_t np = cg_assign_total_partitions(in);
    snprintf(what, sizeof what, "sticky case %d", c);
    st_run(&cg_assignor_sticky, in, owner);
    st_check_valid(what, in, owner, false);
    at_check_no_improving_move(what, in, owner);
    if (at_equal_subscriptions(in)) {
        cr_assert(at_spread(in, owner, 0, cg_assign_total_partitions(in), NULL, NULL) <= 1,
                  "%s: not balanced", what);
        st_check_sticky_equal(what, in, owner);
    }
    st_run(&cg_assignor_sticky, in, owner2);
    cr_assert(memcmp(owner, owner2, (size_t)np * sizeof *owner) == 0, "%s: not deterministic",
              what);
    st_feed_back(&again, s, owner, 9);
    st_run(&cg_assignor_sticky, &again.in, owner2);
    cr_assert(memcmp(owner, owner2, (size_t)np * sizeof *owner) == 0,
              "%s: its own result fed back as owned changes", what);
}

static int st_i64_cmp(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* Rounds until nothing is withheld: at most 3 in all, ending as balanced as sticky. */
static void st_check_cooperative_case(const st_in_t *s, int c, const int32_t *sticky_owner)
{
    static st_in_t cur, next;
    int32_t owner[ST_TOTAL], owner2[ST_TOTAL];
    char what[64];
    int64_t np = cg_assign_total_partitions(&s->in);
    cur = *s;
    st_repoint(&cur);
    for (int round = 1;; round++) {
        snprintf(what, sizeof what, "cooperative case %d round %d", c, round);
        st_run(&cg_assignor_cooperative_sticky, &cur.in, owner);
        st_check_valid(what, &cur.in, owner, true);
        st_run(&cg_assignor_cooperative_sticky, &cur.in, owner2);
        cr_assert(memcmp(owner, owner2, (size_t)np * sizeof *owner) == 0, "%s: not deterministic",
                  what);
        bool complete = true;
        for (int64_t g = 0; g < np; g++)
            complete &= owner[g] >= 0 || !at_topic_used(&cur.in, at_topic_of(&cur.in, g));
        if (complete) {
            at_check_no_improving_move(what, &cur.in, owner);
            /* With unequal subscriptions Kafka's balance ("no single move helps") is not
             * unique, so only equal subscriptions must converge to sticky's counts. */
            if (!at_equal_subscriptions(&s->in))
                return;
            int64_t a[ST_MEMBERS], b[ST_MEMBERS];
            at_counts(&cur.in, owner, 0, cg_assign_total_partitions(&cur.in), a);
            at_counts(&s->in, sticky_owner, 0, cg_assign_total_partitions(&s->in), b);
            qsort(a, s->in.n_members, sizeof a[0], st_i64_cmp);
            qsort(b, s->in.n_members, sizeof b[0], st_i64_cmp);
            for (size_t i = 0; i < s->in.n_members; i++)
                cr_assert_eq(a[i], b[i], "%s: converged counts differ from sticky's", what);
            return;
        }
        cr_assert(round < 3, "%s: still withholding partitions", what);
        st_feed_back(&next, &cur, owner, 10 + round);
        cur = next;
        st_repoint(&cur);
    }
}

Test(sticky, random_properties)
{
    static st_in_t s;
    int32_t owner[ST_TOTAL];
    uint64_t r = 20241125;
    for (int c = 0; c < ST_CASES; c++) {
        st_random(&s, &r);
        st_check_sticky_case(&s, c, owner);
        st_check_cooperative_case(&s, c, owner);
    }
}
