/* mobilenet_v1.c - MobileNetV1 (Howard et al. 2017), alpha 1.0, 224x224x3, 1000 classes:
 * a 3x3 stride-2 conv, 13 depthwise-separable blocks, global average pool, classifier. */
#include <stdio.h>

#include "eb_zoo.h"

eb_status eb_zoo_mobilenet_v1_generic(eb_gbuild *b, int32_t res, double alpha,
                                      int32_t classes)
{
    static const struct {
        int32_t c, stride;
    } blocks[13] = {{64, 1},  {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2},  {512, 1},
                    {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
    char name[32];
    int32_t x = eb_gb_input(b, res, res, 3);
    x = eb_gb_conv(b, "conv_0", x, (int32_t)(32 * alpha), 3, 3, 2, EB_PAD_SAME, EB_ACT_RELU6);
    for (int i = 0; i < 13; i++) {
        snprintf(name, sizeof name, "dw_%d", i + 1);
        x = eb_gb_dwconv(b, name, x, 3, blocks[i].stride, EB_PAD_SAME, EB_ACT_RELU6);
        snprintf(name, sizeof name, "pw_%d", i + 1);
        x = eb_gb_conv(b, name, x, (int32_t)(blocks[i].c * alpha), 1, 1, 1, EB_PAD_SAME,
                       EB_ACT_RELU6);
    }
    x = eb_gb_gap(b, "gap", x);
    x = eb_gb_fc(b, "fc", x, classes, EB_ACT_NONE, false, 3.0);
    x = eb_gb_softmax(b, "softmax", x);
    eb_gb_output(b, x);
    return b->st;
}

eb_status eb_zoo_mobilenet_v1(eb_gbuild *b)
{
    return eb_zoo_mobilenet_v1_generic(b, 224, 1.0, 1000);
}
