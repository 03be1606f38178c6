/* tests/test_an_html: the report page of hand-written traces: self-contained and the same bytes
 * twice; its drawing data against what the traces say (bands = rebalance_end records with
 * their durations, spans, a stalled series worked out by hand, faults placed in the group they
 * name, members in name order), the aggregated view of a large group, escaping of hostile
 * names, and errors that name the input. The browser test (test_cli_report_browser) checks the
 * drawn page. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/an_html.h"

#define TRACES CGSIM_SOURCE_DIR "/tests/traces/"
#define RUN_END_REST "\"records_produced\":0,\"records_consumed\":0,\"duplicates\":0"

typedef struct page {
    char *html;                       /* the page */
    size_t len;                       /* its bytes */
    int rc;                           /* an_html_write's result */
    char err[512];                    /* its message */
} page_t;

static page_t render(FILE *trace, const char *name, const cJSON *cmp, const cJSON *sweep)
{
    page_t p = {0};
    FILE *out = open_memstream(&p.html, &p.len);
    cr_assert_not_null(out);
    an_html_in_t in = {.trace = trace, .trace_name = name, .compare = cmp,
                       .compare_name = "c.json", .sweep = sweep, .sweep_name = "s/summary.json"};
    p.rc = an_html_write(&in, out, p.err, sizeof p.err);
    fclose(out);
    return p;
}

static page_t render_file(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    page_t p = render(f, path, NULL, NULL);
    fclose(f);
    return p;
}

static page_t render_text(const char *trace)
{
    FILE *f = fmemopen((void *)trace, strlen(trace), "r");
    cr_assert_not_null(f);
    page_t p = render(f, "mem.jsonl", NULL, NULL);
    fclose(f);
    return p;
}

/* The page's JSON element (its "<" are all written "\u003c"). */
static cJSON *page_data(const page_t *p)
{
    const char *tag = "<script type=\"application/json\" id=\"cgsim-data\">";
    const char *a = strstr(p->html, tag);
    cr_assert_not_null(a);
    a += strlen(tag);
    const char *z = strstr(a, "</script>");
    cr_assert_not_null(z);
    char *buf = strndup(a, (size_t)(z - a));
    cr_assert_null(strchr(buf, '<'), "a raw < in the data");
    cJSON *j = cJSON_Parse(buf);
    cr_assert_not_null(j, "data is not JSON: %.300s", buf);
    free(buf);
    return j;
}

static cJSON *group_data(cJSON *d, int g)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItem(d, "groups"), g);
}

static double num_at(const cJSON *arr, int i)
{
    const cJSON *v = cJSON_GetArrayItem(arr, i);
    cr_assert(cJSON_IsNumber(v), "no number at %d", i);
    return v->valuedouble;
}

static void expect_numbers(const cJSON *arr, const double *want, int n)
{
    cr_assert_eq(cJSON_GetArraySize(arr), n, "%d numbers, want %d: %s",
                 cJSON_GetArraySize(arr), n, cJSON_PrintUnformatted(arr));
    for (int i = 0; i < n; i++)
        cr_expect_float_eq(num_at(arr, i), want[i], 1e-9, "at %d: %g, want %g", i,
                           num_at(arr, i), want[i]);
}

Test(html, self_contained_and_deterministic)
{
    page_t a = render_file(TRACES "basic.jsonl"), b = render_file(TRACES "basic.jsonl");
    cr_assert_eq(a.rc, 0, "%s", a.err);
    cr_assert_eq(a.len, b.len);
    cr_expect(memcmp(a.html, b.html, a.len) == 0, "two renderings differ");
    static const char *const outside[] = {"<link", " src=", "@import", "https:", "<iframe"};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++)
        cr_expect_null(strstr(a.html, outside[i]), "the page refers outside: %s", outside[i]);
    for (const char *s = a.html; (s = strstr(s, "http:")) != NULL; s++)
        cr_expect(strncmp(s, "http://www.w3.org/2000/svg", 26) == 0, "%.60s", s);
    for (const char *s = a.html; (s = strstr(s, "url(")) != NULL; s++)
        cr_expect(s[4] == '#' || s[4] == '\'', "%.40s", s);
    cr_expect_not_null(strstr(a.html, "<section class=\"group\" id=\"group-0\""));
    cr_expect_not_null(strstr(a.html, "<td>basic</td>"));
    free(a.html);
    free(b.html);
}

