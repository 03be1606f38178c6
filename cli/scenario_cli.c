/* cli/scenario_cli: load a scenario and print what is wrong with it. */
#include "cli/scenario_cli.h"

#include <stdio.h>
#include "cli/cli.h"
#include "sim/diag.h"

int cli_scenario_load(const char *path, const char *const *sets, size_t n_sets,
                      uint64_t budget_bytes, cg_scenario_t **out)
{
    sim_diag_t diag;
    cg_load_opts_t opts = {.memory_budget_bytes = budget_bytes};
    sim_diag_init(&diag);
    int rc = cg_scenario_load_opts(path, sets, n_sets, &opts, out, &diag);
    if (rc != 0) {
        sim_diag_print(&diag, stderr);
        if (sim_diag_count(&diag) == 0)
            fprintf(stderr, "%s: invalid scenario\n", path);
        *out = NULL;
    }
    sim_diag_fini(&diag);
    return rc == 0 ? CLI_OK : CLI_USAGE;
}

long long cli_scenario_partitions_added(const cg_scenario_t *s)
{
    long long n = 0;
    for (size_t i = 0; i < s->n_topics; i++)
        n += s->topics[i].max_partitions - s->topics[i].partitions;
    return n;
}

long long cli_scenario_partitions(const cg_scenario_t *s)
{
    long long n = 0;
    for (size_t i = 0; i < s->n_topics; i++)
        n += s->topics[i].partitions;
    return n;
}
