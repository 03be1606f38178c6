/* analysis/an_report: the result of an_analyze as JSON (cgsim analyze --json), as an aligned
 * human table, and as totals over groups (cgsim compare). Numbers in ms are rounded to 6 decimals
 * (the trace's own resolution); figures that do not exist (no rebalance, no commit) are null. */
#include "analysis/an_analyze.h"
#include "analysis/an_state.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Add a number, or null when it is NaN (a figure without data). */
static int an_add_num(cJSON *o, const char *key, double v)
{
    cJSON *item = isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(an_stats_round6(v));
    return item && cJSON_AddItemToObject(o, key, item) ? 0 : -1;
}

static int an_add_quantiles(cJSON *o, const char *key, const an_quantiles_t *q)
{
    cJSON *j = cJSON_AddObjectToObject(o, key);
    if (!j)
        return -1;
    return an_add_num(j, "p50", q->p50) | an_add_num(j, "p90", q->p90) |
           an_add_num(j, "p99", q->p99) | an_add_num(j, "max", q->max) |
           an_add_num(j, "mean", q->mean);
}

static int an_add_counts(cJSON *o, const char *key, const an_count_t *c, size_t n)
{
    cJSON *j = cJSON_AddObjectToObject(o, key);
    if (!j)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!cJSON_AddNumberToObject(j, c[i].key, (double)c[i].count))
            return -1;
    return 0;
}

static int an_add_members(cJSON *o, const an_group_sum_t *g)
{
    cJSON *j = cJSON_AddObjectToObject(o, "members");
    if (!j)
        return -1;
    for (size_t i = 0; i < g->n_members; i++) {
        const an_member_sum_t *m = &g->members[i];
        cJSON *mj = cJSON_AddObjectToObject(j, m->name);
        if (!mj || an_add_num(mj, "owned_partition_ms", m->owned_partition_ms) ||
            !cJSON_AddNumberToObject(mj, "joins", (double)m->joins) ||
            !cJSON_AddNumberToObject(mj, "leaves", (double)m->leaves))
            return -1;
    }
    return 0;
}

static double an_or_nan(int64_t v)
{
    return v < 0 ? NAN : (double)v;
}

/* "sampled_lag": {"samples", "committed_max", "committed_total_max", "committed_total_mean",
 * "position_max", "position_total_max"} (records; null without data). */
static int an_add_sampled_lag(cJSON *o, const an_group_sum_t *g)
{
    cJSON *j = cJSON_AddObjectToObject(o, "sampled_lag");
    if (!j)
        return -1;
    return an_add_num(j, "samples", (double)g->lag_samples) |
           an_add_num(j, "committed_max", an_or_nan(g->lag_committed_max.max)) |
           an_add_num(j, "committed_total_max", an_or_nan(g->lag_committed_total.max)) |
           an_add_num(j, "committed_total_mean", sim_series_mean(&g->lag_committed_total)) |
           an_add_num(j, "position_max", an_or_nan(g->lag_position_max.max)) |
           an_add_num(j, "position_total_max", an_or_nan(g->lag_position_total.max));
}

