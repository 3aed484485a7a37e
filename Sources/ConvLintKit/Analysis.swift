/// One row of the report: a layer with its volumes and costs.
public struct LayerReport: Sendable {
    public var node: LayerNode
    /// The volume the layer reads (its first input's output).
    public var input: Volume
    public var output: Volume
    public var cost: LayerCost
    public var receptiveField: ReceptiveField
}

/// Sums over all rows, per image.
public struct Totals: Sendable, Equatable {
    public var activations = 0
    public var weights = 0
    public var biases = 0
    public var normParameters = 0
    public var buffers = 0
    public var macs = 0
    public var otherOps = 0

    public var params: Int { weights + biases + normParameters }
    public var flops: Int { 2 * macs }

    mutating func add(_ cost: LayerCost, at location: SourceLocation) throws(Diagnostic) {
        let checked = Checked(location: location, what: "the network's total cost")
        activations = try checked.add(activations, cost.activations)
        weights = try checked.add(weights, cost.weights)
        biases = try checked.add(biases, cost.biases)
        normParameters = try checked.add(normParameters, cost.normParameters)
        buffers = try checked.add(buffers, cost.buffers)
        macs = try checked.add(macs, cost.macs)
        _ = try checked.multiply(macs, 2)
        otherOps = try checked.add(otherOps, cost.otherOps)
    }
}

/// Everything convlint found out about one architecture file.
public struct Analysis: Sendable {
    public var source: SourceFile
    public var name: String
    public var batch: Int
    public var dtype: DType
    public var rounding: Rounding
    /// Rows up to the first error.
    public var layers: [LayerReport]
    public var totals: Totals
    /// Present when every layer was sized.
    public var memory: MemoryEstimate?
    public var diagnostics: [Diagnostic]

    public var isValid: Bool { !diagnostics.contains { $0.severity == .error } }
    public var input: Volume? { layers.first?.output }
}
