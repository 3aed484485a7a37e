import Foundation
import ConvLintKit
import Testing

@testable import ConvLintExecutor

/// Each kernel against a naive reference on small random cases.
@Suite struct ExecutorKernelTests {
    /// The Swift kernel, the C kernel on every instruction set this CPU runs, and a BLAS when installed.
    static let backends: [any GEMM] =
        [BuiltinGEMM()] + NativeGEMM.supported.map { NativeGEMM(isa: $0) } + (LoadedBLAS.load().map { [$0] } ?? [])
    /// float32 sums of a few hundred products: relative error well under 1e-4.
    static let tolerance: Float = 1e-4

    func random(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededRandom(seed: seed)
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        defer { buffer.deallocate() }
        generator.fillNormal(buffer, standardDeviation: 1)
        return Array(buffer)
    }

    func tensor(_ values: [Float], _ batch: Int, _ depth: Int, _ height: Int, _ width: Int, arena: TensorArena) -> Tensor {
        let tensor = Tensor(batch: batch, depth: depth, height: height, width: width, arena: arena)
        _ = tensor.storage.initialize(from: values)
        return tensor
    }

    /// Within the tolerance of `scale` (by default the largest expected value, at least 1).
    func expectClose(_ actual: UnsafeMutableBufferPointer<Float>, _ expected: [Float], _ what: String, scale: Float? = nil) {
        #expect(actual.count == expected.count)
        let scale = scale ?? max(1, expected.map(abs).max() ?? 1)
        let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= Self.tolerance * scale, "\(what): largest difference \(worst)")
    }

    /// C = A·B by its definition, rows of C `ldc` apart.
    // swiftlint:disable:next function_parameter_count
    static func tripleLoop(
        m: Int, n: Int, k: Int, a: [Float], lda: Int, transposeA: Bool, b: [Float], ldb: Int, transposeB: Bool, ldc: Int
    ) -> [Float] {
        var c = [Float](repeating: 0, count: m * ldc)
        for i in 0..<m {
            for j in 0..<n {
                for p in 0..<k {
                    c[i * ldc + j] += (transposeA ? a[p * lda + i] : a[i * lda + p]) * (transposeB ? b[j * ldb + p] : b[p * ldb + j])
                }
            }
        }
        return c
    }

    // (1, …, true): an FC layer at batch 1, which BLAS runs as a matrix-vector product.
    @Test(arguments: [
        (5, 7, 3, false, false), (64, 50, 33, false, true), (17, 33, 129, true, false), (4, 16, 8, true, true),
        (1, 300, 77, false, true),
        // Few rows by every route of the C kernel's matrix-vector path; tiles and panels with edges
        // (14×32 tiles, 256-deep panels, 168-row blocks) on both sides.
        (3, 37, 50, true, false), (2, 33, 70, false, false), (4, 129, 300, true, true), (1, 5, 1, false, false),
        (15, 33, 257, false, false), (169, 65, 513, true, true), (29, 3100, 20, false, true),
        // The matrix-vector path four columns at a time, with columns and depth left over.
        (3, 303, 70, false, true), (1, 6, 15, false, true),
        // Packed ahead across row blocks and panels: 170 rows and 300 deep.
        (170, 40, 300, false, false),
    ])
    func gemmMatchesTheTripleLoop(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool) {
        let a = random(m * k, seed: 1), b = random(k * n, seed: 2)
        let expected = Self.tripleLoop(
            m: m, n: n, k: k, a: a, lda: transposeA ? m : k, transposeA: transposeA, b: b, ldb: transposeB ? k : n,
            transposeB: transposeB, ldc: n)
        for gemm in Self.backends {
            let c = UnsafeMutableBufferPointer<Float>.allocate(capacity: m * n)
            defer { c.deallocate() }
            gemm.multiply(m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB, c: c.baseAddress!, accumulate: false)
            expectClose(c, expected, gemm.name)
            guard !transposeA else { continue }
            // A packed ahead, as a layer's weights are, and accumulated onto C: C + A·B = 2C.
            let packed = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, gemm.packedCount(m: m, k: k)))
            defer { packed.deallocate() }
            gemm.pack(m: m, k: k, a: a, lda: k, into: packed.baseAddress!)
            // An operand holds a pointer: A's must outlive the multiply.
            let stored = UnsafeMutableBufferPointer<Float>.allocate(capacity: a.count)
            defer { stored.deallocate() }
            _ = stored.initialize(from: a)
            let operand: GEMMOperand =
                gemm.packedCount(m: m, k: k) > 0 ? .packed(packed.baseAddress!) : .stored(stored.baseAddress!, lda: k)
            gemm.multiply(
                m: m, n: n, k: k, a: operand, b: b, ldb: transposeB ? k : n, transposeB: transposeB, c: c.baseAddress!, ldc: n,
                accumulate: true, epilogue: .none)
            expectClose(c, expected.map { 2 * $0 }, "\(gemm.name) packed")
            // And through an epilogue, row by row: 2C·scale + shift, clamped to [−1, 2].
            let (scale, shift) = (random(m, seed: 14), random(m, seed: 15))
            scale.withUnsafeBufferPointer { scalePointer in
                shift.withUnsafeBufferPointer { shiftPointer in
                    let epilogue = Epilogue(scale: scalePointer.baseAddress, shift: shiftPointer.baseAddress, clamp: (-1, 2))
                    gemm.multiply(
                        m: m, n: n, k: k, a: .stored(stored.baseAddress!, lda: k), b: b, ldb: transposeB ? k : n, transposeB: transposeB,
                        c: c.baseAddress!, ldc: n, accumulate: true, epilogue: epilogue)
                }
            }
            let through = expected.indices.map { min(max(3 * expected[$0] * scale[$0 / n] + shift[$0 / n], -1), 2) }
            let size = max(1, expected.indices.map { abs(3 * expected[$0] * scale[$0 / n]) }.max() ?? 1)
            expectClose(c, through, "\(gemm.name) epilogue", scale: size)
        }
    }

    /// The C kernel packs A ahead on every instruction set but for the few rows it reads as stored.
    @Test func nativeKernelPacksAllButFewRows() {
        for isa in NativeGEMM.supported {
            let gemm = NativeGEMM(isa: isa)
            #expect(gemm.packedCount(m: 4, k: 100) == 0)
            let tile = ["portable": 4, "avx2": 6, "avx512": 14][String(gemm.name.split(separator: "(").last!.dropLast())]!
            // Rows padded to whole tiles.
            #expect(gemm.packedCount(m: 5, k: 300) == (5 + tile - 1) / tile * tile * 300)
            #expect(gemm.packedCount(m: 2 * tile + 1, k: 3) == 3 * tile * 3)
        }
        #expect(NativeGEMM.supported.first == 0)
    }

    /// Operands inside wider matrices (lda, ldb, ldc), and the product split across cores by
    /// columns (N = 300) and by rows (N = 9, M = 70), against the same triple loop.
    @Test(arguments: [(70, 300, 19, false, false), (70, 9, 19, true, false), (1, 300, 40, false, true), (70, 9, 19, false, true)])
    func stridedAndSplitGEMMsMatchTheTripleLoop(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool) {
        let (lda, ldb, ldc) = ((transposeA ? m : k) + 3, (transposeB ? k : n) + 5, n + 7)
        let a = random((transposeA ? k : m) * lda, seed: 12), b = random((transposeB ? n : k) * ldb, seed: 13)
        let expected = Self.tripleLoop(
            m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA, b: b, ldb: ldb, transposeB: transposeB, ldc: ldc)
        for gemm in Self.backends {
            let c = UnsafeMutableBufferPointer<Float>.allocate(capacity: m * ldc)
            defer { c.deallocate() }
            c.initialize(repeating: 0)
            gemm.multiply(
                m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA, b: b, ldb: ldb, transposeB: transposeB,
                c: c.baseAddress!, ldc: ldc, accumulate: false)
            expectClose(c, expected, "\(gemm.name) strided")
            // Dense operands across every core: the same products, compacted.
            let denseA = (0..<(transposeA ? k : m)).flatMap { row in a[(row * lda)..<(row * lda + (transposeA ? m : k))] }
            let denseB = (0..<(transposeB ? n : k)).flatMap { row in b[(row * ldb)..<(row * ldb + (transposeB ? k : n))] }
            let split = UnsafeMutableBufferPointer<Float>.allocate(capacity: m * n)
            defer { split.deallocate() }
            gemm.multiplyOnAllCores(
                m: m, n: n, k: k, a: denseA, transposeA: transposeA, b: denseB, transposeB: transposeB,
                c: split.baseAddress!, accumulate: false)
            expectClose(split, (0..<m).flatMap { expected[($0 * ldc)..<($0 * ldc + n)] }, "\(gemm.name) on all cores")
        }
    }

    struct ConvCase: Sendable, CustomTestStringConvertible {
        var batch = 1, depth = 3, height = 9, width = 7, filters = 4
        var kernel = (w: 3, h: 3), stride = (w: 1, h: 1), padding = (w: 1, h: 1), dilation = (w: 1, h: 1), groups = 1
        /// `rounding: ceil`: a last window that hangs past the padded input, which reads zeros there.
        var roundsUp = false
        var testDescription: String {
            "\(batch)x\(depth)x\(height)x\(width) K\(filters) F\(kernel) S\(stride) P\(padding) d\(dilation) g\(groups)"
                + (roundsUp ? " ceil" : "")
        }
        var outHeight: Int { (height + 2 * padding.h - dilation.h * (kernel.h - 1) - 1 + (roundsUp ? stride.h - 1 : 0)) / stride.h + 1 }
        var outWidth: Int { (width + 2 * padding.w - dilation.w * (kernel.w - 1) - 1 + (roundsUp ? stride.w - 1 : 0)) / stride.w + 1 }
    }

    /// Each with the method it must take: few channels, or a kernel no larger than its stride,
    /// take im2col; 1x1 unpadded stride 1 multiplies the input; 16 or more channels a group are
    /// shifted, over the phases of the padded input at a stride.
    static let convCases: [(ConvCase, Convolution.Method)] = [
        (ConvCase(), .columns),
        (ConvCase(batch: 2, height: 10, width: 10, stride: (2, 2), padding: (0, 0)), .columns),
        (ConvCase(depth: 4, height: 11, width: 8, filters: 6, kernel: (3, 3), padding: (2, 2), dilation: (2, 2)), .columns),
        (ConvCase(depth: 4, filters: 6, groups: 2), .columns),
        (ConvCase(depth: 6, filters: 6, groups: 6), .columns),
        (ConvCase(kernel: (1, 3), padding: (0, 1)), .columns),
        (ConvCase(batch: 3, depth: 5, height: 6, width: 5, filters: 7, kernel: (1, 1), padding: (0, 0)), .pointwise),
        (ConvCase(height: 13, width: 13, filters: 5, kernel: (5, 5), stride: (3, 2), padding: (2, 1)), .columns),
        // Enough positions for several blocks per core, which split output rows.
        (ConvCase(depth: 64, height: 48, width: 48, filters: 4), .shifted),
        (ConvCase(depth: 64, height: 61, width: 47, filters: 3, stride: (1, 2), padding: (1, 0), dilation: (2, 1)), .shifted),
        (ConvCase(depth: 300, height: 30, width: 30, filters: 5, stride: (2, 2)), .shifted),
        (ConvCase(batch: 2, depth: 40, height: 20, width: 33, filters: 6, kernel: (1, 1), padding: (0, 0)), .pointwise),
        // Shifted: dilation, no padding, rectangular kernels and padding, groups, batches, odd sizes.
        (ConvCase(batch: 2, depth: 16, height: 9, width: 11, filters: 5, padding: (0, 0)), .shifted),
        (ConvCase(depth: 20, height: 17, width: 13, filters: 7, kernel: (3, 5), padding: (2, 1), dilation: (1, 2)), .shifted),
        (ConvCase(depth: 32, height: 12, width: 10, filters: 6, padding: (1, 1), groups: 2), .shifted),
        (ConvCase(depth: 16, height: 7, width: 7, filters: 600, kernel: (1, 1), padding: (1, 1)), .shifted),
        (ConvCase(batch: 3, depth: 17, height: 80, width: 70, filters: 9, kernel: (5, 5), padding: (2, 2)), .shifted),
        // Few positions and many filters: the cores split the filters (unevenly here), each method.
        (ConvCase(batch: 2, depth: 40, height: 5, width: 7, filters: 70, kernel: (1, 1), padding: (0, 0)), .pointwise),
        (ConvCase(depth: 20, height: 9, width: 9, filters: 33, stride: (2, 2)), .shifted),
        (ConvCase(depth: 32, height: 7, width: 7, filters: 70, groups: 2), .shifted),
        // Rectangular kernels with unequal paddings, some wider than their input: Inception v3's
        // 1x7 and 7x1 (padding on one axis only, which the padded copy must not overrun), and
        // windows whose taps fall wholly outside the input on some columns.
        (ConvCase(depth: 24, height: 17, width: 17, filters: 5, kernel: (7, 1), padding: (3, 0)), .shifted),
        (ConvCase(depth: 24, height: 17, width: 17, filters: 5, kernel: (1, 7), padding: (0, 3)), .shifted),
        (ConvCase(depth: 16, height: 5, width: 4, filters: 3, kernel: (7, 3), padding: (3, 1)), .shifted),
        (ConvCase(depth: 12, height: 6, width: 4, filters: 12, kernel: (13, 3), stride: (2, 2), padding: (6, 1)), .columns),
        (ConvCase(depth: 3, height: 4, width: 6, filters: 2, kernel: (3, 9), stride: (2, 1), padding: (1, 4)), .columns),
        (ConvCase(depth: 5, height: 3, width: 3, filters: 4, kernel: (5, 5), stride: (3, 3), padding: (2, 2)), .columns),
        (ConvCase(depth: 4, height: 8, width: 2, filters: 3, kernel: (1, 5), padding: (0, 2)), .columns),
        // Stride-2 rows of more than 16 outputs, which the C im2col gathers 16 at a time (and
        // its last 16 from loads that end at the row's last value): ResNet's 7x7/2 stem.
        (ConvCase(depth: 3, height: 20, width: 70, filters: 5, kernel: (7, 7), stride: (2, 2), padding: (3, 3)), .columns),
        (ConvCase(batch: 2, depth: 4, height: 9, width: 40, filters: 6, stride: (2, 2), padding: (1, 1)), .columns),
        (ConvCase(depth: 4, height: 6, width: 66, filters: 3, kernel: (1, 1), stride: (2, 2), padding: (0, 0)), .columns),
        // Shifted over phases: ResNet's 3x3/2 on an even input, mixed strides with dilation on odd
        // sizes (taps of each phase but one on the columns), groups, a rounded-up last window;
        // and kernels no larger than their stride (a 1x1/2 shortcut, 2x2/2), by im2col.
        (ConvCase(depth: 16, height: 14, width: 14, filters: 20, stride: (2, 2)), .shifted),
        (ConvCase(batch: 2, depth: 18, height: 13, width: 11, filters: 7, kernel: (5, 3), stride: (3, 2), padding: (1, 2),
                  dilation: (2, 1)), .shifted),
        (ConvCase(depth: 32, height: 9, width: 10, filters: 6, stride: (2, 2), groups: 2), .shifted),
        (ConvCase(depth: 16, height: 10, width: 9, filters: 5, stride: (2, 2), padding: (0, 0), roundsUp: true), .shifted),
        (ConvCase(depth: 32, height: 9, width: 9, filters: 8, kernel: (1, 1), stride: (2, 2), padding: (0, 0)), .columns),
        (ConvCase(depth: 16, height: 8, width: 8, filters: 4, kernel: (2, 2), stride: (2, 2), padding: (0, 0)), .columns),
    ]

    /// The convolution written as its definition: seven nested loops.
    static func directConvolution(_ c: ConvCase, input: Tensor, weights: [Float], bias: [Float]) -> [Float] {
        let inPerGroup = c.depth / c.groups, outPerGroup = c.filters / c.groups
        var expected = [Float](repeating: 0, count: c.batch * c.filters * c.outHeight * c.outWidth)
        for n in 0..<c.batch {
            for f in 0..<c.filters {
                let group = f / outPerGroup
                for oy in 0..<c.outHeight {
                    for ox in 0..<c.outWidth {
                        var sum = bias[f]
                        for ch in 0..<inPerGroup {
                            for ky in 0..<c.kernel.h {
                                for kx in 0..<c.kernel.w {
                                    let y = oy * c.stride.h - c.padding.h + ky * c.dilation.h
                                    let x = ox * c.stride.w - c.padding.w + kx * c.dilation.w
                                    guard y >= 0, y < c.height, x >= 0, x < c.width else { continue }
                                    let value = input.storage[((n * c.depth + group * inPerGroup + ch) * c.height + y) * c.width + x]
                                    // Weights are stored K × Kh × Kw × C/g.
                                    sum += value * weights[((f * c.kernel.h + ky) * c.kernel.w + kx) * inPerGroup + ch]
                                }
                            }
                        }
                        expected[((n * c.filters + f) * c.outHeight + oy) * c.outWidth + ox] = sum
                    }
                }
            }
        }
        return expected
    }

    /// A random per-channel scale and shift and a clamp to [−0.5, 1] (tighter than any
    /// activation's, so that both bounds bite), and what they make of an unbiased output plus,
    /// when given, the residual added before the clamp.
    static func epilogue(_ c: ConvCase) -> (
        epilogue: Epilogue, expected: ([Float], [Float]?) -> [Float], scale: ([Float]) -> Float
    ) {
        var generator = SeededRandom(seed: 6)
        let values = UnsafeMutableBufferPointer<Float>.allocate(capacity: 2 * c.filters)
        generator.fillNormal(values, standardDeviation: 1)
        // Lives as long as the test process: an Epilogue holds pointers.
        let (scale, shift) = (UnsafePointer(values.baseAddress!), UnsafePointer(values.baseAddress! + c.filters))
        let plane = c.outHeight * c.outWidth
        return (
            Epilogue(scale: scale, shift: shift, clamp: (-0.5, 1)),
            { unbiased, residual in
                unbiased.indices.map { i in
                    let f = i / plane % c.filters
                    return min(max(unbiased[i] * scale[f] + shift[f] + (residual?[i] ?? 0), -0.5), 1)
                }
            },
            // The clamp hides the size of what it clamps, not its rounding error.
            { unbiased in max(1, unbiased.indices.map { abs(unbiased[$0] * scale[$0 / plane % c.filters]) }.max() ?? 1) }
        )
    }

    static func geometry(_ c: ConvCase) -> WindowGeometry {
        WindowGeometry(
            filters: c.filters, kernel: c.kernel, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
    }

    @Test(arguments: convCases)
    func convolutionMatchesTheDirectLoops(_ c: ConvCase, method: Convolution.Method) {
        checkConvolution(c, method: method)
    }

    /// A convolution on every GEMM backend against the direct loops; `method`, when given, is
    /// the algorithm it must take.
    func checkConvolution(_ c: ConvCase, method: Convolution.Method?) {
        let arena = TensorArena()
        let inPerGroup = c.depth / c.groups
        let input = tensor(random(c.batch * c.depth * c.height * c.width, seed: 3), c.batch, c.depth, c.height, c.width, arena: arena)
        let weights = random(c.filters * inPerGroup * c.kernel.h * c.kernel.w, seed: 4)
        let bias = random(c.filters, seed: 5)
        let expected = Self.directConvolution(c, input: input, weights: weights, bias: bias)
        let unbiased = Self.directConvolution(c, input: input, weights: weights, bias: [Float](repeating: 0, count: c.filters))
        for gemm in Self.backends {
            let output = Tensor(batch: c.batch, depth: c.filters, height: c.outHeight, width: c.outWidth, arena: arena)
            var conv = Convolution(
                Self.geometry(c), input: (c.depth, c.height, c.width), output: (c.outHeight, c.outWidth), gemm: gemm)
            // The built-in C kernel on AVX2 runs the shifted method's convolutions directly.
            let direct = (gemm as? NativeGEMM)?.runsDirectConvolution ?? false
            if let method { #expect(conv.method == (method == .shifted && direct ? .direct : method)) }
            // The C kernel packs the filters of each part when every part has more than four, and
            // always for the direct method.
            let perGroup = c.filters / c.groups
            if gemm is NativeGEMM, conv.method != .direct, perGroup <= 4 || perGroup >= 10 {
                #expect((conv.packedCount > 0) == (perGroup >= 10))
            }
            if conv.method == .direct { #expect(conv.packedCount > 0) }
            let packed = conv.pack(weights, channels: c.depth, gemm: gemm, arena: arena)
            // A BN folded to a scale and shift and a clamp, as the executor fuses them.
            var fused = conv
            let epilogue = Self.epilogue(c)
            fused.forward(input, weights: weights, packed: packed, epilogue: epilogue.epilogue, into: output, gemm: gemm, arena: arena)
            expectClose(
                output.storage, epilogue.expected(unbiased, nil), "\(gemm.name) \(c.testDescription) fused",
                scale: epilogue.scale(unbiased))
            // And the residual ADD after it, added before the clamp as the output is stored (or,
            // shifted, copied out of the block).
            let residual = random(output.count, seed: 7)
            residual.withUnsafeBufferPointer { residualValues in
                var sum = epilogue.epilogue
                (sum.addend, sum.addendStride) = (residualValues.baseAddress!, c.outHeight * c.outWidth)
                fused.forward(input, weights: weights, packed: packed, epilogue: sum, into: output, gemm: gemm, arena: arena)
            }
            expectClose(
                output.storage, epilogue.expected(unbiased, residual), "\(gemm.name) \(c.testDescription) fused with a residual",
                scale: epilogue.scale(unbiased))
            conv.forward(input, weights: weights, packed: packed, epilogue: Epilogue(bias: bias), into: output, gemm: gemm, arena: arena)
            expectClose(output.storage, expected, "\(gemm.name) \(c.testDescription)")
            let macs = c.batch * c.filters * c.outHeight * c.outWidth * inPerGroup * c.kernel.h * c.kernel.w
            #expect(conv.macs == macs)
            // Shifted computes each output row as wide as a phase of the padded input: every
            // stride-th column of it, or as far as the last window reaches when that is further.
            let reach = c.dilation.w * (c.kernel.w - 1) / c.stride.w
            let phaseWidth = max((c.width + 2 * c.padding.w + c.stride.w - 1) / c.stride.w, c.outWidth + reach)
            #expect(conv.multiplications == (conv.method.readsPhases ? macs / c.outWidth * phaseWidth : macs))
        }
    }

    static let winogradCases: [ConvCase] = [
        ConvCase(),
        ConvCase(depth: 16, height: 10, width: 11, filters: 5, padding: (0, 0)),
        ConvCase(batch: 2, depth: 8, height: 7, width: 9, filters: 6, padding: (1, 1)),
        // Two blocks of tiles per core (23·24 = 552 tiles in blocks of 256 at most), odd sizes.
        ConvCase(depth: 256, height: 45, width: 47, filters: 2, padding: (1, 1)),
    ]

    @Test(arguments: winogradCases, Winograd.Tile.allCases)
    func winogradMatchesTheDirectLoopsWithFewerMultiplications(_ c: ConvCase, tile: Winograd.Tile) {
        checkWinograd(c, tile: tile)
    }

    /// Winograd F(m x m, 3x3) on every GEMM backend against the direct loops.
    func checkWinograd(_ c: ConvCase, tile: Winograd.Tile) {
        let arena = TensorArena()
        let input = tensor(random(c.batch * c.depth * c.height * c.width, seed: 8), c.batch, c.depth, c.height, c.width, arena: arena)
        let weights = random(c.filters * c.depth * 9, seed: 9)
        let bias = random(c.filters, seed: 10)
        let expected = Self.directConvolution(c, input: input, weights: weights, bias: bias)
        let unbiased = Self.directConvolution(c, input: input, weights: weights, bias: [Float](repeating: 0, count: c.filters))
        #expect(Winograd.applies(to: Self.geometry(c), channels: max(c.depth, 16)))
        for gemm in Self.backends {
            let output = Tensor(batch: c.batch, depth: c.filters, height: c.outHeight, width: c.outWidth, arena: arena)
            var winograd = Winograd(Self.geometry(c), tile: tile, weights: weights, channels: c.depth, gemm: gemm, arena: arena)
            #expect((winograd.packedStride > 0) == (gemm is NativeGEMM && c.filters > 4))
            var fused = winograd
            let epilogue = Self.epilogue(c)
            fused.forward(input, epilogue: epilogue.epilogue, into: output, gemm: gemm, arena: arena)
            expectClose(output.storage, epilogue.expected(unbiased, nil), "\(gemm.name) \(c.testDescription) fused", scale: epilogue.scale(unbiased))
            winograd.forward(input, epilogue: Epilogue(bias: bias), into: output, gemm: gemm, arena: arena)
            expectClose(output.storage, expected, "\(gemm.name) \(c.testDescription)")
            #expect(winograd.macs == c.batch * c.filters * c.outHeight * c.outWidth * c.depth * 9)
            let m = tile.rawValue
            let tiles = (c.outHeight + m - 1) / m * ((c.outWidth + m - 1) / m)
            #expect(winograd.multiplications == c.batch * (m + 2) * (m + 2) * c.filters * c.depth * tiles)
        }
    }

    /// A DECONV's window: kernel, stride, padding and output padding, each (w, h).
    struct DeconvCase: Sendable, CustomTestStringConvertible {
        var kernel: (w: Int, h: Int), stride = (w: 1, h: 1), padding = (w: 0, h: 0), outputPadding = (w: 0, h: 0)
        var testDescription: String { "F\(kernel) S\(stride) P\(padding) O\(outputPadding)" }
    }

    static let deconvCases = [
        DeconvCase(kernel: (2, 2)), DeconvCase(kernel: (2, 2), padding: (1, 1)),
        DeconvCase(kernel: (3, 3), stride: (2, 2), padding: (1, 1), outputPadding: (1, 1)),
        DeconvCase(kernel: (4, 4), stride: (2, 2), padding: (1, 1)),
        // Rectangular, wider than the 4x5 input, with unequal strides and paddings.
        DeconvCase(kernel: (6, 1), stride: (1, 3), padding: (2, 0), outputPadding: (0, 2)),
        DeconvCase(kernel: (3, 7), stride: (2, 1), padding: (0, 3), outputPadding: (1, 0)),
    ]

    @Test(arguments: deconvCases)
    func deconvolutionMatchesScatteringEachInput(_ c: DeconvCase) {
        checkDeconvolution(c, batch: 2, depth: 3, filters: 4, height: 5, width: 4)
    }

    /// A transposed convolution by scattering each input value through the kernel.
    func checkDeconvolution(_ c: DeconvCase, batch: Int, depth: Int, filters: Int, height h: Int, width w: Int) {
        let arena = TensorArena()
        let (kernel, stride, padding) = (c.kernel, c.stride, c.padding)
        let outH = (h - 1) * stride.h - 2 * padding.h + kernel.h + c.outputPadding.h
        let outW = (w - 1) * stride.w - 2 * padding.w + kernel.w + c.outputPadding.w
        let input = tensor(random(batch * depth * h * w, seed: 6), batch, depth, h, w, arena: arena)
        let weights = random(depth * filters * kernel.w * kernel.h, seed: 7)
        var expected = [Float](repeating: 0, count: batch * filters * outH * outW)
        for n in 0..<batch {
            for ch in 0..<depth {
                for y in 0..<h {
                    for x in 0..<w {
                        let value = input.storage[((n * depth + ch) * h + y) * w + x]
                        for f in 0..<filters {
                            for ky in 0..<kernel.h {
                                for kx in 0..<kernel.w {
                                    let oy = y * stride.h - padding.h + ky, ox = x * stride.w - padding.w + kx
                                    guard oy >= 0, oy < outH, ox >= 0, ox < outW else { continue }
                                    expected[((n * filters + f) * outH + oy) * outW + ox] +=
                                        value * weights[((ch * filters + f) * kernel.h + ky) * kernel.w + kx]
                                }
                            }
                        }
                    }
                }
            }
        }
        for gemm in Self.backends {
            let output = Tensor(batch: batch, depth: filters, height: outH, width: outW, arena: arena)
            var deconv = Deconvolution(WindowGeometry(filters: filters, kernel: kernel, stride: stride, padding: padding))
            deconv.forward(input, weights: weights, bias: nil, into: output, gemm: gemm, arena: arena)
            expectClose(output.storage, expected, "\(gemm.name) \(batch)x\(depth)x\(h)x\(w) K\(filters) \(c.testDescription)")
            #expect(deconv.macs == batch * h * w * filters * kernel.w * kernel.h * depth)
        }
    }

    /// Pooling by its definition, with PyTorch's conventions: padding is −∞ for max and counts
    /// as zeros for the average, and `ceil` windows are clipped to the padded input.
    @Test(arguments: [
        // Windows taller or wider than the 3-wide, 4-high input; the last two with ceil's clipped windows.
        ((3, 5), (2, 1), (1, 2), 2, 4), ((5, 3), (1, 2), (2, 1), 3, 2), ((2, 4), (2, 2), (0, 1), 2, 2),
        ((3, 3), (2, 2), (1, 1), 2, 3),
        // The 2x2 max pool's own path must not take ceil's clipped windows: it read past the row.
        ((2, 2), (2, 2), (0, 0), 2, 2),
    ])
    func poolingMatchesItsDefinition(kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), outW: Int, outH: Int) {
        checkPooling(
            kernel: kernel, stride: stride, padding: padding, batch: 1, depth: 2, height: 4, width: 3, outW: outW, outH: outH)
    }

    /// Rows wide enough for the C kernel's paths that pool 16 outputs at a time (strides 1 and
    /// 2) and the one that pools one at a time (3), with the clipped windows of the edges, a
    /// remainder after the last 16, and windows that end at the input's last value.
    @Test(arguments: [(3, 1, 1), (5, 1, 2), (3, 1, 0), (2, 1, 1), (3, 2, 1), (3, 2, 0), (2, 2, 0), (3, 3, 1)])
    func widePoolingMatchesItsDefinition(kernel: Int, stride: Int, padding: Int) {
        for width in [16, 17, 18, 37, 40, 64, 71] {
            let outW = (width + 2 * padding - kernel) / stride + 1
            let outH = (6 + 2 * padding - kernel) / stride + 1
            checkPooling(
                kernel: (kernel, kernel), stride: (stride, stride), padding: (padding, padding), batch: 2, depth: 2, height: 6,
                width: width, outW: outW, outH: outH)
        }
    }

    /// Max and average pooling of a random input against the loops of their definition.
    func checkPooling(
        kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), batch: Int, depth: Int, height: Int, width: Int,
        outW: Int, outH: Int
    ) {
        let arena = TensorArena()
        let values = random(batch * depth * height * width, seed: 8)
        let input = tensor(values, batch, depth, height, width, arena: arena)
        // Every instruction set this CPU runs, for max and for average.
        for (isMax, isa) in [true, false].flatMap({ isMax in NativeGEMM.supported.map { (isMax, $0) } }) {
            let output = Tensor(batch: batch, depth: depth, height: outH, width: outW, arena: arena)
            Pooling(kernel: kernel, stride: stride, padding: padding, isMax: isMax, isa: isa).forward(input, into: output)
            var expected = [Float]()
            for plane in 0..<batch * depth {
                for oy in 0..<outH {
                    for ox in 0..<outW {
                        let y0 = oy * stride.1 - padding.1, x0 = ox * stride.0 - padding.0
                        let y1 = min(y0 + kernel.1, height + padding.1), x1 = min(x0 + kernel.0, width + padding.0)
                        var best = -Float.infinity, sum: Float = 0
                        for y in y0..<y1 {
                            for x in x0..<x1 where y >= 0 && y < height && x >= 0 && x < width {
                                best = max(best, values[(plane * height + y) * width + x])
                                sum += values[(plane * height + y) * width + x]
                            }
                        }
                        expected.append(isMax ? best : sum / Float((y1 - y0) * (x1 - x0)))
                    }
                }
            }
            expectClose(
                output.storage, expected,
                "pool \(batch)x\(depth)x\(height)x\(width) F\(kernel) S\(stride) P\(padding) out \(outW)x\(outH) max \(isMax) isa \(isa)")
        }
    }

    @Test func poolingFollowsPyTorchsPaddingConventions() {
        let arena = TensorArena()
        let input = tensor((1...16).map(Float.init), 1, 1, 4, 4, arena: arena)
        let maxOut = Tensor(batch: 1, depth: 1, height: 2, width: 2, arena: arena)
        Pooling(kernel: (3, 3), stride: (2, 2), padding: (1, 1), isMax: true).forward(input, into: maxOut)
        #expect(Array(maxOut.storage) == [6, 8, 14, 16])
        let avgOut = Tensor(batch: 1, depth: 1, height: 2, width: 2, arena: arena)
        Pooling(kernel: (3, 3), stride: (2, 2), padding: (1, 1), isMax: false).forward(input, into: avgOut)
        // count_include_pad: the top-left window holds 1, 2, 5, 6 and five zeros of padding.
        #expect(abs(avgOut.storage[0] - 14 / 9) < 1e-6)
    }

    @Test func theTwoByTwoMaxPoolTakesTheLargestOfEachWindow() {
        let arena = TensorArena()
        let (batch, depth, height, width) = (2, 3, 6, 8)
        let values = random(batch * depth * height * width, seed: 11)
        let input = tensor(values, batch, depth, height, width, arena: arena)
        let output = Tensor(batch: batch, depth: depth, height: 3, width: 4, arena: arena)
        Pooling(kernel: (2, 2), stride: (2, 2), padding: (0, 0), isMax: true).forward(input, into: output)
        var expected = [Float]()
        for plane in 0..<(batch * depth) {
            for oy in 0..<3 {
                for ox in 0..<4 {
                    let at = { (y: Int, x: Int) in values[plane * height * width + y * width + x] }
                    expected.append(max(at(2 * oy, 2 * ox), at(2 * oy, 2 * ox + 1), at(2 * oy + 1, 2 * ox), at(2 * oy + 1, 2 * ox + 1)))
                }
            }
        }
        #expect(Array(output.storage) == expected)
    }

    /// Cores fill slices of a large buffer from a skipped generator: the values, and the draws
    /// after them, are those of one sequential pass. The PyTorch comparison relies on it.
    @Test func parallelNormalDrawsEqualTheSequentialOnes() {
        let count = 300_001  // odd, and over two slices of 65,536 pairs
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        defer { buffer.deallocate() }
        var parallel = SeededRandom(seed: 7)
        parallel.fillNormal(buffer, standardDeviation: 0.5)
        var sequential = SeededRandom(seed: 7)
        var expected = [Float]()
        while expected.count < count {
            let radius = (-2 * logf(sequential.uniform())).squareRoot() * 0.5
            let angle = 2 * Float.pi * sequential.uniform()
            expected += [radius * cosf(angle), radius * sinf(angle)]
        }
        #expect(Array(buffer) == Array(expected.prefix(count)))
        #expect(parallel.next() == sequential.next())
    }

    @Test func liveTensorBytesAreCountedAndReleased() {
        let arena = TensorArena()
        do {
            let a = Tensor(batch: 2, depth: 3, height: 4, width: 5, arena: arena)
            #expect(arena.liveBytes == a.count * 4)
        }
        #expect(arena.liveBytes == 0)
        #expect(arena.peakBytes == 2 * 3 * 4 * 5 * 4)
    }
}

