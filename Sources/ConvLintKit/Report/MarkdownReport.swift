/// A GitHub-flavoured markdown table that pastes into a pull request.
public struct MarkdownReport {
    public var allLayers: Bool
    /// The text table's share bars; GitHub shows them in any browser, so they are on unless
    /// turned off.
    public var bars: ShareBar.Style?

    public init(allLayers: Bool = false, bars: ShareBar.Style? = .unicode) {
        self.allLayers = allLayers
        self.bars = bars
    }

    public func render(_ analysis: Analysis) -> String {
        var out = ["### \(analysis.name) (`\(analysis.source.path)`)", ""]
        let input = analysis.input.map { "`\($0)`" } ?? "unknown"
        out.append("Input \(input), batch \(analysis.batch), \(analysis.dtype.rawValue), rounding \(analysis.rounding.rawValue).")
        out.append("")
        let shareTitles = bars == nil ? "" : " Memory share | Params share |"
        out.append("| # | Layer | Output | Memory | Weights | Params | MACs | RF |" + shareTitles)
        out.append("|--:|---|---|---|---|--:|--:|--:|" + (bars == nil ? "" : "---|---|"))
        let shown = analysis.layers.filter { LayerColumns.isShown($0, allLayers: allLayers) }
        let shares = bars.map { ShareBar.Columns(shown, totals: analysis.totals, style: $0) }
        for layer in shown {
            let cells = [
                String(layer.node.index), "`\(layer.node.label)`", "\(layer.output)", LayerColumns.memory(layer),
                LayerColumns.weights(layer), layer.cost.params.grouped, layer.cost.macs.grouped,
                LayerColumns.receptiveField(layer),
            ] + (shares?.cells(layer).map { $0.allSatisfy { $0 == " " } ? "" : "`\($0)`" } ?? [])
            out.append("| " + cells.joined(separator: " | ") + " |")
        }
        let totals = analysis.totals
        let image = analysis.activationBytesPerImage
        out.append(
            "| | **Total** | | **\(totals.activations.grouped)** (\(image.binary)/image) | \(totals.weights.grouped) | "
                + "**\(totals.params.grouped)** | **\(totals.macs.grouped)** | |" + (bars == nil ? "" : " | |"))
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
