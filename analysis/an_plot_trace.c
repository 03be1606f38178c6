/* analysis/an_plot_trace: the gnuplot pictures of a trace (timeline, lag, rebalance CDF). The
 * trace streams through an_analyze with the report page's collector (an_html_int.h), so the
 * pictures draw the same bounded data as `cgsim report` whatever the trace's size: one labelled
 * panel per group; a small group partition by partition (a row per partition, a bar per owner,
 * members' colours distinct across groups), a large one as the partitions its members own over
 * time (a row per member or run of members, its own colour scale); rebalances as shaded bands;
 * faults as lines (ticks on the member's row in a large group) with their labels placed in up
 * to AN_PLOT_LABEL_LANES lanes so that no two overlap (the others are counted in the title). */
#include "analysis/an_plot.h"
#include "analysis/an_plot_int.h"
#include "analysis/an_html_int.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define AN_PLOT_WIDTH_PX 1200
#define AN_PLOT_AREA_PX 860           /* plot area width: lmargin 0.14 to rmargin 0.86 */
#define AN_PLOT_LABEL_LANES 3         /* lanes of fault labels above a panel */
#define AN_PLOT_LABEL_CHARS 40        /* a fault label is cut to this many characters */
#define AN_PLOT_CHAR_PX 6.5           /* width of one character of a label (font 8) */
#define AN_PLOT_LEGEND 24             /* members named in a panel's key */
#define AN_PLOT_HEAT_TICS 25          /* row labels of an aggregated panel */

/* Light-to-dark ends of each group's colour scale in an aggregated panel. */
static const char *const AN_HUES[6] = {"#08519c", "#a63603", "#006d2c", "#54278f", "#7f2704",
                                       "#980043"};

typedef struct an_panel {
    cJSON *j;                         /* an_hctx_group_json of the group */
    bool detail;                      /* a row per partition */
    size_t rows;                      /* partitions (detail) or member rows */
    size_t colour_base;               /* global colour index of its first member (detail) */
    int lanes_used;                   /* fault label lanes */
    int64_t unlabelled;               /* faults drawn without a label */
    int px;                           /* height */
} an_panel_t;

typedef struct an_tl {
    const char *dir;                  /* output directory */
    const char *name;                 /* trace name */
    const an_result_t *res;           /* analysis */
    an_panel_t p[AN_PLOT_MAX_GROUPS]; /* panels of the first groups */
    size_t n;                         /* panels */
    double end_s;                     /* x range */
    int px;                           /* timeline height */
} an_tl_t;

/* A colour for member k of all detailed groups: hues a golden angle apart, so neighbours and
 * groups differ. */
static unsigned an_rgb(size_t k)
{
    double h = fmod((double)k * 0.618033988749895, 1.0) * 6.0, s = 0.62, v = 0.86;
    int i = (int)h;
    double f = h - i, p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
    double r[6] = {v, q, p, p, t, v}, g[6] = {t, v, v, q, p, p}, b[6] = {p, p, t, v, v, q};
    return (unsigned)lround(r[i] * 255) << 16 | (unsigned)lround(g[i] * 255) << 8 |
           (unsigned)lround(b[i] * 255);
}

static double an_num(const cJSON *arr, int i)
{
    const cJSON *v = cJSON_GetArrayItem(arr, i);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static FILE *an_dat(const an_tl_t *t, const char *base, size_t g, char *err, size_t errlen)
{
    char file[64];
    snprintf(file, sizeof file, "%s_%zu.dat", base, g);
    return an_plot_open(t->dir, file, "w", err, errlen);
}

/* A lag value (whole records), or NaN (gnuplot skips it). */
static void an_dat_v(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, " %.0f", v);
    else
        fputs(" NaN", f);
}

/* tl_<g>.dat: detail "lane a b rgb" per owned span; aggregated "row a b per-member" per step
 * above 0. st_<g>.dat: "lane a b" per stalled span. */
