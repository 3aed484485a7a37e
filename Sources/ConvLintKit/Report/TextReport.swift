/// The default output: a VGG-style table as in the CS231n notes, with totals whose
/// arithmetic is right.
public struct TextReport {
    public var allLayers: Bool
    /// Each row's share of memory and of parameters as bars, or none.
    public var bars: ShareBar.Style?

    public init(allLayers: Bool = false, bars: ShareBar.Style? = nil) {
        self.allLayers = allLayers
        self.bars = bars
    }

    public func render(_ analysis: Analysis) -> String {
        guard !analysis.layers.isEmpty else {
            return "\(analysis.source.path): no table, since the file could not be read as a network (see the error)"
        }
        var out = [String]()
        out.append("\(analysis.name)  (\(analysis.source.path))")
        out.append(analysis.settings)
        out.append("")
        let header = ["LAYER", "OUTPUT", "MEMORY", "WEIGHTS", "PARAMS", "MACS", "RF"] + (bars == nil ? [] : ShareBar.titles)
        let shown = analysis.layers.filter { LayerColumns.isShown($0, allLayers: allLayers) }
        let hidden = analysis.layers.count - shown.count
        let shares = bars.map { ShareBar.Columns(shown, totals: analysis.totals, style: $0) }
        var rows = [[String]]()
        for layer in shown {
            rows.append([
                layer.node.label, "[\(layer.output)]", LayerColumns.memory(layer), LayerColumns.weights(layer),
                layer.cost.params.grouped, layer.cost.macs.compact, LayerColumns.receptiveField(layer),
            ] + (shares?.cells(layer) ?? []))
        }
        out += Self.align([header] + rows, rightAligned: [4, 5, 6])
        out.append("")
        out += totals(analysis)
        if hidden > 0 {
            out.append(
                "(\(hidden) in-place activation row\(hidden == 1 ? "" : "s") hidden: "
                    + "they keep no memory of their own; --all-layers shows them)")
        }
        if analysis.memory == nil {
            out.append("(the network stops at the first error; the rows above are the layers before it)")
        }
        return out.joined(separator: "\n")
    }

    private func totals(_ analysis: Analysis) -> [String] {
        let totals = analysis.totals
        let size = analysis.dtype.bytes
        let image = analysis.activationBytesPerImage
        let lines = [
            "TOTAL memory: \(totals.activations.grouped) activations * \(size) bytes = \(image.decimal) / image "
                + "(\(image.binary)); forward only, ~*2 for backward",
            "TOTAL params: \(totals.params.grouped) (\(totals.params.compact)) = \(totals.weights.grouped) weights + "
                + "\(totals.biases.grouped) biases"
                + (totals.normParameters > 0 ? " + \(totals.normParameters.grouped) BN/LN scale and shift" : "")
                + (totals.buffers > 0 ? "; \(totals.buffers.grouped) buffers" : ""),
            "TOTAL MACs: \(totals.macs.grouped) (\(totals.macs.compact)) per image = \(totals.flops.compact) FLOPs",
        ]
        return lines + MemoryLines.lines(analysis)
    }

    /// Pads columns to a common width.
    public static func align(_ rows: [[String]], rightAligned: Set<Int>) -> [String] {
        guard let columns = rows.first?.count else { return [] }
        // Cells are one column per scalar, as the source lines they quote.
        let widths = (0..<columns).map { column in rows.map { $0[column].unicodeScalars.count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.unicodeScalars.count)
                return rightAligned.contains(column) ? padding + cell : cell + padding
            }
            .joined(separator: "  ")
            .trimmingTrailingSpaces()
        }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
