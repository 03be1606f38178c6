/* analysis/an_plot_int: helpers shared by the gnuplot writers (an_plot.c, an_plot_trace.c).
 * Owns: paths in the output directory, gnuplot quoting, the terminal and colour preamble.
 * Does not own: any figure.
 * Invariant: every path a script names is inside the output directory, quoted for gnuplot. */
#ifndef AN_PLOT_INT_H
#define AN_PLOT_INT_H

#include <stddef.h>
#include <stdio.h>

#define AN_PLOT_COLOURS 12
extern const char *const an_plot_colours[AN_PLOT_COLOURS];

/* dir/file into out (AN_PLOT_PATH_MAX bytes): 0, or -1 when too long. */
int an_plot_path(char *out, const char *dir, const char *file);
/* dir/file opened with mode, or NULL with "dir/file: cannot write: why" in err. */
FILE *an_plot_open(const char *dir, const char *file, const char *mode, char *err,
                   size_t errlen);
/* A gnuplot single-quoted string: quotes are doubled, nothing else is special. */
void an_gp_quote(FILE *f, const char *s);
/* The quoted path of dir/file. */
void an_gp_file(FILE *f, const char *dir, const char *file);
/* reset, the terminal (AN_PLOT_PNG or AN_PLOT_SVG) of w x h pixels writing dir/base.png|svg,
 * and the line types of an_plot_colours. */
void an_gp_terminal(FILE *f, int fmt, int w, int h, const char *dir, const char *base);
/* set title 'what: name'. */
void an_gp_title(FILE *f, const char *what, const char *name);

#endif
