/// `convlint report` and `--format html`: one self-contained page (inline SVG and CSS, nothing
/// fetched) with, for each file, its diagnostics linked to their layers, a bar per layer of
/// activations, parameters and MACs, the output width and receptive field through the depth,
/// the receptive field against the input to scale, the training step's memory by phase and
/// where its tensors peak, and the VGG-style table. The page is well-formed XML.
public struct HTMLReport {
    public var allLayers: Bool
    /// What `convlint run` measured, drawn beside the prediction; for the first file only.
    public var measured: Measured?

    public init(allLayers: Bool = false, measured: Measured? = nil) {
        self.allLayers = allLayers
        self.measured = measured
    }

    /// A run's figures as the page shows them: each layer's time, and the totals predicted beside
    /// measured.
    public struct Measured: Sendable {
        /// Seconds of each layer in the fastest pass, indexed as the analysis's layers.
        public var seconds: [Double]
        /// "batch 1, random weights and input; GEMM: OpenBLAS".
        public var setting: String
        public var totals: [(what: String, predicted: String, measured: String)]

        public init(seconds: [Double], setting: String, totals: [(what: String, predicted: String, measured: String)]) {
            self.seconds = seconds
            self.setting = setting
            self.totals = totals
        }
    }

    public func render(_ analyses: [Analysis]) -> String {
        Self.page(title: "convlint: " + analyses.map(\.name).joined(separator: ", ")) { page in
            for (number, analysis) in analyses.enumerated() { section(analysis, number: number, into: &page) }
        }
    }

