/* tests/test_assign_range_rr: exact results of range, roundrobin and the KIP-848 server range on
 * hand-worked cases (Kafka javadoc examples, static member order, skipping with the iterator
 * position carried across topics), and their cost on 1,000,000 partitions over 2,000 members. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "models/assign/assignor.h"
#include "models/assign/assignor_json.h"

static void rack_expect(const cg_assignor_ops_t *ops, const char *input, const int *shift,
                        const char *want);

/* Runs `ops` on the JSON input and compares the result object with `want` (JSON text). */
static void rr_expect(const cg_assignor_ops_t *ops, const char *input, const char *want)
{
    rack_expect(ops, input, NULL, want);
}

Test(roundrobin, javadoc_example)
{
    rr_expect(&cg_assignor_roundrobin,
              "{\"topics\":{\"t0\":1,\"t1\":2,\"t2\":3},\"members\":["
              "{\"id\":\"C2\",\"topics\":[\"t2\",\"t1\",\"t0\"]},"
              "{\"id\":\"C0\",\"topics\":[\"t0\"]},{\"id\":\"C1\",\"topics\":[\"t0\",\"t1\"]}]}",
              "{\"C2\":[[\"t1\",1],[\"t2\",0],[\"t2\",1],[\"t2\",2]],\"C0\":[[\"t0\",0]],"
              "\"C1\":[[\"t1\",0]]}");
}

Test(roundrobin, skips_unsubscribed_and_carries_position_across_topics)
{
    /* order a, b, c. x: p0 -> a, p1 skips b -> c. y: continues at a: a, b, c, a. */
    rr_expect(&cg_assignor_roundrobin,
              "{\"topics\":{\"y\":4,\"x\":2},\"members\":[{\"id\":\"c\",\"topics\":[\"x\",\"y\"]},"
              "{\"id\":\"b\",\"topics\":[\"y\"]},{\"id\":\"a\",\"topics\":[\"x\",\"y\"]}]}",
              "{\"c\":[[\"x\",1],[\"y\",2]],\"b\":[[\"y\",1]],\"a\":[[\"x\",0],[\"y\",0],[\"y\",3]]}");
}

Test(roundrobin, static_members_first_by_instance_id)
{
    rr_expect(&cg_assignor_roundrobin,
              "{\"topics\":{\"t\":4},\"members\":[{\"id\":\"a\",\"topics\":[\"t\"]},"
              "{\"id\":\"b\",\"instance_id\":\"z\",\"topics\":[\"t\"]},"
              "{\"id\":\"c\",\"instance_id\":\"y\",\"topics\":[\"t\"]}]}",
              "{\"a\":[[\"t\",2]],\"b\":[[\"t\",1]],\"c\":[[\"t\",0],[\"t\",3]]}");
}

Test(range, same_members_get_the_extra_of_every_topic)
{
    rr_expect(&cg_assignor_range,
              "{\"topics\":{\"t0\":3,\"t1\":3},\"members\":[{\"id\":\"c1\",\"topics\":[\"t0\","
              "\"t1\"]},{\"id\":\"c0\",\"topics\":[\"t1\",\"t0\"]}]}",
              "{\"c1\":[[\"t0\",2],[\"t1\",2]],\"c0\":[[\"t0\",0],[\"t0\",1],[\"t1\",0],"
              "[\"t1\",1]]}");
}

Test(range, per_topic_subscribers_only_and_unsubscribed_topics_stay_unassigned)
{
    /* t1 (5 partitions): a, c -> a 0-2, c 3-4; t2 (2): b alone; t3: nobody; d: nothing. */
    rr_expect(&cg_assignor_range,
              "{\"topics\":{\"t1\":5,\"t2\":2,\"t3\":4},\"members\":["
              "{\"id\":\"d\",\"topics\":[]},{\"id\":\"c\",\"topics\":[\"t1\"]},"
              "{\"id\":\"b\",\"topics\":[\"t2\"]},{\"id\":\"a\",\"topics\":[\"t1\"]}]}",
              "{\"d\":[],\"c\":[[\"t1\",3],[\"t1\",4]],\"b\":[[\"t2\",0],[\"t2\",1]],"
              "\"a\":[[\"t1\",0],[\"t1\",1],[\"t1\",2]]}");
}

