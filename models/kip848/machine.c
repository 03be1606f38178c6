/* models/kip848/machine: the KIP-848 consumer-group coordinator state machine (see the header).
 *
 * A heartbeat runs Kafka's three steps (GroupMetadataManager.consumerGroupHeartbeat):
 *   1. get or create the member (epoch validation, static membership rules) and update its
 *      subscription and rebalance timeout; a new member, a changed subscription or a group at
 *      epoch 0 bumps the group epoch;
 *   2. if the group epoch is ahead of the target assignment epoch, run the server assignor over
 *      all members (each member's current target is its "owned" input) for the new epoch;
 *   3. reconcile the member (CurrentAssignmentBuilder): unless it is STABLE at the target epoch,
 *      or it still owns partitions pending revocation, its next state is computed from
 *        keep = assigned ∩ target, revoke = assigned − target,
 *        add  = target − assigned − {partitions held by another member};
 *      if revoke is non-empty and the client still reports owning one of them, the member stays
 *      at its epoch in UNREVOKED_PARTITIONS with assigned = keep (it must revoke); otherwise it
 *      moves to the target epoch with assigned = keep ∪ add, UNRELEASED_PARTITIONS while some
 *      target partition is still held by another member, else STABLE.
 * Example: A holds t0..t3 at epoch 1; B joins: epoch 2, target A {0,1}, B {2,3}. B's heartbeat:
 * 2 and 3 are held by A -> B is UNRELEASED at epoch 2 with nothing. A's heartbeat (owning 0..3):
 * UNREVOKED at epoch 1 with {0,1}. A's next heartbeat owning {0,1}: STABLE at epoch 2, 2 and 3
 * released. B's next heartbeat: gets {2,3}, STABLE at epoch 2.
 * Members live in slots that never move while the member exists; lookups by member id and by
 * instance id are binary searches in slot-index arrays kept sorted (strcmp). Lists of partitions
 * are sorted global indexes, so set operations are linear merges. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/kip848/machine.h"
#include "sim/sorted.h"

typedef struct k848_list {
    int32_t *v;                       /* sorted ascending, unique */
    uint32_t n;                       /* entries */
    uint32_t cap;                     /* capacity */
} k848_list_t;

typedef struct k848_member {
    bool used;                        /* slot holds a member */
    char *id;                         /* member id */
    char *instance_id;                /* group.instance.id, NULL dynamic */
    int32_t tag;                      /* caller's handle */
    bool classic;                     /* uses the classic protocol (online migration) */
    int32_t epoch;                    /* member epoch */
    int32_t prev_epoch;               /* previous member epoch */
    cg_k848_mstate_t state;           /* reconciliation state */
    int64_t rebalance_timeout_ns;     /* rebalance timeout, -1 before the first join */
    k848_list_t topics;               /* subscribed topic indexes */
    k848_list_t assigned;             /* assigned partitions (global) */
    k848_list_t pending;              /* partitions pending revocation */
    k848_list_t target;               /* target assignment */
} k848_member_t;

struct cg_k848_group {
    cg_topic_meta_t *topics;          /* copy, names owned: the subscription metadata */
    int32_t *image_parts;             /* partition counts of the latest metadata image */
    bool meta_expired;                /* the image changed: refresh at the next heartbeat */
    size_t n_topics;
    int64_t *topic_base;              /* copy, size n_topics + 1 */
    int32_t n_parts;                  /* total partitions */
    const cg_assignor_ops_t *assignor;/* server assignor */
    int64_t session_timeout_ns;       /* group.consumer.session.timeout.ms */
    int64_t heartbeat_interval_ns;    /* group.consumer.heartbeat.interval.ms */
    int32_t group_epoch;              /* group epoch */
    int32_t target_epoch;             /* target assignment epoch */
    k848_member_t *slots;             /* member slots */
    uint32_t n_slots;                 /* slots in use or freed */
    uint32_t cap_slots;               /* capacity of slots, by_id, by_instance */
    int32_t *by_id;                   /* member slots sorted by member id */
    uint32_t n_members;               /* members */
    int32_t *by_instance;             /* static member slots sorted by instance id */
    uint32_t n_static;                /* static members */
    uint32_t n_reconciled;            /* members STABLE at the target epoch */
    int32_t *holder;                  /* per partition: holding slot, -1 free */
    int32_t *scratch_owner;           /* per partition: assignor output */
    k848_list_t resp;                 /* the last response's assignment */
    k848_list_t tmp_keep, tmp_revoke, tmp_add, tmp_new; /* reconciliation scratch */
    char *replaced_id;                /* the last replaced member id */
};

/* ---- sorted lists ---- */

static bool list_reserve(k848_list_t *l, size_t n)
{
    if (n <= l->cap)
        return true;
    size_t cap = l->cap ? l->cap : 8;
    while (cap < n)
        cap *= 2;
    int32_t *v = realloc(l->v, cap * sizeof *v);
    if (!v)
        return false;
    l->v = v;
    l->cap = (uint32_t)cap;
    return true;
}

static bool list_set(k848_list_t *l, const int32_t *src, size_t n)
{
    if (!list_reserve(l, n))
        return false;
    if (n)
        memcpy(l->v, src, n * sizeof *src);
    l->n = (uint32_t)n;
    return true;
}

