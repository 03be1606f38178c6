/* models/assignor_range: Kafka's client-side RangeAssignor ("range", classic protocol, EAGER).
 *
 * Algorithm (clients/.../consumer/RangeAssignor.java): members are sorted by cg_assign_member_cmp
 * (static members by instance id, then dynamic ones by member id). Each topic is handled on its
 * own: with N partitions and the C members subscribed to it (in that order), q = N / C and
 * r = N % C; the member at rank i gets the contiguous range starting at q*i + min(i, r), of
 * length q + (i < r). Members not subscribed to a topic do not count for it.
 *
 * Worked example: t0 and t1 with 3 partitions each, members c0 and c1 subscribed to both:
 * q = 1, r = 1 per topic, so c0 gets t0-0, t0-1, t1-0, t1-1 and c1 gets t0-2, t1-2. The same
 * first members get the extra partition of every topic, hence range's imbalance with many topics.
 *
 * Racks (KIP-881, Kafka 3.5+): a topic "needs" racks when rack.h's test holds for its
 * subscribers and partitions. If any topic does, a rack pass runs first:
 * - topics with the same subscribers and the same partition count (co-partitioned, two or
 *   more): for each p in order, the first remaining member (in order) that rack-matches p of
 *   every such topic and may take one more of each gets p of all of them; a member that may take
 *   no more of any leaves the remaining list (assignCoPartitionedWithRackMatching). This runs
 *   whether or not those topics need racks;
 * - a topic alone in its group that needs racks: each member in order takes, in partition order,
 *   up to maxAssignable partitions that rack-match it (a rackless member matches everything).
 * Then every topic's unassigned partitions go the same way without the rack filter.
 * maxAssignable(m) = q + (members still owed an extra > 0) - assigned(m), at least 0; a member
 * passing q uses up one extra, so the extras go to whoever passes q first.
 * Worked example (RangeAssignorTest.testRackAwareAssignmentWithNonEqualSubscription's idea):
 * t with 4 partitions, racks p0 a, p1 b, p2 a, p3 b; c0 on b, c1 on a: rack pass c0 takes p1,
 * p3 and c1 p0, p2 (plain range would give c0 p0, p1).
 *
 * Cost: O(M log M + S + P) without racks. The rack pass keeps a scan cursor per member rack
 * (everything that rack matches before it is taken), O(P x racks) per topic, and the
 * co-partitioned pass is Kafka's O(P x M x topics of the group) worst case. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/assign/assignor.h"
#include "models/assign/rack.h"

typedef struct range_st {
    const cg_assign_input_t *in;
    int32_t *owner;                   /* output */
    cg_rack_view_t rv;                /* member racks */
    int32_t *order, *ranks;           /* subscribers of t: order[ranks[off[t] ..]] */
    int64_t *off;
    int64_t *cnt;                     /* [subscriptions] assigned to subscriber off[t]+i */
    int64_t *extra_left;              /* [T] members still owed an extra partition */
    int64_t *cursor;                  /* [CG_MAX_RACKS + 2] scan start per member rack class */
} range_st_t;

static int64_t n_subs(const range_st_t *s, size_t t) { return s->off[t + 1] - s->off[t]; }

static int64_t max_assignable(const range_st_t *s, size_t t, int64_t i)
{
    int64_t c = n_subs(s, t), q = s->in->topics[t].partitions / c;
    int64_t v = q + (s->extra_left[t] > 0 ? 1 : 0) - s->cnt[s->off[t] + i];
    return v > 0 ? v : 0;
}

static void give(range_st_t *s, size_t t, int64_t i, int64_t p)
{
    int64_t c = n_subs(s, t), q = s->in->topics[t].partitions / c;
    s->owner[s->in->topic_base[t] + p] = s->order[s->ranks[s->off[t] + i]];
    if (++s->cnt[s->off[t] + i] == q + 1)
        s->extra_left[t]--;
}

/* assignRanges: each subscriber in order takes up to maxAssignable unassigned partitions that
 * (with `rack`) rack-match it. Cursor per rack class: see the file comment. */
static void assign_ranges(range_st_t *s, size_t t, bool rack)
{
    int64_t c = n_subs(s, t), n = s->in->topics[t].partitions, base = s->in->topic_base[t];
    for (int k = 0; k < CG_MAX_RACKS + 2; k++)
        s->cursor[k] = 0;
    for (int64_t i = 0; i < c; i++) {
        int32_t m = s->order[s->ranks[s->off[t] + i]];
        int32_t r = rack ? s->rv.member_rack[m] : CG_RACK_NONE;
        int64_t *cur = &s->cursor[r + 2], take = max_assignable(s, t, i);
        if (r == CG_RACK_OTHER)
            continue;                 /* its rack holds no replica: nothing matches */
        int64_t p = *cur;
        for (; p < n && take > 0; p++)
            if (s->owner[base + p] < 0 && (!rack || cg_rack_match(&s->rv, m, base + p))) {
                give(s, t, i, p);
                take--;
            }
        *cur = p;
    }
}

static bool topic_needs_racks(const range_st_t *s, size_t t)
{
    cg_rack_scan_t sc = {0};
    for (int64_t i = s->off[t]; i < s->off[t + 1]; i++)
        cg_rack_scan_member(&sc, &s->rv, s->order[s->ranks[i]]);
    cg_rack_scan_parts(&sc, s->in, s->in->topic_base[t], s->in->topic_base[t + 1]);
    return cg_rack_scan_use(&sc);
}

