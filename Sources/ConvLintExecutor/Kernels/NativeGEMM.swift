import CKernels
import Foundation

/// The C microkernel GEMM (`Sources/CKernels`): packed panels and a register-blocked tile,
/// AVX-512 or AVX2 where the CPU has them, on the calling thread. Needs no library at run time.
struct NativeGEMM: GEMM {
    /// The C kernel's instruction-set number (see `ckernels.h`).
    let isa: Int32
    let isSingleThreaded = true
    let addressSpacePerCaller = 0

    /// The instruction sets this CPU runs, best last.
    static let supported: [Int32] = (0...2).filter { ckernels_isa_supported($0) != 0 }

    /// The one `CONVLINT_ISA` names when this CPU runs it, else the best: read once, as reading
    /// the environment takes tens of microseconds, as long as a small layer.
    static let chosen: Int32 = {
        let named = ProcessInfo.processInfo.environment["CONVLINT_ISA"]
        return supported.first { String(cString: ckernels_isa_name($0)) == named } ?? ckernels_best_isa()
    }()

    init(isa: Int32 = NativeGEMM.chosen) { self.isa = isa }

    var name: String { "built-in C kernel (\(String(cString: ckernels_isa_name(isa))))" }

    /// Whether convolutions that the shifted method takes run by the direct kernel instead: on
    /// AVX2, where it was measured (Zen 3: AlexNet's 5x5 layer 4.3 ms shifted, 3.0 direct). Its
    /// 6x16 tile holds 6 accumulators of 16 lanes, 12 registers there; under AVX-512 6 are too
    /// few to hide the FMA latency, and on 128-bit vectors 24 spill, so those keep the GEMMs
    /// until a tile of their own is measured.
    var runsDirectConvolution: Bool { String(cString: ckernels_isa_name(isa)) == "avx2" }

    func multiply(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, transposeA: Bool, b: UnsafePointer<Float>, ldb: Int,
        transposeB: Bool, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        multiply(
            m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA, packedA: nil, b: b, ldb: ldb, transposeB: transposeB,
            c: c, ldc: ldc, accumulate: accumulate, epilogue: .none)
    }

    var tile: (rows: Int, columns: Int) {
        var (rows, columns): (Int32, Int32) = (1, 1)
        ckernels_tile(isa, &rows, &columns)
        return (Int(rows), Int(columns))
    }

    func packedCount(m: Int, k: Int) -> Int { ckernels_packed_floats(isa, Int32(m), Int32(k)) }

    func pack(m: Int, k: Int, a: UnsafePointer<Float>, lda: Int, into packed: UnsafeMutablePointer<Float>) {
        ckernels_pack_a(isa, Int32(m), Int32(k), a, Int32(lda), 0, packed)
    }

    func multiply(
        m: Int, n: Int, k: Int, a: GEMMOperand, b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, epilogue: Epilogue
    ) {
        // Packed, the C kernel reads only the packed form (it packs no M of 4 or fewer rows).
        let (stored, lda, packedA): (UnsafePointer<Float>, Int, UnsafePointer<Float>?) =
            switch a {
            case .stored(let a, let lda): (a, lda, nil)
            case .packed(let packed): (packed, k, packed)
            }
        multiply(
            m: m, n: n, k: k, a: stored, lda: lda, transposeA: false, packedA: packedA, b: b, ldb: ldb, transposeB: transposeB,
            c: c, ldc: ldc, accumulate: accumulate, epilogue: epilogue)
    }

    // swiftlint:disable:next function_parameter_count
    private func multiply(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, transposeA: Bool, packedA: UnsafePointer<Float>?,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool,
        epilogue: Epilogue
    ) {
        var bounds = epilogue.c
        let status = withUnsafePointer(to: &bounds) { bounds in
            ckernels_sgemm(
                isa, Int32(m), Int32(n), Int32(k), a, Int32(lda), transposeA ? 1 : 0, packedA, b, Int32(ldb), transposeB ? 1 : 0,
                c, Int32(ldc), accumulate ? 1 : 0, epilogue.isIdentity ? nil : bounds)
        }
        // Its packing buffers could not be had: the Swift kernel needs none. (With A prepacked
        // the C kernel does without them, so A is as stored here.)
        guard status != 0 else { return }
        BuiltinGEMM().multiply(
            m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA, b: b, ldb: ldb, transposeB: transposeB, c: c, ldc: ldc,
            accumulate: accumulate)
        epilogue.apply(rows: m, columns: n, c: c, ldc: ldc)
    }
}

extension GEMM {
    /// The instruction set of the C kernels that run beside this backend (im2col, pooling,
    /// Winograd's transforms): the C GEMM's own, else the one chosen for this CPU.
    var kernelISA: Int32 { (self as? NativeGEMM)?.isa ?? NativeGEMM.chosen }
}
