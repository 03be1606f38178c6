/* Swarm test: many random scenarios from a deterministic generator (splitmix64 from a fixed
 * master seed): random topics, producers, 1-3 groups with a random classic assignor and
 * protocol settings, consumers with random join times, static members, scripted faults of every
 * action (with and without duration_ms) and stochastic failure models; a quarter of the groups
 * use the KIP-848 consumer protocol. Each scenario is written to a temporary file and run with
 * `cgsim run --check`, which must exit 0; its summary must agree with analyze of its trace
 * (tests/support/cg_test_summary); the trace is then checked independently of the
 * simulator: time never goes back; it starts with run_start and ends with run_end; within a
 * group no partition has two owners (the ownership rule of design.md); a revoke lists only
 * partitions the member owns; a zombie record comes from a member that does not own the
 * partition; ok commits never lower a group's committed offset;
 * generations only grow (rebalance_end completes the last rebalance_start, assignments belong to
 * completed generations; for KIP-848 groups, marked by "protocol": "consumer" in rebalance_start,
 * the group epoch only grows); run_end.duplicates is the sum of the duplicate records. Every
 * SWARM_AHEAD_EVERY-th scenario also runs without --max-events (which turns run-ahead off),
 * once as is and once with --no-run-ahead: the two traces must be the same bytes (the run-ahead
 * of models/client/client.c changes nothing but speed).
 * Environment: CGSIM_SWARM_SHARD=k/n (run only the scenarios i with i % n == k, so that ctest
 * runs the swarm as parallel shards), CGSIM_SWARM_SEED (master seed), CGSIM_SWARM_N (number of
 * scenarios; default
 * SWARM_DEFAULT_N, SWARM_SANITIZED_N when CGSIM_SANITIZED=1), CGSIM_SWARM_VALGRIND=1 (each run
 * under valgrind memcheck), CGSIM_SWARM_KEEP (set: keep every
 * scenario file, e.g. to compare traces of two builds byte for byte). A run that reaches SWARM_MAX_EVENTS
 * (a simulation stuck at one instant) or SWARM_TIMEOUT_S fails. A failing scenario's file is kept
 * and its path printed, with the command that replays it. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tests/support/cg_test_proc.h"
#include "tests/support/cg_test_summary.h"

#define SWARM_DEFAULT_SEED 20261125ULL    /* master seed of the generator */
#define SWARM_DEFAULT_N 400               /* scenarios per run in a normal build (suite < 20 s) */
#define SWARM_SANITIZED_N 300             /* under ASan + UBSan, each run several times slower */
#define SWARM_MAX_FAILURES 5              /* failing scenarios described in full */
#define SWARM_MAX_CONSUMER_NAMES 64       /* per group, after count expansion */
#define SWARM_MAX_GROUPS 64               /* groups the checker follows (the generator makes <= 3) */
#define SWARM_MAX_EVENTS "20000000"     /* --max-events: a livelock fails in ~2 s, not never */
#define SWARM_AHEAD_EVERY 8               /* scenarios compared with and without run-ahead */
#define SWARM_TIMEOUT_S 120.0             /* wall-clock bound on one run, then SIGKILL */
#define SWARM_PATH_LEN 512
#define SWARM_MSG_LEN 2048

/* ---- generator ---- */

typedef struct rng {
    uint64_t s;                       /* splitmix64 state */
} rng_t;

static uint64_t rng_next(rng_t *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi] (modulo bias is irrelevant here). */
static int64_t rng_range(rng_t *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

static bool rng_chance(rng_t *r, int percent)
{
    return rng_range(r, 0, 99) < percent;
}

static const char *rng_pick(rng_t *r, const char *const *v, size_t n)
{
    return v[rng_range(r, 0, (int64_t)n - 1)];
}

typedef struct gen_group {
    char id[16];                      /* "g<k>" */
    char members[SWARM_MAX_CONSUMER_NAMES][40]; /* consumer ids after count expansion */
    int n_members;
    bool k848;                        /* consumer protocol (no partition.assignment.strategy) */
    const char *assignor;             /* its "assignor" */
    bool scaled;                      /* a scale fault targets it (so no autoscaler) */
} gen_group_t;

typedef struct gen {
    rng_t r;                          /* this scenario's stream */
    int64_t duration_ms;              /* run length */
    int n_topics;                     /* topics t0..t<n-1> */
    gen_group_t groups[3];
    int n_groups;
} gen_t;

static void add_num(cJSON *o, const char *k, double v)
{
    cJSON_AddNumberToObject(o, k, v);
}

/* A processing time or latency: a bare number or a distribution object, mean about `scale` ms. */
static cJSON *gen_dist(gen_t *g, int scale_tenths)
{
    static const char *const KINDS[] = {"number", "constant", "uniform", "exponential",
                                        "lognormal"};
    const char *k = rng_pick(&g->r, KINDS, 5);
    double mean = (double)rng_range(&g->r, 0, scale_tenths) / 10.0;
    if (strcmp(k, "number") == 0)
        return cJSON_CreateNumber(mean);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "dist", k);
    if (strcmp(k, "constant") == 0) {
        add_num(d, "value", mean);
    } else if (strcmp(k, "uniform") == 0) {
        add_num(d, "min", mean / 2);
        add_num(d, "max", mean + 1);
    } else if (strcmp(k, "exponential") == 0) {
        add_num(d, "mean", mean + 0.1);
    } else {
        add_num(d, "mean", mean + 0.1);
        add_num(d, "sd", (double)rng_range(&g->r, 1, 20) / 10.0);
    }
    return d;
}

static void gen_topics_producers(gen_t *g, cJSON *root)
{
    static const char *const ARRIVALS[] = {"constant", "poisson"};
    cJSON *topics = cJSON_AddArrayToObject(root, "topics");
    cJSON *producers = cJSON_AddArrayToObject(root, "producers");
    g->n_topics = (int)rng_range(&g->r, 1, 3);
    for (int t = 0; t < g->n_topics; t++) {
        char name[16];
        cJSON *o = cJSON_CreateObject();
        snprintf(name, sizeof name, "t%d", t);
        cJSON_AddStringToObject(o, "name", name);
        add_num(o, "partitions", (double)rng_range(&g->r, 1, rng_chance(&g->r, 20) ? 16 : 6));
        cJSON_AddItemToArray(topics, o);
    }
    int np = rng_chance(&g->r, 90) ? (int)rng_range(&g->r, 1, 3) : 0;
    for (int p = 0; p < np; p++) {
        char id[16], topic[16];
        cJSON *o = cJSON_CreateObject();
        snprintf(id, sizeof id, "p%d", p);
        snprintf(topic, sizeof topic, "t%d", (int)rng_range(&g->r, 0, g->n_topics - 1));
        cJSON_AddStringToObject(o, "id", id);
        cJSON_AddStringToObject(o, "topic", topic);
        add_num(o, "rate_per_s", (double)rng_range(&g->r, 0, 4000) / 10.0);
        cJSON_AddStringToObject(o, "arrival", rng_pick(&g->r, ARRIVALS, 2));
        add_num(o, "keys", (double)rng_range(&g->r, 1, 1000));
        if (rng_chance(&g->r, 30)) {
            cJSON_AddStringToObject(o, "key_dist", "zipf");
            add_num(o, "zipf_s", (double)rng_range(&g->r, 5, 20) / 10.0);
        }
        if (rng_chance(&g->r, 20)) {
            int64_t a = rng_range(&g->r, 0, g->duration_ms), b = rng_range(&g->r, 0, g->duration_ms);
            add_num(o, "start_ms", (double)(a < b ? a : b));
            add_num(o, "stop_ms", (double)(a < b ? b : a));
        }
        cJSON_AddItemToArray(producers, o);
    }
}

