/* fuzz/fuzz_analyze: `cgsim analyze` input. Any bytes must be analysed or refused with a
 * message (never "out of memory" for an input this small), with and without --partial; a result
 * has no negative total and its JSON and table can be produced. */
#include <stdint.h>
#include "analysis/an_analyze.h"
#include "fuzz/fuzz_common.h"

static void check_result(const an_result_t *res)
{
    for (size_t g = 0; g < res->n_groups; g++) {
        const an_group_sum_t *s = &res->groups[g];
        FUZZ_CHECK(s->duplicates >= 0 && s->zombie_records >= 0 && s->moved_partitions >= 0 &&
                   s->commits_ok >= 0 && s->commits_failed >= 0 && s->errors >= 0 &&
                   s->ownership_conflicts >= 0 && s->rebalances >= 0, "negative total, group %zu",
                   g);
        FUZZ_CHECK(!(s->unavailable_partition_ms < 0), "negative unavailable_partition_ms");
        FUZZ_CHECK(s->max_total_lag_records >= -1 && s->max_lag_records >= -1, "negative lag");
        for (size_t m = 0; m < s->n_members; m++)
            FUZZ_CHECK(!(s->members[m].owned_partition_ms < 0), "negative owned_partition_ms");
    }
    cJSON *j = an_result_json(res);
    FUZZ_CHECK(j != NULL, "an_result_json failed");
    cJSON_Delete(j);
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        an_result_print(res, "fuzz", null);
        fclose(null);
    }
    an_group_sum_t total;
    if (an_result_total(res, &total) == 0) {
        FUZZ_CHECK(total.duplicates >= 0 && total.moved_partitions >= 0, "negative grand total");
        an_group_sum_fini(&total);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int partial = 0; partial <= 1; partial++) {
        FILE *f = fmemopen((void *)data, size, "r");
        if (!f)
            return 0;
        an_opts_t opts = {.partial = partial != 0};
        an_result_t res;
        char err[1024];
        int rc = an_analyze_stream(f, "fuzz", &opts, NULL, &res, err, sizeof err);
        fclose(f);
        FUZZ_CHECK(rc != -2, "out of memory on a %zu-byte input: %s", size, err);
        if (rc == 0) {
            check_result(&res);
            an_result_fini(&res);
        } else {
            FUZZ_CHECK(err[0] != '\0', "refused without a message");
        }
    }
    return 0;
}
