#ifndef CKERNELS_H
#define CKERNELS_H

/// C = A·B (+ C when accumulate), single-threaded, row-major: A is M×K (stored K×M when
/// trans_a), B is K×N (stored N×K when trans_b), rows lda, ldb and ldc floats apart. Packs
/// cache-sized panels and runs a register-blocked microkernel chosen by the CPU's features
/// (AVX-512, AVX2 with FMA, or portable C). Returns 0, or -1 when its packing buffers could
/// not be allocated (C is then unchanged).
int ckernels_sgemm(int m, int n, int k, const float *a, int lda, int trans_a, const float *b, int ldb, int trans_b,
                   float *c, int ldc, int accumulate);

/// The instruction set the kernel runs: "avx512", "avx2" or "portable".
const char *ckernels_isa(void);

#endif