/* Group config: Kafka names; each key present only sometimes (else Kafka's default). */
static cJSON *gen_group_config(gen_t *g, bool k848)
{
    static const char *const RESETS[] = {"latest", "earliest", "latest", "earliest", "none"};
    cJSON *c = cJSON_CreateObject();
    rng_t *r = &g->r;
    int64_t session = rng_chance(r, 70) ? rng_range(r, 6000, 30000) : 45000;
    /* Classic only: a consumer-protocol group's broker decides both (the loader refuses them). */
    if (session != 45000 && !k848)
        add_num(c, "session.timeout.ms", (double)session);
    if (rng_chance(r, 70)) {
        int64_t hb = rng_range(r, 300, session / 3);
        if (!k848)
            add_num(c, "heartbeat.interval.ms", (double)hb);
    }
    if (rng_chance(r, 70))
        add_num(c, "max.poll.interval.ms", (double)rng_range(r, 1000, 60000));
    if (rng_chance(r, 60))
        add_num(c, "max.poll.records", (double)rng_range(r, 1, rng_chance(r, 50) ? 50 : 500));
    if (rng_chance(r, 50))
        cJSON_AddBoolToObject(c, "enable.auto.commit", rng_chance(r, 50));
    if (rng_chance(r, 50))
        add_num(c, "auto.commit.interval.ms", (double)rng_range(r, 100, 5000));
    if (rng_chance(r, 60))
        cJSON_AddStringToObject(c, "auto.offset.reset", rng_pick(r, RESETS, 5));
    if (rng_chance(r, 50))
        add_num(c, "group.initial.rebalance.delay.ms", (double)rng_range(r, 0, 3000));
    if (rng_chance(r, 30))   /* now and then far past a partition log's bucket (1 s) */
        add_num(c, "fetch.max.wait.ms", (double)rng_range(r, 0, rng_chance(r, 10) ? 30000 : 500));
    if (rng_chance(r, 20))
        add_num(c, "retry.backoff.ms", (double)rng_range(r, 10, 1000));
    if (rng_chance(r, 40))   /* short enough for a classic leader to notice added partitions */
        add_num(c, "metadata.max.age.ms", (double)rng_range(r, 0, 20000));
    if (rng_chance(r, 20))   /* now and then below a round trip: requests time out and retry */
        add_num(c, "request.timeout.ms", (double)rng_range(r, rng_chance(r, 30) ? 1 : 1000, 30000));
    if (k848 && rng_chance(r, 40)) {   /* the broker's KIP-848 timing, inside wider bounds */
        int64_t cs = rng_range(r, 1000, 45000);
        add_num(c, "group.consumer.min.session.timeout.ms", 1000);
        add_num(c, "group.consumer.min.heartbeat.interval.ms", 100);
        add_num(c, "group.consumer.session.timeout.ms", (double)cs);
        add_num(c, "group.consumer.heartbeat.interval.ms",
                (double)rng_range(r, 100, cs - 1 < 15000 ? cs - 1 : 15000));
    }
    return c;
}

static cJSON *gen_subscription(gen_t *g)
{
    cJSON *a = cJSON_CreateArray();
    int mask = 0;
    while (mask == 0)
        mask = (int)rng_range(&g->r, 0, (1 << g->n_topics) - 1);
    for (int t = 0; t < g->n_topics; t++) {
        char name[16];
        snprintf(name, sizeof name, "t%d", t);
        if (mask & (1 << t))
            cJSON_AddItemToArray(a, cJSON_CreateString(name));
    }
    return a;
}

/* A partition.assignment.strategy list: mostly with the group's assignor somewhere (members
 * then share a protocol), else any assignors (INCONSISTENT_GROUP_PROTOCOL is then likely). */
static cJSON *gen_strategy(gen_t *g, const gen_group_t *gg)
{
    static const char *const NAMES[] = {"range", "roundrobin", "sticky", "cooperative-sticky"};
    cJSON *a = cJSON_CreateArray();
    int n = (int)rng_range(&g->r, 1, 3), with = rng_chance(&g->r, 80) ? (int)rng_range(&g->r, 0, n - 1) : -1;
    for (int i = 0; i < n; i++) {
        const char *name = i == with ? gg->assignor : rng_pick(&g->r, NAMES, 4);
        bool dup = false;
        for (int k = 0; k < cJSON_GetArraySize(a); k++)
            dup = dup || strcmp(cJSON_GetArrayItem(a, k)->valuestring, name) == 0;
        if (!dup)
            cJSON_AddItemToArray(a, cJSON_CreateString(name));
    }
    return a;
}

static void gen_consumer(gen_t *g, gen_group_t *gg, int j, cJSON *arr)
{
    cJSON *o = cJSON_CreateObject();
    char id[16];
    int count = rng_chance(&g->r, 20) ? (int)rng_range(&g->r, 2, 3) : 0;
    snprintf(id, sizeof id, "c%d", j);
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddItemToObject(o, "topics", gen_subscription(g));
    int jt = (int)rng_range(&g->r, 0, 9);
    if (jt < 4)
        add_num(o, "join_at_ms", 0);
    else if (jt < 9)
        add_num(o, "join_at_ms", (double)rng_range(&g->r, 0, g->duration_ms / 2));
    else
        cJSON_AddNullToObject(o, "join_at_ms");
    if (rng_chance(&g->r, 80))
        cJSON_AddItemToObject(o, "processing_ms", gen_dist(g, rng_chance(&g->r, 20) ? 200 : 30));
    if (count)
        add_num(o, "count", count);
    if (rng_chance(&g->r, 35)) {
        cJSON *c = cJSON_AddObjectToObject(o, "config");
        if (rng_chance(&g->r, 70)) {
            char inst[16];          /* now and then shared: two processes, one instance */
            snprintf(inst, sizeof inst, "s%d", rng_chance(&g->r, 5) ? 0 : j);
            cJSON_AddStringToObject(c, "group.instance.id", inst);
        }
        if (rng_chance(&g->r, 50))
            add_num(c, "max.poll.interval.ms", (double)rng_range(&g->r, 1000, 60000));
        if (!gg->k848 && rng_chance(&g->r, 30))
            cJSON_AddItemToObject(c, "partition.assignment.strategy", gen_strategy(g, gg));
    }
    cJSON_AddItemToArray(arr, o);
    for (int k = count ? 1 : 0; k <= count && gg->n_members < SWARM_MAX_CONSUMER_NAMES; k++) {
        if (count)
            snprintf(gg->members[gg->n_members++], sizeof gg->members[0], "%s-%d", id, k);
        else
            snprintf(gg->members[gg->n_members++], sizeof gg->members[0], "%s", id);
    }
}

static void gen_groups(gen_t *g, cJSON *root)
{
    static const char *const ASSIGNORS[] = {"range", "roundrobin", "sticky",
                                            "cooperative-sticky"};
    cJSON *groups = cJSON_AddArrayToObject(root, "groups");
    g->n_groups = (int)rng_range(&g->r, 1, 3);
    for (int k = 0; k < g->n_groups; k++) {
        gen_group_t *gg = &g->groups[k];
        cJSON *o = cJSON_CreateObject();
        const char *assignor = rng_pick(&g->r, ASSIGNORS, 4);
        snprintf(gg->id, sizeof gg->id, "g%d", k);
        gg->n_members = 0;
        cJSON_AddStringToObject(o, "id", gg->id);
        bool k848 = rng_chance(&g->r, 25);   /* KIP-848 consumer protocol, server assignor */
        gg->k848 = k848;
        gg->assignor = assignor;
        const char *server = rng_chance(&g->r, 50) ? "uniform" : "range";
        cJSON_AddStringToObject(o, "protocol", k848 ? "consumer" : "classic");
        cJSON_AddStringToObject(o, "assignor", k848 ? server : assignor);
        int reb = k848 ? 0 : (int)rng_range(&g->r, 0, 2);
        if (strcmp(assignor, "cooperative-sticky") == 0 && reb > 0)
            cJSON_AddStringToObject(o, "rebalance", "cooperative");
        else if (reb == 2)
            cJSON_AddStringToObject(o, "rebalance", "eager");
        cJSON_AddItemToObject(o, "config", gen_group_config(g, k848));
        if (rng_chance(&g->r, 50))
            cJSON_AddItemToObject(o, "network_ms", gen_dist(g, rng_chance(&g->r, 3) ? 30000 : 50));
        if (rng_chance(&g->r, 30))
            add_num(o, "coordinator_failover_ms", (double)rng_range(&g->r, 0, 5000));
        if (!k848 && rng_chance(&g->r, 20))
            cJSON_AddItemToObject(o, "assignor_ms", gen_dist(g, 20000));   /* up to ~2 s */
        cJSON *cs = cJSON_AddArrayToObject(o, "consumers");
        int nc = (int)rng_range(&g->r, 1, 4);
        for (int j = 1; j <= nc; j++)
            gen_consumer(g, gg, j, cs);
        cJSON_AddItemToArray(groups, o);
    }
}

