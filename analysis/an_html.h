/* analysis/an_html: `cgsim report`, one self-contained HTML page of a trace and, optionally, of
 *       a compare or sweep output (inline CSS, data as JSON, vanilla JavaScript that draws SVG).
 * Owns: what the page shows (header, summary and member tables, per-group timeline, lag,
 *       stalled-partition and rebalance-CDF data; compare bars and sweep lines) and its bounds.
 * Does not own: opening files or exit codes (cli/cmd_report), the trace metrics (an_analyze).
 * Invariant: the page is a deterministic function of its inputs, references nothing outside
 *            itself, and its size is bounded by the AN_HTML_* limits, not by the trace length. */
#ifndef AN_HTML_H
#define AN_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <cjson/cJSON.h>
#include "analysis/an_analyze.h"

/* A group is drawn partition by partition (members as rows, a lane per partition) when it is
 * at most this large; beyond, each row shows the partitions owned by its members over time. */
#define AN_HTML_DETAIL_MAX_PARTS 48
#define AN_HTML_DETAIL_MAX_MEMBERS 64
#define AN_HTML_DETAIL_MAX_SPANS 20000
/* Rows of an aggregated timeline: beyond, consecutive members (in name order) share a row. */
#define AN_HTML_MAX_ROWS 250
/* Points of one time series (lag, stalled partitions): beyond, neighbours are merged keeping
 * the largest value, so a peak is never lost. */
#define AN_HTML_MAX_POINTS 4000
/* Change points of one aggregated row, merged like a series beyond it. */
#define AN_HTML_MAX_ROW_POINTS 2000
/* Rebalance bands and fault markers drawn per group; the tables count them all. */
#define AN_HTML_MAX_MARKS 10000
/* Member rows in a group's member table. */
#define AN_HTML_MAX_TABLE_MEMBERS 5000

typedef struct an_html_in {
    FILE *trace;                      /* the trace, read once; NULL: none */
    const char *trace_name;           /* its name in messages and the page */
    bool partial;                     /* as analyze --partial */
    const cJSON *compare;             /* cgsim compare --json output, or NULL */
    const char *compare_name;         /* its file name */
    const cJSON *sweep;               /* a sweep's summary.json, or NULL */
    const char *sweep_name;           /* its path */
    void (*progress)(void *ctx, int64_t bytes); /* trace bytes read so far, or NULL */
    void *progress_ctx;
} an_html_in_t;

/* Write the page to out. Returns 0, -1 with the message in err (a bad trace names its line; a
 * compare or sweep file that does not have the expected shape names the JSON path), -2 out of
 * memory or a write error (message in err). */
int an_html_write(const an_html_in_t *in, FILE *out, char *err, size_t errlen);

/* The page's script and style sheet (an_html_assets.c, generated from analysis/report/). */
extern const char an_html_js[];
extern const char an_html_css[];

#endif
