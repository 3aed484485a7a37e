import ConvLintKit

/// One value of a layer call's argument, as the pattern writes it.
enum ArgumentValue: Hashable {
    case int(Int)
    /// `WxH`; a square pair is written as `.int`.
    case pair(w: Int, h: Int)
    case word(String)

    static func pair(_ pair: Pair) -> ArgumentValue { pair.w == pair.h ? .int(pair.w) : .pair(w: pair.w, h: pair.h) }

    var text: String {
        switch self {
        case .int(let value): "\(value)"
        case .pair(let w, let h): "\(w)x\(h)"
        case .word(let word): word
        }
    }
}

/// One argument: positional when `name` is nil; left out of the file when it equals `fallback`,
/// the kind's built-in default.
struct CallArgument: Hashable {
    var name: String?
    var value: ArgumentValue
    var fallback: ArgumentValue?
}

/// A layer as the pattern calls it: `CONV(64, F=7, S=2, P=3, bias=false)`.
struct LayerCall: Hashable {
    var kind: String
    var arguments: [CallArgument] = []

    init(_ kind: String, _ arguments: [CallArgument] = []) {
        self.kind = kind
        self.arguments = arguments
    }

    func argument(_ name: String) -> ArgumentValue? { arguments.first { $0.name == name }?.value }

    mutating func set(_ name: String, _ value: ArgumentValue) {
        if let index = arguments.firstIndex(where: { $0.name == name }) { arguments[index].value = value }
    }

    /// The call written out, built-in defaults left out.
    var text: String {
        let written = arguments.filter { $0.value != $0.fallback }
        guard !written.isEmpty else { return kind }
        return kind + "(" + written.map { ($0.name.map { "\($0)=" } ?? "") + $0.value.text }.joined(separator: ", ") + ")"
    }
}

/// How a merge combines its inputs: the group operator of the pattern.
enum Merge: String {
    case sum = "+"
    case concat = "|"
    case product = "*"
}

/// One row of the imported network: INPUT, a layer, or the merge that ends a group.
struct ImportedLayer {
    enum Step {
        case input
        case layer(LayerCall)
        case merge(Merge)
    }

    var step: Step
    /// The layers it reads, by index.
    var inputs: [Int]
    /// Its output volume, by ONNX's shape rules.
    var volume: Volume
    /// The ONNX node it came from, for messages.
    var node: String
}
