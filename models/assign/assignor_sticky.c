/* models/assignor_sticky: Kafka's "sticky" (EAGER) and "cooperative-sticky" (KIP-429) assignors.
 *
 * Both compute the same target (AbstractStickyAssignor): balance first, then keep as many
 * previously owned partitions as possible. This file validates the previous assignment, picks
 * the builder and, for cooperative-sticky, withholds moving partitions.
 *
 * Validation (Kafka's allSubscriptionsEqual): a member's owned partition counts only if its topic
 * exists and somebody subscribes to it. When several members claim one partition the highest
 * generation wins (-1 = no generation, lowest); a tie at the highest generation invalidates the
 * claim of every claimant (Kafka: partitionsWithMultiplePreviousOwners). Kafka resolves claims in
 * HashMap order, which can mark a partition "multiple owners" after a lower-generation tie; here
 * only a tie at the top generation counts, independent of order. A kept claim on a topic the
 * claimant no longer subscribes to is dropped afterwards (Kafka's general builder does the same;
 * in the constrained builder every member subscribes to every topic).
 *
 * cooperative-sticky: a partition assigned to X is withheld (owner -1 this round) when X is not
 * its validated owner and some other member still lists it as owned: that member must revoke it
 * first and the follow-up rebalance hands it to X. Kafka's constrained builder withholds exactly
 * the partitions revoked from a valid owner or claimed by several members; its general builder
 * withholds partitions X did not own that some other member owned. The rule here covers both and
 * also withholds a partition listed only by a stale (lower-generation) claimant, so that no
 * partition is ever owned by two members at once.
 *
 * Worked example (fresh, equal subscriptions): c1, c2 on t1:3, t2:3 -> minQuota 3, round-robin
 * over (t1-0, t1-1, t1-2, t2-0, t2-1, t2-2) in member-id order: c1 [t1-0, t1-2, t2-1],
 * c2 [t1-1, t2-0, t2-2]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/assign/assignor_sticky.h"

static int ctx_alloc(cg_sticky_ctx_t *c, char *err, size_t errlen)
{
    size_t np = (size_t)c->n_parts, nm = (size_t)c->n_members;
    c->rank = malloc((nm + 1) * sizeof *c->rank);
    c->by_rank = malloc((nm + 1) * sizeof *c->by_rank);
    c->topic_used = calloc(c->in->n_topics + 1, 1);
    c->valid_owner = malloc((np + 1) * sizeof *c->valid_owner);
    c->claim_first = malloc((np + 1) * sizeof *c->claim_first);
    c->claim_many = calloc(np + 1, 1);
    if (!c->rank || !c->by_rank || !c->topic_used || !c->valid_owner || !c->claim_first ||
        !c->claim_many) {
        snprintf(err, errlen, "sticky: out of memory (%lld partitions)", (long long)c->n_parts);
        return -1;
    }
    for (size_t g = 0; g < np; g++)
        c->valid_owner[g] = c->claim_first[g] = -1;
    return 0;
}

static int ctx_ranks(cg_sticky_ctx_t *c, char *err, size_t errlen)
{
    int32_t *order = cg_assign_member_order(c->in, true);   /* by member id, ties by index */
    if (!order) {
        snprintf(err, errlen, "sticky: out of memory");
        return -1;
    }
    for (int32_t r = 0; r < c->n_members; r++) {
        c->by_rank[r] = order[r];
        c->rank[order[r]] = r;
    }
    free(order);
    return 0;
}

static void ctx_subscriptions(cg_sticky_ctx_t *c)
{
    const cg_assign_input_t *in = c->in;
    c->all_equal = true;
    for (int32_t m = 0; m < c->n_members; m++) {
        const cg_assign_member_t *mm = &in->members[m], *m0 = &in->members[0];
        for (size_t i = 0; i < mm->n_topics; i++)
            c->topic_used[mm->topics[i]] = 1;
        if (mm->n_topics != m0->n_topics ||
            (mm->n_topics && memcmp(mm->topics, m0->topics, mm->n_topics * sizeof *mm->topics)))
            c->all_equal = false;
    }
}

