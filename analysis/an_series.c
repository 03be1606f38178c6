/* analysis/an_series: the sampled figures of a trace, from its `lag` records (design.md).
 * Each record is one sample of the group; its fields go through sim/series exactly as the run
 * summary's do (models/world/lagsample.c), so both print the same figures for one run. */
#include "analysis/an_state.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void an_series_init(an_grp_t *gr)
{
    for (int k = 0; k < AN_SLAG_COUNT; k++)
        sim_series_init(&gr->slag[k]);
    gr->lat_max_ns = -1;
}

void an_series_fini(an_grp_t *gr)
{
    free(gr->lat_counts);
    gr->lat_counts = NULL;
}

int an_state_latency(an_state_t *s, size_t g, int64_t records, int64_t max_ns,
                     const int64_t *counts)
{
    an_grp_t *gr = &s->grp[g];
    if (!gr->lat_counts && !(gr->lat_counts = calloc(SIM_LOGHIST_BUCKETS, sizeof(int64_t))))
        return -1;
    gr->lat_records = an_sat_add(gr->lat_records, records);
    if (max_ns > gr->lat_max_ns)
        gr->lat_max_ns = max_ns;
    for (int b = 0; b < SIM_LOGHIST_BUCKETS; b++)
        gr->lat_counts[b] = an_sat_add(gr->lat_counts[b], counts[b]);
    return 0;
}

/* p50 and p99 of summed counts, in ms (NaN without records). */
void an_latency_quantiles(an_group_sum_t *o)
{
    uint64_t max_us = o->latency_max_ns > 0 ? (uint64_t)o->latency_max_ns / 1000 : 0;
    o->latency_p50_ms = o->latency_records > 0
        ? (double)sim_loghist_quantile(o->latency_counts, 0.5, max_us) / 1e3 : NAN;
    o->latency_p99_ms = o->latency_records > 0
        ? (double)sim_loghist_quantile(o->latency_counts, 0.99, max_us) / 1e3 : NAN;
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
    o->latency_records = gr->lat_records;
    o->latency_max_ns = gr->lat_max_ns;
    if (gr->lat_counts)
        memcpy(o->latency_counts, gr->lat_counts, sizeof o->latency_counts);
    an_latency_quantiles(o);
}
