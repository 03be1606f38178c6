/* cli/cmd_plot: `cgsim plot`. Not built yet: says so (exit 2) until its issue lands. */
#include "cli/cli.h"

int cli_plot(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "cgsim plot: not implemented yet in this version\n");
    return CLI_USAGE;
}