/// Whole networks: every measured shape, parameter count and MAC count equals the static one.
@Suite struct ExecutorRunTests {
    func run(_ yaml: String, batch: Int = 1) -> (Analysis, RunMeasurement) {
        var options = AnalysisOptions()
        options.batch = batch
        let analysis = Analyzer.analyze(source: SourceFile(path: "x.yaml", text: yaml), options: options)
        return (analysis, Executor(analysis: analysis).run())
    }

    @Test func everyLayerKindRunsAndMatchesTheStaticFigures() {
        let yaml = """
            input: 15x15x3
            blocks:
              res(C): (CONV(C, F=3, P=1, bias=false) -> BN -> RELU + ID) -> RELU
            network: "INPUT -> CONV(8, F=3, P=1) -> LEAKYRELU -> res(8) -> (CONV(4, F=1) | CONV(4, F=3, P=1, dilation=1) | MAXPOOL(F=3, S=1, P=1))
              -> CONV(16, F=3, S=2, P=1, groups=16) -> RELU6 -> LRN(3) -> DECONV(8, F=2, S=2) -> SIGMOID -> AVGPOOL(2) -> LN -> TANH
              -> GELU -> SILU -> HARDSWISH -> MISH -> ELU -> HARDSIGMOID -> POOL -> FLATTEN -> DROPOUT(0.5) -> FC(10) -> SOFTMAX"
            """
        let (analysis, measurement) = run(yaml, batch: 2)
        #expect(analysis.isValid, "\(analysis.diagnostics)")
        #expect(measurement.layers.count == analysis.layers.count)
        #expect(measurement.mismatches(with: analysis).isEmpty, "\(measurement.mismatches(with: analysis))")
        #expect(measurement.params == analysis.totals.params)
        #expect(measurement.macs == analysis.totals.macs)
    }