static bool list_has(const k848_list_t *l, int32_t x)
{
    return sim_sorted_has_i32(l->v, l->n, x);
}

static bool list_eq(const k848_list_t *a, const k848_list_t *b)
{
    return a->n == b->n && (a->n == 0 || memcmp(a->v, b->v, a->n * sizeof *a->v) == 0);
}

static void list_swap(k848_list_t *a, k848_list_t *b)
{
    k848_list_t t = *a;
    *a = *b;
    *b = t;
}

/* ---- names ---- */

const char *cg_k848_err_name(cg_k848_err_t e)
{
    static const char *const names[CG_K848_ERR_COUNT] = {
        "NONE", "FENCED_MEMBER_EPOCH", "UNKNOWN_MEMBER_ID", "UNRELEASED_INSTANCE_ID",
        "FENCED_INSTANCE_ID", "INVALID_REQUEST", "STALE_MEMBER_EPOCH"};
    return (unsigned)e < CG_K848_ERR_COUNT ? names[e] : "UNKNOWN_SERVER_ERROR";
}

const char *cg_k848_mstate_name(cg_k848_mstate_t s)
{
    static const char *const names[] = {"STABLE", "UNREVOKED_PARTITIONS",
                                        "UNRELEASED_PARTITIONS", "UNKNOWN"};
    return (unsigned)s <= CG_K848_UNKNOWN ? names[s] : "UNKNOWN";
}

const char *cg_k848_gstate_name(cg_k848_gstate_t s)
{
    static const char *const names[] = {"EMPTY", "ASSIGNING", "RECONCILING", "STABLE"};
    return (unsigned)s <= CG_K848_G_STABLE ? names[s] : "UNKNOWN";
}

/* ---- lifecycle ---- */

static void member_fini(k848_member_t *m)
{
    free(m->id);
    free(m->instance_id);
    free(m->topics.v);
    free(m->assigned.v);
    free(m->pending.v);
    free(m->target.v);
    memset(m, 0, sizeof *m);
}