Test(range, more_members_than_partitions_and_static_order)
{
    rr_expect(&cg_assignor_range,
              "{\"topics\":{\"t\":2},\"members\":[{\"id\":\"a\",\"topics\":[\"t\"]},"
              "{\"id\":\"b\",\"topics\":[\"t\"]},{\"id\":\"z\",\"instance_id\":\"s\","
              "\"topics\":[\"t\"]}]}",
              "{\"a\":[[\"t\",1]],\"b\":[],\"z\":[[\"t\",0]]}");
}

Test(server_range, same_as_client_range_and_ignores_owned)
{
    rr_expect(&cg_assignor_server_range,
              "{\"topics\":{\"t0\":3,\"t1\":3},\"members\":[{\"id\":\"B\",\"topics\":[\"t0\","
              "\"t1\"],\"owned\":[[\"t0\",0],[\"t0\",1],[\"t1\",0]]},{\"id\":\"A\",\"topics\":"
              "[\"t0\",\"t1\"]}]}",
              "{\"B\":[[\"t0\",2],[\"t1\",2]],\"A\":[[\"t0\",0],[\"t0\",1],[\"t1\",0],[\"t1\",1]]}");
}

Test(range_rr, empty_inputs)
{
    rr_expect(&cg_assignor_range, "{\"topics\":{\"t\":3},\"members\":[]}", "{}");
    rr_expect(&cg_assignor_roundrobin, "{\"topics\":{\"t\":3},\"members\":[]}", "{}");
    rr_expect(&cg_assignor_roundrobin,
              "{\"topics\":{\"e\":0,\"t\":1},\"members\":[{\"id\":\"a\",\"topics\":[\"e\"]},"
              "{\"id\":\"b\",\"topics\":[\"e\",\"t\"]}]}",
              "{\"a\":[],\"b\":[[\"t\",0]]}");
}

/* 1000 topics x 1000 partitions, 2000 members all subscribed to everything. */
typedef struct rr_big {
    cg_topic_meta_t topics[1000];
    char names[1000][8];
    int64_t base[1001];
    cg_assign_member_t members[2000];
    char ids[2000][8];
    int32_t subs[1000];
    cg_assign_input_t in;
} rr_big_t;

static rr_big_t *rr_big_new(void)
{
    rr_big_t *b = calloc(1, sizeof *b);
    cr_assert_not_null(b);
    for (int t = 0; t < 1000; t++) {
        snprintf(b->names[t], sizeof b->names[t], "t%03d", t);
        b->topics[t] = (cg_topic_meta_t){b->names[t], 1000};
        b->base[t + 1] = b->base[t] + 1000;
        b->subs[t] = t;
    }
    for (int m = 0; m < 2000; m++) {
        snprintf(b->ids[m], sizeof b->ids[m], "m%04d", 1999 - m);    /* reverse of id order */
        b->members[m] = (cg_assign_member_t){b->ids[m], NULL, NULL, b->subs, 1000, NULL, 0, -1};
    }
    b->in = (cg_assign_input_t){b->topics, 1000, b->base, b->members, 2000, NULL, NULL, 0};
    return b;
}

static double rr_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs ops on the big input; returns the per-member counts (caller frees) and logs the time. */
static int64_t *rr_big_run(const cg_assignor_ops_t *ops, const rr_big_t *b)
{
    int32_t *owner = malloc(1000000 * sizeof *owner);
    int64_t *count = calloc(2000, sizeof *count);
    char err[256];
    double t0 = rr_seconds();
    cr_assert_eq(ops->assign(&b->in, &(cg_assign_output_t){owner}, err, sizeof err), 0, "%s", err);
    double dt = rr_seconds() - t0;
    cr_log_info("%s: 1,000,000 partitions over 2,000 members in %.3f s", ops->name, dt);
    /* "well under a second" unsanitized; the bound leaves room for ASan and a loaded machine */
    cr_assert_lt(dt, 5.0, "%s took %.3f s", ops->name, dt);
    for (int64_t g = 0; g < 1000000; g++) {
        cr_assert(owner[g] >= 0 && owner[g] < 2000);
        count[owner[g]]++;
    }
    free(owner);
    return count;
}

