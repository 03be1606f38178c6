/* models/world_impl: the internal state of a run, shared by world.c, coordinator.c, consumer.c,
 * ownership.c, faults.c and trace_rec.c. Not part of the public surface (models/world.h is).
 * Owns: the struct layouts of the world, its groups (one classic coordinator each), its clients
 *       (one per scenario consumer) and the network messages between them.
 * Does not own: the scenario (read only), the partition logs (models/partlog), the assignors.
 * Invariant: arrays are allocated once in cg_world_new and never move during a run (handlers
 *            keep pointers to clients and groups); every iteration is in index order. */
#ifndef CG_WORLD_IMPL_H
#define CG_WORLD_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/sim.h"
#include "sim/rng.h"
#include "sim/trace.h"
#include "models/assignor.h"
#include "models/limits.h"
#include "models/partlog.h"
#include "models/scenario.h"
#include "models/world.h"

#define CG_MEMBER_ID_MAX (CG_MAX_NAME_LEN + 34)   /* "<id>-" + 32 hex digits + NUL */
#define CG_JOIN_TIMEOUT_LAPSE_NS (5000 * SIM_NS_PER_MS) /* Java JOIN_GROUP_TIMEOUT_LAPSE */
#define CG_ERR_MSG_MAX 512

/* Kafka error codes the classic protocol answers with. */
typedef enum cg_err {
    CG_ERR_NONE = 0, CG_ERR_MEMBER_ID_REQUIRED, CG_ERR_UNKNOWN_MEMBER_ID, CG_ERR_ILLEGAL_GENERATION,
    CG_ERR_REBALANCE_IN_PROGRESS, CG_ERR_FENCED_INSTANCE_ID, CG_ERR_NOT_COORDINATOR,
    CG_ERR_COUNT
} cg_err_t;

/* Why a rebalance starts or a member leaves: the trace's reason strings. */
typedef enum cg_reason {
    CG_RS_MEMBER_JOIN = 0, CG_RS_MEMBER_LEAVE, CG_RS_SESSION_TIMEOUT, CG_RS_POLL_TIMEOUT,
    CG_RS_REBALANCE_TIMEOUT, CG_RS_REVOCATION, CG_RS_LEADER_REJOIN, CG_RS_COORDINATOR_FAILOVER,
    CG_RS_METADATA, CG_RS_LEAVE, CG_RS_FENCED, CG_RS_COUNT
} cg_reason_t;

typedef enum cg_msg_kind {
    CG_MSG_JOIN = 0, CG_MSG_SYNC, CG_MSG_HEARTBEAT, CG_MSG_LEAVE, CG_MSG_COMMIT,
    CG_MSG_OFFSET_FETCH
} cg_msg_kind_t;

/* One request travelling to the coordinator and, reused, its response travelling back. */
typedef struct cg_msg {
    uint8_t kind;                     /* cg_msg_kind_t */
    uint8_t err;                      /* cg_err_t of the response */
    uint8_t reason;                   /* join: rebalance reason if it starts one; leave: why */
    bool leader;                      /* join response: the member leads this generation */
    bool meta_changed;                /* join: subscription metadata differs from the last join */
    bool sync_commit;                 /* commit: the app waits for this response */
    int32_t client;                   /* consumer index (global) of the sender */
    uint32_t proc;                    /* incarnation of the sending process */
    uint32_t req;                     /* request id of the sender (matches the response) */
    int32_t slot;                     /* member slot at the coordinator, -1 = none */
    uint64_t serial;                  /* member serial of that slot, 0 = none */
    int32_t generation;               /* generation of the request or of the response */
    int32_t owned_gen;                /* join: generation of the owned partitions, -1 unknown */
    int32_t *gp;                      /* partitions: owned (join), assignment (sync response),
                                         commit or offset-fetch partitions */
    int64_t *off;                     /* offsets parallel to gp (commit, offset-fetch response) */
    uint8_t *ok;                      /* commit response: per partition accepted */
    uint32_t n;                       /* entries in gp/off */
    uint32_t cap;                     /* capacity of gp/off/ok */
    int32_t next_free;                /* free-list link, -1 at the end */
} cg_msg_t;

