/* models/trace_rec: the trace records of a run, each written field by field through sim/trace
 * in the order design.md and world.md give. Times come from the engine clock only. With the
 * `check` option the time of each record is compared with the previous one (time never goes
 * back). Partition lists are written in global-index order, which is (topic name, partition)
 * order because topics are sorted by name. */
#include "models/world/trace_rec.h"

#include "models/world/balance.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

/* The time of a record about to be written, checked against the previous one's. */
static int64_t rec_time(struct cg_world *w, const char *type)
{
    int64_t now = sim_now(&w->sim);
    if (w->opts.check && now < w->last_rec_ns)
        cg_world_fail(w, "t=%lld ms: record %s written before the previous record (t=%lld ms)",
                      (long long)(now / SIM_NS_PER_MS), type,
                      (long long)(w->last_rec_ns / SIM_NS_PER_MS));
    w->last_rec_ns = now;
    return now;
}

static sim_trace_t *rec_begin(struct cg_world *w, const char *type)
{
    sim_trace_begin(w->tr, rec_time(w, type), type);
    return w->tr;
}

static const char *consumer_id(const struct cg_world *w, int32_t consumer)
{
    return w->s->consumers[consumer].id;
}

static void put_tp_fields(struct cg_world *w, int32_t gp)
{
    int32_t t = w->gp_topic[gp];
    sim_trace_str(w->tr, "topic", w->s->topics[t].name);
    sim_trace_int(w->tr, "partition", gp - w->topic_base[t]);
}

void cg_rec_run_start(struct cg_world *w)
{
    sim_trace_t *tr = rec_begin(w, "run_start");
    sim_trace_str(tr, "scenario", w->s->name);
    sim_trace_uint(tr, "seed", w->opts.seed);
    sim_trace_str(tr, "version", CGSIM_VERSION);
    sim_trace_end(tr);
}

void cg_rec_run_end(struct cg_world *w, int64_t produced)
{
    sim_trace_t *tr = rec_begin(w, "run_end");
    sim_trace_int(tr, "events", (int64_t)cg_world_events(w));
    sim_trace_int(tr, "records_produced", produced);
    sim_trace_int(tr, "records_consumed", w->records_consumed);
    sim_trace_int(tr, "duplicates", w->duplicates);
    sim_trace_end(tr);
}

void cg_rec_run_aborted(struct cg_world *w, const char *reason, const char *message)
{
    sim_trace_t *tr = rec_begin(w, "run_aborted");
    sim_trace_str(tr, "reason", reason);
    sim_trace_str(tr, "message", message);
    sim_trace_end(tr);
}

void cg_rec_member_join(struct cg_world *w, const cg_group_t *g, int32_t consumer,
                        const char *member_id, const char *replaced)
{
    /* balance follows the records, as analysis/ does (models/balance) */
    cg_bal_note(&w->groups[g->gi], CG_BAL_JOIN, consumer);
    sim_trace_t *tr = rec_begin(w, "member_join");
    sim_trace_str(tr, "group", g->cfg->id);
    sim_trace_str(tr, "member", consumer_id(w, consumer));
    sim_trace_str(tr, "member_id", member_id);
    if (replaced)
        sim_trace_str(tr, "replaced", replaced);
    const char *rack = w->s->consumers[consumer].cfg.client_rack;
    if (rack && rack[0])
        sim_trace_str(tr, "rack", rack);      /* client.rack, for the cross-rack figure */
    sim_trace_end(tr);
}

void cg_rec_member_leave(struct cg_world *w, const cg_group_t *g, int32_t consumer,
                         const char *member_id, cg_reason_t reason)
{
    /* balance follows the records, as analysis/ does (models/balance) */
    cg_bal_note(&w->groups[g->gi], CG_BAL_LEAVE, consumer);
    sim_trace_t *tr = rec_begin(w, "member_leave");
    sim_trace_str(tr, "group", g->cfg->id);
    sim_trace_str(tr, "member", consumer_id(w, consumer));
    sim_trace_str(tr, "member_id", member_id);
    sim_trace_str(tr, "reason", cg_reason_name(reason));
    sim_trace_end(tr);
}

