/* cli/explain: a loaded scenario with every default filled in, as JSON (validate --explain). */
#ifndef CLI_EXPLAIN_H
#define CLI_EXPLAIN_H

#include <cjson/cJSON.h>
#include "models/scenario/scenario.h"

/* The scenario as it will run; NULL on out of memory. The caller deletes it. */
cJSON *cli_scenario_explain(const cg_scenario_t *s);

#endif
