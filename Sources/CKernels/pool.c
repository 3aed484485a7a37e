// Pooling over windows that lie wholly inside the input, compiled per instruction set as the
// GEMM's microkernels are: sixteen outputs of a row at once in the lanes of a vector, a stride-2
// window's values gathered by one shuffle of two loads (ResNet's 3x3/2 stem pool, which Swift,
// held to its baseline SIMD, reduced one output at a time).
#include "ckernels.h"

#include <string.h>

typedef float v16 __attribute__((vector_size(64), aligned(4)));
typedef int vi16 __attribute__((vector_size(64), aligned(4)));

// Macros, not functions, for what takes or gives a vector: a vector passed to or returned from
// a function compiled for another instruction set changes the ABI. MAX keeps a where b is NaN,
// as the scalar comparison does.
#define LOAD(p) ({ v16 l_; memcpy(&l_, (p), sizeof l_); l_; })
#define STORE(p, x) do { v16 y_ = (x); memcpy((p), &y_, sizeof y_); } while (0)
#define MAX(a, b) ({ v16 a_ = (a), b_ = (b); vi16 m_ = b_ > a_; (v16)((m_ & (vi16)b_) | (~m_ & (vi16)a_)); })
#define REDUCE(is_max, a, b) ((is_max) ? ((b) > (a) ? (b) : (a)) : (a) + (b))
#define REDUCE16(is_max, a, b) ((is_max) ? MAX(a, b) : (a) + (b))
// Lanes 0, 2, …, 30 and 1, 3, …, 31 of the 32 floats in lo and hi.
#define EVENS(lo, hi) __builtin_shufflevector(lo, hi, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)
#define ODDS(lo, hi) __builtin_shufflevector(lo, hi, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31)

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

#define POOL_ARGUMENTS                                                                             \
    const float *top, int ld, int sy, int rows, int kh, int kw, int sx, int count, float *out, int out_ld, int is_max, \
        float scale

// Every row, reading nothing past the last window; max and average each get their own loops,
// and strides 1 and 2 theirs.
#define POOL(top, ld, sy, rows, kh, kw, sx, count, out, out_ld, is_max, scale)                    \
    do {                                                                                            \
        const float *end_ = (top) + ((size_t)((rows) - 1) * (sy) + (kh) - 1) * (ld) + (size_t)((count) - 1) * (sx) + (kw); \
        const float *out_end_ = (out) + (size_t)((rows) - 1) * (out_ld) + (count);                 \
        for (int r_ = 0; r_ < (rows); r_++) {                                                       \
            const float *t_ = (top) + (size_t)r_ * (sy) * (ld);                                     \
            float *o_ = (out) + (size_t)r_ * (out_ld);                                              \
            if (is_max && sx == 1) {                                                                \
                pool_row(t_, ld, kh, kw, 1, count, o_, 1, scale, end_, out_end_);                             \
            } else if (is_max && sx == 2) {                                                         \
                pool_row(t_, ld, kh, kw, 2, count, o_, 1, scale, end_, out_end_);                             \
            } else if (is_max) {                                                                    \
                pool_row(t_, ld, kh, kw, sx, count, o_, 1, scale, end_, out_end_);                            \
            } else {                                                                                \
                pool_row(t_, ld, kh, kw, sx, count, o_, 0, scale, end_, out_end_);                            \
            }                                                                                       \
        }                                                                                           \
    } while (0)

static void pool_portable(POOL_ARGUMENTS) { POOL(top, ld, sy, rows, kh, kw, sx, count, out, out_ld, is_max, scale); }
#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx2,fma"))) static void pool_avx2(POOL_ARGUMENTS) {
    POOL(top, ld, sy, rows, kh, kw, sx, count, out, out_ld, is_max, scale);
}
__attribute__((target("avx512f"))) static void pool_avx512(POOL_ARGUMENTS) {
    POOL(top, ld, sy, rows, kh, kw, sx, count, out, out_ld, is_max, scale);
}
static void (*const pools[])(POOL_ARGUMENTS) = {pool_portable, pool_avx2, pool_avx512};
#else
static void (*const pools[])(POOL_ARGUMENTS) = {pool_portable};
#endif

void ckernels_pool_rows(int isa, POOL_ARGUMENTS) {
    if (rows <= 0 || count <= 0 || kh <= 0 || kw <= 0 || sx <= 0) return;
    int runs = isa >= 0 && isa < (int)(sizeof pools / sizeof pools[0]) && ckernels_isa_supported(isa);
    pools[runs ? isa : 0](top, ld, sy, rows, kh, kw, sx, count, out, out_ld, is_max, scale);
}