Test(html, data_of_basic_trace)
{
    page_t p = render_file(TRACES "basic.jsonl");
    cr_assert_eq(p.rc, 0, "%s", p.err);
    cJSON *d = page_data(&p), *g = group_data(d, 0);
    cr_expect_str_eq(cJSON_GetObjectItem(g, "mode")->valuestring, "detail");
    cr_expect_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(g, "rows"), 1)->valuestring, "b");
    cr_expect_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(g, "lanes"), 3)->valuestring, "t-3");
    /* three rebalance_end records: [t - duration_ms, t] with generation, members, moved */
    const double bands[] = {0.01, 0.1, 1, 1, 4, 0.2, 0.3, 2, 2, 2, 0.75, 0.9, 3, 1, 2};
    expect_numbers(cJSON_GetObjectItem(g, "bands"), bands, 15);
    const double cdf[] = {90, 100, 150};
    expect_numbers(cJSON_GetObjectItem(g, "cdf"), cdf, 3);
    /* b (row 1) owns t-3 (lane 3) from 0.302 to its member_leave at 0.8 */
    const cJSON *spans = cJSON_GetObjectItem(g, "spans");
    bool found = false;
    for (int i = 0; i + 3 < cJSON_GetArraySize(spans); i += 4)
        found = found || (num_at(spans, i) == 1 && num_at(spans, i + 1) == 3 &&
                          num_at(spans, i + 2) == 0.302 && num_at(spans, i + 3) == 0.8);
    cr_expect(found, "%s", cJSON_PrintUnformatted(spans));
    /* the crash of b, drawn on b's row */
    const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItem(g, "faults"), 0);
    cr_expect_str_eq(cJSON_GetArrayItem(f, 2)->valuestring, "g/b");
    cr_expect_eq(num_at(f, 4), 1);
    cJSON_Delete(d);
    free(p.html);
}

/* stall.jsonl: a owns t-0 and t-1, b owns t-2. Paused a [0.2, 0.3): 2 stalled; isolated b
 * [0.4, 0.5): 1; crashed b [0.6, 0.75) until its next assignment: 1; a's unapplied hang adds
 * nothing; hung a from 0.9 to the end at 1.0: 2. */
Test(html, stalled_series_by_hand)
{
    page_t p = render_file(TRACES "stall.jsonl");
    cr_assert_eq(p.rc, 0, "%s", p.err);
    cJSON *d = page_data(&p), *g = group_data(d, 0);
    const double want[] = {0.2, 2, 0.3, 0, 0.4, 1, 0.5, 0, 0.6, 1, 0.75, 0, 0.9, 2, 1, 0};
    expect_numbers(cJSON_GetObjectItem(g, "stalled"), want, 16);
    cr_expect_eq(cJSON_GetObjectItem(g, "faults_total")->valuedouble, 10);
    cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(g, "rows")), 3);   /* a, b, x */
    cJSON_Delete(d);
    free(p.html);
}

Test(html, faults_in_the_group_they_name)
{
    const char *t =
        "{\"t\":0,\"type\":\"run_start\",\"scenario\":\"f\",\"seed\":1,\"version\":\"x\"}\n"
        "{\"t\":1,\"type\":\"assignment\",\"group\":\"g\",\"generation\":1,\"member\":\"c10\","
        "\"partitions\":[[\"t\",0]]}\n"
        "{\"t\":1,\"type\":\"assignment\",\"group\":\"g\",\"generation\":1,\"member\":\"c2\","
        "\"partitions\":[[\"t\",1]]}\n"
        "{\"t\":1,\"type\":\"assignment\",\"group\":\"g-h\",\"generation\":1,\"member\":\"c1\","
        "\"partitions\":[[\"u\",0]]}\n"
        "{\"t\":2,\"type\":\"fault\",\"action\":\"crash\",\"target\":\"g/c2\",\"applied\":true}\n"
        "{\"t\":3,\"type\":\"fault\",\"action\":\"rolling_restart\",\"target\":\"g-h\","
        "\"applied\":true}\n"
        "{\"t\":4,\"type\":\"fault\",\"action\":\"nothing\",\"target\":\"u\",\"applied\":false}\n"
        "{\"t\":5,\"type\":\"fault\",\"action\":\"nothing\",\"target\":\"zz\",\"applied\":false}\n"
        "{\"t\":9,\"type\":\"run_end\",\"events\":1," RUN_END_REST "}\n";
    page_t p = render_text(t);
    cr_assert_eq(p.rc, 0, "%s", p.err);
    cJSON *d = page_data(&p), *g = group_data(d, 0), *h = group_data(d, 1);
    cr_expect_str_eq(cJSON_GetObjectItem(h, "name")->valuestring, "g-h");
    /* names in numeric order: c2 before c10 */
    cr_expect_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(g, "rows"), 0)->valuestring, "c2");
    cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(g, "faults")), 2);   /* g/c2, zz */
    cr_expect_eq(num_at(cJSON_GetArrayItem(cJSON_GetObjectItem(g, "faults"), 0), 4), 0);
    cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(h, "faults")), 3);   /* g-h, u, zz */
    cJSON_Delete(d);
    free(p.html);
}

