/* analysis/an_plot: writes gnuplot data and a script. The trace is streamed once through
 * an_analyze with an observer that appends ownership intervals, marks and lag steps to files;
 * intervals are first written with (group, partition, member) indexes and rewritten at the end
 * with row numbers and colours, because rows are sorted by name and names are known only once
 * the whole trace is read. Memory stays O(groups + members + partitions). */
#include "analysis/an_plot.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/an_analyze.h"
#include "analysis/an_compare.h"

#define AN_PLOT_COLOURS 12
#define AN_PLOT_FAULT_LABELS 16       /* faults named above the timeline; more: lines only */
#define AN_PLOT_LABEL_LEN 96          /* bytes of one fault label */

static const char *const AN_COLOURS[AN_PLOT_COLOURS] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
    "#17becf", "#bcbd22", "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a",
};

typedef struct an_plot_ctx {
    const char *dir;                  /* output directory */
    FILE *owners;                     /* intervals by index, rewritten at the end: kind 0
                                         owned, 1 stalled (owner stopped by a fault) */
    FILE *marks;                      /* "t_s kind" */
    FILE *lag[AN_PLOT_MAX_GROUPS];    /* "t_s total_lag" per drawn group, opened lazily */
    int64_t last_lag[AN_PLOT_MAX_GROUPS]; /* latest total lag per drawn group */
    bool lag_drawn[AN_PLOT_MAX_GROUPS]; /* lag_<g>.dat exists */
    FILE *series[AN_PLOT_MAX_GROUPS]; /* "t_s committed position" per `lag` record (series_<g>) */
    bool any_series;                  /* some group has a lag series: the lag figure draws it */
    int64_t n_marks[3];               /* marks per kind */
    int64_t n_stalled;                /* stalled intervals (stalled.dat) */
    double fault_s[AN_PLOT_FAULT_LABELS]; /* times of the first faults */
    char fault_label[AN_PLOT_FAULT_LABELS][AN_PLOT_LABEL_LEN]; /* "action target" */
    int io_errno;                     /* first I/O error */
} an_plot_ctx_t;

static int an_path(char *out, const char *dir, const char *file)
{
    int n = snprintf(out, AN_PLOT_PATH_MAX, "%s/%s", dir, file);
    return n > 0 && n < AN_PLOT_PATH_MAX ? 0 : -1;
}

static FILE *an_open(const char *dir, const char *file, const char *mode, char *err,
                     size_t errlen)
{
    char path[AN_PLOT_PATH_MAX];
    FILE *f = an_path(path, dir, file) == 0 ? fopen(path, mode) : NULL;
    if (!f)
        snprintf(err, errlen, "%s/%s: cannot write: %s", dir, file,
                 errno ? strerror(errno) : "path too long");
    return f;
}

/* A gnuplot single-quoted string: quotes are doubled, nothing else is special. */
static void an_gp_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

static void an_gp_file(FILE *f, const char *dir, const char *file)
{
    char path[AN_PLOT_PATH_MAX];
    an_path(path, dir, file);
    an_gp_quote(f, path);
}

/* ---- observer ---- */

static void an_on_owned(void *ctx, size_t g, size_t part, size_t m, int64_t start_ns,
                        int64_t end_ns)
{
    an_plot_ctx_t *p = ctx;
    if (fprintf(p->owners, "0 %zu %zu %zu %" PRId64 " %" PRId64 "\n", g, part, m, start_ns,
                end_ns) < 0 && !p->io_errno)
        p->io_errno = errno ? errno : EIO;
}

static void an_on_stalled(void *ctx, size_t g, size_t part, size_t m, int64_t start_ns,
                          int64_t end_ns)
{
    an_plot_ctx_t *p = ctx;
    (void)m;
    p->n_stalled++;
    if (fprintf(p->owners, "1 %zu %zu 0 %" PRId64 " %" PRId64 "\n", g, part, start_ns,
                end_ns) < 0 && !p->io_errno)
        p->io_errno = errno ? errno : EIO;
}

static void an_on_mark(void *ctx, int64_t t_ns, an_mark_kind_t kind, size_t g, const char *label)
{
    an_plot_ctx_t *p = ctx;
    (void)g;
    if (kind == AN_MARK_FAULT && p->n_marks[kind] < AN_PLOT_FAULT_LABELS) {
        p->fault_s[p->n_marks[kind]] = (double)t_ns / 1e9;
        snprintf(p->fault_label[p->n_marks[kind]], AN_PLOT_LABEL_LEN, "%s", label);
    }
    p->n_marks[kind]++;
    if (fprintf(p->marks, "%.6f %d\n", (double)t_ns / 1e9, (int)kind) < 0 && !p->io_errno)
        p->io_errno = errno ? errno : EIO;
}

static void an_on_lag(void *ctx, size_t g, int64_t t_ns, int64_t lag)
{
    an_plot_ctx_t *p = ctx;
    char file[64], err[64];
    if (g >= AN_PLOT_MAX_GROUPS)
        return;
    if (!p->lag[g]) {
        snprintf(file, sizeof file, "lag_%zu.dat", g);
        p->lag[g] = an_open(p->dir, file, "w", err, sizeof err);
        if (!p->lag[g]) {
            if (!p->io_errno)
                p->io_errno = errno ? errno : EIO;
            return;
        }
        p->lag_drawn[g] = true;
    }
    p->last_lag[g] = lag;
    if (fprintf(p->lag[g], "%.6f %" PRId64 "\n", (double)t_ns / 1e9, lag) < 0 && !p->io_errno)
        p->io_errno = errno ? errno : EIO;
}

