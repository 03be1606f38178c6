/* analysis/an_plot: gnuplot inputs (data files and one script) for a trace or a compare result.
 * Owns: the data files and plot.gp written into a directory, their layout and colours.
 * Does not own: running gnuplot (cli/cmd_plot spawns it on the script), creating the directory.
 * Invariant: the files are a deterministic function of the input; the script only reads files
 *            in the directory and writes images there (timeline, lag, rebalance_cdf, compare,
 *            sweep_line, sweep_heat). */
#ifndef AN_PLOT_H
#define AN_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <cjson/cJSON.h>
#include "analysis/an_analyze.h"

#define AN_PLOT_PNG 1
#define AN_PLOT_SVG 2
#define AN_PLOT_MAX_GROUPS 12          /* groups drawn (a timeline panel, a lag and CDF line) */
#define AN_PLOT_PATH_MAX 4096

/* Stream `trace` (analysed as cgsim analyze does, `partial` as --partial) and write into `dir`
 * per drawn group g: tl_<g>.dat (detail: "partition-row start end rgb"; aggregated:
 * "member-row start end partitions-per-member"), st_<g>.dat (stalled spans), bands_<g>.dat
 * (rebalances "start end"), faults_<g>.dat ("t member-row applied"), series_<g>.dat (lag
 * records "t committed position") or lag_<g>.dat (commits "t total"), cdf_<g>.dat; and plot.gp
 * (path in script, which has AN_PLOT_PATH_MAX bytes). The data are the report page's
 * (an_html_int.h), bounded whatever the trace's length. formats: AN_PLOT_PNG | AN_PLOT_SVG.
 * Returns 0, -1 (bad trace or I/O, message in err). */
int an_plot_trace(FILE *trace, const char *name, bool partial, const char *dir, int formats,
                  char *script, char *err, size_t errlen);
/* The same with analysis options (--partial, a progress callback). */
int an_plot_trace_opts(FILE *trace, const char *name, const an_opts_t *opts, const char *dir,
                       int formats, char *script, char *err, size_t errlen);
/* From the JSON of cgsim compare --json: compare.dat and plot.gp drawing bars with 95% error
 * bars per assignor for a few key figures. */
int an_plot_compare(const cJSON *cmp, const char *name, const char *dir, int formats,
                    char *script, char *err, size_t errlen);

/* From a sweep's summary.json: sweep_line.dat, sweep_heat.dat and plot.gp drawing `figure` over
 * the first axis (a line and its 95% band per value of the second axis) and, with two axes or
 * more, a heat map of its mean over the first two; further axes at the baseline's values. */
int an_plot_sweep(const cJSON *sum, const char *name, const char *figure, const char *dir,
                  int formats, char *script, char *err, size_t errlen);

#endif
