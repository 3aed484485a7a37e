/// Convolution as im2col + GEMM, per image and group: the notes' recipe (X_col, W_row, one
/// matrix multiply). A 1x1 stride-1 convolution without padding multiplies the input directly.
struct Convolution {
    var filters: Int
    var kernel: (w: Int, h: Int)
    var stride: (w: Int, h: Int)
    var padding: (w: Int, h: Int)
    var dilation: (w: Int, h: Int)
    var groups: Int

    /// Multiply-accumulates the GEMMs performed, from their dimensions.
    private(set) var macs = 0

    /// `weights`: K × (C/g · Kh · Kw), row-major; `bias`: K values or nil.
    mutating func forward(
        _ input: Tensor, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?, into output: Tensor, gemm: any GEMM
    ) {
        let inPerGroup = input.depth / groups
        let outPerGroup = filters / groups
        let rows = inPerGroup * kernel.h * kernel.w  // K of the GEMM
        let positions = output.height * output.width  // N
        let direct = kernel == (1, 1) && stride == (1, 1) && padding == (0, 0)
        let columns = direct ? nil : UnsafeMutablePointer<Float>.allocate(capacity: rows * positions)
        defer { columns?.deallocate() }
        for n in 0..<input.batch {
            for group in 0..<groups {
                let source = input.image(n) + group * inPerGroup * input.height * input.width
                if let columns { im2col(source, depth: inPerGroup, height: input.height, width: input.width, output: output, into: columns) }
                gemm.multiply(
                    m: outPerGroup, n: positions, k: rows, a: weights + group * outPerGroup * rows, transposeA: false,
                    b: columns.map { UnsafePointer($0) } ?? UnsafePointer(source), transposeB: false,
                    c: output.image(n) + group * outPerGroup * positions, accumulate: false)
                macs += outPerGroup * positions * rows
            }
            if let bias { addBias(bias, to: output.image(n), channels: filters, positions: positions) }
        }
    }

    /// Each column holds one output position's receptive field, zero where it hangs over the padding.
    private func im2col(
        _ source: UnsafePointer<Float>, depth: Int, height: Int, width: Int, output: Tensor,
        into columns: UnsafeMutablePointer<Float>
    ) {
        let outH = output.height, outW = output.width
        var row = 0
        for channel in 0..<depth {
            let plane = source + channel * height * width
            for ky in 0..<kernel.h {
                for kx in 0..<kernel.w {
                    let target = columns + row * outH * outW
                    for oy in 0..<outH {
                        let y = oy * stride.h - padding.h + ky * dilation.h
                        let line = target + oy * outW
                        guard y >= 0, y < height else {
                            line.update(repeating: 0, count: outW)
                            continue
                        }
                        for ox in 0..<outW {
                            let x = ox * stride.w - padding.w + kx * dilation.w
                            line[ox] = x >= 0 && x < width ? plane[y * width + x] : 0
                        }
                    }
                    row += 1
                }
            }
        }
    }
}

/// Transposed convolution: each input value spreads a filter-sized patch over the output. One
/// GEMM per image and group (Wᵀ·X gives every patch), then col2im adds the patches in place.
struct Deconvolution {
    var filters: Int
    var kernel: (w: Int, h: Int)
    var stride: (w: Int, h: Int)
    var padding: (w: Int, h: Int)
    var dilation: (w: Int, h: Int)
    var groups: Int
    private(set) var macs = 0

    /// `weights`: C × (K/g · Kh · Kw), row-major, as PyTorch stores ConvTranspose2d.
    mutating func forward(
        _ input: Tensor, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?, into output: Tensor, gemm: any GEMM
    ) {
        let inPerGroup = input.depth / groups
        let outPerGroup = filters / groups
        let rows = outPerGroup * kernel.h * kernel.w
        let positions = input.height * input.width
        let columns = UnsafeMutablePointer<Float>.allocate(capacity: rows * positions)
        defer { columns.deallocate() }
        output.storage.update(repeating: 0)
        for n in 0..<input.batch {
            for group in 0..<groups {
                gemm.multiply(
                    m: rows, n: positions, k: inPerGroup, a: weights + group * inPerGroup * rows, transposeA: true,
                    b: input.image(n) + group * inPerGroup * positions, transposeB: false, c: columns, accumulate: false)
                macs += rows * positions * inPerGroup
                col2im(columns, channels: outPerGroup, input: input, into: output.image(n) + group * outPerGroup * output.height * output.width, output: output)
            }
            if let bias { addBias(bias, to: output.image(n), channels: filters, positions: output.height * output.width) }
        }
    }

    private func col2im(
        _ columns: UnsafePointer<Float>, channels: Int, input: Tensor, into target: UnsafeMutablePointer<Float>, output: Tensor
    ) {
        var row = 0
        for channel in 0..<channels {
            let plane = target + channel * output.height * output.width
            for ky in 0..<kernel.h {
                for kx in 0..<kernel.w {
                    let source = columns + row * input.height * input.width
                    for iy in 0..<input.height {
                        let y = iy * stride.h - padding.h + ky * dilation.h
                        guard y >= 0, y < output.height else { continue }
                        for ix in 0..<input.width {
                            let x = ix * stride.w - padding.w + kx * dilation.w
                            if x >= 0, x < output.width { plane[y * output.width + x] += source[iy * input.width + ix] }
                        }
                    }
                    row += 1
                }
            }
        }
    }
}

func addBias(_ bias: UnsafePointer<Float>, to image: UnsafeMutablePointer<Float>, channels: Int, positions: Int) {
    for channel in 0..<channels {
        let value = bias[channel]
        let plane = image + channel * positions
        for index in 0..<positions { plane[index] += value }
    }
}
