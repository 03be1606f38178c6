/* models/classic/protocol_select: which assignor ("protocol" in the JoinGroup) a classic group
 * uses, and whether a JoinGroup may enter the group at all, as the group coordinator decides
 * them (ClassicGroup.supportsProtocols, candidateProtocols, selectProtocol, and
 * ClassicGroupMember.vote in Kafka 4.0; GroupMetadata in the Scala coordinator of 3.x).
 *
 * Admission: a JoinGroup to a group that is not Empty must list at least one name that every
 * current member supports (its count equals the member count, the joining member counted with
 * the protocols of its previous JoinGroup when it is already a member); else
 * INCONSISTENT_GROUP_PROTOCOL. Selection, when a join phase completes: the candidates are the
 * names every member supports; each member votes for the first name of its own list that is a
 * candidate; the most votes win. Kafka breaks a tie by the iteration order of a
 * HashMap<String, Integer>: the lowest bucket, (h ^ h >>> 16) & 15 with h = String.hashCode,
 * first (Stream.max keeps the earlier of equal elements); range 9, roundrobin 10, sticky 8,
 * cooperative-sticky 15, so a tie between range and cooperative-sticky goes to range.
 * Example: members [range], [cooperative-sticky, range], [cooperative-sticky, range]: the only
 * candidate is range, all three vote for it. Once the first member has left, the other two vote
 * cooperative-sticky. */
#include <string.h>
#include "models/classic/coordinator.h"

#define JAVA_HASHMAP_BUCKETS 16       /* a HashMap's table for up to 12 keys */

static bool lists(const cg_member_t *m, const cg_assignor_ops_t *a)
{
    for (uint32_t i = 0; i < m->n_protocols; i++)
        if (m->protocols[i] == a)
            return true;
    return false;
}

static bool is_member(const cg_member_t *m) { return m->serial && !m->pending; }

void cg_coord_protocols_changed(cg_coord_t *g)
{
    g->protocols_version++;
}

/* m lists its i-th protocol earlier too (a name listed twice counts once). */
static bool listed_before(const cg_member_t *m, uint32_t i)
{
    for (uint32_t j = 0; j < i; j++)
        if (m->protocols[j] == m->protocols[i])
            return true;
    return false;
}

/* The index of `a` in the counts, n_proto when not there. */
static uint32_t proto_index(const cg_coord_t *g, const cg_assignor_ops_t *a)
{
    uint32_t k = 0;
    while (k < g->n_proto && g->proto[k] != a)
        k++;
    return k;
}

/* Add `step` to the count of each distinct protocol of m, listing the new ones; false when one
 * does not fit in the table (the counts of those before it are applied). */
static bool add_protocols(cg_coord_t *g, const cg_member_t *m, int step)
{
    for (uint32_t i = 0; i < m->n_protocols; i++) {
        if (listed_before(m, i))
            continue;
        uint32_t k = proto_index(g, m->protocols[i]);
        if (k == g->n_proto) {
            if (k == CG_MAX_STRATEGY)
                return false;
            g->proto[g->n_proto] = m->protocols[i];
            g->proto_count[g->n_proto++] = 0;
        }
        g->proto_count[k] += (uint32_t)step;
    }
    return true;
}

/* Count, for each distinct protocol, the members that list it. */
static void count_protocols(cg_coord_t *g)
{
    g->n_proto = g->proto_members = 0;
    g->proto_overflow = false;
    for (uint32_t s = 0; s < g->n_slots; s++) {
        const cg_member_t *m = &g->members[s];
        if (!is_member(m))
            continue;
        g->proto_members++;
        if (!add_protocols(g, m, +1))
            g->proto_overflow = true;
    }
    g->protocols_counted = g->protocols_version;
}

/* Whether counts that are current can take m's distinct protocols with `step`: each listed
 * with a count above 0 when m leaves them (-1), room for the new ones when it joins (+1). */
