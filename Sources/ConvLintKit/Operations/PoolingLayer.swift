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
            frameworkNames: ["MaxPool2d", "MaxPooling2D", "MaxPool2D"],
            make: { arguments throws(Diagnostic) in .pooling(try PoolingLayer(arguments, mode: .max)) }),
        KindDefinition(
            kind: .avgPool, parameters: parameters, inheritsDefaults: [.pool],
            defaultsSummary: "Defaults for AVGPOOL; they beat POOL's. Example: AVGPOOL: {size: 2, stride: 2}",
            argumentGroup: "poolArguments",
            frameworkNames: ["AvgPool2d", "AveragePooling2D", "AvgPool2D", "AveragePool"],
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

/// GAP, the mean of each channel (1x1xD), and ADAPTIVEAVGPOOL, the means over a grid of
/// windows that gives a chosen output size (PyTorch's AdaptiveAvgPool2d: window i spans
/// ⌊i·in/out⌋ to ⌈(i+1)·in/out⌉).
public struct AdaptivePoolingLayer: LayerOperation, Equatable {
    public var size: Pair

    static let kinds = [
        KindDefinition(
            kind: .gap, parameters: [], defaultsSummary: "GAP (global average pooling) takes no arguments.",
            frameworkNames: ["GlobalAveragePooling2D", "GlobalAvgPool2d", "GlobalAvgPool", "GlobalAveragePool"],
            make: { _ throws(Diagnostic) in .adaptivePooling(AdaptivePoolingLayer(size: .one)) }),
        KindDefinition(
            kind: .adaptiveAvgPool,
            parameters: [
                ParameterSpec(
                    name: "size", form: .pair(minimum: 1),
                    summary: "The output W and H: N or WxH. Required. Example: ADAPTIVEAVGPOOL(7)"),
            ],
            defaultsSummary: "Defaults for ADAPTIVEAVGPOOL: size. Example: ADAPTIVEAVGPOOL: {size: 7}",
            argumentGroup: "adaptivePoolArguments",
            frameworkNames: ["AdaptiveAvgPool2d", "AdaptiveAvgPool"],
            make: { arguments throws(Diagnostic) in
                guard let size = arguments.pair("size") else {
                    throw Diagnostic(
                        RuleID.badArgument, "ADAPTIVEAVGPOOL needs an output size", at: arguments.callLocation,
                        help: "write ADAPTIVEAVGPOOL(7) for 7x7, or GAP for 1x1")
                }
                return .adaptivePooling(AdaptivePoolingLayer(size: size))
            }),
    ]

    public var isGlobal: Bool { size == .one }
    var label: String { isGlobal ? "GAP" : "ADAPTIVEAVGPOOL\(size.text)" }
    var storage: OutputStorage { .own }
    var linearity: Linearity { .linear }
    var saved: SavedForBackward { .inputOnly }

    func output(of layer: LayerNode, inputs: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume {
        try Volume.checked(size.w, size.h, inputs[0].d, of: layer)
    }

    /// The window along one axis of `input` values for output `index` of `count`.
    public static func window(_ index: Int, of count: Int, input: Int) -> Range<Int> {
        (index * input / count)..<(((index + 1) * input + count - 1) / count)
    }

    /// One addition per input value a window reads (each once for GAP).
    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost {
        let input = inputs[0]
        var cost = LayerCost()
        if isGlobal {
            cost.otherOps = input.elements
        } else {
            let columns = try Self.windowLengths(input: input.w, output: size.w, checked: checked)
            let rows = try Self.windowLengths(input: input.h, output: size.h, checked: checked)
            cost.otherOps = try checked.multiply(columns, rows, input.d)
        }
        return cost
    }

    /// The lengths of `window` summed over an axis, in closed form: ⌈x⌉ = ⌊x⌋ + 1 unless x is
    /// whole, and j·in/out is whole for gcd(in, out) of j = 1…out, so the sum is
    /// in + out − gcd(in, out).
    static func windowLengths(input: Int, output: Int, checked: Checked) throws(Diagnostic) -> Int {
        try checked.add(input, output - ConvolutionLayer.gcd(input, output))
    }

    /// GAP sees the whole input; a grid of windows sees about one window each.
    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField {
        let previous = inputs[0]
        guard !isGlobal else { return ReceptiveField(wholeInput: input, after: previous) }
        let kernel = (w: Double((input.w + size.w - 1) / size.w), h: Double((input.h + size.h - 1) / size.h))
        return ReceptiveField(
            size: (previous.size.w + (kernel.w - 1) * previous.jump.w, previous.size.h + (kernel.h - 1) * previous.jump.h),
            jump: (previous.jump.w * Double(input.w) / Double(size.w), previous.jump.h * Double(input.h) / Double(size.h)))
    }
}

extension LayerKind {
    static let pool = LayerKind(declaring: "POOL")
    static let maxPool = LayerKind(declaring: "MAXPOOL")
    static let avgPool = LayerKind(declaring: "AVGPOOL")
    static let gap = LayerKind(declaring: "GAP")
    static let adaptiveAvgPool = LayerKind(declaring: "ADAPTIVEAVGPOOL")
}
