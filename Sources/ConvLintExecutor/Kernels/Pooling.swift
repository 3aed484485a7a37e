/// Max and average pooling with PyTorch's conventions: padding counts as −∞ for max and as
/// zeros included in the count for average (`count_include_pad=True`); windows clipped by
/// `ceil` rounding average over the part inside the padded input.
struct Pooling {
    var kernel: (w: Int, h: Int)
    var stride: (w: Int, h: Int)
    var padding: (w: Int, h: Int)
    var isMax: Bool

    func forward(_ input: Tensor, into output: Tensor) {
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
