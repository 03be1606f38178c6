/* models/scenario_instances: see scenario_instances.h. */
#include "models/scenario/scenario_instances.h"

#include <stdlib.h>
#include <string.h>
#include "sim/sorted.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t cg_scenario_group_instances(const cg_scenario_t *s, const cg_group_cfg_t *g,
                                   const char **out)
{
    const char **ids = malloc((g->n_consumers ? g->n_consumers : 1) * sizeof *ids);
    if (!ids)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < g->n_consumers; i++) {
        const char *id = s->consumers[g->first_consumer + i].cfg.group_instance_id;
        if (id)
            ids[n++] = id;
    }
    qsort(ids, n, sizeof *ids, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || strcmp(ids[u - 1], ids[i]) != 0)
            ids[u++] = ids[i];
    if (out && u)
        memcpy(out, ids, u * sizeof *ids);
    free(ids);
    return u;
}

int32_t cg_scenario_instance_index(const char *const *ids, size_t n, const char *instance_id)
{
    return (int32_t)sim_sorted_find_str(ids, n, instance_id);
}
