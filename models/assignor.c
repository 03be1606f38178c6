/* placeholder until the assignor registry lands */
typedef int cg_assignor_placeholder_t;