typedef enum cg_gstate {
    CG_GS_EMPTY = 0, CG_GS_PREPARING, CG_GS_COMPLETING, CG_GS_STABLE, CG_GS_DEAD
} cg_gstate_t;

/* A member as the coordinator knows it. */
typedef struct cg_member {
    uint64_t serial;                  /* identity (slot reuse safe), 0 = free slot */
    int32_t consumer;                 /* consumer index (global) of the process that joined */
    int32_t instance;                 /* static instance index in the group, -1 = dynamic */
    bool pending;                     /* MEMBER_ID_REQUIRED sent, not yet added */
    bool is_new;                      /* added during the current join phase */
    bool in_gen;                      /* member of the current generation */
    bool synced;                      /* sent SyncGroup for the current generation */
    bool in_stable;                   /* member of the last Stable (persisted) generation */
    bool rejoined;                    /* sent JoinGroup for the current generation */
    char id[CG_MEMBER_ID_MAX];        /* member id */
    int64_t session_ns;               /* session.timeout.ms of the member */
    int64_t rebalance_timeout_ns;     /* max.poll.interval.ms of the member */
    int64_t deadline_ns;              /* session deadline (lazy timer re-arms) */
    int64_t joined_ns;                /* when its current parked JoinGroup arrived */
    sim_handle_t timer;               /* session expiry timer */
    int32_t join_msg;                 /* parked JoinGroup request, -1 none */
    int32_t sync_msg;                 /* parked SyncGroup request, -1 none */
    cg_tp_t *owned;                   /* owned partitions from its last JoinGroup */
    uint32_t n_owned, cap_owned;
    int32_t owned_gen;                /* generation of owned, -1 unknown */
    int32_t *assign;                  /* partitions (global index) assigned, current generation */
    uint32_t n_assign, cap_assign;
} cg_member_t;

/* One consumer group: its coordinator and the world's per-partition accounting. */
typedef struct cg_group {
    struct cg_world *w;               /* back pointer */
    int32_t gi;                       /* group index */
    const cg_group_cfg_t *cfg;        /* scenario group */
    cg_gstate_t state;                /* coordinator state */
    int32_t generation;               /* current generation id */
    int32_t stable_gen;               /* last generation that reached Stable (persisted) */
    int32_t forming_gen;              /* generation the current join phase forms */
    int32_t leader;                   /* leader slot, -1 = none */
    cg_member_t *members;             /* slots */
    uint32_t n_slots, cap_slots;
    int32_t *free_slots;              /* stack of free slot indexes (lowest on top) */
    uint32_t n_free;
    uint32_t n_members;               /* added members (not pending) */
    uint32_t n_pending;               /* MEMBER_ID_REQUIRED members */
    uint32_t n_awaiting_join;         /* members with a parked JoinGroup */
    uint64_t next_serial;             /* next member serial */
    sim_handle_t join_timer;          /* initial delay or rebalance timeout */
    sim_handle_t sync_timer;          /* pending-sync timeout */
    sim_handle_t check_timer;         /* `check`: coverage check after Stable */
    sim_handle_t reload_timer;        /* coordinator failover end */
    bool initial_delay;               /* join phase is the delayed initial rebalance */
    bool new_member_added;            /* a member joined during the initial delay */
    int64_t initial_remaining_ns;     /* rebalance timeout left for further delays */
    int64_t initial_cur_ns;           /* length of the current initial delay */
    int64_t stable_ns;                /* when the group last became Stable */
    int64_t max_hb_ns;                /* largest heartbeat.interval.ms of its consumers */
    int64_t net_const_ns;             /* network_ms when constant, else -1 */
    int64_t rebalance_start_ns;       /* when PreparingRebalance was entered */
    bool failover_pending;            /* next rebalance reason is coordinator_failover */
    bool down;                        /* coordinator unavailable (failover in progress) */
    int32_t *instance_slot;           /* per static instance index: member slot, -1 */
    uint32_t n_instances;
    char **instance_ids;              /* distinct group.instance.id values, sorted */
    int64_t *committed;               /* committed offset per partition, -1 none */
    int32_t *owner;                   /* trace owner: consumer index within group, -1 */
    int32_t *last_owner;              /* last trace owner, -1 never */
    int64_t *max_processed;           /* highest processed offset + 1 per partition */
    int64_t *unavail_since_ns;        /* unowned since (after first assignment), -1 */
    bool *subscribed;                 /* per topic: some consumer of the group subscribes */
    bool any_owned;                   /* the group has had a first assignment */
    int32_t *scratch_owner;           /* assignor output, size partitions */
    int32_t *scratch_claim;           /* cooperative: member claiming a partition, -1 */
    int32_t max_gen_start;            /* `check`: last rebalance_start generation */
    int32_t max_gen_end;              /* `check`: last rebalance_end generation */
    int64_t last_fault_ns;            /* last fault touching the group (check) */
    uint32_t faults_pending;          /* inverse faults scheduled, not yet applied */
    cg_group_summary_t sum;           /* summary counters */
} cg_group_t;

