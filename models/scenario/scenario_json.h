/* models/scenario_json: private helpers of the scenario loader: a JSON-path cursor, typed getters
 * that check type and range and report "FILE: $.path: message" lines, unknown-key detection with
 * a nearest-key suggestion, distribution objects, and the --set overrides.
 * Owns: the reading context (file name, current path, error count) of one load.
 * Does not own: the scenario structures (models/scenario.c) or printing (cli/).
 * Invariant: every getter either stores a value within its range or reports exactly one problem
 *            and stores the default; the path is restored on return. */
#ifndef CG_SCENARIO_JSON_H
#define CG_SCENARIO_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "sim/diag.h"
#include "sim/dist.h"

#define CG_JPATH_MAX 512              /* bytes of a JSON path in a message */
#define CG_JSHOW_MAX 64               /* bytes of a user string quoted in a message */
#define CG_JSHOW_SLOTS 4              /* user strings one message may quote */

typedef struct cg_jctx {
    const char *fname;                /* file name for messages */
    sim_diag_t *diag;                 /* where problems go */
    size_t n_errors;                  /* problems reported by this load */
    char path[CG_JPATH_MAX];          /* current JSON path, "$.groups[0].config" */
    size_t path_len;                  /* bytes used in path */
    char show[CG_JSHOW_SLOTS][CG_JSHOW_MAX + 8]; /* sanitised copies of quoted user strings */
    int show_next;                    /* next slot of show (round robin) */
} cg_jctx_t;

/* A closed integer range; `limit` names the models/limits.h bound behind `hi`, or NULL. */
typedef struct cg_jrange {
    int64_t lo;                       /* smallest accepted value */
    int64_t hi;                       /* largest accepted value */
    const char *limit;                /* name of the bound in messages, or NULL */
} cg_jrange_t;

void cg_jctx_init(cg_jctx_t *c, const char *fname, sim_diag_t *diag);
/* Append ".key" or "[i]" to the path; returns the old length for cg_jpath_pop. */
size_t cg_jpath_key(cg_jctx_t *c, const char *key);
size_t cg_jpath_index(cg_jctx_t *c, size_t i);
void cg_jpath_pop(cg_jctx_t *c, size_t old_len);

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void cg_jerr(cg_jctx_t *c, const char *fmt, ...);          /* "FILE: PATH: msg" */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void cg_jerr_key(cg_jctx_t *c, const char *key, const char *fmt, ...); /* at PATH.key */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void cg_jerr_file(cg_jctx_t *c, const char *fmt, ...);     /* "FILE: msg" */
/* A printable, length-capped copy of a user string, valid until CG_JSHOW_SLOTS more calls. */
const char *cg_jshow(cg_jctx_t *c, const char *s);
const char *cg_jtype(const cJSON *item);                   /* "string", "number", ... */

/* Report every key of `obj` not in the NULL-terminated `allowed` (with the nearest suggestion)
 * and every duplicate key. Returns the number of problems. */
size_t cg_jcheck_keys(cg_jctx_t *c, const cJSON *obj, const char *const *allowed);
size_t cg_jcheck_dups(cg_jctx_t *c, const cJSON *obj);     /* duplicate keys only */
/* Nearest of the NULL-terminated `names` to `s` by edit distance, or NULL if none is close. */
const char *cg_jnearest(const char *s, const char *const *names);

/* Getters: absent -> default (or "missing required key" when required); present -> checked.
 * Return true when the stored value came from a valid input or the default. */
bool cg_jget_int(cg_jctx_t *c, const cJSON *obj, const char *key, cg_jrange_t r, int64_t def,
                 bool required, int64_t *out);
bool cg_jint_value(cg_jctx_t *c, const cJSON *item, cg_jrange_t r, int64_t *out); /* at PATH */
bool cg_jget_num(cg_jctx_t *c, const cJSON *obj, const char *key, double lo, bool lo_open,
                 double hi, double def, double *out);
bool cg_jget_bool(cg_jctx_t *c, const cJSON *obj, const char *key, bool def, bool *out);
/* A string of 1..maxlen bytes without control characters (nor '/' when no_slash). */
bool cg_jget_str(cg_jctx_t *c, const cJSON *obj, const char *key, bool required, size_t maxlen,
                 bool no_slash, const char **out);
bool cg_jstr_value(cg_jctx_t *c, const cJSON *item, size_t maxlen, bool no_slash,
                   const char **out);
/* One of the NULL-terminated `names`; stores its index. */
bool cg_jget_enum(cg_jctx_t *c, const cJSON *obj, const char *key, const char *const *names,
                  int def, int *out);
/* A distribution: a bare number (constant) or {"dist": ..., params}; checked with
 * sim_dist_validate. */
bool cg_jget_dist(cg_jctx_t *c, const cJSON *obj, const char *key, sim_dist_t def,
                  bool required, sim_dist_t *out);

/* Text checks before parsing: NUL bytes, invalid UTF-8, nesting deeper than `max_depth`.
 * Return 0 or -1 with a message in the context (no path). `what` prefixes the message. */
int cg_jprecheck(cg_jctx_t *c, const char *what, const char *text, size_t len, int max_depth);
/* Offset of the first NUL byte or invalid UTF-8 sequence in text[0..len), or len if none. */
size_t cg_jutf8_check(const char *text, size_t len);
/* Parse with the prechecks; NULL with a "line L, column C" message on error. */
cJSON *cg_jparse(cg_jctx_t *c, const char *what, const char *text, size_t len);

/* Apply one "path=value" override to `root`; returns 0 or -1 with a message. */
int cg_jset_apply(cg_jctx_t *c, cJSON *root, const char *set);

#endif
