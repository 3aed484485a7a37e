/// What one layer costs per image (SPEC §5). Counts are elements, parameters or
/// multiply-accumulates, never bytes; bytes are `ByteCount`.
public struct LayerCost: Sendable, Equatable {
    /// Elements of the output volume kept in memory; 0 for in-place activations, ID and sums.
    public var activations = 0
    /// CONV/DECONV/FC weights, without biases.
    public var weights = 0
    public var biases = 0
    /// BN/LN scale and shift.
    public var normParameters = 0
    /// BN running mean and variance: state, not trained.
    public var buffers = 0
    /// Multiply-accumulates of CONV, DECONV and FC, bias adds excluded.
    public var macs = 0
    /// Other elementwise work: bias adds, activations, pooling comparisons, normalisation.
    public var otherOps = 0

    /// weights + biases + BN/LN scale and shift.
    public var params: Int { weights + biases + normParameters }
    public var flops: Int { 2 * macs }

    /// Adds a layer's cost to a running total, as the totals row does.
    /// On overflow the total is left as it was, so that `params` and `flops` cannot trap in the
    /// reports of the invalid network (a sum past Int.max / 2 once made `flops` trap).
    mutating func add(_ cost: LayerCost, at location: SourceLocation) throws(Diagnostic) {
        let checked = Checked(location: location, what: "the network's total cost")
        var sum = LayerCost()
        sum.activations = try checked.add(activations, cost.activations)
        sum.weights = try checked.add(weights, cost.weights)
        sum.biases = try checked.add(biases, cost.biases)
        sum.normParameters = try checked.add(normParameters, cost.normParameters)
        _ = try checked.add(try checked.add(sum.weights, sum.biases), sum.normParameters)
        sum.buffers = try checked.add(buffers, cost.buffers)
        sum.macs = try checked.add(macs, cost.macs)
        _ = try checked.multiply(sum.macs, 2)
        sum.otherOps = try checked.add(otherOps, cost.otherOps)
        self = sum
    }
}

/// The receptive field of a layer's output on the network input, and its effective stride.
public struct ReceptiveField: Sendable, Equatable {
    /// Input pixels one output value sees, per axis.
    public var size: (w: Double, h: Double)
    /// Input pixels between neighbouring outputs (fractional after a DECONV).
    public var jump: (w: Double, h: Double)

    public static func == (lhs: ReceptiveField, rhs: ReceptiveField) -> Bool {
        lhs.size == rhs.size && lhs.jump == rhs.jump
    }

    static let pixel = ReceptiveField(size: (1, 1), jump: (1, 1))
}
