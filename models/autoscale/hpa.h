/* models/autoscale/hpa: a Kubernetes HorizontalPodAutoscaler with one External AverageValue
 * metric (KEDA's), as reconcileAutoscaler and replica_calculator.go compute it
 * (kafka-operations.md 1.5): the gates, the tolerance, and either the nil-behavior
 * normalization (KEDA's default) or the behavior one (stabilization windows, rate policies).
 * Owns: the recommendation history and the scale events of one HPA.
 * Does not own: the metric (models/autoscale/keda) or the pods it asks for (autoscale.c).
 * Invariant: a pure function of its configuration and of the (time, replicas, metric) calls
 *            made to it; times passed to it never go back. */
#ifndef CG_HPA_H
#define CG_HPA_H

#include <stdbool.h>
#include <stdint.h>
#include "models/scenario/scenario.h"

typedef struct cg_hpa_event {
    int64_t t_ns;                     /* when */
    int32_t value;                    /* a recommendation, or replicas added / removed */
} cg_hpa_event_t;

typedef struct cg_hpa_log {
    cg_hpa_event_t *v;                /* oldest first */
    uint32_t n, cap;
} cg_hpa_log_t;

typedef struct cg_hpa {
    const cg_autoscaler_cfg_t *cfg;   /* windows, policies, tolerances, replica bounds */
    int32_t min_replicas;             /* max(minReplicaCount, 1) (KEDA's GetHPAMinReplicas) */
    int32_t max_replicas;             /* maxReplicaCount */
    cg_hpa_log_t recs;                /* unstabilized recommendations */
    cg_hpa_log_t ups, downs;          /* scale events (behavior rate limits) */
} cg_hpa_t;

#define CG_HPA_NO_PROPOSAL INT32_MIN

typedef struct cg_hpa_decision {
    int32_t current;                  /* the target's replicas when read */
    int32_t proposal;                 /* the metric's replicas (tolerance applied), or
                                         CG_HPA_NO_PROPOSAL when a gate decided */
    int32_t desired;                  /* after normalization: what the HPA sets */
    const char *reason;               /* why `desired` (Kubernetes' condition reasons) */
} cg_hpa_decision_t;

void cg_hpa_init(cg_hpa_t *h, const cg_autoscaler_cfg_t *cfg);
void cg_hpa_fini(cg_hpa_t *h);
/* ceil(metric / target) of the External AverageValue metric (metric may be negative). */
int64_t cg_hpa_ceil_div(int64_t metric, int64_t target);
/* One reconcile at now_ns with `current` replicas and the metric's value (total lag against
 * the per-replica target lagThreshold). Fills d; 0, or -1 out of memory. */
int cg_hpa_reconcile(cg_hpa_t *h, int64_t now_ns, int32_t current, int64_t metric,
                     cg_hpa_decision_t *d);

#endif
