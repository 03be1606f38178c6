/* models/classic/group: the classic protocol in the world: each group's coordinator
 * (models/classic/coordinator) wired to the trace, the accounting and the `check` coverage, and
 * the protocol's entry in the registry (models/protocol.c).
 *
 * The coordinator reports what happened; this file turns it into records. What only the world
 * knows is decided here, not in the coordinator: a static member that did not rejoin gets no
 * SyncGroup response, so when its generation becomes Stable the trace records the coordinator's
 * view for it (first every such member gives up what it owned and is not assigned any more,
 * then each gets its assignment; if its process still fetches, that is zombie processing). */
#include <stdlib.h>
#include <string.h>
#include "models/classic/coordinator.h"
#include "models/classic/member.h"
#include "models/world/ownership.h"
#include "models/world/racks.h"
#include "models/world/trace_rec.h"
#include "models/world/world_impl.h"

static cg_coord_t *C(const cg_group_t *g)
{
    return (cg_coord_t *)cg_group_coord(g, CG_PROTOCOL_CLASSIC);
}

static void on_member_joined(void *ctx, int32_t consumer, const char *id, const char *replaced)
{
    cg_group_t *g = ctx;
    cg_rec_member_join(g->w, g, consumer, id, replaced);
    if (replaced)
        g->replaced_gen = C(g)->generation;
}

static void on_member_left(void *ctx, int32_t consumer, int32_t slot, uint64_t serial,
                           const char *member_id, cg_reason_t why)
{
    cg_group_t *g = ctx;
    cg_client_t *c = &g->w->clients[consumer];
    int32_t gen;
    bool other = cg_client_other_classic_member(c, slot, serial, &gen);
    cg_rec_member_leave(g->w, g, consumer, member_id, why);
    cg_own_member_gone(g, c, other, gen);
}

/* Another process took the static member's instance: the old one is no longer a member (the
 * trace says so, which ends its ownership there; it learns at its next request). */
static void on_member_replaced(void *ctx, int32_t consumer, const char *member_id)
{
    cg_group_t *g = ctx;
    cg_rec_member_leave(g->w, g, consumer, member_id, CG_RS_FENCED);
    cg_own_end_all(g, &g->w->clients[consumer]);
}

static void on_rebalance_start(void *ctx, int32_t generation, cg_reason_t why)
{
    cg_group_t *g = ctx;
    g->max_gen_start = generation;
    cg_rec_rebalance_start(g->w, g, generation, why, NULL);
}

static bool in_gen(const cg_member_t *m) { return m && !m->pending && m->in_gen; }

/* The member's process got the generation's JoinGroup response and can receive its SyncGroup
 * response: it will record its own assignment. */
static bool reachable(const cg_group_t *g, int32_t slot, const cg_member_t *m)
{
    /* (cg_classic_member_is is false for a process of the other protocol) */
    return cg_classic_member_is(&g->w->clients[m->consumer], slot, m->serial) && m->rejoined;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Before the new generation's assignments reach anybody, the trace must not still show one of
 * its partitions owned by a member that is not assigned it. An unreachable member gives up all
 * but its new assignment. A reachable one gives up what it owns per the trace but neither gets
 * now nor reported owning in its JoinGroup (a restarted process, which reports nothing, whose
 * predecessor crashed while owning partitions); what it reported is withheld from others
 * (cooperative) or was revoked before the JoinGroup (eager), and its client handles it. */
static void revoke_stale(cg_group_t *g, const cg_member_t *m, bool reach)
{
    uint32_t n = m->n_assign + (reach ? m->n_owned : 0);
    int32_t *keep = malloc((n ? n : 1) * sizeof *keep);
    if (!keep) {
        cg_world_fail(g->w, "out of memory");
        return;
    }
    if (m->n_assign)
        memcpy(keep, m->assign, m->n_assign * sizeof *keep);
    for (uint32_t i = 0; reach && i < m->n_owned; i++)
        keep[m->n_assign + i] =
            (int32_t)(g->w->topic_base[m->owned[i].topic] + m->owned[i].partition);
    qsort(keep, n, sizeof *keep, cmp_i32);
    cg_own_revoke_except(g, &g->w->clients[m->consumer], keep, n);
    free(keep);
}

static void record_unreachable(cg_group_t *g, int32_t generation)
{
    const cg_coord_t *co = C(g);
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t s = 0; s < co->n_slots; s++) {
            const cg_member_t *m = cg_coord_member(co, (int32_t)s);
            if (!in_gen(m))
                continue;
            bool reach = reachable(g, (int32_t)s, m);
            if (pass == 0)
                revoke_stale(g, m, reach);
            else if (!reach)
                cg_own_assign(g, &g->w->clients[m->consumer], generation, m->assign,
                              m->n_assign);
        }
}

