/* models/assignor_json: the JSON input and output of `cgsim assign` (design.md).
 * Owns: parsing an input document into a cg_assign_input_t backed by storage the document owns,
 *       with errors that name the file and the JSON path; building the result object.
 * Does not own: assignors, reading files, exit codes (the caller decides those).
 * Invariant: a parsed input meets assignor.h: topics sorted by name and unique, each member's
 *            topics sorted and unique, owned partitions unique per member and within range. */
#ifndef CG_ASSIGNOR_JSON_H
#define CG_ASSIGNOR_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "models/assign/assignor.h"

typedef struct cg_assign_doc {
    cg_assign_input_t in;             /* the view assignors take; points into the storage below */
    cJSON *root;                      /* the parsed tree; owns every name string in `in` */
    cg_topic_meta_t *topics;          /* in.topics storage, sorted by name */
    int64_t *topic_base;              /* in.topic_base storage, n_topics + 1 entries */
    cg_assign_member_t *members;      /* in.members storage, input order */
    int32_t *topic_pool;              /* every member's subscribed topic indexes */
    cg_tp_t *owned_pool;              /* every member's owned partitions */
    size_t n_skipped;                 /* subscriptions/owned entries naming topics not in "topics" */
    char skipped_note[400];           /* the first of those, "$.path: ..." ("" when none) */
} cg_assign_doc_t;

/* Parse `len` bytes of `text`. `file` labels messages ("FILE: $.path: what"). Returns 0, or -1
 * with the message in err; on failure the document holds nothing (no fini needed). Topics that
 * members name but "topics" lacks are skipped, as Kafka skips topics absent from metadata. */
int cg_assign_doc_parse(cg_assign_doc_t *doc, const char *text, size_t len, const char *file,
                        char *err, size_t errlen);
void cg_assign_doc_fini(cg_assign_doc_t *doc);
/* Before any per-partition allocation: 0 when running an assignor on doc fits the memory
 * budget (0 = CG_DEFAULT_MEMORY_BUDGET_BYTES), else -1 with the product named in err. */
int cg_assign_doc_budget(const cg_assign_doc_t *doc, uint64_t budget_bytes, char *err,
                         size_t errlen);

/* The result as a JSON object: every member id (input order) -> its partitions as
 * [[topic, partition], ...] sorted by (topic name, partition). NULL when out of memory. */
cJSON *cg_assign_result_json(const cg_assign_input_t *in, const int32_t *owner);

#endif
