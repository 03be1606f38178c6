/* Must compile with the classic coordinator's include root (the control for the failing ones). */
#include "models/classic/coordinator.h"
#include "models/offsets/offsets.h"
