/* placeholder until the scenario loader lands */
typedef int cg_scenario_placeholder_t;
