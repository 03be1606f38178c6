/* cli/cmd_analyze: `cgsim analyze`. Not built yet: says so (exit 2) until its issue lands. */
#include "cli/cli.h"

int cli_analyze(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "cgsim analyze: not implemented yet in this version\n");
    return CLI_USAGE;
}
