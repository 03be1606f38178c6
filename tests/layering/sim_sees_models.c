/* Must NOT compile with sim/'s include root: the engine knows nothing of Kafka (ctest
 * layering_*, WILL_FAIL). */
#include "sim/sim.h"
#include "models/world/world.h"
