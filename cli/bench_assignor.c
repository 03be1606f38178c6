/* cli/bench_assignor: `cgsim bench assignor`. Not built yet: says so (exit 2) until its issue lands. */
#include "cli/cli.h"

int cli_bench_assignor(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "cgsim bench assignor: not implemented yet in this version\n");
    return CLI_USAGE;
}
