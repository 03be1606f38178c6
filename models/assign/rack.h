/* models/assign/rack: the rack view the client-side assignors share (KIP-881).
 * Owns: each member's rack as a bit index of the input's rack_names, and Kafka's test of whether
 *       rack-aware assignment is used (AbstractPartitionAssignor.useRackAwareAssignment).
 * Does not own: the replica racks (the input's replica_racks) or any assignment.
 * Invariant: member_rack[m] is CG_RACK_NONE (no client.rack, or ""), CG_RACK_OTHER (a rack that
 *            holds no replica: it matches no partition) or a bit index below in->n_racks. */
#ifndef CG_ASSIGN_RACK_H
#define CG_ASSIGN_RACK_H

#include <stdbool.h>
#include <stdint.h>
#include "models/assign/assignor.h"
#include "models/limits.h"

#define CG_RACK_NONE (-1)
#define CG_RACK_OTHER (-2)

typedef struct cg_rack_view {
    const cg_assign_input_t *in;      /* borrowed */
    int32_t *member_rack;             /* [n_members] see the invariant */
} cg_rack_view_t;

/* 0, or -1 when out of memory. */
int cg_rack_view_init(cg_rack_view_t *v, const cg_assign_input_t *in);
void cg_rack_view_fini(cg_rack_view_t *v);

/* Replica racks of global partition g (0 without rack information). */
static inline uint64_t cg_rack_of(const cg_assign_input_t *in, int64_t g)
{
    return in->replica_racks ? in->replica_racks[g] : 0;
}

/* What useRackAwareAssignment looks at, accumulated over members and partitions. */
typedef struct cg_rack_scan {
    bool member_rack;                 /* some member has a rack (known or not) */
    uint64_t member_racks;            /* the known racks of those members */
    uint64_t partition_racks;         /* union of the partitions' racks */
    bool partition_seen;              /* at least one partition was added */
    bool differ;                      /* two partitions have different rack sets */
    uint64_t first;                   /* the rack set of the first partition */
} cg_rack_scan_t;

void cg_rack_scan_member(cg_rack_scan_t *s, const cg_rack_view_t *v, int32_t m);
/* Add global partitions [lo, hi). */
void cg_rack_scan_parts(cg_rack_scan_t *s, const cg_assign_input_t *in, int64_t lo, int64_t hi);
/* Kafka: false when no member has a rack or member and partition racks are disjoint; else true
 * unless every partition has the same rack set (then racks cannot help). */
bool cg_rack_scan_use(const cg_rack_scan_t *s);

/* RangeAssignor.racksMatch: a rackless member matches everything, else its rack holds a
 * replica of g. */
bool cg_rack_match(const cg_rack_view_t *v, int32_t m, int64_t g);
/* AbstractStickyAssignor.racksMismatch: the member has a rack and no replica of g is on it. */
bool cg_rack_mismatch(const cg_rack_view_t *v, int32_t m, int64_t g);
/* The member has a rack and a replica of g is on it (nextRackConsumer's test). */
bool cg_rack_on(const cg_rack_view_t *v, int32_t m, int64_t g);

#endif