/* Every scripted action of design.md and the loader, with the ones duration_ms may follow. */
static const char *const ACTIONS[] = {"crash", "restart", "leave", "join", "pause", "resume",
                                      "hang", "slow", "isolate", "heal", "coordinator_failover",
                                      "rolling_restart", "scale", "subscribe",
                                      "add_partitions"};
#define N_ACTIONS (sizeof ACTIONS / sizeof ACTIONS[0])

static bool action_has_inverse(const char *a)
{
    static const char *const INV[] = {"crash", "leave", "join", "pause", "hang", "slow",
                                      "isolate", "scale"};
    for (size_t i = 0; i < sizeof INV / sizeof INV[0]; i++)
        if (strcmp(a, INV[i]) == 0)
            return true;
    return false;
}

static bool action_on_group(const char *a)
{
    return strcmp(a, "coordinator_failover") == 0 || strcmp(a, "rolling_restart") == 0 ||
           strcmp(a, "scale") == 0;
}

static void gen_fault_options(gen_t *g, const gen_group_t *gg, const char *a, cJSON *o)
{
    rng_t *r = &g->r;
    bool restarts = strcmp(a, "restart") == 0 || strcmp(a, "join") == 0 ||
                    strcmp(a, "rolling_restart") == 0;
    if (restarts && !gg->k848 && rng_chance(r, 20)) {   /* an upgrade: new assignor lists */
        cJSON *c = cJSON_AddObjectToObject(o, "config");
        cJSON_AddItemToObject(c, "partition.assignment.strategy", gen_strategy(g, gg));
    }
    if (strcmp(a, "slow") == 0 && rng_chance(r, 80))
        add_num(o, "factor", (double)rng_range(r, 5, 1000) / 10.0);
    if (strcmp(a, "scale") == 0) {
        static const int COUNTS[] = {-2, -1, 1, 2};
        add_num(o, "count", COUNTS[rng_range(r, 0, 3)]);
        if (rng_chance(r, 50))
            add_num(o, "interval_ms", (double)rng_range(r, 0, 5000));
    }
    if (strcmp(a, "rolling_restart") == 0) {
        if (rng_chance(r, 60))
            add_num(o, "interval_ms", (double)rng_range(r, 0, 10000));
        if (rng_chance(r, 60))
            add_num(o, "down_ms", (double)rng_range(r, 0, 8000));
    }
    if (action_has_inverse(a) && rng_chance(r, 50))
        add_num(o, "duration_ms", (double)rng_range(r, 1, g->duration_ms / 2));
    if (strcmp(a, "add_partitions") == 0)
        add_num(o, "count", (double)rng_range(r, 1, 6));
    if (strcmp(a, "subscribe") == 0 ||
        ((strcmp(a, "restart") == 0 || strcmp(a, "join") == 0) && rng_chance(r, 25)))
        cJSON_AddItemToObject(o, "topics", gen_subscription(g));   /* a new subscription */
}

static void gen_faults(gen_t *g, cJSON *root)
{
    cJSON *faults = cJSON_AddArrayToObject(root, "faults");
    int nf = rng_chance(&g->r, 15) ? 0 : (int)rng_range(&g->r, 1, 10);
    for (int i = 0; i < nf; i++) {
        const char *a = ACTIONS[rng_range(&g->r, 0, (int64_t)N_ACTIONS - 1)];
        const gen_group_t *gg = &g->groups[rng_range(&g->r, 0, g->n_groups - 1)];
        char target[64];
        cJSON *o = cJSON_CreateObject();
        add_num(o, "at_ms", (double)rng_range(&g->r, 0, g->duration_ms));
        cJSON_AddStringToObject(o, "action", a);
        if (strcmp(a, "add_partitions") == 0)
            snprintf(target, sizeof target, "t%d", (int)rng_range(&g->r, 0, g->n_topics - 1));
        else if (action_on_group(a))
            snprintf(target, sizeof target, "%s", gg->id);
        else
            snprintf(target, sizeof target, "%s/%s", gg->id,
                     gg->members[rng_range(&g->r, 0, gg->n_members - 1)]);
        if (strcmp(a, "scale") == 0)
            g->groups[gg - g->groups].scaled = true;
        cJSON_AddStringToObject(o, "target", target);
        gen_fault_options(g, gg, a, o);
        cJSON_AddItemToArray(faults, o);
    }
}

static void gen_failure_models(gen_t *g, cJSON *root)
{
    static const char *const MODEL_ACTIONS[] = {"crash", "hang", "pause", "slow", "isolate",
                                                "leave"};
    if (!rng_chance(&g->r, 20))
        return;
    cJSON *arr = cJSON_AddArrayToObject(root, "failure_models");
    cJSON *m = cJSON_CreateObject(), *ttf = cJSON_CreateObject(), *ttr = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "model", "stochastic");
    if (rng_chance(&g->r, 60))
        cJSON_AddStringToObject(m, "group", g->groups[rng_range(&g->r, 0, g->n_groups - 1)].id);
    cJSON_AddStringToObject(ttf, "dist", "exponential");
    add_num(ttf, "mean", (double)rng_range(&g->r, 2000, 30000));
    cJSON_AddItemToObject(m, "ttf_ms", ttf);
    cJSON_AddStringToObject(ttr, "dist", "exponential");
    add_num(ttr, "mean", (double)rng_range(&g->r, 100, 8000));
    cJSON_AddItemToObject(m, "ttr_ms", ttr);
    if (rng_chance(&g->r, 80)) {
        cJSON *w = cJSON_AddObjectToObject(m, "actions");
        int64_t forced = rng_range(&g->r, 0, 5);   /* at least one weight > 0 */
        for (int64_t i = 0; i < 6; i++)
            if (i == forced)
                add_num(w, MODEL_ACTIONS[i], (double)rng_range(&g->r, 1, 5));
            else if (rng_chance(&g->r, 40))
                add_num(w, MODEL_ACTIONS[i], (double)rng_range(&g->r, 0, 5));
    }
    if (rng_chance(&g->r, 50))
        add_num(m, "slow_factor", (double)rng_range(&g->r, 2, 50));
    if (rng_chance(&g->r, 50))
        add_num(m, "start_ms", (double)rng_range(&g->r, 0, g->duration_ms / 2));
    cJSON_AddItemToArray(arr, m);
}

/* One HPA direction's behavior: a window, a select policy, one or two policies. */
static cJSON *gen_rules(gen_t *g)
{
    static const char *const SELECT[] = {"Max", "Min", "Disabled"};
    static const char *const TYPES[] = {"Pods", "Percent"};
    cJSON *o = cJSON_CreateObject();
    if (rng_chance(&g->r, 50))
        add_num(o, "stabilizationWindowSeconds", (double)rng_range(&g->r, 0, 30));
    if (rng_chance(&g->r, 30))
        cJSON_AddStringToObject(o, "selectPolicy", rng_pick(&g->r, SELECT, 3));
    if (rng_chance(&g->r, 60)) {
        cJSON *pol = cJSON_AddArrayToObject(o, "policies");
        for (int64_t i = rng_range(&g->r, 1, 2); i > 0; i--) {
            cJSON *p = cJSON_CreateObject();
            cJSON_AddStringToObject(p, "type", rng_pick(&g->r, TYPES, 2));
            add_num(p, "value", (double)rng_range(&g->r, 1, 200));
            add_num(p, "periodSeconds", (double)rng_range(&g->r, 1, 30));
            cJSON_AddItemToArray(pol, p);
        }
    }
    if (rng_chance(&g->r, 20))
        add_num(o, "tolerance", (double)rng_range(&g->r, 0, 30) / 100.0);
    return o;
}