static bool counts_take(const cg_coord_t *g, const cg_member_t *m, int step)
{
    uint32_t fresh = 0;
    for (uint32_t i = 0; i < m->n_protocols; i++) {
        if (listed_before(m, i))
            continue;
        uint32_t k = proto_index(g, m->protocols[i]);
        if (step < 0 && (k == g->n_proto || g->proto_count[k] == 0))
            return false;
        fresh += k == g->n_proto;
    }
    return g->n_proto + fresh <= CG_MAX_STRATEGY;
}

/* m starts (+1) or stops (-1) counting: its distinct protocols applied to the counts when they
 * are current, as count_protocols would find them after the change (a protocol whose count
 * falls to 0 stays listed: candidate() answers the same for it as for an unlisted one).
 * Otherwise the counts are left to the next recount. */
static void count_member(cg_coord_t *g, const cg_member_t *m, int step)
{
    if (!is_member(m))
        return;
    if (g->protocols_counted != g->protocols_version || g->proto_overflow ||
        !counts_take(g, m, step)) {
        cg_coord_protocols_changed(g);
        return;
    }
    g->proto_members += (uint32_t)step;
    add_protocols(g, m, step);
}

void cg_coord_proto_out(cg_coord_t *g, const cg_member_t *m)
{
    count_member(g, m, -1);
}

void cg_coord_proto_in(cg_coord_t *g, const cg_member_t *m)
{
    count_member(g, m, +1);
}

/* Every member supports `a`. */
static bool candidate(cg_coord_t *g, const cg_assignor_ops_t *a)
{
    if (g->protocols_counted != g->protocols_version)
        count_protocols(g);
    if (g->proto_overflow) {   /* beyond the table: ask every member */
        for (uint32_t s = 0; s < g->n_slots; s++)
            if (is_member(&g->members[s]) && !lists(&g->members[s], a))
                return false;
        return true;
    }
    for (uint32_t k = 0; k < g->n_proto; k++)
        if (g->proto[k] == a)
            return g->proto_count[k] == g->proto_members;
    return g->proto_members == 0;
}

bool cg_coord_supports_protocols(cg_coord_t *g, const cg_msg_t *msg)
{
    if (g->state == CG_GS_EMPTY || g->n_members == 0)
        return msg->n_protocols > 0;
    for (uint32_t i = 0; i < msg->n_protocols; i++)
        if (candidate(g, msg->protocols[i]))
            return true;
    return false;
}

static uint32_t java_bucket(const char *name)
{
    uint32_t h = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = 31u * h + *p;
    return (h ^ (h >> 16)) & (JAVA_HASHMAP_BUCKETS - 1);
}

/* a before b in the vote map's iteration (bucket, then name: collisions are not modelled). */
static bool iterates_before(const cg_assignor_ops_t *a, const cg_assignor_ops_t *b)
{
    uint32_t ba = java_bucket(a->name), bb = java_bucket(b->name);
    return ba != bb ? ba < bb : strcmp(a->name, b->name) < 0;
}

const cg_assignor_ops_t *cg_coord_select_protocol(cg_coord_t *g)
{
    const cg_assignor_ops_t *names[CG_MAX_STRATEGY * 4];
    uint32_t votes[CG_MAX_STRATEGY * 4], n = 0;
    for (uint32_t s = 0; s < g->n_slots; s++) {
        const cg_member_t *m = &g->members[s];
        if (!is_member(m))
            continue;
        const cg_assignor_ops_t *v = NULL;
        for (uint32_t i = 0; i < m->n_protocols && !v; i++)
            if (candidate(g, m->protocols[i]))
                v = m->protocols[i];
        if (!v)
            continue;                 /* admission makes this impossible */
        uint32_t k = 0;
        while (k < n && names[k] != v)
            k++;
        if (k == n && n < sizeof names / sizeof names[0]) {
            names[n] = v;
            votes[n++] = 0;
        }
        if (k < n)
            votes[k]++;
    }
    const cg_assignor_ops_t *best = NULL;
    uint32_t best_votes = 0;
    for (uint32_t k = 0; k < n; k++)
        if (!best || votes[k] > best_votes ||
            (votes[k] == best_votes && iterates_before(names[k], best))) {
            best = names[k];
            best_votes = votes[k];
        }
    return best ? best : g->cfg->assignor;
}
