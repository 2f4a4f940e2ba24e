/* resnet8.c - MLPerf Tiny image classification, ResNet-8 on CIFAR-10 (32x32x3): a 3x3
 * conv to 16 channels, three residual stacks (16, 32, 64 channels; the last two start
 * with stride 2 and a 1x1 projection shortcut), average pool, 10 classes. */
#include <stdio.h>

#include "eb_zoo.h"

eb_status eb_zoo_resnet8(eb_gbuild *b)
{
    static const int32_t filters[3] = {16, 32, 64};
    char name[32];
    int32_t x = eb_gb_input(b, 32, 32, 3);
    x = eb_gb_conv(b, "conv_0", x, 16, 3, 3, 1, EB_PAD_SAME, EB_ACT_RELU);
    for (int s = 0; s < 3; s++) {
        int32_t stride = s == 0 ? 1 : 2;
        snprintf(name, sizeof name, "conv_%d_a", s + 1);
        int32_t y = eb_gb_conv(b, name, x, filters[s], 3, 3, stride, EB_PAD_SAME, EB_ACT_RELU);
        snprintf(name, sizeof name, "conv_%d_b", s + 1);
        y = eb_gb_conv(b, name, y, filters[s], 3, 3, 1, EB_PAD_SAME, EB_ACT_NONE);
        if (s > 0) {
            snprintf(name, sizeof name, "shortcut_%d", s + 1);
            x = eb_gb_conv_nobn(b, name, x, filters[s], 1, stride, EB_PAD_SAME, EB_ACT_NONE);
        }
        snprintf(name, sizeof name, "add_%d", s + 1);
        x = eb_gb_add(b, name, x, y, EB_ACT_RELU);
    }
    if (b->st == EB_OK)
        x = eb_gb_avgpool(b, "avgpool", x, b->g->t[x].h, b->g->t[x].w, 1, EB_PAD_VALID);
    x = eb_gb_fc(b, "fc", x, 10, EB_ACT_NONE, false, 2.0);
    x = eb_gb_softmax(b, "softmax", x);
    eb_gb_output(b, x);
    return b->st;
}
