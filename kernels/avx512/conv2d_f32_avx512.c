/* conv2d_f32_avx512.c - fp32 convolution as a GEMM on AVX-512F (gemm_f32_avx512.c):
 * output pixels are rows, out channels columns, K = k_h * k_w * in_c. A 1x1 stride-1
 * unpadded conv reads the NHWC input in place; any other shape copies blocks of rows
 * into scratch (im2col, zeros for padding). */
#include <assert.h>
#include <string.h>

#include "avx512_util.h"
#include "eb_avx512.h"

/* Rows per im2col block: about 128 KiB of scratch, a multiple of the 6-row tile. */
static int32_t im2col_rows(int32_t k)
{
    int32_t r = (int32_t)((128 * 1024) / ((size_t)k * sizeof(float)));
    r = r / 6 * 6;
    return r < 6 ? 6 : (r > 240 ? 240 : r);
}

static int is_pointwise(const eb_conv_params *p)
{
    return p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 && p->stride_w == 1 &&
           p->pad_top == 0 && p->pad_left == 0 && p->pad_bottom == 0 && p->pad_right == 0;
}

size_t eb_conv2d_f32_avx512_scratch_size(const eb_conv_params *p)
{
    if (is_pointwise(p))
        return 0;
    const int32_t k = p->k_h * p->k_w * p->in_c;
    return (size_t)im2col_rows(k) * (size_t)k * sizeof(float);
}

size_t eb_conv2d_f32_avx512_pack_size(const eb_conv_params *p)
{
    return eb_gemm_f32_avx512_pack_size(p->k_h * p->k_w * p->in_c, p->out_c);
}

void eb_conv2d_f32_avx512_pack(const eb_conv_params *p, const float *w, void *packed)
{
    eb_gemm_f32_avx512_pack(p->k_h * p->k_w * p->in_c, p->out_c, w, (float *)packed);
}

/* Row (n, oy, ox) of the im2col matrix: the k_h x k_w x in_c window of that output
 * pixel. A window row whose taps are all inside the image is one contiguous run of
 * k_w * in_c floats in NHWC. */
static void im2col_row(const eb_conv_params *p, const float *x, int32_t n, int32_t oy,
                       int32_t ox, float *dst)
{
    const int32_t iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
    const int32_t c = p->in_c, run = p->k_w * c;
    const int row_inside = ix0 >= 0 && ix0 + p->k_w <= p->in_w;
    if (run <= 16 && row_inside && iy0 >= 0 && iy0 + p->k_h <= p->in_h) {
        /* short window rows inside the image (a first layer's few channels): one masked
         * move each, not a memcpy call */
        const __mmask16 m = eb_avx512_mask16(run);
        const size_t rs = (size_t)p->in_w * (size_t)c;
        const float *src = x + (((size_t)n * p->in_h + (size_t)iy0) * p->in_w + (size_t)ix0) * c;
        for (int32_t ky = 0; ky < p->k_h; ky++, dst += run, src += rs)
            _mm512_mask_storeu_ps(dst, m, _mm512_maskz_loadu_ps(m, src));
        return;
    }
    for (int32_t ky = 0; ky < p->k_h; ky++, dst += run) {
        const int32_t iy = iy0 + ky;
        if (iy < 0 || iy >= p->in_h) {
            memset(dst, 0, (size_t)run * sizeof(float));
            continue;
        }
        const float *row = x + (((size_t)n * p->in_h + iy) * p->in_w) * c;
        if (row_inside) {
            memcpy(dst, row + (size_t)ix0 * c, (size_t)run * sizeof(float));
            continue;
        }
        for (int32_t kx = 0; kx < p->k_w; kx++) {
            const int32_t ix = ix0 + kx;
            if (ix < 0 || ix >= p->in_w)
                memset(dst + kx * c, 0, (size_t)c * sizeof(float));
            else
                memcpy(dst + kx * c, row + (size_t)ix * c, (size_t)c * sizeof(float));
        }
    }
}

void eb_conv2d_f32_avx512(const eb_conv_params *p, const float *x, const float *w,
                          const float *bias, const void *packed, float *y, void *scratch)
{
    (void)w;
    assert(p && x && packed && y);
    const eb_conv_params pc = *p; /* local: stores to y could alias *p for the compiler */
    const int32_t m = pc.batch * pc.out_h * pc.out_w;
    const int32_t k = pc.k_h * pc.k_w * pc.in_c;
    if (is_pointwise(&pc)) {
        /* blocks of rows whose slice of x fits L2 with a weight panel */
        int32_t mc = (int32_t)((512 * 1024) / ((size_t)k * sizeof(float)));
        mc = mc < 6 ? 6 : mc / 6 * 6;
        for (int32_t m0 = 0; m0 < m; m0 += mc) {
            const int32_t rows = m - m0 < mc ? m - m0 : mc;
            eb_gemm_f32_avx512(rows, pc.out_c, k, x + (size_t)m0 * k, (size_t)k,
                               (const float *)packed, bias, pc.act, y + (size_t)m0 * pc.out_c,
                               (size_t)pc.out_c);
        }
        return;
    }
    assert(scratch);
    float *a = (float *)scratch;
    const int32_t mc = im2col_rows(k);
    int32_t n = 0, oy = 0, ox = 0; /* output pixel of row m0 + r, stepped */
    for (int32_t m0 = 0; m0 < m; m0 += mc) {
        const int32_t rows = m - m0 < mc ? m - m0 : mc;
        for (int32_t r = 0; r < rows; r++) {
            im2col_row(&pc, x, n, oy, ox, a + (size_t)r * k);
            if (++ox == pc.out_w) {
                ox = 0;
                if (++oy == pc.out_h) {
                    oy = 0;
                    n++;
                }
            }
        }
        eb_gemm_f32_avx512(rows, pc.out_c, k, a, (size_t)k, (const float *)packed, bias,
                           pc.act, y + (size_t)m0 * pc.out_c, (size_t)pc.out_c);
    }
}