static int an_write_rows(const an_tl_t *t, size_t g, char *err, size_t errlen)
{
    const an_panel_t *p = &t->p[g];
    FILE *f = an_dat(t, "tl", g, err, errlen), *st = f ? an_dat(t, "st", g, err, errlen) : NULL;
    if (!st) {
        if (f)
            fclose(f);
        return -1;
    }
    if (p->detail) {
        const cJSON *sp = cJSON_GetObjectItem(p->j, "spans"), *stl;
        int members = cJSON_GetArraySize(cJSON_GetObjectItem(p->j, "rows"));
        for (int i = 0; i + 3 < cJSON_GetArraySize(sp); i += 4)
            if (an_num(sp, i) < members)
                fprintf(f, "%.0f %.3f %.3f %u\n", an_num(sp, i + 1), an_num(sp, i + 2),
                        an_num(sp, i + 3), an_rgb(p->colour_base + (size_t)an_num(sp, i)));
        stl = cJSON_GetObjectItem(p->j, "stalls");
        for (int i = 0; i + 3 < cJSON_GetArraySize(stl); i += 4)
            fprintf(st, "%.0f %.3f %.3f\n", an_num(stl, i + 1), an_num(stl, i + 2),
                    an_num(stl, i + 3));
    } else {
        double per = cJSON_GetObjectItem(p->j, "per_row")->valuedouble;
        const cJSON *row;
        int r = 0;
        cJSON_ArrayForEach(row, cJSON_GetObjectItem(p->j, "heat")) {
            int n = cJSON_GetArraySize(row);
            for (int k = 0; k + 1 < n; k += 2)
                if (an_num(row, k + 1) > 0)
                    fprintf(f, "%d %.3f %.3f %.4f\n", r, an_num(row, k),
                            k + 2 < n ? an_num(row, k + 2) : t->end_s, an_num(row, k + 1) / per);
            r++;
        }
    }
    int bad = fclose(st) | fclose(f);
    if (bad)
        snprintf(err, errlen, "%s: cannot write the timeline data", t->dir);
    return bad ? -1 : 0;
}

/* bands_<g>.dat "a b", faults_<g>.dat "t row applied", and the label lanes of the faults. */
static int an_write_marks(an_tl_t *t, size_t g, char *err, size_t errlen)
{
    an_panel_t *p = &t->p[g];
    FILE *b = an_dat(t, "bands", g, err, errlen), *f = b ? an_dat(t, "faults", g, err, errlen)
                                                            : NULL;
    if (!f) {
        if (b)
            fclose(b);
        return -1;
    }
    const cJSON *bands = cJSON_GetObjectItem(p->j, "bands"), *one;
    for (int i = 0; i + 4 < cJSON_GetArraySize(bands); i += 5)
        fprintf(b, "%.3f %.3f\n", an_num(bands, i), an_num(bands, i + 1));
    const cJSON *open = cJSON_GetObjectItem(p->j, "open_band");
    if (cJSON_GetArraySize(open) == 2)
        fprintf(b, "%.3f %.3f\n", an_num(open, 0), an_num(open, 1));
    cJSON_ArrayForEach(one, cJSON_GetObjectItem(p->j, "faults"))
        fprintf(f, "%.3f %.0f %.0f\n", an_num(one, 0), an_num(one, 4), an_num(one, 3));
    int bad = fclose(f) | fclose(b);
    if (bad)
        snprintf(err, errlen, "%s: cannot write the mark data", t->dir);
    return bad ? -1 : 0;
}

/* series_<g>.dat "t committed position" (lag records) or lag_<g>.dat "t total" (commits). */
static int an_write_lag(const an_tl_t *t, size_t g, char *err, size_t errlen)
{
    const cJSON *lag = cJSON_GetObjectItem(t->p[g].j, "lag");
    const char *kind = cJSON_GetObjectItem(lag, "kind")->valuestring;
    if (strcmp(kind, "none") == 0)
        return 0;
    bool sampled = strcmp(kind, "sampled") == 0;
    FILE *f = an_dat(t, sampled ? "series" : "lag", g, err, errlen);
    if (!f)
        return -1;
    const cJSON *ts = cJSON_GetObjectItem(lag, "t"), *c = cJSON_GetObjectItem(lag, "c");
    const cJSON *p = cJSON_GetObjectItem(lag, "p");
    int n = cJSON_GetArraySize(ts);
    for (int i = 0; i < n; i++) {
        fprintf(f, "%.3f", an_num(ts, i));
        an_dat_v(f, an_num(c, i));
        if (sampled)
            an_dat_v(f, an_num(p, i));
        fputc('\n', f);
    }
    if (!sampled && n > 0)   /* the last total holds to the end */
        fprintf(f, "%.3f %.0f\n", t->end_s, an_num(c, n - 1));
    if (fclose(f) != 0) {
        snprintf(err, errlen, "%s: cannot write the lag data", t->dir);
        return -1;
    }
    return 0;
}

