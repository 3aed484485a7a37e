import ConvLintKit
import Foundation

/// Reads an ONNX graph node by node into convlint layers. Each activation is tracked with its
/// volume and layout; shape arithmetic on constants (`Shape → Gather → Concat → Reshape`) is
/// evaluated, and layout moves (a channel shuffle's reshapes, ConvNeXt's permutes) become a
/// layer or nothing.
struct GraphReader {
    private(set) var layers: [ImportedLayer] = []
    /// Elements of the learnt tensors the layers read, counted from the graph itself.
    private(set) var parameters = 0
    private var values: [String: GraphValue] = [:]
    /// How many nodes read each name: a bias or a gate folds into the layer before it only when
    /// nothing else reads that layer's output.
    private let readers: [String: Int]
    /// The operator types of the nodes that read each name.
    private let readerOperators: [String: Set<String>]
    let batch: Int
    let dtype: String

    init(graph: Onnx_GraphProto, nodes: [Onnx_NodeProto]) throws(ImportProblem) {
        var readers: [String: Int] = [:]
        var readerOperators: [String: Set<String>] = [:]
        for node in nodes {
            for input in node.input where !input.isEmpty {
                readers[input, default: 0] += 1
                readerOperators[input, default: []].insert(node.opType)
            }
        }
        for output in graph.output { readers[output.name, default: 0] += 1 }
        self.readers = readers
        self.readerOperators = readerOperators
        var values: [String: GraphValue] = [:]
        for tensor in graph.initializer {
            var constant = try Constant(tensor)
            constant.learnt = true
            values[tensor.name] = .constant(constant)
        }
        let inputs = graph.input.filter { values[$0.name] == nil }
        guard let image = inputs.first else {
            throw ImportProblem("the graph has no input that is not an initializer", help: "export the model with its image as an input")
        }
        let dims = image.type.tensorType.shape.dim
        guard dims.count == 4 else {
            throw ImportProblem(
                "the graph input '\(image.name)' has \(dims.count) dimensions; convlint reads images N×C×H×W",
                help: "export the model with a 4-dimensional image input (batch, channels, height, width)")
        }
        let sizes = dims.map(\.fixed)
        guard let c = sizes[1], let h = sizes[2], let w = sizes[3], [c, h, w].allSatisfy({ $0 >= 1 }),
            let elements = product([c, h, w]), elements <= Limits.integerLiteral
        else {
            let written = dims.map { $0.fixed.map(String.init) ?? ($0.dimParam.isEmpty ? "?" : $0.dimParam) }
            throw ImportProblem(
                "the graph input '\(image.name)' has shape [\(written.joined(separator: ", "))]: channels, height and width must be fixed",
                help: "export with a fixed input size (torch.onnx.export without dynamic_axes on height and width)")
        }
        batch = min(max(1, sizes[0] ?? 1), Limits.batch)
        dtype = image.type.tensorType.elemType == Int32(Onnx_TensorProto.DataType.float16.rawValue) ? "float16" : "float32"
        let volume = Volume(w, h, c)
        self.values = values
        layers.append(ImportedLayer(step: .input, inputs: [], volume: volume, node: image.name))
        self.values[image.name] = .activation(layer: 0, volume: volume, layout: .channelsFirst)
        // Any further input is a weight given from outside (an export without initializers).
        for weight in inputs.dropFirst() {
            let dims = weight.type.tensorType.shape.dim.map { $0.fixed ?? 0 }
            var constant = Constant(dims: dims)
            constant.learnt = true
            self.values[weight.name] = .constant(constant)
        }
    }

    /// The activation behind the graph's output.
    func output(_ name: String) throws(ImportProblem) -> (layer: Int, volume: Volume) {
        guard case .activation(let layer, let volume, let layout) = values[name] else {
            throw ImportProblem("the graph output '\(name)' is not computed from the input")
        }
        guard layout == .channelsFirst || layout == .flat else { throw ImportProblem("the graph output '\(name)' is not laid out N×C×H×W") }
        return (layer, volume)
    }

    mutating func read(_ node: Onnx_NodeProto) throws(ImportProblem) {
        var inputs: [GraphValue?] = []
        for name in node.input {
            if name.isEmpty {
                inputs.append(nil)
            } else if let value = values[name] {
                inputs.append(value)
            } else {
                throw ImportProblem("input '\(name)' is not defined before this node", help: "the nodes must be in topological order")
            }
        }
        let rule = NodeRule(node: node, inputs: inputs, reader: self)
        let results = try rule.apply()
        if results.contains(where: { if case .value = $0 { false } else if case .unused = $0 { false } else { true } }) {
            parameters += rule.parameters
        }
        for (name, result) in zip(node.output, results) where !name.isEmpty {
            switch result {
            case .value(let value): values[name] = value
            case .layer(let step, let inputs, let volume, let layout):
                // Every volume stays within what convlint counts exactly, so that products of
                // its sides never overflow.
                guard volume.w >= 1, volume.h >= 1, volume.d >= 1, let elements = product([volume.w, volume.h, volume.d]),
                    elements <= Limits.integerLiteral
                else {
                    throw ImportProblem("the output \(volume) is no volume convlint can count (each side at least 1, at most 2^40 values)")
                }
                layers.append(ImportedLayer(step: step, inputs: inputs, volume: volume, node: node.displayName))
                values[name] = .activation(layer: layers.count - 1, volume: volume, layout: layout)
            case .replace(let layer, let call, let layout):
                layers[layer].step = .layer(call)
                values[name] = .activation(layer: layer, volume: layers[layer].volume, layout: layout)
            case .unused: break
            }
        }
    }

    /// Whether `name` is read by one node only.
    func readOnce(_ name: String) -> Bool { readers[name, default: 0] == 1 }
    func unread(_ name: String) -> Bool { readers[name, default: 0] == 0 }
    /// Whether every reader of `name` is one of `operators` (and there is one).
    func readOnlyBy(_ name: String, _ operators: Set<String>) -> Bool {
        !unread(name) && readerOperators[name, default: []].isSubset(of: operators)
    }
}

/// What a node gives for one of its outputs.
enum NodeResult {
    case value(GraphValue)
    case layer(ImportedLayer.Step, inputs: [Int], volume: Volume, layout: Layout)
    /// The layer at this index becomes `call` (a bias or gate folded into it) and is the output.
    case replace(layer: Int, call: LayerCall, layout: Layout)
    /// An output nothing reads (BatchNormalization's running statistics in a training export).
    case unused
}
