/* models/balance: balance over settled time.
 *
 * A group is settled from a rebalance_end to its next rebalance_start (the end of the run closes
 * it), so the states a rebalance passes through (everything revoked in an eager round, the
 * partitions a cooperative first round holds back) do not count. While settled, the figure is
 * max - min of the partitions owned per member (per the trace) over the members in the group
 * (from member_join or an assignment to member_leave); balance = its time-weighted mean over
 * settled time. The value is recomputed (O(members of the group)) only when a settled interval
 * of positive length ends after a change, so a rebalance's burst of records costs nothing. */
#include "models/world/balance.h"

#include <stdlib.h>

int cg_bal_init(cg_group_t *g)
{
    g->bal_in = calloc(g->cfg->n_consumers ? g->cfg->n_consumers : 1, sizeof *g->bal_in);
    return g->bal_in ? 0 : -1;
}

void cg_bal_fini(cg_group_t *g)
{
    free(g->bal_in);
    g->bal_in = NULL;
}

static int64_t bal_value(const cg_group_t *g)
{
    const cg_client_t *cl = &g->w->clients[g->cfg->first_consumer];
    bool any = false;
    uint32_t lo = 0, hi = 0;
    for (size_t i = 0; i < g->cfg->n_consumers; i++) {
        if (!g->bal_in[i])
            continue;
        uint32_t k = cl[i].n_tr;
        if (!any || k < lo)
            lo = k;
        if (!any || k > hi)
            hi = k;
        any = true;
    }
    return (int64_t)(hi - lo);
}

/* Integrate up to now with the state as it stands (before the change being recorded). */
static void bal_advance(cg_group_t *g, int64_t now)
{
    if (now <= g->bal_last_ns)
        return;
    if (g->bal_settled) {
        int64_t dt = now - g->bal_last_ns;
        if (g->bal_dirty) {
            g->bal_value = bal_value(g);
            g->bal_dirty = false;
        }
        g->sum.balance_settled_ns += dt;
        g->sum.balance_integral += (double)g->bal_value * (double)dt;
    }
    g->bal_last_ns = now;
}

void cg_bal_note(cg_group_t *g, cg_bal_event_t ev, int32_t consumer)
{
    bal_advance(g, sim_now(&g->w->sim));
    size_t local = consumer >= 0 ? (size_t)consumer - g->cfg->first_consumer : 0;
    switch (ev) {
    case CG_BAL_JOIN: case CG_BAL_ASSIGN: g->bal_in[local] = true; break;
    case CG_BAL_LEAVE: g->bal_in[local] = false; break;
    case CG_BAL_REVOKE: break;
    case CG_BAL_REBALANCE_START: g->bal_settled = false; break;
    case CG_BAL_REBALANCE_END: g->bal_settled = true; break;
    }
    g->bal_dirty = true;
}

void cg_bal_finish(cg_group_t *g, int64_t end_ns)
{
    bal_advance(g, end_ns);
}
