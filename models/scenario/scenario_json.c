/* models/scenario_json: the JSON-path cursor, messages and typed getters of the scenario loader.
 * Every getter checks type, integrality and range, reports at most one line per field and keeps
 * going, so one pass over a file finds every problem it can. */
#include "models/scenario/scenario_json.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/limits.h"

void cg_jctx_init(cg_jctx_t *c, const char *fname, sim_diag_t *diag)
{
    memset(c, 0, sizeof *c);
    c->fname = fname;
    c->diag = diag;
    c->path[0] = '$';
    c->path_len = 1;
}

static void path_append(cg_jctx_t *c, const char *s)
{
    size_t n = strlen(s);
    if (c->path_len + n + 1 > sizeof c->path) {
        /* Paths are bounded by CG_MAX_JSON_DEPTH, but keys are not: mark the cut. */
        size_t room = sizeof c->path - 1 - c->path_len;
        if (room > 3) {
            memcpy(c->path + c->path_len, "...", 3);
            c->path_len += 3;
        }
        c->path[c->path_len] = '\0';
        return;
    }
    memcpy(c->path + c->path_len, s, n + 1);
    c->path_len += n;
}

static bool key_is_plain(const char *k)
{
    if (!*k)
        return false;
    for (const char *p = k; *p; p++) {
        char ch = *p;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
        if (!ok)
            return false;
    }
    return true;
}

size_t cg_jpath_key(cg_jctx_t *c, const char *key)
{
    size_t old = c->path_len;
    char buf[CG_JSHOW_MAX + 16];
    if (key_is_plain(key) && strlen(key) <= CG_JSHOW_MAX) {
        snprintf(buf, sizeof buf, ".%s", key);
    } else {
        /* Keys with odd characters are written in bracket form so the path stays readable. */
        snprintf(buf, sizeof buf, "[\"%s\"]", cg_jshow(c, key));
    }
    path_append(c, buf);
    return old;
}

size_t cg_jpath_index(cg_jctx_t *c, size_t i)
{
    size_t old = c->path_len;
    char buf[32];
    snprintf(buf, sizeof buf, "[%zu]", i);
    path_append(c, buf);
    return old;
}

void cg_jpath_pop(cg_jctx_t *c, size_t old_len)
{
    c->path_len = old_len;
    c->path[old_len] = '\0';
}

static void jerr_v(cg_jctx_t *c, bool with_path, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (with_path)
        sim_diag_add(c->diag, "%s: %s: %s", c->fname, c->path, msg);
    else
        sim_diag_add(c->diag, "%s: %s", c->fname, msg);
    c->n_errors++;
}

void cg_jerr(cg_jctx_t *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    jerr_v(c, true, fmt, ap);
    va_end(ap);
}

void cg_jerr_key(cg_jctx_t *c, const char *key, const char *fmt, ...)
{
    va_list ap;
    size_t old = cg_jpath_key(c, key);
    va_start(ap, fmt);
    jerr_v(c, true, fmt, ap);
    va_end(ap);
    cg_jpath_pop(c, old);
}

void cg_jerr_file(cg_jctx_t *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    jerr_v(c, false, fmt, ap);
    va_end(ap);
}

const char *cg_jshow(cg_jctx_t *c, const char *s)
{
    char *out = c->show[c->show_next];
    size_t n = 0;
    c->show_next = (c->show_next + 1) % CG_JSHOW_SLOTS;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (n >= CG_JSHOW_MAX) {
            memcpy(out + n, "...", 4);
            return out;
        }
        if (*p >= 0x80) {
            /* Messages stay UTF-8: a valid sequence is copied whole, an invalid byte shown as ?. */
            size_t k = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
            if (strnlen((const char *)p, k) < k || cg_jutf8_check((const char *)p, k) != k ||
                n + k > CG_JSHOW_MAX) {
                out[n++] = '?';
                continue;
            }
            memcpy(out + n, p, k);
            n += k;
            p += k - 1;
            continue;
        }
        out[n++] = (*p < 0x20 || *p == 0x7f) ? '?' : (char)*p;
    }
    out[n] = '\0';
    return out;
}

const char *cg_jtype(const cJSON *item)
{
    if (!item)
        return "nothing";
    if (cJSON_IsString(item))
        return "string";
    if (cJSON_IsNumber(item))
        return "number";
    if (cJSON_IsBool(item))
        return "boolean";
    if (cJSON_IsNull(item))
        return "null";
    if (cJSON_IsArray(item))
        return "array";
    if (cJSON_IsObject(item))
        return "object";
    return "invalid value";
}

