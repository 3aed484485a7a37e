#ifndef CKERNELS_H
#define CKERNELS_H

#include <stddef.h>

/// Instruction sets, by number: 0 portable C, 1 AVX2 with FMA, 2 AVX-512. Whether this CPU runs
/// `isa`, the best one it runs, and a name for each ("portable", "avx2", "avx512").
int ckernels_isa_supported(int isa);
int ckernels_best_isa(void);
const char *ckernels_isa_name(int isa);

/// The rows and columns of C that `isa`'s microkernel computes at once (1 and 1 for an `isa`
/// that does not run here).
void ckernels_tile(int isa, int *rows, int *columns);

/// What the product's rows go through as they are stored: element (i, j) becomes
/// min(max(x·scale[i] + shift[i] + addend[i · addend_ld + j], low), high), a NULL scale
/// counting as 1 and a NULL shift or addend as 0 (a convolution's bias, its BN at inference, the
/// residual it is added to and a ReLU).
typedef struct {
    const float *scale, *shift;
    float low, high;
    const float *addend;
    int addend_ld;
} ckernels_epilogue;

/// C = A·B (+ C when accumulate), single-threaded, row-major: A is M×K (stored K×M when
/// trans_a), B is K×N (stored N×K when trans_b), rows lda, ldb and ldc floats apart. Packs
/// cache-sized panels and runs the register-blocked microkernel of `isa`. `packed_a`, when not
/// NULL, is A as `ckernels_pack_a` left it, and A is then read from it alone (but for the few
/// rows that `ckernels_packed_floats` does not pack). `epilogue`, when not NULL, is applied to
/// C's rows as the last panel of K is stored. Returns 0, or -1 when `isa` does not run
/// here or, A not being prepacked, the packing buffers could not be allocated (C is then
/// unchanged); with A prepacked and no buffer for B, it multiplies without one.
int ckernels_sgemm(int isa, int m, int n, int k, const float *a, int lda, int trans_a, const float *packed_a,
                   const float *b, int ldb, int trans_b, float *c, int ldc, int accumulate,
                   const ckernels_epilogue *epilogue);

/// `count` values of one channel through an epilogue: target[j] = min(max(source[j] · scale +
/// shift + addend[j], low), high), a NULL addend counting as 0 (`target` may be `source`).
void ckernels_epilogue_row(int isa, const float *source, float *target, int count, float scale, float shift, float low,
                           float high, const float *addend);

/// Direct convolution of 16 filters (`filters` of them real) over output positions [first,
/// first + count) of a layout `wide` positions a row: position q's dot product sums
/// input[q + offsets[p]] · weights[p · 16 + f] over p < k (5 floats past the last position's
/// reads must be readable). Position q = y · wide + x is stored (added to what is there when
/// `accumulate`), through `epilogue` (its vectors from the first of these filters; its addend,
/// out_ld apart, at the output's index), to out[f · out_ld + y · out_w + x] where x < out_w,
/// and dropped elsewhere.
void ckernels_direct_convolution(int isa, int k, const int *offsets, const float *input, int first, int count,
                                 const float *weights, int filters, float *out, int out_ld, int wide, int out_w,
                                 int accumulate, const ckernels_epilogue *epilogue);

/// Floats of A packed once for `isa`, a constant operand such as a layer's weights, so that
/// each product skips packing it; 0 when A is read as stored (M of 4 or fewer rows).
size_t ckernels_packed_floats(int isa, int m, int k);

/// Writes A (as `ckernels_sgemm` takes it) into `packed`, `ckernels_packed_floats` long.
void ckernels_pack_a(int isa, int m, int k, const float *a, int lda, int trans_a, float *packed);

/// Winograd F(m x m, 3x3)'s input transform (`tile` m is 2 or 4), V = Bᵀ d B, of tiles
/// [first, first + count) of a channel: tile t's (m+2)² inputs start at row m·(t / tiles_w) and
/// column m·(t % tiles_w) of `plane`, a zero-bordered copy of the channel with rows
/// `padded_width` floats apart and at least 48 floats readable past the last tile of each row;
/// element e of tile t goes to v[e · stride + t − first].
void ckernels_winograd_input(int isa, int tile, const float *plane, int padded_width, int tiles_w, int first, int count,
                             float *v, size_t stride);

/// Its output transform, Y = Aᵀ M A from m[e · stride + t − first], each value then
/// min(max(y · scale + shift, low), high), into the m x m block of tile t in `out`
/// (out_h × out_w; what falls outside it is dropped).
void ckernels_winograd_output(int isa, int tile, const float *m, size_t stride, int tiles_w, int first, int count,
                              float *out, int out_h, int out_w, float scale, float shift, float low, float high);

/// Pooling for `count` outputs in each of `rows` rows whose windows lie wholly inside the
/// input: output j of row r, at out[r · out_ld + j], is the largest (`is_max`) or the sum times
/// `scale` of the kh x kw values whose top left is top[(r · sy) · ld + j · sx], rows of the input
/// `ld` floats apart.
void ckernels_pool_rows(int isa, const float *top, int ld, int sy, int rows, int kh, int kw, int sx, int count,
                        float *out, int out_ld, int is_max, float scale);

/// im2col for output positions [first, first + count) of a convolution over `channels` planes
/// of height x width: row (ky · kw + kx) · channels + c of `columns`, `count` floats long, holds
/// tap (ky, kx) of channel c for each position (out_w positions a row), zero where the window
/// hangs over the padding. Strides sh, sw, paddings ph, pw and dilations dh, dw.
void ckernels_im2col(int isa, const float *source, int channels, int height, int width, int kh, int kw, int sh, int sw,
                     int ph, int pw, int dh, int dw, int out_w, int first, int count, float *columns);

#endif
