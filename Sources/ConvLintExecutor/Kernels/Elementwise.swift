import ConvLintKit
import Foundation

/// How an activation kind runs: elementwise, over each position's channels (SOFTMAX), or with
/// learnt slopes (PRELU, `prelu(_:into:slopes:perChannel:)`).
enum ActivationKernel {
    case elementwise(Activation)
    case softmax
    case prelu

    init(_ function: ActivationLayer.Function) {
        switch function {
        case .relu: self = .elementwise(.relu)
        case .leakyRelu: self = .elementwise(.leakyRelu)
        case .relu6: self = .elementwise(.relu6)
        case .sigmoid: self = .elementwise(.sigmoid)
        case .tanh: self = .elementwise(.tanh)
        case .gelu: self = .elementwise(.gelu)
        case .silu: self = .elementwise(.silu)
        case .hardswish: self = .elementwise(.hardswish)
        case .hardsigmoid: self = .elementwise(.hardsigmoid)
        case .mish: self = .elementwise(.mish)
        case .elu: self = .elementwise(.elu)
        case .softmax: self = .softmax
        case .prelu: self = .prelu
        }
    }
}

/// Activations, applied in place or into another tensor of the same shape.
enum Activation {
    case relu, leakyRelu, relu6, sigmoid, tanh, gelu, silu, hardswish, hardsigmoid, mish, elu

    /// The bounds of an activation that only clamps, which a convolution's epilogue can apply.
    var clamp: (low: Float, high: Float)? {
        switch self {
        case .relu: (0, .infinity)
        case .relu6: (0, 6)
        case .leakyRelu, .sigmoid, .tanh, .gelu, .silu, .hardswish, .hardsigmoid, .mish, .elu: nil
        }
    }

    func apply(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
        nonisolated(unsafe) let (input, output) = (input, output)
        Elementwise.split(count) { range in
            switch self {
            case .relu, .relu6: Elementwise.map(range, input, output, Clamp(low: 0, high: clamp!.high))
            case .leakyRelu: Elementwise.map(range, input, output, LeakyReLU())
            case .sigmoid: for i in range { output[i] = 1 / (1 + expf(-input[i])) }
            case .tanh: for i in range { output[i] = tanhf(input[i]) }
            case .gelu: for i in range { output[i] = 0.5 * input[i] * (1 + erff(input[i] / Float(2).squareRoot())) }
            case .silu: for i in range { output[i] = input[i] / (1 + expf(-input[i])) }
            case .hardswish: for i in range { output[i] = input[i] * min(max(input[i] + 3, 0), 6) / 6 }
            case .hardsigmoid: for i in range { output[i] = min(max(input[i] + 3, 0), 6) / 6 }
            case .mish: for i in range { output[i] = input[i] * tanhf(log1pf(expf(input[i]))) }
            case .elu: for i in range { output[i] = input[i] > 0 ? input[i] : expm1f(input[i]) }
            }
        }
    }
}

/// Loops over whole tensors, split between cores and written on SIMD vectors: Swift does not
/// vectorise `max` or a loop through two pointers that may alias by itself, and a scalar loop
/// runs these at a fifth of memory speed.
enum Elementwise {
    typealias Vector = SIMD16<Float>

    /// Values per core below which one core does it all: 64 KiB, a few microseconds of work.
    static let grain = 1 << 14

    static func split(_ count: Int, _ body: @Sendable (Range<Int>) -> Void) { Cores.split(count, grain: grain, body) }

    /// `output[i] = f(input[i])` over `range`, 16 values at a time, then one at a time. `f` is a
    /// type, not a closure, so that each use is specialised and inlined.
    @inline(__always)
    static func map<F: ValueMap>(_ range: Range<Int>, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ f: F) {
        var i = range.lowerBound
        while i + Vector.scalarCount <= range.upperBound {
            let value = UnsafeRawPointer(input + i).loadUnaligned(as: Vector.self)
            UnsafeMutableRawPointer(output + i).storeBytes(of: f(value), as: Vector.self)
            i += Vector.scalarCount
        }
        while i < range.upperBound {
            output[i] = f(input[i])
            i += 1
        }
    }

