/* tests/support/cg_test_summary: the run summary against analyze (see the header). */
#include "tests/support/cg_test_summary.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/an_analyze.h"

#define CGT_SUM_MAX_GROUPS 64

static long long fig(const char *s)
{
    return strcmp(s, "-") == 0 ? -1 : atoll(s);
}

/* "    sampled lag (records): committed max C (group total max T, mean M), position max P
 * (group total max Q)" right after the group's lines; false when absent or malformed. */
static bool parse_slag(const char *p, cgt_sum_group_t *s)
{
    char cm[32], ct[32], mean[32], pm[32], pt[32];
    const char *l = strstr(p, "\n    sampled lag (records): ");
    const char *next = strstr(p + 1, "\n  group ");
    if (!l || (next && l > next))
        return false;
    if (sscanf(l, "\n    sampled lag (records): committed max %31[^ ] (group total max %31[^,], "
                  "mean %31[^)]), position max %31[^ ] (group total max %31[^)])",
               cm, ct, mean, pm, pt) != 5)
        return false;
    s->slag_cmax = fig(cm);
    s->slag_ctmax = fig(ct);
    s->slag_ctmean = strcmp(mean, "-") == 0 ? NAN : atof(mean);
    s->slag_pmax = fig(pm);
    s->slag_ptmax = fig(pt);
    return true;
}

static double num_or_nan(const char *s)
{
    return strcmp(s, "-") == 0 ? NAN : atof(s);
}

/* "    latency (append to processed): p50 X ms, p99 Y ms, max Z ms" */
static bool parse_latency(const char *p, cgt_sum_group_t *s)
{
    char a[32], b[32], c[32];
    const char *l = strstr(p, "\n    latency (append to processed): ");
    const char *next = strstr(p + 1, "\n  group ");
    if (!l || (next && l > next))
        return false;
    if (sscanf(l, "\n    latency (append to processed): p50 %31s ms, p99 %31s ms, max %31s ms",
               a, b, c) != 3)
        return false;
    s->lat_p50 = num_or_nan(a);
    s->lat_p99 = num_or_nan(b);
    s->lat_max = num_or_nan(c);
    return true;
}

/* "    balance (max - min partitions per member, settled): mean X over S s" */
static bool parse_balance(const char *p, cgt_sum_group_t *s)
{
    char mean[32];
    const char *l = strstr(p, "\n    balance (max - min partitions per member, settled): ");
    const char *next = strstr(p + 1, "\n  group ");
    if (!l || (next && l > next))
        return false;
    if (sscanf(l, "\n    balance (max - min partitions per member, settled): mean %31s over %lf s",
               mean, &s->bal_settled_s) != 2)
        return false;
    s->bal_mean = num_or_nan(mean);
    return true;
}

/* "    autoscaler: N decisions, U scale-ups, D scale-downs, replicas at most R", printed only
 * for a group with decisions: absent means none. */
static void parse_autoscale(const char *p, cgt_sum_group_t *s)
{
    const char *l = strstr(p, "\n    autoscaler: ");
    const char *next = strstr(p + 1, "\n  group ");
    s->as_decisions = s->as_ups = s->as_downs = 0;
    s->as_max = -1;
    if (!l || (next && l > next))
        return;
    if (sscanf(l, "\n    autoscaler: %lld decisions, %lld scale-ups, %lld scale-downs, "
                  "replicas at most %lld", &s->as_decisions, &s->as_ups, &s->as_downs,
               &s->as_max) != 4)
        s->as_decisions = -1;         /* malformed: never equal to analyze's count */
}

/* "    cross-rack fetch: X of Y records (Z%)", printed only for a group that fetched with known
 * racks: absent means none. */
static void parse_racks(const char *p, cgt_sum_group_t *s)
{
    const char *l = strstr(p, "\n    cross-rack fetch: ");
    const char *next = strstr(p + 1, "\n  group ");
    s->rack_records = s->cross_rack_records = 0;
    if (!l || (next && l > next))
        return;
    if (sscanf(l, "\n    cross-rack fetch: %lld of %lld records", &s->cross_rack_records,
               &s->rack_records) != 2)
        s->rack_records = -1;         /* malformed: never equal to analyze's count */
}

