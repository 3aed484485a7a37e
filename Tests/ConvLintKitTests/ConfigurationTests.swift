import Foundation
import Testing

@testable import ConvLintKit

/// `.convlint.yml` and `# convlint:` comments.
@Suite struct ConfigurationTests {
    let vgg = "input: 32x32x3\nnetwork: CONV(16, F=3, P=1) -> RELU -> POOL -> FC(256) -> RELU -> FC(10)\n"

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("convlint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func configuration(_ yaml: String) throws -> Configuration {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(".convlint.yml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return try Configuration.load(path: path)
    }

    func rules(_ yaml: String, _ configuration: Configuration = Configuration()) -> [String] {
        Checker.check(source: SourceFile(path: "x.yaml", text: yaml), configuration: configuration).diagnostics.map {
            "\($0.rule):\($0.severity.rawValue)"
        }
    }

    @Test func rulesCanBeDisabledReSeveredAndTuned() throws {
        #expect(rules(vgg) == ["fc-dominates-params:warning"])
        #expect(rules(vgg, try configuration("fc-dominates-params: off\n")) == [])
        #expect(rules(vgg, try configuration("fc-dominates-params: error\n")) == ["fc-dominates-params:error"])
        #expect(rules(vgg, try configuration("fc-dominates-params: {threshold: 0.999}\n")) == [])
        #expect(rules(vgg, try configuration("fc-dominates-params: {severity: info, threshold: 0.5}\n")) == ["fc-dominates-params:info"])
    }

    @Test func roundedOutputWarningsCanBeSilencedButErrorsCannotBeConfigured() throws {
        let floor = "input: 224x224x3\nrounding: floor\nnetwork: CONV(64, F=7, S=2, P=3)\n"
        #expect(rules(floor) == ["rounded-output:warning", "strided-conv:info"])
        #expect(rules(floor, try configuration("rounded-output: off\nstrided-conv: off\n")) == [])
        #expect(throws: ConfigurationError.self) { try configuration("non-integer-output: off\n") }
    }

    @Test func badConfigurationsSayWhereAndWhy() throws {
        func error(_ yaml: String) throws -> Diagnostic {
            do {
                _ = try configuration(yaml)
            } catch let error as ConfigurationError {
                return error.diagnostic
            }
            throw CancellationError()
        }
        let unknown = try error("large-filtr: off\n")
        #expect(unknown.message == "unknown rule 'large-filtr'; did you mean 'large-filter'?")
        #expect(unknown.location == SourceLocation(line: 1, column: 1, length: 11))
        #expect(try error("large-filter: {max_sise: 7}\n").message.contains("did you mean 'max_size'?"))
        #expect(try error("large-filter: loud\n").message == "'loud' is not a setting of large-filter")
    }

    @Test func theNearestConfigurationFileAboveTheArchitectureIsFound() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let nested = root.appendingPathComponent("a/b")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        try "large-filter: off\n".write(to: root.appendingPathComponent(".convlint.yml"), atomically: true, encoding: .utf8)
        #expect(Configuration.find(from: nested.path) == root.appendingPathComponent(".convlint.yml").path)
    }

    @Test func aTrailingCommentSuppressesItsLineAndAloneOnALineTheNext() {
        let trailing = "input: 32x32x3\nnetwork: CONV(16, F=5) -> RELU  # convlint: disable=size-changing-conv\n"
        let before = "input: 32x32x3\n# convlint: disable=size-changing-conv\n\nnetwork: CONV(16, F=5) -> RELU\n"
        let file = "# convlint: disable-file=size-changing-conv\ninput: 32x32x3\nnetwork: CONV(16, F=5) -> RELU\n"
        let none = "input: 32x32x3\nnetwork: CONV(16, F=5) -> RELU\n"
        #expect(rules(none) == ["size-changing-conv:warning"])
        #expect(rules(trailing) == [])
        #expect(rules(before) == [])
        #expect(rules(file) == [])
    }

    @Test func unusedUnknownAndImpossibleSuppressionsAreReported() {
        let yaml = """
            input: 10x10x3  # convlint: disable=large-filter
            # convlint: disable=non-integer-output,nope
            network: CONV(8, F=3, S=2)
            """
        let analysis = Checker.check(source: SourceFile(path: "x.yaml", text: yaml))
        #expect(analysis.diagnostics.map(\.rule) == ["unused-suppression", "unused-suppression", "unused-suppression", "non-integer-output"])
        #expect(analysis.diagnostics[1].message == "non-integer-output cannot be suppressed: it reports a network that cannot be built")
        #expect(analysis.diagnostics[1].location == SourceLocation(line: 2, column: 21, length: 18))
        #expect(analysis.diagnostics[2].message == "unknown rule 'nope'")
    }

    @Test func aHashInsideAQuotedPatternIsNotAComment() {
        let yaml = "input: 32x32x3\nnetwork: \"CONV(16, F=5) -> RELU # convlint: disable=size-changing-conv\"\n"
        #expect(Suppression.parse(SourceFile(path: "x.yaml", text: yaml)).isEmpty)
    }
}
