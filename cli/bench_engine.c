/* cli/bench_engine: `cgsim bench engine --events N --queue Q [--json]`, the classic hold model.
 *
 * Q events are scheduled at exponential times (mean 1 ms, stream "bench/engine" of seed 1); then
 * sim_run() executes N events, each of which schedules one successor at now + an exponential delay
 * of the same mean, so the queue holds Q events throughout. Only the run is timed (wall clock via
 * cli_wall_seconds, which never reaches a trace). Prints events, seconds, events_per_s and
 * peak_rss_kib as text or, with --json, one JSON object. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <gsl/gsl_randist.h>
#include "cli/cli.h"
#include "sim/rng.h"
#include "sim/sim.h"

#define BENCH_MEAN_DELAY_NS 1e6                   /* mean of the exponential delays: 1 ms */
#define BENCH_MAX_QUEUE UINT64_C(100000000)       /* queue sizes beyond this are refused */
#define BENCH_SEED UINT64_C(1)                    /* master seed of the delay stream */

typedef struct bench_opts {
    uint64_t events;                  /* events to execute, N */
    uint64_t queue;                   /* events pending throughout, Q */
    int json;                         /* print one JSON object */
} bench_opts_t;

static void bench_engine_usage(FILE *f)
{
    fprintf(f, "usage: cgsim bench engine --events N --queue Q [--json]\n"
               "Hold model: Q pending events; each of N executed events schedules one more at an\n"
               "exponential delay (mean 1 ms). Prints events, seconds, events_per_s, peak_rss_kib.\n");
}

/* Strictly positive decimal integer, nothing else. */
static int parse_count(const char *s, uint64_t *out)
{
    return cli_parse_u64(s, out) != 0 || *out == 0 ? -1 : 0;
}

static int parse_opts(int argc, char **argv, bench_opts_t *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if (strcmp(a, "--events") == 0 || strcmp(a, "--queue") == 0) {
            uint64_t *dst = a[2] == 'e' ? &o->events : &o->queue;
            if (i + 1 >= argc || parse_count(argv[i + 1], dst) != 0)
                return cli_usage_error("bench engine", "%s expects a positive integer", a);
            i++;
        } else {
            return cli_usage_error("bench engine", "unknown argument '%s'", a);
        }
    }
    if (!o->events || !o->queue)
        return cli_usage_error("bench engine", "--events and --queue are required");
    if (o->queue > BENCH_MAX_QUEUE)
        return cli_usage_error("bench engine", "--queue must be <= %llu",
                               (unsigned long long)BENCH_MAX_QUEUE);
    return CLI_OK;
}

static int64_t bench_delay_ns(sim_rng_t *r)
{
    return (int64_t)gsl_ran_exponential(r->gen, BENCH_MEAN_DELAY_NS);
}

static void bench_hold(sim_t *sim, void *ctx, uint64_t arg)
{
    sim_schedule_in(sim, bench_delay_ns(ctx), bench_hold, ctx, arg);
}

static int print_result(const bench_opts_t *o, uint64_t events, double seconds)
{
    double rate = seconds > 0 ? (double)events / seconds : 0;
    long rss = cli_peak_rss_kib();
    if (!o->json) {
        printf("events        %llu\nqueue         %llu\nseconds       %.3f\n"
               "events_per_s  %.0f\npeak_rss_kib  %ld\n",
               (unsigned long long)events, (unsigned long long)o->queue, seconds, rate, rss);
        return CLI_OK;
    }
    cJSON *j = cJSON_CreateObject();
    if (!j || !cJSON_AddNumberToObject(j, "events", (double)events) ||
        !cJSON_AddNumberToObject(j, "queue", (double)o->queue) ||
        !cJSON_AddNumberToObject(j, "seconds", seconds) ||
        !cJSON_AddNumberToObject(j, "events_per_s", rate) ||
        !cJSON_AddNumberToObject(j, "peak_rss_kib", (double)rss)) {
        cJSON_Delete(j);
        fprintf(stderr, "cgsim bench engine: out of memory\n");
        return CLI_FAIL;
    }
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!s) {
        fprintf(stderr, "cgsim bench engine: out of memory\n");
        return CLI_FAIL;
    }
    printf("%s\n", s);
    cJSON_free(s);
    return CLI_OK;
}

int cli_bench_engine(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        bench_engine_usage(stdout);
        return CLI_OK;
    }
    bench_opts_t o;
    int rc = parse_opts(argc, argv, &o);
    if (rc != CLI_OK)
        return rc;
    sim_t sim;
    sim_rng_t rng = {NULL};
    if (sim_init(&sim) != 0 || sim_rng_init(&rng, BENCH_SEED, "bench/engine") != 0) {
        fprintf(stderr, "cgsim bench engine: out of memory\n");
        sim_fini(&sim);
        return CLI_FAIL;
    }
    for (uint64_t i = 0; i < o.queue; i++)
        sim_schedule(&sim, bench_delay_ns(&rng), bench_hold, &rng, i);
    double t0 = cli_wall_seconds();
    sim_stop_reason_t why = sim_run(&sim, SIM_TIME_MAX, o.events);
    double seconds = cli_wall_seconds() - t0;
    uint64_t events = sim.events;
    sim_rng_fini(&rng);
    sim_fini(&sim);
    if (why != SIM_STOP_EVENT_LIMIT) {
        fprintf(stderr, "cgsim bench engine: run stopped early (%s)\n",
                why == SIM_STOP_ERROR ? "out of memory" : "unexpected stop");
        return CLI_FAIL;
    }
    return print_result(&o, events, seconds);
}
