/* cli/bench_assignor: `cgsim bench assignor`, the wall time of one assignor on a synthetic group.
 *
 * Builds M members and T topics of P partitions each ("member-000000", "topic-00000", names sort
 * in index order). Subscriptions are "equal" (every member, every topic) or "random" (each member
 * takes each topic with probability 1/2, at least one; a fixed SplitMix64 stream, so the input is
 * the same on every run). "--previous leave10" first runs the assignor from scratch, then gives
 * every member its result as owned partitions (generation 1) and drops every tenth member
 * (indexes 9, 19, ...); only the second run is timed. The assignor's output is checked for
 * exclusivity and subscription before anything is printed. Wall time never reaches a trace. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "cli/cli.h"
#include "models/assign/assignor.h"

#define BENCH_MAX_MEMBERS 1000000
#define BENCH_MAX_TOPICS 100000
#define BENCH_MAX_PARTITIONS_TOTAL 100000000LL
#define BENCH_MAX_SUBSCRIPTIONS 100000000LL   /* members x topics: subscription storage */
#define BENCH_MAX_REPEAT 1000
#define BENCH_SEED 0x5eedc0ffee123457ULL

typedef struct bench_opts {
    const char *assignor;             /* assignor name */
    long members, topics, partitions; /* M, T, P (partitions per topic) */
    bool random_subs;                 /* "random" subscriptions instead of "equal" */
    bool leave10;                     /* previous assignment, then 10% of members leave */
    long repeat;                      /* timed runs; the fastest is reported */
    bool json;                        /* one cJSON object instead of text */
} bench_opts_t;

typedef struct bench_input {
    cg_topic_meta_t *topics;          /* T topics */
    char *topic_names;                /* T names, 32 bytes each */
    int64_t *topic_base;              /* T + 1 */
    cg_assign_member_t *members;      /* M members */
    char *member_ids;                 /* M ids, 32 bytes each */
    int32_t *subs;                    /* M * T subscription storage */
    cg_tp_t *owned;                   /* previous assignment storage, total partitions */
    cg_assign_input_t in;             /* the assembled input */
} bench_input_t;

static void usage(FILE *f)
{
    fprintf(f, "usage: cgsim bench assignor --assignor NAME --members M --topics T\n"
               "           --partitions P [--subscriptions equal|random]\n"
               "           [--previous none|leave10] [--repeat K] [--json]\n"
               "  P is partitions per topic. random: each member subscribes to each topic\n"
               "  with probability 1/2 (fixed seed). leave10: owned = a first run's result,\n"
               "  generation 1, then every tenth member leaves; only the second run is timed.\n"
               "  The fastest of K runs is reported: members, partitions, seconds,\n"
               "  partitions_per_s,\n"
               "  peak_rss_kib (and assigned: partitions given an owner).\n");
}

static const cg_assignor_ops_t *bench_find(const char *name)
{
    const cg_assignor_ops_t *ops = cg_assignor_find(CG_PROTOCOL_CLASSIC, name);
    return ops ? ops : cg_assignor_find(CG_PROTOCOL_CONSUMER, name);
}

static int parse_long(const char *flag, const char *v, long lo, long hi, long *out)
{
    char *end;
    long x = v ? strtol(v, &end, 10) : 0;
    if (!v || *v == '\0' || *end != '\0' || x < lo || x > hi)
        return cli_usage_error("bench assignor", "%s expects an integer in [%ld, %ld], got '%s'",
                               flag, lo, hi, v ? v : "(missing)");
    *out = x;
    return CLI_OK;
}

static int parse_choice(const char *flag, const char *v, const char *a, const char *b, bool *out)
{
    if (v && strcmp(v, a) == 0)
        *out = false;
    else if (v && strcmp(v, b) == 0)
        *out = true;
    else
        return cli_usage_error("bench assignor", "%s expects %s or %s, got '%s'", flag, a, b,
                               v ? v : "(missing)");
    return CLI_OK;
}

static int parse_one(bench_opts_t *o, const char *f, const char *v, int *used)
{
    *used = 2;
    if (strcmp(f, "--assignor") == 0) {
        if (!v)
            return cli_usage_error("bench assignor", "--assignor expects a name");
        o->assignor = v;
        return CLI_OK;
    }
    if (strcmp(f, "--members") == 0)
        return parse_long(f, v, 1, BENCH_MAX_MEMBERS, &o->members);
    if (strcmp(f, "--topics") == 0)
        return parse_long(f, v, 1, BENCH_MAX_TOPICS, &o->topics);
    if (strcmp(f, "--partitions") == 0)
        return parse_long(f, v, 0, 10000000, &o->partitions);
    if (strcmp(f, "--repeat") == 0)
        return parse_long(f, v, 1, BENCH_MAX_REPEAT, &o->repeat);
    if (strcmp(f, "--subscriptions") == 0)
        return parse_choice(f, v, "equal", "random", &o->random_subs);
    if (strcmp(f, "--previous") == 0)
        return parse_choice(f, v, "none", "leave10", &o->leave10);
    *used = 1;
    if (strcmp(f, "--json") == 0) {
        o->json = true;
        return CLI_OK;
    }
    return cli_usage_error("bench assignor", "unknown option '%s'", f);
}