void cg_k848_group_free(cg_k848_group_t *g)
{
    if (!g)
        return;
    for (uint32_t s = 0; s < g->n_slots; s++)
        member_fini(&g->slots[s]);
    for (size_t t = 0; g->topics && t < g->n_topics; t++)
        free((char *)g->topics[t].name);
    free(g->topics);
    free(g->image_parts);
    free(g->topic_base);
    free(g->slots);
    free(g->by_id);
    free(g->by_instance);
    free(g->holder);
    free(g->scratch_owner);
    free(g->resp.v);
    free(g->tmp_keep.v);
    free(g->tmp_revoke.v);
    free(g->tmp_add.v);
    free(g->tmp_new.v);
    free(g->replaced_id);
    free(g);
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static bool group_copy_topics(cg_k848_group_t *g, const cg_topic_meta_t *topics, size_t n,
                              const int64_t *topic_base)
{
    g->topics = calloc(n ? n : 1, sizeof *g->topics);
    g->image_parts = calloc(n ? n : 1, sizeof *g->image_parts);
    g->topic_base = malloc((n + 1) * sizeof *g->topic_base);
    if (!g->topics || !g->image_parts || !g->topic_base)
        return false;
    g->n_topics = n;
    for (size_t t = 0; t < n; t++) {
        g->topics[t].partitions = g->image_parts[t] = topics[t].partitions;
        g->topics[t].name = dup_str(topics[t].name);
        if (!g->topics[t].name)
            return false;
    }
    memcpy(g->topic_base, topic_base, (n + 1) * sizeof *topic_base);
    return true;
}

cg_k848_group_t *cg_k848_group_new(const cg_topic_meta_t *topics, size_t n_topics,
                                   const int64_t *topic_base, const cg_assignor_ops_t *assignor,
                                   int64_t session_timeout_ns, int64_t heartbeat_interval_ns)
{
    assert(assignor && assignor->protocol == CG_PROTOCOL_CONSUMER);
    assert(session_timeout_ns > 0 && heartbeat_interval_ns > 0);
    assert(topic_base[n_topics] <= INT32_MAX);
    cg_k848_group_t *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->assignor = assignor;
    g->session_timeout_ns = session_timeout_ns;
    g->heartbeat_interval_ns = heartbeat_interval_ns;
    g->n_parts = (int32_t)topic_base[n_topics];
    size_t np = g->n_parts ? (size_t)g->n_parts : 1;
    g->holder = malloc(np * sizeof *g->holder);
    g->scratch_owner = malloc(np * sizeof *g->scratch_owner);
    if (!g->holder || !g->scratch_owner || !group_copy_topics(g, topics, n_topics, topic_base)) {
        cg_k848_group_free(g);
        return NULL;
    }
    for (int32_t p = 0; p < g->n_parts; p++)
        g->holder[p] = -1;
    return g;
}

/* ---- member indexes ---- */

static const char *key_of(const cg_k848_group_t *g, int32_t slot, bool by_instance)
{
    return by_instance ? g->slots[slot].instance_id : g->slots[slot].id;
}

/* Position of `key` in the index (lower bound); *found tells whether it is there. */
static size_t index_pos(const cg_k848_group_t *g, bool by_instance, const char *key, bool *found)
{
    const int32_t *ix = by_instance ? g->by_instance : g->by_id;
    size_t lo = 0, hi = by_instance ? g->n_static : g->n_members;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(key_of(g, ix[mid], by_instance), key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t n = by_instance ? g->n_static : g->n_members;
    *found = lo < n && strcmp(key_of(g, ix[lo], by_instance), key) == 0;
    return lo;
}

static int32_t find_slot(const cg_k848_group_t *g, bool by_instance, const char *key)
{
    bool found;
    size_t pos = index_pos(g, by_instance, key, &found);
    return found ? (by_instance ? g->by_instance : g->by_id)[pos] : -1;
}

static void index_insert(cg_k848_group_t *g, bool by_instance, int32_t slot)
{
    bool found;
    size_t pos = index_pos(g, by_instance, key_of(g, slot, by_instance), &found);
    assert(!found);
    int32_t *ix = by_instance ? g->by_instance : g->by_id;
    uint32_t *n = by_instance ? &g->n_static : &g->n_members;
    memmove(ix + pos + 1, ix + pos, (*n - pos) * sizeof *ix);
    ix[pos] = slot;
    (*n)++;
}

static void index_remove(cg_k848_group_t *g, bool by_instance, int32_t slot)
{
    bool found;
    size_t pos = index_pos(g, by_instance, key_of(g, slot, by_instance), &found);
    assert(found);
    int32_t *ix = by_instance ? g->by_instance : g->by_id;
    uint32_t *n = by_instance ? &g->n_static : &g->n_members;
    assert(ix[pos] == slot);
    memmove(ix + pos, ix + pos + 1, (*n - pos - 1) * sizeof *ix);
    (*n)--;
}

/* ---- bookkeeping shared by every change ---- */

static bool is_reconciled(const cg_k848_group_t *g, const k848_member_t *m)
{
    return m->state == CG_K848_STABLE && m->epoch == g->target_epoch;
}

static void recon_out(cg_k848_group_t *g, const k848_member_t *m)
{
    if (is_reconciled(g, m)) {
        assert(g->n_reconciled > 0);
        g->n_reconciled--;
    }
}

static void recon_in(cg_k848_group_t *g, const k848_member_t *m)
{
    if (is_reconciled(g, m))
        g->n_reconciled++;
}

static void holders_release(cg_k848_group_t *g, int32_t s)
{
    const k848_member_t *m = &g->slots[s];
    for (uint32_t i = 0; i < m->assigned.n; i++) {
        assert(g->holder[m->assigned.v[i]] == s);
        g->holder[m->assigned.v[i]] = -1;
    }
    for (uint32_t i = 0; i < m->pending.n; i++) {
        assert(g->holder[m->pending.v[i]] == s);
        g->holder[m->pending.v[i]] = -1;
    }
}

/* The heart of the safety property: nobody else may hold a partition a member is given. */
static void holders_claim(cg_k848_group_t *g, int32_t s)
{
    const k848_member_t *m = &g->slots[s];
    for (uint32_t i = 0; i < m->assigned.n; i++) {
        assert(g->holder[m->assigned.v[i]] == -1);
        g->holder[m->assigned.v[i]] = s;
    }
    for (uint32_t i = 0; i < m->pending.n; i++) {
        assert(g->holder[m->pending.v[i]] == -1);
        g->holder[m->pending.v[i]] = s;
    }
}

static int32_t slot_alloc(cg_k848_group_t *g)
{
    for (uint32_t s = 0; s < g->n_slots; s++)
        if (!g->slots[s].used)
            return (int32_t)s;
    if (g->n_slots == g->cap_slots) {
        uint32_t cap = g->cap_slots ? g->cap_slots * 2 : 8;
        k848_member_t *sl = realloc(g->slots, cap * sizeof *sl);
        if (!sl)
            return -1;
        g->slots = sl;
        int32_t *a = realloc(g->by_id, cap * sizeof *a);
        if (!a)
            return -1;
        g->by_id = a;
        int32_t *b = realloc(g->by_instance, cap * sizeof *b);
        if (!b)
            return -1;
        g->by_instance = b;
        g->cap_slots = cap;
    }
    memset(&g->slots[g->n_slots], 0, sizeof g->slots[0]);
    return (int32_t)g->n_slots++;
}

/* Remove a member (leave, session expiry, fencing): its partitions become free, epoch bump. */
static void member_remove(cg_k848_group_t *g, int32_t s)
{
    k848_member_t *m = &g->slots[s];
    recon_out(g, m);
    holders_release(g, s);
    index_remove(g, false, s);
    if (m->instance_id)
        index_remove(g, true, s);
    member_fini(m);
    g->group_epoch++;
}

/* ---- target assignment (TargetAssignmentBuilder) ---- */

static int32_t topic_of(const cg_k848_group_t *g, int32_t gp)
{
    size_t lo = 0, hi = g->n_topics;               /* last t with topic_base[t] <= gp */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->topic_base[mid] <= gp)
            lo = mid;
        else
            hi = mid;
    }
    while (g->topic_base[lo + 1] <= gp)            /* skip topics with no partitions */
        lo++;
    return (int32_t)lo;
}

