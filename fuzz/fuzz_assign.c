/* fuzz/fuzz_assign: `cgsim assign` input. Any bytes must parse or be refused with a message;
 * a document within a small budget is run through every registered assignor of both protocols,
 * whose output must give each partition at most one owner, a member subscribed to its topic. */
#include <stdint.h>
#include "fuzz/fuzz_common.h"
#include "models/assign/assignor.h"
#include "models/assign/assignor_json.h"

#define FUZZ_ASSIGN_BUDGET (16ULL * 1024 * 1024) /* small: each input must run fast */

static void check_output(const cg_assign_input_t *in, const int32_t *owner, const char *name)
{
    size_t t = 0;
    for (int64_t g = 0; g < cg_assign_total_partitions(in); g++) {
        while (in->topic_base[t + 1] <= g)
            t++;
        if (owner[g] == -1)
            continue;
        FUZZ_CHECK(owner[g] >= 0 && (size_t)owner[g] < in->n_members &&
                   cg_assign_subscribed(&in->members[owner[g]], (int32_t)t),
                   "assignor %s gave partition %lld to %d", name, (long long)g, (int)owner[g]);
    }
}

static void run_all(const cg_assign_doc_t *doc, cg_protocol_t proto)
{
    int64_t total = cg_assign_total_partitions(&doc->in);
    int32_t *owner = malloc((size_t)(total ? total : 1) * sizeof *owner);
    if (!owner)
        return;
    char names[512];
    snprintf(names, sizeof names, "%s", cg_assignor_names(proto));   /* "a, b, c" */
    for (char *save = NULL, *n = strtok_r(names, ", ", &save); n; n = strtok_r(NULL, ", ", &save)) {
        const cg_assignor_ops_t *ops = cg_assignor_find(proto, n);
        if (!ops)
            continue;
        cg_assign_output_t out = {owner};
        char err[512] = "";
        if (ops->assign(&doc->in, &out, err, sizeof err) == 0)
            check_output(&doc->in, owner, ops->name);
    }
    free(owner);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cg_assign_doc_t doc;
    char err[1024] = "";
    if (cg_assign_doc_parse(&doc, (const char *)data, size, "fuzz.json", err, sizeof err) != 0) {
        FUZZ_CHECK(err[0] != '\0', "refused without a message");
        return 0;
    }
    if (cg_assign_doc_budget(&doc, FUZZ_ASSIGN_BUDGET, err, sizeof err) == 0) {
        run_all(&doc, CG_PROTOCOL_CLASSIC);
        run_all(&doc, CG_PROTOCOL_CONSUMER);
    }
    cg_assign_doc_fini(&doc);
    return 0;
}