static int parse_args(int argc, char **argv, bench_opts_t *o)
{
    *o = (bench_opts_t){NULL, 0, 0, -1, false, false, 1, false};
    for (int i = 1; i < argc;) {
        int used, rc = parse_one(o, argv[i], i + 1 < argc ? argv[i + 1] : NULL, &used);
        if (rc != CLI_OK)
            return rc;
        i += used;
    }
    if (!o->assignor || !o->members || !o->topics || o->partitions < 0)
        return cli_usage_error("bench assignor",
                               "--assignor, --members, --topics and --partitions are required");
    if ((long long)o->topics * o->partitions > BENCH_MAX_PARTITIONS_TOTAL)
        return cli_usage_error("bench assignor", "topics x partitions exceeds %lld",
                               BENCH_MAX_PARTITIONS_TOTAL);
    if ((long long)o->members * o->topics > BENCH_MAX_SUBSCRIPTIONS)
        return cli_usage_error("bench assignor", "members x topics exceeds %lld",
                               BENCH_MAX_SUBSCRIPTIONS);
    if (!bench_find(o->assignor))
        return cli_usage_error("bench assignor", "unknown assignor '%s' (known: %s; %s)",
                               o->assignor, cg_assignor_names(CG_PROTOCOL_CLASSIC),
                               cg_assignor_names(CG_PROTOCOL_CONSUMER));
    return CLI_OK;
}

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void input_free(bench_input_t *b)
{
    free(b->topics);
    free(b->topic_names);
    free(b->topic_base);
    free(b->members);
    free(b->member_ids);
    free(b->subs);
    free(b->owned);
    memset(b, 0, sizeof *b);
}

static void input_subscriptions(bench_input_t *b, const bench_opts_t *o)
{
    uint64_t seed = BENCH_SEED;
    size_t nt = (size_t)o->topics;
    for (size_t m = 0; m < (size_t)o->members; m++) {
        int32_t *subs = b->subs + m * nt;
        size_t n = 0;
        for (size_t t = 0; t < nt; t++)
            if (!o->random_subs || (splitmix64(&seed) & 1))
                subs[n++] = (int32_t)t;
        if (n == 0)
            subs[n++] = (int32_t)(splitmix64(&seed) % nt);
        snprintf(b->member_ids + 32 * m, 32, "member-%06zu", m);
        b->members[m] = (cg_assign_member_t){b->member_ids + 32 * m, NULL, NULL, subs, n,
                                             NULL, 0, -1};
    }
}

static int input_build(bench_input_t *b, const bench_opts_t *o)
{
    size_t nt = (size_t)o->topics, nm = (size_t)o->members;
    memset(b, 0, sizeof *b);
    b->topics = calloc(nt, sizeof *b->topics);
    b->topic_names = calloc(nt, 32);
    b->topic_base = calloc(nt + 1, sizeof *b->topic_base);
    b->members = calloc(nm, sizeof *b->members);
    b->member_ids = calloc(nm, 32);
    b->subs = calloc(nm * nt, sizeof *b->subs);
    b->owned = calloc((size_t)(o->topics * o->partitions) + 1, sizeof *b->owned);
    if (!b->topics || !b->topic_names || !b->topic_base || !b->members || !b->member_ids ||
        !b->subs || !b->owned)
        return -1;
    for (size_t t = 0; t < nt; t++) {
        snprintf(b->topic_names + 32 * t, 32, "topic-%05zu", t);
        b->topics[t] = (cg_topic_meta_t){b->topic_names + 32 * t, (int32_t)o->partitions};
        b->topic_base[t + 1] = b->topic_base[t] + o->partitions;
    }
    input_subscriptions(b, o);
    b->in = (cg_assign_input_t){b->topics, nt, b->topic_base, b->members, nm, NULL, NULL, 0};
    return 0;
}

/* Owned := the first run's result (generation 1); then every tenth member leaves. */
static int input_leave10(bench_input_t *b, const int32_t *owner)
{
    size_t nm = b->in.n_members, kept = 0, pos = 0;
    int64_t total = b->topic_base[b->in.n_topics];
    size_t *cnt = calloc(nm + 1, sizeof *cnt);
    if (!cnt)
        return -1;
    for (int64_t g = 0; g < total; g++)
        if (owner[g] >= 0)
            cnt[owner[g]]++;
    for (size_t m = 0; m < nm; m++) {
        b->members[m].owned = b->owned + pos;
        b->members[m].n_owned = 0;
        b->members[m].generation = 1;
        pos += cnt[m];
    }
    for (size_t t = 0; t < b->in.n_topics; t++)
        for (int64_t g = b->topic_base[t]; g < b->topic_base[t + 1]; g++)
            if (owner[g] >= 0) {
                cg_assign_member_t *mm = &b->members[owner[g]];
                ((cg_tp_t *)mm->owned)[mm->n_owned++] =
                    (cg_tp_t){(int32_t)t, (int32_t)(g - b->topic_base[t])};
            }
    for (size_t m = 0; m < nm; m++)
        if (m % 10 != 9)
            b->members[kept++] = b->members[m];
    b->in.n_members = kept;
    free(cnt);
    return 0;
}

