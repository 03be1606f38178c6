/* cli/bench_engine: `cgsim bench engine`. Not built yet: says so (exit 2) until its issue lands. */
#include "cli/cli.h"

int cli_bench_engine(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "cgsim bench engine: not implemented yet in this version\n");
    return CLI_USAGE;
}
