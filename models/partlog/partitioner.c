/* models/partitioner: Kafka's default partitioner for keyed records.
 *
 * murmur2 follows org.apache.kafka.common.utils.Utils.murmur2 (kafka.md (d)): seed 0x9747b28c,
 * m = 0x5bd1e995, r = 24, h = seed ^ len, 4-byte little-endian blocks, a 1..3 byte tail that
 * falls through, and the final avalanche. All arithmetic is on uint32_t, which wraps exactly as
 * Java's int does; '>>>' is the unsigned shift. The partition is toPositive(h) % partitions with
 * toPositive(x) = x & 0x7fffffff (BuiltInPartitioner.partitionForKey), so negative hashes do not
 * fold to |h| as Math.abs would. */
#include <assert.h>
#include "models/partlog/partitioner.h"

#define MURMUR2_SEED UINT32_C(0x9747b28c)
#define MURMUR2_M UINT32_C(0x5bd1e995)
#define MURMUR2_R 24

int32_t cg_murmur2(const void *data, size_t len)
{
    const unsigned char *b = data;
    uint32_t h = MURMUR2_SEED ^ (uint32_t)len;
    size_t blocks = len / 4;
    for (size_t i = 0; i < blocks; i++) {
        const unsigned char *p = b + 4 * i;
        uint32_t k = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
                     ((uint32_t)p[3] << 24);
        k *= MURMUR2_M;
        k ^= k >> MURMUR2_R;
        k *= MURMUR2_M;
        h *= MURMUR2_M;
        h ^= k;
    }
    const unsigned char *tail = b + 4 * blocks;
    switch (len % 4) {
    case 3:
        h ^= (uint32_t)tail[2] << 16;
        /* fall through */
    case 2:
        h ^= (uint32_t)tail[1] << 8;
        /* fall through */
    case 1:
        h ^= (uint32_t)tail[0];
        h *= MURMUR2_M;
        break;
    default:
        break;
    }
    h ^= h >> 13;
    h *= MURMUR2_M;
    h ^= h >> 15;
    /* Reinterpret the bits as Java's signed int without implementation-defined conversion. */
    return h <= INT32_MAX ? (int32_t)h : -(int32_t)(UINT32_MAX - h) - 1;
}

int32_t cg_partition_for_key(const void *key, size_t len, int32_t partitions)
{
    assert(partitions > 0);
    uint32_t positive = (uint32_t)cg_murmur2(key, len) & UINT32_C(0x7fffffff);
    return (int32_t)(positive % (uint32_t)partitions);
}