static int an_write_cdf(const an_tl_t *t, size_t g, char *err, size_t errlen)
{
    const an_group_sum_t *gs = &t->res->groups[g];
    if (gs->rebalances == 0)
        return 0;
    FILE *f = an_dat(t, "cdf", g, err, errlen);
    if (!f)
        return -1;
    size_t n = (size_t)gs->rebalances;
    fprintf(f, "%.6f 0\n", gs->rebalance_durations_ms[0]);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%.6f %.6f\n", gs->rebalance_durations_ms[i], (double)(i + 1) / (double)n);
    if (fclose(f) != 0) {
        snprintf(err, errlen, "%s: cannot write cdf_%zu.dat", t->dir, g);
        return -1;
    }
    return 0;
}

/* ---- the timeline script ---- */

/* "action target", cut to AN_PLOT_LABEL_CHARS characters. */
static void an_fault_label(const cJSON *one, char *buf, size_t len)
{
    snprintf(buf, len, "%s %s", cJSON_GetArrayItem(one, 1)->valuestring,
             cJSON_GetArrayItem(one, 2)->valuestring);
    if (strlen(buf) > AN_PLOT_LABEL_CHARS)
        strcpy(buf + AN_PLOT_LABEL_CHARS - 2, "..");
}

/* Labels the faults of panel g greedily, in time order, in the lowest lane whose last label
 * ends before this one starts; faults that fit no lane stay unlabelled. With `f`, writes the
 * labels; without, only counts lanes and unlabelled faults. */
static void an_gp_fault_labels(FILE *f, an_tl_t *t, size_t g)
{
    an_panel_t *p = &t->p[g];
    double lane_end[AN_PLOT_LABEL_LANES], s_per_char = AN_PLOT_CHAR_PX / AN_PLOT_AREA_PX *
                                                        t->end_s;
    for (int l = 0; l < AN_PLOT_LABEL_LANES; l++)
        lane_end[l] = -INFINITY;
    p->lanes_used = 0;
    p->unlabelled = 0;
    const cJSON *one;
    int k = 0;
    cJSON_ArrayForEach(one, cJSON_GetObjectItem(p->j, "faults")) {
        char lab[AN_PLOT_LABEL_CHARS + 8];
        an_fault_label(one, lab, sizeof lab);
        double t0 = an_num(one, 0), w = (double)(strlen(lab) + 1) * s_per_char;
        int l = 0;
        while (l < AN_PLOT_LABEL_LANES && lane_end[l] > t0)
            l++;
        if (l == AN_PLOT_LABEL_LANES) {
            p->unlabelled++;
            continue;
        }
        lane_end[l] = t0 + w;
        if (l + 1 > p->lanes_used)
            p->lanes_used = l + 1;
        if (!f)
            continue;
        fprintf(f, "set label %d ", ++k);
        an_gp_quote(f, lab);
        fprintf(f, " at first %.3f, graph 1 offset 0, char %.1f left font ',8' tc rgb "
                   "'%s' front\n", t0, 0.4 + l, an_num(one, 3) ? "#d62728" : "#888888");
    }
}

static void an_gp_panel_tics(FILE *f, const an_tl_t *t, size_t g)
{
    const an_panel_t *p = &t->p[g];
    const cJSON *names = cJSON_GetObjectItem(p->j, p->detail ? "lanes" : "rows");
    size_t every = p->detail ? 1 : (p->rows + AN_PLOT_HEAT_TICS - 1) / AN_PLOT_HEAT_TICS;
    fprintf(f, "set ytics (");
    for (size_t i = 0; i < p->rows; i += every ? every : 1) {
        fprintf(f, "%s", i ? ", " : "");
        an_gp_quote(f, cJSON_GetArrayItem(names, (int)i)->valuestring);
        fprintf(f, " %zu", i);
    }
    fprintf(f, ") font ',8'\n");
}

