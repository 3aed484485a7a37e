// A BLIS-style single-precision GEMM: A is packed in strips of MR rows and B in strips of NR
// columns, each KC deep, so that the microkernel streams both from L1/L2 while an MR×NR tile of
// C stays in registers. The microkernel is compiled three times (AVX-512, AVX2+FMA, portable)
// and chosen once at run time from the CPU's features.
#include "ckernels.h"
#include "vector.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CK_X86 1
#endif

enum { KC = 256, MC_ROWS = 168, NC = 3072 };

typedef struct {
    int mr, nr;
    // The tile's first `height` rows and `width` columns exist in C, and only they are read and
    // written (an edge tile's, by masks).
    void (*kernel)(int kc, const float *ap, const float *bp, float *c, int ldc, int first, int accumulate,
                   const ckernels_epilogue *ep, int height, int width);
} isa_t;

// Element (row, column) of A or B, read through its transposition.
static inline float at(const float *x, int ld, int trans, int row, int column) {
    return trans ? x[(size_t)column * ld + row] : x[(size_t)row * ld + column];
}

// A strip of `lanes` (mr rows of A, or nr columns of B) kc deep, lane-interleaved: out[p · lanes + l].
// Each loop reads the operand along its rows (a transposed B's columns run along them), so
// that a 2048-wide operand is not read one stride apart per value.
static void pack_strip(const float *x, int ld, int along_rows, int lane0, int used, int p0, int kc, int lanes,
                       float *out) {
    if (along_rows) {
        for (int l = 0; l < used; l++) {
            const float *line = x + (size_t)(lane0 + l) * ld + p0;
            for (int p = 0; p < kc; p++) out[(size_t)p * lanes + l] = line[p];
        }
        for (int l = used; l < lanes; l++)
            for (int p = 0; p < kc; p++) out[(size_t)p * lanes + l] = 0;
        return;
    }
    for (int p = 0; p < kc; p++) {
        const float *line = x + (size_t)(p0 + p) * ld + lane0;
        if (used == lanes) {
            memcpy(out + (size_t)p * lanes, line, sizeof(float) * lanes);
            continue;
        }
        for (int l = 0; l < used; l++) out[(size_t)p * lanes + l] = line[l];
        for (int l = used; l < lanes; l++) out[(size_t)p * lanes + l] = 0;
    }
}

static void pack_a(const float *a, int lda, int trans, int row0, int rows, int p0, int kc, int mr, float *ap) {
    for (int strip = 0; strip < rows; strip += mr) {
        int height = rows - strip < mr ? rows - strip : mr;
        pack_strip(a, lda, !trans, row0 + strip, height, p0, kc, mr, ap + (size_t)strip * kc);
    }
}

static void pack_b(const float *b, int ldb, int trans, int p0, int kc, int column0, int columns, int nr, float *bp) {
    for (int strip = 0; strip < columns; strip += nr) {
        int width = columns - strip < nr ? columns - strip : nr;
        pack_strip(b, ldb, trans, column0 + strip, width, p0, kc, nr, bp + (size_t)strip * kc);
    }
}

// The epilogue of row i, which a kernel applies to a whole tile after the last panel of K.
static inline float ep_scale(const ckernels_epilogue *ep, int i) { return ep->scale ? ep->scale[i] : 1; }
static inline float ep_shift(const ckernels_epilogue *ep, int i) { return ep->shift ? ep->shift[i] : 0; }
static inline float ep_apply(const ckernels_epilogue *ep, int i, int j, float x) {
    float y = x * ep_scale(ep, i) + ep_shift(ep, i);
    if (ep->addend) y += ep->addend[(size_t)i * ep->addend_ld + j];
    return y < ep->low ? ep->low : y > ep->high ? ep->high : y;
}

static void portable_kernel(int kc, const float *ap, const float *bp, float *c, int ldc, int first, int accumulate,
                            const ckernels_epilogue *ep, int height, int width) {
    enum { MR = 4, NR = 16 };
    float acc[MR][NR] = {{0}};
    for (int p = 0; p < kc; p++) {
        for (int i = 0; i < MR; i++) {
            float x = ap[p * MR + i];
            for (int j = 0; j < NR; j++) acc[i][j] += x * bp[p * NR + j];
        }
    }
    for (int i = 0; i < height; i++) {
        for (int j = 0; j < width; j++) {
            float y = (first && !accumulate ? 0 : c[(size_t)i * ldc + j]) + acc[i][j];
            c[(size_t)i * ldc + j] = ep ? ep_apply(ep, i, j, y) : y;
        }
    }
}

