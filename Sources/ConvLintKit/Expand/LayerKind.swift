/// The layer kinds of SPEC §3, plus the merge rows that branch groups add.
public enum LayerKind: String, Sendable, CaseIterable, Codable {
    case input = "INPUT"
    case conv = "CONV"
    case deconv = "DECONV"
    /// Max pooling, as the notes' POOL.
    case pool = "POOL"
    case maxPool = "MAXPOOL"
    case avgPool = "AVGPOOL"
    case gap = "GAP"
    case fc = "FC"
    case flatten = "FLATTEN"
    case relu = "RELU"
    case leakyRelu = "LEAKYRELU"
    case relu6 = "RELU6"
    case sigmoid = "SIGMOID"
    case tanh = "TANH"
    case gelu = "GELU"
    case softmax = "SOFTMAX"
    case batchNorm = "BN"
    case layerNorm = "LN"
    case lrn = "LRN"
    case dropout = "DROPOUT"
    case identity = "ID"
    /// The merge of a `( | )` group.
    case concat = "CONCAT"
    /// The merge of a `( + )` group.
    case add = "ADD"

    /// Case-insensitive lookup of a kind a pattern may name.
    init?(name: String) {
        guard let kind = LayerKind(rawValue: name.uppercased()) else { return nil }
        self = kind
    }

    /// Kinds a pattern may name; CONCAT and ADD come from groups only.
    var isCallable: Bool { self != .concat && self != .add }

    static var callableNames: [String] { allCases.filter(\.isCallable).map(\.rawValue) }

    var isActivation: Bool {
        switch self {
        case .relu, .leakyRelu, .relu6, .sigmoid, .tanh, .gelu, .softmax: true
        default: false
        }
    }

    var isPool: Bool { self == .pool || self == .maxPool || self == .avgPool }

    /// Kinds with a sliding window and the output-size formula of SPEC §3.
    var isWindowed: Bool { self == .conv || self == .deconv || isPool }

    /// The `defaults` entries that apply, most general first (POOL's apply to MAXPOOL and AVGPOOL).
    var defaultKeys: [String] {
        switch self {
        case .maxPool, .avgPool: [LayerKind.pool.rawValue, rawValue]
        default: [rawValue]
        }
    }
}

/// A width-and-height pair, for kernel sizes, strides, paddings and dilations.
public struct Pair: Hashable, Sendable, Codable {
    public var w: Int
    public var h: Int

    public init(_ w: Int, _ h: Int) {
        self.w = w
        self.h = h
    }

    public init(square value: Int) { self.init(value, value) }

    var isSquare: Bool { w == h }
    /// `3` or `1x7`, as labels and arguments write it.
    var text: String { isSquare ? "\(w)" : "\(w)x\(h)" }
    /// `3x3`, as an area.
    var area: String { "\(w)x\(h)" }
}

/// Padding as written: explicit, or resolved from the kernel.
enum PaddingSpec: Equatable {
    case explicit(Pair)
    /// P = (F_eff − 1)/2, keeping W and H at stride 1.
    case same
    /// P = 0.
    case valid
}

/// A layer's hyperparameters after defaults, paper names and the call are merged.
public struct Hyperparameters: Sendable, Equatable {
    public var shape: [Int] = []
    public var filters: Int?
    public var units: Int?
    public var kernel: Pair?
    public var stride: Pair?
    public var padding = Pair(0, 0)
    public var dilation = Pair(1, 1)
    public var groups = 1
    public var bias = true
    public var outputPadding = Pair(0, 0)
    /// Overrides the file's rounding for this layer.
    public var rounding: Rounding?
    public var inplace = false
    public var lrnSize = 5
    public var rate = 0.5

    /// Effective kernel extent with dilation: d·(F − 1) + 1.
    public var effectiveKernel: Pair {
        let kernel = kernel ?? Pair(1, 1)
        return Pair(
            Saturating.multiply(dilation.w, kernel.w - 1) + 1, Saturating.multiply(dilation.h, kernel.h - 1) + 1)
    }
}
