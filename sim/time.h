/* sim/time: the one conversion from configured milliseconds (doubles, as scenarios give them) to
 * engine nanoseconds.
 * Owns: the rounding (to nearest, halves away from zero) and the saturation of huge values.
 * Does not own: the clock (sim/sim).
 * Invariant: sim_ms_to_ns is monotonic and never exceeds SIM_TIME_SAT_NS, so a deadline computed
 *            as now + a converted duration cannot overflow int64 within a run. */
#ifndef SIM_TIME_H
#define SIM_TIME_H

#include <math.h>
#include <stdint.h>

#define SIM_TIME_SAT_NS (INT64_MAX / 4)    /* converted durations saturate here (~73 years) */

#define SIM_TIME_EXACT_FRAC 0x1p52        /* below: ns - trunc(ns) is exact in a double */

static inline int64_t sim_ms_to_ns(double ms)
{
    double ns = ms * 1e6;
    if (ns >= 0 && ns < SIM_TIME_EXACT_FRAC) {
        /* llround's answer without the libm call (once per batch): the fraction is exact */
        int64_t whole = (int64_t)ns;
        return whole + (ns - (double)whole >= 0.5);
    }
    return ns >= (double)SIM_TIME_SAT_NS ? SIM_TIME_SAT_NS : (int64_t)llround(ns);
}

#endif
