/* tests/support/assign_test_util: see assign_test_util.h. */
#include "tests/support/assign_test_util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t at_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint32_t at_below(uint64_t *s, uint32_t n)
{
    return (uint32_t)(at_next(s) % n);
}

char *at_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = (size_t)n;
    return buf;
}

int at_run(const cg_assignor_ops_t *ops, const cg_assign_input_t *in, int32_t *owner)
{
    char err[256] = "";
    for (int64_t g = 0; g < cg_assign_total_partitions(in); g++)
        owner[g] = -7;                /* poison: every slot must be written */
    int rc = ops->assign(in, &(cg_assign_output_t){owner}, err, sizeof err);
    if (rc != 0 && strstr(err, "not implemented") != NULL)
        return 1;
    cr_assert_eq(rc, 0, "%s failed: %s", ops->name, err);
    return 0;
}

int32_t at_topic_of(const cg_assign_input_t *in, int64_t g)
{
    int32_t t = 0;
    while (in->topic_base[t + 1] <= g)
        t++;
    return t;
}

bool at_lists(const cg_assign_member_t *m, int32_t t, int32_t p)
{
    for (size_t k = 0; k < m->n_owned; k++)
        if (m->owned[k].topic == t && m->owned[k].partition == p)
            return true;
    return false;
}

bool at_topic_used(const cg_assign_input_t *in, int32_t t)
{
    for (size_t i = 0; i < in->n_members; i++)
        if (cg_assign_subscribed(&in->members[i], t))
            return true;
    return false;
}

bool at_equal_subscriptions(const cg_assign_input_t *in)
{
    for (size_t i = 1; i < in->n_members; i++)
        if (in->members[i].n_topics != in->members[0].n_topics ||
            memcmp(in->members[i].topics, in->members[0].topics,
                   in->members[0].n_topics * sizeof(int32_t)) != 0)
            return false;
    return true;
}

void at_counts(const cg_assign_input_t *in, const int32_t *owner, int64_t lo, int64_t hi,
               int64_t *count)
{
    memset(count, 0, in->n_members * sizeof *count);
    for (int64_t g = lo; g < hi; g++)
        if (owner[g] >= 0)
            count[owner[g]]++;
}

int64_t at_spread(const cg_assign_input_t *in, const int32_t *owner, int64_t lo, int64_t hi,
                  int64_t *mn, int64_t *mx)
{
    int64_t *count = calloc(in->n_members + 1, sizeof *count), lo_c = INT64_MAX, hi_c = 0;
    cr_assert_not_null(count);
    at_counts(in, owner, lo, hi, count);
    for (size_t i = 0; i < in->n_members; i++) {
        lo_c = count[i] < lo_c ? count[i] : lo_c;
        hi_c = count[i] > hi_c ? count[i] : hi_c;
    }
    free(count);
    if (mn)
        *mn = lo_c;
    if (mx)
        *mx = hi_c;
    return in->n_members ? hi_c - lo_c : 0;
}

void at_check_no_improving_move(const char *what, const cg_assign_input_t *in,
                                const int32_t *owner)
{
    int64_t *count = calloc(in->n_members + 1, sizeof *count);
    cr_assert_not_null(count);
    at_counts(in, owner, 0, cg_assign_total_partitions(in), count);
    for (int64_t g = 0; g < cg_assign_total_partitions(in); g++) {
        int32_t t = at_topic_of(in, g);
        for (size_t i = 0; owner[g] >= 0 && i < in->n_members; i++)
            cr_assert(!cg_assign_subscribed(&in->members[i], t) ||
                      count[i] >= count[owner[g]] - 1,
                      "%s: %s (%lld) could take a partition from %s (%lld)", what,
                      in->members[i].id, (long long)count[i], in->members[owner[g]].id,
                      (long long)count[owner[g]]);
    }
    free(count);
}