    /// A whole page: the style sheet, `body`, and a footer.
    static func page(title: String, body: (inout Markup) -> Void) -> String {
        var page = Markup()
        page.raw("<!DOCTYPE html>\n")
        page.element("html", [("xmlns", "http://www.w3.org/1999/xhtml"), ("lang", "en")]) { page in
            page.element("head") { page in
                page.open("meta", [("charset", "utf-8")], empty: true)
                page.open("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")], empty: true)
                page.element("title", title)
                // Raw: an HTML parser does not decode entities inside <style>, so the CSS has none.
                page.element("style") { page in page.raw(style) }
            }
            page.element("body") { page in
                body(&page)
                page.element("footer", "convlint \(ConvLintVersion.current): static analysis; no network was run.")
            }
        }
        return page.text + "\n"
    }

    private func section(_ analysis: Analysis, number: Int, into page: inout Markup) {
        let rows = analysis.layers.filter { LayerColumns.isShown($0, allLayers: allLayers) }
        let anchors = DiagnosticAnchors(analysis, rows: rows, section: number)
        page.element("section", [("class", "network"), ("id", "network-\(number)")]) { page in
            page.element("h1", analysis.name)
            page.element("p", [("class", "subtitle")], "\(analysis.source.path): \(analysis.settings)")
            diagnostics(analysis, anchors, into: &page)
            guard !rows.isEmpty else {
                page.element("p", "No table: the file could not be read as a network (see the error).")
                return
            }
            totals(analysis, into: &page)
            page.element("h2", "Per layer")
            page.open("input", [("type", "checkbox"), ("class", "scale-toggle"), ("id", "log-\(number)")], empty: true)
            page.element("label", [("for", "log-\(number)")], " log scale")
            page.element("div", [("class", "chart")]) { page in HTMLCharts.layerBars(rows, into: &page) }
            page.element("h2", "Through the depth")
            page.element("div", [("class", "chart")]) { page in
                HTMLCharts.depth(rows, peak: analysis.memory?.pytorch.timeline, into: &page)
            }
            page.element("h2", "Receptive field")
            page.element("div", [("class", "side-by-side")]) { page in
                if let last = HTMLCharts.receptiveField(analysis, rows: rows, into: &page), let input = analysis.input {
                    let field = last.receptiveField.size
                    page.element(
                        "p", [("class", "caption")],
                        "One output of \(last.node.label) (layer \(last.node.index), \(last.output)), the last layer with a spatial "
                            + "extent, sees \(LayerColumns.number(field.w))x\(LayerColumns.number(field.h)) pixels (red) of the "
                            + "\(input.w)x\(input.h) input (blue), drawn to scale.")
                }
            }
            if let memory = analysis.memory {
                page.element("h2", "Training memory")
                page.element("div", [("class", "chart")]) { page in
                    HTMLCharts.trainingMemory(memory.pytorch, budget: analysis.budget?.budget, into: &page)
                }
                page.element("pre", MemoryLines.lines(analysis).joined(separator: "\n"))
            }
            if number == 0, let measured { self.measured(measured, rows: rows, into: &page) }
            page.element("h2", "Layers")
            table(rows, analysis, anchors, into: &page)
        }
    }

    private func measured(_ measured: Measured, rows: [LayerReport], into page: inout Markup) {
        page.element("h2", "Measured on this CPU")
        page.element("p", [("class", "subtitle")], measured.setting)
        page.element("div", [("class", "chart")]) { page in HTMLCharts.layerTimes(rows, seconds: measured.seconds, into: &page) }
        page.element("table", [("class", "layers measured")]) { page in
            page.element("thead") { page in
                page.element("tr") { page in for title in ["", "predicted", "measured"] { page.element("th", title) } }
            }
            page.element("tbody") { page in
                for row in measured.totals {
                    page.element("tr", row.predicted == row.measured ? [] : [("class", "flagged")]) { page in
                        page.element("td", row.what)
                        page.element("td", [("class", "number")], row.predicted)
                        page.element("td", [("class", "number")], row.measured)
                    }
                }
            }
        }
    }

    private func totals(_ analysis: Analysis, into page: inout Markup) {
        let totals = analysis.totals
        let image = analysis.activationBytesPerImage
        page.element("ul", [("class", "totals")]) { page in
            page.element("li", "\(totals.params.grouped) parameters (\(totals.params.compact))")
            page.element("li", "\(totals.macs.grouped) MACs per image (\(totals.flops.compact) FLOPs)")
            page.element("li", "\(totals.activations.grouped) activations per image (\(image.binary) in \(analysis.dtype.rawValue))")
            if let memory = analysis.memory {
                page.element("li", "training step: \(memory.trainingPeak(analysis.framework).binary) at batch \(analysis.batch)")
            }
        }
    }

    private func diagnostics(_ analysis: Analysis, _ anchors: DiagnosticAnchors, into page: inout Markup) {
        guard !analysis.diagnostics.isEmpty else { return }
        // A long list folds away, behind a line that counts it by severity.
        let counts = [Severity.error, .warning, .info].compactMap { severity -> String? in
            let count = analysis.diagnostics.filter { $0.severity == severity }.count
            return count == 0 ? nil : "\(count) \(severity.rawValue)\(count == 1 ? "" : "s")"
        }
        var attributes = [("class", "diagnostics")]
        if analysis.diagnostics.count <= 5 { attributes.append(("open", "open")) }
        page.element("details", attributes) { page in
            page.element("summary", "Diagnostics: " + counts.joined(separator: ", "))
            diagnosticList(analysis, anchors, into: &page)
        }
    }

    private func diagnosticList(_ analysis: Analysis, _ anchors: DiagnosticAnchors, into page: inout Markup) {
        page.element("ol", [("class", "diagnostics")]) { page in
            for (position, diagnostic) in analysis.diagnostics.enumerated() {
                page.element("li", [("id", anchors.id(ofDiagnostic: position)), ("class", diagnostic.severity.rawValue)]) { page in
                    page.element("strong", "\(diagnostic.severity.rawValue)[\(diagnostic.rule)]")
                    page.text(" " + diagnostic.message)
                    if let location = diagnostic.location {
                        page.text(" (line \(location.line), column \(location.column)")
                        if let row = anchors.row(ofDiagnostic: position) {
                            page.text(", ")
                            page.element("a", [("href", "#" + anchors.id(ofRow: row))], "layer \(row)")
                        }
                        page.text(")")
                    }
                    if let help = diagnostic.help { page.element("div", [("class", "help")], "help: " + help) }
                }
            }
        }
    }

    private func table(_ rows: [LayerReport], _ analysis: Analysis, _ anchors: DiagnosticAnchors, into page: inout Markup) {
        page.element("table", [("class", "layers")]) { page in
            page.element("thead") { page in
                page.element("tr") { page in
                    for title in ["#", "layer", "output", "memory", "weights", "params", "MACs", "RF", ""] { page.element("th", title) }
                }
            }
            page.element("tbody") { page in
                for layer in rows {
                    let flagged = anchors.diagnostics(ofRow: layer.node.index)
                    var attributes = [("id", anchors.id(ofRow: layer.node.index))]
                    if !flagged.isEmpty { attributes.append(("class", "flagged")) }
                    page.element("tr", attributes) { page in
                        page.element("td", String(layer.node.index))
                        page.element("td", layer.node.label)
                        page.element("td", "\(layer.output)")
                        page.element("td", LayerColumns.memory(layer))
                        page.element("td", LayerColumns.weights(layer))
                        page.element("td", [("class", "number")], layer.cost.params.grouped)
                        page.element("td", [("class", "number")], layer.cost.macs.compact)
                        page.element("td", [("class", "number")], LayerColumns.receptiveField(layer))
                        page.element("td") { page in
                            // One link per rule, to its first finding here, with how many there are.
                            var rules = [String]()
                            for position in flagged where !rules.contains(analysis.diagnostics[position].rule) {
                                let rule = analysis.diagnostics[position].rule
                                let count = flagged.filter { analysis.diagnostics[$0].rule == rule }.count
                                if !rules.isEmpty { page.text(", ") }
                                rules.append(rule)
                                page.element(
                                    "a",
                                    [
                                        ("href", "#" + anchors.id(ofDiagnostic: position)),
                                        ("title", analysis.diagnostics[position].message),
                                    ],
                                    rule + (count > 1 ? " ×\(count)" : ""))
                            }
                        }
                    }
                }
            }
        }
    }

    static let style = """
        body { font: 14px/1.45 -apple-system, Segoe UI, Roboto, DejaVu Sans, Helvetica, Arial, sans-serif; color: #222; margin: 24px auto; max-width: 1000px; padding: 0 16px; }
        h1 { font-size: 22px; margin: 0 0 4px; }
        h2 { font-size: 16px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; }
        .subtitle { color: #555; margin: 0 0 12px; }
        footer { color: #777; margin-top: 32px; font-size: 12px; }
        section.network + section.network { border-top: 3px solid #ccc; margin-top: 40px; padding-top: 16px; }
        svg { max-width: 100%; height: auto; font-size: 11px; }
        svg .label { fill: #333; }
        svg .panel-title { font-weight: 600; }
        svg .value { fill: #444; font-size: 10px; }
        svg .value.inside { fill: #fff; }
        svg .grid { stroke: #e4e4e4; }
        svg .peak { font-weight: 700; }
        svg .budget { stroke: #c00; stroke-width: 2; stroke-dasharray: 5 3; }
        svg .peak-line { stroke: #b07aa1; stroke-width: 2; stroke-dasharray: 4 3; }
        svg .input-extent { fill: #dfe7f1; stroke: #4e79a7; }
        svg .field-extent { fill: rgba(225, 87, 89, 0.18); stroke: #e15759; stroke-width: 2; }
        .scale-log { display: none; }
        .scale-toggle:checked ~ .chart .scale-log { display: inline; }
        .scale-toggle:checked ~ .chart .scale-linear { display: none; }
        .caption { color: #444; max-width: 420px; }
        .side-by-side { display: flex; gap: 24px; align-items: center; }
        pre { background: #f6f6f6; padding: 10px; white-space: pre-wrap; font-size: 12px; }
        table.layers { border-collapse: collapse; font-size: 12px; width: 100%; }
        table.layers th, table.layers td { padding: 2px 6px; border-bottom: 1px solid #eee; text-align: left; }
        table.layers td.number { text-align: right; font-variant-numeric: tabular-nums; }
        tr.flagged { background: #fff6e0; }
        tr:target, li:target { outline: 2px solid #e15759; }
        ol.diagnostics li { margin-bottom: 6px; }
        ol.diagnostics .help { color: #555; }
        svg .points .point { fill: rgba(78, 121, 167, 0.55); stroke: #2f4b6e; }
        details.diagnostics summary { cursor: pointer; font-weight: 600; }
        ol.diagnostics li.error strong { color: #c00; }
        ol.diagnostics li.warning strong { color: #a60; }
        ul.totals { padding-left: 18px; }
        """
}