/* KEDA's trigger: one of the combinations it accepts. */
static cJSON *gen_trigger(gen_t *g)
{
    cJSON *o = cJSON_CreateObject();
    bool topic = rng_chance(&g->r, 60);
    if (topic) {
        char t[8];
        snprintf(t, sizeof t, "t%d", (int)rng_range(&g->r, 0, g->n_topics - 1));
        cJSON_AddStringToObject(o, "topic", t);
    }
    add_num(o, "lagThreshold", (double)rng_range(&g->r, 1, 500));
    if (rng_chance(&g->r, 30))
        add_num(o, "activationLagThreshold", (double)rng_range(&g->r, 0, 200));
    if (rng_chance(&g->r, 30))
        cJSON_AddStringToObject(o, "offsetResetPolicy",
                                rng_chance(&g->r, 50) ? "earliest" : "latest");
    int64_t cap = rng_range(&g->r, 0, topic ? 3 : 1);   /* none, idle, lagging, even */
    if (cap == 1)
        cJSON_AddBoolToObject(o, "allowIdleConsumers", true);
    else if (cap == 2)
        cJSON_AddBoolToObject(o, "limitToPartitionsWithLag", true);
    else if (cap == 3)
        cJSON_AddBoolToObject(o, "ensureEvenDistributionOfPartitions", true);
    if (rng_chance(&g->r, 20))
        cJSON_AddBoolToObject(o, "excludePersistentLag", true);
    if (rng_chance(&g->r, 15))
        cJSON_AddBoolToObject(o, "scaleToZeroOnInvalidOffset", true);
    return o;
}

/* Now and then an autoscaler on a group that no scale fault targets, with periods of seconds
 * so that short runs see many decisions. Drawn last: the rest of a scenario is the same with or
 * without it. */
static void gen_autoscalers(gen_t *g, cJSON *root)
{
    if (!rng_chance(&g->r, 25))
        return;
    gen_group_t *gg = &g->groups[rng_range(&g->r, 0, g->n_groups - 1)];
    if (gg->scaled || gg->n_members == 0)
        return;
    cJSON *arr = cJSON_AddArrayToObject(root, "autoscalers");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "group", gg->id);
    if (rng_chance(&g->r, 70))
        cJSON_AddItemToObject(o, "pod_start_ms", gen_dist(g, 30000));
    add_num(o, "pollingInterval", (double)rng_range(&g->r, 1, 10));
    int64_t mx = rng_range(&g->r, 1, gg->n_members);
    add_num(o, "maxReplicaCount", (double)mx);
    if (rng_chance(&g->r, 60))
        add_num(o, "minReplicaCount", (double)rng_range(&g->r, 0, mx));
    if (rng_chance(&g->r, 40))
        add_num(o, "cooldownPeriod", (double)rng_range(&g->r, 0, 20));
    cJSON_AddItemToObject(o, "trigger", gen_trigger(g));
    cJSON *h = cJSON_AddObjectToObject(o, "hpa");
    add_num(h, "syncPeriodSeconds", (double)rng_range(&g->r, 1, 5));
    add_num(h, "downscaleStabilizationSeconds", (double)rng_range(&g->r, 0, 30));
    if (rng_chance(&g->r, 50)) {
        cJSON *b = cJSON_AddObjectToObject(o, "behavior");
        if (rng_chance(&g->r, 70))
            cJSON_AddItemToObject(b, "scaleUp", gen_rules(g));
        if (rng_chance(&g->r, 70))
            cJSON_AddItemToObject(b, "scaleDown", gen_rules(g));
    }
    cJSON_AddItemToArray(arr, o);
}

/* Now and then replica racks on the topics (rack_count, so that add_partitions still works) and
 * a client.rack on consumers, one rack of five holding no replica at most. Drawn last, after
 * the autoscalers: the rest of a scenario is the same with or without them. */
static void gen_racks(gen_t *g, cJSON *root)
{
    if (!rng_chance(&g->r, 30))
        return;
    cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(root, "topics")) {
        if (!rng_chance(&g->r, 70))
            continue;
        int64_t racks = rng_range(&g->r, 1, 4);
        add_num(t, "rack_count", (double)racks);
        add_num(t, "replication_factor", (double)rng_range(&g->r, 1, racks));
    }
    cJSON *grp;
    cJSON_ArrayForEach(grp, cJSON_GetObjectItemCaseSensitive(root, "groups")) {
        cJSON *gc = cJSON_GetObjectItemCaseSensitive(grp, "config");
        if (gc && rng_chance(&g->r, 40))
            cJSON_AddStringToObject(gc, "replica.selector.class",
                                    "org.apache.kafka.common.replica.RackAwareReplicaSelector");
        cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(grp, "consumers")) {
            if (!rng_chance(&g->r, 60))
                continue;
            cJSON *cfg = cJSON_GetObjectItemCaseSensitive(c, "config");
            if (!cfg)
                cfg = cJSON_AddObjectToObject(c, "config");
            char rack[16];
            snprintf(rack, sizeof rack, "rack-%d", (int)rng_range(&g->r, 0, 4));
            cJSON_AddStringToObject(cfg, "client.rack", rack);
        }
    }
}

/* The group's faults that start processes (restart, join, rolling_restart) with their target
 * group `id` or one of its members. */
static bool restarts_in(const cJSON *f, const char *id)
{
    const char *a = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "action"));
    const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "target"));
    size_t n = strlen(id);
    return a && t && strncmp(t, id, n) == 0 && (t[n] == '\0' || t[n] == '/') &&
           (strcmp(a, "restart") == 0 || strcmp(a, "join") == 0 ||
            strcmp(a, "rolling_restart") == 0);
}

/* Now and then an online migration in a classic group: some consumers start
 * with group.protocol "consumer", restarts switch processes between the protocols, under any
 * group.consumer.migration.policy. Drawn last: the rest of a scenario is unchanged. */
static void gen_migration(gen_t *g, cJSON *root)
{
    static const char *const POLICIES[] = {"bidirectional", "upgrade", "downgrade", "disabled"};
    if (!rng_chance(&g->r, 25))
        return;
    cJSON *grp;
    cJSON_ArrayForEach(grp, cJSON_GetObjectItemCaseSensitive(root, "groups")) {
        const char *proto = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(grp, "protocol"));
        if (!proto || strcmp(proto, "classic") != 0 || !rng_chance(&g->r, 60))
            continue;
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(grp, "id"));
        cJSON *gc = cJSON_GetObjectItemCaseSensitive(grp, "config");
        if (gc && rng_chance(&g->r, 40))
            cJSON_AddStringToObject(gc, "group.consumer.migration.policy",
                                    rng_pick(&g->r, POLICIES, 4));
        cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(grp, "consumers")) {
            if (!rng_chance(&g->r, 35))
                continue;
            cJSON *cfg = cJSON_GetObjectItemCaseSensitive(c, "config");
            if (!cfg)
                cfg = cJSON_AddObjectToObject(c, "config");
            cJSON_AddStringToObject(cfg, "group.protocol", "consumer");
        }
        cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(root, "faults")) {
            if (!restarts_in(f, id) || !rng_chance(&g->r, 60))
                continue;
            cJSON *cfg = cJSON_GetObjectItemCaseSensitive(f, "config");
            if (!cfg)
                cfg = cJSON_AddObjectToObject(f, "config");
            cJSON_AddStringToObject(cfg, "group.protocol",
                                    rng_chance(&g->r, 70) ? "consumer" : "classic");
        }
    }
}

