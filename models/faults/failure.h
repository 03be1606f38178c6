/* models/failure: the failure-model registry. A failure model injects faults into a run; each is
 * a const ops struct found by name: "scripted" (the scenario's `faults` list, models/faults) and
 * "stochastic" (per-member alternating time-to-failure / time-to-repair, drawn by weight).
 * Owns: the stochastic models' per-member state and RNG streams.
 * Does not own: what a fault does (models/faults -> consumer/coordinator).
 * Invariant: each member of each stochastic model draws only from its own stream
 *            "fault/<model index>/<group>/<consumer>", so runs are reproducible and the same
 *            failures happen under every assignor (common random numbers). */
#ifndef CG_FAILURE_H
#define CG_FAILURE_H

#include <stddef.h>
#include "models/scenario/scenario.h"

struct cg_world;
typedef struct cg_failures cg_failures_t;

typedef struct cg_failure_model_ops {
    const char *name;                 /* scenario name of the model */
    /* Schedule the model's faults in the world; model is NULL for "scripted". 0 or -1 (OOM). */
    int (*start)(cg_failures_t *f, const cg_failure_model_cfg_t *model, size_t index);
} cg_failure_model_ops_t;

const cg_failure_model_ops_t *cg_failure_model_find(const char *name);   /* NULL if unknown */
const char *cg_failure_model_names(void);                                /* "scripted, ..." */

/* Start every failure model of the scenario (scripted faults first). 0, or -1 with err. */
int cg_failures_start(struct cg_world *w, cg_failures_t **out, char *err, size_t errlen);
void cg_failures_free(cg_failures_t *f);

#endif
