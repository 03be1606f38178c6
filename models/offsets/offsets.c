/* models/offsets: see offsets.h. */
#include "models/offsets/offsets.h"

#include <assert.h>
#include <stdlib.h>

int cg_offsets_init(cg_offsets_t *o, int64_t n_parts)
{
    size_t n = n_parts > 0 ? (size_t)n_parts : 1;
    o->committed = malloc(n * sizeof *o->committed);
    o->n = n_parts;
    if (!o->committed)
        return -1;
    for (size_t i = 0; i < n; i++)
        o->committed[i] = -1;
    return 0;
}

void cg_offsets_fini(cg_offsets_t *o)
{
    free(o->committed);
    o->committed = NULL;
}

void cg_offsets_commit(cg_offsets_t *o, cg_msg_t *m, cg_err_t err, cg_offsets_report_fn report,
                       void *ctx)
{
    for (uint32_t i = 0; i < m->n; i++) {
        int32_t gp = m->gp[i];
        assert(gp >= 0 && gp < o->n);
        report(ctx, m->client, gp, m->off[i], m->generation, err);
        m->ok[i] = err == CG_ERR_NONE;
        if (err == CG_ERR_NONE)
            o->committed[gp] = m->off[i];
    }
}

void cg_offsets_fetch(const cg_offsets_t *o, cg_msg_t *m)
{
    for (uint32_t i = 0; i < m->n; i++) {
        assert(m->gp[i] >= 0 && m->gp[i] < o->n);
        m->off[i] = o->committed[m->gp[i]];
    }
}