/* Scenario number `index` of the swarm with master seed `master`, as JSON text (caller frees). */
static char *gen_scenario(uint64_t master, int index)
{
    gen_t g;
    char name[64];
    memset(&g, 0, sizeof g);
    g.r.s = master;
    for (int i = 0; i <= index % 7; i++)    /* decorrelate neighbouring indexes */
        rng_next(&g.r);
    g.r.s ^= (uint64_t)index * 0xd1b54a32d192ed03ULL;
    cJSON *root = cJSON_CreateObject();
    snprintf(name, sizeof name, "swarm-%llu-%d", (unsigned long long)master, index);
    cJSON_AddStringToObject(root, "name", name);
    add_num(root, "seed", (double)rng_range(&g.r, 0, 1000000000));
    g.duration_ms = rng_range(&g.r, 5000, 60000);
    add_num(root, "duration_ms", (double)g.duration_ms);
    gen_topics_producers(&g, root);
    gen_groups(&g, root);
    gen_faults(&g, root);
    gen_failure_models(&g, root);
    gen_autoscalers(&g, root);
    gen_racks(&g, root);
    gen_migration(&g, root);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}

/* ---- independent trace checker ---- */

typedef struct slot {
    char *group;                      /* group id */
    char *topic;                      /* topic name */
    int64_t partition;
    char *owner;                      /* member owning it per the trace, NULL = none */
    bool has_commit;                  /* an ok commit was seen */
    double committed;                 /* highest ok committed offset */
} slot_t;

typedef struct gen_state {
    char *group;                      /* group id */
    double start;                     /* generation of its last rebalance_start (0 = none) */
    double end;                       /* generation of its last rebalance_end (0 = none) */
    bool consumer;                    /* KIP-848 group ("protocol": "consumer" in rebalance_start):
                                         generations are epochs, assignments come before ends */
} gen_state_t;

typedef struct checker {
    slot_t *v;                        /* one per (group, topic, partition) seen */
    gen_state_t gens[SWARM_MAX_GROUPS];  /* per group seen */
    size_t n_gens;
    size_t n, cap;
    double last_t;                    /* time of the previous record */
    long long line;                   /* current line number */
    bool started, ended;              /* run_start / run_end seen */
    double duplicates;                /* sum of duplicate.records */
    char err[SWARM_MSG_LEN];          /* first violation */
} checker_t;

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool jnum(const cJSON *o, const char *k, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(v))
        return false;
    *out = v->valuedouble;
    return true;
}

static bool fail(checker_t *k, const char *fmt, const char *a, const char *b, const char *c)
{
    char m[SWARM_MSG_LEN / 2];
    snprintf(m, sizeof m, fmt, a ? a : "?", b ? b : "?", c ? c : "?");
    snprintf(k->err, sizeof k->err, "line %lld: %s", k->line, m);
    return false;
}

static slot_t *slot_get(checker_t *k, const char *group, const char *topic, int64_t p)
{
    for (size_t i = 0; i < k->n; i++)
        if (k->v[i].partition == p && strcmp(k->v[i].topic, topic) == 0 &&
            strcmp(k->v[i].group, group) == 0)
            return &k->v[i];
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 64;
        slot_t *v = realloc(k->v, cap * sizeof *v);
        if (!v)
            return NULL;
        k->v = v;
        k->cap = cap;
    }
    slot_t *s = &k->v[k->n++];
    *s = (slot_t){strdup(group), strdup(topic), p, NULL, false, 0};
    return s;
}

static void slot_release(slot_t *s)
{
    free(s->owner);
    s->owner = NULL;
}

/* [topic, partition] pair i of a "partitions" array. */
static bool pair_at(const cJSON *pair, const char **topic, int64_t *p)
{
    const cJSON *t = cJSON_GetArrayItem(pair, 0), *n = cJSON_GetArrayItem(pair, 1);
    if (!cJSON_IsString(t) || !cJSON_IsNumber(n))
        return false;
    *topic = t->valuestring;
    *p = (int64_t)n->valuedouble;
    return true;
}

static bool listed(const cJSON *parts, const slot_t *s)
{
    const char *t = NULL;
    int64_t p = 0;
    for (const cJSON *it = parts->child; it; it = it->next)
        if (pair_at(it, &t, &p) && p == s->partition && strcmp(t, s->topic) == 0)
            return true;
    return false;
}

static gen_state_t *gen_get(checker_t *k, const char *group)
{
    for (size_t i = 0; i < k->n_gens; i++)
        if (strcmp(k->gens[i].group, group) == 0)
            return &k->gens[i];
    if (k->n_gens == SWARM_MAX_GROUPS)
        return NULL;
    k->gens[k->n_gens] = (gen_state_t){strdup(group), 0, 0, false};
    return &k->gens[k->n_gens++];
}

/* Generations of a group only grow: a rebalance_start forms one above the last completed (equal
 * to the last started when a coordinator failover lost that one), a rebalance_end completes the
 * last started, and an assignment belongs to a completed generation. */
static bool on_rebalance(checker_t *k, const cJSON *o, const char *type)
{
    const char *g = jstr(o, "group");
    double gen = 0;
    char num[160];
    if (!g || !jnum(o, "generation", &gen))
        return fail(k, "%s without group or generation%s%s", type, "", "");
    gen_state_t *s = gen_get(k, g);
    if (!s)
        return true;
    snprintf(num, sizeof num, "%.0f (last started %.0f, last completed %.0f)", gen, s->start,
             s->end);
    const char *proto = jstr(o, "protocol");
    if (proto && strcmp(proto, "consumer") == 0)
        s->consumer = true;
    if (s->consumer) {
        /* KIP-848: the group epoch only grows; a rebalance ends at the epoch it reached. */
        bool start = strcmp(type, "rebalance_start") == 0;
        if (start ? gen <= s->start || gen <= s->end : gen < s->start || gen < s->end)
            return fail(k, "group %s: %s of group epoch %s", g, type, num);
        *(start ? &s->start : &s->end) = gen;
        return true;
    }
    if (strcmp(type, "rebalance_start") == 0) {
        if (gen <= s->end || gen < s->start)
            return fail(k, "group %s: rebalance_start of generation %s%s", g, num, "");
        s->start = gen;
        return true;
    }
    if (gen != s->start)
        return fail(k, "group %s: rebalance_end of generation %s%s", g, num, "");
    s->end = gen;
    return true;
}

/* An online migration: the group's generations follow the other protocol's rules from now on
 * (an upgrade carries the classic generation over as the group epoch, a downgrade the epoch). */
static bool on_converted(checker_t *k, const cJSON *o)
{
    const char *g = jstr(o, "group"), *to = jstr(o, "to");
    double gen = 0;
    if (!g || !to || !jnum(o, "generation", &gen))
        return fail(k, "group_converted without group, to or generation%s%s%s", "", "", "");
    gen_state_t *s = gen_get(k, g);
    if (!s)
        return true;
    double members = 0;
    jnum(o, "members", &members);
    if (gen < s->end && members > 0) {   /* an empty group is created anew: from 0 */
        char num[96];
        snprintf(num, sizeof num, "%.0f (last completed %.0f)", gen, s->end);
        return fail(k, "group %s: converted at generation %s%s", g, num, "");
    }
    /* A classic rebalance lost in a failover may have announced gen + 1 already: the carried
     * generation is where both protocols go on from. */
    s->consumer = strcmp(to, "consumer") == 0;
    s->start = s->end = gen;
    return true;
}

static bool assignment_generation_ok(checker_t *k, const cJSON *o, const char *g)
{
    double gen = 0;
    gen_state_t *s = gen_get(k, g);
    if (!jnum(o, "generation", &gen))
        return fail(k, "assignment in group %s without a generation%s%s", g, "", "");
    if (s && !s->consumer && gen > s->end) {
        char num[96];
        snprintf(num, sizeof num, "%.0f before its rebalance_end (last completed %.0f)", gen,
                 s->end);
        return fail(k, "group %s: assignment of generation %s%s", g, num, "");
    }
    return true;
}