/* ---- unknown keys ---- */

#define CG_JEDIT_MAX 64               /* longer keys get no suggestion (bounded work per key) */

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[CG_JEDIT_MAX + 1];
    if (la > CG_JEDIT_MAX || lb > CG_JEDIT_MAX)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *cg_jnearest(const char *s, const char *const *names)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; names[i]; i++) {
        size_t d = edit_distance(s, names[i]);
        size_t tolerance = 1 + strlen(names[i]) / 4;
        if (d <= tolerance && d < best_d) {
            best = names[i];
            best_d = d;
        }
    }
    return best;
}

static void known_list(const char *const *names, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; names[i] && used + 1 < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
}

static int str_ptr_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool key_allowed(const char *k, const char *const *allowed)
{
    for (size_t i = 0; allowed[i]; i++)
        if (strcmp(k, allowed[i]) == 0)
            return true;
    return false;
}

size_t cg_jcheck_dups(cg_jctx_t *c, const cJSON *obj)
{
    size_t n = (size_t)cJSON_GetArraySize(obj), bad = 0;
    if (n < 2)
        return 0;
    const char **keys = malloc(n * sizeof *keys);
    size_t k = 0;
    if (!keys) {
        cg_jerr(c, "out of memory");
        return 1;
    }
    for (const cJSON *it = obj->child; it; it = it->next)
        keys[k++] = it->string ? it->string : "";
    /* Sorting only groups equal keys together: which copy comes first does not matter. */
    qsort(keys, k, sizeof *keys, str_ptr_cmp);
    for (size_t i = 1; i < k; i++)
        if (strcmp(keys[i - 1], keys[i]) == 0 && (i < 2 || strcmp(keys[i - 2], keys[i]) != 0)) {
            cg_jerr(c, "duplicate key '%s'", cg_jshow(c, keys[i]));
            bad++;
        }
    free(keys);
    return bad;
}

size_t cg_jcheck_keys(cg_jctx_t *c, const cJSON *obj, const char *const *allowed)
{
    size_t bad = 0;
    for (const cJSON *it = obj->child; it; it = it->next) {
        const char *k = it->string ? it->string : "";
        if (key_allowed(k, allowed))
            continue;
        const char *near = cg_jnearest(k, allowed);
        if (near) {
            cg_jerr(c, "unknown key '%s' (did you mean '%s'?)", cg_jshow(c, k), near);
        } else {
            char list[768];
            known_list(allowed, list, sizeof list);
            cg_jerr(c, "unknown key '%s' (known: %s)", cg_jshow(c, k), list);
        }
        bad++;
    }
    return bad + cg_jcheck_dups(c, obj);
}

/* ---- typed getters ---- */

static void fmt_num(char *buf, size_t len, double v)
{
    if (v == floor(v) && fabs(v) < 1e18)
        snprintf(buf, len, "%" PRId64, (int64_t)v);
    else
        snprintf(buf, len, "%.15g", v);
}

bool cg_jint_value(cg_jctx_t *c, const cJSON *item, cg_jrange_t r, int64_t *out)
{
    char num[48];
    if (!cJSON_IsNumber(item)) {
        cg_jerr(c, "expected an integer, got %s", cg_jtype(item));
        return false;
    }
    double v = item->valuedouble;
    if (!isfinite(v)) {
        cg_jerr(c, "number out of range of a double");
        return false;
    }
    fmt_num(num, sizeof num, v);
    if (v != floor(v)) {
        cg_jerr(c, "expected an integer, got %s", num);
        return false;
    }
    if (v < (double)r.lo || v > (double)r.hi) {
        if (r.limit)
            cg_jerr(c, "%s is out of range (expected %" PRId64 "..%" PRId64 ", limit %s)", num,
                    r.lo, r.hi, r.limit);
        else
            cg_jerr(c, "%s is out of range (expected %" PRId64 "..%" PRId64 ")", num, r.lo, r.hi);
        return false;
    }
    *out = (int64_t)v;
    return true;
}

