/* models/lagsample: continuous lag on a fixed virtual-time grid ("lag_sample_ms", design.md).
 * Owns: the sampler timer, the per-group `lag` record (and per-partition `lag_sample` records at
 *       --trace-level debug) and the summary's sampled-lag figures.
 * Does not own: committed offsets (models/ownership keeps the trace's, g->acked), positions
 *       (the clients'), log ends (models/partlog).
 * Invariant: a sample changes no model state and draws nothing, and its engine events are left
 *            out of run_end.events (w->sample_events), so the model runs exactly as without it. */
#ifndef CG_LAGSAMPLE_H
#define CG_LAGSAMPLE_H

#include "models/world/world_impl.h"

/* Schedule the first sample and allocate the latency checkpoints (world construction); nothing
 * when lag_sample_ms is 0. Returns 0 or -1 (out of memory). */
int cg_lag_start(struct cg_world *w);
/* Free what cg_lag_start allocated (world destruction). */
void cg_lag_fini(struct cg_world *w);
/* At the end of a completed run: the latency counted since the last sample (models/latency). */
void cg_lag_finish(struct cg_world *w);

#endif
