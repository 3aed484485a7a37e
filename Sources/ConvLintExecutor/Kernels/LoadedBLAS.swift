import Foundation

/// `cblas_sgemm` from a BLAS found at run time.
struct LoadedBLAS: GEMM, @unchecked Sendable {
    typealias SGEMM = @convention(c) (
        Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32,
        Float, UnsafeMutablePointer<Float>?, Int32
    ) -> Void

    typealias SGEMV = @convention(c) (
        Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32, Float,
        UnsafeMutablePointer<Float>?, Int32
    ) -> Void

    typealias SetThreads = @convention(c) (Int32) -> Void

    let name: String
    let isSingleThreaded: Bool
    let addressSpacePerCaller: Int
    private let sgemm: SGEMM
    /// A single row of A (an FC layer at batch 1) is a matrix-vector product, which BLAS does
    /// at memory speed where GEMM's packing would only cost.
    private let sgemv: SGEMV?

    static let candidates = [
        ("OpenBLAS", "libopenblas.so.0"), ("OpenBLAS", "libopenblas.so"), ("BLIS", "libblis.so.4"),
        ("Accelerate", "/System/Library/Frameworks/Accelerate.framework/Accelerate"),
    ]

    static func load() -> LoadedBLAS? {
        for (name, path) in candidates {
            guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL), let symbol = dlsym(handle, "cblas_sgemm") else {
                continue
            }
            // Where the library can be told to use one thread, it is: the executor then splits
            // the work between cores itself (see `GEMM.isSingleThreaded`).
            let setThreads = dlsym(handle, "openblas_set_num_threads")
            if let setThreads { unsafeBitCast(setThreads, to: SetThreads.self)(1) }
            return LoadedBLAS(
                name: "\(name) (\(path), cblas_sgemm)", isSingleThreaded: setThreads != nil,
                // OpenBLAS's BUFFER_SIZE on x86-64, plus its guard page; measured 134,221,824 B a call.
                addressSpacePerCaller: name == "OpenBLAS" ? 128 << 20 + 1 << 12 : 0,
                sgemm: unsafeBitCast(symbol, to: SGEMM.self),
                sgemv: dlsym(handle, "cblas_sgemv").map { unsafeBitCast($0, to: SGEMV.self) })
        }
        return nil
    }

    func multiply(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, transposeA: Bool, b: UnsafePointer<Float>, ldb: Int,
        transposeB: Bool, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        let rowMajor: Int32 = 101, noTrans: Int32 = 111, trans: Int32 = 112
        if m == 1, !transposeA, transposeB, let sgemv {
            // c (1×N) = a (1×K) · Bᵀ, with B stored N×K: y = B·x.
            sgemv(rowMajor, noTrans, Int32(n), Int32(k), 1, b, Int32(ldb), a, 1, accumulate ? 1 : 0, c, 1)
            return
        }
        sgemm(
            rowMajor, transposeA ? trans : noTrans, transposeB ? trans : noTrans, Int32(m), Int32(n), Int32(k), 1, a,
            Int32(lda), b, Int32(ldb), accumulate ? 1 : 0, c, Int32(ldc))
    }
}
