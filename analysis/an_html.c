/* analysis/an_html: the report page. The text a reader needs without a script (header, the
 * summary per group, member tables) is written as HTML; what is drawn (timelines, series, CDF,
 * compare bars, sweep lines) goes into one JSON element that the page's script turns into SVG.
 * JSON is embedded with "<" escaped as "\u003c", so no string of a trace can end the element. */
#include "analysis/an_html.h"
#include "analysis/an_html_int.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct an_page {
    FILE *out;                        /* the page */
    const an_html_in_t *in;           /* inputs */
    const an_result_t *res;           /* analysis of the trace, NULL without one */
    an_hctx_t *c;                     /* what the observer collected */
} an_page_t;

/* Text or attribute value, escaped. */
static void an_esc(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
}

/* A table cell with a number, or "-" when there is none (NaN, or a negative sentinel). */
static void an_td(FILE *f, double v, int decimals)
{
    if (!isfinite(v) || v < 0)
        fputs("<td>-</td>", f);
    else
        fprintf(f, "<td>%.*f</td>", decimals, v);
}

static const char *an_run_str(const an_result_t *res, const char *key, char *buf, size_t len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(res->run, key);
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsRaw(v))
        return v->valuestring;
    if (cJSON_IsNumber(v)) {
        snprintf(buf, len, "%.17g", v->valuedouble);
        return buf;
    }
    return "-";
}

static void an_kv(FILE *f, const char *k, const char *v)
{
    fprintf(f, "<tr><th>%s</th><td>", k);
    an_esc(f, v);
    fputs("</td></tr>\n", f);
}

static void an_header(const an_page_t *p)
{
    FILE *f = p->out;
    char b1[64], b2[64], b3[64];
    const an_result_t *r = p->res;
    const char *scen = r ? an_run_str(r, "scenario", b1, sizeof b1) : "-";
    fputs("<header><h1>cgsim report: ", f);
    an_esc(f, r ? scen : p->in->compare ? p->in->compare_name : p->in->sweep_name);
    fputs("</h1>\n<table class=\"kv\">\n", f);
    if (r) {
        an_kv(f, "trace", p->in->trace_name);
        an_kv(f, "scenario", scen);
        an_kv(f, "seed", an_run_str(r, "seed", b2, sizeof b2));
        an_kv(f, "version", an_run_str(r, "version", b3, sizeof b3));
        snprintf(b1, sizeof b1, "%.3f s of virtual time", r->end_ms / 1e3);
        an_kv(f, "duration", b1);
        snprintf(b1, sizeof b1, "%" PRId64, r->records);
        an_kv(f, "records", b1);
        an_kv(f, "events", an_run_str(r, "events", b2, sizeof b2));
        snprintf(b1, sizeof b1, "%" PRId64 " (%" PRId64 " applied)", r->faults, r->faults_applied);
        an_kv(f, "faults", b1);
        an_kv(f, "status", r->complete && !r->partial ? "complete (run_end)"
                           : "partial: no run_end, analysed up to the last complete line");
    }
    if (p->in->compare)
        an_kv(f, "compare", p->in->compare_name);
    if (p->in->sweep)
        an_kv(f, "sweep", p->in->sweep_name);
    fputs("</table>\n<p class=\"hint\">Time charts (seconds of virtual time): wheel to zoom, "
          "drag to pan, double-click to reset; hover a span, band or marker for details; "
          "add #t=A-B to the address to open them on A..B s."
          "</p></header>\n", f);
}

static void an_nav(const an_page_t *p)
{
    FILE *f = p->out;
    fputs("<nav>", f);
    if (p->res) {
        fputs("<a href=\"#summary\">summary</a>", f);
        for (size_t g = 0; g < p->res->n_groups; g++) {
            fprintf(f, " <a href=\"#group-%zu\">", g);
            an_esc(f, p->res->groups[g].name);
            fputs("</a>", f);
        }
    }
    if (p->in->compare)
        fputs(" <a href=\"#compare\">compare</a>", f);
    if (p->in->sweep)
        fputs(" <a href=\"#sweep\">sweep</a>", f);
    fputs("</nav>\n", f);
}

