/* neon_kernels.h - the NEON kernels (internal to kernels/neon; everyone else reaches
 * them through the dispatch table, eb_kernels_fill_neon). Same signatures as ref.
 * conv2d and fc want packed weights (pack_size/pack); conv2d also wants scratch for
 * 4 gathered rows unless it is pointwise. The *_neondot kernels use SDOT and exist
 * only in aarch64 builds (EB_HAVE_NEON_DOT). */
#ifndef EB_NEON_KERNELS_H
#define EB_NEON_KERNELS_H

#include "eb_kernels.h"
#include "eb_sparse.h"

size_t eb_conv2d_f32_neon_scratch_size(const eb_conv_params *p);
size_t eb_conv2d_f32_neon_pack_size(const eb_conv_params *p);
void eb_conv2d_f32_neon_pack(const eb_conv_params *p, const float *w, void *packed);
void eb_conv2d_f32_neon(const eb_conv_params *p, const float *x, const float *w,
                        const float *bias, const void *packed, float *y, void *scratch);

size_t eb_conv2d_s8_neon_scratch_size(const eb_conv_params *p); /* also for neondot */
size_t eb_conv2d_s8_neon_pack_size(const eb_conv_params *p);
void eb_conv2d_s8_neon_pack(const eb_conv_params *p, const eb_requant *q, const int8_t *w,
                            const int32_t *bias, void *packed);
void eb_conv2d_s8_neon(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                       const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                       void *scratch);

void eb_dwconv_f32_neon(const eb_conv_params *p, const float *x, const float *w,
                        const float *bias, const void *packed, float *y, void *scratch);
void eb_dwconv_s8_neon(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                       const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                       void *scratch);

size_t eb_fc_f32_neon_pack_size(const eb_fc_params *p);
void eb_fc_f32_neon_pack(const eb_fc_params *p, const float *w, void *packed);
void eb_fc_f32_neon(const eb_fc_params *p, const float *x, const float *w, const float *bias,
                    const void *packed, float *y, void *scratch);
size_t eb_fc_s8_neon_pack_size(const eb_fc_params *p);
void eb_fc_s8_neon_pack(const eb_fc_params *p, const eb_requant *q, const int8_t *w,
                        const int32_t *bias, void *packed);
void eb_fc_s8_neon(const eb_fc_params *p, const eb_requant *q, const int8_t *x,
                   const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                   void *scratch);

void eb_spfc_f32_neon(const eb_fc_params *p, const eb_csr *w, const float *values,
                      const float *x, const float *bias, float *y);
void eb_spfc_s8_neon(const eb_fc_params *p, const eb_requant *q, const eb_csr *w,
                     const int8_t *values, const int8_t *x, const int32_t *bias, int8_t *y);

void eb_avgpool_f32_neon(const eb_pool_params *p, const float *x, float *y);
void eb_avgpool_s8_neon(const eb_pool_params *p, const int8_t *x, int8_t *y);
void eb_maxpool_f32_neon(const eb_pool_params *p, const float *x, float *y);
void eb_maxpool_s8_neon(const eb_pool_params *p, const int8_t *x, int8_t *y);
void eb_gap_f32_neon(const eb_gap_params *p, const float *x, float *y);
void eb_gap_s8_neon(const eb_gap_params *p, const int8_t *x, int8_t *y);
void eb_add_f32_neon(const eb_add_params *p, const float *a, const float *b, float *y);
void eb_add_s8_neon(const eb_add_params *p, const int8_t *a, const int8_t *b, int8_t *y);
void eb_softmax_f32_neon(const eb_softmax_params *p, const float *x, float *y);
void eb_softmax_s8_neon(const eb_softmax_params *p, const int8_t *x, int8_t *y);

#if defined(EB_HAVE_NEON_DOT)
size_t eb_conv2d_s8_neondot_scratch_size(const eb_conv_params *p);
size_t eb_conv2d_s8_neondot_pack_size(const eb_conv_params *p);
void eb_conv2d_s8_neondot_pack(const eb_conv_params *p, const eb_requant *q,
                               const int8_t *w, const int32_t *bias, void *packed);
void eb_conv2d_s8_neondot(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                          const int8_t *w, const int32_t *bias, const void *packed,
                          int8_t *y, void *scratch);
size_t eb_fc_s8_neondot_pack_size(const eb_fc_params *p);
void eb_fc_s8_neondot_pack(const eb_fc_params *p, const eb_requant *q, const int8_t *w,
                           const int32_t *bias, void *packed);
void eb_fc_s8_neondot(const eb_fc_params *p, const eb_requant *q, const int8_t *x,
                      const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                      void *scratch);
#endif

#endif
