/// Element type of tensors, and its size.
public enum DType: String, Sendable, CaseIterable, Codable {
    case float32, float16, bfloat16, float64, int8

    public var bytes: Int {
        switch self {
        case .float64: 8
        case .float32: 4
        case .float16, .bfloat16: 2
        case .int8: 1
        }
    }
}

/// What to do when (W − F + 2P) is not divisible by S (SPEC §4).
public enum Rounding: String, Sendable, CaseIterable, Codable {
    /// The CS231n notes' rule: such a setting is invalid.
    case strict
    /// PyTorch's default: the last rows and columns are ignored.
    case floor
    /// Caffe and PyTorch's `ceil_mode`: the input is padded implicitly.
    case ceil
}

struct Located<Value> {
    var value: Value
    var location: SourceLocation
}

/// A value of `vars`: an integer, a boolean or a (nested) list of them.
public indirect enum VariableValue: Equatable, Sendable {
    case integer(Int)
    /// A rate, such as each block's stochastic-depth probability.
    case decimal(Double)
    case boolean(Bool)
    case list([VariableValue])

    /// How many list levels wrap the scalars.
    var depth: Int {
        if case .list(let items) = self { return 1 + (items.map(\.depth).max() ?? 0) }
        return 0
    }
}

/// `blocks: {name(P, Q): body}`.
extension Located: Sendable where Value: Sendable {}

struct BlockDefinition: Sendable {
    var name: String
    var location: SourceLocation
    var parameters: [String]
    var body: PatternNode
}

/// An architecture file as written, before expansion (SPEC §1).
struct ArchitectureFile: Sendable {
    var name: String?
    var input: Located<[Int]>?
    /// `--input` replaces both `input:` and an `INPUT(shape)` in the pattern.
    var inputOverridden = false
    var batch: Located<Int>?
    var dtype: Located<DType>?
    var rounding: Located<Rounding>?
    /// Arguments per layer kind, keyed by the kind's upper-case name, at the kind's key.
    var defaults: [String: Located<[Argument]>] = [:]
    var variables: [String: Located<VariableValue>] = [:]
    var blocks: [String: BlockDefinition] = [:]
    var network: PatternNode
    var networkLocation: SourceLocation
    /// Whether each bare optional layer (`POOL?`) is present, by upper-case name; absent ones are.
    var optionalLayers: [String: Bool] = [:]

    /// Block names match exactly, else case-insensitively like kinds.
    func block(named name: String) -> BlockDefinition? {
        blocks[name] ?? blocks.values.first { $0.name.caseInsensitiveEquals(name) }
    }
}

/// An input volume written on the command line: `224x224x3`.
public enum InputShape {
    /// The three dimensions, each from 1 to `Limits.integerLiteral`; nil otherwise.
    public static func parse(_ text: String) -> [Int]? {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 3, let dims = parts as? [Int], dims.allSatisfy({ $0 >= 1 && $0 <= Limits.integerLiteral }) else {
            return nil
        }
        return dims
    }
}