/// Which table row each diagnostic is about, by the layer made at its location, and the ids
/// that link the two both ways.
struct DiagnosticAnchors {
    private let section: Int
    private var rowOfDiagnostic = [Int: Int]()
    private var diagnosticsOfRow = [Int: [Int]]()

    init(_ analysis: Analysis, rows: [LayerReport], section: Int) {
        self.section = section
        // The first shown layer made by the diagnostic's token (a repeated layer: its first copy).
        var rowAt = [SourceLocation: Int]()
        for layer in rows where rowAt[layer.node.location] == nil { rowAt[layer.node.location] = layer.node.index }
        for (position, diagnostic) in analysis.diagnostics.enumerated() {
            guard let location = diagnostic.location, let row = rowAt[location] else { continue }
            rowOfDiagnostic[position] = row
            diagnosticsOfRow[row, default: []].append(position)
        }
    }

    func row(ofDiagnostic position: Int) -> Int? { rowOfDiagnostic[position] }
    func diagnostics(ofRow row: Int) -> [Int] { diagnosticsOfRow[row] ?? [] }
    func id(ofRow row: Int) -> String { "n\(section)-layer-\(row)" }
    func id(ofDiagnostic position: Int) -> String { "n\(section)-diagnostic-\(position + 1)" }
}
