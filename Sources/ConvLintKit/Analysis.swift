/// One row of the report: a layer with its volumes and costs.
public struct LayerReport: Sendable {
    public var node: LayerNode
    /// The volume the layer reads (its first input's output).
    public var input: Volume
    public var output: Volume
    public var cost: LayerCost
    public var receptiveField: ReceptiveField
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
    /// Sums over all rows, per image.
    public var totals: LayerCost
    /// Present when every layer was sized.
    public var memory: MemoryEstimate?
    /// The model behind `totals.training_bytes` and the budget.
    public var framework: MemoryFramework = .pytorch
    /// Present when a GPU memory budget was given.
    public var budget: BudgetCheck?
    /// Without a budget: the largest training batch on common GPU sizes.
    public var commonGPUs: [BudgetCheck] = []
    public var diagnostics: [Diagnostic]
    /// The block calls of the expansion, by the numbers `LayerNode.blockCalls` give.
    public var blockCalls: [BlockCall] = []

    public var isValid: Bool { !diagnostics.contains { $0.severity == .error } }
    public var input: Volume? { layers.first?.output }

    /// The forward pass's activations of one image in the element type (saturated for absurd
    /// networks, whose totals are reported all the same).
    public var activationBytesPerImage: ByteCount { ByteCount(Saturating.multiply(totals.activations, dtype.bytes)) }

    /// `input 224x224x3, batch 1, float32, rounding strict`: what the figures are for.
    public var settings: String {
        "\(input.map { "input \($0)" } ?? "input unknown"), batch \(batch), \(dtype.rawValue), rounding \(rounding.rawValue)"
    }
}
