/// FC: every unit sees the whole input volume, flattened to 1x1x(W·H·D); or, per pixel, each
/// position's D values (PyTorch's Linear on channels-last, as in ConvNeXt).
public struct DenseLayer: LayerOperation, Equatable {
    public var units: Int
    public var bias: Bool
    /// Applied to each position's channels: W x H x units, W·H·D·units MACs.
    public var perPixel = false

    static let kinds = [
        KindDefinition(
            kind: .fc,
            parameters: [
                ParameterSpec(
                    name: "units", form: .count,
                    summary: "Number of outputs of the FC layer, which flattens its input to 1x1x(W*H*D) first. Required, from the call or from here. Example: units: 10"),
                ParameterSpec.bias,
                ParameterSpec(
                    name: "per_pixel", form: .boolean,
                    summary: "Apply the FC to each position's channels instead of the flattened volume (nn.Linear on channels-last, as ConvNeXt's blocks do): the output is W x H x units. Default false. Example: FC(384, per_pixel=true)"),
            ],
            defaultsSummary: "Defaults for every FC (and FC-4096 names): units, bias. Example: FC: {bias: false}",
            argumentGroup: "fcArguments",
            frameworkNames: ["Linear", "Dense", "FullyConnected", "InnerProduct"],
            make: { arguments throws(Diagnostic) in
                guard let units = arguments.count("units") else {
                    throw Diagnostic(
                        RuleID.badArgument, "FC needs a number of units", at: arguments.callLocation,
                        help: "write FC(10), or FC-10 as the VGG paper does")
                }
                return .dense(
                    DenseLayer(
                        units: units, bias: arguments.boolean("bias") ?? true,
                        perPixel: arguments.boolean("per_pixel") ?? false))
            }),
    ]

    var label: String { perPixel ? "FC-\(units)/px" : "FC-\(units)" }
    var storage: OutputStorage { .own }
    var linearity: Linearity { .affine }
    var saved: SavedForBackward { .inputOnly }

    func output(of layer: LayerNode, inputs: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume {
        let input = inputs[0]
        _ = try Checked(location: layer.location, what: "the weights of \(layer.label)")
            .multiply(perPixel ? input.d : input.elements, units)
        return try Volume.checked(perPixel ? input.w : 1, perPixel ? input.h : 1, units, of: layer)
    }

    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost {
        var cost = LayerCost()
        let input = inputs[0]
        cost.weights = try checked.multiply(perPixel ? input.d : input.elements, units)
        cost.biases = bias ? units : 0
        cost.macs = perPixel ? try checked.multiply(cost.weights, input.w, input.h) : cost.weights
        cost.otherOps = bias ? output.elements : 0
        return cost
    }

    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField {
        perPixel ? inputs[0] : ReceptiveField(wholeInput: input, after: inputs[0])
    }
}

extension LayerKind {
    static let fc = LayerKind(declaring: "FC")
}
