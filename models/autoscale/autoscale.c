/* models/autoscale: KEDA + HPA on a consumer group.
 *
 * Pods. The group's consumers are the pods the scale target can run. At the start the pods
 * are the consumers that start on their own (join_at_ms); the others (join_at_ms null) are the
 * pool. Scaling up marks the lowest-indexed consumers that are neither pods nor running as
 * pods and starts each one's process a draw of `pod_start_ms` later (stream
 * "autoscale/<group>"), with a `join` fault record. Scaling down deletes pods not started yet
 * first, then started ones, highest index first, each closed at once as a `leave` fault (SIGTERM:
 * KafkaConsumer.close(), LeaveGroup for a dynamic member, none for a static one (KIP-345), a
 * leave heartbeat under KIP-848). This is a StatefulSet's order (the highest ordinal goes
 * first); a Deployment's ReplicaSet deletes unready pods first and then the newest, the same
 * order here when only the autoscaler starts members. A pod counts as a replica from its
 * creation (status.replicas counts created pods), ready or not.
 *
 * KEDA (RequestScale every pollingInterval, first one at pollingInterval): reads the metric;
 * active at 0 replicas -> max(minReplicaCount, 1) ("ScaleFromZero"); active otherwise
 * refreshes lastActiveTime; inactive with replicas > 0 and minReplicaCount 0 -> 0 once
 * lastActiveTime (never active: the start + initialCooldownPeriod) + cooldownPeriod < now
 * ("ScaleToZero", else "CooldownPending"); inactive below minReplicaCount -> minReplicaCount.
 * HPA (every sync period, first one at one period): reads the metric on demand (KEDA's default,
 * no metric cache) and reconciles (models/autoscale/hpa).
 *
 * The metric (models/autoscale/keda) is read from the broker's view: each partition's committed
 * offset is the group's last accepted commit (OffsetFetch), its latest offset the log end at
 * that instant (ListOffsets); with a trigger topic, every partition the topic has now; without,
 * every partition of the topics in which the group has a committed offset (KEDA's
 * ListConsumerGroupOffsets then DescribeTopics). Reads take no virtual time. */
#include "models/autoscale/autoscale.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/autoscale/hpa.h"
#include "models/autoscale/keda.h"
#include "models/faults/faults.h"
#include "models/world/trace_rec.h"
#include "sim/time.h"

enum { POD_NONE = 0, POD_PENDING, POD_UP };

typedef struct cg_autoscaler {
    struct cg_world *w;               /* the run */
    cg_group_t *g;                    /* the scale target */
    const cg_autoscaler_cfg_t *cfg;   /* the scenario's entry */
    cg_hpa_t hpa;                     /* its HPA */
    sim_rng_t rng;                    /* "autoscale/<group>": pod start delays */
    uint8_t *pod;                     /* per consumer of the group: POD_* */
    uint32_t *gen;                    /* per consumer: bumped when its pod is deleted, so that a
                                         pending start of the deleted pod does nothing */
    int32_t replicas;                 /* pods */
    int64_t last_active_ns;           /* KEDA's lastActiveTime, -1 never */
    int64_t *prev;                    /* excludePersistentLag: committed offset last seen, per
                                         partition (global index) */
    int32_t *changed;                 /* scratch: consumers (global) a decision adds or removes */
} cg_autoscaler_t;

struct cg_autoscalers {
    cg_autoscaler_t *v;               /* one per scenario entry */
    size_t n;
};

static void read_partition(cg_autoscaler_t *a, cg_keda_metric_t *m, int64_t gp, int64_t now)
{
    int64_t latest = cg_partlog_end_offset(a->w->pl, gp, now);
    cg_keda_add_partition(a->cfg, m, a->g->acked[gp], latest, &a->prev[gp]);
}

static void read_topic(cg_autoscaler_t *a, cg_keda_metric_t *m, int32_t t, int64_t now)
{
    int64_t base = a->w->topic_base[t];
    for (int64_t p = 0; p < a->w->topic_meta[t].partitions; p++)
        read_partition(a, m, base + p, now);
}

static bool has_offsets(const cg_autoscaler_t *a, int32_t t)
{
    int64_t base = a->w->topic_base[t];
    for (int64_t p = 0; p < a->w->topic_meta[t].partitions; p++)
        if (a->g->acked[base + p] >= 0)
            return true;
    return false;
}

