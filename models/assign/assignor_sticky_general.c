/* models/assignor_sticky_general: the sticky target when subscriptions differ (Kafka's
 * GeneralAssignmentBuilder), rebuilt on flat arrays with the same goals and the same balance test.
 *
 * 1. Keep every validated owned partition (validation drops claims on unsubscribed topics).
 * 2. Topics in Kafka's order (fewest subscribers first, then name); each unowned partition goes
 *    to the subscriber with the fewest partitions (ties: smallest member id) - Kafka's greedy
 *    "first consumer of sortedCurrentSubscriptions subscribed to the topic", via a heap per topic.
 * 3. Balance: Kafka stops when isBalanced() holds: no member A holding a partition of topic t has
 *    count(A) > count(B) + 1 for a subscriber B of t. Here, passes over the topics (same order)
 *    move partitions of t from the fullest holder to the emptiest subscriber while that gap is 2
 *    or more, until a whole pass moves nothing. A holder gives away first what it did not own
 *    before (partitions from step 2 or from earlier moves), so owned partitions move only when
 *    balance needs it. Every move lowers the sum of squared counts, so the passes terminate.
 * 4. Chains: no sequence of moves narrows a gap of two either (assignor_sticky_paths.c), which
 *    Kafka does not check; this makes the balance independent of the order of steps 2-3.
 * Racks (KIP-881, when c->racks): step 1 drops owned partitions with no replica on the
 * owner's rack (Kafka: revocationRequired), and before step 2 a rack pass gives each unowned
 * partition, topics in the same order, to the least loaded subscriber that does not mismatch
 * it (on a replica rack, or rackless: Kafka's maybeAssign with rackInfo); step 2 places the
 * rest. Kafka's balance moves only prefer keeping a partition when no same-rack member is
 * lighter, and then still pick the least loaded member whatever its rack; the moves of step 3
 * here ignore racks likewise. The rack pass scans the subscribers per partition: O(P x M).
 * Differences from Kafka, on purpose: no HashMap-order effects (ties broken by member id), no
 * "prevAssignment" preference for the previous owner of an older generation, no revert-if-score-
 * not-better step (moves here only ever lower the score). Kafka's own tests check only validity,
 * balance and stickiness properties for this case, which this builder keeps.
 * Cost per pass: O(P + sum of subscriptions), plus O(log k) per move. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/assign/assignor_sticky.h"

typedef struct gen_state {
    const cg_sticky_ctx_t *c;         /* validated input */
    int32_t *owner;                   /* output being built */
    int32_t *count;                   /* [M] partitions assigned */
    int64_t *sub_start;               /* [T+1] CSR: subscribers of each topic, by member id */
    int32_t *sub_list;                /* [sum of subscriptions] member indexes */
    int32_t *topic_order;             /* [T] topics by (subscriber count, name) */
} gen_state_t;

/* An indexed binary heap over local indexes 0..k-1 (a topic's subscribers). */
typedef struct lheap {
    int32_t *slot;                    /* heap array of local indexes */
    int32_t *pos;                     /* [k] position in slot, -1 when absent */
    int32_t n;                        /* entries */
    bool max;                         /* true: max (count, rank) on top; false: min on top */
    const int32_t *members;           /* [k] local -> member index */
    const int32_t *count, *rank;      /* per member */
} lheap_t;

static bool lh_above(const lheap_t *h, int32_t a, int32_t b)
{
    int32_t ma = h->members[a], mb = h->members[b];
    int64_t ka = (int64_t)h->count[ma] * 2147483648LL + h->rank[ma];
    int64_t kb = (int64_t)h->count[mb] * 2147483648LL + h->rank[mb];
    return h->max ? ka > kb : ka < kb;
}

static void lh_swap(lheap_t *h, int32_t i, int32_t j)
{
    int32_t a = h->slot[i];
    h->slot[i] = h->slot[j];
    h->slot[j] = a;
    h->pos[h->slot[i]] = i;
    h->pos[h->slot[j]] = j;
}

