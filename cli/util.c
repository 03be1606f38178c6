/* cli/util: small helpers shared by the subcommands. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include "cli/cli.h"
#include "models/limits.h"

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "cgsim %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see cgsim %s --help)\n", cmd);
    return CLI_USAGE;
}

long cli_peak_rss_kib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
    return ru.ru_maxrss;
}

double cli_wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int cli_parse_u64(const char *s, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

int cli_parse_budget(const char *s, uint64_t *bytes)
{
    uint64_t mib;
    if (cli_parse_u64(s, &mib) != 0 || mib == 0 || mib > CG_MAX_MEMORY_BUDGET_MIB)
        return -1;
    *bytes = mib * 1024 * 1024;
    return 0;
}

const char *cli_opt_value(int argc, char **argv, int *i, const char *opt, bool *missing)
{
    size_t n = strlen(opt);
    const char *a = argv[*i];
    if (strncmp(a, opt, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

int cli_parse_size(const char *cmd, const char *opt, const char *v, size_t lo, size_t hi,
                   size_t *out)
{
    uint64_t n;
    if (cli_parse_u64(v, &n) != 0 || n < lo || n > hi)
        return cli_usage_error(cmd, "%s expects an integer in [%zu, %zu], got '%s'", opt, lo, hi,
                               v);
    *out = (size_t)n;
    return CLI_OK;
}

const char *cli_opt_match(int argc, char **argv, int *i, const char *const *opts, size_t n_opts,
                          size_t *which, bool *missing)
{
    *missing = false;
    for (size_t k = 0; k < n_opts; k++) {
        const char *v = cli_opt_value(argc, argv, i, opts[k], missing);
        if (v || *missing) {
            *which = k;
            return v;
        }
    }
    return NULL;
}

int cli_mkdir(const char *cmd, const char *dir)
{
    struct stat st;
    if (mkdir(dir, 0777) == 0 || (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)))
        return CLI_OK;
    fprintf(stderr, "cgsim %s: --out %s: cannot create the directory: %s\n", cmd, dir,
            errno == EEXIST ? "exists and is not a directory" : strerror(errno));
    return CLI_USAGE;
}

char *cli_read_small(const char *cmd, const char *path, long max_bytes, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cgsim %s: %s: cannot open: %s\n", cmd, path, strerror(errno));
        return NULL;
    }
    char *buf = malloc((size_t)max_bytes + 1);
    size_t n = buf ? fread(buf, 1, (size_t)max_bytes + 1, f) : 0;
    fclose(f);
    if (!buf) {
        fprintf(stderr, "cgsim %s: out of memory\n", cmd);
    } else if (n > (size_t)max_bytes) {
        fprintf(stderr, "cgsim %s: %s: larger than %ld bytes\n", cmd, path, max_bytes);
        free(buf);
        buf = NULL;
    } else {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}
