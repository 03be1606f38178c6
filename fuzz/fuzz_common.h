/* fuzz/fuzz_common: helpers shared by the libFuzzer harnesses (fuzz/README in the top README).
 * Owns: splitting one fuzz input into a scenario text and --set arguments; the small memory
 *       budget every harness loads with (so that the fuzzer's RSS limit is never the finding).
 * Does not own: anything the simulator links; harnesses only call public headers.
 * Invariant: a harness either returns 0 or aborts on a finding (a crash, a sanitizer report,
 *            or a broken property checked with FUZZ_CHECK). */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_BUDGET_BYTES (64ULL * 1024 * 1024)   /* memory budget of every load */
#define FUZZ_MAX_SETS 8                            /* --set arguments taken from one input */
#define FUZZ_SET_MARK "\n#set "                    /* separates the scenario from each --set */

#define FUZZ_CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "finding: " __VA_ARGS__); \
                                       fputc('\n', stderr); abort(); } } while (0)

typedef struct fuzz_input {
    char *text;                       /* scenario text (NUL-terminated copy) */
    size_t len;                       /* its length */
    char *sets[FUZZ_MAX_SETS];        /* --set arguments, NUL-terminated copies */
    size_t n_sets;
} fuzz_input_t;

static inline char *fuzz_dup(const char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

/* First occurrence of needle[0..nlen) in hay[0..n), or NULL (memmem is not POSIX). */
static inline const char *fuzz_find(const char *hay, size_t n, const char *needle, size_t nlen)
{
    for (size_t i = 0; i + nlen <= n; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, nlen) == 0)
            return hay + i;
    return NULL;
}

/* "SCENARIO\n#set a=b\n#set c=d": the scenario, then one --set per mark (NULs cut a set). */
static inline int fuzz_split(const unsigned char *data, size_t size, fuzz_input_t *in)
{
    const char *p = (const char *)data, *end = p + size;
    const size_t mlen = sizeof FUZZ_SET_MARK - 1;
    memset(in, 0, sizeof *in);
    const char *m = fuzz_find(p, size, FUZZ_SET_MARK, mlen);
    const char *stop = m ? m : end;
    in->len = (size_t)(stop - p);
    in->text = fuzz_dup(p, in->len);
    while (m && in->n_sets < FUZZ_MAX_SETS) {
        const char *v = m + mlen;
        m = fuzz_find(v, (size_t)(end - v), FUZZ_SET_MARK, mlen);
        const char *e = m ? m : end;
        in->sets[in->n_sets++] = fuzz_dup(v, strnlen(v, (size_t)(e - v)));
    }
    return in->text ? 0 : -1;
}

static inline void fuzz_input_fini(fuzz_input_t *in)
{
    free(in->text);
    for (size_t i = 0; i < in->n_sets; i++)
        free(in->sets[i]);
}

#endif
