import ConvLintKit
import Foundation

/// Predicted beside measured, per layer and in total.
public enum RunReport {
    static func pair(_ predicted: Int, _ measured: Int) -> String {
        predicted == measured ? measured.grouped : "\(predicted.grouped) ≠ \(measured.grouped)"
    }

    static func milliseconds(_ seconds: Double) -> String { String(format: "%.2f", seconds * 1000) }

    public static func text(_ analysis: Analysis, _ run: RunMeasurement, plan: RunPlan) -> String {
        var rows = [["LAYER", "OUTPUT", "PARAMS", "MACS", "MS", "GFLOP/S"]]
        for (report, measured) in zip(analysis.layers, run.layers) {
            let output = report.output == measured.output ? "[\(measured.output)]" : "[\(report.output)] ≠ [\(measured.output)]"
            let gflops = measured.macs > 0 ? String(format: "%.1f", Double(2 * measured.macs * run.batch) / measured.seconds / 1e9) : ""
            rows.append([
                report.node.label, output, pair(report.cost.params, measured.params), pair(report.cost.macs, measured.macs),
                milliseconds(measured.seconds), gflops + (measured.algorithm == nil ? "" : " (W)"),
            ])
        }
        var lines = [
            "\(analysis.name)  (\(analysis.source.path)), measured: batch \(run.batch), float32, random weights and input",
            "",
        ]
        lines += TextReport.align(rows, rightAligned: [2, 3, 4, 5])
        if run.layers.contains(where: { $0.algorithm != nil }) {
            lines.append("(W: Winograd; its GFLOP/s count the nominal MACs, not the fewer multiplications it performed)")
        }
        lines += [""] + totals(analysis, run, plan: plan)
        return lines.joined(separator: "\n")
    }

    static func totals(_ analysis: Analysis, _ run: RunMeasurement, plan: RunPlan) -> [String] {
        let fast = run.layers.filter { $0.algorithm != nil }
        let performed = run.layers.reduce(0) { $0 + $1.multiplications }
        let note = fast.isEmpty ? [] : [
            "\(fast[0].algorithm!) ran \(fast.count) CONV layers: \(performed.grouped) multiplications per image performed "
                + "for the \(run.macs.grouped) nominal MACs (\(String(format: "%.2f", Double(run.macs) / Double(performed)))x fewer)"
        ]
        return [
            "TOTAL params: \(pair(analysis.totals.params, run.params)) (predicted, counted from the weights allocated)",
            "TOTAL MACs per image: \(pair(analysis.totals.macs, run.macs)) (nominal, counted by the kernels)",
            "Time: \(milliseconds(run.seconds)) ms for the batch, \(String(format: "%.1f", run.gflops)) GFLOP/s; GEMM: \(run.backend)",
            "Memory: peak of live tensors \(run.peakBytes.binary) (predicted \(plan.predicted.binary) with "
                + "\(plan.workspace.binary) of im2col workspace); process peak RSS \(run.maxRSS.binary)",
        ] + note
    }

    public static func markdown(_ analysis: Analysis, _ run: RunMeasurement, plan: RunPlan) -> String {
        var out = ["### \(analysis.name): measured (`\(analysis.source.path)`, batch \(run.batch))", "",
                   "| # | Layer | Output | Params | MACs | ms |", "|--:|---|---|--:|--:|--:|"]
        for (report, measured) in zip(analysis.layers, run.layers) {
            out.append(
                "| \(report.node.index) | `\(report.node.label)` | \(measured.output) | \(pair(report.cost.params, measured.params)) | "
                    + "\(pair(report.cost.macs, measured.macs)) | \(milliseconds(measured.seconds)) |")
        }
        return (out + [""] + totals(analysis, run, plan: plan).map { "- " + $0 }).joined(separator: "\n")
    }

    public static func json(_ analysis: Analysis, _ run: RunMeasurement, plan: RunPlan) -> JSONValue {
        guard case .object(var object) = JSONReport.value(analysis) else { return .null }
        if let index = object.firstIndex(where: { $0.0 == "layers" }), case .array(let layers) = object[index].1 {
            object[index].1 = .array(
                zip(layers, run.layers).map { layer, measured in
                    guard case .object(var fields) = layer else { return layer }
                    fields.append(
                        ("measured", .object([
                            ("output", .array(measured.output.array.map { .int($0) })),
                            ("params", .int(measured.params)), ("macs", .int(measured.macs)),
                            ("multiplications", .int(measured.multiplications)),
                            ("algorithm", measured.algorithm.map { .string($0) } ?? .string("direct")),
                            ("seconds", .double(measured.seconds)),
                        ])))
                    return .object(fields)
                })
        }
        if let index = object.firstIndex(where: { $0.0 == "totals" }), case .object(var totals) = object[index].1 {
            totals.append(
                ("measured", .object([
                    ("output", .array((run.layers.last?.output.array ?? []).map { .int($0) })),
                    ("params", .int(run.params)), ("macs", .int(run.macs)), ("seconds", .double(run.seconds)),
                    ("peak_bytes", .int(run.peakBytes.bytes)), ("predicted_bytes", .int(plan.predicted.bytes)),
                    ("max_rss_bytes", .int(run.maxRSS.bytes)), ("gflops", .double(run.gflops)), ("backend", .string(run.backend)),
                ])))
            object[index].1 = .object(totals)
        }
        return .object(object)
    }
}
