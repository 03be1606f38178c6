/* models/autoscale/keda: KEDA's Kafka scaler metric.
 *
 * Per partition (getLagForPartition):
 *   no committed offset: latest policy -> 1, earliest -> the log end (0 with
 *     scaleToZeroOnInvalidOffset);
 *   excludePersistentLag: a committed offset equal to the one seen last time counts 0 (but its
 *     lag still counts for activity); the first sighting counts;
 *   else latest - committed, not clamped (it can be negative).
 * Totals (getTotalLag): unless allowIdleConsumers is on with the other two options off, the
 * upper bound is P (or the partitions with lag under limitToPartitionsWithLag);
 * ensureEvenDistributionOfPartitions first rounds the lag up to f x T, f the smallest divisor of
 * P with f x T >= lag (else P); then when lag / T > bound (Go's integer division) the lag
 * becomes bound x T. So bound x T < lag < (bound + 1) x T is not capped: P = 3, T = 10, lag 35
 * gives 4 replicas (kafka-operations.md 1.3, reproduced on purpose). */
#include "models/autoscale/keda.h"

void cg_keda_add_partition(const cg_autoscaler_cfg_t *a, cg_keda_metric_t *m, int64_t committed,
                           int64_t latest, int64_t *prev)
{
    int64_t lag, persistent;
    m->partitions++;
    if (committed == CG_KEDA_NO_OFFSET) {
        lag = a->zero_on_invalid ? 0 : a->reset_earliest ? latest : 1;
        persistent = lag;
    } else {
        lag = persistent = latest - committed;
        if (a->exclude_persistent) {
            if (*prev == committed)
                lag = 0;
            else
                *prev = committed;
        }
    }
    if (lag > 0)
        m->with_lag++;
    m->lag += lag;
    m->lag_persistent += persistent;
}

/* FindFactors + getNextFactorThatBalancesConsumersToTopicPartitions. */
static int64_t even_factor(int64_t lag, int64_t partitions, int64_t threshold)
{
    for (int64_t f = 1; f <= partitions; f++)
        if (partitions % f == 0 && f * threshold >= lag)
            return f;
    return partitions;
}

void cg_keda_finish(const cg_autoscaler_cfg_t *a, cg_keda_metric_t *m)
{
    int64_t total = m->lag, t = a->lag_threshold;
    if (!a->allow_idle || a->limit_to_lagging || a->even_distribution) {
        int64_t bound = a->limit_to_lagging ? m->with_lag : m->partitions;
        if (a->even_distribution)
            total = even_factor(total, m->partitions, t) * t;
        if (total / t > bound)
            total = bound * t;
    }
    m->metric = total;
    m->active = m->lag_persistent > a->activation_lag_threshold;
}