#ifdef CK_X86
#define CK_STORE256(i, lo, hi)                                                                      \
    if ((i) < height) {                                                                             \
        float *row = c + (size_t)(i) * ldc;                                                         \
        __m256 l = keep ? _mm256_add_ps(_mm256_maskload_ps(row, mlo), lo) : lo;                    \
        __m256 h = keep ? _mm256_add_ps(_mm256_maskload_ps(row + 8, mhi), hi) : hi;                \
        if (ep) {                                                                                   \
            __m256 s = _mm256_set1_ps(ep_scale(ep, i)), t = _mm256_set1_ps(ep_shift(ep, i));        \
            __m256 low = _mm256_set1_ps(ep->low), high = _mm256_set1_ps(ep->high);                 \
            l = _mm256_fmadd_ps(l, s, t);                                                           \
            h = _mm256_fmadd_ps(h, s, t);                                                           \
            if (ep->addend) {                                                                       \
                const float *r = ep->addend + (size_t)(i) * ep->addend_ld;                          \
                l = _mm256_add_ps(l, _mm256_maskload_ps(r, mlo));                                   \
                h = _mm256_add_ps(h, _mm256_maskload_ps(r + 8, mhi));                               \
            }                                                                                       \
            l = _mm256_min_ps(_mm256_max_ps(l, low), high);                                         \
            h = _mm256_min_ps(_mm256_max_ps(h, low), high);                                         \
        }                                                                                           \
        _mm256_maskstore_ps(row, mlo, l);                                                           \
        _mm256_maskstore_ps(row + 8, mhi, h);                                                       \
    }

__attribute__((target("avx2,fma"))) static void avx2_kernel(
    int kc, const float *ap, const float *bp, float *c, int ldc, int first, int accumulate, const ckernels_epilogue *ep,
    int height, int width) {
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    // The tile's rows of C (and of the residual) lie a row of the output apart: too many
    // streams for the hardware prefetcher, so they are fetched while the products are summed
    // (2048^3 on Zen 3, one core: 63 GFLOP/s without, 71 with).
    for (int i = 0; i < height; i++) {
        __builtin_prefetch(c + (size_t)i * ldc, 1, 3);
        __builtin_prefetch(c + (size_t)i * ldc + 15, 1, 3);
        if (ep && ep->addend) {
            __builtin_prefetch(ep->addend + (size_t)i * ep->addend_ld, 0, 3);
            __builtin_prefetch(ep->addend + (size_t)i * ep->addend_ld + 15, 0, 3);
        }
    }
    // A step of K: the tile's rows times a row of B, its two halves, or (not `wide`) its left
    // half alone, for a strip of 8 columns or fewer (a 7x7 output's 49th position).
#define CK_ROW256(wide, r, lo, hi)                                                                                     \
    x = _mm256_broadcast_ss(a + (r));                                                                                  \
    lo = _mm256_fmadd_ps(x, b0, lo);                                                                                   \
    if (wide) hi = _mm256_fmadd_ps(x, b1, hi);
#define CK_STEP256(q, wide)                                                                                            \
    do {                                                                                                               \
        const float *a = ap + (q) * 6;                                                                                 \
        __m256 b0 = _mm256_loadu_ps(bp + (q) * 16), b1 = wide ? _mm256_loadu_ps(bp + (q) * 16 + 8) : b0, x;            \
        CK_ROW256(wide, 0, c00, c01) CK_ROW256(wide, 1, c10, c11) CK_ROW256(wide, 2, c20, c21)                         \
        CK_ROW256(wide, 3, c30, c31) CK_ROW256(wide, 4, c40, c41) CK_ROW256(wide, 5, c50, c51)                         \
    } while (0)
    // Four steps a turn: the loop's own instructions were a tenth of the kernel's (in L1 on Zen 3,
    // 75 GFLOP/s one step a turn, 85 four).
#define CK_LOOP256(wide)                                                                                               \
    do {                                                                                                               \
        int p = 0;                                                                                                     \
        for (; p + 4 <= kc; p += 4) {                                                                                  \
            CK_STEP256(p, wide);                                                                                       \
            CK_STEP256(p + 1, wide);                                                                                   \
            CK_STEP256(p + 2, wide);                                                                                   \
            CK_STEP256(p + 3, wide);                                                                                   \
        }                                                                                                              \
        for (; p < kc; p++) CK_STEP256(p, wide);                                                                       \
    } while (0)
    if (width > 8) CK_LOOP256(1);
    else CK_LOOP256(0);
#undef CK_LOOP256
#undef CK_STEP256
#undef CK_ROW256
    int keep = !(first && !accumulate);
    // Lane j of each half is stored where column j (or 8 + j) exists.
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i mlo = _mm256_cmpgt_epi32(_mm256_set1_epi32(width), lanes);
    const __m256i mhi = _mm256_cmpgt_epi32(_mm256_set1_epi32(width - 8), lanes);
    CK_STORE256(0, c00, c01);
    CK_STORE256(1, c10, c11);
    CK_STORE256(2, c20, c21);
    CK_STORE256(3, c30, c31);
    CK_STORE256(4, c40, c41);
    CK_STORE256(5, c50, c51);
}

