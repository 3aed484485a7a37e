import CKernels

/// The C microkernel GEMM (`Sources/CKernels`): packed panels and a register-blocked tile,
/// AVX-512 or AVX2 where the CPU has them, on the calling thread. Needs no library at run time.
struct NativeGEMM: GEMM {
    var name: String { "built-in C kernel (\(String(cString: ckernels_isa())))" }
    let isSingleThreaded = true
    let addressSpacePerCaller = 0

    func multiply(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, transposeA: Bool, b: UnsafePointer<Float>, ldb: Int,
        transposeB: Bool, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        let status = ckernels_sgemm(
            Int32(m), Int32(n), Int32(k), a, Int32(lda), transposeA ? 1 : 0, b, Int32(ldb), transposeB ? 1 : 0, c,
            Int32(ldc), accumulate ? 1 : 0)
        // Its packing buffers could not be had: the Swift kernel needs none.
        if status != 0 {
            BuiltinGEMM().multiply(
                m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA, b: b, ldb: ldb, transposeB: transposeB, c: c,
                ldc: ldc, accumulate: accumulate)
        }
    }
}
