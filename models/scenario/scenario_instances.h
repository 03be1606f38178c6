/* models/scenario_instances: the distinct group.instance.id values of a group (static members),
 * in one sorted order shared by the coordinators and the clients.
 * Owns: nothing (pointers into the scenario). Does not own: the scenario.
 * Invariant: the index of an instance id is its rank among the group's distinct ids. */
#ifndef CG_SCENARIO_INSTANCES_H
#define CG_SCENARIO_INSTANCES_H

#include <stddef.h>
#include <stdint.h>
#include "models/scenario/scenario.h"

/* Writes the sorted distinct instance ids of group g into out (room for g->n_consumers; NULL to
 * only count) and returns how many there are. */
size_t cg_scenario_group_instances(const cg_scenario_t *s, const cg_group_cfg_t *g,
                                   const char **out);
/* Index of instance_id in ids[0..n) (sorted), -1 for NULL or absent. */
int32_t cg_scenario_instance_index(const char *const *ids, size_t n, const char *instance_id);

#endif
