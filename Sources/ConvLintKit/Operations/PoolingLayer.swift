/// POOL and MAXPOOL (max pooling) and AVGPOOL: a window that keeps the largest or the mean value.
public struct PoolingLayer: LayerOperation, Equatable {
    public enum Mode: Sendable, Equatable { case max, average }

    public var mode: Mode
    public var window: SlidingWindow

    private static let parameters = [
        SlidingWindow.size, SlidingWindow.strideParameter, SlidingWindow.pad, SlidingWindow.roundingParameter,
    ]

    static let kinds = [
        KindDefinition(
            kind: .pool, parameters: parameters,
            defaultsSummary: "Defaults for POOL (max pooling), which also apply to MAXPOOL and AVGPOOL unless their own entry sets the argument: size/F, stride/S, pad/P, rounding. Example: POOL: {size: 2, stride: 2}",
            argumentGroup: "poolArguments",
            make: { arguments throws(Diagnostic) in .pooling(try PoolingLayer(arguments, mode: .max)) }),
        KindDefinition(
            kind: .maxPool, parameters: parameters, inheritsDefaults: [.pool],
            defaultsSummary: "Defaults for MAXPOOL and the VGG paper's maxpool; they beat POOL's. Example: MAXPOOL: {size: 3, stride: 2}",
            argumentGroup: "poolArguments",
            make: { arguments throws(Diagnostic) in .pooling(try PoolingLayer(arguments, mode: .max)) }),
        KindDefinition(
            kind: .avgPool, parameters: parameters, inheritsDefaults: [.pool],
            defaultsSummary: "Defaults for AVGPOOL; they beat POOL's. Example: AVGPOOL: {size: 2, stride: 2}",
            argumentGroup: "poolArguments",
            make: { arguments throws(Diagnostic) in .pooling(try PoolingLayer(arguments, mode: .average)) }),
    ]

    private init(_ arguments: Arguments, mode: Mode) throws(Diagnostic) {
        self.mode = mode
        window = try SlidingWindow(arguments, kernel: arguments.pair("size") ?? Pair(2, 2), strideFollowsKernel: true)
    }

    var label: String {
        let name = mode == .average ? "AVGPOOL" : "POOL"
        return window.stride == window.kernel ? "\(name)\(window.kernel.text)" : "\(name)\(window.kernel.text)/\(window.stride.text)"
    }

    var storage: OutputStorage { .own }
    var linearity: Linearity { mode == .average ? .linear : .nonlinear }
    /// Max pooling keeps its input and the int64 index of each maximum.
    var saved: SavedForBackward { mode == .max ? SavedForBackward(input: true, bytesPerOutputElement: 8) : .inputOnly }

    func output(of layer: LayerNode, inputs: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume {
        try window.output(of: layer, input: inputs[0], depth: inputs[0].d, context: &context)
    }

    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost {
        var cost = LayerCost()
        cost.otherOps = try checked.multiply(output.elements, window.kernel.w, window.kernel.h)
        return cost
    }

    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField {
        window.receptiveField(after: inputs[0])
    }
}

/// GAP: the mean of each channel, 1x1xD.
public struct GlobalPoolingLayer: LayerOperation, Equatable {
    static let kinds = [
        KindDefinition(
            kind: .gap, parameters: [], defaultsSummary: "GAP (global average pooling) takes no arguments.",
            make: { _ throws(Diagnostic) in .globalPooling(GlobalPoolingLayer()) }),
    ]

    var label: String { "GAP" }
    var storage: OutputStorage { .own }
    var linearity: Linearity { .linear }
    var saved: SavedForBackward { .inputOnly }

    func output(of layer: LayerNode, inputs: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume {
        Volume(1, 1, inputs[0].d)
    }

    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost {
        var cost = LayerCost()
        cost.otherOps = inputs[0].elements
        return cost
    }

    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField {
        ReceptiveField(wholeInput: input, after: inputs[0])
    }
}

extension LayerKind {
    static let pool = LayerKind(declaring: "POOL")
    static let maxPool = LayerKind(declaring: "MAXPOOL")
    static let avgPool = LayerKind(declaring: "AVGPOOL")
    static let gap = LayerKind(declaring: "GAP")
}
