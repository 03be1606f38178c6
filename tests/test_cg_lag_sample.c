/* The lag sampler (models/world/lagsample): its `lag` records against an independent
 * computation from the same trace (the debug `lag_sample` records, the committed offsets of the
 * commit records, run_end's records_produced); it changes nothing else in the run; and in
 * story.json the committed lag grows while a crashed member's partitions wait for the session
 * timeout, which lag at commits alone cannot show. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/world/world.h"
#include "tests/support/cg_test_run.h"

#define LS_MAX_PARTS 64

static char *story(void)
{
    FILE *f = fopen(CGSIM_SOURCE_DIR "/scenarios/story.json", "rb");
    cr_assert(f != NULL);
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    cr_assert(n > 0);
    return buf;
}

/* What the lag_sample records of one sample add up to. */
typedef struct ls_acc {
    int64_t partitions, committed_n, committed, committed_max, position_n, position,
        position_max, end_total;
} ls_acc_t;

static void acc_add(ls_acc_t *a, int64_t end, int64_t committed, int64_t position)
{
    a->partitions++;
    a->end_total += end;
    if (committed >= 0) {
        int64_t lag = end > committed ? end - committed : 0;
        a->committed_n++;
        a->committed += lag;
        a->committed_max = lag > a->committed_max ? lag : a->committed_max;
    }
    if (position >= 0) {
        int64_t lag = end > position ? end - position : 0;
        a->position_n++;
        a->position += lag;
        a->position_max = lag > a->position_max ? lag : a->position_max;
    }
}

static void acc_check(const ls_acc_t *a, const cJSON *o)
{
    double t = cgt_num(o, "t");
    cr_assert_eq((int64_t)cgt_num(o, "partitions"), a->partitions, "t=%g", t);
    cr_assert_eq((int64_t)cgt_num(o, "committed_partitions"), a->committed_n, "t=%g", t);
    cr_assert_eq((int64_t)cgt_num(o, "committed"), a->committed, "t=%g", t);
    cr_assert_eq((int64_t)cgt_num(o, "committed_max"), a->committed_max, "t=%g", t);
    cr_assert_eq((int64_t)cgt_num(o, "position_partitions"), a->position_n, "t=%g", t);
    cr_assert_eq((int64_t)cgt_num(o, "position"), a->position, "t=%g", t);
    cr_assert_eq((int64_t)cgt_num(o, "position_max"), a->position_max, "t=%g", t);
}

Test(lag_sample, debug_samples_add_up_to_the_group_record)
{
    char *json = story();
    cgt_run_t r;
    cgt_run_cfg(&r, json, (cgt_run_cfg_t){.check = true, .trace_level = CG_TRACE_DEBUG});
    cr_assert_eq(r.rc, 0, "%s", r.err);
    int64_t committed[LS_MAX_PARTS], last_end[LS_MAX_PARTS];
    for (int i = 0; i < LS_MAX_PARTS; i++)
        committed[i] = last_end[i] = -1;
    ls_acc_t acc = {0};
    int64_t lags = 0, last_end_total = -1, produced = -1;
    for (size_t i = 0; i < r.n; i++) {
        const cJSON *o = r.rec[i];
        int p = (int)cgt_num(o, "partition");
        if (cgt_is(o, "commit") && cJSON_IsTrue(cJSON_GetObjectItem(o, "ok"))) {
            committed[p] = (int64_t)cgt_num(o, "offset");
        } else if (cgt_is(o, "lag_sample")) {
            int64_t end = (int64_t)cgt_num(o, "end");
            cr_assert_eq((int64_t)cgt_num(o, "committed"), committed[p],
                         "t=%g p%d: the last accepted commit", cgt_num(o, "t"), p);
            cr_assert_geq(end, last_end[p], "a log end never goes back");
            last_end[p] = end;
            acc_add(&acc, end, committed[p], (int64_t)cgt_num(o, "position"));
        } else if (cgt_is(o, "lag")) {
            acc_check(&acc, o);
            last_end_total = acc.end_total;
            memset(&acc, 0, sizeof acc);
            lags++;
        } else if (cgt_is(o, "run_end")) {
            produced = (int64_t)cgt_num(o, "records_produced");
        }
    }
    /* One sample per second once the group has its first assignment (3.008 s): 4 s .. 300 s, the
     * last at the end of the run, when the partitions' ends add up to what the producers wrote. */
    cr_assert_eq(lags, 297);
    cr_assert_eq(r.groups[0].lag_samples, lags);
    cr_assert_eq(last_end_total, produced);
    cgt_run_free(&r);
    free(json);
}

