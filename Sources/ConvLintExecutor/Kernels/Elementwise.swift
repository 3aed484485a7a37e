import Foundation

/// Activations, applied in place or into another tensor of the same shape.
enum Activation {
    case relu, leakyRelu, relu6, sigmoid, tanh, gelu

    func apply(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .relu: for i in 0..<count { output[i] = max(input[i], 0) }
        case .leakyRelu: for i in 0..<count { output[i] = input[i] > 0 ? input[i] : 0.01 * input[i] }
        case .relu6: for i in 0..<count { output[i] = min(max(input[i], 0), 6) }
        case .sigmoid: for i in 0..<count { output[i] = 1 / (1 + expf(-input[i])) }
        case .tanh: for i in 0..<count { output[i] = tanhf(input[i]) }
        case .gelu: for i in 0..<count { output[i] = 0.5 * input[i] * (1 + erff(input[i] / Float(2).squareRoot())) }
        }
    }
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
    let positions = input.height * input.width
    for n in 0..<input.batch {
        for c in 0..<input.depth {
            let scale = gamma[c] / (variance[c] + 1e-5).squareRoot()
            let shift = beta[c] - mean[c] * scale
            let source = input.image(n) + c * positions, target = output.image(n) + c * positions
            for p in 0..<positions { target[p] = source[p] * scale + shift }
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
