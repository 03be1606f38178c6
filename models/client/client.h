/* models/client: the consumer application, the same for every membership protocol: the poll
 * loop (one engine event per poll() call, at the end of the batch being processed), fetches from
 * the partition logs (models/client/fetch), processing times, positions, OffsetFetch and
 * auto.offset.reset, auto-commit and commitSync, FindCoordinator, the request timeout, the
 * max.poll.interval.ms timer, and the faults (start, crash, close, pause, hang, resume, slow,
 * isolate). What differs between membership protocols sits behind cg_member_ops_t.
 * Owns: one client per scenario consumer and its current process (incarnation), its owned
 *       partitions with positions, and the zombie, duplicate and error records.
 * Does not own: the membership protocol's state (c->ms, owned by the protocol's member ops),
 *       the coordinators (reached only through models/net messages), trace ownership (models/
 *       ownership; the client tells it what it assigns and revokes).
 * Invariant: the app is in exactly one of: idle (not running, or paused), processing a batch
 *            (poll_ev pending), or blocked inside poll() waiting for `wait`. */
#ifndef CG_CLIENT_H
#define CG_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/dist.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "models/net/net.h"
#include "models/scenario/scenario.h"

struct cg_world;
struct cg_group;

#define CG_MEMBER_STATE_INLINE 128    /* bytes of membership state kept inside the client */

typedef enum cg_wait {
    CG_W_NONE = 0,                    /* app not blocked */
    CG_W_COORD,                       /* poll waits for FindCoordinator */
    CG_W_JOIN,                        /* poll waits for the rebalance (classic) */
    CG_W_COMMIT,                      /* commitSync in flight (batch or rebalance callback) */
    CG_W_OFFSETS                      /* OffsetFetch in flight */
} cg_wait_t;

/* What the max.poll.interval.ms timer does when it fires in the client's current state. */
typedef enum cg_poll_check {
    CG_PC_COUNT = 0,                  /* check the deadline */
    CG_PC_DEFER,                      /* not counting now: look again one interval later */
    CG_PC_IGNORE                      /* nothing until something re-arms it */
} cg_poll_check_t;

/* A partition the client owns, with its fetch position and a cache of the log end. */
typedef struct cg_owned {
    int32_t gp;                       /* global partition index */
    int32_t line_count;               /* > 0: cache_ns's bucket is whole, with this many records
                                         arriving evenly (cg_partlog_line_t; lo and base follow
                                         from cache_ns and end_cache), 0: unknown */
    int64_t pos;                      /* next offset to fetch, -1 = unknown (OffsetFetch) */
    int64_t committed;                /* last offset this member committed successfully, -1 */
    int64_t end_cache;                /* log end offset at cache_ns */
    int64_t cache_ns;                 /* time end_cache was read */
    int64_t next_arr_ns;              /* end_cache is valid for times < this */
} cg_owned_t;

/* An entry of the wake heap: owned index i has no record past its position before ns
 * (INT64_MIN: it has, or may have, some now). The key sits in the entry so that sifting compares
 * neighbours instead of chasing indexes into the owned table. */
typedef struct cg_wake {
    int64_t ns;
    uint32_t i;
} cg_wake_t;

/* A chunk of the batch being processed: records [from, from+n) of partition gp. */
typedef struct cg_chunk {
    int32_t gp;
    int64_t from;
    int64_t n;
} cg_chunk_t;

typedef struct cg_member_ops cg_member_ops_t;

