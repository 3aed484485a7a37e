/// CHUNK: one of `parts` equal slices of the depth, as `x.chunk(parts, dim=1)[index]` (a
/// ShuffleNetV2 unit's split). Branches of a group each take their chunk.
public struct ChunkLayer: LayerOperation, Equatable {
    public var parts: Int
    /// 0-based, as in Python.
    public var index: Int

    static let kinds = [
        KindDefinition(
            kind: .chunk,
            parameters: [
                ParameterSpec(
                    name: "parts", form: .count,
                    summary: "Into how many equal slices the depth is cut; it must divide the depth. Example: CHUNK(2, index=1)"),
                ParameterSpec(
                    name: "index", form: .index,
                    summary: "Which slice this layer keeps, counted from 0 as Python does; below parts. Default 0. Example: index: 1"),
            ],
            defaultsSummary: "Defaults for CHUNK: parts, index.",
            argumentGroup: "chunkArguments",
            frameworkNames: ["Split"],
            make: { arguments throws(Diagnostic) in
                let parts = arguments.count("parts") ?? 2
                let index = arguments.count("index") ?? 0
                guard index < parts else {
                    throw Diagnostic(
                        RuleID.badArgument, "CHUNK index \(index) is not below its \(parts) parts",
                        at: arguments.location(of: "index"), help: "indices count from 0: use 0 to \(parts - 1)")
                }
                return .chunk(ChunkLayer(parts: parts, index: index))
            }),
    ]

    var label: String { "CHUNK\(index + 1)/\(parts)" }
    /// A view of its input in PyTorch; SPEC §5's table counts it as the slice it is.
    var storage: OutputStorage { .view }
    var linearity: Linearity { .linear }
    var saved: SavedForBackward { .nothing }

    func output(of layer: LayerNode, inputs: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume {
        let input = inputs[0]
        try requireDivisor(parts, of: input, "CHUNK", "parts", at: layer)
        return Volume(input.w, input.h, input.d / parts)
    }

    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost { LayerCost() }

    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField { inputs[0] }
}

/// SHUFFLE: ShuffleNet's channel shuffle, the depth viewed as groups × D/groups and transposed.
public struct ShuffleLayer: LayerOperation, Equatable {
    public var groups: Int

    static let kinds = [
        KindDefinition(
            kind: .shuffle,
            parameters: [
                ParameterSpec(
                    name: "groups", form: .count,
                    summary: "Groups whose channels are interleaved; must divide the depth. Default 2. Example: SHUFFLE(2)"),
            ],
            defaultsSummary: "Defaults for SHUFFLE: groups (default 2).",
            argumentGroup: "shuffleArguments",
            frameworkNames: ["ChannelShuffle"],
            make: { arguments throws(Diagnostic) in .shuffle(ShuffleLayer(groups: arguments.count("groups") ?? 2)) }),
    ]

    var label: String { "SHUFFLE\(groups)" }
    /// PyTorch's `transpose(1, 2).contiguous()` copies.
    var storage: OutputStorage { .own }
    var linearity: Linearity { .linear }
    var saved: SavedForBackward { .nothing }

    func output(of layer: LayerNode, inputs: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume {
        try requireDivisor(groups, of: inputs[0], "SHUFFLE", "groups", at: layer)
        return inputs[0]
    }

    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost { LayerCost() }

    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField { inputs[0] }
}

extension LayerKind {
    static let chunk = LayerKind(declaring: "CHUNK")
    static let shuffle = LayerKind(declaring: "SHUFFLE")
}

/// CHUNK's parts and SHUFFLE's groups cut the depth into equal slices.
private func requireDivisor(
    _ count: Int, of input: Volume, _ kind: String, _ parameter: String, at layer: LayerNode
) throws(Diagnostic) {
    guard input.d % count != 0 else { return }
    throw Diagnostic(
        RuleID.invalidShape, "\(kind)(\(count)) does not divide the depth \(input.d) into equal parts",
        at: layer.location(of: parameter),
        help: "use a divisor of \(input.d), e.g. \(kind)(\(ConvolutionLayer.gcd(input.d, count)))")
}