static bool on_assignment(checker_t *k, const char *g, const char *m, const cJSON *parts)
{
    if (!cJSON_IsArray(parts))
        return fail(k, "assignment of %s/%s without a partitions array", g, m, NULL);
    for (size_t i = 0; i < k->n; i++)      /* a later assignment without it ends ownership */
        if (k->v[i].owner && strcmp(k->v[i].group, g) == 0 && strcmp(k->v[i].owner, m) == 0 &&
            !listed(parts, &k->v[i]))
            slot_release(&k->v[i]);
    for (const cJSON *it = parts->child; it; it = it->next) {
        const char *t = NULL;
        int64_t p = 0;
        char tp[300];
        if (!pair_at(it, &t, &p))
            return fail(k, "assignment of %s/%s: bad [topic, partition] pair", g, m, NULL);
        slot_t *s = slot_get(k, g, t, p);
        snprintf(tp, sizeof tp, "%s-%lld", t, (long long)p);
        if (s && s->owner && strcmp(s->owner, m) != 0) {
            char who[600];
            snprintf(who, sizeof who, "%s/%s while %s still owns it", g, m, s->owner);
            return fail(k, "two owners: partition %s assigned to %s%s", tp, who, "");
        }
        if (s && !s->owner)
            s->owner = strdup(m);
    }
    return true;
}

static bool on_revoke(checker_t *k, const char *g, const char *m, const cJSON *parts)
{
    if (!cJSON_IsArray(parts))
        return fail(k, "revoke of %s/%s without a partitions array", g, m, NULL);
    for (const cJSON *it = parts->child; it; it = it->next) {
        const char *t = NULL;
        int64_t p = 0;
        if (!pair_at(it, &t, &p))
            return fail(k, "revoke of %s/%s: bad [topic, partition] pair", g, m, NULL);
        slot_t *s = slot_get(k, g, t, p);
        if (s && (!s->owner || strcmp(s->owner, m) != 0))
            return fail(k, "%s/%s revokes %s which it does not own", g, m, t);
        if (s)
            slot_release(s);
    }
    return true;
}

static bool on_commit(checker_t *k, const cJSON *o, const char *g, const char *m)
{
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(o, "ok");
    const char *t = jstr(o, "topic");
    double p = 0, off = 0;
    if (!cJSON_IsBool(ok) || !t || !jnum(o, "partition", &p) || !jnum(o, "offset", &off))
        return fail(k, "commit of %s/%s lacks ok, topic, partition or offset", g, m, NULL);
    if (!cJSON_IsTrue(ok))
        return true;
    slot_t *s = slot_get(k, g, t, (int64_t)p);
    if (s && s->has_commit && off < s->committed) {
        char num[64];
        snprintf(num, sizeof num, "%.0f < %.0f", off, s->committed);
        return fail(k, "committed offset of group %s partition %s goes back: %s", g, t, num);
    }
    if (s) {
        s->has_commit = true;
        s->committed = off;
    }
    return true;
}

static bool on_zombie(checker_t *k, const cJSON *o, const char *g, const char *m)
{
    const char *t = jstr(o, "topic");
    double p = 0;
    if (!t || !jnum(o, "partition", &p))
        return fail(k, "zombie of %s/%s lacks topic or partition", g, m, NULL);
    slot_t *s = slot_get(k, g, t, (int64_t)p);
    if (s && s->owner && strcmp(s->owner, m) == 0)
        return fail(k, "zombie record from %s/%s, the owner of a partition of %s", g, m, t);
    return true;
}

static bool on_run_end(checker_t *k, const cJSON *o)
{
    double d = -1;
    k->ended = true;
    if (!jnum(o, "duplicates", &d) || d != k->duplicates) {
        char num[96];
        snprintf(num, sizeof num, "%.0f but the duplicate records sum to %.0f", d, k->duplicates);
        return fail(k, "run_end.duplicates is %s%s%s", num, "", "");
    }
    return true;
}

static bool on_member_record(checker_t *k, const cJSON *o, const char *type)
{
    const char *g = jstr(o, "group"), *m = jstr(o, "member");
    if (!g || !m)
        return fail(k, "%s record without group or member", type, NULL, NULL);
    if (strcmp(type, "assignment") == 0)
        return assignment_generation_ok(k, o, g) &&
               on_assignment(k, g, m, cJSON_GetObjectItemCaseSensitive(o, "partitions"));
    if (strcmp(type, "revoke") == 0)
        return on_revoke(k, g, m, cJSON_GetObjectItemCaseSensitive(o, "partitions"));
    if (strcmp(type, "member_leave") == 0) {
        for (size_t i = 0; i < k->n; i++)
            if (k->v[i].owner && strcmp(k->v[i].group, g) == 0 &&
                strcmp(k->v[i].owner, m) == 0)
                slot_release(&k->v[i]);
        return true;
    }
    if (strcmp(type, "commit") == 0)
        return on_commit(k, o, g, m);
    if (strcmp(type, "zombie") == 0)
        return on_zombie(k, o, g, m);
    double n = 0;
    if (strcmp(type, "duplicate") == 0 && jnum(o, "records", &n))
        k->duplicates += n;
    return true;
}

static bool check_record(checker_t *k, const cJSON *o)
{
    const char *type = jstr(o, "type");
    double t = 0;
    if (!cJSON_IsObject(o) || !type || !jnum(o, "t", &t))
        return fail(k, "not a JSON object with a number t and a string type%s%s%s", "", "", "");
    if (k->ended)
        return fail(k, "%s record after run_end", type, NULL, NULL);
    if (!k->started && strcmp(type, "run_start") != 0)
        return fail(k, "first record is %s, not run_start", type, NULL, NULL);
    k->started = true;
    if (t < k->last_t)
        return fail(k, "time goes back (%s record)%s%s", type, "", "");
    k->last_t = t;
    if (strcmp(type, "run_aborted") == 0)
        return fail(k, "run_aborted: %s", jstr(o, "message"), NULL, NULL);
    if (strcmp(type, "run_end") == 0)
        return on_run_end(k, o);
    if (strcmp(type, "rebalance_start") == 0 || strcmp(type, "rebalance_end") == 0)
        return on_rebalance(k, o, type);
    if (strcmp(type, "group_converted") == 0)
        return on_converted(k, o);
    if (cJSON_GetObjectItemCaseSensitive(o, "member") && jstr(o, "group"))
        return on_member_record(k, o, type);
    return true;
}

static void checker_free(checker_t *k)
{
    for (size_t i = 0; i < k->n; i++) {
        free(k->v[i].group);
        free(k->v[i].topic);
        free(k->v[i].owner);
    }
    for (size_t i = 0; i < k->n_gens; i++)
        free(k->gens[i].group);
    free(k->v);
}

/* Check a whole trace; on a violation `err` holds its line and the record. */
static bool check_trace(const cgt_text_t *tr, char *err, size_t errlen)
{
    checker_t k;
    memset(&k, 0, sizeof k);
    bool ok = true;
    for (size_t pos = 0; ok && pos < tr->len;) {
        const char *line = tr->buf + pos, *nl = memchr(line, '\n', tr->len - pos);
        size_t len = nl ? (size_t)(nl - line) : tr->len - pos;
        pos += len + 1;
        k.line++;
        cJSON *o = cJSON_ParseWithLength(line, len);
        ok = check_record(&k, o);
        cJSON_Delete(o);
        if (!ok)
            snprintf(err, errlen, "%.1200s\n  record: %.*s", k.err, (int)(len < 400 ? len : 400),
                     line);
    }
    if (ok && !k.ended) {
        snprintf(err, errlen, "the trace has no run_end (%lld lines)", k.line);
        ok = false;
    }
    checker_free(&k);
    return ok;
}

/* ---- the swarm ---- */

static uint64_t env_u64(const char *name, uint64_t def)
{
    uint64_t x;
    cr_assert(cgt_env_u64(name, def, &x), "%s=%s is not an unsigned integer", name, getenv(name));
    return x;
}

/* The run's summary (its log) against analyze of its trace: one definition everywhere. */
static bool summary_agrees(const char *log, const char *trace, char *msg, size_t msglen)
{
    cgt_text_t text;
    if (!cgt_text_read(log, &text)) {
        snprintf(msg, msglen, "cannot read the log %s", log);
        return false;
    }
    char why[SWARM_MSG_LEN / 2];
    bool ok = cgt_summary_agrees(text.buf, trace, why, sizeof why, NULL);
    if (!ok)
        snprintf(msg, msglen, "the run summary and analyze of its trace disagree:\n%s", why);
    free(text.buf);
    return ok;
}

