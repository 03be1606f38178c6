/* analysis/an_sweep: the statistics and files of a parameter sweep (cgsim sweep): grid points as
 * the cross product of axes, per-point means with Student-t 95% intervals, paired differences
 * against a baseline point, as summary JSON and CSV.
 * Owns: the point numbering (row-major: the last axis varies fastest) and the summary formats.
 * Does not own: the axes (caller's), running simulations (cli/cmd_sweep), the value table
 *       (an_compare_t, one row per point, one column per replicate).
 * Invariant: the summaries are a pure function of (description, table, failure counts), so they
 *            do not depend on workers, ranks or the order in which runs finished. */
#ifndef AN_SWEEP_H
#define AN_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>
#include "analysis/an_compare.h"

#define AN_SWEEP_MAX_AXES 8           /* axes of a grid */

typedef struct an_sweep_axis {
    char *path;                       /* a `--set` path, e.g. groups[0].assignor */
    char **values;                    /* the values as given on the command line or in the spec */
    size_t n_values;                  /* at least 1 */
} an_sweep_axis_t;

typedef struct an_sweep_desc {
    const char *scenario;             /* scenario path as given */
    uint64_t base_seed;               /* replicate r runs with splitmix64(base_seed + r) */
    size_t seeds;                     /* replicates per point */
    const an_sweep_axis_t *axes;      /* the grid */
    size_t n_axes;                    /* axes of the grid */
    size_t baseline;                  /* point the paired differences are taken against */
} an_sweep_desc_t;

/* Number of points (product of the axes' value counts; 1 with no axis). */
size_t an_sweep_points(const an_sweep_axis_t *axes, size_t n_axes);
/* Value index on each axis of point p, into idx[n_axes]. */
void an_sweep_point_decode(const an_sweep_axis_t *axes, size_t n_axes, size_t p, size_t *idx);
/* {PATH: VALUE, ...} of point p in axis order; NULL on OOM. */
cJSON *an_sweep_overrides_json(const an_sweep_axis_t *axes, size_t n_axes, size_t p);
/* {"scenario", "base_seed", "seeds", "axes": [{"path", "values"}], "baseline",
 *  "points": [{"point", "overrides", "runs", "failed", "figures": {FIG: ci},
 *  "vs_baseline": {FIG: ci}}]}; `failed` has one count per point. NULL on OOM. */
cJSON *an_sweep_summary_json(const an_sweep_desc_t *d, const an_compare_t *t,
                             const size_t *failed);
/* One row per (point, figure): point, the axis values, figure, n, mean, ci95_lo, ci95_hi,
 * diff_n, diff_mean, diff_ci95_lo, diff_ci95_hi (empty when undefined). 0, or -1 (write error). */
int an_sweep_summary_csv(const an_sweep_desc_t *d, const an_compare_t *t, FILE *out);

#endif
