import CKernels

/// What a convolution's output goes through as it is stored, while the block is still in
/// cache: y = x·scale + shift per channel (its bias, or the BN that follows it at inference
/// folded with the bias), plus the residual of the ADD that follows, then clamped by the ReLU
/// or ReLU6 that follows where the GEMM stores the output itself (see
/// `CompiledNetwork.Fusion`). Each saves a pass over a whole activation.
public struct Epilogue: @unchecked Sendable {
    /// The algorithm a fused layer reports.
    static let fused = "fused into the convolution before it"
    /// The algorithm of a ReLU clamped as the residual sum before it is stored.
    static let fusedIntoSum = "fused into the ADD before it"

    /// Per channel; nil for 1 and 0.
    var scale: UnsafePointer<Float>?, shift: UnsafePointer<Float>?
    var low = -Float.infinity, high = Float.infinity
    /// Added to the output, laid out as it is (channel c's values `addendStride` apart from
    /// channel c − 1's); nil for none.
    var addend: UnsafePointer<Float>?
    var addendStride = 0

    /// None: the product as it is.
    static let none = Epilogue(bias: nil)

    /// The bias alone (nil: none).
    init(bias: UnsafePointer<Float>?) { shift = bias }

    init(scale: UnsafePointer<Float>?, shift: UnsafePointer<Float>?, clamp: (low: Float, high: Float)?) {
        (self.scale, self.shift) = (scale, shift)
        if let clamp { (low, high) = clamp }
    }

    /// The same for the channels from `first` on.
    func channels(from first: Int) -> Epilogue {
        var part = self
        (part.scale, part.shift) = (scale.map { $0 + first }, shift.map { $0 + first })
        part.addend = addend.map { $0 + first * addendStride }
        return part
    }

    /// The same for the positions from `first` on, and for image `n` (of `imageSize` floats).
    func positions(from first: Int, image n: Int, imageSize: Int) -> Epilogue {
        var part = self
        part.addend = addend.map { $0 + n * imageSize + first }
        return part
    }

    var isIdentity: Bool { scale == nil && shift == nil && addend == nil && low == -.infinity && high == .infinity }

    /// The C kernel's form of it.
    var c: ckernels_epilogue {
        ckernels_epilogue(scale: scale, shift: shift, low: low, high: high, addend: addend, addend_ld: Int32(addendStride))
    }

    /// Channel `c`'s scale, shift and clamp.
    func map(channel c: Int) -> ScaleShiftClamp {
        ScaleShiftClamp(scale: scale?[c] ?? 1, shift: shift?[c] ?? 0, low: low, high: high)
    }

    /// In place over `rows` rows of C, `columns` values each and `ldc` apart, row i as channel
    /// i: for a GEMM whose kernel cannot apply it as it stores them.
    func apply(rows: Int, columns: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard !isIdentity else { return }
        for row in 0..<rows { apply(c + row * ldc, c + row * ldc, count: columns, channel: row) }
    }

    /// `count` values of channel `c` from `source` to `target` (which may be the same), the
    /// residual read from the channel's row of the addend. The sum is clamped, not the product.
    func apply(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, count: Int, channel c: Int) {
        let map = map(channel: c)
        ckernels_epilogue_row(
            NativeGEMM.chosen, source, target, Int32(count), map.scale, map.shift, map.low, map.high,
            addend.map { $0 + c * addendStride })
    }
}
