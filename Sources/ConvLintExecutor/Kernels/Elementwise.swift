import Foundation

/// Activations, applied in place or into another tensor of the same shape.
enum Activation {
    case relu, leakyRelu, relu6, sigmoid, tanh, gelu

    func apply(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
        nonisolated(unsafe) let (input, output) = (input, output)
        Cores.split(count, grain: Elementwise.grain) { range in
            switch self {
            case .relu: for i in range { output[i] = max(input[i], 0) }
            case .leakyRelu: for i in range { output[i] = input[i] > 0 ? input[i] : 0.01 * input[i] }
            case .relu6: for i in range { output[i] = min(max(input[i], 0), 6) }
            case .sigmoid: for i in range { output[i] = 1 / (1 + expf(-input[i])) }
            case .tanh: for i in range { output[i] = tanhf(input[i]) }
            case .gelu: for i in range { output[i] = 0.5 * input[i] * (1 + erff(input[i] / Float(2).squareRoot())) }
            }
        }
    }
}

enum Elementwise {
    /// Values per core below which one core does it all: 64 KiB, a few microseconds of work.
    static let grain = 1 << 14

    /// `target[i] += source[i]`: a residual sum.
    static func add(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
        nonisolated(unsafe) let (source, target) = (source, target)
        split(count) { range in for i in range { target[i] += source[i] } }
    }

    static func split(_ count: Int, _ body: @Sendable (Range<Int>) -> Void) { Cores.split(count, grain: grain, body) }
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
func batchNorm(
    _ input: Tensor, into output: Tensor, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
    mean: UnsafePointer<Float>, variance: UnsafePointer<Float>
) {
    let (positions, depth) = (input.height * input.width, input.depth)
    nonisolated(unsafe) let (source, target, gamma, beta, mean, variance) = (input.base, output.base, gamma, beta, mean, variance)
    Cores.split(input.batch * depth, grain: max(1, Elementwise.grain / positions)) { planes in
        for plane in planes {
            let c = plane % depth
            let scale = gamma[c] / (variance[c] + 1e-5).squareRoot()
            let shift = beta[c] - mean[c] * scale
            let from = source + plane * positions, to = target + plane * positions
            for p in 0..<positions { to[p] = from[p] * scale + shift }
        }
    }
}

/// Layer normalisation over each image's C·H·W values, then a per-channel scale and shift.
func layerNorm(_ input: Tensor, into output: Tensor, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>) {
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