static int target_fill(cg_k848_group_t *g, const int32_t *slot_of, char *err, size_t errlen)
{
    for (uint32_t k = 0; k < g->n_members; k++)
        g->slots[slot_of[k]].target.n = 0;
    for (int32_t gp = 0; gp < g->n_parts; gp++) {
        int32_t o = g->scratch_owner[gp];
        if (o < 0)
            continue;
        if ((uint32_t)o >= g->n_members) {
            snprintf(err, errlen, "assignor %s: owner %d out of range", g->assignor->name, o);
            return -1;
        }
        k848_list_t *t = &g->slots[slot_of[o]].target;
        if (!list_reserve(t, t->n + 1)) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        t->v[t->n++] = gp;
    }
    return 0;
}

static int target_compute(cg_k848_group_t *g, char *err, size_t errlen)
{
    size_t n_tp = 0;
    for (uint32_t k = 0; k < g->n_members; k++)
        n_tp += g->slots[g->by_id[k]].target.n;
    cg_assign_member_t *ms = calloc(g->n_members ? g->n_members : 1, sizeof *ms);
    cg_tp_t *tps = malloc((n_tp ? n_tp : 1) * sizeof *tps);
    int rc = -1;
    if (!ms || !tps) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    size_t off = 0;
    for (uint32_t k = 0; k < g->n_members; k++) {      /* member-id order: deterministic */
        const k848_member_t *m = &g->slots[g->by_id[k]];
        for (uint32_t i = 0; i < m->target.n; i++) {
            int32_t t = topic_of(g, m->target.v[i]);
            tps[off + i].topic = t;
            tps[off + i].partition = (int32_t)(m->target.v[i] - g->topic_base[t]);
        }
        ms[k] = (cg_assign_member_t){m->id, m->instance_id, NULL, m->topics.v, m->topics.n,
                                     tps + off, m->target.n, m->epoch};
        off += m->target.n;
    }
    for (int32_t gp = 0; gp < g->n_parts; gp++)
        g->scratch_owner[gp] = -1;
    /* No replica racks: the server assignors of Kafka 3.8-4.0 ignore them (KAFKA-16694). */
    cg_assign_input_t in = {g->topics, g->n_topics, g->topic_base, ms, g->n_members, NULL, NULL, 0};
    cg_assign_output_t out = {g->scratch_owner};
    if (cg_assign_run(g->assignor, &in, &out, err, errlen) != 0 ||
        target_fill(g, g->by_id, err, errlen))
        goto out;
    g->target_epoch = g->group_epoch;
    g->n_reconciled = 0;                            /* nobody is at the new epoch yet */
    rc = 0;
out:
    free(ms);
    free(tps);
    return rc;
}

/* ---- reconciliation (CurrentAssignmentBuilder) ---- */

/* Kafka's ownsRevokedPartitions: a request without owned partitions counts as still owning. */
static bool owns_any(const cg_k848_request_t *req, const k848_list_t *revoke)
{
    if (!req->has_owned)
        return true;
    for (size_t i = 0; i < req->n_owned; i++)
        if (list_has(revoke, req->owned[i]))
            return true;
    return false;
}

/* keep = A ∩ T, revoke = A − T, add = T − A minus partitions held by another member. */
static bool split_assignment(cg_k848_group_t *g, int32_t s, bool *unreleased)
{
    const k848_member_t *m = &g->slots[s];
    const k848_list_t *a = &m->assigned, *t = &m->target;
    if (!list_reserve(&g->tmp_keep, a->n) || !list_reserve(&g->tmp_revoke, a->n) ||
        !list_reserve(&g->tmp_add, t->n) || !list_reserve(&g->tmp_new, a->n + t->n))
        return false;
    g->tmp_keep.n = g->tmp_revoke.n = g->tmp_add.n = 0;
    *unreleased = false;
    uint32_t i = 0, j = 0;
    while (i < a->n || j < t->n) {
        if (j == t->n || (i < a->n && a->v[i] < t->v[j])) {
            g->tmp_revoke.v[g->tmp_revoke.n++] = a->v[i++];
        } else if (i == a->n || t->v[j] < a->v[i]) {
            int32_t h = g->holder[t->v[j]];
            if (h == -1 || h == s)      /* held by itself: it was pending revocation */
                g->tmp_add.v[g->tmp_add.n++] = t->v[j];
            else
                *unreleased = true;
            j++;
        } else {
            g->tmp_keep.v[g->tmp_keep.n++] = a->v[i];
            i++;
            j++;
        }
    }
    return true;
}

/* tmp_new = keep ∪ add (both sorted, disjoint). */
static void merge_keep_add(cg_k848_group_t *g)
{
    const k848_list_t *k = &g->tmp_keep, *d = &g->tmp_add;
    uint32_t i = 0, j = 0, n = 0;
    while (i < k->n || j < d->n)
        g->tmp_new.v[n++] = (j == d->n || (i < k->n && k->v[i] < d->v[j])) ? k->v[i++] : d->v[j++];
    g->tmp_new.n = n;
}

