/* mobilenet_v2.c - MobileNetV2 (Sandler et al. 2018), alpha 1.0, 224x224x3, 1000
 * classes: inverted residual blocks (1x1 expand, 3x3 depthwise, linear 1x1 project,
 * residual add when shapes allow), a 1x1 conv to 1280, global pool, classifier. */
#include <stdio.h>

#include "eb_zoo.h"

eb_status eb_zoo_mobilenet_v2(eb_gbuild *b)
{
    static const struct {
        int32_t t, c, n, s;
    } cfg[7] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    char name[32];
    int32_t x = eb_gb_input(b, 224, 224, 3);
    x = eb_gb_conv(b, "conv_0", x, 32, 3, 3, 2, EB_PAD_SAME, EB_ACT_RELU6);
    int32_t in_c = 32, blk = 0;
    for (int i = 0; i < 7; i++) {
        for (int j = 0; j < cfg[i].n; j++, blk++) {
            int32_t stride = j == 0 ? cfg[i].s : 1;
            int32_t y = x;
            if (cfg[i].t != 1) {
                snprintf(name, sizeof name, "expand_%d", blk);
                y = eb_gb_conv(b, name, y, in_c * cfg[i].t, 1, 1, 1, EB_PAD_SAME, EB_ACT_RELU6);
            }
            snprintf(name, sizeof name, "dw_%d", blk);
            y = eb_gb_dwconv(b, name, y, 3, stride, EB_PAD_SAME, EB_ACT_RELU6);
            snprintf(name, sizeof name, "project_%d", blk);
            y = eb_gb_conv(b, name, y, cfg[i].c, 1, 1, 1, EB_PAD_SAME, EB_ACT_NONE);
            if (stride == 1 && in_c == cfg[i].c) {
                snprintf(name, sizeof name, "add_%d", blk);
                y = eb_gb_add(b, name, x, y, EB_ACT_NONE);
            }
            x = y;
            in_c = cfg[i].c;
        }
    }
    x = eb_gb_conv(b, "conv_last", x, 1280, 1, 1, 1, EB_PAD_SAME, EB_ACT_RELU6);
    x = eb_gb_gap(b, "gap", x);
    x = eb_gb_fc(b, "fc", x, 1000, EB_ACT_NONE, false, 3.0);
    x = eb_gb_softmax(b, "softmax", x);
    eb_gb_output(b, x);
    return b->st;
}
