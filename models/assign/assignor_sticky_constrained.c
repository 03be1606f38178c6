/* models/assignor_sticky_constrained: Kafka's ConstrainedAssignmentBuilder, used when every
 * member has the same subscription. With P partitions and M members: minQuota = P / M,
 * maxQuota = ceil(P / M), expectedOver = P % M members may end with maxQuota.
 *
 * 1. Members in Java HashMap iteration order keep their owned partitions sorted by (partition,
 *    topic): all of them when fewer than minQuota (member is "under"), the first maxQuota while
 *    fewer than expectedOver members got maxQuota, else the first minQuota (member is "exactly
 *    min" while more maxQuota slots remain). The list of exactly-min members is emptied when the
 *    last maxQuota slot is taken.
 * 2. Both lists are sorted by member id; the unassigned partitions, in (topic, partition) order,
 *    go round-robin to the under members; one reaching minQuota moves to the end of the
 *    exactly-min queue; when no under member remains, the head of that queue takes one.
 *
 * Racks (KIP-881, when c->racks): step 1 keeps only owned partitions with a replica on the
 * owner's rack (a rackless member keeps all). Before step 2 the unassigned partitions are
 * stably sorted by how many members sit on their replica racks, fewest first
 * (sortPartitionsByRackConsumers), and a rack pass (assignRackAwareRoundRobin) gives each to
 * the next under member, from where the last one stopped, whose rack holds a replica (a member
 * reaching minQuota leaves the under list, and joins the exactly-min queue while maxQuota slots
 * remain), else to the first exactly-min member on a replica rack (which then has maxQuota and
 * leaves the queue). Rackless members never take a partition in that pass. Step 2 then runs
 * over what is left, in the sorted order, with the lists as the rack pass left them.
 *
 * The order of step 1 only matters when more members own maxQuota or more than there are
 * maxQuota slots; Kafka then favours the members iterated first by HashMap<String,...>, which is
 * emulated here (String.hashCode over UTF-16, spread h ^ h >>> 16, bucket h & (cap - 1), default
 * capacity 16 doubled when size exceeds 3/4 of it or when a bin reaches 8 entries below capacity
 * 64; within a bin, insertion = input order). Not emulated: bins of 9+ entries at capacity >= 64
 * become trees whose order differs; a member-id collision that large needs crafted ids.
 * Cost: O(P + M + max partitions per topic) time, no per-partition allocation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/assign/assignor_sticky.h"

int32_t cg_sticky_java_hash(const char *s)
{
    uint32_t h = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp, len = 1;
        if (p[0] < 0x80) {
            cp = p[0];
        } else if ((p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
            cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
            len = 2;
        } else if ((p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
            cp = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
            len = 3;
        } else if ((p[0] & 0xF8) == 0xF0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
                   (p[3] & 0xC0) == 0x80) {
            cp = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
                 ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
            len = 4;
        } else {
            cp = 0xFFFD;                          /* Java decodes a bad byte to U+FFFD */
        }
        if (cp >= 0x10000) {                      /* surrogate pair: two UTF-16 units */
            h = 31u * h + (0xD800u + ((cp - 0x10000u) >> 10));
            h = 31u * h + (0xDC00u + ((cp - 0x10000u) & 0x3FFu));
        } else {
            h = 31u * h + cp;
        }
        p += len;
    }
    return (int32_t)h;
}

/* Final table capacity of a default HashMap after inserting the hashes in order. */
static uint32_t java_map_capacity(const uint32_t *spread, size_t n, uint32_t *bin, size_t bin_max)
{
    uint32_t cap = 16;
    memset(bin, 0, cap * sizeof *bin);
    for (size_t i = 0; i < n; i++) {
        uint32_t before = bin[spread[i] & (cap - 1)]++;
        int grow = (before >= 8 && cap < 64) + ((i + 1) > (size_t)cap / 4 * 3);
        while (grow-- > 0 && (size_t)cap * 2 <= bin_max) {
            cap *= 2;                             /* resize: recount the bins */
            memset(bin, 0, cap * sizeof *bin);
            for (size_t j = 0; j <= i; j++)
                bin[spread[j] & (cap - 1)]++;
        }
    }
    return cap;
}

int cg_sticky_java_map_order(const cg_assign_input_t *in, int32_t *order)
{
    size_t n = in->n_members, bin_max = 64;
    while (bin_max < 4 * n + 64)
        bin_max *= 2;
    uint32_t *spread = malloc((n + 1) * sizeof *spread);
    uint32_t *bin = malloc((bin_max + 1) * sizeof *bin);
    if (!spread || !bin) {
        free(spread);
        free(bin);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t h = (uint32_t)cg_sticky_java_hash(in->members[i].id);
        spread[i] = h ^ (h >> 16);
    }
    uint32_t cap = java_map_capacity(spread, n, bin, bin_max);
    memset(bin, 0, ((size_t)cap + 1) * sizeof *bin);   /* counting sort by bucket, stable */
    for (size_t i = 0; i < n; i++)
        bin[(spread[i] & (cap - 1)) + 1]++;
    for (uint32_t b = 0; b < cap; b++)
        bin[b + 1] += bin[b];
    for (size_t i = 0; i < n; i++)
        order[bin[spread[i] & (cap - 1)]++] = (int32_t)i;
    free(spread);
    free(bin);
    return 0;
}