    /// ID passes its input on as its output: an in-place ReLU after it must not clobber the
    /// tensor another branch still reads.
    /// Files whose static check passes and which once crashed the executor: Inception v3's 7x1
    /// padded on one axis (the shifted padding ran past its plane), and a 13x3 filter wider than
    /// a 4-wide input (im2col's valid columns, divided towards zero, reached past the row).
    @Test(arguments: [
        "input: 17x17x768\nnetwork: INPUT -> CONV(128, F=7x1, P=same) -> GAP -> FC(5)",
        "input: 17x17x64\nnetwork: INPUT -> CONV(32, F=1x7, P=same) -> CONV(16, F=7x1, P=same) -> GAP -> FC(5)",
        "input: 4x6x12\nrounding: floor\nnetwork: INPUT -> CONV(12, F=13x3, S=2, P=same) -> GAP -> FC(5)",
    ])
    func rectangularKernelsWiderThanTheirInputRun(_ yaml: String) {
        let (analysis, measurement) = run(yaml)
        #expect(analysis.isValid, "\(analysis.diagnostics)")
        #expect(measurement.mismatches(with: analysis).isEmpty, "\(measurement.mismatches(with: analysis))")
        #expect(measurement.macs == analysis.totals.macs)
    }

    @Test func inPlaceLayersSpareATensorOtherBranchesStillRead() throws {
        let analysis = Analyzer.analyze(
            source: SourceFile(path: "x.yaml", text: "input: 6x6x3\nnetwork: INPUT -> CONV(4, F=1) -> ((ID -> RELU | ID) + (ID | ID))"),
            options: AnalysisOptions())
        try #require(analysis.isValid, "\(analysis.diagnostics)")
        var final = [Float]()
        _ = Executor(analysis: analysis).run(output: { final = Array($0) })
        let plane = 6 * 6 * 4
        let (rectified, raw) = (final[..<plane], final[plane...])
        // (relu(x) | x) + (x | x): the first half is relu(x) + x, the second 2x, with its negatives.
        #expect(raw.contains { $0 < 0 })
        #expect(zip(rectified, raw).allSatisfy { abs($0 - ($1 > 0 ? $1 : $1 / 2)) <= 1e-5 * max(1, abs($1)) })
    }

