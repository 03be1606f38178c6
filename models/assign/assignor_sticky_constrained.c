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
            if (c->valid_owner[in->topic_base[t] + p] >= 0) {
                by_p[p + 1]++;
                s->own_start[c->valid_owner[in->topic_base[t] + p] + 1]++;
                n++;
            }
    for (int32_t p = 0; p < max_p; p++)
        by_p[p + 1] += by_p[p];
    for (size_t t = 0; t < in->n_topics; t++)
        for (int32_t p = 0; p < in->topics[t].partitions; p++)
            if (c->valid_owner[in->topic_base[t] + p] >= 0)
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

/* Step 2: round-robin of the unassigned partitions (see the file comment). */
static int assign_round_robin(cons_state_t *s, int32_t *under, int32_t *emin)
{
    const cg_sticky_ctx_t *c = s->c;
    rr_iter_t it = {under, emin, 0, 0, 0, 0, 0};
    for (int32_t r = 0; r < c->n_members; r++) {
        int32_t m = c->by_rank[r];
        if (s->list[m] == 1)
            under[it.n_under++] = m;
        else if (s->list[m] == 2)
            emin[it.n_emin++] = m;
    }
    for (size_t t = 0; t < c->in->n_topics; t++) {
        if (!c->topic_used[t])
            continue;
        for (int64_t g = c->in->topic_base[t]; g < c->in->topic_base[t + 1]; g++) {
            if (s->owner[g] >= 0)
                continue;
            bool from_under;
            int32_t m = rr_next(&it, &from_under);
            if (m < 0)
                return -1;                        /* quotas add up to P: a bug if reached */
            s->owner[g] = m;
            int64_t cnt = ++s->count[m];
            if (from_under && cnt == s->min_quota)
                emin[it.n_emin++] = m;            /* leaves under[], joins the queue's end */
            else if (from_under)
                under[it.wr++] = m;
            else if (cnt == s->max_quota)
                s->current_over++;
        }
    }
    return 0;
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
        rc = assign_round_robin(&s, under, emin);
        if (rc != 0)
            snprintf(err, errlen, "sticky: internal error, partitions left after all quotas");
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
    return rc;
}