void cg_rec_rebalance_start(struct cg_world *w, const cg_group_t *g, int32_t generation,
                            cg_reason_t reason, const char *protocol)
{
    /* balance follows the records, as analysis/ does (models/balance) */
    cg_bal_note(&w->groups[g->gi], CG_BAL_REBALANCE_START, -1);
    sim_trace_t *tr = rec_begin(w, "rebalance_start");
    sim_trace_str(tr, "group", g->cfg->id);
    sim_trace_int(tr, "generation", generation);
    sim_trace_str(tr, "reason", cg_reason_name(reason));
    if (protocol)
        sim_trace_str(tr, "protocol", protocol);
    sim_trace_end(tr);
}

void cg_rec_rebalance_end(struct cg_world *w, const cg_group_t *g, int32_t generation,
                          int64_t duration_ns, int64_t members, int64_t moved)
{
    /* balance follows the records, as analysis/ does (models/balance) */
    cg_bal_note(&w->groups[g->gi], CG_BAL_REBALANCE_END, -1);
    sim_trace_t *tr = rec_begin(w, "rebalance_end");
    sim_trace_str(tr, "group", g->cfg->id);
    sim_trace_int(tr, "generation", generation);
    sim_trace_ms(tr, "duration_ms", duration_ns);
    sim_trace_int(tr, "members", members);
    sim_trace_int(tr, "moved", moved);
    if (g->reb_assignor)
        sim_trace_str(tr, "assignor", g->reb_assignor);
    sim_trace_end(tr);
}

/* Assignment and revoke records, a thousand at each eager rebalance of a large group, travel as
 * one struct too (sim_trace_record) when their partition list is short enough: the topic of each
 * as an index into the scenario's topics (which outlive the trace). A longer list's struct is
 * built on the heap and written at once, field by field, by the same function. */
typedef struct rec_list {
    int64_t t_ns;
    const char *type, *group, *member;
    const cg_topic_cfg_t *topics;     /* the scenario's */
    int64_t generation;               /* written when has_generation */
    int64_t has_generation;
    int64_t n;
    int32_t tp[][2];                  /* n pairs: topic index, partition */
} rec_list_t;

typedef union rec_list_buf {
    rec_list_t r;
    max_align_t align;
    unsigned char bytes[SIM_TRACE_RECORD_MAX];
} rec_list_buf_t;

#define REC_LIST_MAX ((SIM_TRACE_RECORD_MAX - sizeof(rec_list_t)) / sizeof(int32_t[2]))

static void put_list_record(sim_trace_t *tr, const void *payload)
{
    const rec_list_t *r = payload;
    sim_trace_begin(tr, r->t_ns, r->type);
    sim_trace_str(tr, "group", r->group);
    if (r->has_generation)
        sim_trace_int(tr, "generation", r->generation);
    sim_trace_str(tr, "member", r->member);
    sim_trace_array_begin(tr, "partitions");
    for (int64_t i = 0; i < r->n; i++) {
        sim_trace_array_begin(tr, NULL);
        sim_trace_str(tr, NULL, r->topics[r->tp[i][0]].name);
        sim_trace_int(tr, NULL, r->tp[i][1]);
        sim_trace_array_end(tr);
    }
    sim_trace_array_end(tr);
    sim_trace_end(tr);
}

static void rec_list(struct cg_world *w, const char *type, const cg_group_t *g,
                     const int32_t *generation, int32_t consumer, const int32_t *gp, uint32_t n)
{
    rec_list_buf_t buf;
    rec_list_t *r = n <= REC_LIST_MAX ? &buf.r : malloc(sizeof *r + n * sizeof r->tp[0]);
    if (!r) {
        cg_world_fail(w, "out of memory");
        return;
    }
    *r = (rec_list_t){rec_time(w, type), type, g->cfg->id, consumer_id(w, consumer),
                      w->s->topics, generation ? *generation : 0, generation != NULL, n};
    for (uint32_t i = 0; i < n; i++) {
        int32_t t = w->gp_topic[gp[i]];
        r->tp[i][0] = t;
        r->tp[i][1] = (int32_t)(gp[i] - w->topic_base[t]);
    }
    if (r == &buf.r) {
        sim_trace_record(w->tr, put_list_record, r, sizeof *r + n * sizeof r->tp[0]);
    } else {
        put_list_record(w->tr, r);   /* too long to travel whole */
        free(r);
    }
}

