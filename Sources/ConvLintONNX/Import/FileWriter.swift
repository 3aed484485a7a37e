import ConvLintKit
import Foundation

/// The architecture file of an imported graph: a header saying where it came from, the
/// defaults that shorten the calls, the blocks found, and the network one stage a line with
/// each line's output volume.
struct FileWriter {
    let model: Onnx_ModelProto
    let path: String
    let layers: [ImportedLayer]
    let chain: [Term]
    let batch: Int
    let dtype: String

    /// Lines are wrapped before this many characters where they can be.
    private static let width = 100
    /// A stage of the network list longer than this starts a new item (which keeps a block of
    /// layers, such as an MBConv, in one item, wrapped).
    private static let stageWidth = 140

    func yaml(flat: Bool = false) -> String {
        let defaults = flat ? [:] : self.defaults()
        var writer = PatternWriter(layers: layers, defaults: defaults)
        let chain = flat ? self.chain : PatternWriter.sequences(self.chain, layers: layers)
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        var lines = [
            "# \(name): imported from \(URL(fileURLWithPath: path).lastPathComponent) by `convlint import` (ONNX IR \(model.irVersion)"
                + (model.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }.map { ", opset \($0.version)" } ?? "")
                + (model.producerName.isEmpty ? "" : ", written by \(model.producerName) \(model.producerVersion)") + ").",
            "# Output sizes round down, as ONNX's do: `rounding: floor`, and `rounding=ceil` on a pool with ceil_mode=1.",
            "name: \(name)",
            "input: \(layers[0].volume)",
        ]
        if batch > 1 { lines.append("batch: \(batch)") }
        if dtype != "float32" { lines.append("dtype: \(dtype)") }
        lines.append("rounding: floor")
        if !defaults.isEmpty {
            lines.append("defaults:")
            for (kind, arguments) in defaults.sorted(by: { $0.key < $1.key }) {
                let written = arguments.sorted { $0.key < $1.key }.map { "\(Self.longName($0.key)): \($0.value.text)" }
                lines.append("  \(kind): {\(written.joined(separator: ", "))}")
            }
        }
        if flat {
            lines += ["network:", "  - INPUT", "  - \(Self.quoted(writer.flat(chain)))"]
            return lines.joined(separator: "\n") + "\n"
        }
        writer.findBlocks(in: chain)
        if !writer.blocks.isEmpty {
            lines.append("blocks:")
            for block in writer.blocks {
                let head = block.parameters.isEmpty ? block.name : "\(block.name)(\(block.parameters.joined(separator: ", ")))"
                lines.append("  \(head): " + Self.wrapped(block.body, indent: head.count + 5))
            }
        }
        lines += ["network:", "  - INPUT"]
        for line in stages(PatternWriter.repeated(writer.items(chain))) {
            let text = PatternWriter.text(line.flatMap { [.text(" -> ")] + $0.pieces }.dropFirst().map { $0 })
            lines.append("  - \(Self.wrapped(text, indent: 5))   # \(layers[line.last!.last].volume)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// CONV's `bias` when most convolutions agree on it: every call then leaves it out.
    private func defaults() -> [String: [String: ArgumentValue]] {
        var biases: [ArgumentValue: Int] = [:]
        for layer in layers {
            if case .layer(let call) = layer.step, call.kind == "CONV", let bias = call.argument("bias") { biases[bias, default: 0] += 1 }
        }
        guard let (common, _) = biases.max(by: { $0.value < $1.value }), common != .word("true") else { return [:] }
        return ["CONV": ["bias": common]]
    }

    private static func longName(_ argument: String) -> String {
        switch argument {
        case "F": "size"
        case "S": "stride"
        case "P": "pad"
        default: argument
        }
    }

    /// The steps split into lines: a new line before a step that changes the image size (a
    /// stage's first convolution or block), after a pool that does, and where a line grows long.
    private func stages(_ items: [PatternWriter.Item]) -> [[PatternWriter.Item]] {
        var lines: [[PatternWriter.Item]] = []
        var line: [PatternWriter.Item] = []
        var length = 0
        var previous = layers[0].volume
        for item in items {
            let output = layers[item.last].volume
            let resizes = (output.w, output.h) != (previous.w, previous.h)
            let pool = isPool(item)
            let text = PatternWriter.text(item.pieces)
            // A long line breaks before a convolution, pool or block, not between a layer and its BN.
            // A stage that opens with a layer and its BN and activation before its strided
            // convolution (an MBConv's expansion before its depthwise one) keeps them.
            let opening = resizes && isConvolution(item) ? line.lastIndex(where: \.leads).flatMap { $0 < line.count - 1 ? $0 : nil } : nil
            if !line.isEmpty, opening != 0, (resizes && !pool) || (length + text.count > Self.stageWidth && item.leads) {
                let carried = opening.map { Array(line[$0...]) } ?? []
                if let opening { line.removeSubrange(opening...) }
                lines.append(line)
                line = carried
                length = carried.map { PatternWriter.text($0.pieces).count + 4 }.reduce(0, +)
            }
            line.append(item)
            length += text.count + 4
            if resizes && pool {
                lines.append(line)
                (line, length) = ([], 0)
            }
            previous = output
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    private func isConvolution(_ item: PatternWriter.Item) -> Bool {
        guard item.first == item.last, case .layer(let call) = layers[item.last].step else { return false }
        return call.kind == "CONV"
    }

    private func isPool(_ item: PatternWriter.Item) -> Bool {
        guard item.first == item.last, case .layer(let call) = layers[item.last].step else { return false }
        return call.kind == "MAXPOOL" || call.kind == "AVGPOOL"
    }

    /// A pattern as a YAML double-quoted scalar, which a leading `[` or `(` needs.
    private static func quoted(_ text: String) -> String { "\"\(text)\"" }

    /// A long pattern broken onto indented lines, which YAML folds back into spaces: before each
    /// branch of the outermost group, then at arrows.
    static func wrapped(_ text: String, indent: Int) -> String {
        guard text.count > width - indent else { return quoted(text) }
        let margin = String(repeating: " ", count: indent)
        var lines: [String] = []
        for (offset, branch) in branches(text).enumerated() {
            var current = offset == 0 ? "" : margin
            for (step, part) in branch.components(separatedBy: " -> ").enumerated() {
                let piece = step == 0 ? part : " -> " + part
                // The first line starts after the key, at the margin too.
                let column = lines.isEmpty && offset == 0 ? indent : 0
                if column + current.count + piece.count > width, !current.trimmingCharacters(in: .whitespaces).isEmpty {
                    lines.append(current)
                    current = margin + piece.dropFirst()
                } else {
                    current += piece
                }
            }
            lines.append(current)
        }
        return quoted(lines.joined(separator: "\n"))
    }

    /// The text cut before each ` | `, ` + ` or ` * ` of the outermost group (each cut keeps its
    /// operator at the start of the next part).
    private static func branches(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "(" || character == "[" { depth += 1 }
            if character == ")" || character == "]" { depth -= 1 }
            // `(ID * GAP -> …)` keeps its short identity branch on the first line.
            if depth == 1, character == " ", index + 2 < characters.count, "|+*".contains(characters[index + 1]), characters[index + 2] == " ",
                current != "(ID"
            {
                parts.append(current)
                current = ""
                index += 1
                continue
            }
            current.append(character)
            index += 1
        }
        parts.append(current)
        return parts
    }
}
