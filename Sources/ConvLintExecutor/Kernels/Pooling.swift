import Dispatch
import Foundation

/// Max and average pooling with PyTorch's conventions: padding counts as −∞ for max and as
/// zeros included in the count for average (`count_include_pad=True`); windows clipped by
/// `ceil` rounding average over the part inside the padded input.
struct Pooling {
    var kernel: (w: Int, h: Int)
    var stride: (w: Int, h: Int)
    var padding: (w: Int, h: Int)
    var isMax: Bool

    func forward(_ input: Tensor, into output: Tensor) {
        if isMax, kernel == (2, 2), stride == (2, 2), padding == (0, 0) {
            return maxPool2x2(input, into: output)
        }
        for plane in 0..<(input.batch * input.depth) {
            let source = input.base + plane * input.height * input.width
            let target = output.base + plane * output.height * output.width
            for oy in 0..<output.height {
                let y0 = oy * stride.h - padding.h
                let yEnd = min(y0 + kernel.h, input.height + padding.h)
                for ox in 0..<output.width {
                    let x0 = ox * stride.w - padding.w
                    let xEnd = min(x0 + kernel.w, input.width + padding.w)
                    var best = -Float.infinity
                    var sum: Float = 0
                    for y in max(y0, 0)..<min(yEnd, input.height) {
                        for x in max(x0, 0)..<min(xEnd, input.width) {
                            let value = source[y * input.width + x]
                            best = max(best, value)
                            sum += value
                        }
                    }
                    target[oy * output.width + ox] = isMax ? best : sum / Float((yEnd - y0) * (xEnd - x0))
                }
            }
        }
    }
    /// The notes' default pool, on its own path: each output is the largest of two pairs of
    /// neighbours, with no padding or window clipping to check. Planes are split across cores.
    private func maxPool2x2(_ input: Tensor, into output: Tensor) {
        let planes = input.batch * input.depth
        let (height, width, outH, outW) = (input.height, input.width, output.height, output.width)
        nonisolated(unsafe) let source = input.base, target = output.base
        let workers = min(planes, ProcessInfo.processInfo.activeProcessorCount)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var plane = worker
            while plane < planes {
                let from = source + plane * height * width, to = target + plane * outH * outW
                for oy in 0..<outH {
                    let top = from + 2 * oy * width, bottom = top + width, line = to + oy * outW
                    for ox in 0..<outW {
                        line[ox] = max(max(top[2 * ox], top[2 * ox + 1]), max(bottom[2 * ox], bottom[2 * ox + 1]))
                    }
                }
                plane += workers
            }
        }
    }
}

/// Global average pooling: one mean per channel.
func globalAveragePool(_ input: Tensor, into output: Tensor) {
    let positions = input.height * input.width
    for plane in 0..<(input.batch * input.depth) {
        var sum: Float = 0
        let source = input.base + plane * positions
        for index in 0..<positions { sum += source[index] }
        output.base[plane] = sum / Float(positions)
    }
}