// Fourteen rows of two vectors: 28 accumulators, each named so that they stay in registers
// whatever the optimisation level does with arrays.
#define CK_STORE512(i, lo, hi)                                                                      \
    if ((i) < height) {                                                                             \
        float *row = c + (size_t)(i) * ldc;                                                         \
        __m512 l = keep ? _mm512_add_ps(_mm512_maskz_loadu_ps(mlo, row), lo) : lo;                 \
        __m512 h = keep ? _mm512_add_ps(_mm512_maskz_loadu_ps(mhi, row + 16), hi) : hi;            \
        if (ep) {                                                                                   \
            __m512 s = _mm512_set1_ps(ep_scale(ep, i)), t = _mm512_set1_ps(ep_shift(ep, i));        \
            __m512 low = _mm512_set1_ps(ep->low), high = _mm512_set1_ps(ep->high);                 \
            l = _mm512_fmadd_ps(l, s, t);                                                           \
            h = _mm512_fmadd_ps(h, s, t);                                                           \
            if (ep->addend) {                                                                       \
                const float *r = ep->addend + (size_t)(i) * ep->addend_ld;                          \
                l = _mm512_add_ps(l, _mm512_maskz_loadu_ps(mlo, r));                                \
                h = _mm512_add_ps(h, _mm512_maskz_loadu_ps(mhi, r + 16));                           \
            }                                                                                       \
            l = _mm512_min_ps(_mm512_max_ps(l, low), high);                                         \
            h = _mm512_min_ps(_mm512_max_ps(h, low), high);                                         \
        }                                                                                           \
        _mm512_mask_storeu_ps(row, mlo, l);                                                         \
        _mm512_mask_storeu_ps(row + 16, mhi, h);                                                    \
    }

