/* models/assignor_uniform: the KIP-848 server-side UniformAssignor ("uniform", consumer protocol).
 *
 * "owned" in the input is each member's current target assignment held by the coordinator. First,
 * members in member-id order claim their owned partitions of topics they still subscribe to (a
 * partition claimed twice stays with the first claimant; the coordinator never produces that).
 *
 * Homogeneous subscriptions (every member subscribes to the same topics) follow Kafka's
 * UniformHomogeneousAssignmentBuilder:
 *   1. unassigned = partitions of the subscribed topics nobody claimed, topic by topic, ascending;
 *   2. minQuota = P / M, extra = P % M; members in member-id order each get quota minQuota, plus one
 *      while extra lasts (so the first P % M members get the extra slot whatever they own). Walking
 *      the member's claimed partitions topic by topic, a topic that fits the remaining quota is kept
 *      whole, otherwise its lowest partitions are kept up to the quota and the rest are appended to
 *      `unassigned`;
 *   3. members with quota left take it, in order, as contiguous slices of `unassigned`.
 * Kafka iterates members in groupSpec.memberIds() order and topics in java.util.HashSet<Uuid>
 * order; neither is reproducible without Java's hashing of random topic ids, so cgsim uses member
 * ids and topic names, both sorted (strcmp). Results match Kafka's whenever those orders agree.
 * Example: t1 and t2 with 3 partitions, A owns t1-0 and t2-0, B owns t1-1 and t2-1: quotas 3 and 3,
 * unassigned = [t1-2, t2-2]; A keeps its two and takes t1-2, B keeps its two and takes t2-2.
 *
 * Heterogeneous subscriptions (cgsim's own algorithm, with the goals of Kafka's
 * UniformHeterogeneousAssignmentBuilder: balance first, then stickiness):
 *   1. every member keeps its claimed partitions;
 *   2. topics in order of (number of subscribers, name): each unassigned partition, ascending, goes
 *      to the subscriber with the fewest partitions (ties: member id);
 *   3. balancing passes: for each topic, partition from highest to lowest, if its owner has at least
 *      two more partitions than the least loaded subscriber of the topic, it moves there. Every move
 *      lowers the sum of squared member loads, so the passes end; at the end no single move of a
 *      partition to another subscriber can narrow the gap between two members.
 * Cost: homogeneous O(M log M + P); heterogeneous O(M log M + S + P log M) per pass. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/assign/assignor.h"

typedef struct uni {
    const cg_assign_input_t *in;      /* the input */
    int32_t *order;                   /* member indexes in member-id order */
    int32_t *rank;                    /* rank[member] = its position in `order` */
    int32_t *owner;                   /* the output being built, by global partition */
    int64_t *count;                   /* partitions each member holds in `owner` */
} uni_t;

/* Members claim their owned partitions of subscribed topics, first claimant (by id) wins. */
static void uni_claim(uni_t *u)
{
    const cg_assign_input_t *in = u->in;
    for (size_t r = 0; r < in->n_members; r++) {
        int32_t mi = u->order[r];
        const cg_assign_member_t *m = &in->members[mi];
        for (size_t k = 0; k < m->n_owned; k++) {
            cg_tp_t tp = m->owned[k];
            if (tp.topic < 0 || (size_t)tp.topic >= in->n_topics || tp.partition < 0 ||
                tp.partition >= in->topics[tp.topic].partitions || !cg_assign_subscribed(m, tp.topic))
                continue;
            int64_t g = in->topic_base[tp.topic] + tp.partition;
            if (u->owner[g] == -1) {
                u->owner[g] = mi;
                u->count[mi]++;
            }
        }
    }
}

static bool uni_homogeneous(const cg_assign_input_t *in)
{
    const cg_assign_member_t *a = &in->members[0];
    for (size_t i = 1; i < in->n_members; i++) {
        const cg_assign_member_t *b = &in->members[i];
        if (b->n_topics != a->n_topics ||
            (a->n_topics && memcmp(a->topics, b->topics, a->n_topics * sizeof *a->topics) != 0))
            return false;
    }
    return true;
}