static double an_sampled_or(int64_t sampled, int64_t commits)
{
    return sampled >= 0 ? (double)sampled : commits >= 0 ? (double)commits : NAN;
}

static void an_summary(const an_page_t *p)
{
    FILE *f = p->out;
    fputs("<section id=\"summary\"><h2>Summary per group</h2>\n<table class=\"summary\">"
          "<thead><tr><th>group</th><th>members</th><th>partitions</th><th>rebalances</th>"
          "<th>rebalance mean ms</th><th>p99 ms</th><th>max ms</th><th>moved</th>"
          "<th>unowned partition-s</th><th>stalled partition-s</th><th>max lag</th>"
          "<th>duplicates</th><th>zombies</th><th>commits ok</th><th>failed</th>"
          "</tr></thead><tbody>\n", f);
    for (size_t g = 0; g < p->res->n_groups; g++) {
        const an_group_sum_t *s = &p->res->groups[g];
        fprintf(f, "<tr><th><a href=\"#group-%zu\">", g);
        an_esc(f, s->name);
        fprintf(f, "</a></th><td>%zu</td><td>%" PRId64 "</td><td>%" PRId64 "</td>",
                s->n_members, s->partitions, s->rebalances);
        an_td(f, s->rebalance_ms.mean, 1);
        an_td(f, s->rebalance_ms.p99, 1);
        an_td(f, s->rebalance_ms.max, 1);
        fprintf(f, "<td>%" PRId64 "</td>", s->moved_partitions);
        an_td(f, s->unavailable_partition_ms / 1e3, 1);
        an_td(f, s->stalled_partition_ms / 1e3, 1);
        an_td(f, an_sampled_or(s->lag_committed_max.max, s->max_lag_records), 0);
        fprintf(f, "<td>%" PRId64 "</td><td>%" PRId64 "</td><td>%" PRId64 "</td><td>%" PRId64
                   "</td></tr>\n", s->duplicates, s->zombie_records, s->commits_ok,
                s->commits_failed);
    }
    fputs("</tbody></table>\n<p class=\"hint\">unowned: partition-time without an owner; "
          "stalled: unowned plus owned by a member a fault stopped; max lag: largest committed "
          "lag of a partition (sampled lag records, else at commits).</p></section>\n", f);
}

/* Faults whose target is this member ("group/member"). */
static int64_t an_member_faults(const an_page_t *p, const char *group, const char *member)
{
    int64_t n = 0;
    size_t gl = strlen(group);
    for (size_t i = 0; i < p->c->n_faults; i++) {
        const char *t = p->c->faults[i].target;
        n += strncmp(t, group, gl) == 0 && t[gl] == '/' && strcmp(t + gl + 1, member) == 0;
    }
    return n;
}

static void an_members(const an_page_t *p, const an_group_sum_t *s)
{
    FILE *f = p->out;
    double end_ms = p->res->end_ms > 0 ? p->res->end_ms : 1;
    fprintf(f, "<details class=\"members\"><summary>Members (%zu)</summary>\n<table class=\""
               "sortable\"><thead><tr><th>member</th><th>joins</th><th>leaves</th>"
               "<th>owned partition-s</th><th>mean partitions owned</th><th>faults</th>"
               "</tr></thead><tbody>\n", s->n_members);
    for (size_t m = 0; m < s->n_members && m < AN_HTML_MAX_TABLE_MEMBERS; m++) {
        const an_member_sum_t *ms = &s->members[m];
        fputs("<tr><td>", f);
        an_esc(f, ms->name);
        fprintf(f, "</td><td>%" PRId64 "</td><td>%" PRId64 "</td>", ms->joins, ms->leaves);
        an_td(f, ms->owned_partition_ms / 1e3, 1);
        an_td(f, ms->owned_partition_ms / end_ms, 2);
        fprintf(f, "<td>%" PRId64 "</td></tr>\n", an_member_faults(p, s->name, ms->name));
    }
    fputs("</tbody></table>", f);
    if (s->n_members > AN_HTML_MAX_TABLE_MEMBERS)
        fprintf(f, "<p class=\"hint\">first %d members shown</p>", AN_HTML_MAX_TABLE_MEMBERS);
    fputs("</details>\n", f);
}