Test(html, large_group_is_aggregated)
{
    size_t cap = 1 << 20, n = 0;
    char *t = malloc(cap);
    n += (size_t)snprintf(t + n, cap - n, "{\"t\":0,\"type\":\"run_start\",\"scenario\":\"big\","
                                          "\"seed\":1,\"version\":\"x\"}\n");
    for (int m = 1; m <= 600; m++)
        n += (size_t)snprintf(t + n, cap - n, "{\"t\":1000,\"type\":\"assignment\",\"group\":"
                              "\"g\",\"generation\":1,\"member\":\"m%d\",\"partitions\":"
                              "[[\"t\",%d]]}\n", m, m);
    snprintf(t + n, cap - n, "{\"t\":10000,\"type\":\"run_end\",\"events\":1," RUN_END_REST "}\n");
    page_t p = render_text(t);
    cr_assert_eq(p.rc, 0, "%s", p.err);
    cJSON *d = page_data(&p), *g = group_data(d, 0);
    cr_expect_str_eq(cJSON_GetObjectItem(g, "mode")->valuestring, "heat");
    cr_expect_eq(cJSON_GetObjectItem(g, "per_row")->valuedouble, 3);   /* 600 > 250 rows */
    cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(g, "rows")), 200);
    cr_expect_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(g, "rows"), 0)->valuestring,
                     "m1 .. m3");
    const cJSON *row = cJSON_GetArrayItem(cJSON_GetObjectItem(g, "heat"), 199);
    const double want[] = {1, 3, 9.995, 0};   /* 3 partitions from 1 s, on a 5 ms grid */
    expect_numbers(row, want, 4);
    cJSON_Delete(d);
    free(p.html);
    free(t);
}

Test(html, hostile_names_are_escaped)
{
    const char *t =
        "{\"t\":0,\"type\":\"run_start\",\"scenario\":\"<img onerror=x>\",\"seed\":1,"
        "\"version\":\"x\"}\n"
        "{\"t\":1,\"type\":\"assignment\",\"group\":\"</script><b>g\",\"generation\":1,"
        "\"member\":\"a\\\"&<\",\"partitions\":[[\"t\",0]]}\n"
        "{\"t\":9,\"type\":\"run_end\",\"events\":1," RUN_END_REST "}\n";
    page_t p = render_text(t);
    cr_assert_eq(p.rc, 0, "%s", p.err);
    cr_expect_null(strstr(p.html, "<b>g"));
    cr_expect_null(strstr(p.html, "<img"));
    cr_expect_not_null(strstr(p.html, "&lt;/script&gt;&lt;b&gt;g"));
    cJSON *d = page_data(&p);
    cr_expect_str_eq(cJSON_GetObjectItem(group_data(d, 0), "name")->valuestring, "</script><b>g");
    cJSON_Delete(d);
    free(p.html);
}

Test(html, bad_inputs_are_named)
{
    page_t p = render_file(TRACES "time_back.jsonl");
    cr_expect_eq(p.rc, -1);
    cr_expect_not_null(strstr(p.err, "time_back.jsonl:3:"), "%s", p.err);
    free(p.html);
    cJSON *bad = cJSON_Parse("{\"assignors\":[]}");
    p = render(NULL, NULL, bad, NULL);
    cr_expect_eq(p.rc, -1);
    cr_expect_not_null(strstr(p.err, "c.json: $.assignors: expected"), "%s", p.err);
    free(p.html);
    p = render(NULL, NULL, NULL, bad);
    cr_expect_eq(p.rc, -1);
    cr_expect_not_null(strstr(p.err, "s/summary.json: $.axes: expected"), "%s", p.err);
    free(p.html);
    cJSON_Delete(bad);
}

Test(html, compare_and_sweep_embedded)
{
    cJSON *cmp = cJSON_Parse("{\"scenario\":\"s.json\",\"seeds\":3,\"assignors\":{\"range\":"
                             "{\"rebalances\":{\"mean\":2,\"ci95\":[1,3],\"n\":3}}}}");
    cJSON *sw = cJSON_Parse("{\"axes\":[{\"path\":\"x\",\"values\":[\"1\",\"2\"]}],"
                            "\"baseline\":0,\"seeds\":2,\"points\":[]}");
    page_t p = render(NULL, NULL, cmp, sw);
    cr_assert_eq(p.rc, 0, "%s", p.err);
    cr_expect_not_null(strstr(p.html, "<section id=\"compare\">"));
    cr_expect_not_null(strstr(p.html, "<section id=\"sweep\">"));
    cJSON *d = page_data(&p);
    cr_expect(cJSON_Compare(cJSON_GetObjectItem(d, "compare"), cmp, 1));
    cr_expect(cJSON_Compare(cJSON_GetObjectItem(d, "sweep"), sw, 1));
    cJSON_Delete(d);
    cJSON_Delete(cmp);
    cJSON_Delete(sw);
    free(p.html);
}
