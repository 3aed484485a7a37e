import Dispatch
import Foundation

/// Convolution as im2col + GEMM, per image and group: the notes' recipe (X_col, W_row, one
/// matrix multiply). A 1x1 stride-1 convolution without padding multiplies the input directly.
struct Convolution {
    let geometry: WindowGeometry
    /// Multiply-accumulates the GEMMs performed, from their dimensions.
    private(set) var macs = 0

    init(_ geometry: WindowGeometry) { self.geometry = geometry }

    /// im2col buffers stay within this many floats (4 MiB), so a chunk of columns is still in
    /// cache when the GEMM reads it, and no layer needs a buffer the size of its whole input
    /// spread out by the filter (115 MB for VGG16's second layer).
    static let chunkFloats = 1 << 20

    /// Output positions im2col lays out per pass, for `rows` values per column.
    static func chunk(rows: Int, positions: Int) -> Int { min(positions, max(64, chunkFloats / rows)) }

    /// `weights`: K × (C/g · Kh · Kw), row-major; `bias`: K values or nil.
    mutating func forward(
        _ input: Tensor, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?, into output: Tensor, gemm: any GEMM
    ) {
        let (filters, kernel, stride, padding, groups) =
            (geometry.filters, geometry.kernel, geometry.stride, geometry.padding, geometry.groups)
        let inPerGroup = input.depth / groups
        let outPerGroup = filters / groups
        let rows = inPerGroup * kernel.h * kernel.w  // K of the GEMM
        let positions = output.height * output.width  // N
        let direct = kernel == (1, 1) && stride == (1, 1) && padding == (0, 0)
        let chunk = Self.chunk(rows: rows, positions: positions)
        let columns = direct ? nil : UnsafeMutablePointer<Float>.allocate(capacity: rows * chunk)
        defer { columns?.deallocate() }
        for n in 0..<input.batch {
            for group in 0..<groups {
                let source = input.image(n) + group * inPerGroup * input.height * input.width
                let filterRows = weights + group * outPerGroup * rows
                let target = output.image(n) + group * outPerGroup * positions
                if let columns {
                    var first = 0
                    while first < positions {
                        let count = min(chunk, positions - first)
                        im2col(source, depth: inPerGroup, height: input.height, width: input.width, output: output,
                               positions: first..<(first + count), into: columns)
                        gemm.multiply(
                            m: outPerGroup, n: count, k: rows, a: filterRows, transposeA: false, b: columns,
                            transposeB: false, c: target + first, ldc: positions, accumulate: false)
                        first += count
                    }
                } else {
                    gemm.multiply(
                        m: outPerGroup, n: positions, k: rows, a: filterRows, transposeA: false, b: source,
                        transposeB: false, c: target, accumulate: false)
                }
                macs += outPerGroup * positions * rows
            }
            if let bias { addBias(bias, to: output.image(n), channels: filters, positions: positions) }
        }
    }

    /// Columns for output positions `positions`: each holds one position's receptive field,
    /// zero where it hangs over the padding. Rows (one per channel and filter tap) are
    /// independent, so cores split them; within an output row the valid range is computed once,
    /// and at stride 1 it is one copy.
    private func im2col(
        _ source: UnsafePointer<Float>, depth: Int, height: Int, width: Int, output: Tensor, positions: Range<Int>,
        into columns: UnsafeMutablePointer<Float>
    ) {
        let outW = output.width
        let taps = geometry.kernel.h * geometry.kernel.w
        let rows = depth * taps
        let span = positions.count
        nonisolated(unsafe) let source = source, columns = columns
        let (kernel, stride, padding, dilation) = (geometry.kernel, geometry.stride, geometry.padding, geometry.dilation)
        let workers = min(rows, ProcessInfo.processInfo.activeProcessorCount)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var row = worker
            while row < rows {
                let channel = row / taps, ky = row % taps / kernel.w, kx = row % kernel.w
                let plane = source + channel * height * width
                let target = columns + row * span - positions.lowerBound
                // Output columns whose tap lands inside the input: x = ox·S − P + kx·d ∈ [0, W).
                let shift = kx * dilation.w - padding.w
                let valid = min(outW, max(0, (-shift + stride.w - 1) / stride.w))..<min(outW, max(0, (width - 1 - shift) / stride.w + 1))
                var position = positions.lowerBound
                while position < positions.upperBound {
                    let oy = position / outW
                    let rowStart = oy * outW
                    let xs = (position - rowStart)..<min(outW, positions.upperBound - rowStart)
                    let line = target + rowStart
                    let y = oy * stride.h - padding.h + ky * dilation.h
                    let inside = y >= 0 && y < height ? xs.clamped(to: valid) : xs.lowerBound..<xs.lowerBound
                    (line + xs.lowerBound).update(repeating: 0, count: max(0, inside.lowerBound - xs.lowerBound))
                    if !inside.isEmpty {
                        let from = plane + y * width + inside.lowerBound * stride.w + shift
                        if stride.w == 1 {
                            (line + inside.lowerBound).update(from: from, count: inside.count)
                        } else {
                            for ox in inside { line[ox] = from[(ox - inside.lowerBound) * stride.w] }
                        }
                    }
                    let tail = max(inside.upperBound, xs.lowerBound)
                    (line + tail).update(repeating: 0, count: xs.upperBound - tail)
                    position = rowStart + xs.upperBound
                }
                row += workers
            }
        }
    }
}

/// Transposed convolution: each input value spreads a filter-sized patch over the output. One
/// GEMM per image and group (Wᵀ·X gives every patch), then col2im adds the patches in place.
struct Deconvolution {
    let geometry: WindowGeometry
    private(set) var macs = 0

    init(_ geometry: WindowGeometry) { self.geometry = geometry }

    /// `weights`: C × (K/g · Kh · Kw), row-major, as PyTorch stores ConvTranspose2d.
    mutating func forward(
        _ input: Tensor, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?, into output: Tensor, gemm: any GEMM
    ) {
        let (filters, kernel, groups) = (geometry.filters, geometry.kernel, geometry.groups)
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
        let (kernel, stride, padding, dilation) = (geometry.kernel, geometry.stride, geometry.padding, geometry.dilation)
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
