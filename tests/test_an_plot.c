/* tests/test_an_plot: the gnuplot inputs written for a hand-written trace and a compare JSON:
 * rows sorted by partition, one bar per ownership interval with the member's colour, marks,
 * lag steps held to the end of the run, CDF points, and a script that names every file. */
#define _POSIX_C_SOURCE 200809L
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
    static const char *const files[] = {"tl_0.dat", "st_0.dat", "bands_0.dat", "faults_0.dat",
                                        "lag_0.dat", "cdf_0.dat", "plot.gp", "compare.dat"};
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
    /* a small group: a row per partition (t-0..t-3), a bar per owner interval in its member's
     * colour: a's first tenure on all four rows, b's on t-3 ended by its member_leave */
    char *tl = slurp(dir, "tl_0.dat");
    unsigned ca = 0, cb = 0;
    cr_expect(sscanf(tl, "0 0.101 0.250 %u\n", &ca) == 1, "%s", tl);
    const char *b = strstr(tl, "3 0.302 0.800 ");
    cr_expect(b && sscanf(b, "3 0.302 0.800 %u", &cb) == 1, "%s", tl);
    cr_expect_neq(ca, cb, "a and b share a colour");
    size_t lines = 0;
    for (char *c = tl; *c; c++)
        lines += *c == '\n';
    cr_expect_eq(lines, 12);
    char *lag = slurp(dir, "lag_0.dat");   /* committed lag at commits, held to the end */
    cr_expect_str_eq(lag, "0.400 50\n0.500 80\n0.950 55\n1.000 55\n");
    char *cdf = slurp(dir, "cdf_0.dat");
    cr_expect_str_eq(cdf, "90.000000 0\n90.000000 0.333333\n100.000000 0.666667\n"
                          "150.000000 1.000000\n");
    char *bands = slurp(dir, "bands_0.dat");   /* [t - duration_ms, t] of each rebalance_end */
    cr_expect_str_eq(bands, "0.010 0.100\n0.200 0.300\n0.750 0.900\n");
    char *faults = slurp(dir, "faults_0.dat");   /* the crash of b, on b's member row 1 */
    cr_expect_str_eq(faults, "0.700 1 1\n");
    char *gp = slurp(dir, "plot.gp");
    cr_expect(strstr(gp, "timeline.png'") && strstr(gp, "timeline.svg'") &&
              strstr(gp, "lag.png'") && strstr(gp, "rebalance_cdf.svg'"), "%s", gp);
    cr_expect(strstr(gp, "set ytics ('t-0' 0, 't-1' 1, 't-2' 2, 't-3' 3)") != NULL, "%s", gp);
    cr_expect(strstr(gp, "title 'group g: 2 members, 4 partitions") != NULL, "%s", gp);
    cr_expect(strstr(gp, "title 'b'") != NULL);
    cr_expect(strstr(gp, "set label 1 'crash g/b' at first 0.700, graph 1 offset 0, char 0.4")
              != NULL, "%s", gp);
    free(tl);
    free(lag);
    free(cdf);
    free(bands);
    free(faults);
    free(gp);
    remove_dir(dir);
}

/* Fault labels never overlap: of ten faults 10 ms apart in a 1 s run, those whose label fits
 * in one of the three label lanes are labelled; the others are drawn and counted. */
Test(plot, fault_labels_do_not_overlap)
{
    char dir[64], script[AN_PLOT_PATH_MAX], err[512] = "", trace[4096];
    size_t n = (size_t)snprintf(trace, sizeof trace, "{\"t\":0,\"type\":\"run_start\","
        "\"scenario\":\"f\",\"seed\":1,\"version\":\"x\"}\n{\"t\":1,\"type\":"
        "\"assignment\",\"group\":\"g\",\"generation\":1,\"member\":\"a\","
        "\"partitions\":[[\"t\",0]]}\n");
    for (int i = 0; i < 10; i++)
        n += (size_t)snprintf(trace + n, sizeof trace - n, "{\"t\":%d,\"type\":\"fault\","
                              "\"action\":\"pause\",\"target\":\"g/a\",\"applied\":"
                              "true}\n", 100 + 10 * i);
    snprintf(trace + n, sizeof trace - n, "{\"t\":1000,\"type\":\"run_end\",\"events\":1,"
             "\"records_produced\":0,\"records_consumed\":0,\"duplicates\":0}\n");
    make_dir(dir);
    FILE *in = fmemopen(trace, strlen(trace), "r");
    cr_assert_eq(an_plot_trace(in, "f", false, dir, AN_PLOT_PNG, script, err, sizeof err), 0,
                 "%s", err);
    fclose(in);
    char *gp = slurp(dir, "plot.gp");
    /* a label ('pause g/a ': 10 characters of 6.5 px on 860 px for 1 s) is 0.0756 s wide:
     * the faults at 0.10, 0.11, 0.12 take the three lanes, the lowest is free again from
     * 0.1756, so 0.18 and 0.19 are labelled there and above; 0.13-0.17 are not */
    cr_expect(strstr(gp, "set label 4 'pause g/a' at first 0.180, graph 1 offset 0, char 0.4")
              != NULL, "%s", gp);
    cr_expect(strstr(gp, "set label 5 ") != NULL && strstr(gp, "set label 6 ") == NULL, "%s",
              gp);
    cr_expect(strstr(gp, "(5 more faults drawn, not labelled)") != NULL, "%s", gp);
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
