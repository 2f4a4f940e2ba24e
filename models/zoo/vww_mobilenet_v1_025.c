/* vww_mobilenet_v1_025.c - MLPerf Tiny visual wake words: MobileNetV1 with alpha 0.25 on
 * 96x96x3 images, 2 classes (person / no person). */
#include "eb_zoo.h"

eb_status eb_zoo_vww_mobilenet_v1_025(eb_gbuild *b)
{
    return eb_zoo_mobilenet_v1_generic(b, 96, 0.25, 2);
}
