/* tests/support/assign_test_util: helpers shared by the test_assign* tests: a splitmix64
 * generator, whole-file reading, running an assignor with a poisoned output, and property
 * checks on an assignment (topic of a global partition index, owned lists, partition counts,
 * spread, "no single move narrows a gap of two").
 * Depends on the assignor layer only (models/assignor.h), so a test_assign* test still builds
 * with that layer alone.
 * Owns: the buffer at_read_file returns (the caller frees it).
 * Does not own: inputs and owner arrays passed in.
 * Invariant: owner[] is indexed by global partition index (cg_assign_input_t.topic_base), -1 =
 * unassigned. */
#ifndef CGSIM_TESTS_SUPPORT_ASSIGN_TEST_UTIL_H
#define CGSIM_TESTS_SUPPORT_ASSIGN_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "models/assign/assignor.h"

/* splitmix64: the next value of the sequence in *s; a uniform value below n (n > 0). */
uint64_t at_next(uint64_t *s);
uint32_t at_below(uint64_t *s, uint32_t n);

/* Whole file, NUL-terminated, its size in *len (may be NULL); a file that cannot be read fails
 * the calling test. */
char *at_read_file(const char *path, size_t *len);

/* Run `ops` with every owner slot poisoned first (each must be written); returns 1 when the
 * assignor is a placeholder (error "not implemented"), 0 on success; any other error fails the
 * calling test. */
int at_run(const cg_assignor_ops_t *ops, const cg_assign_input_t *in, int32_t *owner);

/* Topic index of global partition index g. */
int32_t at_topic_of(const cg_assign_input_t *in, int64_t g);
/* Member m lists (t, p) among its owned partitions. */
bool at_lists(const cg_assign_member_t *m, int32_t t, int32_t p);
/* Some member subscribes to topic t. */
bool at_topic_used(const cg_assign_input_t *in, int32_t t);
/* Every member has the same (sorted) subscription list. */
bool at_equal_subscriptions(const cg_assign_input_t *in);
/* count[i] (i < n_members) := partitions in [lo, hi) of the global index owned by member i. */
void at_counts(const cg_assign_input_t *in, const int32_t *owner, int64_t lo, int64_t hi,
               int64_t *count);
/* Largest minus smallest member count over [lo, hi) (0 without members); the extremes in *mn,
 * *mx when not NULL. */
int64_t at_spread(const cg_assign_input_t *in, const int32_t *owner, int64_t lo, int64_t hi,
                  int64_t *mn, int64_t *mx);
/* Kafka's isBalanced(): no partition can move to a subscriber with two fewer partitions; a
 * failure names `what`. */
void at_check_no_improving_move(const char *what, const cg_assign_input_t *in,
                                const int32_t *owner);

#endif