/* The scenario's trace with run-ahead and without (--no-run-ahead): the same bytes. */
static bool ahead_agrees(const char *path, const char *dir, int index, char *msg, size_t msglen)
{
    char t[2][SWARM_PATH_LEN], log[SWARM_PATH_LEN];
    snprintf(log, sizeof log, "%s/ahead-log-%d.txt", dir, index);
    cgt_text_t got[2] = {{NULL, 0}, {NULL, 0}};
    bool ok = true;
    for (int k = 0; k < 2 && ok; k++) {
        snprintf(t[k], sizeof t[k], "%s/ahead-%d-%d.jsonl", dir, index, k);
        char *argv[] = {(char *)CGSIM_BINARY, "run", (char *)path, "--no-check", "--quiet",
                        "--trace", t[k], k ? "--no-run-ahead" : NULL, NULL};
        int rc = cgt_run_argv(argv, log, SWARM_TIMEOUT_S);
        ok = (rc == 0 || rc == 1) && cgt_text_read(t[k], &got[k]);
        if (!ok)
            snprintf(msg, msglen, "run %s exited %d", k ? "--no-run-ahead" : "with run-ahead", rc);
    }
    char why[SWARM_MSG_LEN / 2];
    if (ok && !cgt_lines_equal(&got[1], &got[0], 0, why, sizeof why)) {
        snprintf(msg, msglen, "the trace with run-ahead differs from --no-run-ahead's: %s", why);
        ok = false;
    }
    for (int k = 0; k < 2; k++) {
        free(got[k].buf);
        unlink(t[k]);
    }
    unlink(log);
    return ok;
}

/* Run scenario `index`; false (with the reason in msg) on a failure. */
static bool swarm_one(uint64_t master, int index, const char *dir, char *path, char *msg,
                      size_t msglen)
{
    char trace[SWARM_PATH_LEN], log[SWARM_PATH_LEN];
    char *json = gen_scenario(master, index);
    snprintf(path, SWARM_PATH_LEN, "%s/swarm-%d.json", dir, index);
    snprintf(trace, sizeof trace, "%s/trace-%d.jsonl", dir, index);
    snprintf(log, sizeof log, "%s/log-%d.txt", dir, index);
    bool wrote = json && cgt_file_write(path, json, strlen(json));
    free(json);
    if (!wrote) {
        snprintf(msg, msglen, "cannot write %s", path);
        return false;
    }
    char *argv[] = {"valgrind", "-q", "--error-exitcode=97", "--track-origins=yes",
                    (char *)CGSIM_BINARY, "run", path, "--check", "--trace", trace,
                    "--max-events", SWARM_MAX_EVENTS, NULL};
    /* CGSIM_SWARM_VALGRIND=1: every run under memcheck (uninitialised memory must never decide
     * behaviour); a memcheck error exits 97. */
    bool vg = getenv("CGSIM_SWARM_VALGRIND") && strcmp(getenv("CGSIM_SWARM_VALGRIND"), "1") == 0;
    int rc = cgt_run_argv(vg ? argv : argv + 4, log, vg ? 20 * SWARM_TIMEOUT_S : SWARM_TIMEOUT_S);
    cgt_text_t out = {NULL, 0};
    bool ok = rc == 0;
    if (rc == -2) {
        snprintf(msg, msglen, "cgsim still running after %.0f s: killed", SWARM_TIMEOUT_S);
    } else if (!ok) {
        bool have = cgt_text_read(log, &out);
        snprintf(msg, msglen, "cgsim exited %d%s:\n%.*s", rc,
                 rc == 2 ? " (the generator wrote a scenario the loader refuses)" : "",
                 have ? (int)(out.len < 1500 ? out.len : 1500) : 0, have ? out.buf : "");
    } else if (!cgt_text_read(trace, &out)) {
        snprintf(msg, msglen, "cannot read the trace %s", trace);
        ok = false;
    } else {
        ok = check_trace(&out, msg, msglen) && summary_agrees(log, trace, msg, msglen) &&
             (index % SWARM_AHEAD_EVERY != 0 || vg || ahead_agrees(path, dir, index, msg, msglen));
    }
    free(out.buf);
    unlink(trace);
    unlink(log);
    if (ok && !getenv("CGSIM_SWARM_KEEP"))
        unlink(path);
    return ok;
}

Test(swarm, random_scenarios_run_clean_and_their_traces_hold_the_invariants)
{
    uint64_t master = env_u64("CGSIM_SWARM_SEED", SWARM_DEFAULT_SEED);
    uint64_t def = getenv("CGSIM_SANITIZED") && strcmp(getenv("CGSIM_SANITIZED"), "1") == 0
                       ? SWARM_SANITIZED_N : SWARM_DEFAULT_N;
    uint64_t n = env_u64("CGSIM_SWARM_N", def);
    unsigned shard, shards;
    cr_assert(cgt_shard("CGSIM_SWARM_SHARD", &shard, &shards),
              "CGSIM_SWARM_SHARD=%s: expected k/n with 0 <= k < n", getenv("CGSIM_SWARM_SHARD"));
    char dir[] = "/tmp/cgsim-swarm-XXXXXX", path[SWARM_PATH_LEN], msg[SWARM_MSG_LEN];
    cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
    int failures = 0;
    double t0 = cgt_wall_s();
    for (uint64_t i = shard; i < n; i += shards) {
        msg[0] = '\0';
        if (swarm_one(master, (int)i, dir, path, msg, sizeof msg))
            continue;
        if (++failures > SWARM_MAX_FAILURES) {
            cr_log_error("swarm scenario %llu failed too (kept at %s)", (unsigned long long)i,
                         path);
            continue;
        }
        cr_log_error("swarm scenario %llu (CGSIM_SWARM_SEED=%llu) failed; kept at %s\n"
                     "  replay: %s run %s --check\n  %s", (unsigned long long)i,
                     (unsigned long long)master, path, CGSIM_BINARY, path, msg);
    }
    double dt = cgt_wall_s() - t0;
    cr_log_info("swarm: %llu scenarios (seed %llu) in %.1f s, %.1f ms each",
                (unsigned long long)n, (unsigned long long)master, dt,
                n ? 1000.0 * dt / (double)n : 0.0);
    fprintf(stderr, "swarm: shard %u/%u of %llu scenarios (seed %llu) in %.1f s\n", shard, shards,
            (unsigned long long)n, (unsigned long long)master, dt);
    if (failures == 0 && !getenv("CGSIM_SWARM_KEEP"))
        rmdir(dir);
    else if (getenv("CGSIM_SWARM_KEEP"))
        fprintf(stderr, "swarm: scenarios kept in %s\n", dir);
    cr_assert_eq(failures, 0, "%d swarm scenario(s) failed (kept in %s; messages above)",
                 failures, dir);
}

/* The committed golden and regression traces hold the same invariants (head-only files of digest
 * cases are skipped: they have no run_end). */
static int check_committed(const char *path, int *checked)
{
    struct stat st;
    char digest[SWARM_PATH_LEN], err[SWARM_MSG_LEN];
    cgt_text_t t;
    snprintf(digest, sizeof digest, "%.*s.digest", (int)(strlen(path) - 6), path);
    if (strcmp(path + strlen(path) - 6, ".jsonl") != 0 || stat(digest, &st) == 0 ||
        !cgt_text_read(path, &t))
        return 0;
    (*checked)++;
    bool ok = check_trace(&t, err, sizeof err);
    free(t.buf);
    if (!ok)
        cr_log_error("%s: %s", path, err);
    return !ok;
}

Test(swarm, committed_golden_and_regression_traces_hold_the_invariants)
{
    static const char *const DIRS[] = {CGSIM_SOURCE_DIR "/tests/golden",
                                       CGSIM_SOURCE_DIR "/tests/regressions"};
    int bad = 0, checked = 0;
    for (size_t d = 0; d < 2; d++) {
        DIR *dir = opendir(DIRS[d]);
        for (struct dirent *e; dir && (e = readdir(dir)) != NULL;) {
            char p[SWARM_PATH_LEN];
            if (e->d_name[0] == '.')
                continue;
            if (d == 0)
                snprintf(p, sizeof p, "%s/%s", DIRS[d], e->d_name);
            else
                snprintf(p, sizeof p, "%s/%s/expected.jsonl", DIRS[d], e->d_name);
            bad += check_committed(p, &checked);
        }
        if (dir)
            closedir(dir);
    }
    cr_log_info("%d committed traces checked", checked);
    cr_assert_gt(checked, 0, "no committed traces found");
    cr_assert_eq(bad, 0, "%d committed trace(s) break an invariant (messages above)", bad);
}

