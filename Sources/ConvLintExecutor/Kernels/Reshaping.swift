import Foundation

/// Kernels of the zoo's channel and resizing layers, each by its definition.

/// LayerNorm over each position's channels (ConvNeXt's LayerNorm2d, ε = 1e-6), then a scale
/// and shift per channel.
func channelLayerNorm(_ input: Tensor, into output: Tensor, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>) {
    let (positions, depth) = (input.height * input.width, input.depth)
    for n in 0..<input.batch {
        let source = input.image(n), target = output.image(n)
        for p in 0..<positions {
            var mean: Float = 0
            for c in 0..<depth { mean += source[c * positions + p] }
            mean /= Float(depth)
            var variance: Float = 0
            for c in 0..<depth { variance += (source[c * positions + p] - mean) * (source[c * positions + p] - mean) }
            let inverse = 1 / (variance / Float(depth) + 1e-6).squareRoot()
            for c in 0..<depth { target[c * positions + p] = (source[c * positions + p] - mean) * inverse * gamma[c] + beta[c] }
        }
    }
}

/// x for x > 0, else slope·x, with one slope or one per channel.
func prelu(_ input: Tensor, into output: Tensor, slopes: UnsafePointer<Float>, perChannel: Bool) {
    let positions = input.height * input.width
    for plane in 0..<(input.batch * input.depth) {
        let slope = slopes[perChannel ? plane % input.depth : 0]
        let source = input.base + plane * positions, target = output.base + plane * positions
        for i in 0..<positions { target[i] = source[i] > 0 ? source[i] : slope * source[i] }
    }
}

/// Each channel times its own factor (layer scale).
func scaleChannels(_ input: Tensor, into output: Tensor, by factors: UnsafePointer<Float>) {
    let positions = input.height * input.width
    for plane in 0..<(input.batch * input.depth) {
        let factor = factors[plane % input.depth]
        let source = input.base + plane * positions, target = output.base + plane * positions
        for i in 0..<positions { target[i] = source[i] * factor }
    }
}

/// Slice `index` of `parts` equal slices of the depth, image by image.
func chunk(_ input: Tensor, into output: Tensor, index: Int) {
    for n in 0..<input.batch {
        output.image(n).update(from: input.image(n) + index * output.imageSize, count: output.imageSize)
    }
}

/// Channel shuffle: channel g·(D/groups) + i moves to i·groups + g.
func shuffleChannels(_ input: Tensor, into output: Tensor, groups: Int) {
    let positions = input.height * input.width
    let perGroup = input.depth / groups
    for n in 0..<input.batch {
        for g in 0..<groups {
            for i in 0..<perGroup {
                (output.image(n) + (i * groups + g) * positions)
                    .update(from: input.image(n) + (g * perGroup + i) * positions, count: positions)
            }
        }
    }
}

/// PyTorch's `F.interpolate` with `align_corners=False`: nearest takes ⌊o·in/out⌋; bilinear
/// samples at (o + ½)·in/out − ½, clamped at 0, between its two neighbours.
func upsample(_ input: Tensor, into output: Tensor, bilinear: Bool) {
    let (inH, inW, outH, outW) = (input.height, input.width, output.height, output.width)
    let (scaleH, scaleW) = (Float(inH) / Float(outH), Float(inW) / Float(outW))
    func source(_ o: Int, _ scale: Float, _ size: Int) -> (Int, Int, Float) {
        guard bilinear else { return (min(Int(Float(o) * scale), size - 1), 0, 0) }
        let x = max(0, (Float(o) + 0.5) * scale - 0.5)
        let low = min(Int(x), size - 1)
        return (low, min(low + 1, size - 1), x - Float(low))
    }
    let rows = (0..<outH).map { source($0, scaleH, inH) }
    let columns = (0..<outW).map { source($0, scaleW, inW) }
    for plane in 0..<(input.batch * input.depth) {
        let from = input.base + plane * inH * inW, to = output.base + plane * outH * outW
        for (oy, (y0, y1, dy)) in rows.enumerated() {
            for (ox, (x0, x1, dx)) in columns.enumerated() {
                let top = from[y0 * inW + x0] * (1 - dx) + from[y0 * inW + x1] * dx
                let bottom = from[y1 * inW + x0] * (1 - dx) + from[y1 * inW + x1] * dx
                to[oy * outW + ox] = top * (1 - dy) + bottom * dy
            }
        }
    }
}

/// PyTorch's AdaptiveAvgPool2d: output (i, j) is the mean of rows ⌊i·H/h⌋..<⌈(i+1)·H/h⌉ and
/// the same columns.
func adaptiveAveragePool(_ input: Tensor, into output: Tensor, window: (Int, Int, Int) -> Range<Int>) {
    let (inH, inW, outH, outW) = (input.height, input.width, output.height, output.width)
    for plane in 0..<(input.batch * input.depth) {
        let from = input.base + plane * inH * inW, to = output.base + plane * outH * outW
        for oy in 0..<outH {
            let ys = window(oy, outH, inH)
            for ox in 0..<outW {
                let xs = window(ox, outW, inW)
                var sum: Float = 0
                for y in ys { for x in xs { sum += from[y * inW + x] } }
                to[oy * outW + ox] = sum / Float(ys.count * xs.count)
            }
        }
    }
}
