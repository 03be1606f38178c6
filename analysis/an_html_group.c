/* analysis/an_html_group: one group's drawing data as JSON for the report page. A small group
 * is drawn partition by partition (a row per member, a lane per partition, plus a row of the
 * time nobody owned each partition); a large one as the partitions its members own over time,
 * consecutive members (in name order) sharing a row beyond AN_HTML_MAX_ROWS. Step functions
 * with more change points than the page needs are reduced per time bucket to the extreme value
 * they took in it (the least owned, the most stalled), so dips and peaks stay visible. */
#include "analysis/an_html_int.h"
#include "analysis/an_html.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct an_jb {
    bool oom;                         /* an allocation failed */
} an_jb_t;

static void an_jnum(an_jb_t *b, cJSON *arr, double v)
{
    cJSON *n = isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
    if (!n || !cJSON_AddItemToArray(arr, n)) {
        cJSON_Delete(n);
        b->oom = true;
    }
}

static void an_jstr(an_jb_t *b, cJSON *arr, const char *s)
{
    cJSON *n = cJSON_CreateString(s);
    if (!n || !cJSON_AddItemToArray(arr, n)) {
        cJSON_Delete(n);
        b->oom = true;
    }
}

static cJSON *an_jarr(an_jb_t *b, cJSON *obj, const char *key)
{
    cJSON *a = cJSON_AddArrayToObject(obj, key);
    if (!a)
        b->oom = true;
    return a;
}

static void an_emit(an_jb_t *b, cJSON *arr, int64_t t_ns, int64_t v, int64_t *last)
{
    if (v == *last)
        return;
    an_jnum(b, arr, an_html_s(t_ns));
    an_jnum(b, arr, (double)v);
    *last = v;
}

/* [t0, v0, t1, v1, ...]: the step function that starts at 0 and changes as d says, each point
 * holding until the next. With more than `max` change points, or always when `keep_min` (the
 * rows of one picture must share one time grid to look alike): per bucket of end_ns / max the
 * extreme value taken in it (the smallest when keep_min), then the value that leaves it. */
static void an_steps_json(an_jb_t *b, cJSON *arr, an_hdelta_t *d, int64_t end_ns, size_t max,
                          bool keep_min)
{
    an_hdelta_compact(d);
    const an_hstep_t *ev = d->ev;
    size_t k = d->n;
    int64_t v = 0, last = 0;
    if (k <= max && !keep_min) {
        for (size_t i = 0; i < k; i++) {
            v += ev[i].d;
            an_emit(b, arr, ev[i].t_ns, v, &last);
        }
        return;
    }
    int64_t width = end_ns / (int64_t)max + 1;
    for (size_t i = 0; i < k;) {
        int64_t start = ev[i].t_ns / width * width, ext = v;
        bool carried = ev[i].t_ns > start;   /* the value entering the bucket holds a while */
        for (bool first = true; i < k && ev[i].t_ns < start + width; i++, first = false) {
            v += ev[i].d;
            if (first && !carried)
                ext = v;
            ext = keep_min ? (v < ext ? v : ext) : (v > ext ? v : ext);
        }
        an_emit(b, arr, start, ext, &last);
        if (v != ext)
            an_emit(b, arr, start + width < end_ns ? start + width : end_ns, v, &last);
    }
}

/* ---- rows ---- */

typedef struct an_hrows {
    size_t *order;                    /* member indexes in name order */
    size_t *row_of;                   /* member index -> row */
    size_t n_rows;                    /* rows (members, or buckets of per_row members) */
    size_t per_row;                   /* members per row */
} an_hrows_t;

/* Sort keys carry what they compare, so the comparators need no context. */
typedef struct an_hkey {
    const char *name;                 /* member name, or topic */
    int64_t partition;                /* partition (lanes) */
    size_t idx;                       /* member or partition index */
} an_hkey_t;