static cJSON *an_group_json(const an_group_sum_t *g)
{
    cJSON *o = cJSON_CreateObject();
    int bad = !o;
    bad = bad || an_add_num(o, "rebalances", (double)g->rebalances);
    bad = bad || an_add_quantiles(o, "rebalance_ms", &g->rebalance_ms);
    bad = bad || an_add_num(o, "stalled_partition_ms", g->stalled_partition_ms);
    bad = bad || an_add_num(o, "unavailable_partition_ms", g->unavailable_partition_ms);
    bad = bad || an_add_num(o, "moved_partitions", (double)g->moved_partitions);
    bad = bad || an_add_num(o, "duplicates", (double)g->duplicates);
    bad = bad || an_add_num(o, "zombie_records", (double)g->zombie_records);
    bad = bad || an_add_num(o, "max_lag_records", an_or_nan(g->max_lag_records));
    bad = bad || an_add_num(o, "lag_mean_records", g->lag_mean_records);
    bad = bad || an_add_num(o, "max_total_lag_records", an_or_nan(g->max_total_lag_records));
    bad = bad || an_add_sampled_lag(o, g);
    cJSON *lat = bad ? NULL : cJSON_AddObjectToObject(o, "latency_ms");
    bad = bad || !lat || an_add_num(lat, "records", (double)g->latency_records) ||
          an_add_num(lat, "p50", g->latency_p50_ms) || an_add_num(lat, "p99", g->latency_p99_ms) ||
          an_add_num(lat, "max", g->latency_max_ns < 0 ? NAN : (double)g->latency_max_ns / 1e6);
    cJSON *as = bad ? NULL : cJSON_AddObjectToObject(o, "autoscale");
    bad = bad || !as || an_add_num(as, "decisions", (double)g->autoscale_decisions) ||
          an_add_num(as, "scale_ups", (double)g->autoscale_ups) ||
          an_add_num(as, "scale_downs", (double)g->autoscale_downs) ||
          an_add_num(as, "max_replicas", an_or_nan(g->autoscale_max_replicas));
    cJSON *rk = bad ? NULL : cJSON_AddObjectToObject(o, "racks");
    bad = bad || !rk || an_add_num(rk, "records", (double)g->rack_records) ||
          an_add_num(rk, "cross_rack_records", (double)g->cross_rack_records) ||
          an_add_num(rk, "cross_rack_share", an_cross_rack_share(g));
    bad = bad || an_add_num(o, "commits_ok", (double)g->commits_ok);
    bad = bad || an_add_num(o, "commits_failed", (double)g->commits_failed);
    cJSON *by = bad ? NULL : cJSON_AddObjectToObject(o, "commits_failed_by_error");
    bad = bad || !by;
    for (size_t k = 0; !bad && k < AN_COMMIT_ERRORS; k++)
        if (g->commits_failed_by[k] > 0)
            bad = an_add_num(by, an_commit_error_names[k], (double)g->commits_failed_by[k]);
    cJSON *bal = bad ? NULL : cJSON_AddObjectToObject(o, "balance");
    bad = bad || !bal || an_add_num(bal, "mean", g->balance_mean) ||
          an_add_num(bal, "settled_ms", g->balance_settled_ms);
    bad = bad || an_add_num(o, "partitions", (double)g->partitions);
    bad = bad || an_add_num(o, "first_assignment_ms", g->first_assignment_ms);
    bad = bad || an_add_num(o, "rebalances_started", (double)g->rebalances_started);
    bad = bad || an_add_counts(o, "rebalance_reasons", g->rebalance_reasons,
                               g->n_rebalance_reasons);
    bad = bad || an_add_counts(o, "member_leaves", g->leave_reasons, g->n_leave_reasons);
    bad = bad || an_add_num(o, "errors", (double)g->errors);
    bad = bad || an_add_num(o, "ownership_conflicts", (double)g->ownership_conflicts);
    bad = bad || an_add_members(o, g);
    if (bad) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

cJSON *an_result_json(const an_result_t *res)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *groups = root ? cJSON_AddObjectToObject(root, "groups") : NULL;
    if (!groups)
        goto fail;
    for (size_t i = 0; i < res->n_groups; i++) {
        cJSON *g = an_group_json(&res->groups[i]);
        if (!g || !cJSON_AddItemToObject(groups, res->groups[i].name, g)) {
            cJSON_Delete(g);
            goto fail;
        }
    }
    cJSON *run = cJSON_Duplicate(res->run, 1);
    if (!run || !cJSON_AddItemToObject(root, "run", run)) {
        cJSON_Delete(run);
        goto fail;
    }
    return root;
fail:
    cJSON_Delete(root);
    return NULL;
}

/* ---- human table: one column per group ---- */

