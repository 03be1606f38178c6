/* models/partitioner: Kafka's default partitioner for keyed records.
 * Owns: murmur2 exactly as org.apache.kafka.common.utils.Utils.murmur2 and the key -> partition
 *       map (toPositive(murmur2(key)) % partitions). Does not own: keyless (sticky) partitioning.
 * Invariant: results equal the Java client's bit for bit (UtilsTest vectors in the tests). */
#ifndef CG_PARTITIONER_H
#define CG_PARTITIONER_H

#include <stddef.h>
#include <stdint.h>

int32_t cg_murmur2(const void *data, size_t len);           /* as Java: signed 32-bit */
int32_t cg_partition_for_key(const void *key, size_t len, int32_t partitions);

#endif
