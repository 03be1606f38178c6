/* fuzz/fuzz_world: a short run of the world on fuzzed scenarios. Scenarios the loader accepts
 * (within a small budget and size) are run for at most FUZZ_WORLD_EVENTS engine events with the
 * invariant checks on; the trace is read as it is written and the run is a finding when more
 * than FUZZ_SAME_T_RECORDS consecutive records carry the same "t" (virtual time stopped while the
 * trace grows: issue 14's livelocks), when "t" goes back, or when the world fails (an invariant
 * violation). request.timeout.ms 0 with network_ms 0 (issue 14 item 2) is fuzzed too: request
 * timeouts take at least 1 ms. */
#define _GNU_SOURCE   /* fopencookie */
#include <stdint.h>
#include "fuzz/fuzz_common.h"
#include "models/scenario/scenario.h"
#include "models/world/world.h"

#define FUZZ_WORLD_EVENTS 200000      /* engine events per input */
#define FUZZ_SAME_T_RECORDS 100000    /* consecutive records at one time that mean a livelock */
#define FUZZ_MAX_CONSUMERS 200        /* larger scenarios are skipped: each input must be fast */
#define FUZZ_MAX_PARTITIONS 20000

typedef struct time_watch {
    char head[64];                    /* start of the current line */
    size_t head_len;
    double last_t;                    /* "t" of the previous record */
    uint64_t same;                    /* consecutive records at last_t */
} time_watch_t;

static void watch_line(time_watch_t *w)
{
    double t;
    w->head[w->head_len < sizeof w->head ? w->head_len : sizeof w->head - 1] = '\0';
    if (sscanf(w->head, "{\"t\":%lf", &t) != 1)
        return;
    FUZZ_CHECK(t >= w->last_t, "virtual time went back: t=%.6f after %.6f", t, w->last_t);
    w->same = t == w->last_t ? w->same + 1 : 0;
    w->last_t = t;
    FUZZ_CHECK(w->same < FUZZ_SAME_T_RECORDS, "virtual time stuck at t=%.6f ms for %llu "
               "records", t, (unsigned long long)w->same);
}

static ssize_t watch_write(void *cookie, const char *buf, size_t size)
{
    time_watch_t *w = cookie;
    for (size_t i = 0; i < size; i++) {
        if (buf[i] == '\n') {
            watch_line(w);
            w->head_len = 0;
            continue;
        }
        if (w->head_len < sizeof w->head - 1)
            w->head[w->head_len] = buf[i];
        w->head_len++;
    }
    return (ssize_t)size;
}

static bool skipped(const cg_scenario_t *s)
{
    int64_t parts = 0;
    for (size_t i = 0; i < s->n_topics; i++)
        parts += s->topics[i].partitions;
    return s->n_consumers > FUZZ_MAX_CONSUMERS || parts > FUZZ_MAX_PARTITIONS;
}

static void run(const cg_scenario_t *s)
{
    time_watch_t watch = {.last_t = 0};
    cookie_io_functions_t io = {.write = watch_write};
    FILE *f = fopencookie(&watch, "w", io);
    if (!f)
        return;
    sim_trace_t tr;
    volatile int never = 0;
    char err[512];
    cg_world_t *w = NULL;
    cg_run_result_t res;
    if (sim_trace_open_file(&tr, f) == 0) {
        cg_run_opts_t opts = {.seed = s->seed, .trace = &tr, .check = true,
                              .max_events = FUZZ_WORLD_EVENTS, .interrupt = &never};
        if (cg_world_new(s, &opts, &w, err, sizeof err) == 0) {
            int rc = cg_world_run(w, &res, err, sizeof err);
            FUZZ_CHECK(rc != -1, "the world failed: %s", err);
        }
        cg_world_free(w);
        sim_trace_close(&tr);
    }
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input_t in;
    if (fuzz_split(data, size, &in) != 0)
        return 0;
    sim_diag_t diag;
    cg_scenario_t *s = NULL;
    cg_load_opts_t opts = {.memory_budget_bytes = FUZZ_BUDGET_BYTES};
    sim_diag_init(&diag);
    if (cg_scenario_parse_opts("fuzz.json", in.text, in.len, (const char *const *)in.sets,
                               in.n_sets, &opts, &s, &diag) == 0 && !skipped(s))
        run(s);
    cg_scenario_free(s);
    sim_diag_fini(&diag);
    fuzz_input_fini(&in);
    return 0;
}
