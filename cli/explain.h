/* cli/explain: a loaded scenario with every default filled in, as JSON (validate --explain). */
#ifndef CLI_EXPLAIN_H
#define CLI_EXPLAIN_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include "models/scenario/scenario.h"

/* The scenario as it will run; NULL on out of memory. The caller deletes it. */
cJSON *cli_scenario_explain(const cg_scenario_t *s);

/* Add item under key (an array item when o is an array and key NULL); false, item deleted, on
 * out of memory. */
bool cli_explain_add(cJSON *o, const char *key, cJSON *item);
/* Add the scenario's "autoscalers" to `root` (nothing without any); false on out of memory
 * (cli/explain_autoscale.c). */
bool cli_explain_autoscalers(cJSON *root, const cg_scenario_t *s);

#endif
