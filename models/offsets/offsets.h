/* models/offsets: a group's committed offsets (its part of __consumer_offsets), shared by every
 * coordinator as Kafka's OffsetMetadataManager is: OffsetCommit stores, OffsetFetch reads.
 * Owns: one committed offset per partition (-1 none). Does not own: whether a commit is allowed
 *       (each protocol validates the member first) or what is recorded about it.
 * Invariant: only commits validated NONE change an offset; offsets persist across failovers. */
#ifndef CG_OFFSETS_H
#define CG_OFFSETS_H

#include <stdint.h>
#include "models/net/msg.h"

typedef struct cg_offsets {
    int64_t *committed;               /* per global partition, -1 none */
    int64_t n;                        /* partitions */
} cg_offsets_t;

/* Told about every partition of a commit, accepted (err NONE) or not, before it is stored. */
typedef void (*cg_offsets_report_fn)(void *ctx, int32_t consumer, int32_t gp, int64_t offset,
                                     int32_t generation, cg_err_t err);

int cg_offsets_init(cg_offsets_t *o, int64_t n_parts);        /* 0 or -1 */
void cg_offsets_fini(cg_offsets_t *o);
/* OffsetCommit request m validated as `err`: report, store, and set m->ok per partition. */
void cg_offsets_commit(cg_offsets_t *o, cg_msg_t *m, cg_err_t err, cg_offsets_report_fn report,
                       void *ctx);
/* OffsetFetch request m: m->off[i] = committed offset of m->gp[i] (-1 none). */
void cg_offsets_fetch(const cg_offsets_t *o, cg_msg_t *m);

#endif
