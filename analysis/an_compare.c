/* analysis/an_compare: per-assignor statistics over seeds. Seeds are paired: seed i runs every
 * assignor with the same master seed, and the RNG streams are per entity (common random numbers),
 * so the paired difference removes most of the seed-to-seed noise. */
#include "analysis/an_compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const AN_FIG_NAMES[AN_FIG_COUNT] = {
    "rebalances", "rebalance_ms_p50", "rebalance_ms_p90", "rebalance_ms_p99",
    "rebalance_ms_max", "rebalance_ms_mean", "stalled_partition_ms", "unavailable_partition_ms", "moved_partitions",
    "duplicates", "zombie_records", "max_lag_records", "lag_mean_records",
    "sampled_committed_lag_mean", "sampled_committed_lag_max", "sampled_position_lag_max",
    "latency_ms_p50", "latency_ms_p99", "latency_ms_max",
    "commits_failed",
    "balance_mean", "records_consumed", "cross_rack_percent",
};

const char *an_fig_name(an_fig_t f)
{
    return f < AN_FIG_COUNT ? AN_FIG_NAMES[f] : "?";
}

int an_figures_of(const an_result_t *res, double out[AN_FIG_COUNT])
{
    an_group_sum_t t;
    if (an_result_total(res, &t))
        return -1;
    out[AN_FIG_REBALANCES] = (double)t.rebalances;
    out[AN_FIG_REBALANCE_MS_P50] = t.rebalance_ms.p50;
    out[AN_FIG_REBALANCE_MS_P90] = t.rebalance_ms.p90;
    out[AN_FIG_REBALANCE_MS_P99] = t.rebalance_ms.p99;
    out[AN_FIG_REBALANCE_MS_MAX] = t.rebalance_ms.max;
    out[AN_FIG_REBALANCE_MS_MEAN] = t.rebalance_ms.mean;
    out[AN_FIG_STALLED_PARTITION_MS] = t.stalled_partition_ms;
    out[AN_FIG_UNAVAILABLE_PARTITION_MS] = t.unavailable_partition_ms;
    out[AN_FIG_MOVED_PARTITIONS] = (double)t.moved_partitions;
    out[AN_FIG_DUPLICATES] = (double)t.duplicates;
    out[AN_FIG_ZOMBIE_RECORDS] = (double)t.zombie_records;
    out[AN_FIG_MAX_LAG_RECORDS] = t.max_lag_records < 0 ? NAN : (double)t.max_lag_records;
    out[AN_FIG_LAG_MEAN_RECORDS] = t.lag_mean_records;
    out[AN_FIG_SAMPLED_COMMITTED_LAG_MEAN] = sim_series_mean(&t.lag_committed_total);
    out[AN_FIG_SAMPLED_COMMITTED_LAG_MAX] =
        t.lag_committed_max.max < 0 ? NAN : (double)t.lag_committed_max.max;
    out[AN_FIG_SAMPLED_POSITION_LAG_MAX] =
        t.lag_position_max.max < 0 ? NAN : (double)t.lag_position_max.max;
    out[AN_FIG_LATENCY_MS_P50] = t.latency_p50_ms;
    out[AN_FIG_LATENCY_MS_P99] = t.latency_p99_ms;
    out[AN_FIG_LATENCY_MS_MAX] = t.latency_max_ns < 0 ? NAN : (double)t.latency_max_ns / 1e6;
    out[AN_FIG_COMMITS_FAILED] = (double)t.commits_failed;
    out[AN_FIG_BALANCE_MEAN] = t.balance_mean;
    const cJSON *rc = cJSON_GetObjectItemCaseSensitive(res->run, "records_consumed");
    out[AN_FIG_RECORDS_CONSUMED] = cJSON_IsNumber(rc) ? rc->valuedouble : NAN;
    out[AN_FIG_CROSS_RACK_SHARE] = 100.0 * an_cross_rack_share(&t);
    an_group_sum_fini(&t);
    return 0;
}

int an_compare_init(an_compare_t *c, const char *const *assignors, size_t n_assignors,
                    size_t n_seeds)
{
    memset(c, 0, sizeof *c);
    size_t n = n_assignors * n_seeds * AN_FIG_COUNT;
    c->assignors = calloc(n_assignors ? n_assignors : 1, sizeof *c->assignors);
    c->values = malloc((n ? n : 1) * sizeof *c->values);
    if (!c->assignors || !c->values) {
        an_compare_fini(c);
        return -1;
    }
    c->n_assignors = n_assignors;
    c->n_seeds = n_seeds;
    for (size_t i = 0; i < n; i++)
        c->values[i] = NAN;
    for (size_t a = 0; a < n_assignors; a++)
        if (!(c->assignors[a] = strdup(assignors[a]))) {
            an_compare_fini(c);
            return -1;
        }
    return 0;
}

