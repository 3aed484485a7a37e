// Direct convolution as an indirect GEMM (XNNPACK's indirection, in the form of a table of
// offsets): a tile of 6 output positions by 16 filters stays in registers over all C/g · taps
// products of its dot products, each a broadcast input value times a vector of 16 filters'
// weights, and is stored once, through the epilogue. The shifted GEMMs instead stored and
// reloaded the output block once per tap, which on AlexNet's layers (64 to 384 channels a
// tap) cost as much as the products. Compiled per instruction set as the GEMM's microkernels are.
#include "ckernels.h"

#include "vector.h"

enum { TILE = 6, LANES = 16 };

CK_PER_ISA(direct_rows, (int k, const int *offsets, const float *input, int first, int count, const float *weights,
                         int filters, float *out, int out_ld, int wide, int out_w, int accumulate,
                         const ckernels_epilogue *ep), {
    for (int t = 0; t < count; t += TILE) {
        const float *at = input + first + t;
        v16 c0 = {0}, c1 = {0}, c2 = {0}, c3 = {0}, c4 = {0}, c5 = {0};
        for (int p = 0; p < k; p++) {
            const float *a = at + offsets[p];
            const v16 w = LOAD(weights + (size_t)p * LANES);
            c0 += a[0] * w;
            c1 += a[1] * w;
            c2 += a[2] * w;
            c3 += a[3] * w;
            c4 += a[4] * w;
            c5 += a[5] * w;
        }
        float tile[TILE][LANES];
        STORE(tile[0], c0);
        STORE(tile[1], c1);
        STORE(tile[2], c2);
        STORE(tile[3], c3);
        STORE(tile[4], c4);
        STORE(tile[5], c5);
        const int positions = count - t < TILE ? count - t : TILE;
        for (int j = 0; j < positions; j++) {
            const int position = first + t + j, x = position % wide;
            if (x >= out_w) continue;
            const int o = position / wide * out_w + x;
            for (int f = 0; f < filters; f++) {
                float v = tile[j][f] + (accumulate ? out[(size_t)f * out_ld + o] : 0);
                if (ep) {
                    v = v * (ep->scale ? ep->scale[f] : 1) + (ep->shift ? ep->shift[f] : 0);
                    if (ep->addend) v += ep->addend[(size_t)f * ep->addend_ld + o];
                    v = ep->low > v ? ep->low : v;
                    v = ep->high < v ? ep->high : v;
                }
                out[(size_t)f * out_ld + o] = v;
            }
        }
    }
})

void ckernels_direct_convolution(int isa, int k, const int *offsets, const float *input, int first, int count,
                                 const float *weights, int filters, float *out, int out_ld, int wide, int out_w,
                                 int accumulate, const ckernels_epilogue *epilogue) {
    direct_rows_for(isa)(k, offsets, input, first, count, weights, filters, out, out_ld, wide, out_w, accumulate, epilogue);
}
