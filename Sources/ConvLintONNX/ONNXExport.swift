import ConvLintExecutor
import ConvLintKit
import Foundation
import SwiftProtobuf

/// The checked network as an ONNX model (opset 17, IR version 8, which ONNX Runtime, Netron and
/// onnx.checker all read): one node or a few per layer, tensors N×C×H×W as the executor holds
/// them, and the weights `convlint run` draws from the same seed as initializers (or none).
public enum ONNXExport {
    public static let opset: Int64 = 17

    /// A layer the export cannot write yet, and why: a located diagnostic, not a crash.
    public struct Unsupported: Error, CustomStringConvertible {
        public let layer: LayerReport
        public let reason: String
        /// The file the layer was written in.
        public let path: String
        public var description: String {
            let location = layer.node.location
            return "\(path):\(location.line):\(location.column): error[onnx-export]: \(layer.node.label) (layer "
                + "\(layer.node.index)) has no ONNX form here: \(reason)"
        }
    }

    /// The serialized model. `weights`: with the executor's seeded weights as initializers;
    /// without them each weight is a graph input of its shape, for the user to supply.
    public static func model(_ analysis: Analysis, seed: UInt64 = 0, weights: Bool = true) throws -> Data {
        var model = Onnx_ModelProto()
        model.irVersion = 8
        model.producerName = "convlint"
        model.producerVersion = ConvLintVersion.current
        var operators = Onnx_OperatorSetIdProto()
        operators.version = Self.opset
        model.opsetImport = [operators]
        model.graph = try graph(analysis, seed: seed, weights: weights)
        return try model.serializedData()
    }

    /// The graph, its initializers copied from an executor that is gone by the time the model
    /// is serialized: two copies of the weights at once, not three.
    private static func graph(_ analysis: Analysis, seed: UInt64, weights: Bool) throws -> Onnx_GraphProto {
        var options = Executor.Options()
        options.seed = seed
        var builder = GraphBuilder(analysis: analysis, executor: weights ? Executor(analysis: analysis, options: options) : nil)
        for layer in analysis.layers { try builder.add(layer) }
        return builder.finished(name: analysis.name)
    }

}

/// Builds the graph layer by layer: each layer's output is the tensor named after it.
private struct GraphBuilder {
    let analysis: Analysis
    /// Where the weights come from; nil when they are graph inputs instead (`--no-weights`).
    let executor: Executor?
    var graph = Onnx_GraphProto()
    /// Each layer's output tensor, by index (ID and DROPOUT pass their input's on).
    var names: [Int: String] = [:]
    private var counter = 0

    init(analysis: Analysis, executor: Executor?) {
        self.analysis = analysis
        self.executor = executor
    }

    private var batch: Int64 { Int64(analysis.batch) }

    mutating func finished(name: String) -> Onnx_GraphProto {
        var graph = graph
        graph.name = name
        let last = analysis.layers[analysis.layers.count - 1]
        graph.output = [valueInfo(names[last.node.index]!, last.output)]
        return graph
    }

    private func valueInfo(_ name: String, _ volume: Volume) -> Onnx_ValueInfoProto {
        valueInfo(name, dims: [Int(batch), volume.d, volume.h, volume.w])
    }

