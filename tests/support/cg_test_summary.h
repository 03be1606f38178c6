/* tests/support/cg_test_summary: "one definition everywhere" as a check. Parses the per-group
 * summary `cgsim run` prints on stderr and compares it, figure by figure, with cgsim analyze's
 * figures of the same run's trace (the summary is computed while the run goes, analyze from the
 * trace alone, by separate code). Used by test_cg_summary_agrees (shipped scenarios) and
 * test_cg_swarm (random ones).
 * Owns: nothing it returns. Does not own: the log text or the trace file. */
#ifndef CGSIM_TESTS_SUPPORT_CG_TEST_SUMMARY_H
#define CGSIM_TESTS_SUPPORT_CG_TEST_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cgt_sum_group {
    char name[256];
    char lag[32];                     /* "N records" or "-" as printed */
    long long rebalances, moved, max_lag, duplicates, zombies;   /* max_lag -1 = "-" */
    double mean_ms, max_ms, stalled_s, unavailable_s;
    /* sampled lag line: -1 (NaN for the mean) = "-" */
    long long slag_cmax, slag_ctmax, slag_pmax, slag_ptmax;
    double slag_ctmean;
    double lat_p50, lat_p99, lat_max;   /* latency line, ms; NaN = "-" */
    double bal_mean, bal_settled_s;     /* balance line; mean NaN = "-" */
    long long as_decisions, as_ups, as_downs, as_max; /* autoscaler line; 0 and -1 without */
    long long rack_records, cross_rack_records;       /* cross-rack fetch line; 0 without */
} cgt_sum_group_t;

/* The summary's five lines per group in `log`; returns how many groups were parsed (<= max). */
size_t cgt_summary_parse(const char *log, cgt_sum_group_t *g, size_t max);
/* True when every group of the summary in `log` matches analyze of `trace` on rebalances (count,
 * mean, max), moved, stalled and unowned partition-time, max lag, duplicates, zombies and the
 * sampled lag (committed max, group total max and mean; position max and group total max) and
 * latency (p50, p99, max) and balance (mean, settled time) and the autoscaler's decisions
 * (count, scale-ups, scale-downs, largest replicas; a group without the line has none);
 * otherwise false with every mismatch (or the reason nothing could be compared) in msg.
 * *n_groups (may be NULL) is set to the number of groups compared. */
bool cgt_summary_agrees(const char *log, const char *trace, char *msg, size_t msglen,
                        size_t *n_groups);

#endif
