/* analysis/an_plot: gnuplot helpers shared by the plots, and the compare and sweep plots (the
 * trace plots are in an_plot_trace.c). */
#include "analysis/an_plot.h"
#include "analysis/an_plot_int.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/an_analyze.h"
#include "analysis/an_compare.h"

const char *const an_plot_colours[AN_PLOT_COLOURS] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
    "#17becf", "#bcbd22", "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a",
};


int an_plot_path(char *out, const char *dir, const char *file)
{
    int n = snprintf(out, AN_PLOT_PATH_MAX, "%s/%s", dir, file);
    return n > 0 && n < AN_PLOT_PATH_MAX ? 0 : -1;
}

FILE *an_plot_open(const char *dir, const char *file, const char *mode, char *err,
                     size_t errlen)
{
    char path[AN_PLOT_PATH_MAX];
    FILE *f = an_plot_path(path, dir, file) == 0 ? fopen(path, mode) : NULL;
    if (!f)
        snprintf(err, errlen, "%s/%s: cannot write: %s", dir, file,
                 errno ? strerror(errno) : "path too long");
    return f;
}

/* A gnuplot single-quoted string: quotes are doubled, nothing else is special. */
void an_gp_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

void an_gp_file(FILE *f, const char *dir, const char *file)
{
    char path[AN_PLOT_PATH_MAX];
    an_plot_path(path, dir, file);
    an_gp_quote(f, path);
}

void an_gp_terminal(FILE *f, int fmt, int w, int h, const char *dir, const char *base)
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
        fprintf(f, "set linetype %d lc rgb '%s' lw 2\n", i + 1, an_plot_colours[i]);
    fprintf(f, "set linetype cycle %d\nset grid xtics ytics lc rgb '#dddddd'\n", AN_PLOT_COLOURS);
}

void an_gp_title(FILE *f, const char *what, const char *name)
{
    char buf[AN_PLOT_PATH_MAX + 64];
    snprintf(buf, sizeof buf, "%s: %s", what, name);
    fprintf(f, "set title ");
    an_gp_quote(f, buf);
    fputc('\n', f);
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
    FILE *f = an_plot_open(dir, "compare.dat", "w", err, errlen);
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
    if (an_plot_path(script, dir, "plot.gp") != 0) {
        snprintf(err, errlen, "%s: path too long", dir);
        return -1;
    }
    FILE *f = an_plot_open(dir, "plot.gp", "w", err, errlen);
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
    FILE *l = an_plot_open(dir, "sweep_line.dat", "w", err, errlen);
    FILE *h = l ? an_plot_open(dir, "sweep_heat.dat", "w", err, errlen) : NULL;
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
    if (an_sw_write_dat(&w, dir, err, errlen) != 0 || an_plot_path(script, dir, "plot.gp") != 0)
        return -1;
    FILE *f = an_plot_open(dir, "plot.gp", "w", err, errlen);
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
