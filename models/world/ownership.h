/* models/ownership: partition ownership as the TRACE defines it (design.md: from an `assignment`
 * listing a partition until a `revoke` listing it, a later `assignment` without it, or the
 * member's `member_leave`), and what depends on it: moved partitions, unavailable
 * partition-time, duplicates, zombie records, and the `check` invariants.
 * Owns: the per-group owner arrays and per-client trace-owned lists. Does not own: what the
 *       clients believe they own (models/consumer) or the coordinator's assignment.
 * Invariant: owner[gp] == c exactly when gp is in client c's trace-owned list. */
#ifndef CG_OWNERSHIP_H
#define CG_OWNERSHIP_H

#include "models/world/world_impl.h"

/* Write an `assignment` record and make the client own exactly gp[0..n) (sorted). */
void cg_own_assign(cg_group_t *g, cg_client_t *c, int32_t generation, const int32_t *gp,
                   uint32_t n);
/* Write a `revoke` record for those of gp[0..n) (sorted) the client owns per the trace;
 * nothing when it owns none of them. */
void cg_own_revoke(cg_group_t *g, cg_client_t *c, const int32_t *gp, uint32_t n);
/* Write a `revoke` record for every partition the client owns per the trace except those in
 * keep[0..n_keep) (sorted); nothing when that leaves none. The trace's view is used rather than
 * the client's so that a partition the coordinator assigned to a member whose process never
 * learnt of it is given up too. */
/* x is in the ascending array v[0..n) (binary search). */
bool cg_own_in_sorted(const int32_t *v, uint32_t n, int32_t x);
void cg_own_revoke_except(cg_group_t *g, cg_client_t *c, const int32_t *keep, uint32_t n_keep);
/* The member of consumer `c` was removed (member_leave) or replaced by another consumer. */
void cg_own_end_all(cg_group_t *g, cg_client_t *c);
/* A member of consumer c was removed (member_leave written): its ownership ends in the trace.
 * The record names the consumer, not the member id, so when c's current process is another
 * member (`other`: a process restarted while its old member waited to be removed), that
 * process's partitions are re-stated at once with an assignment at its generation `gen`. */
void cg_own_member_gone(cg_group_t *g, cg_client_t *c, bool other, int32_t gen);
/* Records [from, from+n) of gp were processed by c now: counts, duplicates, zombies. */
void cg_own_processed(cg_group_t *g, cg_client_t *c, int32_t gp, int64_t from, int64_t n);
/* Why a member's process is not processing, per its fault records (analysis/ reads the same
 * records): crash or leave until its next assignment, pause or hang until resume, isolate until
 * heal. The partitions it owns meanwhile count as stalled. */
enum { CG_STOP_DOWN = 1, CG_STOP_PAUSED = 2, CG_STOP_ISOLATED = 4 };
/* An applied fault action on client c (written as a fault record just before). */
void cg_own_fault(cg_client_t *c, cg_fault_action_t a);
/* Partitions [from, to) of topic t were just added. When the group has had a partition of t in
 * an assignment, they count as unowned from now on (analysis/ counts them from the fault
 * record by the same rule); otherwise, as any partition, once an assignment lists them, from
 * the later of their creation and the group's first assignment. */
void cg_own_partitions_added(cg_group_t *g, int32_t t, int32_t from, int32_t to);
/* Close the unavailable-time accounting at the end of the run. */
void cg_own_finish(cg_group_t *g, int64_t end_ns);
/* `check`: the group has been stable for a while: every partition of a topic with
 * topic_sub[t] set (subscribed by a member of the generation) that the assignment knew of
 * (known[t].partitions: partitions added later may be unknown to it) must be owned. */
/* `check`: the coverage check of a stable generation, fn(sim, ctx, arg) at `at`, with its
 * deferrals reset. */
void cg_own_check_arm(cg_group_t *g, int64_t at, sim_handler_fn fn, void *ctx, uint64_t arg);
/* A member is still catching up with the generation (a response in flight, an assignment
 * applied at its next poll()): the check looks again interval_ns later, at most
 * CG_CHECK_DEFERS_MAX times per generation; false once they are used up (check now: a member
 * that never catches up is stuck). */
bool cg_own_check_defer(cg_group_t *g, int64_t interval_ns, sim_handler_fn fn, void *ctx,
                        uint64_t arg);
void cg_own_check_coverage(cg_group_t *g, const bool *topic_sub, const cg_topic_meta_t *known,
                           int32_t generation);
/* cg_own_assign when the group's protocol still counts c as the member it believes it is (an
 * assignment reaching a member removed meanwhile is not recorded). */
void cg_own_assign_current(cg_group_t *g, cg_client_t *c, int32_t generation, const int32_t *gp,
                           uint32_t n);

/* ---- rebalances and commits: one accounting for every protocol ---- */
/* A rebalance opens (consumer protocol): last owners are remembered for `moved`. */
void cg_own_rebalance_begin(cg_group_t *g);
/* During an open rebalance a partition that never had an owner counts its first owner as its
 * last owner, so a partition handed on within the same rebalance counts as moved. */
void cg_own_note_first_owner(cg_group_t *g, const cg_client_t *c, const int32_t *gp, uint32_t n);
/* A rebalance ended: summary counters and the rebalance_end record. */
void cg_own_rebalance_end(cg_group_t *g, int32_t generation, int64_t duration_ns,
                          int64_t members, int64_t moved, bool check_generation);
/* An OffsetCommit of one partition of group `group` (a cg_group_t; the signature of the
 * coordinators' commit report) was answered `err`: the commit record (with the log end) and,
 * when accepted, max lag as analysis/ defines it. */
void cg_own_commit(void *group, int32_t consumer, int32_t gp, int64_t offset,
                   int32_t generation, cg_err_t err);

#endif
