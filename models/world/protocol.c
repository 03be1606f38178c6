/* models/protocol: the registry of membership protocols, by the scenario's protocol kind.
 * To add one: a folder under models/ with its member ops (client side) and its group entry
 * (coordinator in the world), one line here, and its kind in models/assignor.h. */
#include "models/world/world_impl.h"

extern const cg_group_proto_t cg_classic_proto;   /* models/classic */
extern const cg_group_proto_t cg_consumer_proto;  /* models/kip848 */

const cg_group_proto_t *cg_group_proto_find(cg_protocol_t kind)
{
    static const cg_group_proto_t *const registry[] = {
        [CG_PROTOCOL_CLASSIC] = &cg_classic_proto,
        [CG_PROTOCOL_CONSUMER] = &cg_consumer_proto,
    };
    return (unsigned)kind < sizeof registry / sizeof *registry ? registry[kind] : NULL;
}
