/// A portable blocked GEMM in Swift SIMD, for machines without a BLAS: a 4×16 register-blocked
/// kernel over a cache-sized panel of B, on the calling thread (the executor splits the work
/// between cores). Multiply and add are separate instructions on purpose: without a target CPU
/// that has FMA, `addingProduct` compiles to calls to `fmaf`.
struct BuiltinGEMM: GEMM {
    let name = "built-in Swift SIMD kernel"
    let isSingleThreaded = true
    let addressSpacePerCaller = 0
    static let panel = 256  // rows of B per pass, ~0.5 MiB for N = 512

    func multiply(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, transposeA: Bool, b: UnsafePointer<Float>, ldb: Int,
        transposeB: Bool, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        // Work on row-major A (M×K) and B (K×N); transposed operands are copied once.
        let rowA = transposeA ? Self.transposed(a, rows: k, columns: m, stride: lda) : nil
        let rowB = transposeB ? Self.transposed(b, rows: n, columns: k, stride: ldb) : nil
        defer {
            rowA?.deallocate()
            rowB?.deallocate()
        }
        let left = Operand(base: rowA.map { UnsafePointer($0) } ?? a, stride: transposeA ? k : lda)
        let right = Operand(base: rowB.map { UnsafePointer($0) } ?? b, stride: transposeB ? n : ldb)
        if !accumulate { for row in 0..<m { (c + row * ldc).update(repeating: 0, count: n) } }
        var row = 0
        while row < m {
            Self.rows(row, min(4, m - row), n: n, k: k, a: left, b: right, c: c, ldc: ldc)
            row += 4
        }
    }

    /// A row-major matrix: rows `stride` floats apart.
    struct Operand {
        let base: UnsafePointer<Float>
        let stride: Int
        subscript(row: Int, column: Int) -> Float { base[row * stride + column] }
    }

    static func transposed(
        _ source: UnsafePointer<Float>, rows: Int, columns: Int, stride: Int
    ) -> UnsafeMutablePointer<Float> {
        let target = UnsafeMutablePointer<Float>.allocate(capacity: rows * columns)
        for row in 0..<rows {
            for column in 0..<columns { target[column * rows + row] = source[row * stride + column] }
        }
        return target
    }

    /// C[row..<row+count, :] += A[row..<row+count, :] · B, `count` ≤ 4.
    static func rows(
        _ row: Int, _ count: Int, n: Int, k: Int, a: Operand, b: Operand, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        var start = 0
        while start < k {
            let end = min(k, start + panel)
            var column = 0
            while column + 16 <= n {
                tile(row, count, column, start, end, a: a, b: b, c: c, ldc: ldc)
                column += 16
            }
            // Remaining columns, one at a time.
            for j in column..<n {
                for r in 0..<count {
                    var sum: Float = 0
                    for p in start..<end { sum += a[row + r, p] * b[p, j] }
                    c[(row + r) * ldc + j] += sum
                }
            }
            start = end
        }
    }

    @inline(__always)
    static func tile(
        _ row: Int, _ count: Int, _ column: Int, _ start: Int, _ end: Int, a: Operand, b: Operand,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        typealias V = SIMD8<Float>
        var acc = (V(), V(), V(), V(), V(), V(), V(), V())
        let a0 = a.base + row * a.stride
        let a1 = a.base + (row + min(1, count - 1)) * a.stride
        let a2 = a.base + (row + min(2, count - 1)) * a.stride
        let a3 = a.base + (row + min(3, count - 1)) * a.stride
        for p in start..<end {
            let bp = UnsafeRawPointer(b.base + p * b.stride + column)
            let low = bp.loadUnaligned(as: V.self)
            let high = bp.loadUnaligned(fromByteOffset: 32, as: V.self)
            let x0 = V(repeating: a0[p]), x1 = V(repeating: a1[p])
            let x2 = V(repeating: a2[p]), x3 = V(repeating: a3[p])
            acc.0 += x0 * low
            acc.1 += x0 * high
            acc.2 += x1 * low
            acc.3 += x1 * high
            acc.4 += x2 * low
            acc.5 += x2 * high
            acc.6 += x3 * low
            acc.7 += x3 * high
        }
        func add(_ r: Int, _ low: V, _ high: V) {
            let target = UnsafeMutableRawPointer(c + (row + r) * ldc + column)
            target.storeBytes(of: target.loadUnaligned(as: V.self) + low, as: V.self)
            target.storeBytes(of: target.loadUnaligned(fromByteOffset: 32, as: V.self) + high, toByteOffset: 32, as: V.self)
        }
        add(0, acc.0, acc.1)
        if count > 1 { add(1, acc.2, acc.3) }
        if count > 2 { add(2, acc.4, acc.5) }
        if count > 3 { add(3, acc.6, acc.7) }
    }
}