/* Exclusive by construction of owner[]; check the owner indexes and subscriptions. */
static int check_output(const cg_assign_input_t *in, const int32_t *owner, int64_t *assigned)
{
    *assigned = 0;
    for (size_t t = 0; t < in->n_topics; t++)
        for (int64_t g = in->topic_base[t]; g < in->topic_base[t + 1]; g++) {
            if (owner[g] < 0)
                continue;
            if ((size_t)owner[g] >= in->n_members ||
                !cg_assign_subscribed(&in->members[owner[g]], (int32_t)t))
                return -1;
            (*assigned)++;
        }
    return 0;
}

static int run_timed(const cg_assignor_ops_t *ops, const bench_input_t *b, long repeat,
                     int32_t *owner, double *best_s)
{
    char err[256];
    cg_assign_output_t out = {owner};
    *best_s = -1;
    for (long r = 0; r < repeat; r++) {
        double t0 = cli_wall_seconds();
        if (ops->assign(&b->in, &out, err, sizeof err) != 0) {
            fprintf(stderr, "cgsim bench assignor: %s failed: %s\n", ops->name, err);
            return CLI_FAIL;
        }
        double s = cli_wall_seconds() - t0;
        if (*best_s < 0 || s < *best_s)
            *best_s = s;
    }
    return CLI_OK;
}

static void print_result(const bench_opts_t *o, const bench_input_t *b, int64_t total,
                         int64_t assigned, double s)
{
    double rate = s > 0 ? (double)total / s : 0;
    if (!o->json) {
        printf("assignor: %s\nsubscriptions: %s\nprevious: %s\nmembers: %zu\npartitions: %lld\n"
               "assigned: %lld\nseconds: %.6f\npartitions_per_s: %.0f\npeak_rss_kib: %ld\n",
               o->assignor, o->random_subs ? "random" : "equal", o->leave10 ? "leave10" : "none",
               b->in.n_members, (long long)total, (long long)assigned, s, rate,
               cli_peak_rss_kib());
        return;
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "assignor", o->assignor);
    cJSON_AddStringToObject(j, "subscriptions", o->random_subs ? "random" : "equal");
    cJSON_AddStringToObject(j, "previous", o->leave10 ? "leave10" : "none");
    cJSON_AddNumberToObject(j, "members", (double)b->in.n_members);
    cJSON_AddNumberToObject(j, "partitions", (double)total);
    cJSON_AddNumberToObject(j, "assigned", (double)assigned);
    cJSON_AddNumberToObject(j, "seconds", s);
    cJSON_AddNumberToObject(j, "partitions_per_s", rate);
    cJSON_AddNumberToObject(j, "peak_rss_kib", (double)cli_peak_rss_kib());
    char *txt = cJSON_PrintUnformatted(j);
    if (txt)
        printf("%s\n", txt);
    free(txt);
    cJSON_Delete(j);
}

static int bench_body(const bench_opts_t *o, bench_input_t *b)
{
    const cg_assignor_ops_t *ops = bench_find(o->assignor);
    int64_t total = b->topic_base[b->in.n_topics], assigned;
    int32_t *owner = malloc(((size_t)total + 1) * sizeof *owner);
    double s;
    if (!owner) {
        fprintf(stderr, "cgsim bench assignor: out of memory\n");
        return CLI_FAIL;
    }
    int rc = CLI_OK;
    if (o->leave10) {
        rc = run_timed(ops, b, 1, owner, &s);
        if (rc == CLI_OK && input_leave10(b, owner) != 0) {
            fprintf(stderr, "cgsim bench assignor: out of memory\n");
            rc = CLI_FAIL;
        }
    }
    if (rc == CLI_OK)
        rc = run_timed(ops, b, o->repeat, owner, &s);
    if (rc == CLI_OK && check_output(&b->in, owner, &assigned) != 0) {
        fprintf(stderr, "cgsim bench assignor: %s gave a partition to an unsubscribed or "
                        "unknown member\n", ops->name);
        rc = CLI_FAIL;
    }
    if (rc == CLI_OK)
        print_result(o, b, total, assigned, s);
    free(owner);
    return rc;
}

int cli_bench_assignor(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_OK;
    }
    bench_opts_t o;
    int rc = parse_args(argc, argv, &o);
    if (rc != CLI_OK)
        return rc;
    bench_input_t b;
    if (input_build(&b, &o) != 0) {
        input_free(&b);
        fprintf(stderr, "cgsim bench assignor: out of memory building the input\n");
        return CLI_FAIL;
    }
    rc = bench_body(&o, &b);
    input_free(&b);
    return rc;
}
