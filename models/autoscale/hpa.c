/* models/autoscale/hpa: the HPA's reconcile for one External AverageValue metric.
 *
 * reconcileAutoscaler (horizontal.go), in order:
 *   current == 0 and minReplicas != 0  -> no action ("ScalingDisabled": 0 -> 1 is KEDA's job)
 *   current > max                      -> max ("AboveMaxReplicas")
 *   current < min                      -> min ("BelowMinReplicas")
 *   otherwise the metric's proposal (GetExternalPerPodMetricReplicas):
 *     ratio = metric / (target x current); within [1 - tolDown, 1 + tolUp] -> current
 *     ("WithinTolerance"), else ceil(metric / target)
 *   then normalization:
 *   - behavior nil (KEDA's default): the max recommendation of the downscale window (300 s,
 *     this one included), clamped to [min, min(max, max(2 x current, 4))];
 *   - behavior set: clamp(current, min of the scaleUp window, max of the scaleDown window), then
 *     the rate policies: from periodStart = current - added + removed within each policy's
 *     period, Pods +-v, Percent up ceil(start x (1 + v/100)), down int(start x (1 - v/100)),
 *     selected by selectPolicy (Max: the largest change), within [min, max].
 * Windows count records strictly after now - window (Go's time.After), as the controller does.
 * The reason reported is the last rule that changed the number: a limit, else stabilization,
 * else the tolerance, else "DesiredWithinRange". */
#include "models/autoscale/hpa.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sim/vec.h"

#define HPA_NS_PER_S 1000000000LL

void cg_hpa_init(cg_hpa_t *h, const cg_autoscaler_cfg_t *cfg)
{
    memset(h, 0, sizeof *h);
    h->cfg = cfg;
    h->min_replicas = cfg->min_replicas > 1 ? cfg->min_replicas : 1;
    h->max_replicas = cfg->max_replicas;
}

void cg_hpa_fini(cg_hpa_t *h)
{
    free(h->recs.v);
    free(h->ups.v);
    free(h->downs.v);
    memset(h, 0, sizeof *h);
}

int64_t cg_hpa_ceil_div(int64_t metric, int64_t target)
{
    int64_t q = metric / target;      /* C truncates toward zero: the ceiling of a negative */
    return metric % target != 0 && metric > 0 ? q + 1 : q;
}