typedef struct cons_state {
    const cg_sticky_ctx_t *c;         /* validated input */
    int32_t *owner;                   /* output being built */
    int32_t *count;                   /* [M] partitions assigned so far */
    int64_t *own_start;               /* [M+1] CSR of valid owned, sorted (partition, topic) */
    int64_t *own_list;                /* [owned total] global partition indexes */
    uint8_t *list;                    /* [M] 1 = under minQuota, 2 = exactly min, 0 = neither */
    int64_t min_quota, max_quota;     /* partitions per member, floor and ceiling */
    int64_t expected_over;            /* members that end with max_quota */
    int64_t current_over;             /* members that have max_quota so far */
} cons_state_t;

/* A validated owned partition the owner may keep: with racks, only on its rack. */
static bool kept(const cg_sticky_ctx_t *c, int64_t g)
{
    int32_t m = c->valid_owner[g];
    return m >= 0 && !(c->racks && cg_rack_mismatch(&c->rv, m, g));
}

/* Owned partitions per member, sorted by (partition, topic): counting sort by partition number
 * over the (topic, partition)-ordered partitions is stable, then a stable scatter by member. */
static int build_owned_lists(cons_state_t *s)
{
    const cg_sticky_ctx_t *c = s->c;
    const cg_assign_input_t *in = c->in;
    int32_t max_p = 0;
    for (size_t t = 0; t < in->n_topics; t++)
        if (in->topics[t].partitions > max_p)
            max_p = in->topics[t].partitions;
    int64_t *by_p = calloc((size_t)max_p + 2, sizeof *by_p);
    int64_t *tmp = malloc(((size_t)c->n_parts + 1) * sizeof *tmp);
    s->own_start = calloc((size_t)c->n_members + 2, sizeof *s->own_start);
    s->own_list = malloc(((size_t)c->n_parts + 1) * sizeof *s->own_list);
    if (!by_p || !tmp || !s->own_start || !s->own_list) {
        free(by_p);
        free(tmp);
        return -1;
    }
    int64_t n = 0;
    for (size_t t = 0; t < in->n_topics; t++)
        for (int32_t p = 0; p < in->topics[t].partitions; p++)
            if (kept(c, in->topic_base[t] + p)) {
                by_p[p + 1]++;
                s->own_start[c->valid_owner[in->topic_base[t] + p] + 1]++;
                n++;
            }
    for (int32_t p = 0; p < max_p; p++)
        by_p[p + 1] += by_p[p];
    for (size_t t = 0; t < in->n_topics; t++)
        for (int32_t p = 0; p < in->topics[t].partitions; p++)
            if (kept(c, in->topic_base[t] + p))
                tmp[by_p[p]++] = in->topic_base[t] + p;
    for (int32_t m = 0; m < c->n_members; m++)
        s->own_start[m + 1] += s->own_start[m];
    free(by_p);
    int64_t *fill = malloc(((size_t)c->n_members + 1) * sizeof *fill);   /* cursor per member */
    if (!fill) {
        free(tmp);
        return -1;
    }
    memcpy(fill, s->own_start, (size_t)c->n_members * sizeof *fill);
    for (int64_t i = 0; i < n; i++)
        s->own_list[fill[c->valid_owner[tmp[i]]]++] = tmp[i];
    free(fill);
    free(tmp);
    return 0;
}

static void keep_first(cons_state_t *s, int32_t m, int64_t k)
{
    for (int64_t i = 0; i < k; i++)
        s->owner[s->own_list[s->own_start[m] + i]] = m;
    s->count[m] = (int32_t)k;
}

/* Step 1: keep owned partitions up to the quota, in Java HashMap member order. */
static void assign_owned(cons_state_t *s, const int32_t *order)
{
    int32_t nm = s->c->n_members;
    for (int32_t i = 0; i < nm; i++) {
        int32_t m = order[i];
        int64_t owned = s->own_start[m + 1] - s->own_start[m];
        if (owned < s->min_quota) {
            keep_first(s, m, owned);
            s->list[m] = 1;
        } else if (owned >= s->max_quota && s->current_over < s->expected_over) {
            keep_first(s, m, s->max_quota);
            if (++s->current_over == s->expected_over)
                for (int32_t j = 0; j < nm; j++)  /* at most once: the last max slot */
                    if (s->list[j] == 2)
                        s->list[j] = 0;
        } else {
            keep_first(s, m, s->min_quota);
            if (s->current_over < s->expected_over)
                s->list[m] = 2;
        }
    }
}

