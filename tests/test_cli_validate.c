/* tests/test_cli_validate: `cgsim validate` end to end: the ok line, exit statuses, --set,
 * --help, and every fixture in tests/bad_scenarios/NAME.json refused with exactly the lines of
 * NAME.err on stderr. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FIXTURES CGSIM_SOURCE_DIR "/tests/bad_scenarios"

typedef struct run_out {
    int status;                       /* exit status of cgsim */
    char *out;                        /* stdout */
    char *err;                        /* stderr */
} run_out_t;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = calloc((size_t)n + 1, 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return buf;
}

/* Run `cgsim validate ARGS` in `dir`; ARGS is pasted into a shell command line. */
static run_out_t run_validate(const char *dir, const char *args)
{
    char tmp[] = "/tmp/cgsim_validate_XXXXXX";
    char cmd[4096], out_path[128], err_path[128];
    run_out_t r;
    cr_assert_not_null(mkdtemp(tmp));
    snprintf(out_path, sizeof out_path, "%s/out", tmp);
    snprintf(err_path, sizeof err_path, "%s/err", tmp);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' validate %s >'%s' 2>'%s'", dir, CGSIM_BINARY, args,
             out_path, err_path);
    int st = system(cmd);
    cr_assert(WIFEXITED(st), "cgsim did not exit normally: %s", cmd);
    r.status = WEXITSTATUS(st);
    r.out = slurp(out_path);
    r.err = slurp(err_path);
    remove(out_path);
    remove(err_path);
    rmdir(tmp);
    return r;
}

static void run_free(run_out_t *r)
{
    free(r->out);
    free(r->err);
}

static const char GOOD[] =
    "{\"name\": \"good\", \"duration_ms\": 60000,\n"
    " \"topics\": [{\"name\": \"orders\", \"partitions\": 6}, {\"name\": \"audit\", \"partitions\": 2}],\n"
    " \"groups\": [{\"id\": \"g\", \"consumers\": [{\"id\": \"c\", \"count\": 2,\n"
    "   \"topics\": [\"orders\"]}]}],\n"
    " \"faults\": [{\"at_ms\": 1000, \"action\": \"crash\", \"target\": \"g/c-1\"}]}\n";

static void write_good(const char *dir)
{
    char path[256];
    snprintf(path, sizeof path, "%s/good.json", dir);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(GOOD, f);
    fclose(f);
}

static char *make_dir(void)
{
    static const char tmpl[] = "/tmp/cgsim_vdir_XXXXXX";
    char *dir = malloc(sizeof tmpl);
    memcpy(dir, tmpl, sizeof tmpl);
    cr_assert_not_null(mkdtemp(dir));
    write_good(dir);
    return dir;
}

static void drop_dir(char *dir)
{
    char path[256];
    snprintf(path, sizeof path, "%s/good.json", dir);
    remove(path);
    rmdir(dir);
    free(dir);
}

Test(cli_validate, good_file_prints_summary)
{
    char *dir = make_dir();
    run_out_t r = run_validate(dir, "good.json");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_str_eq(r.out, "good.json: ok (2 topics, 8 partitions, 1 groups, 2 consumers, "
                            "1 faults)\n");
    cr_assert_str_eq(r.err, "");
    run_free(&r);
    drop_dir(dir);
}

Test(cli_validate, every_file_checked_exit_2_if_any_bad)
{
    char *dir = make_dir();
    run_out_t r = run_validate(dir, "missing.json good.json");
    cr_assert_eq(r.status, 2);
    cr_assert_str_eq(r.out, "good.json: ok (2 topics, 8 partitions, 1 groups, 2 consumers, "
                            "1 faults)\n");
    cr_assert_str_eq(r.err, "missing.json: cannot open: No such file or directory\n");
    run_free(&r);
    drop_dir(dir);
}

Test(cli_validate, set_applies_before_validation)
{
    char *dir = make_dir();
    run_out_t r = run_validate(dir, "good.json --set 'groups[0].consumers[0].count=5' "
                                    "--set=topics[1].partitions=10");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_str_eq(r.out, "good.json: ok (2 topics, 16 partitions, 1 groups, 5 consumers, "
                            "1 faults)\n");
    run_free(&r);
    r = run_validate(dir, "good.json --set 'groups[0].config.heartbeat.interval.ms=50000'");
    cr_assert_eq(r.status, 2);
    cr_assert_str_eq(r.out, "");
    cr_assert_str_eq(r.err, "good.json: $.groups[0].config: heartbeat.interval.ms (50000) must "
                            "be lower than session.timeout.ms (45000)\n");
    run_free(&r);
    r = run_validate(dir, "good.json --set 'groups[2].id=x'");
    cr_assert_eq(r.status, 2);
    cr_assert_str_eq(r.err, "good.json: --set 'groups[2].id=x': $.groups[2]: no such element "
                            "(groups has 1)\n");
    run_free(&r);
    drop_dir(dir);
}