    @Test func liveTensorsPeakBelowThePlanAndKeepingActivationsHoldsThemAll() throws {
        let analysis = analyzeArchitecture("pattern-3x-conv-conv-pool.yaml")
        let memory = try #require(analysis.memory)
        let freed = Executor(analysis: analysis).run()
        var keep = Executor.Options()
        keep.keepActivations = true
        let kept = Executor(analysis: analysis, options: keep).run()
        let plan = RunPlan(analysis: analysis, memory: memory, keepActivations: false)
        #expect(freed.peakBytes <= plan.predicted)
        #expect(freed.peakBytes < kept.peakBytes)
        // Kept: weights + every activation (ReLU in place) + transient BN/pool buffers of none here.
        #expect(kept.peakBytes.bytes >= analysis.totals.params * 4 + analysis.totals.activations * 4)
    }

    /// DECONV's patches come from the arena: the measured peak holds them beside the weights,
    /// the input and the output, and the plan predicts them.
    @Test func transposedConvolutionScratchIsMeasuredAndPredicted() throws {
        let analysis = Analyzer.analyze(
            source: SourceFile(path: "x.yaml", text: "input: 8x8x64\nnetwork: INPUT -> DECONV(64, F=4, S=2, P=1, bias=false)"))
        let run = Executor(analysis: analysis).run()
        let patches = 64 * 4 * 4 * 8 * 8
        let weights = 64 * 64 * 4 * 4, input = 8 * 8 * 64, output = 16 * 16 * 64
        #expect(run.peakBytes.bytes >= (weights + input + output + patches) * 4)
        let plan = RunPlan(analysis: analysis, memory: try #require(analysis.memory), keepActivations: false)
        #expect(plan.workspace.bytes == patches * 4)
        #expect(run.peakBytes <= plan.predicted)
    }

    @Test func aNetworkThatDoesNotFitIsRefusedWithTheLargestBatchThatDoes() throws {
        var options = AnalysisOptions()
        options.batch = 64
        let analysis = analyzeArchitecture("vgg16.yaml", options: options)
        let plan = RunPlan(analysis: analysis, memory: try #require(analysis.memory), keepActivations: false)
        let message = try #require(plan.refusal(available: ByteCount(1 << 30)))
        #expect(message.contains("error[exceeds-available-memory]: running batch 64 needs about"))
        #expect(message.contains("the largest batch that fits is "))
        #expect(plan.refusal(available: ByteCount(1 << 40)) == nil)
    }

    /// The refusal's margin: a run whose plan equals the memory available is accepted, and
    /// holds no more than that while it runs; a byte less is refused. The arena's cache once let
    /// ResNet-18 hold 1.6 times its plan.
    @Test(arguments: [("resnet18.yaml", 4), ("googlenet.yaml", 2), ("pattern-3x-conv-conv-pool.yaml", 8)])
    func aRunThatExactlyFitsIsAcceptedAndStaysWithinItsPlan(_ file: String, batch: Int) throws {
        var options = AnalysisOptions()
        options.batch = batch
        let analysis = analyzeArchitecture(file, options: options)
        let executor = Executor(analysis: analysis)
        let plan = try #require(executor.plan)
        #expect(plan.refusal(available: plan.predicted) == nil)
        #expect(plan.refusal(available: ByteCount(plan.predicted.bytes - 1)) != nil)
        _ = executor.run(passes: 2)
        #expect(executor.arena.peakReservedBytes <= plan.predicted.bytes,
                "held \(ByteCount(executor.arena.peakReservedBytes).binary), planned \(plan.predicted.binary)")
    }

    /// The help's largest batch is the largest whose plan fits.
    @Test func theLargestBatchTheRefusalNamesFitsAndOneMoreDoesNot() throws {
        func plan(_ batch: Int) throws -> RunPlan {
            var options = AnalysisOptions()
            options.batch = batch
            let analysis = analyzeArchitecture("resnet18.yaml", options: options)
            return RunPlan(analysis: analysis, memory: try #require(analysis.memory), keepActivations: false)
        }
        let available = ByteCount(1 << 30)
        let message = try #require(try plan(1000).refusal(available: available))
        let named = try #require(message.split(separator: "--batch ").last.flatMap { Int($0) })
        #expect(try plan(named).refusal(available: available) == nil)
        #expect(try plan(named + 1).refusal(available: available) != nil)
    }
}

/// The elementwise and normalisation kernels against their formulas, written out.
@Suite struct ExecutorElementwiseTests {
    let arena = TensorArena()

    func tensor(_ values: [Float], depth: Int, height: Int = 1, width: Int = 1) -> Tensor {
        let tensor = Tensor(batch: 1, depth: depth, height: height, width: width, arena: arena)
        _ = tensor.storage.initialize(from: values)
        return tensor
    }

    func close(_ a: [Float], _ b: [Float]) -> Bool { zip(a, b).allSatisfy { abs($0 - $1) < 1e-5 } && a.count == b.count }

    @Test func activationsFollowTheirDefinitions() {
        let x: [Float] = [-2, -0.5, 0, 0.5, 7]
        let out = UnsafeMutableBufferPointer<Float>.allocate(capacity: 5)
        defer { out.deallocate() }
        func run(_ activation: Activation) -> [Float] {
            activation.apply(x, out.baseAddress!, count: 5)
            return Array(out)
        }
        #expect(run(.relu) == [0, 0, 0, 0.5, 7])
        #expect(run(.relu6) == [0, 0, 0, 0.5, 6])
        #expect(close(run(.leakyRelu), [-0.02, -0.005, 0, 0.5, 7]))
        #expect(close(run(.sigmoid), x.map { 1 / (1 + exp(-$0)) }))
        #expect(close(run(.tanh), x.map { Float(Foundation.tanh(Double($0))) }))
        #expect(close(run(.gelu), x.map { 0.5 * $0 * (1 + Float(erf(Double($0) / 2.0.squareRoot()))) }))
    }

    /// Against PyTorch: `torch.nn.functional.silu` (and hardswish, hardsigmoid, mish, elu) of
    /// these inputs in float64, torch 2.15.
    @Test func newerActivationsEqualPyTorchs() {
        let x: [Float] = [-4, -2, -0.5, 0, 0.5, 2, 3.5, 7]
        let out = UnsafeMutableBufferPointer<Float>.allocate(capacity: x.count)
        defer { out.deallocate() }
        func run(_ activation: Activation) -> [Float] {
            activation.apply(x, out.baseAddress!, count: x.count)
            return Array(out)
        }
        #expect(close(run(.silu), [-0.0719448398, -0.238405844, -0.188770334, 0, 0.311229666, 1.76159416, 3.39740719, 6.99362264]))
        #expect(close(run(.hardswish), [0, -0.333333333, -0.208333333, 0, 0.291666667, 1.66666667, 3.5, 7]))
        #expect(close(run(.hardsigmoid), [0, 0.166666667, 0.416666667, 0.5, 0.583333333, 0.833333333, 1, 1]))
        #expect(close(run(.mish), [-0.0725917408, -0.252501483, -0.220743775, 0, 0.375245211, 1.94395896, 3.49399072, 6.99998838]))
        #expect(close(run(.elu), [-0.981684361, -0.864664717, -0.39346934, 0, 0.5, 2, 3.5, 7]))
    }

    @Test func softmaxNormalisesOverChannelsAtEachPosition() {
        let input = tensor([1, 2, 3, 4, 1, 1], depth: 3, height: 1, width: 2)  // positions (1,3,1) and (2,4,1)
        let output = Tensor(batch: 1, depth: 3, height: 1, width: 2, arena: arena)
        softmax(input, into: output)
        let first = [Float(1), 3, 1].map { exp($0) }, second = [Float(2), 4, 1].map { exp($0) }
        let expected = [first[0], second[0], first[1], second[1], first[2], second[2]]
        let sums = [first.reduce(0, +), second.reduce(0, +)]
        #expect(close(Array(output.storage), expected.enumerated().map { $1 / sums[$0 % 2] }))
    }

    @Test func batchNormScalesAndShiftsPerChannel() {
        let input = tensor([1, 2, 3, 4], depth: 2, height: 1, width: 2)
        let output = Tensor(batch: 1, depth: 2, height: 1, width: 2, arena: arena)
        let gamma: [Float] = [2, 1], beta: [Float] = [0, 1], mean: [Float] = [1, 3], variance: [Float] = [4, 1]
        batchNorm(input, into: output, gamma: gamma, beta: beta, mean: mean, variance: variance)
        let eps: Float = 1e-5
        #expect(close(Array(output.storage), [
            2 * (1 - 1) / (4 + eps).squareRoot(), 2 * (2 - 1) / (4 + eps).squareRoot(),
            (3 - 3) / (1 + eps).squareRoot() + 1, (4 - 3) / (1 + eps).squareRoot() + 1,
        ]))
    }

    @Test func layerNormUsesTheWholeImage() {
        let values: [Float] = [1, 2, 3, 6]
        let input = tensor(values, depth: 2, height: 1, width: 2)
        let output = Tensor(batch: 1, depth: 2, height: 1, width: 2, arena: arena)
        layerNorm(input, into: output, gamma: [1, 2], beta: [0, 0.5], overChannels: false)
        let mean: Float = 3, std = ((4 + 1 + 0 + 9) / Float(4) + 1e-5).squareRoot()
        #expect(close(Array(output.storage), [(1 - mean) / std, (2 - mean) / std, 2 * (3 - mean) / std + 0.5, 2 * (6 - mean) / std + 0.5]))
    }

    @Test func localResponseNormDividesByTheNeighbouringSquares() {
        let input = tensor([1, 2, 3], depth: 3)
        let output = Tensor(batch: 1, depth: 3, height: 1, width: 1, arena: arena)
        localResponseNorm(input, into: output, size: 3)
        func expected(_ c: Float, _ sum: Float) -> Float { c / powf(1 + 1e-4 / 3 * sum, 0.75) }
        #expect(close(Array(output.storage), [expected(1, 1 + 4), expected(2, 1 + 4 + 9), expected(3, 4 + 9)]))
    }

    @Test func globalAveragePoolingMeansEachChannel() {
        let input = tensor([1, 2, 3, 4, 10, 20, 30, 40], depth: 2, height: 2, width: 2)
        let output = Tensor(batch: 1, depth: 2, height: 1, width: 1, arena: arena)
        globalAveragePool(input, into: output)
        #expect(Array(output.storage) == [2.5, 25])
    }
}