/* A `lag` record: the sampled totals ("NaN" where the group had no such partition). */
static void an_on_lag_sample(void *ctx, size_t g, int64_t t_ns, int64_t committed,
                             int64_t position)
{
    an_plot_ctx_t *p = ctx;
    char file[64], err[64], c[24] = "NaN", q[24] = "NaN";
    if (g >= AN_PLOT_MAX_GROUPS)
        return;
    if (!p->series[g]) {
        snprintf(file, sizeof file, "series_%zu.dat", g);
        p->series[g] = an_open(p->dir, file, "w", err, sizeof err);
        if (!p->series[g]) {
            if (!p->io_errno)
                p->io_errno = errno ? errno : EIO;
            return;
        }
        p->any_series = true;
    }
    if (committed >= 0)
        snprintf(c, sizeof c, "%" PRId64, committed);
    if (position >= 0)
        snprintf(q, sizeof q, "%" PRId64, position);
    if (fprintf(p->series[g], "%.6f %s %s\n", (double)t_ns / 1e9, c, q) < 0 && !p->io_errno)
        p->io_errno = errno ? errno : EIO;
}

/* ---- rows of the timeline: subscribed partitions sorted by (group, topic, partition) ---- */

typedef struct an_row_key {
    size_t g;                         /* group index */
    const char *topic;                /* topic name */
    int64_t partition;                /* partition number */
    size_t part;                      /* partition index in the group */
} an_row_key_t;

static int an_row_cmp(const void *a, const void *b)
{
    const an_row_key_t *x = a, *y = b;
    if (x->g != y->g)
        return x->g < y->g ? -1 : 1;
    int c = strcmp(x->topic, y->topic);
    if (c)
        return c;
    if (x->partition != y->partition)
        return x->partition < y->partition ? -1 : 1;
    return (x->part > y->part) - (x->part < y->part);
}

typedef struct an_rows {
    an_row_key_t *keys;               /* rows in order */
    size_t n;                         /* rows */
    int64_t **row_of;                 /* row_of[g][part], -1 = not drawn */
    size_t *member_base;              /* colour number of a group's first member */
    size_t n_groups;
} an_rows_t;

static void an_rows_fini(an_rows_t *r)
{
    for (size_t g = 0; r->row_of && g < r->n_groups; g++)
        free(r->row_of[g]);
    free(r->row_of);
    free(r->keys);
    free(r->member_base);
}

static int an_rows_build(const an_result_t *res, an_rows_t *r)
{
    size_t n = 0, members = 0;
    memset(r, 0, sizeof *r);
    for (size_t g = 0; g < res->n_groups; g++)
        n += res->groups[g].n_parts;
    r->n_groups = res->n_groups;
    r->keys = calloc(n ? n : 1, sizeof *r->keys);
    r->row_of = calloc(res->n_groups ? res->n_groups : 1, sizeof *r->row_of);
    r->member_base = calloc(res->n_groups ? res->n_groups : 1, sizeof *r->member_base);
    if (!r->keys || !r->row_of || !r->member_base)
        return -1;
    for (size_t g = 0; g < res->n_groups; g++) {
        const an_group_sum_t *gs = &res->groups[g];
        r->member_base[g] = members;
        members += gs->n_members;
        if (!(r->row_of[g] = malloc((gs->n_parts ? gs->n_parts : 1) * sizeof **r->row_of)))
            return -1;
        for (size_t i = 0; i < gs->n_parts; i++) {
            r->row_of[g][i] = -1;
            if (gs->parts[i].subscribed)
                r->keys[r->n++] = (an_row_key_t){g, gs->parts[i].topic, gs->parts[i].partition, i};
        }
    }
    qsort(r->keys, r->n, sizeof *r->keys, an_row_cmp);
    for (size_t i = 0; i < r->n; i++)
        r->row_of[r->keys[i].g][r->keys[i].part] = (int64_t)i;
    return 0;
}

/* owners.tmp ("kind g part member start_ns end_ns") -> timeline.dat ("row start_s end_s
 * colour") for kind 0 and stalled.dat ("row start_s end_s") for kind 1. */
static int an_write_timeline(an_plot_ctx_t *p, const an_rows_t *rows, char *err, size_t errlen)
{
    FILE *out = an_open(p->dir, "timeline.dat", "w", err, errlen);
    FILE *st = out ? an_open(p->dir, "stalled.dat", "w", err, errlen) : NULL;
    if (!st) {
        if (out)
            fclose(out);
        return -1;
    }
    rewind(p->owners);
    size_t g, part, m;
    int kind;
    int64_t a, b;
    while (fscanf(p->owners, "%d %zu %zu %zu %" SCNd64 " %" SCNd64, &kind, &g, &part, &m, &a,
                  &b) == 6) {
        int64_t row = rows->row_of[g][part];
        if (row < 0 || b <= a)
            continue;
        if (kind == 1)
            fprintf(st, "%" PRId64 " %.6f %.6f\n", row, (double)a / 1e9, (double)b / 1e9);
        else
            fprintf(out, "%" PRId64 " %.6f %.6f %zu\n", row, (double)a / 1e9, (double)b / 1e9,
                    (rows->member_base[g] + m) % AN_PLOT_COLOURS + 1);
    }
    bool st_bad = fclose(st) != 0, out_bad = fclose(out) != 0;
    if (st_bad || out_bad) {
        snprintf(err, errlen, "%s/%s: write error", p->dir, out_bad ? "timeline.dat" : "stalled.dat");
        return -1;
    }
    return 0;
}

