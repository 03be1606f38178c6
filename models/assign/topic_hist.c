/* models/assign/topic_hist: topic metadata versions and assignment on a compact layout. A run
 * lays out every partition it will ever have (global index topic_base[t] + p); before a topic's
 * partitions are added, the assignors must not see them, and they walk topic_base[t] ..
 * topic_base[t + 1], so they are given a layout without the reserve. */
#include "models/assign/topic_hist.h"

#include <stdio.h>
#include <stdlib.h>

uint32_t cg_topic_hist_version_at(const cg_topic_hist_t *h, int64_t t_ns)
{
    uint32_t lo = 0, hi = h->n_changes;            /* first change after t_ns */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (h->changes[mid].at_ns <= t_ns)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int32_t cg_topic_hist_count(const cg_topic_hist_t *h, uint32_t version, int32_t topic)
{
    for (uint32_t v = version; v > 0; v--)
        if (h->changes[v - 1].topic == topic)
            return h->changes[v - 1].partitions;
    return h->initial[topic].partitions;
}

void cg_topic_hist_fill(const cg_topic_hist_t *h, uint32_t version, cg_topic_meta_t *out)
{
    for (size_t t = 0; t < h->n_topics; t++)
        out[t] = h->initial[t];
    for (uint32_t v = 0; v < version && v < h->n_changes; v++)
        out[h->changes[v].topic].partitions = h->changes[v].partitions;
}

int cg_topic_hist_push(cg_topic_hist_t *h, int64_t at_ns, int32_t topic, int32_t partitions)
{
    if (h->n_changes == h->cap_changes) {
        uint32_t cap = h->cap_changes ? 2 * h->cap_changes : 8;
        cg_topic_change_t *v = realloc(h->changes, cap * sizeof *v);
        if (!v)
            return -1;
        h->changes = v;
        h->cap_changes = cap;
    }
    h->changes[h->n_changes++] = (cg_topic_change_t){at_ns, topic, partitions};
    return 0;
}

void cg_topic_hist_fini(cg_topic_hist_t *h)
{
    free(h->changes);
    h->changes = NULL;
    h->n_changes = h->cap_changes = 0;
}

static int run_compact(const cg_assignor_ops_t *a, const cg_assign_input_t *in,
                       cg_assign_output_t *out, char *err, size_t errlen)
{
    int64_t *base = malloc((in->n_topics + 1) * sizeof *base);
    int32_t *owner = NULL;
    int rc = -1;
    if (!base)
        goto oom;
    base[0] = 0;
    for (size_t t = 0; t < in->n_topics; t++)
        base[t + 1] = base[t] + in->topics[t].partitions;
    owner = malloc((size_t)(base[in->n_topics] ? base[in->n_topics] : 1) * sizeof *owner);
    if (!owner)
        goto oom;
    cg_assign_input_t c = *in;
    c.topic_base = base;
    cg_assign_output_t o = {owner};
    for (int64_t g = 0; g < base[in->n_topics]; g++)
        owner[g] = -1;
    rc = a->assign(&c, &o, err, errlen);
    for (int64_t g = 0; g < in->topic_base[in->n_topics]; g++)
        out->owner[g] = -1;
    for (size_t t = 0; rc == 0 && t < in->n_topics; t++)
        for (int64_t p = 0; p < in->topics[t].partitions; p++)
            out->owner[in->topic_base[t] + p] = owner[base[t] + p];
    free(base);
    free(owner);
    return rc;
oom:
    free(base);
    snprintf(err, errlen, "out of memory");
    return -1;
}

int cg_assign_run(const cg_assignor_ops_t *a, const cg_assign_input_t *in, cg_assign_output_t *out,
                  char *err, size_t errlen)
{
    for (size_t t = 0; t < in->n_topics; t++)
        if (in->topic_base[t + 1] - in->topic_base[t] != in->topics[t].partitions)
            return run_compact(a, in, out, err, errlen);
    return a->assign(in, out, err, errlen);
}