void an_compare_fini(an_compare_t *c)
{
    for (size_t a = 0; c->assignors && a < c->n_assignors; a++)
        free(c->assignors[a]);
    free(c->assignors);
    free(c->values);
    memset(c, 0, sizeof *c);
}

/* Figure f of assignor a over the seeds, into x (n_seeds values). */
static void an_column(const an_compare_t *c, size_t a, an_fig_t f, double *x)
{
    for (size_t s = 0; s < c->n_seeds; s++)
        x[s] = c->values[(a * c->n_seeds + s) * AN_FIG_COUNT + f];
}

an_ci_t an_compare_ci(const an_compare_t *c, size_t a, an_fig_t f)
{
    an_ci_t r = {0, NAN, NAN, NAN, NAN};
    double *x = malloc((c->n_seeds ? c->n_seeds : 1) * sizeof *x);
    if (!x)
        return r;
    an_column(c, a, f, x);
    r = an_stats_ci95(x, c->n_seeds);
    free(x);
    return r;
}

an_ci_t an_compare_paired(const an_compare_t *c, size_t a, an_fig_t f)
{
    return an_compare_paired_vs(c, 0, a, f);
}

an_ci_t an_compare_paired_vs(const an_compare_t *c, size_t ref, size_t a, an_fig_t f)
{
    an_ci_t r = {0, NAN, NAN, NAN, NAN};
    size_t n = c->n_seeds ? c->n_seeds : 1;
    double *x = malloc(3 * n * sizeof *x);
    if (!x)
        return r;
    an_column(c, ref, f, x);
    an_column(c, a, f, x + n);
    r = an_stats_paired_ci95(x, x + n, c->n_seeds, x + 2 * n);
    free(x);
    return r;
}

/* ---- output ---- */

