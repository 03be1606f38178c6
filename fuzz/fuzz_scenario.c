/* fuzz/fuzz_scenario: the scenario loader with --set overrides. Any input must load or be
 * refused with at least one diagnostic, within the budget, without a sanitizer report; a loaded
 * scenario must meet the loader's invariant (times within limits, references resolved). */
#include <stdint.h>
#include "fuzz/fuzz_common.h"
#include "models/limits.h"
#include "models/scenario/scenario.h"

static void check_loaded(const cg_scenario_t *s)
{
    FUZZ_CHECK(s->duration_ns > 0 && s->duration_ns <= CG_MAX_DURATION_MS * 1000000LL,
               "duration_ns %lld", (long long)s->duration_ns);
    for (size_t i = 0; i < s->n_faults; i++) {
        const cg_fault_cfg_t *f = &s->faults[i];
        FUZZ_CHECK(f->at_ns >= 0 && f->at_ns <= s->duration_ns, "fault %zu at %lld", i,
                   (long long)f->at_ns);
        FUZZ_CHECK(f->group >= 0 && (size_t)f->group < s->n_groups, "fault %zu group", i);
        FUZZ_CHECK(f->consumer < 0 || (size_t)f->consumer < s->n_consumers, "fault %zu target", i);
    }
    for (size_t i = 0; i < s->n_consumers; i++)
        FUZZ_CHECK(s->consumers[i].group >= 0 && (size_t)s->consumers[i].group < s->n_groups,
                   "consumer %zu group", i);
    for (size_t i = 0; i < s->n_producers; i++)
        FUZZ_CHECK(s->producers[i].topic >= 0 && (size_t)s->producers[i].topic < s->n_topics,
                   "producer %zu topic", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input_t in;
    if (fuzz_split(data, size, &in) != 0)
        return 0;
    sim_diag_t diag;
    cg_scenario_t *s = NULL;
    cg_load_opts_t opts = {.memory_budget_bytes = FUZZ_BUDGET_BYTES};
    sim_diag_init(&diag);
    int rc = cg_scenario_parse_opts("fuzz.json", in.text, in.len, (const char *const *)in.sets,
                                    in.n_sets, &opts, &s, &diag);
    if (rc == 0)
        check_loaded(s);
    else
        FUZZ_CHECK(sim_diag_count(&diag) > 0 && !s, "refused without a message");
    cg_scenario_free(s);
    sim_diag_fini(&diag);
    fuzz_input_fini(&in);
    return 0;
}