static int an_write_cdf(const char *dir, const an_result_t *res, char *err, size_t errlen)
{
    for (size_t g = 0; g < res->n_groups && g < AN_PLOT_MAX_GROUPS; g++) {
        const an_group_sum_t *gs = &res->groups[g];
        if (gs->rebalances == 0)
            continue;
        char file[64];
        snprintf(file, sizeof file, "cdf_%zu.dat", g);
        FILE *f = an_open(dir, file, "w", err, errlen);
        if (!f)
            return -1;
        size_t n = (size_t)gs->rebalances;
        fprintf(f, "%.6f 0\n", gs->rebalance_durations_ms[0]);
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%.6f %.6f\n", gs->rebalance_durations_ms[i], (double)(i + 1) / (double)n);
        if (fclose(f) != 0) {
            snprintf(err, errlen, "%s/%s: write error", dir, file);
            return -1;
        }
    }
    return 0;
}

/* ---- the script ---- */

typedef struct an_fig_args {
    const an_plot_ctx_t *p;           /* files written */
    const an_result_t *res;           /* analysis */
    const an_rows_t *rows;            /* timeline rows */
    const char *name;                 /* trace name for titles */
    double end_s;                     /* x range end */
} an_fig_args_t;

static void an_gp_terminal(FILE *f, int fmt, int w, int h, const char *dir, const char *base)
{
    char file[128];
    fprintf(f, "reset\n");
    if (fmt == AN_PLOT_PNG) {
        fprintf(f, "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) { set terminal pngcairo size "
                   "%d,%d noenhanced font 'Sans,10' } else { set terminal png size %d,%d "
                   "noenhanced }\n", w, h, w, h);
        snprintf(file, sizeof file, "%s.png", base);
    } else {
        fprintf(f, "set terminal svg size %d,%d noenhanced font 'Sans,10' background "
                   "rgb 'white'\n", w, h);
        snprintf(file, sizeof file, "%s.svg", base);
    }
    fprintf(f, "set output ");
    an_gp_file(f, dir, file);
    fputc('\n', f);
    for (int i = 0; i < AN_PLOT_COLOURS; i++)
        fprintf(f, "set linetype %d lc rgb '%s' lw 2\n", i + 1, AN_COLOURS[i]);
    fprintf(f, "set linetype cycle %d\nset grid xtics ytics lc rgb '#dddddd'\n", AN_PLOT_COLOURS);
}

static void an_gp_title(FILE *f, const char *what, const char *name)
{
    char buf[AN_PLOT_PATH_MAX + 64];
    snprintf(buf, sizeof buf, "%s: %s", what, name);
    fprintf(f, "set title ");
    an_gp_quote(f, buf);
    fputc('\n', f);
}

static void an_gp_ytics(FILE *f, const an_fig_args_t *a)
{
    if (a->rows->n > AN_PLOT_MAX_YTICS || a->rows->n == 0) {
        fprintf(f, "set ylabel 'partition row'\n");
        return;
    }
    fprintf(f, "set ytics (");
    for (size_t i = 0; i < a->rows->n; i++) {
        const an_row_key_t *k = &a->rows->keys[i];
        char lab[600];
        if (a->res->n_groups > 1)
            snprintf(lab, sizeof lab, "%s %s-%" PRId64, a->res->groups[k->g].name, k->topic,
                     k->partition);
        else
            snprintf(lab, sizeof lab, "%s-%" PRId64, k->topic, k->partition);
        an_gp_quote(f, lab);
        fprintf(f, " %zu%s", i, i + 1 < a->rows->n ? ", " : ")\n");
    }
}

static void an_gp_legend(FILE *f, const an_fig_args_t *a)
{
    size_t shown = 0;
    for (size_t g = 0; g < a->res->n_groups; g++)
        for (size_t m = 0; m < a->res->groups[g].n_members && shown < AN_PLOT_MAX_LEGEND; m++) {
            char lab[600];
            snprintf(lab, sizeof lab, "%s/%s", a->res->groups[g].name,
                     a->res->groups[g].members[m].name);
            fprintf(f, ", \\\n  NaN with boxes fs solid 1.0 lc %zu title ",
                    (a->rows->member_base[g] + m) % AN_PLOT_COLOURS + 1);
            an_gp_quote(f, lab);
            shown++;
        }
}

/* Names of the first faults, slanted above the plot at their times. */
static void an_gp_fault_labels(FILE *f, const an_fig_args_t *a)
{
    int64_t n = a->p->n_marks[AN_MARK_FAULT];
    if (n == 0)
        return;
    fprintf(f, "set tmargin 8\nset title offset 0, 4\n");
    for (int64_t i = 0; i < n && i < AN_PLOT_FAULT_LABELS; i++) {
        fprintf(f, "set label %lld ", (long long)i + 1);
        an_gp_quote(f, a->p->fault_label[i]);
        fprintf(f, " at first %.6f, graph 1.02 rotate by 35 left font ',8' tc rgb '#d62728'\n",
                a->p->fault_s[i]);
    }
}

