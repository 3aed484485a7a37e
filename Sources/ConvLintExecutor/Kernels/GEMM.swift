import Dispatch
import Foundation

/// C = A·B (+ C when `accumulate`), row-major, with A M×K (or its transpose stored K×M), B
/// K×N (or its transpose stored N×K), and rows of A, B and C `lda`, `ldb` and `ldc` apart. The
/// one primitive CONV, DECONV and FC reduce to.
public protocol GEMM: Sendable {
    var name: String { get }
    /// True when `multiply` computes on the calling thread alone. The executor then owns the
    /// cores: it runs one multiply per core on its own slices of the work, and nothing else
    /// (such as a BLAS thread spinning after its call) competes with it.
    var isSingleThreaded: Bool { get }
    /// Address space the library maps for each thread that calls it (OpenBLAS's buffer): it
    /// counts against `ulimit -v` although few of its pages are touched.
    var addressSpacePerCaller: Int { get }
    // swiftlint:disable:next function_parameter_count
    func multiply(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, transposeA: Bool, b: UnsafePointer<Float>, ldb: Int,
        transposeB: Bool, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool)

    /// The block of C its kernel computes at once, to which it pads a product's rows and
    /// columns; (1, 1) when unknown.
    var tile: (rows: Int, columns: Int) { get }
    /// Floats of an M×K left operand that does not change between products (a layer's weights)
    /// once `pack` has laid it out as the backend's kernel reads it, so that no product packs
    /// it again; 0 when the backend reads A as stored.
    func packedCount(m: Int, k: Int) -> Int
    /// Writes A (row-major, rows `lda` apart) into `packed`, `packedCount(m:k:)` floats.
    func pack(m: Int, k: Int, a: UnsafePointer<Float>, lda: Int, into packed: UnsafeMutablePointer<Float>)
    /// `multiply` with A untransposed, as stored or as `pack` laid it out, and row i of C then
    /// through channel i of `epilogue`.
    // swiftlint:disable:next function_parameter_count
    func multiply(
        m: Int, n: Int, k: Int, a: GEMMOperand, b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, epilogue: Epilogue)
}

/// A left operand of a GEMM: row-major with rows `lda` apart, or as the backend's `pack` laid
/// it out (only for a backend whose `packedCount` is not 0 for its size).
public enum GEMMOperand {
    case stored(UnsafePointer<Float>, lda: Int)
    case packed(UnsafePointer<Float>)
}

/// A backend that reads A as stored: nothing is packed ahead.
extension GEMM {
    public var tile: (rows: Int, columns: Int) { (1, 1) }
    public func packedCount(m: Int, k: Int) -> Int { 0 }
    public func pack(m: Int, k: Int, a: UnsafePointer<Float>, lda: Int, into packed: UnsafeMutablePointer<Float>) {}
    // swiftlint:disable:next function_parameter_count
    public func multiply(
        m: Int, n: Int, k: Int, a: GEMMOperand, b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, epilogue: Epilogue
    ) {
        switch a {
        case .stored(let a, let lda):
            multiply(
                m: m, n: n, k: k, a: a, lda: lda, transposeA: false, b: b, ldb: ldb, transposeB: transposeB, c: c, ldc: ldc,
                accumulate: accumulate)
        case .packed:
            preconditionFailure("\(name) packs no operand: its packedCount is 0")
        }
        epilogue.apply(rows: m, columns: n, c: c, ldc: ldc)
    }
}

extension GEMM {
    /// Cores that may each run a multiply at once.
    var workers: Int { isSingleThreaded ? Cores.count : 1 }

    /// Dense operands: rows of A, B and C as long as their stored width.
    func multiply(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, transposeA: Bool, b: UnsafePointer<Float>, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, accumulate: Bool
    ) {
        multiply(
            m: m, n: n, k: k, a: a, lda: transposeA ? m : k, transposeA: transposeA, b: b, ldb: transposeB ? k : n,
            transposeB: transposeB, c: c, ldc: n, accumulate: accumulate)
    }

    /// The same product over every core: columns of C split between them (rows when C is too
    /// narrow to share, as a 1x1 convolution late in a network is), one multiply each.
    func multiplyOnAllCores(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, transposeA: Bool, b: UnsafePointer<Float>, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int? = nil, accumulate: Bool
    ) {
        let (lda, ldb, ldc) = (transposeA ? m : k, transposeB ? k : n, ldc ?? n)
        let byColumns = n >= 64 * workers
        let length = byColumns ? n : m
        let parts = byColumns || m >= 16 * workers ? workers : 1
        // Slices a multiple of 16 wide, the SIMD kernels' tile.
        let slice = ((length + parts - 1) / parts + 15) & ~15
        nonisolated(unsafe) let (a, b, c) = (a, b, c)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let start = min(length, part * slice), count = min(slice, length - start)
            guard count > 0 else { return }
            if byColumns {
                multiply(
                    m: m, n: count, k: k, a: a, lda: lda, transposeA: transposeA, b: b + (transposeB ? start * ldb : start),
                    ldb: ldb, transposeB: transposeB, c: c + start, ldc: ldc, accumulate: accumulate)
            } else {
                multiply(
                    m: count, n: n, k: k, a: a + (transposeA ? start : start * lda), lda: lda, transposeA: transposeA, b: b,
                    ldb: ldb, transposeB: transposeB, c: c + start * ldc, ldc: ldc, accumulate: accumulate)
            }
        }
    }
}

public enum GEMMBackend {
    /// A real BLAS when one is installed (OpenBLAS on Linux, Accelerate on macOS), loaded at
    /// run time so that building needs nothing beyond the Swift toolchain; else the built-in C
    /// kernel. `CONVLINT_GEMM=builtin` forces the C kernel, `swift` the portable Swift one;
    /// `CONVLINT_ISA` (`avx512`, `avx2`, `portable`) the C kernel's instruction set.
    public static func best() -> any GEMM {
        switch ProcessInfo.processInfo.environment["CONVLINT_GEMM"] {
        case "swift": return BuiltinGEMM()
        case "builtin": return NativeGEMM()
        default: return LoadedBLAS.load() ?? NativeGEMM()
        }
    }
}
