/* cli/sweep_mpi: the few MPI operations a sweep needs, or single-process stand-ins when cgsim is
 * built without MPI (CGSIM_HAVE_MPI undefined) or not started by an MPI launcher.
 * Owns: MPI_Init_thread / MPI_Finalize, broadcasts from rank 0, gathering result lines on rank 0.
 * Does not own: what is sent (cli/cmd_sweep decides the dealing of runs to ranks).
 * Invariant: every rank makes the same sequence of calls; only the main thread calls MPI
 *            (MPI_THREAD_FUNNELED), worker threads never do. */
#ifndef CLI_SWEEP_MPI_H
#define CLI_SWEEP_MPI_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cli_mpi {
    int rank;                         /* this process, 0..size-1; 0 without MPI */
    int size;                         /* processes; 1 without MPI */
    bool active;                      /* MPI_Init was called (finalize at stop) */
} cli_mpi_t;

/* Starts MPI when the process was launched by mpirun/srun (their environment variables are set)
 * and cgsim was built with MPI. CLI_OK, or CLI_USAGE when launched under MPI with more than one
 * process by a cgsim built without MPI (every process would write the same files), with the
 * message printed; CLI_FAIL when MPI does not start. */
int cli_mpi_start(cli_mpi_t *m, int *argc, char ***argv);
void cli_mpi_stop(cli_mpi_t *m);
/* Broadcast len bytes from rank 0. CLI_OK or CLI_FAIL. */
int cli_mpi_bcast(const cli_mpi_t *m, void *buf, size_t len);
/* Gather: rank r > 0 sends `len` bytes of `buf`; rank 0 receives rank r's bytes into out[r] and
 * out_len[r] (malloc'd, caller frees; out[0] untouched). CLI_OK or CLI_FAIL. */
int cli_mpi_gather(const cli_mpi_t *m, const char *buf, size_t len, char **out, size_t *out_len);

#endif