static cJSON *an_ci_json(an_ci_t ci)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON *mean = isnan(ci.mean) ? cJSON_CreateNull()
                                 : cJSON_CreateNumber(an_stats_round6(ci.mean));
    cJSON *iv;
    if (isnan(ci.lo)) {
        iv = cJSON_CreateNull();
    } else {
        double lohi[2] = {an_stats_round6(ci.lo), an_stats_round6(ci.hi)};
        iv = cJSON_CreateDoubleArray(lohi, 2);
    }
    bool ok = mean && cJSON_AddItemToObject(o, "mean", mean);
    if (!ok)
        cJSON_Delete(mean);
    ok = ok && iv && cJSON_AddItemToObject(o, "ci95", iv);
    if (!ok) {
        cJSON_Delete(iv);
        cJSON_Delete(o);
        return NULL;
    }
    if (!cJSON_AddNumberToObject(o, "n", (double)ci.n)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

cJSON *an_compare_figs_json(const an_compare_t *c, size_t a, bool paired, size_t ref)
{
    cJSON *o = cJSON_CreateObject();
    for (int f = 0; o && f < AN_FIG_COUNT; f++) {
        an_ci_t ci = paired ? an_compare_paired_vs(c, ref, a, (an_fig_t)f)
                            : an_compare_ci(c, a, (an_fig_t)f);
        cJSON *j = an_ci_json(ci);
        if (!j || !cJSON_AddItemToObject(o, an_fig_name((an_fig_t)f), j)) {
            cJSON_Delete(j);
            cJSON_Delete(o);
            return NULL;
        }
    }
    return o;
}

static int an_section(cJSON *root, const char *key, const an_compare_t *c, bool paired)
{
    cJSON *sec = cJSON_AddObjectToObject(root, key);
    if (!sec)
        return -1;
    for (size_t a = paired ? 1 : 0; a < c->n_assignors; a++) {
        cJSON *j = an_compare_figs_json(c, a, paired, 0);
        if (!j || !cJSON_AddItemToObject(sec, c->assignors[a], j)) {
            cJSON_Delete(j);
            return -1;
        }
    }
    return 0;
}

/* Assignor indexes by mean stalled partition-time, lowest first; equal means (or none, last)
 * keep the order given, so the ranking is deterministic. Returns a malloc'd array or NULL. */
static size_t *an_rank_stalled(const an_compare_t *c)
{
    size_t n = c->n_assignors ? c->n_assignors : 1;
    size_t *ord = malloc(n * sizeof *ord);
    double *mean = malloc(n * sizeof *mean);
    if (!ord || !mean) {
        free(ord);
        free(mean);
        return NULL;
    }
    for (size_t i = 0; i < c->n_assignors; i++)
        mean[i] = an_compare_ci(c, i, AN_FIG_STALLED_PARTITION_MS).mean;
    for (size_t i = 0; i < c->n_assignors; i++) {   /* insertion sort: stable, few assignors */
        double m = mean[i];
        size_t k = i;
        for (; k > 0; k--) {
            double p = mean[ord[k - 1]];
            if (!(isnan(p) ? !isnan(m) : (!isnan(m) && m < p)))
                break;
            ord[k] = ord[k - 1];
        }
        ord[k] = i;
    }
    free(mean);
    return ord;
}

static int an_ranking_json(cJSON *root, const an_compare_t *c)
{
    size_t *ord = an_rank_stalled(c);
    cJSON *arr = ord ? cJSON_AddArrayToObject(root, "ranked_by_stalled") : NULL;
    for (size_t i = 0; arr && i < c->n_assignors; i++) {
        cJSON *s = cJSON_CreateString(c->assignors[ord[i]]);
        if (!s || !cJSON_AddItemToArray(arr, s)) {
            cJSON_Delete(s);
            arr = NULL;
        }
    }
    free(ord);
    return arr ? 0 : -1;
}

cJSON *an_compare_json(const an_compare_t *c)
{
    cJSON *root = cJSON_CreateObject();
    if (!root || an_section(root, "assignors", c, false) ||
        an_section(root, "paired_vs_first", c, true) || an_ranking_json(root, c) ||
        !cJSON_AddStringToObject(root, "first", c->n_assignors ? c->assignors[0] : "") ||
        !cJSON_AddNumberToObject(root, "seeds", (double)c->n_seeds)) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

static void an_fmt_ci(char *buf, size_t n, an_ci_t ci, bool paired)
{
    if (isnan(ci.mean))
        snprintf(buf, n, "-");
    else if (isnan(ci.lo))
        snprintf(buf, n, paired ? "%+.1f" : "%.1f", ci.mean);
    else if (paired)
        snprintf(buf, n, "%+.1f [%.1f, %.1f]", ci.mean, ci.lo, ci.hi);
    else
        snprintf(buf, n, "%.1f ± %.1f", ci.mean, (ci.hi - ci.lo) / 2);
}

static void an_print_table(const an_compare_t *c, FILE *out, bool paired)
{
    enum { W = 28 };
    fprintf(out, "%-26s", "figure");
    for (size_t a = paired ? 1 : 0; a < c->n_assignors; a++)
        fprintf(out, " %*s", W, c->assignors[a]);
    fputc('\n', out);
    for (int f = 0; f < AN_FIG_COUNT; f++) {
        fprintf(out, "%-26s", an_fig_name((an_fig_t)f));
        for (size_t a = paired ? 1 : 0; a < c->n_assignors; a++) {
            char buf[96];
            an_ci_t ci = paired ? an_compare_paired(c, a, (an_fig_t)f)
                                : an_compare_ci(c, a, (an_fig_t)f);
            an_fmt_ci(buf, sizeof buf, ci, paired);
            /* "±" is two bytes in UTF-8 but one column wide: pad by columns, not bytes. */
            int pad = W - (int)strlen(buf) + (strstr(buf, "±") ? 1 : 0);
            fprintf(out, " %*s%s", pad > 0 ? pad : 0, "", buf);
        }
        fputc('\n', out);
    }
}

void an_compare_print(const an_compare_t *c, FILE *out)
{
    fprintf(out, "mean ± half-width of the 95%% interval (Student t) over %zu seeds\n\n",
            c->n_seeds);
    an_print_table(c, out, false);
    if (c->n_assignors < 2)
        return;
    size_t *ord = an_rank_stalled(c);
    if (ord) {
        fprintf(out, "\nranked by stalled_partition_ms (time nobody processes a partition), "
                     "lowest first:\n");
        for (size_t i = 0; i < c->n_assignors; i++) {
            char buf[96];
            an_fmt_ci(buf, sizeof buf, an_compare_ci(c, ord[i], AN_FIG_STALLED_PARTITION_MS),
                      false);
            fprintf(out, "  %zu. %s %s\n", i + 1, c->assignors[ord[i]], buf);
        }
        free(ord);
    }
    fprintf(out, "\npaired difference vs %s, same seeds: mean [95%% interval]\n\n",
            c->assignors[0]);
    an_print_table(c, out, true);
}
