// im2col: the columns of a convolution's GEMM, one receptive field per output position, compiled
// per instruction set. A strided convolution's row of taps is a strided gather, which Swift made
// one value at a time (ResNet's 7x7/2 stem spent more in it than in its GEMM); at stride 2 here
// sixteen values come from one shuffle of two loads.
#include "ckernels.h"

#include "vector.h"

// to[j] = from[j · s] for j < count, reading nothing past the last of them.
static inline __attribute__((always_inline)) void gather(const float *from, int s, int count, float *to) {
    if (s == 1) {
        memcpy(to, from, sizeof(float) * count);
        return;
    }
    int j = 0;
    if (s == 2 && count > 16) {
        for (; j + 16 < count; j += 16) STORE(to + j, EVENS(LOAD(from + 2 * j), LOAD(from + 2 * j + 16)));
        // The last sixteen (some again) from loads that end at the last value.
        const float *last = from + 2 * (count - 16) - 1;
        STORE(to + count - 16, ODDS(LOAD(last), LOAD(last + 16)));
        return;
    }
    for (; j < count; j++) to[j] = from[(size_t)j * s];
}

static inline int min_int(int a, int b) { return a < b ? a : b; }
static inline int max_int(int a, int b) { return a > b ? a : b; }

CK_PER_ISA(im2col, (const float *source, int channels, int height, int width, int kh, int kw, int sh, int sw, int ph,
                    int pw, int dh, int dw, int out_w, int first, int count, float *columns), {
    for (int row = 0; row < channels * kh * kw; row++) {
        const int tap = row / channels, channel = row % channels;
        const int ky = tap / kw, kx = tap % kw;
        const float *plane = source + (size_t)channel * height * width;
        float *target = columns + (size_t)row * count;
        // Output columns whose tap lands inside the input: x = ox·S − P + kx·d ∈ [0, W), so ox
        // from ⌈−shift/S⌉ to ⌊(W − 1 − shift)/S⌋. Division truncates towards zero, so each
        // bound is clamped to 0 before dividing; a tap left of or past every column (a window
        // wider than its input) gets an empty range.
        const int shift = kx * dw - pw;
        const int valid_lo = min_int(out_w, max_int(0, -shift + sw - 1) / sw);
        const int valid_hi = max_int(valid_lo, width - 1 - shift < 0 ? 0 : min_int(out_w, (width - 1 - shift) / sw + 1));
        for (int position = first; position < first + count;) {
            const int oy = position / out_w, row_start = oy * out_w;
            const int xs_lo = position - row_start, xs_hi = min_int(out_w, first + count - row_start);
            float *line = target + (row_start - first);
            const int y = oy * sh - ph + ky * dh;
            // This block's columns of the row that read the input; none when the row is in the padding.
            int lo = min_int(max_int(xs_lo, valid_lo), valid_hi), hi = min_int(max_int(xs_hi, valid_lo), valid_hi);
            if (y < 0 || y >= height || lo >= hi) lo = hi = xs_lo;
            memset(line + xs_lo, 0, sizeof(float) * (lo - xs_lo));
            if (hi > lo) gather(plane + (size_t)y * width + (size_t)lo * sw + shift, sw, hi - lo, line + lo);
            const int tail = max_int(hi, xs_lo);
            memset(line + tail, 0, sizeof(float) * (xs_hi - tail));
            position = row_start + xs_hi;
        }
    }
})

void ckernels_im2col(int isa, const float *source, int channels, int height, int width, int kh, int kw, int sh, int sw,
                     int ph, int pw, int dh, int dw, int out_w, int first, int count, float *columns) {
    if (count <= 0 || out_w <= 0) return;
    im2col_for(isa)(source, channels, height, width, kh, kw, sh, sw, ph, pw, dh, dw, out_w, first, count, columns);
}
