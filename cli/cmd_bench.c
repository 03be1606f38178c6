/* cli/cmd_bench: `cgsim bench engine|assignor|run`, dispatch only. */
#include <string.h>
#include "cli/cli.h"

static void bench_usage(FILE *f)
{
    fprintf(f, "usage: cgsim bench engine --events N --queue Q [--json]\n"
               "       cgsim bench assignor --assignor NAME --members M --topics T "
               "--partitions P [--json]\n"
               "       cgsim bench run SCENARIO.json [--json]\n"
               "Prints events (or assignments), seconds, rate and peak RSS. Wall time is measured\n"
               "here only; it never reaches a trace.\n");
}

int cli_bench(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        bench_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "engine") == 0)
        return cli_bench_engine(argc - 1, argv + 1);
    if (strcmp(argv[1], "assignor") == 0)
        return cli_bench_assignor(argc - 1, argv + 1);
    if (strcmp(argv[1], "run") == 0)
        return cli_bench_run(argc - 1, argv + 1);
    return cli_usage_error("bench", "unknown benchmark '%s' (known: engine, assignor, run)",
                           argv[1]);
}
