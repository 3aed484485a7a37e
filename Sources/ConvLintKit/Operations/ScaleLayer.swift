/// SCALE: a learnt multiplier per channel, ConvNeXt's layer scale γ (CaiT's LayerScale).
public struct ScaleLayer: LayerOperation, Equatable {
    static let kinds = [
        KindDefinition(
            kind: .scale, parameters: [],
            defaultsSummary: "SCALE (a learnt multiplier per channel, ConvNeXt's layer scale) takes no arguments.",
            frameworkNames: ["LayerScale"],
            make: { _ throws(Diagnostic) in .scale(ScaleLayer()) }),
    ]

    var label: String { "SCALE" }
    var storage: OutputStorage { .own }
    var linearity: Linearity { .linear }
    /// `gamma * x`: the gradient of γ needs x.
    var saved: SavedForBackward { .inputOnly }

    func output(of layer: LayerNode, inputs: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume { inputs[0] }

    /// γ is counted with the weights: a multiplier per channel.
    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost {
        var cost = LayerCost()
        cost.weights = inputs[0].d
        cost.otherOps = output.elements
        return cost
    }

    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField { inputs[0] }
}

extension LayerKind {
    static let scale = LayerKind(declaring: "SCALE")
}
