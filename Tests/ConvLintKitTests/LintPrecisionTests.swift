import Foundation
import Testing

@testable import ConvLintKit

/// The precision corpus: every shipped architecture, the modern zoo included, produces exactly
/// the lint findings that Fixtures/lint_corpus.json lists, each with the reason a reviewer
/// agrees with it. A rule that starts firing on a published network fails here until the
/// fixture is changed, with its reason.
@Suite struct LintPrecisionTests {
    struct Corpus: Decodable {
        struct Finding: Decodable {
            var rule: String
            var line: Int
            var why: String
        }

        var files: [String: [Finding]]
    }

    static let corpus: Corpus = loadFixture("lint_corpus")

    static let lintRules: Set<String> = Set(RuleRegistry.lintRules.map { $0.description.id })
        .union([RuleID.unusedDefinition, RuleID.unusedSuppression])

    static var files: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: architecturesDirectory.path))?
            .filter { $0.hasSuffix(".yaml") }.sorted() ?? []
    }

    @Test func everyShippedFileIsInTheCorpus() {
        #expect(Set(Self.files) == Set(Self.corpus.files.keys))
        for (file, findings) in Self.corpus.files {
            #expect(findings.allSatisfy { !$0.why.isEmpty }, "\(file): every finding needs its reason")
        }
    }

    @Test(arguments: files)
    func findingsAreExactlyTheJustifiedOnes(file: String) throws {
        let expected = try #require(Self.corpus.files[file])
        let analysis = Checker.check(path: architecturesDirectory.appendingPathComponent(file).path)
        let found = analysis.diagnostics.filter { Self.lintRules.contains($0.rule) }
            .map { "\($0.rule)@\($0.location?.line ?? 0)" }.sorted()
        #expect(found == expected.map { "\($0.rule)@\($0.line)" }.sorted(), "\(file)")
    }
}

/// Messages that name the culprit and help that works: each fix is applied and the file then passes.
@Suite struct LintMessageTests {
    @Test func aShrunkResidualBranchNamesTheConvAndItsPadding() throws {
        let yaml = "input: 56x56x256\nnetwork: INPUT -> (CONV(256, F=3, P=1) -> RELU -> CONV(256, F=3, P=0) + ID)"
        let error = try #require(analyze(yaml).firstError)
        #expect(error.rule == RuleID.branchMismatch)
        #expect(error.notes.contains("the sizes part at CONV3-256 (line 2, column 51): (56 − 3 + 2·0)/1 + 1 = 54"))
        #expect(error.help == "set P=1 on CONV3-256 (line 2, column 51): it then gives 56x56, as the other branch does")
        let fixed = yaml.replacingOccurrences(of: "CONV(256, F=3, P=0)", with: "CONV(256, F=3, P=1)")
        #expect(analyze(fixed).isValid)
    }

    @Test func aConcatenationAfterADeconvNamesItsOutputPad() throws {
        let yaml = """
            input: 33x33x8
            rounding: floor
            network: INPUT -> (ID | POOL -> CONV(8, F=3, P=1) -> DECONV(8, F=2, S=2))
            """
        let error = try #require(analyze(yaml).firstError)
        #expect(error.rule == RuleID.branchMismatch)
        #expect(error.notes.first?.hasPrefix("the sizes part at DECONV2-8/2 (line 3, column 54): (16 − 1)·2 − 2·0 + 2 = 32") == true)
        #expect(error.help == "set output_pad=1 on DECONV2-8/2 (line 3, column 54): it then gives 33x33, as the other branch does")
        let fixed = yaml.replacingOccurrences(of: "DECONV(8, F=2, S=2)", with: "DECONV(8, F=2, S=2, output_pad=1)")
        #expect(analyze(fixed).isValid)
    }

    @Test func aStridedBranchWithoutAStridedShortcutNamesTheStride() throws {
        let yaml = "input: 56x56x64\nrounding: floor\nnetwork: INPUT -> (CONV(64, F=3, S=2, P=1) -> BN + ID)"
        let error = try #require(analyze(yaml).firstError)
        #expect(error.help == "set S=1 on CONV3-64/2 (line 3, column 20): it then gives 56x56, as the other branch does")
    }

