/* cli/cmd_compare: `cgsim compare`. Not built yet: says so (exit 2) until its issue lands. */
#include "cli/cli.h"

int cli_compare(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "cgsim compare: not implemented yet in this version\n");
    return CLI_USAGE;
}
