/* cli/progress: the progress line of long commands (cli/progress.h). Wall-clock time is read
 * here only to pace and describe the line; it never reaches a trace or an output file. */
#include "cli/progress.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli/cli.h"

void cli_progress_init(cli_progress_t *p, const char *what, const char *unit, bool bytes,
                       int64_t total)
{
    p->on = isatty(STDERR_FILENO);
    p->bytes = bytes;
    p->what = what;
    p->unit = unit;
    p->total = total;
    p->t0_s = cli_wall_seconds();
    p->last_s = p->t0_s;
    p->shown = false;
}

static void cli_progress_amount(const cli_progress_t *p, double v, char *buf, size_t len)
{
    if (p->bytes)
        snprintf(buf, len, "%.1f MB", v / 1e6);
    else
        snprintf(buf, len, "%.0f %s", v, p->unit);
}

void cli_progress_update(cli_progress_t *p, int64_t done)
{
    if (!p->on)
        return;
    double now = cli_wall_seconds(), el = now - p->t0_s;
    if (el < CLI_PROGRESS_DELAY_S || now - p->last_s < CLI_PROGRESS_PERIOD_S)
        return;
    p->last_s = now;
    p->shown = true;
    char a[48], r[48];
    double rate = el > 0 ? (double)done / el : 0;
    cli_progress_amount(p, (double)done, a, sizeof a);
    cli_progress_amount(p, rate, r, sizeof r);
    fprintf(stderr, "\r%s: %s", p->what, a);
    if (p->total > 0 && p->bytes)
        fprintf(stderr, " of %.1f MB", (double)p->total / 1e6);
    else if (p->total > 0)
        fprintf(stderr, " of %lld", (long long)p->total);
    if (p->total > 0)
        fprintf(stderr, " (%.0f%%)", 100.0 * (double)done / (double)p->total);
    fprintf(stderr, ", %s/s", r);
    if (p->total > 0 && rate > 0 && done <= p->total)
        fprintf(stderr, ", ETA %.0f s", (double)(p->total - done) / rate);
    fputs("   ", stderr);
    fflush(stderr);
}

void cli_progress_clear(cli_progress_t *p)
{
    if (p->shown)
        fprintf(stderr, "\r%100s\r", "");
    p->shown = false;
}

int64_t cli_progress_file_size(FILE *f)
{
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    return (int64_t)st.st_size;
}

void cli_progress_bytes_cb(void *ctx, int64_t bytes)
{
    cli_progress_update(ctx, bytes);
}