static void an_gp_timeline(FILE *f, const an_fig_args_t *a)
{
    static const char *const mark_style[3] = {
        "dt 2 lw 1 lc rgb '#555555' title 'rebalance start'",
        "dt 3 lw 1 lc rgb '#2ca02c' title 'rebalance end'",
        "lw 2 lc rgb '#d62728' title 'fault'"};
    double top = a->rows->n ? (double)a->rows->n - 0.5 : 0.5;
    an_gp_title(f, "partition owners", a->name);
    fprintf(f, "set xlabel 'time (s)'\nset xrange [0:%.6f]\nset yrange [%.1f:-0.5]\n",
            a->end_s, top);
    fprintf(f, "set key outside right top\nset style fill solid 1.0 noborder\nunset grid\n");
    an_gp_ytics(f, a);
    an_gp_fault_labels(f, a);
    fprintf(f, "plot NaN notitle");
    if (a->rows->n) {
        fprintf(f, ", \\\n  ");
        an_gp_file(f, a->p->dir, "timeline.dat");
        fprintf(f, " using (($2+$3)/2):1:2:3:($1-0.4):($1+0.4):4 with boxxyerror lc variable "
                   "notitle");
    }
    if (a->rows->n && a->p->n_stalled) {
        /* A black band inside the owner's bar: owned, but its process stopped by a fault (a
         * crash stalls from the crash; the gap after it is the time without an owner). */
        fprintf(f, ", \\\n  ");
        an_gp_file(f, a->p->dir, "stalled.dat");
        fprintf(f, " using (($2+$3)/2):1:2:3:($1-0.15):($1+0.15) with boxxyerror "
                   "fs solid 1.0 lc rgb '#000000' title 'stalled: owner stopped'");
    }
    for (int k = 0; k < 3; k++) {
        if (a->p->n_marks[k] == 0)
            continue;
        fprintf(f, ", \\\n  ");
        an_gp_file(f, a->p->dir, "marks.dat");
        fprintf(f, " using ($2==%d?$1:NaN):(-0.5):(0):(%.1f) with vectors nohead %s", k,
                top + 0.5, mark_style[k]);
    }
    an_gp_legend(f, a);
    fputc('\n', f);
}

/* The sampled series (`lag` records): committed lag solid, position lag dashed, per group. */
static void an_gp_lag_series(FILE *f, const an_fig_args_t *a)
{
    an_gp_title(f, "sampled lag per group (committed solid, position dashed)", a->name);
    fprintf(f, "set xlabel 'time (s)'\nset ylabel 'lag (records, sum over partitions)'\n"
               "set xrange [0:%.6f]\nset key outside right top\n", a->end_s);
    fprintf(f, "set yrange [0:*]\nset offsets 0, 0, graph 0.08, 0\nplot NaN notitle");
    for (size_t g = 0; g < a->res->n_groups && g < AN_PLOT_MAX_GROUPS; g++) {
        char file[64];
        if (a->res->groups[g].lag_samples == 0)
            continue;
        snprintf(file, sizeof file, "series_%zu.dat", g);
        for (int col = 2; col <= 3; col++) {
            fprintf(f, ", \\\n  ");
            an_gp_file(f, a->p->dir, file);
            fprintf(f, " using 1:%d with lines lc %zu dt %d title ", col,
                    g % AN_PLOT_COLOURS + 1, col == 2 ? 1 : 2);
            char t[AN_PLOT_LABEL_LEN + 32];
            snprintf(t, sizeof t, "%s %s", a->res->groups[g].name,
                     col == 2 ? "committed" : "position");
            an_gp_quote(f, t);
        }
    }
    fputc('\n', f);
}

static void an_gp_lag(FILE *f, const an_fig_args_t *a)
{
    if (a->p->any_series) {
        an_gp_lag_series(f, a);
        return;
    }
    an_gp_title(f, "total committed lag per group (at commits)", a->name);
    fprintf(f, "set xlabel 'time (s)'\nset ylabel 'lag (records, sum over partitions)'\n"
               "set xrange [0:%.6f]\nset key outside right top\n", a->end_s);
    int drawn = 0;
    for (size_t g = 0; g < a->res->n_groups && g < AN_PLOT_MAX_GROUPS; g++)
        drawn += a->p->lag_drawn[g];
    if (!drawn) {
        fprintf(f, "set yrange [0:1]\nset label 'no lag records and no commit records with "
                   "end_offset' at graph 0.5,0.5 center\nplot NaN notitle\n");
        return;
    }
    fprintf(f, "set yrange [0:*]\nset offsets 0, 0, graph 0.08, 0\nplot NaN notitle");
    for (size_t g = 0; g < a->res->n_groups && g < AN_PLOT_MAX_GROUPS; g++) {
        char file[64];
        if (!a->p->lag_drawn[g])
            continue;
        snprintf(file, sizeof file, "lag_%zu.dat", g);
        fprintf(f, ", \\\n  ");
        an_gp_file(f, a->p->dir, file);
        fprintf(f, " using 1:2 with steps lc %zu title ", g % AN_PLOT_COLOURS + 1);
        an_gp_quote(f, a->res->groups[g].name);
    }
    fputc('\n', f);
}

static void an_gp_cdf(FILE *f, const an_fig_args_t *a)
{
    an_gp_title(f, "rebalance latency CDF", a->name);
    fprintf(f, "set xlabel 'rebalance duration (ms)'\nset ylabel 'fraction of rebalances'\n"
               "set yrange [0:1.02]\nset key bottom right\n");
    int drawn = 0;
    for (size_t g = 0; g < a->res->n_groups && g < AN_PLOT_MAX_GROUPS; g++)
        drawn += a->res->groups[g].rebalances > 0;
    if (!drawn) {
        fprintf(f, "set xrange [0:1]\nset label 'no rebalance_end records' at graph 0.5,0.5 "
                   "center\nplot NaN notitle\n");
        return;
    }
    fprintf(f, "set xrange [0:*]\nplot NaN notitle");
    for (size_t g = 0; g < a->res->n_groups && g < AN_PLOT_MAX_GROUPS; g++) {
        char file[64];
        if (a->res->groups[g].rebalances == 0)
            continue;
        snprintf(file, sizeof file, "cdf_%zu.dat", g);
        fprintf(f, ", \\\n  ");
        an_gp_file(f, a->p->dir, file);
        fprintf(f, " using 1:2 with steps lc %zu title ", g % AN_PLOT_COLOURS + 1);
        an_gp_quote(f, a->res->groups[g].name);
    }
    fputc('\n', f);
}