    @Test func aMistypedSetIsAUsageErrorWithTheNearestName() throws {
        var options = AnalysisOptions()
        options.variables = [("Nx", "3")]
        let analysis = analyze("input: 8x8x3\nvars: {N: 2}\nnetwork: \"INPUT -> [CONV(8, F=3, P=1)]*N\"", options: options)
        let error = try #require(analysis.firstError)
        #expect(error.rule == RuleID.unknownOverride)
        #expect(error.message == "--set Nx=3: this file has no variable 'Nx'; did you mean 'N'?")
        #expect(ExitStatus.code(for: [analysis], strict: false) == 2)
        // A variable the pattern uses may come from the command line alone.
        options.variables = [("M", "3")]
        #expect(analyze("input: 8x8x3\nnetwork: \"INPUT -> [CONV(8, F=3, P=1)]*M\"", options: options).isValid)
    }

    @Test func unusedVariablesBlocksAndDefaultsAreWarnings() {
        let yaml = """
            input: 8x8x3
            vars: {N: 2, width: 3}
            blocks:
              unit(C): CONV(C, F=3, P=1) -> RELU
              spare: ID
            defaults:
              POOL: {size: 3}
              CONV: {bias: false}
            network: "INPUT -> [unit(8)]*N -> [CONV(8, F=1)]*0"
            """
        let warnings = analyze(yaml).diagnostics.filter { $0.rule == RuleID.unusedDefinition }
        #expect(warnings.map(\.message) == [
            "variable 'width' is never used",
            "block 'spare' is never called",
            "defaults for POOL apply to no layer: the network has no POOL",
        ])
        #expect(warnings.map { $0.location?.line } == [2, 5, 7])
        #expect(warnings.allSatisfy { $0.severity == .warning })
    }

    @Test(arguments: [
        ("BatchNorm2d", "did you mean 'BN' (convlint's name for BatchNorm2d)?"),
        ("BATCHNORM", "did you mean 'BN' (convlint's name for BATCHNORM)?"),
        ("Linear", "did you mean 'FC' (convlint's name for Linear)?"),
        ("LayerNorm", "did you mean 'LN' (convlint's name for LayerNorm)?"),
        ("MaxPool2d", "did you mean 'MAXPOOL' (convlint's name for MaxPool2d)?"),
        ("Conv2d", "did you mean 'CONV' (convlint's name for Conv2d)?"),
        ("ConvTranspose2d", "did you mean 'DECONV' (convlint's name for ConvTranspose2d)?"),
        ("AdaptiveAvgPool2d", "did you mean 'ADAPTIVEAVGPOOL' (convlint's name for AdaptiveAvgPool2d)?"),
        ("Dense", "did you mean 'FC' (convlint's name for Dense)?"),
        ("Swish", "did you mean 'SILU' (convlint's name for Swish)?"),
        ("Concatenate", "CONCAT is written as a group of branches: (A | B)"),
    ])
    func frameworkNamesSuggestTheKind(name: String, suggestion: String) throws {
        let error = try #require(analyze("input: 8x8x3\nnetwork: INPUT -> \(name)").firstError)
        #expect(error.message == "unknown layer kind or block '\(name)'; \(suggestion)")
    }

    @Test func frameworkSpellingsThatAreKindsAreAccepted() {
        for name in ["SiLU", "Hardswish", "Upsample", "ReLU", "Softmax", "Flatten", "Dropout"] {
            #expect(analyze("input: 8x8x3\nnetwork: INPUT -> \(name)").isValid, "\(name)")
        }
    }

    @Test func aShortPositionalBlockCallSaysAValueMayHaveShifted() throws {
        let yaml = """
            input: 8x8x16
            blocks:
              mb(C, E, up, K, O): CONV(C*E, F=1) -> CONV(C*E, F=K, P=same, groups=C*E) -> CONV(O, F=up)
            network: INPUT -> mb(16, 6, 3, 24)
            """
        let error = try #require(analyze(yaml).firstError)
        #expect(error.message.contains("takes 5 arguments (C, E, up, K, O), but this call gives 4: 'O' gets no value, or a value in the middle was left out"))
        #expect(error.help == "name the arguments to be sure which is missing: mb(C=16, E=6, up=3, K=24, O=…)")
    }
}
