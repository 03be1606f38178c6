/* tests/test_assign_vectors: every file of tests/vectors (cases from Kafka's and librdkafka's own
 * assignor tests, see tests/vectors/README.md) through the assignor it names, parsed with the
 * `cgsim assign` input parser. "exact" cases must equal `expected`; "properties" cases must meet
 * each listed property. One test per registered assignor; a placeholder assignor that answers
 * "not implemented" is skipped, so its vectors start checking as soon as it lands. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/assign/assignor.h"
#include "models/assign/assignor_json.h"
#include "tests/support/assign_test_util.h"

#define VEC_DIR CGSIM_SOURCE_DIR "/tests/vectors"
#define VEC_MAX_FILES 512

typedef struct vec_file {
    char name[256];                   /* file name inside VEC_DIR */
    char *text;                       /* its contents */
    size_t len;                       /* bytes */
} vec_file_t;

static int vec_name_cmp(const void *a, const void *b)
{
    return strcmp(((const vec_file_t *)a)->name, ((const vec_file_t *)b)->name);
}

/* All *.json files of VEC_DIR, sorted by name. */
static size_t vec_list(vec_file_t *files)
{
    DIR *d = opendir(VEC_DIR);
    cr_assert_not_null(d, "cannot open %s", VEC_DIR);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".json") != 0)
            continue;
        cr_assert_lt(n, VEC_MAX_FILES);
        snprintf(files[n].name, sizeof files[n].name, "%s", e->d_name);
        n++;
    }
    closedir(d);
    qsort(files, n, sizeof *files, vec_name_cmp);
    for (size_t i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", VEC_DIR, files[i].name);
        files[i].text = at_read_file(path, &files[i].len);
    }
    return n;
}

static const cg_assignor_ops_t *vec_assignor(const cJSON *root)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "assignor");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "protocol");
    cr_assert(cJSON_IsString(a) && cJSON_IsString(p));
    cg_protocol_t proto = strcmp(p->valuestring, "consumer") == 0 ? CG_PROTOCOL_CONSUMER
                                                                   : CG_PROTOCOL_CLASSIC;
    return cg_assignor_find(proto, a->valuestring);
}

/* One named property of README.md; `min_kept` only for "sticky". */
static void vec_property(const char *file, const char *prop, const cg_assign_input_t *in,
                         const int32_t *owner, int64_t min_kept)
{
    int64_t total = cg_assign_total_partitions(in), kept = 0, mn = INT64_MAX, mx = 0;
    int64_t *count = calloc(in->n_members + 1, sizeof *count);
    for (int64_t g = 0; g < total; g++) {
        int32_t t = at_topic_of(in, g), p = (int32_t)(g - in->topic_base[t]), o = owner[g];
        bool any_sub = false, moved = false;
        cr_assert(o >= -1 && o < (int32_t)in->n_members, "%s: bad owner %d", file, o);
        for (size_t i = 0; i < in->n_members; i++) {
            any_sub |= cg_assign_subscribed(&in->members[i], t);
            moved |= o >= 0 && (int32_t)i != o && at_lists(&in->members[i], t, p);
        }
        if (o >= 0) {
            count[o]++;
            kept += at_lists(&in->members[o], t, p);
        }
        if (strcmp(prop, "complete") == 0)
            cr_assert(o >= 0 || !any_sub, "%s: %s-%d unassigned", file, in->topics[t].name, p);
        if (strcmp(prop, "subscribed") == 0 && o >= 0)
            cr_assert(cg_assign_subscribed(&in->members[o], t), "%s: %s-%d to unsubscribed %s",
                      file, in->topics[t].name, p, in->members[o].id);
        if (strcmp(prop, "cooperative") == 0)
            cr_assert(!moved, "%s: %s-%d moved to %s in one round", file, in->topics[t].name, p,
                      in->members[o].id);
    }
    for (size_t i = 0; i < in->n_members; i++) {
        mn = count[i] < mn ? count[i] : mn;
        mx = count[i] > mx ? count[i] : mx;
    }
    free(count);
    if (strcmp(prop, "balanced") == 0)
        cr_assert(in->n_members == 0 || mx - mn <= 1, "%s: counts from %lld to %lld", file,
                  (long long)mn, (long long)mx);
    if (strcmp(prop, "sticky") == 0)
        cr_assert_geq(kept, min_kept, "%s: kept %lld owned partitions, Kafka kept %lld", file,
                      (long long)kept, (long long)min_kept);
    /* "exclusive" holds by construction of owner[] (one slot per partition); the range check on
     * every slot above is what can fail. */
    cr_assert(strcmp(prop, "complete") == 0 || strcmp(prop, "subscribed") == 0 ||
              strcmp(prop, "cooperative") == 0 || strcmp(prop, "balanced") == 0 ||
              strcmp(prop, "sticky") == 0 || strcmp(prop, "exclusive") == 0,
              "%s: unknown property '%s'", file, prop);
}

