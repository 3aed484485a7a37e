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
        // Outputs whose window lies wholly inside the input take a loop with no clipping: most of
        // them (ResNet's 3x3/2 stem pool ran at a third of the speed clipping every window).
        let rows = Self.interior(outputs: outH, size: height, kernel: kernel.h, stride: stride.h, padding: padding.h)
        let columns = Self.interior(outputs: outW, size: width, kernel: kernel.w, stride: stride.w, padding: padding.w)
        let area = Float(kernel.h * kernel.w)
        nonisolated(unsafe) let (from, to) = (input.base, output.base)
        Cores.split(input.batch * input.depth, grain: 1) { planes in
            for plane in planes {
                let source = from + plane * height * width
                let target = to + plane * outH * outW
                for oy in 0..<outH {
                    let y0 = oy * stride.h - padding.h
                    let yEnd = min(y0 + kernel.h, height + padding.h)
                    // At stride 1 neighbouring outputs read neighbouring windows: 16 at a time.
                    var vectorEnd = columns.lowerBound
                    if stride.w == 1, rows.contains(oy) {
                        typealias Vector = SIMD16<Float>
                        while vectorEnd + Vector.scalarCount <= columns.upperBound {
                            var window = UnsafeRawPointer(source + y0 * width + vectorEnd - padding.w)
                            var result = Vector(repeating: isMax ? -.infinity : 0)
                            for _ in 0..<kernel.h {
                                for x in 0..<kernel.w {
                                    let values = (window + x * MemoryLayout<Float>.stride).loadUnaligned(as: Vector.self)
                                    // Not `pointwiseMax`: without a target CPU it runs lane by lane.
                                    result = isMax ? result.replacing(with: values, where: values .> result) : result + values
                                }
                                window += width * MemoryLayout<Float>.stride
                            }
                            UnsafeMutableRawPointer(target + oy * outW + vectorEnd).storeBytes(of: isMax ? result : result / area, as: Vector.self)
                            vectorEnd += Vector.scalarCount
                        }
                    }
                    for ox in 0..<outW where !(columns.lowerBound..<vectorEnd).contains(ox) {
                        let x0 = ox * stride.w - padding.w
                        if rows.contains(oy), columns.contains(ox) {
                            var window = source + y0 * width + x0
                            var best = -Float.infinity
                            var sum: Float = 0
                            for _ in 0..<kernel.h {
                                if isMax {
                                    for x in 0..<kernel.w { best = max(best, window[x]) }
                                } else {
                                    for x in 0..<kernel.w { sum += window[x] }
                                }
                                window += width
                            }
                            target[oy * outW + ox] = isMax ? best : sum / area
                            continue
                        }
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

    /// The outputs along one axis whose window starts at or after the input's first value and
    /// ends at or before its last.
    static func interior(outputs: Int, size: Int, kernel: Int, stride: Int, padding: Int) -> Range<Int> {
        let first = (padding + stride - 1) / stride
        let last = size + padding - kernel >= 0 ? (size + padding - kernel) / stride : -1
        return first <= min(last, outputs - 1) ? first..<(min(last, outputs - 1) + 1) : 0..<0
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