typedef void (*an_fig_fn)(FILE *f, const an_fig_args_t *a);

static int an_write_script(const an_fig_args_t *a, int formats, char *script, char *err,
                           size_t errlen)
{
    static const struct { const char *base; an_fig_fn fn; } figs[] = {
        {"timeline", an_gp_timeline}, {"lag", an_gp_lag}, {"rebalance_cdf", an_gp_cdf}};
    if (an_path(script, a->p->dir, "plot.gp") != 0) {
        snprintf(err, errlen, "%s: path too long", a->p->dir);
        return -1;
    }
    FILE *f = an_open(a->p->dir, "plot.gp", "w", err, errlen);
    if (!f)
        return -1;
    fprintf(f, "# written by cgsim plot; run: gnuplot plot.gp\n");
    int h = 150 + 18 * (int)(a->rows->n > 160 ? 160 : a->rows->n);
    for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++)
        for (int fmt = AN_PLOT_PNG; fmt <= AN_PLOT_SVG; fmt <<= 1) {
            if (!(formats & fmt))
                continue;
            an_gp_terminal(f, fmt, 1200, i == 0 ? (h < 420 ? 420 : h) : 600, a->p->dir,
                           figs[i].base);
            figs[i].fn(f, a);
        }
    fprintf(f, "unset output\n");
    if (fclose(f) != 0) {
        snprintf(err, errlen, "%s: write error", script);
        return -1;
    }
    return 0;
}

/* Ends every lag file with the last value held to the end of the run, then closes the files. */
static int an_close_streams(an_plot_ctx_t *p, double end_s)
{
    int bad = p->io_errno != 0;
    for (size_t g = 0; g < AN_PLOT_MAX_GROUPS; g++) {
        if (!p->lag[g])
            continue;
        fprintf(p->lag[g], "%.6f %" PRId64 "\n", end_s, p->last_lag[g]);
        bad |= fclose(p->lag[g]) != 0;
        p->lag[g] = NULL;
    }
    for (size_t g = 0; g < AN_PLOT_MAX_GROUPS; g++) {
        if (p->series[g])
            bad |= fclose(p->series[g]) != 0;
        p->series[g] = NULL;
    }
    if (p->marks)
        bad |= fclose(p->marks) != 0;
    p->marks = NULL;
    return bad ? -1 : 0;
}

int an_plot_trace(FILE *trace, const char *name, bool partial, const char *dir, int formats,
                  char *script, char *err, size_t errlen)
{
    an_plot_ctx_t p;
    memset(&p, 0, sizeof p);
    p.dir = dir;
    p.owners = tmpfile();
    p.marks = an_open(dir, "marks.dat", "w", err, errlen);
    if (!p.owners || !p.marks) {
        if (!p.owners)
            snprintf(err, errlen, "cannot create a temporary file: %s", strerror(errno));
        if (p.owners)
            fclose(p.owners);
        if (p.marks)
            fclose(p.marks);
        return -1;
    }
    an_observer_t obs = {.ctx = &p, .owned = an_on_owned, .mark = an_on_mark,
                         .lag = an_on_lag, .stalled = an_on_stalled,
                         .lag_sample = an_on_lag_sample};
    an_opts_t opts = {.partial = partial};
    an_result_t res;
    an_rows_t rows;
    memset(&rows, 0, sizeof rows);
    int rc = an_analyze_stream(trace, name, &opts, &obs, &res, err, errlen);
    double end_s = rc == 0 && res.end_ms > 0 ? res.end_ms / 1e3 : 1.0;
    if (an_close_streams(&p, end_s) != 0 && rc == 0) {
        snprintf(err, errlen, "%s: cannot write the plot data", dir);
        rc = -1;
    }
    if (rc == 0 && an_rows_build(&res, &rows) != 0) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    if (rc == 0)
        rc = an_write_timeline(&p, &rows, err, errlen);
    if (rc == 0)
        rc = an_write_cdf(dir, &res, err, errlen);
    if (rc == 0) {
        an_fig_args_t a = {&p, &res, &rows, name, end_s};
        rc = an_write_script(&a, formats, script, err, errlen);
    }
    fclose(p.owners);
    an_rows_fini(&rows);
    an_result_fini(&res);
    return rc == 0 ? 0 : -1;
}

/* ---- compare: bars with 95% error bars per assignor ---- */

static const char *const AN_CMP_FIGS[] = {
    "stalled_partition_ms", "unavailable_partition_ms", "rebalance_ms_p99", "moved_partitions",
    "duplicates", "max_lag_records",
};
#define AN_CMP_NFIGS (sizeof AN_CMP_FIGS / sizeof AN_CMP_FIGS[0])

static double an_json_num(const cJSON *v)
{
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* A number for a gnuplot data file: NaN (missing) is written so gnuplot skips it. */
static void an_dat_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, " %.6f", v);
    else
        fprintf(f, " NaN");
}

/* One block per figure: "index \"assignor\" mean lo hi"; returns whether any mean is finite
 * in `has` per figure. */
