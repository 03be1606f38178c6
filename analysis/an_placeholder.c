/* placeholder until analysis lands */
typedef int an_placeholder_t;
