import Foundation

/// The HTML report's pictures, as inline SVG. Every mark carries what it stands for in `data-`
/// attributes (`data-layer`, `data-value`) and a `<title>` that a browser shows on hover.
enum HTMLCharts {
    static let width = 960.0
    static let labelWidth = 150.0

    /// One figure of a layer that the per-layer chart draws.
    struct Metric: Sendable {
        var key: String
        var title: String
        var color: String
        var value: @Sendable (LayerReport) -> Int
        var unit: String
    }

    static let metrics = [
        Metric(
            key: "activations", title: "activations (values per image)", color: "#4e79a7", value: { $0.cost.activations },
            unit: "activations"),
        Metric(key: "params", title: "parameters", color: "#f28e2b", value: { $0.cost.params }, unit: "parameters"),
        Metric(key: "macs", title: "MACs per image", color: "#59a14f", value: { $0.cost.macs }, unit: "MACs"),
    ]

    /// A bar per layer for each metric, side by side, once on a linear and once on a log scale
    /// (the page's checkbox shows one of the two).
    static func layerBars(_ rows: [LayerReport], into page: inout Markup) {
        let rowHeight = 16.0
        let top = 30.0
        let gap = 24.0
        let panel = (width - labelWidth - gap * Double(metrics.count)) / Double(metrics.count)
        let height = top + rowHeight * Double(rows.count) + 8
        svg(into: &page, height: height, label: "activations, parameters and MACs of each layer") { page in
            for (row, layer) in rows.enumerated() {
                let y = top + rowHeight * Double(row)
                rowLabel(layer.node.label, baseline: y + 11, into: &page)
            }
            for (position, metric) in metrics.enumerated() {
                let x = labelWidth + Double(position) * (panel + gap)
                let values = rows.map(metric.value)
                // The rows' totals fit: the analysis added them with overflow checks.
                let total = values.reduce(0, +)
                let largest = max(values.max() ?? 0, 1)
                page.element(
                    "text", [("x", Markup.number(x)), ("y", Markup.number(top - 10)), ("class", "panel-title")], metric.title)
                for scale in ["linear", "log"] {
                    page.element("g", [("class", "scale-\(scale)"), ("data-metric", metric.key)]) { page in
                        for (row, layer) in rows.enumerated() {
                            let value = values[row]
                            let fraction = scale == "linear" ? Double(value) / Double(largest) : logFraction(value, of: largest)
                            let length = max(0, fraction * panel)
                            let y = top + rowHeight * Double(row)
                            page.element(
                                "rect",
                                [
                                    ("class", "bar"), ("x", Markup.number(x)), ("y", Markup.number(y + 2)),
                                    ("width", Markup.number(length)),
                                    ("height", "12"), ("fill", metric.color), ("data-layer", String(layer.node.index)),
                                    ("data-value", String(value)),
                                ]
                            ) { page in
                                let share = total > 0 ? " (\(value.percent(of: total)) of all)" : ""
                                page.element(
                                    "title", "\(layer.node.label), layer \(layer.node.index): \(value.grouped) \(metric.unit)\(share)")
                            }
                            if value > 0 {
                                // Inside a long bar, beside a short one.
                                let inside = length > panel - 40
                                page.element(
                                    "text",
                                    [
                                        ("x", Markup.number(inside ? x + length - 3 : x + length + 3)), ("y", Markup.number(y + 11)),
                                        ("text-anchor", inside ? "end" : "start"), ("class", inside ? "value inside" : "value"),
                                    ], value.compact)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Each layer's measured time beside the time its share of the MACs predicts (the run's
    /// total time spread over the layers by their MACs): where the two differ, a layer runs faster
    /// or slower than the network's average rate.
    static func layerTimes(_ rows: [LayerReport], seconds: [Double], into page: inout Markup) {
        let rowHeight = 18.0
        let top = 30.0
        let barArea = width - labelWidth - 120
        let measured = rows.map { $0.node.index < seconds.count ? seconds[$0.node.index] : 0 }
        let total = seconds.reduce(0, +)
        let macs = Double(rows.map(\.cost.macs).reduce(0, +))
        let predicted = rows.map { macs > 0 ? Double($0.cost.macs) / macs * total : 0 }
        let largest = max(measured.max() ?? 0, predicted.max() ?? 0, 1e-9)
        svg(into: &page, height: top + rowHeight * Double(rows.count) + 8, label: "measured and predicted time of each layer") { page in
            for (position, (key, title, color)) in [("predicted", "predicted by MACs", "#bab0ac"), ("measured", "measured", "#4e79a7")]
                .enumerated()
            {
                legend(title, color: color, x: labelWidth + Double(position) * 200, baseline: 15, key: key, into: &page)
            }
            for (row, layer) in rows.enumerated() {
                let y = top + rowHeight * Double(row)
                rowLabel(layer.node.label, baseline: y + 12, into: &page)
                for (offset, key, value, color) in [
                    (0.0, "predicted", predicted[row], "#bab0ac"), (7.0, "measured", measured[row], "#4e79a7"),
                ] {
                    page.element(
                        "rect",
                        [
                            ("class", "time \(key)"), ("x", Markup.number(labelWidth)), ("y", Markup.number(y + 2 + offset)),
                            ("width", Markup.number(barArea * value / largest)), ("height", "7"), ("fill", color),
                            ("data-layer", String(layer.node.index)), ("data-value", String(value)),
                        ]
                    ) { page in
                        page.element(
                            "title", "\(layer.node.label), layer \(layer.node.index): \(key) \(String(format: "%.3f", value * 1000)) ms")
                    }
                }
                page.element(
                    "text",
                    [
                        ("x", Markup.number(labelWidth + barArea * max(measured[row], predicted[row]) / largest + 4)),
                        ("y", Markup.number(y + 12)), ("class", "value"),
                    ],
                    String(format: "%.2f ms", measured[row] * 1000))
            }
        }
    }

    /// A bar's length on a log scale from 1 to `largest`: 0 for none, a sliver for one.
    static func logFraction(_ value: Int, of largest: Int) -> Double {
        guard value > 0 else { return 0 }
        return (log10(Double(value)) + 1) / (log10(Double(max(largest, 1))) + 1)
    }

    /// The output's width and the receptive field through the depth, on a log-2 scale, with the
    /// layer at which the training step's tensors peak (at the shown row at or before it).
    static func depth(_ rows: [LayerReport], peak: TrainingTimeline.Peak?, into page: inout Markup) {
        let height = 280.0
        let left = labelWidth
        let bottom = 70.0
        let top = 16.0
        let series: [(key: String, title: String, color: String, value: (LayerReport) -> Double)] = [
            ("spatial", "output width", "#4e79a7", { Double($0.output.w) }),
            ("receptive-field", "receptive field (input pixels)", "#e15759", { $0.receptiveField.size.w }),
        ]
        // Up to 2^62 on the axis; beyond (a receptive field of 2^256 pixels) the line leaves the top.
        let largest = min(max(rows.flatMap { row in series.map { $0.value(row) } }.filter(\.isFinite).max() ?? 1, 2), 0x1p62)
        let exponent = Int(log2(largest).rounded(.up))
        let plot = height - top - bottom
        func y(_ value: Double) -> Double { top + plot - plot * min(log2(max(value, 1)), Double(exponent)) / Double(max(exponent, 1)) }
        let step = rows.count > 1 ? (width - left - 20) / Double(rows.count - 1) : 0
        func x(_ row: Int) -> Double { left + step * Double(row) }
        svg(into: &page, height: height, label: "output width and receptive field through the depth") { page in
            for power in 0...exponent {
                let value = Double(1 << power)
                page.open(
                    "line",
                    [
                        ("x1", Markup.number(left)), ("x2", Markup.number(width - 20)), ("y1", Markup.number(y(value))),
                        ("y2", Markup.number(y(value))), ("class", "grid"),
                    ], empty: true)
                page.element(
                    "text",
                    [("x", Markup.number(left - 6)), ("y", Markup.number(y(value) + 4)), ("text-anchor", "end"), ("class", "label")],
                    String(1 << power))
            }
            // A label for every row that fits: one per 18 pixels at most.
            let every = max(1, Int((18 / max(step, 0.1)).rounded(.up)))
            for (row, layer) in rows.enumerated() where row % every == 0 {
                let (lx, ly) = (x(row), height - bottom + 12)
                page.element(
                    "text",
                    [
                        ("x", Markup.number(lx)), ("y", Markup.number(ly)),
                        ("transform", "rotate(-50 \(Markup.number(lx)) \(Markup.number(ly)))"), ("text-anchor", "end"), ("class", "label"),
                    ],
                    layer.node.label)
            }
            if let peak, let row = rows.lastIndex(where: { $0.node.index <= peak.layer }) {
                page.open(
                    "line",
                    [
                        ("class", "peak-line"), ("x1", Markup.number(x(row))), ("x2", Markup.number(x(row))), ("y1", Markup.number(top)),
                        ("y2", Markup.number(top + plot)), ("data-layer", String(peak.layer)),
                    ],
                    empty: true)
                page.element(
                    "text", [("x", Markup.number(x(row) + 4)), ("y", Markup.number(top + plot - 4)), ("class", "label")],
                    "training tensors peak here (\(peak.phase.rawValue) pass)")
            }
            for (position, line) in series.enumerated() {
                let points = rows.indices.map { "\(Markup.number(x($0))),\(Markup.number(y(line.value(rows[$0]))))" }
                page.open(
                    "polyline",
                    [("points", points.joined(separator: " ")), ("fill", "none"), ("stroke", line.color), ("stroke-width", "2")],
                    empty: true)
                page.element("g", [("class", "series"), ("data-series", line.key)]) { page in
                    for (row, layer) in rows.enumerated() {
                        let value = line.value(layer)
                        page.element(
                            "circle",
                            [
                                ("class", "point"), ("cx", Markup.number(x(row))), ("cy", Markup.number(y(value))), ("r", "2.5"),
                                ("fill", line.color), ("data-layer", String(layer.node.index)), ("data-value", LayerColumns.number(value)),
                            ]
                        ) { page in
                            page.element(
                                "title", "\(layer.node.label), layer \(layer.node.index): \(line.title) \(LayerColumns.number(value))")
                        }
                    }
                }
                legend(line.title, color: line.color, x: left + 10 + Double(position) * 260, baseline: 11, into: &page)
            }
        }
    }

    /// The input and what one output value of the last spatial layer sees of it, to scale.
    static func receptiveField(_ analysis: Analysis, rows: [LayerReport], into page: inout Markup) -> LayerReport? {
        guard let input = analysis.input, let last = rows.last(where: { $0.output.w > 1 || $0.output.h > 1 }) ?? rows.last else {
            return nil
        }
        let field = last.receptiveField.size
        let box = 240.0
        let margin = 20.0
        let scale = box / max(Double(input.w), Double(input.h), field.w, field.h)
        let center = (margin + box / 2, margin + box / 2)
        svg(into: &page, width: box + 2 * margin, height: box + 2 * margin, label: "receptive field against the input") { page in
            let (iw, ih) = (Double(input.w) * scale, Double(input.h) * scale)
            page.open(
                "rect",
                [
                    ("class", "input-extent"), ("x", Markup.number(center.0 - iw / 2)), ("y", Markup.number(center.1 - ih / 2)),
                    ("width", Markup.number(iw)), ("height", Markup.number(ih)), ("data-value", "\(input.w)x\(input.h)"),
                ])
            page.element("title", "the input, \(input.w)x\(input.h)")
            page.close("rect")
            let (fw, fh) = (field.w * scale, field.h * scale)
            page.open(
                "rect",
                [
                    ("class", "field-extent"), ("x", Markup.number(center.0 - fw / 2)), ("y", Markup.number(center.1 - fh / 2)),
                    ("width", Markup.number(fw)), ("height", Markup.number(fh)),
                    ("data-value", "\(LayerColumns.number(field.w))x\(LayerColumns.number(field.h))"),
                ])
            page.element(
                "title", "what one output of \(last.node.label) sees: \(LayerColumns.number(field.w))x\(LayerColumns.number(field.h))")
            page.close("rect")
        }
        return last
    }

    /// Each phase of the training step as a stacked bar of where its bytes go, with the budget.
    static func trainingMemory(_ memory: PyTorchMemory, budget: ByteCount?, into page: inout Markup) {
        let phases: [(PyTorchMemory.Phase, String)] = [(.backward, "backward pass"), (.optimizerStep, "optimizer step")]
        let colors = ["#4e79a7", "#f28e2b", "#edc948", "#bab0ac", "#e15759", "#76b7b2", "#b07aa1", "#9c755f"]
        let names = phases.flatMap { memory.parts(of: $0.0).map(\.name) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let largest = max(phases.map { memory.peak(of: $0.0).bytes }.max() ?? 1, budget?.bytes ?? 0, 1)
        let barWidth = width - labelWidth - 130
        let rowHeight = 34.0
        let top = 24.0
        let legendRows = (names.count + 2) / 3
        let height = top + rowHeight * Double(phases.count) + 20 + 18 * Double(legendRows)
        func x(_ bytes: Int) -> Double { labelWidth + barWidth * Double(bytes) / Double(largest) }
        svg(into: &page, height: height, label: "training memory by phase") { page in
            for (row, (phase, title)) in phases.enumerated() {
                let y = top + rowHeight * Double(row)
                let peak = memory.peak(of: phase)
                let isPeak = phase == memory.trainingPhase
                rowLabel(title, baseline: y + 16, peak: isPeak, into: &page)
                page.element("g", [("class", "stack"), ("data-phase", phase.rawValue), ("data-value", String(peak.bytes))]) { page in
                    var offset = 0
                    for part in memory.parts(of: phase) where part.bytes.bytes > 0 {
                        let color = colors[(names.firstIndex(of: part.name) ?? 0) % colors.count]
                        page.element(
                            "rect",
                            [
                                ("class", "part"), ("x", Markup.number(x(offset))), ("y", Markup.number(y)),
                                ("width", Markup.number(x(offset + part.bytes.bytes) - x(offset))), ("height", "22"), ("fill", color),
                                ("data-part", part.name), ("data-value", String(part.bytes.bytes)),
                            ]
                        ) { page in page.element("title", "\(title): \(part.name) \(part.bytes.binary)") }
                        offset += part.bytes.bytes
                    }
                }
                page.element(
                    "text", [("x", Markup.number(x(peak.bytes) + 4)), ("y", Markup.number(y + 16)), ("class", "value")],
                    peak.binary + (isPeak ? " (the peak)" : ""))
            }
            if let budget {
                let bx = x(budget.bytes)
                page.open(
                    "line",
                    [
                        ("class", "budget"), ("x1", Markup.number(bx)), ("x2", Markup.number(bx)), ("y1", Markup.number(top - 14)),
                        ("y2", Markup.number(top + rowHeight * Double(phases.count))), ("data-value", String(budget.bytes)),
                    ], empty: true)
                page.element(
                    "text", [("x", Markup.number(bx)), ("y", Markup.number(top - 16)), ("text-anchor", "middle"), ("class", "label")],
                    "GPU \(budget.binary)")
            }
            for (position, name) in names.enumerated() {
                legend(
                    name, color: colors[position % colors.count], x: labelWidth + Double(position % 3) * 260,
                    baseline: top + rowHeight * Double(phases.count) + 14 + 18 * Double(position / 3), into: &page)
            }
        }
    }

    /// A row's name, right-aligned against the bars; bold for the peak.
    static func rowLabel(_ text: String, baseline y: Double, peak: Bool = false, into page: inout Markup) {
        page.element(
            "text",
            [
                ("x", Markup.number(labelWidth - 6)), ("y", Markup.number(y)), ("text-anchor", "end"),
                ("class", peak ? "label peak" : "label"),
            ],
            text)
    }

    /// A legend's swatch and its name.
    static func legend(_ title: String, color: String, x: Double, baseline y: Double, key: String? = nil, into page: inout Markup) {
        page.open(
            "rect", [("x", Markup.number(x)), ("y", Markup.number(y - 9)), ("width", "12"), ("height", "10"), ("fill", color)],
            empty: true)
        page.element(
            "text",
            [("x", Markup.number(x + 16)), ("y", Markup.number(y)), ("class", "label")] + (key.map { [("data-series", $0)] } ?? []), title)
    }

    /// One point per combination on log scales, both figures spanning orders of magnitude.
    struct Point {
        var x: Int
        var y: Int
        var index: Int
        var label: String
    }

    static func scatter(_ points: [Point], x xTitle: String, y yTitle: String, into page: inout Markup) {
        let height = 400.0
        let left = 80.0
        let right = 20.0
        let top = 16.0
        let bottom = 48.0
        let positive = points.filter { $0.x > 0 && $0.y > 0 }
        func decades(_ values: [Int]) -> (low: Int, high: Int) {
            let logs = values.map { log10(Double($0)) }
            let low = Int((logs.min() ?? 0).rounded(.down))
            let high = Int((logs.max() ?? 1).rounded(.up))
            return (low, max(high, low + 1))
        }
        let (xs, ys) = (decades(positive.map(\.x)), decades(positive.map(\.y)))
        let (plotWidth, plotHeight) = (width - left - right, height - top - bottom)
        func px(_ value: Int) -> Double { left + plotWidth * (log10(Double(value)) - Double(xs.low)) / Double(xs.high - xs.low) }
        func py(_ value: Int) -> Double { top + plotHeight * (1 - (log10(Double(value)) - Double(ys.low)) / Double(ys.high - ys.low)) }
        func power(_ exponent: Int) -> Int { (0..<exponent).reduce(1) { value, _ in Saturating.multiply(value, 10) } }
        svg(into: &page, height: height, label: "\(yTitle) against \(xTitle)") { page in
            for exponent in xs.low...xs.high {
                let x = px(power(exponent))
                page.open(
                    "line",
                    [
                        ("class", "grid"), ("x1", Markup.number(x)), ("x2", Markup.number(x)), ("y1", Markup.number(top)),
                        ("y2", Markup.number(top + plotHeight)),
                    ], empty: true)
                page.element(
                    "text",
                    [("x", Markup.number(x)), ("y", Markup.number(top + plotHeight + 16)), ("text-anchor", "middle"), ("class", "label")],
                    power(exponent).compact)
            }
            for exponent in ys.low...ys.high {
                let y = py(power(exponent))
                page.open(
                    "line",
                    [
                        ("class", "grid"), ("x1", Markup.number(left)), ("x2", Markup.number(left + plotWidth)), ("y1", Markup.number(y)),
                        ("y2", Markup.number(y)),
                    ], empty: true)
                page.element(
                    "text", [("x", Markup.number(left - 6)), ("y", Markup.number(y + 4)), ("text-anchor", "end"), ("class", "label")],
                    power(exponent).compact)
            }
            page.element(
                "text",
                [
                    ("x", Markup.number(left + plotWidth / 2)), ("y", Markup.number(height - 8)), ("text-anchor", "middle"),
                    ("class", "panel-title"),
                ], xTitle)
            page.element(
                "text",
                [
                    ("x", "14"), ("y", Markup.number(top + plotHeight / 2)),
                    ("transform", "rotate(-90 14 \(Markup.number(top + plotHeight / 2)))"), ("text-anchor", "middle"),
                    ("class", "panel-title"),
                ], yTitle)
            page.element("g", [("class", "points")]) { page in
                for point in positive {
                    page.element(
                        "circle",
                        [
                            ("class", "point"), ("cx", Markup.number(px(point.x))), ("cy", Markup.number(py(point.y))), ("r", "4"),
                            ("data-index", String(point.index)), ("data-x", String(point.x)), ("data-y", String(point.y)),
                        ]
                    ) { page in page.element("title", point.label) }
                }
            }
        }
    }

    /// An `<svg>` the width of the page (or `width`), scaled down on narrow screens.
    static func svg(into page: inout Markup, width: Double = HTMLCharts.width, height: Double, label: String, body: (inout Markup) -> Void)
    {
        page.element(
            "svg",
            [
                ("xmlns", "http://www.w3.org/2000/svg"), ("viewBox", "0 0 \(Markup.number(width)) \(Markup.number(height))"),
                ("width", Markup.number(width)), ("role", "img"), ("aria-label", label),
            ],
            body: body)
    }
}
