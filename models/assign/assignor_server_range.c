/* models/assignor_server_range: the KIP-848 server-side RangeAssignor ("range", consumer protocol).
 *
 * Kafka 4.0's group-coordinator RangeAssignor (trunk snapshot of 2024-10, see kafka.md) is
 * stateless: members sorted like the client assignor (instance id, static before dynamic, then
 * member id), and for each topic the first N % C subscribers get N / C + 1 contiguous partitions,
 * the others N / C. The member's current target assignment ("owned") does not influence the result.
 * Older versions (3.7 to 3.9) kept up to the quota of each member's current partitions first; that
 * variant gives the same result on the three kip848_range vectors, and the newest behaviour wins.
 * So this is the client range algorithm under the server's name. Topics missing from metadata never
 * reach Kafka's server assignors (subscriptions are resolved to topic ids first); cgsim's input
 * loader likewise drops them before the assignor runs. */
#include "models/assign/assignor.h"

static int server_range_assign(const cg_assign_input_t *in, cg_assign_output_t *out, char *err,
                               size_t errlen)
{
    return cg_assignor_range.assign(in, out, err, errlen);
}

const cg_assignor_ops_t cg_assignor_server_range = {"range", CG_PROTOCOL_CONSUMER, false,
                                                     server_range_assign};
