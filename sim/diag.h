/* sim/diag: a list of diagnostics (one line each) that library code fills and only main prints.
 * Owns: the lines and their storage. Does not own: exiting or printing policy.
 * Invariant: lines are complete messages without a trailing newline. */
#ifndef SIM_DIAG_H
#define SIM_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define SIM_DIAG_MAX_LINES 200        /* beyond this only a count of further problems is kept */

typedef struct sim_diag {
    char **lines;                     /* messages, in the order found */
    size_t n;                         /* lines stored */
    size_t dropped;                   /* lines not stored past SIM_DIAG_MAX_LINES */
} sim_diag_t;

void sim_diag_init(sim_diag_t *d);
void sim_diag_fini(sim_diag_t *d);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void sim_diag_add(sim_diag_t *d, const char *fmt, ...);
void sim_diag_vadd(sim_diag_t *d, const char *fmt, va_list ap);
size_t sim_diag_count(const sim_diag_t *d);   /* n + dropped */
void sim_diag_print(const sim_diag_t *d, FILE *f);

#endif