__attribute__((target("avx512f"))) static void avx512_kernel(
    int kc, const float *ap, const float *bp, float *c, int ldc, int first, int accumulate, const ckernels_epilogue *ep,
    int height, int width) {
    __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps();
    __m512 c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
    __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps();
    __m512 c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
    __m512 c40 = _mm512_setzero_ps(), c41 = _mm512_setzero_ps();
    __m512 c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();
    __m512 c60 = _mm512_setzero_ps(), c61 = _mm512_setzero_ps();
    __m512 c70 = _mm512_setzero_ps(), c71 = _mm512_setzero_ps();
    __m512 c80 = _mm512_setzero_ps(), c81 = _mm512_setzero_ps();
    __m512 c90 = _mm512_setzero_ps(), c91 = _mm512_setzero_ps();
    __m512 c100 = _mm512_setzero_ps(), c101 = _mm512_setzero_ps();
    __m512 c110 = _mm512_setzero_ps(), c111 = _mm512_setzero_ps();
    __m512 c120 = _mm512_setzero_ps(), c121 = _mm512_setzero_ps();
    __m512 c130 = _mm512_setzero_ps(), c131 = _mm512_setzero_ps();
    for (int p = 0; p < kc; p++) {
        const float *a = ap + p * 14;
        __m512 b0 = _mm512_loadu_ps(bp + p * 32), b1 = _mm512_loadu_ps(bp + p * 32 + 16), x;
        x = _mm512_set1_ps(a[0]); c00 = _mm512_fmadd_ps(x, b0, c00); c01 = _mm512_fmadd_ps(x, b1, c01);
        x = _mm512_set1_ps(a[1]); c10 = _mm512_fmadd_ps(x, b0, c10); c11 = _mm512_fmadd_ps(x, b1, c11);
        x = _mm512_set1_ps(a[2]); c20 = _mm512_fmadd_ps(x, b0, c20); c21 = _mm512_fmadd_ps(x, b1, c21);
        x = _mm512_set1_ps(a[3]); c30 = _mm512_fmadd_ps(x, b0, c30); c31 = _mm512_fmadd_ps(x, b1, c31);
        x = _mm512_set1_ps(a[4]); c40 = _mm512_fmadd_ps(x, b0, c40); c41 = _mm512_fmadd_ps(x, b1, c41);
        x = _mm512_set1_ps(a[5]); c50 = _mm512_fmadd_ps(x, b0, c50); c51 = _mm512_fmadd_ps(x, b1, c51);
        x = _mm512_set1_ps(a[6]); c60 = _mm512_fmadd_ps(x, b0, c60); c61 = _mm512_fmadd_ps(x, b1, c61);
        x = _mm512_set1_ps(a[7]); c70 = _mm512_fmadd_ps(x, b0, c70); c71 = _mm512_fmadd_ps(x, b1, c71);
        x = _mm512_set1_ps(a[8]); c80 = _mm512_fmadd_ps(x, b0, c80); c81 = _mm512_fmadd_ps(x, b1, c81);
        x = _mm512_set1_ps(a[9]); c90 = _mm512_fmadd_ps(x, b0, c90); c91 = _mm512_fmadd_ps(x, b1, c91);
        x = _mm512_set1_ps(a[10]); c100 = _mm512_fmadd_ps(x, b0, c100); c101 = _mm512_fmadd_ps(x, b1, c101);
        x = _mm512_set1_ps(a[11]); c110 = _mm512_fmadd_ps(x, b0, c110); c111 = _mm512_fmadd_ps(x, b1, c111);
        x = _mm512_set1_ps(a[12]); c120 = _mm512_fmadd_ps(x, b0, c120); c121 = _mm512_fmadd_ps(x, b1, c121);
        x = _mm512_set1_ps(a[13]); c130 = _mm512_fmadd_ps(x, b0, c130); c131 = _mm512_fmadd_ps(x, b1, c131);
    }
    int keep = !(first && !accumulate);
    // Lane j of each half is stored where column j (or 16 + j) exists.
    const __mmask16 mlo = width >= 16 ? 0xFFFF : (__mmask16)((1u << width) - 1);
    const __mmask16 mhi = width >= 32 ? 0xFFFF : width <= 16 ? 0 : (__mmask16)((1u << (width - 16)) - 1);
    CK_STORE512(0, c00, c01);
    CK_STORE512(1, c10, c11);
    CK_STORE512(2, c20, c21);
    CK_STORE512(3, c30, c31);
    CK_STORE512(4, c40, c41);
    CK_STORE512(5, c50, c51);
    CK_STORE512(6, c60, c61);
    CK_STORE512(7, c70, c71);
    CK_STORE512(8, c80, c81);
    CK_STORE512(9, c90, c91);
    CK_STORE512(10, c100, c101);
    CK_STORE512(11, c110, c111);
    CK_STORE512(12, c120, c121);
    CK_STORE512(13, c130, c131);
}
#endif


// Few rows of A (an FC layer at batch 1): a matrix-vector product that streams B once at memory
// speed, instead of packing all of it for a tile it would fill with zeros.
static void portable_rows(int m, int n, int k, const float *a, int lda, int trans_a, const float *b, int ldb,
                          int trans_b, float *c, int ldc, int accumulate) {
    for (int i = 0; i < m; i++) {
        float *row = c + (size_t)i * ldc;
        if (!accumulate) memset(row, 0, sizeof(float) * n);
        if (trans_b) {
            for (int j = 0; j < n; j++) {
                const float *column = b + (size_t)j * ldb;
                float sum = 0;
                for (int p = 0; p < k; p++) sum += at(a, lda, trans_a, i, p) * column[p];
                row[j] += sum;
            }
        } else {
            for (int p = 0; p < k; p++) {
                float x = at(a, lda, trans_a, i, p);
                const float *line = b + (size_t)p * ldb;
                for (int j = 0; j < n; j++) row[j] += x * line[j];
            }
        }
    }
}

