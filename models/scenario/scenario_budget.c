/* models/scenario_budget: the memory budget of a scenario, decided before allocation.
 *
 * Every field has its own limit in models/limits.h, but products of fields do not: 100,000
 * consumers x 10,000 topics each within its limit made `validate` use 3.9 GB, and 1M
 * partitions x 100 producers ran out of memory. The loader therefore estimates, from counts it
 * already has, what the world will allocate, and refuses the scenario when that exceeds the
 * budget (default CG_DEFAULT_MEMORY_BUDGET_BYTES, raised by --memory-budget-mib), naming the
 * largest product. The per-element costs in limits.h are measured and rounded up, so a scenario
 * that passes stays well within the budget; one that is refused could be raised past it. The
 * consumer part is checked as "count" is expanded (before the copies exist); the rest once the
 * scenario is valid.
 *
 * Worked example: 1 group, 1 topic of 1,000,000 partitions, 20 producers with 1,000,000 keys:
 * partitions 1e6 x 160 B + group x partitions 1e6 x 64 B + producer x partitions 2e7 x 160 B
 * = 3.4 GB: refused at the default budget with "producers x partitions" named. */
#include <stdio.h>
#include "models/limits.h"
#include "models/scenario/scenario_build.h"

#define CG_MIB (1024.0 * 1024.0)

static uint64_t budget_of(const cg_build_t *b)
{
    return b->budget_bytes ? b->budget_bytes : CG_DEFAULT_MEMORY_BUDGET_BYTES;
}

bool cg_budget_consumers(cg_build_t *b, int64_t count, size_t n_topics)
{
    double n = (double)(count ? count : 1);
    double add = n * (CG_BYTES_PER_CONSUMER + (double)n_topics * CG_BYTES_PER_SUBSCRIPTION);
    b->consumer_bytes += add;
    if (b->consumer_bytes <= (double)budget_of(b))
        return true;
    if (!b->over_budget)
        cg_jerr_key(&b->c, "count", "consumers x subscribed topics: %.0f consumers x %zu topics "
                    "bring the consumers to ~%.0f MiB, beyond the memory budget of %.0f MiB "
                    "(raise it with --memory-budget-mib)", n, n_topics,
                    b->consumer_bytes / CG_MIB, (double)budget_of(b) / CG_MIB);
    b->over_budget = true;
    return false;
}

typedef struct budget_term {
    const char *what;                 /* the product, as named in the message */
    double a, b;                      /* its factors */
    double bytes;                     /* its estimate */
} budget_term_t;

/* Partition counts a topic goes through: 1 + its add_partitions faults (each is a phase whose
 * key shares the partition log computes). */
static double topic_phases(const cg_scenario_t *s, int32_t topic)
{
    double n = 1;
    for (size_t i = 0; i < s->n_faults; i++)
        n += s->faults[i].action == CG_FAULT_ADD_PARTITIONS && s->faults[i].topic == topic;
    return n;
}

/* Producer x partition entries: only partitions some key hashes to get one (min(keys, parts)),
 * in every phase of the topic's partition count. */
static double producer_entries(const cg_scenario_t *s, double *key_hashes)
{
    double n = 0;
    const cg_producer_cfg_t *prev = NULL;
    *key_hashes = 0;
    for (size_t i = 0; i < s->n_producers; i++) {
        const cg_producer_cfg_t *p = &s->producers[i];
        double parts = s->topics[p->topic].max_partitions;
        if (p->rate_per_s <= 0 || p->keys <= 0)
            continue;
        double phases = topic_phases(s, p->topic);
        n += phases * ((double)p->keys < parts ? (double)p->keys : parts);
        if (phases > 1) {
            *key_hashes += phases * (double)p->keys;
            prev = NULL;
            continue;
        }
        /* the partition log recomputes the shares only when these change (pl_shares_compute) */
        if (!prev || prev->keys != p->keys || prev->key_dist != p->key_dist ||
            prev->zipf_s != p->zipf_s ||
            s->topics[prev->topic].partitions != s->topics[p->topic].partitions)
            *key_hashes += (double)p->keys;
        prev = p;
    }
    return n;
}

void cg_budget_check(cg_build_t *b)
{
    const cg_scenario_t *s = b->s;
    double parts = 0, subs = 0, hashes = 0;
    for (size_t i = 0; i < s->n_topics; i++)
        parts += s->topics[i].max_partitions;
    for (size_t i = 0; i < s->n_consumers; i++)
        subs += (double)s->consumers[i].n_topics;
    double prod = producer_entries(s, &hashes);
    budget_term_t t[] = {
        {"partitions", parts, 1, parts * CG_BYTES_PER_PARTITION},
        {"groups x partitions", (double)s->n_groups, parts,
         (double)s->n_groups * parts * CG_BYTES_PER_GROUP_PARTITION},
        {"producers x partitions", (double)s->n_producers,
         prod / (s->n_producers ? (double)s->n_producers : 1),
         prod * CG_BYTES_PER_PRODUCER_PARTITION},
        {"consumers x subscribed topics", (double)s->n_consumers,
         subs / (s->n_consumers ? (double)s->n_consumers : 1),
         (double)s->n_consumers * CG_BYTES_PER_CONSUMER + subs * CG_BYTES_PER_SUBSCRIPTION},
    };
    size_t n = sizeof t / sizeof t[0], worst = 0;
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        total += t[i].bytes;
        if (t[i].bytes > t[worst].bytes)
            worst = i;
    }
    if (total > (double)budget_of(b))
        cg_jerr_file(&b->c, "needs ~%.0f MiB, beyond the memory budget of %.0f MiB (raise it with "
                     "--memory-budget-mib); the largest part is %s: %.0f x %.0f ~ %.0f MiB",
                     total / CG_MIB, (double)budget_of(b) / CG_MIB, t[worst].what, t[worst].a,
                     t[worst].b, t[worst].bytes / CG_MIB);
    if (hashes > (double)CG_MAX_KEY_HASHES)
        cg_jerr_file(&b->c, "producers x keys: the key shares hash %.0f keys in all, beyond "
                     "CG_MAX_KEY_HASHES (%lld); consecutive producers with the same keys and "
                     "partition count share one computation", hashes,
                     (long long)CG_MAX_KEY_HASHES);
}
