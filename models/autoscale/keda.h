/* models/autoscale/keda: the metric of KEDA's Kafka scaler (kafka_scaler.go getLagForPartition,
 * getTotalLag; kafka-operations.md 1.2-1.3): per-partition lag from the committed offset and
 * the log end, the totals, the partition cap and the activity test.
 * Owns: the arithmetic. Does not own: where offsets come from (models/autoscale/autoscale.c
 *       reads the broker's view) or the excludePersistentLag memory (the caller's, per partition).
 * Invariant: a pure function of its inputs; reproduces KEDA's integer arithmetic, off-by-one
 *            of the cap included. */
#ifndef CG_KEDA_H
#define CG_KEDA_H

#include <stdbool.h>
#include <stdint.h>
#include "models/scenario/scenario.h"

#define CG_KEDA_NO_OFFSET (-1)        /* no committed offset (OffsetFetch's -1) */

typedef struct cg_keda_metric {
    int64_t partitions;               /* P: partitions read */
    int64_t with_lag;                 /* partitions whose lag > 0 */
    int64_t lag;                      /* sum of lag, before the cap */
    int64_t lag_persistent;           /* sum of lagWithPersistent (the activity figure) */
    int64_t metric;                   /* the value the HPA reads: lag after the cap */
    bool active;                      /* lag_persistent > activationLagThreshold */
} cg_keda_metric_t;

/* One partition: committed (or CG_KEDA_NO_OFFSET), latest = the log end offset, *prev = the
 * committed offset the scaler saw last time (CG_KEDA_NO_OFFSET - 1 never; updated here when
 * excludePersistentLag is on). Adds its lag to m. */
void cg_keda_add_partition(const cg_autoscaler_cfg_t *a, cg_keda_metric_t *m, int64_t committed,
                           int64_t latest, int64_t *prev);
/* After every partition: the cap (unless allowIdleConsumers alone) and the activity. */
void cg_keda_finish(const cg_autoscaler_cfg_t *a, cg_keda_metric_t *m);

#endif
