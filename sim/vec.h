/* sim/vec: the one growth rule for arrays that grow during a run (pools, lists, tables).
 * Owns: the capacity arithmetic (doubling from a first size, overflow-checked). Does not own:
 *       the arrays (the callers'), their element types or lengths.
 * Invariant: on success the capacity holds `need` and the old elements are unchanged; on failure
 *            nothing changed. Growth is geometric, so an array reallocates O(log n) times. */
#ifndef SIM_VEC_H
#define SIM_VEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Grow the array whose pointer is at `pp` (any object pointer type; read and written through
 * memcpy, so no aliasing games) with capacity *cap to hold `need` elements of `elem` bytes,
 * doubling from `first`. 0 or -1 (out of memory, or beyond UINT32_MAX elements). */
static inline int sim_vec_reserve(void *pp, uint32_t *cap, size_t need, size_t elem,
                                  uint32_t first)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : first;
    while (c < need)
        c *= 2;
    if (c > UINT32_MAX || c > SIZE_MAX / elem)
        return -1;
    void *old;
    memcpy(&old, pp, sizeof old);
    void *q = realloc(old, c * elem);
    if (!q)
        return -1;
    memcpy(pp, &q, sizeof q);
    *cap = (uint32_t)c;
    return 0;
}

/* *pp (capacity *cap) := count elements of `elem` bytes copied from src; *n = count. 0 or -1. */
static inline int sim_vec_copy(void *pp, uint32_t *n, uint32_t *cap, const void *src,
                               size_t count, size_t elem)
{
    if (sim_vec_reserve(pp, cap, count, elem, count ? (uint32_t)count : 1) != 0)
        return -1;
    void *dst;
    memcpy(&dst, pp, sizeof dst);
    if (count)
        memcpy(dst, src, count * elem);
    *n = (uint32_t)count;
    return 0;
}

#endif