/* computeNextAssignment; sets *changed (member changed) and *assigned_changed. */
static bool next_assignment(cg_k848_group_t *g, int32_t s, const cg_k848_request_t *req,
                            bool *changed, bool *assigned_changed)
{
    bool unreleased;
    if (!split_assignment(g, s, &unreleased))
        return false;
    k848_member_t *m = &g->slots[s];
    int32_t epoch = m->epoch, prev = m->epoch;        /* updateMemberEpoch(e): prev = old epoch */
    cg_k848_mstate_t state;
    k848_list_t *new_assigned, *new_pending;
    g->tmp_new.n = 0;
    if (g->tmp_revoke.n > 0 && owns_any(req, &g->tmp_revoke)) {
        state = CG_K848_UNREVOKED_PARTITIONS;        /* stays at its epoch until it revokes */
        new_assigned = &g->tmp_keep;
        new_pending = &g->tmp_revoke;
    } else {
        merge_keep_add(g);
        epoch = g->target_epoch;
        state = unreleased ? CG_K848_UNRELEASED_PARTITIONS : CG_K848_STABLE;
        new_assigned = &g->tmp_new;
        new_pending = &g->tmp_add;
        new_pending->n = 0;
    }
    *assigned_changed = !list_eq(new_assigned, &m->assigned);
    *changed = *assigned_changed || !list_eq(new_pending, &m->pending) || epoch != m->epoch ||
               prev != m->prev_epoch || state != m->state;
    recon_out(g, m);
    holders_release(g, s);
    list_swap(&m->assigned, new_assigned);
    list_swap(&m->pending, new_pending);
    m->epoch = epoch;
    m->prev_epoch = prev;
    m->state = state;
    holders_claim(g, s);
    recon_in(g, m);
    return true;
}

static bool reconcile(cg_k848_group_t *g, int32_t s, const cg_k848_request_t *req, bool *changed,
                      bool *assigned_changed)
{
    const k848_member_t *m = &g->slots[s];
    *changed = *assigned_changed = false;
    if (is_reconciled(g, m))
        return true;
    if (m->state == CG_K848_UNREVOKED_PARTITIONS && owns_any(req, &m->pending))
        return true;                                  /* still revoking: nothing moves */
    return next_assignment(g, s, req, changed, assigned_changed);
}

/* ---- heartbeat ---- */

static bool request_valid(const cg_k848_group_t *g, const cg_k848_request_t *req)
{
    if (!req->member_id || !req->member_id[0] || req->member_epoch < CG_K848_STATIC_LEAVE_EPOCH)
        return false;
    if (req->member_epoch == CG_K848_STATIC_LEAVE_EPOCH && !req->instance_id)
        return false;
    if (req->member_epoch == CG_K848_JOIN_EPOCH &&
        (req->rebalance_timeout_ns < 0 || !req->has_subscription || !req->has_owned ||
         req->n_owned != 0))
        return false;
    for (size_t i = 0; req->has_subscription && i < req->n_topics; i++)
        if (req->topics[i] < 0 || (size_t)req->topics[i] >= g->n_topics ||
            (i > 0 && req->topics[i] <= req->topics[i - 1]))
            return false;
    for (size_t i = 0; req->has_owned && i < req->n_owned; i++)
        if (req->owned[i] < 0 || req->owned[i] >= g->n_parts)
            return false;
    return true;
}

/* throwIfConsumerGroupMemberEpochIsInvalid; epoch 0 is a rejoin (KAFKA-19233). */
static cg_k848_err_t epoch_check(const k848_member_t *m, const cg_k848_request_t *req)
{
    int32_t e = req->member_epoch;
    if (e == CG_K848_JOIN_EPOCH || e == m->epoch)
        return CG_K848_NONE;
    if (e > m->epoch || e != m->prev_epoch || !req->has_owned)
        return CG_K848_FENCED_MEMBER_EPOCH;
    for (size_t i = 0; i < req->n_owned; i++)        /* owned must be a subset of assigned */
        if (!list_has(&m->assigned, req->owned[i]))
            return CG_K848_FENCED_MEMBER_EPOCH;
    return CG_K848_NONE;
}

static int member_create(cg_k848_group_t *g, const cg_k848_request_t *req, int32_t *out)
{
    int32_t s = slot_alloc(g);
    if (s < 0)
        return -1;
    k848_member_t *m = &g->slots[s];
    m->id = dup_str(req->member_id);
    m->instance_id = req->instance_id ? dup_str(req->instance_id) : NULL;
    if (!m->id || (req->instance_id && !m->instance_id)) {
        member_fini(m);
        return -1;
    }
    m->used = true;
    m->tag = req->tag;
    m->classic = req->classic;
    m->state = CG_K848_STABLE;
    m->rebalance_timeout_ns = -1;
    index_insert(g, false, s);
    if (m->instance_id)
        index_insert(g, true, s);
    recon_in(g, m);
    *out = s;
    return 0;
}

/* A new process takes over a static member at -2: same slot, partitions and target, new id. */
static int member_replace(cg_k848_group_t *g, int32_t s, const cg_k848_request_t *req,
                          cg_k848_response_t *resp)
{
    k848_member_t *m = &g->slots[s];
    char *id = dup_str(req->member_id);
    if (!id)
        return -1;
    recon_out(g, m);
    index_remove(g, false, s);
    free(g->replaced_id);
    g->replaced_id = m->id;
    m->id = id;
    index_insert(g, false, s);
    resp->member_replaced = true;
    resp->replaced_member_id = g->replaced_id;
    resp->replaced_tag = m->tag;
    m->tag = req->tag;
    m->classic = req->classic;
    m->epoch = m->prev_epoch = 0;
    recon_in(g, m);
    return 0;
}

