/* models/scenario_build: private state shared by the files of the scenario loader while one
 * scenario is being built (scenario.c: top level, topics, producers; scenario_group.c: groups,
 * configs, consumers; scenario_fault.c: faults and failure models).
 * Owns: lookup tables that only live during a load (sorted consumer index, JSON source indexes).
 * Does not own: the finished scenario (returned to the caller) or the JSON tree.
 * Invariant: tables index the scenario's arrays as they are at the time they are built. */
#ifndef CG_SCENARIO_BUILD_H
#define CG_SCENARIO_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "models/scenario/scenario.h"
#include "models/scenario/scenario_json.h"

#define CG_NS_PER_MS 1000000LL

typedef struct cg_name_ix {
    const char *name;                 /* id or name */
    size_t ix;                        /* position in the source order */
} cg_name_ix_t;

typedef struct cg_consumer_key {
    int32_t group;                    /* group index */
    const char *id;                   /* consumer id (owned by the scenario) */
    size_t ix;                        /* global consumer index */
} cg_consumer_key_t;

typedef struct cg_build {
    cg_jctx_t c;                      /* messages and current path */
    cg_scenario_t *s;                 /* the scenario being filled */
    int64_t duration_ms;              /* valid duration, or CG_MAX_DURATION_MS when invalid */
    size_t cap_consumers;             /* allocated entries of s->consumers */
    size_t *consumer_src;             /* JSON index of each consumer within its group */
    cg_consumer_key_t *by_id;         /* consumers sorted by (group, id, index) */
    cg_name_ix_t *groups_by_id;       /* valid group ids sorted, ix = group index */
    size_t n_groups_by_id;            /* entries of groups_by_id */
    const char **bad_topics;          /* declared topic names refused (borrowed from the JSON) */
    size_t n_bad_topics;              /* entries of bad_topics */
    uint64_t budget_bytes;            /* memory budget (CG_DEFAULT_MEMORY_BUDGET_BYTES) */
    double consumer_bytes;            /* estimate for the consumers expanded so far */
    bool over_budget;                 /* the consumer estimate was refused (reported once) */
} cg_build_t;

/* Topic index by name in the sorted topics, or -1. */
int32_t cg_build_topic(const cg_build_t *b, const char *name);
/* True when `name` was declared as a topic but refused: references to it are not re-reported. */
bool cg_build_topic_refused(const cg_build_t *b, const char *name);
/* Group index by id, or -1; needs b->groups_by_id. */
int32_t cg_build_group(const cg_build_t *b, const char *id);
/* Consumer (global index) by group and id, or -1; needs b->by_id. */
int32_t cg_build_consumer(const cg_build_t *b, int32_t group, const char *id);
/* "a, b, c" of up to 10 names then ", ..." into buf. */
void cg_build_names(char *buf, size_t len, const char *(*name_at)(const cg_build_t *, size_t),
                    const cg_build_t *b, size_t n);
void cg_build_topic_list(const cg_build_t *b, char *buf, size_t len); /* known topics */
const cJSON *cg_build_array(cg_build_t *b, const cJSON *obj, const char *key, size_t max,
                            const char *limit);
char *cg_build_strdup(cg_build_t *b, const char *s);
/* An object element of an array, or NULL after "expected an object" at the current path. */
const cJSON *cg_build_object(cg_build_t *b, const cJSON *item);

/* Sort `v` by (name, ix) and call `report` for each entry whose name an earlier one has;
 * returns the number of duplicates. */
size_t cg_build_dups(cg_build_t *b, cg_name_ix_t *v, size_t n,
                     void (*report)(cg_build_t *b, const cg_name_ix_t *dup,
                                    const cg_name_ix_t *first));

/* ---- configs (scenario_config.c) ---- */

typedef struct cg_cfg_layer {
    cg_client_cfg_t client;           /* client values; strings borrowed from the JSON tree */
    cg_broker_cfg_t broker;           /* coordinator values (group level only) */
    const cg_assignor_ops_t *strategy[CG_MAX_STRATEGY]; /* partition.assignment.strategy */
    size_t n_strategy;                /* 0 = not given */
    int protocol;                     /* group.protocol (cg_protocol_t), -1 = not given */
    uint32_t set;                     /* bit i: config key i was given at this level */
} cg_cfg_layer_t;

typedef enum cg_cfg_level { CG_CFG_GROUP = 0, CG_CFG_CONSUMER } cg_cfg_level_t;

void cg_cfg_defaults(cg_cfg_layer_t *l);      /* Kafka's defaults, kafka.md (c) */
/* Parse obj["config"] over l's current values; bits of l->set say what this level gave. */
bool cg_cfg_parse(cg_build_t *b, const cJSON *obj, cg_cfg_level_t level, cg_protocol_t protocol,
                  cg_cfg_layer_t *l);
/* Kafka's constraints between values, reported at PATH.config. */
bool cg_cfg_check(cg_build_t *b, const cg_cfg_layer_t *l, cg_cfg_level_t level,
                  cg_protocol_t protocol);
bool cg_cfg_is_set(const cg_cfg_layer_t *l, const char *key);
/* A restart's or join's obj["config"]: partition.assignment.strategy only (the other settings
 * are not modelled as changing), parsed into l (defaults elsewhere); false after errors. */
bool cg_cfg_parse_restart(cg_build_t *b, const cJSON *obj, cg_protocol_t protocol,
                          cg_cfg_layer_t *l);

int cg_build_groups(cg_build_t *b, const cJSON *root);
/* ---- memory budget (scenario_budget.c) ---- */
/* Before expanding `count` consumers with `n_topics` topics each: false (and an error naming the
 * product) when the consumers would exceed the budget. */
bool cg_budget_consumers(cg_build_t *b, int64_t count, size_t n_topics);
/* After a valid build, before anything is simulated: the world's estimate against the budget. */
void cg_budget_check(cg_build_t *b);
int cg_build_faults(cg_build_t *b, const cJSON *root);
/* ---- replica racks (scenario_racks.c) ---- */
/* A topic's "racks" or "rack_count"/"replication_factor" (t->partitions already parsed). */
bool cg_build_topic_racks(cg_build_t *b, const cJSON *o, cg_topic_cfg_t *t);
/* After the faults (max_partitions final): place the replicas of "rack_count" topics. */
void cg_build_racks_finish(cg_build_t *b);
void cg_topic_racks_free(cg_topic_cfg_t *t);
int cg_build_failure_models(cg_build_t *b, const cJSON *root);
int cg_build_autoscalers(cg_build_t *b, const cJSON *root);   /* scenario_autoscale.c */

/* "topics" of object o (required): resolved topic indexes, sorted and unique, in *out (caller
 * frees). False with a message at the JSON path otherwise. */
bool cg_build_topics(cg_build_t *b, const cJSON *o, int32_t **out, size_t *n_out);

#endif
