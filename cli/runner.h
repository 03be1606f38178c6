/* cli/runner: what compare and sweep share: one simulated run analysed into its figures, and a
 * pool of pthreads over independent tasks.
 * Owns: the in-memory trace of a run (open_memstream, read back with fmemopen by analysis/), the
 *       worker threads and the task counter. Does not own: scenarios, the tasks' results (the
 *       caller stores them by task index).
 * Invariant: a task's result depends only on its index, never on the thread or the order in
 *            which tasks finish, so callers that store by index get the same output for any J. */
#ifndef CLI_RUNNER_H
#define CLI_RUNNER_H

#include <stddef.h>
#include <stdint.h>
#include "analysis/an_compare.h"
#include "models/scenario/scenario.h"

#define CLI_RUN_ERR_MAX 1024          /* bytes of a run's error message */

/* Task k of n; returns CLI_OK or another status (kept by the caller). */
typedef int (*cli_task_fn)(void *ctx, size_t k);
/* Called under the pool's lock after each task, with the count finished so far. */
typedef void (*cli_done_fn)(void *ctx, size_t k, size_t done);

/* Runs tasks 0..n-1 on `jobs` threads (the calling thread included). CLI_OK, or CLI_FAIL when no
 * thread could be set up (then no task ran). `done` may be NULL. */
int cli_pool_run(size_t n, size_t jobs, cli_task_fn task, cli_done_fn done, void *ctx);

/* Simulates `s` with master seed `seed` (invariant checks on), streams the trace in memory into
 * the analyzer and fills `figs` (an_figures_of). CLI_OK, or CLI_FAIL with the reason in err (an
 * invariant violation, a run that stopped early, out of memory). `label` names the trace in
 * analysis messages. */
int cli_run_figures(const cg_scenario_t *s, uint64_t seed, const char *label,
                    double figs[AN_FIG_COUNT], char *err, size_t errlen);

#endif