/// `--winograd`: the whole network through Winograd still matches the static figures.
@Suite struct ExecutorWinogradRunTests {
    @Test func winogradRunsMatchTheStaticFiguresWithFewerMultiplications() {
        let analysis = analyzeArchitecture("pattern-3x-conv-conv-pool.yaml")
        var options = Executor.Options()
        options.winograd = .on
        let run = Executor(analysis: analysis, options: options).run()
        #expect(run.mismatches(with: analysis).isEmpty)
        // The plan holds the transformed filters and Winograd's scratch, which the arena counts.
        let plan = RunPlan(analysis: analysis, memory: analysis.memory!, keepActivations: false, winograd: .on)
        #expect(run.peakBytes <= plan.predicted)
        #expect(RunPlan(analysis: analysis, memory: analysis.memory!, keepActivations: false, winograd: .off).predicted < run.peakBytes)
        // All six are 3x3 stride 1; the first reads 3 channels and stays on GEMM.
        let convs = run.layers.filter { $0.algorithm?.hasPrefix("Winograd") == true }
        #expect(convs.count == 5)
        #expect(convs.allSatisfy { $0.multiplications * 2 < $0.macs })
    }

    /// `auto` takes Winograd where it measured faster on the built-in kernel: every VGG16
    /// convolution but the first (on 3 channels), ResNet-50's stride-1 3x3 layers but the two
    /// at 7x7, none of AlexNet's at 13x13.
    @Test(arguments: [("vgg16.yaml", Winograd.Use.auto, 12), ("vgg16.yaml", .on, 12), ("vgg16.yaml", .off, 0),
                      ("resnet50.yaml", .auto, 11), ("resnet50.yaml", .on, 13), ("alexnet-torchvision.yaml", .auto, 0)])
    func winogradRunsWhereChosen(file: String, use: Winograd.Use, layers: Int) {
        let analysis = analyzeArchitecture(file)
        let compiled = CompiledNetwork(analysis, winograd: use, gemm: NativeGEMM(), fuse: true)
        #expect(compiled.winogradLayers == layers)
        // F(4x4) on outputs of 56x56 or more: VGG16's conv1_2 to conv3_3, F(2x2) on the rest.
        let tiles = compiled.steps.compactMap { step -> Winograd.Tile? in
            guard case .winograd(_, let tiling) = step.convolution else { return nil }
            return tiling.tile
        }
        let large = analysis.layers.filter { layer in
            compiled.steps[layer.node.index].convolution.map { if case .winograd = $0 { true } else { false } } == true
                && min(layer.output.h, layer.output.w) >= 56
        }
        #expect(tiles.count { $0 == .four } == large.count)
        if file == "vgg16.yaml", use != .off { #expect(large.count == 6) }
    }
}

/// Passes and the saved output.
@Suite struct ExecutorPassesTests {
    @Test func everyPassIsTimedAndTheFastestKept() {
        let analysis = analyzeArchitecture("pattern-3x-conv-conv-pool.yaml")
        var final = [Float]()
        let run = Executor(analysis: analysis).run(passes: 3, output: { final = Array($0) })
        #expect(run.passes.count == 3)
        #expect(run.seconds == run.passes.min())
        #expect(run.layers.dropFirst().reduce(0) { $0 + $1.seconds } == run.seconds)
        #expect(final.count == analysis.layers.last!.output.elements)
        #expect(run.mismatches(with: analysis).isEmpty)
    }

