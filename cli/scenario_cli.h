/* cli/scenario_cli: loading a scenario for a subcommand (run, validate, compare).
 * Owns: printing the loader's diagnostics on stderr and mapping them to an exit status.
 * Does not own: parsing or validation (models/scenario).
 * Invariant: returns CLI_OK with *out set, or CLI_USAGE with *out NULL and every problem
 *            printed. */
#ifndef CLI_SCENARIO_CLI_H
#define CLI_SCENARIO_CLI_H

#include <stddef.h>
#include "models/scenario/scenario.h"

/* budget_bytes: the memory budget (0 = CG_DEFAULT_MEMORY_BUDGET_BYTES). */
int cli_scenario_load(const char *path, const char *const *sets, size_t n_sets,
                      uint64_t budget_bytes, cg_scenario_t **out);
/* Total partitions over all topics, for summaries. */
long long cli_scenario_partitions(const cg_scenario_t *s);          /* at the start */
long long cli_scenario_partitions_added(const cg_scenario_t *s);    /* by add_partitions faults */

#endif
