/* models/assignor_roundrobin: Kafka's client-side RoundRobinAssignor ("roundrobin", EAGER).
 *
 * Algorithm (clients/.../consumer/RoundRobinAssignor.java): members sorted by cg_assign_member_cmp
 * form a circle. The partitions of every topic somebody subscribes to are visited in (topic name,
 * partition) order; for each, the circular iterator skips members not subscribed to the topic,
 * assigns the partition to the member it stops at and moves one step on. The position carries over
 * from one topic to the next.
 *
 * Worked example (the javadoc's): C0:{t0}, C1:{t0,t1}, C2:{t0,t1,t2}; t0:1, t1:2, t2:3 partitions
 * -> C0: t0-0; C1: t1-0; C2: t1-1, t2-0, t2-1, t2-2.
 *
 * Cost: skipping member by member would be O(P * M) when few members subscribe to a topic. Instead
 * each topic keeps the circle ranks of its subscribers, ascending: the first stop is found by binary
 * search from the current position, and later stops in the same topic are simply the next
 * subscribers in that list (wrapping). O(M log M + S + P + T log M) in all. */
#include <stdio.h>
#include <stdlib.h>
#include "models/assign/assignor.h"
#include "sim/sorted.h"

/* Index in ranks[lo, hi) of the first rank >= pos, wrapping to lo when there is none. */
static int64_t first_at_or_after(const int32_t *ranks, int64_t lo, int64_t hi, int32_t pos)
{
    int64_t a = lo + (int64_t)sim_sorted_lower_i32(ranks + lo, (size_t)(hi - lo), pos);
    return a == hi ? lo : a;
}

static int roundrobin_assign(const cg_assign_input_t *in, cg_assign_output_t *out, char *err,
                             size_t errlen)
{
    int64_t total = cg_assign_total_partitions(in);
    for (int64_t g = 0; g < total; g++)
        out->owner[g] = -1;
    int32_t *order = NULL, *ranks = NULL;   /* subscribers of topic t: order[ranks[off[t] ..]] */
    int64_t *off = NULL;
    if (cg_assign_subscribers(in, &order, &off, &ranks) != 0) {
        snprintf(err, errlen, "roundrobin: out of memory");
        return -1;
    }
    int32_t pos = 0;                  /* circle rank the iterator points at */
    int32_t n_members = (int32_t)in->n_members;
    for (size_t t = 0; t < in->n_topics; t++) {
        int64_t lo = off[t], hi = off[t + 1];
        if (lo == hi || in->topics[t].partitions == 0)
            continue;
        int64_t k = first_at_or_after(ranks, lo, hi, pos);
        for (int64_t p = 0; p < in->topics[t].partitions; p++) {
            out->owner[in->topic_base[t] + p] = order[ranks[k]];
            pos = (ranks[k] + 1) % n_members;
            k = (k + 1 == hi) ? lo : k + 1;
        }
    }
    free(order);
    free(off);
    free(ranks);
    return 0;
}

const cg_assignor_ops_t cg_assignor_roundrobin = {"roundrobin", CG_PROTOCOL_CLASSIC, false,
                                                  roundrobin_assign};