size_t cgt_summary_parse(const char *log, cgt_sum_group_t *g, size_t max)
{
    size_t n = 0;
    for (const char *p = strstr(log, "\n  group "); p && n < max; p = strstr(p + 1, "\n  group ")) {
        cgt_sum_group_t *s = &g[n];
        if (sscanf(p, "\n  group %255[^:]: %lld rebalances (mean %lf ms, max %lf ms), %lld "
                      "partitions moved,\n    stalled %lf partition-s (of which unowned %lf), "
                      "max lag %31[^,], %lld duplicates, %lld zombie records",
                   s->name, &s->rebalances, &s->mean_ms, &s->max_ms, &s->moved, &s->stalled_s,
                   &s->unavailable_s, s->lag, &s->duplicates, &s->zombies) == 10 &&
            parse_slag(p, s) && parse_latency(p, s) && parse_balance(p, s)) {
            s->max_lag = strcmp(s->lag, "-") == 0 ? -1 : atoll(s->lag);
            parse_autoscale(p, s);
            parse_racks(p, s);
            n++;
        }
    }
    return n;
}

/* Append one mismatch line to msg. */
static void note(char *msg, size_t msglen, const char *fmt, ...)
{
    size_t used = strlen(msg);
    if (used + 1 >= msglen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + used, msglen - used, fmt, ap);
    va_end(ap);
}

static const an_group_sum_t *find_group(const an_result_t *res, const char *name)
{
    for (size_t k = 0; k < res->n_groups; k++)
        if (strcmp(res->groups[k].name, name) == 0)
            return &res->groups[k];
    return NULL;
}

static void compare_fig(const char *g, const char *what, long long s, int64_t a, char *msg,
                        size_t msglen)
{
    if (s != (long long)a)
        note(msg, msglen, "%s: sampled %s %lld / %lld\n", g, what, s, (long long)a);
}

/* x printed with 3 decimals against analyze's value (NaN = "-" on both sides). */
static void compare_ms(const char *g, const char *what, double s, double a, char *msg,
                       size_t msglen)
{
    if (isnan(s) != isnan(a) || (!isnan(a) && fabs(s - a) > 0.0006))
        note(msg, msglen, "%s: latency %s %.3f / %.6f ms\n", g, what, s, a);
}

/* The latency line against analyze's figures from the `latency` records. */
static void compare_latency(const cgt_sum_group_t *s, const an_group_sum_t *a, char *msg,
                            size_t msglen)
{
    compare_ms(s->name, "p50", s->lat_p50, a->latency_p50_ms, msg, msglen);
    compare_ms(s->name, "p99", s->lat_p99, a->latency_p99_ms, msg, msglen);
    compare_ms(s->name, "max", s->lat_max,
               a->latency_max_ns < 0 ? NAN : (double)a->latency_max_ns / 1e6, msg, msglen);
}

/* The sampled lag line against analyze's figures from the `lag` records. */
static void compare_slag(const cgt_sum_group_t *s, const an_group_sum_t *a, char *msg,
                         size_t msglen)
{
    const char *g = s->name;
    compare_fig(g, "committed max", s->slag_cmax, a->lag_committed_max.max, msg, msglen);
    compare_fig(g, "committed total max", s->slag_ctmax, a->lag_committed_total.max, msg,
                msglen);
    compare_fig(g, "position max", s->slag_pmax, a->lag_position_max.max, msg, msglen);
    compare_fig(g, "position total max", s->slag_ptmax, a->lag_position_total.max, msg,
                msglen);
    double am = sim_series_mean(&a->lag_committed_total);
    if (isnan(am) != isnan(s->slag_ctmean) || (!isnan(am) && fabs(am - s->slag_ctmean) > 0.051))
        note(msg, msglen, "%s: sampled committed total mean %.1f / %.3f\n", g, s->slag_ctmean,
             am);
}

static void compare_autoscale(const cgt_sum_group_t *s, const an_group_sum_t *a, char *msg,
                              size_t msglen)
{
    if (s->as_decisions != a->autoscale_decisions || s->as_ups != a->autoscale_ups ||
        s->as_downs != a->autoscale_downs || s->as_max != a->autoscale_max_replicas)
        note(msg, msglen, "%s: autoscaler %lld/%lld/%lld/%lld, analyze %lld/%lld/%lld/%lld\n",
             s->name, s->as_decisions, s->as_ups, s->as_downs, s->as_max,
             (long long)a->autoscale_decisions, (long long)a->autoscale_ups,
             (long long)a->autoscale_downs, (long long)a->autoscale_max_replicas);
}

