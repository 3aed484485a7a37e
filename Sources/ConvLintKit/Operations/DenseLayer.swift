/// FC: every unit sees the whole input volume, flattened to 1x1x(W·H·D).
public struct DenseLayer: LayerOperation, Equatable {
    public var units: Int
    public var bias: Bool

    static let kinds = [
        KindDefinition(
            kind: .fc,
            parameters: [
                ParameterSpec(
                    name: "units", form: .count,
                    summary: "Number of outputs of the FC layer, which flattens its input to 1x1x(W*H*D) first. Required, from the call or from here. Example: units: 10"),
                ParameterSpec.bias,
            ],
            defaultsSummary: "Defaults for every FC (and FC-4096 names): units, bias. Example: FC: {bias: false}",
            argumentGroup: "fcArguments",
            make: { arguments throws(Diagnostic) in
                guard let units = arguments.count("units") else {
                    throw Diagnostic(
                        RuleID.badArgument, "FC needs a number of units", at: arguments.callLocation,
                        help: "write FC(10), or FC-10 as the VGG paper does")
                }
                return .dense(DenseLayer(units: units, bias: arguments.boolean("bias") ?? true))
            }),
    ]

    var label: String { "FC-\(units)" }
    var storage: OutputStorage { .own }
    var linearity: Linearity { .affine }
    var saved: SavedForBackward { .inputOnly }

    func output(of layer: LayerNode, inputs: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume {
        _ = try Checked(location: layer.location, what: "the weights of \(layer.label)").multiply(inputs[0].elements, units)
        return try Volume.checked(1, 1, units, of: layer)
    }

    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost {
        var cost = LayerCost()
        cost.weights = try checked.multiply(inputs[0].elements, units)
        cost.biases = bias ? units : 0
        cost.macs = cost.weights
        cost.otherOps = cost.biases
        return cost
    }

    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField {
        ReceptiveField(wholeInput: input, after: inputs[0])
    }
}

extension LayerKind {
    static let fc = LayerKind(declaring: "FC")
}
