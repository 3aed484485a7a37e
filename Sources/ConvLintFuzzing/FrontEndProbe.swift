import ConvLintExecutor
import ConvLintKit
import Foundation

/// What the front end promises about any input, checked on one: it ends in a report or a
/// located diagnostic, every report format renders, and a network the check accepts runs as
/// predicted. The fuzzer traps on a broken promise; the property tests assert there are none.
public enum FrontEndProbe {
    /// Networks no larger than this (per batch) are also run, so that the fuzzer stays fast.
    public struct RunBound: Sendable {
        public var activations = 1 << 21
        public var macs = 1 << 25
        public var params = 1 << 20
        public init() {}
    }

    /// The broken promises of `contents`, read as the file `path`; empty when all hold.
    /// `run`: also run a small accepted network and compare it with the static figures.
    public static func violations(
        contents: [UInt8], path: String = "fuzz.yaml", run: RunBound? = nil
    ) -> (analysis: Analysis, violations: [String]) {
        let analysis = Checker.check(contents: contents, path: path)
        var broken = violations(of: analysis)
        if let run, broken.isEmpty, analysis.isValid, fits(analysis, run) {
            broken += Executor(analysis: analysis).run().mismatches(with: analysis).map {
                "layer \($0.layer) \($0.label): \($0.what) predicted \($0.predicted), measured \($0.measured)"
            }
        }
        return (analysis, broken)
    }

    static func fits(_ analysis: Analysis, _ bound: RunBound) -> Bool {
        let totals = analysis.totals
        let batch = max(analysis.batch, 1)
        return totals.activations <= bound.activations / batch && totals.macs <= bound.macs / batch
            && totals.params <= bound.params
    }

    /// The promises that hold for every analysis, valid or not.
    public static func violations(of analysis: Analysis) -> [String] {
        var broken = [String]()
        let source = analysis.source
        for diagnostic in analysis.diagnostics {
            if diagnostic.message.isEmpty || diagnostic.rule.isEmpty { broken.append("a diagnostic without rule or message") }
            if let location = diagnostic.location {
                let lines = max(source.lineCount, 1)
                let width = source.line(location.line).unicodeScalars.count
                if location.line < 1 || location.line > lines || location.column < 1 || location.column > width + 1 {
                    broken.append(
                        "\(diagnostic.rule) at \(location.line):\(location.column) lies outside the file "
                            + "(\(lines) lines, line \(location.line) is \(width) wide)")
                }
            }
            if DiagnosticRenderer(color: false).render(diagnostic, in: source).isEmpty { broken.append("an empty rendering") }
        }
        if analysis.isValid {
            if analysis.layers.isEmpty || analysis.memory == nil { broken.append("a valid analysis without layers or memory") }
            let negative = analysis.layers.contains { $0.cost.params < 0 || $0.cost.macs < 0 || $0.cost.activations < 0 }
            if negative { broken.append("a negative cost") }
        }
        let code = ExitStatus.code(for: [analysis], strict: false)
        if !(analysis.isValid ? [0] : [1, 2] as Set<Int32>).contains(code) {
            broken.append("exit \(code) for an analysis that is \(analysis.isValid ? "valid" : "invalid")")
        }
        _ = TextReport(allLayers: true).render(analysis)
        _ = MarkdownReport(allLayers: true).render(analysis)
        _ = HTMLReport(allLayers: true).render([analysis])
        _ = GitHubReport.render([analysis])
        // Parsing a report of tens of thousands of layers back would be most of a fuzz run's time.
        for (format, text) in [("JSON", JSONReport.render([analysis])), ("SARIF", SARIFReport.render([analysis]))]
        where text.utf8.count <= 1 << 20 && (try? JSONSerialization.jsonObject(with: Data(text.utf8))) == nil {
            broken.append("the \(format) report does not parse")
        }
        return broken
    }
}
