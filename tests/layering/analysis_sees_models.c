/* Must NOT compile with analysis/'s include root: analysis reads traces only. */
#include "analysis/an_analyze.h"
#include "models/scenario/scenario.h"