static void vec_check(const vec_file_t *f, const cJSON *root, const cg_assign_input_t *in,
                      const int32_t *owner)
{
    const char *check = cJSON_GetObjectItemCaseSensitive(root, "check")->valuestring;
    if (strcmp(check, "exact") == 0) {
        cJSON *got = cg_assign_result_json(in, owner);
        const cJSON *want = cJSON_GetObjectItemCaseSensitive(root, "expected");
        char *gs = cJSON_PrintUnformatted(got), *ws = cJSON_PrintUnformatted(want);
        cr_assert(cJSON_Compare(got, want, true), "%s:\n got  %s\n want %s", f->name, gs, ws);
        free(gs);
        free(ws);
        cJSON_Delete(got);
        return;
    }
    cr_assert_str_eq(check, "properties", "%s: unknown check '%s'", f->name, check);
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(root, "properties");
    const cJSON *mk = cJSON_GetObjectItemCaseSensitive(root, "min_kept");
    cr_assert(cJSON_GetArraySize(props) > 0, "%s: no properties", f->name);
    for (const cJSON *p = props->child; p != NULL; p = p->next)
        vec_property(f->name, p->valuestring, in, owner, mk ? (int64_t)mk->valuedouble : 0);
}

/* Runs one vector; returns 1 when the assignor is a placeholder ("not implemented"). */
static int vec_run(const vec_file_t *f, const cJSON *root, const cg_assignor_ops_t *ops)
{
    cg_assign_doc_t doc;
    char err[1024];
    cr_assert_eq(cg_assign_doc_parse(&doc, f->text, f->len, f->name, err, sizeof err), 0, "%s",
                 err);
    int64_t total = cg_assign_total_partitions(&doc.in);
    int32_t *owner = malloc((size_t)(total + 1) * sizeof *owner);
    cr_assert_not_null(owner);
    err[0] = '\0';
    int rc = ops->assign(&doc.in, &(cg_assign_output_t){owner}, err, sizeof err);
    if (rc != 0 && strstr(err, "not implemented") != NULL) {
        free(owner);
        cg_assign_doc_fini(&doc);
        return 1;
    }
    cr_assert_eq(rc, 0, "%s: %s failed: %s", f->name, ops->name, err);
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(root, "properties");
    for (const cJSON *p = props ? props->child : NULL; p != NULL; p = p->next)
        cr_assert(strcmp(p->valuestring, "sticky") != 0 ||
                  cJSON_GetObjectItemCaseSensitive(root, "min_kept") != NULL,
                  "%s: 'sticky' without min_kept", f->name);
    vec_check(f, root, &doc.in, owner);
    free(owner);
    cg_assign_doc_fini(&doc);
    return 0;
}

static void vec_for_assignor(const cg_assignor_ops_t *ops)
{
    vec_file_t *files = calloc(VEC_MAX_FILES, sizeof *files);
    size_t n = vec_list(files), ran = 0, placeholder = 0;
    for (size_t i = 0; i < n; i++) {
        cJSON *root = cJSON_ParseWithLength(files[i].text, files[i].len);
        cr_assert_not_null(root, "%s: not JSON", files[i].name);
        if (vec_assignor(root) == ops) {
            ran++;
            placeholder += (size_t)vec_run(&files[i], root, ops);
        }
        cJSON_Delete(root);
        free(files[i].text);
    }
    free(files);
    cr_assert_gt(ran, 0, "no vector for %s", ops->name);
    if (placeholder > 0)
        cr_skip_test("%s is a placeholder (not implemented yet): %zu vectors skipped", ops->name,
                     placeholder);
    cr_log_info("%s: %zu vectors passed", ops->name, ran);
}

