/// INPUT: the network's input volume.
public struct InputLayer: LayerOperation, Equatable {
    /// W x H x D.
    public var shape: [Int]

    static let kinds = [
        KindDefinition(
            kind: .input,
            parameters: [ParameterSpec(name: "shape", form: .shape, summary: "The input volume W x H x D. Example: INPUT(224x224x3)")],
            defaultsSummary: "INPUT takes no defaults.",
            make: { arguments throws(Diagnostic) in .input(InputLayer(shape: arguments.shape("shape") ?? [])) }),
    ]

    var label: String { "INPUT" }
    var storage: OutputStorage { .own }
    var linearity: Linearity { .nonlinear }
    var saved: SavedForBackward { .nothing }

    /// The input comes from the layer itself; `ShapeInference` may substitute another shape.
    func output(of layer: LayerNode, inputs: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume {
        try Volume.checked(shape[0], shape[1], shape[2], of: layer)
    }

    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost { LayerCost() }

    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField { .pixel }
}

extension LayerKind {
    static let input = LayerKind(declaring: "INPUT")
}