void cg_rec_assignment(struct cg_world *w, const cg_group_t *g, int32_t generation,
                       int32_t consumer, const int32_t *gp, uint32_t n)
{
    /* balance follows the records, as analysis/ does (models/balance) */
    cg_bal_note(&w->groups[g->gi], CG_BAL_ASSIGN, consumer);
    rec_list(w, "assignment", g, &generation, consumer, gp, n);
}

void cg_rec_revoke(struct cg_world *w, const cg_group_t *g, int32_t consumer, const int32_t *gp,
                   uint32_t n)
{
    /* balance follows the records, as analysis/ does (models/balance) */
    cg_bal_note(&w->groups[g->gi], CG_BAL_REVOKE, consumer);
    rec_list(w, "revoke", g, NULL, consumer, gp, n);
}

/* The commit record, three in four of a run's records, is written through sim_trace_record:
 * its fields travel as one struct (strings are the scenario's and static names, which outlive
 * the trace). No padding, so no byte of it is left uninitialised. */
typedef struct rec_commit {
    int64_t t_ns;
    const char *group, *member, *topic, *error;   /* error: written when !ok */
    int64_t partition, offset, generation, ok, end_offset;
} rec_commit_t;

static void put_commit(sim_trace_t *tr, const void *payload)
{
    const rec_commit_t *r = payload;
    sim_trace_begin(tr, r->t_ns, "commit");
    sim_trace_str(tr, "group", r->group);
    sim_trace_str(tr, "member", r->member);
    sim_trace_str(tr, "topic", r->topic);
    sim_trace_int(tr, "partition", r->partition);
    sim_trace_int(tr, "offset", r->offset);
    sim_trace_int(tr, "generation", r->generation);
    sim_trace_bool(tr, "ok", r->ok);
    sim_trace_int(tr, "end_offset", r->end_offset);
    if (!r->ok)
        sim_trace_str(tr, "error", r->error);
    sim_trace_end(tr);
}

void cg_rec_commit(struct cg_world *w, const cg_group_t *g, int32_t consumer, int32_t gp,
                   int64_t offset, int32_t generation, bool ok, int64_t end_offset,
                   cg_err_t err)
{
    int32_t t = w->gp_topic[gp];
    rec_commit_t r = {rec_time(w, "commit"), g->cfg->id, consumer_id(w, consumer),
                      w->s->topics[t].name, ok ? NULL : cg_err_name(err), gp - w->topic_base[t],
                      offset, generation, ok, end_offset};
    sim_trace_record(w->tr, put_commit, &r, sizeof r);
}

void cg_rec_fault(struct cg_world *w, const char *action, const char *target, bool applied,
                  double factor, int64_t duration_ns, const int32_t *topics, size_t n_topics,
                  const cg_fault_cfg_t *change)
{
    sim_trace_t *tr = rec_begin(w, "fault");
    sim_trace_str(tr, "action", action);
    sim_trace_str(tr, "target", target);
    sim_trace_bool(tr, "applied", applied);
    if (factor > 0)
        sim_trace_num(tr, "factor", factor);
    if (duration_ns >= 0)
        sim_trace_ms(tr, "duration_ms", duration_ns);
    if (topics) {
        sim_trace_array_begin(tr, "topics");
        for (size_t i = 0; i < n_topics; i++)
            sim_trace_str(tr, NULL, w->s->topics[topics[i]].name);
        sim_trace_array_end(tr);
    }
    if (change && change->strategy) {
        sim_trace_array_begin(tr, "partition.assignment.strategy");
        for (size_t i = 0; i < change->n_strategy; i++)
            sim_trace_str(tr, NULL, change->strategy[i]->name);
        sim_trace_array_end(tr);
    }
    if (change && change->set_protocol)
        sim_trace_str(tr, "group.protocol",
                      change->protocol == CG_PROTOCOL_CONSUMER ? "consumer" : "classic");
    sim_trace_end(tr);
}

void cg_rec_add_partitions(struct cg_world *w, const char *topic, int32_t count,
                           int32_t partitions)
{
    sim_trace_t *tr = rec_begin(w, "fault");
    sim_trace_str(tr, "action", "add_partitions");
    sim_trace_str(tr, "target", topic);
    sim_trace_bool(tr, "applied", true);
    sim_trace_int(tr, "count", count);
    sim_trace_int(tr, "partitions", partitions);
    sim_trace_end(tr);
}

