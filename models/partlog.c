/* placeholder until the partition logs land */
typedef int cg_partlog_placeholder_t;
