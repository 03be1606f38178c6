/* models/autoscale: lag-driven autoscaling of consumer groups: per group with an `autoscalers`
 * entry, KEDA's polling loop with the Kafka scaler and the Kubernetes HPA it feeds
 * (kafka-operations.md section 1), acting on the group's consumers as pods.
 * Owns: the pods of each autoscaled group (which consumers are deployed), the KEDA and HPA
 *       timers, their state and the `autoscale` records.
 * Does not own: the consumers' processes (started and closed through models/faults as `join`
 *       and `leave`), the committed offsets (the trace's, models/ownership) or the log ends.
 * Invariant: replicas == the number of the group's consumers marked as pods; every decision is
 *            an `autoscale` record written before the pod changes it causes. */
#ifndef CG_AUTOSCALE_H
#define CG_AUTOSCALE_H

#include "models/world/world_impl.h"

struct cg_autoscalers;

/* Build the scenario's autoscalers and schedule their first KEDA poll and HPA sync.
 * 0, or -1 with a message (out of memory). */
int cg_autoscale_start(struct cg_world *w, struct cg_autoscalers **out, char *err,
                       size_t errlen);
void cg_autoscale_free(struct cg_autoscalers *a);

#endif
