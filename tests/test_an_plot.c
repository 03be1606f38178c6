/* tests/test_an_plot: the gnuplot inputs written for a hand-written trace and a compare JSON:
 * rows sorted by partition, one bar per ownership interval with the member's colour, marks,
 * lag steps held to the end of the run, CDF points, and a script that names every file. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "analysis/an_plot.h"

static char *slurp(const char *dir, const char *file)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "missing %s", path);
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void make_dir(char *dir)
{
    strcpy(dir, "/tmp/cgsim-test-plot-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(const char *dir)
{
    static const char *const files[] = {"timeline.dat", "marks.dat", "lag_0.dat", "cdf_0.dat",
                                        "plot.gp", "compare.dat"};
    char path[4200];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

Test(plot, trace_data_files)
{
    char dir[64], script[AN_PLOT_PATH_MAX], err[512] = "";
    make_dir(dir);
    FILE *in = fopen(CGSIM_SOURCE_DIR "/tests/traces/basic.jsonl", "r");
    cr_assert_not_null(in);
    cr_assert_eq(an_plot_trace(in, "basic", false, dir, AN_PLOT_PNG | AN_PLOT_SVG, script, err,
                               sizeof err), 0, "%s", err);
    fclose(in);
    char *tl = slurp(dir, "timeline.dat");
    /* a's first tenure on all four rows, b's on t-3 (colour 2) ended by its member_leave */
    cr_expect(strncmp(tl, "0 0.101000 0.250000 1\n1 0.101000 0.250000 1\n", 44) == 0, "%s", tl);
    cr_expect(strstr(tl, "3 0.302000 0.800000 2\n") != NULL, "%s", tl);
    cr_expect(strstr(tl, "3 0.905000 1.000000 1\n") != NULL, "%s", tl);
    size_t lines = 0;
    for (char *c = tl; *c; c++)
        lines += *c == '\n';
    cr_expect_eq(lines, 12);
    char *lag = slurp(dir, "lag_0.dat");
    cr_expect_str_eq(lag, "0.400000 50\n0.500000 80\n0.950000 55\n1.000000 55\n");
    char *cdf = slurp(dir, "cdf_0.dat");
    cr_expect_str_eq(cdf, "90.000000 0\n90.000000 0.333333\n100.000000 0.666667\n"
                          "150.000000 1.000000\n");
    char *marks = slurp(dir, "marks.dat");
    cr_expect(strstr(marks, "0.700000 2\n") != NULL, "fault mark: %s", marks);
    char *gp = slurp(dir, "plot.gp");
    cr_expect(strstr(gp, "timeline.png'") && strstr(gp, "timeline.svg'") &&
              strstr(gp, "lag.png'") && strstr(gp, "rebalance_cdf.svg'"), "%s", gp);
    cr_expect(strstr(gp, "set ytics ('t-0' 0, 't-1' 1, 't-2' 2, 't-3' 3)") != NULL);
    cr_expect(strstr(gp, "title 'g/b'") != NULL);
    cr_expect(strstr(gp, "set label 1 'crash g/b' at first 0.700000, graph 1.02") != NULL);
    free(tl);
    free(lag);
    free(cdf);
    free(marks);
    free(gp);
    remove_dir(dir);
}

Test(plot, bad_trace_is_reported)
{
    char dir[64], script[AN_PLOT_PATH_MAX], err[512] = "";
    make_dir(dir);
    FILE *in = fopen(CGSIM_SOURCE_DIR "/tests/traces/time_back.jsonl", "r");
    cr_assert_not_null(in);
    cr_expect_eq(an_plot_trace(in, "tb", false, dir, AN_PLOT_PNG, script, err, sizeof err), -1);
    cr_expect_str_eq(err, "tb:3: time goes back: t=5.000000 after t=10.000000");
    fclose(in);
    remove_dir(dir);
}

Test(plot, compare_bars)
{
    char dir[64], script[AN_PLOT_PATH_MAX], err[512] = "";
    make_dir(dir);
    cJSON *j = cJSON_Parse(
        "{\"assignors\":{\"range\":{\"stalled_partition_ms\":{\"mean\":10,\"ci95\":[8,12],"
        "\"n\":3}},\"sticky\":{\"stalled_partition_ms\":{\"mean\":null,\"ci95\":null,"
        "\"n\":0}}},\"seeds\":3}");
    cr_assert_not_null(j);
    cr_assert_eq(an_plot_compare(j, "c.json", dir, AN_PLOT_PNG, script, err, sizeof err), 0,
                 "%s", err);
    char *dat = slurp(dir, "compare.dat");
    /* stalled time first: it is the figure assignors are ranked on */
    cr_expect(strncmp(dat, "# stalled_partition_ms\n0 \"range\" 10.000000 8.000000 "
                           "12.000000\n1 \"sticky\" NaN NaN NaN\n", 80) == 0, "%s", dat);
    char *gp = slurp(dir, "plot.gp");
    cr_expect(strstr(gp, "set multiplot layout 2,3") != NULL);
    cr_expect(strstr(gp, "set label 'no data'") != NULL);   /* figures absent from the JSON */
    free(dat);
    free(gp);
    cJSON_Delete(j);
    cJSON *bad = cJSON_Parse("{\"groups\":{}}");
    cr_expect_eq(an_plot_compare(bad, "x.json", dir, AN_PLOT_PNG, script, err, sizeof err), -1);
    cr_expect(strstr(err, "x.json: $.assignors: expected an object") == err, "%s", err);
    cJSON_Delete(bad);
    remove_dir(dir);
}