static const cJSON *field(const cJSON *obj, const char *key)
{
    return obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

static bool absent(cg_jctx_t *c, const cJSON *item, const char *key, bool required)
{
    if (item)
        return false;
    if (required)
        cg_jerr(c, "missing required key '%s'", key);
    return true;
}

bool cg_jget_int(cg_jctx_t *c, const cJSON *obj, const char *key, cg_jrange_t r, int64_t def,
                 bool required, int64_t *out)
{
    const cJSON *item = field(obj, key);
    *out = def;
    if (absent(c, item, key, required))
        return !required;
    size_t old = cg_jpath_key(c, key);
    bool ok = cg_jint_value(c, item, r, out);
    cg_jpath_pop(c, old);
    if (!ok)
        *out = def;
    return ok;
}

bool cg_jget_num(cg_jctx_t *c, const cJSON *obj, const char *key, double lo, bool lo_open,
                 double hi, double def, double *out)
{
    const cJSON *item = field(obj, key);
    char num[48], slo[48], shi[48];
    *out = def;
    if (!item)
        return true;
    if (!cJSON_IsNumber(item)) {
        cg_jerr_key(c, key, "expected a number, got %s", cg_jtype(item));
        return false;
    }
    double v = item->valuedouble;
    if (!isfinite(v)) {
        cg_jerr_key(c, key, "number out of range of a double");
        return false;
    }
    if (v < lo || (lo_open && v == lo) || v > hi) {
        fmt_num(num, sizeof num, v);
        fmt_num(slo, sizeof slo, lo);
        fmt_num(shi, sizeof shi, hi);
        if (lo_open)
            cg_jerr_key(c, key, "%s is out of range (expected > %s and <= %s)", num, slo, shi);
        else
            cg_jerr_key(c, key, "%s is out of range (expected %s..%s)", num, slo, shi);
        return false;
    }
    *out = v;
    return true;
}

bool cg_jget_bool(cg_jctx_t *c, const cJSON *obj, const char *key, bool def, bool *out)
{
    const cJSON *item = field(obj, key);
    *out = def;
    if (!item)
        return true;
    if (!cJSON_IsBool(item)) {
        cg_jerr_key(c, key, "expected true or false, got %s", cg_jtype(item));
        return false;
    }
    *out = cJSON_IsTrue(item);
    return true;
}

bool cg_jstr_value(cg_jctx_t *c, const cJSON *item, size_t maxlen, bool no_slash,
                   const char **out)
{
    if (!cJSON_IsString(item) || !item->valuestring) {
        cg_jerr(c, "expected a string, got %s", cg_jtype(item));
        return false;
    }
    const char *s = item->valuestring;
    size_t n = strlen(s);
    if (n == 0) {
        cg_jerr(c, "must not be empty");
        return false;
    }
    if (n > maxlen) {
        if (maxlen == CG_MAX_NAME_LEN)
            cg_jerr(c, "longer than %zu bytes (limit CG_MAX_NAME_LEN)", maxlen);
        else
            cg_jerr(c, "longer than %zu bytes", maxlen);
        return false;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            cg_jerr(c, "'%s' contains a control character", cg_jshow(c, s));
            return false;
        }
        if (no_slash && *p == '/') {
            cg_jerr(c, "'%s' must not contain '/' (fault targets are written 'group/consumer')",
                    cg_jshow(c, s));
            return false;
        }
    }
    *out = s;
    return true;
}

bool cg_jget_str(cg_jctx_t *c, const cJSON *obj, const char *key, bool required, size_t maxlen,
                 bool no_slash, const char **out)
{
    const cJSON *item = field(obj, key);
    *out = NULL;
    if (absent(c, item, key, required))
        return !required;
    size_t old = cg_jpath_key(c, key);
    bool ok = cg_jstr_value(c, item, maxlen, no_slash, out);
    cg_jpath_pop(c, old);
    return ok;
}

bool cg_jget_enum(cg_jctx_t *c, const cJSON *obj, const char *key, const char *const *names,
                  int def, int *out)
{
    const cJSON *item = field(obj, key);
    char list[256];
    *out = def;
    if (!item)
        return true;
    if (!cJSON_IsString(item) || !item->valuestring) {
        cg_jerr_key(c, key, "expected a string, got %s", cg_jtype(item));
        return false;
    }
    for (int i = 0; names[i]; i++)
        if (strcmp(item->valuestring, names[i]) == 0) {
            *out = i;
            return true;
        }
    known_list(names, list, sizeof list);
    cg_jerr_key(c, key, "unknown value '%s' (expected one of: %s)",
                cg_jshow(c, item->valuestring), list);
    return false;
}

/* ---- distributions ---- */

typedef struct dist_form {
    const char *name;                 /* "dist" value */
    sim_dist_kind_t kind;             /* family */
    const char *p1;                   /* key of the first parameter */
    const char *p2;                   /* key of the second parameter, NULL when none */
} dist_form_t;