    private func valueInfo(_ name: String, dims: [Int]) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        var shape = Onnx_TensorShapeProto()
        shape.dim = dims.map(Int64.init).map { value in
            var dimension = Onnx_TensorShapeProto.Dimension()
            dimension.dimValue = value
            return dimension
        }
        tensor.shape = shape
        info.type.tensorType = tensor
        return info
    }

    /// A fresh tensor name for an intermediate value or an initializer.
    private mutating func fresh(_ stem: String) -> String {
        counter += 1
        return "\(stem)_\(counter)"
    }

    private mutating func node(
        _ op: String, _ inputs: [String], output: String? = nil, _ attributes: [Onnx_AttributeProto] = []
    ) -> String {
        var node = Onnx_NodeProto()
        node.opType = op
        node.input = inputs
        let name = output ?? fresh(op.lowercased())
        node.output = [name]
        node.name = name
        node.attribute = attributes
        graph.node.append(node)
        return name
    }

    private func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .ints
        attribute.ints = values.map(Int64.init)
        return attribute
    }

    private func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .int
        attribute.i = Int64(value)
        return attribute
    }

    private func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .float
        attribute.f = value
        return attribute
    }

    private func string(_ name: String, _ value: String) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .string
        attribute.s = Data(value.utf8)
        return attribute
    }

    /// A weight of `dims`: an initializer holding the executor's values, or, without weights, a
    /// graph input of that shape.
    private mutating func weight(_ stem: String, dims: [Int], _ values: Data?) -> String {
        guard executor != nil else {
            let name = fresh(stem)
            graph.input.append(valueInfo(name, dims: dims))
            return name
        }
        return constant(stem, dims: dims, values)
    }

    /// An initializer named after `stem`, of `type` and `dims` (none: a scalar), its values set
    /// by `fill`.
    private mutating func initializer(
        _ stem: String, _ type: Onnx_TensorProto.DataType, dims: [Int], fill: (inout Onnx_TensorProto) -> Void
    ) -> String {
        var tensor = Onnx_TensorProto()
        tensor.name = fresh(stem)
        tensor.dims = dims.map(Int64.init)
        tensor.dataType = Int32(type.rawValue)
        fill(&tensor)
        graph.initializer.append(tensor)
        return tensor.name
    }

    /// A float32 initializer of `dims`, from `values`' bytes (zeros when nil).
    private mutating func constant(_ stem: String, dims: [Int], _ values: Data?) -> String {
        let count = dims.reduce(1, *)
        let data = values ?? Data(count: 4 * count)
        precondition(data.count == 4 * count, "initializer \(stem): \(data.count) bytes for \(dims)")
        return initializer(stem, .float, dims: dims) { $0.rawData = data }
    }

    private mutating func int64s(_ stem: String, _ values: [Int]) -> String {
        initializer(stem, .int64, dims: [values.count]) { $0.int64Data = values.map(Int64.init) }
    }

    /// Parameter `which` of layer `index` as the executor draws it, its bytes copied once;
    /// nil without weights.
    private func parameter(_ index: Int, _ which: Int) -> Data? {
        guard let executor else { return nil }
        let tensors = executor.parameters(of: index)
        return which < tensors.count ? Data(buffer: tensors[which]) : nil
    }

    private func output(_ layer: LayerReport) -> String { layer.node.index == analysis.layers.count - 1 ? "output" : "x\(layer.node.index)" }

    /// Per-channel weights shaped to broadcast over N×C×H×W.
    private mutating func perChannel(_ stem: String, _ values: Data?, channels: Int) -> String {
        weight(stem, dims: [channels, 1, 1], values)
    }

    mutating func add(_ layer: LayerReport) throws {
        let index = layer.node.index
        let inputs = layer.node.inputs.map { names[$0]! }
        let (input, volume) = (inputs.first ?? "input", layer.input)
        let out = output(layer)
        func unsupported(_ reason: String) -> ONNXExport.Unsupported {
            ONNXExport.Unsupported(layer: layer, reason: reason, path: analysis.source.path)
        }
        switch layer.node.operation {
        case .input:
            graph.input = [valueInfo("input", layer.output)]
            names[index] = "input"
            return
        case .convolution(let conv):
            let (kernel, filters, groups) = (conv.window.kernel, conv.filters, conv.groups)
            let window = [
                ints("kernel_shape", [kernel.h, kernel.w]), ints("strides", [conv.window.stride.h, conv.window.stride.w]),
                ints("pads", [conv.window.padding.h, conv.window.padding.w, conv.window.padding.h, conv.window.padding.w]),
                ints("dilations", [conv.window.dilation.h, conv.window.dilation.w]), int("group", groups),
            ]
            let weights: String
            if conv.transposed {
                // Stored C × K/g × Kh × Kw, as ONNX's ConvTranspose reads it.
                weights = weight("weight", dims: [volume.d, filters / groups, kernel.h, kernel.w], parameter(index, 0))
            } else {
                // Stored K × Kh × Kw × C/g; ONNX reads K × C/g × Kh × Kw.
                let perGroup = volume.d / groups
                weights = weight(
                    "weight", dims: [filters, perGroup, kernel.h, kernel.w],
                    executor.map {
                        Self.channelsFirst($0.parameters(of: index)[0], filters: filters, taps: kernel.h * kernel.w, channels: perGroup)
                    })
            }
            var operands = [input, weights]
            if conv.bias { operands.append(weight("bias", dims: [filters], parameter(index, 1))) }
            let padding = conv.outputPadding
            let attributes = conv.transposed ? window + [ints("output_padding", [padding.h, padding.w])] : window
            names[index] = node(conv.transposed ? "ConvTranspose" : "Conv", operands, output: out, attributes)
        case .pooling(let pool):
            let window = pool.window
            let ceil = (window.rounding ?? analysis.rounding) == .ceil
            var attributes = [
                ints("kernel_shape", [window.kernel.h, window.kernel.w]), ints("strides", [window.stride.h, window.stride.w]),
                ints("pads", [window.padding.h, window.padding.w, window.padding.h, window.padding.w]), int("ceil_mode", ceil ? 1 : 0),
            ]
            guard window.dilation == Pair(1, 1) else { throw unsupported("a dilated pooling window") }
            // PyTorch's average counts the padding (count_include_pad=True), as the executor does.
            if pool.mode == .average { attributes.append(int("count_include_pad", 1)) }
            names[index] = node(pool.mode == .max ? "MaxPool" : "AveragePool", [input], output: out, attributes)
        case .adaptivePooling(let pool):
            if pool.isGlobal {
                names[index] = node("GlobalAveragePool", [input], output: out)
            } else if volume.h % pool.size.h == 0, volume.w % pool.size.w == 0 {
                // Whole windows: an average pool of stride and kernel input / output.
                let (h, w) = (volume.h / pool.size.h, volume.w / pool.size.w)
                names[index] = node(
                    "AveragePool", [input], output: out, [ints("kernel_shape", [h, w]), ints("strides", [h, w])])
            } else {
                throw unsupported("an adaptive pool of \(volume.h)x\(volume.w) to \(pool.size.h)x\(pool.size.w), whose windows overlap")
            }
        case .dense(let dense):
            let fanIn = dense.perPixel ? volume.d : volume.elements
            let weights = parameter(index, 0)
            let bias = parameter(index, 1)
            if dense.perPixel {
                // Each position's channels: a 1x1 convolution.
                var operands = [input, weight("weight", dims: [dense.units, fanIn, 1, 1], weights)]
                if dense.bias { operands.append(weight("bias", dims: [dense.units], bias)) }
                names[index] = node("Conv", operands, output: out, [ints("kernel_shape", [1, 1])])
            } else {
                let flat = node("Flatten", [input], [int("axis", 1)])
                var operands = [flat, weight("weight", dims: [dense.units, fanIn], weights)]
                if dense.bias { operands.append(weight("bias", dims: [dense.units], bias)) }
                let product = node("Gemm", operands, [int("transB", 1)])
                names[index] = node("Reshape", [product, int64s("shape", [Int(batch), dense.units, 1, 1])], output: out)
            }
        case .flatten:
            names[index] = node("Reshape", [input, int64s("shape", [Int(batch), volume.elements, 1, 1])], output: out)
        case .dropout, .identity:
            names[index] = input
        case .activation(let activation):
            names[index] = try self.activation(activation, layer: layer, input: input, output: out)
        case .normalization(let norm):
            switch norm.method {
            case .batch:
                let statistics = executor?.runningStatistics(of: index)
                let operands = [
                    input, weight("scale", dims: [volume.d], parameter(index, 0)),
                    weight("shift", dims: [volume.d], parameter(index, 1)),
                    weight("mean", dims: [volume.d], statistics.map { Data(buffer: $0.mean) }),
                    weight("variance", dims: [volume.d], statistics.map { Data(buffer: $0.variance) }),
                ]
                names[index] = node("BatchNormalization", operands, output: out, [float("epsilon", 1e-5)])
            case .layer(let overChannels):
                let (gamma, beta) = (parameter(index, 0), parameter(index, 1))
                if overChannels {
                    // Each position's channels: LayerNormalization over the last axis of N×H×W×C.
                    let last = node("Transpose", [input], [ints("perm", [0, 2, 3, 1])])
                    let normed = node(
                        "LayerNormalization",
                        [last, weight("scale", dims: [volume.d], gamma), weight("shift", dims: [volume.d], beta)],
                        [int("axis", -1), float("epsilon", 1e-6)])
                    names[index] = node("Transpose", [normed], output: out, [ints("perm", [0, 3, 1, 2])])
                } else {
                    // Over each image's C·H·W values (GroupNorm(1, C)), then the per-channel scale and shift.
                    let size = [volume.d, volume.h, volume.w]
                    let normed = node(
                        "LayerNormalization",
                        [input, constant("one", dims: size, [Float](repeating: 1, count: volume.elements).withUnsafeBufferPointer { Data(buffer: $0) }), constant("zero", dims: size, nil)],
                        [int("axis", 1), float("epsilon", 1e-5)])
                    let scaled = node("Mul", [normed, perChannel("scale", gamma, channels: volume.d)])
                    names[index] = node("Add", [scaled, perChannel("shift", beta, channels: volume.d)], output: out)
                }
            case .localResponse(let size):
                names[index] = node(
                    "LRN", [input], output: out,
                    [int("size", size), float("alpha", 1e-4), float("beta", 0.75), float("bias", 1)])
            }
        case .merge(let merge):
            switch merge.mode {
            case .add: names[index] = node("Sum", inputs, output: out)
            case .concat: names[index] = node("Concat", inputs, output: out, [int("axis", 1)])
            case .multiply:
                var product = inputs[0]
                for (offset, other) in inputs.dropFirst().enumerated() {
                    product = node("Mul", [product, other], output: offset == inputs.count - 2 ? out : nil)
                }
                names[index] = product
            }
        case .scale:
            names[index] = node("Mul", [input, perChannel("gamma", parameter(index, 0), channels: volume.d)], output: out)
        case .chunk(let chunk):
            let width = volume.d / chunk.parts
            names[index] = node(
                "Slice", [input, int64s("starts", [chunk.index * width]), int64s("ends", [(chunk.index + 1) * width]), int64s("axes", [1])],
                output: out)
        case .shuffle(let shuffle):
            // N × g × C/g × H × W, its two channel axes swapped, and back.
            let split = node(
                "Reshape", [input, int64s("shape", [Int(batch), shuffle.groups, volume.d / shuffle.groups, volume.h, volume.w])])
            let swapped = node("Transpose", [split], [ints("perm", [0, 2, 1, 3, 4])])
            names[index] = node("Reshape", [swapped, int64s("shape", [Int(batch), volume.d, volume.h, volume.w])], output: out)
        case .upsample(let resize):
            let sizes = int64s("sizes", [Int(batch), layer.output.d, layer.output.h, layer.output.w])
            let attributes =
                resize.mode == .bilinear
                ? [string("mode", "linear"), string("coordinate_transformation_mode", "half_pixel")]
                : [string("mode", "nearest"), string("coordinate_transformation_mode", "asymmetric"), string("nearest_mode", "floor")]
            names[index] = node("Resize", [input, "", "", sizes], output: out, attributes)
        }
    }

    /// The nodes of an activation, as the executor computes it.
    private mutating func activation(_ activation: ActivationLayer, layer: LayerReport, input: String, output: String) throws -> String {
        let channels = layer.input.d
        switch activation.function {
        case .relu: return node("Relu", [input], output: output)
        case .leakyRelu: return node("LeakyRelu", [input], output: output, [float("alpha", 0.01)])
        case .relu6: return node("Clip", [input, scalar(0), scalar(6)], output: output)
        case .sigmoid: return node("Sigmoid", [input], output: output)
        case .tanh: return node("Tanh", [input], output: output)
        case .gelu:
            // 0.5·x·(1 + erf(x/√2)): Gelu itself is opset 20.
            let erf = node("Erf", [node("Div", [input, scalar(Float(2).squareRoot())])])
            let half = node("Mul", [input, node("Add", [erf, scalar(1)])])
            return node("Mul", [half, scalar(0.5)], output: output)
        case .silu: return node("Mul", [input, node("Sigmoid", [input])], output: output)
        case .hardswish: return node("HardSwish", [input], output: output)
        case .hardsigmoid: return node("HardSigmoid", [input], output: output, [float("alpha", 1 / 6), float("beta", 0.5)])
        case .mish: return node("Mul", [input, node("Tanh", [node("Softplus", [input])])], output: output)
        case .elu: return node("Elu", [input], output: output, [float("alpha", 1)])
        case .softmax: return node("Softmax", [input], output: output, [int("axis", 1)])
        case .prelu:
            let slopes = activation.perChannel ? channels : 1
            let values = parameter(layer.node.index, 0)
            return node("PRelu", [input, weight("slope", dims: [slopes, 1, 1], values)], output: output)
        }
    }

    /// A float32 scalar initializer.
    private mutating func scalar(_ value: Float) -> String {
        initializer("constant", .float, dims: []) { $0.floatData = [value] }
    }

    /// K × taps × C (the executor's order) to K × C × taps (ONNX's).
    static func channelsFirst(_ values: UnsafeBufferPointer<Float>, filters: Int, taps: Int, channels: Int) -> Data {
        var result = Data(count: values.count * 4)
        result.withUnsafeMutableBytes { bytes in
            let target = bytes.bindMemory(to: Float.self)
            for f in 0..<filters {
                for t in 0..<taps {
                    for c in 0..<channels { target[(f * channels + c) * taps + t] = values[(f * taps + t) * channels + c] }
                }
            }
        }
        return result
    }
}