/* The summary prints seconds with 3 decimals and ms with 1: equal within half a last digit. */
static void compare_group(const cgt_sum_group_t *s, const an_group_sum_t *a, char *msg,
                          size_t msglen)
{
    const char *g = s->name;
    if (s->rebalances != a->rebalances)
        note(msg, msglen, "%s: rebalances %lld / %lld\n", g, s->rebalances, (long long)a->rebalances);
    if (a->rebalances > 0 && (fabs(s->mean_ms - a->rebalance_ms.mean) > 0.06 ||
                              fabs(s->max_ms - a->rebalance_ms.max) > 0.06))
        note(msg, msglen, "%s: rebalance mean/max %.1f/%.1f, analyze %.3f/%.3f\n", g,
             s->mean_ms, s->max_ms, a->rebalance_ms.mean, a->rebalance_ms.max);
    if (s->moved != a->moved_partitions)
        note(msg, msglen, "%s: moved %lld / %lld\n", g, s->moved, (long long)a->moved_partitions);
    if (fabs(s->stalled_s - a->stalled_partition_ms / 1000.0) > 0.0006)
        note(msg, msglen, "%s: stalled %.3f / %.6f partition-s\n", g, s->stalled_s,
             a->stalled_partition_ms / 1000.0);
    if (fabs(s->unavailable_s - a->unavailable_partition_ms / 1000.0) > 0.0006)
        note(msg, msglen, "%s: unowned %.3f / %.6f partition-s\n", g, s->unavailable_s,
             a->unavailable_partition_ms / 1000.0);
    if (s->max_lag != a->max_lag_records)
        note(msg, msglen, "%s: max lag %s / %lld\n", g, s->lag, (long long)a->max_lag_records);
    if (s->duplicates != a->duplicates || s->zombies != a->zombie_records)
        note(msg, msglen, "%s: duplicates/zombies %lld/%lld, analyze %lld/%lld\n", g,
             s->duplicates, s->zombies, (long long)a->duplicates, (long long)a->zombie_records);
    compare_slag(s, a, msg, msglen);
    compare_latency(s, a, msg, msglen);
    compare_autoscale(s, a, msg, msglen);
    if (s->rack_records != a->rack_records || s->cross_rack_records != a->cross_rack_records)
        note(msg, msglen, "%s: cross-rack fetch %lld of %lld, analyze %lld of %lld\n", s->name,
             s->cross_rack_records, s->rack_records, (long long)a->cross_rack_records,
             (long long)a->rack_records);
    if (isnan(s->bal_mean) != isnan(a->balance_mean) ||
        (!isnan(a->balance_mean) && fabs(s->bal_mean - a->balance_mean) > 0.0006) ||
        fabs(s->bal_settled_s - a->balance_settled_ms / 1000.0) > 0.0006)
        note(msg, msglen, "%s: balance %.3f over %.3f s / %.6f over %.6f s\n", g, s->bal_mean,
             s->bal_settled_s, a->balance_mean, a->balance_settled_ms / 1000.0);
}

static bool no_data(const cgt_sum_group_t *s)
{
    return s->rebalances == 0 && s->moved == 0 && s->stalled_s == 0 && s->unavailable_s == 0 &&
           s->max_lag < 0 && s->duplicates == 0 && s->zombies == 0 && s->slag_cmax < 0 &&
           s->slag_pmax < 0 && isnan(s->lat_max);
}

bool cgt_summary_agrees(const char *log, const char *trace, char *msg, size_t msglen,
                        size_t *n_groups)
{
    cgt_sum_group_t sum[CGT_SUM_MAX_GROUPS];
    msg[0] = '\0';
    size_t ns = cgt_summary_parse(log, sum, CGT_SUM_MAX_GROUPS);
    if (n_groups)
        *n_groups = ns;
    FILE *f = fopen(trace, "r");
    if (!f) {
        note(msg, msglen, "cannot open %s\n", trace);
        return false;
    }
    an_result_t res;
    char err[256];
    int rc = an_analyze_stream(f, trace, NULL, NULL, &res, err, sizeof err);
    fclose(f);
    if (rc != 0) {
        note(msg, msglen, "analyze %s: %s\n", trace, err);
        return false;
    }
    if (ns == 0)
        note(msg, msglen, "no group in the summary\n");
    for (size_t i = 0; i < ns; i++) {
        const an_group_sum_t *a = find_group(&res, sum[i].name);
        if (a)
            compare_group(&sum[i], a, msg, msglen);
        else if (!no_data(&sum[i]))   /* a group the trace never names has nothing to show */
            note(msg, msglen, "%s: figures in the summary, not in the trace\n", sum[i].name);
    }
    for (size_t k = 0; k < res.n_groups; k++) {
        bool seen = false;
        for (size_t i = 0; i < ns && !seen; i++)
            seen = strcmp(sum[i].name, res.groups[k].name) == 0;
        if (!seen)
            note(msg, msglen, "%s: in the trace, not in the summary\n", res.groups[k].name);
    }
    an_result_fini(&res);
    return msg[0] == '\0';
}