/* getOrMaybeSubscribeStaticConsumerGroupMember. */
static int resolve_static(cg_k848_group_t *g, const cg_k848_request_t *req,
                          cg_k848_response_t *resp, int32_t *out)
{
    int32_t s = find_slot(g, true, req->instance_id);
    if (req->member_epoch != CG_K848_JOIN_EPOCH) {
        if (s < 0)
            resp->error = CG_K848_UNKNOWN_MEMBER_ID;
        else if (strcmp(g->slots[s].id, req->member_id) != 0)
            resp->error = CG_K848_FENCED_INSTANCE_ID;
        else
            resp->error = epoch_check(&g->slots[s], req);
        *out = s;
        return 0;
    }
    int32_t by_id = find_slot(g, false, req->member_id);
    if (s < 0) {
        if (by_id >= 0) {                      /* a known member id may not change instance */
            resp->error = CG_K848_INVALID_REQUEST;
            return 0;
        }
        resp->member_added = true;
        return member_create(g, req, out);
    }
    *out = s;
    /* getOrMaybeSubscribeStaticConsumerGroupMember: only two consumer-protocol members wait for
     * the leave (-2); a classic join, or a classic member in place, is replaced at once. */
    bool released = g->slots[s].epoch == CG_K848_STATIC_LEAVE_EPOCH || req->classic ||
                    g->slots[s].classic;
    if (!released)
        resp->error = CG_K848_UNRELEASED_INSTANCE_ID;
    else if (by_id == s) {                     /* the same member id comes back */
        recon_out(g, &g->slots[s]);
        g->slots[s].tag = req->tag;
        g->slots[s].epoch = g->slots[s].prev_epoch = 0;
        recon_in(g, &g->slots[s]);
    } else if (by_id >= 0)
        resp->error = CG_K848_INVALID_REQUEST;
    else
        return member_replace(g, s, req, resp);
    return 0;
}

static int resolve_dynamic(cg_k848_group_t *g, const cg_k848_request_t *req,
                           cg_k848_response_t *resp, int32_t *out)
{
    int32_t s = find_slot(g, false, req->member_id);
    *out = s;
    if (s < 0) {
        if (req->member_epoch != CG_K848_JOIN_EPOCH) {
            resp->error = CG_K848_UNKNOWN_MEMBER_ID;
            return 0;
        }
        resp->member_added = true;
        return member_create(g, req, out);
    }
    if (req->member_epoch == CG_K848_JOIN_EPOCH && g->slots[s].instance_id)
        resp->error = CG_K848_INVALID_REQUEST;     /* a static member must rejoin as static */
    else
        resp->error = epoch_check(&g->slots[s], req);
    if (resp->error == CG_K848_NONE && req->member_epoch == CG_K848_JOIN_EPOCH)
        g->slots[s].tag = req->tag;
    return 0;
}

/* -1: leave (removed, epoch bump); -2: a static member leaves for now (ConsumerGroupHeartbeat
 * consumerGroupLeave / consumerGroupStaticMemberGroupLeave). */
static void heartbeat_leave(cg_k848_group_t *g, const cg_k848_request_t *req,
                            cg_k848_response_t *resp)
{
    int32_t s = find_slot(g, req->instance_id != NULL,
                          req->instance_id ? req->instance_id : req->member_id);
    if (s < 0) {
        resp->error = CG_K848_UNKNOWN_MEMBER_ID;
        return;
    }
    k848_member_t *m = &g->slots[s];
    if (req->instance_id && strcmp(m->id, req->member_id) != 0) {
        resp->error = CG_K848_FENCED_INSTANCE_ID;
        return;
    }
    resp->member_epoch = req->member_epoch;
    resp->rebalance_timer = CG_K848_TIMER_CANCEL;
    if (req->member_epoch == CG_K848_LEAVE_EPOCH) {
        member_remove(g, s);
        resp->member_removed = true;
        resp->bump = CG_K848_BUMP_MEMBER_LEAVE;
        resp->session_timer = CG_K848_TIMER_CANCEL;
        return;
    }
    /* Kept with its assignment (others wait for it); what it was revoking is released. */
    recon_out(g, m);
    for (uint32_t i = 0; i < m->pending.n; i++) {
        assert(g->holder[m->pending.v[i]] == s);
        g->holder[m->pending.v[i]] = -1;
    }
    m->pending.n = 0;
    m->epoch = CG_K848_STATIC_LEAVE_EPOCH;
    recon_in(g, m);
    resp->state = m->state;
}

static bool same_topics(const k848_member_t *m, const cg_k848_request_t *req)
{
    return m->topics.n == req->n_topics &&
           (req->n_topics == 0 || memcmp(m->topics.v, req->topics,
                                         req->n_topics * sizeof *req->topics) == 0);
}

/* Step 1: subscription and rebalance timeout; bumps the group epoch when the member is new,
 * its subscription changed, or the group was never initialised. */
