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

/// DROPOUT: zeroes a fraction of the values in training; the identity at inference.
public struct DropoutLayer: LayerOperation, Equatable {
    /// The fraction dropped.
    public var rate: Double

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
            make: { arguments throws(Diagnostic) in .dropout(DropoutLayer(rate: arguments.rate("rate") ?? 0.5)) }),
    ]

    var label: String { "DROPOUT" }
    var storage: OutputStorage { .own }
    var linearity: Linearity { .linear }
    /// Its mask, one byte per element.
    var saved: SavedForBackward { SavedForBackward(bytesPerOutputElement: 1) }

    func output(of layer: LayerNode, inputs: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume { inputs[0] }

    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost { LayerCost() }

    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField { inputs[0] }
}

/// DROPPATH: stochastic depth, which drops a residual branch for whole images in training
/// (torchvision's StochasticDepth, mode "row"); the identity at inference.
public struct DropPathLayer: LayerOperation, Equatable {
    /// The probability of dropping the branch.
    public var rate: Double

    static let kinds = [
        KindDefinition(
            kind: .dropPath,
            parameters: [
                ParameterSpec(
                    name: "rate", form: .rate,
                    summary: "Probability of dropping the branch for an image in training, in [0, 1). Default 0.1. Example: DROPPATH(0.2)"),
            ],
            defaultsSummary: "Defaults for DROPPATH: rate (default 0.1). Example: DROPPATH: {rate: 0.2}",
            argumentGroup: "dropPathArguments",
            make: { arguments throws(Diagnostic) in .dropPath(DropPathLayer(rate: arguments.rate("rate") ?? 0.1)) }),
    ]

    var label: String { "DROPPATH" }
    var storage: OutputStorage { .own }
    var linearity: Linearity { .linear }
    /// Its mask: one float per image.
    var saved: SavedForBackward { SavedForBackward(bytesPerImage: 4) }

    func output(of layer: LayerNode, inputs: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume { inputs[0] }

    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost { LayerCost() }

    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField { inputs[0] }
}

/// ID: passes its input on, as a residual shortcut does.
public struct IdentityLayer: LayerOperation, Equatable {
    static let kinds = [
        KindDefinition(
            kind: .identity, parameters: [], defaultsSummary: "ID (the identity) takes no arguments.",
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
