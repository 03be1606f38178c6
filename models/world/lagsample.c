/* models/lagsample: continuous lag on a fixed virtual-time grid.
 *
 * At every multiple of lag_sample_ms up to the end of the run, for each group that has had its
 * first assignment, every subscribed partition (one that appeared in an assignment, as for
 * unowned time) is read once:
 *   committed lag = end - committed   (the group's last accepted commit; none: not counted)
 *   position lag  = end - position    (the trace owner's fetch position; without an owner or
 *                                      before its OffsetFetch, the committed offset, where the
 *                                      next owner resumes; neither: not counted)
 * where end is the log end offset at the sample time, and a lag below 0 counts as 0 (a position
 * can run ahead of the log end at the sample instant: see lag_of). Kafka's kafka-consumer-groups tool shows
 * the first as LAG (and "-" without a committed offset); the consumer's records-lag metric is
 * the second. The group's `lag` record carries the totals and maxima over its partitions, so the
 * committed lag keeps growing while a stuck group stops committing.
 *
 * Cost: a sample walks each group's partition table once (a flag test per partition, a log-end
 * read and an owner lookup per subscribed one): partition-seconds over a run, as the Poisson
 * buckets of models/partlog already cost. bench/rolling_1000.json measured it (README). */
#include "models/world/lagsample.h"
#include "models/world/racks.h"

#include <stdlib.h>

#include "models/client/fetch.h"
#include "models/world/latency.h"
#include "models/world/trace_rec.h"

/* The lag figures of one group at one sample. */
typedef struct lag_tick {
    int64_t partitions;               /* subscribed partitions */
    int64_t committed_n;              /* of those, with a committed offset */
    int64_t committed;                /* sum of their end - committed */
    int64_t committed_max;            /* max of end - committed (0 when committed_n is 0) */
    int64_t position_n;               /* with a position (owner's, else committed) */
    int64_t position;                 /* sum of end - position */
    int64_t position_max;             /* max of end - position (0 when position_n is 0) */
} lag_tick_t;

/* The trace owner's fetch position of every partition into pos (-1: no owner, owner not
 * running or not holding it in its table, or no position yet): one pass over the members'
 * tables instead of a search per partition. */
static void owner_positions(const cg_group_t *g, int64_t *pos)
{
    const struct cg_world *w = g->w;
    for (int64_t gp = 0; gp < w->n_parts; gp++)
        pos[gp] = -1;
    for (size_t i = 0; i < g->cfg->n_consumers; i++) {
        const cg_client_t *c = &w->clients[g->cfg->first_consumer + i];
        for (uint32_t k = 0; c->running && k < c->n_owned; k++)
            if (g->owner[c->owned[k].gp] == (int32_t)i)
                pos[c->owned[k].gp] = c->owned[k].pos;
    }
}

/* The fetch position of gp as the group stands: the trace owner's, else committed, else -1. */
static int64_t group_position(const cg_group_t *g, const int64_t *owner_pos, int32_t gp)
{
    return owner_pos[gp] >= 0 ? owner_pos[gp] : g->acked[gp];
}

/* A fetch is served at the broker's time, one network delay after the poll that sends it, so an
 * owner's position can run ahead of the log end at the sample instant: such a lag counts as 0. */
static int64_t lag_of(int64_t end, int64_t offset)
{
    return end > offset ? end - offset : 0;
}

static void tick_add(lag_tick_t *t, int64_t end, int64_t committed, int64_t position)
{
    t->partitions++;
    if (committed >= 0) {
        int64_t lag = lag_of(end, committed);
        t->committed_n++;
        t->committed += lag;
        if (lag > t->committed_max)
            t->committed_max = lag;
    }
    if (position >= 0) {
        int64_t lag = lag_of(end, position);
        t->position_n++;
        t->position += lag;
        if (lag > t->position_max)
            t->position_max = lag;
    }
}

/* The summary's figures, from the record's fields only, with sim/series as analysis/ does from
 * the trace (an_series.c). */
static void tick_summarise(cg_group_summary_t *s, const lag_tick_t *t)
{
    s->lag_samples++;
    if (t->committed_n > 0) {
        sim_series_add(&s->lag_committed_total, t->committed);
        sim_series_add(&s->lag_committed_max, t->committed_max);
    }
    if (t->position_n > 0) {
        sim_series_add(&s->lag_position_total, t->position);
        sim_series_add(&s->lag_position_max, t->position_max);
    }
}

static void sample_group(cg_group_t *g)
{
    struct cg_world *w = g->w;
    bool debug = w->opts.trace_level == CG_TRACE_DEBUG;
    lag_tick_t t = {0};
    owner_positions(g, w->sample_pos);
    for (int32_t gp = 0; gp < (int32_t)w->n_parts; gp++) {
        if (!g->assigned_ever[gp])
            continue;
        int64_t end = cg_lat_last_end(w, gp);   /* read once per sample, by the checkpoint */
        int64_t pos = group_position(g, w->sample_pos, gp);
        tick_add(&t, end, g->acked[gp], pos);
        if (debug)
            cg_rec_lag_sample(w, g, gp, end, g->acked[gp], pos);
    }
    cg_rec_lag(w, g, t.partitions, t.committed_n, t.committed, t.committed_max, t.position_n,
               t.position, t.position_max);
    tick_summarise(&g->sum, &t);
}

static void on_sample(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct cg_world *w = ctx;
    int64_t now = sim_now(sim);
    w->sample_events++;
    cg_lat_checkpoint(w, now);
    for (size_t i = 0; i < w->s->n_groups; i++) {
        if (w->groups[i].first_assignment_ns >= 0)
            sample_group(&w->groups[i]);
        cg_lat_flush(&w->groups[i]);
    }
    cg_racks_flush(w);
    int64_t next = now + w->s->lag_sample_ns;
    if (next <= w->s->duration_ns)
        sim_schedule(sim, next, on_sample, w, 0);
}

int cg_lag_start(struct cg_world *w)
{
    if (w->s->lag_sample_ns <= 0 || w->s->lag_sample_ns > w->s->duration_ns)
        return 0;
    w->sample_pos = malloc((size_t)(w->n_parts ? w->n_parts : 1) * sizeof *w->sample_pos);
    if (!w->sample_pos || cg_lat_init(w) != 0)
        return -1;
    sim_schedule(&w->sim, w->s->lag_sample_ns, on_sample, w, 0);
    return 0;
}

void cg_lag_fini(struct cg_world *w)
{
    free(w->sample_pos);
    w->sample_pos = NULL;
}

void cg_lag_finish(struct cg_world *w)
{
    if (!w->lat_rings)
        return;
    for (size_t i = 0; i < w->s->n_groups; i++)
        cg_lat_flush(&w->groups[i]);
}
