/* cli/sweep: `cgsim sweep`, a grid of scenario overrides times replicates (seeds).
 * Owns: the sweep's specification (from a SPEC.json and/or the command line), its execution on
 *       threads and MPI ranks, resuming and the output directory (runs.jsonl, summary.json,
 *       summary.csv). Does not own: figures and statistics (analysis/an_sweep, an_compare), the
 *       simulation (models/), MPI itself (cli/sweep_mpi).
 * Invariant: the output files are a function of the specification only: not of --jobs, of the
 *            number of ranks, of the order in which runs finish, or of interruptions. */
#ifndef CLI_SWEEP_H
#define CLI_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include "analysis/an_sweep.h"
#include "cli/sweep_mpi.h"

#define SWEEP_MAX_VALUES 1024         /* values on one axis */
#define SWEEP_MAX_POINTS 10000        /* grid points (one loaded scenario each) */
#define SWEEP_MAX_SEEDS 100000        /* replicates per point */
#define SWEEP_MAX_RUNS 10000000       /* points x replicates */
#define SWEEP_MAX_SETS 256            /* --set overrides applied to every point */
#define SWEEP_MAX_JOBS 1024           /* threads per process */
#define SWEEP_MAX_SPEC_BYTES (1L << 20)   /* a SPEC.json file */
#define SWEEP_MAX_LINE_BYTES (1L << 20)   /* one line of runs.jsonl */
#define SWEEP_DEFAULT_SEEDS 10
#define SWEEP_BATCH_PER_JOB 16        /* runs per thread between two appends to runs.jsonl */

typedef struct sweep_spec {
    char *scenario;                   /* scenario file (relative to the spec's directory when
                                         given in a spec) */
    an_sweep_axis_t axes[AN_SWEEP_MAX_AXES]; /* the grid, in the order given */
    size_t n_axes;                    /* axes in use */
    char *sets[SWEEP_MAX_SETS];       /* "path=value" applied to every point */
    size_t n_sets;                    /* overrides in use */
    size_t seeds;                     /* replicates per point */
    char *out;                        /* output directory */
    char *baseline[AN_SWEEP_MAX_AXES]; /* "path=value" naming the baseline point */
    size_t n_baseline;                /* baseline values given */
    size_t baseline_point;            /* resolved from `baseline` (axes not named: first value) */
    size_t jobs;                      /* threads per process */
} sweep_spec_t;

/* Reads the command line (and the SPEC.json it names) into s. CLI_OK, or CLI_USAGE with every
 * message printed ("FILE: $.json.path: what was expected"). */
int sweep_spec_parse(int argc, char **argv, sweep_spec_t *s);
void sweep_spec_fini(sweep_spec_t *s);
/* Runs the sweep (all ranks call it) and writes the output on rank 0. Exit status. */
int sweep_exec(const sweep_spec_t *s, const cli_mpi_t *m);

#endif
