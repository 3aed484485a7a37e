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
        // Under `ceil` rounding an odd size gives a last window half outside the input.
        if isMax, kernel == (2, 2), stride == (2, 2), padding == (0, 0), 2 * output.height <= input.height,
            2 * output.width <= input.width
        {
            return maxPool2x2(input, into: output)
        }
        let (kernel, stride, padding, isMax) = (kernel, stride, padding, isMax)
        let (height, width, outH, outW) = (input.height, input.width, output.height, output.width)
        nonisolated(unsafe) let (from, to) = (input.base, output.base)
        Cores.split(input.batch * input.depth, grain: 1) { planes in
            for plane in planes {
                let source = from + plane * height * width
                let target = to + plane * outH * outW
                for oy in 0..<outH {
                    let y0 = oy * stride.h - padding.h
                    let yEnd = min(y0 + kernel.h, height + padding.h)
                    for ox in 0..<outW {
                        let x0 = ox * stride.w - padding.w
                        let xEnd = min(x0 + kernel.w, width + padding.w)
                        var best = -Float.infinity
                        var sum: Float = 0
                        for y in max(y0, 0)..<min(yEnd, height) {
                            for x in max(x0, 0)..<min(xEnd, width) {
                                let value = source[y * width + x]
                                best = max(best, value)
                                sum += value
                            }
                        }
                        target[oy * outW + ox] = isMax ? best : sum / Float((yEnd - y0) * (xEnd - x0))
                    }
                }
            }
        }
    }

    /// The notes' default pool, on its own path: each output is the largest of two pairs of
    /// neighbours, with no padding or window clipping to check (every window lies inside the
    /// input). Planes are split across cores.
    private func maxPool2x2(_ input: Tensor, into output: Tensor) {
        let planes = input.batch * input.depth
        let (height, width, outH, outW) = (input.height, input.width, output.height, output.width)
        nonisolated(unsafe) let source = input.base, target = output.base
        Cores.split(planes, grain: 1) { range in
            for plane in range {
                let from = source + plane * height * width, to = target + plane * outH * outW
                for oy in 0..<outH {
                    let top = from + 2 * oy * width, bottom = top + width, line = to + oy * outW
                    for ox in 0..<outW {
                        line[ox] = max(max(top[2 * ox], top[2 * ox + 1]), max(bottom[2 * ox], bottom[2 * ox + 1]))
                    }
                }
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