static bool member_update(cg_k848_group_t *g, int32_t s, const cg_k848_request_t *req,
                          cg_k848_response_t *resp)
{
    k848_member_t *m = &g->slots[s];
    bool changed = req->has_subscription && !same_topics(m, req);
    if (changed && !list_set(&m->topics, req->topics, req->n_topics))
        return false;
    if (req->rebalance_timeout_ns >= 0)
        m->rebalance_timeout_ns = req->rebalance_timeout_ns;
    if (changed || g->group_epoch == 0) {
        g->group_epoch++;
        resp->bump = resp->member_added ? CG_K848_BUMP_MEMBER_JOIN : CG_K848_BUMP_SUBSCRIPTION;
    }
    return true;
}

static int respond(cg_k848_group_t *g, int32_t s, const cg_k848_request_t *req,
                   cg_k848_response_t *resp, bool changed, bool assigned_changed)
{
    const k848_member_t *m = &g->slots[s];
    bool full = req->rebalance_timeout_ns >= 0 && req->has_subscription && req->has_owned;
    resp->member_epoch = m->epoch;
    resp->state = m->state;
    resp->assignment_changed = assigned_changed;
    resp->has_assignment = req->member_epoch == CG_K848_JOIN_EPOCH || full || assigned_changed;
    if (resp->has_assignment) {
        if (!list_set(&g->resp, m->assigned.v, m->assigned.n))
            return -1;
        resp->assignment = g->resp.v;
        resp->n_assignment = g->resp.n;
    }
    resp->session_timer = CG_K848_TIMER_SET;
    resp->rebalance_timeout_ns = m->rebalance_timeout_ns;
    resp->rebalance_timer_epoch = m->epoch;
    if (changed)
        resp->rebalance_timer = m->state == CG_K848_UNREVOKED_PARTITIONS ? CG_K848_TIMER_SET
                                                                        : CG_K848_TIMER_CANCEL;
    return 0;
}

static void response_init(const cg_k848_group_t *g, const cg_k848_request_t *req,
                          cg_k848_response_t *resp)
{
    memset(resp, 0, sizeof *resp);
    resp->member_epoch = req->member_epoch;
    resp->heartbeat_interval_ns = g->heartbeat_interval_ns;
    resp->session_timeout_ns = g->session_timeout_ns;
    resp->replaced_tag = -1;
    resp->rebalance_timeout_ns = -1;
}

static void response_finish(const cg_k848_group_t *g, cg_k848_response_t *resp)
{
    resp->group_epoch = g->group_epoch;
    resp->target_epoch = g->target_epoch;
    resp->group_state = cg_k848_group_state(g);
}

void cg_k848_group_set_partitions(cg_k848_group_t *g, int32_t t, int32_t partitions)
{
    assert(t >= 0 && (size_t)t < g->n_topics);
    assert(partitions <= g->topic_base[t + 1] - g->topic_base[t]);
    g->image_parts[t] = partitions;
    g->meta_expired = true;
}

const cg_topic_meta_t *cg_k848_topics(const cg_k848_group_t *g) { return g->topics; }

static bool topic_subscribed(const cg_k848_group_t *g, int32_t t)
{
    for (uint32_t k = 0; k < g->n_members; k++)
        if (list_has(&g->slots[g->by_id[k]].topics, t))
            return true;
    return false;
}

/* consumerGroupHeartbeat: "if (bumpGroupEpoch || group.hasMetadataExpired(now))" the
 * subscription metadata is recomputed; a changed count of a subscribed topic bumps the epoch
 * (once, with a member's own change in the same heartbeat). */
static void metadata_refresh(cg_k848_group_t *g, cg_k848_response_t *resp)
{
    bool changed = false;
    g->meta_expired = false;
    for (size_t t = 0; t < g->n_topics; t++) {
        if (g->topics[t].partitions == g->image_parts[t])
            continue;
        changed = changed || topic_subscribed(g, (int32_t)t);
        g->topics[t].partitions = g->image_parts[t];
    }
    if (changed && resp->bump == CG_K848_BUMP_NONE) {
        g->group_epoch++;
        resp->bump = CG_K848_BUMP_METADATA;
    }
}

int cg_k848_heartbeat(cg_k848_group_t *g, const cg_k848_request_t *req, cg_k848_response_t *resp,
                      char *err, size_t errlen)
{
    response_init(g, req, resp);
    if (!request_valid(g, req)) {
        resp->error = CG_K848_INVALID_REQUEST;
    } else if (req->member_epoch < 0) {
        heartbeat_leave(g, req, resp);
    } else {
        int32_t s = -1;
        bool changed, assigned_changed;
        if ((req->instance_id ? resolve_static : resolve_dynamic)(g, req, resp, &s) != 0 ||
            (resp->error == CG_K848_NONE && !member_update(g, s, req, resp))) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        if (resp->error == CG_K848_NONE) {
            if (g->meta_expired)
                metadata_refresh(g, resp);
            if (g->group_epoch > g->target_epoch) {
                if (target_compute(g, err, errlen) != 0)
                    return -1;
                resp->target_computed = true;
            }
            if (!reconcile(g, s, req, &changed, &assigned_changed) ||
                respond(g, s, req, resp, changed, assigned_changed) != 0) {
                snprintf(err, errlen, "out of memory");
                return -1;
            }
        }
    }
    if (resp->error != CG_K848_NONE)
        resp->member_epoch = req->member_epoch;
    response_finish(g, resp);
    return 0;
}

