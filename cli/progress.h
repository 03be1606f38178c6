/* cli/progress: one progress line on stderr for commands that take more than a moment.
 * Owns: the line's format (done of total, rate, ETA), its pace (at most every
 *       CLI_PROGRESS_PERIOD_S) and clearing it.
 * Does not own: what is counted (the caller's runs or bytes).
 * Invariant: nothing is printed unless stderr is a terminal, so a pipe or a log file never
 *            sees a progress line, and the command's output files never depend on it. */
#ifndef CLI_PROGRESS_H
#define CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_PROGRESS_PERIOD_S 0.1     /* at most ~10 updates per wall second */
#define CLI_PROGRESS_DELAY_S 1.0      /* nothing before a command has run this long */

typedef struct cli_progress {
    bool on;                          /* stderr is a terminal */
    bool bytes;                       /* count bytes (MB, MB/s) rather than units */
    const char *what;                 /* "cgsim report: TRACE" */
    const char *unit;                 /* "runs" (bytes: unused) */
    int64_t total;                    /* expected count, <= 0 unknown (no ETA) */
    double t0_s, last_s;              /* wall clock at the start, at the last line */
    bool shown;                       /* a line is on screen */
} cli_progress_t;

/* Starts a progress display of `total` units (bytes when `bytes`); off when stderr is not a
 * terminal. `what` and `unit` must outlive it. */
void cli_progress_init(cli_progress_t *p, const char *what, const char *unit, bool bytes,
                       int64_t total);
/* `done` of total so far: "WHAT: done/total unit (pct%), rate unit/s, ETA s". */
void cli_progress_update(cli_progress_t *p, int64_t done);
/* Erases the line (call before printing anything else on stderr). */
void cli_progress_clear(cli_progress_t *p);
/* The size of a regular file open as `f`, else -1 (a pipe: no total). */
int64_t cli_progress_file_size(FILE *f);
/* an_opts_t.progress shape: (cli_progress_t *, bytes read). */
void cli_progress_bytes_cb(void *ctx, int64_t bytes);

#endif
