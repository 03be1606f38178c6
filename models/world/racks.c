/* models/world/racks: the cross-rack fetch figure (racks.h).
 *
 * The model: a consumer fetches from the partition's leader, its first replica. Kafka's
 * consumers do unless the brokers set replica.selector.class to a rack-aware selector
 * (KIP-392, follower fetching), which cgsim does not model. A record fetched by a consumer with
 * a client.rack counts as known locality when the partition has replica racks, and as
 * cross-rack when the leader is on another rack (a client.rack that holds no replica is always
 * another rack). Records are counted when their batch is processed (models/ownership), so a
 * batch a crash loses is not counted; duplicates and zombie records are (they crossed the
 * network again). The counts go to the trace as `fetch` records so that analysis/ recomputes
 * the figure from them, the `topic` records and member_join.rack. */
#include "models/world/racks.h"

#include <stdlib.h>
#include <string.h>
#include "models/assign/rack.h"
#include "models/world/trace_rec.h"
#include "sim/sorted.h"
#include "sim/vec.h"

static bool any_racks(const cg_scenario_t *s)
{
    for (size_t t = 0; t < s->n_topics; t++)
        if (s->topics[t].replica_racks)
            return true;
    return false;
}

static int32_t client_rack(const cg_scenario_t *s, const char *rack)
{
    if (!rack || !rack[0])
        return CG_RACK_NONE;
    for (size_t k = 0; k < s->n_racks; k++)
        if (strcmp(s->rack_names[k], rack) == 0)
            return (int32_t)k;
    return CG_RACK_OTHER;
}

int cg_racks_init(struct cg_world *w)
{
    const cg_scenario_t *s = w->s;
    if (!any_racks(s))
        return 0;
    struct cg_racks *r = calloc(1, sizeof *r);
    size_t np = (size_t)w->n_parts + 1, nc = s->n_consumers + 1;
    w->racks = r;
    if (!r)
        return -1;
    r->replica = calloc(np, sizeof *r->replica);
    r->leader = malloc(np * sizeof *r->leader);
    r->client_rack = malloc(nc * sizeof *r->client_rack);
    r->acc = calloc(nc, sizeof *r->acc);
    if (!r->replica || !r->leader || !r->client_rack || !r->acc)
        return -1;
    for (size_t t = 0; t < s->n_topics; t++)
        for (int64_t gp = w->topic_base[t]; gp < w->topic_base[t + 1]; gp++) {
            int64_t p = gp - w->topic_base[t];
            bool has = s->topics[t].replica_racks != NULL;
            r->replica[gp] = has ? s->topics[t].replica_racks[p] : 0;
            r->leader[gp] = has ? s->topics[t].leader_rack[p] : -1;
        }
    for (size_t i = 0; i < s->n_consumers; i++)
        r->client_rack[i] = client_rack(s, s->consumers[i].cfg.client_rack);
    return 0;
}

void cg_racks_fini(struct cg_world *w)
{
    struct cg_racks *r = w->racks;
    if (!r)
        return;
    for (size_t i = 0; r->acc && i < w->s->n_consumers; i++) {
        free(r->acc[i].gp);
        free(r->acc[i].n);
    }
    free(r->acc);
    free(r->replica);
    free(r->leader);
    free(r->client_rack);
    free(r);
    w->racks = NULL;
}

void cg_racks_topics(struct cg_world *w)
{
    for (size_t t = 0; t < w->s->n_topics; t++)
        if (w->s->topics[t].replica_racks)
            cg_rec_topic(w, (int32_t)t);
}

/* Index of gp in the sorted accumulator, inserted with 0 records if absent; -1 out of memory. */
static int64_t acc_slot(cg_fetch_acc_t *a, int32_t gp)
{
    uint32_t lo = (uint32_t)sim_sorted_lower_i32(a->gp, a->len, gp);
    if (lo < a->len && a->gp[lo] == gp)
        return lo;
    uint32_t cap_n = a->cap;          /* two parallel arrays, one capacity */
    if (sim_vec_reserve(&a->n, &cap_n, a->len + 1, sizeof *a->n, 8) != 0 ||
        sim_vec_reserve(&a->gp, &a->cap, a->len + 1, sizeof *a->gp, 8) != 0)
        return -1;
    memmove(&a->gp[lo + 1], &a->gp[lo], (a->len - lo) * sizeof *a->gp);
    memmove(&a->n[lo + 1], &a->n[lo], (a->len - lo) * sizeof *a->n);
    a->gp[lo] = gp;
    a->n[lo] = 0;
    a->len++;
    return lo;
}

void cg_racks_fetched(cg_group_t *g, int32_t consumer, int32_t gp, int64_t n)
{
    struct cg_racks *r = g->w->racks;
    int32_t cr = r->client_rack[consumer];
    if (cr != CG_RACK_NONE && r->replica[gp] != 0) {
        /* KIP-392: with the rack-aware selector a consumer fetches from a replica on its rack
         * when the partition has one (CG_RACK_OTHER holds none), else from the leader. */
        bool local = g->cfg->broker.rack_aware_selector
                         ? cr >= 0 && (r->replica[gp] >> cr & 1)
                         : cr == r->leader[gp];
        g->sum.rack_records += n;
        if (!local)
            g->sum.cross_rack_records += n;
    }
    int64_t k = acc_slot(&r->acc[consumer], gp);
    if (k < 0) {
        cg_world_fail(g->w, "out of memory counting fetched records");
        return;
    }
    r->acc[consumer].n[k] += n;
}

void cg_racks_flush(struct cg_world *w)
{
    struct cg_racks *r = w->racks;
    if (!r)
        return;
    for (size_t i = 0; i < w->s->n_consumers; i++) {
        cg_fetch_acc_t *a = &r->acc[i];
        if (a->len == 0)
            continue;
        cg_rec_fetch(w, &w->groups[w->s->consumers[i].group], (int32_t)i, a->gp, a->n, a->len);
        a->len = 0;
    }
}
