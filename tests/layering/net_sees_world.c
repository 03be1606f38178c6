/* Must NOT compile with the network's include root. */
#include "models/net/net.h"
#include "models/world/world_impl.h"