static cg_keda_metric_t read_metric(cg_autoscaler_t *a)
{
    cg_keda_metric_t m = {0};
    int64_t now = sim_now(&a->w->sim);
    if (a->cfg->topic >= 0) {
        read_topic(a, &m, a->cfg->topic, now);
    } else {
        for (int32_t t = 0; t < (int32_t)a->w->s->n_topics; t++)
            if (has_offsets(a, t))
                read_topic(a, &m, t, now);
    }
    cg_keda_finish(a->cfg, &m);
    return m;
}

static void on_pod_start(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    cg_autoscaler_t *a = ctx;
    uint32_t i = (uint32_t)(arg >> 32);
    if (a->pod[i] != POD_PENDING || a->gen[i] != (uint32_t)arg)
        return;                       /* deleted before it started */
    a->pod[i] = POD_UP;
    cg_faults_member(a->w, (int32_t)(a->g->cfg->first_consumer + i), CG_FAULT_JOIN, -1, -1);
}

/* Create pods up to `want`; the consumers chosen go to a->changed. */
static uint32_t add_pods(cg_autoscaler_t *a, int32_t want)
{
    uint32_t n = 0;
    int64_t now = sim_now(&a->w->sim);
    for (size_t i = 0; i < a->g->cfg->n_consumers && a->replicas < want; i++) {
        int32_t ci = (int32_t)(a->g->cfg->first_consumer + i);
        if (a->pod[i] != POD_NONE || a->w->clients[ci].running)
            continue;
        a->pod[i] = POD_PENDING;
        a->gen[i]++;
        a->replicas++;
        a->changed[n++] = ci;
        int64_t delay = sim_ms_to_ns(sim_dist_sample(&a->cfg->pod_start_ms, &a->rng));
        sim_schedule(&a->w->sim, now + (delay > 0 ? delay : 0), on_pod_start, a,
                     ((uint64_t)i << 32) | a->gen[i]);
    }
    return n;
}

/* Delete pods down to `want`: not started first, then started, highest index first. */
static uint32_t remove_pods(cg_autoscaler_t *a, int32_t want)
{
    uint32_t n = 0;
    for (int pass = POD_PENDING; pass <= POD_UP; pass++)
        for (size_t i = a->g->cfg->n_consumers; i > 0 && a->replicas > want; i--) {
            if (a->pod[i - 1] != pass)
                continue;
            a->pod[i - 1] = POD_NONE;
            a->gen[i - 1]++;
            a->replicas--;
            a->changed[n++] = (int32_t)(a->g->cfg->first_consumer + i - 1);
        }
    return n;
}

/* Record the decision, then make the pods follow it. */
static void decide(cg_autoscaler_t *a, cg_rec_autoscale_t *r, int32_t desired)
{
    r->current = a->replicas;
    uint32_t n = desired > a->replicas ? add_pods(a, desired) : remove_pods(a, desired);
    r->desired = a->replicas;     /* what the pool allowed */
    if (r->desired > r->current) {
        r->added = a->changed;
        r->n_added = n;
    } else {
        r->removed = a->changed;
        r->n_removed = n;
    }
    cg_rec_autoscale(a->w, a->g, r);
    cg_group_summary_t *s = &a->g->sum;
    s->autoscale_decisions++;
    s->autoscale_ups += r->desired > r->current;
    s->autoscale_downs += r->desired < r->current;
    int32_t top = r->desired > r->current ? r->desired : r->current;
    if (top > s->autoscale_max_replicas)
        s->autoscale_max_replicas = top;
    for (uint32_t k = 0; k < r->n_removed; k++)
        if (a->w->clients[r->removed[k]].running)
            cg_faults_member(a->w, r->removed[k], CG_FAULT_LEAVE, -1, -1);
}

static cg_rec_autoscale_t rec_of(const cg_keda_metric_t *m, const char *by)
{
    return (cg_rec_autoscale_t){.by = by, .partitions = m->partitions, .with_lag = m->with_lag,
                                .lag = m->lag, .metric = m->metric, .active = -1,
                                .proposal = INT32_MIN};
}