static int an_member_cmp(const void *pa, const void *pb)
{
    const an_hkey_t *a = pa, *b = pb;
    int c = an_html_name_cmp(a->name, b->name);
    return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

static int an_rows_init(an_hrows_t *r, const an_group_sum_t *gs, size_t max_rows)
{
    size_t n = gs->n_members;
    an_hkey_t *keys = malloc((n ? n : 1) * sizeof *keys);
    r->order = malloc((n ? n : 1) * sizeof *r->order);
    r->row_of = malloc((n ? n : 1) * sizeof *r->row_of);
    if (!keys || !r->order || !r->row_of) {
        free(keys);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        keys[i] = (an_hkey_t){gs->members[i].name, 0, i};
    qsort(keys, n, sizeof *keys, an_member_cmp);
    for (size_t i = 0; i < n; i++)
        r->order[i] = keys[i].idx;
    free(keys);
    r->per_row = n > max_rows ? (n + max_rows - 1) / max_rows : 1;
    r->n_rows = (n + r->per_row - 1) / r->per_row;
    for (size_t i = 0; i < n; i++)
        r->row_of[r->order[i]] = i / r->per_row;
    return 0;
}

static void an_rows_fini(an_hrows_t *r)
{
    free(r->order);
    free(r->row_of);
}

static void an_rows_labels(an_jb_t *b, cJSON *arr, const an_hrows_t *r, const an_group_sum_t *gs)
{
    for (size_t row = 0; row < r->n_rows; row++) {
        size_t first = row * r->per_row, last = first + r->per_row - 1;
        if (last >= gs->n_members)
            last = gs->n_members - 1;
        if (first == last) {
            an_jstr(b, arr, gs->members[r->order[first]].name);
            continue;
        }
        const char *x = gs->members[r->order[first]].name, *y = gs->members[r->order[last]].name;
        size_t len = strlen(x) + strlen(y) + 8;
        char *lab = malloc(len);
        if (!lab) {
            b->oom = true;
            return;
        }
        snprintf(lab, len, "%s .. %s", x, y);
        an_jstr(b, arr, lab);
        free(lab);
    }
}

/* ---- the detailed view: lanes are the subscribed partitions by (topic, partition) ---- */

static int an_lane_cmp(const void *pa, const void *pb)
{
    const an_hkey_t *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);
    if (c)
        return c;
    if (a->partition != b->partition)
        return a->partition < b->partition ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

static void an_span4(an_jb_t *b, cJSON *arr, size_t row, int64_t lane, int64_t a, int64_t z)
{
    an_jnum(b, arr, (double)row);
    an_jnum(b, arr, (double)lane);
    an_jnum(b, arr, an_html_s(a));
    an_jnum(b, arr, an_html_s(z));
}

static void an_detail_json(an_jb_t *b, cJSON *o, const an_hgrp_t *h, const an_group_sum_t *gs,
                           const an_hrows_t *r)
{
    an_hkey_t *lanes = malloc((gs->n_parts ? gs->n_parts : 1) * sizeof *lanes);
    int64_t *lane_of = malloc((gs->n_parts ? gs->n_parts : 1) * sizeof *lane_of);
    cJSON *names = an_jarr(b, o, "lanes"), *spans = an_jarr(b, o, "spans");
    cJSON *stalls = an_jarr(b, o, "stalls");
    if (!lanes || !lane_of || !names || !spans || !stalls) {
        free(lanes);
        free(lane_of);
        b->oom = true;
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < gs->n_parts; i++) {
        lane_of[i] = -1;
        if (gs->parts[i].subscribed)
            lanes[n++] = (an_hkey_t){gs->parts[i].topic, gs->parts[i].partition, i};
    }
    qsort(lanes, n, sizeof *lanes, an_lane_cmp);
    for (size_t i = 0; i < n; i++) {
        char lab[512];
        lane_of[lanes[i].idx] = (int64_t)i;
        snprintf(lab, sizeof lab, "%.480s-%" PRId64, lanes[i].name, lanes[i].partition);
        an_jstr(b, names, lab);
    }
    for (size_t i = 0; h && i < h->n_spans; i++)
        if (lane_of[h->spans[i].part] >= 0)
            an_span4(b, spans, r->row_of[h->spans[i].member], lane_of[h->spans[i].part],
                     h->spans[i].a_ns, h->spans[i].b_ns);
    for (size_t i = 0; h && i < h->n_unowned; i++)   /* the last row: nobody owned it */
        if (h->unowned[i].part != AN_NO_GROUP && lane_of[h->unowned[i].part] >= 0)
            an_span4(b, spans, r->n_rows, lane_of[h->unowned[i].part], h->unowned[i].a_ns,
                     h->unowned[i].b_ns);
    for (size_t i = 0; h && i < h->n_stalls; i++)
        if (lane_of[h->stalls[i].part] >= 0)
            an_span4(b, stalls, r->row_of[h->stalls[i].member], lane_of[h->stalls[i].part],
                     h->stalls[i].a_ns, h->stalls[i].b_ns);
    free(lanes);
    free(lane_of);
}

/* ---- the aggregated view: partitions owned by each row's members over time ---- */

static void an_heat_json(an_jb_t *b, cJSON *o, an_hgrp_t *h, const an_hrows_t *r,
                         const an_group_sum_t *gs, int64_t end_ns)
{
    cJSON *rows = an_jarr(b, o, "heat");
    an_hdelta_t d = {0};
    for (size_t row = 0; rows && row < r->n_rows && !b->oom; row++) {
        d.n = 0;
        for (size_t i = row * r->per_row; i < (row + 1) * r->per_row && i < gs->n_members; i++) {
            size_t m = r->order[i];
            const an_hdelta_t *md = h && m < h->n_owned ? &h->owned[m] : NULL;
            if (!md || md->n == 0)
                continue;
            size_t cap = d.cap;
            if (d.n + md->n > d.cap) {
                while (cap < d.n + md->n)
                    cap = cap ? 2 * cap : 1024;
                an_hstep_t *ev = realloc(d.ev, cap * sizeof *ev);
                if (!ev) {
                    b->oom = true;
                    break;
                }
                d.ev = ev;
                d.cap = cap;
            }
            memcpy(d.ev + d.n, md->ev, md->n * sizeof *md->ev);
            d.n += md->n;
        }
        cJSON *arr = cJSON_CreateArray();
        if (!arr || !cJSON_AddItemToArray(rows, arr)) {
            cJSON_Delete(arr);
            b->oom = true;
            break;
        }
        an_steps_json(b, arr, &d, end_ns, AN_HTML_MAX_ROW_POINTS, true);
    }
    free(d.ev);
}

/* ---- marks and series ---- */

static void an_bands_json(an_jb_t *b, cJSON *o, const an_hgrp_t *h, int64_t end_ns)
{
    cJSON *arr = an_jarr(b, o, "bands");
    size_t n = h ? h->n_bands : 0;
    for (size_t i = 0; arr && i < n && i < AN_HTML_MAX_MARKS; i++) {
        const an_hband_t *x = &h->bands[i];
        int64_t a = x->t_ns - (int64_t)llround(x->dur_ms * 1e6);
        an_jnum(b, arr, an_html_s(a > 0 ? a : 0));
        an_jnum(b, arr, an_html_s(x->t_ns));
        an_jnum(b, arr, (double)x->gen);
        an_jnum(b, arr, (double)x->members);
        an_jnum(b, arr, (double)x->moved);
    }
    if (!cJSON_AddNumberToObject(o, "bands_total", (double)n))
        b->oom = true;
    cJSON *open = an_jarr(b, o, "open_band");
    if (open && h && h->open) {
        an_jnum(b, open, an_html_s(h->open_ns));
        an_jnum(b, open, an_html_s(end_ns));
    }
}

/* The row of the member a target "group/member" names, or -1. */
static double an_fault_row(const an_group_sum_t *gs, const an_hrows_t *r, const char *target)
{
    size_t gl = strlen(gs->name);
    if (strncmp(target, gs->name, gl) != 0 || target[gl] != '/')
        return -1;
    for (size_t m = 0; m < gs->n_members; m++)
        if (strcmp(gs->members[m].name, target + gl + 1) == 0)
            return (double)r->row_of[m];
    return -1;
}

static void an_faults_json(an_jb_t *b, cJSON *o, const an_hctx_t *c, const an_result_t *res,
                           size_t g, const an_hrows_t *r)
{
    cJSON *arr = an_jarr(b, o, "faults");
    size_t shown = 0, total = 0;
    for (size_t i = 0; arr && i < c->n_faults; i++) {
        const an_hfault_t *f = &c->faults[i];
        if (!an_hctx_fault_in_group(res, f, g))
            continue;
        total++;
        if (shown++ >= AN_HTML_MAX_MARKS)
            continue;
        cJSON *one = cJSON_CreateArray();
        if (!one || !cJSON_AddItemToArray(arr, one)) {
            cJSON_Delete(one);
            b->oom = true;
            return;
        }
        an_jnum(b, one, an_html_s(f->t_ns));
        an_jstr(b, one, f->action);
        an_jstr(b, one, f->target);
        an_jnum(b, one, f->applied);
        an_jnum(b, one, an_fault_row(&res->groups[g], r, f->target));
    }
    if (!cJSON_AddNumberToObject(o, "faults_total", (double)total))
        b->oom = true;
}

static void an_series_json(an_jb_t *b, cJSON *o, const an_hseries_t *s, bool two)
{
    cJSON *t = an_jarr(b, o, "t"), *c = an_jarr(b, o, "c"), *p = two ? an_jarr(b, o, "p") : NULL;
    for (size_t i = 0; t && c && i < s->n; i++) {
        an_jnum(b, t, s->t_s[i]);
        an_jnum(b, c, s->v[0][i] >= 0 ? (double)s->v[0][i] : NAN);
        if (p)
            an_jnum(b, p, s->v[1][i] >= 0 ? (double)s->v[1][i] : NAN);
    }
}

static void an_lag_json(an_jb_t *b, cJSON *o, const an_hgrp_t *h, int64_t end_ns)
{
    cJSON *lag = cJSON_AddObjectToObject(o, "lag");
    if (!lag) {
        b->oom = true;
        return;
    }
    bool sampled = h && h->lag.n > 0, commits = h && h->commit_lag.n > 0;
    if (!cJSON_AddStringToObject(lag, "kind", sampled ? "sampled" : commits ? "commits" : "none"))
        b->oom = true;
    if (sampled)
        an_series_json(b, lag, &h->lag, true);
    else if (commits)
        an_series_json(b, lag, &h->commit_lag, false);
    if (!cJSON_AddNumberToObject(lag, "end", an_html_s(end_ns)))
        b->oom = true;
}

/* Stalled partitions over time: unowned ones plus those owned by a stopped member. */
static void an_stalled_json(an_jb_t *b, cJSON *o, an_hgrp_t *h, int64_t end_ns)
{
    cJSON *arr = an_jarr(b, o, "stalled");
    if (arr && h)
        an_steps_json(b, arr, &h->stalled, end_ns, AN_HTML_MAX_POINTS, false);
}

static void an_cdf_json(an_jb_t *b, cJSON *o, const an_group_sum_t *gs)
{
    cJSON *arr = an_jarr(b, o, "cdf");
    size_t n = (size_t)gs->rebalances, step = n > AN_HTML_MAX_POINTS ? n / AN_HTML_MAX_POINTS : 1;
    for (size_t i = 0; arr && i < n; i += step)
        an_jnum(b, arr, round(gs->rebalance_durations_ms[i] * 1e3) / 1e3);
    if (arr && n > 0 && (n - 1) % step != 0)   /* the largest is always drawn */
        an_jnum(b, arr, round(gs->rebalance_durations_ms[n - 1] * 1e3) / 1e3);
    const double q[3] = {gs->rebalance_ms.p50, gs->rebalance_ms.p99, gs->rebalance_ms.max};
    const char *const k[3] = {"p50", "p99", "max"};
    for (int i = 0; i < 3; i++)
        if (!cJSON_AddItemToObject(o, k[i], isfinite(q[i]) ? cJSON_CreateNumber(round(q[i] * 1e3)
                                                                               / 1e3)
                                                       : cJSON_CreateNull()))
            b->oom = true;
}

static bool an_detailed(const an_hgrp_t *h, const an_group_sum_t *gs)
{
    return gs->partitions <= AN_HTML_DETAIL_MAX_PARTS &&
           gs->n_members <= AN_HTML_DETAIL_MAX_MEMBERS && (!h || !h->too_many);
}

cJSON *an_hctx_group_json(an_hctx_t *c, const an_result_t *res, size_t g)
{
    const an_group_sum_t *gs = &res->groups[g];
    an_hgrp_t *h = g < c->n_g ? &c->g[g] : NULL;
    int64_t end_ns = (int64_t)llround(res->end_ms * 1e6);
    bool detail = an_detailed(h, gs);
    an_jb_t b = {false};
    int64_t grid_ns = end_ns / AN_HTML_MAX_ROW_POINTS + 1;
    an_hrows_t r = {0};
    cJSON *o = cJSON_CreateObject();
    if (!o || an_rows_init(&r, gs, detail ? SIZE_MAX : AN_HTML_MAX_ROWS) != 0) {
        an_rows_fini(&r);
        cJSON_Delete(o);
        return NULL;
    }
    if (!cJSON_AddStringToObject(o, "name", gs->name) ||
        !cJSON_AddStringToObject(o, "mode", detail ? "detail" : "heat") ||
        !cJSON_AddNumberToObject(o, "per_row", (double)r.per_row) ||
        !cJSON_AddNumberToObject(o, "partitions", (double)gs->partitions) ||
        !cJSON_AddNumberToObject(o, "members", (double)gs->n_members) ||
        !cJSON_AddNumberToObject(o, "grid", detail ? 0 : an_html_s(grid_ns)))
        b.oom = true;
    cJSON *rows = an_jarr(&b, o, "rows");
    if (rows)
        an_rows_labels(&b, rows, &r, gs);
    if (detail)
        an_detail_json(&b, o, h, gs, &r);
    else
        an_heat_json(&b, o, h, &r, gs, end_ns);
    an_bands_json(&b, o, h, end_ns);
    an_faults_json(&b, o, c, res, g, &r);
    an_lag_json(&b, o, h, end_ns);
    an_stalled_json(&b, o, h, end_ns);
    an_cdf_json(&b, o, gs);
    an_rows_fini(&r);
    if (b.oom) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
