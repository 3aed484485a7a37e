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
        case softmax = "SOFTMAX"

        /// Whether it overwrites its input unless told otherwise, as torchvision builds it.
        var isInPlaceByDefault: Bool {
            switch self {
            case .relu, .leakyRelu, .relu6, .sigmoid, .tanh, .gelu: true
            case .softmax: false
            }
        }

        /// What its derivative reads: the output for RELU-like functions, SIGMOID, TANH and
        /// SOFTMAX; the input for GELU.
        var saved: SavedForBackward {
            switch self {
            case .relu, .leakyRelu, .relu6, .sigmoid, .tanh, .softmax: .outputOnly
            case .gelu: .inputOnly
            }
        }

        /// Operations per element: SOFTMAX exponentiates, sums and divides.
        var operationsPerElement: Int {
            switch self {
            case .relu, .leakyRelu, .relu6, .sigmoid, .tanh, .gelu: 1
            case .softmax: 3
            }
        }

        var defaultsSummary: String {
            switch self {
            case .relu: "Defaults for RELU: inplace (default true). Example: RELU: {inplace: false}"
            case .softmax: "Defaults for SOFTMAX (and soft-max): inplace (default false). Example: SOFTMAX: {inplace: true}"
            case .leakyRelu, .relu6, .sigmoid, .tanh, .gelu: "Defaults for \(rawValue): inplace (default true)."
            }
        }
    }

    public var function: Function
    /// Whether it overwrites its input, keeping no activations of its own.
    public var inplace: Bool

    static let kinds = Function.allCases.map { function in
        KindDefinition(
            kind: LayerKind(declaring: function.rawValue),
            parameters: [
                ParameterSpec(
                    name: "inplace", form: .boolean,
                    summary: "Whether the activation overwrites its input, so it counts no activations of its own. Default true (SOFTMAX: false). Example: inplace: false"),
            ],
            defaultsSummary: function.defaultsSummary,
            argumentGroup: "activationArguments",
            make: { arguments throws(Diagnostic) in
                .activation(ActivationLayer(function: function, inplace: arguments.boolean("inplace") ?? function.isInPlaceByDefault))
            })
    }

    var label: String { function.rawValue }
    var storage: OutputStorage { inplace ? .inPlace : .own }
    var linearity: Linearity { .nonlinear }
    var saved: SavedForBackward { function.saved }

    func output(of layer: LayerNode, inputs: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume { inputs[0] }

    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost {
        var cost = LayerCost()
        cost.otherOps = try checked.multiply(output.elements, function.operationsPerElement)
        return cost
    }

    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField { inputs[0] }
}

extension LayerKind {
    static let relu = LayerKind(declaring: ActivationLayer.Function.relu.rawValue)
    static let softmax = LayerKind(declaring: ActivationLayer.Function.softmax.rawValue)
}
