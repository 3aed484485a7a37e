import ConvLintKit
import Foundation

/// A tensor the graph holds fixed: an initializer, a `Constant` node's value, or a weight given as
/// a graph input (`--no-weights`), whose values are unknown.
struct Constant {
    var dims: [Int]
    /// The values, as integers or floats, when the tensor is small enough to matter for the
    /// graph's structure (shapes, slice bounds, scalars); weights keep none.
    var ints: [Int]?
    var floats: [Float]?
    /// A tensor of the model's own (an initializer or a weight input), not one computed from
    /// constants (an exporter's zero bias from `Expand`): only these are parameters.
    var learnt = false

    /// Elements are read only up to this many: enough for any shape or bound, never a weight.
    static let valueLimit = 4096

    /// Elements; a count beyond any real tensor's saturates rather than overflows.
    var count: Int { product(dims) ?? Limits.saturatedSize }

    /// Whether it is known to hold zeros only.
    var isZero: Bool { floats?.allSatisfy { $0 == 0 } ?? ints?.allSatisfy { $0 == 0 } ?? false }

    /// The one value of a scalar (or one-element) tensor, as a float.
    var scalar: Float? {
        guard count == 1 else { return nil }
        return floats?.first ?? ints?.first.map(Float.init)
    }

    init(dims: [Int], ints: [Int]? = nil, floats: [Float]? = nil) {
        self.dims = dims
        self.ints = ints
        self.floats = floats
    }

    init(_ tensor: Onnx_TensorProto) throws(ImportProblem) {
        let dims = tensor.dims.map(Int.init)
        guard dims.allSatisfy({ $0 >= 0 && $0 <= 1 << 40 }) else {
            throw ImportProblem("tensor '\(tensor.name)' has dimensions \(dims)")
        }
        self.init(dims: dims)
        guard count <= Self.valueLimit else { return }
        let type = Onnx_TensorProto.DataType(rawValue: Int(tensor.dataType)) ?? .undefined
        let raw = tensor.rawData
        // Other element types (strings, 16-bit and 8-bit floats) hold nothing the structure needs.
        if type == .float {
            floats = raw.isEmpty ? tensor.floatData : Self.littleEndian(raw, as: UInt32.self).map { Float(bitPattern: $0) }
        } else if type == .double {
            floats = raw.isEmpty ? tensor.doubleData.map(Float.init) : Self.littleEndian(raw, as: UInt64.self).map { Float(Double(bitPattern: $0)) }
        } else if type == .int64 {
            ints = raw.isEmpty ? tensor.int64Data.map(Int.init) : Self.littleEndian(raw, as: UInt64.self).map { Int(Int64(bitPattern: $0)) }
        } else if [.int32, .int16, .int8, .uint8, .bool].contains(type) {
            ints = raw.isEmpty ? tensor.int32Data.map(Int.init) : Self.widened(raw, type: type)
        }
        if let floats, ints == nil, floats.allSatisfy({ $0 == $0.rounded() && abs($0) < 1e12 }) { ints = floats.map { Int($0) } }
        // A tensor whose stored values do not fill its dimensions has none we can use.
        if (ints?.count ?? count) != count || (floats?.count ?? count) != count { (ints, floats) = (nil, nil) }
    }

    private static func littleEndian<T: FixedWidthInteger>(_ data: Data, as type: T.Type) -> [T] {
        let size = MemoryLayout<T>.size
        return stride(from: 0, to: data.count - size + 1, by: size).map { offset in
            data[(data.startIndex + offset)..<(data.startIndex + offset + size)].reversed().reduce(T(0)) { $0 << 8 | T($1) }
        }
    }

    private static func widened(_ data: Data, type: Onnx_TensorProto.DataType) -> [Int] {
        switch type {
        case .int32: littleEndian(data, as: UInt32.self).map { Int(Int32(bitPattern: $0)) }
        case .int16: littleEndian(data, as: UInt16.self).map { Int(Int16(bitPattern: $0)) }
        case .int8: data.map { Int(Int8(bitPattern: $0)) }
        default: data.map { Int($0) }
        }
    }
}

/// The product of `values`, or nil when it would overflow or pass `Limits.saturatedSize`: a
/// hostile file's dimensions never trap.
func product(_ values: [Int]) -> Int? {
    var result = 1
    for value in values {
        let (next, overflow) = result.multipliedReportingOverflow(by: value)
        guard !overflow, next.magnitude <= Limits.saturatedSize else { return nil }
        result = next
    }
    return result
}

/// The sum of `values`, none above `Limits.saturatedSize`, saturating there.
func saturatedSum(_ values: [Int]) -> Int { values.reduce(0) { min($0 + $1, Limits.saturatedSize) } }

/// How an activation tensor's axes are laid out, beyond the batch axis.
enum Layout: Equatable {
    /// N×C×H×W, ONNX's convention.
    case channelsFirst
    /// N×F, F the volume's elements: a flattened image or an FC's output (which convlint holds
    /// as 1×1×F); an FC after a flatten reads the image itself.
    case flat
    /// N×H×W×C, after `Transpose(perm=[0, 2, 3, 1])` (ConvNeXt's LayerNorm and Linear).
    case channelsLast
    /// N×g×(C/g)×H×W: the first step of a channel shuffle.
    case grouped(Int)
    /// N×(C/g)×g×H×W: its groups swapped, waiting for the reshape back.
    case swapped(Int)
}

/// What a name in the graph stands for while it is read.
enum GraphValue {
    /// An activation: the output of imported layer `layer`, of `volume`, laid out as `layout`.
    case activation(layer: Int, volume: Volume, layout: Layout)
    case constant(Constant)
    /// An activation's channels cut into `parts` equal parts (`SplitToSequence`), each taken
    /// by a `SequenceAt`.
    case parts(layer: Int, volume: Volume, count: Int)

    var constant: Constant? {
        if case .constant(let constant) = self { return constant }
        return nil
    }
}

/// Why a model cannot be read: a message, and the node it concerns when there is one.
struct ImportProblem: Error {
    var message: String
    var help: String?
    init(_ message: String, help: String? = nil) {
        self.message = message
        self.help = help
    }
}

extension Onnx_TensorShapeProto.Dimension {
    /// The dimension's size, when it is a number rather than a name (`batch`).
    var fixed: Int? {
        if case .dimValue(let value)? = value { return Int(value) }
        return nil
    }
}

extension Onnx_NodeProto {
    /// A node's name for messages: its own, or its first output's.
    var displayName: String { name.isEmpty ? (output.first ?? "?") : name }

    func attribute(_ name: String) -> Onnx_AttributeProto? { attribute.first { $0.name == name } }
    func int(_ name: String, _ fallback: Int) -> Int { attribute(name).map { Int($0.i) } ?? fallback }
    func ints(_ name: String) -> [Int]? { attribute(name).map { $0.ints.map(Int.init) } }
    func float(_ name: String, _ fallback: Float) -> Float { attribute(name)?.f ?? fallback }
    func string(_ name: String, _ fallback: String) -> String {
        attribute(name).map { String(decoding: $0.s, as: UTF8.self) } ?? fallback
    }
}
