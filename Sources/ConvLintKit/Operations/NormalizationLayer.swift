/// BN, LN and LRN: each value scaled by statistics of its neighbours.
public struct NormalizationLayer: LayerOperation, Equatable {
    public enum Method: Sendable, Equatable {
        /// Over the batch, per channel, with a learnt scale and shift and running statistics.
        case batch
        /// Over the whole image (`over: image`, as GroupNorm(1, C)), or over each position's
        /// channels (`over: channels`, ConvNeXt's LayerNorm2d), with a learnt scale and shift
        /// per channel.
        case layer(overChannels: Bool)
        /// Over `size` adjacent channels (AlexNet's LRN).
        case localResponse(size: Int)
    }

    public var method: Method

    static let kinds = [
        KindDefinition(
            kind: .batchNorm, parameters: [], defaultsSummary: "BN (batch normalisation) takes no arguments.",
            frameworkNames: ["BatchNorm2d", "BatchNorm", "BatchNormalization", "BatchNorm2D"],
            make: { _ throws(Diagnostic) in .normalization(NormalizationLayer(method: .batch)) }),
        KindDefinition(
            kind: .layerNorm,
            parameters: [
                ParameterSpec(
                    name: "over", form: .choice(["image", "channels"]),
                    summary: "What each value is normalised over: image (all of W x H x D, the default) or channels (each position's D values, ConvNeXt's LayerNorm). Either way the scale and shift are per channel. Example: LN(over=channels)"),
            ],
            defaultsSummary: "Defaults for LN (layer normalisation): over (default image). Example: LN: {over: channels}",
            argumentGroup: "lnArguments",
            frameworkNames: ["LayerNorm", "LayerNormalization", "LayerNorm2d"],
            make: { arguments throws(Diagnostic) in
                .normalization(NormalizationLayer(method: .layer(overChannels: arguments.choice("over") == "channels")))
            }),
        KindDefinition(
            kind: .lrn,
            parameters: [
                ParameterSpec(
                    name: "size", form: .count,
                    summary: "LRN neighbourhood: how many adjacent channels each value is normalised over. Default 5 (LRN's size has no alias F). Example: size: 5"),
            ],
            defaultsSummary: "Defaults for LRN: size (default 5). Example: LRN: {size: 5}",
            argumentGroup: "lrnArguments",
            frameworkNames: ["LocalResponseNorm", "LocalResponseNormalization"],
            make: { arguments throws(Diagnostic) in
                .normalization(NormalizationLayer(method: .localResponse(size: arguments.count("size") ?? 5)))
            }),
    ]

    var label: String {
        switch method {
        case .batch: "BN"
        case .layer: "LN"
        case .localResponse: "LRN"
        }
    }

    var storage: OutputStorage { .own }

    /// BN is affine at inference (fixed statistics); LN and LRN divide by statistics of each
    /// sample's own values, which no linear map does.
    var linearity: Linearity {
        switch method {
        case .batch: .linear
        case .layer, .localResponse: .nonlinear
        }
    }

    var saved: SavedForBackward { .inputOnly }

    func output(of layer: LayerNode, inputs: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume { inputs[0] }

    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost {
        let depth = inputs[0].d
        var cost = LayerCost()
        switch method {
        case .batch:
            cost.normParameters = 2 * depth
            cost.buffers = 2 * depth
            cost.otherOps = try checked.multiply(output.elements, 2)
        case .layer:
            cost.normParameters = 2 * depth
            cost.otherOps = try checked.multiply(output.elements, 2)
        case .localResponse(let size):
            cost.otherOps = try checked.multiply(output.elements, size)
        }
        return cost
    }

    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField { inputs[0] }
}

extension LayerKind {
    static let batchNorm = LayerKind(declaring: "BN")
    static let layerNorm = LayerKind(declaring: "LN")
    static let lrn = LayerKind(declaring: "LRN")
}
