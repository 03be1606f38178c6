/* analysis/an_html_data: what the report page draws, collected from the analysis observer while
 * the trace streams by and reduced to bounded JSON at the end. Intervals are kept whole (they
 * are O(ownership changes), far fewer than trace lines); long series are merged keeping their
 * extremes, so a short stall or a lag peak survives the reduction. */
#include "analysis/an_html_int.h"
#include "analysis/an_html.h"
#include "analysis/an_map.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double an_html_s(int64_t t_ns)
{
    return round((double)t_ns / 1e6) / 1e3;
}

static an_hgrp_t *an_h_group(an_hctx_t *c, size_t g)
{
    if (g >= c->n_g) {
        size_t cap = c->n_g;
        if (an_grow((void **)&c->g, &cap, g + 1, sizeof *c->g)) {
            c->oom = true;
            return NULL;
        }
        c->n_g = cap;
    }
    return &c->g[g];
}

static void an_h_span(an_hctx_t *c, an_hspan_t **v, size_t *n, size_t *cap, an_hspan_t s)
{
    if (an_grow((void **)v, cap, *n + 1, sizeof **v)) {
        c->oom = true;
        return;
    }
    (*v)[(*n)++] = s;
}

/* ---- series merged by point count (lag) ---- */

static void an_hs_halve(an_hseries_t *s)
{
    for (size_t i = 0; i < s->n / 2; i++) {
        s->t_s[i] = s->t_s[2 * i];
        for (int k = 0; k < 2; k++) {
            int64_t a = s->v[k][2 * i], b = s->v[k][2 * i + 1];
            s->v[k][i] = a > b ? a : b;
        }
    }
    s->n /= 2;
    s->per *= 2;
}

static void an_hs_add(an_hctx_t *c, an_hseries_t *s, int64_t t_ns, int64_t v0, int64_t v1)
{
    if (s->per == 0)
        s->per = 1;
    if (s->pending > 0 && s->pending < s->per) {
        if (v0 > s->v[0][s->n - 1])
            s->v[0][s->n - 1] = v0;
        if (v1 > s->v[1][s->n - 1])
            s->v[1][s->n - 1] = v1;
        s->pending++;
        return;
    }
    if (s->n >= 2 * AN_HTML_MAX_POINTS)
        an_hs_halve(s);
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        double *t = realloc(s->t_s, cap * sizeof *t);
        if (t)
            s->t_s = t;
        for (int k = 0; k < 2 && t; k++) {
            int64_t *v = realloc(s->v[k], cap * sizeof *v);
            if (v)
                s->v[k] = v;
            t = v ? t : NULL;
        }
        if (!t) {
            c->oom = true;
            return;
        }
        s->cap = cap;
    }
    s->t_s[s->n] = an_html_s(t_ns);
    s->v[0][s->n] = v0;
    s->v[1][s->n] = v1;
    s->n++;
    s->pending = 1;
}

/* ---- step functions as changes ---- */

static int an_step_cmp(const void *pa, const void *pb)
{
    const an_hstep_t *a = pa, *b = pb;
    if (a->t_ns != b->t_ns)
        return a->t_ns < b->t_ns ? -1 : 1;
    return (a->d > b->d) - (a->d < b->d);
}

void an_hdelta_compact(an_hdelta_t *d)
{
    if (d->n == 0)
        return;
    qsort(d->ev, d->n, sizeof *d->ev, an_step_cmp);
    size_t k = 0, j = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (k > 0 && d->ev[k - 1].t_ns == d->ev[i].t_ns)
            d->ev[k - 1].d += d->ev[i].d;
        else
            d->ev[k++] = d->ev[i];
    }
    for (size_t i = 0; i < k; i++)
        if (d->ev[i].d != 0)
            d->ev[j++] = d->ev[i];
    d->n = j;
    d->compact_at = 2 * j > 256 ? 2 * j : 256;
}

static void an_hdelta_add(an_hctx_t *c, an_hdelta_t *d, int64_t a_ns, int64_t b_ns, int64_t n)
{
    if (d->n + 2 > d->cap && an_grow((void **)&d->ev, &d->cap, d->n + 2, sizeof *d->ev)) {
        c->oom = true;
        return;
    }
    d->ev[d->n++] = (an_hstep_t){a_ns, n};
    d->ev[d->n++] = (an_hstep_t){b_ns, -n};
    if (d->n >= d->compact_at)
        an_hdelta_compact(d);
}

