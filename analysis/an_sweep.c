/* analysis/an_sweep: sweep summaries. Every replicate r of every point ran with the same master
 * seed, so the difference point - baseline on replicate r is paired (common random numbers) and
 * its interval is much narrower than the two points' own intervals suggest. */
#include "analysis/an_sweep.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

size_t an_sweep_points(const an_sweep_axis_t *axes, size_t n_axes)
{
    size_t n = 1;
    for (size_t a = 0; a < n_axes; a++)
        n *= axes[a].n_values;
    return n;
}

void an_sweep_point_decode(const an_sweep_axis_t *axes, size_t n_axes, size_t p, size_t *idx)
{
    for (size_t a = n_axes; a-- > 0;) {
        idx[a] = p % axes[a].n_values;
        p /= axes[a].n_values;
    }
}

cJSON *an_sweep_overrides_json(const an_sweep_axis_t *axes, size_t n_axes, size_t p)
{
    size_t idx[AN_SWEEP_MAX_AXES];
    an_sweep_point_decode(axes, n_axes, p, idx);
    cJSON *o = cJSON_CreateObject();
    for (size_t a = 0; o && a < n_axes; a++)
        if (!cJSON_AddStringToObject(o, axes[a].path, axes[a].values[idx[a]])) {
            cJSON_Delete(o);
            return NULL;
        }
    return o;
}

static cJSON *an_sweep_point_json(const an_sweep_desc_t *d, const an_compare_t *t, size_t p,
                                  size_t failed)
{
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddNumberToObject(o, "point", (double)p) ||
        !cJSON_AddItemToObject(o, "overrides", an_sweep_overrides_json(d->axes, d->n_axes, p)) ||
        !cJSON_AddNumberToObject(o, "runs", (double)(t->n_seeds - failed)) ||
        !cJSON_AddNumberToObject(o, "failed", (double)failed) ||
        !cJSON_AddItemToObject(o, "figures", an_compare_figs_json(t, p, false, 0)) ||
        !cJSON_AddItemToObject(o, "vs_baseline", an_compare_figs_json(t, p, true, d->baseline))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *an_sweep_axes_json(const an_sweep_desc_t *d)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t a = 0; arr && a < d->n_axes; a++) {
        cJSON *ax = cJSON_CreateObject();
        cJSON *vals = cJSON_CreateStringArray((const char *const *)d->axes[a].values,
                                              (int)d->axes[a].n_values);
        if (!ax || !vals || !cJSON_AddStringToObject(ax, "path", d->axes[a].path) ||
            !cJSON_AddItemToObject(ax, "values", vals) || !cJSON_AddItemToArray(arr, ax)) {
            cJSON_Delete(vals);
            cJSON_Delete(ax);
            cJSON_Delete(arr);
            return NULL;
        }
    }
    return arr;
}

cJSON *an_sweep_summary_json(const an_sweep_desc_t *d, const an_compare_t *t,
                             const size_t *failed)
{
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)d->base_seed);
    cJSON *root = cJSON_CreateObject();
    cJSON *points = cJSON_CreateArray();
    bool ok = root && points && cJSON_AddStringToObject(root, "scenario", d->scenario) &&
              cJSON_AddStringToObject(root, "base_seed", seed) &&
              cJSON_AddNumberToObject(root, "seeds", (double)d->seeds) &&
              cJSON_AddItemToObject(root, "axes", an_sweep_axes_json(d)) &&
              cJSON_AddNumberToObject(root, "baseline", (double)d->baseline);
    if (ok)
        ok = cJSON_AddItemToObject(root, "points", points);
    else
        cJSON_Delete(points);
    for (size_t p = 0; ok && p < t->n_assignors; p++) {
        cJSON *pj = an_sweep_point_json(d, t, p, failed[p]);
        ok = pj && cJSON_AddItemToArray(points, pj);
        if (!ok)
            cJSON_Delete(pj);
    }
    if (!ok) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

/* A CSV field: quoted when it holds a comma, quote or newline (quotes doubled). */
static void an_csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void an_csv_num(FILE *out, double v)
{
    if (isfinite(v))
        fprintf(out, ",%.6f", an_stats_round6(v));
    else
        fputc(',', out);
}

static void an_csv_ci(FILE *out, an_ci_t ci)
{
    fprintf(out, ",%zu", ci.n);
    an_csv_num(out, ci.mean);
    an_csv_num(out, ci.lo);
    an_csv_num(out, ci.hi);
}

int an_sweep_summary_csv(const an_sweep_desc_t *d, const an_compare_t *t, FILE *out)
{
    fputs("point", out);
    for (size_t a = 0; a < d->n_axes; a++) {
        fputc(',', out);
        an_csv_field(out, d->axes[a].path);
    }
    fputs(",figure,n,mean,ci95_lo,ci95_hi,diff_n,diff_mean,diff_ci95_lo,diff_ci95_hi\n", out);
    size_t idx[AN_SWEEP_MAX_AXES];
    for (size_t p = 0; p < t->n_assignors; p++) {
        an_sweep_point_decode(d->axes, d->n_axes, p, idx);
        for (int f = 0; f < AN_FIG_COUNT; f++) {
            fprintf(out, "%zu", p);
            for (size_t a = 0; a < d->n_axes; a++) {
                fputc(',', out);
                an_csv_field(out, d->axes[a].values[idx[a]]);
            }
            fprintf(out, ",%s", an_fig_name((an_fig_t)f));
            an_csv_ci(out, an_compare_ci(t, p, (an_fig_t)f));
            an_csv_ci(out, an_compare_paired_vs(t, d->baseline, p, (an_fig_t)f));
            fputc('\n', out);
        }
    }
    return ferror(out) ? -1 : 0;
}