typedef enum cg_jstate {
    CG_JS_NONE = 0,                   /* no membership: must join */
    CG_JS_JOINING,                    /* JoinGroup in flight */
    CG_JS_SYNCING,                    /* SyncGroup in flight */
    CG_JS_STABLE                      /* member of a generation */
} cg_jstate_t;

typedef enum cg_wait {
    CG_W_NONE = 0,                    /* app not blocked */
    CG_W_COORD,                       /* poll waits for FindCoordinator */
    CG_W_JOIN,                        /* poll waits for the rebalance */
    CG_W_COMMIT,                      /* commitSync in flight (batch or pre-join) */
    CG_W_OFFSETS                      /* OffsetFetch in flight */
} cg_wait_t;

/* A partition the client owns, with its fetch position and a cache of the log end. */
typedef struct cg_owned {
    int32_t gp;                       /* global partition index */
    int64_t pos;                      /* next offset to fetch, -1 = unknown (OffsetFetch) */
    int64_t committed;                /* last offset this member committed successfully, -1 */
    int64_t end_cache;                /* log end offset at cache_ns */
    int64_t cache_ns;                 /* time end_cache was read */
    int64_t next_arr_ns;              /* end_cache is valid for times < this */
} cg_owned_t;

/* A chunk of the batch being processed: records [from, from+n) of partition gp. */
typedef struct cg_chunk {
    int32_t gp;
    int64_t from;
    int64_t n;
} cg_chunk_t;

/* The client: one scenario consumer and its current process. */
typedef struct cg_client {
    struct cg_world *w;               /* back pointer */
    int32_t ci;                       /* consumer index (global) */
    int32_t local;                    /* index within its group */
    const cg_consumer_cfg_t *cfg;     /* scenario consumer */
    cg_group_t *g;                    /* its group */
    int32_t instance;                 /* static instance index, -1 dynamic */
    sim_rng_t net_rng, proc_rng, mid_rng; /* streams: net/, proc/, member-id/ */
    bool running;                     /* a process is alive */
    bool started_ever;                /* has been started at least once (scale pool) */
    uint32_t proc;                    /* incarnation, bumped at every start and stop */
    uint32_t req_seq;                 /* request id counter */
    uint32_t wait_req;                /* request id the blocked app waits for */
    bool paused, hung, isolated;      /* fault flags */
    double slow;                      /* processing multiplier */
    bool coord_known;                 /* coordinator discovered */
    bool finding;                     /* FindCoordinator in flight */
    cg_jstate_t js;                   /* membership state */
    bool need_rejoin;                 /* rejoin at the next poll */
    bool lost;                        /* membership lost: drop partitions without revoke */
    bool prejoin_done;                /* onJoinPrepare done for the pending rejoin */
    bool commit_prejoin;              /* the awaited commitSync is onJoinPrepare's */
    uint8_t rejoin_reason;            /* cg_reason_t for the next JoinGroup */
    bool meta_changed;                /* owned set changed since the last JoinGroup */
    int32_t slot;                     /* member slot at the coordinator, -1 */
    uint64_t serial;                  /* member serial, 0 none */
    int32_t generation;               /* generation, -1 none */
    cg_wait_t wait;                   /* what the blocked app waits for */
    bool processing;                  /* a batch is being processed (poll event pending) */
    bool hb_inflight;                 /* a heartbeat awaits its response */
    bool positions_ok;                /* every owned partition has a position (cache) */
    int64_t last_poll_ns;             /* last poll() call (for max.poll.interval.ms) */
    int64_t last_hb_ok_ns;            /* last successful heartbeat */
    int64_t last_autocommit_ns;       /* last auto-commit */
    int64_t batch_ret_ns;             /* current batch returned by the fetch at */
    int64_t batch_end_ns;             /* current batch fully processed at */
    int64_t up_last_ns, down_last_ns; /* FIFO delivery times on the coordinator connection */
    sim_handle_t poll_ev;             /* next poll() (batch end) */
    sim_handle_t hb_timer;            /* heartbeat thread tick */
    sim_handle_t poll_timer;          /* max.poll.interval.ms check (lazy) */
    sim_handle_t req_timer;           /* timeout of the request the app waits for */
    sim_handle_t find_ev;             /* FindCoordinator completion */
    cg_owned_t *owned;                /* owned partitions sorted by gp */
    uint32_t n_owned, cap_owned;
    uint32_t rr;                      /* round-robin start index into owned */
    int32_t *prev_assign;             /* last assignment (sticky userData), sorted */
    uint32_t n_prev, cap_prev;
    int32_t prev_gen;                 /* its generation */
    cg_chunk_t *chunks;               /* current batch */
    uint32_t n_chunks, cap_chunks;
    int32_t *tr_owned;                /* partitions owned per the trace, any order */
    uint32_t n_tr, cap_tr;
} cg_client_t;