typedef struct cg_client {
    /* First, what every poll() reads, and the membership state right after it, so that the
     * common poll touches few cache lines (the order matters for speed only). */
    struct cg_world *w;               /* back pointer: engine, logs, trace, accounting */
    const cg_member_ops_t *ops;       /* membership protocol */
    void *ms;                         /* membership state (ops->state_size bytes) */
    bool running;                     /* a process is alive */
    bool paused, hung;                /* fault flags (isolation is the link's) */
    bool coord_known;                 /* coordinator discovered */
    bool processing;                  /* a batch is being processed (poll event pending) */
    bool positions_ok;                /* every owned partition has a position (cache) */
    bool finding;                     /* FindCoordinator in flight */
    bool commit_in_rebalance;         /* the awaited commitSync is the rebalance callback's */
    cg_wait_t wait;                   /* what the blocked app waits for */
    uint32_t proc;                    /* incarnation, bumped at every start and stop */
    /* The membership state lives here when it fits (ms points at it), next to the fields above
     * rather than in a separate allocation. */
    _Alignas(16) unsigned char ms_inline[CG_MEMBER_STATE_INLINE];
    int64_t last_poll_ns;             /* last poll() call (for max.poll.interval.ms) */
    int64_t last_autocommit_ns;       /* last auto-commit */
    sim_handle_t poll_ev;             /* next poll() (batch end) */
    sim_handle_t poll_timer;          /* max.poll.interval.ms check (lazy) */
    const cg_consumer_cfg_t *cfg;     /* scenario consumer */
    cg_owned_t *owned;                /* owned partitions sorted by gp */
    uint32_t n_owned, cap_owned;
    uint32_t rr;                      /* round-robin start index into owned */
    cg_wake_t *wake;                  /* owned partitions with a position, a min-heap on (ns, i) */
    uint32_t n_wake, cap_wake;
    uint32_t *ready;                  /* a fetch's owned indexes with records (scratch) */
    uint32_t cap_ready;
    bool wake_stale;                  /* owned or positions changed: rebuild `wake` first */
    bool wake_scan;                   /* few owned: `wake` is by owned index, scanned (fetch.c) */
    int64_t wake_min;                 /* scanned form: the least key in `wake` between fetches */
    cg_chunk_t *chunks;               /* current batch */
    uint32_t n_chunks, cap_chunks;
    int64_t batch_ret_ns;             /* current batch returned by the fetch at */
    int64_t batch_end_ns;             /* current batch fully processed at */
    double slow;                      /* processing multiplier */
    int64_t last_hb_ok_ns;            /* last successful heartbeat */
    uint32_t req_seq;                 /* request id counter */
    uint32_t wait_req;                /* request id the blocked app waits for */
    bool started_ever;                /* has been started at least once (scale pool) */
    bool commit_resend;               /* resend the awaited commit once the coordinator is found */
    int commit_retries;               /* retries of the awaited commit */
    sim_handle_t req_timer;           /* timeout of the request the app waits for */
    sim_handle_t find_ev;             /* FindCoordinator completion */
    int32_t ci;                       /* consumer index (global): also its network link */
    int32_t local;                    /* index within its group */
    const int32_t *topics;            /* subscription (sorted): the scenario's, or a restart's */
    size_t n_topics;
    const cg_assignor_ops_t *const *strategy; /* classic: partition.assignment.strategy (the
                                         scenario's, or a restart's "config"), preference order */
    uint32_t n_strategy;
    bool cooperative;                 /* classic: its rebalance protocol is COOPERATIVE */
    struct cg_group *g;               /* its group (configuration and accounting) */
    int32_t instance;                 /* static instance index in the group, -1 dynamic */
    const cg_member_ops_t *next_ops;  /* group.protocol of the next process (a restart's
                                         "config"), NULL: unchanged */
    uint32_t ops_switches;            /* times a process started with another protocol */
    sim_rng_t proc_rng;               /* processing times "proc/<group>/<consumer>" */
    sim_dist_sampler_t proc_dist;     /* cfg->processing, prepared for batch sums */
    int32_t *tr_owned;                /* partitions owned per the trace, any order */
    uint32_t n_tr, cap_tr;
    unsigned tr_stop;                 /* CG_STOP_* bits: why, per its fault records, the process
                                         is not processing (models/world/ownership) */
    int64_t tr_stop_since_ns;         /* when tr_stop last became non-zero */
    int32_t *held;                    /* partitions counted in the world's holders (runahead.c) */
    uint32_t n_held, cap_held;
    bool shares_topic;                /* a held partition's topic has readers in other groups */
    uint32_t shares_version;          /* w->topic_shared_version shares_topic was computed at */
    int64_t ahead_from;               /* in a poll event: its time, else INT64_MIN (run-ahead) */
    int64_t ahead_next;               /* the next poll, run at once, INT64_MIN none */
    int64_t ahead_bound;              /* this poll event's time bound, INT64_MIN not yet known */
} cg_client_t;

