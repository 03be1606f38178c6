/* models/assignor_sticky: private interface between the sticky assignor family's files.
 * Owns: the validated view of the previous assignment (who may keep what) shared by the
 *       constrained builder (equal subscriptions) and the general builder (unequal ones).
 * Does not own: the ops structs (assignor_sticky.c) or the registry (assignor.c).
 * Invariant: every array is indexed by global partition (topic_base[t] + p) or by member index
 *            in the input; valid_owner[g] is subscribed to g's topic or is -1. */
#ifndef CG_ASSIGNOR_STICKY_H
#define CG_ASSIGNOR_STICKY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "models/assign/assignor.h"
#include "models/assign/rack.h"

typedef struct cg_sticky_ctx {
    const cg_assign_input_t *in;      /* the assignor input (borrowed) */
    int64_t n_parts;                  /* total partitions, topic_base[n_topics] */
    int32_t n_members;                /* in->n_members as int32 */
    int32_t *rank;                    /* rank[m] = position of member m in member-id order */
    int32_t *by_rank;                 /* by_rank[r] = member index with rank r */
    uint8_t *topic_used;              /* [n_topics] 1 when at least one member subscribes */
    int32_t *valid_owner;             /* [n_parts] validated previous owner, -1 if none */
    int32_t *claim_first;             /* [n_parts] first member listing g as owned, -1 if none */
    uint8_t *claim_many;              /* [n_parts] 1 when two or more members list g as owned */
    bool all_equal;                   /* every member has the same subscription */
    cg_rack_view_t rv;                /* member racks */
    bool racks;                       /* rack-aware (KIP-881): owned partitions off the owner's
                                         rack are dropped, new ones go to a member on a replica
                                         rack first (rack.h: Kafka's test over every member and
                                         every partition of a subscribed topic) */
} cg_sticky_ctx_t;

/* Validate the previous assignment (generations, conflicts, subscriptions). 0 or -1 + err. */
int cg_sticky_ctx_init(cg_sticky_ctx_t *c, const cg_assign_input_t *in, char *err, size_t errlen);
void cg_sticky_ctx_fini(cg_sticky_ctx_t *c);

/* Kafka's ConstrainedAssignmentBuilder (all subscriptions equal). Fills owner[]. */
int cg_sticky_constrained(const cg_sticky_ctx_t *c, int32_t *owner, char *err, size_t errlen);
/* Balance-first general builder (subscriptions differ). Fills owner[]. */
int cg_sticky_general(const cg_sticky_ctx_t *c, int32_t *owner, char *err, size_t errlen);

/* Java's String.hashCode of a UTF-8 string (computed over UTF-16 code units). */
int32_t cg_sticky_java_hash(const char *s);
/* Member indexes in the iteration order of a Java HashMap<String,...> built with default
 * capacity by inserting the ids in input order. order must hold n entries. 0 or -1 (no memory). */
int cg_sticky_java_map_order(const cg_assign_input_t *in, int32_t *order);

#endif