static const cJSON *at(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert_not_null(v, "no key %s", key);
    return v;
}

/* --explain: the defaults are Kafka's (numbers from kafka.md, not from cgsim's tables), the
 * file's and --set's values override them, and each protocol shows the keys it reads. */
Test(cli_validate, explain_fills_every_default)
{
    char *dir = make_dir();
    run_out_t r = run_validate(dir, "good.json --explain --set 'groups[0].config.max.poll.records=7'"
                                    " --set 'groups[0].consumers[0].join_at_ms=250'");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cJSON *j = cJSON_Parse(r.out);
    cr_assert_not_null(j, "not JSON: %s", r.out);
    cr_expect_eq(at(j, "seed")->valuedouble, 1);
    const cJSON *g = cJSON_GetArrayItem(at(j, "groups"), 0);
    cr_expect_str_eq(at(g, "protocol")->valuestring, "classic");
    cr_expect_str_eq(at(g, "assignor")->valuestring, "range");
    cr_expect_str_eq(at(g, "rebalance")->valuestring, "eager");
    cr_expect_eq(at(at(g, "broker"), "group.initial.rebalance.delay.ms")->valuedouble, 3000);
    const cJSON *cons = at(g, "consumers");
    cr_assert_eq(cJSON_GetArraySize(cons), 2);
    const cJSON *c1 = cJSON_GetArrayItem(cons, 1), *cfg = at(c1, "config");
    cr_expect_str_eq(at(c1, "id")->valuestring, "c-2");
    cr_expect_eq(at(c1, "join_at_ms")->valuedouble, 250);
    cr_expect_eq(at(cfg, "session.timeout.ms")->valuedouble, 45000);
    cr_expect_eq(at(cfg, "heartbeat.interval.ms")->valuedouble, 3000);
    cr_expect_eq(at(cfg, "max.poll.interval.ms")->valuedouble, 300000);
    cr_expect_eq(at(cfg, "max.poll.records")->valuedouble, 7);
    cr_expect_str_eq(at(cfg, "auto.offset.reset")->valuestring, "latest");
    cr_expect(cJSON_IsNull(at(cfg, "group.instance.id")));
    cJSON_Delete(j);
    run_free(&r);
    r = run_validate(dir, "good.json --explain --set 'groups[0].protocol=consumer'");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    j = cJSON_Parse(r.out);
    g = cJSON_GetArrayItem(at(j, "groups"), 0);
    cr_expect_str_eq(at(g, "assignor")->valuestring, "uniform");
    cr_expect_null(cJSON_GetObjectItemCaseSensitive(g, "rebalance"));
    cr_expect_eq(at(at(g, "broker"), "group.consumer.heartbeat.interval.ms")->valuedouble, 5000);
    cr_expect_eq(at(at(g, "broker"), "group.consumer.session.timeout.ms")->valuedouble, 45000);
    cfg = at(cJSON_GetArrayItem(at(g, "consumers"), 0), "config");
    cr_expect_null(cJSON_GetObjectItemCaseSensitive(cfg, "session.timeout.ms"),
                   "the consumer protocol does not read it");
    cJSON_Delete(j);
    run_free(&r);
    drop_dir(dir);
}

Test(cli_validate, usage)
{
    char *dir = make_dir();
    run_out_t r = run_validate(dir, "--help");
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "usage: cgsim validate SCENARIO.json...") != NULL);
    run_free(&r);
    r = run_validate(dir, "");
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "no scenario file given") != NULL);
    run_free(&r);
    r = run_validate(dir, "--frobnicate good.json");
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "unknown option '--frobnicate'") != NULL);
    cr_assert_str_eq(r.out, "");
    run_free(&r);
    r = run_validate(dir, "good.json --set");
    cr_assert_eq(r.status, 2);
    run_free(&r);
    drop_dir(dir);
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

Test(cli_validate, bad_fixtures_exact_messages)
{
    DIR *d = opendir(FIXTURES);
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    cr_assert_not_null(d);
    while ((e = readdir(d)) != NULL && n < 256) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0)
            names[n++] = strndup(e->d_name, len - 5);
    }
    closedir(d);
    qsort(names, n, sizeof *names, str_cmp);
    cr_assert_geq(n, 5, "fixtures missing");
    for (size_t i = 0; i < n; i++) {
        char args[512], err_path[512];
        snprintf(args, sizeof args, "'%s.json'", names[i]);
        snprintf(err_path, sizeof err_path, FIXTURES "/%s.err", names[i]);
        char *want = slurp(err_path);
        run_out_t r = run_validate(FIXTURES, args);
        cr_assert_eq(r.status, 2, "%s accepted", names[i]);
        cr_assert_str_eq(r.out, "");
        cr_assert_str_eq(r.err, want, "%s: stderr differs", names[i]);
        run_free(&r);
        free(want);
        free(names[i]);
    }
}