/* ---- observer ---- */

/* The detailed view's intervals are dropped once there are more than it draws. */
static void an_h_detail(an_hctx_t *c, an_hgrp_t *gr, int which, an_hspan_t sp)
{
    if (gr->too_many)
        return;
    if (gr->n_spans + gr->n_stalls + gr->n_unowned >= AN_HTML_DETAIL_MAX_SPANS) {
        gr->too_many = true;
        free(gr->spans);
        free(gr->stalls);
        free(gr->unowned);
        gr->spans = gr->stalls = gr->unowned = NULL;
        gr->n_spans = gr->n_stalls = gr->n_unowned = 0;
        gr->cap_spans = gr->cap_stalls = gr->cap_unowned = 0;
        return;
    }
    if (which == 0)
        an_h_span(c, &gr->spans, &gr->n_spans, &gr->cap_spans, sp);
    else if (which == 1)
        an_h_span(c, &gr->stalls, &gr->n_stalls, &gr->cap_stalls, sp);
    else
        an_h_span(c, &gr->unowned, &gr->n_unowned, &gr->cap_unowned, sp);
}

static void an_h_owned(void *ctx, size_t g, size_t part, size_t m, int64_t a, int64_t b)
{
    an_hctx_t *c = ctx;
    an_hgrp_t *gr = an_h_group(c, g);
    if (!gr || b <= a)
        return;
    an_h_detail(c, gr, 0, (an_hspan_t){part, m, a, b});
    if (m >= gr->n_owned) {
        size_t cap = gr->n_owned;
        if (an_grow((void **)&gr->owned, &cap, m + 1, sizeof *gr->owned)) {
            c->oom = true;
            return;
        }
        gr->n_owned = cap;
    }
    an_hdelta_add(c, &gr->owned[m], a, b, 1);
}

static void an_h_stalled(void *ctx, size_t g, size_t part, size_t m, int64_t a, int64_t b)
{
    an_hctx_t *c = ctx;
    an_hgrp_t *gr = an_h_group(c, g);
    if (!gr || b <= a)
        return;
    an_h_detail(c, gr, 1, (an_hspan_t){part, m, a, b});
    an_hdelta_add(c, &gr->stalled, a, b, 1);
}

static void an_h_unowned(void *ctx, size_t g, size_t part, int64_t n, int64_t a, int64_t b)
{
    an_hctx_t *c = ctx;
    an_hgrp_t *gr = an_h_group(c, g);
    if (!gr || b <= a || n <= 0)
        return;
    if (part != AN_NO_GROUP)
        an_h_detail(c, gr, 2, (an_hspan_t){part, (size_t)n, a, b});
    an_hdelta_add(c, &gr->stalled, a, b, n);
}

static void an_h_rebalance(void *ctx, size_t g, int64_t t_ns, double dur_ms, int64_t gen,
                           int64_t members, int64_t moved)
{
    an_hctx_t *c = ctx;
    an_hgrp_t *gr = an_h_group(c, g);
    if (!gr)
        return;
    if (an_grow((void **)&gr->bands, &gr->cap_bands, gr->n_bands + 1, sizeof *gr->bands)) {
        c->oom = true;
        return;
    }
    gr->bands[gr->n_bands++] = (an_hband_t){t_ns, dur_ms, gen, members, moved};
    gr->open = false;
}

/* A rebalance_start opens a band that only its rebalance_end closes (a failover may lose it and
 * start it again): one left open at the end of the run is drawn to the end. */
static void an_h_mark(void *ctx, int64_t t_ns, an_mark_kind_t kind, size_t g, const char *label)
{
    an_hctx_t *c = ctx;
    (void)label;
    if (kind != AN_MARK_REBALANCE_START)
        return;
    an_hgrp_t *gr = an_h_group(c, g);
    if (gr && !gr->open) {
        gr->open = true;
        gr->open_ns = t_ns;
    }
}

static void an_h_lag_sample(void *ctx, size_t g, int64_t t_ns, int64_t committed,
                            int64_t position)
{
    an_hctx_t *c = ctx;
    an_hgrp_t *gr = an_h_group(c, g);
    if (gr)
        an_hs_add(c, &gr->lag, t_ns, committed, position);
}

static void an_h_commit_lag(void *ctx, size_t g, int64_t t_ns, int64_t total)
{
    an_hctx_t *c = ctx;
    an_hgrp_t *gr = an_h_group(c, g);
    if (gr)
        an_hs_add(c, &gr->commit_lag, t_ns, total, -1);
}

