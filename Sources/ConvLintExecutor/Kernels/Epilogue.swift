/// What a convolution's output goes through as it is stored, while the block is still in
/// cache: y = x·scale + shift per channel (its bias, or the BN that follows it at inference
/// folded with the bias), then clamped by the ReLU or ReLU6 that follows where the GEMM
/// stores the output itself (see `CompiledNetwork.Fusion`). A folded BN saves a pass that
/// writes a new activation.
public struct Epilogue: @unchecked Sendable {
    /// The algorithm a fused layer reports.
    static let fused = "fused into the convolution before it"
    /// The algorithm of a ReLU clamped as the residual sum before it is stored.
    static let fusedIntoSum = "fused into the ADD before it"

    /// Per channel; nil for 1 and 0.
    var scale: UnsafePointer<Float>?, shift: UnsafePointer<Float>?
    var low = -Float.infinity, high = Float.infinity

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
        return part
    }

    var isIdentity: Bool { scale == nil && shift == nil && low == -.infinity && high == .infinity }

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

    /// `count` values of channel `c` from `source` to `target` (which may be the same).
    func apply(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, count: Int, channel c: Int) {
        let map = map(channel: c)
        if map.clamps {
            Elementwise.map(0..<count, source, target, map)
        } else {
            Elementwise.map(0..<count, source, target, ScaleShift(scale: map.scale, shift: map.shift))
        }
    }
}
