import ConvLintKit
import Foundation

/// Predicted beside measured, per layer and in total.
public enum RunReport {
    static func pair(_ predicted: Int, _ measured: Int) -> String {
        predicted == measured ? measured.grouped : "\(predicted.grouped) ≠ \(measured.grouped)"
    }

    static func milliseconds(_ seconds: Double) -> String { String(format: "%.2f", seconds * 1000) }

    public static func text(_ analysis: Analysis, _ run: RunMeasurement, plan: RunPlan) -> String {
        var rows = [["LAYER", "OUTPUT", "PARAMS", "MACS", "MS", "GFLOP/S", "ALGORITHM"]]
        for (report, measured) in zip(analysis.layers, run.layers) {
            let output = report.output == measured.output ? "[\(measured.output)]" : "[\(report.output)] ≠ [\(measured.output)]"
            let gflops = measured.macs > 0 ? String(format: "%.1f", Double(2 * measured.macs * run.batch) / measured.seconds / 1e9) : ""
            rows.append([
                report.node.label, output, pair(report.cost.params, measured.params), pair(report.cost.macs, measured.macs),
                milliseconds(measured.seconds), gflops, measured.algorithm ?? "",
            ])
        }
        var lines = [
            "\(analysis.name)  (\(analysis.source.path)), measured: batch \(run.batch), float32, random weights and input",
            "",
        ]
        lines += TextReport.align(rows, rightAligned: [2, 3, 4, 5])
        lines += ["(GFLOP/s count the nominal MACs, whatever the algorithm performed)", ""] + totals(analysis, run, plan: plan)
        return lines.joined(separator: "\n")
    }

    /// Per algorithm, in the order they first ran: its layers, and what it performed where that
    /// differs from the nominal MACs.
    static func algorithms(_ run: RunMeasurement) -> [String] {
        var names = [String]()
        var tally = [String: (layers: Int, macs: Int, multiplications: Int)]()
        for layer in run.layers {
            guard let name = layer.algorithm else { continue }
            if tally[name] == nil { names.append(name) }
            let sum = tally[name, default: (0, 0, 0)]
            tally[name] = (sum.layers + 1, sum.macs + layer.macs, sum.multiplications + layer.multiplications)
        }
        return names.map { name in
            let (layers, macs, performed) = tally[name]!
            let what = "\(name): \(layers) layer\(layers == 1 ? "" : "s")"
            guard performed != macs, macs > 0 else { return what }
            let difference =
                performed > macs
                ? String(format: "%.1f%% more: the padding columns of each output row", Double(performed - macs) / Double(macs) * 100)
                : String(format: "%.2fx fewer", Double(macs) / Double(performed))
            return what + ", \(performed.grouped) multiplications per image performed for \(macs.grouped) nominal MACs (\(difference))"
        }
    }

    static func passes(_ run: RunMeasurement) -> String {
        guard run.passes.count > 1 else { return " (one cold pass, first-touch page faults included; --passes 5 for warm figures)" }
        return " (fastest of \(run.passes.count) passes; median \(milliseconds(run.medianSeconds)) ms, "
            + "first \(milliseconds(run.passes[0])) ms)"
    }

    static func totals(_ analysis: Analysis, _ run: RunMeasurement, plan: RunPlan) -> [String] {
        let note = algorithms(run)
        return [
            "TOTAL params: \(pair(analysis.totals.params, run.params)) (predicted, counted from the weights allocated)",
            "TOTAL MACs per image: \(pair(analysis.totals.macs, run.macs)) (nominal, counted by the kernels)",
            "Time: \(milliseconds(run.seconds)) ms for the batch\(passes(run)), \(String(format: "%.1f", run.gflops)) GFLOP/s; "
                + "GEMM: \(run.backend)",
            "Memory: peak of live tensors \(run.peakBytes.binary) (predicted \(plan.predicted.binary) with "
                + "\(plan.workspace.binary) of convolution workspace); process peak RSS \(run.maxRSS.binary)",
        ] + (note.isEmpty ? [] : ["Algorithms: " + note.joined(separator: "; ")])
    }

    /// The check's HTML page with the run drawn in: each layer's time beside what its MACs predict,
    /// and the totals predicted beside measured.
    public static func html(_ analysis: Analysis, _ run: RunMeasurement, plan: RunPlan) -> String {
        let output = run.layers.last.map { "\($0.output)" } ?? "-"
        let measured = HTMLReport.Measured(
            seconds: run.layers.map(\.seconds),
            setting: "batch \(run.batch), float32, random weights and input; GEMM: \(run.backend); time of the batch\(passes(run))",
            totals: [
                ("output", analysis.layers.last.map { "\($0.output)" } ?? "-", output),
                ("parameters (counted from the weights allocated)", analysis.totals.params.grouped, run.params.grouped),
                ("MACs per image (counted by the kernels)", analysis.totals.macs.grouped, run.macs.grouped),
                ("peak of live tensors", plan.predicted.binary, run.peakBytes.binary),
                ("time for the batch", "-", milliseconds(run.seconds) + " ms"),
                ("GFLOP/s", "-", String(format: "%.1f", run.gflops)),
                ("process peak RSS", "-", run.maxRSS.binary),
            ])
        return HTMLReport(measured: measured).render([analysis])
    }

    public static func markdown(_ analysis: Analysis, _ run: RunMeasurement, plan: RunPlan) -> String {
        var out = ["### \(analysis.name): measured (`\(analysis.source.path)`, batch \(run.batch))", "",
                   "| # | Layer | Output | Params | MACs | ms | Algorithm |", "|--:|---|---|--:|--:|--:|---|"]
        for (report, measured) in zip(analysis.layers, run.layers) {
            out.append(
                "| \(report.node.index) | `\(report.node.label)` | \(measured.output) | \(pair(report.cost.params, measured.params)) | "
                    + "\(pair(report.cost.macs, measured.macs)) | \(milliseconds(measured.seconds)) | \(measured.algorithm ?? "") |")
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
                            ("algorithm", measured.algorithm.map { .string($0) } ?? .null),
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
                    ("median_seconds", .double(run.medianSeconds)), ("passes_seconds", .array(run.passes.map { .double($0) })),
                    ("peak_bytes", .int(run.peakBytes.bytes)), ("predicted_bytes", .int(plan.predicted.bytes)),
                    ("max_rss_bytes", .int(run.maxRSS.bytes)), ("gflops", .double(run.gflops)), ("backend", .string(run.backend)),
                ])))
            object[index].1 = .object(totals)
        }
        return .object(object)
    }
}
