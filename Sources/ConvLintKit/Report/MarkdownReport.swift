/// A GitHub-flavoured markdown table that pastes into a pull request.
public struct MarkdownReport {
    public var allLayers: Bool

    public init(allLayers: Bool = false) { self.allLayers = allLayers }

    public func render(_ analysis: Analysis) -> String {
        var out = ["### \(analysis.name) (`\(analysis.source.path)`)", ""]
        let input = analysis.input.map { "`\($0)`" } ?? "unknown"
        out.append("Input \(input), batch \(analysis.batch), \(analysis.dtype.rawValue), rounding \(analysis.rounding.rawValue).")
        out.append("")
        out.append("| # | Layer | Output | Memory | Weights | Params | MACs | RF |")
        out.append("|--:|---|---|---|---|--:|--:|--:|")
        for layer in analysis.layers where LayerColumns.isShown(layer, allLayers: allLayers) {
            let cells = [
                String(layer.node.index), "`\(layer.node.label)`", "\(layer.output)", LayerColumns.memory(layer),
                LayerColumns.weights(layer), layer.cost.params.grouped, layer.cost.macs.grouped,
                LayerColumns.receptiveField(layer),
            ]
            out.append("| " + cells.joined(separator: " | ") + " |")
        }
        let totals = analysis.totals
        let image = ByteCount(Saturating.multiply(totals.activations, analysis.dtype.bytes))
        out.append(
            "| | **Total** | | **\(totals.activations.grouped)** (\(image.binary)/image) | \(totals.weights.grouped) | "
                + "**\(totals.params.grouped)** | **\(totals.macs.grouped)** | |")
        let memory = MemoryLines.lines(analysis)
        if !memory.isEmpty {
            out += ["", "```"] + memory + ["```"]
        }
        if !analysis.diagnostics.isEmpty {
            out.append("")
            for diagnostic in analysis.diagnostics {
                let at = diagnostic.location.map { ":\($0.line):\($0.column)" } ?? ""
                out.append(
                    "- **\(diagnostic.severity.rawValue)** `\(diagnostic.rule)` at `\(analysis.source.path)\(at)`: "
                        + diagnostic.message + (diagnostic.help.map { " — help: \($0)" } ?? ""))
            }
        }
        return out.joined(separator: "\n")
    }
}
