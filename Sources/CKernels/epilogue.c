// A convolution's epilogue over a row of values that a kernel did not store itself (the
// shifted GEMM's valid columns, copied out of its block), compiled per instruction set as the
// GEMM's microkernels are: Swift, held to its baseline SIMD, made the clamp cost more than the
// separate pass it saved.
#include "ckernels.h"

#include "vector.h"

// b where it passes a (b > a), else a: a NaN stays, as the scalar comparison keeps it.
#define ABOVE(a, b) ({ v16 a_ = (a), b_ = (b); vi16 m_ = b_ > a_; (v16)((m_ & (vi16)b_) | (~m_ & (vi16)a_)); })
#define BELOW(a, b) ({ v16 a_ = (a), b_ = (b); vi16 m_ = b_ < a_; (v16)((m_ & (vi16)b_) | (~m_ & (vi16)a_)); })

static inline float clamp(float x, float low, float high) {
    x = low > x ? low : x;
    return high < x ? high : x;
}

CK_PER_ISA(epilogue_row, (const float *source, float *target, int count, float scale, float shift, float low, float high,
                          const float *addend), {
    const v16 lows = (v16){0} + low, highs = (v16){0} + high;
    int j = 0;
    for (; j + 16 <= count; j += 16) {
        v16 x = LOAD(source + j) * scale + shift;
        if (addend) x += LOAD(addend + j);
        STORE(target + j, BELOW(ABOVE(x, lows), highs));
    }
    for (; j < count; j++) target[j] = clamp(source[j] * scale + shift + (addend ? addend[j] : 0), low, high);
})

void ckernels_epilogue_row(int isa, const float *source, float *target, int count, float scale, float shift, float low,
                           float high, const float *addend) {
    epilogue_row_for(isa)(source, target, count, scale, shift, low, high, addend);
}