    /// `target[i] += source[i]`: a residual sum, clamped as it is stored when the ReLU after it
    /// is fused (one pass over the activation instead of two).
    static func add(
        _ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int, clamp: (low: Float, high: Float)? = nil
    ) {
        nonisolated(unsafe) let (source, target) = (source, target)
        let bounds = Clamp(low: clamp?.low ?? -.infinity, high: clamp?.high ?? .infinity)
        split(count) { range in
            if clamp == nil { sum(range, source, target, Identity()) } else { sum(range, source, target, bounds) }
        }
    }

    /// target[i] = f(target[i] + source[i]) over `range`, on the calling thread.
    @inline(__always)
    static func sum<F: ValueMap>(_ range: Range<Int>, _ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, _ f: F) {
        var i = range.lowerBound
        while i + Vector.scalarCount <= range.upperBound {
            let sum = UnsafeRawPointer(target + i).loadUnaligned(as: Vector.self) + UnsafeRawPointer(source + i).loadUnaligned(as: Vector.self)
            UnsafeMutableRawPointer(target + i).storeBytes(of: f(sum), as: Vector.self)
            i += Vector.scalarCount
        }
        for j in i..<range.upperBound { target[j] = f(target[j] + source[j]) }
    }
}

/// A function of one value, on a vector of them and on one.
protocol ValueMap {
    func callAsFunction(_ x: Elementwise.Vector) -> Elementwise.Vector
    func callAsFunction(_ x: Float) -> Float
}

/// The value itself.
struct Identity: ValueMap {
    @inline(__always) func callAsFunction(_ x: Elementwise.Vector) -> Elementwise.Vector { x }
    func callAsFunction(_ x: Float) -> Float { x }
}

/// ReLU (0 to ∞) and ReLU6 (0 to 6).
struct Clamp: ValueMap {
    let low: Float, high: Float
    @inline(__always) func callAsFunction(_ x: Elementwise.Vector) -> Elementwise.Vector {
        // Not `clamped` or `pointwiseMax`: without a target CPU those run lane by lane.
        x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
    }
    func callAsFunction(_ x: Float) -> Float { min(max(x, low), high) }
}

struct LeakyReLU: ValueMap {
    @inline(__always) func callAsFunction(_ x: Elementwise.Vector) -> Elementwise.Vector { x.replacing(with: 0.01 * x, where: x .< 0) }
    func callAsFunction(_ x: Float) -> Float { x > 0 ? x : 0.01 * x }
}

/// x · scale + shift: batch normalisation at inference.
struct ScaleShift: ValueMap {
    let scale: Float, shift: Float
    @inline(__always) func callAsFunction(_ x: Elementwise.Vector) -> Elementwise.Vector { x * scale + shift }
    func callAsFunction(_ x: Float) -> Float { x * scale + shift }
}

/// x·scale + shift, clamped to [low, high]: one channel of a convolution's fused epilogue, as
/// the C kernels take it.
struct ScaleShiftClamp {
    let scale: Float, shift: Float, low: Float, high: Float
}

/// Softmax over the channels at each position (the class scores of a 1x1xK volume).
func softmax(_ input: Tensor, into output: Tensor) {
    let positions = input.height * input.width
    for n in 0..<input.batch {
        let source = input.image(n), target = output.image(n)
        for p in 0..<positions {
            var largest = -Float.infinity
            for c in 0..<input.depth { largest = max(largest, source[c * positions + p]) }
            var sum: Float = 0
            for c in 0..<input.depth {
                let e = expf(source[c * positions + p] - largest)
                target[c * positions + p] = e
                sum += e
            }
            for c in 0..<input.depth { target[c * positions + p] /= sum }
        }
    }
}