void cg_rec_poll(struct cg_world *w, const cg_client_t *c)
{
    sim_trace_t *tr = rec_begin(w, "poll");
    sim_trace_str(tr, "group", c->g->cfg->id);
    sim_trace_str(tr, "member", consumer_id(w, c->ci));
    int64_t records = 0;
    for (uint32_t i = 0; i < c->n_chunks; i++)
        records += c->chunks[i].n;
    sim_trace_int(tr, "records", records);
    sim_trace_int(tr, "partitions", c->n_chunks);
    sim_trace_ms(tr, "returned_ms", c->batch_ret_ns);
    sim_trace_ms(tr, "processing_ms", c->batch_end_ns - c->batch_ret_ns);
    sim_trace_end(tr);
}

void cg_rec_zombie(struct cg_world *w, const cg_group_t *g, int32_t consumer, int32_t gp,
                   int64_t records)
{
    sim_trace_t *tr = rec_begin(w, "zombie");
    sim_trace_str(tr, "group", g->cfg->id);
    sim_trace_str(tr, "member", consumer_id(w, consumer));
    put_tp_fields(w, gp);
    sim_trace_int(tr, "records", records);
    sim_trace_end(tr);
}

void cg_rec_duplicate(struct cg_world *w, const cg_group_t *g, int32_t consumer, int32_t gp,
                      int64_t records, int64_t from_offset)
{
    sim_trace_t *tr = rec_begin(w, "duplicate");
    sim_trace_str(tr, "group", g->cfg->id);
    sim_trace_str(tr, "member", consumer_id(w, consumer));
    put_tp_fields(w, gp);
    sim_trace_int(tr, "records", records);
    sim_trace_int(tr, "from_offset", from_offset);
    sim_trace_end(tr);
}

void cg_rec_group_converted(struct cg_world *w, const cg_group_t *g, const char *from,
                            const char *to, int32_t generation, int64_t members, cg_reason_t why)
{
    sim_trace_t *tr = rec_begin(w, "group_converted");
    sim_trace_str(tr, "group", g->cfg->id);
    sim_trace_str(tr, "from", from);
    sim_trace_str(tr, "to", to);
    sim_trace_int(tr, "generation", generation);
    sim_trace_int(tr, "members", members);
    sim_trace_str(tr, "reason", cg_reason_name(why));
    sim_trace_end(tr);
}

void cg_rec_error(struct cg_world *w, const cg_group_t *g, int32_t consumer, const char *error,
                  int32_t gp)
{
    sim_trace_t *tr = rec_begin(w, "error");
    sim_trace_str(tr, "group", g->cfg->id);
    sim_trace_str(tr, "member", consumer_id(w, consumer));
    sim_trace_str(tr, "error", error);
    if (gp >= 0)
        put_tp_fields(w, gp);
    sim_trace_end(tr);
}

void cg_rec_lag(struct cg_world *w, const cg_group_t *g, int64_t partitions, int64_t committed_n,
                int64_t committed, int64_t committed_max, int64_t position_n, int64_t position,
                int64_t position_max)
{
    sim_trace_t *tr = rec_begin(w, "lag");
    sim_trace_str(tr, "group", g->cfg->id);
    sim_trace_int(tr, "partitions", partitions);
    sim_trace_int(tr, "committed_partitions", committed_n);
    sim_trace_int(tr, "committed", committed);
    sim_trace_int(tr, "committed_max", committed_max);
    sim_trace_int(tr, "position_partitions", position_n);
    sim_trace_int(tr, "position", position);
    sim_trace_int(tr, "position_max", position_max);
    sim_trace_end(tr);
}

static void put_members(struct cg_world *w, const char *key, const int32_t *ci, uint32_t n)
{
    if (n == 0)
        return;
    sim_trace_array_begin(w->tr, key);
    for (uint32_t i = 0; i < n; i++)
        sim_trace_str(w->tr, NULL, consumer_id(w, ci[i]));
    sim_trace_array_end(w->tr);
}