/* A membership protocol as the client sees it: a const table found by name (models/protocol).
 * Each hook is called at one point of the shared client and holds only what differs. */
struct cg_member_ops {
    const char *name;                 /* "classic", "consumer" */
    size_t state_size;                /* bytes of c->ms (zeroed before init) */
    int (*init)(cg_client_t *c);                          /* 0 or -1 (out of memory) */
    void (*fini)(cg_client_t *c);
    void (*start)(cg_client_t *c);    /* a new process, after its first poll is scheduled */
    void (*stop)(cg_client_t *c);     /* the process stops: membership timers and state */
    /* poll(): rebalance work before fetching; false when poll blocks or must stop here. */
    bool (*poll_membership)(cg_client_t *c);
    bool (*can_commit)(const cg_client_t *c);       /* commits carry a valid generation/epoch */
    /* Why a commit the app wants is failed locally: can_commit is false, or the coordinator is
     * unknown (the commit record's error); CG_ERR_NONE: skipped without a record. */
    cg_err_t (*commit_refused)(const cg_client_t *c, bool coordinator_known);
    bool (*batch_commit_ok)(const cg_client_t *c);  /* commitSync after a batch may be sent */
    void (*stamp)(const cg_client_t *c, cg_msg_t *m);  /* member identity and generation */
    void (*on_response)(cg_client_t *c, cg_msg_t *m, bool awaited);   /* membership responses */
    /* A commit response (offsets already applied): handle its error; true when the awaited
     * commit is over now. */
    bool (*on_commit_result)(cg_client_t *c, const cg_msg_t *m, bool awaited);
    void (*rebalance_commit_done)(cg_client_t *c);  /* the rebalance callback's commit ended */
    void (*found)(cg_client_t *c);                  /* the coordinator was discovered */
    void (*request_timeout)(cg_client_t *c, cg_wait_t what);  /* the awaited request timed out */
    cg_poll_check_t (*poll_check_mode)(const cg_client_t *c);
    void (*poll_timeout)(cg_client_t *c);           /* max.poll.interval.ms expired */
    bool (*is_member)(const cg_client_t *c);        /* close: a member whose work is committed */
    /* Run-ahead: until when poll() needs no membership work and sends nothing (the next
     * heartbeat), INT64_MIN when it may (models/client/runahead.c). */
    int64_t (*quiet_until)(const cg_client_t *c);
    void (*leave)(cg_client_t *c, bool member);     /* close: give up partitions, leave */
    void (*woke)(cg_client_t *c);                   /* resumed after a hang */
    void (*subscribed)(cg_client_t *c);             /* subscribe() changed c->topics */
    cg_net_fast_fn fast;                            /* responses applied at arrival, or NULL */
};

/* The ops table of a protocol whose member side names its hooks after the fields (static init,
 * fini, start, ...): every protocol's table has this one layout. */
#define CG_MEMBER_OPS(name_, state_type, fast_)                                                 \
    {.name = (name_), .state_size = sizeof(state_type), .init = init, .fini = fini,            \
     .start = start, .stop = stop, .poll_membership = poll_membership, .can_commit = can_commit, \
     .commit_refused = commit_refused,                                                         \
     .batch_commit_ok = batch_commit_ok, .stamp = stamp, .on_response = on_response,           \
     .on_commit_result = on_commit_result, .rebalance_commit_done = rebalance_commit_done,     \
     .found = found, .request_timeout = request_timeout, .poll_check_mode = poll_check_mode,   \
     .poll_timeout = poll_timeout, .is_member = is_member, .leave = leave, .woke = woke,       \
     .subscribed = subscribed, .quiet_until = quiet_until,                                     \
     .fast = (fast_)}

/* ---- life cycle (models/world) ---- */
int cg_client_init(cg_client_t *c, struct cg_world *w, int32_t ci, const cg_member_ops_t *ops,
                   char *err, size_t errlen);
