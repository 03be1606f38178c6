/* models/partlog: the buckets a query may still ask about (see partlog_impl.h). Rare: only runs
 * whose fetches are served more than a bucket after the event that computes them (a network
 * latency or a fetch.max.wait.ms of a second or more) keep any; a partition keeps the few
 * buckets between the clock and its latest query. */
#include <assert.h>
#include <stdlib.h>
#include "models/partlog/partlog_impl.h"

static pl_hist_t *hist_of(const cg_partlog_t *pl, const pl_part_t *pp)
{
    return pl->hist ? pl->hist[pp - pl->parts] : NULL;
}

/* Drop what no query can ask about any more. */
static void prune(pl_hist_t *h, int64_t from)
{
    uint32_t k = 0;
    while (k < h->n && h->b[k].index < from)
        k++;
    if (k == 0)
        return;
    for (uint32_t i = k; i < h->n; i++)
        h->b[i - k] = h->b[i];
    h->n -= k;
}

void pl_hist_keep(cg_partlog_t *pl, const pl_part_t *pp, const pl_bucket_t *bk)
{
    int64_t from = pl_keep_from(pl);
    if (bk->index == PL_NONE || bk->index < from)
        return;
    if (!pl->hist && !(pl->hist = calloc((size_t)pl->n_parts, sizeof *pl->hist))) {
        pl->oom = true;
        return;
    }
    pl_hist_t **hp = &pl->hist[pp - pl->parts], *h = *hp;
    if (h)
        prune(h, from);
    if (!h || h->n == h->cap) {
        uint32_t cap = h ? 2 * h->cap : 4;
        pl_hist_t *g = realloc(h, sizeof *g + cap * sizeof g->b[0]);
        if (!g) {
            pl->oom = true;
            return;
        }
        if (!h)
            g->n = 0;
        g->cap = cap;
        *hp = h = g;
    }
    assert((h->n == 0 || h->b[h->n - 1].index < bk->index) && "buckets are dropped in order");
    h->b[h->n++] = *bk;
}

const pl_bucket_t *pl_hist_at(cg_partlog_t *pl, const pl_part_t *pp, int64_t b)
{
    pl_hist_t *h = hist_of(pl, pp);
    const pl_bucket_t *next = &pp->prev;
    if (h) {
        prune(h, pl_keep_from(pl));
        for (uint32_t i = 0; i < h->n; i++)
            if (h->b[i].index >= b) {
                next = &h->b[i];
                break;
            }
    }
    assert((pl->oom || b >= pl_keep_from(pl)) &&
           "partition log queried before its clock");
    if (next->index == b)
        return next;
    /* Buckets between two kept ones were jumped over: empty, their base the next one's. */
    pl->scratch = (pl_bucket_t){b, next->base, 0};
    return &pl->scratch;
}

const pl_bucket_t *pl_hist_after(const cg_partlog_t *pl, const pl_part_t *pp, int64_t b)
{
    const pl_hist_t *h = hist_of(pl, pp);
    for (uint32_t i = 0; h && i < h->n; i++)
        if (h->b[i].index > b)
            return &h->b[i];
    return NULL;
}

void pl_hist_free(cg_partlog_t *pl)
{
    for (int64_t i = 0; pl->hist && i < pl->n_parts; i++)
        free(pl->hist[i]);
    free(pl->hist);
    pl->hist = NULL;
}