/* One pass over every claim: best generation per partition, ties at the best generation. */
static int ctx_claims(cg_sticky_ctx_t *c, char *err, size_t errlen)
{
    const cg_assign_input_t *in = c->in;
    size_t np = (size_t)c->n_parts;
    int32_t *best_gen = malloc((np + 1) * sizeof *best_gen);
    int32_t *last = malloc((np + 1) * sizeof *last);   /* last member that listed g */
    uint8_t *tie = calloc(np + 1, 1);
    if (!best_gen || !last || !tie) {
        free(best_gen);
        free(last);
        free(tie);
        snprintf(err, errlen, "sticky: out of memory");
        return -1;
    }
    for (int32_t m = 0; m < c->n_members; m++) {
        const cg_assign_member_t *mm = &in->members[m];
        for (size_t i = 0; i < mm->n_owned; i++) {
            cg_tp_t tp = mm->owned[i];
            if (tp.topic < 0 || (size_t)tp.topic >= in->n_topics || !c->topic_used[tp.topic] ||
                tp.partition < 0 || tp.partition >= in->topics[tp.topic].partitions)
                continue;
            int64_t g = in->topic_base[tp.topic] + tp.partition;
            if (c->claim_first[g] < 0) {
                c->claim_first[g] = c->valid_owner[g] = last[g] = m;
                best_gen[g] = mm->generation;
                continue;
            }
            if (last[g] == m)
                continue;                         /* listed twice by the same member */
            last[g] = m;
            c->claim_many[g] = 1;
            if (mm->generation > best_gen[g]) {
                best_gen[g] = mm->generation;
                c->valid_owner[g] = m;
                tie[g] = 0;
            } else if (mm->generation == best_gen[g]) {
                tie[g] = 1;
            }
        }
    }
    for (size_t t = 0; t < in->n_topics; t++)
        for (int64_t g = in->topic_base[t]; g < in->topic_base[t + 1]; g++)
            if (c->valid_owner[g] >= 0 &&
                (tie[g] || !cg_assign_subscribed(&in->members[c->valid_owner[g]], (int32_t)t)))
                c->valid_owner[g] = -1;
    free(best_gen);
    free(last);
    free(tie);
    return 0;
}

/* AbstractStickyAssignor.RackInfo: racks are used per rack.h's test over every member and
 * every partition of a topic somebody subscribes to. */
static int ctx_racks(cg_sticky_ctx_t *c, char *err, size_t errlen)
{
    if (cg_rack_view_init(&c->rv, c->in) != 0) {
        snprintf(err, errlen, "sticky: out of memory");
        return -1;
    }
    if (!c->in->replica_racks)
        return 0;
    cg_rack_scan_t sc = {0};
    for (int32_t m = 0; m < c->n_members; m++)
        cg_rack_scan_member(&sc, &c->rv, m);
    for (size_t t = 0; t < c->in->n_topics; t++)
        if (c->topic_used[t])
            cg_rack_scan_parts(&sc, c->in, c->in->topic_base[t], c->in->topic_base[t + 1]);
    c->racks = cg_rack_scan_use(&sc);
    return 0;
}

int cg_sticky_ctx_init(cg_sticky_ctx_t *c, const cg_assign_input_t *in, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->in = in;
    c->n_parts = in->topic_base[in->n_topics];
    c->n_members = (int32_t)in->n_members;
    if (ctx_alloc(c, err, errlen) != 0 || ctx_ranks(c, err, errlen) != 0)
        return -1;
    ctx_subscriptions(c);
    if (ctx_racks(c, err, errlen) != 0)
        return -1;
    return ctx_claims(c, err, errlen);
}

void cg_sticky_ctx_fini(cg_sticky_ctx_t *c)
{
    free(c->rank);
    free(c->by_rank);
    free(c->topic_used);
    free(c->valid_owner);
    free(c->claim_first);
    free(c->claim_many);
    cg_rack_view_fini(&c->rv);
    memset(c, 0, sizeof *c);
}

static int sticky_target(const cg_sticky_ctx_t *c, int32_t *owner, char *err, size_t errlen)
{
    for (int64_t g = 0; g < c->n_parts; g++)
        owner[g] = -1;
    if (c->n_members == 0 || c->n_parts == 0)
        return 0;
    if (c->all_equal)
        return cg_sticky_constrained(c, owner, err, errlen);
    return cg_sticky_general(c, owner, err, errlen);
}

static int assign_sticky(const cg_assign_input_t *in, cg_assign_output_t *out, char *err,
                         size_t errlen)
{
    cg_sticky_ctx_t c;
    int rc = cg_sticky_ctx_init(&c, in, err, errlen);
    if (rc == 0)
        rc = sticky_target(&c, out->owner, err, errlen);
    cg_sticky_ctx_fini(&c);
    return rc;
}

/* Withhold what another member must revoke first (see the file comment). */
static void withhold_moving(const cg_sticky_ctx_t *c, int32_t *owner)
{
    for (int64_t g = 0; g < c->n_parts; g++) {
        int32_t x = owner[g];
        if (x < 0 || c->valid_owner[g] == x)
            continue;
        if (c->claim_many[g] || (c->claim_first[g] >= 0 && c->claim_first[g] != x))
            owner[g] = -1;
    }
}

static int assign_cooperative(const cg_assign_input_t *in, cg_assign_output_t *out, char *err,
                              size_t errlen)
{
    cg_sticky_ctx_t c;
    int rc = cg_sticky_ctx_init(&c, in, err, errlen);
    if (rc == 0)
        rc = sticky_target(&c, out->owner, err, errlen);
    if (rc == 0)
        withhold_moving(&c, out->owner);
    cg_sticky_ctx_fini(&c);
    return rc;
}

const cg_assignor_ops_t cg_assignor_sticky = {"sticky", CG_PROTOCOL_CLASSIC, false,
                                              assign_sticky};
const cg_assignor_ops_t cg_assignor_cooperative_sticky = {"cooperative-sticky",
                                                          CG_PROTOCOL_CLASSIC, true,
                                                          assign_cooperative};
