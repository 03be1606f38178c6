/* analysis/an_analyze: the trace reader. One line at a time: the high-volume debug records (poll,
 * fetch, lag_sample) are recognised from the line's prefix and only their time is read; every other line
 * is parsed with cJSON, its required fields checked, and handed to the state machine (an_state). */
#include "analysis/an_analyze.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/an_state.h"

typedef struct an_reader {
    const char *name;                 /* input name for messages */
    int64_t line;                     /* current line number, 1-based */
    int64_t last_t_ns;                /* time of the previous record */
    bool seen_end;                    /* run_end read */
    bool aborted;                     /* run_aborted read */
    int64_t end_t_ns;                 /* time of run_end */
    char *err;                        /* caller's message buffer */
    size_t errlen;
    an_state_t st;                    /* per-group state */
    an_result_t *res;                 /* output (run object, faults) */
    cJSON *run_start;                 /* copy of run_start, or NULL */
    cJSON *run_end;                   /* copy of run_end, or NULL */
    cJSON *abort_rec;                 /* copy of run_aborted, or NULL */
    an_tp_t *tps;                     /* parsed "partitions" of the current record */
    size_t tps_cap;
    bool oom;                         /* an allocation failed */
    const char *cur_line;             /* text of the record being handled */
    char seed_text[24];               /* run_start seed digits as written ("" if not plain) */
} an_reader_t;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int an_fail(an_reader_t *r, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(r->err, r->errlen, "%s:%lld: ", r->name, (long long)r->line);
    if (n < 0 || (size_t)n >= r->errlen)
        return -1;
    va_start(ap, fmt);
    vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static int an_oom(an_reader_t *r)
{
    r->oom = true;
    return an_fail(r, "out of memory");
}

/* ---- field access with messages naming the record type, the field and what was expected ---- */

typedef enum an_kind { AN_STR, AN_NUM, AN_INT, AN_BOOL, AN_ARR } an_kind_t;

static const char *an_kind_name(an_kind_t k)
{
    static const char *const names[] = {"a string", "a number", "an integer", "true or false",
                                        "an array"};
    return names[k];
}

static const char *an_json_type(const cJSON *v)
{
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return "an array";
    return "an object";
}

static bool an_is_int(const cJSON *v)
{
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble == floor(v->valuedouble)
           && fabs(v->valuedouble) < 9.2e18;
}

static bool an_kind_ok(const cJSON *v, an_kind_t k)
{
    switch (k) {
    case AN_STR: return cJSON_IsString(v);
    case AN_NUM: return cJSON_IsNumber(v) && isfinite(v->valuedouble);
    case AN_INT: return an_is_int(v);
    case AN_BOOL: return cJSON_IsBool(v);
    case AN_ARR: return cJSON_IsArray(v);
    }
    return false;
}

static const cJSON *an_field(an_reader_t *r, const cJSON *rec, const char *type, const char *key,
                             an_kind_t k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
    if (!v) {
        an_fail(r, "%s: missing field \"%s\" (expected %s)", type, key, an_kind_name(k));
        return NULL;
    }
    if (!an_kind_ok(v, k)) {
        an_fail(r, "%s: field \"%s\" is %s (expected %s)", type, key, an_json_type(v),
                an_kind_name(k));
        return NULL;
    }
    return v;
}

static int an_str(an_reader_t *r, const cJSON *rec, const char *type, const char *key,
                  const char **out)
{
    const cJSON *v = an_field(r, rec, type, key, AN_STR);
    if (!v)
        return -1;
    *out = v->valuestring;
    return 0;
}

static int an_int(an_reader_t *r, const cJSON *rec, const char *type, const char *key,
                  int64_t *out)
{
    const cJSON *v = an_field(r, rec, type, key, AN_INT);
    if (!v)
        return -1;
    *out = (int64_t)v->valuedouble;
    return 0;
}

/* Group index from the record's "group" field. */
static int an_group_of(an_reader_t *r, const cJSON *rec, const char *type, size_t *g)
{
    const char *name;
    if (an_str(r, rec, type, "group", &name))
        return -1;
    *g = an_state_group(&r->st, name);
    return *g == AN_MAP_NONE ? an_oom(r) : 0;
}

static int an_member_of(an_reader_t *r, const cJSON *rec, const char *type, size_t g, size_t *m)
{
    const char *name;
    if (an_str(r, rec, type, "member", &name))
        return -1;
    *m = an_state_member(&r->st, g, name);
    return *m == AN_MAP_NONE ? an_oom(r) : 0;
}

/* Parse "partitions": [[topic, p], ...] into r->tps. */
static int an_partitions(an_reader_t *r, const cJSON *rec, const char *type, size_t *n)
{
    const cJSON *arr = an_field(r, rec, type, "partitions", AN_ARR);
    if (!arr)
        return -1;
    size_t len = (size_t)cJSON_GetArraySize(arr), i = 0;
    if (len > r->tps_cap) {
        an_tp_t *tps = realloc(r->tps, len * sizeof *tps);
        if (!tps)
            return an_oom(r);
        r->tps = tps;
        r->tps_cap = len;
    }
    const cJSON *el;
    cJSON_ArrayForEach(el, arr) {
        const cJSON *topic = cJSON_GetArrayItem(el, 0), *p = cJSON_GetArrayItem(el, 1);
        if (!cJSON_IsArray(el) || cJSON_GetArraySize(el) != 2 || !cJSON_IsString(topic) ||
            !an_is_int(p) || p->valuedouble < 0)
            return an_fail(r, "%s: field \"partitions\"[%zu] is not [topic, partition] "
                              "(expected a string and an integer >= 0)", type, i);
        r->tps[i].topic = topic->valuestring;
        r->tps[i].partition = (int64_t)p->valuedouble;
        i++;
    }
    *n = i;
    return 0;
}

/* ---- one handler per record type; each checks the fields design.md requires ---- */

typedef int (*an_handler_fn)(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns);

static int an_on_member_join(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns)
{
    size_t g, m;
    if (an_group_of(r, rec, type, &g) || an_member_of(r, rec, type, g, &m))
        return -1;
    const cJSON *rack = cJSON_GetObjectItemCaseSensitive(rec, "rack");
    size_t ri = cJSON_IsString(rack) ? an_racks_name(&r->st.racks, rack->valuestring) : 0;
    if (ri == AN_MAP_NONE)
        return an_oom(r);
    r->st.grp[g].mem[m].rack = ri;
    return an_state_join(&r->st, g, m, t_ns) ? an_oom(r) : 0;
}

static int an_on_member_leave(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns)
{
    size_t g, m;
    const char *reason;
    if (an_group_of(r, rec, type, &g) || an_member_of(r, rec, type, g, &m) ||
        an_str(r, rec, type, "reason", &reason))
        return -1;
    return an_state_leave(&r->st, g, m, reason, t_ns) ? an_oom(r) : 0;
}

static int an_on_rebalance_start(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns)
{
    size_t g;
    int64_t gen;
    const char *reason;
    if (an_group_of(r, rec, type, &g) || an_int(r, rec, type, "generation", &gen) ||
        an_str(r, rec, type, "reason", &reason))
        return -1;
    if (r->st.obs && r->st.obs->mark)
        r->st.obs->mark(r->st.obs->ctx, t_ns, AN_MARK_REBALANCE_START, g, reason);
    return an_state_rebalance_start(&r->st, g, reason, t_ns) ? an_oom(r) : 0;
}

static int an_on_rebalance_end(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns)
{
    size_t g;
    int64_t gen, members, moved;
    const cJSON *dur;
    if (an_group_of(r, rec, type, &g) || an_int(r, rec, type, "generation", &gen) ||
        !(dur = an_field(r, rec, type, "duration_ms", AN_NUM)) ||
        an_int(r, rec, type, "members", &members) || an_int(r, rec, type, "moved", &moved))
        return -1;
    if (dur->valuedouble < 0 || moved < 0)
        return an_fail(r, "%s: negative duration_ms or moved", type);
    if (r->st.obs && r->st.obs->mark)
        r->st.obs->mark(r->st.obs->ctx, t_ns, AN_MARK_REBALANCE_END, g, "");
    if (r->st.obs && r->st.obs->rebalance)
        r->st.obs->rebalance(r->st.obs->ctx, g, t_ns, dur->valuedouble, gen, members, moved);
    return an_state_rebalance_end(&r->st, g, dur->valuedouble, moved, t_ns) ? an_oom(r) : 0;
}

static int an_on_assignment(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns)
{
    size_t g, m, n;
    int64_t gen;
    if (an_group_of(r, rec, type, &g) || an_int(r, rec, type, "generation", &gen) ||
        an_member_of(r, rec, type, g, &m) || an_partitions(r, rec, type, &n))
        return -1;
    return an_state_assign(&r->st, g, m, gen, r->tps, n, t_ns) ? an_oom(r) : 0;
}

static int an_on_revoke(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns)
{
    size_t g, m, n;
    if (an_group_of(r, rec, type, &g) || an_member_of(r, rec, type, g, &m) ||
        an_partitions(r, rec, type, &n))
        return -1;
    return an_state_revoke(&r->st, g, m, r->tps, n, t_ns) ? an_oom(r) : 0;
}

static int an_on_commit(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns)
{
    size_t g, m;
    const char *topic;
    int64_t p, offset, gen, end = 0;
    const cJSON *ok, *endv, *errv;
    if (an_group_of(r, rec, type, &g) || an_member_of(r, rec, type, g, &m) ||
        an_str(r, rec, type, "topic", &topic) || an_int(r, rec, type, "partition", &p) ||
        an_int(r, rec, type, "offset", &offset) || an_int(r, rec, type, "generation", &gen) ||
        !(ok = an_field(r, rec, type, "ok", AN_BOOL)))
        return -1;
    endv = cJSON_GetObjectItemCaseSensitive(rec, "end_offset");
    bool has_end = endv && !cJSON_IsNull(endv);
    if (has_end && an_int(r, rec, type, "end_offset", &end))
        return -1;
    errv = cJSON_GetObjectItemCaseSensitive(rec, "error");
    const char *err = cJSON_IsString(errv) ? errv->valuestring : NULL;
    return an_state_commit(&r->st, g, topic, p, cJSON_IsTrue(ok), err, err ? strlen(err) : 0,
                           has_end, offset, end, t_ns)
               ? an_oom(r) : 0;
}

/* zombie and duplicate: a count of records for (group, member, topic, partition). */
static int an_records_of(an_reader_t *r, const cJSON *rec, const char *type, size_t *g,
                         int64_t *records)
{
    size_t m;
    const char *topic;
    int64_t p;
    if (an_group_of(r, rec, type, g) || an_member_of(r, rec, type, *g, &m) ||
        an_str(r, rec, type, "topic", &topic) || an_int(r, rec, type, "partition", &p) ||
        an_int(r, rec, type, "records", records))
        return -1;
    if (*records < 0)
        return an_fail(r, "%s: field \"records\" is %lld (expected an integer >= 0)", type,
                       (long long)*records);
    return 0;
}

static int an_on_zombie(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns)
{
    size_t g;
    int64_t n;
    (void)t_ns;
    if (an_records_of(r, rec, type, &g, &n))
        return -1;
    r->st.grp[g].zombie_records = an_sat_add(r->st.grp[g].zombie_records, n);
    return 0;
}

static int an_on_duplicate(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns)
{
    size_t g;
    int64_t n;
    (void)t_ns;
    if (an_records_of(r, rec, type, &g, &n))
        return -1;
    r->st.grp[g].duplicates = an_sat_add(r->st.grp[g].duplicates, n);
    return 0;
}

/* lag: one sample of a group's lag (models/lagsample); every field an integer >= 0. */
static int an_on_lag(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns)
{
    static const char *const keys[] = {"partitions", "committed_partitions", "committed",
                                       "committed_max", "position_partitions", "position",
                                       "position_max"};
    int64_t v[sizeof keys / sizeof keys[0]];
    size_t g;
    if (an_group_of(r, rec, type, &g))
        return -1;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (an_int(r, rec, type, keys[i], &v[i]))
            return -1;
        if (v[i] < 0)
            return an_fail(r, "%s: field \"%s\" is %lld (expected an integer >= 0)", type,
                           keys[i], (long long)v[i]);
    }
    an_lag_rec_t l = {v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
    an_state_lag(&r->st, g, t_ns, &l);
    return 0;
}

static int64_t an_ms_to_ns(double ms)
{
    return (int64_t)llround(ms * 1e6);
}

/* latency: records first processed in an interval, by sim/loghist bucket (models/latency). */
static int an_on_latency(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns)
{
    size_t g;
    int64_t records, sum = 0;
    const cJSON *maxv, *arr;
    int64_t counts[SIM_LOGHIST_BUCKETS] = {0};
    (void)t_ns;
    if (an_group_of(r, rec, type, &g) || an_int(r, rec, type, "records", &records) ||
        !(maxv = an_field(r, rec, type, "max_ms", AN_NUM)) ||
        !(arr = an_field(r, rec, type, "buckets", AN_ARR)))
        return -1;
    if (records < 0 || maxv->valuedouble < 0 || maxv->valuedouble > AN_MAX_T_MS)
        return an_fail(r, "%s: negative records or max_ms out of range", type);
    const cJSON *e;
    cJSON_ArrayForEach(e, arr) {
        const cJSON *b = cJSON_GetArrayItem(e, 0), *n = cJSON_GetArrayItem(e, 1);
        if (!cJSON_IsArray(e) || cJSON_GetArraySize(e) != 2 || !an_is_int(b) || !an_is_int(n) ||
            b->valuedouble < 0 || b->valuedouble >= SIM_LOGHIST_BUCKETS || n->valuedouble < 0 ||
            n->valuedouble > 9e18)
            return an_fail(r, "%s: buckets: expected [bucket 0..%d, count >= 0] pairs", type,
                           SIM_LOGHIST_BUCKETS - 1);
        counts[(int)b->valuedouble] = an_sat_add(counts[(int)b->valuedouble],
                                                 (int64_t)n->valuedouble);
        sum = an_sat_add(sum, (int64_t)n->valuedouble);
    }
    if (sum != records)
        return an_fail(r, "%s: buckets add up to %lld, records is %lld", type, (long long)sum,
                       (long long)records);
    return an_state_latency(&r->st, g, records, an_ms_to_ns(maxv->valuedouble), counts)
               ? an_oom(r) : 0;
}

static int an_on_error(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns)
{
    size_t g, m;
    const char *e;
    (void)t_ns;
    if (an_group_of(r, rec, type, &g) || an_member_of(r, rec, type, g, &m) ||
        an_str(r, rec, type, "error", &e))
        return -1;
    r->st.grp[g].errors++;
    return 0;
}

/* A member fault ("group/member"): its stop. The fault names the group and the member when no
 * record did yet (a member can be hung before it first joins). Returns 0 or -1 (out of memory). */
static int an_fault_stop(an_reader_t *r, const char *action, const char *target, int64_t t_ns)
{
    const char *slash = strchr(target, '/');
    if (!slash || slash == target || !slash[1] || strchr(slash + 1, '/'))
        return 0;
    size_t glen = (size_t)(slash - target);
    char *group = malloc(glen + 1);
    if (!group)
        return an_oom(r);
    memcpy(group, target, glen);
    group[glen] = '\0';
    size_t g = an_state_group(&r->st, group);
    free(group);
    size_t m = g == AN_MAP_NONE ? AN_MAP_NONE : an_state_member(&r->st, g, slash + 1);
    if (m == AN_MAP_NONE)
        return an_oom(r);
    an_state_fault(&r->st, g, m, action, t_ns);
    return 0;
}

/* fault add_partitions {target topic, count, partitions}: the last `count` of the topic's
 * `partitions` exist from now (bounded: AN_MAX_PARTITION_ADDS records, AN_MAX_TOPIC_PARTITIONS). */
static int an_on_add_partitions(an_reader_t *r, const cJSON *rec, const char *type,
                                const char *topic, int64_t t_ns)
{
    int64_t count, parts;
    if (an_int(r, rec, type, "count", &count) || an_int(r, rec, type, "partitions", &parts))
        return -1;
    if (count < 1 || parts < count || parts > AN_MAX_TOPIC_PARTITIONS)
        return an_fail(r, "%s add_partitions: count %lld of partitions %lld (expected 1 <= count "
                       "<= partitions <= %d)", type, (long long)count, (long long)parts,
                       AN_MAX_TOPIC_PARTITIONS);
    if (r->st.n_adds >= AN_MAX_PARTITION_ADDS)
        return an_fail(r, "more than %d add_partitions records (AN_MAX_PARTITION_ADDS)",
                       AN_MAX_PARTITION_ADDS);
    if (an_state_partitions_added(&r->st, topic, parts - count, parts, t_ns))
        return an_oom(r);
    return 0;
}

static int an_on_fault(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns)
{
    const char *action, *target;
    const cJSON *applied;
    char label[160];
    if (an_str(r, rec, type, "action", &action) || an_str(r, rec, type, "target", &target) ||
        !(applied = an_field(r, rec, type, "applied", AN_BOOL)))
        return -1;
    r->res->faults++;
    r->res->faults_applied += cJSON_IsTrue(applied);
    if (r->st.obs && r->st.obs->fault)
        r->st.obs->fault(r->st.obs->ctx, t_ns, action, target, cJSON_IsTrue(applied));
    bool adds = strcmp(action, "add_partitions") == 0;   /* a topic target, not a member */
    if (cJSON_IsTrue(applied) && adds && an_on_add_partitions(r, rec, type, target, t_ns))
        return -1;
    if (cJSON_IsTrue(applied) && !adds && an_fault_stop(r, action, target, t_ns))
        return -1;
    snprintf(label, sizeof label, "%s %s", action, target);
    if (r->st.obs && r->st.obs->mark)
        r->st.obs->mark(r->st.obs->ctx, t_ns, AN_MARK_FAULT, AN_NO_GROUP, label);
    return 0;
}

static int an_keep(an_reader_t *r, cJSON **slot, const cJSON *rec)
{
    cJSON_Delete(*slot);
    *slot = cJSON_Duplicate(rec, 1);
    return *slot ? 0 : an_oom(r);
}

/* Seeds are uint64 and a double keeps only 53 bits: keep the digits as written so the run
 * object repeats the seed exactly (needed to reproduce the run). */
static void an_seed_text(an_reader_t *r)
{
    const char *p = strstr(r->cur_line, "\"seed\":");
    r->seed_text[0] = '\0';
    if (!p)
        return;
    p += 7;
    size_t sign = *p == '-', n = sign + strspn(p + sign, "0123456789");
    if (n == sign || n >= sizeof r->seed_text || (p[n] != ',' && p[n] != '}'))
        return;
    memcpy(r->seed_text, p, n);
    r->seed_text[n] = '\0';
}

static int an_on_run_start(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns)
{
    const char *s;
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(rec, "seed");
    (void)t_ns;
    if (an_str(r, rec, type, "scenario", &s) || an_str(r, rec, type, "version", &s))
        return -1;
    if (!seed || !(cJSON_IsNumber(seed) || cJSON_IsString(seed)))
        return an_fail(r, "%s: field \"seed\" is %s (expected a number)", type,
                       seed ? an_json_type(seed) : "missing");
    an_seed_text(r);
    return an_keep(r, &r->run_start, rec);
}

static int an_on_run_end(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns)
{
    static const char *const keys[] = {"events", "records_produced", "records_consumed",
                                       "duplicates"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!an_field(r, rec, type, keys[i], AN_NUM))
            return -1;
    r->seen_end = true;
    r->end_t_ns = t_ns;
    return an_keep(r, &r->run_end, rec);
}

static int an_on_run_aborted(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns)
{
    const char *reason;
    (void)t_ns;
    if (an_str(r, rec, type, "reason", &reason))
        return -1;
    r->aborted = true;
    return an_keep(r, &r->abort_rec, rec);
}

/* autoscale: one decision of a group's autoscaler; counted by action. */
static int an_on_autoscale(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns)
{
    size_t g;
    const char *action;
    int64_t cur, want;
    (void)t_ns;
    if (an_group_of(r, rec, type, &g) || an_str(r, rec, type, "action", &action) ||
        an_int(r, rec, type, "current", &cur) || an_int(r, rec, type, "desired", &want))
        return -1;
    an_grp_t *gr = &r->st.grp[g];
    gr->as_decisions++;
    gr->as_ups += strcmp(action, "up") == 0;
    gr->as_downs += strcmp(action, "down") == 0;
    if (cur > gr->as_max)
        gr->as_max = cur;
    if (want > gr->as_max)
        gr->as_max = want;
    return 0;
}

/* topic: the replica racks of every partition, leader first; the leader is what counts. */
static int an_on_topic(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns)
{
    const char *name;
    (void)t_ns;
    const cJSON *reps = an_field(r, rec, type, "replicas", AN_ARR);
    if (!reps || an_str(r, rec, type, "name", &name))
        return -1;
    int64_t p = 0;
    size_t racks[64];
    for (const cJSON *el = reps->child; el; el = el->next, p++) {
        size_t n = 0;
        const cJSON *rack;
        if (!cJSON_IsArray(el) || !el->child || cJSON_GetArraySize(el) > 64)
            return an_fail(r, "%s: field \"replicas\"[%lld] is not a list of 1 to 64 rack "
                              "names", type, (long long)p);
        cJSON_ArrayForEach(rack, el) {
            if (!cJSON_IsString(rack))
                return an_fail(r, "%s: field \"replicas\"[%lld] is not a list of rack names",
                               type, (long long)p);
            racks[n] = an_racks_name(&r->st.racks, rack->valuestring);
            if (racks[n++] == AN_MAP_NONE)
                return an_oom(r);
        }
        if (an_racks_set_replicas(&r->st.racks, name, p, racks, n))
            return an_oom(r);
    }
    return 0;
}

/* fetch: records a member fetched per partition; counted when both sides have racks. */
static int an_on_fetch(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns)
{
    size_t g, m;
    (void)t_ns;
    const cJSON *arr = an_field(r, rec, type, "partitions", AN_ARR);
    if (!arr || an_group_of(r, rec, type, &g) || an_member_of(r, rec, type, g, &m))
        return -1;
    an_grp_t *gr = &r->st.grp[g];
    const cJSON *from = cJSON_GetObjectItemCaseSensitive(rec, "from");
    bool follower = cJSON_IsString(from) && strcmp(from->valuestring, "rack") == 0;
    size_t mine = gr->mem[m].rack, i = 0;
    for (const cJSON *el = arr->child; el; el = el->next, i++) {
        const cJSON *topic = cJSON_GetArrayItem(el, 0), *p = cJSON_GetArrayItem(el, 1),
                    *n = cJSON_GetArrayItem(el, 2);
        if (!cJSON_IsArray(el) || cJSON_GetArraySize(el) != 3 || !cJSON_IsString(topic) ||
            !an_is_int(p) || !an_is_int(n) || p->valuedouble < 0 || n->valuedouble < 0)
            return an_fail(r, "%s: field \"partitions\"[%zu] is not [topic, partition, "
                              "records] (expected a string and two integers >= 0)", type, i);
        int local = an_racks_local(&r->st.racks, topic->valuestring, (int64_t)p->valuedouble,
                                   mine, follower);
        if (local < 0)
            continue;
        gr->rack_records += (int64_t)n->valuedouble;
        if (!local)
            gr->cross_rack_records += (int64_t)n->valuedouble;
    }
    return 0;
}

typedef struct an_type_entry {
    const char *type;                 /* record type */
    an_handler_fn fn;                 /* its handler */
} an_type_entry_t;

/* An online migration (group_converted): shown where faults are, as a marker on the group
 * ("converted to consumer"), not counted as a fault. */
static int an_on_group_converted(an_reader_t *r, const cJSON *rec, const char *type, int64_t t_ns)
{
    const char *group, *from, *to;
    char action[64], label[160];
    size_t g;
    if (an_group_of(r, rec, type, &g) || an_str(r, rec, type, "group", &group) ||
        an_str(r, rec, type, "from", &from) || an_str(r, rec, type, "to", &to) ||
        !an_field(r, rec, type, "generation", AN_INT))
        return -1;
    snprintf(action, sizeof action, "converted to %s", to);
    if (r->st.obs && r->st.obs->fault)
        r->st.obs->fault(r->st.obs->ctx, t_ns, action, group, true);
    snprintf(label, sizeof label, "%s converted %s -> %s", group, from, to);
    if (r->st.obs && r->st.obs->mark)
        r->st.obs->mark(r->st.obs->ctx, t_ns, AN_MARK_FAULT, AN_NO_GROUP, label);
    return 0;
}

static const an_type_entry_t AN_TYPES[] = {
    {"commit", an_on_commit},           {"assignment", an_on_assignment},
    {"revoke", an_on_revoke},           {"member_join", an_on_member_join},
    {"member_leave", an_on_member_leave}, {"rebalance_start", an_on_rebalance_start},
    {"rebalance_end", an_on_rebalance_end}, {"zombie", an_on_zombie},
    {"duplicate", an_on_duplicate},     {"error", an_on_error},
    {"lag", an_on_lag},                 {"latency", an_on_latency},
    {"fault", an_on_fault},             {"run_start", an_on_run_start},
    {"autoscale", an_on_autoscale},     {"topic", an_on_topic},
    {"fetch", an_on_fetch},             {"group_converted", an_on_group_converted},
    {"run_end", an_on_run_end},         {"run_aborted", an_on_run_aborted},
};

static an_handler_fn an_handler(const char *type)
{
    for (size_t i = 0; i < sizeof AN_TYPES / sizeof AN_TYPES[0]; i++)
        if (strcmp(AN_TYPES[i].type, type) == 0)
            return AN_TYPES[i].fn;
    return NULL;   /* unknown types are extensions: skipped */
}

/* ---- the line loop ---- */

/* t_ms must be below AN_MAX_T_MS (checked by every caller) so that t_ns fits in int64. */
static int an_check_time(an_reader_t *r, int64_t t_ns, double t_ms)
{
    if (t_ns < r->last_t_ns)
        return an_fail(r, "time goes back: t=%.6f after t=%.6f", t_ms, (double)r->last_t_ns / 1e6);
    r->last_t_ns = t_ns;
    return 0;
}

static size_t an_digits(const char *s)
{
    size_t i = 0;
    while (s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

/* Length of the JSON number (RFC 8259 grammar) at s, 0 if none: strtod alone also takes hex,
 * inf, nan, leading zeros and "1.", and a lax scan would let "1-2" through. */
static size_t an_number_len(const char *s)
{
    size_t i = s[0] == '-', d = an_digits(s + i);
    if (d == 0 || (s[i] == '0' && d > 1))
        return 0;
    i += d;
    if (s[i] == '.') {
        if ((d = an_digits(s + i + 1)) == 0)
            return 0;
        i += 1 + d;
    }
    if (s[i] == 'e' || s[i] == 'E') {
        size_t j = i + 1 + (s[i + 1] == '+' || s[i + 1] == '-');
        if ((d = an_digits(s + j)) == 0)
            return 0;
        i = j + d;
    }
    return i;
}

/* True when s[0..n) is exactly one JSON number. */
static bool an_json_number(const char *s, size_t n)
{
    return n > 0 && an_number_len(s) == n;
}

/* The writer's fixed prefix {"t":<number>,"type":"<type>" read without parsing the line:
 * fills *t_ms and *type (pointing after the opening quote of the type); false if absent. */
static bool an_prefix(const char *line, double *t_ms, const char **type)
{
    static const char pre[] = "{\"t\":", mid[] = ",\"type\":\"";
    const char *num = line + sizeof pre - 1;
    if (strncmp(line, pre, sizeof pre - 1) != 0 || !an_json_number(num, strcspn(num, ",")))
        return false;
    char *end;
    double t = strtod(num, &end);
    if (end == num || !isfinite(t) || t < 0 || t > AN_MAX_T_MS ||
        strncmp(end, mid, sizeof mid - 1) != 0)
        return false;
    *t_ms = t;
    *type = end + sizeof mid - 1;
    return true;
}

static bool an_type_is(const char *type, const char *name)
{
    size_t n = strlen(name);
    return strncmp(type, name, n) == 0 && type[n] == '"';
}

/* ---- commit records without cJSON: they are most of a normal trace ---- */

#define AN_FLAT_MAX 24                /* fields of a flat record handled without cJSON */

typedef struct an_kv {
    const char *key;                  /* key text (not terminated) */
    size_t key_len;
    char *val;                        /* value text; for strings, inside the quotes */
    size_t val_len;
    char kind;                        /* 's' string, 'n' number, 't' true, 'f' false, 'z' null */
} an_kv_t;

/* True when [p, end) holds a control byte, which JSON strings may not contain unescaped. */
static bool an_has_ctl(const char *p, const char *end)
{
    for (; p < end; p++)
        if ((unsigned char)*p < 0x20)
            return true;
    return false;
}

/* Scans {"k":v,...} whose values are strings without escapes, numbers, true, false or null,
 * with no whitespace (as sim/trace writes it). Returns the field count, 0 if not such a line. */
static size_t an_flat_scan(char *p, an_kv_t *kv)
{
    size_t n = 0;
    if (*p++ != '{')
        return 0;
    for (;;) {
        char *q;
        if (n == AN_FLAT_MAX || *p != '"' || !(q = strpbrk(p + 1, "\"\\")) || *q != '"' ||
            q[1] != ':' || an_has_ctl(p + 1, q))
            return 0;
        kv[n] = (an_kv_t){p + 1, (size_t)(q - p - 1), q + 2, 0, 0};
        p = q + 2;
        if (*p == '"') {
            if (!(q = strpbrk(p + 1, "\"\\")) || *q != '"' || an_has_ctl(p + 1, q))
                return 0;
            kv[n].val = p + 1;
            kv[n].kind = 's';
            p = q + 1;
        } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
            size_t len = an_number_len(p);
            if (len == 0)
                return 0;
            kv[n].kind = 'n';
            p += len;
        } else {
            static const char *const words[] = {"true", "false", "null"};
            int w = *p == 't' ? 0 : *p == 'f' ? 1 : *p == 'n' ? 2 : -1;
            if (w < 0 || strncmp(p, words[w], strlen(words[w])) != 0)
                return 0;
            kv[n].kind = "tfz"[w];
            p += strlen(words[w]);
        }
        kv[n].val_len = (size_t)(p - kv[n].val) - (kv[n].kind == 's');
        n++;
        if (*p == '}' && p[1] == '\0')
            return n;
        if (*p++ != ',')
            return 0;
    }
}

/* High-volume debug records the metrics do not use, skipped after reading only their time; the
 * line must still be a well-formed flat object (anything else goes through cJSON and its
 * messages). Returns 1 (skipped), 0 (not such a record: parse normally) or -1 (error). */
static int an_fast_skip(an_reader_t *r, char *line, double t, const char *type)
{
    static const char *const skip[] = {"poll", "lag_sample"};
    an_kv_t kv[AN_FLAT_MAX];
    for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
        if (an_type_is(type, skip[i]))
            return an_flat_scan(line, kv) == 0 ? 0
                   : an_check_time(r, an_ms_to_ns(t), t) ? -1 : 1;
    return 0;
}

static an_kv_t *an_kv_get(an_kv_t *kv, size_t n, const char *key)
{
    size_t len = strlen(key);
    for (size_t i = 0; i < n; i++)
        if (kv[i].key_len == len && memcmp(kv[i].key, key, len) == 0)
            return &kv[i];
    return NULL;
}

/* A plain JSON integer (what cJSON would also accept as one); false otherwise. */
static bool an_kv_int(const an_kv_t *v, int64_t *out)
{
    if (!v || v->kind != 'n' || v->val_len > 19 || strcspn(v->val, ".eE+") < v->val_len ||
        !an_json_number(v->val, v->val_len))
        return false;
    char *end;
    errno = 0;
    long long x = strtoll(v->val, &end, 10);
    if (errno || end != v->val + v->val_len)
        return false;
    *out = x;
    return true;
}

/* Handles a well-formed commit line; returns 1 (done), 0 (anything unusual: let cJSON and the
 * checked path handle it, with its messages) or -1 (error). */
static int an_fast_commit(an_reader_t *r, char *line, double t)
{
    an_kv_t kv[AN_FLAT_MAX];
    size_t n = an_flat_scan(line, kv);
    an_kv_t *grp = an_kv_get(kv, n, "group"), *mem = an_kv_get(kv, n, "member");
    an_kv_t *top = an_kv_get(kv, n, "topic"), *ok = an_kv_get(kv, n, "ok");
    an_kv_t *endv = an_kv_get(kv, n, "end_offset"), *errv = an_kv_get(kv, n, "error");
    int64_t p, offset, gen, end = 0;
    if (!grp || grp->kind != 's' || !mem || mem->kind != 's' || !top || top->kind != 's' ||
        !ok || (ok->kind != 't' && ok->kind != 'f') ||
        !an_kv_int(an_kv_get(kv, n, "partition"), &p) ||
        !an_kv_int(an_kv_get(kv, n, "offset"), &offset) ||
        !an_kv_int(an_kv_get(kv, n, "generation"), &gen) ||
        (endv && endv->kind != 'z' && !an_kv_int(endv, &end)) ||
        (errv && errv->kind != 's') || r->seen_end)
        return 0;
    int64_t t_ns = an_ms_to_ns(t);
    if (an_check_time(r, t_ns, t))
        return -1;
    grp->val[grp->val_len] = mem->val[mem->val_len] = top->val[top->val_len] = '\0';
    size_t g = an_state_group(&r->st, grp->val), m;
    if (g == AN_MAP_NONE || (m = an_state_member(&r->st, g, mem->val)) == AN_MAP_NONE)
        return an_oom(r);
    (void)m;
    bool has_end = endv && endv->kind != 'z';
    return an_state_commit(&r->st, g, top->val, p, ok->kind == 't', errv ? errv->val : NULL,
                           errv ? errv->val_len : 0, has_end, offset, end, t_ns)
               ? an_oom(r) : 1;
}

static int an_record(an_reader_t *r, const cJSON *rec)
{
    if (!cJSON_IsObject(rec))
        return an_fail(r, "expected a JSON object, got %s", an_json_type(rec));
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(rec, "t");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(rec, "type");
    if (!t || !cJSON_IsNumber(t) || !isfinite(t->valuedouble) || t->valuedouble < 0)
        return an_fail(r, "field \"t\" is %s (expected a number >= 0, milliseconds)",
                       t ? an_json_type(t) : "missing");
    if (t->valuedouble > AN_MAX_T_MS)
        return an_fail(r, "field \"t\" is %.17g, beyond the largest time AN_MAX_T_MS (%.0f ms)",
                       t->valuedouble, AN_MAX_T_MS);
    if (!type || !cJSON_IsString(type))
        return an_fail(r, "field \"type\" is %s (expected a string)",
                       type ? an_json_type(type) : "missing");
    if (r->seen_end)
        return an_fail(r, "%s record after run_end", type->valuestring);
    int64_t t_ns = an_ms_to_ns(t->valuedouble);
    if (an_check_time(r, t_ns, t->valuedouble))
        return -1;
    an_handler_fn fn = an_handler(type->valuestring);
    return fn ? fn(r, rec, type->valuestring, t_ns) : 0;
}

/* One line (without its newline). `last` = the stream ended without a newline after it.
 * Returns 0, 1 (a truncated last line accepted as the end of a partial trace) or -1. */
static int an_line(an_reader_t *r, char *line, size_t len, bool last, bool partial)
{
    double t;
    const char *type;
    if (len == 0)
        return an_fail(r, "empty line (expected a JSON object)");
    if (memchr(line, '\0', len))
        return an_fail(r, "NUL byte in the line (expected one JSON object per line)");
    /* Fast paths only for complete lines before run_end; the rest goes through cJSON. */
    if (!last && !r->seen_end && an_prefix(line, &t, &type)) {
        int rc = an_type_is(type, "commit") ? an_fast_commit(r, line, t)
                                            : an_fast_skip(r, line, t, type);
        if (rc != 0)
            return rc < 0 ? -1 : 0;
    }
    const char *end = NULL;
    cJSON *rec = cJSON_ParseWithLengthOpts(line, len, &end, 0);
    r->cur_line = line;
    if (rec && end && strspn(end, " \t") != (size_t)(line + len - end)) {
        cJSON_Delete(rec);
        if (last && partial)
            return 1;
        return an_fail(r, "text after the JSON object at column %zu (expected one object per "
                          "line)", (size_t)(end - line) + 1);
    }
    if (!rec) {
        if (last && partial)
            return 1;
        if (last)
            return an_fail(r, "truncated last line (no newline at the end and not a complete "
                              "JSON object); use --partial to analyze up to the line before");
        return an_fail(r, "not valid JSON (expected one JSON object per line)");
    }
    int rc = an_record(r, rec);
    cJSON_Delete(rec);
    return rc;
}

/* A line reader with a bound: getline would grow its buffer without limit (/dev/zero). */
typedef struct an_lines {
    FILE *in;                         /* the stream */
    char buf[65536];                  /* bytes read, not yet consumed */
    size_t pos, end;                  /* unconsumed bytes are buf[pos..end) */
    int read_errno;                   /* errno of a failed read, 0 if none */
    char *line;                       /* the current line, NUL-terminated */
    size_t cap;                       /* capacity of line */
} an_lines_t;

/* Next line into l->line (newline removed, *nl says whether there was one); returns its length,
 * -1 at end of input or on a read error, -2 when the line exceeds AN_MAX_LINE_BYTES. */
static ptrdiff_t an_next_line(an_lines_t *l, bool *nl)
{
    size_t len = 0;
    *nl = false;
    for (;;) {
        if (l->pos == l->end) {
            l->pos = 0;
            errno = 0;
            l->end = fread(l->buf, 1, sizeof l->buf, l->in);
            if (l->end == 0 && ferror(l->in))
                l->read_errno = errno;
            if (l->end == 0)
                return len > 0 && !ferror(l->in) ? (ptrdiff_t)len : -1;
        }
        char *p = l->buf + l->pos, *q = memchr(p, '\n', l->end - l->pos);
        size_t n = q ? (size_t)(q - p) : l->end - l->pos;
        if (len + n > AN_MAX_LINE_BYTES)
            return -2;
        if (len + n + 1 > l->cap) {
            size_t cap = l->cap ? l->cap : 4096;
            while (cap < len + n + 1)
                cap *= 2;
            char *nb = realloc(l->line, cap);
            if (!nb)
                return -3;
            l->line = nb;
            l->cap = cap;
        }
        memcpy(l->line + len, p, n);
        len += n;
        l->line[len] = '\0';
        l->pos += n + (q != NULL);
        if (q) {
            *nl = true;
            return (ptrdiff_t)len;
        }
    }
}

static int an_read_lines(an_reader_t *r, FILE *in, const an_opts_t *opts)
{
    an_lines_t *l = calloc(1, sizeof *l);
    ptrdiff_t len;
    bool nl, partial = opts && opts->partial;
    int rc = 0;
    int64_t bytes = 0;
    if (!l)
        return an_oom(r);
    l->in = in;
    while ((len = an_next_line(l, &nl)) >= 0) {
        r->line++;
        bytes += (int64_t)len + nl;
        if (opts && opts->progress && r->line % AN_PROGRESS_LINES == 0)
            opts->progress(opts->progress_ctx, bytes);
        char *line = l->line;
        if (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        rc = an_line(r, line, (size_t)len, !nl, partial);
        if (rc != 0)
            break;
        r->res->records++;
    }
    int read_errno = l->read_errno;
    free(l->line);
    free(l);
    if (len == -2) {
        r->line++;
        return an_fail(r, "line longer than AN_MAX_LINE_BYTES (%d bytes)", AN_MAX_LINE_BYTES);
    }
    if (len == -3)
        return an_oom(r);
    if (rc < 0)
        return -1;
    if (len == -1 && ferror(in)) {
        const char *why = read_errno ? strerror(read_errno) : "unknown";
        if (r->line == 0)   /* nothing read: no line to name (a directory) */
            return snprintf(r->err, r->errlen, "%s: read error: %s", r->name, why), -1;
        return an_fail(r, "read error: %s", why);
    }
    if (rc == 1)
        r->line--;   /* the truncated line was not analysed */
    return 0;
}

/* ---- result ---- */

/* Copy every field of rec except t and type into obj. */
static int an_copy_fields(cJSON *obj, const cJSON *rec)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, rec) {
        if (strcmp(f->string, "t") == 0 || strcmp(f->string, "type") == 0)
            continue;
        cJSON *dup = cJSON_Duplicate(f, 1);
        if (!dup || !cJSON_AddItemToObject(obj, f->string, dup)) {
            cJSON_Delete(dup);
            return -1;
        }
    }
    return 0;
}

static int an_build_run(an_reader_t *r, an_result_t *res)
{
    cJSON *run = cJSON_CreateObject();
    res->run = run;
    if (!run)
        return -1;
    if (r->run_start && an_copy_fields(run, r->run_start))
        return -1;
    if (r->seed_text[0]) {
        cJSON *raw = cJSON_CreateRaw(r->seed_text);
        if (!raw || !cJSON_ReplaceItemInObjectCaseSensitive(run, "seed", raw)) {
            cJSON_Delete(raw);
            return -1;
        }
    }
    if (r->run_end && an_copy_fields(run, r->run_end))
        return -1;
    if (!cJSON_AddNumberToObject(run, "end_ms", an_stats_round6(res->end_ms)) ||
        !cJSON_AddNumberToObject(run, "records", (double)res->records) ||
        !cJSON_AddNumberToObject(run, "faults", (double)res->faults) ||
        !cJSON_AddNumberToObject(run, "faults_applied", (double)res->faults_applied) ||
        !cJSON_AddBoolToObject(run, "partial", res->partial))
        return -1;
    if (r->abort_rec) {
        cJSON *ab = cJSON_AddObjectToObject(run, "aborted");
        if (!ab || an_copy_fields(ab, r->abort_rec))
            return -1;
    }
    return 0;
}

static int an_finish(an_reader_t *r, bool allow_partial, an_result_t *res)
{
    if (res->records == 0) {
        snprintf(r->err, r->errlen, "%s: empty trace (no records)", r->name);
        return -1;
    }
    res->complete = r->seen_end;
    res->partial = !r->seen_end || r->aborted;
    if (res->partial && !allow_partial) {
        const cJSON *why = r->abort_rec ? cJSON_GetObjectItemCaseSensitive(r->abort_rec, "reason")
                                        : NULL;
        return an_fail(r, "no run_end record: the run did not complete%s%s%s; use --partial to "
                          "analyze it up to its last complete line",
                       why ? " (run_aborted: " : "", why ? why->valuestring : "", why ? ")" : "");
    }
    int64_t end_ns = r->seen_end ? r->end_t_ns : r->last_t_ns;
    res->end_ms = (double)end_ns / 1e6;
    if (an_state_finish(&r->st, end_ns, res) || an_build_run(r, res))
        return an_oom(r);
    return 0;
}

int an_analyze_stream(FILE *in, const char *name, const an_opts_t *opts,
                      const an_observer_t *obs, an_result_t *res, char *err, size_t errlen)
{
    an_reader_t r;
    memset(&r, 0, sizeof r);
    memset(res, 0, sizeof *res);
    r.name = name;
    r.err = err;
    r.errlen = errlen;
    r.res = res;
    an_state_init(&r.st, obs);
    bool partial = opts && opts->partial;
    int rc = an_read_lines(&r, in, opts);
    if (rc == 0)
        rc = an_finish(&r, partial, res);
    an_state_fini(&r.st);
    cJSON_Delete(r.run_start);
    cJSON_Delete(r.run_end);
    cJSON_Delete(r.abort_rec);
    free(r.tps);
    if (rc != 0) {
        an_result_fini(res);
        return r.oom ? -2 : -1;
    }
    return 0;
}

void an_group_sum_fini(an_group_sum_t *g)
{
    for (size_t i = 0; i < g->n_members; i++)
        free(g->members[i].name);
    for (size_t i = 0; i < g->n_parts; i++)
        free(g->parts[i].topic);
    for (size_t i = 0; i < g->n_leave_reasons; i++)
        free(g->leave_reasons[i].key);
    for (size_t i = 0; i < g->n_rebalance_reasons; i++)
        free(g->rebalance_reasons[i].key);
    free(g->members);
    free(g->parts);
    free(g->leave_reasons);
    free(g->rebalance_reasons);
    free(g->rebalance_durations_ms);
    free(g->name);
    memset(g, 0, sizeof *g);
}

void an_result_fini(an_result_t *res)
{
    for (size_t i = 0; i < res->n_groups; i++)
        an_group_sum_fini(&res->groups[i]);
    free(res->groups);
    cJSON_Delete(res->run);
    memset(res, 0, sizeof *res);
}
