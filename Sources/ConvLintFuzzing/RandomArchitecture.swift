/// Architecture files drawn from the format's grammar (docs/FORMAT.md), for property tests and
/// the fuzzer's structure-aware mode.
public enum RandomArchitecture {
    /// Small networks of every layer family, sized so that the executor runs each in
    /// milliseconds: most pass the static check, and every one that does must run as predicted.
    public static func runnable(_ choices: inout Choices) -> String {
        let (w, h) = (choices.pick([5, 8, 9, 16]), choices.pick([4, 8, 12]))
        return """
            input: \(w)x\(h)x8
            rounding: \(choices.pick(["floor", "ceil"]))
            vars: {C: 8}
            network: "INPUT -> CONV(8, F=1) -> \(chain(&choices, depth: 0, wild: false))"
            """
    }

    /// The whole grammar at its edges: blocks (some recursive or undefined), list variables whose
    /// lengths may disagree with their repetitions, optional layers, arithmetic, extreme numbers,
    /// misspelt kinds and keys. Every one must end in a report or a located diagnostic.
    public static func wild(_ choices: inout Choices) -> String {
        // Mostly sane values, so that most files reach the later stages of the check.
        func edge(_ sane: String, _ edges: [String]) -> String { choices.chance(25) ? choices.pick(edges) : sane }
        var lines = ["input: \(edge("16x16x3", inputs))"]
        if choices.chance(30) { lines.append("rounding: \(edge("floor", ["ceil", "strict", "Floor", "round"]))") }
        if choices.chance(20) { lines.append("batch: \(edge("4", ["64", "0", "-3", "1000000", "1099511627776", "two", "[1]"]))") }
        if choices.chance(10) { lines.append("dtype: \(edge("float16", ["bfloat16", "int8", "float128"]))") }
        if choices.chance(25) {
            lines.append("defaults:")
            lines.append("  \(choices.pick(["CONV", "POOL", "MAXPOOL", "FC", "conv", "BN", "CONVV"])): "
                + "{\(choices.pick(["size: 3, pad: 1", "stride: 2", "size: 0", "pad: same", "bias: false", "sise: 3"]))}")
        }
        lines.append("vars:")
        lines.append("  C: \(edge("8", ["0", "3", "[8, 16]"]))")
        if choices.chance(50) {
            lines.append("  N: \(edge("2", ["0", "3", "[1, 2]", "[2, 2, 3]", "1099511627776", "-1", "true"]))")
            lines.append("  F: \(edge("16", ["[8, 16]", "[8, 16, 32]", "[[8, 8], [16]]", "0", "2.5"]))")
            lines.append("  B: \(edge("true", ["false", "[true, false]", "[true, false, true]"]))")
        }
        var blocks = [String]()
        if choices.chance(40) {
            lines.append("blocks:")
            for index in 0...choices.next(2) {
                let name = "b\(index)"
                blocks.append(name)
                let header = edge(choices.pick(["\(name)(C)", "\(name)(C, S)", name]), ["\(name)(C, C)", "conv"])
                lines.append("  \(header): \"\(chain(&choices, depth: 1, wild: true, blocks: blocks + ["b\(index + 1)"]))\"")
            }
        }
        let network = chain(&choices, depth: 0, wild: true, blocks: blocks)
        if choices.chance(30) {
            lines.append("network:")
            lines.append("  - INPUT")
            lines.append("  - \"\(network)\"")
            if choices.chance(50) { lines.append("  - \(choices.pick(["GAP -> FC(10)", "FC(10)", "-> SOFTMAX", "[RELU]"]))") }
        } else {
            lines.append("network: \"INPUT -> \(network)\"")
        }
        if choices.chance(5) { lines.append(choices.pick(["unknown_key: 1", "network: INPUT", "  bad indent: [", "name: [x"])) }
        let separator = choices.chance(5) ? "\r\n" : "\n"
        return lines.joined(separator: separator) + separator
    }

    static let inputs = [
        "32x32x3", "7x5x8", "1x1x1", "224x224x3", "0x4x3", "-4x4x3", "16x16", "[16, 16, 3]",
        "1099511627776x1099511627776x3", "4x4x100000", "3x1099511627776x1", "abc", "16x16x3x2",
    ]

