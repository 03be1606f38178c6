/* models/latency: end-to-end latency of records, from their append to the partition log to the
 * end of the batch that processed them, as log-spaced histograms (sim/loghist, microseconds).
 * Owns: per partition a few (time, log end) checkpoints taken at the lag samples, from which the
 *       append time of a record the log no longer knows is interpolated; per group the histogram
 *       of the current sample interval (a `latency` record at the next sample) and the summary's
 *       totals.
 * Does not own: the sampler's timer (models/lagsample), what counts as processed (ownership).
 * Invariant: checkpoints of a partition are in increasing time with non-decreasing ends; only
 *            first processings count (not duplicates), each once, in the interval it ended in. */
#ifndef CG_LATENCY_H
#define CG_LATENCY_H

#include "models/world/world_impl.h"

#define CG_LAT_CHECKPOINTS 8          /* checkpoints kept per partition */

/* (time, log end) checkpoints of one partition, oldest first; n == 0: not watched yet. */
typedef struct cg_lat_ring {
    int64_t t_ns[CG_LAT_CHECKPOINTS];
    int64_t end[CG_LAT_CHECKPOINTS];
    uint32_t n;
} cg_lat_ring_t;

/* Allocate the checkpoints (only when lag samples are on). 0 or -1 (out of memory). */
int cg_lat_init(struct cg_world *w);
void cg_lat_fini(struct cg_world *w);
/* A group was first assigned gp: start its checkpoints ((0, 0), the empty log, and now). */
void cg_lat_watch(struct cg_world *w, int32_t gp);
/* At a lag sample: checkpoint every watched partition; returns nothing. */
void cg_lat_checkpoint(struct cg_world *w, int64_t now);
/* The log end of gp at the checkpoint just taken (cg_lat_checkpoint at this instant). */
int64_t cg_lat_last_end(const struct cg_world *w, int32_t gp);
/* Records [lo, hi) of gp were processed for the first time, the batch ending at done_ns. */
void cg_lat_processed(cg_group_t *g, int32_t gp, int64_t lo, int64_t hi, int64_t done_ns);
/* At a lag sample (and at the end of the run): write the group's `latency` record for the
 * interval, if it processed anything, and add it to the summary. */
void cg_lat_flush(cg_group_t *g);

#endif