static int an_write_compare_dat(const cJSON *assignors, const char *dir, bool *has, double *top,
                                char *err, size_t errlen)
{
    FILE *f = an_open(dir, "compare.dat", "w", err, errlen);
    if (!f)
        return -1;
    for (size_t k = 0; k < AN_CMP_NFIGS; k++) {
        has[k] = false;
        top[k] = 0;
        fprintf(f, "# %s\n", AN_CMP_FIGS[k]);
        int i = 0;
        const cJSON *a;
        cJSON_ArrayForEach(a, assignors) {
            const cJSON *fig = cJSON_GetObjectItemCaseSensitive(a, AN_CMP_FIGS[k]);
            const cJSON *ci = cJSON_GetObjectItemCaseSensitive(fig, "ci95");
            double mean = an_json_num(cJSON_GetObjectItemCaseSensitive(fig, "mean"));
            double lo = cJSON_GetArraySize(ci) == 2 ? an_json_num(cJSON_GetArrayItem(ci, 0)) : mean;
            double hi = cJSON_GetArraySize(ci) == 2 ? an_json_num(cJSON_GetArrayItem(ci, 1)) : mean;
            has[k] = has[k] || isfinite(mean);
            if (isfinite(mean) && mean > top[k])
                top[k] = mean;
            if (isfinite(hi) && hi > top[k])
                top[k] = hi;
            fprintf(f, "%d \"", i++);
            for (const char *s = a->string; *s; s++)
                fputc(*s == '"' ? '\'' : *s, f);
            fputc('"', f);
            an_dat_num(f, mean);
            an_dat_num(f, lo);
            an_dat_num(f, hi);
            fputc('\n', f);
        }
        fprintf(f, "\n\n");
    }
    if (fclose(f) != 0) {
        snprintf(err, errlen, "%s/compare.dat: write error", dir);
        return -1;
    }
    return 0;
}

static void an_gp_compare(FILE *f, const char *dir, const char *title, int n, const bool *has,
                          const double *top)
{
    fprintf(f, "set multiplot layout 2,3 title ");
    an_gp_quote(f, title);
    fprintf(f, "\nset style fill solid 0.7 border -1\nset boxwidth 0.6\nset xrange [-0.6:%.1f]\n"
               "set xtics rotate by -30\nunset key\nset grid noxtics\n", (double)n - 0.4);
    for (size_t k = 0; k < AN_CMP_NFIGS; k++) {
        fprintf(f, "set title '%s'\nunset label\n", AN_CMP_FIGS[k]);
        if (!has[k]) {
            fprintf(f, "set yrange [0:1]\nset label 'no data' at graph 0.5,0.5 center\n"
                       "plot NaN notitle\n");
            continue;
        }
        if (top[k] > 0)   /* all zero: a fixed range, or gnuplot warns about [0:0] */
            fprintf(f, "set yrange [0:*]\nset offsets 0, 0, graph 0.1, 0\nplot ");
        else
            fprintf(f, "set yrange [0:1]\nset offsets 0, 0, 0, 0\nplot ");
        an_gp_file(f, dir, "compare.dat");
        fprintf(f, " index %zu using 1:3:($1+1):xtic(2) with boxes lc variable, '' index %zu "
                   "using 1:3:4:5 with yerrorbars lc rgb 'black' pt 7 ps 0.4\n", k, k);
    }
    fprintf(f, "unset multiplot\n");
}

int an_plot_compare(const cJSON *cmp, const char *name, const char *dir, int formats,
                    char *script, char *err, size_t errlen)
{
    const cJSON *assignors = cJSON_GetObjectItemCaseSensitive(cmp, "assignors");
    if (!cJSON_IsObject(assignors) || !assignors->child) {
        snprintf(err, errlen, "%s: $.assignors: expected an object with one entry per assignor "
                              "(the output of cgsim compare --json)", name);
        return -1;
    }
    bool has[AN_CMP_NFIGS];
    double top[AN_CMP_NFIGS];
    if (an_write_compare_dat(assignors, dir, has, top, err, errlen))
        return -1;
    char title[AN_PLOT_PATH_MAX + 64];
    const cJSON *scen = cJSON_GetObjectItemCaseSensitive(cmp, "scenario");
    const cJSON *seeds = cJSON_GetObjectItemCaseSensitive(cmp, "seeds");
    snprintf(title, sizeof title, "cgsim compare %s: mean and 95%% interval over %.0f seeds",
             cJSON_IsString(scen) ? scen->valuestring : name, an_json_num(seeds));
    if (an_path(script, dir, "plot.gp") != 0) {
        snprintf(err, errlen, "%s: path too long", dir);
        return -1;
    }
    FILE *f = an_open(dir, "plot.gp", "w", err, errlen);
    if (!f)
        return -1;
    fprintf(f, "# written by cgsim plot --compare; run: gnuplot plot.gp\n");
    for (int fmt = AN_PLOT_PNG; fmt <= AN_PLOT_SVG; fmt <<= 1)
        if (formats & fmt) {
            an_gp_terminal(f, fmt, 1200, 700, dir, "compare");
            an_gp_compare(f, dir, title, cJSON_GetArraySize(assignors), has, top);
        }
    fprintf(f, "unset output\n");
    if (fclose(f) != 0) {
        snprintf(err, errlen, "%s: write error", script);
        return -1;
    }
    return 0;
}

/* ---- sweep: a figure over the first axis (a line and a 95% band per value of the second), and
 * a heat map over the first two axes; other axes are held at the baseline point's values ---- */