static const dist_form_t DIST_FORMS[] = {
    {"constant", SIM_DIST_CONSTANT, "value", NULL},
    {"uniform", SIM_DIST_UNIFORM, "min", "max"},
    {"exponential", SIM_DIST_EXPONENTIAL, "mean", NULL},
    {"normal", SIM_DIST_NORMAL, "mean", "sd"},
    {"lognormal", SIM_DIST_LOGNORMAL, "mean", "sd"},
    {"pareto", SIM_DIST_PARETO, "scale", "shape"},
    {"weibull", SIM_DIST_WEIBULL, "scale", "shape"},
};
#define N_DIST_FORMS (sizeof DIST_FORMS / sizeof DIST_FORMS[0])

cJSON *cg_dist_json(const sim_dist_t *d)
{
    for (size_t i = 0; i < N_DIST_FORMS; i++) {
        if (DIST_FORMS[i].kind != d->kind)
            continue;
        cJSON *o = cJSON_CreateObject();
        if (!o || !cJSON_AddStringToObject(o, "dist", DIST_FORMS[i].name) ||
            !cJSON_AddNumberToObject(o, DIST_FORMS[i].p1, d->p1) ||
            (DIST_FORMS[i].p2 && !cJSON_AddNumberToObject(o, DIST_FORMS[i].p2, d->p2))) {
            cJSON_Delete(o);
            return NULL;
        }
        return o;
    }
    return NULL;
}

/* Field by field: a struct copy of `v` (a by-value temporary) may carry its padding bytes,
 * which are indeterminate, into the scenario; the destination's stay as the caller zeroed them,
 * so two loads of one input are equal byte for byte. */
static void dist_assign(sim_dist_t *out, sim_dist_t v)
{
    out->kind = v.kind;
    out->p1 = v.p1;
    out->p2 = v.p2;
}

static bool dist_param(cg_jctx_t *c, const cJSON *obj, const char *key, double *out)
{
    const cJSON *item = field(obj, key);
    if (absent(c, item, key, true))
        return false;
    /* Every parameter is a time, a scale or a shape: none may be negative. */
    return cg_jget_num(c, obj, key, 0, false, CG_MAX_DIST_PARAM, 0, out);
}

static bool dist_object(cg_jctx_t *c, const cJSON *obj, sim_dist_t *out)
{
    static const char *const NAMES[N_DIST_FORMS + 1] = {
        "constant", "uniform", "exponential", "normal", "lognormal", "pareto", "weibull", NULL};
    const char *keys[4] = {"dist", NULL, NULL, NULL};
    const cJSON *kind = field(obj, "dist");
    int form = -1;
    if (absent(c, kind, "dist", true))
        return false;
    if (!cg_jget_enum(c, obj, "dist", NAMES, -1, &form) || form < 0)
        return false;
    const dist_form_t *f = &DIST_FORMS[form];
    keys[1] = f->p1;
    keys[2] = f->p2;
    bool ok = cg_jcheck_keys(c, obj, keys) == 0;
    sim_dist_t d = {f->kind, 0, 0};
    ok = dist_param(c, obj, f->p1, &d.p1) && ok;
    if (f->p2)
        ok = dist_param(c, obj, f->p2, &d.p2) && ok;
    if (!ok)
        return false;
    char msg[256] = "";
    if (sim_dist_validate(&d, msg, sizeof msg) != 0) {
        cg_jerr(c, "bad %s distribution: %s", f->name, msg);
        return false;
    }
    dist_assign(out, d);
    return true;
}

bool cg_jget_dist(cg_jctx_t *c, const cJSON *obj, const char *key, sim_dist_t def,
                  bool required, sim_dist_t *out)
{
    const cJSON *item = field(obj, key);
    dist_assign(out, def);
    if (absent(c, item, key, required))
        return !required;
    size_t old = cg_jpath_key(c, key);
    bool ok = false;
    double v = 0;
    if (cJSON_IsNumber(item)) {
        /* A bare number is a constant: "processing_ms": 2 */
        cg_jpath_pop(c, old);
        ok = cg_jget_num(c, obj, key, 0, false, CG_MAX_DIST_PARAM, 0, &v);
        if (ok)
            dist_assign(out, sim_dist_constant(v));
        return ok;
    }
    if (cJSON_IsObject(item))
        ok = dist_object(c, item, out);
    else
        cg_jerr(c, "expected a number or a distribution object {\"dist\": ...}, got %s",
                cg_jtype(item));
    cg_jpath_pop(c, old);
    if (!ok)
        dist_assign(out, def);
    return ok;
}