    @Test func npyFilesCarryTheShapeAndLittleEndianFloats() throws {
        let values: [Float] = [1, -2.5, 3e-8]
        let data = values.withUnsafeBufferPointer { NumPyArray.float32($0, shape: [1, 3, 1, 1]) }
        #expect(Array(data.prefix(8)) == [0x93] + Array("NUMPY".utf8) + [1, 0])
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        let header = try #require(String(data: data[10..<(10 + headerLength)], encoding: .ascii))
        #expect(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 1, 1), }"))
        #expect(header.hasSuffix("\n"))
        let body = data.suffix(from: 10 + headerLength)
        #expect(body.count == 12)
        let decoded = (0..<3).map { i in
            Float(bitPattern: body.dropFirst(4 * i).prefix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) })
        }
        #expect(decoded == values)
    }
}

/// BN and ReLU fused into the convolution before them at inference: the same output as each
/// layer on its own (which `--keep-activations` runs, as training would).
@Suite struct ExecutorFusionTests {
    static let source = """
        input: 20x20x16
        batch: 2
        rounding: floor
        defaults:
          CONV: {size: 3, stride: 1, pad: 1}
        network: "INPUT -> CONV(32) -> BN -> RELU -> CONV(32, F=1, P=0) -> BN -> RELU
                  -> (CONV(32) -> BN -> RELU6 + ID) -> RELU -> CONV(64, S=2) -> RELU
                  -> (CONV(16, F=1, P=0) -> RELU -> CONV(64, F=1, P=0) -> BN + ID) -> RELU
                  -> (CONV(64, F=1, P=0) + CONV(64, F=1, P=0) -> BN) -> CONV(24) -> BN"
        """

