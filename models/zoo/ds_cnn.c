/* ds_cnn.c - MLPerf Tiny keyword spotting, DS-CNN (small): 49x10 MFCC features, a 10x4
 * stride-2 conv to 64 channels, four depthwise-separable blocks, average pool over the
 * whole 25x5 map, 12 classes. */
#include <stdio.h>

#include "eb_zoo.h"

eb_status eb_zoo_ds_cnn(eb_gbuild *b)
{
    char name[32];
    int32_t x = eb_gb_input(b, 49, 10, 1);
    x = eb_gb_conv(b, "conv_0", x, 64, 10, 4, 2, EB_PAD_SAME, EB_ACT_RELU);
    for (int i = 1; i <= 4; i++) {
        snprintf(name, sizeof name, "dw_%d", i);
        x = eb_gb_dwconv(b, name, x, 3, 1, EB_PAD_SAME, EB_ACT_RELU);
        snprintf(name, sizeof name, "pw_%d", i);
        x = eb_gb_conv(b, name, x, 64, 1, 1, 1, EB_PAD_SAME, EB_ACT_RELU);
    }
    if (b->st == EB_OK)
        x = eb_gb_avgpool(b, "avgpool", x, b->g->t[x].h, b->g->t[x].w, 1, EB_PAD_VALID);
    x = eb_gb_fc(b, "fc", x, 12, EB_ACT_NONE, false, 2.0);
    x = eb_gb_softmax(b, "softmax", x);
    eb_gb_output(b, x);
    return b->st;
}
