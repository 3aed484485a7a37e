import Foundation

/// C = A·B (+ C when `accumulate`), row-major, with A M×K (or its transpose stored K×M), B
/// K×N (or its transpose stored N×K) and rows of C `ldc` apart. The one primitive CONV, DECONV
/// and FC reduce to.
public protocol GEMM: Sendable {
    var name: String { get }
    // swiftlint:disable:next function_parameter_count
    func multiply(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, transposeA: Bool, b: UnsafePointer<Float>, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool)
}

extension GEMM {
    /// C stored densely, N values a row.
    func multiply(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, transposeA: Bool, b: UnsafePointer<Float>, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, accumulate: Bool
    ) {
        multiply(m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB, c: c, ldc: n, accumulate: accumulate)
    }
}

public enum GEMMBackend {
    /// A real BLAS when one is installed (OpenBLAS on Linux, Accelerate on macOS), loaded at
    /// run time so that building needs nothing beyond the Swift toolchain; else the built-in kernel.
    public static func best() -> any GEMM {
        if ProcessInfo.processInfo.environment["CONVLINT_GEMM"] == "builtin" { return BuiltinGEMM() }
        return LoadedBLAS.load() ?? BuiltinGEMM()
    }
}