static void on_rebalance_end(void *ctx, int32_t generation, int64_t duration_ns, bool stable)
{
    cg_group_t *g = ctx;
    const cg_coord_t *co = C(g);
    if (!stable) {
        cg_own_rebalance_end(g, generation, duration_ns, 0, 0, false);
        return;
    }
    int64_t moved = 0, members = 0;
    for (uint32_t s = 0; s < co->n_slots; s++) {
        const cg_member_t *m = cg_coord_member(co, (int32_t)s);
        if (!in_gen(m))
            continue;
        members++;
        int32_t local = m->consumer - (int32_t)g->cfg->first_consumer;
        for (uint32_t i = 0; i < m->n_assign; i++) {
            int32_t last = g->last_owner[m->assign[i]];
            if (last >= 0 && last != local)
                moved++;
        }
    }
    g->reb_assignor = g->cfg->strategies_vary ? co->protocol->name : NULL;
    cg_own_rebalance_end(g, generation, duration_ns, members, moved, true);
    g->reb_assignor = NULL;
    record_unreachable(g, generation);
}

/* ---- `check`: coverage once Stable with everyone polling ---- */

static void on_check_timer(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_group_t *g = ctx;
    const cg_coord_t *co = C(g);
    struct cg_world *w = g->w;
    g->check_timer = SIM_HANDLE_NONE;
    w->check_events++;
    if (co->down || co->state != CG_GS_STABLE || (int32_t)arg != co->generation ||
        g->last_fault_ns >= co->stable_ns || g->faults_pending > 0)
        return;
    bool *sub = calloc(w->s->n_topics + 1, sizeof *sub);
    if (!sub)
        return;
    bool ok = true, behind = false;
    for (uint32_t s = 0; s < co->n_slots && ok; s++) {
        const cg_member_t *m = cg_coord_member(co, (int32_t)s);
        if (!m)
            continue;
        const cg_client_t *c = &w->clients[m->consumer];
        ok = in_gen(m) && cg_classic_member_polling(c, (int32_t)s, m->serial, co->generation);
        if (!ok && in_gen(m) && cg_classic_member_live(c, (int32_t)s, m->serial)) {
            behind = true;            /* its live process has yet to complete the generation */
            ok = true;
        }
        for (uint32_t i = 0; ok && i < m->n_topics; i++)
            sub[m->topics[i]] = true;
    }
    for (size_t i = 0; i < g->cfg->n_consumers && ok; i++) {
        const cg_client_t *c = &w->clients[g->cfg->first_consumer + i];
        if (c->running && c->ops != &cg_classic_member_ops)
            ok = false;               /* a consumer-protocol process: the group will convert */
        if (!ok || !c->running)
            continue;
        const cg_classic_member_t *x = cg_classic_member(c);
        const cg_member_t *m = cg_coord_member(co, x->slot);
        if (!m || m->serial != x->serial)
            ok = false;               /* a process is still on its way into the group */
    }
    /* A cooperative generation withholds the partitions it moves until the follow-up rebalance
     * that the member giving them up asks for once it has revoked them. A static member
     * replaced in the generation (its old process lost the generation before it completed
     * it, then rejoined) takes the generation's stored assignment without a rebalance and has
     * nothing to revoke, so in Kafka too nobody asks: those partitions stay unowned until the
     * next rebalance. */
    if (g->replaced_gen == co->generation && co->protocol && co->protocol->cooperative)
        ok = false;
    /* A live member still completing the generation: look again later. Else the partitions
     * the leader's metadata showed at the assignment must all have an owner. */
    if (ok && !(behind && cg_own_check_defer(g, g->max_hb_ns, on_check_timer, g, arg)))
        cg_own_check_coverage(g, sub, co->assign_topics, co->generation);
    free(sub);
}