/// Batch normalisation at inference: a per-channel scale and shift from the running statistics.
/// BN at inference as y = x·scale + shift for channel `c` (PyTorch's ε, 1e-5).
func batchNormScaleShift(
    _ gamma: UnsafePointer<Float>, _ beta: UnsafePointer<Float>, _ mean: UnsafePointer<Float>,
    _ variance: UnsafePointer<Float>, channel c: Int
) -> (scale: Float, shift: Float) {
    let scale = gamma[c] / (variance[c] + 1e-5).squareRoot()
    return (scale, beta[c] - mean[c] * scale)
}

func batchNorm(
    _ input: Tensor, into output: Tensor, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
    mean: UnsafePointer<Float>, variance: UnsafePointer<Float>
) {
    let (positions, depth) = (input.height * input.width, input.depth)
    nonisolated(unsafe) let (source, target, gamma, beta, mean, variance) = (input.base, output.base, gamma, beta, mean, variance)
    Cores.split(input.batch * depth, grain: max(1, Elementwise.grain / positions)) { planes in
        for plane in planes {
            let (scale, shift) = batchNormScaleShift(gamma, beta, mean, variance, channel: plane % depth)
            Elementwise.map(0..<positions, source + plane * positions, target + plane * positions, ScaleShift(scale: scale, shift: shift))
        }
    }
}

/// Layer normalisation over each image's C·H·W values, then a per-channel scale and shift.
func layerNorm(
    _ input: Tensor, into output: Tensor, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, overChannels: Bool
) {
    if overChannels { return channelLayerNorm(input, into: output, gamma: gamma, beta: beta) }
    let size = input.imageSize, positions = input.height * input.width
    for n in 0..<input.batch {
        let source = input.image(n), target = output.image(n)
        var mean: Float = 0
        for i in 0..<size { mean += source[i] }
        mean /= Float(size)
        var variance: Float = 0
        for i in 0..<size { variance += (source[i] - mean) * (source[i] - mean) }
        let inverse = 1 / (variance / Float(size) + 1e-5).squareRoot()
        for c in 0..<input.depth {
            for p in 0..<positions {
                let i = c * positions + p
                target[i] = (source[i] - mean) * inverse * gamma[c] + beta[c]
            }
        }
    }
}

/// Local response normalisation across `size` neighbouring channels (AlexNet's; PyTorch's
/// defaults α = 1e-4, β = 0.75, k = 1).
func localResponseNorm(_ input: Tensor, into output: Tensor, size: Int) {
    let positions = input.height * input.width
    let alpha: Float = 1e-4, beta: Float = 0.75, k: Float = 1
    for n in 0..<input.batch {
        let source = input.image(n), target = output.image(n)
        for c in 0..<input.depth {
            let low = max(0, c - size / 2), high = min(input.depth - 1, c + (size - 1) / 2)
            for p in 0..<positions {
                var sum: Float = 0
                for j in low...high { sum += source[j * positions + p] * source[j * positions + p] }
                target[c * positions + p] = source[c * positions + p] / powf(k + alpha / Float(size) * sum, beta)
            }
        }
    }
}

/// The product of `inputs`, each broadcast to `output`'s shape: a side of 1 repeats (a 1x1xC
/// gate scales every position of its channel). Planes are split across cores.
func broadcastMultiply(_ inputs: [Tensor], into output: Tensor) {
    let (height, width) = (output.height, output.width)
    let positions = height * width
    nonisolated(unsafe) let target = output.base
    nonisolated(unsafe) let factors = inputs.map { (base: UnsafePointer($0.base), height: $0.height, width: $0.width) }
    Cores.split(output.batch * output.depth, grain: 1) { planes in
        for plane in planes {
            let out = target + plane * positions
            out.update(repeating: 1, count: positions)
            for factor in factors {
                let source = factor.base + plane * factor.height * factor.width
                switch (factor.height == height, factor.width == width) {
                case (true, true): for index in 0..<positions { out[index] *= source[index] }
                case (false, false): for index in 0..<positions { out[index] *= source[0] }
                case (true, false): for y in 0..<height { for x in 0..<width { out[y * width + x] *= source[y] } }
                case (false, true): for y in 0..<height { for x in 0..<width { out[y * width + x] *= source[x] } }
                }
            }
        }
    }
}
