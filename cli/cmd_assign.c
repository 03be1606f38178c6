/* cli/cmd_assign: `cgsim assign`, one assignor run once on a JSON input, outside any simulation.
 * Reads the input (file or stdin), parses it with models/assignor_json, runs the assignor named by
 * --assignor for --protocol, checks the result's invariants and prints the result object. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "models/assign/assignor.h"
#include "models/assign/assignor_json.h"
#include "models/limits.h"

static void assign_usage(FILE *f)
{
    fprintf(f,
        "usage: cgsim assign --assignor NAME [--protocol classic|consumer] [--pretty] "
        "[INPUT.json|-]\n\n"
        "Runs one partition assignor once on INPUT (stdin when omitted or '-') and prints one JSON\n"
        "object mapping every member id, in input order, to its sorted [topic, partition] pairs\n"
        "(members with nothing get []). Input:\n"
        "  {\"topics\":{\"t1\":3,\"t2\":2},\n"
        "   \"members\":[{\"id\":\"c1\",\"instance_id\":null,\"topics\":[\"t1\"],"
        "\"owned\":[[\"t1\",0]],\"generation\":1,\"rack\":null}]}\n"
        "owned, generation (default -1), instance_id and rack are optional; rack is ignored.\n"
        "Topics a member names but \"topics\" lacks are skipped with a warning, as Kafka skips\n"
        "topics missing from metadata. Extra top-level keys of the test vector files (expected,\n"
        "note, ...) are ignored, so a vector file can be given as it is.\n\n"
        "  --assignor NAME   classic: %s\n"
        "                    consumer: %s\n"
        "  --protocol P      classic (client-side assignors, default) or consumer (KIP-848\n"
        "                    server-side assignors; for consumer, owned = current target assignment)\n"
        "  --pretty          indented output instead of one line\n"
        CLI_BUDGET_HELP "\n"
        "Exit status: 0 success, 1 internal failure, 2 bad input or usage.\n",
        cg_assignor_names(CG_PROTOCOL_CLASSIC), cg_assignor_names(CG_PROTOCOL_CONSUMER));
}

typedef struct assign_args {
    const char *assignor;             /* --assignor */
    const char *protocol;             /* --protocol, "classic" when absent */
    const char *input;                /* path, or "-" for stdin */
    int pretty;                       /* --pretty */
    uint64_t budget_bytes;            /* --memory-budget-mib, 0 = default */
} assign_args_t;

static int parse_args(int argc, char **argv, assign_args_t *a)
{
    *a = (assign_args_t){NULL, "classic", "-", 0, 0};
    int have_input = 0;
    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if ((v = cli_opt_value(argc, argv, &i, "--assignor", &missing)) != NULL)
            a->assignor = v;
        else if ((v = cli_opt_value(argc, argv, &i, "--protocol", &missing)) != NULL)
            a->protocol = v;
        else if ((v = cli_opt_value(argc, argv, &i, "--memory-budget-mib", &missing)) != NULL) {
            if (cli_parse_budget(v, &a->budget_bytes) != 0)
                return cli_usage_error("assign", "--memory-budget-mib expects 1..%llu, got '%s'",
                                       (unsigned long long)CG_MAX_MEMORY_BUDGET_MIB, v);
        }
        else if (missing)
            return cli_usage_error("assign", "option %s needs a value", argv[i]);
        else if (strcmp(argv[i], "--pretty") == 0)
            a->pretty = 1;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage_error("assign", "unknown option '%s'", argv[i]);
        else if (have_input++)
            return cli_usage_error("assign", "more than one input file ('%s')", argv[i]);
        else
            a->input = argv[i];
    }
    if (a->assignor == NULL)
        return cli_usage_error("assign", "--assignor NAME is required (classic: %s; consumer: %s)",
                               cg_assignor_names(CG_PROTOCOL_CLASSIC),
                               cg_assignor_names(CG_PROTOCOL_CONSUMER));
    if (strcmp(a->protocol, "classic") != 0 && strcmp(a->protocol, "consumer") != 0)
        return cli_usage_error("assign", "--protocol must be classic or consumer, not '%s'",
                               a->protocol);
    return CLI_OK;
}

