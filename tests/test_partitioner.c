/* tests/test_partitioner: murmur2 and the key -> partition map against Kafka's and librdkafka's
 * own test vectors (kafka.md (d)). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "models/partlog/partitioner.h"

static uint32_t hash_u32(const char *s)
{
    return (uint32_t)cg_murmur2(s, strlen(s));
}

/* Java UtilsTest.testMurmur2: signed int32 results. */
Test(partitioner, java_utils_vectors)
{
    static const struct { const char *key; int32_t h; } v[] = {
        {"21", -973932308},
        {"foobar", -790332482},
        {"a-little-bit-long-string", -985981536},
        {"a-little-bit-longer-string", -1486304829},
        {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
        {"abc", 479470107},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        cr_expect_eq(cg_murmur2(v[i].key, strlen(v[i].key)), v[i].h, "murmur2(\"%s\") = %d, want %d",
                     v[i].key, cg_murmur2(v[i].key, strlen(v[i].key)), v[i].h);
}

/* librdkafka rdmurmur2.c unittest_murmur2: unsigned hex results. */
Test(partitioner, librdkafka_vectors)
{
    static const struct { const char *key; uint32_t h; } v[] = {
        {"kafka", 0xd067cf64u},
        {"giberish123456789", 0x8f552b0cu},
        {"1234", 0x9fc97b14u},
        {"234", 0xe7c009cau},
        {"34", 0x873930dau},
        {"4", 0x5a4b5ca1u},
        {"PreAmbleWillBeRemoved,ThePrePartThatIs", 0x78424f1cu},
        {"reAmbleWillBeRemoved,ThePrePartThatIs", 0x4a62b377u},
        {"eAmbleWillBeRemoved,ThePrePartThatIs", 0xe0e4e09eu},
        {"AmbleWillBeRemoved,ThePrePartThatIs", 0x62b8b43fu},
        {"", 0x106e08d9u},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        cr_expect_eq(hash_u32(v[i].key), v[i].h, "murmur2(\"%s\") = 0x%08x, want 0x%08x", v[i].key,
                     hash_u32(v[i].key), v[i].h);
    /* librdkafka hashes a NULL key like the empty one. */
    cr_expect_eq((uint32_t)cg_murmur2(NULL, 0), 0x106e08d9u);
}

Test(partitioner, derived_partitions)
{
    cr_expect_eq(cg_partition_for_key("21", 2, 3), 0);
    cr_expect_eq(cg_partition_for_key("foobar", 6, 3), 0);
    cr_expect_eq(cg_partition_for_key("abc", 3, 3), 0);
    cr_expect_eq(cg_partition_for_key("a-little-bit-long-string", 24, 3), 2);
    /* toPositive masks the sign bit (not Math.abs): -973932308 & 0x7fffffff = 1173551340. */
    cr_expect_eq(cg_partition_for_key("21", 2, 1000), 1173551340 % 1000);
    cr_expect_eq(cg_partition_for_key("anything", 8, 1), 0);
}

Test(partitioner, partition_in_range)
{
    char key[16];
    for (int k = 0; k < 1000; k++) {
        int n = snprintf(key, sizeof key, "%d", k);
        int32_t p = cg_partition_for_key(key, (size_t)n, 7);
        cr_assert(p >= 0 && p < 7);
    }
}