// The dot-product layout (B transposed: an FC layer's weights), per instruction set. Four columns
// of B at once: four streams from memory in flight, each value of x loaded once for them.
CK_PER_ISA(rows, (int m, int n, int k, const float *a, int lda, int trans_a, const float *b, int ldb, int trans_b,
                  float *c, int ldc, int accumulate), {
    if (!trans_b || trans_a) {
        portable_rows(m, n, k, a, lda, trans_a, b, ldb, trans_b, c, ldc, accumulate);
        return;
    }
    for (int i = 0; i < m; i++) {
        const float *x = a + (size_t)i * lda;
        float *row = c + (size_t)i * ldc;
        for (int j = 0; j < n; j += 4) {
            const int columns = n - j < 4 ? n - j : 4;
            const float *bs[4];
            for (int q = 0; q < 4; q++) bs[q] = b + (size_t)(j + (q < columns ? q : 0)) * ldb;
            v16 s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
            int p = 0;
            for (; p + 16 <= k; p += 16) {
                v16 v = LOAD(x + p);
                s0 += v * LOAD(bs[0] + p);
                s1 += v * LOAD(bs[1] + p);
                s2 += v * LOAD(bs[2] + p);
                s3 += v * LOAD(bs[3] + p);
            }
            float sums[4] = {0, 0, 0, 0};
            for (int l = 0; l < 16; l++) {
                sums[0] += s0[l];
                sums[1] += s1[l];
                sums[2] += s2[l];
                sums[3] += s3[l];
            }
            for (; p < k; p++)
                for (int q = 0; q < 4; q++) sums[q] += x[p] * bs[q][p];
            for (int q = 0; q < columns; q++) row[j + q] = (accumulate ? row[j + q] : 0) + sums[q];
        }
    }
})

// Indexed by the public isa numbers: 0 portable, 1 AVX2+FMA, 2 AVX-512.
static const isa_t isas[] = {
    {4, 16, portable_kernel},
#ifdef CK_X86
    {6, 16, avx2_kernel},
    {14, 32, avx512_kernel},
#endif
};
static const char *const isa_names[] = {"portable", "avx2", "avx512"};
enum { ISA_COUNT = sizeof(isas) / sizeof(isas[0]) };

int ckernels_isa_supported(int isa) {
    if (isa < 0 || isa >= ISA_COUNT) return 0;
#ifdef CK_X86
    __builtin_cpu_init();
    if (isa == 1) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (isa == 2) return __builtin_cpu_supports("avx512f");
#endif
    return 1;
}

int ckernels_best_isa(void) {
    for (int isa = ISA_COUNT - 1; isa > 0; isa--)
        if (ckernels_isa_supported(isa)) return isa;
    return 0;
}

const char *ckernels_isa_name(int isa) { return isa >= 0 && isa < ISA_COUNT ? isa_names[isa] : "unknown"; }

void ckernels_tile(int isa, int *rows, int *columns) {
    int runs = ckernels_isa_supported(isa);
    *rows = runs ? isas[isa].mr : 1;
    *columns = runs ? isas[isa].nr : 1;
}

// At most this many rows go to the matrix-vector path, which reads A as it is stored.
enum { FEW_ROWS = 4 };

// A packed whole: for each KC-deep block of its columns (starting at p0), every strip of MR rows,
// so that the block for rows i0.. (a multiple of MR) starts at p0 * padded_rows + i0 * kc.
static size_t padded_rows(int m, int mr) { return (size_t)(m + mr - 1) / mr * mr; }

size_t ckernels_packed_floats(int isa, int m, int k) {
    if (!ckernels_isa_supported(isa) || m <= FEW_ROWS || k <= 0) return 0;
    return padded_rows(m, isas[isa].mr) * (size_t)k;
}

void ckernels_pack_a(int isa, int m, int k, const float *a, int lda, int trans_a, float *packed) {
    if (ckernels_packed_floats(isa, m, k) == 0) return;
    const int mr = isas[isa].mr;
    for (int p0 = 0; p0 < k; p0 += KC) {
        int kc = k - p0 < KC ? k - p0 : KC;
        pack_a(a, lda, trans_a, 0, m, p0, kc, mr, packed + (size_t)p0 * padded_rows(m, mr));
    }
}

// Each thread keeps its packing buffers between calls: a fresh allocation of this size is a
// fresh mapping, and its page faults cost more than a small multiply.
typedef struct {
    float *data;
    size_t bytes;
} buffer_t;

static _Thread_local buffer_t a_panel, b_panel;

static float *scratch(buffer_t *buffer, size_t bytes) {
    if (buffer->bytes < bytes) {
        free(buffer->data);
        buffer->data = aligned_alloc(64, (bytes + 63) / 64 * 64);
        buffer->bytes = buffer->data ? bytes : 0;
    }
    return buffer->data;
}