/* Next member for an unassigned partition: continue the iterator over under[] (restarting it
 * while members remain), else the head of the exactly-min queue; -1 when none is left. */
typedef struct rr_iter {
    int32_t *under, *emin;            /* member lists (sorted by id at start) */
    int32_t n_under, rd, wr;          /* live length, read and compacting write cursors */
    int32_t n_emin, emin_head;        /* queue length and head */
} rr_iter_t;

static int32_t rr_next(rr_iter_t *it, bool *from_under)
{
    if (it->rd == it->n_under && it->wr > 0) {    /* iterator exhausted: restart it */
        it->n_under = it->wr;
        it->rd = it->wr = 0;
    }
    *from_under = it->rd < it->n_under;
    if (*from_under)
        return it->under[it->rd++];
    return it->emin_head < it->n_emin ? it->emin[it->emin_head++] : -1;
}

/* The under and exactly-min lists, sorted by member id, from step 1's flags. */
static void init_lists(const cons_state_t *s, rr_iter_t *it)
{
    const cg_sticky_ctx_t *c = s->c;
    for (int32_t r = 0; r < c->n_members; r++) {
        int32_t m = c->by_rank[r];
        if (s->list[m] == 1)
            it->under[it->n_under++] = m;
        else if (s->list[m] == 2)
            it->emin[it->n_emin++] = m;
    }
}

/* Step 2 for one partition g (unowned): the next member of the iterator. -1 when none. */
static int rr_one(cons_state_t *s, rr_iter_t *it, int64_t g)
{
    bool from_under;
    int32_t m = rr_next(it, &from_under);
    if (m < 0)
        return -1;                                /* quotas add up to P: a bug if reached */
    s->owner[g] = m;
    int64_t cnt = ++s->count[m];
    if (from_under && cnt == s->min_quota)
        it->emin[it->n_emin++] = m;               /* leaves under[], joins the queue's end */
    else if (from_under)
        it->under[it->wr++] = m;
    else if (cnt == s->max_quota)
        s->current_over++;
    return 0;
}

/* Step 2: round-robin of the unassigned partitions (see the file comment): those of `list`
 * still unowned, in its order, or with list NULL every unowned one in (topic, partition) order. */
static int assign_round_robin(cons_state_t *s, rr_iter_t *it, const int64_t *list, int64_t n)
{
    const cg_sticky_ctx_t *c = s->c;
    for (int64_t i = 0; list && i < n; i++)
        if (s->owner[list[i]] < 0 && rr_one(s, it, list[i]) != 0)
            return -1;
    for (size_t t = 0; !list && t < c->in->n_topics; t++) {
        if (!c->topic_used[t])
            continue;
        for (int64_t g = c->in->topic_base[t]; g < c->in->topic_base[t + 1]; g++)
            if (s->owner[g] < 0 && rr_one(s, it, g) != 0)
                return -1;
    }
    return 0;
}

typedef struct rack_key {
    int64_t key;                      /* members on the partition's replica racks */
    int64_t g;                        /* global partition: (topic, partition) order */
} rack_key_t;

static int rack_key_cmp(const void *a, const void *b)
{
    const rack_key_t *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->g > y->g) - (x->g < y->g);
}

/* The unowned partitions sorted by members on their replica racks, fewest first, then in
 * (topic, partition) order (Kafka's stable sort). malloc'd, *n set; NULL when out of memory. */
static int64_t *rack_sorted_unassigned(const cons_state_t *s, int64_t *n)
{
    const cg_sticky_ctx_t *c = s->c;
    int64_t on_rack[CG_MAX_RACKS] = {0}, k = 0;
    for (int32_t m = 0; m < c->n_members; m++)
        if (c->rv.member_rack[m] >= 0)
            on_rack[c->rv.member_rack[m]]++;
    rack_key_t *keys = malloc(((size_t)c->n_parts + 1) * sizeof *keys);
    int64_t *list = malloc(((size_t)c->n_parts + 1) * sizeof *list);
    if (!keys || !list) {
        free(keys);
        free(list);
        return NULL;
    }
    for (size_t t = 0; t < c->in->n_topics; t++)
        for (int64_t g = c->in->topic_base[t]; c->topic_used[t] && g < c->in->topic_base[t + 1];
             g++) {
            if (s->owner[g] >= 0)
                continue;
            int64_t sum = 0;
            for (uint64_t r = cg_rack_of(c->in, g); r; r &= r - 1)
                sum += on_rack[__builtin_ctzll(r)];
            keys[k++] = (rack_key_t){sum, g};
        }
    qsort(keys, (size_t)k, sizeof *keys, rack_key_cmp);
    for (int64_t i = 0; i < k; i++)
        list[i] = keys[i].g;
    free(keys);
    *n = k;
    return list;
}

