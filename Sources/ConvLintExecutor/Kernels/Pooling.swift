import CKernels
import Foundation

/// Max and average pooling with PyTorch's conventions: padding counts as −∞ for max and as
/// zeros included in the count for average (`count_include_pad=True`); windows clipped by
/// `ceil` rounding average over the part inside the padded input.
struct Pooling {
    var kernel: (w: Int, h: Int)
    var stride: (w: Int, h: Int)
    var padding: (w: Int, h: Int)
    var isMax: Bool
    /// The C kernel's instruction set (see `ckernels.h`).
    var isa = NativeGEMM.chosen

    func forward(_ input: Tensor, into output: Tensor) {
        let (kernel, stride, padding, isMax) = (kernel, stride, padding, isMax)
        let (height, width, outH, outW) = (input.height, input.width, output.height, output.width)
        // Outputs whose window lies wholly inside the input go to the C kernel, a plane at a time
        // with no clipping: most of them. Only the border's windows are clipped here.
        let rows = Self.interior(outputs: outH, size: height, kernel: kernel.h, stride: stride.h, padding: padding.h)
        let columns = Self.interior(outputs: outW, size: width, kernel: kernel.w, stride: stride.w, padding: padding.w)
        let area = Float(kernel.h * kernel.w)
        let isa = isa
        nonisolated(unsafe) let (from, to) = (input.base, output.base)
        Cores.split(input.batch * input.depth, grain: 1) { planes in
            for plane in planes {
                let source = from + plane * height * width
                let target = to + plane * outH * outW
                if !rows.isEmpty, !columns.isEmpty {
                    ckernels_pool_rows(
                        isa, source + (rows.lowerBound * stride.h - padding.h) * width + columns.lowerBound * stride.w - padding.w,
                        Int32(width), Int32(stride.h), Int32(rows.count), Int32(kernel.h), Int32(kernel.w), Int32(stride.w),
                        Int32(columns.count), target + rows.lowerBound * outW + columns.lowerBound, Int32(outW), isMax ? 1 : 0,
                        1 / area)
                }
                // The border: whole rows above and below the interior, and each interior row's ends.
                for oy in 0..<outH {
                    let y0 = oy * stride.h - padding.h
                    let yEnd = min(y0 + kernel.h, height + padding.h)
                    func clipped(_ ox: Int) {
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
                    let inside = rows.contains(oy) && !columns.isEmpty ? columns : outW..<outW
                    for ox in 0..<inside.lowerBound { clipped(ox) }
                    for ox in inside.upperBound..<outW { clipped(ox) }
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