static void on_stable(void *ctx, int32_t generation)
{
    cg_group_t *g = ctx;
    struct cg_world *w = g->w;
    if (w->opts.check)
        cg_own_check_arm(g, sim_now(&w->sim) + 2 * g->max_hb_ns + SIM_NS_PER_MS, on_check_timer,
                         g, (uint64_t)generation);
}

static void on_foreign(void *ctx, int32_t mi)
{
    cg_mig_foreign(ctx, mi);
}

static void on_fail(void *ctx, const char *message)
{
    cg_group_t *g = ctx;
    cg_world_fail(g->w, "%s", message);
}

/* ---- the protocol's entry ---- */

static int group_init(cg_group_t *g, char *err, size_t errlen)
{
    struct cg_world *w = g->w;
    g->replaced_gen = -1;
    cg_coord_params_t p = {
        .sim = &w->sim, .net = &w->net, .s = w->s, .gi = g->gi, .hist = &w->hist,
        .topic_base = w->topic_base, .gp_topic = w->gp_topic, .n_parts = w->n_parts,
        .replica_racks = w->racks ? w->racks->replica : NULL, .seed = w->opts.seed,
        .env = {.ctx = g, .member_joined = on_member_joined, .member_left = on_member_left,
                .member_replaced = on_member_replaced, .rebalance_start = on_rebalance_start,
                .rebalance_end = on_rebalance_end, .stable = on_stable, .commit = cg_own_commit,
                .fail = on_fail}};
    if (g->cfg->migrates)
        p.env.foreign = on_foreign;
    g->coords[CG_PROTOCOL_CLASSIC] = cg_coord_new(&p, err, errlen);
    return g->coords[CG_PROTOCOL_CLASSIC] ? 0 : -1;
}

static void group_fini(cg_group_t *g)
{
    cg_coord_free(C(g));
    g->coords[CG_PROTOCOL_CLASSIC] = NULL;
}

static bool failover(cg_group_t *g)
{
    if (!cg_coord_failover(C(g)))
        return false;
    sim_timer_clear(&g->w->sim, &g->check_timer);
    return true;
}

static bool member_current(const cg_group_t *g, const cg_client_t *c)
{
    if (c->ops != &cg_classic_member_ops)
        return false;
    const cg_classic_member_t *x = cg_classic_member(c);
    return cg_coord_member_live(C(g), x->slot, x->serial, x->generation);
}

/* Stable and not failing over, the client a live member of the generation: nothing but the
 * member's own requests (none in flight, the caller checks), its session expiring or a
 * rebalance completing without it changes what its polls read. A rebalance another member
 * starts waits for this one to rejoin, which it does only after a heartbeat response of its
 * own, or for the join timer: the group's rebalance timeout, at least this member's, after the
 * rebalance starts (not before now). */
static int64_t quiet_until(const cg_group_t *g, const cg_client_t *c, int64_t now)
{
    const cg_coord_t *co = C(g);
    if (co->down || co->state != CG_GS_STABLE || !member_current(g, c))
        return INT64_MIN;
    /* Nor while another member id names this consumer (its process before a restart, until
     * that member's session or pending SyncGroup expires: its leaving ends what the trace says
     * the consumer owns), nor when another consumer shares its group.instance.id (whose
     * JoinGroup can fence it at any time). */
    if (cg_coord_consumer_slots(co, c->ci) > 1 ||
        (c->instance >= 0 && g->instance_users[c->instance] > 1))
        return INT64_MIN;
    const cg_member_t *m = cg_coord_member(co, cg_classic_member(c)->slot);
    int64_t join = now + m->rebalance_timeout_ns;
    return m->session.at_ns < join ? m->session.at_ns : join;
}

/* ---- conversions (models/world/migration.c) ---- */

/* convertToConsumerGroup: each member with its last classic assignment. */
/* What each member holds at the conversion, into out->storage: its last assignment and, for a
 * cooperative member, the partitions it reported owning in its JoinGroup that the generation
 * withheld from everybody (it revokes them only at its next poll()). Kafka's fromClassicGroup
 * takes the last assignment alone, so a member joining the converted group may be given such a
 * partition while its owner still fetches it; cgsim keeps it with its owner until it revokes
 * (docs/design.md), the same move one heartbeat later. Buckets by slot: O(partitions). */
