/* models/kip848/convert: the consumer group's side of the online conversions
 * (models/world/migration.c): its state out at a downgrade (ClassicGroup.fromConsumerGroup), a
 * classic group's state in at an upgrade (ConsumerGroup.fromClassicGroup), whether it has
 * members, and going back to a fresh state machine once the classic group took over. */
#include <stdlib.h>
#include <string.h>
#include "models/kip848/group_impl.h"
#include "models/world/ownership.h"
#include "sim/vec.h"

/* Sorted union of two sorted disjoint lists into out; returns its length. */
static uint32_t merge_sorted(const int32_t *a, size_t na, const int32_t *b, size_t nb,
                             int32_t *out)
{
    size_t i = 0, j = 0;
    uint32_t n = 0;
    while (i < na || j < nb)
        out[n++] = (j == nb || (i < na && a[i] < b[j])) ? a[i++] : b[j++];
    return n;
}

/* ClassicGroup.fromConsumerGroup: the classic members, at the group epoch before the removal
 * that triggered the downgrade (it bumps nothing). Each keeps what it holds, assigned or still
 * revoking, where Kafka writes its target: the classic group rebalances at once anyway, and a
 * conversion back before that rebalance ends must not give a partition to a member while
 * another still holds it (docs/design.md). */
int c848_export_state(cg_group_t *g, cg_mig_state_t *out)
{
    cg_c848_group_t *cg = c848_of(g);
    memset(out, 0, sizeof *out);
    out->generation = cg->epoch_before_removal;
    out->next_serial = cg->next_serial;
    out->committed = cg->offsets.committed;
    out->members = calloc(cg->n_recs ? cg->n_recs : 1, sizeof *out->members);
    out->storage = malloc((g->w->n_parts ? (size_t)g->w->n_parts : 1) * sizeof *out->storage);
    if (!out->members || !out->storage)
        return -1;
    uint32_t used = 0;
    for (uint32_t i = 0; i < cg->n_recs; i++) {
        const cg_c848_mrec_t *r = &cg->recs[i];
        cg_k848_member_view_t v;
        if (!r->used || r->pending || !r->classic || !cg_k848_member_get(cg->k, r->id, &v))
            continue;
        int32_t *held = out->storage + used;
        uint32_t n = merge_sorted(v.assigned, v.n_assigned, v.pending, v.n_pending, held);
        used += n;
        out->members[out->n_members++] = (cg_mig_member_t){
            .id = r->id, .consumer = r->consumer, .slot = (int32_t)i, .serial = r->serial,
            .instance = r->instance, .classic = true, .meta = r->meta, .assigned = held,
            .n_assigned = n};
    }
    return 0;
}

bool c848_has_members(const cg_group_t *g) { return cg_k848_member_count(c848_of(g)->k) > 0; }

/* A classic member of an upgraded group keeps its record index as its slot. */
static int32_t rec_put(cg_c848_group_t *cg, const cg_mig_member_t *m)
{
    if (sim_vec_reserve(&cg->recs, &cg->cap_recs, (uint32_t)m->slot + 1, sizeof *cg->recs, 8) != 0)
        return -1;
    while (cg->n_recs <= (uint32_t)m->slot)
        memset(&cg->recs[cg->n_recs++], 0, sizeof *cg->recs);
    cg_c848_mrec_t *r = &cg->recs[m->slot];
    memset(r, 0, sizeof *r);
    r->used = r->classic = true;
    snprintf(r->id, sizeof r->id, "%s", m->id);
    r->consumer = m->consumer;
    r->serial = m->serial;
    r->instance = m->instance;
    r->meta = m->meta;
    return m->slot;
}

/* ConsumerGroup.fromClassicGroup: epoch = generation, each member STABLE with its last classic
 * assignment as assignment and target; sessions at their classic session.timeout.ms. An open
 * classic rebalance goes on as the consumer group's (its members are told to rejoin). */
int c848_import_state(cg_group_t *g, const cg_mig_state_t *in, int why)
{
    (void)why;
    cg_c848_group_t *cg = c848_of(g);
    int64_t now = c848_now(cg);
    memcpy(cg->offsets.committed, in->committed, (size_t)cg->offsets.n * sizeof *in->committed);
    cg_k848_group_set_epoch(cg->k, in->generation);
    for (uint32_t i = 0; i < in->n_members; i++) {
        const cg_mig_member_t *m = &in->members[i];
        cg_k848_import_t x = {.member_id = m->id,
                              .instance_id = m->instance >= 0 ? g->instance_ids[m->instance]
                                                              : NULL,
                              .tag = m->consumer, .epoch = in->generation,
                              .topics = m->meta.topics, .n_topics = m->meta.n_topics,
                              .assigned = m->assigned, .n_assigned = m->n_assigned,
                              .rebalance_timeout_ns = m->meta.rebalance_timeout_ns};
        int32_t ri = rec_put(cg, m);
        if (ri < 0 || cg_k848_import_member(cg->k, &x) != 0)
            return -1;
        c848_arm_session(cg, ri, now + m->meta.session_ns);
    }
    if (in->next_serial > cg->next_serial)
        cg->next_serial = in->next_serial;
    g->max_gen_start = in->generation;
    cg->import_epoch = in->generation;
    if (in->rebalancing) {            /* no new rebalance_start: the classic one goes on */
        cg_own_rebalance_begin(g);
        g->reb_start_ns = in->rebalance_start_ns;   /* its duration_ms spans both parts */
    }
    cg_net_set_coordinator(&g->w->net, g->gi, c848_on_request, cg);
    return 0;
}

/* Back to a fresh state machine: the classic group has the members now. */
void c848_deactivate(cg_group_t *g)
{
    cg_c848_group_t *cg = c848_of(g);
    for (uint32_t i = 0; i < cg->n_recs; i++)
        if (cg->recs[i].used)
            c848_rec_free(cg, (int32_t)i);
    cg->n_recs = 0;
    cg_k848_group_free(cg->k);
    cg->k = c848_machine_new(g);
    if (!cg->k)
        cg_world_fail(g->w, "out of memory");
    g->reb_open = false;
    cg->import_epoch = -1;
    sim_timer_clear(&g->w->sim, &g->check_timer);
}