static void an_gp_panel_head(FILE *f, an_tl_t *t, size_t g, double y, double h)
{
    an_panel_t *p = &t->p[g];
    const an_group_sum_t *gs = &t->res->groups[g];
    char title[512], more[64] = "";
    if (p->unlabelled)
        snprintf(more, sizeof more, " (%" PRId64 " more faults drawn, not labelled)",
                 p->unlabelled);
    snprintf(title, sizeof title, "group %.200s: %zu members, %" PRId64 " partitions, %s%s",
             gs->name, gs->n_members, gs->partitions,
             p->detail ? "partition owners (black: owner stopped by a fault)"
                       : "fewest partitions owned per member", more);
    fprintf(f, "unset label\nset origin 0, %.5f\nset size 1, %.5f\n", y, h);
    fprintf(f, "set lmargin at screen 0.14\nset rmargin at screen 0.86\nset tmargin %d\n"
               "set bmargin 3\nset title ", 2 + p->lanes_used);
    an_gp_quote(f, title);
    fprintf(f, " offset 0, %d\nset xrange [0:%.3f]\nset yrange [%.1f:-0.5]\nset xlabel "
               "'time (s)' offset 0, 0.5\nset style fill solid 1.0 noborder\nunset grid\n",
            p->lanes_used, t->end_s, (double)p->rows - 0.5);
    an_gp_panel_tics(f, t, g);
    an_gp_fault_labels(f, t, g);
    if (p->detail) {
        fprintf(f, "unset colorbox\nset key outside right top font ',8'\n");
        return;
    }
    double fair = gs->n_members ? (double)gs->partitions / (double)gs->n_members : 1;
    fprintf(f, "unset key\nset palette defined (0 '#eef3fb', 1 '%s')\nset cbrange [0:%.0f]\n"
               "set colorbox\nset cblabel 'partitions per member' font ',8'\n",
            AN_HUES[g % 6], ceil(2 * fair) > 1 ? ceil(2 * fair) : 1);
}

static void an_gp_panel(FILE *f, an_tl_t *t, size_t g, double y, double h)
{
    const an_panel_t *p = &t->p[g];
    char file[64];
    an_gp_panel_head(f, t, g, y, h);
    fprintf(f, "plot NaN notitle");
    snprintf(file, sizeof file, "tl_%zu.dat", g);
    fprintf(f, ", \\\n  ");
    an_gp_file(f, t->dir, file);
    if (p->detail)
        fprintf(f, " using (($2+$3)/2):1:2:3:($1-0.4):($1+0.4):4 with boxxyerror lc rgb "
                   "variable notitle");
    else
        fprintf(f, " using (($2+$3)/2):1:2:3:($1-0.5):($1+0.5):4 with boxxyerror lc palette "
                   "notitle");
    if (p->detail && cJSON_GetArraySize(cJSON_GetObjectItem(p->j, "stalls")) > 0) {
        snprintf(file, sizeof file, "st_%zu.dat", g);
        fprintf(f, ", \\\n  ");
        an_gp_file(f, t->dir, file);
        fprintf(f, " using (($2+$3)/2):1:2:3:($1-0.15):($1+0.15) with boxxyerror lc rgb "
                   "'#000000' title 'stalled'");
    }
    bool bands = cJSON_GetArraySize(cJSON_GetObjectItem(p->j, "bands")) > 0 ||
                 cJSON_GetArraySize(cJSON_GetObjectItem(p->j, "open_band")) > 0;
    snprintf(file, sizeof file, "bands_%zu.dat", g);
    if (bands) {   /* an empty file makes gnuplot warn */
        fprintf(f, ", \\\n  ");
        an_gp_file(f, t->dir, file);
        fprintf(f, " using (($1+$2)/2):(0):1:2:(-0.5):(%.1f) with boxxyerror fs transparent "
                   "solid 0.25 noborder lc rgb '#ff9f1c' title 'rebalance'",
                (double)p->rows - 0.5);
    }
    snprintf(file, sizeof file, "faults_%zu.dat", g);
    if (cJSON_GetArraySize(cJSON_GetObjectItem(p->j, "faults")) > 0) {
        fprintf(f, ", \\\n  ");
        an_gp_file(f, t->dir, file);
        fprintf(f, " using 1:($2 < 0 || %d ? -0.5 : $2 - 0.5):(0):($2 < 0 || %d ? %.1f : 1):"
                   "($3 > 0 ? 0xd62728 : 0x999999) with vectors nohead lw 1.5 lc rgb variable "
                   "title 'fault'", p->detail, p->detail, (double)p->rows);
    }
    const cJSON *rows = cJSON_GetObjectItem(p->j, "rows");
    for (int m = 0; p->detail && m < cJSON_GetArraySize(rows) && m < AN_PLOT_LEGEND; m++) {
        fprintf(f, ", \\\n  NaN with boxes lc rgb '#%06x' title ",
                an_rgb(p->colour_base + (size_t)m));
        an_gp_quote(f, cJSON_GetArrayItem(rows, m)->valuestring);
    }
    fputc('\n', f);
}

