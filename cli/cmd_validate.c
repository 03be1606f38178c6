/* cli/cmd_validate: `cgsim validate`. Not built yet: says so (exit 2) until its issue lands. */
#include "cli/cli.h"

int cli_validate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "cgsim validate: not implemented yet in this version\n");
    return CLI_USAGE;
}
