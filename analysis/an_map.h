/* analysis/an_map: a string -> dense index map (interning) for groups, members and partitions.
 * Owns: copies of the keys, an open-addressing hash table, insertion-ordered key storage.
 * Does not own: the values (callers keep arrays indexed by the dense index).
 * Invariant: indexes are 0..n-1 in order of first insertion, so iteration order is the order of
 *            first appearance in the trace and never depends on hash values or addresses. */
#ifndef AN_MAP_H
#define AN_MAP_H

#include <stddef.h>

typedef struct an_map {
    char **keys;                      /* keys[i] = key of index i (owned, NUL-terminated) */
    size_t *key_lens;                 /* byte length of keys[i] (keys may hold NUL bytes) */
    size_t n;                         /* keys stored */
    size_t keys_cap;                  /* capacity of keys/key_lens */
    size_t *slots;                    /* hash table of index+1, 0 = empty */
    size_t n_slots;                   /* power of two, load factor <= 1/2 */
} an_map_t;

void an_map_init(an_map_t *m);
void an_map_fini(an_map_t *m);
/* Index of key, or (size_t)-1 when absent. */
size_t an_map_find(const an_map_t *m, const char *key, size_t len);
/* Index of key, inserting it when absent (*added set to 1 then, else 0). (size_t)-1 on OOM. */
size_t an_map_intern(an_map_t *m, const char *key, size_t len, int *added);
static inline size_t an_map_len(const an_map_t *m) { return m->n; }
static inline const char *an_map_key(const an_map_t *m, size_t i) { return m->keys[i]; }

#define AN_MAP_NONE ((size_t)-1)

/* Grow *p (elements of `elem` bytes, capacity *cap) to hold `need`, doubling; new space zeroed,
 * so the arrays indexed by map indexes read 0 for a key seen first. 0, or -1 on OOM (unchanged). */
int an_grow(void **p, size_t *cap, size_t need, size_t elem);

#endif