Test(scale, million_partitions)
{
    rr_big_t *b = rr_big_new();
    int64_t *rr = rr_big_run(&cg_assignor_roundrobin, b);
    int64_t *range = rr_big_run(&cg_assignor_range, b);
    for (int m = 0; m < 2000; m++) {
        cr_assert_eq(rr[m], 500);
        /* member m has id m(1999 - m): the 1000 smallest ids get one partition of every topic */
        cr_assert_eq(range[m], m >= 1000 ? 1000 : 0, "member %d: %lld", m, (long long)range[m]);
    }
    free(rr);
    free(range);
    free(b);
}

/* Runs `ops` on the JSON input and compares the result object with `want` (JSON text); with
 * `shift`, partition p of topic t has one replica, on rack RACKS[(p + shift[t]) % 3]. */
static void rack_expect(const cg_assignor_ops_t *ops, const char *input, const int *shift,
                        const char *want)
{
    static const char *const RACKS[] = {"a", "b", "c"};
    cg_assign_doc_t doc;
    char err[512];
    cr_assert_eq(cg_assign_doc_parse(&doc, input, strlen(input), "case", err, sizeof err), 0,
                 "%s", err);
    int64_t total = cg_assign_total_partitions(&doc.in);
    uint64_t *racks = NULL;
    if (shift) {
        racks = calloc((size_t)total + 1, sizeof *racks);
        for (size_t t = 0; t < doc.in.n_topics; t++)
            for (int64_t g = doc.in.topic_base[t]; g < doc.in.topic_base[t + 1]; g++)
                racks[g] = UINT64_C(1) << ((g - doc.in.topic_base[t] + shift[t]) % 3);
        doc.in.replica_racks = racks;
        doc.in.rack_names = RACKS;
        doc.in.n_racks = 3;
    }
    int32_t *owner = malloc((size_t)(total + 1) * sizeof *owner);
    cr_assert_eq(ops->assign(&doc.in, &(cg_assign_output_t){owner}, err, sizeof err), 0, "%s", err);
    cJSON *got = cg_assign_result_json(&doc.in, owner);
    char *text = cJSON_PrintUnformatted(got);
    cr_assert_str_eq(text, want, "%s", ops->name);
    free(text);
    cJSON_Delete(got);
    free(owner);
    free(racks);
    cg_assign_doc_fini(&doc);
}

/* Kafka's RangeAssignorTest.testRackAwareAssignmentWithUniformSubscription, replication factor
 * 1 on 3 racks (its partitionInfos places partition i of the k-th topic on rack
 * (i + partitions of the topics before) mod 3; consumer i on rack i): range gives each member
 * the partitions on its own rack, and without racks the usual ranges. */
static const char RACK_INPUT[] =
    "{\"topics\":{\"t1\":6,\"t2\":7,\"t3\":2},\"members\":["
    "{\"id\":\"consumer0\",\"topics\":[\"t1\",\"t2\",\"t3\"],\"rack\":\"a\"},"
    "{\"id\":\"consumer1\",\"topics\":[\"t1\",\"t2\",\"t3\"],\"rack\":\"b\"},"
    "{\"id\":\"consumer2\",\"topics\":[\"t1\",\"t2\",\"t3\"],\"rack\":\"c\"}]}";

Test(range, rack_aware_as_kafka_uniform_subscription)
{
    static const int SHIFT[] = {0, 6, 13};
    rack_expect(&cg_assignor_range, RACK_INPUT, SHIFT,
                "{\"consumer0\":[[\"t1\",0],[\"t1\",3],[\"t2\",0],[\"t2\",3],[\"t2\",6]],"
                "\"consumer1\":[[\"t1\",1],[\"t1\",4],[\"t2\",1],[\"t2\",4],[\"t3\",0]],"
                "\"consumer2\":[[\"t1\",2],[\"t1\",5],[\"t2\",2],[\"t2\",5],[\"t3\",1]]}");
}
