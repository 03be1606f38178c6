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
    free(r->leader);
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

int an_racks_set_leader(an_racks_t *r, const char *topic, int64_t p, size_t leader)
{
    char key[512];
    size_t len = part_key(key, sizeof key, topic, p);
    if (!len)
        return 0;                     /* longer than any topic name the simulator writes */
    size_t i = an_map_intern(&r->parts, key, len, NULL);
    if (i == AN_MAP_NONE || an_grow((void **)&r->leader, &r->leader_cap, i + 1, sizeof *r->leader))
        return -1;
    r->leader[i] = leader;
    return 0;
}

size_t an_racks_leader(const an_racks_t *r, const char *topic, int64_t p)
{
    char key[512];
    size_t len = part_key(key, sizeof key, topic, p);
    size_t i = len ? an_map_find(&r->parts, key, len) : AN_MAP_NONE;
    return i == AN_MAP_NONE ? 0 : r->leader[i];
}
