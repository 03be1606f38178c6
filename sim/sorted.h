/* sim/sorted: binary search in sorted arrays, the one copy for the whole tree.
 * Owns: nothing (searches the caller's arrays). Does not own: sorting (callers sort with a
 *       total order; ties never decide behaviour).
 * Invariant: the arrays are sorted ascending (strcmp order for strings); results are indexes. */
#ifndef SIM_SORTED_H
#define SIM_SORTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The first index i with v[i] >= x (n when none): where x is or would be inserted. */
static inline size_t sim_sorted_lower_i32(const int32_t *v, size_t n, int32_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Index of x in v[0..n), or -1. */
static inline int64_t sim_sorted_find_i32(const int32_t *v, size_t n, int32_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] == x)
            return (int64_t)mid;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static inline bool sim_sorted_has_i32(const int32_t *v, size_t n, int32_t x)
{
    return sim_sorted_find_i32(v, n, x) >= 0;
}

/* Index of s in v[0..n) (strcmp order), or -1 (also for s NULL). */
static inline int64_t sim_sorted_find_str(const char *const *v, size_t n, const char *s)
{
    size_t lo = 0, hi = n;
    while (s && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(v[mid], s);
        if (c == 0)
            return (int64_t)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Index of the element of base[0..n) (elements of `size` bytes, sorted by the string at byte
 * offset `name_off`, strcmp order) whose string is s, or -1: arrays of structs keyed by name. */
static inline int64_t sim_sorted_find_named(const void *base, size_t n, size_t size,
                                            size_t name_off, const char *s)
{
    size_t lo = 0, hi = n;
    while (s && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *name;
        memcpy(&name, (const char *)base + mid * size + name_off, sizeof name);
        int c = strcmp(name, s);
        if (c == 0)
            return (int64_t)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

#endif