ParameterizedTestParameters(vectors, every_assignor)
{
    static int idx[] = {0, 1, 2, 3, 4, 5};
    return cr_make_param_array(int, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(int *i, vectors, every_assignor)
{
    const cg_assignor_ops_t *const *all;
    cr_assert_eq(cg_assignor_all(&all), 6);
    vec_for_assignor(all[*i]);
}

/* Every vector names a registered assignor, so none is silently left out. */
Test(vectors, all_files_have_an_assignor)
{
    vec_file_t *files = calloc(VEC_MAX_FILES, sizeof *files);
    size_t n = vec_list(files);
    cr_assert_geq(n, 55, "only %zu vector files in %s", n, VEC_DIR);
    for (size_t i = 0; i < n; i++) {
        cJSON *root = cJSON_ParseWithLength(files[i].text, files[i].len);
        cr_assert_not_null(vec_assignor(root), "%s: unknown assignor", files[i].name);
        cJSON_Delete(root);
        free(files[i].text);
    }
    free(files);
}

/* ---- the `cgsim assign` input parser: JSON paths in errors, limits, skipped topics ---- */

static void bad_input(const char *text, const char *want)
{
    cg_assign_doc_t doc;
    char err[1024] = "";
    cr_assert_eq(cg_assign_doc_parse(&doc, text, strlen(text), "in.json", err, sizeof err), -1,
                 "accepted: %s", text);
    cr_assert(strstr(err, want) != NULL, "for %s\n got  %s\n want ...%s...", text, err, want);
    cr_assert(strncmp(err, "in.json: $", 10) == 0, "no file and path: %s", err);
}

Test(input, errors_name_the_path_and_what_was_expected)
{
    bad_input("", "$: empty input");
    bad_input(" \n", "$: empty input");
    bad_input("{\"topics\":{}, \"members\":[}", "$: not valid JSON (error near line 1, column");
    bad_input("{\"topics\":{},\"members\":[]} {}", "not valid JSON");
    bad_input("[]", "$: expected a JSON object");
    bad_input("{\"topic\":{},\"members\":[]}", "$: unknown key 'topic' (did you mean 'topics'?");
    bad_input("{\"members\":[]}", "$: missing key 'topics'");
    bad_input("{\"topics\":{\"a\":1}}", "$: missing key 'members'");
    bad_input("{\"topics\":{\"a\":-1},\"members\":[]}", "$.topics.a: negative partition count");
    bad_input("{\"topics\":{\"a\":1.5},\"members\":[]}", "$.topics.a: expected an integer");
    bad_input("{\"topics\":{\"a\":1000001},\"members\":[]}", "CG_MAX_PARTITIONS_PER_TOPIC");
    bad_input("{\"topics\":{\"a\":1,\"a\":2},\"members\":[]}", "$.topics: topic 'a' appears twice");
    bad_input("{\"topics\":{\"a\":1},\"members\":[{\"id\":\"x\",\"topics\":[\"a\"]},"
              "{\"id\":\"x\",\"topics\":[]}]}",
              "$.members[1].id: duplicate member id 'x' (also in $.members[0])");
    bad_input("{\"topics\":{\"a\":1},\"members\":[{\"id\":\"x\",\"topics\":[\"a\"],"
              "\"owned\":[[\"a\",-1]]}]}", "$.members[0].owned[0]: negative partition -1");
    bad_input("{\"topics\":{\"a\":2},\"members\":[{\"id\":\"x\",\"topics\":[\"a\"],"
              "\"owned\":[[\"a\",0],[\"a\",2]]}]}",
              "$.members[0].owned[1]: partition 2 out of range: topic 'a' has 2 partitions");
    bad_input("{\"topics\":{\"a\":1},\"members\":[{\"id\":\"x\",\"topics\":[\"a\",3]}]}",
              "$.members[0].topics[1]: expected a topic name");
    bad_input("{\"topics\":{\"a\":1},\"members\":[{\"id\":\"x\",\"topic\":[\"a\"]}]}",
              "$.members[0]: unknown key 'topic' (did you mean 'topics'?");
    bad_input("{\"topics\":{\"a\":1},\"members\":[{\"id\":\"x\",\"topics\":[],"
              "\"generation\":-2}]}", "$.members[0].generation: -2 out of range");
    bad_input("{\"topics\":{\"a\":1},\"members\":[{\"id\":\"x\",\"topics\":[],"
              "\"instance_id\":5}]}", "$.members[0].instance_id: expected a string or null");
}

Test(input, nesting_beyond_the_limit_is_refused_before_parsing)
{
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    cg_assign_doc_t doc;
    char err[512];
    cr_assert_eq(cg_assign_doc_parse(&doc, deep, sizeof deep, "d", err, sizeof err), -1);
    cr_assert(strstr(err, "CG_MAX_JSON_DEPTH") != NULL, "%s", err);
}

Test(input, missing_topics_are_skipped_with_a_note_and_storage_is_sorted)
{
    const char *text = "{\"topics\":{\"b\":2,\"a\":1},\"note\":\"ignored\",\"expected\":{},"
                       "\"members\":[{\"id\":\"x\",\"topics\":[\"b\",\"gone\",\"a\",\"b\"],"
                       "\"owned\":[[\"gone\",4],[\"b\",1]],\"generation\":3,\"rack\":null}]}";
    cg_assign_doc_t doc;
    char err[512];
    cr_assert_eq(cg_assign_doc_parse(&doc, text, strlen(text), "f", err, sizeof err), 0, "%s",
                 err);
    cr_assert_eq(doc.in.n_topics, 2);
    cr_assert_str_eq(doc.in.topics[0].name, "a");
    cr_assert_eq(doc.in.topic_base[1], 1);
    cr_assert_eq(doc.in.topic_base[2], 3);
    const cg_assign_member_t *m = &doc.in.members[0];
    cr_assert_eq(m->n_topics, 2);
    cr_assert(m->topics[0] == 0 && m->topics[1] == 1);
    cr_assert_eq(m->n_owned, 1);
    cr_assert(m->owned[0].topic == 1 && m->owned[0].partition == 1);
    cr_assert_eq(m->generation, 3);
    cr_assert_null(m->instance_id);
    cr_assert_eq(doc.n_skipped, 2);
    cr_assert(strstr(doc.skipped_note, "$.members[0].topics[1]: topic 'gone'") != NULL, "%s",
              doc.skipped_note);
    int32_t owner[3] = {-1, 0, -1};
    cJSON *res = cg_assign_result_json(&doc.in, owner);
    char *s = cJSON_PrintUnformatted(res);
    cr_assert_str_eq(s, "{\"x\":[[\"b\",0]]}");
    free(s);
    cJSON_Delete(res);
    cg_assign_doc_fini(&doc);
}
