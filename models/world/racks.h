/* models/world/racks: replica racks in the running world and the cross-rack fetch figure.
 * Owns: per global partition its replica racks and leader rack (from the scenario), each
 *       consumer's client.rack as a rack bit, the records each consumer fetched per partition
 *       since its last `fetch` record, and the groups' cross-rack counters.
 * Does not own: replica placement (models/scenario/scenario_racks.c), the assignors' use of
 *       racks (models/assign), what counts as processed (models/world/ownership).
 * Invariant: w->racks is NULL unless some topic has replica racks; then every consumer's
 *            fetched counts are written as `fetch` records, and a record counts as cross-rack
 *            exactly when analysis/ would count it from those records (an_racks.c). */
#ifndef CG_WORLD_RACKS_H
#define CG_WORLD_RACKS_H

#include "models/world/world_impl.h"

typedef struct cg_fetch_acc {
    int32_t *gp;                      /* partitions fetched from since the last record, sorted */
    int64_t *n;                       /* records fetched from each */
    uint32_t len, cap;                /* entries used, allocated */
} cg_fetch_acc_t;

struct cg_racks {
    uint64_t *replica;                /* [n_parts] bit r: a replica on s->rack_names[r]; 0 none */
    int32_t *leader;                  /* [n_parts] the leader's rack bit, -1 no racks */
    int32_t *client_rack;             /* [n_consumers] rack bit, CG_RACK_NONE or CG_RACK_OTHER */
    cg_fetch_acc_t *acc;              /* [n_consumers] */
};

/* Build w->racks when a topic has racks (else leave it NULL). 0, or -1 when out of memory. */
int cg_racks_init(struct cg_world *w);
void cg_racks_fini(struct cg_world *w);
/* At the start: one `topic` record per topic with replica racks. */
void cg_racks_topics(struct cg_world *w);
/* Consumer c of group g fetched (and processed) n records of gp: counters and the next record.
 * Fails the run when out of memory. */
void cg_racks_fetched(cg_group_t *g, int32_t consumer, int32_t gp, int64_t n);
/* At each lag sample and the end of the run: a `fetch` record per consumer that fetched since
 * its last one, in consumer order. */
void cg_racks_flush(struct cg_world *w);

#endif