/* Topic of a global partition index: the last t with topic_base[t] <= g, among non-empty topics. */
static size_t uni_topic_of(const cg_assign_input_t *in, int64_t g)
{
    size_t lo = 0, hi = in->n_topics;          /* answer in [lo, hi) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (in->topic_base[mid] <= g)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Step 2 of the homogeneous builder for one member: keep what fits `quota`, push the rest onto
 * `unassigned`. `mine` lists the member's claimed partitions ascending. Returns the quota left. */
static int64_t uni_keep(uni_t *u, const int64_t *mine, int64_t n, int64_t quota, int64_t *unassigned,
                        int64_t *n_unassigned)
{
    const int64_t *base = u->in->topic_base;
    int64_t i = 0;
    while (i < n) {
        size_t t = uni_topic_of(u->in, mine[i]);
        int64_t j = i;
        while (j < n && mine[j] < base[t + 1])
            j++;
        int64_t keep = (j - i <= quota) ? j - i : quota;
        for (int64_t k = i + keep; k < j; k++) {
            u->owner[mine[k]] = -1;
            unassigned[(*n_unassigned)++] = mine[k];
        }
        quota -= keep;
        i = j;
    }
    return quota;
}

/* Claimed partitions per member, ascending: list[off[m] .. off[m+1]) (counting sort of `owner`). */
static int uni_lists(const uni_t *u, int64_t **off_out, int64_t **list_out)
{
    size_t nm = u->in->n_members;
    int64_t total = cg_assign_total_partitions(u->in);
    int64_t *off = calloc(nm + 1, sizeof *off);
    int64_t *list = malloc((size_t)(total ? total : 1) * sizeof *list);
    if (off == NULL || list == NULL) {
        free(off);
        free(list);
        return -1;
    }
    for (size_t m = 0; m < nm; m++)
        off[m + 1] = off[m] + u->count[m];
    for (int64_t g = 0; g < total; g++)
        if (u->owner[g] >= 0)
            list[off[u->owner[g]]++] = g;
    for (size_t m = nm; m > 0; m--)            /* shift back: off[m] was advanced to off[m+1] */
        off[m] = off[m - 1];
    off[0] = 0;
    *off_out = off;
    *list_out = list;
    return 0;
}

static int uni_homogeneous_assign(uni_t *u)
{
    const cg_assign_input_t *in = u->in;
    const cg_assign_member_t *m0 = &in->members[0];
    int64_t total = cg_assign_total_partitions(in), n_un = 0, n_subscribed = 0;
    int64_t *unassigned = malloc((size_t)(total ? total : 1) * sizeof *unassigned);
    int64_t *rem = malloc(in->n_members * sizeof *rem);
    int64_t *off = NULL, *list = NULL;
    if (unassigned == NULL || rem == NULL || uni_lists(u, &off, &list) != 0) {
        free(unassigned);
        free(rem);
        return -1;
    }
    for (size_t k = 0; k < m0->n_topics; k++) {
        int32_t t = m0->topics[k];
        n_subscribed += in->topics[t].partitions;
        for (int64_t g = in->topic_base[t]; g < in->topic_base[t + 1]; g++)
            if (u->owner[g] == -1)
                unassigned[n_un++] = g;
    }
    int64_t nm = (int64_t)in->n_members, min_quota = n_subscribed / nm;
    int64_t extra = n_subscribed % nm;
    for (int64_t r = 0; r < nm; r++) {
        int32_t mi = u->order[r];
        int64_t quota = min_quota + (extra > 0 ? 1 : 0);
        if (extra > 0)
            extra--;
        rem[r] = uni_keep(u, list + off[mi], off[mi + 1] - off[mi], quota, unassigned, &n_un);
    }
    int64_t next = 0;
    for (int64_t r = 0; r < nm; r++)
        for (int64_t k = 0; k < rem[r]; k++)
            u->owner[unassigned[next++]] = u->order[r];
    assert(next == n_un);
    free(unassigned);
    free(rem);
    free(off);
    free(list);
    return 0;
}

/* An indexed min-heap of members keyed by (partitions held, member-id rank). */
typedef struct uni_heap {
    int32_t *h;                       /* heap array of member indexes */
    int32_t *pos;                     /* pos[member] = its slot in `h`, -1 when absent */
    size_t n;                         /* members in the heap */
} uni_heap_t;

static bool uni_less(const uni_t *u, int32_t a, int32_t b)
{
    if (u->count[a] != u->count[b])
        return u->count[a] < u->count[b];
    return u->rank[a] < u->rank[b];
}

static void uni_swap(uni_heap_t *hp, size_t i, size_t j)
{
    int32_t t = hp->h[i];
    hp->h[i] = hp->h[j];
    hp->h[j] = t;
    hp->pos[hp->h[i]] = (int32_t)i;
    hp->pos[hp->h[j]] = (int32_t)j;
}

static void uni_up(const uni_t *u, uni_heap_t *hp, size_t i)
{
    while (i > 0 && uni_less(u, hp->h[i], hp->h[(i - 1) / 2])) {
        uni_swap(hp, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void uni_down(const uni_t *u, uni_heap_t *hp, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, best = i;
        if (l < hp->n && uni_less(u, hp->h[l], hp->h[best]))
            best = l;
        if (l + 1 < hp->n && uni_less(u, hp->h[l + 1], hp->h[best]))
            best = l + 1;
        if (best == i)
            return;
        uni_swap(hp, i, best);
        i = best;
    }
}

/* Fill the heap with the subscribers of one topic. */
static void uni_heap_build(const uni_t *u, uni_heap_t *hp, const int32_t *subs, size_t n)
{
    for (size_t i = 0; i < hp->n; i++)
        hp->pos[hp->h[i]] = -1;
    hp->n = n;
    for (size_t i = 0; i < n; i++) {
        hp->h[i] = subs[i];
        hp->pos[subs[i]] = (int32_t)i;
    }
    for (size_t i = n / 2; i-- > 0;)
        uni_down(u, hp, i);
}

/* Give partition g (owned by `from`, or -1) to the least loaded subscriber at the heap top. */
static void uni_move(uni_t *u, uni_heap_t *hp, int64_t g, int32_t from)
{
    int32_t to = hp->h[0];
    u->owner[g] = to;
    u->count[to]++;
    uni_down(u, hp, 0);
    if (from >= 0) {
        u->count[from]--;
        uni_up(u, hp, (size_t)hp->pos[from]);
    }
}

/* One topic: hand out its unassigned partitions (fill) or rebalance it; returns moves made. */
static int64_t uni_topic_pass(uni_t *u, uni_heap_t *hp, size_t t, bool fill)
{
    const cg_assign_input_t *in = u->in;
    int64_t moves = 0;
    if (fill) {
        for (int64_t g = in->topic_base[t]; g < in->topic_base[t + 1]; g++)
            if (u->owner[g] == -1)
                uni_move(u, hp, g, -1);
        return 0;
    }
    for (int64_t g = in->topic_base[t + 1]; g-- > in->topic_base[t];) {
        int32_t from = u->owner[g];
        if (u->count[from] > u->count[hp->h[0]] + 1) {
            uni_move(u, hp, g, from);
            moves++;
        }
    }
    return moves;
}

typedef struct uni_topic_key {
    int64_t n_subs;                   /* subscribers of the topic */
    int32_t topic;                    /* topic index (name order) */
} uni_topic_key_t;

static int uni_topic_key_cmp(const void *a, const void *b)
{
    const uni_topic_key_t *x = a, *y = b;
    if (x->n_subs != y->n_subs)
        return x->n_subs < y->n_subs ? -1 : 1;
    return (x->topic > y->topic) - (x->topic < y->topic);
}

/* Subscribers of each topic in member-id order: subs[off[t] .. off[t+1]). */
static int uni_subscribers(const uni_t *u, int64_t *off, int32_t **subs_out)
{
    const cg_assign_input_t *in = u->in;
    size_t nt = in->n_topics;
    for (size_t i = 0; i < in->n_members; i++)
        for (size_t k = 0; k < in->members[i].n_topics; k++)
            off[in->members[i].topics[k] + 1]++;
    for (size_t t = 0; t < nt; t++)
        off[t + 1] += off[t];
    int32_t *subs = malloc((size_t)(off[nt] ? off[nt] : 1) * sizeof *subs);
    int64_t *fill = malloc((nt + 1) * sizeof *fill);
    if (subs == NULL || fill == NULL) {
        free(subs);
        free(fill);
        return -1;
    }
    memcpy(fill, off, (nt + 1) * sizeof *fill);
    for (size_t r = 0; r < in->n_members; r++) {
        const cg_assign_member_t *m = &in->members[u->order[r]];
        for (size_t k = 0; k < m->n_topics; k++)
            subs[fill[m->topics[k]]++] = u->order[r];
    }
    free(fill);
    *subs_out = subs;
    return 0;
}

static int uni_heterogeneous_assign(uni_t *u)
{
    const cg_assign_input_t *in = u->in;
    size_t nt = in->n_topics, n_keys = 0;
    int64_t *off = calloc(nt + 1, sizeof *off);
    uni_topic_key_t *keys = malloc((nt ? nt : 1) * sizeof *keys);
    uni_heap_t hp = {malloc(in->n_members * sizeof(int32_t)),
                     malloc(in->n_members * sizeof(int32_t)), 0};
    int32_t *subs = NULL;
    int rc = -1;
    if (off == NULL || keys == NULL || hp.h == NULL || hp.pos == NULL ||
        uni_subscribers(u, off, &subs) != 0)
        goto out;
    for (size_t m = 0; m < in->n_members; m++)
        hp.pos[m] = -1;
    for (size_t t = 0; t < nt; t++)
        if (off[t + 1] > off[t] && in->topics[t].partitions > 0)
            keys[n_keys++] = (uni_topic_key_t){off[t + 1] - off[t], (int32_t)t};
    qsort(keys, n_keys, sizeof *keys, uni_topic_key_cmp);
    for (size_t k = 0; k < n_keys; k++) {
        size_t t = (size_t)keys[k].topic;
        uni_heap_build(u, &hp, subs + off[t], (size_t)(off[t + 1] - off[t]));
        uni_topic_pass(u, &hp, t, true);
    }
    int64_t moves;
    do {
        moves = 0;
        for (size_t k = 0; k < n_keys; k++) {
            size_t t = (size_t)keys[k].topic;
            uni_heap_build(u, &hp, subs + off[t], (size_t)(off[t + 1] - off[t]));
            moves += uni_topic_pass(u, &hp, t, false);
        }
    } while (moves > 0);
    rc = 0;
out:
    free(off);
    free(keys);
    free(hp.h);
    free(hp.pos);
    free(subs);
    return rc;
}

static int uniform_assign(const cg_assign_input_t *in, cg_assign_output_t *out, char *err,
                          size_t errlen)
{
    int64_t total = cg_assign_total_partitions(in);
    for (int64_t g = 0; g < total; g++)
        out->owner[g] = -1;
    if (in->n_members == 0)
        return 0;
    uni_t u = {in, cg_assign_member_order(in, true), malloc(in->n_members * sizeof(int32_t)),
               out->owner, calloc(in->n_members, sizeof(int64_t))};
    int rc = -1;
    if (u.order != NULL && u.rank != NULL && u.count != NULL) {
        for (size_t r = 0; r < in->n_members; r++)
            u.rank[u.order[r]] = (int32_t)r;
        uni_claim(&u);
        rc = uni_homogeneous(in) ? uni_homogeneous_assign(&u) : uni_heterogeneous_assign(&u);
    }
    if (rc != 0)
        snprintf(err, errlen, "uniform: out of memory");
    free(u.order);
    free(u.rank);
    free(u.count);
    return rc;
}

const cg_assignor_ops_t cg_assignor_uniform = {"uniform", CG_PROTOCOL_CONSUMER, false,
                                               uniform_assign};
