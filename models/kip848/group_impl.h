/* models/kip848/group_impl: the consumer group's coordinator in the world, shared by
 * group.c (ConsumerGroupHeartbeat, commits, timers, trace), classic_members.c (JoinGroup,
 * SyncGroup, Heartbeat and LeaveGroup of classic members after an online upgrade) and convert.c
 * (the conversions).
 * Not part of the public surface. */
#ifndef CG_KIP848_GROUP_IMPL_H
#define CG_KIP848_GROUP_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include "models/kip848/machine.h"
#include "models/offsets/offsets.h"
#include "models/world/world_impl.h"

/* The coordinator's record of one member: its timers, and for a classic member its identity. */
typedef struct cg_c848_mrec {
    bool used;                        /* slot in use */
    bool classic;                     /* speaks the classic protocol (migration) */
    bool pending;                     /* classic: MEMBER_ID_REQUIRED sent, not a member yet */
    char id[CG_MEMBER_ID_MAX];        /* member id */
    int32_t consumer;                 /* consumer index (global) of the process behind it */
    uint64_t serial;                  /* classic: with the record index, the member's identity */
    int32_t instance;                 /* classic: static instance index in the group, -1 */
    cg_join_meta_t meta;              /* classic: what its last JoinGroup said */
    sim_deadline_t session;           /* session deadline and its timer */
    sim_handle_t rebalance;           /* rebalance timer */
    int32_t reb_epoch;                /* epoch the rebalance timer was armed at */
    sim_handle_t join_timer;          /* classic: rejoin within the rebalance timeout */
    sim_handle_t sync_timer;          /* classic: SyncGroup within the rebalance timeout */
} cg_c848_mrec_t;

typedef struct cg_c848_group {
    cg_group_t *g;                    /* the world's group (accounting, config) */
    cg_k848_group_t *k;               /* the state machine */
    cg_c848_mrec_t *recs;             /* member records */
    uint32_t n_recs, cap_recs;
    cg_offsets_t offsets;             /* committed offsets */
    bool down;                        /* failover in progress */
    sim_handle_t reload_timer;        /* failover end */
    int64_t stable_ns;                /* when the group last became STABLE */
    uint64_t next_serial;             /* classic identities: next serial */
    sim_rng_t *id_rng;                /* classic members: member-id stream per consumer */
    bool gone_consumer;               /* a consumer-protocol member was just removed */
    int32_t epoch_before_removal;     /* the group epoch before that removal */
    int32_t import_epoch;             /* the epoch of an imported classic target, -1 none */
} cg_c848_group_t;

/* The group's consumer coordinator, and the engine and network it works with. */
static inline cg_c848_group_t *c848_of(const cg_group_t *g)
{
    return (cg_c848_group_t *)cg_group_coord(g, CG_PROTOCOL_CONSUMER);
}
static inline int64_t c848_now(const cg_c848_group_t *cg) { return sim_now(&cg->g->w->sim); }
static inline sim_t *c848_sim(const cg_c848_group_t *cg) { return &cg->g->w->sim; }
static inline cg_net_t *c848_net(const cg_c848_group_t *cg) { return &cg->g->w->net; }

/* ---- group.c ---- */
int32_t c848_rec_find(const cg_c848_group_t *cg, const char *id, int32_t hint);
int32_t c848_rec_add(cg_c848_group_t *cg, const char *id, int32_t consumer);
void c848_rec_free(cg_c848_group_t *cg, int32_t ri);
void c848_arm_session(cg_c848_group_t *cg, int32_t ri, int64_t deadline);
void c848_apply_timers(cg_c848_group_t *cg, int32_t ri, const cg_k848_response_t *r);
/* The member of record ri is gone (member_leave written, ownership ended). */
void c848_member_gone(cg_c848_group_t *cg, int32_t ri, cg_reason_t why);
/* After a change: a downgrade when the last consumer-protocol member is gone (and the policy
 * allows it), else open a rebalance on a bump, close it when STABLE. */
void c848_settle(cg_c848_group_t *cg, bool bumped, cg_reason_t why);
void c848_reply(cg_c848_group_t *cg, int32_t mi, cg_err_t err);
cg_reason_t c848_bump_reason(cg_k848_bump_t b, uint8_t leave_reason);

/* The classic static member of record ri replaced consumer-protocol member(s): convert back
 * when every member is classic now and the policy allows it. Returns whether it did. */
bool c848_downgrade_replaced(cg_c848_group_t *cg, bool new_subscription);

void c848_on_request(void *ctx, int32_t mi);          /* the network endpoint */
/* A fresh state machine for the group (its server assignor and broker settings). */
cg_k848_group_t *c848_machine_new(const cg_group_t *g);

/* ---- convert.c: the group's hooks for models/world/migration.c ---- */
int c848_export_state(cg_group_t *g, cg_mig_state_t *out);
bool c848_has_members(const cg_group_t *g);
int c848_import_state(cg_group_t *g, const cg_mig_state_t *in, int why);
void c848_deactivate(cg_group_t *g);

/* ---- classic_members.c ---- */
/* A classic JoinGroup, SyncGroup, Heartbeat or LeaveGroup at the consumer group. */
void c848_classic_request(cg_c848_group_t *cg, int32_t mi);
/* OffsetCommit of a classic member (ConsumerGroup.validateOffsetCommit, classic branch). */
cg_err_t c848_classic_commit_check(const cg_c848_group_t *cg, const cg_msg_t *m);
/* The classic member's record from (slot, serial), -1 when unknown. */
int32_t c848_classic_rec(const cg_c848_group_t *cg, int32_t slot, uint64_t serial);
int c848_classic_init(cg_c848_group_t *cg);
void c848_classic_fini(cg_c848_group_t *cg);

#endif
