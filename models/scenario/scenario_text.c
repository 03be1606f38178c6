/* models/scenario_text: checks on the raw bytes before cJSON sees them, and the parse itself.
 * NUL bytes, invalid UTF-8 and nesting beyond CG_MAX_JSON_DEPTH are refused with a line and column
 * here, because cJSON would otherwise stop at a NUL, accept bad UTF-8 into ids that reach the
 * trace, or recurse up to its own limit of 1000 levels. */
#include "models/scenario/scenario_json.h"

#include <stdio.h>
#include <string.h>
#include "models/limits.h"
#include "sim/utf8.h"

typedef struct text_pos {
    size_t line;                      /* 1-based */
    size_t column;                    /* 1-based, in code points */
} text_pos_t;

static text_pos_t pos_of(const char *text, size_t len, size_t off)
{
    text_pos_t p = {1, 1};
    if (off > len)
        off = len;
    for (size_t i = 0; i < off; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n') {
            p.line++;
            p.column = 1;
        } else if ((ch & 0xC0) != 0x80) {
            p.column++;       /* continuation bytes belong to the previous code point */
        }
    }
    return p;
}

static void err_at(cg_jctx_t *c, const char *what, const char *text, size_t len, size_t off,
                   const char *msg)
{
    text_pos_t p = pos_of(text, len, off);
    if (c)
        cg_jerr_file(c, "%sline %zu, column %zu: %s", what, p.line, p.column, msg);
}

size_t cg_jutf8_check(const char *text, size_t len)
{
    return sim_utf8_check(text, len);
}

static int check_bytes(cg_jctx_t *c, const char *what, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    char msg[96];
    for (size_t i = 0; i < len;) {
        if (s[i] == 0) {
            err_at(c, what, text, len, i, "NUL byte (not a JSON text file)");
            return -1;
        }
        size_t n = sim_utf8_seq_len(s + i, len - i);
        if (n == 0) {
            snprintf(msg, sizeof msg, "invalid UTF-8 byte 0x%02X (JSON text must be UTF-8)", s[i]);
            err_at(c, what, text, len, i, msg);
            return -1;
        }
        i += n;
    }
    return 0;
}

/* Also tells whether the text ends inside a string or an unclosed [ or {: a truncated file. */
static int check_depth(cg_jctx_t *c, const char *what, const char *text, size_t len,
                       int max_depth, bool *truncated)
{
    int depth = 0;
    bool in_string = false;
    char msg[96];
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        if (in_string) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_string = false;
        } else if (ch == '"') {
            in_string = true;
        } else if (ch == '[' || ch == '{') {
            if (++depth > max_depth) {
                snprintf(msg, sizeof msg, "nesting deeper than %d levels (limit CG_MAX_JSON_DEPTH)",
                         max_depth);
                err_at(c, what, text, len, i, msg);
                return -1;
            }
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            depth--;
        }
    }
    if (truncated)
        *truncated = in_string || depth > 0;
    return 0;
}

int cg_jprecheck(cg_jctx_t *c, const char *what, const char *text, size_t len, int max_depth)
{
    if (check_bytes(c, what, text, len) != 0)
        return -1;
    return check_depth(c, what, text, len, max_depth, NULL);
}

static size_t skip_ws(const char *text, size_t len, size_t i)
{
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    return i;
}

static void syntax_error(cg_jctx_t *c, const char *what, const char *text, size_t len, size_t off)
{
    char near[24], msg[96];
    size_t n = 0;
    if (skip_ws(text, len, off) >= len) {
        err_at(c, what, text, len, len, "unexpected end of input (truncated JSON?)");
        return;
    }
    while (off + n < len && n < 16 && text[off + n] != '\n' && text[off + n] != '\r') {
        unsigned char ch = (unsigned char)text[off + n];
        near[n] = (ch < 0x20 || ch >= 0x7f) ? '?' : (char)ch;
        n++;
    }
    near[n] = '\0';
    snprintf(msg, sizeof msg, "JSON syntax error near '%s'", near);
    err_at(c, what, text, len, off, msg);
}

cJSON *cg_jparse(cg_jctx_t *c, const char *what, const char *text, size_t len)
{
    const char *end = NULL;
    size_t start = 0;
    /* A UTF-8 byte-order mark is not JSON, but editors write it: skip it. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        start = 3;
    bool truncated = false;
    if (check_bytes(c, what, text, len) != 0 ||
        check_depth(c, what, text, len, CG_MAX_JSON_DEPTH, &truncated) != 0)
        return NULL;
    if (skip_ws(text, len, start) >= len) {
        if (c)
            cg_jerr_file(c, "%sempty input (expected a JSON object)", what);
        return NULL;
    }
    cJSON *root = cJSON_ParseWithLengthOpts(text + start, len - start, &end, 0);
    if (!root) {
        size_t off = end && end >= text + start && !truncated ? (size_t)(end - text) : len;
        syntax_error(c, what, text, len, off);
        return NULL;
    }
    size_t rest = end ? (size_t)(end - text) : len;
    if (skip_ws(text, len, rest) < len) {
        err_at(c, what, text, len, skip_ws(text, len, rest),
               "unexpected text after the end of the JSON value");
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}
