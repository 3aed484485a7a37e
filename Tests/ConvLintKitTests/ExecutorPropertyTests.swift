import ConvLintFuzzing
import Foundation
import Testing

@testable import ConvLintExecutor

/// The GEMM and window kernels on random geometries against their naive references: rectangular
/// kernels, per-axis strides, paddings and dilations, groups, batches and sizes of 1, kernels
/// wider than their input. A bounded number of seeded cases here; set
/// `CONVLINT_PROPERTY_CASES` for more (`CONVLINT_PROPERTY_CASES=5000 swift test --filter
/// ExecutorPropertyTests`). Inception v3's 7x1 convolutions and a 13x3 kernel on a 4x6 input
/// crashed the executor before such cases were tried.
@Suite struct ExecutorPropertyTests {
    static let cases = ProcessInfo.processInfo.environment["CONVLINT_PROPERTY_CASES"].flatMap(Int.init) ?? 150
    let kernels = ExecutorKernelTests()

    /// A size in 1...`upTo`, with 1 more often than the others.
    static func size(_ choices: inout Choices, upTo limit: Int) -> Int {
        choices.chance(15) ? 1 : 1 + choices.next(limit)
    }

    static func convolution(_ choices: inout Choices) -> ExecutorKernelTests.ConvCase? {
        var c = ExecutorKernelTests.ConvCase()
        c.groups = choices.pick([1, 1, 1, 2, 3])
        // Sixteen or more channels a group at stride 1 take the shifted GEMM; 1x1 the pointwise one.
        c.depth = c.groups * (choices.chance(40) ? 16 + choices.next(8) : size(&choices, upTo: 6))
        c.filters = c.groups * size(&choices, upTo: 4)
        if choices.chance(25) { c.groups = c.depth; c.filters = c.depth * choices.pick([1, 2]) }  // depthwise
        c.batch = size(&choices, upTo: 3)
        c.height = size(&choices, upTo: 14)
        c.width = size(&choices, upTo: 14)
        c.kernel = choices.chance(20) ? (1, 1) : (size(&choices, upTo: 7), size(&choices, upTo: 7))
        c.stride = choices.chance(60) ? (1, 1) : (size(&choices, upTo: 3), size(&choices, upTo: 3))
        c.dilation = choices.chance(80) ? (1, 1) : (size(&choices, upTo: 3), size(&choices, upTo: 3))
        c.padding = (choices.next(c.kernel.w + 1), choices.next(c.kernel.h + 1))
        return c.outHeight >= 1 && c.outWidth >= 1 ? c : nil
    }

    @Test func convolutionsOnRandomGeometriesMatchTheDirectLoops() {
        var choices = Choices(seed: 7001)
        var methods = [String: Int]()
        var tried = 0
        while tried < Self.cases {
            guard let c = Self.convolution(&choices) else { continue }
            tried += 1
            // Shifted on a BLAS or the Swift kernel, direct on the C kernel.
            for direct in [false, true] {
                methods[Convolution.method(ExecutorKernelTests.geometry(c), channels: c.depth, direct: direct).rawValue, default: 0] += 1
            }
            kernels.checkConvolution(c, method: nil)
        }
        // The draw must reach every algorithm for the test to mean anything.
        #expect(methods.count == 4, "\(methods)")
    }

    /// GEMM shapes around the C kernel's tiles (14x32 and 6x16) and panels (256 deep), and the
    /// matrix-vector path of one row, each transposition.
    @Test func gemmsOfRandomShapesMatchTheTripleLoop() {
        var choices = Choices(seed: 7005)
        for _ in 0..<max(1, Self.cases / 3) {
            let m = choices.chance(20) ? 1 : Self.size(&choices, upTo: 70)
            kernels.gemmMatchesTheTripleLoop(
                m: m, n: Self.size(&choices, upTo: 80), k: Self.size(&choices, upTo: 300), transposeA: choices.chance(50),
                transposeB: choices.chance(50))
        }
    }

    @Test func winogradOnRandomGeometriesMatchesTheDirectLoops() {
        var choices = Choices(seed: 7002)
        for _ in 0..<max(1, Self.cases / 3) {
            var c = ExecutorKernelTests.ConvCase()
            c.batch = Self.size(&choices, upTo: 2)
            c.depth = Self.size(&choices, upTo: 20)
            c.filters = Self.size(&choices, upTo: 6)
            c.height = 2 + Self.size(&choices, upTo: 12)
            c.width = 2 + Self.size(&choices, upTo: 12)
            c.padding = choices.chance(50) ? (1, 1) : (0, 0)
            kernels.checkWinograd(c, tile: choices.chance(50) ? .four : .two)
        }
    }

    @Test func transposedConvolutionsOnRandomGeometriesMatchScattering() {
        var choices = Choices(seed: 7003)
        var tried = 0
        while tried < Self.cases {
            let kernel = (Self.size(&choices, upTo: 6), Self.size(&choices, upTo: 6))
            let stride = (Self.size(&choices, upTo: 3), Self.size(&choices, upTo: 3))
            // PyTorch: padding at most what the kernel covers, output padding below the stride.
            let padding = (choices.next(kernel.0), choices.next(kernel.1))
            let outputPadding = (choices.next(stride.0), choices.next(stride.1))
            let (h, w) = (Self.size(&choices, upTo: 7), Self.size(&choices, upTo: 7))
            let outH = (h - 1) * stride.1 - 2 * padding.1 + kernel.1 + outputPadding.1
            let outW = (w - 1) * stride.0 - 2 * padding.0 + kernel.0 + outputPadding.0
            guard outH >= 1, outW >= 1 else { continue }
            tried += 1
            kernels.checkDeconvolution(
                ExecutorKernelTests.DeconvCase(kernel: kernel, stride: stride, padding: padding, outputPadding: outputPadding),
                batch: Self.size(&choices, upTo: 2), depth: Self.size(&choices, upTo: 5), filters: Self.size(&choices, upTo: 5),
                height: h, width: w)
        }
    }

    @Test func poolingOnRandomGeometriesMatchesItsDefinition() {
        var choices = Choices(seed: 7004)
        var tried = 0
        while tried < Self.cases {
            let kernel = (Self.size(&choices, upTo: 5), Self.size(&choices, upTo: 5))
            let stride = (Self.size(&choices, upTo: 3), Self.size(&choices, upTo: 3))
            // PyTorch: padding at most half the kernel.
            let padding = (choices.next(kernel.0 / 2 + 1), choices.next(kernel.1 / 2 + 1))
            let (height, width) = (Self.size(&choices, upTo: 9), Self.size(&choices, upTo: 9))
            let ceil = choices.chance(50)
            // PyTorch's output size: floor or ceil, and with ceil no window that starts in the right padding.
            func out(_ size: Int, _ k: Int, _ s: Int, _ p: Int) -> Int {
                let span = size + 2 * p - k
                guard span >= 0 else { return 0 }
                var count = (ceil ? (span + s - 1) / s : span / s) + 1
                if ceil, (count - 1) * s >= size + p { count -= 1 }
                return count
            }
            let (outW, outH) = (out(width, kernel.0, stride.0, padding.0), out(height, kernel.1, stride.1, padding.1))
            guard outW >= 1, outH >= 1 else { continue }
            tried += 1
            kernels.checkPooling(
                kernel: kernel, stride: stride, padding: padding, batch: Self.size(&choices, upTo: 2),
                depth: Self.size(&choices, upTo: 3), height: height, width: width, outW: outW, outH: outH)
        }
    }
}
