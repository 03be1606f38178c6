/* cli/sweep_mpi: MPI for sweeps (see sweep_mpi.h). Messages are plain bytes: a length (uint64)
 * then the bytes, received on rank 0 from ranks 1..size-1 in rank order, so what rank 0 holds
 * after a gather does not depend on which rank finished first. */
#include "cli/sweep_mpi.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include <time.h>
#ifdef CGSIM_HAVE_MPI
#include <mpi.h>
#endif

#define CLI_MPI_CHUNK ((size_t)1 << 30)   /* bytes per MPI message (count is an int) */
#define CLI_MPI_POLL_NS 200000            /* sleep between two tests of a pending operation */

/* The launcher's process count from its environment, 0 when not launched by one. */
static long cli_mpi_env_size(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE",
                                       "SLURM_NTASKS", "MPI_LOCALNRANKS"};
    const char *rank_vars[] = {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"};
    bool launched = false;
    for (size_t i = 0; i < sizeof rank_vars / sizeof rank_vars[0]; i++)
        launched = launched || getenv(rank_vars[i]);
    for (size_t i = 0; launched && i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && atol(v) > 0)
            return atol(v);
    }
    return launched ? 1 : 0;
}

int cli_mpi_start(cli_mpi_t *m, int *argc, char ***argv)
{
    m->rank = 0;
    m->size = 1;
    m->active = false;
    long env = cli_mpi_env_size();
#ifdef CGSIM_HAVE_MPI
    if (env == 0)
        return CLI_OK;
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "cgsim sweep: MPI_Init_thread failed\n");
        return CLI_FAIL;
    }
    m->active = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &m->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &m->size);
    return CLI_OK;
#else
    (void)argc;
    (void)argv;
    if (env > 1) {
        fprintf(stderr, "cgsim sweep: started by an MPI launcher with %ld processes, but this "
                        "cgsim was built without MPI (apt-get install -y libopenmpi-dev "
                        "openmpi-bin, then configure again)\n", env);
        return CLI_USAGE;
    }
    return CLI_OK;
#endif
}

void cli_mpi_stop(cli_mpi_t *m)
{
#ifdef CGSIM_HAVE_MPI
    if (m->active)
        MPI_Finalize();
#endif
    m->active = false;
}

#ifdef CGSIM_HAVE_MPI
/* Waits for a nonblocking operation, sleeping between tests: Open MPI's blocking calls spin,
 * and a rank that waits for the others would take CPU from the ranks still running. */
static int cli_mpi_wait(MPI_Request *req)
{
    for (;;) {
        int done = 0;
        if (MPI_Test(req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS)
            return CLI_FAIL;
        if (done)
            return CLI_OK;
        nanosleep(&(struct timespec){0, CLI_MPI_POLL_NS}, NULL);
    }
}
#endif

int cli_mpi_bcast(const cli_mpi_t *m, void *buf, size_t len)
{
#ifdef CGSIM_HAVE_MPI
    for (size_t off = 0; m->size > 1 && off < len; off += CLI_MPI_CHUNK) {
        size_t n = len - off < CLI_MPI_CHUNK ? len - off : CLI_MPI_CHUNK;
        MPI_Request req;
        if (MPI_Ibcast((char *)buf + off, (int)n, MPI_BYTE, 0, MPI_COMM_WORLD, &req) !=
                MPI_SUCCESS || cli_mpi_wait(&req) != CLI_OK)
            return CLI_FAIL;
    }
#else
    (void)m;
    (void)buf;
    (void)len;
#endif
    return CLI_OK;
}

#ifdef CGSIM_HAVE_MPI
static int cli_mpi_send(const char *buf, size_t len)
{
    uint64_t n = len;
    MPI_Request req;
    if (MPI_Isend(&n, 1, MPI_UINT64_T, 0, 0, MPI_COMM_WORLD, &req) != MPI_SUCCESS ||
        cli_mpi_wait(&req) != CLI_OK)
        return CLI_FAIL;
    for (size_t off = 0; off < len; off += CLI_MPI_CHUNK) {
        size_t k = len - off < CLI_MPI_CHUNK ? len - off : CLI_MPI_CHUNK;
        if (MPI_Isend(buf + off, (int)k, MPI_BYTE, 0, 1, MPI_COMM_WORLD, &req) != MPI_SUCCESS ||
            cli_mpi_wait(&req) != CLI_OK)
            return CLI_FAIL;
    }
    return CLI_OK;
}

static int cli_mpi_recv(int from, char **out, size_t *out_len)
{
    uint64_t n = 0;
    MPI_Request req;
    if (MPI_Irecv(&n, 1, MPI_UINT64_T, from, 0, MPI_COMM_WORLD, &req) != MPI_SUCCESS ||
        cli_mpi_wait(&req) != CLI_OK)
        return CLI_FAIL;
    char *b = malloc(n + 1);
    if (!b)
        return CLI_FAIL;
    for (size_t off = 0; off < n; off += CLI_MPI_CHUNK) {
        size_t k = n - off < CLI_MPI_CHUNK ? n - off : CLI_MPI_CHUNK;
        if (MPI_Irecv(b + off, (int)k, MPI_BYTE, from, 1, MPI_COMM_WORLD, &req) != MPI_SUCCESS ||
            cli_mpi_wait(&req) != CLI_OK) {
            free(b);
            return CLI_FAIL;
        }
    }
    b[n] = '\0';
    *out = b;
    *out_len = n;
    return CLI_OK;
}
#endif

int cli_mpi_gather(const cli_mpi_t *m, const char *buf, size_t len, char **out, size_t *out_len)
{
#ifdef CGSIM_HAVE_MPI
    if (m->size < 2)
        return CLI_OK;
    if (m->rank != 0)
        return cli_mpi_send(buf, len);
    for (int r = 1; r < m->size; r++)
        if (cli_mpi_recv(r, &out[r], &out_len[r]) != CLI_OK)
            return CLI_FAIL;
#else
    (void)m;
    (void)buf;
    (void)len;
    (void)out;
    (void)out_len;
#endif
    return CLI_OK;
}