/* The trace without its lag and latency lines. */
static char *without_lag(const char *t)
{
    char *out = calloc(1, strlen(t) + 1);
    size_t n = 0;
    for (const char *p = t; *p;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p + 1) : strlen(p);
        const char *type = p + strcspn(p, ",");
        if (strncmp(type, ",\"type\":\"lag\"", 12) != 0 &&
            strncmp(type, ",\"type\":\"latency\"", 16) != 0) {
            memcpy(out + n, p, l);
            n += l;
        }
        p += l;
    }
    return out;
}

Test(lag_sample, the_sampler_changes_nothing_else)
{
    char *json = story();
    cgt_run_t on, off, slow;
    cgt_run_cfg(&on, json, (cgt_run_cfg_t){.check = true});
    cgt_run_cfg(&off, json, (cgt_run_cfg_t){.check = true, .set = "lag_sample_ms=0"});
    cgt_run_cfg(&slow, json, (cgt_run_cfg_t){.check = true, .set = "lag_sample_ms=7000"});
    cr_assert(strstr(off.text, "\"type\":\"lag\"") == NULL, "lag_sample_ms 0: no samples");
    cr_assert_eq(off.groups[0].lag_samples, 0);
    cr_assert_eq(off.groups[0].lag_committed_total.max, -1, "no data");
    cr_assert_eq(slow.groups[0].lag_samples, 42, "7 s grid from 7 s to 294 s");
    char *a = without_lag(on.text), *b = without_lag(slow.text);
    cr_assert(strstr(off.text, "\"type\":\"latency\"") == NULL, "nor latency records");
    cr_assert_str_eq(a, off.text,
                     "samples add lag and latency lines only (run_end.events included)");
    cr_assert_str_eq(b, off.text);
    free(a);
    free(b);
    cgt_run_free(&on);
    cgt_run_free(&off);
    cgt_run_free(&slow);
    free(json);
}

/* c2 crashes at 100 s and its partitions wait until the session timeout (45 s) ends its
 * membership: their committed lag grows at every sample meanwhile. */
Test(lag_sample, committed_lag_grows_while_a_crashed_member_holds_partitions)
{
    char *json = story();
    cgt_run_t r;
    cgt_run_cfg(&r, json, (cgt_run_cfg_t){.check = true});
    cr_assert_eq(r.rc, 0, "%s", r.err);
    int64_t prev = -1, first = -1, samples = 0;
    for (size_t i = 0; i < r.n; i++) {
        const cJSON *o = r.rec[i];
        double t = cgt_num(o, "t");
        if (!cgt_is(o, "lag") || t <= 101000 || t >= 145000)
            continue;
        int64_t m = (int64_t)cgt_num(o, "committed_max");
        cr_assert_gt(m, prev, "t=%g: committed_max %lld after %lld", t, (long long)m,
                     (long long)prev);
        if (first < 0)
            first = m;
        prev = m;
        samples++;
    }
    cr_assert_eq(samples, 43);
    cr_assert_gt(prev - first, 4000, "the stuck partitions' lag grew from %lld to %lld",
                 (long long)first, (long long)prev);
    cr_assert_eq(r.groups[0].lag_committed_max.max, 5394);
    cgt_run_free(&r);
    free(json);
}
