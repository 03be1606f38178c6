/* analysis/an_series: the sampled figures of a trace, from its `lag` records (design.md).
 * Each record is one sample of the group; its fields go through sim/series exactly as the run
 * summary's do (models/world/lagsample.c), so both print the same figures for one run. */
#include "analysis/an_state.h"

void an_series_init(an_grp_t *gr)
{
    for (int k = 0; k < AN_SLAG_COUNT; k++)
        sim_series_init(&gr->slag[k]);
}

void an_state_lag(an_state_t *s, size_t g, int64_t t_ns, const an_lag_rec_t *l)
{
    an_grp_t *gr = &s->grp[g];
    gr->lag_samples++;
    if (l->committed_n > 0) {
        sim_series_add(&gr->slag[AN_SLAG_COMMITTED_TOTAL], l->committed);
        sim_series_add(&gr->slag[AN_SLAG_COMMITTED_MAX], l->committed_max);
    }
    if (l->position_n > 0) {
        sim_series_add(&gr->slag[AN_SLAG_POSITION_TOTAL], l->position);
        sim_series_add(&gr->slag[AN_SLAG_POSITION_MAX], l->position_max);
    }
    if (s->obs && s->obs->lag_sample)
        s->obs->lag_sample(s->obs->ctx, g, t_ns, l->committed_n > 0 ? l->committed : -1,
                           l->position_n > 0 ? l->position : -1);
}

void an_series_summary(const an_grp_t *gr, an_group_sum_t *o)
{
    o->lag_samples = gr->lag_samples;
    o->lag_committed_total = gr->slag[AN_SLAG_COMMITTED_TOTAL];
    o->lag_committed_max = gr->slag[AN_SLAG_COMMITTED_MAX];
    o->lag_position_total = gr->slag[AN_SLAG_POSITION_TOTAL];
    o->lag_position_max = gr->slag[AN_SLAG_POSITION_MAX];
}
