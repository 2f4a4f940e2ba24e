/* roofline.c - per-op roofline time of a model on a target (eb_study.h). */
#include <math.h>

#include "eb_study.h"

double eb_thread_share(double units, int threads, int cores)
{
    int p = threads < cores || cores < 1 ? threads : cores;
    if (p <= 1)
        return 1;
    if (!(units > 0))
        return 1.0 / p; /* unknown: evenly */
    if (units < 1.5)
        return 1;
    double pe = units < p ? floor(units) : p;
    return ceil(units / pe) / units;
}

double eb_roofline_ms(const eb_roof_op *ops, size_t n, const eb_study_target *t)
{
    return eb_roofline_threads_ms(ops, n, t, 1);
}

double eb_roofline_threads_ms(const eb_roof_op *ops, size_t n, const eb_study_target *t,
                              int threads)
{
    double total_s = 0;
    for (size_t i = 0; i < n; i++) {
        double peak = (ops[i].int8 ? t->core_gmacs_int8 : t->core_gmacs_fp32) * 1e9;
        double bw = t->bandwidth_gbs * 1e9;
        double compute = 0, memory = 0;
        if (ops[i].macs > 0) {
            if (!(peak > 0))
                return NAN;
            compute = ops[i].macs / peak * eb_thread_share(ops[i].units, threads, t->cores);
        }
        if (ops[i].bytes > 0) {
            if (!(bw > 0))
                return NAN;
            memory = ops[i].bytes / bw;
        }
        total_s += compute > memory ? compute : memory;
    }
    return total_s * 1e3;
}
