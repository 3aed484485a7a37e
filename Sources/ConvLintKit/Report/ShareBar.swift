/// A row's share of the network's activation memory or parameters, drawn as a bar in the text
/// and markdown tables: most memory sits in the early CONV layers and most parameters in the
/// late FC layers, which a column of bars shows at a glance and a column of numbers does not.
public enum ShareBar {
    /// Unicode block elements, eight steps a cell; or `#` a cell, for terminals without UTF-8.
    public enum Style: Sendable { case unicode, ascii }

    /// Cells a full bar takes.
    static let width = 8

    /// `███▍     21%`: the bar, as long against the full width as `part` is against `largest`,
    /// padded to its width, then `part`'s share of `whole` in whole percent (`<1%` for a share
    /// that would round to nothing; blank for none at all).
    static func render(_ part: Int, of whole: Int, largest: Int, style: Style) -> String {
        guard whole > 0, largest > 0, part > 0 else { return String(repeating: " ", count: width + 4) }
        let eighths = Int((min(1, Double(part) / Double(largest)) * Double(width * 8)).rounded())
        var bar: String
        switch style {
        case .unicode:
            bar = String(repeating: "█", count: eighths / 8)
            // U+258F (one eighth) to U+2589 (seven eighths), the partial cell.
            if eighths % 8 > 0, let partial = Unicode.Scalar(0x2590 - eighths % 8) { bar.unicodeScalars.append(partial) }
            // A share too small for an eighth still shows that it is there.
            if bar.isEmpty { bar = "▏" }
        case .ascii:
            bar = String(repeating: "#", count: (eighths + 4) / 8)
            if bar.isEmpty { bar = "." }
        }
        let percent = part.percent(of: whole)
        return bar + String(repeating: " ", count: width + 4 - bar.unicodeScalars.count - percent.count) + percent
    }

    static let titles = ["MEMORY SHARE", "PARAMS SHARE"]

    /// The two bars of each row, scaled so that the largest row's fills its bar.
    struct Columns {
        let totals: LayerCost
        let largest: (activations: Int, params: Int)
        let style: Style

        init(_ rows: [LayerReport], totals: LayerCost, style: Style) {
            self.totals = totals
            largest = (rows.map(\.cost.activations).max() ?? 0, rows.map(\.cost.params).max() ?? 0)
            self.style = style
        }

        /// A row's activations against the network's, and its parameters.
        func cells(_ layer: LayerReport) -> [String] {
            [
                render(layer.cost.activations, of: totals.activations, largest: largest.activations, style: style),
                render(layer.cost.params, of: totals.params, largest: largest.params, style: style),
            ]
        }
    }

    /// The style a terminal can show: unicode where the locale is UTF-8 (`LC_ALL`, then
    /// `LC_CTYPE`, then `LANG`, the first that is set), ASCII otherwise.
    public static func style(environment: [String: String]) -> Style {
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty } ?? ""
        let lowered = locale.lowercased()
        return lowered.contains("utf-8") || lowered.contains("utf8") ? .unicode : .ascii
    }
}
