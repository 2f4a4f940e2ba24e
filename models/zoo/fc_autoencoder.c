/* fc_autoencoder.c - MLPerf Tiny anomaly detection: a fully-connected autoencoder on
 * 640 log-mel features (5 frames x 128 bins): 640 -> 128 x4 -> 8 -> 128 x4 -> 640, every
 * hidden layer with BatchNorm and ReLU, a linear output (the reconstruction). */
#include <stdio.h>

#include "eb_zoo.h"

eb_status eb_zoo_fc_autoencoder(eb_gbuild *b)
{
    static const int32_t widths[9] = {128, 128, 128, 128, 8, 128, 128, 128, 128};
    char name[32];
    int32_t x = eb_gb_input(b, 1, 1, 640);
    for (int i = 0; i < 9; i++) {
        snprintf(name, sizeof name, "fc_%d", i + 1);
        x = eb_gb_fc(b, name, x, widths[i], EB_ACT_RELU, true, 1.0);
    }
    x = eb_gb_fc(b, "fc_out", x, 640, EB_ACT_NONE, false, 1.0);
    eb_gb_output(b, x);
    return b->st;
}
