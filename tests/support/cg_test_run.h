/* tests/support/cg_test_run: the in-memory harness of the test_cg_* tests that drive the world
 * directly (coordinator, world, properties): a scenario string is loaded, run by cg_world_run
 * into a memory trace, and the trace's records are parsed back with cJSON; plus small accessors
 * for those records.
 * Owns: the trace text and the parsed records of a cgt_run_t (freed by cgt_run_free).
 * Does not own: the scenario string.
 * Invariant: after cgt_run/cgt_run_cfg, rec[0..n) are the trace's lines in order, each valid
 * JSON (a line that is not fails the calling test). */
#ifndef CGSIM_TESTS_SUPPORT_CG_TEST_RUN_H
#define CGSIM_TESTS_SUPPORT_CG_TEST_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "models/world/world.h"

#define CGT_MAX_GROUPS 4              /* group summaries copied out of a run */

typedef struct cgt_run {
    int rc;                           /* cg_world_run result */
    char err[512];                    /* cg_world_run message */
    char *text;                       /* the trace, byte for byte */
    size_t len;                       /* bytes of text */
    cJSON **rec;                      /* parsed records */
    size_t n;                         /* records */
    cg_run_result_t res;              /* groups copied below */
    cg_group_summary_t groups[CGT_MAX_GROUPS];   /* the first groups of res */
} cgt_run_t;

typedef struct cgt_run_cfg {
    uint64_t seed;                    /* 0 = the scenario's */
    bool check;                       /* cg_run_opts_t.check */
    uint64_t max_events;              /* cg_run_opts_t.max_events (0 = none) */
    int interrupt;                    /* initial value of the interrupt flag */
    const char *set;                  /* one "path=value" scenario override, NULL = none */
    cg_trace_level_t trace_level;     /* cg_run_opts_t.trace_level */
} cgt_run_cfg_t;

/* Load `json` (the test fails if it does not load), run it with `cfg`, parse the trace. */
void cgt_run_cfg(cgt_run_t *r, const char *json, cgt_run_cfg_t cfg);
/* The same with the scenario's seed and check on. */
void cgt_run(cgt_run_t *r, const char *json);
void cgt_run_free(cgt_run_t *r);

/* Field `k` of record `o` as a string ("" when absent) or a number (NAN when absent). */
const char *cgt_str(const cJSON *o, const char *k);
double cgt_num(const cJSON *o, const char *k);
/* The record's "type" is `type`. */
bool cgt_is(const cJSON *o, const char *type);
/* First record at index >= from of `type` whose `member` is `member` (NULL = any); -1. */
long cgt_find(const cgt_run_t *r, size_t from, const char *type, const char *member);
/* Length of the record's "partitions" array. */
int cgt_n_parts(const cJSON *rec);
/* "t" of record i. */
double cgt_t_of(const cgt_run_t *r, long i);
/* Records of `type`. */
long cgt_count(const cgt_run_t *r, const char *type);

#endif
