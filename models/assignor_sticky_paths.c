/* models/assignor_sticky_paths: the last balancing step of the general sticky builder.
 *
 * Kafka stops when no single partition move narrows a gap of two or more (isBalanced()). That
 * can leave a chain improvement: A (7) holds t2 which only B (6) may take, B holds t1 which C (5)
 * may take; moving one partition along A -> B -> C gives 6, 6, 6. Such chains also make the
 * result depend on the order partitions were handed out, so a cooperative group converging over
 * two rebalances could end with a different balance than the eager assignor. This step removes
 * every chain improvement: breadth-first search from the members with the most partitions, over
 * "X holds a partition of a topic Y subscribes to", to a member with two fewer; shift one
 * partition along each hop (preferring partitions the giver did not own before); repeat until a
 * full sweep over all levels finds no chain. The result minimises the sum of squared counts (for
 * these exchange structures no improving chain = optimal), so the count multiset is unique.
 * Each search costs O(M + sum of subscriptions); each improvement lowers the squared sum. */
#include <stdlib.h>
#include <string.h>
#include "models/assignor_sticky.h"

typedef struct path_state {
    const cg_sticky_ctx_t *c;         /* validated input */
    int32_t *owner, *count;           /* assignment being balanced, counts per member */
    const int64_t *sub_start;         /* [T+1] subscribers of each topic (CSR) */
    const int32_t *sub_list;          /* subscriber member indexes */
    int64_t *mt_start;                /* [M+1] CSR over each member's subscribed topics */
    int64_t *hold;                    /* [sum subs] partitions of that topic the member holds */
    int32_t *seen_m, *seen_t;         /* search stamps per member / topic */
    int32_t *parent_m, *parent_t;     /* [M] member and topic the search came from */
    int32_t *queue;                   /* [M] search queue */
    int32_t stamp;                    /* current search */
} path_state_t;

/* Slot of (member m, topic t) in mt_start/hold, or -1 when m does not subscribe to t. */
static int64_t slot_of(const path_state_t *s, int32_t m, int32_t t)
{
    const cg_assign_member_t *mm = &s->c->in->members[m];
    size_t lo = 0, hi = mm->n_topics;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (mm->topics[mid] == t)
            return s->mt_start[m] + (int64_t)mid;
        if (mm->topics[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Search from every member with at least `level` partitions; returns a member with at most
 * level - 2 partitions reached through holdings, or -1. */
static int32_t search(path_state_t *s, int32_t level)
{
    const cg_assign_input_t *in = s->c->in;
    int32_t head = 0, tail = 0;
    s->stamp++;
    for (int32_t r = 0; r < s->c->n_members; r++) {
        int32_t m = s->c->by_rank[r];
        if (s->count[m] >= level) {
            s->seen_m[m] = s->stamp;
            s->parent_m[m] = -1;
            s->queue[tail++] = m;
        }
    }
    while (head < tail) {
        int32_t u = s->queue[head++];
        const cg_assign_member_t *mu = &in->members[u];
        for (size_t k = 0; k < mu->n_topics; k++) {
            int32_t t = mu->topics[k];
            if (s->hold[s->mt_start[u] + (int64_t)k] == 0 || s->seen_t[t] == s->stamp)
                continue;
            s->seen_t[t] = s->stamp;
            for (int64_t i = s->sub_start[t]; i < s->sub_start[t + 1]; i++) {
                int32_t w = s->sub_list[i];
                if (s->seen_m[w] == s->stamp)
                    continue;
                s->seen_m[w] = s->stamp;
                s->parent_m[w] = u;
                s->parent_t[w] = t;
                if ((int64_t)s->count[w] + 2 <= level)
                    return w;
                s->queue[tail++] = w;
            }
        }
    }
    return -1;
}

/* Move one partition of topic t from a to b, preferring one a did not own before. */
static void shift(path_state_t *s, int32_t a, int32_t b, int32_t t)
{
    const cg_assign_input_t *in = s->c->in;
    int64_t pick = -1;
    for (int64_t g = in->topic_base[t]; g < in->topic_base[t + 1]; g++)
        if (s->owner[g] == a) {
            pick = g;
            if (s->c->valid_owner[g] != a)
                break;
        }
    s->owner[pick] = b;
    s->hold[slot_of(s, a, t)]--;
    s->hold[slot_of(s, b, t)]++;
}

static void augment(path_state_t *s, int32_t v)
{
    int32_t w = v;
    while (s->parent_m[w] >= 0) {
        int32_t u = s->parent_m[w];
        shift(s, u, w, s->parent_t[w]);
        w = u;
    }
    s->count[w]--;                                /* w: the source, v: the sink */
    s->count[v]++;
}

static int64_t sweep(path_state_t *s)
{
    int32_t mn = INT32_MAX, mx = 0;
    for (int32_t m = 0; m < s->c->n_members; m++) {
        mn = s->count[m] < mn ? s->count[m] : mn;
        mx = s->count[m] > mx ? s->count[m] : mx;
    }
    int64_t done = 0;
    for (int64_t level = mx; level >= (int64_t)mn + 2; level--) {
        int32_t v;
        while ((v = search(s, (int32_t)level)) >= 0) {
            augment(s, v);
            done++;
        }
    }
    return done;
}

static int paths_alloc(path_state_t *s)
{
    const cg_assign_input_t *in = s->c->in;
    size_t nm = (size_t)s->c->n_members;
    s->mt_start = calloc(nm + 1, sizeof *s->mt_start);
    s->seen_m = calloc(nm + 1, sizeof *s->seen_m);
    s->seen_t = calloc(in->n_topics + 1, sizeof *s->seen_t);
    s->parent_m = malloc((nm + 1) * sizeof *s->parent_m);
    s->parent_t = malloc((nm + 1) * sizeof *s->parent_t);
    s->queue = malloc((nm + 1) * sizeof *s->queue);
    if (!s->mt_start || !s->seen_m || !s->seen_t || !s->parent_m || !s->parent_t || !s->queue)
        return -1;
    for (size_t m = 0; m < nm; m++)
        s->mt_start[m + 1] = s->mt_start[m] + (int64_t)in->members[m].n_topics;
    s->hold = calloc((size_t)s->mt_start[nm] + 1, sizeof *s->hold);
    if (!s->hold)
        return -1;
    for (size_t t = 0; t < in->n_topics; t++)
        for (int64_t g = in->topic_base[t]; g < in->topic_base[t + 1]; g++)
            if (s->owner[g] >= 0)
                s->hold[slot_of(s, s->owner[g], (int32_t)t)]++;
    return 0;
}

int cg_sticky_balance_paths(const cg_sticky_ctx_t *c, int32_t *owner, int32_t *count,
                            const int64_t *sub_start, const int32_t *sub_list)
{
    path_state_t s = {c, owner, count, sub_start, sub_list, NULL, NULL, NULL, NULL, NULL, NULL,
                      NULL, 0};
    int rc = paths_alloc(&s);
    while (rc == 0 && sweep(&s) > 0)
        ;
    free(s.mt_start);
    free(s.hold);
    free(s.seen_m);
    free(s.seen_t);
    free(s.parent_m);
    free(s.parent_t);
    free(s.queue);
    return rc;
}
