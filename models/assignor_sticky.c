/* models/assignor_sticky: placeholder ops until the sticky family lands. */
#include <stdio.h>
#include "models/assignor.h"

static int sticky_todo(const cg_assign_input_t *in, cg_assign_output_t *out, char *err,
                       size_t errlen)
{
    (void)in;
    (void)out;
    snprintf(err, errlen, "sticky assignors are not implemented yet");
    return -1;
}

const cg_assignor_ops_t cg_assignor_sticky = {"sticky", CG_PROTOCOL_CLASSIC, false, sticky_todo};
const cg_assignor_ops_t cg_assignor_cooperative_sticky = {"cooperative-sticky",
                                                          CG_PROTOCOL_CLASSIC, true, sticky_todo};