static void lh_fix(lheap_t *h, int32_t i)
{
    while (i > 0 && lh_above(h, h->slot[i], h->slot[(i - 1) / 2])) {
        lh_swap(h, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    for (;;) {
        int32_t l = 2 * i + 1, r = l + 1, top = i;
        if (l < h->n && lh_above(h, h->slot[l], h->slot[top]))
            top = l;
        if (r < h->n && lh_above(h, h->slot[r], h->slot[top]))
            top = r;
        if (top == i)
            return;
        lh_swap(h, i, top);
        i = top;
    }
}

static void lh_push(lheap_t *h, int32_t local)
{
    h->slot[h->n] = local;
    h->pos[local] = h->n;
    h->n++;
    lh_fix(h, h->n - 1);
}

static void lh_remove(lheap_t *h, int32_t local)
{
    int32_t i = h->pos[local];
    h->n--;
    if (i != h->n) {
        lh_swap(h, i, h->n);
        lh_fix(h, i);
    }
    h->pos[local] = -1;
}

static int cmp_topic_order(const void *a, const void *b, const int64_t *sub_start)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    int64_t nx = sub_start[x + 1] - sub_start[x], ny = sub_start[y + 1] - sub_start[y];
    if (nx != ny)
        return nx < ny ? -1 : 1;
    return (x > y) - (x < y);                     /* topic index order = name order */
}

/* Insertion sort would be quadratic at 10,000 topics: merge sort with the comparator above. */
static void sort_topics(int32_t *a, int32_t *tmp, size_t n, const int64_t *sub_start)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_topics(a, tmp, h, sub_start);
    sort_topics(a + h, tmp, n - h, sub_start);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp_topic_order(&a[j], &a[i], sub_start) < 0 ? a[j++] : a[i++];
    while (i < h)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

static int build_subscribers(gen_state_t *s)
{
    const cg_sticky_ctx_t *c = s->c;
    const cg_assign_input_t *in = c->in;
    size_t nt = in->n_topics;
    s->sub_start = calloc(nt + 2, sizeof *s->sub_start);
    s->topic_order = malloc((nt + 1) * sizeof *s->topic_order);
    int32_t *tmp = malloc((nt + 1) * sizeof *tmp);
    int64_t total = 0;
    for (int32_t m = 0; m < c->n_members; m++)
        total += (int64_t)in->members[m].n_topics;
    s->sub_list = malloc(((size_t)total + 1) * sizeof *s->sub_list);
    int64_t *fill = malloc((nt + 1) * sizeof *fill);
    if (!s->sub_start || !s->topic_order || !tmp || !s->sub_list || !fill) {
        free(tmp);
        free(fill);
        return -1;
    }
    for (int32_t m = 0; m < c->n_members; m++)
        for (size_t i = 0; i < in->members[m].n_topics; i++)
            s->sub_start[in->members[m].topics[i] + 1]++;
    for (size_t t = 0; t < nt; t++)
        s->sub_start[t + 1] += s->sub_start[t];
    memcpy(fill, s->sub_start, nt * sizeof *fill);
    for (int32_t r = 0; r < c->n_members; r++) {
        const cg_assign_member_t *mm = &in->members[c->by_rank[r]];
        for (size_t i = 0; i < mm->n_topics; i++)
            s->sub_list[fill[mm->topics[i]]++] = c->by_rank[r];
    }
    for (size_t t = 0; t < nt; t++)
        s->topic_order[t] = (int32_t)t;
    sort_topics(s->topic_order, tmp, nt, s->sub_start);
    free(tmp);
    free(fill);
    return 0;
}

/* Step 2: unowned partitions of topic t to the least loaded subscriber, one heap per topic. */
static void assign_unowned(gen_state_t *s, int32_t t, lheap_t *h)
{
    const cg_assign_input_t *in = s->c->in;
    int64_t k = s->sub_start[t + 1] - s->sub_start[t];
    if (k == 0)
        return;
    h->members = s->sub_list + s->sub_start[t];
    h->n = 0;
    h->max = false;
    bool any = false;
    for (int64_t g = in->topic_base[t]; g < in->topic_base[t + 1] && !any; g++)
        any = s->owner[g] < 0;
    if (!any)
        return;
    for (int32_t i = 0; i < (int32_t)k; i++)
        lh_push(h, i);
    for (int64_t g = in->topic_base[t]; g < in->topic_base[t + 1]; g++) {
        if (s->owner[g] >= 0)
            continue;
        int32_t m = h->members[h->slot[0]];
        s->owner[g] = m;
        s->count[m]++;
        lh_fix(h, 0);
    }
    for (int32_t i = 0; i < (int32_t)k; i++)
        h->pos[i] = -1;
}

typedef struct bal_scratch {
    int32_t *local;                   /* [M] member -> local index in the topic, -1 otherwise */
    int32_t *head;                    /* [k] first partition (local index) held by the local */
    int32_t *next;                    /* [n_t] next partition in the same holder's list */
    int32_t *min_slot, *min_pos;      /* min-heap storage over locals */
    int32_t *max_slot, *max_pos;      /* max-heap storage over holders */
} bal_scratch_t;

/* Quick test: can any partition of t move to a subscriber with 2 fewer partitions? */
static bool topic_unbalanced(const gen_state_t *s, int32_t t)
{
    const cg_assign_input_t *in = s->c->in;
    int32_t minc = INT32_MAX, maxc = -1;
    for (int64_t i = s->sub_start[t]; i < s->sub_start[t + 1]; i++)
        if (s->count[s->sub_list[i]] < minc)
            minc = s->count[s->sub_list[i]];
    for (int64_t g = in->topic_base[t]; g < in->topic_base[t + 1]; g++)
        if (s->owner[g] >= 0 && s->count[s->owner[g]] > maxc)
            maxc = s->count[s->owner[g]];
    return maxc >= 0 && (int64_t)maxc >= (int64_t)minc + 2;
}

/* Holder lists: what a holder owned before goes in first, so it is given away last. */
static void build_holder_lists(const gen_state_t *s, int32_t t, bal_scratch_t *b, int32_t k)
{
    const cg_assign_input_t *in = s->c->in;
    int64_t base = in->topic_base[t];
    for (int32_t i = 0; i < k; i++)
        b->head[i] = -1;
    for (int pass = 0; pass < 2; pass++)
        for (int64_t g = base; g < in->topic_base[t + 1]; g++) {
            bool was_owned = s->c->valid_owner[g] == s->owner[g];
            if (s->owner[g] < 0 || was_owned != (pass == 0))
                continue;
            int32_t l = b->local[s->owner[g]], pl = (int32_t)(g - base);
            b->next[pl] = b->head[l];
            b->head[l] = pl;
        }
}

/* Move partitions of t from the fullest holder to the emptiest subscriber. Returns the moves. */
static int64_t balance_topic(gen_state_t *s, int32_t t, bal_scratch_t *b)
{
    const cg_sticky_ctx_t *c = s->c;
    const int32_t *members = s->sub_list + s->sub_start[t];
    int32_t k = (int32_t)(s->sub_start[t + 1] - s->sub_start[t]);
    lheap_t mn = {b->min_slot, b->min_pos, 0, false, members, s->count, c->rank};
    lheap_t mx = {b->max_slot, b->max_pos, 0, true, members, s->count, c->rank};
    for (int32_t i = 0; i < k; i++)
        b->local[members[i]] = i;
    build_holder_lists(s, t, b, k);
    for (int32_t i = 0; i < k; i++) {
        lh_push(&mn, i);
        if (b->head[i] >= 0)
            lh_push(&mx, i);
    }
    int64_t moves = 0;
    while (mx.n > 0) {
        int32_t d = mx.slot[0], r = mn.slot[0];
        int32_t md = members[d], mr = members[r];
        if ((int64_t)s->count[md] < (int64_t)s->count[mr] + 2)
            break;
        int32_t pl = b->head[d];
        b->head[d] = b->next[pl];
        b->next[pl] = b->head[r];
        b->head[r] = pl;
        s->owner[c->in->topic_base[t] + pl] = mr;
        s->count[md]--;
        s->count[mr]++;
        moves++;
        if (b->head[d] < 0)
            lh_remove(&mx, d);
        else
            lh_fix(&mx, mx.pos[d]);
        lh_fix(&mn, mn.pos[d]);
        lh_fix(&mn, mn.pos[r]);
        if (mx.pos[r] < 0)
            lh_push(&mx, r);
        else
            lh_fix(&mx, mx.pos[r]);
    }
    for (int32_t i = 0; i < k; i++) {
        b->local[members[i]] = -1;
        b->min_pos[i] = b->max_pos[i] = -1;
    }
    return moves;
}

static int balance_all(gen_state_t *s, bal_scratch_t *b)
{
    const cg_assign_input_t *in = s->c->in;
    int64_t moved;
    do {
        moved = 0;
        for (size_t i = 0; i < in->n_topics; i++) {
            int32_t t = s->topic_order[i];
            if (s->sub_start[t + 1] - s->sub_start[t] >= 2 && topic_unbalanced(s, t))
                moved += balance_topic(s, t, b);
        }
    } while (moved > 0);
    return 0;
}

static int scratch_alloc(const gen_state_t *s, bal_scratch_t *b)
{
    const cg_assign_input_t *in = s->c->in;
    int64_t max_k = 1, max_n = 1;
    for (size_t t = 0; t < in->n_topics; t++) {
        if (s->sub_start[t + 1] - s->sub_start[t] > max_k)
            max_k = s->sub_start[t + 1] - s->sub_start[t];
        if (in->topics[t].partitions > max_n)
            max_n = in->topics[t].partitions;
    }
    size_t nk = (size_t)max_k + 1;
    b->local = malloc(((size_t)s->c->n_members + 1) * sizeof *b->local);
    b->head = malloc(nk * sizeof *b->head);
    b->next = malloc(((size_t)max_n + 1) * sizeof *b->next);
    b->min_slot = malloc(nk * sizeof *b->min_slot);
    b->max_slot = malloc(nk * sizeof *b->max_slot);
    b->min_pos = malloc(nk * sizeof *b->min_pos);
    b->max_pos = malloc(nk * sizeof *b->max_pos);
    if (!b->local || !b->head || !b->next || !b->min_slot || !b->max_slot || !b->min_pos ||
        !b->max_pos)
        return -1;
    for (int32_t m = 0; m < s->c->n_members; m++)
        b->local[m] = -1;
    for (size_t i = 0; i < nk; i++)
        b->min_pos[i] = b->max_pos[i] = -1;
    return 0;
}

static void scratch_free(bal_scratch_t *b)
{
    free(b->local);
    free(b->head);
    free(b->next);
    free(b->min_slot);
    free(b->max_slot);
    free(b->min_pos);
    free(b->max_pos);
}

/* The rack pass of topic t (see the file comment). */
static void rack_assign_topic(gen_state_t *s, int32_t t)
{
    const cg_sticky_ctx_t *c = s->c;
    for (int64_t g = c->in->topic_base[t]; g < c->in->topic_base[t + 1]; g++) {
        if (s->owner[g] >= 0)
            continue;
        int32_t best = -1;
        for (int64_t i = s->sub_start[t]; i < s->sub_start[t + 1]; i++) {
            int32_t m = s->sub_list[i];
            if (cg_rack_mismatch(&c->rv, m, g))
                continue;
            if (best < 0 || s->count[m] < s->count[best] ||
                (s->count[m] == s->count[best] && c->rank[m] < c->rank[best]))
                best = m;
        }
        if (best >= 0) {
            s->owner[g] = best;
            s->count[best]++;
        }
    }
}

int cg_sticky_general(const cg_sticky_ctx_t *c, int32_t *owner, char *err, size_t errlen)
{
    gen_state_t s = {c, owner, calloc((size_t)c->n_members + 1, sizeof(int32_t)), NULL, NULL,
                     NULL};
    bal_scratch_t b = {0};
    int rc = -1;
    if (s.count && build_subscribers(&s) == 0 && scratch_alloc(&s, &b) == 0) {
        for (int64_t g = 0; g < c->n_parts; g++) {
            owner[g] = c->valid_owner[g];
            if (owner[g] >= 0 && c->racks && cg_rack_mismatch(&c->rv, owner[g], g))
                owner[g] = -1;
            if (owner[g] >= 0)
                s.count[owner[g]]++;
        }
        for (size_t i = 0; c->racks && i < c->in->n_topics; i++)
            rack_assign_topic(&s, s.topic_order[i]);
        lheap_t h = {b.min_slot, b.min_pos, 0, false, NULL, s.count, c->rank};
        for (size_t i = 0; i < c->in->n_topics; i++)
            assign_unowned(&s, s.topic_order[i], &h);
        rc = balance_all(&s, &b);
    } else {
        snprintf(err, errlen, "sticky: out of memory (%lld partitions)", (long long)c->n_parts);
    }
    scratch_free(&b);
    free(s.count);
    free(s.sub_start);
    free(s.sub_list);
    free(s.topic_order);
    return rc;
}
