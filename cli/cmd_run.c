/* cli/cmd_run: `cgsim run`. Not built yet: says so (exit 2) until its issue lands. */
#include "cli/cli.h"

int cli_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "cgsim run: not implemented yet in this version\n");
    return CLI_USAGE;
}