static int held_lists(const cg_coord_t *co, cg_mig_state_t *out)
{
    size_t np = (size_t)co->n_parts;
    int32_t *claim = malloc((np ? np : 1) * sizeof *claim);
    uint32_t *start = calloc((size_t)co->n_slots + 1, sizeof *start);
    out->storage = malloc((np ? np : 1) * sizeof *out->storage);
    if (!claim || !start || !out->storage) {
        free(claim);
        free(start);
        return -1;
    }
    for (size_t p = 0; p < np; p++)
        claim[p] = -1;
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t s = 0; s < co->n_slots; s++) {
            const cg_member_t *m = cg_coord_member(co, (int32_t)s);
            if (!m || m->pending)
                continue;
            for (uint32_t i = 0; pass == 0 && i < m->n_assign; i++)
                claim[m->assign[i]] = (int32_t)s;
            for (uint32_t i = 0; pass == 1 && !m->owned_userdata && i < m->n_owned; i++) {
                int64_t gp = co->topic_base[m->owned[i].topic] + m->owned[i].partition;
                if (claim[gp] < 0)
                    claim[gp] = (int32_t)s;
            }
        }
    for (size_t p = 0; p < np; p++)
        if (claim[p] >= 0)
            start[claim[p] + 1]++;
    for (uint32_t s = 0; s < co->n_slots; s++)
        start[s + 1] += start[s];
    for (uint32_t i = 0; i < out->n_members; i++) {
        cg_mig_member_t *mm = &out->members[i];
        mm->assigned = out->storage + start[mm->slot];
        mm->n_assigned = start[mm->slot + 1] - start[mm->slot];
    }
    for (size_t p = 0; p < np; p++)    /* ascending partitions: each list comes out sorted */
        if (claim[p] >= 0)
            out->storage[start[claim[p]]++] = (int32_t)p;
    free(claim);
    free(start);
    return 0;
}

static int export_state(cg_group_t *g, cg_mig_state_t *out)
{
    const cg_coord_t *co = C(g);
    memset(out, 0, sizeof *out);
    out->generation = co->generation;
    out->rebalancing = co->state == CG_GS_PREPARING || co->state == CG_GS_COMPLETING;
    out->rebalance_start_ns = co->rebalance_start_ns;
    out->next_serial = co->next_serial;
    out->committed = co->offsets.committed;
    out->members = calloc(co->n_members ? co->n_members : 1, sizeof *out->members);
    if (!out->members)
        return -1;
    for (uint32_t s = 0; s < co->n_slots; s++) {
        const cg_member_t *m = cg_coord_member(co, (int32_t)s);
        if (!m || m->pending)
            continue;
        out->members[out->n_members++] = (cg_mig_member_t){
            .id = m->id, .consumer = m->consumer, .slot = (int32_t)s, .serial = m->serial,
            .instance = m->instance, .classic = true,
            .meta = {m->session_ns, m->rebalance_timeout_ns, m->topics, m->n_topics, m->rack,
                     m->protocols, m->n_protocols}};
    }
    return held_lists(co, out);       /* sets each member's assigned list */
}

/* Not Empty (members waiting for MEMBER_ID_REQUIRED do not count, as in ClassicGroup). */
static bool has_members(const cg_group_t *g) { return C(g)->n_members > 0; }

/* ClassicGroup.fromConsumerGroup: the classic members keep their identity; every one of them
 * is Stable with its target assignment, and the group rebalances (`why`). */
static int import_state(cg_group_t *g, const cg_mig_state_t *in, int why)
{
    cg_coord_t *co = C(g);
    memcpy(co->offsets.committed, in->committed, (size_t)co->offsets.n * sizeof *in->committed);
    for (uint32_t i = 0; i < in->n_members; i++) {
        const cg_mig_member_t *m = &in->members[i];
        cg_coord_import_t x = {
            .slot = m->slot, .serial = m->serial, .consumer = m->consumer,
            .instance = m->instance, .id = m->id,
            .meta = m->meta, .assigned = m->assigned, .n_assigned = m->n_assigned};
        if (cg_coord_import_member(co, &x) != 0)
            return -1;
    }
    g->max_gen_start = in->generation;
    cg_coord_import_done(co, in->generation, in->next_serial, why);
    return 0;
}

static void deactivate(cg_group_t *g)
{
    cg_coord_deactivate(C(g));
    sim_timer_clear(&g->w->sim, &g->check_timer);
}

const cg_group_proto_t cg_classic_proto = CG_GROUP_PROTO("classic", &cg_classic_member_ops);
