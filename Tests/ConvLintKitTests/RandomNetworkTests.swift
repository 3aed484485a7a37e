import ConvLintFuzzing
import Testing

@testable import ConvLintExecutor
@testable import ConvLintKit

/// Networks drawn from the format's grammar, a bounded number of seeded cases here and many more
/// under `.ci/fuzz 1800 networks`. Rectangular kernels wider than their input once crashed the
/// executor this way.
@Suite struct RandomNetworkTests {
    /// Every small network the static check accepts must run, and the run must measure exactly
    /// the shapes, parameters and MACs the check predicted.
    @Test func everyValidRandomNetworkRunsAsPredicted() {
        var choices = Choices(seed: 2026)
        var valid = 0
        for _ in 0..<160 {
            let yaml = RandomArchitecture.runnable(&choices)
            var options = AnalysisOptions()
            options.batch = 2
            let analysis = Analyzer.analyze(source: SourceFile(path: "random.yaml", text: yaml), options: options)
            guard analysis.isValid else { continue }
            valid += 1
            let run = Executor(analysis: analysis).run()
            #expect(run.mismatches(with: analysis).isEmpty, "\(yaml)\n\(run.mismatches(with: analysis))")
        }
        // The generator must keep producing buildable networks for the test to mean anything.
        #expect(valid >= 40, "only \(valid) valid networks")
    }

    /// Files from the whole grammar at its edges end in a report or a located diagnostic, render
    /// in every format, and run as predicted when accepted and small.
    @Test func everyWildRandomFileEndsInAReportOrALocatedDiagnostic() {
        var choices = Choices(seed: 17)
        var rules = [String: Int]()
        var valid = 0
        for _ in 0..<400 {
            let yaml = RandomArchitecture.wild(&choices)
            let (analysis, broken) = FrontEndProbe.violations(contents: Array(yaml.utf8), run: FrontEndProbe.RunBound())
            #expect(broken.isEmpty, "\(yaml)\n\(broken)")
            if analysis.isValid { valid += 1 }
            for diagnostic in analysis.diagnostics where diagnostic.severity == .error { rules[diagnostic.rule, default: 0] += 1 }
        }
        // The generator must reach both outcomes and many kinds of error.
        #expect(valid >= 20, "only \(valid) valid files")
        #expect(rules.count >= 10, "errors of only \(rules.count) rules: \(rules)")
    }

    /// The fuzzer's byte-driven decisions: no bytes is the smallest network, and the same bytes
    /// always give the same file.
    @Test func bytesDecideTheGeneratedFile() {
        var empty = Choices(bytes: [])
        #expect(RandomArchitecture.wild(&empty) == "input: 16x16x3\nvars:\n  C: 8\nnetwork: \"INPUT -> CONV(8, F=3, P=1)\"\n")
        let bytes: [UInt8] = (0..<64).map { UInt8(($0 * 37) & 0xFF) }
        var first = Choices(bytes: bytes), second = Choices(bytes: bytes)
        #expect(RandomArchitecture.wild(&first) == RandomArchitecture.wild(&second))
    }
}