/* The whole input, up to CG_MAX_SCENARIO_BYTES + 1 bytes (the parser refuses the extra byte). */
static char *read_input(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL && n <= (size_t)CG_MAX_SCENARIO_BYTES) {
        if (n == cap) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* Every partition has at most one owner, a member subscribed to its topic. */
static int check_output(const cg_assign_input_t *in, const int32_t *owner)
{
    size_t t = 0;
    for (int64_t g = 0; g < cg_assign_total_partitions(in); g++) {
        while (in->topic_base[t + 1] <= g)
            t++;
        if (owner[g] == -1)
            continue;
        if (owner[g] < 0 || (size_t)owner[g] >= in->n_members ||
            !cg_assign_subscribed(&in->members[owner[g]], (int32_t)t))
            return -1;
    }
    return 0;
}

static int run_assignor(const cg_assignor_ops_t *ops, const cg_assign_doc_t *doc, int pretty)
{
    int64_t total = cg_assign_total_partitions(&doc->in);
    cg_assign_output_t out = {malloc((size_t)(total ? total : 1) * sizeof(int32_t))};
    char err[512] = "";
    if (out.owner == NULL) {
        fprintf(stderr, "cgsim assign: out of memory\n");
        return CLI_FAIL;
    }
    if (ops->assign(&doc->in, &out, err, sizeof err) != 0) {
        fprintf(stderr, "cgsim assign: assignor '%s' failed: %s\n", ops->name, err);
        free(out.owner);
        return CLI_FAIL;
    }
    if (check_output(&doc->in, out.owner) != 0) {
        fprintf(stderr, "cgsim assign: assignor '%s' gave a partition to an unsubscribed or "
                        "unknown member (internal error)\n", ops->name);
        free(out.owner);
        return CLI_FAIL;
    }
    cJSON *res = cg_assign_result_json(&doc->in, out.owner);
    char *text = res == NULL ? NULL : (pretty ? cJSON_Print(res) : cJSON_PrintUnformatted(res));
    free(out.owner);
    cJSON_Delete(res);
    if (text == NULL) {
        fprintf(stderr, "cgsim assign: out of memory\n");
        return CLI_FAIL;
    }
    fputs(text, stdout);
    fputc('\n', stdout);
    free(text);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}

int cli_assign(int argc, char **argv)
{
    assign_args_t a;
    if (cli_wants_help(argc, argv)) {
        assign_usage(stdout);
        return CLI_OK;
    }
    if (parse_args(argc, argv, &a) != CLI_OK)
        return CLI_USAGE;
    cg_protocol_t proto = strcmp(a.protocol, "consumer") == 0 ? CG_PROTOCOL_CONSUMER
                                                              : CG_PROTOCOL_CLASSIC;
    const cg_assignor_ops_t *ops = cg_assignor_find(proto, a.assignor);
    if (ops == NULL)
        return cli_usage_error("assign", "unknown assignor '%s' for protocol %s (known: %s)",
                               a.assignor, a.protocol, cg_assignor_names(proto));
    const char *label = strcmp(a.input, "-") == 0 ? "<stdin>" : a.input;
    size_t len = 0;
    errno = 0;
    char *text = read_input(a.input, &len);
    if (text == NULL) {
        fprintf(stderr, "cgsim assign: %s: cannot read input: %s\n", label,
                errno != 0 ? strerror(errno) : "out of memory");
        return CLI_USAGE;
    }
    cg_assign_doc_t doc;
    char err[1024];
    int rc = cg_assign_doc_parse(&doc, text, len, label, err, sizeof err);
    free(text);
    if (rc != 0) {
        fprintf(stderr, "cgsim assign: %s\n", err);
        return CLI_USAGE;
    }
    if (cg_assign_doc_budget(&doc, a.budget_bytes, err, sizeof err) != 0) {
        fprintf(stderr, "cgsim assign: %s: %s\n", label, err);
        cg_assign_doc_fini(&doc);
        return CLI_USAGE;
    }
    if (doc.n_skipped > 0)
        fprintf(stderr, "cgsim assign: warning: %s: %s%s\n", label, doc.skipped_note,
                doc.n_skipped > 1 ? " (and more like it)" : "");
    rc = run_assignor(ops, &doc, a.pretty);
    cg_assign_doc_fini(&doc);
    return rc;
}
