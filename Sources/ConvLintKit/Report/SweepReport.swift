import Foundation

/// A sweep's results as a table, CSV, JSON or markdown, with a summary of how many
/// combinations were valid and why the others failed.
public struct SweepReport {
    public enum Format: String, CaseIterable, Sendable { case text, csv, json, markdown, html }

    public let grid: SweepGrid
    /// What the sweep reached, with the results shown: filtered, sorted and cut to `--top`.
    public let outcome: SweepOutcome
    public let gpuMemory: ByteCount?

    public init(grid: SweepGrid, outcome: SweepOutcome, gpuMemory: ByteCount?) {
        self.grid = grid
        self.outcome = outcome
        self.gpuMemory = gpuMemory
    }

    var shown: [SweepResult] { outcome.shown }

    /// "36 combinations: 24 valid, 12 invalid (non-integer-output 8, branch-mismatch 4)".
    public var summary: String {
        let checked = outcome.checked, invalid = outcome.checked - outcome.valid
        let reasons = outcome.failures.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value.grouped)" }
        let reached =
            checked == grid.count
            ? "\(grid.count.grouped) combinations" : "\(checked.grouped) of \(grid.count.grouped) combinations (interrupted)"
        var line = "\(reached): \(outcome.valid.grouped) valid, \(invalid.grouped) invalid"
        if !reasons.isEmpty { line += " (\(reasons.joined(separator: ", ")))" }
        if shown.count != checked { line += "; \(shown.count.grouped) shown" }
        return line
    }

    struct Column {
        var title: String
        /// The name in CSV and JSON: the figure's name in `--where`.
        var key: String
        var text: (SweepResult) -> String
        var raw: (SweepResult) -> JSONValue
        var rightAligned = true
    }

    var columns: [Column] {
        var columns = grid.axes.enumerated().map { position, axis in
            Column(
                title: axis.name, key: axis.name, text: { $0.values[position] },
                raw: { result in Int(result.values[position]).map(JSONValue.int) ?? .string(result.values[position]) },
                rightAligned: false)
        }
        func figure(
            _ title: String, _ key: String, _ value: @escaping (SweepResult) -> Int, _ text: @escaping (Int) -> String
        ) -> Column {
            Column(
                title: title, key: key, text: { $0.isValid ? text(value($0)) : "-" }, raw: { $0.isValid ? .int(value($0)) : .null })
        }
        columns += [
            Column(title: "valid", key: "valid", text: { $0.isValid ? "yes" : "no" }, raw: { .bool($0.isValid) }, rightAligned: false),
            figure("params", "params", \.params) { $0.grouped },
            figure("MACs", "macs", \.macs) { $0.compact },
            figure("forward", "forward_bytes", \.forwardBytes) { ByteCount($0).binary },
            figure("training", "training_bytes", \.trainingBytes) { ByteCount($0).binary },
        ]
        if gpuMemory != nil || grid.varies(.gpuMemory) {
            columns.append(
                Column(
                    title: "largest batch", key: "largest_batch", text: { $0.largestBatch.map { $0.grouped } ?? "-" },
                    raw: { $0.largestBatch.map(JSONValue.int) ?? .null }))
        }
        columns.append(
            Column(
                title: "first error", key: "first_error", text: { $0.error.map { "\($0.rule): \($0.message)" } ?? "" },
                raw: { result in result.error.map { .string("\($0.rule): \($0.message)") } ?? .null }, rightAligned: false))
        return columns
    }

    public func render(_ format: Format) -> String {
        switch format {
        case .text: text()
        case .csv: csv()
        case .json: json()
        case .markdown: markdown()
        case .html: html()
        }
    }

    /// The columns a person reads: no empty error column when every row shown is valid.
    var readColumns: [Column] {
        shown.contains { !$0.isValid } ? columns : columns.filter { $0.key != "first_error" }
    }

    func text() -> String {
        let columns = readColumns
        let cells = shown.map { result in columns.map { $0.text(result) } }
        let widths = columns.indices.map { index in ([columns[index].title] + cells.map { $0[index] }).map(\.count).max() ?? 0 }
        func line(_ values: [String]) -> String {
            zip(columns, zip(values, widths)).map { column, pair in
                let padding = String(repeating: " ", count: pair.1 - pair.0.count)
                return column.rightAligned ? padding + pair.0 : pair.0 + padding
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(columns.map(\.title))] + cells.map(line) + [summary]).joined(separator: "\n")
    }

    func csv() -> String {
        let columns = columns
        func field(_ value: JSONValue) -> String {
            switch value {
            case .null: return ""
            case .int(let number): return String(number)
            case .bool(let flag): return flag ? "true" : "false"
            case .string(let text):
                return text.contains(where: { ",\"\n".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
            default: return value.serialized()
            }
        }
        let header = columns.map(\.key).joined(separator: ",")
        return ([header] + shown.map { result in columns.map { field($0.raw(result)) }.joined(separator: ",") }).joined(separator: "\n")
    }

    func json() -> String {
        let columns = columns
        let keys = columns.map(\.key)
        let results = shown.map { result in JSONValue.object(zip(keys, columns.map { $0.raw(result) }).map { ($0, $1) }) }
        return JSONValue.object([
            ("combinations", .int(grid.count)), ("checked", .int(outcome.checked)), ("valid", .int(outcome.valid)),
            ("summary", .string(summary)), ("results", .array(results)),
        ]).serialized()
    }

    func markdown() -> String {
        let columns = readColumns
        let header = "| " + columns.map(\.title).joined(separator: " | ") + " |"
        let rule = "|" + columns.map { $0.rightAligned ? "--:|" : "---|" }.joined()
        let rows = shown.map { result in
            "| " + columns.map { $0.text(result).replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        return ([header, rule] + rows + ["", summary]).joined(separator: "\n")
    }

    /// A page with the valid combinations shown as points (parameters against MACs, and against
    /// training memory) and every row shown as a table, the invalid ones marked with their errors.
    func html() -> String {
        HTMLReport.page(title: "convlint sweep: " + grid.axes.map(\.name).joined(separator: ", ")) { page in
            page.element("h1", "Sweep of \(grid.count.grouped) combinations")
            page.element("p", [("class", "subtitle")], summary)
            let valid = shown.filter(\.isValid)
            func label(_ result: SweepResult) -> String {
                zip(grid.axes, result.values).map { "\($0.name)=\($1)" }.joined(separator: ", ")
                    + ": \(result.params.grouped) parameters, \(result.macs.compact) MACs, training \(ByteCount(result.trainingBytes).binary)"
            }
            let figures: [(key: String, title: String, value: (SweepResult) -> Int)] = [
                ("macs", "MACs per image", { $0.macs }), ("training", "training step (bytes)", { $0.trainingBytes }),
            ]
            for figure in figures where !valid.isEmpty {
                page.element("h2", "Parameters against \(figure.title), \(valid.count.grouped) valid combination\(valid.count == 1 ? "" : "s")")
                page.element("div", [("class", "chart"), ("data-figure", figure.key)]) { page in
                    HTMLCharts.scatter(
                        valid.map { HTMLCharts.Point(x: $0.params, y: figure.value($0), index: $0.index, label: label($0)) },
                        x: "parameters", y: figure.title, into: &page)
                }
            }
            page.element("h2", "Combinations shown")
            let columns = readColumns
            page.element("table", [("class", "layers")]) { page in
                page.element("thead") { page in
                    page.element("tr") { page in for column in columns { page.element("th", column.title) } }
                }
                page.element("tbody") { page in
                    for result in shown {
                        page.element("tr", result.isValid ? [] : [("class", "flagged")]) { page in
                            for column in columns {
                                page.element("td", column.rightAligned ? [("class", "number")] : [], column.text(result))
                            }
                        }
                    }
                }
            }
        }
    }
}