/* KEDA's RequestScale: the moves to and from zero, and the activity. */
static int32_t keda_desired(cg_autoscaler_t *a, bool active, int64_t now, const char **why)
{
    const cg_autoscaler_cfg_t *c = a->cfg;
    if (active) {
        a->last_active_ns = now;
        *why = a->replicas == 0 ? "ScaleFromZero" : "Active";
        return a->replicas == 0 ? (c->min_replicas > 0 ? c->min_replicas : 1) : a->replicas;
    }
    if (a->replicas > 0 && c->min_replicas == 0) {
        int64_t since = a->last_active_ns >= 0 ? a->last_active_ns : c->initial_cooldown_ns;
        bool done = since + c->cooldown_ns < now;
        *why = done ? "ScaleToZero" : "CooldownPending";
        return done ? 0 : a->replicas;
    }
    *why = a->replicas < c->min_replicas ? "BelowMinReplicaCount" : "Inactive";
    return a->replicas < c->min_replicas ? c->min_replicas : a->replicas;
}

static void on_keda(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    cg_autoscaler_t *a = ctx;
    int64_t now = sim_now(sim);
    cg_keda_metric_t m = read_metric(a);
    cg_rec_autoscale_t r = rec_of(&m, "keda");
    r.active = m.active;
    decide(a, &r, keda_desired(a, m.active, now, &r.reason));
    sim_schedule(sim, now + a->cfg->polling_ns, on_keda, a, 0);
}

static void on_hpa(sim_t *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    cg_autoscaler_t *a = ctx;
    int64_t now = sim_now(sim);
    cg_keda_metric_t m = read_metric(a);
    cg_hpa_decision_t d;
    if (cg_hpa_reconcile(&a->hpa, now, a->replicas, m.metric, &d) != 0) {
        cg_world_fail(a->w, "out of memory");
        return;
    }
    cg_rec_autoscale_t r = rec_of(&m, "hpa");
    r.proposal = d.proposal;
    r.reason = d.reason;
    decide(a, &r, d.desired);
    sim_schedule(sim, now + a->cfg->sync_ns, on_hpa, a, 0);
}

static int init_one(struct cg_world *w, cg_autoscaler_t *a, const cg_autoscaler_cfg_t *cfg)
{
    char key[CG_MAX_NAME_LEN + 16];
    a->w = w;
    a->cfg = cfg;
    a->g = &w->groups[cfg->group];
    a->last_active_ns = -1;
    size_t nc = a->g->cfg->n_consumers ? a->g->cfg->n_consumers : 1;
    size_t np = w->n_parts ? (size_t)w->n_parts : 1;
    a->pod = calloc(nc, sizeof *a->pod);
    a->gen = calloc(nc, sizeof *a->gen);
    a->changed = calloc(nc, sizeof *a->changed);
    a->prev = malloc(np * sizeof *a->prev);
    snprintf(key, sizeof key, "autoscale/%s", a->g->cfg->id);
    if (!a->pod || !a->gen || !a->changed || !a->prev || sim_rng_init(&a->rng, w->opts.seed, key))
        return -1;
    for (size_t i = 0; i < np; i++)
        a->prev[i] = CG_KEDA_NO_OFFSET - 1;
    for (size_t i = 0; i < a->g->cfg->n_consumers; i++)
        if (w->s->consumers[a->g->cfg->first_consumer + i].starts) {
            a->pod[i] = POD_UP;
            a->replicas++;
        }
    cg_hpa_init(&a->hpa, cfg);
    sim_schedule(&w->sim, cfg->polling_ns, on_keda, a, 0);
    sim_schedule(&w->sim, cfg->sync_ns, on_hpa, a, 0);
    return 0;
}

int cg_autoscale_start(struct cg_world *w, struct cg_autoscalers **out, char *err,
                       size_t errlen)
{
    struct cg_autoscalers *as = calloc(1, sizeof *as);
    *out = as;
    if (as && w->s->n_autoscalers)
        as->v = calloc(w->s->n_autoscalers, sizeof *as->v);
    if (!as || (w->s->n_autoscalers && !as->v)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < w->s->n_autoscalers; i++, as->n++)
        if (init_one(w, &as->v[i], &w->s->autoscalers[i]) != 0) {
            as->n++;
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    return 0;
}

void cg_autoscale_free(struct cg_autoscalers *as)
{
    if (!as)
        return;
    for (size_t i = 0; i < as->n; i++) {
        cg_autoscaler_t *a = &as->v[i];
        cg_hpa_fini(&a->hpa);
        if (a->pod)
            sim_rng_fini(&a->rng);
        free(a->pod);
        free(a->gen);
        free(a->changed);
        free(a->prev);
    }
    free(as->v);
    free(as);
}