// The epilogue over rows of C already computed, from row `first` of the epilogue's vectors.
static void apply_rows(const ckernels_epilogue *ep, int first, int rows, int n, float *c, int ldc) {
    if (!ep) return;
    for (int i = 0; i < rows; i++) {
        float *row = c + (size_t)i * ldc;
        for (int j = 0; j < n; j++) row[j] = ep_apply(ep, first + i, j, row[j]);
    }
}

// The epilogue of the block of C from row `row` and column `column` on.
static ckernels_epilogue from(const ckernels_epilogue *ep, int row, int column) {
    ckernels_epilogue part = *ep;
    if (part.scale) part.scale += row;
    if (part.shift) part.shift += row;
    if (part.addend) part.addend += (size_t)row * part.addend_ld + column;
    return part;
}

int ckernels_sgemm(int isa_index, int m, int n, int k, const float *a, int lda, int trans_a, const float *packed_a,
                   const float *b, int ldb, int trans_b, float *c, int ldc, int accumulate,
                   const ckernels_epilogue *epilogue) {
    if (m <= 0 || n <= 0) return 0;
    if (k <= 0) {
        if (!accumulate) for (int i = 0; i < m; i++) memset(c + (size_t)i * ldc, 0, sizeof(float) * n);
        apply_rows(epilogue, 0, m, n, c, ldc);
        return 0;
    }
    if (!ckernels_isa_supported(isa_index)) return -1;
    const isa_t isa = isas[isa_index];
    if (m <= FEW_ROWS) {
        rows_for(isa_index)(m, n, k, a, lda, trans_a, b, ldb, trans_b, c, ldc, accumulate);
        apply_rows(epilogue, 0, m, n, c, ldc);
        return 0;
    }
    const int mr = isa.mr, nr = isa.nr;
    const int mc = MC_ROWS / mr * mr;
    const int nc_max = n < NC ? n : NC;
    float *bp = scratch(&b_panel, sizeof(float) * (size_t)KC * ((nc_max + nr - 1) / nr * nr));
    // A prepacked (a layer's weights) is read where it lies; else each block is packed here.
    float *a_block = packed_a ? NULL : scratch(&a_panel, sizeof(float) * (size_t)KC * padded_rows(mc, mr));
    if (!bp || (!packed_a && !a_block)) {
        if (!packed_a) return -1;
        // No buffer for B: the product straight from the packed A and B as stored, slowly.
        size_t rows = padded_rows(m, mr);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0;
                for (int p = 0; p < k; p++) {
                    int p0 = p / KC * KC, kc = k - p0 < KC ? k - p0 : KC;
                    sum += packed_a[(size_t)p0 * rows + (size_t)(i / mr * mr) * kc + (size_t)(p - p0) * mr + i % mr] *
                           at(b, ldb, trans_b, p, j);
                }
                c[(size_t)i * ldc + j] = (accumulate ? c[(size_t)i * ldc + j] : 0) + sum;
            }
        }
        apply_rows(epilogue, 0, m, n, c, ldc);
        return 0;
    }
    for (int j0 = 0; j0 < n; j0 += NC) {
        int nc = n - j0 < NC ? n - j0 : NC;
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = k - p0 < KC ? k - p0 : KC;
            int first = p0 == 0, last = p0 + kc == k;
            pack_b(b, ldb, trans_b, p0, kc, j0, nc, nr, bp);
            for (int i0 = 0; i0 < m; i0 += mc) {
                int rows = m - i0 < mc ? m - i0 : mc;
                const float *ap = a_block;
                if (packed_a) {
                    ap = packed_a + (size_t)p0 * padded_rows(m, mr) + (size_t)i0 * kc;
                } else {
                    pack_a(a, lda, trans_a, i0, rows, p0, kc, mr, a_block);
                }
                for (int js = 0; js < nc; js += nr) {
                    int width = nc - js < nr ? nc - js : nr;
                    for (int is = 0; is < rows; is += mr) {
                        int height = rows - is < mr ? rows - is : mr;
                        float *target = c + (size_t)(i0 + is) * ldc + j0 + js;
                        const float *as = ap + (size_t)is * kc, *bs = bp + (size_t)js * kc;
                        // The epilogue goes with the last panel of K, while the tile is in registers.
                        ckernels_epilogue here;
                        const ckernels_epilogue *ep = NULL;
                        if (last && epilogue) {
                            here = from(epilogue, i0 + is, j0 + js);
                            ep = &here;
                        }
                        isa.kernel(kc, as, bs, target, ldc, first, accumulate, ep, height, width);
                    }
                }
            }
        }
    }
    return 0;
}
