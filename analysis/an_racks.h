/* analysis/an_racks: the cross-rack fetch figure from the trace alone (design.md: `topic`,
 * `fetch`, member_join.rack), counted as models/world/racks.c counts it during the run: a record
 * fetched by a member with a rack from a partition with replica racks counts, and it is
 * cross-rack when the partition's leader (its first replica) is on another rack.
 * Owns: rack names and the leader rack of each partition a `topic` record describes.
 * Invariant: rack indexes are map index + 1, so that 0 (arrays start zeroed) means none. */
#ifndef AN_RACKS_H
#define AN_RACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "analysis/an_map.h"

typedef struct an_racks {
    an_map_t names;                   /* rack names */
    an_map_t parts;                   /* "topic\x1fpartition" of partitions with replica racks */
    size_t *first;                    /* by parts index: its racks start at reps[first] */
    size_t *count;                    /* by parts index: how many (the leader's first) */
    size_t first_cap, count_cap;
    size_t *reps;                     /* rack indexes + 1 of every partition's replicas */
    size_t n_reps, reps_cap;
} an_racks_t;

void an_racks_init(an_racks_t *r);
void an_racks_fini(an_racks_t *r);
/* Rack index + 1 of `name`, 0 for NULL or "" (no rack, as the client treats it); AN_MAP_NONE
 * when out of memory. */
size_t an_racks_name(an_racks_t *r, const char *name);
/* Partition p of `topic` has replicas on racks[0..n) (indexes + 1, the leader's first). 0, or
 * -1 on OOM. */
int an_racks_set_replicas(an_racks_t *r, const char *topic, int64_t p, const size_t *racks,
                          size_t n);
/* Where a member on rack `mine` (index + 1, 0 none) fetches partition p of `topic` from: -1 not
 * counted (no rack on either side), 1 its own rack, 0 another. `follower`: the rack-aware
 * selector (KIP-392: any replica on its rack serves it), else only the leader does. */
int an_racks_local(const an_racks_t *r, const char *topic, int64_t p, size_t mine,
                   bool follower);

#endif