/* nextRackConsumer: index in v[0..n) of the first member from `first` on (wrapping) whose rack
 * holds a replica of g; -1 when none (or g has no racks). */
static int32_t next_rack_member(const cons_state_t *s, int64_t g, const int32_t *v, int32_t n,
                                int32_t first)
{
    if (cg_rack_of(s->c->in, g) == 0)
        return -1;
    for (int32_t i = 0; i < n; i++) {
        int32_t idx = (first + i) % n;
        if (cg_rack_on(&s->c->rv, v[idx], g))
            return idx;
    }
    return -1;
}

static void list_remove(int32_t *v, int32_t *n, int32_t idx)
{
    memmove(&v[idx], &v[idx + 1], (size_t)(*n - idx - 1) * sizeof *v);
    (*n)--;
}

/* assignRackAwareRoundRobin (see the file comment); Kafka's O(P x M) worst case. */
static void rack_round_robin(cons_state_t *s, rr_iter_t *it, const int64_t *list, int64_t n)
{
    int32_t next = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t g = list[i];
        int32_t m = -1, idx = next_rack_member(s, g, it->under, it->n_under, next);
        if (idx >= 0) {
            m = it->under[idx];
            int64_t cnt = s->count[m] + 1;
            if (cnt >= s->min_quota) {
                list_remove(it->under, &it->n_under, idx);
                if (cnt < s->max_quota && s->current_over < s->expected_over)
                    it->emin[it->n_emin++] = m;
            } else {
                idx++;
            }
            next = it->n_under == 0 ? 0 : idx % it->n_under;
        } else if (it->emin_head < it->n_emin) {
            int32_t live = it->n_emin - it->emin_head;
            int32_t k = next_rack_member(s, g, it->emin + it->emin_head, live, 0);
            if (k >= 0) {
                m = it->emin[it->emin_head + k];
                if (s->count[m] + 1 == s->max_quota) {
                    list_remove(it->emin + it->emin_head, &live, k);
                    it->n_emin = it->emin_head + live;
                    if (++s->current_over == s->expected_over)
                        it->emin_head = it->n_emin;   /* every exactly-min member is full */
                }
            }
        }
        if (m >= 0) {
            s->owner[g] = m;
            s->count[m]++;
        }
    }
}

/* Steps 2 and, with racks, the rack pass before it. 0, -1 (a bug), -2 (out of memory). */
static int assign_unowned(cons_state_t *s, int32_t *under, int32_t *emin)
{
    rr_iter_t it = {under, emin, 0, 0, 0, 0, 0};
    init_lists(s, &it);
    if (!s->c->racks)
        return assign_round_robin(s, &it, NULL, 0);
    int64_t n = 0, *list = rack_sorted_unassigned(s, &n);
    if (!list)
        return -2;
    rack_round_robin(s, &it, list, n);
    int rc = assign_round_robin(s, &it, list, n);
    free(list);
    return rc;
}

int cg_sticky_constrained(const cg_sticky_ctx_t *c, int32_t *owner, char *err, size_t errlen)
{
    size_t nm = (size_t)c->n_members;
    int64_t total = 0;
    for (size_t t = 0; t < c->in->n_topics; t++)
        if (c->topic_used[t])
            total += c->in->topics[t].partitions;
    cons_state_t s = {c, owner, calloc(nm + 1, sizeof(int32_t)), NULL, NULL, calloc(nm + 1, 1),
                      total / (int64_t)nm, (total + (int64_t)nm - 1) / (int64_t)nm,
                      total % (int64_t)nm, 0};
    int32_t *order = malloc((nm + 1) * sizeof *order);
    int32_t *under = malloc((nm + 1) * sizeof *under);
    int32_t *emin = malloc((nm + 1) * sizeof *emin);
    int rc = -1;
    if (s.count && s.list && order && under && emin && build_owned_lists(&s) == 0 &&
        cg_sticky_java_map_order(c->in, order) == 0) {
        assign_owned(&s, order);
        rc = assign_unowned(&s, under, emin);
        if (rc == -1)
            snprintf(err, errlen, "sticky: internal error, partitions left after all quotas");
        else if (rc != 0)
            snprintf(err, errlen, "sticky: out of memory (%lld partitions)", (long long)total);
    } else {
        snprintf(err, errlen, "sticky: out of memory (%lld partitions)", (long long)total);
    }
    free(s.count);
    free(s.list);
    free(s.own_start);
    free(s.own_list);
    free(order);
    free(under);
    free(emin);
    return rc == 0 ? 0 : -1;
}