    @Test(arguments: Winograd.Use.allCases)
    func fusedLayersGiveTheOutputOfEachLayerAlone(winograd: Winograd.Use) throws {
        let analysis = Analyzer.analyze(source: SourceFile(path: "fused.yaml", text: Self.source), options: AnalysisOptions())
        try #require(analysis.isValid, "\(analysis.diagnostics.map(\.message))")
        var (fused, alone) = ([Float](), [Float]())
        var options = Executor.Options()
        options.winograd = winograd
        let executor = Executor(analysis: analysis, options: options)
        let run = executor.run(output: { fused = Array($0) })
        options.keepActivations = true
        let unfused = Executor(analysis: analysis, options: options)
        _ = unfused.run(output: { alone = Array($0) })
        // Each conv's BN and the clamp after it, by every method (the C kernels store or copy
        // out every output); the ADDs after a 1x1 conv (through the shortcut's ID, and from the
        // branch before it) with their ReLU; and the ReLU after the other ADD, clamped as the sum
        // is stored.
        // Winograd runs the three 3x3 stride-1 convs under `on`; under `auto`, on the built-in
        // kernel (which packs U once) the two with outputs of 20x20 and not the 10x10 one, and on
        // a BLAS none (all too small). Whichever runs, the fusions are the same.
        let winogradLayers = executor.compiled.winogradLayers
        let packsOnce = executor.gemm.packedCount(m: 32, k: 32) > 0
        let expectedLayers = switch winograd {
        case .on: 3
        case .auto: packsOnce ? 2 : 0
        case .off: 0
        }
        #expect(winogradLayers == expectedLayers)
        #expect(executor.compiled.fusedLayers == 15)
        #expect(unfused.compiled.fusedLayers == 0)
        #expect(run.mismatches(with: analysis).isEmpty, "\(run.mismatches(with: analysis))")
        let fusedRows = run.layers.filter { $0.algorithm == Epilogue.fused }
        #expect(fusedRows.count == 14)
        let fusedSums = run.layers.indices.filter { run.layers[$0].algorithm == Epilogue.fused && analysis.layers[$0].node.label == "ADD" }
        #expect(fusedSums.count == 2)
        let clampedSums = run.layers.indices.filter { run.layers[$0].algorithm == Epilogue.fusedIntoSum }
        #expect(clampedSums.map { analysis.layers[$0 - 1].node.label } == ["ADD"])
        // The strided conv's ReLU, and the BN, ADD (and ReLU) of each 64-channel residual.
        #expect(fusedRows.count { $0.output.d == 64 } == 6)
        #expect(fused.count == alone.count)
        let scale = alone.map(abs).max() ?? 1
        let worst = zip(fused, alone).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-5 * scale, "largest difference \(worst) of \(scale)")
        #expect(run.peakBytes <= executor.plan!.predicted)
    }
}
