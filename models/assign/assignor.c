/* models/assignor: the registry of assignors and the helpers every assignor shares.
 *
 * The registry is a const table per protocol, in the order `cg_assignor_names` lists them: the
 * classic (client-side) assignors in Kafka's documentation order, and the KIP-848 server-side
 * assignors in the order of the broker default `group.consumer.assignors` = [uniform, range]. */
#include <stdlib.h>
#include <string.h>
#include "models/assign/assignor.h"

static const cg_assignor_ops_t *const CG_ASSIGNORS[] = {
    &cg_assignor_range,   &cg_assignor_roundrobin, &cg_assignor_sticky,
    &cg_assignor_cooperative_sticky, &cg_assignor_uniform, &cg_assignor_server_range,
};
#define CG_N_ASSIGNORS (sizeof CG_ASSIGNORS / sizeof CG_ASSIGNORS[0])

const cg_assignor_ops_t *cg_assignor_find(cg_protocol_t protocol, const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < CG_N_ASSIGNORS; i++)
        if (CG_ASSIGNORS[i]->protocol == protocol && strcmp(CG_ASSIGNORS[i]->name, name) == 0)
            return CG_ASSIGNORS[i];
    return NULL;
}

const char *cg_assignor_names(cg_protocol_t protocol)
{
    /* Literals rather than a built string: no mutable state, and the order is part of the UI. */
    return protocol == CG_PROTOCOL_CONSUMER ? "uniform, range"
                                            : "range, roundrobin, sticky, cooperative-sticky";
}

size_t cg_assignor_all(const cg_assignor_ops_t *const **out)
{
    *out = CG_ASSIGNORS;
    return CG_N_ASSIGNORS;
}

int cg_assign_member_cmp(const cg_assign_member_t *a, const cg_assign_member_t *b)
{
    /* Kafka's MemberInfo.compareTo: static (instance id) members first, by instance id, then
     * dynamic ones by member id. Java compares UTF-16 code units; strcmp on UTF-8 gives code-point
     * order, which differs only between supplementary characters and U+E000..U+FFFF. Equal
     * instance ids (which Kafka fences) fall back to the member id so the order stays total. */
    if (a->instance_id != NULL && b->instance_id != NULL) {
        int c = strcmp(a->instance_id, b->instance_id);
        if (c != 0)
            return c;
    } else if (a->instance_id != NULL) {
        return -1;
    } else if (b->instance_id != NULL) {
        return 1;
    }
    return strcmp(a->id, b->id);
}

bool cg_assign_subscribed(const cg_assign_member_t *m, int32_t topic)
{
    size_t lo = 0, hi = m->n_topics;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->topics[mid] == topic)
            return true;
        if (m->topics[mid] < topic)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

int64_t cg_assign_total_partitions(const cg_assign_input_t *in)
{
    return in->topic_base[in->n_topics];
}

typedef struct cg_member_key {
    const cg_assign_member_t *m;      /* the member */
    int32_t idx;                      /* its index in the input, the final tie-break */
} cg_member_key_t;

static int member_key_cmp(const void *a, const void *b)
{
    const cg_member_key_t *x = a, *y = b;
    int c = cg_assign_member_cmp(x->m, y->m);
    return c != 0 ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static int member_key_id_cmp(const void *a, const void *b)
{
    const cg_member_key_t *x = a, *y = b;
    int c = strcmp(x->m->id, y->m->id);
    return c != 0 ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

int32_t *cg_assign_member_order(const cg_assign_input_t *in, bool by_id)
{
    size_t n = in->n_members;
    cg_member_key_t *keys = malloc((n ? n : 1) * sizeof *keys);
    int32_t *order = malloc((n ? n : 1) * sizeof *order);
    if (keys == NULL || order == NULL) {
        free(keys);
        free(order);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        keys[i] = (cg_member_key_t){&in->members[i], (int32_t)i};
    /* Total order (index tie-break), so qsort's instability cannot show. */
    qsort(keys, n, sizeof *keys, by_id ? member_key_id_cmp : member_key_cmp);
    for (size_t i = 0; i < n; i++)
        order[i] = keys[i].idx;
    free(keys);
    return order;
}

int cg_assign_subscribers(const cg_assign_input_t *in, int32_t **order_out, int64_t **off_out,
                          int32_t **ranks_out)
{
    size_t nt = in->n_topics;
    int64_t total = 0;
    for (size_t i = 0; i < in->n_members; i++)
        total += (int64_t)in->members[i].n_topics;
    int32_t *order = cg_assign_member_order(in, false);
    int64_t *off = calloc(nt + 1, sizeof *off);
    int64_t *fill = malloc((nt + 1) * sizeof *fill);
    int32_t *ranks = malloc((size_t)(total ? total : 1) * sizeof *ranks);
    if (order == NULL || off == NULL || fill == NULL || ranks == NULL) {
        free(order);
        free(off);
        free(fill);
        free(ranks);
        return -1;
    }
    /* A counting sort over the members in `order` keeps the ranks ascending per topic. */
    for (size_t i = 0; i < in->n_members; i++)
        for (size_t k = 0; k < in->members[i].n_topics; k++)
            off[in->members[i].topics[k] + 1]++;
    for (size_t t = 0; t < nt; t++)
        off[t + 1] += off[t];
    for (size_t t = 0; t <= nt; t++)
        fill[t] = off[t];
    for (size_t r = 0; r < in->n_members; r++) {
        const cg_assign_member_t *m = &in->members[order[r]];
        for (size_t k = 0; k < m->n_topics; k++)
            ranks[fill[m->topics[k]]++] = (int32_t)r;
    }
    free(fill);
    *order_out = order;
    *off_out = off;
    *ranks_out = ranks;
    return 0;
}
