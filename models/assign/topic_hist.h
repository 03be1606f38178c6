/* models/assign/topic_hist: topic metadata over a run (partition counts that add_partitions
 * faults grow), and running an assignor on the counts some metadata version shows.
 * Owns: the list of count changes (version v = the first v changes applied) and the compact
 *       layout an assignor needs when a topic has fewer partitions than its reserved range.
 * Does not own: when a client refreshes its metadata (the protocols decide, with these versions).
 * Invariant: changes are appended in time order and counts only grow; a version's counts never
 *            exceed the reserved layout (topic_base). */
#ifndef CG_TOPIC_HIST_H
#define CG_TOPIC_HIST_H

#include <stddef.h>
#include <stdint.h>
#include "models/assign/assignor.h"

typedef struct cg_topic_change {
    int64_t at_ns;                    /* when the partitions were added */
    int32_t topic;                    /* topic index */
    int32_t partitions;               /* its count from then on */
} cg_topic_change_t;

typedef struct cg_topic_hist {
    const cg_topic_meta_t *initial;   /* counts at the start (caller's storage) */
    size_t n_topics;
    cg_topic_change_t *changes;       /* in time order */
    uint32_t n_changes, cap_changes;
} cg_topic_hist_t;

/* Version in force at t_ns: the number of changes made at or before it. */
uint32_t cg_topic_hist_version_at(const cg_topic_hist_t *h, int64_t t_ns);
/* Partition count of `topic` in `version`. */
int32_t cg_topic_hist_count(const cg_topic_hist_t *h, uint32_t version, int32_t topic);
/* out[0..n_topics) = the topics with their counts in `version`. */
void cg_topic_hist_fill(const cg_topic_hist_t *h, uint32_t version, cg_topic_meta_t *out);
/* Append a change; 0, or -1 when out of memory. */
int cg_topic_hist_push(cg_topic_hist_t *h, int64_t at_ns, int32_t topic, int32_t partitions);
void cg_topic_hist_fini(cg_topic_hist_t *h);

/* Run `a` on `in`, whose topic_base may reserve more partitions per topic than
 * in->topics[t].partitions: the assignor then runs on a compact layout and its result is mapped
 * back, so `out->owner` (size topic_base[n_topics]) is -1 on every partition not in the counts.
 * With no reserve this is a plain call. 0, or -1 with a message. */
int cg_assign_run(const cg_assignor_ops_t *a, const cg_assign_input_t *in, cg_assign_output_t *out,
                  char *err, size_t errlen);

#endif