typedef struct an_sw {
    const cJSON *points;              /* summary.json's points, in point order */
    const cJSON *axes[2];             /* values of the first two axes (axes[1] NULL with one) */
    const char *path[2];              /* their paths */
    size_t n[2];                      /* their value counts (n[1] = 1 with one axis) */
    size_t stride0;                   /* points between two values of axis 0 */
    size_t stride1;                   /* points between two values of axis 1 */
    size_t base;                      /* point with every other axis at its baseline value */
    bool numeric_x;                   /* axis 0 values are all numbers: a real x axis */
    const char *figure;               /* figure drawn */
} an_sw_t;

static bool an_is_number(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    return *s && !*end && !errno && isfinite(v);
}

/* Strides and the base point from summary.json's axes and baseline. */
static int an_sw_init(an_sw_t *w, const cJSON *sum, const char *figure, char *err, size_t errlen)
{
    const cJSON *axes = cJSON_GetObjectItemCaseSensitive(sum, "axes");
    w->points = cJSON_GetObjectItemCaseSensitive(sum, "points");
    double b = an_json_num(cJSON_GetObjectItemCaseSensitive(sum, "baseline"));
    int na = cJSON_GetArraySize(axes);
    if (!cJSON_IsArray(axes) || na < 1 || !cJSON_IsArray(w->points) || !isfinite(b)) {
        snprintf(err, errlen, "expected axes, points and baseline (the summary.json of cgsim "
                              "sweep)");
        return -1;
    }
    size_t stride = 1, base = (size_t)b;
    w->base = 0;
    for (int a = na - 1; a >= 0; a--) {
        const cJSON *ax = cJSON_GetArrayItem(axes, a);
        const cJSON *vals = cJSON_GetObjectItemCaseSensitive(ax, "values");
        const cJSON *path = cJSON_GetObjectItemCaseSensitive(ax, "path");
        size_t nv = (size_t)cJSON_GetArraySize(vals);
        if (!cJSON_IsString(path) || nv == 0) {
            snprintf(err, errlen, "$.axes[%d]: expected {\"path\", \"values\"}", a);
            return -1;
        }
        if (a < 2) {
            w->axes[a] = vals;
            w->path[a] = path->valuestring;
            w->n[a] = nv;
            *(a == 0 ? &w->stride0 : &w->stride1) = stride;
        } else {
            w->base += (base / stride % nv) * stride;   /* held at the baseline's value */
        }
        stride *= nv;
    }
    if (na < 2) {
        w->axes[1] = NULL;
        w->n[1] = 1;
        w->stride1 = 1;
    }
    if ((size_t)cJSON_GetArraySize(w->points) != stride) {
        snprintf(err, errlen, "$.points: expected %zu points (the product of the axes)", stride);
        return -1;
    }
    w->numeric_x = true;
    const cJSON *v;
    cJSON_ArrayForEach(v, w->axes[0])
        w->numeric_x = w->numeric_x && cJSON_IsString(v) && an_is_number(v->valuestring);
    w->figure = figure;
    return 0;
}

/* The figure's mean and interval at (i, j). */
static void an_sw_ci(const an_sw_t *w, size_t i, size_t j, double *m, double *lo, double *hi)
{
    const cJSON *pt = cJSON_GetArrayItem(w->points, (int)(w->base + i * w->stride0 +
                                                          j * w->stride1));
    const cJSON *fig = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(pt, "figures"), w->figure);
    const cJSON *ci = cJSON_GetObjectItemCaseSensitive(fig, "ci95");
    *m = an_json_num(cJSON_GetObjectItemCaseSensitive(fig, "mean"));
    *lo = cJSON_GetArraySize(ci) == 2 ? an_json_num(cJSON_GetArrayItem(ci, 0)) : *m;
    *hi = cJSON_GetArraySize(ci) == 2 ? an_json_num(cJSON_GetArrayItem(ci, 1)) : *m;
}

static const char *an_sw_value(const cJSON *vals, size_t i)
{
    const cJSON *v = cJSON_GetArrayItem(vals, (int)i);
    return cJSON_IsString(v) ? v->valuestring : "?";
}

/* A data-file label: double quotes become single ones. */
static void an_dat_label(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++)
        fputc(*s == '"' ? '\'' : *s, f);
    fputc('"', f);
}

/* sweep_line.dat: one block per value of axis 1 ("x label mean lo hi"); sweep_heat.dat:
 * "i j mean" with a blank line after each i. */
static int an_sw_write_dat(const an_sw_t *w, const char *dir, char *err, size_t errlen)
{
    FILE *l = an_open(dir, "sweep_line.dat", "w", err, errlen);
    FILE *h = l ? an_open(dir, "sweep_heat.dat", "w", err, errlen) : NULL;
    if (!h) {
        if (l)
            fclose(l);
        return -1;
    }
    double m, lo, hi;
    for (size_t j = 0; j < w->n[1]; j++) {
        fprintf(l, "# %s = %s\n", w->path[1] ? w->path[1] : "-",
                w->axes[1] ? an_sw_value(w->axes[1], j) : "-");
        for (size_t i = 0; i < w->n[0]; i++) {
            an_sw_ci(w, i, j, &m, &lo, &hi);
            if (w->numeric_x)
                fprintf(l, "%s ", an_sw_value(w->axes[0], i));
            else
                fprintf(l, "%zu ", i);
            an_dat_label(l, an_sw_value(w->axes[0], i));
            an_dat_num(l, m);
            an_dat_num(l, lo);
            an_dat_num(l, hi);
            fputc('\n', l);
        }
        fprintf(l, "\n\n");
    }
    for (size_t i = 0; i < w->n[0]; i++) {
        for (size_t j = 0; j < w->n[1]; j++) {
            an_sw_ci(w, i, j, &m, &lo, &hi);
            fprintf(h, "%zu %zu", i, j);
            an_dat_num(h, m);
            fputc('\n', h);
        }
        fputc('\n', h);
    }
    int rc = fclose(l) | fclose(h);
    if (rc != 0)
        snprintf(err, errlen, "%s: write error", dir);
    return rc ? -1 : 0;
}