typedef enum an_row {
    AN_ROW_REBALANCES, AN_ROW_P50, AN_ROW_P90, AN_ROW_P99, AN_ROW_MAX, AN_ROW_MEAN,
    AN_ROW_STALLED, AN_ROW_UNAVAILABLE, AN_ROW_MOVED, AN_ROW_DUPLICATES, AN_ROW_ZOMBIE, AN_ROW_MAX_LAG,
    AN_ROW_LAG_MEAN, AN_ROW_MAX_TOTAL_LAG, AN_ROW_SLAG_CMAX, AN_ROW_SLAG_CTMAX, AN_ROW_SLAG_CTMEAN,
    AN_ROW_SLAG_PMAX, AN_ROW_SLAG_PTMAX, AN_ROW_LAT_P50, AN_ROW_LAT_P99, AN_ROW_LAT_MAX,
    AN_ROW_COMMITS_OK, AN_ROW_COMMITS_FAILED,
    AN_ROW_BALANCE_MEAN,
    AN_ROW_BALANCE_SETTLED, AN_ROW_PARTITIONS, AN_ROW_ERRORS, AN_ROW_CONFLICTS, AN_ROW_COUNT
} an_row_t;

static const struct {
    const char *label;                /* row label */
    int decimals;                     /* printed decimals */
} AN_ROWS[AN_ROW_COUNT] = {
    {"rebalances", 0}, {"rebalance ms p50", 3}, {"rebalance ms p90", 3},
    {"rebalance ms p99", 3}, {"rebalance ms max", 3}, {"rebalance ms mean", 3},
    {"stalled partition-ms", 3}, {"unavailable partition-ms", 3}, {"moved partitions", 0}, {"duplicates", 0},
    {"zombie records", 0}, {"max lag records", 0}, {"mean total lag records", 1},
    {"max total lag records", 0},
    {"sampled lag committed max", 0}, {"  group total max", 0}, {"  group total mean", 1},
    {"sampled lag position max", 0}, {"  group total max", 0},
    {"latency ms p50", 3}, {"latency ms p99", 3}, {"latency ms max", 3},
    {"commits ok", 0}, {"commits failed", 0}, {"balance mean (max-min)", 3},
    {"balance settled ms", 3}, {"partitions", 0}, {"errors", 0},
    {"ownership conflicts", 0},
};

static double an_row_value(const an_group_sum_t *g, an_row_t row)
{
    switch (row) {
    case AN_ROW_REBALANCES: return (double)g->rebalances;
    case AN_ROW_P50: return g->rebalance_ms.p50;
    case AN_ROW_P90: return g->rebalance_ms.p90;
    case AN_ROW_P99: return g->rebalance_ms.p99;
    case AN_ROW_MAX: return g->rebalance_ms.max;
    case AN_ROW_MEAN: return g->rebalance_ms.mean;
    case AN_ROW_STALLED: return g->stalled_partition_ms;
    case AN_ROW_UNAVAILABLE: return g->unavailable_partition_ms;
    case AN_ROW_MOVED: return (double)g->moved_partitions;
    case AN_ROW_DUPLICATES: return (double)g->duplicates;
    case AN_ROW_ZOMBIE: return (double)g->zombie_records;
    case AN_ROW_MAX_LAG: return an_or_nan(g->max_lag_records);
    case AN_ROW_LAG_MEAN: return g->lag_mean_records;
    case AN_ROW_MAX_TOTAL_LAG: return an_or_nan(g->max_total_lag_records);
    case AN_ROW_SLAG_CMAX: return an_or_nan(g->lag_committed_max.max);
    case AN_ROW_SLAG_CTMAX: return an_or_nan(g->lag_committed_total.max);
    case AN_ROW_SLAG_CTMEAN: return sim_series_mean(&g->lag_committed_total);
    case AN_ROW_SLAG_PMAX: return an_or_nan(g->lag_position_max.max);
    case AN_ROW_SLAG_PTMAX: return an_or_nan(g->lag_position_total.max);
    case AN_ROW_LAT_P50: return g->latency_p50_ms;
    case AN_ROW_LAT_P99: return g->latency_p99_ms;
    case AN_ROW_LAT_MAX: return g->latency_max_ns < 0 ? NAN : (double)g->latency_max_ns / 1e6;
    case AN_ROW_COMMITS_OK: return (double)g->commits_ok;
    case AN_ROW_COMMITS_FAILED: return (double)g->commits_failed;
    case AN_ROW_BALANCE_MEAN: return g->balance_mean;
    case AN_ROW_BALANCE_SETTLED: return g->balance_settled_ms;
    case AN_ROW_PARTITIONS: return (double)g->partitions;
    case AN_ROW_ERRORS: return (double)g->errors;
    case AN_ROW_CONFLICTS: return (double)g->ownership_conflicts;
    case AN_ROW_COUNT: break;
    }
    return NAN;
}

