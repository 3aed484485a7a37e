/// One layer of the expanded network, in execution order.
public struct LayerNode: Sendable {
    /// Position in execution order; 0 is INPUT.
    public var index: Int
    public var kind: LayerKind
    /// The notes' style of name: `CONV3-64`, `POOL2`, `FC-4096`.
    public var label: String
    public var hyper: Hyperparameters
    /// Indices of the layers whose outputs this one reads.
    public var inputs: [Int]
    /// The token that made this layer (inside a block: the block body's token).
    public var location: SourceLocation
    /// The block calls that led here, outermost first.
    public var calledFrom: [SourceLocation]
    /// Where each hyperparameter was written, for diagnostics that point at one.
    var argumentLocations: [String: SourceLocation]

    func location(of parameter: String) -> SourceLocation {
        argumentLocations[parameter] ?? location
    }

    static func label(kind: LayerKind, hyper: Hyperparameters) -> String {
        let stride = hyper.stride ?? Pair(1, 1)
        let kernel = hyper.kernel ?? Pair(1, 1)
        switch kind {
        case .conv, .deconv:
            var label = "\(kind.rawValue)\(kernel.text)-\(hyper.filters ?? 0)"
            if stride != Pair(1, 1) { label += "/\(stride.text)" }
            if hyper.dilation != Pair(1, 1) { label += " d\(hyper.dilation.text)" }
            if hyper.groups > 1 { label += " g\(hyper.groups)" }
            return label
        case .pool, .maxPool, .avgPool:
            let name = kind == .avgPool ? "AVGPOOL" : "POOL"
            return stride == kernel ? "\(name)\(kernel.text)" : "\(name)\(kernel.text)/\(stride.text)"
        case .fc:
            return "FC-\(hyper.units ?? 0)"
        case .input, .gap, .flatten, .relu, .leakyRelu, .relu6, .sigmoid, .tanh, .gelu, .softmax, .batchNorm,
            .layerNorm, .lrn, .dropout, .identity, .concat, .add:
            return kind.rawValue
        }
    }
}
