/* models/trace_rec: one writer per trace record type of design.md, fields in the fixed order of
 * world.md. Owns: the record layouts. Does not own: when records are written (the callers),
 *       ownership bookkeeping (models/ownership).
 * Invariant: every record is written at the engine's current time, so times never go back. */
#ifndef CG_TRACE_REC_H
#define CG_TRACE_REC_H

#include "models/world/world_impl.h"

void cg_rec_run_start(struct cg_world *w);
void cg_rec_run_end(struct cg_world *w, int64_t produced);
void cg_rec_run_aborted(struct cg_world *w, const char *reason, const char *message);
void cg_rec_member_join(struct cg_world *w, const cg_group_t *g, int32_t consumer,
                        const char *member_id, const char *replaced);
/* member_id: the member id that left (a consumer's lingering id after a restart is not the
 * one of its current process) */
void cg_rec_member_leave(struct cg_world *w, const cg_group_t *g, int32_t consumer,
                         const char *member_id, cg_reason_t reason);
/* protocol: NULL for classic groups (omitted), "consumer" for KIP-848 groups, whose
 * generations are group epochs. */
void cg_rec_rebalance_start(struct cg_world *w, const cg_group_t *g, int32_t generation,
                            cg_reason_t reason, const char *protocol);
void cg_rec_rebalance_end(struct cg_world *w, const cg_group_t *g, int32_t generation,
                          int64_t duration_ns, int64_t members, int64_t moved);
void cg_rec_assignment(struct cg_world *w, const cg_group_t *g, int32_t generation,
                       int32_t consumer, const int32_t *gp, uint32_t n);
void cg_rec_revoke(struct cg_world *w, const cg_group_t *g, int32_t consumer, const int32_t *gp,
                   uint32_t n);
void cg_rec_commit(struct cg_world *w, const cg_group_t *g, int32_t consumer, int32_t gp,
                   int64_t offset, int32_t generation, bool ok, int64_t end_offset,
                   cg_err_t err);
/* topics: a restart's or join's new subscription; change: the fault whose "config" the new
 * processes take (its partition.assignment.strategy and group.protocol; NULL: none). */
void cg_rec_fault(struct cg_world *w, const char *action, const char *target, bool applied,
                  double factor, int64_t duration_ns, const int32_t *topics, size_t n_topics,
                  const cg_fault_cfg_t *change);
/* fault {action add_partitions, target topic, applied, count, partitions}: `count` partitions
 * were added, `partitions` is the topic's count from now on (the new ones are its last). */
void cg_rec_add_partitions(struct cg_world *w, const char *topic, int32_t count,
                           int32_t partitions);
/* --trace-level debug: one record per poll() that fetched: records returned, partitions they
 * came from, when the response reached the client and how long processing takes. */
void cg_rec_poll(struct cg_world *w, const cg_client_t *c);
/* lag {group, partitions, committed_partitions, committed, committed_max, position_partitions,
 * position, position_max}: one per group per lag sample (models/lagsample). */
void cg_rec_lag(struct cg_world *w, const cg_group_t *g, int64_t partitions, int64_t committed_n,
                int64_t committed, int64_t committed_max, int64_t position_n, int64_t position,
                int64_t position_max);
/* --trace-level debug: lag_sample {group, topic, partition, end, committed, position} per
 * subscribed partition per lag sample (-1: none). */
void cg_rec_lag_sample(struct cg_world *w, const cg_group_t *g, int32_t gp, int64_t end,
                       int64_t committed, int64_t position);
/* latency {group, records, max_ms, buckets: [[bucket, count], ...]}: the records first processed
 * since the group's previous latency record, by sim/loghist bucket of microseconds (non-empty
 * buckets, ascending). */
void cg_rec_latency(struct cg_world *w, const cg_group_t *g, int64_t records, int64_t max_ns,
                    const int64_t *counts);
/* One decision of a group's autoscaler (models/autoscale), the `autoscale` record. */
typedef struct cg_rec_autoscale {
    const char *by;                   /* "keda" (its polling loop) or "hpa" (its sync) */
    int64_t partitions;               /* partitions the scaler read */
    int64_t with_lag;                 /* of those, with a lag > 0 */
    int64_t lag;                      /* total lag before the cap */
    int64_t metric;                   /* the value the HPA reads (after the cap) */
    int active;                       /* keda: the activity test (0/1), -1 not written */
    int32_t current;                  /* replicas before the decision */
    int32_t proposal;                 /* hpa: the metric's replicas, INT32_MIN not written */
    int32_t desired;                  /* replicas after it */
    const char *reason;               /* why (Kubernetes' or KEDA's wording) */
    const int32_t *added;             /* consumers (global) whose pods this decision created */
    uint32_t n_added;
    const int32_t *removed;           /* consumers whose pods it deleted */
    uint32_t n_removed;
} cg_rec_autoscale_t;
/* autoscale {group, by, partitions, partitions_with_lag, lag, metric, [active], current,
 * [proposal], desired, action: up|down|none, reason, [added], [removed]}. */
void cg_rec_autoscale(struct cg_world *w, const cg_group_t *g, const cg_rec_autoscale_t *r);
/* topic {name, partitions, replicas: [[rack, ...], ...]}: the replica racks of each partition
 * the topic will ever have (added ones included), leader first, each rack once. */
void cg_rec_topic(struct cg_world *w, int32_t topic);
/* fetch {group, member, partitions: [[topic, p, records], ...]}: records the consumer fetched
 * per partition since its previous fetch record (models/world/racks). */
void cg_rec_fetch(struct cg_world *w, const cg_group_t *g, int32_t consumer, const int32_t *gp,
                  const int64_t *n, uint32_t len);
void cg_rec_zombie(struct cg_world *w, const cg_group_t *g, int32_t consumer, int32_t gp,
                   int64_t records);
void cg_rec_duplicate(struct cg_world *w, const cg_group_t *g, int32_t consumer, int32_t gp,
                      int64_t records, int64_t from_offset);
/* error {group, member, error[, topic, partition]}; gp < 0 omits the partition. */
/* The group changed type (KIP-848 online migration): members carried over, at `generation`
 * (the classic generation = the group epoch). */
void cg_rec_group_converted(struct cg_world *w, const cg_group_t *g, const char *from,
                            const char *to, int32_t generation, int64_t members, cg_reason_t why);
void cg_rec_error(struct cg_world *w, const cg_group_t *g, int32_t consumer, const char *error,
                  int32_t gp);

#endif