/* assignCoPartitionedWithRackMatching over the topics grp[0..k), same subscribers and size. */
static void assign_copartitioned(range_st_t *s, const int32_t *grp, size_t k)
{
    size_t t0 = (size_t)grp[0];
    int64_t c = n_subs(s, t0), n = s->in->topics[t0].partitions, live = c;
    uint8_t *gone = calloc((size_t)c + 1, 1);
    if (!gone)
        return;                       /* the plain pass still assigns everything */
    for (int64_t p = 0; p < n && live > 0; p++) {
        for (int64_t i = 0; i < c; i++) {
            int32_t m = s->order[s->ranks[s->off[t0] + i]];
            bool ok = !gone[i];
            for (size_t j = 0; j < k && ok; j++)
                ok = cg_rack_match(&s->rv, m, s->in->topic_base[grp[j]] + p) &&
                     max_assignable(s, (size_t)grp[j], i) > 0;
            if (!ok)
                continue;
            bool more = false;
            for (size_t j = 0; j < k; j++) {
                give(s, (size_t)grp[j], i, p);
                more = more || max_assignable(s, (size_t)grp[j], i) > 0;
            }
            if (!more) {
                gone[i] = 1;
                live--;
            }
            break;
        }
    }
    free(gone);
}

typedef struct topic_key {
    const range_st_t *s;
    int32_t t;
} topic_key_t;

/* Same partition count and same subscribers sort together; ties by topic index. */
static int topic_key_cmp(const void *a, const void *b)
{
    const topic_key_t *x = a, *y = b;
    const range_st_t *s = x->s;
    int32_t nx = s->in->topics[x->t].partitions, ny = s->in->topics[y->t].partitions;
    int64_t cx = n_subs(s, (size_t)x->t), cy = n_subs(s, (size_t)y->t);
    if (nx != ny)
        return nx < ny ? -1 : 1;
    if (cx != cy)
        return cx < cy ? -1 : 1;
    int c = memcmp(s->ranks + s->off[x->t], s->ranks + s->off[y->t],
                   (size_t)cx * sizeof *s->ranks);
    return c != 0 ? c : (x->t > y->t) - (x->t < y->t);
}

static bool same_group(const range_st_t *s, const topic_key_t *a, const topic_key_t *b)
{
    return s->in->topics[a->t].partitions == s->in->topics[b->t].partitions &&
           n_subs(s, (size_t)a->t) == n_subs(s, (size_t)b->t) &&
           memcmp(s->ranks + s->off[a->t], s->ranks + s->off[b->t],
                  (size_t)n_subs(s, (size_t)a->t) * sizeof *s->ranks) == 0;
}

/* assignWithRackMatching; -1 when out of memory. */
static int rack_pass(range_st_t *s, const uint8_t *needs)
{
    size_t nt = s->in->n_topics, k = 0;
    topic_key_t *keys = malloc((nt + 1) * sizeof *keys);
    int32_t *grp = malloc((nt + 1) * sizeof *grp);
    if (!keys || !grp) {
        free(keys);
        free(grp);
        return -1;
    }
    for (size_t t = 0; t < nt; t++)
        if (n_subs(s, t) > 0 && s->in->topics[t].partitions > 0)
            keys[k++] = (topic_key_t){s, (int32_t)t};
    qsort(keys, k, sizeof *keys, topic_key_cmp);
    for (size_t i = 0, j; i < k; i = j) {
        size_t ng = 0;
        for (j = i; j < k && same_group(s, &keys[i], &keys[j]); j++)
            grp[ng++] = keys[j].t;
        if (ng > 1)
            assign_copartitioned(s, grp, ng);
        else if (needs[grp[0]])
            assign_ranges(s, (size_t)grp[0], true);
    }
    free(keys);
    free(grp);
    return 0;
}

static int range_run(range_st_t *s)
{
    size_t nt = s->in->n_topics;
    uint8_t *needs = calloc(nt + 1, 1);
    if (!needs)
        return -1;
    bool any = false;
    for (size_t t = 0; t < nt; t++) {
        int64_t c = n_subs(s, t);
        s->extra_left[t] = c > 0 ? s->in->topics[t].partitions % c : 0;
        if (c > 0 && s->in->replica_racks && topic_needs_racks(s, t))
            needs[t] = 1, any = true;
    }
    int rc = any ? rack_pass(s, needs) : 0;
    for (size_t t = 0; t < nt && rc == 0; t++)
        if (n_subs(s, t) > 0)
            assign_ranges(s, t, false);
    free(needs);
    return rc;
}

static int range_assign(const cg_assign_input_t *in, cg_assign_output_t *out, char *err,
                        size_t errlen)
{
    int64_t total = cg_assign_total_partitions(in);
    for (int64_t g = 0; g < total; g++)
        out->owner[g] = -1;
    range_st_t s = {in, out->owner, {0}, NULL, NULL, NULL, NULL, NULL, NULL};
    int rc = -1;
    if (cg_assign_subscribers(in, &s.order, &s.off, &s.ranks) == 0) {
        int64_t subs = s.off[in->n_topics];
        s.cnt = calloc((size_t)subs + 1, sizeof *s.cnt);
        s.extra_left = calloc(in->n_topics + 1, sizeof *s.extra_left);
        s.cursor = calloc(CG_MAX_RACKS + 2, sizeof *s.cursor);
        if (s.cnt && s.extra_left && s.cursor && cg_rack_view_init(&s.rv, in) == 0)
            rc = range_run(&s);
    }
    if (rc != 0)
        snprintf(err, errlen, "range: out of memory");
    cg_rack_view_fini(&s.rv);
    free(s.order);
    free(s.off);
    free(s.ranks);
    free(s.cnt);
    free(s.extra_left);
    free(s.cursor);
    return rc;
}

const cg_assignor_ops_t cg_assignor_range = {"range", CG_PROTOCOL_CLASSIC, false, range_assign};
