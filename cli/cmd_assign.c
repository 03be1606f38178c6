/* cli/cmd_assign: `cgsim assign`. Not built yet: says so (exit 2) until its issue lands. */
#include "cli/cli.h"

int cli_assign(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "cgsim assign: not implemented yet in this version\n");
    return CLI_USAGE;
}
