/* analysis/an_racks: rack names and leader racks of partitions (an_racks.h). */
#include "analysis/an_racks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void an_racks_init(an_racks_t *r)
{
    memset(r, 0, sizeof *r);
    an_map_init(&r->names);
    an_map_init(&r->parts);
}

void an_racks_fini(an_racks_t *r)
{
    an_map_fini(&r->names);
    an_map_fini(&r->parts);
    free(r->first);
    free(r->count);
    free(r->reps);
    memset(r, 0, sizeof *r);
}

size_t an_racks_name(an_racks_t *r, const char *name)
{
    if (!name || !name[0])
        return 0;
    size_t i = an_map_intern(&r->names, name, strlen(name), NULL);
    return i == AN_MAP_NONE ? AN_MAP_NONE : i + 1;
}

/* "topic\x1fp" into buf; its length, or 0 when it does not fit. */
static size_t part_key(char *buf, size_t cap, const char *topic, int64_t p)
{
    int n = snprintf(buf, cap, "%s\x1f%lld", topic, (long long)p);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

int an_racks_set_replicas(an_racks_t *r, const char *topic, int64_t p, const size_t *racks,
                          size_t n)
{
    char key[512];
    size_t len = part_key(key, sizeof key, topic, p);
    if (!len)
        return 0;                     /* longer than any topic name the simulator writes */
    size_t i = an_map_intern(&r->parts, key, len, NULL);
    if (i == AN_MAP_NONE || an_grow((void **)&r->first, &r->first_cap, i + 1, sizeof *r->first) ||
        an_grow((void **)&r->count, &r->count_cap, i + 1, sizeof *r->count) ||
        an_grow((void **)&r->reps, &r->reps_cap, r->n_reps + n, sizeof *r->reps))
        return -1;
    memcpy(&r->reps[r->n_reps], racks, n * sizeof *racks);
    r->first[i] = r->n_reps;
    r->count[i] = n;
    r->n_reps += n;
    return 0;
}

int an_racks_local(const an_racks_t *r, const char *topic, int64_t p, size_t mine, bool follower)
{
    char key[512];
    size_t len = part_key(key, sizeof key, topic, p);
    size_t i = len ? an_map_find(&r->parts, key, len) : AN_MAP_NONE;
    if (!mine || i == AN_MAP_NONE || r->count[i] == 0)
        return -1;
    size_t n = follower ? r->count[i] : 1;
    for (size_t k = 0; k < n; k++)
        if (r->reps[r->first[i] + k] == mine)
            return 1;
    return 0;
}