/* Heights: a detailed row 8-18 px, an aggregated one 2-14 px, plus title, labels and axis. */
static void an_layout(an_tl_t *t)
{
    t->px = 0;
    for (size_t g = 0; g < t->n; g++) {
        an_panel_t *p = &t->p[g];
        double per = p->detail ? fmin(18, fmax(8, 600.0 / (double)(p->rows ? p->rows : 1)))
                               : fmin(14, fmax(2, 500.0 / (double)(p->rows ? p->rows : 1)));
        an_gp_fault_labels(NULL, t, g);
        p->px = (int)ceil(per * (double)(p->rows ? p->rows : 1)) + 14 * (5 + p->lanes_used);
        if (p->px < 160)
            p->px = 160;
        t->px += p->px;
    }
    if (t->n == 0)
        t->px = 300;
}

static void an_gp_timeline(FILE *f, an_tl_t *t, int fmt)
{
    an_gp_terminal(f, fmt, AN_PLOT_WIDTH_PX, t->px, t->dir, "timeline");
    fprintf(f, "set multiplot\n");
    double y = 1.0;
    for (size_t g = 0; g < t->n; g++) {
        double h = (double)t->p[g].px / (double)t->px;
        y -= h;
        an_gp_panel(f, t, g, y > 0 ? y : 0, h);
    }
    if (t->n == 0)
        fprintf(f, "set label 'no consumer-group records' at graph 0.5,0.5 center\n"
                   "plot NaN notitle\n");
    fprintf(f, "unset multiplot\n");
}

/* ---- lag and rebalance CDF: a line per group (colours an_plot_colours, by group) ---- */

static const char *an_lag_kind(const an_tl_t *t, size_t g)
{
    return cJSON_GetObjectItem(cJSON_GetObjectItem(t->p[g].j, "lag"), "kind")->valuestring;
}

static void an_gp_lag(FILE *f, const an_tl_t *t)
{
    bool sampled = false, any = false;
    for (size_t g = 0; g < t->n; g++) {
        sampled = sampled || strcmp(an_lag_kind(t, g), "sampled") == 0;
        any = any || strcmp(an_lag_kind(t, g), "none") != 0;
    }
    an_gp_title(f, sampled ? "sampled lag per group (committed solid, position dashed)"
                           : "total committed lag per group (at commits)", t->name);
    fprintf(f, "set xlabel 'time (s)'\nset ylabel 'lag (records, sum over partitions)'\n"
               "set xrange [0:%.3f]\nset key outside right top\n", t->end_s);
    if (!any) {
        fprintf(f, "set yrange [0:1]\nset label 'no lag records and no commit records with "
                   "end_offset' at graph 0.5,0.5 center\nplot NaN notitle\n");
        return;
    }
    fprintf(f, "set yrange [0:*]\nset offsets 0, 0, graph 0.08, 0\nplot NaN notitle");
    for (size_t g = 0; g < t->n; g++) {
        const char *kind = an_lag_kind(t, g);
        char file[64], title[600];
        bool s = strcmp(kind, "sampled") == 0;
        if (strcmp(kind, "none") == 0)
            continue;
        snprintf(file, sizeof file, "%s_%zu.dat", s ? "series" : "lag", g);
        for (int col = 2; col <= (s ? 3 : 2); col++) {
            fprintf(f, ", \\\n  ");
            an_gp_file(f, t->dir, file);
            snprintf(title, sizeof title, "%.500s%s", t->res->groups[g].name,
                     !s ? "" : col == 2 ? " committed" : " position");
            fprintf(f, " using 1:%d with %s lc %zu dt %d title ", col, s ? "lines" : "steps",
                    g % AN_PLOT_COLOURS + 1, col == 2 ? 1 : 2);
            an_gp_quote(f, title);
        }
    }
    fputc('\n', f);
}

