// Pooling over windows that lie wholly inside the input, compiled per instruction set as the
// GEMM's microkernels are: sixteen outputs of a row at once in the lanes of a vector, a stride-2
// window's values gathered by one shuffle of two loads (ResNet's 3x3/2 stem pool, which Swift,
// held to its baseline SIMD, reduced one output at a time).
#include "ckernels.h"

#include "vector.h"

// MAX keeps a where b is NaN, as the scalar comparison does.
#define MAX(a, b) ({ v16 a_ = (a), b_ = (b); vi16 m_ = b_ > a_; (v16)((m_ & (vi16)b_) | (~m_ & (vi16)a_)); })
#define REDUCE(is_max, a, b) ((is_max) ? ((b) > (a) ? (b) : (a)) : (a) + (b))
#define REDUCE16(is_max, a, b) ((is_max) ? MAX(a, b) : (a) + (b))
// Sixteen windows of a row from `window`, sx (1 or 2) apart. At stride 2 the rows are reduced
// first, 32 floats at a time, and each pair of columns then takes one shuffle each.
#define WINDOWS16(window, ld, kh, kw, sx, is_max)                                                  \
    ({                                                                                              \
        v16 acc_;                                                                                   \
        if ((sx) == 1) {                                                                            \
            acc_ = LOAD(window);                                                                    \
            for (int y_ = 0; y_ < (kh); y_++)                                                       \
                for (int x_ = y_ == 0; x_ < (kw); x_++)                                             \
                    acc_ = REDUCE16(is_max, acc_, LOAD((window) + (size_t)y_ * (ld) + x_));         \
        } else {                                                                                    \
            for (int x_ = 0; x_ < (kw); x_ += 2) {                                                  \
                v16 lo_ = LOAD((window) + x_), hi_ = LOAD((window) + x_ + 16);                      \
                for (int y_ = 1; y_ < (kh); y_++) {                                                 \
                    const float *row_ = (window) + (size_t)y_ * (ld) + x_;                          \
                    lo_ = REDUCE16(is_max, lo_, LOAD(row_));                                        \
                    hi_ = REDUCE16(is_max, hi_, LOAD(row_ + 16));                                   \
                }                                                                                   \
                v16 even_ = EVENS(lo_, hi_);                                                        \
                acc_ = x_ == 0 ? even_ : REDUCE16(is_max, acc_, even_);                             \
                if (x_ + 1 < (kw)) acc_ = REDUCE16(is_max, acc_, ODDS(lo_, hi_));                   \
            }                                                                                       \
        }                                                                                           \
        acc_;                                                                                       \
    })

// One row of `count` outputs. At strides 1 and 2 sixteen at a time, straight from the input,
// while a group's loads (whose lanes past `count` read values that are not used) stay below
// `end`; the rest one by one. A group's lanes past `count` are stored too where they fall
// before `out_end`: on outputs that are written again later.
static inline __attribute__((always_inline)) void pool_row(const float *top, int ld, int kh, int kw, int sx, int count,
                                                           float *out, int is_max, float scale, const float *end,
                                                           const float *out_end) {
    int j = 0;
    if (sx <= 2) {
        const size_t reach = (size_t)(kh - 1) * ld + (size_t)kw - 1 + 16 * (size_t)sx;
        for (; j < count && top + (size_t)j * sx + reach <= end; j += 16) {
            v16 acc = WINDOWS16(top + (size_t)j * sx, ld, kh, kw, sx, is_max);
            if (!is_max) acc *= scale;
            if (j + 16 <= count || out + j + 16 <= out_end) {
                STORE(out + j, acc);
            } else {
                float part[16];
                STORE(part, acc);
                memcpy(out + j, part, sizeof(float) * (count - j));
            }
        }
    }
    for (; j < count; j++) {
        const float *window = top + (size_t)j * sx;
        float acc = window[0];
        for (int y = 0; y < kh; y++)
            for (int x = y == 0; x < kw; x++) acc = REDUCE(is_max, acc, window[(size_t)y * ld + x]);
        out[j] = is_max ? acc : acc * scale;
    }
}

// Every row, reading nothing past the last window; max and average each get their own loops,
// and strides 1 and 2 theirs.
CK_PER_ISA(pool, (const float *top, int ld, int sy, int rows, int kh, int kw, int sx, int count, float *out, int out_ld,
                  int is_max, float scale), {
    const float *end = top + ((size_t)(rows - 1) * sy + kh - 1) * ld + (size_t)(count - 1) * sx + kw;
    const float *out_end = out + (size_t)(rows - 1) * out_ld + count;
    for (int r = 0; r < rows; r++) {
        const float *t = top + (size_t)r * sy * ld;
        float *o = out + (size_t)r * out_ld;
        if (is_max && sx == 1) {
            pool_row(t, ld, kh, kw, 1, count, o, 1, scale, end, out_end);
        } else if (is_max && sx == 2) {
            pool_row(t, ld, kh, kw, 2, count, o, 1, scale, end, out_end);
        } else if (is_max) {
            pool_row(t, ld, kh, kw, sx, count, o, 1, scale, end, out_end);
        } else {
            pool_row(t, ld, kh, kw, sx, count, o, 0, scale, end, out_end);
        }
    }
})

void ckernels_pool_rows(int isa, const float *top, int ld, int sy, int rows, int kh, int kw, int sx, int count,
                        float *out, int out_ld, int is_max, float scale) {
    if (rows <= 0 || count <= 0 || kh <= 0 || kw <= 0 || sx <= 0) return;
    pool_for(isa)(top, ld, sy, rows, kh, kw, sx, count, out, out_ld, is_max, scale);
}