static void an_print_header(const an_result_t *res, const char *name, FILE *out)
{
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(res->run, "scenario");
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(res->run, "seed");
    fprintf(out, "trace %s", name);
    if (cJSON_IsString(sc))
        fprintf(out, ": scenario %s", sc->valuestring);
    if (cJSON_IsRaw(seed))
        fprintf(out, ", seed %s", seed->valuestring);
    else if (cJSON_IsNumber(seed))
        fprintf(out, ", seed %.17g", seed->valuedouble);
    fprintf(out, ", end %.3f ms, %lld records\n", res->end_ms, (long long)res->records);
    if (res->partial) {
        const cJSON *ab = cJSON_GetObjectItemCaseSensitive(res->run, "aborted");
        const cJSON *why = cJSON_GetObjectItemCaseSensitive(ab, "reason");
        fprintf(out, "PARTIAL trace: %s; figures cover the run up to %.3f ms\n",
                cJSON_IsString(why) ? why->valuestring : "no run_end", res->end_ms);
    }
}

static int an_col_width(const an_result_t *res)
{
    int w = 14;
    for (size_t i = 0; i < res->n_groups; i++)
        if ((int)strlen(res->groups[i].name) + 2 > w)
            w = (int)strlen(res->groups[i].name) + 2;
    return w;
}

static void an_print_members(const an_result_t *res, FILE *out)
{
    fprintf(out, "\n%-32s %18s %6s %6s\n", "group/member", "owned partition-ms", "joins",
            "leaves");
    for (size_t i = 0; i < res->n_groups; i++) {
        const an_group_sum_t *g = &res->groups[i];
        for (size_t m = 0; m < g->n_members; m++) {
            char who[512];
            snprintf(who, sizeof who, "%s/%s", g->name, g->members[m].name);
            fprintf(out, "%-32s %18.3f %6lld %6lld\n", who, g->members[m].owned_partition_ms,
                    (long long)g->members[m].joins, (long long)g->members[m].leaves);
        }
    }
}

static void an_print_run(const an_result_t *res, FILE *out)
{
    static const char *const keys[] = {"events", "records_produced", "records_consumed",
                                       "duplicates"};
    fprintf(out, "\nrun:");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(res->run, keys[i]);
        if (cJSON_IsNumber(v))
            fprintf(out, " %s %.17g,", keys[i], v->valuedouble);
    }
    fprintf(out, " faults %lld (applied %lld)\n", (long long)res->faults,
            (long long)res->faults_applied);
}

/* One row per error that failed some group's commits ("  CommitFailedException"). */
static void an_print_failed_by(const an_result_t *res, int w, FILE *out)
{
    for (size_t k = 0; k < AN_COMMIT_ERRORS; k++) {
        bool any = false;
        for (size_t i = 0; i < res->n_groups; i++)
            any = any || res->groups[i].commits_failed_by[k] > 0;
        if (!any)
            continue;
        fprintf(out, "  %-24s", an_commit_error_names[k]);
        for (size_t i = 0; i < res->n_groups; i++)
            fprintf(out, "%*lld", w, (long long)res->groups[i].commits_failed_by[k]);
        fputc('\n', out);
    }
}

/* Share of the records fetched with known racks that crossed racks; NaN without any. */
double an_cross_rack_share(const an_group_sum_t *g)
{
    return g->rack_records > 0 ? (double)g->cross_rack_records / (double)g->rack_records : NAN;
}

/* Rows of the cross-rack fetch figure, when some group fetched with known racks. */
static void an_print_racks(const an_result_t *res, int w, FILE *out)
{
    bool any = false;
    for (size_t i = 0; i < res->n_groups; i++)
        any = any || res->groups[i].rack_records > 0;
    if (!any)
        return;
    fprintf(out, "%-26s", "rack-known records");
    for (size_t i = 0; i < res->n_groups; i++)
        fprintf(out, "%*lld", w, (long long)res->groups[i].rack_records);
    fprintf(out, "\n%-26s", "cross-rack records");
    for (size_t i = 0; i < res->n_groups; i++)
        fprintf(out, "%*lld", w, (long long)res->groups[i].cross_rack_records);
    fprintf(out, "\n%-26s", "cross-rack share %");
    for (size_t i = 0; i < res->n_groups; i++) {
        double s = an_cross_rack_share(&res->groups[i]);
        if (isnan(s))
            fprintf(out, "%*s", w, "-");
        else
            fprintf(out, "%*.1f", w, 100.0 * s);
    }
    fputc('\n', out);
}

