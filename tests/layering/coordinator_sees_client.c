/* Must NOT compile with the classic coordinator's include root: it talks to clients only
 * through messages. */
#include "models/classic/coordinator.h"
#include "models/client/client.h"
