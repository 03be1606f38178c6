/* models/assignor_range: Kafka's client-side RangeAssignor ("range", classic protocol, EAGER).
 *
 * Algorithm (clients/.../consumer/RangeAssignor.java, without rack awareness): members are sorted
 * by cg_assign_member_cmp (static members by instance id, then dynamic ones by member id). Each
 * topic is handled on its own: with N partitions and the C members subscribed to it (in that order),
 * q = N / C and r = N % C; the member at rank i gets the contiguous range starting at
 * q*i + min(i, r), of length q + (i < r). Members not subscribed to a topic do not count for it.
 *
 * Worked example: t0 and t1 with 3 partitions each, members c0 and c1 subscribed to both:
 * q = 1, r = 1 per topic, so c0 gets t0-0, t0-1, t1-0, t1-1 and c1 gets t0-2, t1-2. The same
 * first members get the extra partition of every topic, hence range's imbalance with many topics.
 *
 * Cost: O(M log M + S + P) for M members, S subscriptions, P partitions. */
#include <stdio.h>
#include <stdlib.h>
#include "models/assign/assignor.h"

static int range_assign(const cg_assign_input_t *in, cg_assign_output_t *out, char *err,
                        size_t errlen)
{
    int64_t total = cg_assign_total_partitions(in);
    for (int64_t g = 0; g < total; g++)
        out->owner[g] = -1;
    int32_t *order = NULL, *ranks = NULL;   /* subscribers of topic t: order[ranks[off[t] ..]] */
    int64_t *off = NULL;
    if (cg_assign_subscribers(in, &order, &off, &ranks) != 0) {
        snprintf(err, errlen, "range: out of memory");
        return -1;
    }
    for (size_t t = 0; t < in->n_topics; t++) {
        int64_t c = off[t + 1] - off[t];
        if (c == 0)
            continue;
        int64_t n = in->topics[t].partitions, q = n / c, r = n % c;
        for (int64_t i = 0; i < c; i++) {
            int64_t start = q * i + (i < r ? i : r), len = q + (i < r ? 1 : 0);
            for (int64_t p = start; p < start + len; p++)
                out->owner[in->topic_base[t] + p] = order[ranks[off[t] + i]];
        }
    }
    free(order);
    free(off);
    free(ranks);
    return 0;
}

const cg_assignor_ops_t cg_assignor_range = {"range", CG_PROTOCOL_CLASSIC, false, range_assign};