/* set xtics/ytics ("v0" 0, "v1" 1, ...) for a categorical axis. */
static void an_sw_tics(FILE *f, const char *which, const cJSON *vals, size_t n)
{
    fprintf(f, "set %s (", which);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s", i ? ", " : "");
        an_gp_quote(f, an_sw_value(vals, i));
        fprintf(f, " %zu", i);
    }
    fprintf(f, ")\n");
}

static void an_gp_sweep_line(FILE *f, const an_sw_t *w, const char *dir, const char *title)
{
    an_gp_title(f, title, w->figure);
    fprintf(f, "set xlabel ");
    an_gp_quote(f, w->path[0]);
    fprintf(f, "\nset ylabel '%s (mean, 95%% band)'\nset key outside right top\n"
               "set style fill transparent solid 0.2 noborder\n", w->figure);
    if (!w->numeric_x)
        an_sw_tics(f, "xtics", w->axes[0], w->n[0]);
    fprintf(f, "plot ");
    for (size_t j = 0; j < w->n[1]; j++) {
        char key[600];
        snprintf(key, sizeof key, "%s = %s", w->path[1] ? w->path[1] : "all",
                 w->axes[1] ? an_sw_value(w->axes[1], j) : "");
        fprintf(f, "%s", j ? ", \\\n     " : "");
        an_gp_file(f, dir, "sweep_line.dat");
        fprintf(f, " index %zu using 1:4:5 with filledcurves lc %zu notitle, '' index %zu "
                   "using 1:3 with linespoints lc %zu pt 7 title ", j, j + 1, j, j + 1);
        an_gp_quote(f, w->axes[1] ? key : w->figure);
    }
    fprintf(f, "\n");
}

static void an_gp_sweep_heat(FILE *f, const an_sw_t *w, const char *dir, const char *title)
{
    an_gp_title(f, title, w->figure);
    fprintf(f, "set xlabel ");
    an_gp_quote(f, w->path[0]);
    fprintf(f, "\nset ylabel ");
    an_gp_quote(f, w->path[1]);
    fprintf(f, "\nset cblabel '%s (mean)'\nunset key\nunset grid\nset palette defined "
               "(0 '#f7fbff', 1 '#6baed6', 2 '#08306b')\nset xrange [-0.5:%.1f]\n"
               "set yrange [-0.5:%.1f]\n", w->figure, (double)w->n[0] - 0.5,
            (double)w->n[1] - 0.5);
    an_sw_tics(f, "xtics", w->axes[0], w->n[0]);
    an_sw_tics(f, "ytics", w->axes[1], w->n[1]);
    fprintf(f, "plot ");
    an_gp_file(f, dir, "sweep_heat.dat");
    fprintf(f, " using 1:2:3 with image, '' using 1:2:(abs($3) >= 100 ? sprintf('%%.0f', $3) : "
               "sprintf('%%.3g', $3)) with labels tc rgb '#d62728'\n");
}

int an_plot_sweep(const cJSON *sum, const char *name, const char *figure, const char *dir,
                  int formats, char *script, char *err, size_t errlen)
{
    an_sw_t w;
    char msg[512];
    if (an_sw_init(&w, sum, figure, msg, sizeof msg) != 0) {
        snprintf(err, errlen, "%s: %s", name, msg);
        return -1;
    }
    int f_ok = 0;
    for (int f = 0; f < AN_FIG_COUNT; f++)
        f_ok = f_ok || strcmp(an_fig_name((an_fig_t)f), figure) == 0;
    if (!f_ok) {
        snprintf(err, errlen, "--figure '%s': unknown figure (known: the figure names of "
                              "summary.json, e.g. unavailable_partition_ms)", figure);
        return -1;
    }
    if (an_sw_write_dat(&w, dir, err, errlen) != 0 || an_path(script, dir, "plot.gp") != 0)
        return -1;
    FILE *f = an_open(dir, "plot.gp", "w", err, errlen);
    if (!f)
        return -1;
    const cJSON *scen = cJSON_GetObjectItemCaseSensitive(sum, "scenario");
    char title[512];   /* short enough for an_gp_title to add the figure */
    snprintf(title, sizeof title, "cgsim sweep %.400s, %.0f seeds",
             cJSON_IsString(scen) ? scen->valuestring : name,
             an_json_num(cJSON_GetObjectItemCaseSensitive(sum, "seeds")));
    fprintf(f, "# written by cgsim plot --sweep; run: gnuplot plot.gp\n");
    for (int fmt = AN_PLOT_PNG; fmt <= AN_PLOT_SVG; fmt <<= 1) {
        if (!(formats & fmt))
            continue;
        an_gp_terminal(f, fmt, 1000, 600, dir, "sweep_line");
        an_gp_sweep_line(f, &w, dir, title);
        if (w.axes[1]) {
            an_gp_terminal(f, fmt, 900, 600, dir, "sweep_heat");
            an_gp_sweep_heat(f, &w, dir, title);
        }
    }
    fprintf(f, "unset output\n");
    if (fclose(f) != 0) {
        snprintf(err, errlen, "%s: write error", script);
        return -1;
    }
    return 0;
}