static int32_t to_replicas(int64_t v)
{
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

/* Drop entries at or before `cutoff_ns` (the log is in time order), then append one. */
static int log_push(cg_hpa_log_t *l, int64_t cutoff_ns, int64_t now_ns, int32_t value)
{
    uint32_t keep = 0;
    while (keep < l->n && l->v[keep].t_ns <= cutoff_ns)
        keep++;
    if (keep > 0) {
        memmove(l->v, l->v + keep, (l->n - keep) * sizeof *l->v);
        l->n -= keep;
    }
    if (sim_vec_reserve(&l->v, &l->cap, l->n + 1, sizeof *l->v, 16) != 0)
        return -1;
    l->v[l->n++] = (cg_hpa_event_t){now_ns, value};
    return 0;
}

/* getReplicasChangePerPeriod: the changes strictly after now - period. */
static int64_t changed_within(const cg_hpa_log_t *l, int64_t now_ns, int64_t period_ns)
{
    int64_t sum = 0;
    for (uint32_t i = 0; i < l->n; i++)
        if (l->v[i].t_ns > now_ns - period_ns)
            sum += l->v[i].value;
    return sum;
}

static int64_t longest_window(const cg_hpa_t *h)
{
    int64_t w = h->cfg->downscale_window_ns;
    if (h->cfg->up.window_ns > w)
        w = h->cfg->up.window_ns;
    return h->cfg->down.window_ns > w ? h->cfg->down.window_ns : w;
}

/* The nil-behavior path (normalizeDesiredReplicas + convertDesiredReplicasWithRules). */
static int32_t normalize_nil(cg_hpa_t *h, int64_t now, int32_t current, int32_t desired,
                             const char **why)
{
    int32_t rec = desired;
    for (uint32_t i = 0; i < h->recs.n; i++)
        if (h->recs.v[i].t_ns > now - h->cfg->downscale_window_ns && h->recs.v[i].value > rec)
            rec = h->recs.v[i].value;
    if (rec != desired)
        *why = "ScaleDownStabilized";
    double up_limit = fmax(2.0 * current, 4.0);   /* calculateScaleUpLimit */
    int32_t max_allowed = h->max_replicas;
    const char *limit = "TooManyReplicas";
    if ((double)h->max_replicas > up_limit) {
        max_allowed = (int32_t)up_limit;
        limit = "ScaleUpLimit";
    }
    if (rec < h->min_replicas) {
        *why = "TooFewReplicas";
        return h->min_replicas;
    }
    if (rec > max_allowed) {
        *why = limit;
        return max_allowed;
    }
    return rec;
}

/* calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors. */
static int32_t rate_limit(const cg_hpa_t *h, int64_t now, int32_t current, bool up)
{
    const cg_hpa_rules_t *r = up ? &h->cfg->up : &h->cfg->down;
    if (r->select == CG_HPA_SELECT_DISABLED)
        return current;
    bool take_max = up == (r->select == CG_HPA_SELECT_MAX);
    int64_t result = take_max ? INT32_MIN : INT32_MAX;
    for (uint32_t i = 0; i < r->n_policies; i++) {
        const cg_hpa_policy_t *p = &r->policies[i];
        int64_t start = current - changed_within(&h->ups, now, p->period_ns) +
                        changed_within(&h->downs, now, p->period_ns);
        int64_t prop;
        if (p->type == CG_HPA_PODS)
            prop = up ? start + p->value : start - p->value;
        else if (up)
            prop = (int64_t)ceil((double)start * (1 + (double)p->value / 100));
        else
            prop = (int64_t)((double)start * (1 - (double)p->value / 100));
        result = take_max ? (prop > result ? prop : result) : (prop < result ? prop : result);
    }
    return to_replicas(result);
}

static int32_t stabilize_behavior(const cg_hpa_t *h, int64_t now, int32_t current,
                                  int32_t desired, const char **why)
{
    int32_t up = desired, down = desired;
    for (uint32_t i = 0; i < h->recs.n; i++) {
        const cg_hpa_event_t *e = &h->recs.v[i];
        if (e->t_ns > now - h->cfg->up.window_ns && e->value < up)
            up = e->value;
        if (e->t_ns > now - h->cfg->down.window_ns && e->value > down)
            down = e->value;
    }
    int32_t rec = current;
    if (rec < up)
        rec = up;
    if (rec > down)
        rec = down;
    if (rec != desired)
        *why = rec < desired ? "ScaleUpStabilized" : "ScaleDownStabilized";
    return rec;
}

/* The behavior path (normalizeDesiredReplicasWithBehaviors). */
static int32_t normalize_behavior(cg_hpa_t *h, int64_t now, int32_t current, int32_t desired,
                                  const char **why)
{
    int32_t rec = stabilize_behavior(h, now, current, desired, why);
    if (rec > current) {
        int32_t limit = rate_limit(h, now, current, true);
        if (limit < current)
            limit = current;
        int32_t max_allowed = h->max_replicas > limit ? limit : h->max_replicas;
        if (rec > max_allowed) {
            *why = h->max_replicas > limit ? "ScaleUpLimit" : "TooManyReplicas";
            return max_allowed;
        }
    } else if (rec < current) {
        int32_t limit = rate_limit(h, now, current, false);
        if (limit > current)
            limit = current;
        int32_t min_allowed = h->min_replicas < limit ? limit : h->min_replicas;
        if (rec < min_allowed) {
            *why = h->min_replicas < limit ? "ScaleDownLimit" : "TooFewReplicas";
            return min_allowed;
        }
    }
    return rec;
}

/* GetExternalPerPodMetricReplicas with the direction's tolerance (Tolerances.isWithin). */
static int32_t proposal(const cg_hpa_t *h, int32_t current, int64_t metric, const char **why)
{
    int64_t target = h->cfg->lag_threshold;
    double ratio = (double)metric / ((double)target * (double)current);
    if (ratio >= 1 - h->cfg->down.tolerance && ratio <= 1 + h->cfg->up.tolerance) {
        *why = "WithinTolerance";
        return current;
    }
    return to_replicas(cg_hpa_ceil_div(metric, target));
}

/* storeScaleEvent: kept with a behavior only, for its rate policies. */
static int store_event(cg_hpa_t *h, int64_t now, int32_t current, int32_t desired)
{
    if (!h->cfg->behavior || desired == current)
        return 0;
    int64_t cutoff = now - (int64_t)CG_MAX_HPA_PERIOD_S * HPA_NS_PER_S;
    return desired > current ? log_push(&h->ups, cutoff, now, desired - current)
                             : log_push(&h->downs, cutoff, now, current - desired);
}

int cg_hpa_reconcile(cg_hpa_t *h, int64_t now_ns, int32_t current, int64_t metric,
                     cg_hpa_decision_t *d)
{
    d->current = current;
    d->proposal = CG_HPA_NO_PROPOSAL;
    d->desired = current;
    d->reason = "DesiredWithinRange";
    if (current == 0) {               /* minReplicas is at least 1 */
        d->reason = "ScalingDisabled";
        return 0;
    }
    if (current > h->max_replicas || current < h->min_replicas) {
        d->desired = current > h->max_replicas ? h->max_replicas : h->min_replicas;
        d->reason = current > h->max_replicas ? "AboveMaxReplicas" : "BelowMinReplicas";
        return store_event(h, now_ns, current, d->desired);
    }
    d->proposal = proposal(h, current, metric, &d->reason);
    d->desired = h->cfg->behavior
                     ? normalize_behavior(h, now_ns, current, d->proposal, &d->reason)
                     : normalize_nil(h, now_ns, current, d->proposal, &d->reason);
    if (log_push(&h->recs, now_ns - longest_window(h), now_ns, d->proposal) != 0)
        return -1;
    return store_event(h, now_ns, current, d->desired);
}
