/* analysis/an_map: FNV-1a hashing with linear probing. The table holds index+1 so a zeroed table
 * is empty; keys live in an insertion-ordered array so callers iterate deterministically. */
#include "analysis/an_map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define AN_MAP_MIN_SLOTS 16u

static uint64_t an_hash(const char *key, size_t len)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

void an_map_init(an_map_t *m)
{
    memset(m, 0, sizeof *m);
}

void an_map_fini(an_map_t *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->key_lens);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static size_t an_map_probe(const an_map_t *m, const char *key, size_t len, size_t *slot)
{
    size_t mask = m->n_slots - 1;
    size_t s = (size_t)an_hash(key, len) & mask;
    for (;;) {
        size_t v = m->slots[s];
        if (v == 0) {
            *slot = s;
            return AN_MAP_NONE;
        }
        if (m->key_lens[v - 1] == len && memcmp(m->keys[v - 1], key, len) == 0) {
            *slot = s;
            return v - 1;
        }
        s = (s + 1) & mask;
    }
}

size_t an_map_find(const an_map_t *m, const char *key, size_t len)
{
    size_t slot;
    if (m->n_slots == 0)
        return AN_MAP_NONE;
    return an_map_probe(m, key, len, &slot);
}

static int an_map_grow(an_map_t *m)
{
    size_t n_slots = m->n_slots ? m->n_slots * 2 : AN_MAP_MIN_SLOTS;
    size_t *slots = calloc(n_slots, sizeof *slots);
    if (!slots)
        return -1;
    free(m->slots);
    m->slots = slots;
    m->n_slots = n_slots;
    for (size_t i = 0; i < m->n; i++) {
        size_t s;
        an_map_probe(m, m->keys[i], m->key_lens[i], &s);
        m->slots[s] = i + 1;
    }
    return 0;
}

static int an_map_reserve_keys(an_map_t *m)
{
    if (m->n < m->keys_cap)
        return 0;
    size_t cap = m->keys_cap ? m->keys_cap * 2 : 8;
    char **keys = realloc(m->keys, cap * sizeof *keys);
    if (!keys)
        return -1;
    m->keys = keys;
    size_t *lens = realloc(m->key_lens, cap * sizeof *lens);
    if (!lens)
        return -1;
    m->key_lens = lens;
    m->keys_cap = cap;
    return 0;
}

size_t an_map_intern(an_map_t *m, const char *key, size_t len, int *added)
{
    size_t slot;
    if (added)
        *added = 0;
    if ((m->n + 1) * 2 > m->n_slots && an_map_grow(m) != 0)
        return AN_MAP_NONE;
    size_t idx = an_map_probe(m, key, len, &slot);
    if (idx != AN_MAP_NONE)
        return idx;
    if (an_map_reserve_keys(m) != 0)
        return AN_MAP_NONE;
    char *copy = malloc(len + 1);
    if (!copy)
        return AN_MAP_NONE;
    memcpy(copy, key, len);
    copy[len] = '\0';
    m->keys[m->n] = copy;
    m->key_lens[m->n] = len;
    m->slots[slot] = ++m->n;
    if (added)
        *added = 1;
    return m->n - 1;
}

int an_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 8;
    while (c < need)
        c *= 2;
    if (c > SIZE_MAX / elem)
        return -1;
    void *q = realloc(*p, c * elem);
    if (!q)
        return -1;
    memset((char *)q + *cap * elem, 0, (c - *cap) * elem);
    *p = q;
    *cap = c;
    return 0;
}