/* Rows of the autoscalers' decisions, when some group has any. */
static void an_print_autoscale(const an_result_t *res, int w, FILE *out)
{
    static const char *const labels[] = {"autoscale decisions", "scale-ups", "scale-downs",
                                         "max replicas"};
    bool any = false;
    for (size_t i = 0; i < res->n_groups; i++)
        any = any || res->groups[i].autoscale_decisions > 0;
    for (size_t row = 0; any && row < 4; row++) {
        fprintf(out, "%-26s", labels[row]);
        for (size_t i = 0; i < res->n_groups; i++) {
            const an_group_sum_t *g = &res->groups[i];
            int64_t v = row == 0 ? g->autoscale_decisions : row == 1 ? g->autoscale_ups
                      : row == 2 ? g->autoscale_downs : g->autoscale_max_replicas;
            if (v < 0)
                fprintf(out, "%*s", w, "-");
            else
                fprintf(out, "%*lld", w, (long long)v);
        }
        fputc('\n', out);
    }
}

void an_result_print(const an_result_t *res, const char *name, FILE *out)
{
    int w = an_col_width(res);
    an_print_header(res, name, out);
    if (res->n_groups == 0) {
        fprintf(out, "\nno consumer-group records in this trace\n");
        an_print_run(res, out);
        return;
    }
    fprintf(out, "\n%-26s", "group");
    for (size_t i = 0; i < res->n_groups; i++)
        fprintf(out, "%*s", w, res->groups[i].name);
    fputc('\n', out);
    for (int row = 0; row < AN_ROW_COUNT; row++) {
        fprintf(out, "%-26s", AN_ROWS[row].label);
        for (size_t i = 0; i < res->n_groups; i++) {
            double v = an_row_value(&res->groups[i], (an_row_t)row);
            if (isnan(v))
                fprintf(out, "%*s", w, "-");
            else
                fprintf(out, "%*.*f", w, AN_ROWS[row].decimals, v);
        }
        fputc('\n', out);
    }
    an_print_failed_by(res, w, out);
    an_print_autoscale(res, w, out);
    an_print_racks(res, w, out);
    an_print_members(res, out);
    an_print_run(res, out);
}

/* ---- totals over groups ---- */

/* Sampled lag over groups: the largest of the groups' maxima; the total's mean is the sum of the
 * groups' means (each group's total lag is a sum over its partitions, so they add up). */
static void an_total_series(an_group_sum_t *t, const an_group_sum_t *g)
{
    const sim_series_t *gs[4] = {&g->lag_committed_total, &g->lag_committed_max,
                                 &g->lag_position_total, &g->lag_position_max};
    sim_series_t *ts[4] = {&t->lag_committed_total, &t->lag_committed_max,
                           &t->lag_position_total, &t->lag_position_max};
    t->lag_samples = an_sat_add(t->lag_samples, g->lag_samples);
    /* Latency over groups: one histogram of every group's records. */
    t->latency_records = an_sat_add(t->latency_records, g->latency_records);
    if (g->latency_max_ns > t->latency_max_ns)
        t->latency_max_ns = g->latency_max_ns;
    for (int b = 0; b < SIM_LOGHIST_BUCKETS; b++)
        t->latency_counts[b] = an_sat_add(t->latency_counts[b], g->latency_counts[b]);
    for (int k = 0; k < 4; k++)
        if (gs[k]->max > ts[k]->max)
            ts[k]->max = gs[k]->max;
    if (g->lag_committed_total.n > 0) {
        /* n = 1 and sum = the summed means keep sim_series_mean the figure compare reads. */
        t->lag_committed_total.sum += sim_series_mean(&g->lag_committed_total);
        t->lag_committed_total.n = 1;
    }
}

