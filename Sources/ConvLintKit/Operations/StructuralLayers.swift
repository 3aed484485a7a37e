/// FLATTEN: the input as one vector, 1x1x(W·H·D).
public struct FlattenLayer: LayerOperation, Equatable {
    static let kinds = [
        KindDefinition(
            kind: .flatten, parameters: [], defaultsSummary: "FLATTEN takes no arguments.",
            make: { _ throws(Diagnostic) in .flatten(FlattenLayer()) }),
    ]

    var label: String { "FLATTEN" }
    var storage: OutputStorage { .view }
    var linearity: Linearity { .linear }
    var saved: SavedForBackward { .nothing }

    func output(of layer: LayerNode, inputs: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume {
        Volume(1, 1, inputs[0].elements)
    }

    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost { LayerCost() }

    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField {
        ReceptiveField(wholeInput: input, after: inputs[0])
    }
}

/// DROPOUT, which zeroes a fraction of the values in training, and DROPPATH, stochastic depth,
/// which drops a residual branch for whole images (torchvision's StochasticDepth, mode "row").
/// Both are the identity at inference.
public struct DropoutLayer: LayerOperation, Equatable {
    /// The fraction of values, or of images, dropped.
    public var rate: Double
    /// DROPPATH: one draw per image instead of one per value.
    public var wholeImages = false

    static let kinds = [
        KindDefinition(
            kind: .dropout,
            parameters: [
                ParameterSpec(
                    name: "rate", form: .rate,
                    summary: "Fraction of values dropped in training, a decimal in [0, 1). Default 0.5. Example: rate: 0.2"),
            ],
            defaultsSummary: "Defaults for DROPOUT: rate (default 0.5). Example: DROPOUT: {rate: 0.2}",
            argumentGroup: "dropoutArguments",
            frameworkNames: ["Dropout2d", "SpatialDropout2D"],
            make: { arguments throws(Diagnostic) in .dropout(DropoutLayer(rate: arguments.rate("rate") ?? 0.5)) }),
        KindDefinition(
            kind: .dropPath,
            parameters: [
                ParameterSpec(
                    name: "rate", form: .rate,
                    summary: "Probability of dropping the branch for an image in training, in [0, 1). Default 0.1. Example: DROPPATH(0.2)"),
            ],
            defaultsSummary: "Defaults for DROPPATH (stochastic depth): rate (default 0.1). Example: DROPPATH: {rate: 0.2}",
            argumentGroup: "dropPathArguments",
            frameworkNames: ["StochasticDepth"],
            make: { arguments throws(Diagnostic) in
                .dropout(DropoutLayer(rate: arguments.rate("rate") ?? 0.1, wholeImages: true))
            }),
    ]

    var label: String { wholeImages ? "DROPPATH" : "DROPOUT" }
    var storage: OutputStorage { .own }
    var linearity: Linearity { .linear }
    /// Its mask: a byte per value (DROPOUT), or a float per image (DROPPATH).
    var saved: SavedForBackward {
        wholeImages ? SavedForBackward(bytesPerImage: 4) : SavedForBackward(bytesPerOutputElement: 1)
    }

    func output(of layer: LayerNode, inputs: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume { inputs[0] }

    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost { LayerCost() }

    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField { inputs[0] }
}

/// ID: passes its input on, as a residual shortcut does.
public struct IdentityLayer: LayerOperation, Equatable {
    static let kinds = [
        KindDefinition(
            kind: .identity, parameters: [], defaultsSummary: "ID (the identity) takes no arguments.",
            frameworkNames: ["Identity"],
            make: { _ throws(Diagnostic) in .identity(IdentityLayer()) }),
    ]

    var label: String { "ID" }
    var storage: OutputStorage { .inPlace }
    var linearity: Linearity { .linear }
    var saved: SavedForBackward { .nothing }

    func output(of layer: LayerNode, inputs: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume { inputs[0] }

    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost { LayerCost() }

    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField { inputs[0] }
}

extension LayerKind {
    static let flatten = LayerKind(declaring: "FLATTEN")
    static let dropout = LayerKind(declaring: "DROPOUT")
    static let dropPath = LayerKind(declaring: "DROPPATH")
    static let identity = LayerKind(declaring: "ID")
}