void cg_rec_autoscale(struct cg_world *w, const cg_group_t *g, const cg_rec_autoscale_t *r)
{
    sim_trace_t *tr = rec_begin(w, "autoscale");
    sim_trace_str(tr, "group", g->cfg->id);
    sim_trace_str(tr, "by", r->by);
    sim_trace_int(tr, "partitions", r->partitions);
    sim_trace_int(tr, "partitions_with_lag", r->with_lag);
    sim_trace_int(tr, "lag", r->lag);
    sim_trace_int(tr, "metric", r->metric);
    if (r->active >= 0)
        sim_trace_bool(tr, "active", r->active != 0);
    sim_trace_int(tr, "current", r->current);
    if (r->proposal != INT32_MIN)
        sim_trace_int(tr, "proposal", r->proposal);
    sim_trace_int(tr, "desired", r->desired);
    sim_trace_str(tr, "action", r->desired > r->current ? "up"
                                : r->desired < r->current ? "down" : "none");
    sim_trace_str(tr, "reason", r->reason);
    put_members(w, "added", r->added, r->n_added);
    put_members(w, "removed", r->removed, r->n_removed);
    sim_trace_end(tr);
}

void cg_rec_lag_sample(struct cg_world *w, const cg_group_t *g, int32_t gp, int64_t end,
                       int64_t committed, int64_t position)
{
    sim_trace_t *tr = rec_begin(w, "lag_sample");
    sim_trace_str(tr, "group", g->cfg->id);
    put_tp_fields(w, gp);
    sim_trace_int(tr, "end", end);
    sim_trace_int(tr, "committed", committed);
    sim_trace_int(tr, "position", position);
    sim_trace_end(tr);
}

void cg_rec_latency(struct cg_world *w, const cg_group_t *g, int64_t records, int64_t max_ns,
                    const int64_t *counts)
{
    sim_trace_t *tr = rec_begin(w, "latency");
    sim_trace_str(tr, "group", g->cfg->id);
    sim_trace_int(tr, "records", records);
    sim_trace_ms(tr, "max_ms", max_ns);
    sim_trace_array_begin(tr, "buckets");
    for (int b = 0; b < SIM_LOGHIST_BUCKETS; b++) {
        if (!counts[b])
            continue;
        sim_trace_array_begin(tr, NULL);
        sim_trace_int(tr, NULL, b);
        sim_trace_int(tr, NULL, counts[b]);
        sim_trace_array_end(tr);
    }
    sim_trace_array_end(tr);
    sim_trace_end(tr);
}

void cg_rec_topic(struct cg_world *w, int32_t topic)
{
    const cg_topic_cfg_t *t = &w->s->topics[topic];
    sim_trace_t *tr = rec_begin(w, "topic");
    sim_trace_str(tr, "name", t->name);
    sim_trace_int(tr, "partitions", t->partitions);
    sim_trace_array_begin(tr, "replicas");
    for (int32_t p = 0; p < t->max_partitions; p++) {
        sim_trace_array_begin(tr, NULL);
        sim_trace_str(tr, NULL, w->s->rack_names[t->leader_rack[p]]);
        for (uint64_t r = t->replica_racks[p]; r; r &= r - 1)
            if (__builtin_ctzll(r) != t->leader_rack[p])
                sim_trace_str(tr, NULL, w->s->rack_names[__builtin_ctzll(r)]);
        sim_trace_array_end(tr);
    }
    sim_trace_array_end(tr);
    sim_trace_end(tr);
}

void cg_rec_fetch(struct cg_world *w, const cg_group_t *g, int32_t consumer, const int32_t *gp,
                  const int64_t *n, uint32_t len)
{
    sim_trace_t *tr = rec_begin(w, "fetch");
    sim_trace_str(tr, "group", g->cfg->id);
    sim_trace_str(tr, "member", consumer_id(w, consumer));
    if (g->cfg->broker.rack_aware_selector)
        sim_trace_str(tr, "from", "rack");   /* KIP-392: a replica on the member's rack */
    sim_trace_array_begin(tr, "partitions");
    for (uint32_t i = 0; i < len; i++) {
        int32_t t = w->gp_topic[gp[i]];
        sim_trace_array_begin(tr, NULL);
        sim_trace_str(tr, NULL, w->s->topics[t].name);
        sim_trace_int(tr, NULL, gp[i] - w->topic_base[t]);
        sim_trace_int(tr, NULL, n[i]);
        sim_trace_array_end(tr);
    }
    sim_trace_array_end(tr);
    sim_trace_end(tr);
}
