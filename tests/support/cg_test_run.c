/* tests/support/cg_test_run: see cg_test_run.h. */
#include "tests/support/cg_test_run.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/scenario/scenario.h"
#include "sim/trace.h"

/* Split the trace into lines and parse each. */
static void parse_records(cgt_run_t *r)
{
    size_t cap = 64;
    r->rec = malloc(cap * sizeof *r->rec);
    for (char *line = r->text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (r->n == cap)
            r->rec = realloc(r->rec, (cap *= 2) * sizeof *r->rec);
        r->rec[r->n] = cJSON_Parse(line);
        cr_assert_not_null(r->rec[r->n], "trace line is not JSON: %s", line);
        if (nl)
            *nl = '\n';              /* text stays the exact trace bytes */
        r->n++;
        line = nl ? nl + 1 : NULL;
    }
}

void cgt_run_cfg(cgt_run_t *r, const char *json, cgt_run_cfg_t cfg)
{
    memset(r, 0, sizeof *r);
    sim_diag_t diag;
    sim_diag_init(&diag);
    cg_scenario_t *s = NULL;
    const char *sets[1] = {cfg.set};
    int rc = cg_scenario_parse("test.json", json, strlen(json), sets, cfg.set ? 1 : 0, &s,
                               &diag);
    if (rc != 0)
        sim_diag_print(&diag, stderr);
    cr_assert_eq(rc, 0, "scenario does not load");
    sim_diag_fini(&diag);
    FILE *f = open_memstream(&r->text, &r->len);
    cr_assert_not_null(f);
    sim_trace_t tr;
    cr_assert_eq(sim_trace_open_file(&tr, f), 0);
    volatile int intr = cfg.interrupt;
    cg_run_opts_t opts = {.seed = cfg.seed ? cfg.seed : s->seed, .trace = &tr,
                          .check = cfg.check, .max_events = cfg.max_events,
                          .interrupt = &intr, .trace_level = cfg.trace_level};
    cg_world_t *w = NULL;
    char err[512] = "";
    rc = cg_world_new(s, &opts, &w, err, sizeof err);
    cr_assert_eq(rc, 0, "world: %s", err);
    r->rc = cg_world_run(w, &r->res, r->err, sizeof r->err);
    for (size_t i = 0; i < r->res.n_groups && i < CGT_MAX_GROUPS; i++)
        r->groups[i] = r->res.groups[i];
    cg_world_free(w);
    cg_scenario_free(s);
    sim_trace_close(&tr);
    fclose(f);
    parse_records(r);
}

void cgt_run(cgt_run_t *r, const char *json)
{
    cgt_run_cfg(r, json, (cgt_run_cfg_t){.check = true});
}

void cgt_run_free(cgt_run_t *r)
{
    for (size_t i = 0; i < r->n; i++)
        cJSON_Delete(r->rec[i]);
    free(r->rec);
    free(r->text);
}

const char *cgt_str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

double cgt_num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

bool cgt_is(const cJSON *o, const char *type) { return strcmp(cgt_str(o, "type"), type) == 0; }

long cgt_find(const cgt_run_t *r, size_t from, const char *type, const char *member)
{
    for (size_t i = from; i < r->n; i++)
        if (cgt_is(r->rec[i], type) &&
            (!member || strcmp(cgt_str(r->rec[i], "member"), member) == 0))
            return (long)i;
    return -1;
}

int cgt_n_parts(const cJSON *rec)
{
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rec, "partitions"));
}

double cgt_t_of(const cgt_run_t *r, long i) { return cgt_num(r->rec[i], "t"); }

long cgt_count(const cgt_run_t *r, const char *type)
{
    long n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += cgt_is(r->rec[i], type);
    return n;
}
