/* models/scenario_set: `--set path=value` overrides, applied to the parsed JSON before validation.
 * Paths look like `groups[0].config.session.timeout.ms`. Kafka keys contain dots, so a key is
 * resolved greedily: at each object the longest existing key that the rest of the path starts
 * with wins; inside a "config" object the whole rest of the path is one key. A missing key is
 * created (so a default can be overridden); a missing array element is an error. */
#include "models/scenario/scenario_json.h"

#include <stdlib.h>
#include <string.h>

typedef struct set_walk {
    cg_jctx_t *c;                     /* context, its path follows the walk */
    const char *set;                  /* the whole argument, for messages */
    const char *last_key;             /* key of the current node in its parent, or NULL */
} set_walk_t;

static int set_fail(set_walk_t *w, const char *msg)
{
    cg_jerr_file(w->c, "--set '%s': %s: %s", cg_jshow(w->c, w->set), w->c->path, msg);
    return -1;
}

static bool seg_end(char ch)
{
    return ch == '\0' || ch == '.' || ch == '[';
}

/* Length of the key that starts the path `p` in object `node`. */
static size_t key_len(const cJSON *node, const char *p, bool in_config)
{
    size_t best = 0;
    for (const cJSON *it = node->child; it; it = it->next) {
        size_t n = it->string ? strlen(it->string) : 0;
        if (n > best && strncmp(p, it->string, n) == 0 && seg_end(p[n]))
            best = n;
    }
    if (best)
        return best;
    if (in_config)
        return strcspn(p, "[");
    return strcspn(p, ".[");
}

static int parse_index(set_walk_t *w, const char **pp, size_t *out)
{
    const char *p = *pp + 1;
    size_t v = 0;
    if (*p < '0' || *p > '9')
        return set_fail(w, "expected an array index like [0]");
    while (*p >= '0' && *p <= '9') {
        if (v > 100000000)
            return set_fail(w, "array index too large");
        v = v * 10 + (size_t)(*p - '0');
        p++;
    }
    if (*p != ']')
        return set_fail(w, "expected ']' after the array index");
    *pp = p + 1;
    *out = v;
    return 0;
}

static int step_index(set_walk_t *w, cJSON **node, const char **pp, cJSON *value, bool *done)
{
    size_t idx = 0;
    char msg[128];
    if (parse_index(w, pp, &idx) != 0)
        return -1;
    if (!cJSON_IsArray(*node)) {
        snprintf(msg, sizeof msg, "not an array (it is %s %s)",
                 cJSON_IsObject(*node) || cJSON_IsArray(*node) ? "an" : "a", cg_jtype(*node));
        return set_fail(w, msg);
    }
    size_t n = (size_t)cJSON_GetArraySize(*node);
    cg_jpath_index(w->c, idx);
    if (idx >= n) {
        snprintf(msg, sizeof msg, "no such element (%s has %zu)",
                 w->last_key ? cg_jshow(w->c, w->last_key) : "the array", n);
        return set_fail(w, msg);
    }
    if (**pp == '\0') {
        cJSON_ReplaceItemInArray(*node, (int)idx, value);
        *done = true;
        return 0;
    }
    *node = cJSON_GetArrayItem(*node, (int)idx);
    return 0;
}

static int step_key(set_walk_t *w, cJSON **node, const char **pp, cJSON *value, bool *done)
{
    char msg[128];
    bool in_config = w->last_key && strcmp(w->last_key, "config") == 0;
    if (!cJSON_IsObject(*node)) {
        snprintf(msg, sizeof msg, "cannot set a key inside %s %s",
                 cJSON_IsArray(*node) ? "an" : "a", cg_jtype(*node));
        return set_fail(w, msg);
    }
    size_t n = key_len(*node, *pp, in_config);
    if (n == 0)
        return set_fail(w, "empty key in the path");
    char *key = malloc(n + 1);
    if (!key)
        return set_fail(w, "out of memory");
    memcpy(key, *pp, n);
    key[n] = '\0';
    *pp += n;
    cg_jpath_key(w->c, key);
    cJSON *child = cJSON_GetObjectItemCaseSensitive(*node, key);
    if (**pp == '\0') {
        if (child)
            cJSON_ReplaceItemInObjectCaseSensitive(*node, key, value);
        else
            cJSON_AddItemToObject(*node, key, value);
        free(key);
        *done = true;
        return 0;
    }
    if (!child) {
        if (**pp == '[') {
            free(key);
            return set_fail(w, "no such array");
        }
        child = cJSON_AddObjectToObject(*node, key);
    }
    /* The parent's key decides the "config" rule; keep a pointer that lives with the tree. */
    w->last_key = child ? child->string : NULL;
    free(key);
    *node = child;
    if (!child)
        return set_fail(w, "out of memory");
    return 0;
}

static int walk(set_walk_t *w, cJSON *root, const char *path, cJSON *value)
{
    cJSON *node = root;
    const char *p = path;
    bool done = false;
    if (*p == '\0')
        return set_fail(w, "empty path");
    while (!done) {
        int rc;
        if (*p == '[') {
            rc = step_index(w, &node, &p, value, &done);
        } else {
            rc = step_key(w, &node, &p, value, &done);
        }
        if (rc != 0)
            return -1;
        if (!done && *p == '.') {
            p++;
            if (*p == '\0' || *p == '.' || *p == '[')
                return set_fail(w, "empty key in the path");
        }
    }
    return 0;
}

int cg_jset_apply(cg_jctx_t *c, cJSON *root, const char *set)
{
    set_walk_t w = {c, set, NULL};
    const char *eq = strchr(set, '=');
    if (!eq || eq == set) {
        cg_jerr_file(c, "--set '%s': expected PATH=VALUE, e.g. groups[0].assignor=sticky",
                     cg_jshow(c, set));
        return -1;
    }
    /* Without this, a value that is not JSON became a string with its bytes as given, and
     * invalid UTF-8 reached ids and the trace. */
    size_t bad = cg_jutf8_check(set, strlen(set));
    if (bad < strlen(set)) {
        cg_jerr_file(c, "--set '%s': invalid UTF-8 byte 0x%02X at byte %zu (paths and values "
                     "must be UTF-8)", cg_jshow(c, set), (unsigned char)set[bad], bad + 1);
        return -1;
    }
    size_t plen = (size_t)(eq - set);
    char *path = malloc(plen + 1);
    if (!path) {
        cg_jerr_file(c, "--set: out of memory");
        return -1;
    }
    memcpy(path, set, plen);
    path[plen] = '\0';
    /* A value that parses as JSON is JSON (10000, true, null, "x", {...}); anything else is a
     * plain string, so `assignor=sticky` needs no quotes. */
    const char *vtext = eq + 1;
    cJSON *value = cg_jparse(NULL, "", vtext, strlen(vtext));
    if (!value)
        value = cJSON_CreateString(vtext);
    size_t old = c->path_len;
    int rc = value ? walk(&w, root, path, value) : -1;
    if (!value)
        cg_jerr_file(c, "--set '%s': out of memory", cg_jshow(c, set));
    cg_jpath_pop(c, old);
    if (rc != 0)
        cJSON_Delete(value);
    free(path);
    return rc;
}
