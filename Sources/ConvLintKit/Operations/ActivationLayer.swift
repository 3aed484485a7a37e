/// An elementwise nonlinearity (SOFTMAX: over the channels of each position).
public struct ActivationLayer: LayerOperation, Equatable {
    /// The activations; each case is a kind of its own (RELU, SIGMOID, …). A new one is a case
    /// here and its kernel in the executor.
    public enum Function: String, Sendable, CaseIterable {
        case relu = "RELU"
        case leakyRelu = "LEAKYRELU"
        case relu6 = "RELU6"
        case sigmoid = "SIGMOID"
        case tanh = "TANH"
        case gelu = "GELU"
        /// x·σ(x), also called swish (EfficientNet, RegNet).
        case silu = "SILU"
        /// x·ReLU6(x + 3)/6 (MobileNetV3).
        case hardswish = "HARDSWISH"
        /// ReLU6(x + 3)/6, MobileNetV3's gate.
        case hardsigmoid = "HARDSIGMOID"
        /// x·tanh(softplus(x)).
        case mish = "MISH"
        /// x for x > 0, else eˣ − 1 (α = 1).
        case elu = "ELU"
        /// x for x > 0, else a·x with a learnt slope a (one, or one per channel).
        case prelu = "PRELU"
        case softmax = "SOFTMAX"

        /// Whether it overwrites its input unless told otherwise, as torchvision builds it:
        /// ReLU, ReLU6, SiLU and Hardswish with `inplace=True`; GELU, Sigmoid and Tanh have no
        /// in-place form, and the others default to out of place.
        var isInPlaceByDefault: Bool {
            switch self {
            case .relu, .relu6, .silu, .hardswish: true
            case .leakyRelu, .sigmoid, .tanh, .gelu, .hardsigmoid, .mish, .elu, .prelu, .softmax: false
            }
        }

        /// What its derivative reads (PyTorch's derivatives.yaml): the output for RELU-like
        /// functions, SIGMOID, TANH, ELU and SOFTMAX; the input for GELU, SILU, the hard
        /// functions and MISH.
        var saved: SavedForBackward {
            switch self {
            case .relu, .leakyRelu, .relu6, .sigmoid, .tanh, .elu, .softmax: .outputOnly
            case .gelu, .silu, .hardswish, .hardsigmoid, .mish, .prelu: .inputOnly
            }
        }

        /// Operations per element: SOFTMAX exponentiates, sums and divides.
        var operationsPerElement: Int {
            switch self {
            case .relu, .leakyRelu, .relu6, .sigmoid, .tanh, .gelu, .silu, .hardswish, .hardsigmoid, .mish, .elu, .prelu: 1
            case .softmax: 3
            }
        }

        /// Other frameworks' names that differ from the kind's in more than case.
        var frameworkNames: [String] {
            switch self {
            case .silu: ["Swish"]
            case .hardswish: ["hard_swish", "HSwish"]
            case .hardsigmoid: ["hard_sigmoid", "HSigmoid"]
            case .relu, .leakyRelu, .relu6, .sigmoid, .tanh, .gelu, .mish, .elu, .prelu, .softmax: []
            }
        }

        var defaultsSummary: String {
            switch self {
            case .relu: "Defaults for RELU: inplace (default true). Example: RELU: {inplace: false}"
            case .softmax: "Defaults for SOFTMAX (and soft-max): inplace (default false). Example: SOFTMAX: {inplace: true}"
            case .leakyRelu, .sigmoid, .tanh, .gelu, .hardsigmoid, .mish, .elu:
                "Defaults for \(rawValue): inplace (default false, as PyTorch runs it)."
            case .prelu: "Defaults for PRELU: per_channel (default false, one slope as nn.PReLU()). Example: PRELU: {per_channel: true}"
            case .relu6, .silu, .hardswish: "Defaults for \(rawValue): inplace (default true)."
            }
        }
    }

    public var function: Function
    /// Whether it overwrites its input, keeping no activations of its own.
    public var inplace: Bool
    /// PRELU: a slope per channel instead of one.
    public var perChannel = false

    private static let inplace = ParameterSpec(
        name: "inplace", form: .boolean,
        summary: "Whether the activation overwrites its input, so it counts no activations of its own. Default true for RELU, RELU6, SILU and HARDSWISH (torchvision's inplace=True), false for the others, as PyTorch runs them. Example: inplace: false")
    private static let perChannel = ParameterSpec(
        name: "per_channel", form: .boolean,
        summary: "PRELU's learnt slope: one per channel, or one for the layer (the default, as nn.PReLU()). Example: PRELU(per_channel=true)")

    static let kinds = Function.allCases.map { function in
        let learnt = function == .prelu
        return KindDefinition(
            kind: LayerKind(declaring: function.rawValue),
            parameters: [learnt ? perChannel : inplace],
            defaultsSummary: function.defaultsSummary,
            argumentGroup: learnt ? "preluArguments" : "activationArguments",
            frameworkNames: function.frameworkNames,
            make: { arguments throws(Diagnostic) in
                .activation(
                    ActivationLayer(
                        function: function, inplace: arguments.boolean("inplace") ?? function.isInPlaceByDefault,
                        perChannel: arguments.boolean("per_channel") ?? false))
            })
    }

    var label: String { function.rawValue }
    var storage: OutputStorage { inplace ? .inPlace : .own }

    /// In a training step, an in-place activation whose derivative reads its input (SiLU,
    /// Hardswish) keeps that input beside its output: as much memory as running out of place.
    var trainingStorage: OutputStorage { inplace && saved == .inputOnly ? .own : storage }
    var linearity: Linearity { .nonlinear }
    var saved: SavedForBackward { function.saved }

    func output(of layer: LayerNode, inputs: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume { inputs[0] }

    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost {
        var cost = LayerCost()
        cost.otherOps = try checked.multiply(output.elements, function.operationsPerElement)
        // PRELU's slopes are multipliers, counted with the weights.
        if function == .prelu { cost.weights = perChannel ? inputs[0].d : 1 }
        return cost
    }

    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField { inputs[0] }
}

extension LayerKind {
    static let relu = LayerKind(declaring: ActivationLayer.Function.relu.rawValue)
    static let softmax = LayerKind(declaring: ActivationLayer.Function.softmax.rawValue)
}
