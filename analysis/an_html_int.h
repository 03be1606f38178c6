/* analysis/an_html_int: the data side of the report page (internal to an_html*.c).
 * Owns: what the trace observer collects per group (ownership, stalls, rebalances, lag) and its
 *       reduction to the bounded JSON the page's script draws.
 * Does not own: the page around it (an_html.c).
 * Invariant: every reduction is deterministic (sorts by value with full tie-breaks) and bounded
 *            by the AN_HTML_* limits of an_html.h. */
#ifndef AN_HTML_INT_H
#define AN_HTML_INT_H

#include <stdbool.h>
#include <stdint.h>
#include "analysis/an_analyze.h"

/* A closed interval of one partition: owned by `member` (spans), owned by a stopped member
 * (stalls, member unused) or without an owner (unowned; n partitions when part is
 * AN_NO_GROUP). */
typedef struct an_hspan {
    size_t part;                      /* partition index in the group */
    size_t member;                    /* member index, or partitions for unowned */
    int64_t a_ns, b_ns;               /* [a, b) */
} an_hspan_t;

typedef struct an_hband {
    int64_t t_ns;                     /* rebalance_end time */
    double dur_ms;                    /* its duration_ms: the band is [t - dur, t] */
    int64_t gen, members, moved;      /* its fields */
} an_hband_t;

/* A series merged in place: every `per` raw points become one (the first time, the largest
 * values), and `per` doubles whenever the series reaches 2 * AN_HTML_MAX_POINTS. */
typedef struct an_hseries {
    double *t_s;                      /* times */
    int64_t *v[2];                    /* values (-1 none) */
    size_t n, cap;                    /* points, capacity */
    size_t per, pending;              /* raw points per point, raw points in the last one */
} an_hseries_t;

/* A step function kept as its changes: +d at t. Changes arrive out of time order (an interval
 * is reported when it closes), so the array is sorted and changes at one time are summed
 * whenever it has doubled: memory follows the distinct times, not the intervals. */
typedef struct an_hstep {
    int64_t t_ns;                     /* when */
    int64_t d;                        /* change of the value */
} an_hstep_t;

typedef struct an_hdelta {
    an_hstep_t *ev;                   /* changes */
    size_t n, cap;                    /* changes, capacity */
    size_t compact_at;                /* n that triggers the next compaction */
} an_hdelta_t;

typedef struct an_hgrp {
    /* The detailed view's intervals, kept while they fit its bounds (else dropped: the group
     * is drawn aggregated). unowned: member holds the partition count. */
    an_hspan_t *spans, *stalls, *unowned;
    size_t n_spans, n_stalls, n_unowned, cap_spans, cap_stalls, cap_unowned;
    bool too_many;                    /* more intervals than AN_HTML_DETAIL_MAX_SPANS */
    an_hdelta_t *owned;               /* per member index: partitions owned */
    size_t n_owned;                   /* entries of owned */
    an_hdelta_t stalled;              /* partitions without an owner or owned by a stopped one */
    an_hband_t *bands;
    size_t n_bands, cap_bands;
    bool open;                        /* a rebalance_start is waiting for its rebalance_end */
    int64_t open_ns;                  /* since then */
    an_hseries_t lag;                 /* `lag` records: committed, position totals */
    an_hseries_t commit_lag;          /* total committed lag at commits (v[0]) */
} an_hgrp_t;

typedef struct an_hfault {
    int64_t t_ns;                     /* record time */
    char *action, *target;            /* its fields */
    bool applied;
} an_hfault_t;

typedef struct an_hctx {
    an_hgrp_t *g;                     /* by group index */
    size_t n_g;                       /* groups with an entry */
    an_hfault_t *faults;              /* fault records, in trace order */
    size_t n_faults, cap_faults;
    bool oom;                         /* an allocation failed */
} an_hctx_t;

void an_hctx_observer(an_hctx_t *c, an_observer_t *obs);
void an_hctx_fini(an_hctx_t *c);
/* The drawing data of group g of res (mode, rows, spans or aggregated rows, bands, faults,
 * lag, stalled series, CDF), or NULL on OOM. */
cJSON *an_hctx_group_json(an_hctx_t *c, const an_result_t *res, size_t g);
/* Whether group g's section shows fault f: a fault shows in the group its target names ("g",
 * or "g/member" for the longest such g), else in the groups that read the topic it names,
 * else (an unknown target) in every group. */
bool an_hctx_fault_in_group(const an_result_t *res, const an_hfault_t *f, size_t g);
/* Order of member names as the page shows them: numbers inside names compare by value. */
int an_html_name_cmp(const char *a, const char *b);
/* Sort d's changes and sum those at one time (dropping sums of 0). */
void an_hdelta_compact(an_hdelta_t *d);
/* Seconds rounded to the millisecond: short, exact decimals in the page. */
double an_html_s(int64_t t_ns);

#endif
