/* sim/diag: growable list of one-line diagnostics. */
#include "sim/diag.h"

#include <stdlib.h>
#include <string.h>

void sim_diag_init(sim_diag_t *d)
{
    memset(d, 0, sizeof *d);
}

void sim_diag_fini(sim_diag_t *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->lines[i]);
    free(d->lines);
    memset(d, 0, sizeof *d);
}

void sim_diag_vadd(sim_diag_t *d, const char *fmt, va_list ap)
{
    va_list ap2;
    if (d->n >= SIM_DIAG_MAX_LINES) {
        d->dropped++;
        return;
    }
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *line = len >= 0 ? malloc((size_t)len + 1) : NULL;
    char **lines = realloc(d->lines, (d->n + 1) * sizeof *lines);
    if (!line || !lines) {
        free(line);
        if (lines)
            d->lines = lines;
        d->dropped++;           /* out of memory: the count still tells a problem was found */
        return;
    }
    vsnprintf(line, (size_t)len + 1, fmt, ap);
    d->lines = lines;
    d->lines[d->n++] = line;
}

void sim_diag_add(sim_diag_t *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sim_diag_vadd(d, fmt, ap);
    va_end(ap);
}

size_t sim_diag_count(const sim_diag_t *d)
{
    return d->n + d->dropped;
}

void sim_diag_print(const sim_diag_t *d, FILE *f)
{
    for (size_t i = 0; i < d->n; i++)
        fprintf(f, "%s\n", d->lines[i]);
    if (d->dropped)
        fprintf(f, "... and %zu more problems\n", d->dropped);
}
