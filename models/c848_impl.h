/* models/c848_impl: the consumer-protocol state shared by c848_coord.c and c848_client.c.
 * Owns: the layouts of the group wrapper, the client extension and the messages between them.
 * Does not own: the KIP-848 state machine (models/assignor_kip848), the classic state.
 * Invariant: every member the state machine knows has exactly one member record (same id) in its
 *            group wrapper, which holds its timers; arrays never move during a run except the
 *            message pool and the record table (both addressed by index). */
#ifndef CG_C848_IMPL_H
#define CG_C848_IMPL_H

#include "models/assignor_kip848.h"
#include "models/c848.h"

#define CG_C848_NOT_COORDINATOR CG_K848_ERR_COUNT /* response error besides the k848 ones */
#define CG_C848_COMMIT_RETRIES 3                  /* STALE_MEMBER_EPOCH retries of a sync commit */

typedef enum cg_c848_kind { CG_C848_HB = 0, CG_C848_COMMIT, CG_C848_OFFSETS } cg_c848_kind_t;

/* One request and, reused, its response. */
typedef struct cg_c848_msg {
    uint8_t kind;                     /* cg_c848_kind_t */
    uint8_t err;                      /* cg_k848_err_t or CG_C848_NOT_COORDINATOR */
    uint8_t reason;                   /* leave heartbeat: cg_reason_t (leave / poll_timeout) */
    bool sync;                        /* commit: the app waits for it */
    bool full;                        /* heartbeat: subscription and rebalance timeout sent */
    bool has_assignment;              /* heartbeat response: assignment in gp[0..n) */
    int32_t client;                   /* consumer index (global) of the sender */
    uint32_t proc;                    /* sender's incarnation */
    uint32_t req;                     /* sender's request id */
    int32_t hint;                     /* member record index at the coordinator, -1 unknown */
    int32_t epoch;                    /* request: member epoch; response: the member's epoch */
    int64_t interval_ns;              /* heartbeat response: heartbeat interval */
    char member_id[CG_MEMBER_ID_MAX]; /* member id of the sender */
    int32_t *gp;                      /* owned (hb), assignment (hb response), commit/offsets */
    int64_t *off;                     /* offsets parallel to gp */
    uint8_t *ok;                      /* commit response: per partition accepted */
    uint32_t n, cap;                  /* entries, capacity */
    int32_t next_free;                /* free list link */
} cg_c848_msg_t;

/* The coordinator's timers for one member. */
typedef struct cg_c848_mrec {
    bool used;                        /* slot in use */
    char id[CG_MEMBER_ID_MAX];        /* member id */
    int32_t consumer;                 /* consumer index (global) of the process behind it */
    int64_t deadline_ns;              /* session deadline (lazy timer re-arms) */
    sim_handle_t session;             /* session timer */
    sim_handle_t rebalance;           /* rebalance timer */
    int32_t reb_epoch;                /* epoch the rebalance timer was armed at */
} cg_c848_mrec_t;

typedef struct cg_c848_group {
    cg_group_t *g;                    /* the world's group (accounting, config) */
    cg_k848_group_t *k;               /* the state machine */
    cg_c848_mrec_t *recs;             /* member records */
    uint32_t n_recs, cap_recs;
    bool reb_open;                    /* a rebalance_start is waiting for its rebalance_end */
    int64_t reb_start_ns;             /* when it started */
    int32_t *snap_owner;              /* last trace owner of each partition at its start */
    int32_t max_epoch_start;          /* `check`: last rebalance_start generation */
    sim_handle_t check_timer;         /* `check`: coverage once stable */
    sim_handle_t reload_timer;        /* failover end */
    int64_t stable_ns;                /* when the group last became STABLE */
} cg_c848_group_t;

typedef enum cg_c848_wait {
    CG_C848_W_NONE = 0, CG_C848_W_COORD, CG_C848_W_COMMIT, CG_C848_W_OFFSETS
} cg_c848_wait_t;

/* What a consumer-protocol client keeps besides the shared cg_client_t fields. */
typedef struct cg_c848_client {
    char member_id[CG_MEMBER_ID_MAX]; /* this process's member id (kept across rejoins) */
    int32_t epoch;                    /* member epoch; 0 while joining */
    bool member;                      /* the coordinator accepted it (a successful response) */
    bool joining;                     /* the next heartbeat is a join (epoch 0) */
    bool stale;                       /* left after a poll timeout: rejoin at the next poll */
    bool first_assign;                /* no assignment record since the join */
    bool hb_inflight;                 /* a heartbeat awaits its response */
    bool hb_again;                    /* send another heartbeat as soon as the response comes */
    int64_t hb_sent_ns;               /* when the in-flight heartbeat was sent */
    int64_t interval_ns;              /* heartbeat interval from the coordinator */
    int32_t hint;                     /* member record index at the coordinator */
    int32_t *target;                  /* latest assignment received, sorted */
    uint32_t n_target, cap_target;
    bool revoke_pending;              /* target lacks owned partitions: revoke at next poll */
    bool prerevoke_done;              /* the commit before the revocation completed */
    bool commit_prerevoke;            /* the awaited commit is the pre-revocation one */
    bool commit_resend;               /* resend the awaited commit once the coordinator is found */
    bool leave_pending;               /* resend the poll-timeout leave once it is found */
    cg_c848_wait_t wait;              /* what the blocked app waits for */
    int commit_retries;               /* STALE_MEMBER_EPOCH retries of the awaited commit */
    int32_t last_rec_epoch;           /* `check`: epoch of the last assignment record */
    sim_handle_t hb_timer;            /* heartbeat tick */
} cg_c848_client_t;

struct cg_c848_world {
    cg_c848_group_t *groups;          /* per group; k == NULL for classic groups */
    cg_c848_client_t *clients;        /* per consumer */
    cg_c848_msg_t *msgs;              /* message pool */
    uint32_t n_msgs, cap_msgs;
    int32_t msg_free;                 /* free list head, -1 */
};

static inline cg_c848_group_t *cg_c848_grp(const cg_group_t *g)
{
    return &g->w->k848->groups[g->gi];
}
static inline cg_c848_client_t *cg_c848_cli(const cg_client_t *c)
{
    return &c->w->k848->clients[c->ci];
}
static inline cg_c848_msg_t *cg_c848_msg(struct cg_world *w, int32_t mi)
{
    return &w->k848->msgs[mi];
}

/* c848_coord.c */
int32_t cg_c848_msg_new(struct cg_world *w, cg_c848_kind_t kind, const cg_client_t *c);
void cg_c848_msg_free(struct cg_world *w, int32_t mi);
int cg_c848_msg_reserve(struct cg_world *w, int32_t mi, uint32_t n);    /* 0 or -1 */
void cg_c848_send(cg_client_t *c, int32_t mi);     /* client -> coordinator */
void cg_c848_coord_on_msg(sim_t *sim, void *ctx, uint64_t arg);
/* Whether member_id is known to the coordinator at `epoch` (trace consistency). */
bool cg_c848_member_at_epoch(const cg_group_t *g, const char *member_id, int32_t epoch);
void cg_c848_rec_commit(struct cg_world *w, const cg_group_t *g, int32_t consumer, int32_t gp,
                        int64_t offset, int32_t epoch, bool ok, int64_t end_offset,
                        const char *error);
/* c848_client.c */
void cg_c848_client_on_msg(sim_t *sim, void *ctx, uint64_t arg);
int cg_c848_client_init(cg_client_t *c);
void cg_c848_client_fini(cg_client_t *c);

#endif
