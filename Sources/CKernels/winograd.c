// The transforms of Winograd's F(2x2, 3x3) and F(4x4, 3x3) over a range of tiles, eight tiles of a tile row at
// a time in the lanes of one vector (clang's vector extensions), compiled per instruction set
// as the GEMM's microkernels are: the same code runs on 256-bit registers under AVX2 or
// AVX-512 and on pairs of 128-bit ones elsewhere, which Swift's own SIMD types are held to.
#include "ckernels.h"

#include "vector.h"

typedef float v8 __attribute__((vector_size(32), aligned(4)));

#define SPLAT(x) ((v8){(x), (x), (x), (x), (x), (x), (x), (x)})

// Bᵀ times six values (or six values times B): Lavin & Gray's points 0, ±1, ±2 and ∞.
#define BT(d0, d1, d2, d3, d4, d5, out)                                                            \
    do {                                                                                            \
        out[0] = 4 * (d0) - 5 * (d2) + (d4);                                                        \
        out[1] = (d4) + (d3) - 4 * ((d1) + (d2));                                                   \
        out[2] = (d4) - (d3) + 4 * ((d1) - (d2));                                                   \
        out[3] = (d4) - (d2) + 2 * ((d3) - (d1));                                                   \
        out[4] = (d4) - (d2) - 2 * ((d3) - (d1));                                                   \
        out[5] = 4 * (d1) - 5 * (d3) + (d5);                                                        \
    } while (0)

// Aᵀ times six values (or six values times A): four.
#define AT(m0, m1, m2, m3, m4, m5, out)                                                            \
    do {                                                                                            \
        v8 sum12 = (m1) + (m2), difference12 = (m1) - (m2);                                         \
        v8 sum34 = (m3) + (m4), difference34 = (m3) - (m4);                                         \
        out[0] = (m0) + sum12 + sum34;                                                              \
        out[1] = difference12 + 2 * difference34;                                                   \
        out[2] = sum12 + 4 * sum34;                                                                 \
        out[3] = difference12 + 8 * difference34 + (m5);                                            \
    } while (0)

// Macros, not functions: a vector passed to or returned from a function compiled for another
// instruction set changes the ABI.
#define LOAD8(p) ({ v8 x_; memcpy(&x_, (p), sizeof x_); x_; })
#define LOAD16(p) ({ v16 x_; memcpy(&x_, (p), sizeof x_); x_; })
// Lanes [0, lanes) of x to p.
#define STORE8(p, x, lanes)                                                                        \
    do {                                                                                            \
        v8 y_ = (x);                                                                                \
        if ((lanes) == 8) {                                                                         \
            memcpy((p), &y_, sizeof y_);                                                            \
        } else {                                                                                    \
            for (int lane_ = 0; lane_ < (lanes); lane_++) (p)[lane_] = y_[lane_];                   \
        }                                                                                           \
    } while (0)

// Lanes [0, lanes) from p, zeros in the others.
#define LOAD8_LANES(p, lanes)                                                                      \
    ({                                                                                              \
        v8 x_ = SPLAT(0.0f);                                                                        \
        if ((lanes) == 8) {                                                                         \
            x_ = LOAD8(p);                                                                          \
        } else {                                                                                    \
            for (int lane_ = 0; lane_ < (lanes); lane_++) x_[lane_] = (p)[lane_];                   \
        }                                                                                           \
        x_;                                                                                         \
    })

// An output through the epilogue: y · scale + shift, clamped to [low, high] (s, t, lo and hi
// splatted by the output transform).
#define FINISH(y) __builtin_elementwise_min(__builtin_elementwise_max((y) * s + t, lo), hi)

// The next group of up to eight tiles from `tile`, within one tile row: its row and first
// column, and how many; false past the range.
#define GROUP(tile, ty, tx, lanes)                                                                 \
    ((tile) < first + count &&                                                                      \
     ((ty) = (tile) / tiles_w, (tx) = (tile) % tiles_w, (lanes) = first + count - (tile),           \
      (lanes) = (lanes) > 8 ? 8 : (lanes), (lanes) = (lanes) > tiles_w - (tx) ? tiles_w - (tx) : (lanes), 1))

