/* models/assign/rack: member racks as bit indexes and Kafka's rack-aware test (rack.h).
 *
 * Kafka (clients/.../internals/AbstractPartitionAssignor.useRackAwareAssignment, 3.5+): racks
 * are used when some member has a rack, some member rack holds a replica, and not every
 * partition has the same replica racks. A member rack of "" counts as none (RangeAssignor and
 * AbstractStickyAssignor filter empty rack ids). Member racks are looked up among rack_names
 * linearly: at most CG_MAX_RACKS names. */
#include <stdlib.h>
#include <string.h>
#include "models/assign/rack.h"

int cg_rack_view_init(cg_rack_view_t *v, const cg_assign_input_t *in)
{
    v->in = in;
    v->member_rack = malloc((in->n_members + 1) * sizeof *v->member_rack);
    if (!v->member_rack)
        return -1;
    for (size_t m = 0; m < in->n_members; m++) {
        const char *r = in->members[m].rack;
        int32_t idx = (r == NULL || r[0] == '\0') ? CG_RACK_NONE : CG_RACK_OTHER;
        for (size_t k = 0; idx == CG_RACK_OTHER && k < in->n_racks; k++)
            if (strcmp(in->rack_names[k], r) == 0)
                idx = (int32_t)k;
        v->member_rack[m] = idx;
    }
    return 0;
}

void cg_rack_view_fini(cg_rack_view_t *v)
{
    free(v->member_rack);
    v->member_rack = NULL;
}

void cg_rack_scan_member(cg_rack_scan_t *s, const cg_rack_view_t *v, int32_t m)
{
    int32_t r = v->member_rack[m];
    if (r == CG_RACK_NONE)
        return;
    s->member_rack = true;
    if (r >= 0)
        s->member_racks |= (uint64_t)1 << r;
}

void cg_rack_scan_parts(cg_rack_scan_t *s, const cg_assign_input_t *in, int64_t lo, int64_t hi)
{
    for (int64_t g = lo; g < hi; g++) {
        uint64_t r = cg_rack_of(in, g);
        if (!s->partition_seen) {
            s->partition_seen = true;
            s->first = r;
        } else if (r != s->first) {
            s->differ = true;
        }
        s->partition_racks |= r;
    }
}

bool cg_rack_scan_use(const cg_rack_scan_t *s)
{
    if (!s->member_rack || (s->member_racks & s->partition_racks) == 0)
        return false;
    return s->differ;
}

bool cg_rack_match(const cg_rack_view_t *v, int32_t m, int64_t g)
{
    int32_t r = v->member_rack[m];
    return r == CG_RACK_NONE || (r >= 0 && ((cg_rack_of(v->in, g) >> r) & 1));
}

bool cg_rack_mismatch(const cg_rack_view_t *v, int32_t m, int64_t g)
{
    return !cg_rack_match(v, m, g);
}

bool cg_rack_on(const cg_rack_view_t *v, int32_t m, int64_t g)
{
    int32_t r = v->member_rack[m];
    return r >= 0 && ((cg_rack_of(v->in, g) >> r) & 1);
}
