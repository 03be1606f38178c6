/* cli/bench_run: `cgsim bench run`. Not built yet: says so (exit 2) until its issue lands. */
#include "cli/cli.h"

int cli_bench_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "cgsim bench run: not implemented yet in this version\n");
    return CLI_USAGE;
}