static void an_gp_cdf(FILE *f, const an_tl_t *t)
{
    an_gp_title(f, "rebalance latency CDF", t->name);
    fprintf(f, "set xlabel 'rebalance duration (ms)'\nset ylabel 'fraction of rebalances'\n"
               "set yrange [0:1.02]\nset key bottom right\n");
    int drawn = 0;
    for (size_t g = 0; g < t->n; g++)
        drawn += t->res->groups[g].rebalances > 0;
    if (!drawn) {
        fprintf(f, "set xrange [0:1]\nset label 'no rebalance_end records' at graph 0.5,0.5 "
                   "center\nplot NaN notitle\n");
        return;
    }
    fprintf(f, "set xrange [0:*]\nplot NaN notitle");
    for (size_t g = 0; g < t->n; g++) {
        char file[64];
        if (t->res->groups[g].rebalances == 0)
            continue;
        snprintf(file, sizeof file, "cdf_%zu.dat", g);
        fprintf(f, ", \\\n  ");
        an_gp_file(f, t->dir, file);
        fprintf(f, " using 1:2 with steps lc %zu title ", g % AN_PLOT_COLOURS + 1);
        an_gp_quote(f, t->res->groups[g].name);
    }
    fputc('\n', f);
}

static int an_write_script(an_tl_t *t, int formats, char *script, char *err, size_t errlen)
{
    if (an_plot_path(script, t->dir, "plot.gp") != 0) {
        snprintf(err, errlen, "%s: path too long", t->dir);
        return -1;
    }
    FILE *f = an_plot_open(t->dir, "plot.gp", "w", err, errlen);
    if (!f)
        return -1;
    fprintf(f, "# written by cgsim plot; run: gnuplot plot.gp\n");
    an_layout(t);
    for (int fmt = AN_PLOT_PNG; fmt <= AN_PLOT_SVG; fmt <<= 1) {
        if (!(formats & fmt))
            continue;
        an_gp_timeline(f, t, fmt);
        an_gp_terminal(f, fmt, AN_PLOT_WIDTH_PX, 600, t->dir, "lag");
        an_gp_lag(f, t);
        an_gp_terminal(f, fmt, AN_PLOT_WIDTH_PX, 600, t->dir, "rebalance_cdf");
        an_gp_cdf(f, t);
    }
    fprintf(f, "unset output\n");
    if (fclose(f) != 0) {
        snprintf(err, errlen, "%s: write error", script);
        return -1;
    }
    return 0;
}

/* The panels of the first AN_PLOT_MAX_GROUPS groups and their data files. */
static int an_write_panels(an_tl_t *t, an_hctx_t *c, char *err, size_t errlen)
{
    size_t colours = 0;
    for (size_t g = 0; g < t->res->n_groups && g < AN_PLOT_MAX_GROUPS; g++) {
        an_panel_t *p = &t->p[t->n];
        if (!(p->j = an_hctx_group_json(c, t->res, g))) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        t->n++;
        p->detail = strcmp(cJSON_GetObjectItem(p->j, "mode")->valuestring, "detail") == 0;
        p->rows = (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(p->j, p->detail ? "lanes"
                                                                                  : "rows"));
        p->colour_base = colours;
        if (p->detail)
            colours += (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(p->j, "rows"));
        if (an_write_rows(t, g, err, errlen) || an_write_marks(t, g, err, errlen) ||
            an_write_lag(t, g, err, errlen) || an_write_cdf(t, g, err, errlen))
            return -1;
    }
    return 0;
}

int an_plot_trace(FILE *trace, const char *name, bool partial, const char *dir, int formats,
                  char *script, char *err, size_t errlen)
{
    an_opts_t opts = {.partial = partial};
    return an_plot_trace_opts(trace, name, &opts, dir, formats, script, err, errlen);
}

int an_plot_trace_opts(FILE *trace, const char *name, const an_opts_t *opts, const char *dir,
                       int formats, char *script, char *err, size_t errlen)
{
    an_hctx_t c;
    an_observer_t obs;
    an_hctx_observer(&c, &obs);
    an_result_t res;
    an_tl_t t;
    memset(&t, 0, sizeof t);
    int rc = an_analyze_stream(trace, name, opts, &obs, &res, err, errlen);
    if (rc == 0 && c.oom) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    if (rc == 0) {
        t.dir = dir;
        t.name = name;
        t.res = &res;
        t.end_s = res.end_ms > 0 ? res.end_ms / 1e3 : 1.0;
        rc = an_write_panels(&t, &c, err, errlen);
    }
    if (rc == 0)
        rc = an_write_script(&t, formats, script, err, errlen);
    for (size_t g = 0; g < t.n; g++)
        cJSON_Delete(t.p[g].j);
    an_hctx_fini(&c);
    an_result_fini(&res);   /* empty after a failed analysis */
    return rc == 0 ? 0 : -1;
}