void cg_client_fini(cg_client_t *c);
/* A scripted or stochastic fault on the member (start, crash, restart, close, pause, resume,
 * hang, slow, isolate, heal); false when it does not apply in the client's state. */
bool cg_client_apply(cg_client_t *c, cg_fault_action_t a, double factor);
bool cg_client_fault_applies(const cg_client_t *c, cg_fault_action_t a);
bool cg_client_start(cg_client_t *c);
/* The next process subscribes to topics[0..n) (sorted; scenario storage). */
/* A new process's partition.assignment.strategy (a restart's "config"; scenario storage). */
void cg_client_set_strategy(cg_client_t *c, const cg_assignor_ops_t *const *strategy, uint32_t n,
                            bool cooperative);
void cg_client_subscribe(cg_client_t *c, const int32_t *topics, size_t n);
/* The next process uses the membership protocol `ops` (group.protocol in a restart's "config"). */
void cg_client_set_protocol(cg_client_t *c, const cg_member_ops_t *ops);

/* ---- for the membership protocols ---- */
struct cg_net *cg_client_net(const cg_client_t *c);
int64_t cg_client_now(const cg_client_t *c);
sim_t *cg_client_sim(const cg_client_t *c);
bool cg_client_isolated(const cg_client_t *c);
/* The running process is a classic member (its stamp has a serial) other than (slot, serial): a
 * restart while the earlier process's member id lingers. *generation: its stamp's generation. */
bool cg_client_other_classic_member(const cg_client_t *c, int32_t slot, uint64_t serial,
                                    int32_t *generation);
/* A new request of `kind`, stamped with the member identity and a fresh request id; -1 (run
 * failed) when out of memory. */
int32_t cg_client_request(cg_client_t *c, cg_msg_kind_t kind);
/* cg_client_request when the coordinator is known; else -1 and FindCoordinator starts. */
int32_t cg_client_coordinator_request(cg_client_t *c, cg_msg_kind_t kind);
/* The app blocks in poll() until the response to `mi` or until timeout_ns. */
void cg_client_block_on(cg_client_t *c, cg_wait_t what, int32_t mi, int64_t timeout_ns);
void cg_client_unblock(cg_client_t *c);
void cg_client_find_start(cg_client_t *c, int64_t delay_ns);
void cg_client_coord_lost(cg_client_t *c);   /* forget the coordinator, rediscover now */
/* OffsetCommit of positions (all, or those past this member's last commit); the message index,
 * or -1 when there is nothing to commit or the member cannot commit. */
int32_t cg_client_send_commit(cg_client_t *c, bool all, bool sync);
/* The app wants to commit its positions (all, or past its last commit) and cannot now: a failed
 * commit record per partition with ops->commit_refused's error. */
void cg_client_commit_refused(cg_client_t *c, bool all);
/* Apply the accepted offsets of a commit response (m->ok per partition). */
void cg_client_commit_ok(cg_client_t *c, const cg_msg_t *m);
void cg_client_poll_step(cg_client_t *c);   /* continue poll() where it stands */
/* A response the poll loop acts on (a rebalance to join, an assignment to apply) arrived: a
 * poll() waiting for a fetch that brought nothing returns now, and the next one runs. */
void cg_client_wake_poll(cg_client_t *c);
void cg_client_commit_done(cg_client_t *c); /* the awaited commit is over: poll() continues */
void cg_client_poll_check(cg_client_t *c);  /* the max.poll.interval.ms check, now */
void cg_client_drop_owned(cg_client_t *c);  /* partitions lost: given up in the trace, forgotten */
void cg_client_stop(cg_client_t *c);        /* the process stops now (crash) */
bool cg_client_close(cg_client_t *c);       /* clean close: commit, revoke, leave */
void cg_client_fail(cg_client_t *c, const char *what);   /* internal failure: the run stops */
/* The owned table becomes gp[0..n) (sorted): kept partitions keep their positions, new ones
 * start without. 0 or -1 (out of memory). */
int cg_client_set_owned(cg_client_t *c, const int32_t *gp, uint32_t n, bool *grew);

#endif