// The bodies of F(4x4)'s transforms. The input transform: for each group of up to eight tiles in one tile row, the
// 6x6 inputs from rows 4·ty.. and columns 4·tx.. of the zero-bordered plane, V = Bᵀ d B, element
// e of tile t to v[e · stride + t − first].
#define INPUT4_BODY                                                                                 \
    for (int tile = first, ty, tx, lanes; GROUP(tile, ty, tx, lanes); tile += lanes) {               \
        v8 rows[6][6];                                                                              \
        for (int r = 0; r < 6; r++) {                                                               \
            /* Column j of tile lane is base[4·lane + j]: the four phases of 32 values, and the */  \
            /* first two of the next tile's. */                                                     \
            const float *base = plane + (size_t)(4 * ty + r) * padded_width + 4 * tx;               \
            v16 a = LOAD16(base), b = LOAD16(base + 16), c = LOAD16(base + 32);                     \
            v8 d0 = __builtin_shufflevector(a, b, 0, 4, 8, 12, 16, 20, 24, 28);                     \
            v8 d1 = __builtin_shufflevector(a, b, 1, 5, 9, 13, 17, 21, 25, 29);                     \
            v8 d2 = __builtin_shufflevector(a, b, 2, 6, 10, 14, 18, 22, 26, 30);                    \
            v8 d3 = __builtin_shufflevector(a, b, 3, 7, 11, 15, 19, 23, 27, 31);                    \
            v8 d4 = __builtin_shufflevector(a, b, 4, 8, 12, 16, 20, 24, 28, 28);                    \
            v8 d5 = __builtin_shufflevector(a, b, 5, 9, 13, 17, 21, 25, 29, 29);                    \
            d4[7] = c[0];                                                                           \
            d5[7] = c[1];                                                                           \
            BT(d0, d1, d2, d3, d4, d5, rows[r]);                                                    \
        }                                                                                           \
        float *target = v + (tile - first);                                                         \
        for (int j = 0; j < 6; j++) {                                                               \
            v8 column[6];                                                                           \
            BT(rows[0][j], rows[1][j], rows[2][j], rows[3][j], rows[4][j], rows[5][j], column);     \
            for (int i = 0; i < 6; i++) STORE8(target + (size_t)(6 * i + j) * stride, column[i], lanes); \
        }                                                                                           \
    }