static void an_group_section(const an_page_t *p, size_t g)
{
    FILE *f = p->out;
    const an_group_sum_t *s = &p->res->groups[g];
    fprintf(f, "<section class=\"group\" id=\"group-%zu\" data-index=\"%zu\" data-group=\"", g, g);
    an_esc(f, s->name);
    fputs("\"><h2>group ", f);
    an_esc(f, s->name);
    fprintf(f, "</h2>\n<p class=\"meta\">%zu members, %" PRId64 " partitions, %" PRId64
               " rebalances, stalled %.1f partition-s</p>\n", s->n_members, s->partitions,
            s->rebalances, s->stalled_partition_ms / 1e3);
    fputs("<div class=\"chart\" data-chart=\"timeline\"></div>\n"
          "<div class=\"chart\" data-chart=\"stalled\"></div>\n"
          "<div class=\"chart\" data-chart=\"lag\"></div>\n"
          "<div class=\"chart small\" data-chart=\"cdf\"></div>\n", f);
    an_members(p, s);
    fputs("</section>\n", f);
}

/* The JSON element: every "<" (only ever inside a JSON string) becomes "\u003c", the same
 * string to JSON, so no name in a trace can end the element or open a comment in it. */
static void an_json_element(FILE *f, const char *id, const char *json)
{
    fprintf(f, "<script type=\"application/json\" id=\"%s\">", id);
    for (const char *s = json; *s; s++) {
        if (*s == '<')
            fputs("\\u003c", f);
        else
            fputc(*s, f);
    }
    fputs("</script>\n", f);
}

static cJSON *an_data(const an_page_t *p)
{
    cJSON *d = cJSON_CreateObject();
    cJSON *groups = d ? cJSON_AddArrayToObject(d, "groups") : NULL;
    if (!groups)
        goto oom;
    if (p->res) {
        if (!cJSON_AddNumberToObject(d, "end", an_html_s((int64_t)llround(p->res->end_ms *
                                                                           1e6))))
            goto oom;
        for (size_t g = 0; g < p->res->n_groups; g++) {
            cJSON *gj = an_hctx_group_json(p->c, p->res, g);
            if (!gj || !cJSON_AddItemToArray(groups, gj)) {
                cJSON_Delete(gj);
                goto oom;
            }
        }
    }
    const cJSON *extra[2] = {p->in->compare, p->in->sweep};
    const char *keys[2] = {"compare", "sweep"};
    for (int k = 0; k < 2; k++) {
        cJSON *dup = extra[k] ? cJSON_Duplicate(extra[k], 1) : cJSON_CreateNull();
        if (!dup || !cJSON_AddItemToObject(d, keys[k], dup)) {
            cJSON_Delete(dup);
            goto oom;
        }
    }
    return d;
oom:
    cJSON_Delete(d);
    return NULL;
}