/* Pending fault work item (group helpers expand into per-member steps). */
typedef struct cg_fault_step {
    int32_t fault;                    /* scenario fault index */
    int32_t consumer;                 /* consumer (global), -1 group target */
    uint8_t action;                   /* cg_fault_action_t to apply */
    bool inverse;                     /* this is the scheduled inverse of a duration fault */
} cg_fault_step_t;

struct cg_world {
    sim_t sim;                        /* engine */
    const cg_scenario_t *s;           /* scenario */
    cg_run_opts_t opts;               /* options (copied) */
    sim_trace_t *tr;                  /* trace */
    cg_partlog_t *pl;                 /* partition logs */
    const int64_t *topic_base;        /* global partition index of (t, 0) */
    int64_t n_parts;                  /* total partitions */
    int32_t *gp_topic;                /* topic of each global partition */
    cg_topic_meta_t *topic_meta;      /* for the assignors */
    cg_group_t *groups;
    cg_client_t *clients;
    cg_msg_t *msgs;                   /* message pool */
    uint32_t n_msgs, cap_msgs;
    int32_t msg_free;                 /* free list head, -1 */
    struct cg_failures *failures;     /* failure models (models/failure) */
    cg_fault_step_t *steps;           /* fault steps, scheduled by index */
    uint32_t n_steps, cap_steps;
    int64_t records_consumed;
    int64_t duplicates;
    bool failed;                      /* invariant violation or internal error */
    bool ran;                         /* cg_world_run was called */
    char err[CG_ERR_MSG_MAX];         /* message when failed */
    int64_t last_rec_ns;              /* `check`: time of the last record */
    int64_t progress_step_ns;         /* virtual time between progress calls */
    cg_group_summary_t *summaries;    /* the result's per-group summaries */
    struct cg_c848_world *k848;       /* consumer-protocol state (models/c848), NULL if none */
};

/* ---- world.c ---- */
int32_t cg_world_msg_new(struct cg_world *w, cg_msg_kind_t kind, const cg_client_t *c);
void cg_world_msg_free(struct cg_world *w, int32_t mi);
int cg_world_msg_reserve(struct cg_world *w, int32_t mi, uint32_t n);   /* 0 or -1 */
static inline cg_msg_t *cg_world_msg(struct cg_world *w, int32_t mi) { return &w->msgs[mi]; }
/* Stop the run with an invariant violation or internal error; first message wins. */
void cg_world_fail(struct cg_world *w, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
int64_t cg_world_net_delay_ns(cg_client_t *c);     /* one-way latency draw */
/* Client -> coordinator: deliver request `mi` after one latency (dropped while isolated). */
void cg_world_send(cg_client_t *c, int32_t mi);
/* Coordinator -> client: answer request `mi` with `err` after one latency. */
void cg_world_reply(cg_group_t *g, int32_t mi, cg_err_t err);
const char *cg_reason_name(cg_reason_t r);
const char *cg_err_name(cg_err_t e);

#endif