// The body of the output transform: Y = Aᵀ M A for each tile, through x·scale + shift and the
// clamp, a 4x4 block of outputs at rows 4·ty.. and columns 4·tx.. (those inside the plane).
#define OUTPUT4_BODY                                                                                \
    for (int tile = first, ty, tx, lanes; GROUP(tile, ty, tx, lanes); tile += lanes) {               \
        const float *source = m + (tile - first);                                                   \
        v8 columns[6][4];                                                                           \
        for (int j = 0; j < 6; j++) {                                                               \
            v8 e[6];                                                                                \
            for (int i = 0; i < 6; i++) {                                                           \
                e[i] = LOAD8_LANES(source + (size_t)(6 * i + j) * stride, lanes);                  \
            }                                                                                       \
            AT(e[0], e[1], e[2], e[3], e[4], e[5], columns[j]);                                     \
        }                                                                                           \
        v8 s = SPLAT(scale), t = SPLAT(shift), lo = SPLAT(low), hi = SPLAT(high);                   \
        for (int i = 0; i < 4; i++) {                                                               \
            int y = 4 * ty + i;                                                                     \
            if (y >= out_h) break;                                                                  \
            v8 row[4];                                                                              \
            AT(columns[0][i], columns[1][i], columns[2][i], columns[3][i], columns[4][i], columns[5][i], row); \
            for (int j = 0; j < 4; j++) {                                                           \
                row[j] = FINISH(row[j]);                                                            \
            }                                                                                       \
            float *line = out + (size_t)y * out_w + 4 * tx;                                         \
            if (4 * (tx + lanes) <= out_w && lanes == 8) {                                          \
                /* Whole tiles: the four values of each, interleaved into 32 in a row. */          \
                v8 low01 = __builtin_shufflevector(row[0], row[1], 0, 8, 1, 9, 2, 10, 3, 11);       \
                v8 high01 = __builtin_shufflevector(row[0], row[1], 4, 12, 5, 13, 6, 14, 7, 15);    \
                v8 low23 = __builtin_shufflevector(row[2], row[3], 0, 8, 1, 9, 2, 10, 3, 11);       \
                v8 high23 = __builtin_shufflevector(row[2], row[3], 4, 12, 5, 13, 6, 14, 7, 15);    \
                STORE8(line, __builtin_shufflevector(low01, low23, 0, 1, 8, 9, 2, 3, 10, 11), 8);   \
                STORE8(line + 8, __builtin_shufflevector(low01, low23, 4, 5, 12, 13, 6, 7, 14, 15), 8); \
                STORE8(line + 16, __builtin_shufflevector(high01, high23, 0, 1, 8, 9, 2, 3, 10, 11), 8); \
                STORE8(line + 24, __builtin_shufflevector(high01, high23, 4, 5, 12, 13, 6, 7, 14, 15), 8); \
            } else {                                                                                \
                for (int lane = 0; lane < lanes; lane++) {                                          \
                    int x = 4 * (tx + lane);                                                        \
                    for (int j = 0; j < 4 && x + j < out_w; j++) out[(size_t)y * out_w + x + j] = row[j][lane]; \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
    }

#define INPUT_ARGUMENTS                                                                            \
    const float *plane, int padded_width, int tiles_w, int first, int count, float *v, size_t stride
#define OUTPUT_ARGUMENTS                                                                           \
    const float *m, size_t stride, int tiles_w, int first, int count, float *out, int out_h, int out_w, float scale, \
        float shift, float low, float high

// F(2x2)'s input transform: 4x4 inputs from rows 2·ty.. and columns 2·tx.., V = Bᵀ d B with
// Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1].
#define INPUT2_BODY                                                                                \
    for (int tile = first, ty, tx, lanes; GROUP(tile, ty, tx, lanes); tile += lanes) {               \
        v8 rows[4][4];                                                                              \
        for (int r = 0; r < 4; r++) {                                                               \
            const float *base = plane + (size_t)(2 * ty + r) * padded_width + 2 * tx;               \
            v16 a = LOAD16(base), b = LOAD16(base + 16);                                            \
            v8 d0 = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14);                       \
            v8 d1 = __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15);                       \
            v8 d2 = __builtin_shufflevector(a, b, 2, 4, 6, 8, 10, 12, 14, 16);                      \
            v8 d3 = __builtin_shufflevector(a, b, 3, 5, 7, 9, 11, 13, 15, 17);                      \
            rows[r][0] = d0 - d2;                                                                   \
            rows[r][1] = d1 + d2;                                                                   \
            rows[r][2] = d2 - d1;                                                                   \
            rows[r][3] = d1 - d3;                                                                   \
        }                                                                                           \
        float *target = v + (tile - first);                                                         \
        for (int j = 0; j < 4; j++) {                                                               \
            STORE8(target + (size_t)j * stride, rows[0][j] - rows[2][j], lanes);                    \
            STORE8(target + (size_t)(4 + j) * stride, rows[1][j] + rows[2][j], lanes);              \
            STORE8(target + (size_t)(8 + j) * stride, rows[2][j] - rows[1][j], lanes);              \
            STORE8(target + (size_t)(12 + j) * stride, rows[1][j] - rows[3][j], lanes);             \
        }                                                                                           \
    }

// F(2x2)'s output transform, Aᵀ = [1 1 1 0; 0 1 −1 −1]: a 2x2 block per tile.
#define OUTPUT2_BODY                                                                               \
    for (int tile = first, ty, tx, lanes; GROUP(tile, ty, tx, lanes); tile += lanes) {               \
        const float *source = m + (tile - first);                                                   \
        v8 e[16];                                                                                   \
        for (int i = 0; i < 16; i++) e[i] = LOAD8_LANES(source + (size_t)i * stride, lanes);        \
        v8 s = SPLAT(scale), t = SPLAT(shift), lo = SPLAT(low), hi = SPLAT(high);                   \
        for (int i = 0; i < 2; i++) {                                                               \
            int y = 2 * ty + i;                                                                     \
            if (y >= out_h) break;                                                                  \
            v8 c[4];                                                                                \
            for (int j = 0; j < 4; j++)                                                             \
                c[j] = i == 0 ? e[j] + e[4 + j] + e[8 + j] : e[4 + j] - e[8 + j] - e[12 + j];       \
            v8 row[2] = {c[0] + c[1] + c[2], c[1] - c[2] - c[3]};                                   \
            for (int j = 0; j < 2; j++)                                                             \
                row[j] = FINISH(row[j]);                                                            \
            float *line = out + (size_t)y * out_w + 2 * tx;                                         \
            if (lanes == 8 && 2 * (tx + 8) <= out_w) {                                              \
                STORE8(line, __builtin_shufflevector(row[0], row[1], 0, 8, 1, 9, 2, 10, 3, 11), 8); \
                STORE8(line + 8, __builtin_shufflevector(row[0], row[1], 4, 12, 5, 13, 6, 14, 7, 15), 8); \
            } else {                                                                                \
                for (int lane = 0; lane < lanes; lane++) {                                          \
                    int x = 2 * (tx + lane);                                                        \
                    for (int j = 0; j < 2 && x + j < out_w; j++) out[(size_t)y * out_w + x + j] = row[j][lane]; \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
    }

// Each transform once per instruction set.
CK_PER_ISA(input2, (INPUT_ARGUMENTS), INPUT2_BODY)
CK_PER_ISA(input4, (INPUT_ARGUMENTS), INPUT4_BODY)
CK_PER_ISA(output2, (OUTPUT_ARGUMENTS), OUTPUT2_BODY)
CK_PER_ISA(output4, (OUTPUT_ARGUMENTS), OUTPUT4_BODY)

void ckernels_winograd_input(int isa, int tile, INPUT_ARGUMENTS) {
    (tile == 4 ? input4_for(isa) : input2_for(isa))(plane, padded_width, tiles_w, first, count, v, stride);
}

void ckernels_winograd_output(int isa, int tile, OUTPUT_ARGUMENTS) {
    (tile == 4 ? output4_for(isa) : output2_for(isa))(m, stride, tiles_w, first, count, out, out_h, out_w, scale, shift, low,
                                                      high);
}
