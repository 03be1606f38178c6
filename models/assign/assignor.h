/* models/assignor: the pluggable partition-assignor interface and its registry.
 * Owns: the input/output types every assignor shares, lookup by name, the registry of
 *       client-side (classic) and server-side (KIP-848 consumer protocol) assignors.
 * Does not own: any group state; assignors are pure functions of their input.
 * Invariant: an assignor's output gives each partition of a subscribed topic at most one owner,
 *            only to a member subscribed to its topic, and is a deterministic function of the
 *            input (no hash-order, pointer-order or qsort-instability effects). */
#ifndef CG_ASSIGNOR_H
#define CG_ASSIGNOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cg_tp {
    int32_t topic;                    /* index into cg_assign_input_t.topics */
    int32_t partition;                /* partition number */
} cg_tp_t;

typedef struct cg_topic_meta {
    const char *name;                 /* topic name */
    int32_t partitions;               /* partition count (>= 0) */
} cg_topic_meta_t;

typedef struct cg_assign_member {
    const char *id;                   /* member id (unique in the input) */
    const char *instance_id;          /* group.instance.id, NULL for a dynamic member */
    const char *rack;                 /* client.rack, NULL (or "") when it has none */
    const int32_t *topics;            /* subscribed topic indexes, sorted ascending, unique */
    size_t n_topics;
    const cg_tp_t *owned;             /* partitions the member owns now (any order) */
    size_t n_owned;
    int32_t generation;               /* generation of `owned`, -1 when unknown */
} cg_assign_member_t;

typedef struct cg_assign_input {
    const cg_topic_meta_t *topics;    /* sorted by name (strcmp), names unique */
    size_t n_topics;
    const int64_t *topic_base;        /* topic_base[t] = global index of (t, 0); size n_topics + 1 */
    const cg_assign_member_t *members;/* in any order: assignors sort what they need */
    size_t n_members;
    /* Replica racks (KIP-881; models/assign/rack.h): replica_racks[g] has bit r set when a
     * replica of global partition g is on rack rack_names[r]. NULL: no rack information (the
     * KIP-848 server assignors always get NULL: Kafka 3.8-4.0's ignore racks). */
    const uint64_t *replica_racks;    /* [topic_base[n_topics]] or NULL */
    const char *const *rack_names;    /* [n_racks], distinct */
    size_t n_racks;                   /* at most CG_MAX_RACKS (64, the bits of a mask) */
} cg_assign_input_t;

/* The result: owner[topic_base[t] + p] = member index in the input, or -1 for unassigned. */
typedef struct cg_assign_output {
    int32_t *owner;                   /* size topic_base[n_topics], filled by the assignor */
} cg_assign_output_t;

typedef enum cg_protocol { CG_PROTOCOL_CLASSIC = 0, CG_PROTOCOL_CONSUMER = 1 } cg_protocol_t;

typedef struct cg_assignor_ops {
    const char *name;                 /* "range", "roundrobin", "sticky", "cooperative-sticky", ... */
    cg_protocol_t protocol;           /* classic = client side, consumer = KIP-848 server side */
    bool cooperative;                 /* supports COOPERATIVE rebalancing (KIP-429) */
    /* Fill out->owner (already allocated, size = total partitions). Returns 0, or -1 with a
     * message in err (out of memory, inconsistent input). */
    int (*assign)(const cg_assign_input_t *in, cg_assign_output_t *out, char *err, size_t errlen);
} cg_assignor_ops_t;

/* Find by name among the assignors of a protocol; NULL if unknown. */
const cg_assignor_ops_t *cg_assignor_find(cg_protocol_t protocol, const char *name);
/* Comma-separated names of the protocol's assignors, for error messages ("range, roundrobin"). */
const char *cg_assignor_names(cg_protocol_t protocol);
/* All registered assignors, for the shared property test; returns the count. */
size_t cg_assignor_all(const cg_assignor_ops_t *const **out);

/* Member order of range and roundrobin (Kafka's MemberInfo.compareTo): members with an instance
 * id first, by instance id; then the others by member id. strcmp on UTF-8 is code-point order. */
int cg_assign_member_cmp(const cg_assign_member_t *a, const cg_assign_member_t *b);
bool cg_assign_subscribed(const cg_assign_member_t *m, int32_t topic);  /* binary search */
int64_t cg_assign_total_partitions(const cg_assign_input_t *in);
/* Member indexes in cg_assign_member_cmp order (by_id false) or member-id order (by_id true),
 * ties by input index; malloc'd (at least one slot), caller frees; NULL when out of memory. */
int32_t *cg_assign_member_order(const cg_assign_input_t *in, bool by_id);
/* Range's and roundrobin's view of the members: *order = cg_assign_member_order(in, false), and
 * the subscribers of each topic as ranks in that order (positions 0..n_members-1), ascending: for
 * topic t they are (*ranks)[(*off)[t] .. (*off)[t+1]). All three malloc'd, caller frees; -1 when
 * out of memory (nothing allocated). */
int cg_assign_subscribers(const cg_assign_input_t *in, int32_t **order, int64_t **off,
                          int32_t **ranks);

/* The registered implementations; each assignor file exports only its ops struct. */
extern const cg_assignor_ops_t cg_assignor_range;
extern const cg_assignor_ops_t cg_assignor_roundrobin;
extern const cg_assignor_ops_t cg_assignor_sticky;
extern const cg_assignor_ops_t cg_assignor_cooperative_sticky;
extern const cg_assignor_ops_t cg_assignor_uniform;        /* KIP-848 server "uniform" */
extern const cg_assignor_ops_t cg_assignor_server_range;   /* KIP-848 server "range" */

#endif