    /// Layers that run on any input of at least 4x4 (with `rounding: floor` or `ceil`).
    static let layers = [
        "CONV(8, F=3, P=1)", "CONV(8, F=7x1, P=same)", "CONV(8, F=5x3, S=2, P=same)", "CONV(8, F=3, P=2, dilation=2)",
        "CONV(8, F=3, P=1, groups=8)", "CONV(2*C, F=1)", "DECONV(8, F=2, S=2)", "DECONV(8, F=3, S=2, P=1, output_pad=1)",
        "POOL", "MAXPOOL(F=3, S=2, P=1)", "AVGPOOL(F=3, S=1, P=1)", "ADAPTIVEAVGPOOL(3)", "ADAPTIVEAVGPOOL(2x5)",
        "FC(16, per_pixel=true)", "RELU", "SILU", "HARDSWISH", "GELU", "PRELU(per_channel=true)", "SOFTMAX", "BN",
        "LN(over=channels)", "LN", "LRN(3)", "DROPOUT", "DROPPATH(0.1)", "SCALE", "CHUNK(2, index=1)", "SHUFFLE(2)",
        "UPSAMPLE(2)", "UPSAMPLE(size=7x9, mode=bilinear)", "ID",
    ]

    /// Layers at the edges: sizes that do not divide, zero and negative arguments, overflowing
    /// products, names that are close to kinds, arguments of the wrong type.
    static let wildLayers = [
        "CONV(F)", "CONV(F, F=N)", "CONV(16, F=11, S=4)", "CONV(1099511627776, F=1)", "CONV(8, F=0)", "CONV(8, S=0)",
        "CONV(8, F=3, P=-1)", "CONV(8, F=1099511627776)", "CONV(8, groups=3)", "CONV(C/4)", "CONV((N-1)*8)", "CONV(8/0)",
        "FC(10)", "FC(1099511627776)", "FC(0)", "POOL(F=3, S=3)", "MAXPOOL(F=9)", "CONVV(8)", "Conv2d(8)", "conv3-64",
        "fc-10", "RELU(3)", "BN(momentum=x)", "DROPOUT(1.5)", "ADAPTIVEAVGPOOL(0)", "UPSAMPLE(1099511627776)",
        "CHUNK(3, index=4)", "SHUFFLE(3)", "INPUT", "INPUT(8x8x3)", "LRN(-1)", "GAP", "SOFTMAX", "FLATTEN",
    ]

    static let counts = ["0", "1", "2", "3", "N", "(N-1)", "(N*N)", "1000000", "1099511627776", "F", "B", "(2/0)"]

    static func term(_ choices: inout Choices, depth: Int, wild: Bool, blocks: [String]) -> String {
        let roll = choices.next(100)
        let leaf = wild && choices.chance(20) ? choices.pick(wildLayers) : choices.pick(layers)
        if depth > (wild ? 3 : 1) || roll < 55 {
            guard wild else { return leaf }
            if !blocks.isEmpty, choices.chance(20) {
                return choices.pick(blocks) + choices.pick(["(16)", "(16, 2)", "", "(C=8, S=1)", "(S=2)", "(1099511627776)"])
            }
            return leaf + (choices.chance(15) ? choices.pick(["?", "?B", "?true", "?N", "?missing"]) : "")
        }
        let inner = { (choices: inout Choices) in chain(&choices, depth: depth + 1, wild: wild, blocks: blocks) }
        if roll < 65 { return "[\(inner(&choices))]*\(wild ? choices.pick(counts) : "2")" }
        if roll < 78 { return "(\(inner(&choices)) | \(inner(&choices)))" }
        if roll < 90 { return "(\(inner(&choices)) + \(wild && choices.chance(50) ? inner(&choices) : "ID"))" }
        return "(ID * GAP -> CONV(4, F=1) -> RELU -> CONV(C, F=1) -> SIGMOID)"
    }

    static func chain(_ choices: inout Choices, depth: Int, wild: Bool, blocks: [String] = []) -> String {
        (0...choices.next(3)).map { _ in term(&choices, depth: depth, wild: wild, blocks: blocks) }
            .joined(separator: " -> ")
    }
}