static void an_total_add(an_group_sum_t *t, const an_group_sum_t *g)
{
    t->rebalances = an_sat_add(t->rebalances, g->rebalances);
    t->rebalances_started = an_sat_add(t->rebalances_started, g->rebalances_started);
    t->unavailable_partition_ms += g->unavailable_partition_ms;
    t->stalled_partition_ms += g->stalled_partition_ms;
    t->moved_partitions = an_sat_add(t->moved_partitions, g->moved_partitions);
    t->duplicates = an_sat_add(t->duplicates, g->duplicates);
    t->zombie_records = an_sat_add(t->zombie_records, g->zombie_records);
    t->commits_ok = an_sat_add(t->commits_ok, g->commits_ok);
    t->commits_failed = an_sat_add(t->commits_failed, g->commits_failed);
    for (size_t k = 0; k < AN_COMMIT_ERRORS; k++)
        t->commits_failed_by[k] = an_sat_add(t->commits_failed_by[k], g->commits_failed_by[k]);
    t->errors = an_sat_add(t->errors, g->errors);
    t->autoscale_decisions = an_sat_add(t->autoscale_decisions, g->autoscale_decisions);
    t->autoscale_ups = an_sat_add(t->autoscale_ups, g->autoscale_ups);
    t->autoscale_downs = an_sat_add(t->autoscale_downs, g->autoscale_downs);
    if (g->autoscale_max_replicas > t->autoscale_max_replicas)
        t->autoscale_max_replicas = g->autoscale_max_replicas;
    t->rack_records = an_sat_add(t->rack_records, g->rack_records);
    t->cross_rack_records = an_sat_add(t->cross_rack_records, g->cross_rack_records);
    t->ownership_conflicts = an_sat_add(t->ownership_conflicts, g->ownership_conflicts);
    t->partitions = an_sat_add(t->partitions, g->partitions);
    if (g->max_lag_records > t->max_lag_records)
        t->max_lag_records = g->max_lag_records;
    if (g->max_total_lag_records > t->max_total_lag_records)   /* groups' maxima, not a sum */
        t->max_total_lag_records = g->max_total_lag_records;
    if (!isnan(g->lag_mean_records))
        t->lag_mean_records = g->lag_mean_records +
                              (isnan(t->lag_mean_records) ? 0.0 : t->lag_mean_records);
    an_total_series(t, g);
    if (!isnan(g->balance_mean) && (isnan(t->balance_mean) || g->balance_mean > t->balance_mean))
        t->balance_mean = g->balance_mean;
    t->balance_settled_ms += g->balance_settled_ms;
    if (!isnan(g->first_assignment_ms) &&
        (isnan(t->first_assignment_ms) || g->first_assignment_ms < t->first_assignment_ms))
        t->first_assignment_ms = g->first_assignment_ms;
}

int an_result_total(const an_result_t *res, an_group_sum_t *t)
{
    size_t n = 0;
    memset(t, 0, sizeof *t);
    t->max_lag_records = t->max_total_lag_records = -1;
    sim_series_init(&t->lag_committed_total);
    sim_series_init(&t->lag_committed_max);
    sim_series_init(&t->lag_position_total);
    sim_series_init(&t->lag_position_max);
    t->latency_max_ns = t->autoscale_max_replicas = -1;
    t->lag_mean_records = t->balance_mean = t->first_assignment_ms = NAN;
    for (size_t i = 0; i < res->n_groups; i++)
        n += (size_t)res->groups[i].rebalances;
    t->name = strdup("total");
    t->rebalance_durations_ms = malloc((n ? n : 1) * sizeof(double));
    if (!t->name || !t->rebalance_durations_ms) {
        an_group_sum_fini(t);
        return -1;
    }
    n = 0;
    for (size_t i = 0; i < res->n_groups; i++) {
        const an_group_sum_t *g = &res->groups[i];
        memcpy(t->rebalance_durations_ms + n, g->rebalance_durations_ms,
               (size_t)g->rebalances * sizeof(double));
        n += (size_t)g->rebalances;
        an_total_add(t, g);
    }
    an_stats_sort(t->rebalance_durations_ms, n);
    t->rebalance_ms = an_stats_quantiles(t->rebalance_durations_ms, n);
    an_latency_quantiles(t);
    return 0;
}
