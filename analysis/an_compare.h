/* analysis/an_compare: statistics of a comparison of assignors over seeds (cgsim compare).
 * Owns: the list of compared figures, the (assignor, seed, figure) value table, per-assignor
 *       means with Student-t 95% intervals, paired differences against the first assignor, and
 *       their JSON and table forms. Does not own: running simulations (cli/cmd_compare).
 * Invariant: the output is a pure function of the value table, so it does not depend on how
 *            many workers filled it or in which order. Missing values (NaN) are skipped. */
#ifndef AN_COMPARE_H
#define AN_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <cjson/cJSON.h>
#include "analysis/an_analyze.h"

typedef enum an_fig {
    AN_FIG_REBALANCES = 0, AN_FIG_REBALANCE_MS_P50, AN_FIG_REBALANCE_MS_P90,
    AN_FIG_REBALANCE_MS_P99, AN_FIG_REBALANCE_MS_MAX, AN_FIG_REBALANCE_MS_MEAN,
    AN_FIG_STALLED_PARTITION_MS, AN_FIG_UNAVAILABLE_PARTITION_MS, AN_FIG_MOVED_PARTITIONS, AN_FIG_DUPLICATES,
    AN_FIG_ZOMBIE_RECORDS, AN_FIG_MAX_LAG_RECORDS, AN_FIG_LAG_MEAN_RECORDS,
    AN_FIG_SAMPLED_COMMITTED_LAG_MEAN, AN_FIG_SAMPLED_COMMITTED_LAG_MAX,
    AN_FIG_SAMPLED_POSITION_LAG_MAX, AN_FIG_LATENCY_MS_P50, AN_FIG_LATENCY_MS_P99,
    AN_FIG_LATENCY_MS_MAX,
    AN_FIG_COMMITS_FAILED, AN_FIG_BALANCE_MEAN, AN_FIG_RECORDS_CONSUMED,
    AN_FIG_CROSS_RACK_SHARE,          /* 100 x cross-rack / rack-known records, NaN without */
    AN_FIG_COUNT
} an_fig_t;

typedef struct an_compare {
    size_t n_assignors;               /* compared assignors; the first is the reference */
    size_t n_seeds;                   /* runs per assignor */
    char **assignors;                 /* names (owned) */
    double *values;                   /* [(a * n_seeds + s) * AN_FIG_COUNT + f], NaN = missing */
} an_compare_t;

const char *an_fig_name(an_fig_t f);  /* JSON key, e.g. "unavailable_partition_ms" */
/* The figures of one analysed run: totals over its groups (an_result_total), records_consumed
 * from run_end. Returns 0 or -1 (out of memory). */
int an_figures_of(const an_result_t *res, double out[AN_FIG_COUNT]);

int an_compare_init(an_compare_t *c, const char *const *assignors, size_t n_assignors,
                    size_t n_seeds);
void an_compare_fini(an_compare_t *c);
static inline double *an_compare_row(an_compare_t *c, size_t a, size_t s)
{
    return &c->values[(a * c->n_seeds + s) * AN_FIG_COUNT];
}
/* Mean and interval of figure f for assignor a; paired: of (a - first) per seed. */
an_ci_t an_compare_ci(const an_compare_t *c, size_t a, an_fig_t f);
an_ci_t an_compare_paired(const an_compare_t *c, size_t a, an_fig_t f);
/* The same against row `ref` instead of the first: of (a - ref) per seed. */
an_ci_t an_compare_paired_vs(const an_compare_t *c, size_t ref, size_t a, an_fig_t f);
/* {FIG: {"mean", "ci95", "n"}} of row a; of (a - ref) per seed when `paired`. NULL on OOM. */
cJSON *an_compare_figs_json(const an_compare_t *c, size_t a, bool paired, size_t ref);
/* {"assignors": {NAME: {FIG: {"mean", "ci95": [lo, hi], "n"}}}, "paired_vs_first": {NAME: ...},
 *  "first": NAME, "seeds": N}; NULL on OOM. */
cJSON *an_compare_json(const an_compare_t *c);
void an_compare_print(const an_compare_t *c, FILE *out);

#endif
