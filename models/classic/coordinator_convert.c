/* models/classic/coordinator_convert: the classic coordinator's side of the KIP-848 online
 * conversions (models/world/migration.c): dropping every member without a record when the group
 * becomes a consumer group, and taking the members of a consumer group converted back
 * (ClassicGroup.fromConsumerGroup). */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/classic/coordinator.h"
#include "models/classic/coordinator_int.h"
#include "sim/vec.h"

void cg_coord_deactivate(cg_coord_t *g)
{
    for (uint32_t s = 0; s < g->n_slots; s++) {
        cg_member_t *m = &g->members[s];
        if (!m->serial)
            continue;
        cg_coord_i_reply_join(g, (int32_t)s, CG_ERR_REBALANCE_IN_PROGRESS);
        cg_coord_i_reply_sync(g, (int32_t)s, CG_ERR_REBALANCE_IN_PROGRESS);
        if (m->instance >= 0 && g->instance_slot[m->instance] == (int32_t)s)
            g->instance_slot[m->instance] = -1;
        cg_coord_i_slot_free(g, (int32_t)s);
    }
    g->n_members = g->n_pending = g->n_awaiting_join = 0;
    g->leader = -1;
    g->state = CG_GS_EMPTY;
    g->initial_delay = false;
    sim_timer_clear(g->sim, &g->join_timer);
    sim_timer_clear(g->sim, &g->sync_timer);
    sim_timer_clear(g->sim, &g->reload_timer);
}

static int copy_assign(cg_member_t *m, const int32_t *gp, uint32_t n)
{
    if (n > m->cap_assign) {
        int32_t *a = realloc(m->assign, n * sizeof *a);
        if (!a)
            return -1;
        m->assign = a;
        m->cap_assign = n;
    }
    if (n)
        memcpy(m->assign, gp, n * sizeof *gp);
    m->n_assign = n;
    return 0;
}

int cg_coord_import_member(cg_coord_t *g, const cg_coord_import_t *in)
{
    uint32_t cap = g->cap_slots;
    if (in->slot < 0 ||
        sim_vec_reserve(&g->free_slots, &cap, (uint32_t)in->slot + 1, sizeof *g->free_slots,
                        8) != 0 ||
        sim_vec_reserve(&g->members, &g->cap_slots, (uint32_t)in->slot + 1, sizeof *g->members,
                        8) != 0)
        return -1;
    while (g->n_slots <= (uint32_t)in->slot)
        memset(&g->members[g->n_slots++], 0, sizeof *g->members);
    cg_member_t *m = &g->members[in->slot];
    assert(m->serial == 0);
    m->protocols = in->meta.protocols;      /* first: the reset counts them */
    m->n_protocols = in->meta.n_protocols;
    cg_coord_i_member_reset(g, m, in->consumer, in->instance, in->serial, false);
    if (in->instance >= 0)
        g->instance_slot[in->instance] = in->slot;
    snprintf(m->id, sizeof m->id, "%s", in->id);
    m->session_ns = in->meta.session_ns;
    m->rebalance_timeout_ns = in->meta.rebalance_timeout_ns;
    m->topics = in->meta.topics;
    m->n_topics = in->meta.n_topics;
    m->rack = in->meta.rack;
    m->in_gen = m->in_stable = m->synced = m->rejoined = true;
    g->n_members++;
    if (in->serial >= g->next_serial)
        g->next_serial = in->serial + 1;
    return copy_assign(m, in->assigned, in->n_assigned);
}

/* ClassicGroup.fromConsumerGroup: Stable at generation = the group epoch, then (with why >= 0)
 * prepareRebalance, so every member rejoins. */
void cg_coord_import_done(cg_coord_t *g, int32_t generation, uint64_t next_serial, int why)
{
    g->n_free = 0;
    for (uint32_t s = g->n_slots; s-- > 0;)    /* lowest free slot on top */
        if (!g->members[s].serial)
            g->free_slots[g->n_free++] = (int32_t)s;
    if (next_serial > g->next_serial)
        g->next_serial = next_serial;
    g->generation = g->stable_gen = g->max_gen_start = generation;   /* a new group's life */
    g->leader = cg_coord_i_first_member(g, false);
    g->state = g->n_members > 0 ? CG_GS_STABLE : CG_GS_EMPTY;
    g->stable_ns = sim_now(g->sim);
    if (g->n_members > 0) {
        const cg_assignor_ops_t *a = cg_coord_select_protocol(g);
        if (a)
            g->protocol = a;
    }
    for (uint32_t s = 0; s < g->n_slots; s++)
        if (g->members[s].serial)
            cg_coord_i_touch(g, (int32_t)s);
    cg_net_set_coordinator(g->net, g->gi, cg_coord_on_request, g);
    if (why >= 0 && g->n_members > 0)
        cg_coord_i_prepare_rebalance(g, (cg_reason_t)why);
}