/* ---- the generator and the checker themselves ---- */

Test(swarm, generator_is_deterministic_and_varies)
{
    char *a = gen_scenario(7, 3), *b = gen_scenario(7, 3), *c = gen_scenario(7, 4);
    char *d = gen_scenario(8, 3);
    cr_assert_str_eq(a, b);
    cr_assert_str_neq(a, c);
    cr_assert_str_neq(a, d);
    cJSON *o = cJSON_Parse(a);
    cr_assert(cJSON_IsObject(o));
    cr_assert(cJSON_IsArray(cJSON_GetObjectItem(o, "groups")));
    cJSON_Delete(o);
    free(a);
    free(b);
    free(c);
    free(d);
}

Test(swarm, generator_uses_every_fault_action)
{
    bool seen[N_ACTIONS] = {false};
    bool duration = false;
    for (int i = 0; i < 200; i++) {
        char *s = gen_scenario(SWARM_DEFAULT_SEED, i);
        cJSON *o = cJSON_Parse(s);
        const cJSON *f = NULL;
        cJSON_ArrayForEach(f, cJSON_GetObjectItem(o, "faults")) {
            const char *a = jstr(f, "action");
            for (size_t k = 0; a && k < N_ACTIONS; k++)
                seen[k] = seen[k] || strcmp(a, ACTIONS[k]) == 0;
            duration = duration || cJSON_GetObjectItem(f, "duration_ms");
        }
        cJSON_Delete(o);
        free(s);
    }
    for (size_t k = 0; k < N_ACTIONS; k++)
        cr_expect(seen[k], "action %s never generated", ACTIONS[k]);
    cr_expect(duration);
}

static bool check_text(const char *s, char *err, size_t errlen)
{
    cgt_text_t t = {(char *)s, strlen(s)};
    return check_trace(&t, err, errlen);
}

#define L_RUN "{\"t\":0,\"type\":\"run_start\",\"scenario\":\"x\",\"seed\":1,\"version\":\"0\"}\n"
#define L_REB(kind, gen) "{\"t\":0,\"type\":\"rebalance_" kind "\",\"group\":\"g\",\"generation\":" \
                         #gen "}\n"
#define L_START L_RUN L_REB("start", 1) L_REB("end", 1)
#define L_END "{\"t\":9,\"type\":\"run_end\",\"events\":1,\"records_produced\":0," \
              "\"records_consumed\":0,\"duplicates\":0}\n"
#define L_ASSIGN(t, m, p) "{\"t\":" #t ",\"type\":\"assignment\",\"group\":\"g\",\"generation\":1," \
                          "\"member\":\"" m "\",\"partitions\":[[\"a\"," #p "]]}\n"

Test(swarm, checker_catches_each_violation)
{
    char err[SWARM_MSG_LEN];
    cr_assert(check_text(L_START L_ASSIGN(1, "c1", 0) L_ASSIGN(2, "c2", 1) L_END, err,
                         sizeof err), "%s", err);
    cr_assert_not(check_text(L_START L_ASSIGN(1, "c1", 0) L_ASSIGN(2, "c2", 0) L_END, err,
                             sizeof err));
    cr_assert_not_null(strstr(err, "two owners"), "%s", err);
    /* a revoke, a later assignment without it, or member_leave ends ownership */
    cr_assert(check_text(L_START L_ASSIGN(1, "c1", 0)
                         "{\"t\":2,\"type\":\"revoke\",\"group\":\"g\",\"member\":\"c1\","
                         "\"partitions\":[[\"a\",0]]}\n" L_ASSIGN(3, "c2", 0) L_END,
                         err, sizeof err), "%s", err);
    cr_assert(check_text(L_START L_ASSIGN(1, "c1", 0) L_ASSIGN(2, "c1", 1) L_ASSIGN(3, "c2", 0)
                         L_END, err, sizeof err), "%s", err);
    cr_assert(check_text(L_START L_ASSIGN(1, "c1", 0)
                         "{\"t\":2,\"type\":\"member_leave\",\"group\":\"g\",\"member\":\"c1\","
                         "\"reason\":\"leave\"}\n" L_ASSIGN(3, "c2", 0) L_END,
                         err, sizeof err), "%s", err);
    cr_assert_not(check_text(L_START L_ASSIGN(5, "c1", 0) L_ASSIGN(4, "c1", 0) L_END, err,
                             sizeof err));
    cr_assert_not_null(strstr(err, "time goes back"), "%s", err);
    cr_assert_not(check_text(L_START L_ASSIGN(1, "c1", 0), err, sizeof err));
    cr_assert_not_null(strstr(err, "no run_end"), "%s", err);
#define L_COMMIT(off) "{\"t\":3,\"type\":\"commit\",\"group\":\"g\",\"member\":\"c1\"," \
    "\"topic\":\"a\",\"partition\":0,\"offset\":" #off ",\"generation\":1,\"ok\":true," \
    "\"end_offset\":50}\n"
    cr_assert_not(check_text(L_START L_COMMIT(10) L_COMMIT(9) L_END, err, sizeof err));
    cr_assert_not_null(strstr(err, "goes back"), "%s", err);
    cr_assert_not(check_text(L_START L_ASSIGN(1, "c1", 0)
                             "{\"t\":2,\"type\":\"zombie\",\"group\":\"g\",\"member\":\"c1\","
                             "\"topic\":\"a\",\"partition\":0,\"records\":3}\n" L_END,
                             err, sizeof err));
    cr_assert_not(check_text(L_START "{\"t\":2,\"type\":\"duplicate\",\"group\":\"g\","
                             "\"member\":\"c1\",\"topic\":\"a\",\"partition\":0,\"records\":3,"
                             "\"from_offset\":0}\n" L_END, err, sizeof err));
    cr_assert_not_null(strstr(err, "duplicates"), "%s", err);
    /* generations: a failover may restart a lost generation; nothing goes back or skips its end */
    cr_assert(check_text(L_START L_REB("start", 2) L_REB("start", 2) L_REB("end", 2)
                         L_REB("start", 4) L_REB("end", 4) L_END, err, sizeof err), "%s", err);
    cr_assert_not(check_text(L_START L_REB("start", 1) L_END, err, sizeof err));
    cr_assert_not_null(strstr(err, "rebalance_start of generation 1"), "%s", err);
    cr_assert_not(check_text(L_START L_REB("start", 3) L_REB("end", 2) L_END, err, sizeof err));
    cr_assert_not(check_text(L_RUN L_REB("start", 1) L_ASSIGN(1, "c1", 0) L_END, err,
                             sizeof err));
    cr_assert_not_null(strstr(err, "before its rebalance_end"), "%s", err);
    /* KIP-848 groups (rebalance_start with "protocol": "consumer"): member epochs are assigned
     * before the rebalance ends at a later group epoch; the group epoch still never goes back. */
#define L_K848(kind, gen) "{\"t\":0,\"type\":\"rebalance_" kind "\",\"group\":\"g\"," \
                          "\"generation\":" #gen ",\"reason\":\"member_join\"," \
                          "\"protocol\":\"consumer\"}\n"
    cr_assert(check_text(L_RUN L_K848("start", 1) L_ASSIGN(0, "c1", 0) L_REB("end", 3)
                         L_K848("start", 4) L_REB("end", 4) L_END, err, sizeof err), "%s", err);
    cr_assert_not(check_text(L_RUN L_K848("start", 2) L_REB("end", 3) L_K848("start", 3) L_END,
                             err, sizeof err));
    cr_assert_not_null(strstr(err, "group epoch"), "%s", err);
}