static void an_h_fault(void *ctx, int64_t t_ns, const char *action, const char *target,
                       bool applied)
{
    an_hctx_t *c = ctx;
    if (an_grow((void **)&c->faults, &c->cap_faults, c->n_faults + 1, sizeof *c->faults)) {
        c->oom = true;
        return;
    }
    an_hfault_t *f = &c->faults[c->n_faults];
    f->t_ns = t_ns;
    f->action = strdup(action);
    f->target = strdup(target);
    f->applied = applied;
    if (!f->action || !f->target) {
        free(f->action);
        free(f->target);
        c->oom = true;
        return;
    }
    c->n_faults++;
}

void an_hctx_observer(an_hctx_t *c, an_observer_t *obs)
{
    memset(c, 0, sizeof *c);
    memset(obs, 0, sizeof *obs);
    obs->ctx = c;
    obs->owned = an_h_owned;
    obs->stalled = an_h_stalled;
    obs->unowned = an_h_unowned;
    obs->rebalance = an_h_rebalance;
    obs->mark = an_h_mark;
    obs->lag_sample = an_h_lag_sample;
    obs->lag = an_h_commit_lag;
    obs->fault = an_h_fault;
}

void an_hctx_fini(an_hctx_t *c)
{
    for (size_t g = 0; g < c->n_g; g++) {
        an_hgrp_t *gr = &c->g[g];
        free(gr->spans);
        free(gr->stalls);
        free(gr->unowned);
        free(gr->bands);
        for (size_t m = 0; m < gr->n_owned; m++)
            free(gr->owned[m].ev);
        free(gr->owned);
        free(gr->stalled.ev);
        for (int k = 0; k < 2; k++) {
            free(gr->lag.v[k]);
            free(gr->commit_lag.v[k]);
        }
        free(gr->lag.t_s);
        free(gr->commit_lag.t_s);
    }
    free(c->g);
    for (size_t i = 0; i < c->n_faults; i++) {
        free(c->faults[i].action);
        free(c->faults[i].target);
    }
    free(c->faults);
    memset(c, 0, sizeof *c);
}

/* ---- names ---- */

int an_html_name_cmp(const char *a, const char *b)
{
    const char *x = a, *y = b;
    while (*x && *y) {
        if (isdigit((unsigned char)*x) && isdigit((unsigned char)*y)) {
            while (*x == '0')
                x++;
            while (*y == '0')
                y++;
            size_t nx = 0, ny = 0;
            while (isdigit((unsigned char)x[nx]))
                nx++;
            while (isdigit((unsigned char)y[ny]))
                ny++;
            if (nx != ny)
                return nx < ny ? -1 : 1;
            int d = strncmp(x, y, nx);
            if (d)
                return d;
            x += nx;
            y += ny;
            continue;
        }
        if (*x != *y)
            return (unsigned char)*x < (unsigned char)*y ? -1 : 1;
        x++;
        y++;
    }
    if (*x || *y)
        return *x ? 1 : -1;
    return strcmp(a, b);   /* "c01" and "c1": still a total order */
}

/* A target "g" or "g/member" names group g; the longest such group wins. */
static bool an_h_names_group(const char *target, const char *g)
{
    size_t n = strlen(g);
    return strncmp(target, g, n) == 0 && (target[n] == '\0' || target[n] == '/');
}

bool an_hctx_fault_in_group(const an_result_t *res, const an_hfault_t *f, size_t g)
{
    size_t best = AN_NO_GROUP, best_len = 0;
    for (size_t i = 0; i < res->n_groups; i++) {
        size_t n = strlen(res->groups[i].name);
        if (an_h_names_group(f->target, res->groups[i].name) && (best == AN_NO_GROUP ||
                                                                 n > best_len)) {
            best = i;
            best_len = n;
        }
    }
    if (best != AN_NO_GROUP)
        return best == g;
    bool topic_read_by_any = false, read_by_g = false;
    for (size_t i = 0; i < res->n_groups; i++)
        for (size_t p = 0; p < res->groups[i].n_parts; p++)
            if (res->groups[i].parts[p].subscribed &&
                strcmp(res->groups[i].parts[p].topic, f->target) == 0) {
                topic_read_by_any = true;
                read_by_g = read_by_g || i == g;
                break;
            }
    return topic_read_by_any ? read_by_g : true;
}
