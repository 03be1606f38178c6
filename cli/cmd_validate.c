/* cli/cmd_validate: `cgsim validate FILE... [--set path=value]...`: load and check each file
 * without running it; one "ok" line per good file on stdout, every problem on stderr. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/explain.h"
#include "cli/scenario_cli.h"
#include "models/limits.h"

static void validate_usage(FILE *f)
{
    fprintf(f,
            "usage: cgsim validate SCENARIO.json... [--set PATH=VALUE]... [--explain]\n\n"
            "Checks each scenario file (types, ranges, references, Kafka's own constraints)\n"
            "without running it. Prints 'FILE: ok (...)' for each good file on stdout and every\n"
            "problem as 'FILE: $.json.path: message' on stderr.\n\n"
            "  --set PATH=VALUE  override one value before validation, applied to every file,\n"
            "                    e.g. --set groups[0].assignor=sticky\n"
            "                         --set 'groups[0].config.session.timeout.ms=10000'\n"
            CLI_BUDGET_HELP
            "  --explain         print each good scenario as it will run instead of the ok line:\n"
            "                    JSON with every default filled in (per group its protocol,\n"
            "                    assignor, rebalance and broker settings; per consumer its\n"
            "                    topics, start, processing time and every client setting its\n"
            "                    protocol reads, in Kafka's names)\n"
            "  -h, --help        this text\n\n"
            "Defaults of fields left out (Kafka's own defaults fill every Kafka config key):\n"
            "  seed 1; producers: keys 1000, arrival poisson, key_dist uniform (zipf_s 1),\n"
            "  start_ms 0, stop_ms the end; groups: protocol classic, assignor range (classic)\n"
            "  or uniform (consumer), rebalance cooperative when every assignor supports it\n"
            "  (else eager), network_ms 1 (constant, each way), coordinator_failover_ms 3000,\n"
            "  assignor_ms 0 (classic: the leader's assignment time before its SyncGroup);\n"
            "  consumers: count 1, join_at_ms 0 (null: a pool member that only a scale fault\n"
            "  or an autoscaler starts), processing_ms 1 (constant, per record); faults:\n"
            "  rolling_restart interval_ms 10000 and down_ms 5000, scale interval_ms 0;\n"
            "  failure_models: actions {\"crash\": 1}; autoscalers (KEDA and Kubernetes'):\n"
            "  pod_start_ms 0, pollingInterval 30, cooldownPeriod 300, initialCooldownPeriod 0,\n"
            "  minReplicaCount 0, maxReplicaCount 100 (at most the group's consumers),\n"
            "  trigger lagThreshold 10, activationLagThreshold 0, offsetResetPolicy latest,\n"
            "  hpa syncPeriodSeconds 15, tolerance 0.1, downscaleStabilizationSeconds 300,\n"
            "  no behavior (scaleUp Pods 4 / Percent 100 per 15 s and scaleDown Percent 100\n"
            "  per 15 s when one is given).\n\n"
            "Exit status: 0 all files valid, 2 a file is invalid or bad usage, 1 internal "
            "failure.\n");
}

typedef struct validate_args {
    const char **files;               /* scenario paths, in argument order */
    size_t n_files;
    const char **sets;                /* --set overrides, in argument order */
    size_t n_sets;
    uint64_t budget_bytes;            /* --memory-budget-mib, 0 = default */
    bool explain;                     /* --explain */
} validate_args_t;

static int parse_args(int argc, char **argv, validate_args_t *a)
{
    bool options = true;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (options && strcmp(arg, "--") == 0) {
            options = false;
        } else if (options && strcmp(arg, "--set") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("validate", "--set needs PATH=VALUE");
            a->sets[a->n_sets++] = argv[++i];
        } else if (options && strncmp(arg, "--set=", 6) == 0) {
            a->sets[a->n_sets++] = arg + 6;
        } else if (options && strcmp(arg, "--memory-budget-mib") == 0) {
            if (i + 1 >= argc || cli_parse_budget(argv[++i], &a->budget_bytes) != 0)
                return cli_usage_error("validate", "--memory-budget-mib expects 1..%llu",
                                       (unsigned long long)CG_MAX_MEMORY_BUDGET_MIB);
        } else if (options && strcmp(arg, "--explain") == 0) {
            a->explain = true;
        } else if (options && arg[0] == '-' && arg[1] != '\0') {
            return cli_usage_error("validate", "unknown option '%s'", arg);
        } else {
            a->files[a->n_files++] = arg;
        }
    }
    if (a->n_files == 0)
        return cli_usage_error("validate", "no scenario file given");
    return CLI_OK;
}

/* The scenario with its defaults, as indented JSON on stdout. */
static int explain(const cg_scenario_t *s)
{
    cJSON *j = cli_scenario_explain(s);
    char *text = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    if (!text) {
        fprintf(stderr, "cgsim validate: out of memory\n");
        return CLI_FAIL;
    }
    puts(text);
    cJSON_free(text);
    return CLI_OK;
}

int cli_validate(int argc, char **argv)
{
    validate_args_t a = {0};
    int status = CLI_OK;
    if (cli_wants_help(argc, argv)) {
        validate_usage(stdout);
        return CLI_OK;
    }
    a.files = calloc((size_t)argc + 1, sizeof *a.files);
    a.sets = calloc((size_t)argc + 1, sizeof *a.sets);
    if (!a.files || !a.sets) {
        free(a.files);
        free(a.sets);
        fprintf(stderr, "cgsim validate: out of memory\n");
        return CLI_FAIL;
    }
    int args_ok = parse_args(argc, argv, &a);
    for (size_t i = 0; args_ok == CLI_OK && i < a.n_files; i++) {
        cg_scenario_t *s = NULL;
        if (cli_scenario_load(a.files[i], a.sets, a.n_sets, a.budget_bytes, &s) != CLI_OK) {
            status = CLI_USAGE;
            continue;
        }
        if (a.explain) {
            if (explain(s) != CLI_OK)
                status = CLI_FAIL;
        } else {
            printf("%s: ok (%zu topics, %lld partitions, %zu groups, %zu consumers, %zu faults)\n",
                   a.files[i], s->n_topics, cli_scenario_partitions(s), s->n_groups,
                   s->n_consumers, s->n_faults);
        }
        cg_scenario_free(s);
    }
    free(a.files);
    free(a.sets);
    return args_ok == CLI_OK ? status : args_ok;
}