static int an_page(const an_page_t *p)
{
    FILE *f = p->out;
    cJSON *d = an_data(p);
    char *json = d ? cJSON_PrintUnformatted(d) : NULL;
    cJSON_Delete(d);
    if (!json)
        return -2;
    char b[64];
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta name=\"generator\" content=\"cgsim report\">\n<title>cgsim report: ", f);
    an_esc(f, p->res ? an_run_str(p->res, "scenario", b, sizeof b)
                     : p->in->compare ? p->in->compare_name : p->in->sweep_name);
    fputs("</title>\n<style>\n", f);
    fputs(an_html_css, f);
    fputs("</style></head>\n<body>\n<pre id=\"js-errors\"></pre>\n<script>\n"
          "(function () {\n  var box = document.getElementById('js-errors');\n"
          "  function note(msg) { box.textContent += msg + '\\n'; box.className = 'shown'; }\n"
          "  window.onerror = function (msg, src, line) { note('error: ' + msg + ' (line ' + "
          "line + ')'); };\n"
          "  var ce = console.error;\n  console.error = function () { note('console.error: ' + "
          "Array.prototype.join.call(arguments, ' ')); ce.apply(console, arguments); };\n"
          "})();\n</script>\n", f);
    an_header(p);
    an_nav(p);
    if (p->res) {
        an_summary(p);
        for (size_t g = 0; g < p->res->n_groups; g++)
            an_group_section(p, g);
    }
    if (p->in->compare)
        fputs("<section id=\"compare\"><h2>compare</h2><p class=\"meta\">mean and 95% interval "
              "per assignor over seeds</p><div class=\"bars\"></div></section>\n", f);
    if (p->in->sweep)
        fputs("<section id=\"sweep\"><h2>sweep</h2><p class=\"meta\">mean and 95% band over "
              "the first axis, one line per value of the second</p><div class=\"sweep\"></div>"
              "</section>\n", f);
    an_json_element(f, "cgsim-data", json);
    free(json);
    fputs("<script>\n", f);
    fputs(an_html_js, f);
    fputs("</script>\n</body></html>\n", f);
    return 0;
}

/* The shape the page's script relies on: compare's "assignors" object of figure objects, a
 * sweep summary's "axes" and "points" arrays. */
static int an_check_inputs(const an_html_in_t *in, char *err, size_t errlen)
{
    if (in->compare) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(in->compare, "assignors");
        if (!cJSON_IsObject(a) || !a->child || !cJSON_IsObject(a->child)) {
            snprintf(err, errlen, "%s: $.assignors: expected an object with one object per "
                                  "assignor (the output of cgsim compare --json)",
                     in->compare_name);
            return -1;
        }
    }
    if (in->sweep) {
        const cJSON *ax = cJSON_GetObjectItemCaseSensitive(in->sweep, "axes");
        const cJSON *pt = cJSON_GetObjectItemCaseSensitive(in->sweep, "points");
        if (!cJSON_IsArray(ax) || !cJSON_GetArraySize(ax) || !cJSON_IsArray(pt)) {
            snprintf(err, errlen, "%s: $.%s: expected an array (the summary.json of cgsim "
                                  "sweep)", in->sweep_name, cJSON_IsArray(ax) &&
                     cJSON_GetArraySize(ax) ? "points" : "axes");
            return -1;
        }
    }
    return 0;
}

int an_html_write(const an_html_in_t *in, FILE *out, char *err, size_t errlen)
{
    if (an_check_inputs(in, err, errlen) != 0)
        return -1;
    an_hctx_t c;
    an_observer_t obs;
    an_hctx_observer(&c, &obs);
    an_result_t res;
    memset(&res, 0, sizeof res);
    int rc = 0;
    if (in->trace) {
        an_opts_t opts = {in->partial, in->progress, in->progress_ctx};
        rc = an_analyze_stream(in->trace, in->trace_name, &opts, &obs, &res, err, errlen);
        if (rc == 0 && c.oom)
            rc = -2;
    }
    if (rc == 0) {
        an_page_t p = {out, in, in->trace ? &res : NULL, &c};
        rc = an_page(&p);
    }
    if (rc == -2)
        snprintf(err, errlen, "out of memory");
    if (rc == 0 && (fflush(out) != 0 || ferror(out))) {
        snprintf(err, errlen, "write error: %s", errno ? strerror(errno) : "unknown");
        rc = -2;
    }
    an_hctx_fini(&c);
    an_result_fini(&res);
    return rc;
}
