/* eb_zoo.h - building zoo graphs: one builder per architecture (models/zoo/) on top of
 * small layer helpers that draw synthetic weights.
 *
 * Weights: He-normal (std sqrt(2 / fan_in)) from eb_rng, then a synthetic BatchNorm
 * (gamma, beta, mean, variance drawn near 1, 0, 0, 1) folded into the weights and the
 * bias, as a deployed network stores them. Every helper returns the new output tensor,
 * or -1 once anything failed (the failure is sticky: later helpers do nothing). */
#ifndef EB_ZOO_H
#define EB_ZOO_H

#include "eb_graph.h"
#include "eb_rng.h"

typedef struct {
    eb_graph *g;
    eb_rng rng;
    eb_status st;
} eb_gbuild;

void eb_gb_init(eb_gbuild *b, eb_graph *g, uint64_t seed);
int32_t eb_gb_input(eb_gbuild *b, int32_t h, int32_t w, int32_t c);
/* Conv followed by BatchNorm (folded) and act. */
int32_t eb_gb_conv(eb_gbuild *b, const char *name, int32_t in, int32_t out_c, int32_t k_h,
                   int32_t k_w, int32_t stride, eb_padding pad, eb_act act);
/* Conv with a plain bias and no BatchNorm (e.g. a projection shortcut). */
int32_t eb_gb_conv_nobn(eb_gbuild *b, const char *name, int32_t in, int32_t out_c,
                        int32_t k, int32_t stride, eb_padding pad, eb_act act);
int32_t eb_gb_dwconv(eb_gbuild *b, const char *name, int32_t in, int32_t k, int32_t stride,
                     eb_padding pad, eb_act act);
/* Fully connected; bn=true folds a BatchNorm in, else a small plain bias. gain scales
 * the He-normal std (a classifier uses more so its softmax is confident, like a
 * trained one). */
int32_t eb_gb_fc(eb_gbuild *b, const char *name, int32_t in, int32_t out, eb_act act,
                 bool bn, double gain);
int32_t eb_gb_avgpool(eb_gbuild *b, const char *name, int32_t in, int32_t k_h, int32_t k_w,
                      int32_t stride, eb_padding pad);
int32_t eb_gb_gap(eb_gbuild *b, const char *name, int32_t in);
int32_t eb_gb_add(eb_gbuild *b, const char *name, int32_t x, int32_t y, eb_act act);
int32_t eb_gb_softmax(eb_gbuild *b, const char *name, int32_t in);
void eb_gb_output(eb_gbuild *b, int32_t t);

/* Architecture builders (models/zoo/). */
eb_status eb_zoo_mobilenet_v1(eb_gbuild *b);
eb_status eb_zoo_mobilenet_v2(eb_gbuild *b);
eb_status eb_zoo_ds_cnn(eb_gbuild *b);
eb_status eb_zoo_vww_mobilenet_v1_025(eb_gbuild *b);
eb_status eb_zoo_resnet8(eb_gbuild *b);
eb_status eb_zoo_fc_autoencoder(eb_gbuild *b);

/* MobileNetV1 body shared by mobilenet_v1 and the visual-wake-words model. */
eb_status eb_zoo_mobilenet_v1_generic(eb_gbuild *b, int32_t res, double alpha,
                                      int32_t classes);

#endif