/* ---- timers and commits ---- */

bool cg_k848_session_expired(cg_k848_group_t *g, const char *member_id)
{
    int32_t s = find_slot(g, false, member_id);
    if (s < 0)
        return false;
    member_remove(g, s);
    return true;
}

bool cg_k848_rebalance_timeout(cg_k848_group_t *g, const char *member_id, int32_t epoch)
{
    int32_t s = find_slot(g, false, member_id);
    if (s < 0 || g->slots[s].epoch != epoch)
        return false;                          /* it left that epoch in time */
    member_remove(g, s);
    return true;
}

cg_k848_err_t cg_k848_commit_check(const cg_k848_group_t *g, const char *member_id, int32_t epoch)
{
    if (epoch < 0 && g->n_members == 0)
        return CG_K848_NONE;                   /* admin or manual-assignment commit */
    int32_t s = member_id ? find_slot(g, false, member_id) : -1;
    if (s < 0)
        return CG_K848_UNKNOWN_MEMBER_ID;
    return g->slots[s].epoch == epoch ? CG_K848_NONE : CG_K848_STALE_MEMBER_EPOCH;
}

/* ---- online upgrade ---- */

void cg_k848_group_set_epoch(cg_k848_group_t *g, int32_t epoch)
{
    assert(g->n_members == 0);
    g->group_epoch = g->target_epoch = epoch;
}

int cg_k848_import_member(cg_k848_group_t *g, const cg_k848_import_t *in)
{
    for (size_t i = 0; i < in->n_assigned; i++)
        if (in->assigned[i] < 0 || in->assigned[i] >= g->n_parts || g->holder[in->assigned[i]] >= 0)
            return -1;
    cg_k848_request_t req = {.member_id = in->member_id, .instance_id = in->instance_id,
                             .tag = in->tag, .classic = true};
    int32_t s;
    if (member_create(g, &req, &s) != 0)
        return -1;
    k848_member_t *m = &g->slots[s];
    recon_out(g, m);
    if (!list_set(&m->topics, in->topics, in->n_topics) ||
        !list_set(&m->assigned, in->assigned, in->n_assigned) ||
        !list_set(&m->target, in->assigned, in->n_assigned))
        return -1;
    m->epoch = m->prev_epoch = in->epoch;
    m->state = CG_K848_STABLE;
    m->rebalance_timeout_ns = in->rebalance_timeout_ns;
    holders_claim(g, s);
    recon_in(g, m);
    return 0;
}

bool cg_k848_member_waiting(const cg_k848_group_t *g, const char *member_id)
{
    int32_t s = find_slot(g, false, member_id);
    if (s < 0)
        return false;
    const k848_member_t *m = &g->slots[s];
    for (uint32_t i = 0; i < m->target.n; i++) {
        int32_t p = m->target.v[i], h = g->holder[p];
        if (h >= 0 && h != s && !list_has(&m->assigned, p))
            return true;
    }
    return false;
}

const char *cg_k848_static_member(const cg_k848_group_t *g, const char *instance_id)
{
    int32_t s = instance_id ? find_slot(g, true, instance_id) : -1;
    return s >= 0 ? g->slots[s].id : NULL;
}

/* ---- accessors ---- */

int32_t cg_k848_group_epoch(const cg_k848_group_t *g) { return g->group_epoch; }
int32_t cg_k848_target_epoch(const cg_k848_group_t *g) { return g->target_epoch; }
size_t cg_k848_member_count(const cg_k848_group_t *g) { return g->n_members; }
int32_t cg_k848_partition_count(const cg_k848_group_t *g) { return g->n_parts; }

cg_k848_gstate_t cg_k848_group_state(const cg_k848_group_t *g)
{
    if (g->n_members == 0)
        return CG_K848_G_EMPTY;
    if (g->group_epoch > g->target_epoch)
        return CG_K848_G_ASSIGNING;
    return g->n_reconciled < g->n_members ? CG_K848_G_RECONCILING : CG_K848_G_STABLE;
}

static void view_fill(const k848_member_t *m, cg_k848_member_view_t *out)
{
    *out = (cg_k848_member_view_t){m->id, m->instance_id, m->tag, m->epoch, m->prev_epoch,
                                   m->state, m->rebalance_timeout_ns, m->topics.v, m->topics.n,
                                   m->assigned.v, m->assigned.n, m->pending.v, m->pending.n,
                                   m->target.v, m->target.n};
}

bool cg_k848_member_at(const cg_k848_group_t *g, size_t i, cg_k848_member_view_t *out)
{
    if (i >= g->n_members)
        return false;
    view_fill(&g->slots[g->by_id[i]], out);
    return true;
}

bool cg_k848_member_get(const cg_k848_group_t *g, const char *member_id,
                        cg_k848_member_view_t *out)
{
    int32_t s = find_slot(g, false, member_id);
    if (s < 0)
        return false;
    view_fill(&g->slots[s], out);
    return true;
}

const char *cg_k848_partition_holder(const cg_k848_group_t *g, int32_t gp)
{
    if (gp < 0 || gp >= g->n_parts || g->holder[gp] < 0)
        return NULL;
    return g->slots[g->holder[gp]].id;
}
